//! Bad input: refused with BAD_USER_INPUT naming the field or code, and nothing written.

use serde_json::{Value, json};

use crate::harness::{CREATE_LEAD_ID, error_code};

/// (input, the field the error must name, a word the message must contain)
fn bad_inputs() -> Vec<(Value, &'static str, &'static str)> {
    vec![
        (json!({ "firstName": "" }), "firstName", "empty"),
        (json!({ "firstName": "   " }), "firstName", "empty"),
        (
            json!({ "firstName": "A", "email": "not-an-email" }),
            "email",
            "email",
        ),
        (
            json!({ "firstName": "A", "email": "a@localhost" }),
            "email",
            "email",
        ),
        (
            json!({ "firstName": "A", "timezone": "Mars/Olympus_Mons" }),
            "timezone",
            "IANA",
        ),
        (
            json!({ "firstName": "A", "checklistItems": [{ "code": "nope", "value": "x" }] }),
            "checklistItems[0].code",
            "nope",
        ),
        (
            json!({ "firstName": "A", "checklistItems": [{ "code": "business_name", "value": 42 }] }),
            "checklistItems[0].value",
            "business_name",
        ),
        (
            json!({ "firstName": "A", "checklistItems": [
            { "code": "business_name", "value": "Acme" },
            { "code": "tax_id", "value": "123456789" }
        ] }),
            "checklistItems[1].value",
            "tax_id",
        ),
        (
            json!({ "firstName": "A", "checklistItems": [
            { "code": "tax_id", "value": "12-3456789" },
            { "code": "tax_id", "value": "12-3456789" }
        ] }),
            "checklistItems[1].code",
            "twice",
        ),
        (
            json!({ "firstName": "A", "tags": ["ok", " "] }),
            "tags[1]",
            "empty",
        ),
        (json!({ "firstName": "A".repeat(501) }), "firstName", "long"),
    ]
}

on_both_backends! {
    async fn bad_input_is_refused_naming_the_field_and_writes_nothing(app) {
        let before = app.written_rows().await;
        for (input, field, word) in bad_inputs() {
            let response = app.graphql(CREATE_LEAD_ID, json!({ "input": input })).await;
            assert_eq!(error_code(&response), "BAD_USER_INPUT", "{input}: {response:#}");
            assert_eq!(response["data"], Value::Null);
            let error = &response["errors"][0];
            assert_eq!(error["extensions"]["field"], field, "{input}: {response:#}");
            let message = error["message"].as_str().unwrap();
            assert!(message.contains(field) && message.contains(word), "{input}: {message}");
        }
        assert_eq!(app.written_rows().await, before);
    }
}

on_both_backends! {
    async fn every_problem_is_reported_at_once(app) {
        let response = app.graphql(CREATE_LEAD_ID, json!({ "input": {
            "firstName": "", "email": "x", "timezone": "Nowhere",
            "checklistItems": [{ "code": "missing" }]
        } })).await;
        let fields: Vec<&str> = response["errors"][0]["extensions"]["fields"]
            .as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["firstName", "email", "timezone", "checklistItems[0].code"]);
        assert_eq!(app.count("leads").await, 0);
    }
}

on_both_backends! {
    async fn wrong_types_and_unknown_enum_values_are_bad_user_input(app) {
        let cases = [
            // An unknown checklist status, as a variable and as a literal.
            (CREATE_LEAD_ID.to_owned(), json!({ "input": { "firstName": "A", "checklistItems": [{ "code": "tax_id", "status": "DONE" }] } }), "DONE"),
            ("mutation { createLead(input: { firstName: \"A\", checklistItems: [{ code: \"tax_id\", status: DONE }] }) { success } }".to_owned(), json!({}), "DONE"),
            (CREATE_LEAD_ID.to_owned(), json!({ "input": { "firstName": "A", "assigneeType": "ROBOT" } }), "ROBOT"),
            (CREATE_LEAD_ID.to_owned(), json!({ "input": { "lastName": "no first name" } }), "firstName"),
            (CREATE_LEAD_ID.to_owned(), json!({ "input": { "firstName": ["A"] } }), "firstName"),
        ];
        for (query, variables, word) in cases {
            let response = app.graphql(&query, variables.clone()).await;
            assert_eq!(error_code(&response), "BAD_USER_INPUT", "{variables}: {response:#}");
            let message = response["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(word), "{message}");
        }
        assert_eq!(app.count("leads").await, 0);
    }
}

on_both_backends! {
    async fn malformed_documents_get_their_own_codes(app) {
        let response = app.graphql("mutation { createLead(", json!({})).await;
        assert_eq!(error_code(&response), "GRAPHQL_PARSE_FAILED");
        let response = app.graphql("{ leadz(id: \"x\") { id } }", json!({})).await;
        assert_eq!(error_code(&response), "GRAPHQL_VALIDATION_FAILED");
        let response = app.graphql("{ lead(id: \"not-a-uuid\") { id } }", json!({})).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        assert_eq!(response["errors"][0]["extensions"]["field"], "id");
    }
}
