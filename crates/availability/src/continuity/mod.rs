//! Service continuity (ISO/IEC 20000-1 8.7.2; TR 20000-17 5.7): business impact analysis,
//! recovery objectives that flow down the configuration graph, recovery plans for a disaster
//! scenario, and continuity exercises.
//!
//! - [`BusinessImpact`]: per service, how the impact of an outage grows over time (steps on an
//!   ordinal scale, never decreasing), the maximum tolerable period of disruption (MTPD), the
//!   recovery time objective (RTO, at most the MTPD) and the recovery point objective (RPO).
//! - [`flow_down`]: every CI inherits the strictest RTO and RPO of the services that need it,
//!   with the service that sets each, in O(V + E) per objective.
//! - [`plan_recovery`]: for a [`Disaster`] (CIs that fail, or a facility), the order in which
//!   the CIs down come back (dependency first, a cycle together, redundancy honoured, limited
//!   recovery teams, business impact breaking ties), each service's restore time against its
//!   RTO and MTPD, and each CI's backup interval against the RPO it inherits.
//! - [`review_exercise`]: an [`Exercise`]'s measured restore times against the objectives.
//!
//! Gaps come out as typed [`ContinuityFinding`]s (service, objective, required, achieved, the
//! CIs involved), for the engine to raise as continuity risks.
//!
//! **Units.** Every duration is a whole number of seconds (`u64`, fields ending in `_s`), at
//! most [`MAX_DURATION_S`]; times in a plan are seconds from the disaster.
//!
//! **Inputs.** Records name CIs by id; every error names them by key (see
//! [`ContinuityError`]). The functions are pure: they read the CMDB through its public API,
//! check every input before computing anything, and return either the whole answer or an
//! error.

mod bia;
mod error;
mod exercise;
mod finding;
mod flow;
mod graph;
mod plan;

#[cfg(test)]
mod tests;

pub use bia::{BusinessImpact, ImpactStep, MAX_DURATION_S};
pub use error::ContinuityError;
pub use exercise::{Exercise, ExerciseReview, MeasuredRestore, review_exercise};
pub use finding::{ContinuityFinding, FindingBasis, Objective};
pub use flow::{FlowDown, Inherited, InheritedObjectives, flow_down};
pub use plan::{
    BackupCheck, CRITICAL_PATH_MAX, CiRecovery, Disaster, RecoveryPlan, RecoveryStep,
    ServiceRestore, plan_recovery,
};
