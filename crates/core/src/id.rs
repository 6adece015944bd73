//! Typed ids: a UUID that knows what kind of record it names.
//!
//! `Id<Ci>` and `Id<Actor>` are different types, so an actor id cannot be passed where a CI id
//! is expected. An id is either given by the caller (imported from another system) or derived
//! from a human key with [`Id::from_key`]: UUID v5 under a namespace fixed per kind, so the same
//! key always names the same record, in every process and every run.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::Error;

/// A kind of record that has ids.
///
/// Implemented by the record types of every crate (`Ci`, `Actor` ...) and by the markers in
/// [`entity`] for records that live in crates further up.
pub trait Entity {
    /// Lowercase name of the kind, used in messages (`"configuration item"`).
    const KIND: &'static str;
    /// The UUID v5 namespace under which [`Id::from_key`] derives ids of this kind.
    /// Fixed forever: changing it changes every derived id.
    const NAMESPACE: Uuid;
}

/// Id markers for records owned by crates above the one that needs to refer to them
/// (a CI refers to the change that last touched it; the change crate sits above the CMDB).
pub mod entity {
    use super::{Entity, Uuid};

    /// Marker for change records (kept by `itsm-change`).
    #[derive(Debug)]
    pub enum Change {}
    impl Entity for Change {
        const KIND: &'static str = "change";
        const NAMESPACE: Uuid = Uuid::from_u128(0x6c1d_43a2_8f0e_5b7a_9c21_d4e8_0f3b_a001);
    }

    /// Marker for parties: customers, suppliers and other organisations (kept by
    /// `itsm-agreements`).
    #[derive(Debug)]
    pub enum Party {}
    impl Entity for Party {
        const KIND: &'static str = "party";
        const NAMESPACE: Uuid = Uuid::from_u128(0x6c1d_43a2_8f0e_5b7a_9c21_d4e8_0f3b_a002);
    }

    /// Marker for risks (kept by `itsm-risk`).
    #[derive(Debug)]
    pub enum Risk {}
    impl Entity for Risk {
        const KIND: &'static str = "risk";
        const NAMESPACE: Uuid = Uuid::from_u128(0x6c1d_43a2_8f0e_5b7a_9c21_d4e8_0f3b_a003);
    }
}

/// A typed UUID naming one record of kind `T`.
///
/// Serialized as the hyphenated UUID string. `Ord` follows the UUID bytes, which gives a stable
/// order for reports and snapshots.
///
/// ```
/// use itsm_core::{Actor, Id};
///
/// let a: Id<Actor> = Id::from_key("alice");
/// assert_eq!(a, Id::from_key("alice"));
/// assert_ne!(a, Id::from_key("bob"));
/// let parsed: Id<Actor> = a.to_string().parse()?;
/// assert_eq!(parsed, a);
/// # Ok::<(), itsm_core::Error>(())
/// ```
pub struct Id<T> {
    uuid: Uuid,
    kind: PhantomData<fn() -> T>,
}

impl<T: Entity> Id<T> {
    /// Derives the id of the record with this human key (UUID v5 under `T::NAMESPACE`).
    #[must_use]
    pub fn from_key(key: &str) -> Self {
        Self::from_uuid(Uuid::new_v5(&T::NAMESPACE, key.as_bytes()))
    }
}

impl<T> Id<T> {
    /// Wraps an existing UUID (an id given by another system).
    #[must_use]
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self {
            uuid,
            kind: PhantomData,
        }
    }

    /// Builds an id from a 128-bit number; handy for dense synthetic data and tests.
    #[must_use]
    pub const fn from_u128(value: u128) -> Self {
        Self::from_uuid(Uuid::from_u128(value))
    }

    /// The UUID behind this id.
    #[must_use]
    pub const fn as_uuid(&self) -> &Uuid {
        &self.uuid
    }
}

impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.uuid == other.uuid
    }
}
impl<T> Eq for Id<T> {}
impl<T> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.uuid.cmp(&other.uuid)
    }
}
impl<T> Hash for Id<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.uuid.hash(state);
    }
}
impl<T: Entity> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id<{}>({})", T::KIND, self.uuid)
    }
}
impl<T> fmt::Display for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.uuid.hyphenated(), f)
    }
}
impl<T: Entity> FromStr for Id<T> {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s)
            .map(Self::from_uuid)
            .map_err(|e| Error::InvalidId {
                kind: T::KIND,
                value: s.to_owned(),
                reason: e.to_string(),
            })
    }
}
impl<T> Serialize for Id<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.uuid.hyphenated())
    }
}
impl<'de, T: Entity> Deserialize<'de> for Id<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Actor;
    use crate::entity::{Change, Party};

    #[test]
    fn from_key_is_stable_and_kind_specific() {
        let a: Id<Party> = Id::from_key("acme");
        let b: Id<Change> = Id::from_key("acme");
        assert_eq!(a, Id::from_key("acme"));
        assert_ne!(a.as_uuid(), b.as_uuid(), "namespaces differ per kind");
        assert_eq!(a.as_uuid().get_version_num(), 5);
    }

    #[test]
    fn serde_is_a_plain_string() {
        let id: Id<Actor> = Id::from_u128(1);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"00000000-0000-0000-0000-000000000001\"");
        let back: Id<Actor> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
    }

    #[test]
    fn bad_text_names_the_kind() {
        let err = "nope".parse::<Id<Party>>().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("`nope` is not a valid party id"),
            "{err}"
        );
        assert!(serde_json::from_str::<Id<Party>>("\"x\"").is_err());
    }
}
