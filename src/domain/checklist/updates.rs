//! Changing one lead's checklist rows: applying updates, and the automatic skips that
//! completing a lead makes (and reopening it undoes).

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::OnConflict};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::lead_input::ValidUpdate;
use crate::entities::{enums::ChecklistItemStatus, lead_checklist_item};
use crate::error::Result;

use super::{Template, view};

pub type Entries = HashMap<Uuid, lead_checklist_item::Model>;
type Now = chrono::DateTime<chrono::Utc>;

/// A lead's rows, by item id, one for every item of its checklist (`entry_for` stands in
/// for a row it does not have yet).
pub async fn load(
    db: &impl ConnectionTrait,
    lead_id: Uuid,
    template: &Template,
) -> Result<Entries> {
    let mut entries: Entries = lead_checklist_item::Entity::find()
        .filter(lead_checklist_item::Column::LeadId.eq(lead_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.checklist_item_id, row))
        .collect();
    for item in template.items() {
        entries
            .entry(item.id)
            .or_insert_with(|| super::entry_for(lead_id, item.id));
    }
    Ok(entries)
}

/// Applies validated updates to `entries`; returns how `changes` records the ones that
/// changed something (an update to what the row already holds records nothing). Rows that
/// change are marked by their `updated_at` = `now`.
pub fn apply(entries: &mut Entries, updates: &[ValidUpdate], now: Now) -> Vec<Value> {
    let mut changes = Vec::new();
    for update in updates {
        let Some(entry) = entries.get_mut(&update.item.id) else {
            continue;
        };
        if apply_one(entry, update, now) {
            changes.push(update.change(entry.value.as_ref(), entry.status));
        }
    }
    changes
}

/// Applies one validated update to its row; `true` when the row changed (then its
/// `updated_at` is `now`). A value brings its `validationError` (none when it passed its
/// checks); a status alone leaving INVALID drops the error.
pub fn apply_one(entry: &mut lead_checklist_item::Model, update: &ValidUpdate, now: Now) -> bool {
    let (value, status) = update.resolve(entry.value.as_ref(), entry.status);
    let validation_error = if update.value.is_some() {
        update.validation_error.clone()
    } else if status == ChecklistItemStatus::Invalid {
        entry.validation_error.clone()
    } else {
        None
    };
    let alternate_values = match &update.alternate_values {
        None => entry.alternate_values.clone(),
        Some(Value::Null) => None,
        Some(list) => Some(list.clone()),
    };
    let changed = value != entry.value
        || status != entry.status
        || validation_error != entry.validation_error
        || alternate_values != entry.alternate_values;
    if changed {
        entry.value = value;
        entry.status = status;
        entry.validation_error = validation_error;
        entry.alternate_values = alternate_values;
        // A deliberate update replaces an automatic skip.
        entry.auto_skipped = false;
        entry.status_before_skip = None;
        entry.updated_at = now;
    }
    changed
}

/// Marks every incomplete required item the lead shows SKIPPED (remembering it was
/// automatic); returns their codes.
pub fn auto_skip(template: &Template, entries: &mut Entries, now: Now) -> Vec<String> {
    let incomplete: Vec<(Uuid, String)> = view::visible(template, entries)
        .into_iter()
        .flat_map(|(_, items)| items)
        .filter(|item| item.is_required)
        .filter(|item| {
            !matches!(
                entries.get(&item.id).map(|e| e.status),
                Some(ChecklistItemStatus::Completed | ChecklistItemStatus::Skipped)
            )
        })
        .map(|item| (item.id, item.code.clone()))
        .collect();
    let mut codes = Vec::new();
    for (item_id, code) in incomplete {
        if let Some(entry) = entries.get_mut(&item_id) {
            entry.status_before_skip = Some(entry.status);
            entry.status = ChecklistItemStatus::Skipped;
            entry.auto_skipped = true;
            entry.updated_at = now;
            codes.push(code);
        }
    }
    codes
}

/// Undoes automatic skips: each item gets back the status it had before (TODO for rows
/// skipped before that was remembered), values kept; returns their codes.
pub fn revert_auto_skips(template: &Template, entries: &mut Entries, now: Now) -> Vec<String> {
    let mut codes = Vec::new();
    for item in template.items() {
        if let Some(entry) = entries.get_mut(&item.id)
            && entry.auto_skipped
        {
            entry.status = entry
                .status_before_skip
                .take()
                .unwrap_or(ChecklistItemStatus::Todo);
            entry.auto_skipped = false;
            entry.updated_at = now;
            codes.push(item.code.clone());
        }
    }
    codes
}

/// Writes the rows changed at `now` in one statement (inserting the ones `entry_for`
/// stood in for).
pub async fn save(db: &impl ConnectionTrait, entries: &Entries, now: Now) -> Result<()> {
    let changed: Vec<lead_checklist_item::ActiveModel> = entries
        .values()
        .filter(|e| e.updated_at == now)
        .map(|e| lead_checklist_item::ActiveModel::from(e.clone()))
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    lead_checklist_item::Entity::insert_many(changed)
        .on_conflict(
            OnConflict::columns([
                lead_checklist_item::Column::LeadId,
                lead_checklist_item::Column::ChecklistItemId,
            ])
            .update_columns([
                lead_checklist_item::Column::Value,
                lead_checklist_item::Column::Status,
                lead_checklist_item::Column::AutoSkipped,
                lead_checklist_item::Column::AlternateValues,
                lead_checklist_item::Column::ValidationError,
                lead_checklist_item::Column::StatusBeforeSkip,
                lead_checklist_item::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
