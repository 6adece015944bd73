//! What a change's configuration delta reaches (ISO/IEC 20000-1 8.5.1.2, 8.5.1.3).
//!
//! A change is assessed and approved for the CIs it targets. Its delta must not reach further:
//! every existing CI an edit touches (both ends of a relation edit, the dependent and members
//! of a redundancy group, the neighbours whose relations a cascading removal deletes) must be
//! a target. [`reach`] lists them; [`crate::ChangeRegister::raise`] refuses a delta that reaches
//! outside the targets, naming the CIs, so what is assessed, checked against a standard model
//! and approved is everything the change will touch.

use std::collections::{BTreeSet, HashSet};

use itsm_cmdb::{Ci, Cmdb, CmdbError, CmdbOp, Removal};
use itsm_core::Id;

/// The existing CIs `delta` touches, in id order. CIs the delta adds itself are not listed
/// (they are new); a later edit may name them.
///
/// # Errors
/// [`CmdbError::UnknownCi`] for an edit naming a CI that neither exists nor is added by an
/// earlier edit; [`CmdbError::UnknownGroup`] for a group removal naming no group.
pub fn reach(delta: &[CmdbOp], cmdb: &Cmdb) -> Result<BTreeSet<Id<Ci>>, CmdbError> {
    let mut created: HashSet<Id<Ci>> = HashSet::new();
    let mut out = BTreeSet::new();
    let mut touch = |id: Id<Ci>, created: &HashSet<Id<Ci>>| {
        if created.contains(&id) {
            Ok(())
        } else if cmdb.ci(id).is_some() {
            out.insert(id);
            Ok(())
        } else {
            Err(CmdbError::UnknownCi { id })
        }
    };
    for op in delta {
        match op {
            CmdbOp::AddCi(ci) => {
                created.insert(ci.id);
            }
            CmdbOp::UpdateCi { id, .. } | CmdbOp::RetireCi(id) => touch(*id, &created)?,
            CmdbOp::RemoveCi { id, mode } => {
                touch(*id, &created)?;
                if *mode == Removal::Cascade && !created.contains(id) {
                    for r in cmdb.relations_of(*id)? {
                        touch(r.from, &created)?;
                        touch(r.to, &created)?;
                    }
                    for g in cmdb
                        .groups()
                        .filter(|g| g.dependent == *id || g.members.contains(id))
                    {
                        touch(g.dependent, &created)?;
                    }
                }
            }
            CmdbOp::Relate(r) | CmdbOp::Unrelate(r) => {
                touch(r.from, &created)?;
                touch(r.to, &created)?;
            }
            CmdbOp::AddGroup(g) => {
                touch(g.dependent, &created)?;
                for m in &g.members {
                    touch(*m, &created)?;
                }
            }
            CmdbOp::RemoveGroup(gid) => {
                let g = cmdb
                    .group(*gid)
                    .ok_or(CmdbError::UnknownGroup { id: *gid })?;
                touch(g.dependent, &created)?;
                for m in &g.members {
                    touch(*m, &created)?;
                }
            }
        }
    }
    Ok(out)
}
