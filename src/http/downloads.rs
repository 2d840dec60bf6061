//! `GET /documents/{workspaceId}/{documentId}?expires=&signature=`: leadgate's signed
//! download route, for stores that cannot presign (the local folder). The signature is
//! the credential (no API key: the URL is handed to browsers); a tampered, expired or
//! re-pointed URL is refused with 403. The body streams from the store with the stored
//! content type and a `Content-Disposition` naming the file. Analytics CSV exports
//! (`{workspaceId}/analytics-{id}.csv`) are served the same way, as `text/csv`.

use axum::{
    body::Body,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::{analytics, clock, documents::store};
use crate::entities::document;
use crate::error::{Error, Result};

use super::{AppState, errors};

#[derive(Deserialize)]
pub(crate) struct Signed {
    expires: Option<String>,
    signature: Option<String>,
}

pub(crate) async fn download(
    State(state): State<AppState>,
    Path((workspace, document)): Path<(String, String)>,
    Query(signed): Query<Signed>,
) -> Response {
    match serve(&state, &workspace, &document, signed).await {
        Ok(response) => response,
        Err(err) => errors::rest(&err),
    }
}

fn refused() -> Error {
    Error::Forbidden(
        "this download link is invalid or has expired; ask the API for a fresh one".into(),
    )
}

async fn serve(
    state: &AppState,
    workspace: &str,
    document: &str,
    signed: Signed,
) -> Result<Response> {
    let key = format!("{workspace}/{document}");
    let expires = signed
        .expires
        .and_then(|e| e.parse::<i64>().ok())
        .ok_or_else(refused)?;
    let signature = signed.signature.ok_or_else(refused)?;
    if !state
        .config
        .url_signer
        .verify(&key, expires, &signature, clock::now())
    {
        return Err(refused());
    }
    // A valid signature names an object leadgate stored; the row says what it is (and is
    // gone once the document was deleted or its lead erased). An analytics export has no
    // row: its name says what it is.
    let (file_name, content_type) = if analytics::export::is_export_name(document) {
        (
            document.to_owned(),
            analytics::export::CONTENT_TYPE.to_owned(),
        )
    } else {
        let (Ok(workspace_id), Ok(document_id)) =
            (Uuid::parse_str(workspace), Uuid::parse_str(document))
        else {
            return Err(Error::NotFound("document"));
        };
        let doc = document::Entity::find_by_id(document_id)
            .filter(document::Column::WorkspaceId.eq(workspace_id))
            .filter(document::Column::StorageKey.eq(key.as_str()))
            .one(&state.db)
            .await?
            .ok_or(Error::NotFound("document"))?;
        (doc.file_name, doc.content_type)
    };
    let Some((size, bytes)) = state.config.documents.store.read(&key).await? else {
        return Err(Error::NotFound("document"));
    };
    let mut response = Body::from_stream(bytes).into_response();
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    let value = |text: &str| {
        HeaderValue::from_str(text)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    };
    headers.insert(header::CONTENT_TYPE, value(&content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    if let Ok(disposition) = HeaderValue::from_str(&store::content_disposition(&file_name)) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
