//! Measured availability: outage records against agreed service hours (ISO/IEC 20000-1 8.7.1;
//! ISO/IEC TR 20000-17 5.2, 5.6).
//!
//! [`measure`] takes a period, the service hours within it (from
//! [`itsm_core::Calendar::open_intervals`]), the agreed maintenance windows, the outages and a
//! target, and returns a [`Measurement`]. Every convention is an argument ([`Conventions`]);
//! nothing is defaulted.
//!
//! # Definitions
//!
//! All durations are whole seconds (instants with a fraction of a second are refused). Outages
//! are clipped to the period and merged first: overlapping or touching outages are one outage,
//! and time covered twice counts once. Then, within the period:
//!
//! - `hours_s`: service-hours seconds;
//! - `agreed_s`: `hours_s`, less the maintenance-window seconds inside service hours when
//!   [`Conventions::planned_leaves_denominator`] is true;
//! - `planned_s`: outage seconds inside service hours and inside an agreed maintenance window.
//!   Not charged, whatever the outage's kind: the window is agreed downtime;
//! - `downtime_s`: the other outage seconds inside service hours — charged. A planned outage
//!   outside any maintenance window is charged like an unplanned one;
//! - `outside_hours_s`: outage seconds outside service hours (excluded);
//! - `availability_percent` = (agreed − downtime) / agreed × 100, exact to 28 significant
//!   digits (`None` when nothing is agreed: there is nothing to measure); `met` when it is at
//!   least the target (also when nothing is agreed);
//! - `allowed_downtime_s` = ⌊agreed × (100 − target) / 100⌋; `remaining_s` = allowed −
//!   downtime, negative when the budget is overrun;
//! - `outages`: merged outages with charged time, plus, when
//!   [`Conventions::count_outages_outside_hours`], those wholly outside service hours;
//! - `mtrs_s` = ⌊downtime / outages⌋ and `mtbf_s` = ⌊(agreed − downtime) / outages⌋, `None`
//!   when no outage counts.
//!
//! Degraded time (a service running without its redundancy margin) counts as down only when
//! [`Conventions::degraded_counts_as_down`]; otherwise its seconds inside service hours are
//! reported apart as `degraded_s` (degraded time that is also down counts as down only).

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc};
use itsm_core::{Period, Zone};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::AvailabilityError;

/// How an outage affected what it hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageState {
    /// Running without its redundancy margin.
    Degraded,
    /// Not working.
    Down,
}

/// One stretch of unavailability of a service (or CI), with a known end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Span {
    /// When it started and ended.
    pub period: Period,
    /// Down or degraded.
    pub state: OutageState,
    /// True when it was planned (informational: whether it is charged depends on the
    /// maintenance windows, see the module doc).
    pub planned: bool,
}

/// The conventions of a measurement: each one explicit, none defaulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "conventions: an object with `planned_leaves_denominator`, `count_outages_outside_hours` and `degraded_counts_as_down`"
)]
pub struct Conventions {
    /// Maintenance-window time inside service hours leaves the agreed time (the denominator).
    pub planned_leaves_denominator: bool,
    /// An outage wholly outside service hours counts as a failure for MTBF and MTRS.
    pub count_outages_outside_hours: bool,
    /// Degraded time counts as down.
    pub degraded_counts_as_down: bool,
}

/// An availability target: a percentage from 0 to 100 inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Percent(Decimal);

impl Percent {
    /// `value` percent.
    ///
    /// # Errors
    /// [`AvailabilityError::Percent`] outside 0..=100.
    pub fn new(value: Decimal) -> Result<Self, AvailabilityError> {
        if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
            return Err(AvailabilityError::Percent {
                value: value.to_string(),
            });
        }
        Ok(Self(value.normalize()))
    }

    /// The percentage.
    #[must_use]
    pub const fn value(self) -> Decimal {
        self.0
    }
}

impl TryFrom<Decimal> for Percent {
    type Error = AvailabilityError;
    fn try_from(value: Decimal) -> Result<Self, AvailabilityError> {
        Self::new(value)
    }
}

impl From<Percent> for Decimal {
    fn from(p: Percent) -> Self {
        p.0
    }
}

/// The figures of a measurement (see the module doc for each definition).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measurement {
    /// The period measured.
    pub period: Period,
    /// Service-hours seconds in the period.
    pub hours_s: i64,
    /// Agreed seconds: the denominator.
    pub agreed_s: i64,
    /// Charged outage seconds inside service hours.
    pub downtime_s: i64,
    /// Outage seconds inside service hours and a maintenance window (not charged).
    pub planned_s: i64,
    /// Outage seconds outside service hours (excluded).
    pub outside_hours_s: i64,
    /// Degraded seconds inside service hours not counted as down.
    pub degraded_s: i64,
    /// Availability in percent, unrounded; `None` when nothing is agreed.
    pub availability_percent: Option<Decimal>,
    /// The target.
    pub target_percent: Percent,
    /// True when the availability is at least the target (or nothing is agreed).
    pub met: bool,
    /// Downtime the target allows.
    pub allowed_downtime_s: i64,
    /// Allowed less charged downtime; negative when overrun.
    pub remaining_s: i64,
    /// Outages counted for MTBF and MTRS.
    pub outages: u64,
    /// Mean time between failures, in seconds.
    pub mtbf_s: Option<i64>,
    /// Mean time to restore service, in seconds.
    pub mtrs_s: Option<i64>,
}

impl Measurement {
    /// The availability rounded half-even to `places` decimal places, for display.
    #[must_use]
    pub fn availability_rounded(&self, places: u32) -> Option<Decimal> {
        self.availability_percent.map(|a| {
            a.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointNearestEven)
        })
    }
}

/// Which period to measure. Each form is resolved on the wall clock of the service hours'
/// zone ([`MeasurePeriod::resolve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", from = "PeriodRecord")]
pub enum MeasurePeriod {
    /// A calendar month: from local midnight of its first day to local midnight of the next
    /// month's first day.
    Month {
        /// The year.
        year: i32,
        /// The month, 1 to 12.
        month: u32,
    },
    /// A calendar year, local midnight to local midnight.
    Year {
        /// The year.
        year: i32,
    },
    /// The `days` × 24 hours that end at `end` (exclusive).
    Rolling {
        /// How many days.
        days: u32,
        /// The end of the period.
        end: DateTime<Utc>,
    },
    /// Given bounds.
    Between {
        /// Start (inclusive).
        start: DateTime<Utc>,
        /// End (exclusive).
        end: DateTime<Utc>,
    },
}

/// How a [`MeasurePeriod`] is read: each form's fields as a struct that says what it expects
/// (serde would name the Rust variant of a malformed one).
#[derive(Deserialize)]
#[serde(
    rename_all = "snake_case",
    expecting = "a period: `{\"month\": {\"year\", \"month\"}}`, `{\"year\": {\"year\"}}`, `{\"rolling\": {\"days\", \"end\"}}` or `{\"between\": {\"start\", \"end\"}}`"
)]
enum PeriodRecord {
    Month(MonthRecord),
    Year(YearRecord),
    Rolling(RollingRecord),
    Between(BetweenRecord),
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a month: `{\"year\": 2026, \"month\": 12}`"
)]
struct MonthRecord {
    year: i32,
    month: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a year: `{\"year\": 2026}`")]
struct YearRecord {
    year: i32,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rolling period: `{\"days\": 30, \"end\": \"2026-12-01T00:00:00Z\"}`"
)]
struct RollingRecord {
    days: u32,
    end: DateTime<Utc>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "bounds: `{\"start\": ..., \"end\": ...}`"
)]
struct BetweenRecord {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl From<PeriodRecord> for MeasurePeriod {
    fn from(r: PeriodRecord) -> Self {
        match r {
            PeriodRecord::Month(m) => Self::Month {
                year: m.year,
                month: m.month,
            },
            PeriodRecord::Year(y) => Self::Year { year: y.year },
            PeriodRecord::Rolling(r) => Self::Rolling {
                days: r.days,
                end: r.end,
            },
            PeriodRecord::Between(b) => Self::Between {
                start: b.start,
                end: b.end,
            },
        }
    }
}

impl MeasurePeriod {
    /// The period as UTC bounds, local dates read in `zone` (local midnight resolved as
    /// [`Zone::resolve`] does).
    ///
    /// # Errors
    /// [`AvailabilityError::Period`] for a month outside 1..=12, zero rolling days, or a period
    /// longer than [`MAX_MEASURED_DAYS`]; [`AvailabilityError::Bounds`] for a start after the
    /// end or bounds outside the range the engine accepts.
    pub fn resolve(&self, zone: &Zone) -> Result<Period, AvailabilityError> {
        let bad = |reason: &'static str| AvailabilityError::Period { reason };
        let midnight = |d: NaiveDate| {
            zone.resolve(d.and_time(chrono::NaiveTime::MIN))
                .ok_or(bad("a local midnight outside the range chrono represents"))
        };
        let (start, end) = match *self {
            Self::Month { year, month } => {
                let first = NaiveDate::from_ymd_opt(year, month, 1)
                    .ok_or(bad("the month must be 1 to 12 of a representable year"))?;
                let next = first
                    .checked_add_months(chrono::Months::new(1))
                    .ok_or(bad("the month after is not representable"))?;
                (midnight(first)?, midnight(next)?)
            }
            Self::Year { year } => {
                let first = NaiveDate::from_ymd_opt(year, 1, 1)
                    .ok_or(bad("the year is not representable"))?;
                let next = NaiveDate::from_ymd_opt(year.saturating_add(1), 1, 1)
                    .filter(|n| n.year() > year)
                    .ok_or(bad("the year after is not representable"))?;
                (midnight(first)?, midnight(next)?)
            }
            Self::Rolling { days, end } => {
                if days == 0 {
                    return Err(bad("a rolling period needs at least one day"));
                }
                let start = end
                    .checked_sub_signed(TimeDelta::days(i64::from(days)))
                    .ok_or(bad("the start of the rolling period is not representable"))?;
                (start, end)
            }
            Self::Between { start, end } => (start, end),
        };
        let period = Period::new(start, end).map_err(|e| AvailabilityError::Bounds {
            field: "period",
            reason: e.to_string(),
        })?;
        check_span(&period)?;
        Ok(period)
    }
}

/// The longest period measured at once, in days (about ten years, as
/// [`itsm_core::bounds::MAX_INTERVAL_DAYS`]): service hours are listed day by day.
pub const MAX_MEASURED_DAYS: i64 = itsm_core::bounds::MAX_INTERVAL_DAYS as i64;

/// Refuses a period longer than [`MAX_MEASURED_DAYS`].
///
/// # Errors
/// [`AvailabilityError::Period`].
pub fn check_span(period: &Period) -> Result<(), AvailabilityError> {
    if period.duration() > TimeDelta::days(MAX_MEASURED_DAYS) {
        return Err(AvailabilityError::Period {
            reason: "a measured period spans at most 3660 days (about ten years)",
        });
    }
    Ok(())
}

/// Checks that an instant is a whole second.
pub(crate) fn whole_second(
    field: &'static str,
    at: DateTime<Utc>,
) -> Result<i64, AvailabilityError> {
    if at.nanosecond() != 0 {
        return Err(AvailabilityError::SubSecond {
            field,
            at: at.to_rfc3339(),
        });
    }
    Ok(at.timestamp())
}

/// Sorted, disjoint `[start, end)` second pairs, touching ones merged, clipped to `[lo, hi)`.
fn merged(
    field: &'static str,
    periods: impl Iterator<Item = Period>,
    lo: i64,
    hi: i64,
) -> Result<Vec<(i64, i64)>, AvailabilityError> {
    let mut out: Vec<(i64, i64)> = Vec::new();
    for p in periods {
        let s = whole_second(field, p.start())?.max(lo);
        let e = whole_second(field, p.end())?.min(hi);
        if s < e {
            out.push((s, e));
        }
    }
    out.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(out.len());
    for (s, e) in out {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    Ok(merged)
}

/// Prefix sums over sorted, disjoint intervals: the covered length of any `[a, b)` in
/// O(log n).
struct Cover {
    spans: Vec<(i64, i64)>,
    /// `before[i]`: the length of the spans before `i`.
    before: Vec<i64>,
}

impl Cover {
    fn new(spans: Vec<(i64, i64)>) -> Self {
        let mut before = Vec::with_capacity(spans.len() + 1);
        let mut total = 0;
        before.push(0);
        for (s, e) in &spans {
            total += e - s;
            before.push(total);
        }
        Self { spans, before }
    }

    fn total(&self) -> i64 {
        self.before.last().copied().unwrap_or(0)
    }

    /// Covered length of `(-inf, x)`.
    fn upto(&self, x: i64) -> i64 {
        let i = self.spans.partition_point(|(_, e)| *e <= x);
        let whole = self.before.get(i).copied().unwrap_or(0);
        match self.spans.get(i) {
            Some((s, _)) if *s < x => whole + (x - s),
            _ => whole,
        }
    }

    fn within(&self, a: i64, b: i64) -> i64 {
        self.upto(b) - self.upto(a)
    }
}

/// The intersection of two sorted, disjoint interval lists.
fn intersect(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        let (s, e) = (x.0.max(y.0), x.1.min(y.1));
        if s < e {
            out.push((s, e));
        }
        if x.1 < y.1 { i += 1 } else { j += 1 }
    }
    out
}

/// Measures availability over `period` (see the module doc for the definitions).
///
/// `hours` are the service hours within the period and `maintenance` the agreed maintenance
/// windows (any order, overlaps allowed); `outages` are the service's outages with known ends.
/// Time outside `period` is ignored.
///
/// # Errors
/// [`AvailabilityError::SubSecond`] for an instant with a fraction of a second;
/// [`AvailabilityError::Overflow`] if a figure does not fit (never for periods the engine
/// accepts).
pub fn measure(
    period: &Period,
    hours: &[Period],
    maintenance: &[Period],
    outages: &[Span],
    target: Percent,
    conventions: Conventions,
) -> Result<Measurement, AvailabilityError> {
    let lo = whole_second("period start", period.start())?;
    let hi = whole_second("period end", period.end())?;
    let hours = merged("service hours", hours.iter().copied(), lo, hi)?;
    let maintenance = merged("maintenance window", maintenance.iter().copied(), lo, hi)?;
    let counts_as_down =
        |s: &&Span| s.state == OutageState::Down || conventions.degraded_counts_as_down;
    let down = merged(
        "outage",
        outages.iter().filter(counts_as_down).map(|s| s.period),
        lo,
        hi,
    )?;
    let degraded = merged(
        "outage",
        outages
            .iter()
            .filter(|s| !counts_as_down(s))
            .map(|s| s.period),
        lo,
        hi,
    )?;
    let hours_in_maintenance = Cover::new(intersect(&hours, &maintenance));
    let hours = Cover::new(hours);
    let hours_s = hours.total();
    let agreed_s = if conventions.planned_leaves_denominator {
        hours_s - hours_in_maintenance.total()
    } else {
        hours_s
    };
    let (mut downtime_s, mut planned_s, mut outside_hours_s, mut counted) = (0i64, 0, 0, 0u64);
    for &(s, e) in &down {
        let inside = hours.within(s, e);
        let planned = hours_in_maintenance.within(s, e);
        let charged = inside - planned;
        downtime_s += charged;
        planned_s += planned;
        outside_hours_s += (e - s) - inside;
        if charged > 0 || (conventions.count_outages_outside_hours && inside == 0) {
            counted += 1;
        }
    }
    // Degraded seconds inside service hours that are not also down.
    let in_hours =
        |spans: &[(i64, i64)]| spans.iter().map(|&(s, e)| hours.within(s, e)).sum::<i64>();
    let degraded_s = in_hours(&degraded) - in_hours(&intersect(&degraded, &down));
    let overflow = || AvailabilityError::Overflow;
    let target_value = target.value();
    let availability_percent = if agreed_s > 0 {
        Some(
            Decimal::from(agreed_s - downtime_s)
                .checked_mul(Decimal::ONE_HUNDRED)
                .and_then(|x| x.checked_div(Decimal::from(agreed_s)))
                .ok_or_else(overflow)?
                .normalize(),
        )
    } else {
        None
    };
    let met = availability_percent.is_none_or(|a| a >= target_value);
    let allowed = Decimal::from(agreed_s)
        .checked_mul(Decimal::ONE_HUNDRED - target_value)
        .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
        .ok_or_else(overflow)?
        .floor();
    let allowed_downtime_s = i64::try_from(allowed).map_err(|_| overflow())?;
    let per = |total: i64| {
        i64::try_from(counted)
            .ok()
            .filter(|n| *n > 0)
            .map(|n| total.div_euclid(n))
    };
    Ok(Measurement {
        period: *period,
        hours_s,
        agreed_s,
        downtime_s,
        planned_s,
        outside_hours_s,
        degraded_s,
        availability_percent,
        target_percent: target,
        met,
        allowed_downtime_s,
        remaining_s: allowed_downtime_s - downtime_s,
        outages: counted,
        mtbf_s: per(agreed_s - downtime_s),
        mtrs_s: per(downtime_s),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDateTime, NaiveTime, TimeZone, Weekday};
    use itsm_core::{Calendar, Opening, ServiceWindow};
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn period(a: DateTime<Utc>, b: DateTime<Utc>) -> Period {
        Period::new(a, b).unwrap()
    }

    fn down(a: DateTime<Utc>, b: DateTime<Utc>, planned: bool) -> Span {
        Span {
            period: period(a, b),
            state: OutageState::Down,
            planned,
        }
    }

    const PLAIN: Conventions = Conventions {
        planned_leaves_denominator: false,
        count_outages_outside_hours: false,
        degraded_counts_as_down: false,
    };

    /// Mondays 08:00-18:00 in London, December 2026: 7, 14, 21 and 28, 40 hours.
    fn mondays() -> (Period, Vec<Period>) {
        let cal = Calendar::weekly_in(
            Zone::named("Europe/London").unwrap(),
            vec![ServiceWindow::new(Weekday::Mon, 8 * 60, 18 * 60).unwrap()],
        )
        .unwrap();
        let month = MeasurePeriod::Month {
            year: 2026,
            month: 12,
        }
        .resolve(cal.zone())
        .unwrap();
        let hours = cal.open_intervals(&month);
        (month, hours)
    }

    #[test]
    fn an_unplanned_hour_on_a_monday() {
        let (month, hours) = mondays();
        let target = Percent::new(dec!(99.9)).unwrap();
        let outages = [down(at(2026, 12, 7, 9, 0), at(2026, 12, 7, 10, 0), false)];
        let m = measure(&month, &hours, &[], &outages, target, PLAIN).unwrap();
        assert_eq!(
            (m.hours_s, m.agreed_s, m.downtime_s),
            (144_000, 144_000, 3600)
        );
        assert_eq!(m.availability_percent, Some(dec!(97.5)));
        assert!(!m.met);
        assert_eq!((m.allowed_downtime_s, m.remaining_s), (144, 144 - 3600));
        assert_eq!(
            (m.outages, m.mtrs_s, m.mtbf_s),
            (1, Some(3600), Some(140_400))
        );
    }

    #[test]
    fn overlapping_outages_count_once_and_time_outside_hours_is_excluded() {
        let (month, hours) = mondays();
        let target = Percent::new(dec!(95)).unwrap();
        let outages = [
            down(at(2026, 12, 14, 7, 0), at(2026, 12, 14, 9, 0), false),
            down(at(2026, 12, 14, 8, 30), at(2026, 12, 14, 9, 30), false),
            // Wholly outside service hours (a Tuesday).
            down(at(2026, 12, 15, 9, 0), at(2026, 12, 15, 10, 0), false),
        ];
        let m = measure(&month, &hours, &[], &outages, target, PLAIN).unwrap();
        assert_eq!(
            (m.downtime_s, m.outside_hours_s, m.outages),
            (5400, 3600 + 3600, 1)
        );
        let counting = Conventions {
            count_outages_outside_hours: true,
            ..PLAIN
        };
        let m = measure(&month, &hours, &[], &outages, target, counting).unwrap();
        assert_eq!((m.downtime_s, m.outages, m.mtrs_s), (5400, 2, Some(2700)));
    }

    #[test]
    fn downtime_in_a_maintenance_window_is_reported_apart_and_not_charged() {
        let (month, hours) = mondays();
        let target = Percent::new(dec!(99)).unwrap();
        let window = [period(at(2026, 12, 21, 17, 0), at(2026, 12, 21, 19, 0))];
        // Unplanned in the window: not charged either; planned outside it: charged.
        let outages = [
            down(at(2026, 12, 21, 16, 30), at(2026, 12, 21, 19, 0), false),
            down(at(2026, 12, 28, 9, 0), at(2026, 12, 28, 9, 20), true),
        ];
        let m = measure(&month, &hours, &window, &outages, target, PLAIN).unwrap();
        assert_eq!((m.planned_s, m.downtime_s), (3600, 1800 + 1200));
        assert_eq!((m.outside_hours_s, m.agreed_s), (3600, 144_000));
        let leaving = Conventions {
            planned_leaves_denominator: true,
            ..PLAIN
        };
        let m = measure(&month, &hours, &window, &outages, target, leaving).unwrap();
        assert_eq!(m.agreed_s, 144_000 - 3600);
        assert_eq!(m.allowed_downtime_s, 1404);
    }

    #[test]
    fn degraded_time_counts_only_by_convention() {
        let (month, hours) = mondays();
        let target = Percent::new(dec!(99)).unwrap();
        let outages = [Span {
            period: period(at(2026, 12, 7, 9, 0), at(2026, 12, 7, 11, 0)),
            state: OutageState::Degraded,
            planned: false,
        }];
        let m = measure(&month, &hours, &[], &outages, target, PLAIN).unwrap();
        assert_eq!((m.downtime_s, m.degraded_s, m.outages), (0, 7200, 0));
        assert_eq!(m.availability_percent, Some(dec!(100)));
        let strict = Conventions {
            degraded_counts_as_down: true,
            ..PLAIN
        };
        let m = measure(&month, &hours, &[], &outages, target, strict).unwrap();
        assert_eq!((m.downtime_s, m.degraded_s, m.outages), (7200, 0, 1));
    }

    #[test]
    fn bad_inputs_are_refused_by_name() {
        assert!(matches!(
            Percent::new(dec!(100.1)),
            Err(AvailabilityError::Percent { .. })
        ));
        let (month, hours) = mondays();
        let odd = at(2026, 12, 7, 9, 0) + TimeDelta::milliseconds(5);
        let err = measure(
            &month,
            &hours,
            &[],
            &[down(odd, at(2026, 12, 7, 10, 0), false)],
            Percent::new(dec!(99)).unwrap(),
            PLAIN,
        )
        .unwrap_err();
        assert!(err.to_string().contains("outage"), "{err}");
        let zone = Zone::fixed(0).unwrap();
        for bad in [
            MeasurePeriod::Month {
                year: 2026,
                month: 13,
            },
            MeasurePeriod::Rolling {
                days: 0,
                end: at(2026, 1, 1, 0, 0),
            },
            MeasurePeriod::Between {
                start: at(2026, 2, 1, 0, 0),
                end: at(2026, 1, 1, 0, 0),
            },
            MeasurePeriod::Year { year: 12_000 },
            MeasurePeriod::Rolling {
                days: 3661,
                end: at(2026, 1, 1, 0, 0),
            },
            MeasurePeriod::Between {
                start: at(1990, 1, 1, 0, 0),
                end: at(2026, 1, 1, 0, 0),
            },
        ] {
            assert!(bad.resolve(&zone).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn periods_follow_the_local_calendar() {
        let london = Zone::named("Europe/London").unwrap();
        let july = MeasurePeriod::Month {
            year: 2026,
            month: 7,
        }
        .resolve(&london)
        .unwrap();
        assert_eq!(
            (july.start(), july.end()),
            (at(2026, 6, 30, 23, 0), at(2026, 7, 31, 23, 0))
        );
        let year = MeasurePeriod::Year { year: 2026 }.resolve(&london).unwrap();
        assert_eq!(year.duration(), TimeDelta::days(365));
        let rolling = MeasurePeriod::Rolling {
            days: 30,
            end: at(2026, 4, 1, 0, 0),
        }
        .resolve(&london)
        .unwrap();
        assert_eq!(rolling.start(), at(2026, 3, 2, 0, 0));
    }

    // --- the per-second brute force ---------------------------------------------------------

    #[derive(Debug, Clone)]
    struct Case {
        zone: &'static str,
        weekly: Option<Vec<(u8, u16, u16)>>,
        closed: Vec<NaiveDate>,
        openings: Vec<(NaiveDate, u16, u16)>,
        start: DateTime<Utc>,
        len: i64,
        maintenance: Vec<(i64, i64)>,
        outages: Vec<(i64, i64, bool, bool)>,
        conventions: Conventions,
        target: Decimal,
    }

    const ZONES: [&str; 5] = [
        "Europe/London",
        "America/New_York",
        "Australia/Lord_Howe",
        "UTC",
        "+02:00",
    ];

    fn zone(name: &str) -> Zone {
        if name == "+02:00" {
            Zone::fixed(7200).unwrap()
        } else {
            Zone::named(name).unwrap()
        }
    }

    impl Case {
        fn calendar(&self) -> Option<Calendar> {
            let z = zone(self.zone);
            let cal = match &self.weekly {
                None => Calendar::always_in(z),
                Some(ws) => {
                    let ws = ws
                        .iter()
                        .map(|&(d, s, e)| ServiceWindow::new(Weekday::try_from(d).ok()?, s, e).ok())
                        .collect::<Option<Vec<_>>>()?;
                    Calendar::weekly_in(z, ws).ok()?
                }
            };
            let cal = self.closed.iter().fold(cal, |c, d| c.with_closed_date(*d));
            let openings = self
                .openings
                .iter()
                .map(|&(d, s, e)| Opening::new(d, s, e).ok())
                .collect::<Option<Vec<_>>>()?;
            cal.with_openings(openings).ok()
        }

        /// Open seconds of `[start, start + len)`, marked window by window from the
        /// definition: each window of each local date, both ends resolved by the zone.
        fn open_seconds(&self) -> Vec<bool> {
            let z = zone(self.zone);
            let t0 = self.start.timestamp();
            let mut open = vec![false; usize::try_from(self.len).unwrap()];
            let first = self.start.date_naive() - TimeDelta::days(2);
            let last =
                (self.start + TimeDelta::seconds(self.len)).date_naive() + TimeDelta::days(2);
            let resolve = |d: NaiveDate, m: u16| -> i64 {
                let local: NaiveDateTime =
                    d.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(m));
                z.resolve(local).unwrap().timestamp()
            };
            for d in first.iter_days().take_while(|d| *d <= last) {
                let mut windows: Vec<(u16, u16)> = Vec::new();
                if !self.closed.contains(&d) {
                    match &self.weekly {
                        None => windows.push((0, 1440)),
                        Some(ws) => windows.extend(
                            ws.iter()
                                .filter(|w| u32::from(w.0) == d.weekday().num_days_from_monday())
                                .map(|w| (w.1, w.2)),
                        ),
                    }
                }
                windows.extend(
                    self.openings
                        .iter()
                        .filter(|o| o.0 == d)
                        .map(|o| (o.1, o.2)),
                );
                for (s, e) in windows {
                    for t in resolve(d, s)..resolve(d, e) {
                        if let Some(slot) =
                            usize::try_from(t - t0).ok().and_then(|i| open.get_mut(i))
                        {
                            *slot = true;
                        }
                    }
                }
            }
            open
        }
    }

    fn case() -> impl Strategy<Value = Case> {
        let dates = [
            (2026, 3, 8),
            (2026, 3, 29),
            (2026, 4, 5),
            (2026, 10, 4),
            (2026, 10, 25),
            (2026, 11, 1),
            (2026, 6, 15),
        ];
        (
            0usize..ZONES.len(),
            proptest::option::of(proptest::collection::vec(
                (0u8..7, 0u16..1439, 1u16..1441),
                0..5,
            )),
            0usize..dates.len(),
            proptest::collection::vec(-1i64..3, 0..2),
            proptest::collection::vec((-1i64..3, 0u16..1439, 1u16..1441), 0..3),
            (-86_400i64..86_400, 1i64..(3 * 86_400)),
            proptest::collection::vec((0i64..(3 * 86_400), 1i64..20_000), 0..3),
            proptest::collection::vec(
                (
                    -3600i64..(3 * 86_400),
                    1i64..30_000,
                    any::<bool>(),
                    any::<bool>(),
                ),
                0..6,
            ),
            (any::<bool>(), any::<bool>(), any::<bool>()),
            prop_oneof![
                Just(dec!(99.9)),
                Just(dec!(95)),
                Just(dec!(0)),
                Just(dec!(100)),
                Just(dec!(99.95))
            ],
        )
            .prop_map(
                move |(
                    z,
                    weekly,
                    di,
                    closed,
                    openings,
                    (offset, len),
                    maintenance,
                    outages,
                    (p, c, g),
                    target,
                )| {
                    let (y, m, d) = dates[di];
                    let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
                    Case {
                        zone: ZONES[z],
                        weekly,
                        closed: closed
                            .into_iter()
                            .map(|k| day + TimeDelta::days(k))
                            .collect(),
                        openings: openings
                            .into_iter()
                            .map(|(k, s, e)| (day + TimeDelta::days(k), s, e))
                            .collect(),
                        start: day.and_time(NaiveTime::MIN).and_utc() + TimeDelta::seconds(offset),
                        len,
                        maintenance,
                        outages,
                        conventions: Conventions {
                            planned_leaves_denominator: p,
                            count_outages_outside_hours: c,
                            degraded_counts_as_down: g,
                        },
                        target,
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        /// Second by second: the measurement equals counting each second of the period.
        #[test]
        fn measured_availability_equals_a_per_second_brute_force(c in case()) {
            let Some(cal) = c.calendar() else { return Ok(()) };
            let p = period(c.start, c.start + TimeDelta::seconds(c.len));
            let at = |s: i64| c.start + TimeDelta::seconds(s);
            let maintenance: Vec<Period> = c.maintenance.iter().map(|&(s, l)| period(at(s), at(s + l))).collect();
            let spans: Vec<Span> = c.outages.iter().map(|&(s, l, degraded, planned)| Span {
                period: period(at(s), at(s + l)),
                state: if degraded { OutageState::Degraded } else { OutageState::Down },
                planned,
            }).collect();
            let target = Percent::new(c.target).unwrap();
            let m = measure(&p, &cal.open_intervals(&p), &maintenance, &spans, target, c.conventions).unwrap();

            let open = c.open_seconds();
            let n = usize::try_from(c.len).unwrap();
            let covered = |list: &[(i64, i64)], i: usize| {
                let t = i64::try_from(i).unwrap();
                list.iter().any(|&(s, e)| s <= t && t < e)
            };
            let maint: Vec<(i64, i64)> = c.maintenance.iter().map(|&(s, l)| (s, s + l)).collect();
            let is_down: Vec<bool> = (0..n).map(|i| {
                let t = i64::try_from(i).unwrap();
                c.outages.iter().any(|&(s, l, deg, _)| (!deg || c.conventions.degraded_counts_as_down) && s <= t && t < s + l)
            }).collect();
            let is_degraded: Vec<bool> = (0..n).map(|i| {
                let t = i64::try_from(i).unwrap();
                c.outages.iter().any(|&(s, l, deg, _)| deg && !c.conventions.degraded_counts_as_down && s <= t && t < s + l)
            }).collect();
            let (mut hours, mut in_maint, mut downtime, mut planned, mut outside, mut degraded) = (0i64, 0i64, 0i64, 0i64, 0i64, 0i64);
            for i in 0..n {
                let m_i = covered(&maint, i);
                hours += i64::from(open[i]);
                in_maint += i64::from(open[i] && m_i);
                if is_down[i] {
                    match (open[i], m_i) {
                        (true, true) => planned += 1,
                        (true, false) => downtime += 1,
                        (false, _) => outside += 1,
                    }
                } else if is_degraded[i] && open[i] {
                    degraded += 1;
                }
            }
            // Outages: maximal runs of down seconds.
            let mut counted = 0u64;
            let mut i = 0;
            while i < n {
                if !is_down[i] { i += 1; continue; }
                let (mut charged, mut inside) = (0, 0);
                while i < n && is_down[i] {
                    inside += i64::from(open[i]);
                    charged += i64::from(open[i] && !covered(&maint, i));
                    i += 1;
                }
                if charged > 0 || (c.conventions.count_outages_outside_hours && inside == 0) {
                    counted += 1;
                }
            }
            let agreed = if c.conventions.planned_leaves_denominator { hours - in_maint } else { hours };
            prop_assert_eq!(m.hours_s, hours);
            prop_assert_eq!(m.agreed_s, agreed);
            prop_assert_eq!(m.downtime_s, downtime);
            prop_assert_eq!(m.planned_s, planned);
            prop_assert_eq!(m.outside_hours_s, outside);
            prop_assert_eq!(m.degraded_s, degraded);
            prop_assert_eq!(m.outages, counted);
            let allowed = (Decimal::from(agreed) * (dec!(100) - c.target) / dec!(100)).floor();
            prop_assert_eq!(Decimal::from(m.allowed_downtime_s), allowed);
            prop_assert_eq!(m.remaining_s, m.allowed_downtime_s - downtime);
            if agreed > 0 {
                let a = Decimal::from(agreed - downtime) * dec!(100) / Decimal::from(agreed);
                prop_assert_eq!(m.availability_percent, Some(a.normalize()));
                prop_assert_eq!(m.met, a >= c.target);
            } else {
                prop_assert_eq!(m.availability_percent, None);
            }
            let n_out = i64::try_from(counted).unwrap();
            prop_assert_eq!(m.mtrs_s, (n_out > 0).then(|| downtime / n_out));
            prop_assert_eq!(m.mtbf_s, (n_out > 0).then(|| (agreed - downtime) / n_out));
        }

        #[test]
        fn measurements_round_trip(c in case()) {
            let Some(cal) = c.calendar() else { return Ok(()) };
            let p = period(c.start, c.start + TimeDelta::seconds(c.len));
            let m = measure(&p, &cal.open_intervals(&p), &[], &[], Percent::new(c.target).unwrap(), c.conventions).unwrap();
            let json = serde_json::to_string(&m).unwrap();
            prop_assert_eq!(serde_json::from_str::<Measurement>(&json).unwrap(), m);
        }
    }
}
