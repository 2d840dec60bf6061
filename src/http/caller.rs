//! Resolving the `x-api-key` header to the caller, once per request, for GraphQL and REST,
//! and taking the request from the key's rate-limit bucket before anything executes.

use std::num::NonZeroU32;

use axum::http::HeaderMap;

use crate::domain::auth::{self, Principal};
use crate::error::Error;
use crate::graphql::context::Caller;

use super::AppState;

/// The caller named by `x-api-key`: `None` when the header is missing or the key unknown
/// or revoked (read from the database on every request, so a revocation holds on every
/// replica at once); an error when the key is over its rate limit or the database fails.
pub(crate) async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Caller>, Error> {
    let principal = principal(state, headers, NonZeroU32::MIN).await?;
    Ok(principal.map(|principal| Caller::new(state.db.clone(), principal)))
}

/// The principal named by `x-api-key`, taking `operations` requests from its bucket (a
/// JSON batch takes one per operation, all or none).
pub(crate) async fn principal(
    state: &AppState,
    headers: &HeaderMap,
    operations: NonZeroU32,
) -> Result<Option<Principal>, Error> {
    let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let principal = match auth::authenticate(&state.db, key).await {
        Ok(principal) => principal,
        Err(Error::Unauthenticated) => return Ok(None),
        Err(err) => return Err(err),
    };
    tracing::Span::current().record("api_key_id", tracing::field::display(principal.api_key_id));
    if let Some(limiter) = &state.limiter {
        limiter
            .check_n(principal.api_key_id, operations)
            .inspect_err(|_| state.metrics.rate_limited())?;
    }
    Ok(Some(principal))
}
