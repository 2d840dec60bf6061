//! `format=csv`: every lead of a range as one CSV row, written to the document store page
//! by page (500 leads at a time, so memory stays bounded whatever the range holds), and a
//! download URL valid for an hour, signed as document URLs are (S3's own presigned URL,
//! or leadgate's signed download route on a local folder).
//!
//! Exports are objects without a `documents` row, named `{workspaceId}/analytics-{id}.csv`:
//! the sweeper removes them once they are more than an hour old, when their URL has
//! expired.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::domain::{
    auth::Principal,
    documents::{DocumentStore, UrlSigner, store::ObjectWriter},
};
use crate::error::{Error, Result};

use super::{LeadChannel, LeadFigures, PAGE_SIZE, Range, Token, breakdown, range::format};

/// The CSV's columns, in order (README lists them).
pub const COLUMNS: [&str; 22] = [
    "leadId",
    "firstName",
    "lastName",
    "email",
    "phoneNumber",
    "createdAt",
    "completedAt",
    "optedOutAt",
    "totalMessages",
    "inboundMessages",
    "outboundMessages",
    "lastInboundAt",
    "lastOutboundAt",
    "sms.inbound",
    "sms.outbound",
    "sms.lastInboundAt",
    "sms.lastOutboundAt",
    "email.inbound",
    "email.outbound",
    "email.lastInboundAt",
    "email.lastOutboundAt",
    "checklist",
];

/// The content type the export is stored and served with.
pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// A written export: where to download it and until when.
#[derive(Debug, Clone)]
pub struct Export {
    pub download_url: String,
    pub expires_at: DateTime<Utc>,
    /// Leads written (rows after the header).
    pub rows: u64,
}

/// The storage key of an export (the workspace first, as for documents).
pub fn key_for(workspace_id: Uuid, export_id: Uuid) -> String {
    format!("{workspace_id}/{}", file_name(export_id))
}

fn file_name(export_id: Uuid) -> String {
    format!("analytics-{export_id}.csv")
}

/// Whether the last segment of a storage key names an export (`analytics-{uuid}.csv`).
pub fn is_export_name(name: &str) -> bool {
    name.strip_prefix("analytics-")
        .and_then(|rest| rest.strip_suffix(".csv"))
        .is_some_and(|id| Uuid::parse_str(id).is_ok())
}

/// Writes the CSV of every lead of `range` to `store` and signs its URL.
pub async fn write(
    db: &impl ConnectionTrait,
    principal: &Principal,
    range: Range,
    store: &DocumentStore,
    signer: &UrlSigner,
    now: DateTime<Utc>,
) -> Result<Export> {
    let export_id = Uuid::now_v7();
    let key = key_for(principal.workspace_id, export_id);
    let mut writer = store.writer(&key).await?;
    let rows = match write_rows(db, principal, &range, &mut writer).await {
        Ok(rows) => rows,
        Err(err) => {
            writer.abort().await;
            return Err(err);
        }
    };
    writer.finish().await?;
    let ttl = signer.ttl();
    let presigned = store
        .presigned_url(
            &key,
            &file_name(export_id),
            CONTENT_TYPE,
            ttl.to_std().unwrap_or_default(),
        )
        .await?;
    let (download_url, expires_at) = match presigned {
        Some(url) => (url, now + ttl),
        None => signer.sign(&key, now),
    };
    Ok(Export {
        download_url,
        expires_at,
        rows,
    })
}

async fn write_rows(
    db: &impl ConnectionTrait,
    principal: &Principal,
    range: &Range,
    writer: &mut ObjectWriter,
) -> Result<u64> {
    writer
        .write(Bytes::from(encode(&[COLUMNS.map(String::from)])?))
        .await?;
    let mut token: Option<Token> = None;
    let mut rows = 0;
    loop {
        let page = breakdown::page(db, principal, range, token.as_ref(), PAGE_SIZE).await?;
        let records = page.leads.iter().map(record).collect::<Result<Vec<_>>>()?;
        rows += records.len() as u64;
        if !records.is_empty() {
            writer.write(Bytes::from(encode(&records)?)).await?;
        }
        match (page.has_next, page.end_token) {
            (true, Some(end)) => token = Some(Token::decode("token", &end, range)?),
            _ => return Ok(rows),
        }
    }
}

fn encode<const N: usize>(records: &[[String; N]]) -> Result<Vec<u8>> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    for record in records {
        csv.write_record(record)
            .map_err(|e| Error::Internal(format!("writing CSV: {e}")))?;
    }
    csv.into_inner()
        .map_err(|e| Error::Internal(format!("writing CSV: {e}")))
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(format).unwrap_or_default()
}

fn channel(c: &LeadChannel) -> [String; 4] {
    [
        c.inbound.to_string(),
        c.outbound.to_string(),
        time(c.last_inbound_at),
        time(c.last_outbound_at),
    ]
}

/// One lead's row; empty cells for nulls, the checklist as a JSON array of the documented
/// items (`code, required, status, value, updatedAt, source`).
fn record(lead: &LeadFigures) -> Result<[String; 22]> {
    let checklist = serde_json::to_string(&lead.checklist)
        .map_err(|e| Error::Internal(format!("checklist as JSON: {e}")))?;
    let [sms_in, sms_out, sms_last_in, sms_last_out] = channel(&lead.channels.sms);
    let [email_in, email_out, email_last_in, email_last_out] = channel(&lead.channels.email);
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    Ok([
        lead.lead_id.to_string(),
        lead.first_name.clone(),
        text(&lead.last_name),
        text(&lead.email),
        text(&lead.phone_number),
        format(lead.created_at),
        time(lead.completed_at),
        time(lead.opted_out_at),
        lead.total_messages.to_string(),
        lead.inbound_messages.to_string(),
        lead.outbound_messages.to_string(),
        time(lead.last_inbound_at),
        time(lead.last_outbound_at),
        sms_in,
        sms_out,
        sms_last_in,
        sms_last_out,
        email_in,
        email_out,
        email_last_in,
        email_last_out,
        checklist,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_names_are_recognised_and_nothing_else() {
        let id = Uuid::now_v7();
        let key = key_for(Uuid::nil(), id);
        assert!(is_export_name(key.rsplit('/').next().unwrap()));
        assert!(!is_export_name(&id.to_string()));
        assert!(!is_export_name("analytics-x.csv"));
    }
}
