//! The audit log's hash chain (ISO/IEC 20000-1 7.5.3 control of documented information).
//!
//! Every logged event carries the digest of the event before it (`prev`; 32 zero bytes for the
//! first) and its own digest (`hash`), a BLAKE3 hash of its canonical serialization: the JSON
//! of `(seq, at, actor, command, effects, prev)`, which serde writes in a fixed field order
//! (the engine's types hold no hash maps or floats, so the bytes are the same on every
//! machine). The last event's digest is the log's **head**: an embedder that keeps or
//! publishes it detects any rewrite of the history, because removing, inserting, reordering
//! or editing any event changes every digest after it.
//!
//! With a [`ChainKey`] (32 bytes the embedder passes in; the engine never reads it from
//! anywhere and never writes it into a snapshot) the digests are BLAKE3 keyed hashes, a MAC:
//! without the key nobody can forge a consistent chain, and a snapshot loaded with another key
//! (or none) is refused.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::sms::Event;

/// A 32-byte BLAKE3 digest, written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Digest([u8; 32]);

impl Digest {
    /// The digest before the first event: 32 zero bytes.
    pub const GENESIS: Self = Self([0; 32]);

    /// The raw bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(blake3::Hash::from_bytes(self.0).to_hex().as_str())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl std::str::FromStr for Digest {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        blake3::Hash::from_hex(s)
            .map(|h| Self(*h.as_bytes()))
            .map_err(|_| "a digest is 64 hex digits".to_owned())
    }
}

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The embedder's secret that turns the chain into a MAC. Never serialized; its `Debug` does
/// not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct ChainKey([u8; 32]);

impl ChainKey {
    /// A key from 32 bytes (from the embedder's secret store; the engine does not make keys).
    #[must_use]
    pub const fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChainKey(..)")
    }
}

/// The canonical bytes of an event's content (everything but its own digest).
fn content(e: &Event) -> Vec<u8> {
    // Serializing these types cannot fail (no maps with non-string keys, no custom errors);
    // an empty vector would in any case give a digest that verification then refuses.
    serde_json::to_vec(&(e.seq, e.at, &e.actor, &e.command, &e.effects, e.prev)).unwrap_or_default()
}

/// The digest of `e`'s content under `key` (or unkeyed).
pub(crate) fn digest(e: &Event, key: Option<&ChainKey>) -> Digest {
    let bytes = content(e);
    let h = match key {
        Some(k) => blake3::keyed_hash(&k.0, &bytes),
        None => blake3::hash(&bytes),
    };
    Digest(*h.as_bytes())
}

/// Checks that `log` is an unbroken chain: numbered from 1, each event linked to the one
/// before, each digest that of its content.
///
/// # Errors
/// The sequence number of the first event that breaks the chain, and how.
pub(crate) fn verify(log: &[Event], key: Option<&ChainKey>) -> Result<(), (u64, String)> {
    let mut prev = Digest::GENESIS;
    for (i, e) in log.iter().enumerate() {
        let expected = u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1);
        // An event is named by its place in the log, which is what a reader counts (the
        // number it carries may be anything, `0` included).
        if e.seq != expected {
            return Err((
                expected,
                format!(
                    "the log holds event {} in its place: events were removed, inserted or reordered",
                    e.seq
                ),
            ));
        }
        if e.prev != prev {
            return Err((
                expected,
                "it does not follow the event before it: events were removed, inserted or reordered"
                    .into(),
            ));
        }
        if digest(e, key) != e.hash {
            return Err((
                expected,
                "its digest does not match its content: it was edited, or the chain key differs"
                    .into(),
            ));
        }
        prev = e.hash;
    }
    Ok(())
}

/// The first place two JSON values differ, as a JSON pointer (`/risks/risks/0/inherent`).
/// Recursive: serde_json refuses documents nested deeper than 128 levels, so the depth is
/// bounded.
pub(crate) fn first_difference(a: &serde_json::Value, b: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    if a == b {
        return None;
    }
    match (a, b) {
        (Value::Object(m), Value::Object(n)) => {
            let mut keys: Vec<&String> = m.keys().chain(n.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| match (m.get(k), n.get(k)) {
                (Some(p), Some(q)) => first_difference(p, q).map(|rest| format!("/{k}{rest}")),
                _ => Some(format!("/{k}")),
            })
        }
        (Value::Array(p), Value::Array(q)) if p.len() == q.len() => p
            .iter()
            .zip(q)
            .enumerate()
            .find_map(|(i, (u, v))| first_difference(u, v).map(|rest| format!("/{i}{rest}"))),
        _ => Some(String::new()),
    }
}
