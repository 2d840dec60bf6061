//! The REST face of the documented lead API, for clients written against it:
//! `POST /api/v1/leads` (create), `GET /api/v1/leads/{leadId}` and `PUT /api/v1/leads`
//! (update, `leadId` in the body), with the documented request and response shapes.
//!
//! Writes are the same domain calls GraphQL makes; the response is read back through the
//! GraphQL schema with a fixed selection whose order is the documented key order, so there
//! is one implementation of every field.

use async_graphql::Variables;
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::{
    lead_input::{ChecklistUpdate, NewLead},
    leads::{
        self,
        changes::{LeadChanges, Patch},
    },
};
use crate::entities::enums::{AssigneeType, ChecklistItemStatus, FieldType, LeadStatus};
use crate::error::{Error, FieldError};
use crate::graphql::context::Caller;

use super::{AppState, caller};

/// The documented request body. Unknown fields are refused by name, so a typo never
/// silently drops data.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateLeadBody {
    first_name: String,
    middle_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone_number: Option<String>,
    business_name: Option<String>,
    website: Option<String>,
    external_lead_id: Option<String>,
    timezone: Option<String>,
    /// "agent" (AI) or "manual" (human).
    assignee_type: Option<String>,
    did_opt_out: Option<bool>,
    email_verified: Option<bool>,
    tags: Option<Vec<String>>,
    checklist_items: Option<Vec<ChecklistItemBody>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChecklistItemBody {
    code: String,
    /// Absent leaves the value as is; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    value: Option<Value>,
    status: Option<String>,
}

/// Keeps an explicit `null` as `Some(Value::Null)` (serde would fold it into `None`).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// Absent -> keep, `null` -> clear, a value -> set.
fn patch<'de, D, T>(deserializer: D) -> Result<Patch<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(match Option::<T>::deserialize(deserializer)? {
        None => Patch::Clear,
        Some(value) => Patch::Set(value),
    })
}

/// The documented update body: `leadId` plus any create field (absent leaves it, `null`
/// clears it) and `status`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateLeadBody {
    lead_id: Uuid,
    #[serde(default, deserialize_with = "patch")]
    first_name: Patch<String>,
    #[serde(default, deserialize_with = "patch")]
    middle_name: Patch<String>,
    #[serde(default, deserialize_with = "patch")]
    last_name: Patch<String>,
    #[serde(default, deserialize_with = "patch")]
    email: Patch<String>,
    #[serde(default, deserialize_with = "patch")]
    phone_number: Patch<String>,
    #[serde(default, deserialize_with = "patch")]
    business_name: Patch<String>,
    #[serde(default, deserialize_with = "patch")]
    website: Patch<String>,
    #[serde(default, deserialize_with = "patch")]
    external_lead_id: Patch<String>,
    #[serde(default, deserialize_with = "patch")]
    timezone: Patch<String>,
    #[serde(default, deserialize_with = "patch")]
    assignee_type: Patch<String>,
    did_opt_out: Option<bool>,
    email_verified: Option<bool>,
    status: Option<String>,
    #[serde(default, deserialize_with = "patch")]
    tags: Patch<Vec<String>>,
    checklist_items: Option<Vec<ChecklistItemBody>>,
}

fn assignee(raw: &str, errors: &mut Vec<FieldError>) -> Option<AssigneeType> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "agent" => Some(AssigneeType::AiAgent),
        "manual" => Some(AssigneeType::HumanAgent),
        _ => {
            errors.push(FieldError::new(
                "assigneeType",
                "must be \"agent\" or \"manual\"",
            ));
            None
        }
    }
}

fn checklist_updates(
    items: Option<Vec<ChecklistItemBody>>,
    errors: &mut Vec<FieldError>,
) -> Vec<ChecklistUpdate> {
    items
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, item)| ChecklistUpdate {
            status: item.status.as_deref().and_then(|raw| {
                let status = ChecklistItemStatus::parse(raw);
                if status.is_none() {
                    errors.push(FieldError::new(
                        format!("checklistItems[{i}].status"),
                        "must be TODO, COMPLETED, INVALID, SKIPPED or NEEDS_REVIEW",
                    ));
                }
                status
            }),
            code: item.code,
            value: item.value,
        })
        .collect()
}

impl UpdateLeadBody {
    fn into_changes(self) -> Result<(Uuid, LeadChanges), Error> {
        let mut errors = Vec::new();
        let assignee_type = match &self.assignee_type {
            Patch::Keep => Patch::Keep,
            Patch::Clear => Patch::Clear,
            Patch::Set(raw) => assignee(raw, &mut errors).map_or(Patch::Keep, Patch::Set),
        };
        let status = self.status.as_deref().and_then(|raw| {
            let status = LeadStatus::parse(raw);
            if status.is_none() {
                errors.push(FieldError::new(
                    "status",
                    "must be COMPLETED, IN_PROGRESS, NOT_INTERESTED or OPTED_OUT",
                ));
            }
            status
        });
        let checklist_items = checklist_updates(self.checklist_items, &mut errors);
        if !errors.is_empty() {
            return Err(Error::BadInput(errors));
        }
        let changes = LeadChanges {
            first_name: self.first_name,
            middle_name: self.middle_name,
            last_name: self.last_name,
            email: self.email,
            phone_number: self.phone_number,
            business_name: self.business_name,
            website: self.website,
            external_lead_id: self.external_lead_id,
            timezone: self.timezone,
            assignee_type,
            did_opt_out: self.did_opt_out,
            email_verified: self.email_verified,
            status,
            tags: self.tags,
            checklist_items,
        };
        Ok((self.lead_id, changes))
    }
}

impl CreateLeadBody {
    fn into_new_lead(self) -> Result<NewLead, Error> {
        let mut errors = Vec::new();
        let assignee_type = self
            .assignee_type
            .as_deref()
            .and_then(|raw| assignee(raw, &mut errors));
        let checklist_items = checklist_updates(self.checklist_items, &mut errors);
        if !errors.is_empty() {
            return Err(Error::BadInput(errors));
        }
        Ok(NewLead {
            first_name: self.first_name,
            middle_name: self.middle_name,
            last_name: self.last_name,
            email: self.email,
            phone_number: self.phone_number,
            business_name: self.business_name,
            website: self.website,
            external_lead_id: self.external_lead_id,
            timezone: self.timezone,
            assignee_type,
            did_opt_out: self.did_opt_out,
            email_verified: self.email_verified,
            tags: self.tags,
            checklist_items,
        })
    }
}

/// The documented lead keys, in the documented order.
const LEAD_FIELDS: &str =
    "id activitySummary assigneeType businessName createdAt deletedAt didOptOut email
  emailVerifiedAt externalLeadId externalPortalLink firstName lastName phoneNumber phoneVerifiedAt
  source updatedAt website";

const ACTION_LOG_FIELDS: &str =
    "id type status summary changes parentActionId createdAt scheduledAt
  completedAt tool { id name description }
  messages { id channel direction subject body documents { id fileName contentType size url } }
  documents { id fileName contentType size url }";

/// What GET adds to the lead (the documented read shape).
const READ_FIELDS: &str = "isTest submittedAt workspaceId status";

fn rest_lead_query(read: bool) -> String {
    let extra = if read { READ_FIELDS } else { "" };
    format!(
        "query RestLead($id: ID!) {{ lead(id: $id) {{ {LEAD_FIELDS} {extra}
          checklistItems {{ id name conditions items {{ id checklistItemId value status itemOverride
            checklistItem {{ id code label fieldType isRequired conditions validationRules }}
            documents {{ id fileName contentType size url }} }} }}
          actionLogs {{ {ACTION_LOG_FIELDS} }}
          matchingLeads {{ {LEAD_FIELDS} }}
          lastAction {{ {ACTION_LOG_FIELDS} toolCalls {{ {ACTION_LOG_FIELDS} toolInput toolOutput }} }}
          nextFollowUp {{ {ACTION_LOG_FIELDS} }}
          nextDraft {{ {ACTION_LOG_FIELDS} }}
        }} }}"
    )
}

/// File types collect documents: only their items carry `documents` (with signed URLs)
/// and `validationRules`, as the documented API shows; the others keep the documented
/// example's keys.
fn shape_checklist(groups: &mut Value) {
    let items = groups
        .as_array_mut()
        .into_iter()
        .flatten()
        .filter_map(|group| group.get_mut("items").and_then(Value::as_array_mut))
        .flatten();
    for item in items {
        let holds_documents = item
            .pointer("/checklistItem/fieldType")
            .and_then(Value::as_str)
            .and_then(FieldType::parse)
            .is_some_and(FieldType::holds_documents);
        if holds_documents {
            continue;
        }
        if let Some(item) = item.as_object_mut() {
            item.shift_remove("documents");
            if let Some(Value::Object(definition)) = item.get_mut("checklistItem") {
                definition.shift_remove("validationRules");
            }
        }
    }
}

/// The payload keys that are not the lead's own.
const PAYLOAD_KEYS: [&str; 6] = [
    "checklistItems",
    "actionLogs",
    "matchingLeads",
    "lastAction",
    "nextFollowUp",
    "nextDraft",
];

/// `POST /api/v1/leads`.
pub(crate) async fn create_lead(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(create(&state, &headers, &body).await)
}

/// `PUT /api/v1/leads`.
pub(crate) async fn update_lead(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(update(&state, &headers, &body).await)
}

/// `GET /api/v1/leads/{leadId}`.
pub(crate) async fn get_lead(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    respond(get(&state, &headers, &id).await)
}

fn respond(result: Result<Value, Error>) -> Response {
    match result {
        Ok(payload) => (StatusCode::OK, axum::Json(payload)).into_response(),
        Err(err) => error_response(&err),
    }
}

async fn authenticated(state: &AppState, headers: &HeaderMap) -> Result<Caller, Error> {
    caller::resolve(state, headers)
        .await?
        .ok_or(Error::Unauthenticated)
}

/// Parses a JSON body, naming the offending field on failure.
fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let message = e.inner().to_string();
        Error::bad_input(field_of(&e.path().to_string(), &message), message)
    })
}

async fn create(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, Error> {
    let caller = authenticated(state, headers).await?;
    let parsed: CreateLeadBody = parse_body(body)?;
    let lead = leads::create(&state.db, &caller.principal, &parsed.into_new_lead()?).await?;
    read_payload(state, caller, lead.id, false).await
}

async fn update(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, Error> {
    let caller = authenticated(state, headers).await?;
    let parsed: UpdateLeadBody = parse_body(body)?;
    let (lead_id, changes) = parsed.into_changes()?;
    let lead = leads::update::update(&state.db, &caller.principal, lead_id, &changes).await?;
    read_payload(state, caller, lead.id, false).await
}

async fn get(state: &AppState, headers: &HeaderMap, id: &str) -> Result<Value, Error> {
    let caller = authenticated(state, headers).await?;
    let lead_id = Uuid::parse_str(id).map_err(|_| Error::NotFound("lead"))?;
    read_payload(state, caller, lead_id, true).await
}

/// Names the field a body error is about: the path serde reached, or the missing field.
fn field_of(path: &str, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (".", None) => "body".to_owned(),
        (path, Some(name)) => format!("{path}.{name}"),
        (path, None) => path.to_owned(),
    }
}

/// Reads the documented payload of a lead through the schema.
async fn read_payload(
    state: &AppState,
    caller: Caller,
    lead_id: Uuid,
    read: bool,
) -> Result<Value, Error> {
    let request = async_graphql::Request::new(rest_lead_query(read))
        .variables(Variables::from_json(json!({ "id": lead_id.to_string() })));
    let response = crate::graphql::context::execute(&state.schema, request, Some(caller)).await;
    if let Some(error) = response.errors.first() {
        return Err(Error::Internal(format!(
            "REST read failed: {}",
            error.message
        )));
    }
    let data = response
        .data
        .into_json()
        .map_err(|e| Error::Internal(e.to_string()))?;
    let Some(Value::Object(mut lead)) = data.get("lead").cloned() else {
        return Err(Error::NotFound("lead"));
    };
    let mut payload = Map::new();
    payload.insert("success".into(), Value::Bool(true));
    let lazy: Vec<(String, Value)> = PAYLOAD_KEYS
        .iter()
        .map(|key| {
            (
                key.to_string(),
                lead.shift_remove(*key).unwrap_or(Value::Null),
            )
        })
        .collect();
    payload.insert("lead".into(), Value::Object(lead));
    payload.extend(lazy);
    if let Some(groups) = payload.get_mut("checklistItems") {
        shape_checklist(groups);
    }
    Ok(Value::Object(payload))
}

/// Errors answer in the REST envelope; `http::errors` holds the one mapping.
fn error_response(err: &Error) -> Response {
    super::errors::rest(err)
}
