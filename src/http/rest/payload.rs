//! The documented response of every REST lead route, read through the GraphQL schema
//! with a fixed selection whose order is the documented key order, so REST and GraphQL
//! share one implementation of every field; then shaped the way the documented API is.

use std::sync::LazyLock;

use async_graphql::{Variables, parser::types::ExecutableDocument};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::leads;
use crate::entities::enums::FieldType;
use crate::error::Error;
use crate::graphql::context::Caller;

use crate::http::AppState;

/// The documented lead keys, in the documented order.
pub(super) const LEAD_FIELDS: &str =
    "id activitySummary assigneeType businessName createdAt deletedAt didOptOut email
  emailVerifiedAt externalLeadId externalPortalLink firstName lastName phoneNumber phoneVerifiedAt
  source updatedAt website";

const ACTION_LOG_FIELDS: &str =
    "id type status summary changes parentActionId createdAt scheduledAt
  completedAt tool { id name description }
  messages { id channel direction subject body documents { id fileName contentType size url } }
  documents { id fileName contentType size url }";

/// What GET adds to the lead (the documented read shape).
const READ_FIELDS: &str = "isTest submittedAt workspaceId status
  documents { id fileName contentType size url }";

/// A fixed query of the REST face, with its document parsed once: the text is ours and
/// never changes, so parsing it again on every request was pure cost (a pure function of
/// a constant, so nothing can go stale).
pub(super) struct FixedQuery {
    text: String,
    document: ExecutableDocument,
}

impl FixedQuery {
    pub(super) fn parse(text: String) -> Self {
        let document =
            async_graphql::parser::parse_query(&text).expect("the REST face's own query parses");
        Self { text, document }
    }
}

/// The payload of a write (create, update), and of a read (GET adds `READ_FIELDS`).
static WRITTEN: LazyLock<FixedQuery> = LazyLock::new(|| FixedQuery::parse(rest_lead_query(false)));
static READ: LazyLock<FixedQuery> = LazyLock::new(|| FixedQuery::parse(rest_lead_query(true)));

/// A dry run's payload (see `graphql::preview`): the write payload's keys, selected on
/// the dry run's `CreateLeadPayload`.
static DRY_RUN: LazyLock<FixedQuery> = LazyLock::new(|| {
    FixedQuery::parse(format!(
        "query RestDryRun($index: Int!) {{ payload(index: $index) {{ lead {{ {LEAD_FIELDS} }} {} }} }}",
        payload_selection()
    ))
});

fn rest_lead_query(read: bool) -> String {
    let extra = if read { READ_FIELDS } else { "" };
    format!(
        "query RestLead($id: ID!) {{ lead(id: $id) {{ {LEAD_FIELDS} {extra} {} }} }}",
        payload_selection()
    )
}

/// The selection of `PAYLOAD_KEYS`, in the documented order.
fn payload_selection() -> String {
    format!(
        "{CHECKLIST_SELECTION}
          actionLogs {{ {ACTION_LOG_FIELDS} }}
          matchingLeads {{ {LEAD_FIELDS} }}
          lastAction {{ {ACTION_LOG_FIELDS} toolCalls {{ {ACTION_LOG_FIELDS} toolInput toolOutput }} }}
          nextFollowUp {{ {ACTION_LOG_FIELDS} }}
          nextDraft {{ {ACTION_LOG_FIELDS} }}"
    )
}

/// File types collect documents: only their items carry `documents` (with signed URLs)
/// and `validationRules`, as the documented API shows; the others keep the documented
/// example's keys.
pub(super) fn shape_checklist(groups: &mut Value) {
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
        if let Some(item) = item.as_object_mut() {
            // Items carry these only when they hold something (the documented example
            // has neither).
            for key in ["alternateValues", "validationError"] {
                if item.get(key).is_some_and(Value::is_null) {
                    item.shift_remove(key);
                }
            }
        }
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

/// Reads the documented payload of a lead through the schema.
pub(super) async fn read_payload(
    state: &AppState,
    caller: Caller,
    lead_id: Uuid,
    read: bool,
) -> Result<Value, Error> {
    let query = if read { &*READ } else { &*WRITTEN };
    let mut lead = read_lead(state, caller, lead_id, query).await?;
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
    // The documented read shape also carries the status and every document of the lead
    // at the top level.
    let top: Vec<(&str, Value)> = if read {
        ["status", "documents"]
            .into_iter()
            .filter_map(|key| Some((key, lead.get(key)?.clone())))
            .collect()
    } else {
        Vec::new()
    };
    payload.insert("lead".into(), Value::Object(lead));
    for (key, value) in top {
        payload.insert(key.into(), value);
    }
    payload.extend(lazy);
    if let Some(groups) = payload.get_mut("checklistItems") {
        shape_checklist(groups);
    }
    Ok(Value::Object(payload))
}

/// The documented payload of a dry run's answer (`written`, not stored), plus `dryRun`
/// and `outcome`: the keys a real create answers, resolved by GraphQL's dry-run payload.
pub(super) async fn dry_run_payload(
    state: &AppState,
    caller: Caller,
    written: leads::Written,
) -> Result<Value, Error> {
    let outcome = written.outcome.as_str();
    let request = fixed_request(&DRY_RUN, json!({ "index": 0 }))
        .data(crate::graphql::preview::Previews(vec![written]));
    let response =
        crate::graphql::context::execute(&state.preview_schema, request, Some(caller)).await;
    let Some(Value::Object(mut answer)) = answer_of(response)?.get_mut("payload").map(Value::take)
    else {
        return Err(Error::Internal("a dry run answered no payload".into()));
    };
    let mut payload = Map::new();
    payload.insert("success".into(), Value::Bool(true));
    payload.insert("dryRun".into(), Value::Bool(true));
    payload.insert("outcome".into(), Value::from(outcome));
    payload.insert(
        "lead".into(),
        answer.shift_remove("lead").unwrap_or(Value::Null),
    );
    for key in PAYLOAD_KEYS {
        payload.insert(key.into(), answer.shift_remove(key).unwrap_or(Value::Null));
    }
    if let Some(groups) = payload.get_mut("checklistItems") {
        shape_checklist(groups);
    }
    Ok(Value::Object(payload))
}

/// One of our fixed queries with its variables; the operation limits are for clients'
/// documents, so they do not run.
fn fixed_request(query: &FixedQuery, variables: Value) -> async_graphql::Request {
    let mut request = async_graphql::Request::new(query.text.as_str())
        .variables(Variables::from_json(variables))
        .data(crate::graphql::limits::OwnQuery);
    request.set_parsed_query(query.document.clone());
    request
}

/// Runs `query` (a GraphQL query with `$id` selecting `lead(id: $id)`, parsed) for the caller and
/// returns the lead object; a lead the caller cannot see is NOT_FOUND.
pub(super) async fn read_lead(
    state: &AppState,
    caller: Caller,
    lead_id: Uuid,
    query: &FixedQuery,
) -> Result<Map<String, Value>, Error> {
    let request = fixed_request(query, json!({ "id": lead_id.to_string() }));
    let response = crate::graphql::context::execute(&state.schema, request, Some(caller)).await;
    match answer_of(response)?.get("lead").cloned() {
        Some(Value::Object(lead)) => Ok(lead),
        _ => Err(Error::NotFound("lead")),
    }
}

/// The data of one of our fixed queries' responses; an error in it is ours, except a
/// storage fault, which stays what it is.
pub(super) fn answer_of(response: async_graphql::Response) -> Result<Value, Error> {
    if let Some(error) = response.errors.first() {
        // A storage fault while reading stays what it is (SERVICE_UNAVAILABLE), not a bug.
        let code = error.extensions.as_ref().and_then(|e| e.get("code"));
        if code == Some(&async_graphql::Value::from("SERVICE_UNAVAILABLE")) {
            return Err(Error::Unavailable(sea_orm::DbErr::Custom(
                "reading the REST payload met an unavailable database".into(),
            )));
        }
        return Err(Error::Internal(format!(
            "REST read failed: {}",
            error.message
        )));
    }
    response
        .data
        .into_json()
        .map_err(|e| Error::Internal(e.to_string()))
}

/// The checklist's selection (`checklistItems { ... }` of a lead), shared by every route
/// that answers it.
pub(super) const CHECKLIST_SELECTION: &str =
    "checklistItems { id name conditions items { id checklistItemId value status itemOverride
    alternateValues validationError
    checklistItem { id code label fieldType isRequired conditions validationRules }
    documents { id fileName contentType size url } } }";

/// The checklist as REST answers it: file items alone carry documents and rules.
pub(super) fn shaped_checklist(mut groups: Value) -> Value {
    shape_checklist(&mut groups);
    groups
}
