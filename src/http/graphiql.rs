//! Self-hosted GraphiQL.
//!
//! The stock `GraphiQLSource` page from async-graphql loads React and GraphiQL
//! from a CDN, so a browser without internet access gets a blank page. The
//! assets (React 18.3.1, ReactDOM 18.3.1 and GraphiQL 3.9.0 UMD builds, from
//! npm, with GraphiQL's `sourceMappingURL` comment removed) are vendored under
//! `assets/graphiql/`, embedded into the binary at compile time and served from
//! `/graphiql/{file}`. The page's Content-Security-Policy lets it load and call
//! nothing but leadgate itself, so the browser enforces "no CDN, no web fonts".
//!
//! What GraphiQL opens with is a JSON block in the page, rendered once at start-up
//! ([`GraphiqlPage`]): an empty `x-api-key` header and GraphiQL's own first tab, or, for
//! `serve --demo` only, the demo workspace's key and the example operations of
//! `demo/graphiql.graphql`. No other server ever embeds a key.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use uuid::Uuid;

use super::AppState;

const INDEX_HTML: &str = include_str!("../../assets/graphiql/index.html");
const START_JS: &[u8] = include_bytes!("../../assets/graphiql/leadgate-graphiql.js");
const REACT_JS: &[u8] = include_bytes!("../../assets/graphiql/react.production.min.js");
const REACT_DOM_JS: &[u8] = include_bytes!("../../assets/graphiql/react-dom.production.min.js");
const GRAPHIQL_JS: &[u8] = include_bytes!("../../assets/graphiql/graphiql.min.js");
const GRAPHIQL_CSS: &[u8] = include_bytes!("../../assets/graphiql/graphiql.min.css");

/// The demo's first tab: a createLead mutation (the documented example) and a lead query.
pub const DEMO_OPERATIONS: &str = include_str!("../../demo/graphiql.graphql");

/// Where index.html takes its settings.
const SETTINGS_PLACEHOLDER: &str = "{\"leadgate\":\"settings\"}";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const CACHE: &str = "public, max-age=86400";

/// Scripts and styles from leadgate only (GraphiQL sets inline styles), fonts and icons
/// from leadgate or inlined, requests to leadgate only; no frames, forms or base URL.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    font-src 'self' data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'";

/// The GraphiQL page as served, rendered once when the server starts.
#[derive(Clone)]
pub struct GraphiqlPage {
    html: Arc<str>,
    /// Demo pages hold a key: never stored by browsers or proxies.
    holds_key: bool,
}

/// What the page's script reads (see `assets/graphiql/leadgate-graphiql.js`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Settings<'a> {
    api_key: &'a str,
    /// The first tab; `None` leaves GraphiQL's own.
    query: Option<&'a str>,
    variables: Option<String>,
    /// Prefix of GraphiQL's localStorage keys. Each demo start has its own, so tabs saved
    /// with a previous start's (revoked) key do not hide the fresh one.
    storage_namespace: String,
}

impl GraphiqlPage {
    /// The page of every server but a demo: an empty `x-api-key` header to fill in.
    pub fn standard() -> Self {
        Self::render(
            &Settings {
                api_key: "",
                query: None,
                variables: None,
                storage_namespace: String::new(),
            },
            false,
        )
    }

    /// The page of `serve --demo`: the demo key in the header and the example operations
    /// in the first tab, ReadLead's `$id` set to `sample_lead` when there is one.
    pub fn demo(api_key: &str, api_key_id: Uuid, sample_lead: Option<Uuid>) -> Self {
        let id = sample_lead.map_or_else(String::new, |id| id.to_string());
        Self::render(
            &Settings {
                api_key,
                query: Some(DEMO_OPERATIONS),
                variables: Some(format!("{{\n  \"id\": \"{id}\"\n}}")),
                storage_namespace: format!("leadgate-demo-{api_key_id}:"),
            },
            true,
        )
    }

    fn render(settings: &Settings<'_>, holds_key: bool) -> Self {
        let json = serde_json::to_string(settings).expect("settings serialise");
        // Inside <script>, "</script>" or "<!--" in a string would end the block early.
        let json = json
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026");
        debug_assert!(INDEX_HTML.contains(SETTINGS_PLACEHOLDER));
        Self {
            html: INDEX_HTML.replacen(SETTINGS_PLACEHOLDER, &json, 1).into(),
            holds_key,
        }
    }

    fn response(&self) -> Response {
        let cache = if self.holds_key {
            "no-store"
        } else {
            "no-cache"
        };
        (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, cache),
                (header::CONTENT_SECURITY_POLICY, CSP),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                (header::REFERRER_POLICY, "no-referrer"),
            ],
            self.html.to_string(),
        )
            .into_response()
    }
}

impl Default for GraphiqlPage {
    fn default() -> Self {
        Self::standard()
    }
}

/// `GET /graphiql` (and `GET /graphql` from a browser): the page.
pub(crate) async fn page(State(state): State<AppState>) -> Response {
    state.graphiql.response()
}

/// One of the vendored static assets, by file name; 404 for anything else.
pub(crate) async fn asset(Path(file): Path<String>) -> Response {
    let (content_type, body): (&'static str, &'static [u8]) = match file.as_str() {
        "leadgate-graphiql.js" => (JS, START_JS),
        "react.production.min.js" => (JS, REACT_JS),
        "react-dom.production.min.js" => (JS, REACT_DOM_JS),
        "graphiql.min.js" => (JS, GRAPHIQL_JS),
        "graphiql.min.css" => (CSS, GRAPHIQL_CSS),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, CACHE),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}
