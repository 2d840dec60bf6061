//! One POST of a delivery: the target re-checked (every address its host resolves to,
//! then connected to exactly those, so a DNS answer cannot change between the check and
//! the connection), the Standard Webhooks headers, a timeout, no redirects.

use std::time::Instant;

use crate::domain::clock;

use super::{
    Settings,
    dispatch::{Claimed, Outcome},
    signing, target,
};

/// The header that carries the endpoint's secret as is, for receivers that only compare
/// a shared secret (the documented API's scheme) instead of verifying the signature.
pub const SECRET_HEADER: &str = "x-webhook-secret";

/// Sends one attempt; never fails, the outcome says what happened.
pub async fn send(claimed: &Claimed, settings: &Settings) -> Outcome {
    let started_at = clock::now();
    let clock = Instant::now();
    let result = post(claimed, settings).await;
    let duration_ms = clock.elapsed().as_millis() as i64;
    match result {
        Ok(code) => Outcome {
            started_at,
            duration_ms,
            status_code: Some(code),
            error: None,
        },
        Err(error) => Outcome {
            started_at,
            duration_ms,
            status_code: None,
            error: Some(error),
        },
    }
}

async fn post(claimed: &Claimed, settings: &Settings) -> Result<u16, String> {
    let url = target::parse(&claimed.endpoint.url)?;
    let addresses = target::addresses_for_delivery(&url, settings.allow_private).await?;
    let mut client = reqwest::Client::builder()
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("leadgate-webhooks/", env!("CARGO_PKG_VERSION")));
    if let Some(host) = url.host_str() {
        client = client.resolve_to_addrs(host, &addresses);
    }
    let client = client
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let body = serde_json::to_vec(&claimed.event.body).map_err(|e| e.to_string())?;
    let id = claimed.event.id.to_string();
    let timestamp = chrono::Utc::now().timestamp();
    let signature = signing::sign(&claimed.endpoint.secret, &id, timestamp, &body);
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .header(SECRET_HEADER, &claimed.endpoint.secret)
        .body(body)
        .send()
        .await
        .map_err(|e| describe(&e, settings))?;
    Ok(response.status().as_u16())
}

/// A transport error in words, without the URL (it may carry a token).
fn describe(error: &reqwest::Error, settings: &Settings) -> String {
    if error.is_timeout() {
        format!(
            "no answer within {}",
            humantime::format_duration(settings.timeout)
        )
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        let mut text = error.to_string();
        if let Some(url) = error.url() {
            text = text.replace(url.as_str(), "<url>");
        }
        text
    }
}
