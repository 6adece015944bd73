//! The availability register: service targets with their history, and outage records
//! (ISO/IEC 20000-1 8.7.1).
//!
//! Targets are never overwritten: each setting is kept with the instant it took effect, so a
//! period is measured against what was agreed *during* it. A month that missed 99.9 % cannot be
//! made to pass by lowering the target afterwards: a period is measured against the **most
//! demanding** target in force at any time within it, and its service hours are each
//! version's hours over the part of the period that version was in force.
//!
//! Outages are appended and ended, never edited or removed: an auditor sees what was recorded.
//! An outage is recorded once it has started (its start is not after the time of recording)
//! and ended once it is over (its end is not after the time of ending); instants are whole
//! seconds.
//!
//! # What a service suffered is kept, not re-derived
//!
//! A service's outages follow from its CIs' outages through the configuration graph
//! ([`service_outages`]). The graph changes, and a past outage must not vanish because a
//! relation was removed or a CI retired afterwards. So when an outage ends, the register
//! derives the services' outages over its period — through the graph as it stands then, with
//! every outage that overlaps it — and keeps them in a ledger. The ledger only grows: a later
//! derivation adds to what is kept and never takes from it. While an outage is open, the
//! stretch from the earliest open outage's start to `as_of` is derived live through the
//! current graph and added to the ledger's figures.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use itsm_cmdb::{Ci, Cmdb};
use itsm_core::{Calendar, Id, Period};
use serde::{Deserialize, Serialize};

use crate::measured::whole_second;
use crate::{
    AvailabilityError, CiOutage, Conventions, Measurement, OutageState, Percent, Span, measure,
    service_outages,
};

/// A service's availability target as set at one time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceTarget {
    /// The agreed service hours.
    pub hours: Calendar,
    /// The target.
    pub target: Percent,
    /// How it is measured, as agreed.
    pub conventions: Conventions,
    /// When it took effect.
    pub since: DateTime<Utc>,
}

/// Whether an outage was planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageKind {
    /// Planned work (a change, maintenance).
    Planned,
    /// Not planned (an incident).
    Unplanned,
}

/// Where an outage record comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", from = "SourceRecord")]
pub enum OutageSource {
    /// A change (by key).
    Change {
        /// The change's key.
        change: String,
    },
    /// An incident, by the reference of the tool that holds it.
    Incident {
        /// The incident reference (`INC-1042`).
        reference: String,
    },
    /// Free text.
    Note {
        /// The text.
        text: String,
    },
}

/// How an [`OutageSource`] is read: each form's fields as a struct that says what it expects.
#[derive(Deserialize)]
#[serde(
    rename_all = "snake_case",
    expecting = "a source: `{\"change\": {\"change\": key}}`, `{\"incident\": {\"reference\": \"...\"}}` or `{\"note\": {\"text\": \"...\"}}`"
)]
enum SourceRecord {
    Change(ChangeRecord),
    Incident(IncidentRecord),
    Note(NoteRecord),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a change: `{\"change\": key}`")]
struct ChangeRecord {
    change: String,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an incident: `{\"reference\": \"INC-1\"}`"
)]
struct IncidentRecord {
    reference: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a note: `{\"text\": \"...\"}`")]
struct NoteRecord {
    text: String,
}

impl From<SourceRecord> for OutageSource {
    fn from(r: SourceRecord) -> Self {
        match r {
            SourceRecord::Change(c) => Self::Change { change: c.change },
            SourceRecord::Incident(i) => Self::Incident {
                reference: i.reference,
            },
            SourceRecord::Note(n) => Self::Note { text: n.text },
        }
    }
}

/// One recorded outage of a CI (or service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outage {
    /// The record's key.
    pub key: String,
    /// The CI that was down or degraded.
    pub ci: Id<Ci>,
    /// Start.
    pub start: DateTime<Utc>,
    /// End; `None` while open.
    pub end: Option<DateTime<Utc>>,
    /// Down or degraded.
    pub state: OutageState,
    /// Planned or not.
    pub kind: OutageKind,
    /// Where it comes from.
    pub source: OutageSource,
}

impl Outage {
    /// The outage as a span ending at its end, or at `as_of` while open (never before its
    /// start).
    #[must_use]
    pub fn until(&self, as_of: DateTime<Utc>) -> Option<CiOutage> {
        let end = self.end.unwrap_or(as_of).max(self.start);
        Some(CiOutage {
            ci: self.ci,
            period: Period::new(self.start, end).ok()?,
            state: self.state,
            planned: self.kind == OutageKind::Planned,
        })
    }
}

/// Overlapping spans as one sorted, non-overlapping list: at each instant the worst state
/// (down over degraded) counts, unplanned when any span of that state there is unplanned;
/// touching stretches alike are joined.
#[must_use]
pub fn flatten(spans: &[Span]) -> Vec<Span> {
    // +1/-1 per (state, planned) at each boundary.
    let slot = |s: &Span| usize::from(s.state == OutageState::Down) * 2 + usize::from(s.planned);
    let mut edges: Vec<(DateTime<Utc>, usize, i32)> = Vec::with_capacity(spans.len() * 2);
    for s in spans.iter().filter(|s| !s.period.is_empty()) {
        edges.push((s.period.start(), slot(s), 1));
        edges.push((s.period.end(), slot(s), -1));
    }
    edges.sort_unstable();
    let mut open = [0i32; 4];
    let mut out: Vec<Span> = Vec::new();
    let mut k = 0;
    while let Some(&(t, _, _)) = edges.get(k) {
        while let Some(&(u, which, d)) = edges.get(k) {
            if u != t {
                break;
            }
            if let Some(n) = open.get_mut(which) {
                *n += d;
            }
            k += 1;
        }
        let Some(&(next, _, _)) = edges.get(k) else {
            break;
        };
        let count = |i: usize| open.get(i).copied().unwrap_or(0);
        let (state, planned) = if count(2) + count(3) > 0 {
            (OutageState::Down, count(2) == 0)
        } else if count(0) + count(1) > 0 {
            (OutageState::Degraded, count(0) == 0)
        } else {
            continue;
        };
        let Ok(stretch) = Period::new(t, next) else {
            continue;
        };
        match out.last_mut() {
            Some(last)
                if last.period.end() == t && last.state == state && last.planned == planned =>
            {
                last.period = last.period.span(&stretch);
            }
            _ => out.push(Span {
                period: stretch,
                state,
                planned,
            }),
        }
    }
    out
}

/// A service's measurement with the outages it was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAvailability {
    /// The service.
    pub service: Id<Ci>,
    /// The conventions it was measured by.
    pub conventions: Conventions,
    /// The figures.
    pub measurement: Measurement,
    /// The service's outages within the period, derived through the graph.
    pub spans: Vec<Span>,
}

/// Targets and outages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityRegister {
    targets: BTreeMap<Id<Ci>, Vec<ServiceTarget>>,
    outages: BTreeMap<String, Outage>,
    /// Service outages kept when CI outages ended (see the module doc).
    ledger: BTreeMap<Id<Ci>, Vec<Span>>,
}

fn in_future(
    key: &str,
    field: &'static str,
    value: DateTime<Utc>,
    at: DateTime<Utc>,
) -> AvailabilityError {
    AvailabilityError::OutageInFuture {
        key: key.to_owned(),
        field,
        value: value.to_rfc3339(),
        at: at.to_rfc3339(),
    }
}

impl AvailabilityRegister {
    /// An empty register.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `service`'s target and hours from `at` on (earlier settings are kept).
    ///
    /// # Errors
    /// [`AvailabilityError::SubSecond`] for an `at` with a fraction of a second;
    /// [`AvailabilityError::TargetOrder`] when `at` is before the service's last setting.
    pub fn set_target(
        &mut self,
        service: Id<Ci>,
        hours: Calendar,
        target: Percent,
        conventions: Conventions,
        at: DateTime<Utc>,
    ) -> Result<(), AvailabilityError> {
        whole_second("target time", at)?;
        let list = self.targets.entry(service).or_default();
        if let Some(last) = list.last() {
            if at < last.since {
                return Err(AvailabilityError::TargetOrder {
                    at: at.to_rfc3339(),
                    last: last.since.to_rfc3339(),
                });
            }
        }
        list.push(ServiceTarget {
            hours,
            target,
            conventions,
            since: at,
        });
        Ok(())
    }

    /// Every setting of `service`'s target, oldest first.
    #[must_use]
    pub fn targets_of(&self, service: Id<Ci>) -> &[ServiceTarget] {
        self.targets.get(&service).map_or(&[], Vec::as_slice)
    }

    /// The services that have a target.
    pub fn services(&self) -> impl Iterator<Item = Id<Ci>> + '_ {
        self.targets.keys().copied()
    }

    /// The outage recorded under `key`.
    #[must_use]
    pub fn outage(&self, key: &str) -> Option<&Outage> {
        self.outages.get(key)
    }

    /// Every outage, by key.
    pub fn outages(&self) -> impl Iterator<Item = &Outage> + '_ {
        self.outages.values()
    }

    /// Records `outage` at `at`.
    ///
    /// # Errors
    /// [`AvailabilityError::DuplicateOutage`], [`AvailabilityError::OutageInFuture`] (a start
    /// or end after `at`), [`AvailabilityError::OutageBackwards`] (an end before the start),
    /// [`AvailabilityError::SubSecond`].
    pub fn record_outage(
        &mut self,
        cmdb: &Cmdb,
        outage: Outage,
        at: DateTime<Utc>,
    ) -> Result<(), AvailabilityError> {
        if self.outages.contains_key(&outage.key) {
            return Err(AvailabilityError::DuplicateOutage { key: outage.key });
        }
        whole_second("outage start", outage.start)?;
        if outage.start > at {
            return Err(in_future(&outage.key, "start", outage.start, at));
        }
        if cmdb.ci(outage.ci).is_none() {
            return Err(AvailabilityError::Cmdb {
                reason: format!(
                    "outage `{}` names a CI the configuration does not hold",
                    outage.key
                ),
            });
        }
        let ended = match outage.end {
            Some(end) => {
                Self::check_end(&outage, end, at)?;
                Period::new(outage.start, end).ok()
            }
            None => None,
        };
        let derived = match ended {
            Some(p) => Some((p, self.derive(cmdb, &p, at, Some(&outage))?)),
            None => None,
        };
        self.outages.insert(outage.key.clone(), outage);
        if let Some((window, spans)) = derived {
            self.keep(&window, spans);
        }
        Ok(())
    }

    /// The services' outages over `window`, from every recorded outage (and `extra`) that
    /// overlaps it, open ones running to `at`, through `cmdb` as it stands.
    fn derive(
        &self,
        cmdb: &Cmdb,
        window: &Period,
        at: DateTime<Utc>,
        extra: Option<&Outage>,
    ) -> Result<BTreeMap<Id<Ci>, Vec<Span>>, AvailabilityError> {
        let outages: Vec<CiOutage> = self
            .outages
            .values()
            .filter(|o| extra.is_none_or(|e| e.key != o.key))
            .chain(extra)
            .filter(|o| o.start < window.end() && o.end.unwrap_or(at).max(o.start) > window.start())
            .filter_map(|o| o.until(at))
            .filter(|o| o.period.overlaps(window) && cmdb.ci(o.ci).is_some())
            .collect();
        service_outages(cmdb, &outages, window).map_err(|e| AvailabilityError::Cmdb {
            reason: e.to_string(),
        })
    }

    /// Adds spans derived over `window` to the ledger (it only grows). Each service's kept
    /// list stays flattened (sorted, non-overlapping); only the stretch around `window` is
    /// flattened again, so keeping costs what the window touches, not the whole history.
    fn keep(&mut self, window: &Period, spans: BTreeMap<Id<Ci>, Vec<Span>>) {
        for (service, list) in spans {
            let kept = self.ledger.entry(service).or_default();
            let lo = kept.partition_point(|s| s.period.end() < window.start());
            let hi = kept.partition_point(|s| s.period.start() <= window.end());
            let mut local: Vec<Span> = kept.get(lo..hi).unwrap_or_default().to_vec();
            local.extend(list);
            let merged = flatten(&local);
            if lo <= hi && hi <= kept.len() {
                kept.splice(lo..hi, merged);
            } else {
                kept.extend(merged);
                *kept = flatten(kept);
            }
        }
    }

    /// The service outages kept in the ledger for `service`.
    #[must_use]
    pub fn kept(&self, service: Id<Ci>) -> &[Span] {
        self.ledger.get(&service).map_or(&[], Vec::as_slice)
    }

    /// An outage of `ci` still open, if any.
    #[must_use]
    pub fn open_outage(&self, ci: Id<Ci>) -> Option<&Outage> {
        self.outages
            .values()
            .find(|o| o.ci == ci && o.end.is_none())
    }

    fn check_end(
        outage: &Outage,
        end: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<(), AvailabilityError> {
        whole_second("outage end", end)?;
        if end > at {
            return Err(in_future(&outage.key, "end", end, at));
        }
        if end < outage.start {
            return Err(AvailabilityError::OutageBackwards {
                key: outage.key.clone(),
                start: outage.start.to_rfc3339(),
                end: end.to_rfc3339(),
            });
        }
        Ok(())
    }

    /// Ends the open outage `key` at `end`, recorded at `at`.
    ///
    /// # Errors
    /// [`AvailabilityError::UnknownOutage`], [`AvailabilityError::OutageEnded`], and the end
    /// checks of [`Self::record_outage`].
    pub fn end_outage(
        &mut self,
        cmdb: &Cmdb,
        key: &str,
        end: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<(), AvailabilityError> {
        let outage = self
            .outages
            .get(key)
            .ok_or_else(|| AvailabilityError::UnknownOutage {
                key: key.to_owned(),
            })?;
        if let Some(ended) = outage.end {
            return Err(AvailabilityError::OutageEnded {
                key: key.to_owned(),
                end: ended.to_rfc3339(),
            });
        }
        Self::check_end(outage, end, at)?;
        let mut ended = outage.clone();
        ended.end = Some(end);
        let derived = match Period::new(ended.start, end) {
            Ok(p) => Some((p, self.derive(cmdb, &p, at, Some(&ended))?)),
            Err(_) => None,
        };
        self.outages.insert(key.to_owned(), ended);
        if let Some((window, spans)) = derived {
            self.keep(&window, spans);
        }
        Ok(())
    }

    /// The versions of `service`'s target in force during `period`, each with the part of
    /// the period it covers.
    fn versions_in(&self, service: Id<Ci>, period: &Period) -> Vec<(&ServiceTarget, Period)> {
        let list = self.targets_of(service);
        list.iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let until = list.get(i + 1).map_or(period.end(), |n| n.since);
                let valid =
                    Period::new(t.since.max(period.start()), until.min(period.end())).ok()?;
                (!valid.is_empty() || (period.is_empty() && t.since <= period.start()))
                    .then_some((t, valid))
            })
            .collect()
    }

    /// Measures every service in `services` (each must have a target in force during
    /// `period`; others are skipped) over `period`: the ledger's outages plus, while outages
    /// are open, the stretch from the earliest open start to `as_of` derived live through
    /// `cmdb`. `maintenance` gives each service's agreed maintenance windows. With
    /// `conventions` `None`, each service is measured by the conventions of the setting in
    /// force when the period began (a setting made within the period applies from the next).
    ///
    /// # Errors
    /// The measurement's own errors ([`AvailabilityError::SubSecond`] cannot occur for
    /// recorded outages).
    pub fn measure_services(
        &self,
        cmdb: &Cmdb,
        services: &[Id<Ci>],
        period: &Period,
        conventions: Option<Conventions>,
        as_of: DateTime<Utc>,
        maintenance: impl Fn(Id<Ci>) -> Vec<Period>,
    ) -> Result<Vec<ServiceAvailability>, AvailabilityError> {
        let open_from = self
            .outages
            .values()
            .filter(|o| o.end.is_none() && o.start < as_of)
            .map(|o| o.start)
            .min();
        let mut live = match open_from.and_then(|s| Period::new(s, as_of).ok()) {
            Some(window) => match window.intersection(period) {
                Some(w) if !w.is_empty() => self.derive(cmdb, &w, as_of, None)?,
                _ => BTreeMap::new(),
            },
            None => BTreeMap::new(),
        };
        let mut out = Vec::with_capacity(services.len());
        for &service in services {
            let versions = self.versions_in(service, period);
            // The strictest target in force in the period; the conventions in force when the
            // period began (a setting made within it takes effect from the next period), so
            // neither can be relaxed after the fact.
            let Some(target) = versions.iter().map(|(t, _)| t.target).max() else {
                continue;
            };
            let Some(first) = versions.first().map(|(t, _)| t.conventions) else {
                continue;
            };
            let conventions = conventions.unwrap_or(first);
            let mut hours: Vec<Period> = Vec::new();
            for (t, valid) in &versions {
                hours.extend(t.hours.open_intervals(valid));
            }
            let mut spans: Vec<Span> = self
                .kept(service)
                .iter()
                .filter(|s| s.period.overlaps(period))
                .copied()
                .collect();
            spans.extend(live.remove(&service).unwrap_or_default());
            let spans = flatten(&spans);
            let measurement = measure(
                period,
                &hours,
                &maintenance(service),
                &spans,
                target,
                conventions,
            )?;
            out.push(ServiceAvailability {
                service,
                conventions,
                measurement,
                spans,
            });
        }
        Ok(out)
    }

    /// The calendar in force for `service` at `at` (the first setting when `at` is before
    /// it), to resolve a [`crate::MeasurePeriod`] in its zone.
    #[must_use]
    pub fn hours_at(&self, service: Id<Ci>, at: DateTime<Utc>) -> Option<&Calendar> {
        let list = self.targets_of(service);
        list.iter()
            .rev()
            .find(|t| t.since <= at)
            .or_else(|| list.first())
            .map(|t| &t.hours)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};
    use itsm_cmdb::{CiKind, Relation, RelationKind, ServiceProfile};
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap()
    }

    fn estate() -> (Cmdb, Id<Ci>, Id<Ci>) {
        let mut cmdb = Cmdb::new();
        let svc = itsm_cmdb::Ci::new("web", "Web", CiKind::Service(ServiceProfile::default()));
        let host = itsm_cmdb::Ci::new("host", "Host", CiKind::Hardware);
        let (s, h) = (svc.id, host.id);
        cmdb.add_ci(svc).unwrap();
        cmdb.add_ci(host).unwrap();
        cmdb.relate(Relation::new(s, RelationKind::RunsOn, h))
            .unwrap();
        (cmdb, s, h)
    }

    fn outage(key: &str, ci: Id<Ci>, start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Outage {
        Outage {
            key: key.into(),
            ci,
            start,
            end,
            state: OutageState::Down,
            kind: OutageKind::Unplanned,
            source: OutageSource::Incident {
                reference: "INC-1".into(),
            },
        }
    }

    const PLAIN: Conventions = Conventions {
        planned_leaves_denominator: false,
        count_outages_outside_hours: false,
        degraded_counts_as_down: false,
    };

    fn december() -> Period {
        Period::new(at(1, 0), Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap()).unwrap()
    }

    fn measured(
        reg: &AvailabilityRegister,
        cmdb: &Cmdb,
        svc: Id<Ci>,
        as_of: DateTime<Utc>,
    ) -> Measurement {
        let mut all = reg
            .measure_services(cmdb, &[svc], &december(), Some(PLAIN), as_of, |_| {
                Vec::new()
            })
            .unwrap();
        all.pop().unwrap().measurement
    }

    #[test]
    fn lowering_the_target_afterwards_does_not_make_a_missed_month_pass() {
        let (cmdb, svc, host) = estate();
        let mut reg = AvailabilityRegister::new();
        let always = Calendar::always(0).unwrap();
        reg.set_target(
            svc,
            always.clone(),
            Percent::new(dec!(99.9)).unwrap(),
            PLAIN,
            at(1, 0),
        )
        .unwrap();
        reg.record_outage(
            &cmdb,
            outage("o1", host, at(3, 0), Some(at(3, 5))),
            at(3, 6),
        )
        .unwrap();
        assert!(!measured(&reg, &cmdb, svc, at(31, 0)).met);
        // In January the target is lowered to 90 %: December is still measured at 99.9 %.
        let january = Utc.with_ymd_and_hms(2027, 1, 2, 0, 0, 0).unwrap();
        reg.set_target(svc, always, Percent::new(dec!(90)).unwrap(), PLAIN, january)
            .unwrap();
        let m = measured(&reg, &cmdb, svc, january);
        assert_eq!(m.target_percent.value(), dec!(99.9));
        assert!(!m.met);
        // Lowered within December, the strictest in force during the month still counts.
        let mut reg2 = AvailabilityRegister::new();
        reg2.set_target(
            svc,
            Calendar::always(0).unwrap(),
            Percent::new(dec!(99.9)).unwrap(),
            PLAIN,
            at(1, 0),
        )
        .unwrap();
        reg2.set_target(
            svc,
            Calendar::always(0).unwrap(),
            Percent::new(dec!(90)).unwrap(),
            PLAIN,
            at(20, 0),
        )
        .unwrap();
        assert_eq!(
            measured(&reg2, &cmdb, svc, at(31, 0))
                .target_percent
                .value(),
            dec!(99.9)
        );
    }

    #[test]
    fn service_hours_change_within_the_period_each_over_their_part() {
        let (cmdb, svc, _) = estate();
        let mut reg = AvailabilityRegister::new();
        let target = Percent::new(dec!(99)).unwrap();
        reg.set_target(svc, Calendar::always(0).unwrap(), target, PLAIN, at(1, 0))
            .unwrap();
        // From the 11th, weekdays 08:00-18:00 only.
        reg.set_target(
            svc,
            Calendar::business_hours(0, 8 * 60, 18 * 60).unwrap(),
            target,
            PLAIN,
            at(11, 0),
        )
        .unwrap();
        let m = measured(&reg, &cmdb, svc, at(31, 0));
        // 10 days around the clock, then the weekdays from Fri 11th to Thu 31st: 15 of them.
        assert_eq!(m.hours_s, 10 * 86_400 + 15 * 36_000);
    }

    #[test]
    fn a_relation_removed_afterwards_does_not_erase_kept_downtime() {
        let (mut cmdb, svc, host) = estate();
        let mut reg = AvailabilityRegister::new();
        reg.set_target(
            svc,
            Calendar::always(0).unwrap(),
            Percent::new(dec!(99)).unwrap(),
            PLAIN,
            at(1, 0),
        )
        .unwrap();
        reg.record_outage(&cmdb, outage("o1", host, at(3, 0), None), at(3, 0))
            .unwrap();
        // Open: counted live up to as_of.
        assert_eq!(measured(&reg, &cmdb, svc, at(3, 2)).downtime_s, 7200);
        reg.end_outage(&cmdb, "o1", at(3, 4), at(3, 5)).unwrap();
        cmdb.unrelate(Relation::new(svc, RelationKind::RunsOn, host))
            .unwrap();
        let m = measured(&reg, &cmdb, svc, at(31, 0));
        assert_eq!((m.downtime_s, m.outages), (4 * 3600, 1));
        // A retroactive outage recorded now, through the new graph, adds nothing to the
        // service and takes nothing away.
        reg.record_outage(
            &cmdb,
            outage("o2", host, at(3, 1), Some(at(3, 2))),
            at(10, 0),
        )
        .unwrap();
        assert_eq!(measured(&reg, &cmdb, svc, at(31, 0)).downtime_s, 4 * 3600);
    }

    #[test]
    fn bad_records_are_refused_and_change_nothing() {
        let (cmdb, _, host) = estate();
        let mut reg = AvailabilityRegister::new();
        reg.record_outage(&cmdb, outage("o1", host, at(3, 0), None), at(3, 0))
            .unwrap();
        let before = reg.clone();
        let cases: Vec<(Result<(), AvailabilityError>, &str)> = vec![
            (
                reg.clone()
                    .record_outage(&cmdb, outage("o1", host, at(3, 0), None), at(4, 0)),
                "already recorded",
            ),
            (
                reg.clone()
                    .record_outage(&cmdb, outage("o2", host, at(5, 0), None), at(4, 0)),
                "after the time of recording",
            ),
            (
                reg.clone().record_outage(
                    &cmdb,
                    outage("o2", host, at(3, 0), Some(at(2, 0))),
                    at(4, 0),
                ),
                "before it starts",
            ),
            (
                reg.clone().record_outage(
                    &cmdb,
                    outage("o2", host, at(3, 0), Some(at(4, 1))),
                    at(4, 0),
                ),
                "`o2` end",
            ),
            (
                reg.clone().record_outage(
                    &cmdb,
                    outage("o2", Id::from_key("nobody"), at(3, 0), None),
                    at(4, 0),
                ),
                "does not hold",
            ),
            (
                reg.clone().end_outage(&cmdb, "o9", at(3, 1), at(4, 0)),
                "no outage `o9`",
            ),
            (
                reg.clone().end_outage(&cmdb, "o1", at(2, 1), at(4, 0)),
                "before it starts",
            ),
            (
                reg.clone().record_outage(
                    &cmdb,
                    outage("o3", host, at(3, 0) + TimeDelta::milliseconds(1), None),
                    at(4, 0),
                ),
                "fraction of a second",
            ),
        ];
        for (result, expected) in cases {
            let err = result.unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
        assert_eq!(reg, before);
        reg.end_outage(&cmdb, "o1", at(3, 1), at(4, 0)).unwrap();
        let err = reg.end_outage(&cmdb, "o1", at(3, 2), at(4, 0)).unwrap_err();
        assert!(err.to_string().contains("already ended"), "{err}");
        let json = serde_json::to_string(&reg).unwrap();
        assert_eq!(
            serde_json::from_str::<AvailabilityRegister>(&json).unwrap(),
            reg
        );
    }

    proptest! {
        /// Keeping a derivation splices it into the flattened list around its window: the
        /// ledger equals flattening every derivation at once.
        #[test]
        fn the_ledger_equals_flattening_every_derivation(
            raw in proptest::collection::vec((0i64..600, 1i64..200, any::<bool>()), 1..12)
        ) {
            let (cmdb, svc, host) = estate();
            let app_like = [svc, host];
            let t0 = at(1, 0);
            let m = |x: i64| t0 + TimeDelta::minutes(x);
            let mut list: Vec<Outage> = raw.iter().enumerate().map(|(i, &(s, l, on_svc))| Outage {
                key: format!("o{i}"),
                ci: app_like[usize::from(on_svc)],
                start: m(s),
                end: Some(m(s + l)),
                state: if i % 3 == 0 { OutageState::Degraded } else { OutageState::Down },
                kind: if i % 2 == 0 { OutageKind::Planned } else { OutageKind::Unplanned },
                source: OutageSource::Note { text: "x".into() },
            }).collect();
            list.sort_by_key(|o| o.end);
            let mut reg = AvailabilityRegister::new();
            let mut all: Vec<Span> = Vec::new();
            for o in &list {
                let end = o.end.unwrap();
                reg.record_outage(&cmdb, o.clone(), end).unwrap();
                let window = Period::new(o.start, end).unwrap();
                let so_far: Vec<CiOutage> = reg.outages().filter_map(|x| x.until(end)).collect();
                let derived = service_outages(&cmdb, &so_far, &window).unwrap();
                all.extend(derived.get(&svc).cloned().unwrap_or_default());
            }
            prop_assert_eq!(reg.kept(svc).to_vec(), flatten(&all));
        }

        /// Minute by minute, a flattened list says the worst state of the spans covering the
        /// minute, unplanned when any span of that state is, and never overlaps itself.
        #[test]
        fn flatten_keeps_the_worst_state_of_each_minute(
            raw in proptest::collection::vec((0i64..300, 1i64..120, any::<bool>(), any::<bool>()), 0..8)
        ) {
            let t0 = at(1, 0);
            let m = |x: i64| t0 + TimeDelta::minutes(x);
            let spans: Vec<Span> = raw.iter().map(|&(s, l, down, planned)| Span {
                period: Period::new(m(s), m(s + l)).unwrap(),
                state: if down { OutageState::Down } else { OutageState::Degraded },
                planned,
            }).collect();
            let flat = flatten(&spans);
            for pair in flat.windows(2) {
                prop_assert!(pair[0].period.end() <= pair[1].period.start());
            }
            for x in 0..450 {
                let t = m(x);
                let covering: Vec<&Span> = spans.iter().filter(|s| s.period.contains(t)).collect();
                let worst = covering.iter().map(|s| s.state).max();
                let got = flat.iter().find(|s| s.period.contains(t));
                prop_assert_eq!(got.map(|s| s.state), worst);
                if let (Some(g), Some(w)) = (got, worst) {
                    prop_assert_eq!(g.planned, covering.iter().filter(|s| s.state == w).all(|s| s.planned));
                }
            }
        }
    }
}
