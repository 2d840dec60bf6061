//! Document mutations: uploading (GraphQL multipart request spec), a reviewer's verdict,
//! deleting. Thin adapters over `domain::documents`.

use async_graphql::{Context, ID, InputObject, Json, Object, Result, SimpleObject, Upload};
use bytes::Bytes;
use futures::{Stream, StreamExt};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::config::Config;
use crate::domain::documents::{
    lifecycle,
    upload::{Batch, FileMetadata, Target},
};
use crate::error::Error;
use crate::graphql::{
    context::caller, errors::GqlResult, errors::to_graphql, query::parse_id,
    types::timeline::Document,
};

#[derive(Default)]
pub struct DocumentMutations;

/// What the uploader says about one file (aligned with `files`).
#[derive(InputObject)]
pub struct DocumentMetadataInput {
    /// The caller's own id for the document.
    pub external_id: Option<String>,
    /// Overrides the uploaded file's name.
    pub name: Option<String>,
}

#[derive(SimpleObject)]
pub struct UploadDocumentsPayload {
    pub success: bool,
    pub documents: Vec<Document>,
    /// The DOCUMENT_UPLOAD entry recording the upload.
    pub action_log_id: ID,
}

#[derive(SimpleObject)]
pub struct DeleteDocumentPayload {
    pub success: bool,
    pub deleted_id: ID,
}

/// Bytes read from an upload's spool file at a time.
const READ_BYTES: usize = 64 * 1024;

#[Object]
impl DocumentMutations {
    /// Uploads 1 to 10 files (at most 100 MiB each) to a lead, optionally for one of its
    /// file-type checklist items (which then goes to NEEDS_REVIEW). Writes a
    /// DOCUMENT_UPLOAD and a SYSTEM_NOTE action log. Send it as a GraphQL multipart
    /// request; see README "Documents".
    async fn upload_documents(
        &self,
        ctx: &Context<'_>,
        lead_id: ID,
        files: Vec<Upload>,
        lead_checklist_item_id: Option<ID>,
        metadata: Option<Vec<DocumentMetadataInput>>,
    ) -> Result<UploadDocumentsPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let config = ctx.data::<Config>()?;
        let target = Target {
            lead_id: parse_id("leadId", &lead_id)?,
            lead_checklist_item_id: lead_checklist_item_id
                .as_ref()
                .map(|id| parse_id("leadChecklistItemId", id))
                .transpose()?,
            metadata: metadata.map(|list| {
                list.into_iter()
                    .map(|m| FileMetadata {
                        external_id: m.external_id,
                        name: m.name,
                    })
                    .collect()
            }),
        };
        let mut batch = Batch::new(&config.documents, caller.principal.workspace_id);
        for (i, upload) in files.iter().enumerate() {
            let field = format!("files[{i}]");
            let added = match upload.value(ctx) {
                Ok(value) => {
                    let name = value.filename.clone();
                    batch.add(&field, &name, spooled(value.content)).await
                }
                Err(_) => Err(Error::bad_input(&field, "the file could not be read")),
            };
            if let Err(err) = added {
                batch.discard().await;
                return Err(to_graphql(&err));
            }
        }
        let uploaded = batch.commit(db, &caller.principal, &target).await.gql()?;
        Ok(UploadDocumentsPayload {
            success: true,
            documents: uploaded.documents.into_iter().map(Document).collect(),
            action_log_id: ID(uploaded.action_log_id.to_string()),
        })
    }

    /// Records a review's verdict on a document (a reviewer's or an agent's):
    /// `overallValid` and `validationResult` (any JSON); null clears them.
    async fn set_document_validation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        overall_valid: Option<bool>,
        validation_result: Option<Json<Value>>,
    ) -> Result<Document> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let id = parse_id("id", &id)?;
        let doc = lifecycle::set_validation(
            db,
            &caller.principal,
            id,
            overall_valid,
            validation_result.map(|j| j.0),
        )
        .await
        .gql()?;
        Ok(Document(doc))
    }

    /// Deletes a document and its stored file.
    async fn delete_document(&self, ctx: &Context<'_>, id: ID) -> Result<DeleteDocumentPayload> {
        let caller = caller(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        let config = ctx.data::<Config>()?;
        let id = parse_id("id", &id)?;
        let doc = lifecycle::delete(db, &config.documents.store, &caller.principal, id)
            .await
            .gql()?;
        Ok(DeleteDocumentPayload {
            success: true,
            deleted_id: ID(doc.id.to_string()),
        })
    }
}

/// The bytes of an upload async-graphql spooled to a temp file, in small chunks.
fn spooled(file: std::fs::File) -> impl Stream<Item = crate::error::Result<Bytes>> + Unpin {
    let file = tokio::fs::File::from_std(file);
    Box::pin(
        futures::stream::unfold(Some((file, false)), |state| async move {
            let (mut file, rewound) = state?;
            if !rewound && file.seek(std::io::SeekFrom::Start(0)).await.is_err() {
                return Some((Err(unreadable()), None));
            }
            let mut buf = vec![0u8; READ_BYTES];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(Bytes::from(buf)), Some((file, true))))
                }
                Err(_) => Some((Err(unreadable()), None)),
            }
        })
        .fuse(),
    )
}

fn unreadable() -> Error {
    Error::Internal("reading an upload's spool file failed".into())
}
