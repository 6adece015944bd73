//! The risk situations of ISO/IEC TR 20000-17, rebuilt on the register.
#![expect(clippy::unwrap_used, reason = "tests: a panic is a failing test")]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use itsm_cmdb::Ci;
use itsm_core::entity::{Change, Party};
use itsm_core::{Actor, Id, Period, Role};
use itsm_risk::*;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, day, 10, 0, 0).unwrap()
}

fn due(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

struct World {
    reg: RiskRegister,
    manager: Actor,
    top: Actor,
    suppliers: Actor,
}

fn world() -> World {
    let appetite = RiskAppetite {
        default_threshold: "Medium".into(),
        divisions: Default::default(),
        authority: vec![
            Authority {
                role: Role::RiskManager,
                up_to: "High".into(),
            },
            Authority {
                role: Role::SupplierManager,
                up_to: "Medium".into(),
            },
        ],
        escalate_at: "High".into(),
        corporate_at: Some("Critical".into()),
    };
    World {
        reg: RiskRegister::new(RiskMatrix::standard_5x5(), appetite).unwrap(),
        manager: Actor::new("rm", "Rita (risk manager)", [Role::RiskManager]).unwrap(),
        top: Actor::new("ceo", "Chris (CEO)", [Role::TopManagement]).unwrap(),
        suppliers: Actor::new("sm", "Sam (supplier manager)", [Role::SupplierManager]).unwrap(),
    }
}

fn may() -> Period {
    Period::new(
        Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap(),
    )
    .unwrap()
}

fn rated(mut n: NewRisk, impact: &str, likelihood: &str) -> NewRisk {
    n.inherent = Some(Score::new(impact, likelihood));
    n
}

/// TR 5.7 / 5.9: a supplier's 12-hour resolution target underpins a customer 8-hour target.
#[test]
fn supplier_target_gap_is_a_supplier_risk() {
    let mut w = world();
    let service: Id<Ci> = Id::from_key("svc-online-banking");
    let isp: Id<Party> = Id::from_key("fastnet-isp");
    let (customer_hours, supplier_hours) = (8, 12);
    assert!(supplier_hours > customer_hours, "the gap the risk records");
    let mut n = NewRisk::new(
        format!(
            "Supplier resolution target ({supplier_hours} h) does not underpin the customer target ({customer_hours} h)"
        ),
        "supplier",
        w.suppliers.id,
    );
    n.source = RiskSource::SupplierAlignment;
    n.trigger = "A priority-1 network incident the ISP resolves in more than 8 hours".into();
    n.impact_description = "Online banking SLA breached; service credits to customers".into();
    n.links.cis.insert(service);
    n.links.suppliers.insert(isp);
    n.target_date = Some(due(7, 31));
    let id = w
        .reg
        .identify(&w.suppliers, at(4), rated(n, "Major", "Likely"))
        .unwrap()
        .id;
    let r = w.reg.risk(id).unwrap();
    assert_eq!(
        (r.current().unwrap().level.as_str(), r.source),
        ("High", RiskSource::SupplierAlignment)
    );
    assert!(r.links.suppliers.contains(&isp) && r.links.cis.contains(&service));
    // High: top management is told, and the supplier manager's rung (Medium) cannot accept it.
    assert_eq!(
        w.reg.escalations(at(4))[0].reason,
        EscalationReason::Identified
    );
    assert!(matches!(
        w.reg.accept(&w.suppliers, at(5), id, due(12, 31), "cheap"),
        Err(RiskError::AboveAppetite { .. })
    ));
    w.reg
        .add_action(
            &w.suppliers,
            at(5),
            id,
            NewAction {
                description: "Renegotiate a 6-hour resolution target".into(),
                owner: Some(w.suppliers.id),
                due: due(6, 30),
            },
        )
        .unwrap();
    w.reg
        .assess(
            &w.manager,
            at(6),
            id,
            Assessment {
                residual: Some(Score::new("Major", "Unlikely")),
                ..Default::default()
            },
        )
        .unwrap();
    let report = w.reg.report(may());
    assert_eq!(report.by_category, [("supplier".to_owned(), 1)]);
    // Major x Likely is High; Major x Unlikely is Medium: treatment took one level off.
    assert_eq!(report.treated[0].inherent.name(), "High");
    assert_eq!(
        report.treated[0].residual.as_ref().map(RiskLevel::name),
        Some("Medium")
    );
    assert_eq!(report.treated[0].levels_lower(), 1);
}

/// TR 20000-17 5.7, SIAM: the five transition risks of moving to a service integrator
/// (undiscovered constraints, intermediate states, dependencies on other projects, delays,
/// resistance to change), as scenario 03 registers them.
#[test]
fn the_five_siam_transition_risks() {
    let mut w = world();
    let transition: Id<Change> = Id::from_key("CHG-SIAM-TRANSITION");
    let risks = [
        (
            "Undiscovered constraints in incumbent contracts, licences and shared assets block the move",
            "undiscovered constraints",
            "Major",
            "Likely",
        ),
        (
            "Intermediate states: services run partly under the old model and partly under the integrator",
            "intermediate states",
            "Moderate",
            "Possible",
        ),
        (
            "Dependencies on other projects (the data-centre move, the new service desk tool) hold up the transition",
            "dependencies on other projects",
            "Moderate",
            "Possible",
        ),
        (
            "Delays push the cut-over past the end of the incumbent supplier's contract",
            "delays",
            "Catastrophic",
            "Unlikely",
        ),
        (
            "Resistance to change: staff and suppliers keep working to the old model and bypass the integrator",
            "resistance to change",
            "Moderate",
            "Likely",
        ),
    ];
    for (title, sub, i, l) in risks {
        let mut n = NewRisk::new(title, "SIAM transition", w.manager.id);
        n.sub_category = Some(sub.into());
        n.links.changes.insert(transition);
        w.reg.identify(&w.manager, at(2), rated(n, i, l)).unwrap();
    }
    let report = w.reg.report(may());
    assert_eq!(report.new.len(), 5);
    assert_eq!(report.by_category, [("SIAM transition".to_owned(), 5)]);
    assert_eq!(report.inherent.total(), 5);
    let mut subs: Vec<_> = w
        .reg
        .risks()
        .filter_map(|r| r.sub_category.as_deref())
        .collect();
    subs.sort_unstable();
    assert_eq!(
        subs,
        [
            "delays",
            "dependencies on other projects",
            "intermediate states",
            "resistance to change",
            "undiscovered constraints"
        ]
    );
    let levels: Vec<(String, usize)> = report
        .by_level
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect();
    // 16, 9, 9, 10 and 12 on the 5x5 bands.
    assert_eq!(levels, [("Medium".to_owned(), 2), ("High".to_owned(), 3)]);
    assert!(w.reg.risks().all(|r| r.links.changes.contains(&transition)));
    assert_eq!(
        report
            .escalations
            .iter()
            .map(|e| e.risk.to_string())
            .collect::<Vec<_>>(),
        ["R-1", "R-4", "R-5"],
        "the three High ones: constraints, delays, resistance"
    );
}

/// TR 5.12: the five risk factors of a change assessment.
#[test]
fn the_five_change_risks() {
    let mut w = world();
    let change: Id<Change> = Id::from_key("CHG-42");
    let factors = [
        (
            "human resources",
            "Too few engineers on the weekend of the change",
            "Moderate",
            "Possible",
        ),
        (
            "skills",
            "Nobody has upgraded this database version before",
            "Major",
            "Possible",
        ),
        (
            "testing",
            "No test environment matches production",
            "Major",
            "Likely",
        ),
        (
            "time",
            "The change window is too short for a back-out",
            "Moderate",
            "Likely",
        ),
        (
            "other services",
            "The payment service shares the database",
            "Major",
            "Unlikely",
        ),
    ];
    let mut ids = Vec::new();
    for (factor, title, i, l) in factors {
        let mut n = NewRisk::new(title, "change", w.manager.id);
        n.sub_category = Some(factor.into());
        n.source = RiskSource::ChangeAssessment;
        n.links.changes.insert(change);
        ids.push(
            w.reg
                .identify(&w.manager, at(10), rated(n, i, l))
                .unwrap()
                .id,
        );
    }
    let subs: Vec<&str> = w
        .reg
        .risks()
        .filter_map(|r| r.sub_category.as_deref())
        .collect();
    assert_eq!(
        subs,
        [
            "human resources",
            "skills",
            "testing",
            "time",
            "other services"
        ]
    );
    // Mitigate the testing risk, then close it once the action is done.
    let testing = ids[2];
    w.reg
        .add_action(
            &w.manager,
            at(11),
            testing,
            NewAction {
                description: "Clone production into a test environment".into(),
                owner: Some(w.manager.id),
                due: due(5, 20),
            },
        )
        .unwrap();
    assert!(matches!(
        w.reg.close(&w.manager, at(12), testing, "tested"),
        Err(RiskError::OpenActions { .. })
    ));
    w.reg
        .complete_action(&w.manager, at(19), testing, 1)
        .unwrap();
    w.reg
        .close(&w.manager, at(25), testing, "tested on a production clone")
        .unwrap();
    let report = w.reg.report(may());
    assert_eq!((report.new.len(), report.closed.len()), (5, 1));
    assert!(
        w.reg
            .risks()
            .all(|r| r.source == RiskSource::ChangeAssessment)
    );
}

/// TR 5.8 / 8.7.2: a business impact analysis finds a recovery time the service cannot meet.
#[test]
fn continuity_risk_from_a_business_impact_analysis() {
    let mut w = world();
    let mut n = NewRisk::new(
        "Database recovery (6 h) exceeds the online banking RTO (4 h)",
        "continuity",
        w.manager.id,
    );
    n.register = RegisterKind::Continuity;
    n.source = RiskSource::BusinessImpactAnalysis;
    n.links.cis.insert(Id::from_key("svc-online-banking"));
    n.review_interval_days = Some(90);
    let r = w
        .reg
        .identify(&w.manager, at(3), rated(n, "Catastrophic", "Possible"))
        .unwrap()
        .clone();
    assert_eq!(
        (r.register.to_string(), r.current().unwrap().level.as_str()),
        ("continuity".to_owned(), "High")
    );
    assert_eq!(r.next_review, Some(due(8, 1)));
    // The exercise shows it happens: materialized, always escalated.
    w.reg
        .materialize(
            &w.manager,
            at(20),
            r.id,
            "recovery exercise took 6 h 40 min",
        )
        .unwrap();
    let reasons: Vec<EscalationReason> = w
        .reg
        .escalations(at(1))
        .into_iter()
        .map(|e| e.reason)
        .collect();
    assert_eq!(
        reasons,
        [EscalationReason::Identified, EscalationReason::Materialized]
    );
    assert_eq!(w.reg.report(may()).materialized.len(), 1);
}

/// 8.7.3: an information-security risk touching confidentiality and integrity.
#[test]
fn information_security_risk_on_two_pillars() {
    let mut w = world();
    let mut n = NewRisk::new(
        "Customer data read or altered through an unpatched web server",
        "information security",
        w.manager.id,
    );
    n.register = RegisterKind::InformationSecurity(
        [Pillar::Confidentiality, Pillar::Integrity]
            .into_iter()
            .collect(),
    );
    n.links.cis.insert(Id::from_key("web-01"));
    let r = w
        .reg
        .identify(&w.manager, at(7), rated(n, "Catastrophic", "Likely"))
        .unwrap()
        .clone();
    assert_eq!(r.register.to_string(), "information security (CI)");
    // Critical: escalated and copied to the corporate register.
    let copy = w.reg.risk_by_reference(r.corporate_link.unwrap()).unwrap();
    assert_eq!(
        (copy.register.clone(), copy.corporate_link),
        (RegisterKind::Corporate, Some(r.reference))
    );
    // Only top management may accept a Critical risk; then it is reported when the acceptance expires.
    assert!(matches!(
        w.reg
            .accept(&w.manager, at(8), r.id, due(5, 31), "patch window"),
        Err(RiskError::AboveAppetite { .. })
    ));
    w.reg
        .accept(&w.top, at(8), r.id, due(5, 15), "patch in the May window")
        .unwrap();
    let report = w.reg.report(may());
    assert!(
        report
            .reviews_due
            .iter()
            .any(|d| d.risk == r.reference && d.reason == ReviewReason::AcceptanceExpired)
    );
}

/// TR 5.7: an opportunity, on the same matrix.
#[test]
fn certification_as_competitive_advantage() {
    let mut w = world();
    let mut n = NewRisk::new(
        "ISO/IEC 20000-1 certification wins public-sector tenders",
        "business",
        w.top.id,
    );
    n.kind = RiskKind::Opportunity;
    let r = w
        .reg
        .identify(&w.top, at(1), rated(n, "Major", "Possible"))
        .unwrap()
        .clone();
    assert_eq!(r.current().unwrap().level, "High");
    assert!(
        w.reg.escalations(at(1)).is_empty(),
        "opportunities are reported, not escalated"
    );
    let report = w.reg.report(may());
    assert_eq!(report.opportunities.len(), 1);
    assert_eq!(report.inherent.total(), 0, "heat maps show threats");
    assert!(
        report
            .to_markdown()
            .contains("ISO/IEC 20000-1 certification wins public-sector tenders")
    );
}
