//! A least-recently-used map bounded by entries and by bytes of query text: what both
//! per-replica memos of query text keep (`persisted_queries`: hash -> text;
//! `parse_cache`: text -> parsed document). `lru` bounds the count; this adds the byte
//! budget, so a few huge texts cannot pin memory that a count would allow.

use std::{borrow::Borrow, hash::Hash, num::NonZeroUsize};

use lru::LruCache;

pub struct BoundedLru<K: Hash + Eq, V> {
    entries: LruCache<K, V>,
    bytes: usize,
    max_bytes: usize,
    /// The bytes an entry counts for (its query text).
    weigh: fn(&K, &V) -> usize,
}

impl<K: Hash + Eq, V> BoundedLru<K, V> {
    pub fn new(max_entries: usize, max_bytes: usize, weigh: fn(&K, &V) -> usize) -> Self {
        Self {
            entries: LruCache::new(NonZeroUsize::new(max_entries.max(1)).expect("at least 1")),
            bytes: 0,
            max_bytes,
            weigh,
        }
    }

    /// The value of `key`, now the most recently used.
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entries.get(key)
    }

    /// Keeps `value` under `key` (replacing what was there), then drops the least
    /// recently used entries until both bounds hold. An entry over the whole byte budget
    /// is not kept.
    pub fn put(&mut self, key: K, value: V) {
        let weight = (self.weigh)(&key, &value);
        if weight > self.max_bytes {
            return;
        }
        // `push` hands back the replaced entry, or the one pushed out when full.
        if let Some((old_key, old_value)) = self.entries.push(key, value) {
            self.bytes -= (self.weigh)(&old_key, &old_value);
        }
        self.bytes += weight;
        while self.bytes > self.max_bytes {
            match self.entries.pop_lru() {
                Some((old_key, old_value)) => self.bytes -= (self.weigh)(&old_key, &old_value),
                None => break,
            }
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::BoundedLru;

    #[test]
    fn both_bounds_hold_and_replacing_an_entry_counts_it_once() {
        let mut memo = BoundedLru::new(3, 10, |key: &String, _: &()| key.len());
        for key in ["aaaa", "bbbb", "cccc"] {
            memo.put(key.to_owned(), ());
        }
        // 12 bytes > 10: the least recently used went.
        assert_eq!((memo.len(), memo.bytes()), (2, 8));
        assert!(memo.get("aaaa").is_none());
        memo.put("cccc".to_owned(), ());
        assert_eq!((memo.len(), memo.bytes()), (2, 8));
        memo.put("x".repeat(11), ());
        assert_eq!(
            (memo.len(), memo.bytes()),
            (2, 8),
            "over the budget: not kept"
        );
        for key in ["d", "e"] {
            memo.put(key.to_owned(), ());
        }
        assert_eq!(memo.len(), 3, "the entry bound");
    }
}
