//! IANA time-zone names, validated against the tz database chrono-tz ships.

use chrono_tz::Tz;

/// Returns the canonical spelling of an IANA zone name (`america/new_york` is refused:
/// the database is case-sensitive and so are the systems leads are synced to).
pub fn parse(raw: &str) -> Result<String, &'static str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("must not be empty");
    }
    trimmed
        .parse::<Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| "is not an IANA time zone (e.g. America/New_York)")
}

#[cfg(test)]
mod tests {
    #[test]
    fn accepts_iana_names_only() {
        assert_eq!(
            super::parse(" America/New_York ").unwrap(),
            "America/New_York"
        );
        assert_eq!(super::parse("UTC").unwrap(), "UTC");
        assert!(super::parse("Mars/Olympus").is_err());
        assert!(super::parse("EST5").is_err());
    }
}
