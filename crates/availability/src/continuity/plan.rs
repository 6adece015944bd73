//! Recovery plans for a disaster scenario (ISO/IEC 20000-1 8.7.2; TR 20000-17 5.7).
//!
//! ## The model
//! - **What is down.** The scenario fails a list of CIs, or a facility; the CIs down are those
//!   [`itsm_cmdb::Cmdb::impact_of`] says are down (redundancy included: a CI that keeps enough
//!   of its group is degraded, not down, and needs no recovery). Every CI down needs recovery,
//!   the failed ones and those down because of them alike.
//! - **Recovery of a CI** ([`CiRecovery`]): it takes `duration_s` seconds (a CI without an
//!   entry, or with 0, comes back the moment what it needs is back), done by its `team` if it
//!   names one. A team restores one CI at a time; a CI without a team, or with a zero
//!   duration, is restored without waiting for any team.
//! - **Dependency first.** A CI can start only when what it needs is up again by the impact
//!   rules: every dependency outside a redundancy group up, and at least `min_up` members of
//!   each of its groups up (a CI never down counts as up). The CIs of a dependency cycle
//!   (a strongly connected component of the CIs down) recover together: they may all start
//!   once the cycle's needs outside it are up, each counting the others as up, and all come up
//!   when the last of them is restored.
//! - **Business impact breaks ties.** When a team is free, it takes, among the CIs it can
//!   start, the one with the strictest RTO it inherits (see [`super::flow`]; a CI that inherits
//!   none comes last), then the smallest key.
//!
//! ## The schedule
//! List scheduling, event-driven: a binary heap of restore completions in (time, priority)
//! order; at each instant every completion is applied first (a cycle or CI that comes up may
//! make others ready, and zero-duration ones come up at once), then every free team starts its
//! best ready CI. Deterministic: the same inputs give the same plan. O((V + E) log V) on the
//! CIs down.
//!
//! ## The answer
//! Each CI's `ready_s`, `start_s`, `end_s` and `up_s` (seconds from the disaster), each service
//! down with the time it is restored (no longer down by the impact rules) against its RTO and
//! MTPD, each CI down with a backup interval against the RPO it inherits (the whole interval
//! is the data that may be lost: the disaster may strike just before the next backup), and the
//! gaps as [`ContinuityFinding`]s. A late service's critical path follows what each CI waited
//! for: the member of its cycle that finished last, then the CI whose return made it ready,
//! down to a CI that could start at once (at most [`CRITICAL_PATH_MAX`] CIs); a CI that waited
//! for its team shows it as `start_s` after `ready_s`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use itsm_cmdb::{Ci, CiKind, Cmdb, ImpactState};
use itsm_core::{Id, Level, text};
use petgraph::Directed;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{Graph, NodeIndex};
use serde::{Deserialize, Serialize};

use super::bia::{BusinessImpact, MAX_DURATION_S, validate_all};
use super::error::ContinuityError;
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
    /// Every CI down with a backup interval and an inherited RPO, by key.
    pub backups: Vec<BackupCheck>,
    /// The gaps: late services (RTO, then MTPD) by service key, then backups too far apart by
    /// CI key.
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

/// Checks recovery entries: known CIs, each once, durations within bounds, team keys sound.
fn check_recovery(cmdb: &Cmdb, recovery: &[CiRecovery]) -> Result<(), ContinuityError> {
    let mut seen: IdMap<Id<Ci>, ()> = IdMap::default();
    seen.reserve(recovery.len());
    for r in recovery {
        let ci = cmdb
            .ci(r.ci)
            .ok_or(ContinuityError::UnknownCi { id: r.ci })?;
        let invalid = |field: &'static str, reason: String| ContinuityError::InvalidRecovery {
            ci: ci.key.clone(),
            field,
            reason,
        };
        if seen.insert(r.ci, ()).is_some() {
            return Err(ContinuityError::DuplicateRecovery { ci: ci.key.clone() });
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
        if let Some(team) = &r.team {
            text::check_key("recovery team", team).map_err(|e| invalid("team", e.to_string()))?;
        }
    }
    Ok(())
}

/// A cycle (or single CI) of the CIs down: what it waits for and when it is up.
#[derive(Debug, Clone)]
struct Unit {
    /// Needs not yet met.
    unmet: u32,
    /// Members not yet restored.
    remaining: u32,
    /// When its needs were met.
    ready: u64,
    /// The local CI whose return met the last need.
    binding: u32,
    /// When it is up.
    up: u64,
    /// The local member restored last.
    last: u32,
}

/// The scheduler's state over the CIs down, numbered locally in impact order.
struct Scheduler<'n, 'c> {
    net: &'n Net<'c>,
    /// Local -> dense.
    global: Vec<u32>,
    /// Dense -> local (or NONE).
    local: Vec<u32>,
    /// Local -> unit.
    unit_of: Vec<u32>,
    /// Unit -> local members (flattened).
    member_start: Vec<usize>,
    members: Vec<u32>,
    units: Vec<Unit>,
    /// Members up per group slot.
    group_up: Vec<u32>,
    /// Local -> priority rank (0 = first) and back.
    rank: Vec<u32>,
    by_rank: Vec<u32>,
    duration: Vec<u64>,
    team: Vec<u32>,
    start: Vec<u64>,
    end: Vec<u64>,
    events: BinaryHeap<Reverse<(u64, u32)>>,
    queues: Vec<BinaryHeap<Reverse<u32>>>,
    busy: Vec<bool>,
    dirty: Vec<u32>,
    is_dirty: Vec<bool>,
}

impl Scheduler<'_, '_> {
    fn members_of(&self, u: u32) -> &[u32] {
        let (a, b) = self.member_range(u);
        self.members.get(a..b).unwrap_or_default()
    }

    fn member_range(&self, u: u32) -> (usize, usize) {
        (
            self.member_start.get(u as usize).copied().unwrap_or(0),
            self.member_start.get(u as usize + 1).copied().unwrap_or(0),
        )
    }

    fn unit(&self, local: u32) -> u32 {
        self.unit_of.get(local as usize).copied().unwrap_or(NONE)
    }

    /// Counts each unit's unmet needs and the members of each group that are up at the start.
    fn count_needs(&mut self) {
        let mut checked = vec![false; self.group_up.len()];
        for l in 0..self.global.len() {
            let (v, u) = (
                self.global.get(l).copied().unwrap_or(NONE),
                self.unit_of.get(l).copied().unwrap_or(NONE),
            );
            let mut unmet = 0u32;
            for (w, slot) in self.net.dependencies(v) {
                let lw = self.local.get(w as usize).copied().unwrap_or(NONE);
                let up = lw == NONE || self.unit(lw) == u;
                if slot == NO_GROUP {
                    unmet += u32::from(!up);
                } else if up {
                    if let Some(c) = self.group_up.get_mut(slot as usize) {
                        *c += 1;
                    }
                }
            }
            for (_, slot) in self.net.dependencies(v) {
                if slot == NO_GROUP {
                    continue;
                }
                if let Some(c) = checked.get_mut(slot as usize) {
                    if !*c {
                        *c = true;
                        let up = self.group_up.get(slot as usize).copied().unwrap_or(0);
                        unmet += u32::from(up < self.net.min_up(slot));
                    }
                }
            }
            if let Some(unit) = self.units.get_mut(u as usize) {
                unit.unmet += unmet;
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
        let d = self.duration.get(l as usize).copied().unwrap_or(0);
        let end = at.saturating_add(d);
        if let Some(s) = self.start.get_mut(l as usize) {
            *s = at;
        }
        if let Some(e) = self.end.get_mut(l as usize) {
            *e = end;
        }
        let rank = self.rank.get(l as usize).copied().unwrap_or(NONE);
        self.events.push(Reverse((end, rank)));
    }

    /// Makes the members of unit `u` startable at `at`.
    fn release(&mut self, u: u32, at: u64) {
        let (a, b) = self.member_range(u);
        for i in a..b {
            let l = self.members.get(i).copied().unwrap_or(NONE);
            let team = self.team.get(l as usize).copied().unwrap_or(NONE);
            let d = self.duration.get(l as usize).copied().unwrap_or(0);
            if team == NONE || d == 0 {
                self.begin(l, at);
            } else {
                let rank = self.rank.get(l as usize).copied().unwrap_or(NONE);
                if let Some(q) = self.queues.get_mut(team as usize) {
                    q.push(Reverse(rank));
                }
                self.mark_dirty(team);
            }
        }
    }

    /// One need of unit `u` met at `at` by the return of local CI `by`.
    fn meet(&mut self, u: u32, at: u64, by: u32) {
        let Some(unit) = self.units.get_mut(u as usize) else {
            return;
        };
        unit.unmet = unit.unmet.saturating_sub(1);
        unit.ready = at;
        unit.binding = by;
        if unit.unmet == 0 {
            self.release(u, at);
        }
    }

    /// Local CI `l` finished restoring at `at`.
    fn complete(&mut self, l: u32, at: u64) {
        let team = self.team.get(l as usize).copied().unwrap_or(NONE);
        if team != NONE && self.duration.get(l as usize).copied().unwrap_or(0) > 0 {
            if let Some(b) = self.busy.get_mut(team as usize) {
                *b = false;
            }
            self.mark_dirty(team);
        }
        let u = self.unit(l);
        let Some(unit) = self.units.get_mut(u as usize) else {
            return;
        };
        unit.remaining = unit.remaining.saturating_sub(1);
        if unit.remaining > 0 {
            return;
        }
        unit.up = at;
        unit.last = l;
        let (a, b) = self.member_range(u);
        for i in a..b {
            let m = self.members.get(i).copied().unwrap_or(NONE);
            let v = self.global.get(m as usize).copied().unwrap_or(NONE);
            for (w, slot) in self.net.dependents(v) {
                let lw = self.local.get(w as usize).copied().unwrap_or(NONE);
                if lw == NONE {
                    continue;
                }
                let x = self.unit(lw);
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
            let Some(Reverse(rank)) = self.queues.get_mut(t).and_then(BinaryHeap::pop) else {
                continue;
            };
            if let Some(b) = self.busy.get_mut(t) {
                *b = true;
            }
            let l = self.by_rank.get(rank as usize).copied().unwrap_or(NONE);
            self.begin(l, at);
        }
        dirty.clear();
        self.dirty = dirty;
    }

    fn run(&mut self) {
        for u in 0..self.units.len() {
            if self.units.get(u).is_some_and(|x| x.unmet == 0) {
                self.release(u32::try_from(u).unwrap_or(NONE), 0);
            }
        }
        let mut now = 0u64;
        loop {
            while let Some(&Reverse((t, rank))) = self.events.peek() {
                if t != now {
                    break;
                }
                self.events.pop();
                let l = self.by_rank.get(rank as usize).copied().unwrap_or(NONE);
                self.complete(l, now);
            }
            self.dispatch(now);
            match self.events.peek() {
                Some(&Reverse((t, _))) => now = t,
                None => break,
            }
        }
    }

    /// The critical path of local CI `l`, as locals, `l` first.
    fn critical_path(&self, l: u32) -> Vec<u32> {
        let mut path = vec![l];
        let mut cur = l;
        while path.len() < CRITICAL_PATH_MAX {
            let Some(unit) = self.units.get(self.unit(cur) as usize) else {
                break;
            };
            if unit.last != cur && unit.last != NONE {
                cur = unit.last;
                path.push(cur);
                continue;
            }
            if unit.binding == NONE {
                break;
            }
            cur = unit.binding;
            path.push(cur);
        }
        path
    }
}

/// Plans the recovery from `disaster`: see the module docs for the rules.
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
#[expect(
    clippy::too_many_lines,
    reason = "one pass from the scenario to the plan, each stage commented"
)]
pub fn plan_recovery(
    cmdb: &Cmdb,
    analyses: &[BusinessImpact],
    disaster: &Disaster,
    recovery: &[CiRecovery],
) -> Result<RecoveryPlan, ContinuityError> {
    validate_all(cmdb, analyses)?;
    let failed = failed_of(cmdb, disaster)?;
    check_recovery(cmdb, recovery)?;

    // What is down, numbered locally in the impact's order (failed CIs first).
    let impact = cmdb.impact_of(&failed)?;
    let net = Net::build(cmdb);
    let n = net.len();
    let mut local = vec![NONE; n];
    let mut global: Vec<u32> = Vec::new();
    for a in impact.affected() {
        if a.state != ImpactState::Down {
            continue;
        }
        if let Some(v) = net.dense(a.ci) {
            if let Some(slot) = local.get_mut(v as usize) {
                *slot = u32::try_from(global.len()).unwrap_or(NONE);
                global.push(v);
            }
        }
    }
    drop(impact);
    let m = global.len();

    // Durations and teams of the CIs down; team names interned in first-seen order.
    let mut duration = vec![0u64; m];
    let mut team = vec![NONE; m];
    let mut backup: Vec<Option<u64>> = vec![None; m];
    let mut team_names: Vec<&str> = Vec::new();
    let mut team_index: HashMap<&str, u32> = HashMap::new();
    for r in recovery {
        let Some(l) = net
            .dense(r.ci)
            .and_then(|v| local.get(v as usize).copied())
            .filter(|l| *l != NONE)
        else {
            continue;
        };
        if let Some(d) = duration.get_mut(l as usize) {
            *d = r.duration_s;
        }
        if let Some(b) = backup.get_mut(l as usize) {
            *b = r.backup_interval_s;
        }
        if let Some(name) = r.team.as_deref() {
            let next = u32::try_from(team_names.len()).unwrap_or(NONE);
            let t = *team_index.entry(name).or_insert_with(|| {
                team_names.push(name);
                next
            });
            if let Some(slot) = team.get_mut(l as usize) {
                *slot = t;
            }
        }
    }

    // Cycles among the CIs down: strongly connected components (kosaraju: iterative).
    let mut g: Graph<(), (), Directed, u32> = Graph::with_capacity(m, m);
    for _ in 0..m {
        g.add_node(());
    }
    for (l, &v) in (0u32..).zip(&global) {
        for (w, _) in net.dependencies(v) {
            let lw = local.get(w as usize).copied().unwrap_or(NONE);
            if lw != NONE {
                g.add_edge(NodeIndex::new(l as usize), NodeIndex::new(lw as usize), ());
            }
        }
    }
    let sccs = kosaraju_scc(&g);
    drop(g);
    let mut unit_of = vec![NONE; m];
    let mut member_start = Vec::with_capacity(sccs.len() + 1);
    let mut members = Vec::with_capacity(m);
    let mut units = Vec::with_capacity(sccs.len());
    for (u, scc) in (0u32..).zip(&sccs) {
        member_start.push(members.len());
        for node in scc {
            let l = u32::try_from(node.index()).unwrap_or(NONE);
            if let Some(slot) = unit_of.get_mut(node.index()) {
                *slot = u;
            }
            members.push(l);
        }
        units.push(Unit {
            unmet: 0,
            remaining: u32::try_from(scc.len()).unwrap_or(u32::MAX),
            ready: 0,
            binding: NONE,
            up: 0,
            last: NONE,
        });
    }
    member_start.push(members.len());

    // Priority: the strictest inherited RTO first (none last), then the key.
    let rto = inherit(&net, analyses, Which::Rto);
    let mut order: Vec<(u64, &str, u32)> = (0u32..)
        .zip(&global)
        .map(|(l, &v)| {
            let x = rto.get(v as usize).map_or(u64::MAX, |a| a.0);
            (x, net.key(v), l)
        })
        .collect();
    order.sort_unstable();
    let by_rank: Vec<u32> = order.iter().map(|o| o.2).collect();
    drop(order);
    let mut rank = vec![NONE; m];
    for (r, &l) in (0u32..).zip(&by_rank) {
        if let Some(slot) = rank.get_mut(l as usize) {
            *slot = r;
        }
    }

    let teams = team_names.len();
    let mut s = Scheduler {
        net: &net,
        global,
        local,
        unit_of,
        member_start,
        members,
        units,
        group_up: vec![0; net.group_count()],
        rank,
        by_rank,
        duration,
        team,
        start: vec![0; m],
        end: vec![0; m],
        events: BinaryHeap::new(),
        queues: vec![BinaryHeap::new(); teams],
        busy: vec![false; teams],
        dirty: Vec::new(),
        is_dirty: vec![false; teams],
    };
    s.count_needs();
    s.run();

    // The answer.
    let unit_at = |l: u32| s.units.get(s.unit(l) as usize);
    let up_of = |l: u32| unit_at(l).map_or(0, |u| u.up);
    let id_of = |l: u32| net.id(s.global.get(l as usize).copied().unwrap_or(NONE));
    let key_of_local = |l: u32| net.key(s.global.get(l as usize).copied().unwrap_or(NONE));
    let mut steps: Vec<RecoveryStep> = s
        .by_rank
        .iter()
        .map(|&l| {
            let unit = unit_at(l);
            let t = s.team.get(l as usize).copied().unwrap_or(NONE);
            RecoveryStep {
                ci: id_of(l),
                ready_s: unit.map_or(0, |u| u.ready),
                start_s: s.start.get(l as usize).copied().unwrap_or(0),
                end_s: s.end.get(l as usize).copied().unwrap_or(0),
                up_s: up_of(l),
                team: team_names.get(t as usize).map(|n| (*n).to_owned()),
                waited_for: unit.map(|u| u.binding).filter(|b| *b != NONE).map(id_of),
            }
        })
        .collect();
    // Sorted by start; the stable sort keeps priority order among equal starts.
    steps.sort_by_key(|st| st.start_s);
    let completed_s = steps.iter().map(|st| st.up_s).max().unwrap_or(0);

    let mut cycles: Vec<Vec<(&str, Id<Ci>)>> = (0..s.units.len())
        .filter_map(|u| {
            let ms = s.members_of(u32::try_from(u).unwrap_or(NONE));
            (ms.len() > 1).then(|| {
                let mut c: Vec<(&str, Id<Ci>)> =
                    ms.iter().map(|&l| (key_of_local(l), id_of(l))).collect();
                c.sort_unstable();
                c
            })
        })
        .collect();
    cycles.sort_unstable();
    let cycles = cycles
        .into_iter()
        .map(|c| c.into_iter().map(|(_, id)| id).collect())
        .collect();

    let own: HashMap<Id<Ci>, &BusinessImpact> = analyses.iter().map(|a| (a.service, a)).collect();
    let mut services: Vec<(&str, u32)> = (0u32..)
        .zip(&s.global)
        .filter(|(_, v)| net.is_service(**v))
        .map(|(l, &v)| (net.key(v), l))
        .collect();
    services.sort_unstable();
    let mut findings = Vec::new();
    let services = services
        .into_iter()
        .map(|(_, l)| {
            let service = id_of(l);
            let restored_s = up_of(l);
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

    let rpo = inherit(&net, analyses, Which::Rpo);
    let mut backups: Vec<(&str, BackupCheck)> = (0u32..)
        .zip(&s.global)
        .filter_map(|(l, &v)| {
            let interval = backup.get(l as usize).copied().flatten()?;
            Some((
                net.key(v),
                BackupCheck {
                    ci: net.id(v),
                    backup_interval_s: interval,
                    rpo: inherited(&net, &rpo, v)?,
                },
            ))
        })
        .collect();
    backups.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let backups: Vec<BackupCheck> = backups.into_iter().map(|(_, b)| b).collect();
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
        cycles,
        services,
        backups,
        findings,
        completed_s,
    })
}
