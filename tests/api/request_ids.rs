//! Request ids: the caller's `x-request-id` when it is sane, else a generated one, on the
//! response header and in every error (GraphQL `extensions.requestId`, REST
//! `error.requestId`).

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use serde_json::{Value, json};

fn graphql(key: Option<&str>, request_id: Option<&str>, query: &str) -> Request<Body> {
    let mut request = Request::post("/graphql").header("content-type", "application/json");
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    if let Some(id) = request_id {
        request = request.header("x-request-id", id);
    }
    request
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap()
}

on_both_backends! {
    async fn sane_request_ids_are_kept_others_replaced(app) {
        let query = "{ lead(id: \"not-a-uuid\") { id } }";
        // A sane id comes back on the header and in the error.
        let (status, headers, body) = app.send(graphql(Some(&app.key), Some("client-7f3a:retry-2"), query)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["x-request-id"], "client-7f3a:retry-2");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["errors"][0]["extensions"]["requestId"], "client-7f3a:retry-2", "{body:#}");

        // Missing, too long, or not visible ASCII: a generated UUID instead.
        let long = "a".repeat(129);
        for id in [None, Some(long.as_str()), Some("has space"), Some("")] {
            let (_, headers, body) = app.send(graphql(None, id, query)).await;
            let sent = headers["x-request-id"].to_str().unwrap().to_owned();
            assert!(uuid::Uuid::parse_str(&sent).is_ok(), "{id:?} -> {sent}");
            let body: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body["errors"][0]["extensions"]["requestId"], sent.as_str());
        }
        let request = Request::get("/api/v1/leads/x").header("x-request-id", "rest-1").body(Body::empty()).unwrap();
        let (status, headers, body) = app.send(request).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(headers["x-request-id"], "rest-1");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["requestId"], "rest-1");
        // Successful answers carry the header too; each request gets its own id.
        let (_, first, _) = app.send(graphql(Some(&app.key), None, "{ __typename }")).await;
        let (_, second, _) = app.send(graphql(Some(&app.key), None, "{ __typename }")).await;
        assert_ne!(first["x-request-id"], second["x-request-id"]);
    }
}
