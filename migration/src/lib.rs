//! leadgate's schema migrations. `leadgate migrate` (and `leadgate serve`) run them at
//! start; `cargo run -p migration -- status` inspects them by hand.
//!
//! Column types are chosen to be portable between SQLite and PostgreSQL: enums are
//! strings, JSON is `json_binary` (jsonb on PostgreSQL, text on SQLite), ids are UUIDs
//! (uuid on PostgreSQL, 16-byte blobs on SQLite) and timestamps are set from Rust.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_create_tables;
mod m20261202_020001_idempotency_keys;
mod m20261202_030001_action_log_io;
mod m20261202_030002_checklist_item_state;
mod m20261202_040001_api_key_last_used;
mod m20261202_050001_document_review;
mod m20261203_120001_outbox_events;
mod m20261203_120001_webhooks;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_tables::Migration),
            Box::new(m20261202_020001_idempotency_keys::Migration),
            Box::new(m20261202_030001_action_log_io::Migration),
            Box::new(m20261202_030002_checklist_item_state::Migration),
            Box::new(m20261202_040001_api_key_last_used::Migration),
            Box::new(m20261202_050001_document_review::Migration),
            Box::new(m20261203_120001_outbox_events::Migration),
            Box::new(m20261203_120001_webhooks::Migration),
        ]
    }
}
