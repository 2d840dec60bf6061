//! The shared test harness: `spawn_app` gives each test a fresh, migrated database
//! (a temp SQLite file, or a new PostgreSQL database dropped afterwards), a workspace with
//! the documented checklist template, live and test keys, and a client for the router.

use std::{
    panic::AssertUnwindSafe,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use axum::{
    Router,
    body::{Body, Bytes},
    http::{HeaderMap, Request, StatusCode},
};
use futures::FutureExt;
use http_body_util::BodyExt;
use leadgate::{
    AppState, Config,
    domain::{auth, checklist::import, demo::DEMO_TEMPLATE, workspaces},
    entities::enums::ApiKeyMode,
};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

/// Where PostgreSQL tests create their databases (trust auth, as on CI).
fn postgres_admin_url() -> String {
    std::env::var("LEADGATE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `body` on each of both backends; defines `NAME::sqlite` and `NAME::postgres`.
macro_rules! on_both_backends {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                crate::harness::run(crate::harness::Backend::Sqlite, async |$app: crate::harness::TestApp| $body).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                crate::harness::run(crate::harness::Backend::Postgres, async |$app: crate::harness::TestApp| $body).await
            }
        }
    };
}

/// Where a test's database lives, so it can be removed whatever the test did.
enum Storage {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { name: String },
}

pub struct TestApp {
    pub router: Router,
    pub db: DatabaseConnection,
    pub database_url: String,
    pub workspace_id: Uuid,
    /// A live key of `workspace_id`.
    pub key: String,
    /// A test key of `workspace_id`.
    pub test_key: String,
    statements: Arc<AtomicUsize>,
    statement_log: Arc<Mutex<Vec<String>>>,
}

/// Sets up a fresh app on `backend`, runs `body`, and removes the database even when the
/// body panics (then re-raises the panic).
pub async fn run(backend: Backend, body: impl AsyncFnOnce(TestApp)) {
    let (app, storage) = spawn_app(backend).await;
    let outcome = AssertUnwindSafe(body(app)).catch_unwind().await;
    if let Storage::Postgres { name } = storage {
        let admin = Database::connect(postgres_admin_url())
            .await
            .expect("connect to PostgreSQL");
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
            .expect("drop test database");
        admin.close().await.ok();
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

async fn spawn_app(backend: Backend) -> (TestApp, Storage) {
    let (database_url, storage) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("leadgate.db").display()
            );
            (url, Storage::Sqlite(dir))
        }
        Backend::Postgres => {
            let name = format!("leadgate_test_{}", Uuid::new_v4().simple());
            let admin_url = postgres_admin_url();
            let admin = Database::connect(&admin_url)
                .await
                .expect("PostgreSQL must be running for the tests (see README)");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let base = admin_url.rsplit_once('/').expect("database in URL").0;
            (format!("{base}/{name}"), Storage::Postgres { name })
        }
    };
    let mut db = leadgate::db::connect(&database_url).await.expect("connect");
    leadgate::db::migrate(&db).await.expect("migrate");
    let statements = Arc::new(AtomicUsize::new(0));
    let statement_log = Arc::new(Mutex::new(Vec::new()));
    {
        let statements = statements.clone();
        let statement_log = statement_log.clone();
        db.set_metric_callback(move |info| {
            statements.fetch_add(1, Ordering::SeqCst);
            statement_log
                .lock()
                .unwrap()
                .push(info.statement.sql.clone());
        });
    }
    let (workspace_id, key) = seed_workspace(&db, "Acme").await;
    let test_key = auth::issue(&db, workspace_id, ApiKeyMode::Test)
        .await
        .unwrap()
        .key;
    let router = leadgate::router(AppState::new(db.clone(), test_config()));
    let app = TestApp {
        router,
        db,
        database_url,
        workspace_id,
        key,
        test_key,
        statements,
        statement_log,
    };
    (app, storage)
}

/// The production defaults, without rate limits (tests send bursts of requests with one
/// key; tests/api/rate_limits.rs builds routers with limits of its own).
pub fn test_config() -> Config {
    Config {
        rate_limit: None,
        ..Config::default()
    }
}

/// A workspace with the documented template and a live key.
async fn seed_workspace(db: &DatabaseConnection, name: &str) -> (Uuid, String) {
    let workspace = workspaces::create(db, name).await.unwrap();
    let template = import::parse(DEMO_TEMPLATE).unwrap();
    import::replace(db, workspace.id, &template).await.unwrap();
    let key = auth::issue(db, workspace.id, ApiKeyMode::Live)
        .await
        .unwrap()
        .key;
    (workspace.id, key)
}

/// The documented example request, as GraphQL variables.
pub fn documented_input() -> Value {
    json!({
        "firstName": "John",
        "lastName": "Doe",
        "email": "john@example.com",
        "phoneNumber": "6782319992",
        "businessName": "Pacific Coast Container Haulers",
        "assigneeType": "MANUAL",
        "checklistItems": [
            { "code": "business_name", "value": "Pacific Coast Container Haulers", "status": "COMPLETED" },
            { "code": "tax_id", "value": "12-3456789", "status": "COMPLETED" }
        ]
    })
}

pub const CREATE_LEAD_ID: &str = "mutation Create($input: CreateLeadInput!) { createLead(input: $input) { success lead { id } } }";

impl TestApp {
    /// The same app and database behind a router with `config` instead.
    pub fn with_config(self, config: Config) -> Self {
        Self {
            router: leadgate::router(AppState::new(self.db.clone(), config)),
            ..self
        }
    }

    /// The same app with a complexity limit big pages fit in (the tests that count
    /// statements over pages of 50 leads with every nested field).
    pub fn with_big_pages(self) -> Self {
        let mut config = test_config();
        config.limits.complexity = 1_000_000;
        self.with_config(config)
    }

    /// Another workspace with the documented template and its live key.
    pub async fn other_workspace(&self, name: &str) -> (Uuid, String) {
        seed_workspace(&self.db, name).await
    }

    /// Sends a request through the router.
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, headers, body)
    }

    /// POSTs a GraphQL request with `key` (none: no header) and returns the JSON response.
    pub async fn graphql_with(&self, key: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = Request::post("/graphql").header("content-type", "application/json");
        if let Some(key) = key {
            request = request.header("x-api-key", key);
        }
        let body = json!({ "query": query, "variables": variables }).to_string();
        let (status, _, body) = self.send(request.body(Body::from(body)).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).expect("JSON response")
    }

    /// POSTs a GraphQL request with the workspace's live key.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_with(Some(&self.key), query, variables).await
    }

    /// Like `graphql`, but fails the test on any GraphQL error and returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.graphql(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"].clone()
    }

    /// Creates a lead with the live key; returns its id.
    pub async fn create_lead(&self, input: Value) -> String {
        self.create_lead_with(&self.key.clone(), input).await
    }

    pub async fn create_lead_with(&self, key: &str, input: Value) -> String {
        let response = self
            .graphql_with(Some(key), CREATE_LEAD_ID, json!({ "input": input }))
            .await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"]["createLead"]["lead"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Starts counting SQL statements from zero.
    pub fn reset_statements(&self) {
        self.statements.store(0, Ordering::SeqCst);
        self.statement_log.lock().unwrap().clear();
    }

    /// Statements run since the last reset (and their SQL, for failure messages).
    pub fn statements(&self) -> (usize, Vec<String>) {
        (
            self.statements.load(Ordering::SeqCst),
            self.statement_log.lock().unwrap().clone(),
        )
    }

    /// Rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        let backend = self.db.get_database_backend();
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }

    /// Row counts of every table a createLead writes.
    pub async fn written_rows(&self) -> Vec<(&'static str, i64)> {
        let mut counts = Vec::new();
        for table in [
            "leads",
            "lead_checklist_items",
            "action_logs",
            "tags",
            "lead_tags",
        ] {
            counts.push((table, self.count(table).await));
        }
        counts
    }
}

/// The `extensions.code` of the first error.
pub fn error_code(response: &Value) -> &str {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {response:#}"))
}
