//! What a resolver needs from the request: the caller and the caller's loaders.

use async_graphql::Context;

use crate::domain::auth::Principal;
use crate::error::Error;

use super::errors::to_graphql;
use super::{
    batching::{self, BatchQueue},
    loaders::{self, Loaders},
};

/// The authenticated caller and their per-request loaders; absent when the request had no
/// valid `x-api-key`.
pub struct Caller {
    pub principal: Principal,
    pub loaders: Loaders,
    batches: BatchQueue,
}

impl Caller {
    pub fn new(db: sea_orm::DatabaseConnection, principal: Principal) -> Self {
        let (loaders, batches) = loaders::for_workspace(db, principal.workspace_id);
        Self {
            principal,
            loaders,
            batches,
        }
    }
}

/// Executes a request as `caller` (or anonymously), running its loaders' batches in the
/// request's task.
pub async fn execute<Q, M, S>(
    schema: &async_graphql::Schema<Q, M, S>,
    request: async_graphql::Request,
    caller: Option<Caller>,
) -> async_graphql::Response
where
    Q: async_graphql::ObjectType + 'static,
    M: async_graphql::ObjectType + 'static,
    S: async_graphql::SubscriptionType + 'static,
{
    match caller {
        Some(caller) => {
            let batches = caller.batches.clone();
            batching::drive(schema.execute(request.data(caller)), batches).await
        }
        None => schema.execute(request).await,
    }
}

/// Executes a subscription (or any operation sent over a WebSocket) as `caller`, each
/// event's resolution running its loaders' batches in the stream's task.
pub fn execute_stream(
    schema: &super::LeadgateSchema,
    request: async_graphql::Request,
    caller: Caller,
    session: std::sync::Arc<async_graphql::Data>,
) -> impl futures::Stream<Item = async_graphql::Response> + Send + use<> {
    let batches = caller.batches.clone();
    batching::drive_stream(
        schema.execute_stream_with_session_data(request.data(caller), session),
        batches,
    )
}

/// The caller, or UNAUTHENTICATED.
pub fn caller<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c Caller> {
    ctx.data_opt::<Caller>()
        .ok_or_else(|| to_graphql(&Error::Unauthenticated))
}

pub fn loaders<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c Loaders> {
    Ok(&caller(ctx)?.loaders)
}
