//! The GraphQL adapter: schema, resolvers and loaders over the domain.

pub mod batching;
pub mod context;
pub mod enums;
pub mod errors;
pub mod limits;
pub mod loaders;
pub mod mutation;
pub mod persisted_queries;
pub mod query;
pub mod scalars;
pub mod types;

use async_graphql::{EmptySubscription, SDLExportOptions, Schema};
use sea_orm::DatabaseConnection;

use crate::config::Config;

pub type LeadgateSchema = Schema<query::Query, mutation::Mutation, EmptySubscription>;

/// Builds the schema with the server's limits; `db` and `config` are shared by all
/// requests, the caller and loaders are added per request.
pub fn schema(db: DatabaseConnection, config: &Config) -> LeadgateSchema {
    let mut builder = Schema::build(
        query::Query,
        mutation::Mutation::default(),
        EmptySubscription,
    )
    .data(db)
    .data(config.clone())
    .limit_depth(config.max_depth)
    .limit_complexity(config.max_complexity)
    .extension(limits::RootFieldLimit(config.max_root_fields));
    if !config.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The SDL, stable across builds (sorted), as `leadgate schema` prints it.
pub fn sdl() -> String {
    Schema::build(
        query::Query,
        mutation::Mutation::default(),
        EmptySubscription,
    )
    .finish()
    .sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}
