//! The Monte Carlo method: component states drawn from a seeded ChaCha8 stream, 256 samples
//! per pass (four machine words side by side), the service's state worked out by the same
//! rules as the exact method.
//!
//! A component's failures are not drawn sample by sample: the gaps between them are geometric,
//! drawn by inversion, gap = floor(ln U / ln p), with a logarithm made of IEEE additions,
//! multiplications and divisions only (no platform `libm`), so the same seed gives the same
//! samples on every platform; a priority queue holds each component until the pass of its next
//! failure.
//! A pass costs the structure once plus the failures in it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

use super::plan::{BlockIn, BlockMember, Plan};

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Words side by side in one pass.
const WORDS: usize = 4;
/// Samples in one pass.
const LANES: u64 = 64 * WORDS as u64;

/// One bit per sample of a pass: 1 = up.
type Mask = [u64; WORDS];

const ALL: Mask = [u64::MAX; WORDS];
const NONE: Mask = [0; WORDS];

fn and(a: Mask, b: Mask) -> Mask {
    let mut out = a;
    for (o, y) in out.iter_mut().zip(b) {
        *o &= y;
    }
    out
}

fn or(a: Mask, b: Mask) -> Mask {
    let mut out = a;
    for (o, y) in out.iter_mut().zip(b) {
        *o |= y;
    }
    out
}

fn not(a: Mask) -> Mask {
    a.map(|x| !x)
}

fn count(a: Mask) -> u64 {
    a.iter().map(|x| u64::from(x.count_ones())).sum()
}

/// The result of the Monte Carlo method.
pub(crate) struct MonteCarlo {
    pub(crate) availability: f64,
    pub(crate) low: f64,
    pub(crate) high: f64,
    /// Estimated Birnbaum importance by local component.
    pub(crate) importance: Vec<f64>,
}

/// One component's stream of failures.
struct Failures {
    comp: u32,
    /// ln p (below 0).
    ln_p: f64,
    /// The sample of its next failure.
    next: u64,
}

fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    // (0, 1], 53 bits.
    #[expect(
        clippy::cast_precision_loss,
        reason = "a 53-bit integer is exact in an f64"
    )]
    let x = ((rng.next_u64() >> 11) + 1) as f64;
    x * (1.0 / 9_007_199_254_740_992.0)
}

/// ln x for a normal x > 0, from IEEE operations only: x = m 2^e with m in [1/sqrt 2, sqrt 2],
/// ln m = 2 atanh((m - 1) / (m + 1)) by its series (|s| < 0.172, 13 terms: below 1e-17).
fn ln(x: f64) -> f64 {
    let bits = x.to_bits();
    #[expect(
        clippy::cast_possible_wrap,
        reason = "an 11-bit exponent field fits an i64"
    )]
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut series = 0.0;
    for k in (0..13).rev() {
        series = series * s2 + 1.0 / f64::from(2 * k + 1);
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "an exponent below 1100 is exact in an f64"
    )]
    let e = e as f64;
    e * std::f64::consts::LN_2 + 2.0 * s * series
}

impl Failures {
    /// How many samples pass before the next failure: P(gap >= k) = P(U <= p^k) = p^k.
    fn gap(&self, rng: &mut ChaCha8Rng) -> u64 {
        let g = (ln(uniform(rng)) / self.ln_p).floor();
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a non-negative gap; beyond 2^64 samples it saturates"
        )]
        let g = g as u64;
        g
    }
}

/// The lanes where members of total weight at least `k` are up.
fn at_least(members: impl Iterator<Item = (Mask, u32)>, k: u32, c: &mut Vec<Mask>) -> Mask {
    if k <= 1 {
        return members.fold(NONE, |acc, (m, _)| or(acc, m));
    }
    let k = k as usize;
    c.clear();
    c.resize(k + 1, NONE);
    if let Some(x) = c.first_mut() {
        *x = ALL;
    }
    for (m, w) in members {
        for j in (1..=k).rev() {
            let from = c.get(j.saturating_sub(w as usize)).copied().unwrap_or(NONE);
            if let Some(x) = c.get_mut(j) {
                *x = or(*x, and(from, m));
            }
        }
    }
    c.get(k).copied().unwrap_or(NONE)
}

const PLAIN: u32 = 0;
const BLOCK: u32 = 1;

/// A block's members by the greatest fixpoint of "up", lane by lane.
fn eval_block(
    sig0: u32,
    block: &[BlockMember],
    x: &[Mask],
    up: &mut [Mask],
    scratch: &mut Vec<Mask>,
) {
    let read = |up: &[Mask], s: u32| up.get(s as usize).copied().unwrap_or(NONE);
    let mut state = vec![ALL; block.len()];
    loop {
        let mut changed = false;
        for (j, m) in block.iter().enumerate() {
            let get = |i: &BlockIn| match i {
                BlockIn::Member(k) => state.get(*k as usize).copied().unwrap_or(NONE),
                BlockIn::Signal(s) => read(up, *s),
            };
            let mut v = x.get(m.comp as usize).copied().unwrap_or(ALL);
            for i in &m.plain {
                v = and(v, get(i));
            }
            for (g, need) in &m.groups {
                v = and(v, at_least(g.iter().map(|i| (get(i), 1)), *need, scratch));
            }
            if let Some(s) = state.get_mut(j) {
                if and(*s, not(v)) != NONE {
                    *s = and(*s, v);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    for (j, s) in state.into_iter().enumerate() {
        if let Some(slot) = up.get_mut(sig0 as usize + j) {
            *slot = s;
        }
    }
}

/// The units as one flat program: for each, its signal, its members that can fail, its plain
/// inputs and its groups; a block: its unit number, worked out by its fixpoint.
fn program(plan: &Plan) -> Vec<u32> {
    let top = plan.units.len().saturating_sub(1);
    let len = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let mut prog: Vec<u32> = Vec::new();
    for (unit, u) in plan.units.iter().zip(0u32..).take(top) {
        if unit.block.is_some() {
            prog.extend([BLOCK, u]);
            continue;
        }
        prog.extend([PLAIN, unit.sig0, len(unit.random.len())]);
        prog.extend(&unit.random);
        prog.push(len(unit.plain.len()));
        prog.extend(&unit.plain);
        prog.push(len(unit.groups.len()));
        for g in &unit.groups {
            prog.extend([g.min_up, len(g.members.len())]);
            for (sig, w) in &g.members {
                prog.extend([*sig, *w]);
            }
        }
    }
    prog
}

/// Works out every signal of one pass.
fn evaluate(plan: &Plan, prog: &[u32], x: &[Mask], up: &mut [Mask], scratch: &mut Vec<Mask>) {
    let word = |k: usize| prog.get(k).copied().unwrap_or(0);
    let read = |up: &[Mask], s: u32| up.get(s as usize).copied().unwrap_or(NONE);
    let mut at = 0usize;
    while let Some(&tag) = prog.get(at) {
        if tag == BLOCK {
            let Some((sig0, block)) = plan
                .units
                .get(word(at + 1) as usize)
                .and_then(|u| u.block.as_ref().map(|b| (u.sig0, b)))
            else {
                return;
            };
            at += 2;
            eval_block(sig0, block, x, up, scratch);
            continue;
        }
        let sig = word(at + 1);
        at += 2;
        let mut v = ALL;
        let n = word(at) as usize;
        for k in at + 1..=at + n {
            v = and(v, x.get(word(k) as usize).copied().unwrap_or(ALL));
        }
        at += n + 1;
        let n = word(at) as usize;
        for k in at + 1..=at + n {
            v = and(v, read(up, word(k)));
        }
        at += n + 1;
        let groups = word(at);
        at += 1;
        for _ in 0..groups {
            let (need, n) = (word(at), word(at + 1) as usize);
            if v != NONE {
                let members =
                    (0..n).map(|j| (read(up, word(at + 2 + 2 * j)), word(at + 3 + 2 * j)));
                v = and(v, at_least(members, need, scratch));
            }
            at += 2 + 2 * n;
        }
        if let Some(slot) = up.get_mut(sig as usize) {
            *slot = v;
        }
    }
}

/// The mask of the samples of a pass that are inside the run.
fn lanes(base: u64, samples: u64) -> Mask {
    let mut m = NONE;
    for (w, slot) in (0u64..).zip(m.iter_mut()) {
        let start = base + 64 * w;
        let n = samples.saturating_sub(start).min(64);
        *slot = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    }
    m
}

/// Runs `samples` samples from `seed`.
pub(crate) fn run(plan: &Plan, seed: u64, samples: u64) -> MonteCarlo {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = plan.comps.len();
    let mut failures: Vec<Failures> = Vec::new();
    let mut x = vec![ALL; n];
    for (c, p) in (0u32..).zip(&plan.prob) {
        if *p <= 0.0 {
            if let Some(v) = x.get_mut(c as usize) {
                *v = NONE;
            }
        } else if *p < 1.0 {
            let mut f = Failures {
                comp: c,
                ln_p: ln(*p),
                next: 0,
            };
            f.next = f.gap(&mut rng);
            failures.push(f);
        }
    }
    let prog = program(plan);
    let mut up = vec![ALL; plan.sig_unit.len()];
    let mut scratch: Vec<Mask> = Vec::new();
    let mut up_count = 0u64;
    // Samples up with the component down, by component: the only count that needs its own
    // work (with the component up, it is the total less this).
    let mut s0 = vec![0u64; n];
    // Components by the pass of their next failure, earliest first (ties by number): memory
    // by component, not by pass.
    let passes = samples.div_ceil(LANES);
    let mut queue: BinaryHeap<Reverse<(u64, u32)>> = (0u32..)
        .zip(&failures)
        .filter(|(_, f)| f.next < samples)
        .map(|(i, f)| Reverse((f.next / LANES, i)))
        .collect();
    let mut touched: Vec<u32> = Vec::new();
    for pass in 0..passes {
        let base = pass * LANES;
        let end = base + LANES;
        touched.clear();
        while let Some(&Reverse((p, i))) = queue.peek() {
            if p != pass {
                break;
            }
            queue.pop();
            let Some(f) = failures.get_mut(i as usize) else {
                continue;
            };
            let mut mask = ALL;
            while f.next < end {
                let lane = f.next - base;
                if let Some(w) = mask.get_mut(usize::try_from(lane / 64).unwrap_or(0)) {
                    *w &= !(1u64 << (lane % 64));
                }
                f.next = f.next.saturating_add(1).saturating_add(f.gap(&mut rng));
            }
            if let Some(v) = x.get_mut(f.comp as usize) {
                *v = mask;
            }
            touched.push(f.comp);
            if f.next < samples {
                queue.push(Reverse((f.next / LANES, i)));
            }
        }
        evaluate(plan, &prog, &x, &mut up, &mut scratch);
        let phi = and(
            up.get(plan.service_sig as usize).copied().unwrap_or(NONE),
            lanes(base, samples),
        );
        up_count += count(phi);
        for c in &touched {
            let Some(xc) = x.get_mut(*c as usize) else {
                continue;
            };
            if let Some(a) = s0.get_mut(*c as usize) {
                *a += count(and(phi, not(*xc)));
            }
            *xc = ALL;
        }
    }
    #[expect(clippy::cast_precision_loss, reason = "sample counts far below 2^53")]
    let (total, up_f) = (samples as f64, up_count as f64);
    let p_hat = up_f / total;
    // Wilson score interval.
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / total;
    let centre = (p_hat + z2 / (2.0 * total)) / denom;
    let half = Z95 * (p_hat * (1.0 - p_hat) / total + z2 / (4.0 * total * total)).sqrt() / denom;
    let mut importance = vec![0.0; n];
    for f in &failures {
        let c = f.comp as usize;
        let p = plan.prob.get(c).copied().unwrap_or(1.0);
        #[expect(clippy::cast_precision_loss, reason = "sample counts far below 2^53")]
        let down = s0.get(c).copied().unwrap_or(0) as f64;
        // E[up · x/p] - E[up · (1 - x)/(1 - p)]: P(up | c up) - P(up | c down), unbiased.
        if let Some(i) = importance.get_mut(c) {
            *i = (up_f - down) / (total * p) - down / (total * (1.0 - p));
        }
    }
    MonteCarlo {
        availability: p_hat,
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
        importance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_of_n_over_lanes() {
        let m = |x: u64| [x, 0, 0, x];
        let (a, b, c) = (m(0b1100), m(0b1010), m(0b1001));
        let mut s = Vec::new();
        let three = [(a, 1), (b, 1), (c, 1)];
        assert_eq!(at_least(three.iter().copied(), 2, &mut s), m(0b1000));
        assert_eq!(at_least(three.iter().copied(), 1, &mut s), m(0b1111));
        assert_eq!(at_least(three.iter().copied(), 3, &mut s), m(0b1000));
        let weighted = [(a, 2), (c, 1)];
        assert_eq!(at_least(weighted.iter().copied(), 2, &mut s), m(0b1100));
        assert_eq!(at_least(weighted.iter().copied(), 3, &mut s), m(0b1000));
    }

    #[test]
    fn lanes_past_the_end_are_masked() {
        assert_eq!(lanes(0, 300), ALL);
        assert_eq!(lanes(256, 300), [(1 << 44) - 1, 0, 0, 0]);
        assert_eq!(lanes(0, 64), [u64::MAX, 0, 0, 0]);
    }

    #[test]
    fn ln_is_the_logarithm() {
        for x in [
            1.0,
            0.5,
            0.9,
            0.999,
            1e-9,
            0.123_456_789,
            2.0_f64.powi(-53),
            0.707,
            0.708,
        ] {
            let (a, b) = (ln(x), x.ln());
            assert!(
                (a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1.0),
                "ln {x}: {a} vs {b}"
            );
        }
        assert_eq!(ln(1.0), 0.0);
    }

    #[test]
    fn gaps_are_geometric() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let f = Failures {
            comp: 0,
            ln_p: ln(0.9),
            next: 0,
        };
        let draws = 20_000;
        let total: u64 = (0..draws).map(|_| f.gap(&mut rng)).sum();
        #[expect(clippy::cast_precision_loss, reason = "small test numbers")]
        let mean = total as f64 / f64::from(draws);
        // E[gap] = p / (1 - p) = 9.
        assert!((mean - 9.0).abs() < 0.3, "mean gap {mean}");
    }
}
