//! leadgate's integration tests: one binary, every test through the real HTTP router,
//! each on SQLite and on PostgreSQL with a database of its own.

#[macro_use]
mod harness;

mod action_entries;
mod analytics;
mod auth;
mod batch_create;
mod bounded_inputs;
mod checklist_values;
mod cli;
mod concurrency;
mod config;
mod cors;
mod cost;
mod create_lead;
mod documents;
mod duplicates;
mod erasure;
mod errors;
mod events_outbox;
mod faults;
mod field_order;
mod graphiql;
mod http;
mod idempotency;
mod import;
mod input_bounds;
mod limits;
mod listing;
mod lock_order;
mod logs;
mod matching;
mod media_types;
mod metrics;
mod openapi;
mod persisted_queries;
mod phone_timezones;
mod properties;
mod proxy;
mod rate_limits;
mod reads;
mod replicas;
mod request_ids;
mod rest;
mod rest_errors;
mod rest_routes;
mod server;
mod shutdown;
mod status_rules;
mod timeline;
mod update_lead;
mod validation;
mod webhook_replicas;
mod webhook_retention;
mod webhooks;
