//! Issue 8: bad input gets a clear error, never a panic, and nothing changes. Each test is
//! named after what it prevents.
#![expect(clippy::unwrap_used, reason = "tests: a panic is a failing test")]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use itsm_engine::{Command, Sms};
use serde_json::{Value, json};

fn at(h: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap() + TimeDelta::hours(h)
}

fn cmd(v: Value) -> Command {
    serde_json::from_value(v).unwrap()
}

fn engine(policy: Value) -> Sms {
    let mut sms = Sms::new();
    sms.apply(
        "ceo",
        at(0),
        cmd(json!({"op": "define_organisation", "actors": [
            {"key": "ceo", "name": "CEO", "roles": ["top_management"]},
            {"key": "cfg", "name": "Cfg", "roles": [{"process_owner": "configuration_management"}]},
            {"key": "dev", "name": "Dev", "roles": ["implementer"]},
            {"key": "rm", "name": "Risk manager", "roles": ["risk_manager"]}
        ], "change_policy": policy})),
    )
    .unwrap();
    sms.apply(
        "cfg",
        at(1),
        cmd(json!({"op": "add_ci", "key": "app", "name": "App", "kind": "application"})),
    )
    .unwrap();
    sms
}

/// Applies and checks that a refusal changed nothing.
fn refused(sms: &mut Sms, who: &str, v: Value) -> String {
    let before = serde_json::to_string(&*sms).unwrap();
    let e = sms.apply(who, at(2), cmd(v)).unwrap_err().to_string();
    assert_eq!(serde_json::to_string(&*sms).unwrap(), before);
    e
}

#[test]
fn keys_and_names_that_look_alike_or_hide_their_content_are_refused() {
    let mut sms = engine(json!({}));
    for (key, rule) in [
        ("", "not empty"),
        (" app2", "whitespace"),
        ("app2\u{202e}", "bidirectional"),
        ("app\u{7}", "control"),
        ("cafe\u{301}", "normalization form C"),
    ] {
        let e = refused(
            &mut sms,
            "cfg",
            json!({"op": "add_ci", "key": key, "name": "n", "kind": "document"}),
        );
        assert!(e.contains(rule), "{key:?}: {e}");
    }
    let long = "k".repeat(5000);
    let e = refused(
        &mut sms,
        "cfg",
        json!({"op": "add_ci", "key": long, "name": "n", "kind": "document"}),
    );
    assert!(e.contains("at most 128 characters") && e.len() < 300, "{e}");
    let e = refused(
        &mut sms,
        "rm",
        json!({"op": "identify_risk", "key": "r", "title": "Payments \u{202e}gnikab",
            "category": "c", "owner": "rm"}),
    );
    assert!(e.contains("bidirectional"), "{e}");
    // Free text: line breaks fine, a 20k-character note is not.
    let e = refused(
        &mut sms,
        "rm",
        json!({"op": "identify_risk", "key": "r", "title": "t", "category": "c", "owner": "rm",
            "description": "x".repeat(20_000)}),
    );
    assert!(
        e.contains("`description`") && e.contains("at most 10000"),
        "{e}"
    );
    sms.apply(
        "rm",
        at(3),
        cmd(
            json!({"op": "identify_risk", "key": "r", "title": "t", "category": "c",
            "owner": "rm", "description": "line 1\nline 2"}),
        ),
    )
    .unwrap();
}

#[test]
fn a_negative_cost_or_another_currency_is_refused() {
    let mut sms = engine(json!({"major": {"cost_above": {"amount": "50000", "currency": "EUR"}}}));
    let e = refused(
        &mut sms,
        "dev",
        json!({"op": "raise_change", "key": "c", "title": "t", "targets": ["app"],
            "estimated_cost": {"amount": "-1", "currency": "EUR"}}),
    );
    assert!(e.contains("not negative"), "{e}");
    let e = refused(
        &mut sms,
        "dev",
        json!({"op": "raise_change", "key": "c", "title": "t", "targets": ["app"],
            "estimated_cost": {"amount": "10", "currency": "USD"}}),
    );
    assert!(e.contains("the currency of the change policy"), "{e}");
}

#[test]
fn a_policy_mixing_currencies_is_refused() {
    let mut sms = Sms::new();
    let e = sms
        .apply(
            "ceo",
            at(0),
            cmd(json!({"op": "define_organisation",
                "actors": [{"key": "ceo", "name": "CEO", "roles": ["top_management"]}],
                "change_policy": {
                    "major": {"cost_above": {"amount": "50000", "currency": "EUR"}},
                    "models": [{"name": "m", "kinds": ["hardware"], "max_level": "Low",
                                "max_cost": {"amount": "100", "currency": "USD"}}]}})),
        )
        .unwrap_err();
    assert!(e.to_string().contains("mixes currencies"), "{e}");
    assert!(sms.log().is_empty());
}

#[test]
fn risk_links_to_records_that_do_not_exist_are_refused() {
    let mut sms = engine(json!({}));
    for (links, what) in [
        (json!({"cis": ["ghost"]}), "CI `ghost`"),
        (
            json!({"suppliers": ["nobody-inc"]}),
            "supplier `nobody-inc`",
        ),
        (json!({"changes": ["chg-none"]}), "change `chg-none`"),
    ] {
        let e = refused(
            &mut sms,
            "rm",
            json!({"op": "identify_risk", "key": "r", "title": "t", "category": "c",
                "owner": "rm", "links": links}),
        );
        assert!(e.contains(what), "{e}");
    }
    // A supplier is known once a CI names it as its provider.
    sms.apply(
        "cfg",
        at(3),
        cmd(
            json!({"op": "add_ci", "key": "isp", "name": "ISP", "kind": "external_service",
            "provision": {"external_supplier": "fastnet"}}),
        ),
    )
    .unwrap();
    sms.apply(
        "rm",
        at(4),
        cmd(
            json!({"op": "identify_risk", "key": "r", "title": "t", "category": "c",
            "owner": "rm", "links": {"cis": ["isp"], "suppliers": ["fastnet"]}}),
        ),
    )
    .unwrap();
}

#[test]
fn a_matrix_of_twenty_thousand_levels_is_refused_quickly() {
    let mut sms = Sms::new();
    let levels: Vec<Value> = (0..20_000)
        .map(|i| json!({"name": format!("L{i}"), "value": i + 1}))
        .collect();
    let text = json!({"format": 1, "at": "2026-03-02T08:00:00Z", "actor": "ceo", "op": "define_organisation",
        "actors": [{"key": "ceo", "name": "CEO", "roles": ["top_management"]}],
        "matrix": {"impact": levels, "likelihood": levels,
            "levels": [{"name": "Low", "value": 1}],
            "rule": {"bands": [{"level": "Low", "from": 1, "to": 400_000_000}]}}})
    .to_string();
    let out = sms.apply_json(&text);
    assert!(out.contains("at most `20` levels"), "{out}");
    assert!(sms.log().is_empty());
}

#[test]
fn a_typed_error_quotes_at_most_about_100_characters_of_a_key() {
    let mut sms = engine(json!({}));
    let long = "a".repeat(5000);
    let e = sms
        .apply(
            &long,
            at(2),
            cmd(json!({"op": "take_baseline", "name": "b"})),
        )
        .unwrap_err()
        .to_string();
    assert!(e.len() < 200, "{}", e.len());
    let e = sms
        .apply(
            "cfg",
            at(2),
            cmd(json!({"op": "update_ci", "ci": "x".repeat(5000), "update": {}})),
        )
        .unwrap_err()
        .to_string();
    assert!(e.len() < 200, "{}", e.len());
}
