//! The availability calculator's contract (`examples/availability.rs`), on figures worked out
//! by hand.
#![expect(
    clippy::unwrap_used,
    reason = "tests: the documents are valid unless the test says otherwise"
)]

use itsm_availability::calculator::{Answer, Input, run};
use serde_json::{Value, json};

fn answer(doc: &Value) -> Answer {
    run(&serde_json::from_value::<Input>(doc.clone()).unwrap()).unwrap()
}

fn refusal(doc: &Value) -> String {
    match serde_json::from_value::<Input>(doc.clone()) {
        Err(e) => e.to_string(),
        Ok(input) => run(&input).unwrap_err().to_string(),
    }
}

fn doc(calendar: &Value, start: &str, end: &str, outages: &Value) -> Value {
    json!({"calendar": calendar, "period": {"start": start, "end": end},
           "target_percent": "99.9", "outages": outages,
           "conventions": {"planned_leaves_denominator": false, "count_outages_outside_hours": false}})
}

#[test]
fn the_documented_example() {
    // Mondays of December 2026 in London (GMT): the 7th, 14th, 21st and 28th, 10 h each.
    let text = include_str!("../../../examples/data/availability.json");
    let a = run(&serde_json::from_str(text).unwrap()).unwrap();
    let expected = json!({"agreed_s": 144_000, "downtime_s": 3600, "planned_s": 0,
        "outside_hours_s": 0, "availability_percent": "97.5", "met": false,
        "allowed_downtime_s": 144, "remaining_s": -3456, "outages": 1,
        "mtbf_s": 140_400, "mtrs_s": 3600});
    assert_eq!(serde_json::to_value(&a).unwrap(), expected);
}

#[test]
fn the_autumn_sunday_window_runs_through_the_repeated_hour() {
    // Sunday 2026-10-25 00:30-03:00 in London: 00:30 BST (23:30 UTC on the 24th) to 03:00 GMT
    // (03:00 UTC), three and a half hours. The outage 00:00-01:00 UTC is 01:00-02:00 BST.
    let cal = json!({"time_zone": "Europe/London",
                     "weekly": [{"day": "sun", "start": "00:30", "end": "03:00"}]});
    let outages =
        json!([{"start": "2026-10-25T00:00:00Z", "end": "2026-10-25T01:00:00Z", "planned": false}]);
    let a = answer(&doc(
        &cal,
        "2026-10-19T00:00:00Z",
        "2026-10-26T00:00:00Z",
        &outages,
    ));
    assert_eq!((a.agreed_s, a.downtime_s), (12_600, 3600));
    let pct = a.availability_percent.unwrap().to_string();
    assert!(pct.starts_with("71.42857142857142857142857"), "{pct}");
    assert_eq!(a.allowed_downtime_s, 12); // floor(12 600 x 0.1 / 100)
}

#[test]
fn a_window_starting_in_the_spring_gap_starts_an_hour_later() {
    // Sunday 2026-03-29 01:30-04:00 in London: 01:30 does not happen and reads as 02:30 BST
    // (01:30 UTC); 04:00 BST is 03:00 UTC: an hour and a half.
    let cal = json!({"time_zone": "Europe/London",
                     "weekly": [{"day": "sun", "start": "01:30", "end": "04:00"}]});
    let outages =
        json!([{"start": "2026-03-29T01:00:00Z", "end": "2026-03-29T02:00:00Z", "planned": false}]);
    let a = answer(&doc(
        &cal,
        "2026-03-23T00:00:00Z",
        "2026-03-30T00:00:00Z",
        &outages,
    ));
    assert_eq!(
        (a.agreed_s, a.downtime_s, a.outside_hours_s),
        (5400, 1800, 1800)
    );
}

#[test]
fn an_open_outage_runs_to_the_end_of_the_period() {
    let cal = json!({"utc_offset": "+01:00"});
    let outages = json!([{"start": "2026-12-31T23:00:00Z", "planned": false}]);
    let a = answer(&doc(
        &cal,
        "2026-12-01T00:00:00Z",
        "2027-01-01T00:00:00Z",
        &outages,
    ));
    assert_eq!(
        (a.agreed_s, a.downtime_s, a.outages),
        (31 * 86_400, 3600, 1)
    );
    assert!(!a.met);
}

#[test]
fn planned_work_in_the_window_is_not_charged_and_may_leave_the_denominator() {
    let outages = json!([
        {"start": "2026-12-02T17:30:00Z", "end": "2026-12-02T19:30:00Z", "planned": true}
    ]);
    let mut d = doc(
        &json!("always"),
        "2026-12-01T00:00:00Z",
        "2027-01-01T00:00:00Z",
        &outages,
    );
    d["maintenance"] = json!([{"start": "2026-12-02T17:00:00Z", "end": "2026-12-02T19:00:00Z"}]);
    let a = answer(&d);
    assert_eq!(
        (a.planned_s, a.downtime_s, a.agreed_s),
        (5400, 1800, 2_678_400)
    );
    d["conventions"]["planned_leaves_denominator"] = json!(true);
    let a = answer(&d);
    assert_eq!(
        (a.planned_s, a.downtime_s, a.agreed_s),
        (5400, 1800, 2_678_400 - 7200)
    );
}

#[test]
fn bad_documents_are_refused_naming_the_field() {
    let period = ("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z");
    let cases = [
        (
            json!({"time_zone": "Europe/Londres"}),
            json!([]),
            "unknown time zone `Europe/Londres`",
        ),
        (
            json!({"time_zone": "UTC", "utc_offset": "+00:00"}),
            json!([]),
            "exactly one of",
        ),
        (json!({"utc_offset": "0100"}), json!([]), "utc_offset"),
        (
            json!({"time_zone": "UTC", "weekly": [{"day": "monday", "start": "08:00", "end": "18:00"}]}),
            json!([]),
            "`monday` is not one of",
        ),
        (
            json!({"time_zone": "UTC", "weekly": [{"day": "mon", "start": "08:00", "end": "24:30"}]}),
            json!([]),
            "`24:30` is not a local time",
        ),
        (
            json!({"time_zone": "UTC", "weekly": [{"day": "mon", "start": "18:00", "end": "08:00"}]}),
            json!([]),
            "the start must be before the end",
        ),
        (
            json!("sometimes"),
            json!([]),
            "the string \"always\" or a calendar object",
        ),
        (
            json!("always"),
            json!([{"start": "2026-12-02T00:00:00Z", "end": "2026-12-01T00:00:00Z", "planned": false}]),
            "outage",
        ),
        (
            json!("always"),
            json!([{"start": "2026-12-02T00:00:00Z", "end": "2026-12-03T00:00:00Z", "planned": false, "state": "degraded"}]),
            "`degraded_counts_as_down` is required",
        ),
    ];
    for (calendar, outages, expected) in cases {
        let text = refusal(&doc(&calendar, period.0, period.1, &outages));
        assert!(text.contains(expected), "{calendar} {outages}: {text}");
    }
    let mut d = doc(&json!("always"), period.0, period.1, &json!([]));
    d["target_percent"] = json!("101");
    assert!(refusal(&d).contains("out of range"));
    d["target_percent"] = json!("99.9");
    d["conventions"] = json!({"planned_leaves_denominator": false});
    assert!(refusal(&d).contains("count_outages_outside_hours"));
}
