//! Analytics of a workspace's leads created in a range: totals over the whole range and a
//! per-lead breakdown in pages, as the documented `GET /api/v0/analytics` answers them.
//!
//! Every figure is an SQL aggregate (`totals`, `breakdown`): nothing loads every lead. A
//! page costs a fixed number of statements whatever its size: 4 for the totals, 1 for
//! the leads, 1 for their messages and 3 for their checklists. `export` writes the whole
//! range as CSV to the document store, page by page.
//!
//! Which leads: those of the workspace created in `[start, end]` (both inclusive), not
//! deleted, not test leads. What each figure is made of is written in README
//! ("Analytics"), next to the figures the data model has no source for (always 0).

mod breakdown;
pub mod export;
mod range;
mod totals;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::auth::Principal;
use crate::error::Result;

pub use range::{Range, Token};

/// Most leads one page of the breakdown holds (the documented 500).
pub const PAGE_SIZE: u64 = 500;

/// A channel's messages in the totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ChannelTotals {
    pub inbound: i64,
    pub outbound: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Channels<T> {
    pub sms: T,
    pub email: T,
}

/// Completed required items by who completed them. leadgate does not record who set an
/// item's status, so every figure is 0 (see README).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BySource {
    pub agent: i64,
    pub imported: i64,
    pub manual: i64,
    pub portal: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Completion {
    /// Required checklist items of the leads (template and one-off items).
    pub total_required: i64,
    /// Those of them that are COMPLETED.
    pub total_completed: i64,
    pub by_source: BySource,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interventions {
    /// No source in the data model: 0.
    pub document_overrides: i64,
    /// No source in the data model: 0.
    pub escalations: i64,
    /// MANUAL_UPDATE action logs.
    pub manual_updates: i64,
    /// No source in the data model (drafts cannot be edited): 0.
    pub message_edits: i64,
    /// Drafts (MESSAGE action logs) that were cancelled instead of approved.
    pub message_rejects: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub count: i64,
    pub leads_completed: i64,
    pub leads_opted_out: i64,
    pub total_messages: i64,
    pub inbound_messages: i64,
    pub outbound_messages: i64,
    pub channels: Channels<ChannelTotals>,
    pub completion: Completion,
    pub interventions: Interventions,
}

/// One lead's messages on one channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadChannel {
    pub inbound: i64,
    pub outbound: i64,
    #[serde(serialize_with = "range::serialize_time")]
    pub last_inbound_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "range::serialize_time")]
    pub last_outbound_at: Option<DateTime<Utc>>,
}

/// One item of a lead's checklist, as the lead shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistFigure {
    pub code: String,
    pub required: bool,
    pub status: crate::entities::enums::ChecklistItemStatus,
    pub value: Option<Value>,
    /// When the lead's row for the item last changed; null when it never had one.
    #[serde(serialize_with = "range::serialize_time")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Who set the item: not recorded by leadgate, always null.
    pub source: Option<&'static str>,
}

/// One lead of the breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadFigures {
    pub lead_id: Uuid,
    pub first_name: String,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    #[serde(serialize_with = "range::serialize_instant")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "range::serialize_time")]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "range::serialize_time")]
    pub opted_out_at: Option<DateTime<Utc>>,
    pub total_messages: i64,
    pub inbound_messages: i64,
    pub outbound_messages: i64,
    #[serde(serialize_with = "range::serialize_time")]
    pub last_inbound_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "range::serialize_time")]
    pub last_outbound_at: Option<DateTime<Utc>>,
    pub channels: Channels<LeadChannel>,
    pub checklist: Vec<ChecklistFigure>,
}

/// One page of the breakdown and the token of the next (none on the last page).
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    pub leads: Vec<LeadFigures>,
    /// The position after the last lead of this page (present whenever the page has one).
    pub end_token: Option<String>,
    pub has_next: bool,
}

impl Breakdown {
    /// The documented `nextToken`: null on the last page.
    pub fn next_token(&self) -> Option<&str> {
        self.has_next.then_some(self.end_token.as_deref()).flatten()
    }
}

/// The documented answer: the range, totals over all of it, one page of the breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub range: Range,
    pub totals: Totals,
    pub breakdown: Breakdown,
}

/// Totals of the range and the page of at most `page_size` leads after `token`.
pub async fn report(
    db: &impl ConnectionTrait,
    principal: &Principal,
    range: Range,
    token: Option<&Token>,
    page_size: u64,
) -> Result<Report> {
    let totals = totals::of(db, principal, &range).await?;
    let breakdown = breakdown::page(db, principal, &range, token, page_size).await?;
    Ok(Report {
        range,
        totals,
        breakdown,
    })
}

/// The leads analytics cover, as a condition on `leads`: the workspace's, created in the
/// range, neither deleted nor test leads.
fn leads_in(principal: &Principal, range: &Range) -> sea_orm::sea_query::Condition {
    use crate::entities::lead;
    use sea_orm::sea_query::{Condition, Expr, ExprTrait};
    let col = |c: lead::Column| Expr::col((lead::Entity, c));
    Condition::all()
        .add(col(lead::Column::WorkspaceId).eq(principal.workspace_id))
        .add(col(lead::Column::IsTest).eq(false))
        .add(col(lead::Column::DeletedAt).is_null())
        .add(col(lead::Column::CreatedAt).gte(range.start))
        .add(col(lead::Column::CreatedAt).lte(range.end))
}
