//! Every scenario in `tests/scenarios/` runs and every expectation holds.

use std::path::Path;

#[test]
fn every_scenario_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "the corpus has {} scenarios", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        match itsm_scenario::run(&text) {
            Ok((report, sms)) => {
                if !report.ok() {
                    failures.push(format!("{}:\n{}", f.display(), report.to_text()));
                }
                // The end state replays from its own log.
                assert_eq!(
                    itsm::engine::Sms::replay(sms.log()).unwrap(),
                    sms,
                    "{}",
                    f.display()
                );
            }
            Err(e) => failures.push(format!("{}: {e}", f.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_broken_expectation_fails_with_a_readable_reason() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let text = std::fs::read_to_string(dir.join("01-online-banking-isp-outage.json")).unwrap();
    let broken = text.replacen(r#""at_least": 5"#, r#""at_least": 50"#, 1);
    assert_ne!(broken, text);
    let (report, _) = itsm_scenario::run(&broken).unwrap();
    assert!(!report.ok());
    let failed: Vec<_> = report.steps.iter().filter(|s| !s.passed).collect();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]
            .detail
            .starts_with(r#"expected {"at_least":50.0}, found ["#),
        "{}",
        failed[0].detail
    );
}
