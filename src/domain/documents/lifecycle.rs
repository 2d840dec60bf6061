//! Reading one document, a reviewer's verdict on it, and removing documents with their
//! objects.
//!
//! Rows go first, in their transaction; objects after the commit. A failure between the
//! two leaves an object without a row, never a row without an object, and the sweeper
//! (`sweep`, run by every replica at start and hourly) removes such objects once they
//! are older than `SWEEP_GRACE`, which also covers uploads that died mid-way.

use std::collections::HashSet;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    TransactionSession,
};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::auth::Principal;
use crate::entities::document;
use crate::error::{Error, Result};

use super::store::DocumentStore;

/// Objects younger than this are never swept: an upload may still be committing them.
pub const SWEEP_GRACE: chrono::Duration = chrono::Duration::hours(1);

/// A document of the caller's workspace, or NOT_FOUND (also for another workspace's).
pub async fn find(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> Result<document::Model> {
    document::Entity::find_by_id(id)
        .filter(document::Column::WorkspaceId.eq(principal.workspace_id))
        .one(db)
        .await?
        .ok_or(Error::NotFound("document"))
}

/// Sets (or with `None`, clears) a review's verdict on a document.
pub async fn set_validation<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    id: Uuid,
    overall_valid: Option<bool>,
    validation_result: Option<Value>,
) -> Result<document::Model> {
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    let mut doc = find(&txn, principal, id).await?;
    document::Entity::update(document::ActiveModel {
        id: Set(id),
        overall_valid: Set(overall_valid),
        validation_result: Set(validation_result.clone()),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    txn.commit().await?;
    doc.overall_valid = overall_valid;
    doc.validation_result = validation_result;
    Ok(doc)
}

/// Deletes a document's row, then its object.
pub async fn delete<C: crate::domain::writers::Store>(
    db: &C,
    store: &DocumentStore,
    principal: &Principal,
    id: Uuid,
) -> Result<document::Model> {
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    let doc = find(&txn, principal, id).await?;
    document::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    remove_objects(store, vec![doc.storage_key.clone()]).await;
    Ok(doc)
}

/// The storage keys of a lead's documents (read inside the erasing transaction).
pub async fn keys_of_lead(db: &impl ConnectionTrait, lead_id: Uuid) -> Result<Vec<String>> {
    Ok(document::Entity::find()
        .select_only()
        .column(document::Column::StorageKey)
        .filter(document::Column::LeadId.eq(lead_id))
        .into_tuple::<String>()
        .all(db)
        .await?)
}

/// Removes objects whose rows are gone; a failure is logged and left to the sweeper
/// (the rows are committed, so the client's request succeeded).
pub async fn remove_objects(store: &DocumentStore, keys: Vec<String>) {
    if keys.is_empty() {
        return;
    }
    if let Err(err) = store.delete(&keys).await {
        tracing::warn!(
            ?err,
            count = keys.len(),
            "removing document objects failed; the sweeper removes them"
        );
    }
}

/// Removes objects that no document row names and that are older than `SWEEP_GRACE`
/// at `now`; returns how many. Idempotent, so every replica may run it.
pub async fn sweep(
    db: &impl ConnectionTrait,
    store: &DocumentStore,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize> {
    let candidates: Vec<String> = store
        .list()
        .await?
        .into_iter()
        .filter(|(_, modified)| *modified + SWEEP_GRACE < now)
        .map(|(key, _)| key)
        .collect();
    let mut orphans = Vec::new();
    for chunk in candidates.chunks(500) {
        let known: HashSet<String> = document::Entity::find()
            .select_only()
            .column(document::Column::StorageKey)
            .filter(document::Column::StorageKey.is_in(chunk.iter().cloned()))
            .into_tuple::<String>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        orphans.extend(chunk.iter().filter(|k| !known.contains(*k)).cloned());
    }
    store.delete(&orphans).await?;
    if !orphans.is_empty() {
        tracing::info!(
            count = orphans.len(),
            "swept document objects without a row"
        );
    }
    Ok(orphans.len())
}

/// `sweep` now and then every hour, for `serve`; failures are logged and retried at the
/// next round.
pub async fn sweep_every_hour(db: sea_orm::DatabaseConnection, store: DocumentStore) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        if let Err(err) = sweep(&db, &store, crate::domain::clock::now()).await {
            tracing::warn!(
                ?err,
                "sweeping document objects failed; retrying in an hour"
            );
        }
    }
}
