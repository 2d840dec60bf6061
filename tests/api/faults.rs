//! Database faults: with PostgreSQL behind a proxy the test controls, an unreachable
//! database is answered SERVICE_UNAVAILABLE (503 + Retry-After on REST) in time,
//! `/readyz` says 503 within 2 s while `/healthz` stays 200, and service resumes by itself.
//! SQLite's busy errors are retried inside the server.

use std::time::Duration;

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use leadgate::{AppState, Config, db::PoolSettings};
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp, test_config};
use crate::proxy::{Mode, Proxy};

/// Short waits so the test is quick; the ratios are the production ones.
pub fn test_pool() -> PoolSettings {
    PoolSettings {
        max_connections: Some(4),
        acquire_timeout: Duration::from_secs(1),
        sqlite_busy_timeout: Duration::from_millis(50),
    }
}

/// `app` with its router talking to the database through `proxy`.
pub async fn through(mut app: TestApp, proxy: &Proxy, config: Config) -> TestApp {
    let url = app
        .database_url
        .replace("127.0.0.1:5432", &format!("127.0.0.1:{}", proxy.port));
    assert_ne!(
        url, app.database_url,
        "tests expect PostgreSQL on 127.0.0.1:5432"
    );
    let db = leadgate::db::connect_with(&url, &test_pool())
        .await
        .unwrap();
    app.router = leadgate::router(AppState::new(db, config));
    app
}

pub async fn rest_create(app: &TestApp, body: Value) -> (StatusCode, Option<String>, Value) {
    let request = Request::post("/api/v1/leads")
        .header("content-type", "application/json")
        .header("x-api-key", &app.key)
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, headers, body) = app.send(request).await;
    let retry_after = headers
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, retry_after, serde_json::from_slice(&body).unwrap())
}

async fn get(app: &TestApp, path: &str) -> StatusCode {
    app.send(Request::get(path).body(Body::empty()).unwrap())
        .await
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_answers_service_unavailable_and_service_resumes() {
    crate::harness::run(Backend::Postgres, async |app: TestApp| {
        let proxy = Proxy::start("127.0.0.1:5432").await;
        let config = Config {
            request_timeout: Duration::from_secs(10),
            ..test_config()
        };
        let app = through(app, &proxy, config).await;
        let (status, _, body) = rest_create(&app, json!({ "firstName": "Before" })).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");

        proxy.set(Mode::Down);
        proxy.reset_all();
        // Answered by the pool's acquire timeout (1 s here), far inside the request timeout.
        let (status, retry_after, body) =
            tokio::time::timeout(Duration::from_secs(8), rest_create(&app, json!({ "firstName": "During" })))
                .await
                .expect("a create hung while the database was down");
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body:#}");
        assert_eq!(body["error"]["code"], "SERVICE_UNAVAILABLE");
        assert_eq!(retry_after.as_deref(), Some("1"));
        assert_eq!(body["error"]["retryAfter"], 1);

        // GraphQL over HTTP: the key lookup fails before execution, so HTTP 503 too.
        let request = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("x-api-key", &app.key)
            .body(Body::from(
                json!({ "query": crate::harness::CREATE_LEAD_ID, "variables": { "input": { "firstName": "During" } } })
                    .to_string(),
            ))
            .unwrap();
        let (status, _, body) = tokio::time::timeout(Duration::from_secs(8), app.send(request))
            .await
            .expect("a GraphQL create hung while the database was down");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body:#}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE");

        let ready = tokio::time::timeout(Duration::from_secs(2), get(&app, "/readyz"))
            .await
            .expect("/readyz took more than 2 s");
        assert_eq!(ready, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(get(&app, "/healthz").await, StatusCode::OK);

        // Stalled (packets stop, nothing is refused): still answered, never hung.
        proxy.set(Mode::Stalled);
        let ready = tokio::time::timeout(Duration::from_secs(2), get(&app, "/readyz"))
            .await
            .expect("/readyz took more than 2 s");
        assert_eq!(ready, StatusCode::SERVICE_UNAVAILABLE);

        proxy.set(Mode::Open);
        let mut resumed = false;
        for _ in 0..20 {
            let (status, _, _) = rest_create(&app, json!({ "firstName": "After" })).await;
            if status == StatusCode::OK {
                resumed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        assert!(resumed, "service did not resume when the database came back");
        assert_eq!(get(&app, "/readyz").await, StatusCode::OK);
        assert_eq!(app.count("leads").await, 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_busy_writes_are_retried_not_failed() {
    crate::harness::run(Backend::Sqlite, async |mut app: TestApp| {
        use sea_orm::{ConnectionTrait, TransactionTrait};
        // Writers give up on the lock after 50 ms; another process holds it for 300 ms.
        let db = leadgate::db::connect_with(&app.database_url, &test_pool())
            .await
            .unwrap();
        app.router = leadgate::router(AppState::new(db, test_config()));
        let holder = leadgate::db::connect(&app.database_url).await.unwrap();
        let txn = holder
            .begin_with_options(leadgate::domain::transaction_options())
            .await
            .unwrap();
        txn.execute_unprepared("UPDATE workspaces SET name = name")
            .await
            .unwrap();
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            txn.commit().await.unwrap();
        });
        let (status, _, body) = rest_create(&app, json!({ "firstName": "Patient" })).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        release.await.unwrap();
        assert_eq!(app.count("leads").await, 1);
    })
    .await;
}

on_both_backends! {
    async fn readyz_says_503_once_shutdown_began(app) {
        let state = AppState::new(app.db.clone(), test_config());
        let readiness = state.readiness.clone();
        let mut app = app;
        app.router = leadgate::router(state);
        assert_eq!(get(&app, "/readyz").await, StatusCode::OK);
        readiness.shutting_down();
        assert_eq!(get(&app, "/readyz").await, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(get(&app, "/healthz").await, StatusCode::OK);
    }
}
