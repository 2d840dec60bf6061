//! `GET /api/v1/leads/{leadId}/action-logs`: the lead's timeline, newest first, with the
//! documented keys, read through the schema like every REST answer.

use std::sync::LazyLock;

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::Error;
use crate::graphql::context::Caller;
use crate::http::AppState;

use super::payload::{FixedQuery, read_lead};

/// The documented keys of an action log, in the documented order.
const QUERY_TEXT: &str = "query RestActionLogs($id: ID!) { lead(id: $id) { actionLogs {
    id type status summary input output error parentActionId scheduledAt createdAt completedAt
    tool { id name description }
    messages { channel direction subject body documents { id fileName contentType size url } }
} } }";

/// The documented key order of an action log.
const KEYS: [&str; 13] = [
    "id",
    "type",
    "status",
    "summary",
    "input",
    "output",
    "error",
    "parentActionId",
    "scheduledAt",
    "createdAt",
    "completedAt",
    "tool",
    "messages",
];

/// `log` with its keys in the documented order (the schema resolves lazy fields in the
/// order their data arrives).
fn documented_order(log: Value) -> Value {
    let Value::Object(mut fields) = log else {
        return log;
    };
    let mut ordered: Map<String, Value> = KEYS
        .iter()
        .filter_map(|key| fields.shift_remove(*key).map(|v| (key.to_string(), v)))
        .collect();
    ordered.extend(fields);
    Value::Object(ordered)
}

/// The lead's last 100 action logs (the timeline's cap), newest first.
pub(super) async fn action_logs(
    state: &AppState,
    caller: Caller,
    lead_id: Uuid,
) -> Result<Value, Error> {
    static QUERY: LazyLock<FixedQuery> = LazyLock::new(|| FixedQuery::parse(QUERY_TEXT.to_owned()));
    let mut lead = read_lead(state, caller, lead_id, &QUERY).await?;
    let logs = match lead.shift_remove("actionLogs") {
        Some(Value::Array(logs)) => logs,
        _ => Vec::new(),
    };
    Ok(Value::Array(
        logs.into_iter().map(documented_order).collect(),
    ))
}
