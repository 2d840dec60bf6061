//! Operation limits: each refusal has its own code, and nothing runs when one is hit (no
//! statement beyond the API key's lookup, no row written).

use std::num::NonZeroU32;

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use leadgate::config::RateLimit;
use serde_json::{Value, json};

use crate::harness::{CREATE_LEAD_ID, TestApp, error_code, test_config};

/// `lead(id)` with `n` nested `toolCalls` (a list counted once, so only depth grows):
/// depth n + 3.
fn deep_query(n: usize) -> String {
    let mut selection = "id".to_owned();
    for _ in 0..n {
        selection = format!("toolCalls {{ {selection} }}");
    }
    format!(
        "{{ lead(id: \"00000000-0000-0000-0000-000000000000\") {{ lastAction {{ {selection} }} }} }}"
    )
}

/// Statements the request ran apart from the API key's lookup (and its `lastUsedAt`).
fn statements_beyond_the_key(app: &TestApp) -> Vec<String> {
    app.statements()
        .1
        .into_iter()
        .filter(|sql| !sql.contains("api_keys"))
        .collect()
}

async fn post(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("x-api-key", &app.key)
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, body) = app.send(request).await;
    (status, serde_json::from_slice(&body).unwrap())
}

on_both_backends! {
    async fn depth_fifteen_passes_and_sixteen_is_refused(app) {
        let response = app.graphql(&deep_query(12), json!({})).await;
        assert!(response.get("errors").is_none(), "{response:#}");
        app.reset_statements();
        let response = app.graphql(&deep_query(13), json!({})).await;
        assert_eq!(error_code(&response), "MAX_DEPTH_LIMIT", "{response:#}");
        assert!(response["errors"][0]["message"].as_str().unwrap().contains("at most 15"));
        assert!(response.get("data").is_none_or(Value::is_null));
        assert_eq!(statements_beyond_the_key(&app), Vec::<String>::new());

        // GraphiQL's introspection query is 15 deep.
        let query = include_str!("fixtures/introspection.graphql");
        let response = app.graphql(query, json!({})).await;
        assert!(response.get("errors").is_none(), "{response:#}");
    }
}

on_both_backends! {
    async fn list_fields_count_their_page_in_the_complexity(app) {
        for name in ["Ada", "Grace", "Edsger"] {
            app.create_lead(json!({ "firstName": name, "email": "same@example.com" })).await;
        }
        app.reset_statements();
        let abusive = "{ leads(first: 100) { edges { node { matchingLeads { matchingLeads { matchingLeads { id } } } } } } }";
        let response = app.graphql(abusive, json!({})).await;
        assert_eq!(error_code(&response), "MAX_COMPLEXITY_LIMIT", "{response:#}");
        assert!(response.get("data").is_none_or(Value::is_null));
        assert_eq!(statements_beyond_the_key(&app), Vec::<String>::new());
        // Ten nested lists (100^10, past u64) within the depth limit: still a refusal,
        // not an overflow (which panicked, or wrapped to a tiny cost in release builds).
        let nested = format!("{{ leads {{ nodes {{ {} id {} }} }} }}", "matchingLeads { ".repeat(10), "}".repeat(10));
        let response = app.graphql(&nested, json!({})).await;
        assert_eq!(error_code(&response), "MAX_COMPLEXITY_LIMIT", "{response:#}");

        // The page size counts, by argument or variable: 9 × (1 + 1 + 1 + 100 × 1) = 927
        // runs, 10 × 103 = 1030 does not, nor the default page of 20.
        let page = "query($n: Int) { leads(first: $n) { edges { node { id matchingLeads { id } } } } }";
        let data = app.data(page, json!({ "n": 9 })).await;
        assert_eq!(data["leads"]["edges"].as_array().unwrap().len(), 3);
        for n in [json!(10), Value::Null] {
            let response = app.graphql(page, json!({ "n": n })).await;
            assert_eq!(error_code(&response), "MAX_COMPLEXITY_LIMIT", "{response:#}");
        }
        // actionLogs counts its limit (100 by default).
        let logs = "query($n: Int) { leads(first: 5) { nodes { actionLogs(limit: $n) { id type } } } }";
        app.data(logs, json!({ "n": 50 })).await;
        let response = app.graphql(logs, json!({ "n": null })).await;
        assert_eq!(error_code(&response), "MAX_COMPLEXITY_LIMIT", "{response:#}");

        // webhookDeliveries counts its first (50 by default): 100 × 11 is refused before
        // the endpoint id is even looked at; the default page of a small selection runs.
        let deliveries = "query($n: Int!) { webhookDeliveries(endpointId: \"00000000-0000-0000-0000-000000000000\", first: $n) {
            id eventId eventType status createdAt deliveredAt nextAttemptAt attempts { number durationMs error } } }";
        let response = app.graphql(deliveries, json!({ "n": 100 })).await;
        assert_eq!(error_code(&response), "MAX_COMPLEXITY_LIMIT", "{response:#}");
        let response = app.graphql(deliveries, json!({ "n": 5 })).await;
        assert_ne!(error_code(&response), "MAX_COMPLEXITY_LIMIT", "{response:#}");

        // DESIGN.md's example selection is well within the limit.
        let example = "mutation($input: CreateLeadInput!) { createLead(input: $input) { success
            lead { id phoneNumber assigneeType status source createdAt }
            checklistItems { name items { status value checklistItem { code label } } }
            actionLogs { type summary changes } matchingLeads { id firstName email } } }";
        app.data(example, json!({ "input": crate::harness::documented_input() })).await;
    }
}

on_both_backends! {
    async fn at_most_thirty_aliases_fragments_included(app) {
        let aliases = |prefix: &str, n: usize| (0..n).map(|i| format!("{prefix}{i}: id ")).collect::<String>();
        let query = |in_op: usize, in_fragment: usize| {
            format!(
                "query($id: ID!) {{ lead(id: $id) {{ {} ...F }} }} fragment F on Lead {{ {} }}",
                aliases("a", in_op),
                aliases("f", in_fragment)
            )
        };
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        let data = app.data(&query(20, 10), json!({ "id": id })).await;
        assert_eq!(data["lead"]["f9"], json!(id));
        app.reset_statements();
        let response = app.graphql(&query(20, 11), json!({ "id": id })).await;
        assert_eq!(error_code(&response), "MAX_ALIASES_LIMIT", "{response:#}");
        assert_eq!(statements_beyond_the_key(&app), Vec::<String>::new());
    }
}

on_both_backends! {
    /// Parsed documents are memoised by their text (`graphql::parse_cache`): a text sent
    /// again is not parsed again, but every limit is still checked on every request.
    async fn limits_hold_for_a_text_the_server_already_parsed(app) {
        let over_aliases = format!("{{ {} }}", (0..31).map(|i| format!("a{i}: leads {{ totalCount }} ")).collect::<String>());
        let too_deep = deep_query(13);
        for _ in 0..3 {
            app.reset_statements();
            let response = app.graphql(&over_aliases, json!({})).await;
            assert_eq!(error_code(&response), "MAX_ALIASES_LIMIT", "{response:#}");
            let response = app.graphql(&too_deep, json!({})).await;
            assert_eq!(error_code(&response), "MAX_DEPTH_LIMIT", "{response:#}");
            assert_eq!(statements_beyond_the_key(&app), Vec::<String>::new());
        }
        // And a text that passes answers the same each time, in its field order.
        let id = app.create_lead(json!({ "firstName": "Ada", "lastName": "Lovelace" })).await;
        let query = "query($id: ID!) { lead(id: $id) { lastName id firstName } }";
        for _ in 0..3 {
            let data = app.data(query, json!({ "id": id })).await;
            let keys: Vec<&String> = data["lead"].as_object().unwrap().keys().collect();
            assert_eq!(keys, ["lastName", "id", "firstName"]);
            assert_eq!(data["lead"]["firstName"], "Ada");
        }
    }
}

on_both_backends! {
    async fn at_most_ten_root_fields_after_fragment_expansion(app) {
        let creates = |range: std::ops::Range<usize>| {
            range.map(|i| format!("c{i}: createLead(input: {{ firstName: \"A{i}\" }}) {{ success }} ")).collect::<String>()
        };
        // Six in the operation and five in a fragment: eleven root mutations.
        let query = format!(
            "mutation {{ {} ...More }} fragment More on Mutation {{ {} }}",
            creates(0..6),
            creates(6..11)
        );
        let response = app.graphql(&query, json!({})).await;
        assert_eq!(error_code(&response), "MAX_ROOT_FIELDS_LIMIT", "{response:#}");
        // Written straight, too.
        let response = app.graphql(&format!("mutation {{ {} }}", creates(0..11)), json!({})).await;
        assert_eq!(error_code(&response), "MAX_ROOT_FIELDS_LIMIT", "{response:#}");
        assert_eq!(app.count("leads").await, 0);
        // Ten run; a field repeated under one key runs once.
        let query = format!("mutation {{ {} ...More }} fragment More on Mutation {{ {} }}", creates(0..6), creates(6..10));
        let data = app.data(&query, json!({})).await;
        assert_eq!(data.as_object().unwrap().len(), 10);
        let data = app.data("{ a: __typename a: __typename b: __typename }", json!({})).await;
        assert_eq!(data, json!({ "a": "Query", "b": "Query" }));
        assert_eq!(app.count("leads").await, 10);
    }
}

on_both_backends! {
    async fn query_text_is_at_most_32_kib(app) {
        // Padding with a comment keeps the document the same.
        let padded = |bytes: usize| {
            let query = "{ __typename }\n#";
            format!("{query}{}", "x".repeat(bytes - query.len()))
        };
        let data = app.data(&padded(32 * 1024), json!({})).await;
        assert_eq!(data["__typename"], "Query");
        let response = app.graphql(&padded(32 * 1024 + 1), json!({})).await;
        assert_eq!(error_code(&response), "MAX_QUERY_SIZE_LIMIT", "{response:#}");
    }
}

on_both_backends! {
    async fn json_batches_of_up_to_ten_operations_run_in_order(app) {
        let create = |name: &str| json!({ "query": CREATE_LEAD_ID, "variables": { "input": { "firstName": name } } });
        let batch: Vec<Value> = (0..10).map(|i| create(&format!("B{i}"))).collect();
        let (status, body) = post(&app, json!(batch)).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        let answers = body.as_array().expect("a JSON array answers a batch");
        assert_eq!(answers.len(), 10);
        assert!(answers.iter().all(|a| a["data"]["createLead"]["success"] == true), "{body:#}");
        assert_eq!(app.count("leads").await, 10);

        // Eleven are refused as a whole: nothing runs.
        let batch: Vec<Value> = (0..11).map(|i| create(&format!("C{i}"))).collect();
        let (status, body) = post(&app, json!(batch)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
        assert_eq!(error_code(&body), "MAX_BATCH_SIZE_LIMIT", "{body:#}");
        assert_eq!(app.count("leads").await, 10);
    }
}

on_both_backends! {
    async fn a_batch_takes_one_rate_limit_token_per_operation(app) {
        let mut config = test_config();
        config.rate_limit = Some(RateLimit {
            per_second: NonZeroU32::new(1).unwrap(),
            burst: NonZeroU32::new(12).unwrap(),
        });
        let app = app.with_config(config);
        let batch = |n: usize| json!((0..n).map(|_| json!({ "query": "{ __typename }" })).collect::<Vec<_>>());
        let (status, _) = post(&app, batch(10)).await;
        assert_eq!(status, StatusCode::OK);
        // Two tokens are left: a batch of three is refused whole, then two pass.
        let (status, body) = post(&app, batch(3)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body:#}");
        assert_eq!(error_code(&body), "RATE_LIMITED");
        let (status, body) = post(&app, batch(2)).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        let (status, _) = post(&app, json!({ "query": "{ __typename }" })).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    }
}

on_both_backends! {
    async fn rest_reads_are_not_subject_to_the_client_limits(app) {
        // The REST face reads a lead through the schema with a selection far costlier
        // than a client may send; it is ours, so it runs.
        let request = Request::post("/api/v1/leads")
            .header("content-type", "application/json")
            .header("x-api-key", &app.key)
            .body(Body::from(json!({ "firstName": "Rest" }).to_string()))
            .unwrap();
        let (status, _, body) = app.send(request).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    }
}
