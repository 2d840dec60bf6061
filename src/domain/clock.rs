//! The current time, at the precision leadgate stores and shows (milliseconds), so that
//! what a mutation returns equals what a later read returns on every backend.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(TimeDelta::milliseconds(1))
        .unwrap_or(now)
}
