//! Retention of the outbox, and the `leadgate webhook` commands.

use std::{process::Command, time::Duration};

use leadgate::domain::webhooks::{dispatch, dispatcher};
use serde_json::{Value, json};

use crate::webhooks::{Receiver, create_endpoint, fast, with_webhooks};

on_both_backends! {
    async fn delivered_events_are_pruned_after_the_retention_and_pending_ones_kept(app) {
        let settings = fast();
        let app = with_webhooks(app, &settings);
        let receiver = Receiver::start().await;
        receiver.answer.store(503, std::sync::atomic::Ordering::SeqCst);
        create_endpoint(&app, &receiver.url, &["lead.created"]).await;
        app.create_lead(json!({ "firstName": "Ada" })).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        // Not fanned out yet: kept, even with a retention of zero.
        assert_eq!(dispatch::prune(&app.db, Duration::ZERO).await.unwrap(), 0);
        // Fanned out, its delivery PENDING (the receiver fails): kept.
        dispatcher::step(&app.db, &settings).await.unwrap();
        assert_eq!(app.count("webhook_deliveries").await, 1);
        assert_eq!(dispatch::prune(&app.db, Duration::ZERO).await.unwrap(), 0);
        // Within the default retention nothing goes, delivered or not.
        receiver.answer.store(200, std::sync::atomic::Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(150)).await;
        dispatcher::step(&app.db, &settings).await.unwrap();
        assert_eq!(receiver.received.lock().unwrap().len(), 1);
        assert_eq!(dispatch::prune(&app.db, settings.retention).await.unwrap(), 0);
        // Delivered and older than the retention: pruned, its delivery and attempts with it.
        assert_eq!(dispatch::prune(&app.db, Duration::ZERO).await.unwrap(), 1);
        assert_eq!(app.count("outbox_events").await, 0);
        assert_eq!(app.count("webhook_deliveries").await, 0);
        assert_eq!(app.count("webhook_attempts").await, 0);
    }
}

fn leadgate(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_leadgate"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("LEADGATE_LOG", "warn")
        .env_remove("LEADGATE_WEBHOOK_ALLOW_PRIVATE")
        .output()
        .expect("run leadgate")
}

on_both_backends! {
    async fn the_webhook_commands_create_list_and_delete(app) {
        let url = app.database_url.clone();
        let workspace = app.workspace_id.to_string();
        tokio::task::spawn_blocking(move || {
            let refused = leadgate(&url, &["webhook", "create", "--workspace", &workspace, "--url", "http://127.0.0.1:9/h", "--events", "lead.created"]);
            assert!(!refused.status.success());
            assert!(String::from_utf8_lossy(&refused.stderr).contains("private"), "{}", String::from_utf8_lossy(&refused.stderr));
            let made = leadgate(&url, &["webhook", "create", "--workspace", &workspace, "--url", "http://127.0.0.1:9/h", "--events", "lead.created,lead.updated", "--webhook-allow-private"]);
            assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
            let made: Value = serde_json::from_slice(&made.stdout).unwrap();
            assert!(made["secret"].as_str().unwrap().starts_with("whsec_"));
            assert_eq!(made["events"], json!(["lead.created", "lead.updated"]));
            let listed = leadgate(&url, &["webhook", "list", "--workspace", &workspace]);
            let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
            assert_eq!(listed.as_array().unwrap().len(), 1);
            assert_eq!(listed[0]["id"], made["id"]);
            assert!(listed[0].get("secret").is_none(), "the secret is shown once");
            let id = made["id"].as_str().unwrap();
            let deleted = leadgate(&url, &["webhook", "delete", "--workspace", &workspace, "--id", id]);
            assert!(deleted.status.success());
            let again = leadgate(&url, &["webhook", "delete", "--workspace", &workspace, "--id", id]);
            assert!(!again.status.success());
            let listed = leadgate(&url, &["webhook", "list", "--workspace", &workspace]);
            assert_eq!(serde_json::from_slice::<Value>(&listed.stdout).unwrap(), json!([]));
        })
        .await
        .unwrap();
    }
}
