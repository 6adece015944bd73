//! From a structure and a service to the plan both methods run: the service's closure, its
//! strongly connected components as units, the dominator tree of the units, and which shared
//! units are conditioned on and where their values are summed out (see the module docs of
//! `predict`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use petgraph::Graph;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::NodeIndex;

use super::PredictError;
use super::model::{NO_GROUP, Structure};

/// A multiplicative hash for dense numbers (the std hasher is built to resist attacks, which
/// dense numbers of our own do not need).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct NumHasher(u64);

impl Hasher for NumHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A map keyed by dense numbers.
pub(crate) type NumMap<K, V> = HashMap<K, V, BuildHasherDefault<NumHasher>>;

/// A k-of-n requirement over input signals, each with the number of members it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupIn {
    pub(crate) members: Vec<(u32, u32)>,
    pub(crate) min_up: u32,
}

/// An input of a block member: another member of the block, or a signal from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockIn {
    Member(u32),
    Signal(u32),
}

/// One member of a block, with its own rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BlockMember {
    /// The component (local number).
    pub(crate) comp: u32,
    pub(crate) plain: Vec<BlockIn>,
    pub(crate) groups: Vec<(Vec<BlockIn>, u32)>,
}

/// A unit of the condensed graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unit {
    /// Local components; empty for the top unit.
    pub(crate) members: Vec<u32>,
    /// The members that can fail (availability below 1).
    pub(crate) random: Vec<u32>,
    /// First signal; a block has one signal per member, other units one.
    pub(crate) sig0: u32,
    /// Plain input signals, sorted (units other than blocks).
    pub(crate) plain: Vec<u32>,
    /// Groups over input signals (units other than blocks).
    pub(crate) groups: Vec<GroupIn>,
    /// A strongly connected component with a grouped need inside it: its members are
    /// evaluated by the fixpoint itself.
    pub(crate) block: Option<Vec<BlockMember>>,
}

impl Unit {
    pub(crate) fn signals(&self) -> u32 {
        self.block
            .as_ref()
            .map_or(1, |b| u32::try_from(b.len()).unwrap_or(u32::MAX))
    }

    /// Every input signal, with repeats.
    fn inputs(&self) -> Vec<u32> {
        let mut out = self.plain.clone();
        for g in &self.groups {
            out.extend(g.members.iter().map(|(s, _)| *s));
        }
        for m in self.block.iter().flatten() {
            let ext = |i: &BlockIn| match i {
                BlockIn::Signal(s) => Some(*s),
                BlockIn::Member(_) => None,
            };
            out.extend(m.plain.iter().filter_map(ext));
            for (g, _) in &m.groups {
                out.extend(g.iter().filter_map(ext));
            }
        }
        out
    }
}

/// What a conditioned variable stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VarKind {
    /// The up state of a shared unit.
    Cut(u32),
    /// The own state of a block member that can fail.
    Atom(u32),
}

/// A conditioned variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Var {
    pub(crate) kind: VarKind,
    /// Its failure alone brings the service down (a chain of needs outside groups reaches it):
    /// only its "up" value is ever summed over.
    pub(crate) series: bool,
    /// The unit where it is summed out.
    pub(crate) home: u32,
}

/// The plan of a prediction.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Local component -> component number in the structure; 0 is the service.
    pub(crate) comps: Vec<u32>,
    /// Availability by local component.
    pub(crate) prob: Vec<f64>,
    /// Units, dependencies first; the last is the top, whose only input is the service.
    pub(crate) units: Vec<Unit>,
    /// Signal -> unit.
    pub(crate) sig_unit: Vec<u32>,
    /// The service's signal.
    pub(crate) service_sig: u32,
    /// Per unit: its output is still random once the conditioned variables are fixed.
    pub(crate) rand: Vec<bool>,
    /// Per unit: the variable it is conditioned as, when it is a shared unit.
    pub(crate) cut: Vec<Option<u32>>,
    /// Per unit: the conditioned variables its value depends on (sorted), while exact.
    pub(crate) dims: Vec<Vec<u32>>,
    /// Per unit: the variables summed out there.
    pub(crate) summed: Vec<Vec<u32>>,
    pub(crate) vars: Vec<Var>,
    /// Variables summed over both values: the shared components after series and parallel
    /// reduction.
    pub(crate) shared: usize,
    /// False once a unit's table would pass the limits: the exact method is out.
    pub(crate) exact: bool,
}

fn internal(reason: &str) -> PredictError {
    PredictError::Internal {
        reason: reason.to_owned(),
    }
}

fn slice<T>(v: &[Vec<T>], i: usize) -> &[T] {
    v.get(i).map_or(&[], Vec::as_slice)
}

impl Plan {
    /// The plan for `service` (a dense number of `structure`).
    #[expect(
        clippy::too_many_lines,
        reason = "one pass per stage, in order; each stage is commented"
    )]
    pub(crate) fn new(
        structure: &Structure,
        service: u32,
        exact_limit: usize,
        cell_limit: usize,
    ) -> Result<Self, PredictError> {
        // 1. The closure, service first, as local numbers with needs in one array.
        let mut local: NumMap<u32, u32> = NumMap::default();
        let mut comps = vec![service];
        local.insert(service, 0);
        let mut offsets: Vec<usize> = vec![0];
        let mut edges: Vec<(u32, u32)> = Vec::new();
        let mut head = 0;
        while let Some(&c) = comps.get(head) {
            head += 1;
            for &(d, g) in slice(&structure.deps, c as usize) {
                let next = u32::try_from(comps.len()).unwrap_or(u32::MAX);
                let l = *local.entry(d).or_insert_with(|| {
                    comps.push(d);
                    next
                });
                edges.push((l, g));
            }
            offsets.push(edges.len());
        }
        drop(local);
        let n = comps.len();
        let deps = |c: u32| -> &[(u32, u32)] {
            let (a, b) = (
                offsets.get(c as usize).copied().unwrap_or(0),
                offsets.get(c as usize + 1).copied().unwrap_or(0),
            );
            edges.get(a..b).unwrap_or(&[])
        };
        let prob: Vec<f64> = comps
            .iter()
            .map(|c| structure.prob.get(*c as usize).copied().unwrap_or(1.0))
            .collect();
        let min_up = |slot: u32| structure.groups.get(slot as usize).map_or(1, |g| g.min_up);

        // 2. Components a chain of needs outside groups reaches from the service.
        let mut series_comp = vec![false; n];
        if let Some(s) = series_comp.first_mut() {
            *s = true;
        }
        let mut stack = vec![0u32];
        while let Some(v) = stack.pop() {
            for &(w, g) in deps(v) {
                if g == NO_GROUP {
                    if let Some(s) = series_comp.get_mut(w as usize) {
                        if !*s {
                            *s = true;
                            stack.push(w);
                        }
                    }
                }
            }
        }

        // 3. Strongly connected components, dependencies first.
        let mut graph: Graph<(), (), petgraph::Directed, u32> =
            Graph::with_capacity(n, edges.len());
        for _ in 0..n {
            graph.add_node(());
        }
        for v in 0..u32::try_from(n).unwrap_or(u32::MAX) {
            for &(w, _) in deps(v) {
                graph.add_edge(NodeIndex::new(v as usize), NodeIndex::new(w as usize), ());
            }
        }
        let sccs = kosaraju_scc(&graph);
        drop(graph);
        let mut comp_unit = vec![u32::MAX; n];
        let mut comp_pos = vec![0u32; n];
        for (scc, u) in sccs.iter().zip(0u32..) {
            for (c, pos) in scc.iter().zip(0u32..) {
                if let (Some(cu), Some(cp)) =
                    (comp_unit.get_mut(c.index()), comp_pos.get_mut(c.index()))
                {
                    *cu = u;
                    *cp = pos;
                }
            }
        }
        let unit_of = |c: u32| comp_unit.get(c as usize).copied().unwrap_or(u32::MAX);
        let is_block: Vec<bool> = sccs
            .iter()
            .zip(0u32..)
            .map(|(scc, u)| {
                scc.len() > 1
                    && scc.iter().any(|c| {
                        u32::try_from(c.index()).is_ok_and(|c| {
                            deps(c)
                                .iter()
                                .any(|&(w, g)| g != NO_GROUP && unit_of(w) == u)
                        })
                    })
            })
            .collect();
        let mut sig0 = Vec::with_capacity(sccs.len() + 1);
        let mut sig_unit: Vec<u32> = Vec::with_capacity(n + 1);
        for (scc, u) in sccs.iter().zip(0u32..) {
            sig0.push(u32::try_from(sig_unit.len()).unwrap_or(u32::MAX));
            let count = if is_block.get(u as usize).copied().unwrap_or(false) {
                scc.len()
            } else {
                1
            };
            sig_unit.extend(std::iter::repeat_n(u, count));
        }
        let sig_of = |c: u32| -> u32 {
            let u = unit_of(c);
            let base = sig0.get(u as usize).copied().unwrap_or(u32::MAX);
            if is_block.get(u as usize).copied().unwrap_or(false) {
                base + comp_pos.get(c as usize).copied().unwrap_or(0)
            } else {
                base
            }
        };

        // 4. Units and their inputs.
        let mut units: Vec<Unit> = Vec::with_capacity(sccs.len() + 1);
        let mut grouped: Vec<(u32, u32)> = Vec::new();
        for (scc, u) in sccs.iter().zip(0u32..) {
            let members: Vec<u32> = scc
                .iter()
                .filter_map(|c| u32::try_from(c.index()).ok())
                .collect();
            let random: Vec<u32> = members
                .iter()
                .copied()
                .filter(|c| prob.get(*c as usize).is_some_and(|p| *p < 1.0))
                .collect();
            let sig = sig0.get(u as usize).copied().unwrap_or(u32::MAX);
            if is_block.get(u as usize).copied().unwrap_or(false) {
                let input = |w: u32| {
                    if unit_of(w) == u {
                        BlockIn::Member(comp_pos.get(w as usize).copied().unwrap_or(0))
                    } else {
                        BlockIn::Signal(sig_of(w))
                    }
                };
                let block = members
                    .iter()
                    .map(|&c| {
                        let mut plain = Vec::new();
                        let mut by_slot: Vec<(u32, BlockIn)> = Vec::new();
                        for &(w, g) in deps(c) {
                            if g == NO_GROUP {
                                plain.push(input(w));
                            } else {
                                by_slot.push((g, input(w)));
                            }
                        }
                        by_slot.sort_by_key(|(g, _)| *g);
                        let mut groups: Vec<(Vec<BlockIn>, u32)> = Vec::new();
                        for chunk in by_slot.chunk_by(|a, b| a.0 == b.0) {
                            let slot = chunk.first().map_or(0, |x| x.0);
                            groups.push((chunk.iter().map(|x| x.1).collect(), min_up(slot)));
                        }
                        BlockMember {
                            comp: c,
                            plain,
                            groups,
                        }
                    })
                    .collect();
                units.push(Unit {
                    members,
                    random,
                    sig0: sig,
                    plain: Vec::new(),
                    groups: Vec::new(),
                    block: Some(block),
                });
                continue;
            }
            let mut plain: Vec<u32> = Vec::new();
            grouped.clear();
            for &c in &members {
                for &(w, g) in deps(c) {
                    if unit_of(w) == u {
                        continue;
                    }
                    if g == NO_GROUP {
                        plain.push(sig_of(w));
                    } else {
                        grouped.push((g, sig_of(w)));
                    }
                }
            }
            plain.sort_unstable();
            plain.dedup();
            let mut groups = Vec::new();
            grouped.sort_unstable();
            for chunk in grouped.chunk_by(|a, b| a.0 == b.0) {
                let slot = chunk.first().map_or(0, |x| x.0);
                // A member also needed outside the group: the dependent is down without it, and
                // with it up the group needs one member less.
                let mut need = i64::from(min_up(slot));
                let mut members: Vec<(u32, u32)> = Vec::new();
                for &(_, s) in chunk {
                    if plain.binary_search(&s).is_ok() {
                        need -= 1;
                        continue;
                    }
                    match members.last_mut() {
                        Some((last, w)) if *last == s => *w += 1,
                        _ => members.push((s, 1)),
                    }
                }
                if need > 0 {
                    groups.push(GroupIn {
                        members,
                        min_up: u32::try_from(need).unwrap_or(u32::MAX),
                    });
                }
            }
            units.push(Unit {
                members,
                random,
                sig0: sig,
                plain,
                groups,
                block: None,
            });
        }
        let top = u32::try_from(units.len()).unwrap_or(u32::MAX);
        let service_sig = sig_of(0);
        units.push(Unit {
            members: Vec::new(),
            random: Vec::new(),
            sig0: u32::try_from(sig_unit.len()).unwrap_or(u32::MAX),
            plain: vec![service_sig],
            groups: Vec::new(),
            block: None,
        });
        sig_unit.push(top);
        let unit_of_sig = |s: u32| sig_unit.get(s as usize).copied().unwrap_or(u32::MAX);

        // 5. Producers, consumers and the dominator tree. Units are in dependency order, so
        // walking them from the top down meets every consumer of a unit before the unit: one
        // pass of Cooper, Harvey and Kennedy's intersection gives the immediate dominators.
        let m = units.len();
        let inputs: Vec<Vec<u32>> = units
            .iter()
            .map(|unit| unit.inputs().into_iter().map(unit_of_sig).collect())
            .collect();
        let mut consumers: Vec<Vec<u32>> = vec![Vec::new(); m];
        let mut producers: Vec<Vec<u32>> = Vec::with_capacity(m);
        for (list, u) in inputs.iter().zip(0u32..) {
            let mut p = list.clone();
            p.sort_unstable();
            p.dedup();
            for &t in &p {
                if t >= u {
                    return Err(internal("units are not in dependency order"));
                }
                if let Some(c) = consumers.get_mut(t as usize) {
                    c.push(u);
                }
            }
            producers.push(p);
        }
        let mut idom = vec![top; m];
        let mut depth = vec![0u32; m];
        for u in (0..top).rev() {
            let mut d: Option<u32> = None;
            for &c in slice(&consumers, u as usize) {
                d = Some(match d {
                    None => c,
                    Some(mut a) => {
                        let mut b = c;
                        while a != b {
                            let (da, db) = (
                                depth.get(a as usize).copied().unwrap_or(0),
                                depth.get(b as usize).copied().unwrap_or(0),
                            );
                            if da >= db {
                                a = idom.get(a as usize).copied().unwrap_or(top);
                            }
                            if db >= da {
                                b = idom.get(b as usize).copied().unwrap_or(top);
                            }
                        }
                        a
                    }
                });
            }
            // A unit nothing consumes any more (a group member whose group a need outside the
            // group made moot) counts for nothing; the top stands in as its dominator.
            let d = d.unwrap_or(top);
            if let Some(x) = idom.get_mut(u as usize) {
                *x = d;
            }
            let dd = depth.get(d as usize).copied().unwrap_or(0);
            if let Some(x) = depth.get_mut(u as usize) {
                *x = dd + 1;
            }
        }
        let block_unit = |u: u32| units.get(u as usize).is_some_and(|x| x.block.is_some());
        // The lowest strict dominator of `u` that is not a block: where its variables are summed.
        let home = |u: u32| {
            let mut d = idom.get(u as usize).copied().unwrap_or(top);
            while block_unit(d) && d != top {
                d = idom.get(d as usize).copied().unwrap_or(top);
            }
            d
        };
        let series_unit = |u: u32| {
            units.get(u as usize).is_some_and(|x| {
                x.members
                    .iter()
                    .any(|c| series_comp.get(*c as usize).copied().unwrap_or(false))
            })
        };

        // 6. Which units are conditioned on, and what each unit's value depends on.
        let mut rand = vec![false; m];
        let mut cut: Vec<Option<u32>> = vec![None; m];
        let mut dims: Vec<Vec<u32>> = vec![Vec::new(); m];
        let mut homes: Vec<Vec<u32>> = vec![Vec::new(); m];
        let mut vars: Vec<Var> = Vec::new();
        let mut exact = true;
        let mut cells = 0usize;
        let loose = |t: u32, rand: &[bool], cut: &[Option<u32>]| {
            rand.get(t as usize) == Some(&true) && cut.get(t as usize) == Some(&None)
        };
        for (unit, u) in units.iter().zip(0u32..) {
            let first_var = vars.len();
            let mut new_vars: Vec<Var> = Vec::new();
            if unit.block.is_some() {
                // A block's fixpoint is worked out on fixed values only: its random inputs and
                // its members' own states are conditioned on.
                for &t in slice(&producers, u as usize) {
                    if loose(t, &rand, &cut) {
                        new_vars.push(Var {
                            kind: VarKind::Cut(t),
                            series: series_unit(t),
                            home: home(t),
                        });
                    }
                }
                for &c in &unit.random {
                    new_vars.push(Var {
                        kind: VarKind::Atom(c),
                        series: series_comp.get(c as usize).copied().unwrap_or(false),
                        home: home(u),
                    });
                }
            } else if unit.groups.len() > 1 {
                // A unit counted in two of this unit's groups: the groups are not independent.
                let mut seen: Vec<u32> = Vec::new();
                for g in &unit.groups {
                    let mut in_group: Vec<u32> =
                        g.members.iter().map(|(s, _)| unit_of_sig(*s)).collect();
                    in_group.sort_unstable();
                    in_group.dedup();
                    seen.extend(in_group);
                }
                seen.sort_unstable();
                for pair in seen.chunk_by(|a, b| a == b) {
                    let t = pair.first().copied().unwrap_or(u32::MAX);
                    if pair.len() > 1 && loose(t, &rand, &cut) {
                        new_vars.push(Var {
                            kind: VarKind::Cut(t),
                            series: series_unit(t),
                            home: home(t),
                        });
                    }
                }
            }
            for var in new_vars {
                let id = u32::try_from(vars.len()).unwrap_or(u32::MAX);
                if let VarKind::Cut(t) = var.kind {
                    if let Some(c) = cut.get_mut(t as usize) {
                        *c = Some(id);
                    }
                }
                if let Some(h) = homes.get_mut(var.home as usize) {
                    h.push(id);
                }
                vars.push(var);
            }
            let ins = slice(&inputs, u as usize);
            let summed = slice(&homes, u as usize);
            let is_rand = unit.block.is_none()
                && (!unit.random.is_empty()
                    || !summed.is_empty()
                    || ins.iter().any(|t| loose(*t, &rand, &cut)));
            if let Some(r) = rand.get_mut(u as usize) {
                *r = is_rand;
            }
            if is_rand && slice(&consumers, u as usize).len() >= 2 {
                let id = u32::try_from(vars.len()).unwrap_or(u32::MAX);
                let var = Var {
                    kind: VarKind::Cut(u),
                    series: series_unit(u),
                    home: home(u),
                };
                if let Some(h) = homes.get_mut(var.home as usize) {
                    h.push(id);
                }
                vars.push(var);
                if let Some(c) = cut.get_mut(u as usize) {
                    *c = Some(id);
                }
            }
            if !exact {
                continue;
            }
            // The variables this unit's value depends on.
            let series = |v: u32| vars.get(v as usize).is_some_and(|x| x.series);
            let mut d: Vec<u32> = Vec::new();
            for &t in ins {
                match cut.get(t as usize).copied().flatten() {
                    Some(v) => {
                        if !series(v) {
                            d.push(v);
                        }
                    }
                    None => d.extend_from_slice(slice(&dims, t as usize)),
                }
            }
            let summed = slice(&homes, u as usize);
            for &v in summed {
                if let Some(VarKind::Cut(t)) = vars.get(v as usize).map(|x| x.kind) {
                    d.extend_from_slice(slice(&dims, t as usize));
                }
            }
            if unit.block.is_some() {
                for (v, var) in (0u32..).zip(&vars).skip(first_var) {
                    if matches!(var.kind, VarKind::Atom(_)) && !var.series {
                        d.push(v);
                    }
                }
            }
            d.sort_unstable();
            d.dedup();
            d.retain(|v| summed.binary_search(v).is_err());
            let per_signal = u32::try_from(d.len())
                .ok()
                .and_then(|x| 1usize.checked_shl(x))
                .unwrap_or(usize::MAX);
            cells = cells.saturating_add(
                usize::try_from(unit.signals())
                    .unwrap_or(usize::MAX)
                    .saturating_mul(per_signal),
            );
            if d.len() > exact_limit || cells > cell_limit {
                exact = false;
            }
            if let Some(slot) = dims.get_mut(u as usize) {
                *slot = d;
            }
        }
        if exact && dims.last().is_some_and(|d| !d.is_empty()) {
            return Err(internal("the top depends on a variable nothing sums out"));
        }
        let shared = vars.iter().filter(|v| !v.series).count();
        Ok(Self {
            comps,
            prob,
            units,
            sig_unit,
            service_sig,
            rand,
            cut,
            dims,
            summed: homes,
            vars,
            shared,
            exact,
        })
    }
}
