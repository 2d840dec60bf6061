//! Beginning a write transaction, and on SQLite waiting for one's turn first, in order.
//!
//! SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps
//! and retries (1, 2, 5, ... up to 100 ms between tries) with no queue. A writer that has
//! waited a while sleeps longest and keeps losing to newcomers, so under concurrent
//! creates the slowest one waited 15 to 30 times the median (README "Performance"). So
//! on SQLite the writers of this process queue for the write lock on a fair (first come,
//! first served) semaphore before `BEGIN IMMEDIATE`, and each gets it as soon as the one
//! before it commits. The busy handler still guards against writers of other processes
//! on the same file (the CLI's import beside a server, say), which do not see this queue.
//!
//! The queue is per process and per database file, held only while one transaction
//! runs; it is not state a replica needs to share: PostgreSQL, the store that replicas
//! share, has no such queue (its row locks order writers). A turn is waited for at most
//! the pool's acquire timeout, then refused as the pool refuses a connection it cannot
//! hand out (SERVICE_UNAVAILABLE, retry later).

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Arc, LazyLock, Mutex},
};

use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    TransactionTrait,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::transaction_options;
use crate::error::Result;

/// A store mutations run on: the pool, or a transaction already begun (whose writer
/// already has its turn).
pub trait Store: ConnectionTrait + TransactionTrait + Sync {
    /// Waits for this writer's turn (SQLite only; `None` elsewhere).
    fn turn(&self) -> impl Future<Output = Result<Option<OwnedSemaphorePermit>>> + Send;
}

impl Store for DatabaseConnection {
    async fn turn(&self) -> Result<Option<OwnedSemaphorePermit>> {
        if self.get_database_backend() != DbBackend::Sqlite {
            return Ok(None);
        }
        let pool = self.get_sqlite_connection_pool();
        let queue = queue_of(pool.connect_options().get_filename().to_path_buf());
        match tokio::time::timeout(pool.options().get_acquire_timeout(), queue.acquire_owned())
            .await
        {
            Ok(Ok(permit)) => Ok(Some(permit)),
            // Never closed; and a turn not had in time is a busy pool.
            _ => Err(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout).into()),
        }
    }
}

impl Store for DatabaseTransaction {
    async fn turn(&self) -> Result<Option<OwnedSemaphorePermit>> {
        Ok(None)
    }
}

/// A writer's turn (SQLite), held until it is dropped.
#[must_use = "the turn ends when it is dropped"]
pub struct Turn(#[allow(dead_code)] Option<OwnedSemaphorePermit>);

/// Begins a write transaction (`BEGIN IMMEDIATE` on SQLite) after waiting for its turn:
/// `let (_turn, txn) = writers::begin(db).await?;`, in that order, so the transaction,
/// declared last, is dropped (rolled back) before the turn is.
pub async fn begin<C: Store>(db: &C) -> Result<(Turn, C::Transaction)> {
    let turn = Turn(db.turn().await?);
    let txn = db.begin_with_options(transaction_options()).await?;
    Ok((turn, txn))
}

/// The queue of one SQLite file. Entries stay for the life of the process: one per
/// database it opened (one in a server).
fn queue_of(file: PathBuf) -> Arc<Semaphore> {
    static QUEUES: LazyLock<Mutex<HashMap<PathBuf, Arc<Semaphore>>>> =
        LazyLock::new(Default::default);
    QUEUES
        .lock()
        .expect("writer queues")
        .entry(file)
        .or_insert_with(|| Arc::new(Semaphore::new(1)))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A fresh SQLite database in a temp folder (kept alive by the returned guard).
    async fn sqlite() -> (tempfile::TempDir, DatabaseConnection) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!(
            "sqlite:{}?mode=rwc",
            dir.path().join("writers.db").display()
        );
        let db = crate::db::connect(&url).await.expect("sqlite");
        (dir, db)
    }

    #[tokio::test]
    async fn sqlite_writers_take_turns_in_arrival_order() {
        let (_dir, db) = sqlite().await;
        let (first, txn) = begin(&db).await.expect("first writer");
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut writers = Vec::new();
        for name in ["second", "third"] {
            let (db, order) = (db.clone(), order.clone());
            writers.push(tokio::spawn(async move {
                let (_turn, txn) = begin(&db).await.expect("later writer");
                order.lock().unwrap().push(name);
                txn.commit().await.expect("commit");
            }));
            // Let it join the queue before the next one comes.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            order.lock().unwrap().is_empty(),
            "no one begins while the first holds its turn"
        );
        txn.commit().await.expect("first commit");
        drop(first);
        for writer in writers {
            writer.await.expect("writer task");
        }
        assert_eq!(*order.lock().unwrap(), ["second", "third"]);
    }

    #[tokio::test]
    async fn a_transaction_already_has_its_turn() {
        let (_dir, db) = sqlite().await;
        let (_turn, txn) = begin(&db).await.expect("writer");
        // A write begun inside it (a savepoint) does not queue behind itself.
        let (_inner, nested) = tokio::time::timeout(Duration::from_secs(2), begin(&txn))
            .await
            .expect("no wait")
            .expect("nested");
        nested.commit().await.expect("nested commit");
        txn.commit().await.expect("commit");
    }
}
