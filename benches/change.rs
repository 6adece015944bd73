//! Change engine benchmarks: assessing one change on the 1M-CI testkit organisation, and the
//! forward-schedule conflict sweep over 100 000 scheduled changes.
//!
//! `cargo bench --bench change`
#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "bench setup on data that is valid by construction"
)]

use std::hint::black_box;

use chrono::{TimeDelta, TimeZone, Utc};
use criterion::Criterion;
use itsm::change::{
    ApprovalRule, Approver, CategoryKind, ChangePolicy, MajorCriteria, NewChange, ScheduledChange,
    assess, find_conflicts,
};
use itsm::cmdb::Cmdb;
use itsm::core::{Id, Period};
use itsm::risk::RiskMatrix;
use itsm_testkit::{OrgSpec, Organisation, Rng};

fn policy() -> ChangePolicy {
    ChangePolicy {
        approvals: vec![
            ApprovalRule {
                category: CategoryKind::Normal,
                from_level: "Low".into(),
                approver: Approver::ChangeManager,
            },
            ApprovalRule {
                category: CategoryKind::Normal,
                from_level: "High".into(),
                approver: Approver::Cab { quorum: 3 },
            },
        ],
        major: MajorCriteria {
            risk_level_at_or_above: Some("Critical".into()),
            ..MajorCriteria::default()
        },
        ..ChangePolicy::default()
    }
}

/// 100 000 changes over a year, 1 to 8 hours each, on 50 000 CIs, 500 services and 300
/// implementers: a busy estate's forward schedule.
fn schedule(n: usize) -> Vec<ScheduledChange> {
    let mut rng = Rng::new(11);
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("time");
    (0..n)
        .map(|i| {
            let s =
                start + TimeDelta::minutes(i64::try_from(rng.below(365 * 24 * 60)).expect("fits"));
            let len = TimeDelta::hours(i64::try_from(1 + rng.below(8)).expect("fits"));
            ScheduledChange {
                change: u32::try_from(i + 1).expect("fits"),
                window: Period::new(s, s + len).expect("period"),
                cis: (0..1 + rng.below(3))
                    .map(|_| Id::from_u128(rng.below(50_000) as u128))
                    .collect(),
                services: (0..rng.below(3))
                    .map(|_| Id::from_u128(1_000_000 + rng.below(500) as u128))
                    .collect(),
                implementer: Some(Id::from_u128(rng.below(300) as u128)),
                emergency: rng.chance(3),
            }
        })
        .collect()
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let org = Organisation::generate(&OrgSpec::new(1_000_000, 42));
    let cmdb = Cmdb::from_parts(org.parts.clone()).expect("loads");
    cmdb.prepare();
    let (policy, matrix) = (policy(), RiskMatrix::standard_5x5());
    // A host that matters: the most depended-on of the first 2000.
    let host = *org
        .hosts
        .iter()
        .take(2000)
        .max_by_key(|h| cmdb.dependents_of(**h).map_or(0, |d| d.len()))
        .expect("hosts");
    let change = NewChange::new("Replace a host", vec![host]);
    let a = assess(&change, &cmdb, &matrix, &policy, &[]).expect("assess");
    eprintln!(
        "[change] 1M CIs: assessing a change to a host with {} dependents: {} CIs affected, {} services, level {}",
        cmdb.dependents_of(host).map_or(0, |d| d.len()),
        a.impacted_cis,
        a.impacted_services.len(),
        a.rating.level
    );
    let facility_change = NewChange::new("Data centre power work", vec![org.facilities[0]]);
    let b = assess(&facility_change, &cmdb, &matrix, &policy, &[]).expect("assess");
    eprintln!(
        "[change] data centre change: {} CIs affected, {} services",
        b.impacted_cis,
        b.impacted_services.len()
    );
    let items = schedule(100_000);
    let conflicts = find_conflicts(&items, &policy);
    eprintln!(
        "[change] 100k scheduled changes: {} conflicts",
        conflicts.len()
    );

    let mut g = c.benchmark_group("change");
    g.bench_function("assess/host_on_1m", |bch| {
        bch.iter(|| assess(black_box(&change), &cmdb, &matrix, &policy, &[]).expect("assess"))
    });
    g.sample_size(20);
    g.bench_function("assess/data_centre_on_1m", |bch| {
        bch.iter(|| {
            assess(black_box(&facility_change), &cmdb, &matrix, &policy, &[]).expect("assess")
        })
    });
    g.bench_function("conflict_sweep/100k", |bch| {
        bch.iter(|| find_conflicts(black_box(&items), &policy))
    });
    g.finish();
    c.final_summary();
}
