//! `/metrics`: this replica's counters, latency histogram and pool gauges in the text
//! exposition format, recorded for requests sent through the router.

use std::{collections::BTreeMap, num::NonZeroU32};

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use http_body_util::BodyExt;
use leadgate::{AppState, config::RateLimit};
use sea_orm::DatabaseBackend;
use serde_json::json;
use tower::ServiceExt;

use crate::harness::{CREATE_LEAD_ID, documented_input, test_config};

/// One sample line: metric name, labels, value.
type Sample = (String, BTreeMap<String, String>, f64);

fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("sample line");
            let (name, labels) = match series.split_once('{') {
                Some((name, labels)) => (name, labels.trim_end_matches('}')),
                None => (series, ""),
            };
            let labels = labels
                .split("\",")
                .filter(|l| !l.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').expect("label");
                    (k.to_owned(), v.trim_matches('"').to_owned())
                })
                .collect();
            (name.to_owned(), labels, value.parse().expect("number"))
        })
        .collect()
}

/// The value of the series `name` whose labels include `labels` (summed over the rest).
fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    samples(text)
        .iter()
        .filter(|(n, l, _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(v))
        })
        .map(|(_, _, v)| v)
        .sum()
}

async fn scrape(router: &axum::Router) -> String {
    let response = router
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text"),
        "{headers:?}"
    );
    String::from_utf8(body.to_vec()).unwrap()
}

fn rest_create(key: &str, body: serde_json::Value) -> Request<Body> {
    Request::post("/api/v1/leads")
        .header("content-type", "application/json")
        .header("x-api-key", key)
        .body(Body::from(body.to_string()))
        .unwrap()
}

on_both_backends! {
    async fn requests_errors_leads_and_the_pool_are_counted(app) {
        let before = scrape(&app.router).await;
        assert_eq!(value(&before, "leadgate_leads_created_total", &[]), 0.0);
        assert!(before.contains("leadgate_idempotent_replays_total 0"), "{before}");
        assert!(before.contains("leadgate_rate_limited_requests_total 0"), "{before}");

        // Two GraphQL creates (operation `Create`), one REST create, one bad input, one
        // request without a key, one read by id, one unknown route.
        let id = app.create_lead(documented_input()).await;
        app.create_lead(json!({ "firstName": "Grace" })).await;
        let (status, _, _) = app.send(rest_create(&app.key, json!({ "firstName": "Rest" }))).await;
        assert_eq!(status, StatusCode::OK);
        let bad = app
            .graphql(CREATE_LEAD_ID, json!({ "input": { "firstName": "", "email": "nope" } }))
            .await;
        assert_eq!(bad["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        app.graphql_with(None, "query Anonymous { lead(id: \"00000000-0000-0000-0000-000000000000\") { id } }", json!({}))
            .await;
        let (status, _, _) = app
            .send(Request::get(format!("/api/v1/leads/{id}")).header("x-api-key", &app.key).body(Body::empty()).unwrap())
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, _) = app.send(Request::get("/nowhere").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let text = scrape(&app.router).await;
        let graphql = [("route", "POST /graphql"), ("operation", "Create")];
        assert_eq!(value(&text, "leadgate_requests_total", &[graphql[0], graphql[1], ("outcome", "ok")]), 2.0, "{text}");
        assert_eq!(value(&text, "leadgate_requests_total", &[graphql[0], graphql[1], ("outcome", "client_error")]), 1.0, "{text}");
        assert_eq!(value(&text, "leadgate_requests_total", &[("operation", "Anonymous"), ("outcome", "client_error")]), 1.0, "{text}");
        assert_eq!(value(&text, "leadgate_requests_total", &[("route", "POST /api/v1/leads"), ("operation", "none"), ("outcome", "ok")]), 1.0, "{text}");
        // Paths are labelled by their template, never by the id in them.
        assert_eq!(value(&text, "leadgate_requests_total", &[("route", "GET /api/v1/leads/{lead_id}")]), 1.0, "{text}");
        assert!(!text.contains(&id), "{text}");
        assert_eq!(value(&text, "leadgate_requests_total", &[("route", "unmatched"), ("outcome", "client_error")]), 1.0, "{text}");
        // The histogram: one observation per request, in the buckets' cumulative counts.
        assert_eq!(value(&text, "leadgate_request_duration_seconds_count", &graphql), 3.0, "{text}");
        assert_eq!(value(&text, "leadgate_request_duration_seconds_bucket", &[graphql[0], graphql[1], ("le", "+Inf")]), 3.0, "{text}");
        assert!(value(&text, "leadgate_request_duration_seconds_sum", &graphql) > 0.0);
        // Errors by code, and leads created on both faces.
        assert_eq!(value(&text, "leadgate_errors_total", &[("code", "BAD_USER_INPUT")]), 1.0, "{text}");
        assert_eq!(value(&text, "leadgate_errors_total", &[("code", "UNAUTHENTICATED")]), 1.0, "{text}");
        assert_eq!(value(&text, "leadgate_errors_total", &[("code", "NOT_FOUND")]), 1.0, "{text}");
        assert_eq!(value(&text, "leadgate_leads_created_total", &[]), 3.0, "{text}");
        // The pool, read at scrape time: db::connect's maximum, and the connections open.
        let max = value(&text, "leadgate_db_pool_connections", &[("state", "max")]);
        assert_eq!(max, if app.db.get_database_backend() == DatabaseBackend::Sqlite { 8.0 } else { 20.0 }, "{text}");
        let open = value(&text, "leadgate_db_pool_connections", &[("state", "idle")])
            + value(&text, "leadgate_db_pool_connections", &[("state", "in_use")]);
        assert!(open >= 1.0 && open <= max, "{text}");
    }
}

on_both_backends! {
    async fn rate_limited_requests_are_counted(app) {
        let rate = RateLimit { per_second: NonZeroU32::new(1).unwrap(), burst: NonZeroU32::new(1).unwrap() };
        let router = leadgate::router(AppState::new(app.db.clone(), leadgate::Config { rate_limit: Some(rate), ..test_config() }));
        let first = router.clone().oneshot(rest_create(&app.key, json!({ "firstName": "One" }))).await.unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        let second = router.clone().oneshot(rest_create(&app.key, json!({ "firstName": "Two" }))).await.unwrap();
        assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
        let text = scrape(&router).await;
        assert_eq!(value(&text, "leadgate_rate_limited_requests_total", &[]), 1.0, "{text}");
        assert_eq!(value(&text, "leadgate_errors_total", &[("code", "RATE_LIMITED")]), 1.0, "{text}");
        assert_eq!(value(&text, "leadgate_leads_created_total", &[]), 1.0, "{text}");
    }
}

on_both_backends! {
    async fn operation_names_cannot_grow_the_series_without_bound(app) {
        for i in 0..leadgate::metrics::MAX_OPERATION_NAMES + 5 {
            app.graphql(&format!("query Op{i} {{ __typename }}"), json!({})).await;
        }
        app.graphql("{ __typename }", json!({})).await;
        let text = scrape(&app.router).await;
        let series = |op: &str| value(&text, "leadgate_requests_total", &[("route", "POST /graphql"), ("operation", op)]);
        assert_eq!(series("Op0"), 1.0);
        assert_eq!(series(&format!("Op{}", leadgate::metrics::MAX_OPERATION_NAMES - 1)), 1.0);
        assert_eq!(series("other"), 5.0, "names past the cap share one label");
        assert_eq!(series("anonymous"), 1.0);
        let names = samples(&text)
            .into_iter()
            .filter(|(n, _, _)| n == "leadgate_requests_total")
            .filter_map(|(_, l, _)| l.get("operation").cloned())
            .collect::<std::collections::BTreeSet<_>>();
        assert_eq!(names.len(), leadgate::metrics::MAX_OPERATION_NAMES + 2, "{names:?}"); // + other, anonymous
    }
}

on_both_backends! {
    async fn statements_are_counted_as_serve_counts_them(app) {
        // `serve` builds its state with `counting_statements`; the harness's own counter
        // must not move, since the callback is on another clone of the connection.
        let router = leadgate::router(AppState::counting_statements(app.db.clone(), test_config()));
        let before = value(&scrape(&router).await, "leadgate_db_statements_total", &[]);
        let body = json!({ "query": CREATE_LEAD_ID, "variables": { "input": documented_input() } }).to_string();
        let request = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("x-api-key", &app.key)
            .body(Body::from(body))
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let after = value(&scrape(&router).await, "leadgate_db_statements_total", &[]);
        // The key's lookup, its first lastUsedAt, the template and the three inserts at least.
        assert!(after - before >= 6.0, "{before} -> {after}");
    }
}
