//! The checklist template file (see README) and replacing a workspace's template with it.
//!
//! Items are matched by code and groups by name, so a re-import keeps ids and every lead's
//! values for items that stay; items that go are deleted with their values.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    TransactionSession,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::{clock, lead_input, retry};
use crate::entities::{
    checklist_group, checklist_item, enums::ChecklistItemStatus, enums::FieldType, lead,
    lead_checklist_item, workspace,
};
use crate::error::{Error, FieldError, Result};

use super::{Template, conditions, value};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TemplateFile {
    pub groups: Vec<GroupFile>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GroupFile {
    pub name: String,
    #[serde(default)]
    pub conditions: Option<Value>,
    #[serde(default)]
    pub items: Vec<ItemFile>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ItemFile {
    pub code: String,
    pub label: String,
    pub field_type: String,
    #[serde(default = "yes")]
    pub is_required: bool,
    #[serde(default)]
    pub conditions: Option<Value>,
    #[serde(default)]
    pub config: Option<Value>,
    #[serde(default)]
    pub validation_rules: Option<Value>,
    #[serde(default)]
    pub agent_instructions: Option<String>,
    #[serde(default)]
    pub client_instructions: Option<String>,
}

fn yes() -> bool {
    true
}

/// What an import did.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub workspace_id: Uuid,
    pub groups: usize,
    pub items: usize,
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
}

/// Parses a template file, naming the offending place (`groups[0].items[1].config`).
pub fn parse(text: &str) -> Result<TemplateFile> {
    let file: TemplateFile = serde_json::from_str(text)
        .map_err(|e| Error::bad_input("file", format!("is not a valid template: {e}")))?;
    validate(&file)?;
    Ok(file)
}

/// Codes are lowercase words joined by `_`, so they read well in API calls.
pub(crate) fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 100
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn validate(file: &TemplateFile) -> Result<()> {
    let mut errors = Vec::new();
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for (g, group) in file.groups.iter().enumerate() {
        lead_input::required_text(&format!("groups[{g}].name"), &group.name, &mut errors);
        if !names.insert(group.name.trim()) {
            errors.push(FieldError::new(
                format!("groups[{g}].name"),
                "is used by another group",
            ));
        }
        for (i, item) in group.items.iter().enumerate() {
            let at = format!("groups[{g}].items[{i}]");
            if !valid_code(&item.code) {
                errors.push(FieldError::new(
                    format!("{at}.code"),
                    "must be lowercase letters, digits and _",
                ));
            }
            if !codes.insert(item.code.as_str()) {
                errors.push(FieldError::new(
                    format!("{at}.code"),
                    format!("`{}` is used twice", item.code),
                ));
            }
            lead_input::required_text(&format!("{at}.label"), &item.label, &mut errors);
            match FieldType::parse(&item.field_type) {
                None => errors.push(FieldError::new(
                    format!("{at}.fieldType"),
                    format!("`{}` is not a field type", item.field_type),
                )),
                Some(field_type) => {
                    if let Some(config) = &item.config
                        && let Err(e) = value::check_config(field_type, config)
                    {
                        errors.push(FieldError::new(format!("{at}.config"), e));
                    }
                    if let Some(rules) = &item.validation_rules {
                        let is_list = rules.is_null()
                            || rules
                                .as_array()
                                .is_some_and(|r| r.iter().all(Value::is_string));
                        if !is_list {
                            errors.push(FieldError::new(
                                format!("{at}.validationRules"),
                                "must be a list of strings",
                            ));
                        } else if !rules.is_null() && !field_type.holds_documents() {
                            errors.push(FieldError::new(
                                format!("{at}.validationRules"),
                                "are for file items only",
                            ));
                        }
                    }
                }
            }
        }
    }
    let known = |code: &str| codes.contains(code);
    for (g, group) in file.groups.iter().enumerate() {
        if let Some(c) = &group.conditions
            && let Err(e) = conditions::check(c, &known)
        {
            errors.push(FieldError::new(format!("groups[{g}].conditions"), e));
        }
        for (i, item) in group.items.iter().enumerate() {
            if let Some(c) = &item.conditions
                && let Err(e) = conditions::check(c, &known)
            {
                errors.push(FieldError::new(
                    format!("groups[{g}].items[{i}].conditions"),
                    e,
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::BadInput(errors))
    }
}

fn non_null(value: &Option<Value>) -> Option<Value> {
    value.clone().filter(|v| !v.is_null())
}

/// Replaces the workspace's template with `file`, in one transaction.
pub async fn replace<C: crate::domain::writers::Store>(
    db: &C,
    workspace_id: Uuid,
    file: &TemplateFile,
) -> Result<ImportSummary> {
    retry::retrying(|| replace_once(db, workspace_id, file)).await
}

/// One attempt of `replace`: the whole transaction.
async fn replace_once<C: crate::domain::writers::Store>(
    db: &C,
    workspace_id: Uuid,
    file: &TemplateFile,
) -> Result<ImportSummary> {
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    // Creates and updates of this workspace hold the template lock shared until they
    // commit; waiting for it here means none of them is writing against rows this import
    // changes or removes.
    super::lock_exclusive(&txn, workspace_id).await?;
    if workspace::Entity::find_by_id(workspace_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(Error::bad_input("workspace", "no such workspace"));
    }
    refuse_one_off_codes(&txn, workspace_id, file).await?;
    let old = Template::load(&txn, workspace_id).await?;
    let old_groups: HashMap<&str, Uuid> = old
        .groups
        .iter()
        .map(|g| (g.group.name.as_str(), g.group.id))
        .collect();
    let old_items: HashMap<&str, Uuid> = old.items().map(|i| (i.code.as_str(), i.id)).collect();

    let mut summary = ImportSummary {
        workspace_id,
        groups: file.groups.len(),
        items: 0,
        added: 0,
        updated: 0,
        removed: 0,
    };
    let mut kept_groups = HashSet::new();
    let mut kept_items = HashSet::new();
    let mut new_items = Vec::new();
    let mut position = 0;
    for (g, group) in file.groups.iter().enumerate() {
        let name = group.name.trim();
        let group_id = old_groups.get(name).copied().unwrap_or_else(Uuid::now_v7);
        let model = checklist_group::ActiveModel {
            id: Set(group_id),
            workspace_id: Set(workspace_id),
            lead_id: Set(None),
            name: Set(name.to_owned()),
            conditions: Set(non_null(&group.conditions)),
            position: Set(g as i32),
        };
        if kept_groups.insert(group_id) && old_groups.contains_key(name) {
            checklist_group::Entity::update(model).exec(&txn).await?;
        } else {
            checklist_group::Entity::insert(model)
                .exec_without_returning(&txn)
                .await?;
        }
        for item in &group.items {
            summary.items += 1;
            let existing = old_items.get(item.code.as_str()).copied();
            let item_id = existing.unwrap_or_else(Uuid::now_v7);
            let model = checklist_item::ActiveModel {
                id: Set(item_id),
                workspace_id: Set(workspace_id),
                group_id: Set(group_id),
                lead_id: Set(None),
                code: Set(item.code.clone()),
                label: Set(item.label.trim().to_owned()),
                field_type: Set(FieldType::parse(&item.field_type).expect("validated")),
                is_required: Set(item.is_required),
                conditions: Set(non_null(&item.conditions)),
                config: Set(non_null(&item.config)),
                validation_rules: Set(non_null(&item.validation_rules)),
                agent_instructions: Set(item.agent_instructions.clone()),
                client_instructions: Set(item.client_instructions.clone()),
                position: Set(position),
            };
            position += 1;
            kept_items.insert(item_id);
            if existing.is_some() {
                summary.updated += 1;
                checklist_item::Entity::update(model).exec(&txn).await?;
            } else {
                summary.added += 1;
                new_items.push(item_id);
                checklist_item::Entity::insert(model)
                    .exec_without_returning(&txn)
                    .await?;
            }
        }
    }
    let gone_items: Vec<Uuid> = old
        .items()
        .map(|i| i.id)
        .filter(|id| !kept_items.contains(id))
        .collect();
    summary.removed = gone_items.len();
    if !gone_items.is_empty() {
        checklist_item::Entity::delete_many()
            .filter(checklist_item::Column::Id.is_in(gone_items))
            .exec(&txn)
            .await?;
    }
    let gone_groups: Vec<Uuid> = old
        .groups
        .iter()
        .map(|g| g.group.id)
        .filter(|id| !kept_groups.contains(id))
        .collect();
    if !gone_groups.is_empty() {
        checklist_group::Entity::delete_many()
            .filter(checklist_group::Column::Id.is_in(gone_groups))
            .exec(&txn)
            .await?;
    }
    backfill(&txn, workspace_id, &new_items).await?;
    txn.commit().await?;
    Ok(summary)
}

/// Codes are unique in a workspace, one-off items included: a template may not take a
/// code a lead's one-off item already has.
async fn refuse_one_off_codes(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    file: &TemplateFile,
) -> Result<()> {
    let codes: Vec<&str> = file
        .groups
        .iter()
        .flat_map(|g| g.items.iter().map(|i| i.code.as_str()))
        .collect();
    let taken: Vec<String> = checklist_item::Entity::find()
        .select_only()
        .column(checklist_item::Column::Code)
        .filter(checklist_item::Column::WorkspaceId.eq(workspace_id))
        .filter(checklist_item::Column::LeadId.is_not_null())
        .filter(checklist_item::Column::Code.is_in(codes))
        .into_tuple()
        .all(db)
        .await?;
    let mut errors = Vec::new();
    for (g, group) in file.groups.iter().enumerate() {
        for (i, item) in group.items.iter().enumerate() {
            if taken.contains(&item.code) {
                errors.push(FieldError::new(
                    format!("groups[{g}].items[{i}].code"),
                    format!("`{}` is used by a one-off item of a lead", item.code),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::BadInput(errors))
    }
}

/// Gives every existing lead a TODO row for each new item, so every lead always has one
/// row per template item.
async fn backfill(db: &impl ConnectionTrait, workspace_id: Uuid, new_items: &[Uuid]) -> Result<()> {
    if new_items.is_empty() {
        return Ok(());
    }
    let lead_ids: Vec<Uuid> = lead::Entity::find()
        .select_only()
        .column(lead::Column::Id)
        .filter(lead::Column::WorkspaceId.eq(workspace_id))
        .into_tuple()
        .all(db)
        .await?;
    let now = clock::now();
    let rows: Vec<_> = lead_ids
        .iter()
        .flat_map(|lead_id| {
            new_items
                .iter()
                .map(move |item_id| lead_checklist_item::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    lead_id: Set(*lead_id),
                    checklist_item_id: Set(*item_id),
                    value: Set(None),
                    status: Set(ChecklistItemStatus::Todo),
                    item_override: Set(None),
                    auto_skipped: Set(false),
                    alternate_values: Set(None),
                    validation_error: Set(None),
                    status_before_skip: Set(None),
                    updated_at: Set(now),
                })
        })
        .collect();
    // Stay well under SQLite's and PostgreSQL's bind-parameter limits.
    for chunk in rows.chunks(500) {
        lead_checklist_item::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let file = parse(include_str!("../../../demo/checklist.json")).unwrap();
        assert_eq!(file.groups[0].name, "Business Information");
        assert_eq!(file.groups[0].items.len(), 2);
    }

    #[test]
    fn names_the_offending_place() {
        let err = parse(
            r#"{"groups":[{"name":"A","items":[
            {"code":"a","label":"A","fieldType":"TEXT","config":{"pattern":"("}},
            {"code":"a","label":"B","fieldType":"COLOR"}]}]}"#,
        )
        .unwrap_err();
        let Error::BadInput(errors) = err else {
            panic!()
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "groups[0].items[0].config",
                "groups[0].items[1].code",
                "groups[0].items[1].fieldType"
            ]
        );
        assert!(parse(r#"{"groups":[],"extra":1}"#).is_err());
        let long = format!(
            r#"{{"groups":[{{"name":"G","items":[{{"code":"a","label":"{}","fieldType":"TEXT"}}]}}]}}"#,
            "x".repeat(501)
        );
        let Error::BadInput(errors) = parse(&long).unwrap_err() else {
            panic!()
        };
        assert_eq!(errors[0].field, "groups[0].items[0].label");
        assert!(errors[0].message.contains("too long"));
    }
}
