//! createLead: the documented example and the semantics of every input.

use serde_json::{Value, json};

use crate::harness::documented_input;

const FULL: &str = r#"
mutation Create($input: CreateLeadInput!) {
  createLead(input: $input) {
    success
    lead {
      id workspaceId activitySummary assigneeType businessName createdAt deletedAt didOptOut
      optOutAt email emailVerifiedAt externalLeadId externalPortalLink firstName middleName
      lastName phoneNumber phoneVerifiedAt source status tags timezone updatedAt website isTest
    }
    checklistItems {
      id name conditions
      items { id checklistItemId value status itemOverride
        checklistItem { id code label fieldType isRequired conditions config validationRules }
        documents { id } }
    }
    actionLogs(limit: 10) { id type status summary changes parentActionId createdAt completedAt tool { id } messages { id } }
    matchingLeads { id }
    lastAction { id }
    nextFollowUp { id }
    nextDraft { id }
  }
}"#;

fn is_millisecond_utc(value: &Value) -> bool {
    let text = value.as_str().unwrap_or_default();
    // 2026-01-30T02:00:00.000Z
    text.len() == 24
        && text.ends_with('Z')
        && &text[19..20] == "."
        && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

on_both_backends! {
    async fn documented_example_gives_documented_values(app) {
        let data = app.data(FULL, json!({ "input": documented_input() })).await;
        let payload = &data["createLead"];
        assert_eq!(payload["success"], true);
        let lead = &payload["lead"];
        assert_eq!(lead["firstName"], "John");
        assert_eq!(lead["lastName"], "Doe");
        assert_eq!(lead["email"], "john@example.com");
        assert_eq!(lead["phoneNumber"], "+16782319992");
        assert_eq!(lead["businessName"], "Pacific Coast Container Haulers");
        assert_eq!(lead["assigneeType"], "HUMAN_AGENT");
        assert_eq!(lead["source"], "api");
        assert_eq!(lead["status"], "COMPLETED");
        assert_eq!(lead["didOptOut"], false);
        assert_eq!(lead["isTest"], false);
        assert_eq!(lead["workspaceId"], app.workspace_id.to_string());
        assert_eq!(lead["tags"], json!([]));
        for null in ["activitySummary", "deletedAt", "optOutAt", "emailVerifiedAt", "externalLeadId",
                     "externalPortalLink", "middleName", "phoneVerifiedAt", "website"] {
            assert_eq!(lead[null], Value::Null, "{null}");
        }
        // Inferred from the phone's area code (678: Georgia), as documented.
        assert_eq!(lead["timezone"], "America/New_York");
        assert!(is_millisecond_utc(&lead["createdAt"]), "{}", lead["createdAt"]);
        assert_eq!(lead["createdAt"], lead["updatedAt"]);

        let groups = payload["checklistItems"].as_array().unwrap();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0]["name"], "Business Information");
        assert_eq!(groups[0]["conditions"], Value::Null);
        let items = groups[0]["items"].as_array().unwrap();
        let summary: Vec<(Value, Value, Value, Value)> = items
            .iter()
            .map(|i| (i["checklistItem"]["code"].clone(), i["value"].clone(), i["status"].clone(), i["checklistItem"]["label"].clone()))
            .collect();
        assert_eq!(summary, vec![
            (json!("business_name"), json!("Pacific Coast Container Haulers"), json!("COMPLETED"), json!("Business Name")),
            (json!("tax_id"), json!("12-3456789"), json!("COMPLETED"), json!("Tax ID")),
        ]);
        for item in items {
            assert_eq!(item["checklistItemId"], item["checklistItem"]["id"]);
            assert_eq!(item["checklistItem"]["fieldType"], "TEXT");
            assert_eq!(item["checklistItem"]["isRequired"], true);
            assert_eq!(item["itemOverride"], Value::Null);
            assert_eq!(item["documents"], json!([]));
        }
        assert_eq!(items[1]["checklistItem"]["config"], json!({ "pattern": "^[0-9]{2}-[0-9]{7}$" }));

        let logs = payload["actionLogs"].as_array().unwrap();
        assert_eq!(logs.len(), 1);
        assert_eq!(logs[0]["type"], "API_ACTIVITY");
        assert_eq!(logs[0]["status"], "COMPLETED");
        assert_eq!(logs[0]["summary"], "Lead created");
        assert_eq!(logs[0]["tool"], Value::Null);
        assert_eq!(logs[0]["messages"], json!([]));
        assert_eq!(logs[0]["createdAt"], lead["createdAt"]);
        let changes = &logs[0]["changes"];
        assert_eq!(changes["lead"]["phoneNumber"], "+16782319992");
        assert_eq!(changes["lead"]["assigneeType"], "HUMAN_AGENT");
        assert_eq!(changes["checklistItems"], json!([
            { "code": "business_name", "value": "Pacific Coast Container Haulers", "status": "COMPLETED" },
            { "code": "tax_id", "value": "12-3456789", "status": "COMPLETED" }
        ]));

        assert_eq!(payload["matchingLeads"], json!([]));
        assert_eq!(payload["lastAction"], Value::Null);
        assert_eq!(payload["nextFollowUp"], Value::Null);
        assert_eq!(payload["nextDraft"], Value::Null);

        // What createLead returned is what a later read returns.
        let read = app.data(
            "query($id: ID!) { lead(id: $id) { createdAt updatedAt phoneNumber status } }",
            json!({ "id": lead["id"] }),
        ).await;
        assert_eq!(read["lead"]["createdAt"], lead["createdAt"]);
        assert_eq!(read["lead"]["status"], "COMPLETED");
        assert_eq!(app.count("action_logs").await, 1);
    }
}

on_both_backends! {
    async fn every_input_has_its_semantics(app) {
        let input = json!({
            "firstName": "  Ada ",
            "middleName": " ",
            "lastName": " Lovelace ",
            "email": "  Ada.Lovelace@Example.COM ",
            "phoneNumber": "+44 20 7946 0958",
            "website": "https://ada.example",
            "externalLeadId": "crm-42",
            "timezone": "Europe/London",
            "assigneeType": "AGENT",
            "didOptOut": true,
            "emailVerified": true,
            "tags": ["VIP", "vip", " Newsletter "],
        });
        let data = app.data(FULL, json!({ "input": input })).await;
        let lead = &data["createLead"]["lead"];
        assert_eq!(lead["firstName"], "Ada");
        assert_eq!(lead["middleName"], Value::Null, "blank optional strings are absent");
        assert_eq!(lead["lastName"], "Lovelace");
        assert_eq!(lead["email"], "Ada.Lovelace@example.com");
        assert_eq!(lead["phoneNumber"], "+442079460958");
        assert_eq!(lead["website"], "https://ada.example");
        assert_eq!(lead["externalLeadId"], "crm-42");
        assert_eq!(lead["timezone"], "Europe/London");
        assert_eq!(lead["assigneeType"], "AI_AGENT");
        assert_eq!(lead["didOptOut"], true);
        assert_eq!(lead["status"], "OPTED_OUT");
        assert_eq!(lead["optOutAt"], lead["createdAt"]);
        assert_eq!(lead["emailVerifiedAt"], lead["createdAt"]);
        assert_eq!(lead["tags"], json!(["Newsletter", "VIP"]));

        // Tags are per workspace and case-insensitive: a second lead reuses them.
        let second = app.data(FULL, json!({ "input": { "firstName": "Bob", "tags": ["newsletter", "New"] } })).await;
        assert_eq!(second["createLead"]["lead"]["tags"], json!(["New", "Newsletter"]));
        assert_eq!(app.count("tags").await, 3);
        assert_eq!(app.count("lead_tags").await, 4);

        // Without assigneeType a lead goes to the AI agent; without checklist values it is
        // in progress, every template item TODO with a null value.
        let lead = &second["createLead"];
        assert_eq!(lead["lead"]["assigneeType"], "AI_AGENT");
        assert_eq!(lead["lead"]["status"], "IN_PROGRESS");
        assert_eq!(lead["lead"]["emailVerifiedAt"], Value::Null);
        assert_eq!(lead["lead"]["optOutAt"], Value::Null);
        let items = lead["checklistItems"][0]["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        for item in items {
            assert_eq!(item["status"], "TODO");
            assert_eq!(item["value"], Value::Null);
        }
    }
}

on_both_backends! {
    async fn phone_numbers_that_are_not_valid_are_kept_as_given(app) {
        let data = app.data(FULL, json!({ "input": { "firstName": "X", "phoneNumber": " 555-CALL-NOW " } })).await;
        assert_eq!(data["createLead"]["lead"]["phoneNumber"], "555-CALL-NOW");
        let data = app.data(FULL, json!({ "input": { "firstName": "Y", "phoneNumber": "0033 1 42 76 49 78" } })).await;
        assert_eq!(data["createLead"]["lead"]["phoneNumber"], "+33142764978");
    }
}

on_both_backends! {
    async fn status_follows_the_checklist(app) {
        // One required item done: still in progress.
        let data = app.data(FULL, json!({ "input": { "firstName": "A", "checklistItems": [
            { "code": "business_name", "value": "Acme" }
        ] } })).await;
        assert_eq!(data["createLead"]["lead"]["status"], "IN_PROGRESS");
        // A value without a status completes the item; SKIPPED counts as done.
        let items = &data["createLead"]["checklistItems"][0]["items"];
        assert_eq!(items[0]["status"], "COMPLETED");
        let data = app.data(FULL, json!({ "input": { "firstName": "B", "checklistItems": [
            { "code": "business_name", "value": "Acme" },
            { "code": "tax_id", "status": "SKIPPED" }
        ] } })).await;
        assert_eq!(data["createLead"]["lead"]["status"], "COMPLETED");
        // NEEDS_REVIEW is not done.
        let data = app.data(FULL, json!({ "input": { "firstName": "C", "checklistItems": [
            { "code": "business_name", "value": "Acme" },
            { "code": "tax_id", "value": "12-3456789", "status": "NEEDS_REVIEW" }
        ] } })).await;
        assert_eq!(data["createLead"]["lead"]["status"], "IN_PROGRESS");
    }
}

on_both_backends! {
    async fn conditions_hide_groups_and_items_and_shape_the_status(app) {
        use leadgate::domain::checklist::import;
        let template = import::parse(r#"{ "groups": [
          { "name": "Entity", "items": [
            { "code": "entity_type", "label": "Entity type", "fieldType": "SELECT", "isRequired": true,
              "config": { "options": ["LLC", "Sole proprietor"] } },
            { "code": "ein", "label": "EIN", "fieldType": "EIN", "isRequired": true,
              "conditions": { "code": "entity_type", "equals": "LLC" } }
          ] },
          { "name": "LLC documents", "conditions": { "all": [{ "code": "entity_type", "equals": "LLC" }] }, "items": [
            { "code": "articles", "label": "Articles of organization", "fieldType": "FILE", "isRequired": false,
              "validationRules": ["Must show the state seal"] }
          ] }
        ] }"#).unwrap();
        import::replace(&app.db, app.workspace_id, &template).await.unwrap();
        const Q: &str = "mutation($input: CreateLeadInput!) { createLead(input: $input) {
            lead { status } checklistItems { name items { checklistItem { code validationRules } } } } }";

        let sole = app.data(Q, json!({ "input": { "firstName": "S", "checklistItems": [
            { "code": "entity_type", "value": "Sole proprietor" }
        ] } })).await;
        assert_eq!(sole["createLead"]["lead"]["status"], "COMPLETED", "the hidden EIN is not required");
        assert_eq!(sole["createLead"]["checklistItems"], json!([
            { "name": "Entity", "items": [{ "checklistItem": { "code": "entity_type", "validationRules": null } }] }
        ]));

        let llc = app.data(Q, json!({ "input": { "firstName": "L", "checklistItems": [
            { "code": "entity_type", "value": "LLC" }
        ] } })).await;
        assert_eq!(llc["createLead"]["lead"]["status"], "IN_PROGRESS", "the EIN now shows and is required");
        let groups = llc["createLead"]["checklistItems"].as_array().unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0]["items"].as_array().unwrap().len(), 2);
        assert_eq!(groups[1]["items"][0]["checklistItem"]["validationRules"], json!(["Must show the state seal"]));
    }
}

on_both_backends! {
    async fn checklist_values_are_stored_in_normal_form(app) {
        use leadgate::domain::checklist::import;
        let template = import::parse(r#"{ "groups": [ { "name": "Contact", "items": [
            { "code": "owner_email", "label": "Owner email", "fieldType": "EMAIL" },
            { "code": "owner_phone", "label": "Owner phone", "fieldType": "PHONE" },
            { "code": "employees", "label": "Employees", "fieldType": "NUMBER", "config": { "min": 1 } },
            { "code": "founded", "label": "Founded", "fieldType": "DATE" }
        ] } ] }"#).unwrap();
        import::replace(&app.db, app.workspace_id, &template).await.unwrap();
        let data = app.data(
            "mutation($input: CreateLeadInput!) { createLead(input: $input) { lead { status } checklistItems { items { value } } } }",
            json!({ "input": { "firstName": "N", "checklistItems": [
                { "code": "owner_email", "value": " Owner@Example.COM " },
                { "code": "owner_phone", "value": "(678) 231-9992" },
                { "code": "employees", "value": 12 },
                { "code": "founded", "value": "2001-09-30" }
            ] } }),
        ).await;
        let values: Vec<Value> = data["createLead"]["checklistItems"][0]["items"]
            .as_array().unwrap().iter().map(|i| i["value"].clone()).collect();
        assert_eq!(values, vec![json!("Owner@example.com"), json!("+16782319992"), json!(12), json!("2001-09-30")]);
        assert_eq!(data["createLead"]["lead"]["status"], "COMPLETED");
    }
}

on_both_backends! {
    async fn a_template_import_waits_for_a_create_that_read_the_template(app) {
        use leadgate::domain::{checklist::{Template, import}, demo::DEMO_TEMPLATE, writers};
        // A create's transaction, holding the template it read (on PostgreSQL under the
        // workspace's template lock, taken shared; on SQLite its writer's turn).
        let (turn, txn) = writers::begin(&app.db).await.unwrap();
        let held = Template::load_for_write(&txn, app.workspace_id, &[]).await.unwrap();
        assert!(held.items().count() > 0);
        let (db, workspace_id) = (app.db.clone(), app.workspace_id);
        let template = import::parse(DEMO_TEMPLATE).unwrap();
        let import = tokio::spawn(async move { import::replace(&db, workspace_id, &template).await });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(!import.is_finished(), "the import changes rows only once the create is done");
        txn.commit().await.unwrap();
        drop(turn);
        import.await.unwrap().unwrap();
    }
}

on_both_backends! {
    async fn a_create_that_waited_for_an_import_reads_the_template_the_import_left(app) {
        use leadgate::domain::{checklist, writers};
        use sea_orm::{ConnectionTrait, Statement};
        // An import in flight: it holds the template exclusive and has removed an item.
        let (turn, txn) = writers::begin(&app.db).await.unwrap();
        checklist::lock_exclusive(&txn, app.workspace_id).await.unwrap();
        let backend = txn.get_database_backend();
        let placeholder = if app.database_url.starts_with("postgres") { "$1" } else { "?" };
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            format!("DELETE FROM checklist_items WHERE code = 'tax_id' AND workspace_id = {placeholder}"),
            [app.workspace_id.into()],
        ))
        .await
        .unwrap();
        // A create arrives meanwhile, and waits; the import commits.
        const Q: &str = "mutation($input: CreateLeadInput!) { createLead(input: $input) {
            checklistItems { items { checklistItem { code } } } } }";
        let create = app.graphql(Q, json!({ "input": { "firstName": "Waited" } }));
        let import = async {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            txn.commit().await.unwrap();
            drop(turn);
        };
        let (answer, ()) = tokio::join!(create, import);
        // The create read the template after the import: no row for the removed item
        // (reading it before would have written one, refused by its foreign key).
        assert!(answer.get("errors").is_none(), "{answer}");
        let codes: Vec<&str> = answer["data"]["createLead"]["checklistItems"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|group| group["items"].as_array().unwrap())
            .map(|item| item["checklistItem"]["code"].as_str().unwrap())
            .collect();
        assert!(!codes.is_empty());
        assert!(!codes.contains(&"tax_id"), "{codes:?}");
    }
}
