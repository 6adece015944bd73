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

use chrono::{DateTime, NaiveDate, Utc};
use itsm_availability::{
    BusinessImpact, CiRecovery, ContinuityError, ContinuityFinding, Disaster, Exercise,
    ExerciseReview, FindingBasis, ImpactStep, MAX_DURATION_S, MeasuredRestore, Objective,
    RecoveryPlan, flow_down, plan_recovery, review_exercise,
};
use itsm_cmdb::Ci;
use itsm_core::{Actor, Id, Level, Period, Process, Role};
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
    analyses: BTreeMap<String, (DateTime<Utc>, BusinessImpact)>,
    /// Recovery details by CI key (the latest setting).
    recovery: BTreeMap<String, CiRecovery>,
    /// Assessments by key.
    assessments: BTreeMap<String, Assessment>,
    /// Exercises by key.
    exercises: BTreeMap<String, ExerciseRecord>,
    /// The risk raised for each gap, by the gap's identity (see the module docs).
    raised: BTreeMap<String, Reference>,
}

/// A recorded assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Assessment {
    at: DateTime<Utc>,
    disaster: DisasterDef,
    plan: RecoveryPlan,
    risks: Vec<Reference>,
    resolved: Vec<Reference>,
}

/// A recorded exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct ExerciseRecord {
    at: DateTime<Utc>,
    disaster: DisasterDef,
    exercise: Exercise,
    review: ExerciseReview,
    risks: Vec<Reference>,
}

/// A business impact analysis, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessImpactView {
    /// The service.
    pub service: String,
    /// When it was set.
    pub set_at: DateTime<Utc>,
    /// Impact steps.
    pub steps: Vec<ImpactStepDef>,
    /// Maximum tolerable period of disruption, seconds.
    pub mtpd_s: u64,
    /// Recovery time objective, seconds.
    pub rto_s: u64,
    /// Recovery point objective, seconds.
    pub rpo_s: u64,
}

/// The strictest objectives a CI inherits, each with the service that sets it (`null`: no
/// analysed service needs the CI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InheritedObjectivesView {
    /// The CI.
    pub ci: String,
    /// Recovery time objective, seconds.
    pub rto_s: Option<u64>,
    /// The service that sets it (the strictest of those that need the CI).
    pub rto_set_by: Option<String>,
    /// Recovery point objective, seconds.
    pub rpo_s: Option<u64>,
    /// The service that sets it.
    pub rpo_set_by: Option<String>,
}

/// One CI's place in a recovery plan, seconds from the disaster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepView {
    /// The CI.
    pub ci: String,
    /// Ready (what it needs is up).
    pub ready_s: u64,
    /// Its restoration starts.
    pub restore_start_s: u64,
    /// Its restoration ends.
    pub restore_end_s: u64,
    /// Up (a cycle's members come up together).
    pub up_s: u64,
    /// The team restoring it.
    pub team: Option<String>,
    /// The CI it waited for.
    pub waited_for: Option<String>,
}

/// A service's restore time against its objectives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreView {
    /// The service.
    pub service: String,
    /// Restored after, seconds.
    pub restored_s: u64,
    /// Its RTO (`null`: no analysis).
    pub rto_s: Option<u64>,
    /// Its MTPD.
    pub mtpd_s: Option<u64>,
    /// Restored within its RTO (`null`: no analysis).
    pub rto_met: Option<bool>,
    /// The impact level reached by then.
    pub impact: Option<String>,
}

/// A CI's backup interval against the RPO it inherits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupView {
    /// The CI.
    pub ci: String,
    /// Seconds between backups.
    pub backup_interval_s: u64,
    /// The RPO it inherits, seconds.
    pub rpo_s: u64,
    /// The service that sets it.
    pub set_by: String,
    /// Interval at most the RPO.
    pub met: bool,
}

/// A continuity gap, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingView {
    /// `recovery_plan` or `exercise`.
    pub basis: String,
    /// The service.
    pub service: String,
    /// `rto`, `rpo` or `mtpd`.
    pub objective: Objective,
    /// The objective, seconds.
    pub required_s: u64,
    /// What was achieved, seconds.
    pub achieved_s: u64,
    /// The CIs involved.
    pub cis: Vec<String>,
    /// The gap in words.
    pub text: String,
}

/// A recovery plan, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryPlanView {
    /// The CIs the disaster fails.
    pub failed: Vec<String>,
    /// Every CI down, in order of start.
    pub steps: Vec<StepView>,
    /// Cycles recovering together.
    pub cycles: Vec<Vec<String>>,
    /// Every service down.
    pub services: Vec<RestoreView>,
    /// Backups against inherited RPOs.
    pub backups: Vec<BackupView>,
    /// The gaps.
    pub findings: Vec<FindingView>,
    /// When the last CI is up, seconds from the disaster.
    pub completed_s: u64,
}

/// A recorded continuity assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContinuityAssessmentView {
    /// Its key.
    pub key: String,
    /// When it was run.
    pub at: DateTime<Utc>,
    /// The scenario.
    pub disaster: DisasterDef,
    /// The plan.
    pub plan: RecoveryPlanView,
    /// The continuity risk of each gap, new or already raised, in the order of the findings.
    pub risks: Vec<Reference>,
    /// Risks of gaps this assessment covers and no longer finds.
    pub resolved: Vec<Reference>,
}

/// A recorded continuity exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseView {
    /// Its key.
    pub key: String,
    /// Its name.
    pub name: String,
    /// The day it took place.
    pub date: NaiveDate,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// The scenario.
    pub scenario: DisasterDef,
    /// Notes.
    pub notes: String,
    /// Each measured service against its objectives.
    pub services: Vec<RestoreView>,
    /// The objectives missed.
    pub findings: Vec<FindingView>,
    /// The continuity risk of each finding, in order.
    pub risks: Vec<Reference>,
}

/// Continuity results for the management review (8.7.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContinuityReview {
    /// Assessments run in the period.
    pub assessments: Vec<ContinuityAssessmentView>,
    /// Exercises that took place in the period (by their date, at midnight UTC).
    pub exercises: Vec<ExerciseView>,
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
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The analyses of services the CMDB still holds as services.
    fn live_analyses(&self) -> Vec<BusinessImpact> {
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
    fn plan_of(&self, disaster: &DisasterDef) -> Result<RecoveryPlan, EngineError> {
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
            if let Some(r) = raised.get(&gap) {
                risks.push(*r);
                continue;
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

// ----- views -----

impl Sms {
    fn ci_keys(&self, ids: &[Id<Ci>]) -> Vec<String> {
        ids.iter().map(|i| self.key(*i)).collect()
    }

    fn finding_view(&self, f: &ContinuityFinding) -> FindingView {
        FindingView {
            basis: match f.basis {
                FindingBasis::RecoveryPlan => "recovery_plan".into(),
                FindingBasis::Exercise { .. } => "exercise".into(),
            },
            service: self.key(f.service),
            objective: f.objective,
            required_s: f.required_s,
            achieved_s: f.achieved_s,
            cis: self.ci_keys(&f.cis),
            text: f.describe(&self.cmdb),
        }
    }

    fn restore_view(&self, s: &itsm_availability::ServiceRestore) -> RestoreView {
        RestoreView {
            service: self.key(s.service),
            restored_s: s.restored_s,
            rto_s: s.rto_s,
            mtpd_s: s.mtpd_s,
            rto_met: s.rto_met(),
            impact: s.impact.as_ref().map(|l| l.name.clone()),
        }
    }

    fn plan_view(&self, p: &RecoveryPlan) -> RecoveryPlanView {
        RecoveryPlanView {
            failed: self.ci_keys(&p.failed),
            steps: p
                .steps
                .iter()
                .map(|s| StepView {
                    ci: self.key(s.ci),
                    ready_s: s.ready_s,
                    restore_start_s: s.start_s,
                    restore_end_s: s.end_s,
                    up_s: s.up_s,
                    team: s.team.clone(),
                    waited_for: s.waited_for.map(|w| self.key(w)),
                })
                .collect(),
            cycles: p.cycles.iter().map(|c| self.ci_keys(c)).collect(),
            services: p.services.iter().map(|s| self.restore_view(s)).collect(),
            backups: p
                .backups
                .iter()
                .map(|b| BackupView {
                    ci: self.key(b.ci),
                    backup_interval_s: b.backup_interval_s,
                    rpo_s: b.rpo.objective_s,
                    set_by: self.key(b.rpo.set_by),
                    met: b.met(),
                })
                .collect(),
            findings: p.findings.iter().map(|f| self.finding_view(f)).collect(),
            completed_s: p.completed_s,
        }
    }

    /// A service's business impact analysis, by key (`None` when it has none).
    pub(crate) fn business_impact_view(&self, service: &str) -> Option<BusinessImpactView> {
        self.continuity
            .analyses
            .get(service)
            .map(|(at, b)| BusinessImpactView {
                service: service.to_owned(),
                set_at: *at,
                steps: b
                    .impact
                    .iter()
                    .map(|s| ImpactStepDef {
                        after_s: s.after_s,
                        level: s.level.name.clone(),
                    })
                    .collect(),
                mtpd_s: b.mtpd_s,
                rto_s: b.rto_s,
                rpo_s: b.rpo_s,
            })
    }

    /// The strictest RTO and RPO `ci` inherits.
    pub(crate) fn inherited_view(&self, ci: &str) -> Result<InheritedObjectivesView, EngineError> {
        let id = self.ci_of(ci)?;
        let flow = flow_down(&self.cmdb, &self.live_analyses())?;
        let got = flow.get(id);
        let rto = got.and_then(|g| g.rto);
        let rpo = got.and_then(|g| g.rpo);
        Ok(InheritedObjectivesView {
            ci: ci.to_owned(),
            rto_s: rto.map(|i| i.objective_s),
            rto_set_by: rto.map(|i| self.key(i.set_by)),
            rpo_s: rpo.map(|i| i.objective_s),
            rpo_set_by: rpo.map(|i| self.key(i.set_by)),
        })
    }

    /// The recovery plan for `disaster`, computed now, not recorded.
    pub(crate) fn recovery_plan_view(
        &self,
        disaster: &DisasterDef,
    ) -> Result<RecoveryPlanView, EngineError> {
        Ok(self.plan_view(&self.plan_of(disaster)?))
    }

    fn continuity_assessment_view(&self, key: &str, a: &Assessment) -> ContinuityAssessmentView {
        ContinuityAssessmentView {
            key: key.to_owned(),
            at: a.at,
            disaster: a.disaster.clone(),
            plan: self.plan_view(&a.plan),
            risks: a.risks.clone(),
            resolved: a.resolved.clone(),
        }
    }

    fn exercise_view(&self, key: &str, e: &ExerciseRecord) -> ExerciseView {
        ExerciseView {
            key: key.to_owned(),
            name: e.exercise.name.clone(),
            date: e.exercise.date,
            at: e.at,
            scenario: e.disaster.clone(),
            notes: e.exercise.notes.clone(),
            services: e
                .review
                .services
                .iter()
                .map(|s| self.restore_view(s))
                .collect(),
            findings: e
                .review
                .findings
                .iter()
                .map(|f| self.finding_view(f))
                .collect(),
            risks: e.risks.clone(),
        }
    }

    /// Every recorded assessment, by key.
    pub(crate) fn assessment_views(&self) -> Vec<ContinuityAssessmentView> {
        self.continuity
            .assessments
            .iter()
            .map(|(k, a)| self.continuity_assessment_view(k, a))
            .collect()
    }

    /// Every recorded exercise, by key.
    pub(crate) fn exercise_views(&self) -> Vec<ExerciseView> {
        self.continuity
            .exercises
            .iter()
            .map(|(k, e)| self.exercise_view(k, e))
            .collect()
    }

    /// The assessments run and exercises held in `period`.
    pub(crate) fn continuity_review(&self, period: Period) -> ContinuityReview {
        ContinuityReview {
            assessments: self
                .continuity
                .assessments
                .iter()
                .filter(|(_, a)| period.contains(a.at))
                .map(|(k, a)| self.continuity_assessment_view(k, a))
                .collect(),
            exercises: self
                .continuity
                .exercises
                .iter()
                .filter(|(_, e)| {
                    e.exercise
                        .date
                        .and_hms_opt(0, 0, 0)
                        .is_some_and(|d| period.contains(d.and_utc()))
                })
                .map(|(k, e)| self.exercise_view(k, e))
                .collect(),
        }
    }
}

impl Sms {
    /// The 8.7.2 evidence records of `period`: each assessment and exercise, with its gaps.
    pub(crate) fn continuity_evidence(&self, period: Period) -> Vec<String> {
        let review = self.continuity_review(period);
        let gaps = |f: &[FindingView], risks: &[Reference]| {
            if f.is_empty() {
                "no gap".to_owned()
            } else {
                let refs: Vec<String> = risks.iter().map(|r| format!("`{r}`")).collect();
                format!("{} gap(s), risk(s) {}", f.len(), refs.join(", "))
            }
        };
        let mut out: Vec<String> = review
            .assessments
            .iter()
            .map(|a| {
                format!(
                    "continuity assessment `{}`: {} service(s) down, all CIs up after {} s; {}",
                    a.key,
                    a.plan.services.len(),
                    a.plan.completed_s,
                    gaps(&a.plan.findings, &a.risks)
                )
            })
            .collect();
        out.extend(review.exercises.iter().map(|e| {
            format!(
                "continuity exercise `{}` ({}) of {}: {} service(s) measured; {}",
                e.key,
                e.name,
                e.date,
                e.services.len(),
                gaps(&e.findings, &e.risks)
            )
        }));
        out
    }
}

impl crate::ManagementReview {
    /// The continuity section of the review's Markdown.
    pub(crate) fn continuity_markdown(&self, out: &mut String) {
        use std::fmt::Write as _;
        let c = &self.continuity;
        let _ = writeln!(
            out,
            "\n## Continuity results ({} assessment(s), {} exercise(s))\n",
            c.assessments.len(),
            c.exercises.len()
        );
        if c.assessments.is_empty() && c.exercises.is_empty() {
            out.push_str("No continuity assessment or exercise in the period.\n");
        }
        for a in &c.assessments {
            let _ = writeln!(
                out,
                "- assessment `{}`: all CIs up after {} s, {} gap(s)",
                a.key,
                a.plan.completed_s,
                a.plan.findings.len()
            );
            for f in &a.plan.findings {
                let _ = writeln!(out, "  - {}", f.text);
            }
        }
        for e in &c.exercises {
            let _ = writeln!(
                out,
                "- exercise `{}` ({}, {}): {} objective(s) missed",
                e.key,
                e.name,
                e.date,
                e.findings.len()
            );
            for f in &e.findings {
                let _ = writeln!(out, "  - {}", f.text);
            }
        }
    }
}
