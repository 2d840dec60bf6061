//! Graceful shutdown of the real binary: on SIGTERM `serve` stops accepting connections,
//! lets the request in flight finish, and exits 0.

use std::{net::TcpStream, sync::Arc, time::Duration};

use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;

use crate::harness::{Backend, TestApp};
use crate::server::Server;

const SIGNING_KEY: &str = "0123456789abcdef0123456789abcdef";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_accepting_lets_in_flight_requests_finish_and_exits_0() {
    crate::harness::run(Backend::Sqlite, async |app: TestApp| {
        let server = Arc::new(Server::start(
            &app.database_url,
            &["--sqlite-busy-timeout", "20s", "--shutdown-grace", "25s"],
            &[("LEADGATE_SIGNING_KEY", SIGNING_KEY)],
        ));
        // Another process holds SQLite's write lock, so the create below stays in flight.
        let holder = leadgate::db::connect(&app.database_url).await.unwrap();
        let txn = holder
            .begin_with_options(leadgate::domain::transaction_options())
            .await
            .unwrap();
        txn.execute_unprepared("UPDATE workspaces SET name = name")
            .await
            .unwrap();

        let in_flight = {
            let server = server.clone();
            let key = app.key.clone();
            tokio::task::spawn_blocking(move || {
                let body = json!({ "firstName": "Inflight" }).to_string();
                server.send(
                    "POST",
                    "/api/v1/leads",
                    &[("content-type", "application/json"), ("x-api-key", &key)],
                    Some(&body),
                )
            })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        server.terminate();
        let address = server.address.clone();
        let refused = tokio::task::spawn_blocking(move || {
            for _ in 0..50 {
                if TcpStream::connect(&address).is_err() {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            false
        })
        .await
        .unwrap();
        assert!(refused, "serve still accepts connections after SIGTERM");
        assert!(
            !in_flight.is_finished(),
            "the request should still be waiting for the lock"
        );

        txn.commit().await.unwrap();
        let answer = in_flight.await.unwrap();
        assert_eq!(answer.status, 200, "{}", answer.body);
        let server = Arc::into_inner(server).expect("the request thread is done");
        let (code, log) = tokio::task::spawn_blocking(move || server.wait())
            .await
            .unwrap();
        assert_eq!(code, Some(0), "{log}");
        assert_eq!(app.count("leads").await, 1);
    })
    .await;
}
