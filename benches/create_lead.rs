//! createLead and leads(first: 50) throughput, latency and memory, through the real
//! router (in process, no sockets), on SQLite and on PostgreSQL. Prints figures; asserts
//! nothing.
//!
//!     cargo bench --bench create_lead                 # both backends
//!     BENCH_REQUESTS=5000 BENCH_CONCURRENCY=32 cargo bench --bench create_lead
//!     BENCH_RATE_LIMIT=1 cargo bench --bench create_lead   # with a per-key limiter that never refuses
//!
//! PostgreSQL is skipped (with a note) when LEADGATE_BENCH_POSTGRES_URL / the default
//! `postgres://postgres@127.0.0.1:5432/test` does not answer.

use std::{
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode},
};
use http_body_util::BodyExt;
use leadgate::{
    AppState, Config,
    config::RateLimit,
    domain::{auth, checklist::import, demo::DEMO_TEMPLATE, workspaces},
    entities::enums::ApiKeyMode,
};
use sea_orm::{ConnectionTrait, Database};
use serde_json::json;
use tower::ServiceExt;

const MINIMAL: &str =
    "mutation($input: CreateLeadInput!) { createLead(input: $input) { lead { id } } }";
const EVERYTHING: &str = "mutation($input: CreateLeadInput!) { createLead(input: $input) {
  success lead { id tags status }
  checklistItems { id name items { id value status checklistItem { code label } documents { id } } }
  actionLogs { id type summary changes messages { id } }
  matchingLeads { id firstName }
  lastAction { id } nextFollowUp { id } nextDraft { id } } }";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident memory of this process so far, from /proc (Linux).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

async fn app(url: &str) -> App {
    let statements = Arc::new(AtomicUsize::new(0));
    let mut db = leadgate::db::connect(url).await.expect("connect");
    leadgate::db::migrate(&db).await.expect("migrate");
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let workspace = workspaces::create(&db, "bench").await.unwrap();
    import::replace(&db, workspace.id, &import::parse(DEMO_TEMPLATE).unwrap())
        .await
        .unwrap();
    let key = auth::issue(&db, workspace.id, ApiKeyMode::Live)
        .await
        .unwrap()
        .key;
    App {
        // The bench sends thousands of requests a second with one key: rate limits are
        // off, or (BENCH_RATE_LIMIT=1) on with a quota it never reaches, to price the check.
        router: leadgate::router(AppState::new(
            db,
            Config {
                rate_limit: std::env::var_os("BENCH_RATE_LIMIT").map(|_| RateLimit {
                    per_second: NonZeroU32::new(1_000_000).expect("non-zero"),
                    burst: NonZeroU32::new(1_000_000).expect("non-zero"),
                }),
                // Pages of 50 leads with every nested field cost more than the
                // default complexity limit allows.
                limits: leadgate::graphql::limits::Limits {
                    complexity: usize::MAX,
                    ..Default::default()
                },
                ..Config::default()
            },
        )),
        key,
        statements,
    }
}

/// createLead selecting only the id, then everything, then pages of the leads it made.
async fn suite(backend: &str, url: &str, requests: usize, concurrency: usize) {
    let app = app(url).await;
    run(
        &format!("{backend} createLead {{ lead {{ id }} }}"),
        &app,
        requests,
        concurrency,
        |i| create_body(MINIMAL, i),
    )
    .await;
    run(
        &format!("{backend} createLead {{ everything }}"),
        &app,
        requests,
        concurrency,
        |i| create_body(EVERYTHING, i),
    )
    .await;
    let pages = (requests / 10).max(10);
    let page_body = json!({ "query": PAGE }).to_string();
    run(
        &format!("{backend} leads(first: 50) {{ nested }}"),
        &app,
        pages,
        concurrency.min(8),
        move |_| page_body.clone(),
    )
    .await;
}

/// A page of 50 leads with every nested field.
const PAGE: &str = "query { leads(first: 50) { totalCount edges { cursor node {
  id firstName tags status
  checklistItems { id name items { id value status checklistItem { code } documents { id } } }
  actionLogs(limit: 5) { id summary messages { id } }
  matchingLeads { id }
  lastAction { id } nextFollowUp { id } nextDraft { id } } } } }";

fn create_body(query: &str, i: usize) -> String {
    let input = json!({
        "firstName": format!("Lead {i}"),
        "email": format!("lead{}@example.com", i % 500),
        "phoneNumber": format!("678231{:04}", i % 1000),
        "tags": ["bench", format!("t{}", i % 10)],
        "checklistItems": [
            { "code": "business_name", "value": "Acme" },
            { "code": "tax_id", "value": "12-3456789" }
        ]
    });
    json!({ "query": query, "variables": { "input": input } }).to_string()
}

struct App {
    router: Router,
    key: String,
    statements: Arc<AtomicUsize>,
}

async fn run(
    label: &str,
    app: &App,
    requests: usize,
    concurrency: usize,
    body: impl Fn(usize) -> String + Send + Sync + Clone + 'static,
) {
    let (router, statements) = (app.router.clone(), app.statements.clone());
    statements.store(0, Ordering::Relaxed);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (router, key, next, body) =
            (router.clone(), app.key.clone(), next.clone(), body.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    return latencies;
                }
                let request = Request::post("/graphql")
                    .header("content-type", "application/json")
                    .header("x-api-key", &key)
                    .body(Body::from(body(i)))
                    .unwrap();
                let t = Instant::now();
                let response = router.clone().oneshot(request).await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                latencies.push(t.elapsed());
                assert!(
                    !bytes.windows(8).any(|w| w == b"\"errors\""),
                    "{}",
                    String::from_utf8_lossy(&bytes)
                );
            }
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "{label:<34} {requests:>6} req  c={concurrency:<3} {:>8.0} req/s  p50 {:>7.2?}  p95 {:>7.2?}  p99 {:>7.2?}  {:>5.1} stmt/req  peak RSS {:>6.1} MiB",
        requests as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.95),
        pct(0.99),
        statements.load(Ordering::Relaxed) as f64 / requests as f64,
        peak_rss_mib(),
    );
}

#[tokio::main]
async fn main() {
    let requests = env_usize("BENCH_REQUESTS", 2000);
    let concurrency = env_usize("BENCH_CONCURRENCY", 16);
    println!("leadgate createLead bench: {requests} requests per run, {concurrency} in flight");

    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    suite("sqlite  ", &url, requests, concurrency).await;

    let admin_url = std::env::var("LEADGATE_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let Ok(admin) = Database::connect(&admin_url).await else {
        println!("postgres: not reachable at {admin_url}, skipped");
        return;
    };
    let name = format!("leadgate_bench_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap();
    let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
    suite("postgres", &url, requests, concurrency).await;
    admin
        .execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .await
        .unwrap();
}
