//! Impact analysis from an edge list, as a command-line driver.
//!
//! ```text
//! cargo run --release --example impact -- EDGES QUERIES
//! ```
//!
//! EDGES: first line `N M`, then M lines `src dst` (integer ids below N), meaning "src depends
//! on dst". Self-loops and repeated edges add nothing to "who depends on whom" and are skipped
//! (counted on stderr). QUERIES: one id per line (blank lines are skipped). For each query the
//! program prints `id count` on stdout, count being how many CIs (itself excluded) go down when
//! that CI fails, computed with `Cmdb::impact_of`. The last stderr line is
//! `load_ms=<ms> query_ms=<ms>`: reading the file and building the CMDB (with its read index),
//! then all the queries. Malformed input is reported with its line number and exit code 2.

use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use itsm::cmdb::{Ci, CiKind, Cmdb, CmdbParts, Relation, RelationKind};
use itsm::core::Id;

fn ci_id(i: u32) -> Id<Ci> {
    Id::from_u128(u128::from(i))
}

fn parse_u32(text: &str, path: &str, line: usize, what: &str) -> Result<u32, String> {
    text.parse::<u32>()
        .map_err(|e| format!("{path}:{line}: {what} `{text}` is not a non-negative integer ({e})"))
}

pub(crate) fn load(path: &str) -> Result<(Cmdb, u32, usize), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: cannot read: {e}"))?;
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let (_, header) = lines
        .next()
        .ok_or_else(|| format!("{path}:1: empty file, expected `N M`"))?;
    let mut head = header.split_whitespace();
    let (Some(n), Some(m), None) = (head.next(), head.next(), head.next()) else {
        return Err(format!("{path}:1: expected `N M`, found `{header}`"));
    };
    let n = parse_u32(n, path, 1, "N")?;
    let m = parse_u32(m, path, 1, "M")? as usize;
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(m);
    for (line, l) in lines {
        let mut f = l.split_whitespace();
        let (src, dst) = match (f.next(), f.next(), f.next()) {
            (None, _, _) => continue,
            (Some(a), Some(b), None) => (a, b),
            _ => return Err(format!("{path}:{line}: expected `src dst`, found `{l}`")),
        };
        let src = parse_u32(src, path, line, "src")?;
        let dst = parse_u32(dst, path, line, "dst")?;
        for v in [src, dst] {
            if v >= n {
                return Err(format!("{path}:{line}: id {v} is not below N = {n}"));
            }
        }
        if pairs.len() == m {
            return Err(format!("{path}:{line}: more than M = {m} edges"));
        }
        pairs.push((src, dst));
    }
    if pairs.len() != m {
        return Err(format!(
            "{path}: the header announces M = {m} edges, the file has {}",
            pairs.len()
        ));
    }
    let self_loops = pairs.iter().filter(|(a, b)| a == b).count();
    pairs.retain(|(a, b)| a != b);
    pairs.sort_unstable();
    let before = pairs.len();
    pairs.dedup();
    let repeated = before - pairs.len();
    if self_loops + repeated > 0 {
        eprintln!("skipped {self_loops} self-loop(s) and {repeated} repeated edge(s)");
    }
    let cis = (0..n).map(|i| {
        let mut ci = Ci::new(i.to_string(), i.to_string(), CiKind::Application);
        ci.id = ci_id(i);
        ci
    });
    let relations = pairs
        .iter()
        .map(|(a, b)| Relation::new(ci_id(*a), RelationKind::DependsOn, ci_id(*b)))
        .collect();
    let cmdb = Cmdb::from_parts(CmdbParts {
        cis: cis.collect(),
        relations,
        ..CmdbParts::default()
    })
    .map_err(|e| format!("{path}: {e}"))?;
    cmdb.prepare();
    Ok((cmdb, n, pairs.len()))
}

pub(crate) fn queries(path: &str, n: u32) -> Result<Vec<u32>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: cannot read: {e}"))?;
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.is_empty() {
            continue;
        }
        let q = parse_u32(t, path, i + 1, "id")?;
        if q >= n {
            return Err(format!("{path}:{}: id {q} is not below N = {n}", i + 1));
        }
        out.push(q);
    }
    Ok(out)
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [edges, query_file] = args.as_slice() else {
        return Err("usage: impact EDGES QUERIES".into());
    };
    let t0 = Instant::now();
    let (cmdb, n, _) = load(edges)?;
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;
    let qs = queries(query_file, n)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let t1 = Instant::now();
    for q in qs {
        let impact = cmdb.impact_of(&[ci_id(q)]).map_err(|e| e.to_string())?;
        writeln!(out, "{q} {}", impact.down_count()).map_err(|e| format!("stdout: {e}"))?;
    }
    out.flush().map_err(|e| format!("stdout: {e}"))?;
    let query_ms = t1.elapsed().as_secs_f64() * 1e3;
    eprintln!("load_ms={load_ms:.1} query_ms={query_ms:.1}");
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
