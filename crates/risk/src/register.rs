//! The risk register: the one writer of risks, their history and the escalations. The
//! operations themselves are in `operations.rs`; the inputs they take in `input.rs`.
//!
//! Every operation takes the acting [`Actor`] and the time (`at`), validates everything first,
//! then applies the change, appends one history entry and, where the rules say so, records an
//! escalation or creates the linked corporate copy. An `Err` changes nothing.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use itsm_core::{Actor, Id, Role, bounds};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::appetite::Resolved;
use crate::history::{HistoryEntry, Operation, diff, replay};
use crate::{
    Acceptance, AcceptanceCover, Escalation, EscalationReason, Lapse, Rating, Reference,
    RegisterKind, Risk, RiskAppetite, RiskError, RiskId, RiskKind, RiskLevel, RiskMatrix,
    RiskStatus, Score, Treatment,
};

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
    /// `appetite` resolved against `matrix`: what every decision compares with.
    resolved: Resolved,
    pub(crate) risks: Vec<Risk>,
    history: Vec<Vec<HistoryEntry>>,
    pub(crate) escalations: Vec<Escalation>,
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

pub(crate) fn reference(number: usize) -> Reference {
    Reference::new(u32::try_from(number).unwrap_or(u32::MAX))
}

pub(crate) fn non_empty(
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

/// The next review date: `days` after `from`, checked (the interval is bounded by
/// `itsm_core::bounds::MAX_INTERVAL_DAYS`, the date by the engine's range).
pub(crate) fn review_after(
    risk: impl std::fmt::Display,
    from: NaiveDate,
    days: Option<u32>,
) -> Result<Option<NaiveDate>, RiskError> {
    let Some(d) = days else {
        return Ok(None);
    };
    let range = |error| RiskError::OutOfRange {
        risk: risk.to_string(),
        error,
    };
    bounds::check_interval_days("review_interval_days", d).map_err(range)?;
    let next = from
        .checked_add_days(chrono::Days::new(u64::from(d)))
        .ok_or_else(|| {
            range(itsm_core::Error::OutOfRange {
                field: "next review",
                value: format!("{from} + {d} days"),
                earliest: bounds::EARLIEST_DATE.to_string(),
                latest: bounds::LATEST_DATE.to_string(),
            })
        })?;
    bounds::check_date("next review", next).map_err(range)?;
    Ok(Some(next))
}

pub(crate) fn not_before(
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
        let resolved = appetite.resolve(&matrix)?;
        Ok(Self {
            matrix,
            appetite,
            resolved,
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

    /// Whether a risk rated `rating` is at or above the appetite's escalation level.
    #[must_use]
    pub fn escalates(&self, rating: &Rating) -> bool {
        rating.risk_level() >= self.resolved.escalate_at
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

    pub(crate) fn index(&self, id: Id<RiskId>) -> Result<usize, RiskError> {
        self.by_id
            .get(&id)
            .copied()
            .ok_or_else(|| RiskError::UnknownRisk {
                risk: id.to_string(),
            })
    }

    pub(crate) fn get(&self, idx: usize) -> Result<&Risk, RiskError> {
        self.risks.get(idx).ok_or_else(|| RiskError::UnknownRisk {
            risk: reference(idx + 1).to_string(),
        })
    }

    pub(crate) fn rate(&self, score: &Score) -> Result<Rating, RiskError> {
        self.matrix.rate(&score.impact, &score.likelihood)
    }

    pub(crate) fn rank(rating: Option<&Rating>) -> Option<usize> {
        rating.map(|r| r.level_rank)
    }

    pub(crate) fn check_links_and_fields(&self, r: &Risk) -> Result<(), RiskError> {
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
        let range = |error| RiskError::OutOfRange {
            risk: name.to_string(),
            error,
        };
        if let Some(d) = r.review_interval_days {
            bounds::check_interval_days("review_interval_days", d).map_err(range)?;
        }
        if let Some(t) = r.target_date {
            bounds::check_date("target_date", t).map_err(range)?;
        }
        for a in &r.actions {
            bounds::check_date("due", a.due).map_err(range)?;
        }
        if let Some(Treatment::Accept(a)) = &r.treatment {
            bounds::check_date("until", a.until).map_err(range)?;
        }
        bounds::check_instant("at", r.identified_at).map_err(range)?;
        Ok(())
    }

    pub(crate) fn check_live(risk: &Risk, operation: &'static str) -> Result<(), RiskError> {
        if risk.status == RiskStatus::Closed {
            Err(RiskError::RiskClosed {
                risk: risk.reference.to_string(),
                operation,
            })
        } else {
            Ok(())
        }
    }

    pub(crate) fn check_move(risk: &Risk, to: RiskStatus) -> Result<(), RiskError> {
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

    pub(crate) fn check_authority(
        &self,
        actor: &Actor,
        risk: &Risk,
        action: &'static str,
        level_rank: usize,
    ) -> Result<(), RiskError> {
        if self
            .resolved
            .reach(actor)
            .is_some_and(|r| r.rank() >= level_rank)
        {
            return Ok(());
        }
        let level = self
            .matrix
            .level_ranked(level_rank)
            .unwrap_or_else(|| self.matrix.top_level());
        Err(RiskError::NoAuthority {
            risk: risk.reference.to_string(),
            actor: actor.name.clone(),
            action,
            allowed: self.resolved.who_may(&level),
            level: level.name().to_owned(),
        })
    }

    pub(crate) fn check_acceptance(
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
        let level = current.risk_level();
        let decision = risk.decision_rank().max(level.rank());
        let (threshold, whose) = self.resolved.threshold(risk.division);
        if level > *threshold && !actor.has_role(Role::TopManagement) {
            return Err(RiskError::AboveAppetite {
                risk: risk.reference.to_string(),
                level: level.name().to_owned(),
                threshold: threshold.name().to_owned(),
                division: whose,
            });
        }
        self.check_authority(actor, risk, "accept", decision)
    }

    /// What an acceptance by `actor` of `risk` at its current level covers.
    pub(crate) fn cover(&self, actor: &Actor, risk: &Risk) -> Option<AcceptanceCover> {
        let level = risk.level()?;
        Some(AcceptanceCover {
            above_appetite: level > *self.resolved.threshold(risk.division).0,
            level,
            reach: self.resolved.reach(actor)?.clone(),
        })
    }

    /// Whether the acceptance `next` carries still holds; `Some(why)` when it has lapsed: see
    /// [`AcceptanceCover`] for the rule.
    pub(crate) fn lapse(&self, next: &Risk) -> Option<(RiskLevel, String)> {
        let (Some(Treatment::Accept(_)), Some(cover), Some(level)) =
            (&next.treatment, &next.accepted, next.level())
        else {
            return None;
        };
        let (threshold, whose) = self.resolved.threshold(next.division);
        let why = if level > cover.reach {
            format!(
                "`{level}` is above the authority of the acceptor (`{}`)",
                cover.reach
            )
        } else if level > *threshold && !cover.above_appetite {
            format!("`{level}` is above {whose} (`{threshold}`)")
        } else if level > *threshold && level > cover.level {
            format!(
                "`{level}` is above {whose} (`{threshold}`) and above the level it was accepted at (`{}`)",
                cover.level
            )
        } else {
            return None;
        };
        Some((level, why))
    }

    /// Escalation and corporate-copy rules, applied to `next` before it is committed. Returns
    /// the escalations to record and whether to create the corporate copy.
    ///
    /// A materialized risk is always escalated. A live threat is escalated when it arises at or
    /// rises to `escalate_at` (or above the level it was last escalated at), and copied to the
    /// corporate register at `corporate_at`. Opportunities are reported, not escalated.
    pub(crate) fn escalate(
        &self,
        before: Option<&Risk>,
        next: &mut Risk,
        at: DateTime<Utc>,
        materialized: bool,
    ) -> (Vec<Escalation>, bool) {
        let mut out = Vec::new();
        let ranked = next.level();
        let level = ranked.as_ref().map(|l| l.name().to_owned());
        if let Some(lapsed) = next
            .lapsed
            .as_ref()
            .filter(|l| before.is_some_and(|b| b.lapsed.as_ref() != Some(*l)))
        {
            out.push(Escalation {
                risk: next.reference,
                at,
                reason: EscalationReason::AcceptanceLapsed,
                level: Some(lapsed.level.name().to_owned()),
            });
        }
        if materialized {
            out.push(Escalation {
                risk: next.reference,
                at,
                reason: EscalationReason::Materialized,
                level: level.clone(),
            });
            if ranked.is_some() {
                next.escalated_level.clone_from(&ranked);
            }
        } else if let (Some(r), RiskKind::Threat) = (&ranked, next.kind) {
            if *r >= self.resolved.escalate_at
                && next.escalated_level.as_ref().is_none_or(|l| l < r)
                && next.status.is_live()
            {
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
                next.escalated_level.clone_from(&ranked);
            }
        }
        let copy = matches!((&ranked, &self.resolved.corporate_at), (Some(r), Some(c)) if r >= c)
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

    pub(crate) fn push_new(
        &mut self,
        risk: Risk,
        actor: &Actor,
        at: DateTime<Utc>,
        note: Option<String>,
    ) {
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

    pub(crate) fn corporate_copy(&mut self, original: &Risk, actor: &Actor, at: DateTime<Utc>) {
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

    /// The shape of every operation on an existing risk: find it, let `edit` check the request
    /// against the register and the current record and make its changes on a clone, then
    /// commit the clone with one history entry (`edit` returns the entry's note). An `Err`, from
    /// `edit` or from the commit's own checks, leaves the register untouched.
    pub(crate) fn transact(
        &mut self,
        id: Id<RiskId>,
        actor: &Actor,
        at: DateTime<Utc>,
        op: Operation,
        edit: impl FnOnce(&Self, &Risk, &mut Risk) -> Result<Option<String>, RiskError>,
    ) -> Result<&Risk, RiskError> {
        let idx = self.index(id)?;
        let current = self.get(idx)?;
        let mut next = current.clone();
        let note = edit(self, current, &mut next)?;
        self.commit(idx, actor, at, op, note, next)
    }

    pub(crate) fn commit(
        &mut self,
        idx: usize,
        actor: &Actor,
        at: DateTime<Utc>,
        op: Operation,
        note: Option<String>,
        mut next: Risk,
    ) -> Result<&Risk, RiskError> {
        self.check_links_and_fields(&next)?;
        let before = self.get(idx)?.clone();
        let mut note = note;
        if !matches!(next.treatment, Some(Treatment::Accept(_))) {
            next.accepted = None;
        }
        if let Some((level, why)) = self.lapse(&next) {
            if let Some(Treatment::Accept(acceptance)) = next.treatment.take() {
                let text = format!("the acceptance lapsed: {why}; a new decision is needed");
                note = Some(note.map_or_else(|| text.clone(), |n| format!("{n}; {text}")));
                next.accepted = None;
                next.lapsed = Some(Lapse {
                    at,
                    acceptance,
                    level,
                    why,
                });
            }
        }
        let (escalations, copy) =
            self.escalate(Some(&before), &mut next, at, op == Operation::Materialize);
        next.version = before.version.saturating_add(1);
        // The peak only rises between decisions (close and accept reset it to the level the
        // risk carries before committing): to the level it carries now, and to any rating this
        // operation set.
        let set = [
            (before.inherent != next.inherent).then_some(next.inherent.as_ref()),
            (before.residual != next.residual).then_some(next.residual.as_ref()),
            Some(next.current()),
        ];
        if let Some(top) = set
            .into_iter()
            .flatten()
            .flatten()
            .max_by_key(|r| r.level_rank)
            .filter(|top| Self::rank(Some(top)) > Self::rank(next.peak.as_ref()))
            .cloned()
        {
            next.peak = Some(top);
        }
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
            for rating in [&risk.inherent, &risk.residual, &risk.peak]
                .into_iter()
                .flatten()
            {
                if reg.matrix.rate(&rating.impact, &rating.likelihood).as_ref() != Ok(rating) {
                    return Err(invalid(format!(
                        "a rating of `{expected}` does not match the matrix"
                    )));
                }
            }
            let levels = risk
                .escalated_level
                .iter()
                .chain(risk.accepted.iter().flat_map(|c| [&c.level, &c.reach]))
                .chain(risk.lapsed.iter().map(|l| &l.level));
            for level in levels {
                if !reg.matrix.owns(level) {
                    return Err(invalid(format!(
                        "`{expected}` holds level `{level}` (rank {}), which is not a level of the matrix",
                        level.rank()
                    )));
                }
            }
            // An acceptance in force carries what it covers, and is within it: `commit` judges
            // lapses by the cover, so one stored without it, or past it, would never lapse.
            match (&risk.treatment, &risk.accepted) {
                (Some(Treatment::Accept(_)), None) => {
                    return Err(invalid(format!(
                        "`{expected}` is accepted without what the acceptance covers"
                    )));
                }
                (Some(Treatment::Accept(_)), Some(_)) | (_, None) => {}
                (_, Some(_)) => {
                    return Err(invalid(format!(
                        "`{expected}` records what an acceptance covers but is not accepted"
                    )));
                }
            }
            if let Some((_, why)) = reg.lapse(risk) {
                return Err(invalid(format!(
                    "`{expected}` is held accepted although its acceptance has lapsed: {why}"
                )));
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
