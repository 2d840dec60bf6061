//! The OpenAPI 3.1 document of the REST face (utoipa), served at `/api/v1/openapi.json`,
//! printed by `leadgate openapi` and kept in the repository as `openapi.json` (a test keeps
//! them equal).
//!
//! Bodies are read field by field (`body.rs`) and answers are built through the GraphQL
//! schema (`payload.rs`), so the types here only describe the JSON; they are never built.
//! **A new REST route is documented here**: one `#[utoipa::path]` function below, and its
//! name in `paths(...)` of [`RestApi`].
#![allow(dead_code)]

use serde::Serialize;
use serde_json::Value;
use utoipa::{
    IntoParams, Modify, OpenApi, ToSchema,
    openapi::security::{ApiKey, ApiKeyValue, SecurityScheme},
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "leadgate REST API",
        description = "The REST shape of the lead API: the documented requests and responses. \
                       Every request needs an `x-api-key` header; every error answers the \
                       error envelope.",
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(create_lead, create_leads, update_lead, get_lead),
    modifiers(&ApiKeyHeader),
    security(("x-api-key" = [])),
    tags((name = "leads", description = "Create, read and update leads")),
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

/// Creates a lead in the key's workspace, in one transaction.
#[utoipa::path(
    post, path = "/api/v1/leads", tag = "leads", operation_id = "createLead",
    params(CreateParams),
    request_body = CreateLeadBody,
    responses(
        (status = 200, description = "The lead created (or skipped / updated under onDuplicate, with `outcome`), with its checklist and timeline; with dryRun=true what would be created, nothing written", body = CreateAnswer),
        (status = 400, description = "BAD_USER_INPUT naming every offending field, or BAD_REQUEST for a body that is not a JSON object", body = ErrorEnvelope),
        (status = 409, description = "DUPLICATE_LEAD under onDuplicate=REJECT, with matchingLeadIds", body = ErrorEnvelope),
        (status = 401, description = "UNAUTHENTICATED: no valid x-api-key", body = ErrorEnvelope),
        (status = 408, description = "TIMEOUT; nothing was written", body = ErrorEnvelope),
        (status = 413, description = "PAYLOAD_TOO_LARGE", body = ErrorEnvelope),
        (status = 429, description = "RATE_LIMITED; Retry-After says when to retry", body = ErrorEnvelope),
        (status = 500, description = "INTERNAL; errorId points to the log line", body = ErrorEnvelope),
    )
)]
fn create_lead() {}

/// Creates up to 100 leads in one transaction, answering each input in input order.
#[utoipa::path(
    post, path = "/api/v1/leads/batch", tag = "leads", operation_id = "createLeads",
    params(CreateParams),
    request_body = CreateLeadsBody,
    responses(
        (status = 200, description = "One result per input, in input order, each with its own success", body = BatchPayload),
        (status = 400, description = "BAD_USER_INPUT: more than 100 inputs, a body that cannot be read, or (allOrNone) every refused input's fields as inputs[i].field", body = ErrorEnvelope),
        (status = 401, description = "UNAUTHENTICATED", body = ErrorEnvelope),
        (status = 408, description = "TIMEOUT; nothing was written", body = ErrorEnvelope),
        (status = 409, description = "DUPLICATE_LEAD (allOrNone with onDuplicate=REJECT)", body = ErrorEnvelope),
        (status = 413, description = "PAYLOAD_TOO_LARGE", body = ErrorEnvelope),
        (status = 429, description = "RATE_LIMITED", body = ErrorEnvelope),
        (status = 500, description = "INTERNAL", body = ErrorEnvelope),
    )
)]
fn create_leads() {}

/// Updates a lead: absent fields stay, `null` clears.
#[utoipa::path(
    put, path = "/api/v1/leads", tag = "leads", operation_id = "updateLead",
    request_body = UpdateLeadBody,
    responses(
        (status = 200, description = "The lead as updated", body = LeadPayload),
        (status = 400, description = "BAD_USER_INPUT naming every offending field, or BAD_REQUEST", body = ErrorEnvelope),
        (status = 401, description = "UNAUTHENTICATED", body = ErrorEnvelope),
        (status = 404, description = "NOT_FOUND: no such lead in the key's workspace", body = ErrorEnvelope),
        (status = 408, description = "TIMEOUT; nothing was written", body = ErrorEnvelope),
        (status = 413, description = "PAYLOAD_TOO_LARGE", body = ErrorEnvelope),
        (status = 429, description = "RATE_LIMITED", body = ErrorEnvelope),
        (status = 500, description = "INTERNAL", body = ErrorEnvelope),
    )
)]
fn update_lead() {}

/// Reads a lead of the key's workspace.
#[utoipa::path(
    get, path = "/api/v1/leads/{leadId}", tag = "leads", operation_id = "getLead",
    params(("leadId" = String, Path, description = "The lead's id (a UUID)")),
    responses(
        (status = 200, description = "The lead, with isTest, submittedAt, workspaceId and status", body = LeadPayload),
        (status = 401, description = "UNAUTHENTICATED", body = ErrorEnvelope),
        (status = 404, description = "NOT_FOUND: no such lead in the key's workspace", body = ErrorEnvelope),
        (status = 429, description = "RATE_LIMITED", body = ErrorEnvelope),
        (status = 500, description = "INTERNAL", body = ErrorEnvelope),
    )
)]
fn get_lead() {}

/// `assigneeType` on REST: `agent` (AI) or `manual` (human), in any case.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AssigneeTypeBody {
    Agent,
    Manual,
}

/// A checklist item status, in any case.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChecklistItemStatus {
    Todo,
    Completed,
    Invalid,
    Skipped,
    NeedsReview,
}

/// A status an update may set (`REVIEW` is refused).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LeadStatusBody {
    InProgress,
    Completed,
    NotInterested,
    OptedOut,
}

/// An update of one checklist item, by its template code.
#[derive(Serialize, ToSchema)]
pub struct ChecklistItemBody {
    pub code: String,
    /// Checked against the item's field type and config; `null` clears.
    pub value: Option<Value>,
    pub status: Option<ChecklistItemStatus>,
}

/// The body of `POST /api/v1/leads`; unknown fields are refused.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub struct CreateLeadBody {
    /// Required, trimmed, not empty.
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    /// Stored E.164 when valid.
    pub phone_number: Option<String>,
    pub business_name: Option<String>,
    pub website: Option<String>,
    pub external_lead_id: Option<String>,
    /// An IANA time-zone name.
    pub timezone: Option<String>,
    pub assignee_type: Option<AssigneeTypeBody>,
    pub did_opt_out: Option<bool>,
    pub email_verified: Option<bool>,
    pub tags: Option<Vec<String>>,
    pub checklist_items: Option<Vec<ChecklistItemBody>>,
}

/// What a create does with a lead that has the email or phone of a live lead.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OnDuplicateParam {
    Create,
    Skip,
    Update,
    Reject,
}

/// The query parameters of the create routes.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(non_snake_case)]
pub struct CreateParams {
    /// CREATE (default), SKIP, UPDATE or REJECT, in any case.
    #[param(inline)]
    pub onDuplicate: Option<OnDuplicateParam>,
    /// Run every check and answer what would happen; nothing is written.
    pub dryRun: Option<bool>,
}

/// The body of `POST /api/v1/leads/batch`; unknown fields are refused.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub struct CreateLeadsBody {
    /// At most 100, each a create body.
    pub inputs: Vec<CreateLeadBody>,
    /// One refused input refuses the batch; nothing is written. Default false.
    pub all_or_none: Option<bool>,
}

/// What a create answers: the documented payload (with `outcome` under a duplicate
/// policy), or a dry run's answer.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum CreateAnswer {
    Payload(Box<LeadPayload>),
    DryRun(DryRunAnswer),
}

/// A dry run's answer: nothing was written.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DryRunAnswer {
    pub success: bool,
    /// Always true.
    pub dry_run: bool,
    /// `CREATED`, `SKIPPED` or `UPDATED`.
    pub outcome: String,
    pub lead: DraftLead,
}

/// A dry run's lead (not stored): its would-be id and the fields that decide the create.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DraftLead {
    pub id: String,
    pub first_name: String,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub status: String,
    pub matching_lead_ids: Vec<String>,
}

/// The answer of `POST /api/v1/leads/batch`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchPayload {
    /// True when every input succeeded.
    pub success: bool,
    pub dry_run: bool,
    pub results: Vec<BatchResult>,
}

/// One input's result: `success`, and `outcome` and `lead` (the documented lead keys;
/// a draft in a dry run) or `error` (as in the error envelope, fields named
/// `inputs[i].field`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    pub success: bool,
    #[schema(required = false)]
    pub outcome: Option<String>,
    #[schema(required = false)]
    pub lead: Option<Value>,
    #[schema(required = false)]
    pub error: Option<ErrorBody>,
}

/// The body of `PUT /api/v1/leads`: the lead's id and any create field, plus `status`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub struct UpdateLeadBody {
    #[schema(format = "uuid")]
    pub lead_id: String,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub business_name: Option<String>,
    pub website: Option<String>,
    pub external_lead_id: Option<String>,
    pub timezone: Option<String>,
    pub assignee_type: Option<AssigneeTypeBody>,
    pub did_opt_out: Option<bool>,
    pub email_verified: Option<bool>,
    pub tags: Option<Vec<String>>,
    pub checklist_items: Option<Vec<ChecklistItemBody>>,
    pub status: Option<LeadStatusBody>,
}

/// A lead, with the documented keys in the documented order (GET adds `isTest`,
/// `submittedAt`, `workspaceId` and `status`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    #[schema(format = "uuid")]
    pub id: String,
    pub activity_summary: Option<String>,
    /// `AI_AGENT` or `HUMAN_AGENT`.
    pub assignee_type: String,
    pub business_name: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub deleted_at: Option<String>,
    pub did_opt_out: bool,
    pub email: Option<String>,
    #[schema(format = DateTime)]
    pub email_verified_at: Option<String>,
    pub external_lead_id: Option<String>,
    pub external_portal_link: Option<String>,
    pub first_name: String,
    pub last_name: Option<String>,
    pub phone_number: Option<String>,
    #[schema(format = DateTime)]
    pub phone_verified_at: Option<String>,
    pub source: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    pub website: Option<String>,
}

/// A checklist group and the lead's items in it, in template order.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistGroup {
    pub id: String,
    pub name: String,
    pub conditions: Option<Value>,
    /// `{id, checklistItemId, value, status, itemOverride, checklistItem}`; file types add
    /// `documents`.
    pub items: Vec<Value>,
}

/// The documented response of every route.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeadPayload {
    pub success: bool,
    /// Under onDuplicate only: `CREATED`, `SKIPPED` or `UPDATED`.
    #[schema(required = false)]
    pub outcome: Option<String>,
    pub lead: Lead,
    pub checklist_items: Vec<ChecklistGroup>,
    /// Newest first, at most 100: `{id, type, status, summary, changes, ...}`.
    pub action_logs: Vec<Value>,
    /// Other leads of the workspace with the same email or phone.
    pub matching_leads: Vec<Lead>,
    pub last_action: Option<Value>,
    pub next_follow_up: Option<Value>,
    pub next_draft: Option<Value>,
}

/// One offending field.
#[derive(Serialize, ToSchema)]
pub struct FieldProblem {
    /// As the client wrote it: `email`, `checklistItems[1].value`.
    pub field: String,
    pub message: String,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// `BAD_USER_INPUT`, `BAD_REQUEST`, `UNAUTHENTICATED`, `NOT_FOUND`,
    /// `METHOD_NOT_ALLOWED`, `TIMEOUT`, `PAYLOAD_TOO_LARGE`, `RATE_LIMITED`, `INTERNAL`.
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    /// The first offending field (BAD_USER_INPUT).
    #[schema(required = false)]
    pub field: Option<String>,
    /// Every offending field (BAD_USER_INPUT).
    #[schema(required = false)]
    pub fields: Option<Vec<FieldProblem>>,
    /// For INTERNAL: the id of the log line.
    #[schema(required = false)]
    pub error_id: Option<String>,
    /// For RATE_LIMITED: seconds to wait.
    #[schema(required = false)]
    pub retry_after: Option<u64>,
    /// For DUPLICATE_LEAD: the live leads the lead duplicates.
    #[schema(required = false)]
    pub matching_lead_ids: Option<Vec<String>>,
}

/// The envelope of every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// Always false.
    pub success: bool,
    pub error: ErrorBody,
}

/// `GET /api/v1/openapi.json` (no key needed: it describes, it holds no data).
pub(crate) async fn serve() -> axum::response::Response {
    static DOCUMENT: std::sync::LazyLock<String> = std::sync::LazyLock::new(document);
    axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    ))
}
