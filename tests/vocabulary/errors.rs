//! Walk 1: every variant of every error enum the JSON surface reaches, provoked as a user
//! would, its message in the user's words.

use super::*;
// ---------------------------------------------------------------------------------------------
// The variants of the error enums
// ---------------------------------------------------------------------------------------------

/// The variants of `pub enum {name}` in `source`, read from the source itself: one per line
/// indented four spaces that starts with a capital (attributes and docs start otherwise).
fn variants_in(source: &str, name: &str, label: &str) -> Vec<String> {
    let open = format!("pub enum {name} {{");
    let body = source
        .split_once(&open)
        .map(|(_, rest)| rest.split_once("\n}").map_or(rest, |(b, _)| b))
        .unwrap_or_default();
    let found: Vec<String> = body
        .lines()
        .filter_map(|l| l.strip_prefix("    "))
        .filter(|l| l.starts_with(|c: char| c.is_ascii_uppercase()))
        .filter_map(|l| l.split(|c: char| !c.is_ascii_alphanumeric()).next())
        .map(|v| format!("{label}::{v}"))
        .collect();
    assert!(!found.is_empty(), "no variants of `{name}` found");
    found
}

/// Every variant of every error enum the JSON surface reaches.
fn every_variant() -> BTreeSet<String> {
    [
        variants_in(
            include_str!("../../crates/engine/src/error.rs"),
            "EngineError",
            "EngineError",
        ),
        variants_in(
            include_str!("../../crates/cmdb/src/error.rs"),
            "CmdbError",
            "CmdbError",
        ),
        variants_in(
            include_str!("../../crates/risk/src/error.rs"),
            "RiskError",
            "RiskError",
        ),
        variants_in(
            include_str!("../../crates/change/src/error.rs"),
            "ChangeError",
            "ChangeError",
        ),
        variants_in(
            include_str!("../../crates/core/src/error.rs"),
            "Error",
            "CoreError",
        ),
        variants_in(
            include_str!("../../crates/availability/src/error.rs"),
            "AvailabilityError",
            "AvailabilityError",
        ),
        variants_in(
            include_str!("../../crates/availability/src/predict/error.rs"),
            "PredictError",
            "PredictError",
        ),
        variants_in(
            include_str!("../../crates/availability/src/continuity/error.rs"),
            "ContinuityError",
            "ContinuityError",
        ),
        variants_in(
            include_str!("../../crates/scenario/src/lib.rs"),
            "ScenarioError",
            "ScenarioError",
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The variant's name: its `Debug` text up to the first `(`, ` ` or `{`.
fn head<T: Debug>(v: &T) -> String {
    format!("{v:?}")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn core_variants(e: &CoreError, out: &mut Vec<String>) {
    out.push(format!("CoreError::{}", head(e)));
}

fn cmdb_variants(e: &CmdbError, out: &mut Vec<String>) {
    out.push(format!("CmdbError::{}", head(e)));
    if let CmdbError::Text(c) = e {
        core_variants(c, out);
    }
}

fn risk_variants(e: &RiskError, out: &mut Vec<String>) {
    out.push(format!("RiskError::{}", head(e)));
    if let RiskError::OutOfRange { error, .. } = e {
        core_variants(error, out);
    }
}

fn change_variants(e: &ChangeError, out: &mut Vec<String>) {
    out.push(format!("ChangeError::{}", head(e)));
    match e {
        ChangeError::Cmdb(c) => cmdb_variants(c, out),
        ChangeError::Risk(r) => risk_variants(r, out),
        ChangeError::Core(c) => core_variants(c, out),
        ChangeError::Deployment { error, .. } => cmdb_variants(&error.error, out),
        _ => {}
    }
}

/// The variants an engine error is made of, outermost first (`EngineError::Change`,
/// `ChangeError::Deployment`, `CmdbError::DuplicateKey`).
fn engine_variants(e: &EngineError) -> Vec<String> {
    let mut out = vec![format!("EngineError::{}", head(e))];
    match e {
        EngineError::Cmdb(c) => cmdb_variants(c, &mut out),
        EngineError::Batch(b) => cmdb_variants(&b.error, &mut out),
        EngineError::Import(i) => i.problems.iter().for_each(|p| cmdb_variants(p, &mut out)),
        EngineError::Risk(r) => risk_variants(r, &mut out),
        EngineError::Change(c) => change_variants(c, &mut out),
        EngineError::Core(c) | EngineError::Field { error: c, .. } => core_variants(c, &mut out),
        EngineError::Availability(a) => out.push(format!("AvailabilityError::{}", head(a))),
        EngineError::Predict(p) => out.push(format!("PredictError::{}", head(p))),
        EngineError::Continuity(c) => out.push(format!("ContinuityError::{}", head(c))),
        _ => {}
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Walk 1: every error variant
// ---------------------------------------------------------------------------------------------

/// Where a case starts.
#[derive(Clone, Copy)]
enum Start {
    /// The organisation alone, with no configuration.
    Organisation,
    /// [`base_steps`].
    Base,
}

/// How a case provokes its error.
enum Provoke {
    /// A command (`actor`, the command, with `at` when it matters) through `apply_json`, and
    /// typed through `Sms::apply`.
    Command(&'static str, Value),
    /// A query through `query_json`, and typed through `Sms::query`.
    Query(Value),
    /// The state's snapshot, edited, loaded with `Sms::from_snapshot` (and plain serde).
    Snapshot(fn(&mut Value)),
    /// The state's snapshot loaded against another kept head.
    Head,
    /// The state's log, edited, replayed with `Sms::replay`.
    Replay(fn(&mut Value)),
    /// A command refused while it is read (a value of the wrong shape or range: serde
    /// reports the variant's message); the message must contain `fragment`, from the
    /// variant's own text, which shows it is that variant.
    Read(&'static str, Value, &'static str),
    /// A scenario document run by the scenario runner.
    Scenario(&'static str),
    /// An error the JSON surface cannot reach, built as its crate builds it (the reason says
    /// why it cannot be reached), with its message and variants.
    /// Returns the message, the variants and what the caller wrote.
    Direct(&'static str, fn() -> (String, Vec<String>, String)),
}

struct Case {
    /// The variant it provokes (`CmdbError::UnknownKey`).
    variant: &'static str,
    start: Start,
    /// Commands run first, each accepted.
    setup: Vec<(&'static str, Value)>,
    provoke: Provoke,
}

fn case(variant: &'static str, provoke: Provoke) -> Case {
    Case {
        variant,
        start: Start::Base,
        setup: Vec::new(),
        provoke,
    }
}

fn cmd(variant: &'static str, actor: &'static str, command: Value) -> Case {
    case(variant, Provoke::Command(actor, command))
}

impl Case {
    fn after(mut self, setup: Vec<(&'static str, Value)>) -> Self {
        self.setup = setup;
        self
    }

    fn from(mut self, start: Start) -> Self {
        self.start = start;
        self
    }

    /// Runs the case: its messages (each checked by the caller), the variants produced and
    /// what the user wrote; or why the case did not go as it should.
    fn run(&self) -> Result<(Vec<String>, Vec<String>, String), String> {
        let mut state = match self.start {
            Start::Organisation => {
                let mut s = State::new();
                s.run("ceo", &organisation(json!({})))?;
                s
            }
            Start::Base => State::base(),
        };
        for (actor, c) in &self.setup {
            state.run(actor, c)?;
        }
        let errors = |out: &str| -> Result<Vec<String>, String> {
            let v: Value = serde_json::from_str(out).map_err(|e| e.to_string())?;
            if v["success"] != json!(false) {
                return Err(format!("not refused: {out}"));
            }
            Ok(v["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect())
        };
        Ok(match &self.provoke {
            Provoke::Command(actor, c) => {
                let when = state.when(c);
                let mut c = c.clone();
                if let Some(o) = c.as_object_mut() {
                    o.remove("at");
                }
                let text = envelope(actor, when, &c).to_string();
                let said = format!("{}{text}", state.said);
                let messages =
                    errors(&state.sms.clone().apply_json(&crate::fuzz::versioned(&text)))?;
                let variants = match serde_json::from_value::<Command>(c) {
                    Ok(command) => match state.sms.apply(actor, when, command) {
                        Err(e) => engine_variants(&e),
                        Ok(_) => return Err(format!("accepted: {text}")),
                    },
                    Err(_) => vec!["serde".to_owned()],
                };
                (messages, variants, said)
            }
            Provoke::Read(actor, c, fragment) => {
                let text = envelope(actor, t0(), c).to_string();
                let messages = errors(&state.sms.apply_json(&crate::fuzz::versioned(&text)))?;
                if serde_json::from_value::<Command>(c.clone()).is_ok() {
                    return Err(format!("read without error: {text}"));
                }
                if !messages.iter().any(|m| m.contains(fragment)) {
                    return Err(format!("no message says `{fragment}`: {messages:?}"));
                }
                (
                    messages,
                    vec![self.variant.to_owned()],
                    format!("{}{text}", state.said),
                )
            }
            Provoke::Query(q) => {
                let text = q.to_string();
                let messages = errors(&state.sms.query_json(&crate::fuzz::versioned(&text)))?;
                let variants = match serde_json::from_value::<Query>(q.clone()) {
                    Ok(query) => match state.sms.query(&query) {
                        Err(e) => engine_variants(&e),
                        Ok(_) => return Err(format!("answered: {text}")),
                    },
                    Err(_) => vec!["serde".to_owned()],
                };
                (messages, variants, format!("{}{text}", state.said))
            }
            Provoke::Snapshot(edit) => {
                let mut v = serde_json::to_value(&state.sms).map_err(|e| e.to_string())?;
                edit(&mut v);
                let text = v.to_string();
                let e = Sms::from_snapshot(&text, None, None)
                    .err()
                    .ok_or("the edited snapshot loads")?;
                let plain = serde_json::from_str::<Sms>(&text)
                    .err()
                    .ok_or("the edited snapshot loads through serde")?
                    .to_string();
                (vec![e.to_string(), plain], engine_variants(&e), state.said)
            }
            Provoke::Head => {
                let text = serde_json::to_string(&state.sms).map_err(|e| e.to_string())?;
                let kept = Sms::new().head();
                let e = Sms::from_snapshot(&text, None, Some(kept))
                    .err()
                    .ok_or("the snapshot loads against another head")?;
                (vec![e.to_string()], engine_variants(&e), state.said)
            }
            Provoke::Replay(edit) => {
                let mut v = serde_json::to_value(state.sms.log()).map_err(|e| e.to_string())?;
                edit(&mut v);
                let log: Vec<itsm::engine::Event> =
                    serde_json::from_value(v).map_err(|e| e.to_string())?;
                let e = Sms::replay(&log).err().ok_or("the edited log replays")?;
                (vec![e.to_string()], engine_variants(&e), state.said)
            }
            Provoke::Scenario(text) => {
                let e = itsm_scenario::run(text)
                    .err()
                    .ok_or("the scenario document is read")?;
                (
                    vec![e.to_string()],
                    vec![format!("ScenarioError::{}", head(&e))],
                    (*text).to_owned(),
                )
            }
            Provoke::Direct(why, build) => {
                if why.is_empty() {
                    return Err(
                        "a variant built directly says why the JSON surface cannot reach it".into(),
                    );
                }
                let (message, variants, said) = build();
                (vec![message], variants, said)
            }
        })
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "one case per variant, each a few lines"
)]
fn cases() -> Vec<Case> {
    let mut c = vec![
        // ----- EngineError -----
        cmd(
            "EngineError::UnknownActor",
            "nobody",
            json!({"op": "add_ci", "key": "x", "name": "X", "kind": "document"}),
        ),
        cmd(
            "EngineError::UnknownDivision",
            "rm",
            identify("r-x", "rm", json!({"division": "wholesale"})),
        ),
        cmd(
            "EngineError::UnknownRisk",
            "rm",
            json!({"op": "review_risk", "risk": "r-unknown", "notes": "n"}),
        ),
        cmd(
            "EngineError::UnknownChange",
            "dev",
            change("submit_change", "c-unknown"),
        ),
        case(
            "EngineError::BaselinePair",
            Provoke::Query(json!({"query": "change_metrics", "start": "2026-03-01T00:00:00Z",
                "end": "2026-04-01T00:00:00Z", "from_baseline": "b1"})),
        ),
        case(
            "CoreError::UnknownFormat",
            Provoke::Direct(
                "the JSON surface reads `format` before the command, as text, so the refusal has no typed command to compare with",
                || format_refusal(r#"{"format": 2, "at": "2026-03-02T08:00:00Z", "actor": "ceo", "op": "take_baseline", "name": "b"}"#, "CoreError::UnknownFormat"),
            ),
        ),
        case(
            "CoreError::MissingFormat",
            Provoke::Direct(
                "the JSON surface reads `format` before the command, as text, so the refusal has no typed command to compare with",
                || format_refusal(r#"{"at": "2026-03-02T08:00:00Z", "actor": "ceo", "op": "take_baseline", "name": "b"}"#, "CoreError::MissingFormat"),
            ),
        ),
        case(
            "EngineError::UnknownBaseline",
            Provoke::Query(json!({"query": "unauthorized_changes", "from": "b1", "to": "b9"})),
        ),
        cmd(
            "EngineError::Duplicate",
            "cfg",
            json!({"op": "take_baseline", "name": "b1"}),
        ),
        cmd(
            "EngineError::NotAuthorized",
            "aud",
            json!({"op": "add_ci", "key": "x", "name": "X", "kind": "document"}),
        ),
        cmd(
            "EngineError::MayNotOwnRisks",
            "rm",
            identify("r-x", "dev", json!({})),
        ),
        cmd(
            "EngineError::ChangeControlled",
            "cfg",
            json!({"op": "update_ci", "ci": "host", "update": {"name": "Host 2"}}),
        ),
        cmd(
            "EngineError::OrganisationInUse",
            "ceo",
            organisation(json!({})),
        ),
        cmd(
            "EngineError::ImportIntoNonEmpty",
            "cfg",
            json!({"op": "import_configuration", "parts": {"cis": []}}),
        ),
        cmd(
            "EngineError::KeyCollision",
            "cfg",
            json!({"op": "add_ci", "key": "b", "name": "B", "kind": "application"}),
        )
        .from(Start::Organisation)
        .after(vec![(
            "cfg",
            json!({"op": "import_configuration",
                   "parts": {"cis": [ci_record("a", &ci_id("b"))]}}),
        )]),
        cmd(
            "EngineError::DeltaUnknownCi",
            "dev",
            raise(
                "c-x",
                &["app"],
                json!({"delta": [{"edit": "update_ci", "ci": "ghost", "update": {"name": "G"}}]}),
            ),
        ),
        cmd(
            "EngineError::ScopeMove",
            "cfg",
            json!({"op": "update_ci", "ci": "app",
                   "update": {"set_attributes": {"environment": {"text": "production"}}}}),
        ),
        cmd(
            "EngineError::UnknownLink",
            "rm",
            identify("r-x", "rm", json!({"links": {"cis": ["ghost"]}})),
        ),
        cmd(
            "EngineError::TimeWentBack",
            "cfg",
            json!({"op": "take_baseline", "name": "b2", "at": "2026-03-01T00:00:00Z"}),
        ),
        case(
            "EngineError::Chain",
            Provoke::Snapshot(|v| {
                at_pointer(v, "/log/3/actor", |a| *a = json!("ceo"));
            }),
        ),
        case(
            "EngineError::Snapshot",
            Provoke::Snapshot(|v| {
                at_pointer(v, "/log", |l| *l = json!(3));
            }),
        ),
        case(
            "EngineError::SnapshotDiffers",
            Provoke::Snapshot(|v| {
                at_pointer(v, "/risks/risks/1/title", |t| *t = json!("A smaller outage"));
            }),
        ),
        case("EngineError::SnapshotHead", Provoke::Head),
        cmd(
            "EngineError::UnknownGroup",
            "cfg",
            json!({"op": "remove_redundancy_group", "name": "web-pair"}),
        ),
        cmd(
            "EngineError::TargetOfOpenChange",
            "cfg",
            json!({"op": "remove_ci", "ci": "doc"}),
        )
        .after(vec![("dev", raise("c-doc", &["doc"], json!({})))]),
        cmd(
            "EngineError::ReservedKey",
            "rm",
            identify("R-7", "rm", json!({})),
        ),
        cmd(
            "EngineError::Field",
            "rm",
            identify("r-x", "rm", json!({"description": "a hidden \u{202e} override"})),
        ),
        case(
            "EngineError::Replay",
            Provoke::Replay(|v| {
                at_pointer(v, "/3/actor", |a| *a = json!("aud"));
            }),
        ),
        // ----- CmdbError -----
        case(
            "CmdbError::UnknownCi",
            Provoke::Direct(
                "the engine names CIs by key and checks they exist before the CMDB sees an id",
                || {
                    let mut cmdb = itsm::cmdb::Cmdb::new();
                    let id = itsm::core::Id::<itsm::cmdb::Ci>::from_key("gone");
                    let e = cmdb
                        .update_ci(id, itsm::cmdb::CiPatch::default())
                        .unwrap_err();
                    let mut v = Vec::new();
                    cmdb_variants(&e, &mut v);
                    (e.to_string(), v, id.to_string())
                },
            ),
        ),
        cmd(
            "CmdbError::UnknownKey",
            "cfg",
            json!({"op": "relate", "from": "ghost", "kind": "depends_on", "to": "app"}),
        ),
        cmd(
            "CmdbError::DuplicateId",
            "cfg",
            json!({"op": "import_configuration", "parts": {"cis": [
                ci_record("a", "00000000-0000-4000-8000-000000000001"),
                ci_record("b", "00000000-0000-4000-8000-000000000001")]}}),
        )
        .from(Start::Organisation),
        cmd(
            "CmdbError::DuplicateKey",
            "cfg",
            json!({"op": "add_ci", "key": "app", "name": "App", "kind": "application"}),
        ),
        cmd(
            "CmdbError::Text",
            "cfg",
            json!({"op": "import_configuration", "parts": {"cis": [ci_record(" a", &ci_id("a"))]}}),
        )
        .from(Start::Organisation),
        cmd(
            "CmdbError::SelfRelation",
            "cfg",
            json!({"op": "relate", "from": "app", "kind": "depends_on", "to": "app"}),
        ),
        cmd(
            "CmdbError::DuplicateRelation",
            "cfg",
            json!({"op": "relate", "from": "svc", "kind": "depends_on", "to": "app"}),
        ),
        cmd(
            "CmdbError::UnknownRelation",
            "cfg",
            json!({"op": "unrelate", "from": "svc", "kind": "depends_on", "to": "doc"}),
        ),
        cmd(
            "CmdbError::KindMismatch",
            "cfg",
            json!({"op": "relate", "from": "doc", "kind": "documented_by", "to": "app"}),
        ),
        case(
            "CmdbError::Cycle",
            Provoke::Direct(
                "the strict cycle policy is a CMDB setting no command sets (an import keeps the engine's)",
                || {
                    use itsm::cmdb::{Ci, CiKind, Cmdb, CmdbConfig, CyclePolicy, Relation, RelationKind};
                    let mut cmdb = Cmdb::with_config(CmdbConfig {
                        cycles: CyclePolicy::Reject,
                    });
                    let a = Ci::new("app-a", "A", CiKind::Application);
                    let b = Ci::new("app-b", "B", CiKind::Application);
                    let (ia, ib) = (a.id, b.id);
                    cmdb.add_ci(a).unwrap();
                    cmdb.add_ci(b).unwrap();
                    cmdb.relate(Relation::new(ia, RelationKind::DependsOn, ib))
                        .unwrap();
                    let e = cmdb
                        .relate(Relation::new(ib, RelationKind::DependsOn, ia))
                        .unwrap_err();
                    let mut v = Vec::new();
                    cmdb_variants(&e, &mut v);
                    (e.to_string(), v, String::new())
                },
            ),
        ),
        case(
            "CmdbError::UnknownGroup",
            Provoke::Direct(
                "the engine names groups by name and refuses an unknown one itself",
                || {
                    let mut cmdb = itsm::cmdb::Cmdb::new();
                    let id = itsm::core::Id::<itsm::cmdb::RedundancyGroup>::from_key("gone");
                    let e = cmdb.remove_group(id).unwrap_err();
                    let mut v = Vec::new();
                    cmdb_variants(&e, &mut v);
                    (e.to_string(), v, id.to_string())
                },
            ),
        ),
        cmd(
            "CmdbError::DuplicateGroup",
            "cfg",
            json!({"op": "add_redundancy_group", "name": "db-pair", "dependent": "app",
                   "members": ["db-a", "db-b"], "min_up": 1}),
        ),
        cmd(
            "CmdbError::InvalidGroup",
            "cfg",
            json!({"op": "add_redundancy_group", "name": "svc-pair", "dependent": "svc",
                   "members": ["app"], "min_up": 2}),
        ),
        cmd(
            "CmdbError::MemberNotDependency",
            "cfg",
            json!({"op": "add_redundancy_group", "name": "svc-pair", "dependent": "svc",
                   "members": ["db-a"], "min_up": 1}),
        ),
        cmd(
            "CmdbError::MemberInOtherGroup",
            "cfg",
            json!({"op": "add_redundancy_group", "name": "db-pair-2", "dependent": "app",
                   "members": ["db-a"], "min_up": 1}),
        ),
        cmd(
            "CmdbError::HasDependents",
            "cfg",
            json!({"op": "remove_ci", "ci": "db-a"}),
        ),
        cmd(
            "CmdbError::RelationInGroup",
            "cfg",
            json!({"op": "unrelate", "from": "app", "kind": "depends_on", "to": "db-a"}),
        ),
        cmd(
            "CmdbError::RemovalBreaksGroup",
            "cfg",
            json!({"op": "remove_ci", "ci": "db-a", "cascade": true}),
        )
        .after(vec![
            ("cfg", json!({"op": "remove_redundancy_group", "name": "db-pair"})),
            (
                "cfg",
                json!({"op": "add_redundancy_group", "name": "db-both", "dependent": "app",
                       "members": ["db-a", "db-b"], "min_up": 2}),
            ),
        ]),
        cmd(
            "CmdbError::UnknownAttribute",
            "cfg",
            json!({"op": "update_ci", "ci": "app", "update": {"remove_attributes": ["colour"]}}),
        ),
        // ----- RiskError -----
        cmd(
            "RiskError::InvalidMatrix",
            "ceo",
            organisation(json!({"matrix": {
                "impact": [{"name": "Low", "value": 1}, {"name": "High", "value": 2}],
                "likelihood": [{"name": "Rare", "value": 1}, {"name": "Often", "value": 2}],
                "levels": [{"name": "Low", "value": 1}, {"name": "High", "value": 2}],
                "rule": {"bands": [{"level": "Low", "from": 1, "to": 1},
                                   {"level": "High", "from": 3, "to": 4}]}}})),
        )
        .from(Start::Organisation),
        cmd(
            "RiskError::InvalidAppetite",
            "ceo",
            organisation(json!({"appetite": {"default_threshold": "Huge", "escalate_at": "High"}})),
        )
        .from(Start::Organisation),
        cmd(
            "RiskError::UnknownLevel",
            "rm",
            json!({"op": "assess_risk", "risk": "r-isp",
                   "residual": {"impact": "Huge", "likelihood": "Likely"}}),
        ),
        case(
            "RiskError::InvalidReference",
            Provoke::Direct(
                "the engine reads `R-n` references only where a key may be one, and treats other text as a key",
                || {
                    let e = "R-0".parse::<itsm::risk::Reference>().unwrap_err();
                    let mut v = Vec::new();
                    risk_variants(&e, &mut v);
                    (e.to_string(), v, "R-0".into())
                },
            ),
        ),
        case(
            "RiskError::UnknownRisk",
            Provoke::Direct(
                "the engine resolves a risk's key before the register sees its id",
                || {
                    let mut reg = itsm::risk::RiskRegister::new(
                        itsm::risk::RiskMatrix::standard_5x5(),
                        itsm::risk::RiskAppetite {
                            default_threshold: "Medium".into(),
                            divisions: BTreeMap::new(),
                            authority: Vec::new(),
                            escalate_at: "High".into(),
                            corporate_at: None,
                        },
                    )
                    .unwrap();
                    let ceo = itsm::core::Actor::new("ceo", "CEO", [itsm::core::Role::TopManagement])
                        .unwrap();
                    let id = itsm::core::Id::<itsm::risk::RiskId>::from_key("R-9");
                    let e = reg.review(&ceo, t0(), id, "n").unwrap_err();
                    let mut v = Vec::new();
                    risk_variants(&e, &mut v);
                    (e.to_string(), v, id.to_string())
                },
            ),
        ),
        cmd(
            "RiskError::Empty",
            "line",
            json!({"op": "reopen_risk", "risk": "r-retail", "reason": " "}),
        )
        .after(vec![(
            "rm",
            json!({"op": "close_risk", "risk": "r-retail", "note": "fraud checks in place"}),
        )]),
        cmd(
            "RiskError::Missing",
            "rm",
            json!({"op": "assess_risk", "risk": "r-isp"}),
        ),
        cmd(
            "RiskError::DateOrder",
            "rm",
            json!({"op": "add_risk_action", "risk": "r-isp", "description": "second ISP",
                   "owner": "sm", "due": "2026-01-01"}),
        ),
        cmd(
            "RiskError::ResidualWorse",
            "rm",
            json!({"op": "assess_risk", "risk": "r-isp",
                   "residual": {"impact": "Catastrophic", "likelihood": "Almost certain"}}),
        ),
        cmd(
            "RiskError::IllegalTransition",
            "rm",
            json!({"op": "reopen_risk", "risk": "r-isp", "reason": "again"}),
        ),
        cmd(
            "RiskError::RiskClosed",
            "rm",
            json!({"op": "assess_risk", "risk": "r-retail",
                   "residual": {"impact": "Minor", "likelihood": "Rare"}}),
        )
        .after(vec![(
            "rm",
            json!({"op": "close_risk", "risk": "r-retail", "note": "fraud checks in place"}),
        )]),
        cmd(
            "RiskError::NotAssessed",
            "rm",
            json!({"op": "accept_risk", "risk": "r-new", "until": "2026-12-31", "rationale": "small"}),
        )
        .after(vec![("rm", identify("r-new", "rm", json!({})))]),
        cmd(
            "RiskError::OpenActions",
            "rm",
            json!({"op": "close_risk", "risk": "r-isp", "note": "done"}),
        )
        .after(vec![(
            "rm",
            json!({"op": "add_risk_action", "risk": "r-isp", "description": "second ISP",
                   "owner": "sm", "due": "2026-06-30"}),
        )]),
        cmd(
            "RiskError::UnknownAction",
            "rm",
            json!({"op": "complete_risk_action", "risk": "r-isp", "number": 9}),
        ),
        cmd(
            "RiskError::ActionComplete",
            "rm",
            json!({"op": "complete_risk_action", "risk": "r-isp", "number": 1}),
        )
        .after(vec![
            (
                "rm",
                json!({"op": "add_risk_action", "risk": "r-isp", "description": "second ISP",
                       "owner": "sm", "due": "2026-06-30"}),
            ),
            (
                "sm",
                json!({"op": "complete_risk_action", "risk": "r-isp", "number": 1}),
            ),
        ]),
        cmd(
            "RiskError::AboveAppetite",
            "rm",
            json!({"op": "accept_risk", "risk": "r-retail", "until": "2026-12-31",
                   "rationale": "budget next year"}),
        ),
        cmd(
            "RiskError::NoAuthority",
            "line",
            json!({"op": "close_risk", "risk": "r-high", "note": "n"}),
        )
        .after(vec![(
            "rm",
            identify(
                "r-high",
                "line",
                json!({"division": "retail", "inherent": {"impact": "Major", "likelihood": "Likely"}}),
            ),
        )]),
        cmd(
            "RiskError::DuplicateAuthority",
            "ceo",
            organisation(json!({"appetite": {"default_threshold": "Medium", "escalate_at": "High",
                "authority": [{"role": {"process_owner": "risk_management"}, "up_to": "Low"},
                              {"role": {"process_owner": "risk_management"}, "up_to": "High"}]}})),
        )
        .from(Start::Organisation),
        case(
            "RiskError::InvalidSnapshot",
            Provoke::Direct(
                "the engine loads a snapshot by replaying its log and comparing; only a risk register read on its own checks itself",
                || {
                    let state = State::base();
                    let mut v = serde_json::to_value(state.sms.risks()).unwrap();
                    at_pointer(&mut v, "/history/0/0/changes/0/after", |t| {
                        *t = json!("Card fraud, edited");
                    });
                    let e = serde_json::from_value::<itsm::risk::RiskRegister>(v).unwrap_err();
                    (
                        e.to_string(),
                        vec!["RiskError::InvalidSnapshot".into()],
                        state.said,
                    )
                },
            ),
        ),
        cmd(
            "RiskError::OutOfRange",
            "rm",
            identify("r-x", "rm", json!({"review_interval_days": 5000})),
        ),
        // ----- ChangeError -----
        cmd(
            "ChangeError::InvalidPolicy",
            "ceo",
            organisation(json!({"change_policy": {"approvals": [
                {"category": "normal", "from_level": "Huge", "approver": "change_manager"}]}})),
        )
        .from(Start::Organisation),
        case(
            "ChangeError::UnknownChange",
            Provoke::Direct(
                "the engine resolves a change's key before the register sees its id",
                || {
                    let mut reg = itsm::change::ChangeRegister::new(
                        itsm::change::ChangePolicy::default(),
                        itsm::risk::RiskMatrix::standard_5x5(),
                    )
                    .unwrap();
                    let dev = itsm::core::Actor::new("dev", "Dev", [itsm::core::Role::Implementer])
                        .unwrap();
                    let id = itsm::core::Id::<itsm::change::ChangeId>::from_key("CHG-9");
                    let e = reg.submit(&dev, t0(), id).unwrap_err();
                    let mut v = Vec::new();
                    change_variants(&e, &mut v);
                    (e.to_string(), v, id.to_string())
                },
            ),
        ),
        case(
            "ChangeError::InvalidSnapshot",
            Provoke::Direct(
                "the engine loads a snapshot by replaying its log and comparing; only a change register read on its own checks itself",
                || {
                    let mut state = State::base();
                    state.run("dev", &change("submit_change", "c-app")).unwrap();
                    let mut v = serde_json::to_value(state.sms.changes()).unwrap();
                    at_pointer(&mut v, "/changes/0/number", |n| *n = json!(2));
                    let e = serde_json::from_value::<itsm::change::ChangeRegister>(v).unwrap_err();
                    (
                        e.to_string(),
                        vec!["ChangeError::InvalidSnapshot".into()],
                        state.said,
                    )
                },
            ),
        ),
        cmd(
            "ChangeError::Missing",
            "dev",
            raise("c-x", &[], json!({})),
        ),
        cmd(
            "ChangeError::DeltaOutsideTargets",
            "dev",
            raise(
                "c-x",
                &["app"],
                json!({"delta": [{"edit": "update_ci", "ci": "doc", "update": {"name": "Runbook"}}]}),
            ),
        ),
        cmd(
            "ChangeError::StaleAssessment",
            "cm",
            json!({"op": "schedule_change", "change": "c-doc",
                   "start": "2026-04-01T20:00:00Z", "end": "2026-04-01T22:00:00Z"}),
        )
        .after({
            // Another service comes to depend on the application after the approval.
            let mut s = approved("c-doc", &["app"], json!({}));
            s.push((
                "cfg",
                json!({"op": "add_ci", "key": "svc-2", "name": "Second service",
                       "kind": {"service": {"size": "small", "composition": "single",
                                "provision_source": "centralized", "consumers": "internal"}}}),
            ));
            s.push((
                "cfg",
                json!({"op": "relate", "from": "svc-2", "kind": "depends_on", "to": "app"}),
            ));
            s
        }),
        cmd(
            "ChangeError::InFreeze",
            "cm",
            json!({"op": "schedule_change", "change": "c-app-2",
                   "start": "2026-12-24T20:00:00Z", "end": "2026-12-24T22:00:00Z"}),
        )
        .after(approved("c-app-2", &["app"], json!({}))),
        cmd(
            "ChangeError::Invalid",
            "dev",
            raise(
                "c-x",
                &["app"],
                json!({"estimated_cost": {"amount": "100.00", "currency": "USD"}}),
            ),
        ),
        cmd(
            "ChangeError::UnknownModel",
            "dev",
            raise("c-x", &["doc"], json!({"category": {"standard": "disk-swap"}})),
        ),
        cmd(
            "ChangeError::IllegalTransition",
            "cm",
            change("approve_change", "c-app"),
        ),
        cmd(
            "ChangeError::TransitionIncomplete",
            "dev",
            change("start_change", "c-new"),
        )
        .after({
            let mut s = approved("c-new", &["app"], json!({"new_technology": true}));
            s.push((
                "cm",
                json!({"op": "schedule_change", "change": "c-new",
                       "start": "2026-04-01T20:00:00Z", "end": "2026-04-01T22:00:00Z"}),
            ));
            s
        }),
        cmd(
            "ChangeError::SelfApproval",
            "cm",
            change("approve_change", "c-own"),
        )
        .after(vec![
            ("cm", raise("c-own", &["app"], json!({"implementer": "cm"}))),
            ("cm", change("submit_change", "c-own")),
            ("cm", change("assess_change", "c-own")),
        ]),
        cmd(
            "ChangeError::NotAnApprover",
            "sm",
            change("approve_change", "c-app-2"),
        )
        .after(assessed("c-app-2", &["app"], json!({}))),
        cmd(
            "ChangeError::AlreadyApproved",
            "cab1",
            change("approve_change", "c-big"),
        )
        .after({
            let mut s = assessed(
                "c-big",
                &["svc"],
                json!({"factors": {"human_resources": "high", "skills": "high",
                                   "test_environment": "high", "time": "high"}}),
            );
            s.push(("cab1", change("approve_change", "c-big")));
            s
        }),
        cmd(
            "ChangeError::Deployment",
            "dev",
            json!({"op": "complete_change", "change": "c-add", "outcome": "successful",
                   "at": "2026-04-01T21:00:00Z"}),
        )
        .after({
            let mut s = implementing(
                "c-add",
                &["app"],
                json!({"delta": [{"edit": "add_ci", "key": "cache", "name": "Cache", "kind": "software"},
                                 {"edit": "relate", "from": "app", "kind": "depends_on", "to": "cache"}]}),
            );
            s.push((
                "cfg",
                json!({"op": "add_ci", "key": "cache", "name": "Cache", "kind": "software",
                       "at": "2026-04-01T20:30:00Z"}),
            ));
            s
        }),
        cmd("ChangeError::Risk", "cm", change("assess_change", "c-x")).after(vec![
            (
                "dev",
                raise(
                    "c-x",
                    &["app"],
                    json!({"not_doing": {"description": "slow pages", "impact": "Huge",
                                         "likelihood": "Likely"}}),
                ),
            ),
            ("dev", change("submit_change", "c-x")),
        ]),
        cmd(
            "ChangeError::Core",
            "cm",
            json!({"op": "schedule_change", "change": "c-app-2",
                   "start": "2026-04-01T20:00:00Z", "end": "2026-06-01T20:00:00Z"}),
        )
        .after(approved("c-app-2", &["app"], json!({}))),
        case(
            "ChangeError::Cmdb",
            Provoke::Direct(
                "the engine resolves target keys to CIs that exist before the register sees their ids",
                || {
                    let mut reg = itsm::change::ChangeRegister::new(
                        itsm::change::ChangePolicy::default(),
                        itsm::risk::RiskMatrix::standard_5x5(),
                    )
                    .unwrap();
                    let dev = itsm::core::Actor::new("dev", "Dev", [itsm::core::Role::Implementer])
                        .unwrap();
                    let gone = itsm::core::Id::<itsm::cmdb::Ci>::from_key("gone");
                    let e = reg
                        .raise(
                            &dev,
                            t0(),
                            &itsm::cmdb::Cmdb::new(),
                            itsm::change::NewChange::new("Patch", vec![gone]),
                        )
                        .unwrap_err();
                    let mut v = Vec::new();
                    change_variants(&e, &mut v);
                    (e.to_string(), v, gone.to_string())
                },
            ),
        ),
        case(
            "EngineError::Batch",
            Provoke::Direct(
                "the engine applies batches only as a change's delta, refused as the change's deployment error",
                || {
                    let mut cmdb = itsm::cmdb::Cmdb::new();
                    let gone = itsm::core::Id::<itsm::cmdb::Ci>::from_key("gone");
                    let b = cmdb
                        .apply_batch(vec![itsm::cmdb::CmdbOp::RetireCi(gone)], None)
                        .unwrap_err();
                    let e = EngineError::from(Box::new(b));
                    (e.to_string(), engine_variants(&e), gone.to_string())
                },
            ),
        ),
        // ----- core Error -----
        cmd(
            "CoreError::PeriodEndsBeforeStart",
            "cm",
            json!({"op": "schedule_change", "change": "c-app-2",
                   "start": "2026-04-01T22:00:00Z", "end": "2026-04-01T20:00:00Z"}),
        )
        .after(approved("c-app-2", &["app"], json!({}))),
        cmd(
            "CoreError::OutOfRange",
            "cfg",
            json!({"op": "take_baseline", "name": "b2", "at": "1850-01-01T00:00:00Z"}),
        )
        .from(Start::Organisation),
        cmd(
            "CoreError::IntervalOutOfRange",
            "rm",
            identify("r-x", "rm", json!({"review_interval_days": 5000})),
        ),
        cmd(
            "CoreError::TooLong",
            "cm",
            json!({"op": "schedule_change", "change": "c-app-2",
                   "start": "2026-04-01T20:00:00Z", "end": "2026-06-01T20:00:00Z"}),
        )
        .after(approved("c-app-2", &["app"], json!({}))),
        cmd(
            "CoreError::Empty",
            "ceo",
            organisation(json!({"actors": [
                {"key": "ceo", "name": "Chief executive", "roles": ["top_management"]},
                {"key": "cfg", "name": " ", "roles": []}]})),
        )
        .from(Start::Organisation),
        cmd(
            "CoreError::InvalidText",
            "cfg",
            json!({"op": "add_ci", "key": " padded", "name": "X", "kind": "document"}),
        ),
        // ----- ScenarioError -----
        case(
            "ScenarioError::Document",
            Provoke::Scenario(r#"{"format": 1, "name": "no steps"}"#),
        ),
        case(
            "ScenarioError::Format",
            Provoke::Scenario(r#"{"format": 2, "name": "later"}"#),
        ),
        case(
            "ScenarioError::Step",
            Provoke::Scenario(
                r#"{"format": 1, "name": "a bad step", "steps": [{"at": "2026-03-02T08:00:00Z", "actor": "ceo", "op": "launch"}]}"#,
            ),
        ),
    ];
    c.extend(direct_core_cases());
    c
}

fn money(amount: &str, currency: &str) -> itsm::core::Money {
    itsm::core::Money::new(
        amount.parse().unwrap(),
        itsm::core::Currency::from_code(currency).unwrap(),
    )
    .unwrap()
}

/// A `define_organisation` whose change policy has a maintenance calendar for `svc`.
fn with_calendar(calendar: Value) -> Value {
    organisation(json!({"change_policy": {"maintenance": {"svc": calendar}}}))
}

/// The core errors: most are met while a value is read (money, calendars, scales, ids), so
/// serde reports them; three the JSON surface cannot reach are built directly.
/// The refusal of `text` (a command of another format, or none) through `apply_json`.
fn format_refusal(text: &str, variant: &str) -> (String, Vec<String>, String) {
    let out: Value = serde_json::from_str(&Sms::new().apply_json(text)).unwrap_or_default();
    let message = out["errors"][0].as_str().unwrap_or_default().to_owned();
    assert!(message.contains("reads format 1"), "{out}");
    (message, vec![variant.to_owned()], text.to_owned())
}

fn direct_core_cases() -> Vec<Case> {
    let read = |variant, c: Value, fragment| {
        case(variant, Provoke::Read("ceo", c, fragment)).from(Start::Organisation)
    };
    let scale = |levels: Value| {
        organisation(json!({"matrix": {
            "impact": levels.clone(), "likelihood": levels.clone(), "levels": levels,
            "rule": {"bands": [{"level": "Low", "from": 1, "to": 4}]}}}))
    };
    vec![
        read(
            "CoreError::InvalidId",
            json!({"op": "import_configuration", "parts": {"cis": [ci_record("a", "not-an-id")]}}),
            "is not a valid configuration item id",
        ),
        read(
            "CoreError::InvalidWindow",
            with_calendar(json!({"utc_offset_seconds": 0, "closed_dates": [],
                "hours": {"weekly": [{"day": "Sat", "start_minute": 600, "end_minute": 300}]}})),
            "is invalid: the start must be before the end",
        ),
        read(
            "CoreError::OverlappingWindows",
            with_calendar(json!({"utc_offset_seconds": 0, "closed_dates": [],
                "hours": {"weekly": [{"day": "Sat", "start_minute": 0, "end_minute": 300},
                                     {"day": "Sat", "start_minute": 200, "end_minute": 400}]}})),
            "overlap",
        ),
        read(
            "CoreError::InvalidOffset",
            with_calendar(json!({"utc_offset_seconds": 90000, "closed_dates": [],
                "hours": "always"})),
            "utc offset",
        ),
        read(
            "CoreError::UnknownTimeZone",
            with_calendar(json!({"time_zone": "Europe/Londres", "hours": "always"})),
            "unknown time zone `Europe/Londres`",
        ),
        read(
            "CoreError::CalendarZone",
            with_calendar(
                json!({"time_zone": "Europe/London", "utc_offset_seconds": 0,
                "hours": "always"}),
            ),
            "exactly one of `time_zone` and `utc_offset_seconds`: both were given",
        ),
        read(
            "CoreError::UnknownCurrency",
            json!({"op": "raise_change", "key": "c-x", "title": "X", "targets": [],
                   "estimated_cost": {"amount": "10.00", "currency": "XXY"}}),
            "unknown currency",
        ),
        read(
            "CoreError::TooPrecise",
            json!({"op": "raise_change", "key": "c-x", "title": "X", "targets": [],
                   "estimated_cost": {"amount": "10.001", "currency": "EUR"}}),
            "has more decimals than",
        ),
        read(
            "CoreError::InvalidScale",
            scale(json!([{"name": "Low", "value": 2}, {"name": "Low", "value": 1}])),
            "invalid scale",
        ),
        read(
            "CoreError::TooManyLevels",
            scale(Value::Array(
                (1..=30)
                    .map(|i| json!({"name": format!("L{i}"), "value": i}))
                    .collect(),
            )),
            "levels; this one has",
        ),
        case(
            "CoreError::CurrencyMismatch",
            Provoke::Direct(
                "amounts of one change are checked against the policy's currency where they enter",
                || {
                    let a = money("10.00", "EUR");
                    let b = money("10.00", "USD");
                    let e = a.checked_add(&b).unwrap_err();
                    let mut v = Vec::new();
                    core_variants(&e, &mut v);
                    (e.to_string(), v, String::new())
                },
            ),
        ),
        case(
            "CoreError::Overflow",
            Provoke::Direct(
                "no command sums amounts; reports that do stay within 28 digits",
                || {
                    let a = money("79228162514264337593543950335", "JPY");
                    let e = a.checked_add(&a).unwrap_err();
                    let mut v = Vec::new();
                    core_variants(&e, &mut v);
                    (e.to_string(), v, String::new())
                },
            ),
        ),
        case(
            "CoreError::InvalidWeights",
            Provoke::Direct(
                "cost allocation is a library function no command calls yet",
                || {
                    let a = money("10.00", "EUR");
                    let e = a.allocate(&[]).unwrap_err();
                    let mut v = Vec::new();
                    core_variants(&e, &mut v);
                    (e.to_string(), v, String::new())
                },
            ),
        ),
        // ----- prediction -----
        case(
            "EngineError::ComponentAvailability",
            Provoke::Query(json!({"query": "predicted_availability", "service": "svc", "seed": 1})),
        )
        .after(vec![(
            "cfg",
            json!({"op": "update_ci", "ci": "app",
                   "update": {"set_attributes": {"availability": {"text": "high"}}}}),
        )]),
        case(
            "EngineError::Predict",
            Provoke::Query(json!({"query": "predicted_availability", "service": "svc", "seed": 1,
                                  "samples": 0})),
        ),
        case(
            "PredictError::InvalidOption",
            Provoke::Query(json!({"query": "predicted_availability", "service": "svc", "seed": 1,
                                  "samples": 0})),
        ),
        case(
            "PredictError::InvalidAvailability",
            Provoke::Query(json!({"query": "predicted_availability", "service": "svc", "seed": 1})),
        )
        .after(vec![(
            "cfg",
            json!({"op": "update_ci", "ci": "app",
                   "update": {"set_attributes": {"availability": {"number": "1.5"}}}}),
        )]),
        case(
            "PredictError::Text",
            Provoke::Direct(STRUCTURE_ONLY, || {
                spec_error(r#"{"components": [{"key": "a\u0007b"}]}"#)
            }),
        ),
        case(
            "PredictError::DuplicateComponent",
            Provoke::Direct(STRUCTURE_ONLY, || {
                spec_error(r#"{"components": [{"key": "a"}, {"key": "a"}]}"#)
            }),
        ),
        case(
            "PredictError::UnknownComponent",
            Provoke::Direct(STRUCTURE_ONLY, || {
                spec_error(r#"{"components": [{"key": "a"}], "needs": [["a", "b"]]}"#)
            }),
        ),
        case(
            "PredictError::SelfNeed",
            Provoke::Direct(STRUCTURE_ONLY, || {
                spec_error(r#"{"components": [{"key": "a"}], "needs": [["a", "a"]]}"#)
            }),
        ),
        case(
            "PredictError::DuplicateNeed",
            Provoke::Direct(STRUCTURE_ONLY, || {
                spec_error(r#"{"components": [{"key": "a"}, {"key": "b"}], "needs": [["a", "b"], ["a", "b"]]}"#)
            }),
        ),
        case(
            "PredictError::InvalidGroup",
            Provoke::Direct(STRUCTURE_ONLY, || {
                spec_error(r#"{"components": [{"key": "a"}, {"key": "b"}], "needs": [["a", "b"]],
                               "groups": [{"dependent": "a", "members": ["b"], "min_up": 2}]}"#)
            }),
        ),
        case(
            "PredictError::MemberNotNeed",
            Provoke::Direct(STRUCTURE_ONLY, || {
                spec_error(r#"{"components": [{"key": "a"}, {"key": "b"}],
                               "groups": [{"dependent": "a", "members": ["b"], "min_up": 1}]}"#)
            }),
        ),
        case(
            "PredictError::MemberInTwoGroups",
            Provoke::Direct(STRUCTURE_ONLY, || {
                spec_error(r#"{"components": [{"key": "a"}, {"key": "b"}, {"key": "c"}], "needs": [["a", "b"], ["a", "c"]],
                               "groups": [{"dependent": "a", "members": ["b", "c"], "min_up": 1},
                                          {"dependent": "a", "members": ["b"], "min_up": 1}]}"#)
            }),
        ),
        case(
            "PredictError::UnknownCi",
            Provoke::Direct(
                "the engine resolves the service's key before building the structure",
                || {
                    let e = itsm::availability::predict::Structure::from_cmdb(
                        &itsm::cmdb::Cmdb::new(),
                        itsm::core::Id::from_key("gone"),
                        |_| None,
                    )
                    .unwrap_err();
                    let id = itsm::core::Id::<itsm::cmdb::Ci>::from_key("gone").to_string();
                    (e.to_string(), vec![format!("PredictError::{}", head(&e))], id)
                },
            ),
        ),
        case(
            "PredictError::Internal",
            Provoke::Direct(
                "a broken invariant of the method, never the caller's data",
                || {
                    let e = itsm::availability::predict::PredictError::Internal {
                        reason: "a table was missing".into(),
                    };
                    (e.to_string(), vec![format!("PredictError::{}", head(&e))], String::new())
                },
            ),
        ),
        // ----- availability -----
        cmd(
            "EngineError::NotAService",
            "ceo",
            json!({"op": "set_availability_target", "service": "app",
                   "hours": {"time_zone": "Europe/London", "hours": "always"},
                   "target_percent": "99.9",
            "conventions": {"planned_leaves_denominator": false, "count_outages_outside_hours": false, "degraded_counts_as_down": false}}),
        ),
        case(
            "EngineError::NoAvailabilityTarget",
            Provoke::Query(json!({"query": "availability", "service": "svc",
                "period": {"month": {"year": 2026, "month": 3}},
                "conventions": {"planned_leaves_denominator": false,
                    "count_outages_outside_hours": false, "degraded_counts_as_down": false}})),
        ),
        case(
            "EngineError::ChangeNotScheduled",
            Provoke::Query(json!({"query": "downtime_left", "service": "svc",
                "period": {"month": {"year": 2026, "month": 3}},
                "conventions": {"planned_leaves_denominator": false,
                    "count_outages_outside_hours": false, "degraded_counts_as_down": false},
                "change": "c-app"})),
        )
        .after(vec![target_setup()]),
        cmd(
            "EngineError::OpenOutage",
            "cfg",
            json!({"op": "remove_ci", "ci": "doc", "cascade": true}),
        )
        .after(vec![outage_setup("o-doc", "doc", None)]),
        cmd(
            "EngineError::Continuity",
            "ceo",
            json!({"op": "set_business_impact", "service": "svc",
                   "mtpd_s": 3600, "rto_s": 7200, "rpo_s": 900}),
        ),
        cmd(
            "ContinuityError::InvalidAnalysis",
            "ceo",
            json!({"op": "set_business_impact", "service": "svc",
                   "mtpd_s": 3600, "rto_s": 7200, "rpo_s": 900}),
        ),
        cmd(
            "ContinuityError::InvalidRecovery",
            "ceo",
            json!({"op": "set_recovery", "ci": "app", "duration_s": 999_999_999_999u64}),
        ),
        cmd(
            "ContinuityError::WrongKind",
            "ceo",
            json!({"op": "assess_continuity", "key": "a-1", "disaster": {"facility": "app"}}),
        ),
        cmd(
            "ContinuityError::InvalidExercise",
            "ceo",
            json!({"op": "record_exercise", "key": "x-1", "name": "dr-1", "date": "2026-03-01",
                   "scenario": {"cis": ["app"]},
                   "measured": [{"service": "svc", "restore_s": 60}, {"service": "svc", "restore_s": 90}]}),
        ),
        case(
            "ContinuityError::UnknownCi",
            Provoke::Direct(CONTINUITY_DIRECT, || {
                let analysis = itsm::availability::BusinessImpact {
                    service: itsm::core::Id::from_key("gone"),
                    impact: Vec::new(),
                    mtpd_s: 10,
                    rto_s: 5,
                    rpo_s: 0,
                };
                let e = itsm::availability::flow_down(&itsm::cmdb::Cmdb::new(), &[analysis]).unwrap_err();
                let id = itsm::core::Id::<itsm::cmdb::Ci>::from_key("gone").to_string();
                (e.to_string(), vec![format!("ContinuityError::{}", head(&e))], id)
            }),
        ),
        case(
            "ContinuityError::DuplicateAnalysis",
            Provoke::Direct(CONTINUITY_DIRECT, || {
                let (cmdb, svc) = one_service();
                let analysis = itsm::availability::BusinessImpact {
                    service: svc,
                    impact: Vec::new(),
                    mtpd_s: 10,
                    rto_s: 5,
                    rpo_s: 0,
                };
                let e = itsm::availability::flow_down(&cmdb, &[analysis.clone(), analysis]).unwrap_err();
                (e.to_string(), vec![format!("ContinuityError::{}", head(&e))], "svc".into())
            }),
        ),
        case(
            "ContinuityError::DuplicateRecovery",
            Provoke::Direct(CONTINUITY_DIRECT, || {
                let (cmdb, svc) = one_service();
                let entry = itsm::availability::CiRecovery {
                    ci: svc,
                    duration_s: 60,
                    team: None,
                    backup_interval_s: None,
                };
                let e = itsm::availability::plan_recovery(
                    &cmdb,
                    &[],
                    &itsm::availability::Disaster::Cis(vec![svc]),
                    &[entry.clone(), entry],
                )
                .unwrap_err();
                (e.to_string(), vec![format!("ContinuityError::{}", head(&e))], "svc".into())
            }),
        ),
        case(
            "ContinuityError::Cmdb",
            Provoke::Direct(
                "a plan checks every CI before its impact query, so the CMDB cannot refuse it",
                || {
                    let gone = itsm::core::Id::from_key("gone");
                    let e = itsm::availability::ContinuityError::Cmdb(
                        itsm::cmdb::CmdbError::UnknownCi { id: gone },
                    );
                    let mut v = vec![format!("ContinuityError::{}", head(&e))];
                    if let itsm::availability::ContinuityError::Cmdb(c) = &e {
                        cmdb_variants(c, &mut v);
                    }
                    (e.to_string(), v, gone.to_string())
                },
            ),
        ),
        cmd(
            "EngineError::Availability",
            "dev",
            json!({"op": "end_outage", "outage": "o-none", "end": T0}),
        ),
        cmd(
            "AvailabilityError::UnknownOutage",
            "dev",
            json!({"op": "end_outage", "outage": "o-none", "end": T0}),
        ),
        read(
            "AvailabilityError::Percent",
            json!({"op": "set_availability_target", "service": "svc",
                   "hours": {"time_zone": "Europe/London", "hours": "always"},
                   "target_percent": "100.5",
            "conventions": {"planned_leaves_denominator": false, "count_outages_outside_hours": false, "degraded_counts_as_down": false}}),
            "availability target `100.5` is out of range",
        ),
        cmd(
            "AvailabilityError::SubSecond",
            "dev",
            outage("o-x", "host", "2026-03-02T08:00:00.5Z", None),
        ),
        case(
            "AvailabilityError::Period",
            Provoke::Query(json!({"query": "availability", "service": "svc",
                "period": {"rolling": {"days": 0, "end": "2026-03-31T00:00:00Z"}},
                "conventions": {"planned_leaves_denominator": false,
                    "count_outages_outside_hours": false, "degraded_counts_as_down": false}})),
        )
        .after(vec![target_setup()]),
        case(
            "AvailabilityError::Bounds",
            Provoke::Query(json!({"query": "availability", "service": "svc",
                "period": {"between": {"start": "2026-03-31T00:00:00Z", "end": "2026-03-01T00:00:00Z"}},
                "conventions": {"planned_leaves_denominator": false,
                    "count_outages_outside_hours": false, "degraded_counts_as_down": false}})),
        )
        .after(vec![target_setup()]),
        cmd(
            "AvailabilityError::DuplicateOutage",
            "dev",
            outage("o-host", "host", T0, None),
        )
        .after(vec![outage_setup("o-host", "host", None)]),
        cmd(
            "AvailabilityError::OutageEnded",
            "dev",
            json!({"op": "end_outage", "outage": "o-host", "end": "2026-03-02T08:30:00Z"}),
        )
        .after(vec![outage_setup("o-host", "host", Some("2026-03-02T08:20:00Z"))]),
        cmd(
            "AvailabilityError::OutageInFuture",
            "dev",
            outage("o-x", "host", "2030-01-01T00:00:00Z", None),
        ),
        cmd(
            "AvailabilityError::OutageBackwards",
            "dev",
            outage("o-x", "host", T0, Some("2026-03-01T00:00:00Z")),
        ),
        case(
            "AvailabilityError::TargetOrder",
            Provoke::Direct(
                "the engine's time only moves forward, so no command sets a target before the last",
                || {
                    let mut reg = itsm::availability::AvailabilityRegister::new();
                    let cal = itsm::core::Calendar::always(0).unwrap();
                    let pct = itsm::availability::Percent::new(rust_decimal::Decimal::ONE_HUNDRED).unwrap();
                    let id = itsm::core::Id::from_key("svc");
                    let conventions = itsm::availability::Conventions {
                        planned_leaves_denominator: false,
                        count_outages_outside_hours: false,
                        degraded_counts_as_down: false,
                    };
                    reg.set_target(id, cal.clone(), pct, conventions, t0()).unwrap();
                    let e = reg
                        .set_target(id, cal, pct, conventions, t0() - TimeDelta::days(1))
                        .unwrap_err();
                    (e.to_string(), vec![format!("AvailabilityError::{}", head(&e))], String::new())
                },
            ),
        ),
        case(
            "AvailabilityError::Cmdb",
            Provoke::Direct(
                "the engine resolves the CI key before the register sees the outage",
                || {
                    let mut reg = itsm::availability::AvailabilityRegister::new();
                    let o = itsm::availability::Outage {
                        key: "o-1".into(),
                        ci: itsm::core::Id::from_key("gone"),
                        start: t0(),
                        end: None,
                        state: itsm::availability::OutageState::Down,
                        kind: itsm::availability::OutageKind::Unplanned,
                        source: itsm::availability::OutageSource::Note { text: "x".into() },
                    };
                    let e = reg.record_outage(&itsm::cmdb::Cmdb::new(), o, t0()).unwrap_err();
                    (e.to_string(), vec![format!("AvailabilityError::{}", head(&e))], "o-1".into())
                },
            ),
        ),
        case(
            "AvailabilityError::Overflow",
            Provoke::Direct(
                "figures of periods within the engine's range always fit",
                || {
                    let e = itsm::availability::AvailabilityError::Overflow;
                    (e.to_string(), vec![format!("AvailabilityError::{}", head(&e))], String::new())
                },
            ),
        ),
    ]
}

#[test]
fn every_error_variant_speaks_the_users_words() {
    let mut produced: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in cases() {
        let (messages, variants, said) = match case.run() {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: {e}", case.variant));
                continue;
            }
        };
        if !variants.iter().any(|v| v == case.variant) {
            failures.push(format!(
                "{}: the case produced {variants:?}: {messages:?}",
                case.variant
            ));
        }
        for m in &messages {
            if let Err(e) = check_message(m, &said) {
                failures.push(format!("{}: {e}", case.variant));
            }
        }
        for v in variants {
            produced.entry(v).or_default().push(case.variant);
        }
    }
    let missing: Vec<String> = every_variant()
        .into_iter()
        .filter(|v| !produced.contains_key(v))
        .collect();
    assert!(
        missing.is_empty() && failures.is_empty(),
        "variants no case provokes (add a case to `cases()`): {missing:?}\n{}",
        failures.join("\n")
    );
}

/// `set_availability_target` on the service: 24x7 in London, 99.9 %.
fn target_setup() -> (&'static str, Value) {
    (
        "ceo",
        json!({"op": "set_availability_target", "service": "svc",
               "hours": {"time_zone": "Europe/London", "hours": "always"},
               "target_percent": "99.9",
            "conventions": {"planned_leaves_denominator": false, "count_outages_outside_hours": false, "degraded_counts_as_down": false}}),
    )
}

/// A `record_outage` command.
fn outage(key: &str, ci: &str, start: &str, end: Option<&str>) -> Value {
    json!({"op": "record_outage", "key": key, "ci": ci, "start": start, "end": end,
           "state": "down", "kind": "unplanned", "source": {"incident": {"reference": "INC-7"}}})
}

/// An implementer records an outage from `T0`.
fn outage_setup(key: &str, ci: &str, end: Option<&str>) -> (&'static str, Value) {
    ("dev", outage(key, ci, T0, end))
}

/// Why the structure errors of a prediction are built directly.
const STRUCTURE_ONLY: &str =
    "the engine builds structures from the CMDB, which already refuses these";

/// The error `Structure::new` gives for a written structure.
fn spec_error(spec: &str) -> (String, Vec<String>, String) {
    let e = serde_json::from_str::<itsm::availability::predict::StructureSpec>(spec)
        .map_err(|e| e.to_string())
        .and_then(|s| {
            itsm::availability::predict::Structure::new(s)
                .err()
                .ok_or_else(|| "accepted".to_owned())
        });
    match e {
        Ok(e) => (
            e.to_string(),
            vec![format!("PredictError::{}", head(&e))],
            spec.to_owned(),
        ),
        Err(why) => (why, Vec::new(), spec.to_owned()),
    }
}

/// Why some continuity errors are built directly.
const CONTINUITY_DIRECT: &str = "the engine resolves keys and keeps one analysis and one recovery entry per CI before the library sees them";

/// A CMDB holding one service, `svc`.
fn one_service() -> (itsm::cmdb::Cmdb, itsm::core::Id<itsm::cmdb::Ci>) {
    let mut cmdb = itsm::cmdb::Cmdb::new();
    let ci = itsm::cmdb::Ci::new(
        "svc",
        "Service",
        itsm::cmdb::CiKind::Service(itsm::cmdb::ServiceProfile::default()),
    );
    let id = ci.id;
    cmdb.add_ci(ci).unwrap();
    (cmdb, id)
}
