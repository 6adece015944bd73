//! Issue 9: every answer of the JSON surface names records by key. Every query of the JSON
//! surface, asked of the end state of every scenario of the corpus for every record it holds,
//! answers without a UUID (each record of the corpus has a key) and without Rust's names for
//! things.

use std::path::Path;

use itsm::engine::{Command, Sms};
use serde_json::{Value, json};

/// A word as Rust names things (`BackedOut`, `RiskOwner`): a capital first and a lower-case
/// letter followed by a capital.
fn rust_word(text: &str) -> Option<&str> {
    text.split(|c: char| !c.is_ascii_alphanumeric()).find(|w| {
        w.starts_with(|c: char| c.is_ascii_uppercase())
            && w.as_bytes()
                .windows(2)
                .any(|p| matches!(p, [a, b] if a.is_ascii_lowercase() && b.is_ascii_uppercase()))
    })
}

fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k);
            strings(x, out);
        }),
        _ => {}
    }
}

/// Every query of the JSON surface, for every record of `sms`.
fn queries(sms: &Sms) -> Vec<Value> {
    let (start, end) = ("1900-01-01T00:00:00Z", "9999-12-31T00:00:00Z");
    let mut out = vec![
        json!({"query": "escalations", "since": start}),
        json!({"query": "risk_report", "start": start, "end": end}),
        json!({"query": "conflicts"}),
        json!({"query": "change_metrics", "start": start, "end": end}),
        json!({"query": "management_review", "start": start, "end": end}),
        json!({"query": "log_length"}),
    ];
    for ci in sms.cmdb().cis() {
        let k = &ci.key;
        out.push(json!({"query": "ci", "ci": k}));
        out.push(json!({"query": "impact", "failed": [k]}));
        out.push(json!({"query": "dependencies_of", "ci": k}));
        out.push(json!({"query": "single_points_of_failure", "ci": k}));
        out.push(json!({"query": "services_using", "ci": k}));
    }
    for r in sms.risks().risks() {
        out.push(json!({"query": "risk", "risk": r.reference.to_string()}));
    }
    let mut baselines = Vec::new();
    for e in sms.log() {
        match &e.command {
            Command::RaiseChange { key, .. } => {
                out.push(json!({"query": "change", "change": key}));
            }
            Command::IdentifyRisk { key, .. } => {
                out.push(json!({"query": "risk", "risk": key}));
            }
            Command::TakeBaseline { name } => baselines.push(name.clone()),
            _ => {}
        }
    }
    for from in &baselines {
        for to in &baselines {
            out.push(json!({"query": "unauthorized_changes", "from": from, "to": to}));
            out.push(
                json!({"query": "change_metrics", "start": start, "end": end,
                            "from_baseline": from, "to_baseline": to}),
            );
            out.push(
                json!({"query": "management_review", "start": start, "end": end,
                            "from_baseline": from, "to_baseline": to}),
            );
        }
    }
    out
}

#[test]
fn every_answer_of_the_scenario_corpus_names_records_by_key() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut asked = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let (_, sms) = itsm_scenario::run(&text).unwrap();
        for q in queries(&sms) {
            let mut versioned = q.clone();
            versioned["format"] = json!(1);
            let out = sms.query_json(&versioned.to_string());
            let v: Value = serde_json::from_str(&out).unwrap();
            if v["success"] != true {
                failures.push(format!("{}: {q} -> {out}", f.display()));
                continue;
            }
            asked.insert(q["query"].as_str().unwrap().to_owned());
            if let Some(id) = itsm_testkit::uuids(&out).first() {
                failures.push(format!("{}: {q} answers with id `{id}`", f.display()));
            }
            let mut texts = Vec::new();
            strings(&v["answer"], &mut texts);
            // Words the scenario wrote (names like `FastNet`) are the user's.
            if let Some(w) = texts
                .iter()
                .filter_map(|s| rust_word(s))
                .find(|w| !text.contains(w))
            {
                failures.push(format!("{}: {q} answers with `{w}`", f.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every query of the surface was asked and answered.
    assert_eq!(asked.len(), 14, "{asked:?}");
}
