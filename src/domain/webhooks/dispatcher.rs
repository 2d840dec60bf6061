//! The dispatcher task `serve` starts in every replica: fan out, claim, send, record,
//! prune; then wait for a wake-up (a commit's NOTIFY on PostgreSQL, the in-process signal
//! on SQLite) or the poll interval, whichever comes first.

use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;

use crate::domain::events::wake::Wake;

use super::{Settings, dispatch, send};

/// The least time from the start of one round to the start of the next when the next
/// was woken, not owed work. Under a stream of writes every commit's NOTIFY wakes the
/// dispatcher, and a round costs two transactions even with nothing to send (measured:
/// about one round per createLead, six statements against the create's nine); gathering
/// the wake-ups of 25 ms into one round bounds that at 40 rounds a second per replica,
/// for at most 25 ms more before a webhook goes out.
const MIN_WOKEN_GAP: Duration = Duration::from_millis(25);

/// How often delivered events are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// How long a claim holds a delivery: long enough to send and record it.
pub fn lease(settings: &Settings) -> Duration {
    settings.timeout * 3 + Duration::from_secs(1)
}

/// Runs until the process ends.
pub async fn run(db: DatabaseConnection, settings: Settings) {
    run_woken(db.clone(), settings, Wake::new(db)).await;
}

/// As [`run`], woken by `wake` (shared with subscriptions).
pub async fn run_woken(db: DatabaseConnection, settings: Settings, wake: Wake) {
    let mut woken = wake.subscribe();
    let mut pruned: Option<Instant> = None;
    loop {
        let started = Instant::now();
        let busy = match step(&db, &settings).await {
            Ok(done) => done > 0,
            Err(err) => {
                tracing::warn!(error = %crate::diagnostics::Diagnostic::of(&err), "webhook dispatch failed; retrying");
                false
            }
        };
        if pruned.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            match dispatch::prune(&db, settings.retention).await {
                Ok(n) if n > 0 => tracing::info!(events = n, "pruned delivered events"),
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(error = %crate::diagnostics::Diagnostic::of(&err), "pruning events failed")
                }
            }
            pruned = Some(Instant::now());
        }
        if !busy {
            let _ = tokio::time::timeout(settings.poll_interval, woken.changed()).await;
            tokio::time::sleep_until((started + MIN_WOKEN_GAP).into()).await;
        }
    }
}

/// One round: fan out, then send what is due; answers how much it did.
pub async fn step(db: &DatabaseConnection, settings: &Settings) -> crate::error::Result<usize> {
    let made = dispatch::fan_out(db).await?;
    let claimed = dispatch::claim(db, lease(settings)).await?;
    let sent = claimed.len();
    let results = futures::future::join_all(claimed.iter().map(|c| async move {
        let outcome = send::send(c, settings).await;
        dispatch::record(db, settings, c, &outcome).await
    }))
    .await;
    for result in results {
        result?;
    }
    Ok(made + sent)
}
