//! `Sms::apply`: authority, change control, and the dispatch of each command to its register.

use chrono::{DateTime, Utc};
use itsm_change::NewChange;
use itsm_cmdb::{CiPatch, RedundancyGroup, Relation};
use itsm_core::{Id, Period, Process, Role};
use itsm_risk::{
    Assessment, NewAction, NewRisk, RegisterKind, RiskKind, RiskSource, Score, Treatment,
};

use crate::input::{check_strings, patched, score};
use crate::keys::existing_ci;
use crate::lookup::{CHANGE_MANAGEMENT, CONFIGURATION};
use crate::sms::{Effect, Event, Sms};
use crate::{Command, EngineError, TreatmentDef};

impl Sms {
    /// Applies `command` for the actor with key `actor` at time `at`. Validates first: on
    /// `Err` nothing changed and nothing was logged. On success the command is logged and the
    /// returned event carries what it caused.
    ///
    /// # Errors
    /// [`EngineError`]: an unknown actor or record, missing authority, a direct edit of a CI
    /// under change control, or the register's own refusal.
    pub fn apply(
        &mut self,
        actor: &str,
        at: DateTime<Utc>,
        command: Command,
    ) -> Result<Vec<Event>, EngineError> {
        itsm_core::bounds::check_instant("at", at)?;
        check_strings(&command)?;
        if let Some(last) = self.log.last() {
            if at < last.at {
                return Err(EngineError::TimeWentBack {
                    at: at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    last: last.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                });
            }
        }
        let escalations_before = self.risks.all_escalations().len();
        let mut effects = self.dispatch(actor, at, &command)?;
        // Accepted: the keys it names are how answers name its records.
        self.names.parties_of(&command);
        if matches!(command, Command::DefineOrganisation { .. }) {
            self.names.organisation(
                self.actors.iter().map(|(k, a)| (k, a.id)),
                self.divisions.iter().map(|(k, d)| (k, d.id)),
            );
        }
        // CIs came or went: the policy's keys may now name other ids (a CI removed and added
        // again, a change's delta): the one resolver maps them again.
        if matches!(
            command,
            Command::AddCi { .. } | Command::RemoveCi { .. } | Command::CompleteChange { .. }
        ) {
            self.resolve_policy_again();
        }
        effects.extend(
            self.risks
                .all_escalations()
                .iter()
                .skip(escalations_before)
                .cloned()
                .map(Effect::Escalated),
        );
        let mut event = Event {
            seq: u64::try_from(self.log.len() + 1).unwrap_or(u64::MAX),
            at,
            actor: actor.to_owned(),
            command,
            effects,
            prev: self.head(),
            hash: crate::Digest::GENESIS,
        };
        event.hash = crate::chain::digest(&event, self.key.as_ref());
        self.log.push(event.clone());
        Ok(vec![event])
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per command; each arm is short"
    )]
    fn dispatch(
        &mut self,
        key: &str,
        at: DateTime<Utc>,
        command: &Command,
    ) -> Result<Vec<Effect>, EngineError> {
        if let Command::DefineOrganisation { .. } = command {
            return self.define_organisation(key, command);
        }
        let actor = self.actor_or_err(key)?.clone();
        let mut effects = Vec::new();
        match command {
            Command::DefineOrganisation { .. } => {}
            Command::AddCi(def) => {
                Self::require(&actor, key, CONFIGURATION, "add configuration items")?;
                let ci = self.new_ci(def)?;
                self.outside_change_control(&ci, "add")?;
                self.cmdb.add_ci(ci)?;
            }
            Command::UpdateCi { ci, update } => {
                Self::require(&actor, key, CONFIGURATION, "update configuration items")?;
                let current = existing_ci(&self.cmdb, ci)?;
                self.outside_change_control(current, "update")?;
                // Moving a CI into change-control scope is a change too (the way out is
                // refused above: a controlled CI is not edited directly at all).
                let patch = self.ci_patch(update)?;
                let next = patched(current, &patch);
                if let Some(rule) = self.changes.policy().scope.controlling_rule(&next) {
                    return Err(EngineError::ScopeMove {
                        ci: ci.clone(),
                        direction: "into",
                        rule,
                    });
                }
                let id = current.id;
                self.cmdb.update_ci(id, patch)?;
            }
            Command::RetireCi { ci } => {
                Self::require(&actor, key, CONFIGURATION, "retire configuration items")?;
                let current = existing_ci(&self.cmdb, ci)?;
                self.outside_change_control(current, "retire")?;
                let id = current.id;
                self.cmdb.update_ci(
                    id,
                    CiPatch {
                        status: Some(itsm_cmdb::CiStatus::Retired),
                        ..CiPatch::default()
                    },
                )?;
            }
            Command::Relate { from, kind, to } | Command::Unrelate { from, kind, to } => {
                Self::require(&actor, key, CONFIGURATION, "relate configuration items")?;
                for end in [from, to] {
                    let ci = existing_ci(&self.cmdb, end)?;
                    self.outside_change_control(ci, "relate")?;
                }
                let r = Relation::new(self.ci_of(from)?, *kind, self.ci_of(to)?);
                if matches!(command, Command::Relate { .. }) {
                    self.cmdb.relate(r)?;
                } else {
                    self.cmdb.unrelate(r)?;
                }
            }
            Command::AddRedundancyGroup {
                name,
                dependent,
                members,
                min_up,
            } => {
                Self::require(&actor, key, CONFIGURATION, "define redundancy groups")?;
                let d = existing_ci(&self.cmdb, dependent)?;
                self.outside_change_control(d, "regroup")?;
                let dependent = d.id;
                let mut member_ids = Vec::with_capacity(members.len());
                for m in members {
                    member_ids.push(self.ci_of(m)?);
                }
                let group = RedundancyGroup::new(name.clone(), dependent, member_ids, *min_up);
                self.cmdb.add_group(group)?;
            }
            Command::RemoveRedundancyGroup { name } => {
                Self::require(&actor, key, CONFIGURATION, "remove redundancy groups")?;
                let id = Id::from_key(name);
                let group = self
                    .cmdb
                    .group(id)
                    .ok_or_else(|| EngineError::UnknownGroup { name: name.clone() })?;
                let dependent =
                    self.cmdb
                        .ci(group.dependent)
                        .ok_or(itsm_cmdb::CmdbError::UnknownCi {
                            id: group.dependent,
                        })?;
                self.outside_change_control(dependent, "regroup")?;
                self.cmdb.remove_group(id)?;
            }
            Command::RemoveCi { ci, cascade } => {
                Self::require(&actor, key, CONFIGURATION, "remove configuration items")?;
                let current = existing_ci(&self.cmdb, ci)?;
                self.outside_change_control(current, "remove")?;
                // A CI an open change targets stays until the change is closed or cancelled:
                // otherwise the change could no longer be assessed or deployed as approved.
                let id = current.id;
                if let Some(c) = self
                    .changes
                    .changes()
                    .iter()
                    .find(|c| c.status.is_open() && c.request.targets.contains(&id))
                {
                    let change = self
                        .names
                        .change_key(c.id)
                        .cloned()
                        .unwrap_or_else(|| c.reference());
                    return Err(EngineError::TargetOfOpenChange {
                        ci: ci.clone(),
                        change,
                    });
                }
                // Removing a CI also edits the CIs related to it: they must be outside change
                // control too.
                for r in self.cmdb.relations_of(id)? {
                    let other = if r.from == id { r.to } else { r.from };
                    if let Some(o) = self.cmdb.ci(other) {
                        self.outside_change_control(o, "relate")?;
                    }
                }
                let mode = if *cascade {
                    itsm_cmdb::Removal::Cascade
                } else {
                    itsm_cmdb::Removal::Refuse
                };
                self.cmdb.remove_ci(id, mode)?;
                // Records that named it (a closed change's targets, a risk's links) still
                // answer with its key.
                self.names.removed_ci(id, ci);
            }
            Command::ImportConfiguration { parts } => {
                Self::require(
                    &actor,
                    key,
                    &[Role::ProcessOwner(Process::ConfigurationManagement)],
                    "import configuration",
                )?;
                if !self.cmdb.is_empty() {
                    return Err(EngineError::ImportIntoNonEmpty {
                        cis: self.cmdb.len(),
                    });
                }
                let mut parts = (**parts).clone();
                parts.config = *self.cmdb.config();
                self.check_import_ids(&parts)?;
                let cmdb = itsm_cmdb::Cmdb::from_parts(parts).map_err(Box::new)?;
                // Imported CIs keep their ids: the policy's CI keys resolve again.
                let policy = Self::policy_from(&self.policy_def, &cmdb)?;
                let changes =
                    itsm_change::ChangeRegister::new(policy, self.changes.matrix().clone())?;
                if !self.changes.changes().is_empty() {
                    return Err(EngineError::OrganisationInUse {
                        reason: format!(
                            "{} change(s) recorded; import before raising changes",
                            self.changes.changes().len()
                        ),
                    });
                }
                self.cmdb = cmdb;
                self.changes = changes;
            }
            Command::TakeBaseline { name } => {
                let mut roles = CONFIGURATION.to_vec();
                roles.extend(CHANGE_MANAGEMENT);
                Self::require(&actor, key, &roles, "take baselines")?;
                if self.baselines.contains_key(name) {
                    return Err(EngineError::Duplicate {
                        what: "baseline",
                        key: name.clone(),
                    });
                }
                self.baselines
                    .insert(name.clone(), self.cmdb.baseline(name.clone(), at));
            }
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
                        &actor,
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
                        &actor,
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
                let reference = self.risks.identify(&actor, at, new)?.reference;
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
                self.require_risk_steward(&actor, key, risk, "update")?;
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
                self.risks.update(&actor, at, id, update)?;
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
                self.require_risk_steward(&actor, key, risk, "rate")?;
                let a = Assessment {
                    inherent: inherent.as_ref().map(score),
                    residual: residual.as_ref().map(score),
                    rationale: rationale.clone(),
                };
                self.risks.assess(&actor, at, id, a)?;
            }
            Command::TreatRisk { risk, treatment } => {
                self.require_risk_steward(&actor, key, risk, "treat")?;
                let t = match treatment {
                    TreatmentDef::Mitigate => Treatment::Mitigate,
                    TreatmentDef::Transfer { to, arrangement } => Treatment::Transfer {
                        to: Id::from_key(to),
                        arrangement: arrangement.clone(),
                    },
                    TreatmentDef::Avoid { how } => Treatment::Avoid { how: how.clone() },
                };
                let id = self.risk_id(risk)?;
                self.risks.plan_treatment(&actor, at, id, t)?;
            }
            Command::AddRiskAction {
                risk,
                description,
                owner,
                due,
            } => {
                self.require_risk_steward(&actor, key, risk, "add actions to")?;
                let owner = self.actor_or_err(owner)?.id;
                let id = self.risk_id(risk)?;
                self.risks.add_action(
                    &actor,
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
                    self.require_risk_steward(&actor, key, risk, "complete actions of")?;
                }
                self.risks.complete_action(&actor, at, id, *number)?;
            }
            Command::AcceptRisk {
                risk,
                until,
                rationale,
            } => {
                let id = self.risk_id(risk)?;
                self.risks.accept(&actor, at, id, *until, rationale)?;
            }
            Command::MaterializeRisk { risk, note } => {
                self.require_risk_steward(&actor, key, risk, "materialize")?;
                let id = self.risk_id(risk)?;
                self.risks.materialize(&actor, at, id, note)?;
            }
            Command::ReviewRisk { risk, notes } => {
                self.require_risk_steward(&actor, key, risk, "review")?;
                let id = self.risk_id(risk)?;
                self.risks.review(&actor, at, id, notes)?;
            }
            Command::CloseRisk { risk, note } => {
                let id = self.risk_id(risk)?;
                self.risks.close(&actor, at, id, note)?;
            }
            Command::ReopenRisk { risk, reason } => {
                self.require_risk_steward(&actor, key, risk, "reopen")?;
                let id = self.risk_id(risk)?;
                self.risks.reopen(&actor, at, id, reason)?;
            }
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
                let c = self.changes.raise(&actor, at, &self.cmdb, new)?;
                let (id, reference) = (c.id, c.reference());
                self.change_keys.insert(change_key.clone(), id);
                self.names.change(id, change_key);
                effects.push(Effect::ChangeRaised {
                    key: change_key.clone(),
                    reference,
                });
            }
            Command::SubmitChange { change } => {
                self.require_change_party(&actor, key, change, "submit", false)?;
                let id = self.change_key_id(change)?;
                self.changes.submit(&actor, at, id)?;
            }
            Command::AssessChange { change } => {
                Self::require(&actor, key, CHANGE_MANAGEMENT, "assess changes")?;
                let id = self.change_key_id(change)?;
                let assessed = self.changes.assess(&actor, at, id, &self.cmdb)?.clone();
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
                            self.change_risk_owner(&actor, assessed.requester),
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
                        let reference = self.risks.identify(&actor, at, new)?.reference;
                        effects.push(Effect::RiskRaisedFromChange {
                            change: change.clone(),
                            risk: reference,
                        });
                    }
                }
            }
            Command::ApproveChange { change } => {
                let id = self.change_key_id(change)?;
                self.changes.approve(&actor, at, id)?;
            }
            Command::RejectChange { change, reason } => {
                let id = self.change_key_id(change)?;
                self.changes.reject(&actor, at, id, reason)?;
            }
            Command::CompleteTransitionStage { change } => {
                Self::require(
                    &actor,
                    key,
                    CHANGE_MANAGEMENT,
                    "advance service design and transition",
                )?;
                let id = self.change_key_id(change)?;
                self.changes.complete_stage(&actor, at, id)?;
            }
            Command::ScheduleChange { change, start, end } => {
                Self::require(&actor, key, CHANGE_MANAGEMENT, "schedule changes")?;
                let id = self.change_key_id(change)?;
                self.changes
                    .schedule(&actor, at, id, Period::new(*start, *end)?, &self.cmdb)?;
            }
            Command::StartChange { change } => {
                self.require_change_party(&actor, key, change, "start", true)?;
                let id = self.change_key_id(change)?;
                self.changes.start(&actor, at, id, &self.cmdb)?;
            }
            Command::CompleteChange { change, outcome } => {
                self.require_change_party(&actor, key, change, "complete", true)?;
                let id = self.change_key_id(change)?;
                let deployed = self
                    .changes
                    .complete(&actor, at, id, *outcome, &mut self.cmdb)?;
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
                Self::require(&actor, key, CHANGE_MANAGEMENT, "review changes")?;
                let id = self.change_key_id(change)?;
                self.changes.review(&actor, at, id, notes)?;
            }
            Command::CloseChange { change } => {
                Self::require(&actor, key, CHANGE_MANAGEMENT, "close changes")?;
                let id = self.change_key_id(change)?;
                self.changes.close(&actor, at, id)?;
            }
            Command::CancelChange { change, reason } => {
                self.require_change_party(&actor, key, change, "cancel", false)?;
                let id = self.change_key_id(change)?;
                self.changes.cancel(&actor, at, id, reason)?;
            }
        }
        Ok(effects)
    }
}
