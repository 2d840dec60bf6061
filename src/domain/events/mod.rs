//! Events: what a committed write tells the world. Every write that makes one calls
//! `record` inside its own transaction, so an event exists exactly when its write
//! committed (the transactional outbox). Webhook delivery (`webhooks`) and GraphQL
//! subscriptions read the outbox by `seq`, never the writes themselves.

pub mod feed;
pub mod payloads;
pub mod wake;

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value as DbValue};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::clock;
use crate::error::Result;

pub use payloads::*;

/// The kinds of event, as named on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    LeadCreated,
    LeadUpdated,
    LeadCompleted,
    ActionLogCompleted,
    ActionLogFailed,
    DocumentReceived,
}

impl EventType {
    pub const ALL: [EventType; 6] = [
        EventType::LeadCreated,
        EventType::LeadUpdated,
        EventType::LeadCompleted,
        EventType::ActionLogCompleted,
        EventType::ActionLogFailed,
        EventType::DocumentReceived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::LeadCreated => "lead.created",
            EventType::LeadUpdated => "lead.updated",
            EventType::LeadCompleted => "lead.completed",
            EventType::ActionLogCompleted => "action_log.completed",
            EventType::ActionLogFailed => "action_log.failed",
            EventType::DocumentReceived => "document.received",
        }
    }

    pub fn parse(name: &str) -> Option<EventType> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// An event a write is about to commit.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: EventType,
    pub workspace_id: Uuid,
    /// The lead it is about (events go with their lead when it is erased).
    pub lead_id: Option<Uuid>,
    /// The documented `data` object.
    pub data: Value,
}

/// The PostgreSQL channel `record` notifies (payload: the workspace id) on commit.
pub const CHANNEL: &str = "leadgate_events";

/// Inserts `events` into the outbox within the caller's transaction, in one statement
/// (none for no events). Call it as the transaction's last statement before commit: on
/// PostgreSQL it takes the workspace's advisory transaction lock, so that within a
/// workspace `seq` follows commit order (a reader resuming after a `seq` never misses
/// one committed later with a smaller number), and holding it briefly keeps writers of
/// one workspace from queueing for long. It also notifies `CHANNEL`, which PostgreSQL
/// delivers at commit (and drops on rollback). On SQLite writes are serialised anyway;
/// in-process waiters are woken (`wake`).
pub async fn record(txn: &impl ConnectionTrait, events: Vec<Event>) -> Result<()> {
    let Some(first) = events.first() else {
        return Ok(());
    };
    let workspace_id = first.workspace_id;
    let now = clock::now();
    let backend = txn.get_database_backend();
    let mut values: Vec<DbValue> = Vec::new();
    let mut rows = Vec::new();
    let postgres = backend == DbBackend::Postgres;
    if postgres {
        values.push(lock_key(workspace_id).into());
        values.push(workspace_id.to_string().into());
    }
    for event in &events {
        let n = values.len();
        let body = json!({ "event": event.kind.as_str(), "data": event.data });
        values.extend([
            Uuid::now_v7().into(),
            event.workspace_id.into(),
            event.lead_id.into(),
            event.kind.as_str().into(),
            now.into(),
            body.into(),
        ]);
        rows.push(if postgres {
            format!(
                "(${}::uuid, ${}::uuid, ${}::uuid, ${}, ${}::timestamptz, ${}::jsonb)",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5,
                n + 6
            )
        } else {
            "(?, ?, ?, ?, ?, ?)".to_owned()
        });
    }
    let columns = "id, workspace_id, lead_id, type, occurred_at, body";
    let sql = if postgres {
        format!(
            "INSERT INTO outbox_events ({columns}) SELECT v.id, v.workspace_id, v.lead_id, v.type, v.occurred_at, v.body \
             FROM (SELECT pg_advisory_xact_lock($1), pg_notify('{CHANNEL}', $2)) AS l \
             CROSS JOIN (VALUES {}) AS v({columns})",
            rows.join(", ")
        )
    } else {
        format!(
            "INSERT INTO outbox_events ({columns}) VALUES {}",
            rows.join(", ")
        )
    };
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    if !postgres {
        wake::notify();
    }
    Ok(())
}

/// The advisory lock a workspace's event writers serialise on: the workspace id folded
/// to 64 bits, in a namespace of its own (the high bit set; the migration lock is not).
fn lock_key(workspace_id: Uuid) -> i64 {
    let (high, low) = workspace_id.as_u64_pair();
    ((high ^ low) | (1 << 63)) as i64
}
