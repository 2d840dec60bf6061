//! The lead routes.

use super::schemas::*;

/// Creates a lead in the key's workspace, in one transaction.
#[utoipa::path(
    post, path = "/api/v1/leads", tag = "leads", operation_id = "createLead",
    params(CreateParams),
    request_body = CreateLeadBody,
    responses(
        (status = 200, description = "The lead created (or skipped / updated under onDuplicate, with `outcome`), with its checklist and timeline; with dryRun=true the same payload of what would be created or updated, with `dryRun`, nothing written", body = LeadPayload),
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
        (status = 200, description = "The lead, with isTest, submittedAt, workspaceId, status and documents; status and documents also at the top level", body = LeadPayload),
        (status = 401, description = "UNAUTHENTICATED", body = ErrorEnvelope),
        (status = 404, description = "NOT_FOUND: no such lead in the key's workspace", body = ErrorEnvelope),
        (status = 429, description = "RATE_LIMITED", body = ErrorEnvelope),
        (status = 500, description = "INTERNAL", body = ErrorEnvelope),
    )
)]
fn get_lead() {}

/// Adds a one-off checklist item to a lead (not from the template), in one transaction.
#[utoipa::path(
    post, path = "/api/v1/leads/{leadId}/checklist-items", tag = "leads",
    operation_id = "addChecklistItem",
    params(("leadId" = String, Path, description = "The lead's id (a UUID)")),
    request_body = NewChecklistItemBody,
    responses(
        (status = 200, description = "The item added", body = ChecklistItemAdded),
        (status = 400, description = "BAD_USER_INPUT naming every offending field, or BAD_REQUEST for a body that is not a JSON object", body = ErrorEnvelope),
        (status = 401, description = "UNAUTHENTICATED", body = ErrorEnvelope),
        (status = 404, description = "NOT_FOUND: no such lead in the key's workspace", body = ErrorEnvelope),
        (status = 408, description = "TIMEOUT; nothing was written", body = ErrorEnvelope),
        (status = 413, description = "PAYLOAD_TOO_LARGE", body = ErrorEnvelope),
        (status = 429, description = "RATE_LIMITED", body = ErrorEnvelope),
        (status = 500, description = "INTERNAL", body = ErrorEnvelope),
    )
)]
fn add_checklist_item() {}

/// The lead's checklist alone, grouped, in template order (the payload's `checklistItems`).
#[utoipa::path(
    get, path = "/api/v1/leads/{leadId}/checklist", tag = "leads", operation_id = "getChecklist",
    params(("leadId" = String, Path, description = "The lead's id (a UUID)")),
    responses(
        (status = 200, description = "The checklist groups", body = Vec<ChecklistGroup>),
        (status = 401, description = "UNAUTHENTICATED", body = ErrorEnvelope),
        (status = 404, description = "NOT_FOUND: no such lead in the key's workspace", body = ErrorEnvelope),
        (status = 429, description = "RATE_LIMITED", body = ErrorEnvelope),
        (status = 500, description = "INTERNAL", body = ErrorEnvelope),
    )
)]
fn get_checklist() {}

/// The lead's timeline: its last 100 action logs, newest first.
#[utoipa::path(
    get, path = "/api/v1/leads/{leadId}/action-logs", tag = "leads", operation_id = "getActionLogs",
    params(("leadId" = String, Path, description = "The lead's id (a UUID)")),
    responses(
        (status = 200, description = "The action logs, newest first", body = Vec<ActionLogEntry>),
        (status = 401, description = "UNAUTHENTICATED", body = ErrorEnvelope),
        (status = 404, description = "NOT_FOUND: no such lead in the key's workspace", body = ErrorEnvelope),
        (status = 429, description = "RATE_LIMITED", body = ErrorEnvelope),
        (status = 500, description = "INTERNAL", body = ErrorEnvelope),
    )
)]
fn get_action_logs() {}
