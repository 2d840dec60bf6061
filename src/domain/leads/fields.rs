//! A lead's own fields: a request's patches validated into the lead (a new one on create,
//! the stored one on update), and how the action log records them. Each kind of field has
//! one rule here, so create and update cannot drift apart.
//!
//! A new lead field touches `LeadInput`, its rule in `apply` and its line in `recorded`.

use serde_json::{Map, Value, json};

use crate::domain::{
    email::Email,
    lead_input::{self, LeadInput, Patch},
    phone::Phone,
    phone_zones, timezone,
};
use crate::entities::lead;
use crate::error::FieldError;

use super::sort_name;

type Now = chrono::DateTime<chrono::Utc>;

/// The lead with `input`'s field patches applied, each validated by its kind's rule
/// (problems go to `errors`). `current` is the stored lead, or a new lead's defaults when
/// `is_new`: there `null` is the same as absent, as a new lead has nothing to clear.
/// Tags, checklist and status are the write paths'.
pub(crate) fn apply(
    current: &lead::Model,
    input: &LeadInput,
    is_new: bool,
    default_region: &str,
    now: Now,
    errors: &mut Vec<FieldError>,
) -> lead::Model {
    let mut next = current.clone();
    match &input.first_name {
        Patch::Set(raw) => {
            if let Some(name) = lead_input::required_text("firstName", raw, errors) {
                next.first_name = name;
            }
        }
        _ if is_new => errors.push(FieldError::new("firstName", "is required")),
        Patch::Clear => errors.push(FieldError::new("firstName", "cannot be cleared")),
        Patch::Keep => {}
    }
    text(
        "middleName",
        &input.middle_name,
        &mut next.middle_name,
        errors,
    );
    text("lastName", &input.last_name, &mut next.last_name, errors);
    text(
        "businessName",
        &input.business_name,
        &mut next.business_name,
        errors,
    );
    text("website", &input.website, &mut next.website, errors);
    text(
        "externalLeadId",
        &input.external_lead_id,
        &mut next.external_lead_id,
        errors,
    );
    if let Some(email) = parsed("email", &input.email, Email::parse, errors) {
        next.email_key = email.as_ref().map(Email::match_key);
        next.email = email.map(|e| e.as_str().to_owned());
    }
    let phone = |raw: &str| Phone::parse(raw, default_region);
    if let Some(phone) = parsed("phoneNumber", &input.phone_number, phone, errors) {
        next.phone_e164 = phone.as_ref().and_then(|p| p.e164.clone());
        next.phone_number = phone.map(|p| p.display);
    }
    if let Some(zone) = parsed("timezone", &input.timezone, timezone::parse, errors) {
        next.timezone = zone;
    }
    if is_new && next.timezone.is_none() {
        // Created without a time zone: the phone's, when it tells one (area code or country).
        next.timezone = next
            .phone_e164
            .as_deref()
            .and_then(phone_zones::of_e164)
            .map(str::to_owned);
    }
    match input.assignee_type {
        Patch::Set(assignee) => next.assignee_type = assignee,
        Patch::Clear if !is_new => {
            errors.push(FieldError::new("assigneeType", "cannot be cleared"));
        }
        Patch::Clear | Patch::Keep => {}
    }
    if let Some(wanted) = input.did_opt_out {
        opt_out(current, &mut next, wanted, now);
    }
    if let Some(verified) = input.email_verified {
        // Verifying again keeps the first time.
        next.email_verified_at = verified.then(|| current.email_verified_at.unwrap_or(now));
    }
    next.sort_name = sort_name(
        &next.first_name,
        next.middle_name.as_deref(),
        next.last_name.as_deref(),
    );
    next
}

/// Sets whether `next` opted out; `optOutAt` is when it last did.
pub(crate) fn opt_out(current: &lead::Model, next: &mut lead::Model, wanted: bool, now: Now) {
    next.did_opt_out = wanted;
    next.opt_out_at = match (current.did_opt_out, wanted) {
        (false, true) => Some(now),
        (true, true) => current.opt_out_at,
        (_, false) => None,
    };
}

/// A free-text field: trimmed, empty or null clears it.
fn text(
    field: &str,
    patch: &Patch<String>,
    value: &mut Option<String>,
    errors: &mut Vec<FieldError>,
) {
    match patch {
        Patch::Keep => {}
        Patch::Clear => *value = None,
        Patch::Set(raw) => *value = lead_input::text(field, Some(raw), errors),
    }
}

/// A field parsed from text (email, phone, time zone): `None` leaves it, `Some(None)`
/// clears it (null or blank), `Some(Some(v))` sets it; a value that does not parse is
/// reported and leaves it.
fn parsed<T>(
    field: &str,
    patch: &Patch<String>,
    parse: impl FnOnce(&str) -> Result<T, &'static str>,
    errors: &mut Vec<FieldError>,
) -> Option<Option<T>> {
    match patch {
        Patch::Keep => None,
        Patch::Set(raw) if !raw.trim().is_empty() => match parse(raw) {
            Ok(value) => Some(Some(value)),
            Err(message) => {
                errors.push(FieldError::new(field, message));
                None
            }
        },
        Patch::Set(_) | Patch::Clear => Some(None),
    }
}

/// The tags a request sets (`None` leaves them); null or `[]` removes them all.
pub(crate) fn tags(
    patch: &Patch<Vec<String>>,
    errors: &mut Vec<FieldError>,
) -> Option<Vec<String>> {
    match patch {
        Patch::Keep => None,
        Patch::Clear => Some(Vec::new()),
        Patch::Set(list) => Some(lead_input::parse_tags(list, errors)),
    }
}

/// Every field a client writes, by its API name, with the value the action log records.
fn recorded(lead: &lead::Model) -> [(&'static str, Value); 12] {
    [
        ("firstName", json!(lead.first_name)),
        ("middleName", json!(lead.middle_name)),
        ("lastName", json!(lead.last_name)),
        ("email", json!(lead.email)),
        ("phoneNumber", json!(lead.phone_number)),
        ("businessName", json!(lead.business_name)),
        ("website", json!(lead.website)),
        ("externalLeadId", json!(lead.external_lead_id)),
        ("timezone", json!(lead.timezone)),
        ("assigneeType", json!(lead.assignee_type.as_str())),
        ("didOptOut", json!(lead.did_opt_out)),
        ("emailVerified", json!(lead.email_verified_at.is_some())),
    ]
}

/// What a new lead was given: every field that holds something (not null, not false).
pub(crate) fn given(lead: &lead::Model) -> Map<String, Value> {
    recorded(lead)
        .into_iter()
        .filter(|(_, value)| !value.is_null() && *value != Value::Bool(false))
        .map(|(field, value)| (field.to_owned(), value))
        .collect()
}

/// `field: {from, to}` for every field that changed.
pub(crate) fn diff(current: &lead::Model, next: &lead::Model) -> Map<String, Value> {
    recorded(current)
        .into_iter()
        .zip(recorded(next))
        .filter(|((_, from), (_, to))| from != to)
        .map(|((field, from), (_, to))| (field.to_owned(), json!({ "from": from, "to": to })))
        .collect()
}
