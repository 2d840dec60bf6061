//! GraphQL subscriptions (`leadEvents`) over a real WebSocket on `/graphql`: the router
//! served on a loopback port, a graphql-ws client (tokio-tungstenite), and on PostgreSQL
//! two replica processes.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use leadgate::entities::outbox_event;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};
use uuid::Uuid;

use crate::harness::{Backend, TestApp};
use crate::server::Server;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a test waits for a message it expects.
const WAIT: Duration = Duration::from_secs(10);

/// Serves the app's router on a loopback port; answers its `ws://` GraphQL address.
async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("ws://{address}/graphql")
}

/// Opens a WebSocket speaking `protocol`.
async fn open(url: &str, protocol: &str) -> Socket {
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_str(protocol).unwrap(),
    );
    let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        protocol,
        "the server speaks the protocol offered"
    );
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// The next protocol message (pings skipped), or the close frame as
/// `{"close": code, "reason": ...}`; panics after `WAIT`.
async fn receive(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("a message in time")
            .expect("the connection is open")
            .unwrap();
        match message {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Close(frame) => {
                let frame = frame.expect("a close frame with a code");
                return json!({ "close": u16::from(frame.code), "reason": frame.reason.as_str() });
            }
            _ => continue,
        }
    }
}

/// Nothing arrives for `quiet` (pings aside).
async fn silent(socket: &mut Socket, quiet: Duration) {
    let deadline = tokio::time::Instant::now() + quiet;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return,
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            Ok(other) => panic!("expected nothing, got {other:?}"),
        }
    }
}

/// A graphql-ws (`graphql-transport-ws`) connection acknowledged for `key`.
async fn connect(url: &str, key: &str) -> Socket {
    let mut socket = open(url, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "x-api-key": key } }),
    )
    .await;
    assert_eq!(
        receive(&mut socket).await,
        json!({ "type": "connection_ack" })
    );
    socket
}

async fn subscribe(socket: &mut Socket, id: &str, query: &str, variables: Value) {
    send(
        socket,
        json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }),
    )
    .await;
}

/// The payload of the next `next` message for `id`.
async fn next_event(socket: &mut Socket, id: &str) -> Value {
    let message = receive(socket).await;
    assert_eq!(message["type"], "next", "{message:#}");
    assert_eq!(message["id"], id, "{message:#}");
    message["payload"].clone()
}

/// The id of the workspace's latest event.
async fn last_event_id(app: &TestApp, workspace_id: Uuid) -> String {
    outbox_event::Entity::find()
        .filter(outbox_event::Column::WorkspaceId.eq(workspace_id))
        .order_by_desc(outbox_event::Column::Seq)
        .one(&app.db)
        .await
        .unwrap()
        .expect("an event")
        .id
        .to_string()
}

const EVENTS: &str = "subscription($types: [EventType!], $after: ID) {
  leadEvents(types: $types, after: $after) {
    id type occurredAt data
    lead { id firstName email tags checklistItems { name items { status checklistItem { code } } } actionLogs(limit: 1) { summary } }
  }
}";

/// A lead created by the caller, then the point a subscription resumes after.
async fn marker(app: &TestApp) -> String {
    app.create_lead(json!({ "firstName": "Marker" })).await;
    last_event_id(app, app.workspace_id).await
}

on_both_backends! {
    /// The lead.created of a createLead arrives with the lead's lazy fields resolved,
    /// then its lead.completed (the documented example completes the lead).
    async fn a_created_lead_reaches_the_subscriber(app) {
        let url = serve(&app).await;
        let after = marker(&app).await;
        let mut socket = connect(&url, &app.key).await;
        subscribe(&mut socket, "1", EVENTS, json!({ "after": after })).await;
        let id = app.create_lead(crate::harness::documented_input()).await;
        let event = next_event(&mut socket, "1").await;
        assert!(event.get("errors").is_none(), "{event:#}");
        let event = &event["data"]["leadEvents"];
        assert_eq!(event["type"], "LEAD_CREATED");
        assert_eq!(event["data"]["leadId"], id);
        assert_eq!(event["data"]["firstName"], "John");
        assert_eq!(event["data"]["source"], "api");
        assert!(event["occurredAt"].as_str().unwrap().ends_with('Z'));
        let lead = &event["lead"];
        assert_eq!(lead["id"], id);
        assert_eq!(lead["email"], "john@example.com");
        assert_eq!(lead["checklistItems"][0]["name"], "Business Information");
        assert_eq!(lead["actionLogs"][0]["summary"], "Lead created");
        // The answer follows the selection's order, as a query's does.
        let keys: Vec<&str> = event.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["id", "type", "occurredAt", "data", "lead"]);
        let completed = next_event(&mut socket, "1").await;
        let completed = &completed["data"]["leadEvents"];
        assert_eq!(completed["type"], "LEAD_COMPLETED");
        assert_eq!(completed["lead"]["id"], id);
        // The id is the outbox event's (the webhook-id of its deliveries).
        assert_eq!(completed["id"], last_event_id(&app, app.workspace_id).await);
        // complete ends the subscription on both sides.
        send(&mut socket, json!({ "id": "1", "type": "complete" })).await;
        app.create_lead(json!({ "firstName": "After complete" })).await;
        let message = receive(&mut socket).await;
        assert_eq!(message, json!({ "type": "complete", "id": "1" }));
        silent(&mut socket, Duration::from_millis(500)).await;
    }
}

on_both_backends! {
    /// Without `after`, a subscription gets what commits from its start on, not before.
    async fn without_after_only_new_events_arrive(app) {
        let url = serve(&app).await;
        let old = app.create_lead(json!({ "firstName": "Old" })).await;
        let mut socket = connect(&url, &app.key).await;
        subscribe(&mut socket, "live", EVENTS, json!({ "types": ["LEAD_CREATED"] })).await;
        // The subscription starts asynchronously: create until one arrives.
        let mut created = Vec::new();
        let first = loop {
            created.push(app.create_lead(json!({ "firstName": "Probe" })).await);
            let message = tokio::time::timeout(Duration::from_millis(500), receive(&mut socket)).await;
            if let Ok(message) = message {
                break message;
            }
            assert!(created.len() < 20, "no event arrived");
        };
        let lead_id = first["payload"]["data"]["leadEvents"]["data"]["leadId"].clone();
        assert_ne!(lead_id, old);
        assert!(created.iter().any(|id| *id == lead_id), "{first:#}");
    }
}

on_both_backends! {
    /// `types` keeps only the kinds asked for.
    async fn the_types_filter_keeps_only_those_kinds(app) {
        let url = serve(&app).await;
        let after = marker(&app).await;
        let mut socket = connect(&url, &app.key).await;
        subscribe(&mut socket, "u", EVENTS, json!({ "after": after, "types": ["LEAD_UPDATED"] })).await;
        let id = app.create_lead(crate::harness::documented_input()).await;
        app.data(
            "mutation($input: UpdateLeadInput!) { updateLead(input: $input) { success } }",
            json!({ "input": { "id": id, "lastName": "Lovelace", "tags": ["vip"] } }),
        )
        .await;
        let event = next_event(&mut socket, "u").await;
        let event = &event["data"]["leadEvents"];
        assert_eq!(event["type"], "LEAD_UPDATED", "{event:#}");
        assert_eq!(event["data"]["lastName"], "Lovelace");
        assert_eq!(event["lead"]["tags"], json!(["vip"]));
        silent(&mut socket, Duration::from_millis(500)).await;
        // An empty list is refused, naming `types`.
        subscribe(&mut socket, "empty", EVENTS, json!({ "types": [] })).await;
        let refused = next_event(&mut socket, "empty").await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{refused:#}");
        assert_eq!(refused["errors"][0]["extensions"]["field"], "types");
    }
}

on_both_backends! {
    /// A key's subscription never hears another workspace's events, and cannot resume
    /// after another workspace's event id.
    async fn other_workspaces_events_never_arrive(app) {
        let url = serve(&app).await;
        let (other_workspace, other_key) = app.other_workspace("Other").await;
        let after = marker(&app).await;
        let mut socket = connect(&url, &app.key).await;
        subscribe(&mut socket, "mine", EVENTS, json!({ "after": after })).await;
        // Committed first: had it leaked, it would arrive first.
        app.create_lead_with(&other_key, json!({ "firstName": "Theirs" })).await;
        let mine = app.create_lead(json!({ "firstName": "Mine" })).await;
        let event = next_event(&mut socket, "mine").await;
        assert_eq!(event["data"]["leadEvents"]["lead"]["id"], mine, "{event:#}");
        silent(&mut socket, Duration::from_millis(500)).await;
        // Their event id is unknown to this workspace.
        let theirs = last_event_id(&app, other_workspace).await;
        subscribe(&mut socket, "theirs", EVENTS, json!({ "after": theirs })).await;
        let refused = next_event(&mut socket, "theirs").await;
        assert_eq!(refused["errors"][0]["extensions"]["field"], "after", "{refused:#}");
    }
}

on_both_backends! {
    /// `after` replays what was missed, in commit order, then goes on live; an unknown id
    /// is refused naming `after`.
    async fn after_replays_missed_events(app) {
        let url = serve(&app).await;
        let first = app.create_lead(json!({ "firstName": "One" })).await;
        let seen = last_event_id(&app, app.workspace_id).await;
        let missed = [
            app.create_lead(json!({ "firstName": "Two" })).await,
            app.create_lead(json!({ "firstName": "Three" })).await,
        ];
        let mut socket = connect(&url, &app.key).await;
        subscribe(&mut socket, "r", EVENTS, json!({ "after": seen })).await;
        for id in &missed {
            let event = next_event(&mut socket, "r").await;
            assert_eq!(event["data"]["leadEvents"]["data"]["leadId"], *id, "{event:#}");
        }
        let live = app.create_lead(json!({ "firstName": "Four" })).await;
        let event = next_event(&mut socket, "r").await;
        assert_eq!(event["data"]["leadEvents"]["data"]["leadId"], live);
        assert_ne!(live, first);
        for after in [Uuid::now_v7().to_string(), "not-an-id".to_owned()] {
            subscribe(&mut socket, "bad", EVENTS, json!({ "after": after })).await;
            let refused = next_event(&mut socket, "bad").await;
            assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{refused:#}");
            assert_eq!(refused["errors"][0]["extensions"]["field"], "after");
            assert_eq!(receive(&mut socket).await, json!({ "type": "complete", "id": "bad" }));
        }
    }
}

on_both_backends! {
    /// A missing, unknown or revoked key refuses the connection (graphql-ws: 4403; the
    /// legacy protocol: connection_error); the key may also come as the upgrade's header.
    async fn a_bad_key_is_refused(app) {
        let url = serve(&app).await;
        for payload in [json!({}), json!({ "x-api-key": "lg_live_nope" }), Value::Null] {
            let mut socket = open(&url, "graphql-transport-ws").await;
            send(&mut socket, json!({ "type": "connection_init", "payload": payload })).await;
            let closed = receive(&mut socket).await;
            assert_eq!(closed["close"], 4403, "{closed:#}");
            assert!(closed["reason"].as_str().unwrap().starts_with("Forbidden"), "{closed:#}");
        }
        let mut legacy = open(&url, "graphql-ws").await;
        send(&mut legacy, json!({ "type": "connection_init", "payload": { "x-api-key": "nope" } })).await;
        let refused = receive(&mut legacy).await;
        assert_eq!(refused["type"], "connection_error", "{refused:#}");
        // The upgrade request's header works too.
        let mut request = url.as_str().into_client_request().unwrap();
        request.headers_mut().insert("sec-websocket-protocol", HeaderValue::from_static("graphql-transport-ws"));
        request.headers_mut().insert("x-api-key", HeaderValue::from_str(&app.key).unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        send(&mut socket, json!({ "type": "connection_init" })).await;
        assert_eq!(receive(&mut socket).await, json!({ "type": "connection_ack" }));
        // A browser page of another origin (not in --cors-origins) may not connect; the
        // server's own origin (GraphiQL) may.
        let host = url.trim_start_matches("ws://").trim_end_matches("/graphql").to_owned();
        for (origin, allowed) in [("https://evil.example".to_owned(), false), (format!("http://{host}"), true)] {
            let mut request = url.as_str().into_client_request().unwrap();
            request.headers_mut().insert("sec-websocket-protocol", HeaderValue::from_static("graphql-transport-ws"));
            request.headers_mut().insert("origin", HeaderValue::from_str(&origin).unwrap());
            match tokio_tungstenite::connect_async(request).await {
                Ok(_) => assert!(allowed, "{origin} connected"),
                Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                    assert!(!allowed, "{origin} refused");
                    assert_eq!(response.status(), 403);
                }
                Err(other) => panic!("{other:?}"),
            }
        }
        // No GraphQL subprotocol: a plain 400 with a JSON GraphQL error.
        let request = url.as_str().into_client_request().unwrap();
        match tokio_tungstenite::connect_async(request).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 400);
                let body: Value = serde_json::from_slice(response.body().as_deref().unwrap()).unwrap();
                assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST", "{body:#}");
            }
            other => panic!("expected a 400, got {other:?}"),
        }
    }
}

on_both_backends! {
    /// A key revoked after connection_init: the next subscription is refused.
    async fn a_key_revoked_after_init_is_refused_at_the_next_subscription(app) {
        let url = serve(&app).await;
        let mut socket = connect(&url, &app.key).await;
        for listed in leadgate::domain::auth::list(&app.db, app.workspace_id).await.unwrap() {
            leadgate::domain::auth::revoke(&app.db, listed.id).await.unwrap();
        }
        subscribe(&mut socket, "late", EVENTS, json!({})).await;
        let refused = next_event(&mut socket, "late").await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{refused:#}");
        assert!(refused["errors"][0].get("locations").is_none(), "{refused:#}");
        assert_eq!(receive(&mut socket).await, json!({ "type": "complete", "id": "late" }));
    }
}

on_both_backends! {
    /// The operation limits hold for subscription documents; a connection runs at most
    /// 10 subscriptions; queries and mutations go over HTTP.
    async fn limits_hold_over_the_socket(app) {
        let url = serve(&app).await;
        let mut socket = connect(&url, &app.key).await;
        let deep = "subscription { leadEvents { lead { matchingLeads { matchingLeads { matchingLeads { matchingLeads { matchingLeads { matchingLeads { matchingLeads { matchingLeads { matchingLeads { matchingLeads { matchingLeads { matchingLeads { matchingLeads { matchingLeads { id } } } } } } } } } } } } } } } } }";
        subscribe(&mut socket, "deep", deep, json!({})).await;
        let refused = next_event(&mut socket, "deep").await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "MAX_DEPTH_LIMIT", "{refused:#}");
        assert_eq!(receive(&mut socket).await, json!({ "type": "complete", "id": "deep" }));
        subscribe(&mut socket, "q", "{ leads { totalCount } }", json!({})).await;
        let refused = next_event(&mut socket, "q").await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_REQUEST", "{refused:#}");
        assert_eq!(receive(&mut socket).await, json!({ "type": "complete", "id": "q" }));
        // Eleven at once: one of them (they start concurrently) is refused.
        for n in 0..=10 {
            subscribe(&mut socket, &format!("s{n}"), "subscription { leadEvents { id } }", json!({})).await;
        }
        let refused = receive(&mut socket).await;
        assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "MAX_SUBSCRIPTIONS_LIMIT", "{refused:#}");
        let loser = refused["id"].as_str().unwrap().to_owned();
        assert_eq!(receive(&mut socket).await, json!({ "type": "complete", "id": loser }));
        // Completing one frees its place.
        let done = if loser == "s0" { "s1" } else { "s0" };
        send(&mut socket, json!({ "id": done, "type": "complete" })).await;
        assert_eq!(receive(&mut socket).await, json!({ "type": "complete", "id": done }));
        let after = marker(&app).await;
        subscribe(&mut socket, "s11", EVENTS, json!({ "after": after })).await;
        let id = app.create_lead(json!({ "firstName": "Counted" })).await;
        // The nine others may hear it (and the marker) too; s11 hears it.
        let heard = loop {
            let message = receive(&mut socket).await;
            if message["id"] == "s11" {
                break message;
            }
        };
        assert_eq!(heard["payload"]["data"]["leadEvents"]["lead"]["id"], id, "{heard:#}");
    }
}

on_both_backends! {
    /// A subscription sent over HTTP is a request error pointing at the WebSocket, in
    /// either media type, and runs nothing.
    async fn a_subscription_over_http_points_at_the_websocket(app) {
        let response = app.graphql("subscription { leadEvents { id } }", json!({})).await;
        assert_eq!(crate::harness::error_code(&response), "BAD_REQUEST", "{response:#}");
        assert!(response["errors"][0]["message"].as_str().unwrap().contains("WebSocket"));
        let request = axum::http::Request::post("/graphql")
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .header("x-api-key", &app.key)
            .body(axum::body::Body::from(json!({ "query": "subscription { leadEvents { id } }" }).to_string()))
            .unwrap();
        let (status, _, body) = app.send(request).await;
        assert_eq!(status, 400);
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert!(body.get("data").is_none(), "{body:#}");
    }
}

/// Two replica processes on one PostgreSQL: a subscriber on B hears a lead created
/// through A (A's commit NOTIFYs, B's LISTEN wakes its subscription).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_on_one_replica_hears_a_write_on_another() {
    crate::harness::run(Backend::Postgres, async |app: TestApp| {
        let start = |app: &TestApp| {
            Server::start(
                &app.database_url,
                &["--no-migrate", "--rate-limit-per-second", "0", "--db-pool-size", "4"],
                &[("LEADGATE_SIGNING_KEY", "0123456789abcdef0123456789abcdef")],
            )
        };
        let a = tokio::task::block_in_place(|| start(&app));
        let b = tokio::task::block_in_place(|| start(&app));
        let after = marker(&app).await;
        let mut socket = connect(&format!("ws://{}/graphql", b.address), &app.key).await;
        subscribe(&mut socket, "b", EVENTS, json!({ "after": after })).await;
        // Once B's subscription is live (seen by an event written here), A writes.
        app.create_lead(json!({ "firstName": "Warm-up" })).await;
        next_event(&mut socket, "b").await;
        let answer = tokio::task::block_in_place(|| {
            a.graphql(
                &app.key,
                "mutation { createLead(input: { firstName: \"Via A\", email: \"a@example.com\" }) { lead { id } } }",
                json!({}),
            )
        });
        let id = answer.json()["data"]["createLead"]["lead"]["id"].clone();
        assert!(id.is_string(), "{}", answer.body);
        let event = next_event(&mut socket, "b").await;
        let event = &event["data"]["leadEvents"];
        assert_eq!(event["type"], "LEAD_CREATED");
        assert_eq!(event["lead"]["id"], id);
        assert_eq!(event["lead"]["email"], "a@example.com");
        drop((a, b));
    })
    .await;
}

/// At SIGTERM a replica closes its subscription sockets with 1012 (service restart, which
/// graphql-ws clients retry) and still exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_sockets_with_service_restart() {
    crate::harness::run(Backend::Sqlite, async |app: TestApp| {
        let server = tokio::task::block_in_place(|| {
            Server::start(
                &app.database_url,
                &["--no-migrate", "--rate-limit-per-second", "0"],
                &[("LEADGATE_SIGNING_KEY", "0123456789abcdef0123456789abcdef")],
            )
        });
        let mut socket = connect(&format!("ws://{}/graphql", server.address), &app.key).await;
        subscribe(&mut socket, "s", EVENTS, json!({})).await;
        server.terminate();
        let closed = receive(&mut socket).await;
        assert_eq!(closed["close"], 1012, "{closed:#}");
        let (status, _) = tokio::task::block_in_place(|| server.wait());
        assert_eq!(status, Some(0));
    })
    .await;
}
