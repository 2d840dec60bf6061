//! Resolving the `x-api-key` header to the caller, once per request, for GraphQL and REST.

use axum::http::HeaderMap;

use crate::domain::auth;
use crate::error::Error;
use crate::graphql::context::Caller;

use super::AppState;

/// The caller named by `x-api-key`: `None` when the header is missing or the key unknown,
/// an error only when the database fails.
pub(crate) async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Caller>, Error> {
    let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    match auth::authenticate(&state.db, key).await {
        Ok(principal) => Ok(Some(Caller::new(state.db.clone(), principal))),
        Err(Error::Unauthenticated) => Ok(None),
        Err(err) => Err(err),
    }
}
