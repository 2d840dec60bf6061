//! GraphQL over HTTP: POST (JSON) for everything, GET for queries only, GraphiQL for
//! browsers. The API key is resolved once per request, and each request gets its own
//! loaders.

use std::{num::NonZeroU32, sync::Arc};

use async_graphql::{
    BatchRequest, BatchResponse, ParseRequestError,
    parser::types::{DocumentOperations, OperationType},
};
use async_graphql_axum::{
    GraphQLBatchRequest, GraphQLRequest, GraphQLResponse, rejection::GraphQLRejection,
};
use axum::{
    extract::{FromRequest, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::domain::{auth::Principal, idempotency};
use crate::error::Error;
use crate::graphql::{
    context::{self, Caller},
    errors,
};

use super::{
    AppState, caller, errors as http_errors, graphiql, idempotency as idempotent,
    media_type::{self, MediaType},
    metrics, subscriptions,
};

/// `POST /graphql`: JSON, or a GraphQL multipart request (file uploads).
pub(crate) async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    if is_multipart(&headers) {
        // Check the key before async-graphql spools the files to disk, so anonymous
        // clients cannot make it store up to the upload limit (costs the key one more
        // rate-limit token per upload).
        match caller::resolve(&state, &headers).await {
            Ok(Some(_)) => {}
            Ok(None) => return http_errors::graphql(&Error::Unauthenticated),
            Err(err) => return http_errors::graphql(&err),
        }
        return match multipart(&state, &headers, request).await {
            Ok(request) => execute(&state, &headers, request).await,
            Err(err) => http_errors::graphql(&err),
        };
    }
    if !is_json(&headers) {
        // GraphQL over HTTP: a POST says its body is JSON (or a multipart upload).
        return http_errors::graphql(&Error::BadRequest(
            "a POST to /graphql needs Content-Type: application/json (or multipart/form-data \
             for uploads)"
                .into(),
        ));
    }
    match GraphQLBatchRequest::<GraphQLRejection>::from_request(request, &state).await {
        Ok(request) => match request.into_inner() {
            BatchRequest::Single(mut request) => {
                if let Some(refused) = persisted_query(&state, &mut request) {
                    return refused;
                }
                if let Some(refused) = without_query(&request) {
                    return refused;
                }
                execute(&state, &headers, request).await
            }
            BatchRequest::Batch(requests) => execute_batch(&state, &headers, requests).await,
        },
        Err(rejection) => {
            http_errors::graphql(&unreadable(rejection.0, state.config.body_limit_bytes))
        }
    }
}

/// Whether a request is `multipart/form-data` (the GraphQL multipart request spec).
pub(crate) fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Whether a request's `Content-Type` is `application/json` (parameters such as
/// `charset` allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Reads a GraphQL multipart request with the upload limits: async-graphql spools each
/// file to a temp file (never to memory) and the resolver streams it to the store.
async fn multipart(
    state: &AppState,
    headers: &HeaderMap,
    request: Request,
) -> Result<async_graphql::Request, Error> {
    use futures::TryStreamExt;
    let limits = &state.config.documents;
    let options = async_graphql::http::MultipartOptions::default()
        .max_file_size(limits.max_file_bytes as usize)
        // async-graphql uses this only to bound the whole stream (files x size); one
        // more file's room leaves space for the operations and map fields. The count
        // itself is checked by the upload batch.
        .max_num_files(limits.max_files + 1);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let body = request
        .into_body()
        .into_data_stream()
        .map_err(std::io::Error::other)
        .into_async_read();
    async_graphql::http::receive_body(content_type, body, options)
        .await
        .map_err(|err| match err {
            ParseRequestError::PayloadTooLarge => Error::UploadTooLarge(format!(
                "files: a file may hold at most {} bytes",
                limits.max_file_bytes
            )),
            ParseRequestError::Io(_) => {
                Error::BadRequest("the request body could not be read".into())
            }
            other => Error::BadRequest(format!(
                "not a GraphQL multipart request (operations, map, then the files): {other}"
            )),
        })
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
        _ => Error::BadRequest("the request could not be read as GraphQL".into()),
    }
}

/// `GET /graphql`: a WebSocket for subscriptions (`Upgrade: websocket`), GraphiQL for a
/// browser, else a query from the query string. Mutations
/// over GET are refused with 405 (GraphQL over HTTP), so links and prefetches never write.
pub(crate) async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    if subscriptions::is_upgrade(&headers) {
        return subscriptions::upgrade(state, request).await;
    }
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
    // A hash resolves to its text first, so a hashed mutation is refused over GET too.
    if let Some(refused) = persisted_query(&state, &mut request) {
        return refused;
    }
    if let Some(refused) = without_query(&request) {
        return refused;
    }
    if is_mutation(&mut request) {
        return http_errors::graphql(&Error::MethodNotAllowed {
            method: "a mutation over GET".into(),
            allow: "POST".into(),
        });
    }
    execute(&state, &headers, request).await
}

/// Fills in the query text of an automatic persisted query (or registers it); a miss or a
/// wrong hash is answered at once (the answer returned).
fn persisted_query(state: &AppState, request: &mut async_graphql::Request) -> Option<Response> {
    match state.persisted_queries.resolve(request) {
        Ok(lookup) => {
            if let Some(label) = lookup.label() {
                state.metrics.persisted_query(label);
            }
            None
        }
        Err(err) => {
            if matches!(err, Error::PersistedQueryNotFound) {
                state.metrics.persisted_query("miss");
            }
            let mut refused = http_errors::graphql(&err);
            let operation = state.metrics.operation(request.operation_name.as_deref());
            metrics::observe(&mut refused, |o| o.operation = Some(operation));
            Some(refused)
        }
    }
}

/// A request with no query text (none sent, nor a persisted query's hash) is not a
/// GraphQL request at all: 400 `BAD_REQUEST` in either media type (GraphQL over HTTP
/// allows it), not a parse error of an empty document.
fn without_query(request: &async_graphql::Request) -> Option<Response> {
    request.query.trim().is_empty().then(|| {
        http_errors::graphql(&Error::BadRequest(
            "the request has no \"query\" (a GraphQL document as a string)".into(),
        ))
    })
}

/// Whether the operation the request would run is a mutation (unparseable documents are
/// left for execution to report).
fn is_mutation(request: &mut async_graphql::Request) -> bool {
    operation_type(request) == Some(OperationType::Mutation)
}

/// The type of the operation the request would run; `None` when the document does not
/// parse or names no such operation.
pub(crate) fn operation_type(request: &mut async_graphql::Request) -> Option<OperationType> {
    let operation_name = request.operation_name.clone();
    let cached = crate::graphql::parse_cache::lookup(&request.query);
    let document = match &cached {
        Some(document) => &**document,
        None => match request.parsed_query() {
            Ok(document) => document,
            Err(_) => return None,
        },
    };
    match &document.operations {
        DocumentOperations::Single(op) => Some(op.node.ty),
        DocumentOperations::Multiple(ops) => match &operation_name {
            Some(name) => ops.get(name.as_str()).map(|op| op.node.ty),
            None => ops.values().next().map(|op| op.node.ty),
        },
    }
}

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    mut request: async_graphql::Request,
) -> Response {
    let operation = state
        .metrics
        .operation(metrics::operation_name(&mut request).as_deref());
    // Parsed here only within the query size limit (bigger ones are refused unparsed).
    if request.query.len() <= state.config.limits.query_bytes
        && operation_type(&mut request) == Some(OperationType::Subscription)
    {
        // A request error like any other document that cannot run here (so its status
        // follows the media type), saying where subscriptions go.
        let error = errors::to_graphql(&Error::BadRequest(
            "subscriptions run over a WebSocket to /graphql (graphql-ws), not over HTTP".into(),
        ));
        let mut refused = async_graphql::ServerError::new(error.message, None);
        refused.extensions = error.extensions;
        let mut response = async_graphql::Response::from_errors(vec![refused]);
        http_errors::tag_with_request_id(&mut response);
        let mut http = if MediaType::of(headers) == MediaType::GraphqlResponse {
            request_error(&response)
        } else {
            GraphQLResponse::from(response).into_response()
        };
        metrics::observe(&mut http, |o| o.operation = Some(operation));
        return http;
    }
    let caller = match caller::resolve(state, headers).await {
        Ok(caller) => caller,
        // Refused before anything executes (rate limit, storage down): the status says so.
        Err(err) => {
            let mut refused = http_errors::graphql(&err);
            metrics::observe(&mut refused, |o| o.operation = Some(operation));
            return refused;
        }
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
    let mut request = request.data(state.metrics.clone());
    if let Some((keyed, principal)) = &keyed {
        match idempotency::precheck(&state.db, principal, &keyed.claim).await {
            Ok(Some(body)) => return idempotent::replay(&state.metrics, body, GRAPHQL_RESPONSE),
            Ok(None) => {}
            Err(err) => return http_errors::graphql(&err),
        }
        request = request.data(keyed.clone());
    }
    let schema = state.schema_for(&caller);
    let mut response = errors::add_codes(context::execute(schema, request, caller).await);
    http_errors::tag_with_request_id(&mut response);
    let observed = metrics::graphql_observed(operation, &response);
    if is_request_error(&response) && MediaType::of(headers) == MediaType::GraphqlResponse {
        let mut http = request_error(&response);
        metrics::observe(&mut http, |o| o.merge(observed));
        return http;
    }
    let mut http = match keyed {
        None => GraphQLResponse::from(response).into_response(),
        Some((keyed, principal)) => match keyed.outcome() {
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
            Some(idempotency::Answer::Replay(body)) => {
                idempotent::replay(&state.metrics, body, GRAPHQL_RESPONSE)
            }
            None => GraphQLResponse::from(response).into_response(),
        },
    };
    metrics::observe(&mut http, |o| o.merge(observed));
    http
}

/// Whether the document never ran (it did not parse, failed validation or a limit, or its
/// variables did not fit): no `data`, and no error has a path into it.
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// A request error in `application/graphql-response+json` (GraphQL over HTTP): HTTP 400,
/// and the answer has no `data` entry at all.
fn request_error(response: &async_graphql::Response) -> Response {
    let mut body = serde_json::to_value(response).expect("a GraphQL response serialises");
    if let Some(fields) = body.as_object_mut() {
        fields.shift_remove("data");
    }
    let mut http = (StatusCode::BAD_REQUEST, body.to_string()).into_response();
    http.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(GRAPHQL_RESPONSE),
    );
    http
}

/// What async-graphql-axum answers GraphQL with.
const GRAPHQL_RESPONSE: &str = media_type::GRAPHQL_RESPONSE;

/// The request's Idempotency-Key claim (authenticated requests only: keys are per
/// workspace), fingerprinted by the whole GraphQL request.
fn keyed(
    headers: &HeaderMap,
    request: &async_graphql::Request,
    caller: Option<&Caller>,
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

/// A JSON batch: at most `limits.batch_size` operations (`MAX_BATCH_SIZE_LIMIT`, nothing
/// run beyond that), each taking one request from the key's rate-limit bucket, all taken
/// before the first runs. They run one after another, in order, each with loaders of its
/// own (as separate requests would), and answer as a JSON array in the same order.
async fn execute_batch(
    state: &AppState,
    headers: &HeaderMap,
    requests: Vec<async_graphql::Request>,
) -> Response {
    if headers.contains_key(idempotency::HEADER) {
        // One key names one request's answer; a batch has several.
        return http_errors::graphql(&Error::bad_input(
            "Idempotency-Key",
            "is not accepted on JSON batches; send a keyed createLead on its own",
        ));
    }
    let limit = state.config.limits.batch_size;
    let Some(count) = u32::try_from(requests.len()).ok().and_then(NonZeroU32::new) else {
        return http_errors::graphql(&Error::BadRequest(
            "a JSON batch must hold at least one operation".into(),
        ));
    };
    if requests.len() > limit {
        return http_errors::graphql(&Error::LimitExceeded {
            code: "MAX_BATCH_SIZE_LIMIT",
            message: format!(
                "a JSON batch may hold at most {limit} operations, this one holds {}",
                requests.len()
            ),
        });
    }
    let principal = match caller::principal(state, headers, count).await {
        Ok(principal) => principal,
        Err(err) => return http_errors::graphql(&err),
    };
    let mut responses = Vec::with_capacity(requests.len());
    for mut request in requests {
        // A persisted-query miss answers that operation alone; the others still run.
        if let Err(err) = state.persisted_queries.resolve(&mut request) {
            let error = errors::to_graphql(&err).into_server_error(Default::default());
            let mut response = errors::add_codes(async_graphql::Response::from_errors(vec![error]));
            http_errors::tag_with_request_id(&mut response);
            responses.push(response);
            continue;
        }
        let caller = principal
            .clone()
            .map(|principal| Caller::new(state.db.clone(), principal));
        let request = request.data(state.metrics.clone());
        let schema = state.schema_for(&caller);
        let request = request.data(state.metrics.clone());
        let mut response = errors::add_codes(context::execute(schema, request, caller).await);
        http_errors::tag_with_request_id(&mut response);
        responses.push(response);
    }
    GraphQLResponse::from(BatchResponse::Batch(responses)).into_response()
}
