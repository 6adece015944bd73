//! Atomic batches: many edits applied as one, or not at all.
//!
//! A change that is implemented successfully applies its configuration delta in one step
//! (ISO/IEC 20000-1 8.5.1.3, 8.2.6): new CIs, updates, retirements, relations added and
//! removed. [`Cmdb::apply_batch`] applies the operations in order, keeping an undo record of
//! each; when one is refused, the ones before it are undone in reverse and the CMDB is exactly
//! as it was. With a change id, every CI the batch touches is stamped with it.

use std::collections::HashSet;

use itsm_core::Id;
use itsm_core::entity::Change;
use serde::{Deserialize, Serialize};

use crate::{Ci, CiPatch, CiStatus, Cmdb, CmdbError, RedundancyGroup, Relation, Removal};

/// One edit of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CmdbOp {
    /// Add a CI.
    AddCi(Ci),
    /// Update a CI.
    UpdateCi {
        /// The CI.
        id: Id<Ci>,
        /// The update.
        patch: CiPatch,
    },
    /// Set a CI's status to retired (it stays in the CMDB for the record).
    RetireCi(Id<Ci>),
    /// Remove a CI.
    RemoveCi {
        /// The CI.
        id: Id<Ci>,
        /// Refuse or cascade.
        mode: Removal,
    },
    /// Add a relation.
    Relate(Relation),
    /// Remove a relation.
    Unrelate(Relation),
    /// Add a redundancy group.
    AddGroup(RedundancyGroup),
    /// Remove a redundancy group.
    RemoveGroup(Id<RedundancyGroup>),
}

/// Why a batch was refused: which operation, and its error. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("operation {} of the batch was refused, nothing was changed: {error}", index + 1)]
pub struct BatchError {
    /// Zero-based position of the refused operation.
    pub index: usize,
    /// Why it was refused.
    pub error: CmdbError,
}

/// What an accepted batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchOutcome {
    /// CIs added, updated, retired or related (stamped with the change, if one was given).
    pub touched: Vec<Id<Ci>>,
    /// CIs removed.
    pub removed: Vec<Id<Ci>>,
}

/// How to undo one applied operation.
enum Undo {
    Remove(Id<Ci>),
    Restore(Box<Ci>),
    Reinsert {
        ci: Box<Ci>,
        relations: Vec<Relation>,
        groups_before: Vec<RedundancyGroup>,
    },
    Unrelate(Relation),
    Relate(Relation),
    RemoveGroup(Id<RedundancyGroup>),
    AddGroup(RedundancyGroup),
}

impl Cmdb {
    /// Puts back a CI record exactly as it was (version included).
    fn restore_ci(&mut self, ci: Ci) {
        let Some(node) = self.by_id.get(&ci.id).copied() else {
            return;
        };
        let Some(slot) = self.graph.node_weight_mut(node) else {
            return;
        };
        let previous = std::mem::replace(slot, ci);
        let Some(now) = self.graph.node_weight(node) else {
            return;
        };
        if now.key != previous.key {
            self.by_key.remove(&previous.key, node);
            self.by_key
                .insert(crate::keys::key_hash(&now.key), &now.key, node);
        }
        if now.kind != previous.kind {
            self.index.take();
        }
    }

    fn undo(&mut self, undo: Undo) {
        // Each undo reverses an operation that was just applied, so it cannot be refused;
        // results are ignored on purpose.
        match undo {
            Undo::Remove(id) => {
                let _ = self.remove_ci(id, Removal::Cascade);
            }
            Undo::Restore(ci) => self.restore_ci(*ci),
            Undo::Reinsert {
                ci,
                relations,
                groups_before,
            } => {
                let _ = self.insert_new_ci(*ci);
                for r in relations {
                    if let (Ok(from), Ok(to)) = (self.node(r.from), self.node(r.to)) {
                        self.graph.add_edge(from, to, r.kind);
                    }
                }
                for g in groups_before {
                    if self.groups.contains_key(&g.id) {
                        let _ = self.remove_group(g.id);
                    }
                    self.register_group(g);
                }
                self.index.take();
            }
            Undo::Unrelate(r) => {
                let _ = self.unrelate(r);
            }
            Undo::Relate(r) => {
                if let (Ok(from), Ok(to)) = (self.node(r.from), self.node(r.to)) {
                    self.graph.add_edge(from, to, r.kind);
                    self.index.take();
                }
            }
            Undo::RemoveGroup(id) => {
                let _ = self.remove_group(id);
            }
            Undo::AddGroup(g) => {
                self.register_group(g);
                self.index.take();
            }
        }
    }

    fn apply_one(
        &mut self,
        op: CmdbOp,
        change: Option<Id<Change>>,
        out: &mut BatchOutcome,
    ) -> Result<Undo, CmdbError> {
        match op {
            CmdbOp::AddCi(mut ci) => {
                if change.is_some() {
                    ci.last_change = change;
                }
                let id = ci.id;
                self.add_ci(ci)?;
                out.touched.push(id);
                Ok(Undo::Remove(id))
            }
            CmdbOp::UpdateCi { id, mut patch } => {
                let before = self.ci(id).cloned().ok_or(CmdbError::UnknownCi { id })?;
                if change.is_some() {
                    patch.change = change;
                }
                self.update_ci(id, patch)?;
                out.touched.push(id);
                Ok(Undo::Restore(Box::new(before)))
            }
            CmdbOp::RetireCi(id) => {
                let patch = CiPatch {
                    status: Some(CiStatus::Retired),
                    ..CiPatch::default()
                };
                self.apply_one(CmdbOp::UpdateCi { id, patch }, change, out)
            }
            CmdbOp::RemoveCi { id, mode } => {
                let groups_before: Vec<RedundancyGroup> = self
                    .groups()
                    .filter(|g| g.dependent == id || g.members.contains(&id))
                    .cloned()
                    .collect();
                let removed = self.remove_ci(id, mode)?;
                out.removed.push(id);
                Ok(Undo::Reinsert {
                    ci: Box::new(removed.ci),
                    relations: removed.relations,
                    groups_before,
                })
            }
            CmdbOp::Relate(r) => {
                self.relate(r)?;
                out.touched.extend([r.from, r.to]);
                Ok(Undo::Unrelate(r))
            }
            CmdbOp::Unrelate(r) => {
                self.unrelate(r)?;
                out.touched.extend([r.from, r.to]);
                Ok(Undo::Relate(r))
            }
            CmdbOp::AddGroup(g) => {
                let (id, dependent) = (g.id, g.dependent);
                self.add_group(g)?;
                out.touched.push(dependent);
                Ok(Undo::RemoveGroup(id))
            }
            CmdbOp::RemoveGroup(id) => {
                let g = self.remove_group(id)?;
                out.touched.push(g.dependent);
                Ok(Undo::AddGroup(g))
            }
        }
    }

    /// Applies `ops` in order as one atomic step; with `change`, stamps every touched CI with
    /// it (`last_change`, one version more).
    ///
    /// # Errors
    /// [`BatchError`] naming the first refused operation; the CMDB is then exactly as before.
    pub fn apply_batch(
        &mut self,
        ops: Vec<CmdbOp>,
        change: Option<Id<Change>>,
    ) -> Result<BatchOutcome, BatchError> {
        let mut undo: Vec<Undo> = Vec::with_capacity(ops.len());
        let mut out = BatchOutcome::default();
        for (index, op) in ops.into_iter().enumerate() {
            match self.apply_one(op, change, &mut out) {
                Ok(u) => undo.push(u),
                Err(error) => {
                    while let Some(u) = undo.pop() {
                        self.undo(u);
                    }
                    return Err(BatchError { index, error });
                }
            }
        }
        let mut seen = HashSet::new();
        out.touched.retain(|id| seen.insert(*id));
        out.touched.retain(|id| !out.removed.contains(id));
        if let Some(c) = change {
            for id in &out.touched {
                let stamped = self.ci(*id).is_some_and(|ci| ci.last_change == Some(c));
                if !stamped {
                    let _ = self.update_ci(
                        *id,
                        CiPatch {
                            change: Some(c),
                            ..CiPatch::default()
                        },
                    );
                }
            }
        }
        Ok(out)
    }
}
