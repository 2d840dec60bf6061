//! The one retry wrapper around a mutation's transaction. A transaction that lost a race
//! with a concurrent one (`Error::Conflict`: PostgreSQL 40001/40P01, SQLite busy; see
//! `crate::faults`) was rolled back whole, so running it again from the start is safe.
//! It is retried a bounded number of times with a short, jittered back-off; past that the
//! client gets SERVICE_UNAVAILABLE (retry later), never INTERNAL.
//!
//! Only conflicts are retried here: an unreachable database is not (a commit whose answer
//! was lost may have landed; the client retries with its Idempotency-Key instead).

use std::{future::Future, time::Duration};

use crate::error::{Error, Result};

/// Attempts per mutation, the first included.
pub const MAX_ATTEMPTS: u32 = 6;

/// Runs `attempt` (one whole transaction) until it ends with anything but a conflict, at
/// most `MAX_ATTEMPTS` times.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(Error::Conflict(err)) if tries < MAX_ATTEMPTS => {
                let diagnostic = crate::diagnostics::Diagnostic::of_db(&err);
                tracing::debug!(
                    attempt = tries,
                    code = diagnostic.code.as_deref(),
                    "write conflicted; retrying"
                );
                tokio::time::sleep(backoff(tries)).await;
                tries += 1;
            }
            other => return other,
        }
    }
}

/// 5 ms, 10 ms, 20 ms, ... (capped at 200 ms), each plus up to as much again at random, so
/// the transactions that collided do not collide again in step.
fn backoff(tries: u32) -> Duration {
    let base = (5u64 << tries.min(6)).min(200);
    Duration::from_millis(base + rand::random_range(0..=base))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn conflict() -> Error {
        Error::Conflict(sea_orm::DbErr::Custom("deadlock".into()))
    }

    #[tokio::test]
    async fn retries_conflicts_then_gives_up() {
        let calls = AtomicU32::new(0);
        let outcome: Result<()> = retrying(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(conflict())
        })
        .await;
        assert!(matches!(outcome, Err(Error::Conflict(_))));
        assert_eq!(calls.load(Ordering::SeqCst), MAX_ATTEMPTS);

        let calls = AtomicU32::new(0);
        let outcome = retrying(|| async {
            if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                Err(conflict())
            } else {
                Ok(7)
            }
        })
        .await;
        assert_eq!(outcome.unwrap(), 7);
    }

    #[tokio::test]
    async fn other_errors_are_not_retried() {
        let calls = AtomicU32::new(0);
        let outcome: Result<()> = retrying(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Error::NotFound("lead"))
        })
        .await;
        assert!(matches!(outcome, Err(Error::NotFound(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
