//! Documents: uploads (REST multipart and the GraphQL multipart request spec), storage,
//! signed downloads, content checks, deletion and erasure, the sweeper.
//!
//! Every store test runs on both databases and against both stores: a local folder, and
//! the S3-compatible server named by `LEADGATE_TEST_S3_BUCKET` (+ the usual `AWS_*`
//! variables; `.ci/s3-server` starts one and `.ci/run` always sets them, with
//! `LEADGATE_TEST_S3_REQUIRED`, which makes a missing server a failure). Without the
//! bucket variable the S3 runs print a notice (see it with `--nocapture`) and check
//! nothing.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use leadgate::{
    AppState, Config,
    domain::{
        checklist::import,
        documents::{DocumentStore, URL_TTL, UrlSigner, lifecycle, upload},
    },
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{TestApp, error_code, test_config};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Local,
    S3,
}

/// Runs `$test(app, kind)` for each store on each backend.
macro_rules! on_both_stores {
    ($name:ident) => {
        mod $name {
            on_both_backends!(
                async fn local(app) {
                    crate::documents::$name(app, crate::documents::Kind::Local).await
                }
            );
            on_both_backends!(
                async fn s3(app) {
                    crate::documents::$name(app, crate::documents::Kind::S3).await
                }
            );
        }
    };
}

const TEMPLATE: &str = r#"{ "groups": [ { "name": "Documents", "conditions": null, "items": [
  { "code": "business_name", "label": "Business Name", "fieldType": "TEXT", "isRequired": true },
  { "code": "bank_statements", "label": "Bank statements", "fieldType": "BANK_STATEMENT",
    "isRequired": true,
    "validationRules": ["Covers the last 3 months", "Shows the business name"] }
] } ] }"#;

pub const SIGNING_KEY: &[u8] = b"documents-test-signing-key-0123456789abcdef";

pub const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
pub const CSV: &[u8] = b"date,amount\n2026-01-01,12.50\n2026-01-02,8.00\n";
pub const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";

/// A test app whose router stores documents in `store`, with small limits (3 files of
/// at most 4 KiB) so limits are tested without moving megabytes.
pub struct Docs {
    pub app: TestApp,
    pub store: DocumentStore,
    pub lead: String,
    /// The lead's BANK_STATEMENT entry.
    pub entry: String,
    _dir: Option<tempfile::TempDir>,
}

pub fn settings(store: DocumentStore) -> upload::Settings {
    upload::Settings {
        store,
        max_files: 3,
        max_file_bytes: 4096,
        ..upload::Settings::default()
    }
}

pub fn config(store: DocumentStore, signer: UrlSigner) -> Config {
    Config {
        documents: settings(store),
        url_signer: signer,
        ..test_config()
    }
}

pub fn signer() -> UrlSigner {
    UrlSigner::new(SIGNING_KEY.to_vec(), "/documents", URL_TTL)
}

/// The store of `kind`, or `None` (after saying so) when no S3 server is configured.
pub fn open_store(kind: Kind) -> Option<(DocumentStore, Option<tempfile::TempDir>)> {
    match kind {
        Kind::Local => {
            let dir = tempfile::tempdir().unwrap();
            let store = DocumentStore::local(dir.path().join("documents")).unwrap();
            Some((store, Some(dir)))
        }
        Kind::S3 => match std::env::var("LEADGATE_TEST_S3_BUCKET") {
            Ok(bucket) => {
                let prefix = format!("test-{}", Uuid::new_v4().simple());
                Some((DocumentStore::s3(&bucket, &prefix).unwrap(), None))
            }
            Err(_) => {
                assert!(
                    std::env::var_os("LEADGATE_TEST_S3_REQUIRED").is_none(),
                    "LEADGATE_TEST_S3_REQUIRED is set but LEADGATE_TEST_S3_BUCKET is not: \
                     `source .ci/s3-server` first"
                );
                eprintln!(
                    "\n*** SKIPPED: S3 document test (LEADGATE_TEST_S3_BUCKET is not set; \
                     `.ci/s3-server` starts a local S3 server and prints the variables) ***\n"
                );
                None
            }
        },
    }
}

impl Docs {
    pub async fn new(mut app: TestApp, kind: Kind) -> Option<Self> {
        let (store, dir) = open_store(kind)?;
        import::replace(&app.db, app.workspace_id, &import::parse(TEMPLATE).unwrap())
            .await
            .unwrap();
        app.router = leadgate::router(AppState::new(
            app.db.clone(),
            config(store.clone(), signer()),
        ));
        let lead = app
            .create_lead(json!({ "firstName": "Ada", "lastName": "Byron" }))
            .await;
        let entry = entry_of(&app, &lead, "bank_statements").await;
        Some(Self {
            app,
            store,
            lead,
            entry,
            _dir: dir,
        })
    }

    pub async fn objects(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .store
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        keys.sort();
        keys
    }

    /// POSTs a multipart form to the REST upload route.
    pub async fn rest_upload(&self, parts: &[Part<'_>]) -> (StatusCode, Value) {
        let (content_type, body) = multipart(parts);
        let request = Request::post("/api/v1/documents")
            .header("x-api-key", &self.app.key)
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap();
        let (status, _, body) = self.app.send(request).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// GETs a download URL: leadgate's route through the router, S3's over HTTP.
    pub async fn download(&self, url: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        if url.starts_with('/') {
            let (status, headers, body) = self
                .app
                .send(Request::get(url).body(Body::empty()).unwrap())
                .await;
            (status, headers, body.to_vec())
        } else {
            let response = reqwest::get(url).await.expect("S3 answers");
            let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
            let mut headers = axum::http::HeaderMap::new();
            for (name, value) in response.headers() {
                if let (Ok(name), Ok(value)) = (
                    axum::http::HeaderName::from_bytes(name.as_str().as_bytes()),
                    axum::http::HeaderValue::from_bytes(value.as_bytes()),
                ) {
                    headers.insert(name, value);
                }
            }
            (status, headers, response.bytes().await.unwrap().to_vec())
        }
    }
}

pub async fn entry_of(app: &TestApp, lead: &str, code: &str) -> String {
    let data = app
        .data(
            "query($id: ID!) { lead(id: $id) { checklistItems { items { id checklistItem { code } } } } }",
            json!({ "id": lead }),
        )
        .await;
    data["lead"]["checklistItems"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["items"].as_array().unwrap().clone())
        .find(|i| i["checklistItem"]["code"] == code)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

/// A multipart/form-data body and its content type.
pub fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "leadgate-test-boundary-7d3f";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(name, file_name, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn log_types(app: &TestApp, lead: &str) -> Vec<String> {
    let data = app
        .data(
            "query($id: ID!) { lead(id: $id) { actionLogs { type } } }",
            json!({ "id": lead }),
        )
        .await;
    data["lead"]["actionLogs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["type"].as_str().unwrap().to_owned())
        .collect()
}

on_both_stores!(rest_upload_stores_streams_and_answers_the_documented_body);
pub async fn rest_upload_stores_streams_and_answers_the_documented_body(app: TestApp, kind: Kind) {
    let Some(docs) = Docs::new(app, kind).await else {
        return;
    };
    let metadata =
        json!([{ "externalId": "ext-1", "name": "January.pdf" }, { "externalId": "ext-2" }])
            .to_string();
    let (status, body) = docs
        .rest_upload(&[
            Part::Text("leadId", &docs.lead),
            Part::Text("leadChecklistItemId", &docs.entry),
            Part::File("files", "statement.pdf", PDF),
            Part::File("files", "../../etc/rows.csv", CSV),
            Part::Text("metadata", &metadata),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(body["success"], true);
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["success", "documents", "actionLogId"]);
    let listed = body["documents"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    let keys: Vec<&str> = listed[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "filename",
            "size",
            "url",
            "mimeType",
            "uploadedAt",
            "associatedChecklistItemId"
        ]
    );
    assert_eq!(listed[0]["filename"], "January.pdf");
    assert_eq!(listed[0]["mimeType"], "application/pdf");
    assert_eq!(listed[0]["size"], PDF.len());
    assert_eq!(listed[0]["associatedChecklistItemId"], docs.entry.as_str());
    assert_eq!(
        listed[1]["filename"], "rows.csv",
        "path segments are dropped"
    );
    assert_eq!(listed[1]["mimeType"], "text/csv");
    // Both objects are stored, under the workspace.
    let objects = docs.objects().await;
    assert_eq!(objects.len(), 2, "{objects:?}");
    assert!(
        objects
            .iter()
            .all(|k| k.contains(&docs.app.workspace_id.to_string())),
        "{objects:?}"
    );
    // The item awaits review; the timeline has the upload and its note.
    let data = docs
        .app
        .data(
            "query($id: ID!) { lead(id: $id) { checklistItems { items { id status documents { fileName } } } } }",
            json!({ "id": docs.lead }),
        )
        .await;
    let item = data["lead"]["checklistItems"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == docs.entry.as_str())
        .unwrap()
        .clone();
    assert_eq!(item["status"], "NEEDS_REVIEW");
    assert_eq!(item["documents"].as_array().unwrap().len(), 2);
    let types = log_types(&docs.app, &docs.lead).await;
    assert!(
        types.contains(&"DOCUMENT_UPLOAD".to_owned()) && types.contains(&"SYSTEM_NOTE".to_owned()),
        "{types:?}"
    );
    // The URL downloads the bytes with the detected type and the file name.
    let url = listed[0]["url"].as_str().unwrap();
    let (status, headers, bytes) = docs.download(url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PDF);
    assert_eq!(headers["content-type"], "application/pdf");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"January.pdf\""),
        "{disposition}"
    );
    if kind == Kind::S3 {
        assert!(
            url.contains("X-Amz-Signature=") && url.contains("X-Amz-Expires=3600"),
            "{url}"
        );
    } else {
        assert!(
            url.starts_with(&format!("/documents/{}/", docs.app.workspace_id)),
            "{url}"
        );
    }
}

on_both_stores!(graphql_multipart_uploads_and_every_reader_shows_the_documents);
pub async fn graphql_multipart_uploads_and_every_reader_shows_the_documents(
    app: TestApp,
    kind: Kind,
) {
    let Some(docs) = Docs::new(app, kind).await else {
        return;
    };
    let operations = json!({
        "query": "mutation($leadId: ID!, $files: [Upload!]!, $item: ID, $metadata: [DocumentMetadataInput!]) {
            uploadDocuments(leadId: $leadId, files: $files, leadChecklistItemId: $item, metadata: $metadata) {
              success actionLogId documents { id fileName contentType size url urlExpiresAt metadata
                leadChecklistItemId validationRules overallValid validationResult } } }",
        "variables": { "leadId": docs.lead, "files": [null], "item": docs.entry,
                       "metadata": [{ "externalId": "bank-1" }] }
    })
    .to_string();
    let map = json!({ "0": ["variables.files.0"] }).to_string();
    let (content_type, body) = multipart(&[
        Part::Text("operations", &operations),
        Part::Text("map", &map),
        Part::File("0", "march.pdf", PDF),
    ]);
    let request = Request::post("/graphql")
        .header("x-api-key", &docs.app.key)
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap();
    let (status, _, body) = docs.app.send(request).await;
    let response: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, StatusCode::OK, "{response:#}");
    assert!(response.get("errors").is_none(), "{response:#}");
    let payload = &response["data"]["uploadDocuments"];
    let doc = &payload["documents"][0];
    assert_eq!(doc["fileName"], "march.pdf");
    assert_eq!(doc["contentType"], "application/pdf");
    assert_eq!(doc["metadata"]["externalId"], "bank-1");
    assert_eq!(
        doc["validationRules"],
        json!(["Covers the last 3 months", "Shows the business name"])
    );
    assert_eq!(doc["overallValid"], Value::Null);
    assert_eq!(doc["validationResult"], Value::Null);
    assert_eq!(docs.objects().await.len(), 1);
    // Lead.documents, the upload's action log, REST get-lead and the listing routes.
    let data = docs
        .app
        .data(
            "query($id: ID!) { lead(id: $id) { documents { id } actionLogs { id type documents { id } } } }",
            json!({ "id": docs.lead }),
        )
        .await;
    assert_eq!(data["lead"]["documents"][0]["id"], doc["id"]);
    let upload = data["lead"]["actionLogs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["type"] == "DOCUMENT_UPLOAD")
        .unwrap()
        .clone();
    assert_eq!(upload["id"], payload["actionLogId"]);
    assert_eq!(upload["documents"][0]["id"], doc["id"]);
    let get = |path: String| {
        Request::get(path)
            .header("x-api-key", &docs.app.key)
            .body(Body::empty())
            .unwrap()
    };
    let (status, _, body) = docs
        .app
        .send(get(format!("/api/v1/leads/{}", docs.lead)))
        .await;
    assert_eq!(status, StatusCode::OK);
    let lead: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(lead["lead"]["documents"][0]["id"], doc["id"], "{lead:#}");
    // Also at the top level, as the documented read answers.
    assert_eq!(lead["documents"][0]["id"], doc["id"], "{lead:#}");
    assert_eq!(lead["documents"].as_array().map(Vec::len), Some(1));
    let (status, _, body) = docs
        .app
        .send(get(format!("/api/v1/leads/{}/documents", docs.lead)))
        .await;
    assert_eq!(status, StatusCode::OK);
    let listing: Value = serde_json::from_slice(&body).unwrap();
    let entry = &listing[0];
    let keys: Vec<&str> = entry
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "filename",
            "mimeType",
            "size",
            "metadata",
            "signedUrl",
            "signedUrlExpiresAt",
            "leadChecklistItemDocument"
        ]
    );
    assert_eq!(
        entry["leadChecklistItemDocument"][0]["leadChecklistItemId"],
        docs.entry.as_str()
    );
    assert_eq!(
        entry["leadChecklistItemDocument"][0]["documentId"],
        doc["id"]
    );
    assert_eq!(
        entry["leadChecklistItemDocument"][0]["overallValid"],
        Value::Null
    );
    let (status, _, bytes) = docs.download(entry["signedUrl"].as_str().unwrap()).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PDF));
    let id = doc["id"].as_str().unwrap();
    let (status, _, body) = docs.app.send(get(format!("/api/v1/documents/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    let one: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(one["id"], id);
    // A reviewer's verdict shows everywhere.
    let data = docs
        .app
        .data(
            "mutation($id: ID!) { setDocumentValidation(id: $id, overallValid: false, validationResult: { reason: \"blurry\" }) { overallValid validationResult } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data["setDocumentValidation"]["overallValid"], false);
    let (_, _, body) = docs.app.send(get(format!("/api/v1/documents/{id}"))).await;
    let one: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(one["leadChecklistItemDocument"][0]["overallValid"], false);
    assert_eq!(
        one["leadChecklistItemDocument"][0]["validationResult"]["reason"],
        "blurry"
    );
    // Another workspace sees none of it.
    let (_, other_key) = docs.app.other_workspace("Other").await;
    let request = Request::get(format!("/api/v1/documents/{id}"))
        .header("x-api-key", other_key)
        .body(Body::empty())
        .unwrap();
    assert_eq!(docs.app.send(request).await.0, StatusCode::NOT_FOUND);
}

on_both_stores!(uploads_over_the_limits_or_refused_store_nothing);
pub async fn uploads_over_the_limits_or_refused_store_nothing(app: TestApp, kind: Kind) {
    let Some(docs) = Docs::new(app, kind).await else {
        return;
    };
    let big = [b"%PDF-1.7\n".as_slice(), &[b'x'; 5000]].concat();
    let other_lead = docs.app.create_lead(json!({ "firstName": "Grace" })).await;
    let other_entry = entry_of(&docs.app, &other_lead, "bank_statements").await;
    let text_entry = entry_of(&docs.app, &docs.lead, "business_name").await;
    let one_meta = json!([{ "name": "a.pdf" }]).to_string();
    type Case<'a> = (Vec<Part<'a>>, StatusCode, &'a str, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (
            vec![
                Part::Text("leadId", &docs.lead),
                Part::File("files", "ok.pdf", PDF),
                Part::File("files", "big.pdf", &big),
            ],
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            None,
        ),
        (
            vec![
                Part::Text("leadId", &docs.lead),
                Part::File("files", "1.pdf", PDF),
                Part::File("files", "2.pdf", PDF),
                Part::File("files", "3.pdf", PDF),
                Part::File("files", "4.pdf", PDF),
            ],
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            None,
        ),
        (
            vec![
                Part::Text("leadId", &docs.lead),
                Part::File("files", "ok.pdf", PDF),
                Part::File("files", "setup.pdf", EXE),
            ],
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("files[1]"),
        ),
        // Checks made once the files are stored (at the commit) remove them again.
        (
            vec![
                Part::Text("leadId", &docs.lead),
                Part::Text("leadChecklistItemId", &other_entry),
                Part::File("files", "ok.pdf", PDF),
            ],
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("leadChecklistItemId"),
        ),
        (
            vec![
                Part::Text("leadId", &docs.lead),
                Part::Text("leadChecklistItemId", &text_entry),
                Part::File("files", "ok.pdf", PDF),
            ],
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("leadChecklistItemId"),
        ),
        (
            vec![
                Part::File("files", "ok.pdf", PDF),
                Part::File("files", "b.pdf", PDF),
                Part::Text("leadId", &docs.lead),
                Part::Text("metadata", &one_meta),
            ],
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("metadata"),
        ),
        (
            vec![
                Part::File("files", "ok.pdf", PDF),
                Part::Text("leadId", "00000000-0000-0000-0000-000000000000"),
            ],
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            None,
        ),
        (
            vec![Part::File("files", "ok.pdf", PDF)],
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("leadId"),
        ),
        (
            vec![Part::Text("leadId", &docs.lead)],
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("files"),
        ),
    ];
    for (i, (parts, status, code, field)) in cases.iter().enumerate() {
        let (got, body) = docs.rest_upload(parts).await;
        assert_eq!(got, *status, "case {i}: {body:#}");
        assert_eq!(body["error"]["code"], *code, "case {i}: {body:#}");
        if let Some(field) = field {
            assert_eq!(body["error"]["field"], *field, "case {i}: {body:#}");
        }
        assert_eq!(
            docs.objects().await,
            Vec::<String>::new(),
            "case {i} left objects"
        );
        assert_eq!(docs.app.count("documents").await, 0, "case {i} left rows");
    }
    // A body over the whole upload limit is refused before anything is read.
    let (content_type, _) = multipart(&[]);
    let request = Request::post("/api/v1/documents")
        .header("x-api-key", &docs.app.key)
        .header("content-type", content_type)
        .header("content-length", (3 * 4096 + 1024 * 1024 + 1).to_string())
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        docs.app.send(request).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert!(
        log_types(&docs.app, &docs.lead)
            .await
            .iter()
            .all(|t| t != "DOCUMENT_UPLOAD")
    );
}

/// A GraphQL multipart upload of `files` (name, bytes), as `key`.
async fn graphql_upload(docs: &Docs, key: &str, files: &[(&str, &[u8])]) -> (StatusCode, Value) {
    let nulls: Vec<Value> = files.iter().map(|_| Value::Null).collect();
    let operations = json!({
        "query": "mutation($leadId: ID!, $files: [Upload!]!) { uploadDocuments(leadId: $leadId, files: $files) { success } }",
        "variables": { "leadId": docs.lead, "files": nulls }
    })
    .to_string();
    let map: serde_json::Map<String, Value> = (0..files.len())
        .map(|i| (i.to_string(), json!([format!("variables.files.{i}")])))
        .collect();
    let map = Value::Object(map).to_string();
    let names: Vec<String> = (0..files.len()).map(|i| i.to_string()).collect();
    let mut parts = vec![
        Part::Text("operations", &operations),
        Part::Text("map", &map),
    ];
    for (i, (name, bytes)) in files.iter().enumerate() {
        parts.push(Part::File(&names[i], name, bytes));
    }
    let (content_type, body) = multipart(&parts);
    let request = Request::post("/graphql")
        .header("x-api-key", key)
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap();
    let (status, _, body) = docs.app.send(request).await;
    (status, serde_json::from_slice(&body).unwrap())
}

on_both_stores!(graphql_uploads_over_the_limits_or_refused_store_nothing);
pub async fn graphql_uploads_over_the_limits_or_refused_store_nothing(app: TestApp, kind: Kind) {
    let Some(docs) = Docs::new(app, kind).await else {
        return;
    };
    let big = [b"%PDF-1.7\n".as_slice(), &[b'x'; 5000]].concat();
    let key = docs.app.key.clone();
    type Files<'a> = Vec<(&'a str, &'a [u8])>;
    let cases: Vec<(Files, StatusCode, &str)> = vec![
        (
            vec![("ok.pdf", PDF), ("big.pdf", &big)],
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            vec![
                ("1.pdf", PDF),
                ("2.pdf", PDF),
                ("3.pdf", PDF),
                ("4.pdf", PDF),
            ],
            StatusCode::OK,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            vec![("ok.pdf", PDF), ("setup.pdf", EXE)],
            StatusCode::OK,
            "BAD_USER_INPUT",
        ),
    ];
    for (i, (files, status, code)) in cases.iter().enumerate() {
        let (got, body) = graphql_upload(&docs, &key, files).await;
        assert_eq!(got, *status, "case {i}: {body:#}");
        assert_eq!(error_code(&body), *code, "case {i}: {body:#}");
        assert_eq!(
            docs.objects().await,
            Vec::<String>::new(),
            "case {i} left objects"
        );
        assert_eq!(docs.app.count("documents").await, 0, "case {i} left rows");
    }
    let (status, body) = graphql_upload(&docs, "lg_live_not_a_key", &[("ok.pdf", PDF)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body:#}");
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
}

on_both_stores!(deleting_a_document_or_erasing_its_lead_removes_the_objects);
pub async fn deleting_a_document_or_erasing_its_lead_removes_the_objects(app: TestApp, kind: Kind) {
    let Some(docs) = Docs::new(app, kind).await else {
        return;
    };
    let (status, body) = docs
        .rest_upload(&[
            Part::Text("leadId", &docs.lead),
            Part::File("files", "a.pdf", PDF),
            Part::File("files", "b.csv", CSV),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    let other = docs.app.create_lead(json!({ "firstName": "Grace" })).await;
    let (status, _) = docs
        .rest_upload(&[
            Part::Text("leadId", &other),
            Part::File("files", "c.pdf", PDF),
        ])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(docs.objects().await.len(), 3);
    let first = body["documents"][0]["id"].as_str().unwrap();
    let url = body["documents"][0]["url"].as_str().unwrap().to_owned();
    let data = docs
        .app
        .data(
            "mutation($id: ID!) { deleteDocument(id: $id) { success deletedId } }",
            json!({ "id": first }),
        )
        .await;
    assert_eq!(data["deleteDocument"]["deletedId"], first);
    assert_eq!(docs.objects().await.len(), 2);
    if kind == Kind::Local {
        assert_eq!(docs.download(&url).await.0, StatusCode::NOT_FOUND);
    }
    let again = docs
        .app
        .graphql(
            "mutation($id: ID!) { deleteDocument(id: $id) { success } }",
            json!({ "id": first }),
        )
        .await;
    assert_eq!(error_code(&again), "NOT_FOUND");
    docs.app
        .data(
            "mutation($id: ID!) { eraseLead(id: $id) { success } }",
            json!({ "id": docs.lead }),
        )
        .await;
    let left = docs.objects().await;
    assert_eq!(
        left.len(),
        1,
        "only the other lead's object stays: {left:?}"
    );
    assert_eq!(docs.app.count("documents").await, 1);
}

on_both_stores!(the_sweeper_removes_old_objects_without_a_row_only);
pub async fn the_sweeper_removes_old_objects_without_a_row_only(app: TestApp, kind: Kind) {
    let Some(docs) = Docs::new(app, kind).await else {
        return;
    };
    let (status, _) = docs
        .rest_upload(&[
            Part::Text("leadId", &docs.lead),
            Part::File("files", "a.pdf", PDF),
        ])
        .await;
    assert_eq!(status, StatusCode::OK);
    // An object a crashed upload left behind (written, never recorded).
    let stray = DocumentStore::key_for(docs.app.workspace_id, Uuid::now_v7());
    let mut writer = docs.store.writer(&stray).await.unwrap();
    writer.write(bytes::Bytes::from_static(PDF)).await.unwrap();
    writer.finish().await.unwrap();
    assert_eq!(docs.objects().await.len(), 2);
    let now = chrono::Utc::now();
    assert_eq!(
        lifecycle::sweep(&docs.app.db, &docs.store, now)
            .await
            .unwrap(),
        0,
        "young objects stay"
    );
    let later = now + lifecycle::SWEEP_GRACE + chrono::Duration::minutes(5);
    assert_eq!(
        lifecycle::sweep(&docs.app.db, &docs.store, later)
            .await
            .unwrap(),
        1
    );
    let left = docs.objects().await;
    assert_eq!(left.len(), 1);
    assert!(!left.iter().any(|k| k.ends_with(&stray)), "{left:?}");
}

on_both_backends!(
    /// Leadgate's own URLs (local folder): tampered, expired, re-pointed at another
    /// workspace's file, or signed with an unknown key: 403; the previous key still verifies.
    async fn signed_download_urls_are_refused_when_tampered_expired_or_foreign(app) {
        let docs = Docs::new(app, Kind::Local).await.unwrap();
        let (_, body) = docs
            .rest_upload(&[Part::Text("leadId", &docs.lead), Part::File("files", "a.pdf", PDF)])
            .await;
        let url = body["documents"][0]["url"].as_str().unwrap().to_owned();
        assert_eq!(docs.download(&url).await.0, StatusCode::OK);
        let (path, query) = url.split_once('?').unwrap();
        let signature = query.rsplit('=').next().unwrap();
        let flipped = if signature.starts_with('0') { "1" } else { "0" };
        let tampered = format!("{path}?{}{flipped}{}", &query[..query.len() - signature.len()], &signature[1..]);
        let (other_ws, _) = docs.app.other_workspace("Other").await;
        let foreign = url.replace(&docs.app.workspace_id.to_string(), &other_ws.to_string());
        let key = path.trim_start_matches("/documents/");
        let (expired, _) = signer().sign(key, chrono::Utc::now() - URL_TTL - chrono::Duration::seconds(5));
        let (unknown, _) = UrlSigner::new(b"some other deployment's key 0123456789".to_vec(), "/documents", URL_TTL)
            .sign(key, chrono::Utc::now());
        for (name, bad) in [("tampered", tampered), ("foreign", foreign), ("expired", expired), ("unknown key", unknown), ("unsigned", path.to_owned())] {
            let (status, _, body) = docs.download(&bad).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {}", String::from_utf8_lossy(&body));
            let body: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body["error"]["code"], "FORBIDDEN", "{name}");
        }
        // Rotation: a router signing with a new key still accepts URLs of the previous one.
        let rotated = UrlSigner::new(b"the next signing key, rotated in 0123456789".to_vec(), "/documents", URL_TTL)
            .with_previous(SIGNING_KEY.to_vec());
        let router = leadgate::router(AppState::new(docs.app.db.clone(), config(docs.store.clone(), rotated)));
        let request = |u: &str| Request::get(u).body(Body::empty()).unwrap();
        use tower::ServiceExt;
        let status = router.clone().oneshot(request(&url)).await.unwrap().status();
        assert_eq!(status, StatusCode::OK);
        let unrotated = UrlSigner::new(b"the next signing key, rotated in 0123456789".to_vec(), "/documents", URL_TTL);
        let router = leadgate::router(AppState::new(docs.app.db.clone(), config(docs.store.clone(), unrotated)));
        let status = router.oneshot(request(&url)).await.unwrap().status();
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);

on_both_stores!(a_configured_allow_list_replaces_the_default_types);
/// `--document-types` (`upload::Settings::allowed_types`) replaces the default list: with
/// only PDF allowed, a CSV (allowed by default) is refused naming the file, and nothing is
/// stored; a PDF still goes in.
pub async fn a_configured_allow_list_replaces_the_default_types(app: TestApp, kind: Kind) {
    let Some(mut docs) = Docs::new(app, kind).await else {
        return;
    };
    let mut config = config(docs.store.clone(), signer());
    config.documents.allowed_types = vec!["application/pdf".to_owned()];
    docs.app.router = leadgate::router(AppState::new(docs.app.db.clone(), config));
    let (status, body) = docs
        .rest_upload(&[
            Part::Text("leadId", &docs.lead),
            Part::File("files", "march.csv", CSV),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
    assert_eq!(body["error"]["code"], "BAD_USER_INPUT", "{body:#}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("text/csv") && message.contains("accepted: application/pdf"),
        "{body:#}"
    );
    assert!(docs.objects().await.is_empty());
    let (status, body) = docs
        .rest_upload(&[
            Part::Text("leadId", &docs.lead),
            Part::File("files", "march.pdf", PDF),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(docs.objects().await.len(), 1);
}
