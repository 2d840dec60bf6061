//! The `leadgate` binary: JSON on stdout, errors on stderr with a non-zero status.

use std::process::{Command, Output};

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
