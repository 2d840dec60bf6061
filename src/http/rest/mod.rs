//! The REST face of the documented lead API, for clients written against it:
//! `POST /api/v1/leads` (create), `GET /api/v1/leads/{leadId}` and `PUT /api/v1/leads`
//! (update, `leadId` in the body), with the documented request and response shapes.
//!
//! Handlers are thin: `body` reads the request into the domain's input, the write is the
//! same domain call GraphQL makes, `payload` reads the documented response back through
//! the schema, and errors answer in the envelope of `http::errors`, the one mapping.

mod body;
mod json;
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

fn respond(result: Result<Value, Error>) -> Response {
    match result {
        Ok(payload) => (StatusCode::OK, axum::Json(payload)).into_response(),
        Err(err) => super::errors::rest(&err),
    }
}

async fn authenticated(state: &AppState, headers: &HeaderMap) -> Result<Caller, Error> {
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
    let lead_id = Uuid::parse_str(id).map_err(|_| Error::NotFound("lead"))?;
    read_payload(state, caller, lead_id, true).await
}
