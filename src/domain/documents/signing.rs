//! Leadgate's own signed download URLs, for stores that cannot presign (the local
//! folder). A URL is `{base}/{storage_key}?expires={unix}&signature={hex}`, where the
//! signature is HMAC-SHA256 over `{storage_key}\n{expires}` with the deployment's signing
//! key, so any replica verifies it without a database. Storage keys start with the
//! workspace id, so a URL cannot be bent to another workspace's file without breaking
//! its signature.
//!
//! Rotation: the current key signs; the previous one (if set) still verifies, so URLs
//! handed out just before a rotation keep working for their hour.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Signs download URLs.
#[derive(Clone)]
pub struct UrlSigner {
    key: Vec<u8>,
    /// The key before the last rotation: verifies, never signs.
    previous: Option<Vec<u8>>,
    base_url: String,
    ttl: chrono::Duration,
}

impl std::fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.debug_struct("UrlSigner")
            .field("base_url", &self.base_url)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl UrlSigner {
    pub fn new(
        key: impl Into<Vec<u8>>,
        base_url: impl Into<String>,
        ttl: chrono::Duration,
    ) -> Self {
        Self {
            key: key.into(),
            previous: None,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            ttl,
        }
    }

    /// Also accepts URLs signed with `previous` (the key before a rotation).
    pub fn with_previous(self, previous: impl Into<Vec<u8>>) -> Self {
        Self {
            previous: Some(previous.into()),
            ..self
        }
    }

    /// Where signed URLs point (`--documents-url`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How long a signed URL stays valid.
    pub fn ttl(&self) -> chrono::Duration {
        self.ttl
    }

    /// A signer with a random key of 256 bits: URLs it signs die with the process and
    /// no other replica verifies them (for `serve --demo` and tests).
    pub fn random(base_url: impl Into<String>, ttl: chrono::Duration) -> Self {
        use rand::RngCore;
        let mut key = vec![0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self::new(key, base_url, ttl)
    }

    fn signature(key: &[u8], storage_key: &str, expires: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(format!("{storage_key}\n{expires}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// A URL for `storage_key` valid until `now + ttl`.
    pub fn sign(&self, storage_key: &str, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
        let expires_at = now + self.ttl;
        let expires = expires_at.timestamp();
        let url = format!(
            "{}/{storage_key}?expires={expires}&signature={}",
            self.base_url,
            Self::signature(&self.key, storage_key, expires)
        );
        (url, expires_at)
    }

    /// Whether a presented signature is ours (current or previous key) and not expired
    /// (constant-time compare).
    pub fn verify(
        &self,
        storage_key: &str,
        expires: i64,
        signature: &str,
        now: DateTime<Utc>,
    ) -> bool {
        use subtle::ConstantTimeEq;
        let matches = |key: &[u8]| {
            let expected = Self::signature(key, storage_key, expires);
            bool::from(expected.as_bytes().ct_eq(signature.as_bytes()))
        };
        now.timestamp() <= expires
            && (matches(&self.key) || self.previous.as_deref().is_some_and(matches))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_urls_verify_until_they_expire() {
        let signer = UrlSigner::new(
            b"k".to_vec(),
            "https://files.example/",
            chrono::Duration::minutes(15),
        );
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let (url, expires_at) = signer.sign("ws/doc.pdf", now);
        assert!(url.starts_with("https://files.example/ws/doc.pdf?expires=1800000900&signature="));
        let signature = url.rsplit('=').next().unwrap();
        assert!(signer.verify("ws/doc.pdf", expires_at.timestamp(), signature, now));
        assert!(!signer.verify("ws/other.pdf", expires_at.timestamp(), signature, now));
        assert!(!signer.verify(
            "ws/doc.pdf",
            expires_at.timestamp(),
            signature,
            expires_at + chrono::Duration::seconds(1)
        ));
    }

    #[test]
    fn the_previous_key_verifies_but_never_signs() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let ttl = chrono::Duration::hours(1);
        let old = UrlSigner::new(b"old".to_vec(), "/documents", ttl);
        let (url, expires_at) = old.sign("ws/doc", now);
        let old_signature = url.rsplit('=').next().unwrap().to_owned();
        let rotated =
            UrlSigner::new(b"new".to_vec(), "/documents", ttl).with_previous(b"old".to_vec());
        assert!(rotated.verify("ws/doc", expires_at.timestamp(), &old_signature, now));
        let (url, _) = rotated.sign("ws/doc", now);
        assert_ne!(url.rsplit('=').next().unwrap(), old_signature);
        let unrotated = UrlSigner::new(b"new".to_vec(), "/documents", ttl);
        assert!(!unrotated.verify("ws/doc", expires_at.timestamp(), &old_signature, now));
    }
}
