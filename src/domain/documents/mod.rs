//! Documents attached to a lead's checklist items, action logs or messages, and the
//! time-limited signed URLs clients download them with.
//!
//! The bytes live in object storage (`store`) under `storage_key`; rows here say what
//! they are and what they belong to. `upload` writes them, `signing` signs leadgate's own
//! download URLs, `content` checks what a file is, `lifecycle` removes objects.

pub mod content;
pub mod lifecycle;
pub mod signing;
pub mod store;
pub mod upload;

use std::collections::HashMap;

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::domain::sql;
use crate::entities::document;
use crate::error::Result;

/// How long a download URL stays valid, signed by leadgate or presigned by S3.
pub const URL_TTL: chrono::Duration = chrono::Duration::hours(1);

/// What a document hangs off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// Every document of the lead, whatever else it hangs off.
    Lead(Uuid),
    LeadChecklistItem(Uuid),
    ActionLog(Uuid),
    Message(Uuid),
}

/// The documents of many owners of one workspace, oldest first, in one statement.
pub async fn for_owners(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    owners: &[Owner],
) -> Result<HashMap<Owner, Vec<document::Model>>> {
    let ids = |pick: fn(&Owner) -> Option<Uuid>| owners.iter().filter_map(pick).collect::<Vec<_>>();
    let leads = ids(|o| {
        if let Owner::Lead(id) = o {
            Some(*id)
        } else {
            None
        }
    });
    let items = ids(|o| {
        if let Owner::LeadChecklistItem(id) = o {
            Some(*id)
        } else {
            None
        }
    });
    let logs = ids(|o| {
        if let Owner::ActionLog(id) = o {
            Some(*id)
        } else {
            None
        }
    });
    let messages = ids(|o| {
        if let Owner::Message(id) = o {
            Some(*id)
        } else {
            None
        }
    });
    if owners.is_empty() {
        return Ok(HashMap::new());
    }
    // Only the kinds asked for: an empty `IN` is written `$1 = $2` with bound values,
    // which PostgreSQL cannot fold in a prepared statement's generic plan, so every
    // execution was planned afresh (and a generic plan would scan the table).
    let backend = db.get_database_backend();
    let mut owned = Condition::any();
    for (column, ids) in [
        (document::Column::LeadId, leads),
        (document::Column::LeadChecklistItemId, items),
        (document::Column::ActionLogId, logs),
        (document::Column::MessageId, messages),
    ] {
        if !ids.is_empty() {
            owned = owned.add(sql::is_in(backend, column, ids));
        }
    }
    let rows = document::Entity::find()
        .filter(document::Column::WorkspaceId.eq(workspace_id))
        .filter(owned)
        .order_by_asc(document::Column::CreatedAt)
        .order_by_asc(document::Column::Id)
        .all(db)
        .await?;
    let mut by_owner: HashMap<Owner, Vec<document::Model>> = HashMap::new();
    for row in rows {
        let owners_of_row = [
            Some(Owner::Lead(row.lead_id)),
            row.lead_checklist_item_id.map(Owner::LeadChecklistItem),
            row.action_log_id.map(Owner::ActionLog),
            row.message_id.map(Owner::Message),
        ];
        for owner in owners_of_row.into_iter().flatten() {
            if owners.contains(&owner) {
                by_owner.entry(owner).or_default().push(row.clone());
            }
        }
    }
    Ok(by_owner)
}

pub use signing::UrlSigner;
pub use store::DocumentStore;

/// The documents of one lead, oldest first.
pub async fn of_lead(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    lead_id: Uuid,
) -> Result<Vec<document::Model>> {
    Ok(for_owners(db, workspace_id, &[Owner::Lead(lead_id)])
        .await?
        .remove(&Owner::Lead(lead_id))
        .unwrap_or_default())
}

/// The `validationRules` of the checklist items behind lead checklist entries, by entry
/// id (in one statement): what a reviewer checks a document of that item against.
pub async fn validation_rules(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    entry_ids: &[Uuid],
) -> Result<HashMap<Uuid, Option<serde_json::Value>>> {
    use crate::entities::{checklist_item, lead_checklist_item};
    use sea_orm::QuerySelect;
    let entries: Vec<(Uuid, Uuid)> = lead_checklist_item::Entity::find()
        .select_only()
        .column(lead_checklist_item::Column::Id)
        .column(lead_checklist_item::Column::ChecklistItemId)
        .filter(sql::is_in(
            db.get_database_backend(),
            lead_checklist_item::Column::Id,
            entry_ids.iter().copied(),
        ))
        .into_tuple()
        .all(db)
        .await?;
    let item_ids: Vec<Uuid> = entries.iter().map(|(_, item)| *item).collect();
    let rules: HashMap<Uuid, Option<serde_json::Value>> = checklist_item::Entity::find()
        .select_only()
        .column(checklist_item::Column::Id)
        .column(checklist_item::Column::ValidationRules)
        .filter(checklist_item::Column::WorkspaceId.eq(workspace_id))
        .filter(sql::is_in(
            db.get_database_backend(),
            checklist_item::Column::Id,
            item_ids,
        ))
        .into_tuple::<(Uuid, Option<serde_json::Value>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(entries
        .into_iter()
        .filter_map(|(entry, item)| Some((entry, rules.get(&item)?.clone())))
        .collect())
}

/// A download URL for `doc` valid for `URL_TTL` from `now`, and when it expires: the
/// store's own presigned URL when it has one (S3), else leadgate's signed route.
pub async fn signed_url(
    store: &DocumentStore,
    signer: &UrlSigner,
    doc: &document::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(String, chrono::DateTime<chrono::Utc>)> {
    let ttl = signer.ttl();
    let presigned = store
        .presigned_url(
            &doc.storage_key,
            &doc.file_name,
            &doc.content_type,
            ttl.to_std().unwrap_or_default(),
        )
        .await?;
    Ok(match presigned {
        Some(url) => (url, now + ttl),
        None => signer.sign(&doc.storage_key, now),
    })
}
