//! `POST /api/v1/leads/{leadId}/checklist-items` (a one-off item for the lead, the
//! documented answer) and `GET /api/v1/leads/{leadId}/checklist` (the grouped checklist
//! alone, as in the lead's payload).

use std::sync::LazyLock;

use chrono::SecondsFormat;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::{
    checklist::one_off::NewItem,
    leads::{self, update::Target},
};
use crate::entities::enums::{ChecklistItemStatus, FieldType};
use crate::error::Error;
use crate::graphql::context::Caller;
use crate::http::AppState;

use super::{
    body::object,
    payload::{CHECKLIST_SELECTION, FixedQuery, read_lead, shaped_checklist},
    reading::{Choice, Slot},
};

const FIELD_TYPE: Choice<FieldType> = Choice {
    parse: FieldType::parse,
    expected: "must be one of TEXT, NUMBER, DATE, EMAIL, PHONE, SELECT, EIN, FILE, BANK_STATEMENT, ID, TAX_RETURN",
};

/// Reads the body of a new one-off item; every problem is reported at once.
fn new_item(body: &[u8]) -> Result<NewItem, Error> {
    let mut item = NewItem::default();
    let mut errors = Vec::new();
    let fields = object(body)?;
    if !fields.contains_key("label") {
        errors.push(crate::error::FieldError::new("label", "is required"));
    }
    for (key, value) in fields {
        let slot = Slot::new(key.clone(), value, &mut errors);
        match key.as_str() {
            "label" => item.label = slot.text().into_set().unwrap_or_default(),
            "fieldType" => item.field_type = slot.choice(&FIELD_TYPE).into_set(),
            "code" => item.code = slot.text().into_set(),
            "config" => item.config = Some(slot.json()).filter(|v| !v.is_null()),
            "isRequired" => item.is_required = slot.flag(),
            "agentInstructions" => item.agent_instructions = slot.text().into_set(),
            "clientInstructions" => item.client_instructions = slot.text().into_set(),
            "validationRules" => item.validation_rules = Some(slot.json()).filter(|v| !v.is_null()),
            _ => slot.unknown(),
        }
    }
    if errors.is_empty() {
        Ok(item)
    } else {
        Err(Error::BadInput(errors))
    }
}

/// Adds the item; answers `{success, checklistItem: {id, leadId, code, label, fieldType,
/// isRequired, status, agentInstructions, clientInstructions, createdAt}}`.
pub(super) async fn add_item(
    state: &AppState,
    caller: &Caller,
    lead_id: Uuid,
    body: &[u8],
) -> Result<Value, Error> {
    let item = new_item(body)?;
    let target = Target {
        id: lead_id,
        field: "leadId",
    };
    let (lead, added) =
        leads::update::add_checklist_item(&state.db, &caller.principal, target, &item).await?;
    Ok(json!({
        "success": true,
        "checklistItem": {
            "id": added.id.to_string(),
            "leadId": lead.id.to_string(),
            "code": added.code,
            "label": added.label,
            "fieldType": added.field_type.as_str(),
            "isRequired": added.is_required,
            "status": ChecklistItemStatus::Todo.as_str(),
            "agentInstructions": added.agent_instructions,
            "clientInstructions": added.client_instructions,
            // The item is made by this write, at the lead's new updatedAt.
            "createdAt": lead.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }))
}

/// The lead's checklist, grouped, in template order (the payload's `checklistItems`).
pub(super) async fn checklist(
    state: &AppState,
    caller: Caller,
    lead_id: Uuid,
) -> Result<Value, Error> {
    static QUERY: LazyLock<FixedQuery> = LazyLock::new(|| {
        FixedQuery::parse(format!(
            "query RestChecklist($id: ID!) {{ lead(id: $id) {{ {CHECKLIST_SELECTION} }} }}"
        ))
    });
    let mut lead = read_lead(state, caller, lead_id, &QUERY).await?;
    Ok(shaped_checklist(
        lead.shift_remove("checklistItems")
            .unwrap_or(Value::Array(Vec::new())),
    ))
}
