//! Runtime settings shared by every request (from the CLI / environment).

use std::{num::NonZeroU32, time::Duration};

use crate::domain::documents::{UrlSigner, upload};

/// Settings with production defaults; see README "Configuration".
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest request body accepted (413 beyond). Default 1 MiB.
    pub body_limit_bytes: usize,
    /// Requests running longer are answered 408. Default 30 s.
    pub request_timeout: Duration,
    /// GraphQL operation limits (depth, complexity, aliases, root fields, batch size,
    /// query size); see `graphql::limits`.
    pub limits: crate::graphql::limits::Limits,
    /// Whether clients may introspect the schema (GraphiQL needs it). Default true.
    pub introspection: bool,
    /// Browser origins allowed to call the API cross-origin (CORS). Default none: only
    /// same-origin pages (and non-browser clients).
    pub cors_origins: Vec<String>,
    /// Signs document download URLs. The default is a random key per process (`serve`
    /// requires a configured one unless `--demo`).
    pub url_signer: UrlSigner,
    /// Where document bytes go and what uploads accept. The default keeps them in memory
    /// (tests); `serve` opens `--documents`.
    pub documents: upload::Settings,
    /// Requests per API key, per replica; `None` turns rate limiting off.
    pub rate_limit: Option<RateLimit>,
    /// Webhook targets, retries and retention (see README "Events").
    pub webhooks: crate::domain::webhooks::Settings,
}

/// A token bucket per API key: `burst` requests at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_second: NonZeroU32,
    pub burst: NonZeroU32,
}

impl Default for RateLimit {
    /// 50 requests a second with bursts of 100, per key and replica.
    fn default() -> Self {
        Self {
            per_second: NonZeroU32::new(50).expect("non-zero"),
            burst: NonZeroU32::new(100).expect("non-zero"),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            body_limit_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            limits: Default::default(),
            introspection: true,
            cors_origins: Vec::new(),
            url_signer: UrlSigner::random("/documents", chrono::Duration::hours(1)),
            documents: upload::Settings::default(),
            rate_limit: Some(RateLimit::default()),
            webhooks: Default::default(),
        }
    }
}
