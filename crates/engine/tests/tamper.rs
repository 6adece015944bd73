//! Issue 8: the audit trail is tamper-evident. Each edit of a snapshot is refused on load,
//! naming what and where; the head digest changes with any change of history; time only moves
//! forward. Issue 9: a refused snapshot names the record by its key (`risk `r` (R-1)`, `change
//! `c` (CHG-1)`, `actor `dev``) with its own error, never as an invalid change policy or by an
//! event number the log does not count (`event 0`).
#![expect(clippy::unwrap_used, reason = "tests: a panic is a failing test")]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use itsm_engine::{ChainKey, Command, EngineError, Sms};
use serde_json::{Value, json};

fn at(h: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap() + TimeDelta::hours(h)
}

fn cmd(v: Value) -> Command {
    serde_json::from_value(v).unwrap()
}

/// The steps of a small but complete history: organisation, configuration, an escalated risk,
/// an approved change.
fn history() -> Vec<(&'static str, Value)> {
    vec![
        (
            "ceo",
            json!({"op": "define_organisation",
            "actors": [
                {"key": "ceo", "name": "CEO", "roles": ["top_management"]},
                {"key": "cfg", "name": "Configuration", "roles": [{"process_owner": "configuration_management"}]},
                {"key": "rm", "name": "Risk manager", "roles": ["risk_manager"]},
                {"key": "dev", "name": "Implementer", "roles": ["implementer"]},
                {"key": "cm", "name": "Change manager", "roles": ["change_manager"]}
            ],
            "appetite": {"default_threshold": "Medium", "escalate_at": "High",
                "authority": [{"role": "risk_manager", "up_to": "High"}]}}),
        ),
        (
            "cfg",
            json!({"op": "add_ci", "key": "svc", "name": "Shop", "kind": {"service": {"size": "medium", "composition": "single", "provision_source": "centralized", "consumers": "external"}}}),
        ),
        (
            "cfg",
            json!({"op": "add_ci", "key": "app", "name": "App", "kind": "application"}),
        ),
        (
            "cfg",
            json!({"op": "relate", "from": "svc", "kind": "depends_on", "to": "app"}),
        ),
        (
            "rm",
            json!({"op": "identify_risk", "key": "r", "title": "Outage", "category": "c",
            "owner": "rm", "inherent": {"impact": "Major", "likelihood": "Likely"}}),
        ),
        (
            "dev",
            json!({"op": "raise_change", "key": "c", "title": "Patch", "targets": ["app"]}),
        ),
        ("dev", json!({"op": "submit_change", "change": "c"})),
        ("cm", json!({"op": "assess_change", "change": "c"})),
        (
            "rm",
            json!({"op": "assess_risk", "risk": "r",
            "residual": {"impact": "Moderate", "likelihood": "Possible"}}),
        ),
    ]
}

fn build(key: Option<&ChainKey>) -> Sms {
    let mut sms = key.map_or_else(Sms::new, |k| Sms::with_key(k.clone()));
    for (i, (who, v)) in history().into_iter().enumerate() {
        sms.apply(who, at(i64::try_from(i).unwrap()), cmd(v))
            .unwrap();
    }
    sms
}

fn snapshot(sms: &Sms) -> Value {
    serde_json::to_value(sms).unwrap()
}

/// Loads an edited snapshot both ways and returns the error.
fn refusal(v: &Value) -> EngineError {
    let text = v.to_string();
    let plain = serde_json::from_str::<Sms>(&text).unwrap_err().to_string();
    let explicit = Sms::from_snapshot(&text, None, None).unwrap_err();
    assert!(
        plain.contains(&explicit.to_string()),
        "{plain} / {explicit}"
    );
    explicit
}

/// Loads an edited snapshot both ways and returns the error text.
fn refused(v: &Value) -> String {
    refusal(v).to_string()
}

/// The snapshot's record, by key, that is not what its log produces.
fn differing_record(v: &Value) -> String {
    match refusal(v) {
        EngineError::SnapshotDiffers { record, .. } => record,
        e => format!("another error: {e}"),
    }
}

#[test]
fn an_untouched_snapshot_loads_and_equals_the_live_engine() {
    let sms = build(None);
    let text = serde_json::to_string(&sms).unwrap();
    assert_eq!(serde_json::from_str::<Sms>(&text).unwrap(), sms);
    assert_eq!(
        Sms::from_snapshot(&text, None, None).unwrap().head(),
        sms.head()
    );
}

#[test]
fn a_rating_edited_in_state_and_history_is_refused() {
    let mut v = snapshot(&build(None));
    let low = json!({"impact": "Insignificant", "likelihood": "Rare", "score": 1,
        "level": "Low", "impact_rank": 0, "likelihood_rank": 0, "level_rank": 0});
    let risk = &mut v["risks"]["risks"][0];
    let fields: Vec<String> = risk["inherent"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for f in fields {
        if let Some(x) = low.get(&f) {
            risk["inherent"][&f] = x.clone();
        }
    }
    // Make the history agree, so only the log can tell.
    let after = v["risks"]["risks"][0]["inherent"].clone();
    for entry in v["risks"]["history"][0].as_array_mut().unwrap() {
        for change in entry["changes"].as_array_mut().unwrap() {
            if change["field"] == "inherent" {
                change["after"] = after.clone();
            }
        }
    }
    let e = refused(&v);
    assert!(
        e.starts_with(
            "snapshot refused: the history of risk `r` (R-1) is not what its log produces (at `/risks/history/0/"
        ),
        "{e}"
    );
    assert_eq!(differing_record(&v), "the history of risk `r` (R-1)");
}

#[test]
fn removing_the_last_event_is_refused_naming_the_risk_it_rated() {
    let mut v = snapshot(&build(None));
    v["log"].as_array_mut().unwrap().pop();
    let e = refused(&v);
    assert!(e.contains("is not what its log produces"), "{e}");
    assert_eq!(differing_record(&v), "the history of risk `r` (R-1)");
}

#[test]
fn removing_a_middle_event_is_refused_with_its_place() {
    let mut v = snapshot(&build(None));
    v["log"].as_array_mut().unwrap().remove(3);
    let e = refused(&v);
    assert!(e.contains("event 5"), "{e}");
    assert!(e.contains("removed, inserted or reordered"), "{e}");
}

#[test]
fn reordering_events_is_refused() {
    let mut v = snapshot(&build(None));
    v["log"].as_array_mut().unwrap().swap(5, 6);
    let e = refused(&v);
    assert!(e.contains("event 7"), "{e}");
}

#[test]
fn renumbered_reordering_is_refused() {
    // Swapped and renumbered so the sequence numbers look right: the chain links do not.
    let mut v = snapshot(&build(None));
    let log = v["log"].as_array_mut().unwrap();
    log.swap(5, 6);
    log[5]["seq"] = json!(6);
    log[6]["seq"] = json!(7);
    let e = refused(&v);
    assert!(
        e.contains("event 6") && e.contains("does not follow"),
        "{e}"
    );
}

#[test]
fn a_rewritten_logged_actor_is_refused() {
    let mut v = snapshot(&build(None));
    v["log"][4]["actor"] = json!("ceo");
    let e = refused(&v);
    assert!(e.contains("event 5") && e.contains("edited"), "{e}");
}

#[test]
fn a_rewritten_logged_command_is_refused() {
    let mut v = snapshot(&build(None));
    v["log"][4]["command"]["inherent"]["impact"] = json!("Minor");
    let e = refused(&v);
    assert!(e.contains("event 5") && e.contains("edited"), "{e}");
}

#[test]
fn granting_an_actor_top_management_is_refused() {
    let mut v = snapshot(&build(None));
    v["actors"]["dev"]["roles"] = json!(["implementer", "top_management"]);
    let e = refused(&v);
    assert!(e.contains("`/actors/dev/roles"), "{e}");
    assert_eq!(differing_record(&v), "actor `dev`");
}

#[test]
fn a_change_status_set_to_approved_is_refused() {
    let mut v = snapshot(&build(None));
    assert_eq!(v["changes"]["changes"][0]["status"], json!("assessed"));
    v["changes"]["changes"][0]["status"] = json!("approved");
    let e = refused(&v);
    assert!(e.contains("`/changes/changes/0/status`"), "{e}");
    assert_eq!(differing_record(&v), "change `c` (CHG-1)");
}

#[test]
fn deleting_the_escalations_is_refused() {
    let mut v = snapshot(&build(None));
    assert!(!v["risks"]["escalations"].as_array().unwrap().is_empty());
    v["risks"]["escalations"] = json!([]);
    let e = refused(&v);
    assert!(e.contains("`/risks/escalations"), "{e}");
    assert_eq!(differing_record(&v), "the escalations of the risk register");
}

#[test]
fn a_ci_id_changed_everywhere_is_refused() {
    let sms = build(None);
    let id = sms.cmdb().ci_by_key("app").unwrap().id.to_string();
    let text = serde_json::to_string(&sms).unwrap();
    let forged = text.replace(&id, "00000000-0000-4000-8000-000000000001");
    assert_ne!(forged, text);
    let e = Sms::from_snapshot(&forged, None, None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("snapshot refused") || e.contains("the log is broken"),
        "{e}"
    );
}

#[test]
fn the_head_changes_when_anything_in_the_history_changes() {
    let base = build(None);
    let heads: Vec<_> = (0..history().len())
        .map(|k| {
            // The same history with one step's time moved by a second.
            let mut sms = Sms::new();
            for (i, (who, v)) in history().into_iter().enumerate() {
                let mut t = at(i64::try_from(i).unwrap());
                if i == k {
                    t += TimeDelta::seconds(1);
                }
                sms.apply(who, t, cmd(v)).unwrap();
            }
            sms.head()
        })
        .collect();
    for h in &heads {
        assert_ne!(*h, base.head());
    }
    let mut distinct = heads.clone();
    distinct.sort_by_key(ToString::to_string);
    distinct.dedup();
    assert_eq!(distinct.len(), heads.len());
    // And the head is the last event's digest, chained from the genesis digest.
    assert_eq!(base.head(), base.log().last().unwrap().hash);
    assert_eq!(base.log()[0].prev, itsm_engine::Digest::GENESIS);
}

#[test]
fn a_keyed_log_is_a_mac() {
    let key = ChainKey::new([7; 32]);
    let sms = build(Some(&key));
    assert_ne!(sms.head(), build(None).head());
    let text = serde_json::to_string(&sms).unwrap();
    assert!(!text.contains("0707070707"), "the key is never written");
    assert_eq!(Sms::from_snapshot(&text, Some(&key), None).unwrap(), sms);
    // Without the key, or with another, it is refused at the first event.
    for k in [None, Some(ChainKey::new([8; 32]))] {
        let e = Sms::from_snapshot(&text, k.as_ref(), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("event 1") && e.contains("chain key"), "{e}");
    }
    // An unkeyed forger who rewrites an event and recomputes the chain without the key is
    // refused too: the recomputed digests are not MACs under the key.
    let forged_engine = build(None);
    let forged = serde_json::to_string(&forged_engine).unwrap();
    assert!(Sms::from_snapshot(&forged, Some(&key), None).is_err());
}

#[test]
fn time_only_moves_forward() {
    let mut sms = build(None);
    let last = sms.log().last().unwrap().at;
    let err = sms
        .apply(
            "ceo",
            last - TimeDelta::hours(1),
            cmd(json!({"op": "close_risk", "risk": "r", "note": "n"})),
        )
        .unwrap_err();
    assert!(matches!(err, EngineError::TimeWentBack { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "at {} is before the last event, {}",
            (last - TimeDelta::hours(1)).format("%Y-%m-%dT%H:%M:%SZ"),
            last.format("%Y-%m-%dT%H:%M:%SZ")
        )
    );
    // The same instant is allowed.
    sms.apply(
        "cfg",
        last,
        cmd(json!({"op": "add_ci", "key": "x", "name": "x", "kind": "document"})),
    )
    .unwrap();
}

#[test]
fn a_snapshot_cut_back_to_an_earlier_point_is_refused_against_the_kept_head() {
    let key = ChainKey::new([9; 32]);
    let sms = build(Some(&key));
    let kept = sms.head();
    // Drop the last two events and rebuild the state from the rest, under the key: a
    // consistent, earlier snapshot.
    let shorter = sms.log().len() - 2;
    let earlier = Sms::replay_keyed(&sms.log()[..shorter], Some(&key)).unwrap();
    let text = serde_json::to_string(&earlier).unwrap();
    assert!(Sms::from_snapshot(&text, Some(&key), None).is_ok());
    let e = Sms::from_snapshot(&text, Some(&key), Some(kept)).unwrap_err();
    assert!(
        matches!(e, EngineError::SnapshotHead { events: 7, .. }),
        "{e}"
    );
    assert!(
        e.to_string().contains("events were removed or rewritten"),
        "{e}"
    );
    let full = serde_json::to_string(&sms).unwrap();
    assert!(Sms::from_snapshot(&full, Some(&key), Some(kept)).is_ok());
}

#[test]
fn a_snapshot_of_an_unknown_format_is_refused_naming_the_versions_read() {
    let sms = build(None);
    let mut v = snapshot(&sms);
    assert_eq!(v["format"], json!(1), "a snapshot says which format it is");
    assert!(
        serde_json::to_string(&sms)
            .unwrap()
            .starts_with(r#"{"format":1,"#),
        "the format comes first"
    );
    v["format"] = json!(2);
    let err = Sms::from_snapshot(&v.to_string(), None, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("format 2 is not one this build reads (it reads format 1)"),
        "{err}"
    );
}

#[test]
fn a_snapshot_without_a_format_is_refused() {
    let mut v = snapshot(&build(None));
    v.as_object_mut().unwrap().remove("format");
    let err = Sms::from_snapshot(&v.to_string(), None, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the document carries no `format` (this build reads format 1)"),
        "{err}"
    );
}

#[test]
fn a_renumbered_change_is_not_refused_as_an_invalid_change_policy() {
    let mut v = snapshot(&build(None));
    v["changes"]["changes"][0]["number"] = json!(2);
    let e = refused(&v);
    assert!(!e.contains("policy"), "{e}");
    assert_eq!(differing_record(&v), "change `c` (CHG-1)");
    assert!(e.contains("at `/changes/changes/0/number`"), "{e}");
}

#[test]
fn a_rewritten_risk_history_names_the_risk_by_key_not_by_an_invalid_register() {
    let mut v = snapshot(&build(None));
    v["risks"]["history"][0][0]["changes"][0]["after"] = json!("Outage, edited");
    let e = refused(&v);
    assert!(!e.contains("invalid register"), "{e}");
    assert_eq!(differing_record(&v), "the history of risk `r` (R-1)");
}

#[test]
fn an_event_numbered_zero_is_named_by_its_place_in_the_log() {
    let mut v = snapshot(&build(None));
    v["log"][0]["seq"] = json!(0);
    let e = refused(&v);
    assert!(!e.contains("event 0 does not replay"), "{e}");
    assert!(
        e.contains("the log is broken at event 1: the log holds event 0 in its place"),
        "{e}"
    );
    // Replayed without the chain check, too.
    let mut log = build(None).log().to_vec();
    log[0].seq = 0;
    let e = Sms::replay(&log).unwrap_err().to_string();
    assert!(
        e.starts_with("event 1 does not replay: the log holds event 0 in its place"),
        "{e}"
    );
}

#[test]
fn an_event_refused_on_replay_names_its_command_and_actor() {
    let mut log = build(None).log().to_vec();
    log[1].actor = "rm".into();
    log[1].command = cmd(json!({"op": "add_ci", "key": "svc", "name": "Shop", "kind": "document"}));
    let e = Sms::replay(&log).unwrap_err().to_string();
    assert!(
        e.starts_with("event 2 does not replay: `add_ci` by `rm` is refused: rm may not add configuration items"),
        "{e}"
    );
}

#[test]
fn a_record_added_beside_the_log_is_refused_naming_it() {
    let mut v = snapshot(&build(None));
    v["actors"]["intruder"] = v["actors"]["ceo"].clone();
    let e = refusal(&v);
    assert!(
        matches!(&e, EngineError::SnapshotDiffers { record, detail }
            if record == "actor `intruder`"
                && detail == "the snapshot has `/actors/intruder`, its log does not produce it"),
        "{e}"
    );
    let mut v = snapshot(&build(None));
    v["cmdb"]["cis"][0]["name"] = json!("Renamed");
    let key = v["cmdb"]["cis"][0]["key"].as_str().unwrap().to_owned();
    assert_eq!(differing_record(&v), format!("CI `{key}`"));
}

#[test]
fn a_snapshot_that_is_not_one_says_so() {
    for (text, says) in [
        ("[]", "a snapshot is a JSON object"),
        ("{}", "the document carries no `format`"),
        (r#"{"format": 1}"#, "`log` is missing"),
        (
            r#"{"format": 1, "log": [7]}"#,
            "event 1 of the log cannot be read",
        ),
        (
            r#"{"format": 1, "log": [], "log": []}"#,
            "duplicate field `log`",
        ),
    ] {
        let e = Sms::from_snapshot(text, None, None).unwrap_err();
        assert!(
            matches!(&e, EngineError::Snapshot { reason } if reason.contains(says)),
            "{text}: {e}"
        );
    }
}

#[test]
fn a_snapshot_in_another_layout_loads_through_the_full_check_and_an_edit_in_it_is_refused() {
    // The fast path accepts only the exact text the replayed log produces; a snapshot laid out
    // otherwise (pretty-printed, keys sorted) is read strictly and compared value by value.
    let sms = build(None);
    let pretty = serde_json::to_string_pretty(&sms).unwrap();
    assert_eq!(Sms::from_snapshot(&pretty, None, None).unwrap(), sms);
    let sorted = snapshot(&sms).to_string();
    assert_eq!(Sms::from_snapshot(&sorted, None, None).unwrap(), sms);
    let edited = pretty.replacen("\"Shop\"", "\"Sh0p\"", 1);
    assert_ne!(edited, pretty);
    assert!(Sms::from_snapshot(&edited, None, None).is_err());
}
