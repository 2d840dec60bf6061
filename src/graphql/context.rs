//! What a resolver needs from the request: the caller and the caller's loaders.

use async_graphql::Context;

use crate::domain::auth::Principal;
use crate::error::Error;

use super::errors::to_graphql;
use super::loaders::Loaders;

/// The authenticated caller and their per-request loaders; absent when the request had no
/// valid `x-api-key`.
pub struct Caller {
    pub principal: Principal,
    pub loaders: Loaders,
}

/// The caller, or UNAUTHENTICATED.
pub fn caller<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c Caller> {
    ctx.data_opt::<Caller>()
        .ok_or_else(|| to_graphql(&Error::Unauthenticated))
}

pub fn loaders<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c Loaders> {
    Ok(&caller(ctx)?.loaders)
}
