//! The risk register: the one writer of risks, their history and the escalations.
//!
//! Every operation takes the acting [`Actor`] and the time (`at`), validates everything first,
//! then applies the change, appends one history entry and, where the rules say so, records an
//! escalation or creates the linked corporate copy. An `Err` changes nothing.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use itsm_core::entity::Party;
use itsm_core::{Actor, Division, Id, Role};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::history::{HistoryEntry, Operation, diff, replay};
use crate::{
    Acceptance, MitigationAction, Rating, Reference, RegisterKind, Risk, RiskAppetite, RiskError,
    RiskId, RiskKind, RiskLinks, RiskMatrix, RiskSource, RiskStatus, Treatment,
};

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

/// The risk register. See the module docs.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use itsm_core::{Actor, Role};
/// use itsm_risk::*;
///
/// let appetite = RiskAppetite {
///     default_threshold: "Medium".into(),
///     divisions: Default::default(),
///     authority: vec![Authority { role: Role::RiskManager, up_to: "High".into() }],
///     escalate_at: "High".into(),
///     corporate_at: Some("Critical".into()),
/// };
/// let mut reg = RiskRegister::new(RiskMatrix::standard_5x5(), appetite)?;
/// let alice = Actor::new("alice", "Alice", [Role::RiskManager]).unwrap();
/// let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
///
/// let mut new = NewRisk::new("Storage array end of support", "technology", alice.id);
/// new.inherent = Some(Score::new("Major", "Likely"));
/// let id = reg.identify(&alice, at, new)?.id;
/// let risk = reg.risk(id).unwrap();
/// assert_eq!((risk.reference.to_string(), risk.current().unwrap().level.as_str()), ("R-1".to_owned(), "High"));
/// assert_eq!(reg.escalations(at).len(), 1); // High: top management is told
///
/// // High is above the default appetite (Medium): only top management may accept it.
/// let until = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
/// assert!(matches!(reg.accept(&alice, at, id, until, "budget next year"), Err(RiskError::AboveAppetite { .. })));
/// # Ok::<(), RiskError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RiskRegister {
    matrix: RiskMatrix,
    appetite: RiskAppetite,
    risks: Vec<Risk>,
    history: Vec<Vec<HistoryEntry>>,
    escalations: Vec<Escalation>,
    by_id: HashMap<Id<RiskId>, usize>,
}

impl PartialEq for RiskRegister {
    fn eq(&self, other: &Self) -> bool {
        self.matrix == other.matrix
            && self.appetite == other.appetite
            && self.risks == other.risks
            && self.history == other.history
            && self.escalations == other.escalations
    }
}

impl Eq for RiskRegister {}

fn reference(number: usize) -> Reference {
    Reference::new(u32::try_from(number).unwrap_or(u32::MAX))
}

fn non_empty(
    risk: impl std::fmt::Display,
    field: &'static str,
    value: &str,
) -> Result<(), RiskError> {
    if value.trim().is_empty() {
        Err(RiskError::Empty {
            risk: risk.to_string(),
            field,
        })
    } else {
        Ok(())
    }
}

fn not_before(
    risk: impl std::fmt::Display,
    field: &'static str,
    date: NaiveDate,
    other: &'static str,
    other_date: NaiveDate,
) -> Result<(), RiskError> {
    if date < other_date {
        Err(RiskError::DateOrder {
            risk: risk.to_string(),
            field,
            date: date.to_string(),
            other,
            other_date: other_date.to_string(),
        })
    } else {
        Ok(())
    }
}

impl RiskRegister {
    /// An empty register scoring on `matrix` under `appetite`.
    ///
    /// # Errors
    /// [`RiskError::InvalidAppetite`] or [`RiskError::DuplicateAuthority`] when the appetite
    /// does not fit the matrix.
    pub fn new(matrix: RiskMatrix, appetite: RiskAppetite) -> Result<Self, RiskError> {
        appetite.validate(&matrix)?;
        Ok(Self {
            matrix,
            appetite,
            risks: Vec::new(),
            history: Vec::new(),
            escalations: Vec::new(),
            by_id: HashMap::new(),
        })
    }

    /// The matrix.
    #[must_use]
    pub const fn matrix(&self) -> &RiskMatrix {
        &self.matrix
    }

    /// The appetite.
    #[must_use]
    pub const fn appetite(&self) -> &RiskAppetite {
        &self.appetite
    }

    /// Replaces the appetite (thresholds, ladder, escalation levels).
    ///
    /// # Errors
    /// As [`RiskRegister::new`].
    pub fn set_appetite(&mut self, appetite: RiskAppetite) -> Result<(), RiskError> {
        appetite.validate(&self.matrix)?;
        self.appetite = appetite;
        Ok(())
    }

    /// Number of risks.
    #[must_use]
    pub fn len(&self) -> usize {
        self.risks.len()
    }

    /// True when the register holds no risk.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.risks.is_empty()
    }

    /// Every risk, by reference number.
    pub fn risks(&self) -> impl Iterator<Item = &Risk> + '_ {
        self.risks.iter()
    }

    /// The risk with this id.
    #[must_use]
    pub fn risk(&self, id: Id<RiskId>) -> Option<&Risk> {
        self.by_id.get(&id).and_then(|i| self.risks.get(*i))
    }

    /// The risk with this reference (parse text with `"R-12".parse::<Reference>()`).
    #[must_use]
    pub fn risk_by_reference(&self, reference: Reference) -> Option<&Risk> {
        self.risks
            .get(usize::try_from(reference.number()).ok()?.checked_sub(1)?)
    }

    /// The history of a risk, oldest first.
    #[must_use]
    pub fn history(&self, id: Id<RiskId>) -> &[HistoryEntry] {
        self.by_id
            .get(&id)
            .and_then(|i| self.history.get(*i))
            .map_or(&[], Vec::as_slice)
    }

    /// Every escalation at or after `since`, in the order they were raised.
    #[must_use]
    pub fn escalations(&self, since: DateTime<Utc>) -> Vec<&Escalation> {
        self.escalations.iter().filter(|e| e.at >= since).collect()
    }

    /// Every escalation ever raised.
    #[must_use]
    pub fn all_escalations(&self) -> &[Escalation] {
        &self.escalations
    }

    fn index(&self, id: Id<RiskId>) -> Result<usize, RiskError> {
        self.by_id
            .get(&id)
            .copied()
            .ok_or_else(|| RiskError::UnknownRisk {
                risk: id.to_string(),
            })
    }

    fn get(&self, idx: usize) -> Result<&Risk, RiskError> {
        self.risks.get(idx).ok_or_else(|| RiskError::UnknownRisk {
            risk: reference(idx + 1).to_string(),
        })
    }

    fn rate(&self, score: &Score) -> Result<Rating, RiskError> {
        self.matrix.rate(&score.impact, &score.likelihood)
    }

    fn rank(rating: Option<&Rating>) -> Option<usize> {
        rating.map(|r| r.level_rank)
    }

    fn check_links_and_fields(&self, r: &Risk) -> Result<(), RiskError> {
        let name = r.reference;
        non_empty(name, "title", &r.title)?;
        non_empty(name, "category", &r.category)?;
        if let RegisterKind::InformationSecurity(p) = &r.register {
            if p.is_empty() {
                return Err(RiskError::Missing {
                    risk: name.to_string(),
                    field: "register",
                    why: "an information-security risk names the pillars it touches",
                });
            }
        }
        if let RegisterKind::Named(n) = &r.register {
            non_empty(name, "register", n)?;
        }
        if let Some(t) = r.target_date {
            not_before(
                name,
                "target date",
                t,
                "identification date",
                r.identified_at.date_naive(),
            )?;
        }
        if r.review_interval_days == Some(0) {
            return Err(RiskError::Missing {
                risk: name.to_string(),
                field: "review_interval_days",
                why: "a review interval must be at least one day",
            });
        }
        Ok(())
    }

    fn check_live(risk: &Risk, operation: &'static str) -> Result<(), RiskError> {
        if risk.status == RiskStatus::Closed {
            Err(RiskError::RiskClosed {
                risk: risk.reference.to_string(),
                operation,
            })
        } else {
            Ok(())
        }
    }

    fn check_move(risk: &Risk, to: RiskStatus) -> Result<(), RiskError> {
        if risk.status.can_move_to(to) {
            Ok(())
        } else {
            Err(RiskError::IllegalTransition {
                risk: risk.reference.to_string(),
                from: risk.status,
                to,
            })
        }
    }

    fn check_authority(
        &self,
        actor: &Actor,
        risk: &Risk,
        action: &'static str,
        level_rank: usize,
    ) -> Result<(), RiskError> {
        if self
            .appetite
            .reach(actor, &self.matrix)
            .is_some_and(|r| r >= level_rank)
        {
            return Ok(());
        }
        Err(RiskError::NoAuthority {
            risk: risk.reference.to_string(),
            actor: actor.name.clone(),
            action,
            level: self
                .matrix
                .levels()
                .levels()
                .get(level_rank)
                .map(|l| l.name.clone())
                .unwrap_or_default(),
            allowed: self.appetite.who_may(level_rank, &self.matrix),
        })
    }

    fn check_acceptance(
        &self,
        actor: &Actor,
        risk: &Risk,
        at: DateTime<Utc>,
        a: &Acceptance,
    ) -> Result<(), RiskError> {
        Self::check_live(risk, "accept")?;
        non_empty(risk.reference, "rationale", &a.rationale)?;
        not_before(
            risk.reference,
            "acceptance end",
            a.until,
            "acceptance date",
            at.date_naive(),
        )?;
        let current = risk.current().ok_or_else(|| RiskError::NotAssessed {
            risk: risk.reference.to_string(),
            operation: "accepting",
        })?;
        let level = current.level_rank;
        let (threshold, whose) = self.appetite.threshold(risk.division);
        let limit = self.matrix.level_rank(threshold).unwrap_or(0);
        if level > limit && !actor.has_role(Role::TopManagement) {
            return Err(RiskError::AboveAppetite {
                risk: risk.reference.to_string(),
                level: current.level.clone(),
                threshold: threshold.to_owned(),
                division: whose,
            });
        }
        self.check_authority(actor, risk, "accept", level)
    }

    /// Escalation and corporate-copy rules, applied to `next` before it is committed. Returns
    /// the escalations to record and whether to create the corporate copy.
    ///
    /// A materialized risk is always escalated. A live threat is escalated when it arises at or
    /// rises to `escalate_at` (or above the level it was last escalated at), and copied to the
    /// corporate register at `corporate_at`. Opportunities are reported, not escalated.
    fn escalate(
        &self,
        before: Option<&Risk>,
        next: &mut Risk,
        at: DateTime<Utc>,
        materialized: bool,
    ) -> (Vec<Escalation>, bool) {
        let mut out = Vec::new();
        let level = next.current().map(|r| r.level.clone());
        let rank = Self::rank(next.current());
        let escalate_rank = self.matrix.level_rank(&self.appetite.escalate_at);
        let last_rank = next
            .escalated_level
            .as_deref()
            .and_then(|l| self.matrix.level_rank(l));
        if materialized {
            out.push(Escalation {
                risk: next.reference,
                at,
                reason: EscalationReason::Materialized,
                level: level.clone(),
            });
            if level.is_some() {
                next.escalated_level.clone_from(&level);
            }
        } else if let (Some(r), Some(e), RiskKind::Threat) = (rank, escalate_rank, next.kind) {
            if r >= e && last_rank.is_none_or(|l| l < r) && next.status.is_live() {
                out.push(Escalation {
                    risk: next.reference,
                    at,
                    reason: if before.is_none() {
                        EscalationReason::Identified
                    } else {
                        EscalationReason::Rose
                    },
                    level: level.clone(),
                });
                next.escalated_level.clone_from(&level);
            }
        }
        let corporate_rank = self
            .appetite
            .corporate_at
            .as_deref()
            .and_then(|c| self.matrix.level_rank(c));
        let copy = matches!((rank, corporate_rank), (Some(r), Some(c)) if r >= c)
            && next.corporate_link.is_none()
            && next.register != RegisterKind::Corporate
            && next.kind == RiskKind::Threat
            && next.status.is_live();
        if copy {
            next.corporate_link = Some(reference(
                self.risks.len() + 1 + usize::from(before.is_none()),
            ));
            out.push(Escalation {
                risk: next.reference,
                at,
                reason: EscalationReason::CopiedToCorporate,
                level,
            });
        }
        (out, copy)
    }

    fn push_new(&mut self, risk: Risk, actor: &Actor, at: DateTime<Utc>, note: Option<String>) {
        let changes = diff(None, &risk);
        self.by_id.insert(risk.id, self.risks.len());
        self.history.push(vec![HistoryEntry {
            seq: 1,
            at,
            actor: actor.id,
            operation: Operation::Identify,
            changes,
            note,
        }]);
        self.risks.push(risk);
    }

    fn corporate_copy(&mut self, original: &Risk, actor: &Actor, at: DateTime<Utc>) {
        let number = self.risks.len() + 1;
        let r = reference(number);
        let mut copy = original.clone();
        copy.id = Id::from_key(&r.to_string());
        copy.reference.clone_from(&r);
        copy.register = RegisterKind::Corporate;
        copy.corporate_link = Some(original.reference);
        copy.version = 1;
        let note = Some(format!(
            "copied to the corporate register from {}",
            original.reference
        ));
        self.push_new(copy, actor, at, note);
    }

    fn commit(
        &mut self,
        idx: usize,
        actor: &Actor,
        at: DateTime<Utc>,
        op: Operation,
        note: Option<String>,
        mut next: Risk,
    ) -> Result<&Risk, RiskError> {
        let before = self.get(idx)?.clone();
        let (escalations, copy) =
            self.escalate(Some(&before), &mut next, at, op == Operation::Materialize);
        next.version = before.version.saturating_add(1);
        let changes = diff(Some(&before), &next);
        let seq = self.history.get(idx).map_or(0, Vec::len) + 1;
        if let Some(h) = self.history.get_mut(idx) {
            h.push(HistoryEntry {
                seq: u32::try_from(seq).unwrap_or(u32::MAX),
                at,
                actor: actor.id,
                operation: op,
                changes,
                note,
            });
        }
        self.escalations.extend(escalations);
        if copy {
            self.corporate_copy(&next, actor, at);
        }
        let slot = self
            .risks
            .get_mut(idx)
            .ok_or_else(|| RiskError::UnknownRisk {
                risk: reference(idx + 1).to_string(),
            })?;
        *slot = next;
        Ok(slot)
    }

    /// Identifies a new risk and allocates its reference.
    ///
    /// # Errors
    /// [`RiskError::Empty`] (title, category), [`RiskError::Missing`] (owner, pillars of an
    /// information-security risk), [`RiskError::DateOrder`] (target date before today),
    /// [`RiskError::UnknownLevel`] (inherent rating).
    pub fn identify(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        new: NewRisk,
    ) -> Result<&Risk, RiskError> {
        let number = self.risks.len() + 1;
        let r = reference(number);
        let owner = new.owner.ok_or_else(|| RiskError::Missing {
            risk: r.to_string(),
            field: "owner",
            why: "every risk has an owner",
        })?;
        let inherent = new.inherent.as_ref().map(|s| self.rate(s)).transpose()?;
        let description = if new.description.trim().is_empty() {
            new.title.clone()
        } else {
            new.description
        };
        let mut risk = Risk {
            id: Id::from_key(&r.to_string()),
            reference: r,
            title: new.title,
            description,
            trigger: new.trigger,
            impact_description: new.impact_description,
            identified_at: at,
            target_date: new.target_date,
            category: new.category,
            sub_category: new.sub_category,
            owner,
            kind: new.kind,
            register: new.register,
            division: new.division,
            links: new.links,
            source: new.source,
            inherent,
            residual: None,
            residual_rationale: None,
            initial_mitigation: new.initial_mitigation,
            treatment: None,
            actions: Vec::new(),
            status: RiskStatus::New,
            review_interval_days: new.review_interval_days,
            next_review: new
                .review_interval_days
                .map(|d| at.date_naive() + TimeDelta::days(i64::from(d))),
            last_reviewed_at: None,
            closed_at: None,
            materialized_at: None,
            escalated_level: None,
            corporate_link: None,
            version: 1,
        };
        self.check_links_and_fields(&risk)?;
        let (escalations, copy) = self.escalate(None, &mut risk, at, false);
        let idx = self.risks.len();
        self.push_new(risk.clone(), actor, at, None);
        self.escalations.extend(escalations);
        if copy {
            self.corporate_copy(&risk, actor, at);
        }
        self.get(idx)
    }

    /// Changes descriptive fields.
    ///
    /// # Errors
    /// [`RiskError::UnknownRisk`], and the field checks of [`RiskRegister::identify`].
    pub fn update(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<RiskId>,
        u: RiskUpdate,
    ) -> Result<&Risk, RiskError> {
        let idx = self.index(id)?;
        let mut next = self.get(idx)?.clone();
        if let Some(v) = u.title {
            next.title = v;
        }
        if let Some(v) = u.description {
            non_empty(next.reference, "description", &v)?;
            next.description = v;
        }
        if let Some(v) = u.trigger {
            next.trigger = v;
        }
        if let Some(v) = u.impact_description {
            next.impact_description = v;
        }
        if let Some(v) = u.target_date {
            next.target_date = v;
        }
        if let Some(v) = u.category {
            next.category = v;
        }
        if let Some(v) = u.sub_category {
            next.sub_category = v;
        }
        if let Some(v) = u.owner {
            next.owner = v;
        }
        if let Some(v) = u.register {
            next.register = v;
        }
        if let Some(v) = u.division {
            next.division = v;
        }
        if let Some(v) = u.links {
            next.links = v;
        }
        if let Some(v) = u.initial_mitigation {
            next.initial_mitigation = v;
        }
        if let Some(v) = u.review_interval_days {
            next.review_interval_days = v;
            let from = next
                .last_reviewed_at
                .unwrap_or(next.identified_at)
                .date_naive();
            next.next_review = v.map(|d| from + TimeDelta::days(i64::from(d)));
        }
        self.check_links_and_fields(&next)?;
        self.commit(idx, actor, at, Operation::Update, None, next)
    }

    /// Assesses or re-assesses the inherent and/or residual risk.
    ///
    /// # Errors
    /// [`RiskError::UnknownRisk`], [`RiskError::RiskClosed`], [`RiskError::Missing`] (nothing
    /// to assess), [`RiskError::UnknownLevel`], [`RiskError::ResidualWorse`] (without a
    /// rationale), [`RiskError::NoAuthority`] (re-scoring beyond the actor's authority).
    pub fn assess(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<RiskId>,
        a: Assessment,
    ) -> Result<&Risk, RiskError> {
        let idx = self.index(id)?;
        let current = self.get(idx)?;
        Self::check_live(current, "assess")?;
        if a.inherent.is_none() && a.residual.is_none() {
            return Err(RiskError::Missing {
                risk: current.reference.to_string(),
                field: "inherent or residual",
                why: "an assessment rates at least one of them",
            });
        }
        let mut next = current.clone();
        if let Some(s) = &a.inherent {
            next.inherent = Some(self.rate(s)?);
        }
        if let Some(s) = &a.residual {
            next.residual = Some(self.rate(s)?);
        }
        if let Some(r) = a.rationale.filter(|r| !r.trim().is_empty()) {
            next.residual_rationale = Some(r);
        }
        if let (Some(i), Some(r)) = (&next.inherent, &next.residual) {
            if r.score > i.score && next.residual_rationale.is_none() {
                return Err(RiskError::ResidualWorse {
                    risk: next.reference.to_string(),
                    residual: r.level.clone(),
                    residual_score: r.score,
                    inherent: i.level.clone(),
                    inherent_score: i.score,
                });
            }
        }
        // Re-scoring (changing a rating that existed) needs authority over the higher level.
        let changed = |old: &Option<Rating>, new: &Option<Rating>| old.is_some() && old != new;
        if changed(&current.inherent, &next.inherent) || changed(&current.residual, &next.residual)
        {
            let ranks = [
                &current.inherent,
                &current.residual,
                &next.inherent,
                &next.residual,
            ];
            let top = ranks
                .iter()
                .filter_map(|r| Self::rank(r.as_ref()))
                .max()
                .unwrap_or(0);
            self.check_authority(actor, current, "re-score", top)?;
        }
        if next.status == RiskStatus::New {
            next.status = RiskStatus::Open;
        }
        self.commit(idx, actor, at, Operation::Assess, None, next)
    }

    /// Chooses a treatment. Accepting goes through the same checks as [`RiskRegister::accept`];
    /// avoiding removes the residual risk.
    ///
    /// # Errors
    /// [`RiskError::UnknownRisk`], [`RiskError::RiskClosed`], [`RiskError::Empty`] (transfer
    /// arrangement, avoidance, acceptance rationale), and for an acceptance the errors of
    /// [`RiskRegister::accept`].
    pub fn plan_treatment(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<RiskId>,
        t: Treatment,
    ) -> Result<&Risk, RiskError> {
        let idx = self.index(id)?;
        let current = self.get(idx)?;
        Self::check_live(current, "treat")?;
        let mut next = current.clone();
        match &t {
            Treatment::Mitigate => {}
            Treatment::Accept(a) => {
                if a.by != actor.id {
                    return Err(RiskError::Missing {
                        risk: current.reference.to_string(),
                        field: "acceptance.by",
                        why: "an acceptance is recorded by the actor who accepts",
                    });
                }
                self.check_acceptance(actor, current, at, a)?;
            }
            Treatment::Transfer { arrangement, .. } => {
                non_empty(current.reference, "arrangement", arrangement)?
            }
            Treatment::Avoid { how } => {
                non_empty(current.reference, "how", how)?;
                next.residual = None;
                next.residual_rationale = None;
            }
        }
        next.treatment = Some(t);
        if next.status == RiskStatus::New {
            next.status = RiskStatus::Open;
        }
        self.commit(idx, actor, at, Operation::PlanTreatment, None, next)
    }

    /// Transfers the risk to `party` (shorthand for [`RiskRegister::plan_treatment`]).
    ///
    /// # Errors
    /// As [`RiskRegister::plan_treatment`].
    pub fn transfer(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<RiskId>,
        to: Id<Party>,
        arrangement: &str,
    ) -> Result<&Risk, RiskError> {
        self.plan_treatment(
            actor,
            at,
            id,
            Treatment::Transfer {
                to,
                arrangement: arrangement.to_owned(),
            },
        )
    }

    /// Adds a mitigation action; a risk without a treatment becomes mitigated.
    ///
    /// # Errors
    /// [`RiskError::UnknownRisk`], [`RiskError::RiskClosed`], [`RiskError::Empty`]
    /// (description), [`RiskError::Missing`] (owner), [`RiskError::DateOrder`] (due before the
    /// risk was identified).
    pub fn add_action(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<RiskId>,
        a: NewAction,
    ) -> Result<&Risk, RiskError> {
        let idx = self.index(id)?;
        let current = self.get(idx)?;
        Self::check_live(current, "add an action to")?;
        non_empty(current.reference, "action description", &a.description)?;
        let owner = a.owner.ok_or_else(|| RiskError::Missing {
            risk: current.reference.to_string(),
            field: "action owner",
            why: "every mitigation action has an owner",
        })?;
        not_before(
            current.reference,
            "action due date",
            a.due,
            "identification date",
            current.identified_at.date_naive(),
        )?;
        let mut next = current.clone();
        let number = next.actions.iter().map(|x| x.number).max().unwrap_or(0) + 1;
        next.actions.push(MitigationAction {
            number,
            description: a.description,
            owner,
            due: a.due,
            completed_at: None,
        });
        if next.treatment.is_none() {
            next.treatment = Some(Treatment::Mitigate);
        }
        if next.status == RiskStatus::New {
            next.status = RiskStatus::Open;
        }
        self.commit(idx, actor, at, Operation::AddAction, None, next)
    }

    /// Marks mitigation action `number` complete.
    ///
    /// # Errors
    /// [`RiskError::UnknownRisk`], [`RiskError::UnknownAction`], [`RiskError::ActionComplete`].
    pub fn complete_action(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<RiskId>,
        number: u32,
    ) -> Result<&Risk, RiskError> {
        let idx = self.index(id)?;
        let mut next = self.get(idx)?.clone();
        let name = next.reference.to_string();
        let action = next
            .actions
            .iter_mut()
            .find(|a| a.number == number)
            .ok_or_else(|| RiskError::UnknownAction {
                risk: name.clone(),
                number,
            })?;
        if !action.is_open() {
            return Err(RiskError::ActionComplete { risk: name, number });
        }
        action.completed_at = Some(at);
        self.commit(idx, actor, at, Operation::CompleteAction, None, next)
    }

    /// Accepts the risk until `until`, for `rationale`.
    ///
    /// # Errors
    /// [`RiskError::UnknownRisk`], [`RiskError::RiskClosed`], [`RiskError::NotAssessed`],
    /// [`RiskError::Empty`] (rationale), [`RiskError::DateOrder`] (`until` in the past),
    /// [`RiskError::AboveAppetite`] (above the division's appetite, by anyone but top
    /// management), [`RiskError::NoAuthority`] (beyond the actor's rung of the ladder).
    pub fn accept(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<RiskId>,
        until: NaiveDate,
        rationale: &str,
    ) -> Result<&Risk, RiskError> {
        let idx = self.index(id)?;
        let current = self.get(idx)?;
        let acceptance = Acceptance {
            by: actor.id,
            until,
            rationale: rationale.to_owned(),
        };
        self.check_acceptance(actor, current, at, &acceptance)?;
        let mut next = current.clone();
        next.treatment = Some(Treatment::Accept(acceptance));
        if next.status == RiskStatus::New {
            next.status = RiskStatus::Open;
        }
        self.commit(idx, actor, at, Operation::Accept, None, next)
    }

    /// Records that the risk happened; it is always escalated.
    ///
    /// # Errors
    /// [`RiskError::UnknownRisk`], [`RiskError::IllegalTransition`] (from closed).
    pub fn materialize(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<RiskId>,
        note: &str,
    ) -> Result<&Risk, RiskError> {
        let idx = self.index(id)?;
        let current = self.get(idx)?;
        Self::check_move(current, RiskStatus::Materialized)?;
        let mut next = current.clone();
        next.status = RiskStatus::Materialized;
        next.materialized_at = Some(at);
        let note = (!note.trim().is_empty()).then(|| note.to_owned());
        self.commit(idx, actor, at, Operation::Materialize, note, next)
    }

    /// Records a review and sets the next review date from the interval.
    ///
    /// # Errors
    /// [`RiskError::UnknownRisk`], [`RiskError::RiskClosed`].
    pub fn review(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<RiskId>,
        notes: &str,
    ) -> Result<&Risk, RiskError> {
        let idx = self.index(id)?;
        let current = self.get(idx)?;
        Self::check_live(current, "review")?;
        let mut next = current.clone();
        next.last_reviewed_at = Some(at);
        next.next_review = next
            .review_interval_days
            .map(|d| at.date_naive() + TimeDelta::days(i64::from(d)));
        let note = (!notes.trim().is_empty()).then(|| notes.to_owned());
        self.commit(idx, actor, at, Operation::Review, note, next)
    }

    /// Closes the risk.
    ///
    /// # Errors
    /// [`RiskError::UnknownRisk`], [`RiskError::IllegalTransition`],
    /// [`RiskError::OpenActions`], [`RiskError::NoAuthority`] (the actor's rung does not reach
    /// the risk's level; an unrated risk needs any rung, or its owner).
    pub fn close(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<RiskId>,
        note: &str,
    ) -> Result<&Risk, RiskError> {
        let idx = self.index(id)?;
        let current = self.get(idx)?;
        Self::check_move(current, RiskStatus::Closed)?;
        let open: Vec<u32> = current.open_actions().map(|a| a.number).collect();
        if let Some(first) = open.first() {
            return Err(RiskError::OpenActions {
                risk: current.reference.to_string(),
                count: open.len(),
                first: *first,
            });
        }
        match Self::rank(current.current()) {
            Some(level) => self.check_authority(actor, current, "close", level)?,
            None if current.owner == actor.id => {}
            None => self.check_authority(actor, current, "close", 0)?,
        }
        let mut next = current.clone();
        next.status = RiskStatus::Closed;
        next.closed_at = Some(at);
        let note = (!note.trim().is_empty()).then(|| note.to_owned());
        self.commit(idx, actor, at, Operation::Close, note, next)
    }

    /// Reopens a closed risk.
    ///
    /// # Errors
    /// [`RiskError::UnknownRisk`], [`RiskError::IllegalTransition`], [`RiskError::Empty`]
    /// (reason).
    pub fn reopen(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<RiskId>,
        reason: &str,
    ) -> Result<&Risk, RiskError> {
        let idx = self.index(id)?;
        let current = self.get(idx)?;
        Self::check_move(current, RiskStatus::Open)?;
        if current.status != RiskStatus::Closed {
            return Err(RiskError::IllegalTransition {
                risk: current.reference.to_string(),
                from: current.status,
                to: RiskStatus::Open,
            });
        }
        non_empty(current.reference, "reason", reason)?;
        let mut next = current.clone();
        next.status = RiskStatus::Open;
        // A reopened risk is reported again if it is (still) at the escalation level.
        next.escalated_level = None;
        self.commit(
            idx,
            actor,
            at,
            Operation::Reopen,
            Some(reason.to_owned()),
            next,
        )
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterRecord {
    matrix: RiskMatrix,
    appetite: RiskAppetite,
    risks: Vec<Risk>,
    history: Vec<Vec<HistoryEntry>>,
    escalations: Vec<Escalation>,
}

impl Serialize for RiskRegister {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Ref<'a> {
            matrix: &'a RiskMatrix,
            appetite: &'a RiskAppetite,
            risks: &'a [Risk],
            history: &'a [Vec<HistoryEntry>],
            escalations: &'a [Escalation],
        }
        Ref {
            matrix: &self.matrix,
            appetite: &self.appetite,
            risks: &self.risks,
            history: &self.history,
            escalations: &self.escalations,
        }
        .serialize(serializer)
    }
}

impl TryFrom<RegisterRecord> for RiskRegister {
    type Error = RiskError;
    fn try_from(r: RegisterRecord) -> Result<Self, RiskError> {
        let mut reg = Self::new(r.matrix, r.appetite)?;
        let invalid = |reason: String| RiskError::InvalidSnapshot { reason };
        if r.history.len() != r.risks.len() {
            return Err(invalid(format!(
                "{} risks but {} histories",
                r.risks.len(),
                r.history.len()
            )));
        }
        for (i, (risk, history)) in r.risks.iter().zip(&r.history).enumerate() {
            let expected = reference(i + 1);
            if risk.reference != expected || risk.id != Id::from_key(&expected.to_string()) {
                return Err(invalid(format!(
                    "risk {} should be `{expected}`, found `{}`",
                    i + 1,
                    risk.reference
                )));
            }
            for rating in [&risk.inherent, &risk.residual].into_iter().flatten() {
                if reg.matrix.rate(&rating.impact, &rating.likelihood).as_ref() != Ok(rating) {
                    return Err(invalid(format!(
                        "a rating of `{expected}` does not match the matrix"
                    )));
                }
            }
            if replay(history).as_ref() != Some(risk) {
                return Err(invalid(format!(
                    "the history of `{expected}` does not replay to the risk"
                )));
            }
            reg.by_id.insert(risk.id, i);
        }
        reg.risks = r.risks;
        reg.history = r.history;
        reg.escalations = r.escalations;
        Ok(reg)
    }
}

impl<'de> Deserialize<'de> for RiskRegister {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let record = RegisterRecord::deserialize(deserializer)?;
        Self::try_from(record).map_err(serde::de::Error::custom)
    }
}
