//! The events each write makes, with their documented `data`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use crate::entities::{
    action_log, document,
    enums::{ActionLogStatus, ActionLogType, LeadStatus},
    lead,
};

use super::{Event, EventType};

fn time(t: DateTime<Utc>) -> Value {
    json!(t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

fn event(kind: EventType, lead: &lead::Model, data: Value) -> Event {
    Event {
        kind,
        workspace_id: lead.workspace_id,
        lead_id: Some(lead.id),
        data,
    }
}

/// `lead.created`, with exactly the documented fields, and `lead.completed` when the lead
/// was created complete.
pub fn lead_created(lead: &lead::Model) -> Vec<Event> {
    let data = json!({
        "leadId": lead.id,
        "externalId": lead.external_lead_id,
        "firstName": lead.first_name,
        "middleName": lead.middle_name,
        "lastName": lead.last_name,
        "phoneNumber": lead.phone_number,
        "email": lead.email,
        "businessName": lead.business_name,
        "website": lead.website,
        "source": lead.source,
    });
    let mut events = vec![event(EventType::LeadCreated, lead, data)];
    events.extend(lead_completed(None, lead));
    events
}

/// `lead.updated` with only what changed, from the update's timeline record (`changes`
/// of its API_ACTIVITY entry): changed lead fields and the status by their new values,
/// tag and checklist changes as recorded. Plus `lead.completed` when the update made the
/// lead COMPLETED.
pub fn lead_updated(
    current: &lead::Model,
    next: &lead::Model,
    record: &Map<String, Value>,
) -> Vec<Event> {
    let mut data = Map::new();
    data.insert("leadId".into(), json!(next.id));
    for (key, change) in record {
        match key.as_str() {
            "lead" => {
                for (field, from_to) in change.as_object().into_iter().flatten() {
                    data.insert(field.clone(), from_to["to"].clone());
                }
            }
            "status" => {
                data.insert("status".into(), change["to"].clone());
            }
            _ => {
                data.insert(key.clone(), change.clone());
            }
        }
    }
    let mut events = vec![event(EventType::LeadUpdated, next, Value::Object(data))];
    events.extend(lead_completed(Some(current), next));
    events
}

/// `lead.completed` when `next` is COMPLETED and `current` (if any) was not.
fn lead_completed(current: Option<&lead::Model>, next: &lead::Model) -> Option<Event> {
    let reached = next.status == LeadStatus::Completed
        && current.is_none_or(|c| c.status != LeadStatus::Completed);
    reached.then(|| {
        event(
            EventType::LeadCompleted,
            next,
            json!({
                "leadId": next.id,
                "status": next.status.as_str(),
                "completedAt": next.submitted_at.map(time),
            }),
        )
    })
}

/// `action_log.completed` or `action_log.failed` for an entry that is (now) COMPLETED or
/// FAILED; none for other statuses, nor for API_ACTIVITY entries (the record of a write
/// through the API, which has its own `lead.*` event).
pub fn action_log(lead: &lead::Model, log: &action_log::Model) -> Vec<Event> {
    let kind = match log.status {
        ActionLogStatus::Completed => EventType::ActionLogCompleted,
        ActionLogStatus::Failed => EventType::ActionLogFailed,
        _ => return Vec::new(),
    };
    if log.r#type == ActionLogType::ApiActivity {
        return Vec::new();
    }
    let data = json!({
        "actionLogId": log.id,
        "leadId": log.lead_id,
        "type": log.r#type.as_str(),
        "status": log.status.as_str(),
        "summary": log.summary,
        "parentActionId": log.parent_action_id,
        "error": log.error,
        "createdAt": time(log.created_at),
        "completedAt": log.completed_at.map(time),
    });
    vec![event(kind, lead, data)]
}

/// `document.received` for an upload's documents (one event per upload).
pub fn document_received(
    lead: &lead::Model,
    action_log_id: uuid::Uuid,
    documents: &[document::Model],
) -> Vec<Event> {
    let listed: Vec<Value> = documents
        .iter()
        .map(|d| {
            json!({
                "documentId": d.id,
                "filename": d.file_name,
                "mimeType": d.content_type,
                "size": d.size_bytes,
                "leadChecklistItemId": d.lead_checklist_item_id,
                "uploadedAt": time(d.created_at),
            })
        })
        .collect();
    vec![event(
        EventType::DocumentReceived,
        lead,
        json!({ "leadId": lead.id, "actionLogId": action_log_id, "documents": listed }),
    )]
}
