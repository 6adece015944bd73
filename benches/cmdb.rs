//! Configuration-graph benchmarks on synthetic organisations of 10k, 100k and 1M CIs (about
//! three relations per CI), with a plain CSR reverse BFS over the same dependency edges as the
//! practical floor for impact analysis, so the ratio can be read from one run.
//!
//! `cargo bench --bench cmdb` (all sizes) or `cargo bench --bench cmdb -- 100k` (one size).
#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "bench setup on generated data that is valid by construction; the floor indexes its own arrays as a plain CSR does"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion};
use itsm::cmdb::{CiPatch, CiStatus, Cmdb, CmdbParts};
use itsm::core::Id;
use itsm_testkit::{OrgSpec, Organisation};

/// Reverse dependency edges as plain compressed sparse rows: the floor.
struct Floor {
    offsets: Vec<u32>,
    targets: Vec<u32>,
}

impl Floor {
    fn build(parts: &CmdbParts) -> (Self, std::collections::HashMap<Id<itsm::cmdb::Ci>, u32>) {
        let dense: std::collections::HashMap<_, u32> = parts
            .cis
            .iter()
            .zip(0u32..)
            .map(|(c, i)| (c.id, i))
            .collect();
        let mut edges: Vec<(u32, u32)> = parts
            .relations
            .iter()
            .filter_map(|r| r.dependency())
            .map(|(d, p)| (dense[&p], dense[&d]))
            .collect();
        edges.sort_unstable();
        edges.dedup();
        let mut offsets = vec![0u32; parts.cis.len() + 1];
        for (p, _) in &edges {
            offsets[*p as usize + 1] += 1;
        }
        for i in 0..parts.cis.len() {
            offsets[i + 1] += offsets[i];
        }
        let targets = edges.into_iter().map(|(_, d)| d).collect();
        (Self { offsets, targets }, dense)
    }

    /// How many CIs transitively depend on `start`.
    fn reach(&self, start: u32) -> usize {
        let mut seen = vec![false; self.offsets.len() - 1];
        let mut queue = vec![start];
        seen[start as usize] = true;
        let mut head = 0;
        while let Some(&v) = queue.get(head) {
            head += 1;
            let (a, b) = (
                self.offsets[v as usize] as usize,
                self.offsets[v as usize + 1] as usize,
            );
            for &w in &self.targets[a..b] {
                if !seen[w as usize] {
                    seen[w as usize] = true;
                    queue.push(w);
                }
            }
        }
        queue.len() - 1
    }
}

fn bench_size(c: &mut Criterion, label: &str, cis: usize) {
    let org = Organisation::generate(&OrgSpec::new(cis, 42));
    let cmdb = Cmdb::from_parts(org.parts.clone()).expect("generated organisation loads");
    let facility = org.facilities[0];
    let portal = org.portals[0];
    let (floor, dense) = Floor::build(&org.parts);
    // The most depended-on of the first 2000 hosts: a failure that matters but is not the
    // whole estate.
    let host = *org
        .hosts
        .iter()
        .take(2000)
        .max_by_key(|h| floor.reach(dense[*h]))
        .expect("hosts");
    // Build the read index outside the timings, and show what is being compared.
    let host_impact = cmdb.impact_of(&[host]).expect("host");
    let dc_impact = cmdb.impact_of(&[facility]).expect("facility");
    eprintln!(
        "[{label}] {} CIs, {} relations, {} groups; host: {} down (floor reach {}), data centre: {} down (floor reach {}); portal: {} dependencies, {} SPOFs",
        cmdb.len(),
        cmdb.relation_count(),
        cmdb.groups().count(),
        host_impact.down_count(),
        floor.reach(dense[&host]),
        dc_impact.down_count(),
        floor.reach(dense[&facility]),
        cmdb.dependencies_of(portal).expect("portal").len(),
        cmdb.single_points_of_failure(portal).expect("portal").len(),
    );

    let mut g = c.benchmark_group(format!("cmdb/{label}"));
    if cis >= 1_000_000 {
        g.sample_size(10).measurement_time(Duration::from_secs(30));
    } else if cis >= 100_000 {
        g.sample_size(20);
    }
    g.bench_function("bulk_load", |b| {
        b.iter_batched(
            || org.parts.clone(),
            |parts| {
                let cmdb = Cmdb::from_parts(parts).expect("loads");
                // A load is complete when the first query can run: include the read index.
                black_box(cmdb.impact_of(&[host]).expect("host").len())
            },
            BatchSize::PerIteration,
        );
    });
    g.bench_function("impact_of/host", |b| {
        b.iter(|| cmdb.impact_of(black_box(&[host])).expect("host"))
    });
    g.bench_function("csr_floor/host", |b| {
        b.iter(|| floor.reach(black_box(dense[&host])))
    });
    g.bench_function("impact_of/data_centre", |b| {
        b.iter(|| cmdb.impact_of(black_box(&[facility])).expect("facility"))
    });
    g.bench_function("csr_floor/data_centre", |b| {
        b.iter(|| floor.reach(black_box(dense[&facility])))
    });
    g.bench_function("dependencies_of/portal", |b| {
        b.iter(|| cmdb.dependencies_of(black_box(portal)).expect("portal"))
    });
    g.bench_function("single_points_of_failure/portal", |b| {
        b.iter(|| {
            cmdb.single_points_of_failure(black_box(portal))
                .expect("portal")
        })
    });
    let before = cmdb.baseline("before", chrono::DateTime::UNIX_EPOCH);
    let mut changed = cmdb.clone();
    for h in org.hosts.iter().step_by(100) {
        changed
            .update_ci(
                *h,
                CiPatch {
                    status: Some(CiStatus::Retired),
                    ..CiPatch::default()
                },
            )
            .expect("host exists");
    }
    let after = changed.baseline("after", chrono::DateTime::UNIX_EPOCH);
    drop(changed);
    g.bench_function("baseline_diff", |b| {
        b.iter(|| before.diff(black_box(&after)))
    });
    g.finish();
}

fn cmdb_benches(c: &mut Criterion) {
    bench_size(c, "10k", 10_000);
    bench_size(c, "100k", 100_000);
    bench_size(c, "1m", 1_000_000);
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    cmdb_benches(&mut c);
    c.final_summary();
}
