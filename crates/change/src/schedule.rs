//! The forward schedule of change and its conflicts (ISO/IEC 20000-1 8.5.1.3).
//!
//! Conflicts between two changes (same CI, same impacted service, same implementer, in
//! overlapping windows) are found by a sweep: every (change, shared thing) pair becomes an
//! interval keyed by the thing; the intervals are sorted by key and start; walking each key's
//! intervals keeps the ones still open, so each overlap is found once, in O(n log n + k) for k
//! conflicts, never by comparing every pair. Conflicts of one change with the calendar (a
//! freeze that applies, a window outside an impacted service's maintenance hours) are checked
//! per change.

use std::fmt;

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
    /// Two changes share something in overlapping windows.
    Overlap {
        /// The change with the lower number.
        first: u32,
        /// The other.
        second: u32,
        /// What they share.
        shared: Shared,
        /// When they overlap.
        overlap: Period,
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
                first,
                second,
                shared,
                overlap,
            } => {
                let what = match shared {
                    Shared::Ci(id) => format!("change the same CI `{id}`"),
                    Shared::Service(id) => format!("impact the same service `{id}`"),
                    Shared::Implementer(id) => format!("book the same implementer `{id}`"),
                };
                write!(
                    f,
                    "CHG-{first} and CHG-{second} {what} from {}",
                    when(overlap)
                )
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

/// Every conflict on `schedule` under `policy`, sorted.
#[must_use]
pub fn find_conflicts(schedule: &[ScheduledChange], policy: &ChangePolicy) -> Vec<Conflict> {
    let mut intervals: Vec<(Shared, Period, u32)> = Vec::with_capacity(schedule.len() * 4);
    for s in schedule {
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
    let mut open: Vec<(Period, u32)> = Vec::new();
    let mut current: Option<Shared> = None;
    for (key, window, change) in intervals {
        if current != Some(key) {
            open.clear();
            current = Some(key);
        }
        open.retain(|(w, _)| w.end() > window.start());
        for (w, other) in &open {
            if let Some(overlap) = w.intersection(&window) {
                if *other != change {
                    out.push(Conflict::Overlap {
                        first: (*other).min(change),
                        second: (*other).max(change),
                        shared: key,
                        overlap,
                    });
                }
            }
        }
        open.push((window, change));
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

    /// The conflicts on the forward schedule.
    #[must_use]
    pub fn conflicts(&self) -> Vec<Conflict> {
        find_conflicts(&self.forward_schedule(), self.policy())
    }
}
