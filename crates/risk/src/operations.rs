//! The register's operations: identify, update, assess, treat, act, accept, materialize,
//! review, close, reopen. Each goes through `RiskRegister::transact` (see `register.rs`):
//! checks and edits on a clone, then one commit.

use chrono::{DateTime, NaiveDate, Utc};
use itsm_core::entity::Party;
use itsm_core::{Actor, Id};

use crate::history::Operation;
use crate::register::{non_empty, not_before, reference, review_after};
use crate::{
    Acceptance, Assessment, MitigationAction, NewAction, NewRisk, Rating, Risk, RiskError, RiskId,
    RiskRegister, RiskStatus, RiskUpdate, Treatment,
};

/// The most mitigation actions one risk holds.
pub const MAX_ACTIONS: usize = 1000;

impl RiskRegister {
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
            inherent: inherent.clone(),
            residual: None,
            residual_rationale: None,
            peak: inherent,
            initial_mitigation: new.initial_mitigation,
            treatment: None,
            actions: Vec::new(),
            status: RiskStatus::New,
            review_interval_days: new.review_interval_days,
            next_review: review_after(r, at.date_naive(), new.review_interval_days)?,
            last_reviewed_at: None,
            closed_at: None,
            materialized_at: None,
            escalated_level: None,
            accepted: None,
            lapsed: None,
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
        self.transact(id, actor, at, Operation::Update, |reg, _, next| {
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
                if v != next.owner {
                    // Handing a risk over is a decision on it: the rung for its level is needed.
                    reg.check_authority(actor, next, "hand over", next.decision_rank())?;
                }
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
                next.next_review = review_after(next.reference, from, v)?;
            }
            Ok(None)
        })
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
        self.transact(id, actor, at, Operation::Assess, |reg, current, next| {
            Self::check_live(current, "assess")?;
            if a.inherent.is_none() && a.residual.is_none() {
                return Err(RiskError::Missing {
                    risk: current.reference.to_string(),
                    field: "inherent or residual",
                    why: "an assessment rates at least one of them",
                });
            }
            if let Some(s) = &a.inherent {
                next.inherent = Some(reg.rate(s)?);
            }
            if let Some(s) = &a.residual {
                next.residual = Some(reg.rate(s)?);
            }
            if let Some(r) = a.rationale.filter(|r| !r.trim().is_empty()) {
                next.residual_rationale = Some(r);
            }
            if let (Some(i), Some(r)) = (&next.inherent, &next.residual) {
                // Worse is a higher level on the matrix, never a higher score: on an explicit grid
                // a higher score can sit at a lower level.
                if r.risk_level() > i.risk_level() && next.residual_rationale.is_none() {
                    return Err(RiskError::ResidualWorse {
                        risk: next.reference.to_string(),
                        residual: r.level.clone(),
                        inherent: i.level.clone(),
                    });
                }
            }
            // Re-scoring (changing a rating that existed) and lowering the level (a first residual
            // below the inherent included) need authority over the highest level involved.
            let changed = |old: &Option<Rating>, new: &Option<Rating>| old.is_some() && old != new;
            // The level before: what the risk carried, or the inherent this assessment sets (a
            // Critical inherent and a Low residual given together lower the risk all the same).
            let inherent_set = (next.inherent != current.inherent)
                .then(|| Self::rank(next.inherent.as_ref()))
                .flatten();
            let before = Self::rank(current.current()).max(inherent_set);
            let lowers = match (before, Self::rank(next.current())) {
                (Some(b), Some(after)) => after < b,
                (None, _) => false,
                (Some(_), None) => true,
            };
            if lowers
                || changed(&current.inherent, &next.inherent)
                || changed(&current.residual, &next.residual)
            {
                let ranks = [
                    &current.inherent,
                    &current.residual,
                    &current.peak,
                    &next.inherent,
                    &next.residual,
                ];
                let top = ranks
                    .iter()
                    .filter_map(|r| Self::rank(r.as_ref()))
                    .max()
                    .unwrap_or(0);
                reg.check_authority(actor, current, "re-score", top)?;
            }
            if next.status == RiskStatus::New {
                next.status = RiskStatus::Open;
            }
            Ok(None)
        })
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
        self.transact(
            id,
            actor,
            at,
            Operation::PlanTreatment,
            |reg, current, next| {
                Self::check_live(current, "treat")?;
                // Treating is a decision on the risk: authorised against the highest level it has
                // carried since it was last closed or accepted, never against "unrated".
                reg.check_authority(actor, current, "treat", current.decision_rank())?;
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
                        reg.check_acceptance(actor, current, at, a)?;
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
                if matches!(t, Treatment::Accept(_)) {
                    next.peak = next.current().cloned();
                    next.accepted = reg.cover(actor, current);
                }
                next.lapsed = None;
                next.treatment = Some(t);
                if next.status == RiskStatus::New {
                    next.status = RiskStatus::Open;
                }
                Ok(None)
            },
        )
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
        self.transact(id, actor, at, Operation::AddAction, |_, current, next| {
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
            if current.actions.len() >= MAX_ACTIONS {
                return Err(RiskError::Missing {
                    risk: current.reference.to_string(),
                    field: "actions",
                    why: "a risk holds at most 1000 mitigation actions; group them",
                });
            }
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
            Ok(None)
        })
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
        self.transact(id, actor, at, Operation::CompleteAction, |_, _, next| {
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
            Ok(None)
        })
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
        self.transact(id, actor, at, Operation::Accept, |reg, current, next| {
            let acceptance = Acceptance {
                by: actor.id,
                until,
                rationale: rationale.to_owned(),
            };
            reg.check_acceptance(actor, current, at, &acceptance)?;
            next.peak = next.current().cloned();
            next.accepted = reg.cover(actor, current);
            next.lapsed = None;
            next.treatment = Some(Treatment::Accept(acceptance));
            if next.status == RiskStatus::New {
                next.status = RiskStatus::Open;
            }
            Ok(None)
        })
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
        self.transact(id, actor, at, Operation::Materialize, |_, current, next| {
            Self::check_move(current, RiskStatus::Materialized)?;
            next.status = RiskStatus::Materialized;
            next.materialized_at = Some(at);
            let note = (!note.trim().is_empty()).then(|| note.to_owned());
            Ok(note)
        })
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
        self.transact(id, actor, at, Operation::Review, |_, current, next| {
            Self::check_live(current, "review")?;
            next.last_reviewed_at = Some(at);
            next.next_review =
                review_after(next.reference, at.date_naive(), next.review_interval_days)?;
            let note = (!notes.trim().is_empty()).then(|| notes.to_owned());
            Ok(note)
        })
    }

    /// Closes the risk.
    ///
    /// # Errors
    /// [`RiskError::UnknownRisk`], [`RiskError::IllegalTransition`],
    /// [`RiskError::OpenActions`], [`RiskError::NoAuthority`] (the actor's rung does not reach
    /// the highest level the risk has carried since it was last closed or accepted; a risk never
    /// rated needs a rung all the same: ownership alone is no authority).
    pub fn close(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<RiskId>,
        note: &str,
    ) -> Result<&Risk, RiskError> {
        self.transact(id, actor, at, Operation::Close, |reg, current, next| {
            Self::check_move(current, RiskStatus::Closed)?;
            let open: Vec<u32> = current.open_actions().map(|a| a.number).collect();
            if let Some(first) = open.first() {
                return Err(RiskError::OpenActions {
                    risk: current.reference.to_string(),
                    count: open.len(),
                    first: *first,
                });
            }
            reg.check_authority(actor, current, "close", current.decision_rank())?;
            next.status = RiskStatus::Closed;
            next.closed_at = Some(at);
            next.lapsed = None;
            next.peak = next.current().cloned();
            let note = (!note.trim().is_empty()).then(|| note.to_owned());
            Ok(note)
        })
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
        self.transact(id, actor, at, Operation::Reopen, |_, current, next| {
            Self::check_move(current, RiskStatus::Open)?;
            if current.status != RiskStatus::Closed {
                return Err(RiskError::IllegalTransition {
                    risk: current.reference.to_string(),
                    from: current.status,
                    to: RiskStatus::Open,
                });
            }
            non_empty(current.reference, "reason", reason)?;
            next.status = RiskStatus::Open;
            // A reopened risk is reported again if it is (still) at the escalation level.
            next.escalated_level = None;
            Ok(Some(reason.to_owned()))
        })
    }
}
