//! leadgate's integration tests: one binary, every test through the real HTTP router,
//! each on SQLite and on PostgreSQL with a database of its own.

#[macro_use]
mod harness;

mod auth;
mod bounded_inputs;
mod cli;
mod concurrency;
mod cors;
mod cost;
mod create_lead;
mod erasure;
mod errors;
mod field_order;
mod graphiql;
mod http;
mod limits;
mod listing;
mod logs;
mod matching;
mod metrics;
mod persisted_queries;
mod properties;
mod rate_limits;
mod reads;
mod request_ids;
mod rest;
mod rest_errors;
mod server;
mod timeline;
mod update_lead;
mod validation;
