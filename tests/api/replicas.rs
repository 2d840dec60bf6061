//! Several leadgate replicas on one PostgreSQL, as real processes: four started at once on
//! a fresh database all come up (migrations under an advisory lock); two behind no
//! balancer at all agree on idempotency keys, matching, listing counts and key revocation.

use std::{sync::Arc, thread};

use axum::http::StatusCode;
use leadgate::domain::auth;
use sea_orm::{ConnectionTrait, Database};
use serde_json::json;
use uuid::Uuid;

use crate::harness::{Backend, TestApp, postgres_admin_url};
use crate::idempotency::{Answer, check_one_lead_per_key};
use crate::server::Server;

const SIGNING_KEY: &str = "0123456789abcdef0123456789abcdef";
const ENV: &[(&str, &str)] = &[("LEADGATE_SIGNING_KEY", SIGNING_KEY)];

#[test]
fn four_replicas_started_at_once_on_a_fresh_database_all_come_up() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let name = format!("leadgate_test_{}", Uuid::new_v4().simple());
    let admin_url = postgres_admin_url();
    runtime.block_on(async {
        let admin = Database::connect(&admin_url).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
    });
    let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
    let outcome = std::panic::catch_unwind(|| {
        let replicas: Vec<Server> = (0..4)
            .map(|_| {
                let url = url.clone();
                thread::spawn(move || Server::start(&url, &["--db-pool-size", "4"], ENV))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|starting| starting.join().expect("a replica failed to start"))
            .collect();
        for replica in replicas {
            assert_eq!(replica.send("GET", "/readyz", &[], None).status, 200);
            replica.stop();
        }
    });
    runtime.block_on(async {
        let admin = Database::connect(&admin_url).await.unwrap();
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
            .unwrap();
    });
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

fn two_replicas(app: &TestApp) -> [Arc<Server>; 2] {
    let start = || {
        Arc::new(Server::start(
            &app.database_url,
            &[
                "--no-migrate",
                "--rate-limit-per-second",
                "0",
                "--db-pool-size",
                "8",
            ],
            ENV,
        ))
    };
    [start(), start()]
}

fn rest_create(server: &Server, key: &str, idempotency_key: Option<&str>, body: &str) -> Answer {
    let mut headers = vec![("content-type", "application/json"), ("x-api-key", key)];
    if let Some(k) = idempotency_key {
        headers.push(("idempotency-key", k));
    }
    let answer = server.send("POST", "/api/v1/leads", &headers, Some(body));
    Answer {
        status: StatusCode::from_u16(answer.status).unwrap(),
        replayed: answer.header("idempotent-replayed").is_some(),
        body: answer.body,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_identical_keyed_requests_at_two_replicas_make_one_lead() {
    crate::harness::run(Backend::Postgres, async |app: TestApp| {
        let replicas = two_replicas(&app);
        let body = json!({ "firstName": "Once", "email": "once@example.com", "tags": ["vip"] })
            .to_string();
        let answers = {
            let key = app.key.clone();
            tokio::task::spawn_blocking(move || {
                let threads: Vec<_> = (0..50)
                    .map(|i| {
                        let server = replicas[i % 2].clone();
                        let key = key.clone();
                        let body = body.clone();
                        thread::spawn(move || rest_create(&server, &key, Some("one-key"), &body))
                    })
                    .collect();
                threads
                    .into_iter()
                    .map(|t| t.join().unwrap())
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap()
        };
        check_one_lead_per_key(&app, "one-key", &answers).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_agree_on_matching_counts_and_revoked_keys() {
    crate::harness::run(Backend::Postgres, async |app: TestApp| {
        let [a, b] = two_replicas(&app);
        let key = app.key.clone();
        let list = "{ leads { totalCount } }";
        let matching = "query($id: ID!) { lead(id: $id) { matchingLeads { id } } }";
        let (first, second, counts) = tokio::task::spawn_blocking({
            let (a, b, key) = (a.clone(), b.clone(), key.clone());
            move || {
                let body = json!({ "firstName": "Twin", "email": "twin@example.com" }).to_string();
                let first = rest_create(&a, &key, None, &body).json()["lead"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let second = rest_create(&b, &key, None, &body).json()["lead"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let counts: Vec<_> = [&a, &b]
                    .iter()
                    .map(|s| {
                        s.graphql(&key, list, json!({})).json()["data"]["leads"]["totalCount"]
                            .clone()
                    })
                    .collect();
                (first, second, counts)
            }
        })
        .await
        .unwrap();
        assert_eq!(counts, vec![json!(2), json!(2)]);
        // The lead made on one replica matches the one made on the other, both ways.
        let (seen_by_a, seen_by_b) = tokio::task::spawn_blocking({
            let (a, b, key) = (a.clone(), b.clone(), key.clone());
            let (first, second) = (first.clone(), second.clone());
            move || {
                let on_a = a.graphql(&key, matching, json!({ "id": second })).json();
                let on_b = b.graphql(&key, matching, json!({ "id": first })).json();
                (on_a, on_b)
            }
        })
        .await
        .unwrap();
        assert_eq!(
            seen_by_a["data"]["lead"]["matchingLeads"],
            json!([{ "id": first }])
        );
        assert_eq!(
            seen_by_b["data"]["lead"]["matchingLeads"],
            json!([{ "id": second }])
        );

        // Revoked once, refused by both replicas from their next request on.
        for listed in auth::list(&app.db, app.workspace_id).await.unwrap() {
            auth::revoke(&app.db, listed.id).await.unwrap();
        }
        let statuses = tokio::task::spawn_blocking(move || {
            [&a, &b]
                .iter()
                .map(|s| rest_create(s, &key, None, r#"{"firstName":"Late"}"#).status)
                .collect::<Vec<_>>()
        })
        .await
        .unwrap();
        assert_eq!(statuses, vec![StatusCode::UNAUTHORIZED; 2]);
        assert_eq!(app.count("leads").await, 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_skip_creates_at_two_replicas_make_one_lead() {
    crate::harness::run(Backend::Postgres, async |app: TestApp| {
        let replicas = two_replicas(&app);
        let answers = {
            let key = app.key.clone();
            tokio::task::spawn_blocking(move || {
                let threads: Vec<_> = (0..50)
                    .map(|i| {
                        let server = replicas[i % 2].clone();
                        let key = key.clone();
                        // The same person, spelt differently: by email or by phone.
                        let body = if i % 3 == 0 {
                            json!({ "firstName": "Same", "phoneNumber": "678 231 9992", "email": "same@example.com" })
                        } else {
                            json!({ "firstName": "Same", "email": "SAME@example.com" })
                        }
                        .to_string();
                        thread::spawn(move || {
                            let headers = [("content-type", "application/json"), ("x-api-key", key.as_str())];
                            server.send("POST", "/api/v1/leads?onDuplicate=skip", &headers, Some(&body))
                        })
                    })
                    .collect();
                threads
                    .into_iter()
                    .map(|t| t.join().unwrap())
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap()
        };
        let mut ids = std::collections::HashSet::new();
        for answer in &answers {
            assert_eq!(answer.status, 200, "{}", answer.body);
            let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
            ids.insert(body["lead"]["id"].as_str().unwrap().to_owned());
        }
        assert_eq!(ids.len(), 1, "every answer names the one lead");
        assert_eq!(app.count("leads").await, 1);
        assert_eq!(app.count("action_logs").await, 1);
    })
    .await;
}
