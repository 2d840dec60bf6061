//! The GraphQL adapter: schema, resolvers and loaders over the domain.

pub mod batching;
pub mod bounded_lru;
pub mod context;
pub mod enums;
pub mod errors;
pub mod gate;
pub mod inputs;
pub mod introspection;
pub mod limits;
pub mod loaders;
pub mod mutation;
pub mod order;
pub mod parse_cache;
pub mod persisted_queries;
pub mod preview;
pub mod query;
pub mod scalars;
pub mod subscription;
pub mod types;
pub mod webhooks;

use async_graphql::{MergedObject, SDLExportOptions, Schema};
use sea_orm::DatabaseConnection;

use crate::config::Config;

pub type LeadgateSchema = Schema<QueryRoot, mutation::Mutation, subscription::Subscription>;

/// Every read entry point.
#[derive(MergedObject)]
#[graphql(name = "Query")]
pub struct QueryRoot(query::Query, webhooks::WebhookQueries);

fn query_root() -> QueryRoot {
    QueryRoot(query::Query, webhooks::WebhookQueries)
}

/// Builds the schema with the server's limits; `db` and `config` are shared by all
/// requests, the caller and loaders are added per request. This one answers callers with
/// a valid key: introspection (unless `--disable-introspection`) and "Did you mean"
/// suggestions are theirs only.
pub fn schema(db: DatabaseConnection, config: &Config) -> LeadgateSchema {
    build(db, config, Audience::Keyed)
}

/// The schema for requests without a valid key: no introspection and no suggestions, so
/// nothing about the schema is told to a stranger (every data field answers
/// UNAUTHENTICATED anyway). A second schema, built once at start, because async-graphql
/// turns suggestions off only for a whole schema.
pub fn anonymous_schema(db: DatabaseConnection, config: &Config) -> LeadgateSchema {
    build(db, config, Audience::Anonymous)
}

enum Audience {
    Keyed,
    Anonymous,
}

fn build(db: DatabaseConnection, config: &Config, audience: Audience) -> LeadgateSchema {
    let mut builder = Schema::build(
        query_root(),
        mutation::Mutation::default(),
        subscription::Subscription,
    )
    .data(db)
    .data(config.clone());
    let refuse_introspection = match audience {
        Audience::Keyed if config.introspection => None,
        Audience::Keyed => {
            builder = builder.disable_introspection();
            Some("introspection is turned off on this server")
        }
        Audience::Anonymous => {
            builder = builder.disable_introspection().disable_suggestions();
            Some("introspection needs a valid x-api-key header")
        }
    };
    // Limits, input checks, introspection refusal, the parse memo and the answer's field
    // order, in one extension (see `gate` for why one).
    builder
        .extension(gate::Gate {
            limits: Some(config.limits),
            refuse_introspection,
        })
        .finish()
}

/// The SDL, stable across builds (sorted), as `leadgate schema` prints it.
pub fn sdl() -> String {
    Schema::build(
        query_root(),
        mutation::Mutation::default(),
        subscription::Subscription,
    )
    .finish()
    .sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}
