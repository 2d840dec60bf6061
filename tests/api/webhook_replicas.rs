//! Webhook delivery with several replicas as real processes on one PostgreSQL: every
//! replica runs a dispatcher, yet no attempt is sent twice; a replica killed in the
//! middle of a delivery leaves it to another once its lease runs out.

use std::{collections::HashMap, sync::atomic::Ordering, time::Duration};

use serde_json::json;

use crate::harness::{Backend, TestApp};
use crate::server::Server;
use crate::webhooks::{
    Receiver, create_endpoint, deliveries, eventually, fast, verify, with_webhooks,
};

const ENV: &[(&str, &str)] = &[("LEADGATE_SIGNING_KEY", "0123456789abcdef0123456789abcdef")];

fn replica(app: &TestApp, timeout: &str) -> Server {
    Server::start(
        &app.database_url,
        &[
            "--no-migrate",
            "--rate-limit-per-second",
            "0",
            "--db-pool-size",
            "4",
            "--webhook-allow-private",
            "--webhook-poll-interval",
            "50ms",
            "--webhook-retry-base",
            "200ms",
            "--webhook-timeout",
            timeout,
        ],
        ENV,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_deliver_every_event_once() {
    crate::harness::run(Backend::Postgres, async |app: TestApp| {
        let app = with_webhooks(app, &fast());
        let receiver = Receiver::start().await;
        // A slow receiver widens every window in which two dispatchers could meet.
        receiver.delay_ms.store(30, Ordering::SeqCst);
        let (endpoint, secret) = create_endpoint(&app, &receiver.url, &["lead.created"]).await;
        let a = tokio::task::block_in_place(|| replica(&app, "5s"));
        let b = tokio::task::block_in_place(|| replica(&app, "5s"));
        let mut leads = Vec::new();
        for i in 0..20 {
            leads.push(
                app.create_lead(json!({ "firstName": format!("Lead {i}") }))
                    .await,
            );
        }
        eventually("20 deliveries", async || {
            receiver.received.lock().unwrap().len() >= 20
        })
        .await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let received = receiver.received.lock().unwrap().clone();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for (headers, body) in &received {
            assert!(verify(&secret, headers, body));
            *by_id
                .entry(headers["webhook-id"].to_str().unwrap().to_owned())
                .or_default() += 1;
        }
        assert_eq!(received.len(), 20, "an event was sent twice: {by_id:?}");
        assert_eq!(receiver.arrived.load(Ordering::SeqCst), 20);
        // In event order, though two dispatchers took turns.
        let order: Vec<String> = receiver
            .bodies()
            .iter()
            .map(|b| b["data"]["leadId"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(order, leads);
        assert_eq!(app.count("webhook_attempts").await, 20);
        assert!(
            deliveries(&app, &endpoint)
                .await
                .iter()
                .all(|d| d["status"] == "DELIVERED")
        );
        drop((a, b));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_delivery_leaves_it_to_another() {
    crate::harness::run(Backend::Postgres, async |app: TestApp| {
        let app = with_webhooks(app, &fast());
        let receiver = Receiver::start().await;
        // The first POST hangs past the replica's life.
        receiver.delay_ms.store(60_000, Ordering::SeqCst);
        let (endpoint, _) = create_endpoint(&app, &receiver.url, &["lead.created"]).await;
        // Timeout 1 s: the lease is 4 s.
        let a = tokio::task::block_in_place(|| replica(&app, "1s"));
        app.create_lead(json!({ "firstName": "Ada" })).await;
        eventually("the POST in flight", async || {
            receiver.arrived.load(Ordering::SeqCst) >= 1
        })
        .await;
        drop(a); // SIGKILL: no attempt recorded, the lease stays.
        receiver.delay_ms.store(0, Ordering::SeqCst);
        let b = tokio::task::block_in_place(|| replica(&app, "1s"));
        eventually("the delivery by the other replica", async || {
            receiver.received.lock().unwrap().len() == 1
        })
        .await;
        eventually("DELIVERED", async || {
            deliveries(&app, &endpoint).await[0]["status"] == "DELIVERED"
        })
        .await;
        let listed = deliveries(&app, &endpoint).await;
        // The killed replica recorded nothing; the retake is the delivery's one attempt.
        assert_eq!(
            listed[0]["attempts"].as_array().unwrap().len(),
            1,
            "{listed:#?}"
        );
        drop(b);
    })
    .await;
}
