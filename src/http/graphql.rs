//! GraphQL over HTTP: POST (JSON) for everything, GET for queries only, GraphiQL for
//! browsers. The API key is resolved once per request, and each request gets its own
//! loaders.

use async_graphql::{
    ParseRequestError,
    parser::types::{DocumentOperations, OperationType},
};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse, rejection::GraphQLRejection};
use std::sync::Arc;

use axum::{
    extract::{FromRequest, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::domain::{auth::Principal, idempotency};
use crate::error::Error;
use crate::graphql::{context, errors};

use super::{AppState, caller, errors as http_errors, graphiql, idempotency as idempotent};

/// `POST /graphql`.
pub(crate) async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    match request {
        Ok(request) => execute(&state, &headers, request.into_inner()).await,
        Err(rejection) => {
            http_errors::graphql(&unreadable(rejection.0, state.config.body_limit_bytes))
        }
    }
}

/// Why a body is not a GraphQL request, in plain words (async-graphql's own rejection
/// answers the Debug print of a serde error as text).
fn unreadable(err: ParseRequestError, body_limit: usize) -> Error {
    match err {
        ParseRequestError::PayloadTooLarge => Error::PayloadTooLarge { limit: body_limit },
        ParseRequestError::InvalidRequest(inner) => {
            match inner.downcast_ref::<serde_json::Error>() {
                Some(json) if json.is_syntax() || json.is_eof() => Error::BadRequest(format!(
                    "the request body is not valid JSON (line {}, column {})",
                    json.line(),
                    json.column()
                )),
                _ => Error::BadRequest(
                    "the request body must be a JSON object with a \"query\" string, and \
                     optionally \"variables\" (an object) and \"operationName\""
                        .into(),
                ),
            }
        }
        ParseRequestError::UnsupportedBatch => {
            Error::BadRequest("JSON batches of operations are not accepted".into())
        }
        // Reading the body failed: the guard answers 413 when it was the body limit.
        ParseRequestError::Io(_) => Error::BadRequest("the request body could not be read".into()),
        _ => Error::BadRequest("file uploads (multipart requests) are not accepted".into()),
    }
}

/// `GET /graphql`: GraphiQL for a browser, else a query from the query string. Mutations
/// over GET are refused with 405 (GraphQL over HTTP), so links and prefetches never write.
pub(crate) async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let has_query = request.uri().query().is_some_and(|q| q.contains("query="));
    if wants_html && !has_query {
        return graphiql::page(State(state)).await;
    }
    let mut request = match GraphQLRequest::<GraphQLRejection>::from_request(request, &state).await
    {
        Ok(request) => request.into_inner(),
        Err(rejection) => {
            return http_errors::graphql(&unreadable(rejection.0, state.config.body_limit_bytes));
        }
    };
    if is_mutation(&mut request) {
        return http_errors::graphql(&Error::MethodNotAllowed {
            method: "a mutation over GET".into(),
            allow: "POST".into(),
        });
    }
    execute(&state, &headers, request).await
}

/// Whether the operation the request would run is a mutation (unparseable documents are
/// left for execution to report).
fn is_mutation(request: &mut async_graphql::Request) -> bool {
    let operation_name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return false;
    };
    let ty = match &document.operations {
        DocumentOperations::Single(op) => Some(op.node.ty),
        DocumentOperations::Multiple(ops) => match &operation_name {
            Some(name) => ops.get(name.as_str()).map(|op| op.node.ty),
            None => ops.values().next().map(|op| op.node.ty),
        },
    };
    ty == Some(OperationType::Mutation)
}

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    request: async_graphql::Request,
) -> Response {
    let caller = match caller::resolve(state, headers).await {
        Ok(caller) => caller,
        // Refused before anything executes (rate limit, storage down): the status says so.
        Err(err) => return http_errors::graphql(&err),
    };
    let keyed = match keyed(
        headers,
        &request,
        caller.as_ref(),
        state.config.request_timeout,
    ) {
        Ok(keyed) => keyed,
        Err(err) => return http_errors::graphql(&err),
    };
    let Some((keyed, principal)) = keyed else {
        let mut response =
            errors::add_codes(context::execute(&state.schema, request, caller).await);
        http_errors::tag_with_request_id(&mut response);
        return GraphQLResponse::from(response).into_response();
    };
    match idempotency::precheck(&state.db, &principal, &keyed.claim).await {
        Ok(Some(body)) => return idempotent::replay(body, GRAPHQL_RESPONSE),
        Ok(None) => {}
        Err(err) => return http_errors::graphql(&err),
    }
    let request = request.data(keyed.clone());
    let mut response = errors::add_codes(context::execute(&state.schema, request, caller).await);
    http_errors::tag_with_request_id(&mut response);
    match keyed.outcome() {
        // This request created the lead (or renders one whose request died): what it
        // sends is what the key replays from now on.
        Some(idempotency::Answer::Lead(_)) => {
            let body = serde_json::to_string(&response).expect("a GraphQL response serialises");
            idempotent::store(&state.db, &principal, &keyed.claim, &body).await;
            let mut http = (StatusCode::OK, body).into_response();
            http.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(GRAPHQL_RESPONSE),
            );
            http
        }
        // The first request finished between the precheck and the create.
        Some(idempotency::Answer::Replay(body)) => idempotent::replay(body, GRAPHQL_RESPONSE),
        None => GraphQLResponse::from(response).into_response(),
    }
}

/// What async-graphql-axum answers GraphQL with.
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// The request's Idempotency-Key claim (authenticated requests only: keys are per
/// workspace), fingerprinted by the whole GraphQL request.
fn keyed(
    headers: &HeaderMap,
    request: &async_graphql::Request,
    caller: Option<&context::Caller>,
    request_timeout: std::time::Duration,
) -> Result<Option<(Arc<idempotency::Keyed>, Principal)>, Error> {
    let Some(caller) = caller else {
        return Ok(None);
    };
    let canonical = serde_json::json!({
        "query": request.query,
        "operationName": request.operation_name,
        "variables": request.variables.clone().into_value().into_json().unwrap_or_default(),
    });
    Ok(
        idempotent::claim(headers, "graphql", &canonical, request_timeout)?.map(|claim| {
            (
                Arc::new(idempotency::Keyed::new(claim)),
                caller.principal.clone(),
            )
        }),
    )
}
