//! Leads: creating, updating, listing, deleting and erasing them.

mod create;
pub mod duplicates;
pub mod erase;
pub mod fields;
pub mod list;
pub mod prepare;
pub mod update;
mod written;

pub use create::{MAX_BATCH, create, create_keyed, create_many, create_one};
pub use written::{Created, Options, Outcome, Preview, Written};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::Value;
use uuid::Uuid;

use crate::entities::{
    action_log,
    enums::{ActionLogStatus, ActionLogType},
    lead,
};
use crate::error::{Error, Result};

use super::auth::Principal;

/// Leads created through the API say so.
pub const SOURCE_API: &str = "api";

/// What ordering by name sorts on: the full name, lower-cased.
pub fn sort_name(first: &str, middle: Option<&str>, last: Option<&str>) -> String {
    [Some(first), middle, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn in_workspace(principal: &Principal, id: Uuid) -> sea_orm::Select<lead::Entity> {
    lead::Entity::find_by_id(id).filter(lead::Column::WorkspaceId.eq(principal.workspace_id))
}

/// A lead of the caller's workspace (deleted ones included: the id was asked for).
pub async fn find(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> Result<lead::Model> {
    in_workspace(principal, id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("lead"))
}

/// A lead of the caller's workspace, row-locked for the rest of the write transaction
/// (on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already holds the write lock).
pub(crate) async fn find_for_write(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> Result<lead::Model> {
    in_workspace(principal, id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(Error::NotFound("lead"))
}

/// Like `find_for_write`, refusing a deleted lead: it can be read but not changed.
/// `field` names the argument that identified the lead.
pub(crate) async fn live_for_write(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
    field: &str,
) -> Result<lead::Model> {
    let lead = find_for_write(db, principal, id).await?;
    refuse_deleted(&lead, field)?;
    Ok(lead)
}

/// A deleted lead can be read but not changed; `field` names what identified it.
pub(crate) fn refuse_deleted(lead: &lead::Model, field: &str) -> Result<()> {
    if lead.deleted_at.is_some() {
        return Err(Error::bad_input(
            field,
            "the lead was deleted; it can be read but not changed",
        ));
    }
    Ok(())
}

/// The one `API_ACTIVITY` entry every write through the API leaves on the timeline.
pub(crate) fn api_activity(
    lead: &lead::Model,
    summary: &str,
    changes: Value,
    now: chrono::DateTime<chrono::Utc>,
) -> action_log::ActiveModel {
    action_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(lead.workspace_id),
        lead_id: Set(lead.id),
        r#type: Set(ActionLogType::ApiActivity),
        status: Set(ActionLogStatus::Completed),
        summary: Set(summary.to_owned()),
        changes: Set(Some(changes)),
        input: Set(None),
        output: Set(None),
        error: Set(None),
        parent_action_id: Set(None),
        tool_id: Set(None),
        created_at: Set(now),
        scheduled_at: Set(None),
        completed_at: Set(Some(now)),
    }
}
