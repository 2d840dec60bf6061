//! Webhooks: endpoints over GraphQL and the CLI, and delivery to a receiver server inside
//! the test that verifies every signature with the Standard Webhooks algorithm (written
//! here on its own, not leadgate's code).

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU16, Ordering},
    },
    time::Duration,
};

use axum::{Router, body::Bytes, http::HeaderMap, routing::post};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use leadgate::{Config, domain::webhooks::Settings};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::harness::{TestApp, error_code, test_config};

/// What the receiver got: (headers, body).
pub type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A receiver answering with the status in `answer` (changeable while it runs).
pub struct Receiver {
    pub url: String,
    pub received: Received,
    pub answer: Arc<AtomicU16>,
    /// Milliseconds the receiver waits before it records and answers a request.
    pub delay_ms: Arc<std::sync::atomic::AtomicU64>,
    /// Requests that reached it, answered or not.
    pub arrived: Arc<std::sync::atomic::AtomicUsize>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let received: Received = Arc::default();
        let answer = Arc::new(AtomicU16::new(200));
        let delay_ms = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let arrived = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let app = Router::new().route(
            "/hook",
            post({
                let received = received.clone();
                let answer = answer.clone();
                let delay_ms = delay_ms.clone();
                let arrived = arrived.clone();
                move |headers: HeaderMap, body: Bytes| {
                    let received = received.clone();
                    let answer = answer.clone();
                    let delay_ms = delay_ms.clone();
                    let arrived = arrived.clone();
                    async move {
                        arrived.fetch_add(1, Ordering::SeqCst);
                        let delay = delay_ms.load(Ordering::SeqCst);
                        if delay > 0 {
                            tokio::time::sleep(Duration::from_millis(delay)).await;
                        }
                        let status = answer.load(Ordering::SeqCst);
                        if status == 200 {
                            received.lock().unwrap().push((headers, body));
                        }
                        axum::http::StatusCode::from_u16(status).unwrap()
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            url: format!("http://{address}/hook"),
            received,
            answer,
            delay_ms,
            arrived,
        }
    }

    pub fn bodies(&self) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| serde_json::from_slice(b).unwrap())
            .collect()
    }
}

/// Standard Webhooks verification: the key is the base64 after `whsec_`; the signed
/// content is `{id}.{timestamp}.{body}`; the header lists `v1,<base64>` signatures.
pub fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    let content = format!("{}.{}.", header("webhook-id"), header("webhook-timestamp"));
    mac.update(content.as_bytes());
    mac.update(body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    let fresh = header("webhook-timestamp")
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    fresh
        && header("webhook-signature")
            .split(' ')
            .any(|s| s == expected)
}

/// Settings for fast tests: private targets allowed, retries in milliseconds.
pub fn fast() -> Settings {
    Settings {
        allow_private: true,
        max_attempts: 3,
        retry_base: Duration::from_millis(100),
        disable_after: 5,
        timeout: Duration::from_secs(2),
        poll_interval: Duration::from_millis(50),
        ..Settings::default()
    }
}

pub fn with_webhooks(app: TestApp, settings: &Settings) -> TestApp {
    app.with_config(Config {
        webhooks: settings.clone(),
        ..test_config()
    })
}

/// Starts a dispatcher on the app's database (what `serve` does in every replica).
fn dispatcher(app: &TestApp, settings: &Settings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(leadgate::domain::webhooks::dispatcher::run(
        app.db.clone(),
        settings.clone(),
    ))
}

pub const CREATE: &str = "mutation($url: String!, $events: [String!]!, $description: String) {
  createWebhookEndpoint(url: $url, events: $events, description: $description) {
    secret endpoint { id url events description enabled disabledReason } } }";

const DELIVERIES: &str = "query($id: ID!) { webhookDeliveries(endpointId: $id) {
  id eventId eventType status deliveredAt attempts { number statusCode error durationMs } } }";

pub async fn create_endpoint(app: &TestApp, url: &str, events: &[&str]) -> (String, String) {
    let data = app
        .data(
            CREATE,
            json!({ "url": url, "events": events, "description": "CRM" }),
        )
        .await;
    let payload = &data["createWebhookEndpoint"];
    (
        payload["endpoint"]["id"].as_str().unwrap().to_owned(),
        payload["secret"].as_str().unwrap().to_owned(),
    )
}

pub async fn deliveries(app: &TestApp, endpoint: &str) -> Vec<Value> {
    app.data(DELIVERIES, json!({ "id": endpoint })).await["webhookDeliveries"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits (at most 30 s) until `done` holds.
pub async fn eventually<F: AsyncFnMut() -> bool>(what: &str, mut done: F) {
    for _ in 0..300 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

on_both_backends! {
    async fn endpoints_are_created_listed_changed_rotated_and_deleted(app) {
        let app = with_webhooks(app, &fast());
        let (id, secret) = create_endpoint(&app, "http://127.0.0.1:9/hook", &["lead.created", "lead.updated"]).await;
        assert!(secret.starts_with("whsec_") && STANDARD.decode(&secret[6..]).unwrap().len() == 32, "{secret}");
        let list = app.data("{ webhookEndpoints { id url events description enabled } }", json!({})).await;
        assert_eq!(list["webhookEndpoints"], json!([{
            "id": id, "url": "http://127.0.0.1:9/hook", "events": ["lead.created", "lead.updated"],
            "description": "CRM", "enabled": true
        }]));
        let updated = app.data(
            "mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { events: [\"document.received\"], enabled: false }) { events enabled disabledReason } }",
            json!({ "id": id }),
        ).await;
        assert_eq!(updated["updateWebhookEndpoint"]["events"], json!(["document.received"]));
        assert_eq!(updated["updateWebhookEndpoint"]["enabled"], false);
        let rotated = app.data("mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }", json!({ "id": id })).await;
        let new_secret = rotated["rotateWebhookSecret"]["secret"].as_str().unwrap();
        assert!(new_secret.starts_with("whsec_") && new_secret != secret);
        // Another workspace sees none of it.
        let (_, other_key) = app.other_workspace("Other").await;
        let theirs = app.graphql_with(Some(&other_key), "{ webhookEndpoints { id } }", json!({})).await;
        assert_eq!(theirs["data"]["webhookEndpoints"], json!([]));
        let response = app.graphql_with(Some(&other_key), "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(error_code(&response), "NOT_FOUND");
        app.data("mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(app.data("{ webhookEndpoints { id } }", json!({})).await["webhookEndpoints"], json!([]));
    }
}

on_both_backends! {
    async fn bad_urls_and_private_targets_are_refused_naming_the_field(app) {
        // The production default: private targets refused.
        let cases = [
            ("ftp://example.com/hook", "url", "http or https"),
            ("not a url", "url", "not a valid URL"),
            ("http://127.0.0.1:8080/hook", "url", "private"),
            ("http://10.1.2.3/hook", "url", "private"),
            ("http://169.254.169.254/latest", "url", "private"),
            ("http://[::1]/hook", "url", "private"),
            ("http://[::ffff:192.168.0.1]/hook", "url", "private"),
            ("http://localhost:3000/hook", "url", "localhost"),
            ("http://user:pw@example.com/hook", "url", "password"),
        ];
        for (url, field, says) in cases {
            let response = app.graphql(CREATE, json!({ "url": url, "events": ["lead.created"] })).await;
            assert_eq!(error_code(&response), "BAD_USER_INPUT", "{url}: {response:#}");
            assert_eq!(response["errors"][0]["extensions"]["field"], field, "{url}: {response:#}");
            let message = response["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(says), "{url}: {message}");
        }
        let response = app.graphql(CREATE, json!({ "url": "https://example.com/hook", "events": ["lead.created", "lead.exploded"] })).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        assert_eq!(response["errors"][0]["extensions"]["field"], "events[1]", "{response:#}");
        let response = app.graphql(CREATE, json!({ "url": "https://example.com/hook", "events": [] })).await;
        assert_eq!(response["errors"][0]["extensions"]["field"], "events", "{response:#}");
        assert_eq!(app.count("webhook_endpoints").await, 0);
        // Allowed by the server: accepted.
        let app = with_webhooks(app, &fast());
        create_endpoint(&app, "http://127.0.0.1:8080/hook", &["lead.created"]).await;
    }
}

on_both_backends! {
    async fn events_are_delivered_signed_in_order_and_only_the_subscribed_types(app) {
        let settings = fast();
        let app = with_webhooks(app, &settings);
        let receiver = Receiver::start().await;
        let (endpoint, secret) = create_endpoint(&app, &receiver.url, &["lead.created", "lead.updated"]).await;
        let _dispatcher = dispatcher(&app, &settings);
        let lead = app.create_lead(json!({ "firstName": "Ada", "email": "ada@example.com" })).await;
        app.data("mutation($id: ID!) { recordMessage(input: { leadId: $id, direction: INBOUND, channel: EMAIL, body: \"hi\" }) { success } }", json!({ "id": lead })).await;
        app.data("mutation($id: ID!) { updateLead(input: { id: $id, lastName: \"Lovelace\" }) { success } }", json!({ "id": lead })).await;
        eventually("two deliveries", async || receiver.received.lock().unwrap().len() >= 2).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let received = receiver.received.lock().unwrap().clone();
        assert_eq!(received.len(), 2, "action_log.completed is not subscribed");
        for (headers, body) in &received {
            assert!(verify(&secret, headers, body), "signature does not verify: {headers:?}");
            assert_eq!(headers["x-webhook-secret"], secret.as_str());
            assert_eq!(headers["content-type"], "application/json");
            assert!(!verify(&secret, headers, b"{\"tampered\":true}"));
        }
        let bodies = receiver.bodies();
        assert_eq!(bodies[0]["event"], "lead.created");
        assert_eq!(bodies[0]["data"]["leadId"], json!(lead));
        assert_eq!(bodies[0]["data"]["firstName"], "Ada");
        assert_eq!(bodies[1], json!({ "event": "lead.updated", "data": { "leadId": lead, "lastName": "Lovelace" } }));
        // The webhook-id is the event's id.
        let listed = deliveries(&app, &endpoint).await;
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[1]["eventId"], received[0].0["webhook-id"].to_str().unwrap());
        for delivery in &listed {
            assert_eq!(delivery["status"], "DELIVERED");
            assert_eq!(delivery["attempts"].as_array().unwrap().len(), 1);
            assert_eq!(delivery["attempts"][0]["statusCode"], 200);
        }
        assert_eq!(listed[0]["eventType"], "lead.updated");
    }
}

on_both_backends! {
    async fn a_receiver_down_for_a_while_gets_every_event_once_it_is_back(app) {
        let settings = Settings { max_attempts: 6, ..fast() };
        let app = with_webhooks(app, &settings);
        let receiver = Receiver::start().await;
        receiver.answer.store(503, Ordering::SeqCst);
        let (endpoint, _) = create_endpoint(&app, &receiver.url, &["lead.created"]).await;
        let _dispatcher = dispatcher(&app, &settings);
        let mut leads = Vec::new();
        for name in ["A", "B", "C"] {
            leads.push(app.create_lead(json!({ "firstName": name })).await);
        }
        // The first delivery fails (per-endpoint order holds the others back) ...
        eventually("two failed attempts", async || {
            let listed = deliveries(&app, &endpoint).await;
            listed.iter().any(|d| d["attempts"].as_array().unwrap().len() >= 2)
        }).await;
        assert!(receiver.received.lock().unwrap().is_empty());
        // ... then the receiver is back: everything arrives, once, in order.
        receiver.answer.store(200, Ordering::SeqCst);
        eventually("three deliveries", async || receiver.received.lock().unwrap().len() >= 3).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let got: Vec<Value> = receiver.bodies().iter().map(|b| b["data"]["leadId"].clone()).collect();
        assert_eq!(got, leads.iter().map(|l| json!(l)).collect::<Vec<_>>());
        let listed = deliveries(&app, &endpoint).await;
        let first = listed.iter().find(|d| d["status"] == "DELIVERED" && d["attempts"].as_array().unwrap().len() > 1).expect("the retried one");
        let attempts = first["attempts"].as_array().unwrap();
        assert_eq!(attempts[0]["statusCode"], 503);
        assert_eq!(attempts.last().unwrap()["statusCode"], 200);
        assert!(listed.iter().all(|d| d["status"] == "DELIVERED"));
    }
}

on_both_backends! {
    async fn a_delivery_fails_after_its_attempts_disables_the_endpoint_and_can_be_replayed(app) {
        let settings = Settings { max_attempts: 2, disable_after: 1, ..fast() };
        let app = with_webhooks(app, &settings);
        let receiver = Receiver::start().await;
        receiver.answer.store(500, Ordering::SeqCst);
        let (endpoint, secret) = create_endpoint(&app, &receiver.url, &["lead.created"]).await;
        let _dispatcher = dispatcher(&app, &settings);
        app.create_lead(json!({ "firstName": "Ada" })).await;
        eventually("a FAILED delivery", async || {
            deliveries(&app, &endpoint).await.iter().any(|d| d["status"] == "FAILED")
        }).await;
        let listed = deliveries(&app, &endpoint).await;
        assert_eq!(listed[0]["attempts"].as_array().unwrap().len(), 2);
        let endpoints = app.data("{ webhookEndpoints { enabled disabledReason consecutiveFailures } }", json!({})).await;
        let state = &endpoints["webhookEndpoints"][0];
        assert_eq!(state["enabled"], false);
        assert!(state["disabledReason"].as_str().unwrap().contains("HTTP 500"), "{state}");
        // Only a FAILED delivery can be replayed; a disabled endpoint gets nothing.
        let failed = listed[0]["id"].clone();
        receiver.answer.store(200, Ordering::SeqCst);
        app.data("mutation($id: ID!) { redeliverWebhook(id: $id) }", json!({ "id": failed })).await;
        let response = app.graphql("mutation($id: ID!) { redeliverWebhook(id: $id) }", json!({ "id": failed })).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(receiver.received.lock().unwrap().is_empty());
        app.data("mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: true }) { enabled } }", json!({ "id": endpoint })).await;
        eventually("the replay", async || receiver.received.lock().unwrap().len() == 1).await;
        let (headers, body) = receiver.received.lock().unwrap()[0].clone();
        assert!(verify(&secret, &headers, &body));
        eventually("the replay recorded", async || deliveries(&app, &endpoint).await[0]["status"] == "DELIVERED").await;
    }
}

on_both_backends! {
    async fn a_private_target_is_refused_again_at_delivery(app) {
        // Saved while allowed; the dispatcher runs with the production default.
        let app = with_webhooks(app, &fast());
        let receiver = Receiver::start().await;
        let (endpoint, _) = create_endpoint(&app, &receiver.url, &["lead.created"]).await;
        let strict = Settings { allow_private: false, max_attempts: 1, ..fast() };
        let _dispatcher = dispatcher(&app, &strict);
        app.create_lead(json!({ "firstName": "Ada" })).await;
        eventually("a FAILED delivery", async || {
            deliveries(&app, &endpoint).await.iter().any(|d| d["status"] == "FAILED")
        }).await;
        let listed = deliveries(&app, &endpoint).await;
        let error = listed[0]["attempts"][0]["error"].as_str().unwrap();
        assert!(error.contains("private"), "{error}");
        assert_eq!(listed[0]["attempts"][0]["statusCode"], Value::Null);
        assert!(receiver.received.lock().unwrap().is_empty());
    }
}
