//! The JSON surface for bindings and harnesses, in the shape of cedar's ffi module: text in,
//! text out, never a panic. A command is `{"format": 1, "at": "...", "actor": "key", "op":
//! "...", ...}`; a query is `{"format": 1, "query": "...", ...}`. Answers are
//! `{"format": 1, "success": true, ...}` or `{"format": 1, "success": false, "errors": ["..."]}`.
//! A document without `format`, or of a version this build does not read, is refused naming the
//! versions it reads (see [`itsm_core::Format`]).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use itsm_core::Format;

use crate::{Command, Query, Sms};

/// The failure answer. Each message is cut to what it may echo of the input: a value quoted
/// in backticks longer than 100 characters is shortened (see [`crate::excerpt`]).
fn failure(errors: impl IntoIterator<Item = String>) -> String {
    let errors: Vec<String> = errors.into_iter().map(|e| shorten_quotes(&e)).collect();
    json!({ "format": Format::CURRENT, "success": false, "errors": errors }).to_string()
}

/// Takes `format` out of a command or query and checks it.
fn take_format(object: &mut serde_json::Map<String, Value>) -> Result<Format, String> {
    let found = object.remove("format");
    Format::check(
        found.as_ref().map(|v| crate::excerpt(&v.to_string())),
        found.as_ref().and_then(Value::as_u64),
    )
    .map_err(|e| e.to_string())
}

/// Shortens every span of `message` quoted in backticks, or in double quotes as serde quotes
/// the values it refuses, to 100 characters (see [`crate::excerpt`]): what a message may echo
/// of a caller's input.
///
/// ```
/// let long = "x".repeat(1000);
/// let m = itsm_engine::shorten_quotes(&format!("unknown actor `{long}`"));
/// assert!(m.len() < 120, "{m}");
/// let m = itsm_engine::shorten_quotes(&format!("invalid type: string \"{long}\", expected a key"));
/// assert!(m.len() < 150, "{m}");
/// ```
#[must_use]
pub fn shorten_quotes(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(1024));
    let mut quote: Option<char> = None;
    let mut span = String::new();
    for c in message.chars() {
        match quote {
            None => {
                out.push(c);
                if c == '`' || c == '"' {
                    quote = Some(c);
                }
            }
            Some(q) if c == q => {
                out.push_str(&crate::excerpt(&span));
                span.clear();
                out.push(c);
                quote = None;
            }
            Some(_) => span.push(c),
        }
    }
    // An unclosed quote: its tail is input too.
    out.push_str(&crate::excerpt(&span));
    // However the quotes fall (a value full of escaped quotes), a message stays short.
    match out.char_indices().nth(MAX_MESSAGE) {
        Some((cut, _)) => format!("{}…", out.get(..cut).unwrap_or_default()),
        None => out,
    }
}

/// The longest error message the JSON surface gives, in characters.
const MAX_MESSAGE: usize = 600;

impl Sms {
    /// Applies a command given as JSON; answers with the events or the errors.
    ///
    /// ```
    /// let mut sms = itsm_engine::Sms::new();
    /// let out = sms.apply_json(r#"{"format": 1, "at": "2026-01-05T09:00:00Z", "actor": "ceo", "op": "define_organisation",
    ///     "actors": [{"key": "ceo", "name": "CEO", "roles": ["top_management"]}]}"#);
    /// assert!(out.contains(r#""success":true"#), "{out}");
    /// let bad = sms.apply_json(r#"{"format": 1, "op": "launch_rockets"}"#);
    /// assert!(bad.contains(r#""success":false"#));
    /// let future = sms.apply_json(r#"{"format": 2, "at": "2026-01-05T09:00:00Z", "actor": "ceo", "op": "define_organisation"}"#);
    /// assert!(future.contains("format 2 is not one this build reads (it reads format 1)"), "{future}");
    /// ```
    pub fn apply_json(&mut self, input: &str) -> String {
        let mut value: Value = match crate::parse_strict(input) {
            Ok(v) => v,
            Err(e) => return failure([format!("malformed JSON: {e}")]),
        };
        let Some(object) = value.as_object_mut() else {
            return failure(["a command is a JSON object".to_owned()]);
        };
        let mut errors = Vec::new();
        if let Err(e) = take_format(object) {
            return failure([e]);
        }
        let at = match object
            .remove("at")
            .map(serde_json::from_value::<DateTime<Utc>>)
        {
            Some(Ok(at)) => Some(at),
            Some(Err(e)) => {
                errors.push(format!("`at`: {e}"));
                None
            }
            None => {
                errors.push("`at` is missing (an RFC 3339 time)".to_owned());
                None
            }
        };
        let actor = match object.remove("actor") {
            Some(Value::String(a)) => Some(a),
            Some(_) => {
                errors.push("`actor` must be an actor key (a string)".to_owned());
                None
            }
            None => {
                errors.push("`actor` is missing".to_owned());
                None
            }
        };
        let command = match serde_json::from_value::<Command>(value) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(format!("command: {e}"));
                None
            }
        };
        let (Some(at), Some(actor), Some(command), true) = (at, actor, command, errors.is_empty())
        else {
            return failure(errors);
        };
        match self.apply(&actor, at, command) {
            Ok(events) => {
                json!({ "format": Format::CURRENT, "success": true, "events": events }).to_string()
            }
            Err(e) => failure([e.to_string()]),
        }
    }

    /// Answers a query given as JSON.
    ///
    /// ```
    /// let sms = itsm_engine::Sms::new();
    /// let out = sms.query_json(r#"{"format": 1, "query": "escalations", "since": "2026-01-01T00:00:00Z"}"#);
    /// assert!(out.contains(r#""success":true"#) && out.contains(r#""format":1"#), "{out}");
    /// let old = sms.query_json(r#"{"query": "escalations", "since": "2026-01-01T00:00:00Z"}"#);
    /// assert!(old.contains("the document carries no `format` (this build reads format 1)"), "{old}");
    /// ```
    pub fn query_json(&self, input: &str) -> String {
        let mut value = match crate::parse_strict(input) {
            Ok(v) => v,
            Err(e) => return failure([format!("malformed JSON: {e}")]),
        };
        let Some(object) = value.as_object_mut() else {
            return failure(["a query is a JSON object".to_owned()]);
        };
        if let Err(e) = take_format(object) {
            return failure([e]);
        }
        let query: Query = match serde_json::from_value(value) {
            Ok(q) => q,
            Err(e) => return failure([format!("query: {e}")]),
        };
        match self.query(&query) {
            Ok(answer) => {
                json!({ "format": Format::CURRENT, "success": true, "answer": answer }).to_string()
            }
            Err(e) => failure([e.to_string()]),
        }
    }
}
