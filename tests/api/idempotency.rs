//! Idempotency-Key on createLead, REST and GraphQL: the same key and request replay the
//! first response (one lead), another request is IDEMPOTENCY_KEY_REUSED, a key whose
//! first request is still running is IDEMPOTENCY_IN_PROGRESS, a key whose first request
//! died is answered from its lead, keys are per workspace and pruned after 24 hours.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use leadgate::entities::idempotency_key;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};

use crate::harness::{CREATE_LEAD_ID, TestApp};

pub struct Answer {
    pub status: StatusCode,
    pub replayed: bool,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

pub async fn rest(app: &TestApp, key: &str, idempotency_key: Option<&str>, body: &Value) -> Answer {
    let mut request = Request::post("/api/v1/leads")
        .header("content-type", "application/json")
        .header("x-api-key", key);
    if let Some(k) = idempotency_key {
        request = request.header("idempotency-key", k);
    }
    send(app, request.body(Body::from(body.to_string())).unwrap()).await
}

pub async fn graphql(app: &TestApp, idempotency_key: &str, input: &Value) -> Answer {
    let body = json!({ "query": CREATE_LEAD_ID, "variables": { "input": input } });
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("x-api-key", &app.key)
        .header("idempotency-key", idempotency_key)
        .body(Body::from(body.to_string()))
        .unwrap();
    send(app, request).await
}

async fn send(app: &TestApp, request: Request<Body>) -> Answer {
    let (status, headers, body) = app.send(request).await;
    Answer {
        status,
        replayed: headers.get("idempotent-replayed").is_some(),
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

fn code(answer: &Answer) -> Value {
    let body = answer.json();
    if body.get("errors").is_some() {
        body["errors"][0]["extensions"]["code"].clone()
    } else {
        body["error"]["code"].clone()
    }
}

on_both_backends! {
    async fn the_same_key_and_request_replays_the_first_response(app) {
        let body = json!({ "firstName": "Ada", "email": "ada@example.com" });
        let first = rest(&app, &app.key, Some("key-1"), &body).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        assert!(!first.replayed);
        // The same request again, keys in another order: the first response, byte for byte.
        let again = rest(&app, &app.key, Some("key-1"), &json!({ "email": "ada@example.com", "firstName": "Ada" })).await;
        assert_eq!(again.status, StatusCode::OK);
        assert!(again.replayed);
        assert_eq!(again.body, first.body);
        assert_eq!(app.count("leads").await, 1);

        // Another request with the key: refused, nothing written.
        let other = rest(&app, &app.key, Some("key-1"), &json!({ "firstName": "Grace" })).await;
        assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", other.body);
        assert_eq!(code(&other), "IDEMPOTENCY_KEY_REUSED");
        assert_eq!(app.count("leads").await, 1);

        // GraphQL keeps its own keys' responses the same way.
        let input = json!({ "firstName": "Linus" });
        let first = graphql(&app, "key-2", &input).await;
        assert!(first.json().get("errors").is_none(), "{}", first.body);
        let again = graphql(&app, "key-2", &input).await;
        assert_eq!((again.status, again.replayed), (StatusCode::OK, true));
        assert_eq!(again.body, first.body);
        let other = graphql(&app, "key-2", &json!({ "firstName": "Ken" })).await;
        assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(code(&other), "IDEMPOTENCY_KEY_REUSED");
        assert_eq!(app.count("leads").await, 2);
        // A key is the workspace's: another workspace's request with it is its own.
        let (_, other_key) = app.other_workspace("Other").await;
        let elsewhere = rest(&app, &other_key, Some("key-1"), &body).await;
        assert_eq!(elsewhere.status, StatusCode::OK);
        assert!(!elsewhere.replayed);
        assert_eq!(app.count("leads").await, 3);
        // Without a key, every request is a new lead.
        rest(&app, &app.key, None, &body).await;
        rest(&app, &app.key, None, &body).await;
        assert_eq!(app.count("leads").await, 5);
        // The two replays above are counted for operators.
        let (_, _, metrics) = app.send(Request::get("/metrics").body(Body::empty()).unwrap()).await;
        let metrics = String::from_utf8_lossy(&metrics);
        assert!(metrics.lines().any(|l| l == "leadgate_idempotent_replays_total 2"), "{metrics}");
    }
}

on_both_backends! {
    async fn a_refused_request_leaves_no_key_and_bad_keys_are_bad_input(app) {
        let bad = rest(&app, &app.key, Some("key-3"), &json!({ "firstName": "" })).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let fixed = rest(&app, &app.key, Some("key-3"), &json!({ "firstName": "Fixed" })).await;
        assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.body);
        assert!(!fixed.replayed);

        let spaced = rest(&app, &app.key, Some("a key"), &json!({ "firstName": "X" })).await;
        assert_eq!(spaced.status, StatusCode::BAD_REQUEST);
        assert_eq!(spaced.json()["error"]["field"], "Idempotency-Key");
        let long = "k".repeat(256);
        let long = rest(&app, &app.key, Some(&long), &json!({ "firstName": "X" })).await;
        assert_eq!(long.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.count("leads").await, 1);
    }
}

/// A key row as a request that died after its lead committed leaves it.
async fn orphan_key(app: &TestApp, key: &str, age: chrono::Duration) -> String {
    let lead = app.create_lead(json!({ "firstName": "Orphan" })).await;
    let answer = rest(
        app,
        &app.key,
        Some("fingerprint-source"),
        &json!({ "firstName": "Orphan" }),
    )
    .await;
    let fingerprint =
        idempotency_key::Entity::find_by_id((app.workspace_id, "fingerprint-source".to_owned()))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .fingerprint;
    drop(answer);
    idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        workspace_id: Set(app.workspace_id),
        key: Set(key.to_owned()),
        fingerprint: Set(fingerprint),
        lead_id: Set(lead.parse().unwrap()),
        response: Set(None),
        created_at: Set(chrono::Utc::now() - age),
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
    lead
}

on_both_backends! {
    async fn a_key_whose_request_died_answers_in_progress_then_its_lead(app) {
        let body = json!({ "firstName": "Orphan" });
        // Just committed, response not stored yet: the first request may still answer.
        orphan_key(&app, "fresh", chrono::Duration::seconds(1)).await;
        let answer = rest(&app, &app.key, Some("fresh"), &body).await;
        assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
        assert_eq!(code(&answer), "IDEMPOTENCY_IN_PROGRESS");
        assert_eq!(answer.json()["error"]["retryAfter"], 1);

        // Long past the request timeout: the first request died; its lead is the answer.
        let leads_before = app.count("leads").await;
        let lead = orphan_key(&app, "dead", chrono::Duration::minutes(5)).await;
        let answer = rest(&app, &app.key, Some("dead"), &body).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.json()["lead"]["id"], lead);
        // Only the orphan's own lead was added (its fingerprint came from a replayed key).
        assert_eq!(app.count("leads").await, leads_before + 1);
        let again = rest(&app, &app.key, Some("dead"), &body).await;
        assert!(again.replayed);
        assert_eq!(again.body, answer.body);
    }
}

on_both_backends! {
    async fn keys_are_pruned_after_24_hours(app) {
        orphan_key(&app, "old", chrono::Duration::hours(25)).await;
        orphan_key(&app, "young", chrono::Duration::hours(23)).await;
        let before = app.count("idempotency_keys").await;
        let pruned = leadgate::domain::idempotency::prune(&app.db, chrono::Utc::now()).await.unwrap();
        assert_eq!(pruned, 1);
        assert_eq!(app.count("idempotency_keys").await, before - 1);
    }
}

/// Every answer to concurrent identical keyed requests: the first response (stored with
/// the key) or IN_PROGRESS; exactly one lead.
pub async fn check_one_lead_per_key(app: &TestApp, key: &str, answers: &[Answer]) {
    assert_eq!(app.count("leads").await, 1);
    let stored = idempotency_key::Entity::find_by_id((app.workspace_id, key.to_owned()))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the key is stored")
        .response
        .expect("the first response is stored");
    let mut firsts = 0;
    for answer in answers {
        match answer.status {
            StatusCode::OK => {
                assert_eq!(answer.body, stored);
                firsts += 1;
            }
            StatusCode::CONFLICT => assert_eq!(code(answer), "IDEMPOTENCY_IN_PROGRESS"),
            other => panic!("{other}: {}", answer.body),
        }
    }
    assert!(firsts >= 1);
}

on_both_backends! {
    async fn concurrent_identical_requests_make_one_lead(app) {
        let app = std::sync::Arc::new(app);
        let body = json!({ "firstName": "Once", "tags": ["vip"] });
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let app = app.clone();
                let body = body.clone();
                tokio::spawn(async move { rest(&app, &app.key, Some("same"), &body).await })
            })
            .collect();
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        check_one_lead_per_key(&app, "same", &answers).await;
    }
}
