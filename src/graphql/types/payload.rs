//! Mutation payloads: the lead written and, lazily, everything about it.

use async_graphql::{Context, Object, Result};

use crate::domain::{
    checklist::view,
    leads::{self, Outcome, Preview, Written},
    timeline::Marker,
};
use crate::entities::{action_log, lead};
use crate::graphql::enums::LeadOutcome;
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

/// The result of createLead (and of each input of createLeads): the lead, what happened,
/// and the lead's lazy fields. In a dry run nothing is stored, so these fields answer
/// from what the create would write: the checklist with its conditions evaluated, the
/// matching leads, no logs and no markers.
pub struct CreateLeadPayload(pub Written);

impl From<lead::Model> for CreateLeadPayload {
    fn from(lead: lead::Model) -> Self {
        Self(Written {
            lead,
            outcome: Outcome::Created,
            preview: None,
        })
    }
}

impl CreateLeadPayload {
    fn lead_model(&self) -> &lead::Model {
        &self.0.lead
    }

    /// A dry run's lead that does not exist: every lazy field answers from the preview.
    fn draft(&self) -> Option<&Preview> {
        self.0.preview.as_deref().filter(|p| !p.stored)
    }

    /// A dry run's checklist and matches: the draft's, or an UPDATE's as it would leave
    /// them (a SKIPPED lead is read as it is; so are an updated lead's timeline and markers).
    fn planned(&self) -> Option<&Preview> {
        self.0
            .preview
            .as_deref()
            .filter(|p| !p.stored || self.0.outcome == Outcome::Updated)
    }
}

/// The result of createLead.
#[Object]
impl CreateLeadPayload {
    async fn success(&self) -> bool {
        true
    }
    /// CREATED, or SKIPPED / UPDATED when the lead duplicated a live one (see onDuplicate).
    async fn outcome(&self) -> LeadOutcome {
        self.0.outcome.into()
    }
    /// True when this was a dry run: nothing was written.
    async fn dry_run(&self) -> bool {
        self.0.preview.is_some()
    }
    /// The lead (in a dry run, as it would be; its id is not stored, and its own lazy
    /// fields read nothing: use the payload's).
    async fn lead(&self) -> Lead {
        Lead(self.lead_model().clone())
    }
    /// The full checklist, grouped by group in template order.
    async fn checklist_items(&self, ctx: &Context<'_>) -> Result<Vec<ChecklistGroup>> {
        match self.planned() {
            Some(preview) => Ok(preview_checklist(preview, self.lead_model())),
            None => lazy::checklist_items(ctx, self.lead_model()).await,
        }
    }
    /// The timeline, newest first; `limit` is capped at 100. Empty in a dry run.
    #[graphql(complexity = "crate::graphql::limits::cost::action_logs(limit, child_complexity)")]
    async fn action_logs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] limit: Option<i32>,
    ) -> Result<Vec<ActionLog>> {
        if self.draft().is_some() {
            return Ok(Vec::new());
        }
        lazy::action_logs(ctx, self.lead_model(), limit.unwrap_or(100)).await
    }
    /// Leads with the same email or phone in the workspace; `[]` for test leads.
    #[graphql(complexity = "crate::graphql::limits::cost::matching_leads(child_complexity)")]
    async fn matching_leads(&self, ctx: &Context<'_>) -> Result<Vec<Lead>> {
        match self.planned() {
            Some(preview) => Ok(preview
                .matches
                .iter()
                .filter(|m| m.id != self.0.lead.id)
                .take(crate::domain::matching::MAX_MATCHES)
                .cloned()
                .map(Lead)
                .collect()),
            None => lazy::matching_leads(ctx, self.lead_model()).await,
        }
    }
    /// The latest COMPLETED outbound MESSAGE or FOLLOW_UP_MESSAGE.
    async fn last_action(&self, ctx: &Context<'_>) -> Result<Option<ActionLog>> {
        self.marker(ctx, Marker::LastAction).await
    }
    /// The earliest PENDING FOLLOW_UP_MESSAGE.
    async fn next_follow_up(&self, ctx: &Context<'_>) -> Result<Option<ActionLog>> {
        self.marker(ctx, Marker::NextFollowUp).await
    }
    /// The earliest message AWAITING_APPROVAL (a draft).
    async fn next_draft(&self, ctx: &Context<'_>) -> Result<Option<ActionLog>> {
        self.marker(ctx, Marker::NextDraft).await
    }
}

impl CreateLeadPayload {
    async fn marker(&self, ctx: &Context<'_>, marker: Marker) -> Result<Option<ActionLog>> {
        if self.draft().is_some() {
            return Ok(None);
        }
        lazy::marker(ctx, self.lead_model(), marker).await
    }
}

/// A dry run's checklist: the rows the create would write, conditions evaluated.
fn preview_checklist(preview: &Preview, lead: &lead::Model) -> Vec<ChecklistGroup> {
    let entries = preview
        .entries
        .iter()
        .map(|e| (e.checklist_item_id, e.clone()))
        .collect();
    view::of_entries(&preview.template, lead.id, &entries)
        .into_iter()
        .map(ChecklistGroup)
        .collect()
}
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
