//! Self-hosted GraphiQL.
//!
//! The stock `GraphiQLSource` page from async-graphql loads React and GraphiQL
//! from a CDN, so a browser without internet access gets a blank page. The
//! assets (React 18.3.1, ReactDOM 18.3.1 and GraphiQL 3.9.0 UMD builds, from
//! npm) are vendored under `assets/graphiql/`, embedded into the binary at
//! compile time and served from `/graphiql/{file}`; the page loads nothing
//! from any external host.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

const INDEX_HTML: &str = include_str!("../../assets/graphiql/index.html");
const REACT_JS: &[u8] = include_bytes!("../../assets/graphiql/react.production.min.js");
const REACT_DOM_JS: &[u8] = include_bytes!("../../assets/graphiql/react-dom.production.min.js");
const GRAPHIQL_JS: &[u8] = include_bytes!("../../assets/graphiql/graphiql.min.js");
const GRAPHIQL_CSS: &[u8] = include_bytes!("../../assets/graphiql/graphiql.min.css");

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const CACHE: &str = "public, max-age=86400";

/// The GraphiQL page (talks to `/graphql`, with an `x-api-key` header to fill in).
pub(crate) async fn page() -> Html<&'static str> {
    Html(INDEX_HTML)
}

/// One of the vendored static assets, by file name; 404 for anything else.
pub(crate) async fn asset(Path(file): Path<String>) -> Response {
    let (content_type, body): (&'static str, &'static [u8]) = match file.as_str() {
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
        ],
        body,
    )
        .into_response()
}
