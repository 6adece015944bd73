//! Continuity answers by key (see `continuity.rs` for the commands): business impact
//! analyses, inherited objectives, recovery plans, the recorded assessments and exercises, and
//! the continuity results of the management review (8.7.2).

use chrono::{DateTime, NaiveDate, Utc};
use itsm_availability::{ContinuityFinding, FindingBasis, Objective, RecoveryPlan, flow_down};
use itsm_cmdb::Ci;
use itsm_core::{Id, Period};
use itsm_risk::Reference;
use serde::{Deserialize, Serialize};

use crate::continuity::{Assessment, DisasterDef, ExerciseRecord, ImpactStepDef};
use crate::{EngineError, Sms};

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
