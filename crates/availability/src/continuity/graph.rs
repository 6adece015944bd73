//! The configuration graph as dense "needs" rows, read once through the CMDB's public API.
//!
//! Flow-down and recovery planning walk the dependency edges many times in both directions, so
//! they read the CMDB once into two petgraph `Csr`s over dense node numbers (dependent ->
//! dependency and back), each edge weighted with the redundancy group it belongs to (or
//! [`NO_GROUP`]), as the CMDB's own read index does: the whole CMDB in its CI order
//! ([`Net::build`]), or only some CIs in the order given ([`Net::build_over`]). A failure
//! travels along an edge exactly as [`itsm_cmdb::Relation::dependency`] says; two relations
//! between one pair make one edge. Built in linear time with counting sorts.

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

/// One slot of an [`IdIndex`]: an id and its dense number plus one (0: empty). 32 bytes, so
/// two share a cache line and a lookup usually costs one miss.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    id: u128,
    dense_plus_one: u32,
}

/// Id -> dense number, open addressing with linear probing at most half full.
///
/// The graph is read through ids (the CMDB's public API), so building it costs one lookup per
/// relation end; on a million CIs the table does not fit in cache, and a general hash map's
/// two misses per lookup (control bytes, then the entry) dominate. This table has one.
#[derive(Debug, Clone)]
struct IdIndex {
    slots: Vec<Slot>,
    mask: usize,
}

impl IdIndex {
    fn with_capacity(n: usize) -> Self {
        let size = (2 * n.max(1)).next_power_of_two();
        Self {
            slots: vec![Slot::default(); size],
            mask: size - 1,
        }
    }

    fn home(&self, id: u128) -> usize {
        // Both halves mixed: synthetic ids differ only in their low bits, v5 ids everywhere.
        #[expect(
            clippy::cast_possible_truncation,
            reason = "the halves of the id, on purpose"
        )]
        let x = (id as u64) ^ ((id >> 64) as u64).rotate_left(29);
        let h = x.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "a hash, masked to the table size"
        )]
        let h = (h ^ (h >> 29)) as usize;
        h & self.mask
    }

    /// Records `id` -> `dense`; a second insert of one id keeps the first.
    fn insert(&mut self, id: Id<Ci>, dense: u32) {
        let id = id.as_uuid().as_u128();
        let mut i = self.home(id);
        loop {
            let Some(slot) = self.slots.get_mut(i) else {
                return;
            };
            if slot.dense_plus_one == 0 {
                *slot = Slot {
                    id,
                    dense_plus_one: dense.saturating_add(1),
                };
                return;
            }
            if slot.id == id {
                return;
            }
            i = (i + 1) & self.mask;
        }
    }

    fn get(&self, id: Id<Ci>) -> Option<u32> {
        let id = id.as_uuid().as_u128();
        let mut i = self.home(id);
        loop {
            let slot = self.slots.get(i)?;
            if slot.dense_plus_one == 0 {
                return None;
            }
            if slot.id == id {
                return Some(slot.dense_plus_one - 1);
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// Dense dependency rows of a CMDB; see the module docs.
#[derive(Debug)]
pub(crate) struct Net<'c> {
    cis: Vec<&'c Ci>,
    /// Per CI, kept apart from the records so hot loops read small arrays: its id, whether
    /// it is a service, and its key's first 16 bytes ([`prefix`]).
    ids: Vec<Id<Ci>>,
    service: Vec<bool>,
    prefix: Vec<u128>,
    dense: IdIndex,
    fwd: DepCsr,
    rev: DepCsr,
    /// Per group slot: (members, `min_up`).
    groups: Vec<(u32, u32)>,
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

/// The first 16 bytes of a key, big-endian, zero-padded: keys hold no NUL, so two keys compare
/// as their prefixes do whenever the prefixes differ.
pub(crate) fn prefix(key: &str) -> u128 {
    let mut b = [0u8; 16];
    for (x, y) in b.iter_mut().zip(key.bytes()) {
        *x = y;
    }
    u128::from_be_bytes(b)
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
    /// Reads the whole of `cmdb`: O(V + E), one id lookup per relation.
    pub(crate) fn build(cmdb: &'c Cmdb) -> Self {
        let (mut net, n) = Self::nodes(cmdb, cmdb.cis(), cmdb.len());
        let mut edges: Vec<(u32, u32, u32)> = Vec::with_capacity(cmdb.relation_count());
        // Relations come grouped by source: the source's lookup is kept.
        let mut last: Option<(Id<Ci>, Option<u32>)> = None;
        for r in cmdb.relations() {
            let Some((d, p)) = r.dependency() else {
                continue;
            };
            let a = match last {
                Some((id, a)) if id == d => a,
                _ => {
                    let a = net.dense.get(d);
                    last = Some((d, a));
                    a
                }
            };
            if let (Some(a), Some(b)) = (a, net.dense.get(p)) {
                if a != b {
                    edges.push((a, b, NO_GROUP));
                }
            }
        }
        net.edges(cmdb, &edges, n);
        net
    }

    /// Reads the part of `cmdb` made of `cis` (ids the CMDB holds; others are skipped) and
    /// the "needs" edges between them, through the CMDB's own read index: O(the CIs given and
    /// their relations), plus one pass over the redundancy groups.
    pub(crate) fn build_over(cmdb: &'c Cmdb, cis: &[Id<Ci>]) -> Self {
        let (mut net, n) = Self::nodes(cmdb, cis.iter().filter_map(|id| cmdb.ci(*id)), cis.len());
        let mut edges: Vec<(u32, u32, u32)> = Vec::new();
        for a in 0..u32::try_from(n).unwrap_or(NONE) {
            for d in cmdb.direct_dependencies(net.id(a)).unwrap_or_default() {
                if let Some(b) = net.dense.get(d) {
                    if a != b {
                        edges.push((a, b, NO_GROUP));
                    }
                }
            }
        }
        net.edges(cmdb, &edges, n);
        net
    }

    /// The nodes, numbered in the order given, with an empty edge set.
    fn nodes(cmdb: &Cmdb, cis: impl Iterator<Item = &'c Ci>, hint: usize) -> (Self, usize) {
        let mut net = Self {
            cis: Vec::with_capacity(hint),
            ids: Vec::with_capacity(hint),
            service: Vec::with_capacity(hint),
            prefix: Vec::with_capacity(hint),
            dense: IdIndex::with_capacity(hint),
            fwd: DepCsr::default(),
            rev: DepCsr::default(),
            groups: Vec::with_capacity(cmdb.groups().size_hint().0),
        };
        for (v, ci) in (0u32..).zip(cis) {
            net.cis.push(ci);
            net.ids.push(ci.id);
            net.service.push(ci.kind.is_service());
            net.prefix.push(prefix(&ci.key));
            net.dense.insert(ci.id, v);
        }
        let n = net.cis.len();
        (net, n)
    }

    /// Sets the edges (dependent, dependency, NO_GROUP) among the `n` nodes: rows sorted and
    /// made unique, group slots on the member edges, the reverse rows. O(n + E + groups).
    #[expect(
        clippy::indexing_slicing,
        reason = "row bounds come from the counting sort over the same edges"
    )]
    fn edges(&mut self, cmdb: &Cmdb, edges: &[(u32, u32, u32)], n: usize) {
        let (start, mut fwd) = bucket(edges, n);
        let mut kept = 0;
        let mut row_start = vec![0usize; n + 1];
        for v in 0..n {
            fwd[start[v]..start[v + 1]].sort_unstable();
            row_start[v] = kept;
            let mut prev = NONE;
            for i in start[v]..start[v + 1] {
                let e = fwd[i];
                if e.1 != prev {
                    prev = e.1;
                    fwd[kept] = e;
                    kept += 1;
                }
            }
        }
        row_start[n] = kept;
        fwd.truncate(kept);
        // Group slots on the member edges of each group's dependent. A group's member count
        // includes members outside the nodes read: those are never down.
        for g in cmdb.groups() {
            let Some(d) = self.dense.get(g.dependent) else {
                continue;
            };
            let slot = u32::try_from(self.groups.len()).unwrap_or(NO_GROUP - 1);
            self.groups.push((
                u32::try_from(g.members.len()).unwrap_or(u32::MAX),
                u32::try_from(g.min_up).unwrap_or(u32::MAX),
            ));
            let row = &mut fwd[row_start[d as usize]..row_start[d as usize + 1]];
            for m in &g.members {
                if let Some(m) = self.dense.get(*m) {
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
        self.fwd = csr(&fwd, n);
        self.rev = csr(&rev, n);
    }

    /// Number of CIs.
    pub(crate) fn len(&self) -> usize {
        self.cis.len()
    }

    /// The dense number of a CI.
    pub(crate) fn dense(&self, id: Id<Ci>) -> Option<u32> {
        self.dense.get(id)
    }

    /// The CI with this dense number.
    pub(crate) fn ci(&self, v: u32) -> Option<&'c Ci> {
        self.cis.get(v as usize).copied()
    }

    /// Its id (the nil id for a number out of range, which callers never pass).
    pub(crate) fn id(&self, v: u32) -> Id<Ci> {
        self.ids
            .get(v as usize)
            .copied()
            .unwrap_or(Id::from_u128(0))
    }

    /// The first 16 bytes of its key ([`prefix`]).
    pub(crate) fn prefix(&self, v: u32) -> u128 {
        self.prefix.get(v as usize).copied().unwrap_or(0)
    }

    /// Its key.
    pub(crate) fn key(&self, v: u32) -> &'c str {
        self.ci(v).map_or("", |c| c.key.as_str())
    }

    /// True when it is a service.
    pub(crate) fn is_service(&self, v: u32) -> bool {
        self.service.get(v as usize).copied().unwrap_or(false)
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

    /// How many members group `slot` has.
    pub(crate) fn members(&self, slot: u32) -> u32 {
        self.groups.get(slot as usize).map_or(0, |g| g.0)
    }

    /// How many members of group `slot` must be up.
    pub(crate) fn min_up(&self, slot: u32) -> u32 {
        self.groups.get(slot as usize).map_or(1, |g| g.1)
    }

    /// Number of group slots.
    pub(crate) fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// The CIs down when `failed` fail, failed ones first, then in order of discovery: the
    /// least fixpoint of the impact rules of [`itsm_cmdb::Cmdb::impact_of`] (a dependent goes
    /// down when a dependency outside any group is down, or when fewer than `min_up` members
    /// of one of its groups are up), computed here on the same edges so that the CIs need no
    /// translation back from ids.
    pub(crate) fn down(&self, failed: &[u32]) -> Vec<u32> {
        let mut down = vec![false; self.len()];
        let mut lost: Vec<u32> = Vec::new();
        let mut out: Vec<u32> = Vec::new();
        for &v in failed {
            if let Some(d) = down.get_mut(v as usize) {
                if !*d {
                    *d = true;
                    out.push(v);
                }
            }
        }
        let mut head = 0;
        while let Some(&v) = out.get(head) {
            head += 1;
            for (u, slot) in self.dependents(v) {
                let Some(du) = down.get_mut(u as usize) else {
                    continue;
                };
                if *du {
                    continue;
                }
                let goes_down = slot == NO_GROUP || {
                    if lost.is_empty() {
                        lost = vec![0; self.groups.len()];
                    }
                    match (lost.get_mut(slot as usize), self.groups.get(slot as usize)) {
                        (Some(l), Some(&(members, min_up))) => {
                            *l += 1;
                            members.saturating_sub(*l) < min_up
                        }
                        _ => false,
                    }
                };
                if goes_down {
                    *du = true;
                    out.push(u);
                }
            }
        }
        out
    }
}
