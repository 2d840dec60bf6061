//! Writing the timeline: follow-ups, drafts and their approval, recorded messages, tool
//! calls, and cancelling what has not happened yet. These make `lastAction`,
//! `nextFollowUp` and `nextDraft` live. Opted-out leads get no new outbound messages.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    TransactionSession, sea_query::OnConflict,
};
use serde_json::Value;
use uuid::Uuid;

use crate::entities::{
    action_log,
    enums::{ActionLogStatus, ActionLogType, LeadStatus, MessageChannel, MessageDirection},
    lead, message, tool,
};
use crate::error::{Error, FieldError, Result};

use super::entries::{check_error, check_parent};
use super::{auth::Principal, bounds, clock, events, lead_input, leads, retry};

/// Longest subject and body accepted.
const MAX_SUBJECT: usize = 1_000;
const MAX_BODY: usize = 100_000;

/// A message to send, draft or record.
#[derive(Debug, Clone)]
pub struct MessageInput {
    pub channel: MessageChannel,
    pub subject: Option<String>,
    pub body: String,
}

/// A tool call an agent made.
#[derive(Debug, Clone)]
pub struct ToolCallInput {
    /// The tool's name; the tool is created on first use.
    pub tool: String,
    pub description: Option<String>,
    pub input: Option<Value>,
    pub output: Option<Value>,
    pub parent_action_id: Option<Uuid>,
    pub status: ActionLogStatus,
    /// Why the call failed (FAILED calls only).
    pub error: Option<String>,
}

fn check_message(message: &MessageInput, lead: &lead::Model, outbound: bool) -> Result<()> {
    let mut errors = Vec::new();
    if message.body.trim().is_empty() {
        errors.push(FieldError::new("body", "must not be empty"));
    } else if message.body.chars().count() > MAX_BODY {
        errors.push(FieldError::new(
            "body",
            format!("is too long (at most {MAX_BODY} characters)"),
        ));
    }
    if message
        .subject
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_SUBJECT)
    {
        errors.push(FieldError::new(
            "subject",
            format!("is too long (at most {MAX_SUBJECT} characters)"),
        ));
    }
    if outbound {
        if lead.did_opt_out {
            errors.push(FieldError::new(
                "leadId",
                "the lead opted out: no outbound messages",
            ));
        }
        match message.channel {
            MessageChannel::Email if lead.email.is_none() => {
                errors.push(FieldError::new("channel", "the lead has no email address"));
            }
            MessageChannel::Sms if lead.phone_e164.is_none() => {
                errors.push(FieldError::new(
                    "channel",
                    "the lead has no valid phone number",
                ));
            }
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::BadInput(errors))
    }
}

/// A fresh entry of the lead's timeline, COMPLETED now when `status` is COMPLETED; the
/// caller fills in what its kind carries and inserts it.
pub(crate) fn entry(
    lead: &lead::Model,
    kind: ActionLogType,
    status: ActionLogStatus,
    summary: String,
    now: DateTime<Utc>,
) -> action_log::Model {
    action_log::Model {
        id: Uuid::now_v7(),
        workspace_id: lead.workspace_id,
        lead_id: lead.id,
        r#type: kind,
        status,
        summary,
        changes: None,
        input: None,
        output: None,
        error: None,
        parent_action_id: None,
        tool_id: None,
        created_at: now,
        scheduled_at: None,
        completed_at: (status == ActionLogStatus::Completed).then_some(now),
    }
}

fn summary(direction: MessageDirection, channel: MessageChannel, message: &MessageInput) -> String {
    let what = match (direction, channel) {
        (MessageDirection::Outbound, MessageChannel::Email) => "Email to lead",
        (MessageDirection::Outbound, MessageChannel::Sms) => "SMS to lead",
        (MessageDirection::Inbound, MessageChannel::Email) => "Email from lead",
        (MessageDirection::Inbound, MessageChannel::Sms) => "SMS from lead",
    };
    match message
        .subject
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(subject) => format!("{what}: {subject}"),
        None => what.to_owned(),
    }
}

/// What kind of entry a message makes.
#[derive(Debug, Clone, Copy)]
struct MessageEntry {
    kind: ActionLogType,
    status: ActionLogStatus,
    direction: MessageDirection,
    scheduled_at: Option<DateTime<Utc>>,
}

/// Writes an entry with its one message, in one transaction.
async fn write_message<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    lead_id: Uuid,
    shape: MessageEntry,
    message: &MessageInput,
) -> Result<action_log::Model> {
    retry::retrying(|| write_message_once(db, principal, lead_id, shape, message)).await
}

/// One attempt of `write_message`: the whole transaction.
async fn write_message_once<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    lead_id: Uuid,
    shape: MessageEntry,
    message: &MessageInput,
) -> Result<action_log::Model> {
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    let lead = leads::live_for_write(&txn, principal, lead_id, "leadId").await?;
    if shape.kind == ActionLogType::FollowUpMessage && lead.status == LeadStatus::NotInterested {
        return Err(Error::bad_input(
            "leadId",
            "the lead is NOT_INTERESTED: no follow-ups",
        ));
    }
    check_message(
        message,
        &lead,
        shape.direction == MessageDirection::Outbound,
    )?;
    let now = clock::now();
    let mut log = entry(
        &lead,
        shape.kind,
        shape.status,
        summary(shape.direction, message.channel, message),
        now,
    );
    log.scheduled_at = shape.scheduled_at;
    action_log::Entity::insert(action_log::ActiveModel::from(log.clone()))
        .exec_without_returning(&txn)
        .await?;
    message::Entity::insert(message::ActiveModel {
        id: Set(Uuid::now_v7()),
        action_log_id: Set(log.id),
        channel: Set(message.channel),
        direction: Set(shape.direction),
        subject: Set(message.subject.clone().filter(|s| !s.trim().is_empty())),
        body: Set(message.body.clone()),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    events::record(&txn, events::action_log(&lead, &log)).await?;
    txn.commit().await?;
    Ok(log)
}

/// A PENDING follow-up message, to go out at `scheduled_at` (which must be in the future).
pub async fn schedule_follow_up<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    lead_id: Uuid,
    scheduled_at: DateTime<Utc>,
    message: &MessageInput,
) -> Result<action_log::Model> {
    if scheduled_at <= Utc::now() {
        return Err(Error::bad_input("scheduledAt", "must be in the future"));
    }
    write_message(
        db,
        principal,
        lead_id,
        MessageEntry {
            kind: ActionLogType::FollowUpMessage,
            status: ActionLogStatus::Pending,
            direction: MessageDirection::Outbound,
            scheduled_at: Some(scheduled_at),
        },
        message,
    )
    .await
}

/// A drafted message AWAITING_APPROVAL (what an agent writes for a person to review).
pub async fn draft_message<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    lead_id: Uuid,
    message: &MessageInput,
) -> Result<action_log::Model> {
    write_message(
        db,
        principal,
        lead_id,
        MessageEntry {
            kind: ActionLogType::Message,
            status: ActionLogStatus::AwaitingApproval,
            direction: MessageDirection::Outbound,
            scheduled_at: None,
        },
        message,
    )
    .await
}

/// A message that was sent or received (COMPLETED).
pub async fn record_message<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    lead_id: Uuid,
    direction: MessageDirection,
    message: &MessageInput,
) -> Result<action_log::Model> {
    write_message(
        db,
        principal,
        lead_id,
        MessageEntry {
            kind: ActionLogType::Message,
            status: ActionLogStatus::Completed,
            direction,
            scheduled_at: None,
        },
        message,
    )
    .await
}

/// An entry of the caller's workspace, locked for the write.
async fn action_for_write(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> Result<action_log::Model> {
    action_log::Entity::find_by_id(id)
        .filter(action_log::Column::WorkspaceId.eq(principal.workspace_id))
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(Error::NotFound("action log"))
}

/// Moves an action that has not happened yet (PENDING or AWAITING_APPROVAL) on, in one
/// transaction: approving sends a draft (COMPLETED now), cancelling drops either.
async fn transition<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    id: Uuid,
    to: ActionLogStatus,
) -> Result<action_log::Model> {
    retry::retrying(|| transition_once(db, principal, id, to)).await
}

/// One attempt of `transition`: the whole transaction.
async fn transition_once<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    id: Uuid,
    to: ActionLogStatus,
) -> Result<action_log::Model> {
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    // Every write locks the lead first, then what belongs to it (an opt-out locks the
    // lead, then cancels its messages): find the action's lead, lock it, then the action.
    let lead_id = action_log::Entity::find_by_id(id)
        .select_only()
        .column(action_log::Column::LeadId)
        .filter(action_log::Column::WorkspaceId.eq(principal.workspace_id))
        .into_tuple::<Uuid>()
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("action log"))?;
    let lead = leads::find_for_write(&txn, principal, lead_id).await?;
    let mut log = action_for_write(&txn, principal, id).await?;
    let (allowed, what): (&[ActionLogStatus], &str) = match to {
        ActionLogStatus::Completed => (
            &[ActionLogStatus::AwaitingApproval],
            "only drafts (AWAITING_APPROVAL) can be approved",
        ),
        _ => (
            &[ActionLogStatus::Pending, ActionLogStatus::AwaitingApproval],
            "only PENDING or AWAITING_APPROVAL actions can be cancelled",
        ),
    };
    if !allowed.contains(&log.status) {
        return Err(Error::bad_input(
            "id",
            format!("{what}; this one is {}", log.status.as_str()),
        ));
    }
    if to == ActionLogStatus::Completed {
        // Approving sends the message: the lead must still accept outbound messages.
        leads::refuse_deleted(&lead, "id")?;
        if lead.did_opt_out {
            return Err(Error::bad_input(
                "id",
                "the lead opted out: no outbound messages",
            ));
        }
        log.completed_at = Some(clock::now());
    }
    log.status = to;
    action_log::Entity::update(action_log::ActiveModel {
        id: Set(log.id),
        status: Set(log.status),
        completed_at: Set(log.completed_at),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    events::record(&txn, events::action_log(&lead, &log)).await?;
    txn.commit().await?;
    Ok(log)
}

/// Approves a draft: it is sent (COMPLETED now).
pub async fn approve_draft<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    id: Uuid,
) -> Result<action_log::Model> {
    transition(db, principal, id, ActionLogStatus::Completed).await
}

/// Cancels what has not happened yet (PENDING or AWAITING_APPROVAL).
pub async fn cancel_action<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    id: Uuid,
) -> Result<action_log::Model> {
    transition(db, principal, id, ActionLogStatus::Cancelled).await
}

/// Records a tool call (the tool is created on first use by name).
pub async fn record_tool_call<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    lead_id: Uuid,
    call: &ToolCallInput,
) -> Result<action_log::Model> {
    retry::retrying(|| record_tool_call_once(db, principal, lead_id, call)).await
}

/// One attempt of `record_tool_call`: the whole transaction.
async fn record_tool_call_once<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    lead_id: Uuid,
    call: &ToolCallInput,
) -> Result<action_log::Model> {
    let mut errors = Vec::new();
    let name = lead_input::required_text("tool", &call.tool, &mut errors).unwrap_or_default();
    lead_input::text("toolDescription", call.description.as_ref(), &mut errors);
    for (field, value) in [("input", &call.input), ("output", &call.output)] {
        if let Some(value) = value {
            errors.extend(bounds::json(field, value, bounds::MAX_ACTION_JSON_BYTES));
        }
    }
    if !errors.is_empty() {
        return Err(Error::BadInput(errors));
    }
    let name = name.as_str();
    if !matches!(
        call.status,
        ActionLogStatus::Completed | ActionLogStatus::Failed
    ) {
        return Err(Error::bad_input(
            "status",
            "a recorded tool call is COMPLETED or FAILED",
        ));
    }
    let error = check_error(call.status, call.error.as_ref())?;
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    let lead = leads::live_for_write(&txn, principal, lead_id, "leadId").await?;
    if let Some(parent) = call.parent_action_id {
        check_parent(&txn, lead_id, parent).await?;
    }
    tool::Entity::insert(tool::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(principal.workspace_id),
        name: Set(name.to_owned()),
        description: Set(call.description.clone()),
    })
    .on_conflict(
        OnConflict::columns([tool::Column::WorkspaceId, tool::Column::Name])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let tool = tool::Entity::find()
        .filter(tool::Column::WorkspaceId.eq(principal.workspace_id))
        .filter(tool::Column::Name.eq(name))
        .one(&txn)
        .await?
        .ok_or_else(|| Error::Internal("tool vanished after upsert".into()))?;
    let now = clock::now();
    let mut log = entry(
        &lead,
        ActionLogType::ToolCall,
        call.status,
        format!("Called {name}"),
        now,
    );
    log.completed_at = Some(now);
    log.tool_id = Some(tool.id);
    log.input = call.input.clone();
    log.output = call.output.clone();
    log.error = error;
    log.parent_action_id = call.parent_action_id;
    action_log::Entity::insert(action_log::ActiveModel::from(log.clone()))
        .exec_without_returning(&txn)
        .await?;
    events::record(&txn, events::action_log(&lead, &log)).await?;
    txn.commit().await?;
    Ok(log)
}
