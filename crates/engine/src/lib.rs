//! # itsm-engine: the aggregate
//!
//! One state, [`Sms`], holds the organisation (actors, divisions), the configuration graph, the
//! risk register and the change register. Everything that changes it goes through
//! [`Sms::apply`] with the acting actor, the time and a [`Command`]; the accepted command is
//! logged as an [`Event`] with what it caused ([`Effect`]s), and [`Sms::replay`] rebuilds an
//! equal state from the log. The cross-cutting rules live here:
//! - **authority**: each command is checked against the actor's roles (ISO/IEC 20000-1 5.3);
//!   the registers add their own checks (risk acceptance ladder and appetite, change approval
//!   matrix and segregation of duties);
//! - **change control**: CIs the change policy puts under change control are edited only by
//!   implemented changes; a direct edit is refused (8.5.1.1, 8.2.6);
//! - a change assessed at or above the escalation level raises a linked risk (6.1, 8.5.1.2);
//!   escalations of the risk register become effects for top management (6.1, 9.3).
//!
//! Reads go through [`Sms::query`] with a serde [`Query`] (or the typed accessors);
//! [`Sms::apply_json`] and [`Sms::query_json`] are the JSON surface bindings wrap;
//! [`Sms::management_review`] gathers the 9.3 inputs with an evidence map per clause.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod apply;
mod apply_changes;
mod apply_configuration;
mod apply_risks;
mod availability;
mod chain;
mod command;
mod continuity;
mod continuity_view;
mod error;
mod input;
mod json;
mod keys;
mod lookup;
mod names;
mod organisation;
mod query;
mod review;
mod sms;
mod snapshot;
mod strict;
pub mod view;

pub use availability::{
    AvailabilityView, ChangeOutageView, DowntimeLeftView, ImportanceView, OutageDef, OutageView,
    PredictionView, SpanView,
};
pub use chain::{ChainKey, Digest};
pub use command::{
    ActorDef, AppetiteDef, BlackoutDef, CiDef, CiUpdateDef, Command, DeltaDef, DivisionDef,
    LinksDef, PolicyDef, ProvisionDef, ScopeRuleDef, ScoreDef, TreatmentDef,
};
pub use continuity::{DisasterDef, ImpactStepDef, MeasuredDef};
pub use continuity_view::{
    BackupView, BusinessImpactView, ContinuityAssessmentView, ContinuityReview, ExerciseView,
    FindingView, InheritedObjectivesView, RecoveryPlanView, RestoreView, StepView,
};
pub use error::EngineError;
pub use itsm_core::text::excerpt;
pub use json::{serde_words, shorten_quotes};
pub use query::{Answer, ImpactAnswer, Query};
pub use review::{ClauseEvidence, ManagementReview};
pub use sms::{Effect, Event, Sms};
pub use strict::parse_strict;
