//! Issue 10: continuity in the engine. Business impact analyses and recovery details go
//! through commands with authority; an assessment or an exercise raises each gap as a
//! continuity risk once; a refused command changes nothing; replay and snapshots cover the
//! new records.
#![expect(clippy::unwrap_used, reason = "tests: a panic is a failing test")]

use chrono::{DateTime, TimeZone, Utc};
use itsm_cmdb::Ci;
use itsm_core::Id;
use itsm_engine::{Answer, Command, Effect, EngineError, Query, Sms};
use itsm_risk::{RegisterKind, RiskSource};
use serde_json::{Value, json};

fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
}

fn run(
    sms: &mut Sms,
    actor: &str,
    when: DateTime<Utc>,
    v: Value,
) -> Result<Vec<Effect>, EngineError> {
    let c: Command = serde_json::from_value(v).unwrap();
    sms.apply(actor, when, c)
        .map(|e| e.into_iter().flat_map(|e| e.effects).collect())
}

/// Payments on an application on a database on a host in a data centre: a 4-hour RTO, an
/// 8-hour MTPD and a 15-minute RPO; the host takes 3 h (infra), the database 2 h (dba,
/// backed up hourly), the application 1 h (infra). Losing the data centre restores the
/// service after 3 + 2 + 1 = 6 h (> 4 h RTO, < 8 h MTPD), and hourly backups miss the
/// 15-minute RPO: two gaps.
fn payments() -> Sms {
    let mut sms = Sms::new();
    let steps = vec![
        (
            "ceo",
            json!({"op": "define_organisation", "actors": [
            {"key": "ceo", "name": "CEO", "roles": ["top_management"]},
            {"key": "bcm", "name": "Continuity manager", "roles": [{"process_owner": "service_continuity_management"}]},
            {"key": "cfg", "name": "Configuration", "roles": [{"process_owner": "configuration_management"}]},
            {"key": "aud", "name": "Auditor", "roles": ["auditor"]}]}),
        ),
        (
            "cfg",
            json!({"op": "add_ci", "key": "dc", "name": "Data centre", "kind": "facility"}),
        ),
        (
            "cfg",
            json!({"op": "add_ci", "key": "host", "name": "Host", "kind": "hardware"}),
        ),
        (
            "cfg",
            json!({"op": "add_ci", "key": "db", "name": "Database", "kind": "software"}),
        ),
        (
            "cfg",
            json!({"op": "add_ci", "key": "app", "name": "App", "kind": "application"}),
        ),
        (
            "cfg",
            json!({"op": "add_ci", "key": "svc-pay", "name": "Payments", "kind": {"service": {"size": "medium", "composition": "single", "provision_source": "centralized", "consumers": "external"}}}),
        ),
        (
            "cfg",
            json!({"op": "relate", "from": "host", "kind": "depends_on", "to": "dc"}),
        ),
        (
            "cfg",
            json!({"op": "relate", "from": "db", "kind": "runs_on", "to": "host"}),
        ),
        (
            "cfg",
            json!({"op": "relate", "from": "app", "kind": "depends_on", "to": "db"}),
        ),
        (
            "cfg",
            json!({"op": "relate", "from": "svc-pay", "kind": "depends_on", "to": "app"}),
        ),
        (
            "bcm",
            json!({"op": "set_business_impact", "service": "svc-pay",
            "steps": [{"after_s": 0, "level": "Minor"}, {"after_s": 14400, "level": "Major"}],
            "mtpd_s": 28800, "rto_s": 14400, "rpo_s": 900}),
        ),
        (
            "cfg",
            json!({"op": "set_recovery", "ci": "host", "duration_s": 10800, "team": "infra"}),
        ),
        (
            "cfg",
            json!({"op": "set_recovery", "ci": "db", "duration_s": 7200, "team": "dba", "backup_interval_s": 3600}),
        ),
        (
            "bcm",
            json!({"op": "set_recovery", "ci": "app", "duration_s": 3600, "team": "infra"}),
        ),
    ];
    for (i, (actor, v)) in steps.into_iter().enumerate() {
        run(&mut sms, actor, at(1, u32::try_from(i).unwrap()), v).unwrap();
    }
    sms
}

fn raised(effects: &[Effect]) -> Vec<itsm_risk::Reference> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::ContinuityRiskRaised { risk, .. } => Some(*risk),
            _ => None,
        })
        .collect()
}

fn assess(key: &str) -> Value {
    json!({"op": "assess_continuity", "key": key, "disaster": {"facility": "dc"}})
}

fn exercise(key: &str, restore_s: u64) -> Value {
    json!({"op": "record_exercise", "key": key, "name": key, "date": "2026-03-10",
           "scenario": {"facility": "dc"}, "measured": [{"service": "svc-pay", "restore_s": restore_s}]})
}

#[test]
fn continuity_commands_need_their_authority() {
    let mut sms = payments();
    let refused =
        |r: Result<Vec<Effect>, EngineError>| matches!(r, Err(EngineError::NotAuthorized { .. }));
    assert!(refused(run(&mut sms, "aud", at(2, 0), assess("a1"))));
    assert!(refused(run(&mut sms, "cfg", at(2, 0), assess("a1"))));
    assert!(refused(run(&mut sms, "aud", at(2, 0), exercise("x1", 60))));
    assert!(refused(run(
        &mut sms,
        "aud",
        at(2, 0),
        json!({"op": "set_recovery", "ci": "app"})
    )));
    assert!(refused(run(
        &mut sms,
        "cfg",
        at(2, 0),
        json!({"op": "set_business_impact",
        "service": "svc-pay", "mtpd_s": 60, "rto_s": 60, "rpo_s": 0})
    )));
    assert!(run(&mut sms, "ceo", at(2, 0), assess("a1")).is_ok());
    assert!(run(&mut sms, "bcm", at(2, 1), exercise("x1", 60)).is_ok());
}

#[test]
fn a_refused_continuity_command_changes_nothing() {
    let mut sms = payments();
    run(&mut sms, "bcm", at(2, 0), assess("a1")).unwrap();
    let before = serde_json::to_string(&sms).unwrap();
    let refusals = [
        ("aud", assess("a2")),
        ("bcm", assess("a1")),
        (
            "bcm",
            json!({"op": "assess_continuity", "key": "a3", "disaster": {"facility": "host"}}),
        ),
        (
            "bcm",
            json!({"op": "assess_continuity", "key": "a3", "disaster": {"cis": ["nope"]}}),
        ),
        (
            "bcm",
            json!({"op": "set_business_impact", "service": "svc-pay", "mtpd_s": 3600, "rto_s": 7200, "rpo_s": 0}),
        ),
        (
            "bcm",
            json!({"op": "set_business_impact", "service": "app", "mtpd_s": 3600, "rto_s": 60, "rpo_s": 0}),
        ),
        (
            "bcm",
            json!({"op": "set_business_impact", "service": "svc-pay", "mtpd_s": 3600, "rto_s": 60, "rpo_s": 0,
                       "steps": [{"after_s": 0, "level": "Dreadful"}]}),
        ),
        (
            "bcm",
            json!({"op": "set_recovery", "ci": "db", "duration_s": 999_999_999_999_u64}),
        ),
        ("bcm", json!({"op": "set_recovery", "ci": "db", "team": ""})),
        ("bcm", exercise("x1", 999_999_999_999)),
        (
            "bcm",
            json!({"op": "record_exercise", "key": "x1", "name": "x1", "date": "2026-03-10",
                       "scenario": {"facility": "dc"}, "measured": [{"service": "app", "restore_s": 60}]}),
        ),
    ];
    for (actor, v) in refusals {
        let what = v.to_string();
        assert!(
            run(&mut sms, actor, at(3, 0), v).is_err(),
            "accepted: {what}"
        );
        assert_eq!(
            serde_json::to_string(&sms).unwrap(),
            before,
            "changed by: {what}"
        );
    }
}

#[test]
fn an_assessment_raises_each_gap_once_and_later_runs_name_the_same_risks() {
    let mut sms = payments();
    let first = raised(&run(&mut sms, "bcm", at(2, 0), assess("a1")).unwrap());
    assert_eq!(first.len(), 2, "the RTO gap and the RPO gap");
    let svc: Id<Ci> = Id::from_key("svc-pay");
    for r in &first {
        let risk = sms.risks().risk_by_reference(*r).unwrap();
        assert_eq!(risk.register, RegisterKind::Continuity);
        assert_eq!(risk.source, RiskSource::BusinessImpactAnalysis);
        assert!(risk.links.cis.contains(&svc));
    }
    let count = sms.risks().len();
    let again = run(&mut sms, "bcm", at(2, 1), assess("a2")).unwrap();
    assert!(raised(&again).is_empty(), "a re-run raises nothing new");
    assert_eq!(sms.risks().len(), count);
    let Answer::ContinuityAssessments(list) = sms.query(&Query::ContinuityAssessments {}).unwrap()
    else {
        unreachable!("answer kind")
    };
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[0].risks, list[1].risks,
        "the second names the first's risks"
    );
    assert_eq!(list[0].plan.services[0].restored_s, 6 * 3600);

    // Backups every 10 minutes close the RPO gap: the next assessment records it resolved.
    run(
        &mut sms,
        "cfg",
        at(2, 2),
        json!({"op": "set_recovery", "ci": "db", "duration_s": 7200,
        "team": "dba", "backup_interval_s": 600}),
    )
    .unwrap();
    assert!(raised(&run(&mut sms, "bcm", at(2, 3), assess("a3")).unwrap()).is_empty());
    let Answer::ContinuityAssessments(list) = sms.query(&Query::ContinuityAssessments {}).unwrap()
    else {
        unreachable!("answer kind")
    };
    let rpo_risk = list[0].risks[1];
    assert_eq!(list[2].resolved, vec![rpo_risk]);
    assert_eq!(list[2].risks, vec![list[0].risks[0]]);
}

#[test]
fn an_exercise_past_the_rto_raises_a_continuity_risk_once() {
    let mut sms = payments();
    let first = raised(&run(&mut sms, "bcm", at(2, 0), exercise("x1", 6 * 3600)).unwrap());
    assert_eq!(
        first.len(),
        1,
        "6 h against a 4 h RTO (within the 8 h MTPD)"
    );
    let risk = sms.risks().risk_by_reference(first[0]).unwrap();
    assert_eq!(risk.source, RiskSource::ContinuityExercise);
    assert!(raised(&run(&mut sms, "bcm", at(2, 1), exercise("x2", 7 * 3600)).unwrap()).is_empty());
    assert!(raised(&run(&mut sms, "bcm", at(2, 2), exercise("x3", 3600)).unwrap()).is_empty());
}

#[test]
fn continuity_queries_answer_by_key() {
    let sms = payments();
    let Answer::InheritedObjectives(i) = sms
        .query(&Query::InheritedObjectives { ci: "host".into() })
        .unwrap()
    else {
        unreachable!("answer kind")
    };
    assert_eq!(
        (i.rto_s, i.rto_set_by.as_deref()),
        (Some(14400), Some("svc-pay"))
    );
    assert_eq!(i.rpo_s, Some(900));
    let Answer::BusinessImpact(Some(b)) = sms
        .query(&Query::BusinessImpact {
            service: "svc-pay".into(),
        })
        .unwrap()
    else {
        unreachable!("answer kind")
    };
    assert_eq!(b.rto_s, 14400);
    let plan: Query =
        serde_json::from_value(json!({"query": "recovery_plan", "disaster": {"facility": "dc"}}))
            .unwrap();
    let Answer::RecoveryPlan(p) = sms.query(&plan).unwrap() else {
        unreachable!("answer kind")
    };
    let order: Vec<(&str, u64, u64)> = p
        .steps
        .iter()
        .map(|s| (s.ci.as_str(), s.restore_start_s, s.restore_end_s))
        .collect();
    assert_eq!(
        order,
        [
            ("dc", 0, 0),
            ("host", 0, 10800),
            ("db", 10800, 18000),
            ("app", 18000, 21600),
            ("svc-pay", 21600, 21600)
        ]
    );
    assert_eq!(p.findings.len(), 2);
    assert_eq!(sms.risks().len(), 0, "a query raises nothing");
}

#[test]
fn replay_and_snapshot_cover_the_continuity_records() {
    let mut sms = payments();
    run(&mut sms, "bcm", at(2, 0), assess("a1")).unwrap();
    run(&mut sms, "bcm", at(2, 1), exercise("x1", 6 * 3600)).unwrap();
    run(&mut sms, "bcm", at(2, 2), assess("a2")).unwrap();
    let replayed = Sms::replay(sms.log()).unwrap();
    assert_eq!(replayed, sms);
    let text = serde_json::to_string(&sms).unwrap();
    assert_eq!(Sms::from_snapshot(&text, None, None).unwrap(), sms);
    // A snapshot whose stored assessment differs from what its log produces is refused.
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["continuity"]["assessments"]["a1"]["plan"]["completed_s"] = json!(1);
    assert!(Sms::from_snapshot(&v.to_string(), None, None).is_err());
}

#[test]
fn continuity_results_reach_the_management_review() {
    let mut sms = payments();
    run(&mut sms, "bcm", at(2, 0), assess("a1")).unwrap();
    run(&mut sms, "bcm", at(2, 1), exercise("x1", 6 * 3600)).unwrap();
    let period = itsm_core::Period::new(at(1, 0), at(20, 0)).unwrap();
    let review = sms.management_review(period, None);
    assert_eq!(review.continuity.assessments.len(), 1);
    assert_eq!(review.continuity.exercises.len(), 1);
    let md = review.to_markdown(&|id| id.to_string());
    assert!(md.contains("## Continuity results (1 assessment(s), 1 exercise(s))"));
    assert!(md.contains("past its recovery time objective of 4 h (14400 s)"));
    let evidence = review
        .evidence
        .iter()
        .find(|c| c.clause == "8.7.2")
        .unwrap();
    assert!(
        evidence
            .records
            .iter()
            .any(|r| r.starts_with("continuity assessment `a1`"))
    );
    assert!(
        evidence
            .records
            .iter()
            .any(|r| r.starts_with("continuity exercise `x1`"))
    );
}

#[test]
fn a_gap_that_comes_back_after_its_risk_was_closed_is_raised_again() {
    let mut sms = payments();
    let first = raised(&run(&mut sms, "bcm", at(2, 0), assess("a1")).unwrap());
    let rto = first[0];
    run(
        &mut sms,
        "ceo",
        at(2, 1),
        json!({"op": "close_risk", "risk": rto.to_string(), "note": "standby ordered"}),
    )
    .unwrap();
    // The same disaster still shows both gaps: the RPO one names its open risk, the RTO one
    // is raised again, as a new risk (the closed one is not named).
    let again = raised(&run(&mut sms, "bcm", at(2, 2), assess("a2")).unwrap());
    assert_eq!(again.len(), 1, "{again:?}");
    assert_ne!(again[0], rto);
    let Answer::ContinuityAssessments(list) = sms.query(&Query::ContinuityAssessments {}).unwrap()
    else {
        unreachable!("answer kind")
    };
    assert!(!list[1].risks.contains(&rto), "{:?}", list[1].risks);
    assert!(list[1].risks.contains(&again[0]));
}
