//! Graph queries: bill of materials, services using a CI, why A needs B, effective
//! criticality, bundles.
//!
//! These answer the questions of ISO/IEC 20000-1 8.2.6 (configuration information that supports
//! the other processes) and TR 20000-17 5.2 (which components make up a service, which services
//! a component serves). All of them walk the read index breadth-first, so they are linear in the
//! part of the graph they visit and correct on cycles.

use std::collections::VecDeque;

use itsm_core::Id;
use petgraph::Direction;
use petgraph::visit::EdgeRef;
use serde::{Deserialize, Serialize};

use crate::index::ReadIndex;
use crate::{Ci, Cmdb, CmdbError, Criticality, Relation, RelationKind};

/// One line of a bill of materials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    /// The CI depended on.
    pub ci: Id<Ci>,
    /// How many dependency steps from the root (1 = direct).
    pub depth: u32,
    /// The CI through which it was first reached (the root for direct dependencies).
    pub via: Id<Ci>,
}

/// A CI's criticality once the services that need it are taken into account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectiveCriticality {
    /// The effective level: the highest of the CI's own and every service that needs it.
    pub level: Criticality,
    /// The service that sets it, when that is not the CI itself.
    pub inherited_from: Option<Id<Ci>>,
}

/// Breadth-first walk from `start` over dependencies (`forward`) or dependents; returns
/// `(node, parent, depth)` for every node reached except `start`.
pub(crate) fn walk(index: &ReadIndex, start: u32, forward: bool) -> Vec<(u32, u32, u32)> {
    let mut seen = vec![false; index.len()];
    if let Some(s) = seen.get_mut(start as usize) {
        *s = true;
    }
    let mut out: Vec<(u32, u32, u32)> = Vec::new();
    let mut frontier = VecDeque::from([(start, 0u32)]);
    while let Some((v, depth)) = frontier.pop_front() {
        let next: Box<dyn Iterator<Item = (u32, u32)>> = if forward {
            Box::new(index.dependencies(v))
        } else {
            Box::new(index.dependents(v))
        };
        for (w, _) in next {
            if let Some(s) = seen.get_mut(w as usize) {
                if !*s {
                    *s = true;
                    out.push((w, v, depth + 1));
                    frontier.push_back((w, depth + 1));
                }
            }
        }
    }
    out
}

impl Cmdb {
    fn dense_of(&self, id: Id<Ci>) -> Result<u32, CmdbError> {
        self.index()
            .dense(self, id)
            .ok_or(CmdbError::UnknownCi { id })
    }

    /// The bill of materials of `root`: every CI it needs, directly or not, nearest first.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`].
    pub fn dependencies_of(&self, root: Id<Ci>) -> Result<Vec<Dependency>, CmdbError> {
        let start = self.dense_of(root)?;
        let index = self.index();
        Ok(walk(index, start, true)
            .into_iter()
            .filter_map(|(v, p, depth)| {
                Some(Dependency {
                    ci: index.id(v)?,
                    depth,
                    via: index.id(p)?,
                })
            })
            .collect())
    }

    /// The CIs `ci` needs directly: one relation away, along which a failure of theirs travels
    /// to `ci` (`depends_on`, `runs_on` ... as [`RelationKind::propagation`] says), each once,
    /// in the read index's order. Linear in `ci`'s relations.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`].
    pub fn direct_dependencies(&self, ci: Id<Ci>) -> Result<Vec<Id<Ci>>, CmdbError> {
        let start = self.dense_of(ci)?;
        let index = self.index();
        Ok(index
            .dependencies(start)
            .filter(|(v, _)| *v != start)
            .filter_map(|(v, _)| index.id(v))
            .collect())
    }

    /// Every CI that needs `ci`, directly or not, nearest first.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`].
    pub fn dependents_of(&self, ci: Id<Ci>) -> Result<Vec<Id<Ci>>, CmdbError> {
        let start = self.dense_of(ci)?;
        let index = self.index();
        Ok(walk(index, start, false)
            .into_iter()
            .filter_map(|(v, _, _)| index.id(v))
            .collect())
    }

    /// Every service that needs `ci`, directly or not (not `ci` itself), nearest first.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`].
    pub fn services_using(&self, ci: Id<Ci>) -> Result<Vec<Id<Ci>>, CmdbError> {
        let start = self.dense_of(ci)?;
        let index = self.index();
        Ok(walk(index, start, false)
            .into_iter()
            .filter(|(v, _, _)| index.is_service(*v))
            .filter_map(|(v, _, _)| index.id(v))
            .collect())
    }

    /// Why `a` needs `b`: a shortest chain of relations from `a` to `b` along which a failure of
    /// `b` travels to `a`. `Some(vec![])` when `a == b`; `None` when `a` does not need `b`.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`].
    pub fn why(&self, a: Id<Ci>, b: Id<Ci>) -> Result<Option<Vec<Relation>>, CmdbError> {
        let start = self.dense_of(a)?;
        let goal = self.dense_of(b)?;
        if start == goal {
            return Ok(Some(Vec::new()));
        }
        let index = self.index();
        let reached = walk(index, start, true);
        let parent: std::collections::HashMap<u32, u32> =
            reached.iter().map(|&(v, p, _)| (v, p)).collect();
        if !parent.contains_key(&goal) {
            return Ok(None);
        }
        let mut hops = Vec::new();
        let mut at = goal;
        while let Some(&p) = parent.get(&at) {
            hops.push((p, at));
            at = p;
            if at == start {
                break;
            }
        }
        hops.reverse();
        Ok(Some(
            hops.into_iter()
                .filter_map(|(d, p)| self.explaining_relation(index, d, p))
                .collect(),
        ))
    }

    /// The stored relation that makes dense `dependent` need dense `dependency`.
    fn explaining_relation(
        &self,
        index: &ReadIndex,
        dependent: u32,
        dependency: u32,
    ) -> Option<Relation> {
        let d = *index.nodes.get(dependent as usize)?;
        let p = *index.nodes.get(dependency as usize)?;
        let forward = self
            .graph
            .edges_connecting(d, p)
            .map(|e| *e.weight())
            .filter(|k| k.propagation() == crate::Propagation::ToSource)
            .min();
        match forward {
            Some(kind) => Some(Relation::new(
                index.id(dependent)?,
                kind,
                index.id(dependency)?,
            )),
            None => Some(Relation::new(
                index.id(dependency)?,
                RelationKind::PartOf,
                index.id(dependent)?,
            )),
        }
    }

    /// `ci`'s effective criticality: a shared component is as critical as the most critical
    /// service that needs it (ties: the nearest service).
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`].
    pub fn effective_criticality(&self, ci: Id<Ci>) -> Result<EffectiveCriticality, CmdbError> {
        let own = self
            .ci(ci)
            .ok_or(CmdbError::UnknownCi { id: ci })?
            .criticality;
        let mut best = EffectiveCriticality {
            level: own,
            inherited_from: None,
        };
        for s in self.services_using(ci)? {
            if let Some(svc) = self.ci(s) {
                if svc.criticality > best.level {
                    best = EffectiveCriticality {
                        level: svc.criticality,
                        inherited_from: Some(s),
                    };
                }
            }
        }
        Ok(best)
    }

    /// The direct members of the bundled service `bundle` (CIs related to it with `PartOf`),
    /// by key.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`].
    pub fn bundle_members(&self, bundle: Id<Ci>) -> Result<Vec<Id<Ci>>, CmdbError> {
        self.part_of_neighbours(bundle, Direction::Incoming)
    }

    /// The bundles `ci` is a direct member of, by key.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`].
    pub fn bundles_of(&self, ci: Id<Ci>) -> Result<Vec<Id<Ci>>, CmdbError> {
        self.part_of_neighbours(ci, Direction::Outgoing)
    }

    /// CIs at the other end of `ci`'s `PartOf` relations in direction `dir`, sorted by key.
    fn part_of_neighbours(&self, ci: Id<Ci>, dir: Direction) -> Result<Vec<Id<Ci>>, CmdbError> {
        let node = self.node(ci)?;
        let mut out: Vec<&Ci> = self
            .graph
            .edges_directed(node, dir)
            .filter(|e| *e.weight() == RelationKind::PartOf)
            .filter_map(|e| {
                let other = if dir == Direction::Incoming {
                    e.source()
                } else {
                    e.target()
                };
                self.graph.node_weight(other)
            })
            .collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out.into_iter().map(|c| c.id).collect())
    }
}
