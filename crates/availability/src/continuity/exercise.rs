//! Continuity exercises (ISO/IEC 20000-1 8.7.2: continuity plans are tested; TR 20000-17 5.7).
//!
//! An [`Exercise`] records a test of the continuity plans: the scenario rehearsed, the day, the
//! time each service took to come back and free-text notes. [`review_exercise`] compares the
//! measurements with the services' analyses: a 4-hour RTO that took 6 hours in the exercise is
//! a [`ContinuityFinding`] naming the service, the objective and the measurement, which the
//! engine raises as a continuity risk instead of someone typing it into a title.

use chrono::NaiveDate;
use itsm_cmdb::{Ci, Cmdb};
use itsm_core::{Id, bounds, text};
use serde::{Deserialize, Serialize};

use super::bia::{BusinessImpact, MAX_DURATION_S, validate_all};
use super::error::ContinuityError;
use super::finding::{ContinuityFinding, FindingBasis, Objective};
use super::plan::{Disaster, ServiceRestore, failed_of};

/// How long one service took to come back in an exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a measurement with `service` and `restored_s`"
)]
pub struct MeasuredRestore {
    /// The service.
    pub service: Id<Ci>,
    /// Seconds from the start of the exercise until it was back.
    pub restored_s: u64,
}

/// A continuity exercise as it took place.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an exercise with `name`, `date`, `scenario`, `measured` and optional `notes`"
)]
pub struct Exercise {
    /// Its name, a key (`dr-test-2026-q3`).
    pub name: String,
    /// The day it took place.
    pub date: NaiveDate,
    /// The disaster rehearsed.
    pub scenario: Disaster,
    /// The restore time measured for each service, each service once.
    pub measured: Vec<MeasuredRestore>,
    /// What was observed, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// What an exercise showed against the analyses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseReview {
    /// Each measured service with its objectives, by key (`restored_s` is the measurement).
    pub services: Vec<ServiceRestore>,
    /// The objectives missed, by service key (RTO before MTPD).
    pub findings: Vec<ContinuityFinding>,
}

impl Exercise {
    /// Checks the record: the name is a sound key, the date within the engine's range, the
    /// notes sound free text, the scenario's CIs known (a facility a facility), each measured
    /// service a known service measured once, each time at most [`MAX_DURATION_S`].
    ///
    /// # Errors
    /// [`ContinuityError::InvalidExercise`] naming the exercise, the field and the reason;
    /// [`ContinuityError::UnknownCi`] and [`ContinuityError::WrongKind`] for the scenario and
    /// the measured services.
    pub fn validate(&self, cmdb: &Cmdb) -> Result<(), ContinuityError> {
        let invalid = |field: String, reason: String| ContinuityError::InvalidExercise {
            exercise: self.name.clone(),
            field,
            reason,
        };
        text::check_key("exercise name", &self.name)
            .map_err(|e| invalid("name".into(), e.to_string()))?;
        bounds::check_date("date", self.date).map_err(|e| invalid("date".into(), e.to_string()))?;
        text::check_text("notes", &self.notes)
            .map_err(|e| invalid("notes".into(), e.to_string()))?;
        failed_of(cmdb, &self.scenario)?;
        let mut seen = std::collections::HashSet::with_capacity(self.measured.len());
        for (i, m) in self.measured.iter().enumerate() {
            let ci = cmdb
                .ci(m.service)
                .ok_or(ContinuityError::UnknownCi { id: m.service })?;
            if !ci.kind.is_service() {
                return Err(ContinuityError::WrongKind {
                    key: ci.key.clone(),
                    kind: ci.kind.name().to_owned(),
                    expected: "service",
                    field: "measured",
                });
            }
            if !seen.insert(m.service) {
                return Err(invalid(
                    format!("measured[{i}].service"),
                    format!("`{}` is measured twice", ci.key),
                ));
            }
            if m.restored_s > MAX_DURATION_S {
                return Err(invalid(
                    format!("measured[{i}].restored_s"),
                    format!(
                        "({} s) is longer than the longest duration taken, {MAX_DURATION_S} s (3650 days)",
                        m.restored_s
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Compares an exercise's measurements with the services' analyses: each measured service
/// with its RTO and MTPD, and a finding for each one missed (a service without an analysis
/// has no objective to miss).
///
/// ```
/// use chrono::NaiveDate;
/// use itsm_availability::{BusinessImpact, Disaster, Exercise, MeasuredRestore, review_exercise};
/// use itsm_cmdb::{Ci, CiKind, Cmdb, ServiceProfile};
///
/// let mut cmdb = Cmdb::new();
/// let svc = Ci::new("svc-pay", "Payments", CiKind::Service(ServiceProfile::default()));
/// let s = svc.id;
/// cmdb.add_ci(svc)?;
/// let exercise = Exercise {
///     name: "dr-2026-q1".into(),
///     date: NaiveDate::from_ymd_opt(2026, 3, 14).unwrap(),
///     scenario: Disaster::Cis(vec![s]),
///     measured: vec![MeasuredRestore { service: s, restored_s: 6 * 3600 }],
///     notes: "restore from tape was slow".into(),
/// };
/// let review = review_exercise(&cmdb, &[BusinessImpact::new(s, 8 * 3600, 4 * 3600, 900)], &exercise)?;
/// assert_eq!(review.findings.len(), 1);
/// assert_eq!(
///     review.findings[0].describe(&cmdb),
///     "exercise `dr-2026-q1` of 2026-03-14 restored `svc-pay` after 6 h (21600 s), past its recovery time objective of 4 h (14400 s)"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// Any error of [`Exercise::validate`], [`BusinessImpact::validate`] and
/// [`ContinuityError::DuplicateAnalysis`].
pub fn review_exercise(
    cmdb: &Cmdb,
    analyses: &[BusinessImpact],
    exercise: &Exercise,
) -> Result<ExerciseReview, ContinuityError> {
    validate_all(cmdb, analyses)?;
    exercise.validate(cmdb)?;
    let mut measured: Vec<(&str, MeasuredRestore)> = exercise
        .measured
        .iter()
        .filter_map(|m| Some((cmdb.ci(m.service)?.key.as_str(), *m)))
        .collect();
    measured.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let own: std::collections::HashMap<Id<Ci>, &BusinessImpact> =
        analyses.iter().map(|a| (a.service, a)).collect();
    let mut findings = Vec::new();
    let services = measured
        .into_iter()
        .map(|(_, m)| {
            let bia = own.get(&m.service).copied();
            if let Some(b) = bia {
                for (objective, required_s) in
                    [(Objective::Rto, b.rto_s), (Objective::Mtpd, b.mtpd_s)]
                {
                    if m.restored_s > required_s {
                        findings.push(ContinuityFinding {
                            basis: FindingBasis::Exercise {
                                name: exercise.name.clone(),
                                date: exercise.date,
                            },
                            service: m.service,
                            objective,
                            required_s,
                            achieved_s: m.restored_s,
                            cis: Vec::new(),
                        });
                    }
                }
            }
            ServiceRestore {
                service: m.service,
                restored_s: m.restored_s,
                rto_s: bia.map(|b| b.rto_s),
                mtpd_s: bia.map(|b| b.mtpd_s),
                impact: bia.and_then(|b| b.impact_at(m.restored_s)).cloned(),
            }
        })
        .collect();
    Ok(ExerciseReview { services, findings })
}
