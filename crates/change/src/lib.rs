//! # itsm-change: the change engine
//!
//! Change management as ISO/IEC 20000-1 8.5.1 requires (with 8.5.2 service design and
//! transition for major-impact changes) and ISO/IEC TR 20000-17 5.12 describes, driven by the
//! configuration graph (`itsm-cmdb`) and the risk matrix (`itsm-risk`).
//!
//! - [`ChangePolicy`]: scope of change control, categories and standard models, major-impact
//!   criteria, the approval matrix, segregation of duties, freezes and maintenance windows,
//!   objectives.
//! - [`ChangeRegister`]: the lifecycle, one validated method per move (see its docs for the
//!   state machine); successful changes apply their configuration delta to the CMDB atomically
//!   and stamp the CIs they touch.
//! - [`assess`]: impact through the graph, risk factors, a level on the matrix, cost, fit with
//!   objectives, major impact, standard-model check, approvals needed, risk of not changing,
//!   each with its reasons; [`raise_risks`] records what it found in the risk register.
//! - [`find_conflicts`]: the forward schedule's conflicts by a sweep, O(n log n).
//! - [`ChangeMetrics`] and [`ChangeRegister::unauthorized`]: records and analysis.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod assess;
mod change;
mod delta;
mod error;
mod guard;
mod metrics;
mod policy;
mod register;
mod risks;
mod schedule;

pub use assess::{
    ChangeAssessment, FactorFinding, ImpactedService, ModelCheck, ObjectiveFinding, assess,
};
pub use change::{
    ApprovalRecord, Category, Change, ChangeId, ChangeStatus, Factor, FactorLevel, LogEntry,
    Nature, NewChange, NotDoing, Outcome, TransitionStage,
};
pub use delta::reach;
pub use error::ChangeError;
pub use metrics::{ChangeMetrics, Unauthorized, schedule_markdown};
pub use policy::{
    ApprovalRule, Approver, Blackout, CategoryKind, ChangePolicy, ChangeScope, MajorCriteria,
    Objective, ScopeRule, StandardModel,
};
pub use register::{ChangeRegister, MAX_LOG};
pub use risks::raise_risks;
pub use schedule::{Conflict, DependentChange, ScheduledChange, Shared, find_conflicts};
