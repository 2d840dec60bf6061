//! The HTTP adapter: one axum router for GraphQL, GraphiQL, REST and health checks.

mod caller;
pub mod cors;
mod downloads;
mod errors;
mod graphiql;
mod graphql;
mod guard;
mod health;
mod idempotency;
mod media_type;
mod metrics;
mod rate_limit;
mod request_id;
pub(crate) mod rest;
pub(crate) mod subscriptions;

pub use graphiql::{DEMO_OPERATIONS, GraphiqlPage};
pub use health::Readiness;
pub use rest::openapi::document as openapi_document;

use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::Request,
    middleware,
    routing::{get, post},
};
use sea_orm::DatabaseConnection;
use tower_http::{
    compression::CompressionLayer,
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};

use crate::config::Config;
use crate::graphql::{LeadgateSchema, anonymous_schema, schema};

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: LeadgateSchema,
    /// The schema for requests without a valid key (no introspection, no suggestions).
    pub anonymous_schema: LeadgateSchema,
    /// The REST face's internal schema of dry-run answers (never served).
    pub preview_schema: crate::graphql::preview::PreviewSchema,
    pub config: Config,
    /// The GraphiQL page: standard, or the demo's with its key (`serve --demo` only).
    pub graphiql: GraphiqlPage,
    /// This replica's metrics, served at `/metrics`.
    pub metrics: crate::metrics::Metrics,
    /// This replica's automatic persisted queries (hash -> query text).
    pub persisted_queries: crate::graphql::persisted_queries::PersistedQueries,
    /// Whether this process takes traffic (`/readyz`); flipped off by the shutdown signal.
    pub readiness: Readiness,
    /// Wake-ups for subscriptions reading the outbox (LISTEN on PostgreSQL, started with
    /// the first subscription).
    pub wake: crate::domain::events::wake::Wake,
    /// This replica's token buckets per API key (none when rate limiting is off).
    limiter: Option<Arc<rate_limit::KeyLimiter>>,
}

impl AppState {
    /// The schema a request runs on: the anonymous one unless it has a valid key.
    pub(crate) fn schema_for<T>(&self, caller: &Option<T>) -> &LeadgateSchema {
        if caller.is_some() {
            &self.schema
        } else {
            &self.anonymous_schema
        }
    }

    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        Self {
            schema: schema(db.clone(), &config),
            anonymous_schema: anonymous_schema(db.clone(), &config),
            preview_schema: crate::graphql::preview::schema(db.clone(), &config),
            limiter: config
                .rate_limit
                .map(|rate| Arc::new(rate_limit::KeyLimiter::new(rate))),
            wake: crate::domain::events::wake::Wake::new(db.clone()),
            db,
            config,
            graphiql: GraphiqlPage::standard(),
            metrics: crate::metrics::Metrics::new(),
            persisted_queries: Default::default(),
            readiness: Readiness::default(),
        }
    }

    /// As [`AppState::new`], with every SQL statement counted in `/metrics`
    /// (`leadgate_db_statements_total`), as `serve` runs. Tests use `new`: their harness
    /// counts statements through the same callback, which a connection has only one of.
    pub fn counting_statements(mut db: DatabaseConnection, config: Config) -> Self {
        let metrics = crate::metrics::Metrics::new();
        let counter = metrics.clone();
        db.set_metric_callback(move |_| counter.statement());
        Self {
            metrics,
            ..Self::new(db, config)
        }
    }

    /// Wakes subscriptions with `wake` (one shared with the dispatcher, so a replica
    /// holds one LISTEN connection).
    pub fn with_wake(self, wake: crate::domain::events::wake::Wake) -> Self {
        Self { wake, ..self }
    }

    /// Serves `page` as GraphiQL (the demo's, from `serve --demo`).
    pub fn with_graphiql(self, page: GraphiqlPage) -> Self {
        Self {
            graphiql: page,
            ..self
        }
    }
}

/// The whole HTTP surface. From the outside in: the request id (so everything below
/// can name the request), a trace span per request, metrics (counted and timed), CORS, compression, the guard (body
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
        upload_bytes: state.config.documents.max_request_bytes(),
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
        .route("/api/v1/leads/batch", post(rest::batch::create_leads))
        .route("/api/v1/leads/{lead_id}", get(rest::get_lead))
        .route(
            "/api/v1/leads/{lead_id}/documents",
            get(rest::documents::of_lead),
        )
        .route("/api/v1/documents/{document_id}", get(rest::documents::one))
        .route(
            "/documents/{workspace_id}/{document_id}",
            get(downloads::download),
        )
        .route(
            "/api/v1/leads/{lead_id}/checklist-items",
            post(rest::add_checklist_item),
        )
        .route(
            "/api/v1/leads/{lead_id}/checklist",
            get(rest::get_checklist),
        )
        .route(
            "/api/v1/leads/{lead_id}/action-logs",
            get(rest::get_action_logs),
        )
        .route("/api/v0/analytics", get(rest::analytics::analytics))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(metrics::scrape))
        .route("/api/v1/openapi.json", get(rest::openapi::serve))
        // The guard enforces the body limit for every extractor alike.
        .layer(DefaultBodyLimit::disable())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.config.request_timeout,
        ))
        // Added after the request timeout, so only its own applies.
        .route(
            "/api/v1/documents",
            post(rest::documents::upload)
                .layer::<_, std::convert::Infallible>(DefaultBodyLimit::disable())
                .layer(TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    state.config.documents.upload_timeout,
                )),
        )
        .layer(middleware::from_fn_with_state(limits, guard::guard))
        .layer(middleware::from_fn(media_type::middleware))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(
            cors::Cors::new(&state.config.cors_origins),
            cors::middleware,
        ))
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
        .layer(trace)
        .layer(middleware::from_fn(request_id::assign))
        .with_state(state)
}
