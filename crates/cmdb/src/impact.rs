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
//! brought it down, so [`Impact::path`] explains it back to a failed CI.

use std::sync::OnceLock;

use itsm_core::Id;
use serde::{Deserialize, Serialize};

use crate::hash::IdMap;
use crate::index::NO_GROUP;
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

/// The outcome of [`Cmdb::impact_of`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Impact {
    failed: Vec<Id<Ci>>,
    affected: Vec<ImpactedCi>,
    #[serde(skip)]
    lookup: OnceLock<IdMap<Id<Ci>, usize>>,
}

impl PartialEq for Impact {
    fn eq(&self, other: &Self) -> bool {
        self.failed == other.failed && self.affected == other.affected
    }
}

impl Eq for Impact {}

impl Impact {
    /// The CIs that were failed, without duplicates, in the order given.
    #[must_use]
    pub fn failed(&self) -> &[Id<Ci>] {
        &self.failed
    }

    /// Every affected CI, the failed ones first, then in order of discovery (nearest first).
    #[must_use]
    pub fn affected(&self) -> &[ImpactedCi] {
        &self.affected
    }

    /// How many CIs went down besides the failed ones.
    #[must_use]
    pub fn down_count(&self) -> usize {
        self.affected
            .iter()
            .filter(|a| a.state == ImpactState::Down)
            .count()
            - self.failed.len()
    }

    /// The affected services (down or degraded).
    pub fn services(&self) -> impl Iterator<Item = &ImpactedCi> + '_ {
        self.affected.iter().filter(|a| a.service)
    }

    fn position(&self, ci: Id<Ci>) -> Option<usize> {
        self.lookup
            .get_or_init(|| {
                self.affected
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (a.ci, i))
                    .collect()
            })
            .get(&ci)
            .copied()
    }

    /// How `ci` is affected; `None` when it stays up with its full margin.
    #[must_use]
    pub fn state(&self, ci: Id<Ci>) -> Option<ImpactState> {
        self.position(ci)
            .and_then(|i| self.affected.get(i))
            .map(|a| a.state)
    }

    /// The chain of dependencies that explains why `ci` is affected: `ci` first, a failed CI
    /// last. `None` when `ci` is not affected.
    #[must_use]
    pub fn path(&self, ci: Id<Ci>) -> Option<Vec<Id<Ci>>> {
        let mut at = self.affected.get(self.position(ci)?)?;
        let mut path = vec![at.ci];
        while let Some(cause) = at.cause {
            at = self.affected.get(self.position(cause)?)?;
            path.push(at.ci);
            if path.len() > self.affected.len() {
                break; // cannot happen: causes form a forest
            }
        }
        Some(path)
    }
}

const UP: u8 = 0;
const DEGRADED: u8 = 1;
const DOWN: u8 = 2;

impl Cmdb {
    /// What goes down or runs degraded when every CI in `failed` fails at once.
    ///
    /// Runs in O(V + E) of the affected part of the graph (plus allocating one byte and one
    /// word per CI), honouring redundancy groups and terminating on cycles.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`] for an id not in the CMDB.
    pub fn impact_of(&self, failed: &[Id<Ci>]) -> Result<Impact, CmdbError> {
        let index = self.index();
        let n = index.len();
        let mut state = vec![UP; n];
        // cause + 1; 0 = none. Zeroed memory is cheap to allocate.
        let mut cause = vec![0u32; n];
        let mut lost = vec![0u32; index.groups.len()];
        let mut down: Vec<u32> = Vec::new();
        let mut failed_ids = Vec::with_capacity(failed.len());
        for id in failed {
            let v = index
                .dense(self, *id)
                .ok_or(CmdbError::UnknownCi { id: *id })?;
            let slot = state
                .get_mut(v as usize)
                .ok_or(CmdbError::UnknownCi { id: *id })?;
            if *slot != DOWN {
                *slot = DOWN;
                down.push(v);
                failed_ids.push(*id);
            }
        }
        let mut degraded: Vec<u32> = Vec::new();
        let mut head = 0;
        while let Some(&v) = down.get(head) {
            head += 1;
            for (u, g) in index.dependents(v) {
                let Some(su) = state.get_mut(u as usize) else {
                    continue;
                };
                if *su == DOWN {
                    continue;
                }
                let goes_down = if g == NO_GROUP {
                    true
                } else {
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
                    down.push(u);
                } else if *su == UP {
                    *su = DEGRADED;
                    degraded.push(u);
                } else {
                    continue;
                }
                if let Some(c) = cause.get_mut(u as usize) {
                    *c = v + 1;
                }
            }
        }
        // Degradation travels to every dependent that is still up.
        let mut head = 0;
        while let Some(&v) = degraded.get(head) {
            head += 1;
            if state.get(v as usize) != Some(&DEGRADED) {
                continue;
            }
            for (u, _) in index.dependents(v) {
                if let Some(su) = state.get_mut(u as usize) {
                    if *su == UP {
                        *su = DEGRADED;
                        degraded.push(u);
                        if let Some(c) = cause.get_mut(u as usize) {
                            *c = v + 1;
                        }
                    }
                }
            }
        }
        let entry = |v: u32, s: ImpactState| {
            let c = cause.get(v as usize).copied().unwrap_or(0);
            Some(ImpactedCi {
                ci: index.id(v)?,
                state: s,
                cause: c.checked_sub(1).and_then(|c| index.id(c)),
                service: index.is_service.get(v as usize).copied().unwrap_or(false),
            })
        };
        let mut affected: Vec<ImpactedCi> = down
            .iter()
            .filter_map(|&v| entry(v, ImpactState::Down))
            .collect();
        affected.extend(
            degraded
                .iter()
                .filter(|&&v| state.get(v as usize) == Some(&DEGRADED))
                .filter_map(|&v| entry(v, ImpactState::Degraded)),
        );
        Ok(Impact {
            failed: failed_ids,
            affected,
            lookup: OnceLock::new(),
        })
    }
}
