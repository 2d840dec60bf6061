//! Automatic persisted queries, as Apollo Client and urql use them: a hash alone, the
//! miss answered `PersistedQueryNotFound`, the retry with the text, then the hash alone
//! again; over POST and GET, and across replicas that do not share their store.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use http_body_util::BodyExt;
use leadgate::AppState;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::harness::{CREATE_LEAD_ID, TestApp, documented_input, test_config};

const READ_LEAD: &str = "query ReadLead($id: ID!) { lead(id: $id) { id firstName } }";

fn sha256(query: &str) -> String {
    hex::encode(Sha256::digest(query.as_bytes()))
}

fn extension(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn send(
    router: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let response = router.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&body)));
    (status, headers, body)
}

/// POSTs as Apollo Client's persisted-query link does: the hash, and the text or not.
async fn post(
    router: &axum::Router,
    key: &str,
    query: Option<&str>,
    hash: &str,
    variables: Value,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut body =
        json!({ "operationName": "Create", "variables": variables, "extensions": extension(hash) });
    if let Some(query) = query {
        body["query"] = json!(query);
    }
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("x-api-key", key)
        .body(Body::from(body.to_string()))
        .unwrap();
    send(router, request).await
}

/// GETs with the extension in the query string (`useGETForHashedQueries`).
async fn get(
    router: &axum::Router,
    key: &str,
    query: Option<&str>,
    hash: &str,
    variables: Value,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut params = url::form_urlencoded::Serializer::new(String::new());
    if let Some(query) = query {
        params.append_pair("query", query);
    }
    params.append_pair("variables", &variables.to_string());
    params.append_pair("extensions", &extension(hash).to_string());
    let request = Request::get(format!("/graphql?{}", params.finish()))
        .header("accept", "application/json")
        .header("x-api-key", key)
        .body(Body::empty())
        .unwrap();
    send(router, request).await
}

fn assert_not_found(status: StatusCode, headers: &axum::http::HeaderMap, body: &Value) {
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(
        body["errors"][0]["message"], "PersistedQueryNotFound",
        "{body:#}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
        "{body:#}"
    );
    assert!(body.get("data").is_none_or(Value::is_null), "{body:#}");
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-cache"),
        "{headers:?}"
    );
}

on_both_backends! {
    async fn a_hash_miss_then_the_text_then_the_hash_alone(app) {
        let router = &app.router;
        let hash = sha256(CREATE_LEAD_ID);
        let variables = json!({ "input": documented_input() });

        let (status, headers, body) = post(router, &app.key, None, &hash, variables.clone()).await;
        assert_not_found(status, &headers, &body);
        assert_eq!(app.count("leads").await, 0, "a miss runs nothing");

        let (status, _, body) = post(router, &app.key, Some(CREATE_LEAD_ID), &hash, variables.clone()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"]["createLead"]["success"], true, "{body:#}");

        let (status, _, body) = post(router, &app.key, None, &hash, variables.clone()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"]["createLead"]["success"], true, "{body:#}");
        let id = body["data"]["createLead"]["lead"]["id"].as_str().unwrap().to_owned();
        assert_eq!(app.count("leads").await, 2);
        // Upper-case hex names the same query.
        let (_, _, body) = post(router, &app.key, None, &hash.to_uppercase(), variables.clone()).await;
        assert_eq!(body["data"]["createLead"]["success"], true, "{body:#}");

        // GET: the same flow for a query.
        let read = sha256(READ_LEAD);
        let vars = json!({ "id": id });
        let (status, headers, body) = get(router, &app.key, None, &read, vars.clone()).await;
        assert_not_found(status, &headers, &body);
        let (status, _, body) = get(router, &app.key, Some(READ_LEAD), &read, vars.clone()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"]["lead"]["firstName"], "John", "{body:#}");
        let (_, _, body) = get(router, &app.key, None, &read, vars.clone()).await;
        assert_eq!(body["data"]["lead"]["id"], id.as_str(), "{body:#}");

        // A registered mutation's hash over GET is still a mutation over GET.
        let (status, headers, body) = get(router, &app.key, None, &hash, variables.clone()).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body:#}");
        assert_eq!(headers["allow"], "POST");
        assert_eq!(app.count("leads").await, 3, "nothing written over GET");

        // Another replica has its own store: a miss, answered the same way, and the
        // client's retry registers the query there.
        let replica = leadgate::router(AppState::new(app.db.clone(), test_config()));
        let (status, headers, body) = get(&replica, &app.key, None, &read, vars.clone()).await;
        assert_not_found(status, &headers, &body);
        let (_, _, body) = get(&replica, &app.key, Some(READ_LEAD), &read, vars.clone()).await;
        assert_eq!(body["data"]["lead"]["id"], id.as_str());
        let (_, _, body) = get(&replica, &app.key, None, &read, vars).await;
        assert_eq!(body["data"]["lead"]["id"], id.as_str());

        let metrics = scrape(&app).await;
        for (result, n) in [("miss", 2), ("registered", 2), ("hit", 4)] {
            let line = format!("leadgate_persisted_queries_total{{result=\"{result}\"}} {n}");
            assert!(metrics.contains(&line), "{line} in {metrics}");
        }
    }
}

async fn scrape(app: &TestApp) -> String {
    let (_, _, body) = app
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    String::from_utf8(body.to_vec()).unwrap()
}

on_both_backends! {
    async fn a_hash_that_is_not_the_query_s_is_refused(app) {
        let router = &app.router;
        let variables = json!({ "input": documented_input() });
        let wrong = sha256("{ __typename }");
        let (status, _, body) = post(router, &app.key, Some(CREATE_LEAD_ID), &wrong, variables.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("sha256Hash does not match the query") && message.contains(&sha256(CREATE_LEAD_ID)), "{message}");
        assert_eq!(app.count("leads").await, 0, "nothing ran");
        // Nothing was registered under the wrong hash.
        let (status, headers, body) = post(router, &app.key, None, &wrong, variables.clone()).await;
        assert_not_found(status, &headers, &body);

        // Malformed extensions name what is wrong.
        for (extensions, names) in [
            (json!({ "persistedQuery": { "version": 2, "sha256Hash": wrong } }), "version"),
            (json!({ "persistedQuery": { "version": 1, "sha256Hash": "abc" } }), "sha256Hash"),
            (json!({ "persistedQuery": "yes" }), "persistedQuery"),
        ] {
            let body = json!({ "extensions": extensions });
            let request = Request::post("/graphql")
                .header("content-type", "application/json")
                .header("x-api-key", &app.key)
                .body(Body::from(body.to_string()))
                .unwrap();
            let (status, _, body) = send(router, request).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
            assert!(body["errors"][0]["message"].as_str().unwrap().contains(names), "{body:#}");
        }
    }
}
