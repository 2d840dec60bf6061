//! Phone numbers: E.164 when the number is valid, otherwise kept as given.
//!
//! phonenumber 0.3 misreads international numbers when a default region is passed
//! (`+33142764978` becomes `+3342764978`), so numbers written with `+` or `00` are parsed
//! without one; only national numbers use the workspace's default region.

use phonenumber::{Mode, country};

/// A phone number in its stored form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// What the lead shows: E.164 when valid, else the trimmed input.
    pub display: String,
    /// E.164 only when valid: the value matching compares.
    pub e164: Option<String>,
}

/// Longest input worth parsing; anything longer is not a phone number.
const MAX_LEN: usize = 64;

impl Phone {
    pub fn parse(raw: &str, default_region: &str) -> Result<Self, &'static str> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("must not be empty");
        }
        if trimmed.len() > MAX_LEN {
            return Err("is too long (at most 64 characters)");
        }
        let e164 = to_e164(trimmed, default_region);
        Ok(Self {
            display: e164.clone().unwrap_or_else(|| trimmed.to_owned()),
            e164,
        })
    }
}

/// E.164 form of `raw` when it is a valid number, `None` otherwise.
pub fn to_e164(raw: &str, default_region: &str) -> Option<String> {
    let raw = raw.trim();
    let (region, text) = if let Some(rest) = raw.strip_prefix("00") {
        (None, format!("+{rest}"))
    } else if raw.starts_with('+') {
        (None, raw.to_owned())
    } else {
        (default_region.parse::<country::Id>().ok(), raw.to_owned())
    };
    // Letters make phonenumber read vanity numbers or email-like strings as digits; a
    // lead's phone never legitimately holds them (RFC 3966 extensions aside).
    if text.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    let number = phonenumber::parse(region, &text).ok()?;
    number
        .is_valid()
        .then(|| number.format().mode(Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_numbers_use_the_default_region() {
        for raw in [
            "6782319992",
            "(678) 231-9992",
            "678.231.9992",
            "+1 678 231 9992",
            "001 678 231 9992",
        ] {
            assert_eq!(to_e164(raw, "US").as_deref(), Some("+16782319992"), "{raw}");
        }
    }

    #[test]
    fn international_numbers_ignore_the_default_region() {
        assert_eq!(
            to_e164("+33142764978", "US").as_deref(),
            Some("+33142764978")
        );
        assert_eq!(
            to_e164("0033142764978", "US").as_deref(),
            Some("+33142764978")
        );
    }

    #[test]
    fn invalid_numbers_are_kept_as_given() {
        let phone = Phone::parse(" 12345 ", "US").unwrap();
        assert_eq!(phone.display, "12345");
        assert_eq!(phone.e164, None);
        assert_eq!(to_e164("john@example.com", "US"), None);
        assert_eq!(to_e164("1-800-FLOWERS", "US"), None);
    }

    #[test]
    fn crafted_input_does_not_panic() {
        for raw in [
            "tel:+1;ext=",
            "+",
            "00",
            ";;;",
            "+1-",
            "tel:;phone-context=",
            "\u{0}\u{ffff}",
            "+999999999999999999999",
        ] {
            let _ = to_e164(raw, "US");
        }
    }
}
