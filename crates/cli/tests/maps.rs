//! Service maps read by the real tools: every map of the hostile-name corpus
//! (`itsm_testkit::hostile`) and of every scenario in `tests/scenarios`, in both formats,
//! through Graphviz `dot` and through Mermaid 11 (`tests/mermaid/check.mjs`, under jsdom).
//!
//! Each tool runs where it is installed (`.ci/run` installs both) and is skipped with a note
//! on standard error where it is not: `dot` on the `PATH`; `node` on the `PATH` with
//! `npm ci` run in `crates/cli/tests/mermaid`. Where Chromium is installed (`ITSM_CHROMIUM`,
//! or `/usr/bin/chromium`), the Mermaid check also renders every map in it.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a panic is a failing test"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use itsm_cmdb::{CiKind, CiStatus, ImpactState, MapOptions, ServiceMap};

/// A map with its two renderings.
struct Drawn {
    name: String,
    map: ServiceMap,
    mermaid: String,
    dot: String,
}

impl Drawn {
    fn new(name: impl Into<String>, map: ServiceMap) -> Self {
        Self {
            name: name.into(),
            mermaid: map.to_mermaid(),
            dot: map.to_dot(),
            map,
        }
    }
}

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("maps")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
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

/// The hostile corpus: the library's maps, and `itsm map` on the same CMDB as a scenario
/// (checked to print exactly what the library renders).
fn hostile() -> Vec<Drawn> {
    let mut out: Vec<Drawn> = itsm_testkit::hostile::maps()
        .unwrap()
        .into_iter()
        .map(|m| Drawn::new(m.name, m.map))
        .collect();
    let (doc, roots) = itsm_testkit::hostile::scenario().unwrap();
    let dir = out_dir("hostile-scenario");
    let file = dir.join("hostile.json");
    std::fs::write(&file, &doc).unwrap();
    let file = file.to_str().unwrap();
    let (report, sms) = itsm_scenario::run(&doc).unwrap();
    assert!(report.ok(), "{}", report.to_text());
    for (c, (root, fail)) in roots.iter().enumerate() {
        let cmdb = sms.cmdb();
        let root_id = cmdb.ci_by_key(root).unwrap().id;
        let fail_id = cmdb.ci_by_key(fail).unwrap().id;
        let impact = cmdb.impact_of(&[fail_id]).unwrap();
        let map = cmdb
            .service_map(root_id, &MapOptions::default(), Some(&impact))
            .unwrap();
        let (code, mermaid, err) = itsm(&["map", "--fail", fail, file, root]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(mermaid, map.to_mermaid());
        let (code, dot, err) = itsm(&["map", "--dot", "--fail", fail, file, root]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(dot, map.to_dot());
        out.push(Drawn {
            name: format!("itsm-map-{c}"),
            map,
            mermaid,
            dot,
        });
    }
    out
}

/// Every service of every scenario, plain and with its deepest dependency failed.
fn every_scenario_map() -> Vec<Drawn> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(scenarios())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in &files {
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        let (_, sms) = itsm_scenario::run(&std::fs::read_to_string(f).unwrap()).unwrap();
        let cmdb = sms.cmdb();
        let services: Vec<_> = cmdb
            .cis()
            .filter(|c| matches!(c.kind, CiKind::Service(_)))
            .map(|c| (c.id, c.key.clone()))
            .collect();
        for (id, key) in services {
            let plain = cmdb.service_map(id, &MapOptions::default(), None).unwrap();
            let deepest = plain
                .nodes
                .iter()
                .rev()
                .find(|n| !matches!(n.kind, CiKind::Document | CiKind::ConsumerGroup))
                .map(|n| n.id);
            if let Some(d) = deepest.filter(|d| *d != id) {
                let impact = cmdb.impact_of(&[d]).unwrap();
                let failed = cmdb
                    .service_map(id, &MapOptions::default(), Some(&impact))
                    .unwrap();
                out.push(Drawn::new(format!("{stem}-{key}-failed"), failed));
            }
            out.push(Drawn::new(format!("{stem}-{key}"), plain));
        }
    }
    assert!(out.len() >= 20, "only {} scenario maps", out.len());
    out
}

/// What a label line shows: control characters as U+FFFD.
fn shown(line: &str) -> String {
    line.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// The caller's lines of a node's label, each split at its line breaks.
fn node_lines(map: &ServiceMap, i: usize) -> Vec<String> {
    let n = &map.nodes[i];
    let mut texts = vec![n.key.clone()];
    if n.name != n.key {
        texts.push(n.name.clone());
    }
    texts.push(format!("({})", n.kind.name()));
    texts.iter().flat_map(|t| split_lines(t)).collect()
}

/// A caller text's lines as drawn (split at `\n`, `\r\n` and `\r`).
fn split_lines(t: &str) -> Vec<String> {
    t.replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .map(shown)
        .collect()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Graphviz

fn dot_available() -> bool {
    let ok = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: Graphviz `dot` is not on the PATH: the DOT maps were not drawn (skipped)");
    }
    ok
}

/// XML text as it reads.
fn unescape_xml(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.find(';').unwrap();
        let entity = &tail[1..end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            e if e.starts_with("#x") => {
                char::from_u32(u32::from_str_radix(&e[2..], 16).unwrap()).unwrap()
            }
            e if e.starts_with('#') => char::from_u32(e[1..].parse().unwrap()).unwrap(),
            // An entity Graphviz does not write: kept as it is, so the comparison fails.
            e => {
                out.push_str(&format!("&{e};"));
                rest = &tail[end + 1..];
                continue;
            }
        };
        out.push(c);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The `<text>` contents of an SVG from Graphviz, as they read.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .map(|t| {
            let start = t.find('>').unwrap() + 1;
            let end = t.find("</text>").unwrap();
            squash(&unescape_xml(&t[start..end]))
        })
        .collect()
}

/// Runs every DOT text through `dot -Tsvg`; each must draw, with every label line shown as
/// written and no element but Graphviz's own.
fn check_dot(drawn: &[Drawn], dir: &Path) {
    let mut problems = Vec::new();
    for d in drawn {
        let file = dir.join(format!("{}.dot", d.name));
        std::fs::write(&file, &d.dot).unwrap();
        let out = Command::new("dot")
            .arg("-Tsvg")
            .arg(&file)
            .output()
            .unwrap();
        let svg = String::from_utf8_lossy(&out.stdout).into_owned();
        std::fs::write(dir.join(format!("{}.svg", d.name)), &svg).unwrap();
        if !out.status.success() {
            problems.push(format!(
                "{}: dot failed: {}",
                d.name,
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        let texts = svg_texts(&svg);
        for i in 0..d.map.nodes.len() {
            for line in node_lines(&d.map, i) {
                let line = squash(&line);
                if !line.is_empty() && !texts.contains(&line) {
                    problems.push(format!("{}: n{i} does not show `{line}`", d.name));
                }
            }
        }
        for g in &d.map.groups {
            for line in split_lines(&g.name) {
                let line = squash(&line);
                if !line.is_empty() && !texts.contains(&line) {
                    problems.push(format!("{}: group line `{line}` not shown", d.name));
                }
            }
        }
        let nodes = svg.matches("class=\"node\"").count();
        if nodes != d.map.nodes.len() + d.map.groups.len() {
            problems.push(format!("{}: {nodes} nodes drawn", d.name));
        }
        let elements: Vec<&str> = svg
            .split('<')
            .skip(1)
            .filter_map(|t| t.split([' ', '>', '/', '\n']).next())
            .filter(|e| !e.is_empty())
            .collect();
        for e in elements {
            if !matches!(
                e,
                "?xml"
                    | "!DOCTYPE"
                    | "!--"
                    | "svg"
                    | "g"
                    | "title"
                    | "text"
                    | "polygon"
                    | "path"
                    | "ellipse"
                    | "polyline"
            ) {
                problems.push(format!("{}: element <{e}> in the SVG", d.name));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Mermaid

fn mermaid_tool() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mermaid");
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let installed = dir.join("node_modules/mermaid/package.json").exists()
        && dir.join("node_modules/jsdom/package.json").exists();
    if node && installed {
        Some(dir.join("check.mjs"))
    } else {
        eprintln!(
            "note: Mermaid check skipped: {} (run `npm ci` in crates/cli/tests/mermaid)",
            if node {
                "the npm packages are not installed"
            } else {
                "`node` is not on the PATH"
            }
        );
        None
    }
}

/// The fill a node's classes give it in Mermaid (`None`: the theme's).
fn fill(impact: Option<ImpactState>, status: CiStatus) -> Option<&'static str> {
    match (impact, status) {
        (Some(ImpactState::Down), _) => Some("#f8b4b4"),
        (Some(ImpactState::Degraded), _) => Some("#fde68a"),
        (None, CiStatus::Retired) => Some("#e5e7eb"),
        (None, _) => None,
    }
}

/// Writes the maps and their expectations, and runs the checker on them.
fn check_mermaid(drawn: &[Drawn], dir: &Path, tool: &Path) {
    let mut manifest = Vec::new();
    for d in drawn {
        let file = format!("{}.mmd", d.name);
        std::fs::write(dir.join(&file), &d.mermaid).unwrap();
        let mut nodes: Vec<serde_json::Value> = (0..d.map.nodes.len())
            .map(|i| {
                let n = &d.map.nodes[i];
                serde_json::json!({
                    "id": format!("n{i}"),
                    "text": node_lines(&d.map, i).concat(),
                    "fill": fill(n.impact, n.status),
                })
            })
            .collect();
        for (i, g) in d.map.groups.iter().enumerate() {
            let text = format!("{}{} of {}", node_text(&g.name), g.min_up, g.size);
            nodes.push(serde_json::json!({
                "id": format!("g{i}"),
                "text": text,
                "fill": fill(g.impact, CiStatus::Active).unwrap_or("#f3f4f6"),
            }));
        }
        let edges: Vec<&str> = d
            .mermaid
            .lines()
            .filter(|l| {
                l.contains(" --> ")
                    || l.contains(" -.-> ")
                    || l.contains(" -->|")
                    || l.contains(" -.->|")
            })
            .collect();
        let labels: Vec<&str> = edges
            .iter()
            .filter_map(|l| l.split("|\"").nth(1)?.split("\"|").next())
            .collect();
        manifest.push(serde_json::json!({
            "file": file, "nodes": nodes, "edges": edges.len(), "edge_labels": labels,
        }));
    }
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    let out = Command::new("node").arg(tool).arg(dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let failures: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("ok ")).collect();
    assert!(
        out.status.success(),
        "{}\n{}",
        failures.join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("mermaid: {} passed, 0 failed", drawn.len())),
        "{stdout}"
    );
}

/// A caller text as a Mermaid label shows it: line breaks give no text.
fn node_text(s: &str) -> String {
    shown(&s.replace(['\r', '\n'], ""))
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn hostile_names_and_keys_draw_literally_in_graphviz() {
    let drawn = hostile();
    if dot_available() {
        check_dot(&drawn, &out_dir("hostile-dot"));
    }
}

#[test]
fn hostile_names_and_keys_neither_break_nor_restyle_a_mermaid_map() {
    let drawn = hostile();
    if let Some(tool) = mermaid_tool() {
        check_mermaid(&drawn, &out_dir("hostile-mermaid"), &tool);
    }
}

#[test]
fn every_map_of_every_scenario_draws_in_both_formats() {
    let drawn = every_scenario_map();
    for d in &drawn {
        assert!(d.mermaid.starts_with("flowchart TD\n"), "{}", d.name);
        assert!(d.dot.starts_with("digraph service_map {\n") && d.dot.ends_with("}\n"));
    }
    if dot_available() {
        check_dot(&drawn, &out_dir("scenarios-dot"));
    }
    if let Some(tool) = mermaid_tool() {
        check_mermaid(&drawn, &out_dir("scenarios-mermaid"), &tool);
    }
}
