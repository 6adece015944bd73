//! The change engine at the extremes of time: nothing panics, sums do not overflow.
#![expect(clippy::unwrap_used, reason = "tests: a panic is a failing test")]

mod common;

use chrono::{DateTime, Utc};
use common::*;
use itsm_change::*;
use itsm_core::{Period, bounds};

#[test]
fn lead_time_sums_do_not_overflow_over_the_whole_range_of_time() {
    // 1 200 emergency changes submitted at chrono's earliest instant and implemented at the
    // engine's latest: their lead times (about 272 000 years each) add up to more than a
    // `TimeDelta` holds, which made `metrics` panic.
    let (mut reg, p) = (register(), people());
    let mut cmdb = cmdb();
    let first = DateTime::<Utc>::MIN_UTC;
    let last = bounds::LATEST - chrono::TimeDelta::days(1);
    for _ in 0..1_200 {
        let mut new = NewChange::new("urgent fix", vec![id("host-2")]);
        new.category = Category::Emergency;
        let c = reg.raise(&p.dev, first, &cmdb, new).unwrap().id;
        reg.submit(&p.dev, first, c).unwrap();
        reg.assess(&p.cm, first, c, &cmdb).unwrap();
        reg.approve(&p.ecab, first, c).unwrap();
        reg.start(&p.dev, first, c, &cmdb).unwrap();
        reg.complete(&p.dev, last, c, Outcome::Successful, &mut cmdb)
            .unwrap();
    }
    let whole = Period::new(bounds::EARLIEST, bounds::LATEST).unwrap();
    let m = reg.metrics(whole, None);
    assert_eq!(m.implemented, 1_200);
    assert_eq!(m.mean_lead_time_hours, m.max_lead_time_hours);
    let span = last.signed_duration_since(first).num_seconds();
    assert_eq!(
        m.max_lead_time_hours,
        (rust_decimal::Decimal::from(span) / rust_decimal::Decimal::from(3600)).round_dp(1)
    );
}
