//! The REST face of the documented lead API, for clients written against it:
//! `POST /api/v1/leads` (create), `GET /api/v1/leads/{leadId}` and `PUT /api/v1/leads`
//! (update, `leadId` in the body), `POST /api/v1/leads/{leadId}/checklist-items`, `GET
//! /api/v1/leads/{leadId}/checklist` and `GET /api/v1/leads/{leadId}/action-logs`, with
//! the documented request and response shapes.
//!
//! Handlers are thin: `body` reads the request into the domain's input, the write is the
//! same domain call GraphQL makes, `payload` reads the documented response back through
//! the schema, and errors answer in the envelope of `http::errors`, the one mapping.

mod action_logs;
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

use crate::domain::leads;
use crate::error::Error;
use crate::graphql::context::Caller;

use super::{AppState, caller};
use payload::read_payload;

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

/// `POST /api/v1/leads/{leadId}/checklist-items`.
pub(crate) async fn add_checklist_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let result = async {
        let caller = authenticated(&state, &headers).await?;
        checklist::add_item(&state, &caller, lead_id(&id)?, &body).await
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
        let caller = authenticated(&state, &headers).await?;
        checklist::checklist(&state, caller, lead_id(&id)?).await
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
        let caller = authenticated(&state, &headers).await?;
        action_logs::action_logs(&state, caller, lead_id(&id)?).await
    };
    respond(result.await)
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

async fn create(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, Error> {
    let caller = authenticated(state, headers).await?;
    let input = body::create(body)?;
    let lead = leads::create(&state.db, &caller.principal, &input).await?;
    state.metrics.lead_created();
    read_payload(state, caller, lead.id, false).await
}

async fn update(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, Error> {
    let caller = authenticated(state, headers).await?;
    let (lead, changes) = body::update(body)?;
    let lead = leads::update::update(&state.db, &caller.principal, lead, &changes).await?;
    read_payload(state, caller, lead.id, false).await
}

async fn get(state: &AppState, headers: &HeaderMap, id: &str) -> Result<Value, Error> {
    let caller = authenticated(state, headers).await?;
    read_payload(state, caller, lead_id(id)?, true).await
}
