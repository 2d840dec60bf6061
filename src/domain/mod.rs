//! The domain: what leadgate does, with no knowledge of GraphQL or HTTP. The GraphQL
//! resolvers and the REST endpoint are thin adapters over these calls.

pub mod actions;
pub mod analytics;
pub mod auth;
pub mod bounds;
pub mod checklist;
pub mod clock;
pub mod demo;
pub mod documents;
pub mod email;
pub mod entries;
pub mod events;
pub mod idempotency;
pub mod lead_input;
pub mod leads;
pub mod matching;
pub mod phone;
pub mod phone_zones;
pub mod retry;
pub mod sql;
pub mod status;
pub mod tags;
pub mod text;
pub mod timeline;
pub mod timezone;
pub mod webhooks;
pub mod workspaces;
pub mod writers;

use sea_orm::{SqliteTransactionMode, TransactionOptions};

/// Write transactions take SQLite's write lock up front (`BEGIN IMMEDIATE`): a deferred
/// transaction that reads first and writes later fails with SQLITE_BUSY instead of waiting
/// when another writer got in between. PostgreSQL ignores the setting.
pub fn transaction_options() -> TransactionOptions {
    TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    }
}
