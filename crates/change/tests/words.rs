//! Issue 9: the change register speaks the user's words: its log, its assessments and its
//! refusals name values as the user writes them (`backed_out`, `high`), never as Rust's `Debug`
//! text (`backedout`, `High`, `struct variant Approver::Cab`).
#![expect(clippy::unwrap_used, reason = "tests: a panic is a failing test")]

mod common;

use common::*;
use itsm_change::*;
use itsm_core::Period;

#[test]
fn a_backed_out_change_is_logged_as_backed_out_not_backedout() {
    let (mut reg, p) = (register(), people());
    let mut cmdb = cmdb();
    let change = reg
        .raise(
            &p.dev,
            at(1, 9),
            &cmdb,
            NewChange::new("Swap", vec![id("kbd-1")]),
        )
        .unwrap()
        .id;
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
    reg.complete(&p.dev, at(7, 20), change, Outcome::BackedOut, &mut cmdb)
        .unwrap();
    let last = reg.change(change).unwrap().log.last().unwrap();
    assert_eq!(last.action, "implemented: backed_out");
    assert_eq!(Outcome::BackedOut.to_string(), "backed_out");
    assert_eq!(
        serde_json::to_value(Outcome::BackedOut).unwrap(),
        serde_json::json!("backed_out")
    );
}

#[test]
fn a_factor_rating_is_explained_with_the_level_as_the_user_writes_it() {
    let (mut reg, p) = (register(), people());
    let cmdb = cmdb();
    let mut new = NewChange::new("Swap", vec![id("kbd-1")]);
    new.factors = [(Factor::Skills, FactorLevel::High)].into();
    let change = reg.raise(&p.dev, at(1, 9), &cmdb, new).unwrap().id;
    reg.submit(&p.dev, at(1, 9), change).unwrap();
    let c = reg.assess(&p.cm, at(1, 9), change, &cmdb).unwrap();
    let reasons: Vec<&str> = c
        .assessment
        .iter()
        .flat_map(|a| a.factors.iter().map(|f| f.reason.as_str()))
        .collect();
    assert!(
        reasons.contains(&"skills rated high by the requester"),
        "{reasons:?}"
    );
}

#[test]
fn an_approver_of_the_wrong_shape_is_described_in_the_users_words() {
    for (json, says) in [
        (r#"{"cab": 7}"#, "expected a quorum, as `{\"quorum\": 2}`"),
        (
            r#"{"cab": {"quorum": 2, "chair": "x"}}"#,
            "unknown field `chair`",
        ),
        (r#"{"emergency_cab": []}"#, "expected a quorum"),
    ] {
        // As the engine reads commands: from a JSON value.
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let e = serde_json::from_value::<Approver>(value)
            .unwrap_err()
            .to_string();
        assert!(e.contains(says), "{json}: {e}");
        assert!(
            !e.contains("Approver") && !e.contains("variant"),
            "{json}: {e}"
        );
    }
    // What it reads is what it writes.
    let cab = Approver::Cab { quorum: 2 };
    let json = serde_json::to_string(&cab).unwrap();
    assert_eq!(json, r#"{"cab":{"quorum":2}}"#);
    assert_eq!(serde_json::from_str::<Approver>(&json).unwrap(), cab);
}

#[test]
fn a_renumbered_register_snapshot_is_refused_as_a_snapshot_not_as_an_invalid_policy() {
    let (mut reg, p) = (register(), people());
    let cmdb = cmdb();
    reg.raise(
        &p.dev,
        at(1, 9),
        &cmdb,
        NewChange::new("Swap", vec![id("kbd-1")]),
    )
    .unwrap();
    let mut v = serde_json::to_value(&reg).unwrap();
    v["changes"][0]["number"] = serde_json::json!(2);
    let e = serde_json::from_value::<ChangeRegister>(v)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "invalid change register snapshot: the change in place 1 is numbered 2, not 1"
        ),
        "{e}"
    );
    assert!(!e.contains("policy"), "{e}");
}
