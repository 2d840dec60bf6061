//! `LeadConnection`: a Relay connection over leads (`edges { cursor node }`, `pageInfo`,
//! and `totalCount`, counted only when selected).

use async_graphql::{Context, Object, Result, SimpleObject};

use crate::domain::leads::list::{self, LeadFilter, Page};
use crate::graphql::{context::caller, errors::GqlResult};

use super::lead::Lead;

pub struct LeadConnection {
    pub page: Page,
    pub filter: LeadFilter,
}

/// Where a page sits in the list.
#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

/// One lead and its opaque, stable cursor.
pub struct LeadEdge {
    cursor: String,
    lead: Lead,
}

#[Object]
impl LeadEdge {
    async fn cursor(&self) -> &str {
        &self.cursor
    }
    async fn node(&self) -> &Lead {
        &self.lead
    }
}

/// A page of leads.
#[Object]
impl LeadConnection {
    async fn edges(&self) -> Vec<LeadEdge> {
        self.page
            .leads
            .iter()
            .map(|(cursor, lead)| LeadEdge {
                cursor: cursor.clone(),
                lead: Lead(lead.clone()),
            })
            .collect()
    }
    /// The leads of the page, without cursors.
    async fn nodes(&self) -> Vec<Lead> {
        self.page
            .leads
            .iter()
            .map(|(_, lead)| Lead(lead.clone()))
            .collect()
    }
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.page.has_next_page,
            has_previous_page: self.page.has_previous_page,
            start_cursor: self.page.leads.first().map(|(c, _)| c.clone()),
            end_cursor: self.page.leads.last().map(|(c, _)| c.clone()),
        }
    }
    /// How many leads match the filter, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        list::count(db, &caller.principal, &self.filter).await.gql()
    }
}
