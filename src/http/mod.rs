//! The HTTP adapter: one axum router for GraphQL, GraphiQL, REST and health checks.

mod caller;
pub mod cors;
mod graphiql;
mod graphql;
mod health;
mod rest;

pub use graphiql::{DEMO_OPERATIONS, GraphiqlPage};

use axum::{
    Router,
    http::{HeaderName, Request},
    routing::{get, post},
};
use sea_orm::DatabaseConnection;
use tower_http::{
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};

use crate::config::Config;
use crate::graphql::{LeadgateSchema, schema};

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: LeadgateSchema,
    pub config: Config,
    /// The GraphiQL page: standard, or the demo's with its key (`serve --demo` only).
    pub graphiql: GraphiqlPage,
}

impl AppState {
    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        Self {
            schema: schema(db.clone(), &config),
            db,
            config,
            graphiql: GraphiqlPage::standard(),
        }
    }

    /// Serves `page` as GraphiQL (the demo's, from `serve --demo`).
    pub fn with_graphiql(self, page: GraphiqlPage) -> Self {
        Self {
            graphiql: page,
            ..self
        }
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole HTTP surface, with body limit, timeout, compression, CORS and request ids.
/// Traces carry method, path and request id only: query strings and bodies can hold PII.
pub fn router(state: AppState) -> Router {
    let trace = TraceLayer::new_for_http()
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
        .make_span_with(|request: &Request<_>| {
        let request_id = request
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
    });
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphiql", get(graphiql::page))
        .route("/graphiql/{file}", get(graphiql::asset))
        .route(
            "/api/v1/leads",
            post(rest::create_lead).put(rest::update_lead),
        )
        .route("/api/v1/leads/{lead_id}", get(rest::get_lead))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .layer(RequestBodyLimitLayer::new(state.config.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.config.request_timeout,
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            cors::Cors::new(&state.config.cors_origins),
            cors::middleware,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}
