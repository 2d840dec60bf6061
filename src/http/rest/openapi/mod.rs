//! The OpenAPI 3.1 document of the REST face (utoipa), served at `/api/v1/openapi.json`,
//! printed by `leadgate openapi` and kept in the repository as `openapi.json` (a test keeps
//! them equal).
//!
//! Bodies are read field by field (`body.rs`) and answers are built through the GraphQL
//! schema (`payload.rs`), so the types in `schemas` only describe the JSON; they are
//! never built. **A new REST route is documented here**: one `#[utoipa::path]` function
//! in `paths` (lead routes) or `documents` (document routes), and its name in `paths(...)`
//! of [`RestApi`]. A test lists the router's routes and fails on one left out.
// The described types are never built.
#![allow(dead_code)]

mod analytics;
mod documents;
mod paths;
mod schemas;

use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, SecurityScheme},
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "leadgate REST API",
        description = "The REST shape of the lead API: the documented requests and responses. \
                       Every request but the signed download needs an `x-api-key` header; \
                       every error answers the \
                       error envelope.",
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(
        paths::create_lead,
        paths::create_leads,
        paths::update_lead,
        paths::get_lead,
        paths::add_checklist_item,
        paths::get_checklist,
        paths::get_action_logs,
        documents::upload,
        documents::of_lead,
        documents::one,
        documents::download,
        analytics::analytics,
    ),
    modifiers(&ApiKeyHeader),
    security(("x-api-key" = [])),
    tags(
        (name = "leads", description = "Create, read and update leads"),
        (name = "documents", description = "Upload, list and download a lead's documents"),
        (name = "analytics", description = "Figures of the leads created in a range"),
    ),
)]
pub struct RestApi;

/// The document as served and stored: pretty JSON with a final newline.
pub fn document() -> String {
    let mut json = RestApi::openapi()
        .to_pretty_json()
        .expect("the document serialises");
    json.push('\n');
    json
}

struct ApiKeyHeader;

impl Modify for ApiKeyHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "x-api-key",
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    "x-api-key",
                    "A workspace API key (`lg_live_...` or `lg_test_...`)",
                ))),
            );
    }
}

/// `GET /api/v1/openapi.json` (no key needed: it describes, it holds no data).
pub(crate) async fn serve() -> axum::response::Response {
    static DOCUMENT: std::sync::LazyLock<String> = std::sync::LazyLock::new(document);
    axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    ))
}
