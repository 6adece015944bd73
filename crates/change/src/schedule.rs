//! The forward schedule of change and its conflicts (ISO/IEC 20000-1 8.5.1.3).
//!
//! Changes conflict when they share something (a CI they change, a service they impact, the
//! person who implements them) in windows that overlap. The answer is grouped, so that its
//! size is linear in the schedule: a hundred changes booked on the same CI in the same night
//! are one [`Conflict::Overlap`] listing the hundred changes, the stretch of time during which
//! at least two of them run, and how many pairs of them overlap (4 950), not 4 950 entries.
//!
//! The sweep: every (change, shared thing) pair becomes an interval keyed by the thing; the
//! intervals are sorted by key and start; walking each key's intervals keeps the open ones in
//! a heap by end. When a start finds a window open, a group opens (or grows); when the ends
//! leave fewer than two windows open, the group closes. Each change joins a group once per
//! stretch it runs through, and a stretch boundary is crossed by at most one window, so the
//! groups hold at most twice as many entries as there are intervals: O(n log n) time and O(n)
//! output, never a comparison of every pair. Conflicts of one change with the calendar (a
//! freeze that applies, a window outside an impacted service's maintenance hours) are checked
//! per change; a calendar is counted in whole weeks, so a long window costs no more than a
//! short one.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fmt;

use chrono::{DateTime, Utc};
use itsm_cmdb::{Ci, Cmdb};
use itsm_core::{Actor, Id, Period};
use serde::{Deserialize, Serialize};

use crate::{ChangePolicy, ChangeRegister, ChangeStatus};

/// One scheduled change, as the sweep sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledChange {
    /// The change number.
    pub change: u32,
    /// Its window.
    pub window: Period,
    /// The CIs it changes.
    pub cis: Vec<Id<Ci>>,
    /// The services it impacts.
    pub services: Vec<Id<Ci>>,
    /// Who implements it.
    pub implementer: Option<Id<Actor>>,
    /// Emergency changes may run inside freezes (flagged, not refused).
    pub emergency: bool,
    /// The direct dependencies of the CIs it changes: (a CI it changes, a CI that one needs
    /// directly), as [`itsm_cmdb::Cmdb::direct_dependencies`] gives them.
    #[serde(default)]
    pub needs: Vec<(Id<Ci>, Id<Ci>)>,
}

/// A change of a CI that needs another CI directly (see [`Conflict::Dependency`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DependentChange {
    /// The change, by number.
    pub change: u32,
    /// The CI it changes, which needs the CI depended on directly.
    pub ci: Id<Ci>,
}

/// What two changes share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shared {
    /// The same CI is changed by both.
    Ci(Id<Ci>),
    /// The same service is impacted by both.
    Service(Id<Ci>),
    /// The same person implements both.
    Implementer(Id<Actor>),
}

/// A conflict on the forward schedule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conflict {
    /// Changes that share something while their windows overlap: one entry per shared thing
    /// and per stretch of time during which at least two of the changes sharing it are in
    /// their windows.
    Overlap {
        /// The changes whose windows meet the stretch, by number (at least two). Each of them
        /// overlaps at least one other of them.
        changes: Vec<u32>,
        /// What they share.
        shared: Shared,
        /// The stretch: from the first instant two of them overlap to the last; at every
        /// instant inside it at least two of them are in their windows.
        overlap: Period,
        /// How many pairs of these changes have overlapping windows: 1 for two changes, at
        /// most n(n-1)/2 for n.
        pairs: u64,
    },
    /// Changes of a CI, and changes of CIs that need it directly (ServiceNow's parent/child CI
    /// conflict), in windows that overlap. Reported whether or not a service sits above both
    /// (that is an [`Conflict::Overlap`] on the service besides). One entry per CI depended on
    /// and per stretch of time its changes' and its dependents' changes' windows cover without
    /// a gap, listing the changes whose window overlaps a window of another change on the
    /// other side: each change is listed once, so the answer grows with the changes, not with
    /// the pairs.
    Dependency {
        /// The CI depended on.
        ci: Id<Ci>,
        /// The changes that change it, by number.
        changes: Vec<u32>,
        /// The changes of CIs that need it directly, each with that CI.
        dependents: Vec<DependentChange>,
        /// From the first instant a change of `ci` and a change of a dependent are both in
        /// their windows to the last (not every instant between need have one).
        overlap: Period,
        /// How many (change of `ci`, change of a dependent) pairs of different changes have
        /// overlapping windows.
        pairs: u64,
    },
    /// A window inside a freeze that applies.
    Freeze {
        /// The change.
        change: u32,
        /// The freeze.
        blackout: String,
        /// The overlap.
        overlap: Period,
        /// True for an emergency change: allowed, flagged for review.
        allowed_as_emergency: bool,
    },
    /// A window outside the maintenance hours of an impacted service.
    OutsideMaintenance {
        /// The change.
        change: u32,
        /// The service.
        service: Id<Ci>,
    },
}

/// `changes` after one change, `change` after several.
pub(crate) const fn changes_verb(n: usize) -> &'static str {
    if n == 1 { "changes" } else { "change" }
}

/// `CHG-1 and CHG-2`, `CHG-1, CHG-2 and CHG-3`.
pub(crate) fn change_list(changes: &[u32]) -> String {
    let mut out = String::new();
    let last = changes.len().saturating_sub(1);
    for (i, c) in changes.iter().enumerate() {
        if i > 0 {
            out.push_str(if i == last { " and " } else { ", " });
        }
        out.push_str("CHG-");
        out.push_str(&c.to_string());
    }
    out
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let when = |p: &Period| {
            format!(
                "{} to {}",
                p.start().format("%Y-%m-%d %H:%M"),
                p.end().format("%Y-%m-%d %H:%M")
            )
        };
        match self {
            Self::Overlap {
                changes,
                shared,
                overlap,
                pairs,
            } => {
                let what = match shared {
                    Shared::Ci(id) => format!("change the same CI `{id}`"),
                    Shared::Service(id) => format!("impact the same service `{id}`"),
                    Shared::Implementer(id) => format!("book the same implementer `{id}`"),
                };
                write!(f, "{} {what} from {}", change_list(changes), when(overlap))?;
                if *pairs > 1 {
                    write!(f, " ({pairs} overlapping pairs)")?;
                }
                Ok(())
            }
            Self::Dependency {
                ci,
                changes,
                dependents,
                overlap,
                pairs,
            } => {
                let mut numbers: Vec<u32> = dependents.iter().map(|d| d.change).collect();
                numbers.dedup();
                write!(
                    f,
                    "{} {} CI `{ci}` while {} {} what needs it directly, from {}",
                    change_list(changes),
                    changes_verb(changes.len()),
                    change_list(&numbers),
                    changes_verb(numbers.len()),
                    when(overlap)
                )?;
                if *pairs > 1 {
                    write!(f, " ({pairs} overlapping pairs)")?;
                }
                Ok(())
            }
            Self::Freeze {
                change,
                blackout,
                overlap,
                allowed_as_emergency,
            } => {
                let tail = if *allowed_as_emergency {
                    " (emergency: allowed, to be reviewed)"
                } else {
                    ""
                };
                write!(
                    f,
                    "CHG-{change} falls inside freeze `{blackout}` from {}{tail}",
                    when(overlap)
                )
            }
            Self::OutsideMaintenance { change, service } => {
                write!(
                    f,
                    "CHG-{change} falls outside the maintenance window of service `{service}`"
                )
            }
        }
    }
}

/// A group of overlapping windows being built by the sweep.
struct Group {
    start: DateTime<Utc>,
    changes: Vec<u32>,
    pairs: u64,
}

/// The sweep over the windows of one shared thing, fed in order of start.
struct KeySweep {
    shared: Shared,
    /// Windows still open: (end, change), earliest end first.
    open: BinaryHeap<Reverse<(DateTime<Utc>, u32)>>,
    group: Option<Group>,
}

impl KeySweep {
    fn new(shared: Shared) -> Self {
        Self {
            shared,
            open: BinaryHeap::new(),
            group: None,
        }
    }

    /// Starts over for another shared thing (after `close(None, ..)`), keeping the heap's
    /// allocation.
    fn reset(&mut self, shared: Shared) {
        self.shared = shared;
        self.open.clear();
        self.group = None;
    }

    /// Closes the windows that end at or before `until` (all of them for `None`); the group
    /// ends where fewer than two windows remain open.
    fn close(&mut self, until: Option<DateTime<Utc>>, out: &mut Vec<Conflict>) {
        while let Some(&Reverse((end, _))) = self.open.peek() {
            if until.is_some_and(|u| end > u) {
                break;
            }
            self.open.pop();
            if self.open.len() < 2 {
                if let Some(group) = self.group.take() {
                    self.emit(group, end, out);
                }
            }
        }
    }

    /// Opens a non-empty window; every window still open overlaps it.
    fn open(&mut self, window: &Period, change: u32) {
        self.open.push(Reverse((window.end(), change)));
        let others = u64::try_from(self.open.len().saturating_sub(1)).unwrap_or(u64::MAX);
        match &mut self.group {
            Some(group) => {
                group.changes.push(change);
                group.pairs = group.pairs.saturating_add(others);
            }
            None if others > 0 => {
                self.group = Some(Group {
                    start: window.start(),
                    changes: self.open.iter().map(|Reverse((_, c))| *c).collect(),
                    pairs: others,
                });
            }
            None => {}
        }
    }

    fn emit(&self, mut group: Group, end: DateTime<Utc>, out: &mut Vec<Conflict>) {
        group.changes.sort_unstable();
        group.changes.dedup();
        // Both ends come from windows, so the period is valid; a change listed twice in the
        // schedule does not conflict with itself.
        if let (Ok(overlap), true) = (Period::new(group.start, end), group.changes.len() > 1) {
            out.push(Conflict::Overlap {
                changes: group.changes,
                shared: self.shared,
                overlap,
                pairs: group.pairs,
            });
        }
    }
}

/// Which side of a dependency a window is on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    /// The change changes the CI depended on.
    Changes,
    /// The change changes these CIs, which need it directly.
    Needs(Vec<Id<Ci>>),
}

/// The most recent openings on one side of a [`LinkSweep`]: enough to tell, when a window of
/// the other side closes, whether a window of another change opened on this side while it was
/// open.
#[derive(Default)]
struct Openings {
    /// The last opening: (sequence number, change).
    last: Option<(usize, u32)>,
    /// The last opening of another change than `last`'s.
    other: Option<usize>,
}

impl Openings {
    fn push(&mut self, seq: usize, change: u32) {
        match self.last {
            Some((s, c)) if c != change => {
                self.other = Some(s);
            }
            _ => {}
        }
        self.last = Some((seq, change));
    }

    /// Whether a window of another change than `change` opened after `seq`.
    fn since(&self, seq: usize, change: u32) -> bool {
        match self.last {
            Some((s, c)) if c != change => s > seq,
            Some(_) => self.other.is_some_and(|s| s > seq),
            None => false,
        }
    }
}

/// One window of a [`LinkSweep`].
struct LinkWindow {
    change: u32,
    /// `None` on the `Changes` side; the dependent CIs on the `Needs` side.
    needs: Option<Vec<Id<Ci>>>,
    /// Whether a window of another change on the other side was open when it opened.
    partnered: bool,
}

/// A stretch of overlapping windows (their union is connected) being built by [`LinkSweep`].
#[derive(Default)]
struct LinkGroup {
    /// The first and last instants a change of the CI and a change of a dependent overlap.
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    changes: Vec<u32>,
    dependents: Vec<DependentChange>,
    pairs: u64,
}

/// The sweep over the windows of the changes of one CI (`Changes` side) and of the changes of
/// CIs that need it directly (`Needs` side), fed in order of start. Windows are grouped by
/// the connected stretches of their union; a group lists only the windows that overlap a
/// window of another change on the other side, so each window is listed at most once and the
/// answer stays linear, whatever the number of changes in a stretch.
struct LinkSweep {
    ci: Id<Ci>,
    windows: Vec<LinkWindow>,
    /// Windows still open: (end, sequence number), earliest end first.
    open: BinaryHeap<Reverse<(DateTime<Utc>, usize)>>,
    /// Open windows per change, on each side.
    changing: BTreeMap<u32, usize>,
    needing: BTreeMap<u32, usize>,
    /// How many changes have windows open on both sides: kept as windows open and close, so
    /// counting the open pairs costs nothing however many changes are open.
    both: usize,
    /// The most recent openings on each side.
    opened_changing: Openings,
    opened_needing: Openings,
    group: LinkGroup,
}

impl LinkSweep {
    fn new(ci: Id<Ci>) -> Self {
        Self {
            ci,
            windows: Vec::new(),
            open: BinaryHeap::new(),
            changing: BTreeMap::new(),
            needing: BTreeMap::new(),
            both: 0,
            opened_changing: Openings::default(),
            opened_needing: Openings::default(),
            group: LinkGroup::default(),
        }
    }

    /// Pairs of different changes, one on each side, open now.
    fn pairs_open(&self) -> u64 {
        let n = |x: usize| u64::try_from(x).unwrap_or(u64::MAX);
        n(self.changing.len())
            .saturating_mul(n(self.needing.len()))
            .saturating_sub(n(self.both))
    }

    /// Open windows of other changes than `change` on the `changing` side or the other.
    fn others_open(&self, changing: bool, change: u32) -> bool {
        let side = if changing {
            &self.changing
        } else {
            &self.needing
        };
        side.keys().any(|c| *c != change)
    }

    fn close(&mut self, until: Option<DateTime<Utc>>, out: &mut Vec<Conflict>) {
        while let Some(&Reverse((end, seq))) = self.open.peek() {
            if until.is_some_and(|u| end > u) {
                break;
            }
            self.open.pop();
            let Some(w) = self.windows.get(seq) else {
                continue;
            };
            let (change, changing) = (w.change, w.needs.is_none());
            let before = self.pairs_open();
            let (side, other_side) = if changing {
                (&mut self.changing, &self.needing)
            } else {
                (&mut self.needing, &self.changing)
            };
            if let Some(n) = side.get_mut(&change) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    side.remove(&change);
                    if other_side.contains_key(&change) {
                        self.both = self.both.saturating_sub(1);
                    }
                }
            }
            if before > 0 && self.pairs_open() == 0 {
                self.group.last = Some(end);
            }
            let other = if changing {
                &self.opened_needing
            } else {
                &self.opened_changing
            };
            if w.partnered || other.since(seq, change) {
                match &w.needs {
                    None => self.group.changes.push(change),
                    Some(cis) => self
                        .group
                        .dependents
                        .extend(cis.iter().map(|ci| DependentChange { change, ci: *ci })),
                }
            }
            if self.open.is_empty() {
                let group = std::mem::take(&mut self.group);
                self.emit(group, out);
            }
        }
    }

    fn open(&mut self, window: &Period, change: u32, side: Side) {
        let seq = self.windows.len();
        let changing = side == Side::Changes;
        let before = self.pairs_open();
        let partnered = self.others_open(!changing, change);
        self.open.push(Reverse((window.end(), seq)));
        let (side_map, other_side) = if changing {
            (&mut self.changing, &self.needing)
        } else {
            (&mut self.needing, &self.changing)
        };
        let count = side_map.entry(change).or_default();
        *count += 1;
        if *count == 1 && other_side.contains_key(&change) {
            self.both += 1;
        }
        let needs = match side {
            Side::Changes => {
                self.opened_changing.push(seq, change);
                None
            }
            Side::Needs(cis) => {
                self.opened_needing.push(seq, change);
                Some(cis)
            }
        };
        self.windows.push(LinkWindow {
            change,
            needs,
            partnered,
        });
        let after = self.pairs_open();
        if before == 0 && after > 0 && self.group.first.is_none() {
            self.group.first = Some(window.start());
        }
        self.group.pairs = self
            .group
            .pairs
            .saturating_add(after.saturating_sub(before));
    }

    fn emit(&self, mut group: LinkGroup, out: &mut Vec<Conflict>) {
        group.changes.sort_unstable();
        group.changes.dedup();
        group.dependents.sort_unstable();
        group.dependents.dedup();
        let (Some(first), Some(last)) = (group.first, group.last) else {
            return;
        };
        if let (Ok(overlap), true) = (Period::new(first, last), group.pairs > 0) {
            out.push(Conflict::Dependency {
                ci: self.ci,
                changes: group.changes,
                dependents: group.dependents,
                overlap,
                pairs: group.pairs,
            });
        }
    }
}

/// One window keyed by a CI for the parent/child sweep: (the CI, start, change, side,
/// window), in the order the sweep takes them.
type LinkInterval = (Id<Ci>, DateTime<Utc>, u32, Side, Period);

/// The parent/child conflicts of `schedule` (see [`Conflict::Dependency`]): every window is
/// keyed by the CIs it changes (`Changes` side) and by the CIs those need directly (`Needs`
/// side), and each key's windows are swept in order of start. Linear in the (change, CI) and
/// (change, direct dependency) pairs, whatever the number of changes in a window.
fn dependency_conflicts(schedule: &[ScheduledChange], out: &mut Vec<Conflict>) {
    if schedule.iter().all(|s| s.needs.is_empty()) {
        return;
    }
    let mut intervals: Vec<LinkInterval> = Vec::new();
    for s in schedule.iter().filter(|s| !s.window.is_empty()) {
        let mut changed: Vec<Id<Ci>> = s.cis.clone();
        changed.sort_unstable();
        changed.dedup();
        let mut needs: BTreeMap<Id<Ci>, Vec<Id<Ci>>> = BTreeMap::new();
        for (ci, need) in &s.needs {
            if ci != need {
                needs.entry(*need).or_default().push(*ci);
            }
        }
        intervals.extend(
            changed
                .into_iter()
                .map(|ci| (ci, s.window.start(), s.change, Side::Changes, s.window)),
        );
        intervals.extend(needs.into_iter().map(|(need, mut cis)| {
            cis.sort_unstable();
            cis.dedup();
            (need, s.window.start(), s.change, Side::Needs(cis), s.window)
        }));
    }
    intervals.sort_unstable();
    for run in intervals.chunk_by(|a, b| a.0 == b.0) {
        let Some((ci, ..)) = run.first() else {
            continue;
        };
        // A CI that no scheduled change changes has nothing on the `Changes` side.
        if !run.iter().any(|i| i.3 == Side::Changes) {
            continue;
        }
        let mut sweep = LinkSweep::new(*ci);
        for (_, start, change, side, window) in run {
            // Windows are half-open: one ending at this start has closed.
            sweep.close(Some(*start), out);
            sweep.open(window, *change, side.clone());
        }
        sweep.close(None, out);
    }
}

/// Every conflict on `schedule` under `policy`, sorted.
///
/// Overlaps are grouped (see [`Conflict::Overlap`]): the groups list, in all, at most twice
/// as many changes as there are (change, shared thing) pairs, plus one entry per change and
/// freeze or maintenance calendar, whatever the number of changes sharing a window. Each change is expected once in `schedule`, as
/// [`ChangeRegister::forward_schedule`] gives it; an empty window conflicts with nothing.
#[must_use]
pub fn find_conflicts(schedule: &[ScheduledChange], policy: &ChangePolicy) -> Vec<Conflict> {
    let mut intervals: Vec<(Shared, Period, u32)> = Vec::with_capacity(schedule.len() * 4);
    for s in schedule.iter().filter(|s| !s.window.is_empty()) {
        let mut keys: Vec<Shared> = s.cis.iter().map(|c| Shared::Ci(*c)).collect();
        keys.extend(s.services.iter().map(|c| Shared::Service(*c)));
        keys.extend(s.implementer.map(Shared::Implementer));
        keys.sort_unstable();
        keys.dedup();
        intervals.extend(keys.into_iter().map(|k| (k, s.window, s.change)));
    }
    intervals.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.start().cmp(&b.1.start()))
            .then(a.2.cmp(&b.2))
    });
    let mut out = Vec::new();
    // One sweep, its heap reused from key to key.
    let mut sweep: Option<KeySweep> = None;
    for run in intervals.chunk_by(|a, b| a.0 == b.0) {
        let Some((key, _, _)) = run.first() else {
            continue;
        };
        let sweep = match &mut sweep {
            Some(s) => {
                s.reset(*key);
                s
            }
            None => sweep.insert(KeySweep::new(*key)),
        };
        for (_, window, change) in run {
            sweep.close(Some(window.start()), &mut out);
            sweep.open(window, *change);
        }
        sweep.close(None, &mut out);
    }
    dependency_conflicts(schedule, &mut out);
    for s in schedule {
        for b in &policy.blackouts {
            let applies =
                b.services.is_empty() || s.services.iter().any(|x| b.services.contains(x));
            if let (true, Some(overlap)) = (applies, b.period.intersection(&s.window)) {
                out.push(Conflict::Freeze {
                    change: s.change,
                    blackout: b.name.clone(),
                    overlap,
                    allowed_as_emergency: s.emergency,
                });
            }
        }
        for service in &s.services {
            if let Some(calendar) = policy.maintenance.get(service) {
                // Counted in whole weeks: the cost does not grow with the window's length.
                if calendar.hours_within(&s.window) < s.window.duration() {
                    out.push(Conflict::OutsideMaintenance {
                        change: s.change,
                        service: *service,
                    });
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

impl ChangeRegister {
    /// The forward schedule: every scheduled or implementing change with a window, by start,
    /// with the direct dependencies its CIs have in `cmdb`.
    #[must_use]
    pub fn forward_schedule(&self, cmdb: &Cmdb) -> Vec<ScheduledChange> {
        let mut out: Vec<ScheduledChange> = self
            .changes()
            .iter()
            .filter(|c| {
                matches!(
                    c.status,
                    ChangeStatus::Scheduled | ChangeStatus::Implementing
                )
            })
            .filter_map(|c| {
                Some(ScheduledChange {
                    change: c.number,
                    window: c.window?,
                    cis: c.request.targets.clone(),
                    services: c
                        .assessment
                        .iter()
                        .flat_map(|a| a.impacted_services.iter().map(|s| s.service))
                        .collect(),
                    implementer: c.request.implementer,
                    emergency: c.is_emergency(),
                    // A target the CMDB does not hold (yet) needs nothing there.
                    needs: c
                        .request
                        .targets
                        .iter()
                        .flat_map(|t| {
                            cmdb.direct_dependencies(*t)
                                .unwrap_or_default()
                                .into_iter()
                                .map(move |d| (*t, d))
                        })
                        .collect(),
                })
            })
            .collect();
        out.sort_by_key(|s| (s.window.start(), s.change));
        out
    }

    /// The conflicts on the forward schedule, grouped as [`find_conflicts`] gives them; the
    /// parent/child conflicts follow the relations `cmdb` holds now.
    #[must_use]
    pub fn conflicts(&self, cmdb: &Cmdb) -> Vec<Conflict> {
        find_conflicts(&self.forward_schedule(cmdb), self.policy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};
    use itsm_core::{Calendar, bounds};

    fn at(hour: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap() + TimeDelta::hours(hour)
    }

    fn window(from: i64, to: i64) -> Period {
        Period::new(at(from), at(to)).unwrap()
    }

    fn on_ci(change: u32, window: Period, ci: &str) -> ScheduledChange {
        ScheduledChange {
            change,
            window,
            cis: vec![Id::from_key(ci)],
            services: vec![],
            implementer: None,
            emergency: false,
            needs: vec![],
        }
    }

    #[test]
    fn conflicts_do_not_grow_with_the_square_of_changes_in_a_window() {
        // 3 000 changes in one window on the same CI, service and implementer: 4.5 million
        // overlapping pairs per shared thing, answered as one entry per shared thing.
        let (ci, svc) = (Id::from_key("db-main"), Id::from_key("svc-banking"));
        let who = Id::from_key("dana");
        let schedule: Vec<ScheduledChange> = (1..=3_000)
            .map(|n| ScheduledChange {
                change: n,
                window: window(0, 4),
                cis: vec![ci],
                services: vec![svc],
                implementer: Some(who),
                emergency: false,
                needs: vec![],
            })
            .collect();
        let conflicts = find_conflicts(&schedule, &ChangePolicy::default());
        assert_eq!(conflicts.len(), 3);
        let all: Vec<u32> = (1..=3_000).collect();
        for (c, shared) in conflicts.iter().zip([
            Shared::Ci(ci),
            Shared::Service(svc),
            Shared::Implementer(who),
        ]) {
            assert_eq!(
                c,
                &Conflict::Overlap {
                    changes: all.clone(),
                    shared,
                    overlap: window(0, 4),
                    pairs: 3_000 * 2_999 / 2,
                }
            );
        }
        let json = serde_json::to_string(&conflicts).unwrap();
        assert!(json.len() < 100_000, "{} bytes", json.len());
    }

    #[test]
    fn a_group_is_a_stretch_with_two_changes_running_and_ends_where_one_is_left() {
        let schedule = [
            on_ci(1, window(0, 10), "db"),
            on_ci(2, window(5, 20), "db"),
            on_ci(3, window(8, 30), "db"),
            // From 20 to 25 only CHG-3 runs: a new group starts with CHG-4.
            on_ci(4, window(25, 35), "db"),
            // Touching CHG-4's end and CHG-5's start: no overlap (windows are half-open).
            on_ci(10, window(35, 40), "db"),
            on_ci(5, window(40, 50), "db"),
            on_ci(6, window(45, 60), "db"),
            on_ci(7, window(46, 47), "db"),
            // Another CI, same time: no conflict with the others.
            on_ci(8, window(0, 60), "host"),
            // An empty window conflicts with nothing.
            on_ci(9, window(6, 6), "db"),
        ];
        let db = Shared::Ci(Id::from_key("db"));
        let group = |changes: Vec<u32>, overlap, pairs| Conflict::Overlap {
            changes,
            shared: db,
            overlap,
            pairs,
        };
        assert_eq!(
            find_conflicts(&schedule, &ChangePolicy::default()),
            vec![
                group(vec![1, 2, 3], window(5, 20), 3),
                group(vec![3, 4], window(25, 30), 1),
                group(vec![5, 6, 7], window(45, 50), 3),
            ]
        );
    }

    /// A change of `ci` (which needs `need` directly), in `window`.
    fn needing(change: u32, window: Period, ci: &str, need: &str) -> ScheduledChange {
        ScheduledChange {
            needs: vec![(Id::from_key(ci), Id::from_key(need))],
            ..on_ci(change, window, ci)
        }
    }

    #[test]
    fn a_change_of_a_ci_conflicts_with_a_change_of_what_it_needs_without_a_service_above() {
        let (app, db) = (Id::from_key("app"), Id::from_key("db"));
        let schedule = [
            needing(1, window(0, 4), "app", "db"),
            on_ci(2, window(2, 6), "db"),
            // Needs db too, but runs after both.
            needing(3, window(6, 8), "app", "db"),
        ];
        assert_eq!(
            find_conflicts(&schedule, &ChangePolicy::default()),
            vec![Conflict::Dependency {
                ci: db,
                changes: vec![2],
                dependents: vec![DependentChange { change: 1, ci: app }],
                overlap: window(2, 4),
                pairs: 1,
            }]
        );
        let c = &find_conflicts(&schedule, &ChangePolicy::default())[0];
        assert_eq!(
            c.to_string(),
            format!(
                "CHG-2 changes CI `{db}` while CHG-1 changes what needs it directly, from \
                 2026-06-01 02:00 to 2026-06-01 04:00"
            )
        );
        let json = serde_json::to_string(c).unwrap();
        assert_eq!(&serde_json::from_str::<Conflict>(&json).unwrap(), c);
    }

    #[test]
    fn parent_child_conflicts_do_not_grow_with_the_square_of_changes() {
        // 2 000 changes of the application all night, and 2 000 short changes of the database
        // it needs, one after the other: 4 million pairs, answered as one entry listing each
        // change once.
        let mut schedule: Vec<ScheduledChange> = (1..=2_000)
            .map(|n| needing(n, window(0, 2_000), "app", "db"))
            .collect();
        schedule
            .extend((0..2_000).map(|i| on_ci(2_001 + i, window(i.into(), i64::from(i) + 1), "db")));
        let conflicts = find_conflicts(&schedule, &ChangePolicy::default());
        let dependency: Vec<&Conflict> = conflicts
            .iter()
            .filter(|c| matches!(c, Conflict::Dependency { .. }))
            .collect();
        assert_eq!(dependency.len(), 1);
        let Conflict::Dependency {
            changes,
            dependents,
            pairs,
            overlap,
            ..
        } = dependency[0]
        else {
            unreachable!("filtered")
        };
        assert_eq!((changes.len(), dependents.len()), (2_000, 2_000));
        assert_eq!(*pairs, 2_000 * 2_000);
        assert_eq!(*overlap, window(0, 2_000));
        let json = serde_json::to_string(&conflicts).unwrap();
        assert!(json.len() < 200_000, "{} bytes", json.len());
    }

    #[test]
    fn a_change_listed_twice_does_not_conflict_with_itself() {
        let schedule = [on_ci(1, window(0, 10), "db"), on_ci(1, window(5, 20), "db")];
        assert!(find_conflicts(&schedule, &ChangePolicy::default()).is_empty());
    }

    #[test]
    fn groups_read_as_sentences_and_round_trip() {
        let id = Id::from_key("db");
        let three = Conflict::Overlap {
            changes: vec![1, 2, 3],
            shared: Shared::Ci(id),
            overlap: window(5, 20),
            pairs: 2,
        };
        assert_eq!(
            three.to_string(),
            format!(
                "CHG-1, CHG-2 and CHG-3 change the same CI `{id}` from 2026-06-01 05:00 to \
                 2026-06-01 20:00 (2 overlapping pairs)"
            )
        );
        let two = Conflict::Overlap {
            changes: vec![4, 9],
            shared: Shared::Service(id),
            overlap: window(5, 6),
            pairs: 1,
        };
        assert_eq!(
            two.to_string(),
            format!(
                "CHG-4 and CHG-9 impact the same service `{id}` from 2026-06-01 05:00 to \
                 2026-06-01 06:00"
            )
        );
        for c in [three, two] {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Conflict>(&json).unwrap(), c);
        }
        assert_eq!(change_list(&[]), "");
        assert_eq!(change_list(&[7]), "CHG-7");
    }

    #[test]
    fn maintenance_calendars_are_not_expanded_over_long_windows() {
        // A window over the whole range of time the engine accepts (8 100 years): the calendar
        // is counted in whole weeks, so this answers at once, and correctly.
        let svc = Id::from_key("svc");
        let whole = Period::new(bounds::EARLIEST, bounds::LATEST).unwrap();
        let change = |n, window| ScheduledChange {
            change: n,
            window,
            cis: vec![],
            services: vec![svc],
            implementer: None,
            emergency: false,
            needs: vec![],
        };
        let policy = |calendar: Calendar| ChangePolicy {
            maintenance: [(svc, calendar)].into_iter().collect(),
            ..ChangePolicy::default()
        };
        let nights = Calendar::business_hours(0, 0, 6 * 60).unwrap();
        assert_eq!(
            find_conflicts(&[change(1, whole)], &policy(nights.clone())),
            vec![Conflict::OutsideMaintenance {
                change: 1,
                service: svc
            }]
        );
        assert!(
            find_conflicts(&[change(1, whole)], &policy(Calendar::always(0).unwrap())).is_empty()
        );
        // 2026-06-01 is a Monday: 01:00-05:00 lies inside the night window.
        assert!(find_conflicts(&[change(2, window(1, 5))], &policy(nights)).is_empty());
    }
}
