//! Liveness and readiness for orchestrators.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use axum::{extract::State, http::StatusCode};

use super::AppState;

/// `/readyz` answers within this, whatever the database does (a stalled connection or a
/// pool waiting out its acquire timeout answers 503 at this point).
const READY_CHECK_TIMEOUT: Duration = Duration::from_millis(1500);

/// Whether this process still takes traffic: false from the shutdown signal on, so a load
/// balancer stops sending requests while the in-flight ones finish.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    /// Marks the process as shutting down: `/readyz` answers 503 from now on.
    pub fn shutting_down(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_shutting_down(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// 200 while the process is up.
pub(crate) async fn live() -> &'static str {
    "ok"
}

/// 200 only while the database answers (within 1.5 s) and the process is not shutting down.
pub(crate) async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.readiness.is_shutting_down() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    match tokio::time::timeout(READY_CHECK_TIMEOUT, state.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        Ok(Err(err)) => {
            let diagnostic = crate::diagnostics::Diagnostic::of_db(&err);
            tracing::warn!(error = %diagnostic, "database is not answering");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => {
            tracing::warn!(
                timeout_ms = READY_CHECK_TIMEOUT.as_millis() as u64,
                "database did not answer the readiness check in time"
            );
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
