//! Property tests of the change engine: the lifecycle never reaches a forbidden state, a
//! refused operation changes nothing, the schedule sweep equals a pairwise check, and a
//! deployed delta is all or nothing.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a panic is a failing test"
)]

mod common;

use std::collections::BTreeSet;

use chrono::TimeDelta;
use common::*;
use itsm_change::*;
use itsm_cmdb::{Ci, CiKind, CiPatch, Cmdb, CmdbOp, Relation, RelationKind};
use itsm_core::{Actor, Id, Period};
use proptest::prelude::*;

const TARGETS: [&str; 6] = [
    "db-main",
    "host-1",
    "host-2",
    "svc-reporting",
    "app-core",
    "db-test",
];

#[derive(Debug, Clone)]
enum Op {
    Raise {
        target: usize,
        category: u8,
        delta_bad: bool,
        cost: u8,
    },
    Submit(usize),
    Assess(usize),
    Approve(usize, usize),
    Reject(usize, usize),
    Stage(usize),
    Schedule(usize, u8),
    Start(usize, u8),
    Complete(usize, u8),
    Review(usize),
    Close(usize),
    Cancel(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let c = 0usize..3;
    prop_oneof![
        2 => (0..TARGETS.len(), 0u8..3, proptest::bool::weighted(0.3), 0u8..3).prop_map(|(target, category, delta_bad, cost)| Op::Raise { target, category, delta_bad, cost }),
        12 => c.clone().prop_map(Op::Submit),
        12 => c.clone().prop_map(Op::Assess),
        32 => (c.clone(), 0usize..6).prop_map(|(a, b)| Op::Approve(a, b)),
        4 => (c.clone(), 0usize..6).prop_map(|(a, b)| Op::Reject(a, b)),
        8 => c.clone().prop_map(Op::Stage),
        12 => (c.clone(), 0u8..40).prop_map(|(a, b)| Op::Schedule(a, b)),
        12 => (c.clone(), 0u8..40).prop_map(|(a, b)| Op::Start(a, b)),
        12 => (c.clone(), 0u8..3).prop_map(|(a, b)| Op::Complete(a, b)),
        8 => c.clone().prop_map(Op::Review),
        8 => c.clone().prop_map(Op::Close),
        1 => c.prop_map(Op::Cancel),
    ]
}

fn change_id(n: usize) -> Id<ChangeId> {
    Id::from_key(&format!("CHG-{}", n + 1))
}

fn apply(
    reg: &mut ChangeRegister,
    cmdb: &mut Cmdb,
    p: &[Actor],
    op: &Op,
) -> Result<(), ChangeError> {
    let t = at(1, 0);
    match op {
        Op::Raise {
            target,
            category,
            delta_bad,
            cost,
        } => {
            let mut new = NewChange::new("change", vec![id(TARGETS[*target])]);
            new.category = match category {
                0 => Category::Normal,
                1 => Category::Standard("patch a host".into()),
                _ => Category::Emergency,
            };
            new.estimated_cost = Some(eur([100, 900, 90_000][*cost as usize]));
            new.implementer = Some(p[0].id);
            new.delta = vec![CmdbOp::UpdateCi {
                id: id(TARGETS[*target]),
                patch: CiPatch {
                    name: Some("changed".into()),
                    ..CiPatch::default()
                },
            }];
            if *delta_bad {
                new.delta.push(CmdbOp::Relate(Relation::new(
                    id("kbd-1"),
                    RelationKind::DependsOn,
                    id("kbd-1"),
                )));
            }
            reg.raise(&p[0], t, cmdb, new).map(drop)
        }
        Op::Submit(c) => reg.submit(&p[0], t, change_id(*c)).map(drop),
        Op::Assess(c) => reg.assess(&p[1], t, change_id(*c), cmdb).map(drop),
        Op::Approve(c, who) => reg.approve(&p[*who], t, change_id(*c)).map(drop),
        Op::Reject(c, who) => reg.reject(&p[*who], t, change_id(*c), "no").map(drop),
        Op::Stage(c) => reg.complete_stage(&p[1], t, change_id(*c)).map(drop),
        Op::Schedule(c, day) => {
            let start = at(1, 0) + TimeDelta::hours(i64::from(*day) * 12);
            reg.schedule(
                &p[1],
                t,
                change_id(*c),
                Period::new(start, start + TimeDelta::hours(2)).unwrap(),
                cmdb,
            )
            .map(drop)
        }
        Op::Start(c, day) => reg
            .start(
                &p[0],
                at(1, 0) + TimeDelta::hours(i64::from(*day) * 12),
                change_id(*c),
                cmdb,
            )
            .map(drop),
        Op::Complete(c, o) => {
            let outcome = [Outcome::Successful, Outcome::Failed, Outcome::BackedOut][*o as usize];
            reg.complete(&p[0], t, change_id(*c), outcome, cmdb)
                .map(drop)
        }
        Op::Review(c) => reg.review(&p[1], t, change_id(*c), "fine").map(drop),
        Op::Close(c) => reg.close(&p[1], t, change_id(*c)).map(drop),
        Op::Cancel(c) => reg.cancel(&p[0], t, change_id(*c), "not needed").map(drop),
    }
}

/// The moves the lifecycle allows (a status may also stay where it is: re-assessment, a
/// partial approval, a completed design stage, a new window; an approved or scheduled change
/// may be assessed again, which withdraws its approvals and window).
fn allowed(from: ChangeStatus, to: ChangeStatus, c: &Change) -> bool {
    use ChangeStatus::*;
    from == to
        || matches!(
            (from, to),
            (Draft, Submitted | Cancelled)
                | (Submitted, Assessed | Approved | Cancelled)
                | (Assessed, Approved | Rejected | Cancelled)
                | (Approved, Scheduled | Cancelled | Assessed)
                | (Scheduled, Implementing | Cancelled | Assessed | Approved)
                | (Implementing, Implemented(_))
                | (Implemented(_), Reviewed)
                | (Reviewed | Rejected, Closed)
        )
        || (from == Approved && to == Implementing && c.is_emergency())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_lifecycle_never_reaches_a_forbidden_state(ops in proptest::collection::vec(op(), 1..200)) {
        let pp = people();
        let actors = vec![pp.dev, pp.cm, pp.cab1, pp.cab2, pp.ecab, pp.top];
        let mut reg = register();
        let mut cmdb = cmdb();
        for op in &ops {
            let (before, before_cmdb) = (reg.clone(), cmdb.clone());
            match apply(&mut reg, &mut cmdb, &actors, op) {
                Err(_) => {
                    prop_assert_eq!(&reg, &before, "{:?}", op);
                    prop_assert_eq!(&cmdb, &before_cmdb, "{:?}", op);
                }
                Ok(()) => {
                    for (old, new) in before.changes().iter().zip(reg.changes()) {
                        prop_assert!(allowed(old.status, new.status, new), "{:?}: {} -> {}", op, old.status, new.status);
                        if old.status != ChangeStatus::Implementing && new.status == ChangeStatus::Implementing {
                            prop_assert!(new.next_stage().is_none(), "major change started before transition");
                        }
                        if matches!(new.status, ChangeStatus::Approved) && old.status != ChangeStatus::Approved {
                            let a = new.assessment.as_ref().unwrap();
                            let dev_approved = new.approvals.iter().any(|r| r.by == Some(actors[0].id));
                            prop_assert!(!dev_approved, "segregation of duties");
                            prop_assert!(a.approvals.is_empty() || !new.approvals.is_empty());
                        }
                    }
                    prop_assert!(reg.changes().len() >= before.changes().len());
                }
            }
        }
        let json = serde_json::to_string(&reg).unwrap();
        prop_assert_eq!(serde_json::from_str::<ChangeRegister>(&json).unwrap(), reg);
    }
}

fn schedule() -> impl Strategy<Value = Vec<ScheduledChange>> {
    let item = (
        0i64..200,
        1i64..30,
        proptest::collection::btree_set(0u8..6, 0..3),
        proptest::collection::btree_set(0u8..4, 0..2),
        proptest::option::of(0u8..3),
        any::<bool>(),
    );
    proptest::collection::vec(item, 0..40).prop_map(|items| {
        items
            .into_iter()
            .enumerate()
            .map(|(i, (start, len, cis, services, who, emergency))| {
                let s = at(1, 0) + TimeDelta::hours(start);
                ScheduledChange {
                    change: u32::try_from(i + 1).unwrap(),
                    window: Period::new(s, s + TimeDelta::hours(len)).unwrap(),
                    cis: cis.iter().map(|c| ci(*c)).collect(),
                    services: services
                        .into_iter()
                        .map(|c| Id::from_key(&format!("svc-{c}")))
                        .collect(),
                    implementer: who.map(|w| Id::from_key(&format!("person-{w}"))),
                    emergency,
                    needs: cis
                        .iter()
                        .flat_map(|c| {
                            NEEDS
                                .iter()
                                .filter(move |(d, _)| d == c)
                                .map(|(d, p)| (ci(*d), ci(*p)))
                        })
                        .collect(),
                }
            })
            .collect()
    })
}

/// The direct dependencies among the CIs of [`schedule`]: a chain `ci-0` -> `ci-1` -> ...
/// -> `ci-5`, and `ci-0` and `ci-3` needing `ci-2` too (a CI with two dependents).
const NEEDS: [(u8, u8); 7] = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (0, 2), (3, 2)];

fn ci(n: u8) -> Id<Ci> {
    Id::from_key(&format!("ci-{n}"))
}

/// A parent/child pair: (the CI depended on, the change of it, the change of a CI that needs
/// it, that CI, when they overlap).
type DependencyPair = (Id<Ci>, u32, u32, Id<Ci>, Period);

/// Every parent/child pair, checked pair by pair: the definition the sweep must match.
fn dependency_pairwise(items: &[ScheduledChange]) -> BTreeSet<DependencyPair> {
    let mut out = BTreeSet::new();
    for a in items {
        for b in items.iter().filter(|b| b.change != a.change) {
            let Some(overlap) = a.window.intersection(&b.window) else {
                continue;
            };
            // `a` changes `d`, which needs `p`, which `b` changes.
            for (d, p) in &a.needs {
                if b.cis.contains(p) {
                    out.insert((*p, b.change, a.change, *d, overlap));
                }
            }
        }
    }
    out
}

/// The parent/child pairs the grouped answer stands for, checking each group: its pair count,
/// its period spanning exactly its pairs' overlaps, groups of one CI disjoint in time and at
/// most twice as many entries as there are windows keyed by that CI.
fn expand_dependencies(
    items: &[ScheduledChange],
    conflicts: &[Conflict],
) -> BTreeSet<DependencyPair> {
    let window = |n: u32| items[n as usize - 1].window;
    let mut out = BTreeSet::new();
    let mut per_ci: std::collections::BTreeMap<Id<Ci>, (usize, Vec<Period>)> = Default::default();
    for c in conflicts {
        let Conflict::Dependency {
            ci,
            changes,
            dependents,
            overlap,
            pairs,
        } = c
        else {
            continue;
        };
        let mut found = Vec::new();
        let mut pair_set = BTreeSet::new();
        for a in changes {
            for d in dependents.iter().filter(|d| d.change != *a) {
                if let Some(o) = window(*a).intersection(&window(d.change)) {
                    found.push((*ci, *a, d.change, d.ci, o));
                    pair_set.insert((*a, d.change));
                }
            }
        }
        assert_eq!(pair_set.len() as u64, *pairs, "{c}");
        let span = found.iter().map(|p| p.4).reduce(|x, y| x.span(&y)).unwrap();
        assert_eq!(span, *overlap, "{c}");
        let entry = per_ci.entry(*ci).or_default();
        let members: BTreeSet<u32> = dependents.iter().map(|d| d.change).collect();
        entry.0 += changes.len() + members.len();
        entry.1.push(*overlap);
        out.extend(found);
    }
    for (key, (entries, mut periods)) in per_ci {
        let keyed = items
            .iter()
            .filter(|s| s.cis.contains(&key) || s.needs.iter().any(|(_, p)| *p == key))
            .count();
        assert!(
            entries <= 2 * keyed,
            "{entries} entries for {keyed} windows"
        );
        periods.sort();
        assert!(periods.windows(2).all(|w| !w[0].overlaps(&w[1])));
    }
    out
}

/// An overlapping pair: (first, second, what they share, when they overlap).
type Pair = (u32, u32, Shared, Period);

/// Every pair, every shared thing: the definition the sweep must match.
fn pairwise(items: &[ScheduledChange]) -> BTreeSet<Pair> {
    let mut out = BTreeSet::new();
    for (i, a) in items.iter().enumerate() {
        for b in &items[i + 1..] {
            let Some(overlap) = a.window.intersection(&b.window) else {
                continue;
            };
            let mut shared: Vec<Shared> = Vec::new();
            shared.extend(
                a.cis
                    .iter()
                    .filter(|c| b.cis.contains(c))
                    .map(|c| Shared::Ci(*c)),
            );
            shared.extend(
                a.services
                    .iter()
                    .filter(|c| b.services.contains(c))
                    .map(|c| Shared::Service(*c)),
            );
            if a.implementer.is_some() && a.implementer == b.implementer {
                shared.extend(a.implementer.map(Shared::Implementer));
            }
            for s in shared {
                out.insert((a.change.min(b.change), a.change.max(b.change), s, overlap));
            }
        }
    }
    out
}

/// The pairs the grouped answer stands for, checking each group on the way: its changes
/// sorted and at least two, its pair count, its period spanning exactly its pairs' overlaps;
/// and the answer's size: groups of one shared thing are disjoint in time and hold at most
/// twice as many entries as there are changes sharing it.
fn expand(items: &[ScheduledChange], conflicts: &[Conflict]) -> BTreeSet<Pair> {
    let window = |n: u32| items[n as usize - 1].window;
    let mut out = BTreeSet::new();
    let mut per_key: std::collections::BTreeMap<Shared, (usize, Vec<Period>)> = Default::default();
    for c in conflicts {
        let Conflict::Overlap {
            changes,
            shared,
            overlap,
            pairs,
        } = c
        else {
            continue;
        };
        assert!(
            changes.len() >= 2 && changes.windows(2).all(|w| w[0] < w[1]),
            "{c}"
        );
        let mut found = Vec::new();
        for (i, a) in changes.iter().enumerate() {
            for b in &changes[i + 1..] {
                if let Some(o) = window(*a).intersection(&window(*b)) {
                    found.push((*a, *b, *shared, o));
                }
            }
        }
        assert_eq!(found.len() as u64, *pairs, "{c}");
        let span = found.iter().map(|p| p.3).reduce(|x, y| x.span(&y)).unwrap();
        assert_eq!(span, *overlap, "{c}");
        let entry = per_key.entry(*shared).or_default();
        entry.0 += changes.len();
        entry.1.push(*overlap);
        out.extend(found);
    }
    for (key, (entries, mut periods)) in per_key {
        let sharing = items
            .iter()
            .filter(|s| match key {
                Shared::Ci(c) => s.cis.contains(&c),
                Shared::Service(c) => s.services.contains(&c),
                Shared::Implementer(a) => s.implementer == Some(a),
            })
            .count();
        assert!(
            entries <= 2 * sharing,
            "{entries} entries for {sharing} changes"
        );
        periods.sort();
        assert!(periods.windows(2).all(|w| !w[0].overlaps(&w[1])));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_sweep_finds_exactly_the_pairwise_conflicts_grouped(items in schedule()) {
        let conflicts = find_conflicts(&items, &ChangePolicy::default());
        let expected = pairwise(&items);
        prop_assert_eq!(&expand(&items, &conflicts), &expected);
        // Each pair is counted in exactly one group.
        let counted: u64 = conflicts
            .iter()
            .map(|c| match c {
                Conflict::Overlap { pairs, .. } => *pairs,
                _ => 0,
            })
            .sum();
        prop_assert_eq!(counted, expected.len() as u64);
    }

    #[test]
    fn the_sweep_finds_exactly_the_parent_child_conflicts_grouped(items in schedule()) {
        let conflicts = find_conflicts(&items, &ChangePolicy::default());
        prop_assert_eq!(
            expand_dependencies(&items, &conflicts),
            dependency_pairwise(&items)
        );
    }

    #[test]
    fn a_deployed_delta_is_all_or_nothing(bad_at in proptest::option::of(0usize..4), n in 1usize..4) {
        let pp = people();
        let mut reg = register();
        let mut cmdb = cmdb();
        let delta: Vec<CmdbOp> = (0..n).map(|i| CmdbOp::AddCi(Ci::new(format!("new-{i}"), "new", CiKind::Hardware))).collect();
        let mut new = NewChange::new("add hosts", vec![id("host-2")]);
        new.delta = delta;
        new.category = Category::Emergency;
        let c = reg.raise(&pp.dev, at(1, 0), &cmdb, new).unwrap().id;
        if let Some(k) = bad_at {
            // Between raising and deploying, the key one edit adds is taken: that edit fails.
            cmdb.add_ci(Ci::new(format!("new-{}", k.min(n - 1)), "taken", CiKind::Hardware)).unwrap();
        }
        reg.submit(&pp.dev, at(1, 0), c).unwrap();
        reg.assess(&pp.cm, at(1, 0), c, &cmdb).unwrap();
        reg.approve(&pp.ecab, at(1, 0), c).unwrap();
        reg.start(&pp.dev, at(1, 1), c, &cmdb).unwrap();
        let (before, before_reg) = (cmdb.clone(), reg.clone());
        let result = reg.complete(&pp.dev, at(1, 2), c, Outcome::Successful, &mut cmdb);
        if bad_at.is_some() {
            prop_assert!(result.is_err());
            prop_assert_eq!(&cmdb, &before);
            prop_assert_eq!(&reg, &before_reg);
        } else {
            prop_assert!(result.is_ok());
            prop_assert_eq!(cmdb.len(), before.len() + n);
            for i in 0..n {
                prop_assert_eq!(cmdb.ci_by_key(&format!("new-{i}")).unwrap().last_change, Some(c));
            }
        }
    }
}
