//! Property tests of the configuration graph: impact against a naive oracle, single points of
//! failure against brute force, atomicity of failed operations, serde round trips.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic here is a failing test"
)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use itsm_cmdb::{
    Ci, CiKind, CiPatch, Cmdb, CmdbConfig, CmdbError, CmdbOp, CmdbParts, CyclePolicy, ImpactState,
    RedundancyGroup, Relation, RelationKind, Removal, ServiceProfile,
};
use itsm_core::Id;
use proptest::prelude::*;

fn key(i: usize) -> String {
    format!("ci-{i}")
}

fn id(i: usize) -> Id<Ci> {
    Id::from_key(&key(i))
}

/// A random graph: `n` CIs (every third a service), relations among them (`DependsOn`, some
/// `PartOf` into services, some `DocumentedBy`-free noise), and optionally redundancy groups.
#[derive(Debug, Clone)]
struct Spec {
    n: usize,
    edges: Vec<(usize, usize, bool)>,
    groups: Vec<(usize, usize)>, // (dependent, how many of its dependencies to group, k derived)
}

fn spec(max_n: usize, with_groups: bool) -> impl Strategy<Value = Spec> {
    (2..max_n).prop_flat_map(move |n| {
        let edges = proptest::collection::vec((0..n, 0..n, any::<bool>()), 0..n * 3);
        let groups = if with_groups {
            proptest::collection::vec((0..n, 0usize..8), 0..n).boxed()
        } else {
            Just(Vec::new()).boxed()
        };
        (Just(n), edges, groups).prop_map(|(n, edges, groups)| Spec { n, edges, groups })
    })
}

fn build(s: &Spec) -> Cmdb {
    let cis: Vec<Ci> = (0..s.n)
        .map(|i| {
            let kind = if i % 3 == 0 {
                CiKind::Service(ServiceProfile::default())
            } else {
                CiKind::Application
            };
            Ci::new(key(i), format!("CI {i}"), kind)
        })
        .collect();
    let mut seen = BTreeSet::new();
    let mut relations = Vec::new();
    for &(a, b, part) in &s.edges {
        if a == b {
            continue;
        }
        // PartOf only into services; otherwise DependsOn.
        let kind = if part && b % 3 == 0 {
            RelationKind::PartOf
        } else {
            RelationKind::DependsOn
        };
        if seen.insert((a, b, kind)) {
            relations.push(Relation::new(id(a), kind, id(b)));
        }
    }
    let mut cmdb = Cmdb::from_parts(CmdbParts {
        cis,
        relations,
        ..CmdbParts::default()
    })
    .unwrap();
    for (gi, &(d, take)) in s.groups.iter().enumerate() {
        let deps: Vec<Id<Ci>> = direct_dependencies(&cmdb, id(d))
            .into_iter()
            .take(take)
            .collect();
        if deps.len() < 2 {
            continue;
        }
        let k = 1 + (gi % deps.len());
        // Ignore groups refused for overlapping an earlier one: the property is about impact.
        let _ = cmdb.add_group(RedundancyGroup::new(format!("g{gi}"), id(d), deps, k));
    }
    cmdb
}

fn direct_dependencies(cmdb: &Cmdb, of: Id<Ci>) -> BTreeSet<Id<Ci>> {
    cmdb.relations()
        .filter_map(|r| r.dependency())
        .filter(|(d, _)| *d == of)
        .map(|(_, p)| p)
        .collect()
}

/// The rules of impact written as plainly as possible: iterate over every CI until nothing
/// changes (a least fixpoint by brute force).
fn oracle(cmdb: &Cmdb, failed: &[Id<Ci>]) -> BTreeMap<Id<Ci>, ImpactState> {
    let ids: Vec<Id<Ci>> = cmdb.cis().map(|c| c.id).collect();
    let deps: HashMap<Id<Ci>, BTreeSet<Id<Ci>>> = ids
        .iter()
        .map(|i| (*i, direct_dependencies(cmdb, *i)))
        .collect();
    let grouped: HashMap<(Id<Ci>, Id<Ci>), &RedundancyGroup> = cmdb
        .groups()
        .flat_map(|g| g.members.iter().map(move |m| ((g.dependent, *m), g)))
        .collect();
    let mut down: BTreeSet<Id<Ci>> = failed.iter().copied().collect();
    loop {
        let mut changed = false;
        for v in &ids {
            if down.contains(v) {
                continue;
            }
            let plain_down = deps[v]
                .iter()
                .any(|p| !grouped.contains_key(&(*v, *p)) && down.contains(p));
            let group_down = cmdb
                .groups()
                .filter(|g| g.dependent == *v)
                .any(|g| g.members.iter().filter(|m| !down.contains(m)).count() < g.min_up);
            if plain_down || group_down {
                down.insert(*v);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut degraded: BTreeSet<Id<Ci>> = BTreeSet::new();
    loop {
        let mut changed = false;
        for v in &ids {
            if down.contains(v) || degraded.contains(v) {
                continue;
            }
            let lost = cmdb
                .groups()
                .filter(|g| g.dependent == *v)
                .any(|g| g.members.iter().any(|m| down.contains(m)));
            let below = deps[v].iter().any(|p| degraded.contains(p));
            if lost || below {
                degraded.insert(*v);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    down.iter()
        .map(|v| (*v, ImpactState::Down))
        .chain(degraded.iter().map(|v| (*v, ImpactState::Degraded)))
        .collect()
}

fn check_impact(cmdb: &Cmdb, failed: &[Id<Ci>]) -> Result<(), TestCaseError> {
    let impact = cmdb.impact_of(failed).unwrap();
    let got: BTreeMap<Id<Ci>, ImpactState> = impact.affected().map(|a| (a.ci, a.state)).collect();
    prop_assert_eq!(got.len(), impact.len(), "no CI reported twice");
    prop_assert_eq!(&got, &oracle(cmdb, failed));
    // Every path starts at the CI, ends at a failed CI, and each step is a real dependency.
    for a in impact.affected() {
        let path = impact.path(a.ci).unwrap();
        prop_assert_eq!(path.first(), Some(&a.ci));
        prop_assert!(failed.contains(path.last().unwrap()));
        for w in path.windows(2) {
            prop_assert!(direct_dependencies(cmdb, w[0]).contains(&w[1]));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn impact_matches_the_oracle_without_redundancy(s in spec(40, false), picks in proptest::collection::vec(0usize..40, 1..4)) {
        let cmdb = build(&s);
        let failed: Vec<Id<Ci>> = picks.iter().map(|p| id(p % s.n)).collect();
        check_impact(&cmdb, &failed)?;
        // Without redundancy, "down" is exactly reverse reachability.
        let impact = cmdb.impact_of(&failed[..1]).unwrap();
        prop_assert_eq!(impact.down_count(), cmdb.dependents_of(failed[0]).unwrap().len());
    }

    #[test]
    fn impact_matches_the_oracle_with_redundancy(s in spec(40, true), picks in proptest::collection::vec(0usize..40, 1..4)) {
        let cmdb = build(&s);
        let failed: Vec<Id<Ci>> = picks.iter().map(|p| id(p % s.n)).collect();
        check_impact(&cmdb, &failed)?;
    }

    #[test]
    fn single_points_of_failure_match_brute_force(s in spec(30, true), root in 0usize..30) {
        let cmdb = build(&s);
        let root = id(root % s.n);
        let got: BTreeSet<Id<Ci>> = cmdb.single_points_of_failure(root).unwrap().into_iter().collect();
        let want: BTreeSet<Id<Ci>> = cmdb
            .dependencies_of(root)
            .unwrap()
            .into_iter()
            .map(|d| d.ci)
            .filter(|d| cmdb.impact_of(&[*d]).unwrap().state(root) == Some(ImpactState::Down))
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn cmdb_and_baseline_round_trip_through_json(s in spec(30, true)) {
        let cmdb = build(&s);
        let json = serde_json::to_string(&cmdb).unwrap();
        let back: Cmdb = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &cmdb);
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let baseline = cmdb.baseline("b", at);
        let bj = serde_json::to_string(&baseline).unwrap();
        let bb: itsm_cmdb::Baseline = serde_json::from_str(&bj).unwrap();
        prop_assert_eq!(&bb, &baseline);
        prop_assert_eq!(bb.to_cmdb().unwrap(), cmdb);
    }

    #[test]
    fn cycles_are_real_cycles(s in spec(30, false)) {
        let cmdb = build(&s);
        for c in cmdb.cycles() {
            prop_assert!(c.members.len() >= 2);
            prop_assert_eq!(c.example.first(), c.example.last());
            for w in c.example.windows(2) {
                prop_assert!(direct_dependencies(&cmdb, w[0]).contains(&w[1]));
            }
            // Members of one component all reach each other.
            let a = c.members[0];
            for b in &c.members[1..] {
                prop_assert!(cmdb.why(a, *b).unwrap().is_some() && cmdb.why(*b, a).unwrap().is_some());
            }
        }
    }
}

/// A random operation against the CMDB, often invalid on purpose.
#[derive(Debug, Clone)]
enum Op {
    Add(usize, u8),
    Relate(usize, u8, usize),
    Unrelate(usize, u8, usize),
    Remove(usize, bool),
    Group(usize, Vec<usize>, usize),
    Rekey(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..25, 0u8..4).prop_map(|(i, k)| Op::Add(i, k)),
        (0usize..25, 0u8..8, 0usize..25).prop_map(|(a, k, b)| Op::Relate(a, k, b)),
        (0usize..25, 0u8..8, 0usize..25).prop_map(|(a, k, b)| Op::Unrelate(a, k, b)),
        (0usize..25, any::<bool>()).prop_map(|(i, c)| Op::Remove(i, c)),
        (
            0usize..25,
            proptest::collection::vec(0usize..25, 0..4),
            0usize..4
        )
            .prop_map(|(d, m, k)| Op::Group(d, m, k)),
        (0usize..25, 0usize..25).prop_map(|(a, b)| Op::Rekey(a, b)),
    ]
}

fn apply(cmdb: &mut Cmdb, op: &Op) -> Result<(), CmdbError> {
    let kinds = [
        CiKind::Application,
        CiKind::Hardware,
        CiKind::Document,
        CiKind::Service(ServiceProfile::default()),
    ];
    match op {
        Op::Add(i, k) => cmdb.add_ci(Ci::new(
            key(*i),
            "x",
            kinds[*k as usize % kinds.len()].clone(),
        )),
        Op::Relate(a, k, b) => cmdb.relate(Relation::new(
            id(*a),
            RelationKind::ALL[*k as usize],
            id(*b),
        )),
        Op::Unrelate(a, k, b) => cmdb
            .unrelate(Relation::new(
                id(*a),
                RelationKind::ALL[*k as usize],
                id(*b),
            ))
            .map(drop),
        Op::Remove(i, cascade) => cmdb
            .remove_ci(
                id(*i),
                if *cascade {
                    Removal::Cascade
                } else {
                    Removal::Refuse
                },
            )
            .map(drop),
        Op::Group(d, members, k) => cmdb.add_group(RedundancyGroup::new(
            format!("g{d}-{members:?}"),
            id(*d),
            members.iter().map(|m| id(*m)).collect(),
            *k,
        )),
        Op::Rekey(a, b) => cmdb
            .update_ci(
                id(*a),
                CiPatch {
                    key: Some(key(*b)),
                    ..CiPatch::default()
                },
            )
            .map(drop),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_failed_operation_leaves_the_cmdb_as_it_was(ops in proptest::collection::vec(op(), 1..80), strict in any::<bool>()) {
        let policy = if strict { CyclePolicy::Reject } else { CyclePolicy::Allow };
        let mut cmdb = Cmdb::with_config(CmdbConfig { cycles: policy });
        for op in &ops {
            let before = cmdb.clone();
            let before_json = serde_json::to_string(&cmdb).unwrap();
            if apply(&mut cmdb, op).is_err() {
                prop_assert_eq!(&cmdb, &before, "{:?}", op);
                prop_assert_eq!(serde_json::to_string(&cmdb).unwrap(), before_json);
            }
            // Whatever happened, the CMDB still reads back as itself and its queries run.
            if let Some(first) = cmdb.cis().next().map(|c| c.id) {
                cmdb.impact_of(&[first]).unwrap();
            }
            if strict {
                prop_assert!(cmdb.cycles().is_empty());
            }
        }
        let back: Cmdb = serde_json::from_str(&serde_json::to_string(&cmdb).unwrap()).unwrap();
        prop_assert_eq!(back, cmdb);
    }
}

fn batch_op(op: &Op) -> CmdbOp {
    let kinds = [
        CiKind::Application,
        CiKind::Hardware,
        CiKind::Document,
        CiKind::Service(ServiceProfile::default()),
    ];
    match op {
        Op::Add(i, k) => CmdbOp::AddCi(Ci::new(
            key(*i),
            "x",
            kinds[*k as usize % kinds.len()].clone(),
        )),
        Op::Relate(a, k, b) => CmdbOp::Relate(Relation::new(
            id(*a),
            RelationKind::ALL[*k as usize],
            id(*b),
        )),
        Op::Unrelate(a, k, b) => CmdbOp::Unrelate(Relation::new(
            id(*a),
            RelationKind::ALL[*k as usize],
            id(*b),
        )),
        Op::Remove(i, cascade) => CmdbOp::RemoveCi {
            id: id(*i),
            mode: if *cascade {
                Removal::Cascade
            } else {
                Removal::Refuse
            },
        },
        Op::Group(d, members, k) => CmdbOp::AddGroup(RedundancyGroup::new(
            format!("g{d}-{members:?}"),
            id(*d),
            members.iter().map(|m| id(*m)).collect(),
            *k,
        )),
        Op::Rekey(a, b) => CmdbOp::UpdateCi {
            id: id(*a),
            patch: CiPatch {
                key: Some(key(*b)),
                ..CiPatch::default()
            },
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A batch is all or nothing: refused, the CMDB is untouched; accepted, it equals the
    /// operations applied one by one, plus the change stamp on every touched CI.
    #[test]
    fn a_batch_is_all_or_nothing(setup in proptest::collection::vec(op(), 0..40), batch in proptest::collection::vec(op(), 1..12)) {
        let mut cmdb = Cmdb::new();
        for op in &setup {
            let _ = apply(&mut cmdb, op);
        }
        let before = cmdb.clone();
        let change = Id::from_key("CHG-1");
        let mut one_by_one = cmdb.clone();
        let singles_ok = batch.iter().all(|op| apply(&mut one_by_one, op).is_ok());
        match cmdb.apply_batch(batch.iter().map(batch_op).collect(), Some(change)) {
            Err(e) => {
                prop_assert!(!singles_ok, "refused ({e}) but every op succeeds alone");
                prop_assert_eq!(&cmdb, &before);
                prop_assert_eq!(serde_json::to_string(&cmdb).unwrap(), serde_json::to_string(&before).unwrap());
            }
            Ok(outcome) => {
                prop_assert!(singles_ok);
                for t in &outcome.touched {
                    prop_assert_eq!(cmdb.ci(*t).unwrap().last_change, Some(change));
                }
                // Same graph as one by one, once the stamps are ignored.
                let strip = |c: &Cmdb| {
                    let mut p = c.to_parts();
                    for ci in &mut p.cis { ci.last_change = None; ci.version = 0; }
                    p.cis.sort_by_key(|c| c.id);
                    p.relations.sort();
                    p
                };
                prop_assert_eq!(strip(&cmdb), strip(&one_by_one));
            }
        }
    }
}
