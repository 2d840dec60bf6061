//! Following a workspace's events as they commit, for subscribers (GraphQL `leadEvents`).
//! A follower remembers one number, the `seq` of the last event it handed out, and reads
//! the outbox after it, in `seq` order: within a workspace `seq` follows commit order
//! (see `record`), so nothing committed later is ever skipped, whichever replica wrote
//! it. Wake-ups (`wake`) only say "read again"; a poll covers a lost one. Nothing is kept
//! per replica but the follower itself: a client that reconnects resumes from the id of
//! the last event it saw, on any replica.

use std::{collections::VecDeque, time::Duration};

use futures::Stream;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::watch;
use uuid::Uuid;

use crate::entities::outbox_event;
use crate::error::Result;

use super::{EventType, wake::Wake};

/// Events read per statement; a full page is followed by the next at once.
const PAGE: u64 = 100;

/// How long a follower waits for a wake-up before it reads anyway: a lost notification
/// (the LISTEN connection down) delays an event by at most this.
pub const POLL: Duration = Duration::from_secs(5);

/// On SQLite, reads again this soon after a wake-up: the writer wakes waiters just before
/// it commits, so the first read can come too early. (PostgreSQL delivers NOTIFY after
/// the commit: one read is enough.)
const RECHECKS: [Duration; 3] = [
    Duration::from_millis(10),
    Duration::from_millis(50),
    Duration::from_millis(250),
];

/// The `seq` of the workspace's event `id`; `None` when there is none (unknown, of another
/// workspace, erased with its lead or pruned after the retention period).
pub async fn position_of(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    id: Uuid,
) -> Result<Option<i64>> {
    Ok(outbox_event::Entity::find()
        .select_only()
        .column(outbox_event::Column::Seq)
        .filter(outbox_event::Column::WorkspaceId.eq(workspace_id))
        .filter(outbox_event::Column::Id.eq(id))
        .into_tuple::<i64>()
        .one(db)
        .await?)
}

/// The `seq` of the workspace's latest committed event (0 when it has none): a new
/// follower starts here, with what commits from now on.
pub async fn latest(db: &DatabaseConnection, workspace_id: Uuid) -> Result<i64> {
    let seq: Option<Option<i64>> = outbox_event::Entity::find()
        .select_only()
        .column_as(outbox_event::Column::Seq.max(), "seq")
        .filter(outbox_event::Column::WorkspaceId.eq(workspace_id))
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?;
    Ok(seq.flatten().unwrap_or(0))
}

/// The workspace's events after `seq`, of `types` (all when empty), oldest first.
pub async fn after(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    seq: i64,
    types: &[EventType],
    limit: u64,
) -> Result<Vec<outbox_event::Model>> {
    let mut query = outbox_event::Entity::find()
        .filter(outbox_event::Column::WorkspaceId.eq(workspace_id))
        .filter(outbox_event::Column::Seq.gt(seq));
    if !types.is_empty() {
        query = query.filter(outbox_event::Column::Type.is_in(types.iter().map(|t| t.as_str())));
    }
    Ok(query
        .order_by_asc(outbox_event::Column::Seq)
        .limit(limit)
        .all(db)
        .await?)
}

/// The workspace's events after `seq`, of `types` (all when empty), as they commit, for
/// as long as the stream is polled. A failed read is logged and tried again at the poll
/// interval (a database outage pauses the stream, it does not end it).
pub fn follow(
    db: DatabaseConnection,
    wake: &Wake,
    workspace_id: Uuid,
    seq: i64,
    types: Vec<EventType>,
) -> impl Stream<Item = outbox_event::Model> + Send + use<> {
    // Subscribed before the first read, so a commit between that read and the wait wakes it.
    let follower = Follower {
        woken: wake.subscribe(),
        recheck: db.get_database_backend() != DbBackend::Postgres,
        db,
        workspace_id,
        seq,
        types,
        ready: VecDeque::new(),
        caught_up: false,
        rechecks: RECHECKS.len(),
    };
    futures::stream::unfold(follower, |mut follower| async move {
        let event = follower.next().await;
        Some((event, follower))
    })
}

struct Follower {
    db: DatabaseConnection,
    /// Whether a wake-up is followed by `RECHECKS` (SQLite).
    recheck: bool,
    woken: watch::Receiver<u64>,
    workspace_id: Uuid,
    seq: i64,
    types: Vec<EventType>,
    ready: VecDeque<outbox_event::Model>,
    /// Whether the last read found everything committed then (wait before the next).
    caught_up: bool,
    /// How many of `RECHECKS` are done since the last wake-up.
    rechecks: usize,
}

impl Follower {
    async fn next(&mut self) -> outbox_event::Model {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return event;
            }
            if self.caught_up {
                self.wait().await;
            }
            match after(&self.db, self.workspace_id, self.seq, &self.types, PAGE).await {
                Ok(events) => {
                    // A full page may have more behind it: read on before waiting.
                    self.caught_up = (events.len() as u64) < PAGE;
                    if let Some(last) = events.last() {
                        self.seq = last.seq;
                    }
                    self.ready.extend(events);
                }
                Err(err) => {
                    tracing::warn!(error = %crate::diagnostics::Diagnostic::of(&err), "reading events for a subscription failed; retrying");
                    tokio::time::sleep(POLL).await;
                    self.caught_up = false;
                }
            }
        }
    }

    fn woken_up(&mut self) {
        self.rechecks = if self.recheck { 0 } else { RECHECKS.len() };
    }

    /// Waits for a reason to read again: a recheck after a recent wake-up, a wake-up, or
    /// the poll interval.
    async fn wait(&mut self) {
        if let Some(delay) = RECHECKS.get(self.rechecks) {
            self.rechecks += 1;
            tokio::select! {
                () = tokio::time::sleep(*delay) => {}
                changed = self.woken.changed() => if changed.is_ok() { self.woken_up() },
            }
            return;
        }
        match tokio::time::timeout(POLL, self.woken.changed()).await {
            Ok(Ok(())) => self.woken_up(),
            // The sender is gone (it lives as long as the Wake): poll only.
            Ok(Err(_)) => tokio::time::sleep(POLL).await,
            Err(_) => {}
        }
    }
}
