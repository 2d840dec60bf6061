//! A lead created without `timezone` takes its phone's: the area code's zone for NANP
//! numbers, the country's otherwise, none when that spans several zones.

use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::rest::send;

const CREATE: &str = "mutation($input: CreateLeadInput!) { createLead(input: $input) {
    lead { id timezone phoneNumber } actionLogs { changes }
} }";

async fn created_zone(app: &TestApp, input: Value) -> Value {
    let data = app.data(CREATE, json!({ "input": input })).await;
    data["createLead"]["lead"]["timezone"].clone()
}

on_both_backends! {
    async fn a_new_leads_time_zone_comes_from_its_phone(app) {
        let cases = [
            ("6782319992", json!("America/New_York")),
            ("(415) 555-0123", json!("America/Los_Angeles")),
            ("+1 416 555 0123", json!("America/Toronto")),
            ("+33 1 42 76 49 78", json!("Europe/Paris")),
            ("0044 20 7946 0000", json!("Europe/London")),
            // Idaho's 208 spans Mountain and Pacific time; Australia several zones.
            ("2085550123", Value::Null),
            ("+61 2 9123 4567", Value::Null),
            // Not a valid number: kept as given, tells nothing.
            ("12345", Value::Null),
        ];
        for (phone, zone) in cases {
            let got = created_zone(&app, json!({ "firstName": "Ada", "phoneNumber": phone })).await;
            assert_eq!(got, zone, "{phone}");
        }
        assert_eq!(created_zone(&app, json!({ "firstName": "Ada" })).await, Value::Null);

        // A time zone sent wins, and null is the same as absent.
        let given = json!({ "firstName": "Ada", "phoneNumber": "6782319992", "timezone": "Europe/London" });
        assert_eq!(created_zone(&app, given).await, "Europe/London");
        let null = json!({ "firstName": "Ada", "phoneNumber": "6782319992", "timezone": null });
        assert_eq!(created_zone(&app, null).await, "America/New_York");

        // The log records the zone the lead got.
        let data = app.data(CREATE, json!({ "input": { "firstName": "Ada", "phoneNumber": "6782319992" } })).await;
        assert_eq!(data["createLead"]["actionLogs"][0]["changes"]["lead"]["timezone"], "America/New_York");
    }
}

async fn zone_of(app: &TestApp, id: &str) -> Value {
    app.data(
        "query($id: ID!) { lead(id: $id) { timezone } }",
        json!({ "id": id }),
    )
    .await["lead"]["timezone"]
        .clone()
}

on_both_backends! {
    async fn rest_infers_the_same_and_updates_never_infer(app) {
        let (status, body) = send(&app, "POST", "/api/v1/leads", Some(&app.key),
            Some(json!({ "firstName": "John", "phoneNumber": "6782319992" }).to_string())).await;
        assert_eq!(status, 200, "{body:#}");
        // The documented REST lead has no `timezone` key; GraphQL reads it.
        assert_eq!(zone_of(&app, body["lead"]["id"].as_str().unwrap()).await, "America/New_York");

        // An update is not a creation: a phone set later leaves the zone alone, and a
        // cleared zone stays cleared.
        let id = app.create_lead(json!({ "firstName": "Ada" })).await;
        let (status, body) = send(&app, "PUT", "/api/v1/leads", Some(&app.key),
            Some(json!({ "leadId": id, "phoneNumber": "6782319992" }).to_string())).await;
        assert_eq!(status, 200, "{body:#}");
        assert_eq!(zone_of(&app, &id).await, Value::Null);
        let other = app.create_lead(json!({ "firstName": "Ada", "phoneNumber": "6782319992" })).await;
        let (status, body) = send(&app, "PUT", "/api/v1/leads", Some(&app.key),
            Some(json!({ "leadId": other, "phoneNumber": "4155550123", "timezone": null }).to_string())).await;
        assert_eq!(status, 200, "{body:#}");
        assert_eq!(zone_of(&app, &other).await, Value::Null);
    }
}
