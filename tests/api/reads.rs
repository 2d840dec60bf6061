//! Reading leads back: `lead(id)`, the timeline (`actionLogs`, `lastAction`,
//! `nextFollowUp`, `nextDraft`) and what hangs off it.

use chrono::{Duration, Utc};
use leadgate::entities::{
    action_log, document,
    enums::{ActionLogStatus, ActionLogType, MessageChannel, MessageDirection},
    message, tool,
};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::TestApp;

/// Writes a timeline entry directly (the writes that create these come with the
/// timeline mutations); returns its id.
async fn log(
    app: &TestApp,
    lead: &str,
    kind: ActionLogType,
    status: ActionLogStatus,
    minutes: i64,
    direction: Option<MessageDirection>,
) -> Uuid {
    let id = Uuid::now_v7();
    let at = Utc::now() + Duration::minutes(minutes);
    action_log::Entity::insert(action_log::ActiveModel {
        id: Set(id),
        workspace_id: Set(app.workspace_id),
        lead_id: Set(lead.parse().unwrap()),
        r#type: Set(kind),
        status: Set(status),
        summary: Set(format!("{kind:?} {status:?} {minutes}")),
        changes: Set(None),
        input: Set(None),
        output: Set(None),
        error: Set(None),
        parent_action_id: Set(None),
        tool_id: Set(None),
        created_at: Set(at),
        scheduled_at: Set((status == ActionLogStatus::Pending).then_some(at + Duration::days(1))),
        completed_at: Set((status == ActionLogStatus::Completed).then_some(at)),
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
    if let Some(direction) = direction {
        message::Entity::insert(message::ActiveModel {
            id: Set(Uuid::now_v7()),
            action_log_id: Set(id),
            channel: Set(MessageChannel::Email),
            direction: Set(direction),
            subject: Set(Some("Hello".into())),
            body: Set("Body".into()),
            created_at: Set(at),
        })
        .exec_without_returning(&app.db)
        .await
        .unwrap();
    }
    id
}

const TIMELINE: &str = "query($id: ID!, $limit: Int) { lead(id: $id) {
    actionLogs(limit: $limit) { id summary }
    lastAction { id summary messages { direction } }
    nextFollowUp { id summary scheduledAt }
    nextDraft { id summary }
} }";

on_both_backends! {
    async fn last_and_next_actions_follow_the_documented_rules(app) {
        use ActionLogStatus::*;
        use ActionLogType::*;
        let lead = app.create_lead(json!({ "firstName": "T" })).await;
        let _inbound = log(&app, &lead, Message, Completed, 1, Some(MessageDirection::Inbound)).await;
        let sent = log(&app, &lead, Message, Completed, 2, Some(MessageDirection::Outbound)).await;
        let _older_sent = log(&app, &lead, FollowUpMessage, Completed, -5, Some(MessageDirection::Outbound)).await;
        let _tool = log(&app, &lead, ToolCall, Completed, 3, None).await;
        let _cancelled = log(&app, &lead, FollowUpMessage, Cancelled, 4, Some(MessageDirection::Outbound)).await;
        let _later_follow_up = log(&app, &lead, FollowUpMessage, Pending, 6, None).await;
        let follow_up = log(&app, &lead, FollowUpMessage, Pending, 5, None).await;
        let draft = log(&app, &lead, Message, AwaitingApproval, 7, None).await;
        let _later_draft = log(&app, &lead, Message, AwaitingApproval, 8, None).await;

        let data = app.data(TIMELINE, json!({ "id": lead })).await;
        let lead_data = &data["lead"];
        assert_eq!(lead_data["lastAction"]["id"], sent.to_string());
        assert_eq!(lead_data["lastAction"]["messages"], json!([{ "direction": "OUTBOUND" }]));
        assert_eq!(lead_data["nextFollowUp"]["id"], follow_up.to_string());
        assert_eq!(lead_data["nextDraft"]["id"], draft.to_string());
        let logs = lead_data["actionLogs"].as_array().unwrap();
        assert_eq!(logs.len(), 10);
        assert_eq!(logs[0]["summary"], "Message AwaitingApproval 8");
        assert_eq!(logs[9]["summary"], "FollowUpMessage Completed -5");
    }
}

on_both_backends! {
    async fn action_logs_are_newest_first_and_capped_at_100(app) {
        let lead = app.create_lead(json!({ "firstName": "Busy" })).await;
        for minute in 1..=120 {
            log(&app, &lead, ActionLogType::ToolCall, ActionLogStatus::Completed, minute, None).await;
        }
        let data = app.data(TIMELINE, json!({ "id": lead, "limit": 3 })).await;
        let summaries: Vec<&str> = data["lead"]["actionLogs"].as_array().unwrap().iter().map(|l| l["summary"].as_str().unwrap()).collect();
        assert_eq!(summaries, ["ToolCall Completed 120", "ToolCall Completed 119", "ToolCall Completed 118"]);
        let data = app.data(TIMELINE, json!({ "id": lead })).await;
        assert_eq!(data["lead"]["actionLogs"].as_array().unwrap().len(), 100);
        let data = app.data(TIMELINE, json!({ "id": lead, "limit": 1000 })).await;
        assert_eq!(data["lead"]["actionLogs"].as_array().unwrap().len(), 100);
        let data = app.data(TIMELINE, json!({ "id": lead, "limit": 0 })).await;
        assert_eq!(data["lead"]["actionLogs"], json!([]));
        let response = app.graphql(TIMELINE, json!({ "id": lead, "limit": -1 })).await;
        assert_eq!(crate::harness::error_code(&response), "BAD_USER_INPUT");
    }
}

on_both_backends! {
    async fn tools_messages_and_documents_resolve_with_signed_urls(app) {
        let lead = app.create_lead(json!({ "firstName": "Doc" })).await;
        let tool_id = Uuid::now_v7();
        tool::Entity::insert(tool::ActiveModel {
            id: Set(tool_id),
            workspace_id: Set(app.workspace_id),
            name: Set("lookup_ein".into()),
            description: Set(Some("Looks up an EIN".into())),
        })
        .exec_without_returning(&app.db)
        .await
        .unwrap();
        let call = log(&app, &lead, ActionLogType::ToolCall, ActionLogStatus::Completed, 1, None).await;
        action_log::Entity::update(action_log::ActiveModel { id: Set(call), tool_id: Set(Some(tool_id)), ..Default::default() })
            .exec(&app.db)
            .await
            .unwrap();
        document::Entity::insert(document::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(app.workspace_id),
            lead_id: Set(lead.parse().unwrap()),
            lead_checklist_item_id: Set(None),
            action_log_id: Set(Some(call)),
            message_id: Set(None),
            file_name: Set("ein.pdf".into()),
            content_type: Set("application/pdf".into()),
            size_bytes: Set(1234),
            storage_key: Set("acme/ein.pdf".into()),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .exec_without_returning(&app.db)
        .await
        .unwrap();
        let data = app.data(
            "query($id: ID!) { lead(id: $id) { actionLogs(limit: 1) { tool { name description } documents { fileName contentType size url urlExpiresAt } } } }",
            json!({ "id": lead }),
        ).await;
        let entry = &data["lead"]["actionLogs"][0];
        assert_eq!(entry["tool"], json!({ "name": "lookup_ein", "description": "Looks up an EIN" }));
        let doc = &entry["documents"][0];
        assert_eq!(doc["fileName"], "ein.pdf");
        assert_eq!(doc["size"], 1234);
        let url = doc["url"].as_str().unwrap();
        assert!(url.starts_with("/documents/acme/ein.pdf?expires=") && url.contains("&signature="), "{url}");
        assert_ne!(doc["urlExpiresAt"], Value::Null);
    }
}

on_both_backends! {
    async fn unknown_ids_read_as_null(app) {
        let data = app.data("{ lead(id: \"00000000-0000-0000-0000-000000000000\") { id } }", json!({})).await;
        assert_eq!(data["lead"], Value::Null);
    }
}
