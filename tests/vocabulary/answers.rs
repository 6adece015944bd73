//! Walk 2: every query on every scenario's end state; every string of every answer in the
//! user's words.

use super::*;

/// Where answers still name records by UUID: none since answers name records by key
/// (`crates/engine/src/view.rs`).
fn known_answer_id(_query: &str, _pointer: &str) -> bool {
    false
}

/// Every string of `doc` the user wrote (two characters or more), longest first.
fn written(doc: &Value) -> Vec<&str> {
    let mut found = Vec::new();
    strings(doc, "", &mut found);
    let mut written: Vec<&str> = found
        .into_iter()
        .map(|(_, s)| s)
        .filter(|s| s.chars().count() > 1)
        .collect();
    written.sort_by_key(|s| std::cmp::Reverse(s.len()));
    written.dedup();
    written
}

/// Checks every string of `answer` (the answer to `kind`): no UUID the document (`text`) does
/// not hold, outside the known exceptions, and no Rust text once what the user wrote
/// (`written`) is taken out.
fn check_answer(
    kind: &str,
    answer: &Value,
    (text, written): (&str, &[&str]),
    example: &str,
    findings: &mut Findings,
) {
    let mut found = Vec::new();
    strings(answer, "", &mut found);
    for (pointer, s) in found {
        let shape = shape_of(&pointer);
        if itsm_testkit::uuids(s).iter().any(|id| !text.contains(id))
            && !known_answer_id(kind, shape.trim_end_matches("#key"))
        {
            findings.add(
                format!("a UUID in the answer to `{kind}` at `{shape}`"),
                format!("{example}: {s}"),
            );
        }
        if rust_text(s).is_some() {
            let own = written.iter().fold(s.to_owned(), |t, w| t.replace(w, " "));
            if let Some(w) = rust_text(&own) {
                findings.add(
                    format!("Rust text `{w}` in the answer to `{kind}` at `{shape}`"),
                    format!("{example}: {s}"),
                );
            }
        }
    }
}

/// The corpus and the extra documents, as scenario documents.
fn documents() -> Vec<(String, String)> {
    let mut documents = corpus();
    documents.extend(extra_documents().into_iter().map(|(name, steps)| {
        (
            name.clone(),
            json!({"format": 1, "name": name, "steps": steps}).to_string(),
        )
    }));
    documents
}

/// Every accepted command of every document answers (its event: the command, its effects)
/// in the user's words.
#[test]
fn every_accepted_command_answers_in_the_users_words() {
    let mut findings = Findings::default();
    for (file, text) in documents() {
        let doc: Value = serde_json::from_str(&text).unwrap();
        let written = written(&doc);
        let mut sms = Sms::new();
        for step in doc["steps"].as_array().unwrap() {
            if step.get("expect").is_some() {
                continue;
            }
            let mut step = step.clone();
            if let Some(o) = step.as_object_mut() {
                o.remove("expect_error");
            }
            let input = step.to_string();
            let out: Value =
                serde_json::from_str(&sms.apply_json(&crate::fuzz::versioned(&input))).unwrap();
            if out["success"] == json!(true) {
                let kind = format!("apply_json {}", step["op"].as_str().unwrap_or_default());
                let example = format!("{file}: {input}");
                check_answer(&kind, &out, (&text, &written), &example, &mut findings);
            }
        }
    }
    findings.assert_none();
}

/// Walk 2: every query on every scenario's end state; every string of every answer is in the
/// user's words.
#[test]
fn every_answer_of_every_scenario_speaks_the_users_words() {
    let mut findings = Findings::default();
    let mut asked = BTreeSet::new();
    for (file, text) in documents() {
        let (report, sms) = itsm_scenario::run(&text).unwrap();
        let failed: Vec<_> = report
            .steps
            .iter()
            .filter(|s| !s.passed && !s.label.starts_with("expect"))
            .collect();
        assert!(failed.is_empty(), "{file}: {failed:?}");
        let doc: Value = serde_json::from_str(&text).unwrap();
        let steps = doc["steps"].as_array().unwrap();
        let written = written(&doc);
        let mut queries = every_query(&Keys::of(steps));
        queries.extend(
            steps
                .iter()
                .filter_map(|s| s.pointer("/expect/query"))
                .cloned(),
        );
        for q in queries {
            let input = q.to_string();
            let kind = q["query"].as_str().unwrap_or_default().to_owned();
            asked.insert(query_index(&serde_json::from_value(q).unwrap()));
            let out: Value =
                serde_json::from_str(&sms.query_json(&crate::fuzz::versioned(&input))).unwrap();
            if out["success"] != json!(true) {
                for e in refusals(&out.to_string()) {
                    if let Err(f) = check_message(&e, &format!("{input}{text}")) {
                        findings.add(f, format!("{file}: query_json {input}"));
                    }
                }
                continue;
            }
            let example = format!("{file}: {input}");
            check_answer(
                &kind,
                &out["answer"],
                (&text, &written),
                &example,
                &mut findings,
            );
        }
    }
    let unasked: Vec<usize> = (0..QUERIES).filter(|i| !asked.contains(i)).collect();
    assert!(unasked.is_empty(), "queries never asked: {unasked:?}");
    findings.assert_none();
}
