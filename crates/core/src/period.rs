//! Half-open periods of time.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, bounds};

/// A span of time `[start, end)`: the start is inside, the end is not.
///
/// Half-open periods tile without overlap: January and February share the instant
/// `Feb 1 00:00` as end and start, and it is counted once. An empty period (`start == end`)
/// is allowed and has zero duration.
///
/// Both ends lie within the range of time the engine accepts, [`bounds::EARLIEST`] through
/// [`bounds::LATEST`] (years 1900 through 9999, UTC), so arithmetic on a period (its duration,
/// a day either side, a UTC offset) never leaves what chrono represents.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use itsm_core::Period;
///
/// let day = |d| Utc.with_ymd_and_hms(2026, 1, d, 0, 0, 0).unwrap();
/// let a = Period::new(day(1), day(10))?;
/// let b = Period::new(day(5), day(20))?;
/// assert_eq!(a.intersection(&b), Some(Period::new(day(5), day(10))?));
/// assert!(!a.overlaps(&Period::new(day(10), day(11))?));
/// # Ok::<(), itsm_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawPeriod")]
pub struct Period {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeriod {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl TryFrom<RawPeriod> for Period {
    type Error = Error;
    fn try_from(raw: RawPeriod) -> Result<Self, Error> {
        Self::new(raw.start, raw.end)
    }
}

impl Period {
    /// The period `[start, end)`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] when `start` or `end` is outside the range the engine accepts
    /// (see [`bounds`]); [`Error::PeriodEndsBeforeStart`] when `end < start`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, Error> {
        bounds::check_instant("start", start)?;
        bounds::check_instant("end", end)?;
        if end < start {
            return Err(Error::PeriodEndsBeforeStart {
                start: start.to_rfc3339(),
                end: end.to_rfc3339(),
            });
        }
        Ok(Self { start, end })
    }

    /// The first instant inside the period.
    #[must_use]
    pub const fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The first instant after the period.
    #[must_use]
    pub const fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// `end - start` (never overflows: a `TimeDelta` spans far more than the engine's range).
    #[must_use]
    pub fn duration(&self) -> TimeDelta {
        self.end.signed_duration_since(self.start)
    }

    /// True when the period holds no instant.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// True when `at` is inside `[start, end)`.
    #[must_use]
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }

    /// True when `other` lies wholly inside this period.
    #[must_use]
    pub fn encloses(&self, other: &Self) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// True when the two periods share at least one instant.
    #[must_use]
    pub fn overlaps(&self, other: &Self) -> bool {
        self.start.max(other.start) < self.end.min(other.end)
    }

    /// The instants both periods share, if any.
    #[must_use]
    pub fn intersection(&self, other: &Self) -> Option<Self> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(Self { start, end })
    }

    /// The smallest period that encloses both.
    #[must_use]
    pub fn span(&self, other: &Self) -> Self {
        Self {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
    }

    fn period() -> impl Strategy<Value = Period> {
        (0i64..10_000, 0i64..10_000).prop_map(|(a, len)| Period::new(at(a), at(a + len)).unwrap())
    }

    #[test]
    fn end_before_start_is_refused() {
        let err = Period::new(at(10), at(5)).unwrap_err();
        assert!(matches!(err, Error::PeriodEndsBeforeStart { .. }));
        assert!(
            serde_json::from_str::<Period>(
                r#"{"start":"2026-01-02T00:00:00Z","end":"2026-01-01T00:00:00Z"}"#
            )
            .is_err()
        );
    }

    #[test]
    fn periods_outside_the_engines_range_are_refused() {
        let (min, max) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
        assert!(matches!(
            Period::new(min, at(0)),
            Err(Error::OutOfRange { field: "start", .. })
        ));
        assert!(matches!(
            Period::new(at(0), max),
            Err(Error::OutOfRange { field: "end", .. })
        ));
        assert!(Period::new(min, max).is_err());
        assert!(Period::new(max, min).is_err());
        let whole = Period::new(bounds::EARLIEST, bounds::LATEST).unwrap();
        assert!(whole.encloses(&Period::new(at(0), at(1)).unwrap()));
        assert!(whole.duration() > TimeDelta::days(365 * 8000));
        let err = serde_json::from_str::<Period>(
            r#"{"start":"-262143-01-01T00:00:00Z","end":"2026-01-01T00:00:00Z"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("`start` `-262143-01-01T00:00:00Z` is outside"),
            "{err}"
        );
        assert!(
            serde_json::from_str::<Period>(
                r#"{"start":"2026-01-01T00:00:00Z","end":"+10000-01-01T00:00:00Z"}"#
            )
            .is_err()
        );
    }

    #[test]
    fn half_open_edges() {
        let p = Period::new(at(0), at(10)).unwrap();
        assert!(p.contains(at(0)));
        assert!(!p.contains(at(10)));
        assert!(Period::new(at(3), at(3)).unwrap().is_empty());
    }

    proptest! {
        #[test]
        fn intersection_is_commutative_and_inside_both(a in period(), b in period()) {
            let ab = a.intersection(&b);
            prop_assert_eq!(ab, b.intersection(&a));
            prop_assert_eq!(ab.is_some(), a.overlaps(&b));
            if let Some(i) = ab {
                prop_assert!(a.encloses(&i) && b.encloses(&i));
                prop_assert!(i.duration() <= a.duration().min(b.duration()));
                prop_assert!(!i.is_empty());
            }
        }

        #[test]
        fn span_encloses_both_and_durations_add_up(a in period(), b in period()) {
            let s = a.span(&b);
            prop_assert!(s.encloses(&a) && s.encloses(&b));
            let shared = a.intersection(&b).map_or(TimeDelta::zero(), |i| i.duration());
            // inclusion-exclusion: |a| + |b| - |a ∩ b| <= |span|, equal when they touch or overlap
            prop_assert!(a.duration() + b.duration() - shared <= s.duration());
        }

        #[test]
        fn serde_round_trip(p in period()) {
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), p);
        }
    }
}
