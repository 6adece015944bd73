//! Availability benchmarks on the testkit organisations (issue 10).
//!
//! Prediction: the predicted availability of a domain portal service (about 10 800
//! dependencies) of the 100k-CI organisation, with an availability per CI kind: from a built
//! structure, from the CMDB (building the structure included), and by Monte Carlo. Peers
//! measured in the same run: the portal's bill of materials (`dependencies_of`, the walk every
//! prediction from the CMDB starts with) and its single points of failure.
//!
//!
//! Measured availability:
//! - `measured/record_10k_outages_100k`: a year (2026) of 10 000 CI outages on the 100k-CI
//!   organisation, each recorded with its end, so the register derives the services it
//!   affected through the graph and keeps them;
//! - `measured/every_service_every_month_100k`: then the availability of every service with a
//!   target (all of them) for each month of the year: 12 measurements of every service, each
//!   within London business hours with the outages kept.
//!
//! `cargo bench --bench availability` (all), `-- predict` or `-- measured` (one part).
#![expect(
    clippy::expect_used,
    reason = "bench setup on generated data that is valid by construction"
)]

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{BatchSize, Criterion};
use itsm::availability::predict::{Availability, PredictOptions, Structure};
use itsm::availability::{
    AvailabilityRegister, Conventions, MeasurePeriod, Outage, OutageKind, OutageSource,
    OutageState, Percent,
};
use itsm::cmdb::{Ci, CiKind, Cmdb};
use itsm::core::{Calendar, Id, Zone};
use itsm_testkit::{OrgSpec, Organisation, Rng};
use rust_decimal::Decimal;

/// An availability per kind of CI: infrastructure and software fail, services and teams only
/// through them.
fn availability(ci: &Ci) -> Option<Availability> {
    let (mantissa, scale) = match ci.kind {
        CiKind::Facility => (99_999, 5),
        CiKind::Network | CiKind::Storage | CiKind::Software | CiKind::Application => (99_995, 5),
        CiKind::Hardware => (9_999, 4),
        _ => return None,
    };
    Some(Availability::Probability(Decimal::new(mantissa, scale)))
}

fn predict_benches(c: &mut Criterion) {
    let org = Organisation::generate(&OrgSpec::new(100_000, 42));
    let cmdb = Cmdb::from_parts(org.parts.clone()).expect("generated organisation loads");
    let portal = *org.portals.first().expect("a portal");
    let key = cmdb.ci(portal).expect("portal").key.clone();
    let structure = Structure::from_cmdb(&cmdb, portal, availability).expect("structure");
    let options = PredictOptions::new(1, 100_000);
    let exact = structure.predict(&key, &options).expect("prediction");
    let mut forced = options;
    forced.exact_limit = 0;
    let estimate = structure.predict(&key, &forced).expect("estimate");
    eprintln!(
        "[100k] portal `{key}`: {} components, {} needs, {} groups; exact {} ({} shared, width {}): {:.6}; Monte Carlo ({} samples): {:.6} in [{:.6}, {:.6}]; {} limiting, first `{}`",
        structure.len(),
        structure.spec().needs.len(),
        structure.spec().groups.len(),
        exact.exact,
        exact.shared,
        exact.width,
        exact.availability,
        estimate.samples,
        estimate.availability,
        estimate.interval.map_or(0.0, |i| i.low),
        estimate.interval.map_or(0.0, |i| i.high),
        exact.limiting.len(),
        exact.limiting.first().map_or("", |i| i.key.as_str()),
    );

    let mut g = c.benchmark_group("availability/predict_100k");
    g.sample_size(20);
    g.bench_function("portal", |b| {
        b.iter(|| {
            structure
                .predict(black_box(&key), &options)
                .expect("prediction")
        })
    });
    g.bench_function("portal_from_cmdb", |b| {
        b.iter(|| {
            Structure::from_cmdb(&cmdb, black_box(portal), availability)
                .expect("structure")
                .predict(&key, &options)
                .expect("prediction")
        })
    });
    g.bench_function("portal_monte_carlo_100k_samples", |b| {
        b.iter(|| {
            structure
                .predict(black_box(&key), &forced)
                .expect("estimate")
        })
    });
    g.bench_function("peer_dependencies_of_portal", |b| {
        b.iter(|| cmdb.dependencies_of(black_box(portal)).expect("portal"))
    });
    g.bench_function("peer_single_points_of_failure_portal", |b| {
        b.iter(|| {
            cmdb.single_points_of_failure(black_box(portal))
                .expect("portal")
        })
    });
    g.finish();
}

const CONVENTIONS: Conventions = Conventions {
    planned_leaves_denominator: false,
    count_outages_outside_hours: false,
    degraded_counts_as_down: false,
};

/// 10 000 outages of random CIs in 2026, 5 minutes to 8 hours each, one in ten planned.
fn outages(cmdb: &Cmdb, seed: u64) -> Vec<Outage> {
    let ids: Vec<Id<Ci>> = cmdb.cis().map(|c| c.id).collect();
    let mut rng = Rng::new(seed);
    let year = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("date");
    let mut list: Vec<Outage> = (0..10_000)
        .map(|i| {
            let start = year
                + TimeDelta::seconds(
                    i64::try_from(rng.below(365 * 86_400 - 8 * 3600)).unwrap_or(0),
                );
            let length =
                TimeDelta::seconds(i64::try_from(rng.between(300, 8 * 3600)).unwrap_or(300));
            Outage {
                key: format!("o-{i}"),
                ci: *ids.get(rng.below(ids.len())).expect("a CI"),
                start,
                end: Some(start + length),
                state: if rng.chance(10) {
                    OutageState::Degraded
                } else {
                    OutageState::Down
                },
                kind: if rng.chance(10) {
                    OutageKind::Planned
                } else {
                    OutageKind::Unplanned
                },
                source: OutageSource::Incident {
                    reference: format!("INC-{i}"),
                },
            }
        })
        .collect();
    list.sort_by_key(|o| o.end);
    list
}

fn targets(cmdb: &Cmdb, services: &[Id<Ci>]) -> AvailabilityRegister {
    let hours =
        Calendar::business_hours_in(Zone::named("Europe/London").expect("zone"), 8 * 60, 18 * 60)
            .expect("hours");
    let target = Percent::new(Decimal::new(995, 1)).expect("99.5");
    let since = Utc
        .with_ymd_and_hms(2025, 12, 1, 0, 0, 0)
        .single()
        .expect("date");
    let mut reg = AvailabilityRegister::new();
    for s in services {
        if cmdb.ci(*s).is_some() {
            reg.set_target(*s, hours.clone(), target, CONVENTIONS, since)
                .expect("target");
        }
    }
    reg
}

fn record(cmdb: &Cmdb, reg: &mut AvailabilityRegister, outages: &[Outage]) {
    for o in outages {
        let at: DateTime<Utc> = o.end.unwrap_or(o.start);
        reg.record_outage(cmdb, o.clone(), at).expect("outage");
    }
}

fn measured(c: &mut Criterion) {
    let org = Organisation::generate(&OrgSpec::new(100_000, 42));
    let cmdb = Cmdb::from_parts(org.parts.clone()).expect("generated organisation loads");
    cmdb.prepare();
    let list = outages(&cmdb, 7);
    let base = targets(&cmdb, &org.services);
    let mut g = c.benchmark_group("measured");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("record_10k_outages_100k", |b| {
        b.iter_batched(
            || base.clone(),
            |mut reg| {
                record(&cmdb, &mut reg, &list);
                reg
            },
            BatchSize::LargeInput,
        );
    });
    let mut reg = base.clone();
    record(&cmdb, &mut reg, &list);
    let zone = Zone::named("Europe/London").expect("zone");
    let months: Vec<_> = (1..=12)
        .map(|month| {
            MeasurePeriod::Month { year: 2026, month }
                .resolve(&zone)
                .expect("month")
        })
        .collect();
    let services: Vec<Id<Ci>> = reg.services().collect();
    let as_of = Utc
        .with_ymd_and_hms(2027, 1, 1, 0, 0, 0)
        .single()
        .expect("date");
    let count = |reg: &AvailabilityRegister| {
        months
            .iter()
            .map(|p| {
                reg.measure_services(&cmdb, &services, p, None, as_of, |_| Vec::new())
                    .expect("measured")
                    .len()
            })
            .sum::<usize>()
    };
    eprintln!(
        "{} services with targets; {} measurements a year; {} service-months below target",
        services.len(),
        count(&reg),
        months
            .iter()
            .map(|p| reg
                .measure_services(&cmdb, &services, p, None, as_of, |_| Vec::new())
                .expect("measured")
                .iter()
                .filter(|a| !a.measurement.met)
                .count())
            .sum::<usize>()
    );
    g.bench_function("every_service_every_month_100k", |b| {
        b.iter(|| count(black_box(&reg)));
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    predict_benches(&mut c);
    measured(&mut c);
    c.final_summary();
}
