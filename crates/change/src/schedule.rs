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
use std::collections::BinaryHeap;
use std::fmt;

use chrono::{DateTime, Utc};
use itsm_cmdb::Ci;
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
    /// The forward schedule: every scheduled or implementing change with a window, by start.
    #[must_use]
    pub fn forward_schedule(&self) -> Vec<ScheduledChange> {
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
                })
            })
            .collect();
        out.sort_by_key(|s| (s.window.start(), s.change));
        out
    }

    /// The conflicts on the forward schedule, grouped as [`find_conflicts`] gives them.
    #[must_use]
    pub fn conflicts(&self) -> Vec<Conflict> {
        find_conflicts(&self.forward_schedule(), self.policy())
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
