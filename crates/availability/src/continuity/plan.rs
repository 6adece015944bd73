//! Recovery plans for a disaster scenario (ISO/IEC 20000-1 8.7.2; TR 20000-17 5.7): the rules
//! are on [`plan_recovery`].
//!
//! **Cost.** The CMDB is read once through its public API (O(V + E), one id lookup per
//! relation; see `graph.rs`), the CIs down are found on that read by the rules of `impact_of`
//! (the tests check the two agree), and everything after works on compact arrays over the CIs
//! down: the cycles by peeling plus petgraph's kosaraju on what is left, the objectives by
//! `flow.rs`, the schedule in O((V + E) log V). The loss of a data centre in the
//! million-CI testkit organisation (792 144 CIs down) is measured in `benches/continuity.rs`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use itsm_cmdb::{Ci, CiKind, Cmdb};
use itsm_core::{Id, Level, text};
use petgraph::Directed;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{Graph, NodeIndex};
use serde::{Deserialize, Serialize};

use super::bia::{BusinessImpact, MAX_DURATION_S, validate_all};
use super::error::{ContinuityError, key_of};
use super::finding::{ContinuityFinding, FindingBasis, Objective};
use super::flow::{Inherited, Which, inherit, inherited};
use super::graph::{IdMap, NO_GROUP, NONE, Net};

/// The longest critical path a finding lists, in CIs.
pub const CRITICAL_PATH_MAX: usize = 100;

/// A disaster scenario.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Disaster {
    /// These CIs fail at once.
    Cis(Vec<Id<Ci>>),
    /// A facility (a data centre, a building) fails, and everything that needs it.
    Facility(Id<Ci>),
}

/// How one CI is recovered.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a CI's recovery with `ci` and optional `duration_s`, `team` and `backup_interval_s`"
)]
pub struct CiRecovery {
    /// The CI.
    pub ci: Id<Ci>,
    /// Seconds its restoration takes once it can start (0, the default: it is back as soon as
    /// what it needs is back).
    #[serde(default)]
    pub duration_s: u64,
    /// The recovery team that restores it (a key, `dba`); none: no team limits it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Seconds between two backups of its data; none: it holds no data of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_interval_s: Option<u64>,
}

impl CiRecovery {
    /// A CI restored in `duration_s` seconds by no particular team, without backups.
    #[must_use]
    pub const fn new(ci: Id<Ci>, duration_s: u64) -> Self {
        Self {
            ci,
            duration_s,
            team: None,
            backup_interval_s: None,
        }
    }

    /// Restored by `team`.
    #[must_use]
    pub fn with_team(mut self, team: impl Into<String>) -> Self {
        self.team = Some(team.into());
        self
    }

    /// Backed up every `interval_s` seconds.
    #[must_use]
    pub const fn with_backup_interval(mut self, interval_s: u64) -> Self {
        self.backup_interval_s = Some(interval_s);
        self
    }
}

/// One CI's place in a recovery plan. Times are seconds from the disaster.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryStep {
    /// The CI.
    pub ci: Id<Ci>,
    /// When what it (or its cycle) needs was up again.
    pub ready_s: u64,
    /// When its restoration started (after `ready_s` when its team was busy).
    pub start_s: u64,
    /// When its restoration ended.
    pub end_s: u64,
    /// When it is up: `end_s`, or for a member of a cycle the end of the cycle's last member.
    pub up_s: u64,
    /// The team that restores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The CI whose return made it ready (none: ready at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waited_for: Option<Id<Ci>>,
}

/// A service down in the scenario and when it is back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceRestore {
    /// The service.
    pub service: Id<Ci>,
    /// When it is no longer down, seconds from the disaster.
    pub restored_s: u64,
    /// Its recovery time objective, when it has an analysis.
    pub rto_s: Option<u64>,
    /// Its maximum tolerable period of disruption, when it has an analysis.
    pub mtpd_s: Option<u64>,
    /// The business impact reached by then, when its analysis has impact steps.
    pub impact: Option<Level>,
}

impl ServiceRestore {
    /// Whether it is back within its RTO; `None` without an analysis.
    #[must_use]
    pub fn rto_met(&self) -> Option<bool> {
        self.rto_s.map(|rto| self.restored_s <= rto)
    }
}

/// A CI down in the scenario whose backups are checked against the RPO it inherits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupCheck {
    /// The CI.
    pub ci: Id<Ci>,
    /// Seconds between its backups: the data that may be lost.
    pub backup_interval_s: u64,
    /// The strictest RPO of the services that need it, and the service that sets it.
    pub rpo: Inherited,
}

impl BackupCheck {
    /// True when the backups are close enough for the RPO.
    #[must_use]
    pub const fn met(&self) -> bool {
        self.backup_interval_s <= self.rpo.objective_s
    }
}

/// The recovery plan for a disaster scenario; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryPlan {
    /// The CIs the scenario fails (the facility, or the list without repeats).
    pub failed: Vec<Id<Ci>>,
    /// Every CI down, in order of start (ties: priority order).
    pub steps: Vec<RecoveryStep>,
    /// The dependency cycles among the CIs down, each recovering together: members by key,
    /// cycles by their first key.
    pub cycles: Vec<Vec<Id<Ci>>>,
    /// Every service down, by key.
    pub services: Vec<ServiceRestore>,
    /// Every CI down with a backup interval and an inherited RPO, in the order of `steps`.
    pub backups: Vec<BackupCheck>,
    /// The gaps: late services (RTO, then MTPD) by service key, then backups too far apart in
    /// the order of `backups`.
    pub findings: Vec<ContinuityFinding>,
    /// When the last CI is up, seconds from the disaster (0 when nothing is down).
    pub completed_s: u64,
}

/// The CIs a scenario fails, checked.
pub(crate) fn failed_of(cmdb: &Cmdb, disaster: &Disaster) -> Result<Vec<Id<Ci>>, ContinuityError> {
    match disaster {
        Disaster::Cis(list) => {
            let mut seen = std::collections::HashSet::with_capacity(list.len());
            let mut out = Vec::with_capacity(list.len());
            for id in list {
                if cmdb.ci(*id).is_none() {
                    return Err(ContinuityError::UnknownCi { id: *id });
                }
                if seen.insert(*id) {
                    out.push(*id);
                }
            }
            Ok(out)
        }
        Disaster::Facility(id) => {
            let ci = cmdb.ci(*id).ok_or(ContinuityError::UnknownCi { id: *id })?;
            if ci.kind != CiKind::Facility {
                return Err(ContinuityError::WrongKind {
                    key: ci.key.clone(),
                    kind: ci.kind.name().to_owned(),
                    expected: "facility",
                    field: "facility",
                });
            }
            Ok(vec![*id])
        }
    }
}

/// The CIs down, numbered locally in discovery order (failed CIs first), with the "needs"
/// edges among them as compressed rows in both directions: every later pass reads these small
/// arrays instead of the whole graph.
struct Down {
    /// Local -> dense.
    global: Vec<u32>,
    /// Dense -> local (or NONE).
    local: Vec<u32>,
    /// Local -> the range of its dependencies (within the CIs down) in `fwd`.
    fwd_start: Vec<usize>,
    /// (local dependency, group slot).
    fwd: Vec<(u32, u32)>,
    /// Local -> the range of its dependents (within the CIs down) in `rev`.
    rev_start: Vec<usize>,
    /// (local dependent, group slot).
    rev: Vec<(u32, u32)>,
}

impl Down {
    fn new(net: &Net<'_>, failed: &[u32]) -> Self {
        let global = net.down(failed);
        let m = global.len();
        let mut local = vec![NONE; net.len()];
        for (l, &v) in (0u32..).zip(&global) {
            if let Some(slot) = local.get_mut(v as usize) {
                *slot = l;
            }
        }
        let mut fwd_start = Vec::with_capacity(m + 1);
        let mut fwd = Vec::new();
        let mut indegree = vec![0usize; m + 1];
        for &v in &global {
            fwd_start.push(fwd.len());
            for (w, slot) in net.dependencies(v) {
                let lw = local.get(w as usize).copied().unwrap_or(NONE);
                if lw != NONE {
                    fwd.push((lw, slot));
                    if let Some(d) = indegree.get_mut(lw as usize + 1) {
                        *d += 1;
                    }
                }
            }
        }
        fwd_start.push(fwd.len());
        // Reverse rows by counting sort.
        for i in 1..indegree.len() {
            let before = indegree.get(i - 1).copied().unwrap_or(0);
            if let Some(d) = indegree.get_mut(i) {
                *d += before;
            }
        }
        let rev_start = indegree;
        let mut next = rev_start.clone();
        let mut rev = vec![(NONE, NO_GROUP); fwd.len()];
        for l in 0..m {
            let (a, b) = (
                fwd_start.get(l).copied().unwrap_or(0),
                fwd_start.get(l + 1).copied().unwrap_or(0),
            );
            for &(lw, slot) in fwd.get(a..b).unwrap_or_default() {
                if let Some(at) = next.get_mut(lw as usize) {
                    if let Some(e) = rev.get_mut(*at) {
                        *e = (u32::try_from(l).unwrap_or(NONE), slot);
                    }
                    *at += 1;
                }
            }
        }
        Self {
            global,
            local,
            fwd_start,
            fwd,
            rev_start,
            rev,
        }
    }

    fn len(&self) -> usize {
        self.global.len()
    }

    /// What local `l` needs among the CIs down, with group slots.
    fn deps(&self, l: u32) -> &[(u32, u32)] {
        let (a, b) = (
            self.fwd_start.get(l as usize).copied().unwrap_or(0),
            self.fwd_start.get(l as usize + 1).copied().unwrap_or(0),
        );
        self.fwd.get(a..b).unwrap_or_default()
    }

    /// What needs local `l` among the CIs down, with group slots.
    fn dependents(&self, l: u32) -> &[(u32, u32)] {
        let (a, b) = (
            self.rev_start.get(l as usize).copied().unwrap_or(0),
            self.rev_start.get(l as usize + 1).copied().unwrap_or(0),
        );
        self.rev.get(a..b).unwrap_or_default()
    }

    /// The dense number of local `l`.
    fn dense(&self, l: u32) -> u32 {
        self.global.get(l as usize).copied().unwrap_or(NONE)
    }
}

/// One CI's recovery, resolved.
#[derive(Debug, Clone, Copy)]
struct Item {
    duration: u64,
    backup: Option<u64>,
    team: u32,
}

/// Per local CI its recovery (one array: one cache miss per CI), plus the team names.
struct Work<'r> {
    items: Vec<Item>,
    /// Team number -> name, in order of first mention.
    teams: Vec<&'r str>,
}

/// Checks recovery entries (known CIs, each once, durations within bounds, team names sound
/// keys, each name checked once) and gives the CIs down theirs.
fn resolve_recovery<'r>(
    cmdb: &Cmdb,
    net: &Net<'_>,
    down: &Down,
    recovery: &'r [CiRecovery],
) -> Result<Work<'r>, ContinuityError> {
    let m = down.len();
    let mut work = Work {
        items: vec![
            Item {
                duration: 0,
                backup: None,
                team: NONE,
            };
            m
        ],
        teams: Vec::new(),
    };
    let mut seen = vec![false; net.len()];
    // CIs the plan did not read (it reads only what the scenario affects, when that is small).
    let mut seen_elsewhere: IdMap<Id<Ci>, ()> = IdMap::default();
    if recovery.len() > net.len() {
        seen_elsewhere.reserve(recovery.len() - net.len());
    }
    let mut team_index: HashMap<&str, u32> = HashMap::new();
    for r in recovery {
        let v = match net.dense(r.ci) {
            Some(v) => v,
            None if cmdb.ci(r.ci).is_some() => NONE,
            None => return Err(ContinuityError::UnknownCi { id: r.ci }),
        };
        let invalid = |field: &'static str, reason: String| ContinuityError::InvalidRecovery {
            ci: key_of(cmdb, r.ci),
            field,
            reason,
        };
        let first = match seen.get_mut(v as usize) {
            Some(s) => !std::mem::replace(s, true),
            None => seen_elsewhere.insert(r.ci, ()).is_none(),
        };
        if !first {
            return Err(ContinuityError::DuplicateRecovery {
                ci: key_of(cmdb, r.ci),
            });
        }
        for (field, value) in [
            ("duration_s", Some(r.duration_s)),
            ("backup_interval_s", r.backup_interval_s),
        ] {
            if let Some(v) = value.filter(|v| *v > MAX_DURATION_S) {
                return Err(invalid(
                    field,
                    format!(
                        "({v} s) is longer than the longest duration taken, {MAX_DURATION_S} s (3650 days)"
                    ),
                ));
            }
        }
        let team = match r.team.as_deref() {
            None => NONE,
            Some(name) => match team_index.get(name) {
                Some(t) => *t,
                None => {
                    text::check_key("recovery team", name)
                        .map_err(|e| invalid("team", e.to_string()))?;
                    let t = u32::try_from(work.teams.len()).unwrap_or(NONE);
                    work.teams.push(name);
                    team_index.insert(name, t);
                    t
                }
            },
        };
        let l = down.local.get(v as usize).copied().unwrap_or(NONE) as usize;
        // (NONE for a CI not read or not down: no item to fill.)
        if let Some(item) = work.items.get_mut(l) {
            *item = Item {
                duration: r.duration_s,
                backup: r.backup_interval_s,
                team,
            };
        }
    }
    Ok(work)
}

/// The cycles among the CIs down: the strongly connected components of the "needs" edges
/// among them with more than one CI. A CI that cannot be on a cycle (peeled away because
/// nothing down that it needs, or nothing down that needs it, is left) recovers on its own;
/// petgraph's kosaraju (iterative) runs only on what peeling leaves.
struct Cycles {
    /// Local -> its cycle (or NONE).
    cycle_of: Vec<u32>,
    /// Cycle -> start of its members in `members` (one more entry than cycles).
    start: Vec<usize>,
    /// Members of each cycle, ascending, cycle after cycle.
    members: Vec<u32>,
}

impl Cycles {
    fn new(down: &Down) -> Self {
        let m = down.len();
        let mut kept = vec![true; m];
        // Peel what needs nothing left, then what nothing left needs.
        for forward in [true, false] {
            let edges = |l: u32| {
                if forward {
                    down.deps(l)
                } else {
                    down.dependents(l)
                }
            };
            let back = |l: u32| {
                if forward {
                    down.dependents(l)
                } else {
                    down.deps(l)
                }
            };
            let mut count = vec![0u32; m];
            let mut queue: Vec<u32> = Vec::new();
            for l in 0..u32::try_from(m).unwrap_or(NONE) {
                if kept.get(l as usize) != Some(&true) {
                    continue;
                }
                let c = edges(l)
                    .iter()
                    .filter(|(w, _)| kept.get(*w as usize) == Some(&true))
                    .count();
                if let Some(slot) = count.get_mut(l as usize) {
                    *slot = u32::try_from(c).unwrap_or(u32::MAX);
                }
                if c == 0 {
                    queue.push(l);
                }
            }
            while let Some(l) = queue.pop() {
                if let Some(k) = kept.get_mut(l as usize) {
                    *k = false;
                }
                for &(w, _) in back(l) {
                    if kept.get(w as usize) != Some(&true) {
                        continue;
                    }
                    if let Some(c) = count.get_mut(w as usize) {
                        *c = c.saturating_sub(1);
                        if *c == 0 {
                            queue.push(w);
                        }
                    }
                }
            }
        }
        let rest: Vec<u32> = (0..u32::try_from(m).unwrap_or(NONE))
            .filter(|l| kept.get(*l as usize) == Some(&true))
            .collect();
        let mut cycle_of = vec![NONE; m];
        let mut start: Vec<usize> = vec![0];
        let mut members: Vec<u32> = Vec::new();
        if !rest.is_empty() {
            let mut at = vec![NONE; m];
            let mut g: Graph<(), (), Directed, u32> = Graph::with_capacity(rest.len(), rest.len());
            for (i, &l) in (0u32..).zip(&rest) {
                g.add_node(());
                if let Some(slot) = at.get_mut(l as usize) {
                    *slot = i;
                }
            }
            for (i, &l) in (0u32..).zip(&rest) {
                for &(w, _) in down.deps(l) {
                    let j = at.get(w as usize).copied().unwrap_or(NONE);
                    if j != NONE {
                        g.add_edge(NodeIndex::new(i as usize), NodeIndex::new(j as usize), ());
                    }
                }
            }
            let mut sccs: Vec<Vec<u32>> = kosaraju_scc(&g)
                .into_iter()
                .filter(|scc| scc.len() > 1)
                .map(|scc| {
                    let mut c: Vec<u32> = scc
                        .iter()
                        .filter_map(|x| rest.get(x.index()).copied())
                        .collect();
                    c.sort_unstable();
                    c
                })
                .collect();
            sccs.sort_unstable();
            for (c, scc) in (0u32..).zip(sccs) {
                for &l in &scc {
                    if let Some(slot) = cycle_of.get_mut(l as usize) {
                        *slot = c;
                    }
                }
                members.extend(scc);
                start.push(members.len());
            }
        }
        Self {
            cycle_of,
            start,
            members,
        }
    }

    fn count(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    fn members(&self, c: u32) -> &[u32] {
        let (a, b) = (
            self.start.get(c as usize).copied().unwrap_or(0),
            self.start.get(c as usize + 1).copied().unwrap_or(0),
        );
        self.members.get(a..b).unwrap_or_default()
    }
}

/// One CI down: its recovery and, on the unit's representative (the CI itself, or the first
/// member of its cycle), the unit's progress. 64 bytes, one cache line: the scheduler touches
/// one line per CI it looks at.
#[derive(Debug, Clone, Copy)]
struct Job {
    /// Its dense number.
    dense: u32,
    /// The local number of its unit's representative (itself unless in a cycle).
    unit: u32,
    /// Its cycle (or NONE).
    cycle: u32,
    /// Its priority rank (0 first).
    rank: u32,
    /// Its team (or NONE).
    team: u32,
    /// Unit: needs not yet met.
    unmet: u32,
    /// Unit: members not yet restored.
    remaining: u32,
    /// Unit: the local CI whose return met the last need (or NONE).
    binding: u32,
    /// Seconds its restoration takes.
    duration: u64,
    /// When its restoration starts.
    start: u64,
    /// Unit: when its needs were met.
    ready: u64,
    /// Unit: when it is up.
    up: u64,
}

/// The list scheduler over the CIs down.
struct Scheduler<'a> {
    net: &'a Net<'a>,
    down: &'a Down,
    cycles: &'a Cycles,
    jobs: Vec<Job>,
    /// Per cycle, the member restored last.
    last: Vec<u32>,
    /// Members up per group slot.
    group_up: Vec<u32>,
    /// Restore completions: (end, rank, local).
    events: BinaryHeap<Reverse<(u64, u32, u32)>>,
    /// Per team, what it may start: (rank, local).
    queues: Vec<BinaryHeap<Reverse<(u32, u32)>>>,
    busy: Vec<bool>,
    dirty: Vec<u32>,
    is_dirty: Vec<bool>,
}

impl Scheduler<'_> {
    fn job(&self, l: u32) -> Option<&Job> {
        self.jobs.get(l as usize)
    }

    fn unit(&self, l: u32) -> u32 {
        self.job(l).map_or(NONE, |j| j.unit)
    }

    /// The unit's progress, on its representative.
    fn unit_job(&self, l: u32) -> Option<&Job> {
        self.job(self.unit(l))
    }

    /// Counts each unit's unmet needs and each group's members up at the start: members not
    /// down, and members down in the dependent's own unit.
    fn count_needs(&mut self) {
        let slots = self.net.group_count();
        let mut in_down = vec![0u32; slots];
        let mut same_unit = vec![0u32; slots];
        for l in 0..u32::try_from(self.down.len()).unwrap_or(NONE) {
            let u = self.unit(l);
            let mut unmet = 0;
            for &(w, slot) in self.down.deps(l) {
                let same = self.unit(w) == u;
                if slot == NO_GROUP {
                    unmet += u32::from(!same);
                } else if let (Some(d), Some(s)) = (
                    in_down.get_mut(slot as usize),
                    same_unit.get_mut(slot as usize),
                ) {
                    *d += 1;
                    *s += u32::from(same);
                }
            }
            if let Some(j) = self.jobs.get_mut(u as usize) {
                j.unmet += unmet;
            }
        }
        let mut counted = vec![false; slots];
        for l in 0..u32::try_from(self.down.len()).unwrap_or(NONE) {
            let u = self.unit(l);
            for &(_, slot) in self.down.deps(l) {
                let Some(c) = counted.get_mut(slot as usize) else {
                    continue;
                };
                if *c {
                    continue;
                }
                *c = true;
                let up = self
                    .net
                    .members(slot)
                    .saturating_sub(in_down.get(slot as usize).copied().unwrap_or(0))
                    + same_unit.get(slot as usize).copied().unwrap_or(0);
                if let Some(g) = self.group_up.get_mut(slot as usize) {
                    *g = up;
                }
                if up < self.net.min_up(slot) {
                    if let Some(j) = self.jobs.get_mut(u as usize) {
                        j.unmet += 1;
                    }
                }
            }
        }
    }

    fn mark_dirty(&mut self, team: u32) {
        if let Some(d) = self.is_dirty.get_mut(team as usize) {
            if !*d {
                *d = true;
                self.dirty.push(team);
            }
        }
    }

    fn begin(&mut self, l: u32, at: u64) {
        let Some(j) = self.jobs.get_mut(l as usize) else {
            return;
        };
        j.start = at;
        let event = (at.saturating_add(j.duration), j.rank, l);
        self.events.push(Reverse(event));
    }

    /// Makes local CI `l` startable at `at`.
    fn release_one(&mut self, l: u32, at: u64) {
        let Some(&j) = self.job(l) else {
            return;
        };
        if j.team == NONE || j.duration == 0 {
            self.begin(l, at);
        } else {
            if let Some(q) = self.queues.get_mut(j.team as usize) {
                q.push(Reverse((j.rank, l)));
            }
            self.mark_dirty(j.team);
        }
    }

    /// Makes the members of the unit represented by `u` startable at `at`.
    fn release(&mut self, u: u32, at: u64) {
        let cycle = self.job(u).map_or(NONE, |j| j.cycle);
        if cycle == NONE {
            self.release_one(u, at);
        } else {
            let cycles = self.cycles;
            for &l in cycles.members(cycle) {
                self.release_one(l, at);
            }
        }
    }

    /// One need of the unit represented by `u` met at `at` by the return of local CI `by`.
    /// Needs met at the same instant: the one of the highest priority is named.
    fn meet(&mut self, u: u32, at: u64, by: u32) {
        let rank = |l: u32| self.job(l).map_or(NONE, |j| j.rank);
        let (by_rank, named_rank) = (rank(by), rank(self.job(u).map_or(NONE, |j| j.binding)));
        let Some(j) = self.jobs.get_mut(u as usize) else {
            return;
        };
        j.unmet = j.unmet.saturating_sub(1);
        if j.binding == NONE || at > j.ready || by_rank < named_rank {
            j.ready = at;
            j.binding = by;
        }
        if j.unmet == 0 {
            self.release(u, at);
        }
    }

    /// What needs `m` (down) learns that `m`, in the unit represented by `u`, is up at `at`.
    fn tell_dependents(&mut self, m: u32, u: u32, at: u64) {
        let down = self.down;
        for &(w, slot) in down.dependents(m) {
            let x = self.unit(w);
            if x == u {
                continue;
            }
            if slot == NO_GROUP {
                self.meet(x, at, m);
            } else if let Some(c) = self.group_up.get_mut(slot as usize) {
                *c += 1;
                if *c == self.net.min_up(slot) {
                    self.meet(x, at, m);
                }
            }
        }
    }

    /// Local CI `l` finished restoring at `at`.
    fn complete(&mut self, l: u32, at: u64) {
        let Some(&j) = self.job(l) else {
            return;
        };
        if j.team != NONE && j.duration > 0 {
            if let Some(b) = self.busy.get_mut(j.team as usize) {
                *b = false;
            }
            self.mark_dirty(j.team);
        }
        let u = j.unit;
        let Some(p) = self.jobs.get_mut(u as usize) else {
            return;
        };
        p.remaining = p.remaining.saturating_sub(1);
        if p.remaining > 0 {
            return;
        }
        p.up = at;
        if j.cycle == NONE {
            self.tell_dependents(l, u, at);
        } else {
            if let Some(last) = self.last.get_mut(j.cycle as usize) {
                *last = l;
            }
            let cycles = self.cycles;
            for &m in cycles.members(j.cycle) {
                self.tell_dependents(m, u, at);
            }
        }
    }

    /// Every free team with work starts its best CI at `at`.
    fn dispatch(&mut self, at: u64) {
        let mut dirty = std::mem::take(&mut self.dirty);
        for team in &dirty {
            let t = *team as usize;
            if let Some(d) = self.is_dirty.get_mut(t) {
                *d = false;
            }
            if self.busy.get(t).copied().unwrap_or(true) {
                continue;
            }
            let Some(Reverse((_, l))) = self.queues.get_mut(t).and_then(BinaryHeap::pop) else {
                continue;
            };
            if let Some(b) = self.busy.get_mut(t) {
                *b = true;
            }
            self.begin(l, at);
        }
        dirty.clear();
        self.dirty = dirty;
    }

    fn run(&mut self) {
        for l in 0..u32::try_from(self.jobs.len()).unwrap_or(NONE) {
            if self.job(l).is_some_and(|j| j.unit == l && j.unmet == 0) {
                self.release(l, 0);
            }
        }
        let mut now = 0u64;
        loop {
            while let Some(&Reverse((t, _, l))) = self.events.peek() {
                if t != now {
                    break;
                }
                self.events.pop();
                self.complete(l, now);
            }
            self.dispatch(now);
            match self.events.peek() {
                Some(&Reverse((t, _, _))) => now = t,
                None => break,
            }
        }
    }

    /// The critical path of local CI `l`, as locals, `l` first: the member of its cycle
    /// restored last, then the CI whose return made it ready, and so on.
    fn critical_path(&self, l: u32) -> Vec<u32> {
        let mut path = vec![l];
        let mut cur = l;
        while path.len() < CRITICAL_PATH_MAX {
            let Some(j) = self.job(cur) else {
                break;
            };
            if j.cycle != NONE {
                let last = self.last.get(j.cycle as usize).copied().unwrap_or(NONE);
                if last != cur && last != NONE {
                    cur = last;
                    path.push(cur);
                    continue;
                }
            }
            let binding = self.unit_job(cur).map_or(NONE, |u| u.binding);
            if binding == NONE {
                break;
            }
            cur = binding;
            path.push(cur);
        }
        path
    }
}

/// Plans the recovery from `disaster`.
///
/// ## The model
/// - **What is down.** The scenario fails a list of CIs, or a facility; the CIs down are those
///   [`itsm_cmdb::Cmdb::impact_of`] says are down (redundancy included: a CI that keeps enough
///   of its group is degraded, not down, and needs no recovery; a facility is failed with
///   everything down because of it). Every CI down needs recovery,
///   the failed ones and those down because of them alike.
/// - **Recovery of a CI** ([`CiRecovery`]): it takes `duration_s` seconds (a CI without an
///   entry, or with 0, comes back the moment what it needs is back), done by its `team` if it
///   names one. A team restores one CI at a time; a CI without a team, or with a zero
///   duration, is restored without waiting for any team.
/// - **Dependency first.** A CI can start only when what it needs is up again by the impact
///   rules: every dependency outside a redundancy group up, and at least `min_up` members of
///   each of its groups up (a CI never down counts as up). The CIs of a dependency cycle
///   (a strongly connected component of the CIs down) recover together: they may all start
///   once the cycle's needs outside it are up, each counting the others as up, and all come up
///   when the last of them is restored.
/// - **Business impact breaks ties.** When a team is free, it takes, among the CIs it can
///   start, the one with the strictest RTO it inherits (see [`flow_down`](super::flow_down);
///   a CI that inherits none comes last), then the smallest key.
///
/// ## The schedule
/// List scheduling, event-driven: a binary heap of restore completions in (time, priority)
/// order; at each instant every completion is applied first (a cycle or CI that comes up may
/// make others ready, and zero-duration ones come up at once), then every free team starts its
/// best ready CI. Deterministic: the same inputs give the same plan.
///
/// ## The answer
/// Each CI's `ready_s`, `start_s`, `end_s` and `up_s` (seconds from the disaster), each service
/// down with the time it is restored (no longer down by the impact rules) against its RTO and
/// MTPD, each CI down with a backup interval against the RPO it inherits (the whole interval
/// is the data that may be lost: the disaster may strike just before the next backup), and the
/// gaps as [`ContinuityFinding`]s. A late service's critical path follows what each CI waited
/// for: the member of its cycle that finished last, then the CI whose return made it ready,
/// down to a CI that could start at once (at most [`CRITICAL_PATH_MAX`] CIs); a CI that waited
/// for its team shows it as `start_s` after `ready_s`.
///
/// `analyses` gives the services' objectives (their RTOs order the work and are checked,
/// their RPOs are checked against backups); `recovery` gives per-CI durations, teams and
/// backup intervals (a CI without an entry takes no time and has no team).
///
/// ```
/// use itsm_availability::{BusinessImpact, CiRecovery, Disaster, Objective, plan_recovery};
/// use itsm_cmdb::{Ci, CiKind, Cmdb, Relation, RelationKind::*, ServiceProfile};
///
/// let mut cmdb = Cmdb::new();
/// let dc = Ci::new("dc-1", "Data centre", CiKind::Facility);
/// let host = Ci::new("host-1", "Host", CiKind::Hardware);
/// let app = Ci::new("app-pay", "Payments app", CiKind::Application);
/// let svc = Ci::new("svc-pay", "Payments", CiKind::Service(ServiceProfile::default()));
/// let (d, h, a, s) = (dc.id, host.id, app.id, svc.id);
/// for ci in [dc, host, app, svc] {
///     cmdb.add_ci(ci)?;
/// }
/// cmdb.relate(Relation::new(h, DependsOn, d))?;
/// cmdb.relate(Relation::new(a, RunsOn, h))?;
/// cmdb.relate(Relation::new(s, DependsOn, a))?;
///
/// let analyses = [BusinessImpact::new(s, 8 * 3600, 4 * 3600, 900)];
/// let recovery = [
///     CiRecovery::new(d, 2 * 3600),
///     CiRecovery::new(h, 3 * 3600).with_team("infra"),
///     CiRecovery::new(a, 3600).with_team("infra").with_backup_interval(3600),
/// ];
/// let plan = plan_recovery(&cmdb, &analyses, &Disaster::Facility(d), &recovery)?;
/// assert_eq!(plan.services[0].restored_s, 6 * 3600);
/// assert_eq!(plan.findings[0].objective, Objective::Rto); // 6 h against a 4 h RTO
/// assert_eq!(plan.findings[0].cis, [s, a, h, d]);
/// assert_eq!(plan.findings[1].objective, Objective::Rpo); // hourly backups, 15 min RPO
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// Any error of [`BusinessImpact::validate`]; [`ContinuityError::DuplicateAnalysis`];
/// [`ContinuityError::UnknownCi`] for a CI of the scenario or of `recovery` that the CMDB does
/// not hold; [`ContinuityError::WrongKind`] for a facility that is not one;
/// [`ContinuityError::DuplicateRecovery`]; [`ContinuityError::InvalidRecovery`] for a
/// duration or backup interval over [`MAX_DURATION_S`] or a team name that is not a sound key.
pub fn plan_recovery(
    cmdb: &Cmdb,
    analyses: &[BusinessImpact],
    disaster: &Disaster,
    recovery: &[CiRecovery],
) -> Result<RecoveryPlan, ContinuityError> {
    plan_reading(cmdb, analyses, disaster, recovery, Read::Auto)
}

/// How much of the CMDB a plan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    /// All of it when the scenario affects a quarter of the CIs or more, else [`Read::Affected`].
    Auto,
    /// All of it.
    Whole,
    /// Only the CIs the scenario affects (down or degraded): every service that needs a CI
    /// down, and every CI between them, is affected, so objectives and the schedule come out
    /// the same, at a cost in what the scenario touches rather than in the size of the CMDB.
    Affected,
}

/// [`plan_recovery`], reading as `read` says (the tests check both readings agree).
#[expect(
    clippy::too_many_lines,
    reason = "one pass from the scenario to the plan, each stage commented"
)]
pub(crate) fn plan_reading(
    cmdb: &Cmdb,
    analyses: &[BusinessImpact],
    disaster: &Disaster,
    recovery: &[CiRecovery],
    read: Read,
) -> Result<RecoveryPlan, ContinuityError> {
    validate_all(cmdb, analyses)?;
    let failed = failed_of(cmdb, disaster)?;
    let impact = cmdb.impact_of(&failed)?;
    let read = match read {
        Read::Auto if impact.len().saturating_mul(4) >= cmdb.len() => Read::Whole,
        Read::Auto => Read::Affected,
        given => given,
    };
    let net = if read == Read::Whole {
        drop(impact);
        Net::build(cmdb)
    } else {
        let affected: Vec<Id<Ci>> = impact.affected().map(|a| a.ci).collect();
        drop(impact);
        Net::build_over(cmdb, &affected)
    };
    let failed_dense: Vec<u32> = failed.iter().filter_map(|f| net.dense(*f)).collect();
    let down = Down::new(&net, &failed_dense);
    let work = resolve_recovery(cmdb, &net, &down, recovery)?;
    let cycles = Cycles::new(&down);
    let m = down.len();

    // Priority: the strictest inherited RTO first (none last), then the key.
    let rto = inherit(&net, analyses, Which::Rto);
    let mut order: Vec<(u64, u128, u32)> = (0u32..)
        .zip(&down.global)
        .map(|(l, &v)| {
            let x = rto.get(v as usize).map_or(u64::MAX, |a| a.0);
            (x, net.prefix(v), l)
        })
        .collect();
    drop(rto);
    let key_at = |l: u32| net.key(down.dense(l));
    order.sort_unstable_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then_with(|| key_at(a.2).cmp(key_at(b.2)))
    });
    let mut rank = vec![NONE; m];
    for (r, o) in (0u32..).zip(&order) {
        if let Some(slot) = rank.get_mut(o.2 as usize) {
            *slot = r;
        }
    }
    drop(order);

    let mut jobs: Vec<Job> = (0u32..)
        .zip(&down.global)
        .zip(&work.items)
        .map(|((l, &v), item)| {
            let i = l as usize;
            let cycle = cycles.cycle_of.get(i).copied().unwrap_or(NONE);
            Job {
                dense: v,
                unit: cycles.members(cycle).first().copied().unwrap_or(l),
                cycle,
                rank: rank.get(i).copied().unwrap_or(NONE),
                team: item.team,
                unmet: 0,
                remaining: u32::try_from(cycles.members(cycle).len().max(1)).unwrap_or(1),
                binding: NONE,
                duration: item.duration,
                start: 0,
                ready: 0,
                up: 0,
            }
        })
        .collect();
    drop(rank);
    // Only a unit's representative keeps its progress: the others count nothing.
    for j in &mut jobs {
        if j.cycle != NONE {
            j.remaining = 0;
        }
    }
    for c in 0..u32::try_from(cycles.count()).unwrap_or(NONE) {
        let ms = cycles.members(c);
        if let Some(j) = ms.first().and_then(|r| jobs.get_mut(*r as usize)) {
            j.remaining = u32::try_from(ms.len()).unwrap_or(u32::MAX);
        }
    }

    let teams = work.teams.len();
    let mut s = Scheduler {
        net: &net,
        down: &down,
        cycles: &cycles,
        jobs,
        last: vec![NONE; cycles.count()],
        group_up: vec![0; net.group_count()],
        events: BinaryHeap::new(),
        queues: vec![BinaryHeap::new(); teams],
        busy: vec![false; teams],
        dirty: Vec::new(),
        is_dirty: vec![false; teams],
    };
    s.count_needs();
    s.run();

    // The answer: steps by start, then priority.
    let mut in_order: Vec<(u64, u32, u32)> = (0u32..)
        .zip(&s.jobs)
        .map(|(l, j)| (j.start, j.rank, l))
        .collect();
    in_order.sort_unstable();
    let id_of = |l: u32| net.id(s.job(l).map_or(NONE, |j| j.dense));
    let team_names: Vec<String> = work.teams.iter().map(|t| (*t).to_owned()).collect();
    let steps: Vec<RecoveryStep> = in_order
        .iter()
        .filter_map(|&(_, _, l)| {
            let j = s.job(l)?;
            let u = s.unit_job(l)?;
            Some(RecoveryStep {
                ci: net.id(j.dense),
                ready_s: u.ready,
                start_s: j.start,
                end_s: j.start.saturating_add(j.duration),
                up_s: u.up,
                team: team_names.get(j.team as usize).cloned(),
                waited_for: (u.binding != NONE).then(|| id_of(u.binding)),
            })
        })
        .collect();
    let completed_s = steps.iter().map(|st| st.up_s).max().unwrap_or(0);

    let mut cycle_list: Vec<Vec<(&str, Id<Ci>)>> = (0..u32::try_from(cycles.count())
        .unwrap_or(NONE))
        .map(|c| {
            let mut members: Vec<(&str, Id<Ci>)> = cycles
                .members(c)
                .iter()
                .map(|&l| (key_at(l), id_of(l)))
                .collect();
            members.sort_unstable();
            members
        })
        .collect();
    cycle_list.sort_unstable();
    let cycle_list = cycle_list
        .into_iter()
        .map(|c| c.into_iter().map(|(_, id)| id).collect())
        .collect();

    let own: HashMap<Id<Ci>, &BusinessImpact> = analyses.iter().map(|a| (a.service, a)).collect();
    let mut services: Vec<(&str, u32)> = (0u32..)
        .zip(&down.global)
        .filter(|(_, v)| net.is_service(**v))
        .map(|(l, &v)| (net.key(v), l))
        .collect();
    services.sort_unstable();
    let mut findings = Vec::new();
    let services = services
        .into_iter()
        .map(|(_, l)| {
            let service = id_of(l);
            let restored_s = s.unit_job(l).map_or(0, |u| u.up);
            let bia = own.get(&service).copied();
            if let Some(b) = bia {
                for (objective, required_s) in
                    [(Objective::Rto, b.rto_s), (Objective::Mtpd, b.mtpd_s)]
                {
                    if restored_s > required_s {
                        findings.push(ContinuityFinding {
                            basis: FindingBasis::RecoveryPlan,
                            service,
                            objective,
                            required_s,
                            achieved_s: restored_s,
                            cis: s.critical_path(l).into_iter().map(id_of).collect(),
                        });
                    }
                }
            }
            ServiceRestore {
                service,
                restored_s,
                rto_s: bia.map(|b| b.rto_s),
                mtpd_s: bia.map(|b| b.mtpd_s),
                impact: bia.and_then(|b| b.impact_at(restored_s)).cloned(),
            }
        })
        .collect();

    // Backups, in the order of the steps; the RPO walk only when a CI down has backups.
    let rpo = if work.items.iter().any(|i| i.backup.is_some()) {
        inherit(&net, analyses, Which::Rpo)
    } else {
        Vec::new()
    };
    let mut backed_up: Vec<(u64, u32, u32, u64)> = (0u32..)
        .zip(&work.items)
        .filter_map(|(l, item)| {
            let j = s.job(l)?;
            Some((j.start, j.rank, l, item.backup?))
        })
        .collect();
    backed_up.sort_unstable();
    let backups: Vec<BackupCheck> = backed_up
        .into_iter()
        .filter_map(|(_, _, l, interval)| {
            let v = down.dense(l);
            Some(BackupCheck {
                ci: net.id(v),
                backup_interval_s: interval,
                rpo: inherited(&net, &rpo, v)?,
            })
        })
        .collect();
    findings.extend(
        backups
            .iter()
            .filter(|b| !b.met())
            .map(|b| ContinuityFinding {
                basis: FindingBasis::RecoveryPlan,
                service: b.rpo.set_by,
                objective: Objective::Rpo,
                required_s: b.rpo.objective_s,
                achieved_s: b.backup_interval_s,
                cis: vec![b.ci],
            }),
    );

    Ok(RecoveryPlan {
        failed,
        steps,
        cycles: cycle_list,
        services,
        backups,
        findings,
        completed_s,
    })
}
