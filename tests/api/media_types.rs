//! GraphQL over HTTP media types: the answer's Content-Type follows the request's Accept
//! (application/json unless application/graphql-response+json is asked for), a request
//! error is a 400 without `data` only in the latter, and a POST must say it is JSON.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use serde_json::{Value, json};

use crate::harness::TestApp;

async fn post(
    app: &TestApp,
    content_type: Option<&str>,
    accept: Option<&str>,
    query: &str,
) -> (StatusCode, String, Value) {
    let mut request = Request::post("/graphql").header("x-api-key", &app.key);
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    let body = json!({ "query": query }).to_string();
    let (status, headers, bytes) = app.send(request.body(Body::from(body)).unwrap()).await;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        content_type,
        serde_json::from_slice(&bytes).unwrap(),
    )
}

const JSON: &str = "application/json";
const GRAPHQL: &str = "application/graphql-response+json";

on_both_backends! {
    async fn the_answer_type_follows_accept(app) {
        for (accept, expected) in [
            (None, JSON),
            (Some("application/json"), JSON),
            (Some("*/*"), JSON),
            (Some("text/html"), JSON),
            (Some("application/graphql-response+json"), GRAPHQL),
            (Some("application/graphql-response+json, application/json;q=0.9"), GRAPHQL),
            (Some("application/json, application/graphql-response+json"), JSON),
            (Some("application/json;q=0.5, application/graphql-response+json"), GRAPHQL),
        ] {
            let (status, content_type, body) = post(&app, Some(JSON), accept, "{ __typename }").await;
            assert_eq!(status, StatusCode::OK, "{accept:?}");
            assert_eq!(content_type, expected, "{accept:?}");
            assert_eq!(body["data"]["__typename"], "Query");
        }
        // Refusals follow it too: a query over the size limit, a bad body.
        let long = "{ a }".repeat(10_000);
        let (status, content_type, body) = post(&app, Some(JSON), Some(JSON), &long).await;
        assert_eq!((status, content_type.as_str()), (StatusCode::OK, JSON), "{body:#}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "MAX_QUERY_SIZE_LIMIT");
        let (status, content_type, _) = post(&app, Some(JSON), Some(GRAPHQL), &long).await;
        assert_eq!((status, content_type.as_str()), (StatusCode::BAD_REQUEST, GRAPHQL));
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, JSON)
            .header(header::ACCEPT, JSON)
            .body(Body::from("{not json"))
            .unwrap();
        let (status, headers, _) = app.send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(headers[header::CONTENT_TYPE], JSON);
    }
}

on_both_backends! {
    async fn request_errors_are_400_without_data_in_graphql_response_json(app) {
        for query in ["{", "{ noSuchField }", "query($id: ID!) { __typename }"] {
            let (status, content_type, body) = post(&app, Some(JSON), Some(GRAPHQL), query).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body:#}");
            assert_eq!(content_type, GRAPHQL);
            assert!(body.get("data").is_none(), "{query}: {body:#}");
            assert!(body["errors"][0]["message"].is_string());
            // In application/json: 200, as the spec asks for legacy clients.
            let (status, content_type, body) = post(&app, Some(JSON), Some(JSON), query).await;
            assert_eq!(status, StatusCode::OK, "{query}: {body:#}");
            assert_eq!(content_type, JSON);
            assert!(body["errors"][0]["message"].is_string());
        }
        // A field error is not a request error: 200 with data.
        let (status, _, body) = post(&app, Some(JSON), Some(GRAPHQL), r#"{ lead(id: "nope") { id } }"#).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        assert!(body.get("data").is_some(), "{body:#}");
    }
}

on_both_backends! {
    async fn a_post_must_say_it_is_json(app) {
        for content_type in [None, Some("text/plain;charset=UTF-8"), Some("application/x-www-form-urlencoded")] {
            let (status, content, body) = post(&app, content_type, None, "{ __typename }").await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{content_type:?}: {body:#}");
            assert_eq!(content, JSON);
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST", "{body:#}");
        }
        let (status, _, _) = post(&app, Some("Application/JSON; charset=utf-8"), None, "{ __typename }").await;
        assert_eq!(status, StatusCode::OK);
    }
}
