//! Reading a snapshot back: it is accepted only when it is exactly what its log produces.
//!
//! The log is read and its chain checked, the log is replayed into a fresh engine, and the
//! snapshot's JSON is compared with the replayed engine's, value by value. Nothing of the stored
//! state is trusted, nor even read as the registers' types: the engine returned is the replayed
//! one. A difference is refused naming the record by key, as the user knows it (`risk
//! `isp-gap` (R-3)`, `the history of risk ...`, `change `chg-1` (CHG-1)`, `CI `app``, `actor
//! `ops``), and where (a JSON pointer into the snapshot); a broken chain or an event that no
//! longer replays names the event by its place in the log.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::chain::{self, ChainKey};
use crate::{EngineError, Event, Sms, excerpt};

impl<'de> Deserialize<'de> for Sms {
    /// Reads a snapshot as [`Sms::from_snapshot`] does, without a key or a kept head.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <Box<serde_json::value::RawValue>>::deserialize(deserializer)?;
        Self::from_text(text.get(), None).map_err(serde::de::Error::custom)
    }
}

/// What the fast path reads of a snapshot: its format and its log; the rest is skipped and
/// judged by comparing text.
#[derive(Deserialize)]
struct FormatAndLog {
    format: itsm_core::Format,
    log: Vec<Event>,
}

impl Sms {
    /// The engine the snapshot `text` is, when it is what its log produces under `key`.
    ///
    /// The fast path: a snapshot exactly as this build writes it (`serde_json::to_string`) is
    /// accepted when its log's chain holds, the log replays, and the replayed engine
    /// serializes to the very same text, byte for byte. Anything else (another layout, an
    /// edit, a broken chain) takes the full path, which reads the snapshot strictly and names
    /// what differs ([`Sms::verified`]). Both accept only a state the log produces.
    pub(crate) fn from_text(text: &str, key: Option<&ChainKey>) -> Result<Self, EngineError> {
        if let Ok(head) = serde_json::from_str::<FormatAndLog>(text) {
            if head.format == itsm_core::Format::CURRENT && chain::verify(&head.log, key).is_ok() {
                if let Ok(replayed) = Self::replay_keyed(&head.log, key) {
                    if serde_json::to_string(&replayed).is_ok_and(|produced| produced == text) {
                        return Ok(replayed);
                    }
                }
            }
        }
        let doc = crate::parse_strict(text).map_err(|e| EngineError::Snapshot {
            reason: crate::shorten_quotes(&crate::serde_words(&e.to_string())),
        })?;
        Self::verified(&doc, key)
    }

    /// The engine `doc` (a snapshot) is, when it is what its log produces under `key`.
    pub(crate) fn verified(doc: &Value, key: Option<&ChainKey>) -> Result<Self, EngineError> {
        let not_a_snapshot = |reason: String| EngineError::Snapshot { reason };
        let Value::Object(fields) = doc else {
            return Err(not_a_snapshot("a snapshot is a JSON object".into()));
        };
        // The format first: a snapshot of another version may mean something else by its
        // fields.
        let found = fields.get("format");
        itsm_core::Format::check(
            found.map(|v| excerpt(&v.to_string())),
            found.and_then(Value::as_u64),
        )
        .map_err(|e| not_a_snapshot(e.to_string()))?;
        let Some(Value::Array(events)) = fields.get("log") else {
            return Err(not_a_snapshot(
                "`log` is missing or not a list: a snapshot holds the log of every accepted command"
                    .into(),
            ));
        };
        let log = events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                Event::deserialize(e).map_err(|err| {
                    not_a_snapshot(format!(
                        "event {} of the log cannot be read: {}",
                        i + 1,
                        crate::shorten_quotes(&crate::serde_words(&err.to_string()))
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        chain::verify(&log, key).map_err(|(seq, reason)| EngineError::Chain { seq, reason })?;
        let replayed = Self::replay_keyed(&log, key)?;
        let produced = serde_json::to_value(&replayed)
            .map_err(|e| not_a_snapshot(format!("the replayed state does not serialize: {e}")))?;
        match chain::first_difference(doc, &produced) {
            None => Ok(replayed),
            Some(at) => Err(replayed.differs(&at, doc, &produced)),
        }
    }

    /// The refusal of a snapshot that differs from what its log produces (`self`, serialized
    /// as `produced`) first at `at`: the record named by key, and how it differs.
    fn differs(&self, at: &str, stored: &Value, produced: &Value) -> EngineError {
        let segments: Vec<String> = at
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let seg = |i: usize| segments.get(i).map(String::as_str);
        let index = |i: usize| seg(i).and_then(|s| s.parse::<usize>().ok());
        // A record's own text (its key or name), from the snapshot or else from the log.
        let text_at = |pointer: String| {
            stored
                .pointer(&pointer)
                .or_else(|| produced.pointer(&pointer))
                .and_then(Value::as_str)
                .map(excerpt)
        };
        let record = match (seg(0), seg(1)) {
            (Some("actors"), Some(k)) => format!("actor `{}`", excerpt(k)),
            (Some("divisions"), Some(k)) => format!("division `{}`", excerpt(k)),
            (Some("baselines"), Some(k)) => format!("baseline `{}`", excerpt(k)),
            (Some("risk_keys"), Some(k)) => format!("the risk key `{}`", excerpt(k)),
            (Some("change_keys"), Some(k)) => format!("the change key `{}`", excerpt(k)),
            (Some("cmdb"), Some("cis")) => index(2).map_or_else(
                || "the configuration items".into(),
                |i| {
                    text_at(format!("/cmdb/cis/{i}/key")).map_or_else(
                        || format!("configuration item {} of the CMDB", i + 1),
                        |k| format!("CI `{k}`"),
                    )
                },
            ),
            (Some("cmdb"), Some("groups")) => index(2).map_or_else(
                || "the redundancy groups".into(),
                |i| {
                    text_at(format!("/cmdb/groups/{i}/name")).map_or_else(
                        || format!("redundancy group {} of the CMDB", i + 1),
                        |n| format!("redundancy group `{n}`"),
                    )
                },
            ),
            (Some("cmdb"), Some("relations")) => index(2).map_or_else(
                || "the relations of the configuration".into(),
                |i| self.relation_words(i, stored, produced),
            ),
            (Some("cmdb"), _) => "the CMDB settings".into(),
            (Some("risks"), Some("risks")) => index(2).map_or_else(
                || "the risks of the register".into(),
                |i| self.risk_words(i),
            ),
            (Some("risks"), Some("history")) => index(2).map_or_else(
                || "the histories of the risks".into(),
                |i| format!("the history of {}", self.risk_words(i)),
            ),
            (Some("risks"), Some("escalations")) => "the escalations of the risk register".into(),
            (Some("risks"), Some("appetite")) => "the risk appetite".into(),
            (Some("risks"), _) => "the risk matrix".into(),
            (Some("changes"), Some("changes")) => index(2).map_or_else(
                || "the changes of the register".into(),
                |i| self.change_words(i),
            ),
            (Some("changes"), Some("matrix")) => "the change register's risk matrix".into(),
            (Some("changes" | "policy_def"), _) => "the change policy".into(),
            (Some("log"), _) => index(1).map_or_else(
                || "the log".into(),
                |i| format!("event {} of the log, as written,", i + 1),
            ),
            (Some(field), _) => format!("the snapshot's `{}`", excerpt(field)),
            (None, _) => "the snapshot".into(),
        };
        let at_words = if at.is_empty() { "/" } else { at };
        let detail = match (stored.pointer(at), produced.pointer(at)) {
            (Some(_), None) => format!(
                "the snapshot has `{}`, its log does not produce it",
                excerpt(at_words)
            ),
            (None, Some(_)) => format!("the snapshot lacks `{}`", excerpt(at_words)),
            (Some(Value::Array(a)), Some(Value::Array(b))) => format!(
                "at `{}` the snapshot holds {} entries, its log produces {}",
                excerpt(at_words),
                a.len(),
                b.len()
            ),
            _ => format!("at `{}`", excerpt(at_words)),
        };
        EngineError::SnapshotDiffers { record, detail }
    }

    /// Risk `i` (from 0) as the user knows it: its key and reference, or its reference (the
    /// risks the engine raises itself have no key).
    fn risk_words(&self, i: usize) -> String {
        let reference = format!("R-{}", i + 1);
        self.risk_keys
            .iter()
            .find(|(_, r)| r.to_string() == reference)
            .map_or_else(
                || format!("risk {reference}"),
                |(k, _)| format!("risk `{}` ({reference})", excerpt(k)),
            )
    }

    /// Change `i` (from 0) as the user knows it: its key and reference.
    fn change_words(&self, i: usize) -> String {
        let reference = format!("CHG-{}", i + 1);
        let id = self.changes.changes().get(i).map(|c| c.id);
        self.change_keys
            .iter()
            .find(|(_, v)| Some(**v) == id)
            .map_or_else(
                || format!("change {reference}"),
                |(k, _)| format!("change `{}` ({reference})", excerpt(k)),
            )
    }

    /// Relation `i` (from 0) of the configuration, its ends named by key where the log
    /// produces them.
    fn relation_words(&self, i: usize, stored: &Value, produced: &Value) -> String {
        let relation = stored
            .pointer(&format!("/cmdb/relations/{i}"))
            .or_else(|| produced.pointer(&format!("/cmdb/relations/{i}")));
        let end = |field: &str| {
            relation
                .and_then(|r| r.get(field))
                .and_then(Value::as_str)
                .and_then(|id| id.parse().ok())
                .and_then(|id| self.cmdb.ci(id))
                .map(|c| excerpt(&c.key))
        };
        let kind = relation
            .and_then(|r| r.get("kind"))
            .and_then(Value::as_str)
            .map(excerpt);
        match (end("from"), kind, end("to")) {
            (Some(from), Some(kind), Some(to)) => {
                format!("the relation `{from}` {kind} `{to}`")
            }
            _ => format!("relation {} of the configuration", i + 1),
        }
    }
}
