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
