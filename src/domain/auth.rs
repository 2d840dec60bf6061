//! Workspace API keys: minted once, stored as a hash, checked in constant time.
//!
//! A key reads `lg_live_<lookup><secret>` (or `lg_test_...`): 16 hex characters of public
//! lookup id, which finds the row, and 64 hex characters (256 bits) of secret. Only the
//! SHA-256 of the whole key is stored; a plain hash is enough because the key is random
//! and long, unlike a password.

use rand::RngCore;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::entities::{api_key, enums::ApiKeyMode, workspace};
use crate::error::{Error, Result};

use super::clock;

const LOOKUP_HEX: usize = 16;
const SECRET_HEX: usize = 64;

/// Who is calling: resolved from the `x-api-key` header once per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub workspace_id: Uuid,
    pub api_key_id: Uuid,
    pub mode: ApiKeyMode,
    /// The workspace's region for national phone numbers.
    pub default_region: String,
}

impl Principal {
    /// Leads created with a test key are test leads.
    pub fn is_test(&self) -> bool {
        self.mode == ApiKeyMode::Test
    }
}

/// A freshly minted key: `key` is shown once and never stored.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub key: String,
    pub mode: ApiKeyMode,
}

fn prefix(mode: ApiKeyMode) -> &'static str {
    match mode {
        ApiKeyMode::Live => "lg_live_",
        ApiKeyMode::Test => "lg_test_",
    }
}

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Splits a presented key into its mode and lookup id, if it has our shape at all.
fn parse(key: &str) -> Option<(ApiKeyMode, &str)> {
    let (mode, rest) = if let Some(rest) = key.strip_prefix(prefix(ApiKeyMode::Live)) {
        (ApiKeyMode::Live, rest)
    } else {
        (
            ApiKeyMode::Test,
            key.strip_prefix(prefix(ApiKeyMode::Test))?,
        )
    };
    let well_formed = rest.len() == LOOKUP_HEX + SECRET_HEX
        && rest
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    well_formed.then(|| (mode, &rest[..LOOKUP_HEX]))
}

/// Mints a key for a workspace that must exist.
pub async fn issue(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    mode: ApiKeyMode,
) -> Result<IssuedKey> {
    if workspace::Entity::find_by_id(workspace_id)
        .one(db)
        .await?
        .is_none()
    {
        return Err(Error::bad_input("workspace", "no such workspace"));
    }
    let mut random = [0u8; (LOOKUP_HEX + SECRET_HEX) / 2];
    rand::rng().fill_bytes(&mut random);
    let body = hex::encode(random);
    let key = format!("{}{body}", prefix(mode));
    let id = Uuid::now_v7();
    api_key::Entity::insert(api_key::ActiveModel {
        id: Set(id),
        workspace_id: Set(workspace_id),
        lookup: Set(body[..LOOKUP_HEX].to_owned()),
        secret_hash: Set(hash(&key)),
        mode: Set(mode),
        created_at: Set(clock::now()),
        revoked_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(IssuedKey {
        id,
        workspace_id,
        key,
        mode,
    })
}

/// Resolves a presented key to its workspace, in one statement.
pub async fn authenticate(db: &impl ConnectionTrait, presented: &str) -> Result<Principal> {
    let (mode, lookup) = parse(presented.trim()).ok_or(Error::Unauthenticated)?;
    let found = api_key::Entity::find()
        .filter(api_key::Column::Lookup.eq(lookup))
        .find_also_related(workspace::Entity)
        .one(db)
        .await?;
    let Some((key, Some(workspace))) = found else {
        return Err(Error::Unauthenticated);
    };
    let hash_matches: bool = hash(presented.trim())
        .as_bytes()
        .ct_eq(key.secret_hash.as_bytes())
        .into();
    if !hash_matches || key.mode != mode || key.revoked_at.is_some() {
        return Err(Error::Unauthenticated);
    }
    Ok(Principal {
        workspace_id: workspace.id,
        api_key_id: key.id,
        mode: key.mode,
        default_region: workspace.default_region,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_our_shape() {
        let body = "0123456789abcdef".to_owned() + &"a".repeat(64);
        assert_eq!(
            parse(&format!("lg_live_{body}")),
            Some((ApiKeyMode::Live, "0123456789abcdef"))
        );
        assert_eq!(
            parse(&format!("lg_test_{body}")).map(|p| p.0),
            Some(ApiKeyMode::Test)
        );
        assert_eq!(parse(&format!("lg_prod_{body}")), None);
        assert_eq!(parse(&format!("lg_live_{}", &body[1..])), None);
        assert_eq!(parse(&format!("lg_live_{}", body.to_uppercase())), None);
        assert_eq!(parse(""), None);
    }
}
