//! The HTTP adapter: one axum router for GraphQL, GraphiQL, REST and health checks.

mod caller;
mod errors;
mod graphiql;
mod graphql;
mod guard;
mod health;
mod rate_limit;
mod request_id;
mod rest;

use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderName, Request},
    middleware,
    routing::{get, post},
};
use sea_orm::DatabaseConnection;
use tower_http::{
    compression::CompressionLayer,
    cors::{AllowOrigin, CorsLayer},
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
    /// This replica's token buckets per API key (none when rate limiting is off).
    limiter: Option<Arc<rate_limit::KeyLimiter>>,
}

impl AppState {
    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        Self {
            schema: schema(db.clone(), &config),
            limiter: config
                .rate_limit
                .map(|rate| Arc::new(rate_limit::KeyLimiter::new(rate))),
            db,
            config,
        }
    }
}

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
            request_id::REQUEST_ID,
        ])
        // So browser code can quote the request id and honour rate limits.
        .expose_headers([request_id::REQUEST_ID, axum::http::header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(3600))
}

/// The whole HTTP surface. From the outside in: the request id (so everything below
/// can name the request), a trace span per request, CORS, compression, the guard (body
/// limit, panics, JSON for every error answer), the timeout, and the routes.
/// Spans carry method, path, request id and, once known, the API key's id: never query
/// strings, bodies or the key itself, which can hold PII or secrets.
pub fn router(state: AppState) -> Router {
    let trace = TraceLayer::new_for_http()
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
        .make_span_with(|request: &Request<_>| {
            let request_id = request
                .headers()
                .get(&request_id::REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!(
                "request",
                method = %request.method(),
                path = %request.uri().path(),
                request_id = %request_id,
                api_key_id = tracing::field::Empty,
            )
        });
    let limits = guard::Limits {
        body_bytes: state.config.body_limit_bytes,
        timeout_millis: state.config.request_timeout.as_millis() as u64,
    };
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
        // The guard enforces the body limit for every extractor alike.
        .layer(DefaultBodyLimit::disable())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.config.request_timeout,
        ))
        .layer(middleware::from_fn_with_state(limits, guard::guard))
        .layer(CompressionLayer::new())
        .layer(cors(&state.config.cors_origins))
        .layer(trace)
        .layer(middleware::from_fn(request_id::assign))
        .with_state(state)
}
