//! Liveness and readiness for orchestrators.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::sync::watch;

use axum::{extract::State, http::StatusCode};

use super::AppState;

/// `/readyz` answers within this, whatever the database does (a stalled connection or a
/// pool waiting out its acquire timeout answers 503 at this point).
const READY_CHECK_TIMEOUT: Duration = Duration::from_millis(1500);

/// Whether this process still takes traffic: false from the shutdown signal on, so a load
/// balancer stops sending requests while the in-flight ones finish, and open
/// subscription sockets close (`closing`).
#[derive(Debug, Clone)]
pub struct Readiness {
    down: Arc<watch::Sender<bool>>,
    /// Open subscription sockets (axum's graceful shutdown does not wait for upgraded
    /// connections; `drained` does, briefly).
    sockets: Arc<AtomicUsize>,
}

impl Default for Readiness {
    fn default() -> Self {
        Self {
            down: Arc::new(watch::channel(false).0),
            sockets: Arc::default(),
        }
    }
}

/// Counts an open socket until dropped.
pub(crate) struct OpenSocket(Arc<AtomicUsize>);

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Readiness {
    /// Marks the process as shutting down: `/readyz` answers 503 from now on.
    pub fn shutting_down(&self) {
        self.down.send_replace(true);
    }

    fn is_shutting_down(&self) -> bool {
        *self.down.borrow()
    }

    /// Resolves once the process is shutting down.
    pub(crate) fn closing(&self) -> impl std::future::Future<Output = ()> + Send + use<> {
        let mut receiver = self.down.subscribe();
        async move {
            let _ = receiver.wait_for(|down| *down).await;
        }
    }

    /// Counts a socket as open while the answer lives.
    pub(crate) fn socket(&self) -> OpenSocket {
        self.sockets.fetch_add(1, Ordering::SeqCst);
        OpenSocket(self.sockets.clone())
    }

    /// Waits (at most `within`) for open sockets to finish closing.
    pub async fn drained(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while self.sockets.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
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
