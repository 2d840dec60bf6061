//! CORS: configured browser origins only, with the headers the web example
//! (examples/web) and other GraphQL clients send.

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, StatusCode},
};
use leadgate::{AppState, Config};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::harness::{CREATE_LEAD_ID, TestApp};

/// The example's Vite dev server.
const DEV_SERVER: &str = "http://localhost:5173";

fn router_allowing(app: &TestApp, origins: &[&str]) -> Router {
    let config = Config {
        cors_origins: origins.iter().map(|o| o.to_string()).collect(),
        ..crate::harness::test_config()
    };
    leadgate::router(AppState::new(app.db.clone(), config))
}

fn preflight(uri: &str, origin: &str, method: &str, headers: &str) -> Request<Body> {
    Request::builder()
        .method("OPTIONS")
        .uri(uri)
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", headers)
        .body(Body::empty())
        .unwrap()
}

async fn send(router: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (
        status,
        headers,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

fn cors_headers(headers: &HeaderMap) -> Vec<String> {
    headers
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name.starts_with("access-control-"))
        .collect()
}

fn listed(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|v| v.trim().to_lowercase())
        .collect()
}

on_both_backends! {
    async fn a_preflight_from_the_dev_server_origin_is_allowed(app) {
        let router = router_allowing(&app, &["https://app.example", DEV_SERVER]);
        // What the example's fetch of createLead asks for.
        let request = preflight("/graphql", DEV_SERVER, "POST", "content-type,x-api-key,idempotency-key");
        let (status, headers, _) = send(&router, request).await;
        assert!(status.is_success(), "{status}");
        assert_eq!(headers["access-control-allow-origin"], DEV_SERVER);
        let allowed = listed(&headers, "access-control-allow-headers");
        for header in ["content-type", "accept", "x-api-key", "idempotency-key", "x-request-id"] {
            assert!(allowed.contains(&header.to_owned()), "{header} not in {allowed:?}");
        }
        let methods = listed(&headers, "access-control-allow-methods");
        for method in ["get", "post", "put"] {
            assert!(methods.contains(&method.to_owned()), "{method} not in {methods:?}");
        }
        assert_eq!(headers["access-control-max-age"], "3600");
        assert!(listed(&headers, "vary").contains(&"origin".to_owned()));

        // The REST face too.
        let (_, headers, _) = send(&router, preflight("/api/v1/leads", DEV_SERVER, "PUT", "content-type,x-api-key")).await;
        assert_eq!(headers["access-control-allow-origin"], DEV_SERVER);

        // The request itself: allowed, and the request id readable by the page.
        let body = json!({ "query": CREATE_LEAD_ID, "variables": { "input": { "firstName": "Ada" } } }).to_string();
        let request = Request::post("/graphql")
            .header("origin", DEV_SERVER)
            .header("content-type", "application/json")
            .header("x-api-key", &app.key)
            .body(Body::from(body))
            .unwrap();
        let (status, headers, body) = send(&router, request).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"]["createLead"]["success"], true, "{body:#}");
        assert_eq!(headers["access-control-allow-origin"], DEV_SERVER);
        let exposed = listed(&headers, "access-control-expose-headers");
        assert!(exposed.contains(&"x-request-id".to_owned()) && exposed.contains(&"retry-after".to_owned()), "{exposed:?}");
    }
}

on_both_backends! {
    async fn an_unlisted_origin_gets_no_cors_headers(app) {
        let router = router_allowing(&app, &[DEV_SERVER]);
        for origin in ["http://localhost:5174", "https://localhost:5173", "http://127.0.0.1:5173", "https://evil.example", "null"] {
            let (status, headers, _) = send(&router, preflight("/graphql", origin, "POST", "content-type,x-api-key")).await;
            assert_eq!(cors_headers(&headers), Vec::<String>::new(), "{origin}");
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{origin}: the preflight is not answered");
            assert!(listed(&headers, "vary").contains(&"origin".to_owned()), "{origin}");

            let request = Request::post("/graphql")
                .header("origin", origin)
                .header("content-type", "application/json")
                .body(Body::from(json!({ "query": "{ __typename }" }).to_string()))
                .unwrap();
            let (status, headers, _) = send(&router, request).await;
            assert_eq!(status, StatusCode::OK, "non-browser clients are not refused");
            assert_eq!(cors_headers(&headers), Vec::<String>::new(), "{origin}");
        }
    }
}

on_both_backends! {
    async fn no_origin_is_allowed_by_default(app) {
        let (status, headers, _) = app.send(preflight("/graphql", DEV_SERVER, "POST", "content-type,x-api-key")).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        let headers: HeaderMap = headers;
        assert_eq!(cors_headers(&headers), Vec::<String>::new());
        assert!(headers.get("vary").is_none_or(|v| !v.to_str().unwrap().to_lowercase().contains("origin")));
    }
}
