//! Issue 8: authority holds over sequences of permitted commands, not only per command. Each
//! test is named after what it prevents.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a panic is a failing test"
)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use itsm_engine::{Command, EngineError, Sms};
use itsm_risk::RiskError;
use proptest::prelude::*;
use serde_json::{Value, json};

fn at(h: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap() + TimeDelta::hours(h)
}

fn cmd(v: Value) -> Command {
    serde_json::from_value(v).unwrap()
}

/// Top management, a risk manager (ladder up to High), two risk owners (up to Medium), an
/// implementer and an actor with no role at all.
fn organisation() -> Command {
    cmd(json!({
        "op": "define_organisation",
        "actors": [
            {"key": "ceo", "name": "CEO", "roles": ["top_management"]},
            {"key": "rm", "name": "Risk manager", "roles": ["risk_manager"]},
            {"key": "ro", "name": "Risk owner", "roles": ["risk_owner"]},
            {"key": "ro2", "name": "Other owner", "roles": ["risk_owner"]},
            {"key": "dev", "name": "Implementer", "roles": ["implementer"]},
            {"key": "nobody", "name": "Nobody", "roles": []}
        ],
        "appetite": {
            "default_threshold": "Medium",
            "escalate_at": "High",
            "authority": [
                {"role": "risk_manager", "up_to": "High"},
                {"role": "risk_owner", "up_to": "Medium"}
            ]
        }
    }))
}

fn engine() -> Sms {
    let mut sms = Sms::new();
    sms.apply("ceo", at(0), organisation()).unwrap();
    sms
}

/// `Catastrophic` x `Almost certain` is Critical, `Major` x `Likely` High, `Moderate` x
/// `Possible` Medium, `Insignificant` x `Rare` Low on the standard matrix.
fn identify(key: &str, owner: &str, impact: &str, likelihood: &str) -> Command {
    cmd(json!({
        "op": "identify_risk", "key": key, "title": "Storage array end of support",
        "category": "technology", "owner": owner,
        "inherent": {"impact": impact, "likelihood": likelihood}
    }))
}

fn no_authority(r: Result<Vec<itsm_engine::Event>, EngineError>) -> bool {
    matches!(
        r,
        Err(EngineError::Risk(RiskError::NoAuthority { .. }) | EngineError::NotAuthorized { .. })
    )
}

#[test]
fn avoid_then_close_does_not_let_an_owner_close_a_critical_risk() {
    let mut sms = engine();
    sms.apply(
        "ro",
        at(1),
        identify("r", "ro", "Catastrophic", "Almost certain"),
    )
    .unwrap();
    let avoid = cmd(json!({"op": "treat_risk", "risk": "r",
        "treatment": {"avoid": {"how": "stop using the array"}}}));
    // Avoiding is a treatment: it needs the rung for Critical, which the owner lacks.
    assert!(no_authority(sms.apply("ro", at(2), avoid.clone())));
    sms.apply("ceo", at(3), avoid).unwrap();
    // Avoided: the current rating is gone, but the peak is still Critical.
    let close = cmd(json!({"op": "close_risk", "risk": "r", "note": "avoided"}));
    assert!(no_authority(sms.apply("ro", at(4), close.clone())));
    assert!(no_authority(sms.apply("rm", at(4), close.clone())));
    sms.apply("ceo", at(5), close).unwrap();
}

#[test]
fn hand_over_then_act_is_refused() {
    let mut sms = engine();
    sms.apply("rm", at(1), identify("r", "ro", "Major", "Likely"))
        .unwrap();
    // Not to an actor who may not own risks.
    let to_nobody = cmd(json!({"op": "update_risk", "risk": "r", "owner": "nobody"}));
    assert!(matches!(
        sms.apply("ro", at(2), to_nobody.clone()),
        Err(EngineError::MayNotOwnRisks { .. })
    ));
    assert!(matches!(
        sms.apply("ceo", at(2), to_nobody),
        Err(EngineError::MayNotOwnRisks { .. })
    ));
    // Not by an owner without the rung for High.
    let to_ro2 = cmd(json!({"op": "update_risk", "risk": "r", "owner": "ro2"}));
    assert!(no_authority(sms.apply("ro", at(3), to_ro2.clone())));
    // The risk manager may; the new owner still cannot close a High risk.
    sms.apply("rm", at(4), to_ro2).unwrap();
    let avoid = cmd(json!({"op": "treat_risk", "risk": "r",
        "treatment": {"avoid": {"how": "stop"}}}));
    assert!(no_authority(sms.apply("ro2", at(5), avoid)));
    let close = cmd(json!({"op": "close_risk", "risk": "r", "note": "mine now"}));
    assert!(no_authority(sms.apply("ro2", at(5), close)));
    // A risk is never identified for an actor who may not own it either.
    assert!(matches!(
        sms.apply("rm", at(6), identify("r2", "dev", "Minor", "Rare")),
        Err(EngineError::MayNotOwnRisks { .. })
    ));
}

#[test]
fn ownership_alone_gives_no_authority_over_an_unrated_risk() {
    let mut sms = engine();
    // `dev` may identify a risk for `ro`, unrated.
    sms.apply(
        "dev",
        at(1),
        cmd(
            json!({"op": "identify_risk", "key": "u", "title": "Unrated",
            "category": "c", "owner": "ro"}),
        ),
    )
    .unwrap();
    // An owner without any rung of the ladder cannot close it: there is none in this ladder
    // below Medium, but `ro` holds Medium, so use a ladder-less organisation for the owner.
    let mut bare = Sms::new();
    bare.apply(
        "ceo",
        at(0),
        cmd(json!({"op": "define_organisation", "actors": [
            {"key": "ceo", "name": "CEO", "roles": ["top_management"]},
            {"key": "ro", "name": "Owner", "roles": ["risk_owner"]}
        ]})),
    )
    .unwrap();
    bare.apply(
        "ro",
        at(1),
        cmd(
            json!({"op": "identify_risk", "key": "u", "title": "Unrated",
            "category": "c", "owner": "ro"}),
        ),
    )
    .unwrap();
    let close = cmd(json!({"op": "close_risk", "risk": "u", "note": "mine"}));
    assert!(no_authority(bare.apply("ro", at(2), close)));
    // In the first organisation the owner holds a rung, which reaches an unrated risk.
    sms.apply(
        "ro",
        at(2),
        cmd(json!({"op": "close_risk", "risk": "u", "note": "not a risk"})),
    )
    .unwrap();
}

#[test]
fn a_first_residual_rating_cannot_lower_a_risk_without_the_rung() {
    let mut sms = engine();
    sms.apply("rm", at(1), identify("r", "ro", "Major", "Likely"))
        .unwrap();
    let lowest = cmd(json!({"op": "assess_risk", "risk": "r",
        "residual": {"impact": "Insignificant", "likelihood": "Rare"}}));
    assert!(no_authority(sms.apply("nobody", at(2), lowest.clone())));
    assert!(no_authority(sms.apply("ro", at(2), lowest.clone())));
    assert!(no_authority(sms.apply("dev", at(2), lowest.clone())));
    // The risk manager holds the rung for High and may record the treated level.
    sms.apply("rm", at(3), lowest).unwrap();
    // The owner still cannot accept it: it carried High since it was last decided on.
    let accept = cmd(
        json!({"op": "accept_risk", "risk": "r", "until": "2026-12-31",
        "rationale": "mitigated"}),
    );
    assert!(no_authority(sms.apply("ro", at(4), accept.clone())));
    sms.apply("rm", at(5), accept).unwrap();
    // Once accepted by someone with the authority, the peak is the current level again.
    let close = cmd(json!({"op": "close_risk", "risk": "r", "note": "done"}));
    sms.apply("ro", at(6), close).unwrap();
}

#[test]
fn a_residual_worse_than_inherent_needs_a_rationale_from_the_first_rating() {
    let mut sms = engine();
    sms.apply("ro", at(1), identify("r", "ro", "Minor", "Rare"))
        .unwrap();
    let worse = cmd(json!({"op": "assess_risk", "risk": "r",
        "residual": {"impact": "Moderate", "likelihood": "Possible"}}));
    assert!(matches!(
        sms.apply("ro", at(2), worse),
        Err(EngineError::Risk(RiskError::ResidualWorse { .. }))
    ));
}

#[test]
fn only_the_owner_or_a_risk_manager_rates_or_files_a_risk_as_corporate_or_from_a_change() {
    let mut sms = engine();
    // Rating at identification, for someone else.
    assert!(no_authority(sms.apply(
        "dev",
        at(1),
        identify("a", "ro", "Minor", "Rare")
    )));
    for extra in [
        json!({"register": "corporate"}),
        json!({"source": "change_assessment"}),
    ] {
        let mut v = json!({"op": "identify_risk", "key": "b", "title": "t",
            "category": "c", "owner": "ro"});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        assert!(no_authority(sms.apply("dev", at(1), cmd(v.clone()))));
        assert!(no_authority(sms.apply("ro2", at(1), cmd(v.clone()))));
        sms.apply("rm", at(1), cmd(v.clone())).unwrap();
        let mut again = v;
        again["key"] = json!("c");
        sms.apply("ro", at(1), cmd(again)).unwrap();
        // Reset for the next round.
        sms = engine();
    }
    // Rating an unrated risk later: the owner or a risk manager only.
    sms.apply(
        "dev",
        at(1),
        cmd(json!({"op": "identify_risk", "key": "u", "title": "t", "category": "c", "owner": "ro"})),
    )
    .unwrap();
    let rate = cmd(json!({"op": "assess_risk", "risk": "u",
        "inherent": {"impact": "Minor", "likelihood": "Rare"}}));
    assert!(no_authority(sms.apply("dev", at(2), rate.clone())));
    assert!(no_authority(sms.apply("ro2", at(2), rate.clone())));
    sms.apply("ro", at(3), rate).unwrap();
}

// ---- property: no sequence lets an actor decide above their rung ----

const ACTORS: [&str; 6] = ["ceo", "rm", "ro", "ro2", "dev", "nobody"];
const IMPACTS: [&str; 5] = [
    "Insignificant",
    "Minor",
    "Moderate",
    "Major",
    "Catastrophic",
];
const LIKELIHOODS: [&str; 5] = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];

/// The ladder of [`organisation`], by level rank (Low 0 .. Critical 3).
fn reach(actor: &str) -> Option<usize> {
    match actor {
        "ceo" => Some(3),
        "rm" => Some(2),
        "ro" | "ro2" => Some(1),
        _ => None,
    }
}

#[derive(Debug, Clone)]
enum Op {
    Identify {
        owner: usize,
        rating: Option<(usize, usize)>,
    },
    Assess {
        inherent: Option<(usize, usize)>,
        residual: Option<(usize, usize)>,
    },
    Avoid,
    Mitigate,
    Accept,
    Close,
    Reopen,
    HandOver {
        to: usize,
    },
}

fn rating() -> impl Strategy<Value = (usize, usize)> {
    (0..5usize, 0..5usize)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..6usize, proptest::option::of(rating()))
            .prop_map(|(owner, rating)| Op::Identify { owner, rating }),
        (
            proptest::option::of(rating()),
            proptest::option::of(rating())
        )
            .prop_map(|(inherent, residual)| Op::Assess { inherent, residual }),
        Just(Op::Avoid),
        Just(Op::Mitigate),
        Just(Op::Accept),
        Just(Op::Close),
        Just(Op::Reopen),
        (0..6usize).prop_map(|to| Op::HandOver { to }),
    ]
}

fn score((i, l): (usize, usize)) -> Value {
    json!({"impact": IMPACTS[i], "likelihood": LIKELIHOODS[l]})
}

fn to_command(op: &Op, n: usize) -> Command {
    let risk = format!("r{n}");
    cmd(match op {
        Op::Identify { owner, rating } => {
            let mut v = json!({"op": "identify_risk", "key": format!("r{}", n + 1),
                "title": "t", "category": "c", "owner": ACTORS[*owner]});
            if let Some(r) = rating {
                v["inherent"] = score(*r);
            }
            v
        }
        Op::Assess { inherent, residual } => {
            let mut v = json!({"op": "assess_risk", "risk": risk, "rationale": "because"});
            if let Some(r) = inherent {
                v["inherent"] = score(*r);
            }
            if let Some(r) = residual {
                v["residual"] = score(*r);
            }
            v
        }
        Op::Avoid => json!({"op": "treat_risk", "risk": risk,
            "treatment": {"avoid": {"how": "stop"}}}),
        Op::Mitigate => json!({"op": "treat_risk", "risk": risk, "treatment": "mitigate"}),
        Op::Accept => json!({"op": "accept_risk", "risk": risk, "until": "2027-12-31",
            "rationale": "ok"}),
        Op::Close => json!({"op": "close_risk", "risk": risk, "note": "n"}),
        Op::Reopen => json!({"op": "reopen_risk", "risk": risk, "reason": "back"}),
        Op::HandOver { to } => json!({"op": "update_risk", "risk": risk, "owner": ACTORS[*to]}),
    })
}

/// A risk's inherent, residual and current level ranks, read from the register.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Levels {
    inherent: Option<usize>,
    residual: Option<usize>,
    current: Option<usize>,
    owner: Option<itsm_core::Id<itsm_core::Actor>>,
}

fn levels(sms: &Sms, key: &str) -> Levels {
    let Some(r) = sms
        .risk_reference(key)
        .and_then(|reference| sms.risks().risk_by_reference(reference))
    else {
        return Levels::default();
    };
    Levels {
        inherent: r.inherent.as_ref().map(|x| x.level_rank),
        residual: r.residual.as_ref().map(|x| x.level_rank),
        current: r.current().map(|x| x.level_rank),
        owner: Some(r.owner),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    /// For random sequences of risk commands by random actors, every accepted close, accept,
    /// treatment, hand-over, lowering or re-scoring is by an actor whose rung reaches the
    /// highest level the risk carried since it was last closed or accepted. The oracle tracks
    /// that level here, from the ratings the register shows after each step, independently of
    /// the register's own `peak`.
    #[test]
    fn no_sequence_lets_an_actor_decide_above_their_rung(
        steps in proptest::collection::vec((0..6usize, op()), 1..40)
    ) {
        let mut sms = engine();
        let mut count = 0usize;
        let mut peak: Vec<Option<usize>> = Vec::new();
        for (i, (who, op)) in steps.iter().enumerate() {
            let actor = ACTORS[*who];
            let n = count.max(1);
            let key = format!("r{n}");
            let before = levels(&sms, &key);
            let result = sms.apply(actor, at(i64::try_from(i).unwrap() + 1), to_command(op, count));
            if result.is_err() {
                continue;
            }
            if let Op::Identify { .. } = op {
                count += 1;
                peak.push(levels(&sms, &format!("r{count}")).current);
                continue;
            }
            let slot = &mut peak[n - 1];
            let after = levels(&sms, &key);
            let needed = match op {
                Op::Close | Op::Accept | Op::Avoid | Op::Mitigate => Some(slot.unwrap_or(0)),
                Op::HandOver { .. } => (before.owner != after.owner).then(|| slot.unwrap_or(0)),
                Op::Assess { .. } => {
                    let lowered = match (before.current, after.current) {
                        (Some(b), Some(a)) => a < b,
                        (Some(_), None) => true,
                        (None, _) => false,
                    };
                    let rescored = (before.inherent.is_some() && before.inherent != after.inherent)
                        || (before.residual.is_some() && before.residual != after.residual);
                    (lowered || rescored).then(|| {
                        [before.inherent, before.residual, *slot, after.inherent, after.residual]
                            .into_iter()
                            .flatten()
                            .max()
                            .unwrap_or(0)
                    })
                }
                _ => None,
            };
            if let Some(level) = needed {
                prop_assert!(
                    reach(actor).is_some_and(|r| r >= level),
                    "step {i}: {actor} did {op:?} at level {level}"
                );
            }
            *slot = match op {
                Op::Close | Op::Accept => after.current,
                _ => {
                    let set = [
                        (before.inherent != after.inherent).then_some(after.inherent).flatten(),
                        (before.residual != after.residual).then_some(after.residual).flatten(),
                        after.current,
                    ];
                    set.into_iter().flatten().max().max(*slot)
                }
            };
        }
    }
}

// ---- change control over sequences ----

/// A change policy that controls hardware and anything in production, with a standard model
/// for low-risk hardware changes, a year-end freeze, and `cfg` as configuration manager.
fn controlled() -> Sms {
    let mut sms = Sms::new();
    sms.apply(
        "ceo",
        at(0),
        cmd(json!({
            "op": "define_organisation",
            "actors": [
                {"key": "ceo", "name": "CEO", "roles": ["top_management"]},
                {"key": "cfg", "name": "Configuration manager",
                 "roles": [{"process_owner": "configuration_management"}]},
                {"key": "so", "name": "Service owner", "roles": ["service_owner"]},
                {"key": "dev", "name": "Implementer", "roles": ["implementer"]},
                {"key": "cm", "name": "Change manager", "roles": ["change_manager"]}
            ],
            "change_policy": {
                "scope": [
                    {"kind": "hardware", "attribute": ["env", {"text": "test"}], "controlled": false},
                    {"kind": "hardware", "controlled": true},
                    {"attribute": ["env", {"text": "production"}], "controlled": true}
                ],
                "include": ["db"],
                "models": [{"name": "reboot", "kinds": ["hardware"], "max_level": "High"}],
                "approvals": [{"category": "normal", "from_level": "Low", "approver": "change_manager"}],
                "blackouts": [{"name": "year-end freeze", "start": "2026-12-20T00:00:00Z",
                               "end": "2027-01-05T00:00:00Z"}]
            }
        })),
    )
    .unwrap();
    sms
}

fn add_ci(sms: &mut Sms, key: &str, kind: Value, extra: Value) -> Result<(), EngineError> {
    let mut v = json!({"op": "add_ci", "key": key, "name": key, "kind": kind});
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    sms.apply("cfg", at(1), cmd(v)).map(drop)
}

#[test]
fn a_delta_cannot_edit_cis_the_change_does_not_target() {
    let mut sms = controlled();
    add_ci(
        &mut sms,
        "test-box",
        json!("hardware"),
        json!({"criticality": "low", "attributes": {"env": {"text": "test"}}}),
    )
    .unwrap();
    add_ci(
        &mut sms,
        "app",
        json!("application"),
        json!({"criticality": "critical"}),
    )
    .unwrap();
    let raise = |delta: Value| {
        cmd(
            json!({"op": "raise_change", "key": "c", "title": "Reboot the test box",
            "category": {"standard": "reboot"}, "targets": ["test-box"], "delta": delta}),
        )
    };
    let err = sms
        .apply(
            "dev",
            at(2),
            raise(json!([{"edit": "update_ci", "ci": "app", "update": {"criticality": "low"}}])),
        )
        .unwrap_err();
    assert!(err.to_string().contains("the delta edits `app`"), "{err}");
    let err = sms
        .apply(
            "dev",
            at(2),
            raise(json!([{"edit": "relate", "from": "app", "kind": "runs_on", "to": "test-box"}])),
        )
        .unwrap_err();
    assert!(err.to_string().contains("`app`"), "{err}");
    // A delta naming a CI that neither exists nor is added earlier in the delta.
    let err = sms
        .apply(
            "dev",
            at(2),
            raise(json!([{"edit": "retire_ci", "ci": "ghost"}])),
        )
        .unwrap_err();
    assert!(
        matches!(err, EngineError::DeltaUnknownCi { edit: 1, .. }),
        "{err}"
    );
    // Adding a CI and relating it to a target in the same delta is within reach.
    sms.apply(
        "dev",
        at(3),
        raise(json!([
            {"edit": "add_ci", "key": "disk", "name": "Disk", "kind": "storage"},
            {"edit": "relate", "from": "test-box", "kind": "depends_on", "to": "disk"}
        ])),
    )
    .unwrap();
}

#[test]
fn every_ci_a_completed_change_touched_was_in_its_assessment() {
    let mut sms = controlled();
    add_ci(&mut sms, "host", json!("hardware"), json!({})).unwrap_err(); // controlled: add through a change
    add_ci(&mut sms, "app", json!("application"), json!({})).unwrap();
    add_ci(&mut sms, "box", json!("application"), json!({})).unwrap();
    let steps = [
        (
            "dev",
            json!({"op": "raise_change", "key": "c", "title": "New host", "targets": ["app"],
            "implementer": "dev", "delta": [
                {"edit": "add_ci", "key": "host", "name": "Host", "kind": "hardware"},
                {"edit": "relate", "from": "app", "kind": "runs_on", "to": "host"}]}),
        ),
        ("dev", json!({"op": "submit_change", "change": "c"})),
        ("cm", json!({"op": "assess_change", "change": "c"})),
        ("cm", json!({"op": "approve_change", "change": "c"})),
        (
            "cm",
            json!({"op": "schedule_change", "change": "c",
            "start": "2026-03-10T01:00:00Z", "end": "2026-03-10T02:00:00Z"}),
        ),
        ("dev", json!({"op": "start_change", "change": "c"})),
        (
            "dev",
            json!({"op": "complete_change", "change": "c", "outcome": "successful"}),
        ),
    ];
    for (i, (who, v)) in steps.into_iter().enumerate() {
        sms.apply(who, at(10 + i64::try_from(i).unwrap()), cmd(v))
            .unwrap();
    }
    let c = sms.changes().change(sms.change_id("c").unwrap()).unwrap();
    let assessed = &c.assessment.as_ref().unwrap().targets;
    let stamped: Vec<_> = sms
        .cmdb()
        .cis()
        .filter(|ci| ci.last_change == Some(c.id))
        .collect();
    assert_eq!(stamped.len(), 2, "the new host and the app");
    for ci in stamped {
        assert!(
            assessed.contains(&ci.id) || ci.key == "host",
            "`{}` was touched but not assessed",
            ci.key
        );
    }
    // `box` was not touched.
    assert_eq!(sms.cmdb().ci_by_key("box").unwrap().last_change, None);
}

fn import(sms: &mut Sms, who: &str, cis: Vec<itsm_cmdb::Ci>) -> Result<(), EngineError> {
    let parts = itsm_cmdb::CmdbParts {
        cis,
        ..itsm_cmdb::CmdbParts::default()
    };
    sms.apply(
        who,
        at(1),
        Command::ImportConfiguration {
            parts: Box::new(parts),
        },
    )
    .map(drop)
}

fn ci_with_id(key: &str, kind: itsm_cmdb::CiKind, id_from: &str) -> itsm_cmdb::Ci {
    let mut ci = itsm_cmdb::Ci::new(key, key, kind);
    ci.id = itsm_core::Id::from_key(id_from);
    ci
}

#[test]
fn imported_cis_stay_under_change_control() {
    let mut sms = controlled();
    // `db` is explicitly included by the policy; the import gives it a foreign id.
    import(
        &mut sms,
        "cfg",
        vec![ci_with_id(
            "db",
            itsm_cmdb::CiKind::Software,
            "discovery:4711",
        )],
    )
    .unwrap();
    let err = sms
        .apply(
            "cfg",
            at(2),
            cmd(json!({"op": "update_ci", "ci": "db", "update": {"name": "Database"}})),
        )
        .unwrap_err();
    assert!(matches!(err, EngineError::ChangeControlled { .. }), "{err}");
}

#[test]
fn an_imported_id_equal_to_another_keys_derived_id_cannot_redirect_a_key() {
    // Refused when the other key is in the import or named by the policy.
    let mut sms = controlled();
    let err = import(
        &mut sms,
        "cfg",
        vec![
            ci_with_id("a", itsm_cmdb::CiKind::Software, "db"),
            itsm_cmdb::Ci::new("z", "z", itsm_cmdb::CiKind::Software),
        ],
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("`db`") && err.to_string().contains("`a`"),
        "{err}"
    );
    // Otherwise the key never reaches the other CI.
    let mut sms = controlled();
    import(
        &mut sms,
        "cfg",
        vec![ci_with_id("a", itsm_cmdb::CiKind::Software, "b")],
    )
    .unwrap();
    let err = sms
        .apply(
            "cfg",
            at(2),
            cmd(json!({"op": "update_ci", "ci": "b", "update": {"name": "hijack"}})),
        )
        .unwrap_err();
    assert!(matches!(err, EngineError::KeyCollision { .. }), "{err}");
    assert_eq!(sms.cmdb().ci_by_key("a").unwrap().name, "a");
    let err = add_ci(&mut sms, "b", json!("software"), json!({})).unwrap_err();
    assert!(err.to_string().contains("`a`"), "{err}");
}

#[test]
fn a_misspelt_ci_kind_in_a_policy_is_refused_not_ignored() {
    let mut sms = Sms::new();
    let out = sms.apply_json(
        &json!({"format": 1, "at": "2026-03-02T08:00:00Z", "actor": "ceo", "op": "define_organisation",
            "actors": [{"key": "ceo", "name": "CEO", "roles": ["top_management"]}],
            "change_policy": {"scope": [{"kind": "hardwre", "controlled": true}]}})
        .to_string(),
    );
    assert!(out.contains("hardwre") && out.contains("hardware"), "{out}");
    assert!(sms.log().is_empty());
}

#[test]
fn a_direct_update_cannot_move_a_ci_into_or_out_of_change_control() {
    let mut sms = controlled();
    add_ci(&mut sms, "app", json!("application"), json!({})).unwrap();
    let into = cmd(json!({"op": "update_ci", "ci": "app",
        "update": {"set_attributes": {"env": {"text": "production"}}}}));
    assert!(matches!(
        sms.apply("cfg", at(2), into),
        Err(EngineError::ScopeMove { .. })
    ));
    add_ci(
        &mut sms,
        "web",
        json!("application"),
        json!({"attributes": {"env": {"text": "production"}}}),
    )
    .unwrap_err();
    // Out: a controlled CI is never edited directly.
    let mut s2 = controlled();
    import(
        &mut s2,
        "cfg",
        vec![{
            let mut c = itsm_cmdb::Ci::new("web", "web", itsm_cmdb::CiKind::Application);
            c.attributes.insert(
                "env".into(),
                itsm_cmdb::AttrValue::Text("production".into()),
            );
            c
        }],
    )
    .unwrap();
    let out = cmd(json!({"op": "update_ci", "ci": "web",
        "update": {"remove_attributes": ["env"]}}));
    assert!(matches!(
        s2.apply("cfg", at(2), out),
        Err(EngineError::ChangeControlled { .. })
    ));
}

#[test]
fn a_normal_change_cannot_run_into_a_freeze() {
    let mut sms = controlled();
    add_ci(&mut sms, "app", json!("application"), json!({})).unwrap();
    let steps = [
        (
            "dev",
            json!({"op": "raise_change", "key": "c", "title": "Tune", "targets": ["app"],
            "implementer": "dev"}),
        ),
        ("dev", json!({"op": "submit_change", "change": "c"})),
        ("cm", json!({"op": "assess_change", "change": "c"})),
        ("cm", json!({"op": "approve_change", "change": "c"})),
    ];
    for (i, (who, v)) in steps.into_iter().enumerate() {
        sms.apply(who, at(10 + i64::try_from(i).unwrap()), cmd(v))
            .unwrap();
    }
    // A window that starts before the freeze and runs into it.
    let into = cmd(json!({"op": "schedule_change", "change": "c",
        "start": "2026-12-19T22:00:00Z", "end": "2026-12-20T02:00:00Z"}));
    let err = sms.apply("cm", at(20), into).unwrap_err();
    assert!(err.to_string().contains("year-end freeze"), "{err}");
    // Scheduled after the freeze, started early inside it: refused too.
    sms.apply(
        "cm",
        at(21),
        cmd(json!({"op": "schedule_change", "change": "c",
            "start": "2027-01-10T01:00:00Z", "end": "2027-01-10T02:00:00Z"})),
    )
    .unwrap();
    let early = Utc.with_ymd_and_hms(2026, 12, 24, 1, 0, 0).unwrap();
    let err = sms
        .apply(
            "dev",
            early,
            cmd(json!({"op": "start_change", "change": "c"})),
        )
        .unwrap_err();
    assert!(err.to_string().contains("year-end freeze"), "{err}");
}

#[test]
fn only_configuration_management_imports() {
    for who in ["dev", "so"] {
        let mut sms = controlled();
        assert!(no_authority(
            import(&mut sms, who, vec![]).map(|()| Vec::new())
        ));
    }
    import(&mut controlled(), "cfg", vec![]).unwrap();
}

#[test]
fn without_a_change_policy_the_change_manager_can_approve() {
    let mut sms = Sms::new();
    sms.apply(
        "ceo",
        at(0),
        cmd(json!({"op": "define_organisation", "actors": [
            {"key": "ceo", "name": "CEO", "roles": ["top_management"]},
            {"key": "cfg", "name": "Cfg", "roles": [{"process_owner": "configuration_management"}]},
            {"key": "dev", "name": "Dev", "roles": ["implementer"]},
            {"key": "cm", "name": "Change manager", "roles": ["change_manager"]}
        ]})),
    )
    .unwrap();
    sms.apply(
        "cfg",
        at(1),
        cmd(json!({"op": "add_ci", "key": "app", "name": "App", "kind": "application"})),
    )
    .unwrap();
    for (i, (who, v)) in [
        (
            "dev",
            json!({"op": "raise_change", "key": "c", "title": "t", "targets": ["app"]}),
        ),
        ("dev", json!({"op": "submit_change", "change": "c"})),
        ("cm", json!({"op": "assess_change", "change": "c"})),
        ("cm", json!({"op": "approve_change", "change": "c"})),
    ]
    .into_iter()
    .enumerate()
    {
        sms.apply(who, at(2 + i64::try_from(i).unwrap()), cmd(v))
            .unwrap();
    }
    let c = sms.changes().change(sms.change_id("c").unwrap()).unwrap();
    assert_eq!(c.status, itsm_change::ChangeStatus::Approved);
}

// ---- property: a completed change touched only what it was assessed for ----

const CIS: [&str; 5] = ["a", "b", "c", "d", "e"];

#[derive(Debug, Clone)]
enum Edit {
    Update(usize),
    Retire(usize),
    Relate(usize, usize),
    Unrelate(usize, usize),
    AddAndRelate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..5usize).prop_map(Edit::Update),
        (0..5usize).prop_map(Edit::Retire),
        (0..5usize, 0..5usize).prop_map(|(x, y)| Edit::Relate(x, y)),
        (0..5usize, 0..5usize).prop_map(|(x, y)| Edit::Unrelate(x, y)),
        (0..5usize).prop_map(Edit::AddAndRelate),
    ]
}

fn delta_json(edits: &[Edit], n: usize) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, e) in edits.iter().enumerate() {
        match e {
            Edit::Update(x) => out.push(json!({"edit": "update_ci", "ci": CIS[*x],
                "update": {"name": format!("renamed {n}-{i}")}})),
            Edit::Retire(x) => out.push(json!({"edit": "retire_ci", "ci": CIS[*x]})),
            Edit::Relate(x, y) => out.push(json!({"edit": "relate", "from": CIS[*x],
                "kind": "depends_on", "to": CIS[*y]})),
            Edit::Unrelate(x, y) => out.push(json!({"edit": "unrelate", "from": CIS[*x],
                "kind": "depends_on", "to": CIS[*y]})),
            Edit::AddAndRelate(x) => {
                let key = format!("new-{n}-{i}");
                out.push(json!({"edit": "add_ci", "key": key, "name": "New", "kind": "software"}));
                out.push(
                    json!({"edit": "relate", "from": CIS[*x], "kind": "depends_on",
                    "to": key}),
                );
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]
    /// For random changes (random targets, random deltas over targets and non-targets), every
    /// CI a completed change stamped is one of its assessed targets or one its delta added.
    #[test]
    fn every_ci_a_completed_change_touched_was_assessed(
        changes in proptest::collection::vec(
            (proptest::collection::btree_set(0..5usize, 1..4), proptest::collection::vec(edit(), 1..5)),
            1..6,
        )
    ) {
        let mut sms = controlled();
        for k in CIS {
            add_ci(&mut sms, k, json!("application"), json!({})).unwrap();
        }
        let mut t = 10i64;
        let mut completed = 0;
        for (n, (targets, edits)) in changes.iter().enumerate() {
            let key = format!("c{n}");
            let targets: Vec<&str> = targets.iter().map(|i| CIS[*i]).collect();
            let raise = cmd(json!({"op": "raise_change", "key": key, "title": "t",
                "targets": targets, "implementer": "dev", "delta": delta_json(edits, n)}));
            t += 1;
            if sms.apply("dev", at(t), raise).is_err() {
                continue;
            }
            let start = at(t + 100).format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let end = at(t + 101).format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let steps = [
                ("dev", json!({"op": "submit_change", "change": key})),
                ("cm", json!({"op": "assess_change", "change": key})),
                ("cm", json!({"op": "approve_change", "change": key})),
                ("cm", json!({"op": "schedule_change", "change": key, "start": start, "end": end})),
                ("dev", json!({"op": "start_change", "change": key})),
                ("dev", json!({"op": "complete_change", "change": key, "outcome": "successful"})),
            ];
            let mut ok = true;
            for (who, v) in steps {
                t += 1;
                if sms.apply(who, at(t), cmd(v)).is_err() {
                    ok = false;
                    break;
                }
            }
            if !ok {
                continue;
            }
            completed += 1;
            let c = sms.changes().change(sms.change_id(&key).unwrap()).unwrap();
            let assessed = &c.assessment.as_ref().unwrap().targets;
            for ci in sms.cmdb().cis().filter(|ci| ci.last_change == Some(c.id)) {
                prop_assert!(
                    assessed.contains(&ci.id) || ci.key.starts_with(&format!("new-{n}-")),
                    "change {key} touched `{}`, which it was not assessed for", ci.key
                );
            }
        }
        // Not every case completes a change, but the generator must reach completions.
        prop_assume!(completed > 0);
    }
}

// ---- findings of the adversarial review ----

#[test]
fn a_critical_inherent_and_a_low_residual_given_together_need_the_rung() {
    let mut sms = engine();
    sms.apply(
        "ro",
        at(1),
        cmd(json!({"op": "identify_risk", "key": "u", "title": "t", "category": "c", "owner": "ro"})),
    )
    .unwrap();
    let both = cmd(json!({"op": "assess_risk", "risk": "u",
        "inherent": {"impact": "Catastrophic", "likelihood": "Almost certain"},
        "residual": {"impact": "Insignificant", "likelihood": "Rare"}}));
    assert!(no_authority(sms.apply("ro", at(2), both.clone())));
    assert!(no_authority(sms.apply("rm", at(2), both.clone())));
    sms.apply("ceo", at(3), both).unwrap();
}

#[test]
fn only_the_owner_or_a_risk_manager_sets_a_first_residual() {
    let mut sms = engine();
    sms.apply("ro", at(1), identify("r", "ro", "Minor", "Rare"))
        .unwrap();
    let worse = cmd(
        json!({"op": "assess_risk", "risk": "r", "rationale": "spite",
        "residual": {"impact": "Catastrophic", "likelihood": "Almost certain"}}),
    );
    for who in ["dev", "nobody", "ro2"] {
        assert!(no_authority(sms.apply(who, at(2), worse.clone())), "{who}");
    }
    assert!(sms.risks().all_escalations().is_empty());
}

#[test]
fn a_risk_is_filed_under_another_division_only_by_a_risk_manager() {
    let mut sms = Sms::new();
    sms.apply(
        "ceo",
        at(0),
        cmd(json!({"op": "define_organisation",
            "divisions": [{"key": "retail", "name": "Retail"}, {"key": "lab", "name": "Lab"}],
            "actors": [
                {"key": "ceo", "name": "CEO", "roles": ["top_management"]},
                {"key": "rm", "name": "RM", "roles": ["risk_manager"]},
                {"key": "ro", "name": "RO", "roles": ["risk_owner"], "division": "retail"}
            ],
            "appetite": {"default_threshold": "Low", "escalate_at": "Critical",
                "divisions": {"retail": "Low", "lab": "Critical"}}})),
    )
    .unwrap();
    let file = |division: &str| {
        cmd(
            json!({"op": "identify_risk", "key": format!("r-{division}"), "title": "t",
            "category": "c", "owner": "ro", "division": division}),
        )
    };
    assert!(no_authority(sms.apply("ro", at(1), file("lab"))));
    sms.apply("ro", at(1), file("retail")).unwrap();
    sms.apply("rm", at(2), file("lab")).unwrap();
}

#[test]
fn a_risk_raised_by_a_change_assessment_has_an_owner_who_may_own_it_and_a_name() {
    let mut sms = controlled();
    add_ci(
        &mut sms,
        "svc",
        json!({"service": {"size": "large", "composition": "single",
            "provision_source": "centralized", "consumers": "external"}}),
        json!({"criticality": "critical"}),
    )
    .unwrap();
    add_ci(
        &mut sms,
        "app",
        json!("application"),
        json!({"criticality": "critical"}),
    )
    .unwrap();
    sms.apply(
        "cfg",
        at(2),
        cmd(json!({"op": "relate", "from": "svc", "kind": "depends_on", "to": "app"})),
    )
    .unwrap();
    for (i, (who, v)) in [
        (
            "dev",
            json!({"op": "raise_change", "key": "c", "title": "Risky", "targets": ["app"],
            "factors": {"human_resources": "high", "skills": "high", "test_environment": "high",
                        "time": "high"}}),
        ),
        ("dev", json!({"op": "submit_change", "change": "c"})),
        ("cm", json!({"op": "assess_change", "change": "c"})),
    ]
    .into_iter()
    .enumerate()
    {
        sms.apply(who, at(3 + i64::try_from(i).unwrap()), cmd(v))
            .unwrap();
    }
    let raised = sms
        .risks()
        .risks()
        .find(|r| r.source == itsm_risk::RiskSource::ChangeAssessment)
        .unwrap();
    // Neither the implementer who raised it nor the change manager may own risks: the owner is
    // top management (no risk manager in this organisation).
    assert_eq!(raised.owner, sms.actor("ceo").unwrap().id);
    // It is addressable by its reference.
    let reference = raised.reference.to_string();
    sms.apply(
        "ceo",
        at(10),
        cmd(json!({"op": "review_risk", "risk": reference, "notes": "seen"})),
    )
    .unwrap();
    // A key shaped like a reference is reserved.
    let e = sms
        .apply("ceo", at(11), identify("R-77", "ceo", "Minor", "Rare"))
        .unwrap_err();
    assert!(matches!(e, EngineError::ReservedKey { .. }), "{e}");
}

#[test]
fn a_risk_history_grows_with_its_actions_not_with_their_square() {
    let mut sms = engine();
    sms.apply("ro", at(1), identify("r", "ro", "Minor", "Rare"))
        .unwrap();
    let text = "d".repeat(1000);
    for i in 0..300 {
        sms.apply(
            "ro",
            at(2),
            cmd(
                json!({"op": "add_risk_action", "risk": "r", "description": format!("{i} {text}"),
                "owner": "ro", "due": "2026-12-31"}),
            ),
        )
        .unwrap();
    }
    let id = sms
        .risks()
        .risk_by_reference("R-1".parse().unwrap())
        .unwrap()
        .id;
    let size = serde_json::to_string(sms.risks().history(id))
        .unwrap()
        .len();
    // 300 actions of about 1 KB each: one copy per entry, not the whole list twice.
    assert!(size < 300 * 1300 * 2, "history of {size} bytes");
}

fn service() -> Value {
    json!({"service": {"size": "medium", "composition": "single",
        "provision_source": "centralized", "consumers": "external"}})
}

/// Runs steps that must all be accepted, from hour `t0`.
fn run(sms: &mut Sms, t0: i64, steps: Vec<(&str, Value)>) {
    for (i, (who, v)) in steps.into_iter().enumerate() {
        let step = v.to_string();
        let result = sms.apply(who, at(t0 + i64::try_from(i).unwrap()), cmd(v));
        assert!(result.is_ok(), "{step}: {result:?}");
    }
}

#[test]
fn a_delta_retiring_a_service_by_update_is_major_impact_and_no_standard_change() {
    let mut sms = controlled();
    // `svc` is not hardware and not in production: outside change control, added directly.
    add_ci(&mut sms, "svc", service(), json!({})).unwrap();
    run(
        &mut sms,
        2,
        vec![(
            "dev",
            json!({"op": "raise_change", "key": "c", "title": "Tidy", "targets": ["svc"],
                "category": {"standard": "reboot"},
                "delta": [{"edit": "update_ci", "ci": "svc", "update": {"status": "retired"}}]}),
        )],
    );
    run(
        &mut sms,
        3,
        vec![
            ("dev", json!({"op": "submit_change", "change": "c"})),
            ("cm", json!({"op": "assess_change", "change": "c"})),
        ],
    );
    let c = sms.changes().change(sms.change_id("c").unwrap()).unwrap();
    let a = c.assessment.as_ref().unwrap();
    assert_eq!(
        a.major_impact,
        ["its delta retires or removes service `svc`"]
    );
    assert!(!a.standard_model.as_ref().unwrap().applies);
    assert_ne!(c.status, itsm_change::ChangeStatus::Approved);
}

#[test]
fn a_standard_model_covers_what_the_delta_adds() {
    let mut sms = controlled();
    add_ci(
        &mut sms,
        "box",
        json!("hardware"),
        json!({"criticality": "low", "attributes": {"env": {"text": "test"}}}),
    )
    .unwrap();
    run(
        &mut sms,
        2,
        vec![
            (
                "dev",
                json!({"op": "raise_change", "key": "c", "title": "Reboot and more",
                "targets": ["box"], "category": {"standard": "reboot"},
                "delta": [{"edit": "add_ci", "key": "crm", "name": "CRM", "kind": "application"},
                          {"edit": "relate", "from": "crm", "kind": "runs_on", "to": "box"}]}),
            ),
            ("dev", json!({"op": "submit_change", "change": "c"})),
            ("cm", json!({"op": "assess_change", "change": "c"})),
        ],
    );
    let c = sms.changes().change(sms.change_id("c").unwrap()).unwrap();
    let m = c
        .assessment
        .as_ref()
        .unwrap()
        .standard_model
        .clone()
        .unwrap();
    assert!(!m.applies);
    assert!(
        m.reasons.iter().any(|r| r.contains("the delta adds `crm`")),
        "{m:?}"
    );
}

#[test]
fn a_change_whose_assessment_went_stale_cannot_be_scheduled_or_started() {
    let mut sms = controlled();
    // A host-like application, a payment service frozen for a while, and a middle layer.
    for k in ["host", "mid", "app"] {
        add_ci(&mut sms, k, json!("application"), json!({})).unwrap();
    }
    add_ci(&mut sms, "svc-pay", service(), json!({})).unwrap();
    run(
        &mut sms,
        2,
        vec![
            (
                "cfg",
                json!({"op": "relate", "from": "svc-pay", "kind": "depends_on", "to": "app"}),
            ),
            (
                "dev",
                json!({"op": "raise_change", "key": "c", "title": "Patch", "targets": ["host"],
                "implementer": "dev"}),
            ),
            ("dev", json!({"op": "submit_change", "change": "c"})),
            ("cm", json!({"op": "assess_change", "change": "c"})),
            ("cm", json!({"op": "approve_change", "change": "c"})),
            // After approval, the graph changes: the host now feeds the payment service.
            (
                "cfg",
                json!({"op": "relate", "from": "app", "kind": "depends_on", "to": "mid"}),
            ),
            (
                "cfg",
                json!({"op": "relate", "from": "mid", "kind": "depends_on", "to": "host"}),
            ),
        ],
    );
    let schedule = json!({"op": "schedule_change", "change": "c",
        "start": "2026-03-10T01:00:00Z", "end": "2026-03-10T02:00:00Z"});
    let e = sms.apply("cm", at(20), cmd(schedule.clone())).unwrap_err();
    assert!(
        e.to_string().contains("the services it affects changed"),
        "{e}"
    );
    // Assessed again, approved again, it goes on.
    run(
        &mut sms,
        21,
        vec![
            ("cm", json!({"op": "assess_change", "change": "c"})),
            ("cm", json!({"op": "approve_change", "change": "c"})),
            ("cm", schedule),
        ],
    );
    // Another edit after scheduling: starting is refused too.
    sms.apply(
        "cfg",
        at(30),
        cmd(json!({"op": "add_ci", "key": "svc-2", "name": "Two", "kind": service()})),
    )
    .unwrap();
    sms.apply(
        "cfg",
        at(31),
        cmd(json!({"op": "relate", "from": "svc-2", "kind": "depends_on", "to": "host"})),
    )
    .unwrap();
    let start = Utc.with_ymd_and_hms(2026, 3, 10, 1, 0, 0).unwrap();
    let e = sms
        .apply(
            "dev",
            start,
            cmd(json!({"op": "start_change", "change": "c"})),
        )
        .unwrap_err();
    assert!(e.to_string().contains("assess it again"), "{e}");
}

#[test]
fn a_normal_change_cannot_take_effect_inside_a_freeze() {
    let mut sms = controlled();
    add_ci(&mut sms, "app", json!("application"), json!({})).unwrap();
    run(
        &mut sms,
        2,
        vec![
            (
                "dev",
                json!({"op": "raise_change", "key": "c", "title": "Rename", "targets": ["app"],
                "implementer": "dev",
                "delta": [{"edit": "update_ci", "ci": "app", "update": {"name": "App 2"}}]}),
            ),
            ("dev", json!({"op": "submit_change", "change": "c"})),
            ("cm", json!({"op": "assess_change", "change": "c"})),
            ("cm", json!({"op": "approve_change", "change": "c"})),
            (
                "cm",
                json!({"op": "schedule_change", "change": "c",
                "start": "2026-12-19T20:00:00Z", "end": "2026-12-19T23:00:00Z"}),
            ),
        ],
    );
    let t = |d, h| Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap();
    sms.apply(
        "dev",
        t(19, 20),
        cmd(json!({"op": "start_change", "change": "c"})),
    )
    .unwrap();
    // The freeze begins on the 20th: completing successfully then is refused.
    let done = cmd(json!({"op": "complete_change", "change": "c", "outcome": "successful"}));
    let e = sms.apply("dev", t(21, 9), done).unwrap_err();
    assert!(e.to_string().contains("year-end freeze"), "{e}");
    assert_eq!(sms.cmdb().ci_by_key("app").unwrap().name, "app");
    // Backing out is always possible.
    sms.apply(
        "dev",
        t(21, 10),
        cmd(json!({"op": "complete_change", "change": "c", "outcome": "backed_out"})),
    )
    .unwrap();
}

#[test]
fn re_creating_an_imported_ci_keeps_it_under_the_policy() {
    let mut sms = Sms::new();
    sms.apply(
        "ceo",
        at(0),
        cmd(json!({"op": "define_organisation", "actors": [
                {"key": "ceo", "name": "CEO", "roles": ["top_management"]},
                {"key": "cfg", "name": "Cfg", "roles": [{"process_owner": "configuration_management"}]}
            ],
            "change_policy": {"blackouts": [{"name": "pay freeze", "start": "2026-03-10T00:00:00Z",
                "end": "2026-03-20T00:00:00Z", "services": ["svc-pay"]}]}})),
    )
    .unwrap();
    let mut imported = itsm_cmdb::Ci::new(
        "svc-pay",
        "Pay",
        itsm_cmdb::CiKind::Service(itsm_cmdb::ServiceProfile::default()),
    );
    imported.id = itsm_core::Id::from_key("discovery:1");
    sms.apply(
        "cfg",
        at(1),
        Command::ImportConfiguration {
            parts: Box::new(itsm_cmdb::CmdbParts {
                cis: vec![imported],
                ..itsm_cmdb::CmdbParts::default()
            }),
        },
    )
    .unwrap();
    let frozen = |sms: &Sms| sms.changes().policy().blackouts[0].services.clone();
    assert!(frozen(&sms).contains(&sms.cmdb().ci_by_key("svc-pay").unwrap().id));
    // Removed and added again, the service gets the id its key derives to: the freeze follows.
    sms.apply(
        "cfg",
        at(2),
        cmd(json!({"op": "remove_ci", "ci": "svc-pay"})),
    )
    .unwrap();
    sms.apply(
        "cfg",
        at(3),
        cmd(json!({"op": "add_ci", "key": "svc-pay", "name": "Pay", "kind": service()})),
    )
    .unwrap();
    let id = sms.cmdb().ci_by_key("svc-pay").unwrap().id;
    assert_eq!(id, itsm_core::Id::from_key("svc-pay"));
    assert!(frozen(&sms).contains(&id));
    assert_eq!(Sms::replay(sms.log()).unwrap(), sms);
}

#[test]
fn redefining_the_organisation_cannot_aim_a_policy_key_at_another_ci() {
    let mut sms = controlled();
    // `core-db` is imported with the id `lab-box` derives to.
    let mut ci = itsm_cmdb::Ci::new("core-db", "Core DB", itsm_cmdb::CiKind::Software);
    ci.id = itsm_core::Id::from_key("lab-box");
    sms.apply(
        "cfg",
        at(1),
        Command::ImportConfiguration {
            parts: Box::new(itsm_cmdb::CmdbParts {
                cis: vec![ci],
                ..itsm_cmdb::CmdbParts::default()
            }),
        },
    )
    .unwrap();
    let e = sms
        .apply(
            "ceo",
            at(2),
            cmd(json!({"op": "define_organisation", "actors": [
                    {"key": "ceo", "name": "CEO", "roles": ["top_management"]}],
                "change_policy": {"scope": [{"controlled": true}], "exclude": ["lab-box"]}})),
        )
        .unwrap_err();
    assert!(matches!(e, EngineError::KeyCollision { .. }), "{e}");
}

#[test]
fn imported_attributes_follow_the_text_rules() {
    let mut sms = controlled();
    let mut ci = itsm_cmdb::Ci::new("x", "X", itsm_cmdb::CiKind::Document);
    ci.attributes.insert(
        "owner\u{202e}".into(),
        itsm_cmdb::AttrValue::Text("ok".into()),
    );
    let e = import(&mut sms, "cfg", vec![ci]).unwrap_err();
    assert!(e.to_string().contains("bidirectional"), "{e}");
    let mut ci = itsm_cmdb::Ci::new("x", "X", itsm_cmdb::CiKind::Document);
    ci.attributes
        .insert("note".into(), itsm_cmdb::AttrValue::Text("a\u{7}b".into()));
    assert!(import(&mut sms, "cfg", vec![ci]).is_err());
}

#[test]
fn a_ci_an_open_change_targets_cannot_be_removed_under_it() {
    let mut sms = controlled();
    add_ci(&mut sms, "app", json!("application"), json!({})).unwrap();
    run(
        &mut sms,
        2,
        vec![(
            "dev",
            json!({"op": "raise_change", "key": "c", "title": "t", "targets": ["app"]}),
        )],
    );
    let e = sms
        .apply("cfg", at(3), cmd(json!({"op": "remove_ci", "ci": "app"})))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "`app` is a target of open change `c`; close or cancel the change first"
    );
    run(
        &mut sms,
        4,
        vec![
            (
                "dev",
                json!({"op": "cancel_change", "change": "c", "reason": "not needed"}),
            ),
            ("cfg", json!({"op": "remove_ci", "ci": "app"})),
        ],
    );
}
