//! The change record, its categories and its lifecycle states.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use itsm_cmdb::{Ci, CmdbOp};
use itsm_core::entity::Change as ChangeTag;
use itsm_core::{Actor, Id, Money, Period};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Approver, ChangeAssessment};

/// Id tag of changes: the same marker the CMDB stamps on CIs.
pub type ChangeId = ChangeTag;

/// The category of a change (8.5.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Assessed and approved case by case.
    Normal,
    /// Pre-approved when it matches the named standard model's conditions.
    Standard(String),
    /// Urgent: approved by the emergency authority, reviewed afterwards.
    Emergency,
}

/// What the change does to services, for the major-impact criteria that always apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nature {
    /// Modifies existing CIs.
    Modify,
    /// Introduces a new service.
    NewService,
    /// Removes or decommissions a service (always major-impact).
    DecommissionService,
    /// Transfers a service into the organisation (always major-impact).
    TransferIn,
    /// Transfers a service out of the organisation (always major-impact).
    TransferOut,
}

/// A risk factor of a change (TR 20000-17 5.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// Enough people to implement and support it.
    HumanResources,
    /// The skills to do it.
    Skills,
    /// A test environment that matches production.
    TestEnvironment,
    /// Enough time (window, preparation, back-out).
    Time,
    /// Other services affected (computed from the graph).
    OtherServices,
    /// Past failed or backed-out changes on the same CIs (computed from the records).
    PastFailures,
}

impl fmt::Display for Factor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::HumanResources => "human resources",
            Self::Skills => "skills",
            Self::TestEnvironment => "test environment",
            Self::Time => "time",
            Self::OtherServices => "other services",
            Self::PastFailures => "past failures",
        })
    }
}

/// How much a factor adds to the risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorLevel {
    /// Little.
    Low,
    /// Some.
    Medium,
    /// Much.
    High,
}

impl fmt::Display for FactorLevel {
    /// As the user writes it: `low`, `medium`, `high`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        })
    }
}

impl FactorLevel {
    /// Points toward the likelihood (0, 1, 2).
    #[must_use]
    pub const fn points(self) -> u32 {
        match self {
            Self::Low => 0,
            Self::Medium => 1,
            Self::High => 2,
        }
    }
}

/// The risk of *not* making the change, rated on the same matrix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "the risk of not making the change, with `description`, `impact` and `likelihood`"
)]
pub struct NotDoing {
    /// What happens if the change is not made.
    pub description: String,
    /// Impact level name.
    pub impact: String,
    /// Likelihood level name.
    pub likelihood: String,
}

/// How an implementation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done as planned; the delta is applied.
    Successful,
    /// It failed; the CMDB is unchanged.
    Failed,
    /// It was backed out; the CMDB is unchanged.
    BackedOut,
}

impl fmt::Display for Outcome {
    /// As the user writes it: `successful`, `failed`, `backed_out`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Successful => "successful",
            Self::Failed => "failed",
            Self::BackedOut => "backed_out",
        })
    }
}

/// Lifecycle state (8.5.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Being written.
    Draft,
    /// Submitted for assessment.
    Submitted,
    /// Assessed, awaiting approval.
    Assessed,
    /// Approved.
    Approved,
    /// Rejected.
    Rejected,
    /// Given a window on the forward schedule.
    Scheduled,
    /// Being implemented.
    Implementing,
    /// Implemented, with its outcome.
    Implemented(Outcome),
    /// Reviewed after implementation.
    Reviewed,
    /// Closed.
    Closed,
    /// Cancelled before implementation.
    Cancelled,
}

impl ChangeStatus {
    /// True while a change can still be cancelled.
    #[must_use]
    pub const fn is_open(self) -> bool {
        matches!(
            self,
            Self::Draft | Self::Submitted | Self::Assessed | Self::Approved | Self::Scheduled
        )
    }
}

impl fmt::Display for ChangeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Draft => f.write_str("draft"),
            Self::Submitted => f.write_str("submitted"),
            Self::Assessed => f.write_str("assessed"),
            Self::Approved => f.write_str("approved"),
            Self::Rejected => f.write_str("rejected"),
            Self::Scheduled => f.write_str("scheduled"),
            Self::Implementing => f.write_str("implementing"),
            Self::Implemented(Outcome::Successful) => f.write_str("implemented (successful)"),
            Self::Implemented(Outcome::Failed) => f.write_str("implemented (failed)"),
            Self::Implemented(Outcome::BackedOut) => f.write_str("implemented (backed out)"),
            Self::Reviewed => f.write_str("reviewed"),
            Self::Closed => f.write_str("closed"),
            Self::Cancelled => f.write_str("cancelled"),
        }
    }
}

/// A stage of service design and transition (8.5.2), in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitionStage {
    /// Plan the new or changed service.
    Plan,
    /// Design it.
    Design,
    /// Build and transition it.
    BuildAndTransition,
}

impl TransitionStage {
    /// The stages in order.
    pub const ALL: [Self; 3] = [Self::Plan, Self::Design, Self::BuildAndTransition];
}

impl fmt::Display for TransitionStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Plan => "plan",
            Self::Design => "design",
            Self::BuildAndTransition => "build and transition",
        })
    }
}

/// An approval given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRecord {
    /// Who (`None` for a pre-approved standard model).
    pub by: Option<Id<Actor>>,
    /// In which capacity.
    pub approver: Option<Approver>,
    /// When.
    pub at: DateTime<Utc>,
}

/// One entry of a change's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Id<Actor>,
    /// What happened (`submitted`, `approved as CAB member` ...).
    pub action: String,
    /// The status after it.
    pub status: ChangeStatus,
}

/// What is known when a change is raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewChange {
    /// Title.
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Category.
    pub category: Category,
    /// Nature.
    pub nature: Nature,
    /// Introduces technology new to the organisation.
    #[serde(default)]
    pub new_technology: bool,
    /// Who implements it.
    #[serde(default)]
    pub implementer: Option<Id<Actor>>,
    /// The CIs it changes directly.
    pub targets: Vec<Id<Ci>>,
    /// The configuration delta applied when it succeeds.
    #[serde(default)]
    pub delta: Vec<CmdbOp>,
    /// Estimated cost.
    #[serde(default)]
    pub estimated_cost: Option<Money>,
    /// The requester's view of the risk factors (missing ones count as medium).
    #[serde(default)]
    pub factors: BTreeMap<Factor, FactorLevel>,
    /// Effects on objective measures (`energy_kwh_per_month: +120`).
    #[serde(default)]
    pub objective_effects: BTreeMap<String, Decimal>,
    /// The risk of not making it.
    #[serde(default)]
    pub not_doing: Option<NotDoing>,
}

impl NewChange {
    /// A normal modification of `targets` with nothing else stated.
    #[must_use]
    pub fn new(title: impl Into<String>, targets: Vec<Id<Ci>>) -> Self {
        Self {
            title: title.into(),
            description: String::new(),
            category: Category::Normal,
            nature: Nature::Modify,
            new_technology: false,
            implementer: None,
            targets,
            delta: Vec::new(),
            estimated_cost: None,
            factors: BTreeMap::new(),
            objective_effects: BTreeMap::new(),
            not_doing: None,
        }
    }
}

/// A change record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// Id, derived from the reference.
    pub id: Id<ChangeId>,
    /// Number in the register: the reference is `CHG-{number}`.
    pub number: u32,
    /// Who raised it.
    pub requester: Id<Actor>,
    /// When it was raised.
    pub raised_at: DateTime<Utc>,
    /// What was asked for.
    pub request: NewChange,
    /// Status.
    pub status: ChangeStatus,
    /// The latest assessment.
    pub assessment: Option<ChangeAssessment>,
    /// Approvals given.
    pub approvals: Vec<ApprovalRecord>,
    /// Design and transition stages completed (major-impact changes).
    pub transition: Vec<TransitionStage>,
    /// The implementation window.
    pub window: Option<Period>,
    /// When it was submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When implementation ended.
    pub implemented_at: Option<DateTime<Utc>>,
    /// How implementation ended (kept after review and closure).
    pub outcome: Option<Outcome>,
    /// Post-implementation review notes.
    pub review: Option<String>,
    /// Must be reviewed (emergency changes; changes made inside a freeze).
    pub review_required: bool,
    /// Things the review must look at (`implemented inside freeze "year-end"`).
    pub flags: Vec<String>,
    /// Everything that happened to it.
    pub log: Vec<LogEntry>,
}

impl Change {
    /// `CHG-{number}`.
    #[must_use]
    pub fn reference(&self) -> String {
        format!("CHG-{}", self.number)
    }

    /// True for emergency changes.
    #[must_use]
    pub fn is_emergency(&self) -> bool {
        self.request.category == Category::Emergency
    }

    /// True when the assessment found it major-impact.
    #[must_use]
    pub fn is_major(&self) -> bool {
        self.assessment
            .as_ref()
            .is_some_and(|a| !a.major_impact.is_empty())
    }

    /// The next design and transition stage still to do, for a major-impact change.
    #[must_use]
    pub fn next_stage(&self) -> Option<TransitionStage> {
        if !self.is_major() {
            return None;
        }
        TransitionStage::ALL
            .into_iter()
            .find(|s| !self.transition.contains(s))
    }
}
