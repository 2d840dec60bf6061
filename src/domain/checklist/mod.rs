//! The checklist: a workspace's template (groups of items, in order) and each lead's
//! values for it.

pub mod conditions;
pub mod import;
pub mod value;
pub mod view;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entities::{checklist_group, checklist_item};
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

impl Template {
    /// Loads the template in two statements.
    pub async fn load(db: &impl ConnectionTrait, workspace_id: Uuid) -> Result<Self> {
        let groups = checklist_group::Entity::find()
            .filter(checklist_group::Column::WorkspaceId.eq(workspace_id))
            .order_by_asc(checklist_group::Column::Position)
            .all(db)
            .await?;
        let items = checklist_item::Entity::find()
            .filter(checklist_item::Column::WorkspaceId.eq(workspace_id))
            .order_by_asc(checklist_item::Column::Position)
            .all(db)
            .await?;
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

    pub fn items(&self) -> impl Iterator<Item = &checklist_item::Model> {
        self.groups.iter().flat_map(|g| g.items.iter())
    }

    pub fn item_by_code(&self, code: &str) -> Option<&checklist_item::Model> {
        self.items().find(|item| item.code == code)
    }
}
