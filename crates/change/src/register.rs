//! The change register: the lifecycle of every change, one transactional method per move.
//!
//! Draft -> Submitted -> Assessed -> Approved | Rejected -> Scheduled -> Implementing ->
//! Implemented (successful, failed, backed out) -> Reviewed -> Closed; Cancelled from any open
//! state; Rejected -> Closed; Approved or Scheduled -> Assessed again when re-assessed (the
//! configuration changed: approvals and window are withdrawn, and scheduling or starting a
//! change whose assessment no longer matches the configuration is refused). Standard changes
//! whose model applies are approved when assessed;
//! emergency changes may go from Approved straight to Implementing and are always reviewed;
//! major-impact changes pass the design and transition stages before they start. Every method
//! validates first and changes nothing when it returns `Err`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use itsm_cmdb::{BatchOutcome, Cmdb};
use itsm_core::{Actor, Id, Period, Role};
use itsm_risk::RiskMatrix;
use serde::{Deserialize, Serialize};

use crate::{
    ApprovalRecord, Approver, Category, Change, ChangeError, ChangeId, ChangePolicy, ChangeStatus,
    LogEntry, NewChange, Outcome, assess,
};

/// The most entries one change's log holds: every move copies the record, so a change moved
/// back and forth without end would make each move cost more.
pub const MAX_LOG: usize = 1000;

/// All change records, under one policy and risk matrix.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use itsm_change::*;
/// use itsm_cmdb::{Ci, CiKind, Cmdb};
/// use itsm_core::{Actor, Role};
/// use itsm_risk::RiskMatrix;
///
/// let mut cmdb = Cmdb::new();
/// let host = Ci::new("host-1", "Host 1", CiKind::Hardware);
/// let host_id = host.id;
/// cmdb.add_ci(host)?;
/// let policy = ChangePolicy {
///     approvals: vec![ApprovalRule { category: CategoryKind::Normal, from_level: "Low".into(), approver: Approver::ChangeManager }],
///     ..ChangePolicy::default()
/// };
/// let mut changes = ChangeRegister::new(policy, RiskMatrix::standard_5x5())?;
/// let dev = Actor::new("dev", "Dev", [Role::Implementer])?;
/// let cm = Actor::new("cm", "Change manager", [Role::ChangeManager])?;
/// let at = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
///
/// let id = changes.raise(&dev, at, &cmdb, NewChange::new("Replace a disk", vec![host_id]))?.id;
/// changes.submit(&dev, at, id)?;
/// changes.assess(&dev, at, id, &cmdb)?;
/// assert!(changes.approve(&dev, at, id).is_err()); // segregation of duties
/// let c = changes.approve(&cm, at, id)?;
/// assert_eq!(c.status, ChangeStatus::Approved);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RegisterRecord", into = "RegisterRecord")]
pub struct ChangeRegister {
    policy: ChangePolicy,
    matrix: RiskMatrix,
    changes: Vec<Change>,
    by_id: HashMap<Id<ChangeId>, usize>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterRecord {
    policy: ChangePolicy,
    matrix: RiskMatrix,
    changes: Vec<Change>,
}

impl TryFrom<RegisterRecord> for ChangeRegister {
    type Error = ChangeError;
    fn try_from(r: RegisterRecord) -> Result<Self, ChangeError> {
        let mut reg = Self::new(r.policy, r.matrix)?;
        for (i, c) in r.changes.iter().enumerate() {
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if c.number != n || c.id != Id::from_key(&format!("CHG-{n}")) {
                return Err(ChangeError::InvalidSnapshot {
                    reason: if c.number == n {
                        format!("change `CHG-{n}` has another id than its reference derives to")
                    } else {
                        format!(
                            "the change in place {} is numbered {}, not {n}",
                            i + 1,
                            c.number
                        )
                    },
                });
            }
        }
        reg.by_id = r
            .changes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect();
        reg.changes = r.changes;
        Ok(reg)
    }
}

impl From<ChangeRegister> for RegisterRecord {
    fn from(r: ChangeRegister) -> Self {
        Self {
            policy: r.policy,
            matrix: r.matrix,
            changes: r.changes,
        }
    }
}

fn illegal(c: &Change, action: &'static str) -> ChangeError {
    ChangeError::IllegalTransition {
        change: c.reference(),
        from: c.status,
        action,
    }
}

/// The approvals still outstanding on `c`, given those already recorded.
fn outstanding(c: &Change) -> Vec<Approver> {
    let Some(a) = &c.assessment else {
        return Vec::new();
    };
    let given = |wanted: &dyn Fn(&Approver) -> bool| {
        c.approvals
            .iter()
            .filter(|r| r.approver.as_ref().is_some_and(wanted))
            .count()
    };
    a.approvals
        .iter()
        .copied()
        .filter(|need| match need {
            Approver::Cab { quorum } => {
                given(&|x| matches!(x, Approver::Cab { .. })) < *quorum as usize
            }
            Approver::EmergencyCab { quorum } => {
                given(&|x| matches!(x, Approver::EmergencyCab { .. })) < *quorum as usize
            }
            other => given(&|x| x == other) == 0,
        })
        .collect()
}

/// The outstanding approval `actor`'s roles can give, if any.
fn capacity(actor: &Actor, needed: &[Approver]) -> Option<Approver> {
    needed.iter().copied().find(|n| match n {
        Approver::ChangeManager => actor.has_role(Role::ChangeManager),
        Approver::ChangeAuthority => actor.has_role(Role::ChangeAuthority),
        Approver::Cab { .. } => actor.has_role(Role::CabMember),
        Approver::EmergencyCab { .. } => actor.has_role(Role::EmergencyCabMember),
        Approver::TopManagement => actor.has_role(Role::TopManagement),
    })
}

/// Refuses a record whose log is full (see [`MAX_LOG`]).
fn room_in_log(next: &Change) -> Result<(), ChangeError> {
    if next.log.len() >= MAX_LOG {
        return Err(ChangeError::Invalid {
            change: next.reference(),
            field: "log",
            why: format!(
                "a change record holds at most {MAX_LOG} entries; cancel it and raise a new change"
            ),
        });
    }
    Ok(())
}

impl ChangeRegister {
    /// An empty register under `policy`, scoring on `matrix`.
    ///
    /// # Errors
    /// [`ChangeError::InvalidPolicy`].
    pub fn new(policy: ChangePolicy, matrix: RiskMatrix) -> Result<Self, ChangeError> {
        policy.validate(&matrix)?;
        Ok(Self {
            policy,
            matrix,
            changes: Vec::new(),
            by_id: HashMap::new(),
        })
    }

    /// The policy.
    #[must_use]
    pub const fn policy(&self) -> &ChangePolicy {
        &self.policy
    }

    /// Replaces the policy (the engine does so when the CIs its keys name change ids).
    ///
    /// # Errors
    /// [`ChangeError::InvalidPolicy`]; the register is then unchanged.
    pub fn set_policy(&mut self, policy: ChangePolicy) -> Result<(), ChangeError> {
        policy.validate(&self.matrix)?;
        self.policy = policy;
        Ok(())
    }

    /// The risk matrix.
    #[must_use]
    pub const fn matrix(&self) -> &RiskMatrix {
        &self.matrix
    }

    /// Every change, by number.
    #[must_use]
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// The change with this id.
    #[must_use]
    pub fn change(&self, id: Id<ChangeId>) -> Option<&Change> {
        self.position(id).and_then(|i| self.changes.get(i))
    }

    fn position(&self, id: Id<ChangeId>) -> Option<usize> {
        self.by_id.get(&id).copied()
    }

    fn index(&self, id: Id<ChangeId>) -> Result<usize, ChangeError> {
        self.position(id).ok_or_else(|| ChangeError::UnknownChange {
            change: id.to_string(),
        })
    }

    fn current(&self, idx: usize) -> Result<&Change, ChangeError> {
        self.changes
            .get(idx)
            .ok_or_else(|| ChangeError::UnknownChange {
                change: format!("CHG-{}", idx + 1),
            })
    }

    /// The shape of every operation on an existing change but completion (which deploys the
    /// delta between its checks and its commit): find it, let `edit` check the request against
    /// the register and the current record (`idx` is its place) and make its changes on a
    /// clone, then commit the clone with one log entry (`edit` returns the entry's action). An
    /// `Err`, from `edit` or from the commit's own checks, leaves the register untouched.
    fn transact(
        &mut self,
        id: Id<ChangeId>,
        actor: &Actor,
        at: DateTime<Utc>,
        edit: impl FnOnce(&Self, usize, &Change, &mut Change) -> Result<String, ChangeError>,
    ) -> Result<&Change, ChangeError> {
        let idx = self.index(id)?;
        let current = self.current(idx)?;
        let mut next = current.clone();
        let action = edit(self, idx, current, &mut next)?;
        self.commit(idx, actor, at, action, next)
    }

    fn commit(
        &mut self,
        idx: usize,
        actor: &Actor,
        at: DateTime<Utc>,
        action: String,
        mut next: Change,
    ) -> Result<&Change, ChangeError> {
        room_in_log(&next)?;
        next.log.push(LogEntry {
            at,
            actor: actor.id,
            action,
            status: next.status,
        });
        let slot = self
            .changes
            .get_mut(idx)
            .ok_or_else(|| ChangeError::UnknownChange {
                change: next.reference(),
            })?;
        *slot = next;
        Ok(slot)
    }

    /// Raises a change in draft.
    ///
    /// # Errors
    /// [`ChangeError::Missing`] (title, targets), [`ChangeError::Cmdb`] (a target, or a CI an
    /// edit of the delta names, not in the CMDB), [`ChangeError::DeltaOutsideTargets`] (the delta
    /// edits CIs that are not targets; see [`crate::reach`]), [`ChangeError::UnknownModel`], [`ChangeError::Core`] (a cost in another currency
    /// than the policy's thresholds).
    pub fn raise(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        cmdb: &Cmdb,
        new: NewChange,
    ) -> Result<&Change, ChangeError> {
        let number = u32::try_from(self.changes.len() + 1).unwrap_or(u32::MAX);
        let reference = format!("CHG-{number}");
        let missing = |field, why| ChangeError::Missing {
            change: reference.clone(),
            field,
            why,
        };
        if new.title.trim().is_empty() {
            return Err(missing("title", "a change has a title"));
        }
        if new.targets.is_empty() {
            return Err(missing("targets", "a change names the CIs it changes"));
        }
        for t in &new.targets {
            cmdb.ci(*t)
                .ok_or(itsm_cmdb::CmdbError::UnknownCi { id: *t })?;
        }
        let reached = crate::reach(&new.delta, cmdb)?;
        let outside: Vec<String> = reached
            .iter()
            .filter(|id| !new.targets.contains(id))
            .map(|id| {
                cmdb.ci(*id)
                    .map_or_else(|| format!("`{id}`"), |c| format!("`{}`", c.key))
            })
            .collect();
        if !outside.is_empty() {
            return Err(ChangeError::DeltaOutsideTargets {
                change: reference,
                cis: outside.join(", "),
            });
        }
        if let Category::Standard(m) = &new.category {
            if self.policy.model(m).is_none() {
                return Err(ChangeError::UnknownModel {
                    change: reference,
                    model: m.clone(),
                });
            }
        }
        if let Some(cost) = &new.estimated_cost {
            if cost.is_negative() {
                return Err(ChangeError::Invalid {
                    change: reference,
                    field: "estimated_cost",
                    why: format!("a cost is not negative (`{cost}`)"),
                });
            }
            if let Some(limit) = self.policy.currency() {
                if cost.currency() != limit {
                    return Err(ChangeError::Invalid {
                        change: reference,
                        field: "estimated_cost",
                        why: format!(
                            "the cost `{cost}` is not in `{limit}`, the currency of the change policy"
                        ),
                    });
                }
            }
        }
        let change = Change {
            id: Id::from_key(&reference),
            number,
            requester: actor.id,
            raised_at: at,
            request: new,
            status: ChangeStatus::Draft,
            assessment: None,
            approvals: Vec::new(),
            transition: Vec::new(),
            window: None,
            submitted_at: None,
            implemented_at: None,
            outcome: None,
            review: None,
            review_required: false,
            flags: Vec::new(),
            log: vec![LogEntry {
                at,
                actor: actor.id,
                action: "raised".into(),
                status: ChangeStatus::Draft,
            }],
        };
        self.by_id.insert(change.id, self.changes.len());
        self.changes.push(change);
        self.current(self.changes.len() - 1)
    }

    /// Submits a draft.
    ///
    /// # Errors
    /// [`ChangeError::UnknownChange`], [`ChangeError::IllegalTransition`].
    pub fn submit(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<ChangeId>,
    ) -> Result<&Change, ChangeError> {
        self.transact(id, actor, at, |_, _, c, next| {
            if c.status != ChangeStatus::Draft {
                return Err(illegal(c, "submit"));
            }
            next.status = ChangeStatus::Submitted;
            next.submitted_at = Some(at);
            Ok("submitted".into())
        })
    }

    /// Assesses a submitted change (or re-assesses an assessed one); a standard change whose
    /// model applies is approved on the spot.
    ///
    /// # Errors
    /// [`ChangeError::UnknownChange`], [`ChangeError::IllegalTransition`], and the errors of
    /// [`assess`].
    pub fn assess(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<ChangeId>,
        cmdb: &Cmdb,
    ) -> Result<&Change, ChangeError> {
        self.transact(id, actor, at, |reg, idx, c, next| {
            // Re-assessing an approved or scheduled change (when the configuration changed since)
            // withdraws its approvals and window: it is decided again on what it now affects.
            if !matches!(
                c.status,
                ChangeStatus::Submitted
                    | ChangeStatus::Assessed
                    | ChangeStatus::Approved
                    | ChangeStatus::Scheduled
            ) {
                return Err(illegal(c, "assess"));
            }
            let past = reg.changes.get(..idx).unwrap_or_default();
            let assessment = assess(&c.request, cmdb, &reg.matrix, &reg.policy, past)?;
            next.window = None;
            let pre_approved = assessment
                .standard_model
                .as_ref()
                .is_some_and(|m| m.applies);
            let action = if pre_approved {
                format!(
                    "assessed `{}`; pre-approved by standard model",
                    assessment.rating.level
                )
            } else {
                format!("assessed `{}`", assessment.rating.level)
            };
            next.assessment = Some(assessment);
            next.approvals.clear();
            next.status = ChangeStatus::Assessed;
            if pre_approved {
                next.approvals.push(ApprovalRecord {
                    by: None,
                    approver: None,
                    at,
                });
                next.status = ChangeStatus::Approved;
            }
            if next.is_emergency() {
                next.review_required = true;
            }
            Ok(action)
        })
    }

    fn check_approver(&self, actor: &Actor, c: &Change) -> Result<Approver, ChangeError> {
        if c.status != ChangeStatus::Assessed {
            return Err(illegal(c, "approve or reject"));
        }
        if self.policy.segregation_of_duties
            && (c.requester == actor.id || c.request.implementer == Some(actor.id))
        {
            return Err(ChangeError::SelfApproval {
                change: c.reference(),
                actor: actor.name.clone(),
            });
        }
        let needed = outstanding(c);
        let Some(capacity) = capacity(actor, &needed) else {
            let list: Vec<String> = needed.iter().map(ToString::to_string).collect();
            return Err(ChangeError::NotAnApprover {
                change: c.reference(),
                actor: actor.name.clone(),
                needed: if list.is_empty() {
                    "none".into()
                } else {
                    list.join(", ")
                },
            });
        };
        Ok(capacity)
    }

    /// Records `actor`'s approval; the change is approved once every approval it needs is in.
    ///
    /// # Errors
    /// [`ChangeError::IllegalTransition`] (not assessed), [`ChangeError::SelfApproval`],
    /// [`ChangeError::AlreadyApproved`], [`ChangeError::NotAnApprover`].
    pub fn approve(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<ChangeId>,
    ) -> Result<&Change, ChangeError> {
        self.transact(id, actor, at, |reg, _, c, next| {
            if c.approvals.iter().any(|a| a.by == Some(actor.id))
                && c.status == ChangeStatus::Assessed
            {
                return Err(ChangeError::AlreadyApproved {
                    change: c.reference(),
                    actor: actor.name.clone(),
                });
            }
            let capacity = reg.check_approver(actor, c)?;
            next.approvals.push(ApprovalRecord {
                by: Some(actor.id),
                approver: Some(capacity),
                at,
            });
            if outstanding(next).is_empty() {
                next.status = ChangeStatus::Approved;
            }
            Ok(format!("approved as {capacity}"))
        })
    }

    /// Rejects the change; only someone who could approve it may.
    ///
    /// # Errors
    /// As [`ChangeRegister::approve`], and [`ChangeError::Missing`] for an empty reason.
    pub fn reject(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<ChangeId>,
        reason: &str,
    ) -> Result<&Change, ChangeError> {
        self.transact(id, actor, at, |reg, _, c, next| {
            let capacity = reg.check_approver(actor, c)?;
            if reason.trim().is_empty() {
                return Err(ChangeError::Missing {
                    change: c.reference(),
                    field: "reason",
                    why: "a rejection says why",
                });
            }
            next.status = ChangeStatus::Rejected;
            Ok(format!("rejected as {capacity}: {reason}"))
        })
    }

    /// Completes the next design and transition stage of a major-impact change.
    ///
    /// # Errors
    /// [`ChangeError::IllegalTransition`] when the change is not approved or scheduled, or not
    /// major-impact, or has no stage left.
    pub fn complete_stage(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<ChangeId>,
    ) -> Result<&Change, ChangeError> {
        self.transact(id, actor, at, |_, _, c, next| {
            if !matches!(c.status, ChangeStatus::Approved | ChangeStatus::Scheduled) {
                return Err(illegal(c, "advance service design and transition of"));
            }
            let stage = c
                .next_stage()
                .ok_or_else(|| illegal(c, "advance service design and transition of"))?;
            next.transition.push(stage);
            Ok(format!("completed the {stage} stage"))
        })
    }

    /// Gives an approved change its implementation window. A window that overlaps a freeze
    /// applying to the change is refused, except for emergency changes.
    ///
    /// # Errors
    /// [`ChangeError::IllegalTransition`], [`ChangeError::Missing`] for an empty window,
    /// [`ChangeError::Core`] for a window longer than `itsm_core::bounds::MAX_WINDOW`,
    /// [`ChangeError::StaleAssessment`] (the configuration changed since it was assessed:
    /// assess it again), [`ChangeError::InFreeze`].
    pub fn schedule(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<ChangeId>,
        window: Period,
        cmdb: &Cmdb,
    ) -> Result<&Change, ChangeError> {
        self.transact(id, actor, at, |reg, idx, c, next| {
            if !matches!(c.status, ChangeStatus::Approved | ChangeStatus::Scheduled) {
                return Err(illegal(c, "schedule"));
            }
            reg.check_fresh(idx, c, cmdb)?;
            if window.is_empty() {
                return Err(ChangeError::Missing {
                    change: c.reference(),
                    field: "window",
                    why: "an implementation window has a duration",
                });
            }
            itsm_core::bounds::check_window("window", &window)?;
            if !c.is_emergency() {
                if let Some(b) = reg.freeze_over(c, &window) {
                    return Err(ChangeError::InFreeze {
                        change: c.reference(),
                        window: Self::when(&window),
                        freeze: b.name.clone(),
                    });
                }
            }
            next.window = Some(window);
            next.status = ChangeStatus::Scheduled;
            let action = format!(
                "scheduled {} to {}",
                window.start().format("%Y-%m-%d %H:%M"),
                window.end().format("%Y-%m-%d %H:%M")
            );
            Ok(action)
        })
    }

    /// Starts implementation: a scheduled change, or an approved emergency change. A
    /// major-impact change must have passed design and transition. A change whose window
    /// overlaps a freeze that applies is refused, except emergency changes, which are flagged
    /// for review. A change whose assessment no longer matches the configuration is refused.
    ///
    /// # Errors
    /// [`ChangeError::IllegalTransition`], [`ChangeError::TransitionIncomplete`],
    /// [`ChangeError::StaleAssessment`], [`ChangeError::InFreeze`].
    pub fn start(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<ChangeId>,
        cmdb: &Cmdb,
    ) -> Result<&Change, ChangeError> {
        self.transact(id, actor, at, |reg, idx, c, next| {
            let ready = c.status == ChangeStatus::Scheduled
                || (c.status == ChangeStatus::Approved && c.is_emergency());
            if !ready {
                return Err(illegal(c, "start"));
            }
            reg.check_fresh(idx, c, cmdb)?;
            if let Some(stage) = c.next_stage() {
                return Err(ChangeError::TransitionIncomplete {
                    change: c.reference(),
                    next: stage.to_string(),
                });
            }
            // The whole window counts, and the instant of starting too (a change started early,
            // outside its window): one that runs into a freeze is refused; an emergency change is
            // flagged for review.
            let freeze = c
                .window
                .and_then(|w| {
                    reg.freeze_over(c, &w)
                        .map(|b| (Self::when(&w), b.name.clone()))
                })
                .or_else(|| {
                    reg.freeze_at(c, at)
                        .map(|b| (at.format("%Y-%m-%d %H:%M").to_string(), b.name.clone()))
                });
            if let Some((when, name)) = freeze {
                if !c.is_emergency() {
                    return Err(ChangeError::InFreeze {
                        change: c.reference(),
                        window: when,
                        freeze: name,
                    });
                }
                next.review_required = true;
                next.flags.push(format!(
                    "emergency change implemented inside freeze `{name}`"
                ));
            }
            next.status = ChangeStatus::Implementing;
            Ok("started".into())
        })
    }

    /// Ends implementation. A successful change applies its delta to `cmdb` in one step and
    /// stamps the touched CIs; a failed or backed-out one leaves `cmdb` as it was. Answers what
    /// the delta did to the CMDB (the CIs touched and removed; empty unless successful).
    ///
    /// # Errors
    /// [`ChangeError::IllegalTransition`]; [`ChangeError::Deployment`] when the delta is
    /// refused (then neither the CMDB nor the change is modified).
    pub fn complete(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<ChangeId>,
        outcome: Outcome,
        cmdb: &mut Cmdb,
    ) -> Result<BatchOutcome, ChangeError> {
        let idx = self.index(id)?;
        let c = self.current(idx)?;
        if c.status != ChangeStatus::Implementing {
            return Err(illegal(c, "complete"));
        }
        let mut next = c.clone();
        if outcome == Outcome::Successful {
            // Applying the delta is the change taking effect: not inside a freeze, but for
            // emergency changes (flagged); a completion after the window is flagged.
            if let Some(b) = self.freeze_at(c, at) {
                if !c.is_emergency() {
                    return Err(ChangeError::InFreeze {
                        change: c.reference(),
                        window: at.format("%Y-%m-%d %H:%M").to_string(),
                        freeze: b.name.clone(),
                    });
                }
                let flag = format!("emergency change completed inside freeze `{}`", b.name);
                if !next.flags.contains(&flag) {
                    next.flags.push(flag);
                }
                next.review_required = true;
            }
            if c.window.is_some_and(|w| at > w.end()) {
                next.flags.push(format!(
                    "completed after its window, at {}",
                    at.format("%Y-%m-%d %H:%M")
                ));
                next.review_required = true;
            }
        }
        // The record must have room for the entry before the CMDB is touched: a refusal after
        // the deployment would leave the CMDB changed and the change not.
        room_in_log(&next)?;
        let deployed = if outcome == Outcome::Successful {
            cmdb.apply_batch(c.request.delta.clone(), Some(c.id))
                .map_err(|error| ChangeError::Deployment {
                    change: c.reference(),
                    error: Box::new(error),
                })?
        } else {
            next.review_required = true;
            BatchOutcome::default()
        };
        next.status = ChangeStatus::Implemented(outcome);
        next.outcome = Some(outcome);
        next.implemented_at = Some(at);
        self.commit(idx, actor, at, format!("implemented: {outcome}"), next)?;
        Ok(deployed)
    }

    /// Records the post-implementation review.
    ///
    /// # Errors
    /// [`ChangeError::IllegalTransition`], [`ChangeError::Missing`] for empty notes.
    pub fn review(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<ChangeId>,
        notes: &str,
    ) -> Result<&Change, ChangeError> {
        self.transact(id, actor, at, |_, _, c, next| {
            if !matches!(c.status, ChangeStatus::Implemented(_)) {
                return Err(illegal(c, "review"));
            }
            if notes.trim().is_empty() {
                return Err(ChangeError::Missing {
                    change: c.reference(),
                    field: "notes",
                    why: "a review records what was found",
                });
            }
            next.status = ChangeStatus::Reviewed;
            next.review = Some(notes.to_owned());
            Ok("reviewed".into())
        })
    }

    /// Closes a reviewed or rejected change.
    ///
    /// # Errors
    /// [`ChangeError::IllegalTransition`].
    pub fn close(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<ChangeId>,
    ) -> Result<&Change, ChangeError> {
        self.transact(id, actor, at, |_, _, c, next| {
            if !matches!(c.status, ChangeStatus::Reviewed | ChangeStatus::Rejected) {
                return Err(illegal(c, "close"));
            }
            next.status = ChangeStatus::Closed;
            Ok("closed".into())
        })
    }

    /// Cancels an open change.
    ///
    /// # Errors
    /// [`ChangeError::IllegalTransition`], [`ChangeError::Missing`] for an empty reason.
    pub fn cancel(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        id: Id<ChangeId>,
        reason: &str,
    ) -> Result<&Change, ChangeError> {
        self.transact(id, actor, at, |_, _, c, next| {
            if !c.status.is_open() {
                return Err(illegal(c, "cancel"));
            }
            if reason.trim().is_empty() {
                return Err(ChangeError::Missing {
                    change: c.reference(),
                    field: "reason",
                    why: "a cancellation says why",
                });
            }
            next.status = ChangeStatus::Cancelled;
            Ok(format!("cancelled: {reason}"))
        })
    }
}
