//! Waking readers of the outbox (the dispatcher, subscriptions). On PostgreSQL a `Wake`
//! LISTENs on `events::CHANNEL` (started on first use, one connection per `Wake`), so
//! every replica hears every commit; on SQLite, the one process, `record` signals here.
//! A wake-up only says "look again": readers always read the outbox by `seq` and also
//! poll, so a lost wake-up delays an event, never loses it.

use std::sync::{Arc, OnceLock};

use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::watch;

/// The in-process signal (SQLite).
fn local() -> &'static watch::Sender<u64> {
    static CHANNEL: OnceLock<watch::Sender<u64>> = OnceLock::new();
    CHANNEL.get_or_init(|| watch::channel(0).0)
}

/// Wakes this process's waiters (SQLite writers call it just before they commit; the
/// waiters' poll covers the moment between that and the commit).
pub fn notify() {
    local().send_modify(|n| *n = n.wrapping_add(1));
}

/// Wake-ups for readers of one database.
#[derive(Clone)]
pub struct Wake {
    db: DatabaseConnection,
    listener: Arc<OnceLock<watch::Receiver<u64>>>,
}

impl std::fmt::Debug for Wake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Wake")
    }
}

impl Wake {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            listener: Arc::new(OnceLock::new()),
        }
    }

    /// A receiver that changes when an event may have been committed.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        if self.db.get_database_backend() != DbBackend::Postgres {
            return local().subscribe();
        }
        self.listener
            .get_or_init(|| {
                let (sender, receiver) = watch::channel(0);
                tokio::spawn(listen(self.db.clone(), sender));
                receiver
            })
            .clone()
    }
}

/// LISTENs until every receiver is gone, reconnecting after errors.
async fn listen(db: DatabaseConnection, sender: watch::Sender<u64>) {
    use sea_orm::sqlx::postgres::PgListener;
    let pool = db.get_postgres_connection_pool().clone();
    while !sender.is_closed() {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::debug!(error = %err, "LISTEN connection failed; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        if listener.listen(super::CHANNEL).await.is_err() {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            continue;
        }
        // A reconnect may have missed notifications: wake everyone once.
        sender.send_modify(|n| *n = n.wrapping_add(1));
        loop {
            tokio::select! {
                got = listener.recv() => match got {
                    Ok(_) => sender.send_modify(|n| *n = n.wrapping_add(1)),
                    Err(_) => break,
                },
                () = sender.closed() => return,
            }
        }
    }
}
