//! The Idempotency-Key header on both faces: reading it, replaying a stored response, and
//! storing the response a keyed createLead sent first (see `domain::idempotency`).

use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::Value;

use crate::domain::{auth::Principal, idempotency};
use crate::error::{Error, Result};

/// Answers that replay a stored response say so, as Stripe's API does.
const REPLAYED: &str = "idempotent-replayed";

/// The request's claim, when it carries an Idempotency-Key; `face` and `request` (the
/// canonical request) make its fingerprint.
pub(crate) fn claim(
    headers: &HeaderMap,
    face: &str,
    request: &Value,
    request_timeout: std::time::Duration,
) -> Result<Option<idempotency::Claim>> {
    let Some(value) = headers.get(idempotency::HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| Error::bad_input("Idempotency-Key", "must be visible ASCII characters"))?;
    idempotency::Claim::new(key, face, request)
        .map(|claim| Some(claim.answered_within(request_timeout)))
}

/// The first response again, byte for byte, with the content type of its face; counted
/// in `leadgate_idempotent_replays_total`.
pub(crate) fn replay(
    metrics: &crate::metrics::Metrics,
    body: String,
    content_type: &'static str,
) -> Response {
    metrics.idempotent_replay();
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

/// Stores the response this request sends for its key. Failing to store it is not the
/// client's problem (the lead and its key committed): the key then answers IN_PROGRESS,
/// and renders the lead's response again once the request timeout has passed.
pub(crate) async fn store(
    db: &sea_orm::DatabaseConnection,
    principal: &Principal,
    claim: &idempotency::Claim,
    body: &str,
) {
    if let Err(err) =
        idempotency::store_response(db, principal.workspace_id, &claim.key, body).await
    {
        let diagnostic = crate::diagnostics::Diagnostic::of(&err);
        tracing::warn!(error = %diagnostic, "the response of an idempotent create was not stored");
    }
}
