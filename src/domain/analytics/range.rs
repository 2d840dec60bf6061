//! The range analytics cover and the opaque token of a breakdown page.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Serialize, Serializer};
use uuid::Uuid;

use crate::error::{Error, FieldError, Result};

/// Leads created in `[start, end]`, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Which end of the range a date names: a plain date starts at midnight and ends at the
/// day's last millisecond (leadgate stores milliseconds), so `end=2026-01-31` includes
/// the 31st.
#[derive(Clone, Copy)]
enum Bound {
    Start,
    End,
}

const FORMAT_HINT: &str =
    "must be an ISO 8601 date-time (2026-01-30T02:00:00.000Z) or date (2026-01-30)";

/// An ISO 8601 instant: RFC 3339 with an offset, a date-time without one (UTC), or a date.
fn parse_bound(text: &str, bound: Bound) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let midnight = day.and_hms_opt(0, 0, 0)?.and_utc();
    Some(match bound {
        Bound::Start => midnight,
        Bound::End => midnight + TimeDelta::days(1) - TimeDelta::milliseconds(1),
    })
}

impl Range {
    /// Reads `start` and `end` as given by a client; every problem is named at once.
    pub fn parse(start: Option<&str>, end: Option<&str>) -> Result<Self> {
        let mut errors = Vec::new();
        let mut read = |field: &str, text: Option<&str>, bound| match text {
            None => {
                errors.push(FieldError::new(field, "is required"));
                None
            }
            Some(text) => {
                let parsed = parse_bound(text, bound);
                if parsed.is_none() {
                    errors.push(FieldError::new(field, FORMAT_HINT));
                }
                parsed
            }
        };
        let start = read("start", start, Bound::Start);
        let end = read("end", end, Bound::End);
        match (start, end) {
            (Some(start), Some(end)) if errors.is_empty() => Self::new(start, end),
            _ => Err(Error::BadInput(errors)),
        }
    }

    /// A range from two instants; `start` after `end` is refused naming `start`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self> {
        if start > end {
            return Err(Error::bad_input("start", "must not be after end"));
        }
        Ok(Self { start, end })
    }
}

/// Where a breakdown page starts: after the lead `(created_at, id)`, in a given range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

/// The token's content: the range it belongs to and the last lead of its page.
#[derive(Serialize, Deserialize)]
struct Encoded {
    s: String,
    e: String,
    c: String,
    i: Uuid,
}

fn exact(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

impl Token {
    pub fn encode(&self, range: &Range) -> String {
        let encoded = Encoded {
            s: exact(range.start),
            e: exact(range.end),
            c: exact(self.created_at),
            i: self.id,
        };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&encoded).expect("token serialises"))
    }

    /// Reads a token handed out for `range`; anything else is refused naming `field`.
    pub fn decode(field: &str, text: &str, range: &Range) -> Result<Self> {
        let bad = || {
            Error::bad_input(
                field,
                "is not a token of this range (pass back the nextToken of the previous page, with the same start and end)",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| bad())?;
        let encoded: Encoded = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if encoded.s != exact(range.start) || encoded.e != exact(range.end) {
            return Err(bad());
        }
        let created_at = DateTime::parse_from_rfc3339(&encoded.c)
            .map_err(|_| bad())?
            .with_timezone(&Utc);
        Ok(Self {
            created_at,
            id: encoded.i,
        })
    }
}

/// Instants as the documented API shows them: RFC 3339 UTC with milliseconds.
pub fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(super) fn serialize_instant<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*t))
}

pub(super) fn serialize_time<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&format(*t)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_cover_whole_days_and_instants_are_exact() {
        let range = Range::parse(Some("2026-01-01"), Some("2026-01-31")).unwrap();
        assert_eq!(format(range.start), "2026-01-01T00:00:00.000Z");
        assert_eq!(format(range.end), "2026-01-31T23:59:59.999Z");
        let range = Range::parse(
            Some("2026-01-01T10:00:00+02:00"),
            Some("2026-01-01T09:00:00"),
        )
        .unwrap();
        assert_eq!(format(range.start), "2026-01-01T08:00:00.000Z");
        assert_eq!(format(range.end), "2026-01-01T09:00:00.000Z");
    }

    #[test]
    fn bad_ranges_name_their_parameter() {
        let err = Range::parse(Some("2026-02-01"), Some("2026-01-01")).unwrap_err();
        assert_eq!(err.to_string(), "start: must not be after end");
        let err = Range::parse(Some("yesterday"), None).unwrap_err();
        assert!(
            err.to_string().starts_with("start: must be an ISO 8601"),
            "{err}"
        );
        assert!(err.to_string().contains("end: is required"), "{err}");
    }

    #[test]
    fn tokens_round_trip_within_their_range_only() {
        let range = Range::parse(Some("2026-01-01"), Some("2026-01-31")).unwrap();
        let token = Token {
            created_at: range.start + TimeDelta::milliseconds(1234),
            id: Uuid::now_v7(),
        };
        let text = token.encode(&range);
        assert_eq!(Token::decode("token", &text, &range).unwrap(), token);
        let other = Range::parse(Some("2026-01-01"), Some("2026-02-28")).unwrap();
        assert!(Token::decode("token", &text, &other).is_err());
        assert!(Token::decode("token", "garbage!", &range).is_err());
    }
}
