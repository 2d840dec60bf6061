//! Dry runs' answers for the REST face. A dry run's lead is not stored, so REST cannot
//! read it back by id as it reads a real create's; instead it selects the same documented
//! keys on `CreateLeadPayload`, the very type GraphQL's dry run answers with, through this
//! small internal schema whose one root field hands back the request's previews. Every key
//! is therefore resolved by the code that resolves it everywhere else (nothing restated).
//! The schema is never served or printed: it is built once per process and only runs the
//! REST face's own fixed queries.

use async_graphql::{Context, EmptyMutation, EmptySubscription, Object, Schema};
use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::domain::leads::Written;

use super::types::payload::CreateLeadPayload;

/// The internal schema of dry-run answers.
pub type PreviewSchema = Schema<PreviewRoot, EmptyMutation, EmptySubscription>;

/// What a dry run answered, in input order: the request data `payload(index)` reads.
pub struct Previews(pub Vec<Written>);

pub struct PreviewRoot;

#[Object]
impl PreviewRoot {
    /// The dry run's answer for input `index`.
    async fn payload(&self, ctx: &Context<'_>, index: usize) -> Option<CreateLeadPayload> {
        let previews = ctx.data_opt::<Previews>()?;
        previews.0.get(index).cloned().map(CreateLeadPayload)
    }
}

/// Built like the served schema (the same data and extension: parse memo, input checks,
/// field order), without the client-facing limits: it only runs the REST face's own queries.
pub fn schema(db: DatabaseConnection, config: &Config) -> PreviewSchema {
    Schema::build(PreviewRoot, EmptyMutation, EmptySubscription)
        .data(db)
        .data(config.clone())
        .extension(super::gate::Gate {
            limits: None,
            refuse_introspection: None,
        })
        .finish()
}
