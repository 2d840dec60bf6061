//! CORS: which browser origins may call the API, and with which headers.
//!
//! None by default: without a configured origin no CORS header is ever sent, so browsers
//! only let same-origin pages (GraphiQL) call leadgate. Origins are listed one by one, as
//! a browser sends them (`scheme://host[:port]`); there is no wildcard, since an API key
//! in a page is meant for that page's origin.

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{Request, State},
    http::{HeaderName, HeaderValue, Method, header},
    middleware::Next,
    response::Response,
};
use tower::{Layer, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Request headers a browser page may send: what GraphQL clients send, the API key, the
/// idempotency key of safe retries, and a request id to correlate logs.
const ALLOWED_HEADERS: [HeaderName; 5] = [
    header::CONTENT_TYPE,
    header::ACCEPT,
    HeaderName::from_static("x-api-key"),
    HeaderName::from_static("idempotency-key"),
    HeaderName::from_static("x-request-id"),
];

/// How long browsers may reuse a preflight answer.
const MAX_AGE: Duration = Duration::from_secs(3600);

/// The configured origins and the CORS layer that answers them.
#[derive(Clone)]
pub(super) struct Cors {
    origins: Arc<[HeaderValue]>,
    layer: CorsLayer,
}

impl Cors {
    /// CORS for `origins`; entries that are not origins are left out with a warning (the
    /// CLI refuses them before this, see [`parse_origin`]).
    pub(super) fn new(origins: &[String]) -> Self {
        let origins: Arc<[HeaderValue]> = origins
            .iter()
            .filter_map(|origin| match parse_origin(origin) {
                Ok(origin) => HeaderValue::from_str(&origin).ok(),
                Err(error) => {
                    tracing::warn!(origin, %error, "ignoring a CORS origin");
                    None
                }
            })
            .collect();
        let layer = CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins.iter().cloned()))
            .allow_methods([Method::GET, Method::POST, Method::PUT])
            .allow_headers(ALLOWED_HEADERS)
            // So page code can quote the request id and honour rate limits.
            .expose_headers([HeaderName::from_static("x-request-id"), header::RETRY_AFTER])
            .max_age(MAX_AGE);
        Self { origins, layer }
    }

    fn allows(&self, request: &Request) -> bool {
        request
            .headers()
            .get(header::ORIGIN)
            .is_some_and(|origin| self.origins.contains(origin))
    }
}

/// Middleware: requests from a listed origin go through the CORS layer (preflights are
/// answered there); any other request passes by it untouched, so an unlisted origin gets
/// no CORS header at all (and its preflight the router's 405).
pub(super) async fn middleware(State(cors): State<Cors>, request: Request, next: Next) -> Response {
    if cors.allows(&request) {
        let Ok(response) = cors.layer.layer(next).oneshot(request).await;
        return response;
    }
    let mut response = next.run(request).await;
    if !cors.origins.is_empty() {
        // The answer differs by origin: caches must not hand it to another one.
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("origin"));
    }
    response
}

/// Reads one allowed origin as browsers serialise it in the `Origin` header: `http` or
/// `https`, a host, an optional port; lower case, default port left out, one trailing
/// slash tolerated. Anything else (a path, a wildcard, a missing scheme) is refused with
/// the reason, since it would never match and CORS would fail silently.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text == "*" {
        return Err("a wildcard is not accepted: list each origin (http://localhost:5173)".into());
    }
    let url = url::Url::parse(text)
        .map_err(|e| format!("{text:?} is not an origin like http://localhost:5173 ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{text:?}: an origin is http:// or https://"));
    }
    if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{text:?}: an origin is scheme://host[:port]"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{text:?}: an origin has no path, query or fragment (scheme://host[:port])"
        ));
    }
    Ok(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::parse_origin;

    #[test]
    fn origins_are_read_as_browsers_send_them() {
        for (given, read) in [
            ("http://localhost:5173", "http://localhost:5173"),
            ("http://localhost:5173/", "http://localhost:5173"),
            ("HTTPS://App.Example.COM", "https://app.example.com"),
            ("https://app.example:443", "https://app.example"),
            (" http://127.0.0.1:8080 ", "http://127.0.0.1:8080"),
            ("http://[::1]:5173", "http://[::1]:5173"),
        ] {
            assert_eq!(parse_origin(given).as_deref(), Ok(read), "{given}");
        }
        for bad in [
            "*",
            "localhost:5173",
            "app.example",
            "http://localhost:5173/app",
            "http://localhost:5173?x=1",
            "ftp://files.example",
            "http://user@app.example",
            "",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
