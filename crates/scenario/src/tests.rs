//! The document's format, the checks' wording in a report, and the parser's refusals.

use serde_json::{Value, json};

use crate::*;

/// A small organisation: a web service on two ISPs, the first alone a single point of failure.
fn steps() -> Vec<Value> {
    let at = "2026-12-01T09:00:00Z";
    let cmd = |op: Value| {
        let mut step = json!({"at": at, "actor": "ceo"});
        if let (Some(s), Some(o)) = (step.as_object_mut(), op.as_object()) {
            s.extend(o.clone());
        }
        step
    };
    vec![
        cmd(json!({"op": "define_organisation", "actors": [
            {"key": "ceo", "name": "CEO", "roles": ["top_management", "implementer"]}]})),
        cmd(
            json!({"op": "add_ci", "key": "svc-web", "name": "Web", "kind": {"service": {
            "size": "small", "composition": "single", "provision_source": "centralized",
            "consumers": "external"}}}),
        ),
        cmd(json!({"op": "add_ci", "key": "app", "name": "App", "kind": "application"})),
        cmd(json!({"op": "add_ci", "key": "isp-a", "name": "ISP A", "kind": "external_service"})),
        cmd(json!({"op": "relate", "from": "svc-web", "kind": "depends_on", "to": "app"})),
        cmd(json!({"op": "relate", "from": "app", "kind": "depends_on", "to": "isp-a"})),
    ]
}

fn document(expectations: &[Value]) -> String {
    let mut steps = steps();
    steps.extend(expectations.iter().map(|e| json!({ "expect": e })));
    json!({"format": 1, "name": "t", "steps": steps}).to_string()
}

fn spof(check: Value) -> Value {
    let mut e =
        json!({"query": {"query": "single_points_of_failure", "ci": "svc-web"}, "path": "/value"});
    if let (Some(e), Some(c)) = (e.as_object_mut(), check.as_object()) {
        e.extend(c.clone());
    }
    e
}

/// The one expectation of a document: whether it passed, and its detail.
fn outcome(expectation: Value) -> (bool, String) {
    let (report, _) = run(&document(&[expectation])).unwrap();
    let last = report.steps.last().unwrap();
    assert!(
        report.steps.iter().rev().skip(1).all(|s| s.passed),
        "{}",
        report.to_text()
    );
    (last.passed, last.detail.clone())
}

fn refusal(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn a_document_of_an_unknown_format_is_refused_naming_the_versions_read() {
    let doc = |format: Value| json!({"format": format, "name": "t", "steps": steps()}).to_string();
    assert_eq!(
        refusal(&doc(json!(2))),
        "scenario format 2 is not one this build reads (it reads format 1)"
    );
    assert_eq!(
        parse(&doc(json!(2))).unwrap_err(),
        ScenarioError::Format {
            found: Some("2".into())
        }
    );
    for (format, shown) in [
        (json!(0), "0"),
        (json!(-1), "-1"),
        (json!(1.0), "1.0"),
        (json!("1"), "\"1\""),
        (json!(null), "null"),
        (json!([1]), "[1]"),
    ] {
        assert_eq!(
            refusal(&doc(format)),
            format!("scenario format {shown} is not one this build reads (it reads format 1)")
        );
    }
    assert_eq!(parse(&doc(json!(1))).unwrap().format.version(), 1);
}

#[test]
fn a_document_without_a_format_is_refused_naming_the_versions_read() {
    let text = json!({"name": "t", "steps": steps()}).to_string();
    assert_eq!(
        refusal(&text),
        "scenario the document carries no `format` (this build reads format 1)"
    );
    assert_eq!(
        parse(&text).unwrap_err(),
        ScenarioError::Format { found: None }
    );
    assert!(run(&text).is_err());
}

/// A document of a later format may give its fields other meanings: nothing else of it is
/// read (an unknown field, a step this build cannot read) before its format is refused.
#[test]
fn a_document_of_another_format_is_refused_before_its_fields_are_read() {
    let text = json!({"format": 2, "name": 7, "weights": [], "steps": [{"op": "fly"}]}).to_string();
    assert_eq!(
        refusal(&text),
        "scenario format 2 is not one this build reads (it reads format 1)"
    );
}

/// A hostile `format` is echoed as the engine's errors echo input: at most 100 characters.
#[test]
fn a_long_format_value_is_not_echoed_whole() {
    let long = "9".repeat(5000);
    for format in [format!(r#""{long}""#), format!("[{}1]", "1,".repeat(5000))] {
        let text = format!(r#"{{"format": {format}, "name": "t", "steps": []}}"#);
        let e = refusal(&text);
        assert!(e.chars().count() < 200, "{e}");
        assert!(
            e.ends_with("... is not one this build reads (it reads format 1)"),
            "{e}"
        );
    }
}

#[test]
fn not_contains_passes_when_the_element_is_absent_and_fails_readably_when_present() {
    let (passed, detail) = outcome(spof(json!({"not_contains": "svc-web"})));
    assert!(passed, "{detail}");
    assert_eq!(detail, r#"{"not_contains":"svc-web"} holds"#);
    let (passed, detail) = outcome(spof(json!({"not_contains": "isp-a"})));
    assert!(!passed);
    assert_eq!(
        detail,
        r#"expected {"not_contains":"isp-a"}, found ["app","isp-a"]"#
    );
}

/// A `not_contains` at a path that leads to a number (a mistyped path) held whatever the
/// answer was; it fails, saying why.
#[test]
fn not_contains_on_a_value_it_cannot_look_in_fails_the_step_saying_why() {
    let (passed, detail) = outcome(json!({"query": {"query": "log_length"}, "path": "/value",
        "not_contains": "isp-a"}));
    assert!(!passed);
    assert_eq!(
        detail,
        r#"expected {"not_contains":"isp-a"}, found 6: `not_contains` looks in an array, a string or an object, and the answer here is a number"#
    );
}

#[test]
fn same_set_passes_in_any_order_and_fails_naming_what_is_missing_and_unexpected() {
    let (passed, detail) = outcome(spof(json!({"same_set": ["isp-a", "app"]})));
    assert!(passed, "{detail}");
    let (passed, detail) = outcome(spof(json!({"same_set": ["isp-a", "svc-web"]})));
    assert!(!passed);
    assert_eq!(
        detail,
        r#"expected {"same_set":["isp-a","svc-web"]}, found ["app","isp-a"]: missing ["svc-web"]; unexpected ["app"]"#
    );
    let (passed, detail) = outcome(spof(json!({"same_set": ["isp-a", "app", "app"]})));
    assert!(!passed);
    assert!(detail.ends_with(r#": missing ["app"]"#), "{detail}");
}

#[test]
fn same_set_on_an_answer_that_is_not_an_array_fails_the_step_saying_why() {
    let (passed, detail) = outcome(json!({"query": {"query": "impact", "failed": ["isp-a"]},
        "path": "/value", "same_set": ["svc-web"]}));
    assert!(!passed);
    assert!(
        detail.ends_with(": `same_set` compares arrays, and the answer here is an object"),
        "{detail}"
    );
}

#[test]
fn a_same_set_that_is_not_an_array_is_refused_when_the_document_is_read() {
    let text = document(&[spof(json!({"same_set": "isp-a"}))]);
    assert_eq!(
        refusal(&text),
        "step 7: `same_set` is an array (the elements expected, in any order)"
    );
}

#[test]
fn an_unknown_or_doubled_check_is_refused_listing_the_checks() {
    let text = document(&[spof(json!({"excludes": "isp-a"}))]);
    assert_eq!(
        refusal(&text),
        "step 7: unknown expectation field `excludes` (expected equals, contains, not_contains, same_set, at_least or at_most)"
    );
    let text = document(&[spof(json!({"not_contains": "a", "same_set": []}))]);
    assert_eq!(
        refusal(&text),
        "step 7: an expectation has exactly one of equals, contains, not_contains, same_set, at_least or at_most (found 2)"
    );
}

#[test]
fn a_parsed_scenario_round_trips_through_serde() {
    let s = parse(&document(&[
        spof(json!({"not_contains": "svc-web"})),
        spof(json!({"same_set": ["app", "isp-a"]})),
    ]))
    .unwrap();
    let text = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<Scenario>(&text).unwrap(), s);
}

/// The grid example of `docs/scenario-format.md`, read from the page: rows are likelihood
/// (lowest first), columns impact (lowest first), as the page says.
#[test]
fn the_grid_example_of_the_format_page_rates_as_the_page_says() {
    let page = include_str!("../../../docs/scenario-format.md");
    let (_, after) = page
        .split_once("A 3x3 grid that weighs impact above likelihood:\n\n```json\n\"matrix\": ")
        .unwrap();
    let (matrix, _) = after.split_once("\n```").unwrap();
    let matrix: Value = serde_json::from_str(matrix).unwrap();
    let at = "2026-12-01T09:00:00Z";
    let risk = |key: &str, impact: &str, likelihood: &str| {
        json!({"at": at, "actor": "ceo", "op": "identify_risk", "key": key, "title": key,
               "category": "c", "owner": "ceo",
               "inherent": {"impact": impact, "likelihood": likelihood}})
    };
    let level = |key: &str, level: &str| {
        json!({"expect": {"query": {"query": "risk", "risk": key},
               "path": "/value/inherent/level", "equals": level}})
    };
    let doc = json!({"format": 1, "name": "grid", "steps": [
        {"at": at, "actor": "ceo", "op": "define_organisation",
         "actors": [{"key": "ceo", "name": "CEO", "roles": ["top_management"]}],
         "matrix": matrix,
         "appetite": {"default_threshold": "Medium", "escalate_at": "High"}},
        risk("severe-rare", "Severe", "Rare"),
        risk("minor-likely", "minor", "LIKELY"),
        level("severe-rare", "High"),
        level("minor-likely", "Medium"),
        {"expect": {"query": {"query": "risk", "risk": "minor-likely"},
                    "path": "/value/inherent/impact", "equals": "Minor"}},
        {"expect": {"query": {"query": "risk_report", "start": "2026-12-01T00:00:00Z",
                              "end": "2027-01-01T00:00:00Z"},
                    "path": "/value/inherent/counts", "equals": [[0, 0, 1], [0, 0, 0], [1, 0, 0]]}}
    ]});
    let (report, _) = run(&doc.to_string()).unwrap();
    assert!(report.ok(), "{}", report.to_text());
}

#[test]
fn a_format_inside_an_expectations_query_is_refused_not_ignored() {
    // `log_length` and `conflicts` took any field, a `format` of another version included.
    let text = document(&[json!({"query": {"query": "log_length", "format": 2}, "equals": 6})]);
    let e = refusal(&text);
    assert!(e.contains("unknown field `format`"), "{e}");
}

#[test]
fn a_name_or_description_that_is_not_text_is_refused_as_such() {
    // `"name": 5` was refused as missing, and `"description": 7` was read as no description.
    let e = refusal(&json!({"format": 1, "name": 5, "steps": []}).to_string());
    assert_eq!(e, "not a scenario document: `name` is text, found 5");
    let e = refusal(&json!({"format": 1, "name": "x", "description": 7, "steps": []}).to_string());
    assert_eq!(e, "not a scenario document: `description` is text, found 7");
    assert!(parse(&json!({"format": 1, "name": "x", "steps": []}).to_string()).is_ok());
}
