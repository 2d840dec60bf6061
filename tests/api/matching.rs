//! matchingLeads: same workspace, same email (case-insensitively) or E.164 phone; never
//! the lead itself, deleted leads or test leads; nothing for a test lead.

use serde_json::{Value, json};

const MATCHES: &str = "query($id: ID!) { lead(id: $id) { matchingLeads { id firstName } } }";

async fn matches(app: &crate::harness::TestApp, id: &str) -> Vec<String> {
    let data = app.data(MATCHES, json!({ "id": id })).await;
    data["lead"]["matchingLeads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["firstName"].as_str().unwrap().to_owned())
        .collect()
}

on_both_backends! {
    async fn leads_match_by_email_or_by_phone_in_any_format(app) {
        let by_email = app.create_lead(json!({ "firstName": "ByEmail", "email": "JOHN@Example.com" })).await;
        let _by_phone = app.create_lead(json!({ "firstName": "ByPhone", "phoneNumber": "(678) 231-9992" })).await;
        let _by_intl = app.create_lead(json!({ "firstName": "ByIntl", "phoneNumber": "+1 678.231.9992" })).await;
        let _other = app.create_lead(json!({ "firstName": "Other", "email": "jane@example.com", "phoneNumber": "6782310000" })).await;
        let _raw = app.create_lead(json!({ "firstName": "Raw", "phoneNumber": "call me" })).await;
        let john = app.create_lead(json!({ "firstName": "John", "email": "john@example.com", "phoneNumber": "6782319992" })).await;

        // Newest first, never itself.
        assert_eq!(matches(&app, &john).await, ["ByIntl", "ByPhone", "ByEmail"]);
        assert_eq!(matches(&app, &by_email).await, ["John"]);

        // The payload of createLead matches too.
        let data = app.data(
            "mutation($input: CreateLeadInput!) { createLead(input: $input) { matchingLeads { firstName } } }",
            json!({ "input": { "firstName": "Again", "email": "john@EXAMPLE.com" } }),
        ).await;
        let names: Vec<&str> = data["createLead"]["matchingLeads"].as_array().unwrap()
            .iter().map(|l| l["firstName"].as_str().unwrap()).collect();
        assert_eq!(names, ["John", "ByEmail"]);
    }
}

on_both_backends! {
    async fn deleted_and_test_leads_never_match(app) {
        use sea_orm::{ActiveValue::Set, EntityTrait};
        use leadgate::entities::lead;
        let deleted = app.create_lead(json!({ "firstName": "Deleted", "email": "a@example.com" })).await;
        lead::Entity::update(lead::ActiveModel {
            id: Set(deleted.parse().unwrap()),
            deleted_at: Set(Some(chrono::Utc::now())),
            ..Default::default()
        })
        .exec(&app.db)
        .await
        .unwrap();
        let test_lead = app.create_lead_with(&app.test_key.clone(), json!({ "firstName": "Test", "email": "a@example.com" })).await;
        let live = app.create_lead(json!({ "firstName": "Live", "email": "a@example.com" })).await;

        assert_eq!(matches(&app, &live).await, Vec::<String>::new());
        // A test lead has no matches, even though a live lead shares its email.
        assert_eq!(matches(&app, &test_lead).await, Vec::<String>::new());
        let data = app.data("query($id: ID!) { lead(id: $id) { isTest } }", json!({ "id": test_lead })).await;
        assert_eq!(data["lead"]["isTest"], true);
        let data = app.data("query($id: ID!) { lead(id: $id) { isTest deletedAt } }", json!({ "id": live })).await;
        assert_eq!(data["lead"]["isTest"], false);
        assert_eq!(data["lead"]["deletedAt"], Value::Null);
    }
}
