//! What keys, names and free text may hold (ISO/IEC 20000-1 7.5.3: records must stay legible
//! and unambiguous).
//!
//! A **key** (`svc-online-banking`, an actor's `ceo`) identifies a record and derives its id,
//! so two keys that look the same must be the same string: keys are refused when empty,
//! padded with whitespace, longer than [`MAX_KEY_CHARS`] characters, not in Unicode
//! normalization form C (`é` typed as `e` + combining accent would be another key than the
//! precomposed `é`), or holding control characters or bidirectional-override characters
//! (which can make `evil` display as `live`). A **name** (an actor's or a CI's display name,
//! a title) follows the same rules with [`MAX_NAME_CHARS`]. **Free text** (descriptions, notes,
//! reasons) may hold line breaks and tabs but no other control character and no
//! bidirectional override, up to [`MAX_TEXT_CHARS`] characters.
//!
//! An error quotes at most 100 characters of the value ([`excerpt`]).
//!
//! ```
//! use itsm_core::text;
//! assert!(text::check_key("key", "svc-online-banking").is_ok());
//! assert!(text::check_key("key", " svc").is_err());
//! assert!(text::check_key("key", "e\u{301}").is_err()); // not NFC
//! assert!(text::check_name("name", "Payments \u{202e}gnikab").is_err()); // bidi override
//! assert!(text::check_text("notes", "line 1\nline 2").is_ok());
//! ```

use unicode_normalization::is_nfc;

use crate::Error;

/// The longest key, in characters.
pub const MAX_KEY_CHARS: usize = 128;

/// The longest name or title, in characters.
pub const MAX_NAME_CHARS: usize = 256;

/// The longest free text, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// At most 100 characters of `value`, with `…` when cut.
#[must_use]
pub fn excerpt(value: &str) -> String {
    match value.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", value.get(..cut).unwrap_or_default()),
        None => value.to_owned(),
    }
}

/// A value as people write it in commands and documents, for messages and stored diffs: its
/// JSON form without the JSON punctuation (`risk_owner`, `process_owner:
/// configuration_management`, `backed_out`, `service: (size: large, consumers: external)`),
/// never Rust's `Debug` text (`RiskOwner`, `ProcessOwner(ConfigurationManagement)`,
/// `BackedOut`). A value that does not serialize is `a value`; `null` is empty.
///
/// ```
/// use itsm_core::{Process, Role, text::as_written};
/// assert_eq!(as_written(&Role::RiskOwner), "risk_owner");
/// assert_eq!(
///     as_written(&Role::ProcessOwner(Process::ConfigurationManagement)),
///     "process_owner: configuration_management"
/// );
/// ```
#[must_use]
pub fn as_written<T: serde::Serialize + ?Sized>(value: &T) -> String {
    fn words(v: &serde_json::Value) -> String {
        use serde_json::Value;
        match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(words).collect();
                format!("[{}]", items.join(", "))
            }
            Value::Object(fields) => fields
                .iter()
                .map(|(k, v)| match v {
                    Value::Object(_) => format!("{k}: ({})", words(v)),
                    _ => format!("{k}: {}", words(v)),
                })
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
    serde_json::to_value(value).map_or_else(|_| "a value".to_owned(), |v| words(&v))
}

/// Bidirectional formatting characters: embeddings, overrides, isolates and marks.
const fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

fn invalid(field: &'static str, value: &str, reason: impl Into<String>) -> Error {
    Error::InvalidText {
        field,
        value: excerpt(value),
        reason: reason.into(),
    }
}

fn check_line(field: &'static str, value: &str, max: usize, what: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(invalid(field, value, format!("a {what} is not empty")));
    }
    if value.trim() != value {
        return Err(invalid(
            field,
            value,
            format!("a {what} does not start or end with whitespace"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(
            field,
            value,
            format!("a {what} holds no control character"),
        ));
    }
    check_common(field, value, max, what)?;
    if !is_nfc(value) {
        return Err(invalid(
            field,
            value,
            format!("a {what} is in Unicode normalization form C (NFC)"),
        ));
    }
    Ok(())
}

fn check_common(field: &'static str, value: &str, max: usize, what: &str) -> Result<(), Error> {
    if value.chars().any(is_bidi_control) {
        return Err(invalid(
            field,
            value,
            format!("a {what} holds no bidirectional formatting character"),
        ));
    }
    let n = value.chars().count();
    if n > max {
        return Err(invalid(
            field,
            value,
            format!("a {what} has at most {max} characters, this one {n}"),
        ));
    }
    Ok(())
}

/// Checks a key.
///
/// # Errors
/// [`Error::InvalidText`] naming the field and the rule broken.
pub fn check_key(field: &'static str, key: &str) -> Result<(), Error> {
    check_line(field, key, MAX_KEY_CHARS, "key")
}

/// Checks a name or title.
///
/// # Errors
/// [`Error::InvalidText`] naming the field and the rule broken.
pub fn check_name(field: &'static str, name: &str) -> Result<(), Error> {
    check_line(field, name, MAX_NAME_CHARS, "name")
}

/// Checks free text (may be empty; line breaks and tabs allowed).
///
/// # Errors
/// [`Error::InvalidText`] naming the field and the rule broken.
pub fn check_text(field: &'static str, text: &str) -> Result<(), Error> {
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(invalid(
            field,
            text,
            "a text holds no control character but line breaks and tabs",
        ));
    }
    check_common(field, text, MAX_TEXT_CHARS, "text")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_look_alike_or_hide_their_content_are_refused() {
        for bad in [
            "",
            " ",
            " a",
            "a ",
            "a\u{0}b",
            "a\nb",
            "ab\u{202e}c",
            "\u{2066}x",
            "e\u{301}",
        ] {
            assert!(check_key("key", bad).is_err(), "{bad:?}");
        }
        assert!(check_key("key", &"k".repeat(MAX_KEY_CHARS)).is_ok());
        assert!(check_key("key", &"k".repeat(MAX_KEY_CHARS + 1)).is_err());
        for good in ["svc-online-banking", "é", "日本-サービス", "a b", "R-12"] {
            assert!(check_key("key", good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn an_error_quotes_at_most_100_characters() {
        let long = "x".repeat(100_000);
        let e = check_key("key", &long).unwrap_err().to_string();
        assert!(e.len() < 250, "{}", e.len());
        assert!(e.contains("at most 128 characters, this one 100000"), "{e}");
    }

    #[test]
    fn free_text_allows_line_breaks_but_not_controls_or_overrides() {
        assert!(check_text("notes", "").is_ok());
        assert!(check_text("notes", "a\n\tb\r\n").is_ok());
        assert!(check_text("notes", "a\u{7}").is_err());
        assert!(check_text("notes", "a\u{202d}").is_err());
        assert!(check_text("notes", &"n".repeat(MAX_TEXT_CHARS + 1)).is_err());
    }
}
