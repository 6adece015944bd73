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

/// Serde's words for the shapes of Rust data, and the words people use for the same JSON: a
/// value refused while it is read is described as JSON (`a list`, `an object`, `null`, `a
/// whole number`), and a tagged value as a name (`unknown value`, `a name alone`), never as
/// Rust's variants, identifiers, sequences, maps or integer types.
const SERDE_WORDS: &[(&str, &str)] = &[
    ("unknown variant", "unknown value"),
    ("there are no variants", "no value is accepted here"),
    ("invalid type: unit variant", "invalid type: a name alone"),
    (
        "invalid type: newtype variant",
        "invalid type: a name with a value",
    ),
    (
        "invalid type: tuple variant",
        "invalid type: a name with a list",
    ),
    (
        "invalid type: struct variant",
        "invalid type: a name with an object",
    ),
    (
        "expected unit variant",
        "expected a name alone, without a value",
    ),
    ("expected unit", "expected a name alone, without a value"),
    (
        "expected newtype variant",
        "expected a name with its value, as `{\"name\": value}`",
    ),
    (
        "expected tuple variant",
        "expected a name with a list of values",
    ),
    (
        "expected struct variant",
        "expected a name with an object of fields",
    ),
    ("expected variant identifier", "expected a name"),
    ("expected field identifier", "expected a field name"),
    ("invalid type: unit value", "invalid type: null"),
    ("expected string or map", "expected a string or an object"),
    ("invalid type: sequence", "invalid type: a list"),
    ("invalid type: map", "invalid type: an object"),
    ("invalid type: newtype struct", "invalid type: a value"),
    ("expected a sequence", "expected a list"),
    ("expected a map", "expected an object"),
    ("expected a tuple of size", "expected a list of length"),
    ("expected u8", "expected a whole number from 0 to 255"),
    ("expected u16", "expected a whole number from 0 to 65535"),
    (
        "expected u32",
        "expected a whole number from 0 to 4294967295",
    ),
    (
        "expected u64",
        "expected a whole number from 0 to 18446744073709551615",
    ),
    (
        "expected usize",
        "expected a whole number from 0 to 18446744073709551615",
    ),
    (
        "expected i32",
        "expected a whole number from -2147483648 to 2147483647",
    ),
    (
        "expected i64",
        "expected a whole number from -9223372036854775808 to 9223372036854775807",
    ),
    ("expected f64", "expected a number"),
];

/// `message` (an error of serde, as `serde_json` words it) in the user's words: serde's
/// names for Rust's shapes of data become the names of JSON's, outside what the message quotes
/// of the input.
///
/// ```
/// let m = itsm_engine::serde_words("invalid type: sequence, expected u32");
/// assert_eq!(m, "invalid type: a list, expected a whole number from 0 to 4294967295");
/// let m = itsm_engine::serde_words("unknown variant `map`, expected `a` or `b`");
/// assert_eq!(m, "unknown value `map`, expected `a` or `b`");
/// ```
#[must_use]
pub fn serde_words(message: &str) -> String {
    // `expected variant index 0 <= i < 5`: a number where a name goes.
    let message = match message.split_once("expected variant index 0 <= i < ") {
        Some((before, after)) => format!(
            "{before}expected a name{}",
            after.trim_start_matches(|c: char| c.is_ascii_digit())
        ),
        None => message.to_owned(),
    };
    let mut out = String::with_capacity(message.len());
    // Quoted spans (backticks, or double quotes as serde quotes strings) are the input's.
    let mut rest = message.as_str();
    while !rest.is_empty() {
        let cut = rest.find(['`', '"']).unwrap_or(rest.len());
        let (plain, tail) = rest.split_at(cut);
        out.push_str(
            &SERDE_WORDS
                .iter()
                .fold(plain.to_owned(), |text, (from, to)| text.replace(from, to)),
        );
        let Some(q) = tail.chars().next() else { break };
        let quoted_len = tail
            .get(1..)
            .and_then(|t| t.find(q))
            .map_or(tail.len(), |end| end + 2);
        out.push_str(tail.get(..quoted_len).unwrap_or(tail));
        rest = tail.get(quoted_len..).unwrap_or_default();
    }
    out
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
                errors.push(format!("`at`: {}", serde_words(&e.to_string())));
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
                errors.push(format!("command: {}", serde_words(&e.to_string())));
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
            Err(e) => return failure([format!("query: {}", serde_words(&e.to_string()))]),
        };
        match self.query(&query) {
            Ok(answer) => {
                json!({ "format": Format::CURRENT, "success": true, "answer": answer }).to_string()
            }
            Err(e) => failure([e.to_string()]),
        }
    }
}
