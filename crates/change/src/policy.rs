//! The change policy: what is under change control and how changes are decided.
//!
//! ISO/IEC 20000-1 8.5.1.1 asks for a change management policy that defines the CIs under
//! change control, the criteria for changes with a potential major impact (which go to service
//! design and transition, 8.5.2), and who decides. A [`ChangePolicy`] holds all of it: scope
//! rules, the three categories with standard change models, major-impact criteria, the
//! approval matrix, segregation of duties, freeze (blackout) windows and maintenance windows
//! per service, and the service management objectives a change must fit. It is plain serde data,
//! validated against the risk matrix by [`ChangePolicy::validate`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use itsm_cmdb::{AttrValue, Ci, CiKindName};
use itsm_core::{Calendar, Id, Money, Period};
use itsm_risk::RiskMatrix;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ChangeError;

/// One scope rule; the first rule that matches a CI decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeRule {
    /// CI kind the rule applies to (`"hardware"`, `"software"`, `"service"` ...); any kind
    /// when `None`.
    #[serde(default)]
    pub kind: Option<CiKindName>,
    /// Attribute the CI must have with this value (`environment = production`); any when
    /// `None`.
    #[serde(default)]
    pub attribute: Option<(String, AttrValue)>,
    /// Whether matching CIs are under change control.
    pub controlled: bool,
}

/// Which CIs are under change control.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChangeScope {
    /// Ordered rules, first match wins; a CI no rule matches is not controlled.
    pub rules: Vec<ScopeRule>,
    /// Always controlled.
    pub include: BTreeSet<Id<Ci>>,
    /// Never controlled (unless also included).
    pub exclude: BTreeSet<Id<Ci>>,
}

impl ChangeScope {
    /// Why `ci` is under change control (`None` when it is not): the explicit include, or
    /// the scope rule that matched, by position and content.
    #[must_use]
    pub fn controlling_rule(&self, ci: &Ci) -> Option<String> {
        if self.include.contains(&ci.id) {
            return Some("explicitly included".into());
        }
        if self.exclude.contains(&ci.id) {
            return None;
        }
        let (i, rule) = self.rules.iter().enumerate().find(|(_, r)| {
            r.kind.as_ref().is_none_or(|k| k.matches(&ci.kind))
                && r.attribute
                    .as_ref()
                    .is_none_or(|(name, value)| ci.attributes.get(name) == Some(value))
        })?;
        if !rule.controlled {
            return None;
        }
        let mut what = Vec::new();
        if let Some(k) = &rule.kind {
            what.push(format!("kind `{k}`"));
        }
        if let Some((name, value)) = &rule.attribute {
            what.push(format!("`{name}` = `{value}`"));
        }
        let what = if what.is_empty() {
            "every CI".to_owned()
        } else {
            what.join(", ")
        };
        Some(format!("scope rule {} ({what})", i + 1))
    }

    /// True when `ci` is under change control.
    #[must_use]
    pub fn controls(&self, ci: &Ci) -> bool {
        self.controlling_rule(ci).is_some()
    }
}

/// A pre-approved standard change model and the conditions under which it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a standard change model with `name`, `kinds`, `max_level` and optionally `description` and `max_cost`"
)]
pub struct StandardModel {
    /// Unique name (`"patch a web server"`).
    pub name: String,
    /// What it covers.
    #[serde(default)]
    pub description: String,
    /// CI kinds every target must have.
    pub kinds: BTreeSet<CiKindName>,
    /// The highest assessed risk level it covers.
    pub max_level: String,
    /// The highest estimated cost it covers.
    #[serde(default)]
    pub max_cost: Option<Money>,
}

/// The configurable major-impact criteria (removal or transfer of a service always counts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    default,
    expecting = "major-impact criteria with `risk_level_at_or_above`, `cost_above` and `new_technology`"
)]
pub struct MajorCriteria {
    /// Risk level at or above which a change is major-impact.
    pub risk_level_at_or_above: Option<String>,
    /// Estimated cost above which a change is major-impact.
    pub cost_above: Option<Money>,
    /// Whether introducing new technology makes a change major-impact.
    pub new_technology: bool,
}

/// The category a rule of the approval matrix applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryKind {
    /// Normal changes (and standard ones whose model does not apply).
    Normal,
    /// Standard changes (only when their model does not apply, which makes them normal; kept
    /// for matrices that want a lighter path).
    Standard,
    /// Emergency changes.
    Emergency,
}

/// Who must approve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", from = "ApproverRecord")]
pub enum Approver {
    /// The change manager.
    ChangeManager,
    /// A change authority.
    ChangeAuthority,
    /// The change advisory board: `quorum` distinct members.
    Cab {
        /// Members needed.
        quorum: u32,
    },
    /// The emergency change advisory board: `quorum` distinct members.
    EmergencyCab {
        /// Members needed.
        quorum: u32,
    },
    /// Top management.
    TopManagement,
}

/// How an [`Approver`] is read: the boards' quorum as a struct that says what it expects, so a
/// malformed approver is described in the user's words (serde would name the Rust variant).
#[derive(Deserialize)]
#[serde(
    rename_all = "snake_case",
    expecting = "an approver: `change_manager`, `change_authority`, `top_management`, `{\"cab\": {\"quorum\": 2}}` or `{\"emergency_cab\": {\"quorum\": 1}}`"
)]
enum ApproverRecord {
    ChangeManager,
    ChangeAuthority,
    Cab(Quorum),
    EmergencyCab(Quorum),
    TopManagement,
}

/// A board's quorum, as written: `{"quorum": 2}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a quorum, as `{\"quorum\": 2}`")]
struct Quorum {
    quorum: u32,
}

impl From<ApproverRecord> for Approver {
    fn from(r: ApproverRecord) -> Self {
        match r {
            ApproverRecord::ChangeManager => Self::ChangeManager,
            ApproverRecord::ChangeAuthority => Self::ChangeAuthority,
            ApproverRecord::Cab(q) => Self::Cab { quorum: q.quorum },
            ApproverRecord::EmergencyCab(q) => Self::EmergencyCab { quorum: q.quorum },
            ApproverRecord::TopManagement => Self::TopManagement,
        }
    }
}

impl fmt::Display for Approver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ChangeManager => f.write_str("change manager"),
            Self::ChangeAuthority => f.write_str("change authority"),
            Self::Cab { quorum } => write!(f, "CAB ({quorum} members)"),
            Self::EmergencyCab { quorum } => write!(f, "emergency CAB ({quorum} members)"),
            Self::TopManagement => f.write_str("top management"),
        }
    }
}

/// One rule of the approval matrix: changes of `category` at or above `from_level` need
/// `approver`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an approval rule with `category`, `from_level` and `approver`"
)]
pub struct ApprovalRule {
    /// The category.
    pub category: CategoryKind,
    /// The lowest risk level the rule applies to.
    pub from_level: String,
    /// Who must approve.
    pub approver: Approver,
}

/// A freeze: no changes (but emergencies) in this period, everywhere or for some services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blackout {
    /// Name (`"year-end freeze"`).
    pub name: String,
    /// When.
    pub period: Period,
    /// The services it protects; every service when empty.
    #[serde(default)]
    pub services: BTreeSet<Id<Ci>>,
}

/// A service management objective a change must fit (`energy_kwh` may grow by at most 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an objective with `name`, `measure` and `max_increase`"
)]
pub struct Objective {
    /// Name (`"reduce energy use"`).
    pub name: String,
    /// The measure a change's effects are stated in (`"energy_kwh_per_month"`).
    pub measure: String,
    /// The largest increase of the measure a change may bring.
    pub max_increase: Decimal,
}

/// The change management policy. See the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePolicy {
    /// What is under change control.
    #[serde(default)]
    pub scope: ChangeScope,
    /// Standard change models.
    #[serde(default)]
    pub models: Vec<StandardModel>,
    /// Major-impact criteria.
    #[serde(default)]
    pub major: MajorCriteria,
    /// The approval matrix.
    #[serde(default)]
    pub approvals: Vec<ApprovalRule>,
    /// Requesters and implementers may not approve their own changes (on by default).
    #[serde(default = "yes")]
    pub segregation_of_duties: bool,
    /// Freezes.
    #[serde(default)]
    pub blackouts: Vec<Blackout>,
    /// Maintenance windows per service.
    #[serde(default)]
    pub maintenance: BTreeMap<Id<Ci>, Calendar>,
    /// Objectives changes must fit.
    #[serde(default)]
    pub objectives: Vec<Objective>,
}

const fn yes() -> bool {
    true
}

impl Default for ChangePolicy {
    fn default() -> Self {
        Self {
            scope: ChangeScope::default(),
            models: Vec::new(),
            major: MajorCriteria::default(),
            approvals: Vec::new(),
            segregation_of_duties: true,
            blackouts: Vec::new(),
            maintenance: BTreeMap::new(),
            objectives: Vec::new(),
        }
    }
}

impl ChangePolicy {
    /// The standard model named `name`.
    #[must_use]
    pub fn model(&self, name: &str) -> Option<&StandardModel> {
        self.models.iter().find(|m| m.name == name)
    }

    /// The currency of the policy's money thresholds (major-impact cost, standard models'
    /// cost limits), if it has any; [`ChangePolicy::validate`] checks they share one.
    #[must_use]
    pub fn currency(&self) -> Option<itsm_core::Currency> {
        self.major
            .cost_above
            .iter()
            .chain(self.models.iter().filter_map(|m| m.max_cost.as_ref()))
            .map(Money::currency)
            .next()
    }

    /// Checks level names against `matrix`, names for uniqueness, quorums, and that money
    /// thresholds are not negative and share one currency.
    ///
    /// # Errors
    /// [`ChangeError::InvalidPolicy`] naming the first problem.
    pub fn validate(&self, matrix: &RiskMatrix) -> Result<(), ChangeError> {
        let invalid = |reason: String| ChangeError::InvalidPolicy { reason };
        let kinds = self
            .scope
            .rules
            .iter()
            .filter_map(|r| r.kind.as_ref())
            .chain(self.models.iter().flat_map(|m| &m.kinds));
        for k in kinds {
            if let CiKindName::Other(name) = k {
                itsm_core::text::check_key("kind name", name)?;
            }
        }
        let level = |what: String, name: &str| {
            matrix.level(name).map(drop).map_err(|_| {
                invalid(format!(
                    "{what} names `{name}`, which is not a level of the risk matrix"
                ))
            })
        };
        for (i, m) in self.models.iter().enumerate() {
            if m.name.trim().is_empty() {
                return Err(invalid(format!("standard model {} has no name", i + 1)));
            }
            if self.models.iter().take(i).any(|o| o.name == m.name) {
                return Err(invalid(format!(
                    "standard model `{}` is defined twice",
                    m.name
                )));
            }
            if m.kinds.is_empty() {
                return Err(invalid(format!(
                    "standard model `{}` covers no CI kind",
                    m.name
                )));
            }
            level(format!("standard model `{}`", m.name), &m.max_level)?;
            if m.max_cost.is_some_and(|c| c.is_negative()) {
                return Err(invalid(format!(
                    "standard model `{}` has a negative cost limit",
                    m.name
                )));
            }
        }
        if let Some(l) = &self.major.risk_level_at_or_above {
            level("the major-impact risk level".into(), l)?;
        }
        if self.major.cost_above.is_some_and(|c| c.is_negative()) {
            return Err(invalid(
                "the major-impact cost threshold is negative".into(),
            ));
        }
        if let Some(c) = self.currency() {
            let other = self
                .major
                .cost_above
                .iter()
                .chain(self.models.iter().filter_map(|m| m.max_cost.as_ref()))
                .find(|m| m.currency() != c);
            if let Some(m) = other {
                return Err(invalid(format!(
                    "the policy mixes currencies: `{m}` is not in `{c}`; use one currency for all its thresholds"
                )));
            }
        }
        for r in &self.approvals {
            level(
                format!("an approval rule for {}", r.approver),
                &r.from_level,
            )?;
            if matches!(
                r.approver,
                Approver::Cab { quorum: 0 } | Approver::EmergencyCab { quorum: 0 }
            ) {
                return Err(invalid(format!(
                    "an approval rule for {} needs a quorum of at least 1",
                    r.approver
                )));
            }
        }
        for b in &self.blackouts {
            if b.name.trim().is_empty() {
                return Err(invalid("a blackout has no name".into()));
            }
        }
        for (i, o) in self.objectives.iter().enumerate() {
            if o.name.trim().is_empty() || o.measure.trim().is_empty() {
                return Err(invalid(format!(
                    "objective {} needs a name and a measure",
                    i + 1
                )));
            }
            if self.objectives.iter().take(i).any(|p| p.name == o.name) {
                return Err(invalid(format!("objective `{}` is defined twice", o.name)));
            }
        }
        Ok(())
    }
}
