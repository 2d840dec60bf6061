//! Automatic persisted queries (Apollo's APQ protocol, as Apollo Client's persisted-query
//! link and urql's `persistedExchange` speak it): a client sends
//! `extensions.persistedQuery = {version: 1, sha256Hash}` and no query text; an unknown
//! hash is answered `PersistedQueryNotFound` (code `PERSISTED_QUERY_NOT_FOUND`), and the
//! client retries with the text and the hash, which registers it.
//!
//! The store is per replica, in memory, bounded (entries and bytes, least recently used
//! first out): a hash registered on one replica and sent to another is a miss there,
//! answered the standard way, and the client's retry registers it there too. Nothing is
//! lost but one round trip.
//!
//! Why not async-graphql's `ApolloPersistedQueries` extension: its errors carry no
//! `extensions.code`, its cache is bounded by count only (1 MiB queries could pin
//! gigabytes), and it resolves the hash inside execution, after the HTTP layer has
//! refused mutations over GET, so a hashed mutation would run over GET.

use std::sync::{Arc, Mutex};

use async_graphql::Value;
use sha2::{Digest, Sha256};

use crate::error::Error;

use super::bounded_lru::BoundedLru;

/// The most queries a replica keeps.
pub const MAX_ENTRIES: usize = 2000;
/// The most query text a replica keeps, in bytes (oldest dropped first).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// What [`PersistedQueries::resolve`] did with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// The request did not use APQ.
    NotPersisted,
    /// A known hash: its query text was filled in.
    Hit,
    /// The text and its hash: now registered.
    Registered,
}

impl Lookup {
    /// The `result` label of `leadgate_persisted_queries_total`, if any.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Self::NotPersisted => None,
            Self::Hit => Some("hit"),
            Self::Registered => Some("registered"),
        }
    }
}

/// This replica's persisted queries: SHA-256 (lower-case hex) -> query text, bounded by
/// the texts' bytes.
#[derive(Clone)]
pub struct PersistedQueries(Arc<Mutex<BoundedLru<String, Arc<str>>>>);

impl Default for PersistedQueries {
    fn default() -> Self {
        Self::new(MAX_ENTRIES, MAX_BYTES)
    }
}

impl PersistedQueries {
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        let text = |_: &String, text: &Arc<str>| text.len();
        Self(Arc::new(Mutex::new(BoundedLru::new(
            max_entries,
            max_bytes,
            text,
        ))))
    }

    /// Applies the request's `persistedQuery` extension, if any: fills in the text of a
    /// known hash, or checks and registers the text sent with its hash. Errors:
    /// [`Error::PersistedQueryNotFound`] for an unknown hash, `BAD_REQUEST` for a hash
    /// that is not the text's or an extension of the wrong shape.
    pub fn resolve(&self, request: &mut async_graphql::Request) -> Result<Lookup, Error> {
        let Some(extension) = request.extensions.remove("persistedQuery") else {
            return Ok(Lookup::NotPersisted);
        };
        let hash = requested_hash(&extension)?;
        if request.query.is_empty() {
            let text = self
                .store()
                .get(&hash)
                .cloned()
                .ok_or(Error::PersistedQueryNotFound)?;
            request.query = text.to_string();
            return Ok(Lookup::Hit);
        }
        let actual = hex::encode(Sha256::digest(request.query.as_bytes()));
        if actual != hash {
            return Err(Error::BadRequest(format!(
                "extensions.persistedQuery.sha256Hash does not match the query: the query's \
                 SHA-256 is {actual} (hash the exact query text sent, as UTF-8)"
            )));
        }
        self.register(hash, &request.query);
        Ok(Lookup::Registered)
    }

    fn register(&self, hash: String, query: &str) {
        self.store().put(hash, Arc::from(query));
    }

    fn store(&self) -> std::sync::MutexGuard<'_, BoundedLru<String, Arc<str>>> {
        // A panic while holding the lock leaves a consistent map: keep using it.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queries and bytes held (for tests and diagnostics).
    pub fn usage(&self) -> (usize, usize) {
        let store = self.store();
        (store.len(), store.bytes())
    }
}

/// The extension's hash, lower-cased, after checking its shape and version.
fn requested_hash(extension: &Value) -> Result<String, Error> {
    let bad = |what: &str| Error::BadRequest(format!("extensions.persistedQuery{what}"));
    let Value::Object(fields) = extension else {
        return Err(bad(
            " must be an object {\"version\": 1, \"sha256Hash\": \"<64 hex digits>\"}",
        ));
    };
    match fields.get("version") {
        Some(Value::Number(n)) if n.as_i64() == Some(1) => {}
        _ => return Err(bad(".version must be 1 (the only version of the protocol)")),
    }
    match fields.get("sha256Hash") {
        Some(Value::String(hash))
            if hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            Ok(hash.to_ascii_lowercase())
        }
        _ => Err(bad(
            ".sha256Hash must be the query's SHA-256 as 64 hex digits",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashed(query: &str) -> async_graphql::Request {
        let hash = hex::encode(Sha256::digest(query.as_bytes()));
        let mut request = async_graphql::Request::new(query);
        request.extensions.insert(
            "persistedQuery".into(),
            Value::from_json(serde_json::json!({ "version": 1, "sha256Hash": hash })).unwrap(),
        );
        request
    }

    #[test]
    fn the_store_is_bounded_by_bytes_and_entries() {
        let store = PersistedQueries::new(3, 100);
        for i in 0..5 {
            let query = format!("query Q{i} {{ __typename }} # {}", "x".repeat(10));
            assert_eq!(
                store.resolve(&mut hashed(&query)).unwrap(),
                Lookup::Registered
            );
            let (entries, bytes) = store.usage();
            assert!(entries <= 3 && bytes <= 100, "{entries} {bytes}");
        }
        let big = format!("{{ __typename }} # {}", "x".repeat(200));
        store.resolve(&mut hashed(&big)).unwrap();
        assert!(
            store.usage().1 <= 100,
            "a query over the byte limit is not kept"
        );
    }
}
