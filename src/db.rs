//! Opening the database: SQLite (embedded default) or PostgreSQL, picked by the URL.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend};

use crate::error::Result;

/// How leadgate holds its connections. Every wait here is bounded well below the request
/// timeout (30 s by default), so a request that cannot get at the database is answered
/// SERVICE_UNAVAILABLE in time instead of TIMEOUT, and never after its write committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Connections per process; default 20 on PostgreSQL, 8 on SQLite.
    pub max_connections: Option<u32>,
    /// Longest wait for a pooled connection (also the connect timeout). Default 5 s.
    pub acquire_timeout: Duration,
    /// How long a SQLite writer waits for the write lock before failing with "database
    /// is locked" (then retried, see `domain::retry`). Default 5 s.
    pub sqlite_busy_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: None,
            acquire_timeout: Duration::from_secs(5),
            sqlite_busy_timeout: Duration::from_secs(5),
        }
    }
}

/// Pooled connections idle for longer than this are pinged before use.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

/// Connects with the default pool settings.
pub async fn connect(url: &str) -> Result<DatabaseConnection> {
    connect_with(url, &PoolSettings::default()).await
}

/// Connects with settings fit for a server: WAL and a busy timeout on SQLite (one writer
/// at a time, readers never blocked), a bounded pool everywhere, SQL logged only at trace
/// level (statements carry PII in their parameters). Pooled connections that sat idle are
/// checked before use, so connections the network cut are replaced by themselves.
pub async fn connect_with(url: &str, settings: &PoolSettings) -> Result<DatabaseConnection> {
    let sqlite = url.starts_with("sqlite:");
    let mut options = ConnectOptions::new(url.to_owned());
    let busy_timeout = settings.sqlite_busy_timeout;
    options
        .max_connections(
            settings
                .max_connections
                .unwrap_or(if sqlite { 8 } else { 20 }),
        )
        .acquire_timeout(settings.acquire_timeout)
        .connect_timeout(settings.acquire_timeout)
        // A connection used within the last second is handed out as it is; one idle for
        // longer (the network, a proxy or the server may have cut it) is pinged first and
        // replaced if dead. Pinging at every checkout, as before, cost a round trip and a
        // wake-up of a PostgreSQL backend per statement, for connections that had just
        // answered (see README "Performance: profile findings").
        .test_before_acquire_if_idle_for(PING_IF_IDLE_FOR)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |opts| {
            opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(busy_timeout)
                .foreign_keys(true)
        });
    Ok(Database::connect(options).await?)
}

/// The PostgreSQL advisory lock migrations run under (any fixed number; "leadgate" in
/// ASCII), so replicas that start together migrate one at a time: the first migrates,
/// the others wait, then find nothing to do.
const MIGRATION_LOCK: i64 = 0x6c65_6164_6761_7465;

/// Runs pending migrations. On PostgreSQL under a session advisory lock held on one
/// connection of the pool; the lock goes with the session, so a replica that dies while
/// migrating never leaves it held. SQLite is one process's file (its own write lock
/// serialises writers).
pub async fn migrate(db: &DatabaseConnection) -> Result<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        Migrator::up(db, None).await?;
        return Ok(());
    }
    let pool = db.get_postgres_connection_pool();
    let mut lock = pool.acquire().await.map_err(sqlx_err)?;
    sea_orm::sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *lock)
        .await
        .map_err(sqlx_err)?;
    let outcome = Migrator::up(db, None).await;
    let unlocked = sea_orm::sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *lock)
        .await;
    outcome?;
    if unlocked.is_err() {
        // The session is gone, and its lock with it.
        drop(lock.detach());
    }
    Ok(())
}

fn sqlx_err(err: sea_orm::sqlx::Error) -> sea_orm::DbErr {
    sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(err)))
}
