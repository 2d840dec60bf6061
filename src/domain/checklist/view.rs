//! A lead's checklist as clients see it: the template's groups and items in template order,
//! each with the lead's value and status, hidden where conditions do not hold.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::sql;
use crate::entities::{
    checklist_group, checklist_item, enums::ChecklistItemStatus, lead_checklist_item,
};
use crate::error::Result;

use super::{Template, conditions};

#[derive(Debug, Clone)]
pub struct GroupView {
    pub group: checklist_group::Model,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Clone)]
pub struct ItemView {
    pub entry: lead_checklist_item::Model,
    pub item: checklist_item::Model,
}

/// What one lead holds for one template item, before it is stored.
pub trait Entry {
    fn value(&self) -> Option<&Value>;
    fn status(&self) -> ChecklistItemStatus;
}

impl Entry for lead_checklist_item::Model {
    fn value(&self) -> Option<&Value> {
        self.value.as_ref()
    }
    fn status(&self) -> ChecklistItemStatus {
        self.status
    }
}

/// The items (by template position) of `template` that are visible for a lead whose
/// entries are given by item id.
pub fn visible<'t, E: Entry>(
    template: &'t Template,
    entries: &HashMap<Uuid, E>,
) -> Vec<(&'t checklist_group::Model, Vec<&'t checklist_item::Model>)> {
    let values: conditions::Values = template
        .items()
        .filter_map(|item| {
            let value = entries.get(&item.id)?.value()?;
            (!value.is_null()).then_some((item.code.as_str(), value))
        })
        .collect();
    template
        .groups
        .iter()
        .filter(|g| conditions::holds(g.group.conditions.as_ref(), &values))
        .map(|g| {
            let items = g
                .items
                .iter()
                .filter(|item| conditions::holds(item.conditions.as_ref(), &values))
                .collect();
            (&g.group, items)
        })
        .collect()
}

/// A lead is complete when every required item it shows is COMPLETED or SKIPPED.
pub fn is_complete<E: Entry>(template: &Template, entries: &HashMap<Uuid, E>) -> bool {
    visible(template, entries)
        .iter()
        .flat_map(|(_, items)| items.iter())
        .filter(|item| item.is_required)
        .all(|item| {
            matches!(
                entries.get(&item.id).map(Entry::status),
                Some(ChecklistItemStatus::Completed | ChecklistItemStatus::Skipped)
            )
        })
}

/// The checklists of several leads of one workspace, in two statements.
pub async fn for_leads(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    lead_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<GroupView>>> {
    let template = Template::load_with_one_offs(db, workspace_id, lead_ids).await?;
    let rows = lead_checklist_item::Entity::find()
        .filter(sql::is_in(
            db.get_database_backend(),
            lead_checklist_item::Column::LeadId,
            lead_ids.iter().copied(),
        ))
        .all(db)
        .await?;
    let mut by_lead: HashMap<Uuid, HashMap<Uuid, lead_checklist_item::Model>> = HashMap::new();
    for row in rows {
        by_lead
            .entry(row.lead_id)
            .or_default()
            .insert(row.checklist_item_id, row);
    }
    let views = lead_ids
        .iter()
        .map(|lead_id| {
            let entries = by_lead.remove(lead_id).unwrap_or_default();
            let template = template.for_lead(*lead_id);
            (*lead_id, of_entries(&template, *lead_id, &entries))
        })
        .collect();
    Ok(views)
}

/// One lead's grouped checklist from its template and entries (by item id), conditions
/// evaluated; items without an entry read as TODO. Also what a dry run answers.
pub fn of_entries(
    template: &Template,
    lead_id: Uuid,
    entries: &HashMap<Uuid, lead_checklist_item::Model>,
) -> Vec<GroupView> {
    visible(template, entries)
        .into_iter()
        .map(|(group, items)| GroupView {
            group: group.clone(),
            items: items
                .into_iter()
                .map(|item| ItemView {
                    entry: entries
                        .get(&item.id)
                        .cloned()
                        .unwrap_or_else(|| super::entry_for(lead_id, item.id)),
                    item: item.clone(),
                })
                .collect(),
        })
        .collect()
}
