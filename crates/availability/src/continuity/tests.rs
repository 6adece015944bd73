//! Continuity as a whole: flow-down and recovery plans against brute force on random graphs,
//! the rules every plan keeps, worked examples, refused inputs, serde.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use itsm_cmdb::{
    Ci, CiKind, Cmdb, ImpactState, RedundancyGroup, Relation, RelationKind, ServiceProfile,
};
use itsm_core::{Id, Level};
use proptest::prelude::*;

use super::plan::{Read, plan_reading};
use super::*;

fn svc(key: &str) -> Ci {
    Ci::new(key, key, CiKind::Service(ServiceProfile::default()))
}

fn ci(key: &str, kind: CiKind) -> Ci {
    Ci::new(key, key, kind)
}

fn id(key: &str) -> Id<Ci> {
    Id::from_key(key)
}

fn needs(cmdb: &mut Cmdb, a: &str, b: &str) {
    cmdb.relate(Relation::new(id(a), RelationKind::DependsOn, id(b)))
        .unwrap();
}

const H: u64 = 3600;

// ---------------------------------------------------------------------------------------------
// Brute force

/// Per CI key: the RTO and the RPO it inherits, each with the key of the service that sets it.
type ByKey = BTreeMap<String, (Option<(u64, String)>, Option<(u64, String)>)>;

/// Per CI key: (RTO, setter key), (RPO, setter key), by the definition: the smallest
/// (objective, not own, key) over the CI's own analysis and every service that reaches it.
fn brute_flow(cmdb: &Cmdb, analyses: &[BusinessImpact]) -> ByKey {
    let mut out = BTreeMap::new();
    for c in cmdb.cis() {
        let mut rto: Option<(u64, bool, String)> = None;
        let mut rpo: Option<(u64, bool, String)> = None;
        for a in analyses {
            let s = cmdb.ci(a.service).unwrap();
            let reaches = s.id == c.id
                || cmdb
                    .dependencies_of(s.id)
                    .unwrap()
                    .iter()
                    .any(|d| d.ci == c.id);
            if !reaches {
                continue;
            }
            let own = s.id == c.id;
            for (best, x) in [(&mut rto, a.rto_s), (&mut rpo, a.rpo_s)] {
                let cand = (x, !own, s.key.clone());
                if best.as_ref().is_none_or(|b| cand < *b) {
                    *best = Some(cand);
                }
            }
        }
        if rto.is_some() || rpo.is_some() {
            out.insert(
                c.key.clone(),
                (rto.map(|r| (r.0, r.2)), rpo.map(|r| (r.0, r.2))),
            );
        }
    }
    out
}

fn flow_by_key(cmdb: &Cmdb, flow: &FlowDown) -> ByKey {
    let k =
        |i: Option<Inherited>| i.map(|i| (i.objective_s, cmdb.ci(i.set_by).unwrap().key.clone()));
    flow.cis()
        .iter()
        .map(|e| (cmdb.ci(e.ci).unwrap().key.clone(), (k(e.rto), k(e.rpo))))
        .collect()
}

/// Down set of `failed` by the CMDB's own impact rules.
fn down_of(cmdb: &Cmdb, failed: &[Id<Ci>]) -> BTreeSet<Id<Ci>> {
    cmdb.impact_of(failed)
        .unwrap()
        .affected()
        .filter(|a| a.state == ImpactState::Down)
        .map(|a| a.ci)
        .collect()
}

/// The CIs down in `down` that recover with `a`: those it reaches and that reach it through
/// dependencies among the CIs down.
fn brute_units(cmdb: &Cmdb, down: &BTreeSet<Id<Ci>>) -> HashMap<Id<Ci>, BTreeSet<Id<Ci>>> {
    let reach = |a: Id<Ci>| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![a];
        while let Some(v) = todo.pop() {
            for w in cmdb.direct_dependencies(v).unwrap() {
                if down.contains(&w) && seen.insert(w) {
                    todo.push(w);
                }
            }
        }
        seen
    };
    let reaches: HashMap<Id<Ci>, BTreeSet<Id<Ci>>> = down.iter().map(|&a| (a, reach(a))).collect();
    down.iter()
        .map(|&a| {
            let unit = down
                .iter()
                .copied()
                .filter(|&b| b == a || (reaches[&a].contains(&b) && reaches[&b].contains(&a)))
                .collect();
            (a, unit)
        })
        .collect()
}

/// Whether the members of `unit` have what they need at `t`, by the impact rules: with every
/// CI down and not restored by `t` failed (the unit itself aside), none of them is down.
fn needs_up(
    cmdb: &Cmdb,
    down: &BTreeSet<Id<Ci>>,
    unit: &BTreeSet<Id<Ci>>,
    restored: &dyn Fn(Id<Ci>) -> bool,
) -> bool {
    let failed: Vec<Id<Ci>> = down
        .iter()
        .copied()
        .filter(|c| !restored(*c) && !unit.contains(c))
        .collect();
    let impact = cmdb.impact_of(&failed).unwrap();
    unit.iter()
        .all(|m| impact.state(*m) != Some(ImpactState::Down))
}

/// A plain time-stepped list scheduler: per CI key, (start, end, up).
fn brute_plan(
    cmdb: &Cmdb,
    analyses: &[BusinessImpact],
    failed: &[Id<Ci>],
    recovery: &[CiRecovery],
) -> BTreeMap<String, (u64, u64, u64)> {
    let down = down_of(cmdb, failed);
    let units = brute_units(cmdb, &down);
    let flow = brute_flow(cmdb, analyses);
    let key = |c: Id<Ci>| cmdb.ci(c).unwrap().key.clone();
    let prio = |c: Id<Ci>| {
        let rto = flow
            .get(&key(c))
            .and_then(|f| f.0.as_ref())
            .map_or(u64::MAX, |r| r.0);
        (rto, key(c))
    };
    let rec: HashMap<Id<Ci>, &CiRecovery> = recovery.iter().map(|r| (r.ci, r)).collect();
    let dur = |c: Id<Ci>| rec.get(&c).map_or(0, |r| r.duration_s);
    let team = |c: Id<Ci>| rec.get(&c).and_then(|r| r.team.clone());
    let teams: BTreeSet<String> = down.iter().filter_map(|c| team(*c)).collect();

    let mut eligible: HashSet<Id<Ci>> = HashSet::new();
    let mut start: HashMap<Id<Ci>, u64> = HashMap::new();
    let mut end: HashMap<Id<Ci>, u64> = HashMap::new();
    let mut up: HashMap<Id<Ci>, u64> = HashMap::new();
    let mut busy_until: HashMap<String, u64> = HashMap::new();
    let mut t = 0u64;
    while up.len() < down.len() {
        assert!(t < 10_000, "the brute-force scheduler did not finish");
        loop {
            let mut changed = false;
            for &c in &down {
                let unit = &units[&c];
                if !eligible.contains(&c)
                    && needs_up(cmdb, &down, unit, &|x| up.get(&x).is_some_and(|u| *u <= t))
                {
                    eligible.insert(c);
                    changed = true;
                }
            }
            for &c in &down {
                if eligible.contains(&c)
                    && !start.contains_key(&c)
                    && (team(c).is_none() || dur(c) == 0)
                {
                    start.insert(c, t);
                    end.insert(c, t + dur(c));
                    changed = true;
                }
            }
            for &c in &down {
                if !up.contains_key(&c)
                    && units[&c]
                        .iter()
                        .all(|m| end.get(m).is_some_and(|e| *e <= t))
                {
                    up.insert(c, t);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for tm in &teams {
            if busy_until.get(tm).is_some_and(|b| *b > t) {
                continue;
            }
            let next = down
                .iter()
                .copied()
                .filter(|&c| {
                    eligible.contains(&c)
                        && !start.contains_key(&c)
                        && team(c).as_ref() == Some(tm)
                        && dur(c) > 0
                })
                .min_by_key(|&c| prio(c));
            if let Some(c) = next {
                start.insert(c, t);
                end.insert(c, t + dur(c));
                busy_until.insert(tm.clone(), t + dur(c));
            }
        }
        t += 1;
    }
    down.iter()
        .map(|&c| (key(c), (start[&c], end[&c], up[&c])))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Random cases

#[derive(Debug, Clone)]
struct Case {
    cmdb: Cmdb,
    analyses: Vec<BusinessImpact>,
    recovery: Vec<CiRecovery>,
    disaster: Disaster,
}

fn key_n(i: usize) -> String {
    format!("c{i}")
}

prop_compose! {
    fn case()(
        n in 2usize..=10,
        kinds in prop::collection::vec(0u8..4, 10),
        edges in prop::collection::vec((0usize..10, 0usize..10, 0u8..6), 0..22),
        groups in prop::collection::vec((0usize..10, 0u16..1024, 0usize..4), 0..4),
        objectives in prop::collection::vec((0u64..5, 0u64..5, 0u64..3), 10),
        recovery in prop::collection::vec((0u64..4, 0u8..5, 0u64..8), 10),
        failed in prop::collection::vec(0usize..10, 1..4),
        facility in any::<bool>(),
    ) -> Case {
        let mut cmdb = Cmdb::new();
        for (i, k) in kinds.iter().copied().enumerate().take(n) {
            let kind = match (i, k) {
                (0, _) => CiKind::Facility,
                (_, 0 | 1) => CiKind::Service(ServiceProfile::default()),
                (_, 2) => CiKind::Application,
                _ => CiKind::Hardware,
            };
            cmdb.add_ci(ci(&key_n(i), kind)).unwrap();
        }
        for (a, b, k) in edges {
            let (a, b) = (a % n, b % n);
            let (from, to) = (id(&key_n(a)), id(&key_n(b)));
            // Mostly "a needs b"; now and then "b is part of the bundle a" (when a is a service).
            let rel = if k == 0 && cmdb.ci(from).unwrap().kind.is_service() {
                Relation::new(to, RelationKind::PartOf, from)
            } else {
                Relation::new(from, RelationKind::DependsOn, to)
            };
            let _ = cmdb.relate(rel);
        }
        for (gi, (d, mask, k)) in groups.into_iter().enumerate() {
            let dependent = id(&key_n(d % n));
            let deps = cmdb.direct_dependencies(dependent).unwrap();
            let members: Vec<Id<Ci>> = deps
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, m)| *m)
                .collect();
            if members.is_empty() {
                continue;
            }
            let min_up = k % members.len() + 1;
            let _ = cmdb.add_group(RedundancyGroup::new(format!("g{gi}"), dependent, members, min_up));
        }
        let analyses: Vec<BusinessImpact> = (0..n)
            .filter(|i| cmdb.ci(id(&key_n(*i))).unwrap().kind.is_service())
            .filter(|i| objectives[*i].2 > 0)
            .map(|i| {
                let (rto, rpo, extra) = objectives[i];
                BusinessImpact::new(id(&key_n(i)), rto + extra, rto, rpo)
            })
            .collect();
        let recovery: Vec<CiRecovery> = (0..n)
            .filter(|i| recovery[*i].1 < 4 || recovery[*i].0 > 0)
            .map(|i| {
                let (d, team, backup) = recovery[i];
                let mut r = CiRecovery::new(id(&key_n(i)), d);
                if team < 3 {
                    r = r.with_team(format!("team-{team}"));
                }
                if backup > 0 {
                    r = r.with_backup_interval(backup - 1);
                }
                r
            })
            .collect();
        let disaster = if facility {
            Disaster::Facility(id(&key_n(0)))
        } else {
            let mut list: Vec<Id<Ci>> = failed.iter().map(|i| id(&key_n(i % n))).collect();
            list.dedup();
            Disaster::Cis(list)
        };
        Case { cmdb, analyses, recovery, disaster }
    }
}

fn failed_list(d: &Disaster) -> Vec<Id<Ci>> {
    match d {
        Disaster::Cis(l) => l.clone(),
        Disaster::Facility(f) => vec![*f],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn flow_down_equals_a_walk_from_every_service(case in case()) {
        let flow = flow_down(&case.cmdb, &case.analyses).unwrap();
        prop_assert_eq!(flow_by_key(&case.cmdb, &flow), brute_flow(&case.cmdb, &case.analyses));
        for e in flow.cis() {
            prop_assert_eq!(flow.get(e.ci), Some(e));
        }
    }

    #[test]
    fn recovery_plan_equals_a_plain_list_scheduler(case in case()) {
        let Case { cmdb, analyses, recovery, disaster } = &case;
        let plan = plan_recovery(cmdb, analyses, disaster, recovery).unwrap();
        let failed = failed_list(disaster);
        let brute = brute_plan(cmdb, analyses, &failed, recovery);
        let mine: BTreeMap<String, (u64, u64, u64)> = plan
            .steps
            .iter()
            .map(|s| (cmdb.ci(s.ci).unwrap().key.clone(), (s.start_s, s.end_s, s.up_s)))
            .collect();
        prop_assert_eq!(mine, brute);
    }

    #[test]
    fn recovery_plans_keep_every_rule(case in case()) {
        let Case { cmdb, analyses, recovery, disaster } = &case;
        let plan = plan_recovery(cmdb, analyses, disaster, recovery).unwrap();
        let down = down_of(cmdb, &failed_list(disaster));
        let units = brute_units(cmdb, &down);
        let step: HashMap<Id<Ci>, &RecoveryStep> = plan.steps.iter().map(|s| (s.ci, s)).collect();
        // Every CI down once, times in order, the list in order of start.
        prop_assert_eq!(step.len(), plan.steps.len());
        prop_assert_eq!(step.keys().copied().collect::<BTreeSet<_>>(), down.clone());
        prop_assert!(plan.steps.windows(2).all(|w| w[0].start_s <= w[1].start_s));
        let rec: HashMap<Id<Ci>, &CiRecovery> = recovery.iter().map(|r| (r.ci, r)).collect();
        for s in &plan.steps {
            let d = rec.get(&s.ci).map_or(0, |r| r.duration_s);
            prop_assert!(s.ready_s <= s.start_s && s.start_s + d == s.end_s && s.end_s <= s.up_s);
            // A cycle comes up together, when its last member is restored.
            let unit = &units[&s.ci];
            prop_assert_eq!(s.up_s, unit.iter().map(|m| step[m].end_s).max().unwrap());
            // Nothing starts before what it needs is up by the impact rules.
            prop_assert!(needs_up(cmdb, &down, unit, &|x| step.get(&x).is_some_and(|w| w.up_s <= s.start_s)));
            // A team does one CI at a time.
            if let (Some(team), true) = (&s.team, d > 0) {
                for o in &plan.steps {
                    let od = rec.get(&o.ci).map_or(0, |r| r.duration_s);
                    if o.ci != s.ci && o.team.as_ref() == Some(team) && od > 0 {
                        prop_assert!(o.end_s <= s.start_s || s.end_s <= o.start_s);
                    }
                }
            }
        }
        // Restored CIs stay up: at each instant the impact rules put down exactly the CIs
        // not yet up.
        let instants: BTreeSet<u64> = plan.steps.iter().map(|s| s.up_s).collect();
        for t in instants.iter().copied().chain(instants.iter().map(|t| t.saturating_sub(1))) {
            let still: Vec<Id<Ci>> = plan.steps.iter().filter(|s| s.up_s > t).map(|s| s.ci).collect();
            prop_assert_eq!(down_of(cmdb, &still), still.iter().copied().collect::<BTreeSet<_>>());
        }
        // A service is restored when the impact rules first say it is up.
        let restored: Vec<Id<Ci>> = plan.services.iter().map(|s| s.service).collect();
        let expected: Vec<Id<Ci>> = {
            let mut v: Vec<&Ci> = down.iter().map(|c| cmdb.ci(*c).unwrap()).filter(|c| c.kind.is_service()).collect();
            v.sort_by(|a, b| a.key.cmp(&b.key));
            v.into_iter().map(|c| c.id).collect()
        };
        prop_assert_eq!(restored, expected);
        for s in &plan.services {
            let down_at = |t: u64| {
                let still: Vec<Id<Ci>> = plan.steps.iter().filter(|x| x.up_s > t).map(|x| x.ci).collect();
                cmdb.impact_of(&still).unwrap().state(s.service) == Some(ImpactState::Down)
            };
            prop_assert!(!down_at(s.restored_s));
            prop_assert!(s.restored_s == 0 || down_at(s.restored_s - 1));
            let bia = analyses.iter().find(|a| a.service == s.service);
            prop_assert_eq!(s.rto_s, bia.map(|b| b.rto_s));
            let late = plan.findings.iter().any(|f| f.service == s.service && f.objective == Objective::Rto);
            prop_assert_eq!(late, s.rto_met() == Some(false));
        }
        // Backups against the RPO each CI inherits.
        let flow = brute_flow(cmdb, analyses);
        for b in &plan.backups {
            let key = &cmdb.ci(b.ci).unwrap().key;
            let rpo = flow[key].1.clone().unwrap();
            prop_assert_eq!((b.rpo.objective_s, cmdb.ci(b.rpo.set_by).unwrap().key.clone()), rpo);
            let gap = plan.findings.iter().any(|f| f.objective == Objective::Rpo && f.cis == [b.ci]);
            prop_assert_eq!(gap, !b.met());
        }
        let with_backup = plan.steps.iter().filter(|s| {
            rec.get(&s.ci).is_some_and(|r| r.backup_interval_s.is_some())
                && flow.get(&cmdb.ci(s.ci).unwrap().key).is_some_and(|f| f.1.is_some())
        }).count();
        prop_assert_eq!(plan.backups.len(), with_backup);
    }

    #[test]
    fn reading_only_what_is_affected_gives_the_same_plan(case in case()) {
        let Case { cmdb, analyses, recovery, disaster } = &case;
        let whole = plan_reading(cmdb, analyses, disaster, recovery, Read::Whole).unwrap();
        let part = plan_reading(cmdb, analyses, disaster, recovery, Read::Affected).unwrap();
        prop_assert_eq!(part, whole);
    }

    #[test]
    fn plans_survive_json(case in case()) {
        let Case { cmdb, analyses, recovery, disaster } = &case;
        let plan = plan_recovery(cmdb, analyses, disaster, recovery).unwrap();
        let json = serde_json::to_string(&plan).unwrap();
        prop_assert_eq!(serde_json::from_str::<RecoveryPlan>(&json).unwrap(), plan);
        let flow = flow_down(cmdb, analyses).unwrap();
        let json = serde_json::to_string(&flow).unwrap();
        let back: FlowDown = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &flow);
        for e in flow.cis() {
            prop_assert_eq!(back.get(e.ci), Some(e));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Worked examples

/// Two services on a shared database: `svc-shop` (RTO 4 h) and `svc-hr` (RTO 24 h, its own
/// database a shared `db`), a host under both, in a data centre.
fn estate() -> Cmdb {
    let mut cmdb = Cmdb::new();
    for c in [
        svc("svc-shop"),
        svc("svc-hr"),
        ci("app-shop", CiKind::Application),
        ci("app-hr", CiKind::Application),
        ci("db", CiKind::Software),
        ci("host-1", CiKind::Hardware),
        ci("host-2", CiKind::Hardware),
        ci("dc-1", CiKind::Facility),
        ci("manual", CiKind::Document),
    ] {
        cmdb.add_ci(c).unwrap();
    }
    needs(&mut cmdb, "svc-shop", "app-shop");
    needs(&mut cmdb, "svc-hr", "app-hr");
    needs(&mut cmdb, "app-shop", "db");
    needs(&mut cmdb, "app-hr", "db");
    needs(&mut cmdb, "db", "host-1");
    needs(&mut cmdb, "app-shop", "host-2");
    needs(&mut cmdb, "app-hr", "host-2");
    needs(&mut cmdb, "host-1", "dc-1");
    needs(&mut cmdb, "host-2", "dc-1");
    cmdb.relate(Relation::new(
        id("svc-shop"),
        RelationKind::DocumentedBy,
        id("manual"),
    ))
    .unwrap();
    cmdb
}

fn analyses() -> Vec<BusinessImpact> {
    vec![
        BusinessImpact::new(id("svc-shop"), 8 * H, 4 * H, H / 4)
            .with_step(0, Level::new("Low", 1))
            .with_step(2 * H, Level::new("High", 3)),
        BusinessImpact::new(id("svc-hr"), 72 * H, 24 * H, 24 * H),
    ]
}

#[test]
fn a_shared_component_shows_the_stricter_inherited_objective() {
    let cmdb = estate();
    let flow = flow_down(&cmdb, &analyses()).unwrap();
    let db = flow.get(id("db")).unwrap();
    assert_eq!(
        db.rto,
        Some(Inherited {
            objective_s: 4 * H,
            set_by: id("svc-shop")
        })
    );
    assert_eq!(db.rpo.unwrap().objective_s, H / 4);
    let hr_app = flow.get(id("app-hr")).unwrap();
    assert_eq!(hr_app.rto.unwrap().set_by, id("svc-hr"));
    assert!(
        flow.get(id("manual")).is_none(),
        "a document carries no failure"
    );
    assert_eq!(
        flow.get(id("svc-hr")).unwrap().rto.unwrap().set_by,
        id("svc-hr")
    );
}

#[test]
fn a_service_with_its_own_looser_objective_shows_its_consumers() {
    let mut cmdb = estate();
    cmdb.add_ci(svc("svc-auth")).unwrap();
    needs(&mut cmdb, "svc-shop", "svc-auth");
    let mut a = analyses();
    a.push(BusinessImpact::new(id("svc-auth"), 48 * H, 24 * H, H));
    let flow = flow_down(&cmdb, &a).unwrap();
    let auth = flow.get(id("svc-auth")).unwrap();
    assert_eq!(auth.rto.unwrap().set_by, id("svc-shop"));
    assert_eq!(auth.rto.unwrap().objective_s, 4 * H);
    // An equal objective of its own wins the tie.
    a[2].rto_s = 4 * H;
    let flow = flow_down(&cmdb, &a).unwrap();
    assert_eq!(
        flow.get(id("svc-auth")).unwrap().rto.unwrap().set_by,
        id("svc-auth")
    );
}

#[test]
fn equal_objectives_are_set_by_the_smallest_key() {
    let cmdb = estate();
    let mut a = analyses();
    a[1].rto_s = 4 * H; // svc-hr now as strict as svc-shop
    let flow = flow_down(&cmdb, &a).unwrap();
    assert_eq!(
        flow.get(id("db")).unwrap().rto.unwrap().set_by,
        id("svc-hr")
    );
    // Given in the other order: the same answer.
    a.reverse();
    assert_eq!(flow_down(&cmdb, &a).unwrap(), flow);
    cmdb.prepare();
    assert_eq!(flow_down(&cmdb, &a).unwrap(), flow);
}

#[test]
fn losing_the_data_centre_restores_dependency_first_with_one_team() {
    let cmdb = estate();
    let recovery = vec![
        CiRecovery::new(id("dc-1"), H),
        CiRecovery::new(id("host-1"), 2 * H).with_team("infra"),
        CiRecovery::new(id("host-2"), 2 * H).with_team("infra"),
        CiRecovery::new(id("db"), H)
            .with_team("dba")
            .with_backup_interval(H),
        CiRecovery::new(id("app-shop"), H / 2),
        CiRecovery::new(id("app-hr"), H / 2),
    ];
    let plan = plan_recovery(
        &cmdb,
        &analyses(),
        &Disaster::Facility(id("dc-1")),
        &recovery,
    )
    .unwrap();
    let at = |k: &str| plan.steps.iter().find(|s| s.ci == id(k)).unwrap();
    assert_eq!((at("dc-1").start_s, at("dc-1").end_s), (0, H));
    // Both hosts need the same team and inherit the same 4 h RTO: the smaller key first.
    assert_eq!((at("host-1").start_s, at("host-1").end_s), (H, 3 * H));
    assert_eq!((at("host-2").ready_s, at("host-2").start_s), (H, 3 * H));
    assert_eq!(at("db").waited_for, Some(id("host-1")));
    assert_eq!((at("db").start_s, at("db").end_s), (3 * H, 4 * H));
    assert_eq!(at("app-shop").up_s, 5 * H + H / 2);
    assert_eq!(
        at("svc-shop").up_s,
        5 * H + H / 2,
        "a service without a duration comes back with its needs"
    );
    assert_eq!(plan.completed_s, 5 * H + H / 2);
    let shop = plan
        .services
        .iter()
        .find(|s| s.service == id("svc-shop"))
        .unwrap();
    assert_eq!(shop.rto_met(), Some(false));
    assert_eq!(shop.impact, Some(Level::new("High", 3)));
    let hr = plan
        .services
        .iter()
        .find(|s| s.service == id("svc-hr"))
        .unwrap();
    assert_eq!(hr.rto_met(), Some(true));
    assert_eq!(plan.services[0].service, id("svc-hr"), "services by key");

    assert_eq!(plan.findings.len(), 2);
    let late = &plan.findings[0];
    assert_eq!(
        (
            late.service,
            late.objective,
            late.required_s,
            late.achieved_s
        ),
        (id("svc-shop"), Objective::Rto, 4 * H, 5 * H + H / 2)
    );
    assert_eq!(late.cis, ["svc-shop", "app-shop", "host-2", "dc-1"].map(id));
    assert_eq!(
        late.describe(&cmdb),
        "`svc-shop` is restored after 5 h 30 min (19800 s) in the recovery plan, past its recovery time objective of 4 h (14400 s); critical path: `svc-shop`, `app-shop`, `host-2`, `dc-1`"
    );
    let rpo = &plan.findings[1];
    assert_eq!(
        (
            rpo.service,
            rpo.objective,
            rpo.required_s,
            rpo.achieved_s,
            rpo.cis.clone()
        ),
        (id("svc-shop"), Objective::Rpo, H / 4, H, vec![id("db")])
    );
    assert_eq!(
        rpo.describe(&cmdb),
        "`db` is backed up every 1 h (3600 s), more than the recovery point objective of 15 min (900 s) set by `svc-shop`: data written since the last backup can be lost"
    );
    assert_eq!(plan.backups.len(), 1);
    assert!(!plan.backups[0].met());
}

#[test]
fn the_stricter_rto_goes_first_when_a_team_must_choose() {
    let mut cmdb = Cmdb::new();
    for c in [
        svc("svc-a"),
        svc("svc-b"),
        ci("host-a", CiKind::Hardware),
        ci("host-b", CiKind::Hardware),
    ] {
        cmdb.add_ci(c).unwrap();
    }
    needs(&mut cmdb, "svc-a", "host-a");
    needs(&mut cmdb, "svc-b", "host-b");
    let analyses = [
        BusinessImpact::new(id("svc-a"), 10 * H, 8 * H, 0),
        BusinessImpact::new(id("svc-b"), 10 * H, 2 * H, 0),
    ];
    let recovery = [
        CiRecovery::new(id("host-a"), 2 * H).with_team("infra"),
        CiRecovery::new(id("host-b"), 2 * H).with_team("infra"),
    ];
    let plan = plan_recovery(
        &cmdb,
        &analyses,
        &Disaster::Cis(vec![id("host-a"), id("host-b")]),
        &recovery,
    )
    .unwrap();
    let at = |k: &str| plan.steps.iter().find(|s| s.ci == id(k)).unwrap();
    assert_eq!(
        at("host-b").start_s,
        0,
        "svc-b's 2 h RTO beats the key order"
    );
    assert_eq!(at("host-a").start_s, 2 * H);
    assert!(plan.findings.is_empty());
    assert_eq!(plan.steps[0].ci, id("host-b"));
}

#[test]
fn a_redundant_pair_needs_only_min_up_members_back() {
    let mut cmdb = Cmdb::new();
    for c in [
        svc("svc"),
        ci("web-1", CiKind::Hardware),
        ci("web-2", CiKind::Hardware),
    ] {
        cmdb.add_ci(c).unwrap();
    }
    needs(&mut cmdb, "svc", "web-1");
    needs(&mut cmdb, "svc", "web-2");
    cmdb.add_group(RedundancyGroup::new(
        "web",
        id("svc"),
        vec![id("web-1"), id("web-2")],
        1,
    ))
    .unwrap();
    let recovery = [
        CiRecovery::new(id("web-1"), H),
        CiRecovery::new(id("web-2"), 3 * H),
    ];
    let both = Disaster::Cis(vec![id("web-1"), id("web-2")]);
    let plan = plan_recovery(&cmdb, &[], &both, &recovery).unwrap();
    assert_eq!(plan.services[0].restored_s, H);
    assert_eq!(plan.completed_s, 3 * H);
    // One member lost: the service is degraded, not down, and needs no recovery.
    let plan = plan_recovery(&cmdb, &[], &Disaster::Cis(vec![id("web-1")]), &recovery).unwrap();
    assert!(plan.services.is_empty());
    assert_eq!(plan.steps.len(), 1);
}

#[test]
fn a_cycle_comes_back_together() {
    let mut cmdb = Cmdb::new();
    for c in [
        svc("svc"),
        ci("app-a", CiKind::Application),
        ci("app-b", CiKind::Application),
        ci("host", CiKind::Hardware),
    ] {
        cmdb.add_ci(c).unwrap();
    }
    needs(&mut cmdb, "svc", "app-a");
    needs(&mut cmdb, "app-a", "app-b");
    needs(&mut cmdb, "app-b", "app-a");
    needs(&mut cmdb, "app-a", "host");
    let recovery = [
        CiRecovery::new(id("host"), H),
        CiRecovery::new(id("app-a"), H),
        CiRecovery::new(id("app-b"), 3 * H),
    ];
    let plan = plan_recovery(&cmdb, &[], &Disaster::Cis(vec![id("host")]), &recovery).unwrap();
    let at = |k: &str| plan.steps.iter().find(|s| s.ci == id(k)).unwrap();
    assert_eq!(
        at("app-b").ready_s,
        H,
        "app-b needs app-a, in its own cycle: it starts with it"
    );
    assert_eq!((at("app-a").end_s, at("app-a").up_s), (2 * H, 4 * H));
    assert_eq!(at("app-b").up_s, 4 * H);
    assert_eq!(plan.cycles, vec![vec![id("app-a"), id("app-b")]]);
    assert_eq!(plan.services[0].restored_s, 4 * H);
}

#[test]
fn nothing_down_is_an_empty_plan() {
    let cmdb = estate();
    let plan = plan_recovery(&cmdb, &analyses(), &Disaster::Cis(vec![]), &[]).unwrap();
    assert!(plan.steps.is_empty() && plan.services.is_empty() && plan.findings.is_empty());
    assert_eq!(plan.completed_s, 0);
}

// ---------------------------------------------------------------------------------------------
// Refused inputs

#[test]
fn bad_recovery_inputs_are_refused_by_key() {
    let cmdb = estate();
    let dc = Disaster::Facility(id("dc-1"));
    let err = |r: &[CiRecovery]| {
        plan_recovery(&cmdb, &analyses(), &dc, r)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(&[CiRecovery::new(id("db"), 1), CiRecovery::new(id("db"), 2)]),
        "configuration item `db` has more than one recovery entry"
    );
    assert_eq!(
        err(&[CiRecovery::new(id("db"), MAX_DURATION_S + 1)]),
        "recovery of `db`: `duration_s` (315360001 s) is longer than the longest duration taken, 315360000 s (3650 days)"
    );
    assert!(
        err(&[CiRecovery::new(id("db"), 1).with_backup_interval(MAX_DURATION_S + 1)])
            .starts_with("recovery of `db`: `backup_interval_s`")
    );
    assert!(
        err(&[CiRecovery::new(id("db"), 1).with_team(" dba")])
            .starts_with("recovery of `db`: `team`")
    );
    assert!(err(&[CiRecovery::new(id("ghost"), 1)]).starts_with("unknown configuration item `"));
}

#[test]
fn bad_scenarios_are_refused_by_key() {
    let cmdb = estate();
    let e = plan_recovery(&cmdb, &analyses(), &Disaster::Facility(id("host-1")), &[]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`facility` names `host-1`, a hardware, not a facility"
    );
    let e = plan_recovery(&cmdb, &analyses(), &Disaster::Cis(vec![id("ghost")]), &[]).unwrap_err();
    assert_eq!(e, ContinuityError::UnknownCi { id: id("ghost") });
    let mut bad = analyses();
    bad[0].rto_s = 9 * H;
    let e = plan_recovery(&cmdb, &bad, &Disaster::Facility(id("dc-1")), &[]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("business impact analysis of `svc-shop`: `rto_s`")
    );
    let e = flow_down(&cmdb, &bad).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("business impact analysis of `svc-shop`: `rto_s`")
    );
}

#[test]
fn entries_for_cis_a_plan_does_not_read_are_still_checked() {
    let cmdb = estate();
    let db = Disaster::Cis(vec![id("db")]);
    let plan = |r: &[CiRecovery]| plan_reading(&cmdb, &analyses(), &db, r, Read::Affected);
    let fine = [
        CiRecovery::new(id("db"), H),
        CiRecovery::new(id("host-2"), H).with_team("infra"),
    ];
    let p = plan(&fine).unwrap();
    assert_eq!(p.steps.len(), 5, "db, both apps, both services");
    assert_eq!(p, plan_recovery(&cmdb, &analyses(), &db, &fine).unwrap());
    let err = |r: &[CiRecovery]| plan(r).unwrap_err().to_string();
    assert_eq!(
        err(&[
            CiRecovery::new(id("host-2"), 1),
            CiRecovery::new(id("host-2"), 2)
        ]),
        "configuration item `host-2` has more than one recovery entry"
    );
    assert!(
        err(&[CiRecovery::new(id("host-2"), 1).with_team("")])
            .starts_with("recovery of `host-2`: `team`")
    );
    assert!(err(&[CiRecovery::new(id("ghost"), 1)]).starts_with("unknown configuration item `"));
}

#[test]
fn a_refused_input_leaves_the_next_answer_unchanged() {
    let cmdb = estate();
    let dc = Disaster::Facility(id("dc-1"));
    let recovery = [CiRecovery::new(id("db"), H).with_team("dba")];
    let before = plan_recovery(&cmdb, &analyses(), &dc, &recovery).unwrap();
    let flow_before = flow_down(&cmdb, &analyses()).unwrap();
    assert!(
        plan_recovery(
            &cmdb,
            &analyses(),
            &dc,
            &[recovery[0].clone(), recovery[0].clone()]
        )
        .is_err()
    );
    assert!(plan_recovery(&cmdb, &analyses(), &Disaster::Facility(id("db")), &recovery).is_err());
    assert!(flow_down(&cmdb, &[analyses()[0].clone(), analyses()[0].clone()]).is_err());
    assert_eq!(
        plan_recovery(&cmdb, &analyses(), &dc, &recovery).unwrap(),
        before
    );
    assert_eq!(flow_down(&cmdb, &analyses()).unwrap(), flow_before);
}

// ---------------------------------------------------------------------------------------------
// Exercises

fn exercise() -> Exercise {
    Exercise {
        name: "dr-2026-q1".into(),
        date: NaiveDate::from_ymd_opt(2026, 3, 14).unwrap(),
        scenario: Disaster::Facility(id("dc-1")),
        measured: vec![
            MeasuredRestore {
                service: id("svc-shop"),
                restored_s: 6 * H,
            },
            MeasuredRestore {
                service: id("svc-hr"),
                restored_s: 20 * H,
            },
        ],
        notes: "restore of `db` from tape took\ntwo hours longer than planned".into(),
    }
}

#[test]
fn an_exercise_that_missed_an_rto_is_a_finding() {
    let cmdb = estate();
    let review = review_exercise(&cmdb, &analyses(), &exercise()).unwrap();
    assert_eq!(review.services.len(), 2);
    assert_eq!(review.services[0].service, id("svc-hr"), "by key");
    assert_eq!(review.services[0].rto_met(), Some(true));
    assert_eq!(review.services[1].impact, Some(Level::new("High", 3)));
    assert_eq!(review.findings.len(), 1);
    let f = &review.findings[0];
    assert_eq!(
        (f.service, f.objective, f.required_s, f.achieved_s),
        (id("svc-shop"), Objective::Rto, 4 * H, 6 * H)
    );
    assert_eq!(
        f.basis,
        FindingBasis::Exercise {
            name: "dr-2026-q1".into(),
            date: NaiveDate::from_ymd_opt(2026, 3, 14).unwrap()
        }
    );
    // Past the MTPD as well: two findings, RTO first.
    let mut late = exercise();
    late.measured[0].restored_s = 9 * H;
    let review = review_exercise(&cmdb, &analyses(), &late).unwrap();
    let objectives: Vec<Objective> = review.findings.iter().map(|f| f.objective).collect();
    assert_eq!(objectives, [Objective::Rto, Objective::Mtpd]);
    assert_eq!(
        review.findings[1].describe(&cmdb),
        "exercise `dr-2026-q1` of 2026-03-14 restored `svc-shop` after 9 h (32400 s), past its maximum tolerable period of disruption of 8 h (28800 s)"
    );
}

#[test]
fn bad_exercises_are_refused_naming_the_field() {
    let cmdb = estate();
    let err = |e: &Exercise| {
        review_exercise(&cmdb, &analyses(), e)
            .unwrap_err()
            .to_string()
    };
    let mut e = exercise();
    e.measured.push(MeasuredRestore {
        service: id("svc-shop"),
        restored_s: 1,
    });
    assert_eq!(
        err(&e),
        "exercise `dr-2026-q1`: `measured[2].service` `svc-shop` is measured twice"
    );
    let mut e = exercise();
    e.measured[1].service = id("db");
    assert_eq!(err(&e), "`measured` names `db`, a software, not a service");
    let mut e = exercise();
    e.name = String::new();
    assert!(err(&e).contains("`name`"));
    let mut e = exercise();
    e.notes = "bell \u{7}".into();
    assert!(err(&e).contains("`notes`"));
    let mut e = exercise();
    e.date = NaiveDate::from_ymd_opt(1800, 1, 1).unwrap();
    assert!(err(&e).contains("`date`"));
    let mut e = exercise();
    e.measured[0].restored_s = MAX_DURATION_S + 1;
    assert!(err(&e).contains("`measured[0].restored_s`"));
    let mut e = exercise();
    e.scenario = Disaster::Facility(id("db"));
    assert!(err(&e).contains("not a facility"));
}

#[test]
fn records_survive_json_and_refuse_unknown_fields() {
    let e = exercise();
    let json = serde_json::to_string(&e).unwrap();
    assert_eq!(serde_json::from_str::<Exercise>(&json).unwrap(), e);
    let cmdb = estate();
    let review = review_exercise(&cmdb, &analyses(), &e).unwrap();
    let json = serde_json::to_string(&review).unwrap();
    assert_eq!(
        serde_json::from_str::<ExerciseReview>(&json).unwrap(),
        review
    );
    let r = CiRecovery::new(id("db"), 60)
        .with_team("dba")
        .with_backup_interval(3600);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["duration_s"], 60);
    assert_eq!(serde_json::from_value::<CiRecovery>(json).unwrap(), r);
    let bare: CiRecovery = serde_json::from_str(&format!(r#"{{"ci": "{}"}}"#, id("db"))).unwrap();
    assert_eq!(bare, CiRecovery::new(id("db"), 0));
    assert!(
        serde_json::from_str::<CiRecovery>(&format!(r#"{{"ci": "{}", "duration": 5}}"#, id("db")))
            .is_err()
    );
    let d: Disaster =
        serde_json::from_str(&format!(r#"{{"facility": "{}"}}"#, id("dc-1"))).unwrap();
    assert_eq!(d, Disaster::Facility(id("dc-1")));
}
