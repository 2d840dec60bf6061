//! Rate limits per API key: over the limit, RATE_LIMITED with Retry-After (429 on REST
//! and for GraphQL over HTTP), checked before anything executes.

use std::num::NonZeroU32;

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use http_body_util::BodyExt;
use leadgate::{AppState, config::RateLimit};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::harness::{CREATE_LEAD_ID, documented_input, test_config};

/// A router allowing each key bursts of 2 and one more request a second.
fn limited_router(app: &crate::harness::TestApp) -> axum::Router {
    let rate = RateLimit {
        per_second: NonZeroU32::new(1).unwrap(),
        burst: NonZeroU32::new(2).unwrap(),
    };
    let config = leadgate::Config {
        rate_limit: Some(rate),
        ..test_config()
    };
    leadgate::router(AppState::new(app.db.clone(), config))
}

async fn send(router: &axum::Router, request: Request<Body>) -> (StatusCode, Option<u64>, Value) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, retry_after, serde_json::from_slice(&body).unwrap())
}

fn create_graphql(key: &str) -> Request<Body> {
    let body = json!({ "query": CREATE_LEAD_ID, "variables": { "input": documented_input() } });
    Request::post("/graphql")
        .header("content-type", "application/json")
        .header("x-api-key", key)
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn create_rest(key: &str) -> Request<Body> {
    Request::post("/api/v1/leads")
        .header("content-type", "application/json")
        .header("x-api-key", key)
        .body(Body::from(json!({ "firstName": "Rest" }).to_string()))
        .unwrap()
}

on_both_backends! {
    async fn a_key_over_its_limit_is_refused_before_anything_runs(app) {
        let router = limited_router(&app);
        // The burst: two requests go through (one GraphQL, one REST: one bucket per key).
        let (status, _, body) = send(&router, create_graphql(&app.key)).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        let (status, _, body) = send(&router, create_rest(&app.key)).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        assert_eq!(app.count("leads").await, 2);

        // GraphQL over HTTP: 429, a GraphQL error with the code and the wait.
        let (status, retry_after, body) = send(&router, create_graphql(&app.key)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body:#}");
        let retry_after = retry_after.expect("Retry-After");
        assert!((1..=2).contains(&retry_after), "{retry_after}");
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "RATE_LIMITED");
        assert_eq!(error["extensions"]["retryAfter"], retry_after);
        assert!(error["extensions"]["requestId"].is_string());
        assert!(body.get("data").is_none_or(Value::is_null));

        // REST: 429 in the envelope.
        let (status, retry_after, body) = send(&router, create_rest(&app.key)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body:#}");
        assert!(retry_after.is_some());
        assert_eq!(body["success"], false);
        assert_eq!(body["error"]["code"], "RATE_LIMITED");
        assert!(body["error"]["requestId"].is_string());
        assert_eq!(app.count("leads").await, 2, "refused requests wrote nothing");

        // Another key of the same workspace has its own bucket.
        let (status, _, _) = send(&router, create_graphql(&app.test_key)).await;
        assert_eq!(status, StatusCode::OK);

        // After the wait, the key is served again.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let (status, _, body) = send(&router, create_graphql(&app.key)).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        assert_eq!(app.count("leads").await, 4);
    }
}

on_both_backends! {
    async fn each_router_is_a_replica_with_its_own_buckets(app) {
        // Limits are per replica: README says to divide the wanted total by the replicas.
        let (one, two) = (limited_router(&app), limited_router(&app));
        for _ in 0..2 {
            assert_eq!(send(&one, create_rest(&app.key)).await.0, StatusCode::OK);
        }
        assert_eq!(send(&one, create_rest(&app.key)).await.0, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(send(&two, create_rest(&app.key)).await.0, StatusCode::OK);
    }
}
