//! The document routes and the JSON they read and answer.

use serde::Serialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::schemas::ErrorEnvelope;

/// Uploads files to a lead (optionally to one of its checklist items): each file is
/// streamed to the store, then the rows and one DOCUMENT_UPLOAD action log are written
/// in one transaction.
#[utoipa::path(
    post, path = "/api/v1/documents", tag = "documents", operation_id = "uploadDocuments",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The documents stored, with signed URLs", body = Uploaded),
        (status = 400, description = "BAD_USER_INPUT naming the offending field (`leadId`, `files[1]`, `metadata[0].name`, ...), or BAD_REQUEST for a body that is not multipart/form-data", body = ErrorEnvelope),
        (status = 401, description = "UNAUTHENTICATED", body = ErrorEnvelope),
        (status = 404, description = "NOT_FOUND: no such lead, or checklist item of the lead, in the key's workspace", body = ErrorEnvelope),
        (status = 408, description = "TIMEOUT (the upload timeout); nothing was written", body = ErrorEnvelope),
        (status = 413, description = "PAYLOAD_TOO_LARGE: a file, or the files together, over the limit", body = ErrorEnvelope),
        (status = 429, description = "RATE_LIMITED", body = ErrorEnvelope),
        (status = 500, description = "INTERNAL", body = ErrorEnvelope),
    )
)]
fn upload() {}

/// The documents of a lead.
#[utoipa::path(
    get, path = "/api/v1/leads/{leadId}/documents", tag = "documents",
    operation_id = "getLeadDocuments",
    params(("leadId" = String, Path, description = "The lead's id (a UUID)")),
    responses(
        (status = 200, description = "The lead's documents", body = Vec<DocumentListing>),
        (status = 401, description = "UNAUTHENTICATED", body = ErrorEnvelope),
        (status = 404, description = "NOT_FOUND: no such lead in the key's workspace", body = ErrorEnvelope),
        (status = 429, description = "RATE_LIMITED", body = ErrorEnvelope),
        (status = 500, description = "INTERNAL", body = ErrorEnvelope),
    )
)]
fn of_lead() {}

/// One document of the key's workspace.
#[utoipa::path(
    get, path = "/api/v1/documents/{documentId}", tag = "documents", operation_id = "getDocument",
    params(("documentId" = String, Path, description = "The document's id (a UUID)")),
    responses(
        (status = 200, description = "The document, with a fresh signed URL", body = DocumentListing),
        (status = 401, description = "UNAUTHENTICATED", body = ErrorEnvelope),
        (status = 404, description = "NOT_FOUND: no such document in the key's workspace", body = ErrorEnvelope),
        (status = 429, description = "RATE_LIMITED", body = ErrorEnvelope),
        (status = 500, description = "INTERNAL", body = ErrorEnvelope),
    )
)]
fn one() {}

/// The signed download of a stored file (the `url` / `signedUrl` of a document, for stores
/// that cannot presign). The signature is the credential: no API key.
#[utoipa::path(
    get, path = "/documents/{workspaceId}/{documentId}", tag = "documents",
    operation_id = "downloadDocument",
    params(
        ("workspaceId" = String, Path, description = "The document's workspace id"),
        ("documentId" = String, Path, description = "The document's id"),
        Signature,
    ),
    security(()),
    responses(
        (status = 200, description = "The file, with its stored content type, `Content-Length` and a `Content-Disposition` naming it", content_type = "application/octet-stream", body = FileBytes),
        (status = 403, description = "FORBIDDEN: the link is tampered with, expired or re-pointed", body = ErrorEnvelope),
        (status = 404, description = "NOT_FOUND: the document was deleted or its lead erased", body = ErrorEnvelope),
        (status = 500, description = "INTERNAL", body = ErrorEnvelope),
    )
)]
fn download() {}

/// A stored file's bytes.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(Vec<u8>);

/// The signature of a download link, as the API hands it out.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Signature {
    /// When the link expires, in Unix seconds.
    expires: Option<String>,
    /// The link's signature.
    signature: Option<String>,
}

/// The form of `POST /api/v1/documents`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadForm {
    /// The lead's id; required.
    #[schema(format = "uuid")]
    pub lead_id: String,
    /// One part per file (at most the configured number and size).
    #[schema(value_type = Vec<String>, format = Binary)]
    pub files: Vec<Vec<u8>>,
    /// One of the lead's checklist items the files belong to.
    #[schema(format = "uuid")]
    pub lead_checklist_item_id: Option<String>,
    /// A JSON array, one `{ externalId?, name? }` per file.
    pub metadata: Option<String>,
}

/// The answer of an upload.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Uploaded {
    pub success: bool,
    pub documents: Vec<UploadedDocument>,
    /// The DOCUMENT_UPLOAD entry of the lead's timeline.
    pub action_log_id: String,
}

/// A document just stored.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadedDocument {
    pub id: String,
    pub filename: String,
    pub size: i64,
    /// Signed; expires.
    pub url: String,
    pub mime_type: String,
    #[schema(format = DateTime)]
    pub uploaded_at: String,
    pub associated_checklist_item_id: Option<String>,
}

/// A document as the listing routes answer it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentListing {
    pub id: String,
    pub filename: String,
    pub mime_type: String,
    pub size: i64,
    pub metadata: Option<Value>,
    pub signed_url: String,
    #[schema(format = DateTime)]
    pub signed_url_expires_at: String,
    /// The checklist item the document belongs to (none, or one).
    pub lead_checklist_item_document: Vec<ChecklistItemDocument>,
}

/// The link of a document to its checklist item, with its validation.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItemDocument {
    pub id: String,
    pub lead_checklist_item_id: String,
    pub document_id: String,
    pub overall_valid: Option<bool>,
    pub validation_result: Option<Value>,
    pub validation_rules: Option<Value>,
}
