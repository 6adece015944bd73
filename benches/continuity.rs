//! Continuity benchmarks on the testkit organisations (issue 10): the recovery plan for the loss
//! of a data centre and for the loss of one host, and the flow-down of RTO/RPO to every CI, on
//! 100k and 1M CIs.
//!
//! Every service gets an analysis and every CI a recovery entry, derived from its key so the
//! data is the same on every run: durations by kind (a data centre 4 h, a host 1 h ...), a
//! recovery team per kind and key hash (a team restores one CI at a time), backups on storage,
//! software and applications.
//!
//! `cargo bench --bench continuity` (both sizes) or `cargo bench --bench continuity -- 1m`.
#![expect(
    clippy::expect_used,
    reason = "bench setup on generated data that is valid by construction"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use itsm::availability::{BusinessImpact, CiRecovery, Disaster, flow_down, plan_recovery};
use itsm::cmdb::{Ci, CiKind, Cmdb};
use itsm::core::Level;
use itsm_testkit::{OrgSpec, Organisation};

const MIN: u64 = 60;
const H: u64 = 3600;

/// FNV-1a of the key: the deterministic "randomness" of the setup.
fn hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A service's analysis from its key: RTO 1-24 h, MTPD twice that, RPO 15 min to 4 h.
fn analysis(ci: &Ci) -> BusinessImpact {
    let h = hash(&ci.key);
    let rto = (1 + h % 24) * H;
    BusinessImpact::new(ci.id, 2 * rto, rto, (1 + (h >> 8) % 16) * 15 * MIN)
        .with_step(0, Level::new("Low", 1))
        .with_step(rto / 2, Level::new("Medium", 2))
        .with_step(rto, Level::new("High", 3))
}

/// A CI's recovery from its kind and key; `None` for kinds that take no work of their own.
fn recovery(ci: &Ci) -> Option<CiRecovery> {
    let h = hash(&ci.key);
    let (duration, team, teams, backup) = match ci.kind {
        CiKind::Facility => (4 * H, "facilities", 1, None),
        CiKind::Network => (30 * MIN, "network", 8, None),
        CiKind::Storage => (2 * H, "storage", 8, Some(24 * H)),
        CiKind::Hardware => (H, "infrastructure", 64, None),
        CiKind::Software => (20 * MIN, "platform", 32, Some(4 * H)),
        CiKind::Application => (15 * MIN, "applications", 32, Some(H)),
        _ => return None,
    };
    let mut r = CiRecovery::new(ci.id, duration + (h % 4) * 5 * MIN)
        .with_team(format!("{team}-{}", (h >> 16) % teams));
    if let Some(b) = backup {
        r = r.with_backup_interval(b);
    }
    Some(r)
}

/// CPU time of this thread in ms (Linux `schedstat`), for figures on a shared machine where
/// wall-clock time also counts other people's work; `None` elsewhere.
fn cpu_ms() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(text.split_whitespace().next()?.parse::<u64>().ok()? / 1_000_000)
}

/// The least CPU time of three runs of `f`, in ms.
fn least_cpu_ms<T>(mut f: impl FnMut() -> T) -> Option<u64> {
    (0..3)
        .map(|_| {
            let start = cpu_ms()?;
            drop(black_box(f()));
            Some(cpu_ms()? - start)
        })
        .min()
        .flatten()
}

fn bench_size(c: &mut Criterion, label: &str, cis: usize) {
    let org = Organisation::generate(&OrgSpec::new(cis, 42));
    let cmdb = Cmdb::from_parts(org.parts.clone()).expect("generated organisation loads");
    cmdb.prepare();
    let analyses: Vec<BusinessImpact> = org
        .services
        .iter()
        .map(|s| analysis(cmdb.ci(*s).expect("service")))
        .collect();
    let entries: Vec<CiRecovery> = cmdb.cis().filter_map(recovery).collect();
    let dc = Disaster::Facility(*org.facilities.first().expect("data centres"));
    // A failure that matters but is not the whole estate: of the first 2000 hosts, the one
    // that takes most CIs down with it (the plan reads only what it affects).
    let host = *org
        .hosts
        .iter()
        .take(2000)
        .max_by_key(|h| cmdb.impact_of(&[**h]).expect("host").down_count())
        .expect("hosts");
    let host = Disaster::Cis(vec![host]);

    // Show what is measured.
    let t = Instant::now();
    let plan = plan_recovery(&cmdb, &analyses, &dc, &entries).expect("plan");
    let took = t.elapsed();
    let late = plan
        .services
        .iter()
        .filter(|s| s.rto_met() == Some(false))
        .count();
    eprintln!(
        "[{label}] {} CIs, {} services with an analysis, {} recovery entries; data centre: {} CIs down in {} cycles, {} services down ({late} past their RTO), {} backups checked, {} findings, last CI up after {} h; one plan {took:.2?}",
        cmdb.len(),
        analyses.len(),
        entries.len(),
        plan.steps.len(),
        plan.cycles.len(),
        plan.services.len(),
        plan.backups.len(),
        plan.findings.len(),
        plan.completed_s / H,
    );
    drop(plan);
    let small = plan_recovery(&cmdb, &analyses, &host, &entries).expect("plan");
    eprintln!(
        "[{label}] host: {} CIs down, {} services down, {} findings",
        small.steps.len(),
        small.services.len(),
        small.findings.len()
    );
    drop(small);
    let show = |ms: Option<u64>| ms.map_or_else(|| "n/a".to_owned(), |ms| format!("{ms} ms"));
    eprintln!(
        "[{label}] CPU time (least of 3): plan/data_centre {}, plan/host {}, flow_down {}",
        show(least_cpu_ms(|| plan_recovery(
            &cmdb, &analyses, &dc, &entries
        ))),
        show(least_cpu_ms(|| plan_recovery(
            &cmdb, &analyses, &host, &entries
        ))),
        show(least_cpu_ms(|| flow_down(&cmdb, &analyses))),
    );

    let mut g = c.benchmark_group(format!("continuity/{label}"));
    if cis >= 1_000_000 {
        g.sample_size(10).measurement_time(Duration::from_secs(40));
    } else {
        g.sample_size(20);
    }
    g.bench_function("plan_recovery/data_centre", |b| {
        b.iter(|| plan_recovery(&cmdb, &analyses, black_box(&dc), &entries).expect("plan"))
    });
    g.bench_function("plan_recovery/host", |b| {
        b.iter(|| plan_recovery(&cmdb, &analyses, black_box(&host), &entries).expect("plan"))
    });
    g.bench_function("flow_down", |b| {
        b.iter(|| flow_down(&cmdb, black_box(&analyses)).expect("flow"))
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_size(&mut c, "100k", 100_000);
    bench_size(&mut c, "1m", 1_000_000);
    c.final_summary();
}
