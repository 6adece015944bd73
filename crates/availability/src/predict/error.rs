//! Why a structure or a prediction was refused.

use itsm_cmdb::Ci;
use itsm_core::Id;

/// Why a structure, an option or a prediction was refused. Messages name components by the
/// user's keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PredictError {
    /// A key the engine does not store (see `itsm_core::text`).
    #[error(transparent)]
    Text(#[from] itsm_core::Error),
    /// Two components with one key.
    #[error("component `{key}` is listed twice")]
    DuplicateComponent {
        /// The key.
        key: String,
    },
    /// An availability that is not a probability, or an MTBF/MTTR that gives none.
    #[error("availability of `{key}` (`{field}`) is invalid: {reason}")]
    InvalidAvailability {
        /// The component.
        key: String,
        /// `availability`, `mtbf_s` or `mttr_s`.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// A key that is not a component.
    #[error(
        "unknown component `{key}` in `{field}`: list it in `components` (without `availability` it is always up)"
    )]
    UnknownComponent {
        /// The key.
        key: String,
        /// Where it was used: `needs`, `groups` or `service`.
        field: &'static str,
    },
    /// A component that needs itself.
    #[error("`{key}` cannot need itself")]
    SelfNeed {
        /// The component.
        key: String,
    },
    /// The same need twice.
    #[error("`{dependent}` needs `{dependency}` twice")]
    DuplicateNeed {
        /// The dependent.
        dependent: String,
        /// The dependency.
        dependency: String,
    },
    /// A group without members, with a member twice, or with an impossible `min_up`.
    #[error("redundancy group of `{dependent}` is invalid: {reason}")]
    InvalidGroup {
        /// The group's dependent.
        dependent: String,
        /// Why.
        reason: String,
    },
    /// A group member that its dependent does not need.
    #[error(
        "`{member}` is a member of a redundancy group of `{dependent}` but not one of its needs"
    )]
    MemberNotNeed {
        /// The group's dependent.
        dependent: String,
        /// The member.
        member: String,
    },
    /// A need in two groups of its dependent.
    #[error("`{member}` is in two redundancy groups of `{dependent}`")]
    MemberInTwoGroups {
        /// The dependent.
        dependent: String,
        /// The member.
        member: String,
    },
    /// A service id that is not in the CMDB.
    #[error("unknown configuration item `{id}`")]
    UnknownCi {
        /// The id.
        id: Id<Ci>,
    },
    /// An option out of range.
    #[error("prediction option `{field}` is invalid: {reason}")]
    InvalidOption {
        /// The option.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// A broken invariant of the computation (a bug, never the caller's data): please report it.
    #[error("internal error in the availability prediction: {reason}")]
    Internal {
        /// What broke.
        reason: String,
    },
}
