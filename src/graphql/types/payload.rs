//! `CreateLeadPayload`: the created lead and, lazily, everything about it.

use async_graphql::{Context, Object, Result};

use crate::domain::timeline::Marker;
use crate::entities::lead;

use super::{
    checklist::ChecklistGroup,
    lead::{Lead, lazy},
    timeline::ActionLog,
};

pub struct CreateLeadPayload(pub lead::Model);

/// The result of createLead. Every field but `success` and `lead` is read only when
/// selected.
#[Object]
impl CreateLeadPayload {
    async fn success(&self) -> bool {
        true
    }
    async fn lead(&self) -> Lead {
        Lead(self.0.clone())
    }
    /// The full checklist, grouped by group in template order.
    async fn checklist_items(&self, ctx: &Context<'_>) -> Result<Vec<ChecklistGroup>> {
        lazy::checklist_items(ctx, &self.0).await
    }
    /// The timeline, newest first; `limit` is capped at 100.
    async fn action_logs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] limit: Option<i32>,
    ) -> Result<Vec<ActionLog>> {
        lazy::action_logs(ctx, &self.0, limit.unwrap_or(100)).await
    }
    /// Leads with the same email or phone in the workspace; `[]` for test leads.
    async fn matching_leads(&self, ctx: &Context<'_>) -> Result<Vec<Lead>> {
        lazy::matching_leads(ctx, &self.0).await
    }
    /// The latest COMPLETED outbound MESSAGE or FOLLOW_UP_MESSAGE.
    async fn last_action(&self, ctx: &Context<'_>) -> Result<Option<ActionLog>> {
        lazy::marker(ctx, &self.0, Marker::LastAction).await
    }
    /// The earliest PENDING FOLLOW_UP_MESSAGE.
    async fn next_follow_up(&self, ctx: &Context<'_>) -> Result<Option<ActionLog>> {
        lazy::marker(ctx, &self.0, Marker::NextFollowUp).await
    }
    /// The earliest message AWAITING_APPROVAL (a draft).
    async fn next_draft(&self, ctx: &Context<'_>) -> Result<Option<ActionLog>> {
        lazy::marker(ctx, &self.0, Marker::NextDraft).await
    }
}
