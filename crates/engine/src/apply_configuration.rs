//! The configuration commands of `Sms::apply` (ISO/IEC 20000-1 8.2.6): CIs, relations,
//! redundancy groups, imports and baselines, each under its authority and change control.

use chrono::{DateTime, Utc};
use itsm_cmdb::{CiPatch, RedundancyGroup, Relation};
use itsm_core::{Actor, Id, Process, Role};

use crate::input::patched;
use crate::keys::existing_ci;
use crate::lookup::{CHANGE_MANAGEMENT, CONFIGURATION};
use crate::sms::{Effect, Sms};
use crate::{Command, EngineError};

impl Sms {
    /// Applies a configuration command (`add_ci` ... `take_baseline`) for `actor`.
    ///
    /// `Ok(false)` for a command of another register: each register's function names every
    /// other command, so a new command does not compile until it is placed.
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per command; each arm is short"
    )]
    pub(crate) fn configuration_command(
        &mut self,
        actor: &Actor,
        key: &str,
        at: DateTime<Utc>,
        command: &Command,
        _effects: &mut Vec<Effect>,
    ) -> Result<bool, EngineError> {
        match command {
            Command::AddCi(def) => {
                Self::require(actor, key, CONFIGURATION, "add configuration items")?;
                let ci = self.new_ci(def)?;
                self.outside_change_control(&ci, "add")?;
                self.cmdb.add_ci(ci)?;
            }
            Command::UpdateCi { ci, update } => {
                Self::require(actor, key, CONFIGURATION, "update configuration items")?;
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
                Self::require(actor, key, CONFIGURATION, "retire configuration items")?;
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
                Self::require(actor, key, CONFIGURATION, "relate configuration items")?;
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
                Self::require(actor, key, CONFIGURATION, "define redundancy groups")?;
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
                Self::require(actor, key, CONFIGURATION, "remove redundancy groups")?;
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
                Self::require(actor, key, CONFIGURATION, "remove configuration items")?;
                let current = existing_ci(&self.cmdb, ci)?;
                self.outside_change_control(current, "remove")?;
                self.no_open_outage(current.id)?;
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
                    actor,
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
                Self::require(actor, key, &roles, "take baselines")?;
                if self.baselines.contains_key(name) {
                    return Err(EngineError::Duplicate {
                        what: "baseline",
                        key: name.clone(),
                    });
                }
                self.baselines
                    .insert(name.clone(), self.cmdb.baseline(name.clone(), at));
            }
            Command::DefineOrganisation { .. }
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
            | Command::RecordExercise { .. } => return Ok(false),
        }
        Ok(true)
    }
}
