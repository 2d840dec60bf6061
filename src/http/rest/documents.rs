//! The documented document routes: `POST /api/v1/documents` (multipart upload),
//! `GET /api/v1/leads/{leadId}/documents` and `GET /api/v1/documents/{documentId}`.
//!
//! The upload reads the form field by field: each `files` part is streamed to the store
//! as it arrives (`domain::documents::upload::Batch`), the small text fields are read
//! with a cap, and the rows are written once the form is complete.

use axum::{
    extract::{FromRequest, Multipart, Path, Request, State, multipart::Field},
    http::HeaderMap,
    response::Response,
};
use futures::TryStreamExt;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::{
    clock,
    documents::{
        self, lifecycle,
        upload::{Batch, FileMetadata, Target},
    },
    leads,
};
use crate::entities::document;
use crate::error::{Error, Result};

use super::{AppState, authenticated, lead_route, respond};

/// The most bytes a text field (`leadId`, `leadChecklistItemId`, `metadata`) may hold.
const TEXT_FIELD_BYTES: usize = 64 * 1024;

/// `POST /api/v1/documents`.
pub(crate) async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    respond(upload_form(&state, &headers, request).await)
}

/// `GET /api/v1/leads/{leadId}/documents`.
pub(crate) async fn of_lead(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(lead_id): Path<String>,
) -> Response {
    respond(list(&state, &headers, &lead_id).await)
}

/// `GET /api/v1/documents/{documentId}`.
pub(crate) async fn one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    respond(get(&state, &headers, &id).await)
}

/// The text fields of the form.
#[derive(Default)]
struct Form {
    lead_id: Option<String>,
    lead_checklist_item_id: Option<String>,
    metadata: Option<String>,
}

async fn upload_form(state: &AppState, headers: &HeaderMap, request: Request) -> Result<Value> {
    let caller = authenticated(state, headers).await?;
    let mut multipart = Multipart::from_request(request, state).await.map_err(|_| {
        Error::BadRequest(
            "the body must be multipart/form-data with leadId and files (see the documented \
             upload route)"
                .into(),
        )
    })?;
    let mut batch = Batch::new(&state.config.documents, caller.principal.workspace_id);
    let form = match read_form(&mut batch, &mut multipart).await {
        Ok(form) => form,
        Err(err) => {
            batch.discard().await;
            return Err(err);
        }
    };
    let target = match target(form) {
        Ok(target) => target,
        Err(err) => {
            batch.discard().await;
            return Err(err);
        }
    };
    let uploaded = batch.commit(&state.db, &caller.principal, &target).await?;
    let now = clock::now();
    let mut listed = Vec::with_capacity(uploaded.documents.len());
    for doc in &uploaded.documents {
        let (url, _) = signed(state, doc, now).await?;
        listed.push(json!({
            "id": doc.id,
            "filename": doc.file_name,
            "size": doc.size_bytes,
            "url": url,
            "mimeType": doc.content_type,
            "uploadedAt": time(doc.created_at),
            "associatedChecklistItemId": doc.lead_checklist_item_id,
        }));
    }
    Ok(json!({
        "success": true,
        "documents": listed,
        "actionLogId": uploaded.action_log_id,
    }))
}

/// Reads every part: files go to the batch as they come, text fields into the form.
async fn read_form(batch: &mut Batch, multipart: &mut Multipart) -> Result<Form> {
    let mut form = Form::default();
    let mut files = 0usize;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "files" => {
                let label = format!("files[{files}]");
                files += 1;
                let file_name = field.file_name().unwrap_or("document").to_owned();
                batch
                    .add(&label, &file_name, Box::pin(field.map_err(unreadable)))
                    .await?;
            }
            "leadId" => set_once(&mut form.lead_id, &name, text(field, &name).await?)?,
            "leadChecklistItemId" => set_once(
                &mut form.lead_checklist_item_id,
                &name,
                text(field, &name).await?,
            )?,
            "metadata" => set_once(&mut form.metadata, &name, text(field, &name).await?)?,
            _ => {
                return Err(Error::bad_input(
                    if name.is_empty() { "form" } else { &name },
                    "unknown field; the form takes leadId, files, leadChecklistItemId and metadata",
                ));
            }
        }
    }
    Ok(form)
}

fn set_once(slot: &mut Option<String>, name: &str, value: String) -> Result<()> {
    if slot.replace(value).is_some() {
        return Err(Error::bad_input(name, "is given more than once"));
    }
    Ok(())
}

/// A text field, at most `TEXT_FIELD_BYTES`.
async fn text(mut field: Field<'_>, name: &str) -> Result<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        if bytes.len() + chunk.len() > TEXT_FIELD_BYTES {
            return Err(Error::bad_input(
                name,
                format!("must be at most {TEXT_FIELD_BYTES} bytes"),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| Error::bad_input(name, "must be UTF-8 text"))
}

fn unreadable(err: axum::extract::multipart::MultipartError) -> Error {
    Error::BadRequest(format!(
        "the multipart body could not be read: {}",
        err.body_text()
    ))
}

fn target(form: Form) -> Result<Target> {
    let lead_id = form
        .lead_id
        .ok_or_else(|| Error::bad_input("leadId", "is required"))?;
    let lead_id = parse_uuid("leadId", &lead_id)?;
    let lead_checklist_item_id = form
        .lead_checklist_item_id
        .filter(|id| !id.trim().is_empty())
        .map(|id| parse_uuid("leadChecklistItemId", &id))
        .transpose()?;
    let metadata = form
        .metadata
        .map(|text| parse_metadata(&text))
        .transpose()?;
    Ok(Target {
        lead_id,
        lead_checklist_item_id,
        metadata,
    })
}

fn parse_uuid(field: &str, text: &str) -> Result<Uuid> {
    Uuid::parse_str(text.trim()).map_err(|_| Error::bad_input(field, "is not a valid id"))
}

/// `metadata`: a JSON array of `{ externalId?, name? }`, one per file.
fn parse_metadata(text: &str) -> Result<Vec<FileMetadata>> {
    let value: Value = serde_json::from_str(text)
        .map_err(|_| Error::bad_input("metadata", "must be a JSON array"))?;
    let Value::Array(entries) = value else {
        return Err(Error::bad_input("metadata", "must be a JSON array"));
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let field = format!("metadata[{i}]");
            let Value::Object(map) = entry else {
                return Err(Error::bad_input(&field, "must be an object"));
            };
            let string = |key: &str| -> Result<Option<String>> {
                match map.get(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s.clone())),
                    Some(_) => Err(Error::bad_input(
                        format!("{field}.{key}"),
                        "must be a string",
                    )),
                }
            };
            if let Some(unknown) = map
                .keys()
                .find(|k| !matches!(k.as_str(), "externalId" | "name"))
            {
                return Err(Error::bad_input(
                    format!("{field}.{unknown}"),
                    "unknown key; metadata entries take externalId and name",
                ));
            }
            Ok(FileMetadata {
                external_id: string("externalId")?,
                name: string("name")?,
            })
        })
        .collect()
}

async fn list(state: &AppState, headers: &HeaderMap, lead_id: &str) -> Result<Value> {
    let (caller, lead_id) = lead_route(state, headers, lead_id).await?;
    leads::find(&state.db, &caller.principal, lead_id).await?;
    let docs = documents::of_lead(&state.db, caller.principal.workspace_id, lead_id).await?;
    listing(state, caller.principal.workspace_id, &docs).await
}

async fn get(state: &AppState, headers: &HeaderMap, id: &str) -> Result<Value> {
    let caller = authenticated(state, headers).await?;
    let id = Uuid::parse_str(id).map_err(|_| Error::NotFound("document"))?;
    let doc = lifecycle::find(&state.db, &caller.principal, id).await?;
    let mut listed = listing(state, caller.principal.workspace_id, &[doc]).await?;
    Ok(listed
        .as_array_mut()
        .and_then(|a| a.pop())
        .unwrap_or(Value::Null))
}

/// The documented listing entries: `{ id, filename, mimeType, size, metadata,
/// signedUrl, leadChecklistItemDocument: [...] }`, plus when the URL expires.
async fn listing(state: &AppState, workspace_id: Uuid, docs: &[document::Model]) -> Result<Value> {
    let entries: Vec<Uuid> = docs
        .iter()
        .filter_map(|d| d.lead_checklist_item_id)
        .collect();
    let rules = documents::validation_rules(&state.db, workspace_id, &entries).await?;
    let now = clock::now();
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        let (url, expires_at) = signed(state, doc, now).await?;
        let links: Vec<Value> = doc
            .lead_checklist_item_id
            .map(|entry| {
                json!({
                    "id": doc.id,
                    "leadChecklistItemId": entry,
                    "documentId": doc.id,
                    "overallValid": doc.overall_valid,
                    "validationResult": doc.validation_result,
                    "validationRules": rules.get(&entry).cloned().flatten(),
                })
            })
            .into_iter()
            .collect();
        out.push(json!({
            "id": doc.id,
            "filename": doc.file_name,
            "mimeType": doc.content_type,
            "size": doc.size_bytes,
            "metadata": doc.metadata,
            "signedUrl": url,
            "signedUrlExpiresAt": time(expires_at),
            "leadChecklistItemDocument": links,
        }));
    }
    Ok(Value::Array(out))
}

async fn signed(
    state: &AppState,
    doc: &document::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(String, chrono::DateTime<chrono::Utc>)> {
    documents::signed_url(
        &state.config.documents.store,
        &state.config.url_signer,
        doc,
        now,
    )
    .await
}

/// The API's DateTime format (RFC 3339 UTC, milliseconds).
fn time(t: chrono::DateTime<chrono::Utc>) -> Value {
    json!(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}
