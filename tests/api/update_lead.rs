//! updateLead, updateChecklistItems and addLeadChecklistItem: partial updates and the
//! documented status rules.

use serde_json::{Value, json};

use crate::harness::{TestApp, error_code};

const UPDATE: &str = "mutation($input: UpdateLeadInput!) { updateLead(input: $input) {
  success
  lead { id firstName middleName lastName email phoneNumber businessName website timezone assigneeType
         didOptOut optOutAt emailVerifiedAt status tags submittedAt updatedAt createdAt }
  checklistItems { name items { status value checklistItem { code } } }
  actionLogs(limit: 1) { type summary changes }
} }";

async fn update(app: &TestApp, input: Value) -> Value {
    app.data(UPDATE, json!({ "input": input })).await["updateLead"].clone()
}

fn statuses(payload: &Value) -> Vec<(String, String)> {
    payload["checklistItems"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["items"].as_array().unwrap().iter())
        .map(|i| {
            (
                i["checklistItem"]["code"].as_str().unwrap().to_owned(),
                i["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

on_both_backends! {
    async fn updates_are_partial_and_null_clears(app) {
        let id = app.create_lead(json!({ "firstName": "Ada", "middleName": "K", "lastName": "Byron",
            "email": "ada@example.com", "phoneNumber": "6782319992", "timezone": "Europe/London", "tags": ["a", "b"] })).await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let payload = update(&app, json!({ "id": id, "lastName": "Lovelace", "middleName": null,
            "email": "Ada@ENGINES.example", "tags": ["B", "c"], "assigneeType": "MANUAL", "emailVerified": true })).await;
        let lead = &payload["lead"];
        assert_eq!(lead["firstName"], "Ada", "absent fields stay");
        assert_eq!(lead["phoneNumber"], "+16782319992");
        assert_eq!(lead["timezone"], "Europe/London");
        assert_eq!(lead["middleName"], Value::Null, "null clears");
        assert_eq!(lead["lastName"], "Lovelace");
        assert_eq!(lead["email"], "Ada@engines.example");
        assert_eq!(lead["assigneeType"], "HUMAN_AGENT");
        assert_eq!(lead["tags"], json!(["b", "c"]), "tags are replaced; B is the existing b");
        assert_eq!(lead["emailVerifiedAt"], lead["updatedAt"]);
        assert_ne!(lead["updatedAt"], lead["createdAt"]);

        let log = &payload["actionLogs"][0];
        assert_eq!(log["type"], "API_ACTIVITY");
        assert_eq!(log["summary"], "Lead updated");
        assert_eq!(log["changes"]["lead"]["lastName"], json!({ "from": "Byron", "to": "Lovelace" }));
        assert_eq!(log["changes"]["lead"]["middleName"], json!({ "from": "K", "to": null }));
        assert_eq!(log["changes"]["tags"], json!({ "added": ["c"], "removed": ["a"] }));
        assert!(log["changes"]["lead"].get("firstName").is_none(), "only changes are recorded");
        assert_eq!(app.count("action_logs").await, 2, "one log per mutation");

        // `tags: []` removes all; null clears the phone; the lead no longer matches by it.
        let payload = update(&app, json!({ "id": id, "tags": [], "phoneNumber": null, "emailVerified": false })).await;
        assert_eq!(payload["lead"]["tags"], json!([]));
        assert_eq!(payload["lead"]["phoneNumber"], Value::Null);
        assert_eq!(payload["lead"]["emailVerifiedAt"], Value::Null);
        let other = app.create_lead(json!({ "firstName": "Other", "phoneNumber": "678-231-9992" })).await;
        let matches = app.data("query($id: ID!) { lead(id: $id) { matchingLeads { id } } }", json!({ "id": other })).await;
        assert_eq!(matches["lead"]["matchingLeads"], json!([]));
    }
}

on_both_backends! {
    async fn bad_updates_name_the_field_and_change_nothing(app) {
        let id = app.create_lead(json!({ "firstName": "Ada", "email": "ada@example.com" })).await;
        let (_, other_key) = app.other_workspace("Globex").await;
        let theirs = app.create_lead_with(&other_key, json!({ "firstName": "Theirs" })).await;
        let before = app.written_rows().await;
        for (input, code, field) in [
            (json!({ "id": id, "firstName": null }), "BAD_USER_INPUT", "firstName"),
            (json!({ "id": id, "firstName": "  " }), "BAD_USER_INPUT", "firstName"),
            (json!({ "id": id, "email": "nope", "lastName": "X" }), "BAD_USER_INPUT", "email"),
            (json!({ "id": id, "timezone": "Nowhere/Land" }), "BAD_USER_INPUT", "timezone"),
            (json!({ "id": id, "status": "REVIEW" }), "BAD_USER_INPUT", "status"),
            (json!({ "id": id, "status": "COMPLETED", "didOptOut": true }), "BAD_USER_INPUT", "didOptOut"),
            (json!({ "id": id, "status": "OPTED_OUT", "didOptOut": false }), "BAD_USER_INPUT", "didOptOut"),
            (json!({ "id": id, "assigneeType": null }), "BAD_USER_INPUT", "assigneeType"),
            (json!({ "id": id, "checklistItems": [{ "code": "tax_id", "value": "nope" }] }), "BAD_USER_INPUT", "checklistItems[0].value"),
            (json!({ "id": id, "checklistItems": [{ "code": "ghost" }] }), "BAD_USER_INPUT", "checklistItems[0].code"),
            (json!({ "id": "not-a-uuid" }), "BAD_USER_INPUT", "id"),
        ] {
            let response = app.graphql(UPDATE, json!({ "input": input })).await;
            assert_eq!(error_code(&response), code, "{input}: {response:#}");
            assert_eq!(response["errors"][0]["extensions"]["field"], field, "{input}");
        }
        let response = app.graphql(UPDATE, json!({ "input": { "id": theirs, "lastName": "Mine" } })).await;
        assert_eq!(error_code(&response), "NOT_FOUND");
        let response = app.graphql(UPDATE, json!({ "input": { "id": "00000000-0000-0000-0000-000000000000" } })).await;
        assert_eq!(error_code(&response), "NOT_FOUND");
        assert_eq!(app.written_rows().await, before);
        let lead = app.data("query($id: ID!) { lead(id: $id) { firstName email lastName } }", json!({ "id": id })).await;
        assert_eq!(lead["lead"], json!({ "firstName": "Ada", "email": "ada@example.com", "lastName": null }));
    }
}

on_both_backends! {
    async fn completing_skips_required_items_and_reopening_undoes_it(app) {
        let id = app.create_lead(json!({ "firstName": "Ada", "checklistItems": [{ "code": "business_name", "value": "Acme" }] })).await;
        let done = update(&app, json!({ "id": id, "status": "COMPLETED" })).await;
        assert_eq!(done["lead"]["status"], "COMPLETED");
        assert_eq!(statuses(&done), pairs(&[("business_name", "COMPLETED"), ("tax_id", "SKIPPED")]));
        assert_eq!(done["actionLogs"][0]["changes"]["autoSkipped"], json!(["tax_id"]));
        assert_eq!(done["actionLogs"][0]["changes"]["status"], json!({ "from": "IN_PROGRESS", "to": "COMPLETED" }));
        assert_ne!(done["lead"]["submittedAt"], Value::Null);

        let reopened = update(&app, json!({ "id": id, "status": "IN_PROGRESS" })).await;
        assert_eq!(reopened["lead"]["status"], "IN_PROGRESS");
        assert_eq!(statuses(&reopened), pairs(&[("business_name", "COMPLETED"), ("tax_id", "TODO")]));
        assert_eq!(reopened["actionLogs"][0]["changes"]["autoSkipsReverted"], json!(["tax_id"]));

        // A skip set by hand is not undone by reopening.
        update(&app, json!({ "id": id, "checklistItems": [{ "code": "tax_id", "status": "SKIPPED" }] })).await;
        let again = update(&app, json!({ "id": id, "status": "IN_PROGRESS" })).await;
        assert_eq!(statuses(&again), pairs(&[("business_name", "COMPLETED"), ("tax_id", "SKIPPED")]));
    }
}

on_both_backends! {
    async fn status_and_opt_out_agree(app) {
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        let out = update(&app, json!({ "id": id, "didOptOut": true })).await;
        assert_eq!(out["lead"]["status"], "OPTED_OUT");
        assert_ne!(out["lead"]["optOutAt"], Value::Null);
        let back = update(&app, json!({ "id": id, "didOptOut": false })).await;
        assert_eq!(back["lead"]["status"], "IN_PROGRESS", "opting back in recomputes the status");
        assert_eq!(back["lead"]["optOutAt"], Value::Null);
        let out = update(&app, json!({ "id": id, "status": "OPTED_OUT" })).await;
        assert_eq!(out["lead"]["didOptOut"], true);
        let not_interested = update(&app, json!({ "id": id, "status": "NOT_INTERESTED" })).await;
        assert_eq!(not_interested["lead"]["didOptOut"], false);
        // A status set by hand stays when the checklist changes.
        let still = update(&app, json!({ "id": id, "checklistItems": [
            { "code": "business_name", "value": "Acme" }, { "code": "tax_id", "value": "12-3456789" }
        ] })).await;
        assert_eq!(still["lead"]["status"], "NOT_INTERESTED");
    }
}

on_both_backends! {
    async fn checklist_updates_validate_and_recompute_the_status(app) {
        const Q: &str = "mutation($id: ID!, $items: [ChecklistItemInput!]!) { updateChecklistItems(leadId: $id, items: $items) {
            lead { status } checklistItems { items { status value checklistItem { code } } } actionLogs(limit: 1) { summary changes } } }";
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        let data = app.data(Q, json!({ "id": id, "items": [
            { "code": "business_name", "value": "Acme" }, { "code": "tax_id", "value": "12-3456789" }
        ] })).await;
        let payload = &data["updateChecklistItems"];
        assert_eq!(payload["lead"]["status"], "COMPLETED");
        assert_eq!(payload["actionLogs"][0]["summary"], "Checklist updated");
        assert_eq!(payload["actionLogs"][0]["changes"]["checklistItems"][1],
            json!({ "code": "tax_id", "value": "12-3456789", "status": "COMPLETED" }));

        // Clearing a value reopens the item and the lead.
        let data = app.data(Q, json!({ "id": id, "items": [{ "code": "tax_id", "value": null }] })).await;
        let payload = &data["updateChecklistItems"];
        assert_eq!(payload["lead"]["status"], "IN_PROGRESS");
        assert_eq!(payload["checklistItems"][0]["items"][1], json!({ "status": "TODO", "value": null, "checklistItem": { "code": "tax_id" } }));
        // A status alone keeps the value.
        let data = app.data(Q, json!({ "id": id, "items": [{ "code": "business_name", "status": "NEEDS_REVIEW" }] })).await;
        assert_eq!(data["updateChecklistItems"]["checklistItems"][0]["items"][0]["value"], "Acme");

        let response = app.graphql(Q, json!({ "id": id, "items": [{ "code": "tax_id", "value": 12 }] })).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        assert_eq!(response["errors"][0]["extensions"]["field"], "checklistItems[0].value");
        let response = app.graphql(Q, json!({ "id": id, "items": [] })).await;
        assert_eq!(response["errors"][0]["extensions"]["field"], "items");
    }
}

on_both_backends! {
    async fn one_off_items_belong_to_one_lead(app) {
        const ADD: &str = "mutation($id: ID!, $input: AddLeadChecklistItemInput!) { addLeadChecklistItem(leadId: $id, input: $input) {
            lead { status } checklistItems { name items { status checklistItem { code label fieldType isRequired config agentInstructions validationRules } } }
            actionLogs(limit: 1) { summary changes } } }";
        let id = app.create_lead(json!({ "firstName": "Ada", "checklistItems": [
            { "code": "business_name", "value": "Acme" }, { "code": "tax_id", "value": "12-3456789" }
        ] })).await;
        let other = app.create_lead(json!({ "firstName": "Bob" })).await;

        let data = app.data(ADD, json!({ "id": id, "input": { "label": "Bank statement (March)", "fieldType": "BANK_STATEMENT",
            "agentInstructions": "Ask for the PDF", "validationRules": ["Shows the account holder"] } })).await;
        let payload = &data["addLeadChecklistItem"];
        assert_eq!(payload["lead"]["status"], "IN_PROGRESS", "a new required item reopens a complete lead");
        let groups = payload["checklistItems"].as_array().unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[1]["name"], "Additional Items");
        let item = &groups[1]["items"][0];
        assert_eq!(item["status"], "TODO");
        assert_eq!(item["checklistItem"]["code"], "BANK_STATEMENT_MARCH", "the label in upper snake case");
        assert_eq!(item["checklistItem"]["isRequired"], true);
        assert_eq!(item["checklistItem"]["fieldType"], "BANK_STATEMENT");
        assert_eq!(item["checklistItem"]["agentInstructions"], "Ask for the PDF");
        assert_eq!(payload["actionLogs"][0]["summary"], "Checklist item added");
        assert_eq!(payload["actionLogs"][0]["changes"]["added"]["code"], "BANK_STATEMENT_MARCH");

        // Same label again: a fresh code; an explicit taken code is refused.
        let data = app.data(ADD, json!({ "id": id, "input": { "label": "Bank statement (March)", "isRequired": false } })).await;
        assert_eq!(data["addLeadChecklistItem"]["checklistItems"][1]["items"][1]["checklistItem"]["code"], "BANK_STATEMENT_MARCH_2");
        assert_eq!(data["addLeadChecklistItem"]["checklistItems"][1]["items"][1]["checklistItem"]["fieldType"], "TEXT");
        for (input, field) in [
            (json!({ "label": "X", "code": "tax_id" }), "code"),
            (json!({ "label": "X", "code": "Not Valid" }), "code"),
            (json!({ "label": " " }), "label"),
            (json!({ "label": "L".repeat(501) }), "label"),
            (json!({ "label": "N", "fieldType": "NUMBER", "config": { "pattern": "x" } }), "config"),
            (json!({ "label": "T", "validationRules": ["only for files"] }), "validationRules"),
        ] {
            let response = app.graphql(ADD, json!({ "id": id, "input": input })).await;
            assert_eq!(error_code(&response), "BAD_USER_INPUT", "{input}");
            assert_eq!(response["errors"][0]["extensions"]["field"], field, "{input}");
        }

        // The item is the lead's own: values are checked against it, others do not see it.
        let data = app.data("mutation($id: ID!) { updateChecklistItems(leadId: $id, items: [{ code: \"BANK_STATEMENT_MARCH_2\", value: \"on file\" }]) { lead { status } } }", json!({ "id": id })).await;
        assert_eq!(data["updateChecklistItems"]["lead"]["status"], "IN_PROGRESS");
        let theirs = app.data("query($id: ID!) { lead(id: $id) { checklistItems { name } } }", json!({ "id": other })).await;
        assert_eq!(theirs["lead"]["checklistItems"], json!([{ "name": "Business Information" }]));
        let response = app.graphql("mutation($id: ID!) { updateChecklistItems(leadId: $id, items: [{ code: \"BANK_STATEMENT_MARCH\", status: SKIPPED }]) { success } }", json!({ "id": other })).await;
        assert_eq!(response["errors"][0]["extensions"]["field"], "checklistItems[0].code");
        // A given code may be of either case; it is kept as given.
        let data = app.data(ADD, json!({ "id": id, "input": { "label": "Lease", "code": "lease_copy" } })).await;
        assert_eq!(data["addLeadChecklistItem"]["checklistItems"][1]["items"][2]["checklistItem"]["code"], "lease_copy");
        // Re-importing the template leaves one-off items alone.
        use leadgate::domain::{checklist::import, demo::DEMO_TEMPLATE};
        import::replace(&app.db, app.workspace_id, &import::parse(DEMO_TEMPLATE).unwrap()).await.unwrap();
        let mine = app.data("query($id: ID!) { lead(id: $id) { checklistItems { items { checklistItem { code } } } } }", json!({ "id": id })).await;
        assert_eq!(mine["lead"]["checklistItems"][1]["items"].as_array().unwrap().len(), 3);
        // ...and may not take their codes.
        let clash = import::parse(r#"{ "groups": [{ "name": "G", "items": [
            { "code": "lease_copy", "label": "B", "fieldType": "TEXT" } ] }] }"#).unwrap();
        let err = import::replace(&app.db, app.workspace_id, &clash).await.unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert!(err.to_string().contains("groups[0].items[0].code"), "{err}");
    }
}

on_both_backends! {
    async fn a_lead_missing_a_row_for_an_item_reads_todo_and_updates_write_it(app) {
        // A lead created while an import was adding items can miss the new item's row.
        use leadgate::entities::lead_checklist_item;
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        const ITEMS: &str = "query($id: ID!) { lead(id: $id) { status checklistItems { items { id status value checklistItem { code } } } } }";
        let id = app.create_lead(json!({ "firstName": "Ada", "checklistItems": [{ "code": "business_name", "value": "Acme" }] })).await;
        let lead_id: uuid::Uuid = id.parse().unwrap();
        let tax_id = app.data(ITEMS, json!({ "id": id })).await["lead"]["checklistItems"][0]["items"][1].clone();
        lead_checklist_item::Entity::delete_many()
            .filter(lead_checklist_item::Column::LeadId.eq(lead_id))
            .filter(lead_checklist_item::Column::Id.eq(tax_id["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap()))
            .exec(&app.db)
            .await
            .unwrap();

        let before = app.data(ITEMS, json!({ "id": id })).await;
        let missing = &before["lead"]["checklistItems"][0]["items"][1];
        assert_eq!(missing["checklistItem"]["code"], "tax_id");
        assert_eq!(missing["status"], "TODO");
        assert_eq!(missing["value"], Value::Null);
        assert_eq!(app.data(ITEMS, json!({ "id": id })).await, before, "the stand-in id is stable");

        let updated = update(&app, json!({ "id": id, "checklistItems": [{ "code": "tax_id", "value": "12-3456789" }] })).await;
        assert_eq!(updated["lead"]["status"], "COMPLETED");
        let after = app.data(ITEMS, json!({ "id": id })).await;
        let written = &after["lead"]["checklistItems"][0]["items"][1];
        assert_eq!(written["value"], "12-3456789");
        assert_eq!(written["id"], missing["id"], "the row is written under the id it was read with");
        let rows = lead_checklist_item::Entity::find()
            .filter(lead_checklist_item::Column::LeadId.eq(lead_id))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(rows, 2);
    }
}
