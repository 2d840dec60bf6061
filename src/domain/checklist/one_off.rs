//! One-off checklist items: added to a single lead, outside the workspace template. They
//! live in the lead's own "Additional Items" group, after the template's groups, and go
//! when the lead is erased.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::{bounds, checklist::value, lead_input};
use crate::entities::{
    checklist_group, checklist_item,
    enums::{ChecklistItemStatus, FieldType},
    lead, lead_checklist_item,
};
use crate::error::{Error, FieldError, Result};

/// The group one-off items are shown in.
pub const GROUP_NAME: &str = "Additional Items";
/// One-off groups sort after any template group.
const GROUP_POSITION: i32 = 1_000_000;

/// A one-off item as a client describes it.
#[derive(Debug, Clone, Default)]
pub struct NewItem {
    pub label: String,
    pub field_type: Option<FieldType>,
    pub code: Option<String>,
    pub config: Option<Value>,
    pub is_required: Option<bool>,
    pub agent_instructions: Option<String>,
    pub client_instructions: Option<String>,
    pub validation_rules: Option<Value>,
}

/// A code from a label: its words in upper case joined by `_`, as the documented API
/// makes them ("Utility bill" -> "UTILITY_BILL", "Bank statement (2024)" ->
/// "BANK_STATEMENT_2024").
pub fn code_from_label(label: &str) -> String {
    let mut code = String::new();
    for word in label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !code.is_empty() {
            code.push('_');
        }
        code.push_str(&word.to_ascii_uppercase());
    }
    code.truncate(90);
    if code.is_empty() {
        "ITEM".to_owned()
    } else {
        code
    }
}

/// A one-off item's code: letters of either case (generated codes are upper case),
/// digits and `_`, at most 100; codes compare exactly.
fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 100
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Checks a new item and settles its code (unique in the workspace: a generated code gets
/// `_2`, `_3`... when taken; a given one that is taken is refused).
async fn validate(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    item: &NewItem,
) -> Result<(String, FieldType)> {
    let mut errors = Vec::new();
    lead_input::required_text("label", &item.label, &mut errors);
    let field_type = item.field_type.unwrap_or(FieldType::Text);
    for (field, text) in [
        ("agentInstructions", &item.agent_instructions),
        ("clientInstructions", &item.client_instructions),
    ] {
        if let Some(text) = text {
            errors.extend(bounds::text(field, text, bounds::MAX_INSTRUCTIONS_CHARS));
        }
    }
    if let Some(config) = &item.config {
        if let Some(e) = bounds::json("config", config, bounds::MAX_CONFIG_BYTES) {
            errors.push(e);
        } else if let Err(e) = value::check_config(field_type, config) {
            errors.push(FieldError::new("config", e));
        }
    }
    if let Some(rules) = item.validation_rules.as_ref().filter(|r| !r.is_null()) {
        match rules.as_array().filter(|r| r.iter().all(Value::is_string)) {
            None => errors.push(FieldError::new(
                "validationRules",
                "must be a list of strings",
            )),
            Some(_) if !field_type.holds_documents() => errors.push(FieldError::new(
                "validationRules",
                "are for file items only",
            )),
            Some(list) => {
                let max = bounds::MAX_VALIDATION_RULES;
                errors.extend(bounds::list("validationRules", list.len(), max));
                for (i, rule) in list.iter().enumerate() {
                    errors.extend(bounds::text(
                        &format!("validationRules[{i}]"),
                        rule.as_str().unwrap_or_default(),
                        bounds::MAX_VALIDATION_RULE_CHARS,
                    ));
                }
            }
        }
    }
    let explicit = item
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(code) = explicit
        && !valid_code(code)
    {
        errors.push(FieldError::new(
            "code",
            "must be letters, digits and _ (at most 100)",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::BadInput(errors));
    }
    let base = explicit.map_or_else(|| code_from_label(&item.label), str::to_owned);
    let taken: Vec<String> = checklist_item::Entity::find()
        .select_only()
        .column(checklist_item::Column::Code)
        .filter(checklist_item::Column::WorkspaceId.eq(workspace_id))
        .filter(checklist_item::Column::Code.starts_with(&base))
        .into_tuple()
        .all(db)
        .await?;
    let code = if !taken.contains(&base) {
        base
    } else if explicit.is_some() {
        return Err(Error::bad_input(
            "code",
            format!("`{base}` is already used in this workspace"),
        ));
    } else {
        (2..)
            .map(|n| format!("{base}_{n}"))
            .find(|c| !taken.contains(c))
            .expect("an unused suffix exists")
    };
    Ok((code, field_type))
}

/// Adds a one-off item to `lead` inside the caller's transaction; returns the new item.
pub async fn add(
    db: &impl ConnectionTrait,
    lead: &lead::Model,
    item: &NewItem,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<checklist_item::Model> {
    let (code, field_type) = validate(db, lead.workspace_id, item).await?;
    let group = checklist_group::Entity::find()
        .filter(checklist_group::Column::LeadId.eq(lead.id))
        .one(db)
        .await?;
    // The lead is locked by the caller's transaction: concurrent adds count in turn.
    let (group_id, earlier) = match group {
        Some(group) => {
            let earlier = checklist_item::Entity::find()
                .filter(checklist_item::Column::GroupId.eq(group.id))
                .count(db)
                .await?;
            if earlier >= bounds::MAX_ONE_OFF_ITEMS {
                return Err(Error::bad_input(
                    "leadId",
                    format!(
                        "the lead already has {earlier} one-off checklist items (at most {})",
                        bounds::MAX_ONE_OFF_ITEMS
                    ),
                ));
            }
            (group.id, earlier)
        }
        None => {
            let id = Uuid::now_v7();
            checklist_group::Entity::insert(checklist_group::ActiveModel {
                id: Set(id),
                workspace_id: Set(lead.workspace_id),
                lead_id: Set(Some(lead.id)),
                name: Set(GROUP_NAME.to_owned()),
                conditions: Set(None),
                position: Set(GROUP_POSITION),
            })
            .exec_without_returning(db)
            .await?;
            (id, 0)
        }
    };
    let model = checklist_item::Model {
        id: Uuid::now_v7(),
        workspace_id: lead.workspace_id,
        group_id,
        lead_id: Some(lead.id),
        code,
        label: item.label.trim().to_owned(),
        field_type,
        is_required: item.is_required.unwrap_or(true),
        conditions: None,
        config: item.config.clone().filter(|c| !c.is_null()),
        validation_rules: item.validation_rules.clone().filter(|r| !r.is_null()),
        agent_instructions: item.agent_instructions.clone(),
        client_instructions: item.client_instructions.clone(),
        // After the lead's earlier one-off items.
        position: i32::try_from(earlier).unwrap_or(i32::MAX),
    };
    checklist_item::Entity::insert(checklist_item::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::bad_input(
                "code",
                format!("`{}` is already used in this workspace", model.code),
            ),
            _ => Error::from(e),
        })?;
    lead_checklist_item::Entity::insert(lead_checklist_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        lead_id: Set(lead.id),
        checklist_item_id: Set(model.id),
        value: Set(None),
        status: Set(ChecklistItemStatus::Todo),
        item_override: Set(None),
        auto_skipped: Set(false),
        alternate_values: Set(None),
        validation_error: Set(None),
        status_before_skip: Set(None),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(model)
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_come_from_labels() {
        assert_eq!(super::code_from_label("Utility bill"), "UTILITY_BILL");
        assert_eq!(
            super::code_from_label("Bank statement (2024)"),
            "BANK_STATEMENT_2024"
        );
        assert_eq!(super::code_from_label("  Owner's ID  "), "OWNER_S_ID");
        assert_eq!(super::code_from_label("¿?"), "ITEM");
    }
}
