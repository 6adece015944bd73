//! The exact method. Each unit's value is a table over the conditioned variables it depends on
//! (its `dims`). A unit multiplies its factors (own availabilities, its inputs, its groups, the
//! probabilities of the variables summed out there) and sums those variables out by variable
//! elimination, smallest resulting table first; the schedule is fixed from the factors' scopes
//! before any number is computed, so its cost is known up front. A reverse (adjoint) pass over
//! the same schedule gives the derivative of the availability with respect to every component's
//! availability: its Birnbaum importance.

use super::PredictError;
use super::plan::{BlockIn, Plan, VarKind};

use std::ops::Range;

/// A group member as the group's factor reads it.
#[derive(Debug, Clone)]
enum Read {
    /// Always up (a series variable, fixed to "up").
    One,
    /// A conditioned variable, by its position in the group's scope.
    Var(u8),
    /// A factor, with the positions of its scope in the group's scope.
    Factor { id: usize, map: Vec<u8> },
}

/// A factor computed from the unit's rules.
#[derive(Debug, Clone)]
enum Leaf {
    /// A member's availability.
    Param { comp: u32 },
    /// A block member's own state, summed out here: `1 - p`, `p`.
    ParamBit { comp: u32 },
    /// A need of a conditioned unit: 0 when it is down, 1 when up.
    Indicator,
    /// A k-of-n group.
    Group {
        members: Vec<(Read, u32)>,
        min_up: u32,
    },
    /// `1 - T`, `T` of the factor `of` by the variable at position `at` of the scope: the
    /// probability of either value of a variable summed out here.
    WeightBit { of: usize, at: u8 },
}

#[derive(Debug, Clone)]
struct LeafEntry {
    leaf: Leaf,
    factor: usize,
}

/// A factor read by an op, with the positions of its scope in the op's domain.
#[derive(Debug, Clone)]
struct Input {
    factor: usize,
    map: Range<usize>,
}

/// Multiply the inputs over the domain, summing out the domain's variables outside the output.
#[derive(Debug, Clone)]
struct Op {
    out: usize,
    inputs: Range<usize>,
    domain: usize,
    out_map: Range<usize>,
}

/// The leaves and ops of one unit (empty for blocks, which are worked out by their fixpoint).
#[derive(Debug, Clone, Default)]
struct Steps {
    leaves: Range<usize>,
    ops: Range<usize>,
}

/// How a unit reads a signal.
enum Source {
    One,
    Var(u32),
    Factor(usize, Vec<u32>),
}

/// What the exact method will do, and its size: every table is a factor in one arena.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    /// Offset and length of each factor in the arena.
    factors: Vec<(usize, usize)>,
    leaves: Vec<LeafEntry>,
    ops: Vec<Op>,
    inputs: Vec<Input>,
    maps: Vec<u8>,
    steps: Vec<Steps>,
    /// Signal -> the factor holding its table.
    sig_factor: Vec<usize>,
    arena: usize,
    /// The most variables of one table built.
    pub(crate) width: usize,
}

fn missing(what: &str) -> PredictError {
    PredictError::Internal {
        reason: format!("{what} is not in scope"),
    }
}

fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = a.iter().chain(b).copied().collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn position(v: u32, domain: &[u32]) -> Result<u8, PredictError> {
    domain
        .binary_search(&v)
        .ok()
        .and_then(|p| u8::try_from(p).ok())
        .ok_or_else(|| missing("a variable"))
}

fn positions(scope: &[u32], domain: &[u32]) -> Result<Vec<u8>, PredictError> {
    scope.iter().map(|v| position(*v, domain)).collect()
}

fn gather(cell: usize, map: &[u8]) -> usize {
    map.iter()
        .enumerate()
        .fold(0, |acc, (j, &b)| acc | (((cell >> b) & 1) << j))
}

fn cells(vars: usize) -> usize {
    u32::try_from(vars)
        .ok()
        .and_then(|v| 1usize.checked_shl(v))
        .unwrap_or(usize::MAX)
}

/// The cell of a table without the variable at `at`, for a cell of the table with it.
fn drop_bit(cell: usize, at: u8) -> usize {
    let low = cell & ((1 << at) - 1);
    let high = (cell >> (at + 1)) << at;
    low | high
}

/// Builds a schedule, stopping at the limits.
struct Builder<'a> {
    plan: &'a Plan,
    s: Schedule,
    exact_limit: usize,
    cell_limit: usize,
    over: bool,
}

impl Builder<'_> {
    fn factor(&mut self, vars: usize) -> usize {
        let len = cells(vars);
        let id = self.s.factors.len();
        self.s.factors.push((self.s.arena, len));
        self.s.arena = self.s.arena.saturating_add(len);
        if vars > self.exact_limit || self.s.arena > self.cell_limit {
            self.over = true;
        }
        id
    }

    fn leaf(&mut self, leaf: Leaf, vars: usize) -> usize {
        let factor = self.factor(vars);
        self.s.leaves.push(LeafEntry { leaf, factor });
        factor
    }

    fn op(
        &mut self,
        inputs: &[(usize, Vec<u32>)],
        domain: &[u32],
        out: &[u32],
    ) -> Result<usize, PredictError> {
        self.s.width = self.s.width.max(domain.len());
        if domain.len() > self.exact_limit {
            self.over = true;
        }
        let first = self.s.inputs.len();
        for (factor, scope) in inputs {
            let start = self.s.maps.len();
            self.s.maps.extend(positions(scope, domain)?);
            self.s.inputs.push(Input {
                factor: *factor,
                map: start..self.s.maps.len(),
            });
        }
        let start = self.s.maps.len();
        self.s.maps.extend(positions(out, domain)?);
        let out_map = start..self.s.maps.len();
        let id = self.factor(out.len());
        self.s.ops.push(Op {
            out: id,
            inputs: first..self.s.inputs.len(),
            domain: domain.len(),
            out_map,
        });
        Ok(id)
    }

    fn source(&self, s: u32) -> Result<Source, PredictError> {
        let plan = self.plan;
        let t = plan
            .sig_unit
            .get(s as usize)
            .copied()
            .ok_or_else(|| missing("a signal"))? as usize;
        if let Some(v) = plan.cut.get(t).copied().flatten() {
            let var = plan.vars.get(v as usize).ok_or_else(|| missing("a cut"))?;
            return Ok(if var.series {
                Source::One
            } else {
                Source::Var(v)
            });
        }
        let f = self
            .s
            .sig_factor
            .get(s as usize)
            .copied()
            .ok_or_else(|| missing("a table"))?;
        Ok(Source::Factor(
            f,
            plan.dims.get(t).cloned().unwrap_or_default(),
        ))
    }

    fn unit(&mut self, u: usize) -> Result<(), PredictError> {
        let plan = self.plan;
        let unit = plan.units.get(u).ok_or_else(|| missing("a unit"))?;
        let dims = plan.dims.get(u).map_or(&[][..], Vec::as_slice);
        self.s.width = self.s.width.max(dims.len());
        if let Some(block) = &unit.block {
            for j in 0..block.len() {
                let f = self.factor(dims.len());
                if let Some(x) = self.s.sig_factor.get_mut(unit.sig0 as usize + j) {
                    *x = f;
                }
            }
            self.s.steps.push(Steps::default());
            return Ok(());
        }
        let (leaves, ops) = (self.s.leaves.len(), self.s.ops.len());
        let mut active: Vec<(usize, Vec<u32>)> = Vec::new();
        for &comp in &unit.random {
            let f = self.leaf(Leaf::Param { comp }, 0);
            active.push((f, Vec::new()));
        }
        for &s in &unit.plain {
            match self.source(s)? {
                Source::One => {}
                Source::Var(v) => {
                    let f = self.leaf(Leaf::Indicator, 1);
                    active.push((f, vec![v]));
                }
                Source::Factor(f, scope) => active.push((f, scope)),
            }
        }
        for g in &unit.groups {
            let sources = g
                .members
                .iter()
                .map(|(s, w)| Ok((self.source(*s)?, *w)))
                .collect::<Result<Vec<_>, PredictError>>()?;
            let mut scope: Vec<u32> = Vec::new();
            for (src, _) in &sources {
                match src {
                    Source::One => {}
                    Source::Var(v) => scope = union(&scope, &[*v]),
                    Source::Factor(_, sc) => scope = union(&scope, sc),
                }
            }
            let members = sources
                .into_iter()
                .map(|(src, w)| {
                    Ok((
                        match src {
                            Source::One => Read::One,
                            Source::Var(v) => Read::Var(position(v, &scope)?),
                            Source::Factor(id, sc) => Read::Factor {
                                id,
                                map: positions(&sc, &scope)?,
                            },
                        },
                        w,
                    ))
                })
                .collect::<Result<_, PredictError>>()?;
            let f = self.leaf(
                Leaf::Group {
                    members,
                    min_up: g.min_up,
                },
                scope.len(),
            );
            active.push((f, scope));
        }
        let mut eliminate = Vec::new();
        for &v in plan.summed.get(u).map_or(&[][..], Vec::as_slice) {
            let var = plan
                .vars
                .get(v as usize)
                .ok_or_else(|| missing("a variable"))?;
            if !var.series {
                eliminate.push(v);
            }
            match var.kind {
                VarKind::Atom(comp) => {
                    if var.series {
                        let f = self.leaf(Leaf::Param { comp }, 0);
                        active.push((f, Vec::new()));
                    } else {
                        let f = self.leaf(Leaf::ParamBit { comp }, 1);
                        active.push((f, vec![v]));
                    }
                }
                VarKind::Cut(t) => {
                    let tu = plan
                        .units
                        .get(t as usize)
                        .ok_or_else(|| missing("a unit"))?;
                    let of = self
                        .s
                        .sig_factor
                        .get(tu.sig0 as usize)
                        .copied()
                        .ok_or_else(|| missing("a table"))?;
                    let tdims = plan.dims.get(t as usize).cloned().unwrap_or_default();
                    if var.series {
                        active.push((of, tdims));
                    } else {
                        let scope = union(&tdims, &[v]);
                        let at = position(v, &scope)?;
                        let f = self.leaf(Leaf::WeightBit { of, at }, scope.len());
                        active.push((f, scope));
                    }
                }
            }
        }
        // Factors of one scope are multiplied first.
        active.sort_by(|a, b| a.1.cmp(&b.1));
        let mut merged: Vec<(usize, Vec<u32>)> = Vec::with_capacity(active.len());
        for run in active.chunk_by(|a, b| a.1 == b.1) {
            match run {
                [single] => merged.push(single.clone()),
                _ => {
                    let scope = run.first().map(|x| x.1.clone()).unwrap_or_default();
                    let id = self.op(run, &scope, &scope)?;
                    merged.push((id, scope));
                }
            }
        }
        // Variable elimination, the variable whose table comes out smallest first (ties: the
        // lowest variable). `slots` holds the live factors; `occurs` where each variable to
        // eliminate occurs.
        let mut slots: Vec<Option<(usize, Vec<u32>)>> = merged.into_iter().map(Some).collect();
        eliminate.sort_unstable();
        let mut occurs: Vec<Vec<usize>> = vec![Vec::new(); eliminate.len()];
        let note = |occurs: &mut Vec<Vec<usize>>, eliminate: &[u32], slot: usize, scope: &[u32]| {
            for v in scope {
                if let Ok(k) = eliminate.binary_search(v) {
                    if let Some(o) = occurs.get_mut(k) {
                        o.push(slot);
                    }
                }
            }
        };
        for (slot, entry) in slots.iter().enumerate() {
            if let Some((_, scope)) = entry {
                note(&mut occurs, &eliminate, slot, scope);
            }
        }
        let mut done = vec![false; eliminate.len()];
        let mut domain: Vec<u32> = Vec::new();
        for _ in 0..eliminate.len() {
            if self.over {
                break;
            }
            let mut best: Option<(usize, usize)> = None;
            for (k, list) in occurs.iter().enumerate() {
                if done.get(k).copied().unwrap_or(true) {
                    continue;
                }
                domain.clear();
                for slot in list {
                    if let Some(Some((_, sc))) = slots.get(*slot) {
                        domain.extend_from_slice(sc);
                    }
                }
                domain.sort_unstable();
                domain.dedup();
                if best.is_none_or(|(_, size)| domain.len() < size) {
                    best = Some((k, domain.len()));
                }
            }
            let Some((k, _)) = best else { break };
            if let Some(d) = done.get_mut(k) {
                *d = true;
            }
            let v = eliminate.get(k).copied().unwrap_or(u32::MAX);
            let mut taken: Vec<(usize, Vec<u32>)> = Vec::new();
            for slot in occurs.get(k).map_or(&[][..], Vec::as_slice) {
                if let Some(entry) = slots.get_mut(*slot).and_then(Option::take) {
                    taken.push(entry);
                }
            }
            if taken.is_empty() {
                continue;
            }
            let mut dom: Vec<u32> = taken
                .iter()
                .flat_map(|(_, sc)| sc.iter().copied())
                .collect();
            dom.sort_unstable();
            dom.dedup();
            let out: Vec<u32> = dom.iter().copied().filter(|x| *x != v).collect();
            let id = self.op(&taken, &dom, &out)?;
            note(&mut occurs, &eliminate, slots.len(), &out);
            slots.push(Some((id, out)));
        }
        let active: Vec<(usize, Vec<u32>)> = slots.into_iter().flatten().collect();
        if self.over {
            return Ok(());
        }
        // What is left depends on the unit's own dims only: one table over them.
        let output = match active.as_slice() {
            [(id, scope)] if scope.as_slice() == dims => *id,
            _ => self.op(&active, dims, dims)?,
        };
        if let Some(x) = self.s.sig_factor.get_mut(unit.sig0 as usize) {
            *x = output;
        }
        self.s.steps.push(Steps {
            leaves: leaves..self.s.leaves.len(),
            ops: ops..self.s.ops.len(),
        });
        Ok(())
    }
}

impl Schedule {
    /// The schedule of `plan`, or `None` when a table would have more than `exact_limit`
    /// variables or all of them more than `cell_limit` cells.
    pub(crate) fn new(
        plan: &Plan,
        exact_limit: usize,
        cell_limit: usize,
    ) -> Result<Option<Self>, PredictError> {
        if !plan.exact {
            return Ok(None);
        }
        let mut b = Builder {
            plan,
            s: Self {
                factors: Vec::new(),
                leaves: Vec::new(),
                ops: Vec::new(),
                inputs: Vec::new(),
                maps: Vec::new(),
                steps: Vec::with_capacity(plan.units.len()),
                sig_factor: vec![usize::MAX; plan.sig_unit.len()],
                arena: 0,
                width: 0,
            },
            exact_limit,
            cell_limit,
            over: false,
        };
        for u in 0..plan.units.len() {
            b.unit(u)?;
            if b.over {
                return Ok(None);
            }
        }
        Ok(Some(b.s))
    }

    fn range(&self, factor: usize) -> Range<usize> {
        self.factors
            .get(factor)
            .map_or(0..0, |&(off, len)| off..off + len)
    }
}

/// P(sum of the weights of the members up >= k), members independent.
fn at_least(q: &[f64], w: &[u32], k: u32) -> f64 {
    let k = k as usize;
    let mut small = [0.0; 8];
    let mut heap = Vec::new();
    let dist: &mut [f64] = match small.get_mut(..=k) {
        Some(d) => d,
        None => {
            heap.resize(k + 1, 0.0);
            &mut heap
        }
    };
    if let Some(d) = dist.first_mut() {
        *d = 1.0;
    }
    for (qi, wi) in q.iter().zip(w) {
        // Highest count first: mass moved up lands on counts already done. Count k (k or
        // more) keeps its mass either way.
        for s in (0..k).rev() {
            let mass = dist.get(s).copied().unwrap_or(0.0);
            if mass == 0.0 {
                continue;
            }
            let up = (s + *wi as usize).min(k);
            if let Some(x) = dist.get_mut(up) {
                *x += mass * qi;
            }
            if let Some(x) = dist.get_mut(s) {
                *x = mass * (1.0 - qi);
            }
        }
    }
    dist.get(k).copied().unwrap_or(0.0)
}

fn step(dist: &[f64], q: f64, w: u32) -> Vec<f64> {
    let k = dist.len().saturating_sub(1);
    let mut next = vec![0.0; dist.len()];
    for (s, p) in dist.iter().enumerate() {
        let up = (s + w as usize).min(k);
        if let Some(x) = next.get_mut(up) {
            *x += p * q;
        }
        if let Some(x) = next.get_mut(s) {
            *x += p * (1.0 - q);
        }
    }
    next
}

/// d at_least / d q_m for every member: P(k - w_m <= sum of the others < k).
fn at_least_grad(q: &[f64], w: &[u32], k: u32) -> Vec<f64> {
    let k = k as usize;
    let n = q.len();
    let mut start = vec![0.0; k + 1];
    if let Some(d) = start.first_mut() {
        *d = 1.0;
    }
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(start.clone());
    for (qi, wi) in q.iter().zip(w) {
        let next = step(prefix.last().map_or(&start[..], Vec::as_slice), *qi, *wi);
        prefix.push(next);
    }
    let mut suffix = vec![start.clone(); n + 1];
    for i in (0..n).rev() {
        let next = step(
            suffix.get(i + 1).map_or(&start[..], Vec::as_slice),
            q.get(i).copied().unwrap_or(0.0),
            w.get(i).copied().unwrap_or(0),
        );
        if let Some(s) = suffix.get_mut(i) {
            *s = next;
        }
    }
    (0..n)
        .map(|i| {
            let (Some(a), Some(b)) = (prefix.get(i), suffix.get(i + 1)) else {
                return 0.0;
            };
            let lo = k.saturating_sub(w.get(i).copied().unwrap_or(0) as usize);
            let mut sum = 0.0;
            for (x, pa) in a.iter().enumerate() {
                for (y, pb) in b.iter().enumerate() {
                    let s = (x + y).min(k);
                    if s >= lo && s < k {
                        sum += pa * pb;
                    }
                }
            }
            sum
        })
        .collect()
}

/// The result of the exact method.
pub(crate) struct Exact {
    pub(crate) availability: f64,
    /// Birnbaum importance by local component.
    pub(crate) importance: Vec<f64>,
}

struct Run<'a> {
    plan: &'a Plan,
    s: &'a Schedule,
    /// Every factor's values.
    store: Vec<f64>,
    /// d availability / d every factor value.
    adj: Vec<f64>,
    adj_p: Vec<f64>,
}

/// How a block reads an input from outside: a table (or a conditioned variable when `None`,
/// always up when its map is empty), and the positions of its scope in the block's dims.
type BlockSource = (Option<usize>, Vec<u8>);

/// One factor's slice of an arena; empty when out of range.
fn part(arena: &[f64], r: Range<usize>) -> &[f64] {
    arena.get(r).unwrap_or(&[])
}

impl Run<'_> {
    fn prob(&self, comp: u32) -> f64 {
        self.plan.prob.get(comp as usize).copied().unwrap_or(1.0)
    }

    fn value(&self, factor: usize, cell: usize) -> f64 {
        let (off, len) = self.s.factors.get(factor).copied().unwrap_or((0, 0));
        if cell < len {
            self.store.get(off + cell).copied().unwrap_or(0.0)
        } else {
            0.0
        }
    }

    fn group_values(&self, members: &[(Read, u32)], cell: usize) -> Vec<f64> {
        members
            .iter()
            .map(|(r, _)| match r {
                Read::One => 1.0,
                Read::Var(b) => f64::from(u8::from((cell >> b) & 1 == 1)),
                Read::Factor { id, map } => self.value(*id, gather(cell, map)),
            })
            .collect()
    }

    fn set(&mut self, k: usize, v: f64) {
        if let Some(x) = self.store.get_mut(k) {
            *x = v;
        }
    }

    fn leaf(&mut self, e: &LeafEntry) {
        let r = self.s.range(e.factor);
        match &e.leaf {
            Leaf::Param { comp } => self.set(r.start, self.prob(*comp)),
            Leaf::ParamBit { comp } => {
                let p = self.prob(*comp);
                self.set(r.start, 1.0 - p);
                self.set(r.start + 1, p);
            }
            Leaf::Indicator => {
                self.set(r.start, 0.0);
                self.set(r.start + 1, 1.0);
            }
            Leaf::Group { members, min_up } => {
                let w: Vec<u32> = members.iter().map(|(_, w)| *w).collect();
                for cell in 0..r.len() {
                    let v = at_least(&self.group_values(members, cell), &w, *min_up);
                    self.set(r.start + cell, v);
                }
            }
            Leaf::WeightBit { of, at } => {
                for cell in 0..r.len() {
                    let t = self.value(*of, drop_bit(cell, *at));
                    self.set(
                        r.start + cell,
                        if (cell >> at) & 1 == 1 { t } else { 1.0 - t },
                    );
                }
            }
        }
    }

    fn op(&mut self, op: &Op) {
        let out = self.s.range(op.out);
        let at = out.start.min(self.store.len());
        let (before, after) = self.store.split_at_mut(at);
        let before: &[f64] = before;
        let Some(dst) = after.get_mut(..out.len()) else {
            return;
        };
        dst.fill(0.0);
        let inputs = self.s.inputs.get(op.inputs.clone()).unwrap_or(&[]);
        let out_map = self.s.maps.get(op.out_map.clone()).unwrap_or(&[]);
        for cell in 0..cells(op.domain) {
            let mut prod = 1.0;
            for i in inputs {
                let r = self.s.range(i.factor);
                let map = self.s.maps.get(i.map.clone()).unwrap_or(&[]);
                prod *= part(before, r)
                    .get(gather(cell, map))
                    .copied()
                    .unwrap_or(0.0);
                if prod == 0.0 {
                    break;
                }
            }
            if let Some(x) = dst.get_mut(gather(cell, out_map)) {
                *x += prod;
            }
        }
    }

    fn op_back(&mut self, op: &Op) {
        let out = self.s.range(op.out);
        let at = out.start.min(self.adj.len());
        let (before, after) = self.adj.split_at_mut(at);
        let g_out: &[f64] = after.get(..out.len()).unwrap_or(&[]);
        if g_out.iter().all(|g| *g == 0.0) {
            return;
        }
        let inputs = self.s.inputs.get(op.inputs.clone()).unwrap_or(&[]);
        let out_map = self.s.maps.get(op.out_map.clone()).unwrap_or(&[]);
        let mut vals = vec![0.0; inputs.len()];
        let mut idx = vec![0usize; inputs.len()];
        let mut suffix = vec![1.0; inputs.len() + 1];
        for cell in 0..cells(op.domain) {
            let g = g_out.get(gather(cell, out_map)).copied().unwrap_or(0.0);
            if g == 0.0 {
                continue;
            }
            for ((x, k), i) in vals.iter_mut().zip(idx.iter_mut()).zip(inputs) {
                let r = self.s.range(i.factor);
                *k = r.start + gather(cell, self.s.maps.get(i.map.clone()).unwrap_or(&[]));
                *x = self.store.get(*k).copied().unwrap_or(0.0);
            }
            for j in (0..vals.len()).rev() {
                let next = suffix.get(j + 1).copied().unwrap_or(1.0);
                if let Some(s) = suffix.get_mut(j) {
                    *s = next * vals.get(j).copied().unwrap_or(1.0);
                }
            }
            let mut prefix = 1.0;
            for (j, k) in idx.iter().enumerate() {
                let excl = prefix * suffix.get(j + 1).copied().unwrap_or(1.0);
                if excl != 0.0 {
                    if let Some(x) = before.get_mut(*k) {
                        *x += g * excl;
                    }
                }
                prefix *= vals.get(j).copied().unwrap_or(1.0);
            }
        }
    }

    fn leaf_back(&mut self, e: &LeafEntry) {
        let r = self.s.range(e.factor);
        let g: Vec<f64> = part(&self.adj, r).to_vec();
        if g.iter().all(|x| *x == 0.0) {
            return;
        }
        match &e.leaf {
            Leaf::Param { comp } => {
                if let Some(x) = self.adj_p.get_mut(*comp as usize) {
                    *x += g.first().copied().unwrap_or(0.0);
                }
            }
            Leaf::ParamBit { comp } => {
                if let Some(x) = self.adj_p.get_mut(*comp as usize) {
                    *x += g.get(1).copied().unwrap_or(0.0) - g.first().copied().unwrap_or(0.0);
                }
            }
            Leaf::Indicator => {}
            Leaf::Group { members, min_up } => {
                let w: Vec<u32> = members.iter().map(|(_, w)| *w).collect();
                for (cell, c) in g.iter().enumerate() {
                    if *c == 0.0 {
                        continue;
                    }
                    let q = self.group_values(members, cell);
                    let grad = at_least_grad(&q, &w, *min_up);
                    for ((r, _), d) in members.iter().zip(grad) {
                        if let Read::Factor { id, map } = r {
                            let k = self.s.range(*id).start + gather(cell, map);
                            if let Some(x) = self.adj.get_mut(k) {
                                *x += c * d;
                            }
                        }
                    }
                }
            }
            Leaf::WeightBit { of, at } => {
                let start = self.s.range(*of).start;
                for (cell, c) in g.iter().enumerate() {
                    let c = if (cell >> at) & 1 == 1 { *c } else { -*c };
                    if let Some(x) = self.adj.get_mut(start + drop_bit(cell, *at)) {
                        *x += c;
                    }
                }
            }
        }
    }

    fn forward_block(&mut self, u: usize) -> Result<(), PredictError> {
        let plan = self.plan;
        let Some(unit) = plan.units.get(u) else {
            return Ok(());
        };
        let Some(block) = &unit.block else {
            return Ok(());
        };
        let dims = plan.dims.get(u).map_or(&[][..], Vec::as_slice);
        // Each external input, read for one assignment of the block's dims.
        let mut srcs: Vec<Vec<Option<BlockSource>>> = Vec::with_capacity(block.len());
        for m in block {
            let mut all: Vec<&BlockIn> = m.plain.iter().collect();
            for (g, _) in &m.groups {
                all.extend(g.iter());
            }
            let mut row = Vec::with_capacity(all.len());
            for i in all {
                row.push(match i {
                    BlockIn::Member(_) => None,
                    BlockIn::Signal(s) => {
                        let t = plan.sig_unit.get(*s as usize).copied().unwrap_or(0) as usize;
                        match plan.cut.get(t).copied().flatten() {
                            Some(v) if plan.vars.get(v as usize).is_some_and(|x| x.series) => {
                                Some((None, Vec::new()))
                            }
                            Some(v) => Some((None, vec![position(v, dims)?])),
                            None => {
                                let f = self.s.sig_factor.get(*s as usize).copied();
                                let tdims = plan.dims.get(t).map_or(&[][..], Vec::as_slice);
                                Some((f, positions(tdims, dims)?))
                            }
                        }
                    }
                });
            }
            srcs.push(row);
        }
        // Each member's own state: an atom's value, or up.
        let own: Vec<Option<u8>> = block
            .iter()
            .map(|m| {
                plan.vars
                    .iter()
                    .zip(0u32..)
                    .find(|(v, _)| v.kind == VarKind::Atom(m.comp) && !v.series)
                    .and_then(|(_, id)| position(id, dims).ok())
            })
            .collect();
        let n = cells(dims.len());
        let mut out: Vec<Vec<f64>> = vec![vec![0.0; n]; block.len()];
        for cell in 0..n {
            let value = |src: &Option<BlockSource>| match src {
                None => true,
                Some((None, map)) => map.is_empty() || gather(cell, map) == 1,
                Some((Some(f), map)) => self.value(*f, gather(cell, map)) > 0.5,
            };
            let mut up = vec![true; block.len()];
            loop {
                let mut changed = false;
                for (j, m) in block.iter().enumerate() {
                    if !up.get(j).copied().unwrap_or(false) {
                        continue;
                    }
                    let row = srcs.get(j).map_or(&[][..], Vec::as_slice);
                    let get = |k: usize, i: &BlockIn| match i {
                        BlockIn::Member(x) => up.get(*x as usize).copied().unwrap_or(false),
                        BlockIn::Signal(_) => row.get(k).is_some_and(value),
                    };
                    let mut ok = own
                        .get(j)
                        .copied()
                        .flatten()
                        .is_none_or(|b| (cell >> b) & 1 == 1);
                    let mut k = 0;
                    for i in &m.plain {
                        ok = ok && get(k, i);
                        k += 1;
                    }
                    for (g, need) in &m.groups {
                        let mut count = 0u32;
                        for i in g {
                            count += u32::from(get(k, i));
                            k += 1;
                        }
                        ok = ok && count >= *need;
                    }
                    if !ok {
                        if let Some(x) = up.get_mut(j) {
                            *x = false;
                        }
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
            }
            for (j, x) in up.iter().enumerate() {
                if let Some(t) = out.get_mut(j).and_then(|t| t.get_mut(cell)) {
                    *t = f64::from(u8::from(*x));
                }
            }
        }
        for (j, t) in out.into_iter().enumerate() {
            let f = self
                .s
                .sig_factor
                .get(unit.sig0 as usize + j)
                .copied()
                .unwrap_or(usize::MAX);
            let r = self.s.range(f);
            if let Some(dst) = self.store.get_mut(r) {
                dst.copy_from_slice(t.get(..dst.len()).unwrap_or(&[]));
            }
        }
        Ok(())
    }
}

/// Runs the exact method.
pub(crate) fn run(plan: &Plan, schedule: &Schedule) -> Result<Exact, PredictError> {
    let mut run = Run {
        plan,
        s: schedule,
        store: vec![0.0; schedule.arena],
        adj: Vec::new(),
        adj_p: vec![0.0; plan.comps.len()],
    };
    for (u, steps) in schedule.steps.iter().enumerate() {
        if plan.units.get(u).is_some_and(|x| x.block.is_some()) {
            run.forward_block(u)?;
            continue;
        }
        for e in schedule.leaves.get(steps.leaves.clone()).unwrap_or(&[]) {
            run.leaf(e);
        }
        for op in schedule.ops.get(steps.ops.clone()).unwrap_or(&[]) {
            run.op(op);
        }
    }
    let top_sig = plan.units.last().map_or(0, |u| u.sig0 as usize);
    let top = schedule
        .sig_factor
        .get(top_sig)
        .copied()
        .ok_or_else(|| missing("the top's table"))?;
    let availability = run.value(top, 0);
    run.adj = vec![0.0; schedule.arena];
    let start = schedule.range(top).start;
    if let Some(a) = run.adj.get_mut(start) {
        *a = 1.0;
    }
    for (u, steps) in schedule.steps.iter().enumerate().rev() {
        if !plan.rand.get(u).copied().unwrap_or(false) {
            continue;
        }
        for op in schedule
            .ops
            .get(steps.ops.clone())
            .unwrap_or(&[])
            .iter()
            .rev()
        {
            run.op_back(op);
        }
        for e in schedule
            .leaves
            .get(steps.leaves.clone())
            .unwrap_or(&[])
            .iter()
            .rev()
        {
            run.leaf_back(e);
        }
    }
    Ok(Exact {
        availability,
        importance: run.adj_p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_of_n_and_its_gradient() {
        let q = [0.9, 0.8, 0.7];
        let w = [1, 1, 1];
        let p = at_least(&q, &w, 2);
        let exact = 0.9 * 0.8 + 0.9 * 0.7 + 0.8 * 0.7 - 2.0 * 0.9 * 0.8 * 0.7;
        assert!((p - exact).abs() < 1e-15);
        let g = at_least_grad(&q, &w, 2);
        // d/dq1 = P(exactly one of the others up).
        assert!((g[0] - (0.8 * 0.3 + 0.2 * 0.7)).abs() < 1e-15);
        // A member that counts twice: 2 of {a (twice), b} is a alone.
        assert!((at_least(&[0.5, 0.6], &[2, 1], 2) - 0.5).abs() < 1e-15);
        let g2 = at_least_grad(&[0.5, 0.6], &[2, 1], 2);
        assert!((g2[0] - 1.0).abs() < 1e-15);
        assert!(g2[1].abs() < 1e-15);
    }
}
