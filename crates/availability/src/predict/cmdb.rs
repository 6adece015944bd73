//! A structure from the configuration graph: one service's dependency closure.

use itsm_cmdb::{Ci, Cmdb};
use itsm_core::Id;

use super::PredictError;
use super::model::{Availability, Dense, Structure};
use super::plan::NumMap;

impl Structure {
    /// The structure under `service` in `cmdb`: the service and every CI it needs, directly or
    /// not, along relations a failure travels (`Relation::dependency`: `depends on`, `runs on`
    /// ... and `part of` reversed), with the CMDB's redundancy groups whose dependent is among
    /// them. Keys are CI keys; `availability` gives each CI's availability (`None`: always up).
    ///
    /// # Errors
    /// [`PredictError::UnknownCi`] when `service` is not in the CMDB;
    /// [`PredictError::InvalidAvailability`] for an availability `availability` returns that
    /// is not a probability, named by the CI's key.
    pub fn from_cmdb(
        cmdb: &Cmdb,
        service: Id<Ci>,
        mut availability: impl FnMut(&Ci) -> Option<Availability>,
    ) -> Result<Self, PredictError> {
        let unknown = |id: Id<Ci>| PredictError::UnknownCi { id };
        let root = cmdb.ci(service).ok_or_else(|| unknown(service))?;
        let closure = cmdb
            .dependencies_of(service)
            .map_err(|_| unknown(service))?;
        let mut cis: Vec<&Ci> = Vec::with_capacity(closure.len() + 1);
        cis.push(root);
        cis.extend(closure.iter().filter_map(|d| cmdb.ci(d.ci)));
        let dense: NumMap<Id<Ci>, u32> = cis.iter().map(|c| c.id).zip(0u32..).collect();
        let mut needs = Vec::with_capacity(cis.len());
        for ci in &cis {
            let deps = cmdb
                .direct_dependencies(ci.id)
                .map_err(|_| unknown(ci.id))?;
            needs.push(deps.iter().filter_map(|d| dense.get(d).copied()).collect());
        }
        let mut groups: Vec<_> = cmdb
            .groups()
            .filter_map(|g| {
                let d = *dense.get(&g.dependent)?;
                let members = g
                    .members
                    .iter()
                    .filter_map(|m| dense.get(m).copied())
                    .collect();
                Some((g.name.as_str(), (d, members, g.min_up)))
            })
            .collect();
        groups.sort_by(|a, b| a.0.cmp(b.0));
        Self::build(Dense {
            keys: cis.iter().map(|c| c.key.clone()).collect(),
            given: cis.iter().map(|c| availability(c)).collect(),
            needs,
            groups: groups.into_iter().map(|(_, g)| g).collect(),
        })
    }
}
