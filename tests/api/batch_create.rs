//! createLeads: per-input results in input order, all-or-none, the batch limit, lazy
//! fields through the loaders, and statements that do not grow with the batch.

use serde_json::{Value, json};

use crate::harness::{TestApp, documented_input, error_code};

const CREATE_LEADS: &str = r#"
mutation($inputs: [CreateLeadInput!]!, $allOrNone: Boolean!) {
  createLeads(inputs: $inputs, options: { allOrNone: $allOrNone }) {
    success created failed
    results {
      index success outcome
      lead { id firstName email status tags checklistItems { items { status checklistItem { code } } } }
      errors { code field message }
    }
  }
}"#;

const ONLY_IDS: &str = r#"
mutation($inputs: [CreateLeadInput!]!) {
  createLeads(inputs: $inputs) { results { success lead { id } } }
}"#;

fn person(i: usize) -> Value {
    let mut input = documented_input();
    input["firstName"] = json!(format!("Person {i}"));
    input["email"] = json!(format!("person{i}@example.com"));
    input["phoneNumber"] = json!(format!("+1678231{i:04}"));
    input["tags"] = json!(["batch", format!("t{}", i % 3)]);
    input
}

async fn create_leads(app: &TestApp, inputs: Vec<Value>, all_or_none: bool) -> Value {
    app.graphql(
        CREATE_LEADS,
        json!({ "inputs": inputs, "allOrNone": all_or_none }),
    )
    .await
}

on_both_backends! {
    async fn each_input_gets_its_result_in_order(app) {
        let mut bad = person(1);
        bad["email"] = json!("not an email");
        bad["checklistItems"][1]["value"] = json!("123");
        let response = create_leads(&app, vec![person(0), bad, person(2)], false).await;
        let payload = &response["data"]["createLeads"];
        assert_eq!(payload["success"], false, "{response:#}");
        assert_eq!(payload["created"], 2);
        assert_eq!(payload["failed"], 1);
        let results = payload["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        for (i, result) in results.iter().enumerate() {
            assert_eq!(result["index"], i);
        }
        assert_eq!(results[0]["lead"]["firstName"], "Person 0");
        assert_eq!(results[0]["outcome"], "CREATED");
        assert_eq!(results[0]["lead"]["tags"], json!(["batch", "t0"]));
        assert_eq!(results[0]["lead"]["status"], "COMPLETED");
        assert_eq!(results[2]["lead"]["email"], "person2@example.com");
        assert_eq!(results[1]["success"], false);
        assert!(results[1]["lead"].is_null());
        let fields: Vec<&str> = results[1]["errors"].as_array().unwrap().iter()
            .map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["inputs[1].email", "inputs[1].checklistItems[1].value"]);
        assert_eq!(results[1]["errors"][0]["code"], "BAD_USER_INPUT");
        // The two valid inputs were written, each with its rows and one log.
        assert_eq!(app.count("leads").await, 2);
        assert_eq!(app.count("action_logs").await, 2);
        assert_eq!(app.count("lead_checklist_items").await, 4);
        assert_eq!(app.count("lead_tags").await, 4);
        assert_eq!(app.count("tags").await, 3);
        // Each lead reads back like any other.
        let id = results[2]["lead"]["id"].as_str().unwrap();
        let read = app.data("query($id: ID!) { lead(id: $id) { firstName actionLogs { summary } } }", json!({ "id": id })).await;
        assert_eq!(read["lead"]["firstName"], "Person 2");
        assert_eq!(read["lead"]["actionLogs"][0]["summary"], "Lead created");
    }
}

on_both_backends! {
    async fn all_or_none_refuses_the_whole_batch(app) {
        let mut bad = person(1);
        bad["firstName"] = json!(" ");
        let mut worse = person(3);
        worse["timezone"] = json!("Mars/Olympus");
        let response = create_leads(&app, vec![person(0), bad, person(2), worse], true).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response:#}");
        let fields: Vec<&str> = response["errors"][0]["extensions"]["fields"].as_array().unwrap().iter()
            .map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["inputs[1].firstName", "inputs[3].timezone"]);
        assert_eq!(response["errors"][0]["extensions"]["field"], "inputs[1].firstName");
        for (table, rows) in app.written_rows().await {
            assert_eq!(rows, 0, "{table} was written");
        }
        // The same batch, fixed, is written whole.
        let response = create_leads(&app, vec![person(0), person(1), person(2)], true).await;
        assert_eq!(response["data"]["createLeads"]["created"], 3, "{response:#}");
        assert_eq!(app.count("leads").await, 3);
    }
}

on_both_backends! {
    async fn a_batch_holds_at_most_100_inputs(app) {
        let inputs: Vec<Value> = (0..101).map(person).collect();
        let response = app.graphql(ONLY_IDS, json!({ "inputs": inputs })).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        assert_eq!(response["errors"][0]["extensions"]["field"], "inputs");
        assert!(response["errors"][0]["message"].as_str().unwrap().contains("at most 100"));
        assert_eq!(app.count("leads").await, 0);
        let empty = app.data(ONLY_IDS, json!({ "inputs": [] })).await;
        assert_eq!(empty["createLeads"]["results"], json!([]));
    }
}

async fn statements_for_batch(app: &TestApp, query: &str, size: usize) -> usize {
    let inputs: Vec<Value> = (0..size).map(|i| person(i + 1000 * size)).collect();
    app.reset_statements();
    let data = app
        .data(query, json!({ "inputs": inputs, "allOrNone": false }))
        .await;
    let results = data["createLeads"]["results"].as_array().unwrap();
    assert_eq!(results.len(), size);
    assert!(results.iter().all(|r| r["success"] == true), "{data:#}");
    let (count, log) = app.statements();
    eprintln!("{size} inputs: {count} statements:\n{}", log.join("\n"));
    count
}

on_both_backends! {
    async fn statements_do_not_grow_with_the_batch(app) {
        let app = app.with_big_pages();
        // The key's first use also records lastUsedAt; count the requests after it.
        app.data("{ __typename }", json!({})).await;
        // auth (1) + template lock (1, PostgreSQL only) + template (1) + leads (1) +
        // checklist rows (1) + tags (3: upsert, lookup, links) + logs (1) + outbox events
        // (1): 9 or 10 for any size.
        let lock = usize::from(app.database_url.starts_with("postgres"));
        for size in [1, 10, 100] {
            assert_eq!(statements_for_batch(&app, ONLY_IDS, size).await, 9 + lock, "{size} inputs");
        }
        // Every lazy field of every lead: a fixed number of reads more, as for a page.
        let one = statements_for_batch(&app, CREATE_LEADS, 1).await;
        let hundred = statements_for_batch(&app, CREATE_LEADS, 100).await;
        assert_eq!(one, hundred, "lazy fields are batched across the results");
        // tags (1) + checklist (2: template, entries).
        assert_eq!(one, 9 + lock + 3);
    }
}
