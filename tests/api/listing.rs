//! `leads(...)`: a Relay connection with filters, orders and stable cursors.

use serde_json::{Value, json};

use crate::harness::{TestApp, error_code};

const LIST: &str = "query($first: Int, $after: String, $last: Int, $before: String, $filter: LeadFilter, $orderBy: LeadOrder) {
  leads(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges { cursor node { firstName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

async fn list(app: &TestApp, vars: Value) -> Value {
    app.data(LIST, vars).await["leads"].clone()
}

fn names(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["firstName"].as_str().unwrap().to_owned())
        .collect()
}

/// Leads named L00..L{n-1}, created in that order.
async fn seed(app: &TestApp, n: usize) {
    for i in 0..n {
        app.create_lead(json!({ "firstName": format!("L{i:02}") }))
            .await;
    }
}

on_both_backends! {
    async fn pages_walk_forward_and_backward_with_stable_cursors(app) {
        seed(&app, 7).await;
        let first = list(&app, json!({ "first": 3 })).await;
        assert_eq!(names(&first), ["L06", "L05", "L04"], "newest first by default");
        assert_eq!(first["totalCount"], 7);
        assert_eq!(first["pageInfo"]["hasNextPage"], true);
        assert_eq!(first["pageInfo"]["hasPreviousPage"], false);

        // New leads do not shift the next page: cursors are keyset positions.
        app.create_lead(json!({ "firstName": "Newest" })).await;
        let second = list(&app, json!({ "first": 3, "after": first["pageInfo"]["endCursor"] })).await;
        assert_eq!(names(&second), ["L03", "L02", "L01"]);
        assert_eq!(second["pageInfo"]["hasPreviousPage"], true);
        let third = list(&app, json!({ "first": 3, "after": second["pageInfo"]["endCursor"] })).await;
        assert_eq!(names(&third), ["L00"]);
        assert_eq!(third["pageInfo"]["hasNextPage"], false);

        // Backward from the end.
        let back = list(&app, json!({ "last": 2, "before": third["pageInfo"]["startCursor"] })).await;
        assert_eq!(names(&back), ["L02", "L01"]);
        assert_eq!(back["pageInfo"]["hasPreviousPage"], true);
        assert_eq!(back["pageInfo"]["hasNextPage"], true);
        let tail = list(&app, json!({ "last": 2 })).await;
        assert_eq!(names(&tail), ["L01", "L00"]);

        // Each edge's cursor resumes right after it.
        let cursor = &first["edges"][0]["cursor"];
        assert_eq!(names(&list(&app, json!({ "first": 1, "after": cursor })).await), ["L05"]);
    }
}

on_both_backends! {
    async fn page_sizes_are_capped_and_bad_arguments_named(app) {
        seed(&app, 3).await;
        assert_eq!(names(&list(&app, json!({})).await).len(), 3);
        let big = app.data("{ leads(first: 1000) { edges { cursor } } }", json!({})).await;
        assert_eq!(big["leads"]["edges"].as_array().unwrap().len(), 3);
        for (vars, field) in [
            (json!({ "first": -1 }), "first"),
            (json!({ "first": 1, "last": 1 }), "last"),
            (json!({ "first": 1, "after": "garbage" }), "after"),
        ] {
            let response = app.graphql(LIST, vars.clone()).await;
            assert_eq!(error_code(&response), "BAD_USER_INPUT", "{vars}");
            assert_eq!(response["errors"][0]["extensions"]["field"], field, "{vars}");
        }
        // A cursor of one order is refused by another.
        let by_name = list(&app, json!({ "first": 1, "orderBy": { "field": "NAME" } })).await;
        let response = app.graphql(LIST, json!({ "first": 1, "after": by_name["pageInfo"]["endCursor"] })).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
    }
}

on_both_backends! {
    async fn a_hundred_is_the_most_a_page_holds(app) {
        use leadgate::domain::{auth, leads, lead_input::{LeadInput, Patch}};
        use leadgate::entities::enums::ApiKeyMode;
        // Created through the domain for speed; listing is what is under test.
        let key = auth::issue(&app.db, app.workspace_id, ApiKeyMode::Live).await.unwrap();
        let principal = auth::authenticate(&app.db, &key.key).await.unwrap();
        for i in 0..105 {
            let lead = LeadInput { first_name: Patch::Set(format!("P{i:03}")), ..LeadInput::default() };
            leads::create(&app.db, &principal, &lead).await.unwrap();
        }
        let page = list(&app, json!({ "first": 500 })).await;
        assert_eq!(page["edges"].as_array().unwrap().len(), 100);
        assert_eq!(page["totalCount"], 105);
        assert_eq!(page["pageInfo"]["hasNextPage"], true);
    }
}

on_both_backends! {
    async fn orders_by_created_updated_and_name(app) {
        let zed = app.create_lead(json!({ "firstName": "zed", "lastName": "Adams" })).await;
        app.create_lead(json!({ "firstName": "Amy", "lastName": "Zorn" })).await;
        app.create_lead(json!({ "firstName": "bob" })).await;
        let by_name = list(&app, json!({ "orderBy": { "field": "NAME" } })).await;
        assert_eq!(names(&by_name), ["Amy", "bob", "zed"], "case-insensitive, A to Z");
        let desc = list(&app, json!({ "orderBy": { "field": "NAME", "direction": "DESC" } })).await;
        assert_eq!(names(&desc), ["zed", "bob", "Amy"]);
        let oldest = list(&app, json!({ "orderBy": { "field": "CREATED_AT", "direction": "ASC" } })).await;
        assert_eq!(names(&oldest), ["zed", "Amy", "bob"]);

        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        app.data("mutation($id: ID!) { updateLead(input: { id: $id, businessName: \"Z Corp\" }) { success } }", json!({ "id": zed })).await;
        let updated = list(&app, json!({ "orderBy": { "field": "UPDATED_AT" } })).await;
        assert_eq!(names(&updated)[0], "zed");
        // Walking by name with cursors.
        let page = list(&app, json!({ "first": 2, "orderBy": { "field": "NAME" } })).await;
        let rest = list(&app, json!({ "first": 2, "after": page["pageInfo"]["endCursor"], "orderBy": { "field": "NAME" } })).await;
        assert_eq!(names(&rest), ["zed"]);
    }
}

on_both_backends! {
    async fn filters_combine(app) {
        let (_, other_key) = app.other_workspace("Globex").await;
        app.create_lead_with(&other_key, json!({ "firstName": "Elsewhere", "tags": ["vip"] })).await;
        app.create_lead(json!({ "firstName": "Ada", "lastName": "Lovelace", "email": "ada@Engines.example",
            "phoneNumber": "(678) 231-9992", "tags": ["VIP", "uk"], "assigneeType": "MANUAL" })).await;
        app.create_lead(json!({ "firstName": "Grace", "businessName": "Cobol 100% Inc", "tags": ["us"],
            "checklistItems": [{ "code": "business_name", "value": "x" }, { "code": "tax_id", "value": "12-3456789" }] })).await;
        app.create_lead(json!({ "firstName": "Opted", "didOptOut": true })).await;
        app.create_lead_with(&app.test_key.clone(), json!({ "firstName": "Tester", "tags": ["vip"] })).await;

        let cases = [
            (json!({ "status": "COMPLETED" }), vec!["Grace"]),
            (json!({ "status": "OPTED_OUT" }), vec!["Opted"]),
            (json!({ "assigneeType": "HUMAN_AGENT" }), vec!["Ada"]),
            (json!({ "tags": ["vip", "US"] }), vec!["Tester", "Grace", "Ada"]),
            (json!({ "tags": ["vip"], "isTest": false }), vec!["Ada"]),
            (json!({ "isTest": true }), vec!["Tester"]),
            (json!({ "search": "LOVELACE" }), vec!["Ada"]),
            (json!({ "search": "ada lov" }), vec!["Ada"]),
            (json!({ "search": "engines.example" }), vec!["Ada"]),
            (json!({ "search": "100%" }), vec!["Grace"]),
            (json!({ "search": "_" }), vec![]),
            (json!({ "search": "+1 678 231 9992" }), vec!["Ada"]),
            (json!({ "search": "678.231.9992" }), vec!["Ada"]),
        ];
        for (filter, expected) in cases {
            let page = list(&app, json!({ "filter": filter })).await;
            assert_eq!(names(&page), expected, "{filter}");
            assert_eq!(page["totalCount"], expected.len(), "{filter}");
        }
        let everyone = list(&app, json!({ "orderBy": { "field": "CREATED_AT", "direction": "ASC" } })).await;
        assert_eq!(names(&everyone), ["Ada", "Grace", "Opted", "Tester"], "another workspace's leads never show");
        let created: Vec<String> = app.data("{ leads(orderBy: { direction: ASC }) { nodes { createdAt } } }", json!({})).await["leads"]["nodes"]
            .as_array().unwrap().iter().map(|n| n["createdAt"].as_str().unwrap().to_owned()).collect();
        let after = list(&app, json!({ "filter": { "createdAfter": created[2] } })).await;
        assert_eq!(names(&after), ["Tester", "Opted"]);
        let before = list(&app, json!({ "filter": { "createdBefore": created[1] } })).await;
        assert_eq!(names(&before), ["Ada"]);
    }
}
