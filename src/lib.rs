//! leadgate: a GraphQL gateway for lead intake. See README.md.
//!
//! The flow reads top-down: `http` (axum router) -> `graphql` resolvers or the REST
//! handler -> `domain` services -> `entities` (SeaORM) -> the database.

pub mod cli;
pub mod config;
pub mod config_file;
pub mod db;
pub mod diagnostics;
pub mod domain;
pub mod entities;
pub mod error;
pub mod faults;
pub mod graphql;
pub mod http;
pub mod import;
pub mod logging;
pub mod metrics;

pub use config::Config;
pub use http::{AppState, router};
