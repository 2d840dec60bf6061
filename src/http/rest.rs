//! The REST face of createLead: `POST /api/v1/leads`, the documented API's request and
//! response, byte for byte, for clients written against it.
//!
//! Creating is the same domain call GraphQL makes; the response is read back through the
//! GraphQL schema with a fixed selection (`REST_LEAD`) whose aliases and order are the
//! documented keys, so there is one implementation of every field.

use async_graphql::Variables;
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::{
    lead_input::{ChecklistUpdate, NewLead},
    leads,
};
use crate::entities::enums::{AssigneeType, ChecklistItemStatus};
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
    #[serde(default)]
    value: Option<Value>,
    status: Option<String>,
}

impl CreateLeadBody {
    fn into_new_lead(self) -> Result<NewLead, Error> {
        let mut errors = Vec::new();
        let assignee_type = self.assignee_type.as_deref().and_then(|raw| {
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
        });
        let checklist_items = self
            .checklist_items
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
            .collect();
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

fn rest_lead_query() -> String {
    format!(
        "query RestLead($id: ID!) {{ lead(id: $id) {{ {LEAD_FIELDS}
          checklistItems {{ id name conditions items {{ id checklistItemId value status itemOverride
            checklistItem {{ id code label fieldType isRequired conditions }} }} }}
          actionLogs {{ {ACTION_LOG_FIELDS} }}
          matchingLeads {{ {LEAD_FIELDS} }}
          lastAction {{ {ACTION_LOG_FIELDS} }}
          nextFollowUp {{ {ACTION_LOG_FIELDS} }}
          nextDraft {{ {ACTION_LOG_FIELDS} }}
        }} }}"
    )
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
    match create(&state, &headers, &body).await {
        Ok(payload) => (StatusCode::OK, axum::Json(payload)).into_response(),
        Err(err) => error_response(&err),
    }
}

async fn create(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, Error> {
    let caller = caller::resolve(state, headers)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed: CreateLeadBody =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            let message = e.inner().to_string();
            Error::bad_input(field_of(&e.path().to_string(), &message), message)
        })?;
    let lead = leads::create(&state.db, &caller.principal, &parsed.into_new_lead()?).await?;
    read_payload(state, caller, lead.id).await
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
async fn read_payload(state: &AppState, caller: Caller, lead_id: Uuid) -> Result<Value, Error> {
    let request = async_graphql::Request::new(rest_lead_query())
        .variables(Variables::from_json(json!({ "id": lead_id.to_string() })))
        .data(caller);
    let response = state.schema.execute(request).await;
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
    Ok(Value::Object(payload))
}

/// The one mapping of domain errors to REST statuses and bodies.
fn error_response(err: &Error) -> Response {
    let status = match err {
        Error::Unauthenticated => StatusCode::UNAUTHORIZED,
        Error::BadInput(_) => StatusCode::BAD_REQUEST,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Database(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut error = json!({ "code": err.code(), "message": err.to_string() });
    if err.is_internal() {
        let error_id = Uuid::new_v4();
        tracing::error!(%error_id, error = ?err, "internal error");
        error["errorId"] = json!(error_id.to_string());
    }
    if let Error::BadInput(fields) = err {
        error["field"] = json!(fields.first().map(|f| f.field.clone()));
        error["fields"] = fields
            .iter()
            .map(|f| json!({ "field": f.field, "message": f.message }))
            .collect();
    }
    (
        status,
        axum::Json(json!({ "success": false, "error": error })),
    )
        .into_response()
}
