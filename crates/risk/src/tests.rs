//! Behaviour of the register: validation, authority, state machine, escalation, history.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use itsm_core::{Actor, Division, Id, Period, Role};

use crate::*;

pub(crate) fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap()
}

pub(crate) fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

pub(crate) struct People {
    pub(crate) top: Actor,
    pub(crate) manager: Actor,
    pub(crate) owner: Actor,
    pub(crate) nobody: Actor,
}

pub(crate) fn people() -> People {
    People {
        top: Actor::new("ceo", "Chief Executive", [Role::TopManagement]).unwrap(),
        manager: Actor::new("rm", "Risk Manager", [Role::RiskManager]).unwrap(),
        owner: Actor::new("ro", "Risk Owner", [Role::RiskOwner]).unwrap(),
        nobody: Actor::new("x", "Intern", []).unwrap(),
    }
}

pub(crate) fn retail() -> Id<Division> {
    Division::new("retail", "Retail").unwrap().id
}

pub(crate) fn register() -> RiskRegister {
    let appetite = RiskAppetite {
        default_threshold: "Medium".into(),
        divisions: [("retail".to_owned(), "Low".to_owned())]
            .into_iter()
            .collect(),
        authority: vec![
            Authority {
                role: Role::RiskOwner,
                up_to: "Medium".into(),
            },
            Authority {
                role: Role::RiskManager,
                up_to: "High".into(),
            },
        ],
        escalate_at: "High".into(),
        corporate_at: Some("Critical".into()),
    };
    RiskRegister::new(RiskMatrix::standard_5x5(), appetite).unwrap()
}

fn new(p: &People, impact: &str, likelihood: &str) -> NewRisk {
    let mut n = NewRisk::new("Backup failure", "technology", p.owner.id);
    n.inherent = Some(Score::new(impact, likelihood));
    n
}

#[test]
fn identification_allocates_references_and_validates() {
    let p = people();
    let mut reg = register();
    let r1 = reg
        .identify(&p.owner, at(1), new(&p, "Minor", "Rare"))
        .unwrap()
        .reference;
    let r2 = reg
        .identify(&p.owner, at(1), new(&p, "Minor", "Rare"))
        .unwrap()
        .reference;
    assert_eq!((r1, r2), (Reference::new(1), Reference::new(2)));
    let before = reg.clone();
    let mut bad = new(&p, "Minor", "Rare");
    bad.owner = None;
    assert_eq!(
        reg.identify(&p.owner, at(1), bad).unwrap_err().to_string(),
        "R-3: `owner` is required: every risk has an owner"
    );
    let mut bad = new(&p, "Minor", "Rare");
    bad.target_date = Some(date(2, 1));
    assert_eq!(
        reg.identify(&p.owner, at(1), bad).unwrap_err().to_string(),
        "R-3: target date `2026-02-01` is before identification date `2026-03-01`"
    );
    assert_eq!(
        reg.identify(&p.owner, at(1), new(&p, "Huge", "Rare"))
            .unwrap_err()
            .to_string(),
        "`Huge` is not a level of the impact scale"
    );
    let mut bad = new(&p, "Minor", "Rare");
    bad.category = " ".into();
    assert!(matches!(
        reg.identify(&p.owner, at(1), bad),
        Err(RiskError::Empty {
            field: "category",
            ..
        })
    ));
    let mut bad = new(&p, "Minor", "Rare");
    bad.register = RegisterKind::InformationSecurity(Default::default());
    assert!(matches!(
        reg.identify(&p.owner, at(1), bad),
        Err(RiskError::Missing {
            field: "register",
            ..
        })
    ));
    assert_eq!(reg, before);
    // A reference is never reused: the next one is R-3.
    assert_eq!(
        reg.identify(&p.owner, at(2), new(&p, "Minor", "Rare"))
            .unwrap()
            .reference,
        "R-3"
    );
    assert_eq!(
        reg.risk_by_reference(Reference::new(2))
            .map(|r| r.reference),
        Some(Reference::new(2))
    );
    assert!(reg.risk_by_reference(Reference::new(9)).is_none());
}

#[test]
fn assessment_rules() {
    let p = people();
    let mut reg = register();
    let id = reg
        .identify(&p.owner, at(1), new(&p, "Moderate", "Possible"))
        .unwrap()
        .id;
    assert_eq!(reg.risk(id).unwrap().status, RiskStatus::New);
    let before = reg.clone();
    let worse = Assessment {
        residual: Some(Score::new("Major", "Likely")),
        ..Assessment::default()
    };
    let e = reg
        .assess(&p.manager, at(2), id, worse.clone())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "R-1: residual `High` is a higher level than inherent `Medium`; give a rationale"
    );
    assert!(matches!(
        reg.assess(&p.manager, at(2), id, Assessment::default()),
        Err(RiskError::Missing { .. })
    ));
    assert_eq!(reg, before);
    // With a reason it is accepted (e.g. a control that failed).
    let reasoned = Assessment {
        rationale: Some("the backup control failed its test".into()),
        ..worse
    };
    let r = reg.assess(&p.manager, at(2), id, reasoned).unwrap();
    assert_eq!(
        (r.status, r.current().unwrap().level.as_str()),
        (RiskStatus::Open, "High")
    );
    // Re-scoring a High risk needs authority over High: the owner's rung stops at Medium.
    let down = Assessment {
        residual: Some(Score::new("Minor", "Rare")),
        ..Assessment::default()
    };
    let e = reg.assess(&p.owner, at(3), id, down.clone()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "R-1: Risk Owner may not re-score a `High` risk; the authority ladder lets `risk_manager`, `top_management` do so"
    );
    reg.assess(&p.manager, at(3), id, down).unwrap();
}

#[test]
fn acceptance_follows_appetite_and_ladder() {
    let p = people();
    let mut reg = register();
    let medium = reg
        .identify(&p.owner, at(1), new(&p, "Moderate", "Possible"))
        .unwrap()
        .id;
    let high = reg
        .identify(&p.owner, at(1), new(&p, "Major", "Likely"))
        .unwrap()
        .id;
    let mut in_retail = new(&p, "Minor", "Unlikely"); // Low... 4: Low
    in_retail.division = Some(retail());
    let retail_medium = {
        let mut n = new(&p, "Moderate", "Possible");
        n.division = Some(retail());
        reg.identify(&p.owner, at(1), n).unwrap().id
    };
    let retail_low = reg.identify(&p.owner, at(1), in_retail).unwrap().id;
    let until = date(12, 31);
    let before = reg.clone();
    // High is above the default appetite (Medium): the risk manager may not accept it.
    let e = reg
        .accept(&p.manager, at(2), high, until, "cost")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "R-2: `High` is above the default appetite (`Medium`); only top management may accept it"
    );
    // Retail's appetite is Low: Medium is above it there, not elsewhere.
    assert!(matches!(
        reg.accept(&p.owner, at(2), retail_medium, until, "x"),
        Err(RiskError::AboveAppetite { .. })
    ));
    // Within appetite, the ladder decides: nobody has no rung.
    assert!(matches!(
        reg.accept(&p.nobody, at(2), medium, until, "x"),
        Err(RiskError::NoAuthority { .. })
    ));
    assert!(matches!(
        reg.accept(&p.owner, at(2), medium, until, " "),
        Err(RiskError::Empty { .. })
    ));
    assert!(matches!(
        reg.accept(&p.owner, at(2), medium, date(1, 1), "x"),
        Err(RiskError::DateOrder { .. })
    ));
    assert_eq!(reg, before);
    reg.accept(&p.owner, at(2), medium, until, "within appetite")
        .unwrap();
    reg.accept(&p.owner, at(2), retail_low, until, "within appetite")
        .unwrap();
    let r = reg
        .accept(&p.top, at(2), high, until, "budget next year")
        .unwrap();
    assert!(
        matches!(&r.treatment, Some(Treatment::Accept(a)) if a.by == p.top.id && a.until == until)
    );
    // Unassessed risks cannot be accepted.
    let unrated = reg
        .identify(&p.owner, at(2), NewRisk::new("Unknown", "misc", p.owner.id))
        .unwrap()
        .id;
    assert!(matches!(
        reg.accept(&p.top, at(2), unrated, until, "x"),
        Err(RiskError::NotAssessed { .. })
    ));
}

#[test]
fn actions_state_machine_and_closing() {
    let p = people();
    let mut reg = register();
    let id = reg
        .identify(&p.owner, at(1), new(&p, "Moderate", "Possible"))
        .unwrap()
        .id;
    let before = reg.clone();
    let no_owner = NewAction {
        description: "Test restores".into(),
        owner: None,
        due: date(4, 1),
    };
    assert_eq!(
        reg.add_action(&p.owner, at(2), id, no_owner)
            .unwrap_err()
            .to_string(),
        "R-1: `action owner` is required: every mitigation action has an owner"
    );
    let early = NewAction {
        description: "x".into(),
        owner: Some(p.owner.id),
        due: date(1, 1),
    };
    assert!(matches!(
        reg.add_action(&p.owner, at(2), id, early),
        Err(RiskError::DateOrder { .. })
    ));
    assert_eq!(reg, before);
    let a = NewAction {
        description: "Test restores monthly".into(),
        owner: Some(p.owner.id),
        due: date(4, 1),
    };
    let r = reg.add_action(&p.owner, at(2), id, a).unwrap();
    assert_eq!(
        (r.actions[0].number, r.treatment.clone(), r.status),
        (1, Some(Treatment::Mitigate), RiskStatus::Open)
    );
    let e = reg.close(&p.owner, at(3), id, "done").unwrap_err();
    assert_eq!(
        e.to_string(),
        "R-1: cannot close with 1 open mitigation action(s) (first: #1)"
    );
    assert!(matches!(
        reg.complete_action(&p.owner, at(3), id, 7),
        Err(RiskError::UnknownAction { number: 7, .. })
    ));
    reg.complete_action(&p.owner, at(3), id, 1).unwrap();
    assert!(matches!(
        reg.complete_action(&p.owner, at(3), id, 1),
        Err(RiskError::ActionComplete { .. })
    ));
    assert!(matches!(
        reg.close(&p.nobody, at(4), id, ""),
        Err(RiskError::NoAuthority {
            action: "close",
            ..
        })
    ));
    reg.close(&p.owner, at(4), id, "restores proven").unwrap();
    // Closed: no assessment, no materializing, no second close; reopen needs a reason.
    assert!(matches!(
        reg.assess(
            &p.manager,
            at(5),
            id,
            Assessment {
                inherent: Some(Score::new("Minor", "Rare")),
                ..Default::default()
            }
        ),
        Err(RiskError::RiskClosed { .. })
    ));
    assert_eq!(
        reg.materialize(&p.owner, at(5), id, "")
            .unwrap_err()
            .to_string(),
        "R-1: cannot go from closed to materialized"
    );
    assert!(matches!(
        reg.close(&p.owner, at(5), id, ""),
        Err(RiskError::IllegalTransition { .. })
    ));
    assert!(matches!(
        reg.reopen(&p.owner, at(5), id, " "),
        Err(RiskError::Empty { .. })
    ));
    reg.reopen(&p.owner, at(5), id, "restore failed again")
        .unwrap();
    assert!(matches!(
        reg.reopen(&p.owner, at(5), id, "again"),
        Err(RiskError::IllegalTransition { .. })
    ));
    let r = reg
        .materialize(&p.owner, at(6), id, "restore failed in production")
        .unwrap();
    assert_eq!(r.status, RiskStatus::Materialized);
    assert!(
        reg.escalations(at(6))
            .iter()
            .any(|e| e.reason == EscalationReason::Materialized)
    );
}

#[test]
fn escalation_and_corporate_copy() {
    let p = people();
    let mut reg = register();
    let low = reg
        .identify(&p.owner, at(1), new(&p, "Minor", "Rare"))
        .unwrap()
        .id;
    assert!(reg.escalations(at(1)).is_empty());
    // Rising to High is escalated once; staying High is not escalated again.
    reg.assess(
        &p.manager,
        at(2),
        low,
        Assessment {
            inherent: Some(Score::new("Major", "Likely")),
            ..Default::default()
        },
    )
    .unwrap();
    reg.assess(
        &p.manager,
        at(3),
        low,
        Assessment {
            inherent: Some(Score::new("Major", "Possible")),
            ..Default::default()
        },
    )
    .unwrap();
    let e: Vec<_> = reg
        .escalations(at(1))
        .into_iter()
        .map(|e| (e.risk, e.reason, e.level.clone()))
        .collect();
    assert_eq!(
        e,
        [(
            Reference::new(1),
            EscalationReason::Rose,
            Some("High".to_owned())
        )]
    );
    // Critical at identification: escalated and copied to the corporate register as R-3.
    let crit = reg
        .identify(&p.owner, at(4), new(&p, "Catastrophic", "Almost certain"))
        .unwrap()
        .clone();
    assert_eq!(crit.corporate_link, Some(Reference::new(3)));
    let copy = reg.risk_by_reference(Reference::new(3)).unwrap();
    assert_eq!(
        (copy.register.clone(), copy.corporate_link),
        (RegisterKind::Corporate, Some(Reference::new(2)))
    );
    let reasons: Vec<_> = reg
        .escalations(at(4))
        .into_iter()
        .map(|e| (e.risk, e.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            (Reference::new(2), EscalationReason::Identified),
            (Reference::new(2), EscalationReason::CopiedToCorporate)
        ]
    );
    assert_eq!(
        reg.history(copy.id)[0].note.as_deref(),
        Some("copied to the corporate register from R-2")
    );
    // Rising to Critical later also copies.
    reg.assess(
        &p.top,
        at(5),
        low,
        Assessment {
            inherent: Some(Score::new("Catastrophic", "Likely")),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        reg.risk(low).unwrap().corporate_link,
        Some(Reference::new(4))
    );
}

#[test]
fn avoiding_and_transferring() {
    let p = people();
    let mut reg = register();
    let id = reg
        .identify(&p.owner, at(1), new(&p, "Major", "Likely"))
        .unwrap()
        .id;
    assert!(matches!(
        reg.plan_treatment(&p.manager, at(2), id, Treatment::Avoid { how: " ".into() }),
        Err(RiskError::Empty { .. })
    ));
    let r = reg
        .plan_treatment(
            &p.manager,
            at(2),
            id,
            Treatment::Avoid {
                how: "retire the legacy portal".into(),
            },
        )
        .unwrap();
    assert!(r.current().is_none(), "an avoided risk has no residual");
    // The owner's rung (Medium) does not reach the level the risk carried (High): avoiding
    // does not open a way to close it.
    assert!(matches!(
        reg.close(&p.owner, at(3), id, "avoided"),
        Err(RiskError::NoAuthority { .. })
    ));
    let other = reg
        .identify(&p.owner, at(1), new(&p, "Moderate", "Likely"))
        .unwrap()
        .id;
    let r = reg
        .transfer(
            &p.manager,
            at(2),
            other,
            Id::from_key("insurer"),
            "cyber insurance policy 42",
        )
        .unwrap();
    assert!(matches!(r.treatment, Some(Treatment::Transfer { .. })));
    // Acceptance through plan_treatment is checked like accept().
    let forged = Treatment::Accept(Acceptance {
        by: p.top.id,
        until: date(12, 1),
        rationale: "x".into(),
    });
    assert!(matches!(
        reg.plan_treatment(&p.manager, at(2), other, forged),
        Err(RiskError::Missing {
            field: "acceptance.by",
            ..
        })
    ));
}

#[test]
fn history_replays_to_the_risk_and_the_register_round_trips() {
    let p = people();
    let mut reg = register();
    let id = reg
        .identify(&p.owner, at(1), new(&p, "Moderate", "Possible"))
        .unwrap()
        .id;
    reg.update(
        &p.owner,
        at(2),
        id,
        RiskUpdate {
            title: Some("Backups untested".into()),
            review_interval_days: Some(Some(30)),
            ..Default::default()
        },
    )
    .unwrap();
    reg.review(&p.manager, at(3), id, "checked with ops")
        .unwrap();
    let h = reg.history(id);
    assert_eq!(
        h.iter().map(|e| e.operation).collect::<Vec<_>>(),
        [Operation::Identify, Operation::Update, Operation::Review]
    );
    let update = &h[1];
    let fields: Vec<&str> = update.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(
        fields,
        ["next_review", "review_interval_days", "title", "version"]
    );
    assert_eq!(
        update.changes[2].before,
        serde_json::json!("Backup failure")
    );
    assert_eq!(reg.risk(id).unwrap().next_review, Some(date(4, 2)));
    assert_eq!(replay(h).as_ref(), reg.risk(id));
    let json = serde_json::to_string(&reg).unwrap();
    let back: RiskRegister = serde_json::from_str(&json).unwrap();
    assert_eq!(back, reg);
    // A tampered snapshot (history no longer explains the risk) is refused.
    let tampered = json.replacen(
        "\"title\":\"Backups untested\"",
        "\"title\":\"Nothing to see\"",
        1,
    );
    assert!(
        serde_json::from_str::<RiskRegister>(&tampered)
            .unwrap_err()
            .to_string()
            .contains("does not replay")
    );
    // So is a rating the matrix would not give.
    let forged = json.replacen(
        "\"score\":9,\"level\":\"Medium\"",
        "\"score\":9,\"level\":\"High\"",
        1,
    );
    assert_ne!(forged, json);
    assert!(
        serde_json::from_str::<RiskRegister>(&forged)
            .unwrap_err()
            .to_string()
            .contains("does not match the matrix")
    );
}

#[test]
fn report_sections() {
    let p = people();
    let mut reg = register();
    let a = reg
        .identify(&p.owner, at(1), new(&p, "Major", "Likely"))
        .unwrap()
        .id;
    let b = reg
        .identify(&p.owner, at(2), new(&p, "Minor", "Rare"))
        .unwrap()
        .id;
    let mut opp = new(&p, "Moderate", "Likely");
    opp.kind = RiskKind::Opportunity;
    opp.title = "ISO/IEC 20000-1 certification".into();
    reg.identify(&p.owner, at(3), opp).unwrap();
    reg.assess(
        &p.manager,
        at(4),
        a,
        Assessment {
            residual: Some(Score::new("Moderate", "Possible")),
            ..Default::default()
        },
    )
    .unwrap();
    reg.add_action(
        &p.owner,
        at(4),
        a,
        NewAction {
            description: "Second site".into(),
            owner: Some(p.owner.id),
            due: date(3, 10),
        },
    )
    .unwrap();
    reg.close(&p.owner, at(5), b, "not relevant").unwrap();
    let march = Period::new(
        at(1) - TimeDelta::hours(9),
        Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let r = reg.report(march);
    assert_eq!(
        (r.new.len(), r.closed.len(), r.materialized.len()),
        (3, 1, 0)
    );
    assert_eq!(
        r.by_level,
        [
            ("Low".to_owned(), 0),
            ("Medium".to_owned(), 1),
            ("High".to_owned(), 0),
            ("Critical".to_owned(), 0),
            ("unrated".to_owned(), 0)
        ]
    );
    assert_eq!(r.inherent.total(), 1);
    assert_eq!(r.inherent.counts[3][3], 1, "Major x Likely");
    assert_eq!(r.residual.counts[2][2], 1, "Moderate x Possible");
    assert_eq!(r.overdue_actions.len(), 1);
    assert_eq!(r.overdue_actions[0].days_overdue, 22);
    assert_eq!(
        r.treated,
        [Treated {
            risk: Reference::new(1),
            inherent: RiskMatrix::standard_5x5().level("High").unwrap(),
            residual: Some(RiskMatrix::standard_5x5().level("Medium").unwrap()),
        }]
    );
    assert_eq!((r.lowered, r.unchanged, r.raised), (1, 0, 0));
    assert_eq!(r.opportunities.len(), 1);
    assert_eq!(r.escalations.len(), 1);
    let md = r.to_markdown();
    assert!(
        md.contains("| Likelihood \\ Impact | Insignificant |"),
        "{md}"
    );
    assert!(
        md.contains("1 at a lower level than their inherent level, 0 unchanged, 0 higher."),
        "{md}"
    );
    // Every line of the heat map has the same width: it reads in a terminal.
    let heat: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("| Likelihood"))
        .take(7)
        .collect();
    assert!(
        heat.iter()
            .all(|l| l.chars().count() == heat[0].chars().count()),
        "{heat:#?}"
    );
    // April: nothing new, the action is still overdue, the risk still live.
    let april = Period::new(
        march.end(),
        Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let r = reg.report(april);
    assert_eq!((r.new.len(), r.closed.len(), r.residual.total()), (0, 0, 1));
    assert_eq!(r.overdue_actions[0].days_overdue, 52);
}

#[test]
fn the_report_gives_escalation_reasons_in_words_not_rust_names() {
    let p = people();
    let mut reg = register();
    let a = reg
        .identify(&p.owner, at(1), new(&p, "Major", "Likely"))
        .unwrap()
        .id;
    reg.materialize(&p.manager, at(2), a, "it happened")
        .unwrap();
    let period = Period::new(at(1) - TimeDelta::days(1), at(30)).unwrap();
    let md = reg.report(period).to_markdown();
    let why: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("### Escalations"))
        .filter(|l| l.starts_with("| 2026"))
        .filter_map(|l| l.split('|').nth(3).map(str::trim))
        .collect();
    assert_eq!(why, ["identified", "materialized"], "{md}");
    assert_eq!(
        EscalationReason::CopiedToCorporate.to_string(),
        "copied to the corporate register"
    );
}

#[test]
fn references_parse_print_and_serialize() {
    let r: Reference = "R-12".parse().unwrap();
    assert_eq!((r.number(), r.to_string()), (12, "R-12".to_owned()));
    assert_eq!(serde_json::to_string(&r).unwrap(), "\"R-12\"");
    assert_eq!(serde_json::from_str::<Reference>("\"R-12\"").unwrap(), r);
    for bad in ["R-0", "R-", "r-1", "R-01", "R-1x", "12", ""] {
        assert!(bad.parse::<Reference>().is_err(), "{bad}");
    }
    assert_eq!(
        "X".parse::<Reference>().unwrap_err().to_string(),
        "`X` is not a risk reference (expected `R-` and a number from 1)"
    );
    assert!(r == "R-12" && r != "R-13");
}

#[test]
fn unknown_risks_are_named() {
    let p = people();
    let mut reg = register();
    let ghost: Id<RiskId> = Id::from_key("R-99");
    let e = reg.review(&p.manager, at(1), ghost, "").unwrap_err();
    assert_eq!(
        e,
        RiskError::UnknownRisk {
            risk: ghost.to_string()
        }
    );
    assert!(matches!(
        reg.close(&p.top, at(1), ghost, ""),
        Err(RiskError::UnknownRisk { .. })
    ));
    assert!(reg.history(ghost).is_empty());
    assert!(reg.risk_by_reference(Reference::new(1)).is_none());
}
