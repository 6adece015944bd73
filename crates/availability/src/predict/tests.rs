//! Predictions against hand results and against brute force over every component state.

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;

fn structure(
    components: &[(&str, Option<Decimal>)],
    needs: &[(&str, &str)],
    groups: &[(&str, &[&str], usize)],
) -> Structure {
    Structure::new(StructureSpec {
        components: components
            .iter()
            .map(|(k, p)| ComponentSpec {
                key: (*k).to_owned(),
                availability: p.map(Availability::Probability),
            })
            .collect(),
        needs: needs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect(),
        groups: groups
            .iter()
            .map(|(d, m, k)| GroupSpec {
                dependent: (*d).to_owned(),
                members: m.iter().map(|x| (*x).to_owned()).collect(),
                min_up: *k,
            })
            .collect(),
    })
    .unwrap()
}

fn options() -> PredictOptions {
    PredictOptions::new(1, 10_000)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

fn importance(p: &Prediction, key: &str) -> f64 {
    p.limiting
        .iter()
        .find(|i| i.key == key)
        .map_or(0.0, |i| i.birnbaum)
}

/// Brute force: every state of the components that can fail, each state's down set by the
/// plain fixpoint of the impact rules.
struct Brute {
    n: usize,
    prob: Vec<f64>,
    plain: Vec<u32>,
    groups: Vec<Vec<(u32, u32)>>,
}

impl Brute {
    fn new(s: &Structure) -> Self {
        let n = s.len();
        let mut plain = vec![0u32; n];
        let mut groups: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
        for (v, deps) in s.deps.iter().enumerate() {
            for &(w, g) in deps {
                if g == model::NO_GROUP {
                    plain[v] |= 1 << w;
                }
            }
        }
        for g in &s.spec().groups {
            let d = s.index[&g.dependent] as usize;
            let mask = g.members.iter().fold(0u32, |m, k| m | (1 << s.index[k]));
            groups[d].push((mask, u32::try_from(g.min_up).unwrap()));
        }
        Self {
            n,
            prob: s.prob.clone(),
            plain,
            groups,
        }
    }

    fn down(&self, failed: u32) -> u32 {
        let mut down = failed;
        loop {
            let mut changed = false;
            for v in 0..self.n {
                if down & (1 << v) != 0 {
                    continue;
                }
                let bad = self.plain[v] & down != 0
                    || self.groups[v]
                        .iter()
                        .any(|(m, k)| (m & !down).count_ones() < *k);
                if bad {
                    down |= 1 << v;
                    changed = true;
                }
            }
            if !changed {
                return down;
            }
        }
    }

    /// P(service up) and every component's Birnbaum importance.
    fn solve(&self, service: usize) -> (f64, Vec<f64>) {
        let random: Vec<usize> = (0..self.n).filter(|i| self.prob[*i] < 1.0).collect();
        let r = random.len();
        let mut phi = vec![false; 1 << r];
        let mut w = vec![1.0; 1 << r];
        for s in 0..(1usize << r) {
            let mut failed = 0u32;
            for (j, &c) in random.iter().enumerate() {
                if s & (1 << j) == 0 {
                    failed |= 1 << c;
                    w[s] *= 1.0 - self.prob[c];
                } else {
                    w[s] *= self.prob[c];
                }
            }
            phi[s] = self.down(failed) & (1 << service) == 0;
        }
        let p: f64 = (0..(1usize << r)).filter(|s| phi[*s]).map(|s| w[s]).sum();
        let mut imp = vec![0.0; self.n];
        for (j, &c) in random.iter().enumerate() {
            let mut sum = 0.0;
            for s in 0..(1usize << r) {
                if s & (1 << j) != 0 {
                    let d = f64::from(u8::from(phi[s])) - f64::from(u8::from(phi[s ^ (1 << j)]));
                    sum += d * w[s] / self.prob[c];
                }
            }
            imp[c] = sum;
        }
        (p, imp)
    }
}

fn check_against_brute(s: &Structure, service: &str) -> Result<(), TestCaseError> {
    let prediction = s.predict(service, &options()).unwrap();
    prop_assert!(prediction.exact, "not exact: {} shared", prediction.shared);
    let brute = Brute::new(s);
    let (p, imp) = brute.solve(s.index[service] as usize);
    prop_assert!(
        close(prediction.availability, p),
        "availability {} vs brute force {}",
        prediction.availability,
        p
    );
    for (c, spec) in s.spec().components.iter().enumerate() {
        let got = importance(&prediction, &spec.key);
        prop_assert!(
            close(got, imp[c]),
            "importance of `{}`: {} vs brute force {}",
            spec.key,
            got,
            imp[c]
        );
    }
    for pair in prediction.limiting.windows(2) {
        prop_assert!(
            pair[0].birnbaum > pair[1].birnbaum
                || (pair[0].birnbaum == pair[1].birnbaum && pair[0].key < pair[1].key)
        );
    }
    for i in &prediction.limiting {
        prop_assert!(s.prob[s.index[&i.key] as usize] < 1.0);
    }
    Ok(())
}

#[test]
fn series_and_parallel_by_hand() {
    // web needs lb and 1 of {a, b}; a and b need db.
    let s = structure(
        &[
            ("web", None),
            ("lb", Some(dec!(0.99))),
            ("a", Some(dec!(0.9))),
            ("b", Some(dec!(0.8))),
            ("db", Some(dec!(0.999))),
        ],
        &[
            ("web", "lb"),
            ("web", "a"),
            ("web", "b"),
            ("a", "db"),
            ("b", "db"),
        ],
        &[("web", &["a", "b"], 1)],
    );
    let p = s.predict("web", &options()).unwrap();
    assert!(p.exact);
    // db is shared by a and b: counted once.
    let expected = 0.99 * 0.999 * (1.0 - 0.1 * 0.2);
    assert!(close(p.availability, expected), "{}", p.availability);
    let keys: Vec<&str> = p.limiting.iter().map(|i| i.key.as_str()).collect();
    // In series the less available component matters more: I_B(lb) = P / 0.99 > I_B(db) = P / 0.999.
    assert_eq!(keys, ["lb", "db", "a", "b"]);
    assert!(close(importance(&p, "lb"), expected / 0.99));
    assert!(close(importance(&p, "a"), 0.99 * 0.999 * 0.2));
    check_against_brute(&s, "web").unwrap();
}

#[test]
fn a_cycle_nothing_failed_feeds_stays_up() {
    // a and b need each other; a also needs c. Nothing else can fail.
    let s = structure(
        &[("a", None), ("b", None), ("c", Some(dec!(0.9)))],
        &[("a", "b"), ("b", "a"), ("a", "c")],
        &[],
    );
    let p = s.predict("b", &options()).unwrap();
    assert!(close(p.availability, 0.9));
    assert_eq!(p.limiting.len(), 1);
    let alone = structure(&[("a", None), ("b", None)], &[("a", "b"), ("b", "a")], &[]);
    assert!(close(
        alone.predict("a", &options()).unwrap().availability,
        1.0
    ));
}

#[test]
fn a_cycle_through_a_group_is_a_fixpoint() {
    // x needs 1 of {y, z}; y needs x (a cycle through the group); z can fail.
    let s = structure(
        &[
            ("x", Some(dec!(0.9))),
            ("y", Some(dec!(0.8))),
            ("z", Some(dec!(0.7))),
        ],
        &[("x", "y"), ("x", "z"), ("y", "x")],
        &[("x", &["y", "z"], 1)],
    );
    // In the least fixpoint, y's only way up runs through x itself: x is up iff x and
    // (z, or y with x up). With x up, y up needs only y: x up iff x and (z or y).
    let expected = 0.9 * (1.0 - 0.3 * 0.2);
    let p = s.predict("x", &options()).unwrap();
    assert!(close(p.availability, expected), "{}", p.availability);
    check_against_brute(&s, "x").unwrap();
    check_against_brute(&s, "y").unwrap();
}

#[test]
fn a_bridge_is_counted_exactly() {
    // The classic bridge: s needs 1 of {l, r}; l needs 1 of {a, m}, r needs 1 of {b, m}.
    let s = structure(
        &[
            ("s", None),
            ("l", None),
            ("r", None),
            ("a", Some(dec!(0.9))),
            ("b", Some(dec!(0.8))),
            ("m", Some(dec!(0.7))),
            ("x", Some(dec!(0.6))),
            ("y", Some(dec!(0.5))),
        ],
        &[
            ("s", "l"),
            ("s", "r"),
            ("l", "a"),
            ("l", "m"),
            ("r", "b"),
            ("r", "m"),
            ("a", "x"),
            ("b", "y"),
        ],
        &[
            ("s", &["l", "r"], 1),
            ("l", &["a", "m"], 1),
            ("r", &["b", "m"], 1),
        ],
    );
    check_against_brute(&s, "s").unwrap();
    assert_eq!(s.predict("s", &options()).unwrap().shared, 1);
}

#[test]
fn a_group_member_left_unneeded_is_no_internal_error() {
    // web needs a outside any group and 1 of {c, b}; a and c need each other, so they are up
    // or down together and web never needs b: b is irrelevant.
    let s = structure(
        &[
            ("web", None),
            ("a", Some(dec!(0.9))),
            ("c", Some(dec!(0.8))),
            ("b", Some(dec!(0.7))),
        ],
        &[
            ("web", "a"),
            ("web", "c"),
            ("web", "b"),
            ("a", "c"),
            ("c", "a"),
        ],
        &[("web", &["c", "b"], 1)],
    );
    let p = s.predict("web", &options()).unwrap();
    assert!(close(p.availability, 0.72), "{}", p.availability);
    assert_eq!(importance(&p, "b"), 0.0);
    check_against_brute(&s, "web").unwrap();
}

#[test]
fn always_up_and_certain_components_do_not_limit() {
    let s = structure(
        &[
            ("web", None),
            ("db", Some(dec!(1))),
            ("dns", Some(dec!(0.5))),
        ],
        &[("web", "db"), ("web", "dns")],
        &[],
    );
    let p = s.predict("web", &options()).unwrap();
    assert!(close(p.availability, 0.5));
    assert_eq!(
        p.limiting,
        vec![Importance {
            key: "dns".into(),
            birnbaum: 1.0
        }]
    );
    // A component that never works.
    let dead = structure(
        &[("web", None), ("db", Some(dec!(0)))],
        &[("web", "db")],
        &[],
    );
    let p = dead.predict("web", &options()).unwrap();
    assert!(close(p.availability, 0.0));
    assert_eq!(
        p.limiting,
        vec![Importance {
            key: "db".into(),
            birnbaum: 1.0
        }]
    );
}

#[test]
fn unknown_service_and_bad_options_are_refused() {
    let s = structure(&[("web", None)], &[], &[]);
    assert_eq!(
        s.predict("shop", &options()).unwrap_err().to_string(),
        "unknown component `shop` in `service`: list it in `components` (without `availability` it is always up)"
    );
    let mut o = options();
    o.samples = 0;
    assert_eq!(
        s.predict("web", &o).unwrap_err().to_string(),
        "prediction option `samples` is invalid: `0` is not between 1 and 1000000000000 samples"
    );
    // Regression: a sample count past memory used to size a queue by pass before any check.
    o.samples = u64::MAX;
    assert!(matches!(
        s.predict("web", &o).unwrap_err(),
        PredictError::InvalidOption {
            field: "samples",
            ..
        }
    ));
    let mut o = options();
    o.cell_limit = usize::MAX;
    assert!(matches!(
        s.predict("web", &o).unwrap_err(),
        PredictError::InvalidOption {
            field: "cell_limit",
            ..
        }
    ));
    let mut o = options();
    o.exact_limit = 31;
    assert!(matches!(
        s.predict("web", &o).unwrap_err(),
        PredictError::InvalidOption {
            field: "exact_limit",
            ..
        }
    ));
}

fn bridge() -> Structure {
    // s needs 1 of {l, r}; l needs 1 of {a, m}, r needs 1 of {b, m}: m is shared.
    structure(
        &[
            ("s", None),
            ("l", None),
            ("r", None),
            ("a", Some(dec!(0.6))),
            ("b", Some(dec!(0.5))),
            ("m", Some(dec!(0.7))),
            ("x", Some(dec!(0.9))),
        ],
        &[
            ("s", "l"),
            ("s", "r"),
            ("s", "x"),
            ("l", "a"),
            ("l", "m"),
            ("r", "b"),
            ("r", "m"),
        ],
        &[
            ("s", &["l", "r"], 1),
            ("l", &["a", "m"], 1),
            ("r", &["b", "m"], 1),
        ],
    )
}

fn forced(seed: u64, samples: u64) -> PredictOptions {
    let mut o = PredictOptions::new(seed, samples);
    o.exact_limit = 0;
    o
}

#[test]
fn monte_carlo_interval_contains_the_exact_value() {
    let s = bridge();
    let exact = s.predict("s", &options()).unwrap();
    assert!(exact.exact);
    assert_eq!(exact.interval, None);
    assert_eq!(exact.samples, 0);
    for seed in 1..=8 {
        let estimate = s.predict("s", &forced(seed, 20_000)).unwrap();
        assert!(!estimate.exact);
        assert_eq!(estimate.samples, 20_000);
        let interval = estimate.interval.unwrap();
        assert!(
            interval.low <= exact.availability && exact.availability <= interval.high,
            "seed {seed}: {} not in [{}, {}]",
            exact.availability,
            interval.low,
            interval.high
        );
        assert!(interval.low <= estimate.availability && estimate.availability <= interval.high);
        assert!(interval.high - interval.low < 0.02);
    }
}

#[test]
fn monte_carlo_same_seed_same_answer() {
    let s = bridge();
    let a = s.predict("s", &forced(7, 5_000)).unwrap();
    let b = s.predict("s", &forced(7, 5_000)).unwrap();
    assert_eq!(a, b);
    let c = s.predict("s", &forced(8, 5_000)).unwrap();
    assert_ne!(a.availability, c.availability);
    // A run that does not fill its last pass of samples counts only the samples asked for.
    let odd = s.predict("s", &forced(7, 1_001)).unwrap();
    assert_eq!(odd.samples, 1_001);
    assert!(odd.availability * 1_001.0 - (odd.availability * 1_001.0).round() < 1e-9);
}

#[test]
fn monte_carlo_importance_estimates_birnbaum() {
    let s = bridge();
    let exact = s.predict("s", &options()).unwrap();
    let estimate = s.predict("s", &forced(3, 400_000)).unwrap();
    for i in &exact.limiting {
        let e = importance(&estimate, &i.key);
        assert!(
            (e - i.birnbaum).abs() < 0.01,
            "`{}`: estimated {e}, exact {}",
            i.key,
            i.birnbaum
        );
    }
    // The exact order: x first (a series component), then the shared m.
    let keys: Vec<&str> = exact.limiting.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys.first(), Some(&"x"));
    assert_eq!(keys.get(1), Some(&"m"));
}

#[test]
fn monte_carlo_when_a_table_passes_the_limit_mid_unit() {
    // Regression: a unit whose schedule stopped at the limit went on to build its last table
    // over variables not yet summed out, an internal error instead of the estimate. Here every
    // unit depends on one shared component at most, but s's group on two.
    let s = structure(
        &[
            ("s", None),
            ("l", None),
            ("r", None),
            ("u", None),
            ("w", None),
            ("a", Some(dec!(0.6))),
            ("b", Some(dec!(0.5))),
            ("c", Some(dec!(0.4))),
            ("d", Some(dec!(0.3))),
            ("m1", Some(dec!(0.7))),
            ("m2", Some(dec!(0.8))),
        ],
        &[
            ("s", "l"),
            ("s", "r"),
            ("s", "u"),
            ("s", "w"),
            ("l", "a"),
            ("l", "m1"),
            ("r", "b"),
            ("r", "m2"),
            ("u", "m1"),
            ("u", "c"),
            ("w", "m2"),
            ("w", "d"),
        ],
        &[
            ("s", &["l", "r"], 1),
            ("l", &["a", "m1"], 1),
            ("r", &["b", "m2"], 1),
            ("u", &["m1", "c"], 1),
            ("w", &["m2", "d"], 1),
        ],
    );
    let mut o = options();
    o.exact_limit = 1;
    let estimate = s.predict("s", &o).unwrap();
    assert!(!estimate.exact);
    o.exact_limit = 2;
    let exact = s.predict("s", &o).unwrap();
    assert!(exact.exact);
    assert_eq!((exact.shared, exact.width), (2, 2));
    check_against_brute(&s, "s").unwrap();
}

#[test]
fn public_types_round_trip_through_serde() {
    let s = bridge();
    for p in [
        s.predict("s", &options()).unwrap(),
        s.predict("s", &forced(1, 1_000)).unwrap(),
    ] {
        // Through a JSON value the numbers are kept exactly; through text serde_json may read
        // a float back one unit in the last place off, so the text round trip is checked to
        // within that.
        let value = serde_json::to_value(&p).unwrap();
        assert_eq!(serde_json::from_value::<Prediction>(value).unwrap(), p);
        let back: Prediction = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back.limiting.len(), p.limiting.len());
        assert!((back.availability - p.availability).abs() <= f64::EPSILON);
        for (a, b) in back.limiting.iter().zip(&p.limiting) {
            assert_eq!(a.key, b.key);
            assert!((a.birnbaum - b.birnbaum).abs() <= f64::EPSILON);
        }
        assert_eq!(
            (back.exact, back.samples, back.shared, back.width),
            (p.exact, p.samples, p.shared, p.width)
        );
    }
    let o = forced(9, 77);
    let json = serde_json::to_string(&o).unwrap();
    assert_eq!(serde_json::from_str::<PredictOptions>(&json).unwrap(), o);
    for a in [
        Availability::Probability(dec!(0.25)),
        Availability::Mtbf(Mtbf {
            mtbf_s: 10,
            mttr_s: 2,
        }),
    ] {
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Availability>(&json).unwrap(), a);
    }
    assert_eq!(
        serde_json::to_string(&Availability::Probability(dec!(0.25))).unwrap(),
        r#""0.25""#
    );
    let err = serde_json::from_str::<Availability>("0.25")
        .unwrap_err()
        .to_string();
    assert!(err.contains("a probability as a decimal string"), "{err}");
    let spec = s.spec().clone();
    let json = serde_json::to_string(&spec).unwrap();
    assert_eq!(serde_json::from_str::<StructureSpec>(&json).unwrap(), spec);
    let i = Interval {
        low: 0.1,
        high: 0.2,
    };
    assert_eq!(
        serde_json::from_str::<Interval>(&serde_json::to_string(&i).unwrap()).unwrap(),
        i
    );
}

mod from_cmdb {
    use itsm_cmdb::{Ci, CiKind, Cmdb, RedundancyGroup, Relation, RelationKind::*, ServiceProfile};

    use super::*;

    fn ci(key: &str, kind: CiKind) -> Ci {
        Ci::new(key, key.to_uppercase(), kind)
    }

    /// bank (service) bundles payments (part of); payments runs on 1 of {host-a, host-b};
    /// both hosts depend on dc; payments is documented by a manual (no failure travels).
    fn cmdb() -> Cmdb {
        let mut c = Cmdb::new();
        let svc = || CiKind::Service(ServiceProfile::default());
        for x in [
            ci("bank", svc()),
            ci("payments", svc()),
            ci("host-a", CiKind::Hardware),
            ci("host-b", CiKind::Hardware),
            ci("dc", CiKind::Facility),
            ci("manual", CiKind::Document),
            ci("elsewhere", CiKind::Hardware),
        ] {
            c.add_ci(x).unwrap();
        }
        let id = |k: &str| itsm_core::Id::<Ci>::from_key(k);
        let relations = [
            Relation::new(id("payments"), PartOf, id("bank")),
            Relation::new(id("payments"), RunsOn, id("host-a")),
            Relation::new(id("payments"), RunsOn, id("host-b")),
            Relation::new(id("host-a"), DependsOn, id("dc")),
            Relation::new(id("host-b"), DependsOn, id("dc")),
            Relation::new(id("payments"), DocumentedBy, id("manual")),
            Relation::new(id("elsewhere"), DependsOn, id("dc")),
        ];
        for r in relations {
            c.relate(r).unwrap();
        }
        let group =
            RedundancyGroup::new("pair", id("payments"), vec![id("host-a"), id("host-b")], 1);
        c.add_group(group).unwrap();
        c
    }

    fn by_kind(ci: &Ci) -> Option<Availability> {
        match ci.kind {
            CiKind::Hardware => Some(Availability::Probability(dec!(0.9))),
            CiKind::Facility => Some(Availability::Mtbf(Mtbf {
                mtbf_s: 999,
                mttr_s: 1,
            })),
            CiKind::Document => Some(Availability::Probability(dec!(0.1))),
            _ => None,
        }
    }

    #[test]
    fn the_closure_of_a_service_with_its_groups() {
        let c = cmdb();
        let bank = c.ci_by_key("bank").unwrap().id;
        let s = Structure::from_cmdb(&c, bank, by_kind).unwrap();
        let mut keys: Vec<&str> = s.spec().components.iter().map(|x| x.key.as_str()).collect();
        keys.sort_unstable();
        // The manual carries no failure and `elsewhere` is not needed: neither is in.
        assert_eq!(keys, ["bank", "dc", "host-a", "host-b", "payments"]);
        assert_eq!(s.spec().groups.len(), 1);
        assert!(s.spec().needs.contains(&("bank".into(), "payments".into())));
        // Its plain form builds the same structure again.
        assert_eq!(Structure::new(s.spec().clone()).unwrap(), s);
        let p = s.predict("bank", &options()).unwrap();
        assert!(
            close(p.availability, 0.999 * (1.0 - 0.1 * 0.1)),
            "{}",
            p.availability
        );
        let keys: Vec<&str> = p.limiting.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["dc", "host-a", "host-b"]);
    }

    #[test]
    fn bad_availabilities_and_unknown_services_are_refused() {
        let c = cmdb();
        let bank = c.ci_by_key("bank").unwrap().id;
        let err = Structure::from_cmdb(&c, bank, |ci| {
            (ci.key == "dc").then_some(Availability::Probability(dec!(2)))
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "availability of `dc` (`availability`) is invalid: `2` is not a probability between 0 and 1"
        );
        let nowhere = itsm_core::Id::from_key("nowhere");
        assert!(matches!(
            Structure::from_cmdb(&c, nowhere, by_kind).unwrap_err(),
            PredictError::UnknownCi { .. }
        ));
    }
}

#[test]
fn the_readme_example_says_what_the_calculator_prints() {
    // README.md and examples/predict.rs show this input and answer.
    let s = Structure::new(StructureSpec {
        components: vec![
            ComponentSpec::always_up("web"),
            ComponentSpec::with_probability("a", dec!(0.99)),
            ComponentSpec::with_mtbf("b", 720_000, 3_600),
            ComponentSpec::with_probability("db", dec!(0.999)),
        ],
        needs: [("web", "a"), ("web", "b"), ("a", "db"), ("b", "db")]
            .map(|(x, y)| (x.to_owned(), y.to_owned()))
            .to_vec(),
        groups: vec![GroupSpec {
            dependent: "web".into(),
            members: vec!["a".into(), "b".into()],
            min_up: 1,
        }],
    })
    .unwrap();
    let p = s.predict("web", &options()).unwrap();
    assert!(p.exact);
    assert!(
        (p.availability - 0.998_950_298_507).abs() < 5e-13,
        "{}",
        p.availability
    );
    let keys: Vec<&str> = p.limiting.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["db", "b", "a"]);
}

fn arb_structure() -> impl Strategy<Value = Structure> {
    (1usize..=16)
        .prop_flat_map(|n| {
            (
                Just(n),
                proptest::collection::vec(0u32..1250, n),
                proptest::collection::vec((0..n, 0..n), 0..=3 * n),
                proptest::collection::vec((0..n, any::<u16>(), 0usize..4), 0..=n),
            )
        })
        .prop_map(|(_, probs, edges, groups)| {
            let key = |i: usize| format!("c{i}");
            let components = probs
                .iter()
                .enumerate()
                .map(|(i, p)| ComponentSpec {
                    key: key(i),
                    availability: (*p >= 250 && *p < 1249)
                        .then(|| Availability::Probability(Decimal::new(i64::from(*p - 249), 3))),
                })
                .collect();
            let mut needs: Vec<(usize, usize)> =
                edges.into_iter().filter(|(a, b)| a != b).collect();
            needs.sort_unstable();
            needs.dedup();
            let mut grouped = std::collections::HashSet::new();
            let mut gspecs = Vec::new();
            for (d, mask, k) in groups {
                let members: Vec<usize> = needs
                    .iter()
                    .filter(|(a, b)| *a == d && !grouped.contains(&(*a, *b)))
                    .map(|(_, b)| *b)
                    .enumerate()
                    .filter(|(j, _)| mask & (1 << (j % 16)) != 0)
                    .map(|(_, b)| b)
                    .collect();
                if members.is_empty() {
                    continue;
                }
                for m in &members {
                    grouped.insert((d, *m));
                }
                gspecs.push(GroupSpec {
                    dependent: key(d),
                    min_up: 1 + k % members.len(),
                    members: members.into_iter().map(key).collect(),
                });
            }
            Structure::new(StructureSpec {
                components,
                needs: needs.into_iter().map(|(a, b)| (key(a), key(b))).collect(),
                groups: gspecs,
            })
            .unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn exact_equals_brute_force_on_random_graphs(s in arb_structure(), service in 0usize..16) {
        let key = format!("c{}", service % s.len());
        check_against_brute(&s, &key)?;
    }
}

#[test]
fn the_issues_short_document_reads_with_implied_components_and_needs() {
    let spec: StructureSpec = serde_json::from_str(
        r#"{"components": [{"key": "db", "availability": "0.999"}], "needs": [["web", "db"]],
            "groups": [{"dependent": "web", "members": ["a", "b"], "min_up": 1}]}"#,
    )
    .unwrap();
    // Strict: web, a and b are not components, a and b are not needs of web.
    assert!(Structure::new(spec.clone()).is_err());
    let structure = Structure::new(spec.with_implied("web")).unwrap();
    let p = structure
        .predict("web", &PredictOptions::new(1, 1000))
        .unwrap();
    assert!((p.availability - 0.999).abs() < 1e-12, "{}", p.availability);
    assert!(p.exact);
    let limiting: Vec<&str> = p.limiting.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(limiting, ["db"]);
    // Members given availabilities: 1 of 2 at 0.9 each under web.
    let spec: StructureSpec = serde_json::from_str(
        r#"{"components": [{"key": "a", "availability": "0.9"}, {"key": "b", "availability": "0.9"}],
            "groups": [{"dependent": "web", "members": ["a", "b"], "min_up": 1}]}"#,
    )
    .unwrap();
    let p = Structure::new(spec.with_implied("web"))
        .unwrap()
        .predict("web", &PredictOptions::new(1, 1000))
        .unwrap();
    assert!((p.availability - 0.99).abs() < 1e-12, "{}", p.availability);
}
