//! `POST /api/v1/leads`: the documented request gives the documented response shape.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use serde_json::{Value, json};

use crate::harness::TestApp;

const DOCUMENTED_REQUEST: &str = include_str!("fixtures/create-lead-request.json");
const DOCUMENTED_RESPONSE: &str = include_str!("fixtures/create-lead-response.json");

async fn post(app: &TestApp, key: Option<&str>, body: &str) -> (StatusCode, Value) {
    let mut request = Request::post("/api/v1/leads").header("content-type", "application/json");
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    let (status, _, body) = app
        .send(request.body(Body::from(body.to_owned())).unwrap())
        .await;
    (status, serde_json::from_slice(&body).expect("JSON body"))
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

on_both_backends! {
    async fn the_documented_request_gives_the_documented_response(app) {
        let documented: Value = serde_json::from_str(DOCUMENTED_RESPONSE).unwrap();
        let (status, body) = post(&app, Some(&app.key), DOCUMENTED_REQUEST).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");

        // Key for key, in the documented order, at every level the example shows.
        assert_eq!(keys(&body), keys(&documented));
        assert_eq!(keys(&body["lead"]), keys(&documented["lead"]));
        let (group, documented_group) = (&body["checklistItems"][0], &documented["checklistItems"][0]);
        assert_eq!(keys(group), keys(documented_group));
        for i in 0..2 {
            let (item, documented_item) = (&group["items"][i], &documented_group["items"][i]);
            assert_eq!(keys(item), keys(documented_item));
            assert_eq!(keys(&item["checklistItem"]), keys(&documented_item["checklistItem"]));
            for key in ["value", "status", "itemOverride"] {
                assert_eq!(item[key], documented_item[key], "{key}");
            }
            for key in ["code", "label", "fieldType", "isRequired", "conditions"] {
                assert_eq!(item["checklistItem"][key], documented_item["checklistItem"][key], "{key}");
            }
            assert_eq!(item["checklistItemId"], item["checklistItem"]["id"]);
        }

        // The documented values, where they are not ids or times.
        for key in ["activitySummary", "assigneeType", "businessName", "deletedAt", "didOptOut", "email",
                    "externalLeadId", "externalPortalLink", "firstName", "lastName", "phoneNumber",
                    "phoneVerifiedAt", "source", "website"] {
            assert_eq!(body["lead"][key], documented["lead"][key], "lead.{key}");
        }
        assert_eq!(group["name"], "Business Information");
        assert_eq!(group["conditions"], Value::Null);
        let created_at = body["lead"]["createdAt"].as_str().unwrap();
        assert_eq!(created_at.len(), "2026-01-30T02:00:00.000Z".len());
        assert!(created_at.ends_with('Z'));
        assert_eq!(body["success"], true);
        assert_eq!(body["matchingLeads"], json!([]));
        for key in ["lastAction", "nextFollowUp", "nextDraft"] {
            assert_eq!(body[key], Value::Null);
        }
        // The one "Lead created" entry DESIGN.md requires.
        let logs = body["actionLogs"].as_array().unwrap();
        assert_eq!(logs.len(), 1);
        assert_eq!(logs[0]["summary"], "Lead created");
        assert_eq!(logs[0]["type"], "API_ACTIVITY");

        // A second identical request matches the first.
        let (_, again) = post(&app, Some(&app.key), DOCUMENTED_REQUEST).await;
        assert_eq!(again["matchingLeads"][0]["id"], body["lead"]["id"]);
        assert_eq!(keys(&again["matchingLeads"][0]), keys(&documented["lead"]));
    }
}

on_both_backends! {
    async fn rest_errors_are_400_401_with_the_field_named(app) {
        let (status, body) = post(&app, None, DOCUMENTED_REQUEST).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "UNAUTHENTICATED");
        let (status, _) = post(&app, Some("lg_live_nope"), DOCUMENTED_REQUEST).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let cases = [
            (json!({ "lastName": "Doe" }), "firstName"),
            (json!({ "firstName": "" }), "firstName"),
            (json!({ "firstName": "A", "assigneeType": "robot" }), "assigneeType"),
            (json!({ "firstName": "A", "email": "nope" }), "email"),
            (json!({ "firstName": "A", "phoneNumber": 6782319992u64 }), "phoneNumber"),
            (json!({ "firstName": "A", "checklistItems": [{ "code": "tax_id", "status": "DONE" }] }), "checklistItems[0].status"),
            (json!({ "firstName": "A", "checklistItems": [{ "code": "tax_id", "value": "1" }] }), "checklistItems[0].value"),
            (json!({ "firstName": "A", "favouriteColour": "blue" }), "favouriteColour"),
        ];
        for (input, field) in cases {
            let (status, body) = post(&app, Some(&app.key), &input.to_string()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{input}: {body:#}");
            assert_eq!(body["success"], false);
            assert_eq!(body["error"]["code"], "BAD_USER_INPUT");
            let named = body["error"]["field"].as_str().unwrap();
            assert!(named.contains(field), "{input}: named {named}, {body:#}");
        }
        let (status, body) = post(&app, Some(&app.key), "{not json").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
        assert_eq!(app.count("leads").await, 0);
    }
}

pub(crate) async fn send(
    app: &TestApp,
    method: &str,
    uri: &str,
    key: Option<&str>,
    body: Option<String>,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    let body = body.map_or_else(Body::empty, Body::from);
    let (status, _, bytes) = app.send(request.body(body).unwrap()).await;
    (status, serde_json::from_slice(&bytes).expect("JSON body"))
}

on_both_backends! {
    async fn get_returns_the_read_shape_and_404s(app) {
        let documented: Value = serde_json::from_str(DOCUMENTED_RESPONSE).unwrap();
        let (_, created) = post(&app, Some(&app.key), DOCUMENTED_REQUEST).await;
        let id = created["lead"]["id"].as_str().unwrap();
        let (status, body) = send(&app, "GET", &format!("/api/v1/leads/{id}"), Some(&app.key), None).await;
        assert_eq!(status, StatusCode::OK);
        // The documented keys, with the read's top-level status and documents after the lead.
        let mut top = keys(&documented);
        top.insert(2, "status");
        top.insert(3, "documents");
        assert_eq!(keys(&body), top);
        assert_eq!(body["documents"], serde_json::json!([]));
        // The documented lead keys, then what a read adds.
        let mut expected = keys(&documented["lead"]);
        expected.extend(["isTest", "submittedAt", "workspaceId", "status", "documents"]);
        assert_eq!(body["lead"]["documents"], serde_json::json!([]));
        assert_eq!(keys(&body["lead"]), expected);
        assert_eq!(body["lead"]["status"], "COMPLETED");
        assert_eq!(body["lead"]["isTest"], false);
        assert_eq!(body["lead"]["workspaceId"], app.workspace_id.to_string());
        assert_eq!(body["lead"]["submittedAt"], body["lead"]["createdAt"]);
        assert_eq!(body["checklistItems"], created["checklistItems"]);

        let (other_ws, other_key) = app.other_workspace("Globex").await;
        let _ = other_ws;
        let (status, body) = send(&app, "GET", &format!("/api/v1/leads/{id}"), Some(&other_key), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body:#}");
        assert_eq!(body["error"]["code"], "NOT_FOUND");
        let (status, _) = send(&app, "GET", "/api/v1/leads/not-a-uuid", Some(&app.key), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = send(&app, "GET", &format!("/api/v1/leads/{id}"), None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

on_both_backends! {
    async fn put_updates_with_the_documented_rules(app) {
        let documented: Value = serde_json::from_str(DOCUMENTED_RESPONSE).unwrap();
        let (_, created) = post(&app, Some(&app.key), DOCUMENTED_REQUEST).await;
        let id = created["lead"]["id"].as_str().unwrap();
        let body = json!({ "leadId": id, "lastName": null, "assigneeType": "agent", "status": "IN_PROGRESS",
            "tags": ["Priority"], "checklistItems": [{ "code": "tax_id", "value": null }] });
        let (status, updated) = send(&app, "PUT", "/api/v1/leads", Some(&app.key), Some(body.to_string())).await;
        assert_eq!(status, StatusCode::OK, "{updated:#}");
        assert_eq!(keys(&updated), keys(&documented));
        assert_eq!(keys(&updated["lead"]), keys(&documented["lead"]));
        assert_eq!(updated["lead"]["lastName"], Value::Null);
        assert_eq!(updated["lead"]["assigneeType"], "AI_AGENT");
        assert_eq!(updated["checklistItems"][0]["items"][1]["value"], Value::Null);
        assert_eq!(updated["checklistItems"][0]["items"][1]["status"], "TODO");
        assert_eq!(updated["actionLogs"][0]["summary"], "Lead updated");

        for (body, status, field) in [
            (json!({ "leadId": id, "status": "REVIEW" }), StatusCode::BAD_REQUEST, "status"),
            (json!({ "leadId": id, "status": "DONE" }), StatusCode::BAD_REQUEST, "status"),
            (json!({ "leadId": id, "status": "COMPLETED", "didOptOut": true }), StatusCode::BAD_REQUEST, "didOptOut"),
            (json!({ "leadId": "nope" }), StatusCode::BAD_REQUEST, "leadId"),
            (json!({ "firstName": "No id" }), StatusCode::BAD_REQUEST, "leadId"),
            (json!({ "leadId": "00000000-0000-0000-0000-000000000000" }), StatusCode::NOT_FOUND, ""),
        ] {
            let (got, response) = send(&app, "PUT", "/api/v1/leads", Some(&app.key), Some(body.to_string())).await;
            assert_eq!(got, status, "{body}: {response:#}");
            if !field.is_empty() {
                assert!(response["error"]["field"].as_str().unwrap().contains(field), "{body}: {response:#}");
            }
        }
        let (status, _) = send(&app, "PUT", "/api/v1/leads", None, Some(json!({ "leadId": id }).to_string())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

on_both_backends! {
    async fn file_items_carry_documents_and_the_last_action_its_tool_calls(app) {
        let (_, created) = post(&app, Some(&app.key), DOCUMENTED_REQUEST).await;
        let id = created["lead"]["id"].as_str().unwrap().to_owned();
        app.data(
            "mutation($id: ID!) { addLeadChecklistItem(leadId: $id, input: { label: \"Bank statement\", fieldType: BANK_STATEMENT, validationRules: [\"Last 3 months\"] }) { success } }",
            json!({ "id": id }),
        ).await;
        let sent = app.data(
            "mutation($id: ID!) { recordMessage(input: { leadId: $id, direction: OUTBOUND, channel: EMAIL, subject: \"Docs\", body: \"Please send\" }) { actionLog { id } } }",
            json!({ "id": id }),
        ).await["recordMessage"]["actionLog"]["id"].clone();
        app.data(
            "mutation($id: ID!, $parent: ID!) { recordToolCall(input: { leadId: $id, tool: \"send_email\", input: { to: \"john\" }, output: { ok: true }, parentActionId: $parent }) { success } }",
            json!({ "id": id, "parent": sent }),
        ).await;

        let (status, body) = send(&app, "GET", &format!("/api/v1/leads/{id}"), Some(&app.key), None).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        let text_item = &body["checklistItems"][0]["items"][0];
        assert!(text_item.get("documents").is_none());
        assert!(text_item["checklistItem"].get("validationRules").is_none());
        let file_item = &body["checklistItems"][1]["items"][0];
        assert_eq!(file_item["documents"], json!([]));
        assert_eq!(file_item["checklistItem"]["validationRules"], json!(["Last 3 months"]));

        let last = &body["lastAction"];
        assert_eq!(last["id"], sent);
        assert_eq!(last["messages"][0]["subject"], "Docs");
        let calls = last["toolCalls"].as_array().unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0]["tool"]["name"], "send_email");
        assert_eq!(calls[0]["toolInput"], json!({ "to": "john" }));
        assert_eq!(calls[0]["parentActionId"], sent);
    }
}
