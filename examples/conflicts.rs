//! The `conflicts` query when many changes share one window: its time, the size of its answer
//! and the memory it needs (issue 8: 1 000 such changes gave a 255 MB answer, 3 000 ran out of
//! memory).
//!
//! ```text
//! cargo build --release --example conflicts
//! /usr/bin/time -v target/release/examples/conflicts 3000
//! ```
//!
//! Builds an engine through the JSON surface (one service on an application on a database,
//! `n` changes, default 3 000, each changing the application and the database, implemented by
//! the same engineer, all scheduled for the same night), then asks `{"query": "conflicts"}`
//! through `query_json` and prints one line of JSON: the changes, the groups and pairs in the
//! answer, its size in bytes, the time to answer, and the peak resident memory before and after
//! the query (`VmHWM` from `/proc/self/status`, on Linux).

use std::error::Error;
use std::time::Instant;

use itsm::engine::view::ConflictView;
use itsm::engine::{Answer, Query, Sms};
use serde_json::{Value, json};

type Res<T> = Result<T, Box<dyn Error>>;

const NIGHT: (&str, &str) = ("2026-12-05T22:00:00Z", "2026-12-06T02:00:00Z");

fn apply(sms: &mut Sms, at: &str, actor: &str, mut command: Value) -> Res<()> {
    if let Some(object) = command.as_object_mut() {
        object.insert("format".into(), json!(1));
        object.insert("at".into(), json!(at));
        object.insert("actor".into(), json!(actor));
    }
    let out: Value = serde_json::from_str(&sms.apply_json(&command.to_string()))?;
    if out.get("success") == Some(&json!(true)) {
        Ok(())
    } else {
        Err(format!("{command}: {out}").into())
    }
}

/// An engine with `n` changes scheduled in the same night on the same CIs (also used by
/// `benches/change.rs`).
pub fn build(n: usize) -> Res<Sms> {
    let mut sms = Sms::new();
    let t0 = "2026-12-01T08:00:00Z";
    apply(
        &mut sms,
        t0,
        "ceo",
        json!({
            "op": "define_organisation",
            "actors": [
                {"key": "ceo", "name": "Chief executive", "roles": ["top_management"]},
                {"key": "cfg", "name": "Configuration manager",
                 "roles": [{"process_owner": "configuration_management"}]},
                {"key": "cm", "name": "Change manager", "roles": ["change_manager"]},
                {"key": "ops", "name": "Engineer", "roles": ["implementer"]}
            ],
            "change_policy": {"approvals": [
                {"category": "normal", "from_level": "Low", "approver": "change_manager"}
            ]}
        }),
    )?;
    for (key, kind) in [
        (
            "svc-web",
            json!({"service": {"size": "medium", "composition": "single", "provision_source": "centralized", "consumers": "external"}}),
        ),
        ("app-core", json!("application")),
        ("db-main", json!("software")),
    ] {
        apply(
            &mut sms,
            t0,
            "cfg",
            json!({"op": "add_ci", "key": key, "name": key, "kind": kind, "criticality": "low"}),
        )?;
    }
    for (from, kind, to) in [
        ("svc-web", "depends_on", "app-core"),
        ("app-core", "runs_on", "db-main"),
    ] {
        apply(
            &mut sms,
            t0,
            "cfg",
            json!({"op": "relate", "from": from, "kind": kind, "to": to}),
        )?;
    }
    let t1 = "2026-12-02T09:00:00Z";
    for i in 0..n {
        let change = format!("chg-{i}");
        apply(
            &mut sms,
            t1,
            "ops",
            json!({"op": "raise_change", "key": change, "title": format!("Change {i}"),
                   "targets": ["app-core", "db-main"], "implementer": "ops"}),
        )?;
        apply(
            &mut sms,
            t1,
            "ops",
            json!({"op": "submit_change", "change": change}),
        )?;
        for op in ["assess_change", "approve_change"] {
            apply(&mut sms, t1, "cm", json!({"op": op, "change": change}))?;
        }
        apply(
            &mut sms,
            t1,
            "cm",
            json!({"op": "schedule_change", "change": change, "start": NIGHT.0, "end": NIGHT.1}),
        )?;
    }
    Ok(sms)
}

/// Peak resident memory so far, in MB, where the platform says (Linux).
fn peak_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

fn main() -> Res<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(3_000);
    let started = Instant::now();
    let sms = build(n)?;
    let build_ms = started.elapsed().as_millis();
    let peak_before = peak_mb();
    let started = Instant::now();
    let answer = sms.query_json(r#"{"format": 1, "query": "conflicts"}"#);
    let query_ms = started.elapsed().as_secs_f64() * 1000.0;
    let peak_after = peak_mb();
    let Answer::Conflicts(conflicts) = sms.query(&Query::Conflicts {})? else {
        return Err("not a conflicts answer".into());
    };
    let (groups, pairs) = conflicts.iter().fold((0, 0), |(g, p), c| match c {
        ConflictView::Overlap { pairs, .. } => (g + 1, p + pairs),
        _ => (g, p),
    });
    println!(
        "{}",
        json!({
            "changes": n,
            "overlap_groups": groups,
            "overlapping_pairs": pairs,
            "answer_bytes": answer.len(),
            "build_ms": build_ms,
            "query_ms": (query_ms * 10.0).round() / 10.0,
            "peak_mb_before_query": peak_before,
            "peak_mb_after_query": peak_after,
        })
    );
    Ok(())
}
