//! One lock order for every write (the lead first, then what belongs to it): approving a
//! draft and opting its lead out, raced many times, never deadlock and never answer
//! INTERNAL; whichever commits first wins, and the other sees its result.

use serde_json::{Value, json};

use crate::harness::TestApp;

const ROUNDS: usize = 25;

const DRAFT: &str =
    "mutation($input: DraftMessageInput!) { draftMessage(input: $input) { actionLog { id } } }";
const APPROVE: &str = "mutation($id: ID!) { approveDraft(id: $id) { actionLog { status } } }";
const OPT_OUT: &str =
    "mutation($input: UpdateLeadInput!) { updateLead(input: $input) { lead { didOptOut } } }";
const STATE: &str = "query($id: ID!) { lead(id: $id) { didOptOut actionLogs { type status } } }";

/// The error codes of a response ([] when it succeeded).
fn codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn round(app: &std::sync::Arc<TestApp>, i: usize) {
    let lead = app
        .create_lead(
            json!({ "firstName": format!("Race {i}"), "email": format!("race{i}@example.com") }),
        )
        .await;
    let draft = app
        .data(
            DRAFT,
            json!({ "input": { "leadId": lead, "channel": "EMAIL", "body": "Hello" } }),
        )
        .await["draftMessage"]["actionLog"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let approve = {
        let app = app.clone();
        tokio::spawn(async move { app.graphql(APPROVE, json!({ "id": draft })).await })
    };
    let opt_out = {
        let app = app.clone();
        let lead = lead.clone();
        tokio::spawn(async move {
            app.graphql(
                OPT_OUT,
                json!({ "input": { "id": lead, "didOptOut": true } }),
            )
            .await
        })
    };
    let (approve, opt_out) = (approve.await.unwrap(), opt_out.await.unwrap());
    assert_eq!(codes(&opt_out), Vec::<String>::new(), "{opt_out:#}");
    let approved = match codes(&approve).as_slice() {
        [] => true,
        // The opt-out committed first: the draft was cancelled (or the lead refuses it).
        [code] if code == "BAD_USER_INPUT" => false,
        _ => panic!("approveDraft answered {approve:#}"),
    };
    let state = app.data(STATE, json!({ "id": lead })).await;
    assert_eq!(state["lead"]["didOptOut"], true);
    let message = state["lead"]["actionLogs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|log| log["type"] == "MESSAGE")
        .unwrap()
        .clone();
    let expected = if approved { "COMPLETED" } else { "CANCELLED" };
    assert_eq!(message["status"], expected, "{state:#}");
}

on_both_backends! {
    async fn approving_a_draft_races_an_opt_out_without_deadlock(app) {
        let app = std::sync::Arc::new(app);
        for i in 0..ROUNDS {
            round(&app, i).await;
        }
    }
}
