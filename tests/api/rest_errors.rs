//! REST body errors: every problem of a request at once, in plain words, under the REST
//! field's name; malformed bodies; enums read in any case.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::harness::{TestApp, error_code};
use crate::rest::send;

async fn post(app: &TestApp, body: &str) -> (StatusCode, Value) {
    send(
        app,
        "POST",
        "/api/v1/leads",
        Some(&app.key),
        Some(body.to_owned()),
    )
    .await
}

async fn put(app: &TestApp, body: &str) -> (StatusCode, Value) {
    send(
        app,
        "PUT",
        "/api/v1/leads",
        Some(&app.key),
        Some(body.to_owned()),
    )
    .await
}

/// The `(field, message)` pairs of a 400 BAD_USER_INPUT envelope.
fn problems(status: StatusCode, body: &Value) -> Vec<(String, String)> {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
    assert_eq!(body["success"], false, "{body:#}");
    assert_eq!(body["error"]["code"], "BAD_USER_INPUT", "{body:#}");
    let fields: Vec<(String, String)> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(body["error"]["field"], fields[0].0.as_str(), "{body:#}");
    fields
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(f, m)| ((*f).to_owned(), (*m).to_owned()))
        .collect()
}

on_both_backends! {
    async fn every_problem_of_a_rest_body_is_reported_at_once(app) {
        let before = app.written_rows().await;
        let (status, body) = post(&app, r#"{"firstName":"","email":"bad","timezone":"X/Y","assigneeType":"bot"}"#).await;
        let mut fields: Vec<String> = problems(status, &body).into_iter().map(|(f, _)| f).collect();
        fields.sort();
        assert_eq!(fields, ["assigneeType", "email", "firstName", "timezone"], "{body:#}");

        // Wrong JSON types, bad values and unknown checklist codes together, on create...
        let (status, body) = post(&app, &json!({
            "firstName": 5, "email": "x", "didOptOut": "yes", "tags": ["ok", " "],
            "checklistItems": [{ "code": "nope" }, { "code": "business_name", "status": "DONE" }, { "code": "tax_id", "value": "1" }]
        }).to_string()).await;
        let mut fields: Vec<String> = problems(status, &body).into_iter().map(|(f, _)| f).collect();
        fields.sort();
        assert_eq!(fields, ["checklistItems[0].code", "checklistItems[1].status", "checklistItems[2].value",
            "didOptOut", "email", "firstName", "tags[1]"], "{body:#}");
        assert_eq!(app.written_rows().await, before);

        // ...and on update.
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        let (status, body) = put(&app, &json!({
            "leadId": id, "firstName": null, "email": 5, "status": "DONE", "timezone": "X/Y",
            "checklistItems": [{ "code": "missing" }]
        }).to_string()).await;
        let mut fields: Vec<String> = problems(status, &body).into_iter().map(|(f, _)| f).collect();
        fields.sort();
        assert_eq!(fields, ["checklistItems[0].code", "email", "firstName", "status", "timezone"], "{body:#}");
        // Without a usable leadId the body's own problems still come together.
        let (status, body) = put(&app, r#"{"email": 5, "favouriteColour": "blue"}"#).await;
        assert_eq!(problems(status, &body), pairs(&[
            ("leadId", "is required"), ("email", "must be a string"), ("favouriteColour", "is not a known field"),
        ]));
    }
}

on_both_backends! {
    async fn rest_body_errors_are_plain_words_naming_the_rest_field(app) {
        // One problem each: exactly one error, worded for people, not for serde.
        let cases = [
            (json!({ "lastName": "Doe" }), "firstName", "is required"),
            (json!({ "firstName": null }), "firstName", "is required"),
            (json!({ "firstName": 5 }), "firstName", "must be a string"),
            (json!({ "firstName": "A", "email": 5 }), "email", "must be a string"),
            (json!({ "firstName": "A", "phoneNumber": 6782319992u64 }), "phoneNumber", "must be a string"),
            (json!({ "firstName": "A", "timezone": ["UTC"] }), "timezone", "must be a string"),
            (json!({ "firstName": "A", "assigneeType": 1 }), "assigneeType", "must be \"agent\" or \"manual\""),
            (json!({ "firstName": "A", "didOptOut": "true" }), "didOptOut", "must be true or false"),
            (json!({ "firstName": "A", "emailVerified": 1 }), "emailVerified", "must be true or false"),
            (json!({ "firstName": "A", "tags": "a,b" }), "tags", "must be a list of strings"),
            (json!({ "firstName": "A", "tags": ["a", 5] }), "tags[1]", "must be a string"),
            (json!({ "firstName": "A", "checklistItems": { "code": "tax_id" } }), "checklistItems", "must be a list of checklist updates"),
            (json!({ "firstName": "A", "checklistItems": ["tax_id"] }), "checklistItems[0]", "must be a JSON object"),
            (json!({ "firstName": "A", "checklistItems": [{ "value": "x" }] }), "checklistItems[0].code", "is required"),
            (json!({ "firstName": "A", "checklistItems": [{ "code": 5 }] }), "checklistItems[0].code", "must be a string"),
            (json!({ "firstName": "A", "checklistItems": [{ "code": "tax_id", "status": 3 }] }), "checklistItems[0].status",
                "must be TODO, COMPLETED, INVALID, SKIPPED or NEEDS_REVIEW"),
            (json!({ "firstName": "A", "checklistItems": [{ "code": "tax_id", "colour": "red" }] }), "checklistItems[0].colour", "is not a known field"),
            (json!({ "firstName": "A", "favouriteColour": "blue" }), "favouriteColour", "is not a known field"),
        ];
        for (input, field, message) in cases {
            let (status, body) = post(&app, &input.to_string()).await;
            assert_eq!(problems(status, &body), pairs(&[(field, message)]), "{input}");
            assert_eq!(body["error"]["message"], format!("{field}: {message}"), "{input}");
        }

        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        let cases = [
            (json!({ "firstName": "No id" }), "leadId", "is required"),
            (json!({ "leadId": "nope" }), "leadId", "must be a lead id (a UUID)"),
            (json!({ "leadId": 7 }), "leadId", "must be a lead id (a UUID)"),
            (json!({ "leadId": id, "status": true }), "status", "must be COMPLETED, IN_PROGRESS, NOT_INTERESTED or OPTED_OUT"),
            (json!({ "leadId": id, "assigneeType": null }), "assigneeType", "cannot be cleared"),
            (json!({ "leadId": id, "id": id }), "id", "is not a known field"),
        ];
        for (input, field, message) in cases {
            let (status, body) = put(&app, &input.to_string()).await;
            assert_eq!(problems(status, &body), pairs(&[(field, message)]), "{input}");
        }

        // A deleted lead is named by the field that named it: `leadId` on REST.
        app.data("mutation($id: ID!) { deleteLead(id: $id) { id } }", json!({ "id": id })).await;
        let (status, body) = put(&app, &json!({ "leadId": id, "lastName": "Lovelace" }).to_string()).await;
        let named = problems(status, &body);
        assert_eq!(named.len(), 1);
        assert_eq!(named[0].0, "leadId", "{body:#}");
        // And in GraphQL by the argument: `leadId` for updateChecklistItems.
        let response = app.graphql(
            "mutation($id: ID!) { updateChecklistItems(leadId: $id, items: [{ code: \"tax_id\", value: \"12-3456789\" }]) { success } }",
            json!({ "id": id }),
        ).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response:#}");
        assert_eq!(response["errors"][0]["extensions"]["field"], "leadId");
    }
}

on_both_backends! {
    async fn malformed_and_non_object_bodies_are_bad_user_input_about_the_body(app) {
        let cases = [
            ("{not json", "is not valid JSON (line 1, column 2)"),
            ("{\"firstName\": \"A\",}", "is not valid JSON (line 1, column 19)"),
            ("", "is empty; send a JSON object"),
            ("  \n", "is empty; send a JSON object"),
            ("[{\"firstName\": \"A\"}]", "must be a JSON object"),
            ("\"firstName\"", "must be a JSON object"),
            ("null", "must be a JSON object"),
            ("{\"firstName\": \"A\", \"firstName\": \"B\"}", "`firstName` is given twice (line 1, column 30)"),
        ];
        for (body, message) in cases {
            for (status, response) in [post(&app, body).await, put(&app, body).await] {
                assert_eq!(problems(status, &response), pairs(&[("body", message)]), "{body:?}");
            }
        }
        assert_eq!(app.count("leads").await, 0);
    }
}

on_both_backends! {
    async fn rest_reads_enum_values_in_any_case(app) {
        let (status, body) = post(&app, &json!({
            "firstName": "Ada", "assigneeType": " Manual ",
            "checklistItems": [{ "code": "business_name", "value": "Acme", "status": "needs_review" }]
        }).to_string()).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        assert_eq!(body["lead"]["assigneeType"], "HUMAN_AGENT");
        assert_eq!(body["checklistItems"][0]["items"][0]["status"], "NEEDS_REVIEW");
        let id = body["lead"]["id"].as_str().unwrap().to_owned();

        for (sent, stored) in [("not_interested", "NOT_INTERESTED"), ("In_Progress", "IN_PROGRESS"), ("OPTED_OUT", "OPTED_OUT")] {
            let (status, body) = put(&app, &json!({ "leadId": id, "status": sent, "assigneeType": "AGENT" }).to_string()).await;
            assert_eq!(status, StatusCode::OK, "{sent}: {body:#}");
            assert_eq!(body["lead"]["assigneeType"], "AI_AGENT");
            let (_, read) = send(&app, "GET", &format!("/api/v1/leads/{id}"), Some(&app.key), None).await;
            assert_eq!(read["lead"]["status"], stored, "{sent}");
        }
        // REVIEW reads, and is then refused for the reason the domain gives.
        let (status, body) = put(&app, &json!({ "leadId": id, "status": "review" }).to_string()).await;
        let named = problems(status, &body);
        assert_eq!(named[0].0, "status");
        assert!(named[0].1.contains("REVIEW"), "{body:#}");
    }
}

on_both_backends! {
    async fn null_on_create_is_the_same_as_absent(app) {
        let nulls = json!({ "firstName": "Ada", "middleName": null, "email": null, "assigneeType": null,
            "didOptOut": null, "emailVerified": null, "tags": null, "checklistItems": null });
        let (status, body) = post(&app, &nulls.to_string()).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");
        assert_eq!(body["lead"]["assigneeType"], "AI_AGENT");
        assert_eq!(body["lead"]["didOptOut"], false);
        let data = app.data(
            "mutation($input: CreateLeadInput!) { createLead(input: $input) { lead { assigneeType middleName tags } } }",
            json!({ "input": nulls }),
        ).await;
        assert_eq!(data["createLead"]["lead"], json!({ "assigneeType": "AI_AGENT", "middleName": null, "tags": [] }));
    }
}
