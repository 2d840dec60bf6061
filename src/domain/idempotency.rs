//! Idempotency-Key for createLead: a client that retries a create (after a timeout, a
//! dropped connection, a 503) with the same key gets the first answer again instead of a
//! second lead, on any replica.
//!
//! How it holds without any process-local state:
//! - The key row (workspace, key) is inserted inside the lead's own transaction, before
//!   the lead (`claim`). The primary key is the lock: on PostgreSQL a second transaction
//!   inserting the same key waits until the first commits or rolls back (then its
//!   `ON CONFLICT DO NOTHING` inserts nothing and it reads the committed row, or it gets the
//!   key); on SQLite writers are serialised by `BEGIN IMMEDIATE`, so the second simply
//!   sees the committed row. A lead and its key therefore commit together or not at all.
//! - The rendered response is stored right after (`store_response`); until then the key
//!   answers IDEMPOTENCY_IN_PROGRESS. A process that dies in between leaves a key that
//!   names its lead: once the row is older than the request timeout, the next request with
//!   the key renders that lead's response and stores it (`Decision::Render`).
//! - A refused request (bad input, a failed transaction) leaves no row, so the key can be
//!   used again once the request is fixed.
//! - Rows are kept at least `RETENTION` (24 h), then `prune` drops them.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::OnConflict,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::{auth::Principal, clock, lead_input::LeadInput, leads};
use crate::entities::{idempotency_key, lead};
use crate::error::{Error, Result};

/// The HTTP header.
pub const HEADER: &str = "idempotency-key";

/// How long keys are kept at least.
pub const RETENTION: chrono::Duration = chrono::Duration::hours(24);

/// A key whose response is still missing this long after its lead committed belongs to
/// a request that died or failed after the commit: render it again. The default; HTTP
/// sets it to the request timeout plus a second (`Claim::answered_within`), since no
/// request runs longer.
pub const RENDER_DEADLINE: chrono::Duration = chrono::Duration::seconds(31);

/// The longest key accepted (Stripe's and the IETF draft's keys are UUIDs or similar).
const MAX_KEY_LEN: usize = 255;

/// A request's Idempotency-Key and what identifies the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub key: String,
    /// SHA-256 (hex) of the face and the canonical request.
    pub fingerprint: String,
    /// After this, a key without a stored response belongs to a request that ended
    /// without storing it.
    pub render_after: chrono::Duration,
}

impl Claim {
    /// Reads the header value: 1 to 255 visible ASCII characters.
    pub fn new(key: &str, face: &str, request: &Value) -> Result<Self> {
        let key = key.trim();
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::bad_input(
                "Idempotency-Key",
                format!("must be 1 to {MAX_KEY_LEN} visible ASCII characters (a UUID works)"),
            ));
        }
        Ok(Self {
            key: key.to_owned(),
            fingerprint: fingerprint(face, request),
            render_after: RENDER_DEADLINE,
        })
    }

    /// Requests are stopped after `request_timeout`: a response still missing a second
    /// later will never be stored by the request that created the lead.
    pub fn answered_within(self, request_timeout: std::time::Duration) -> Self {
        let render_after = chrono::Duration::from_std(request_timeout)
            .map_or(RENDER_DEADLINE, |t| t + chrono::Duration::seconds(1));
        Self {
            render_after,
            ..self
        }
    }
}

/// SHA-256 of the face and the request with object keys sorted, so the same request
/// sent again (keys in any order) matches and any other does not.
fn fingerprint(face: &str, request: &Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(face.as_bytes());
    hasher.update([0]);
    hasher.update(canonical(request).as_bytes());
    hex::encode(hasher.finalize())
}

fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), canonical(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

/// What to do with a request whose key is already stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Answer the stored body, byte for byte.
    Replay(String),
    /// The lead committed but its response is not stored yet: answer IN_PROGRESS.
    InProgress,
    /// The first request died before storing its response: render the lead's and store it.
    Render(Uuid),
}

/// What a stored key means for a request with `claim`.
pub fn decide(
    stored: &idempotency_key::Model,
    claim: &Claim,
    now: DateTime<Utc>,
) -> Result<Decision> {
    if stored.fingerprint != claim.fingerprint {
        return Err(Error::IdempotencyKeyReused);
    }
    Ok(match &stored.response {
        Some(body) => Decision::Replay(body.clone()),
        None if now - stored.created_at >= claim.render_after => Decision::Render(stored.lead_id),
        None => Decision::InProgress,
    })
}

/// What a keyed createLead answers.
#[derive(Debug, Clone)]
pub enum Answer {
    /// Render this lead's response, send it and store it (`store_response`).
    Lead(Box<lead::Model>),
    /// Send the first response again, byte for byte.
    Replay(String),
}

/// Before anything runs: the first response when the key already has one; `None` when
/// the request should run (a new key, or one whose first request died unanswered).
pub async fn precheck(
    db: &impl ConnectionTrait,
    principal: &Principal,
    claim: &Claim,
) -> Result<Option<String>> {
    let Some(stored) = lookup(db, principal.workspace_id, &claim.key).await? else {
        return Ok(None);
    };
    match decide(&stored, claim, clock::now())? {
        Decision::Replay(body) => Ok(Some(body)),
        Decision::InProgress => Err(Error::IdempotencyInProgress),
        Decision::Render(_) => Ok(None),
    }
}

/// Creates a lead under `claim`'s key: a new lead, or what the key already holds.
pub async fn create_lead<C: crate::domain::writers::Store>(
    db: &C,
    principal: &Principal,
    input: &LeadInput,
    claim: &Claim,
) -> Result<Answer> {
    match leads::create_keyed(db, principal, input, Some(claim)).await? {
        leads::Created::New(lead) => Ok(Answer::Lead(lead)),
        leads::Created::KeyTaken(stored) => match decide(&stored, claim, clock::now())? {
            Decision::Replay(body) => Ok(Answer::Replay(body)),
            Decision::InProgress => Err(Error::IdempotencyInProgress),
            Decision::Render(lead_id) => Ok(Answer::Lead(Box::new(
                leads::find(db, principal, lead_id).await?,
            ))),
        },
    }
}

/// A keyed GraphQL request's claim and what its createLead resolver found, shared between
/// the HTTP handler (which stores or replays the whole response) and the resolver.
#[derive(Debug)]
pub struct Keyed {
    pub claim: Claim,
    outcome: std::sync::Mutex<Option<Answer>>,
}

impl Keyed {
    pub fn new(claim: Claim) -> Self {
        Self {
            claim,
            outcome: std::sync::Mutex::new(None),
        }
    }

    /// Records what the resolver got (the first createLead of the request wins).
    pub fn record(&self, answer: Answer) {
        let mut outcome = self.outcome.lock().expect("idempotency outcome");
        outcome.get_or_insert(answer);
    }

    pub fn outcome(&self) -> Option<Answer> {
        self.outcome.lock().expect("idempotency outcome").clone()
    }
}

/// The stored key of the workspace, if any.
pub async fn lookup(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    key: &str,
) -> Result<Option<idempotency_key::Model>> {
    Ok(
        idempotency_key::Entity::find_by_id((workspace_id, key.to_owned()))
            .one(db)
            .await?,
    )
}

/// Inside the lead's transaction, before the lead is written: takes the key for
/// `lead_id`. `None` when this transaction got it; else the row another request
/// committed (on PostgreSQL this waits for that request's transaction to end).
pub(crate) async fn claim(
    txn: &impl ConnectionTrait,
    workspace_id: Uuid,
    claim: &Claim,
    lead_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<idempotency_key::Model>> {
    let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        workspace_id: Set(workspace_id),
        key: Set(claim.key.clone()),
        fingerprint: Set(claim.fingerprint.clone()),
        lead_id: Set(lead_id),
        response: Set(None),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            idempotency_key::Column::WorkspaceId,
            idempotency_key::Column::Key,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    if inserted == 1 {
        return Ok(None);
    }
    lookup(txn, workspace_id, &claim.key)
        .await?
        .ok_or_else(|| Error::Internal("idempotency key vanished after a conflict".into()))
        .map(Some)
}

/// Stores the response first sent for the key (once: a later render keeps the first).
pub async fn store_response(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    key: &str,
    body: &str,
) -> Result<()> {
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::Response,
            sea_orm::sea_query::Expr::value(body),
        )
        .filter(idempotency_key::Column::WorkspaceId.eq(workspace_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .filter(idempotency_key::Column::Response.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Drops keys older than `RETENTION`; returns how many.
pub async fn prune(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    let done = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(now - RETENTION))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// Prunes expired keys once an hour, for as long as the server runs. Every replica may
/// run it: the DELETE is idempotent, and a failed run is logged and tried again.
pub async fn keep_pruned(db: sea_orm::DatabaseConnection) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match prune(&db, clock::now()).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "expired idempotency keys pruned"),
            Err(err) => {
                let diagnostic = crate::diagnostics::Diagnostic::of(&err);
                tracing::warn!(error = %diagnostic, "pruning idempotency keys failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_same_request_in_any_key_order_has_one_fingerprint() {
        let a = Claim::new("k", "rest", &json!({"a": 1, "b": {"c": [1, 2], "d": null}})).unwrap();
        let b = Claim::new("k", "rest", &json!({"b": {"d": null, "c": [1, 2]}, "a": 1})).unwrap();
        let c = Claim::new("k", "rest", &json!({"a": 2, "b": {"c": [1, 2], "d": null}})).unwrap();
        let d = Claim::new(
            "k",
            "graphql",
            &json!({"a": 1, "b": {"c": [1, 2], "d": null}}),
        )
        .unwrap();
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_ne!(a.fingerprint, c.fingerprint);
        assert_ne!(a.fingerprint, d.fingerprint);
    }

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(Claim::new("", "rest", &json!({})).is_err());
        assert!(Claim::new("a b", "rest", &json!({})).is_err());
        assert!(Claim::new(&"x".repeat(256), "rest", &json!({})).is_err());
        assert!(Claim::new("0f6c7a5e-2d7b-4a43-9a43-7d0e2b7b1e11", "rest", &json!({})).is_ok());
    }
}
