//! The `itsm` binary: exit codes and messages.
#![expect(clippy::unwrap_used, reason = "tests: a panic is a failing test")]

use std::path::{Path, PathBuf};
use std::process::Command;

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

fn itsm(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_itsm"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("itsm-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn run_passes_the_corpus_and_fails_a_broken_copy() {
    let mut files: Vec<String> = std::fs::read_dir(scenarios())
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".json"))
        .collect();
    files.sort();
    let args: Vec<&str> = std::iter::once("run")
        .chain(files.iter().map(String::as_str))
        .collect();
    let (code, out, _) = itsm(&args);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("all scenarios passed\n"));
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let broken = temp(
        "broken.json",
        &text.replacen(
            r#""not_contains": "ext-isp-fastnet""#,
            r#""not_contains": "ext-web-hosting""#,
            1,
        ),
    );
    let (code, out, _) = itsm(&["run", &broken]);
    assert_eq!(code, 1);
    assert!(
        out.contains("FAIL expect single_points_of_failure")
            && out.contains(r#"expected {"not_contains":"ext-web-hosting"}"#),
        "{out}"
    );
    let (code, out, _) = itsm(&["run", "--json", &broken]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["ok"], false);
}

#[test]
fn bad_files_name_the_file_and_the_step() {
    let bad = temp(
        "bad-step.json",
        r#"{"format": 1, "name": "x", "steps": [{"at": "2026-01-01T00:00:00Z", "actor": "a", "op": "define_organisation", "actors": []}, {"at": "2026-01-01T00:00:00Z", "actor": "a", "op": "fly"}]}"#,
    );
    let (code, _, err) = itsm(&["run", &bad]);
    assert_eq!(code, 1);
    assert!(
        err.contains("bad-step.json: step 2: `fly`: unknown value `fly`"),
        "{err}"
    );
    let later = temp("later.json", r#"{"format": 2, "name": "x", "steps": []}"#);
    let (code, _, err) = itsm(&["run", &later]);
    assert_eq!(code, 1);
    assert!(
        err.contains(
            "later.json: scenario format 2 is not one this build reads (it reads format 1)"
        ),
        "{err}"
    );
    let (code, _, err) = itsm(&["run", "/nonexistent.json"]);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent.json: cannot read"), "{err}");
    let (code, _, err) = itsm(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("usage:"));
}

#[test]
fn map_and_report_render_the_end_state() {
    let s = scenarios().join("01-online-banking-isp-outage.json");
    let (code, out, err) = itsm(&["map", s.to_str().unwrap(), "svc-online-banking"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("flowchart TD"), "{out}");
    let (code, out, _) = itsm(&["map", "--dot", s.to_str().unwrap(), "svc-online-banking"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("digraph service_map {"));
    let (code, _, err) = itsm(&["map", s.to_str().unwrap(), "svc-nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no configuration item `svc-nope`"));
    let r = scenarios().join("08-unauthorized-change-detected.json");
    let (code, out, _) = itsm(&["report", r.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("# Management review") && out.contains("| 8.5.1 | Change management | 1 |"),
        "{out}"
    );
}

#[test]
fn map_colours_what_failing_the_given_cis_takes_down() {
    let s = scenarios().join("01-online-banking-isp-outage.json");
    let s = s.to_str().unwrap();
    let (code, out, err) = itsm(&["map", s, "svc-online-banking"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("failed;") && !out.contains("down;") && !out.contains("degraded;"));
    assert!(out.contains("  class n0 root;"), "{out}");
    // One ISP of the 1-of-2 uplinks: online banking only degrades.
    let (code, out, err) = itsm(&["map", "--fail", "ext-isp-fastnet", s, "svc-online-banking"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("g1{{\"network uplinks<br/>1 of 2\"}}"),
        "{out}"
    );
    for line in [
        "class n0 degraded;",
        "class n7 failed;",
        "class g1 degraded;",
    ] {
        assert!(out.contains(line), "{line} in {out}");
    }
    // Both: it goes down, in DOT too.
    let (code, out, err) = itsm(&[
        "map",
        "--dot",
        "--fail",
        "ext-isp-fastnet",
        "--fail",
        "ext-isp-skylink",
        s,
        "svc-online-banking",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("  n0 [label=\"svc-online-banking\\nOnline banking\\n(service)\", shape=doubleoctagon, style=\"rounded,filled\", fillcolor=\"#f8b4b4\"];"),
        "{out}"
    );
    assert_eq!(out.matches("penwidth=3").count(), 2);
    let (code, _, err) = itsm(&["map", "--fail", "nope", s, "svc-online-banking"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no configuration item `nope` to fail"),
        "{err}"
    );
    let (code, _, err) = itsm(&["map", s, "svc-online-banking", "--fail"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("`--fail` needs the key of a CI\nusage:"),
        "{err}"
    );
    let (code, _, err) = itsm(&["map", "--frob", s, "svc-online-banking"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("unknown option `--frob`"), "{err}");
}

#[test]
fn inputs_that_used_to_panic_exit_1_with_a_readable_reason_never_101() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/former-panics.json");
    let file = file.to_string_lossy();
    let (code, out, err) = itsm(&["run", &file]);
    assert_eq!(code, 1, "{out}{err}");
    for reason in [
        "`review_interval_days` of `4294967295` days is out of range",
        "`at` `+262142-01-01T00:00:00Z` is outside the range the engine accepts",
        "`at` `+262142-12-31T23:59:59Z` is outside the range",
        "`start` `-262143-01-01T00:00:00Z` is outside the range",
        "is longer than the engine accepts (at most `31 days`)",
        "6 failed",
    ] {
        assert!(out.contains(reason), "missing `{reason}` in:\n{out}");
    }
    assert!(!err.contains("panicked"), "{err}");
    let (code, _, err) = itsm(&["report", &file]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = itsm(&["run", "--json", &file]);
    assert_eq!(code, 1, "{err}");
}
