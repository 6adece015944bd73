//! `itsm`: run scenario files, print service maps and management reviews.
//!
//! ```text
//! itsm run [--json] FILE...          run scenarios; exit 0 only when every expectation holds
//! itsm map [--dot] [--fail CI]... SCENARIO SERVICE
//!                                    the service map at the scenario's end (Mermaid, or DOT),
//!                                    coloured by what failing the given CIs takes down
//! itsm report SCENARIO               the management review (Markdown) over the scenario's span
//! ```
//!
//! This crate is the only one that reads files; everything else is the pure library.

use std::process::ExitCode;

use itsm_cmdb::MapOptions;
use itsm_core::text::excerpt;
use itsm_engine::Sms;

const USAGE: &str = "usage:\n  itsm run [--json] FILE...\n  itsm map [--dot] [--fail CI]... SCENARIO SERVICE\n  itsm report SCENARIO";

fn load(path: &str) -> Result<(itsm_scenario::Report, Sms), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: cannot read: {e}"))?;
    itsm_scenario::run(&text).map_err(|e| format!("{path}: {e}"))
}

fn run(args: &[String]) -> Result<bool, String> {
    let json = args.iter().any(|a| a == "--json");
    let files: Vec<&String> = args.iter().filter(|a| *a != "--json").collect();
    if files.is_empty() {
        return Err(USAGE.into());
    }
    let mut all_ok = true;
    let mut reports = Vec::new();
    for f in files {
        match load(f) {
            Ok((report, _)) => {
                all_ok &= report.ok();
                if json {
                    reports.push(
                        serde_json::json!({ "file": f, "ok": report.ok(), "report": report }),
                    );
                } else {
                    print!("{f}\n{}", report.to_text());
                }
            }
            Err(e) => {
                all_ok = false;
                if json {
                    reports.push(serde_json::json!({ "file": f, "ok": false, "error": e }));
                } else {
                    eprintln!("{e}");
                }
            }
        }
    }
    if json {
        println!("{}", serde_json::Value::Array(reports));
    } else {
        println!(
            "{}",
            if all_ok {
                "all scenarios passed"
            } else {
                "some scenarios FAILED"
            }
        );
    }
    Ok(all_ok)
}

fn map(args: &[String]) -> Result<bool, String> {
    let mut dot = false;
    let mut fail: Vec<&String> = Vec::new();
    let mut rest: Vec<&String> = Vec::new();
    let mut args = args.iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--dot" => dot = true,
            "--fail" => fail.push(
                args.next()
                    .ok_or_else(|| format!("`--fail` needs the key of a CI\n{USAGE}"))?,
            ),
            "--" => rest.extend(args.by_ref()),
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option `{}`\n{USAGE}", excerpt(flag)));
            }
            _ => rest.push(a),
        }
    }
    let [path, service] = rest.as_slice() else {
        return Err(USAGE.into());
    };
    let (_, sms) = load(path)?;
    let cmdb = sms.cmdb();
    let ci = cmdb.ci_by_key(service).ok_or_else(|| {
        format!(
            "{path}: no configuration item `{}` at the end of the scenario",
            excerpt(service)
        )
    })?;
    let failed = fail
        .iter()
        .map(|k| {
            cmdb.ci_by_key(k).map(|c| c.id).ok_or_else(|| {
                format!(
                    "{path}: no configuration item `{}` to fail at the end of the scenario",
                    excerpt(k)
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let impact = if failed.is_empty() {
        None
    } else {
        Some(cmdb.impact_of(&failed).map_err(|e| e.to_string())?)
    };
    let map = cmdb
        .service_map(ci.id, &MapOptions::default(), impact.as_ref())
        .map_err(|e| e.to_string())?;
    print!("{}", if dot { map.to_dot() } else { map.to_mermaid() });
    Ok(true)
}

fn report(args: &[String]) -> Result<bool, String> {
    let [path] = args else {
        return Err(USAGE.into());
    };
    let (_, sms) = load(path)?;
    let times: Vec<_> = sms.log().iter().map(|e| e.at).collect();
    let (Some(start), Some(end)) = (times.iter().min(), times.iter().max()) else {
        return Err(format!("{path}: the scenario has no accepted command"));
    };
    let end = end
        .checked_add_signed(chrono::TimeDelta::seconds(1))
        .ok_or_else(|| format!("{path}: the last event is at the end of time"))?;
    let period = itsm_core_period(*start, end)?;
    let names = |i| {
        sms.cmdb()
            .ci(i)
            .map_or_else(|| i.to_string(), |c| c.key.clone())
    };
    print!(
        "{}",
        sms.management_review(period, None).to_markdown(&names)
    );
    Ok(true)
}

fn itsm_core_period(
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
) -> Result<itsm_core::Period, String> {
    itsm_core::Period::new(start, end).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((cmd, rest)) if cmd == "run" => run(rest),
        Some((cmd, rest)) if cmd == "map" => map(rest),
        Some((cmd, rest)) if cmd == "report" => report(rest),
        _ => Err(USAGE.into()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
