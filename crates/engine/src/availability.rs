//! Availability in the engine (ISO/IEC 20000-1 8.7.1): service targets and outage records as
//! commands, measured availability and the downtime left as queries, records named by key.
//!
//! Who may do what: availability targets and service hours are set by the owners of service
//! availability or service level management (a service owner alone may not lower the bar its
//! own service is measured against); outages are recorded and ended by the owners of incident
//! or availability management, service owners, change managers and implementers. Open
//! outages are measured up to the query's `as_of`, which defaults to the time of the last
//! command applied (the engine's clock: time only moves forward).

use chrono::{DateTime, Utc};
use itsm_availability::predict::{Availability, Mtbf, PredictOptions, Structure};
use itsm_availability::{
    Conventions, MeasurePeriod, Outage, OutageKind, OutageSource, OutageState, Percent,
    ServiceAvailability, Span,
};
use itsm_cmdb::{Ci, ImpactState};
use itsm_core::{Actor, Calendar, Id, Period, Process, Role};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Command, EngineError, Sms};

/// Who sets availability targets and service hours.
const TARGETS: &[Role] = &[
    Role::ProcessOwner(Process::ServiceAvailabilityManagement),
    Role::ProcessOwner(Process::ServiceLevelManagement),
];

/// Who records and ends outages.
const OUTAGES: &[Role] = &[
    Role::ProcessOwner(Process::IncidentManagement),
    Role::ProcessOwner(Process::ServiceAvailabilityManagement),
    Role::ServiceOwner,
    Role::ChangeManager,
    Role::Implementer,
];

/// An outage as `record_outage` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an outage with `key`, `ci`, `start`, `state`, `kind`, `source` and optionally `end`"
)]
pub struct OutageDef {
    /// The record's key.
    pub key: String,
    /// The CI (or service) that was down or degraded.
    pub ci: String,
    /// Start (not after the time of recording).
    pub start: DateTime<Utc>,
    /// End, when it is over (not after the time of recording).
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
    /// `down` or `degraded`.
    pub state: OutageState,
    /// `planned` or `unplanned`.
    pub kind: OutageKind,
    /// `{"change": {"change": key}}`, `{"incident": {"reference": "INC-1"}}` or
    /// `{"note": {"text": "..."}}`.
    pub source: OutageSource,
}

/// One stretch of a service's outage, in an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpanView {
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// `down` or `degraded`.
    pub state: OutageState,
    /// Planned (see `itsm_availability::outages` for when a stretch counts as planned).
    pub planned: bool,
}

impl From<&Span> for SpanView {
    fn from(s: &Span) -> Self {
        Self {
            start: s.period.start(),
            end: s.period.end(),
            state: s.state,
            planned: s.planned,
        }
    }
}

/// A service's measured availability, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityView {
    /// The service.
    pub service: String,
    /// Start of the period.
    pub start: DateTime<Utc>,
    /// End of the period.
    pub end: DateTime<Utc>,
    /// Open outages were measured up to here.
    pub as_of: DateTime<Utc>,
    /// The conventions applied.
    pub conventions: Conventions,
    /// Service-hours seconds.
    pub hours_s: i64,
    /// Agreed seconds (the denominator).
    pub agreed_s: i64,
    /// Charged downtime seconds.
    pub downtime_s: i64,
    /// Outage seconds in agreed maintenance windows (not charged).
    pub planned_s: i64,
    /// Outage seconds outside service hours.
    pub outside_hours_s: i64,
    /// Degraded seconds not counted as down.
    pub degraded_s: i64,
    /// Availability in percent, unrounded (`null` when nothing is agreed).
    pub availability_percent: Option<Decimal>,
    /// The same, rounded half-even to three decimal places, for display.
    pub availability_display: Option<Decimal>,
    /// The target measured against (the strictest in force during the period).
    pub target_percent: Decimal,
    /// Availability at least the target.
    pub met: bool,
    /// Downtime the target allows.
    pub allowed_downtime_s: i64,
    /// Allowed less charged; negative when overrun.
    pub remaining_s: i64,
    /// Outages counted for MTBF and MTRS.
    pub outages: u64,
    /// Mean time between failures, seconds.
    pub mtbf_s: Option<i64>,
    /// Mean time to restore service, seconds.
    pub mtrs_s: Option<i64>,
    /// The service's outages in the period, derived through the configuration graph.
    pub stretches: Vec<SpanView>,
}

/// What a change's planned outage would cost a service's downtime budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeOutageView {
    /// The change.
    pub change: String,
    /// The change's window.
    pub start: DateTime<Utc>,
    /// The change's window.
    pub end: DateTime<Utc>,
    /// Whether the change takes the service down (`down`), degrades it, or leaves it up
    /// (`null`), by the impact of its targets.
    pub state: Option<OutageState>,
    /// Seconds of the window that would be charged: inside service hours, outside the agreed
    /// maintenance windows, when the change takes the service down (or degrades it and
    /// degraded time counts as down).
    pub charged_s: i64,
    /// True when `charged_s` fits in what is left.
    pub fits: bool,
}

/// The downtime left in a period, and what a change would take of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DowntimeLeftView {
    /// The measurement so far.
    pub availability: AvailabilityView,
    /// The change's cost, when one was named.
    pub change: Option<ChangeOutageView>,
}

/// An outage record, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutageView {
    /// The record's key.
    pub key: String,
    /// The CI.
    pub ci: String,
    /// Start.
    pub start: DateTime<Utc>,
    /// End (`null` while open).
    pub end: Option<DateTime<Utc>>,
    /// Down or degraded.
    pub state: OutageState,
    /// Planned or not.
    pub kind: OutageKind,
    /// Where it comes from.
    pub source: OutageSource,
}

impl Sms {
    /// The availability commands; `Ok(false)` for the others.
    pub(crate) fn availability_command(
        &mut self,
        actor: &Actor,
        key: &str,
        at: DateTime<Utc>,
        command: &Command,
    ) -> Result<bool, EngineError> {
        match command {
            Command::SetAvailabilityTarget {
                service,
                hours,
                target_percent,
                conventions,
            } => {
                Self::require(actor, key, TARGETS, "set availability targets")?;
                let id = self.service_of(service)?;
                self.availability.set_target(
                    id,
                    hours.clone(),
                    *target_percent,
                    *conventions,
                    at,
                )?;
            }
            Command::RecordOutage(def) => {
                Self::require(actor, key, OUTAGES, "record outages")?;
                let outage = self.outage_of(def)?;
                self.availability.record_outage(&self.cmdb, outage, at)?;
            }
            Command::EndOutage { outage, end } => {
                Self::require(actor, key, OUTAGES, "end outages")?;
                self.availability.end_outage(&self.cmdb, outage, *end, at)?;
            }
            Command::DefineOrganisation { .. }
            | Command::AddCi(_)
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
            | Command::SetBusinessImpact { .. }
            | Command::SetRecovery { .. }
            | Command::AssessContinuity { .. }
            | Command::RecordExercise { .. } => return Ok(false),
        }
        Ok(true)
    }

    /// Refuses to remove a CI with an open outage: its downtime would stop counting.
    pub(crate) fn no_open_outage(&self, ci: Id<Ci>) -> Result<(), EngineError> {
        match self.availability.open_outage(ci) {
            Some(o) => Err(EngineError::OpenOutage {
                ci: self.key(ci),
                outage: o.key.clone(),
            }),
            None => Ok(()),
        }
    }

    fn service_of(&self, key: &str) -> Result<Id<Ci>, EngineError> {
        let id = self.ci_of(key)?;
        match self.cmdb.ci(id) {
            Some(ci) if ci.kind.is_service() => Ok(id),
            _ => Err(EngineError::NotAService {
                ci: crate::excerpt(key),
            }),
        }
    }

    fn outage_of(&self, def: &OutageDef) -> Result<Outage, EngineError> {
        itsm_core::text::check_key("outage key", &def.key)?;
        if let OutageSource::Change { change } = &def.source {
            if !self.change_keys.contains_key(change) {
                return Err(EngineError::UnknownChange {
                    key: crate::excerpt(change),
                });
            }
        }
        Ok(Outage {
            key: def.key.clone(),
            ci: self.ci_of(&def.ci)?,
            start: def.start,
            end: def.end,
            state: def.state,
            kind: def.kind,
            source: def.source.clone(),
        })
    }

    /// The engine's clock: the time of the last command applied.
    fn now(&self) -> Option<DateTime<Utc>> {
        self.log.last().map(|e| e.at)
    }

    /// The agreed maintenance windows of `service` within `period`: the change policy's
    /// maintenance calendar for it.
    fn maintenance_of(&self, service: &str, period: &Period) -> Vec<Period> {
        self.policy_def
            .maintenance
            .get(service)
            .map(|cal: &Calendar| cal.open_intervals(period))
            .unwrap_or_default()
    }

    /// Measures `service` over `period` (resolved in its service hours' zone), by the
    /// conventions given or else those agreed with its target.
    pub(crate) fn availability_of(
        &self,
        service: &str,
        period: &MeasurePeriod,
        conventions: Option<Conventions>,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<AvailabilityView, EngineError> {
        let id = self.service_of(service)?;
        let as_of = as_of
            .or_else(|| self.now())
            .unwrap_or(itsm_core::bounds::EARLIEST);
        let probe = match period {
            MeasurePeriod::Between { start, .. } => *start,
            MeasurePeriod::Rolling { end, .. } => *end,
            _ => as_of,
        };
        let hours = self.availability.hours_at(id, probe).ok_or_else(|| {
            EngineError::NoAvailabilityTarget {
                service: crate::excerpt(service),
            }
        })?;
        let period = period.resolve(hours.zone())?;
        let mut measured = self.availability.measure_services(
            &self.cmdb,
            &[id],
            &period,
            conventions,
            as_of,
            |_| self.maintenance_of(service, &period),
        )?;
        let m = measured
            .pop()
            .ok_or_else(|| EngineError::NoAvailabilityTarget {
                service: crate::excerpt(service),
            })?;
        Ok(Self::availability_view(service, &m, as_of))
    }

    pub(crate) fn availability_view(
        service: &str,
        a: &ServiceAvailability,
        as_of: DateTime<Utc>,
    ) -> AvailabilityView {
        let m = &a.measurement;
        AvailabilityView {
            service: service.to_owned(),
            start: m.period.start(),
            end: m.period.end(),
            as_of,
            conventions: a.conventions,
            hours_s: m.hours_s,
            agreed_s: m.agreed_s,
            downtime_s: m.downtime_s,
            planned_s: m.planned_s,
            outside_hours_s: m.outside_hours_s,
            degraded_s: m.degraded_s,
            availability_percent: m.availability_percent,
            availability_display: m.availability_rounded(3),
            target_percent: m.target_percent.value(),
            met: m.met,
            allowed_downtime_s: m.allowed_downtime_s,
            remaining_s: m.remaining_s,
            outages: m.outages,
            mtbf_s: m.mtbf_s,
            mtrs_s: m.mtrs_s,
            stretches: a.spans.iter().map(SpanView::from).collect(),
        }
    }

    /// What is left of `service`'s downtime budget for `period`, and what `change`'s window
    /// would take of it.
    pub(crate) fn downtime_left(
        &self,
        service: &str,
        period: &MeasurePeriod,
        conventions: Option<Conventions>,
        as_of: Option<DateTime<Utc>>,
        change: Option<&str>,
    ) -> Result<DowntimeLeftView, EngineError> {
        let availability = self.availability_of(service, period, conventions, as_of)?;
        let conventions = availability.conventions;
        let Some(change_key) = change else {
            return Ok(DowntimeLeftView {
                availability,
                change: None,
            });
        };
        let change_id = self.change_keys.get(change_key).copied().ok_or_else(|| {
            EngineError::UnknownChange {
                key: crate::excerpt(change_key),
            }
        })?;
        let c = self
            .changes
            .change(change_id)
            .ok_or_else(|| EngineError::UnknownChange {
                key: crate::excerpt(change_key),
            })?;
        let window = c.window.ok_or_else(|| EngineError::ChangeNotScheduled {
            change: crate::excerpt(change_key),
        })?;
        let id = self.service_of(service)?;
        let targets: Vec<Id<Ci>> = c
            .request
            .targets
            .iter()
            .copied()
            .filter(|t| self.cmdb.ci(*t).is_some())
            .collect();
        let state = if targets.is_empty() {
            None
        } else {
            self.cmdb.impact_of(&targets)?.state(id).map(|s| match s {
                ImpactState::Down => OutageState::Down,
                ImpactState::Degraded => OutageState::Degraded,
            })
        };
        let counts = match state {
            Some(OutageState::Down) => true,
            Some(OutageState::Degraded) => conventions.degraded_counts_as_down,
            None => false,
        };
        let charged_s = if counts {
            let hours = self
                .availability
                .hours_at(id, window.start())
                .map(|cal| cal.open_intervals(&window))
                .unwrap_or_default();
            let planned = itsm_availability::Span {
                period: window,
                state: OutageState::Down,
                planned: true,
            };
            let target = Percent::new(availability.target_percent)?;
            let plain = Conventions {
                planned_leaves_denominator: false,
                ..conventions
            };
            itsm_availability::measure(
                &window,
                &hours,
                &self.maintenance_of(service, &window),
                &[planned],
                target,
                plain,
            )?
            .downtime_s
        } else {
            0
        };
        Ok(DowntimeLeftView {
            change: Some(ChangeOutageView {
                change: change_key.to_owned(),
                start: window.start(),
                end: window.end(),
                state,
                charged_s,
                fits: charged_s <= availability.remaining_s,
            }),
            availability,
        })
    }

    /// Every outage record, by key.
    pub(crate) fn outage_views(&self) -> Vec<OutageView> {
        self.availability
            .outages()
            .map(|o| OutageView {
                key: o.key.clone(),
                ci: self.key(o.ci),
                start: o.start,
                end: o.end,
                state: o.state,
                kind: o.kind,
                source: o.source.clone(),
            })
            .collect()
    }
}

/// A component that limits a service's predicted availability, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportanceView {
    /// The CI.
    pub ci: String,
    /// Birnbaum importance, P(up | it up) − P(up | it down), rounded half-even to 12 places.
    pub birnbaum: Decimal,
}

/// A service's predicted availability, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictionView {
    /// The service.
    pub service: String,
    /// P(service up) with independent component states, rounded half-even to 12 places.
    pub availability: Decimal,
    /// True when computed exactly; false for the seeded Monte Carlo estimate.
    pub exact: bool,
    /// The estimate's 95 % interval (`[low, high]`), `null` when exact.
    pub interval: Option<[Decimal; 2]>,
    /// Monte Carlo samples drawn (0 when exact).
    pub samples: u64,
    /// Shared components conditioned on.
    pub shared: usize,
    /// The most conditioned on at once (0 for an estimate).
    pub width: usize,
    /// The components that limit the availability, most important first.
    pub limiting: Vec<ImportanceView>,
}

/// A probability for an answer: rounded half-even to 12 places.
fn probability(p: f64) -> Decimal {
    use rust_decimal::prelude::FromPrimitive;
    Decimal::from_f64_retain(p)
        .or_else(|| Decimal::from_f64(p))
        .unwrap_or_default()
        .round_dp_with_strategy(12, rust_decimal::RoundingStrategy::MidpointNearestEven)
        .normalize()
}

/// A CI's availability from its attributes: `availability` (a number or decimal text from 0
/// to 1), or `mtbf_s` and `mttr_s` (whole seconds) together; neither: always up. `Err` names
/// the attribute that is not one of those.
fn component_availability(ci: &Ci) -> Result<Option<Availability>, String> {
    use itsm_cmdb::AttrValue;
    let number = |name: &str| match ci.attributes.get(name) {
        None => Ok(None),
        Some(AttrValue::Number(d)) => Ok(Some(*d)),
        Some(AttrValue::Text(t)) => t
            .trim()
            .parse::<Decimal>()
            .map(Some)
            .map_err(|_| format!("attribute `{name}` of `{}` is not a number: `{t}`", ci.key)),
        Some(other) => Err(format!(
            "attribute `{name}` of `{}` is not a number: `{other}`",
            ci.key
        )),
    };
    let seconds =
        |name: &str| -> Result<Option<u64>, String> {
            number(name)?
                .map(|d| {
                    u64::try_from(d).ok().filter(|_| d.fract().is_zero()).ok_or_else(|| {
                    format!(
                        "attribute `{name}` of `{}` is not a whole number of seconds: `{d}`",
                        ci.key
                    )
                })
                })
                .transpose()
        };
    match (
        number("availability")?,
        seconds("mtbf_s")?,
        seconds("mttr_s")?,
    ) {
        (Some(p), None, None) => Ok(Some(Availability::Probability(p))),
        (None, Some(mtbf_s), Some(mttr_s)) => Ok(Some(Availability::Mtbf(Mtbf { mtbf_s, mttr_s }))),
        (None, None, None) => Ok(None),
        _ => Err(format!(
            "`{}` gives its availability as `availability`, or as `mtbf_s` and `mttr_s` together, not both or half",
            ci.key
        )),
    }
}

impl Sms {
    /// `service`'s predicted availability from its CIs' availabilities (see
    /// [`component_availability`]) through the dependency structure.
    pub(crate) fn predicted_availability(
        &self,
        service: &str,
        seed: u64,
        samples: Option<u64>,
    ) -> Result<PredictionView, EngineError> {
        let id = self.service_of(service)?;
        let mut bad: Option<String> = None;
        let structure =
            Structure::from_cmdb(&self.cmdb, id, |ci| match component_availability(ci) {
                Ok(a) => a,
                Err(e) => {
                    bad.get_or_insert(e);
                    None
                }
            })?;
        if let Some(reason) = bad {
            return Err(EngineError::ComponentAvailability { reason });
        }
        let options = PredictOptions::new(seed, samples.unwrap_or(PREDICT_SAMPLES));
        let p = structure.predict(service, &options)?;
        Ok(PredictionView {
            service: p.service.clone(),
            availability: probability(p.availability),
            exact: p.exact,
            interval: p
                .interval
                .map(|i| [probability(i.low), probability(i.high)]),
            samples: p.samples,
            shared: p.shared,
            width: p.width,
            limiting: p
                .limiting
                .iter()
                .map(|i| ImportanceView {
                    ci: i.key.clone(),
                    birnbaum: probability(i.birnbaum),
                })
                .collect(),
        })
    }
}

/// Monte Carlo samples when a prediction query gives none.
pub(crate) const PREDICT_SAMPLES: u64 = 100_000;
