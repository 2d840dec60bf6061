//! Where document bytes live, through the `object_store` crate: a local folder (the
//! embedded default, next to the SQLite file) or any S3-compatible store
//! (`s3://bucket/prefix`, credentials and endpoint from the usual `AWS_*` variables).
//!
//! Objects are written as multipart uploads in fixed parts with one part in flight, so an
//! upload holds at most two parts in memory whatever the file's size. Keys are
//! `{workspace_id}/{document_id}`: the workspace first, so a signed URL names it.

use std::{fmt, path::PathBuf, sync::Arc, time::Duration};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt, stream::BoxStream};
use object_store::{
    ObjectStore, ObjectStoreExt, WriteMultipart,
    aws::AmazonS3Builder,
    local::LocalFileSystem,
    memory::InMemory,
    path::Path,
    prefix::PrefixStore,
    signer::{Method, SignedUrlOptions, Signer},
};
use uuid::Uuid;

use crate::error::{Error, Result};

/// Part size on S3: its minimum for every part but the last.
const S3_PART_BYTES: usize = 5 * 1024 * 1024;
/// Part size on a local folder or in memory, where no minimum applies.
const LOCAL_PART_BYTES: usize = 1024 * 1024;

/// The document store of a deployment; cheap to clone.
#[derive(Clone)]
pub struct DocumentStore {
    objects: Arc<dyn ObjectStore>,
    /// The store's own presigner (S3); `None` means leadgate signs its download route.
    presigner: Option<Arc<dyn Signer>>,
    part_bytes: usize,
    description: String,
}

impl fmt::Debug for DocumentStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl DocumentStore {
    /// `s3://bucket[/prefix]` or a folder path.
    pub fn open(spec: &str) -> Result<Self, String> {
        match spec.strip_prefix("s3://") {
            Some(rest) => {
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(format!(
                        "--documents {spec}: the bucket is missing (s3://bucket/prefix)"
                    ));
                }
                Self::s3(bucket, prefix.trim_matches('/'))
            }
            None => Self::local(PathBuf::from(spec)),
        }
    }

    /// A folder, created if missing.
    pub fn local(dir: PathBuf) -> Result<Self, String> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create the documents folder {}: {e}", dir.display()))?;
        let fs = LocalFileSystem::new_with_prefix(&dir)
            .map_err(|e| format!("cannot use the documents folder {}: {e}", dir.display()))?
            .with_automatic_cleanup(true);
        Ok(Self {
            objects: Arc::new(fs),
            presigner: None,
            part_bytes: LOCAL_PART_BYTES,
            description: format!("local folder {}", dir.display()),
        })
    }

    /// An S3 bucket; region, endpoint, credentials and `AWS_ALLOW_HTTP` come from the
    /// environment (`AmazonS3Builder::from_env`).
    pub fn s3(bucket: &str, prefix: &str) -> Result<Self, String> {
        let s3 = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| format!("cannot configure S3 bucket {bucket}: {e}"))?;
        let store = Arc::new(PrefixStore::new(s3, prefix));
        Ok(Self {
            objects: store.clone(),
            presigner: Some(store),
            part_bytes: S3_PART_BYTES,
            description: format!("s3://{bucket}/{prefix}"),
        })
    }

    /// In memory, for tests and tools that never read documents back.
    pub fn in_memory() -> Self {
        Self {
            objects: Arc::new(InMemory::new()),
            presigner: None,
            part_bytes: LOCAL_PART_BYTES,
            description: "in memory".into(),
        }
    }

    /// Whether download URLs come from the store itself (S3) rather than leadgate's route.
    pub fn presigns(&self) -> bool {
        self.presigner.is_some()
    }

    /// The key of a new document's object.
    pub fn key_for(workspace_id: Uuid, document_id: Uuid) -> String {
        format!("{workspace_id}/{document_id}")
    }

    /// Starts writing the object at `key`; nothing is visible until `finish`.
    pub async fn writer(&self, key: &str) -> Result<ObjectWriter> {
        let upload = self
            .objects
            .put_multipart_opts(&path(key)?, Default::default())
            .await
            .map_err(storage)?;
        Ok(ObjectWriter {
            upload: WriteMultipart::new_with_chunk_size(upload, self.part_bytes),
        })
    }

    /// Removes objects; one already gone is not an error.
    pub async fn delete(&self, keys: &[String]) -> Result<()> {
        let paths = keys.iter().map(|k| path(k)).collect::<Result<Vec<_>>>()?;
        let mut results = self
            .objects
            .delete_stream(futures::stream::iter(paths.into_iter().map(Ok)).boxed());
        while let Some(result) = results.next().await {
            match result {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(err) => return Err(storage(err)),
            }
        }
        Ok(())
    }

    /// The object's size and a stream of its bytes, or `None` when it is gone.
    pub async fn read(
        &self,
        key: &str,
    ) -> Result<Option<(u64, BoxStream<'static, Result<Bytes>>)>> {
        match self.objects.get(&path(key)?).await {
            Ok(result) => {
                let size = result.meta.size;
                Ok(Some((size, result.into_stream().map_err(storage).boxed())))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(storage(err)),
        }
    }

    /// Every object with its last change, for the sweeper.
    pub async fn list(&self) -> Result<Vec<(String, DateTime<Utc>)>> {
        self.objects
            .list(None)
            .map_ok(|meta| (meta.location.to_string(), meta.last_modified))
            .try_collect()
            .await
            .map_err(storage)
    }

    /// The store's own presigned GET URL (S3), answering with `content_type` and an
    /// attachment named `file_name`; `None` when the store cannot presign.
    pub async fn presigned_url(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
        ttl: Duration,
    ) -> Result<Option<String>> {
        let Some(signer) = &self.presigner else {
            return Ok(None);
        };
        let options = SignedUrlOptions::default().with_query([
            (
                "response-content-disposition",
                content_disposition(file_name),
            ),
            ("response-content-type", content_type.to_owned()),
        ]);
        let url = signer
            .signed_url_opts(Method::GET, &path(key)?, ttl, &options)
            .await
            .map_err(storage)?;
        Ok(Some(url.to_string()))
    }
}

/// `attachment` with the name twice: plain ASCII for old clients, RFC 5987 for the rest.
pub fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The default documents folder: `leadgate-documents` next to a SQLite database file
/// (`sqlite://data/leadgate.db` -> `data/leadgate-documents`), else in the working
/// directory.
pub fn default_folder(database_url: &str) -> PathBuf {
    let file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or_default())
        .filter(|file| !file.is_empty() && !file.starts_with(':'));
    let stem = file
        .map(std::path::Path::new)
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "leadgate".into());
    let dir = file
        .map(std::path::Path::new)
        .and_then(|p| p.parent())
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    dir.join(format!("{stem}-documents"))
}

/// One object being written in parts.
pub struct ObjectWriter {
    upload: WriteMultipart,
}

impl ObjectWriter {
    /// Appends bytes, waiting while a full part is still uploading (back pressure, so
    /// memory stays at about two parts).
    pub async fn write(&mut self, bytes: Bytes) -> Result<()> {
        self.upload.wait_for_capacity(1).await.map_err(storage)?;
        self.upload.put(bytes);
        Ok(())
    }

    /// Completes the object.
    pub async fn finish(self) -> Result<()> {
        self.upload.finish().await.map(|_| ()).map_err(storage)
    }

    /// Drops what was written; nothing becomes visible.
    pub async fn abort(self) {
        if let Err(err) = self.upload.abort().await {
            tracing::warn!(error = %err, "aborting a document upload failed; the sweeper removes what is left");
        }
    }
}

fn path(key: &str) -> Result<Path> {
    Path::parse(key).map_err(|e| Error::Internal(format!("bad storage key: {e}")))
}

/// A store failure: internal (the detail goes to the log, never to the client).
pub(crate) fn storage(err: object_store::Error) -> Error {
    Error::Internal(format!("document store: {err}"))
}
