//! Change engine benchmarks: assessing one change on the 1M-CI testkit organisation, the
//! forward-schedule conflict sweep over 100 000 scheduled changes, the `conflicts` query with
//! 3 000 changes in one window on the same CIs (against the floor of listing the schedule), and
//! the maintenance check of a window over the whole range of time the engine accepts.
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
use itsm::core::{Calendar, Id, Period, bounds};
use itsm::engine::Query;
use itsm::risk::RiskMatrix;
use itsm_testkit::{OrgSpec, Organisation, Rng};

#[path = "../examples/conflicts.rs"]
#[expect(
    dead_code,
    reason = "the bench uses the example's builder, not its main"
)]
mod conflicts_example;

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
                needs: vec![],
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

    // Issue 8: 3 000 changes in one night on the same two CIs, service and implementer.
    let sms = conflicts_example::build(3_000).expect("engine");
    let answer = sms.query_json(r#"{"format": 1, "query": "conflicts"}"#);
    eprintln!(
        "[change] 3 000 changes in one window: {} changes scheduled, conflicts answer of {} bytes",
        sms.changes().forward_schedule(sms.cmdb()).len(),
        answer.len()
    );
    // One change whose window covers 1900-9999, on a service with nightly maintenance hours.
    let svc: Id<itsm::cmdb::Ci> = Id::from_key("svc");
    let long = [ScheduledChange {
        change: 1,
        window: Period::new(bounds::EARLIEST, bounds::LATEST).expect("period"),
        cis: vec![],
        services: vec![svc],
        implementer: None,
        emergency: false,
        needs: vec![],
    }];
    let nightly = ChangePolicy {
        maintenance: [(
            svc,
            Calendar::business_hours(0, 0, 6 * 60).expect("calendar"),
        )]
        .into_iter()
        .collect(),
        ..ChangePolicy::default()
    };
    let mut g = c.benchmark_group("conflicts");
    g.bench_function("one_window_3000/forward_schedule_floor", |bch| {
        bch.iter(|| black_box(&sms).changes().forward_schedule(sms.cmdb()))
    });
    g.bench_function("one_window_3000/conflicts", |bch| {
        bch.iter(|| black_box(&sms).changes().conflicts(sms.cmdb()))
    });
    g.bench_function("one_window_3000/query", |bch| {
        bch.iter(|| black_box(&sms).query(&Query::Conflicts {}).expect("answer"))
    });
    g.bench_function("one_window_3000/query_json", |bch| {
        bch.iter(|| black_box(&sms).query_json(r#"{"format": 1, "query": "conflicts"}"#))
    });
    g.bench_function("window_1900_to_9999_with_maintenance", |bch| {
        bch.iter(|| find_conflicts(black_box(&long), &nightly))
    });
    g.finish();
    c.final_summary();
}
