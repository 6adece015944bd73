//! Structure-aware fuzzing of the JSON surface (issue 8): `Sms::apply_json`,
//! `Sms::query_json` and the scenario runner, fed commands, queries and scenario documents
//! that have the right shape (every op and query with its real field names) and values drawn
//! from a pool of valid keys and hostile values (blank, padded, 10k-character and unicode
//! strings, extreme dates and numbers, wrong types, extra fields, duplicate fields). Valid
//! lifecycles with one field mutated reach the deep branches, not only the refusals; some
//! sequences start at the edges of the engine's time (1900, 9999).
//!
//! Properties, checked on every input:
//! 1. no panic (a panic is caught, the case shrunk and printed as JSON lines to reproduce);
//! 2. every answer is JSON with a boolean `success`; an accepted command adds one event, and
//!    the same command on the same state gives the same answer;
//! 3. a refused command changes nothing: the log is as long as before and the engine equals a
//!    shadow that only saw the accepted commands (serialized and compared byte for byte on
//!    every hundredth refusal and at the end of every sequence);
//! 4. at the end of every sequence the snapshot (`serde_json::to_string`) loads back equal to
//!    the live engine, and the log replays to it;
//! 5. what the engine says is in the user's words (house rule 18): an error message is
//!    short, names records by key (no id the input did not hold), and no message or answer
//!    shows Rust's names for things (`TopManagement`, `struct RawMoney`).
//!
//! The run is deterministic (SplitMix64 from the testkit). `ITSM_FUZZ_CASES` sets how many
//! inputs to generate in all (default 100 000), `ITSM_FUZZ_SEED` the seed; see
//! `docs/fuzzing.md`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use itsm::core::bounds::{EARLIEST, LATEST};
use itsm::engine::Sms;
use itsm_testkit::Rng;
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// Volume and seeds
// ---------------------------------------------------------------------------------------------

/// How many inputs the whole module generates when `ITSM_FUZZ_CASES` is not set.
const DEFAULT_CASES: u64 = 100_000;

fn total_cases() -> u64 {
    std::env::var("ITSM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

fn base_seed() -> u64 {
    std::env::var("ITSM_FUZZ_SEED")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(2026)
}

/// This test's share of the inputs, in percent of the total.
fn share(percent: u64) -> u64 {
    total_cases().saturating_mul(percent) / 100
}

/// A seed per test and sequence, so one sequence can be rerun alone.
fn seed(test: u64, sequence: u64) -> u64 {
    let mut r = Rng::new(base_seed() ^ test.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    r.next_u64() ^ sequence.wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

// ---------------------------------------------------------------------------------------------
// The organisation every sequence starts from
// ---------------------------------------------------------------------------------------------

const T0: &str = "2026-03-02T08:00:00Z";

fn t0() -> DateTime<Utc> {
    T0.parse().unwrap()
}

/// `now + delta`, kept within the engine's range of time (where the edge cases are).
fn later(now: DateTime<Utc>, delta: TimeDelta) -> DateTime<Utc> {
    now.checked_add_signed(delta)
        .map_or(LATEST, |t| t.min(LATEST))
        .max(now)
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

const ACTORS: &[&str] = &[
    "ceo", "cfg", "cm", "cab1", "cab2", "ecab", "ca", "rm", "ro", "ro2", "so", "ops", "sm", "bh",
    "aud", "rpo", "nobody",
];
const DIVISIONS: &[&str] = &["retail", "corporate"];
const PARTIES: &[&str] = &["fastnet", "cloudco", "inhouse"];
const IMPACTS: &[&str] = &[
    "Insignificant",
    "Minor",
    "Moderate",
    "Major",
    "Catastrophic",
];
const LIKELIHOODS: &[&str] = &["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];
const LEVELS: &[&str] = &["Low", "Medium", "High", "Critical"];

fn organisation() -> Value {
    json!({
        "op": "define_organisation",
        "actors": [
            {"key": "ceo", "name": "Chief executive", "roles": ["top_management"]},
            {"key": "cfg", "name": "Configuration manager", "roles": [{"process_owner": "configuration_management"}]},
            {"key": "cm", "name": "Change manager", "roles": ["change_manager"]},
            {"key": "cab1", "name": "CAB one", "roles": ["cab_member"]},
            {"key": "cab2", "name": "CAB two", "roles": ["cab_member"]},
            {"key": "ecab", "name": "Emergency CAB", "roles": ["emergency_cab_member"]},
            {"key": "ca", "name": "Change authority", "roles": ["change_authority"]},
            {"key": "rm", "name": "Risk manager", "roles": ["risk_manager"]},
            {"key": "ro", "name": "Risk owner", "roles": ["risk_owner"]},
            {"key": "ro2", "name": "Retail risk owner", "roles": ["risk_owner"], "division": "retail"},
            {"key": "so", "name": "Service owner", "roles": ["service_owner"], "division": "corporate"},
            {"key": "ops", "name": "Engineer", "roles": ["implementer"]},
            {"key": "sm", "name": "Supplier manager", "roles": ["supplier_manager", "risk_owner"]},
            {"key": "bh", "name": "Budget holder", "roles": ["budget_holder"]},
            {"key": "aud", "name": "Auditor", "roles": ["auditor"]},
            {"key": "rpo", "name": "Risk process owner", "roles": [{"process_owner": "risk_management"}, {"process_owner": "change_management"}]},
            {"key": "nobody", "name": "Nobody", "roles": []}
        ],
        "divisions": [
            {"key": "retail", "name": "Retail banking"},
            {"key": "corporate", "name": "Corporate services"}
        ],
        "appetite": itsm_testkit::appetite::standard(),
        "change_policy": {
            "scope": [
                {"kind": "hardware", "controlled": true},
                {"attribute": ["environment", {"text": "production"}], "controlled": true}
            ],
            "exclude": ["oth-1"],
            "models": [{"name": "patch", "description": "OS patch", "kinds": ["software"],
                        "max_level": "Medium", "max_cost": {"amount": "500.00", "currency": "EUR"}}],
            "major": {"risk_level_at_or_above": "Critical",
                      "cost_above": {"amount": "100000.00", "currency": "EUR"},
                      "new_technology": true},
            "approvals": [
                {"category": "normal", "from_level": "Low", "approver": "change_manager"},
                {"category": "normal", "from_level": "High", "approver": {"cab": {"quorum": 2}}},
                {"category": "standard", "from_level": "Low", "approver": "change_authority"},
                {"category": "emergency", "from_level": "Low", "approver": {"emergency_cab": {"quorum": 1}}}
            ],
            "blackouts": [{"name": "year-end", "start": "2026-12-20T00:00:00Z",
                           "end": "2026-12-31T23:00:00Z", "services": ["svc-web"]}],
            "maintenance": {"svc-web": {"utc_offset_seconds": 3600,
                "hours": {"weekly": [{"day": "Sat", "start_minute": 0, "end_minute": 360}]},
                "closed_dates": ["2026-12-25"]}},
            "objectives": [{"name": "energy", "measure": "energy_kwh", "max_increase": "0"}]
        }
    })
}

fn service(size: &str, composition: &str, consumers: &str) -> Value {
    json!({"service": {"size": size, "composition": composition,
                       "provision_source": "centralized", "consumers": consumers}})
}

/// The steps of the organisation: actors with every role, two divisions, CIs of every kind
/// (services too), relations, a redundancy group, baselines, risks and changes in many
/// states. `(actor, command)` pairs; `script` dates them.
fn base_steps() -> Vec<(&'static str, Value)> {
    let ci =
        |key: &str, kind: Value| json!({"op": "add_ci", "key": key, "name": key, "kind": kind});
    let rel = |from: &str, kind: &str, to: &str| json!({"op": "relate", "from": from, "kind": kind, "to": to});
    let chg = |op: &str, change: &str| json!({"op": op, "change": change});
    let mut s: Vec<(&'static str, Value)> = vec![("ceo", organisation())];
    for (key, kind) in [
        ("svc-web", service("medium", "single", "external")),
        ("svc-bank", service("large", "aggregated", "both")),
        ("app-web", json!("application")),
        ("db", json!("software")),
        ("db2", json!("software")),
        ("net-1", json!("network")),
        ("st-1", json!("storage")),
        ("dc-1", json!("facility")),
        ("doc-1", json!("document")),
        ("sg-ops", json!("support_group")),
        ("cg-users", json!("consumer_group")),
        ("oth-1", json!({"other": "peripheral"})),
    ] {
        s.push(("cfg", ci(key, kind)));
    }
    s.push((
        "cfg",
        json!({"op": "add_ci", "key": "ext-isp", "name": "ISP", "kind": "external_service",
               "criticality": "critical", "status": "active",
               "provision": {"external_supplier": "fastnet"}, "owner": "so",
               "attributes": {"contract": {"text": "C-1"}, "mbps": {"number": "1000"},
                              "redundant": {"flag": false}, "renewal": {"date": "2027-06-30"}}}),
    ));
    for (from, kind, to) in [
        ("svc-web", "depends_on", "app-web"),
        ("app-web", "depends_on", "db"),
        ("app-web", "depends_on", "db2"),
        ("db", "runs_on", "st-1"),
        ("app-web", "connects_to", "ext-isp"),
        ("svc-web", "supported_by", "sg-ops"),
        ("svc-web", "consumed_by", "cg-users"),
        ("svc-web", "documented_by", "doc-1"),
        ("svc-web", "part_of", "svc-bank"),
        ("st-1", "runs_on", "dc-1"),
    ] {
        s.push(("cfg", rel(from, kind, to)));
    }
    s.push((
        "cfg",
        json!({"op": "add_redundancy_group", "name": "db-pair", "dependent": "app-web",
               "members": ["db", "db2"], "min_up": 1}),
    ));
    s.push(("cfg", json!({"op": "take_baseline", "name": "start"})));
    // Risks in several states.
    let risk = |key: &str, owner: &str, extra: Value| {
        let mut v = json!({"op": "identify_risk", "key": key, "title": key, "category": "technology",
                           "owner": owner});
        if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
            o.extend(e);
        }
        v
    };
    s.push(("ro", risk("r-new", "ro", json!({}))));
    s.push((
        "rm",
        risk(
            "r-high",
            "ro",
            json!({"inherent": {"impact": "Major", "likelihood": "Likely"},
                   "links": {"cis": ["svc-web"], "suppliers": ["fastnet"]},
                   "target_date": "2026-09-30", "review_interval_days": 30}),
        ),
    ));
    s.push((
        "ro2",
        risk(
            "r-retail",
            "ro2",
            json!({"division": "retail", "inherent": {"impact": "Moderate", "likelihood": "Possible"}}),
        ),
    ));
    s.push((
        "rm",
        risk(
            "r-sec",
            "rm",
            json!({"pillars": ["confidentiality", "availability"], "kind": "threat",
                   "description": "remote access", "source": "manual"}),
        ),
    ));
    s.push((
        "rm",
        risk(
            "r-cont",
            "rm",
            json!({"register": "continuity", "source": "business_impact_analysis",
                   "inherent": {"impact": "Catastrophic", "likelihood": "Rare"}}),
        ),
    ));
    s.push((
        "ro",
        risk(
            "r-opp",
            "ro",
            json!({"kind": "opportunity", "inherent": {"impact": "Minor", "likelihood": "Likely"}}),
        ),
    ));
    s.push((
        "rm",
        json!({"op": "treat_risk", "risk": "r-high", "treatment": "mitigate"}),
    ));
    s.push((
        "rm",
        json!({"op": "add_risk_action", "risk": "r-high", "description": "second ISP",
               "owner": "ops", "due": "2026-06-30"}),
    ));
    s.push((
        "rm",
        json!({"op": "add_risk_action", "risk": "r-high", "description": "failover test",
               "owner": "ro", "due": "2026-07-31"}),
    ));
    s.push((
        "ops",
        json!({"op": "complete_risk_action", "risk": "r-high", "number": 1}),
    ));
    s.push((
        "rm",
        json!({"op": "assess_risk", "risk": "r-high",
               "residual": {"impact": "Moderate", "likelihood": "Unlikely"}}),
    ));
    s.push((
        "ro",
        json!({"op": "assess_risk", "risk": "r-opp",
               "residual": {"impact": "Minor", "likelihood": "Possible"}}),
    ));
    s.push((
        "ceo",
        json!({"op": "accept_risk", "risk": "r-retail", "until": "2026-12-31",
               "rationale": "budget next year"}),
    ));
    s.push((
        "rm",
        json!({"op": "materialize_risk", "risk": "r-cont", "note": "flood"}),
    ));
    s.push((
        "rm",
        json!({"op": "review_risk", "risk": "r-sec", "notes": "still open"}),
    ));
    s.push((
        "rm",
        json!({"op": "close_risk", "risk": "r-sec", "note": "VPN replaced"}),
    ));
    // Changes in many states.
    let raise = |key: &str, extra: Value| {
        let mut v = json!({"op": "raise_change", "key": key, "title": key, "targets": ["app-web"],
                           "implementer": "ops"});
        if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
            o.extend(e);
        }
        v
    };
    s.push(("ops", raise("c-draft", json!({}))));
    s.push(("ops", raise("c-sub", json!({"factors": {"skills": "low"}}))));
    s.push(("ops", chg("submit_change", "c-sub")));
    s.push((
        "ops",
        raise(
            "c-host",
            json!({"targets": ["app-web"], "delta": [
                {"edit": "add_ci", "key": "host-1", "name": "Host 1", "kind": "hardware",
                 "criticality": "high", "attributes": {"cores": {"number": "16"}}},
                {"edit": "relate", "from": "app-web", "kind": "runs_on", "to": "host-1"},
                {"edit": "update_ci", "ci": "app-web", "update": {"name": "Web application"}}],
                "estimated_cost": {"amount": "1200.50", "currency": "EUR"},
                "objective_effects": {"energy_kwh": "-5"},
                "not_doing": {"description": "slow", "impact": "Minor", "likelihood": "Likely"}}),
        ),
    ));
    for (actor, op) in [
        ("ops", "submit_change"),
        ("cm", "assess_change"),
        ("cm", "approve_change"),
    ] {
        s.push((actor, chg(op, "c-host")));
    }
    s.push((
        "cm",
        json!({"op": "schedule_change", "change": "c-host",
               "start": "2026-03-07T00:00:00Z", "end": "2026-03-07T04:00:00Z"}),
    ));
    s.push(("ops", chg("start_change", "c-host")));
    s.push((
        "ops",
        json!({"op": "complete_change", "change": "c-host", "outcome": "successful"}),
    ));
    s.push((
        "cm",
        json!({"op": "review_change", "change": "c-host", "notes": "fine"}),
    ));
    s.push(("cm", chg("close_change", "c-host")));
    s.push(("ops", raise("c-appr", json!({"targets": ["db"]}))));
    for (actor, op) in [
        ("ops", "submit_change"),
        ("cm", "assess_change"),
        ("cm", "approve_change"),
    ] {
        s.push((actor, chg(op, "c-appr")));
    }
    s.push((
        "ops",
        raise(
            "c-sched",
            json!({"targets": ["host-1"], "delta": [
                {"edit": "update_ci", "ci": "host-1", "update": {"criticality": "critical",
                 "set_attributes": {"environment": {"text": "production"}}}}]}),
        ),
    ));
    for (actor, op) in [
        ("ops", "submit_change"),
        ("cm", "assess_change"),
        ("cm", "approve_change"),
        ("cab1", "approve_change"),
        ("cab2", "approve_change"),
    ] {
        s.push((actor, chg(op, "c-sched")));
    }
    s.push((
        "cm",
        json!({"op": "schedule_change", "change": "c-sched",
               "start": "2026-04-04T00:00:00Z", "end": "2026-04-04T05:00:00Z"}),
    ));
    s.push(("ops", raise("c-run", json!({"targets": ["db2"]}))));
    for (actor, op) in [
        ("ops", "submit_change"),
        ("cm", "assess_change"),
        ("cm", "approve_change"),
    ] {
        s.push((actor, chg(op, "c-run")));
    }
    s.push((
        "cm",
        json!({"op": "schedule_change", "change": "c-run",
               "start": "2026-03-02T09:00:00Z", "end": "2026-03-02T12:00:00Z"}),
    ));
    s.push(("ops", chg("start_change", "c-run")));
    s.push(("ops", raise("c-cancel", json!({}))));
    s.push((
        "ops",
        json!({"op": "cancel_change", "change": "c-cancel", "reason": "not needed"}),
    ));
    s.push(("ops", raise("c-rej", json!({"targets": ["db"]}))));
    for (actor, op) in [("ops", "submit_change"), ("cm", "assess_change")] {
        s.push((actor, chg(op, "c-rej")));
    }
    s.push((
        "cm",
        json!({"op": "reject_change", "change": "c-rej", "reason": "too risky"}),
    ));
    s.push((
        "ops",
        raise(
            "c-major",
            json!({"targets": ["svc-bank"], "nature": "decommission_service",
                   "new_technology": true,
                   "factors": {"human_resources": "high", "time": "high", "test_environment": "medium"}}),
        ),
    ));
    for (actor, op) in [("ops", "submit_change"), ("cm", "assess_change")] {
        s.push((actor, chg(op, "c-major")));
    }
    s.push((
        "ops",
        raise(
            "c-emerg",
            json!({"category": "emergency", "targets": ["ext-isp"]}),
        ),
    ));
    for (actor, op) in [
        ("ops", "submit_change"),
        ("cm", "assess_change"),
        ("ecab", "approve_change"),
    ] {
        s.push((actor, chg(op, "c-emerg")));
    }
    s.push((
        "ops",
        raise(
            "c-std",
            json!({"category": {"standard": "patch"}, "targets": ["db"]}),
        ),
    ));
    for (actor, op) in [("ops", "submit_change"), ("cm", "assess_change")] {
        s.push((actor, chg(op, "c-std")));
    }
    s.push(("cm", json!({"op": "take_baseline", "name": "after"})));
    s
}

/// The base steps as JSON commands, dated one minute apart from [`T0`].
fn script(steps: &[(&str, Value)]) -> Vec<Value> {
    steps
        .iter()
        .enumerate()
        .map(|(i, (actor, cmd))| {
            let mut o = Map::new();
            let at = t0() + TimeDelta::minutes(i64::try_from(i).unwrap());
            o.insert("at".into(), json!(rfc3339(at)));
            o.insert("actor".into(), json!(actor));
            if let Value::Object(c) = cmd {
                o.extend(c.clone());
            }
            Value::Object(o)
        })
        .collect()
}

/// Which state a sequence starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    /// An engine with nothing in it.
    Empty,
    /// Only `define_organisation` (so imports and redefinitions can succeed).
    Bare,
    /// The whole organisation of [`base_steps`].
    Full,
}

impl Base {
    fn script(self) -> Vec<Value> {
        let all = script(&base_steps());
        match self {
            Self::Empty => vec![],
            Self::Bare => all.into_iter().take(1).collect(),
            Self::Full => all,
        }
    }

    fn build(self) -> Sms {
        let mut sms = Sms::new();
        for cmd in self.script() {
            let text = versioned(&cmd.to_string());
            let out = sms.apply_json(&text);
            assert!(
                out.contains(r#""success":true"#),
                "base step {text}\n -> {out}"
            );
        }
        sms
    }
}

// ---------------------------------------------------------------------------------------------
// Values: valid ones from the organisation, hostile ones from pools
// ---------------------------------------------------------------------------------------------

/// A JSON string holding this prefix is written into the text as the raw JSON that follows
/// it (numbers no `Value` can hold: `1e400`, 29-digit integers, `-0`).
const RAW: &str = "\u{e000}RAW:";

fn raw(literal: &str) -> Value {
    Value::String(format!("{RAW}{literal}"))
}

/// Serializes `v`, writing raw literals in place.
fn to_text(v: &Value) -> String {
    let text = v.to_string();
    if !text.contains(RAW) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    let marker = format!("\"{RAW}");
    while let Some(i) = rest.find(&marker) {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i + marker.len()..).unwrap_or_default();
        let end = after.find('"').unwrap_or(after.len());
        out.push_str(after.get(..end).unwrap_or_default());
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

fn hostile_strings() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "\t\n\r ",
        "\u{0}",
        "ceo\u{0}",
        "\u{1}\u{1f}\u{7f}\u{80}\u{9f}",
        "\u{200b}",
        "svc\u{200b}-web",
        "\u{feff}ceo",
        "\u{202e}bew-cvs",
        "\u{202d}\u{202e}\u{2066}\u{2069}",
        "مدير التغيير",
        "עברית\u{200f}",
        "e\u{301}\u{302}\u{303}\u{304}\u{305}",
        "\u{301}",
        "👩\u{200d}👩\u{200d}👧\u{200d}👦🚀",
        "\u{fffd}\u{ffff}\u{10ffff}",
        "ＣＥＯ",
        "CEO",
        "Ceo",
        "İı",
        "ß",
        "ﬃ",
        "a\u{2028}b\u{2029}c",
        "`",
        "``ceo``",
        "a`b`c`",
        "\\",
        "\"",
        "null",
        "R-1",
        "CHG-1",
        "%s%n{}",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "00000000-0000-0000-0000-000000000000",
        "/value/0",
        "~1~0",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    v.push("a".repeat(10_000));
    v.push("é".repeat(5_000));
    v.push("\u{202e}".repeat(3_000));
    v.push("e\u{301}".repeat(3_000));
    v.push("🚀".repeat(2_600));
    v.push(format!("svc-web{}", " ".repeat(9_993)));
    v
}

const DATES: &[&str] = &[
    "2026-02-28",
    "2028-02-29",
    "2026-02-29",
    "1900-02-29",
    "2000-02-29",
    "1899-12-31",
    "1900-01-01",
    "9999-12-31",
    "+10000-01-01",
    "10000-01-01",
    "-0001-12-31",
    "0000-01-01",
    "-262143-01-01",
    "+262142-12-31",
    "-262144-01-01",
    "+262143-01-01",
    "2026-13-01",
    "2026-00-10",
    "2026-1-1",
    "20260101",
    "2026-01-01T00:00:00Z",
    "",
];

const TIMES: &[&str] = &[
    "2026-04-02T10:00:00.5Z",
    "2026-04-02T10:00:00.123456789Z",
    "2026-04-02T10:00:00.1234567891Z",
    "2026-04-02T10:00:60Z",
    "2026-12-31T23:59:60Z",
    "1900-01-01T00:00:00Z",
    "1899-12-31T23:59:59.999999999Z",
    "1900-01-01T00:00:00+00:01",
    "9999-12-31T23:59:59.999999999Z",
    "9999-12-31T23:59:59-00:01",
    "+10000-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "0000-02-29T00:00:00Z",
    "-262143-01-01T00:00:00Z",
    "+262142-12-31T23:59:59.999999999Z",
    "-262143-01-01T00:00:00+23:59",
    "+262142-12-31T23:59:59-23:59",
    "2028-02-29T12:00:00Z",
    "2026-02-29T12:00:00Z",
    "1900-02-29T12:00:00Z",
    "2026-04-02 10:00:00Z",
    "2026-04-02T10:00:00",
    "2026-04-02T10:00:00+24:00",
    "2026-04-02T10:00:00+99:99",
    "2026-04-02t10:00:00z",
    "2026-04-02",
    "",
];

const DECIMALS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "120.00",
    "0.01",
    "0.001",
    "0.0000000000000000000000000001",
    "-0.0000000000000000000000000001",
    "1.0000000000000000000000000001",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "79228162514264337593543950336",
    "7922816251426433759354395033.5",
    "1e10",
    "1E-28",
    "1e400",
    "NaN",
    "Infinity",
    " 1",
    "1 ",
    "1_000",
    "+5",
    ".5",
    "5.",
    "0x10",
    "١٢٣",
    "",
];

const CURRENCIES: &[&str] = &[
    "EUR", "USD", "JPY", "BHD", "CLF", "XXX", "eur", "", "EURO", "€",
];

/// Numbers of every awkward kind, as JSON values (raw literals included).
fn hostile_numbers() -> Vec<Value> {
    vec![
        json!(0),
        json!(-1),
        json!(1),
        json!(2),
        json!(3660),
        json!(3661),
        json!(u32::MAX),
        json!(u64::from(u32::MAX) + 1),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1e308),
        json!(-1e308),
        json!(-0.0),
        json!(0.5),
        json!(5e-324),
        raw("-0"),
        raw("1e400"),
        raw("-1e400"),
        raw("79228162514264337593543950335"),
        raw("18446744073709551616"),
        raw("1E+2"),
        raw("0.0000000000000000000000000001"),
    ]
}

/// The random source with the organisation's names and the value pools.
struct Gen {
    rng: Rng,
    strings: Vec<String>,
    numbers: Vec<Value>,
    /// Keys learned from accepted commands, by pool.
    cis: Vec<String>,
    services: Vec<String>,
    risks: Vec<String>,
    changes: Vec<String>,
    baselines: Vec<String>,
    groups: Vec<String>,
    fresh: u64,
    /// Percent of fields mutated.
    rate: u64,
    /// The engine's clock: valid dates and times are drawn around it.
    now: DateTime<Utc>,
}

/// What a field holds; drives both the valid value and its near misses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    Actor,
    Division,
    Party,
    Ci,
    Service,
    Risk,
    Change,
    Baseline,
    Group,
    NewCi,
    NewRisk,
    NewChange,
    NewName,
    Text,
    Date,
    Time,
    U32,
    Interval,
    Usize,
    Bool,
    Impact,
    Likelihood,
    Level,
    Role,
    Criticality,
    CiStatus,
    CiKind,
    RelKind,
    Provision,
    Attrs,
    AttrNames,
    CiUpdate,
    Score,
    Links,
    Treatment,
    Category,
    Nature,
    Factors,
    Money,
    Decimal,
    Effects,
    NotDoing,
    Delta,
    Outcome,
    Pillars,
    RiskKind,
    Source,
    Register,
    Cis,
    ActorDefs,
    DivisionDefs,
    Matrix,
    Appetite,
    Policy,
    Parts,
}

impl Gen {
    fn new(seed: u64, rate: u64) -> Self {
        let own = |xs: &[&str]| xs.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Self {
            rng: Rng::new(seed),
            strings: hostile_strings(),
            numbers: hostile_numbers(),
            cis: own(&[
                "svc-web", "svc-bank", "app-web", "db", "db2", "net-1", "st-1", "dc-1", "doc-1",
                "sg-ops", "cg-users", "oth-1", "ext-isp", "host-1",
            ]),
            services: own(&["svc-web", "svc-bank"]),
            risks: own(&["r-new", "r-high", "r-retail", "r-sec", "r-cont", "r-opp"]),
            changes: own(&[
                "c-draft", "c-sub", "c-host", "c-appr", "c-sched", "c-run", "c-cancel", "c-rej",
                "c-major", "c-emerg", "c-std",
            ]),
            baselines: own(&["start", "after"]),
            groups: own(&["db-pair"]),
            fresh: 0,
            rate,
            now: t0(),
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.rng.chance(percent)
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        let i = self.rng.below(xs.len());
        xs.get(i).unwrap()
    }

    fn valid_any(&mut self, ks: &[K]) -> Value {
        let k = *self.pick(ks);
        self.valid(k)
    }

    fn pick_str(&mut self, xs: &[&str]) -> Value {
        json!(*self.pick(xs))
    }

    fn pick_owned(&mut self, pool: K) -> Value {
        let xs = match pool {
            K::Ci => &self.cis,
            K::Service => &self.services,
            K::Risk => &self.risks,
            K::Change => &self.changes,
            K::Baseline => &self.baselines,
            _ => &self.groups,
        };
        let i = self.rng.below(xs.len());
        json!(xs.get(i).cloned().unwrap_or_default())
    }

    fn hostile_string(&mut self) -> Value {
        let i = self.rng.below(self.strings.len());
        json!(self.strings.get(i).cloned().unwrap_or_default())
    }

    fn hostile_number(&mut self) -> Value {
        let i = self.rng.below(self.numbers.len());
        self.numbers.get(i).cloned().unwrap_or_default()
    }

    /// A value of the wrong type, or an awkward one of any type.
    fn hostile_value(&mut self) -> Value {
        match self.rng.below(12) {
            0 => Value::Null,
            1 => json!(self.chance(50)),
            2 | 3 => self.hostile_number(),
            4 | 5 => self.hostile_string(),
            6 => json!([]),
            7 => json!({}),
            8 => json!([null, 1, "x", {"a": []}]),
            9 => json!({"extra": {"nested": [1, {"deeper": true}]}}),
            10 => {
                // Deep nesting around serde_json's recursion limit (128).
                let depth = *self.pick(&[10usize, 126, 127, 128, 200]);
                let mut v = json!("core");
                for _ in 0..depth {
                    v = json!([v]);
                }
                v
            }
            _ => json!({"text": "production"}),
        }
    }

    fn fresh_key(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}-{}", self.fresh)
    }

    /// A field's value: valid, or (at `rate` percent) a near miss or a hostile value.
    fn value(&mut self, k: K) -> Value {
        if self.chance(self.rate) {
            self.mutate(k)
        } else {
            self.valid(k)
        }
    }

    fn mutate(&mut self, k: K) -> Value {
        match self.rng.below(10) {
            0..=3 => self.near_miss(k),
            4..=6 => self.hostile_string(),
            7 | 8 => self.hostile_value(),
            _ => {
                // The valid value with something extra inside or around it.
                let v = self.valid(k);
                match v {
                    Value::Object(mut o) => {
                        o.insert("extra".into(), self.hostile_value());
                        Value::Object(o)
                    }
                    Value::Array(mut a) => {
                        a.push(self.hostile_value());
                        Value::Array(a)
                    }
                    other => {
                        if self.chance(50) {
                            json!([other])
                        } else {
                            json!({ "value": other })
                        }
                    }
                }
            }
        }
    }

    /// A value close to a valid one: the right type, the wrong content.
    fn near_miss(&mut self, k: K) -> Value {
        match k {
            K::Actor
            | K::Division
            | K::Party
            | K::Ci
            | K::Service
            | K::Risk
            | K::Change
            | K::Baseline
            | K::Group => {
                let valid = self.valid(k);
                let s = valid.as_str().unwrap_or_default().to_owned();
                match self.rng.below(7) {
                    0 => json!(format!(" {s} ")),
                    1 => json!(s.to_uppercase()),
                    2 => json!(format!("{s}\u{200b}")),
                    3 => self.valid_any(&[K::Actor, K::Ci, K::Risk, K::Change]),
                    4 => json!(format!("{s}-ghost")),
                    5 => json!(s.chars().rev().collect::<String>()),
                    _ => json!(""),
                }
            }
            K::NewCi | K::NewRisk | K::NewChange | K::NewName => {
                // An existing key where a new one is wanted, or a blank one.
                match self.rng.below(3) {
                    0 => self.valid_any(&[K::Ci, K::Risk, K::Change, K::Baseline]),
                    1 => json!("   "),
                    _ => self.hostile_string(),
                }
            }
            K::Date => self.pick_str(DATES),
            K::Time => self.pick_str(TIMES),
            K::U32 | K::Interval | K::Usize => self.hostile_number(),
            K::Decimal => {
                if self.chance(70) {
                    self.pick_str(DECIMALS)
                } else {
                    self.hostile_number()
                }
            }
            K::Money => {
                let amount = if self.chance(70) {
                    self.pick_str(DECIMALS)
                } else {
                    self.hostile_number()
                };
                let currency = self.pick_str(CURRENCIES);
                json!({"amount": amount, "currency": currency})
            }
            K::Bool => self
                .pick(&[json!("true"), json!(1), json!(0), Value::Null])
                .clone(),
            K::Impact | K::Likelihood | K::Level => {
                let v = self.valid(k);
                let s = v.as_str().unwrap_or_default().to_owned();
                match self.rng.below(4) {
                    0 => json!(s.to_lowercase()),
                    1 => json!(format!("{s} ")),
                    2 => self.valid_any(&[K::Impact, K::Likelihood, K::Level]),
                    _ => json!("Extreme"),
                }
            }
            K::Role => self
                .pick(&[
                    json!("TopManagement"),
                    json!("top-management"),
                    json!({"process_owner": "knitting"}),
                    json!({"process_owner": null}),
                    json!("process_owner"),
                    json!({"cab_member": {}}),
                ])
                .clone(),
            K::Criticality | K::CiStatus | K::Outcome | K::RiskKind | K::Source | K::Nature => {
                let v = self.valid(k);
                let s = v.as_str().unwrap_or_default().to_owned();
                match self.rng.below(4) {
                    0 => json!(s.to_uppercase()),
                    1 => json!({ s: null }),
                    2 => json!(format!("{s}_")),
                    _ => json!(s.replace('_', "-")),
                }
            }
            K::CiKind => self
                .pick(&[
                    json!("service"),
                    json!({"service": {}}),
                    json!({"service": {"size": "huge", "composition": "single",
                           "provision_source": "centralized", "consumers": "internal"}}),
                    json!({"other": ""}),
                    json!({"other": "a".repeat(10_000)}),
                    json!({"other": null}),
                    json!("Hardware"),
                    json!("hard_ware"),
                    json!({"hardware": null}),
                    json!({"application": {}, "software": {}}),
                ])
                .clone(),
            K::RelKind => self
                .pick(&[
                    json!("DependsOn"),
                    json!("depends-on"),
                    json!("runs_on "),
                    json!(""),
                ])
                .clone(),
            K::Provision => self
                .pick(&[
                    json!({"external_supplier": ""}),
                    json!({"external_supplier": null}),
                    json!("external_supplier"),
                    json!({"internal": "x"}),
                    json!({"customer_as_supplier": "a".repeat(10_000)}),
                ])
                .clone(),
            K::Attrs => {
                let mut o = Map::new();
                let name = self.hostile_string();
                let name = name.as_str().unwrap_or_default().to_owned();
                let v = match self.rng.below(6) {
                    0 => json!({"number": self.pick_str(DECIMALS)}),
                    1 => json!({"date": self.pick_str(DATES)}),
                    2 => json!({"flag": "yes"}),
                    3 => json!({"text": self.hostile_string()}),
                    4 => json!({"text": "a", "flag": true}),
                    _ => json!("production"),
                };
                o.insert(name, v);
                Value::Object(o)
            }
            K::Score => {
                let impact = self.value(K::Impact);
                let likelihood = self.value(K::Likelihood);
                match self.rng.below(3) {
                    0 => json!({"impact": impact}),
                    1 => json!({"impact": likelihood, "likelihood": impact}),
                    _ => json!([impact, likelihood]),
                }
            }
            K::Treatment => self
                .pick(&[
                    json!({"transfer": {"to": "nobody-party", "arrangement": ""}}),
                    json!({"transfer": {"to": "fastnet"}}),
                    json!({"avoid": {}}),
                    json!("accept"),
                    json!({"mitigate": {}}),
                    json!("avoid"),
                ])
                .clone(),
            K::Category => self
                .pick(&[
                    json!({"standard": "no-such-model"}),
                    json!({"standard": ""}),
                    json!("standard"),
                    json!({"emergency": "patch"}),
                    json!("Normal"),
                ])
                .clone(),
            K::Factors => self
                .pick(&[
                    json!({"other_services": "high"}),
                    json!({"past_failures": "low"}),
                    json!({"skills": "extreme"}),
                    json!({"skill": "low"}),
                    json!({"time": null}),
                ])
                .clone(),
            K::Effects => {
                let mut o = Map::new();
                let name = if self.chance(50) {
                    "energy_kwh".to_owned()
                } else {
                    self.hostile_string()
                        .as_str()
                        .unwrap_or_default()
                        .to_owned()
                };
                o.insert(name, self.value(K::Decimal));
                Value::Object(o)
            }
            K::Delta => {
                let mut edits = vec![];
                for _ in 0..self.rng.between(0, 3) {
                    edits.push(self.delta_edit(true));
                }
                if self.chance(30) {
                    edits.push(json!({"edit": "launch_rockets"}));
                }
                if self.chance(20) {
                    // Many edits: the delta's size is bounded by nothing else.
                    for _ in 0..200 {
                        edits.push(json!({"edit": "retire_ci", "ci": "app-web"}));
                    }
                }
                json!(edits)
            }
            K::Cis => {
                let mut v = vec![];
                for _ in 0..self.rng.between(0, 4) {
                    v.push(self.mutate(K::Ci));
                }
                if self.chance(20) {
                    v = (0..500).map(|i| json!(format!("ghost-{i}"))).collect();
                }
                json!(v)
            }
            K::ActorDefs => {
                let mut defs = self
                    .valid(K::ActorDefs)
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                match self.rng.below(5) {
                    0 => defs.push(json!({"key": "ceo", "name": "Twin", "roles": []})),
                    1 => defs.push(json!({"key": "", "name": "", "roles": ["top_management"]})),
                    2 => defs.push(json!({"key": "x", "name": "x", "division": "nowhere"})),
                    3 => defs.clear(),
                    _ => defs.push(json!({"key": self.hostile_string(), "name": "h",
                                           "roles": [self.near_miss(K::Role)]})),
                }
                json!(defs)
            }
            K::DivisionDefs => self
                .pick(&[
                    json!([{"key": "retail", "name": "a"}, {"key": "retail", "name": "b"}]),
                    json!([{"key": "", "name": ""}]),
                    json!([{"key": "x"}]),
                ])
                .clone(),
            K::Matrix => self.near_miss_matrix(),
            K::Appetite => {
                let mut a = self.valid(K::Appetite);
                if let Some(o) = a.as_object_mut() {
                    match self.rng.below(5) {
                        0 => {
                            o.insert("default_threshold".into(), json!("Extreme"));
                        }
                        1 => {
                            o.insert("divisions".into(), json!({"nowhere": "Low"}));
                        }
                        2 => {
                            o.insert(
                                "authority".into(),
                                json!([{"role": "risk_owner", "up_to": "Critical"},
                                       {"role": "risk_owner", "up_to": "Low"}]),
                            );
                        }
                        3 => {
                            o.insert("escalate_at".into(), json!("Low"));
                            o.insert("corporate_at".into(), json!("Low"));
                        }
                        _ => {
                            o.remove("escalate_at");
                        }
                    }
                }
                a
            }
            K::Policy => {
                let mut p = self.valid(K::Policy);
                if let Some(o) = p.as_object_mut() {
                    let (field, v) = match self.rng.below(8) {
                        0 => ("scope", json!([{"kind": "hard_ware", "controlled": true}])),
                        1 => (
                            "models",
                            json!([{"name": "m", "kinds": [], "max_level": "Extreme"}]),
                        ),
                        2 => (
                            "approvals",
                            json!([{"category": "normal", "from_level": "Low",
                                    "approver": {"cab": {"quorum": 0}}},
                                   {"category": "normal", "from_level": "Low",
                                    "approver": {"cab": {"quorum": u32::MAX}}}]),
                        ),
                        3 => (
                            "blackouts",
                            json!([{"name": "b", "start": self.pick_str(TIMES),
                                    "end": self.pick_str(TIMES), "services": ["ghost"]}]),
                        ),
                        4 => (
                            "maintenance",
                            json!({"svc-web": {"utc_offset_seconds": self.hostile_number(),
                                "hours": {"weekly": [{"day": "Sat", "start_minute": 300, "end_minute": 10},
                                                     {"day": "Sat", "start_minute": 0, "end_minute": 1441}]},
                                "closed_dates": [self.pick_str(DATES)]}}),
                        ),
                        5 => (
                            "objectives",
                            json!([{"name": "", "measure": "", "max_increase": self.pick_str(DECIMALS)}]),
                        ),
                        6 => (
                            "major",
                            json!({"risk_level_at_or_above": "Extreme",
                                   "cost_above": {"amount": "-1", "currency": "XXX"}}),
                        ),
                        _ => ("include", json!(["ghost", "svc-web", " svc-web "])),
                    };
                    o.insert(field.into(), v);
                }
                p
            }
            K::Parts => self.near_miss_parts(),
            K::CiUpdate => {
                let mut u = Map::new();
                match self.rng.below(4) {
                    0 => {
                        u.insert("status".into(), self.near_miss(K::CiStatus));
                    }
                    1 => {
                        u.insert("set_attributes".into(), self.near_miss(K::Attrs));
                    }
                    2 => {
                        u.insert("remove_attributes".into(), json!(["a", "a", ""]));
                    }
                    _ => {
                        u.insert("name".into(), self.hostile_value());
                    }
                }
                Value::Object(u)
            }
            K::Links => self
                .pick(&[
                    json!({"cis": ["ghost"]}),
                    json!({"suppliers": ["nobody-party"]}),
                    json!({"changes": ["c-ghost"]}),
                    json!({"cis": ["svc-web", "svc-web"]}),
                ])
                .clone(),
            K::NotDoing => json!({"description": self.hostile_string(),
                                  "impact": self.near_miss(K::Impact),
                                  "likelihood": self.value(K::Likelihood)}),
            K::Pillars => self
                .pick(&[
                    json!([]),
                    json!(["privacy"]),
                    json!("availability"),
                    json!(["integrity", "integrity"]),
                ])
                .clone(),
            K::Register => self
                .pick(&[
                    json!("sms"),
                    json!(""),
                    json!("Corporate"),
                    json!({"named": "x"}),
                ])
                .clone(),
            K::Text | K::AttrNames => self.hostile_string(),
        }
    }

    fn valid(&mut self, k: K) -> Value {
        match k {
            K::Actor => self.pick_str(ACTORS),
            K::Division => self.pick_str(DIVISIONS),
            K::Party => self.pick_str(PARTIES),
            K::Ci | K::Service | K::Risk | K::Change | K::Baseline | K::Group => self.pick_owned(k),
            K::NewCi => json!(self.fresh_key("fz-ci")),
            K::NewRisk => json!(self.fresh_key("fz-r")),
            K::NewChange => json!(self.fresh_key("fz-c")),
            K::NewName => json!(self.fresh_key("fz-n")),
            K::Text => {
                self.pick_str(&["text", "Replace the core switch", "ok", "é ü ß", "Ünïcødé"])
            }
            K::Date => {
                let days = i64::try_from(self.rng.below(460)).unwrap() - 60;
                let d = self
                    .now
                    .checked_add_signed(TimeDelta::days(days))
                    .unwrap_or(self.now)
                    .date_naive();
                json!(d.to_string())
            }
            K::Time => {
                let hours = i64::try_from(self.rng.below(24 * 120)).unwrap() - 24;
                json!(rfc3339(later(self.now, TimeDelta::hours(hours))))
            }
            K::U32 => json!(self.rng.between(0, 4)),
            K::Interval => json!(*self.pick(&[1usize, 7, 30, 90, 365, 3660])),
            K::Usize => json!(self.rng.between(0, 3)),
            K::Bool => json!(self.chance(50)),
            // The level names of the matrix a redefinition may bring, now and then.
            K::Impact if self.chance(10) => self.pick_str(&["Low", "High"]),
            K::Likelihood if self.chance(10) => self.pick_str(&["Rare", "Often"]),
            K::Impact => self.pick_str(IMPACTS),
            K::Likelihood => self.pick_str(LIKELIHOODS),
            K::Level => self.pick_str(LEVELS),
            K::Role => self
                .pick(&[
                    json!("top_management"),
                    json!("service_owner"),
                    json!({"process_owner": "configuration_management"}),
                    json!({"process_owner": "change_management"}),
                    json!({"process_owner": "information_security_management"}),
                    json!("change_manager"),
                    json!("change_authority"),
                    json!("cab_member"),
                    json!("emergency_cab_member"),
                    json!("risk_owner"),
                    json!("risk_manager"),
                    json!("budget_holder"),
                    json!("supplier_manager"),
                    json!("auditor"),
                    json!("implementer"),
                ])
                .clone(),
            K::Criticality => self.pick_str(&["low", "medium", "high", "critical"]),
            K::CiStatus => self.pick_str(&["planned", "active", "retired"]),
            K::CiKind => {
                let sizes = ["micro", "small", "medium", "large"];
                match self.rng.below(13) {
                    0 => {
                        let size = *self.pick(&sizes);
                        let comp = *self.pick(&["single", "aggregated"]);
                        let src = *self.pick(&["centralized", "decentralized", "distributed"]);
                        let cons = *self.pick(&["internal", "external", "both"]);
                        json!({"service": {"size": size, "composition": comp,
                                           "provision_source": src, "consumers": cons}})
                    }
                    1 => json!({"other": "peripheral"}),
                    _ => self.pick_str(&[
                        "application",
                        "software",
                        "hardware",
                        "network",
                        "storage",
                        "facility",
                        "document",
                        "support_group",
                        "consumer_group",
                        "external_service",
                        "software",
                    ]),
                }
            }
            K::RelKind => self.pick_str(&[
                "depends_on",
                "runs_on",
                "connects_to",
                "provided_by",
                "supported_by",
                "consumed_by",
                "documented_by",
                "part_of",
            ]),
            K::Provision => match self.rng.below(4) {
                0 => json!("internal"),
                1 => json!({"external_supplier": self.valid(K::Party)}),
                2 => json!({"internal_supplier": self.valid(K::Party)}),
                _ => json!({"customer_as_supplier": self.valid(K::Party)}),
            },
            K::Attrs => {
                let mut o = Map::new();
                for _ in 0..self.rng.between(0, 2) {
                    let (name, v) = match self.rng.below(5) {
                        0 => ("environment", json!({"text": "test"})),
                        1 => ("environment", json!({"text": "production"})),
                        2 => ("cores", json!({"number": "16"})),
                        3 => ("redundant", json!({"flag": true})),
                        _ => ("end_of_support", json!({"date": "2027-06-30"})),
                    };
                    o.insert(name.into(), v);
                }
                Value::Object(o)
            }
            K::AttrNames => json!(["cores", "environment"]),
            K::CiUpdate => {
                let mut u = Map::new();
                if self.chance(50) {
                    u.insert("name".into(), self.value(K::Text));
                }
                if self.chance(30) {
                    u.insert("status".into(), self.value(K::CiStatus));
                }
                if self.chance(30) {
                    u.insert("criticality".into(), self.value(K::Criticality));
                }
                if self.chance(20) {
                    u.insert("provision".into(), self.value(K::Provision));
                }
                if self.chance(20) {
                    u.insert("owner".into(), self.value(K::Actor));
                }
                if self.chance(30) {
                    u.insert("set_attributes".into(), self.value(K::Attrs));
                }
                if self.chance(20) {
                    u.insert("remove_attributes".into(), self.value(K::AttrNames));
                }
                Value::Object(u)
            }
            K::Score => {
                json!({"impact": self.value(K::Impact), "likelihood": self.value(K::Likelihood)})
            }
            K::Links => {
                let mut o = Map::new();
                if self.chance(50) {
                    o.insert("cis".into(), json!([self.value(K::Ci)]));
                }
                if self.chance(30) {
                    o.insert("suppliers".into(), json!(["fastnet"]));
                }
                if self.chance(30) {
                    o.insert("changes".into(), json!([self.value(K::Change)]));
                }
                Value::Object(o)
            }
            K::Treatment => match self.rng.below(3) {
                0 => json!("mitigate"),
                1 => {
                    json!({"transfer": {"to": self.value(K::Party), "arrangement": self.value(K::Text)}})
                }
                _ => json!({"avoid": {"how": self.value(K::Text)}}),
            },
            K::Category => self
                .pick(&[
                    json!("normal"),
                    json!("emergency"),
                    json!({"standard": "patch"}),
                ])
                .clone(),
            K::Nature => self.pick_str(&[
                "modify",
                "new_service",
                "decommission_service",
                "transfer_in",
                "transfer_out",
            ]),
            K::Factors => {
                let mut o = Map::new();
                for f in ["human_resources", "skills", "test_environment", "time"] {
                    if self.chance(30) {
                        o.insert(f.into(), self.pick_str(&["low", "medium", "high"]));
                    }
                }
                Value::Object(o)
            }
            K::Money => {
                let amount = *self.pick(&["0.00", "120.00", "1200.50", "99999.99", "250000"]);
                json!({"amount": amount, "currency": "EUR"})
            }
            K::Decimal => self.pick_str(&["0", "1.5", "-5", "100"]),
            K::Effects => json!({"energy_kwh": self.value(K::Decimal)}),
            K::NotDoing => json!({"description": self.value(K::Text),
                                  "impact": self.value(K::Impact),
                                  "likelihood": self.value(K::Likelihood)}),
            K::Delta => {
                let n = self.rng.between(0, 3);
                json!((0..n).map(|_| self.delta_edit(false)).collect::<Vec<_>>())
            }
            K::Outcome => self.pick_str(&["successful", "failed", "backed_out"]),
            K::Pillars => json!(["confidentiality", "integrity"]),
            K::RiskKind => self.pick_str(&["threat", "opportunity"]),
            K::Source => self.pick_str(&[
                "manual",
                "change_assessment",
                "supplier_alignment",
                "business_impact_analysis",
                "continuity_exercise",
            ]),
            K::Register => self.pick_str(&["continuity", "corporate", "projects"]),
            K::Cis => {
                let n = self.rng.between(1, 3);
                json!((0..n).map(|_| self.value(K::Ci)).collect::<Vec<_>>())
            }
            K::ActorDefs => organisation().get("actors").cloned().unwrap_or_default(),
            K::DivisionDefs => organisation().get("divisions").cloned().unwrap_or_default(),
            K::Matrix => json!({
                "impact": [{"name": "Low", "value": 1}, {"name": "High", "value": 3}],
                "likelihood": [{"name": "Rare", "value": 1}, {"name": "Often", "value": 2}],
                "levels": [{"name": "Low", "value": 1}, {"name": "Medium", "value": 2},
                           {"name": "High", "value": 3}, {"name": "Critical", "value": 4}],
                "rule": {"bands": [{"level": "Low", "from": 1, "to": 1},
                                   {"level": "Medium", "from": 2, "to": 2},
                                   {"level": "High", "from": 3, "to": 3},
                                   {"level": "Critical", "from": 4, "to": 6}]}
            }),
            K::Appetite => organisation()
                .pointer("/appetite")
                .cloned()
                .unwrap_or_default(),
            K::Policy => organisation()
                .pointer("/change_policy")
                .cloned()
                .unwrap_or_default(),
            K::Parts => self.valid_parts(),
        }
    }

    fn delta_edit(&mut self, mutated: bool) -> Value {
        let v = |g: &mut Self, k: K| if mutated { g.value(k) } else { g.valid(k) };
        match self.rng.below(5) {
            0 => {
                let mut e = Map::new();
                e.insert("edit".into(), json!("add_ci"));
                e.insert("key".into(), v(self, K::NewCi));
                e.insert("name".into(), v(self, K::Text));
                e.insert("kind".into(), v(self, K::CiKind));
                if self.chance(50) {
                    e.insert("criticality".into(), v(self, K::Criticality));
                }
                if self.chance(20) {
                    e.insert("status".into(), v(self, K::CiStatus));
                }
                if self.chance(20) {
                    e.insert("provision".into(), v(self, K::Provision));
                }
                if self.chance(20) {
                    e.insert("owner".into(), v(self, K::Actor));
                }
                if self.chance(30) {
                    e.insert("attributes".into(), v(self, K::Attrs));
                }
                Value::Object(e)
            }
            1 => json!({"edit": "update_ci", "ci": v(self, K::Ci), "update": v(self, K::CiUpdate)}),
            2 => json!({"edit": "retire_ci", "ci": v(self, K::Ci)}),
            3 => {
                json!({"edit": "relate", "from": v(self, K::Ci), "kind": v(self, K::RelKind), "to": v(self, K::Ci)})
            }
            _ => {
                json!({"edit": "unrelate", "from": v(self, K::Ci), "kind": v(self, K::RelKind), "to": v(self, K::Ci)})
            }
        }
    }

    fn near_miss_matrix(&mut self) -> Value {
        let mut m = self.valid(K::Matrix);
        let scale20: Vec<Value> = (1..=20)
            .map(|i| json!({"name": format!("L{i}"), "value": i}))
            .collect();
        let scale21: Vec<Value> = (1..=21)
            .map(|i| json!({"name": format!("L{i}"), "value": i}))
            .collect();
        if let Some(o) = m.as_object_mut() {
            match self.rng.below(9) {
                0 => {
                    o.insert("impact".into(), json!([]));
                }
                1 => {
                    o.insert(
                        "impact".into(),
                        json!([{"name": "a", "value": 2}, {"name": "A", "value": 1}]),
                    );
                }
                2 => {
                    o.insert(
                        "impact".into(),
                        json!([{"name": "a", "value": u32::MAX}, {"name": "b", "value": 1}]),
                    );
                }
                3 => {
                    // 20 x 20 (the most allowed) with huge values: scores overflow u32.
                    let big: Vec<Value> = (1..=20u32)
                        .map(|i| json!({"name": format!("B{i}"), "value": u32::MAX - 20 + i}))
                        .collect();
                    o.insert("impact".into(), json!(big));
                    o.insert("likelihood".into(), json!(big));
                }
                4 => {
                    o.insert("impact".into(), json!(scale21));
                }
                5 => {
                    o.insert("impact".into(), json!(scale20.clone()));
                    o.insert("likelihood".into(), json!(scale20));
                    o.insert(
                        "rule".into(),
                        json!({"bands": [{"level": "Low", "from": 1, "to": 400}]}),
                    );
                }
                6 => {
                    o.insert(
                        "rule".into(),
                        json!({"grid": [["Low", "High"], ["Critical", "Low"]]}),
                    );
                }
                7 => {
                    o.insert(
                        "rule".into(),
                        json!({"bands": [{"level": "Low", "from": u32::MAX, "to": 0},
                                         {"level": "Ghost", "from": 0, "to": u32::MAX}]}),
                    );
                }
                _ => {
                    o.insert("rule".into(), json!({"grid": []}));
                }
            }
        }
        m
    }

    fn valid_parts(&mut self) -> Value {
        use itsm::cmdb::{Ci, CiKind, CmdbParts, RedundancyGroup, Relation, RelationKind};
        let a = Ci::new("imp-app", "Imported app", CiKind::Application);
        let b = Ci::new("imp-db", "Imported db", CiKind::Software);
        let c = Ci::new("imp-db2", "Imported db 2", CiKind::Software);
        let rels = vec![
            Relation::new(a.id, RelationKind::DependsOn, b.id),
            Relation::new(a.id, RelationKind::DependsOn, c.id),
        ];
        let g = RedundancyGroup::new("imp-pair", a.id, vec![b.id, c.id], 1);
        serde_json::to_value(CmdbParts {
            cis: vec![a, b, c],
            relations: rels,
            groups: vec![g],
            ..CmdbParts::default()
        })
        .unwrap()
    }

    fn near_miss_parts(&mut self) -> Value {
        let mut p = self.valid_parts();
        match self.rng.below(7) {
            0 => {
                // A CI that keeps another key's id.
                if let Some(id) = p.pointer("/cis/1/id").cloned() {
                    if let Some(x) = p.pointer_mut("/cis/0/id") {
                        *x = id;
                    }
                }
            }
            1 => {
                if let Some(x) = p.pointer_mut("/cis/0/version") {
                    *x = self.hostile_number();
                }
            }
            2 => {
                if let Some(x) = p.pointer_mut("/groups/0/min_up") {
                    *x = self.hostile_number();
                }
            }
            3 => {
                if let Some(x) = p.pointer_mut("/relations/0/to") {
                    *x = json!("00000000-0000-0000-0000-000000000000");
                }
            }
            4 => {
                if let Some(x) = p.pointer_mut("/cis/0/key") {
                    *x = self.hostile_string();
                }
            }
            5 => {
                if let Some(x) = p.pointer_mut("/config") {
                    *x = json!({"cycles": "reject"});
                }
                if let Some(Value::Array(r)) = p.pointer_mut("/relations") {
                    r.push(r.first().cloned().unwrap_or_default());
                }
            }
            _ => {
                if let Some(x) = p.pointer_mut("/cis/2/attributes") {
                    *x = self.near_miss(K::Attrs);
                }
            }
        }
        p
    }
}

// ---------------------------------------------------------------------------------------------
// Commands and queries with their real field names
// ---------------------------------------------------------------------------------------------

/// Every op, its fields (`name`, kind, required) and who usually issues it.
#[expect(clippy::type_complexity, reason = "a table")]
const OPS: &[(&str, &[(&str, K, bool)], &[&str])] = &[
    (
        "define_organisation",
        &[
            ("actors", K::ActorDefs, true),
            ("divisions", K::DivisionDefs, false),
            ("matrix", K::Matrix, false),
            ("appetite", K::Appetite, false),
            ("change_policy", K::Policy, false),
        ],
        &["ceo"],
    ),
    (
        "add_ci",
        &[
            ("key", K::NewCi, true),
            ("name", K::Text, true),
            ("kind", K::CiKind, true),
            ("criticality", K::Criticality, false),
            ("status", K::CiStatus, false),
            ("provision", K::Provision, false),
            ("owner", K::Actor, false),
            ("attributes", K::Attrs, false),
        ],
        &["cfg", "ops", "so"],
    ),
    (
        "update_ci",
        &[("ci", K::Ci, true), ("update", K::CiUpdate, true)],
        &["cfg", "ops", "so"],
    ),
    ("retire_ci", &[("ci", K::Ci, true)], &["cfg", "ops"]),
    (
        "relate",
        &[
            ("from", K::Ci, true),
            ("kind", K::RelKind, true),
            ("to", K::Ci, true),
        ],
        &["cfg", "ops", "so"],
    ),
    (
        "unrelate",
        &[
            ("from", K::Ci, true),
            ("kind", K::RelKind, true),
            ("to", K::Ci, true),
        ],
        &["cfg", "ops"],
    ),
    (
        "add_redundancy_group",
        &[
            ("name", K::NewName, true),
            ("dependent", K::Ci, true),
            ("members", K::Cis, true),
            ("min_up", K::Usize, true),
        ],
        &["cfg"],
    ),
    (
        "remove_redundancy_group",
        &[("name", K::Group, true)],
        &["cfg"],
    ),
    (
        "remove_ci",
        &[("ci", K::Ci, true), ("cascade", K::Bool, false)],
        &["cfg", "ops"],
    ),
    (
        "import_configuration",
        &[("parts", K::Parts, true)],
        &["cfg", "ceo"],
    ),
    (
        "take_baseline",
        &[("name", K::NewName, true)],
        &["cfg", "cm"],
    ),
    (
        "identify_risk",
        &[
            ("key", K::NewRisk, true),
            ("title", K::Text, true),
            ("category", K::Text, true),
            ("owner", K::Actor, true),
            ("description", K::Text, false),
            ("kind", K::RiskKind, false),
            ("pillars", K::Pillars, false),
            ("register", K::Register, false),
            ("division", K::Division, false),
            ("links", K::Links, false),
            ("source", K::Source, false),
            ("inherent", K::Score, false),
            ("target_date", K::Date, false),
            ("review_interval_days", K::Interval, false),
        ],
        &["ro", "rm", "ceo", "ro2"],
    ),
    (
        "update_risk",
        &[
            ("risk", K::Risk, true),
            ("title", K::Text, false),
            ("description", K::Text, false),
            ("category", K::Text, false),
            ("owner", K::Actor, false),
            ("target_date", K::Date, false),
            ("review_interval_days", K::Interval, false),
        ],
        &["ro", "rm", "ceo"],
    ),
    (
        "assess_risk",
        &[
            ("risk", K::Risk, true),
            ("inherent", K::Score, false),
            ("residual", K::Score, false),
            ("rationale", K::Text, false),
        ],
        &["ro", "rm", "ceo"],
    ),
    (
        "treat_risk",
        &[("risk", K::Risk, true), ("treatment", K::Treatment, true)],
        &["ro", "rm", "ceo"],
    ),
    (
        "add_risk_action",
        &[
            ("risk", K::Risk, true),
            ("description", K::Text, true),
            ("owner", K::Actor, true),
            ("due", K::Date, true),
        ],
        &["ro", "rm"],
    ),
    (
        "complete_risk_action",
        &[("risk", K::Risk, true), ("number", K::U32, true)],
        &["ro", "rm", "ops"],
    ),
    (
        "accept_risk",
        &[
            ("risk", K::Risk, true),
            ("until", K::Date, true),
            ("rationale", K::Text, true),
        ],
        &["ro", "rm", "ceo"],
    ),
    (
        "materialize_risk",
        &[("risk", K::Risk, true), ("note", K::Text, false)],
        &["ro", "rm"],
    ),
    (
        "review_risk",
        &[("risk", K::Risk, true), ("notes", K::Text, false)],
        &["ro", "rm"],
    ),
    (
        "close_risk",
        &[("risk", K::Risk, true), ("note", K::Text, false)],
        &["rm", "ceo"],
    ),
    (
        "reopen_risk",
        &[("risk", K::Risk, true), ("reason", K::Text, true)],
        &["ro", "rm"],
    ),
    (
        "raise_change",
        &[
            ("key", K::NewChange, true),
            ("title", K::Text, true),
            ("targets", K::Cis, true),
            ("category", K::Category, false),
            ("nature", K::Nature, false),
            ("implementer", K::Actor, false),
            ("delta", K::Delta, false),
            ("estimated_cost", K::Money, false),
            ("factors", K::Factors, false),
            ("new_technology", K::Bool, false),
            ("objective_effects", K::Effects, false),
            ("not_doing", K::NotDoing, false),
        ],
        &["ops", "cm", "so"],
    ),
    (
        "submit_change",
        &[("change", K::Change, true)],
        &["ops", "cm"],
    ),
    (
        "assess_change",
        &[("change", K::Change, true)],
        &["cm", "rpo"],
    ),
    (
        "approve_change",
        &[("change", K::Change, true)],
        &["cm", "cab1", "cab2", "ecab", "ca", "ceo"],
    ),
    (
        "reject_change",
        &[("change", K::Change, true), ("reason", K::Text, true)],
        &["cm", "cab1", "ecab"],
    ),
    (
        "complete_transition_stage",
        &[("change", K::Change, true)],
        &["cm"],
    ),
    (
        "schedule_change",
        &[
            ("change", K::Change, true),
            ("start", K::Time, true),
            ("end", K::Time, true),
        ],
        &["cm"],
    ),
    (
        "start_change",
        &[("change", K::Change, true)],
        &["ops", "cm"],
    ),
    (
        "complete_change",
        &[("change", K::Change, true), ("outcome", K::Outcome, true)],
        &["ops", "cm"],
    ),
    (
        "review_change",
        &[("change", K::Change, true), ("notes", K::Text, true)],
        &["cm"],
    ),
    ("close_change", &[("change", K::Change, true)], &["cm"]),
    (
        "cancel_change",
        &[("change", K::Change, true), ("reason", K::Text, true)],
        &["ops", "cm"],
    ),
];

#[expect(clippy::type_complexity, reason = "a table")]
const QUERIES: &[(&str, &[(&str, K, bool)])] = &[
    ("ci", &[("ci", K::Ci, true)]),
    ("impact", &[("failed", K::Cis, true)]),
    ("dependencies_of", &[("ci", K::Ci, true)]),
    ("single_points_of_failure", &[("ci", K::Service, true)]),
    ("services_using", &[("ci", K::Ci, true)]),
    ("risk", &[("risk", K::Risk, true)]),
    ("escalations", &[("since", K::Time, true)]),
    (
        "risk_report",
        &[("start", K::Time, true), ("end", K::Time, true)],
    ),
    ("change", &[("change", K::Change, true)]),
    ("conflicts", &[]),
    (
        "change_metrics",
        &[
            ("start", K::Time, true),
            ("end", K::Time, true),
            ("from_baseline", K::Baseline, false),
            ("to_baseline", K::Baseline, false),
        ],
    ),
    (
        "unauthorized_changes",
        &[("from", K::Baseline, true), ("to", K::Baseline, true)],
    ),
    (
        "management_review",
        &[
            ("start", K::Time, true),
            ("end", K::Time, true),
            ("from_baseline", K::Baseline, false),
            ("to_baseline", K::Baseline, false),
        ],
    ),
    ("log_length", &[]),
];

impl Gen {
    /// Fills `fields` into an object tagged `tag: name`, then perhaps mutates its shape.
    fn object(&mut self, tag: &str, name: &str, fields: &[(&str, K, bool)]) -> Map<String, Value> {
        let mut o = Map::new();
        o.insert(tag.into(), json!(name));
        for (field, k, required) in fields {
            if *required || self.chance(50) {
                o.insert((*field).into(), self.value(*k));
            }
        }
        if self.chance(self.rate) {
            match self.rng.below(6) {
                0 => {
                    // A required field missing.
                    if let Some((field, _, _)) = fields.get(self.rng.below(fields.len())) {
                        o.remove(*field);
                    }
                }
                1 => {
                    o.insert("extra".into(), self.hostile_value());
                }
                2 => {
                    // The tag spelt as Rust or as a human would.
                    let spellings = [
                        name.to_uppercase(),
                        name.replace('_', "-"),
                        format!("{name} "),
                        name.split('_')
                            .map(|w| {
                                let mut c = w.chars();
                                c.next()
                                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                                    .unwrap_or_default()
                            })
                            .collect(),
                    ];
                    let t = self.pick(&spellings).clone();
                    o.insert(tag.into(), json!(t));
                }
                3 => {
                    // A field of another op or query.
                    let (_, other, _) = *self.pick(OPS);
                    if let Some((field, k, _)) = other.get(self.rng.below(other.len())) {
                        o.insert((*field).into(), self.valid(*k));
                    }
                }
                4 => {
                    o.insert(tag.into(), self.hostile_value());
                }
                _ => {
                    // Every optional field at once.
                    for (field, k, _) in fields {
                        o.insert((*field).into(), self.value(*k));
                    }
                }
            }
        }
        o
    }

    /// A command with `at` and `actor`, shaped as `op` wants.
    fn command(&mut self, at: DateTime<Utc>) -> Value {
        self.now = at;
        let (op, fields, actors) = *self.pick(OPS);
        let mut o = self.object("op", op, fields);
        let actor = if self.chance(75) {
            json!(*self.pick(actors))
        } else {
            self.value(K::Actor)
        };
        let at = self.at(at);
        self.frame(o.remove("op"), &mut o, at, actor)
    }

    /// `at` near the clock, or (at `rate`) an awkward time.
    fn at(&mut self, now: DateTime<Utc>) -> Value {
        if self.chance(self.rate / 2) {
            match self.rng.below(4) {
                0 => self.pick_str(TIMES),
                1 => json!(rfc3339(now - TimeDelta::seconds(1))),
                2 => self.hostile_value(),
                _ => json!(rfc3339(now + TimeDelta::nanoseconds(1))),
            }
        } else {
            let step = i64::try_from(self.rng.below(180)).unwrap();
            json!(rfc3339(later(now, TimeDelta::minutes(step))))
        }
    }

    /// Puts `at`, `actor` and the tag first, as people write them; sometimes drops one.
    fn frame(
        &mut self,
        op: Option<Value>,
        fields: &mut Map<String, Value>,
        at: Value,
        actor: Value,
    ) -> Value {
        let mut o = Map::new();
        if !self.chance(self.rate / 4) {
            o.insert("at".into(), at);
        }
        if !self.chance(self.rate / 4) {
            o.insert("actor".into(), actor);
        }
        if let Some(op) = op {
            o.insert("op".into(), op);
        }
        o.append(fields);
        Value::Object(o)
    }

    fn query(&mut self) -> Value {
        let (name, fields) = *self.pick(QUERIES);
        Value::Object(self.object("query", name, fields))
    }

    /// Now and then, a second value for a field the text already has (`"actor"` twice, to
    /// smuggle in another actor): strict reading must refuse it.
    fn duplicate_field(&mut self, text: String) -> String {
        if !self.chance(2) {
            return text;
        }
        let field = *self.pick(&["actor", "at", "op", "query", "key", "risk", "change", "ci"]);
        let value = self.pick_str(&["ceo", "cfg", "svc-web", "2026-04-01T00:00:00Z", "add_ci"]);
        format!(
            "{{\"{field}\":{value},{}",
            text.get(1..).unwrap_or_default()
        )
    }

    /// Learns the keys an accepted command created.
    fn learn(&mut self, cmd: &Value) {
        let s = |f: &str| cmd.get(f).and_then(Value::as_str).map(str::to_owned);
        let (Some(op), Some(key)) = (s("op"), s("key").or_else(|| s("name")).or_else(|| s("ci")))
        else {
            return;
        };
        let pool = match op.as_str() {
            "add_ci" => {
                if cmd.pointer("/kind/service").is_some() {
                    self.services.push(key.clone());
                }
                &mut self.cis
            }
            "identify_risk" => &mut self.risks,
            "raise_change" => &mut self.changes,
            "take_baseline" => &mut self.baselines,
            "add_redundancy_group" => &mut self.groups,
            _ => return,
        };
        if pool.len() < 200 && !pool.contains(&key) {
            pool.push(key);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lifecycles: valid sequences with one field mutated
// ---------------------------------------------------------------------------------------------

impl Gen {
    /// A valid lifecycle of a new change, risk or CI, as `(actor, command)` pairs.
    fn lifecycle(&mut self) -> Vec<(String, Value)> {
        let mut s: Vec<(String, Value)> = vec![];
        let mut push = |actor: &str, v: Value| s.push((actor.to_owned(), v));
        match self.rng.below(4) {
            0 | 1 => {
                let key = self.fresh_key("lc-c");
                let target = self.pick_owned(K::Ci);
                let category = self.valid(K::Category);
                let mut raise = json!({"op": "raise_change", "key": key, "title": "t",
                    "targets": [target.clone()], "implementer": "ops", "category": category,
                    "factors": self.valid(K::Factors),
                    "estimated_cost": self.valid(K::Money)});
                if self.chance(50) {
                    let new = self.fresh_key("lc-ci");
                    let kind = self.valid(K::CiKind);
                    let rel = self.valid(K::RelKind);
                    if let Some(o) = raise.as_object_mut() {
                        o.insert(
                            "delta".into(),
                            json!([{"edit": "add_ci", "key": new, "name": "n", "kind": kind},
                                   {"edit": "relate", "from": target, "kind": rel, "to": new},
                                   {"edit": "update_ci", "ci": target, "update": {"criticality": "high"}}]),
                        );
                    }
                }
                let major = self.chance(30);
                if major {
                    if let Some(o) = raise.as_object_mut() {
                        o.insert("nature".into(), self.valid(K::Nature));
                        o.insert("new_technology".into(), json!(true));
                    }
                }
                push("ops", raise);
                let c = |op: &str| json!({"op": op, "change": key});
                push("ops", c("submit_change"));
                push("cm", c("assess_change"));
                // Whoever the assessment may ask for; those it does not are refused.
                for a in ["cm", "cab1", "cab2", "ecab", "ca"] {
                    push(a, c("approve_change"));
                }
                for _ in 0..if major { 4 } else { 1 } {
                    push("cm", c("complete_transition_stage"));
                }
                let start = later(
                    self.now,
                    TimeDelta::days(i64::try_from(self.rng.below(300)).unwrap()),
                );
                let end = later(start, TimeDelta::hours(4));
                push(
                    "cm",
                    json!({"op": "schedule_change", "change": key, "start": rfc3339(start),
                           "end": rfc3339(end)}),
                );
                push("ops", c("start_change"));
                let outcome = self.valid(K::Outcome);
                push(
                    "ops",
                    json!({"op": "complete_change", "change": key, "outcome": outcome}),
                );
                push(
                    "cm",
                    json!({"op": "review_change", "change": key, "notes": "n"}),
                );
                push("cm", c("close_change"));
                push(
                    "cm",
                    json!({"op": "take_baseline", "name": self.fresh_key("lc-b")}),
                );
            }
            2 => {
                let key = self.fresh_key("lc-r");
                let owner = *self.pick(&["ro", "ro2", "rm", "sm"]);
                push(
                    "rm",
                    json!({"op": "identify_risk", "key": key, "title": "t", "category": "c",
                           "owner": owner, "inherent": self.valid(K::Score),
                           "links": {"cis": [self.pick_owned(K::Ci)]},
                           "review_interval_days": 30, "target_date": self.valid(K::Date)}),
                );
                let r = |op: &str, extra: Value| {
                    let mut v = json!({"op": op, "risk": key});
                    if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
                        o.extend(e);
                    }
                    v
                };
                push(
                    "rm",
                    r(
                        "assess_risk",
                        json!({"residual": self.valid(K::Score), "rationale": "r"}),
                    ),
                );
                push(
                    "rm",
                    r("treat_risk", json!({"treatment": self.valid(K::Treatment)})),
                );
                push(
                    "rm",
                    r(
                        "add_risk_action",
                        json!({"description": "d", "owner": "ops", "due": self.valid(K::Date)}),
                    ),
                );
                push("ops", r("complete_risk_action", json!({"number": 1})));
                push(
                    "rm",
                    r(
                        "update_risk",
                        json!({"title": "t2", "owner": owner, "review_interval_days": 90}),
                    ),
                );
                push("rm", r("review_risk", json!({"notes": "n"})));
                push(owner, r("materialize_risk", json!({"note": "n"})));
                let until = self.valid(K::Date);
                push(
                    "ceo",
                    r("accept_risk", json!({"until": until, "rationale": "r"})),
                );
                push("rm", r("reopen_risk", json!({"reason": "again"})));
                push("ceo", r("close_risk", json!({"note": "done"})));
                push("rm", r("reopen_risk", json!({"reason": "again"})));
            }
            _ => {
                let key = self.fresh_key("lc-ci");
                let kind = self.valid(K::CiKind);
                push(
                    "cfg",
                    json!({"op": "add_ci", "key": key, "name": "n", "kind": kind,
                           "attributes": self.valid(K::Attrs), "owner": "so",
                           "provision": self.valid(K::Provision)}),
                );
                let other = self.pick_owned(K::Ci);
                let rel = self.valid(K::RelKind);
                push(
                    "cfg",
                    json!({"op": "relate", "from": key, "kind": rel, "to": other}),
                );
                push(
                    "cfg",
                    json!({"op": "relate", "from": other, "kind": "depends_on", "to": key}),
                );
                let group = self.fresh_key("lc-g");
                push(
                    "cfg",
                    json!({"op": "add_redundancy_group", "name": group, "dependent": other,
                           "members": [key], "min_up": 1}),
                );
                push(
                    "cfg",
                    json!({"op": "update_ci", "ci": key, "update": self.valid(K::CiUpdate)}),
                );
                push(
                    "cfg",
                    json!({"op": "remove_redundancy_group", "name": group}),
                );
                push(
                    "cfg",
                    json!({"op": "unrelate", "from": key, "kind": rel, "to": other}),
                );
                push("cfg", json!({"op": "retire_ci", "ci": key}));
                push(
                    "cfg",
                    json!({"op": "remove_ci", "ci": key, "cascade": self.chance(50)}),
                );
            }
        }
        s
    }

    /// One field of one step replaced by a mutation of the same kind (or the step's shape
    /// changed).
    fn mutate_step(&mut self, cmd: &mut Value) {
        let op = cmd
            .get("op")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let Some((_, fields, _)) = OPS.iter().find(|(o, _, _)| *o == op) else {
            return;
        };
        let Some(o) = cmd.as_object_mut() else {
            return;
        };
        if let Some((field, k, _)) = fields.get(self.rng.below(fields.len())) {
            let v = self.mutate(*k);
            o.insert((*field).into(), v);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running a case and checking the properties
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Input {
    Command(String),
    Query(String),
}

/// A failure: what broke, at which input.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    /// Which property (`panic`, `answer`, `refusal`, `determinism`, `snapshot`, `replay`,
    /// `words`).
    property: &'static str,
    message: String,
}

fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

fn fail(property: &'static str, message: String) -> Failure {
    Failure { property, message }
}

/// Checks that `out` is a JSON answer with a boolean `success`, and that what it says is in
/// the user's words (`said`: whether the user wrote this text); returns `success`.
fn answer(said: &dyn Fn(&str) -> bool, out: &str) -> Result<bool, Failure> {
    let v: Value =
        serde_json::from_str(out).map_err(|e| fail("answer", format!("not JSON ({e}): {out}")))?;
    let ok = v
        .get("success")
        .and_then(Value::as_bool)
        .ok_or_else(|| fail("answer", format!("no boolean `success`: {out}")))?;
    if ok {
        if let Some(a) = v.get("answer") {
            answer_words(a)?;
        }
    } else {
        let errors = v.get("errors").and_then(Value::as_array);
        if !errors.is_some_and(|e| !e.is_empty() && e.iter().all(Value::is_string)) {
            return Err(fail("answer", format!("a refusal without errors: {out}")));
        }
        for e in errors.into_iter().flatten().filter_map(Value::as_str) {
            message_words(said, e)?;
        }
    }
    Ok(ok)
}

/// The longest error message: an error echoes at most 100 characters of any quoted input
/// (`shorten_quotes`), so even a message naming many records stays short.
const MAX_MESSAGE: usize = 4_000;

/// A word written as Rust names things (`TopManagement`, `ProcessOwner(`), not as the user
/// does (`top_management`): a capital first, and a lower-case letter followed by a capital
/// (`CIs` and `CHG-1` are words people write).
fn rust_word(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| {
            w.starts_with(|c: char| c.is_ascii_uppercase())
                && w.as_bytes().windows(2).any(|p| {
                    p.first().is_some_and(u8::is_ascii_lowercase)
                        && p.get(1).is_some_and(u8::is_ascii_uppercase)
                })
        })
        .map(str::to_owned)
}

/// Whether the user wrote `id`: in this input, or as the key of a record the engine holds
/// (a key may look like an id).
fn said_by(sms: &Sms, input: &str, id: &str) -> bool {
    input.contains(id)
        || sms.cmdb().ci_by_key(id).is_some()
        || sms.actor(id).is_some()
        || sms.risk_reference(id).is_some()
        || sms.change_id(id).is_some()
        || sms.baseline(id).is_some()
}

/// Property 5 (house rule 18): a refusal speaks the user's words. It is short, names records
/// by key (no id the user did not write: `said`) and never shows Rust's names for things
/// (outside backticks, where it quotes the input).
fn message_words(said: &dyn Fn(&str) -> bool, message: &str) -> Result<(), Failure> {
    text_words(message)?;
    // An id in parentheses right after the name it belongs to (`group `db-pair` (`7f9c...`)`)
    // is said besides the user's words, not instead of them.
    let named = |id: &str| message.contains(&format!("` (`{id}`)"));
    if let Some(id) = itsm_testkit::uuids(message)
        .into_iter()
        .find(|id| !said(id) && !named(id))
    {
        if !known_id(message) {
            return Err(fail("words", format!("an id `{id}` in: {message}")));
        }
    }
    Ok(())
}

/// Property 5 without the ids: for text that may quote records (a scenario report's
/// expectation details show the answer they looked at).
fn text_words(message: &str) -> Result<(), Failure> {
    if message.chars().count() > MAX_MESSAGE && !known_long_echo(message) {
        return Err(fail(
            "words",
            format!(
                "a message of {} characters: {}...",
                message.chars().count(),
                message.chars().take(300).collect::<String>()
            ),
        ));
    }
    // What the message quotes of the input (in backticks, or in double quotes as serde
    // does) is the user's, whatever it looks like.
    let unquoted: String = message
        .split('`')
        .step_by(2)
        .flat_map(|part| part.split('"').step_by(2))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(w) = rust_word(&unquoted).filter(|w| !known_rust_word(w, message)) {
        return Err(fail("words", format!("`{w}` (a Rust name) in: {message}")));
    }
    Ok(())
}

// Messages whose words are known to be wrong, in code outside the reach of this module's
// author (see `docs/fuzzing.md`); each names its bug. Remove an entry when its bug is fixed,
// and the fuzzer checks those messages again.

/// No message is known to echo long input any more (serde's double-quoted values are shortened
/// by `shorten_quotes` too, and every message is capped).
fn known_long_echo(_message: &str) -> bool {
    false
}

/// No Rust name is known to show in messages any more: every type a command, query or
/// snapshot is read into says what it expects in the user's words, and serde's own words for
/// Rust's shapes are translated (`itsm_engine::serde_words`); `tests/vocabulary.rs` walks
/// every error variant and every field of every command of the corpus.
fn known_rust_word(_word: &str, _message: &str) -> bool {
    false
}

/// Ids known to show in messages where a key should: none since the appetite names divisions
/// by key (issue 9).
fn known_id(_message: &str) -> bool {
    false
}

/// Property 5 for answers: no text in an answer shows Rust's names for things.
fn answer_words(v: &Value) -> Result<(), Failure> {
    match v {
        Value::String(s) => match rust_word(s) {
            Some(w) => Err(fail(
                "words",
                format!("`{w}` (a Rust name) in an answer: {s}"),
            )),
            None => Ok(()),
        },
        Value::Array(a) => a.iter().try_for_each(answer_words),
        Value::Object(o) => o.values().try_for_each(answer_words),
        _ => Ok(()),
    }
}

/// How often (one refused command in this many) the refusal is also checked byte for byte
/// through serde_json; the others are compared with `==` (serializing the engine costs about
/// 10 ms in a debug build, comparing it 0.15 ms). The end of every sequence compares the
/// serialized engine with the shadow's byte for byte, which catches any drift a refused
/// command left that `==` would miss.
const BYTE_CHECK_EVERY: u64 = 100;

/// The live engine, and a shadow that only ever sees the accepted commands: after a refused
/// command the two must still be equal.
struct Live {
    sms: Sms,
    shadow: Sms,
    /// The shadow serialized, while it is current.
    shadow_json: Option<String>,
    refused: u64,
}

fn serialize(sms: &Sms) -> Result<String, Failure> {
    catch_unwind(AssertUnwindSafe(|| serde_json::to_string(sms)))
        .map_err(|e| {
            fail(
                "panic",
                format!("serializing: {}", panic_message(e.as_ref())),
            )
        })?
        .map_err(|e| fail("snapshot", format!("the engine does not serialize: {e}")))
}

fn difference(a: &str, b: &str) -> String {
    let a: Value = serde_json::from_str(a).unwrap_or_default();
    let b: Value = serde_json::from_str(b).unwrap_or_default();
    first_difference(&a, &b)
}

impl Live {
    fn new(sms: Sms) -> Self {
        Self {
            shadow: sms.clone(),
            sms,
            shadow_json: None,
            refused: 0,
        }
    }

    fn shadow_json(&mut self) -> Result<String, Failure> {
        if let Some(j) = &self.shadow_json {
            return Ok(j.clone());
        }
        let j = serialize(&self.shadow)?;
        self.shadow_json = Some(j.clone());
        Ok(j)
    }

    /// Applies one input and checks properties 1 to 3; true for an accepted command or an
    /// answered query.
    fn step(&mut self, input: &Input) -> Result<bool, Failure> {
        match input {
            Input::Command(text) => {
                let text = &versioned(text);
                let len = self.sms.log().len();
                let sms = &mut self.sms;
                let out = catch_unwind(AssertUnwindSafe(|| sms.apply_json(text)))
                    .map_err(|e| fail("panic", panic_message(e.as_ref())))?;
                let ok = answer(&|id| said_by(&self.shadow, text, id), &out)?;
                if ok {
                    if self.sms.log().len() != len + 1 {
                        return Err(fail(
                            "answer",
                            format!(
                                "accepted, but the log went from {len} to {}",
                                self.sms.log().len()
                            ),
                        ));
                    }
                    // The same command on the same state gives the same answer.
                    let shadow = &mut self.shadow;
                    let again = catch_unwind(AssertUnwindSafe(|| shadow.apply_json(text)))
                        .map_err(|e| fail("panic", panic_message(e.as_ref())))?;
                    self.shadow_json = None;
                    if again != out {
                        return Err(fail(
                            "determinism",
                            format!("the same command answered {out} and then {again}"),
                        ));
                    }
                } else {
                    self.refused += 1;
                    if self.sms.log().len() != len {
                        return Err(fail("refusal", format!("refused, but logged: {out}")));
                    }
                    let byte_check = self.refused % BYTE_CHECK_EVERY == 1;
                    if self.sms != self.shadow || byte_check {
                        let before = self.shadow_json()?;
                        let after = serialize(&self.sms)?;
                        if after != before || self.sms != self.shadow {
                            return Err(fail(
                                "refusal",
                                format!(
                                    "refused ({out}), but the state changed at {}",
                                    difference(&before, &after)
                                ),
                            ));
                        }
                    }
                }
                Ok(ok)
            }
            Input::Query(text) => {
                let text = &versioned(text);
                let sms = &self.sms;
                let out = catch_unwind(AssertUnwindSafe(|| sms.query_json(text)))
                    .map_err(|e| fail("panic", panic_message(e.as_ref())))?;
                answer(&|id| said_by(&self.sms, text, id), &out)
            }
        }
    }

    /// Property 4, and that refused commands and queries left nothing behind: the engine
    /// serializes exactly as the shadow does.
    fn finish(&mut self) -> Result<(), Failure> {
        let now = serialize(&self.sms)?;
        let shadow = self.shadow_json()?;
        if now != shadow {
            return Err(fail(
                "refusal",
                format!(
                    "refused commands or queries changed the serialized state at {}",
                    difference(&shadow, &now)
                ),
            ));
        }
        let loaded = catch_unwind(AssertUnwindSafe(|| serde_json::from_str::<Sms>(&now)))
            .map_err(|e| {
                fail(
                    "panic",
                    format!("loading the snapshot: {}", panic_message(e.as_ref())),
                )
            })?
            .map_err(|e| fail("snapshot", format!("the snapshot does not load: {e}")))?;
        if loaded != self.sms {
            return Err(fail(
                "snapshot",
                "the snapshot loads as another state".into(),
            ));
        }
        let replayed = catch_unwind(AssertUnwindSafe(|| Sms::replay(self.sms.log())))
            .map_err(|e| fail("panic", format!("replaying: {}", panic_message(e.as_ref()))))?
            .map_err(|e| fail("replay", format!("the log does not replay: {e}")))?;
        if replayed != self.sms {
            return Err(fail("replay", "the log replays to another state".into()));
        }
        Ok(())
    }
}

/// The JSON pointer of the first difference between two values.
fn first_difference(a: &Value, b: &Value) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) if w == v => {}
                    Some(w) => return format!("/{k}{}", first_difference(v, w)),
                    None => return format!("/{k} (gone)"),
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| format!("/{k} (new)"))
                .unwrap_or_default()
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                if v != w {
                    return format!("/{i}{}", first_difference(v, w));
                }
            }
            format!(" (length {} -> {})", x.len(), y.len())
        }
        _ => format!(" ({a} -> {b})"),
    }
}

/// Runs a whole case from its base; the failure and the index of the input it happened at.
fn run_case(base_sms: &Sms, inputs: &[Input]) -> Result<(), (usize, Failure)> {
    let mut live = Live::new(base_sms.clone());
    for (i, input) in inputs.iter().enumerate() {
        live.step(input).map_err(|f| (i, f))?;
    }
    live.finish().map_err(|f| (inputs.len(), f))
}

/// Greedy shrinking: drops inputs one at a time while the same property still breaks.
fn shrink(base_sms: &Sms, inputs: &[Input], property: &str) -> Vec<Input> {
    let mut kept: Vec<Input> = inputs.to_vec();
    let mut i = 0;
    while i < kept.len() {
        let mut candidate = kept.clone();
        candidate.remove(i);
        match run_case(base_sms, &candidate) {
            Err((_, f)) if f.property == property => kept = candidate,
            _ => i += 1,
        }
    }
    kept
}

/// Shrinks and reports a failure; never returns.
fn report(
    test: &str,
    seed: u64,
    base: Base,
    base_sms: &Sms,
    inputs: &[Input],
    at: usize,
    f: &Failure,
) -> ! {
    let upto: Vec<Input> = inputs.iter().take(at + 1).cloned().collect();
    let small = shrink(base_sms, &upto, f.property);
    let (_, small_failure) = run_case(base_sms, &small).err().unwrap_or((0, f.clone()));
    let lines: Vec<String> = small
        .iter()
        .map(|i| match i {
            Input::Command(t) => format!("apply_json {t}"),
            Input::Query(t) => format!("query_json {t}"),
        })
        .collect();
    panic!(
        "{test}: property `{}` broken (sequence seed {seed}, base {base:?}): {}\n\
         shrunk to {} input(s) after the base ({}):\n{}",
        small_failure.property,
        f.message,
        small.len(),
        small_failure.message,
        lines.join("\n")
    )
}

/// Counts and times a test's inputs; prints them (visible with `--nocapture`).
struct Tally {
    name: &'static str,
    started: Instant,
    commands: u64,
    accepted: u64,
    queries: u64,
    answered: u64,
    steps: u64,
    sequences: u64,
}

impl Tally {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            started: Instant::now(),
            commands: 0,
            accepted: 0,
            queries: 0,
            answered: 0,
            steps: 0,
            sequences: 0,
        }
    }

    fn inputs(&self) -> u64 {
        self.commands + self.queries + self.steps
    }

    fn print(&self) {
        eprintln!(
            "fuzz {}: {} inputs ({} commands, {} accepted; {} queries, {} answered; {} scenario steps) in {} sequences, {:.1} s",
            self.name,
            self.inputs(),
            self.commands,
            self.accepted,
            self.queries,
            self.answered,
            self.steps,
            self.sequences,
            self.started.elapsed().as_secs_f64()
        );
    }
}

/// Adds the next inputs of a sequence, given the generator and the clock.
type Fill = dyn Fn(&mut Gen, DateTime<Utc>, &mut Vec<Input>);

/// Runs sequences of generated inputs until `target` inputs were checked. `fill` adds the
/// next inputs of a sequence, given the generator and the clock.
fn drive(name: &'static str, test: u64, target: u64, fill: &Fill) {
    let built: Vec<(Base, Sms)> = [Base::Full, Base::Bare, Base::Empty]
        .into_iter()
        .map(|b| (b, b.build()))
        .collect();
    // Three sequences in five start from the whole organisation.
    let weights = [0usize, 0, 0, 1, 2];
    let mut tally = Tally::new(name);
    let mut sequence = 0u64;
    while tally.inputs() < target {
        let s = seed(test, sequence);
        let which = weights
            .get(usize::try_from(sequence).unwrap() % weights.len())
            .copied()
            .unwrap_or_default();
        let (base, base_sms) = built.get(which).unwrap();
        sequence += 1;
        tally.sequences += 1;
        let mut g = Gen::new(s, 8);
        let mut live = Live::new(base_sms.clone());
        let mut inputs: Vec<Input> = vec![];
        if *base == Base::Empty {
            // The organisation defined at an edge of time (or at T0), as the first input.
            let start = *g.pick(&[
                EARLIEST,
                later(EARLIEST, TimeDelta::days(1)),
                LATEST - TimeDelta::hours(3),
                LATEST - TimeDelta::days(200),
                t0(),
            ]);
            let mut org = organisation().as_object().cloned().unwrap_or_default();
            let op = org.remove("op");
            let first = g.frame(op, &mut org, json!(rfc3339(start)), json!("ceo"));
            inputs.push(Input::Command(to_text(&first)));
        }
        let length = 150;
        let mut checked = 0;
        while checked < length {
            if checked == inputs.len() {
                let now = live.sms.log().last().map_or_else(t0, |e| e.at);
                fill(&mut g, now, &mut inputs);
            }
            for i in checked..inputs.len() {
                let input = inputs.get(i).unwrap().clone();
                match live.step(&input) {
                    Ok(ok) => match &input {
                        Input::Command(t) => {
                            tally.commands += 1;
                            if ok {
                                tally.accepted += 1;
                                if let Ok(v) = serde_json::from_str::<Value>(t) {
                                    g.learn(&v);
                                }
                            }
                        }
                        Input::Query(_) => {
                            tally.queries += 1;
                            tally.answered += u64::from(ok);
                        }
                    },
                    Err(f) => report(name, s, *base, base_sms, &inputs, i, &f),
                }
            }
            checked = inputs.len();
        }
        if let Err(f) = live.finish() {
            report(name, s, *base, base_sms, &inputs, inputs.len(), &f);
        }
    }
    tally.print();
    assert!(tally.inputs() >= target);
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

/// Single commands of every op, each field valid or mutated, interleaved with queries.
#[test]
fn fuzz_commands_of_every_op() {
    drive("commands", 1, share(40), &|g, now, inputs| {
        let cmd = g.command(now);
        inputs.push(Input::Command(g.duplicate_field(to_text(&cmd))));
        if g.chance(30) {
            let q = g.query();
            inputs.push(Input::Query(g.duplicate_field(to_text(&q))));
        }
    });
}

/// Valid lifecycles (change, risk, CI) with one step's field mutated now and then, so the
/// deep branches run.
#[test]
fn fuzz_mutated_lifecycles() {
    drive("lifecycles", 2, share(25), &|g, now, inputs| {
        g.now = now;
        let steps = g.lifecycle();
        let mutate = g.rng.below(steps.len() + 2);
        let mut at = now;
        for (i, (actor, mut cmd)) in steps.into_iter().enumerate() {
            if i == mutate {
                g.mutate_step(&mut cmd);
            }
            at = later(
                at,
                TimeDelta::minutes(i64::try_from(g.rng.below(30)).unwrap()),
            );
            let actor = if g.chance(3) {
                g.value(K::Actor)
            } else {
                json!(actor)
            };
            let at_v = if g.chance(2) {
                g.at(at)
            } else {
                json!(rfc3339(at))
            };
            let mut fields = cmd.as_object().cloned().unwrap_or_default();
            let op = fields.remove("op");
            let framed = g.frame(op, &mut fields, at_v, actor);
            inputs.push(Input::Command(to_text(&framed)));
        }
        let q = g.query();
        inputs.push(Input::Query(to_text(&q)));
    });
}

/// Queries of every kind against the organisation, fields valid or mutated.
#[test]
fn fuzz_queries_of_every_kind() {
    drive("queries", 3, share(20), &|g, now, inputs| {
        for _ in 0..9 {
            let q = g.query();
            inputs.push(Input::Query(to_text(&q)));
        }
        let cmd = g.command(now);
        inputs.push(Input::Command(to_text(&cmd)));
    });
}

// ---------------------------------------------------------------------------------------------
// Scenario documents
// ---------------------------------------------------------------------------------------------

/// Whether the runner can read `step` (in a document of its own).
fn readable(step: &Value) -> bool {
    let doc = json!({"format": 1, "name": "probe", "steps": [step]});
    itsm_scenario::parse(&to_text(&doc)).is_ok()
}

impl Gen {
    fn expectation(&mut self) -> Value {
        let query = self.query();
        let mut e = Map::new();
        e.insert("query".into(), query);
        if self.chance(80) {
            let path = if self.chance(70) {
                self.pick_str(&[
                    "/value",
                    "/value/down",
                    "/value/services_down",
                    "/value/0",
                    "/value/status",
                    "/value/assessment/approvals",
                    "/answer",
                    "",
                    "/",
                    "value",
                    "/value/~",
                    "/value/~2",
                    "/value/18446744073709551616",
                    "/value/-1",
                ])
            } else {
                self.hostile_value()
            };
            e.insert("path".into(), path);
        }
        let checks = [
            "equals",
            "contains",
            "not_contains",
            "same_set",
            "at_least",
            "at_most",
        ];
        let n = if self.chance(self.rate) {
            self.rng.below(3)
        } else {
            1
        };
        for _ in 0..n {
            let check = *self.pick(&checks);
            let v = if self.chance(50) {
                self.hostile_number()
            } else {
                let k = *self.pick(&[K::Ci, K::Text, K::Level, K::Cis]);
                self.value(k)
            };
            e.insert(check.into(), v);
        }
        if self.chance(self.rate / 2) {
            e.insert("extra".into(), json!(1));
        }
        let mut step = Map::new();
        step.insert("expect".into(), Value::Object(e));
        if self.chance(10) {
            step.insert("at".into(), self.value(K::Time));
        }
        Value::Object(step)
    }

    fn scenario_step(&mut self, at: DateTime<Utc>) -> Value {
        let mut step = match self.rng.below(10) {
            0..=3 => self.command(at),
            4..=6 => self.expectation(),
            _ => {
                let mut l = self.lifecycle();
                let i = self.rng.below(l.len());
                if let Some((_, cmd)) = l.get_mut(i) {
                    if self.chance(50) {
                        self.mutate_step(cmd);
                    }
                }
                let (actor, cmd) = l.into_iter().nth(i).unwrap_or_default();
                let mut fields = cmd.as_object().cloned().unwrap_or_default();
                let op = fields.remove("op");
                self.frame(op, &mut fields, json!(rfc3339(at)), json!(actor))
            }
        };
        if step.get("op").is_some() && self.chance(20) {
            let expected = self.pick_str(&["", "under change control", "unknown", "`"]);
            if let Some(o) = step.as_object_mut() {
                let v = if self.chance(self.rate) {
                    self.hostile_value()
                } else {
                    expected
                };
                o.insert("expect_error".into(), v);
            }
        }
        if self.chance(2) {
            step = self.hostile_value();
        }
        step
    }

    /// A scenario document: a prefix of the organisation's steps, then mutated commands,
    /// lifecycles and expectations; sometimes the document's own shape is mutated.
    fn scenario(&mut self) -> Value {
        let base = script(&base_steps());
        let keep = if self.chance(70) {
            base.len()
        } else {
            self.rng.below(base.len() + 1)
        };
        let mut steps: Vec<Value> = base.into_iter().take(keep).collect();
        let mut at = t0() + TimeDelta::days(30);
        // One document in ten may hold a step the runner cannot read (so the whole document
        // is refused); the others keep only steps that read, so that they run.
        let mut unreadable = if self.chance(10) { 1 } else { 0 };
        for _ in 0..self.rng.between(10, 40) {
            at += TimeDelta::minutes(i64::try_from(self.rng.below(60)).unwrap());
            for _attempt in 0..6 {
                let step = self.scenario_step(at);
                if readable(&step) {
                    steps.push(step);
                    break;
                }
                if unreadable > 0 {
                    unreadable -= 1;
                    steps.push(step);
                    break;
                }
            }
        }
        let mut doc = Map::new();
        doc.insert("format".into(), json!(1));
        doc.insert("name".into(), json!("fuzz"));
        if self.chance(50) {
            doc.insert("description".into(), self.value(K::Text));
        }
        doc.insert("steps".into(), json!(steps));
        if self.chance(self.rate) {
            match self.rng.below(7) {
                0 => {
                    doc.insert("name".into(), self.hostile_value());
                }
                1 => {
                    doc.remove("name");
                }
                2 => {
                    doc.insert("steps".into(), self.hostile_value());
                }
                3 => {
                    doc.insert("extra".into(), json!(true));
                }
                4 => {
                    doc.remove("format");
                }
                5 => {
                    let format = if self.chance(50) {
                        self.hostile_number()
                    } else {
                        self.hostile_value()
                    };
                    doc.insert("format".into(), format);
                }
                _ => {
                    doc.insert("description".into(), self.hostile_value());
                }
            }
        }
        Value::Object(doc)
    }
}

/// Runs a scenario document and checks the runner's properties: no panic, one result per
/// step, and an end state that snapshots and replays. The number of accepted commands.
fn check_scenario(doc: &Value) -> Result<usize, Failure> {
    let text = to_text(doc);
    let steps = doc.get("steps").and_then(Value::as_array).map(Vec::len);
    let said = |id: &str| text.contains(id);
    let result = catch_unwind(AssertUnwindSafe(|| itsm_scenario::run(&text)))
        .map_err(|e| fail("panic", panic_message(e.as_ref())))?;
    let (report, sms) = match result {
        Ok(r) => r,
        Err(e) => return message_words(&said, &e.to_string()).map(|()| 0),
    };
    // What went wrong is an error message; what went right may show what the command did.
    for step in report
        .steps
        .iter()
        .filter(|s| !s.passed || s.detail.starts_with("refused"))
    {
        if step.label.starts_with("expect ") {
            text_words(&step.detail)?;
        } else {
            message_words(&said, &step.detail)?;
        }
    }
    if Some(report.steps.len()) != steps {
        return Err(fail(
            "answer",
            format!("{} results for {steps:?} steps", report.steps.len()),
        ));
    }
    let json = serialize(&sms)?;
    match catch_unwind(AssertUnwindSafe(|| serde_json::from_str::<Sms>(&json))) {
        Err(e) => return Err(fail("panic", panic_message(e.as_ref()))),
        Ok(Ok(loaded)) if loaded == sms => {}
        Ok(Ok(_)) => {
            return Err(fail(
                "snapshot",
                "the snapshot loads as another state".into(),
            ));
        }
        Ok(Err(e)) => return Err(fail("snapshot", format!("the snapshot does not load: {e}"))),
    }
    match catch_unwind(AssertUnwindSafe(|| Sms::replay(sms.log()))) {
        Err(e) => Err(fail("panic", panic_message(e.as_ref()))),
        Ok(Ok(r)) if r == sms => Ok(sms.log().len()),
        Ok(Ok(_)) => Err(fail("replay", "the log replays to another state".into())),
        Ok(Err(e)) => Err(fail("replay", format!("the log does not replay: {e}"))),
    }
}

/// Drops steps one at a time (last first) while the same property still breaks.
fn shrink_scenario(doc: &Value, property: &str) -> Value {
    let mut doc = doc.clone();
    let Some(n) = doc.get("steps").and_then(Value::as_array).map(Vec::len) else {
        return doc;
    };
    for i in (0..n).rev() {
        let mut candidate = doc.clone();
        if let Some(Value::Array(steps)) = candidate.get_mut("steps") {
            if i < steps.len() {
                steps.remove(i);
            }
        }
        if matches!(check_scenario(&candidate), Err(f) if f.property == property) {
            doc = candidate;
        }
    }
    doc
}

/// Scenario documents of the organisation's steps plus mutated commands, lifecycles and
/// expectations: the runner never panics, reports one result per step, and its end state
/// snapshots and replays.
#[test]
fn fuzz_scenario_documents() {
    let mut tally = Tally::new("scenarios");
    let target = share(15);
    let mut sequence = 0u64;
    while tally.inputs() < target {
        let s = seed(4, sequence);
        sequence += 1;
        tally.sequences += 1;
        let mut g = Gen::new(s, 8);
        let doc = g.scenario();
        let steps = doc
            .get("steps")
            .and_then(Value::as_array)
            .map_or(1, Vec::len);
        tally.steps += u64::try_from(steps).unwrap();
        match check_scenario(&doc) {
            Ok(accepted) => tally.accepted += u64::try_from(accepted).unwrap(),
            Err(f) => {
                let small = shrink_scenario(&doc, f.property);
                panic!(
                    "scenarios: property `{}` broken (sequence seed {s}): {}\n\
                     shrunk document:\n{}",
                    f.property,
                    f.message,
                    to_text(&small)
                )
            }
        }
    }
    tally.print();
}

// ---------------------------------------------------------------------------------------------
// Regressions: what the fuzzer found, as the smallest inputs that showed it
// ---------------------------------------------------------------------------------------------

/// The organisation of [`base_steps`], then `command`; the answer.
fn on_organisation(command: &str) -> String {
    let mut sms = Base::Full.build();
    sms.apply_json(&versioned(command))
}

/// A command or query of the JSON surface, given the `"format": 1` every one carries (the
/// generators write the rest; a text that is not an object is left as it is).
pub(crate) fn versioned(text: &str) -> String {
    match text.strip_prefix('{') {
        Some(rest) if rest.trim_start().starts_with('}') => format!("{{\"format\":1{rest}"),
        Some(rest) => format!("{{\"format\":1,{rest}"),
        None => text.to_owned(),
    }
}

/// The authority ladder named roles as Rust does (`lets RiskManager, TopManagement do so`).
#[test]
fn an_authority_refusal_names_roles_as_the_user_writes_them() {
    let out = on_organisation(
        r#"{"actor":"ro","at":"2026-03-04T02:16:00Z","op":"accept_risk","rationale":"r","risk":"r-high","until":"2026-12-02"}"#,
    );
    assert!(
        out.contains("the authority ladder lets `risk_manager`, `top_management` do so"),
        "{out}"
    );
    let mut sms = Sms::new();
    let mut org = organisation();
    if let Some(a) = org.pointer_mut("/appetite/authority") {
        *a = json!([{"role": "risk_owner", "up_to": "Low"}, {"role": "risk_owner", "up_to": "High"}]);
    }
    let mut cmd = json!({"format": 1, "at": T0, "actor": "ceo"});
    if let (Some(c), Some(o)) = (cmd.as_object_mut(), org.as_object()) {
        c.extend(o.clone());
    }
    let out = sms.apply_json(&cmd.to_string());
    assert!(
        out.contains("role `risk_owner` is listed twice in the authority ladder"),
        "{out}"
    );
}

/// The management review's evidence for 5.3 listed roles as Rust does (`actor `bh`:
/// {BudgetHolder}`).
#[test]
fn the_management_review_names_roles_as_the_user_writes_them() {
    let sms = Base::Full.build();
    let out = sms.query_json(&versioned(
        r#"{"end":"2026-05-03T13:57:00Z","query":"management_review","start":"2026-03-22T19:57:00Z"}"#,
    ));
    assert!(out.contains("actor `bh`: budget_holder"), "{out}");
    assert!(
        out.contains(
            "actor `rpo`: process_owner: change_management, process_owner: risk_management"
        ),
        "{out}"
    );
    assert!(!out.contains("BudgetHolder"), "{out}");
}

/// A value of the wrong shape was described by the Rust type that reads it (`expected
/// struct RawMoney`, `struct CmdbParts`, `struct MatrixDefinition`, `struct NotDoing`).
#[test]
fn a_value_of_the_wrong_shape_is_described_in_the_users_words() {
    for (command, expected) in [
        (
            r#"{"actor":"ops","at":"2026-03-03T09:01:00Z","estimated_cost":"R-1","key":"c","op":"raise_change","targets":["db"],"title":"t"}"#,
            "expected money, as `{\"amount\": \"12.34\", \"currency\": \"EUR\"}`",
        ),
        (
            r#"{"actor":"ceo","at":"2026-03-03T09:01:00Z","op":"import_configuration","parts":false}"#,
            "expected configuration parts with `cis`, `relations` and `groups`",
        ),
        (
            r#"{"actor":"ceo","actors":[],"at":"2026-03-03T09:01:00Z","matrix":"x","op":"define_organisation"}"#,
            "expected a risk matrix with `impact`, `likelihood`, `levels` and `rule`",
        ),
        (
            r#"{"actor":"ops","at":"2026-03-03T09:01:00Z","key":"c","not_doing":"x","op":"raise_change","targets":["db"],"title":"t"}"#,
            "expected the risk of not making the change",
        ),
    ] {
        let out: Value = serde_json::from_str(&on_organisation(command)).unwrap();
        let message = out
            .pointer("/errors/0")
            .and_then(Value::as_str)
            .unwrap_or_default();
        assert!(message.contains(expected), "{command}\n -> {out}");
    }
}

/// The scenario runner echoed whole inputs: a 10 000-character path in `the answer has
/// nothing at ...`, an `expect_error` in `succeeded, but was expected to fail with ...`, a
/// query's refusal, and the extra fields of an expectation step (as Rust's `["..."]`).
#[test]
fn a_scenario_report_never_echoes_more_than_about_100_characters_of_input() {
    let long = "é".repeat(10_000);
    let org = script(&base_steps())
        .into_iter()
        .take(1)
        .collect::<Vec<_>>();
    let mut steps = org.clone();
    steps.extend([
        json!({"expect": {"query": {"query": "log_length"}, "path": long, "equals": 1}}),
        json!({"expect": {"query": {"query": "ci", "ci": long}, "path": "/value", "equals": long}}),
        json!({"expect": {"query": {"query": "impact", "failed": [long]}, "equals": 1}}),
        json!({"at": "2026-03-02T09:00:00Z", "actor": "cfg", "op": "take_baseline",
               "name": "b", "expect_error": long}),
        json!({"at": "2026-03-02T09:00:00Z", "actor": "cfg", "op": "take_baseline",
               "name": "b", "expect_error": long}),
    ]);
    let doc = json!({"format": 1, "name": "long", "steps": steps});
    let (report, _) = itsm_scenario::run(&doc.to_string()).unwrap();
    assert_eq!(report.steps.len(), 6);
    for s in &report.steps {
        assert!(
            s.detail.chars().count() < 600,
            "step {}: {}",
            s.step,
            s.detail
        );
    }
    let mut steps = org;
    let mut extra = Map::new();
    extra.insert(
        "expect".into(),
        json!({"query": {"query": "log_length"}, "equals": 1}),
    );
    extra.insert(long.clone(), json!(1));
    steps.push(Value::Object(extra));
    let e = itsm_scenario::run(&json!({"format": 1, "name": "long", "steps": steps}).to_string())
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.chars().count() < 300 && e.contains("found also `éé"),
        "{e}"
    );
}
