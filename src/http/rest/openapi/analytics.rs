//! The OpenAPI description of `GET /api/v0/analytics` (see `openapi/mod.rs`): types that
//! only describe the JSON `domain::analytics` answers; they are never built.
#![allow(dead_code)]

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::schemas::ErrorEnvelope;

/// Analytics of the key's leads created in `[start, end]` (deleted and test leads
/// excluded): JSON pages of at most 500 leads, or with `format=csv` a signed link to a
/// CSV of the whole range.
#[utoipa::path(
    get, path = "/api/v0/analytics", tag = "analytics", operation_id = "getAnalytics",
    params(
        ("start" = String, Query, description = "ISO 8601 date-time or date (a date starts at 00:00:00.000Z); inclusive"),
        ("end" = String, Query, description = "ISO 8601 date-time or date (a date ends at 23:59:59.999Z); inclusive; not before start"),
        ("format" = Option<AnalyticsFormat>, Query, description = "json (default) or csv"),
        ("token" = Option<String>, Query, description = "The nextToken of the previous page (json only)"),
    ),
    responses(
        (status = 200, description = "format=json: totals and one page of the breakdown; format=csv: a signed download URL, valid 1 hour", body = AnalyticsAnswer),
        (status = 400, description = "BAD_USER_INPUT naming the parameter: missing or malformed start or end, start after end, unknown format, a malformed token, an unknown or repeated parameter", body = ErrorEnvelope),
        (status = 401, description = "UNAUTHENTICATED", body = ErrorEnvelope),
        (status = 408, description = "TIMEOUT", body = ErrorEnvelope),
        (status = 429, description = "RATE_LIMITED", body = ErrorEnvelope),
        (status = 500, description = "INTERNAL", body = ErrorEnvelope),
        (status = 503, description = "SERVICE_UNAVAILABLE", body = ErrorEnvelope),
    )
)]
fn analytics() {}

/// `format`, in any case.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AnalyticsFormat {
    Json,
    Csv,
}

/// The answer: a page (format=json) or a download link (format=csv).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum AnalyticsAnswer {
    Page(Box<AnalyticsPage>),
    Download(AnalyticsDownload),
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalyticsDownload {
    /// A signed URL to the CSV, valid for 1 hour.
    pub download_url: String,
    /// When the URL expires (RFC 3339).
    pub expires_at: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsPage {
    pub start: String,
    pub end: String,
    /// Pass back as `token` for the next page; null on the last page.
    pub next_token: Option<String>,
    pub totals: AnalyticsTotals,
    pub breakdown: Vec<AnalyticsLead>,
}

#[derive(Serialize, ToSchema)]
pub struct Direction {
    pub inbound: i64,
    pub outbound: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ChannelTotals {
    pub sms: Direction,
    pub email: Direction,
}

#[derive(Serialize, ToSchema)]
pub struct BySource {
    pub agent: i64,
    pub imported: i64,
    pub manual: i64,
    pub portal: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompletionTotals {
    pub total_required: i64,
    pub total_completed: i64,
    pub by_source: BySource,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InterventionTotals {
    pub document_overrides: i64,
    pub escalations: i64,
    pub manual_updates: i64,
    pub message_edits: i64,
    pub message_rejects: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsTotals {
    pub count: i64,
    pub leads_completed: i64,
    pub leads_opted_out: i64,
    pub total_messages: i64,
    pub inbound_messages: i64,
    pub outbound_messages: i64,
    pub channels: ChannelTotals,
    pub completion: CompletionTotals,
    pub interventions: InterventionTotals,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeadChannel {
    pub inbound: i64,
    pub outbound: i64,
    pub last_inbound_at: Option<String>,
    pub last_outbound_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LeadChannels {
    pub sms: LeadChannel,
    pub email: LeadChannel,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsChecklistItem {
    pub code: String,
    pub required: bool,
    pub status: String,
    pub value: Option<Value>,
    pub updated_at: Option<String>,
    /// Not recorded by leadgate: always null.
    pub source: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsLead {
    pub lead_id: String,
    pub first_name: String,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub created_at: String,
    pub completed_at: Option<String>,
    pub opted_out_at: Option<String>,
    pub total_messages: i64,
    pub inbound_messages: i64,
    pub outbound_messages: i64,
    pub last_inbound_at: Option<String>,
    pub last_outbound_at: Option<String>,
    pub channels: LeadChannels,
    pub checklist: Vec<AnalyticsChecklistItem>,
}
