//! Availability benchmarks on the testkit organisations.
//!
//! Prediction: the predicted availability of a domain portal service (about 10 800
//! dependencies) of the 100k-CI organisation, with an availability per CI kind: from a built
//! structure, from the CMDB (building the structure included), and by Monte Carlo. Peers
//! measured in the same run: the portal's bill of materials (`dependencies_of`, the walk every
//! prediction from the CMDB starts with) and its single points of failure.
//!
//! `cargo bench --bench availability` (all) or `cargo bench --bench availability -- predict`.
#![expect(
    clippy::expect_used,
    reason = "bench setup on generated data that is valid by construction"
)]

use std::hint::black_box;

use criterion::Criterion;
use itsm::availability::predict::{Availability, PredictOptions, Structure};
use itsm::cmdb::{Ci, CiKind, Cmdb};
use itsm_testkit::{OrgSpec, Organisation};
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

fn main() {
    let mut c = Criterion::default().configure_from_args();
    predict_benches(&mut c);
    c.final_summary();
}
