//! What a client asks to write on a lead, and its validation into a `ValidLead`.
//! Parse, don't validate: everything past `ValidLead::parse` holds only good values.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::entities::{
    checklist_item,
    enums::{AssigneeType, ChecklistItemStatus},
};
use crate::error::{Error, FieldError, Result};

use super::{checklist::Template, checklist::value, email::Email, phone::Phone, timezone};

/// Longest free-text lead field we accept (names, business name, website, ids).
const MAX_TEXT: usize = 500;
/// Most tags on one lead, and the longest tag.
const MAX_TAGS: usize = 50;
const MAX_TAG_LEN: usize = 64;
/// Most checklist updates in one request.
const MAX_CHECKLIST_UPDATES: usize = 500;

/// A createLead request as the client sent it (transport-neutral).
#[derive(Debug, Clone, Default)]
pub struct NewLead {
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub business_name: Option<String>,
    pub website: Option<String>,
    pub external_lead_id: Option<String>,
    pub timezone: Option<String>,
    pub assignee_type: Option<AssigneeType>,
    pub did_opt_out: Option<bool>,
    pub email_verified: Option<bool>,
    pub tags: Option<Vec<String>>,
    pub checklist_items: Vec<ChecklistUpdate>,
}

/// One checklist update by item code.
#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistUpdate {
    pub code: String,
    /// `None` leaves the value as is; `Some(Value::Null)` clears it.
    pub value: Option<Value>,
    pub status: Option<ChecklistItemStatus>,
}

/// A checklist update that passed validation, bound to its template item.
#[derive(Debug, Clone)]
pub struct ValidUpdate {
    pub item: checklist_item::Model,
    /// `None` leaves the value as is; `Some(Value::Null)` clears it; values are in normal form.
    pub value: Option<Value>,
    /// As sent; see `resolve`.
    pub status: Option<ChecklistItemStatus>,
}

impl ValidUpdate {
    /// The value and status the item ends up with, from what it holds now. A value without
    /// a status completes the item, clearing a value reopens it, a bare status sets just
    /// the status.
    pub fn resolve(
        &self,
        value: Option<&Value>,
        status: ChecklistItemStatus,
    ) -> (Option<Value>, ChecklistItemStatus) {
        let new_value = match &self.value {
            None => value.cloned(),
            Some(Value::Null) => None,
            Some(v) => Some(v.clone()),
        };
        let new_status = self.status.unwrap_or(match &self.value {
            None => status,
            Some(Value::Null) => ChecklistItemStatus::Todo,
            Some(_) => ChecklistItemStatus::Completed,
        });
        (new_value, new_status)
    }

    /// How `changes` records this update.
    pub fn change(&self, value: Option<&Value>, status: ChecklistItemStatus) -> Value {
        json!({ "code": self.item.code, "value": value, "status": status.as_str() })
    }
}

/// A createLead request that passed validation.
#[derive(Debug, Clone)]
pub struct ValidLead {
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub business_name: Option<String>,
    pub website: Option<String>,
    pub external_lead_id: Option<String>,
    pub timezone: Option<String>,
    pub assignee_type: AssigneeType,
    pub did_opt_out: bool,
    pub email_verified: bool,
    /// Unique case-insensitively, first spelling kept, in request order.
    pub tags: Vec<String>,
    pub checklist: Vec<ValidUpdate>,
}

/// Trims an optional text field; empty means absent.
pub(crate) fn text(
    field: &str,
    raw: Option<&String>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let trimmed = raw?.trim();
    if trimmed.chars().count() > MAX_TEXT {
        errors.push(FieldError::new(
            field,
            format!("is too long (at most {MAX_TEXT} characters)"),
        ));
        return None;
    }
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// Trims a required text field (at most 500 characters); empty is an error.
pub(crate) fn required_text(
    field: &str,
    raw: &str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let before = errors.len();
    let value = text(field, Some(&raw.to_owned()), errors);
    if value.is_none() && errors.len() == before {
        errors.push(FieldError::new(field, "must not be empty"));
    }
    value
}

impl ValidLead {
    /// Validates every field and collects every problem, so a client fixes them in one go.
    pub fn parse(input: &NewLead, template: &Template, default_region: &str) -> Result<Self> {
        let mut errors = Vec::new();
        let first_name = required_text("firstName", &input.first_name, &mut errors);
        let email = input
            .email
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .and_then(|raw| {
                Email::parse(raw)
                    .map_err(|e| errors.push(FieldError::new("email", e)))
                    .ok()
            });
        let phone = input
            .phone_number
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .and_then(|raw| {
                Phone::parse(raw, default_region)
                    .map_err(|e| errors.push(FieldError::new("phoneNumber", e)))
                    .ok()
            });
        let timezone = input
            .timezone
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .and_then(|raw| {
                timezone::parse(raw)
                    .map_err(|e| errors.push(FieldError::new("timezone", e)))
                    .ok()
            });
        let valid = Self {
            first_name: first_name.unwrap_or_default(),
            middle_name: text("middleName", input.middle_name.as_ref(), &mut errors),
            last_name: text("lastName", input.last_name.as_ref(), &mut errors),
            email,
            phone,
            business_name: text("businessName", input.business_name.as_ref(), &mut errors),
            website: text("website", input.website.as_ref(), &mut errors),
            external_lead_id: text(
                "externalLeadId",
                input.external_lead_id.as_ref(),
                &mut errors,
            ),
            timezone,
            assignee_type: input.assignee_type.unwrap_or(AssigneeType::AiAgent),
            did_opt_out: input.did_opt_out.unwrap_or(false),
            email_verified: input.email_verified.unwrap_or(false),
            tags: parse_tags(input.tags.as_deref().unwrap_or_default(), &mut errors),
            checklist: parse_checklist(
                &input.checklist_items,
                template,
                default_region,
                &mut errors,
            ),
        };
        if errors.is_empty() {
            Ok(valid)
        } else {
            Err(Error::BadInput(errors))
        }
    }

    /// Every update of the request, grouped, as the action log's `changes` records it.
    pub fn changes(&self) -> Value {
        let mut lead = Map::new();
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                lead.insert(key.to_owned(), value);
            }
        };
        put("firstName", Some(json!(self.first_name)));
        put("middleName", self.middle_name.as_ref().map(|v| json!(v)));
        put("lastName", self.last_name.as_ref().map(|v| json!(v)));
        put("email", self.email.as_ref().map(|v| json!(v.as_str())));
        put("phoneNumber", self.phone.as_ref().map(|v| json!(v.display)));
        put(
            "businessName",
            self.business_name.as_ref().map(|v| json!(v)),
        );
        put("website", self.website.as_ref().map(|v| json!(v)));
        put(
            "externalLeadId",
            self.external_lead_id.as_ref().map(|v| json!(v)),
        );
        put("timezone", self.timezone.as_ref().map(|v| json!(v)));
        put("assigneeType", Some(json!(self.assignee_type.as_str())));
        put("didOptOut", self.did_opt_out.then_some(json!(true)));
        put("emailVerified", self.email_verified.then_some(json!(true)));
        let checklist: Vec<Value> = self
            .checklist
            .iter()
            .map(|u| {
                let (value, status) = u.resolve(None, ChecklistItemStatus::Todo);
                u.change(value.as_ref(), status)
            })
            .collect();
        json!({ "lead": lead, "tags": self.tags, "checklistItems": checklist })
    }
}

pub(crate) fn parse_tags(raw: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    if raw.len() > MAX_TAGS {
        errors.push(FieldError::new(
            "tags",
            format!("has more than {MAX_TAGS} tags"),
        ));
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut tags = Vec::new();
    for (i, tag) in raw.iter().enumerate() {
        let tag = tag.trim();
        if tag.is_empty() {
            errors.push(FieldError::new(format!("tags[{i}]"), "must not be empty"));
        } else if tag.chars().count() > MAX_TAG_LEN {
            errors.push(FieldError::new(
                format!("tags[{i}]"),
                format!("is too long (at most {MAX_TAG_LEN} characters)"),
            ));
        } else if seen.insert(tag.to_lowercase()) {
            tags.push(tag.to_owned());
        }
    }
    tags
}

pub(crate) fn parse_checklist(
    updates: &[ChecklistUpdate],
    template: &Template,
    default_region: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<ValidUpdate> {
    if updates.len() > MAX_CHECKLIST_UPDATES {
        errors.push(FieldError::new(
            "checklistItems",
            format!("has more than {MAX_CHECKLIST_UPDATES} updates"),
        ));
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut valid = Vec::new();
    for (i, update) in updates.iter().enumerate() {
        let code = update.code.trim();
        let Some(item) = template.item_by_code(code) else {
            errors.push(FieldError::new(
                format!("checklistItems[{i}].code"),
                format!("`{code}` is not a checklist item of this workspace"),
            ));
            continue;
        };
        if !seen.insert(code) {
            errors.push(FieldError::new(
                format!("checklistItems[{i}].code"),
                format!("`{code}` is updated twice"),
            ));
            continue;
        }
        let value = match update
            .value
            .as_ref()
            .map(|v| value::check(item, v, default_region))
        {
            Some(Err(message)) => {
                errors.push(FieldError::new(
                    format!("checklistItems[{i}].value"),
                    format!("({code}) {message}"),
                ));
                continue;
            }
            Some(Ok(v)) => Some(v),
            None => None,
        };
        valid.push(ValidUpdate {
            item: item.clone(),
            value,
            status: update.status,
        });
    }
    valid
}
