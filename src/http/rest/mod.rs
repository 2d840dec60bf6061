//! The REST face of the documented lead API, for clients written against it:
//! `POST /api/v1/leads` (create), `GET /api/v1/leads/{leadId}` and `PUT /api/v1/leads`
//! (update, `leadId` in the body), `POST /api/v1/leads/{leadId}/checklist-items`, `GET
//! /api/v1/leads/{leadId}/checklist`, `GET /api/v1/leads/{leadId}/action-logs` and the
//! document routes (`documents`), with the documented request and response shapes.
//!
//! Handlers are thin: `body` reads the request into the domain's input, the write is the
//! same domain call GraphQL makes, `payload` reads the documented response back through
//! the schema, and errors answer in the envelope of `http::errors`, the one mapping.

mod action_logs;
pub(crate) mod analytics;
pub(crate) mod batch;
mod body;
mod checklist;
pub(crate) mod documents;
mod json;
pub(crate) mod openapi;
mod payload;
mod reading;

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::{idempotency, leads};
use crate::error::Error;
use crate::graphql::context::Caller;

use super::{AppState, caller};
use payload::read_payload;

/// `POST /api/v1/leads`.
pub(crate) async fn create_lead(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    body: Bytes,
) -> Response {
    match create(&state, &headers, query.as_deref(), &body).await {
        Ok(Created::Payload(payload)) => respond(Ok(payload)),
        Ok(Created::Stored(body)) => {
            let mut response = (StatusCode::OK, body).into_response();
            response.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            );
            response
        }
        Ok(Created::Replay(body)) => {
            super::idempotency::replay(&state.metrics, body, "application/json")
        }
        Err(err) => respond(Err(err)),
    }
}

/// What a create answers: a fresh payload, the payload of a keyed create as it was just
/// stored for its key, or the key's first response again.
enum Created {
    Payload(Value),
    Stored(String),
    Replay(String),
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
    let result = async {
        let (caller, lead_id) = lead_route(&state, &headers, &id).await?;
        read_payload(&state, caller, lead_id, true).await
    };
    respond(result.await)
}

/// `POST /api/v1/leads/{leadId}/checklist-items`.
pub(crate) async fn add_checklist_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let result = async {
        let (caller, lead_id) = lead_route(&state, &headers, &id).await?;
        checklist::add_item(&state, &caller, lead_id, &body).await
    };
    respond(result.await)
}

/// `GET /api/v1/leads/{leadId}/checklist`.
pub(crate) async fn get_checklist(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let (caller, lead_id) = lead_route(&state, &headers, &id).await?;
        checklist::checklist(&state, caller, lead_id).await
    };
    respond(result.await)
}

/// `GET /api/v1/leads/{leadId}/action-logs`.
pub(crate) async fn get_action_logs(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let (caller, lead_id) = lead_route(&state, &headers, &id).await?;
        action_logs::action_logs(&state, caller, lead_id).await
    };
    respond(result.await)
}

/// What every `/api/v1/leads/{leadId}/...` route does first: the caller (401 without a
/// valid key), then the lead id of the path (404 when it is not one).
pub(super) async fn lead_route(
    state: &AppState,
    headers: &HeaderMap,
    raw_id: &str,
) -> Result<(Caller, Uuid), Error> {
    let caller = authenticated(state, headers).await?;
    Ok((caller, lead_id(raw_id)?))
}

/// A lead id in a path: anything that is not one names no lead (404, as for an unknown id).
fn lead_id(raw: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound("lead"))
}

pub(super) fn respond(result: Result<Value, Error>) -> Response {
    match result {
        Ok(payload) => (StatusCode::OK, axum::Json(payload)).into_response(),
        Err(err) => super::errors::rest(&err),
    }
}

pub(super) async fn authenticated(state: &AppState, headers: &HeaderMap) -> Result<Caller, Error> {
    caller::resolve(state, headers)
        .await?
        .ok_or(Error::Unauthenticated)
}

async fn create(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Result<Created, Error> {
    let caller = authenticated(state, headers).await?;
    let options = batch::options(query)?;
    let input = body::create(body)?;
    // A duplicate policy or a dry run: the documented answer plus `outcome` (a dry run's
    // lead is not stored, so it answers the draft). The Idempotency-Key covers plain
    // creates; these are safe to retry as they are.
    if options != leads::Options::default() {
        let written = leads::create_one(&state.db, &caller.principal, &input, options).await?;
        if options.dry_run {
            return Ok(Created::Payload(
                payload::dry_run_payload(state, caller, written).await?,
            ));
        }
        if written.outcome == leads::Outcome::Created {
            state.metrics.lead_created();
        }
        let mut payload = read_payload(state, caller, written.lead.id, false).await?;
        payload["outcome"] = Value::from(written.outcome.as_str());
        return Ok(Created::Payload(payload));
    }
    // The body read as JSON (body::create accepted it) is what the key's fingerprint covers.
    let request: Value = serde_json::from_slice(body).unwrap_or_default();
    let Some(claim) =
        super::idempotency::claim(headers, "rest", &request, state.config.request_timeout)?
    else {
        let lead = leads::create(&state.db, &caller.principal, &input).await?;
        state.metrics.lead_created();
        return Ok(Created::Payload(
            read_payload(state, caller, lead.id, false).await?,
        ));
    };
    let principal = caller.principal.clone();
    if let Some(body) = idempotency::precheck(&state.db, &principal, &claim).await? {
        return Ok(Created::Replay(body));
    }
    match idempotency::create_lead(&state.db, &principal, &input, &claim).await? {
        idempotency::Answer::Replay(body) => Ok(Created::Replay(body)),
        idempotency::Answer::Lead(lead) => {
            state.metrics.lead_created();
            let payload = read_payload(state, caller, lead.id, false).await?;
            let body = payload.to_string();
            super::idempotency::store(&state.db, &principal, &claim, &body).await;
            Ok(Created::Stored(body))
        }
    }
}

async fn update(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, Error> {
    let caller = authenticated(state, headers).await?;
    let (lead, changes) = body::update(body)?;
    let lead = leads::update::update(&state.db, &caller.principal, lead, &changes).await?;
    read_payload(state, caller, lead.id, false).await
}

/// One create body's lead fields read from a JSON object, as `POST /api/v1/leads` reads
/// them (problems kept for the domain to report): what `leadgate leads import` feeds the
/// domain's batch, so a file row and a REST body mean the same.
pub(crate) fn lead_input_from_json(
    fields: serde_json::Map<String, Value>,
) -> crate::domain::lead_input::LeadInput {
    body::lead_input(fields)
}
