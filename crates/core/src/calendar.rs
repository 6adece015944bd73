//! Service-hour calendars: when a service is agreed to be available.
//!
//! Availability targets (ISO/IEC 20000-1 8.3.3, 8.7.1) are percentages of the *agreed service
//! hours*, not of wall-clock time. A [`Calendar`] holds those hours: weekly windows in a fixed UTC
//! offset (Mon–Fri 08:00–18:00 at +01:00), dates on which the service is closed (holidays), or
//! around the clock. [`Calendar::hours_within`] answers how much service time a period holds.

use std::collections::BTreeSet;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, Offset as _, TimeDelta, Utc, Weekday,
};
use serde::{Deserialize, Serialize};

use crate::{Error, Period};

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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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

    fn offset(&self) -> FixedOffset {
        // Validated on construction, so the UTC fallback is never taken.
        FixedOffset::east_opt(self.utc_offset_seconds).unwrap_or_else(|| Utc.fix())
    }

    /// Service windows of one local date, as UTC periods.
    fn day_windows(&self, date: NaiveDate, out: &mut Vec<Period>) {
        if self.closed_dates.contains(&date) {
            return;
        }
        let offset = TimeDelta::seconds(i64::from(self.utc_offset_seconds));
        let midnight_utc = date.and_time(chrono::NaiveTime::MIN).and_utc() - offset;
        let mut push = |start: u16, end: u16| {
            let s = midnight_utc + Duration::minutes(i64::from(start));
            let e = midnight_utc + Duration::minutes(i64::from(end));
            if let Ok(p) = Period::new(s, e) {
                out.push(p);
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

    /// How much agreed service time lies within `period`. Never more than `period.duration()`.
    #[must_use]
    pub fn hours_within(&self, period: &Period) -> TimeDelta {
        let tz = self.offset();
        let first = period.start().with_timezone(&tz).date_naive();
        let last = period.end().with_timezone(&tz).date_naive();
        let mut total = TimeDelta::zero();
        let mut windows = Vec::new();
        for date in first.iter_days().take_while(|d| *d <= last) {
            windows.clear();
            self.day_windows(date, &mut windows);
            total += windows
                .iter()
                .filter_map(|w| w.intersection(period))
                .map(|p| p.duration())
                .sum::<TimeDelta>();
        }
        total
    }

    /// True when `at` falls inside the agreed service hours.
    #[must_use]
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let date = at.with_timezone(&self.offset()).date_naive();
        let mut windows = Vec::new();
        self.day_windows(date, &mut windows);
        windows.iter().any(|w| w.contains(at))
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
        fn serde_round_trip(cal in calendar()) {
            let json = serde_json::to_string(&cal).unwrap();
            prop_assert_eq!(serde_json::from_str::<Calendar>(&json).unwrap(), cal);
        }
    }
}
