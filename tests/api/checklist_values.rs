//! Checklist items beyond plain values: INVALID values with their validationError,
//! alternateValues, the documented file-type config, and IN_PROGRESS restoring the
//! status an automatic skip replaced.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::harness::{TestApp, error_code};
use crate::rest::send;

const UPDATE: &str = "mutation($id: ID!, $items: [ChecklistItemInput!]!) { updateChecklistItems(leadId: $id, items: $items) {
    checklistItems { items { status value alternateValues validationError checklistItem { code config } } }
} }";
const ADD: &str = "mutation($id: ID!, $input: AddLeadChecklistItemInput!) { addLeadChecklistItem(leadId: $id, input: $input) {
    checklistItems { items { checklistItem { code fieldType config } } }
} }";
const SET_STATUS: &str = "mutation($input: UpdateLeadInput!) { updateLead(input: $input) {
    lead { status } checklistItems { items { status checklistItem { code } } }
} }";

fn item<'v>(checklist: &'v Value, code: &str) -> &'v Value {
    checklist
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["items"].as_array().unwrap())
        .find(|i| i["checklistItem"]["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {checklist:#}"))
}

async fn update(app: &TestApp, id: &str, items: Value) -> Value {
    app.graphql(UPDATE, json!({ "id": id, "items": items }))
        .await
}

on_both_backends! {
    async fn invalid_values_are_stored_with_their_validation_error(app) {
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        // Refused when not marked INVALID...
        let response = update(&app, &id, json!([{ "code": "tax_id", "value": "123" }])).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        // ...stored as sent, with the reason, when it is.
        let response = update(&app, &id, json!([{ "code": "tax_id", "value": "123", "status": "INVALID" }])).await;
        let tax_id = item(&response["data"]["updateChecklistItems"]["checklistItems"], "tax_id");
        assert_eq!(tax_id["status"], "INVALID", "{response:#}");
        assert_eq!(tax_id["value"], "123");
        assert!(tax_id["validationError"].as_str().unwrap().contains("pattern"), "{tax_id:#}");
        // REST shows it too; items without one carry no such key.
        let (_, checklist) = send(&app, "GET", &format!("/api/v1/leads/{id}/checklist"), Some(&app.key), None).await;
        let rest_item = item(&checklist, "tax_id");
        assert_eq!(rest_item["validationError"], tax_id["validationError"]);
        assert_eq!(item(&checklist, "business_name").get("validationError"), None);
        // A valid value replaces it and the error goes.
        let response = update(&app, &id, json!([{ "code": "tax_id", "value": "12-3456789" }])).await;
        let tax_id = item(&response["data"]["updateChecklistItems"]["checklistItems"], "tax_id");
        assert_eq!(tax_id["status"], "COMPLETED");
        assert_eq!(tax_id["validationError"], Value::Null);
        // On create and over REST as well.
        let (status, body) = send(&app, "POST", "/api/v1/leads", Some(&app.key), Some(json!({
            "firstName": "Bo", "checklistItems": [{ "code": "tax_id", "value": "nope", "status": "invalid" }],
        }).to_string())).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        let rest_item = item(&body["checklistItems"], "tax_id");
        assert_eq!(rest_item["status"], "INVALID");
        assert_eq!(rest_item["value"], "nope");
        assert!(rest_item["validationError"].is_string());
    }
}

on_both_backends! {
    async fn alternate_values_are_checked_stored_and_cleared(app) {
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        let response = update(&app, &id, json!([{ "code": "tax_id", "value": "12-3456789", "alternateValues": ["98-7654321"] }])).await;
        let tax_id = item(&response["data"]["updateChecklistItems"]["checklistItems"], "tax_id");
        assert_eq!(tax_id["alternateValues"], json!(["98-7654321"]), "{response:#}");
        let response = update(&app, &id, json!([{ "code": "tax_id", "alternateValues": ["bad"] }])).await;
        assert_eq!(response["errors"][0]["extensions"]["field"], "checklistItems[0].alternateValues[0]", "{response:#}");
        let response = update(&app, &id, json!([{ "code": "tax_id", "alternateValues": vec!["12-3456789"; 21] }])).await;
        assert_eq!(response["errors"][0]["extensions"]["field"], "checklistItems[0].alternateValues");
        let response = update(&app, &id, json!([{ "code": "tax_id", "alternateValues": null }])).await;
        let tax_id = item(&response["data"]["updateChecklistItems"]["checklistItems"], "tax_id");
        assert_eq!(tax_id["alternateValues"], Value::Null);
        assert_eq!(tax_id["value"], "12-3456789", "the value stays");
        // REST reads `alternateValues` on checklist updates too.
        let (status, body) = send(&app, "PUT", "/api/v1/leads", Some(&app.key), Some(json!({
            "leadId": id, "checklistItems": [{ "code": "tax_id", "alternateValues": ["11-1111111"] }],
        }).to_string())).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        assert_eq!(item(&body["checklistItems"], "tax_id")["alternateValues"], json!(["11-1111111"]));
    }
}

on_both_backends! {
    async fn file_items_take_the_documented_config(app) {
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        for (label, field_type, config) in [
            ("Statements", "BANK_STATEMENT", json!({ "months": 3, "gracePeriodDays": 15, "isPersonal": false })),
            ("Photo ID", "ID", json!({ "type": "DRIVERS_LICENSE" })),
            ("Returns", "TAX_RETURN", json!({ "years": 2, "isPersonal": true })),
        ] {
            let response = app.graphql(ADD, json!({ "id": id, "input": { "label": label, "fieldType": field_type, "config": config } })).await;
            assert!(response.get("errors").is_none(), "{response:#}");
            let items = &response["data"]["addLeadChecklistItem"]["checklistItems"];
            let code = label.to_uppercase().replace(' ', "_");
            assert_eq!(item(items, &code)["checklistItem"]["config"], config);
        }
        for (field_type, config) in [
            ("BANK_STATEMENT", json!({ "gracePeriodDays": 15 })),
            ("BANK_STATEMENT", json!({ "months": 0 })),
            ("ID", json!({ "type": "VISA" })),
            ("TAX_RETURN", json!({ "years": 2, "isPersonal": "yes" })),
            ("FILE", json!({ "months": 3 })),
        ] {
            let response = app.graphql(ADD, json!({ "id": id, "input": { "label": "X", "fieldType": field_type, "config": config } })).await;
            assert_eq!(response["errors"][0]["extensions"]["field"], "config", "{field_type} {config}");
        }
        // The REST route checks and answers the same.
        let (status, body) = send(&app, "POST", &format!("/api/v1/leads/{id}/checklist-items"), Some(&app.key),
            Some(json!({ "label": "Passport", "fieldType": "ID", "config": { "type": "PASSPORT" } }).to_string())).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        let (_, checklist) = send(&app, "GET", &format!("/api/v1/leads/{id}/checklist"), Some(&app.key), None).await;
        assert_eq!(item(&checklist, "PASSPORT")["checklistItem"].get("config"), None, "REST shows the documented item keys");
    }
}

on_both_backends! {
    async fn in_progress_restores_the_status_each_item_had_before_completing(app) {
        let id = app.create_lead(json!({ "firstName": "Ada", "checklistItems": [{ "code": "business_name", "status": "NEEDS_REVIEW" }] })).await;
        let data = app.data(SET_STATUS, json!({ "input": { "id": id, "status": "COMPLETED" } })).await;
        let items = &data["updateLead"]["checklistItems"];
        assert_eq!(item(items, "business_name")["status"], "SKIPPED");
        assert_eq!(item(items, "tax_id")["status"], "SKIPPED");
        let data = app.data(SET_STATUS, json!({ "input": { "id": id, "status": "IN_PROGRESS" } })).await;
        let items = &data["updateLead"]["checklistItems"];
        assert_eq!(item(items, "business_name")["status"], "NEEDS_REVIEW", "not TODO");
        assert_eq!(item(items, "tax_id")["status"], "TODO");
        assert_eq!(data["updateLead"]["lead"]["status"], "IN_PROGRESS");
    }
}
