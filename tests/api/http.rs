//! The HTTP surface: GraphQL over POST and GET, GraphiQL, health checks, limits, and the
//! committed schema.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use serde_json::{Value, json};

use crate::harness::{CREATE_LEAD_ID, documented_input, error_code};

#[test]
fn schema_file_matches_the_served_schema() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert!(
        committed == leadgate::graphql::sdl(),
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}

fn get(uri: &str) -> axum::http::request::Builder {
    Request::get(uri)
}

fn encode(query: &str) -> String {
    query
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

on_both_backends! {
    async fn queries_over_get_and_no_mutations_over_get(app) {
        let id = app.create_lead(documented_input()).await;
        let query = format!("{{ lead(id: \"{id}\") {{ firstName }} }}");
        let request = get(&format!("/graphql?query={}", encode(&query))).header("x-api-key", &app.key).body(Body::empty()).unwrap();
        let (status, _, body) = app.send(request).await;
        assert_eq!(status, StatusCode::OK);
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["data"]["lead"]["firstName"], "John");

        let mutation = "mutation { createLead(input: { firstName: \"Sneaky\" }) { success } }";
        let request = get(&format!("/graphql?query={}", encode(mutation))).header("x-api-key", &app.key).body(Body::empty()).unwrap();
        let (status, headers, body) = app.send(request).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(headers["allow"], "POST");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(error_code(&body), "METHOD_NOT_ALLOWED");
        assert_eq!(app.count("leads").await, 1, "nothing was written");
    }
}

on_both_backends! {
    async fn browsers_get_graphiql_served_locally(app) {
        let request = get("/graphql").header("accept", "text/html,application/xhtml+xml").body(Body::empty()).unwrap();
        let (status, headers, body) = app.send(request).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
        let page = String::from_utf8(body.to_vec()).unwrap();
        assert!(page.contains("/graphiql/graphiql.min.js") && !page.contains("unpkg") && !page.contains("https://"));
        for asset in ["graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"] {
            let (status, _, body) = app.send(get(&format!("/graphiql/{asset}")).body(Body::empty()).unwrap()).await;
            assert_eq!(status, StatusCode::OK, "{asset}");
            assert!(body.len() > 1000);
        }
        let (status, _, _) = app.send(get("/graphiql/secrets.txt").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

on_both_backends! {
    async fn health_and_readiness(app) {
        let (status, _, _) = app.send(get("/healthz").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, _) = app.send(get("/readyz").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        app.db.clone().close().await.unwrap();
        let (status, _, _) = app.send(get("/readyz").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        let (status, _, _) = app.send(get("/healthz").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
    }
}

on_both_backends! {
    async fn bodies_over_the_limit_are_refused(app) {
        // The operation limits are tested in limits.rs.
        // Body over 1 MiB.
        let huge = json!({ "query": CREATE_LEAD_ID, "variables": { "input": { "firstName": "x".repeat(2 * 1024 * 1024) } } }).to_string();
        let request = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("content-length", huge.len())
            .header("x-api-key", &app.key)
            .body(Body::from(huge))
            .unwrap();
        let (status, _, _) = app.send(request).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

        assert_eq!(app.count("leads").await, 0);
    }
}

on_both_backends! {
    async fn only_callers_with_a_key_can_introspect(app) {
        // GraphiQL's own introspection query (graphql-js getIntrospectionQuery, nine
        // levels of ofType) passes the depth and complexity limits with a key.
        let query = include_str!("fixtures/introspection.graphql");
        let response = app.graphql(query, json!({})).await;
        assert!(response.get("errors").is_none(), "{response:#}");
        let types = response["data"]["__schema"]["types"].as_array().unwrap();
        assert!(types.iter().any(|t| t["name"] == "CreateLeadPayload"));
        // Without a key (or with a revoked or made-up one) it is refused, as is `__type`.
        for key in [None, Some("lg_live_0000000000000000000000000000000000000000000000000000000000000000000000000000")] {
            for query in [query, "{ __type(name: \"Lead\") { fields { name } } }"] {
                let response = app.graphql_with(key, query, json!({})).await;
                assert_eq!(error_code(&response), "INTROSPECTION_DISABLED", "{response:#}");
                assert!(response["errors"][0]["message"].as_str().unwrap().contains("x-api-key"));
                assert!(response.get("data").is_none_or(Value::is_null), "{response:#}");
            }
        }
        // __typename is not introspection of the schema: it still answers.
        let response = app.graphql_with(None, "{ __typename }", json!({})).await;
        assert_eq!(response["data"]["__typename"], "Query");
    }
}

on_both_backends! {
    async fn suggestions_only_for_callers_with_a_key(app) {
        let typo = "{ lead(id: \"00000000-0000-0000-0000-000000000000\") { firstNme } }";
        let with_key = app.graphql(typo, json!({})).await;
        let message = with_key["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("Did you mean"), "{with_key:#}");
        let without = app.graphql_with(None, typo, json!({})).await;
        let message = without["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("firstNme") && !message.contains("Did you mean") && !message.contains("firstName"), "{without:#}");
        assert_eq!(error_code(&without), "GRAPHQL_VALIDATION_FAILED");
    }
}

on_both_backends! {
    async fn disable_introspection_turns_it_off_for_everyone(app) {
        let config = leadgate::Config { introspection: false, ..crate::harness::test_config() };
        let app = app.with_config(config);
        let response = app.graphql("{ __schema { queryType { name } } }", json!({})).await;
        assert_eq!(error_code(&response), "INTROSPECTION_DISABLED", "{response:#}");
        assert!(response["errors"][0]["message"].as_str().unwrap().contains("turned off"));
        // Everything else works.
        let data = app.data("{ leads { totalCount } }", json!({})).await;
        assert_eq!(data["leads"]["totalCount"], 0);
    }
}
