//! GraphQL over HTTP's answer media types, chosen from the request's `Accept` header:
//! `application/graphql-response+json` when the client asks for it (then a request error,
//! a document that never ran, is a 400 without `data`), else `application/json` (always
//! 200 for a GraphQL answer, as the spec's legacy type asks). async-graphql-axum labels
//! every answer `application/graphql-response+json`; the middleware relabels it.

use axum::{
    extract::Request,
    http::{HeaderMap, HeaderValue, header},
    middleware::Next,
    response::Response,
};

pub(crate) const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
pub(crate) const JSON: &str = "application/json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaType {
    GraphqlResponse,
    Json,
}

impl MediaType {
    /// The type `headers` ask for.
    pub(crate) fn of(headers: &HeaderMap) -> Self {
        negotiate(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()))
    }
}

/// The media type to answer with: the highest `q` of the two types named, the first
/// listed on a tie (`application/graphql-response+json, application/json` gets the
/// former, the spec's recommended header). No header, a wildcard (`*/*`,
/// `application/*`) or only other types get `application/json`, as the spec asks of a
/// server that must keep legacy clients working.
pub(crate) fn negotiate(accept: Option<&str>) -> MediaType {
    let mut best: Option<(f32, MediaType)> = None;
    for entry in accept.unwrap_or_default().split(',') {
        let mut parts = entry.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let kind = match media.as_str() {
            GRAPHQL_RESPONSE => MediaType::GraphqlResponse,
            JSON => MediaType::Json,
            _ => continue,
        };
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(top, _)| q > top) {
            best = Some((q, kind));
        }
    }
    best.map_or(MediaType::Json, |(_, kind)| kind)
}

/// Relabels every GraphQL answer with the media type the request asked for.
pub(crate) async fn middleware(request: Request, next: Next) -> Response {
    let wanted = MediaType::of(request.headers());
    let mut response = next.run(request).await;
    let is_graphql = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes()
                .eq_ignore_ascii_case(GRAPHQL_RESPONSE.as_bytes())
        });
    if is_graphql && wanted == MediaType::Json {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{MediaType::*, negotiate};

    #[test]
    fn accept_picks_the_answer_type() {
        assert_eq!(negotiate(None), Json);
        assert_eq!(negotiate(Some("")), Json);
        assert_eq!(negotiate(Some("application/json")), Json);
        assert_eq!(negotiate(Some("*/*")), Json);
        assert_eq!(negotiate(Some("text/html, application/*")), Json);
        assert_eq!(negotiate(Some("text/plain")), Json);
        assert_eq!(
            negotiate(Some("application/graphql-response+json")),
            GraphqlResponse
        );
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            GraphqlResponse
        );
        assert_eq!(
            negotiate(Some("application/json, application/graphql-response+json")),
            Json
        );
        assert_eq!(
            negotiate(Some(
                "application/json;q=0.5, Application/GraphQL-Response+JSON; charset=utf-8"
            )),
            GraphqlResponse
        );
        assert_eq!(
            negotiate(Some("application/graphql-response+json;q=0, */*")),
            Json
        );
    }
}
