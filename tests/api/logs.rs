//! What the running binary logs: structured lines (text key=value, or JSON with
//! `--log-format json`), no ANSI colours when stderr is not a terminal, the request id on
//! every line of a request, internal errors under their errorId with redacted detail, and
//! never an API key, an email, a phone number or a checklist value.

use serde_json::{Value, json};

use crate::errors::{boom_input, break_the_store_for_boom_corp};
use crate::server::Server;

/// Requests that carry every kind of secret and PII leadgate handles, answered in every
/// way (success, bad input, internal failure); returns what must never be logged.
fn exercise(server: &Server, key: &str) -> (Vec<String>, String) {
    let create = "mutation($input: CreateLeadInput!) { createLead(input: $input) { success lead { id } checklistItems { items { value } } } }";
    let input = json!({
        "firstName": "Grace", "lastName": "Hopper", "email": "grace.hopper@navy.example",
        "phoneNumber": "(678) 231-9992",
        "checklistItems": [
            { "code": "business_name", "value": "Cobol Consulting Ltd", "status": "COMPLETED" },
            { "code": "tax_id", "value": "12-3456789" }
        ]
    });
    let answer = server.graphql(key, create, json!({ "input": input }));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.json().get("errors").is_none(), "{}", answer.body);
    // Bad input echoing nothing back into logs.
    let bad = json!({ "firstName": "Eve", "email": "eve.at.example", "checklistItems": [{ "code": "tax_id", "value": "77-SECRET" }] });
    let answer = server.graphql(key, create, json!({ "input": bad }));
    assert_eq!(
        answer.json()["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
    // REST with the same data, and a request id of the caller's.
    let rest = json!({ "firstName": "Grace", "email": "grace.hopper@navy.example", "phoneNumber": "+1 678 231 9992" });
    let answer = server.send(
        "POST",
        "/api/v1/leads",
        &[
            ("content-type", "application/json"),
            ("x-api-key", key),
            ("x-request-id", "trace-me-42"),
        ],
        Some(&rest.to_string()),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("x-request-id"), Some("trace-me-42"));
    // A wrong key, which must not be logged either.
    let wrong = format!("{}0", &key[..key.len() - 1]);
    server.graphql(&wrong, "{ __typename }", json!({}));
    // An internal failure whose store message holds the lead's email.
    let answer = server.graphql(key, create, json!({ "input": boom_input() }));
    let error_id = answer.json()["errors"][0]["extensions"]["errorId"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", answer.body))
        .to_owned();
    let never = [
        key.to_owned(),
        key[8..24].to_owned(),
        wrong,
        "grace.hopper".into(),
        "navy.example".into(),
        "eve.at.example".into(),
        "ada.secret".into(),
        "6782319992".into(),
        "678) 231".into(),
        "678 231 9992".into(),
        "4155550123".into(),
        "Cobol Consulting".into(),
        "12-3456789".into(),
        "77-SECRET".into(),
        "98-7654321".into(),
        "Hopper".into(),
    ];
    (never.to_vec(), error_id)
}

fn assert_clean(log: &str, never: &[String]) {
    assert!(
        !log.contains('\u{1b}'),
        "ANSI escape codes in a non-terminal log:\n{log}"
    );
    for secret in never {
        assert!(
            !log.contains(secret.as_str()),
            "{secret:?} was logged:\n{log}"
        );
    }
}

on_both_backends! {
    async fn json_logs_carry_request_ids_and_no_secrets_or_pii(app) {
        break_the_store_for_boom_corp(&app).await;
        let (url, key) = (app.database_url.clone(), app.key.clone());
        let postgres = url.starts_with("postgres");
        tokio::task::spawn_blocking(move || {
            let server = Server::start(
                &url,
                &["--signing-key", "0123456789abcdef0123456789abcdef"],
                &[("LEADGATE_LOG", "debug"), ("LEADGATE_LOG_FORMAT", "json")],
            );
            let (never, error_id) = exercise(&server, &key);
            let log = server.stop();
            assert_clean(&log, &never);
            let lines: Vec<Value> = log
                .lines()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: not a JSON line: {l}")))
                .collect();
            // Every line logged inside a request names it.
            let responses: Vec<&Value> = lines.iter().filter(|l| l["message"] == "finished processing request").collect();
            assert!(responses.len() >= 5, "{log}");
            for line in &responses {
                assert!(line["span"]["request_id"].as_str().is_some_and(|id| !id.is_empty()), "{line}");
                assert!(line["status"].is_number() && line["latency"].is_string(), "{line}");
            }
            assert!(responses.iter().any(|l| l["span"]["request_id"] == "trace-me-42"), "{log}");
            // The internal error: logged once under the id the client got, in its request,
            // with what failed but not the values.
            let internal: Vec<&Value> = lines.iter().filter(|l| l["error_id"] == error_id.as_str()).collect();
            assert_eq!(internal.len(), 1, "{log}");
            let line = internal[0];
            assert_eq!(line["level"], "ERROR");
            assert_eq!(line["kind"], "database");
            assert!(line["span"]["request_id"].is_string(), "{line}");
            assert!(line["span"]["api_key_id"].is_string(), "{line}");
            if postgres {
                assert_eq!(line["code"], "23514", "{line}");
                assert_eq!(line["constraint"], "no_boom", "{line}");
                assert_eq!(line["table"], "leads", "{line}");
            } else {
                assert!(line["detail"].as_str().unwrap().contains("no boom for …"), "{line}");
            }
        })
        .await
        .unwrap();
    }
}

on_both_backends! {
    async fn text_logs_are_key_value_lines_without_colour(app) {
        let (url, key) = (app.database_url.clone(), app.key.clone());
        tokio::task::spawn_blocking(move || {
            let server = Server::start(&url, &["--demo", "--log-format", "text"], &[]);
            let (never, _) = {
                let answer = server.graphql(&key, "{ __typename }", json!({}));
                assert_eq!(answer.status, 200);
                (vec![key.clone(), key[8..24].to_owned()], ())
            };
            let demo_key = server
                .banner
                .iter()
                .find_map(|l| l.strip_prefix("demo API key:"))
                .unwrap()
                .trim()
                .to_owned();
            let answer = server.graphql(&demo_key, "{ leads { totalCount } }", json!({}));
            assert_eq!(answer.status, 200, "{}", answer.body);
            let log = server.stop();
            let mut never = never;
            never.push(demo_key);
            assert_clean(&log, &never);
            let response = log
                .lines()
                .find(|l| l.contains("finished processing request"))
                .unwrap_or_else(|| panic!("{log}"));
            for field in ["request{", "method=POST", "path=/graphql", "request_id=", "status=200", "latency="] {
                assert!(response.contains(field), "{field} missing from {response}");
            }
            assert!(log.contains("shutting down"), "{log}");
        })
        .await
        .unwrap();
    }
}
