//! The engine aggregate: authority, change control, cross-cutting rules, replay, snapshots.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a panic is a failing test"
)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use itsm_change::Outcome;
use itsm_cmdb::{CiKind, RelationKind, ServiceProfile};
use itsm_core::Role;
use itsm_engine::*;
use proptest::prelude::*;

fn at(h: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap() + TimeDelta::hours(h)
}

fn actor(key: &str, roles: &[Role]) -> ActorDef {
    ActorDef {
        key: key.into(),
        name: key.to_uppercase(),
        roles: roles.iter().copied().collect(),
        division: None,
    }
}

fn organisation() -> Command {
    Command::DefineOrganisation {
        actors: vec![
            actor("ceo", &[Role::TopManagement]),
            actor("cm", &[Role::ChangeManager]),
            actor(
                "ops",
                &[Role::Implementer, Role::ServiceOwner, Role::RiskOwner],
            ),
            actor("rm", &[Role::RiskManager]),
            actor("cab", &[Role::CabMember]),
            actor("guest", &[]),
        ],
        divisions: vec![DivisionDef {
            key: "retail".into(),
            name: "Retail".into(),
        }],
        matrix: None,
        appetite: Some(Box::new(AppetiteDef {
            default_threshold: "Medium".into(),
            divisions: [("retail".to_owned(), "Low".to_owned())]
                .into_iter()
                .collect(),
            authority: vec![
                itsm_risk::Authority {
                    role: Role::RiskManager,
                    up_to: "High".into(),
                },
                itsm_risk::Authority {
                    role: Role::RiskOwner,
                    up_to: "Low".into(),
                },
            ],
            escalate_at: "High".into(),
            corporate_at: None,
        })),
        change_policy: Some(Box::new(itsm_testkit::change_policy::engine_policy())),
    }
}

fn add_ci(key: &str, kind: CiKind) -> Command {
    Command::AddCi(CiDef {
        criticality: Some(itsm_cmdb::Criticality::Critical),
        ..CiDef::new(key, key, kind)
    })
}

fn engine() -> Sms {
    let mut sms = Sms::new();
    sms.apply("ceo", at(0), organisation()).unwrap();
    sms.apply(
        "ops",
        at(1),
        add_ci("svc-shop", CiKind::Service(ServiceProfile::default())),
    )
    .unwrap();
    sms.apply("ops", at(1), add_ci("app-shop", CiKind::Application))
        .unwrap();
    sms.apply(
        "ops",
        at(1),
        Command::Relate {
            from: "svc-shop".into(),
            kind: RelationKind::DependsOn,
            to: "app-shop".into(),
        },
    )
    .unwrap();
    sms
}

#[test]
fn bootstrap_and_redefinition_need_top_management() {
    let mut sms = Sms::new();
    let e = sms.apply("cm", at(0), organisation()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cm may not define the organisation: it needs one of the roles `top_management`"
    );
    assert!(matches!(
        sms.apply("nobody", at(0), organisation()),
        Err(EngineError::UnknownActor { .. })
    ));
    sms.apply("ceo", at(0), organisation()).unwrap();
    assert!(sms.apply("cm", at(1), organisation()).is_err());
    sms.apply("ceo", at(1), organisation()).unwrap();
    assert_eq!(sms.log().len(), 2);
}

#[test]
fn controlled_cis_change_only_through_changes() {
    let mut sms = engine();
    let before = sms.clone();
    let e = sms
        .apply("ops", at(2), add_ci("host-1", CiKind::Hardware))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "`host-1` is under change control by scope rule 1 (kind `hardware`); add it through a change"
    );
    assert!(matches!(
        sms.apply("guest", at(2), add_ci("app-2", CiKind::Application)),
        Err(EngineError::NotAuthorized { .. })
    ));
    assert_eq!(
        sms, before,
        "refused commands change nothing and are not logged"
    );
    // Through a change: raise, submit, assess, approve, schedule, start, complete.
    let delta = vec![
        DeltaDef::AddCi(CiDef::new("host-1", "Host 1", CiKind::Hardware)),
        DeltaDef::Relate {
            from: "app-shop".into(),
            kind: RelationKind::RunsOn,
            to: "host-1".into(),
        },
    ];
    let raise = Command::RaiseChange {
        key: "chg-host".into(),
        title: "Give the shop a host".into(),
        category: None,
        nature: None,
        targets: vec!["app-shop".into()],
        implementer: Some("ops".into()),
        delta,
        estimated_cost: None,
        factors: Default::default(),
        new_technology: false,
        objective_effects: Default::default(),
        not_doing: None,
    };
    let ev = sms.apply("ops", at(2), raise).unwrap();
    assert_eq!(
        ev[0].effects,
        [Effect::ChangeRaised {
            key: "chg-host".into(),
            reference: "CHG-1".into()
        }]
    );
    sms.apply(
        "ops",
        at(3),
        Command::SubmitChange {
            change: "chg-host".into(),
        },
    )
    .unwrap();
    assert!(matches!(
        sms.apply(
            "ops",
            at(3),
            Command::AssessChange {
                change: "chg-host".into()
            }
        ),
        Err(EngineError::NotAuthorized { .. })
    ));
    let ev = sms
        .apply(
            "cm",
            at(4),
            Command::AssessChange {
                change: "chg-host".into(),
            },
        )
        .unwrap();
    // The shop is critical: the change rates High, which raises a linked risk and escalates it.
    assert!(
        matches!(&ev[0].effects[0], Effect::RiskRaisedFromChange { change, .. } if change == "chg-host"),
        "{:?}",
        ev[0].effects
    );
    assert!(
        ev[0]
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Escalated(_)))
    );
    sms.apply(
        "cm",
        at(5),
        Command::ApproveChange {
            change: "chg-host".into(),
        },
    )
    .unwrap();
    sms.apply(
        "cab",
        at(5),
        Command::ApproveChange {
            change: "chg-host".into(),
        },
    )
    .unwrap();
    sms.apply(
        "cm",
        at(6),
        Command::ScheduleChange {
            change: "chg-host".into(),
            start: at(10),
            end: at(12),
        },
    )
    .unwrap();
    assert!(matches!(
        sms.apply(
            "guest",
            at(10),
            Command::StartChange {
                change: "chg-host".into()
            }
        ),
        Err(EngineError::NotAuthorized { .. })
    ));
    sms.apply(
        "ops",
        at(10),
        Command::StartChange {
            change: "chg-host".into(),
        },
    )
    .unwrap();
    let ev = sms
        .apply(
            "ops",
            at(11),
            Command::CompleteChange {
                change: "chg-host".into(),
                outcome: Outcome::Successful,
            },
        )
        .unwrap();
    assert!(matches!(
        &ev[0].effects[..],
        [Effect::ConfigurationApplied { .. }]
    ));
    let host = sms.cmdb().ci_by_key("host-1").unwrap();
    assert_eq!(host.last_change, sms.change_id("chg-host"));
    // And a direct edit of it is still refused.
    assert!(matches!(
        sms.apply(
            "ops",
            at(12),
            Command::RetireCi {
                ci: "host-1".into()
            }
        ),
        Err(EngineError::ChangeControlled { .. })
    ));
    let replayed = Sms::replay(sms.log()).unwrap();
    assert_eq!(replayed, sms);
    let json = serde_json::to_string(&sms).unwrap();
    assert_eq!(serde_json::from_str::<Sms>(&json).unwrap(), sms);
    // A snapshot whose key maps do not match its registers is refused.
    let forged = json.replacen("\"chg-host\":\"", "\"chg-host\":\"0", 1);
    assert_ne!(forged, json);
    assert!(serde_json::from_str::<Sms>(&forged).is_err());
}

#[test]
fn risk_authority_and_appetite_through_the_engine() {
    let mut sms = engine();
    let identify = Command::IdentifyRisk {
        key: "outage".into(),
        title: "Shop outage at peak".into(),
        category: "availability".into(),
        owner: "ops".into(),
        description: String::new(),
        kind: None,
        pillars: Default::default(),
        register: None,
        division: Some("retail".into()),
        links: LinksDef {
            cis: vec!["svc-shop".into()],
            ..LinksDef::default()
        },
        source: None,
        inherent: Some(ScoreDef {
            impact: "Moderate".into(),
            likelihood: "Possible".into(),
        }),
        target_date: None,
        review_interval_days: Some(30),
    };
    // `ops` belongs to no division: filing under retail is for a risk manager.
    assert!(matches!(
        sms.apply("ops", at(2), identify.clone()),
        Err(EngineError::NotAuthorized { .. })
    ));
    let ev = sms.apply("rm", at(2), identify.clone()).unwrap();
    assert!(matches!(&ev[0].effects[0], Effect::RiskIdentified { key, .. } if key == "outage"));
    assert!(matches!(
        sms.apply("rm", at(2), identify),
        Err(EngineError::Duplicate { what: "risk", .. })
    ));
    let accept = Command::AcceptRisk {
        risk: "outage".into(),
        until: at(500).date_naive(),
        rationale: "seasonal".into(),
    };
    // Medium is above retail's appetite (Low): only top management may accept.
    let e = sms.apply("rm", at(3), accept.clone()).unwrap_err();
    assert!(
        e.to_string().contains("only top management may accept it"),
        "{e}"
    );
    sms.apply("ceo", at(3), accept).unwrap();
    assert!(matches!(
        sms.apply(
            "guest",
            at(4),
            Command::ReviewRisk {
                risk: "outage".into(),
                notes: "x".into()
            }
        ),
        Err(EngineError::NotAuthorized { .. })
    ));
    let ev = sms
        .apply(
            "ops",
            at(5),
            Command::MaterializeRisk {
                risk: "outage".into(),
                note: "down 2 h".into(),
            },
        )
        .unwrap();
    assert!(
        matches!(&ev[0].effects[..], [Effect::Escalated(e)] if e.reason == itsm_risk::EscalationReason::Materialized)
    );
    assert_eq!(Sms::replay(sms.log()).unwrap(), sms);
}

/// A pool of commands, valid or not depending on the state they meet.
fn command() -> impl Strategy<Value = (usize, Command)> {
    let cis = ["svc-shop", "app-shop", "app-2", "host-9", "db-1"];
    let ci = proptest::sample::select(cis.to_vec());
    let who = 0usize..6;
    let risk_key = proptest::sample::select(vec!["r1", "r2"]);
    let change_key = proptest::sample::select(vec!["c1", "c2"]);
    prop_oneof![
        (who.clone(), ci.clone()).prop_map(|(w, k)| (
            w,
            add_ci(
                k,
                if k.starts_with("host") {
                    CiKind::Hardware
                } else {
                    CiKind::Application
                }
            )
        )),
        (who.clone(), ci.clone(), ci.clone()).prop_map(|(w, a, b)| (
            w,
            Command::Relate {
                from: a.into(),
                kind: RelationKind::DependsOn,
                to: b.into()
            }
        )),
        (who.clone(), ci.clone()).prop_map(|(w, k)| (w, Command::RetireCi { ci: k.into() })),
        (who.clone(), risk_key.clone(), 0usize..5, 0usize..5).prop_map(|(w, k, i, l)| {
            let imp = [
                "Insignificant",
                "Minor",
                "Moderate",
                "Major",
                "Catastrophic",
            ];
            let lik = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];
            (
                w,
                Command::IdentifyRisk {
                    key: k.into(),
                    title: "risk".into(),
                    category: "c".into(),
                    owner: "ops".into(),
                    description: String::new(),
                    kind: None,
                    pillars: Default::default(),
                    register: None,
                    division: None,
                    links: LinksDef::default(),
                    source: None,
                    inherent: Some(ScoreDef {
                        impact: imp[i].into(),
                        likelihood: lik[l].into(),
                    }),
                    target_date: None,
                    review_interval_days: None,
                },
            )
        }),
        (who.clone(), risk_key.clone()).prop_map(|(w, k)| (
            w,
            Command::AcceptRisk {
                risk: k.into(),
                until: at(1000).date_naive(),
                rationale: "ok".into()
            }
        )),
        (who.clone(), risk_key.clone()).prop_map(|(w, k)| (
            w,
            Command::MaterializeRisk {
                risk: k.into(),
                note: "x".into()
            }
        )),
        (who.clone(), risk_key).prop_map(|(w, k)| (
            w,
            Command::CloseRisk {
                risk: k.into(),
                note: String::new()
            }
        )),
        (who.clone(), change_key.clone(), ci).prop_map(|(w, k, t)| (
            w,
            Command::RaiseChange {
                key: k.into(),
                title: "t".into(),
                category: None,
                nature: None,
                targets: vec![t.into()],
                implementer: Some("ops".into()),
                delta: vec![DeltaDef::UpdateCi {
                    ci: t.into(),
                    update: CiUpdateDef {
                        name: Some("changed".into()),
                        ..CiUpdateDef::default()
                    }
                }],
                estimated_cost: None,
                factors: Default::default(),
                new_technology: false,
                objective_effects: Default::default(),
                not_doing: None,
            }
        )),
        (who.clone(), change_key.clone())
            .prop_map(|(w, k)| (w, Command::SubmitChange { change: k.into() })),
        (who.clone(), change_key.clone())
            .prop_map(|(w, k)| (w, Command::AssessChange { change: k.into() })),
        (who.clone(), change_key.clone())
            .prop_map(|(w, k)| (w, Command::ApproveChange { change: k.into() })),
        (who.clone(), change_key.clone(), 0i64..100).prop_map(|(w, k, h)| (
            w,
            Command::ScheduleChange {
                change: k.into(),
                start: at(h),
                end: at(h + 2)
            }
        )),
        (who.clone(), change_key.clone())
            .prop_map(|(w, k)| (w, Command::StartChange { change: k.into() })),
        (who, change_key, 0usize..3).prop_map(|(w, k, o)| (
            w,
            Command::CompleteChange {
                change: k.into(),
                outcome: [Outcome::Successful, Outcome::Failed, Outcome::BackedOut][o]
            }
        )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn live_state_equals_replay_refusals_change_nothing_snapshots_round_trip(cmds in proptest::collection::vec(command(), 1..60)) {
        let actors = ["ceo", "cm", "ops", "rm", "cab", "guest"];
        let mut sms = engine();
        for (i, (who, cmd)) in cmds.into_iter().enumerate() {
            let before = sms.clone();
            let t = at(2 + i64::try_from(i).unwrap());
            if sms.apply(actors[who], t, cmd).is_err() {
                prop_assert_eq!(&sms, &before);
            }
        }
        let replayed = Sms::replay(sms.log()).unwrap();
        prop_assert_eq!(&replayed, &sms);
        let json = serde_json::to_string(&sms).unwrap();
        prop_assert_eq!(serde_json::from_str::<Sms>(&json).unwrap(), sms);
    }
}

#[test]
fn imported_configuration_is_addressed_by_key() {
    let mut sms = Sms::new();
    sms.apply("ceo", at(0), organisation()).unwrap();
    // Ids from another system: not derived from the keys.
    let mut a = itsm_cmdb::Ci::new("app-imported", "Imported app", CiKind::Application);
    a.id = itsm_core::Id::from_u128(42);
    let mut b = itsm_cmdb::Ci::new(
        "svc-imported",
        "Imported service",
        CiKind::Service(ServiceProfile::default()),
    );
    b.id = itsm_core::Id::from_u128(43);
    let r = itsm_cmdb::Relation::new(b.id, RelationKind::DependsOn, a.id);
    let parts = itsm_cmdb::CmdbParts {
        cis: vec![a, b],
        relations: vec![r],
        ..Default::default()
    };
    sms.apply(
        "guest",
        at(1),
        Command::ImportConfiguration {
            parts: Box::new(parts.clone()),
        },
    )
    .unwrap_err();
    // Import is for configuration management (or top management), not implementers.
    sms.apply(
        "ops",
        at(1),
        Command::ImportConfiguration {
            parts: Box::new(parts.clone()),
        },
    )
    .unwrap_err();
    sms.apply(
        "ceo",
        at(1),
        Command::ImportConfiguration {
            parts: Box::new(parts.clone()),
        },
    )
    .unwrap();
    let e = sms
        .apply(
            "ceo",
            at(1),
            Command::ImportConfiguration {
                parts: Box::new(parts),
            },
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the CMDB already holds 2 configuration item(s); import into an empty CMDB"
    );
    sms.apply(
        "ops",
        at(2),
        Command::UpdateCi {
            ci: "app-imported".into(),
            update: CiUpdateDef {
                name: Some("renamed".into()),
                ..CiUpdateDef::default()
            },
        },
    )
    .unwrap();
    let answer = sms
        .query(&Query::Impact {
            failed: vec!["app-imported".into()],
        })
        .unwrap();
    let Answer::Impact(i) = answer else {
        panic!("not an impact")
    };
    assert_eq!(i.services_down, ["svc-imported"]);
    assert_eq!(Sms::replay(sms.log()).unwrap(), sms);
}

#[test]
fn removals_and_risk_updates() {
    let mut sms = engine();
    sms.apply("ops", at(2), add_ci("app-b", CiKind::Application))
        .unwrap();
    sms.apply(
        "ops",
        at(2),
        Command::Relate {
            from: "svc-shop".into(),
            kind: RelationKind::DependsOn,
            to: "app-b".into(),
        },
    )
    .unwrap();
    sms.apply(
        "ops",
        at(2),
        Command::AddRedundancyGroup {
            name: "apps".into(),
            dependent: "svc-shop".into(),
            members: vec!["app-shop".into(), "app-b".into()],
            min_up: 1,
        },
    )
    .unwrap();
    let before = sms.clone();
    let e = sms
        .apply(
            "ops",
            at(3),
            Command::RemoveCi {
                ci: "app-b".into(),
                cascade: false,
            },
        )
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("cannot be removed: 1 configuration item(s) depend on it (svc-shop)"),
        "{e}"
    );
    assert_eq!(sms, before);
    // Cascading would leave the 1-of-2 group with one member: still valid.
    sms.apply(
        "ops",
        at(3),
        Command::RemoveCi {
            ci: "app-b".into(),
            cascade: true,
        },
    )
    .unwrap();
    assert!(sms.cmdb().ci_by_key("app-b").is_none());
    sms.apply(
        "ops",
        at(4),
        Command::RemoveRedundancyGroup {
            name: "apps".into(),
        },
    )
    .unwrap();
    assert!(matches!(
        sms.apply(
            "ops",
            at(4),
            Command::RemoveRedundancyGroup {
                name: "apps".into()
            }
        ),
        Err(EngineError::UnknownGroup { .. })
    ));
    let identify = Command::IdentifyRisk {
        key: "r".into(),
        title: "Old title".into(),
        category: "c".into(),
        owner: "ops".into(),
        description: String::new(),
        kind: None,
        pillars: Default::default(),
        register: None,
        division: None,
        links: LinksDef::default(),
        source: None,
        inherent: None,
        target_date: None,
        review_interval_days: None,
    };
    sms.apply("ops", at(5), identify).unwrap();
    let update = Command::UpdateRisk {
        risk: "r".into(),
        title: Some("New title".into()),
        description: None,
        category: None,
        owner: Some("rm".into()),
        target_date: None,
        review_interval_days: Some(30),
    };
    assert!(matches!(
        sms.apply("guest", at(6), update.clone()),
        Err(EngineError::NotAuthorized { .. })
    ));
    sms.apply("ops", at(6), update).unwrap();
    let r = sms
        .risks()
        .risk_by_reference(sms.risk_reference("r").unwrap())
        .unwrap();
    assert_eq!(
        (r.title.as_str(), r.owner, r.review_interval_days),
        ("New title", sms.actor("rm").unwrap().id, Some(30))
    );
    assert_eq!(Sms::replay(sms.log()).unwrap(), sms);
}
