//! Read entry points.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use uuid::Uuid;

use crate::domain::leads::{
    self,
    list::{self, Direction, LeadOrder as DomainOrder, OrderField, PageRequest},
};
use crate::error::Error;

use super::{
    context::caller,
    enums::{AssigneeType, LeadStatus},
    errors::{GqlResult, to_graphql},
    scalars::DateTime,
    types::{connection::LeadConnection, lead::Lead},
};

pub struct Query;

/// Parses an `ID` argument as a lead/entity id, naming the argument when it is not one.
pub(crate) fn parse_id(field: &str, id: &ID) -> Result<Uuid> {
    Uuid::parse_str(id.as_str())
        .map_err(|_| to_graphql(&Error::bad_input(field, "is not a valid id")))
}

/// Which leads to list; filters combine with AND.
#[derive(InputObject, Default)]
pub struct LeadFilter {
    pub status: Option<LeadStatus>,
    pub assignee_type: Option<AssigneeType>,
    /// Leads with any of these tags (case-insensitive).
    pub tags: Option<Vec<String>>,
    pub is_test: Option<bool>,
    /// Created at or after.
    pub created_after: Option<DateTime>,
    /// Created strictly before.
    pub created_before: Option<DateTime>,
    /// Name, business name or email containing the text (case-insensitive); a phone number
    /// in any format finds the lead with that number.
    pub search: Option<String>,
    /// Include deleted leads (default false).
    pub include_deleted: Option<bool>,
}

impl From<LeadFilter> for list::LeadFilter {
    fn from(filter: LeadFilter) -> Self {
        Self {
            status: filter.status.map(Into::into),
            assignee_type: filter.assignee_type.map(Into::into),
            tags: filter.tags,
            is_test: filter.is_test,
            created_after: filter.created_after.map(|t| t.0),
            created_before: filter.created_before.map(|t| t.0),
            search: filter.search,
            include_deleted: filter.include_deleted.unwrap_or(false),
        }
    }
}

/// What leads are ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum LeadOrderField {
    #[default]
    CreatedAt,
    UpdatedAt,
    /// The full name, case-insensitively.
    Name,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum OrderDirection {
    Asc,
    Desc,
}

/// The order of a lead list: by default newest first; by name A to Z.
#[derive(InputObject)]
pub struct LeadOrder {
    #[graphql(default)]
    pub field: LeadOrderField,
    /// Default DESC for CREATED_AT and UPDATED_AT, ASC for NAME.
    pub direction: Option<OrderDirection>,
}

impl From<Option<LeadOrder>> for DomainOrder {
    fn from(order: Option<LeadOrder>) -> Self {
        let Some(order) = order else {
            return Self::default();
        };
        let field = match order.field {
            LeadOrderField::CreatedAt => OrderField::CreatedAt,
            LeadOrderField::UpdatedAt => OrderField::UpdatedAt,
            LeadOrderField::Name => OrderField::Name,
        };
        let direction = order.direction.map(|d| match d {
            OrderDirection::Asc => Direction::Asc,
            OrderDirection::Desc => Direction::Desc,
        });
        Self::by(field, direction)
    }
}

// Merged into the root `Query` (`graphql::QueryRoot`) under its own internal name.
#[Object(name = "LeadQueries")]
impl Query {
    /// A lead of the caller's workspace by id; null when there is none (leads of other
    /// workspaces included). Deleted leads are returned.
    async fn lead(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Lead>> {
        let caller = caller(ctx)?;
        let id = parse_id("id", &id)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        match leads::find(db, &caller.principal, id).await {
            Ok(lead) => Ok(Some(Lead(lead))),
            Err(Error::NotFound(_)) => Ok(None),
            Err(err) => Err(err).gql(),
        }
    }

    /// The caller's leads as a Relay connection: at most 100 a page (20 by default),
    /// opaque stable cursors, `totalCount` across pages.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::limits::cost::page(first, last, child_complexity)")]
    async fn leads(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<LeadFilter>,
        order_by: Option<LeadOrder>,
    ) -> Result<LeadConnection> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let filter: list::LeadFilter = filter.unwrap_or_default().into();
        let request = PageRequest {
            first: first.map(i64::from),
            after,
            last: last.map(i64::from),
            before,
        };
        let page = list::page(db, &caller.principal, &filter, order_by.into(), &request)
            .await
            .gql()?;
        Ok(LeadConnection { page, filter })
    }

    /// Analytics of the caller's leads created in `[start, end]` (deleted and test leads
    /// excluded): totals over the whole range and a page of at most `first` leads (500 by
    /// default and at most), oldest first, after the `nextToken` given as `after`. The
    /// same figures as REST `GET /api/v0/analytics`.
    async fn analytics(
        &self,
        ctx: &Context<'_>,
        start: DateTime,
        end: DateTime,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<super::types::analytics::Analytics> {
        super::types::analytics::resolve(ctx, start, end, first, after).await
    }
}
