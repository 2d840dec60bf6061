//! SeaORM entities, one file per table (see `migration/` for the DDL). Hand-written model
//! code lives in `crate::domain`; these files only describe rows.

pub mod action_log;
pub mod api_key;
pub mod checklist_group;
pub mod checklist_item;
pub mod document;
pub mod enums;
pub mod idempotency_key;
pub mod lead;
pub mod lead_checklist_item;
pub mod lead_tag;
pub mod message;
pub mod outbox_event;
pub mod tag;
pub mod tool;
pub mod webhook_attempt;
pub mod webhook_delivery;
pub mod webhook_endpoint;
pub mod workspace;
