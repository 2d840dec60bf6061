//! The JSON the REST routes read and answer, described for the document.

use serde::Serialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

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
/// in a dry run also the `checklistItems` and `matchingLeads` it would have) or `error`
/// (as in the error envelope, fields named `inputs[i].field`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    pub success: bool,
    #[schema(required = false)]
    pub outcome: Option<String>,
    #[schema(required = false)]
    pub lead: Option<Value>,
    /// Dry runs only.
    #[schema(required = false)]
    pub checklist_items: Option<Vec<ChecklistGroup>>,
    /// Dry runs only.
    #[schema(required = false)]
    pub matching_leads: Option<Vec<Lead>>,
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
    pub items: Vec<LeadChecklistItem>,
}

/// One item of the lead's checklist.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeadChecklistItem {
    pub id: String,
    pub checklist_item_id: String,
    pub value: Option<Value>,
    pub status: ChecklistItemStatus,
    pub item_override: Option<Value>,
    /// Only when the item holds some.
    #[schema(required = false)]
    pub alternate_values: Option<Value>,
    /// Only when the value was refused.
    #[schema(required = false)]
    pub validation_error: Option<String>,
    pub checklist_item: ChecklistItemDefinition,
    /// File types only (FILE, BANK_STATEMENT, ID, TAX_RETURN).
    #[schema(required = false)]
    pub documents: Option<Vec<DocumentRef>>,
}

/// What the item asks for (from the template, or the lead's one-off item).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItemDefinition {
    pub id: String,
    pub code: String,
    pub label: String,
    pub field_type: FieldTypeBody,
    pub is_required: bool,
    pub conditions: Option<Value>,
    /// File types only.
    #[schema(required = false)]
    pub validation_rules: Option<Value>,
}

/// A document as an item or a message carries it; `url` is signed and expires.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentRef {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub url: String,
}

/// A checklist item's field type (in any case on input).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FieldTypeBody {
    Text,
    Number,
    Date,
    Email,
    Phone,
    Select,
    Ein,
    File,
    BankStatement,
    Id,
    TaxReturn,
}

/// One entry of the lead's timeline, with the documented keys.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActionLogEntry {
    pub id: String,
    /// `API_ACTIVITY`, `MESSAGE`, `TOOL_CALL`, ...
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub summary: String,
    pub input: Option<Value>,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub parent_action_id: Option<String>,
    #[schema(format = DateTime)]
    pub scheduled_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub completed_at: Option<String>,
    pub tool: Option<Tool>,
    pub messages: Vec<ActionMessage>,
}

/// The tool an action used.
#[derive(Serialize, ToSchema)]
pub struct Tool {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

/// A message an action sent or received.
#[derive(Serialize, ToSchema)]
pub struct ActionMessage {
    pub channel: String,
    pub direction: String,
    pub subject: Option<String>,
    pub body: String,
    pub documents: Vec<DocumentRef>,
}

/// The body of `POST /api/v1/leads/{leadId}/checklist-items`; unknown fields are refused.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub struct NewChecklistItemBody {
    /// Required, not empty.
    pub label: String,
    /// TEXT when absent.
    pub field_type: Option<FieldTypeBody>,
    /// Letters, digits and `_`, at most 100, unique in the workspace; made from the
    /// label when absent.
    pub code: Option<String>,
    pub config: Option<Value>,
    pub is_required: Option<bool>,
    pub agent_instructions: Option<String>,
    pub client_instructions: Option<String>,
    pub validation_rules: Option<Value>,
}

/// The answer of `POST /api/v1/leads/{leadId}/checklist-items`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItemAdded {
    pub success: bool,
    pub checklist_item: AddedChecklistItem,
}

/// The one-off item as added.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddedChecklistItem {
    pub id: String,
    pub lead_id: String,
    pub code: String,
    pub label: String,
    pub field_type: FieldTypeBody,
    pub is_required: bool,
    /// Always `TODO`.
    pub status: ChecklistItemStatus,
    pub agent_instructions: Option<String>,
    pub client_instructions: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// The documented response of every route.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeadPayload {
    pub success: bool,
    /// In a dry run only (`?dryRun=true`): always true; nothing was written, and the
    /// payload is what the create would answer.
    #[schema(required = false)]
    pub dry_run: Option<bool>,
    /// Under onDuplicate or a dry run only: `CREATED`, `SKIPPED` or `UPDATED`.
    #[schema(required = false)]
    pub outcome: Option<String>,
    pub lead: Lead,
    /// GET only: the lead's status, also at the top level.
    #[schema(required = false)]
    pub status: Option<String>,
    /// GET only: every document of the lead, with signed URLs.
    #[schema(required = false)]
    pub documents: Option<Vec<DocumentRef>>,
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
