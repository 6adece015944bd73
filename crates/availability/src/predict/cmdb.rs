//! A structure from the configuration graph: one service's dependency closure.

use std::collections::HashMap;

use itsm_cmdb::{Ci, Cmdb};
use itsm_core::Id;

use super::PredictError;
use super::model::{Availability, ComponentSpec, GroupSpec, Structure, StructureSpec};

impl Structure {
    /// The structure under `service` in `cmdb`: the service and every CI it needs, directly or
    /// not, along relations a failure travels (`Relation::dependency`: `depends on`, `runs on`
    /// ... and `part of` reversed), with the CMDB's redundancy groups whose dependent is among
    /// them. Keys are CI keys; `availability` gives each CI's availability (`None`: always up).
    ///
    /// # Errors
    /// [`PredictError::UnknownCi`] when `service` is not in the CMDB; what
    /// [`Structure::new`] refuses (an availability `availability` returns that is not a
    /// probability, named by the CI's key).
    pub fn from_cmdb(
        cmdb: &Cmdb,
        service: Id<Ci>,
        mut availability: impl FnMut(&Ci) -> Option<Availability>,
    ) -> Result<Self, PredictError> {
        let root = cmdb
            .ci(service)
            .ok_or(PredictError::UnknownCi { id: service })?;
        let closure = cmdb
            .dependencies_of(service)
            .map_err(|_| PredictError::UnknownCi { id: service })?;
        let mut cis: Vec<&Ci> = Vec::with_capacity(closure.len() + 1);
        cis.push(root);
        cis.extend(closure.iter().filter_map(|d| cmdb.ci(d.ci)));
        let key: HashMap<Id<Ci>, &str> = cis.iter().map(|c| (c.id, c.key.as_str())).collect();
        let mut spec = StructureSpec {
            components: Vec::with_capacity(cis.len()),
            needs: Vec::with_capacity(cis.len() * 2),
            groups: Vec::new(),
        };
        for ci in &cis {
            spec.components.push(ComponentSpec {
                key: ci.key.clone(),
                availability: availability(ci),
            });
            let deps = cmdb
                .direct_dependencies(ci.id)
                .map_err(|_| PredictError::UnknownCi { id: ci.id })?;
            for d in deps {
                if let Some(k) = key.get(&d) {
                    spec.needs.push((ci.key.clone(), (*k).to_owned()));
                }
            }
        }
        let mut groups: Vec<_> = cmdb
            .groups()
            .filter(|g| key.contains_key(&g.dependent))
            .collect();
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        for g in groups {
            spec.groups.push(GroupSpec {
                dependent: key
                    .get(&g.dependent)
                    .copied()
                    .unwrap_or_default()
                    .to_owned(),
                members: g
                    .members
                    .iter()
                    .filter_map(|m| key.get(m).map(|k| (*k).to_owned()))
                    .collect(),
                min_up: g.min_up,
            });
        }
        Self::new(spec)
    }
}
