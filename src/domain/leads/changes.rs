//! What an update asks of a lead (`LeadChanges`), applying its field patches, and
//! recording what changed.

use serde_json::{Map, Value, json};

use crate::domain::{
    email::Email,
    lead_input::{self, ChecklistUpdate},
    phone::Phone,
    timezone,
};
use crate::entities::{
    enums::{AssigneeType, LeadStatus},
    lead,
};
use crate::error::FieldError;

use super::sort_name;

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

/// What an update asks for; every field is optional.
#[derive(Debug, Clone, Default)]
pub struct LeadChanges {
    pub first_name: Patch<String>,
    pub middle_name: Patch<String>,
    pub last_name: Patch<String>,
    pub email: Patch<String>,
    pub phone_number: Patch<String>,
    pub business_name: Patch<String>,
    pub website: Patch<String>,
    pub external_lead_id: Patch<String>,
    pub timezone: Patch<String>,
    pub assignee_type: Patch<AssigneeType>,
    pub did_opt_out: Option<bool>,
    pub email_verified: Option<bool>,
    pub status: Option<LeadStatus>,
    /// `Set(vec![])` or `Clear` removes every tag.
    pub tags: Patch<Vec<String>>,
    pub checklist_items: Vec<ChecklistUpdate>,
}

/// Records `field: {from, to}` when a value changes.
pub(crate) struct Diff(pub Map<String, Value>);

impl Diff {
    pub(crate) fn record<T: serde::Serialize + PartialEq>(
        &mut self,
        field: &str,
        from: &T,
        to: &T,
    ) {
        if from != to {
            self.0
                .insert(field.to_owned(), json!({ "from": from, "to": to }));
        }
    }
}

/// Applies a text patch: trimmed, empty means clear; `required` fields cannot be cleared.
fn text_patch(
    field: &str,
    patch: &Patch<String>,
    current: &Option<String>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match patch {
        Patch::Keep => current.clone(),
        Patch::Clear => None,
        Patch::Set(raw) => lead_input::text(field, Some(raw), errors),
    }
}

/// The lead with the request's field patches applied (validated; problems go to `errors`).
/// Tags, checklist, status and verification are the write path's.
pub(crate) fn apply_fields(
    current: &lead::Model,
    changes: &LeadChanges,
    default_region: &str,
    errors: &mut Vec<FieldError>,
) -> lead::Model {
    let mut next = current.clone();
    match &changes.first_name {
        Patch::Keep => {}
        Patch::Clear => errors.push(FieldError::new("firstName", "cannot be cleared")),
        Patch::Set(raw) => {
            if let Some(name) = lead_input::required_text("firstName", raw, errors) {
                next.first_name = name;
            }
        }
    }
    next.middle_name = text_patch(
        "middleName",
        &changes.middle_name,
        &current.middle_name,
        errors,
    );
    next.last_name = text_patch("lastName", &changes.last_name, &current.last_name, errors);
    next.business_name = text_patch(
        "businessName",
        &changes.business_name,
        &current.business_name,
        errors,
    );
    next.website = text_patch("website", &changes.website, &current.website, errors);
    next.external_lead_id = text_patch(
        "externalLeadId",
        &changes.external_lead_id,
        &current.external_lead_id,
        errors,
    );
    match &changes.email {
        Patch::Keep => {}
        Patch::Set(raw) if !raw.trim().is_empty() => match Email::parse(raw) {
            Ok(email) => {
                next.email = Some(email.as_str().to_owned());
                next.email_key = Some(email.match_key());
            }
            Err(e) => errors.push(FieldError::new("email", e)),
        },
        Patch::Set(_) | Patch::Clear => {
            next.email = None;
            next.email_key = None;
        }
    }
    match &changes.phone_number {
        Patch::Keep => {}
        Patch::Set(raw) if !raw.trim().is_empty() => match Phone::parse(raw, default_region) {
            Ok(phone) => {
                next.phone_number = Some(phone.display);
                next.phone_e164 = phone.e164;
            }
            Err(e) => errors.push(FieldError::new("phoneNumber", e)),
        },
        Patch::Set(_) | Patch::Clear => {
            next.phone_number = None;
            next.phone_e164 = None;
        }
    }
    match &changes.timezone {
        Patch::Keep => {}
        Patch::Set(raw) if !raw.trim().is_empty() => match timezone::parse(raw) {
            Ok(tz) => next.timezone = Some(tz),
            Err(e) => errors.push(FieldError::new("timezone", e)),
        },
        Patch::Set(_) | Patch::Clear => next.timezone = None,
    }
    match changes.assignee_type {
        Patch::Keep => {}
        Patch::Clear => errors.push(FieldError::new("assigneeType", "cannot be cleared")),
        Patch::Set(assignee) => next.assignee_type = assignee,
    }
    next.sort_name = sort_name(
        &next.first_name,
        next.middle_name.as_deref(),
        next.last_name.as_deref(),
    );
    next
}

/// `field: {from, to}` for every lead field that changed.
pub(crate) fn field_diff(current: &lead::Model, next: &lead::Model) -> Diff {
    let mut diff = Diff(Map::new());
    diff.record("firstName", &current.first_name, &next.first_name);
    diff.record("middleName", &current.middle_name, &next.middle_name);
    diff.record("lastName", &current.last_name, &next.last_name);
    diff.record("email", &current.email, &next.email);
    diff.record("phoneNumber", &current.phone_number, &next.phone_number);
    diff.record("businessName", &current.business_name, &next.business_name);
    diff.record("website", &current.website, &next.website);
    diff.record(
        "externalLeadId",
        &current.external_lead_id,
        &next.external_lead_id,
    );
    diff.record("timezone", &current.timezone, &next.timezone);
    diff.record(
        "assigneeType",
        &current.assignee_type.as_str(),
        &next.assignee_type.as_str(),
    );
    diff.record(
        "emailVerified",
        &current.email_verified_at.is_some(),
        &next.email_verified_at.is_some(),
    );

    diff
}
