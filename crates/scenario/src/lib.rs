//! # itsm-scenario: scenarios as data
//!
//! A scenario is a JSON document that models an organisation and what happens to it, step by
//! step, with expectations a service manager can read (ISO/IEC TR 20000-17 situations are the
//! corpus in `tests/scenarios/`). The format is documented in `docs/scenario-format.md`:
//!
//! ```json
//! { "format": 1, "name": "...", "description": "...",
//!   "steps": [
//!     { "at": "2026-01-05T09:00:00Z", "actor": "ceo", "op": "define_organisation", ... },
//!     { "at": "...", "actor": "ops", "op": "add_ci", ..., "expect_error": "under change control" },
//!     { "expect": { "query": { "query": "impact", "failed": ["isp"] },
//!                   "path": "/value/services_down", "contains": "svc-online-banking" } },
//!     { "expect": { "query": { "query": "single_points_of_failure", "ci": "svc-online-banking" },
//!                   "path": "/value", "not_contains": "isp" } } ] }
//! ```
//!
//! A document states its `format` ([`FORMATS`] lists those this build reads); one of another
//! format, or none, is refused before anything else is read, so that a document written for a
//! later runner is never half-understood. Checks can say what must hold (`equals`, `contains`,
//! `same_set` in any order, `at_least`, `at_most`) and what must not (`not_contains`).
//!
//! [`run`] is pure: text in, a [`Report`] and the final engine state out. It never panics on
//! bad input; a malformed document is a [`ScenarioError`] naming the step and the reason.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod check;

use chrono::{DateTime, Utc};
use itsm_engine::{Command, Query, Sms};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The scenario formats this build reads (the values of a document's `format`): those of
/// every external document of the engine ([`itsm_core::Format`]).
pub const FORMATS: &[u32] = &itsm_core::FORMATS_READ;

fn format_refusal(found: Option<&str>) -> String {
    let reads = itsm_core::formats_read();
    let error = match found {
        Some(f) => itsm_core::Error::UnknownFormat {
            found: f.to_owned(),
            reads,
        },
        None => itsm_core::Error::MissingFormat { reads },
    };
    format!("scenario {error}")
}

/// Why a scenario document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// The document states no `format`, or one this build does not read.
    #[error("{}", format_refusal(.found.as_deref()))]
    Format {
        /// The `format` the document gives (as JSON text), or `None` when it gives none.
        found: Option<String>,
    },
    /// The document is not valid JSON or lacks its top-level fields.
    #[error("not a scenario document: {reason}")]
    Document {
        /// Why.
        reason: String,
    },
    /// A step that cannot be read.
    #[error("step {step}: {reason}")]
    Step {
        /// One-based step number.
        step: usize,
        /// Why.
        reason: String,
    },
}

/// What an expectation compares the answer with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// The value equals this.
    Equals(Value),
    /// An array holds this element, a string holds this substring, or an object holds this key.
    Contains(Value),
    /// The negation of [`Check::Contains`]: an array does not hold this element, a string
    /// does not hold this substring, or an object does not hold this key. Fails on a value
    /// nothing can be looked for in (a number, `null`, an object asked about a non-string).
    NotContains(Value),
    /// An array holds these elements in any order, each as many times as here (equality as
    /// multisets). Fails on a value that is not an array.
    SameSet(Vec<Value>),
    /// A number (or an array's length) is at least this.
    AtLeast(f64),
    /// A number (or an array's length) is at most this.
    AtMost(f64),
}

/// An expectation on the engine's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expectation {
    /// The query.
    pub query: Query,
    /// A JSON pointer into the answer (`/value/services_down`); the whole answer when absent.
    pub path: Option<String>,
    /// The comparison.
    pub check: Check,
}

/// One step of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// A command, which must succeed, or fail with an error containing `expect_error`.
    Command {
        /// When.
        at: DateTime<Utc>,
        /// Who (actor key).
        actor: String,
        /// What.
        command: Box<Command>,
        /// The error text it must fail with, if it must fail.
        expect_error: Option<String>,
    },
    /// An expectation.
    Expect(Box<Expectation>),
}

/// A parsed scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// The document's format (one of [`FORMATS`]).
    pub format: itsm_core::Format,
    /// Name.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// The steps.
    pub steps: Vec<Step>,
}

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepResult {
    /// One-based step number.
    pub step: usize,
    /// `op` of a command, or `expect <query>`.
    pub label: String,
    /// Whether it went as the scenario says.
    pub passed: bool,
    /// What happened (effects, the actual value, or the error).
    pub detail: String,
}

/// The outcome of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Scenario name.
    pub name: String,
    /// One result per step.
    pub steps: Vec<StepResult>,
}

impl Report {
    /// Steps that went as expected.
    #[must_use]
    pub fn passed(&self) -> usize {
        self.steps.iter().filter(|s| s.passed).count()
    }

    /// Steps that did not.
    #[must_use]
    pub fn failed(&self) -> usize {
        self.steps.len() - self.passed()
    }

    /// True when every step went as expected.
    #[must_use]
    pub fn ok(&self) -> bool {
        self.failed() == 0
    }
}

fn text_field(object: &serde_json::Map<String, Value>, field: &str) -> Option<String> {
    object.get(field).and_then(Value::as_str).map(str::to_owned)
}

/// The checks an expectation may make, as the document names them.
const CHECKS: &str = "equals, contains, not_contains, same_set, at_least or at_most";

fn parse_step(step: usize, value: Value) -> Result<Step, ScenarioError> {
    let err = |reason: String| ScenarioError::Step {
        step,
        reason: itsm_engine::shorten_quotes(&itsm_engine::serde_words(&reason)),
    };
    let Value::Object(mut object) = value else {
        return Err(err("a step is a JSON object".into()));
    };
    if let Some(expect) = object.remove("expect") {
        object.remove("at");
        if !object.is_empty() {
            let keys: Vec<String> = object.keys().map(|k| format!("`{k}`")).collect();
            return Err(err(format!(
                "an expectation step has only `expect` (and optionally `at`), found also {}",
                keys.join(", ")
            )));
        }
        let Value::Object(mut e) = expect else {
            return Err(err("`expect` is an object".into()));
        };
        let query = e
            .remove("query")
            .ok_or_else(|| err("`expect` needs a `query`".into()))?;
        let query: Query = serde_json::from_value(query).map_err(|x| err(format!("query: {x}")))?;
        let path = match e.remove("path") {
            None => None,
            Some(Value::String(p)) => Some(p),
            Some(_) => return Err(err("`path` is a JSON pointer string".into())),
        };
        let number = |v: Value, what: &str| {
            v.as_f64()
                .ok_or_else(|| err(format!("`{what}` is a number")))
        };
        let mut checks = Vec::new();
        for (k, v) in std::mem::take(&mut e) {
            checks.push(match k.as_str() {
                "equals" => Check::Equals(v),
                "contains" => Check::Contains(v),
                "not_contains" => Check::NotContains(v),
                "same_set" => match v {
                    Value::Array(a) => Check::SameSet(a),
                    _ => {
                        return Err(err(
                            "`same_set` is an array (the elements expected, in any order)".into(),
                        ));
                    }
                },
                "at_least" => Check::AtLeast(number(v, "at_least")?),
                "at_most" => Check::AtMost(number(v, "at_most")?),
                other => {
                    return Err(err(format!(
                        "unknown expectation field `{other}` (expected {CHECKS})"
                    )));
                }
            });
        }
        let [check] = <[Check; 1]>::try_from(checks).map_err(|c| {
            err(format!(
                "an expectation has exactly one of {CHECKS} (found {})",
                c.len()
            ))
        })?;
        return Ok(Step::Expect(Box::new(Expectation { query, path, check })));
    }
    let at_value = object
        .remove("at")
        .ok_or_else(|| err("a command step needs `at`".into()))?;
    let at: DateTime<Utc> =
        serde_json::from_value(at_value).map_err(|x| err(format!("`at`: {x}")))?;
    let actor = text_field(&object, "actor")
        .ok_or_else(|| err("a command step needs `actor` (an actor key)".into()))?;
    object.remove("actor");
    let expect_error = match object.remove("expect_error") {
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err(err("`expect_error` is a string".into())),
    };
    let op = text_field(&object, "op").unwrap_or_default();
    let command: Command =
        serde_json::from_value(Value::Object(object)).map_err(|x| err(format!("`{op}`: {x}")))?;
    Ok(Step::Command {
        at,
        actor,
        command: Box::new(command),
        expect_error,
    })
}

/// Reads a scenario document.
///
/// # Errors
/// [`ScenarioError::Format`] when the document states no `format`, or one not in [`FORMATS`]
/// (read before anything else); otherwise a [`ScenarioError`] naming the step and the reason.
pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    let doc: Value = itsm_engine::parse_strict(text).map_err(|e| ScenarioError::Document {
        reason: itsm_engine::shorten_quotes(&e.to_string()),
    })?;
    let Value::Object(mut doc) = doc else {
        return Err(ScenarioError::Document {
            reason: "a scenario is a JSON object".into(),
        });
    };
    // The format first: a document of another format may mean something else by its fields.
    let format = match doc.remove("format") {
        None => return Err(ScenarioError::Format { found: None }),
        Some(v) => match v.as_u64().and_then(|n| itsm_core::Format::read(n).ok()) {
            Some(f) => f,
            None => {
                // At most 100 characters of what the document says, as errors quote input.
                let text = v.to_string();
                let found = if text.chars().count() > 100 {
                    format!("{}...", text.chars().take(100).collect::<String>())
                } else {
                    text
                };
                return Err(ScenarioError::Format { found: Some(found) });
            }
        },
    };
    // Text where text is expected: a number is neither a missing name nor no description.
    let text = |field: &str| match doc.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ScenarioError::Document {
            reason: itsm_engine::shorten_quotes(&format!("`{field}` is text, found {other}")),
        }),
    };
    let name = text("name")?.ok_or_else(|| ScenarioError::Document {
        reason: "`name` is missing".into(),
    })?;
    let description = text("description")?.unwrap_or_default();
    let Some(Value::Array(steps)) = doc.remove("steps") else {
        return Err(ScenarioError::Document {
            reason: "`steps` is missing or not an array".into(),
        });
    };
    for k in doc.keys() {
        if !matches!(k.as_str(), "name" | "description" | "steps") {
            return Err(ScenarioError::Document {
                reason: format!("unknown field `{k}`"),
            });
        }
    }
    let steps = steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| parse_step(i + 1, s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Scenario {
        format,
        name,
        description,
        steps,
    })
}

/// Runs a parsed scenario against a fresh engine; returns the report and the final state.
#[must_use]
pub fn run_scenario(scenario: &Scenario) -> (Report, Sms) {
    let mut sms = Sms::new();
    let mut results = Vec::new();
    for (i, step) in scenario.steps.iter().enumerate() {
        let n = i + 1;
        let result = match step {
            Step::Command {
                at,
                actor,
                command,
                expect_error,
            } => {
                let label = command.op().to_owned();
                match (sms.apply(actor, *at, (**command).clone()), expect_error) {
                    (Ok(events), None) => {
                        let effects: Vec<String> = events
                            .iter()
                            .flat_map(|e| &e.effects)
                            .map(|f| serde_json::to_string(f).unwrap_or_default())
                            .collect();
                        StepResult {
                            step: n,
                            label,
                            passed: true,
                            detail: if effects.is_empty() {
                                "ok".into()
                            } else {
                                effects.join(", ")
                            },
                        }
                    }
                    (Ok(_), Some(expected)) => StepResult {
                        step: n,
                        label,
                        passed: false,
                        detail: format!("succeeded, but was expected to fail with `{expected}`"),
                    },
                    (Err(e), None) => StepResult {
                        step: n,
                        label,
                        passed: false,
                        detail: itsm_engine::shorten_quotes(&format!("refused: {e}")),
                    },
                    (Err(e), Some(expected)) => {
                        let text = e.to_string();
                        let passed = text.contains(expected.as_str());
                        let text = itsm_engine::shorten_quotes(&text);
                        let detail = if passed {
                            format!("refused as expected: {text}")
                        } else {
                            format!("refused with `{text}`, expected `{expected}`")
                        };
                        StepResult {
                            step: n,
                            label,
                            passed,
                            detail,
                        }
                    }
                }
            }
            Step::Expect(e) => {
                let label = format!(
                    "expect {}",
                    serde_json::to_value(&e.query)
                        .ok()
                        .and_then(|v| v.get("query").and_then(Value::as_str).map(str::to_owned))
                        .unwrap_or_default()
                );
                match sms
                    .query(&e.query)
                    .map(|a| serde_json::to_value(a).unwrap_or(Value::Null))
                {
                    Err(err) => StepResult {
                        step: n,
                        label,
                        passed: false,
                        detail: format!("query refused: {err}"),
                    },
                    Ok(answer) => {
                        let value = match &e.path {
                            Some(p) => answer.pointer(p).cloned(),
                            None => Some(answer),
                        };
                        match value {
                            None => StepResult {
                                step: n,
                                label,
                                passed: false,
                                detail: format!(
                                    "the answer has nothing at `{}`",
                                    e.path.clone().unwrap_or_default()
                                ),
                            },
                            Some(v) => {
                                let outcome = check::evaluate(&v, &e.check);
                                let cut = |s: String| {
                                    if s.chars().count() > 400 {
                                        format!("{}...", s.chars().take(400).collect::<String>())
                                    } else {
                                        s
                                    }
                                };
                                let want = cut(serde_json::to_string(&e.check).unwrap_or_default());
                                let got = cut(serde_json::to_string(&v).unwrap_or_default());
                                StepResult {
                                    step: n,
                                    label,
                                    passed: outcome.is_ok(),
                                    detail: match outcome {
                                        Ok(()) => format!("{want} holds"),
                                        Err(None) => format!("expected {want}, found {got}"),
                                        Err(Some(why)) => {
                                            format!("expected {want}, found {got}: {}", cut(why))
                                        }
                                    },
                                }
                            }
                        }
                    }
                }
            }
        };
        // What a step reports echoes at most 100 characters of any quoted input, as the
        // engine's error answers do.
        results.push(StepResult {
            detail: itsm_engine::shorten_quotes(&result.detail),
            ..result
        });
    }
    (
        Report {
            name: scenario.name.clone(),
            steps: results,
        },
        sms,
    )
}

/// Parses and runs a scenario document.
///
/// # Errors
/// [`ScenarioError`] when the document cannot be read.
pub fn run(text: &str) -> Result<(Report, Sms), ScenarioError> {
    Ok(run_scenario(&parse(text)?))
}

impl Report {
    /// The report as text: one line per step, then a summary.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = format!("scenario: {}\n", self.name);
        for s in &self.steps {
            out.push_str(&format!(
                "  {:>3} {} {:<28} {}\n",
                s.step,
                if s.passed { "ok  " } else { "FAIL" },
                s.label,
                s.detail
            ));
        }
        out.push_str(&format!(
            "  {} passed, {} failed\n",
            self.passed(),
            self.failed()
        ));
        out
    }
}

#[cfg(test)]
mod tests;
