//! Service-hour calendars: when a service is agreed to be available.
//!
//! Availability targets (ISO/IEC 20000-1 8.3.3, 8.7.1; ISO/IEC TR 20000-17 5.6) are percentages
//! of the *agreed service hours*, not of wall-clock time. A [`Calendar`] holds those hours:
//! weekly windows (Mon–Fri 08:00–18:00) or around the clock, in a [`Zone`] — an IANA time zone
//! such as `Europe/London`, compiled in from `chrono-tz`, or a fixed UTC offset — less holidays
//! (dates on which the regular hours do not apply) plus exceptional openings (extra hours on a
//! given date). [`Calendar::hours_within`] answers how much service time a period holds and
//! [`Calendar::open_intervals`] lists it.
//!
//! # Local time, and the days the clocks change
//!
//! Windows are written in local wall-clock time. Each window of a date is turned into UTC by
//! resolving its start and its end separately with [`Zone::resolve`], "compatible"-style as
//! RFC 9557 and JavaScript's Temporal do:
//!
//! - a local time that happens once is that instant;
//! - a local time in an **overlap** (clocks go back, the hour happens twice) is the **earlier**
//!   instant;
//! - a local time in a **gap** (clocks go forward, the hour never happens) is shifted
//!   **forward by the length of the gap**: 01:30 on the day London moves from 01:00 GMT to
//!   02:00 BST is 02:30 BST (01:30 UTC).
//!
//! So a 24-hour window lasts 23 hours on the day the clocks go forward and 25 hours on the day
//! they go back; a window 01:00–03:00 on London's autumn day lasts three hours (01:00 BST to
//! 03:00 GMT). A window whose resolved end is not after its resolved start (01:30–02:00 on the
//! spring day: both ends are 01:00 UTC once resolved, give or take the shift) holds no time
//! that day. The open time of a calendar is the union of its resolved windows: a time covered
//! by two windows (an opening over a regular window) counts once.

use std::collections::BTreeSet;

use chrono::{
    DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
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

/// Why the minutes `[start, end)` are not a window of one day, if they are not.
const fn window_fault(start_minute: u16, end_minute: u16) -> Option<&'static str> {
    if start_minute >= end_minute {
        Some("the start must be before the end")
    } else if end_minute > MINUTES_PER_DAY {
        Some("the end must be at most minute 1440 (midnight)")
    } else {
        None
    }
}

impl ServiceWindow {
    /// The window `[start_minute, end_minute)` of `day`; `end_minute` may be 1440 (midnight at
    /// the end of the day).
    ///
    /// # Errors
    /// [`Error::InvalidWindow`] when the window is empty or ends after midnight.
    pub fn new(day: Weekday, start_minute: u16, end_minute: u16) -> Result<Self, Error> {
        match window_fault(start_minute, end_minute) {
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

/// Extra service hours on one local date (a Saturday opening before a launch, special hours on
/// a holiday): `[start_minute, end_minute)` after local midnight of `date`.
///
/// An opening adds to the date's regular windows; a holiday on the same date removes the
/// regular windows but not the opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawOpening")]
pub struct Opening {
    date: NaiveDate,
    start_minute: u16,
    end_minute: u16,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an opening with `date`, `start_minute` and `end_minute`"
)]
struct RawOpening {
    date: NaiveDate,
    start_minute: u16,
    end_minute: u16,
}

impl TryFrom<RawOpening> for Opening {
    type Error = Error;
    fn try_from(raw: RawOpening) -> Result<Self, Error> {
        Self::new(raw.date, raw.start_minute, raw.end_minute)
    }
}

impl Opening {
    /// Service on `date` from `start_minute` to `end_minute` (at most 1440) local time.
    ///
    /// # Errors
    /// [`Error::InvalidWindow`] (naming the date) when the window is empty or ends after
    /// midnight.
    pub fn new(date: NaiveDate, start_minute: u16, end_minute: u16) -> Result<Self, Error> {
        match window_fault(start_minute, end_minute) {
            Some(reason) => Err(Error::InvalidWindow {
                day: date.to_string(),
                start_minute,
                end_minute,
                reason,
            }),
            None => Ok(Self {
                date,
                start_minute,
                end_minute,
            }),
        }
    }

    /// The local date.
    #[must_use]
    pub const fn date(&self) -> NaiveDate {
        self.date
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

/// The clock a calendar's local times are read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Zone {
    /// A fixed offset east of UTC, in seconds (never changes: no daylight saving).
    Fixed(FixedOffset),
    /// An IANA time zone with its daylight-saving rules (`Europe/London`).
    Named(Tz),
}

impl Zone {
    /// A fixed offset of `seconds` east of UTC.
    ///
    /// # Errors
    /// [`Error::InvalidOffset`] when the offset is not within +/- 24 hours.
    pub fn fixed(seconds: i32) -> Result<Self, Error> {
        FixedOffset::east_opt(seconds)
            .map(Self::Fixed)
            .ok_or(Error::InvalidOffset { seconds })
    }

    /// The IANA time zone called `name` (`Europe/London`; exact spelling).
    ///
    /// # Errors
    /// [`Error::UnknownTimeZone`] for a name the compiled-in database does not hold.
    pub fn named(name: &str) -> Result<Self, Error> {
        name.parse::<Tz>()
            .map(Self::Named)
            .map_err(|_| Error::UnknownTimeZone {
                name: name.to_owned(),
            })
    }

    /// The IANA name, for a named zone.
    #[must_use]
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Self::Fixed(_) => None,
            Self::Named(tz) => Some(tz.name()),
        }
    }

    /// The UTC offset in seconds, for a fixed zone.
    #[must_use]
    pub fn offset_seconds(&self) -> Option<i32> {
        match self {
            Self::Fixed(o) => Some(o.local_minus_utc()),
            Self::Named(_) => None,
        }
    }

    /// The offset in effect at the UTC date-time `utc`, in seconds east of UTC.
    fn offset_at(&self, utc: NaiveDateTime) -> i32 {
        match self {
            Self::Fixed(o) => o.local_minus_utc(),
            Self::Named(tz) => tz.offset_from_utc_datetime(&utc).fix().local_minus_utc(),
        }
    }

    /// The instant at which the wall clock of this zone shows `local`, resolved
    /// "compatible"-style: an overlap gives the earlier instant, a gap shifts the time forward
    /// by the gap's length (it is read with the offset in effect before the gap). `None` only
    /// when the instant is outside what chrono represents.
    #[must_use]
    pub fn resolve(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let before = match self {
            Self::Fixed(o) => o.local_minus_utc(),
            Self::Named(tz) => match tz.from_local_datetime(&local) {
                chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
                    return Some(t.with_timezone(&Utc));
                }
                // A gap: the offset a day before (as Temporal reads it) is the one in force
                // just before the clocks jumped.
                chrono::LocalResult::None => self.offset_at(local.checked_sub_days(Days::new(1))?),
            },
        };
        local
            .checked_sub_signed(TimeDelta::try_seconds(i64::from(before))?)
            .map(|t| t.and_utc())
    }

    /// The local date-time the wall clock shows at `at`.
    #[must_use]
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Self::Fixed(o) => at.with_timezone(o).naive_local(),
            Self::Named(tz) => at.with_timezone(tz).naive_local(),
        }
    }
}

/// Agreed service hours: weekly windows or 24x7 in a [`Zone`], less holidays, plus exceptional
/// openings.
///
/// ```
/// use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
/// use itsm_core::{Calendar, Period, Zone};
///
/// // Mon-Fri 08:00-18:00 at UTC+01:00, closed on New Year's day.
/// let cal = Calendar::business_hours(3600, 8 * 60, 18 * 60)?
///     .with_closed_date(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
/// let week = Period::new(
///     Utc.with_ymd_and_hms(2025, 12, 29, 0, 0, 0).unwrap(), // a Monday
///     Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap(),
/// )?;
/// assert_eq!(cal.hours_within(&week), TimeDelta::hours(40)); // 4 open days x 10 h
///
/// // 24x7 in London: the Sunday the clocks go back has 25 hours.
/// let london = Calendar::always_in(Zone::named("Europe/London")?);
/// let sunday = Period::new(
///     Utc.with_ymd_and_hms(2026, 10, 24, 23, 0, 0).unwrap(), // 00:00 BST
///     Utc.with_ymd_and_hms(2026, 10, 26, 0, 0, 0).unwrap(), // 00:00 GMT on Monday
/// )?;
/// assert_eq!(london.hours_within(&sunday), TimeDelta::hours(25));
/// # Ok::<(), itsm_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawCalendar", into = "RawCalendar")]
pub struct Calendar {
    zone: Zone,
    hours: ServiceHours,
    closed_dates: BTreeSet<NaiveDate>,
    /// Sorted by date then start; never overlapping on one date.
    openings: Vec<Opening>,
}

/// The serde form: exactly one of `utc_offset_seconds` and `time_zone`.
#[derive(Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a calendar with `time_zone` or `utc_offset_seconds`, `hours`, and optionally `closed_dates` and `openings`"
)]
struct RawCalendar {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    utc_offset_seconds: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    time_zone: Option<String>,
    hours: ServiceHours,
    #[serde(default)]
    closed_dates: BTreeSet<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    openings: Vec<Opening>,
}

impl TryFrom<RawCalendar> for Calendar {
    type Error = Error;
    fn try_from(raw: RawCalendar) -> Result<Self, Error> {
        let zone = match (raw.utc_offset_seconds, raw.time_zone) {
            (Some(seconds), None) => Zone::fixed(seconds)?,
            (None, Some(name)) => Zone::named(&name)?,
            (Some(_), Some(_)) => {
                return Err(Error::CalendarZone {
                    reason: "both were given",
                });
            }
            (None, None) => {
                return Err(Error::CalendarZone {
                    reason: "neither was given",
                });
            }
        };
        let cal = match raw.hours {
            ServiceHours::Always => Self::always_in(zone),
            ServiceHours::Weekly(windows) => Self::weekly_in(zone, windows)?,
        };
        let mut cal = cal.with_openings(raw.openings)?;
        cal.closed_dates = raw.closed_dates;
        Ok(cal)
    }
}

impl From<Calendar> for RawCalendar {
    fn from(cal: Calendar) -> Self {
        Self {
            utc_offset_seconds: cal.zone.offset_seconds(),
            time_zone: cal.zone.name().map(str::to_owned),
            hours: cal.hours,
            closed_dates: cal.closed_dates,
            openings: cal.openings,
        }
    }
}

/// Sorts windows of one day (or date) by start and refuses two that overlap.
fn check_overlaps<T>(
    items: &mut [T],
    key: impl Fn(&T) -> (String, i64, u16, u16),
) -> Result<(), Error> {
    items.sort_by_key(|w| {
        let (_, order, s, e) = key(w);
        (order, s, e)
    });
    for pair in items.windows(2) {
        if let [a, b] = pair {
            let ((day, da, a_start, a_end), (_, db, b_start, b_end)) = (key(a), key(b));
            if da == db && b_start < a_end {
                return Err(Error::OverlappingWindows {
                    day,
                    first_start: a_start,
                    first_end: a_end,
                    second_start: b_start,
                    second_end: b_end,
                });
            }
        }
    }
    Ok(())
}

impl Calendar {
    /// Around the clock (24x7), with local dates taken at the given UTC offset (which matters
    /// only for closed dates and openings).
    ///
    /// # Errors
    /// [`Error::InvalidOffset`] when the offset is not within +/- 24 hours.
    pub fn always(utc_offset_seconds: i32) -> Result<Self, Error> {
        Ok(Self::always_in(Zone::fixed(utc_offset_seconds)?))
    }

    /// Around the clock (24x7) in `zone`.
    #[must_use]
    pub const fn always_in(zone: Zone) -> Self {
        Self {
            zone,
            hours: ServiceHours::Always,
            closed_dates: BTreeSet::new(),
            openings: Vec::new(),
        }
    }

    /// The given weekly windows in the given UTC offset.
    ///
    /// # Errors
    /// [`Error::InvalidOffset`] for a bad offset; [`Error::OverlappingWindows`] when two
    /// windows of the same day overlap (service hours would be counted twice).
    pub fn weekly(utc_offset_seconds: i32, windows: Vec<ServiceWindow>) -> Result<Self, Error> {
        Self::weekly_in(Zone::fixed(utc_offset_seconds)?, windows)
    }

    /// The given weekly windows, read on the wall clock of `zone`.
    ///
    /// # Errors
    /// [`Error::OverlappingWindows`] when two windows of the same day overlap.
    pub fn weekly_in(zone: Zone, mut windows: Vec<ServiceWindow>) -> Result<Self, Error> {
        check_overlaps(&mut windows, |w| {
            (
                w.day.to_string(),
                i64::from(w.day.num_days_from_monday()),
                w.start_minute,
                w.end_minute,
            )
        })?;
        Ok(Self {
            zone,
            hours: ServiceHours::Weekly(windows),
            closed_dates: BTreeSet::new(),
            openings: Vec::new(),
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
        Self::business_hours_in(Zone::fixed(utc_offset_seconds)?, start_minute, end_minute)
    }

    /// Monday to Friday, `[start_minute, end_minute)` each day, on the wall clock of `zone`.
    ///
    /// # Errors
    /// As [`ServiceWindow::new`].
    pub fn business_hours_in(
        zone: Zone,
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
        Self::weekly_in(zone, windows)
    }

    /// The same calendar, closed on `date` (local date): the regular hours of that date do not
    /// apply (a holiday). Openings on that date still do.
    #[must_use]
    pub fn with_closed_date(mut self, date: NaiveDate) -> Self {
        self.closed_dates.insert(date);
        self
    }

    /// The same calendar with exceptional `openings` added.
    ///
    /// # Errors
    /// [`Error::OverlappingWindows`] (naming the date) when two openings of one date overlap;
    /// the calendar is unchanged then (it is consumed and not returned, so nothing half-done
    /// is kept).
    pub fn with_openings(mut self, openings: Vec<Opening>) -> Result<Self, Error> {
        let mut all = self.openings;
        all.extend(openings);
        check_overlaps(&mut all, |o| {
            (
                o.date.to_string(),
                i64::from(o.date.num_days_from_ce()),
                o.start_minute,
                o.end_minute,
            )
        })?;
        self.openings = all;
        Ok(self)
    }

    /// The zone the local times are read in.
    #[must_use]
    pub const fn zone(&self) -> &Zone {
        &self.zone
    }

    /// The UTC offset, in seconds east of UTC, for a calendar with a fixed offset.
    #[must_use]
    pub fn utc_offset_seconds(&self) -> Option<i32> {
        self.zone.offset_seconds()
    }

    /// The weekly service hours.
    #[must_use]
    pub const fn hours(&self) -> &ServiceHours {
        &self.hours
    }

    /// Local dates on which the regular hours do not apply (holidays).
    #[must_use]
    pub const fn closed_dates(&self) -> &BTreeSet<NaiveDate> {
        &self.closed_dates
    }

    /// Exceptional openings, by date then start.
    #[must_use]
    pub fn openings(&self) -> &[Opening] {
        &self.openings
    }

    /// The openings of one local date.
    fn openings_on(&self, date: NaiveDate) -> &[Opening] {
        let from = self.openings.partition_point(|o| o.date < date);
        let to = self.openings.partition_point(|o| o.date <= date);
        self.openings.get(from..to).unwrap_or_default()
    }

    /// The local windows of one date, as minute pairs: the regular ones (unless the date is
    /// closed) and the openings.
    fn local_windows(&self, date: NaiveDate, out: &mut Vec<(u16, u16)>) {
        if !self.closed_dates.contains(&date) {
            match &self.hours {
                ServiceHours::Always => out.push((0, MINUTES_PER_DAY)),
                ServiceHours::Weekly(windows) => out.extend(
                    windows
                        .iter()
                        .filter(|w| w.day == date.weekday())
                        .map(|w| (w.start_minute, w.end_minute)),
                ),
            }
        }
        out.extend(
            self.openings_on(date)
                .iter()
                .map(|o| (o.start_minute, o.end_minute)),
        );
    }

    /// Agreed minutes of a regular weekday (no holiday, no opening).
    fn weekday_minutes(&self, day: Weekday) -> i64 {
        match &self.hours {
            ServiceHours::Always => i64::from(MINUTES_PER_DAY),
            ServiceHours::Weekly(windows) => windows
                .iter()
                .filter(|w| w.day == day)
                .map(|w| i64::from(w.end_minute.saturating_sub(w.start_minute)))
                .sum(),
        }
    }

    /// Agreed minutes of one local date on a fixed offset: the union of its local windows.
    fn date_minutes(&self, date: NaiveDate) -> i64 {
        let mut windows = Vec::new();
        self.local_windows(date, &mut windows);
        windows.sort_unstable();
        let (mut total, mut reach) = (0i64, 0u16);
        for (s, e) in windows {
            let s = s.max(reach);
            if s < e {
                total += i64::from(e - s);
                reach = e;
            }
        }
        total
    }

    /// The instant at local minute `minute` (0..=1440) of `date`.
    fn instant(&self, date: NaiveDate, minute: u16) -> Option<DateTime<Utc>> {
        let midnight = date.and_time(NaiveTime::MIN);
        let local = midnight.checked_add_signed(TimeDelta::try_minutes(i64::from(minute))?)?;
        self.zone.resolve(local)
    }

    /// Service windows of one local date, as UTC `[start, end)` pairs, each end resolved apart
    /// (see the module doc). A window whose resolved end is not after its start is left out,
    /// as is one chrono cannot represent: it cannot meet a representable period or instant.
    fn day_windows(&self, date: NaiveDate, out: &mut Vec<(DateTime<Utc>, DateTime<Utc>)>) {
        let mut local = Vec::new();
        self.local_windows(date, &mut local);
        for (s, e) in local {
            if let (Some(s), Some(e)) = (self.instant(date, s), self.instant(date, e)) {
                if s < e {
                    out.push((s, e));
                }
            }
        }
    }

    /// The local dates whose windows can meet `[from, to)`: a window of a date lies within the
    /// day around that date's UTC span (offsets are under a day, gaps a few hours).
    fn dates_around(from: DateTime<Utc>, to: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
        let start = from.date_naive();
        let end = to.date_naive();
        let first = start
            .checked_sub_days(Days::new(2))
            .or_else(|| start.pred_opt())
            .unwrap_or(start);
        let last = end
            .checked_add_days(Days::new(2))
            .or_else(|| end.succ_opt())
            .unwrap_or(end);
        (first, last)
    }

    /// The agreed service time within `period`, as sorted, disjoint UTC periods (touching ones
    /// merged), clipped to `period`.
    ///
    /// The cost grows with the number of days in the period: list a month or a year, not the
    /// whole range the engine accepts.
    #[must_use]
    pub fn open_intervals(&self, period: &Period) -> Vec<Period> {
        let (first, last) = Self::dates_around(period.start(), period.end());
        let mut windows = Vec::new();
        for date in first.iter_days().take_while(|d| *d <= last) {
            self.day_windows(date, &mut windows);
        }
        windows.sort_unstable();
        let mut merged: Vec<Period> = Vec::new();
        for (s, e) in windows {
            let (s, e) = (s.max(period.start()), e.min(period.end()));
            if s >= e {
                continue;
            }
            match merged.last_mut() {
                Some(last) if s <= last.end() => {
                    if e > last.end() {
                        if let Ok(p) = Period::new(last.start(), e) {
                            *last = p;
                        }
                    }
                }
                _ => {
                    if let Ok(p) = Period::new(s, e) {
                        merged.push(p);
                    }
                }
            }
        }
        merged
    }

    /// Service time within `period`, every date walked (callers keep the span short).
    fn walk(&self, period: &Period) -> Option<TimeDelta> {
        self.open_intervals(period)
            .iter()
            .try_fold(TimeDelta::zero(), |t, p| t.checked_add(&p.duration()))
    }

    /// How much agreed service time lies within `period`. Never more than `period.duration()`.
    ///
    /// On a fixed offset the cost does not grow with the length of the period: the days at
    /// either end are walked, the whole weeks between are counted from the weekly hours, less
    /// the holidays and plus the openings among them. In a named time zone every date is
    /// walked (its daylight-saving days differ), so the cost grows with the days in the period.
    #[must_use]
    pub fn hours_within(&self, period: &Period) -> TimeDelta {
        // `None` only if chrono could not represent a day next to a period inside the
        // engine's range, which it always can.
        let counted = match self.zone {
            Zone::Fixed(_) => self.counted_hours_within(period),
            Zone::Named(_) => self.walk(period),
        };
        counted.unwrap_or_default()
    }

    fn counted_hours_within(&self, period: &Period) -> Option<TimeDelta> {
        let (first, last) = Self::dates_around(period.start(), period.end());
        // `first` and `last` are two days out; local dates from `first + 4` to `last - 4` have
        // all their windows inside the period (the offset is under a day): count whole weeks
        // of those, walk the rest.
        let inner = first
            .checked_add_days(Days::new(4))
            .zip(last.checked_sub_days(Days::new(4)))
            .filter(|(a, b)| a <= b);
        let Some((middle_start, inner_last)) = inner else {
            return self.walk(period);
        };
        let weeks = (inner_last.signed_duration_since(middle_start).num_days() + 1) / 7;
        if weeks == 0 {
            return self.walk(period);
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
        .map(|d| self.weekday_minutes(d))
        .sum();
        // Dates that differ from their weekday: holidays and openings.
        let mut special: BTreeSet<NaiveDate> = self
            .closed_dates
            .range(middle_start..middle_end)
            .copied()
            .collect();
        let from = self.openings.partition_point(|o| o.date < middle_start);
        let to = self.openings.partition_point(|o| o.date < middle_end);
        special.extend(self.openings.get(from..to)?.iter().map(|o| o.date));
        let adjust: i64 = special
            .iter()
            .map(|d| self.date_minutes(*d) - self.weekday_minutes(d.weekday()))
            .sum();
        let middle = TimeDelta::try_minutes(weekly.checked_mul(weeks)?.checked_add(adjust)?)?;
        let head_end = self.instant(middle_start, 0)?;
        let tail_start = self.instant(middle_end, 0)?;
        let head = self.walk(&Period::new(period.start(), head_end.max(period.start())).ok()?)?;
        let tail = self.walk(&Period::new(tail_start.min(period.end()), period.end()).ok()?)?;
        head.checked_add(&middle)?.checked_add(&tail)
    }

    /// True when `at` falls inside the agreed service hours. An instant outside the range the
    /// engine accepts ([`crate::bounds`]) is never open.
    #[must_use]
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        if bounds::check_instant("at", at).is_err() {
            return false;
        }
        let (first, last) = Self::dates_around(at, at);
        let mut windows = Vec::new();
        first.iter_days().take_while(|d| *d <= last).any(|d| {
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
        cal.walk(p).unwrap()
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
    fn named_zones_at_the_ends_of_the_range_do_not_panic() {
        for name in ZONES {
            let zone = Zone::named(name).unwrap();
            let _ = zone.resolve(NaiveDateTime::MIN);
            let _ = zone.resolve(NaiveDateTime::MAX);
            let cal = Calendar::always_in(zone)
                .with_closed_date(NaiveDate::MIN)
                .with_closed_date(NaiveDate::MAX)
                .with_openings(vec![
                    Opening::new(NaiveDate::MIN, 0, 1440).unwrap(),
                    Opening::new(NaiveDate::MAX, 0, 1440).unwrap(),
                ])
                .unwrap();
            for at in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
                assert!(!cal.is_open(at));
            }
            for p in [
                Period::new(bounds::EARLIEST, bounds::EARLIEST + TimeDelta::days(9)).unwrap(),
                Period::new(bounds::LATEST - TimeDelta::days(9), bounds::LATEST).unwrap(),
            ] {
                let h = cal.hours_within(&p);
                assert!(
                    h > TimeDelta::zero() && h <= p.duration(),
                    "{name} {p:?}: {h}"
                );
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

    fn london() -> Zone {
        Zone::named("Europe/London").unwrap()
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        date(y, m, d).and_hms_opt(h, min, 0).unwrap()
    }

    /// A calendar open only in the given window of one date.
    fn only(zone: Zone, on: NaiveDate, start: u16, end: u16) -> Calendar {
        Calendar::weekly_in(zone, Vec::new())
            .unwrap()
            .with_openings(vec![Opening::new(on, start, end).unwrap()])
            .unwrap()
    }

    fn hours_of(cal: &Calendar, on: NaiveDate) -> TimeDelta {
        let from = on.and_time(NaiveTime::MIN).and_utc() - TimeDelta::days(2);
        cal.hours_within(&Period::new(from, from + TimeDelta::days(5)).unwrap())
    }

    #[test]
    fn a_day_the_clocks_change_has_23_or_25_hours() {
        let cal = Calendar::always_in(london());
        // 2026-03-29: 01:00 GMT becomes 02:00 BST; 2026-10-25: 02:00 BST becomes 01:00 GMT.
        let spring = Period::new(at(2026, 3, 29, 0, 0), at(2026, 3, 29, 23, 0)).unwrap();
        assert_eq!(cal.hours_within(&spring), TimeDelta::hours(23));
        let autumn = Period::new(at(2026, 10, 24, 23, 0), at(2026, 10, 26, 0, 0)).unwrap();
        assert_eq!(cal.hours_within(&autumn), TimeDelta::hours(25));
        // A 24-hour window holds what the wall clock shows that day.
        assert_eq!(
            only(london(), date(2026, 3, 29), 0, 1440).hours_within(&spring),
            TimeDelta::hours(23)
        );
        assert_eq!(
            hours_of(
                &only(london(), date(2026, 10, 25), 0, 1440),
                date(2026, 10, 25)
            ),
            TimeDelta::hours(25)
        );
    }

    #[test]
    fn london_business_hours_follow_summer_time() {
        let cal = Calendar::business_hours_in(london(), 8 * 60, 18 * 60).unwrap();
        // Winter: 08:00 GMT is 08:00 UTC. Summer: 08:00 BST is 07:00 UTC.
        assert!(cal.is_open(at(2026, 1, 5, 8, 0)) && !cal.is_open(at(2026, 1, 5, 7, 59)));
        assert!(cal.is_open(at(2026, 6, 1, 7, 0)) && !cal.is_open(at(2026, 6, 1, 17, 0)));
        // A summer week still has 50 hours.
        let week = Period::new(at(2026, 6, 1, 0, 0), at(2026, 6, 8, 0, 0)).unwrap();
        assert_eq!(cal.hours_within(&week), TimeDelta::hours(50));
    }

    #[test]
    fn a_window_starting_in_the_gap_is_shifted_forward_by_the_gap() {
        // 01:30 does not happen on 2026-03-29 in London: it is read as 02:30 BST (01:30 UTC).
        assert_eq!(
            london().resolve(local(2026, 3, 29, 1, 30)),
            Some(at(2026, 3, 29, 1, 30))
        );
        let cal = only(london(), date(2026, 3, 29), 90, 300);
        assert!(!cal.is_open(at(2026, 3, 29, 1, 29)));
        assert!(cal.is_open(at(2026, 3, 29, 1, 30)));
        // It ends at 05:00 BST, 04:00 UTC: two and a half hours.
        assert_eq!(hours_of(&cal, date(2026, 3, 29)), TimeDelta::minutes(150));
        // 02:00 BST exists (01:00 UTC): a window 01:30-02:00 resolves backwards and is empty.
        assert_eq!(
            hours_of(
                &only(london(), date(2026, 3, 29), 90, 120),
                date(2026, 3, 29)
            ),
            TimeDelta::zero()
        );
        // A window wholly in the gap keeps its length, shifted by an hour.
        let gap = only(london(), date(2026, 3, 29), 65, 95);
        assert_eq!(hours_of(&gap, date(2026, 3, 29)), TimeDelta::minutes(30));
        assert!(gap.is_open(at(2026, 3, 29, 1, 5)) && !gap.is_open(at(2026, 3, 29, 1, 35)));
    }

    #[test]
    fn a_window_in_the_overlap_takes_the_earlier_instant() {
        // 01:00-02:00 happens twice on 2026-10-25 in London; 01:00 is read as 01:00 BST.
        assert_eq!(
            london().resolve(local(2026, 10, 25, 1, 0)),
            Some(at(2026, 10, 25, 0, 0))
        );
        // 01:00 BST to 02:00 GMT: two hours.
        let cal = only(london(), date(2026, 10, 25), 60, 120);
        assert_eq!(hours_of(&cal, date(2026, 10, 25)), TimeDelta::hours(2));
        // 01:15-01:45 is the first 01:15-01:45 only.
        let cal = only(london(), date(2026, 10, 25), 75, 105);
        assert_eq!(hours_of(&cal, date(2026, 10, 25)), TimeDelta::minutes(30));
        assert!(cal.is_open(at(2026, 10, 25, 0, 15)) && !cal.is_open(at(2026, 10, 25, 1, 15)));
    }

    #[test]
    fn holidays_close_the_regular_hours_and_openings_add_hours() {
        let cal = Calendar::business_hours_in(london(), 8 * 60, 18 * 60)
            .unwrap()
            .with_closed_date(date(2026, 12, 25))
            .with_openings(vec![
                Opening::new(date(2026, 12, 19), 10 * 60, 14 * 60).unwrap(), // a Saturday
                Opening::new(date(2026, 12, 25), 9 * 60, 11 * 60).unwrap(),  // the holiday
                Opening::new(date(2026, 12, 21), 17 * 60, 20 * 60).unwrap(), // over 17-18
            ])
            .unwrap();
        let december = Period::new(at(2026, 12, 1, 0, 0), at(2027, 1, 1, 0, 0)).unwrap();
        // 23 weekdays x 10 h, less Christmas (10 h), plus 4 h, 2 h and 2 h (17-18 counted once).
        assert_eq!(
            cal.hours_within(&december),
            TimeDelta::hours(230 - 10 + 4 + 2 + 2)
        );
        assert!(cal.is_open(at(2026, 12, 25, 9, 30)) && !cal.is_open(at(2026, 12, 25, 12, 0)));
        // Two openings of one date must not overlap.
        let clash = Calendar::always_in(london()).with_openings(vec![
            Opening::new(date(2026, 12, 19), 0, 60).unwrap(),
            Opening::new(date(2026, 12, 19), 30, 90).unwrap(),
        ]);
        assert!(matches!(clash, Err(Error::OverlappingWindows { day, .. }) if day == "2026-12-19"));
        assert!(matches!(
            Opening::new(date(2026, 12, 19), 60, 60),
            Err(Error::InvalidWindow { day, .. }) if day == "2026-12-19"
        ));
    }

    #[test]
    fn a_calendar_names_exactly_one_zone() {
        let named: Calendar = serde_json::from_str(
            r#"{"time_zone": "Europe/London", "hours": "always", "closed_dates": ["2026-12-25"]}"#,
        )
        .unwrap();
        assert_eq!(named.zone().name(), Some("Europe/London"));
        let json = serde_json::to_string(&named).unwrap();
        assert_eq!(serde_json::from_str::<Calendar>(&json).unwrap(), named);
        // The fixed-offset form is written as before.
        let fixed = Calendar::always(3600).unwrap();
        assert_eq!(
            serde_json::to_string(&fixed).unwrap(),
            r#"{"utc_offset_seconds":3600,"hours":"always","closed_dates":[]}"#
        );
        for bad in [
            r#"{"hours": "always"}"#,
            r#"{"time_zone": "Europe/London", "utc_offset_seconds": 0, "hours": "always"}"#,
            r#"{"time_zone": "Europe/Londres", "hours": "always"}"#,
            r#"{"time_zone": "europe/london", "hours": "always"}"#,
        ] {
            let err = serde_json::from_str::<Calendar>(bad)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("time_zone") || err.contains("time zone"),
                "{bad}: {err}"
            );
        }
    }

    const ZONES: [&str; 7] = [
        "Europe/London",
        "America/New_York",
        "Australia/Sydney",
        "Asia/Kolkata",
        "Pacific/Chatham",
        "Australia/Lord_Howe",
        "America/St_Johns",
    ];

    /// Local dates around the 2026 clock changes of the zones above.
    fn change_dates() -> Vec<NaiveDate> {
        [(3, 8), (3, 29), (4, 5), (9, 27), (10, 4), (10, 25), (11, 1)]
            .into_iter()
            .map(|(m, d)| date(2026, m, d))
            .collect()
    }

    fn zoned_calendar() -> impl Strategy<Value = Calendar> {
        let window =
            (0usize..7, 0u16..1439, 1u16..1441).prop_filter_map("non-empty", |(d, s, e)| {
                let day = Weekday::try_from(u8::try_from(d).ok()?).ok()?;
                ServiceWindow::new(day, s, e).ok()
            });
        let opening = (0usize..7, -1i64..2, 0u16..1439, 1u16..1441).prop_filter_map(
            "non-empty",
            |(i, shift, s, e)| {
                let d = *change_dates().get(i)? + TimeDelta::days(shift);
                Opening::new(d, s, e).ok()
            },
        );
        (
            0usize..ZONES.len(),
            proptest::option::of(proptest::collection::vec(window, 0..6)),
            proptest::collection::vec(opening, 0..4),
            proptest::collection::vec((0usize..7, -1i64..2), 0..3),
        )
            .prop_filter_map("valid", |(z, weekly, openings, closed)| {
                let zone = Zone::named(ZONES.get(z)?).ok()?;
                let cal = match weekly {
                    None => Calendar::always_in(zone),
                    Some(ws) => Calendar::weekly_in(zone, ws).ok()?,
                };
                let cal = closed.into_iter().fold(cal, |c, (i, shift)| {
                    c.with_closed_date(change_dates()[i] + TimeDelta::days(shift))
                });
                cal.with_openings(openings).ok()
            })
    }

    #[test]
    fn resolve_follows_the_compatible_rule_in_every_zone() {
        // Every quarter hour of 2026 in each zone: a time that happens once is that instant,
        // an overlap gives the earlier one, a gap shifts forward by the gap's length.
        for name in ZONES {
            let zone = Zone::named(name).unwrap();
            let Zone::Named(tz) = zone else { continue };
            let mut t = local(2026, 1, 1, 0, 0);
            let (mut gaps, mut overlaps) = (0, 0);
            while t < local(2027, 1, 1, 0, 0) {
                let r = zone.resolve(t).unwrap();
                match tz.from_local_datetime(&t) {
                    chrono::LocalResult::Single(x) => assert_eq!(r, x.with_timezone(&Utc)),
                    chrono::LocalResult::Ambiguous(a, b) => {
                        overlaps += 1;
                        assert_eq!(r, a.with_timezone(&Utc).min(b.with_timezone(&Utc)));
                    }
                    chrono::LocalResult::None => {
                        gaps += 1;
                        let before = zone.offset_at((t - TimeDelta::days(1)).and_utc().naive_utc());
                        let after = zone.offset_at((t + TimeDelta::days(1)).and_utc().naive_utc());
                        let gap = TimeDelta::seconds(i64::from(after - before));
                        assert!(gap > TimeDelta::zero(), "{name} {t}");
                        assert_eq!(zone.local(r), t + gap, "{name} {t}");
                    }
                }
                t += TimeDelta::minutes(15);
            }
            if name != "Asia/Kolkata" {
                assert!(
                    gaps > 0 && overlaps > 0,
                    "{name}: {gaps} gaps, {overlaps} overlaps"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Minute by minute around the clock changes: the hours counted equal the minutes
        /// at which the calendar is open, and the open intervals are sorted and disjoint.
        #[test]
        fn zoned_hours_equal_the_open_minutes(cal in zoned_calendar(), i in 0usize..7, start_min in 0i64..1440, len_min in 0i64..(3 * 1440)) {
            let day = change_dates()[i] - TimeDelta::days(1);
            let s = day.and_time(NaiveTime::MIN).and_utc() + TimeDelta::minutes(start_min);
            let p = Period::new(s, s + TimeDelta::minutes(len_min)).unwrap();
            let open = (0..len_min)
                .filter(|m| cal.is_open(s + TimeDelta::minutes(*m)))
                .count();
            prop_assert_eq!(cal.hours_within(&p), TimeDelta::minutes(i64::try_from(open).unwrap()));
            let intervals = cal.open_intervals(&p);
            for pair in intervals.windows(2) {
                prop_assert!(pair[0].end() < pair[1].start());
            }
        }

        #[test]
        fn zoned_serde_round_trip(cal in zoned_calendar()) {
            let json = serde_json::to_string(&cal).unwrap();
            prop_assert_eq!(serde_json::from_str::<Calendar>(&json).unwrap(), cal);
        }
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
            (
                proptest::collection::vec(0u32..60, 0..4),
                proptest::collection::vec((0u32..400, 0u16..1439, 1u16..1441), 0..4),
            )
                .prop_filter_map("openings apart", move |(days, openings)| {
                    let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
                    let cal = days.into_iter().fold(cal.clone(), |c, d| {
                        c.with_closed_date(first + TimeDelta::days(d.into()))
                    });
                    let openings = openings
                        .into_iter()
                        .filter_map(|(d, s, e)| {
                            Opening::new(first + TimeDelta::days(d.into()), s, e).ok()
                        })
                        .collect();
                    cal.with_openings(openings).ok()
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
