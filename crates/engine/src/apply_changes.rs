//! The change commands of `Sms::apply` (ISO/IEC 20000-1 8.5.1): the change lifecycle from
//! raising to closing, each under change management's authority, and what a change causes.

use chrono::{DateTime, Utc};
use itsm_change::NewChange;
use itsm_core::{Actor, Period};
use itsm_risk::{NewRisk, RiskSource, Score};

use crate::lookup::CHANGE_MANAGEMENT;
use crate::sms::{Effect, Sms};
use crate::{Command, EngineError};

impl Sms {
    /// Applies a change command (`raise_change` ... `cancel_change`) for `actor`.
    ///
    /// `Ok(false)` for a command of another register: each register's function names every
    /// other command, so a new command does not compile until it is placed.
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per command; each arm is short"
    )]
    pub(crate) fn change_command(
        &mut self,
        actor: &Actor,
        key: &str,
        at: DateTime<Utc>,
        command: &Command,
        effects: &mut Vec<Effect>,
    ) -> Result<bool, EngineError> {
        match command {
            Command::RaiseChange {
                key: change_key,
                title,
                category,
                nature,
                targets,
                implementer,
                delta,
                estimated_cost,
                factors,
                new_technology,
                objective_effects,
                not_doing,
            } => {
                if self.change_keys.contains_key(change_key) {
                    return Err(EngineError::Duplicate {
                        what: "change",
                        key: change_key.clone(),
                    });
                }
                let mut target_ids = Vec::with_capacity(targets.len());
                for t in targets {
                    target_ids.push(self.ci_of(t)?);
                }
                let mut new = NewChange::new(title.clone(), target_ids);
                if let Some(c) = category {
                    new.category = c.clone();
                }
                if let Some(n) = nature {
                    new.nature = *n;
                }
                new.implementer = implementer
                    .as_deref()
                    .map(|i| self.actor_or_err(i).map(|a| a.id))
                    .transpose()?;
                new.delta = self.delta_ops(change_key, delta)?;
                new.estimated_cost = *estimated_cost;
                new.factors = factors.clone();
                new.new_technology = *new_technology;
                new.objective_effects = objective_effects.clone();
                new.not_doing = not_doing.clone();
                let c = self.changes.raise(actor, at, &self.cmdb, new)?;
                let (id, reference) = (c.id, c.reference());
                self.change_keys.insert(change_key.clone(), id);
                self.names.change(id, change_key);
                effects.push(Effect::ChangeRaised {
                    key: change_key.clone(),
                    reference,
                });
            }
            Command::SubmitChange { change } => {
                self.require_change_party(actor, key, change, "submit", false)?;
                let id = self.change_key_id(change)?;
                self.changes.submit(actor, at, id)?;
            }
            Command::AssessChange { change } => {
                Self::require(actor, key, CHANGE_MANAGEMENT, "assess changes")?;
                let id = self.change_key_id(change)?;
                let assessed = self.changes.assess(actor, at, id, &self.cmdb)?.clone();
                // Cross-cutting rule: a change assessed at or above the escalation level raises
                // a linked risk. Its rating comes from the same matrix, so it cannot be refused.
                if let Some(a) = &assessed.assessment {
                    if self.risks.escalates(&a.rating) {
                        let mut new = NewRisk::new(
                            format!(
                                "{}: {} ({})",
                                assessed.reference(),
                                assessed.request.title,
                                a.rating.level
                            ),
                            "change",
                            self.change_risk_owner(actor, assessed.requester),
                        );
                        new.source = RiskSource::ChangeAssessment;
                        new.description = a.rating_reasons.join("; ");
                        new.links.changes.insert(assessed.id);
                        new.links
                            .cis
                            .extend(assessed.request.targets.iter().copied());
                        new.inherent = Some(Score::new(
                            a.rating.impact.clone(),
                            a.rating.likelihood.clone(),
                        ));
                        let reference = self.risks.identify(actor, at, new)?.reference;
                        effects.push(Effect::RiskRaisedFromChange {
                            change: change.clone(),
                            risk: reference,
                        });
                    }
                }
            }
            Command::ApproveChange { change } => {
                let id = self.change_key_id(change)?;
                self.changes.approve(actor, at, id)?;
            }
            Command::RejectChange { change, reason } => {
                let id = self.change_key_id(change)?;
                self.changes.reject(actor, at, id, reason)?;
            }
            Command::CompleteTransitionStage { change } => {
                Self::require(
                    actor,
                    key,
                    CHANGE_MANAGEMENT,
                    "advance service design and transition",
                )?;
                let id = self.change_key_id(change)?;
                self.changes.complete_stage(actor, at, id)?;
            }
            Command::ScheduleChange { change, start, end } => {
                Self::require(actor, key, CHANGE_MANAGEMENT, "schedule changes")?;
                let id = self.change_key_id(change)?;
                self.changes
                    .schedule(actor, at, id, Period::new(*start, *end)?, &self.cmdb)?;
            }
            Command::StartChange { change } => {
                self.require_change_party(actor, key, change, "start", true)?;
                let id = self.change_key_id(change)?;
                self.changes.start(actor, at, id, &self.cmdb)?;
            }
            Command::CompleteChange { change, outcome } => {
                self.require_change_party(actor, key, change, "complete", true)?;
                let id = self.change_key_id(change)?;
                if *outcome == itsm_change::Outcome::Successful {
                    if let Some(c) = self.changes.change(id) {
                        for op in &c.request.delta {
                            if let itsm_cmdb::CmdbOp::RemoveCi { id: ci, .. } = op {
                                self.no_open_outage(*ci)?;
                            }
                        }
                    }
                }
                let deployed = self
                    .changes
                    .complete(actor, at, id, *outcome, &mut self.cmdb)?;
                if *outcome == itsm_change::Outcome::Successful {
                    // What the batch did, each CI once: not the number of edits (two edits of
                    // one CI are one CI; a relation edit touches two).
                    let touched = deployed.touched.len() + deployed.removed.len();
                    effects.push(Effect::ConfigurationApplied {
                        change: change.clone(),
                        touched,
                    });
                }
            }
            Command::ReviewChange { change, notes } => {
                Self::require(actor, key, CHANGE_MANAGEMENT, "review changes")?;
                let id = self.change_key_id(change)?;
                self.changes.review(actor, at, id, notes)?;
            }
            Command::CloseChange { change } => {
                Self::require(actor, key, CHANGE_MANAGEMENT, "close changes")?;
                let id = self.change_key_id(change)?;
                self.changes.close(actor, at, id)?;
            }
            Command::CancelChange { change, reason } => {
                self.require_change_party(actor, key, change, "cancel", false)?;
                let id = self.change_key_id(change)?;
                self.changes.cancel(actor, at, id, reason)?;
            }

            Command::DefineOrganisation { .. }
            | Command::AddCi(_)
            | Command::UpdateCi { .. }
            | Command::RetireCi { .. }
            | Command::Relate { .. }
            | Command::AddRedundancyGroup { .. }
            | Command::RemoveRedundancyGroup { .. }
            | Command::RemoveCi { .. }
            | Command::ImportConfiguration { .. }
            | Command::TakeBaseline { .. }
            | Command::IdentifyRisk { .. }
            | Command::UpdateRisk { .. }
            | Command::AssessRisk { .. }
            | Command::TreatRisk { .. }
            | Command::AddRiskAction { .. }
            | Command::CompleteRiskAction { .. }
            | Command::AcceptRisk { .. }
            | Command::MaterializeRisk { .. }
            | Command::ReviewRisk { .. }
            | Command::CloseRisk { .. }
            | Command::ReopenRisk { .. }
            | Command::Unrelate { .. }
            | Command::SetAvailabilityTarget { .. }
            | Command::RecordOutage { .. }
            | Command::EndOutage { .. }
            | Command::SetBusinessImpact { .. }
            | Command::SetRecovery { .. }
            | Command::AssessContinuity { .. }
            | Command::RecordExercise { .. } => return Ok(false),
        }
        Ok(true)
    }
}
