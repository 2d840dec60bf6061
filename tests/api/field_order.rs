//! Answers follow the query: with many identical requests at once (loaders finishing in
//! any order), every object lists its fields in the order the query selected them, on
//! GraphQL and on the REST face's documented key order.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use futures::future::join_all;
use serde_json::{Value, json};

use crate::harness::{TestApp, documented_input};

/// How many identical requests run at once.
const CONCURRENT: usize = 32;

/// Field order deliberately not the schema's nor the alphabet's, with fragments, inline
/// fragments, aliases and loader-backed fields at several levels.
const QUERY: &str = "query($id: ID!) { lead(id: $id) {
    actionLogs(limit: 10) { documents { id } messages { body id documents { id } } tool { name id } type id summary }
    checklistItems { items { documents { id } checklistItem { code id } value } name }
    ...Tail
    tags
    first: firstName
    ... on Lead { matchingLeads { id tags } id }
} }
fragment Tail on Lead { lastAction { messages { id } tool { id } id } nextDraft { id } status }";

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect()
}

/// A lead with a tool call, an outbound message and a match.
async fn busy_lead(app: &TestApp) -> String {
    app.create_lead(documented_input()).await;
    let id = app.create_lead(documented_input()).await;
    app.data(
        "mutation($input: RecordToolCallInput!) { recordToolCall(input: $input) { success } }",
        json!({ "input": { "leadId": id, "tool": "crm_lookup", "input": { "q": 1 }, "output": [1, 2] } }),
    )
    .await;
    app.data(
        "mutation($input: RecordMessageInput!) { recordMessage(input: $input) { success } }",
        json!({ "input": { "leadId": id, "direction": "OUTBOUND", "channel": "EMAIL", "subject": "Hi", "body": "Hello" } }),
    )
    .await;
    id
}

async fn get(app: &TestApp, uri: &str) -> (StatusCode, String) {
    let request = Request::get(uri)
        .header("x-api-key", &app.key)
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = app.send(request).await;
    (status, String::from_utf8(body.to_vec()).unwrap())
}

on_both_backends! {
    async fn graphql_answers_in_the_query_order_under_concurrency(app) {
        let id = busy_lead(&app).await;
        let answers = join_all((0..CONCURRENT).map(|_| app.graphql(QUERY, json!({ "id": id })))).await;
        for answer in &answers {
            assert!(answer.get("errors").is_none(), "{answer:#}");
            let lead = &answer["data"]["lead"];
            assert_eq!(keys(lead), ["actionLogs", "checklistItems", "lastAction", "nextDraft", "status", "tags", "first", "matchingLeads", "id"]);
            let logs = lead["actionLogs"].as_array().unwrap();
            assert_eq!(logs.len(), 3);
            for log in logs {
                assert_eq!(keys(log), ["documents", "messages", "tool", "type", "id", "summary"]);
                for message in log["messages"].as_array().unwrap() {
                    assert_eq!(keys(message), ["body", "id", "documents"]);
                }
                if !log["tool"].is_null() {
                    assert_eq!(keys(&log["tool"]), ["name", "id"]);
                }
            }
            for group in lead["checklistItems"].as_array().unwrap() {
                assert_eq!(keys(group), ["items", "name"]);
                for item in group["items"].as_array().unwrap() {
                    assert_eq!(keys(item), ["documents", "checklistItem", "value"]);
                    assert_eq!(keys(&item["checklistItem"]), ["code", "id"]);
                }
            }
            assert_eq!(keys(&lead["lastAction"]), ["messages", "tool", "id"]);
            assert_eq!(keys(&lead["matchingLeads"][0]), ["id", "tags"]);
        }
        // And byte for byte the same answer every time.
        // (Compared as text: maps compare equal whatever their order.)
        let text = |a: &Value| serde_json::to_string(a).unwrap();
        assert!(answers.iter().all(|a| text(a) == text(&answers[0])));
    }
}

on_both_backends! {
    async fn rest_answers_in_the_documented_order_under_concurrency(app) {
        let id = busy_lead(&app).await;
        let uri = format!("/api/v1/leads/{id}");
        let answers = join_all((0..CONCURRENT).map(|_| get(&app, &uri))).await;
        let documented: Value = serde_json::from_str(include_str!("fixtures/create-lead-response.json")).unwrap();
        let log_keys = ["id", "type", "status", "summary", "changes", "parentActionId", "createdAt",
            "scheduledAt", "completedAt", "tool", "messages", "documents"];
        for (status, text) in &answers {
            assert_eq!(*status, StatusCode::OK, "{text}");
            // Byte for byte the same: nothing differs between the requests.
            assert_eq!(text, &answers[0].1);
        }
        let body: Value = serde_json::from_str(&answers[0].1).unwrap();
        // The documented keys, with the read's top-level status and documents after the lead.
        let mut top = keys(&documented);
        top.insert(2, "status");
        top.insert(3, "documents");
        assert_eq!(keys(&body), top);
        let mut lead_keys = keys(&documented["lead"]);
        lead_keys.extend(["isTest", "submittedAt", "workspaceId", "status", "documents"]);
        assert_eq!(keys(&body["lead"]), lead_keys);
        for log in body["actionLogs"].as_array().unwrap() {
            assert_eq!(keys(log), log_keys);
            for message in log["messages"].as_array().unwrap() {
                assert_eq!(keys(message), ["id", "channel", "direction", "subject", "body", "documents"]);
            }
        }
        let mut last_action_keys = log_keys.to_vec();
        last_action_keys.push("toolCalls");
        assert_eq!(keys(&body["lastAction"]), last_action_keys);
        assert_eq!(keys(&body["matchingLeads"][0]), keys(&documented["lead"]));

        // Creating: every answer in the documented order.
        let create = || {
            let request = Request::post("/api/v1/leads")
                .header("content-type", "application/json")
                .header("x-api-key", &app.key)
                .body(Body::from(include_str!("fixtures/create-lead-request.json")))
                .unwrap();
            app.send(request)
        };
        for (status, _, bytes) in join_all((0..CONCURRENT).map(|_| create())).await {
            assert_eq!(status, StatusCode::OK);
            let body: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(keys(&body), keys(&documented));
            assert_eq!(keys(&body["lead"]), keys(&documented["lead"]));
            assert_eq!(keys(&body["actionLogs"][0]), log_keys);
            assert_eq!(keys(&body["matchingLeads"][0]), keys(&documented["lead"]));
        }
    }
}
