//! Webhooks: endpoints a workspace registers, and the delivery of its outbox events to
//! them (signed per Standard Webhooks, retried with back-off, at least once, in event
//! order per endpoint).

pub mod deliveries;
pub mod dispatch;
pub mod dispatcher;
pub mod endpoints;
pub mod send;
pub mod signing;
pub mod target;

use std::time::Duration;

/// How webhooks behave in this deployment (`serve` flags; see README "Events").
#[derive(Debug, Clone)]
pub struct Settings {
    /// Allow private, loopback and link-local targets (tests, on-premises receivers).
    pub allow_private: bool,
    /// Attempts per delivery, the first included. Default 3.
    pub max_attempts: u32,
    /// Wait before the second attempt; each later one waits twice the one before.
    /// Default 1 minute.
    pub retry_base: Duration,
    /// FAILED deliveries in a row that disable an endpoint. Default 5.
    pub disable_after: u32,
    /// How long a receiver has to answer. Default 5 s.
    pub timeout: Duration,
    /// How often an idle dispatcher looks for work without being woken. Default 1 s.
    pub poll_interval: Duration,
    /// Delivered events are pruned after this long. Default 7 days.
    pub retention: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            allow_private: false,
            max_attempts: 3,
            retry_base: Duration::from_secs(60),
            disable_after: 5,
            timeout: Duration::from_secs(5),
            poll_interval: Duration::from_secs(1),
            retention: Duration::from_secs(7 * 24 * 3600),
        }
    }
}
