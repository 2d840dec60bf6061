//! Deleting a lead (soft: hidden from lists and matching, still readable) and erasing it
//! (for good: the lead and every row that belongs to it, nothing else).

use chrono::{Duration, SecondsFormat, Utc};
use leadgate::entities::{
    action_log, checklist_group, checklist_item, document, lead, lead_checklist_item, lead_tag,
    message,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{TestApp, error_code};

const DELETE: &str = "mutation($id: ID!) { deleteLead(id: $id) { id deletedAt } }";
const ERASE: &str = "mutation($id: ID!) { eraseLead(id: $id) { success erasedId } }";
const LIST: &str =
    "query($filter: LeadFilter) { leads(filter: $filter) { edges { node { id } } totalCount } }";
const UPDATE: &str =
    "mutation($input: UpdateLeadInput!) { updateLead(input: $input) { success lead { id } } }";

/// The ids and `totalCount` of `leads` with `filter`.
async fn listed(app: &TestApp, filter: Value) -> (Vec<String>, i64) {
    let data = app.data(LIST, json!({ "filter": filter })).await;
    let ids = data["leads"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, data["leads"]["totalCount"].as_i64().unwrap())
}

async fn matching(app: &TestApp, id: &str) -> Vec<String> {
    let data = app
        .data(
            "query($id: ID!) { lead(id: $id) { matchingLeads { id } } }",
            json!({ "id": id }),
        )
        .await;
    data["lead"]["matchingLeads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect()
}

on_both_backends! {
    async fn deleted_leads_are_readable_but_hidden_and_frozen(app) {
        let doomed = app.create_lead(json!({ "firstName": "Doomed", "email": "same@example.com" })).await;
        let kept = app.create_lead(json!({ "firstName": "Kept", "email": "SAME@example.com" })).await;
        assert_eq!(matching(&app, &kept).await, std::slice::from_ref(&doomed));
        let (ids, total) = listed(&app, json!(null)).await;
        assert_eq!((ids.len(), total), (2, 2));

        let started = Utc::now() - Duration::seconds(1);
        let data = app.data(DELETE, json!({ "id": doomed })).await;
        assert_eq!(data["deleteLead"]["id"], doomed.as_str());
        let deleted_at = data["deleteLead"]["deletedAt"].as_str().expect("deletedAt set").to_owned();
        let parsed = chrono::DateTime::parse_from_rfc3339(&deleted_at).unwrap();
        assert!(parsed >= started && parsed <= Utc::now() + Duration::seconds(1), "{deleted_at}");

        // Still readable by id.
        let data = app.data("query($id: ID!) { lead(id: $id) { id firstName deletedAt } }", json!({ "id": doomed })).await;
        assert_eq!(data["lead"], json!({ "id": doomed, "firstName": "Doomed", "deletedAt": deleted_at }));

        // Hidden from the list unless asked for.
        assert_eq!(listed(&app, json!(null)).await, (vec![kept.clone()], 1));
        assert_eq!(listed(&app, json!({ "includeDeleted": false })).await, (vec![kept.clone()], 1));
        let (mut ids, total) = listed(&app, json!({ "includeDeleted": true })).await;
        ids.sort();
        let mut both = vec![doomed.clone(), kept.clone()];
        both.sort();
        assert_eq!((ids, total), (both, 2));

        // No longer a match.
        assert_eq!(matching(&app, &kept).await, Vec::<String>::new());

        // Deleting again keeps the first deletedAt and writes nothing more.
        let logs = app.count("action_logs").await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let data = app.data(DELETE, json!({ "id": doomed })).await;
        assert_eq!(data["deleteLead"]["deletedAt"], deleted_at.as_str());
        assert_eq!(app.count("action_logs").await, logs);
        let stored = lead::Entity::find_by_id(doomed.parse::<Uuid>().unwrap()).one(&app.db).await.unwrap().unwrap();
        assert_eq!(
            stored.deleted_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)),
            Some(deleted_at.clone())
        );

        // A deleted lead cannot be changed.
        let response = app.graphql(UPDATE, json!({ "input": { "id": doomed, "firstName": "Revived" } })).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response:#}");
        assert_eq!(response["errors"][0]["extensions"]["field"], "id");
        let data = app.data("query($id: ID!) { lead(id: $id) { firstName deletedAt } }", json!({ "id": doomed })).await;
        assert_eq!(data["lead"], json!({ "firstName": "Doomed", "deletedAt": deleted_at }));

        // Unknown ids are not found.
        let response = app.graphql(DELETE, json!({ "id": Uuid::now_v7().to_string() })).await;
        assert_eq!(error_code(&response), "NOT_FOUND", "{response:#}");
    }
}

const PAYLOAD: &str = "success actionLog { id messages { id } }";

/// Gives `lead` something in every table a lead reaches; returns the ids of its action
/// logs (for its messages) as written.
async fn furnish(app: &TestApp, lead: &str, label: &str) -> Vec<Uuid> {
    let lead_id: Uuid = lead.parse().unwrap();
    let data = app
        .data(
            "mutation($leadId: ID!, $input: AddLeadChecklistItemInput!) {
                addLeadChecklistItem(leadId: $leadId, input: $input) { success }
            }",
            json!({ "leadId": lead, "input": { "label": label, "fieldType": "BANK_STATEMENT" } }),
        )
        .await;
    assert_eq!(data["addLeadChecklistItem"]["success"], true);
    let one_off = checklist_item::Entity::find()
        .filter(checklist_item::Column::LeadId.eq(lead_id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the one-off item");
    let one_off_value = lead_checklist_item::Entity::find()
        .filter(lead_checklist_item::Column::LeadId.eq(lead_id))
        .filter(lead_checklist_item::Column::ChecklistItemId.eq(one_off.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the lead's row for its one-off item");

    let when = (Utc::now() + Duration::days(1)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let follow_up = app
        .data(
            &format!("mutation($input: ScheduleFollowUpInput!) {{ scheduleFollowUp(input: $input) {{ {PAYLOAD} }} }}"),
            json!({ "input": { "leadId": lead, "scheduledAt": when, "channel": "EMAIL", "body": "Follow-up" } }),
        )
        .await["scheduleFollowUp"]["actionLog"]
        .clone();
    let drafted = app
        .data(
            &format!("mutation($input: DraftMessageInput!) {{ draftMessage(input: $input) {{ {PAYLOAD} }} }}"),
            json!({ "input": { "leadId": lead, "channel": "EMAIL", "body": "Draft" } }),
        )
        .await["draftMessage"]["actionLog"]
        .clone();
    let received = app
        .data(
            &format!("mutation($input: RecordMessageInput!) {{ recordMessage(input: $input) {{ {PAYLOAD} }} }}"),
            json!({ "input": { "leadId": lead, "direction": "INBOUND", "channel": "EMAIL", "body": "Statement attached" } }),
        )
        .await["recordMessage"]["actionLog"]
        .clone();
    let received_id: Uuid = received["id"].as_str().unwrap().parse().unwrap();
    let received_message: Uuid = received["messages"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let called = app
        .data(
            &format!("mutation($input: RecordToolCallInput!) {{ recordToolCall(input: $input) {{ {PAYLOAD} }} }}"),
            json!({ "input": {
                "leadId": lead, "tool": "read_statement", "toolDescription": "Reads a bank statement",
                "input": { "file": "statement.pdf" }, "output": { "balance": 1234 },
                "parentActionId": received_id.to_string(),
            } }),
        )
        .await["recordToolCall"]["actionLog"]
        .clone();

    for (name, item, log, msg) in [
        (
            "statement.pdf",
            Some(one_off_value.id),
            Some(received_id),
            Some(received_message),
        ),
        ("loose.pdf", None, None, None),
    ] {
        document::Entity::insert(document::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(app.workspace_id),
            lead_id: Set(lead_id),
            lead_checklist_item_id: Set(item),
            action_log_id: Set(log),
            message_id: Set(msg),
            file_name: Set(name.into()),
            content_type: Set("application/pdf".into()),
            size_bytes: Set(2048),
            storage_key: Set(format!("acme/{lead}/{name}")),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .exec_without_returning(&app.db)
        .await
        .unwrap();
    }
    [&follow_up, &drafted, &received, &called]
        .iter()
        .map(|l| l["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// Rows a lead owns, table by table (messages through `logs`, its action logs).
async fn owned_rows(app: &TestApp, lead: &str, logs: &[Uuid]) -> Vec<(&'static str, u64)> {
    let id: Uuid = lead.parse().unwrap();
    let db = &app.db;
    vec![
        (
            "leads",
            lead::Entity::find_by_id(id).count(db).await.unwrap(),
        ),
        (
            "lead_checklist_items",
            lead_checklist_item::Entity::find()
                .filter(lead_checklist_item::Column::LeadId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "lead_tags",
            lead_tag::Entity::find()
                .filter(lead_tag::Column::LeadId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "action_logs",
            action_log::Entity::find()
                .filter(action_log::Column::LeadId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "messages",
            message::Entity::find()
                .filter(message::Column::ActionLogId.is_in(logs.iter().copied()))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "documents",
            document::Entity::find()
                .filter(document::Column::LeadId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "checklist_items",
            checklist_item::Entity::find()
                .filter(checklist_item::Column::LeadId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "checklist_groups",
            checklist_group::Entity::find()
                .filter(checklist_group::Column::LeadId.eq(id))
                .count(db)
                .await
                .unwrap(),
        ),
    ]
}

/// Rows of the workspace that belong to no lead.
async fn workspace_rows(app: &TestApp) -> Vec<(&'static str, u64)> {
    let db = &app.db;
    vec![
        ("tags", app.count("tags").await as u64),
        ("tools", app.count("tools").await as u64),
        (
            "template checklist_items",
            checklist_item::Entity::find()
                .filter(checklist_item::Column::LeadId.is_null())
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "template checklist_groups",
            checklist_group::Entity::find()
                .filter(checklist_group::Column::LeadId.is_null())
                .count(db)
                .await
                .unwrap(),
        ),
        ("workspaces", app.count("workspaces").await as u64),
        ("api_keys", app.count("api_keys").await as u64),
    ]
}

/// Every table's row count.
async fn all_rows(app: &TestApp) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in [
        "workspaces",
        "api_keys",
        "leads",
        "checklist_groups",
        "checklist_items",
        "tags",
        "lead_tags",
        "lead_checklist_items",
        "tools",
        "action_logs",
        "messages",
        "documents",
    ] {
        counts.push((table, app.count(table).await));
    }
    counts
}

fn full_input(first_name: &str, tags: &[&str]) -> Value {
    let mut input = crate::harness::documented_input();
    input["firstName"] = json!(first_name);
    input["tags"] = json!(tags);
    input
}

on_both_backends! {
    async fn erasing_removes_the_lead_and_everything_it_owns(app) {
        let doomed = app.create_lead(full_input("Doomed", &["vip", "Trucking"])).await;
        let kept = app.create_lead(full_input("Kept", &["VIP", "kept-only"])).await;
        let doomed_logs = furnish(&app, &doomed, "Bank statement").await;
        let kept_logs = furnish(&app, &kept, "Bank statement").await;

        let before = owned_rows(&app, &doomed, &doomed_logs).await;
        for (table, count) in &before {
            assert!(*count > 0, "the doomed lead has no {table} rows to erase: {before:?}");
        }
        // Created, item added, follow-up, draft, message, tool call.
        assert!(before.contains(&("action_logs", 6)), "{before:?}");
        assert!(before.contains(&("messages", 3)), "{before:?}");
        assert!(before.contains(&("documents", 2)), "{before:?}");
        assert!(before.contains(&("lead_tags", 2)), "{before:?}");
        let kept_before = owned_rows(&app, &kept, &kept_logs).await;
        let workspace_before = workspace_rows(&app).await;
        assert!(workspace_before.contains(&("tags", 3)), "{workspace_before:?}");
        assert!(workspace_before.contains(&("tools", 1)), "{workspace_before:?}");

        let data = app.data(ERASE, json!({ "id": doomed })).await;
        assert_eq!(data["eraseLead"], json!({ "success": true, "erasedId": doomed }));

        let data = app.data("query($id: ID!) { lead(id: $id) { id } }", json!({ "id": doomed })).await;
        assert_eq!(data["lead"], Value::Null);
        let after = owned_rows(&app, &doomed, &doomed_logs).await;
        for (table, count) in &after {
            assert_eq!(*count, 0, "{table} rows of the erased lead remain: {after:?}");
        }
        // Nothing points at the erased lead's messages or logs any more.
        let leftover_docs = document::Entity::find()
            .filter(document::Column::ActionLogId.is_in(doomed_logs.iter().copied()))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(leftover_docs, 0);

        assert_eq!(owned_rows(&app, &kept, &kept_logs).await, kept_before);
        assert_eq!(workspace_rows(&app).await, workspace_before);
        assert_eq!(listed(&app, json!({ "includeDeleted": true })).await, (vec![kept.clone()], 1));
        let data = app.data(
            "query($id: ID!) { lead(id: $id) { tags actionLogs { type tool { name } } } }",
            json!({ "id": kept }),
        ).await;
        assert_eq!(data["lead"]["tags"], json!(["kept-only", "vip"]));
        assert_eq!(data["lead"]["actionLogs"][0]["tool"]["name"], "read_statement");
        assert_eq!(data["lead"]["actionLogs"].as_array().unwrap().len(), 6);

        // Erasing it again: there is nothing to erase.
        let response = app.graphql(ERASE, json!({ "id": doomed })).await;
        assert_eq!(error_code(&response), "NOT_FOUND", "{response:#}");
    }
}

on_both_backends! {
    async fn erasing_a_deleted_lead_works(app) {
        let lead = app.create_lead(json!({ "firstName": "Gone", "tags": ["x"] })).await;
        app.data(DELETE, json!({ "id": lead })).await;
        let data = app.data(ERASE, json!({ "id": lead })).await;
        assert_eq!(data["eraseLead"]["erasedId"], lead.as_str());
        assert_eq!(app.count("leads").await, 0);
        assert_eq!(app.count("action_logs").await, 0);
        assert_eq!(app.count("lead_tags").await, 0);
        assert_eq!(app.count("lead_checklist_items").await, 0);
        assert_eq!(app.count("tags").await, 1);
    }
}

on_both_backends! {
    async fn erasing_unknown_or_foreign_leads_is_not_found(app) {
        let (_, globex_key) = app.other_workspace("Globex").await;
        let foreign = app.create_lead_with(&globex_key, full_input("Foreign", &["vip"])).await;
        let own = app.create_lead(full_input("Own", &["vip"])).await;
        let before = all_rows(&app).await;

        let response = app.graphql(ERASE, json!({ "id": Uuid::now_v7().to_string() })).await;
        assert_eq!(error_code(&response), "NOT_FOUND", "{response:#}");
        assert_eq!(response["data"], Value::Null);
        let response = app.graphql(ERASE, json!({ "id": foreign })).await;
        assert_eq!(error_code(&response), "NOT_FOUND", "{response:#}");
        assert_eq!(response["data"], Value::Null);
        let response = app.graphql(DELETE, json!({ "id": foreign })).await;
        assert_eq!(error_code(&response), "NOT_FOUND", "{response:#}");

        assert_eq!(all_rows(&app).await, before);
        let data = app.graphql_with(Some(&globex_key), "query($id: ID!) { lead(id: $id) { id deletedAt } }", json!({ "id": foreign })).await;
        assert_eq!(data["data"]["lead"], json!({ "id": foreign, "deletedAt": null }));
        let data = app.data("query($id: ID!) { lead(id: $id) { id } }", json!({ "id": own })).await;
        assert_eq!(data["lead"]["id"], own.as_str());
    }
}
