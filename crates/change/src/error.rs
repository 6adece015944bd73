//! Errors of the change engine.

use itsm_cmdb::{BatchError, CmdbError};
use itsm_core::Error as CoreError;
use itsm_risk::RiskError;

use crate::ChangeStatus;

/// Why a change operation was refused. A refused operation changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChangeError {
    /// A policy that cannot be used.
    #[error("invalid change policy: {reason}")]
    InvalidPolicy {
        /// Why.
        reason: String,
    },
    /// A register snapshot that is inconsistent (read on its own: the engine checks a whole
    /// snapshot against its log instead).
    #[error("invalid change register snapshot: {reason}")]
    InvalidSnapshot {
        /// Why.
        reason: String,
    },
    /// No change with this id.
    #[error("unknown change `{change}`")]
    UnknownChange {
        /// The id or reference given.
        change: String,
    },
    /// A required field missing or empty.
    #[error("{change}: `{field}` is required: {why}")]
    Missing {
        /// The change (reference), or `new change`.
        change: String,
        /// The field.
        field: &'static str,
        /// Why.
        why: &'static str,
    },
    /// A delta that edits CIs the change does not target: they would escape its assessment
    /// and approvals.
    #[error(
        "{change}: the delta edits {cis}, which the change does not target; name them as targets so they are assessed and approved"
    )]
    DeltaOutsideTargets {
        /// The change (reference).
        change: String,
        /// The CIs reached, by key, in backticks.
        cis: String,
    },
    /// A change whose assessment no longer matches the configuration.
    #[error("{change}: {what} changed since it was assessed; assess it again")]
    StaleAssessment {
        /// The change (reference).
        change: String,
        /// What differs.
        what: &'static str,
    },
    /// A window that overlaps a freeze applying to a change that is not an emergency.
    #[error(
        "{change}: the window {window} overlaps freeze `{freeze}`; only emergency changes may run in a freeze"
    )]
    InFreeze {
        /// The change (reference).
        change: String,
        /// The window.
        window: String,
        /// The freeze's name.
        freeze: String,
    },
    /// A field with a value the change cannot take.
    #[error("{change}: `{field}`: {why}")]
    Invalid {
        /// The change (reference).
        change: String,
        /// The field.
        field: &'static str,
        /// Why.
        why: String,
    },
    /// A standard change naming a model the policy does not have.
    #[error("{change}: no standard change model `{model}` in the policy")]
    UnknownModel {
        /// The change.
        change: String,
        /// The model named.
        model: String,
    },
    /// A move the lifecycle does not allow.
    #[error("{change}: cannot {action} a change that is {from}")]
    IllegalTransition {
        /// The change.
        change: String,
        /// Its status.
        from: ChangeStatus,
        /// What was attempted.
        action: &'static str,
    },
    /// A major-impact change started before its design and transition stages are done.
    #[error(
        "{change}: major-impact change must pass service design and transition first (next stage: {next})"
    )]
    TransitionIncomplete {
        /// The change.
        change: String,
        /// The next stage to complete.
        next: String,
    },
    /// The requester or implementer approving their own change.
    #[error(
        "{change}: {actor} requested or implements this change and may not approve or reject it (segregation of duties)"
    )]
    SelfApproval {
        /// The change.
        change: String,
        /// The actor's name.
        actor: String,
    },
    /// An actor whose roles meet no outstanding approval.
    #[error("{change}: {actor} holds no role for the approvals still needed ({needed})")]
    NotAnApprover {
        /// The change.
        change: String,
        /// The actor's name.
        actor: String,
        /// The approvals still needed.
        needed: String,
    },
    /// The same actor approving twice.
    #[error("{change}: {actor} has already approved it")]
    AlreadyApproved {
        /// The change.
        change: String,
        /// The actor's name.
        actor: String,
    },
    /// A delta that could not be applied; the CMDB is unchanged and the change stays
    /// implementing.
    #[error("{change}: its configuration delta was refused, nothing was changed: {error}")]
    Deployment {
        /// The change.
        change: String,
        /// The refused operation.
        error: Box<BatchError>,
    },
    /// A CMDB lookup failed.
    #[error(transparent)]
    Cmdb(#[from] CmdbError),
    /// A risk-register operation failed.
    #[error(transparent)]
    Risk(#[from] RiskError),
    /// Money or time arithmetic failed.
    #[error(transparent)]
    Core(#[from] CoreError),
}
