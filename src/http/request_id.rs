//! Request ids: the caller's `x-request-id` when it is sane (1 to 128 visible ASCII
//! characters, so it cannot forge log lines or bloat them), else a fresh UUID. The id is
//! put back on the request (for the trace span), answered in the response header, and
//! kept in a task-local for the whole request, so every error body can carry it without
//! each handler passing it along.

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use uuid::Uuid;

pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest incoming id kept.
const MAX_LEN: usize = 128;

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request this task is serving, if any.
pub(crate) fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

fn is_sane(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=MAX_LEN).contains(&bytes.len()) && bytes.iter().all(|b| (0x21..=0x7e).contains(b))
}

/// Middleware: settles the request's id, then runs the rest of the stack with it.
pub(crate) async fn assign(mut request: Request, next: Next) -> Response {
    let id = match request.headers().get(&REQUEST_ID) {
        Some(value) if is_sane(value) => value.to_str().unwrap_or_default().to_owned(),
        _ => Uuid::new_v4().to_string(),
    };
    let value = HeaderValue::from_str(&id).expect("a sane id is a valid header value");
    request.headers_mut().insert(REQUEST_ID, value.clone());
    let mut response = CURRENT.scope(id, next.run(request)).await;
    response.headers_mut().insert(REQUEST_ID, value);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_visible_ascii_ids_are_kept() {
        let sane = |s: &str| is_sane(&HeaderValue::from_str(s).unwrap());
        assert!(sane("abc-123_DEF.456:789"));
        assert!(sane(&"a".repeat(MAX_LEN)));
        assert!(!sane(&"a".repeat(MAX_LEN + 1)));
        assert!(!sane(""));
        assert!(!sane("two words"));
        assert!(!sane("tab\there"));
        assert!(!is_sane(&HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap()));
    }
}
