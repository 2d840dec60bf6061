//! `POST /api/v1/leads`: the documented request gives the documented response shape.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use serde_json::{Value, json};

use crate::harness::TestApp;

const DOCUMENTED_REQUEST: &str = include_str!("fixtures/create-lead-request.json");
const DOCUMENTED_RESPONSE: &str = include_str!("fixtures/create-lead-response.json");

async fn post(app: &TestApp, key: Option<&str>, body: &str) -> (StatusCode, Value) {
    let mut request = Request::post("/api/v1/leads").header("content-type", "application/json");
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    let (status, _, body) = app
        .send(request.body(Body::from(body.to_owned())).unwrap())
        .await;
    (status, serde_json::from_slice(&body).expect("JSON body"))
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

on_both_backends! {
    async fn the_documented_request_gives_the_documented_response(app) {
        let documented: Value = serde_json::from_str(DOCUMENTED_RESPONSE).unwrap();
        let (status, body) = post(&app, Some(&app.key), DOCUMENTED_REQUEST).await;
        assert_eq!(status, StatusCode::OK, "{body:#}");

        // Key for key, in the documented order, at every level the example shows.
        assert_eq!(keys(&body), keys(&documented));
        assert_eq!(keys(&body["lead"]), keys(&documented["lead"]));
        let (group, documented_group) = (&body["checklistItems"][0], &documented["checklistItems"][0]);
        assert_eq!(keys(group), keys(documented_group));
        for i in 0..2 {
            let (item, documented_item) = (&group["items"][i], &documented_group["items"][i]);
            assert_eq!(keys(item), keys(documented_item));
            assert_eq!(keys(&item["checklistItem"]), keys(&documented_item["checklistItem"]));
            for key in ["value", "status", "itemOverride"] {
                assert_eq!(item[key], documented_item[key], "{key}");
            }
            for key in ["code", "label", "fieldType", "isRequired", "conditions"] {
                assert_eq!(item["checklistItem"][key], documented_item["checklistItem"][key], "{key}");
            }
            assert_eq!(item["checklistItemId"], item["checklistItem"]["id"]);
        }

        // The documented values, where they are not ids or times.
        for key in ["activitySummary", "assigneeType", "businessName", "deletedAt", "didOptOut", "email",
                    "externalLeadId", "externalPortalLink", "firstName", "lastName", "phoneNumber",
                    "phoneVerifiedAt", "source", "website"] {
            assert_eq!(body["lead"][key], documented["lead"][key], "lead.{key}");
        }
        assert_eq!(group["name"], "Business Information");
        assert_eq!(group["conditions"], Value::Null);
        let created_at = body["lead"]["createdAt"].as_str().unwrap();
        assert_eq!(created_at.len(), "2026-01-30T02:00:00.000Z".len());
        assert!(created_at.ends_with('Z'));
        assert_eq!(body["success"], true);
        assert_eq!(body["matchingLeads"], json!([]));
        for key in ["lastAction", "nextFollowUp", "nextDraft"] {
            assert_eq!(body[key], Value::Null);
        }
        // The one "Lead created" entry DESIGN.md requires.
        let logs = body["actionLogs"].as_array().unwrap();
        assert_eq!(logs.len(), 1);
        assert_eq!(logs[0]["summary"], "Lead created");
        assert_eq!(logs[0]["type"], "API_ACTIVITY");

        // A second identical request matches the first.
        let (_, again) = post(&app, Some(&app.key), DOCUMENTED_REQUEST).await;
        assert_eq!(again["matchingLeads"][0]["id"], body["lead"]["id"]);
        assert_eq!(keys(&again["matchingLeads"][0]), keys(&documented["lead"]));
    }
}

on_both_backends! {
    async fn rest_errors_are_400_401_with_the_field_named(app) {
        let (status, body) = post(&app, None, DOCUMENTED_REQUEST).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "UNAUTHENTICATED");
        let (status, _) = post(&app, Some("lg_live_nope"), DOCUMENTED_REQUEST).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let cases = [
            (json!({ "lastName": "Doe" }), "firstName"),
            (json!({ "firstName": "" }), "firstName"),
            (json!({ "firstName": "A", "assigneeType": "robot" }), "assigneeType"),
            (json!({ "firstName": "A", "email": "nope" }), "email"),
            (json!({ "firstName": "A", "phoneNumber": 6782319992u64 }), "phoneNumber"),
            (json!({ "firstName": "A", "checklistItems": [{ "code": "tax_id", "status": "DONE" }] }), "checklistItems[0].status"),
            (json!({ "firstName": "A", "checklistItems": [{ "code": "tax_id", "value": "1" }] }), "checklistItems[0].value"),
            (json!({ "firstName": "A", "favouriteColour": "blue" }), "favouriteColour"),
        ];
        for (input, field) in cases {
            let (status, body) = post(&app, Some(&app.key), &input.to_string()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{input}: {body:#}");
            assert_eq!(body["success"], false);
            assert_eq!(body["error"]["code"], "BAD_USER_INPUT");
            let named = body["error"]["field"].as_str().unwrap();
            assert!(named.contains(field), "{input}: named {named}, {body:#}");
        }
        let (status, body) = post(&app, Some(&app.key), "{not json").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
        assert_eq!(app.count("leads").await, 0);
    }
}
