//! Workspace API keys: minted once, stored as a hash, checked in constant time.
//!
//! A key reads `lg_live_<lookup><secret>` (or `lg_test_...`): 16 hex characters of public
//! lookup id, which finds the row, and 64 hex characters (256 bits) of secret. Only the
//! SHA-256 of the whole key is stored; a plain hash is enough because the key is random
//! and long, unlike a password.
//!
//! Keys are read from the database on every request (no cache), so a revoked key is
//! refused on its next request on every replica. `last_used_at` is kept to the minute:
//! a request writes it only when the stored value is missing or older than
//! `LAST_USED_PRECISION`, so a busy key costs one UPDATE a minute, not one per request.

use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::entities::{api_key, enums::ApiKeyMode, workspace};
use crate::error::{Error, Result};

use super::clock;

const LOOKUP_HEX: usize = 16;
const SECRET_HEX: usize = 64;

/// How stale `last_used_at` may get before a request writes it again.
pub const LAST_USED_PRECISION: chrono::Duration = chrono::Duration::minutes(1);

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
        last_used_at: Set(None),
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
    let now = clock::now();
    if key
        .last_used_at
        .is_none_or(|at| at <= now - LAST_USED_PRECISION)
    {
        match touch(db, key.id, now).await {
            // The write lock is busy (SQLite) or the row is contended: skip the touch
            // rather than fail or delay the request; the key's next request records it.
            Err(Error::Conflict(_)) => tracing::debug!("lastUsedAt not recorded: write conflict"),
            other => other?,
        }
    }
    Ok(Principal {
        workspace_id: workspace.id,
        api_key_id: key.id,
        mode: key.mode,
        default_region: workspace.default_region,
    })
}

/// Records a use of the key, unless another request (on any replica) already did within
/// the minute: the condition makes concurrent writers no-ops.
async fn touch(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    api_key::Entity::update_many()
        .col_expr(api_key::Column::LastUsedAt, Expr::value(now))
        .filter(api_key::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(api_key::Column::LastUsedAt.is_null())
                .add(api_key::Column::LastUsedAt.lte(now - LAST_USED_PRECISION)),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// The keys of a workspace that must exist, oldest first (revoked ones included).
pub async fn list(db: &impl ConnectionTrait, workspace_id: Uuid) -> Result<Vec<api_key::Model>> {
    if workspace::Entity::find_by_id(workspace_id)
        .one(db)
        .await?
        .is_none()
    {
        return Err(Error::bad_input("workspace", "no such workspace"));
    }
    Ok(api_key::Entity::find()
        .filter(api_key::Column::WorkspaceId.eq(workspace_id))
        .order_by_asc(api_key::Column::CreatedAt)
        .order_by_asc(api_key::Column::Id)
        .all(db)
        .await?)
}

/// Revokes a key; revoking a revoked key keeps its first `revoked_at`. Returns the key.
pub async fn revoke(db: &impl ConnectionTrait, id: Uuid) -> Result<api_key::Model> {
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(clock::now()))
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    api_key::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("API key"))
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
