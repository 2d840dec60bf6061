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

/// What a client that retries with its Idempotency-Key sees while the database faults.
struct Outcome {
    acknowledged: bool,
    statuses: Vec<StatusCode>,
}

/// Creates one lead with `key`, retrying (same key) until it is acknowledged or `give_up`.
async fn create_until_acknowledged(
    app: &TestApp,
    key: &str,
    request_timeout: Duration,
    give_up: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Outcome {
    let body = json!({ "firstName": "Load", "externalLeadId": key });
    let mut statuses = Vec::new();
    loop {
        let request = Request::post("/api/v1/leads")
            .header("content-type", "application/json")
            .header("x-api-key", &app.key)
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .unwrap();
        // No request may hang past the request timeout (plus scheduling slack).
        let (status, _, answer) =
            tokio::time::timeout(request_timeout + Duration::from_secs(3), app.send(request))
                .await
                .expect("a request hung past the request timeout");
        assert_ne!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            String::from_utf8_lossy(&answer)
        );
        statuses.push(status);
        if status == StatusCode::OK {
            return Outcome {
                acknowledged: true,
                statuses,
            };
        }
        if give_up.load(std::sync::atomic::Ordering::SeqCst) {
            return Outcome {
                acknowledged: false,
                statuses,
            };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resets_and_stalls_mid_load_lose_no_acknowledged_lead_and_make_none_twice() {
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };
    crate::harness::run(Backend::Postgres, async |app: TestApp| {
        let proxy = Proxy::start("127.0.0.1:5432").await;
        let request_timeout = Duration::from_secs(4);
        let config = Config {
            request_timeout,
            ..test_config()
        };
        let app = Arc::new(through(app, &proxy, config).await);
        let stop = Arc::new(AtomicBool::new(false));
        let give_up = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let (app, stop, give_up) = (app.clone(), stop.clone(), give_up.clone());
                tokio::spawn(async move {
                    let mut outcomes = Vec::new();
                    let mut i = 0;
                    while !stop.load(Ordering::SeqCst) {
                        let key = format!("load-{w}-{i}");
                        outcomes.push((
                            key.clone(),
                            create_until_acknowledged(&app, &key, request_timeout, give_up.clone())
                                .await,
                        ));
                        i += 1;
                    }
                    outcomes
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(700)).await;
        proxy.reset_all();
        tokio::time::sleep(Duration::from_millis(700)).await;
        proxy.reset_all();
        proxy.set(Mode::Stalled);
        tokio::time::sleep(Duration::from_secs(2)).await;
        proxy.set(Mode::Open);
        tokio::time::sleep(Duration::from_millis(700)).await;
        stop.store(true, Ordering::SeqCst);
        // Workers finish the lead they are on (the database is back, so it is acknowledged).
        let outcomes: Vec<(String, Outcome)> =
            tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(workers))
                .await
                .expect("workers finished")
                .into_iter()
                .flat_map(|w| w.unwrap())
                .collect();
        give_up.store(true, Ordering::SeqCst);

        let mut failures_answered = 0;
        for (key, outcome) in &outcomes {
            assert!(
                outcome.acknowledged,
                "{key}: never acknowledged: {:?}",
                outcome.statuses
            );
            for status in &outcome.statuses {
                // Faults are SERVICE_UNAVAILABLE, TIMEOUT or IN_PROGRESS: never INTERNAL.
                assert!(
                    [
                        StatusCode::OK,
                        StatusCode::SERVICE_UNAVAILABLE,
                        StatusCode::REQUEST_TIMEOUT,
                        StatusCode::CONFLICT
                    ]
                    .contains(status),
                    "{key}: {status}"
                );
                failures_answered += usize::from(*status != StatusCode::OK);
            }
        }
        // Every acknowledged lead exists exactly once, whatever its retries met.
        let backend = sea_orm::ConnectionTrait::get_database_backend(&app.db);
        for (key, _) in &outcomes {
            let row = sea_orm::ConnectionTrait::query_one_raw(
                &app.db,
                sea_orm::Statement::from_sql_and_values(
                    backend,
                    "SELECT COUNT(*) AS n FROM leads WHERE external_lead_id = $1",
                    [key.clone().into()],
                ),
            )
            .await
            .unwrap()
            .unwrap();
            assert_eq!(row.try_get::<i64>("", "n").unwrap(), 1, "{key}");
        }
        assert_eq!(app.count("leads").await, outcomes.len() as i64);
        // And every lead has its one lead.created event: none lost with a cut
        // connection, none made twice by a retry (the event is in the lead's transaction).
        let events = sea_orm::ConnectionTrait::query_one_raw(
            &app.db,
            sea_orm::Statement::from_string(
                backend,
                "SELECT COUNT(*) AS n, COUNT(DISTINCT lead_id) AS leads FROM outbox_events WHERE type = 'lead.created'",
            ),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(events.try_get::<i64>("", "n").unwrap(), outcomes.len() as i64);
        assert_eq!(events.try_get::<i64>("", "leads").unwrap(), outcomes.len() as i64);
        assert!(
            failures_answered > 0,
            "the faults were never felt: the test tested nothing"
        );
    })
    .await;
}
