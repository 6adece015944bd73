//! Predicted availability of a service, as a command-line calculator.
//!
//! ```text
//! cargo run --release --example predict -- FILE.json
//! ```
//!
//! FILE.json is one JSON document:
//!
//! ```json
//! {"components": [{"key": "web"}, {"key": "a", "availability": "0.99"},
//!                 {"key": "b", "availability": {"mtbf_s": 720000, "mttr_s": 3600}},
//!                 {"key": "db", "availability": "0.999"}],
//!  "needs": [["web", "a"], ["web", "b"], ["a", "db"], ["b", "db"]],
//!  "groups": [{"dependent": "web", "members": ["a", "b"], "min_up": 1}],
//!  "service": "web", "seed": 1}
//! ```
//!
//! - `components`: components by `key`, each at most once; `availability` is a probability as
//!   a decimal string, or `{"mtbf_s", "mttr_s"}` in seconds (MTBF / (MTBF + MTTR)); a
//!   component without one is always up (it fails only through what it needs). A key used in
//!   `needs`, `groups` or `service` but not listed is a component without an availability.
//! - `needs`: `[dependent, dependency]` pairs: the dependent is down when the dependency is
//!   down, unless the dependency is in one of the dependent's groups.
//! - `groups` (optional): the dependent needs at least `min_up` of `members`; a member is a
//!   need of the dependent whether or not `needs` lists the pair, and in at most one group of
//!   its dependent. So the smallest document is the issue's own:
//!   `{"components": [{"key": "db", "availability": "0.999"}], "needs": [["web", "db"]],
//!   "groups": [{"dependent": "web", "members": ["a", "b"], "min_up": 1}], "service": "web",
//!   "seed": 1}` (web, a and b always up: the answer is db's 0.999). This reading is
//!   `StructureSpec::with_implied`.
//! - `service`: the component whose availability is asked for.
//! - `seed`: the seed of the Monte Carlo estimate, used only when the structure is beyond the
//!   exact method's limit; `samples` (optional, default 100 000) its sample count;
//!   `exact_limit` (optional, default 20) the most shared components conditioned on at once.
//!
//! It prints one line of JSON on stdout:
//!
//! ```json
//! {"availability":"0.998950298507","exact":true,"interval":null,"limiting":["db","b","a"]}
//! ```
//!
//! `availability` is P(service up) with independent component states, rounded half-even to 12
//! decimal places; `exact` is false when the Monte Carlo estimate was used, and `interval` is
//! then its 95 % interval (`["low", "high"]`), null otherwise; `limiting` lists the components
//! that can fail and limit the availability (non-zero Birnbaum importance), most important
//! first, ties by key. Semantics and method: `itsm_availability::predict`. Errors go to stderr
//! with exit code 2.

use std::process::ExitCode;

use itsm::availability::predict::{PredictOptions, Structure, StructureSpec};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Value};

/// Takes a non-negative integer field out of the document.
fn integer(doc: &mut Map<String, Value>, field: &str) -> Result<Option<u64>, String> {
    match doc.remove(field) {
        None => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("`{field}` must be a non-negative integer, not `{v}`")),
    }
}

/// A probability as a decimal string, rounded half-even to 12 places.
fn decimal(p: f64) -> String {
    Decimal::from_f64_retain(p)
        .or_else(|| Decimal::from_f64(p))
        .unwrap_or_default()
        .round_dp_with_strategy(12, RoundingStrategy::MidpointNearestEven)
        .normalize()
        .to_string()
}

fn run(path: &str) -> Result<String, String> {
    let at = |e: String| format!("{path}: {e}");
    let text = std::fs::read_to_string(path).map_err(|e| at(format!("cannot read: {e}")))?;
    let mut doc: Map<String, Value> = serde_json::from_str(&text).map_err(|e| at(e.to_string()))?;
    let service = match doc.remove("service") {
        Some(Value::String(s)) => s,
        Some(v) => return Err(at(format!("`service` must be a key, not `{v}`"))),
        None => return Err(at("`service` is missing".into())),
    };
    let seed = integer(&mut doc, "seed")
        .map_err(at)?
        .ok_or_else(|| at("`seed` is missing".into()))?;
    let samples = integer(&mut doc, "samples").map_err(at)?.unwrap_or(100_000);
    let exact_limit = match integer(&mut doc, "exact_limit").map_err(at)? {
        None => PredictOptions::EXACT_LIMIT,
        Some(n) => usize::try_from(n).map_err(|e| at(format!("`exact_limit`: {e}")))?,
    };
    // What is left is the structure; any other field is refused by name.
    let spec: StructureSpec =
        serde_json::from_value(Value::Object(doc)).map_err(|e| at(e.to_string()))?;
    let spec = spec.with_implied(&service);
    let structure = Structure::new(spec).map_err(|e| at(e.to_string()))?;
    let mut options = PredictOptions::new(seed, samples);
    options.exact_limit = exact_limit;
    let p = structure
        .predict(&service, &options)
        .map_err(|e| at(e.to_string()))?;
    let answer = serde_json::json!({
        "availability": decimal(p.availability),
        "exact": p.exact,
        "interval": p.interval.map(|i| [decimal(i.low), decimal(i.high)]),
        "limiting": p.limiting.iter().map(|i| i.key.as_str()).collect::<Vec<_>>(),
    });
    Ok(answer.to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("usage: predict FILE.json (see examples/predict.rs for the format)");
        return ExitCode::from(2);
    };
    match run(path) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
