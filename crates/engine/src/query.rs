//! Queries: typed read access as serde data (`"query"` names the question), for bindings and
//! scenarios. The typed accessors of [`Sms`] and of each register remain the way for Rust
//! programs.

use chrono::{DateTime, Utc};
use itsm_change::{Change, ChangeMetrics, Conflict, Unauthorized};
use itsm_cmdb::{Ci, ImpactState};
use itsm_core::{Id, Period};
use itsm_risk::{Escalation, Risk, RiskReport};
use serde::{Deserialize, Serialize};

use crate::{EngineError, ManagementReview, Sms};

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
    /// stretch of overlapping windows).
    Conflicts,
    /// Change metrics for a period (unauthorized changes counted between the two named
    /// baselines, when given).
    ChangeMetrics {
        /// Start.
        start: DateTime<Utc>,
        /// End.
        end: DateTime<Utc>,
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
    /// How many commands the log holds.
    LogLength,
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

/// The answer to a [`Query`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", content = "value", rename_all = "snake_case")]
pub enum Answer {
    /// A CI, if it exists.
    Ci(Option<Box<Ci>>),
    /// An impact.
    Impact(ImpactAnswer),
    /// CI keys.
    Keys(Vec<String>),
    /// A risk, if it exists.
    Risk(Option<Box<Risk>>),
    /// Escalations.
    Escalations(Vec<Escalation>),
    /// A risk report.
    RiskReport(Box<RiskReport>),
    /// A change, if it exists.
    Change(Option<Box<Change>>),
    /// Schedule conflicts, overlaps grouped per shared thing and stretch of time (see
    /// [`Conflict::Overlap`]), so the answer grows with the number of changes, not pairs.
    Conflicts(Vec<Conflict>),
    /// Change metrics.
    ChangeMetrics(Box<ChangeMetrics>),
    /// Unauthorized changes.
    Unauthorized(Vec<Unauthorized>),
    /// The management review.
    ManagementReview(Box<ManagementReview>),
    /// A count.
    Count(usize),
}

impl Sms {
    pub(crate) fn key(&self, id: Id<Ci>) -> String {
        self.cmdb
            .ci(id)
            .map_or_else(|| id.to_string(), |c| c.key.clone())
    }

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

    /// Answers `query`.
    ///
    /// # Errors
    /// [`EngineError`] for an unknown CI, baseline or period that ends before it starts.
    pub fn query(&self, query: &Query) -> Result<Answer, EngineError> {
        Ok(match query {
            Query::Ci { ci } => Answer::Ci(self.cmdb.ci_by_key(ci).cloned().map(Box::new)),
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
                self.risk_keys
                    .get(risk)
                    .and_then(|r| self.risks.risk_by_reference(*r))
                    .cloned()
                    .map(Box::new),
            ),
            Query::Escalations { since } => Answer::Escalations(
                self.risks
                    .escalations(*since)
                    .into_iter()
                    .cloned()
                    .collect(),
            ),
            Query::RiskReport { start, end } => {
                Answer::RiskReport(Box::new(self.risks.report(Period::new(*start, *end)?)))
            }
            Query::Change { change } => Answer::Change(
                self.change_keys
                    .get(change)
                    .and_then(|id| self.changes.change(*id))
                    .cloned()
                    .map(Box::new),
            ),
            Query::Conflicts => Answer::Conflicts(self.changes.conflicts()),
            Query::ChangeMetrics { start, end } => Answer::ChangeMetrics(Box::new(
                self.changes.metrics(Period::new(*start, *end)?, 0),
            )),
            Query::UnauthorizedChanges { from, to } => Answer::Unauthorized(
                self.changes
                    .unauthorized(self.baseline_or_err(from)?, self.baseline_or_err(to)?),
            ),
            Query::ManagementReview {
                start,
                end,
                from_baseline,
                to_baseline,
            } => {
                let baselines = match (from_baseline, to_baseline) {
                    (Some(a), Some(b)) => {
                        Some((self.baseline_or_err(a)?, self.baseline_or_err(b)?))
                    }
                    _ => None,
                };
                Answer::ManagementReview(Box::new(
                    self.management_review(Period::new(*start, *end)?, baselines),
                ))
            }
            Query::LogLength => Answer::Count(self.log.len()),
        })
    }
}
