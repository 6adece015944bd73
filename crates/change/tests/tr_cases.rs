//! The change situations of ISO/IEC TR 20000-17 5.12 and ISO/IEC 20000-1 8.5, end to end.
#![expect(clippy::unwrap_used, reason = "tests: a panic is a failing test")]

mod common;

use common::*;
use itsm_change::*;
use itsm_cmdb::{CiPatch, CiStatus, CmdbOp, ImpactState, Relation, RelationKind};
use itsm_core::Period;
use rust_decimal::Decimal;

fn raised_change(reg: &mut ChangeRegister, p: &People, new: NewChange) -> Change {
    let id = raised(reg, p, new);
    reg.change(id).unwrap().clone()
}

fn raised(reg: &mut ChangeRegister, p: &People, new: NewChange) -> itsm_core::Id<ChangeId> {
    let cmdb = cmdb();
    let id = reg.raise(&p.dev, at(1, 9), &cmdb, new).unwrap().id;
    reg.submit(&p.dev, at(1, 10), id).unwrap();
    reg.assess(&p.cm, at(1, 11), id, &cmdb).unwrap();
    id
}

#[test]
fn decommissioning_a_service_is_always_major_impact() {
    let (mut reg, p) = (register(), people());
    let mut new = NewChange::new("Retire reporting", vec![id("svc-reporting")]);
    new.nature = Nature::DecommissionService;
    new.factors = [
        (Factor::HumanResources, FactorLevel::Low),
        (Factor::Skills, FactorLevel::Low),
        (Factor::TestEnvironment, FactorLevel::Low),
        (Factor::Time, FactorLevel::Low),
    ]
    .into_iter()
    .collect();
    let c = raised_change(&mut reg, &p, new);
    let a = c.assessment.as_ref().unwrap();
    assert_eq!(a.rating.level, "Low", "low risk, yet major impact");
    assert_eq!(a.major_impact, ["decommissions service(s): svc-reporting"]);
    // A delta may not reach beyond the targets: retiring a service the change does not target
    // is refused at raise, naming it.
    let mut sneaky = NewChange::new("Tidy up", vec![id("host-2")]);
    sneaky.delta = vec![CmdbOp::RetireCi(id("svc-reporting"))];
    let e = reg
        .raise(&p.dev, at(1, 9), &cmdb(), sneaky.clone())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "CHG-2: the delta edits `svc-reporting`, which the change does not target; name them as targets so they are assessed and approved"
    );
    // Retiring a service through the delta counts as major impact as well.
    sneaky.targets.push(id("svc-reporting"));
    let c = raised_change(&mut reg, &p, sneaky);
    assert_eq!(
        c.assessment.as_ref().unwrap().major_impact,
        ["its delta retires or removes service `svc-reporting`"]
    );
}

#[test]
fn cost_above_the_threshold_is_major_impact_and_passes_design_and_transition() {
    let (mut reg, p) = (register(), people());
    let mut new = NewChange::new("New storage array", vec![id("host-1")]);
    new.estimated_cost = Some(eur(80_000));
    let change = raised(&mut reg, &p, new);
    let a = reg.change(change).unwrap().assessment.clone().unwrap();
    assert_eq!(
        a.major_impact,
        ["estimated cost 80000.00 EUR is above 50000.00 EUR"]
    );
    // Cheaper: not major.
    let mut cheap = NewChange::new("Small disk", vec![id("host-1")]);
    cheap.estimated_cost = Some(eur(900));
    assert!(
        raised_change(&mut reg, &p, cheap)
            .assessment
            .as_ref()
            .unwrap()
            .major_impact
            .is_empty()
    );
    // Approve, schedule, then try to start before design and transition.
    for who in a.approvals.iter().map(|a| match a {
        Approver::ChangeManager => vec![&p.cm],
        Approver::Cab { .. } => vec![&p.cab1, &p.cab2],
        Approver::TopManagement => vec![&p.top],
        _ => vec![],
    }) {
        for actor in who {
            reg.approve(actor, at(2, 9), change).unwrap();
        }
    }
    assert_eq!(reg.change(change).unwrap().status, ChangeStatus::Approved);
    reg.schedule(
        &p.cm,
        at(2, 10),
        change,
        Period::new(at(5, 20), at(5, 23)).unwrap(),
        &cmdb(),
    )
    .unwrap();
    let e = reg.start(&p.dev, at(5, 20), change, &cmdb()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "CHG-1: major-impact change must pass service design and transition first (next stage: plan)"
    );
    for _ in 0..3 {
        reg.complete_stage(&p.cm, at(3, 9), change).unwrap();
    }
    assert!(matches!(
        reg.complete_stage(&p.cm, at(3, 9), change),
        Err(ChangeError::IllegalTransition { .. })
    ));
    reg.start(&p.dev, at(5, 20), change, &cmdb()).unwrap();
}

#[test]
fn a_standard_model_applies_only_when_its_conditions_hold() {
    let (mut reg, p) = (register(), people());
    let low = [
        (Factor::HumanResources, FactorLevel::Low),
        (Factor::Skills, FactorLevel::Low),
        (Factor::TestEnvironment, FactorLevel::Low),
        (Factor::Time, FactorLevel::Low),
    ];
    let mut ok = NewChange::new("Patch host-2", vec![id("host-2")]);
    ok.category = Category::Standard("patch a host".into());
    ok.estimated_cost = Some(eur(100));
    ok.factors = low.into_iter().collect();
    let c = raised_change(&mut reg, &p, ok.clone());
    let check = c
        .assessment
        .as_ref()
        .unwrap()
        .standard_model
        .clone()
        .unwrap();
    assert!(check.applies, "{:?}", check.reasons);
    assert_eq!(c.status, ChangeStatus::Approved, "pre-approved");
    // Wrong kind of CI, too expensive: the model does not apply, normal approval needed.
    let mut bad = ok.clone();
    bad.targets = vec![id("db-main")];
    bad.estimated_cost = Some(eur(900));
    let c = raised_change(&mut reg, &p, bad);
    let check = c
        .assessment
        .as_ref()
        .unwrap()
        .standard_model
        .clone()
        .unwrap();
    assert!(!check.applies);
    // db-main also carries the critical banking service, so the risk is too high as well.
    assert_eq!(check.reasons.len(), 3, "{:?}", check.reasons);
    assert!(check.reasons[0].contains("`db-main` is a software, not covered"));
    assert!(check.reasons[1].contains("risk level `High` is above the model's `Medium`"));
    assert!(check.reasons[2].contains("900.00 EUR is above the model's 500.00 EUR"));
    assert_eq!(c.status, ChangeStatus::Assessed);
    assert!(!c.assessment.as_ref().unwrap().approvals.is_empty());
    // Too risky: host-1 carries the critical banking service.
    let mut risky = ok;
    risky.targets = vec![id("host-1")];
    let c = raised_change(&mut reg, &p, risky);
    let check = c
        .assessment
        .as_ref()
        .unwrap()
        .standard_model
        .clone()
        .unwrap();
    assert!(
        !check.applies
            && check
                .reasons
                .iter()
                .any(|r| r.contains("above the model's `Medium`")),
        "{:?}",
        check.reasons
    );
    // Unknown model: refused when raised.
    let mut ghost = NewChange::new("x", vec![id("host-2")]);
    ghost.category = Category::Standard("nope".into());
    assert!(matches!(
        reg.raise(&p.dev, at(1, 9), &cmdb(), ghost),
        Err(ChangeError::UnknownModel { .. })
    ));
}

#[test]
fn the_requester_cannot_approve_their_own_change() {
    let (mut reg, p) = (register(), people());
    let change = raised(
        &mut reg,
        &p,
        NewChange::new("Tune the database", vec![id("db-main")]),
    );
    let before = reg.clone();
    // Dana raised it and is a CAB member: segregation of duties refuses her.
    let e = reg.approve(&p.dev, at(2, 9), change).unwrap_err();
    assert_eq!(
        e.to_string(),
        "CHG-1: Dana (developer) requested or implements this change and may not approve or reject it (segregation of duties)"
    );
    assert!(matches!(
        reg.reject(&p.dev, at(2, 9), change, "no"),
        Err(ChangeError::SelfApproval { .. })
    ));
    // Someone without a needed role.
    assert!(matches!(
        reg.approve(&p.ecab, at(2, 9), change),
        Err(ChangeError::NotAnApprover { .. })
    ));
    assert_eq!(reg, before);
    reg.approve(&p.cm, at(2, 9), change).unwrap();
    assert!(matches!(
        reg.approve(&p.cm, at(2, 9), change),
        Err(ChangeError::AlreadyApproved { .. })
            | Err(ChangeError::IllegalTransition { .. })
            | Err(ChangeError::NotAnApprover { .. })
    ));
}

#[test]
fn an_emergency_change_inside_a_freeze_is_allowed_and_flagged() {
    let (mut reg, p) = (register(), people());
    let mut normal = NewChange::new("Routine tuning", vec![id("db-main")]);
    normal.implementer = Some(p.dev.id);
    let n = raised(&mut reg, &p, normal);
    for a in [&p.cm, &p.cab1, &p.cab2, &p.top] {
        let _ = reg.approve(a, at(2, 9), n);
    }
    // Neither a window inside the freeze nor one that runs into it.
    for window in [
        Period::new(at(22, 1), at(22, 3)).unwrap(),
        Period::new(at(19, 23), at(20, 1)).unwrap(),
    ] {
        assert!(matches!(
            reg.schedule(&p.cm, at(2, 9), n, window, &cmdb()),
            Err(ChangeError::InFreeze { .. })
        ));
    }
    // Scheduled before the freeze, but started inside it.
    reg.schedule(
        &p.cm,
        at(2, 9),
        n,
        Period::new(at(18, 1), at(18, 3)).unwrap(),
        &cmdb(),
    )
    .unwrap();
    assert!(matches!(
        reg.start(&p.dev, at(22, 1), n, &cmdb()),
        Err(ChangeError::InFreeze { .. })
    ));

    let mut urgent = NewChange::new("Fix corrupted index", vec![id("db-main")]);
    urgent.category = Category::Emergency;
    let e = raised(&mut reg, &p, urgent);
    let c = reg.change(e).unwrap();
    assert_eq!(
        c.assessment.as_ref().unwrap().approvals,
        [Approver::EmergencyCab { quorum: 1 }]
    );
    reg.approve(&p.ecab, at(22, 2), e).unwrap();
    let c = reg.start(&p.dev, at(22, 2), e, &cmdb()).unwrap();
    assert!(c.review_required);
    assert_eq!(
        c.flags,
        ["emergency change implemented inside freeze `year-end freeze`"]
    );
    let mut cmdb = cmdb();
    reg.complete(&p.dev, at(22, 4), e, Outcome::Successful, &mut cmdb)
        .unwrap();
    assert!(
        matches!(
            reg.close(&p.cm, at(23, 9), e),
            Err(ChangeError::IllegalTransition { .. })
        ),
        "must be reviewed first"
    );
    reg.review(&p.cm, at(23, 9), e, "index rebuilt; monitoring added")
        .unwrap();
    reg.close(&p.cm, at(23, 10), e).unwrap();
}

#[test]
fn a_change_to_a_shared_ci_impacts_both_services() {
    let (mut reg, p) = (register(), people());
    let c = raised_change(
        &mut reg,
        &p,
        NewChange::new("Upgrade the database", vec![id("db-main")]),
    );
    let a = c.assessment.as_ref().unwrap();
    let services: Vec<_> = a.impacted_services.iter().map(|s| s.service).collect();
    assert_eq!(services, [id("svc-banking"), id("svc-payments")]);
    assert!(
        a.impacted_services
            .iter()
            .all(|s| s.state == ImpactState::Down)
    );
    assert_eq!(a.impacted_cis, 4, "db-main, app-core and both services");
    assert!(
        a.rating_reasons[0].contains("service `svc-banking` (critical) is affected"),
        "{:?}",
        a.rating_reasons
    );
    assert_eq!(a.rating.impact, "Catastrophic");
    let other = a
        .factors
        .iter()
        .find(|f| f.factor == Factor::OtherServices)
        .unwrap();
    assert_eq!(
        (other.level, other.reason.as_str()),
        (FactorLevel::Medium, "2 service(s) affected")
    );
}

#[test]
fn scope_objectives_not_doing_and_risks_raised() {
    let (mut reg, p) = (register(), people());
    let mut new = NewChange::new(
        "Add a GPU server",
        vec![id("db-test"), id("kbd-1"), id("host-1")],
    );
    new.objective_effects
        .insert("energy_kwh_per_month".into(), Decimal::from(350));
    new.new_technology = true;
    new.not_doing = Some(NotDoing {
        description: "fraud models stay slow".into(),
        impact: "Moderate".into(),
        likelihood: "Likely".into(),
    });
    new.factors.insert(Factor::Skills, FactorLevel::High);
    let id_ = raised(&mut reg, &p, new);
    let c = reg.change(id_).unwrap().clone();
    let a = c.assessment.as_ref().unwrap();
    assert_eq!(
        a.out_of_scope,
        [id("db-test"), id("kbd-1")],
        "test software and keyboards are out of scope"
    );
    assert_eq!(a.objectives.len(), 1);
    assert!(!a.objectives[0].fits);
    assert!(
        a.major_impact
            .contains(&"introduces new technology".to_owned())
    );
    assert_eq!(a.not_doing.as_ref().map(|r| r.level.as_str()), Some("High"));
    // Raise the high factors as risks, linked to the change.
    let mut risks = itsm_risk::RiskRegister::new(
        itsm_risk::RiskMatrix::standard_5x5(),
        itsm_risk::RiskAppetite {
            default_threshold: "Medium".into(),
            divisions: Default::default(),
            authority: vec![],
            escalate_at: "Critical".into(),
            corporate_at: None,
        },
    )
    .unwrap();
    let refs = raise_risks(&c, &mut risks, &p.cm, at(1, 12), FactorLevel::High).unwrap();
    assert_eq!(refs.len(), 1);
    let r = risks.risk_by_reference(refs[0]).unwrap();
    assert_eq!(r.source, itsm_risk::RiskSource::ChangeAssessment);
    assert!(r.links.changes.contains(&c.id));
    assert_eq!(r.sub_category.as_deref(), Some("skills"));
}

#[test]
fn deployment_is_all_or_nothing_and_stamps_the_cis() {
    let (mut reg, p) = (register(), people());
    let mut cmdb = cmdb();
    let mut new = NewChange::new(
        "Move reporting to host-1",
        vec![id("svc-reporting"), id("host-1"), id("host-2")],
    );
    new.delta = vec![
        CmdbOp::Relate(Relation::new(
            id("svc-reporting"),
            RelationKind::RunsOn,
            id("host-1"),
        )),
        CmdbOp::Unrelate(Relation::new(
            id("svc-reporting"),
            RelationKind::RunsOn,
            id("host-2"),
        )),
        CmdbOp::UpdateCi {
            id: id("host-2"),
            patch: CiPatch {
                status: Some(CiStatus::Retired),
                ..CiPatch::default()
            },
        },
        // host-2 still runs db-test: removing it is refused, so nothing may happen.
        CmdbOp::RemoveCi {
            id: id("host-2"),
            mode: itsm_cmdb::Removal::Refuse,
        },
    ];
    let change = reg.raise(&p.dev, at(1, 9), &cmdb, new).unwrap().id;
    reg.submit(&p.dev, at(1, 9), change).unwrap();
    reg.assess(&p.cm, at(1, 9), change, &cmdb).unwrap();
    for a in [&p.cm, &p.cab1, &p.cab2, &p.top] {
        let _ = reg.approve(a, at(2, 9), change);
    }
    reg.schedule(
        &p.cm,
        at(2, 9),
        change,
        Period::new(at(7, 19), at(7, 21)).unwrap(),
        &cmdb,
    )
    .unwrap();
    reg.start(&p.dev, at(7, 19), change, &cmdb).unwrap();
    let (before_cmdb, before_reg) = (cmdb.clone(), reg.clone());
    let e = reg
        .complete(&p.dev, at(7, 21), change, Outcome::Successful, &mut cmdb)
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("operation 4 of the batch was refused"),
        "{e}"
    );
    assert_eq!(cmdb, before_cmdb);
    assert_eq!(reg, before_reg);
    // A failed implementation leaves the CMDB alone.
    reg.complete(&p.dev, at(7, 21), change, Outcome::Failed, &mut cmdb)
        .unwrap();
    assert_eq!(cmdb, before_cmdb);
    assert_eq!(reg.change(change).unwrap().outcome, Some(Outcome::Failed));

    // A clean delta applies and stamps what it touched.
    let mut ok = NewChange::new("Retire host-2 record", vec![id("host-2")]);
    ok.delta = vec![CmdbOp::RetireCi(id("host-2"))];
    ok.category = Category::Emergency;
    let c2 = reg.raise(&p.dev, at(8, 9), &cmdb, ok).unwrap().id;
    reg.submit(&p.dev, at(8, 9), c2).unwrap();
    reg.assess(&p.cm, at(8, 9), c2, &cmdb).unwrap();
    reg.approve(&p.ecab, at(8, 9), c2).unwrap();
    reg.start(&p.dev, at(8, 10), c2, &cmdb).unwrap();
    reg.complete(&p.dev, at(8, 11), c2, Outcome::Successful, &mut cmdb)
        .unwrap();
    let host = cmdb.ci(id("host-2")).unwrap();
    assert_eq!(
        (host.status, host.last_change),
        (CiStatus::Retired, Some(c2))
    );
    // Past failures now count for changes on the same CIs.
    let again = raised(
        &mut reg,
        &p,
        NewChange::new("Retry the move", vec![id("svc-reporting")]),
    );
    let f = reg
        .change(again)
        .unwrap()
        .assessment
        .as_ref()
        .unwrap()
        .factors
        .iter()
        .find(|f| f.factor == Factor::PastFailures)
        .cloned()
        .unwrap();
    assert_eq!(f.level, FactorLevel::Medium);
}

#[test]
fn illegal_moves_name_the_state_and_the_move() {
    let (mut reg, p) = (register(), people());
    let cmdb = cmdb();
    let c = reg
        .raise(
            &p.dev,
            at(1, 9),
            &cmdb,
            NewChange::new("x", vec![id("host-2")]),
        )
        .unwrap()
        .id;
    assert_eq!(
        reg.approve(&p.cm, at(1, 9), c).unwrap_err().to_string(),
        "CHG-1: cannot approve or reject a change that is draft"
    );
    assert_eq!(
        reg.start(&p.dev, at(1, 9), c, &cmdb)
            .unwrap_err()
            .to_string(),
        "CHG-1: cannot start a change that is draft"
    );
    assert!(matches!(
        reg.raise(
            &p.dev,
            at(1, 9),
            &cmdb,
            NewChange::new(" ", vec![id("host-2")])
        ),
        Err(ChangeError::Missing { field: "title", .. })
    ));
    assert!(matches!(
        reg.raise(&p.dev, at(1, 9), &cmdb, NewChange::new("y", vec![])),
        Err(ChangeError::Missing {
            field: "targets",
            ..
        })
    ));
    assert!(matches!(
        reg.raise(
            &p.dev,
            at(1, 9),
            &cmdb,
            NewChange::new("y", vec![id("ghost")])
        ),
        Err(ChangeError::Cmdb(_))
    ));
    reg.cancel(&p.dev, at(1, 10), c, "not needed").unwrap();
    assert_eq!(
        reg.cancel(&p.dev, at(1, 10), c, "again")
            .unwrap_err()
            .to_string(),
        "CHG-1: cannot cancel a change that is cancelled"
    );
}

#[test]
fn the_schedule_reports_every_kind_of_conflict() {
    let (mut reg, p) = (register(), people());
    let mut cmdb = cmdb();
    cmdb.update_ci(id("svc-reporting"), CiPatch::default())
        .unwrap();
    let mk = |reg: &mut ChangeRegister, title: &str, target: &str, window: Period| {
        let mut new = NewChange::new(title, vec![id(target)]);
        new.implementer = Some(p.dev.id);
        let c = raised(reg, &p, new);
        for a in [&p.cm, &p.cab1, &p.cab2, &p.top] {
            let _ = reg.approve(a, at(2, 9), c);
        }
        reg.schedule(&p.cm, at(2, 9), c, window, &cmdb).unwrap();
        c
    };
    mk(
        &mut reg,
        "DB patch",
        "db-main",
        Period::new(at(10, 20), at(10, 23)).unwrap(),
    );
    mk(
        &mut reg,
        "App release",
        "app-core",
        Period::new(at(10, 22), at(11, 1)).unwrap(),
    );
    mk(
        &mut reg,
        "Reporting fix",
        "svc-reporting",
        Period::new(at(10, 8), at(10, 10)).unwrap(),
    );
    // A normal change may not be scheduled into the freeze; an emergency change may, flagged.
    let mut breaker = NewChange::new("Freeze breaker", vec![id("host-2")]);
    breaker.implementer = Some(p.dev.id);
    let normal = raised(&mut reg, &p, breaker.clone());
    for a in [&p.cm, &p.cab1, &p.cab2, &p.top] {
        let _ = reg.approve(a, at(2, 9), normal);
    }
    let in_freeze = Period::new(at(21, 9), at(21, 10)).unwrap();
    assert!(matches!(
        reg.schedule(&p.cm, at(2, 9), normal, in_freeze, &cmdb),
        Err(ChangeError::InFreeze { .. })
    ));
    reg.cancel(&p.dev, at(2, 10), normal, "cannot run in the freeze")
        .unwrap();
    breaker.category = Category::Emergency;
    let urgent = raised(&mut reg, &p, breaker);
    reg.approve(&p.ecab, at(2, 9), urgent).unwrap();
    reg.schedule(&p.cm, at(2, 9), urgent, in_freeze, &cmdb)
        .unwrap();
    let conflicts = reg.conflicts(&cmdb);
    let text: Vec<String> = conflicts.iter().map(ToString::to_string).collect();
    // CHG-1 and CHG-2 overlap 22:00-23:00 on both services and the implementer.
    assert!(
        conflicts.contains(&Conflict::Overlap {
            changes: vec![1, 2],
            shared: Shared::Service(id("svc-banking")),
            overlap: Period::new(at(10, 22), at(10, 23)).unwrap(),
            pairs: 1,
        }),
        "{text:#?}"
    );
    assert!(conflicts.contains(&Conflict::Overlap {
        changes: vec![1, 2],
        shared: Shared::Service(id("svc-payments")),
        overlap: Period::new(at(10, 22), at(10, 23)).unwrap(),
        pairs: 1,
    }));
    assert!(conflicts.contains(&Conflict::Overlap {
        changes: vec![1, 2],
        shared: Shared::Implementer(p.dev.id),
        overlap: Period::new(at(10, 22), at(10, 23)).unwrap(),
        pairs: 1,
    }));
    // Reporting is maintained 18:00-22:00 on weekdays: 08:00-10:00 is outside.
    assert!(conflicts.contains(&Conflict::OutsideMaintenance {
        change: 3,
        service: id("svc-reporting")
    }));
    assert!(conflicts.iter().any(|c| matches!(
        c,
        Conflict::Freeze {
            change: 5,
            allowed_as_emergency: true,
            ..
        }
    )));
    // CHG-2's app-core runs on db-main, which CHG-1 patches: a parent/child conflict (here a
    // service sits above both too; it is reported whether or not one does).
    assert!(conflicts.contains(&Conflict::Dependency {
        ci: id("db-main"),
        changes: vec![1],
        dependents: vec![DependentChange {
            change: 2,
            ci: id("app-core")
        }],
        overlap: Period::new(at(10, 22), at(10, 23)).unwrap(),
        pairs: 1,
    }));
    assert_eq!(conflicts.len(), 7, "{text:#?}");
    let dev = p.dev.clone();
    let md = schedule_markdown(
        &reg,
        &cmdb,
        &|i| cmdb.ci(i).map_or_else(|| i.to_string(), |c| c.key.clone()),
        &|a| {
            if a == dev.id {
                dev.name.clone()
            } else {
                a.to_string()
            }
        },
    );
    assert!(md.contains("CHG-1 and CHG-2: both impact service `svc-banking`, 2026-12-10 22:00 to 2026-12-10 23:00"), "{md}");
    assert!(
        md.contains("CHG-1 and CHG-2: same implementer `Dana (developer)`"),
        "{md}"
    );
    assert!(
        md.contains("CHG-1 changes `db-main` while CHG-2 (`app-core`) changes what needs it directly, 2026-12-10 22:00 to 2026-12-10 23:00"),
        "{md}"
    );
}

#[test]
fn metrics_and_unauthorized_changes() {
    let (mut reg, p) = (register(), people());
    let mut cmdb = cmdb();
    let before = cmdb.baseline("before", at(1, 0));
    let mut new = NewChange::new("Retire host-2", vec![id("host-2")]);
    new.delta = vec![CmdbOp::RetireCi(id("host-2"))];
    new.category = Category::Emergency;
    let c = reg.raise(&p.dev, at(3, 9), &cmdb, new).unwrap().id;
    reg.submit(&p.dev, at(3, 9), c).unwrap();
    reg.assess(&p.cm, at(3, 10), c, &cmdb).unwrap();
    reg.approve(&p.ecab, at(3, 10), c).unwrap();
    reg.start(&p.dev, at(3, 11), c, &cmdb).unwrap();
    reg.complete(&p.dev, at(3, 15), c, Outcome::Successful, &mut cmdb)
        .unwrap();
    // Explained by the change alone: nothing unauthorized.
    assert!(
        reg.unauthorized(&before, &cmdb.baseline("mid", at(3, 20)))
            .is_empty()
    );
    // Someone edits a CI without a change, and edits host-2 again after the change did.
    let rename = |n: &str| CiPatch {
        name: Some(n.into()),
        ..CiPatch::default()
    };
    cmdb.update_ci(id("db-test"), rename("renamed")).unwrap();
    cmdb.update_ci(id("host-2"), rename("renamed too")).unwrap();
    let after = cmdb.baseline("after", at(4, 0));
    let found = reg.unauthorized(&before, &after);
    let changed = |key: &str| Unauthorized::Ci {
        id: id(key),
        key: key.into(),
        what: "changed".into(),
    };
    assert_eq!(found, [changed("db-test"), changed("host-2")]);
    let december = Period::new(at(1, 0), at(31, 0)).unwrap();
    let m = reg.metrics(december, Some((&before, &after)));
    assert_eq!(
        (m.implemented, m.successful, m.unauthorized),
        (1, 1, Some(2))
    );
    assert_eq!(m.success_rate, Decimal::ONE_HUNDRED.round_dp(1));
    assert_eq!(m.emergency_share, Decimal::ONE_HUNDRED.round_dp(1));
    assert_eq!(
        m.mean_lead_time_hours,
        Decimal::new(60, 1),
        "submitted 09:00, implemented 15:00"
    );
    assert!(
        m.to_markdown(&|i| i.to_string())
            .contains("| success rate | 100.0% |"),
        "{}",
        m.to_markdown(&|i| i.to_string())
    );
}

#[test]
fn policies_are_validated_and_registers_round_trip() {
    let mut bad = policy();
    bad.approvals.push(ApprovalRule {
        category: CategoryKind::Normal,
        from_level: "Severe".into(),
        approver: Approver::ChangeManager,
    });
    let e = ChangeRegister::new(bad, itsm_risk::RiskMatrix::standard_5x5()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid change policy: an approval rule for change manager names `Severe`, which is not a level of the risk matrix"
    );
    let mut zero = policy();
    zero.approvals.push(ApprovalRule {
        category: CategoryKind::Normal,
        from_level: "Low".into(),
        approver: Approver::Cab { quorum: 0 },
    });
    assert!(ChangeRegister::new(zero, itsm_risk::RiskMatrix::standard_5x5()).is_err());
    let (mut reg, p) = (register(), people());
    raised(&mut reg, &p, NewChange::new("x", vec![id("db-main")]));
    let json = serde_json::to_string(&reg).unwrap();
    let back: ChangeRegister = serde_json::from_str(&json).unwrap();
    assert_eq!(back, reg);
    let policy_json = serde_json::to_string(reg.policy()).unwrap();
    assert_eq!(
        serde_json::from_str::<ChangePolicy>(&policy_json).unwrap(),
        *reg.policy()
    );
}
