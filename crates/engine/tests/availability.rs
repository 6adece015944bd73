//! Issue 10: availability in the engine. Targets and outages go through commands with
//! authority; what a service suffered is kept when an outage ends, so no later command
//! (a relation removed, a target lowered, a CI removed) erases downtime already measured;
//! replay and snapshots cover the new records; a refused command changes nothing.
#![expect(clippy::unwrap_used, reason = "tests: a panic is a failing test")]

use chrono::{DateTime, TimeZone, Utc};
use itsm_engine::{Answer, Command, EngineError, Query, Sms};
use serde_json::{Value, json};

fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap()
}

fn cmd(v: Value) -> Command {
    serde_json::from_value(v).unwrap()
}

fn run(sms: &mut Sms, actor: &str, when: DateTime<Utc>, v: Value) -> Result<(), EngineError> {
    sms.apply(actor, when, cmd(v)).map(|_| ())
}

/// A shop on an application on two hosts (1 of 2), a database, business hours in London
/// with a maintenance window on Wednesday evenings, a 99.5 % target.
fn shop() -> Sms {
    let mut sms = Sms::new();
    let steps = vec![
        (
            "ceo",
            json!({"op": "define_organisation",
            "actors": [
                {"key": "ceo", "name": "CEO", "roles": ["top_management"]},
                {"key": "cfg", "name": "Configuration", "roles": [{"process_owner": "configuration_management"}]},
                {"key": "avm", "name": "Availability manager", "roles": [{"process_owner": "service_availability_management"}]},
                {"key": "own", "name": "Service owner", "roles": ["service_owner"]},
                {"key": "dev", "name": "Implementer", "roles": ["implementer"]},
                {"key": "cm", "name": "Change manager", "roles": ["change_manager"]},
                {"key": "aud", "name": "Auditor", "roles": ["auditor"]}
            ],
            "change_policy": {"maintenance": {"shop": {"time_zone": "Europe/London",
                "hours": {"weekly": [{"day": "Wed", "start_minute": 1080, "end_minute": 1320}]}}}}}),
        ),
        (
            "cfg",
            json!({"op": "add_ci", "key": "shop", "name": "Shop", "kind": {"service": {"size": "medium", "composition": "single", "provision_source": "centralized", "consumers": "external"}}}),
        ),
        (
            "cfg",
            json!({"op": "add_ci", "key": "app", "name": "App", "kind": "application"}),
        ),
        (
            "cfg",
            json!({"op": "add_ci", "key": "h1", "name": "Host 1", "kind": "hardware"}),
        ),
        (
            "cfg",
            json!({"op": "add_ci", "key": "h2", "name": "Host 2", "kind": "hardware"}),
        ),
        (
            "cfg",
            json!({"op": "add_ci", "key": "db", "name": "Database", "kind": "software"}),
        ),
        (
            "cfg",
            json!({"op": "relate", "from": "shop", "kind": "depends_on", "to": "app"}),
        ),
        (
            "cfg",
            json!({"op": "relate", "from": "app", "kind": "runs_on", "to": "h1"}),
        ),
        (
            "cfg",
            json!({"op": "relate", "from": "app", "kind": "runs_on", "to": "h2"}),
        ),
        (
            "cfg",
            json!({"op": "relate", "from": "app", "kind": "depends_on", "to": "db"}),
        ),
        (
            "cfg",
            json!({"op": "add_redundancy_group", "name": "hosts", "dependent": "app", "members": ["h1", "h2"], "min_up": 1}),
        ),
        (
            "avm",
            json!({"op": "set_availability_target", "service": "shop",
            "hours": {"time_zone": "Europe/London",
                      "hours": {"weekly": [
                          {"day": "Mon", "start_minute": 480, "end_minute": 1080},
                          {"day": "Tue", "start_minute": 480, "end_minute": 1080},
                          {"day": "Wed", "start_minute": 480, "end_minute": 1320},
                          {"day": "Thu", "start_minute": 480, "end_minute": 1080},
                          {"day": "Fri", "start_minute": 480, "end_minute": 1080}]},
                      "closed_dates": ["2026-12-25"]},
            "target_percent": "99.5",
            "conventions": {"planned_leaves_denominator": false, "count_outages_outside_hours": false, "degraded_counts_as_down": false}}),
        ),
    ];
    for (actor, c) in steps {
        run(&mut sms, actor, at(1, 0), c).unwrap();
    }
    sms
}

fn outage(
    key: &str,
    ci: &str,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    kind: &str,
) -> Value {
    json!({"op": "record_outage", "key": key, "ci": ci, "start": start, "end": end,
           "state": "down", "kind": kind, "source": {"incident": {"reference": "INC-1"}}})
}

fn december(sms: &Sms) -> Value {
    let q: Query = serde_json::from_value(json!({"query": "availability", "service": "shop",
        "period": {"month": {"year": 2026, "month": 12}},
        "conventions": {"planned_leaves_denominator": false, "count_outages_outside_hours": false,
                        "degraded_counts_as_down": false}}))
    .unwrap();
    match sms.query(&q).unwrap() {
        Answer::Availability(a) => serde_json::to_value(*a).unwrap(),
        other => serde_json::to_value(other).unwrap(),
    }
}

#[test]
fn a_month_with_a_database_outage_and_work_in_the_window() {
    let mut sms = shop();
    // Monday 7th 09:00-10:00 the database is down: charged. Wednesday 9th 18:30-19:30 planned
    // work in the window: not charged. One host down alone: degraded, not down.
    run(
        &mut sms,
        "dev",
        at(7, 11),
        outage("o-db", "db", at(7, 9), Some(at(7, 10)), "unplanned"),
    )
    .unwrap();
    run(
        &mut sms,
        "dev",
        at(9, 20),
        json!({"op": "record_outage", "key": "o-work", "ci": "app",
        "start": "2026-12-09T18:30:00Z", "end": "2026-12-09T19:30:00Z", "state": "down",
        "kind": "planned", "source": {"note": {"text": "patching"}}}),
    )
    .unwrap();
    run(
        &mut sms,
        "dev",
        at(10, 12),
        outage("o-h1", "h1", at(10, 9), Some(at(10, 11)), "unplanned"),
    )
    .unwrap();
    let a = december(&sms);
    // 23 weekdays (Tue 1st to Thu 31st), less Christmas (a Friday): 22; five Wednesdays of
    // 14 h, the others 10 h.
    let hours = 5 * 14 * 3600 + 17 * 10 * 3600;
    assert_eq!(a["hours_s"], json!(hours));
    assert_eq!(
        (
            a["downtime_s"].clone(),
            a["planned_s"].clone(),
            a["degraded_s"].clone()
        ),
        (json!(3600), json!(3600), json!(7200))
    );
    assert_eq!(a["outages"], json!(1));
    assert_eq!(a["met"], json!(true));
    assert_eq!(a["stretches"].as_array().unwrap().len(), 3);
}

#[test]
fn downtime_kept_survives_a_removed_relation_a_lowered_target_and_a_removed_ci() {
    let mut sms = shop();
    run(
        &mut sms,
        "dev",
        at(7, 20),
        outage("o-db", "db", at(7, 8), Some(at(7, 18)), "unplanned"),
    )
    .unwrap();
    let before = december(&sms);
    assert_eq!(before["downtime_s"], json!(36_000));
    assert_eq!(before["met"], json!(false));
    // The hostile sequence: unrelate the database, remove it, lower the target to 90 %.
    run(
        &mut sms,
        "cfg",
        at(8, 0),
        json!({"op": "unrelate", "from": "app", "kind": "depends_on", "to": "db"}),
    )
    .unwrap();
    run(
        &mut sms,
        "cfg",
        at(8, 1),
        json!({"op": "remove_ci", "ci": "db"}),
    )
    .unwrap();
    run(
        &mut sms,
        "avm",
        at(8, 2),
        json!({"op": "set_availability_target", "service": "shop",
        "hours": {"time_zone": "Europe/London", "hours": "always"}, "target_percent": "90",
            "conventions": {"planned_leaves_denominator": false, "count_outages_outside_hours": false, "degraded_counts_as_down": false}}),
    )
    .unwrap();
    let after = december(&sms);
    assert_eq!(after["downtime_s"], json!(36_000));
    assert_eq!(after["target_percent"], json!("99.5"));
    assert_eq!(after["met"], json!(false));
}

#[test]
fn authority_and_refusals_change_nothing() {
    let mut sms = shop();
    let before = serde_json::to_string(&sms).unwrap();
    let refused = [
        // A service owner may not set the bar its service is measured against.
        (
            "own",
            json!({"op": "set_availability_target", "service": "shop",
            "hours": {"time_zone": "UTC", "hours": "always"}, "target_percent": "50",
            "conventions": {"planned_leaves_denominator": false, "count_outages_outside_hours": false, "degraded_counts_as_down": false}}),
            "may not set availability targets",
        ),
        (
            "aud",
            outage("o-1", "db", at(2, 0), None, "unplanned"),
            "may not record outages",
        ),
        (
            "avm",
            json!({"op": "set_availability_target", "service": "app",
            "hours": {"time_zone": "UTC", "hours": "always"}, "target_percent": "99",
            "conventions": {"planned_leaves_denominator": false, "count_outages_outside_hours": false, "degraded_counts_as_down": false}}),
            "`app` is not a service",
        ),
        (
            "dev",
            outage("o-1", "nothing", at(2, 0), None, "unplanned"),
            "nothing",
        ),
        (
            "dev",
            outage("o-1", "db", at(3, 0), None, "unplanned"),
            "after the time of recording",
        ),
        (
            "dev",
            json!({"op": "record_outage", "key": "o-1", "ci": "db", "start": at(1, 0),
            "state": "down", "kind": "planned", "source": {"change": {"change": "c-none"}}}),
            "unknown change `c-none`",
        ),
    ];
    for (actor, c, expected) in refused {
        let err = run(&mut sms, actor, at(2, 0), c).unwrap_err().to_string();
        assert!(err.contains(expected), "{err}");
        assert_eq!(serde_json::to_string(&sms).unwrap(), before);
    }
    // A CI with an open outage stays until the outage ends.
    run(
        &mut sms,
        "dev",
        at(2, 0),
        outage("o-db", "db", at(2, 0), None, "unplanned"),
    )
    .unwrap();
    let err = run(
        &mut sms,
        "cfg",
        at(2, 1),
        json!({"op": "remove_ci", "ci": "db", "cascade": true}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("open outage `o-db`"), "{err}");
    run(
        &mut sms,
        "dev",
        at(2, 2),
        json!({"op": "end_outage", "outage": "o-db", "end": at(2, 1)}),
    )
    .unwrap();
    run(
        &mut sms,
        "cfg",
        at(2, 3),
        json!({"op": "remove_ci", "ci": "db", "cascade": true}),
    )
    .unwrap();
}

#[test]
fn replay_and_snapshots_cover_targets_outages_and_the_kept_downtime() {
    let mut sms = shop();
    run(
        &mut sms,
        "dev",
        at(7, 20),
        outage("o-db", "db", at(7, 8), Some(at(7, 18)), "unplanned"),
    )
    .unwrap();
    run(
        &mut sms,
        "dev",
        at(8, 9),
        outage("o-h1", "h1", at(8, 9), None, "unplanned"),
    )
    .unwrap();
    run(
        &mut sms,
        "cfg",
        at(8, 10),
        json!({"op": "unrelate", "from": "app", "kind": "depends_on", "to": "db"}),
    )
    .unwrap();
    let replayed = Sms::replay(sms.log()).unwrap();
    assert_eq!(replayed, sms);
    let text = serde_json::to_string(&sms).unwrap();
    let loaded = Sms::from_snapshot(&text, None, None).unwrap();
    assert_eq!(december(&loaded), december(&sms));
    // An edited outage in the snapshot is refused.
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["availability"]["outages"]["o-db"]["end"] = json!("2026-12-07T09:00:00Z");
    assert!(Sms::from_snapshot(&v.to_string(), None, None).is_err());
    // So is an edited ledger.
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let ledger = v["availability"]["ledger"].as_object_mut().unwrap();
    ledger.clear();
    assert!(Sms::from_snapshot(&v.to_string(), None, None).is_err());
}

#[test]
fn downtime_left_prices_a_change_window_outside_the_maintenance_window() {
    let mut sms = shop();
    let steps = [
        (
            "dev",
            json!({"op": "raise_change", "key": "c-db", "title": "Upgrade", "targets": ["db"]}),
        ),
        ("dev", json!({"op": "submit_change", "change": "c-db"})),
    ];
    for (actor, c) in steps {
        run(&mut sms, actor, at(2, 0), c).unwrap();
    }
    let ask = |sms: &Sms| {
        let q: Query = serde_json::from_value(json!({"query": "downtime_left", "service": "shop",
            "period": {"month": {"year": 2026, "month": 12}},
            "conventions": {"planned_leaves_denominator": false, "count_outages_outside_hours": false,
                            "degraded_counts_as_down": false},
            "change": "c-db"}))
        .unwrap();
        sms.query(&q).map(|a| serde_json::to_value(a).unwrap())
    };
    let err = ask(&sms).unwrap_err().to_string();
    assert!(err.contains("no window yet"), "{err}");
    let mut scheduled = shop();
    for (actor, c) in [
        (
            "dev",
            json!({"op": "raise_change", "key": "c-db", "title": "Upgrade", "targets": ["db"]}),
        ),
        ("dev", json!({"op": "submit_change", "change": "c-db"})),
        ("cm", json!({"op": "assess_change", "change": "c-db"})),
        ("cm", json!({"op": "approve_change", "change": "c-db"})),
        (
            "cm",
            json!({"op": "schedule_change", "change": "c-db",
            "start": "2026-12-14T10:00:00Z", "end": "2026-12-14T14:00:00Z"}),
        ),
    ] {
        run(&mut scheduled, actor, at(2, 0), c).unwrap();
    }
    let a = ask(&scheduled).unwrap();
    let change = &a["value"]["change"];
    // A Monday, 10:00-14:00 inside business hours and outside Wednesday's window: 4 h charged.
    assert_eq!(change["state"], json!("down"));
    assert_eq!(change["charged_s"], json!(4 * 3600));
    let allowed = a["value"]["availability"]["remaining_s"].as_i64().unwrap();
    assert_eq!(change["fits"], json!(4 * 3600 <= allowed));
}

#[test]
fn predicted_availability_reads_ci_attributes_and_counts_the_pair_once() {
    let mut sms = shop();
    for (ci, attrs) in [
        ("h1", json!({"availability": {"number": "0.99"}})),
        (
            "h2",
            json!({"mtbf_s": {"number": "356400"}, "mttr_s": {"number": "3600"}}),
        ),
        ("db", json!({"availability": {"text": "0.999"}})),
    ] {
        run(
            &mut sms,
            "cfg",
            at(2, 0),
            json!({"op": "update_ci", "ci": ci,
            "update": {"set_attributes": attrs}}),
        )
        .unwrap();
    }
    let ask = |sms: &Sms| {
        let q: Query = serde_json::from_value(json!({"query": "predicted_availability",
            "service": "shop", "seed": 3}))
        .unwrap();
        sms.query(&q).map(|a| serde_json::to_value(a).unwrap())
    };
    // h2: 356 400 / (356 400 + 3 600) = 0.99. shop = db x (1 - 0.01 x 0.01) = 0.9989001.
    let a = ask(&sms).unwrap();
    assert_eq!(a["value"]["availability"], json!("0.9989001"));
    assert_eq!(a["value"]["exact"], json!(true));
    let limiting: Vec<&str> = a["value"]["limiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["ci"].as_str().unwrap())
        .collect();
    assert_eq!(limiting, ["db", "h1", "h2"]);
    // Half an MTBF pair, or a word where a number goes, is refused naming the CI.
    run(
        &mut sms,
        "cfg",
        at(2, 1),
        json!({"op": "update_ci", "ci": "h2",
        "update": {"remove_attributes": ["mttr_s"]}}),
    )
    .unwrap();
    let err = ask(&sms).unwrap_err().to_string();
    assert!(err.contains("`h2` gives its availability"), "{err}");
    run(
        &mut sms,
        "cfg",
        at(2, 2),
        json!({"op": "update_ci", "ci": "h2",
        "update": {"set_attributes": {"mttr_s": {"text": "an hour"}}}}),
    )
    .unwrap();
    let err = ask(&sms).unwrap_err().to_string();
    assert!(err.contains("`mttr_s` of `h2` is not a number"), "{err}");
}

#[test]
fn conventions_relaxed_within_a_period_apply_from_the_next_one() {
    let mut sms = shop();
    let jan = |d: u32, h: u32| Utc.with_ymd_and_hms(2027, 1, d, h, 0, 0).unwrap();
    // From 1 December: degraded time counts as down; so January begins with that.
    let strict = json!({"planned_leaves_denominator": false, "count_outages_outside_hours": false,
                        "degraded_counts_as_down": true});
    let loose = json!({"planned_leaves_denominator": false, "count_outages_outside_hours": false,
                       "degraded_counts_as_down": false});
    let target = |conventions: &Value| {
        json!({"op": "set_availability_target", "service": "shop",
        "hours": {"time_zone": "Europe/London", "hours": "always"}, "target_percent": "99.5",
        "conventions": conventions})
    };
    run(&mut sms, "avm", at(1, 1), target(&strict)).unwrap();
    // One host of the pair down: the shop is degraded for two hours.
    run(
        &mut sms,
        "dev",
        jan(7, 12),
        json!({"op": "record_outage", "key": "o-h1", "ci": "h1",
        "start": jan(7, 9), "end": jan(7, 11), "state": "down", "kind": "unplanned",
        "source": {"note": {"text": "one host of two"}}}),
    )
    .unwrap();
    let measure = |sms: &Sms| {
        let q: Query = serde_json::from_value(json!({"query": "availability", "service": "shop",
            "period": {"month": {"year": 2027, "month": 1}}}))
        .unwrap();
        serde_json::to_value(sms.query(&q).unwrap()).unwrap()
    };
    assert_eq!(measure(&sms)["value"]["downtime_s"], json!(7200));
    // Relaxed on the 31st, the same target: January keeps the conventions it began with.
    run(&mut sms, "avm", jan(31, 22), target(&loose)).unwrap();
    let a = measure(&sms);
    assert_eq!(a["value"]["downtime_s"], json!(7200));
    assert_eq!(a["value"]["conventions"], strict);
}

#[test]
fn the_organisation_cannot_be_redefined_once_availability_is_recorded() {
    let mut sms = shop();
    let err = run(
        &mut sms,
        "ceo",
        at(2, 0),
        json!({"op": "define_organisation",
        "actors": [{"key": "ceo", "name": "CEO", "roles": ["top_management"]}]}),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("1 availability target(s)"), "{err}");
}
