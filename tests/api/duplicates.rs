//! The duplicate policy of createLead / createLeads / REST: CREATE, SKIP, UPDATE, REJECT,
//! matched by email or E.164 phone against live, non-test leads; and dry runs.

use serde_json::{Value, json};

use crate::harness::{TestApp, error_code};

const CREATE: &str = r#"
mutation($input: CreateLeadInput!, $on: OnDuplicate!, $dry: Boolean!) {
  createLead(input: $input, onDuplicate: $on, dryRun: $dry) {
    outcome dryRun
    lead { id firstName lastName email status }
    checklistItems { name items { status value checklistItem { code } } }
    matchingLeads { id }
    actionLogs { summary changes }
  }
}"#;

async fn create(app: &TestApp, input: Value, on: &str) -> Value {
    app.graphql(CREATE, json!({ "input": input, "on": on, "dry": false }))
        .await
}

fn ada() -> Value {
    json!({ "firstName": "Ada", "lastName": "Byron", "email": "Ada@Example.COM", "phoneNumber": "6782319992" })
}

on_both_backends! {
    async fn skip_answers_the_existing_lead_and_writes_nothing(app) {
        let first = create(&app, ada(), "SKIP").await;
        assert_eq!(first["data"]["createLead"]["outcome"], "CREATED", "{first:#}");
        let id = first["data"]["createLead"]["lead"]["id"].clone();
        let before = app.written_rows().await;
        // Same email, other case and other phone: a duplicate by email.
        let again = create(&app, json!({ "firstName": "Someone", "email": "ada@example.com" }), "SKIP").await;
        assert_eq!(again["data"]["createLead"]["outcome"], "SKIPPED", "{again:#}");
        assert_eq!(again["data"]["createLead"]["lead"]["id"], id);
        assert_eq!(again["data"]["createLead"]["lead"]["firstName"], "Ada");
        // Same phone in another format: a duplicate by phone.
        let by_phone = create(&app, json!({ "firstName": "P", "phoneNumber": "+1 (678) 231-9992" }), "SKIP").await;
        assert_eq!(by_phone["data"]["createLead"]["lead"]["id"], id);
        assert_eq!(app.written_rows().await, before);
        // CREATE (the default) still creates.
        let created = create(&app, ada(), "CREATE").await;
        assert_eq!(created["data"]["createLead"]["outcome"], "CREATED");
        assert_eq!(app.count("leads").await, 2);
    }
}

on_both_backends! {
    async fn deleted_and_test_leads_are_not_duplicates(app) {
        let first = create(&app, ada(), "SKIP").await;
        let id = first["data"]["createLead"]["lead"]["id"].clone();
        app.data("mutation($id: ID!) { deleteLead(id: $id) { id } }", json!({ "id": id })).await;
        let again = create(&app, ada(), "SKIP").await;
        assert_eq!(again["data"]["createLead"]["outcome"], "CREATED");
        assert_ne!(again["data"]["createLead"]["lead"]["id"], id);
    }
}

on_both_backends! {
    async fn reject_refuses_with_the_matching_ids(app) {
        let a = app.create_lead(ada()).await;
        let b = app.create_lead(json!({ "firstName": "Other", "phoneNumber": "678-231-9992" })).await;
        let before = app.written_rows().await;
        let refused = create(&app, json!({ "firstName": "Ada", "email": "ada@example.com", "phoneNumber": "6782319992" }), "REJECT").await;
        assert_eq!(error_code(&refused), "DUPLICATE_LEAD", "{refused:#}");
        let ext = &refused["errors"][0]["extensions"];
        assert_eq!(ext["field"], "email");
        let ids: Vec<&str> = ext["matchingLeadIds"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(ids, [a.as_str(), b.as_str()]);
        assert_eq!(app.written_rows().await, before);
        // No duplicate: created.
        let fresh = create(&app, json!({ "firstName": "New", "email": "new@example.com" }), "REJECT").await;
        assert_eq!(fresh["data"]["createLead"]["outcome"], "CREATED");
    }
}

on_both_backends! {
    async fn update_applies_the_input_with_one_updated_log(app) {
        let id = app.create_lead(ada()).await;
        let mut input = json!({
            "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com",
            "checklistItems": [{ "code": "tax_id", "value": "12-3456789" }]
        });
        let updated = create(&app, input.clone(), "UPDATE").await;
        let payload = &updated["data"]["createLead"];
        assert_eq!(payload["outcome"], "UPDATED", "{updated:#}");
        assert_eq!(payload["lead"]["id"], id.as_str());
        assert_eq!(payload["lead"]["lastName"], "Lovelace");
        // Fields the input leaves out stay (the phone).
        let read = app.data("query($id: ID!) { lead(id: $id) { phoneNumber actionLogs { summary changes } } }", json!({ "id": id })).await;
        assert_eq!(read["lead"]["phoneNumber"], "+16782319992");
        let logs = read["lead"]["actionLogs"].as_array().unwrap();
        assert_eq!(logs.len(), 2);
        assert_eq!(logs[0]["summary"], "Lead updated");
        assert_eq!(logs[0]["changes"]["lead"]["lastName"], json!({ "from": "Byron", "to": "Lovelace" }));
        assert_eq!(app.count("leads").await, 1);
        // Bad input is refused by updateLead's rules, naming the field.
        input["checklistItems"][0]["value"] = json!("nope");
        let bad = create(&app, input, "UPDATE").await;
        assert_eq!(error_code(&bad), "BAD_USER_INPUT");
        assert_eq!(bad["errors"][0]["extensions"]["field"], "checklistItems[0].value");
        assert_eq!(app.count("action_logs").await, 2);
    }
}

const BATCH: &str = r#"
mutation($inputs: [CreateLeadInput!]!, $on: OnDuplicate!, $all: Boolean!) {
  createLeads(inputs: $inputs, onDuplicate: $on, options: { allOrNone: $all }) {
    success created skipped updated failed
    results { success outcome lead { id } errors { code field matchingLeadIds } }
  }
}"#;

on_both_backends! {
    async fn a_batch_applies_the_policy_to_each_input_and_within_itself(app) {
        let existing = app.create_lead(ada()).await;
        let inputs = json!([
            ada(),
            { "firstName": "New", "email": "new@example.com" },
            { "firstName": "New again", "email": "NEW@example.com" },
        ]);
        let skipped = app.data(BATCH, json!({ "inputs": inputs, "on": "SKIP", "all": false })).await;
        let payload = &skipped["createLeads"];
        assert_eq!((payload["created"].clone(), payload["skipped"].clone()), (json!(1), json!(2)), "{payload:#}");
        let results = payload["results"].as_array().unwrap();
        assert_eq!(results[0]["lead"]["id"], existing.as_str());
        // The third matches the second, created earlier in the same batch.
        assert_eq!(results[2]["outcome"], "SKIPPED");
        assert_eq!(results[2]["lead"]["id"], results[1]["lead"]["id"]);
        assert_eq!(app.count("leads").await, 2);

        let rejected = app.data(BATCH, json!({ "inputs": [ada(), { "firstName": "Z", "email": "z@example.com" }], "on": "REJECT", "all": false })).await;
        let results = rejected["createLeads"]["results"].as_array().unwrap();
        assert_eq!(results[0]["errors"][0]["code"], "DUPLICATE_LEAD");
        assert_eq!(results[0]["errors"][0]["field"], "inputs[0].email");
        assert_eq!(results[0]["errors"][0]["matchingLeadIds"], json!([existing]));
        assert_eq!(results[1]["outcome"], "CREATED");
        assert_eq!(app.count("leads").await, 3);

        // allOrNone: the duplicate refuses the batch.
        let refused = app.graphql(BATCH, json!({ "inputs": [{ "firstName": "Y", "email": "y@example.com" }, ada()], "on": "REJECT", "all": true })).await;
        assert_eq!(error_code(&refused), "DUPLICATE_LEAD", "{refused:#}");
        assert_eq!(refused["errors"][0]["extensions"]["field"], "inputs[1].email");
        assert_eq!(app.count("leads").await, 3);

        let updated = app.data(BATCH, json!({ "inputs": [{ "firstName": "Ada", "lastName": "L", "email": "ada@example.com" }], "on": "UPDATE", "all": false })).await;
        assert_eq!(updated["createLeads"]["updated"], 1, "{updated:#}");
        assert_eq!(app.count("leads").await, 3);
    }
}

on_both_backends! {
    async fn a_dry_run_answers_what_would_happen_and_writes_nothing(app) {
        let existing = app.create_lead(ada()).await;
        let before = app.written_rows().await;
        let input = json!({
            "firstName": "Ada", "email": "ada@example.com",
            "checklistItems": [
                { "code": "business_name", "value": "Acme" },
                { "code": "tax_id", "value": "12-3456789" }
            ]
        });
        app.reset_statements();
        let dry = app.data(CREATE, json!({ "input": input, "on": "CREATE", "dry": true })).await;
        let (statements, log) = app.statements();
        let payload = &dry["createLead"];
        assert_eq!(payload["dryRun"], true);
        assert_eq!(payload["outcome"], "CREATED");
        assert_eq!(payload["lead"]["status"], "COMPLETED");
        let items = &payload["checklistItems"][0]["items"];
        assert_eq!(items[0]["value"], "Acme");
        assert_eq!(items[1]["status"], "COMPLETED");
        assert_eq!(payload["matchingLeads"], json!([{ "id": existing }]));
        assert_eq!(payload["actionLogs"], json!([]));
        assert_eq!(app.written_rows().await, before);
        // Reads only: the key, the template (1) and the matches; no write, no lock.
        assert!(log.iter().all(|sql| sql.trim_start().to_uppercase().starts_with("SELECT")), "{log:#?}");
        assert!(log.iter().all(|sql| !sql.contains("pg_advisory")), "{log:#?}");
        assert!(statements <= 3, "{statements} statements: {log:#?}");

        // Bad input is refused as a real create would be.
        let bad = app.graphql(CREATE, json!({ "input": { "firstName": "", "email": "x" }, "on": "CREATE", "dry": true })).await;
        assert_eq!(error_code(&bad), "BAD_USER_INPUT");
        // The duplicate outcome, without writing.
        let skip = app.data(CREATE, json!({ "input": input, "on": "SKIP", "dry": true })).await;
        assert_eq!(skip["createLead"]["outcome"], "SKIPPED");
        assert_eq!(skip["createLead"]["lead"]["id"], existing.as_str());
        let reject = app.graphql(CREATE, json!({ "input": input, "on": "REJECT", "dry": true })).await;
        assert_eq!(error_code(&reject), "DUPLICATE_LEAD");
        let batch = app.data(r#"mutation($inputs: [CreateLeadInput!]!) { createLeads(inputs: $inputs, dryRun: true) { dryRun created results { payload { checklistItems { name } } } } }"#,
            json!({ "inputs": [input.clone(), input] })).await;
        assert_eq!(batch["createLeads"]["created"], 2);
        assert_eq!(batch["createLeads"]["dryRun"], true);
        assert_eq!(app.written_rows().await, before);
    }
}

on_both_backends! {
    async fn a_dry_run_update_previews_the_changes_and_writes_nothing(app) {
        let existing = app.create_lead(ada()).await;
        let before = app.written_rows().await;
        let input = json!({
            "firstName": "Adeline", "email": "ada@example.com",
            "checklistItems": [{ "code": "business_name", "value": "Analytical Engines" }]
        });
        app.reset_statements();
        let dry = app.data(CREATE, json!({ "input": input, "on": "UPDATE", "dry": true })).await;
        let (_, log) = app.statements();
        let payload = &dry["createLead"];
        assert_eq!(payload["dryRun"], true);
        assert_eq!(payload["outcome"], "UPDATED");
        // The lead as the update would leave it: the input's fields, the rest kept.
        assert_eq!(payload["lead"]["id"], existing.as_str());
        assert_eq!(payload["lead"]["firstName"], "Adeline");
        assert_eq!(payload["lead"]["lastName"], "Byron");
        let items = &payload["checklistItems"][0]["items"];
        assert_eq!(items[0]["checklistItem"]["code"], "business_name");
        assert_eq!(items[0]["value"], "Analytical Engines");
        // Its timeline is the stored one: the update's log is not written.
        assert_eq!(payload["actionLogs"].as_array().unwrap().len(), 1, "{payload:#}");
        assert_eq!(app.written_rows().await, before);
        assert!(log.iter().all(|sql| sql.trim_start().to_uppercase().starts_with("SELECT")), "{log:#?}");
        // Stored: unchanged.
        let stored = app.data("query($id: ID!) { lead(id: $id) { firstName checklistItems { items { value } } } }", json!({ "id": existing })).await;
        assert_eq!(stored["lead"]["firstName"], "Ada");
        assert_eq!(stored["lead"]["checklistItems"][0]["items"][0]["value"], Value::Null);
        // An update the rules refuse is refused in the dry run too, naming the field.
        let bad = app.graphql(CREATE, json!({ "input": { "email": "ada@example.com", "checklistItems": [{ "code": "nope", "value": "x" }] }, "on": "UPDATE", "dry": true })).await;
        assert_eq!(error_code(&bad), "BAD_USER_INPUT", "{bad:#}");
        // The real update then does what the dry run said.
        let real = app.data(CREATE, json!({ "input": input, "on": "UPDATE", "dry": false })).await;
        assert_eq!(real["createLead"]["lead"]["firstName"], payload["lead"]["firstName"]);
        assert_eq!(real["createLead"]["checklistItems"], payload["checklistItems"]);
    }
}

fn rest(app: &TestApp, path: &str, body: Value) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::post(path)
        .header("content-type", "application/json")
        .header("x-api-key", &app.key)
        .body(axum::body::Body::from(body.to_string()))
        .unwrap()
}

on_both_backends! {
    async fn rest_batch_answers_each_input_with_its_own_success(app) {
        let existing = app.create_lead(ada()).await;
        let body = json!({ "inputs": [
            { "firstName": "Ada", "email": "ada@example.com" },
            { "firstName": "", "email": "bad" },
            { "firstName": "Bob", "assigneeType": "manual" },
        ] });
        let (status, _, answer) = app.send(rest(&app, "/api/v1/leads/batch?onDuplicate=skip", body.clone())).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
        let answer: Value = serde_json::from_slice(&answer).unwrap();
        assert_eq!(answer["success"], false);
        let results = answer["results"].as_array().unwrap();
        assert_eq!(results[0]["success"], true);
        assert_eq!(results[0]["outcome"], "SKIPPED");
        assert_eq!(results[0]["lead"]["id"], existing.as_str());
        assert_eq!(results[1]["success"], false);
        assert_eq!(results[1]["error"]["code"], "BAD_USER_INPUT");
        assert_eq!(results[1]["error"]["field"], "inputs[1].firstName");
        assert_eq!(results[2]["lead"]["assigneeType"], "HUMAN_AGENT");
        assert_eq!(app.count("leads").await, 2);

        // allOrNone: refused whole, in the error envelope.
        let mut all = body.clone();
        all["allOrNone"] = json!(true);
        let (status, _, _) = app.send(rest(&app, "/api/v1/leads/batch", all)).await;
        assert_eq!(status, 400);
        assert_eq!(app.count("leads").await, 2);
        // Over 100 inputs, and an unknown field.
        let many: Vec<Value> = (0..101).map(|i| json!({ "firstName": format!("P{i}") })).collect();
        let (status, _, _) = app.send(rest(&app, "/api/v1/leads/batch", json!({ "inputs": many }))).await;
        assert_eq!(status, 400);
        // A full batch: every lead read back in one request of our own (past the
        // clients' alias and root-field limits).
        let full: Vec<Value> = (0..100).map(|i| json!({ "firstName": format!("Full {i}") })).collect();
        let (status, _, answer) = app.send(rest(&app, "/api/v1/leads/batch", json!({ "inputs": full }))).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
        let answer: Value = serde_json::from_slice(&answer).unwrap();
        assert_eq!(answer["results"][99]["lead"]["firstName"], "Full 99");
        assert_eq!(app.count("leads").await, 102);
        let (status, _, answer) = app.send(rest(&app, "/api/v1/leads/batch", json!({ "inputs": [], "extra": 1 }))).await;
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(&answer));

        // Single create: REJECT is 409 with the ids; a dry run writes nothing.
        let (status, _, answer) = app.send(rest(&app, "/api/v1/leads?onDuplicate=REJECT", json!({ "firstName": "Ada", "email": "ada@example.com" }))).await;
        assert_eq!(status, 409);
        let answer: Value = serde_json::from_slice(&answer).unwrap();
        assert_eq!(answer["error"]["code"], "DUPLICATE_LEAD");
        assert_eq!(answer["error"]["matchingLeadIds"], json!([existing]));
        let before = app.written_rows().await;
        let (status, _, answer) = app.send(rest(&app, "/api/v1/leads?dryRun=true", json!({ "firstName": "Dry", "email": "ada@example.com" }))).await;
        assert_eq!(status, 200);
        let answer: Value = serde_json::from_slice(&answer).unwrap();
        assert_eq!(answer["dryRun"], true);
        assert_eq!(answer["outcome"], "CREATED");
        // The documented create payload's keys, in order, with dryRun and outcome.
        let keys: Vec<&str> = answer.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["success", "dryRun", "outcome", "lead", "checklistItems", "actionLogs", "matchingLeads", "lastAction", "nextFollowUp", "nextDraft"]);
        assert_eq!(answer["lead"]["firstName"], "Dry");
        assert_eq!(answer["matchingLeads"][0]["id"], existing.as_str());
        assert_eq!(answer["checklistItems"][0]["items"][0]["checklistItem"]["code"], "business_name");
        assert_eq!(answer["actionLogs"], json!([]));
        assert_eq!(answer["lastAction"], Value::Null);
        // The batch's dry run: each input's lead, checklist and matches.
        let (status, _, batch) = app.send(rest(&app, "/api/v1/leads/batch?dryRun=true&onDuplicate=update", json!({ "inputs": [
            { "firstName": "Dry", "email": "dry@example.com", "checklistItems": [{ "code": "business_name", "value": "Dry Co" }] },
            { "firstName": "Adeline", "email": "ada@example.com" },
        ] }))).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&batch));
        let batch: Value = serde_json::from_slice(&batch).unwrap();
        assert_eq!(batch["dryRun"], true);
        let results = &batch["results"];
        assert_eq!(results[0]["outcome"], "CREATED");
        assert_eq!(results[0]["checklistItems"][0]["items"][0]["value"], "Dry Co");
        assert_eq!(results[1]["outcome"], "UPDATED");
        assert_eq!(results[1]["lead"]["id"], existing.as_str());
        assert_eq!(results[1]["lead"]["firstName"], "Adeline");
        assert_eq!(app.written_rows().await, before);
        assert_eq!(app.count("leads").await, 102);
        let (status, _, _) = app.send(rest(&app, "/api/v1/leads?dryRun=maybe", json!({ "firstName": "Dry" }))).await;
        assert_eq!(status, 400);
    }
}

on_both_backends! {
    async fn concurrent_skip_creates_of_one_person_make_one_lead(app) {
        // In one process here (tests/api/replicas.rs runs two replicas on PostgreSQL):
        // PostgreSQL's advisory lock, SQLite's single writer.
        let answers = futures::future::join_all((0..20).map(|i| {
            let input = if i % 2 == 0 { ada() } else { json!({ "firstName": "Ada", "phoneNumber": "+1 678 231 9992" }) };
            create(&app, input, "SKIP")
        }))
        .await;
        let ids: std::collections::HashSet<String> = answers
            .iter()
            .map(|a| a["data"]["createLead"]["lead"]["id"].as_str().unwrap_or_else(|| panic!("{a:#}")).to_owned())
            .collect();
        assert_eq!(ids.len(), 1);
        let created = answers.iter().filter(|a| a["data"]["createLead"]["outcome"] == "CREATED").count();
        assert_eq!(created, 1);
        assert_eq!(app.count("leads").await, 1);
    }
}
