//! Risk register benchmarks on a register of 100 000 risks: the report for one month and the
//! escalations since the start of that month.
//!
//! `cargo bench --bench risk`
#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "bench setup on data that is valid by construction"
)]

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::Criterion;
use itsm::core::{Actor, Division, Period, Role};
use itsm::risk::{
    Assessment, Authority, NewAction, NewRisk, RiskAppetite, RiskKind, RiskMatrix, RiskRegister,
    Score,
};
use itsm_testkit::Rng;

const IMPACT: [&str; 5] = [
    "Insignificant",
    "Minor",
    "Moderate",
    "Major",
    "Catastrophic",
];
const LIKELIHOOD: [&str; 5] = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];
const CATEGORIES: [&str; 8] = [
    "supplier",
    "continuity",
    "security",
    "change",
    "people",
    "capacity",
    "financial",
    "compliance",
];

/// 100k risks identified over two years, most assessed twice, a third with actions, some
/// closed, some materialized: about 2.5 operations per risk.
fn register(n: usize) -> (RiskRegister, DateTime<Utc>) {
    let divisions: Vec<_> = (0..4)
        .map(|i| {
            Division::new(&format!("d{i}"), "Division")
                .expect("division")
                .id
        })
        .collect();
    let appetite = RiskAppetite {
        default_threshold: "Medium".into(),
        divisions: divisions
            .iter()
            .enumerate()
            .map(|(i, _)| {
                (
                    format!("d{i}"),
                    if i % 2 == 0 { "Low" } else { "Medium" }.to_owned(),
                )
            })
            .collect(),
        authority: vec![
            Authority {
                role: Role::RiskOwner,
                up_to: "Medium".into(),
            },
            Authority {
                role: Role::RiskManager,
                up_to: "High".into(),
            },
        ],
        escalate_at: "High".into(),
        corporate_at: Some("Critical".into()),
    };
    let mut reg = RiskRegister::new(RiskMatrix::standard_5x5(), appetite).expect("register");
    let rm = Actor::new("rm", "Risk manager", [Role::RiskManager, Role::RiskOwner]).expect("actor");
    let top = Actor::new("ceo", "CEO", [Role::TopManagement]).expect("actor");
    let mut rng = Rng::new(7);
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("time");
    let span = 730 * 24 * 60; // minutes in two years
    for k in 0..n {
        let at = start + TimeDelta::minutes(i64::try_from(k * span / n).expect("fits"));
        let mut new = NewRisk::new(
            format!("Risk {k}"),
            CATEGORIES[rng.below(CATEGORIES.len())],
            rm.id,
        );
        new.inherent = Some(Score::new(IMPACT[rng.below(5)], LIKELIHOOD[rng.below(5)]));
        new.division = Some(divisions[rng.below(divisions.len())]);
        new.review_interval_days = Some(90);
        if rng.chance(5) {
            new.kind = RiskKind::Opportunity;
        }
        let id = reg.identify(&rm, at, new).expect("identify").id;
        if rng.chance(60) {
            let r = Score::new(IMPACT[rng.below(3)], LIKELIHOOD[rng.below(3)]);
            let a = Assessment {
                residual: Some(r),
                rationale: Some("controls".into()),
                ..Assessment::default()
            };
            reg.assess(&top, at + TimeDelta::days(3), id, a)
                .expect("assess");
        }
        if rng.chance(35) {
            let due =
                (at + TimeDelta::days(i64::try_from(rng.below(120)).expect("fits"))).date_naive();
            let a = NewAction {
                description: "Mitigate".into(),
                owner: Some(rm.id),
                due,
            };
            reg.add_action(&rm, at + TimeDelta::days(4), id, a)
                .expect("action");
        }
        if rng.chance(3) {
            reg.materialize(&rm, at + TimeDelta::days(10), id, "it happened")
                .expect("materialize");
        }
    }
    (reg, start)
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let (reg, start) = register(100_000);
    let month_start = start + TimeDelta::days(365 + 304); // November 2026 is inside the span
    let month = Period::new(month_start, month_start + TimeDelta::days(30)).expect("period");
    let report = reg.report(month);
    eprintln!(
        "[risk] {} risks, {} escalations in all; month: {} new, {} escalations, {} overdue actions, {} reviews due",
        reg.len(),
        reg.all_escalations().len(),
        report.new.len(),
        report.escalations.len(),
        report.overdue_actions.len(),
        report.reviews_due.len()
    );
    let mut g = c.benchmark_group("risk/100k");
    g.bench_function("report_month", |b| b.iter(|| reg.report(black_box(month))));
    g.bench_function("report_month_markdown", |b| {
        b.iter(|| reg.report(black_box(month)).to_markdown())
    });
    g.bench_function("escalations_since_month_start", |b| {
        b.iter(|| reg.escalations(black_box(month_start)))
    });
    g.finish();
    c.final_summary();
}
