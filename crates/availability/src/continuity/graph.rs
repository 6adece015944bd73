//! The configuration graph as dense "needs" rows, read once through the CMDB's public API.
//!
//! Flow-down and recovery planning walk the dependency edges many times in both directions, so
//! they read the CMDB once into two petgraph `Csr`s over dense node numbers (dependent ->
//! dependency and back, in the CMDB's CI order), each edge weighted with the redundancy group
//! it belongs to (or [`NO_GROUP`]), as the CMDB's own read index does. A failure travels along
//! an edge exactly as [`itsm_cmdb::Relation::dependency`] says; two relations between one pair
//! make one edge. Built in O(V + E) with counting sorts.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use itsm_cmdb::{Ci, Cmdb};
use itsm_core::Id;
use petgraph::Directed;
use petgraph::csr::Csr;

/// Edge weight of a dependency outside any redundancy group.
pub(crate) const NO_GROUP: u32 = u32::MAX;

/// "No node" in dense-number arrays.
pub(crate) const NONE: u32 = u32::MAX;

type DepCsr = Csr<(), u32, Directed, u32>;

/// Multiply-rotate hasher for ids (synthetic ids are sequential, so the words are mixed).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            for (w, b) in word.iter_mut().zip(chunk) {
                *w = *b;
            }
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

/// A `HashMap` keyed by ids.
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Dense dependency rows of a CMDB; see the module docs.
#[derive(Debug)]
pub(crate) struct Net<'c> {
    cis: Vec<&'c Ci>,
    dense: IdMap<Id<Ci>, u32>,
    fwd: DepCsr,
    rev: DepCsr,
    min_up: Vec<u32>,
}

/// Rows of `edges` (row, other end, slot) bucketed by row with a stable counting sort.
#[expect(
    clippy::indexing_slicing,
    reason = "rows are dense numbers below `n`; positions are counted from the same edges"
)]
fn bucket(edges: &[(u32, u32, u32)], n: usize) -> (Vec<usize>, Vec<(u32, u32, u32)>) {
    let mut start = vec![0usize; n + 1];
    for e in edges {
        start[e.0 as usize + 1] += 1;
    }
    for v in 0..n {
        start[v + 1] += start[v];
    }
    let mut next = start.clone();
    let mut out = vec![(0u32, 0u32, 0u32); edges.len()];
    for e in edges {
        out[next[e.0 as usize]] = *e;
        next[e.0 as usize] += 1;
    }
    (start, out)
}

fn csr(edges: &[(u32, u32, u32)], n: usize) -> DepCsr {
    // Sorted by source by construction: the empty fallback cannot happen.
    let mut g = DepCsr::from_sorted_edges(edges).unwrap_or_default();
    while g.node_count() < n {
        g.add_node(());
    }
    g
}

impl<'c> Net<'c> {
    /// Reads `cmdb`: O(V + E).
    #[expect(
        clippy::indexing_slicing,
        reason = "row bounds come from the counting sort over the same edges"
    )]
    pub(crate) fn build(cmdb: &'c Cmdb) -> Self {
        let n = cmdb.len();
        let mut cis = Vec::with_capacity(n);
        let mut dense: IdMap<Id<Ci>, u32> = IdMap::default();
        dense.reserve(n);
        for (v, ci) in (0u32..).zip(cmdb.cis()) {
            cis.push(ci);
            dense.insert(ci.id, v);
        }
        let mut edges: Vec<(u32, u32, u32)> = Vec::with_capacity(cmdb.relation_count());
        for r in cmdb.relations() {
            let Some((d, p)) = r.dependency() else {
                continue;
            };
            if let (Some(&a), Some(&b)) = (dense.get(&d), dense.get(&p)) {
                if a != b {
                    edges.push((a, b, NO_GROUP));
                }
            }
        }
        // Forward rows sorted by target and made unique.
        let (start, mut fwd) = bucket(&edges, n);
        drop(edges);
        let mut kept = 0;
        let mut row_start = vec![0usize; n + 1];
        for v in 0..n {
            fwd[start[v]..start[v + 1]].sort_unstable();
            row_start[v] = kept;
            let mut last = NONE;
            for i in start[v]..start[v + 1] {
                let e = fwd[i];
                if e.1 != last {
                    last = e.1;
                    fwd[kept] = e;
                    kept += 1;
                }
            }
        }
        row_start[n] = kept;
        fwd.truncate(kept);
        // Group slots on the member edges of each group's dependent.
        let mut min_up = Vec::new();
        for g in cmdb.groups() {
            let slot = u32::try_from(min_up.len()).unwrap_or(NO_GROUP - 1);
            min_up.push(u32::try_from(g.min_up).unwrap_or(u32::MAX));
            let Some(&d) = dense.get(&g.dependent) else {
                continue;
            };
            let row = &mut fwd[row_start[d as usize]..row_start[d as usize + 1]];
            for m in &g.members {
                if let Some(&m) = dense.get(m) {
                    if let Ok(i) = row.binary_search_by_key(&m, |e| e.1) {
                        row[i].2 = slot;
                    }
                }
            }
        }
        // Reverse rows: bucketing the forward edges by target keeps each row sorted.
        let flipped: Vec<(u32, u32, u32)> = fwd.iter().map(|&(a, b, g)| (b, a, g)).collect();
        let (_, rev) = bucket(&flipped, n);
        drop(flipped);
        Self {
            cis,
            dense,
            fwd: csr(&fwd, n),
            rev: csr(&rev, n),
            min_up,
        }
    }

    /// Number of CIs.
    pub(crate) fn len(&self) -> usize {
        self.cis.len()
    }

    /// The dense number of a CI.
    pub(crate) fn dense(&self, id: Id<Ci>) -> Option<u32> {
        self.dense.get(&id).copied()
    }

    /// The CI with this dense number.
    pub(crate) fn ci(&self, v: u32) -> Option<&'c Ci> {
        self.cis.get(v as usize).copied()
    }

    /// Its id (the nil id for a number out of range, which callers never pass).
    pub(crate) fn id(&self, v: u32) -> Id<Ci> {
        self.ci(v).map_or(Id::from_u128(0), |c| c.id)
    }

    /// Its key.
    pub(crate) fn key(&self, v: u32) -> &'c str {
        self.ci(v).map_or("", |c| c.key.as_str())
    }

    /// True when it is a service.
    pub(crate) fn is_service(&self, v: u32) -> bool {
        self.ci(v).is_some_and(|c| c.kind.is_service())
    }

    /// What `v` needs directly, with group slots.
    pub(crate) fn dependencies(&self, v: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.fwd
            .neighbors_slice(v)
            .iter()
            .copied()
            .zip(self.fwd.edges_slice(v).iter().copied())
    }

    /// What needs `v` directly, with group slots.
    pub(crate) fn dependents(&self, v: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.rev
            .neighbors_slice(v)
            .iter()
            .copied()
            .zip(self.rev.edges_slice(v).iter().copied())
    }

    /// How many members of group `slot` must be up.
    pub(crate) fn min_up(&self, slot: u32) -> u32 {
        self.min_up.get(slot as usize).copied().unwrap_or(1)
    }

    /// Number of group slots.
    pub(crate) fn group_count(&self) -> usize {
        self.min_up.len()
    }
}
