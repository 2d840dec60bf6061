//! Writing the timeline: follow-ups, drafts and their approval, cancellations, recorded
//! messages and tool calls; opt-out refusals and cancellations; workspace isolation.

use chrono::{Duration, SecondsFormat, Utc};
use leadgate::entities::{action_log, tool};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{TestApp, error_code};

/// What every timeline mutation selects.
const PAYLOAD: &str = "success
    actionLog {
        id type status summary scheduledAt completedAt parentActionId toolInput toolOutput
        tool { name description }
        messages { channel direction subject body }
    }
    lead { id nextFollowUp { id } nextDraft { id } lastAction { id } }";

fn schedule_query() -> String {
    format!(
        "mutation($input: ScheduleFollowUpInput!) {{ scheduleFollowUp(input: $input) {{ {PAYLOAD} }} }}"
    )
}

fn draft_query() -> String {
    format!(
        "mutation($input: DraftMessageInput!) {{ draftMessage(input: $input) {{ {PAYLOAD} }} }}"
    )
}

fn record_query() -> String {
    format!(
        "mutation($input: RecordMessageInput!) {{ recordMessage(input: $input) {{ {PAYLOAD} }} }}"
    )
}

fn tool_query() -> String {
    format!(
        "mutation($input: RecordToolCallInput!) {{ recordToolCall(input: $input) {{ {PAYLOAD} }} }}"
    )
}

fn approve_query() -> String {
    format!("mutation($id: ID!) {{ approveDraft(id: $id) {{ {PAYLOAD} }} }}")
}

fn cancel_query() -> String {
    format!("mutation($id: ID!) {{ cancelAction(id: $id) {{ {PAYLOAD} }} }}")
}

const MARKERS: &str = "query($id: ID!) { lead(id: $id) {
    nextFollowUp { id status }
    nextDraft { id status }
    lastAction { id status }
    actionLogs { id type status summary changes completedAt }
} }";

/// `now + offset` as the API writes instants.
fn at(offset: Duration) -> String {
    (Utc::now() + offset).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A lead with an email and a valid phone.
async fn reachable_lead(app: &TestApp, name: &str) -> String {
    app.create_lead(json!({
        "firstName": name,
        "email": format!("{}@example.com", name.to_lowercase()),
        "phoneNumber": "6782319992",
    }))
    .await
}

async fn schedule_with(
    app: &TestApp,
    key: &str,
    lead: &str,
    when: &str,
    channel: &str,
    body: &str,
) -> Value {
    app.graphql_with(
        Some(key),
        &schedule_query(),
        json!({ "input": {
            "leadId": lead, "scheduledAt": when, "channel": channel,
            "subject": "Checking in", "body": body,
        } }),
    )
    .await
}

async fn schedule(app: &TestApp, lead: &str, when: &str, channel: &str, body: &str) -> Value {
    schedule_with(app, &app.key, lead, when, channel, body).await
}

async fn draft_with(app: &TestApp, key: &str, lead: &str, channel: &str, body: &str) -> Value {
    app.graphql_with(
        Some(key),
        &draft_query(),
        json!({ "input": { "leadId": lead, "channel": channel, "subject": "Draft", "body": body } }),
    )
    .await
}

async fn draft(app: &TestApp, lead: &str, channel: &str, body: &str) -> Value {
    draft_with(app, &app.key, lead, channel, body).await
}

async fn record(app: &TestApp, lead: &str, direction: &str, channel: &str, body: &str) -> Value {
    app.graphql(
        &record_query(),
        json!({ "input": {
            "leadId": lead, "direction": direction, "channel": channel,
            "subject": "Re: documents", "body": body,
        } }),
    )
    .await
}

/// `data.<field>` of a response that must have no errors.
fn ok<'a>(response: &'a Value, field: &str) -> &'a Value {
    assert!(
        response.get("errors").is_none(),
        "unexpected errors: {response:#}"
    );
    &response["data"][field]
}

fn id_of(payload: &Value) -> String {
    payload["actionLog"]["id"].as_str().unwrap().to_owned()
}

/// Asserts a BAD_USER_INPUT naming `field`.
fn assert_bad_input(response: &Value, field: &str) {
    assert_eq!(error_code(response), "BAD_USER_INPUT", "{response:#}");
    assert_eq!(
        response["errors"][0]["extensions"]["field"], field,
        "{response:#}"
    );
}

async fn markers(app: &TestApp, lead: &str) -> Value {
    app.data(MARKERS, json!({ "id": lead })).await["lead"].clone()
}

async fn status_of(app: &TestApp, id: &str) -> String {
    action_log::Entity::find_by_id(id.parse::<Uuid>().unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no action log {id}"))
        .status
        .as_str()
        .to_owned()
}

on_both_backends! {
    async fn follow_ups_are_pending_outbound_and_the_earliest_is_next(app) {
        let lead = reachable_lead(&app, "Fiona").await;
        let later = at(Duration::days(2));
        let response = schedule(&app, &lead, &later, "EMAIL", "Any news on the statements?").await;
        let payload = ok(&response, "scheduleFollowUp");
        assert_eq!(payload["success"], true);
        let log = &payload["actionLog"];
        assert_eq!(log["type"], "FOLLOW_UP_MESSAGE");
        assert_eq!(log["status"], "PENDING");
        assert_eq!(log["scheduledAt"], later.as_str());
        assert_eq!(log["completedAt"], Value::Null);
        assert_eq!(log["summary"], "Email to lead: Checking in");
        assert_eq!(
            log["messages"],
            json!([{
                "channel": "EMAIL", "direction": "OUTBOUND",
                "subject": "Checking in", "body": "Any news on the statements?",
            }])
        );
        let later_id = id_of(payload);
        assert_eq!(payload["lead"]["id"], lead.as_str());
        assert_eq!(payload["lead"]["nextFollowUp"]["id"], later_id.as_str());
        assert_eq!(payload["lead"]["nextDraft"], Value::Null);
        assert_eq!(payload["lead"]["lastAction"], Value::Null);

        // Scheduled after the first but for earlier: it is the next one.
        let sooner = at(Duration::days(1));
        let response = schedule(&app, &lead, &sooner, "SMS", "Reminder").await;
        let payload = ok(&response, "scheduleFollowUp");
        let sooner_id = id_of(payload);
        assert_eq!(payload["actionLog"]["messages"][0]["channel"], "SMS");
        assert_eq!(payload["lead"]["nextFollowUp"]["id"], sooner_id.as_str());
        let read = markers(&app, &lead).await;
        assert_eq!(read["nextFollowUp"], json!({ "id": sooner_id, "status": "PENDING" }));
        assert_eq!(read["lastAction"], Value::Null);

        // A later third one changes nothing.
        let response = schedule(&app, &lead, &at(Duration::days(3)), "EMAIL", "Third").await;
        assert_eq!(ok(&response, "scheduleFollowUp")["lead"]["nextFollowUp"]["id"], sooner_id.as_str());
    }
}

on_both_backends! {
    async fn follow_ups_in_the_past_are_refused(app) {
        let lead = reachable_lead(&app, "Past").await;
        let before = app.count("action_logs").await;
        let response = schedule(&app, &lead, &at(-Duration::minutes(5)), "EMAIL", "Too late").await;
        assert_bad_input(&response, "scheduledAt");
        assert_eq!(response["data"], Value::Null);
        assert_eq!(app.count("action_logs").await, before);
        assert_eq!(app.count("messages").await, 0);
        assert_eq!(markers(&app, &lead).await["nextFollowUp"], Value::Null);
    }
}

on_both_backends! {
    async fn drafts_await_approval_and_approving_sends_them(app) {
        let lead = reachable_lead(&app, "Dana").await;
        let response = draft(&app, &lead, "EMAIL", "Please upload your ID").await;
        let payload = ok(&response, "draftMessage");
        let draft_id = id_of(payload);
        assert_eq!(payload["actionLog"]["type"], "MESSAGE");
        assert_eq!(payload["actionLog"]["status"], "AWAITING_APPROVAL");
        assert_eq!(payload["actionLog"]["completedAt"], Value::Null);
        assert_eq!(payload["actionLog"]["scheduledAt"], Value::Null);
        assert_eq!(
            payload["actionLog"]["messages"],
            json!([{ "channel": "EMAIL", "direction": "OUTBOUND", "subject": "Draft", "body": "Please upload your ID" }])
        );
        assert_eq!(payload["lead"]["nextDraft"]["id"], draft_id.as_str());
        assert_eq!(payload["lead"]["lastAction"], Value::Null);
        assert_eq!(payload["lead"]["nextFollowUp"], Value::Null);

        // Something sent after the draft was written is the last action until it is
        // approved: approval is when the draft goes out.
        let sent = id_of(ok(&record(&app, &lead, "OUTBOUND", "EMAIL", "Meanwhile").await, "recordMessage"));
        assert_eq!(markers(&app, &lead).await["lastAction"]["id"], sent.as_str());

        let started = Utc::now() - Duration::seconds(1);
        let response = app.graphql(&approve_query(), json!({ "id": draft_id })).await;
        let payload = ok(&response, "approveDraft");
        assert_eq!(payload["success"], true);
        assert_eq!(payload["actionLog"]["id"], draft_id.as_str());
        assert_eq!(payload["actionLog"]["status"], "COMPLETED");
        let completed = payload["actionLog"]["completedAt"].as_str().expect("completedAt set");
        let completed = chrono::DateTime::parse_from_rfc3339(completed).unwrap();
        assert!(completed >= started && completed <= Utc::now() + Duration::seconds(1), "{completed}");
        assert_eq!(payload["lead"]["lastAction"]["id"], draft_id.as_str());
        assert_eq!(payload["lead"]["nextDraft"], Value::Null);

        let read = markers(&app, &lead).await;
        assert_eq!(read["lastAction"], json!({ "id": draft_id, "status": "COMPLETED" }));
        assert_eq!(read["nextDraft"], Value::Null);
        assert_eq!(status_of(&app, &draft_id).await, "COMPLETED");

        // Approving it again, or approving what is not a draft, is refused.
        let response = app.graphql(&approve_query(), json!({ "id": draft_id })).await;
        assert_bad_input(&response, "id");
        let follow_up = id_of(ok(
            &schedule(&app, &lead, &at(Duration::days(1)), "EMAIL", "Later").await,
            "scheduleFollowUp",
        ));
        let response = app.graphql(&approve_query(), json!({ "id": follow_up })).await;
        assert_bad_input(&response, "id");
        assert_eq!(status_of(&app, &follow_up).await, "PENDING");
    }
}

on_both_backends! {
    async fn cancelling_a_follow_up_takes_it_off_the_schedule(app) {
        let lead = reachable_lead(&app, "Carl").await;
        let first = id_of(ok(
            &schedule(&app, &lead, &at(Duration::days(1)), "EMAIL", "First").await,
            "scheduleFollowUp",
        ));
        let second = id_of(ok(
            &schedule(&app, &lead, &at(Duration::days(2)), "EMAIL", "Second").await,
            "scheduleFollowUp",
        ));
        assert_eq!(markers(&app, &lead).await["nextFollowUp"]["id"], first.as_str());

        let response = app.graphql(&cancel_query(), json!({ "id": first })).await;
        let payload = ok(&response, "cancelAction");
        assert_eq!(payload["success"], true);
        assert_eq!(payload["actionLog"]["id"], first.as_str());
        assert_eq!(payload["actionLog"]["status"], "CANCELLED");
        assert_eq!(payload["actionLog"]["completedAt"], Value::Null);
        assert_eq!(payload["lead"]["nextFollowUp"]["id"], second.as_str());
        assert_eq!(status_of(&app, &first).await, "CANCELLED");

        let response = app.graphql(&cancel_query(), json!({ "id": second })).await;
        assert_eq!(ok(&response, "cancelAction")["lead"]["nextFollowUp"], Value::Null);
        assert_eq!(markers(&app, &lead).await["nextFollowUp"], Value::Null);

        // Cancelling what already happened, or was already cancelled, is refused.
        let sent = id_of(ok(&record(&app, &lead, "OUTBOUND", "EMAIL", "Sent").await, "recordMessage"));
        let response = app.graphql(&cancel_query(), json!({ "id": sent })).await;
        assert_bad_input(&response, "id");
        assert_eq!(status_of(&app, &sent).await, "COMPLETED");
        let response = app.graphql(&cancel_query(), json!({ "id": first })).await;
        assert_bad_input(&response, "id");

        // A draft can be cancelled too.
        let drafted = id_of(ok(&draft(&app, &lead, "SMS", "Hi").await, "draftMessage"));
        let response = app.graphql(&cancel_query(), json!({ "id": drafted })).await;
        let payload = ok(&response, "cancelAction");
        assert_eq!(payload["actionLog"]["status"], "CANCELLED");
        assert_eq!(payload["lead"]["nextDraft"], Value::Null);
    }
}

on_both_backends! {
    async fn only_outbound_recorded_messages_become_the_last_action(app) {
        let lead = reachable_lead(&app, "Ray").await;
        let response = record(&app, &lead, "INBOUND", "EMAIL", "Here are my statements").await;
        let payload = ok(&response, "recordMessage");
        let inbound = id_of(payload);
        assert_eq!(payload["actionLog"]["type"], "MESSAGE");
        assert_eq!(payload["actionLog"]["status"], "COMPLETED");
        assert_ne!(payload["actionLog"]["completedAt"], Value::Null);
        assert_eq!(payload["actionLog"]["summary"], "Email from lead: Re: documents");
        assert_eq!(
            payload["actionLog"]["messages"],
            json!([{ "channel": "EMAIL", "direction": "INBOUND", "subject": "Re: documents", "body": "Here are my statements" }])
        );
        assert_eq!(payload["lead"]["lastAction"], Value::Null);
        assert_eq!(markers(&app, &lead).await["lastAction"], Value::Null);

        let response = record(&app, &lead, "OUTBOUND", "SMS", "Thanks, got them").await;
        let payload = ok(&response, "recordMessage");
        let outbound = id_of(payload);
        assert_eq!(payload["actionLog"]["status"], "COMPLETED");
        assert_eq!(payload["actionLog"]["summary"], "SMS to lead: Re: documents");
        assert_eq!(payload["actionLog"]["messages"][0]["direction"], "OUTBOUND");
        assert_eq!(payload["lead"]["lastAction"]["id"], outbound.as_str());

        // A later inbound message does not displace it.
        let response = record(&app, &lead, "INBOUND", "SMS", "You're welcome").await;
        assert_eq!(ok(&response, "recordMessage")["lead"]["lastAction"]["id"], outbound.as_str());
        let read = markers(&app, &lead).await;
        assert_eq!(read["lastAction"]["id"], outbound.as_str());
        assert_ne!(read["lastAction"]["id"], inbound.as_str());
        // Recorded messages are neither follow-ups nor drafts.
        assert_eq!(read["nextFollowUp"], Value::Null);
        assert_eq!(read["nextDraft"], Value::Null);
    }
}

on_both_backends! {
    async fn tool_calls_record_their_tool_input_output_and_parent(app) {
        let lead = reachable_lead(&app, "Tina").await;
        let parent = id_of(ok(&record(&app, &lead, "INBOUND", "EMAIL", "My EIN is 12-3456789").await, "recordMessage"));
        let input = json!({ "ein": "12-3456789", "strict": true });
        let output = json!({ "valid": true, "name": "Pacific Coast Container Haulers", "matches": [1, 2] });
        let response = app.graphql(&tool_query(), json!({ "input": {
            "leadId": lead, "tool": "lookup_ein", "toolDescription": "Looks up an EIN",
            "input": input, "output": output, "parentActionId": parent,
        } })).await;
        let payload = ok(&response, "recordToolCall");
        assert_eq!(payload["success"], true);
        let log = &payload["actionLog"];
        assert_eq!(log["type"], "TOOL_CALL");
        assert_eq!(log["status"], "COMPLETED");
        assert_eq!(log["summary"], "Called lookup_ein");
        assert_eq!(log["tool"], json!({ "name": "lookup_ein", "description": "Looks up an EIN" }));
        assert_eq!(log["toolInput"], input);
        assert_eq!(log["toolOutput"], output);
        assert_eq!(log["parentActionId"], parent.as_str());
        assert_eq!(log["messages"], json!([]));
        assert_ne!(log["completedAt"], Value::Null);
        let first_call = id_of(payload);

        // Read back through the lead.
        let data = app.data(
            "query($id: ID!) { lead(id: $id) { actionLogs(limit: 1) { id parentActionId toolInput toolOutput tool { name } } } }",
            json!({ "id": lead }),
        ).await;
        assert_eq!(
            data["lead"]["actionLogs"][0],
            json!({ "id": first_call, "parentActionId": parent, "toolInput": input, "toolOutput": output, "tool": { "name": "lookup_ein" } })
        );

        // The same tool again, without a parent: still one tool.
        let response = app.graphql(&tool_query(), json!({ "input": {
            "leadId": lead, "tool": "lookup_ein", "input": { "ein": "98-7654321" },
            "output": { "valid": false }, "status": "FAILED",
        } })).await;
        let payload = ok(&response, "recordToolCall");
        assert_eq!(payload["actionLog"]["status"], "FAILED");
        assert_eq!(payload["actionLog"]["parentActionId"], Value::Null);
        assert_eq!(payload["actionLog"]["tool"]["name"], "lookup_ein");
        assert_eq!(app.count("tools").await, 1);
        let tools = tool::Entity::find()
            .filter(tool::Column::WorkspaceId.eq(app.workspace_id))
            .filter(tool::Column::Name.eq("lookup_ein"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(tools, 1);
        let calls = action_log::Entity::find()
            .filter(action_log::Column::LeadId.eq(lead.parse::<Uuid>().unwrap()))
            .filter(action_log::Column::ToolId.is_not_null())
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(calls, 2);
    }
}

on_both_backends! {
    async fn a_tool_call_parent_must_be_an_action_of_the_same_lead(app) {
        let lead = reachable_lead(&app, "Own").await;
        let other = reachable_lead(&app, "Other").await;
        let foreign_parent = id_of(ok(&record(&app, &other, "INBOUND", "EMAIL", "Hello").await, "recordMessage"));
        let before = app.count("action_logs").await;
        let response = app.graphql(&tool_query(), json!({ "input": {
            "leadId": lead, "tool": "lookup_ein", "parentActionId": foreign_parent,
        } })).await;
        assert_bad_input(&response, "parentActionId");
        let response = app.graphql(&tool_query(), json!({ "input": {
            "leadId": lead, "tool": "lookup_ein", "parentActionId": Uuid::now_v7().to_string(),
        } })).await;
        assert_bad_input(&response, "parentActionId");
        assert_eq!(app.count("action_logs").await, before);
        assert_eq!(app.count("tools").await, 0);
    }
}

on_both_backends! {
    async fn opted_out_leads_get_no_outbound_messages(app) {
        let lead = app.create_lead(json!({
            "firstName": "Otto", "email": "otto@example.com", "phoneNumber": "6782319992", "didOptOut": true,
        })).await;
        let before = app.count("action_logs").await;
        let response = schedule(&app, &lead, &at(Duration::days(1)), "EMAIL", "Still there?").await;
        assert_bad_input(&response, "leadId");
        let response = draft(&app, &lead, "SMS", "Still there?").await;
        assert_bad_input(&response, "leadId");
        let response = record(&app, &lead, "OUTBOUND", "EMAIL", "Still there?").await;
        assert_bad_input(&response, "leadId");
        assert_eq!(app.count("action_logs").await, before);
        assert_eq!(app.count("messages").await, 0);

        // What the lead sends is still recorded.
        let response = record(&app, &lead, "INBOUND", "EMAIL", "Please stop").await;
        let payload = ok(&response, "recordMessage");
        assert_eq!(payload["actionLog"]["status"], "COMPLETED");
        assert_eq!(payload["actionLog"]["messages"][0]["direction"], "INBOUND");
        assert_eq!(app.count("action_logs").await, before + 1);
        assert_eq!(app.count("messages").await, 1);
    }
}

on_both_backends! {
    async fn messages_need_an_address_on_their_channel(app) {
        let no_email = app.create_lead(json!({ "firstName": "Phone", "phoneNumber": "6782319992" })).await;
        let bad_phone = app.create_lead(json!({ "firstName": "Mail", "email": "mail@example.com", "phoneNumber": "call me" })).await;
        let nothing = app.create_lead(json!({ "firstName": "Nobody" })).await;
        let before = app.count("action_logs").await;

        assert_bad_input(&schedule(&app, &no_email, &at(Duration::days(1)), "EMAIL", "Hi").await, "channel");
        assert_bad_input(&draft(&app, &no_email, "EMAIL", "Hi").await, "channel");
        assert_bad_input(&record(&app, &no_email, "OUTBOUND", "EMAIL", "Hi").await, "channel");
        assert_bad_input(&schedule(&app, &bad_phone, &at(Duration::days(1)), "SMS", "Hi").await, "channel");
        assert_bad_input(&draft(&app, &bad_phone, "SMS", "Hi").await, "channel");
        assert_bad_input(&record(&app, &bad_phone, "OUTBOUND", "SMS", "Hi").await, "channel");
        assert_bad_input(&draft(&app, &nothing, "SMS", "Hi").await, "channel");
        assert_bad_input(&draft(&app, &nothing, "EMAIL", "Hi").await, "channel");
        assert_eq!(app.count("action_logs").await, before);

        // The other channel works.
        let response = draft(&app, &no_email, "SMS", "Hi").await;
        assert_eq!(ok(&response, "draftMessage")["actionLog"]["messages"][0]["channel"], "SMS");
        let response = draft(&app, &bad_phone, "EMAIL", "Hi").await;
        assert_eq!(ok(&response, "draftMessage")["actionLog"]["messages"][0]["channel"], "EMAIL");
        assert_eq!(app.count("action_logs").await, before + 2);
    }
}

/// The "Lead updated" entry of a lead's timeline (the newest one).
fn lead_updated(lead: &Value) -> Value {
    lead["actionLogs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["summary"] == "Lead updated")
        .unwrap_or_else(|| panic!("no \"Lead updated\" entry in {lead:#}"))
        .clone()
}

const UPDATE: &str = "mutation($input: UpdateLeadInput!) { updateLead(input: $input) {
    success lead { status didOptOut optOutAt } nextFollowUp { id } nextDraft { id }
} }";

on_both_backends! {
    async fn opting_out_cancels_waiting_outbound_messages(app) {
        for (name, update) in [
            ("Both", json!({ "status": "OPTED_OUT", "didOptOut": true })),
            ("StatusOnly", json!({ "status": "OPTED_OUT" })),
            ("FlagOnly", json!({ "didOptOut": true })),
        ] {
            let lead = reachable_lead(&app, name).await;
            let bystander = reachable_lead(&app, &format!("{name}Bystander")).await;
            let follow_up = id_of(ok(&schedule(&app, &lead, &at(Duration::days(1)), "EMAIL", "F").await, "scheduleFollowUp"));
            let drafted = id_of(ok(&draft(&app, &lead, "SMS", "D").await, "draftMessage"));
            let sent = id_of(ok(&record(&app, &lead, "OUTBOUND", "EMAIL", "S").await, "recordMessage"));
            let called = id_of(ok(&app.graphql(&tool_query(), json!({ "input": { "leadId": lead, "tool": "t" } })).await, "recordToolCall"));
            let spared = id_of(ok(&schedule(&app, &bystander, &at(Duration::days(1)), "EMAIL", "B").await, "scheduleFollowUp"));

            let mut input = update.clone();
            input["id"] = json!(lead);
            let data = app.data(UPDATE, json!({ "input": input })).await;
            let payload = &data["updateLead"];
            assert_eq!(payload["lead"]["status"], "OPTED_OUT", "{name}");
            assert_eq!(payload["lead"]["didOptOut"], true, "{name}");
            assert_ne!(payload["lead"]["optOutAt"], Value::Null, "{name}");
            assert_eq!(payload["nextFollowUp"], Value::Null, "{name}");
            assert_eq!(payload["nextDraft"], Value::Null, "{name}");

            assert_eq!(status_of(&app, &follow_up).await, "CANCELLED", "{name}");
            assert_eq!(status_of(&app, &drafted).await, "CANCELLED", "{name}");
            assert_eq!(status_of(&app, &sent).await, "COMPLETED", "{name}");
            assert_eq!(status_of(&app, &called).await, "COMPLETED", "{name}");
            assert_eq!(status_of(&app, &spared).await, "PENDING", "{name}");

            let read = markers(&app, &lead).await;
            assert_eq!(read["nextFollowUp"], Value::Null, "{name}");
            assert_eq!(read["nextDraft"], Value::Null, "{name}");
            assert_eq!(read["lastAction"]["id"], sent.as_str(), "{name}");
            let statuses: Vec<(&str, &str)> = read["actionLogs"].as_array().unwrap().iter()
                .filter(|l| l["id"] == follow_up.as_str() || l["id"] == drafted.as_str())
                .map(|l| (l["type"].as_str().unwrap(), l["status"].as_str().unwrap()))
                .collect();
            assert_eq!(statuses, [("MESSAGE", "CANCELLED"), ("FOLLOW_UP_MESSAGE", "CANCELLED")], "{name}");
            let log = lead_updated(&read);
            let mut cancelled: Vec<String> = log["changes"]["cancelledActions"]
                .as_array()
                .unwrap_or_else(|| panic!("{name}: no cancelledActions in {log:#}"))
                .iter()
                .map(|id| id.as_str().unwrap().to_owned())
                .collect();
            cancelled.sort();
            let mut expected = vec![follow_up.clone(), drafted.clone()];
            expected.sort();
            assert_eq!(cancelled, expected, "{name}");
            assert_eq!(markers(&app, &bystander).await["nextFollowUp"]["id"], spared.as_str(), "{name}");
        }
    }
}

on_both_backends! {
    async fn actions_and_leads_of_other_workspaces_are_not_found(app) {
        let (_, globex_key) = app.other_workspace("Globex").await;
        let globex_lead = app.create_lead_with(&globex_key, json!({ "firstName": "G", "email": "g@globex.com" })).await;
        let globex_draft = id_of(ok(&draft_with(&app, &globex_key, &globex_lead, "EMAIL", "Hi").await, "draftMessage"));
        let globex_follow_up = id_of(ok(
            &schedule_with(&app, &globex_key, &globex_lead, &at(Duration::days(1)), "EMAIL", "Hi").await,
            "scheduleFollowUp",
        ));
        let before = app.count("action_logs").await;

        let response = app.graphql(&approve_query(), json!({ "id": globex_draft })).await;
        assert_eq!(error_code(&response), "NOT_FOUND", "{response:#}");
        assert_eq!(response["data"], Value::Null);
        let response = app.graphql(&cancel_query(), json!({ "id": globex_draft })).await;
        assert_eq!(error_code(&response), "NOT_FOUND", "{response:#}");
        let response = app.graphql(&cancel_query(), json!({ "id": globex_follow_up })).await;
        assert_eq!(error_code(&response), "NOT_FOUND", "{response:#}");
        let response = schedule(&app, &globex_lead, &at(Duration::days(1)), "EMAIL", "Hi").await;
        assert_eq!(error_code(&response), "NOT_FOUND", "{response:#}");
        let response = draft(&app, &globex_lead, "EMAIL", "Hi").await;
        assert_eq!(error_code(&response), "NOT_FOUND", "{response:#}");

        assert_eq!(status_of(&app, &globex_draft).await, "AWAITING_APPROVAL");
        assert_eq!(status_of(&app, &globex_follow_up).await, "PENDING");
        assert_eq!(app.count("action_logs").await, before);

        // Globex itself can still approve its draft.
        let response = app.graphql_with(Some(&globex_key), &approve_query(), json!({ "id": globex_draft })).await;
        assert_eq!(ok(&response, "approveDraft")["actionLog"]["status"], "COMPLETED");
    }
}

on_both_backends! {
    async fn tool_names_are_required_and_bounded(app) {
        const CALL: &str = "mutation($id: ID!, $tool: String!) { recordToolCall(input: { leadId: $id, tool: $tool }) { success } }";
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        let before = app.count("action_logs").await;
        for tool in [" ".to_owned(), "t".repeat(501)] {
            let response = app.graphql(CALL, json!({ "id": id, "tool": tool })).await;
            assert_eq!(crate::harness::error_code(&response), "BAD_USER_INPUT");
            assert_eq!(response["errors"][0]["extensions"]["field"], "tool");
        }
        assert_eq!(app.count("action_logs").await, before);
        assert_eq!(app.count("tools").await, 0);
    }
}
