//! The checklist: a workspace's template (groups of items, in order) and each lead's
//! values for it.

pub mod conditions;
pub mod import;
pub mod one_off;
pub mod updates;
pub mod value;
pub mod view;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::IntoCondition,
};
use uuid::Uuid;

use crate::domain::sql;
use crate::entities::{
    checklist_group, checklist_item, enums::ChecklistItemStatus, lead_checklist_item,
};
use crate::error::Result;

/// A workspace's checklist template, in template order.
#[derive(Debug, Clone, Default)]
pub struct Template {
    pub groups: Vec<TemplateGroup>,
}

#[derive(Debug, Clone)]
pub struct TemplateGroup {
    pub group: checklist_group::Model,
    pub items: Vec<checklist_item::Model>,
}

/// Which rows a template read takes: the workspace template, and the one-off groups and
/// items of these leads.
fn owned_by(backend: DbBackend, lead_column: impl ColumnTrait, lead_ids: &[Uuid]) -> Condition {
    let template = lead_column.is_null().into_condition();
    if lead_ids.is_empty() {
        template
    } else {
        Condition::any().add(template).add(sql::is_in(
            backend,
            lead_column,
            lead_ids.iter().copied(),
        ))
    }
}

impl Template {
    /// Loads the workspace template in two statements.
    pub async fn load(db: &impl ConnectionTrait, workspace_id: Uuid) -> Result<Self> {
        Self::load_with_one_offs(db, workspace_id, &[]).await
    }

    /// Loads the workspace template plus the one-off groups and items of `lead_ids`, in two
    /// statements. Use `for_lead` to see one lead's checklist.
    pub async fn load_with_one_offs(
        db: &impl ConnectionTrait,
        workspace_id: Uuid,
        lead_ids: &[Uuid],
    ) -> Result<Self> {
        Self::read(db, workspace_id, lead_ids, false).await
    }

    /// Like `load_with_one_offs`, inside a write transaction: the rows are share-locked on
    /// PostgreSQL, so a template import cannot change or delete an item this write relies
    /// on before it commits (SQLite's write lock already serialises them).
    pub async fn load_for_write(
        db: &impl ConnectionTrait,
        workspace_id: Uuid,
        lead_ids: &[Uuid],
    ) -> Result<Self> {
        Self::read(db, workspace_id, lead_ids, true).await
    }

    async fn read(
        db: &impl ConnectionTrait,
        workspace_id: Uuid,
        lead_ids: &[Uuid],
        lock: bool,
    ) -> Result<Self> {
        let backend = db.get_database_backend();
        let mut groups = checklist_group::Entity::find()
            .filter(checklist_group::Column::WorkspaceId.eq(workspace_id))
            .filter(owned_by(backend, checklist_group::Column::LeadId, lead_ids))
            .order_by_asc(checklist_group::Column::Position)
            .order_by_asc(checklist_group::Column::Id);
        let mut items = checklist_item::Entity::find()
            .filter(checklist_item::Column::WorkspaceId.eq(workspace_id))
            .filter(owned_by(backend, checklist_item::Column::LeadId, lead_ids))
            .order_by_asc(checklist_item::Column::Position)
            .order_by_asc(checklist_item::Column::Id);
        if lock {
            groups = groups.lock_shared();
            items = items.lock_shared();
        }
        let groups = groups.all(db).await?;
        let items = items.all(db).await?;
        let mut template = Self {
            groups: groups
                .into_iter()
                .map(|group| TemplateGroup {
                    group,
                    items: Vec::new(),
                })
                .collect(),
        };
        for item in items {
            if let Some(group) = template
                .groups
                .iter_mut()
                .find(|g| g.group.id == item.group_id)
            {
                group.items.push(item);
            }
        }
        Ok(template)
    }

    /// The checklist of one lead: the template and that lead's one-off items.
    pub fn for_lead(&self, lead_id: Uuid) -> Self {
        let mine = |owner: Option<Uuid>| owner.is_none_or(|id| id == lead_id);
        Self {
            groups: self
                .groups
                .iter()
                .filter(|g| mine(g.group.lead_id))
                .map(|g| TemplateGroup {
                    group: g.group.clone(),
                    items: g
                        .items
                        .iter()
                        .filter(|i| mine(i.lead_id))
                        .cloned()
                        .collect(),
                })
                .collect(),
        }
    }

    pub fn items(&self) -> impl Iterator<Item = &checklist_item::Model> {
        self.groups.iter().flat_map(|g| g.items.iter())
    }

    pub fn item_by_code(&self, code: &str) -> Option<&checklist_item::Model> {
        self.items().find(|item| item.code == code)
    }
}

/// Names the ids of rows made for a lead's item after the fact (`entry_for`).
const ENTRY_NAMESPACE: Uuid = Uuid::from_u128(0x6c65_6164_6761_7465_2d65_6e74_7279_0001);

/// A lead's row for an item it has none for yet, as TODO with no value. Every lead gets a
/// row per item when it is created and when an import adds items, but a lead created while
/// an import was adding items can miss one: it reads as TODO, and the first update writes
/// it. The id is derived from the lead and the item, so it is the same before and after.
pub fn entry_for(lead_id: Uuid, item_id: Uuid) -> lead_checklist_item::Model {
    let mut name = [0u8; 32];
    name[..16].copy_from_slice(lead_id.as_bytes());
    name[16..].copy_from_slice(item_id.as_bytes());
    lead_checklist_item::Model {
        id: Uuid::new_v5(&ENTRY_NAMESPACE, &name),
        lead_id,
        checklist_item_id: item_id,
        value: None,
        status: ChecklistItemStatus::Todo,
        item_override: None,
        auto_skipped: false,
        alternate_values: None,
        validation_error: None,
        status_before_skip: None,
        updated_at: chrono::DateTime::UNIX_EPOCH,
    }
}
