//! Property tests: no input makes a parser panic, and no request body makes the router
//! answer a 5xx. Case counts are small (CI time): 256 for the parsers, 48 bodies per face
//! and backend.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use leadgate::domain::{email::Email, phone::Phone, timezone};
use leadgate::entities::enums::FieldType;
use proptest::{
    prelude::*,
    strategy::ValueTree,
    test_runner::{Config, TestRunner},
};
use serde_json::{Value, json};

/// Text that looks like what the parsers see: digits, `+`, separators, letters, `@`,
/// `/`, unicode and control characters.
fn noisy_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[+0-9 ()./-]{0,24}",
        "[a-zA-Z0-9._%+@-]{0,40}",
        "[A-Za-z_/+-]{0,32}",
        "tel:[+0-9;=a-z-]{0,30}",
        any::<String>(),
    ]
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        noisy_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn phone_parsing_never_panics(raw in noisy_text(), region in "[A-Z]{0,3}") {
        // Ok or a plain refusal; a valid number is stored as E.164.
        if let Some(e164) = leadgate::domain::phone::to_e164(&raw, &region) {
            prop_assert!(e164.starts_with('+'));
        }
        let _ = Phone::parse(&raw, &region);
    }

    #[test]
    fn email_parsing_never_panics(raw in noisy_text()) {
        if let Ok(email) = Email::parse(&raw) {
            prop_assert!(email.as_str().contains('@'));
            prop_assert!(email.as_str().len() <= 254);
        }
    }

    #[test]
    fn timezone_parsing_never_panics(raw in noisy_text()) {
        if let Ok(name) = timezone::parse(&raw) {
            prop_assert!(name.parse::<chrono_tz::Tz>().is_ok());
        }
    }

    #[test]
    fn checklist_configs_never_panic(value in json_value(), kind in 0usize..4) {
        let field_type = [FieldType::Text, FieldType::Number, FieldType::Select, FieldType::Date][kind];
        let _ = leadgate::domain::checklist::value::check_config(field_type, &value);
    }

    #[test]
    fn checklist_values_never_panic(value in json_value(), kind in 0usize..FIELD_TYPES.len(), config in item_config(), region in "[A-Z]{0,3}") {
        use leadgate::domain::checklist::value::check;
        let item = checklist_item(FIELD_TYPES[kind], config);
        match check(&item, &value, &region) {
            // What is stored is in normal form: checking it again keeps it as it is.
            Ok(stored) => prop_assert_eq!(check(&item, &stored, &region), Ok(stored.clone())),
            Err(message) => {
                prop_assert!(!message.is_empty());
                prop_assert!(!value.is_null(), "null always clears");
            }
        }
    }
}

/// Every checklist value type.
const FIELD_TYPES: [FieldType; 11] = [
    FieldType::Text,
    FieldType::Number,
    FieldType::Date,
    FieldType::Email,
    FieldType::Phone,
    FieldType::Select,
    FieldType::Ein,
    FieldType::File,
    FieldType::BankStatement,
    FieldType::Id,
    FieldType::TaxReturn,
];

/// An item's config: none, the documented settings with any values (valid patterns or
/// not), or any JSON at all (`check` must not rely on a config it did not see checked).
fn item_config() -> impl Strategy<Value = Value> {
    let pattern = prop_oneof![
        Just("^[0-9]{2}-[0-9]{7}$".to_owned()),
        Just("(".to_owned()),
        "[a-z.*+?()\\[\\]^$|{}0-9]{0,12}",
    ];
    prop_oneof![
        Just(Value::Null),
        (pattern, any::<Option<u32>>(), any::<Option<u32>>())
            .prop_map(|(p, min, max)| json!({ "pattern": p, "minLength": min, "maxLength": max })),
        (any::<f64>(), any::<f64>()).prop_map(|(min, max)| json!({ "min": min, "max": max })),
        prop::collection::vec(json_value(), 0..5).prop_map(|options| json!({ "options": options })),
        json_value(),
    ]
}

fn checklist_item(
    field_type: FieldType,
    config: Value,
) -> leadgate::entities::checklist_item::Model {
    leadgate::entities::checklist_item::Model {
        id: uuid::Uuid::nil(),
        workspace_id: uuid::Uuid::nil(),
        group_id: uuid::Uuid::nil(),
        lead_id: None,
        code: "item".into(),
        label: "Item".into(),
        field_type,
        is_required: true,
        conditions: None,
        config: Some(config),
        validation_rules: None,
        agent_instructions: None,
        client_instructions: None,
        position: 0,
    }
}

/// `n` values of `strategy` (generated, not shrunk: each is sent through the router).
fn sample<S: Strategy>(strategy: S, n: usize) -> Vec<S::Value> {
    let mut runner = TestRunner::new(Config::with_cases(n as u32));
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

/// Bodies: arbitrary bytes, arbitrary JSON, and lead-shaped objects with arbitrary values.
fn bodies() -> impl Strategy<Value = Vec<u8>> {
    let fields = [
        "firstName",
        "email",
        "phoneNumber",
        "timezone",
        "tags",
        "checklistItems",
        "assigneeType",
        "didOptOut",
    ];
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        prop::collection::btree_map(prop::sample::select(fields.to_vec()), json_value(), 0..6)
            .prop_map(|m| {
                let mut object: serde_json::Map<String, Value> =
                    m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                object.entry("firstName").or_insert(json!("Ada"));
                Value::Object(object).to_string().into_bytes()
            }),
    ]
}

on_both_backends! {
    async fn no_body_gets_a_5xx(app) {
        for body in sample(bodies(), 48) {
            // REST takes the body as is; GraphQL gets it raw and as the variables of createLead.
            let input: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let graphql = json!({ "query": crate::harness::CREATE_LEAD_ID, "variables": { "input": input } }).to_string().into_bytes();
            for (uri, bytes) in [("/api/v1/leads", body.clone()), ("/graphql", body.clone()), ("/graphql", graphql)] {
                let request = Request::post(uri)
                    .header("content-type", "application/json")
                    .header("x-api-key", &app.key)
                    .body(Body::from(bytes.clone()))
                    .unwrap();
                let (status, _, answer) = app.send(request).await;
                assert!(
                    status.is_success() || status.is_client_error(),
                    "{uri} answered {status} to {}: {}",
                    String::from_utf8_lossy(&bytes),
                    String::from_utf8_lossy(&answer)
                );
                assert!(!String::from_utf8_lossy(&answer).contains("INTERNAL"), "{uri}: {}", String::from_utf8_lossy(&answer));
                assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
            }
        }
    }
}
