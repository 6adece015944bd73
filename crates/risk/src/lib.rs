//! # itsm-risk: the risk register
//!
//! The register an SMS keeps for ISO/IEC 20000-1 6.1 (actions to address risks and
//! opportunities), 8.7.2 (continuity) and 8.7.3 (information security), with the fields
//! ISO/IEC TR 20000-17 5.7 lists: reference, dates, description, trigger, impact, category,
//! owner, impact and likelihood, calculated and residual risk, initial mitigation, status.
//!
//! - [`RiskMatrix`]: impact x likelihood -> level, as score bands or an explicit grid,
//!   validated when built (3x3, 4x4 and 5x5 standards included; any size works).
//! - [`RiskAppetite`]: thresholds per division, the authority ladder, escalation levels.
//! - [`RiskRegister`]: the one writer. Every operation validates, then applies, appends to the
//!   risk's [`HistoryEntry`] list (replayable, see [`replay`]) and raises [`Escalation`]s.
//!   Status moves follow [`RiskStatus::can_move_to`].
//! - [`RiskReport`]: a period's report (new, closed, materialized, levels, categories, heat
//!   maps, overdue actions, reviews due, treatment effectiveness, opportunities, escalations),
//!   typed and as Markdown.
//!
//! Links to CIs and services use `itsm_cmdb`'s `Id<Ci>`; the register never reads the graph.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod appetite;
mod error;
mod history;
mod input;
mod level;
mod matrix;
mod operations;
mod register;
mod report;
mod risk;

pub use appetite::{Authority, RiskAppetite, may_own_risks, role_words};
pub use error::RiskError;
pub use history::{FieldChange, HistoryEntry, Operation, replay};
pub use input::{Assessment, Escalation, EscalationReason, NewAction, NewRisk, RiskUpdate, Score};
pub use level::RiskLevel;
pub use matrix::{Band, MatrixDefinition, MatrixRule, Rating, RiskMatrix};
pub use operations::MAX_ACTIONS;
pub use register::RiskRegister;
pub use report::{HeatMap, OverdueAction, ReviewDue, ReviewReason, RiskLine, RiskReport, Treated};
pub use risk::{
    Acceptance, AcceptanceCover, Lapse, MitigationAction, Pillar, Reference, RegisterKind, Risk,
    RiskId, RiskKind, RiskLinks, RiskSource, RiskStatus, Treatment,
};

#[cfg(test)]
mod tests;
