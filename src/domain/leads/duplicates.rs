//! The duplicate policy of creates: which live leads a new lead duplicates, and the lock
//! that makes "look, then create" safe across replicas.
//!
//! A new lead duplicates the live leads of its workspace (not deleted, not test) with the
//! same normalised email or the same E.164 phone. Test leads never match (as in
//! `matching`), so a test key's creates always create.
//!
//! Race safety: two replicas creating the same person with SKIP must not both see "no
//! match" and both insert. The lock has to live where every replica sees it, the database:
//! an in-memory lock would only order the requests of one process. On PostgreSQL each
//! create takes a transaction-scoped advisory lock (`pg_advisory_xact_lock`) per key
//! (workspace, email) and (workspace, phone) before it looks, so a second create of the
//! same person waits until the first commits and then sees its lead (READ COMMITTED: the
//! look is a new statement, after the wait). The lock goes with the transaction; keys are
//! taken in sorted order so two batches cannot deadlock on each other. On SQLite, writes
//! already run one at a time (`BEGIN IMMEDIATE`), which orders them the same way.

use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, Statement};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entities::lead;
use crate::error::{Error, Result};

/// What a create does when the lead duplicates live leads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnDuplicate {
    /// Create anyway (today's behaviour, the default).
    #[default]
    Create,
    /// Create nothing; answer the existing lead.
    Skip,
    /// Apply the input to the existing lead, by updateLead's rules.
    Update,
    /// Refuse with DUPLICATE_LEAD and the matching ids.
    Reject,
}

impl OnDuplicate {
    /// Reads the policy in any case (`skip`, `SKIP`), for REST and the CLI.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "CREATE" => Some(Self::Create),
            "SKIP" => Some(Self::Skip),
            "UPDATE" => Some(Self::Update),
            "REJECT" => Some(Self::Reject),
            _ => None,
        }
    }
}

/// What a new lead is matched by: its normalised email and E.164 phone (none for test
/// leads).
pub fn keys(lead: &lead::Model) -> (Option<&str>, Option<&str>) {
    if lead.is_test {
        return (None, None);
    }
    (lead.email_key.as_deref(), lead.phone_e164.as_deref())
}

/// Whether `existing` duplicates `new`, and by which field (`email` first).
pub fn matched_by(new: &lead::Model, existing: &lead::Model) -> Option<&'static str> {
    let (email, phone) = keys(new);
    if email.is_some() && existing.email_key.as_deref() == email {
        Some("email")
    } else if phone.is_some() && existing.phone_e164.as_deref() == phone {
        Some("phoneNumber")
    } else {
        None
    }
}

/// The refusal of REJECT: the field that matched and every matching id.
pub fn rejection(field: &str, matches: &[&lead::Model]) -> Error {
    Error::DuplicateLead {
        field: field.to_owned(),
        ids: matches.iter().map(|m| m.id).collect(),
    }
}

/// A 64-bit advisory lock id for one key: SHA-256 of the workspace, the kind and the
/// value (values never reach SQL text, only this number).
fn lock_id(workspace_id: Uuid, kind: &str, value: &str) -> i64 {
    let mut hasher = Sha256::new();
    hasher.update(b"leadgate:duplicate\0");
    hasher.update(workspace_id.as_bytes());
    hasher.update(kind.as_bytes());
    hasher.update([0]);
    hasher.update(value.as_bytes());
    let digest = hasher.finalize();
    i64::from_be_bytes(digest[..8].try_into().unwrap_or_default())
}

/// Locks every key of `leads` until the transaction ends (PostgreSQL; SQLite's write lock
/// is already held). One statement, none when no lead has a key.
pub async fn lock(
    txn: &impl ConnectionTrait,
    workspace_id: Uuid,
    leads: &[&lead::Model],
) -> Result<()> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let mut ids: Vec<i64> = leads
        .iter()
        .flat_map(|lead| {
            let (email, phone) = keys(lead);
            let email = email.map(|e| lock_id(workspace_id, "email", e));
            let phone = phone.map(|p| lock_id(workspace_id, "phone", p));
            [email, phone]
        })
        .flatten()
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    ids.sort_unstable();
    ids.dedup();
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    // Sorted in the subquery, so concurrent batches take shared keys in the same order.
    let sql = format!(
        "SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest(ARRAY[{list}]::bigint[]) AS k ORDER BY k) AS keys"
    );
    txn.query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?;
    Ok(())
}

/// The live leads of the workspace that any of `leads` duplicates, oldest first, in one
/// statement (none when no lead has a key).
pub async fn find(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    leads: &[&lead::Model],
) -> Result<Vec<lead::Model>> {
    let emails: Vec<&str> = leads.iter().filter_map(|l| keys(l).0).collect();
    let phones: Vec<&str> = leads.iter().filter_map(|l| keys(l).1).collect();
    if emails.is_empty() && phones.is_empty() {
        return Ok(Vec::new());
    }
    Ok(lead::Entity::find()
        .filter(crate::domain::matching::live_with(
            db.get_database_backend(),
            workspace_id,
            &emails,
            &phones,
        ))
        .order_by_asc(lead::Column::CreatedAt)
        .order_by_asc(lead::Column::Id)
        .all(db)
        .await?)
}
