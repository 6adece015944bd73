//! Dependency cycles.
//!
//! Cycles are allowed by default (services that call each other are real), and every query is
//! correct on them. [`Cmdb::cycles`] lists them for review: each strongly connected component of
//! the dependency graph with more than one CI, with one concrete cycle through it as an example.
//! Enumerating every elementary cycle would be exponential; a component is what recovers (or
//! fails) together.

use std::collections::{HashMap, HashSet, VecDeque};

use itsm_core::Id;
use petgraph::Graph;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::NodeIndex;
use serde::{Deserialize, Serialize};

use crate::index::ReadIndex;
use crate::{Ci, Cmdb};

/// A set of CIs that all (transitively) depend on each other.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cycle {
    /// The CIs of the strongly connected component, sorted by key.
    pub members: Vec<Id<Ci>>,
    /// One cycle through the first member: `a, b, ..., a`, each needing the next.
    pub example: Vec<Id<Ci>>,
}

/// Strongly connected components with more than one node, as dense numbers.
pub(crate) fn components(index: &ReadIndex) -> Vec<Vec<u32>> {
    let n = index.len();
    let mut g: Graph<(), (), petgraph::Directed, u32> =
        Graph::with_capacity(n, index.fwd.edge_count());
    for _ in 0..n {
        g.add_node(());
    }
    for v in 0..u32::try_from(n).unwrap_or(u32::MAX) {
        for (w, _) in index.dependencies(v) {
            g.add_edge(NodeIndex::new(v as usize), NodeIndex::new(w as usize), ());
        }
    }
    kosaraju_scc(&g)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            c.into_iter()
                .filter_map(|v| u32::try_from(v.index()).ok())
                .collect()
        })
        .collect()
}

/// A shortest cycle from `start` back to itself inside `members`.
pub(crate) fn example_cycle(index: &ReadIndex, start: u32, members: &HashSet<u32>) -> Vec<u32> {
    let mut parent: HashMap<u32, u32> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for (w, _) in index.dependencies(v) {
            if !members.contains(&w) {
                continue;
            }
            if w == start {
                let mut path = vec![v];
                let mut at = v;
                while at != start {
                    let Some(&p) = parent.get(&at) else { break };
                    path.push(p);
                    at = p;
                }
                path.reverse();
                path.push(start);
                return path;
            }
            if w != start && !parent.contains_key(&w) {
                parent.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start]
}

impl Cmdb {
    /// Every dependency cycle, as strongly connected components sorted by their first key.
    #[must_use]
    pub fn cycles(&self) -> Vec<Cycle> {
        let index = self.index();
        let mut out: Vec<Cycle> = components(index)
            .into_iter()
            .map(|comp| {
                let mut comp: Vec<u32> = comp;
                comp.sort_by_cached_key(|v| index.id(*v).map(|id| self.key_of(id)));
                let set: HashSet<u32> = comp.iter().copied().collect();
                let first = comp.first().copied().unwrap_or_default();
                Cycle {
                    members: comp.iter().filter_map(|v| index.id(*v)).collect(),
                    example: example_cycle(index, first, &set)
                        .into_iter()
                        .filter_map(|v| index.id(v))
                        .collect(),
                }
            })
            .collect();
        out.sort_by_cached_key(|c| c.members.first().map(|id| self.key_of(*id)));
        out
    }
}
