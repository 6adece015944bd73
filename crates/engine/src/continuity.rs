//! Service continuity in the engine (ISO/IEC 20000-1 8.7.2; TR 20000-17 5.7): business impact
//! analyses and per-CI recovery details as commands, continuity assessments and exercises
//! recorded with the gaps they show, each gap raised once as a continuity risk.
//!
//! **Units.** Every duration is a whole number of seconds (fields ending in `_s`).
//!
//! **Impact levels** of a business impact analysis are levels of the organisation's risk
//! matrix impact scale, named as the matrix names them (`"Minor"`, `"Major"` ... on the
//! standard 5x5); an unknown name is refused with the scale's levels listed.
//!
//! **Recovery teams** are free keys (`"dba"`, `"infra"`): a team restores one CI at a time;
//! CIs that name no team are not limited.
//!
//! **Who may do what.** The owner of service continuity management (and top management) sets
//! business impact analyses, runs assessments and records exercises; recovery details are also
//! set by the owner of configuration management.
//!
//! **Risks, once.** Each gap (an objective a plan or an exercise shows missed) is raised into
//! the `continuity` register (source `business_impact_analysis` for an assessment,
//! `continuity_exercise` for an exercise), linked to the service and the CIs involved, owned as
//! change-raised risks are (see `change_risk_owner`). A gap is known by its source, its service,
//! its objective and, for a recovery point gap, the CI whose backups are too far apart: a
//! later assessment or exercise showing the same gap names the existing risk instead of
//! raising another. An assessment that covers a gap's service (or, for a recovery point gap,
//! its CI) and no longer finds the gap records that risk under `resolved`: the risk itself is
//! left to its owner to review and close.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use itsm_availability::{
    BusinessImpact, CiRecovery, ContinuityError, ContinuityFinding, Disaster, Exercise,
    ExerciseReview, ImpactStep, MAX_DURATION_S, MeasuredRestore, Objective, RecoveryPlan,
    plan_recovery, review_exercise,
};
use itsm_core::{Actor, Level, Process, Role};
use itsm_risk::{NewRisk, Reference, RegisterKind, RiskSource};
use serde::{Deserialize, Serialize};

use crate::sms::{Effect, Sms};
use crate::{Command, EngineError};

/// Who sets analyses, runs assessments and records exercises.
const CONTINUITY: &[Role] = &[Role::ProcessOwner(Process::ServiceContinuityManagement)];
/// Who sets recovery details.
const RECOVERY: &[Role] = &[
    Role::ProcessOwner(Process::ServiceContinuityManagement),
    Role::ProcessOwner(Process::ConfigurationManagement),
];

/// One step of a business impact analysis as `set_business_impact` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an impact step with `after_s` and `level`"
)]
pub struct ImpactStepDef {
    /// Seconds into an outage.
    pub after_s: u64,
    /// A level of the risk matrix impact scale, by name.
    pub level: String,
}

/// A disaster scenario, CIs named by key: `{"cis": [keys]}` or `{"facility": key}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "snake_case",
    deny_unknown_fields,
    expecting = "a disaster: `{\"cis\": [keys]}` or `{\"facility\": key}`"
)]
pub enum DisasterDef {
    /// These CIs fail at once.
    Cis(Vec<String>),
    /// This facility fails, and everything that needs it.
    Facility(String),
}

/// A measured restore time of an exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a measurement with `service` and `restore_s`"
)]
pub struct MeasuredDef {
    /// The service.
    pub service: String,
    /// Seconds from the start of the exercise until it was restored.
    pub restore_s: u64,
}

/// The continuity records of the engine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct ContinuityRecords {
    /// Business impact analyses by service key (the latest setting).
    pub(crate) analyses: BTreeMap<String, (DateTime<Utc>, BusinessImpact)>,
    /// Recovery details by CI key (the latest setting).
    pub(crate) recovery: BTreeMap<String, CiRecovery>,
    /// Assessments by key.
    pub(crate) assessments: BTreeMap<String, Assessment>,
    /// Exercises by key.
    pub(crate) exercises: BTreeMap<String, ExerciseRecord>,
    /// The risk raised for each gap, by the gap's identity (see the module docs).
    pub(crate) raised: BTreeMap<String, Reference>,
}

/// A recorded assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Assessment {
    pub(crate) at: DateTime<Utc>,
    pub(crate) disaster: DisasterDef,
    pub(crate) plan: RecoveryPlan,
    pub(crate) risks: Vec<Reference>,
    pub(crate) resolved: Vec<Reference>,
}

/// A recorded exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ExerciseRecord {
    pub(crate) at: DateTime<Utc>,
    pub(crate) disaster: DisasterDef,
    pub(crate) exercise: Exercise,
    pub(crate) review: ExerciseReview,
    pub(crate) risks: Vec<Reference>,
}

fn source_words(source: &RiskSource) -> &'static str {
    if *source == RiskSource::ContinuityExercise {
        "continuity_exercise"
    } else {
        "business_impact_analysis"
    }
}

impl Sms {
    /// The continuity commands; `Ok(false)` for the others.
    pub(crate) fn continuity_command(
        &mut self,
        actor: &Actor,
        key: &str,
        at: DateTime<Utc>,
        command: &Command,
        effects: &mut Vec<Effect>,
    ) -> Result<bool, EngineError> {
        match command {
            Command::SetBusinessImpact {
                service,
                steps,
                mtpd_s,
                rto_s,
                rpo_s,
            } => {
                Self::require(actor, key, CONTINUITY, "set business impact analyses")?;
                let id = self.ci_of(service)?;
                let scale = self.risks.matrix().impact();
                let mut bia = BusinessImpact::new(id, *mtpd_s, *rto_s, *rpo_s);
                for s in steps {
                    let level = scale
                        .level(&s.level)
                        .cloned()
                        .unwrap_or_else(|| Level::new(s.level.clone(), 0));
                    bia.impact.push(ImpactStep {
                        after_s: s.after_s,
                        level,
                    });
                }
                bia.validate(&self.cmdb)?;
                bia.check_levels(scale, &self.cmdb)?;
                self.continuity.analyses.insert(service.clone(), (at, bia));
            }
            Command::SetRecovery {
                ci,
                duration_s,
                team,
                backup_interval_s,
            } => {
                Self::require(actor, key, RECOVERY, "set recovery details")?;
                let id = self.ci_of(ci)?;
                let invalid =
                    |field: &'static str, reason: String| ContinuityError::InvalidRecovery {
                        ci: ci.clone(),
                        field,
                        reason,
                    };
                for (field, v) in [
                    ("duration_s", *duration_s),
                    ("backup_interval_s", *backup_interval_s),
                ] {
                    if let Some(v) = v.filter(|v| *v > MAX_DURATION_S) {
                        return Err(invalid(
                            field,
                            format!("({v} s) is longer than the longest duration taken, {MAX_DURATION_S} s (3650 days)"),
                        )
                        .into());
                    }
                }
                if let Some(t) = team {
                    itsm_core::text::check_key("team", t)
                        .map_err(|e| invalid("team", e.to_string()))?;
                }
                self.continuity.recovery.insert(
                    ci.clone(),
                    CiRecovery {
                        ci: id,
                        duration_s: duration_s.unwrap_or(0),
                        team: team.clone(),
                        backup_interval_s: *backup_interval_s,
                    },
                );
            }
            Command::AssessContinuity {
                key: record,
                disaster,
            } => {
                Self::require(actor, key, CONTINUITY, "assess continuity")?;
                itsm_core::text::check_key("assessment key", record)?;
                if self.continuity.assessments.contains_key(record) {
                    return Err(EngineError::Duplicate {
                        what: "continuity assessment",
                        key: record.clone(),
                    });
                }
                let plan = self.plan_of(disaster)?;
                let (risks, new) = self.raise_gaps(
                    actor,
                    at,
                    record,
                    &plan.findings,
                    RiskSource::BusinessImpactAnalysis,
                )?;
                let resolved = self.resolved_by(&plan);
                effects.extend(new);
                self.continuity.assessments.insert(
                    record.clone(),
                    Assessment {
                        at,
                        disaster: disaster.clone(),
                        plan,
                        risks,
                        resolved,
                    },
                );
            }
            Command::RecordExercise {
                key: record,
                name,
                date,
                scenario,
                measured,
                notes,
            } => {
                Self::require(actor, key, CONTINUITY, "record continuity exercises")?;
                itsm_core::text::check_key("exercise key", record)?;
                if self.continuity.exercises.contains_key(record) {
                    return Err(EngineError::Duplicate {
                        what: "continuity exercise",
                        key: record.clone(),
                    });
                }
                let exercise = Exercise {
                    name: name.clone(),
                    date: *date,
                    scenario: self.disaster_of(scenario)?,
                    measured: measured
                        .iter()
                        .map(|m| {
                            Ok(MeasuredRestore {
                                service: self.ci_of(&m.service)?,
                                restored_s: m.restore_s,
                            })
                        })
                        .collect::<Result<_, EngineError>>()?,
                    notes: notes.clone(),
                };
                let review = review_exercise(&self.cmdb, &self.live_analyses(), &exercise)?;
                let (risks, new) = self.raise_gaps(
                    actor,
                    at,
                    record,
                    &review.findings,
                    RiskSource::ContinuityExercise,
                )?;
                effects.extend(new);
                self.continuity.exercises.insert(
                    record.clone(),
                    ExerciseRecord {
                        at,
                        disaster: scenario.clone(),
                        exercise,
                        review,
                        risks,
                    },
                );
            }
            Command::DefineOrganisation { .. }
            | Command::AddCi { .. }
            | Command::UpdateCi { .. }
            | Command::RetireCi { .. }
            | Command::Relate { .. }
            | Command::Unrelate { .. }
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
            | Command::EndOutage { .. } => return Ok(false),
        }
        Ok(true)
    }

    /// The analyses of services the CMDB still holds as services.
    pub(crate) fn live_analyses(&self) -> Vec<BusinessImpact> {
        self.continuity
            .analyses
            .values()
            .filter(|(_, b)| self.cmdb.ci(b.service).is_some_and(|c| c.kind.is_service()))
            .map(|(_, b)| b.clone())
            .collect()
    }

    /// The recovery details of CIs the CMDB still holds.
    fn live_recovery(&self) -> Vec<CiRecovery> {
        self.continuity
            .recovery
            .values()
            .filter(|r| self.cmdb.ci(r.ci).is_some())
            .cloned()
            .collect()
    }

    fn disaster_of(&self, d: &DisasterDef) -> Result<Disaster, EngineError> {
        Ok(match d {
            DisasterDef::Cis(keys) => Disaster::Cis(
                keys.iter()
                    .map(|k| self.ci_of(k))
                    .collect::<Result<_, _>>()?,
            ),
            DisasterDef::Facility(k) => Disaster::Facility(self.ci_of(k)?),
        })
    }

    /// The recovery plan for `disaster` with the analyses and recovery details in force.
    pub(crate) fn plan_of(&self, disaster: &DisasterDef) -> Result<RecoveryPlan, EngineError> {
        let d = self.disaster_of(disaster)?;
        Ok(plan_recovery(
            &self.cmdb,
            &self.live_analyses(),
            &d,
            &self.live_recovery(),
        )?)
    }

    /// A gap's identity: source, service, objective and, for an RPO gap, the CI.
    fn gap_key(&self, source: &RiskSource, f: &ContinuityFinding) -> String {
        let mut k = format!(
            "{}/{}/{}",
            source_words(source),
            self.key(f.service),
            f.objective.words()
        );
        if f.objective == Objective::Rpo {
            if let Some(c) = f.cis.first() {
                k.push('/');
                k.push_str(&self.key(*c));
            }
        }
        k
    }

    /// Raises each gap not raised before as a continuity risk, on a copy of the register swapped
    /// in only when every one was accepted. Returns the risk of each finding and the effects.
    fn raise_gaps(
        &mut self,
        actor: &Actor,
        at: DateTime<Utc>,
        record: &str,
        findings: &[ContinuityFinding],
        source: RiskSource,
    ) -> Result<(Vec<Reference>, Vec<Effect>), EngineError> {
        let mut register = self.risks.clone();
        let mut raised = self.continuity.raised.clone();
        let (mut risks, mut effects) = (Vec::new(), Vec::new());
        for f in findings {
            let gap = self.gap_key(&source, f);
            // A gap whose risk is still open names that risk; one whose risk was closed has
            // come back, and is raised again as a new risk.
            if let Some(r) = raised.get(&gap) {
                let open = register
                    .risk_by_reference(*r)
                    .is_some_and(|risk| risk.status != itsm_risk::RiskStatus::Closed);
                if open {
                    risks.push(*r);
                    continue;
                }
            }
            let service = self.key(f.service);
            let mut new = NewRisk::new(
                format!(
                    "Continuity gap: `{service}` misses its {} ({} s required, {} s achieved)",
                    f.objective.words(),
                    f.required_s,
                    f.achieved_s
                ),
                "continuity",
                self.change_risk_owner(actor, actor.id),
            );
            new.register = RegisterKind::Continuity;
            new.source = source;
            new.description = f.describe(&self.cmdb);
            new.links.cis.insert(f.service);
            new.links.cis.extend(f.cis.iter().copied());
            let reference = register.identify(actor, at, new)?.reference;
            raised.insert(gap, reference);
            risks.push(reference);
            effects.push(Effect::ContinuityRiskRaised {
                record: record.to_owned(),
                risk: reference,
            });
        }
        self.risks = register;
        self.continuity.raised = raised;
        Ok((risks, effects))
    }

    /// The assessment risks whose gap `plan` covers and no longer finds.
    fn resolved_by(&self, plan: &RecoveryPlan) -> Vec<Reference> {
        let source = RiskSource::BusinessImpactAnalysis;
        let found: std::collections::BTreeSet<String> = plan
            .findings
            .iter()
            .map(|f| self.gap_key(&source, f))
            .collect();
        let prefix = format!("{}/", source_words(&source));
        let mut covered = std::collections::BTreeSet::new();
        for s in &plan.services {
            let k = self.key(s.service);
            for o in [Objective::Rto, Objective::Mtpd] {
                covered.insert(format!("{prefix}{k}/{}", o.words()));
            }
        }
        for b in &plan.backups {
            covered.insert(format!(
                "{prefix}{}/{}/{}",
                self.key(b.rpo.set_by),
                Objective::Rpo.words(),
                self.key(b.ci)
            ));
        }
        self.continuity
            .raised
            .iter()
            .filter(|(k, _)| covered.contains(*k) && !found.contains(*k))
            .map(|(_, r)| *r)
            .collect()
    }
}
