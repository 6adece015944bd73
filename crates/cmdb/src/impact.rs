//! Impact analysis: what goes down, or runs degraded, when some CIs fail.
//!
//! Failure travels from a dependency to its dependents (ISO/IEC 20000-1 8.5.1 change impact,
//! 8.6.1 incident impact, 8.7.2 continuity). A dependent goes **down** when a dependency outside
//! any redundancy group is down, or when one of its groups has fewer than `min_up` members up.
//! It is **degraded** when it stays up but a group lost members, or when something it depends
//! on is degraded: it runs without its safety margin.
//!
//! The result is the least fixpoint of those rules, computed with a worklist over the read
//! index, so cycles are handled exactly: a cycle that nothing failed feeds stays up, and a
//! cycle fed by a failure goes down as a whole. Each affected CI records the dependency that
//! affected it, so [`Impact::path`] explains it back to a failed CI.
//!
//! An [`Impact`] keeps its entries as dense node numbers and shares the CMDB's id table (an
//! `Arc`, taken when the query ran), so a failure that takes down most of a million-CI estate
//! costs little more than the walk itself; ids are resolved when the entries are read.

use std::sync::{Arc, OnceLock};

use itsm_core::Id;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::hash::IdMap;
use crate::index::{NO_GROUP, NodeTable};
use crate::{Ci, Cmdb, CmdbError};

/// The state of an affected CI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImpactState {
    /// Still up, but without its redundancy margin.
    Degraded,
    /// Not working.
    Down,
}

/// One CI affected by a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactedCi {
    /// The CI.
    pub ci: Id<Ci>,
    /// Down or degraded.
    pub state: ImpactState,
    /// The dependency whose failure (or degradation) affected it; `None` for the failed CIs
    /// themselves.
    pub cause: Option<Id<Ci>>,
    /// True when the CI is a service.
    pub service: bool,
}

const NONE: u32 = u32::MAX;

/// An affected node by dense number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    node: u32,
    cause: u32,
    state: ImpactState,
}

impl Entry {
    const fn new(node: u32, cause: u32, state: ImpactState) -> Self {
        Self { node, cause, state }
    }
}

/// The outcome of [`Cmdb::impact_of`].
///
/// Serializes as `{"failed": [ids], "affected": [ImpactedCi]}` and reads back from that shape.
#[derive(Debug, Clone)]
pub struct Impact {
    table: Arc<NodeTable>,
    failed: usize,
    entries: Vec<Entry>,
    lookup: OnceLock<IdMap<Id<Ci>, usize>>,
}

impl PartialEq for Impact {
    /// Equal when the same CIs are affected in the same way, in the same order.
    fn eq(&self, other: &Self) -> bool {
        self.entries.len() == other.entries.len()
            && self.failed == other.failed
            && self.affected().zip(other.affected()).all(|(a, b)| a == b)
    }
}

impl Eq for Impact {}

impl Impact {
    fn resolve(&self, e: &Entry) -> Option<ImpactedCi> {
        Some(ImpactedCi {
            ci: *self.table.ids.get(e.node as usize)?,
            state: e.state,
            cause: (e.cause != NONE)
                .then(|| self.table.ids.get(e.cause as usize).copied())
                .flatten(),
            service: self
                .table
                .is_service
                .get(e.node as usize)
                .copied()
                .unwrap_or(false),
        })
    }

    /// The CIs that were failed, without duplicates, in the order given.
    pub fn failed(&self) -> impl Iterator<Item = Id<Ci>> + '_ {
        self.entries
            .iter()
            .take(self.failed)
            .filter_map(|e| self.table.ids.get(e.node as usize).copied())
    }

    /// Every affected CI: the failed ones first, then in order of discovery (nearest first).
    pub fn affected(&self) -> impl Iterator<Item = ImpactedCi> + '_ {
        self.entries.iter().filter_map(|e| self.resolve(e))
    }

    /// How many CIs are affected, failed ones included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is affected (nothing was failed).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many CIs went down besides the failed ones.
    #[must_use]
    pub fn down_count(&self) -> usize {
        self.entries
            .iter()
            .skip(self.failed)
            .filter(|e| e.state == ImpactState::Down)
            .count()
    }

    /// The affected services (down or degraded).
    pub fn services(&self) -> impl Iterator<Item = ImpactedCi> + '_ {
        self.entries
            .iter()
            .filter(|e| {
                self.table
                    .is_service
                    .get(e.node as usize)
                    .copied()
                    .unwrap_or(false)
            })
            .filter_map(|e| self.resolve(e))
    }

    fn position(&self, ci: Id<Ci>) -> Option<usize> {
        self.lookup
            .get_or_init(|| {
                self.entries
                    .iter()
                    .enumerate()
                    .filter_map(|(i, e)| Some((*self.table.ids.get(e.node as usize)?, i)))
                    .collect()
            })
            .get(&ci)
            .copied()
    }

    /// How `ci` is affected; `None` when it stays up with its full margin.
    #[must_use]
    pub fn state(&self, ci: Id<Ci>) -> Option<ImpactState> {
        self.position(ci)
            .and_then(|i| self.entries.get(i))
            .map(|e| e.state)
    }

    /// The chain of dependencies that explains why `ci` is affected: `ci` first, a failed CI
    /// last. `None` when `ci` is not affected.
    #[must_use]
    pub fn path(&self, ci: Id<Ci>) -> Option<Vec<Id<Ci>>> {
        let mut at = self.resolve(self.entries.get(self.position(ci)?)?)?;
        let mut path = vec![at.ci];
        while let Some(cause) = at.cause {
            at = self.resolve(self.entries.get(self.position(cause)?)?)?;
            path.push(at.ci);
            if path.len() > self.entries.len() {
                break; // cannot happen: causes form a forest
            }
        }
        Some(path)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImpactRecord {
    failed: Vec<Id<Ci>>,
    affected: Vec<ImpactedCi>,
}

impl Serialize for Impact {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ImpactRecord {
            failed: self.failed().collect(),
            affected: self.affected().collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Impact {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let record = ImpactRecord::deserialize(deserializer)?;
        let table = NodeTable {
            ids: record.affected.iter().map(|a| a.ci).collect(),
            is_service: record.affected.iter().map(|a| a.service).collect(),
        };
        let position: IdMap<Id<Ci>, u32> = table.ids.iter().copied().zip(0u32..).collect();
        if position.len() != table.ids.len() {
            return Err(D::Error::custom("a CI is listed twice among the affected"));
        }
        let leading = record
            .affected
            .iter()
            .take(record.failed.len())
            .map(|a| a.ci);
        if record.failed.len() > record.affected.len() || !leading.eq(record.failed.iter().copied())
        {
            return Err(D::Error::custom(
                "`failed` must list the first affected CIs",
            ));
        }
        let mut entries = Vec::with_capacity(record.affected.len());
        for (node, a) in (0u32..).zip(&record.affected) {
            let cause = match a.cause {
                None => NONE,
                Some(c) => *position.get(&c).ok_or_else(|| {
                    D::Error::custom(format!(
                        "cause `{c}` of `{}` is not among the affected",
                        a.ci
                    ))
                })?,
            };
            entries.push(Entry::new(node, cause, a.state));
        }
        Ok(Self {
            table: Arc::new(table),
            failed: record.failed.len(),
            entries,
            lookup: OnceLock::new(),
        })
    }
}

const UP: u8 = 0;
const DEGRADED: u8 = 1;
const DOWN: u8 = 2;

impl Cmdb {
    /// What goes down or runs degraded when every CI in `failed` fails at once.
    ///
    /// Runs in O(V + E) of the affected part of the graph, plus one byte per CI of scratch
    /// space, honouring redundancy groups and terminating on cycles.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`] for an id not in the CMDB.
    pub fn impact_of(&self, failed: &[Id<Ci>]) -> Result<Impact, CmdbError> {
        let index = self.index();
        let mut state = vec![UP; index.len()];
        // Down nodes with their causes, in discovery order: the worklist and the result.
        let mut entries: Vec<Entry> = Vec::new();
        for id in failed {
            let v = index
                .dense(self, *id)
                .ok_or(CmdbError::UnknownCi { id: *id })?;
            let slot = state
                .get_mut(v as usize)
                .ok_or(CmdbError::UnknownCi { id: *id })?;
            if *slot != DOWN {
                *slot = DOWN;
                entries.push(Entry::new(v, NONE, ImpactState::Down));
            }
        }
        let roots = entries.len();
        // Members lost per group slot; allocated on the first grouped edge.
        let mut lost: Vec<u32> = Vec::new();
        let mut degraded: Vec<Entry> = Vec::new();
        let mut head = 0;
        while let Some(&Entry { node: v, .. }) = entries.get(head) {
            head += 1;
            for (u, g) in index.dependents(v) {
                let Some(su) = state.get_mut(u as usize) else {
                    continue;
                };
                if *su == DOWN {
                    continue;
                }
                let goes_down = g == NO_GROUP || {
                    if lost.is_empty() {
                        lost = vec![0; index.groups.len()];
                    }
                    let (Some(l), Some(slot)) =
                        (lost.get_mut(g as usize), index.groups.get(g as usize))
                    else {
                        continue;
                    };
                    *l += 1;
                    slot.members - *l < slot.min_up
                };
                if goes_down {
                    *su = DOWN;
                    entries.push(Entry::new(u, v, ImpactState::Down));
                } else if *su == UP {
                    *su = DEGRADED;
                    degraded.push(Entry::new(u, v, ImpactState::Degraded));
                }
            }
        }
        // Degradation travels to every dependent that is still up. Nodes that went down after
        // being marked degraded drop out here.
        let mut head = 0;
        while let Some(&Entry { node: v, .. }) = degraded.get(head) {
            head += 1;
            if state.get(v as usize) != Some(&DEGRADED) {
                continue;
            }
            for (u, _) in index.dependents(v) {
                if let Some(su) = state.get_mut(u as usize) {
                    if *su == UP {
                        *su = DEGRADED;
                        degraded.push(Entry::new(u, v, ImpactState::Degraded));
                    }
                }
            }
        }
        entries.extend(
            degraded
                .into_iter()
                .filter(|e| state.get(e.node as usize) == Some(&DEGRADED)),
        );
        Ok(Impact {
            table: Arc::clone(&index.table),
            failed: roots,
            entries,
            lookup: OnceLock::new(),
        })
    }
}
