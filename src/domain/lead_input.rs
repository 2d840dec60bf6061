//! What a client asks to write on a lead (`LeadInput`: a patch per field, checklist
//! updates) and the text, tag and checklist checks every write shares.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::entities::{
    checklist_item,
    enums::{AssigneeType, ChecklistItemStatus},
};
use crate::error::{Error, FieldError, Result};

use super::bounds;
use super::checklist::{Template, value};

/// Longest free-text lead field we accept (names, business name, website, ids).
const MAX_TEXT: usize = 500;
/// Most tags on one lead, and the longest tag.
const MAX_TAGS: usize = 50;
pub(crate) const MAX_TAG_LEN: usize = 64;
/// Most checklist updates in one request.
const MAX_CHECKLIST_UPDATES: usize = 500;
/// Most alternate values one item keeps.
const MAX_ALTERNATE_VALUES: usize = 20;

/// A partial change to one field.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    /// Absent: leave as is.
    #[default]
    Keep,
    /// Null: clear.
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    /// The value set, if any: for fields where `null` is the same as absent.
    pub fn into_set(self) -> Option<T> {
        match self {
            Self::Set(value) => Some(value),
            Self::Keep | Self::Clear => None,
        }
    }
}

/// What a request writes on a lead, one patch per field, for create and update alike.
/// Create applies it to a new lead (where clearing a field is the same as not giving it),
/// update to the lead as stored; `leads::fields` validates each patch into the lead.
#[derive(Debug, Clone, Default)]
pub struct LeadInput {
    /// Required on a new lead; cannot be cleared.
    pub first_name: Patch<String>,
    pub middle_name: Patch<String>,
    pub last_name: Patch<String>,
    pub email: Patch<String>,
    pub phone_number: Patch<String>,
    pub business_name: Patch<String>,
    pub website: Patch<String>,
    pub external_lead_id: Patch<String>,
    pub timezone: Patch<String>,
    /// AI agent on a new lead; cannot be cleared.
    pub assignee_type: Patch<AssigneeType>,
    /// `None` leaves it (false on a new lead).
    pub did_opt_out: Option<bool>,
    /// `None` leaves it (false on a new lead).
    pub email_verified: Option<bool>,
    /// `Set(vec![])` or `Clear` removes every tag.
    pub tags: Patch<Vec<String>>,
    pub checklist_items: Vec<ChecklistUpdate>,
    /// What the adapter found wrong while reading the request (a REST body's wrong JSON
    /// types or unknown names). The domain reports these with its own problems, so a
    /// client sees every problem of a request at once.
    pub read_errors: Vec<FieldError>,
}

impl LeadInput {
    /// Refuses the request when reading or validating it found any problem: the read
    /// errors first, then validation's, less those about a field that could not be read
    /// (a `firstName` of the wrong type is not also reported missing).
    pub(crate) fn refuse_problems(&self, found: Vec<FieldError>) -> Result<()> {
        let unread = |field: &str| {
            self.read_errors.iter().any(|read| {
                field
                    .strip_prefix(read.field.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
            })
        };
        let mut errors = self.read_errors.clone();
        errors.extend(found.into_iter().filter(|e| !unread(&e.field)));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::BadInput(errors))
        }
    }
}

/// One checklist update by item code.
#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistUpdate {
    pub code: String,
    /// `None` leaves the value as is; `Some(Value::Null)` clears it.
    pub value: Option<Value>,
    pub status: Option<ChecklistItemStatus>,
    /// Other values the lead gave: `None` leaves them, `Some(Value::Null)` clears them,
    /// else a JSON array.
    pub alternate_values: Option<Value>,
}

/// A checklist update that passed validation, bound to its template item.
#[derive(Debug, Clone)]
pub struct ValidUpdate {
    pub item: checklist_item::Model,
    /// `None` leaves the value as is; `Some(Value::Null)` clears it; values are in normal form.
    pub value: Option<Value>,
    /// As sent; see `resolve`.
    pub status: Option<ChecklistItemStatus>,
    /// Why `value`, sent with status INVALID, failed the item's checks (stored as sent).
    pub validation_error: Option<String>,
    /// As `ChecklistUpdate::alternate_values`, each value in normal form when it passes.
    pub alternate_values: Option<Value>,
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
        // Every JSON value is bounded, whatever the item's type (and an INVALID one too).
        let mut oversized = Vec::new();
        if let Some(value) = &update.value {
            let field = format!("checklistItems[{i}].value");
            oversized.extend(bounds::json(
                &field,
                value,
                bounds::MAX_CHECKLIST_VALUE_BYTES,
            ));
        }
        if let Some(Value::Array(list)) = &update.alternate_values {
            for (j, alternate) in list.iter().enumerate() {
                let field = format!("checklistItems[{i}].alternateValues[{j}]");
                oversized.extend(bounds::json(
                    &field,
                    alternate,
                    bounds::MAX_CHECKLIST_VALUE_BYTES,
                ));
            }
        }
        if !oversized.is_empty() {
            errors.extend(oversized);
            continue;
        }
        // A value sent as INVALID is what the lead gave: it may fail its checks, and is
        // stored as sent with the reason.
        let invalid = update.status == Some(ChecklistItemStatus::Invalid);
        let mut validation_error = None;
        let value = match update
            .value
            .as_ref()
            .map(|v| (v, value::check(item, v, default_region)))
        {
            Some((sent, Err(message))) if invalid => {
                validation_error = Some(message);
                Some(sent.clone())
            }
            Some((_, Err(message))) => {
                errors.push(FieldError::new(
                    format!("checklistItems[{i}].value"),
                    format!("({code}) {message}"),
                ));
                continue;
            }
            Some((_, Ok(v))) => Some(v),
            None => None,
        };
        let alternate_values = match &update.alternate_values {
            None => None,
            Some(Value::Null) => Some(Value::Null),
            Some(Value::Array(list)) if list.len() > MAX_ALTERNATE_VALUES => {
                errors.push(FieldError::new(
                    format!("checklistItems[{i}].alternateValues"),
                    format!("has more than {MAX_ALTERNATE_VALUES} values"),
                ));
                continue;
            }
            Some(Value::Array(list)) => {
                let mut checked = Vec::with_capacity(list.len());
                for (j, alternate) in list.iter().enumerate() {
                    match value::check(item, alternate, default_region) {
                        Ok(v) if !v.is_null() => checked.push(v),
                        Ok(_) => errors.push(FieldError::new(
                            format!("checklistItems[{i}].alternateValues[{j}]"),
                            "must not be null",
                        )),
                        // Like the value, an INVALID item keeps what the lead gave.
                        Err(_) if invalid => checked.push(alternate.clone()),
                        Err(message) => errors.push(FieldError::new(
                            format!("checklistItems[{i}].alternateValues[{j}]"),
                            format!("({code}) {message}"),
                        )),
                    }
                }
                Some(Value::Array(checked))
            }
            Some(_) => {
                errors.push(FieldError::new(
                    format!("checklistItems[{i}].alternateValues"),
                    "must be a list of values",
                ));
                continue;
            }
        };
        valid.push(ValidUpdate {
            item: item.clone(),
            value,
            status: update.status,
            validation_error,
            alternate_values,
        });
    }
    valid
}
