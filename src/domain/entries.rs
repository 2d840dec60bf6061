//! Timeline entries besides messages and tool calls: SYSTEM_NOTE, PORTAL_UPDATE and
//! PORTAL_SUBMISSION recorded through the API, and the one insert every other writer
//! (document uploads' DOCUMENT_UPLOAD and SYSTEM_NOTE) uses inside its own transaction.
//! Every entry may carry `input` and `output` (JSON objects) and, when FAILED, `error`.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionSession,
};
use serde_json::Value;
use uuid::Uuid;

use crate::entities::{
    action_log,
    enums::{ActionLogStatus, ActionLogType},
    lead,
};
use crate::error::{Error, FieldError, Result};

use super::{actions, auth::Principal, bounds, clock, events, leads};

/// Longest summary an entry recorded through the API takes.
const MAX_SUMMARY: usize = 1_000;

/// What a new entry says, for `write_entry` and `record_entry`.
#[derive(Debug, Clone)]
pub struct EntryInput {
    pub kind: ActionLogType,
    /// COMPLETED or FAILED: these entries record what already happened.
    pub status: ActionLogStatus,
    pub summary: String,
    pub input: Option<Value>,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub parent_action_id: Option<Uuid>,
}

/// The kinds a client may record with `record_entry`; the others have their own calls
/// (messages, tool calls, API activity) or are written by the server (DOCUMENT_UPLOAD).
pub const RECORDABLE: [ActionLogType; 3] = [
    ActionLogType::SystemNote,
    ActionLogType::PortalUpdate,
    ActionLogType::PortalSubmission,
];

/// Inserts an entry on `lead`'s timeline within the caller's transaction, unchecked:
/// for server-side writers (an upload's DOCUMENT_UPLOAD and SYSTEM_NOTE) whose input is
/// their own.
pub(crate) async fn write_entry(
    txn: &impl ConnectionTrait,
    lead: &lead::Model,
    entry: EntryInput,
) -> Result<action_log::Model> {
    let mut log = actions::entry(lead, entry.kind, entry.status, entry.summary, clock::now());
    log.completed_at = log.completed_at.or(Some(log.created_at));
    log.input = entry.input;
    log.output = entry.output;
    log.error = entry.error;
    log.parent_action_id = entry.parent_action_id;
    action_log::Entity::insert(action_log::ActiveModel::from(log.clone()))
        .exec_without_returning(txn)
        .await?;
    Ok(log)
}

/// Records a SYSTEM_NOTE, PORTAL_UPDATE or PORTAL_SUBMISSION for a lead, in one
/// transaction, after checking every field.
pub async fn record_entry<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    lead_id: Uuid,
    mut entry: EntryInput,
) -> Result<action_log::Model> {
    let mut errors = Vec::new();
    if !RECORDABLE.contains(&entry.kind) {
        errors.push(FieldError::new(
            "type",
            "must be SYSTEM_NOTE, PORTAL_UPDATE or PORTAL_SUBMISSION",
        ));
    }
    if !matches!(
        entry.status,
        ActionLogStatus::Completed | ActionLogStatus::Failed
    ) {
        errors.push(FieldError::new(
            "status",
            "a recorded entry is COMPLETED or FAILED",
        ));
    }
    let summary = entry.summary.trim();
    if summary.is_empty() {
        errors.push(FieldError::new("summary", "must not be empty"));
    } else if summary.chars().count() > MAX_SUMMARY {
        errors.push(FieldError::new(
            "summary",
            format!("is too long (at most {MAX_SUMMARY} characters)"),
        ));
    }
    entry.summary = summary.to_owned();
    for (field, value) in [("input", &entry.input), ("output", &entry.output)] {
        if value.as_ref().is_some_and(|v| !v.is_object()) {
            errors.push(FieldError::new(field, "must be a JSON object"));
        } else if let Some(value) = value {
            errors.extend(bounds::json(field, value, bounds::MAX_ACTION_JSON_BYTES));
        }
    }
    match check_error(entry.status, entry.error.as_ref()) {
        Ok(error) => entry.error = error,
        Err(Error::BadInput(found)) => errors.extend(found),
        Err(other) => return Err(other),
    }
    if !errors.is_empty() {
        return Err(Error::BadInput(errors));
    }
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    let lead = leads::live_for_write(&txn, principal, lead_id, "leadId").await?;
    if let Some(parent) = entry.parent_action_id {
        check_parent(&txn, lead_id, parent).await?;
    }
    let log = write_entry(&txn, &lead, entry).await?;
    events::record(&txn, events::action_log(&lead, &log)).await?;
    txn.commit().await?;
    Ok(log)
}

/// `parent` must be an action of the lead (`parentActionId`).
pub(crate) async fn check_parent(
    db: &impl ConnectionTrait,
    lead_id: Uuid,
    parent: Uuid,
) -> Result<()> {
    let same_lead: Option<Uuid> = action_log::Entity::find_by_id(parent)
        .select_only()
        .column(action_log::Column::Id)
        .filter(action_log::Column::LeadId.eq(lead_id))
        .into_tuple()
        .one(db)
        .await?;
    match same_lead {
        Some(_) => Ok(()),
        None => Err(Error::bad_input(
            "parentActionId",
            "is not an action of this lead",
        )),
    }
}

/// Longest `error` text an action keeps.
const MAX_ERROR: usize = 10_000;

/// An `error` belongs to a FAILED action only; it is trimmed (empty counts as absent) and
/// bounded.
pub(crate) fn check_error(
    status: ActionLogStatus,
    error: Option<&String>,
) -> Result<Option<String>> {
    let Some(error) = error.map(|e| e.trim()).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    if status != ActionLogStatus::Failed {
        return Err(Error::bad_input(
            "error",
            "only a FAILED action has an error",
        ));
    }
    if error.chars().count() > MAX_ERROR {
        return Err(Error::bad_input(
            "error",
            format!("is too long (at most {MAX_ERROR} characters)"),
        ));
    }
    Ok(Some(error.to_owned()))
}
