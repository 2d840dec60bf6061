//! GraphQL subscriptions over a WebSocket on `/graphql` (a GET with `Upgrade: websocket`):
//! the graphql-ws protocol (`graphql-transport-ws`) and the legacy
//! subscriptions-transport-ws one (`graphql-ws`), both as async-graphql speaks them.
//! What leadgate adds around async-graphql's protocol machine:
//!
//! - **Auth.** `x-api-key` in the `connection_init` payload (or the upgrade request's
//!   header). A missing, unknown or revoked key refuses the connection: close code 4403
//!   (graphql-ws) or a `connection_error` (legacy). The key is checked again when each
//!   subscription starts and every `RECHECK` while it runs: a revoked key's
//!   subscriptions end with UNAUTHENTICATED.
//! - **One caller per operation.** Each subscription gets its own loaders, driven per
//!   event (`context::execute_stream`), and takes one request from the key's rate-limit
//!   bucket.
//! - **Limits.** The operation limits apply (the schema's extensions run on every
//!   document); at most `MAX_SUBSCRIPTIONS` at once per connection; messages at most the
//!   HTTP body limit; `connection_init` within `INIT_TIMEOUT` (else 4408). Only
//!   subscriptions run here: queries and mutations go over HTTP.
//! - **Liveness.** A WebSocket ping every `PING_EVERY`, so idle connections survive
//!   proxies' idle timeouts. At shutdown every socket is closed with 1012 (service
//!   restart), which graphql-ws clients retry.
//!
//! Nothing outlives the connection: the subscription reads the outbox, so a client that
//! reconnects (to any replica) with `after` misses nothing.

mod operations;

use std::{
    str::FromStr,
    sync::{Arc, Mutex, atomic::AtomicUsize},
    time::Duration,
};

use async_graphql::{
    Data,
    http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols, WsMessage},
};
use axum::{
    body::Bytes,
    extract::{
        FromRequestParts, Request, WebSocketUpgrade,
        ws::{CloseFrame, Message, WebSocket},
    },
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response as HttpResponse},
};
use futures::{SinkExt, StreamExt};
use serde_json::Value;

use crate::domain::auth::Principal;
use crate::error::Error;

use super::{AppState, caller, errors as http_errors};
use operations::Executor;

/// Subscriptions one connection may run at once; one more is refused with
/// `MAX_SUBSCRIPTIONS_LIMIT` (open another connection, or combine `types`).
pub const MAX_SUBSCRIPTIONS: usize = 10;
/// How long a client has to send `connection_init` after the upgrade.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a running subscription checks that its key still holds.
pub(super) const RECHECK: Duration = Duration::from_secs(60);
/// How often the server pings an open connection.
const PING_EVERY: Duration = Duration::from_secs(30);

/// Whether a request asks to become a WebSocket.
pub(crate) fn is_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Upgrades `GET /graphql` to a GraphQL WebSocket, or says plainly why not.
pub(crate) async fn upgrade(state: AppState, request: Request) -> HttpResponse {
    let (mut parts, _) = request.into_parts();
    let protocol = parts
        .headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|offered| {
            offered
                .split(',')
                .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
        });
    let Some(protocol) = protocol else {
        return http_errors::graphql(&Error::BadRequest(
            "a WebSocket to /graphql must offer the subprotocol graphql-transport-ws (the \
             graphql-ws library) or graphql-ws (subscriptions-transport-ws)"
                .into(),
        ));
    };
    if let Some(origin) = parts.headers.get(header::ORIGIN)
        && !origin_allowed(origin, &parts.headers, &state.config.cors_origins)
    {
        return http_errors::graphql(&Error::Forbidden(
            "this page's origin may not open a WebSocket to leadgate: only same-origin pages \
             and the --cors-origins ones may"
                .into(),
        ));
    }
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            return http_errors::graphql(&Error::BadRequest(format!(
                "not a WebSocket upgrade: {}",
                rejection.body_text()
            )));
        }
    };
    let header_key = parts
        .headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let limit = state.config.body_limit_bytes;
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| serve(state, socket, protocol, header_key))
        .into_response()
}

/// Browsers send `Origin` on a WebSocket upgrade and apply no CORS to it, so the CORS
/// rule is kept here: a page may subscribe from leadgate's own origin (GraphiQL) or from
/// a `--cors-origins` one. Clients outside browsers send no `Origin`.
fn origin_allowed(origin: &HeaderValue, headers: &HeaderMap, allowed: &[String]) -> bool {
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if allowed
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

/// What one connection knows: its key once `connection_init` accepted it, why it was
/// refused otherwise, and how many subscriptions run.
#[derive(Default)]
pub(super) struct Session {
    key: Mutex<Option<String>>,
    refusal: Mutex<Option<(u16, &'static str)>>,
    pub(super) running: AtomicUsize,
}

impl Session {
    pub(super) fn key(&self) -> Option<String> {
        self.key.lock().expect("session key").clone()
    }
}

/// Runs one connection until either side closes it.
async fn serve(
    state: AppState,
    socket: WebSocket,
    protocol: WebSocketProtocols,
    header_key: Option<String>,
) {
    let session = Arc::new(Session::default());
    let readiness = state.readiness.clone();
    let _open = readiness.socket();
    let (mut sink, stream) = socket.split();
    let input = stream
        .take_while(|message| futures::future::ready(message.is_ok()))
        .filter_map(|message| {
            futures::future::ready(match message {
                Ok(message @ (Message::Text(_) | Message::Binary(_))) => Some(message.into_data()),
                _ => None,
            })
        });
    let executor = Executor {
        state: state.clone(),
        session: session.clone(),
    };
    let on_init = {
        let session = session.clone();
        move |payload: Value| init(state, session, payload, header_key)
    };
    let mut messages =
        async_graphql::http::WebSocket::new(executor, input, protocol).on_connection_init(on_init);
    let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
    tokio::pin!(init_deadline);
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let closing = readiness.closing();
    tokio::pin!(closing);
    loop {
        let outgoing = tokio::select! {
            () = &mut closing => close(1012, "Server restarting; reconnect (with after)"),
            message = messages.next() => match message {
                Some(message) => frame(message, &session),
                None => break,
            },
            () = &mut init_deadline, if session.key().is_none() => {
                close(4408, "Connection initialisation timeout")
            }
            _ = ping.tick() => Message::Ping(Bytes::new()),
        };
        let closing = matches!(outgoing, Message::Close(_));
        if sink.send(outgoing).await.is_err() || closing {
            break;
        }
    }
    let _ = sink.close().await;
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// A protocol message as a frame; a refused `connection_init` closes with the refusal's
/// code (async-graphql closes every refusal with 1002, "protocol error").
fn frame(message: WsMessage, session: &Session) -> Message {
    match message {
        WsMessage::Text(text) => Message::Text(text.into()),
        WsMessage::Close(code, reason) => match *session.refusal.lock().expect("session refusal") {
            Some((code, reason)) => close(code, reason),
            None => close(code, &reason),
        },
    }
}

/// Accepts `connection_init` when its key holds (see the module comment).
async fn init(
    state: AppState,
    session: Arc<Session>,
    payload: Value,
    header_key: Option<String>,
) -> async_graphql::Result<Data> {
    let key = key_in(&payload).or(header_key);
    let refuse = |code: u16, reason: &'static str| {
        *session.refusal.lock().expect("session refusal") = Some((code, reason));
        Err(async_graphql::Error::new(reason))
    };
    let Some(key) = key else {
        return refuse(
            4403,
            "Forbidden: connection_init needs {\"x-api-key\": \"...\"} in its payload",
        );
    };
    match authenticate(&state, &key).await {
        Ok(Some(_)) => {
            *session.key.lock().expect("session key") = Some(key);
            Ok(Data::default())
        }
        Ok(None) => refuse(4403, "Forbidden: the x-api-key is unknown or revoked"),
        Err(Error::RateLimited { .. }) => refuse(4429, "Too many requests for this x-api-key"),
        Err(err) => {
            tracing::warn!(error = %crate::diagnostics::Diagnostic::of(&err), "a subscription's key could not be checked");
            refuse(1013, "The service is unavailable; try again later")
        }
    }
}

/// `x-api-key` at the top of the payload, or under `headers` (as GraphiQL and some
/// clients send connection params), any case.
fn key_in(payload: &Value) -> Option<String> {
    let find = |object: &serde_json::Map<String, Value>| {
        object
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("x-api-key"))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_owned)
    };
    let object = payload.as_object()?;
    find(object).or_else(|| object.get("headers")?.as_object().and_then(find))
}

/// The key's principal, taking one request from its rate-limit bucket.
pub(super) async fn authenticate(state: &AppState, key: &str) -> Result<Option<Principal>, Error> {
    let Ok(value) = HeaderValue::from_str(key) else {
        return Ok(None);
    };
    let mut headers = HeaderMap::new();
    headers.insert("x-api-key", value);
    caller::principal(state, &headers, std::num::NonZeroU32::MIN).await
}
