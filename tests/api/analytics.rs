//! Analytics: `GET /api/v0/analytics` (json pages, csv to the document store) and the
//! GraphQL `analytics` query, on a seeded dataset, across pages, and for every bad
//! parameter.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use leadgate::domain::checklist::import;
use leadgate::entities::{
    action_log,
    enums::{ActionLogStatus, ActionLogType, AssigneeType, LeadStatus},
    lead,
};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::documents::{Docs, Kind};
use crate::harness::{TestApp, documented_input, error_code};

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// GETs the analytics route with `query` (already URL-safe) and `key`.
async fn get(app: &TestApp, key: Option<&str>, query: &str) -> (StatusCode, Value) {
    let mut request = Request::get(format!("/api/v0/analytics?{query}"));
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    let (status, _, body) = app.send(request.body(Body::empty()).unwrap()).await;
    let body = serde_json::from_slice(&body)
        .unwrap_or_else(|_| panic!("JSON answer: {}", String::from_utf8_lossy(&body)));
    (status, body)
}

/// A range around now (leads created by the test fall in it).
fn around_now() -> String {
    let now = Utc::now();
    format!(
        "start={}&end={}",
        iso(now - TimeDelta::hours(1)),
        iso(now + TimeDelta::hours(1))
    )
}

async fn mutate(app: &TestApp, query: &str, variables: Value) -> Value {
    app.data(query, variables).await
}

async fn record_message(app: &TestApp, lead: &str, direction: &str, channel: &str) {
    mutate(
        app,
        "mutation($input: RecordMessageInput!) { recordMessage(input: $input) { success } }",
        json!({ "input": { "leadId": lead, "direction": direction, "channel": channel, "subject": "s", "body": "hello" } }),
    )
    .await;
}

struct Seeded {
    completed: String,
    opted_out: String,
    busy: String,
}

/// Three counted leads (a completed one, an opted-out one, one with messages on both
/// channels, a rejected draft, a pending follow-up and a manual update), plus a deleted
/// lead, a test lead and another workspace's lead that must not count.
async fn seed(app: &TestApp) -> Seeded {
    let completed = app.create_lead(documented_input()).await;
    let opted_out = app
        .create_lead(
            json!({ "firstName": "Olive", "email": "olive@example.com", "didOptOut": true }),
        )
        .await;
    let busy = app
        .create_lead(json!({
            "firstName": "Bea", "lastName": "Busy", "email": "bea@example.com", "phoneNumber": "6782319992",
            "checklistItems": [{ "code": "business_name", "value": "Busy LLC", "status": "COMPLETED" }]
        }))
        .await;
    record_message(app, &busy, "INBOUND", "SMS").await;
    record_message(app, &busy, "INBOUND", "SMS").await;
    record_message(app, &busy, "OUTBOUND", "SMS").await;
    record_message(app, &busy, "OUTBOUND", "EMAIL").await;
    record_message(app, &completed, "INBOUND", "EMAIL").await;
    // Inbound messages of an opted-out lead are still recorded.
    record_message(app, &opted_out, "INBOUND", "EMAIL").await;
    let draft = mutate(
        app,
        "mutation($input: DraftMessageInput!) { draftMessage(input: $input) { actionLog { id } } }",
        json!({ "input": { "leadId": busy, "channel": "EMAIL", "subject": "s", "body": "draft" } }),
    )
    .await["draftMessage"]["actionLog"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    mutate(
        app,
        "mutation($id: ID!) { cancelAction(id: $id) { success } }",
        json!({ "id": draft }),
    )
    .await;
    mutate(
        app,
        "mutation($input: ScheduleFollowUpInput!) { scheduleFollowUp(input: $input) { success } }",
        json!({ "input": { "leadId": busy, "channel": "SMS", "body": "later",
                           "scheduledAt": iso(Utc::now() + TimeDelta::days(1)) } }),
    )
    .await;
    // Nothing records MANUAL_UPDATE through the API yet; the figure counts stored ones.
    let now = Utc::now();
    action_log::Entity::insert(action_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(app.workspace_id),
        lead_id: Set(Uuid::parse_str(&busy).unwrap()),
        r#type: Set(ActionLogType::ManualUpdate),
        status: Set(ActionLogStatus::Completed),
        summary: Set("Edited by hand".into()),
        changes: Set(None),
        input: Set(None),
        output: Set(None),
        error: Set(None),
        parent_action_id: Set(None),
        tool_id: Set(None),
        created_at: Set(now),
        scheduled_at: Set(None),
        completed_at: Set(Some(now)),
    })
    .exec(&app.db)
    .await
    .unwrap();

    // Not counted: deleted, test, another workspace's.
    let deleted = app.create_lead(documented_input()).await;
    record_message(app, &deleted, "INBOUND", "SMS").await;
    mutate(
        app,
        "mutation($id: ID!) { deleteLead(id: $id) { id } }",
        json!({ "id": deleted }),
    )
    .await;
    let test_lead = app
        .create_lead_with(
            &app.test_key.clone(),
            json!({ "firstName": "Tess", "email": "t@example.com" }),
        )
        .await;
    app.graphql_with(
        Some(&app.test_key),
        "mutation($input: RecordMessageInput!) { recordMessage(input: $input) { success } }",
        json!({ "input": { "leadId": test_lead, "direction": "INBOUND", "channel": "EMAIL", "body": "x" } }),
    )
    .await;
    let (_, other_key) = app.other_workspace("Other").await;
    app.create_lead_with(&other_key, documented_input()).await;
    Seeded {
        completed,
        opted_out,
        busy,
    }
}

const GRAPHQL: &str = r#"query($start: DateTime!, $end: DateTime!, $first: Int, $after: String) {
  analytics(start: $start, end: $end, first: $first, after: $after) {
    start end nextToken
    totals {
      count leadsCompleted leadsOptedOut totalMessages inboundMessages outboundMessages
      channels { sms { inbound outbound } email { inbound outbound } }
      completion { totalRequired totalCompleted bySource { agent imported manual portal } }
      interventions { documentOverrides escalations manualUpdates messageEdits messageRejects }
    }
    breakdown {
      pageInfo { hasNextPage endCursor }
      nodes {
        leadId firstName lastName email phoneNumber createdAt completedAt optedOutAt
        totalMessages inboundMessages outboundMessages lastInboundAt lastOutboundAt
        channels {
          sms { inbound outbound lastInboundAt lastOutboundAt }
          email { inbound outbound lastInboundAt lastOutboundAt }
        }
        checklist { code required status value updatedAt source }
      }
    }
  }
}"#;

fn lead_of<'a>(answer: &'a Value, id: &str) -> &'a Value {
    answer["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["leadId"] == id)
        .unwrap_or_else(|| panic!("lead {id} in {answer:#}"))
}

on_both_backends! {
    async fn figures_count_the_range_s_leads_only_and_graphql_equals_rest(app) {
        let start = Utc::now() - TimeDelta::hours(1);
        let seeded = seed(&app).await;
        let end = Utc::now() + TimeDelta::hours(1);
        let query = format!("start={}&end={}", iso(start), iso(end));
        let (status, answer) = get(&app, Some(&app.key), &query).await;
        assert_eq!(status, StatusCode::OK, "{answer:#}");
        assert_eq!(answer["start"], iso(start));
        assert_eq!(answer["end"], iso(end));
        assert_eq!(answer["nextToken"], Value::Null);
        assert_eq!(
            answer["totals"],
            json!({
                "count": 3, "leadsCompleted": 1, "leadsOptedOut": 1,
                "totalMessages": 6, "inboundMessages": 4, "outboundMessages": 2,
                "channels": { "sms": { "inbound": 2, "outbound": 1 }, "email": { "inbound": 2, "outbound": 1 } },
                // 2 required items per lead; the completed lead has both, Bea one.
                "completion": { "totalRequired": 6, "totalCompleted": 3,
                                "bySource": { "agent": 0, "imported": 0, "manual": 0, "portal": 0 } },
                "interventions": { "documentOverrides": 0, "escalations": 0, "manualUpdates": 1,
                                   "messageEdits": 0, "messageRejects": 1 }
            })
        );
        let ids: Vec<&str> = answer["breakdown"].as_array().unwrap().iter()
            .map(|l| l["leadId"].as_str().unwrap()).collect();
        // Oldest first.
        assert_eq!(ids, [seeded.completed.as_str(), &seeded.opted_out, &seeded.busy]);

        let busy = lead_of(&answer, &seeded.busy);
        assert_eq!(
            (busy["firstName"].clone(), busy["lastName"].clone(), busy["email"].clone(), busy["phoneNumber"].clone()),
            (json!("Bea"), json!("Busy"), json!("bea@example.com"), json!("+16782319992"))
        );
        assert_eq!((busy["totalMessages"].clone(), busy["inboundMessages"].clone(), busy["outboundMessages"].clone()),
                   (json!(4), json!(2), json!(2)));
        assert_eq!(busy["channels"]["sms"]["inbound"], 2);
        assert_eq!(busy["channels"]["sms"]["outbound"], 1);
        assert_eq!(busy["channels"]["email"]["inbound"], 0);
        assert_eq!(busy["channels"]["email"]["outbound"], 1);
        assert_eq!(busy["channels"]["email"]["lastInboundAt"], Value::Null);
        assert!(busy["channels"]["sms"]["lastInboundAt"].is_string());
        assert!(busy["lastOutboundAt"].as_str().unwrap() >= busy["lastInboundAt"].as_str().unwrap());
        assert_eq!(busy["lastOutboundAt"], busy["channels"]["email"]["lastOutboundAt"]);
        assert_eq!(busy["completedAt"], Value::Null);
        assert_eq!(busy["optedOutAt"], Value::Null);
        let checklist = busy["checklist"].as_array().unwrap();
        assert_eq!(checklist.len(), 2);
        assert_eq!(checklist[0]["code"], "business_name");
        assert_eq!(checklist[0]["required"], true);
        assert_eq!(checklist[0]["status"], "COMPLETED");
        assert_eq!(checklist[0]["value"], "Busy LLC");
        assert!(checklist[0]["updatedAt"].is_string());
        assert_eq!(checklist[0]["source"], Value::Null);
        assert_eq!(checklist[1]["code"], "tax_id");
        assert_eq!(checklist[1]["status"], "TODO");
        assert_eq!(checklist[1]["value"], Value::Null);

        let completed = lead_of(&answer, &seeded.completed);
        assert!(completed["completedAt"].is_string());
        assert_eq!(completed["channels"]["email"]["inbound"], 1);
        let opted_out = lead_of(&answer, &seeded.opted_out);
        assert!(opted_out["optedOutAt"].is_string());
        assert_eq!(opted_out["inboundMessages"], 1);

        // GraphQL: the same figures.
        let data = app.data(GRAPHQL, json!({ "start": iso(start), "end": iso(end) })).await;
        let graphql = &data["analytics"];
        assert_eq!(graphql["start"], answer["start"]);
        assert_eq!(graphql["end"], answer["end"]);
        assert_eq!(graphql["nextToken"], Value::Null);
        assert_eq!(graphql["totals"], answer["totals"]);
        assert_eq!(graphql["breakdown"]["nodes"], answer["breakdown"]);
        assert_eq!(graphql["breakdown"]["pageInfo"]["hasNextPage"], false);

        // A range before everything holds nothing; a test key sees the same figures
        // (test leads are excluded whichever key asks).
        let (_, empty) = get(&app, Some(&app.key), "start=2020-01-01&end=2020-12-31").await;
        assert_eq!(empty["totals"]["count"], 0);
        assert_eq!(empty["totals"]["completion"]["totalRequired"], 0);
        assert_eq!(empty["breakdown"], json!([]));
        assert_eq!(empty["end"], "2020-12-31T23:59:59.999Z");
        let (_, test) = get(&app, Some(&app.test_key), &query).await;
        assert_eq!(test["totals"], answer["totals"]);
    }

}

on_both_backends! {
    async fn every_bad_parameter_is_a_400_naming_it(app) {
        let range = around_now();
        let cases: Vec<(String, &str)> = vec![
            ("start=2026-02-01&end=2026-01-01".into(), "start"),
            ("start=yesterday&end=2026-01-01".into(), "start"),
            ("start=2026-01-01&end=2026-13-45".into(), "end"),
            ("end=2026-01-01".into(), "start"),
            ("start=2026-01-01".into(), "end"),
            (format!("{range}&format=xml"), "format"),
            (format!("{range}&token=not-a-token"), "token"),
            (format!("{range}&format=csv&token=abc"), "token"),
            (format!("{range}&colour=red"), "colour"),
            (format!("{range}&start=2026-01-01"), "start"),
        ];
        for (query, field) in cases {
            let (status, body) = get(&app, Some(&app.key), &query).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body:#}");
            assert_eq!(body["success"], false);
            assert_eq!(body["error"]["code"], "BAD_USER_INPUT", "{query}");
            let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter()
                .map(|f| f["field"].as_str().unwrap()).collect();
            assert!(fields.contains(&field), "{query}: {body:#}");
        }
        // A token of another range is refused too.
        app.create_lead(json!({ "firstName": "A" })).await;
        app.create_lead(json!({ "firstName": "B" })).await;
        let data = app.data(GRAPHQL, json!({ "start": "2026-01-01T00:00:00Z", "end": iso(Utc::now() + TimeDelta::hours(1)), "first": 1 })).await;
        let token = data["analytics"]["nextToken"].as_str().expect("a next page").to_owned();
        let (status, body) = get(&app, Some(&app.key), &format!("{range}&token={token}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["field"], "token");
        // No key: 401 before anything else.
        let (status, body) = get(&app, None, &range).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "UNAUTHENTICATED");

        // GraphQL: start after end, a bad `first` or `after`, each BAD_USER_INPUT naming it.
        for (variables, field) in [
            (json!({ "start": "2026-02-01T00:00:00Z", "end": "2026-01-01T00:00:00Z" }), "start"),
            (json!({ "start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z", "first": 0 }), "first"),
            (json!({ "start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z", "first": 501 }), "first"),
            (json!({ "start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z", "after": "zzz" }), "after"),
        ] {
            let response = app.graphql(GRAPHQL, variables.clone()).await;
            assert_eq!(error_code(&response), "BAD_USER_INPUT", "{variables}: {response:#}");
            assert_eq!(response["errors"][0]["extensions"]["field"], field, "{response:#}");
        }
    }

}

on_both_backends! {
    async fn pages_of_500_walk_every_lead_once_in_a_fixed_number_of_statements(app) {
        let base = Utc::now() - TimeDelta::minutes(30);
        let total = 1005;
        let leads: Vec<lead::ActiveModel> = (0..total)
            .map(|i| {
                // Pairs share a creation time, so the keyset's id tiebreak is exercised.
                let at = base + TimeDelta::milliseconds(i / 2);
                lead::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    workspace_id: Set(app.workspace_id),
                    first_name: Set(format!("Lead {i}")),
                    middle_name: Set(None),
                    last_name: Set(None),
                    sort_name: Set(format!("lead {i}")),
                    email: Set(None),
                    email_key: Set(None),
                    phone_number: Set(None),
                    phone_e164: Set(None),
                    business_name: Set(None),
                    website: Set(None),
                    external_lead_id: Set(None),
                    external_portal_link: Set(None),
                    timezone: Set(None),
                    assignee_type: Set(AssigneeType::AiAgent),
                    status: Set(LeadStatus::InProgress),
                    source: Set("api".into()),
                    activity_summary: Set(None),
                    did_opt_out: Set(i % 10 == 0),
                    opt_out_at: Set((i % 10 == 0).then_some(at)),
                    email_verified_at: Set(None),
                    phone_verified_at: Set(None),
                    is_test: Set(false),
                    submitted_at: Set(None),
                    created_at: Set(at),
                    updated_at: Set(at),
                    deleted_at: Set(None),
                }
            })
            .collect();
        for chunk in leads.chunks(200) {
            lead::Entity::insert_many(chunk.to_vec()).exec(&app.db).await.unwrap();
        }
        let range = around_now();
        // The key's first request in a minute also records lastUsedAt: not counted below.
        get(&app, Some(&app.key), &range).await;
        let mut seen = std::collections::HashSet::new();
        let mut token: Option<String> = None;
        let mut sizes = Vec::new();
        let mut statements = Vec::new();
        loop {
            let query = match &token {
                Some(t) => format!("{range}&token={t}"),
                None => range.clone(),
            };
            app.reset_statements();
            let (status, page) = get(&app, Some(&app.key), &query).await;
            statements.push(app.statements().0);
            assert_eq!(status, StatusCode::OK, "{page:#}");
            assert_eq!(page["totals"]["count"], total);
            assert_eq!(page["totals"]["leadsOptedOut"], 101);
            assert_eq!(page["totals"]["completion"]["totalRequired"], 2 * total);
            let leads = page["breakdown"].as_array().unwrap();
            sizes.push(leads.len());
            for lead in leads {
                assert!(seen.insert(lead["leadId"].as_str().unwrap().to_owned()), "a lead twice");
                assert_eq!(lead["checklist"].as_array().unwrap().len(), 2);
            }
            match page["nextToken"].as_str() {
                Some(next) => token = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(sizes, [500, 500, 5]);
        assert_eq!(seen.len(), total as usize);
        // Key (1), totals (4), leads (1), messages (1), checklists (2: template, entries):
        // the same for a page of 500 leads and one of 5.
        assert_eq!(statements, [9, 9, 9], "statements per page");

        // The CSV holds every lead of the range, across its pages (here in the default
        // in-memory store, downloaded through the signed route).
        let started = std::time::Instant::now();
        let (status, answer) = get(&app, Some(&app.key), &format!("{range}&format=csv")).await;
        eprintln!("csv of {total} leads written in {:?}", started.elapsed());
        assert_eq!(status, StatusCode::OK, "{answer:#}");
        let url = answer["downloadUrl"].as_str().unwrap();
        let (status, _, body) = app.send(Request::get(url).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        let mut reader = csv::Reader::from_reader(body.as_ref());
        let ids: std::collections::HashSet<String> =
            reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
        assert_eq!(ids, seen);

        // GraphQL pages the same way with `first` and `after`.
        let (start, end) = (iso(base - TimeDelta::hours(1)), iso(Utc::now() + TimeDelta::hours(1)));
        let first = app.data(GRAPHQL, json!({ "start": start, "end": end, "first": 3 })).await;
        let nodes = first["analytics"]["breakdown"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 3);
        assert_eq!(first["analytics"]["breakdown"]["pageInfo"]["hasNextPage"], true);
        let after = first["analytics"]["nextToken"].as_str().unwrap();
        let second = app.data(GRAPHQL, json!({ "start": start, "end": end, "first": 3, "after": after })).await;
        assert_eq!(second["analytics"]["breakdown"]["nodes"][0]["firstName"], "Lead 3");
    }
}

/// Runs a csv test on each store and backend (as `documents::on_both_stores!`).
macro_rules! csv_on_both_stores {
    ($name:ident) => {
        mod $name {
            on_both_backends!(
                async fn local(app) {
                    crate::analytics::$name(app, crate::documents::Kind::Local).await
                }
            );
            on_both_backends!(
                async fn s3(app) {
                    crate::analytics::$name(app, crate::documents::Kind::S3).await
                }
            );
        }
    };
}

csv_on_both_stores!(csv_is_written_to_the_store_and_served_by_a_signed_url);

pub async fn csv_is_written_to_the_store_and_served_by_a_signed_url(app: TestApp, kind: Kind) {
    // The documents setup: its store, its signer, and one lead (Ada) of its own template.
    let Some(docs) = Docs::new(app, kind).await else {
        return;
    };
    let app = &docs.app;
    // Back to the documented template (seed's leads use it).
    let template = import::parse(leadgate::domain::demo::DEMO_TEMPLATE).unwrap();
    import::replace(&app.db, app.workspace_id, &template)
        .await
        .unwrap();
    let seeded = seed(app).await;
    let before = docs.objects().await;
    let (status, answer) = get(app, Some(&app.key), &format!("{}&format=csv", around_now())).await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    let url = answer["downloadUrl"].as_str().unwrap().to_owned();
    let expires = DateTime::parse_from_rfc3339(answer["expiresAt"].as_str().unwrap()).unwrap();
    let lifetime = expires.with_timezone(&Utc) - Utc::now();
    assert!(
        lifetime > TimeDelta::minutes(59) && lifetime <= TimeDelta::hours(1),
        "{lifetime}"
    );
    let after = docs.objects().await;
    assert_eq!(after.len(), before.len() + 1, "one object written");
    let object = after.iter().find(|k| !before.contains(k)).unwrap();
    assert!(
        object.contains(&format!("{}/analytics-", app.workspace_id)),
        "{object}"
    );
    if kind == Kind::S3 {
        assert!(url.contains("X-Amz-Expires=3600"), "{url}");
    } else {
        assert!(
            url.starts_with(&format!("/documents/{}/analytics-", app.workspace_id)),
            "{url}"
        );
    }

    let (status, headers, body) = docs.download(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".csv")
    );
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, leadgate::domain::analytics::export::COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // Ada (the documents setup's lead) and the three seeded ones; deleted and test leads not.
    assert_eq!(rows.len(), 4);
    let busy = rows.iter().find(|r| r[0] == *seeded.busy).unwrap();
    assert_eq!(&busy[1], "Bea");
    assert_eq!(&busy[4], "+16782319992");
    assert_eq!((&busy[8], &busy[9], &busy[10]), ("4", "2", "2"));
    assert_eq!(
        (&busy[13], &busy[14], &busy[17], &busy[18]),
        ("2", "1", "0", "1")
    );
    let checklist: Value = serde_json::from_str(&busy[21]).unwrap();
    assert_eq!(checklist[0]["code"], "business_name");
    assert_eq!(checklist[0]["status"], "COMPLETED");
    assert_eq!(checklist[0]["value"], "Busy LLC");
    let opted_out = rows.iter().find(|r| r[0] == *seeded.opted_out).unwrap();
    assert!(!opted_out[7].is_empty(), "optedOutAt");

    if kind == Kind::Local {
        // A tampered signature is refused.
        let tampered = format!("{}0", url.trim_end_matches(char::is_alphanumeric));
        let (status, _, _) = docs.download(&tampered).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}
