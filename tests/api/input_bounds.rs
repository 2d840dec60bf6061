//! Size bounds of JSON values, instructions, lists and one-off items (README, Security,
//! Bounded inputs): each refusal is BAD_USER_INPUT naming the field, on GraphQL and REST,
//! and writes nothing.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::harness::{CREATE_LEAD_ID, TestApp, error_code};
use crate::rest::send;

const ADD: &str = "mutation($id: ID!, $input: AddLeadChecklistItemInput!) { addLeadChecklistItem(leadId: $id, input: $input) { success } }";
const TOOL: &str = "mutation($input: RecordToolCallInput!) { recordToolCall(input: $input) { actionLog { id toolInput toolOutput } } }";
const ACTION: &str =
    "mutation($input: RecordActionInput!) { recordAction(input: $input) { actionLog { id } } }";

/// `[[...[1]...]]`: `levels` arrays deep.
fn nested(levels: usize) -> Value {
    (0..levels).fold(json!(1), |inner, _| json!([inner]))
}

/// The first error's field, asserting the code is BAD_USER_INPUT.
fn refused_field(response: &Value) -> String {
    assert_eq!(error_code(response), "BAD_USER_INPUT", "{response:#}");
    response["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Rows of the tables a one-off item writes.
async fn item_rows(app: &TestApp) -> [i64; 3] {
    [
        app.count("checklist_groups").await,
        app.count("checklist_items").await,
        app.count("lead_checklist_items").await,
    ]
}

on_both_backends! {
    async fn one_off_item_config_rules_and_instructions_are_bounded(app) {
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        let before = item_rows(&app).await;
        let big_options: Vec<Value> = (0..2_000).map(|i| json!(format!("option-{i:05}"))).collect();
        let cases = [
            (json!({ "label": "Kind", "fieldType": "SELECT", "config": { "options": big_options } }), "config", "too large"),
            (json!({ "label": "Kind", "fieldType": "SELECT", "config": { "options": [{ "value": nested(10) }] } }), "config", "nested"),
            (json!({ "label": "Doc", "fieldType": "FILE", "validationRules": vec!["rule"; 51] }), "validationRules", "more than 50"),
            (json!({ "label": "Doc", "fieldType": "FILE", "validationRules": ["ok", "r".repeat(501)] }), "validationRules[1]", "at most 500"),
            (json!({ "label": "Note", "agentInstructions": "a".repeat(10_001) }), "agentInstructions", "at most 10000"),
            (json!({ "label": "Note", "clientInstructions": "é".repeat(10_001) }), "clientInstructions", "at most 10000"),
            (json!({ "label": "Kind", "fieldType": "SELECT", "config": { "options": ["a\u{0}"] } }), "config.options[0]", "NUL"),
        ];
        for (input, field, words) in &cases {
            let response = app.graphql(ADD, json!({ "id": id, "input": input })).await;
            assert_eq!(refused_field(&response), *field, "{response:#}");
            assert!(response["errors"][0]["message"].as_str().unwrap().contains(words), "{response:#}");
            let (status, body) = send(&app, "POST", &format!("/api/v1/leads/{id}/checklist-items"), Some(&app.key), Some(input.to_string())).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
            assert_eq!(body["error"]["code"], "BAD_USER_INPUT");
            assert_eq!(body["error"]["field"], *field, "{body:#}");
        }
        assert_eq!(item_rows(&app).await, before, "nothing written");
        // At the bounds, accepted.
        let input = json!({ "label": "Doc", "fieldType": "FILE", "validationRules": vec!["r".repeat(500); 20],
                            "agentInstructions": "a".repeat(10_000), "clientInstructions": "é".repeat(10_000) });
        let response = app.graphql(ADD, json!({ "id": id, "input": input })).await;
        assert_eq!(response["data"]["addLeadChecklistItem"]["success"], true, "{response:#}");
        let input = json!({ "label": "Kind", "fieldType": "SELECT", "config": { "options": [{ "value": nested(7), "label": "deep" }] } });
        let response = app.graphql(ADD, json!({ "id": id, "input": input })).await;
        assert_eq!(response["data"]["addLeadChecklistItem"]["success"], true, "{response:#}");
    }
}

on_both_backends! {
    async fn a_lead_holds_at_most_100_one_off_items(app) {
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        for i in 0..100 {
            let response = app.graphql(ADD, json!({ "id": id, "input": { "label": format!("Item {i}") } })).await;
            assert_eq!(response["data"]["addLeadChecklistItem"]["success"], true, "{i}: {response:#}");
        }
        let before = item_rows(&app).await;
        let logs = app.count("action_logs").await;
        let response = app.graphql(ADD, json!({ "id": id, "input": { "label": "One more" } })).await;
        assert_eq!(refused_field(&response), "leadId");
        assert!(response["errors"][0]["message"].as_str().unwrap().contains("at most 100"), "{response:#}");
        let (status, body) = send(&app, "POST", &format!("/api/v1/leads/{id}/checklist-items"), Some(&app.key), Some(json!({ "label": "One more" }).to_string())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
        assert_eq!(body["error"]["field"], "leadId");
        assert_eq!(item_rows(&app).await, before, "nothing written");
        assert_eq!(app.count("action_logs").await, logs);
        // The bound is per lead: another lead still takes one.
        let other = app.create_lead(json!({ "firstName": "Bo" })).await;
        let response = app.graphql(ADD, json!({ "id": other, "input": { "label": "First" } })).await;
        assert_eq!(response["data"]["addLeadChecklistItem"]["success"], true, "{response:#}");
    }
}

on_both_backends! {
    async fn action_input_and_output_json_are_bounded(app) {
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        let logs = app.count("action_logs").await;
        let tools = app.count("tools").await;
        let big = json!({ "rows": "x".repeat(64 * 1024) });
        let cases = [
            (TOOL, json!({ "leadId": id, "tool": "crm", "input": big }), "input", "too large"),
            (TOOL, json!({ "leadId": id, "tool": "crm", "output": { "a": nested(10) } }), "output", "nested"),
            (TOOL, json!({ "leadId": id, "tool": "crm", "input": { "a": ["ok", "b\u{0}"] } }), "input.a[1]", "NUL"),
            (ACTION, json!({ "leadId": id, "type": "SYSTEM_NOTE", "summary": "s", "input": big }), "input", "too large"),
            (ACTION, json!({ "leadId": id, "type": "SYSTEM_NOTE", "summary": "s", "output": { "a": nested(10) } }), "output", "nested"),
        ];
        for (query, input, field, words) in &cases {
            let response = app.graphql(query, json!({ "input": input })).await;
            assert_eq!(refused_field(&response), *field, "{response:#}");
            assert!(response["errors"][0]["message"].as_str().unwrap().contains(words), "{response:#}");
        }
        assert_eq!(app.count("action_logs").await, logs, "nothing written");
        assert_eq!(app.count("tools").await, tools);
        // Within the bounds, numbers at the edge of a double and of u64 are stored as sent.
        let input = json!({ "big": 1.7e308, "small": -1.7e308, "tiny": 5e-324, "u": u64::MAX, "i": i64::MIN, "deep": nested(9) });
        let response = app.graphql(TOOL, json!({ "input": { "leadId": id, "tool": "crm", "input": input, "output": { "rows": "x".repeat(60 * 1024) } } })).await;
        let log = &response["data"]["recordToolCall"]["actionLog"];
        assert_eq!(log["toolInput"], input, "{response:#}");
    }
}

on_both_backends! {
    async fn checklist_values_are_bounded(app) {
        let huge = "x".repeat(16 * 1024);
        let cases = [
            (json!([{ "code": "business_name", "value": huge }]), "checklistItems[0].value", "too large"),
            (json!([{ "code": "business_name", "value": huge, "status": "INVALID" }]), "checklistItems[0].value", "too large"),
            (json!([{ "code": "business_name", "value": nested(11), "status": "INVALID" }]), "checklistItems[0].value", "nested"),
            (json!([{ "code": "business_name", "value": "Acme", "alternateValues": ["ok", huge] }]), "checklistItems[0].alternateValues[1]", "too large"),
        ];
        for (items, field, words) in &cases {
            let input = json!({ "firstName": "Ada", "checklistItems": items });
            let response = app.graphql(CREATE_LEAD_ID, json!({ "input": input })).await;
            assert_eq!(refused_field(&response), *field, "{response:#}");
            assert!(response["errors"][0]["message"].as_str().unwrap().contains(words), "{response:#}");
            let (status, body) = send(&app, "POST", "/api/v1/leads", Some(&app.key), Some(input.to_string())).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
            assert_eq!(body["error"]["field"], *field, "{body:#}");
        }
        assert_eq!(app.count("leads").await, 0, "nothing written");
        // Just within: a value of 16 KiB less its quotes.
        let fits = "x".repeat(16 * 1024 - 2);
        let input = json!({ "firstName": "Ada", "checklistItems": [{ "code": "business_name", "value": fits, "status": "INVALID" }] });
        let response = app.graphql(CREATE_LEAD_ID, json!({ "input": input })).await;
        assert_eq!(response["data"]["createLead"]["success"], true, "{response:#}");
    }
}

on_both_backends! {
    async fn number_values_at_the_edges_are_stored_or_refused_never_internal(app) {
        use leadgate::domain::checklist::import;
        let template = import::parse(r#"{ "groups": [ { "name": "Numbers", "items": [
            { "code": "amount", "label": "Amount", "fieldType": "NUMBER" }
        ] } ] }"#).unwrap();
        import::replace(&app.db, app.workspace_id, &template).await.unwrap();
        const VALUE: &str = "query($id: ID!) { lead(id: $id) { checklistItems { items { value } } } }";
        for number in [json!(1.7e308), json!(-1.7e308), json!(5e-324), json!(u64::MAX), json!(i64::MIN)] {
            let input = json!({ "firstName": "N", "checklistItems": [{ "code": "amount", "value": number }] });
            let response = app.graphql(CREATE_LEAD_ID, json!({ "input": input })).await;
            let id = response["data"]["createLead"]["lead"]["id"].as_str().unwrap_or_else(|| panic!("{response:#}"));
            let data = app.data(VALUE, json!({ "id": id })).await;
            assert_eq!(data["lead"]["checklistItems"][0]["items"][0]["value"], number);
            let (status, body) = send(&app, "POST", "/api/v1/leads", Some(&app.key), Some(input.to_string())).await;
            assert_eq!(status, StatusCode::OK, "{body:#}");
        }
        // Past a double: a literal, and a JSON number.
        let literal = r#"mutation { createLead(input: { firstName: "N", checklistItems: [{ code: "amount", value: -1e400 }] }) { success } }"#;
        let response = app.graphql(literal, json!({})).await;
        assert_eq!(refused_field(&response), "query");
        let leads = app.count("leads").await;
        let (status, body) = send(&app, "POST", "/api/v1/leads", Some(&app.key), Some(r#"{"firstName":"N","checklistItems":[{"code":"amount","value":-1e400}]}"#.into())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
        assert_eq!(body["error"]["code"], "BAD_USER_INPUT");
        assert_eq!(app.count("leads").await, leads);
    }
}

on_both_backends! {
    async fn lead_filters_are_bounded(app) {
        app.create_lead(json!({ "firstName": "Ada", "tags": ["vip"] })).await;
        const LIST: &str = "query($filter: LeadFilter) { leads(filter: $filter) { totalCount edges { node { id } } } }";
        const COUNT: &str = "query($filter: LeadFilter) { leads(filter: $filter) { totalCount } }";
        let many: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
        let cases = [
            (json!({ "tags": many }), "filter.tags", "more than 50"),
            (json!({ "tags": ["vip", "t".repeat(65)] }), "filter.tags[1]", "at most 64"),
            (json!({ "search": "s".repeat(501) }), "filter.search", "at most 500"),
        ];
        for (filter, field, words) in &cases {
            for query in [LIST, COUNT] {
                let response = app.graphql(query, json!({ "filter": filter })).await;
                assert_eq!(refused_field(&response), *field, "{response:#}");
                assert!(response["errors"][0]["message"].as_str().unwrap().contains(words), "{response:#}");
            }
        }
        let fifty: Vec<String> = std::iter::once("vip".to_owned()).chain((1..50).map(|i| format!("t{i}"))).collect();
        let data = app.data(LIST, json!({ "filter": { "tags": fifty, "search": "a".repeat(500) } })).await;
        assert_eq!(data["leads"]["totalCount"], 0);
        let data = app.data(LIST, json!({ "filter": { "tags": fifty } })).await;
        assert_eq!(data["leads"]["totalCount"], 1);
    }
}
