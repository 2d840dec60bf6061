//! Mutation payloads: the lead written and, lazily, everything about it.

use async_graphql::{Context, Object, Result};

use crate::domain::{leads, timeline::Marker};
use crate::entities::{action_log, lead};
use crate::graphql::{context::caller, errors::GqlResult};

use super::{
    checklist::ChecklistGroup,
    lead::{Lead, lazy},
    timeline::ActionLog,
};

/// Defines a payload type holding a lead: `success`, `lead` and the lead's lazy fields,
/// each read only when selected.
macro_rules! lead_payload {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name(pub lead::Model);

        $(#[$doc])*
        #[Object]
        impl $name {
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
            #[graphql(complexity = "crate::graphql::limits::cost::action_logs(limit, child_complexity)")]
            async fn action_logs(
                &self,
                ctx: &Context<'_>,
                #[graphql(default = 100)] limit: Option<i32>,
            ) -> Result<Vec<ActionLog>> {
                lazy::action_logs(ctx, &self.0, limit.unwrap_or(100)).await
            }
            /// Leads with the same email or phone in the workspace; `[]` for test leads.
            #[graphql(complexity = "crate::graphql::limits::cost::matching_leads(child_complexity)")]
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
    };
}

lead_payload!(
    /// The result of createLead.
    CreateLeadPayload
);
lead_payload!(
    /// The result of updateLead, updateChecklistItems and addLeadChecklistItem.
    UpdateLeadPayload
);

/// The result of a timeline mutation: the entry written and its lead.
pub struct ActionPayload(pub action_log::Model);

/// The result of a timeline mutation.
#[Object]
impl ActionPayload {
    async fn success(&self) -> bool {
        true
    }
    async fn action_log(&self) -> ActionLog {
        ActionLog(self.0.clone())
    }
    /// The lead, as it is now (read when selected), e.g. for its `nextFollowUp`.
    async fn lead(&self, ctx: &Context<'_>) -> Result<Lead> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        Ok(Lead(
            leads::find(db, &caller.principal, self.0.lead_id)
                .await
                .gql()?,
        ))
    }
}
