//! Deterministic cost: SQL statements per request, counted through SeaORM's metric
//! callback. The numbers are written in README ("Cost"). These queries select every
//! nested field of big lists, beyond the default complexity limit: the router here has a
//! higher one (`with_big_pages`).

use serde_json::json;

use crate::harness::{CREATE_LEAD_ID, TestApp, documented_input};

/// Every lazy field of the payload, and of the leads it matches.
const EVERYTHING: &str = r#"
mutation Create($input: CreateLeadInput!) {
  createLead(input: $input) {
    success
    lead { id tags }
    checklistItems { id items { id checklistItem { code } documents { id url } } }
    actionLogs { id tool { name } messages { id documents { id } } documents { id } }
    matchingLeads { id tags }
    lastAction { id }
    nextFollowUp { id }
    nextDraft { id }
  }
}"#;

/// A lead's matches, with every nested field of each.
const NESTED: &str = r#"
query($id: ID!) {
  lead(id: $id) {
    id
    matchingLeads {
      id tags
      checklistItems { id name items { id status value checklistItem { code } documents { id } } }
      actionLogs { id summary tool { name } messages { id body documents { id } } documents { id } }
      matchingLeads { id }
      lastAction { id }
      nextFollowUp { id }
      nextDraft { id }
    }
  }
}"#;

/// A key's first request in a minute also records `lastUsedAt` (one UPDATE, tested
/// below); the counts here are of the requests after it.
async fn use_key(app: &TestApp) {
    app.data("{ __typename }", json!({})).await;
}

async fn statements_for(app: &TestApp, query: &str, variables: serde_json::Value) -> usize {
    app.reset_statements();
    let data = app.data(query, variables).await;
    assert!(!data.is_null());
    let (count, log) = app.statements();
    eprintln!("{count} statements:\n{}", log.join("\n"));
    count
}

on_both_backends! {
    async fn create_lead_selecting_only_the_id_runs_only_the_writes(app) {
        let app = app.with_big_pages();
        use_key(&app).await;
        // auth (1) + the template lock (1, PostgreSQL only: SQLite's write lock is already
        // held) + template (1: groups joined with items) + lead, checklist rows, action log
        // (3) + its events in the outbox (1: lead.created and lead.completed, one insert).
        let lock = usize::from(app.database_url.starts_with("postgres"));
        let count = statements_for(&app, CREATE_LEAD_ID, json!({ "input": documented_input() })).await;
        assert_eq!(count, 6 + lock);
        let (_, log) = app.statements();
        let reads = log.iter().filter(|sql| sql.trim_start().to_uppercase().starts_with("SELECT")).count();
        assert_eq!(reads, 2 + lock, "only the key and the template are read: {log:#?}");
        // Tags add their upsert, lookup and links.
        let mut input = documented_input();
        input["tags"] = json!(["a", "b"]);
        assert_eq!(statements_for(&app, CREATE_LEAD_ID, json!({ "input": input })).await, 9 + lock);
    }
}

on_both_backends! {
    async fn selecting_every_lazy_field_adds_a_fixed_number_of_reads(app) {
        let app = app.with_big_pages();
        use_key(&app).await;
        let base = statements_for(&app, CREATE_LEAD_ID, json!({ "input": documented_input() })).await;
        let everything = statements_for(&app, EVERYTHING, json!({ "input": documented_input() })).await;
        // checklist (2: template, entries) + its documents (1) + tags (1) + action logs (1) + their messages and
        // documents (2; the log has no tool, its messages no documents to look for) +
        // matches (1) + their tags (1) + the three markers (1, one statement for all three).
        assert_eq!(everything - base, 10);
        // Same again with more matching leads: the count does not move.
        for _ in 0..5 {
            app.create_lead(documented_input()).await;
        }
        assert_eq!(statements_for(&app, EVERYTHING, json!({ "input": documented_input() })).await, everything);
    }
}

on_both_backends! {
    async fn nested_fields_of_many_leads_cost_the_same_as_of_two(app) {
        let app = app.with_big_pages();
        let id = app.create_lead(documented_input()).await;
        for _ in 0..2 {
            app.create_lead(documented_input()).await;
        }
        let two = statements_for(&app, NESTED, json!({ "id": id })).await;
        for _ in 0..10 {
            app.create_lead(documented_input()).await;
        }
        let twelve = statements_for(&app, NESTED, json!({ "id": id })).await;
        assert_eq!(two, twelve, "statements grow with the number of leads");
        // auth + lead + matches + (checklist 2 + its documents + tags + logs + their
        // messages + their documents + matches + the markers, 1) for all the matches at once.
        assert_eq!(twelve, 3 + 9);
    }
}

on_both_backends! {
    async fn a_key_records_its_use_once_a_minute_not_per_request(app) {
        let app = app.with_big_pages();
        use leadgate::entities::api_key;
        use sea_orm::{ActiveValue::Set, EntityTrait, IntoActiveModel};
        let before = chrono::Utc::now();
        // The key's first request: the key lookup, then one UPDATE of lastUsedAt.
        assert_eq!(statements_for(&app, "{ __typename }", json!({})).await, 2);
        let (_, log) = app.statements();
        assert!(log[1].to_uppercase().starts_with("UPDATE"), "{log:#?}");
        let stored = api_key::Entity::find().all(&app.db).await.unwrap();
        let key = stored.iter().find(|k| k.last_used_at.is_some()).expect("one key was used");
        assert!(key.last_used_at.unwrap() >= before - chrono::Duration::milliseconds(1));
        // Within the minute, requests only read the key.
        for _ in 0..3 {
            assert_eq!(statements_for(&app, "{ __typename }", json!({})).await, 1);
        }
        // Once the stored value is a minute old, the next request writes it again.
        let mut stale = key.clone().into_active_model();
        stale.last_used_at = Set(Some(chrono::Utc::now() - chrono::Duration::seconds(61)));
        api_key::Entity::update(stale).exec(&app.db).await.unwrap();
        assert_eq!(statements_for(&app, "{ __typename }", json!({})).await, 2);
        assert_eq!(statements_for(&app, "{ __typename }", json!({})).await, 1);
    }
}

/// Every nested field of a page of leads.
const PAGE: &str = r#"
query($first: Int!) {
  leads(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id tags
      checklistItems { id name items { id status value checklistItem { code } documents { id } } }
      actionLogs { id summary tool { name } messages { id documents { id } } documents { id } }
      matchingLeads { id tags }
      lastAction { id }
      nextFollowUp { id }
      nextDraft { id }
    } }
  }
}"#;

on_both_backends! {
    async fn a_page_of_fifty_costs_what_a_page_of_one_costs(app) {
        let app = app.with_big_pages();
        for i in 0..50 {
            let mut input = documented_input();
            input["tags"] = json!([format!("t{}", i % 3)]);
            let id = app.create_lead(input).await;
            // Give every lead a message on its timeline, so messages and their documents load too.
            app.data(
                "mutation($id: ID!) { recordMessage(input: { leadId: $id, direction: INBOUND, channel: EMAIL, body: \"hi\" }) { success } }",
                json!({ "id": id }),
            ).await;
        }
        let one = statements_for(&app, PAGE, json!({ "first": 1 })).await;
        let fifty = statements_for(&app, PAGE, json!({ "first": 50 })).await;
        assert_eq!(one, fifty, "statements grow with the page size");
        // auth + page + count + (checklist 2 + its documents + tags + logs + messages + their
        // documents + log documents + matches + their tags + the markers, 1).
        assert_eq!(fifty, 3 + 11);
    }
}
