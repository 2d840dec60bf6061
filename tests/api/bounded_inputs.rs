//! Bounded inputs: NUL characters refused on both faces and both stores, numbers the
//! store cannot hold refused, every refusal BAD_USER_INPUT naming the field.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use serde_json::{Value, json};

use crate::harness::{CREATE_LEAD_ID, TestApp, error_code};

async fn rest_create(app: &TestApp, body: &str) -> (StatusCode, Value) {
    let request = Request::post("/api/v1/leads")
        .header("content-type", "application/json")
        .header("x-api-key", &app.key)
        .body(Body::from(body.to_owned()))
        .unwrap();
    let (status, _, bytes) = app.send(request).await;
    (status, serde_json::from_slice(&bytes).unwrap())
}

on_both_backends! {
    async fn nul_characters_are_refused_naming_the_field(app) {
        // In a variable.
        let response = app.graphql(CREATE_LEAD_ID, json!({ "input": { "firstName": "Ada\u{0}" } })).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response:#}");
        assert_eq!(response["errors"][0]["extensions"]["field"], "firstName");
        assert!(response["errors"][0]["message"].as_str().unwrap().contains("NUL"));
        // Deep in a JSON value.
        let input = json!({ "firstName": "Ada", "checklistItems": [{ "code": "business_name", "value": { "a": ["x\u{0}"] } }] });
        let response = app.graphql(CREATE_LEAD_ID, json!({ "input": input })).await;
        assert_eq!(response["errors"][0]["extensions"]["field"], "checklistItems[0].value.a[0]", "{response:#}");
        // In a literal of the document.
        let literal = r#"mutation { createLead(input: { firstName: "Ada\u0000" }) { success } }"#;
        let response = app.graphql(literal, json!({})).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response:#}");
        assert_eq!(response["errors"][0]["extensions"]["field"], "firstName");
        // On REST.
        let (status, body) = rest_create(&app, r#"{"firstName":"Ada","lastName":"L\u0000"}"#).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
        assert_eq!(body["error"]["field"], "lastName");
        assert_eq!(app.count("leads").await, 0);
    }
}

on_both_backends! {
    async fn numbers_out_of_range_are_clear_user_errors(app) {
        // A literal too big for a double.
        let literal = r#"mutation { createLead(input: { firstName: "Ada", checklistItems: [{ code: "business_name", value: 1e999 }] }) { success } }"#;
        let response = app.graphql(literal, json!({})).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response:#}");
        assert_eq!(response["errors"][0]["extensions"]["field"], "query");
        assert!(response["errors"][0]["message"].as_str().unwrap().contains("too large"));
        // In JSON (variables or REST), a number JSON cannot read is a bad body.
        let (status, body) = rest_create(&app, r#"{"firstName":"Ada","checklistItems":[{"code":"business_name","value":1e999}]}"#).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
        assert_eq!(body["error"]["field"], "body");
        // Big but finite numbers are stored or refused by the item's type, never INTERNAL.
        let input = json!({ "firstName": "Ada", "checklistItems": [{ "code": "business_name", "value": 1.7e308 }] });
        let response = app.graphql(CREATE_LEAD_ID, json!({ "input": input })).await;
        assert_ne!(response["errors"][0]["extensions"]["code"], "INTERNAL");
        let response = app.graphql("query { leads(first: 99999999999) { totalCount } }", json!({})).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response:#}");
        assert_eq!(app.count("leads").await, 0);
    }
}

on_both_backends! {
    async fn a_unique_constraint_race_is_conflict_not_internal(app) {
        use leadgate::entities::tool;
        use sea_orm::{ActiveValue::Set, EntityTrait};
        // What the loser of two concurrent inserts of one unique value gets from the store.
        let row = || tool::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            workspace_id: Set(app.workspace_id),
            name: Set("crm_lookup".into()),
            description: Set(None),
        };
        tool::Entity::insert(row()).exec_without_returning(&app.db).await.unwrap();
        let lost = tool::Entity::insert(row()).exec_without_returning(&app.db).await.unwrap_err();
        let err = leadgate::error::Error::from(lost);
        assert_eq!(err.code(), "CONFLICT", "{err:?}");
        assert!(!err.is_internal());
        assert!(err.to_string().contains("retry"));
    }
}
