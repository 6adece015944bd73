//! Issue 9 through the engine: levels compared by rank on the organisation's own matrix, an
//! acceptance that lapses when its risk rises, reviews due on a period's last day.
#![expect(clippy::unwrap_used, reason = "tests: a panic is a failing test")]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use itsm_engine::{Command, Query, Sms};
use serde_json::{Value, json};

fn at(h: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap() + TimeDelta::hours(h)
}

fn run(sms: &mut Sms, h: i64, actor: &str, v: Value) -> Result<(), String> {
    let command: Command = serde_json::from_value(v).unwrap();
    sms.apply(actor, at(h), command)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn ask(sms: &Sms, v: Value) -> Value {
    let q: Query = serde_json::from_value(v).unwrap();
    serde_json::to_value(sms.query(&q).unwrap()).unwrap()
}

/// A 6x6 grid whose level is the higher of the two ranks (so score and level disagree), an
/// owner whose rung is L3, a manager whose rung is L6.
fn grid_organisation() -> Sms {
    let scale: Vec<Value> = (1..=6)
        .map(|i| json!({"name": i.to_string(), "value": i}))
        .collect();
    let levels: Vec<Value> = (1..=6)
        .map(|i| json!({"name": format!("L{i}"), "value": i}))
        .collect();
    let grid: Vec<Vec<String>> = (0..6)
        .map(|l| {
            (0..6)
                .map(|i| format!("L{}", usize::max(l, i) + 1))
                .collect()
        })
        .collect();
    let mut sms = Sms::new();
    run(
        &mut sms,
        0,
        "ceo",
        json!({"op": "define_organisation",
            "actors": [
                {"key": "ceo", "name": "CEO", "roles": ["top_management"]},
                {"key": "ro", "name": "Owner", "roles": ["risk_owner"]},
                {"key": "rm", "name": "Manager", "roles": ["risk_manager"]}
            ],
            "matrix": {"impact": scale, "likelihood": scale, "levels": levels, "rule": {"grid": grid}},
            "appetite": {"default_threshold": "L3", "escalate_at": "L6",
                "authority": [{"role": "risk_owner", "up_to": "L3"}, {"role": "risk_manager", "up_to": "L6"}]}}),
    )
    .unwrap();
    sms
}

#[test]
fn a_grid_residual_is_judged_worse_by_level_not_by_score() {
    let mut sms = grid_organisation();
    // Inherent (impact 1, likelihood 6): score 6, L6. Residual (3, 3): score 9, L3: better.
    run(
        &mut sms,
        1,
        "rm",
        json!({"op": "identify_risk", "key": "a", "title": "A", "category": "c",
        "owner": "rm", "inherent": {"impact": "1", "likelihood": "6"}}),
    )
    .unwrap();
    run(
        &mut sms,
        2,
        "rm",
        json!({"op": "assess_risk", "risk": "a",
        "residual": {"impact": "3", "likelihood": "3"}}),
    )
    .unwrap();
    // Inherent (3, 3): L3. Residual (1, 6): score 6 but L6: worse, so a rationale is needed.
    run(
        &mut sms,
        3,
        "rm",
        json!({"op": "identify_risk", "key": "b", "title": "B", "category": "c",
        "owner": "rm", "inherent": {"impact": "3", "likelihood": "3"}}),
    )
    .unwrap();
    let err = run(
        &mut sms,
        4,
        "rm",
        json!({"op": "assess_risk", "risk": "b",
        "residual": {"impact": "1", "likelihood": "6"}}),
    )
    .unwrap_err();
    assert_eq!(
        err,
        "R-2: residual `L6` is a higher level than inherent `L3`; give a rationale"
    );
}

#[test]
fn an_unknown_level_in_the_appetite_is_refused_where_it_enters() {
    let mut sms = Sms::new();
    let err = run(
        &mut sms,
        0,
        "ceo",
        json!({"op": "define_organisation",
        "actors": [{"key": "ceo", "name": "CEO", "roles": ["top_management"]}],
        "appetite": {"default_threshold": "Medium", "escalate_at": "Severe"}}),
    )
    .unwrap_err();
    assert!(
        err.contains("`escalate_at` names `Severe`, which is not a level of the matrix"),
        "{err}"
    );
    assert!(sms.log().is_empty());
}

#[test]
fn an_acceptance_lapses_when_its_risk_is_rescored_above_the_acceptors_rung() {
    let mut sms = grid_organisation();
    run(
        &mut sms,
        1,
        "ro",
        json!({"op": "identify_risk", "key": "fw", "title": "Old firewall",
        "category": "technology", "owner": "ro", "inherent": {"impact": "2", "likelihood": "2"},
        "review_interval_days": 365}),
    )
    .unwrap();
    run(
        &mut sms,
        2,
        "ro",
        json!({"op": "accept_risk", "risk": "fw", "until": "2026-12-31",
        "rationale": "replaced next year"}),
    )
    .unwrap();
    // The manager re-scores it to L5: above the owner's rung (L3) and the appetite (L3).
    run(
        &mut sms,
        3,
        "rm",
        json!({"op": "assess_risk", "risk": "fw",
        "inherent": {"impact": "5", "likelihood": "2"}}),
    )
    .unwrap();
    let risk = ask(&sms, json!({"query": "risk", "risk": "fw"}));
    assert_eq!(risk["value"]["treatment"], Value::Null, "{risk}");
    assert_eq!(risk["value"]["lapsed"]["level"]["name"], json!("L5"));
    let report = ask(
        &sms,
        json!({"query": "risk_report", "start": at(0), "end": at(24)}),
    );
    let due = &report["value"]["reviews_due"];
    assert!(
        due.as_array()
            .unwrap()
            .iter()
            .any(|d| d["risk"] == json!("R-1") && d["reason"] == json!("acceptance_lapsed")),
        "{due}"
    );
    let escalations = ask(&sms, json!({"query": "escalations", "since": at(0)}));
    assert!(
        escalations.to_string().contains("acceptance_lapsed"),
        "{escalations}"
    );
    // The owner may not accept it again at L5; the manager's rung reaches it, but L5 is above
    // the appetite: top management decides.
    assert!(
        run(
            &mut sms,
            4,
            "ro",
            json!({"op": "accept_risk", "risk": "fw", "until": "2026-12-31",
            "rationale": "again"})
        )
        .is_err()
    );
    run(
        &mut sms,
        5,
        "ceo",
        json!({"op": "accept_risk", "risk": "fw", "until": "2026-12-31",
        "rationale": "top management accepts until the replacement"}),
    )
    .unwrap();
    let risk = ask(&sms, json!({"query": "risk", "risk": "fw"}));
    assert_eq!(
        risk["value"]["lapsed"],
        Value::Null,
        "a new decision clears it"
    );
}

#[test]
fn a_review_due_on_the_last_day_of_a_report_is_listed() {
    let mut sms = grid_organisation();
    // Identified on 2 March with a 29-day interval: due on 31 March.
    run(
        &mut sms,
        1,
        "rm",
        json!({"op": "identify_risk", "key": "r", "title": "R", "category": "c",
        "owner": "rm", "review_interval_days": 29}),
    )
    .unwrap();
    let due = |end: &str| {
        ask(
            &sms,
            json!({"query": "risk_report", "start": "2026-03-01T00:00:00Z", "end": end}),
        )["value"]["reviews_due"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(due("2026-03-31T23:59:59Z"), 1, "ends on the due date");
    assert_eq!(due("2026-04-01T00:00:00Z"), 1, "ends at the end of it");
    assert_eq!(due("2026-03-31T00:00:00Z"), 0, "ends before it starts");
}
