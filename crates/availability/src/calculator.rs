//! The availability calculator's document: one JSON input, one JSON answer
//! (`examples/availability.rs`), so a service manager or a checking tool can reproduce a
//! figure from the raw records without building an engine.
//!
//! Input (every field required unless marked optional):
//!
//! ```json
//! {"calendar": {"time_zone": "Europe/London",
//!               "weekly": [{"day": "mon", "start": "08:00", "end": "18:00"}],
//!               "holidays": ["2026-12-25"],
//!               "openings": [{"date": "2026-12-19", "start": "10:00", "end": "14:00"}]},
//!  "maintenance": [{"start": "2026-12-02T17:00:00Z", "end": "2026-12-02T19:00:00Z"}],
//!  "period": {"start": "2026-12-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"},
//!  "target_percent": "99.9",
//!  "outages": [{"start": "2026-12-07T09:00:00Z", "end": "2026-12-07T10:00:00Z", "planned": false}],
//!  "conventions": {"planned_leaves_denominator": false, "count_outages_outside_hours": false}}
//! ```
//!
//! - `calendar`: the string `"always"` (24x7), or an object with exactly one of `time_zone`
//!   (an IANA name) and `utc_offset` (`"+01:00"`), `weekly` windows (`day` is `mon` … `sun`,
//!   `start` and `end` are local `HH:MM`, `end` may be `24:00`; a day may appear more than
//!   once, windows of a day must not overlap; no `weekly` means around the clock), and optional
//!   `holidays` (local dates whose regular hours do not apply) and `openings` (extra hours on a
//!   date).
//! - `outages`: `end` may be `null` or absent for an outage still open (it runs to the end of
//!   the period); optional `state` is `"down"` (the default) or `"degraded"`.
//! - `conventions`: `degraded_counts_as_down` is required when an outage is degraded.
//!
//! Output: see [`Answer`]; durations are whole seconds, percentages decimal strings (the
//! availability unrounded, as [`crate::measure`] defines it).

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use itsm_core::{Calendar, Opening, Period, ServiceWindow, Zone};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{AvailabilityError, Conventions, OutageState, Percent, Span, measure};

/// The calculator's input document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The service hours.
    pub calendar: CalendarInput,
    /// Agreed maintenance windows.
    #[serde(default)]
    pub maintenance: Vec<Bounds>,
    /// The period to measure.
    pub period: Bounds,
    /// The availability target, in percent.
    pub target_percent: Decimal,
    /// The outages.
    #[serde(default)]
    pub outages: Vec<OutageInput>,
    /// The conventions.
    pub conventions: ConventionsInput,
}

/// `{"start": ..., "end": ...}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    /// Start (inclusive).
    pub start: DateTime<Utc>,
    /// End (exclusive).
    pub end: DateTime<Utc>,
}

/// The service hours: `"always"` or a calendar object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum CalendarInput {
    /// `"always"`: 24x7 (in UTC).
    Always(AlwaysWord),
    /// A calendar object.
    Hours(HoursInput),
}

/// The word `always`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlwaysWord {
    /// Around the clock.
    Always,
}

impl<'de> Deserialize<'de> for CalendarInput {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = CalendarInput;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("the string \"always\" or a calendar object")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CalendarInput, E> {
                if v == "always" {
                    Ok(CalendarInput::Always(AlwaysWord::Always))
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Str(v), &self))
                }
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<CalendarInput, A::Error> {
                HoursInput::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(CalendarInput::Hours)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A calendar object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursInput {
    /// An IANA time zone name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// A fixed offset, `+HH:MM` or `-HH:MM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset: Option<String>,
    /// Weekly windows; absent means around the clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly: Option<Vec<WindowInput>>,
    /// Local dates whose regular hours do not apply.
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    /// Extra hours on given dates.
    #[serde(default)]
    pub openings: Vec<OpeningInput>,
}

/// `{"day": "mon", "start": "08:00", "end": "18:00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowInput {
    /// `mon` … `sun`.
    pub day: String,
    /// Local `HH:MM`.
    pub start: String,
    /// Local `HH:MM` (up to `24:00`).
    pub end: String,
}

/// `{"date": "2026-12-19", "start": "10:00", "end": "14:00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningInput {
    /// The local date.
    pub date: NaiveDate,
    /// Local `HH:MM`.
    pub start: String,
    /// Local `HH:MM` (up to `24:00`).
    pub end: String,
}

/// One outage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutageInput {
    /// Start.
    pub start: DateTime<Utc>,
    /// End; `None` while open (runs to the end of the period).
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
    /// Planned or not.
    pub planned: bool,
    /// Down (default) or degraded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<OutageState>,
}

/// The conventions, as the calculator takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConventionsInput {
    /// See [`Conventions::planned_leaves_denominator`].
    pub planned_leaves_denominator: bool,
    /// See [`Conventions::count_outages_outside_hours`].
    pub count_outages_outside_hours: bool,
    /// See [`Conventions::degraded_counts_as_down`]; required when an outage is degraded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degraded_counts_as_down: Option<bool>,
}

/// The calculator's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// Agreed seconds (the denominator).
    pub agreed_s: i64,
    /// Charged downtime seconds.
    pub downtime_s: i64,
    /// Outage seconds in maintenance windows inside service hours (not charged).
    pub planned_s: i64,
    /// Outage seconds outside service hours.
    pub outside_hours_s: i64,
    /// Availability in percent, unrounded; `null` when nothing is agreed.
    pub availability_percent: Option<Decimal>,
    /// Availability at least the target.
    pub met: bool,
    /// Downtime the target allows.
    pub allowed_downtime_s: i64,
    /// Allowed less charged downtime.
    pub remaining_s: i64,
    /// Outages counted.
    pub outages: u64,
    /// Mean time between failures.
    pub mtbf_s: Option<i64>,
    /// Mean time to restore service.
    pub mtrs_s: Option<i64>,
}

fn bad(field: &'static str, reason: impl Into<String>) -> AvailabilityError {
    AvailabilityError::Bounds {
        field,
        reason: reason.into(),
    }
}

/// `HH:MM` (00:00 to 24:00) as minutes after midnight.
fn minutes(field: &'static str, text: &str) -> Result<u16, AvailabilityError> {
    let parsed = text.split_once(':').and_then(|(h, m)| {
        let ok = h.len() == 2 && m.len() == 2;
        let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
        (ok && m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
    });
    parsed.ok_or_else(|| {
        bad(
            field,
            format!("`{text}` is not a local time HH:MM from 00:00 to 24:00"),
        )
    })
}

fn weekday(text: &str) -> Result<Weekday, AvailabilityError> {
    let day = match text {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => {
            return Err(bad(
                "calendar weekly day",
                format!("`{text}` is not one of mon, tue, wed, thu, fri, sat, sun"),
            ));
        }
    };
    Ok(day)
}

/// `+HH:MM` / `-HH:MM` as seconds east of UTC.
fn offset(text: &str) -> Result<i32, AvailabilityError> {
    let sign = match text.get(..1) {
        Some("+") => 1,
        Some("-") => -1,
        _ => 0,
    };
    let body = text.get(1..).unwrap_or_default();
    match minutes("calendar utc_offset", body) {
        Ok(m) if sign != 0 && m < 24 * 60 => Ok(sign * i32::from(m) * 60),
        _ => Err(bad(
            "calendar utc_offset",
            format!("`{text}` is not an offset +HH:MM or -HH:MM under 24 hours"),
        )),
    }
}

impl CalendarInput {
    /// The calendar.
    ///
    /// # Errors
    /// A named error for a bad zone, day, time or window.
    pub fn calendar(&self) -> Result<Calendar, AvailabilityError> {
        let core = |e: itsm_core::Error| bad("calendar", e.to_string());
        let h = match self {
            Self::Always(_) => return Calendar::always(0).map_err(core),
            Self::Hours(h) => h,
        };
        let zone = match (&h.time_zone, &h.utc_offset) {
            (Some(name), None) => Zone::named(name).map_err(core)?,
            (None, Some(text)) => Zone::fixed(offset(text)?).map_err(core)?,
            _ => {
                return Err(bad(
                    "calendar",
                    "give exactly one of `time_zone` and `utc_offset`",
                ));
            }
        };
        let cal = match &h.weekly {
            None => Calendar::always_in(zone),
            Some(windows) => {
                let windows = windows
                    .iter()
                    .map(|w| {
                        let (s, e) = (
                            minutes("calendar weekly start", &w.start)?,
                            minutes("calendar weekly end", &w.end)?,
                        );
                        ServiceWindow::new(weekday(&w.day)?, s, e).map_err(core)
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Calendar::weekly_in(zone, windows).map_err(core)?
            }
        };
        let openings = h
            .openings
            .iter()
            .map(|o| {
                let (s, e) = (
                    minutes("calendar opening start", &o.start)?,
                    minutes("calendar opening end", &o.end)?,
                );
                Opening::new(o.date, s, e).map_err(core)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let cal = h.holidays.iter().fold(cal, |c, d| c.with_closed_date(*d));
        cal.with_openings(openings).map_err(core)
    }
}

fn period(
    field: &'static str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Period, AvailabilityError> {
    Period::new(start, end).map_err(|e| bad(field, e.to_string()))
}

/// Computes the answer for `input`.
///
/// # Errors
/// A named [`AvailabilityError`] for any bad field.
pub fn run(input: &Input) -> Result<Answer, AvailabilityError> {
    let cal = input.calendar.calendar()?;
    let p = period("period", input.period.start, input.period.end)?;
    crate::measured::check_span(&p)?;
    let maintenance = input
        .maintenance
        .iter()
        .map(|b| period("maintenance", b.start, b.end))
        .collect::<Result<Vec<_>, _>>()?;
    let spans = input
        .outages
        .iter()
        .map(|o| {
            let end = o.end.unwrap_or_else(|| p.end().max(o.start));
            Ok(Span {
                period: period("outage", o.start, end)?,
                state: o.state.unwrap_or(OutageState::Down),
                planned: o.planned,
            })
        })
        .collect::<Result<Vec<_>, AvailabilityError>>()?;
    let any_degraded = spans.iter().any(|s| s.state == OutageState::Degraded);
    let degraded_counts_as_down = match (input.conventions.degraded_counts_as_down, any_degraded) {
        (Some(b), _) => b,
        (None, false) => false,
        (None, true) => {
            return Err(bad(
                "conventions",
                "`degraded_counts_as_down` is required when an outage is degraded",
            ));
        }
    };
    let conventions = Conventions {
        planned_leaves_denominator: input.conventions.planned_leaves_denominator,
        count_outages_outside_hours: input.conventions.count_outages_outside_hours,
        degraded_counts_as_down,
    };
    let m = measure(
        &p,
        &cal.open_intervals(&p),
        &maintenance,
        &spans,
        Percent::new(input.target_percent)?,
        conventions,
    )?;
    Ok(Answer {
        agreed_s: m.agreed_s,
        downtime_s: m.downtime_s,
        planned_s: m.planned_s,
        outside_hours_s: m.outside_hours_s,
        availability_percent: m.availability_percent,
        met: m.met,
        allowed_downtime_s: m.allowed_downtime_s,
        remaining_s: m.remaining_s,
        outages: m.outages,
        mtbf_s: m.mtbf_s,
        mtrs_s: m.mtrs_s,
    })
}
