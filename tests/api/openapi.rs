//! The OpenAPI document of the REST face: the repository's `openapi.json` is what
//! `/api/v1/openapi.json` serves and `leadgate openapi` prints, and every operation it
//! documents is a route of the router.

use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use serde_json::Value;

fn stored() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json")).unwrap()
}

#[test]
fn openapi_json_is_what_leadgate_openapi_prints() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_leadgate"))
        .arg("openapi")
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(printed, leadgate::http::openapi_document());
    assert!(
        stored() == printed,
        "openapi.json is stale: run `cargo run -q -- openapi > openapi.json`"
    );
}

#[test]
fn the_document_is_openapi_3_1_with_the_key_and_the_error_envelope() {
    let doc: Value = serde_json::from_str(&stored()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let scheme = &doc["components"]["securitySchemes"]["x-api-key"];
    assert_eq!(
        (
            scheme["type"].as_str(),
            scheme["in"].as_str(),
            scheme["name"].as_str()
        ),
        (Some("apiKey"), Some("header"), Some("x-api-key"))
    );
    assert_eq!(doc["security"][0]["x-api-key"], serde_json::json!([]));
    let envelope = &doc["components"]["schemas"]["ErrorEnvelope"];
    assert_eq!(
        envelope["required"],
        serde_json::json!(["success", "error"])
    );
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.contains_key("200"), "{method} {path}");
            for (status, response) in responses.iter().filter(|(s, _)| *s != "200") {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorEnvelope",
                    "{method} {path} {status} answers the error envelope"
                );
            }
        }
    }
}

on_both_backends! {
    async fn the_served_document_is_the_stored_one_and_every_operation_is_routed(app) {
        let (status, headers, body) = app
            .send(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap())
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(String::from_utf8(body.to_vec()).unwrap(), stored());

        let doc: Value = serde_json::from_str(&stored()).unwrap();
        for (path, operations) in doc["paths"].as_object().unwrap() {
            let concrete = path.replace("{leadId}", "00000000-0000-0000-0000-000000000000");
            for method in operations.as_object().unwrap().keys() {
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let request = Request::builder()
                    .method(method.clone())
                    .uri(&concrete)
                    .header("x-api-key", &app.key)
                    .header("content-type", "application/json")
                    .body(Body::from("{}"))
                    .unwrap();
                let (status, _, body) = app.send(request).await;
                let body: Value = serde_json::from_slice(&body).unwrap();
                assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}: {body}");
                assert_ne!(body["error"]["message"], "route not found", "{method} {path} is documented but not routed");
            }
        }
    }
}
