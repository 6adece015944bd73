//! The JSON surface: every malformed input is an error answer, never a panic, and changes
//! nothing; queries answer by key; the management review shows evidence per clause.

use itsm_engine::Sms;
use proptest::prelude::*;
use serde_json::{Value, json};

/// The organisation, on the shared engine policy with self-approval allowed (`ops` both
/// implements and approves).
fn organisation() -> String {
    let policy = itsm_engine::PolicyDef {
        allow_self_approval: true,
        ..itsm_testkit::change_policy::engine_policy()
    };
    serde_json::json!({"format": 1, "at": "2026-01-05T09:00:00Z", "actor": "ceo", "op": "define_organisation",
      "actors": [{"key": "ceo", "name": "CEO", "roles": ["top_management"]},
                 {"key": "ops", "name": "Ops", "roles": ["implementer", "change_manager"]},
                 {"key": "cab", "name": "Cab", "roles": ["cab_member"]}],
      "change_policy": policy})
    .to_string()
}

fn engine() -> Sms {
    let mut sms = Sms::new();
    let org = organisation();
    for cmd in [
        org.as_str(),
        r#"{"format": 1, "at": "2026-01-05T10:00:00Z", "actor": "ops", "op": "add_ci", "key": "svc-web", "name": "Web", "kind": {"service": {"size": "small", "composition": "single", "provision_source": "centralized", "consumers": "external"}}, "criticality": "high"}"#,
        r#"{"format": 1, "at": "2026-01-05T10:00:00Z", "actor": "ops", "op": "add_ci", "key": "app-web", "name": "Web app", "kind": "application"}"#,
        r#"{"format": 1, "at": "2026-01-05T10:00:00Z", "actor": "ops", "op": "relate", "from": "svc-web", "kind": "depends_on", "to": "app-web"}"#,
        r#"{"format": 1, "at": "2026-01-05T10:00:00Z", "actor": "ops", "op": "take_baseline", "name": "start"}"#,
    ] {
        let out = sms.apply_json(cmd);
        assert!(out.contains(r#""success":true"#), "{out}");
    }
    sms
}

#[test]
fn bad_input_gets_an_error_answer() {
    let mut sms = engine();
    let before = sms.clone();
    for (input, expected) in [
        ("not json", "malformed JSON"),
        ("[1, 2]", "a command is a JSON object"),
        (
            r#"{"format": 1, "actor": "ops", "op": "take_baseline", "name": "x"}"#,
            "`at` is missing",
        ),
        (
            r#"{"format": 1, "at": "yesterday", "actor": "ops", "op": "take_baseline", "name": "x"}"#,
            "`at`:",
        ),
        (
            r#"{"format": 1, "at": "2026-01-05T10:00:00Z", "actor": 7, "op": "take_baseline", "name": "x"}"#,
            "`actor` must be an actor key",
        ),
        (
            r#"{"format": 1, "at": "2026-01-05T10:00:00Z", "actor": "ops", "op": "launch_rockets"}"#,
            "unknown value `launch_rockets`",
        ),
        (
            r#"{"format": 1, "at": "2026-01-05T10:00:00Z", "actor": "ops", "op": "take_baseline"}"#,
            "missing field `name`",
        ),
        (
            r#"{"format": 1, "at": "2026-01-05T10:00:00Z", "actor": "ops", "op": "take_baseline", "name": "x", "extra": 1}"#,
            "unknown field `extra`",
        ),
        (
            r#"{"format": 1, "at": "2026-01-05T10:00:00Z", "actor": "ops", "op": "take_baseline", "name": "start"}"#,
            "baseline `start` already exists",
        ),
        (
            r#"{"format": 1, "at": "2026-01-05T10:00:00Z", "actor": "ops", "op": "add_ci", "key": "host-1", "name": "h", "kind": "hardware"}"#,
            "under change control",
        ),
    ] {
        let out = sms.apply_json(input);
        assert!(
            out.contains(r#""success":false"#) && out.contains(expected),
            "{input} -> {out}"
        );
        assert_eq!(sms, before, "{input}");
    }
    assert!(
        sms.query_json(r#"{"format": 1, "query": "nope"}"#)
            .contains(r#""success":false"#)
    );
    assert!(
        sms.query_json(r#"{"format": 1, "query": "impact", "failed": ["ghost"]}"#)
            .contains("unknown configuration item key `ghost`")
    );
}

#[test]
fn a_value_of_the_wrong_shape_is_described_in_the_users_words_not_by_rust_types() {
    let mut sms = engine();
    let at = r#""at": "2026-01-05T10:00:00Z""#;
    for (command, says) in [
        (
            r#""actor": "ops", "op": "update_ci", "ci": "app-web", "update": 7"#,
            "expected an update with any of `name`, `status`",
        ),
        (
            r#""actor": "ops", "op": "add_ci", "key": "k", "name": "K", "kind": {"service": 7}"#,
            "expected a service profile with `size`",
        ),
        (
            r#""actor": "ops", "op": "raise_change", "key": "c", "title": "C", "targets": [], "delta": [7]"#,
            "expected an edit of the delta",
        ),
        (
            r#""actor": "ceo", "op": "define_organisation", "actors": [7]"#,
            "expected an actor with `key`, `name`",
        ),
        (
            r#""actor": "ceo", "op": "define_organisation", "actors": [], "change_policy": {"approvals": [{"category": "normal", "from_level": "Low", "approver": {"cab": 7}}]}"#,
            "expected a quorum",
        ),
        (
            r#""actor": "ceo", "op": "define_organisation", "actors": [{"key": "ceo", "name": "CEO", "roles": ["process_owner"]}]"#,
            "invalid type: a name alone, expected a name with its value",
        ),
        (
            r#""actor": "ops", "op": "add_redundancy_group", "name": "g", "dependent": "svc-web", "members": ["app-web"], "min_up": -1"#,
            "expected a whole number from 0 to",
        ),
        (
            r#""actor": "ops", "op": "identify_risk", "key": "r", "title": "R", "category": "c", "owner": "ceo", "inherent": 7"#,
            "expected a rating with `impact` and `likelihood`",
        ),
        (
            r#""actor": "ops", "op": "treat_risk", "risk": "r", "treatment": {"transfer": 7}"#,
            "expected a transfer with `to`",
        ),
        (r#""actor": "ops", "op": "fly""#, "unknown value `fly`"),
    ] {
        let out = sms.apply_json(&format!("{{\"format\": 1, {at}, {command}}}"));
        assert!(out.contains(says), "{command}: {out}");
        for rust in ["struct", "variant", "Def", "usize", "Approver", "unit"] {
            assert!(!out.contains(rust), "{command}: `{rust}` in {out}");
        }
    }
    let out = sms.query_json("7");
    assert!(out.contains("a query is a JSON object"), "{out}");
    let out = sms.query_json(r#"{"format": 1, "query": 7}"#);
    assert!(
        out.contains("query: invalid type: integer `7`, expected a name"),
        "{out}"
    );
    assert!(!out.contains("variant"), "{out}");
}

#[test]
fn queries_answer_by_key_and_the_review_shows_evidence() {
    let sms = engine();
    let out = sms.query_json(r#"{"format": 1, "query": "impact", "failed": ["app-web"]}"#);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["answer"]["answer"], "impact");
    assert_eq!(
        v["answer"]["value"]["services_down"],
        serde_json::json!(["svc-web"])
    );
    let out =
        sms.query_json(r#"{"format": 1, "query": "single_points_of_failure", "ci": "svc-web"}"#);
    assert!(out.contains(r#""value":["app-web"]"#), "{out}");
    assert!(
        sms.query_json(r#"{"format": 1, "query": "log_length"}"#)
            .contains(r#""value":5"#)
    );
    let review = sms
        .query(&itsm_engine::Query::ManagementReview {
            start: "2026-01-01T00:00:00Z".parse().unwrap(),
            end: "2026-02-01T00:00:00Z".parse().unwrap(),
            from_baseline: Some("start".into()),
            to_baseline: Some("start".into()),
        })
        .unwrap();
    let itsm_engine::Answer::ManagementReview(r) = review else {
        panic!("not a review")
    };
    let clauses: Vec<&str> = r.evidence.iter().map(|c| c.clause.as_str()).collect();
    assert_eq!(
        clauses,
        [
            "5.3", "6.1", "7.5", "8.2.6", "8.5.1", "8.5.2", "8.5.3", "8.7.1", "8.7.2", "8.7.3",
            "9.1", "9.3"
        ]
    );
    let md = sms
        .management_review(r.period, None)
        .to_markdown(&|i| i.to_string());
    assert!(
        md.contains("| 8.2.6 | Configuration management | 2 |"),
        "{md}"
    );
    assert!(md.contains("- baseline `start`"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Arbitrary text never panics and never changes the state unless it is a valid command.
    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let mut sms = engine();
        let before = sms.clone();
        let out = sms.apply_json(&s);
        prop_assert!(out.contains(r#""success":false"#));
        prop_assert_eq!(&sms, &before);
        let q = sms.query_json(&s);
        prop_assert!(q.starts_with(r#"{"#), "{}", q);
    }

    /// Valid commands with one byte changed: an answer either way, never a panic; a refused
    /// one changes nothing.
    #[test]
    fn mutated_commands_never_panic(pos in 0usize..400, byte in 32u8..127) {
        let mut sms = engine();
        let mut text = r#"{"format": 1, "at": "2026-01-06T10:00:00Z", "actor": "ops", "op": "add_ci", "key": "app-2", "name": "App 2", "kind": "application", "criticality": "low", "attributes": {"environment": {"text": "test"}}}"#.as_bytes().to_vec();
        let i = pos % text.len();
        text[i] = byte;
        let Ok(s) = String::from_utf8(text) else { return Ok(()) };
        let before = sms.clone();
        let out = sms.apply_json(&s);
        if out.contains(r#""success":false"#) {
            prop_assert_eq!(&sms, &before);
        } else {
            prop_assert_eq!(sms.log().len(), before.log().len() + 1);
        }
    }
}

#[test]
fn a_duplicate_field_cannot_smuggle_a_second_actor_or_value() {
    let mut sms = Sms::new();
    let org = r#"{"format": 1, "at": "2026-01-05T09:00:00Z", "actor": "ceo", "op": "define_organisation",
        "actors": [{"key": "ceo", "name": "CEO", "roles": ["top_management"]},
                   {"key": "intern", "name": "Intern", "roles": []}]}"#;
    assert!(sms.apply_json(org).contains(r#""success":true"#));
    for text in [
        r#"{"format": 1, "at": "2026-01-05T10:00:00Z", "actor": "intern", "actor": "ceo", "op": "take_baseline", "name": "b"}"#,
        r#"{"format": 1, "at": "2026-01-05T10:00:00Z", "actor": "ceo", "op": "take_baseline", "name": "b", "name": "c"}"#,
        r#"{"format": 1, "at": "2026-01-05T10:00:00Z", "actor": "ceo", "op": "add_ci", "key": "a", "name": "A",
            "kind": "document", "attributes": {"env": {"text": "test"}, "env": {"text": "production"}}}"#,
    ] {
        let out = sms.apply_json(text);
        assert!(out.contains("duplicate field"), "{out}");
    }
    assert_eq!(sms.log().len(), 1);
    let out = sms.query_json(r#"{"format": 1, "query": "ci", "ci": "a", "ci": "b"}"#);
    assert!(out.contains("duplicate field `ci`"), "{out}");
}

#[test]
fn an_error_never_echoes_more_than_about_100_characters_of_input() {
    let mut sms = Sms::new();
    let long = "k".repeat(100_000);
    let text =
        serde_json::json!({"format": 1, "at": "2026-01-05T10:00:00Z", "actor": long, "op": "take_baseline",
        "name": "b"})
        .to_string();
    let out = sms.apply_json(&text);
    assert!(
        out.contains(r#""success":false"#) && out.len() < 400,
        "{}",
        out.len()
    );
    let text =
        serde_json::json!({"format": 1, "at": "2026-01-05T10:00:00Z", "actor": "a", "op": long})
            .to_string();
    let out = sms.apply_json(&text);
    assert!(out.len() < 1200, "{}", out.len());
}

#[test]
fn a_command_or_query_of_an_unknown_format_is_refused_naming_the_versions_read() {
    let mut sms = Sms::new();
    for (text, found) in [
        (
            r#"{"format": 2, "at": "2026-01-05T09:00:00Z", "actor": "ceo", "op": "take_baseline", "name": "b"}"#,
            "format 2 is not one",
        ),
        (
            r#"{"format": "1", "at": "2026-01-05T09:00:00Z", "actor": "ceo", "op": "take_baseline", "name": "b"}"#,
            "format \"1\" is not one",
        ),
        (
            r#"{"format": -1, "at": "2026-01-05T09:00:00Z", "actor": "ceo", "op": "take_baseline", "name": "b"}"#,
            "format -1 is not one",
        ),
        (
            r#"{"at": "2026-01-05T09:00:00Z", "actor": "ceo", "op": "take_baseline", "name": "b"}"#,
            "the document carries no `format`",
        ),
    ] {
        let out: Value = serde_json::from_str(&sms.apply_json(text)).unwrap();
        assert_eq!(out["success"], json!(false), "{out}");
        assert_eq!(
            out["format"],
            json!(1),
            "every answer says its format: {out}"
        );
        let message = out["errors"][0].as_str().unwrap();
        assert!(message.contains(found), "{message}");
        assert!(message.contains("reads format 1)"), "{message}");
    }
    let out: Value =
        serde_json::from_str(&sms.query_json(
            r#"{"format": 7, "query": "escalations", "since": "2026-01-01T00:00:00Z"}"#,
        ))
        .unwrap();
    assert!(
        out["errors"][0]
            .as_str()
            .unwrap()
            .contains("format 7 is not one this build reads (it reads format 1)"),
        "{out}"
    );
    assert!(sms.log().is_empty());
}

#[test]
fn every_answer_of_the_json_surface_carries_its_format() {
    let sms = engine();
    let out: Value = serde_json::from_str(
        &sms.query_json(r#"{"format": 1, "query": "impact", "failed": ["app-web"]}"#),
    )
    .unwrap();
    assert_eq!(
        (out["format"].clone(), out["success"].clone()),
        (json!(1), json!(true))
    );
}

#[test]
fn a_query_without_fields_refuses_unknown_ones_as_every_other_query_does() {
    // Serde lets an internally tagged unit variant ignore whatever else the object holds, so
    // `conflicts` and `log_length` took a stray `since`, or a nested `format` of another
    // version, without a word.
    let sms = engine();
    for q in [
        r#"{"format": 1, "query": "log_length", "since": "2026-01-01T00:00:00Z"}"#,
        r#"{"format": 1, "query": "conflicts", "inner": {"format": 2}}"#,
    ] {
        let out = sms.query_json(q);
        assert!(
            out.contains(r#""success":false"#) && out.contains("unknown field"),
            "{q} -> {out}"
        );
    }
    for q in [
        r#"{"format": 1, "query": "log_length"}"#,
        r#"{"format": 1, "query": "conflicts"}"#,
    ] {
        let out = sms.query_json(q);
        assert!(out.contains(r#""success":true"#), "{q} -> {out}");
    }
}
