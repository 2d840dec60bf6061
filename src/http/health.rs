//! Liveness and readiness for orchestrators.

use axum::{extract::State, http::StatusCode};

use super::AppState;

/// 200 while the process is up.
pub(crate) async fn live() -> &'static str {
    "ok"
}

/// 200 only while the database answers.
pub(crate) async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            let diagnostic = crate::diagnostics::Diagnostic::of_db(&err);
            tracing::warn!(error = %diagnostic, "database is not answering");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
