//! The one classifier of storage faults: which failures of the database are worth
//! retrying inside the server (a conflict with a concurrent write), which mean the
//! database cannot be reached right now (answered `SERVICE_UNAVAILABLE`, so the client
//! retries later), and which are bugs or refusals (answered `INTERNAL`).
//!
//! `crate::error::Error`'s `From<DbErr>` asks this module, so every `?` on a storage call
//! lands in the right variant; `crate::domain::retry` retries the conflicts.

use sea_orm::{DbErr, RuntimeErr, sqlx};

/// What a storage error means for the request that met it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The transaction lost a race with a concurrent one and was rolled back: PostgreSQL's
    /// serialization failure (40001) or deadlock (40P01), SQLite's busy or locked. Running
    /// the whole transaction again is safe and usually succeeds.
    Conflict,
    /// The database could not be reached in time: no pooled connection within the acquire
    /// timeout, a connection refused, reset or closed, or a server shutting down or still
    /// starting. Service resumes when the database is back.
    Unavailable,
    /// Anything else: a statement the database refused, a decoding error, a bug.
    Other,
}

/// PostgreSQL SQLSTATEs that are conflicts with concurrent transactions.
const PG_CONFLICTS: [&str; 2] = ["40001", "40P01"];

/// PostgreSQL SQLSTATE classes and codes that mean the server is going away or not
/// there yet: connection exceptions (08), operator intervention (57P01 admin shutdown,
/// 57P02 crash shutdown, 57P03 cannot connect now), and too many connections (53300).
fn pg_unavailable(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

/// SQLite's primary result codes for a lock held by another connection: SQLITE_BUSY (5)
/// and SQLITE_LOCKED (6); sqlx reports extended codes, whose low byte is the primary.
fn sqlite_busy(code: &str) -> bool {
    code.parse::<i32>()
        .is_ok_and(|code| matches!(code & 0xff, 5 | 6))
}

/// Classifies a storage error.
pub fn classify(err: &DbErr) -> Fault {
    match err {
        DbErr::ConnectionAcquire(_) => Fault::Unavailable,
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => {
            classify_runtime(runtime)
        }
        _ => Fault::Other,
    }
}

fn classify_runtime(err: &RuntimeErr) -> Fault {
    let RuntimeErr::SqlxError(sqlx_err) = err else {
        return Fault::Other;
    };
    match sqlx_err.as_ref() {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => Fault::Unavailable,
        // A connection cut mid-message reads as a protocol error.
        sqlx::Error::Protocol(_) => Fault::Unavailable,
        sqlx::Error::Database(db) => {
            let Some(code) = db.code() else {
                return Fault::Other;
            };
            if db
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some()
            {
                if PG_CONFLICTS.contains(&code.as_ref()) {
                    Fault::Conflict
                } else if pg_unavailable(&code) {
                    Fault::Unavailable
                } else {
                    Fault::Other
                }
            } else if sqlite_busy(&code) {
                Fault::Conflict
            } else {
                Fault::Other
            }
        }
        _ => Fault::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_busy_and_locked_with_their_extended_codes() {
        for code in ["5", "6", "261", "517", "262"] {
            assert!(sqlite_busy(code), "{code}");
        }
        for code in ["1", "19", "2067", "x"] {
            assert!(!sqlite_busy(code), "{code}");
        }
    }

    #[test]
    fn pool_exhaustion_is_unavailable_and_orm_errors_are_not() {
        use sea_orm::ConnAcquireErr;
        assert_eq!(
            classify(&DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)),
            Fault::Unavailable
        );
        assert_eq!(classify(&DbErr::RecordNotInserted), Fault::Other);
        assert!(pg_unavailable("08006") && pg_unavailable("57P01"));
        assert!(!pg_unavailable("23505"));
    }
}
