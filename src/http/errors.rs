//! The one mapping of `crate::error::Error` to HTTP: its status, its headers
//! (`Retry-After`, `Allow`) and its body, in the shape of the face that was called. REST
//! answers `{"success": false, "error": {"code", "message", "requestId", ...}}`; GraphQL
//! over HTTP answers `{"errors": [{"message", "extensions": {"code", "requestId", ...}}]}`.
//! Internal errors are logged under an `errorId` and answered `internal error`.

use async_graphql::Value as GqlValue;
use async_graphql_axum::GraphQLResponse;
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::error::Error;
use crate::graphql::errors::to_graphql;

use super::request_id;

/// Which shape an error answer takes: GraphQL's for `/graphql`, the REST envelope for
/// every other path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Graphql,
    Rest,
}

impl Face {
    pub(crate) fn of(path: &str) -> Self {
        if path == "/graphql" || path.starts_with("/graphql/") {
            Self::Graphql
        } else {
            Self::Rest
        }
    }
}

/// The HTTP status of each error, for both faces.
pub(crate) fn status(err: &Error) -> StatusCode {
    match err {
        Error::Unauthenticated => StatusCode::UNAUTHORIZED,
        Error::BadInput(_) | Error::BadRequest(_) | Error::LimitExceeded { .. } => {
            StatusCode::BAD_REQUEST
        }
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::UniqueRace(_) => StatusCode::CONFLICT,
        Error::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
        Error::Timeout { .. } => StatusCode::REQUEST_TIMEOUT,
        Error::PayloadTooLarge { .. } | Error::UploadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        // As Apollo Server answers it: a normal step of the protocol, not a failure.
        Error::PersistedQueryNotFound => StatusCode::OK,
        Error::Unavailable(_) | Error::Conflict(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
        Error::IdempotencyInProgress | Error::DuplicateLead { .. } => StatusCode::CONFLICT,
        Error::Database(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An error answer in the face's shape.
pub(crate) fn respond(err: &Error, face: Face) -> Response {
    match face {
        Face::Graphql => graphql(err),
        Face::Rest => rest(err),
    }
}

/// The REST envelope.
pub(crate) fn rest(err: &Error) -> Response {
    // An internal error's message is `internal error`: its detail is only in the log.
    let mut error = json!({ "code": err.code(), "message": err.to_string() });
    if err.is_internal() {
        error["errorId"] = json!(crate::diagnostics::Diagnostic::log(err).to_string());
    }
    if err.is_transient() {
        crate::diagnostics::log_transient(err);
    }
    if let Error::BadInput(fields) = err {
        error["field"] = json!(fields.first().map(|f| f.field.clone()));
        error["fields"] = fields
            .iter()
            .map(|f| json!({ "field": f.field, "message": f.message }))
            .collect();
    }
    if let Error::DuplicateLead { field, ids } = err {
        error["field"] = json!(field);
        error["matchingLeadIds"] = json!(ids);
    }
    if let Some(retry_after_secs) = err.retry_after_secs() {
        error["retryAfter"] = json!(retry_after_secs);
    }
    if let Some(id) = request_id::current() {
        error["requestId"] = json!(id);
    }
    let body = json!({ "success": false, "error": error });
    let mut response = with_headers(err, (status(err), axum::Json(body)).into_response());
    super::metrics::observe(&mut response, |o| o.error(err.code()));
    response
}

/// A GraphQL response holding only this error, for errors raised before execution
/// (rate limits, body limits, methods, unreadable requests).
pub(crate) fn graphql(err: &Error) -> Response {
    let mut error = to_graphql(err).into_server_error(Default::default());
    // Raised before any document was read: there is no location to point at.
    error.locations.clear();
    let mut response = async_graphql::Response::from_errors(vec![error]);
    tag_with_request_id(&mut response);
    let mut http = GraphQLResponse::from(response).into_response();
    *http.status_mut() = status(err);
    super::metrics::observe(&mut http, |o| o.error(err.code()));
    with_headers(err, http)
}

/// Adds `extensions.requestId` to every error of a GraphQL response.
pub(crate) fn tag_with_request_id(response: &mut async_graphql::Response) {
    let Some(id) = request_id::current() else {
        return;
    };
    for error in &mut response.errors {
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("requestId", GqlValue::from(id.clone()));
    }
}

fn with_headers(err: &Error, mut response: Response) -> Response {
    let headers = response.headers_mut();
    if let Some(retry_after_secs) = err.retry_after_secs() {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    }
    match err {
        // The retry with the text registers the hash: no cache may keep the miss.
        Error::PersistedQueryNotFound => {
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache, must-revalidate"),
            );
        }
        Error::MethodNotAllowed { allow, .. } if !allow.is_empty() => {
            if let Ok(value) = HeaderValue::from_str(allow) {
                headers.insert(header::ALLOW, value);
            }
        }
        _ => {}
    }
    response
}

/// The error a bare error answer stands for: one that a layer or an extractor made
/// (axum's 404 and 405, the timeout's 408, a 413), which has no JSON body of ours.
/// `None` for answers that are fine as they are.
pub(crate) fn bare_answer_error(
    response: &Response,
    method: &str,
    timeout_millis: u64,
    body_limit: usize,
) -> Option<Error> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(response) {
        return None;
    }
    Some(match status {
        StatusCode::NOT_FOUND => Error::NotFound("route"),
        // axum adds `Allow` on the way out, after this layer.
        StatusCode::METHOD_NOT_ALLOWED => Error::MethodNotAllowed {
            method: method.to_owned(),
            allow: String::new(),
        },
        StatusCode::REQUEST_TIMEOUT => Error::Timeout {
            millis: timeout_millis,
        },
        StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge { limit: body_limit },
        StatusCode::INTERNAL_SERVER_ERROR => {
            Error::Internal("a handler answered 500 without a body".into())
        }
        status if status.is_client_error() => Error::BadRequest(format!(
            "the request could not be read ({})",
            status
                .canonical_reason()
                .unwrap_or("bad request")
                .to_lowercase()
        )),
        // Deliberate plain answers, such as /readyz's 503.
        _ => return None,
    })
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(err: &Error) -> serde_json::Value {
        let response = rest(err);
        let bytes =
            futures::executor::block_on(http_body_util::BodyExt::collect(response.into_body()))
                .unwrap()
                .to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn every_error_has_one_status_and_a_code() {
        let cases = [
            (Error::Unauthenticated, 401, "UNAUTHENTICATED"),
            (Error::bad_input("email", "bad"), 400, "BAD_USER_INPUT"),
            (Error::NotFound("lead"), 404, "NOT_FOUND"),
            (Error::UniqueRace("the request"), 409, "CONFLICT"),
            (Error::BadRequest("x".into()), 400, "BAD_REQUEST"),
            (
                Error::MethodNotAllowed {
                    method: "PUT".into(),
                    allow: "GET".into(),
                },
                405,
                "METHOD_NOT_ALLOWED",
            ),
            (Error::Timeout { millis: 30_000 }, 408, "TIMEOUT"),
            (
                Error::PayloadTooLarge { limit: 1 },
                413,
                "PAYLOAD_TOO_LARGE",
            ),
            (
                Error::RateLimited {
                    retry_after_secs: 2,
                },
                429,
                "RATE_LIMITED",
            ),
            (
                Error::PersistedQueryNotFound,
                200,
                "PERSISTED_QUERY_NOT_FOUND",
            ),
            (
                Error::Unavailable(sea_orm::DbErr::ConnectionAcquire(
                    sea_orm::ConnAcquireErr::Timeout,
                )),
                503,
                "SERVICE_UNAVAILABLE",
            ),
            (Error::IdempotencyKeyReused, 422, "IDEMPOTENCY_KEY_REUSED"),
            (Error::IdempotencyInProgress, 409, "IDEMPOTENCY_IN_PROGRESS"),
            (Error::Internal("boom".into()), 500, "INTERNAL"),
        ];
        for (err, code, name) in cases {
            assert_eq!(status(&err).as_u16(), code, "{err:?}");
            let body = body_of(&err);
            assert_eq!(body["success"], false);
            assert_eq!(body["error"]["code"], name);
        }
        let body = body_of(&Error::Internal("SELECT secret FROM t".into()));
        assert_eq!(body["error"]["message"], "internal error");
        assert!(body["error"]["errorId"].is_string());
    }
}
