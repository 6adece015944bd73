//! Availability and continuity of services (ISO/IEC 20000-1 8.7.1 service availability, 8.7.2
//! service continuity; ISO/IEC TR 20000-17 5.2, 5.6 and 5.7).
//!
//! The crate answers *for how long* a service is down, against which target, and how fast it
//! comes back:
//!
//! - measured availability: outage records clipped to agreed service hours, planned downtime in
//!   agreed maintenance windows reported apart, every convention an explicit parameter;
//! - predicted availability: service availability from component availability through the
//!   dependency structure, shared components counted once;
//! - continuity: business impact analysis, recovery objectives that flow down the graph, and
//!   recovery plans for a disaster scenario.
//!
//! Like the other library crates it does no I/O: time is an argument and the same inputs give
//! the same answers.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod calculator;
pub mod continuity;
mod error;
pub mod measured;
pub mod outages;
pub mod predict;
pub mod register;

pub use continuity::{
    BackupCheck, BusinessImpact, CRITICAL_PATH_MAX, CiRecovery, ContinuityError, ContinuityFinding,
    Disaster, Exercise, ExerciseReview, FindingBasis, FlowDown, ImpactStep, Inherited,
    InheritedObjectives, MAX_DURATION_S, MeasuredRestore, Objective, RecoveryPlan, RecoveryStep,
    ServiceRestore, flow_down, plan_recovery, review_exercise,
};
pub use error::AvailabilityError;
pub use measured::{Conventions, MeasurePeriod, Measurement, OutageState, Percent, Span, measure};
pub use outages::{CiOutage, service_outages};
pub use register::{
    AvailabilityRegister, Outage, OutageKind, OutageSource, ServiceAvailability, ServiceTarget,
};
