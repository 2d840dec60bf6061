//! The `leadgate` binary: JSON on stdout, errors on stderr with a non-zero status.

use std::process::{Command, Output};

use sea_orm::EntityTrait;
use serde_json::{Value, json};

fn leadgate(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leadgate"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("LEADGATE_LOG", "warn")
        .output()
        .expect("run leadgate")
}

fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn schema_prints_the_sdl() {
    let output = leadgate("sqlite::memory:", &["schema"]);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        leadgate::graphql::sdl()
    );
}

on_both_backends! {
    async fn workspace_key_and_checklist_commands(app) {
        let url = app.database_url.clone();
        tokio::task::spawn_blocking(move || {
            assert!(leadgate(&url, &["migrate"]).status.success());

            let workspace = json_of(&leadgate(&url, &["workspace", "create", "--name", "Initech"]));
            assert_eq!(workspace["name"], "Initech");
            let id = workspace["id"].as_str().unwrap().to_owned();
            assert!(uuid::Uuid::parse_str(&id).is_ok());

            let live = json_of(&leadgate(&url, &["api-key", "create", "--workspace", &id]));
            assert_eq!(live["workspaceId"], id.as_str());
            assert_eq!(live["mode"], "live");
            assert!(live["key"].as_str().unwrap().starts_with("lg_live_"));
            let test = json_of(&leadgate(&url, &["api-key", "create", "--workspace", &id, "--test"]));
            assert_eq!(test["mode"], "test");
            assert!(test["key"].as_str().unwrap().starts_with("lg_test_"));

            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), leadgate::domain::demo::DEMO_TEMPLATE).unwrap();
            let path = file.path().to_str().unwrap();
            let summary = json_of(&leadgate(&url, &["checklist", "import", "--workspace", &id, path]));
            assert_eq!(summary, json!({ "workspaceId": id, "groups": 1, "items": 2, "added": 2, "updated": 0, "removed": 0 }));
            let summary = json_of(&leadgate(&url, &["checklist", "import", "--workspace", &id, path]));
            assert_eq!(summary["updated"], 2, "re-import keeps items by code");

            // Errors: stderr, non-zero, nothing on stdout.
            std::fs::write(file.path(), r#"{"groups":[{"name":"G","items":[{"code":"x","label":"X","fieldType":"COLOR"}]}]}"#).unwrap();
            let bad = leadgate(&url, &["checklist", "import", "--workspace", &id, path]);
            assert!(!bad.status.success());
            assert!(bad.stdout.is_empty());
            assert!(String::from_utf8_lossy(&bad.stderr).contains("groups[0].items[0].fieldType"));
            let missing = leadgate(&url, &["api-key", "create", "--workspace", "00000000-0000-0000-0000-000000000000"]);
            assert!(!missing.status.success());
            assert!(String::from_utf8_lossy(&missing.stderr).contains("workspace"));
            let empty = leadgate(&url, &["workspace", "create", "--name", " "]);
            assert!(!empty.status.success());
        })
        .await
        .unwrap();
    }
}

on_both_backends! {
    async fn imported_templates_keep_values_and_backfill_new_items(app) {
        use leadgate::domain::checklist::import;
        let lead = app.create_lead(crate::harness::documented_input()).await;
        let template = import::parse(r#"{ "groups": [
          { "name": "Business Information", "items": [
            { "code": "tax_id", "label": "Tax ID", "fieldType": "EIN" },
            { "code": "website_url", "label": "Website", "fieldType": "TEXT", "isRequired": false }
          ] } ] }"#).unwrap();
        let summary = import::replace(&app.db, app.workspace_id, &template).await.unwrap();
        assert_eq!((summary.added, summary.updated, summary.removed), (1, 1, 1));
        let data = app.data(
            "query($id: ID!) { lead(id: $id) { checklistItems { items { value status checklistItem { code fieldType } } } } }",
            json!({ "id": lead }),
        ).await;
        assert_eq!(data["lead"]["checklistItems"][0]["items"], json!([
            { "value": "12-3456789", "status": "COMPLETED", "checklistItem": { "code": "tax_id", "fieldType": "EIN" } },
            { "value": null, "status": "TODO", "checklistItem": { "code": "website_url", "fieldType": "TEXT" } }
        ]));
    }
}

on_both_backends! {
    async fn api_keys_are_listed_without_secrets_and_revoked_for_every_replica(app) {
        use axum::{body::Body, http::{Request, StatusCode}};
        use tower::ServiceExt;
        let url = app.database_url.clone();
        let workspace = app.workspace_id.to_string();
        // Two replicas on the one database.
        let replicas = [
            leadgate::router(leadgate::AppState::new(app.db.clone(), crate::harness::test_config())),
            leadgate::router(leadgate::AppState::new(app.db.clone(), crate::harness::test_config())),
        ];
        let ask = async |router: &axum::Router, key: &str| {
            let body = json!({ "query": "{ leads(first: 1) { totalCount } }" }).to_string();
            let request = Request::post("/graphql").header("content-type", "application/json").header("x-api-key", key).body(Body::from(body)).unwrap();
            let response = router.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
            let body: Value = serde_json::from_slice(&body).unwrap();
            body["errors"][0]["extensions"]["code"].as_str().map(str::to_owned)
        };
        for router in &replicas {
            assert_eq!(ask(router, &app.key).await, None);
        }

        let (listed, key_id) = {
            let url = url.clone();
            let workspace = workspace.clone();
            tokio::task::spawn_blocking(move || {
                let listed = json_of(&leadgate(&url, &["api-key", "list", "--workspace", &workspace]));
                let keys = listed.as_array().unwrap();
                assert_eq!(keys.len(), 2, "the live and the test key: {listed:#}");
                let live = keys.iter().find(|k| k["mode"] == "live").unwrap().clone();
                (listed, live["id"].as_str().unwrap().to_owned())
            })
            .await
            .unwrap()
        };
        let text = listed.to_string();
        assert!(!text.contains(&app.key) && !text.contains(&app.key[8..24]), "no key or lookup id: {text}");
        let stored = leadgate::entities::api_key::Entity::find().all(&app.db).await.unwrap();
        for key in &stored {
            assert!(!text.contains(&key.secret_hash), "no hash");
        }
        for key in listed.as_array().unwrap() {
            let mut fields: Vec<&str> = key.as_object().unwrap().keys().map(String::as_str).collect();
            fields.sort_unstable();
            assert_eq!(fields, ["createdAt", "id", "lastUsedAt", "mode", "revokedAt", "workspaceId"]);
            assert!(key["createdAt"].as_str().unwrap().ends_with('Z'));
            assert_eq!(key["revokedAt"], Value::Null);
        }
        let live = listed.as_array().unwrap().iter().find(|k| k["mode"] == "live").unwrap();
        assert!(live["lastUsedAt"].as_str().is_some_and(|t| t.ends_with('Z')), "the live key was used: {live:#}");
        let test = listed.as_array().unwrap().iter().find(|k| k["mode"] == "test").unwrap();
        assert_eq!(test["lastUsedAt"], Value::Null, "the test key was never used");

        let (first, second) = {
            let (url, key_id) = (url.clone(), key_id.clone());
            tokio::task::spawn_blocking(move || {
                let first = json_of(&leadgate(&url, &["api-key", "revoke", "--id", &key_id]));
                // Revoking again is fine and keeps the first time.
                let second = json_of(&leadgate(&url, &["api-key", "revoke", "--id", &key_id]));
                let unknown = leadgate(&url, &["api-key", "revoke", "--id", "00000000-0000-0000-0000-000000000000"]);
                assert!(!unknown.status.success());
                assert!(String::from_utf8_lossy(&unknown.stderr).contains("API key not found"));
                let missing = leadgate(&url, &["api-key", "list", "--workspace", "00000000-0000-0000-0000-000000000000"]);
                assert!(!missing.status.success());
                assert!(String::from_utf8_lossy(&missing.stderr).contains("workspace"));
                (first, second)
            })
            .await
            .unwrap()
        };
        assert_eq!(first["id"], key_id.as_str());
        assert!(first["revokedAt"].as_str().is_some_and(|t| t.ends_with('Z')));
        assert_eq!(first, second);
        assert!(!first.to_string().contains(&app.key));

        // Refused on its next request, on every replica; the other key still works.
        for router in &replicas {
            assert_eq!(ask(router, &app.key).await.as_deref(), Some("UNAUTHENTICATED"));
            assert_eq!(ask(router, &app.test_key).await, None);
        }
    }
}

on_both_backends! {
    async fn serve_refuses_to_start_without_a_signing_key_unless_demo(app) {
        use crate::server::{Server, command};
        let url = app.database_url.clone();
        tokio::task::spawn_blocking(move || {
            // No key: refused before touching the database, with the way out named.
            let refused = command(&url, &[], &[]).output().unwrap();
            assert!(!refused.status.success());
            let stderr = String::from_utf8_lossy(&refused.stderr);
            assert!(stderr.contains("LEADGATE_SIGNING_KEY") && stderr.contains("--demo"), "{stderr}");
            assert!(refused.stdout.is_empty());
            // A key too short to be secret.
            let short = command(&url, &[], &[("LEADGATE_SIGNING_KEY", "secret")]).output().unwrap();
            assert!(!short.status.success());
            assert!(String::from_utf8_lossy(&short.stderr).contains("32 bytes"));
            // A real key (env or flag): it serves.
            let key = "0123456789abcdef0123456789abcdef";
            let server = Server::start(&url, &[], &[("LEADGATE_SIGNING_KEY", key)]);
            assert_eq!(server.send("GET", "/healthz", &[], None).status, 200);
            server.stop();
            let server = Server::start(&url, &["--signing-key", key], &[]);
            assert_eq!(server.send("GET", "/healthz", &[], None).status, 200);
            server.stop();
            // --demo without a key: a random one for this run, and it says so.
            let server = Server::start(&url, &["--demo"], &[]);
            assert!(server.banner.iter().any(|l| l.starts_with("signing key:") && l.contains("random")), "{:?}", server.banner);
            assert!(server.banner.iter().any(|l| l.starts_with("demo API key:")));
            assert_eq!(server.send("GET", "/healthz", &[], None).status, 200);
            server.stop();
        })
        .await
        .unwrap();
    }
}

on_both_backends! {
    /// `leadgate serve --demo | head -1`: the banner's later lines meet a closed pipe, and
    /// the server must keep serving (println! would panic and end the process).
    async fn serve_survives_a_closed_stdout(app) {
        let url = app.database_url.clone();
        tokio::task::spawn_blocking(move || {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let listen = format!("127.0.0.1:{port}");
            // A pipe whose reading end is already closed: every write to stdout fails.
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            let mut child = Command::new(env!("CARGO_BIN_EXE_leadgate"))
                .args(["serve", "--demo", "--listen", &listen])
                .env("DATABASE_URL", &url)
                .env_remove("LEADGATE_SIGNING_KEY")
                .stdout(writer)
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            let mut answered = false;
            for _ in 0..300 {
                if let Some(status) = child.try_wait().unwrap() {
                    panic!("serve exited on a closed stdout: {status}");
                }
                if let Ok(mut stream) = std::net::TcpStream::connect(&listen) {
                    use std::io::{Read, Write};
                    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
                    let mut answer = String::new();
                    stream.read_to_string(&mut answer).unwrap();
                    answered = answer.starts_with("HTTP/1.1 200");
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
            assert!(answered, "serve never answered /healthz");
        })
        .await
        .unwrap();
    }
}
