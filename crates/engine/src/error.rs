//! Errors of the engine.

use itsm_change::ChangeError;
use itsm_cmdb::{BatchError, CmdbError, ImportError};
use itsm_core::Error as CoreError;
use itsm_risk::RiskError;

/// Why a command or query was refused. A refused command changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// No actor with this key.
    #[error("unknown actor `{key}`")]
    UnknownActor {
        /// The key given.
        key: String,
    },
    /// No division with this key.
    #[error("unknown division `{key}`")]
    UnknownDivision {
        /// The key given.
        key: String,
    },
    /// No risk with this key.
    #[error("unknown risk `{key}`")]
    UnknownRisk {
        /// The key given.
        key: String,
    },
    /// No change with this key.
    #[error("unknown change `{key}`")]
    UnknownChange {
        /// The key given.
        key: String,
    },
    /// No baseline with this name.
    #[error("unknown baseline `{name}`")]
    UnknownBaseline {
        /// The name given.
        name: String,
    },
    /// A key already used.
    #[error("{what} `{key}` already exists")]
    Duplicate {
        /// What kind of record.
        what: &'static str,
        /// The key.
        key: String,
    },
    /// The actor lacks the role the command needs.
    #[error("{actor} may not {action}: it needs {needs}")]
    NotAuthorized {
        /// The actor's key.
        actor: String,
        /// What was attempted.
        action: String,
        /// The roles that may.
        needs: String,
    },
    /// A risk named for an owner who may not own risks.
    #[error(
        "`{actor}` may not own risks: an owner is a risk owner, a risk manager or top management"
    )]
    MayNotOwnRisks {
        /// The actor's key.
        actor: String,
    },
    /// A direct edit of a CI under change control.
    #[error("`{ci}` is under change control by {rule}; {action} it through a change")]
    ChangeControlled {
        /// The CI's key.
        ci: String,
        /// What was attempted.
        action: &'static str,
        /// The change policy rule that applies.
        rule: String,
    },
    /// A command that would redefine the organisation once it is in use.
    #[error("the organisation is in use ({reason}); it can no longer be redefined")]
    OrganisationInUse {
        /// What already uses it.
        reason: String,
    },
    /// An import into a CMDB that already holds CIs.
    #[error("the CMDB already holds {cis} configuration item(s); import into an empty CMDB")]
    ImportIntoNonEmpty {
        /// How many it holds.
        cis: usize,
    },
    /// A key whose derived id belongs to a CI with another key (an imported CI kept an id that
    /// collides with the id this key derives to).
    #[error(
        "the id key `{key}` derives to is held by CI `{holder}`: `{key}` would reach another key's CI"
    )]
    KeyCollision {
        /// The key given.
        key: String,
        /// The key of the CI that holds the id.
        holder: String,
    },
    /// An edit of a change's delta naming a CI that neither exists nor is created by an
    /// earlier edit of the same delta.
    #[error(
        "edit {edit} of the delta of change `{change}` names CI `{ci}`, which neither exists nor is added earlier in the delta"
    )]
    DeltaUnknownCi {
        /// The change key.
        change: String,
        /// Position of the edit, from 1.
        edit: usize,
        /// The CI key.
        ci: String,
    },
    /// A direct edit that would move a CI into or out of change control.
    #[error(
        "this update would move `{ci}` {direction} change control ({rule}); that is a change: raise one"
    )]
    ScopeMove {
        /// The CI key.
        ci: String,
        /// `into` or `out of`.
        direction: &'static str,
        /// The policy rule involved.
        rule: String,
    },
    /// A risk link to a record that does not exist.
    #[error("risk link to unknown {what} `{key}`")]
    UnknownLink {
        /// `CI`, `supplier` or `change`.
        what: &'static str,
        /// The key.
        key: String,
    },
    /// A command dated before the last logged event: time only moves forward.
    #[error("at {at} is before the last event, {last}")]
    TimeWentBack {
        /// The command's time.
        at: String,
        /// The last event's time.
        last: String,
    },
    /// A log whose hash chain is broken.
    #[error("the log is broken at event {seq}: {reason}")]
    Chain {
        /// The event's sequence number.
        seq: u64,
        /// How.
        reason: String,
    },
    /// Not a snapshot at all: malformed JSON, or a log that cannot be read.
    #[error("snapshot refused: {reason}")]
    Snapshot {
        /// Why.
        reason: String,
    },
    /// A snapshot holding a record that is not what its log produces: edited, added or removed
    /// beside the log (its chain and replay are sound).
    #[error("snapshot refused: {record} is not what its log produces ({detail})")]
    SnapshotDiffers {
        /// The record, by key (`risk `isp-gap` (R-3)`, `the history of risk ...`, `change
        /// `chg-1` (CHG-1)`, `CI `app``, `actor `ops``).
        record: String,
        /// How: where it differs (a JSON pointer into the snapshot), or what is missing.
        detail: String,
    },
    /// A snapshot whose log does not end at the head digest the embedder kept.
    #[error(
        "snapshot refused: its log ends at event {events} with head `{head}`, not at the head `{kept}` that was kept: events were removed or rewritten"
    )]
    SnapshotHead {
        /// How many events the log holds.
        events: usize,
        /// Its last digest.
        head: String,
        /// The digest that was kept.
        kept: String,
    },
    /// No redundancy group with this name.
    #[error("unknown redundancy group `{name}`")]
    UnknownGroup {
        /// The name given.
        name: String,
    },
    /// Removing a CI an open change targets.
    #[error("`{ci}` is a target of open change `{change}`; close or cancel the change first")]
    TargetOfOpenChange {
        /// The CI key.
        ci: String,
        /// The change key.
        change: String,
    },
    /// A key the engine reserves.
    #[error("key `{key}` is reserved: {why}")]
    ReservedKey {
        /// The key.
        key: String,
        /// Why.
        why: &'static str,
    },
    /// A text field of a command the engine does not store.
    #[error("`{field}`: {error}")]
    Field {
        /// The field, as named in the command's JSON.
        field: String,
        /// Why.
        error: CoreError,
    },
    /// One baseline of the pair a query counts unauthorized changes between, without the
    /// other.
    #[error(
        "`{given}` is given without `{missing}`: unauthorized changes are counted between two baselines; give both or neither"
    )]
    BaselinePair {
        /// The field given.
        given: &'static str,
        /// The field missing.
        missing: &'static str,
    },
    /// A log that does not replay: the event (by its place in the log) and why.
    #[error("event {seq} does not replay: {reason}")]
    Replay {
        /// The event's sequence number.
        seq: u64,
        /// Why.
        reason: String,
    },
    /// A CI that is not a service where a service is needed.
    #[error("`{ci}` is not a service")]
    NotAService {
        /// The CI key.
        ci: String,
    },
    /// A service without an availability target.
    #[error(
        "service `{service}` has no availability target: set one with `set_availability_target`"
    )]
    NoAvailabilityTarget {
        /// The service key.
        service: String,
    },
    /// A change without a window where its window is needed.
    #[error("change `{change}` has no window yet: schedule it first")]
    ChangeNotScheduled {
        /// The change key.
        change: String,
    },
    /// A CI with an open outage cannot be removed.
    #[error("`{ci}` has an open outage `{outage}`; end the outage before removing it")]
    OpenOutage {
        /// The CI key.
        ci: String,
        /// The outage key.
        outage: String,
    },
    /// A configuration graph error.
    #[error(transparent)]
    Cmdb(#[from] CmdbError),
    /// The availability register's refusal.
    #[error(transparent)]
    Availability(#[from] itsm_availability::AvailabilityError),
    /// A prediction refused (a structure or option the method does not take).
    #[error(transparent)]
    Predict(#[from] itsm_availability::predict::PredictError),
    /// A CI whose availability attributes cannot be read.
    #[error("cannot predict availability: {reason}")]
    ComponentAvailability {
        /// Which attribute of which CI, and why.
        reason: String,
    },
    /// A continuity input refused (analysis, recovery details, scenario or exercise).
    #[error(transparent)]
    Continuity(#[from] itsm_availability::ContinuityError),
    /// A batch of configuration edits refused.
    #[error(transparent)]
    Batch(#[from] Box<BatchError>),
    /// A bulk import refused.
    #[error(transparent)]
    Import(#[from] Box<ImportError>),
    /// A risk register error.
    #[error(transparent)]
    Risk(#[from] RiskError),
    /// A change engine error.
    #[error(transparent)]
    Change(#[from] Box<ChangeError>),
    /// A value error (money, period, scale ...).
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl From<ChangeError> for EngineError {
    fn from(e: ChangeError) -> Self {
        Self::Change(Box::new(e))
    }
}
