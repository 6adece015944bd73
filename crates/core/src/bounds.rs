//! The range of time the engine accepts, and the longest intervals it takes.
//!
//! chrono represents years -262143 to 262142; at those extremes adding a day or an offset
//! fails, and durations summed over many records leave the range of `TimeDelta`. No service
//! management record needs that range, so the engine accepts instants from [`EARLIEST`]
//! (1900-01-01 00:00:00 UTC) through [`LATEST`] (the last nanosecond of 9999-12-31 UTC), and
//! dates from [`EARLIEST_DATE`] through [`LATEST_DATE`]. [`Period::new`](crate::Period::new)
//! refuses a period outside that range, so every [`Period`] lies within it;
//! crates further up check the instants and dates they take with [`check_instant`] and
//! [`check_date`].
//!
//! Inside the range, every computation the engine makes on a period (a day before or after,
//! a UTC offset of up to 24 hours, a review interval of [`MAX_INTERVAL_DAYS`]) stays inside
//! what chrono represents. The arithmetic is checked all the same: the bounds keep answers
//! meaningful, checked arithmetic keeps them from panicking.
//!
//! Intervals have maxima too: a review interval is at most [`MAX_INTERVAL_DAYS`] days (ten
//! years), a change window at most [`MAX_WINDOW`] (31 days) long.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use itsm_core::bounds;
//!
//! let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! assert!(bounds::check_instant("raised_at", at).is_ok());
//! let err = bounds::check_instant("raised_at", chrono::DateTime::<Utc>::MIN_UTC).unwrap_err();
//! assert!(err.to_string().starts_with("`raised_at` `-262143-01-01T00:00:00Z` is outside"));
//! # Ok::<(), itsm_core::Error>(())
//! ```

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, TimeDelta, Utc};

use crate::{Error, Period};

/// `NaiveDate::from_ymd_opt` in a constant; the fallback is never taken for the dates below
/// (the tests check the constants).
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(d) => d,
        None => NaiveDate::MIN,
    }
}

/// The last nanosecond of a day (not a leap second).
const LAST_NANOSECOND: NaiveTime = match NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// The first date the engine accepts: 1900-01-01.
pub const EARLIEST_DATE: NaiveDate = ymd(1900, 1, 1);

/// The last date the engine accepts: 9999-12-31.
pub const LATEST_DATE: NaiveDate = ymd(9999, 12, 31);

/// The first instant the engine accepts: 1900-01-01 00:00:00 UTC.
pub const EARLIEST: DateTime<Utc> = EARLIEST_DATE.and_time(NaiveTime::MIN).and_utc();

/// The last instant the engine accepts: 9999-12-31 23:59:59.999999999 UTC.
pub const LATEST: DateTime<Utc> = LATEST_DATE.and_time(LAST_NANOSECOND).and_utc();

/// The longest interval, in days, a recurring field (a risk's review interval) may take: 3660
/// days, about ten years.
pub const MAX_INTERVAL_DAYS: u32 = 3660;

/// The longest change window: 31 days.
pub const MAX_WINDOW: TimeDelta = TimeDelta::days(31);

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn out_of_range(field: &'static str, value: String, earliest: String, latest: String) -> Error {
    Error::OutOfRange {
        field,
        value,
        earliest,
        latest,
    }
}

/// Checks that `at` lies within [`EARLIEST`]..=[`LATEST`]; `field` names it in the error.
///
/// # Errors
/// [`Error::OutOfRange`] naming the field, the instant and the range.
pub fn check_instant(field: &'static str, at: DateTime<Utc>) -> Result<(), Error> {
    if (EARLIEST..=LATEST).contains(&at) {
        Ok(())
    } else {
        Err(out_of_range(
            field,
            instant(at),
            instant(EARLIEST),
            instant(LATEST),
        ))
    }
}

/// Checks that `date` lies within [`EARLIEST_DATE`]..=[`LATEST_DATE`]; `field` names it in
/// the error.
///
/// # Errors
/// [`Error::OutOfRange`] naming the field, the date and the range.
pub fn check_date(field: &'static str, date: NaiveDate) -> Result<(), Error> {
    if (EARLIEST_DATE..=LATEST_DATE).contains(&date) {
        Ok(())
    } else {
        Err(out_of_range(
            field,
            date.to_string(),
            EARLIEST_DATE.to_string(),
            LATEST_DATE.to_string(),
        ))
    }
}

/// Checks that an interval of `days` days is at least one day and at most
/// [`MAX_INTERVAL_DAYS`].
///
/// # Errors
/// [`Error::IntervalOutOfRange`] naming the field, the value and the range of days.
pub fn check_interval_days(field: &'static str, days: u32) -> Result<(), Error> {
    if (1..=MAX_INTERVAL_DAYS).contains(&days) {
        Ok(())
    } else {
        Err(Error::IntervalOutOfRange {
            field,
            value: days,
            min: 1,
            max: MAX_INTERVAL_DAYS,
        })
    }
}

/// Checks that a change window is not longer than [`MAX_WINDOW`]. (Whether an empty window is
/// acceptable is the caller's rule.)
///
/// # Errors
/// [`Error::TooLong`] naming the field, the window's length and the maximum.
pub fn check_window(field: &'static str, window: &Period) -> Result<(), Error> {
    let length = window.duration();
    if length <= MAX_WINDOW {
        Ok(())
    } else {
        Err(Error::TooLong {
            field,
            value: describe(length),
            max: describe(MAX_WINDOW),
        })
    }
}

/// A duration as people write it: `31 days`, `2 days 04:30:00`, `01:00:00`.
fn describe(d: TimeDelta) -> String {
    let days = d.num_days();
    let rest = d.num_seconds() - days * 86_400;
    let (h, m, s) = (rest / 3600, rest / 60 % 60, rest % 60);
    match (days, rest) {
        (1, 0) => "1 day".into(),
        (_, 0) => format!("{days} days"),
        (0, _) => format!("{h:02}:{m:02}:{s:02}"),
        (1, _) => format!("1 day {h:02}:{m:02}:{s:02}"),
        _ => format!("{days} days {h:02}:{m:02}:{s:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_constants_are_the_documented_instants() {
        assert_eq!(EARLIEST, Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(
            LATEST + TimeDelta::nanoseconds(1),
            Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(EARLIEST.date_naive(), EARLIEST_DATE);
        assert_eq!(LATEST.date_naive(), LATEST_DATE);
        assert_eq!(MAX_WINDOW, TimeDelta::days(31));
    }

    #[test]
    fn the_range_is_inclusive_at_both_ends() {
        assert!(check_instant("at", EARLIEST).is_ok());
        assert!(check_instant("at", LATEST).is_ok());
        assert!(check_instant("at", EARLIEST - TimeDelta::nanoseconds(1)).is_err());
        assert!(check_instant("at", LATEST + TimeDelta::nanoseconds(1)).is_err());
        assert!(check_date("due", EARLIEST_DATE).is_ok());
        assert!(check_date("due", LATEST_DATE).is_ok());
        assert!(check_date("due", EARLIEST_DATE.pred_opt().unwrap()).is_err());
        assert!(check_date("due", LATEST_DATE.succ_opt().unwrap()).is_err());
    }

    #[test]
    fn chronos_extremes_are_refused_with_field_value_and_range() {
        assert_eq!(
            check_instant("start", DateTime::<Utc>::MIN_UTC)
                .unwrap_err()
                .to_string(),
            "`start` `-262143-01-01T00:00:00Z` is outside the range the engine accepts \
             (`1900-01-01T00:00:00Z` to `9999-12-31T23:59:59.999999999Z`)"
        );
        assert!(matches!(
            check_instant("end", DateTime::<Utc>::MAX_UTC),
            Err(Error::OutOfRange { field: "end", .. })
        ));
        assert_eq!(
            check_date("due", NaiveDate::MAX).unwrap_err().to_string(),
            "`due` `+262142-12-31` is outside the range the engine accepts \
             (`1900-01-01` to `9999-12-31`)"
        );
        assert!(check_date("due", NaiveDate::MIN).is_err());
    }

    #[test]
    fn intervals_and_windows_have_maxima() {
        assert!(check_interval_days("review_interval_days", 1).is_ok());
        assert!(check_interval_days("review_interval_days", MAX_INTERVAL_DAYS).is_ok());
        assert_eq!(
            check_interval_days("review_interval_days", u32::MAX)
                .unwrap_err()
                .to_string(),
            "`review_interval_days` of `4294967295` days is out of range: it must be from `1` \
             to `3660` days"
        );
        assert!(check_interval_days("review_interval_days", 0).is_err());
        let p = |days: i64, secs: i64| {
            Period::new(
                EARLIEST,
                EARLIEST + TimeDelta::days(days) + TimeDelta::seconds(secs),
            )
            .unwrap()
        };
        assert!(check_window("window", &p(31, 0)).is_ok());
        assert!(check_window("window", &p(0, 0)).is_ok());
        assert_eq!(
            check_window("window", &p(31, 1)).unwrap_err().to_string(),
            "`window` of `31 days 00:00:01` is longer than the engine accepts (at most `31 days`)"
        );
        let whole = Period::new(EARLIEST, LATEST).unwrap();
        assert!(check_window("window", &whole).is_err());
        assert_eq!(describe(TimeDelta::hours(25)), "1 day 01:00:00");
        assert_eq!(describe(TimeDelta::minutes(90)), "01:30:00");
        assert_eq!(describe(TimeDelta::days(1)), "1 day");
    }
}
