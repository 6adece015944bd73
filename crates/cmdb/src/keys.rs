//! The key index: CI key -> stored node, without a second copy of every key.
//!
//! A `HashMap<String, _>` would clone each key and hash whole strings on every probe; on a
//! million CIs that alone costs about a third of a bulk load. Instead the index maps a 64-bit
//! hash of the key to the node, and a lookup confirms the match against the key stored in the
//! CI itself. Two different keys with the same 64-bit hash are possible in principle (or by
//! crafting), so the second one goes to a small overflow map with the full key: always
//! correct, and only crafted keys pay for it. The hash is SipHash with fixed keys, so the
//! index is deterministic.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use petgraph::stable_graph::NodeIndex;

use crate::hash::IdMap;

/// See the module docs.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyIndex {
    main: IdMap<u64, NodeIndex<u32>>,
    overflow: HashMap<String, NodeIndex<u32>, std::hash::BuildHasherDefault<DefaultHasher>>,
}

/// The 64-bit hash of a key.
pub(crate) fn key_hash(key: &str) -> u64 {
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

impl KeyIndex {
    pub(crate) fn reserve(&mut self, n: usize) {
        self.main.reserve(n);
    }

    /// The node whose key is `key` (whose hash is `hash`); `key_at` reads a node's stored key.
    pub(crate) fn get<'g>(
        &self,
        hash: u64,
        key: &str,
        key_at: impl Fn(NodeIndex<u32>) -> Option<&'g str>,
    ) -> Option<NodeIndex<u32>> {
        let node = self.main.get(&hash).copied();
        match node {
            Some(n) if key_at(n) == Some(key) => Some(n),
            Some(_) => self.overflow.get(key).copied(),
            None => None,
        }
    }

    /// Records `key` (whose hash is `hash`) for `node`; the caller has checked that `key` is
    /// not present.
    pub(crate) fn insert(&mut self, hash: u64, key: &str, node: NodeIndex<u32>) {
        use std::collections::hash_map::Entry;
        match self.main.entry(hash) {
            Entry::Vacant(v) => {
                v.insert(node);
            }
            Entry::Occupied(_) => {
                self.overflow.insert(key.to_owned(), node);
            }
        }
    }

    /// Forgets `key`, which belongs to `node`.
    pub(crate) fn remove(&mut self, key: &str, node: NodeIndex<u32>) {
        let h = key_hash(key);
        if self.main.get(&h) == Some(&node) {
            self.main.remove(&h);
            // Promote an overflow key with the same hash, if any.
            let promoted = self.overflow.keys().find(|k| key_hash(k) == h).cloned();
            if let Some(k) = promoted {
                if let Some(n) = self.overflow.remove(&k) {
                    self.main.insert(h, n);
                }
            }
        } else {
            self.overflow.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_keys_go_to_the_overflow_and_come_back() {
        // Pretend node 0's key collided with "b": its slot is the one "b" hashes to.
        let keys = ["a", "b"];
        let at = |n: NodeIndex<u32>| keys.get(n.index()).copied();
        let mut idx = KeyIndex::default();
        idx.main.insert(key_hash("b"), NodeIndex::new(0));
        idx.insert(key_hash("b"), "b", NodeIndex::new(1));
        assert_eq!(idx.overflow.len(), 1, "the slot was taken: overflow");
        assert_eq!(idx.get(key_hash("b"), "b", at), Some(NodeIndex::new(1)));
        // Removing the slot's owner promotes the overflow key.
        idx.remove("b", NodeIndex::new(0));
        assert!(idx.overflow.is_empty());
        assert_eq!(idx.get(key_hash("b"), "b", at), Some(NodeIndex::new(1)));
        idx.remove("b", NodeIndex::new(1));
        assert_eq!(idx.get(key_hash("b"), "b", at), None);
        idx.insert(key_hash("c"), "c", NodeIndex::new(2));
        assert_eq!(idx.get(key_hash("zz"), "zz", at), None);
    }
}
