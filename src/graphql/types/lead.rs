//! `Lead`, and the lazy fields it shares with `CreateLeadPayload`.

use async_graphql::{Context, ID, Object, Result};

use crate::domain::{
    documents::Owner,
    matching::MatchKey,
    timeline::{MAX_LOGS, Marker},
};
use crate::entities::lead;
use crate::error::Error;
use crate::graphql::{
    context::loaders,
    enums::{AssigneeType, LeadStatus},
    errors::{GqlResult, to_graphql},
    loaders::{ChecklistOf, LogsOf, MarkerOf, MatchesOf, TagsOf},
    scalars::{DateTime, opt},
};

use super::{
    checklist::ChecklistGroup,
    timeline::{ActionLog, Document, documents_of},
};

pub struct Lead(pub lead::Model);

/// The lazy fields of a lead, resolved through loaders; the payload of createLead
/// exposes the same ones.
pub(crate) mod lazy {
    use super::*;

    pub async fn checklist_items(
        ctx: &Context<'_>,
        lead: &lead::Model,
    ) -> Result<Vec<ChecklistGroup>> {
        let groups = loaders(ctx)?.load_one(ChecklistOf(lead.id)).await.gql()?;
        Ok(groups
            .unwrap_or_default()
            .into_iter()
            .map(ChecklistGroup)
            .collect())
    }

    pub async fn action_logs(
        ctx: &Context<'_>,
        lead: &lead::Model,
        limit: i32,
    ) -> Result<Vec<ActionLog>> {
        let limit = u64::try_from(limit)
            .map_err(|_| to_graphql(&Error::bad_input("limit", "must not be negative")))?
            .min(MAX_LOGS);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let logs = loaders(ctx)?
            .load_one(LogsOf {
                lead_id: lead.id,
                limit,
            })
            .await
            .gql()?;
        Ok(logs
            .unwrap_or_default()
            .into_iter()
            .map(ActionLog)
            .collect())
    }

    pub async fn matching_leads(ctx: &Context<'_>, lead: &lead::Model) -> Result<Vec<Lead>> {
        let Some(key) = MatchKey::of(lead) else {
            return Ok(Vec::new());
        };
        let leads = loaders(ctx)?.load_one(MatchesOf(key)).await.gql()?;
        Ok(leads.unwrap_or_default().into_iter().map(Lead).collect())
    }

    pub async fn marker(
        ctx: &Context<'_>,
        lead: &lead::Model,
        marker: Marker,
    ) -> Result<Option<ActionLog>> {
        let log = loaders(ctx)?
            .load_one(MarkerOf {
                lead_id: lead.id,
                marker,
            })
            .await
            .gql()?;
        Ok(log.map(ActionLog))
    }
}

/// A sales or onboarding lead of the caller's workspace.
#[Object]
impl Lead {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn workspace_id(&self) -> ID {
        ID(self.0.workspace_id.to_string())
    }
    /// A short summary of the lead's activity, written by the agent.
    async fn activity_summary(&self) -> Option<&str> {
        self.0.activity_summary.as_deref()
    }
    async fn assignee_type(&self) -> AssigneeType {
        self.0.assignee_type.into()
    }
    async fn business_name(&self) -> Option<&str> {
        self.0.business_name.as_deref()
    }
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// Set when the lead was deleted; deleted leads never match.
    async fn deleted_at(&self) -> Option<DateTime> {
        opt(self.0.deleted_at)
    }
    async fn did_opt_out(&self) -> bool {
        self.0.did_opt_out
    }
    async fn opt_out_at(&self) -> Option<DateTime> {
        opt(self.0.opt_out_at)
    }
    /// Trimmed, domain lower-cased.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn email_verified_at(&self) -> Option<DateTime> {
        opt(self.0.email_verified_at)
    }
    /// The caller's own id for this lead.
    async fn external_lead_id(&self) -> Option<&str> {
        self.0.external_lead_id.as_deref()
    }
    async fn external_portal_link(&self) -> Option<&str> {
        self.0.external_portal_link.as_deref()
    }
    async fn first_name(&self) -> &str {
        &self.0.first_name
    }
    async fn middle_name(&self) -> Option<&str> {
        self.0.middle_name.as_deref()
    }
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }
    /// E.164 when the number is valid, else as given.
    async fn phone_number(&self) -> Option<&str> {
        self.0.phone_number.as_deref()
    }
    async fn phone_verified_at(&self) -> Option<DateTime> {
        opt(self.0.phone_verified_at)
    }
    /// Where the lead came from: `api` for leads created through the API.
    async fn source(&self) -> &str {
        &self.0.source
    }
    async fn status(&self) -> LeadStatus {
        self.0.status.into()
    }
    /// When the lead's checklist first became complete.
    async fn submitted_at(&self) -> Option<DateTime> {
        opt(self.0.submitted_at)
    }
    /// Tag names, alphabetically.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let tags = loaders(ctx)?.load_one(TagsOf(self.0.id)).await.gql()?;
        Ok(tags.unwrap_or_default())
    }
    /// IANA time zone.
    async fn timezone(&self) -> Option<&str> {
        self.0.timezone.as_deref()
    }
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }
    /// Created with a test API key: excluded from matching.
    async fn is_test(&self) -> bool {
        self.0.is_test
    }
    /// The full checklist, grouped by group in template order; hidden groups and items
    /// (conditions that do not hold) are left out.
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
    /// Other leads of the workspace with the same email (case-insensitively) or phone
    /// (E.164), newest first, at most 100; never deleted or test leads; `[]` for a test lead.
    #[graphql(complexity = "crate::graphql::limits::cost::matching_leads(child_complexity)")]
    async fn matching_leads(&self, ctx: &Context<'_>) -> Result<Vec<Lead>> {
        lazy::matching_leads(ctx, &self.0).await
    }
    /// Every document of the lead (on checklist items, uploads and messages), oldest
    /// first, each with a signed URL.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<Document>> {
        documents_of(ctx, Owner::Lead(self.0.id)).await
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
