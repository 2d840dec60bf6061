//! The REST request bodies, read into the domain's inputs through one table of lead
//! fields. A body is read as JSON, then field by field (not by serde's derive, which stops
//! at the first problem and words it for Rust), so every problem of a request is reported
//! at once, in plain words, under the name the client wrote.

use serde_json::{Map, Value, error::Category};

use crate::domain::{
    lead_input::LeadInput,
    leads::update::{LeadChanges, Target},
};
use crate::entities::enums::{AssigneeType, LeadStatus};
use crate::error::{Error, FieldError};

use super::{
    json,
    reading::{Choice, Slot},
};

/// Reads one body field into the lead input.
type ReadField = fn(&mut LeadInput, Slot<'_>);

/// The lead fields create and update bodies carry, by REST name.
const LEAD_FIELDS: &[(&str, ReadField)] = &[
    ("firstName", |lead, v| lead.first_name = v.text()),
    ("middleName", |lead, v| lead.middle_name = v.text()),
    ("lastName", |lead, v| lead.last_name = v.text()),
    ("email", |lead, v| lead.email = v.text()),
    ("phoneNumber", |lead, v| lead.phone_number = v.text()),
    ("businessName", |lead, v| lead.business_name = v.text()),
    ("website", |lead, v| lead.website = v.text()),
    ("externalLeadId", |lead, v| lead.external_lead_id = v.text()),
    ("timezone", |lead, v| lead.timezone = v.text()),
    ("assigneeType", |lead, v| {
        lead.assignee_type = v.choice(&ASSIGNEE)
    }),
    ("didOptOut", |lead, v| lead.did_opt_out = v.flag()),
    ("emailVerified", |lead, v| lead.email_verified = v.flag()),
    ("tags", |lead, v| lead.tags = v.strings()),
    ("checklistItems", |lead, v| {
        lead.checklist_items = v.checklist()
    }),
];

/// The documented API names the assignee `agent` (AI) or `manual` (human).
const ASSIGNEE: Choice<AssigneeType> = Choice {
    parse: |raw| match raw {
        "AGENT" => Some(AssigneeType::AiAgent),
        "MANUAL" => Some(AssigneeType::HumanAgent),
        _ => None,
    },
    expected: "must be \"agent\" or \"manual\"",
};

/// REVIEW parses, so the domain can say why it cannot be set.
const STATUS: Choice<LeadStatus> = Choice {
    parse: LeadStatus::parse,
    expected: "must be COMPLETED, IN_PROGRESS, NOT_INTERESTED or OPTED_OUT",
};

/// `POST /api/v1/leads`: the lead fields.
pub(super) fn create(body: &[u8]) -> Result<LeadInput, Error> {
    Ok(lead_input(object(body)?))
}

/// One create's lead fields, read from a JSON object (a create body, or one input of a
/// batch); problems are kept in `read_errors` for the domain to report with its own.
pub(super) fn lead_input(fields: Map<String, Value>) -> LeadInput {
    let mut input = LeadInput::default();
    let mut errors = Vec::new();
    for (key, value) in fields {
        let slot = Slot::new(key.clone(), value, &mut errors);
        read_lead_field(&mut input, &key, slot);
    }
    input.read_errors = errors;
    input
}

/// `PUT /api/v1/leads`: `leadId`, any lead field (absent leaves it, `null` clears it) and
/// `status`.
pub(super) fn update(body: &[u8]) -> Result<(Target<'static>, LeadChanges), Error> {
    let fields = object(body)?;
    let mut changes = LeadChanges::default();
    let mut lead_id = None;
    let mut errors = Vec::new();
    if !fields.contains_key("leadId") {
        errors.push(FieldError::new("leadId", "is required"));
    }
    for (key, value) in fields {
        let slot = Slot::new(key.clone(), value, &mut errors);
        match key.as_str() {
            "leadId" => lead_id = slot.lead_id(),
            // `null` is the same as absent.
            "status" => changes.status = slot.choice(&STATUS).into_set(),
            _ => read_lead_field(&mut changes.fields, &key, slot),
        }
    }
    match lead_id {
        Some(id) => {
            changes.fields.read_errors = errors;
            Ok((
                Target {
                    id,
                    field: "leadId",
                },
                changes,
            ))
        }
        // Without the lead there is no checklist to check the rest against.
        None => Err(Error::BadInput(errors)),
    }
}

fn read_lead_field(input: &mut LeadInput, key: &str, slot: Slot<'_>) {
    match LEAD_FIELDS.iter().find(|(name, _)| *name == key) {
        Some((_, read)) => read(input, slot),
        None => slot.unknown(),
    }
}

/// The body's fields; a body that is not a JSON object is a problem of the whole `body`.
pub(super) fn object(body: &[u8]) -> Result<Map<String, Value>, Error> {
    let problem = match json::parse(body) {
        Ok(Value::Object(fields)) => {
            // NUL characters are refused in every field, before any is read.
            let nul = crate::domain::text::nul_errors("", &Value::Object(fields.clone()));
            if !nul.is_empty() {
                return Err(Error::BadInput(nul));
            }
            return Ok(fields);
        }
        Ok(_) => "must be a JSON object".to_owned(),
        Err(_) if body.trim_ascii().is_empty() => "is empty; send a JSON object".to_owned(),
        Err(e) => {
            let (line, column) = (e.line(), e.column());
            // A repeated key is serde's "data" error; its text is ours, before the position.
            let what = match e.classify() {
                Category::Data => e.to_string(),
                _ => "is not valid JSON".to_owned(),
            };
            let what = what.trim_end_matches(&format!(" at line {line} column {column}"));
            format!("{what} (line {line}, column {column})")
        }
    };
    Err(Error::bad_input("body", problem))
}
