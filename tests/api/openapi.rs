//! The OpenAPI document of the REST face: the repository's `openapi.json` is what
//! `/api/v1/openapi.json` serves and `leadgate openapi` prints, and every operation it
//! documents is a route of the router, and every REST route of the router is documented.

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
            let concrete = ["{leadId}", "{documentId}", "{workspaceId}"]
                .iter()
                .fold(path.clone(), |p, param| p.replace(param, "00000000-0000-0000-0000-000000000000"));
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

/// The routes the router serves that are not the REST face (GraphQL, GraphiQL, probes,
/// metrics, the document itself). Every other route must be in the document.
const NOT_REST: [&str; 7] = [
    "/graphql",
    "/graphiql",
    "/graphiql/{}",
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1/openapi.json",
];

/// `/api/v1/leads/{lead_id}` and `/api/v1/leads/{leadId}` alike: `/api/v1/leads/{}`.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

/// Every `(method, path)` the router of `src/http/mod.rs` declares: each `.route("path",
/// get(..).post(..))` read from the source, so a route added there is seen here.
fn router_routes() -> Vec<(String, String)> {
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/mod.rs")).unwrap();
    let body = &source[source.find("pub fn router(").expect("the router function")..];
    let mut routes = Vec::new();
    for call in body.split(".route(").skip(1) {
        let call = call.trim_start();
        let path = call[1..].split('"').next().unwrap().to_owned();
        // The method router: up to the call's closing parenthesis.
        let mut depth = 1;
        let end = call
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map(|(i, _)| i)
            .expect("a closed .route(...)");
        let methods = &call[..end];
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = methods.match_indices(method).any(|(i, _)| {
                let before = methods[..i].chars().last();
                methods[i + method.len()..].starts_with('(')
                    && matches!(before, Some(' ' | '\n' | '.' | ','))
            });
            if called {
                routes.push((method.to_owned(), path.clone()));
            }
        }
    }
    routes
}

#[test]
fn every_rest_route_of_the_router_is_documented() {
    let routes = router_routes();
    assert!(
        routes.contains(&("post".into(), "/api/v1/leads".into()))
            && routes.contains(&("put".into(), "/api/v1/leads".into()))
            && routes.contains(&("post".into(), "/api/v1/documents".into())),
        "the router's routes are read from its source: {routes:?}"
    );
    let doc: Value = serde_json::from_str(&stored()).unwrap();
    let documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, operations)| {
            operations
                .as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), shape(path)))
        })
        .collect();
    let missing: Vec<String> = routes
        .iter()
        .filter(|(_, path)| !NOT_REST.contains(&shape(path).as_str()))
        .filter(|(method, path)| !documented.contains(&(method.clone(), shape(path))))
        .map(|(method, path)| format!("{} {path}", method.to_uppercase()))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an operation in the OpenAPI document (add a #[utoipa::path] in \
         src/http/rest/openapi/): {missing:?}"
    );
}
