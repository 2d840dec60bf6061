//! `/metrics`, and the middleware that counts and times every request. Handlers say what
//! they observed (the GraphQL operation, error codes) with [`observe`] on their response;
//! the metrics themselves are defined in `crate::metrics`.

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request, State},
    http::{Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::metrics::{Metrics, Observed, UNMATCHED_ROUTE};

use super::AppState;

/// `GET /metrics`: this replica's metrics in the text exposition format.
pub(crate) async fn scrape(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(&state.db),
    )
        .into_response()
}

/// Adds to what the response says it observed (kept in its extensions).
pub(crate) fn observe(response: &mut Response, record: impl FnOnce(&mut Observed)) {
    let extensions = response.extensions_mut();
    if extensions.get::<Observed>().is_none() {
        extensions.insert(Observed::default());
    }
    record(extensions.get_mut::<Observed>().expect("inserted above"));
}

/// Counts and times the request under its route template (`POST /api/v1/leads`), so
/// ids in paths never become labels.
pub(crate) async fn track(
    State(metrics): State<Metrics>,
    request: Request,
    next: Next,
) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => format!("{} {}", method_label(request.method()), path.as_str()),
        None => UNMATCHED_ROUTE.to_owned(),
    };
    let started = Instant::now();
    let response = next.run(request).await;
    let observed = response
        .extensions()
        .get::<Observed>()
        .cloned()
        .unwrap_or_default();
    metrics.request(
        &route,
        response.status().as_u16(),
        &observed,
        started.elapsed(),
    );
    response
}

/// The method as a label: the standard ones by name, any other as `OTHER`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// The name of the operation a GraphQL request runs: `operationName`, else the name of
/// the document's only operation (the parse is kept for execution).
pub(crate) fn operation_name(request: &mut async_graphql::Request) -> Option<String> {
    if let Some(name) = &request.operation_name {
        return Some(name.clone());
    }
    // A text this process parsed before is not parsed again (see `graphql::parse_cache`).
    let cached = crate::graphql::parse_cache::lookup(&request.query);
    let document = match &cached {
        Some(document) => &**document,
        None => request.parsed_query().ok()?,
    };
    match &document.operations {
        async_graphql::parser::types::DocumentOperations::Single(_) => None,
        async_graphql::parser::types::DocumentOperations::Multiple(ops) if ops.len() == 1 => {
            ops.keys().next().map(ToString::to_string)
        }
        async_graphql::parser::types::DocumentOperations::Multiple(_) => None,
    }
}

/// What a GraphQL response observed: its operation and the codes of its errors.
pub(crate) fn graphql_observed(operation: String, response: &async_graphql::Response) -> Observed {
    let mut observed = Observed {
        operation: Some(operation),
        ..Observed::default()
    };
    for error in &response.errors {
        if let Some(async_graphql::Value::String(code)) =
            error.extensions.as_ref().and_then(|e| e.get("code"))
        {
            observed.error(code);
        }
    }
    observed
}
