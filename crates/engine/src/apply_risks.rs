//! The risk commands of `Sms::apply` (ISO/IEC 20000-1 6.1, 8.7.2, 8.7.3): the risk register
//! operations, each under the authority of the risk's steward and the appetite's ladder.

use chrono::{DateTime, Utc};
use itsm_core::{Actor, Id, Role};
use itsm_risk::{Assessment, NewAction, NewRisk, RegisterKind, RiskKind, RiskSource, Treatment};

use crate::input::score;
use crate::keys::existing_ci;
use crate::sms::{Effect, Sms};
use crate::{Command, EngineError, TreatmentDef};

impl Sms {
    /// Applies a risk command (`identify_risk` ... `reopen_risk`) for `actor`.
    ///
    /// `Ok(false)` for a command of another register: each register's function names every
    /// other command, so a new command does not compile until it is placed.
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per command; each arm is short"
    )]
    pub(crate) fn risk_command(
        &mut self,
        actor: &Actor,
        key: &str,
        at: DateTime<Utc>,
        command: &Command,
        effects: &mut Vec<Effect>,
    ) -> Result<bool, EngineError> {
        match command {
            Command::IdentifyRisk {
                key: risk_key,
                title,
                category,
                owner,
                description,
                kind,
                pillars,
                register,
                division,
                links,
                source,
                inherent,
                target_date,
                review_interval_days,
            } => {
                if self.risk_keys.contains_key(risk_key) {
                    return Err(EngineError::Duplicate {
                        what: "risk",
                        key: risk_key.clone(),
                    });
                }
                if risk_key.parse::<itsm_risk::Reference>().is_ok() {
                    return Err(EngineError::ReservedKey {
                        key: risk_key.clone(),
                        why: "`R-n` names the register's references, which every risk answers to",
                    });
                }
                let owner_actor = self.owner_or_err(owner)?;
                let owner = owner_actor.id;
                // Rating a new risk, or filing it under the corporate register or the
                // change-assessment source, is for its owner or a risk manager (the engine
                // files change-assessment risks itself).
                let privileged = inherent.is_some()
                    || register.as_deref() == Some("corporate")
                    || matches!(source, Some(RiskSource::ChangeAssessment));
                if privileged && actor.id != owner {
                    Self::require(
                        actor,
                        key,
                        &[Role::RiskManager],
                        "rate a new risk, or file it under the corporate register or the change-assessment source (it is not the owner)",
                    )?;
                }
                let mut new = NewRisk::new(title.clone(), category.clone(), owner);
                new.description.clone_from(description);
                new.kind = kind.unwrap_or(RiskKind::Threat);
                new.register = if pillars.is_empty() {
                    match register.as_deref() {
                        None | Some("sms") => RegisterKind::Sms,
                        Some("continuity") => RegisterKind::Continuity,
                        Some("corporate") => RegisterKind::Corporate,
                        Some(other) => RegisterKind::Named(other.to_owned()),
                    }
                } else {
                    RegisterKind::InformationSecurity(pillars.clone())
                };
                new.division = division
                    .as_deref()
                    .map(|d| self.division_id(d))
                    .transpose()?;
                // The division decides whose appetite applies: an actor files risks under their
                // own division; a risk manager (or top management) under any.
                if new.division.is_some() && new.division != actor.division {
                    Self::require(
                        actor,
                        key,
                        &[Role::RiskManager],
                        "file a risk under another division than its own",
                    )?;
                }
                for k in &links.cis {
                    let id = existing_ci(&self.cmdb, k)
                        .map_err(|_| EngineError::UnknownLink {
                            what: "CI",
                            key: crate::excerpt(k),
                        })?
                        .id;
                    new.links.cis.insert(id);
                }
                for k in &links.suppliers {
                    let id = Id::from_key(k);
                    if !self.supplier_known(id) {
                        return Err(EngineError::UnknownLink {
                            what: "supplier",
                            key: crate::excerpt(k),
                        });
                    }
                    new.links.suppliers.insert(id);
                }
                for c in &links.changes {
                    let id = self
                        .change_key_id(c)
                        .map_err(|_| EngineError::UnknownLink {
                            what: "change",
                            key: crate::excerpt(c),
                        })?;
                    new.links.changes.insert(id);
                }
                new.source = source.unwrap_or(RiskSource::Manual);
                new.inherent = inherent.as_ref().map(score);
                new.target_date = *target_date;
                new.review_interval_days = *review_interval_days;
                let reference = self.risks.identify(actor, at, new)?.reference;
                self.risk_keys.insert(risk_key.clone(), reference);
                self.names.risk(reference, risk_key);
                effects.push(Effect::RiskIdentified {
                    key: risk_key.clone(),
                    reference,
                });
            }
            Command::UpdateRisk {
                risk,
                title,
                description,
                category,
                owner,
                target_date,
                review_interval_days,
            } => {
                self.require_risk_steward(actor, key, risk, "update")?;
                let id = self.risk_id(risk)?;
                let owner = owner
                    .as_deref()
                    .map(|o| self.owner_or_err(o).map(|a| a.id))
                    .transpose()?;
                let update = itsm_risk::RiskUpdate {
                    title: title.clone(),
                    description: description.clone(),
                    category: category.clone(),
                    owner,
                    target_date: target_date.map(Some),
                    review_interval_days: review_interval_days.map(Some),
                    ..itsm_risk::RiskUpdate::default()
                };
                self.risks.update(actor, at, id, update)?;
            }
            Command::AssessRisk {
                risk,
                inherent,
                residual,
                rationale,
            } => {
                let id = self.risk_id(risk)?;
                // Rating a risk (a first residual included) is for its owner or a risk manager;
                // re-scoring or lowering also needs the ladder's rung (checked by the register).
                self.require_risk_steward(actor, key, risk, "rate")?;
                let a = Assessment {
                    inherent: inherent.as_ref().map(score),
                    residual: residual.as_ref().map(score),
                    rationale: rationale.clone(),
                };
                self.risks.assess(actor, at, id, a)?;
            }
            Command::TreatRisk { risk, treatment } => {
                self.require_risk_steward(actor, key, risk, "treat")?;
                let t = match treatment {
                    TreatmentDef::Mitigate => Treatment::Mitigate,
                    TreatmentDef::Transfer { to, arrangement } => Treatment::Transfer {
                        to: Id::from_key(to),
                        arrangement: arrangement.clone(),
                    },
                    TreatmentDef::Avoid { how } => Treatment::Avoid { how: how.clone() },
                };
                let id = self.risk_id(risk)?;
                self.risks.plan_treatment(actor, at, id, t)?;
            }
            Command::AddRiskAction {
                risk,
                description,
                owner,
                due,
            } => {
                self.require_risk_steward(actor, key, risk, "add actions to")?;
                let owner = self.actor_or_err(owner)?.id;
                let id = self.risk_id(risk)?;
                self.risks.add_action(
                    actor,
                    at,
                    id,
                    NewAction {
                        description: description.clone(),
                        owner: Some(owner),
                        due: *due,
                    },
                )?;
            }
            Command::CompleteRiskAction { risk, number } => {
                let id = self.risk_id(risk)?;
                let owns_action = self
                    .risks
                    .risk(id)
                    .and_then(|r| r.actions.iter().find(|a| a.number == *number))
                    .is_some_and(|a| a.owner == actor.id);
                if !owns_action {
                    self.require_risk_steward(actor, key, risk, "complete actions of")?;
                }
                self.risks.complete_action(actor, at, id, *number)?;
            }
            Command::AcceptRisk {
                risk,
                until,
                rationale,
            } => {
                let id = self.risk_id(risk)?;
                self.risks.accept(actor, at, id, *until, rationale)?;
            }
            Command::MaterializeRisk { risk, note } => {
                self.require_risk_steward(actor, key, risk, "materialize")?;
                let id = self.risk_id(risk)?;
                self.risks.materialize(actor, at, id, note)?;
            }
            Command::ReviewRisk { risk, notes } => {
                self.require_risk_steward(actor, key, risk, "review")?;
                let id = self.risk_id(risk)?;
                self.risks.review(actor, at, id, notes)?;
            }
            Command::CloseRisk { risk, note } => {
                let id = self.risk_id(risk)?;
                self.risks.close(actor, at, id, note)?;
            }
            Command::ReopenRisk { risk, reason } => {
                self.require_risk_steward(actor, key, risk, "reopen")?;
                let id = self.risk_id(risk)?;
                self.risks.reopen(actor, at, id, reason)?;
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
            | Command::RaiseChange { .. }
            | Command::SubmitChange { .. }
            | Command::AssessChange { .. }
            | Command::ApproveChange { .. }
            | Command::RejectChange { .. }
            | Command::CompleteTransitionStage { .. }
            | Command::ScheduleChange { .. }
            | Command::StartChange { .. }
            | Command::CompleteChange { .. }
            | Command::ReviewChange { .. }
            | Command::CloseChange { .. }
            | Command::CancelChange { .. }
            | Command::SetAvailabilityTarget { .. }
            | Command::RecordOutage { .. }
            | Command::EndOutage { .. }
            | Command::SetBusinessImpact { .. }
            | Command::SetRecovery { .. }
            | Command::AssessContinuity { .. }
            | Command::RecordExercise { .. }
            | Command::Unrelate { .. } => return Ok(false),
        }
        Ok(true)
    }
}
