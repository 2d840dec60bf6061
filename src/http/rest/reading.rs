//! Reading one JSON value of a REST body as the type its field wants. Each reader names
//! the field as the client wrote it (`email`, `checklistItems[0].status`) and records a
//! plain message when the value is of the wrong type, then carries on, so every problem
//! of a body is reported together.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::domain::lead_input::{ChecklistUpdate, Patch};
use crate::entities::enums::ChecklistItemStatus;
use crate::error::FieldError;

/// A value of the body and where it is.
pub(super) struct Slot<'a> {
    field: String,
    value: Value,
    errors: &'a mut Vec<FieldError>,
}

/// An enum as every REST field reads one: trimmed, in any case, by its upper-case
/// spelling (`parse`); `expected` is the message for anything else.
pub(super) struct Choice<T> {
    pub parse: fn(&str) -> Option<T>,
    pub expected: &'static str,
}

const CHECKLIST_STATUS: Choice<ChecklistItemStatus> = Choice {
    parse: ChecklistItemStatus::parse,
    expected: "must be TODO, COMPLETED, INVALID, SKIPPED or NEEDS_REVIEW",
};

impl<'a> Slot<'a> {
    pub(super) fn new(field: String, value: Value, errors: &'a mut Vec<FieldError>) -> Self {
        Self {
            field,
            value,
            errors,
        }
    }

    /// The value of `key` inside this one (an object).
    fn child(&mut self, key: &str, value: Value) -> Slot<'_> {
        Slot::new(format!("{}.{key}", self.field), value, self.errors)
    }

    fn wrong(self, message: &str) {
        self.errors.push(FieldError::new(self.field, message));
    }

    /// A field the request does not have: refused by name, so a typo never drops data.
    pub(super) fn unknown(self) {
        self.wrong("is not a known field");
    }

    /// A string; `null` clears.
    pub(super) fn text(self) -> Patch<String> {
        match self.value {
            Value::Null => Patch::Clear,
            Value::String(text) => Patch::Set(text),
            _ => {
                self.wrong("must be a string");
                Patch::Keep
            }
        }
    }

    /// The value as sent, for fields the domain checks itself (`config`).
    pub(super) fn json(self) -> Value {
        self.value
    }

    /// A boolean; `null` is the same as absent.
    pub(super) fn flag(self) -> Option<bool> {
        match self.value {
            Value::Null => None,
            Value::Bool(flag) => Some(flag),
            _ => {
                self.wrong("must be true or false");
                None
            }
        }
    }

    /// One of an enum's values; `null` clears.
    pub(super) fn choice<T>(self, choice: &Choice<T>) -> Patch<T> {
        let parsed = match &self.value {
            Value::Null => return Patch::Clear,
            Value::String(raw) => (choice.parse)(&raw.trim().to_ascii_uppercase()),
            _ => None,
        };
        match parsed {
            Some(value) => Patch::Set(value),
            None => {
                self.wrong(choice.expected);
                Patch::Keep
            }
        }
    }

    /// A lead id; `None` (reported) when it is not one.
    pub(super) fn lead_id(self) -> Option<Uuid> {
        let id = self
            .value
            .as_str()
            .and_then(|raw| Uuid::parse_str(raw).ok());
        if id.is_none() {
            self.wrong("must be a lead id (a UUID)");
        }
        id
    }

    /// A list of strings; `null` clears. A list holding anything else is reported item by
    /// item and left out whole (validating the rest would shift their indexes).
    pub(super) fn strings(self) -> Patch<Vec<String>> {
        let list = match self.value {
            Value::Null => return Patch::Clear,
            Value::Array(list) => list,
            _ => {
                self.wrong("must be a list of strings");
                return Patch::Keep;
            }
        };
        let before = self.errors.len();
        let mut strings = Vec::with_capacity(list.len());
        for (i, value) in list.into_iter().enumerate() {
            match value {
                Value::String(text) => strings.push(text),
                _ => self.errors.push(FieldError::new(
                    format!("{}[{i}]", self.field),
                    "must be a string",
                )),
            }
        }
        if self.errors.len() > before {
            Patch::Keep
        } else {
            Patch::Set(strings)
        }
    }

    /// Checklist updates, `[{code, value?, status?}]`; `null` is none. An item that cannot
    /// be read keeps its place with what could be read, so the items after it keep their
    /// index in errors (and validation's errors about what was unreadable are dropped).
    pub(super) fn checklist(mut self) -> Vec<ChecklistUpdate> {
        let list = match std::mem::take(&mut self.value) {
            Value::Null => return Vec::new(),
            Value::Array(list) => list,
            _ => {
                self.wrong("must be a list of checklist updates");
                return Vec::new();
            }
        };
        list.into_iter()
            .enumerate()
            .map(|(i, item)| {
                let at = format!("{}[{i}]", self.field);
                Slot::new(at, item, self.errors).checklist_update()
            })
            .collect()
    }

    fn checklist_update(mut self) -> ChecklistUpdate {
        let mut update = ChecklistUpdate {
            code: String::new(),
            value: None,
            status: None,
            alternate_values: None,
        };
        let Some(fields) = self.object() else {
            return update;
        };
        if !fields.contains_key("code") {
            self.child("code", Value::Null).wrong("is required");
        }
        for (key, value) in fields {
            let slot = self.child(&key, value);
            match key.as_str() {
                "code" => update.code = slot.string().unwrap_or_default(),
                // Present, even as `null` (which clears the value).
                "value" => update.value = Some(slot.value),
                // `null` is the same as absent.
                "status" => update.status = slot.choice(&CHECKLIST_STATUS).into_set(),
                // Present, even as `null` (which clears them); the domain checks the list.
                "alternateValues" => update.alternate_values = Some(slot.value),
                _ => slot.unknown(),
            }
        }
        update
    }

    /// A string that must be there.
    fn string(self) -> Option<String> {
        match self.value {
            Value::String(text) => Some(text),
            _ => {
                self.wrong("must be a string");
                None
            }
        }
    }

    /// The value's fields; `None` (reported) when it is not an object.
    pub(super) fn object(&mut self) -> Option<Map<String, Value>> {
        match std::mem::take(&mut self.value) {
            Value::Object(fields) => Some(fields),
            _ => {
                let field = self.field.clone();
                self.errors
                    .push(FieldError::new(field, "must be a JSON object"));
                None
            }
        }
    }
}
