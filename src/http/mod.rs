//! The HTTP adapter: one axum router for GraphQL, GraphiQL, REST and health checks.

mod caller;
mod graphiql;
mod graphql;
mod health;
mod rest;

use axum::{
    Router,
    http::{HeaderName, Request},
    routing::{get, post},
};
use sea_orm::DatabaseConnection;
use tower_http::{
    compression::CompressionLayer,
    cors::{AllowOrigin, CorsLayer},
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
}

impl AppState {
    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        Self {
            schema: schema(db.clone(), &config),
            db,
            config,
        }
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// CORS for the configured browser origins; none configured means no CORS headers, so
/// browsers allow same-origin pages only.
fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<axum::http::HeaderValue> = origins
        .iter()
        .filter_map(|origin| match origin.parse() {
            Ok(value) => Some(value),
            Err(_) => {
                tracing::warn!(
                    origin,
                    "ignoring a CORS origin that is not a valid header value"
                );
                None
            }
        })
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            axum::http::Method::GET,
            axum::http::Method::POST,
            axum::http::Method::PUT,
        ])
        .allow_headers([
            axum::http::header::CONTENT_TYPE,
            axum::http::header::ACCEPT,
            HeaderName::from_static("x-api-key"),
        ])
        .max_age(std::time::Duration::from_secs(3600))
}

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
        .layer(cors(&state.config.cors_origins))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}
