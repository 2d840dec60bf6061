//! Every action log carries `input`, `output` and `error`; the kinds SYSTEM_NOTE,
//! PORTAL_UPDATE and PORTAL_SUBMISSION are recorded with `recordAction`, and tool calls
//! keep `toolInput`/`toolOutput`.

use serde_json::{Value, json};

use crate::harness::{TestApp, error_code};

const RECORD: &str = "mutation($input: RecordActionInput!) { recordAction(input: $input) {
    success actionLog { id type status summary input output error toolInput toolOutput parentActionId completedAt }
} }";

const TOOL: &str = "mutation($input: RecordToolCallInput!) { recordToolCall(input: $input) {
    actionLog { id type status input output error toolInput toolOutput }
} }";

const TIMELINE: &str =
    "query($id: ID!) { lead(id: $id) { actionLogs { type summary input output error } } }";

async fn record(app: &TestApp, input: Value) -> Value {
    app.graphql(RECORD, json!({ "input": input })).await
}

/// Every `{field}` the first error names.
fn fields(response: &Value) -> Vec<String> {
    response["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields in {response:#}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}

on_both_backends! {
    async fn notes_and_portal_entries_carry_input_output_and_error(app) {
        let lead = app.create_lead(json!({ "firstName": "Nora" })).await;
        let mut ids = Vec::new();
        for (kind, summary) in [
            ("SYSTEM_NOTE", "Lead asked to be called after 5pm"),
            ("PORTAL_UPDATE", "Lead changed their address in the portal"),
            ("PORTAL_SUBMISSION", "Lead submitted the portal"),
        ] {
            let response = record(&app, json!({
                "leadId": lead, "type": kind, "summary": format!("  {summary} "),
                "input": { "via": "portal" }, "output": { "fields": 3 },
            })).await;
            let log = &response["data"]["recordAction"]["actionLog"];
            assert_eq!(response["data"]["recordAction"]["success"], true, "{response:#}");
            assert_eq!(log["type"], kind);
            assert_eq!(log["status"], "COMPLETED");
            assert_eq!(log["summary"], summary);
            assert_eq!(log["input"], json!({ "via": "portal" }));
            assert_eq!(log["output"], json!({ "fields": 3 }));
            assert_eq!(log["error"], Value::Null);
            // toolInput/toolOutput belong to tool calls only.
            assert_eq!(log["toolInput"], Value::Null);
            assert_eq!(log["toolOutput"], Value::Null);
            assert!(log["completedAt"].is_string());
            ids.push(log["id"].as_str().unwrap().to_owned());
        }

        // A FAILED entry carries its error, and may belong to another action of the lead.
        let response = record(&app, json!({
            "leadId": lead, "type": "PORTAL_SUBMISSION", "summary": "Portal submission failed",
            "status": "FAILED", "error": "  signature missing ", "parentActionId": ids[1],
        })).await;
        let log = &response["data"]["recordAction"]["actionLog"];
        assert_eq!(log["status"], "FAILED", "{response:#}");
        assert_eq!(log["error"], "signature missing");
        assert_eq!(log["parentActionId"], ids[1].as_str());
        assert_eq!(log["input"], Value::Null);

        // Read back, newest first; the API_ACTIVITY entry has them too (null).
        let logs = app.data(TIMELINE, json!({ "id": lead })).await["lead"]["actionLogs"].clone();
        let kinds: Vec<&str> = logs.as_array().unwrap().iter().map(|l| l["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["PORTAL_SUBMISSION", "PORTAL_SUBMISSION", "PORTAL_UPDATE", "SYSTEM_NOTE", "API_ACTIVITY"]);
        assert_eq!(logs[0]["error"], "signature missing");
        assert_eq!(logs[1]["output"], json!({ "fields": 3 }));
        assert_eq!(logs[4], json!({ "type": "API_ACTIVITY", "summary": "Lead created", "input": null, "output": null, "error": null }));
    }
}

on_both_backends! {
    async fn bad_entries_are_refused_naming_every_field(app) {
        let lead = app.create_lead(json!({ "firstName": "Nora" })).await;
        let before = app.count("action_logs").await;
        let response = record(&app, json!({
            "leadId": lead, "type": "DOCUMENT_UPLOAD", "summary": "  ", "status": "PENDING",
            "input": [1, 2], "output": "text", "error": "boom",
        })).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response:#}");
        assert_eq!(fields(&response), ["type", "status", "summary", "input", "output", "error"]);

        // An error belongs to a FAILED entry only.
        let response = record(&app, json!({
            "leadId": lead, "type": "SYSTEM_NOTE", "summary": "Note", "error": "boom",
        })).await;
        assert_eq!(fields(&response), ["error"], "{response:#}");

        // The parent must be an action of the same lead.
        let other = app.create_lead(json!({ "firstName": "Otto" })).await;
        let parent = record(&app, json!({ "leadId": other, "type": "SYSTEM_NOTE", "summary": "x" })).await
            ["data"]["recordAction"]["actionLog"]["id"].clone();
        let response = record(&app, json!({
            "leadId": lead, "type": "SYSTEM_NOTE", "summary": "Note", "parentActionId": parent,
        })).await;
        assert_eq!(fields(&response), ["parentActionId"], "{response:#}");
        // Only the other lead's "Lead created" and its note were written.
        assert_eq!(app.count("action_logs").await, before + 2);

        // Another workspace's lead is not found.
        let (_, other_key) = app.other_workspace("Other").await;
        let response = app.graphql_with(Some(&other_key), RECORD, json!({ "input": {
            "leadId": lead, "type": "SYSTEM_NOTE", "summary": "Note",
        } })).await;
        assert_eq!(error_code(&response), "NOT_FOUND", "{response:#}");
    }
}

on_both_backends! {
    async fn tool_calls_keep_tool_input_and_output_and_record_their_error(app) {
        let lead = app.create_lead(json!({ "firstName": "Tina" })).await;
        let response = app.graphql(TOOL, json!({ "input": {
            "leadId": lead, "tool": "lookup_ein", "input": { "ein": "12-3456789" },
            "output": { "valid": false }, "status": "FAILED", "error": "registry timed out",
        } })).await;
        let log = &response["data"]["recordToolCall"]["actionLog"];
        assert_eq!(log["type"], "TOOL_CALL", "{response:#}");
        assert_eq!(log["input"], json!({ "ein": "12-3456789" }));
        assert_eq!(log["toolInput"], log["input"]);
        assert_eq!(log["output"], json!({ "valid": false }));
        assert_eq!(log["toolOutput"], log["output"]);
        assert_eq!(log["error"], "registry timed out");

        let response = app.graphql(TOOL, json!({ "input": {
            "leadId": lead, "tool": "lookup_ein", "error": "no",
        } })).await;
        assert_eq!(fields(&response), ["error"], "{response:#}");
    }
}

on_both_backends! {
    async fn the_schema_lists_every_documented_action_type(app) {
        let data = app.data("{ __type(name: \"ActionLogType\") { enumValues { name } } }", json!({})).await;
        let names: Vec<&str> = data["__type"]["enumValues"].as_array().unwrap().iter()
            .map(|v| v["name"].as_str().unwrap()).collect();
        assert_eq!(names, [
            "API_ACTIVITY", "MESSAGE", "FOLLOW_UP_MESSAGE", "TOOL_CALL", "MANUAL_UPDATE",
            "SYSTEM_NOTE", "DOCUMENT_UPLOAD", "PORTAL_UPDATE", "PORTAL_SUBMISSION",
        ]);
    }
}
