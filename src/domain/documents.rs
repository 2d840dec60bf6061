//! Documents attached to a lead's checklist items, action logs or messages, and the
//! time-limited signed URLs clients download them with.
//!
//! leadgate does not hold the bytes: they live in object storage under `storage_key`.
//! A URL is `{base}/{storage_key}?expires={unix}&signature={hex}`, where the signature is
//! HMAC-SHA256 over `{storage_key}\n{expires}` with the deployment's signing key, so any
//! replica (or the storage proxy) can verify it without a database.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use sha2::Sha256;
use uuid::Uuid;

use crate::entities::document;
use crate::error::Result;

/// What a document hangs off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    LeadChecklistItem(Uuid),
    ActionLog(Uuid),
    Message(Uuid),
}

/// The documents of many owners of one workspace, oldest first, in one statement.
pub async fn for_owners(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    owners: &[Owner],
) -> Result<HashMap<Owner, Vec<document::Model>>> {
    let ids = |pick: fn(&Owner) -> Option<Uuid>| owners.iter().filter_map(pick).collect::<Vec<_>>();
    let items = ids(|o| {
        if let Owner::LeadChecklistItem(id) = o {
            Some(*id)
        } else {
            None
        }
    });
    let logs = ids(|o| {
        if let Owner::ActionLog(id) = o {
            Some(*id)
        } else {
            None
        }
    });
    let messages = ids(|o| {
        if let Owner::Message(id) = o {
            Some(*id)
        } else {
            None
        }
    });
    let rows = document::Entity::find()
        .filter(document::Column::WorkspaceId.eq(workspace_id))
        .filter(
            Condition::any()
                .add(document::Column::LeadChecklistItemId.is_in(items))
                .add(document::Column::ActionLogId.is_in(logs))
                .add(document::Column::MessageId.is_in(messages)),
        )
        .order_by_asc(document::Column::CreatedAt)
        .order_by_asc(document::Column::Id)
        .all(db)
        .await?;
    let mut by_owner: HashMap<Owner, Vec<document::Model>> = HashMap::new();
    for row in rows {
        let owners_of_row = [
            row.lead_checklist_item_id.map(Owner::LeadChecklistItem),
            row.action_log_id.map(Owner::ActionLog),
            row.message_id.map(Owner::Message),
        ];
        for owner in owners_of_row.into_iter().flatten() {
            if owners.contains(&owner) {
                by_owner.entry(owner).or_default().push(row.clone());
            }
        }
    }
    Ok(by_owner)
}

/// Signs download URLs.
#[derive(Clone)]
pub struct UrlSigner {
    key: Vec<u8>,
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
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            ttl,
        }
    }

    /// A signer with a random key of 256 bits: URLs it signs die with the process and
    /// no other replica verifies them (for `serve --demo` and tests).
    pub fn random(base_url: impl Into<String>, ttl: chrono::Duration) -> Self {
        use rand::RngCore;
        let mut key = vec![0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self::new(key, base_url, ttl)
    }

    fn signature(&self, storage_key: &str, expires: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
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
            self.signature(storage_key, expires)
        );
        (url, expires_at)
    }

    /// Whether a presented signature is ours and not expired (constant-time compare).
    pub fn verify(
        &self,
        storage_key: &str,
        expires: i64,
        signature: &str,
        now: DateTime<Utc>,
    ) -> bool {
        use subtle::ConstantTimeEq;
        let expected = self.signature(storage_key, expires);
        now.timestamp() <= expires && bool::from(expected.as_bytes().ct_eq(signature.as_bytes()))
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
}
