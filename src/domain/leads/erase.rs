//! Deleting a lead (soft: hidden from lists and matching, kept for the record) and erasing
//! it (right to erasure: the lead and everything that belongs to it, for good).

use sea_orm::{ActiveValue::Set, EntityTrait, TransactionSession};
use serde_json::json;
use uuid::Uuid;

use crate::domain::documents::{DocumentStore, lifecycle};
use crate::domain::{auth::Principal, clock, retry};
use crate::entities::{action_log, lead};
use crate::error::Result;

use super::api_activity;

/// Marks a lead deleted (idempotent: deleting a deleted lead changes nothing).
pub async fn delete<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    id: Uuid,
) -> Result<lead::Model> {
    retry::retrying(|| delete_once(db, principal, id)).await
}

/// One attempt of `delete`: the whole transaction.
async fn delete_once<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    id: Uuid,
) -> Result<lead::Model> {
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    let mut lead = super::find_for_write(&txn, principal, id).await?;
    if lead.deleted_at.is_some() {
        return Ok(lead);
    }
    let now = clock::now();
    lead::Entity::update(lead::ActiveModel {
        id: Set(id),
        deleted_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    lead.deleted_at = Some(now);
    lead.updated_at = now;
    action_log::Entity::insert(api_activity(
        &lead,
        "Lead deleted",
        json!({ "deletedAt": now }),
        now,
    ))
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(lead)
}

/// Removes a lead and every row that belongs to it: checklist values and one-off items,
/// tag links, the timeline with its messages and documents. Foreign keys cascade from the
/// lead, so one statement reaches every table; workspace-wide rows (tags, tools, the
/// template) stay. The documents' objects are removed after the commit (see
/// `documents::lifecycle`).
pub async fn erase<C: crate::domain::writers::Store>(
    db: &C,
    store: &DocumentStore,
    principal: &Principal,
    id: Uuid,
) -> Result<Uuid> {
    let keys = retry::retrying(|| erase_once(db, principal, id)).await?;
    lifecycle::remove_objects(store, keys).await;
    tracing::info!(lead_id = %id, "lead erased");
    Ok(id)
}

/// One attempt of `erase`: the whole transaction; answers the storage keys of the
/// lead's documents, whose objects go once it committed.
async fn erase_once<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    id: Uuid,
) -> Result<Vec<String>> {
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    super::find_for_write(&txn, principal, id).await?;
    let keys = lifecycle::keys_of_lead(&txn, id).await?;
    lead::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    Ok(keys)
}
