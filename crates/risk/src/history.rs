//! The append-only history of each risk.
//!
//! Every accepted operation appends one [`HistoryEntry`]: who, when, which operation, and the
//! before and after value of every field that changed (as JSON values, so any field of any
//! type is recorded the same way). Replaying a risk's entries from nothing gives the risk as it
//! is now ([`replay`]); the register's property tests check exactly that. This is what an
//! auditor reads to see how a risk evolved (ISO/IEC 20000-1 7.5.3 control of documented
//! information, 6.1 risk records).

use chrono::{DateTime, Utc};
use itsm_core::{Actor, Id};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Risk;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// The risk was identified.
    Identify,
    /// Descriptive fields changed.
    Update,
    /// Inherent and/or residual risk (re)assessed.
    Assess,
    /// A treatment was chosen.
    PlanTreatment,
    /// A mitigation action was added.
    AddAction,
    /// A mitigation action was completed.
    CompleteAction,
    /// The risk was accepted.
    Accept,
    /// The risk happened.
    Materialize,
    /// The risk was reviewed.
    Review,
    /// The risk was closed.
    Close,
    /// A closed risk was reopened.
    Reopen,
    /// The register escalated the risk or linked it to the corporate register.
    Escalate,
}

/// One field that changed: its serialized name and JSON values. For a list that grew or had
/// an element changed, one entry per element, named `field/index`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    /// The field, as it is named in the risk's JSON.
    pub field: String,
    /// The value before (`null` when absent).
    pub before: Value,
    /// The value after.
    pub after: Value,
}

/// One accepted operation on a risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    /// Position in the risk's history (1, 2, ...).
    pub seq: u32,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Id<Actor>,
    /// What.
    pub operation: Operation,
    /// The fields that changed, in field order.
    pub changes: Vec<FieldChange>,
    /// A note given with the operation (review notes, reason for reopening ...).
    #[serde(default)]
    pub note: Option<String>,
}

fn fields(risk: Option<&Risk>) -> Map<String, Value> {
    match risk.map(serde_json::to_value) {
        Some(Ok(Value::Object(map))) => map,
        _ => Map::new(),
    }
}

/// The fields that differ from `before` (nothing, for a new risk) to `after`. An array field
/// that kept its elements and grew (mitigation actions) is recorded element by element
/// (`actions/3`), so a history entry holds what changed, not the whole list again: the
/// history grows with the changes, never with their square.
pub(crate) fn diff(before: Option<&Risk>, after: &Risk) -> Vec<FieldChange> {
    let old = fields(before);
    let new = fields(Some(after));
    let mut out = Vec::new();
    for (field, value) in new {
        let previous = old.get(&field).cloned().unwrap_or(Value::Null);
        if previous == value && before.is_some() {
            continue;
        }
        match (&previous, &value) {
            (Value::Array(p), Value::Array(n)) if before.is_some() && n.len() >= p.len() => {
                for (i, element) in n.iter().enumerate() {
                    let was = p.get(i).cloned().unwrap_or(Value::Null);
                    if was != *element {
                        out.push(FieldChange {
                            field: format!("{field}/{i}"),
                            before: was,
                            after: element.clone(),
                        });
                    }
                }
            }
            _ => out.push(FieldChange {
                field,
                before: previous,
                after: value,
            }),
        }
    }
    out
}

/// Rebuilds a risk from its history alone: `None` when the history is empty or does not
/// describe a whole risk.
#[must_use]
pub fn replay(entries: &[HistoryEntry]) -> Option<Risk> {
    let mut map = Map::new();
    for e in entries {
        for c in &e.changes {
            match c.field.split_once('/') {
                None => {
                    map.insert(c.field.clone(), c.after.clone());
                }
                Some((name, index)) => {
                    let Value::Array(list) = map.get_mut(name)? else {
                        return None;
                    };
                    let i: usize = index.parse().ok()?;
                    match i.cmp(&list.len()) {
                        std::cmp::Ordering::Less => *list.get_mut(i)? = c.after.clone(),
                        std::cmp::Ordering::Equal => list.push(c.after.clone()),
                        std::cmp::Ordering::Greater => return None,
                    }
                }
            }
        }
    }
    if map.is_empty() {
        return None;
    }
    serde_json::from_value(Value::Object(map)).ok()
}
