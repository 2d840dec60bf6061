//! The safety net around every route: the body limit, panics, and error answers that
//! layers and extractors make on their own (axum's 404 and 405, the timeout's 408). Each
//! becomes the JSON error of the face that was called, with a stable code, so a client
//! never gets a bare status, a plain-text rejection or a dropped connection.

use std::{
    panic::AssertUnwindSafe,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use axum::{
    body::Body,
    extract::{Request, State},
    http::header,
    middleware::Next,
    response::Response,
};
use futures::FutureExt;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::error::Error;

use super::errors::{self, Face};

/// What the guard needs to know to word its answers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub body_bytes: usize,
    /// The body limit of uploads (`POST /api/v1/documents`, GraphQL multipart requests).
    pub upload_bytes: usize,
    pub timeout_millis: u64,
}

impl Limits {
    /// The body limit for this request: uploads get their own.
    fn body_bytes_for(&self, request: &Request) -> usize {
        let path = request.uri().path();
        let upload = request.method() == axum::http::Method::POST
            && (path == "/api/v1/documents"
                || (path == "/graphql" && super::graphql::is_multipart(request.headers())));
        if upload {
            self.upload_bytes
        } else {
            self.body_bytes
        }
    }
}

/// Middleware: see the module comment. Bodies over the limit are refused before the
/// handler runs when `Content-Length` says so, and as soon as a chunked body passes it
/// otherwise (the handler's extractor then fails, so nothing executes).
pub(crate) async fn guard(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let face = Face::of(request.uri().path());
    let method = request.method().to_string();
    let body_bytes = limits.body_bytes_for(&request);
    let too_large = Error::PayloadTooLarge { limit: body_bytes };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > body_bytes as u64) {
        return errors::respond(&too_large, face);
    }
    let exceeded = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| limited(body, body_bytes, exceeded.clone()));
    let response = match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        // The panic hook has logged where; this logs under the errorId the client gets.
        Err(_) => return errors::respond(&Error::Internal("a handler panicked".into()), face),
    };
    if exceeded.load(Ordering::Acquire) {
        return errors::respond(&too_large, face);
    }
    match errors::bare_answer_error(&response, &method, limits.timeout_millis, body_bytes) {
        Some(err) => errors::respond(&err, face),
        None => response,
    }
}

/// The body, failing past `limit` bytes and noting that it did.
fn limited(body: Body, limit: usize, exceeded: Arc<AtomicBool>) -> Body {
    Body::new(Limited::new(body, limit).map_err(move |err| {
        if err.is::<LengthLimitError>() {
            exceeded.store(true, Ordering::Release);
        }
        err
    }))
}

#[cfg(test)]
mod tests {
    use axum::{Router, http::StatusCode, routing::get};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    async fn boom() -> &'static str {
        panic!("resolver bug with jane@example.com in its message")
    }

    /// No real route panics (that would be a bug), so a router of panicking routes stands
    /// in for one: the client gets INTERNAL with an errorId in the face's shape.
    #[tokio::test]
    async fn a_panicking_handler_is_an_internal_error_not_a_dropped_connection() {
        let limits = Limits {
            body_bytes: 1024,
            upload_bytes: 1024,
            timeout_millis: 30_000,
        };
        let router = Router::new()
            .route("/graphql", get(boom))
            .route("/api/v1/leads", get(boom))
            .layer(axum::middleware::from_fn_with_state(limits, guard));
        for (path, graphql) in [("/graphql", true), ("/api/v1/leads", false)] {
            let request = Request::get(path).body(Body::empty()).unwrap();
            let response = router.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let body = response.into_body().collect().await.unwrap().to_bytes();
            let text = String::from_utf8_lossy(&body).into_owned();
            assert!(!text.contains("jane") && !text.contains("panic"), "{text}");
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let error = if graphql {
                body["errors"][0]["extensions"].clone()
            } else {
                body["error"].clone()
            };
            assert_eq!(error["code"], "INTERNAL", "{body:#}");
            assert!(error["errorId"].is_string(), "{body:#}");
        }
    }
}
