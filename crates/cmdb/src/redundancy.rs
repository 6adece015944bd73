//! Redundancy groups: "this CI needs at least k of these n dependencies".
//!
//! A cluster of three web servers of which two carry the load is a group with `min_up = 2`
//! over three members. The dependent goes down only when fewer than `min_up` members are up;
//! while some are down but enough remain it is *degraded*: it runs without its safety margin
//! (ISO/IEC 20000-1 8.7.1 availability, 8.7.2 continuity).

use std::collections::HashSet;

use itsm_core::{Entity, Id, Uuid};
use serde::{Deserialize, Serialize};

use crate::{Ci, Cmdb, CmdbError};

/// A k-of-n group over dependencies of one CI.
///
/// Each member must already be a dependency of `dependent` (a relation along which failure
/// travels), and a dependency belongs to at most one group of its dependent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a redundancy group with `id`, `name`, `dependent`, `members` and `min_up`"
)]
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

impl Cmdb {
    /// Adds a redundancy group.
    ///
    /// # Errors
    /// [`CmdbError::DuplicateGroup`], [`CmdbError::UnknownCi`] for the dependent or a member,
    /// [`CmdbError::InvalidGroup`] (blank name, no members, a member twice, the dependent as
    /// its own member, `min_up` of 0 or above the member count),
    /// [`CmdbError::MemberNotDependency`], [`CmdbError::MemberInOtherGroup`].
    pub fn add_group(&mut self, group: RedundancyGroup) -> Result<(), CmdbError> {
        self.check_group(&group)?;
        self.register_group(group);
        self.changed();
        Ok(())
    }

    pub(crate) fn check_group(&self, g: &RedundancyGroup) -> Result<(), CmdbError> {
        itsm_core::text::check_key("group name", &g.name)?;
        if let Some(existing) = self.groups.get(&g.id) {
            return Err(CmdbError::DuplicateGroup {
                id: g.id,
                name: existing.name.clone(),
            });
        }
        let invalid = |reason: String| CmdbError::InvalidGroup {
            name: g.name.clone(),
            reason,
        };
        if g.name.trim().is_empty() {
            return Err(invalid("the name is blank".into()));
        }
        self.node(g.dependent)?;
        if g.members.is_empty() {
            return Err(invalid("it has no members".into()));
        }
        if g.min_up == 0 || g.min_up > g.members.len() {
            return Err(invalid(format!(
                "at least {} of {} members cannot be required: the threshold must be between 1 and the member count",
                g.min_up,
                g.members.len()
            )));
        }
        let mut seen = HashSet::new();
        for m in &g.members {
            self.node(*m)?;
            if !seen.insert(*m) {
                return Err(invalid(format!("`{}` is listed twice", self.key_of(*m))));
            }
            if *m == g.dependent {
                return Err(invalid(format!(
                    "`{}` cannot be a member of its own group",
                    self.key_of(*m)
                )));
            }
            if self.dependency_relations(g.dependent, *m)? == 0 {
                return Err(CmdbError::MemberNotDependency {
                    name: g.name.clone(),
                    dependent: self.key_of(g.dependent),
                    member: self.key_of(*m),
                });
            }
            if let Some(other) = self.grouped.get(&(g.dependent, *m)) {
                return Err(CmdbError::MemberInOtherGroup {
                    name: g.name.clone(),
                    other: self
                        .groups
                        .get(other)
                        .map(|o| o.name.clone())
                        .unwrap_or_default(),
                    dependent: self.key_of(g.dependent),
                    member: self.key_of(*m),
                });
            }
        }
        Ok(())
    }

    pub(crate) fn register_group(&mut self, group: RedundancyGroup) {
        for m in &group.members {
            self.grouped.insert((group.dependent, *m), group.id);
        }
        self.groups.insert(group.id, group);
    }

    pub(crate) fn unregister_group(&mut self, id: Id<RedundancyGroup>) -> Option<RedundancyGroup> {
        let group = self.groups.remove(&id)?;
        for m in &group.members {
            self.grouped.remove(&(group.dependent, *m));
        }
        Some(group)
    }

    /// Removes a redundancy group and returns it; its members stay plain dependencies.
    ///
    /// # Errors
    /// [`CmdbError::UnknownGroup`].
    pub fn remove_group(&mut self, id: Id<RedundancyGroup>) -> Result<RedundancyGroup, CmdbError> {
        let group = self
            .unregister_group(id)
            .ok_or(CmdbError::UnknownGroup { id })?;
        self.changed();
        Ok(group)
    }
}
