//! What register operations take: new risks, updates, assessments, actions; and the
//! escalations they raise.

use chrono::{DateTime, NaiveDate, Utc};
use itsm_core::{Actor, Division, Id};
use serde::{Deserialize, Serialize};

use crate::{Reference, RegisterKind, RiskKind, RiskLinks, RiskSource};

/// An impact and a likelihood, by level name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Score {
    /// Impact level name.
    pub impact: String,
    /// Likelihood level name.
    pub likelihood: String,
}

impl Score {
    /// `impact` x `likelihood`.
    #[must_use]
    pub fn new(impact: impl Into<String>, likelihood: impl Into<String>) -> Self {
        Self {
            impact: impact.into(),
            likelihood: likelihood.into(),
        }
    }
}

/// What is known when a risk is identified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRisk {
    /// Short title.
    pub title: String,
    /// Description (defaults to the title when empty).
    #[serde(default)]
    pub description: String,
    /// What would set it off.
    #[serde(default)]
    pub trigger: String,
    /// What happens if it occurs.
    #[serde(default)]
    pub impact_description: String,
    /// Target date for mitigation.
    #[serde(default)]
    pub target_date: Option<NaiveDate>,
    /// Category.
    pub category: String,
    /// Sub-category.
    #[serde(default)]
    pub sub_category: Option<String>,
    /// Risk owner (required).
    pub owner: Option<Id<Actor>>,
    /// Threat or opportunity.
    pub kind: RiskKind,
    /// Which register.
    pub register: RegisterKind,
    /// Division.
    #[serde(default)]
    pub division: Option<Id<Division>>,
    /// Links.
    #[serde(default)]
    pub links: RiskLinks,
    /// Source.
    pub source: RiskSource,
    /// Controls already in place.
    #[serde(default)]
    pub initial_mitigation: Option<String>,
    /// Days between reviews.
    #[serde(default)]
    pub review_interval_days: Option<u32>,
    /// Inherent rating, if assessed on the spot.
    #[serde(default)]
    pub inherent: Option<Score>,
}

impl NewRisk {
    /// A manual SMS threat with this title, category and owner; everything else empty.
    #[must_use]
    pub fn new(title: impl Into<String>, category: impl Into<String>, owner: Id<Actor>) -> Self {
        Self {
            title: title.into(),
            description: String::new(),
            trigger: String::new(),
            impact_description: String::new(),
            target_date: None,
            category: category.into(),
            sub_category: None,
            owner: Some(owner),
            kind: RiskKind::Threat,
            register: RegisterKind::Sms,
            division: None,
            links: RiskLinks::default(),
            source: RiskSource::Manual,
            initial_mitigation: None,
            review_interval_days: None,
            inherent: None,
        }
    }
}

/// Changes to the descriptive fields of a risk; each `Some` replaces the value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskUpdate {
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New trigger.
    pub trigger: Option<String>,
    /// New impact description.
    pub impact_description: Option<String>,
    /// New target date (`Some(None)` clears it).
    pub target_date: Option<Option<NaiveDate>>,
    /// New category.
    pub category: Option<String>,
    /// New sub-category (`Some(None)` clears it).
    pub sub_category: Option<Option<String>>,
    /// New owner.
    pub owner: Option<Id<Actor>>,
    /// New register.
    pub register: Option<RegisterKind>,
    /// New division (`Some(None)` clears it).
    pub division: Option<Option<Id<Division>>>,
    /// New links.
    pub links: Option<RiskLinks>,
    /// New initial mitigation.
    pub initial_mitigation: Option<Option<String>>,
    /// New review interval (`Some(None)` clears it).
    pub review_interval_days: Option<Option<u32>>,
}

/// A (re-)assessment: inherent and/or residual.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Assessment {
    /// New inherent rating.
    pub inherent: Option<Score>,
    /// New residual rating.
    pub residual: Option<Score>,
    /// Why, required when the residual comes out worse than the inherent.
    pub rationale: Option<String>,
}

/// A new mitigation action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    /// What is to be done.
    pub description: String,
    /// Who does it (required).
    pub owner: Option<Id<Actor>>,
    /// By when.
    pub due: NaiveDate,
}

/// Why top management is told about a risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationReason {
    /// Identified at or above the escalation level.
    Identified,
    /// Rose to or above the escalation level (or higher than when last escalated).
    Rose,
    /// It materialized (always escalated).
    Materialized,
    /// Copied to the corporate register.
    CopiedToCorporate,
    /// Its acceptance lapsed: it rose above what the acceptance covered.
    AcceptanceLapsed,
}

impl std::fmt::Display for EscalationReason {
    /// In words, for reports: `identified`, `rose`, `materialized`, `copied to the corporate
    /// register`, `acceptance lapsed`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Identified => "identified",
            Self::Rose => "rose",
            Self::Materialized => "materialized",
            Self::CopiedToCorporate => "copied to the corporate register",
            Self::AcceptanceLapsed => "acceptance lapsed",
        })
    }
}

/// Something top management must be told.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// The risk.
    pub risk: Reference,
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: EscalationReason,
    /// The risk's level then, if rated.
    pub level: Option<String>,
}
