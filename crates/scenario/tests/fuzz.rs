//! Fuzz-style properties: the parser and the runner never panic, whatever they are fed.

use proptest::prelude::*;

const SCENARIO: &str = r#"{"format": 1, "name": "fuzz", "steps": [
 {"at": "2026-01-05T09:00:00Z", "actor": "ceo", "op": "define_organisation", "actors": [{"key": "ceo", "name": "CEO", "roles": ["top_management", "implementer"]}]},
 {"at": "2026-01-05T09:10:00Z", "actor": "ceo", "op": "add_ci", "key": "a", "name": "A", "kind": "application"},
 {"at": "2026-01-05T09:10:00Z", "actor": "ceo", "op": "add_ci", "key": "b", "name": "B", "kind": "hardware"},
 {"at": "2026-01-05T09:20:00Z", "actor": "ceo", "op": "relate", "from": "a", "kind": "runs_on", "to": "b"},
 {"expect": {"query": {"query": "impact", "failed": ["b"]}, "path": "/value/down", "contains": "a"}},
 {"expect": {"query": {"query": "impact", "failed": ["b"]}, "path": "/value/down", "same_set": ["a", "b"]}},
 {"expect": {"query": {"query": "single_points_of_failure", "ci": "a"}, "path": "/value", "not_contains": "a"}},
 {"at": "2026-01-05T09:30:00Z", "actor": "ceo", "op": "identify_risk", "key": "r", "title": "t", "category": "c", "owner": "ceo", "inherent": {"impact": "Major", "likelihood": "Likely"}},
 {"expect": {"query": {"query": "escalations", "since": "2026-01-01T00:00:00Z"}, "path": "/value", "at_least": 1}}
]}"#;

#[test]
fn the_seed_scenario_passes() {
    let (report, _) = itsm_scenario::run(SCENARIO).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{}", report.to_text());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,300}") {
        let _ = itsm_scenario::run(&s);
    }

    #[test]
    fn mutated_scenarios_never_panic(edits in proptest::collection::vec((0usize..2000, 32u8..127), 1..6)) {
        let mut bytes = SCENARIO.as_bytes().to_vec();
        for (pos, b) in edits {
            let i = pos % bytes.len();
            bytes[i] = b;
        }
        if let Ok(text) = String::from_utf8(bytes) {
            if let Ok((report, sms)) = itsm_scenario::run(&text) {
                prop_assert_eq!(report.steps.len(), itsm_scenario::parse(&text).map(|s| s.steps.len()).unwrap_or(0));
                // Whatever happened, the state replays from its log.
                let replayed = itsm_engine::Sms::replay(sms.log()).ok();
                prop_assert_eq!(replayed.as_ref(), Some(&sms));
            }
        }
    }
}
