//! Queries: typed read access as serde data (`"query"` names the question), for bindings and
//! scenarios. The typed accessors of [`Sms`] and of each register remain the way for Rust
//! programs.

use chrono::{DateTime, Utc};
use itsm_cmdb::{Ci, ImpactState};
use itsm_core::{Id, Period};
use itsm_risk::Escalation;
use serde::{Deserialize, Serialize};

use itsm_availability::{Conventions, MeasurePeriod};

use crate::availability::{AvailabilityView, DowntimeLeftView, OutageView};
use crate::view::{
    ChangeMetricsView, ChangeView, CiView, ConflictView, ManagementReviewView, RiskReportView,
    RiskView, UnauthorizedView,
};
use crate::{EngineError, Sms};

/// A question to the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "query",
    rename_all = "snake_case",
    deny_unknown_fields,
    expecting = "a query: an object with `query` and its fields"
)]
pub enum Query {
    /// A CI by key.
    Ci {
        /// The key.
        ci: String,
    },
    /// What goes down or degrades when these CIs fail.
    Impact {
        /// Keys of the failed CIs.
        failed: Vec<String>,
    },
    /// Everything a CI needs.
    DependenciesOf {
        /// The CI.
        ci: String,
    },
    /// The single points of failure of a CI (a service, typically).
    SinglePointsOfFailure {
        /// The CI.
        ci: String,
    },
    /// The services that need a CI.
    ServicesUsing {
        /// The CI.
        ci: String,
    },
    /// A risk by key.
    Risk {
        /// The key.
        risk: String,
    },
    /// Escalations at or after a time.
    Escalations {
        /// Since.
        since: DateTime<Utc>,
    },
    /// The risk report for a period.
    RiskReport {
        /// Start.
        start: DateTime<Utc>,
        /// End.
        end: DateTime<Utc>,
    },
    /// A change by key.
    Change {
        /// The key.
        change: String,
    },
    /// Conflicts on the forward schedule (overlaps grouped: one entry per shared thing and
    /// stretch of overlapping windows). An empty struct variant, not a unit one: serde lets
    /// a unit variant of an internally tagged enum ignore unknown fields.
    Conflicts {},
    /// Change metrics for a period; unauthorized changes are counted between the two named
    /// baselines when both are given (`unauthorized` is `null`, not checked, otherwise).
    ChangeMetrics {
        /// Start.
        start: DateTime<Utc>,
        /// End.
        end: DateTime<Utc>,
        /// Older baseline for the unauthorized-change count.
        #[serde(default)]
        from_baseline: Option<String>,
        /// Newer baseline for it.
        #[serde(default)]
        to_baseline: Option<String>,
    },
    /// Differences between two baselines that no change explains.
    UnauthorizedChanges {
        /// The older baseline.
        from: String,
        /// The newer baseline.
        to: String,
    },
    /// The management review for a period.
    ManagementReview {
        /// Start.
        start: DateTime<Utc>,
        /// End.
        end: DateTime<Utc>,
        /// Older baseline for the unauthorized-change check.
        #[serde(default)]
        from_baseline: Option<String>,
        /// Newer baseline for it.
        #[serde(default)]
        to_baseline: Option<String>,
    },
    /// How many commands the log holds (an empty struct variant, as [`Query::Conflicts`]).
    LogLength {},
    /// A service's measured availability over a period, within its agreed service hours,
    /// against the strictest target in force in the period (see [`crate::AvailabilityView`]).
    Availability {
        /// The service.
        service: String,
        /// `{"month": {"year", "month"}}`, `{"year": {"year"}}`, `{"rolling": {"days", "end"}}`
        /// or `{"between": {"start", "end"}}`; months and years in the service hours' zone.
        period: MeasurePeriod,
        /// Conventions to measure by instead of those agreed with the target (every
        /// convention given).
        #[serde(default)]
        conventions: Option<Conventions>,
        /// Open outages run to here (default: the time of the last command applied).
        #[serde(default)]
        as_of: Option<DateTime<Utc>>,
    },
    /// What is left of a service's downtime budget for a period, and, with `change`, what the
    /// change's window would take of it (charged when it is inside service hours, outside the
    /// agreed maintenance windows, and the change takes the service down).
    DowntimeLeft {
        /// The service.
        service: String,
        /// As for [`Query::Availability`].
        period: MeasurePeriod,
        /// As for [`Query::Availability`].
        #[serde(default)]
        conventions: Option<Conventions>,
        /// Open outages run to here (default: the time of the last command applied).
        #[serde(default)]
        as_of: Option<DateTime<Utc>>,
        /// A scheduled change whose window to check.
        #[serde(default)]
        change: Option<String>,
    },
    /// Every outage record (an empty struct variant, as [`Query::Conflicts`]).
    Outages {},
    /// A service's predicted availability from its CIs' availabilities (CI attributes
    /// `availability`, or `mtbf_s` and `mttr_s`; neither: always up) through the dependency
    /// structure, shared components counted once; exact up to the documented limit, else a
    /// Monte Carlo estimate from `seed`.
    PredictedAvailability {
        /// The service.
        service: String,
        /// The Monte Carlo seed (used only beyond the exact limit).
        seed: u64,
        /// Monte Carlo samples (default 100 000).
        #[serde(default)]
        samples: Option<u64>,
    },
    /// A service's business impact analysis (`null` when it has none).
    BusinessImpact {
        /// The service.
        service: String,
    },
    /// The strictest RTO and RPO a CI inherits from the services that need it, with the
    /// service that sets each.
    InheritedObjectives {
        /// The CI.
        ci: String,
    },
    /// The recovery plan for a disaster with the analyses and recovery details in force,
    /// computed now (nothing recorded, no risk raised: `assess_continuity` does that).
    RecoveryPlan {
        /// `{"cis": [keys]}` or `{"facility": key}`.
        disaster: crate::continuity::DisasterDef,
    },
    /// Every recorded continuity assessment, by key (an empty struct variant).
    ContinuityAssessments {},
    /// Every recorded continuity exercise, by key (an empty struct variant).
    Exercises {},
}

/// What an impact query found, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactAnswer {
    /// CIs down (the failed ones included).
    pub down: Vec<String>,
    /// CIs degraded.
    pub degraded: Vec<String>,
    /// Services down.
    pub services_down: Vec<String>,
    /// Services degraded.
    pub services_degraded: Vec<String>,
}

/// The answer to a [`Query`]. Records are named by key throughout (see [`crate::view`]):
/// the JSON surface is this answer serialized, so the typed answer and the JSON agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", content = "value", rename_all = "snake_case")]
pub enum Answer {
    /// A CI, if it exists.
    Ci(Option<Box<CiView>>),
    /// An impact.
    Impact(ImpactAnswer),
    /// CI keys.
    Keys(Vec<String>),
    /// A risk, if it exists.
    Risk(Option<Box<RiskView>>),
    /// Escalations.
    Escalations(Vec<Escalation>),
    /// A risk report.
    RiskReport(Box<RiskReportView>),
    /// A change, if it exists.
    Change(Option<Box<ChangeView>>),
    /// Schedule conflicts, overlaps grouped per shared thing and stretch of time (see
    /// [`itsm_change::Conflict`]), so the answer grows with the number of changes, not pairs.
    Conflicts(Vec<ConflictView>),
    /// Change metrics.
    ChangeMetrics(Box<ChangeMetricsView>),
    /// Unauthorized changes.
    Unauthorized(Vec<UnauthorizedView>),
    /// The management review.
    ManagementReview(Box<ManagementReviewView>),
    /// A count.
    Count(usize),
    /// Measured availability.
    Availability(Box<AvailabilityView>),
    /// The downtime left.
    DowntimeLeft(Box<DowntimeLeftView>),
    /// Outage records.
    Outages(Vec<OutageView>),
    /// A predicted availability.
    PredictedAvailability(Box<crate::availability::PredictionView>),
    /// A business impact analysis, if the service has one.
    BusinessImpact(Option<Box<crate::BusinessImpactView>>),
    /// Inherited objectives.
    InheritedObjectives(Box<crate::InheritedObjectivesView>),
    /// A recovery plan.
    RecoveryPlan(Box<crate::RecoveryPlanView>),
    /// Continuity assessments.
    ContinuityAssessments(Vec<crate::ContinuityAssessmentView>),
    /// Continuity exercises.
    Exercises(Vec<crate::ExerciseView>),
}

impl Sms {
    fn ci_known(&self, key: &str) -> Result<Id<Ci>, EngineError> {
        self.cmdb.ci_by_key(key).map(|c| c.id).ok_or_else(|| {
            itsm_cmdb::CmdbError::UnknownKey {
                key: crate::excerpt(key),
            }
            .into()
        })
    }

    fn baseline_or_err(&self, name: &str) -> Result<&itsm_cmdb::Baseline, EngineError> {
        self.baselines
            .get(name)
            .ok_or_else(|| EngineError::UnknownBaseline {
                name: name.to_owned(),
            })
    }

    /// The two baselines named for an unauthorized-change check: both or neither.
    fn baseline_pair(
        &self,
        from: Option<&String>,
        to: Option<&String>,
    ) -> Result<Option<(&itsm_cmdb::Baseline, &itsm_cmdb::Baseline)>, EngineError> {
        match (from, to) {
            (Some(a), Some(b)) => Ok(Some((self.baseline_or_err(a)?, self.baseline_or_err(b)?))),
            (None, None) => Ok(None),
            (Some(_), None) => Err(EngineError::BaselinePair {
                given: "from_baseline",
                missing: "to_baseline",
            }),
            (None, Some(_)) => Err(EngineError::BaselinePair {
                given: "to_baseline",
                missing: "from_baseline",
            }),
        }
    }

    /// Answers `query`.
    ///
    /// # Errors
    /// [`EngineError`] for an unknown CI, baseline or period that ends before it starts.
    pub fn query(&self, query: &Query) -> Result<Answer, EngineError> {
        Ok(match query {
            Query::Ci { ci } => {
                Answer::Ci(self.cmdb.ci_by_key(ci).map(|c| Box::new(self.ci_view(c))))
            }
            Query::Impact { failed } => {
                let ids = failed
                    .iter()
                    .map(|k| self.ci_known(k))
                    .collect::<Result<Vec<_>, _>>()?;
                let impact = self.cmdb.impact_of(&ids)?;
                let mut a = ImpactAnswer {
                    down: vec![],
                    degraded: vec![],
                    services_down: vec![],
                    services_degraded: vec![],
                };
                for x in impact.affected() {
                    let k = self.key(x.ci);
                    match (x.state, x.service) {
                        (ImpactState::Down, true) => {
                            a.services_down.push(k.clone());
                            a.down.push(k);
                        }
                        (ImpactState::Down, false) => a.down.push(k),
                        (ImpactState::Degraded, true) => {
                            a.services_degraded.push(k.clone());
                            a.degraded.push(k);
                        }
                        (ImpactState::Degraded, false) => a.degraded.push(k),
                    }
                }
                Answer::Impact(a)
            }
            Query::DependenciesOf { ci } => Answer::Keys(
                self.cmdb
                    .dependencies_of(self.ci_known(ci)?)?
                    .into_iter()
                    .map(|d| self.key(d.ci))
                    .collect(),
            ),
            Query::SinglePointsOfFailure { ci } => Answer::Keys(
                self.cmdb
                    .single_points_of_failure(self.ci_known(ci)?)?
                    .into_iter()
                    .map(|d| self.key(d))
                    .collect(),
            ),
            Query::ServicesUsing { ci } => Answer::Keys(
                self.cmdb
                    .services_using(self.ci_known(ci)?)?
                    .into_iter()
                    .map(|d| self.key(d))
                    .collect(),
            ),
            Query::Risk { risk } => Answer::Risk(
                self.risk_id(risk)
                    .ok()
                    .and_then(|id| self.risks.risk(id))
                    .map(|r| Box::new(self.risk_view(r))),
            ),
            Query::Escalations { since } => Answer::Escalations(
                self.risks
                    .escalations(*since)
                    .into_iter()
                    .cloned()
                    .collect(),
            ),
            Query::RiskReport { start, end } => Answer::RiskReport(Box::new(
                self.risk_report_view(self.risks.report(Period::new(*start, *end)?)),
            )),
            Query::Change { change } => Answer::Change(
                self.change_keys
                    .get(change)
                    .and_then(|id| self.changes.change(*id))
                    .map(|c| Box::new(self.change_view(c))),
            ),
            Query::Conflicts {} => Answer::Conflicts(
                self.changes
                    .conflicts(&self.cmdb)
                    .into_iter()
                    .map(|c| self.conflict_view(c))
                    .collect(),
            ),
            Query::ChangeMetrics {
                start,
                end,
                from_baseline,
                to_baseline,
            } => {
                let baselines = self.baseline_pair(from_baseline.as_ref(), to_baseline.as_ref())?;
                Answer::ChangeMetrics(Box::new(
                    self.metrics_view(self.changes.metrics(Period::new(*start, *end)?, baselines)),
                ))
            }
            Query::UnauthorizedChanges { from, to } => Answer::Unauthorized(
                self.changes
                    .unauthorized(self.baseline_or_err(from)?, self.baseline_or_err(to)?)
                    .into_iter()
                    .map(|u| self.unauthorized_view(u))
                    .collect(),
            ),
            Query::ManagementReview {
                start,
                end,
                from_baseline,
                to_baseline,
            } => {
                let baselines = self.baseline_pair(from_baseline.as_ref(), to_baseline.as_ref())?;
                Answer::ManagementReview(Box::new(
                    self.review_view(self.management_review(Period::new(*start, *end)?, baselines)),
                ))
            }
            Query::LogLength {} => Answer::Count(self.log.len()),
            Query::Availability {
                service,
                period,
                conventions,
                as_of,
            } => Answer::Availability(Box::new(self.availability_of(
                service,
                period,
                *conventions,
                *as_of,
            )?)),
            Query::DowntimeLeft {
                service,
                period,
                conventions,
                as_of,
                change,
            } => Answer::DowntimeLeft(Box::new(self.downtime_left(
                service,
                period,
                *conventions,
                *as_of,
                change.as_deref(),
            )?)),
            Query::Outages {} => Answer::Outages(self.outage_views()),
            Query::PredictedAvailability {
                service,
                seed,
                samples,
            } => Answer::PredictedAvailability(Box::new(
                self.predicted_availability(service, *seed, *samples)?,
            )),
            Query::BusinessImpact { service } => {
                Answer::BusinessImpact(self.business_impact_view(service).map(Box::new))
            }
            Query::InheritedObjectives { ci } => {
                Answer::InheritedObjectives(Box::new(self.inherited_view(ci)?))
            }
            Query::RecoveryPlan { disaster } => {
                Answer::RecoveryPlan(Box::new(self.recovery_plan_view(disaster)?))
            }
            Query::ContinuityAssessments {} => {
                Answer::ContinuityAssessments(self.assessment_views())
            }
            Query::Exercises {} => Answer::Exercises(self.exercise_views()),
        })
    }
}
