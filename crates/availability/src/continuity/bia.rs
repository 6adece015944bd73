//! Business impact analysis of a service (ISO/IEC 20000-1 8.7.2; TR 20000-17 5.7).
//!
//! A [`BusinessImpact`] says how the harm of an outage of one service grows with its length
//! (impact steps on an ordinal scale), the longest outage the business can bear (the maximum
//! tolerable period of disruption, MTPD), the recovery time objective (RTO: restored within
//! this long) and the recovery point objective (RPO: at most this much data, counted in time,
//! may be lost). All durations are whole seconds.

use itsm_cmdb::{Ci, Cmdb};
use itsm_core::{Id, Level, Scale, text};
use serde::{Deserialize, Serialize};

use super::error::{ContinuityError, key_of};

/// The longest duration any continuity field takes: 3650 days (about ten years), in seconds.
///
/// An objective or a recovery longer than that is a typing error, and the bound keeps every
/// sum of durations in a recovery plan far from overflow.
pub const MAX_DURATION_S: u64 = 3650 * 86_400;

/// From `after_s` seconds into an outage, the business impact is `level`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an impact step with `after_s` and `level`"
)]
pub struct ImpactStep {
    /// Seconds since the start of the outage.
    pub after_s: u64,
    /// The impact from then on (a level of the organisation's impact scale).
    pub level: Level,
}

/// The business impact analysis of one service.
///
/// ```
/// use itsm_availability::BusinessImpact;
/// use itsm_core::{Id, Level};
///
/// let bia = BusinessImpact::new(Id::from_key("svc-payments"), 8 * 3600, 4 * 3600, 900)
///     .with_step(0, Level::new("Low", 1))
///     .with_step(2 * 3600, Level::new("High", 3));
/// assert_eq!(bia.impact_at(3 * 3600).map(|l| l.name.as_str()), Some("High"));
/// assert_eq!(bia.impact_at(60).map(|l| l.name.as_str()), Some("Low"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a business impact analysis with `service`, `mtpd_s`, `rto_s`, `rpo_s` and optional `impact` steps"
)]
pub struct BusinessImpact {
    /// The service analysed.
    pub service: Id<Ci>,
    /// How the impact grows over an outage: steps in increasing `after_s`, the level never
    /// falling. May be empty when only the objectives are known.
    #[serde(default)]
    pub impact: Vec<ImpactStep>,
    /// Maximum tolerable period of disruption, seconds (at least 1).
    pub mtpd_s: u64,
    /// Recovery time objective, seconds (at most `mtpd_s`).
    pub rto_s: u64,
    /// Recovery point objective, seconds of data that may be lost (0: none).
    pub rpo_s: u64,
}

impl BusinessImpact {
    /// An analysis of `service` with these objectives and no impact steps yet.
    #[must_use]
    pub const fn new(service: Id<Ci>, mtpd_s: u64, rto_s: u64, rpo_s: u64) -> Self {
        Self {
            service,
            impact: Vec::new(),
            mtpd_s,
            rto_s,
            rpo_s,
        }
    }

    /// Adds an impact step: from `after_s` seconds into an outage the impact is `level`.
    #[must_use]
    pub fn with_step(mut self, after_s: u64, level: Level) -> Self {
        self.impact.push(ImpactStep { after_s, level });
        self
    }

    /// The impact reached `elapsed_s` seconds into an outage: the level of the last step at or
    /// before it; `None` before the first step (or without steps).
    #[must_use]
    pub fn impact_at(&self, elapsed_s: u64) -> Option<&Level> {
        self.impact
            .iter()
            .take_while(|s| s.after_s <= elapsed_s)
            .last()
            .map(|s| &s.level)
    }

    /// Checks the analysis against its own rules and the CMDB: the service exists and is a
    /// service; `mtpd_s` is at least 1; `rto_s` is at most `mtpd_s`; every duration is at most
    /// [`MAX_DURATION_S`]; impact steps come in strictly increasing `after_s`, each level named,
    /// and the impact never decreases (level values never fall).
    ///
    /// # Errors
    /// [`ContinuityError::UnknownCi`], [`ContinuityError::WrongKind`],
    /// [`ContinuityError::InvalidAnalysis`] naming the service's key, the field and the reason.
    pub fn validate(&self, cmdb: &Cmdb) -> Result<(), ContinuityError> {
        let ci = cmdb
            .ci(self.service)
            .ok_or(ContinuityError::UnknownCi { id: self.service })?;
        if !ci.kind.is_service() {
            return Err(ContinuityError::WrongKind {
                key: ci.key.clone(),
                kind: ci.kind.name().to_owned(),
                expected: "service",
                field: "service",
            });
        }
        let invalid = |field: String, reason: String| ContinuityError::InvalidAnalysis {
            service: ci.key.clone(),
            field,
            reason,
        };
        for (field, value) in [
            ("mtpd_s", self.mtpd_s),
            ("rto_s", self.rto_s),
            ("rpo_s", self.rpo_s),
        ] {
            if value > MAX_DURATION_S {
                return Err(invalid(field.into(), too_long(value)));
            }
        }
        if self.mtpd_s == 0 {
            return Err(invalid(
                "mtpd_s".into(),
                "must be at least 1 second: no service can bear no disruption at all".into(),
            ));
        }
        if self.rto_s > self.mtpd_s {
            return Err(invalid(
                "rto_s".into(),
                format!(
                    "({} s) exceeds the maximum tolerable period of disruption `mtpd_s` ({} s): the service must be back before the disruption becomes intolerable",
                    self.rto_s, self.mtpd_s
                ),
            ));
        }
        let mut previous: Option<&ImpactStep> = None;
        for (i, step) in self.impact.iter().enumerate() {
            if step.after_s > MAX_DURATION_S {
                return Err(invalid(
                    format!("impact[{i}].after_s"),
                    too_long(step.after_s),
                ));
            }
            if let Err(e) = text::check_name("impact level", &step.level.name) {
                return Err(invalid(format!("impact[{i}].level"), e.to_string()));
            }
            if let Some(p) = previous {
                if step.after_s <= p.after_s {
                    return Err(invalid(
                        format!("impact[{i}].after_s"),
                        format!(
                            "({} s) must come after the previous step's ({} s): steps are in increasing time",
                            step.after_s, p.after_s
                        ),
                    ));
                }
                if step.level.value < p.level.value {
                    return Err(invalid(
                        format!("impact[{i}].level"),
                        format!(
                            "`{}` is below the previous step's `{}`: the impact of an outage never decreases as it goes on",
                            step.level.name, p.level.name
                        ),
                    ));
                }
            }
            previous = Some(step);
        }
        Ok(())
    }

    /// Checks that every impact level is a level of `scale` (by name, case-insensitively, with
    /// the scale's value).
    ///
    /// # Errors
    /// [`ContinuityError::InvalidAnalysis`] naming the step and the scale's levels.
    pub fn check_levels(&self, scale: &Scale, cmdb: &Cmdb) -> Result<(), ContinuityError> {
        for (i, step) in self.impact.iter().enumerate() {
            let on_scale = scale.level(&step.level.name);
            if on_scale.map(|l| l.value) != Some(step.level.value) {
                let valid: Vec<String> = scale
                    .levels()
                    .iter()
                    .map(|l| format!("`{}` ({})", l.name, l.value))
                    .collect();
                return Err(ContinuityError::InvalidAnalysis {
                    service: key_of(cmdb, self.service),
                    field: format!("impact[{i}].level"),
                    reason: format!(
                        "`{}` ({}) is not a level of the impact scale; its levels are {}",
                        step.level.name,
                        step.level.value,
                        valid.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }
}

fn too_long(value: u64) -> String {
    format!("({value} s) is longer than the longest duration taken, {MAX_DURATION_S} s (3650 days)")
}

/// Validates every analysis and refuses two of one service.
pub(crate) fn validate_all(
    cmdb: &Cmdb,
    analyses: &[BusinessImpact],
) -> Result<(), ContinuityError> {
    let mut seen = std::collections::HashSet::with_capacity(analyses.len());
    for a in analyses {
        a.validate(cmdb)?;
        if !seen.insert(a.service) {
            return Err(ContinuityError::DuplicateAnalysis {
                service: key_of(cmdb, a.service),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    use super::*;
    use itsm_cmdb::{CiKind, ServiceProfile};

    fn cmdb() -> Cmdb {
        let mut cmdb = Cmdb::new();
        cmdb.add_ci(Ci::new(
            "svc-pay",
            "Payments",
            CiKind::Service(ServiceProfile::default()),
        ))
        .unwrap();
        cmdb.add_ci(Ci::new("host-1", "Host 1", CiKind::Hardware))
            .unwrap();
        cmdb
    }

    fn bia() -> BusinessImpact {
        BusinessImpact::new(Id::from_key("svc-pay"), 8 * 3600, 4 * 3600, 900)
            .with_step(0, Level::new("Low", 1))
            .with_step(3600, Level::new("High", 3))
    }

    fn err(b: &BusinessImpact) -> String {
        b.validate(&cmdb()).unwrap_err().to_string()
    }

    #[test]
    fn a_sound_analysis_passes() {
        assert!(bia().validate(&cmdb()).is_ok());
        let scale = Scale::from_names(&["Low", "Medium", "High"]).unwrap();
        assert!(bia().check_levels(&scale, &cmdb()).is_ok());
    }

    #[test]
    fn rto_beyond_mtpd_is_refused_naming_service_and_field() {
        let mut b = bia();
        b.rto_s = b.mtpd_s + 1;
        assert_eq!(
            err(&b),
            "business impact analysis of `svc-pay`: `rto_s` (28801 s) exceeds the maximum tolerable period of disruption `mtpd_s` (28800 s): the service must be back before the disruption becomes intolerable"
        );
    }

    #[test]
    fn zero_mtpd_and_overlong_durations_are_refused() {
        let mut b = bia();
        b.mtpd_s = 0;
        b.rto_s = 0;
        assert!(err(&b).contains("`mtpd_s` must be at least 1 second"));
        let mut b = bia();
        b.rpo_s = MAX_DURATION_S + 1;
        assert!(err(&b).contains("`rpo_s`"), "{}", err(&b));
        let mut b = bia();
        b.impact[1].after_s = MAX_DURATION_S + 1;
        assert!(err(&b).contains("`impact[1].after_s`"));
    }

    #[test]
    fn impact_steps_must_grow_in_time_and_never_fall() {
        let b = bia().with_step(3600, Level::new("High", 3));
        assert!(err(&b).contains("`impact[2].after_s` (3600 s) must come after"));
        let b = bia().with_step(7200, Level::new("Low", 1));
        assert!(
            err(&b).contains("`impact[2].level` `Low` is below the previous step's `High`"),
            "{}",
            err(&b)
        );
        let b = bia().with_step(7200, Level::new(" ", 4));
        assert!(err(&b).contains("`impact[2].level`"));
    }

    #[test]
    fn the_service_must_be_a_known_service() {
        let mut b = bia();
        b.service = Id::from_key("host-1");
        assert_eq!(
            err(&b),
            "`service` names `host-1`, a hardware, not a service"
        );
        b.service = Id::from_key("nothing");
        assert!(err(&b).starts_with("unknown configuration item `"));
    }

    #[test]
    fn levels_off_the_scale_are_named_with_the_valid_ones() {
        let scale = Scale::from_names(&["Low", "Medium", "High"]).unwrap();
        let b = bia().with_step(7200, Level::new("Severe", 4));
        let e = b.check_levels(&scale, &cmdb()).unwrap_err().to_string();
        assert_eq!(
            e,
            "business impact analysis of `svc-pay`: `impact[2].level` `Severe` (4) is not a level of the impact scale; its levels are `Low` (1), `Medium` (2), `High` (3)"
        );
    }

    #[test]
    fn two_analyses_of_one_service_are_refused() {
        let e = validate_all(&cmdb(), &[bia(), bia()]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "service `svc-pay` has more than one business impact analysis"
        );
    }

    #[test]
    fn impact_at_reads_the_last_step_reached() {
        let b = bia();
        assert_eq!(b.impact_at(0).unwrap().name, "Low");
        assert_eq!(b.impact_at(3599).unwrap().name, "Low");
        assert_eq!(b.impact_at(3600).unwrap().name, "High");
        let late = BusinessImpact::new(b.service, 10, 5, 0).with_step(5, Level::new("Low", 1));
        assert!(late.impact_at(4).is_none());
    }

    #[test]
    fn serde_round_trip_and_unknown_fields_refused() {
        let b = bia();
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<BusinessImpact>(&json).unwrap(), b);
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["rto"] = 5.into();
        assert!(serde_json::from_value::<BusinessImpact>(v).is_err());
    }
}
