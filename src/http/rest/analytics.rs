//! `GET /api/v0/analytics?start=&end=&format=json|csv&token=`: the documented analytics
//! of the key's workspace, a thin adapter over `domain::analytics`.

use axum::{
    extract::{RawQuery, State},
    http::HeaderMap,
    response::Response,
};
use serde_json::{Value, json};

use crate::domain::{
    analytics::{self, PAGE_SIZE, Range, Token},
    clock,
};
use crate::error::{Error, FieldError};
use crate::http::AppState;

use super::{authenticated, respond};

const PARAMETERS: [&str; 4] = ["start", "end", "format", "token"];

#[derive(Default)]
struct Params {
    start: Option<String>,
    end: Option<String>,
    format: Option<String>,
    token: Option<String>,
}

/// Reads the query string; unknown and repeated parameters are refused, each named.
fn params(query: Option<&str>) -> (Params, Vec<FieldError>) {
    let mut params = Params::default();
    let mut errors = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let slot = match name.as_ref() {
            "start" => &mut params.start,
            "end" => &mut params.end,
            "format" => &mut params.format,
            "token" => &mut params.token,
            _ => {
                errors.push(FieldError::new(
                    name.as_ref(),
                    format!(
                        "is not a known parameter (known: {})",
                        PARAMETERS.join(", ")
                    ),
                ));
                continue;
            }
        };
        if slot.replace(value.into_owned()).is_some() {
            errors.push(FieldError::new(name.as_ref(), "is given more than once"));
        }
    }
    (params, errors)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

/// `GET /api/v0/analytics`.
pub(crate) async fn analytics(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    respond(answer(&state, &headers, query.as_deref()).await)
}

async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<Value, Error> {
    let caller = authenticated(state, headers).await?;
    let (params, mut errors) = params(query);
    let format = match params.format.as_deref().map(str::trim) {
        None => Some(Format::Json),
        Some(f) if f.eq_ignore_ascii_case("json") => Some(Format::Json),
        Some(f) if f.eq_ignore_ascii_case("csv") => Some(Format::Csv),
        Some(_) => {
            errors.push(FieldError::new("format", "must be json or csv"));
            None
        }
    };
    if format == Some(Format::Csv) && params.token.is_some() {
        errors.push(FieldError::new(
            "token",
            "is not used with format=csv (the CSV holds the whole range)",
        ));
    }
    let range = match Range::parse(params.start.as_deref(), params.end.as_deref()) {
        Ok(range) => Some(range),
        Err(Error::BadInput(mut found)) => {
            errors.append(&mut found);
            None
        }
        Err(err) => return Err(err),
    };
    let (Some(range), Some(format), true) = (range, format, errors.is_empty()) else {
        return Err(Error::BadInput(errors));
    };
    let principal = &caller.principal;
    if format == Format::Csv {
        let export = analytics::export::write(
            &state.db,
            principal,
            range,
            &state.config.documents.store,
            &state.config.url_signer,
            clock::now(),
        )
        .await?;
        return Ok(json!({
            "downloadUrl": export.download_url,
            "expiresAt": analytics_time(export.expires_at),
        }));
    }
    let token = params
        .token
        .as_deref()
        .map(|text| Token::decode("token", text, &range))
        .transpose()?;
    let report = analytics::report(&state.db, principal, range, token.as_ref(), PAGE_SIZE).await?;
    Ok(json!({
        "start": analytics_time(report.range.start),
        "end": analytics_time(report.range.end),
        "nextToken": report.breakdown.next_token(),
        "totals": report.totals,
        "breakdown": report.breakdown.leads,
    }))
}

fn analytics_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
