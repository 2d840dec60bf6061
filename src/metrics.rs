//! This replica's Prometheus metrics (the `prometheus-client` crate), served at
//! `/metrics`. Every metric is defined here, once, with the one function that records it;
//! handlers call those functions and never touch the registry.
//!
//! Metrics are per replica by nature: Prometheus scrapes each replica and sums. Label
//! values are bounded so no client can grow the series without limit: routes are the
//! router's templates, error codes are ours, and GraphQL operation names are capped
//! (see [`Metrics::operation`]).

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use prometheus_client::{
    encoding::{EncodeLabelSet, EncodeLabelValue},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};
use sea_orm::{DatabaseBackend, DatabaseConnection};

/// The most distinct GraphQL operation names a replica labels; later names count as
/// [`OTHER_OPERATION`].
pub const MAX_OPERATION_NAMES: usize = 100;
/// Longest operation name kept as a label; longer names count as [`OTHER_OPERATION`].
const MAX_OPERATION_NAME_CHARS: usize = 64;
/// The operation label of a GraphQL request without an operation name.
pub const ANONYMOUS_OPERATION: &str = "anonymous";
/// The operation label past the cap, or of a name that is not a GraphQL name.
pub const OTHER_OPERATION: &str = "other";
/// The operation label of requests that are not GraphQL (REST, health, GraphiQL).
pub const NO_OPERATION: &str = "none";
/// The route label of requests no route matched.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// How a request ended, for `leadgate_requests_total`.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum Outcome {
    /// Answered without an error.
    ok,
    /// Refused: the client's request was wrong (any error code but INTERNAL, a 4xx).
    client_error,
    /// Failed on our side (INTERNAL, a 5xx).
    server_error,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    operation: String,
    outcome: Outcome,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LatencyLabels {
    route: String,
    operation: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    code: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PersistedQueryLabels {
    result: &'static str,
}

/// What the request recorded about itself, handed from the handler to the metrics
/// middleware as a response extension: its GraphQL operation and its error codes.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// The GraphQL operation label ([`Metrics::operation`]); `None` for other routes.
    pub operation: Option<String>,
    /// The `extensions.code` / `error.code` of each error answered, once per code.
    pub error_codes: Vec<String>,
}

impl Observed {
    /// Adds an error code (each code counts once per response).
    pub fn error(&mut self, code: &str) {
        if !self.error_codes.iter().any(|c| c == code) {
            self.error_codes.push(code.to_owned());
        }
    }

    /// Adds what `other` observed (a handler's operation and a later layer's codes).
    pub fn merge(&mut self, other: Observed) {
        if other.operation.is_some() {
            self.operation = other.operation;
        }
        for code in other.error_codes {
            self.error(&code);
        }
    }
}

/// The registry and every metric of this replica; cheap to clone (one shared registry).
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<LatencyLabels, Histogram, fn() -> Histogram>,
    errors: Family<ErrorLabels, Counter>,
    leads_created: Counter,
    rate_limited: Counter,
    idempotent_replays: Counter,
    statements: Counter,
    persisted_queries: Family<PersistedQueryLabels, Counter>,
    pool: Family<PoolLabels, Gauge>,
    operation_names: Mutex<HashSet<String>>,
}

/// Latency buckets from 5 ms to about 10 s (5 ms × 2^0..11).
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 12))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("leadgate");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<LatencyLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let errors = Family::<ErrorLabels, Counter>::default();
        let leads_created = Counter::default();
        let rate_limited = Counter::default();
        let idempotent_replays = Counter::default();
        let statements = Counter::default();
        let persisted_queries = Family::<PersistedQueryLabels, Counter>::default();
        let pool = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "requests",
            "HTTP requests by route, GraphQL operation name and outcome",
            requests.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time from receiving a request to its response, by route and GraphQL operation",
            latency.clone(),
        );
        registry.register(
            "errors",
            "Responses carrying an error, by error code (each code once per response)",
            errors.clone(),
        );
        registry.register(
            "leads_created",
            "Leads created (GraphQL createLead and REST POST /api/v1/leads)",
            leads_created.clone(),
        );
        registry.register(
            "rate_limited_requests",
            "Requests refused because their API key was over its rate limit",
            rate_limited.clone(),
        );
        registry.register(
            "idempotent_replays",
            "Requests answered from a stored response for a repeated Idempotency-Key",
            idempotent_replays.clone(),
        );
        registry.register(
            "db_statements",
            "SQL statements sent to the database (what the benchmark divides by requests)",
            statements.clone(),
        );
        registry.register(
            "persisted_queries",
            "Automatic persisted query lookups: hit, miss (PersistedQueryNotFound) or registered",
            persisted_queries.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Database pool connections: in_use, idle, and max (the pool's size limit)",
            pool.clone(),
        );
        // Every unlabelled counter and the pool gauges show from the first scrape on.
        for state in ["in_use", "idle", "max"] {
            pool.get_or_create(&PoolLabels { state }).set(0);
        }
        Self(Arc::new(Inner {
            registry,
            requests,
            latency,
            errors,
            leads_created,
            rate_limited,
            idempotent_replays,
            statements,
            persisted_queries,
            pool,
            operation_names: Mutex::new(HashSet::new()),
        }))
    }

    /// The label for a GraphQL operation name: the name itself while fewer than
    /// [`MAX_OPERATION_NAMES`] names have been seen (and it is a GraphQL name of at most 64
    /// characters), [`ANONYMOUS_OPERATION`] without a name, else [`OTHER_OPERATION`].
    pub fn operation(&self, name: Option<&str>) -> String {
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return ANONYMOUS_OPERATION.to_owned();
        };
        if !is_graphql_name(name) || name.chars().count() > MAX_OPERATION_NAME_CHARS {
            return OTHER_OPERATION.to_owned();
        }
        let mut names = self
            .0
            .operation_names
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if names.contains(name) {
            return name.to_owned();
        }
        if names.len() < MAX_OPERATION_NAMES {
            names.insert(name.to_owned());
            return name.to_owned();
        }
        OTHER_OPERATION.to_owned()
    }

    /// Records one finished request.
    pub fn request(&self, route: &str, status: u16, observed: &Observed, elapsed: Duration) {
        let operation = observed
            .operation
            .clone()
            .unwrap_or_else(|| NO_OPERATION.to_owned());
        let internal = observed.error_codes.iter().any(|c| c == "INTERNAL");
        let outcome = if internal || status >= 500 {
            Outcome::server_error
        } else if !observed.error_codes.is_empty() || status >= 400 {
            Outcome::client_error
        } else {
            Outcome::ok
        };
        self.0
            .requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                operation: operation.clone(),
                outcome,
            })
            .inc();
        self.0
            .latency
            .get_or_create(&LatencyLabels {
                route: route.to_owned(),
                operation,
            })
            .observe(elapsed.as_secs_f64());
        for code in &observed.error_codes {
            // Codes are ours (SCREAMING_SNAKE); anything else would be a bug, not a label.
            if is_code(code) {
                self.0
                    .errors
                    .get_or_create(&ErrorLabels { code: code.clone() })
                    .inc();
            }
        }
    }

    /// A lead was created (after its transaction committed).
    pub fn lead_created(&self) {
        self.0.leads_created.inc();
    }

    /// A request was refused for its API key's rate limit.
    pub fn rate_limited(&self) {
        self.0.rate_limited.inc();
    }

    /// A request was answered by replaying the stored response of an earlier request
    /// with the same `Idempotency-Key` (call it where the replay is answered).
    pub fn idempotent_replay(&self) {
        self.0.idempotent_replays.inc();
    }

    /// A SQL statement was sent (SeaORM's metric callback; see `AppState::counting_statements`).
    pub fn statement(&self) {
        self.0.statements.inc();
    }

    /// An automatic persisted query lookup: `"hit"`, `"miss"` or `"registered"`.
    pub fn persisted_query(&self, result: &'static str) {
        self.0
            .persisted_queries
            .get_or_create(&PersistedQueryLabels { result })
            .inc();
    }

    /// The text exposition (OpenMetrics, which Prometheus reads), with the pool's gauges
    /// read from `db` now.
    pub fn render(&self, db: &DatabaseConnection) -> String {
        if let Some((size, idle, max)) = pool_state(db) {
            let set = |state, value: u32| {
                self.0
                    .pool
                    .get_or_create(&PoolLabels { state })
                    .set(i64::from(value));
            };
            set("in_use", size.saturating_sub(idle));
            set("idle", idle);
            set("max", max);
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.0.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

/// (open connections, idle ones, the pool's maximum) of the sqlx pool under SeaORM.
fn pool_state(db: &DatabaseConnection) -> Option<(u32, u32, u32)> {
    let (size, idle, max) = match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => return None,
    };
    Some((size, u32::try_from(idle).unwrap_or(u32::MAX), max))
}

fn is_graphql_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

fn is_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 64 && code.chars().all(|c| c == '_' || c.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded() {
        let metrics = Metrics::new();
        assert_eq!(metrics.operation(None), ANONYMOUS_OPERATION);
        assert_eq!(metrics.operation(Some("")), ANONYMOUS_OPERATION);
        assert_eq!(metrics.operation(Some("CreateLead")), "CreateLead");
        assert_eq!(metrics.operation(Some("not a name")), OTHER_OPERATION);
        assert_eq!(metrics.operation(Some(&"A".repeat(65))), OTHER_OPERATION);
        for i in 1..MAX_OPERATION_NAMES {
            assert_eq!(metrics.operation(Some(&format!("Op{i}"))), format!("Op{i}"));
        }
        assert_eq!(metrics.operation(Some("OneTooMany")), OTHER_OPERATION);
        assert_eq!(
            metrics.operation(Some("CreateLead")),
            "CreateLead",
            "known names stay"
        );
    }
}
