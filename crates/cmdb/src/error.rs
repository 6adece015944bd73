//! Errors of the configuration graph.
//!
//! Every refused operation says which CI (by key where it exists), which relation or group, and
//! why. A refused operation leaves the CMDB exactly as it was.

use itsm_core::Id;

use crate::{Ci, RedundancyGroup, RelationKind};

/// Why a CMDB operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmdbError {
    /// No CI has this id.
    #[error("unknown configuration item `{id}`")]
    UnknownCi {
        /// The id that was not found.
        id: Id<Ci>,
    },
    /// No CI has this key.
    #[error("unknown configuration item key `{key}`")]
    UnknownKey {
        /// The key that was not found.
        key: String,
    },
    /// A CI with this id, but another key, already exists (only ids given by an import can
    /// meet so; a CI with the same key is a [`CmdbError::DuplicateKey`]).
    #[error("configuration item `{existing_key}` already has the id `{id}`")]
    DuplicateId {
        /// The id given twice.
        id: Id<Ci>,
        /// Key of the CI that already has it.
        existing_key: String,
    },
    /// A CI with this key already exists.
    #[error("a configuration item with key `{key}` already exists")]
    DuplicateKey {
        /// The key given twice.
        key: String,
    },
    /// A key or name the engine does not store (see `itsm_core::text`).
    #[error(transparent)]
    Text(#[from] itsm_core::Error),
    /// A relation from a CI to itself.
    #[error("`{key}` cannot be related to itself (`{kind}`)")]
    SelfRelation {
        /// The CI's key.
        key: String,
        /// The relation kind.
        kind: RelationKind,
    },
    /// The same relation twice.
    #[error("relation `{from}` {kind} `{to}` already exists")]
    DuplicateRelation {
        /// Source key.
        from: String,
        /// Kind.
        kind: RelationKind,
        /// Target key.
        to: String,
    },
    /// A relation that is not there.
    #[error("there is no relation `{from}` {kind} `{to}`")]
    UnknownRelation {
        /// Source key.
        from: String,
        /// Kind.
        kind: RelationKind,
        /// Target key.
        to: String,
    },
    /// A relation between kinds of CI that makes no sense.
    #[error("relation `{from}` {kind} `{to}` is not allowed: {reason}")]
    KindMismatch {
        /// Source key.
        from: String,
        /// Kind.
        kind: RelationKind,
        /// Target key.
        to: String,
        /// Why not.
        reason: String,
    },
    /// Under the strict cycle policy: a relation that closes a dependency cycle, or a graph
    /// that holds one.
    #[error("dependency cycle refused by the strict cycle policy: {}", cycle.join(" -> "))]
    Cycle {
        /// The keys along the cycle, first key repeated at the end.
        cycle: Vec<String>,
    },
    /// No redundancy group has this id.
    #[error("unknown redundancy group `{id}`")]
    UnknownGroup {
        /// The id that was not found.
        id: Id<RedundancyGroup>,
    },
    /// A redundancy group with this id already exists (named by its name: the id derives from
    /// it, or was given by whoever imported the group).
    #[error("redundancy group `{name}` already exists")]
    DuplicateGroup {
        /// The id given twice.
        id: Id<RedundancyGroup>,
        /// The group's name.
        name: String,
    },
    /// A redundancy group that is malformed in itself.
    #[error("redundancy group `{name}` is invalid: {reason}")]
    InvalidGroup {
        /// The group's name.
        name: String,
        /// Why (k = 0, k > n, no members, a member listed twice ...).
        reason: String,
    },
    /// A redundancy group member that is not a dependency of the group's dependent.
    #[error(
        "redundancy group `{name}`: `{member}` is not a dependency of `{dependent}` (relate them first)"
    )]
    MemberNotDependency {
        /// The group's name.
        name: String,
        /// Key of the dependent CI.
        dependent: String,
        /// Key of the member.
        member: String,
    },
    /// A dependency that is already in another group of the same dependent.
    #[error("redundancy group `{name}`: `{member}` is already in group `{other}` of `{dependent}`")]
    MemberInOtherGroup {
        /// The group's name.
        name: String,
        /// The other group's name.
        other: String,
        /// Key of the dependent CI.
        dependent: String,
        /// Key of the member.
        member: String,
    },
    /// Removing a CI that other CIs depend on, without asking to cascade.
    #[error(
        "`{key}` cannot be removed: {count} configuration item(s) depend on it ({}); remove those relations first or cascade",
        dependents.join(", ")
    )]
    HasDependents {
        /// Key of the CI.
        key: String,
        /// Keys of (up to ten) dependents.
        dependents: Vec<String>,
        /// How many dependents in all.
        count: usize,
    },
    /// Removing the last relation that makes a CI a member of a redundancy group.
    #[error(
        "relation `{from}` {kind} `{to}` backs redundancy group `{group}`; remove the member or the group first"
    )]
    RelationInGroup {
        /// Source key.
        from: String,
        /// Kind.
        kind: RelationKind,
        /// Target key.
        to: String,
        /// The group's name.
        group: String,
    },
    /// A cascade removal that would leave a redundancy group unable to reach its threshold.
    #[error(
        "removing `{key}` would leave redundancy group `{group}` with {remaining} member(s) for a threshold of {min_up}"
    )]
    RemovalBreaksGroup {
        /// Key of the CI being removed.
        key: String,
        /// The group's name.
        group: String,
        /// Members that would remain.
        remaining: usize,
        /// The group's threshold.
        min_up: usize,
    },
    /// Removing an attribute a CI does not have.
    #[error("`{key}` has no attribute `{attribute}`")]
    UnknownAttribute {
        /// Key of the CI.
        key: String,
        /// The attribute name.
        attribute: String,
    },
}

/// Why a bulk import ([`crate::Cmdb::from_parts`]) was refused: every problem found, in input
/// order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("import refused with {} problem(s); first: {}", problems.len(), problems.first().map_or_else(String::new, ToString::to_string))]
pub struct ImportError {
    /// The problems, in the order they were found (at most [`ImportError::LIMIT`]).
    pub problems: Vec<CmdbError>,
    /// True when more problems existed than were kept.
    pub truncated: bool,
}

impl ImportError {
    /// How many problems an import error keeps at most.
    pub const LIMIT: usize = 1000;
}
