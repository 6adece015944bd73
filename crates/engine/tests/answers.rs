//! Issue 9: answers speak the user's words and say what is true. Each test is named after
//! what it prevents.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a panic is a failing test"
)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use itsm_engine::{Answer, Query, Sms};
use serde_json::{Value, json};

fn at(h: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap() + TimeDelta::hours(h)
}

fn time(h: i64) -> String {
    at(h).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Applies `command` at hour `h` as `actor` through the JSON surface; it must be accepted.
fn ok(sms: &mut Sms, h: i64, actor: &str, mut command: Value) -> Value {
    command["format"] = json!(1);
    command["at"] = json!(time(h));
    command["actor"] = json!(actor);
    let out = sms.apply_json(&command.to_string());
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["success"], true, "{command} -> {out}");
    v
}

/// Applies `command` at hour `h` as `actor`; it must be refused and change nothing. Returns
/// the message.
fn refused(sms: &mut Sms, h: i64, actor: &str, mut command: Value) -> String {
    let before = sms.clone();
    command["format"] = json!(1);
    command["at"] = json!(time(h));
    command["actor"] = json!(actor);
    let out = sms.apply_json(&command.to_string());
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["success"], false, "{command} -> {out}");
    assert_eq!(*sms, before, "a refusal changed the state: {command}");
    v["errors"][0].as_str().unwrap().to_owned()
}

/// The answer's `value` to `query` through the JSON surface.
fn ask(sms: &Sms, mut query: Value) -> Value {
    query["format"] = json!(1);
    let out = sms.query_json(&query.to_string());
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["success"], true, "{query} -> {out}");
    v["answer"]["value"].clone()
}

/// Top management, configuration management, a change manager, an implementer who also owns
/// services and risks, a CAB member and a risk manager (whose rung reaches High); the shared
/// engine change policy (hardware under change control).
fn engine() -> Sms {
    let mut sms = Sms::new();
    ok(
        &mut sms,
        0,
        "ceo",
        json!({
            "op": "define_organisation",
            "actors": [
                {"key": "ceo", "name": "CEO", "roles": ["top_management"]},
                {"key": "cfg", "name": "Configuration manager",
                 "roles": [{"process_owner": "configuration_management"}]},
                {"key": "cm", "name": "Change manager", "roles": ["change_manager"]},
                {"key": "ops", "name": "Operations", "roles": ["implementer", "service_owner", "risk_owner"], "division": "retail"},
                {"key": "cab", "name": "CAB member", "roles": ["cab_member"]},
                {"key": "rm", "name": "Risk manager", "roles": ["risk_manager"]}
            ],
            "divisions": [{"key": "retail", "name": "Retail"}],
            "appetite": {"default_threshold": "Medium", "escalate_at": "High",
                         "authority": [{"role": "risk_manager", "up_to": "High"}]},
            "change_policy": itsm_testkit::change_policy::engine_policy()
        }),
    );
    let service = json!({"service": {"size": "small", "composition": "single",
        "provision_source": "centralized", "consumers": "external"}});
    for (key, kind) in [
        ("svc-web", service.clone()),
        ("svc-pay", service),
        ("app-web", json!("application")),
        ("app-pay", json!("application")),
        ("db-main", json!("software")),
        ("db-copy", json!("software")),
    ] {
        ok(
            &mut sms,
            1,
            "cfg",
            json!({"op": "add_ci", "key": key, "name": key, "kind": kind, "criticality": "low"}),
        );
    }
    for (from, to) in [
        ("svc-web", "app-web"),
        ("svc-pay", "app-pay"),
        ("app-web", "db-main"),
    ] {
        ok(
            &mut sms,
            1,
            "cfg",
            json!({"op": "relate", "from": from, "kind": "depends_on", "to": to}),
        );
    }
    sms
}

/// Raises, assesses, approves and schedules change `key` (by `ops`) for hours `from`..`to`.
fn scheduled(sms: &mut Sms, key: &str, targets: &[&str], delta: Value, from: i64, to: i64) {
    ok(
        sms,
        from - 3,
        "ops",
        json!({"op": "raise_change", "key": key, "title": key, "targets": targets,
               "implementer": "ops", "delta": delta}),
    );
    ok(
        sms,
        from - 3,
        "ops",
        json!({"op": "submit_change", "change": key}),
    );
    ok(
        sms,
        from - 2,
        "cm",
        json!({"op": "assess_change", "change": key}),
    );
    ok(
        sms,
        from - 2,
        "cm",
        json!({"op": "approve_change", "change": key}),
    );
    if ask(sms, json!({"query": "change", "change": key}))["status"] != "approved" {
        ok(
            sms,
            from - 2,
            "cab",
            json!({"op": "approve_change", "change": key}),
        );
    }
    ok(
        sms,
        from - 1,
        "cm",
        json!({"op": "schedule_change", "change": key, "start": time(from), "end": time(to)}),
    );
}

/// Takes change `key` through its whole lifecycle, completing it successfully at hour `h`.
fn deployed(sms: &mut Sms, key: &str, targets: &[&str], delta: Value, h: i64) -> Value {
    scheduled(sms, key, targets, delta, h, h + 2);
    ok(sms, h, "ops", json!({"op": "start_change", "change": key}));
    ok(
        sms,
        h + 1,
        "ops",
        json!({"op": "complete_change", "change": key, "outcome": "successful"}),
    )
}

// ---- known wrong answers ----

#[test]
fn a_completed_change_does_not_count_edits_as_touched_cis() {
    let mut sms = engine();
    // Three edits, two CIs: two edits of db-main and a relation from it to db-copy. The old
    // count said 3 (the number of edits).
    let events = deployed(
        &mut sms,
        "chg-db",
        &["db-main", "db-copy"],
        json!([
            {"edit": "update_ci", "ci": "db-main", "update": {"set_attributes": {"version": {"text": "16"}}}},
            {"edit": "update_ci", "ci": "db-main", "update": {"criticality": "medium"}},
            {"edit": "relate", "from": "db-main", "kind": "depends_on", "to": "db-copy"}
        ]),
        10,
    );
    assert_eq!(
        events["events"][0]["effects"],
        json!([{"effect": "configuration_applied", "change": "chg-db", "touched": 2}])
    );
    // One edit, two CIs: a relation touches both ends (the old count said 1).
    let events = deployed(
        &mut sms,
        "chg-rel",
        &["app-pay", "db-copy"],
        json!([{"edit": "relate", "from": "app-pay", "kind": "depends_on", "to": "db-copy"}]),
        20,
    );
    assert_eq!(events["events"][0]["effects"][0]["touched"], 2);
}

#[test]
fn change_metrics_do_not_report_an_unchecked_configuration_as_clean() {
    let mut sms = engine();
    ok(
        &mut sms,
        2,
        "cfg",
        json!({"op": "take_baseline", "name": "before"}),
    );
    deployed(
        &mut sms,
        "chg-db",
        &["db-main"],
        json!([{"edit": "update_ci", "ci": "db-main", "update": {"name": "Main database"}}]),
        10,
    );
    // An edit outside any change, and one more after the change touched db-main.
    ok(
        &mut sms,
        20,
        "cfg",
        json!({"op": "update_ci", "ci": "db-copy", "update": {"name": "Copy"}}),
    );
    ok(
        &mut sms,
        21,
        "cfg",
        json!({"op": "take_baseline", "name": "after"}),
    );
    let (start, end) = (time(0), time(24));
    // Without baselines: not checked (`null`), where it always said 0 before.
    let m = ask(
        &sms,
        json!({"query": "change_metrics", "start": start, "end": end}),
    );
    assert_eq!(m["unauthorized"], Value::Null);
    assert_eq!(m["implemented"], 1);
    // With two baselines: counted, as `unauthorized_changes` lists them.
    let m = ask(
        &sms,
        json!({"query": "change_metrics", "start": start, "end": end,
               "from_baseline": "before", "to_baseline": "after"}),
    );
    assert_eq!(m["unauthorized"], 1);
    let listed = ask(
        &sms,
        json!({"query": "unauthorized_changes", "from": "before", "to": "after"}),
    );
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // The management review counts the same way.
    let r = ask(
        &sms,
        json!({"query": "management_review", "start": start, "end": end,
               "from_baseline": "before", "to_baseline": "after"}),
    );
    assert_eq!(r["changes"]["unauthorized"], 1);
    assert_eq!(r["unauthorized"].as_array().unwrap().len(), 1);
    // One baseline without the other is refused, naming both fields.
    for query in [
        json!({"query": "change_metrics", "start": start, "end": end, "from_baseline": "before"}),
        json!({"query": "management_review", "start": start, "end": end, "to_baseline": "after"}),
    ] {
        let mut query = query;
        query["format"] = json!(1);
        let out = sms.query_json(&query.to_string());
        assert!(
            out.contains(r#""success":false"#) && out.contains("give both or neither"),
            "{out}"
        );
    }
    // The Markdown says so too.
    let period = itsm_core::Period::new(at(0), at(24)).unwrap();
    let md = sms
        .changes()
        .metrics(period, None)
        .to_markdown(&|i| i.to_string());
    assert!(
        md.contains("| unauthorized changes found | not checked (no baselines given) |"),
        "{md}"
    );
}

#[test]
fn the_evidence_map_lists_only_records_of_the_review_period() {
    let mut sms = engine();
    // March: a risk, a baseline, a deployment.
    ok(
        &mut sms,
        2,
        "ops",
        json!({"op": "identify_risk", "key": "r-march", "title": "March risk",
               "category": "technology", "owner": "ops"}),
    );
    ok(
        &mut sms,
        2,
        "cfg",
        json!({"op": "take_baseline", "name": "march"}),
    );
    deployed(
        &mut sms,
        "chg-march",
        &["db-main"],
        json!([{"edit": "update_ci", "ci": "db-main", "update": {"name": "Main database"}}]),
        10,
    );
    // April: another risk, a baseline, a change raised and assessed.
    let april = 24 * 31;
    ok(
        &mut sms,
        april,
        "ops",
        json!({"op": "identify_risk", "key": "r-april", "title": "April risk",
               "category": "technology", "owner": "ops"}),
    );
    ok(
        &mut sms,
        april,
        "cfg",
        json!({"op": "take_baseline", "name": "april"}),
    );
    ok(
        &mut sms,
        april,
        "ops",
        json!({"op": "raise_change", "key": "chg-april", "title": "April change", "targets": ["db-copy"]}),
    );
    let review = |from: i64, to: i64| {
        let r = ask(
            &sms,
            json!({"query": "management_review", "start": time(from), "end": time(to)}),
        );
        let records = |clause: &str| -> Vec<String> {
            r["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["clause"] == clause)
                .unwrap()["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect()
        };
        (
            records("6.1"),
            records("8.2.6"),
            records("8.5.1"),
            records("8.5.3"),
            records("7.5"),
        )
    };
    let (risks, config, changes, deployments, log) = review(0, april - 1);
    assert_eq!(risks, ["R-1 March risk"]);
    assert_eq!(config[1..], ["baseline `march`".to_owned()]);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(
        changes[0].starts_with("CHG-1 chg-march (implemented"),
        "{changes:?}"
    );
    assert_eq!(deployments.len(), 1, "{deployments:?}");
    assert_eq!(log, ["19 logged command(s)"]);
    let (risks, config, changes, deployments, log) = review(april - 1, april + 24);
    assert_eq!(risks, ["R-2 April risk"]);
    assert_eq!(config[1..], ["baseline `april`".to_owned()]);
    assert_eq!(changes, ["CHG-2 April change (draft)"]);
    assert!(deployments.is_empty(), "{deployments:?}");
    assert_eq!(log, ["3 logged command(s)"]);
}

// ---- one definition for a direct edit and a change's delta ----

#[test]
fn a_change_delta_can_set_status_provision_and_owner_as_a_direct_update_can() {
    let mut sms = engine();
    let update = json!({"status": "planned", "provision": {"external_supplier": "fastnet"},
                        "owner": "cfg", "criticality": "high"});
    // The direct update, on one CI ...
    ok(
        &mut sms,
        2,
        "cfg",
        json!({"op": "update_ci", "ci": "db-copy", "update": update}),
    );
    // ... and the same update through a change, on another, with a CI added with all fields.
    deployed(
        &mut sms,
        "chg-db",
        &["db-main"],
        json!([
            {"edit": "update_ci", "ci": "db-main", "update": update},
            {"edit": "add_ci", "key": "db-new", "name": "New database", "kind": "software",
             "status": "planned", "provision": {"external_supplier": "fastnet"},
             "owner": "cfg", "criticality": "high"}
        ]),
        10,
    );
    let cmdb = sms.cmdb();
    let (direct, changed, added) = (
        cmdb.ci_by_key("db-copy").unwrap(),
        cmdb.ci_by_key("db-main").unwrap(),
        cmdb.ci_by_key("db-new").unwrap(),
    );
    let cfg = sms.actor("cfg").unwrap().id;
    for ci in [direct, changed, added] {
        assert_eq!(ci.status, itsm_cmdb::CiStatus::Planned, "{}", ci.key);
        assert_eq!(
            ci.provision,
            itsm_cmdb::Provision::ExternalSupplier(itsm_core::Id::from_key("fastnet")),
            "{}",
            ci.key
        );
        assert_eq!(ci.owner, Some(cfg), "{}", ci.key);
        assert_eq!(ci.criticality, itsm_cmdb::Criticality::High, "{}", ci.key);
    }
    assert_eq!(changed.last_change, sms.change_id("chg-db"));
}

#[test]
fn a_delta_with_a_bad_value_is_refused_at_raise_as_a_direct_edit_is() {
    let mut sms = engine();
    let raise = |delta: Value| {
        json!({"op": "raise_change", "key": "chg-bad", "title": "bad", "targets": ["db-main"],
               "delta": delta})
    };
    // An owner who is not an actor: the same refusal, word for word, from the direct edit
    // and from the change (at raise, not at completion).
    let bad_owner = json!({"owner": "ghost"});
    let direct = refused(
        &mut sms,
        2,
        "cfg",
        json!({"op": "update_ci", "ci": "db-main", "update": bad_owner}),
    );
    let delta = refused(
        &mut sms,
        2,
        "ops",
        raise(json!([{"edit": "update_ci", "ci": "db-main", "update": bad_owner}])),
    );
    assert_eq!(direct, "unknown actor `ghost`");
    assert_eq!(delta, direct);
    let added = refused(
        &mut sms,
        2,
        "ops",
        raise(
            json!([{"edit": "add_ci", "key": "db-new", "name": "n", "kind": "software",
                      "owner": "ghost"}]),
        ),
    );
    assert_eq!(added, direct);
    let direct_add = refused(
        &mut sms,
        2,
        "cfg",
        json!({"op": "add_ci", "key": "db-new", "name": "n", "kind": "software", "owner": "ghost"}),
    );
    assert_eq!(direct_add, direct);
    // A value the definition does not hold is refused by the one definition, in both.
    for (actor, command) in [
        (
            "cfg",
            json!({"op": "update_ci", "ci": "db-main", "update": {"status": "sleeping"}}),
        ),
        (
            "ops",
            raise(
                json!([{"edit": "update_ci", "ci": "db-main", "update": {"status": "sleeping"}}]),
            ),
        ),
        (
            "ops",
            raise(
                json!([{"edit": "add_ci", "key": "db-new", "name": "n", "kind": "software",
                          "status": "sleeping"}]),
            ),
        ),
    ] {
        let m = refused(&mut sms, 2, actor, command);
        assert!(
            m.contains("unknown value `sleeping`, expected one of `planned`, `active`, `retired`"),
            "{m}"
        );
    }
    // A key the CMDB holds is refused at raise, where it failed only at completion before.
    let m = refused(
        &mut sms,
        2,
        "ops",
        raise(json!([{"edit": "add_ci", "key": "db-copy", "name": "n", "kind": "software"}])),
    );
    assert_eq!(m, "CI `db-copy` already exists");
    assert_eq!(sms.changes().changes().len(), 0);
}

// ---- answers in the user's words ----

#[test]
fn conflicts_name_changes_cis_services_and_implementers_by_key() {
    let mut sms = engine();
    // app-web depends on db-main; svc-web sits above both.
    scheduled(&mut sms, "chg-app", &["app-web"], json!([]), 10, 14);
    scheduled(&mut sms, "chg-db", &["db-main"], json!([]), 12, 16);
    let conflicts = ask(&sms, json!({"query": "conflicts"}));
    let window = json!({"start": time(12), "end": time(14)});
    assert_eq!(
        conflicts,
        json!([
            {"overlap": {"changes": ["chg-app", "chg-db"], "shared": {"service": "svc-web"},
                         "overlap": window, "pairs": 1}},
            {"overlap": {"changes": ["chg-app", "chg-db"], "shared": {"implementer": "ops"},
                         "overlap": window, "pairs": 1}},
            {"dependency": {"ci": "db-main", "changes": ["chg-db"],
                            "dependents": [{"change": "chg-app", "ci": "app-web"}],
                            "overlap": window, "pairs": 1}}
        ]),
        "{conflicts:#}"
    );
}

#[test]
fn changes_of_a_ci_and_of_one_it_needs_directly_conflict_without_a_service_above_them() {
    let mut sms = engine();
    // app-batch needs db-copy; no service sits above either.
    ok(
        &mut sms,
        2,
        "cfg",
        json!({"op": "add_ci", "key": "app-batch", "name": "Batch", "kind": "application"}),
    );
    ok(
        &mut sms,
        2,
        "cfg",
        json!({"op": "relate", "from": "app-batch", "kind": "depends_on", "to": "db-copy"}),
    );
    scheduled(&mut sms, "chg-batch", &["app-batch"], json!([]), 10, 14);
    scheduled(&mut sms, "chg-copy", &["db-copy"], json!([]), 12, 16);
    let conflicts = ask(&sms, json!({"query": "conflicts"}));
    let conflicts = conflicts.as_array().unwrap();
    // Before, only the shared implementer was reported: the parent/child conflict went
    // unseen without a service above both.
    assert!(
        conflicts.contains(&json!({"dependency": {
            "ci": "db-copy", "changes": ["chg-copy"],
            "dependents": [{"change": "chg-batch", "ci": "app-batch"}],
            "overlap": {"start": time(12), "end": time(14)}, "pairs": 1}})),
        "{conflicts:#?}"
    );
    assert!(
        !conflicts
            .iter()
            .any(|c| c["overlap"]["shared"].get("service").is_some()),
        "{conflicts:#?}"
    );
}

#[test]
fn no_answer_names_a_record_by_its_id() {
    let mut sms = engine();
    // A supplier, a removed CI that a closed change and a risk still name, risks with a
    // division, links, a transfer, an acceptance and an overdue action, conflicts of every
    // kind, change metrics per service and an unauthorized relation.
    ok(
        &mut sms,
        2,
        "cfg",
        json!({"op": "update_ci", "ci": "db-copy", "update": {"provision": {"external_supplier": "fastnet"}, "owner": "ops"}}),
    );
    ok(
        &mut sms,
        2,
        "cfg",
        json!({"op": "add_ci", "key": "tmp", "name": "Temporary", "kind": "software"}),
    );
    ok(
        &mut sms,
        2,
        "cfg",
        json!({"op": "take_baseline", "name": "before"}),
    );
    deployed(
        &mut sms,
        "chg-tmp",
        &["tmp", "db-main"],
        json!([{"edit": "update_ci", "ci": "tmp", "update": {"owner": "cm"}},
               {"edit": "add_ci", "key": "tmp-2", "name": "Temporary 2", "kind": "software",
                "provision": {"internal_supplier": "it-dept"}, "owner": "ops"},
               {"edit": "relate", "from": "tmp-2", "kind": "depends_on", "to": "db-main"}]),
        10,
    );
    ok(
        &mut sms,
        12,
        "cm",
        json!({"op": "review_change", "change": "chg-tmp", "notes": "fine"}),
    );
    ok(
        &mut sms,
        12,
        "cm",
        json!({"op": "close_change", "change": "chg-tmp"}),
    );
    ok(
        &mut sms,
        13,
        "ops",
        json!({"op": "identify_risk", "key": "r-supplier", "title": "Supplier exit",
               "category": "supplier", "owner": "ops", "division": "retail",
               "links": {"cis": ["tmp", "db-copy"], "suppliers": ["fastnet"], "changes": ["chg-tmp"]},
               "inherent": {"impact": "Minor", "likelihood": "Possible"}}),
    );
    ok(&mut sms, 13, "cfg", json!({"op": "remove_ci", "ci": "tmp"}));
    ok(
        &mut sms,
        14,
        "rm",
        json!({"op": "treat_risk", "risk": "r-supplier",
               "treatment": {"transfer": {"to": "insurer", "arrangement": "policy 7"}}}),
    );
    ok(
        &mut sms,
        14,
        "ops",
        json!({"op": "identify_risk", "key": "r-accepted", "title": "Small one",
               "category": "technology", "owner": "ops",
               "inherent": {"impact": "Minor", "likelihood": "Rare"}}),
    );
    ok(
        &mut sms,
        14,
        "rm",
        json!({"op": "accept_risk", "risk": "r-accepted", "until": "2026-12-31",
               "rationale": "cheap to live with"}),
    );
    ok(
        &mut sms,
        14,
        "ops",
        json!({"op": "add_risk_action", "risk": "r-supplier", "description": "Find a second supplier",
               "owner": "ops", "due": "2026-03-03"}),
    );
    ok(
        &mut sms,
        15,
        "cfg",
        json!({"op": "relate", "from": "app-pay", "kind": "depends_on", "to": "db-copy"}),
    );
    ok(
        &mut sms,
        15,
        "cfg",
        json!({"op": "take_baseline", "name": "after"}),
    );
    scheduled(&mut sms, "chg-app", &["app-web"], json!([]), 30, 34);
    scheduled(&mut sms, "chg-db", &["db-main"], json!([]), 32, 36);
    let (start, end) = (time(0), time(24 * 30));
    let mut queries = vec![
        json!({"query": "conflicts"}),
        json!({"query": "escalations", "since": time(0)}),
        json!({"query": "risk_report", "start": start, "end": end}),
        json!({"query": "change_metrics", "start": start, "end": end,
               "from_baseline": "before", "to_baseline": "after"}),
        json!({"query": "unauthorized_changes", "from": "before", "to": "after"}),
        json!({"query": "management_review", "start": start, "end": end,
               "from_baseline": "before", "to_baseline": "after"}),
        json!({"query": "risk", "risk": "r-supplier"}),
        json!({"query": "risk", "risk": "R-2"}),
    ];
    for c in ["chg-tmp", "chg-app", "chg-db"] {
        queries.push(json!({"query": "change", "change": c}));
    }
    for ci in sms.cmdb().cis() {
        queries.push(json!({"query": "ci", "ci": ci.key}));
    }
    for q in &queries {
        let mut versioned = q.clone();
        versioned["format"] = json!(1);
        let out = sms.query_json(&versioned.to_string());
        assert!(out.contains(r#""success":true"#), "{q} -> {out}");
        assert_eq!(
            itsm_testkit::uuids(&out),
            Vec::<String>::new(),
            "{q} -> {out}"
        );
        // One code path: the JSON answer is the typed answer, serialized, and reads back.
        let typed = sms
            .query(&serde_json::from_value::<Query>(q.clone()).unwrap())
            .unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            serde_json::from_value::<Answer>(v["answer"].clone()).unwrap(),
            typed,
            "{q}"
        );
    }
    // What the ids were, by key.
    let ci = ask(&sms, json!({"query": "ci", "ci": "db-copy"}));
    assert_eq!(ci["owner"], "ops");
    assert_eq!(ci["provision"], json!({"external_supplier": "fastnet"}));
    let added = ask(&sms, json!({"query": "ci", "ci": "tmp-2"}));
    assert_eq!(added["provision"], json!({"internal_supplier": "it-dept"}));
    assert_eq!(added["last_change"], "chg-tmp");
    let risk = ask(&sms, json!({"query": "risk", "risk": "r-supplier"}));
    assert_eq!(risk["reference"], "R-1");
    assert_eq!(risk["key"], "r-supplier");
    assert_eq!(risk["owner"], "ops");
    assert_eq!(risk["division"], "retail");
    // Links are sets: by key, in key order.
    assert_eq!(
        risk["links"],
        json!({"cis": ["db-copy", "tmp"], "suppliers": ["fastnet"], "changes": ["chg-tmp"]})
    );
    assert_eq!(
        risk["treatment"],
        json!({"transfer": {"to": "insurer", "arrangement": "policy 7"}})
    );
    assert_eq!(risk["actions"][0]["owner"], "ops");
    let accepted = ask(&sms, json!({"query": "risk", "risk": "r-accepted"}));
    assert_eq!(accepted["treatment"]["accept"]["by"], "rm");
    let change = ask(&sms, json!({"query": "change", "change": "chg-tmp"}));
    assert_eq!(change["key"], "chg-tmp");
    assert_eq!(change["reference"], "CHG-1");
    assert_eq!(change["requester"], "ops");
    // A removed CI is still named by the key it had.
    assert_eq!(change["request"]["targets"], json!(["tmp", "db-main"]));
    assert_eq!(
        change["request"]["delta"][0],
        json!({"edit": "update_ci", "ci": "tmp", "update": {"name": null, "status": null,
               "criticality": null, "provision": null, "owner": "cm",
               "set_attributes": {}, "remove_attributes": []}})
    );
    assert_eq!(change["approvals"][0]["by"], "cm");
    assert_eq!(change["log"][0]["actor"], "ops");
    assert_eq!(change["assessment"]["targets"], json!(["tmp", "db-main"]));
    let metrics = ask(
        &sms,
        json!({"query": "change_metrics", "start": start, "end": end}),
    );
    assert_eq!(metrics["per_service"], json!([["svc-web", 1]]));
    let unauthorized = ask(
        &sms,
        json!({"query": "unauthorized_changes", "from": "before", "to": "after"}),
    );
    assert!(
        unauthorized
            .as_array()
            .unwrap()
            .contains(&json!({"relation": {"relation": {"from": "app-pay", "kind": "depends_on", "to": "db-copy"}, "what": "added"}})),
        "{unauthorized:#}"
    );
    let report = ask(
        &sms,
        json!({"query": "risk_report", "start": start, "end": end}),
    );
    assert_eq!(report["overdue_actions"][0]["owner"], "ops");
}
