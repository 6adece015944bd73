//! Why a continuity input was refused.
//!
//! Every error names the record by the user's key (a CI's key, a team's or an exercise's name),
//! the field and the reason; an id appears only for a CI the CMDB does not hold, which has no
//! key.

use itsm_cmdb::{Ci, Cmdb};
use itsm_core::Id;

/// Why a business impact analysis, a recovery input, a disaster scenario or an exercise was
/// refused. Nothing is computed from a refused input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContinuityError {
    /// No CI has this id.
    #[error("unknown configuration item `{id}`")]
    UnknownCi {
        /// The id that was not found.
        id: Id<Ci>,
    },
    /// A CI of the wrong kind where a service or a facility is expected.
    #[error("`{field}` names `{key}`, a {kind}, not a {expected}")]
    WrongKind {
        /// The CI's key.
        key: String,
        /// Its kind (`"hardware"`).
        kind: String,
        /// The kind expected (`"service"`, `"facility"`).
        expected: &'static str,
        /// The field that named it.
        field: &'static str,
    },
    /// Two business impact analyses of one service.
    #[error("service `{service}` has more than one business impact analysis")]
    DuplicateAnalysis {
        /// The service's key.
        service: String,
    },
    /// A business impact analysis whose field breaks a rule.
    #[error("business impact analysis of `{service}`: `{field}` {reason}")]
    InvalidAnalysis {
        /// The service's key.
        service: String,
        /// The field (`rto_s`, `impact[2].after_s` ...).
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// Recovery details given twice for one CI.
    #[error("configuration item `{ci}` has more than one recovery entry")]
    DuplicateRecovery {
        /// The CI's key.
        ci: String,
    },
    /// Recovery details whose field breaks a rule.
    #[error("recovery of `{ci}`: `{field}` {reason}")]
    InvalidRecovery {
        /// The CI's key.
        ci: String,
        /// The field (`duration_s`, `team`, `backup_interval_s`).
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// An exercise record whose field breaks a rule.
    #[error("exercise `{exercise}`: `{field}` {reason}")]
    InvalidExercise {
        /// The exercise's name.
        exercise: String,
        /// The field (`name`, `date`, `notes`, `measured[0].restored_s` ...).
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// The CMDB refused a query (it cannot once the inputs are checked).
    #[error(transparent)]
    Cmdb(#[from] itsm_cmdb::CmdbError),
}

/// The key of `id` for messages, or the id itself when the CMDB does not hold it.
pub(crate) fn key_of(cmdb: &Cmdb, id: Id<Ci>) -> String {
    cmdb.ci(id)
        .map_or_else(|| id.to_string(), |c| c.key.clone())
}
