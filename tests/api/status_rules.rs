//! The documented status rules beyond those of update_lead.rs: NOT_INTERESTED stops
//! follow-ups, and an update that changes nothing writes nothing.

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::harness::{TestApp, error_code};
use crate::rest::send;

const SCHEDULE: &str = "mutation($input: ScheduleFollowUpInput!) { scheduleFollowUp(input: $input) { actionLog { id status } } }";
const DRAFT: &str = "mutation($input: DraftMessageInput!) { draftMessage(input: $input) { actionLog { id status } } }";
const UPDATE: &str = "mutation($input: UpdateLeadInput!) { updateLead(input: $input) {
    lead { status updatedAt } actionLogs(limit: 1) { summary changes }
} }";
const TIMELINE: &str = "query($id: ID!) { lead(id: $id) { status updatedAt nextFollowUp { id } nextDraft { id } actionLogs { id type status summary } } }";

fn tomorrow() -> String {
    (Utc::now() + Duration::days(1)).to_rfc3339_opts(SecondsFormat::Millis, true)
}

async fn schedule(app: &TestApp, lead: &str) -> Value {
    app.graphql(
        SCHEDULE,
        json!({ "input": {
        "leadId": lead, "scheduledAt": tomorrow(), "channel": "EMAIL", "body": "Checking in",
    } }),
    )
    .await
}

async fn timeline(app: &TestApp, lead: &str) -> Value {
    app.data(TIMELINE, json!({ "id": lead })).await["lead"].clone()
}

on_both_backends! {
    async fn not_interested_cancels_pending_follow_ups_and_refuses_new_ones(app) {
        let lead = app.create_lead(json!({ "firstName": "Nina", "email": "nina@example.com" })).await;
        let first = schedule(&app, &lead).await["data"]["scheduleFollowUp"]["actionLog"]["id"].clone();
        let second = schedule(&app, &lead).await["data"]["scheduleFollowUp"]["actionLog"]["id"].clone();
        let draft = app.data(DRAFT, json!({ "input": { "leadId": lead, "channel": "EMAIL", "body": "Draft" } })).await
            ["draftMessage"]["actionLog"]["id"].clone();
        assert_eq!(timeline(&app, &lead).await["nextFollowUp"]["id"], first);

        // Through REST, in lower case: the follow-ups are cancelled, the draft stays.
        let (status, body) = send(&app, "PUT", "/api/v1/leads", Some(&app.key),
            Some(json!({ "leadId": lead, "status": "not_interested" }).to_string())).await;
        assert_eq!(status, 200, "{body:#}");
        assert_eq!(body["nextFollowUp"], Value::Null);
        let read = timeline(&app, &lead).await;
        assert_eq!(read["status"], "NOT_INTERESTED");
        assert_eq!(read["nextFollowUp"], Value::Null);
        assert_eq!(read["nextDraft"]["id"], draft);
        let logs = read["actionLogs"].as_array().unwrap();
        for id in [&first, &second] {
            let log = logs.iter().find(|l| &l["id"] == id).unwrap();
            assert_eq!(log["status"], "CANCELLED");
        }
        // The update's log names what it cancelled.
        let changes = app.data("query($id: ID!) { lead(id: $id) { actionLogs(limit: 1) { summary changes } } }",
            json!({ "id": lead })).await["lead"]["actionLogs"][0].clone();
        assert_eq!(changes["summary"], "Lead updated");
        let mut cancelled: Vec<Value> = changes["changes"]["cancelledActions"].as_array().unwrap().clone();
        cancelled.sort_by_key(|v| v.as_str().unwrap().to_owned());
        let mut expected = vec![first.clone(), second.clone()];
        expected.sort_by_key(|v| v.as_str().unwrap().to_owned());
        assert_eq!(cancelled, expected);

        // No new follow-up while NOT_INTERESTED; nothing is written.
        let before = app.count("action_logs").await;
        let response = schedule(&app, &lead).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response:#}");
        assert_eq!(response["errors"][0]["extensions"]["field"], "leadId");
        assert!(response["errors"][0]["message"].as_str().unwrap().contains("NOT_INTERESTED"));
        assert_eq!(app.count("action_logs").await, before);

        // Back IN_PROGRESS, follow-ups are welcome again (the cancelled ones stay cancelled).
        app.data(UPDATE, json!({ "input": { "id": lead, "status": "IN_PROGRESS" } })).await;
        let third = schedule(&app, &lead).await["data"]["scheduleFollowUp"]["actionLog"].clone();
        assert_eq!(third["status"], "PENDING");
        assert_eq!(timeline(&app, &lead).await["nextFollowUp"]["id"], third["id"]);
    }
}

on_both_backends! {
    async fn an_update_that_changes_nothing_writes_no_log(app) {
        let lead = app.create_lead(json!({
            "firstName": "Ada", "lastName": "Byron", "email": "ada@example.com", "tags": ["VIP"],
            "checklistItems": [{ "code": "business_name", "value": "Acme", "status": "COMPLETED" }],
        })).await;
        let before = timeline(&app, &lead).await;
        let logs = app.count("action_logs").await;

        // The same values again, on both faces: no log, updatedAt unchanged.
        let same = json!({
            "firstName": "Ada", "lastName": " Byron ", "email": "ada@EXAMPLE.com", "tags": ["vip"],
            "checklistItems": [{ "code": "business_name", "value": "Acme", "status": "COMPLETED" }],
        });
        let mut graphql = same.clone();
        graphql["id"] = json!(lead);
        let payload = app.data(UPDATE, json!({ "input": graphql })).await["updateLead"].clone();
        assert_eq!(payload["lead"]["updatedAt"], before["updatedAt"]);
        assert_eq!(payload["actionLogs"][0]["summary"], "Lead created");
        let mut rest = same.clone();
        rest["leadId"] = json!(lead);
        let (status, body) = send(&app, "PUT", "/api/v1/leads", Some(&app.key), Some(rest.to_string())).await;
        assert_eq!(status, 200, "{body:#}");
        let (status, body) = send(&app, "PUT", "/api/v1/leads", Some(&app.key),
            Some(json!({ "leadId": lead, "status": "IN_PROGRESS" }).to_string())).await;
        assert_eq!(status, 200, "{body:#}");
        assert_eq!(app.count("action_logs").await, logs);
        assert_eq!(timeline(&app, &lead).await, before);

        // One real change among the same values: one log, recording only that change.
        let mut changed = graphql.clone();
        changed["lastName"] = json!("Lovelace");
        let payload = app.data(UPDATE, json!({ "input": changed })).await["updateLead"].clone();
        assert_eq!(payload["actionLogs"][0]["summary"], "Lead updated");
        assert_eq!(payload["actionLogs"][0]["changes"], json!({ "lead": { "lastName": { "from": "Byron", "to": "Lovelace" } } }));
        assert_eq!(app.count("action_logs").await, logs + 1);
    }
}
