//! Command input: checking the text a command carries, and turning key-named definitions
//! (ratings, CI updates, a change's delta) into the registers' values.

use itsm_cmdb::{Ci, CiPatch, CmdbOp, Relation};
use itsm_core::Id;
use itsm_risk::Score;

use crate::keys::existing_ci;
use crate::{Command, DeltaDef, EngineError, ScoreDef};

pub(crate) fn score(s: &ScoreDef) -> Score {
    Score::new(s.impact.clone(), s.likelihood.clone())
}

/// Every key and name a command creates, and every other text it carries, within what
/// `itsm_core::text` accepts: keys and names checked as such, free text (and references, which
/// only name what exists) for length, control and bidirectional characters. An import is
/// checked CI by CI by the CMDB.
pub(crate) fn check_strings(command: &Command) -> Result<(), EngineError> {
    use itsm_core::text::{check_key, check_name, check_text};
    fn walk(v: &serde_json::Value, field: &str) -> Result<(), EngineError> {
        match v {
            serde_json::Value::String(s) => {
                check_text("a text field", s).map_err(|e| EngineError::Field {
                    field: field.to_owned(),
                    error: e,
                })
            }
            serde_json::Value::Array(a) => a.iter().try_for_each(|x| walk(x, field)),
            serde_json::Value::Object(m) => m.iter().try_for_each(|(k, x)| {
                check_text("a field name", k).map_err(|e| EngineError::Field {
                    field: field.to_owned(),
                    error: e,
                })?;
                walk(x, k)
            }),
            _ => Ok(()),
        }
    }
    match command {
        Command::ImportConfiguration { .. } => return Ok(()),
        Command::AddCi { key, name, .. } => {
            check_key("CI key", key)?;
            check_name("CI name", name)?;
        }
        Command::AddRedundancyGroup { name, .. } => check_key("group name", name)?,
        Command::UpdateRisk {
            title, category, ..
        } => {
            for t in title.iter().chain(category) {
                check_name("risk title or category", t)?;
            }
        }
        Command::TakeBaseline { name } => check_key("baseline name", name)?,
        Command::IdentifyRisk {
            key,
            title,
            category,
            ..
        } => {
            check_key("risk key", key)?;
            check_name("risk title", title)?;
            check_name("risk category", category)?;
        }
        Command::RaiseChange {
            key, title, delta, ..
        } => {
            check_key("change key", key)?;
            check_name("change title", title)?;
            for d in delta {
                if let DeltaDef::AddCi { key, name, .. } = d {
                    check_key("CI key", key)?;
                    check_name("CI name", name)?;
                }
            }
        }
        _ => {}
    }
    walk(
        &serde_json::to_value(command).unwrap_or_default(),
        "command",
    )
}

/// `ci` as `u` would leave it (for the change-control scope check before the edit).
pub(crate) fn patched(ci: &Ci, u: &crate::CiUpdateDef) -> Ci {
    let mut next = ci.clone();
    for name in &u.remove_attributes {
        next.attributes.remove(name);
    }
    next.attributes
        .extend(u.set_attributes.iter().map(|(k, v)| (k.clone(), v.clone())));
    if let Some(c) = u.criticality {
        next.criticality = c;
    }
    if let Some(s) = u.status {
        next.status = s;
    }
    next
}

pub(crate) fn patch(u: &crate::CiUpdateDef) -> CiPatch {
    CiPatch {
        name: u.name.clone(),
        status: u.status,
        criticality: u.criticality,
        set_attributes: u.set_attributes.clone(),
        remove_attributes: u.remove_attributes.clone(),
        ..CiPatch::default()
    }
}

/// A change's delta as CMDB edits: every CI an edit names exists, or is added by an earlier
/// edit of the same delta.
pub(crate) fn delta_ops(
    cmdb: &itsm_cmdb::Cmdb,
    change: &str,
    defs: &[DeltaDef],
) -> Result<Vec<CmdbOp>, EngineError> {
    let mut created: std::collections::HashMap<&str, Id<Ci>> = std::collections::HashMap::new();
    let mut ops = Vec::with_capacity(defs.len());
    for (i, d) in defs.iter().enumerate() {
        let ci_id = |k: &str, created: &std::collections::HashMap<&str, Id<Ci>>| {
            if let Some(id) = created.get(k) {
                return Ok(*id);
            }
            match existing_ci(cmdb, k) {
                Ok(c) => Ok(c.id),
                Err(e @ EngineError::KeyCollision { .. }) => Err(e),
                Err(_) => Err(EngineError::DeltaUnknownCi {
                    change: change.to_owned(),
                    edit: i + 1,
                    ci: k.to_owned(),
                }),
            }
        };
        let op = match d {
            DeltaDef::AddCi {
                key,
                name,
                kind,
                criticality,
                attributes,
            } => {
                let mut ci = Ci::new(key.clone(), name.clone(), kind.clone());
                if let Some(c) = criticality {
                    ci.criticality = *c;
                }
                ci.attributes = attributes.clone();
                created.insert(key.as_str(), ci.id);
                CmdbOp::AddCi(ci)
            }
            DeltaDef::UpdateCi { ci, update } => CmdbOp::UpdateCi {
                id: ci_id(ci, &created)?,
                patch: patch(update),
            },
            DeltaDef::RetireCi { ci } => CmdbOp::RetireCi(ci_id(ci, &created)?),
            DeltaDef::Relate { from, kind, to } => CmdbOp::Relate(Relation::new(
                ci_id(from, &created)?,
                *kind,
                ci_id(to, &created)?,
            )),
            DeltaDef::Unrelate { from, kind, to } => CmdbOp::Unrelate(Relation::new(
                ci_id(from, &created)?,
                *kind,
                ci_id(to, &created)?,
            )),
        };
        ops.push(op);
    }
    Ok(ops)
}
