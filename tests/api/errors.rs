//! Errors that leak nothing and always have one shape: every REST error is the JSON
//! envelope with a stable code and the request id; GraphQL over HTTP answers GraphQL JSON
//! with codes, also for errors raised before execution; internal failures are INTERNAL
//! with an errorId and no SQL, driver or constraint text.

use axum::{
    body::{Body, Bytes},
    http::{Request, StatusCode},
};
use serde_json::{Value, json};

use crate::harness::{CREATE_LEAD_ID, TestApp, documented_input};

fn json_of(body: &Bytes) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("{e}: not JSON: {}", String::from_utf8_lossy(body)))
}

/// Checks the REST envelope and returns its `error`.
fn rest_error(status: StatusCode, expected: StatusCode, code: &str, body: &Bytes) -> Value {
    assert_eq!(status, expected, "{}", String::from_utf8_lossy(body));
    let body = json_of(body);
    assert_eq!(body["success"], false, "{body:#}");
    assert_eq!(body["error"]["code"], code, "{body:#}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body:#}"
    );
    assert!(body["error"]["requestId"].is_string(), "{body:#}");
    body["error"].clone()
}

/// Checks a GraphQL-shaped error answer and returns its first error.
fn graphql_error(status: StatusCode, expected: StatusCode, code: &str, body: &Bytes) -> Value {
    assert_eq!(status, expected, "{}", String::from_utf8_lossy(body));
    let body = json_of(body);
    let error = body["errors"][0].clone();
    assert_eq!(error["extensions"]["code"], code, "{body:#}");
    assert!(error["message"].is_string(), "{body:#}");
    assert!(error["extensions"]["requestId"].is_string(), "{body:#}");
    let locations = error["locations"].as_array().cloned().unwrap_or_default();
    assert!(
        locations.iter().all(|l| l["line"].as_u64() > Some(0)),
        "{body:#}"
    );
    error
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// A body of `len` bytes sent as a stream, so no Content-Length tells its size.
fn chunked(len: usize) -> Body {
    let chunks = (0..len.div_ceil(64 * 1024))
        .map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b' '; 64 * 1024])));
    Body::from_stream(futures::stream::iter(chunks))
}

on_both_backends! {
    async fn rest_errors_are_one_envelope_with_a_code(app) {
        let key = app.key.clone();
        // Unknown routes.
        for uri in ["/nope", "/api/v1/nope", "/api/v1/leads/a/b"] {
            let (status, _, body) = app.send(get(uri)).await;
            rest_error(status, StatusCode::NOT_FOUND, "NOT_FOUND", &body);
        }
        // An unknown lead.
        let request = Request::get("/api/v1/leads/00000000-0000-0000-0000-000000000000").header("x-api-key", &key).body(Body::empty()).unwrap();
        let (status, _, body) = app.send(request).await;
        rest_error(status, StatusCode::NOT_FOUND, "NOT_FOUND", &body);
        // A method the route does not take: 405 with Allow.
        let request = Request::delete("/api/v1/leads").header("x-api-key", &key).body(Body::empty()).unwrap();
        let (status, headers, body) = app.send(request).await;
        let error = rest_error(status, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", &body);
        let allow = headers["allow"].to_str().unwrap();
        assert!(allow.contains("POST") && allow.contains("PUT"), "{allow}");
        assert!(error["message"].as_str().unwrap().starts_with("DELETE is not allowed"), "{error:#}");
        // Unauthenticated.
        let request = Request::post("/api/v1/leads").header("content-type", "application/json").body(Body::from("{}")).unwrap();
        let (status, _, body) = app.send(request).await;
        rest_error(status, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", &body);
        // Malformed JSON names no parser internals.
        let request = Request::post("/api/v1/leads").header("x-api-key", &key).header("content-type", "application/json").body(Body::from("{\"firstName\": ")).unwrap();
        let (status, _, body) = app.send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json_of(&body)["success"], false);
        assert!(json_of(&body)["error"]["requestId"].is_string());
        assert_eq!(app.count("leads").await, 0);
    }
}

on_both_backends! {
    async fn bodies_over_the_limit_are_413_in_each_face_with_or_without_length(app) {
        let over = 1024 * 1024 + 1;
        let big = "x".repeat(over);
        for (path, graphql) in [("/api/v1/leads", false), ("/graphql", true)] {
            // Declared by Content-Length: refused before anything is read.
            let request = Request::post(path)
                .header("content-type", "application/json")
                .header("x-api-key", &app.key)
                .header("content-length", over)
                .body(Body::from(big.clone()))
                .unwrap();
            let (status, _, body) = app.send(request).await;
            // Chunked: refused as soon as the stream passes the limit.
            let request = Request::post(path)
                .header("content-type", "application/json")
                .header("x-api-key", &app.key)
                .body(chunked(2 * 1024 * 1024))
                .unwrap();
            let (chunked_status, _, chunked_body) = app.send(request).await;
            for (status, body) in [(status, body), (chunked_status, chunked_body)] {
                let error = if graphql {
                    graphql_error(status, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", &body)
                } else {
                    rest_error(status, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", &body)
                };
                assert!(error["message"].as_str().unwrap().contains("1048576"), "{error:#}");
            }
        }
        // Exactly at the limit is read (and then refused for what it says, not its size).
        let mut padded = json!({ "query": "{ __typename }" }).to_string();
        padded.push_str(&" ".repeat(1024 * 1024 - padded.len()));
        let request = Request::post("/graphql").header("content-type", "application/json").body(Body::from(padded)).unwrap();
        let (status, _, body) = app.send(request).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        assert_eq!(app.count("leads").await, 0);
    }
}

on_both_backends! {
    async fn graphql_errors_before_execution_are_graphql_shaped(app) {
        // A method /graphql does not take.
        let request = Request::put("/graphql").body(Body::empty()).unwrap();
        let (status, headers, body) = app.send(request).await;
        graphql_error(status, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", &body);
        assert!(headers["allow"].to_str().unwrap().contains("POST"), "{headers:?}");
        // Not JSON, or JSON that is no GraphQL request: a plain message, no serde Debug text.
        for (body, says) in [("{\"query\": ", "not valid JSON"), ("[1, 2", "not valid JSON"), ("{\"query\": 5}", "\"query\"")] {
            let request = Request::post("/graphql").header("content-type", "application/json").body(Body::from(body)).unwrap();
            let (status, _, answer) = app.send(request).await;
            let error = graphql_error(status, StatusCode::BAD_REQUEST, "BAD_REQUEST", &answer);
            let message = error["message"].as_str().unwrap();
            assert!(message.contains(says), "{message}");
            assert!(!message.contains("Error(") && !message.contains("InvalidRequest"), "{message}");
        }
    }
}

/// Makes creating a lead named "Boom Corp" fail inside the store, with the lead's email in
/// what the store says (SQLite: the trigger's message; PostgreSQL: the CHECK violation's
/// `detail`, which holds the whole row).
pub async fn break_the_store_for_boom_corp(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    let sql = match app.db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => {
            "CREATE TRIGGER no_boom BEFORE INSERT ON leads \
             WHEN NEW.business_name = 'Boom Corp' \
             BEGIN SELECT RAISE(ABORT, 'no boom for ' || NEW.email); END"
        }
        _ => {
            "ALTER TABLE leads ADD CONSTRAINT no_boom \
              CHECK (business_name IS DISTINCT FROM 'Boom Corp')"
        }
    };
    app.db.execute_unprepared(sql).await.unwrap();
}

pub fn boom_input() -> Value {
    json!({
        "firstName": "Ada", "email": "ada.secret@example.com", "phoneNumber": "+14155550123",
        "businessName": "Boom Corp",
        "checklistItems": [{ "code": "tax_id", "value": "98-7654321" }]
    })
}

/// What must never reach a client from a store failure.
const LEAKS: [&str; 10] = [
    "no_boom",
    "leads",
    "ada.secret",
    "example.com",
    "SQL",
    "constraint",
    "trigger",
    "violates",
    "Failing row",
    "23514",
];

on_both_backends! {
    async fn internal_failures_are_internal_with_an_error_id_and_no_detail(app) {
        break_the_store_for_boom_corp(&app).await;
        // GraphQL.
        let response = app.graphql(CREATE_LEAD_ID, json!({ "input": boom_input() })).await;
        let error = &response["errors"][0];
        assert_eq!(error["extensions"]["code"], "INTERNAL", "{response:#}");
        assert_eq!(error["message"], "internal error");
        assert!(uuid::Uuid::parse_str(error["extensions"]["errorId"].as_str().unwrap()).is_ok());
        assert!(error["extensions"]["requestId"].is_string());
        let text = response.to_string();
        for leak in LEAKS {
            assert!(!text.contains(leak), "{leak} leaked: {text}");
        }
        // REST.
        let body = boom_input();
        let request = Request::post("/api/v1/leads").header("x-api-key", &app.key).header("content-type", "application/json").body(Body::from(body.to_string())).unwrap();
        let (status, _, body) = app.send(request).await;
        let error = rest_error(status, StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", &body);
        assert_eq!(error["message"], "internal error");
        assert!(error["errorId"].is_string());
        let text = String::from_utf8_lossy(&body);
        for leak in LEAKS {
            assert!(!text.contains(leak), "{leak} leaked: {text}");
        }
        assert_eq!(app.count("leads").await, 0);
        // Other leads still work.
        app.create_lead(documented_input()).await;
    }
}

on_both_backends! {
    async fn a_store_that_is_down_is_unavailable_in_both_faces(app) {
        // A closed pool stands for a database that cannot be reached: SERVICE_UNAVAILABLE
        // with Retry-After (the client may retry), and nothing of the driver's wording.
        app.db.clone().close().await.unwrap();
        let request = Request::post("/graphql").header("content-type", "application/json").header("x-api-key", &app.key)
            .body(Body::from(json!({ "query": "{ __typename }" }).to_string())).unwrap();
        let (status, headers, body) = app.send(request).await;
        graphql_error(status, StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE", &body);
        assert!(headers.get("retry-after").is_some());
        let text = String::from_utf8_lossy(&body).to_lowercase();
        assert!(!text.contains("pool") && !text.contains("closed"), "{text}");
        let request = Request::get("/api/v1/leads/00000000-0000-0000-0000-000000000000").header("x-api-key", &app.key).body(Body::empty()).unwrap();
        let (status, headers, body) = app.send(request).await;
        rest_error(status, StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE", &body);
        assert!(headers.get("retry-after").is_some());
        let text = String::from_utf8_lossy(&body).to_lowercase();
        assert!(!text.contains("pool") && !text.contains("closed"), "{text}");
    }
}

on_both_backends! {
    async fn requests_over_the_time_limit_are_408_timeout(app) {
        use leadgate::AppState;
        use sea_orm::{ConnectionTrait, TransactionTrait};
        use tower::ServiceExt;
        use http_body_util::BodyExt;
        let config = leadgate::Config { request_timeout: std::time::Duration::from_millis(300), ..crate::harness::test_config() };
        let router = leadgate::router(AppState::new(app.db.clone(), config));
        let send = |request: Request<Body>| {
            let router = router.clone();
            async move {
                let response = router.oneshot(request).await.unwrap();
                let status = response.status();
                (status, response.into_body().collect().await.unwrap().to_bytes())
            }
        };
        // Another writer holds the lock createLead needs, so the request waits past its time.
        let blocker = app.db.begin().await.unwrap();
        let lock = match app.db.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => "UPDATE workspaces SET name = name",
            _ => "LOCK TABLE leads IN ACCESS EXCLUSIVE MODE",
        };
        blocker.execute_unprepared(lock).await.unwrap();
        let graphql = json!({ "query": CREATE_LEAD_ID, "variables": { "input": documented_input() } }).to_string();
        let request = Request::post("/graphql").header("content-type", "application/json").header("x-api-key", &app.key).body(Body::from(graphql)).unwrap();
        let (status, body) = send(request).await;
        let error = graphql_error(status, StatusCode::REQUEST_TIMEOUT, "TIMEOUT", &body);
        assert!(error["message"].as_str().unwrap().contains("longer than"), "{error:#}");
        let request = Request::post("/api/v1/leads").header("content-type", "application/json").header("x-api-key", &app.key).body(Body::from(r#"{"firstName":"Slow"}"#)).unwrap();
        let (status, body) = send(request).await;
        rest_error(status, StatusCode::REQUEST_TIMEOUT, "TIMEOUT", &body);
        blocker.rollback().await.unwrap();
        assert_eq!(app.count("leads").await, 0, "the timed-out requests wrote nothing");
        app.create_lead(documented_input()).await;
    }
}
