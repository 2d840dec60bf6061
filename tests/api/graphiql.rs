//! GraphiQL: a page that loads nothing from elsewhere, a key only in demo mode, and demo
//! example operations that run. The page in a real browser is tests/browser.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Child, Command, Stdio},
};

use axum::{
    body::Body,
    http::{HeaderMap, Request, StatusCode},
};
use leadgate::{AppState, http::DEMO_OPERATIONS, http::GraphiqlPage};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

fn page_request(uri: &str) -> Request<Body> {
    Request::get(uri)
        .header("accept", "text/html")
        .body(Body::empty())
        .unwrap()
}

/// The settings block leadgate put into the page.
fn settings_of(page: &str) -> Value {
    let start = page
        .find("type=\"application/json\">")
        .expect("settings block")
        + "type=\"application/json\">".len();
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).expect("settings JSON")
}

/// What `src` and `href` attributes of the page point to.
fn references(page: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        let mut rest = page;
        while let Some(at) = rest.find(attribute) {
            rest = &rest[at + attribute.len()..];
            found.push(rest[..rest.find('"').unwrap()].to_owned());
        }
    }
    found
}

fn assert_locked_down(headers: &HeaderMap) {
    let csp = headers["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "font-src 'self' data:",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("http"), "no other host is allowed: {csp}");
}

on_both_backends! {
    async fn the_page_loads_only_what_leadgate_serves_and_embeds_no_key(app) {
        for uri in ["/graphql", "/graphiql"] {
            let (status, headers, body) = app.send(page_request(uri)).await;
            assert_eq!(status, StatusCode::OK);
            assert_locked_down(&headers);
            let page = String::from_utf8(body.to_vec()).unwrap();
            assert!(!page.contains("lg_live_") && !page.contains("lg_test_"), "no key outside demo mode");
            assert_eq!(settings_of(&page), json!({ "apiKey": "", "query": null, "variables": null, "storageNamespace": "" }));

            let references = references(&page);
            assert_eq!(references.len(), 6, "{references:?}");
            for reference in references {
                if reference.starts_with("data:") {
                    continue;
                }
                assert!(reference.starts_with("/graphiql/"), "{reference} is not served by leadgate");
                let (status, _, body) = app.send(Request::get(&reference).body(Body::empty()).unwrap()).await;
                assert_eq!(status, StatusCode::OK, "{reference}");
                let text = String::from_utf8_lossy(&body);
                assert!(!text.contains("sourceMappingURL"), "{reference} would make devtools fetch a source map");
            }
        }
    }
}

on_both_backends! {
    async fn the_demo_page_holds_the_key_and_the_example_operations(app) {
        let key_id = Uuid::new_v4();
        let sample = Uuid::new_v4();
        let demo = GraphiqlPage::demo(&app.key, key_id, Some(sample));
        let router = leadgate::router(AppState::new(app.db.clone(), crate::harness::test_config()).with_graphiql(demo));
        let response = router.oneshot(page_request("/graphql")).await.unwrap();
        assert_eq!(response.headers()["cache-control"], "no-store", "a page with a key is never cached");
        assert_locked_down(response.headers());
        let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
        let page = String::from_utf8(body.to_vec()).unwrap();
        assert_eq!(page.matches("</script>").count(), 5, "the settings block stays one script element");
        let settings = settings_of(&page);
        assert_eq!(settings["apiKey"], app.key.as_str());
        assert_eq!(settings["query"], DEMO_OPERATIONS);
        assert_eq!(serde_json::from_str::<Value>(settings["variables"].as_str().unwrap()).unwrap(), json!({ "id": sample.to_string() }));
        assert_eq!(settings["storageNamespace"], format!("leadgate-demo-{key_id}:"));
    }
}

/// POSTs a named operation of the demo document.
async fn run_demo_operation(
    app: &crate::harness::TestApp,
    operation: &str,
    variables: Value,
) -> Value {
    let body =
        json!({ "query": DEMO_OPERATIONS, "operationName": operation, "variables": variables })
            .to_string();
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("x-api-key", &app.key)
        .body(Body::from(body))
        .unwrap();
    let (status, _, body) = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    let response: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        response.get("errors").is_none(),
        "{operation}: {response:#}"
    );
    response["data"].clone()
}

on_both_backends! {
    async fn the_demo_operations_run(app) {
        let earlier = app.create_lead(json!({ "firstName": "Jane", "phoneNumber": "(678) 231-9992" })).await;
        let created = run_demo_operation(&app, "CreateLead", json!({ "id": earlier })).await;
        let payload = &created["createLead"];
        assert_eq!(payload["success"], true);
        assert_eq!(payload["lead"]["firstName"], "John");
        assert_eq!(payload["checklistItems"][0]["name"], "Business Information");
        assert_eq!(payload["matchingLeads"][0]["id"], earlier.as_str());
        let id = payload["lead"]["id"].as_str().unwrap();

        let read = run_demo_operation(&app, "ReadLead", json!({ "id": id })).await;
        assert_eq!(read["lead"]["id"], id);
        assert_eq!(read["lead"]["status"], "COMPLETED");
        assert_eq!(read["lead"]["actionLogs"][0]["summary"], "Lead created");
        assert_eq!(read["lead"]["matchingLeads"][0]["id"], earlier.as_str());
    }
}

/// A `leadgate serve` on a free loopback port, killed when dropped.
struct Server {
    child: Child,
    address: String,
    stdout: Vec<String>,
}

impl Server {
    fn start(database_url: &str, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_leadgate"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .env("DATABASE_URL", database_url)
            .env("LEADGATE_LOG", "warn")
            .env(
                "LEADGATE_SIGNING_KEY",
                "a-test-signing-key-of-at-least-32-bytes",
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start leadgate serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut stdout = Vec::new();
        let address = loop {
            let line = lines.next().expect("serve printed its address").unwrap();
            stdout.push(line.clone());
            if let Some(url) = line.strip_prefix("GraphiQL:") {
                let url = url.trim().strip_prefix("http://").unwrap();
                break url.split('/').next().unwrap().to_owned();
            }
        };
        // Keep reading: a closed pipe would fail the server's next line of output.
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            address,
            stdout,
        }
    }

    /// The GraphiQL page, over a real connection.
    fn page(&self) -> String {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "GET /graphql HTTP/1.1\r\nHost: {}\r\nAccept: text/html\r\nConnection: close\r\n\r\n",
            self.address
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        response
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

on_both_backends! {
    async fn serve_demo_prefills_the_demo_key_and_serve_embeds_none(app) {
        let url = app.database_url.clone();
        tokio::task::spawn_blocking(move || {
            let demo = Server::start(&url, &["--demo"]);
            let key = demo.stdout.iter().find_map(|l| l.strip_prefix("demo API key:")).expect("demo key printed").trim().to_owned();
            let page = demo.page();
            let settings = settings_of(&page);
            assert_eq!(settings["apiKey"], key.as_str());
            assert_eq!(settings["query"], DEMO_OPERATIONS);
            let variables: Value = serde_json::from_str(settings["variables"].as_str().unwrap()).unwrap();
            assert!(Uuid::parse_str(variables["id"].as_str().unwrap()).is_ok(), "ReadLead starts with a demo lead: {variables}");
            drop(demo);

            let plain = Server::start(&url, &[]);
            let page = plain.page();
            assert!(!page.contains(&key) && !page.contains("lg_live_"), "no key without --demo");
            assert_eq!(settings_of(&page)["apiKey"], "");
        })
        .await
        .unwrap();
    }
}
