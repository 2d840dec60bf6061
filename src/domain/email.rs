//! Email addresses: validated, trimmed, domain lower-cased; matched case-insensitively.

use std::str::FromStr;

use email_address::EmailAddress;

/// An email address that passed validation, in its stored form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Longest address SMTP can carry (RFC 5321 path limit).
    const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("must not be empty");
        }
        if trimmed.len() > Self::MAX_LEN {
            return Err("is too long (at most 254 characters)");
        }
        let parsed = EmailAddress::from_str(trimmed).map_err(|_| "is not a valid email address")?;
        // `EmailAddress` accepts display names ("John <j@x>"); a lead's email is the bare address.
        if parsed.as_str() != trimmed || trimmed.contains(['<', '>', ' ']) {
            return Err("is not a valid email address");
        }
        let domain = parsed.domain();
        if !domain.contains('.') {
            return Err("is not a valid email address (the domain has no dot)");
        }
        Ok(Self(format!(
            "{}@{}",
            parsed.local_part(),
            domain.to_lowercase()
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What two addresses are compared by: mailbox providers treat local parts
    /// case-insensitively in practice, so matching does too.
    pub fn match_key(&self) -> String {
        self.0.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_lowercases_the_domain_only() {
        let email = Email::parse("  John.Doe@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "John.Doe@example.com");
        assert_eq!(email.match_key(), "john.doe@example.com");
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "   ",
            "john",
            "john@",
            "@example.com",
            "a b@example.com",
            "John <j@x.com>",
            "j@localhost",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
