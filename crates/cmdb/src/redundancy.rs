//! Redundancy groups: "this CI needs at least k of these n dependencies".
//!
//! A cluster of three web servers of which two carry the load is a group with `min_up = 2`
//! over three members. The dependent goes down only when fewer than `min_up` members are up;
//! while some are down but enough remain it is *degraded*: it runs without its safety margin
//! (ISO/IEC 20000-1 8.7.1 availability, 8.7.2 continuity).

use itsm_core::{Entity, Id, Uuid};
use serde::{Deserialize, Serialize};

use crate::Ci;

/// A k-of-n group over dependencies of one CI.
///
/// Each member must already be a dependency of `dependent` (a relation along which failure
/// travels), and a dependency belongs to at most one group of its dependent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedundancyGroup {
    /// The group's id.
    pub id: Id<RedundancyGroup>,
    /// Human name (`"web-cluster"`).
    pub name: String,
    /// The CI that needs the group.
    pub dependent: Id<Ci>,
    /// The redundant dependencies.
    pub members: Vec<Id<Ci>>,
    /// How many members must be up for the dependent to be up (1 <= `min_up` <= members).
    pub min_up: usize,
}

impl Entity for RedundancyGroup {
    const KIND: &'static str = "redundancy group";
    const NAMESPACE: Uuid = Uuid::from_u128(0x6c1d_43a2_8f0e_5b7a_9c21_d4e8_0f3b_a021);
}

impl RedundancyGroup {
    /// A group whose id is derived from `name`.
    #[must_use]
    pub fn new(
        name: impl Into<String>,
        dependent: Id<Ci>,
        members: Vec<Id<Ci>>,
        min_up: usize,
    ) -> Self {
        let name = name.into();
        Self {
            id: Id::from_key(&name),
            name,
            dependent,
            members,
            min_up,
        }
    }
}
