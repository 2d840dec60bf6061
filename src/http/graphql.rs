//! GraphQL over HTTP: POST (JSON) for everything, GET for queries only, GraphiQL for
//! browsers. The API key is resolved once per request, and each request gets its own
//! loaders.

use async_graphql::{
    ServerError,
    parser::types::{DocumentOperations, OperationType},
};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{
    extract::{FromRequest, Request, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::graphql::{context, errors};

use super::{AppState, caller, graphiql};

/// `POST /graphql`.
pub(crate) async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    execute(&state, &headers, request.into_inner()).await
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
    let mut request =
        match GraphQLRequest::<async_graphql_axum::rejection::GraphQLRejection>::from_request(
            request, &state,
        )
        .await
        {
            Ok(request) => request.into_inner(),
            Err(rejection) => return rejection.into_response(),
        };
    if is_mutation(&mut request) {
        let error = ServerError::new("mutations are only accepted over POST", None);
        let mut response = async_graphql::Response::from_errors(vec![error]);
        response = errors::add_codes(response);
        if let Some(ext) = response.errors[0].extensions.as_mut() {
            ext.set("code", "METHOD_NOT_ALLOWED");
        }
        let mut http = GraphQLResponse::from(response).into_response();
        *http.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        http.headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return http;
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
        Err(err) => {
            let error = errors::to_graphql(&err).into_server_error(Default::default());
            return GraphQLResponse::from(async_graphql::Response::from_errors(vec![error]))
                .into_response();
        }
    };
    let response = context::execute(&state.schema, request, caller).await;
    GraphQLResponse::from(errors::add_codes(response)).into_response()
}
