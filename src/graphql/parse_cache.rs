//! A memo of parsing: query text -> its `ExecutableDocument`, per replica, bounded.
//!
//! Parsing is a pure function of the text (async-graphql's pest parser; the same text
//! always gives the same document), so a memo keyed by the exact text can never be stale:
//! it is not a cache of answers, nothing in it depends on data, keys or time. It removes
//! what profiling found to be the largest single cost of a read (about a sixth of its
//! instructions went to parsing a 1.4 KB query), because clients send the same few
//! documents over and over.
//!
//! Only the parse itself is skipped: the schema's extension (`gate`) asks the memo for
//! the document and then runs the operation limits, input checks, introspection refusal
//! and field order on it at every request; validation and execution run as before. Texts that fail to parse are not kept (the error is produced
//! again each time), and neither are texts over `MAX_TEXT_BYTES`. Only `parse` puts
//! documents in, after async-graphql's own parse step (which also checks the
//! document's nesting against the recursion limit), so nothing in the memo skipped a
//! check. The HTTP handler looks a text up too (`lookup`, for the operation's name and
//! whether it is a mutation) instead of parsing it a second time.
//!
//! One memo per process ([`shared`]), in memory, bounded: a replica that has not seen a
//! text parses it once; nothing is shared between replicas.

use std::sync::{Arc, LazyLock, Mutex};

use async_graphql::{
    ServerResult, Variables,
    extensions::{ExtensionContext, NextParseQuery},
    parser::types::ExecutableDocument,
};

use super::bounded_lru::BoundedLru;

/// The most documents kept (least recently used dropped first).
pub const MAX_ENTRIES: usize = 512;
/// The most query text kept, in bytes; a document takes a few times its text.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// Longer texts are parsed every time (they are rare, and would crowd out the others).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// The process's memo, shared by both schemas (keyed and anonymous) and the handler.
pub fn shared() -> &'static ParseCache {
    static SHARED: LazyLock<ParseCache> = LazyLock::new(ParseCache::default);
    &SHARED
}

/// The document of `text` if this process parsed it already.
pub fn lookup(text: &str) -> Option<Arc<ExecutableDocument>> {
    shared().get(text)
}

/// A memo of parsed documents (see the module's docs), bounded by its texts' bytes.
#[derive(Clone)]
pub struct ParseCache(Arc<Mutex<BoundedLru<Arc<str>, Arc<ExecutableDocument>>>>);

impl Default for ParseCache {
    fn default() -> Self {
        Self::new(MAX_ENTRIES, MAX_BYTES)
    }
}

impl ParseCache {
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        let text = |text: &Arc<str>, _: &Arc<ExecutableDocument>| text.len();
        Self(Arc::new(Mutex::new(BoundedLru::new(
            max_entries,
            max_bytes,
            text,
        ))))
    }

    fn get(&self, text: &str) -> Option<Arc<ExecutableDocument>> {
        self.0.lock().expect("parse cache").get(text).cloned()
    }

    fn put(&self, text: &str, document: Arc<ExecutableDocument>) {
        if text.len() > MAX_TEXT_BYTES {
            return;
        }
        self.0
            .lock()
            .expect("parse cache")
            .put(Arc::from(text), document);
    }

    /// Documents held now (for tests).
    pub fn len(&self) -> usize {
        self.0.lock().expect("parse cache").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ParseCache {
    /// The document of `query`: the memo's when this replica has parsed the text before,
    /// else `parse`'s (async-graphql's parse and its checks of the text), kept for next
    /// time.
    pub async fn parse(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        parse: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if let Some(document) = self.get(query) {
            return Ok(ExecutableDocument::clone(&document));
        }
        let document = parse.run(ctx, query, variables).await?;
        self.put(query, Arc::new(document.clone()));
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Arc<ExecutableDocument> {
        Arc::new(async_graphql::parser::parse_query(text).expect("parses"))
    }

    #[test]
    fn bounded_by_entries_and_bytes() {
        let cache = ParseCache::new(2, 1024);
        cache.put("{ a }", doc("{ a }"));
        cache.put("{ b }", doc("{ b }"));
        cache.put("{ c }", doc("{ c }"));
        assert_eq!(cache.len(), 2);
        assert!(cache.get("{ a }").is_none());

        let cache = ParseCache::new(10, 12);
        cache.put("{ a }", doc("{ a }"));
        cache.put("{ b }", doc("{ b }"));
        cache.put("{ c }", doc("{ c }"));
        assert_eq!(cache.len(), 2, "5 + 5 bytes fit in 12, 15 do not");
        let store = cache.0.lock().unwrap();
        assert_eq!(store.bytes(), 10);
    }

    #[test]
    fn same_text_twice_counts_once() {
        let cache = ParseCache::new(10, 1024);
        cache.put("{ a }", doc("{ a }"));
        cache.put("{ a }", doc("{ a }"));
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.0.lock().unwrap().bytes(), 5);
    }

    #[test]
    fn long_texts_are_not_kept() {
        let cache = ParseCache::default();
        let text = format!("{{ a {} }}", " ".repeat(MAX_TEXT_BYTES));
        cache.put(&text, doc("{ a }"));
        assert!(cache.is_empty());
    }
}
