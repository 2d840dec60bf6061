//! Concurrent creates all land: SQLite (WAL, busy timeout, BEGIN IMMEDIATE) never fails
//! with "database is locked", PostgreSQL's pool never runs dry.

use serde_json::json;

use crate::harness::CREATE_LEAD_ID;

const CONCURRENT: usize = 64;

on_both_backends! {
    async fn concurrent_creates_all_land(app) {
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for i in 0..CONCURRENT {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                // Shared new tags make every request race for the same tag rows too.
                let input = json!({
                    "firstName": format!("Lead {i}"),
                    "email": format!("lead{}@example.com", i % 8),
                    "tags": ["Concurrent", format!("group-{}", i % 4)],
                    "checklistItems": [{ "code": "business_name", "value": "Acme" }]
                });
                app.graphql(CREATE_LEAD_ID, json!({ "input": input })).await
            }));
        }
        for task in tasks {
            let response = task.await.unwrap();
            assert!(response.get("errors").is_none(), "{response:#}");
        }
        assert_eq!(app.count("leads").await, CONCURRENT as i64);
        assert_eq!(app.count("action_logs").await, CONCURRENT as i64);
        assert_eq!(app.count("tags").await, 5);
        assert_eq!(app.count("lead_tags").await, 2 * CONCURRENT as i64);
        assert_eq!(app.count("lead_checklist_items").await, 2 * CONCURRENT as i64);
    }
}

/// Lazy fields beside a direct read (`totalCount`), so each request holds a pooled
/// connection while its loader batches want more.
const PAGE: &str = "{ leads(first: 50) { totalCount edges { node {
    tags checklistItems { items { status } } actionLogs(limit: 2) { id } matchingLeads { id } lastAction { id } } } } }";

on_both_backends! {
    async fn concurrent_reads_beyond_the_pool_size_all_finish(app) {
        let app = app.with_big_pages();
        for i in 0..10 {
            app.create_lead(json!({ "firstName": format!("P{i}"), "email": "same@example.com", "tags": ["t"] })).await;
        }
        let app = std::sync::Arc::new(app);
        // More requests in flight than the pool has connections (8 on SQLite).
        let tasks: Vec<_> = (0..24)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move { app.data(PAGE, json!({})).await })
            })
            .collect();
        // A guard against a deadlock, not a speed assertion: it hangs forever or not at all.
        let all = tokio::time::timeout(std::time::Duration::from_secs(120), futures::future::join_all(tasks))
            .await
            .expect("requests deadlocked on the connection pool");
        for data in all {
            let data = data.unwrap();
            assert_eq!(data["leads"]["totalCount"], 10);
            assert_eq!(data["leads"]["edges"][0]["node"]["matchingLeads"].as_array().unwrap().len(), 9);
        }
    }
}
