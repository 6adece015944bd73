//! Service-hour calendars: when a service is agreed to be available.
//!
//! Availability targets (ISO/IEC 20000-1 8.3.3, 8.7.1) are percentages of the *agreed service
//! hours*, not of wall-clock time. A [`Calendar`] holds those hours: weekly windows in a fixed UTC
//! offset (Mon–Fri 08:00–18:00 at +01:00), dates on which the service is closed (holidays), or
//! around the clock. [`Calendar::hours_within`] answers how much service time a period holds.

use std::collections::BTreeSet;

use chrono::{
    DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday,
};
use serde::{Deserialize, Serialize};

use crate::{Error, Period, bounds};

const MINUTES_PER_DAY: u16 = 24 * 60;

/// One window of service on a weekday, in local minutes after midnight: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawWindow")]
pub struct ServiceWindow {
    day: Weekday,
    start_minute: u16,
    end_minute: u16,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a service window with `day`, `start_minute` and `end_minute`"
)]
struct RawWindow {
    day: Weekday,
    start_minute: u16,
    end_minute: u16,
}

impl TryFrom<RawWindow> for ServiceWindow {
    type Error = Error;
    fn try_from(raw: RawWindow) -> Result<Self, Error> {
        Self::new(raw.day, raw.start_minute, raw.end_minute)
    }
}

impl ServiceWindow {
    /// The window `[start_minute, end_minute)` of `day`; `end_minute` may be 1440 (midnight at
    /// the end of the day).
    ///
    /// # Errors
    /// [`Error::InvalidWindow`] when the window is empty or ends after midnight.
    pub fn new(day: Weekday, start_minute: u16, end_minute: u16) -> Result<Self, Error> {
        let reason = if start_minute >= end_minute {
            Some("the start must be before the end")
        } else if end_minute > MINUTES_PER_DAY {
            Some("the end must be at most minute 1440 (midnight)")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(Error::InvalidWindow {
                day: day.to_string(),
                start_minute,
                end_minute,
                reason,
            }),
            None => Ok(Self {
                day,
                start_minute,
                end_minute,
            }),
        }
    }

    /// The weekday.
    #[must_use]
    pub const fn day(&self) -> Weekday {
        self.day
    }

    /// Start, in local minutes after midnight.
    #[must_use]
    pub const fn start_minute(&self) -> u16 {
        self.start_minute
    }

    /// End, in local minutes after midnight (exclusive).
    #[must_use]
    pub const fn end_minute(&self) -> u16 {
        self.end_minute
    }
}

/// When, within a week, the service is agreed to be available.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceHours {
    /// Around the clock (24x7).
    Always,
    /// The listed weekly windows (sorted, never overlapping).
    Weekly(Vec<ServiceWindow>),
}

/// Agreed service hours: weekly windows or 24x7 in a fixed UTC offset, minus closed dates.
///
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use itsm_core::{Calendar, Period};
///
/// // Mon-Fri 08:00-18:00 at UTC+01:00, closed on New Year's day.
/// let cal = Calendar::business_hours(3600, 8 * 60, 18 * 60)?
///     .with_closed_date(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
/// let week = Period::new(
///     Utc.with_ymd_and_hms(2025, 12, 29, 0, 0, 0).unwrap(), // a Monday
///     Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap(),
/// )?;
/// assert_eq!(cal.hours_within(&week), TimeDelta::hours(40)); // 4 open days x 10 h
/// # Ok::<(), itsm_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawCalendar")]
pub struct Calendar {
    utc_offset_seconds: i32,
    hours: ServiceHours,
    closed_dates: BTreeSet<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a calendar with `utc_offset_seconds`, `hours` and `closed_dates`"
)]
struct RawCalendar {
    utc_offset_seconds: i32,
    hours: ServiceHours,
    #[serde(default)]
    closed_dates: BTreeSet<NaiveDate>,
}

impl TryFrom<RawCalendar> for Calendar {
    type Error = Error;
    fn try_from(raw: RawCalendar) -> Result<Self, Error> {
        let mut cal = match raw.hours {
            ServiceHours::Always => Self::always(raw.utc_offset_seconds)?,
            ServiceHours::Weekly(windows) => Self::weekly(raw.utc_offset_seconds, windows)?,
        };
        cal.closed_dates = raw.closed_dates;
        Ok(cal)
    }
}

fn offset(seconds: i32) -> Result<FixedOffset, Error> {
    FixedOffset::east_opt(seconds).ok_or(Error::InvalidOffset { seconds })
}

impl Calendar {
    /// Around the clock (24x7), with local dates taken at the given UTC offset (which matters
    /// only for closed dates).
    ///
    /// # Errors
    /// [`Error::InvalidOffset`] when the offset is not within +/- 24 hours.
    pub fn always(utc_offset_seconds: i32) -> Result<Self, Error> {
        offset(utc_offset_seconds)?;
        Ok(Self {
            utc_offset_seconds,
            hours: ServiceHours::Always,
            closed_dates: BTreeSet::new(),
        })
    }

    /// The given weekly windows in the given UTC offset.
    ///
    /// # Errors
    /// [`Error::InvalidOffset`] for a bad offset; [`Error::OverlappingWindows`] when two
    /// windows of the same day overlap (service hours would be counted twice).
    pub fn weekly(utc_offset_seconds: i32, mut windows: Vec<ServiceWindow>) -> Result<Self, Error> {
        offset(utc_offset_seconds)?;
        windows.sort_by_key(|w| (w.day.num_days_from_monday(), w.start_minute, w.end_minute));
        for pair in windows.windows(2) {
            if let [a, b] = pair {
                if a.day == b.day && b.start_minute < a.end_minute {
                    return Err(Error::OverlappingWindows {
                        day: a.day.to_string(),
                        first_start: a.start_minute,
                        first_end: a.end_minute,
                        second_start: b.start_minute,
                        second_end: b.end_minute,
                    });
                }
            }
        }
        Ok(Self {
            utc_offset_seconds,
            hours: ServiceHours::Weekly(windows),
            closed_dates: BTreeSet::new(),
        })
    }

    /// Monday to Friday, `[start_minute, end_minute)` each day, in the given UTC offset.
    ///
    /// # Errors
    /// As [`ServiceWindow::new`] and [`Calendar::weekly`].
    pub fn business_hours(
        utc_offset_seconds: i32,
        start_minute: u16,
        end_minute: u16,
    ) -> Result<Self, Error> {
        let days = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ];
        let windows = days
            .into_iter()
            .map(|d| ServiceWindow::new(d, start_minute, end_minute))
            .collect::<Result<Vec<_>, _>>()?;
        Self::weekly(utc_offset_seconds, windows)
    }

    /// The same calendar, closed on `date` (local date).
    #[must_use]
    pub fn with_closed_date(mut self, date: NaiveDate) -> Self {
        self.closed_dates.insert(date);
        self
    }

    /// The UTC offset, in seconds east of UTC.
    #[must_use]
    pub const fn utc_offset_seconds(&self) -> i32 {
        self.utc_offset_seconds
    }

    /// The weekly service hours.
    #[must_use]
    pub const fn hours(&self) -> &ServiceHours {
        &self.hours
    }

    /// Local dates on which the service is closed.
    #[must_use]
    pub const fn closed_dates(&self) -> &BTreeSet<NaiveDate> {
        &self.closed_dates
    }

    /// Agreed minutes on a weekday (closed dates aside).
    fn day_minutes(&self, day: Weekday) -> i64 {
        match &self.hours {
            ServiceHours::Always => i64::from(MINUTES_PER_DAY),
            ServiceHours::Weekly(windows) => windows
                .iter()
                .filter(|w| w.day == day)
                .map(|w| i64::from(w.end_minute.saturating_sub(w.start_minute)))
                .sum(),
        }
    }

    /// Service windows of one local date, as UTC `[start, end)` pairs. A window chrono cannot
    /// represent is left out: it cannot meet a representable period or instant.
    fn day_windows(&self, date: NaiveDate, out: &mut Vec<(DateTime<Utc>, DateTime<Utc>)>) {
        if self.closed_dates.contains(&date) {
            return;
        }
        let Some(midnight_utc) = TimeDelta::try_seconds(i64::from(self.utc_offset_seconds))
            .and_then(|offset| {
                date.and_time(NaiveTime::MIN)
                    .and_utc()
                    .checked_sub_signed(offset)
            })
        else {
            return;
        };
        let at = |minute: u16| {
            TimeDelta::try_minutes(i64::from(minute))
                .and_then(|m| midnight_utc.checked_add_signed(m))
        };
        let mut push = |start: u16, end: u16| {
            if let (Some(s), Some(e)) = (at(start), at(end)) {
                out.push((s, e));
            }
        };
        match &self.hours {
            ServiceHours::Always => push(0, MINUTES_PER_DAY),
            ServiceHours::Weekly(windows) => windows
                .iter()
                .filter(|w| w.day == date.weekday())
                .for_each(|w| push(w.start_minute, w.end_minute)),
        }
    }

    /// Service time of the local dates `first..=last` that falls within `period`, one date at a
    /// time (callers keep the span short).
    fn walk(&self, first: NaiveDate, last: NaiveDate, period: &Period) -> Option<TimeDelta> {
        let mut total = TimeDelta::zero();
        let mut windows = Vec::new();
        for date in first.iter_days().take_while(|d| *d <= last) {
            windows.clear();
            self.day_windows(date, &mut windows);
            for (s, e) in &windows {
                let (s, e) = ((*s).max(period.start()), (*e).min(period.end()));
                if s < e {
                    total = total.checked_add(&e.signed_duration_since(s))?;
                }
            }
        }
        Some(total)
    }

    /// How much agreed service time lies within `period`. Never more than `period.duration()`.
    ///
    /// The cost does not grow with the length of the period: the days at either end are
    /// walked, the whole weeks between are counted from the weekly hours, less the closed
    /// dates among them.
    #[must_use]
    pub fn hours_within(&self, period: &Period) -> TimeDelta {
        // `None` only if chrono could not represent a day next to a period inside the
        // engine's range, which it always can.
        self.checked_hours_within(period).unwrap_or_default()
    }

    fn checked_hours_within(&self, period: &Period) -> Option<TimeDelta> {
        // The offset is under a day, so only local dates from the UTC date of the start minus
        // one to the UTC date of the end plus one can hold service time within the period.
        let start_date = period.start().date_naive();
        let end_date = period.end().date_naive();
        let first = start_date.pred_opt().unwrap_or(start_date);
        let last = end_date.succ_opt().unwrap_or(end_date);
        // Local dates from `first + 3` to `last - 3` have all their windows inside the
        // period: count whole weeks of those, walk the rest.
        let inner = first
            .checked_add_days(Days::new(3))
            .zip(last.checked_sub_days(Days::new(3)))
            .filter(|(a, b)| a <= b);
        let Some((middle_start, inner_last)) = inner else {
            return self.walk(first, last, period);
        };
        let weeks = (inner_last.signed_duration_since(middle_start).num_days() + 1) / 7;
        if weeks == 0 {
            return self.walk(first, last, period);
        }
        let middle_end =
            middle_start.checked_add_days(Days::new(u64::try_from(weeks).ok()?.checked_mul(7)?))?;
        let weekly: i64 = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .into_iter()
        .map(|d| self.day_minutes(d))
        .sum();
        let closed: i64 = self
            .closed_dates
            .range(middle_start..middle_end)
            .map(|d| self.day_minutes(d.weekday()))
            .sum();
        let middle = TimeDelta::try_minutes(weekly.checked_mul(weeks)?.checked_sub(closed)?)?;
        let head = self.walk(first, middle_start.pred_opt()?, period)?;
        let tail = self.walk(middle_end, last, period)?;
        head.checked_add(&middle)?.checked_add(&tail)
    }

    /// True when `at` falls inside the agreed service hours. An instant outside the range the
    /// engine accepts ([`crate::bounds`]) is never open.
    #[must_use]
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        if bounds::check_instant("at", at).is_err() {
            return false;
        }
        let date = at.date_naive();
        let mut windows = Vec::new();
        [date.pred_opt(), Some(date), date.succ_opt()]
            .into_iter()
            .flatten()
            .any(|d| {
                windows.clear();
                self.day_windows(d, &mut windows);
                windows.iter().any(|(s, e)| *s <= at && at < *e)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn always_counts_wall_clock_minus_closed_days() {
        let p = Period::new(utc(2026, 3, 1, 0), utc(2026, 4, 1, 0)).unwrap();
        let cal = Calendar::always(0).unwrap();
        assert_eq!(cal.hours_within(&p), TimeDelta::days(31));
        let closed = cal.with_closed_date(NaiveDate::from_ymd_opt(2026, 3, 10).unwrap());
        assert_eq!(closed.hours_within(&p), TimeDelta::days(30));
    }

    #[test]
    fn offset_shifts_the_windows() {
        // 09:00-17:00 at UTC+02:00 is 07:00-15:00 UTC.
        let cal = Calendar::business_hours(7200, 9 * 60, 17 * 60).unwrap();
        assert!(cal.is_open(utc(2026, 6, 1, 7))); // Monday
        assert!(!cal.is_open(utc(2026, 6, 1, 15)));
        assert!(!cal.is_open(utc(2026, 6, 6, 10))); // Saturday
        let morning = Period::new(utc(2026, 6, 1, 0), utc(2026, 6, 1, 9)).unwrap();
        assert_eq!(cal.hours_within(&morning), TimeDelta::hours(2));
    }

    #[test]
    fn bad_windows_are_refused() {
        assert!(ServiceWindow::new(Weekday::Mon, 600, 600).is_err());
        assert!(ServiceWindow::new(Weekday::Mon, 0, 1441).is_err());
        let a = ServiceWindow::new(Weekday::Mon, 0, 600).unwrap();
        let b = ServiceWindow::new(Weekday::Mon, 599, 700).unwrap();
        assert!(matches!(
            Calendar::weekly(0, vec![a, b]),
            Err(Error::OverlappingWindows { .. })
        ));
        assert!(matches!(
            Calendar::always(90_000),
            Err(Error::InvalidOffset { .. })
        ));
    }

    /// The definition: every local date that can meet the period, one at a time.
    fn walked(cal: &Calendar, p: &Period) -> TimeDelta {
        let first = p.start().date_naive().pred_opt().unwrap();
        let last = p.end().date_naive().succ_opt().unwrap();
        cal.walk(first, last, p).unwrap()
    }

    fn offsets() -> [i32; 5] {
        [-86_399, -3600, 0, 3600, 86_399]
    }

    #[test]
    fn extreme_instants_and_dates_do_not_panic() {
        let (min, max) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
        // The period of the issue (a start in year -262143) cannot be built any more.
        assert!(Period::new(min, utc(2026, 1, 1, 0)).is_err());
        for o in offsets() {
            let weekly = Calendar::business_hours(o, 0, 24 * 60).unwrap();
            for cal in [Calendar::always(o).unwrap(), weekly] {
                let cal = cal
                    .with_closed_date(NaiveDate::MIN)
                    .with_closed_date(NaiveDate::MAX)
                    .with_closed_date(bounds::EARLIEST_DATE)
                    .with_closed_date(bounds::LATEST_DATE);
                for at in [min, max, min + TimeDelta::days(1), max - TimeDelta::days(1)] {
                    assert!(!cal.is_open(at));
                }
                let _ = cal.is_open(bounds::EARLIEST);
                let _ = cal.is_open(bounds::LATEST);
                let mut out = Vec::new();
                for d in [NaiveDate::MIN, NaiveDate::MAX] {
                    cal.day_windows(d, &mut out);
                    cal.day_windows(d.succ_opt().unwrap_or(d), &mut out);
                    cal.day_windows(d.pred_opt().unwrap_or(d), &mut out);
                }
                let whole = Period::new(bounds::EARLIEST, bounds::LATEST).unwrap();
                for p in [
                    whole,
                    Period::new(bounds::EARLIEST, bounds::EARLIEST + TimeDelta::days(9)).unwrap(),
                    Period::new(bounds::LATEST - TimeDelta::days(9), bounds::LATEST).unwrap(),
                    Period::new(bounds::EARLIEST, bounds::EARLIEST).unwrap(),
                    Period::new(bounds::LATEST, bounds::LATEST).unwrap(),
                ] {
                    let h = cal.hours_within(&p);
                    assert!(h >= TimeDelta::zero() && h <= p.duration(), "{p:?}: {h}");
                    if p.duration() < TimeDelta::days(20) {
                        assert_eq!(h, walked(&cal, &p));
                    }
                }
            }
        }
    }

    #[test]
    fn windows_straddling_the_ends_of_the_range_count_inside_it() {
        // 24x7 at UTC-10:00: the local day 1899-12-31 runs into 1900-01-01 UTC, and its hours
        // after the earliest instant count.
        let cal = Calendar::always(-36_000).unwrap();
        let first_day =
            Period::new(bounds::EARLIEST, bounds::EARLIEST + TimeDelta::days(1)).unwrap();
        assert_eq!(cal.hours_within(&first_day), TimeDelta::days(1));
        assert!(cal.is_open(bounds::EARLIEST));
        let cal = Calendar::always(36_000).unwrap();
        let last_day = Period::new(bounds::LATEST - TimeDelta::days(1), bounds::LATEST).unwrap();
        assert_eq!(cal.hours_within(&last_day), TimeDelta::days(1));
        assert!(cal.is_open(bounds::LATEST));
    }

    #[test]
    fn the_whole_range_is_counted_without_walking_it() {
        // 8 100 years of business hours: whole weeks are counted, not walked (a walk of three
        // million days would show as a slow test, the count is exact either way).
        let cal = Calendar::business_hours(3600, 8 * 60, 18 * 60).unwrap();
        let whole = Period::new(bounds::EARLIEST, bounds::LATEST).unwrap();
        let h = cal.hours_within(&whole);
        let weeks = whole.duration().num_days() / 7;
        assert!(
            (h - TimeDelta::hours(50 * weeks)).abs() <= TimeDelta::hours(50),
            "{h}"
        );
        let closed = cal
            .clone()
            .with_closed_date(NaiveDate::from_ymd_opt(5000, 1, 1).unwrap()); // a Wednesday
        assert_eq!(closed.hours_within(&whole), h - TimeDelta::hours(10));
    }

    fn calendar() -> impl Strategy<Value = Calendar> {
        let window =
            (0usize..7, 0u16..1439, 1u16..1441).prop_filter_map("non-empty", |(d, s, e)| {
                let day = Weekday::try_from(u8::try_from(d).ok()?).ok()?;
                ServiceWindow::new(day, s, e).ok()
            });
        prop_oneof![
            (-50_000i32..50_000).prop_map(|o| Calendar::always(o).unwrap()),
            (
                (-50_000i32..50_000),
                proptest::collection::vec(window, 0..6)
            )
                .prop_filter_map("no overlap", |(o, ws)| Calendar::weekly(o, ws).ok()),
        ]
        .prop_flat_map(|cal| {
            proptest::collection::vec(0u32..60, 0..4).prop_map(move |days| {
                days.into_iter().fold(cal.clone(), |c, d| {
                    c.with_closed_date(
                        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + TimeDelta::days(d.into()),
                    )
                })
            })
        })
    }

    proptest! {
        #[test]
        fn hours_never_exceed_wall_clock(cal in calendar(), start in 0i64..5_000_000, len in 0i64..8_000_000) {
            let s = utc(2026, 1, 1, 0) + TimeDelta::seconds(start);
            let p = Period::new(s, s + TimeDelta::seconds(len)).unwrap();
            let h = cal.hours_within(&p);
            prop_assert!(h >= TimeDelta::zero());
            prop_assert!(h <= p.duration());
        }

        #[test]
        fn hours_are_additive_over_a_split(cal in calendar(), start in 0i64..3_000_000, a in 0i64..3_000_000, b in 0i64..3_000_000) {
            let s = utc(2026, 1, 1, 0) + TimeDelta::seconds(start);
            let m = s + TimeDelta::seconds(a);
            let e = m + TimeDelta::seconds(b);
            let whole = cal.hours_within(&Period::new(s, e).unwrap());
            let parts = cal.hours_within(&Period::new(s, m).unwrap()) + cal.hours_within(&Period::new(m, e).unwrap());
            prop_assert_eq!(whole, parts);
        }

        #[test]
        fn counting_whole_weeks_equals_walking_every_day(
            cal in calendar(),
            far in proptest::collection::vec(0i64..1_200, 0..6),
            start in -20_000_000i64..20_000_000,
            len in 0i64..100_000_000,
        ) {
            let cal = far.into_iter().fold(cal, |c, d| {
                c.with_closed_date(NaiveDate::from_ymd_opt(2025, 10, 1).unwrap() + TimeDelta::days(d))
            });
            let s = utc(2026, 1, 1, 0) + TimeDelta::seconds(start);
            let p = Period::new(s, s + TimeDelta::seconds(len)).unwrap();
            prop_assert_eq!(cal.hours_within(&p), walked(&cal, &p));
        }

        #[test]
        fn serde_round_trip(cal in calendar()) {
            let json = serde_json::to_string(&cal).unwrap();
            prop_assert_eq!(serde_json::from_str::<Calendar>(&json).unwrap(), cal);
        }
    }
}
