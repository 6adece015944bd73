//! Errors of the risk register.

use itsm_core::Role;

use crate::RiskStatus;

/// Why a register operation was refused. A refused operation changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RiskError {
    /// A matrix definition that cannot be used.
    #[error("invalid risk matrix: {reason}")]
    InvalidMatrix {
        /// Why.
        reason: String,
    },
    /// An appetite that does not fit the matrix.
    #[error("invalid risk appetite: {reason}")]
    InvalidAppetite {
        /// Why.
        reason: String,
    },
    /// A level name not on the scale it should be on.
    #[error("`{level}` is not a level of the {scale} scale")]
    UnknownLevel {
        /// `impact`, `likelihood` or `risk level`.
        scale: &'static str,
        /// The name given.
        level: String,
    },
    /// Text that is not a risk reference.
    #[error("`{text}` is not a risk reference (expected `R-` and a number from 1)")]
    InvalidReference {
        /// The text given.
        text: String,
    },
    /// No risk with this reference or id.
    #[error("unknown risk `{risk}`")]
    UnknownRisk {
        /// The reference or id given.
        risk: String,
    },
    /// A required text field left empty.
    #[error("{risk}: `{field}` must not be empty")]
    Empty {
        /// The risk (reference), or `new risk`.
        risk: String,
        /// The field.
        field: &'static str,
    },
    /// A required field missing.
    #[error("{risk}: `{field}` is required: {why}")]
    Missing {
        /// The risk (reference), or `new risk`.
        risk: String,
        /// The field.
        field: &'static str,
        /// Why it is needed.
        why: &'static str,
    },
    /// A date that comes before the date it must follow.
    #[error("{risk}: {field} `{date}` is before {other} `{other_date}`")]
    DateOrder {
        /// The risk (reference), or `new risk`.
        risk: String,
        /// The field.
        field: &'static str,
        /// Its value.
        date: String,
        /// The field it must follow.
        other: &'static str,
        /// That field's value.
        other_date: String,
    },
    /// A residual risk at a higher level than the inherent risk, without a stated reason.
    #[error(
        "{risk}: residual `{residual}` is a higher level than inherent `{inherent}`; give a rationale"
    )]
    ResidualWorse {
        /// The risk.
        risk: String,
        /// Residual level.
        residual: String,
        /// Inherent level.
        inherent: String,
    },
    /// A status move the state machine does not allow.
    #[error("{risk}: cannot go from {from} to {to}")]
    IllegalTransition {
        /// The risk.
        risk: String,
        /// Current status.
        from: RiskStatus,
        /// Requested status.
        to: RiskStatus,
    },
    /// An operation on a closed risk that needs it live.
    #[error("{risk}: cannot {operation} a closed risk; reopen it first")]
    RiskClosed {
        /// The risk.
        risk: String,
        /// What was attempted.
        operation: &'static str,
    },
    /// An operation that needs a rating the risk does not have yet.
    #[error("{risk}: {operation} needs the risk to be assessed first")]
    NotAssessed {
        /// The risk.
        risk: String,
        /// What was attempted.
        operation: &'static str,
    },
    /// Closing a risk that still has open mitigation actions.
    #[error("{risk}: cannot close with {count} open mitigation action(s) (first: #{first})")]
    OpenActions {
        /// The risk.
        risk: String,
        /// How many are open.
        count: usize,
        /// Number of the first open one.
        first: u32,
    },
    /// An action number the risk does not have.
    #[error("{risk}: no mitigation action #{number}")]
    UnknownAction {
        /// The risk.
        risk: String,
        /// The number given.
        number: u32,
    },
    /// Completing an action twice.
    #[error("{risk}: mitigation action #{number} is already complete")]
    ActionComplete {
        /// The risk.
        risk: String,
        /// The action.
        number: u32,
    },
    /// Accepting above the appetite without being top management.
    #[error(
        "{risk}: `{level}` is above {division} (`{threshold}`); only top management may accept it"
    )]
    AboveAppetite {
        /// The risk.
        risk: String,
        /// The risk's level.
        level: String,
        /// The appetite threshold that applies.
        threshold: String,
        /// Whose appetite, in words: `the appetite of division `retail`` or
        /// `the default appetite`.
        division: String,
    },
    /// An actor without the authority the action needs.
    #[error("{risk}: {actor} may not {action} a `{level}` risk; {allowed}")]
    NoAuthority {
        /// The risk.
        risk: String,
        /// The actor's name.
        actor: String,
        /// What was attempted (`accept`, `close`, `re-score`).
        action: &'static str,
        /// The level concerned.
        level: String,
        /// Who may, according to the ladder (`the authority ladder lets ... do so`).
        allowed: String,
    },
    /// A role in the authority ladder listed twice.
    #[error(
        "invalid risk appetite: role `{}` is listed twice in the authority ladder",
        crate::appetite::role_words(.role)
    )]
    DuplicateAuthority {
        /// The role.
        role: Role,
    },
    /// A register snapshot that is inconsistent.
    #[error("invalid register snapshot: {reason}")]
    InvalidSnapshot {
        /// Why.
        reason: String,
    },
    /// A date, instant or interval outside what the engine accepts (see `itsm_core::bounds`).
    #[error("{risk}: {error}")]
    OutOfRange {
        /// The risk.
        risk: String,
        /// Which value and the range.
        error: itsm_core::Error,
    },
}
