//! The REST routes beyond create/read/update: one-off checklist items, the checklist
//! alone, the action logs, and the read's top-level `status`.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::rest::send;

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

async fn add(app: &TestApp, lead: &str, body: Value) -> (StatusCode, Value) {
    send(
        app,
        "POST",
        &format!("/api/v1/leads/{lead}/checklist-items"),
        Some(&app.key),
        Some(body.to_string()),
    )
    .await
}

on_both_backends! {
    async fn checklist_items_are_added_with_the_documented_answer(app) {
        let lead = app.create_lead(json!({ "firstName": "Ada" })).await;
        let (status, body) = add(&app, &lead, json!({
            "label": "Utility bill", "fieldType": "file", "clientInstructions": "A recent one",
            "validationRules": ["Shows the address"],
        })).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        assert_eq!(keys(&body), ["success", "checklistItem"]);
        assert_eq!(body["success"], true);
        let item = &body["checklistItem"];
        assert_eq!(keys(item), ["id", "leadId", "code", "label", "fieldType", "isRequired", "status",
            "agentInstructions", "clientInstructions", "createdAt"]);
        assert_eq!(item["leadId"], lead.as_str());
        assert_eq!(item["code"], "UTILITY_BILL", "the label in upper snake case");
        assert_eq!(item["label"], "Utility bill");
        assert_eq!(item["fieldType"], "FILE");
        assert_eq!(item["isRequired"], true);
        assert_eq!(item["status"], "TODO");
        assert_eq!(item["agentInstructions"], Value::Null);
        assert_eq!(item["clientInstructions"], "A recent one");
        assert!(item["createdAt"].as_str().unwrap().ends_with('Z'));

        // The same label again gets a fresh code; a given code is kept as given.
        let (_, body) = add(&app, &lead, json!({ "label": "Utility bill", "isRequired": false })).await;
        assert_eq!(body["checklistItem"]["code"], "UTILITY_BILL_2");
        assert_eq!(body["checklistItem"]["fieldType"], "TEXT");
        let (_, body) = add(&app, &lead, json!({ "label": "Lease", "code": "LEASE_COPY" })).await;
        assert_eq!(body["checklistItem"]["code"], "LEASE_COPY");

        // It shows in the checklist alone, in the lead's own group, after the template.
        let (status, checklist) = send(&app, "GET", &format!("/api/v1/leads/{lead}/checklist"), Some(&app.key), None).await;
        assert_eq!(status, StatusCode::OK, "{checklist:#}");
        let groups = checklist.as_array().unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0]["name"], "Business Information");
        assert_eq!(groups[1]["name"], "Additional Items");
        let codes: Vec<&str> = groups[1]["items"].as_array().unwrap().iter()
            .map(|i| i["checklistItem"]["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["UTILITY_BILL", "UTILITY_BILL_2", "LEASE_COPY"]);
        // The same groups as the lead's payload.
        let (_, read) = send(&app, "GET", &format!("/api/v1/leads/{lead}"), Some(&app.key), None).await;
        assert_eq!(read["checklistItems"], checklist);
        // And values are checked against it by its code.
        let (status, body) = send(&app, "PUT", "/api/v1/leads", Some(&app.key),
            Some(json!({ "leadId": lead, "checklistItems": [{ "code": "LEASE_COPY", "value": "on file" }] }).to_string())).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
    }
}

on_both_backends! {
    async fn bad_checklist_item_bodies_are_refused_naming_each_field(app) {
        let lead = app.create_lead(json!({ "firstName": "Ada" })).await;
        let (status, body) = add(&app, &lead, json!({ "fieldType": "PDF", "isRequired": "yes", "colour": 1 })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
        let mut fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter()
            .map(|f| f["field"].as_str().unwrap()).collect();
        fields.sort();
        assert_eq!(fields, ["colour", "fieldType", "isRequired", "label"]);
        for (input, field) in [
            (json!({ "label": "X", "code": "Not Valid" }), "code"),
            (json!({ "label": "X", "code": "tax_id" }), "code"),
            (json!({ "label": "N", "fieldType": "NUMBER", "config": { "pattern": "x" } }), "config"),
            (json!({ "label": "T", "validationRules": ["files only"] }), "validationRules"),
        ] {
            let (status, body) = add(&app, &lead, input.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{input}");
            assert_eq!(body["error"]["field"], field, "{input}: {body:#}");
        }
        let (status, body) = send(&app, "POST", &format!("/api/v1/leads/{lead}/checklist-items"), Some(&app.key), Some("{".into())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["field"], "body");

        // Unknown, malformed and other workspaces' leads are 404 on every route; no key is 401.
        let (_, other_key) = app.other_workspace("Other").await;
        for uri in [format!("/api/v1/leads/{lead}/checklist"), format!("/api/v1/leads/{lead}/action-logs")] {
            let (status, _) = send(&app, "GET", &uri, Some(&other_key), None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
            let (status, _) = send(&app, "GET", &uri, None, None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
        }
        for uri in ["/api/v1/leads/nope/checklist", "/api/v1/leads/0199a0e0-0000-7000-8000-000000000000/action-logs"] {
            let (status, _) = send(&app, "GET", uri, Some(&app.key), None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        }
        let (status, _) = send(&app, "POST", &format!("/api/v1/leads/{lead}/checklist-items"), Some(&other_key),
            Some(json!({ "label": "X" }).to_string())).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(app.count("checklist_items").await, 4, "the two templates' items only");
    }
}

on_both_backends! {
    async fn action_logs_are_listed_newest_first_with_the_documented_keys(app) {
        let lead = app.create_lead(json!({ "firstName": "Ada", "email": "ada@example.com" })).await;
        app.data("mutation($input: RecordMessageInput!) { recordMessage(input: $input) { success } }",
            json!({ "input": { "leadId": lead, "direction": "INBOUND", "channel": "EMAIL", "subject": "Hi", "body": "Hello" } })).await;
        app.data("mutation($input: RecordToolCallInput!) { recordToolCall(input: $input) { success } }",
            json!({ "input": { "leadId": lead, "tool": "lookup", "input": { "q": 1 }, "output": { "a": 2 } } })).await;
        app.data("mutation($input: RecordActionInput!) { recordAction(input: $input) { success } }",
            json!({ "input": { "leadId": lead, "type": "PORTAL_SUBMISSION", "summary": "Failed", "status": "FAILED", "error": "timeout" } })).await;

        let (status, logs) = send(&app, "GET", &format!("/api/v1/leads/{lead}/action-logs"), Some(&app.key), None).await;
        assert_eq!(status, StatusCode::OK, "{logs:#}");
        let logs = logs.as_array().unwrap();
        let kinds: Vec<&str> = logs.iter().map(|l| l["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["PORTAL_SUBMISSION", "TOOL_CALL", "MESSAGE", "API_ACTIVITY"]);
        for log in logs {
            assert_eq!(keys(log), ["id", "type", "status", "summary", "input", "output", "error", "parentActionId",
                "scheduledAt", "createdAt", "completedAt", "tool", "messages"]);
        }
        assert_eq!(logs[0]["error"], "timeout");
        assert_eq!(logs[0]["status"], "FAILED");
        assert_eq!(logs[1]["input"], json!({ "q": 1 }));
        assert_eq!(logs[1]["output"], json!({ "a": 2 }));
        assert_eq!(logs[1]["tool"]["name"], "lookup");
        assert_eq!(logs[2]["messages"], json!([{ "channel": "EMAIL", "direction": "INBOUND", "subject": "Hi", "body": "Hello", "documents": [] }]));
        assert_eq!(logs[3]["summary"], "Lead created");
        assert_eq!(logs[3]["tool"], Value::Null);
        assert_eq!(logs[3]["messages"], json!([]));
    }
}

on_both_backends! {
    async fn get_lead_answers_the_status_at_the_top_level(app) {
        let lead = app.create_lead(json!({ "firstName": "Ada" })).await;
        let (_, read) = send(&app, "GET", &format!("/api/v1/leads/{lead}"), Some(&app.key), None).await;
        assert_eq!(keys(&read)[..4], ["success", "lead", "status", "documents"]);
        assert_eq!(read["status"], "IN_PROGRESS");
        assert_eq!(read["documents"], json!([]));
        assert_eq!(read["documents"], read["lead"]["documents"]);
        assert_eq!(read["status"], read["lead"]["status"]);
        send(&app, "PUT", "/api/v1/leads", Some(&app.key), Some(json!({ "leadId": lead, "status": "not_interested" }).to_string())).await;
        let (_, read) = send(&app, "GET", &format!("/api/v1/leads/{lead}"), Some(&app.key), None).await;
        assert_eq!(read["status"], "NOT_INTERESTED");
        // Writes answer the documented create/update shape, without it.
        let (_, written) = send(&app, "PUT", "/api/v1/leads", Some(&app.key), Some(json!({ "leadId": lead, "lastName": "L" }).to_string())).await;
        assert_eq!(written.get("status"), None);
    }
}
