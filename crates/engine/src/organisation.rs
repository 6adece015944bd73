//! Defining the organisation: actors, divisions, the risk matrix and appetite, the change
//! policy, with records named by key converted to the registers' ids.

use std::collections::BTreeMap;

use itsm_change::{ChangePolicy, ChangeRegister, ChangeScope, ScopeRule};
use itsm_cmdb::Cmdb;
use itsm_core::{Actor, Division};
use itsm_risk::{RiskAppetite, RiskMatrix, RiskRegister};

use crate::keys::{ci_id, existing_or_free};
use crate::sms::{Effect, Sms};
use crate::{AppetiteDef, Command, EngineError, PolicyDef};

impl Sms {
    pub(crate) fn define_organisation(
        &mut self,
        key: &str,
        command: &Command,
    ) -> Result<Vec<Effect>, EngineError> {
        let Command::DefineOrganisation {
            actors,
            divisions,
            matrix,
            appetite,
            change_policy,
        } = command
        else {
            return Ok(Vec::new());
        };
        let mut division_map = BTreeMap::new();
        for d in divisions {
            if division_map
                .insert(d.key.clone(), Division::new(&d.key, d.name.clone())?)
                .is_some()
            {
                return Err(EngineError::Duplicate {
                    what: "division",
                    key: d.key.clone(),
                });
            }
        }
        let mut actor_map = BTreeMap::new();
        for a in actors {
            let mut actor = Actor::new(&a.key, a.name.clone(), a.roles.iter().copied())?;
            if let Some(d) = &a.division {
                actor.division = Some(
                    division_map
                        .get(d)
                        .map(|x: &Division| x.id)
                        .ok_or_else(|| EngineError::UnknownDivision { key: d.clone() })?,
                );
            }
            if actor_map.insert(a.key.clone(), actor).is_some() {
                return Err(EngineError::Duplicate {
                    what: "actor",
                    key: a.key.clone(),
                });
            }
        }
        // Authority: bootstrap by a top manager defined here, or top management while unused.
        if self.actors.is_empty() {
            let me = actor_map
                .get(key)
                .ok_or_else(|| EngineError::UnknownActor {
                    key: crate::excerpt(key),
                })?;
            Self::require(me, key, &[], "define the organisation")?;
        } else {
            let me = self.actor_or_err(key)?;
            Self::require(me, key, &[], "redefine the organisation")?;
            // Availability records are measured against the policy's maintenance windows:
            // redefining them afterwards would re-measure the past.
            let outages = self.availability.outages().count();
            let targets = self.availability.services().count();
            if !self.risks.is_empty()
                || !self.changes.changes().is_empty()
                || outages > 0
                || targets > 0
            {
                return Err(EngineError::OrganisationInUse {
                    reason: format!(
                        "{} risk(s), {} change(s), {} availability target(s), {} outage(s)",
                        self.risks.len(),
                        self.changes.changes().len(),
                        targets,
                        outages
                    ),
                });
            }
        }
        let matrix = match matrix {
            Some(d) => RiskMatrix::new((**d).clone())?,
            None => RiskMatrix::standard_5x5(),
        };
        let appetite = match appetite {
            Some(a) => self.appetite_from(a, &division_map)?,
            None => crate::sms::default_appetite(),
        };
        let policy_def = change_policy
            .as_deref()
            .cloned()
            .unwrap_or_else(crate::PolicyDef::default);
        let policy = Self::policy_from(&policy_def, &self.cmdb)?;
        let risks = RiskRegister::new(matrix.clone(), appetite)?;
        let changes = ChangeRegister::new(policy, matrix)?;
        self.actors = actor_map;
        self.divisions = division_map;
        self.risks = risks;
        self.changes = changes;
        self.policy_def = policy_def;
        Ok(Vec::new())
    }

    pub(crate) fn appetite_from(
        &self,
        def: &AppetiteDef,
        divisions: &BTreeMap<String, Division>,
    ) -> Result<RiskAppetite, EngineError> {
        if let Some(key) = def.divisions.keys().find(|k| !divisions.contains_key(*k)) {
            return Err(EngineError::UnknownDivision { key: key.clone() });
        }
        Ok(def.clone())
    }

    /// The change policy `def` describes, its CI keys resolved through `cmdb` (see
    /// `keys.rs`). Rebuilt after an import, whose CIs keep their own ids.
    pub(crate) fn policy_from(def: &PolicyDef, cmdb: &Cmdb) -> Result<ChangePolicy, EngineError> {
        // A key the CMDB does not hold, whose derived id another CI holds, would put that CI
        // under (or out of) the rule: refused, naming both.
        for k in policy_keys(def) {
            existing_or_free(cmdb, k)?;
        }
        let ci = |k: &String| ci_id(cmdb, k);
        Ok(ChangePolicy {
            scope: ChangeScope {
                rules: def
                    .scope
                    .iter()
                    .map(|r| ScopeRule {
                        kind: r.kind.clone(),
                        attribute: r.attribute.clone(),
                        controlled: r.controlled,
                    })
                    .collect(),
                include: def.include.iter().map(ci).collect(),
                exclude: def.exclude.iter().map(ci).collect(),
            },
            models: def.models.clone(),
            major: def.major.clone(),
            approvals: def.approvals.clone(),
            segregation_of_duties: !def.allow_self_approval,
            blackouts: def
                .blackouts
                .iter()
                .map(|b| {
                    Ok(itsm_change::Blackout {
                        name: b.name.clone(),
                        period: itsm_core::Period::new(b.start, b.end)?,
                        services: b.services.iter().map(ci).collect(),
                    })
                })
                .collect::<Result<Vec<_>, EngineError>>()?,
            maintenance: def
                .maintenance
                .iter()
                .map(|(k, c)| (ci(k), c.clone()))
                .collect(),
            objectives: def.objectives.clone(),
        })
    }

    /// Maps the change policy's CI keys to ids again through the CMDB (see `keys.rs`).
    pub(crate) fn resolve_policy_again(&mut self) {
        if policy_keys(&self.policy_def).next().is_none() {
            return;
        }
        // Cannot fail here: the policy's periods were checked when it was defined, and a key
        // collision is refused where a CI is added or imported.
        if let Ok(policy) = Self::policy_from(&self.policy_def, &self.cmdb) {
            if policy != *self.changes.policy() {
                let _ = self.changes.set_policy(policy);
            }
        }
    }

    /// Refuses an import in which a CI keeps an id that another key derives to (a key of the
    /// import or one the change policy names): that key would otherwise reach the wrong CI.
    pub(crate) fn check_import_ids(&self, parts: &itsm_cmdb::CmdbParts) -> Result<(), EngineError> {
        let named = parts
            .cis
            .iter()
            .map(|c| c.key.as_str())
            .chain(policy_keys(&self.policy_def));
        let derived: std::collections::HashMap<itsm_core::Id<itsm_cmdb::Ci>, &str> =
            named.map(|k| (itsm_core::Id::from_key(k), k)).collect();
        for c in &parts.cis {
            if let Some(other) = derived.get(&c.id).filter(|k| **k != c.key) {
                return Err(EngineError::KeyCollision {
                    key: (*other).to_owned(),
                    holder: c.key.clone(),
                });
            }
        }
        Ok(())
    }
}

/// Every CI key the change policy names.
pub(crate) fn policy_keys(def: &PolicyDef) -> impl Iterator<Item = &str> {
    def.include
        .iter()
        .chain(&def.exclude)
        .chain(def.blackouts.iter().flat_map(|b| &b.services))
        .chain(def.maintenance.keys())
        .map(String::as_str)
}
