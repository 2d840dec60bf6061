//! Uploading documents to a lead, for REST and GraphQL alike.
//!
//! A `Batch` streams each file to the store as it arrives (checking its type from its
//! first bytes and its size as it goes), then `commit` writes every row in one
//! transaction. The order is what keeps storage and database consistent: an object
//! exists before its row, so no row ever points at nothing; when anything fails before
//! or during the commit, the batch deletes the objects it wrote. If the process dies in
//! between, the objects left behind have no row, and `lifecycle::sweep` removes them.

use bytes::Bytes;
use futures::{Stream, StreamExt};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::entries::{self, EntryInput};
use crate::domain::{auth::Principal, clock, events, leads};
use crate::entities::{
    checklist_item, document,
    enums::{ActionLogStatus, ActionLogType, ChecklistItemStatus},
    lead_checklist_item,
};
use crate::error::{Error, FieldError, Result};

use super::{
    content::{self, SNIFF_BYTES},
    store::DocumentStore,
};

/// What a deployment accepts; see README "Documents".
#[derive(Debug, Clone)]
pub struct Settings {
    pub store: DocumentStore,
    /// Content types accepted, as detected from the bytes.
    pub allowed_types: Vec<String>,
    /// Files per upload. Default 10.
    pub max_files: usize,
    /// Bytes per file. Default 100 MiB.
    pub max_file_bytes: u64,
    /// How long `POST /api/v1/documents` may take (it is exempt from the request timeout,
    /// as 1 GB does not cross most networks in 30 s). Default 15 minutes.
    pub upload_timeout: std::time::Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            store: DocumentStore::in_memory(),
            allowed_types: content::DEFAULT_ALLOWED
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
            max_files: 10,
            max_file_bytes: 100 * 1024 * 1024,
            upload_timeout: std::time::Duration::from_secs(15 * 60),
        }
    }
}

impl Settings {
    /// The most bytes an upload request can carry: every file at its limit, plus room
    /// for the form's other fields and part headers.
    pub fn max_request_bytes(&self) -> usize {
        (self.max_files as u64 * self.max_file_bytes + 1024 * 1024) as usize
    }
}

/// What the client sent with a file (`metadata[i]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileMetadata {
    pub external_id: Option<String>,
    /// Overrides the file name.
    pub name: Option<String>,
}

/// Where the files go.
#[derive(Debug, Clone)]
pub struct Target {
    pub lead_id: Uuid,
    pub lead_checklist_item_id: Option<Uuid>,
    /// Aligned with the files when present (same length).
    pub metadata: Option<Vec<FileMetadata>>,
}

/// The committed upload.
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub documents: Vec<document::Model>,
    /// The DOCUMENT_UPLOAD entry.
    pub action_log_id: Uuid,
}

/// A file written to the store, not yet recorded.
#[derive(Debug)]
struct Staged {
    id: Uuid,
    key: String,
    file_name: String,
    content_type: String,
    size: u64,
}

/// The files of one upload request; see the module comment.
pub struct Batch {
    settings: Settings,
    workspace_id: Uuid,
    staged: Vec<Staged>,
}

impl Batch {
    pub fn new(settings: &Settings, workspace_id: Uuid) -> Self {
        Self {
            settings: settings.clone(),
            workspace_id,
            staged: Vec::new(),
        }
    }

    /// Streams one file (`field` names it in errors, e.g. `files[2]`) to the store.
    /// On error nothing of this file stays stored; earlier files stay until `discard`.
    pub async fn add<S>(&mut self, field: &str, file_name: &str, chunks: S) -> Result<()>
    where
        S: Stream<Item = Result<Bytes>> + Unpin,
    {
        if self.staged.len() >= self.settings.max_files {
            return Err(Error::UploadTooLarge(format!(
                "files: at most {} files per upload",
                self.settings.max_files
            )));
        }
        let id = Uuid::now_v7();
        let key = DocumentStore::key_for(self.workspace_id, id);
        let mut writer = self.settings.store.writer(&key).await?;
        match self.stream(field, &mut writer, chunks).await {
            Ok((content_type, size)) => {
                writer.finish().await?;
                self.staged.push(Staged {
                    id,
                    key,
                    file_name: content::sanitise_file_name(file_name),
                    content_type,
                    size,
                });
                Ok(())
            }
            Err(err) => {
                writer.abort().await;
                Err(err)
            }
        }
    }

    /// Copies the chunks to `writer`, deciding the type once `SNIFF_BYTES` arrived (or
    /// the file ended), and stopping at the size limit.
    async fn stream<S>(
        &self,
        field: &str,
        writer: &mut super::store::ObjectWriter,
        mut chunks: S,
    ) -> Result<(String, u64)>
    where
        S: Stream<Item = Result<Bytes>> + Unpin,
    {
        let mut head: Vec<u8> = Vec::with_capacity(SNIFF_BYTES);
        let mut content_type: Option<String> = None;
        let mut size: u64 = 0;
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk?;
            size += chunk.len() as u64;
            if size > self.settings.max_file_bytes {
                return Err(Error::UploadTooLarge(format!(
                    "{field}: a file may hold at most {} bytes",
                    self.settings.max_file_bytes
                )));
            }
            if content_type.is_none() {
                let take = chunk.len().min(SNIFF_BYTES - head.len());
                head.extend_from_slice(&chunk[..take]);
                if head.len() == SNIFF_BYTES {
                    content_type = Some(self.accepted(field, &head)?);
                }
            }
            writer.write(chunk).await?;
        }
        if size == 0 {
            return Err(Error::bad_input(field, "the file is empty"));
        }
        let content_type = match content_type {
            Some(t) => t,
            None => self.accepted(field, &head)?,
        };
        Ok((content_type, size))
    }

    fn accepted(&self, field: &str, head: &[u8]) -> Result<String> {
        let detected = content::detect(head);
        if self.settings.allowed_types.contains(&detected) {
            Ok(detected)
        } else {
            Err(Error::bad_input(
                field,
                format!(
                    "files of type {detected} are not accepted (accepted: {})",
                    self.settings.allowed_types.join(", ")
                ),
            ))
        }
    }

    /// Deletes what this batch stored (after an error).
    pub async fn discard(self) {
        let keys: Vec<String> = self.staged.iter().map(|s| s.key.clone()).collect();
        if keys.is_empty() {
            return;
        }
        if let Err(err) = self.settings.store.delete(&keys).await {
            tracing::warn!(
                ?err,
                "removing the objects of a failed upload failed; the sweeper removes them"
            );
        }
    }

    /// Records the stored files on `target` in one transaction; on any error the stored
    /// objects are deleted again.
    pub async fn commit<C: crate::domain::writers::Store>(
        self,
        db: &C,
        principal: &Principal,
        target: &Target,
    ) -> Result<Uploaded> {
        match self.record(db, principal, target).await {
            Ok(uploaded) => Ok(uploaded),
            Err(err) => {
                self.discard().await;
                Err(err)
            }
        }
    }

    async fn record<C: crate::domain::writers::Store>(
        &self,
        db: &C,
        principal: &Principal,
        target: &Target,
    ) -> Result<Uploaded> {
        if self.staged.is_empty() {
            return Err(Error::bad_input("files", "at least one file is required"));
        }
        if let Some(metadata) = &target.metadata
            && metadata.len() != self.staged.len()
        {
            return Err(Error::bad_input(
                "metadata",
                format!(
                    "must hold one entry per file: {} entries for {} files",
                    metadata.len(),
                    self.staged.len()
                ),
            ));
        }
        let (_turn, txn) = crate::domain::writers::begin(db).await?;
        let lead = leads::live_for_write(&txn, principal, target.lead_id, "leadId").await?;
        if let Some(item_id) = target.lead_checklist_item_id {
            file_item(&txn, lead.id, item_id).await?;
        }
        let now = clock::now();
        let names: Vec<String> = self
            .staged
            .iter()
            .enumerate()
            .map(|(i, staged)| {
                let name = target
                    .metadata
                    .as_ref()
                    .and_then(|m| m[i].name.as_deref())
                    .map(content::sanitise_file_name);
                name.unwrap_or_else(|| staged.file_name.clone())
            })
            .collect();
        let summary = match names.len() {
            1 => "1 document uploaded".to_owned(),
            n => format!("{n} documents uploaded"),
        };
        let listed: Vec<Value> = self
            .staged
            .iter()
            .zip(&names)
            .map(|(s, name)| {
                json!({ "documentId": s.id, "filename": name, "mimeType": s.content_type, "size": s.size })
            })
            .collect();
        let upload = entries::write_entry(
            &txn,
            &lead,
            EntryInput {
                kind: ActionLogType::DocumentUpload,
                status: ActionLogStatus::Completed,
                summary,
                input: Some(json!({ "leadChecklistItemId": target.lead_checklist_item_id })),
                output: Some(json!({ "documents": listed })),
                error: None,
                parent_action_id: None,
            },
        )
        .await?;
        let upload_log = upload.id;
        entries::write_entry(
            &txn,
            &lead,
            EntryInput {
                kind: ActionLogType::SystemNote,
                status: ActionLogStatus::Completed,
                summary: format!("Documents received: {}", names.join(", ")),
                input: None,
                output: None,
                error: None,
                parent_action_id: Some(upload_log),
            },
        )
        .await?;
        let documents: Vec<document::Model> = self
            .staged
            .iter()
            .zip(names)
            .enumerate()
            .map(|(i, (staged, file_name))| document::Model {
                id: staged.id,
                workspace_id: lead.workspace_id,
                lead_id: lead.id,
                lead_checklist_item_id: target.lead_checklist_item_id,
                action_log_id: Some(upload_log),
                message_id: None,
                file_name,
                content_type: staged.content_type.clone(),
                size_bytes: staged.size as i64,
                storage_key: staged.key.clone(),
                created_at: now,
                metadata: target.metadata.as_ref().map(|m| metadata_json(&m[i])),
                overall_valid: None,
                validation_result: None,
            })
            .collect();
        document::Entity::insert_many(documents.iter().cloned().map(document::ActiveModel::from))
            .exec_without_returning(&txn)
            .await?;
        if let Some(item_id) = target.lead_checklist_item_id {
            lead_checklist_item::Entity::update(lead_checklist_item::ActiveModel {
                id: Set(item_id),
                status: Set(ChecklistItemStatus::NeedsReview),
                updated_at: Set(now),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
        }
        events::record(
            &txn,
            events::document_received(&lead, upload_log, &documents),
        )
        .await?;
        txn.commit().await?;
        Ok(Uploaded {
            documents,
            action_log_id: upload_log,
        })
    }
}

/// The lead's checklist entry `item_id`, which must collect documents.
async fn file_item(
    db: &impl ConnectionTrait,
    lead_id: Uuid,
    item_id: Uuid,
) -> Result<lead_checklist_item::Model> {
    const FIELD: &str = "leadChecklistItemId";
    let entry = lead_checklist_item::Entity::find_by_id(item_id)
        .filter(lead_checklist_item::Column::LeadId.eq(lead_id))
        .one(db)
        .await?
        .ok_or_else(|| Error::bad_input(FIELD, "no checklist item of this lead has this id"))?;
    let item = checklist_item::Entity::find_by_id(entry.checklist_item_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::Internal("checklist entry without its item".into()))?;
    if !item.field_type.holds_documents() {
        return Err(Error::BadInput(vec![FieldError::new(
            FIELD,
            format!(
                "{} is a {} item; documents go to FILE, BANK_STATEMENT, ID or TAX_RETURN items",
                item.code,
                item.field_type.as_str()
            ),
        )]));
    }
    Ok(entry)
}

fn metadata_json(m: &FileMetadata) -> Value {
    json!({ "externalId": m.external_id, "name": m.name })
}
