//! Single points of failure of a service (ISO/IEC 20000-1 8.7.1, 8.7.2; TR 20000-17 5.2).
//!
//! A dependency is a single point of failure of a service when its failure alone brings the
//! service down. Without redundancy every dependency is one; redundancy groups remove some, but
//! not those shared by several members of a group (two "redundant" web servers on one host).
//!
//! The computation is exact, not a heuristic:
//! 1. every dependency reachable from the service through plain (ungrouped) dependencies is a
//!    single point of failure: one chain of "needs" reaches it;
//! 2. every other dependency is failed on its own in a simulation restricted to the service's
//!    dependency subgraph (failure cannot leave it and come back), which stops as soon as it
//!    reaches a CI already known to be a single point of failure.

use std::collections::HashMap;

use itsm_core::Id;
use petgraph::Directed;
use petgraph::csr::Csr;

use crate::index::NO_GROUP;
use crate::query::walk;
use crate::{Ci, Cmdb, CmdbError};

impl Cmdb {
    /// The dependencies of `service` whose failure alone brings it down, in bill-of-materials
    /// order (nearest first). Works for any CI, not only services.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`].
    pub fn single_points_of_failure(&self, service: Id<Ci>) -> Result<Vec<Id<Ci>>, CmdbError> {
        let index = self.index();
        let root = index
            .dense(self, service)
            .ok_or(CmdbError::UnknownCi { id: service })?;
        let reached = walk(index, root, true);
        // Local numbering: 0 = root, then the bill of materials in order.
        let mut nodes = Vec::with_capacity(reached.len() + 1);
        nodes.push(root);
        nodes.extend(reached.iter().map(|(v, _, _)| *v));
        let local: HashMap<u32, u32> = nodes.iter().copied().zip(0u32..).collect();

        // Local reverse edges (dependency -> dependent) and forward plain edges.
        let mut rev: Vec<(u32, u32, u32)> = Vec::new();
        let mut plain: Vec<Vec<u32>> = vec![Vec::new(); nodes.len()];
        for (lv, &v) in (0u32..).zip(&nodes) {
            for (w, g) in index.dependencies(v) {
                let Some(&lw) = local.get(&w) else { continue };
                rev.push((lw, lv, g));
                if g == NO_GROUP {
                    if let Some(list) = plain.get_mut(lv as usize) {
                        list.push(lw);
                    }
                }
            }
        }
        rev.sort_unstable();
        let mut rev_csr: Csr<(), u32, Directed, u32> =
            Csr::from_sorted_edges(&rev).unwrap_or_default();
        while rev_csr.node_count() < nodes.len() {
            rev_csr.add_node(());
        }

        // Step 1: reachable through plain dependencies.
        let mut spof = vec![false; nodes.len()];
        let mut stack = vec![0u32];
        if let Some(s) = spof.get_mut(0) {
            *s = true;
        }
        while let Some(v) = stack.pop() {
            for &w in plain.get(v as usize).map(Vec::as_slice).unwrap_or_default() {
                if let Some(s) = spof.get_mut(w as usize) {
                    if !*s {
                        *s = true;
                        stack.push(w);
                    }
                }
            }
        }

        // Step 2: simulate each remaining candidate, deepest first so that shallower
        // candidates can stop at deeper ones already found.
        let mut stamp = vec![0u32; nodes.len()];
        let mut lost: Vec<(u32, u32)> = vec![(0, 0); index.groups.len()];
        let mut queue: Vec<u32> = Vec::new();
        for (round, c) in (1u32..).zip((1..nodes.len()).rev()) {
            let c = u32::try_from(c).unwrap_or(u32::MAX);
            if spof.get(c as usize).copied().unwrap_or(true) {
                continue;
            }
            queue.clear();
            queue.push(c);
            if let Some(s) = stamp.get_mut(c as usize) {
                *s = round;
            }
            let mut head = 0;
            let mut fatal = false;
            'sim: while let Some(&v) = queue.get(head) {
                head += 1;
                for (&u, &g) in rev_csr
                    .neighbors_slice(v)
                    .iter()
                    .zip(rev_csr.edges_slice(v))
                {
                    if stamp.get(u as usize) == Some(&round) {
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
                        if l.0 != round {
                            *l = (round, 0);
                        }
                        l.1 += 1;
                        slot.members - l.1 < slot.min_up
                    };
                    if goes_down {
                        if spof.get(u as usize).copied().unwrap_or(false) {
                            fatal = true;
                            break 'sim;
                        }
                        if let Some(s) = stamp.get_mut(u as usize) {
                            *s = round;
                        }
                        queue.push(u);
                    }
                }
            }
            if fatal {
                if let Some(s) = spof.get_mut(c as usize) {
                    *s = true;
                }
            }
        }
        Ok(nodes
            .iter()
            .zip(&spof)
            .skip(1)
            .filter(|(_, s)| **s)
            .filter_map(|(v, _)| index.id(*v))
            .collect())
    }
}
