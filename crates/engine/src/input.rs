//! Command input: checking the text a command carries, and turning key-named definitions
//! (ratings, CI updates, a change's delta) into the registers' values.

use std::collections::HashMap;

use itsm_cmdb::{Ci, CiPatch, CmdbOp, Provision, Relation};
use itsm_core::Id;
use itsm_risk::Score;

use crate::keys::existing_ci;
use crate::{CiDef, CiUpdateDef, Command, DeltaDef, EngineError, ProvisionDef, ScoreDef, Sms};

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
        Command::AddCi(def) => check_ci_def(def)?,
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
                if let DeltaDef::AddCi(def) = d {
                    check_ci_def(def)?;
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

/// The key and name of a new CI, as `add_ci` and a delta's `add_ci` both check them.
fn check_ci_def(def: &CiDef) -> Result<(), EngineError> {
    itsm_core::text::check_key("CI key", &def.key)?;
    itsm_core::text::check_name("CI name", &def.name)?;
    Ok(())
}

/// A provision as the CMDB records it: parties named by key become the ids their keys derive.
fn provision(p: &ProvisionDef) -> Provision {
    match p {
        ProvisionDef::Internal => Provision::Internal,
        ProvisionDef::ExternalSupplier(k) => Provision::ExternalSupplier(Id::from_key(k)),
        ProvisionDef::InternalSupplier(k) => Provision::InternalSupplier(Id::from_key(k)),
        ProvisionDef::CustomerAsSupplier(k) => Provision::CustomerAsSupplier(Id::from_key(k)),
    }
}

impl Sms {
    /// The CI `def` defines, checked: the key's derived id is not another key's CI, and the
    /// owner is an actor. What `add_ci` adds and what a change's delta adds, one way.
    pub(crate) fn new_ci(&self, def: &CiDef) -> Result<Ci, EngineError> {
        let mut ci = Ci::new(def.key.clone(), def.name.clone(), def.kind.clone());
        if let Some(holder) = self.cmdb.ci(ci.id).filter(|h| h.key != def.key) {
            return Err(EngineError::KeyCollision {
                key: crate::excerpt(&def.key),
                holder: holder.key.clone(),
            });
        }
        if let Some(c) = def.criticality {
            ci.criticality = c;
        }
        if let Some(s) = def.status {
            ci.status = s;
        }
        if let Some(p) = &def.provision {
            ci.provision = provision(p);
        }
        if let Some(o) = &def.owner {
            ci.owner = Some(self.actor_or_err(o)?.id);
        }
        ci.attributes = def.attributes.clone();
        Ok(ci)
    }

    /// The CMDB patch `u` makes, checked: the owner is an actor. What `update_ci` applies and
    /// what a change's delta applies, one way.
    pub(crate) fn ci_patch(&self, u: &CiUpdateDef) -> Result<CiPatch, EngineError> {
        let owner = u
            .owner
            .as_deref()
            .map(|o| self.actor_or_err(o).map(|a| Some(a.id)))
            .transpose()?;
        Ok(CiPatch {
            name: u.name.clone(),
            status: u.status,
            criticality: u.criticality,
            provision: u.provision.as_ref().map(provision),
            owner,
            set_attributes: u.set_attributes.clone(),
            remove_attributes: u.remove_attributes.clone(),
            ..CiPatch::default()
        })
    }

    /// A change's delta as CMDB edits, each checked as the direct edit would be
    /// ([`Sms::new_ci`], [`Sms::ci_patch`]): every CI an edit names exists, or is added by an
    /// earlier edit of the same delta; a CI it adds is not in the CMDB already.
    pub(crate) fn delta_ops(
        &self,
        change: &str,
        defs: &[DeltaDef],
    ) -> Result<Vec<CmdbOp>, EngineError> {
        let cmdb = &self.cmdb;
        let mut created: HashMap<&str, Id<Ci>> = HashMap::new();
        let mut ops = Vec::with_capacity(defs.len());
        for (i, d) in defs.iter().enumerate() {
            let ci_id = |k: &str, created: &HashMap<&str, Id<Ci>>| {
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
                DeltaDef::AddCi(def) => {
                    if cmdb.ci_by_key(&def.key).is_some() || created.contains_key(def.key.as_str())
                    {
                        return Err(EngineError::Duplicate {
                            what: "CI",
                            key: crate::excerpt(&def.key),
                        });
                    }
                    let ci = self.new_ci(def)?;
                    created.insert(def.key.as_str(), ci.id);
                    CmdbOp::AddCi(ci)
                }
                DeltaDef::UpdateCi { ci, update } => CmdbOp::UpdateCi {
                    id: ci_id(ci, &created)?,
                    patch: self.ci_patch(update)?,
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
}

/// `ci` as `patch` would leave it (for the change-control scope check before the edit).
pub(crate) fn patched(ci: &Ci, patch: &CiPatch) -> Ci {
    let mut next = ci.clone();
    for name in &patch.remove_attributes {
        next.attributes.remove(name);
    }
    next.attributes.extend(
        patch
            .set_attributes
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    if let Some(c) = patch.criticality {
        next.criticality = c;
    }
    if let Some(s) = patch.status {
        next.status = s;
    }
    if let Some(p) = patch.provision {
        next.provision = p;
    }
    if let Some(o) = patch.owner {
        next.owner = o;
    }
    if let Some(n) = &patch.name {
        next.name.clone_from(n);
    }
    next
}
