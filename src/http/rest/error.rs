//! The REST error envelope: the one mapping of domain errors to REST statuses and bodies,
//! `{"success": false, "error": {"code", "message", "field", "fields"}}`.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;
use uuid::Uuid;

use crate::error::Error;

/// The one mapping of domain errors to REST statuses and bodies.
pub(super) fn error_response(err: &Error) -> Response {
    let status = match err {
        Error::Unauthenticated => StatusCode::UNAUTHORIZED,
        Error::BadInput(_) => StatusCode::BAD_REQUEST,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Database(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut error = json!({ "code": err.code(), "message": err.to_string() });
    if err.is_internal() {
        let error_id = Uuid::new_v4();
        tracing::error!(%error_id, error = ?err, "internal error");
        error["errorId"] = json!(error_id.to_string());
    }
    if let Error::BadInput(fields) = err {
        error["field"] = json!(fields.first().map(|f| f.field.clone()));
        error["fields"] = fields
            .iter()
            .map(|f| json!({ "field": f.field, "message": f.message }))
            .collect();
    }
    (
        status,
        axum::Json(json!({ "success": false, "error": error })),
    )
        .into_response()
}
