//! The transactional outbox: every committed write makes exactly its events, with the
//! documented bodies; a refused write makes none.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use leadgate::entities::outbox_event;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};

use crate::documents::{PDF, Part, multipart};
use crate::harness::{TestApp, documented_input};

/// Every event in the outbox, oldest first: (type, body).
pub async fn events(app: &TestApp) -> Vec<(String, Value)> {
    outbox_event::Entity::find()
        .order_by_asc(outbox_event::Column::Seq)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.r#type, e.body))
        .collect()
}

/// The events made since `before` of them existed.
async fn new_events(app: &TestApp, before: usize) -> Vec<(String, Value)> {
    events(app).await.split_off(before)
}

fn types(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(t, _)| t.as_str()).collect()
}

const UPDATE: &str =
    "mutation($input: UpdateLeadInput!) { updateLead(input: $input) { success lead { status } } }";

on_both_backends! {
    async fn a_created_lead_makes_lead_created_with_the_documented_data(app) {
        let id = app.create_lead(documented_input()).await;
        let made = events(&app).await;
        assert_eq!(made[0].0, "lead.created");
        assert_eq!(made[0].1, json!({
            "event": "lead.created",
            "data": {
                "leadId": id, "externalId": null, "firstName": "John", "middleName": null,
                "lastName": "Doe", "phoneNumber": "+16782319992", "email": "john@example.com",
                "businessName": "Pacific Coast Container Haulers", "website": null, "source": "api"
            }
        }), "{:#}", made[0].1);
        let status = app.data("query($id: ID!) { lead(id: $id) { status } }", json!({ "id": id })).await["lead"]["status"].clone();
        if status == "COMPLETED" {
            assert_eq!(types(&made), ["lead.created", "lead.completed"]);
        } else {
            assert_eq!(types(&made), ["lead.created"]);
        }
        // Every event has its own id, the workspace and a time.
        let rows = outbox_event::Entity::find().all(&app.db).await.unwrap();
        assert!(rows.iter().all(|r| r.workspace_id == app.workspace_id && r.lead_id.map(|l| l.to_string()) == Some(id.clone())));
    }
}

on_both_backends! {
    async fn a_refused_write_makes_no_event(app) {
        let mut bad = documented_input();
        bad["email"] = json!("not an email");
        let response = app.graphql(crate::harness::CREATE_LEAD_ID, json!({ "input": bad })).await;
        assert!(response.get("errors").is_some());
        assert_eq!(events(&app).await, vec![]);
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        let before = events(&app).await.len();
        // A refused update, a refused tool call, an approval of what is no draft.
        let response = app.graphql(UPDATE, json!({ "input": { "id": id, "email": "nope" } })).await;
        assert!(response.get("errors").is_some());
        let response = app.graphql(UPDATE, json!({ "input": { "id": id, "status": "REVIEW" } })).await;
        assert!(response.get("errors").is_some());
        let response = app.graphql(
            "mutation($id: ID!) { recordToolCall(input: { leadId: $id, tool: \"t\", status: PENDING }) { success } }",
            json!({ "id": id }),
        ).await;
        assert!(response.get("errors").is_some(), "a PENDING tool call is refused: {response:#}");
        // An update that changes nothing writes nothing, not even an event.
        app.data(UPDATE, json!({ "input": { "id": id, "firstName": "Ada" } })).await;
        assert_eq!(new_events(&app, before).await, vec![]);
    }
}

on_both_backends! {
    async fn an_update_makes_lead_updated_with_only_the_changes_and_lead_completed_once(app) {
        let id = app.create_lead(json!({ "firstName": "Ada", "email": "ada@example.com" })).await;
        let before = events(&app).await.len();
        app.data(UPDATE, json!({ "input": { "id": id, "lastName": "Lovelace", "email": "ada@example.org" } })).await;
        let made = new_events(&app, before).await;
        assert_eq!(made, vec![("lead.updated".to_owned(), json!({
            "event": "lead.updated",
            "data": { "leadId": id, "lastName": "Lovelace", "email": "ada@example.org" }
        }))]);
        let before = before + 1;
        app.data(UPDATE, json!({ "input": { "id": id, "status": "COMPLETED" } })).await;
        let made = new_events(&app, before).await;
        assert_eq!(types(&made), ["lead.updated", "lead.completed"], "{made:#?}");
        assert_eq!(made[0].1["data"]["status"], "COMPLETED");
        assert_eq!(made[1].1["data"]["leadId"], json!(id));
        assert_eq!(made[1].1["data"]["status"], "COMPLETED");
        assert!(made[1].1["data"]["completedAt"].is_string());
        // Already COMPLETED: a later change is an update only.
        let before = before + 2;
        app.data(UPDATE, json!({ "input": { "id": id, "website": "https://ada.example" } })).await;
        assert_eq!(types(&new_events(&app, before).await), ["lead.updated"]);
    }
}

on_both_backends! {
    async fn timeline_writes_make_action_log_events(app) {
        let id = app.create_lead(json!({ "firstName": "Ada", "email": "ada@example.com" })).await;
        let before = events(&app).await.len();
        let called = app.data(
            "mutation($id: ID!) { recordToolCall(input: { leadId: $id, tool: \"crm\", status: FAILED, error: \"timeout\" }) { actionLog { id } } }",
            json!({ "id": id }),
        ).await["recordToolCall"]["actionLog"]["id"].clone();
        let drafted = app.data(
            "mutation($id: ID!) { draftMessage(input: { leadId: $id, channel: EMAIL, body: \"hi\" }) { actionLog { id } } }",
            json!({ "id": id }),
        ).await["draftMessage"]["actionLog"]["id"].clone();
        app.data("mutation($id: ID!) { approveDraft(id: $id) { success } }", json!({ "id": drafted })).await;
        app.data(
            "mutation($id: ID!) { recordMessage(input: { leadId: $id, direction: INBOUND, channel: EMAIL, body: \"thanks\" }) { success } }",
            json!({ "id": id }),
        ).await;
        let made = new_events(&app, before).await;
        assert_eq!(types(&made), ["action_log.failed", "action_log.completed", "action_log.completed"], "{made:#?}");
        let failed = &made[0].1["data"];
        assert_eq!(failed["actionLogId"], called);
        assert_eq!(failed["leadId"], json!(id));
        assert_eq!(failed["type"], "TOOL_CALL");
        assert_eq!(failed["status"], "FAILED");
        assert_eq!(failed["error"], "timeout");
        assert_eq!(made[1].1["data"]["actionLogId"], drafted, "the approval, not the draft");
        assert_eq!(made[2].1["data"]["type"], "MESSAGE");
    }
}

on_both_backends! {
    async fn an_upload_makes_document_received_and_erasure_removes_the_lead_s_events(app) {
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        let before = events(&app).await.len();
        let (content_type, body) = multipart(&[Part::Text("leadId", &id), Part::File("files", "march.pdf", PDF)]);
        let request = Request::post("/api/v1/documents")
            .header("x-api-key", &app.key)
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap();
        let (status, _, body) = app.send(request).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        let answer: Value = serde_json::from_slice(&body).unwrap();
        let made = new_events(&app, before).await;
        assert_eq!(types(&made), ["document.received"]);
        let data = &made[0].1["data"];
        assert_eq!(data["leadId"], json!(id));
        assert_eq!(data["actionLogId"], answer["actionLogId"]);
        assert_eq!(data["documents"][0]["documentId"], answer["documents"][0]["id"]);
        assert_eq!(data["documents"][0]["filename"], "march.pdf");
        // The events hold the lead's data: erasing the lead removes them.
        app.data("mutation($id: ID!) { eraseLead(id: $id) { success } }", json!({ "id": id })).await;
        assert_eq!(events(&app).await, vec![]);
    }
}
