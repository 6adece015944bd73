//! The risk record and its parts, with the fields ISO/IEC TR 20000-17 5.7 lists for a register.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use itsm_cmdb::Ci;
use itsm_core::entity::{Change, Party};
use itsm_core::{Actor, Division, Id};
use serde::{Deserialize, Serialize};

use crate::{Rating, RiskLevel};

/// Id tag of risks (`Id<RiskId>`); the same marker every crate uses for risks.
pub type RiskId = itsm_core::entity::Risk;

/// A risk's reference in its register: `R-` and a number the register allocates in order and
/// never reuses. Serialized as the text (`"R-12"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference(u32);

impl Reference {
    /// The reference with this number (`R-{number}`).
    #[must_use]
    pub const fn new(number: u32) -> Self {
        Self(number)
    }

    /// The number.
    #[must_use]
    pub const fn number(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "R-{}", self.0)
    }
}

impl std::str::FromStr for Reference {
    type Err = crate::RiskError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.strip_prefix("R-")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| *n > 0 && s.len() == format!("R-{n}").len())
            .map(Self)
            .ok_or_else(|| crate::RiskError::InvalidReference { text: s.to_owned() })
    }
}

impl PartialEq<&str> for Reference {
    fn eq(&self, other: &&str) -> bool {
        other.parse::<Self>().is_ok_and(|o| o == *self)
    }
}

impl Serialize for Reference {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Reference {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Threat or opportunity: both are scored on the same matrix (6.1 risks *and* opportunities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskKind {
    /// Something that may harm the services or the SMS.
    Threat,
    /// Something that may benefit them.
    Opportunity,
}

/// An information-security pillar a risk touches (8.7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pillar {
    /// Confidentiality.
    Confidentiality,
    /// Integrity.
    Integrity,
    /// Availability.
    Availability,
}

/// Which register a risk belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterKind {
    /// The SMS risk register (6.1).
    Sms,
    /// Information security (8.7.3), with the pillars touched (at least one).
    InformationSecurity(BTreeSet<Pillar>),
    /// Service continuity (8.7.2).
    Continuity,
    /// The organisation's corporate register.
    Corporate,
    /// Another named register.
    Named(String),
}

impl fmt::Display for RegisterKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sms => f.write_str("SMS"),
            Self::InformationSecurity(p) => {
                let letters: String = p
                    .iter()
                    .map(|x| match x {
                        Pillar::Confidentiality => 'C',
                        Pillar::Integrity => 'I',
                        Pillar::Availability => 'A',
                    })
                    .collect();
                write!(f, "information security ({letters})")
            }
            Self::Continuity => f.write_str("continuity"),
            Self::Corporate => f.write_str("corporate"),
            Self::Named(n) => f.write_str(n),
        }
    }
}

/// Where a risk came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskSource {
    /// Raised by a person.
    Manual,
    /// Found while assessing a change (8.5.1).
    ChangeAssessment,
    /// A gap between a customer target and the supplier targets underpinning it (8.3.4).
    SupplierAlignment,
    /// A business impact analysis (8.7.2).
    BusinessImpactAnalysis,
    /// A continuity exercise (8.7.2).
    ContinuityExercise,
}

/// What a risk is linked to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskLinks {
    /// Configuration items, services included.
    pub cis: BTreeSet<Id<Ci>>,
    /// Suppliers (parties).
    pub suppliers: BTreeSet<Id<Party>>,
    /// Changes.
    pub changes: BTreeSet<Id<Change>>,
}

/// A decision to accept a risk.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// Who accepted it (checked against the authority ladder and the appetite).
    pub by: Id<Actor>,
    /// Until when; after that the risk is due for a decision again.
    pub until: NaiveDate,
    /// Why.
    pub rationale: String,
}

/// What an acceptance covers, recorded by the register when the risk is accepted.
///
/// The acceptance holds while the risk's level stays within the acceptor's authority
/// (`reach`) and within the appetite of the risk's division (the appetite that applies now: a
/// risk moved to a stricter division is measured against it) or, for an acceptance made above
/// the appetite (top management only), at or below the level it was accepted at (`level`).
/// Past either, it lapses: the treatment is withdrawn, the lapse recorded in the history and
/// escalated, and the risk needs a new decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceCover {
    /// The risk's level when it was accepted.
    pub level: RiskLevel,
    /// The highest level the acceptor's authority reached then.
    pub reach: RiskLevel,
    /// Whether it was accepted above the appetite of the risk's division (by top management).
    pub above_appetite: bool,
}

/// An acceptance that lapsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lapse {
    /// When.
    pub at: DateTime<Utc>,
    /// The acceptance that lapsed.
    pub acceptance: Acceptance,
    /// The level the risk rose to.
    pub level: RiskLevel,
    /// Why, in words (`` `Critical` is above the acceptor's authority (`High`) ``).
    pub why: String,
}

/// How a risk is treated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    /// Reduce it with mitigation actions (see [`Risk::actions`]).
    Mitigate,
    /// Live with it, by decision.
    Accept(Acceptance),
    /// Pass it to another party (insurance, a supplier contract).
    Transfer {
        /// The party that carries it.
        to: Id<Party>,
        /// How (the contract clause, the policy).
        arrangement: String,
    },
    /// Stop the activity that causes it: no residual risk remains.
    Avoid {
        /// How.
        how: String,
    },
}

/// A mitigation action.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MitigationAction {
    /// Number within the risk (1, 2, ...).
    pub number: u32,
    /// What is to be done.
    pub description: String,
    /// Who does it.
    pub owner: Id<Actor>,
    /// By when.
    pub due: NaiveDate,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
}

impl MitigationAction {
    /// True until the action is completed.
    #[must_use]
    pub const fn is_open(&self) -> bool {
        self.completed_at.is_none()
    }
}

/// Lifecycle status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskStatus {
    /// Identified, not yet assessed or treated.
    New,
    /// Assessed and being managed.
    Open,
    /// No longer relevant, or fully treated.
    Closed,
    /// It happened.
    Materialized,
}

impl RiskStatus {
    /// Whether the state machine allows a move from `self` to `to`.
    ///
    /// New -> Open | Closed | Materialized; Open -> Closed | Materialized;
    /// Materialized -> Open | Closed; Closed -> Open (reopen).
    #[must_use]
    pub const fn can_move_to(self, to: Self) -> bool {
        use RiskStatus::*;
        matches!(
            (self, to),
            (New, Open | Closed | Materialized)
                | (Open, Closed | Materialized)
                | (Materialized, Open | Closed)
                | (Closed, Open)
        )
    }

    /// True for every status but `Closed`.
    #[must_use]
    pub const fn is_live(self) -> bool {
        !matches!(self, Self::Closed)
    }
}

impl fmt::Display for RiskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::New => "new",
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Materialized => "materialized",
        })
    }
}

/// A risk (or opportunity) in the register.
///
/// Fields are public for reading; the [`crate::RiskRegister`] is the only writer and keeps the
/// history of every change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Risk {
    /// Id, derived from the reference.
    pub id: Id<RiskId>,
    /// Unique reference allocated by the register (`R-123`), never reused.
    pub reference: Reference,
    /// Short title.
    pub title: String,
    /// Description.
    pub description: String,
    /// What would set it off.
    pub trigger: String,
    /// What happens to services, customers or the organisation if it occurs.
    pub impact_description: String,
    /// When it was identified.
    pub identified_at: DateTime<Utc>,
    /// Target date for mitigation.
    pub target_date: Option<NaiveDate>,
    /// Category (`supplier`, `change`, `continuity` ...).
    pub category: String,
    /// Sub-category.
    pub sub_category: Option<String>,
    /// Risk owner.
    pub owner: Id<Actor>,
    /// Threat or opportunity.
    pub kind: RiskKind,
    /// Which register.
    pub register: RegisterKind,
    /// The division whose appetite applies (the default appetite when `None`).
    pub division: Option<Id<Division>>,
    /// Linked CIs, services, suppliers and changes.
    pub links: RiskLinks,
    /// Where it came from.
    pub source: RiskSource,
    /// Calculated (inherent) risk, before treatment.
    pub inherent: Option<Rating>,
    /// Residual risk, after treatment.
    pub residual: Option<Rating>,
    /// Why the residual is rated above the inherent risk, when it is.
    pub residual_rationale: Option<String>,
    /// The highest rating the risk has carried since it was last closed or accepted: the level
    /// it carried then, and every rating (inherent or residual) set or carried since. Closing, accepting, treating and
    /// handing the risk over are authorised against it, so clearing or lowering a rating
    /// first never lowers the authority a decision needs.
    pub peak: Option<Rating>,
    /// The initial mitigation (controls already in place when identified).
    pub initial_mitigation: Option<String>,
    /// Chosen treatment.
    pub treatment: Option<Treatment>,
    /// Mitigation actions.
    pub actions: Vec<MitigationAction>,
    /// Status.
    pub status: RiskStatus,
    /// Days between reviews.
    pub review_interval_days: Option<u32>,
    /// Next review date.
    pub next_review: Option<NaiveDate>,
    /// When it was last reviewed.
    pub last_reviewed_at: Option<DateTime<Utc>>,
    /// When it was last closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// When it last materialized.
    pub materialized_at: Option<DateTime<Utc>>,
    /// The level at which top management was last told about it.
    pub escalated_level: Option<RiskLevel>,
    /// What the acceptance in force covers, recorded when it was made; `None` unless the
    /// treatment is an acceptance.
    #[serde(default)]
    pub accepted: Option<AcceptanceCover>,
    /// The last acceptance that lapsed because the risk rose above what it covered, until a
    /// new treatment decision is made.
    #[serde(default)]
    pub lapsed: Option<Lapse>,
    /// The linked copy in the corporate register, or for a copy, the original.
    pub corporate_link: Option<Reference>,
    /// Record version: 1 when identified, one more per accepted change.
    pub version: u64,
}

impl Risk {
    /// The rating that counts now: none once avoided, else the residual if assessed, else the
    /// inherent.
    #[must_use]
    pub fn current(&self) -> Option<&Rating> {
        if matches!(self.treatment, Some(Treatment::Avoid { .. })) {
            return None;
        }
        self.residual.as_ref().or(self.inherent.as_ref())
    }

    /// The level rank decisions on the risk are authorised against: the rank of [`Risk::peak`],
    /// or 0 (the lowest level) for a risk never rated, which still needs a rung of the ladder.
    #[must_use]
    pub fn decision_rank(&self) -> usize {
        self.peak.as_ref().map_or(0, |p| p.level_rank)
    }

    /// The level that counts now, ranked ([`Risk::current`]'s level).
    #[must_use]
    pub fn level(&self) -> Option<RiskLevel> {
        self.current().map(Rating::risk_level)
    }

    /// Open mitigation actions.
    pub fn open_actions(&self) -> impl Iterator<Item = &MitigationAction> + '_ {
        self.actions.iter().filter(|a| a.is_open())
    }
}
