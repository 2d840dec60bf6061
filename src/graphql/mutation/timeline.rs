//! Mutations on the timeline: follow-ups, drafts, approvals, cancellations, recorded
//! messages and tool calls.

use async_graphql::{Context, ID, InputObject, Json, Object, Result};
use serde_json::Value;

use crate::domain::{
    actions::{self, MessageInput, ToolCallInput},
    entries::{self, EntryInput},
};
use crate::entities::enums;
use crate::graphql::{
    context::caller,
    enums::{ActionLogStatus, ActionLogType, MessageChannel, MessageDirection},
    errors::GqlResult,
    query::parse_id,
    scalars::DateTime,
    types::payload::ActionPayload,
};

#[derive(Default)]
pub struct TimelineMutations;

/// A follow-up message to send later.
#[derive(InputObject)]
pub struct ScheduleFollowUpInput {
    pub lead_id: ID,
    /// When to send it; must be in the future.
    pub scheduled_at: DateTime,
    pub channel: MessageChannel,
    pub subject: Option<String>,
    pub body: String,
}

/// A message drafted for review.
#[derive(InputObject)]
pub struct DraftMessageInput {
    pub lead_id: ID,
    pub channel: MessageChannel,
    pub subject: Option<String>,
    pub body: String,
}

/// A message that was sent to or received from the lead.
#[derive(InputObject)]
pub struct RecordMessageInput {
    pub lead_id: ID,
    pub direction: MessageDirection,
    pub channel: MessageChannel,
    pub subject: Option<String>,
    pub body: String,
}

/// A tool call an agent made for the lead.
#[derive(InputObject)]
pub struct RecordToolCallInput {
    pub lead_id: ID,
    /// The tool's name; created on first use.
    pub tool: String,
    pub tool_description: Option<String>,
    pub input: Option<Json<Value>>,
    pub output: Option<Json<Value>>,
    /// The action this call was made for.
    pub parent_action_id: Option<ID>,
    /// COMPLETED (default) or FAILED.
    pub status: Option<ActionLogStatus>,
    /// Why the call failed (FAILED only).
    pub error: Option<String>,
}

/// A timeline entry a client records: a note, or what the lead did in the portal.
#[derive(InputObject)]
pub struct RecordActionInput {
    pub lead_id: ID,
    /// SYSTEM_NOTE, PORTAL_UPDATE or PORTAL_SUBMISSION.
    #[graphql(name = "type")]
    pub kind: ActionLogType,
    pub summary: String,
    /// A JSON object: what the action was given.
    pub input: Option<Json<Value>>,
    /// A JSON object: what the action produced.
    pub output: Option<Json<Value>>,
    /// COMPLETED (default) or FAILED.
    pub status: Option<ActionLogStatus>,
    /// Why the action failed (FAILED only).
    pub error: Option<String>,
    /// The action this one belongs to (an action of the same lead).
    pub parent_action_id: Option<ID>,
}

fn message(channel: MessageChannel, subject: Option<String>, body: String) -> MessageInput {
    MessageInput {
        channel: channel.into(),
        subject,
        body,
    }
}

#[Object]
impl TimelineMutations {
    /// Schedules a PENDING FOLLOW_UP_MESSAGE (refused for opted-out leads).
    async fn schedule_follow_up(
        &self,
        ctx: &Context<'_>,
        input: ScheduleFollowUpInput,
    ) -> Result<ActionPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let lead_id = parse_id("leadId", &input.lead_id)?;
        let message = message(input.channel, input.subject, input.body);
        let log = actions::schedule_follow_up(
            db,
            &caller.principal,
            lead_id,
            input.scheduled_at.0,
            &message,
        )
        .await
        .gql()?;
        Ok(ActionPayload(log))
    }

    /// Drafts a MESSAGE AWAITING_APPROVAL (refused for opted-out leads).
    async fn draft_message(
        &self,
        ctx: &Context<'_>,
        input: DraftMessageInput,
    ) -> Result<ActionPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let lead_id = parse_id("leadId", &input.lead_id)?;
        let message = message(input.channel, input.subject, input.body);
        let log = actions::draft_message(db, &caller.principal, lead_id, &message)
            .await
            .gql()?;
        Ok(ActionPayload(log))
    }

    /// Approves a draft: it is sent and COMPLETED.
    async fn approve_draft(&self, ctx: &Context<'_>, id: ID) -> Result<ActionPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let id = parse_id("id", &id)?;
        Ok(ActionPayload(
            actions::approve_draft(db, &caller.principal, id)
                .await
                .gql()?,
        ))
    }

    /// Cancels a PENDING or AWAITING_APPROVAL action.
    async fn cancel_action(&self, ctx: &Context<'_>, id: ID) -> Result<ActionPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let id = parse_id("id", &id)?;
        Ok(ActionPayload(
            actions::cancel_action(db, &caller.principal, id)
                .await
                .gql()?,
        ))
    }

    /// Records a COMPLETED MESSAGE sent or received (outbound refused for opted-out leads).
    async fn record_message(
        &self,
        ctx: &Context<'_>,
        input: RecordMessageInput,
    ) -> Result<ActionPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let lead_id = parse_id("leadId", &input.lead_id)?;
        let message = message(input.channel, input.subject, input.body);
        let log = actions::record_message(
            db,
            &caller.principal,
            lead_id,
            input.direction.into(),
            &message,
        )
        .await
        .gql()?;
        Ok(ActionPayload(log))
    }

    /// Records a TOOL_CALL with its input and output.
    async fn record_tool_call(
        &self,
        ctx: &Context<'_>,
        input: RecordToolCallInput,
    ) -> Result<ActionPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let lead_id = parse_id("leadId", &input.lead_id)?;
        let parent_action_id = input
            .parent_action_id
            .as_ref()
            .map(|id| parse_id("parentActionId", id))
            .transpose()?;
        let call = ToolCallInput {
            tool: input.tool,
            description: input.tool_description,
            input: input.input.map(|v| v.0),
            output: input.output.map(|v| v.0),
            parent_action_id,
            status: input
                .status
                .map_or(enums::ActionLogStatus::Completed, Into::into),
            error: input.error,
        };
        let log = actions::record_tool_call(db, &caller.principal, lead_id, &call)
            .await
            .gql()?;
        Ok(ActionPayload(log))
    }

    /// Records a SYSTEM_NOTE, PORTAL_UPDATE or PORTAL_SUBMISSION (COMPLETED, or FAILED
    /// with its `error`).
    async fn record_action(
        &self,
        ctx: &Context<'_>,
        input: RecordActionInput,
    ) -> Result<ActionPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let lead_id = parse_id("leadId", &input.lead_id)?;
        let parent_action_id = input
            .parent_action_id
            .as_ref()
            .map(|id| parse_id("parentActionId", id))
            .transpose()?;
        let entry = EntryInput {
            kind: input.kind.into(),
            status: input
                .status
                .map_or(enums::ActionLogStatus::Completed, Into::into),
            summary: input.summary,
            input: input.input.map(|v| v.0),
            output: input.output.map(|v| v.0),
            error: input.error,
            parent_action_id,
        };
        let log = entries::record_entry(db, &caller.principal, lead_id, entry)
            .await
            .gql()?;
        Ok(ActionPayload(log))
    }
}
