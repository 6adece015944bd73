//! Service outages derived through the configuration graph (ISO/IEC 20000-1 8.7.1).
//!
//! Outages are recorded where they happen: a host, a network link, a supplier's service. What a
//! service suffers follows from the graph: between two consecutive outage boundaries the set of
//! failed CIs is constant, and [`Cmdb::impact_of`] of that set says which services are down or
//! degraded — redundancy included, so the loss of one member of a 1-of-2 pair degrades the
//! service and the loss of both takes it down. CIs recorded as *degraded* degrade every service
//! that needs them (unless it is down). Consecutive stretches with the same state and the same
//! kind are joined, so each service gets sorted, non-overlapping [`Span`]s.
//!
//! A service's stretch is *planned* unless the unplanned outages open during it would, on
//! their own, affect the service (take it down or degrade it): planned work that happens to
//! overlap an unrelated incident stays planned.

use std::collections::{BTreeMap, HashMap};

use itsm_cmdb::{Ci, Cmdb, CmdbError, ImpactState};
use itsm_core::{Id, Period};
use serde::{Deserialize, Serialize};

use crate::{OutageState, Span};

/// An outage of one CI over a known period (an open outage is given the end the caller
/// measures to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiOutage {
    /// The CI (a service too).
    pub ci: Id<Ci>,
    /// When.
    pub period: Period,
    /// Down or degraded.
    pub state: OutageState,
    /// Planned or not.
    pub planned: bool,
}

/// The outages of every affected service within `within`, derived through `cmdb` (see the
/// module doc). Services that were never affected are absent.
///
/// The cost is one impact query per stretch between outage boundaries.
///
/// # Errors
/// [`CmdbError::UnknownCi`] for an outage of a CI not in `cmdb`.
pub fn service_outages(
    cmdb: &Cmdb,
    outages: &[CiOutage],
    within: &Period,
) -> Result<BTreeMap<Id<Ci>, Vec<Span>>, CmdbError> {
    for o in outages {
        if cmdb.ci(o.ci).is_none() {
            return Err(CmdbError::UnknownCi { id: o.ci });
        }
    }
    // Boundaries: +1 at a start, -1 at an end, for outages clipped to `within`.
    let mut edges: Vec<(chrono::DateTime<chrono::Utc>, bool, usize)> = Vec::new();
    for (i, o) in outages.iter().enumerate() {
        if let Some(p) = o.period.intersection(within).filter(|p| !p.is_empty()) {
            edges.push((p.start(), true, i));
            edges.push((p.end(), false, i));
        }
    }
    edges.sort_unstable_by_key(|(t, opens, i)| (*t, *opens, *i));
    let mut active: HashMap<Id<Ci>, [u32; 2]> = HashMap::new();
    let mut unplanned: HashMap<Id<Ci>, u32> = HashMap::new();
    let mut planned_open = 0usize;
    let mut spans: BTreeMap<Id<Ci>, Vec<Span>> = BTreeMap::new();
    let mut k = 0;
    while let Some(&(t, _, _)) = edges.get(k) {
        // Apply every edge at `t`.
        while let Some(&(u, opens, i)) = edges.get(k) {
            if u != t {
                break;
            }
            k += 1;
            let Some(o) = outages.get(i) else { continue };
            let slot = active.entry(o.ci).or_default();
            let which = usize::from(o.state == OutageState::Down);
            if let Some(n) = slot.get_mut(which) {
                if opens {
                    *n += 1;
                } else {
                    *n = n.saturating_sub(1);
                }
            }
            if o.planned {
                if opens {
                    planned_open += 1;
                } else {
                    planned_open = planned_open.saturating_sub(1);
                }
            } else {
                let n = unplanned.entry(o.ci).or_default();
                if opens {
                    *n += 1;
                } else {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        unplanned.remove(&o.ci);
                    }
                }
            }
            if *slot == [0, 0] {
                active.remove(&o.ci);
            }
        }
        let Some(&(next, _, _)) = edges.get(k) else {
            break;
        };
        if active.is_empty() {
            continue;
        }
        let Ok(stretch) = Period::new(t, next) else {
            continue;
        };
        let mut down: Vec<Id<Ci>> = active
            .iter()
            .filter(|(_, [_, d])| *d > 0)
            .map(|(ci, _)| *ci)
            .collect();
        let mut degraded: Vec<Id<Ci>> = active
            .iter()
            .filter(|(_, [g, d])| *g > 0 && *d == 0)
            .map(|(ci, _)| *ci)
            .collect();
        down.sort_unstable();
        degraded.sort_unstable();
        let mut states: BTreeMap<Id<Ci>, OutageState> = BTreeMap::new();
        if !down.is_empty() {
            for s in cmdb.impact_of(&down)?.services() {
                let state = match s.state {
                    ImpactState::Down => OutageState::Down,
                    ImpactState::Degraded => OutageState::Degraded,
                };
                states.insert(s.ci, state);
            }
        }
        if !degraded.is_empty() {
            for s in cmdb.impact_of(&degraded)?.services() {
                states.entry(s.ci).or_insert(OutageState::Degraded);
            }
        }
        // Services the unplanned outages alone affect; all of them when nothing is planned.
        let all_unplanned = planned_open == 0;
        let unplanned_hits: std::collections::HashSet<Id<Ci>> =
            if unplanned.is_empty() || all_unplanned {
                std::collections::HashSet::new()
            } else {
                let mut ids: Vec<Id<Ci>> = unplanned.keys().copied().collect();
                ids.sort_unstable();
                cmdb.impact_of(&ids)?.services().map(|s| s.ci).collect()
            };
        for (service, state) in states {
            let planned = if unplanned.is_empty() {
                true
            } else if all_unplanned {
                false
            } else {
                !unplanned_hits.contains(&service)
            };
            let list = spans.entry(service).or_default();
            match list.last_mut() {
                Some(last)
                    if last.period.end() == stretch.start()
                        && last.state == state
                        && last.planned == planned =>
                {
                    last.period = last.period.span(&stretch);
                }
                _ => list.push(Span {
                    period: stretch,
                    state,
                    planned,
                }),
            }
        }
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};
    use itsm_cmdb::{CiKind, RedundancyGroup, Relation, RelationKind, ServiceProfile};

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, h, 0, 0).unwrap()
    }

    fn outage(
        cmdb: &Cmdb,
        key: &str,
        from: u32,
        to: u32,
        state: OutageState,
        planned: bool,
    ) -> CiOutage {
        CiOutage {
            ci: cmdb.ci_by_key(key).unwrap().id,
            period: Period::new(at(from), at(to)).unwrap(),
            state,
            planned,
        }
    }

    /// web (service) needs app, app needs 1 of 2 hosts, both hosts need the network.
    fn estate() -> Cmdb {
        let mut cmdb = Cmdb::new();
        let svc = itsm_cmdb::Ci::new("web", "Web", CiKind::Service(ServiceProfile::default()));
        let app = itsm_cmdb::Ci::new("app", "App", CiKind::Application);
        let h1 = itsm_cmdb::Ci::new("h1", "Host 1", CiKind::Hardware);
        let h2 = itsm_cmdb::Ci::new("h2", "Host 2", CiKind::Hardware);
        let net = itsm_cmdb::Ci::new("net", "Network", CiKind::Network);
        let ids = [svc.id, app.id, h1.id, h2.id, net.id];
        for ci in [svc, app, h1, h2, net] {
            cmdb.add_ci(ci).unwrap();
        }
        let [svc, app, h1, h2, net] = ids;
        cmdb.relate(Relation::new(svc, RelationKind::DependsOn, app))
            .unwrap();
        cmdb.relate(Relation::new(app, RelationKind::RunsOn, h1))
            .unwrap();
        cmdb.relate(Relation::new(app, RelationKind::RunsOn, h2))
            .unwrap();
        cmdb.relate(Relation::new(h1, RelationKind::DependsOn, net))
            .unwrap();
        cmdb.relate(Relation::new(h2, RelationKind::DependsOn, net))
            .unwrap();
        cmdb.add_group(RedundancyGroup::new("hosts", app, vec![h1, h2], 1))
            .unwrap();
        cmdb
    }

    #[test]
    fn redundancy_degrades_until_both_members_are_down() {
        let cmdb = estate();
        let web = cmdb.ci_by_key("web").unwrap().id;
        let day = Period::new(at(0), at(23)).unwrap();
        let outages = [
            outage(&cmdb, "h1", 9, 12, OutageState::Down, false),
            outage(&cmdb, "h2", 10, 11, OutageState::Down, false),
        ];
        let spans = service_outages(&cmdb, &outages, &day).unwrap();
        let got: Vec<(u32, u32, OutageState)> = spans[&web]
            .iter()
            .map(|s| {
                (
                    chrono::Timelike::hour(&s.period.start()),
                    chrono::Timelike::hour(&s.period.end()),
                    s.state,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (9, 10, OutageState::Degraded),
                (10, 11, OutageState::Down),
                (11, 12, OutageState::Degraded)
            ]
        );
    }

    #[test]
    fn overlapping_outages_of_one_ci_make_one_stretch_and_unplanned_ones_decide_the_kind() {
        let cmdb = estate();
        let web = cmdb.ci_by_key("web").unwrap().id;
        let day = Period::new(at(0), at(23)).unwrap();
        let outages = [
            outage(&cmdb, "net", 9, 12, OutageState::Down, true),
            outage(&cmdb, "net", 10, 13, OutageState::Down, false),
            outage(&cmdb, "app", 20, 23, OutageState::Degraded, false),
        ];
        let spans = service_outages(&cmdb, &outages, &day).unwrap();
        let got: Vec<(u32, u32, OutageState, bool)> = spans[&web]
            .iter()
            .map(|s| {
                (
                    chrono::Timelike::hour(&s.period.start()),
                    chrono::Timelike::hour(&s.period.end()),
                    s.state,
                    s.planned,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (9, 10, OutageState::Down, true),
                (10, 13, OutageState::Down, false),
                (20, 23, OutageState::Degraded, false)
            ]
        );
        // Clipped to the window asked for.
        let morning = Period::new(at(0), at(11)).unwrap();
        let spans = service_outages(&cmdb, &outages, &morning).unwrap();
        assert_eq!(spans[&web].last().unwrap().period.end(), at(11));
        // An unknown CI is refused.
        let stranger = CiOutage {
            ci: Id::from_key("nobody"),
            ..outages[0]
        };
        assert!(service_outages(&cmdb, &[stranger], &day).is_err());
    }

    proptest::proptest! {
        /// Minute by minute: the derived spans say what `impact_of` of the CIs out at that
        /// minute says.
        #[test]
        fn spans_equal_the_impact_minute_by_minute(
            raw in proptest::collection::vec((0usize..5, 0i64..600, 1i64..300, proptest::bool::ANY, proptest::bool::ANY), 0..8)
        ) {
            let cmdb = estate();
            let keys = ["web", "app", "h1", "h2", "net"];
            let t0 = at(0);
            let minute = |m: i64| t0 + chrono::TimeDelta::minutes(m);
            let outages: Vec<CiOutage> = raw.iter().map(|&(k, s, l, degraded, planned)| CiOutage {
                ci: cmdb.ci_by_key(keys[k]).unwrap().id,
                period: Period::new(minute(s), minute(s + l)).unwrap(),
                state: if degraded { OutageState::Degraded } else { OutageState::Down },
                planned,
            }).collect();
            let window = Period::new(minute(60), minute(800)).unwrap();
            let spans = service_outages(&cmdb, &outages, &window).unwrap();
            let web = cmdb.ci_by_key("web").unwrap().id;
            for m in 60..800 {
                let t = minute(m);
                let open: Vec<&CiOutage> = outages.iter().filter(|o| o.period.contains(t)).collect();
                let down: Vec<Id<Ci>> = open.iter().filter(|o| o.state == OutageState::Down).map(|o| o.ci).collect();
                let degraded: Vec<Id<Ci>> = open.iter().filter(|o| o.state == OutageState::Degraded).map(|o| o.ci).collect();
                let mut expected = None;
                if !down.is_empty() {
                    expected = cmdb.impact_of(&down).unwrap().state(web).map(|s| match s {
                        ImpactState::Down => OutageState::Down,
                        ImpactState::Degraded => OutageState::Degraded,
                    });
                }
                if expected.is_none() && !degraded.is_empty() && cmdb.impact_of(&degraded).unwrap().state(web).is_some() {
                    expected = Some(OutageState::Degraded);
                }
                let got = spans.get(&web).and_then(|l| l.iter().find(|s| s.period.contains(t)));
                proptest::prop_assert_eq!(got.map(|s| s.state), expected, "minute {}", m);
                if let Some(s) = got {
                    let unplanned: Vec<Id<Ci>> = open.iter().filter(|o| !o.planned).map(|o| o.ci).collect();
                    let hit = !unplanned.is_empty() && cmdb.impact_of(&unplanned).unwrap().state(web).is_some();
                    proptest::prop_assert_eq!(s.planned, !hit);
                }
            }
            if let Some(list) = spans.get(&web) {
                for pair in list.windows(2) {
                    proptest::prop_assert!(pair[0].period.end() <= pair[1].period.start());
                }
            }
        }
    }
}
