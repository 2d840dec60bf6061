//! The dispatcher's database side: fanning the outbox out to endpoints, claiming due
//! deliveries, and recording what an attempt did. Every replica runs it; they coordinate
//! only through rows:
//!
//! - **Fan-out.** An endpoint's `cursor_seq` is the last event of its workspace turned
//!   into its deliveries. A dispatcher locks endpoints behind their workspace's latest
//!   event (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so each endpoint is fanned out by one
//!   replica at a time), inserts a delivery per matching event after the cursor, and
//!   moves the cursor, in one transaction. Within a workspace `seq` follows commit order
//!   (see `events::record`), so a cursor never passes an event still to commit.
//! - **Claim.** Due PENDING deliveries whose endpoint is enabled and that have no earlier
//!   PENDING delivery on the same endpoint (per-endpoint order), locked with `FOR UPDATE
//!   SKIP LOCKED` on PostgreSQL, get a lease (`lease_until`) and are committed before any
//!   POST: no other replica takes them while the lease runs. A replica that dies
//!   mid-delivery leaves its lease to run out; another takes the delivery again. SQLite
//!   is one process, whose write lock serialises claims.
//! - **Record.** One transaction per attempt: the attempt row, the delivery's new state
//!   (DELIVERED, PENDING again at its next time, or FAILED), the endpoint's failure count
//!   (disabling it past `disable_after`).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Statement, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::domain::clock;
use crate::entities::{outbox_event, webhook_attempt, webhook_delivery, webhook_endpoint};
use crate::error::Result;

use super::{Settings, endpoints};

pub const PENDING: &str = "PENDING";
pub const DELIVERED: &str = "DELIVERED";
pub const FAILED: &str = "FAILED";

/// Endpoints fanned out per transaction, and events per endpoint.
const FAN_OUT_ENDPOINTS: u64 = 20;
const FAN_OUT_EVENTS: u64 = 500;
/// Deliveries claimed at once.
const CLAIM_BATCH: i64 = 16;

/// `sql` with PostgreSQL's `$n` placeholders, as the backend writes them.
fn statement(backend: DbBackend, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => sql.replace('$', "?"),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Fans new events out to endpoints; answers how many deliveries it made.
pub async fn fan_out(db: &DatabaseConnection) -> Result<usize> {
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    let behind = sea_orm::sea_query::Expr::cust(
        "webhook_endpoints.cursor_seq < (SELECT COALESCE(MAX(o.seq), 0) FROM outbox_events o \
         WHERE o.workspace_id = webhook_endpoints.workspace_id)",
    );
    let endpoints = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .filter(behind)
        .order_by_asc(webhook_endpoint::Column::Id)
        .limit(FAN_OUT_ENDPOINTS)
        .lock_with_behavior(
            sea_orm::sea_query::LockType::Update,
            sea_orm::sea_query::LockBehavior::SkipLocked,
        )
        .all(&txn)
        .await?;
    let now = clock::now();
    let mut made = 0;
    for endpoint in endpoints {
        let events = outbox_event::Entity::find()
            .select_only()
            .columns([
                outbox_event::Column::Seq,
                outbox_event::Column::Id,
                outbox_event::Column::Type,
            ])
            .filter(outbox_event::Column::WorkspaceId.eq(endpoint.workspace_id))
            .filter(outbox_event::Column::Seq.gt(endpoint.cursor_seq))
            .order_by_asc(outbox_event::Column::Seq)
            .limit(FAN_OUT_EVENTS)
            .into_tuple::<(i64, Uuid, String)>()
            .all(&txn)
            .await?;
        let Some(&(last, _, _)) = events.last() else {
            continue;
        };
        let wanted = endpoints::event_types(&endpoint);
        let rows: Vec<webhook_delivery::ActiveModel> = events
            .iter()
            .filter(|(_, _, kind)| wanted.contains(kind))
            .map(|&(seq, event_id, _)| {
                webhook_delivery::ActiveModel::from(webhook_delivery::Model {
                    id: Uuid::now_v7(),
                    endpoint_id: endpoint.id,
                    event_id,
                    event_seq: seq,
                    workspace_id: endpoint.workspace_id,
                    status: PENDING.into(),
                    attempts: 0,
                    next_attempt_at: now,
                    lease_until: None,
                    last_status_code: None,
                    last_error: None,
                    created_at: now,
                    updated_at: now,
                    delivered_at: None,
                })
            })
            .collect();
        made += rows.len();
        if !rows.is_empty() {
            webhook_delivery::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([
                        webhook_delivery::Column::EndpointId,
                        webhook_delivery::Column::EventId,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        webhook_endpoint::Entity::update_many()
            .col_expr(
                webhook_endpoint::Column::CursorSeq,
                sea_orm::sea_query::Expr::value(last),
            )
            .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(made)
}

/// A claimed delivery with what its POST needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: webhook_delivery::Model,
    pub endpoint: webhook_endpoint::Model,
    pub event: outbox_event::Model,
}

#[derive(Debug, FromQueryResult)]
struct ClaimedId {
    id: Uuid,
}

/// Claims due deliveries (at most one per endpoint: the earliest it has pending) under a
/// lease of `lease`, committed before they are sent.
pub async fn claim(db: &DatabaseConnection, lease: std::time::Duration) -> Result<Vec<Claimed>> {
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    let backend = txn.get_database_backend();
    let now = clock::now();
    let lock = if backend == DbBackend::Postgres {
        " FOR UPDATE OF d SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE d.status = $1 AND d.next_attempt_at <= $2 AND (d.lease_until IS NULL OR d.lease_until < $2) \
         AND e.enabled = $3 \
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id \
                         AND p.status = $1 AND p.event_seq < d.event_seq) \
         ORDER BY d.event_seq LIMIT $4{lock}"
    );
    let ids: Vec<Uuid> = ClaimedId::find_by_statement(statement(
        backend,
        &sql,
        vec![PENDING.into(), now.into(), true.into(), CLAIM_BATCH.into()],
    ))
    .all(&txn)
    .await?
    .into_iter()
    .map(|c| c.id)
    .collect();
    if ids.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30));
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::LeaseUntil,
            sea_orm::sea_query::Expr::value(until),
        )
        .filter(webhook_delivery::Column::Id.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    let deliveries = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Id.is_in(ids))
        .order_by_asc(webhook_delivery::Column::EventSeq)
        .all(&txn)
        .await?;
    let endpoint_ids: Vec<Uuid> = deliveries.iter().map(|d| d.endpoint_id).collect();
    let event_ids: Vec<Uuid> = deliveries.iter().map(|d| d.event_id).collect();
    let endpoints = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Id.is_in(endpoint_ids))
        .all(&txn)
        .await?;
    let events = outbox_event::Entity::find()
        .filter(outbox_event::Column::Id.is_in(event_ids))
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(deliveries
        .into_iter()
        .filter_map(|delivery| {
            let endpoint = endpoints
                .iter()
                .find(|e| e.id == delivery.endpoint_id)?
                .clone();
            let event = events.iter().find(|e| e.id == delivery.event_id)?.clone();
            Some(Claimed {
                delivery,
                endpoint,
                event,
            })
        })
        .collect())
}

/// What one POST did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub started_at: DateTime<Utc>,
    pub duration_ms: i64,
    pub status_code: Option<u16>,
    pub error: Option<String>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.error.is_none() && self.status_code.is_some_and(|c| (200..300).contains(&c))
    }
}

/// Records an attempt and moves the delivery (and its endpoint's failure count) on.
pub async fn record(
    db: &DatabaseConnection,
    settings: &Settings,
    claimed: &Claimed,
    outcome: &Outcome,
) -> Result<()> {
    let (_turn, txn) = crate::domain::writers::begin(db).await?;
    let now = clock::now();
    let delivery = &claimed.delivery;
    let attempts = delivery.attempts + 1;
    webhook_attempt::Entity::insert(webhook_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(delivery.id),
        number: Set(attempts),
        started_at: Set(outcome.started_at),
        duration_ms: Set(outcome.duration_ms),
        status_code: Set(outcome.status_code.map(i32::from)),
        error: Set(outcome.error.clone()),
    })
    .exec_without_returning(&txn)
    .await?;
    let mut row = webhook_delivery::ActiveModel {
        id: Set(delivery.id),
        attempts: Set(attempts),
        lease_until: Set(None),
        last_status_code: Set(outcome.status_code.map(i32::from)),
        last_error: Set(outcome.error.clone()),
        updated_at: Set(now),
        ..Default::default()
    };
    let endpoint_id = claimed.endpoint.id;
    if outcome.succeeded() {
        row.status = Set(DELIVERED.into());
        row.delivered_at = Set(Some(now));
        webhook_delivery::Entity::update(row).exec(&txn).await?;
        webhook_endpoint::Entity::update_many()
            .col_expr(
                webhook_endpoint::Column::ConsecutiveFailures,
                sea_orm::sea_query::Expr::value(0),
            )
            .filter(webhook_endpoint::Column::Id.eq(endpoint_id))
            .filter(webhook_endpoint::Column::ConsecutiveFailures.ne(0))
            .exec(&txn)
            .await?;
    } else if attempts as u32 >= settings.max_attempts {
        row.status = Set(FAILED.into());
        webhook_delivery::Entity::update(row).exec(&txn).await?;
        let endpoint = webhook_endpoint::Entity::find_by_id(endpoint_id)
            .lock_exclusive()
            .one(&txn)
            .await?;
        if let Some(endpoint) = endpoint {
            let failures = endpoint.consecutive_failures + 1;
            let disable = endpoint.enabled && failures as u32 >= settings.disable_after;
            let mut update = webhook_endpoint::ActiveModel {
                id: Set(endpoint_id),
                consecutive_failures: Set(failures),
                updated_at: Set(now),
                ..Default::default()
            };
            if disable {
                let reason = format!(
                    "disabled after {failures} failed deliveries in a row; the last: {}",
                    describe(outcome)
                );
                tracing::warn!(endpoint_id = %endpoint_id, "{reason}");
                update.enabled = Set(false);
                update.disabled_reason = Set(Some(reason));
            }
            webhook_endpoint::Entity::update(update).exec(&txn).await?;
        }
    } else {
        row.next_attempt_at = Set(now + backoff(settings, attempts as u32));
        webhook_delivery::Entity::update(row).exec(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The wait after the `attempts`-th failed attempt: `retry_base`, then doubling.
pub fn backoff(settings: &Settings, attempts: u32) -> chrono::Duration {
    let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(20));
    chrono::Duration::from_std(settings.retry_base.saturating_mul(factor))
        .unwrap_or(chrono::Duration::days(1))
}

/// An attempt's result in words (for the disable reason).
pub fn describe(outcome: &Outcome) -> String {
    match (&outcome.error, outcome.status_code) {
        (Some(error), _) => error.clone(),
        (None, Some(code)) => format!("HTTP {code}"),
        (None, None) => "no answer".into(),
    }
}

/// Prunes events older than `retention` that every enabled endpoint has fanned out and
/// none still has PENDING (their deliveries and attempts go with them); answers how many.
pub async fn prune(db: &DatabaseConnection, retention: std::time::Duration) -> Result<u64> {
    let backend = db.get_database_backend();
    let cutoff =
        clock::now() - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::days(7));
    let sql = "DELETE FROM outbox_events WHERE occurred_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = outbox_events.id AND d.status = $2) \
         AND NOT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.workspace_id = outbox_events.workspace_id \
                         AND e.enabled = $3 AND e.cursor_seq < outbox_events.seq)";
    let done = db
        .execute_raw(statement(
            backend,
            sql,
            vec![cutoff.into(), PENDING.into(), true.into()],
        ))
        .await?;
    Ok(done.rows_affected())
}
