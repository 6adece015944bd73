//! Measured availability from one JSON document, as a calculator for checking.
//!
//! ```text
//! cargo run --release --example availability -- FILE.json
//! ```
//!
//! FILE.json holds the service hours, the maintenance windows, the period, the target, the
//! outages and the conventions:
//!
//! ```json
//! {"calendar": {"time_zone": "Europe/London", "weekly": [{"day": "mon", "start": "08:00", "end": "18:00"}],
//!               "holidays": ["2026-12-25"]},
//!  "maintenance": [{"start": "2026-12-02T17:00:00Z", "end": "2026-12-02T19:00:00Z"}],
//!  "period": {"start": "2026-12-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"},
//!  "target_percent": "99.9",
//!  "outages": [{"start": "2026-12-07T09:00:00Z", "end": "2026-12-07T10:00:00Z", "planned": false}],
//!  "conventions": {"planned_leaves_denominator": false, "count_outages_outside_hours": false}}
//! ```
//!
//! `weekly` may list every day; `time_zone` may instead be `"utc_offset": "+01:00"`; the whole
//! calendar may be the string `"always"`. The program prints one JSON line on stdout, durations
//! in whole seconds and percentages as decimal strings:
//!
//! ```json
//! {"agreed_s":144000,"downtime_s":3600,"planned_s":0,"outside_hours_s":0,"availability_percent":"97.5",
//!  "met":false,"allowed_downtime_s":144,"remaining_s":-3456,"outages":1,"mtbf_s":140400,"mtrs_s":3600}
//! ```
//!
//! Outages are merged first, so overlapping time counts once. `agreed_s` is the service-hours
//! seconds in the period, less the maintenance-window seconds inside them when
//! `planned_leaves_denominator`; `planned_s` the outage seconds inside service hours and a
//! maintenance window (not charged, whatever the outage's kind); `downtime_s` the other outage
//! seconds inside service hours (charged); `outside_hours_s` the outage seconds outside service
//! hours; availability = (agreed − downtime) / agreed (null when nothing is agreed); `met` =
//! availability ≥ target; `allowed_downtime_s` = ⌊agreed × (100 − target) / 100⌋;
//! `remaining_s` = allowed − downtime; `outages` counts merged outages with charged time, plus
//! those wholly outside hours when `count_outages_outside_hours`; `mtrs_s` = ⌊downtime /
//! outages⌋, `mtbf_s` = ⌊(agreed − downtime) / outages⌋, null when there are none. Local times
//! in a daylight-saving gap shift forward by the gap; in an overlap they take the earlier
//! instant. The full input format: `itsm_availability::calculator`.
//!
//! Errors go to stderr with exit code 2.

use std::process::ExitCode;

use itsm::availability::calculator::{Input, run};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: availability FILE.json");
        return ExitCode::from(2);
    };
    let answer = std::fs::read_to_string(&path)
        .map_err(|e| format!("{path}: {e}"))
        .and_then(|text| serde_json::from_str::<Input>(&text).map_err(|e| format!("{path}: {e}")))
        .and_then(|input| run(&input).map_err(|e| format!("{path}: {e}")))
        .and_then(|answer| serde_json::to_string(&answer).map_err(|e| e.to_string()));
    match answer {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
