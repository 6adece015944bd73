//! The JSON surface for bindings and harnesses, in the shape of cedar's ffi module: text in,
//! text out, never a panic. A command is `{"at": "...", "actor": "key", "op": "...", ...}`; a
//! query is `{"query": "...", ...}`. Answers are `{"success": true, ...}` or
//! `{"success": false, "errors": ["..."]}`.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::{Command, Query, Sms};

fn failure(errors: impl IntoIterator<Item = String>) -> String {
    json!({ "success": false, "errors": errors.into_iter().collect::<Vec<_>>() }).to_string()
}

impl Sms {
    /// Applies a command given as JSON; answers with the events or the errors.
    ///
    /// ```
    /// let mut sms = itsm_engine::Sms::new();
    /// let out = sms.apply_json(r#"{"at": "2026-01-05T09:00:00Z", "actor": "ceo", "op": "define_organisation",
    ///     "actors": [{"key": "ceo", "name": "CEO", "roles": ["top_management"]}]}"#);
    /// assert!(out.contains(r#""success":true"#), "{out}");
    /// let bad = sms.apply_json(r#"{"op": "launch_rockets"}"#);
    /// assert!(bad.contains(r#""success":false"#));
    /// ```
    pub fn apply_json(&mut self, input: &str) -> String {
        let mut value: Value = match serde_json::from_str(input) {
            Ok(v) => v,
            Err(e) => return failure([format!("malformed JSON: {e}")]),
        };
        let Some(object) = value.as_object_mut() else {
            return failure(["a command is a JSON object".to_owned()]);
        };
        let mut errors = Vec::new();
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
            Ok(events) => json!({ "success": true, "events": events }).to_string(),
            Err(e) => failure([e.to_string()]),
        }
    }

    /// Answers a query given as JSON.
    pub fn query_json(&self, input: &str) -> String {
        let query: Query = match serde_json::from_str(input) {
            Ok(q) => q,
            Err(e) => return failure([format!("query: {e}")]),
        };
        match self.query(&query) {
            Ok(answer) => json!({ "success": true, "answer": answer }).to_string(),
            Err(e) => failure([e.to_string()]),
        }
    }
}
