//! # itsm-testkit: synthetic organisations for tests, benches and examples
//!
//! Dev-only. [`Organisation::generate`] builds a large, realistic configuration graph from a
//! seed, so tests, benches and examples share one generator and every run sees the same data.
//! Randomness comes from a small in-crate PRNG ([`Rng`], SplitMix64): no dependency, no system
//! entropy, the same seed gives the same organisation on every machine.
//!
//! ## Shape
//! The organisation is split into business domains of about [`OrgSpec::domain_size`] CIs. Each
//! domain has services, applications, software, hardware, storage, network and documents,
//! layered as real estates are: services depend on applications (some through 2-of-3
//! clusters), applications run on software and call each other (a few pairs call each
//! other both ways, which makes dependency cycles), software runs on hardware (some on 1-of-2 HA pairs),
//! hardware connects to access networks and depends on storage and a data centre; access
//! networks connect to a redundant core. A portal service per domain bundles all the domain's
//! services, so its bill of materials is about half the domain. Shared CIs (data
//! centres, core network, support and consumer groups) tie the domains together. There are
//! about three relations per CI.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod appetite;
pub mod change_policy;
pub mod hostile;
pub mod online_banking;

use itsm_cmdb::{
    Ci, CiKind, CmdbParts, Criticality, RedundancyGroup, Relation, RelationKind, ServiceProfile,
};
use itsm_core::Id;

/// SplitMix64: a tiny, fast, well-mixed deterministic generator.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        // Multiply-shift: unbiased enough for test data, no division.
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgSpec {
    /// About how many CIs in all.
    pub cis: usize,
    /// CIs per business domain; a domain's portal service depends on about half of them.
    pub domain_size: usize,
    /// The seed.
    pub seed: u64,
}

impl OrgSpec {
    /// About `cis` CIs in domains of 20 000 (portal services with about 10 000 dependencies).
    #[must_use]
    pub const fn new(cis: usize, seed: u64) -> Self {
        Self {
            cis,
            domain_size: 20_000,
            seed,
        }
    }
}

/// A generated organisation: the parts of a CMDB plus landmarks for queries.
#[derive(Debug, Clone)]
pub struct Organisation {
    /// CIs, relations and redundancy groups.
    pub parts: CmdbParts,
    /// One portal service per domain (a bundle of the domain's services).
    pub portals: Vec<Id<Ci>>,
    /// Every service.
    pub services: Vec<Id<Ci>>,
    /// Every hardware CI.
    pub hosts: Vec<Id<Ci>>,
    /// The data centres (each failure takes down a large part of the estate).
    pub facilities: Vec<Id<Ci>>,
}

struct Builder {
    rng: Rng,
    next: u128,
    cis: Vec<Ci>,
    relations: Vec<Relation>,
    groups: Vec<RedundancyGroup>,
}

const ID_PREFIX: u128 = 0x175e_0000_0000_0000_0000_0000_0000;

impl Builder {
    fn ci(&mut self, prefix: &str, kind: CiKind) -> Id<Ci> {
        let n = self.next;
        self.next += 1;
        let mut ci = Ci::new(format!("{prefix}-{n}"), format!("{prefix} {n}"), kind);
        ci.id = Id::from_u128(ID_PREFIX | n);
        ci.criticality = match self.rng.below(10) {
            0 => Criticality::Critical,
            1 | 2 => Criticality::High,
            3..=6 => Criticality::Medium,
            _ => Criticality::Low,
        };
        let id = ci.id;
        self.cis.push(ci);
        id
    }

    fn many(&mut self, prefix: &str, kind: &CiKind, count: usize) -> Vec<Id<Ci>> {
        (0..count).map(|_| self.ci(prefix, kind.clone())).collect()
    }

    fn relate(&mut self, from: Id<Ci>, kind: RelationKind, to: Id<Ci>) {
        self.relations.push(Relation::new(from, kind, to));
    }

    /// `k` distinct picks from `pool` (fewer when the pool is small).
    fn pick(&mut self, pool: &[Id<Ci>], k: usize) -> Vec<Id<Ci>> {
        let mut out: Vec<Id<Ci>> = Vec::with_capacity(k);
        let mut tries = 0;
        while out.len() < k.min(pool.len()) && tries < 4 * k + 8 {
            tries += 1;
            if let Some(c) = pool.get(self.rng.below(pool.len())) {
                if !out.contains(c) {
                    out.push(*c);
                }
            }
        }
        out
    }

    fn one(&mut self, pool: &[Id<Ci>]) -> Option<Id<Ci>> {
        pool.get(self.rng.below(pool.len())).copied()
    }

    fn group(&mut self, name: String, dependent: Id<Ci>, members: Vec<Id<Ci>>, min_up: usize) {
        self.groups
            .push(RedundancyGroup::new(name, dependent, members, min_up));
    }
}

impl Organisation {
    /// Generates the organisation described by `spec`.
    #[must_use]
    pub fn generate(spec: &OrgSpec) -> Self {
        use CiKind as K;
        use RelationKind::*;
        let d = spec.domain_size.max(100);
        let domains = spec.cis.div_ceil(d).max(1);
        let per = spec.cis / domains;
        let mut b = Builder {
            rng: Rng::new(spec.seed),
            next: 0,
            cis: Vec::with_capacity(spec.cis + 64),
            relations: Vec::with_capacity(spec.cis * 3),
            groups: Vec::new(),
        };
        let service = || K::Service(ServiceProfile::default());
        let facilities = b.many("dc", &K::Facility, 2);
        let core = b.many("core", &K::Network, 8);
        let support = b.many("team", &K::SupportGroup, 20);
        let consumers = b.many("users", &K::ConsumerGroup, 10);
        for (i, c) in core.clone().into_iter().enumerate() {
            if let Some(f) = facilities.get(i % 2) {
                b.relate(c, DependsOn, *f);
            }
        }
        let (mut portals, mut services, mut hosts) = (Vec::new(), Vec::new(), Vec::new());
        let part = |share: usize| (per * share / 1000).max(1);
        for dom in 0..domains {
            let docs = b.many("doc", &K::Document, part(150));
            let net = b.many("net", &K::Network, part(80));
            let stor = b.many("stor", &K::Storage, part(50));
            let hw = b.many("host", &K::Hardware, part(350));
            let sw = b.many("sw", &K::Software, part(200));
            let apps = b.many("app", &K::Application, part(150));
            let svcs: Vec<Id<Ci>> = (0..part(20)).map(|_| b.ci("svc", service())).collect();
            let portal = b.ci("portal", service());
            // Access networks: a 1-of-2 pair of core switches, and a data centre.
            for &n in &net {
                let pair = b.pick(&core, 2);
                for &c in &pair {
                    b.relate(n, ConnectsTo, c);
                }
                b.group(format!("uplink-{n}"), n, pair, 1);
                if let Some(f) = b.one(&facilities) {
                    b.relate(n, DependsOn, f);
                }
            }
            for &s in &stor {
                if let Some(n) = b.one(&net) {
                    b.relate(s, ConnectsTo, n);
                }
                if let Some(f) = b.one(&facilities) {
                    b.relate(s, DependsOn, f);
                }
            }
            for &h in &hw {
                for n in b.pick(&net, 2) {
                    b.relate(h, ConnectsTo, n);
                }
                if b.rng.chance(50) {
                    if let Some(s) = b.one(&stor) {
                        b.relate(h, DependsOn, s);
                    }
                }
                if let Some(f) = b.one(&facilities) {
                    b.relate(h, DependsOn, f);
                }
                if b.rng.chance(30) {
                    if let Some(doc) = b.one(&docs) {
                        b.relate(h, DocumentedBy, doc);
                    }
                }
            }
            for (i, &s) in sw.iter().enumerate() {
                if b.rng.chance(20) {
                    let pair = b.pick(&hw, 2);
                    for &h in &pair {
                        b.relate(s, RunsOn, h);
                    }
                    if pair.len() == 2 {
                        b.group(format!("ha-{s}"), s, pair, 1);
                    }
                } else if let Some(h) = b.one(&hw) {
                    b.relate(s, RunsOn, h);
                }
                // Software depends on lower software (a database on its cluster manager).
                if i > 0 {
                    let lower = sw.get(..i).unwrap_or_default().to_vec();
                    if let Some(t) = b.one(&lower) {
                        b.relate(s, DependsOn, t);
                    }
                }
                if b.rng.chance(50) {
                    if let Some(doc) = b.one(&docs) {
                        b.relate(s, DocumentedBy, doc);
                    }
                }
            }
            // Calls between applications: mostly to lower ones; 3% of calls go upwards and are
            // answered by a call back (services that call each other: dependency cycles).
            let mut calls: std::collections::BTreeSet<(usize, usize)> =
                std::collections::BTreeSet::new();
            for i in 0..apps.len() {
                for _ in 0..b.rng.between(0, 3) {
                    if b.rng.chance(3) {
                        let j = i + 1 + b.rng.below(apps.len().saturating_sub(i + 1));
                        if j < apps.len() {
                            calls.insert((i, j));
                            calls.insert((j, i));
                        }
                    } else if i > 0 {
                        calls.insert((i, b.rng.below(i)));
                    }
                }
            }
            for &a in &apps {
                let k = b.rng.between(1, 2);
                for s in b.pick(&sw, k) {
                    b.relate(a, RunsOn, s);
                }
                if let Some(doc) = b.one(&docs) {
                    b.relate(a, DocumentedBy, doc);
                }
            }
            for (i, j) in calls {
                if let (Some(&a), Some(&t)) = (apps.get(i), apps.get(j)) {
                    b.relate(a, DependsOn, t);
                }
            }
            for &s in &svcs {
                let n = b.rng.between(3, 8);
                let chosen = b.pick(&apps, n);
                let clustered = chosen.len() >= 3 && b.rng.chance(35);
                for &a in &chosen {
                    b.relate(s, DependsOn, a);
                }
                if clustered {
                    let members = chosen.get(..3).unwrap_or_default().to_vec();
                    b.group(format!("cluster-{s}"), s, members, 2);
                }
                for (pool, kind) in [
                    (&support, SupportedBy),
                    (&docs, DocumentedBy),
                    (&consumers, ConsumedBy),
                ] {
                    if let Some(t) = b.one(pool) {
                        b.relate(s, kind, t);
                    }
                }
                b.relate(s, PartOf, portal);
            }
            b.relate(
                portal,
                ConsumedBy,
                consumers
                    .get(dom % consumers.len().max(1))
                    .copied()
                    .unwrap_or(portal),
            );
            portals.push(portal);
            services.extend(svcs);
            services.push(portal);
            hosts.extend(hw);
        }
        Self {
            parts: CmdbParts {
                cis: b.cis,
                relations: b.relations,
                groups: b.groups,
                ..CmdbParts::default()
            },
            portals,
            services,
            hosts,
            facilities,
        }
    }
}

/// The UUIDs written in `text` (8-4-4-4-12 hex digits), in order: what the tests that check
/// answers and messages name records by key look for.
///
/// ```
/// let text = "CI `app` (6a9e23c6-104e-5a38-b70c-92f391e395c2) and `db`";
/// assert_eq!(itsm_testkit::uuids(text), ["6a9e23c6-104e-5a38-b70c-92f391e395c2"]);
/// assert!(itsm_testkit::uuids("CI `app`").is_empty());
/// ```
#[must_use]
pub fn uuids(text: &str) -> Vec<&str> {
    (0..text.len().saturating_sub(35))
        .filter_map(|i| {
            let w = text.get(i..i + 36)?;
            w.bytes()
                .enumerate()
                .all(|(j, c)| {
                    if [8, 13, 18, 23].contains(&j) {
                        c == b'-'
                    } else {
                        c.is_ascii_hexdigit()
                    }
                })
                .then_some(w)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use itsm_cmdb::Cmdb;

    #[test]
    fn same_seed_same_organisation_and_it_loads() {
        let spec = OrgSpec {
            cis: 5_000,
            domain_size: 2_500,
            seed: 7,
        };
        let a = Organisation::generate(&spec);
        let b = Organisation::generate(&spec);
        assert_eq!(a.parts, b.parts);
        assert_ne!(
            a.parts,
            Organisation::generate(&OrgSpec { seed: 8, ..spec }).parts
        );
        let n = a.parts.cis.len();
        assert!((4_900..=5_100).contains(&n), "{n} CIs");
        let per_ci = a.parts.relations.len() as f64 / n as f64;
        assert!((2.6..=3.4).contains(&per_ci), "{per_ci} relations per CI");
        let cmdb = Cmdb::from_parts(a.parts.clone()).unwrap();
        let bom = cmdb.dependencies_of(a.portals[0]).unwrap().len();
        assert!((1_000..2_500).contains(&bom), "portal needs {bom}");
        assert!(
            !cmdb.cycles().is_empty(),
            "some applications call each other"
        );
        assert!(cmdb.groups().count() > 100);
    }
}
