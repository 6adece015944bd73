//! Change records over a period: metrics, unauthorized changes, Markdown (ISO/IEC 20000-1
//! 8.5.1.3 records and analysis, 9.1 monitoring).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::TimeDelta;
use itsm_cmdb::{Baseline, Ci, CmdbOp, Relation};
use itsm_core::{Id, Period};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Category, ChangeRegister, Conflict, Outcome};

/// A difference between two baselines that no implemented change explains.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unauthorized {
    /// A CI added, changed or removed without a change.
    Ci {
        /// The CI.
        id: Id<Ci>,
        /// Its key.
        key: String,
        /// `added`, `changed` or `removed`.
        what: String,
    },
    /// A relation added or removed without a change.
    Relation {
        /// The relation.
        relation: Relation,
        /// `added` or `removed`.
        what: String,
    },
}

/// Change metrics for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeMetrics {
    /// The period.
    pub period: Period,
    /// Changes raised in the period, by category (`normal`, `standard`, `emergency`).
    pub raised_by_category: BTreeMap<String, usize>,
    /// Changes implemented in the period.
    pub implemented: usize,
    /// Of those: successful.
    pub successful: usize,
    /// Failed.
    pub failed: usize,
    /// Backed out.
    pub backed_out: usize,
    /// Successful share of implemented, in percent (one decimal).
    pub success_rate: Decimal,
    /// Emergency share of changes raised, in percent (one decimal).
    pub emergency_share: Decimal,
    /// Mean lead time from submission to implementation, in hours (one decimal).
    pub mean_lead_time_hours: Decimal,
    /// Longest lead time, in hours.
    pub max_lead_time_hours: Decimal,
    /// Implemented changes per impacted service, most first.
    pub per_service: Vec<(Id<Ci>, usize)>,
    /// How many differences between the two baselines the metrics were asked for no change
    /// explains ([`ChangeRegister::unauthorized`]); `None` when no baselines were given (not
    /// checked, which is not the same as none found).
    pub unauthorized: Option<usize>,
}

/// One decimal, always shown (`100.0`).
fn one_decimal(mut d: Decimal) -> Decimal {
    d = d.round_dp(1);
    d.rescale(1);
    d
}

fn percent(part: usize, whole: usize) -> Decimal {
    if whole == 0 {
        return one_decimal(Decimal::ZERO);
    }
    one_decimal(Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
}

/// Whole seconds as hours, one decimal.
fn hours(seconds: i128) -> Decimal {
    Decimal::try_from_i128_with_scale(seconds, 0)
        .ok()
        .and_then(|s| s.checked_div(Decimal::from(3600)))
        .map_or_else(|| one_decimal(Decimal::ZERO), one_decimal)
}

/// Mean and longest of `leads`, in hours (one decimal).
///
/// The sum is taken in `i128` nanoseconds: chrono's `TimeDelta` holds about 292 million
/// years, which a thousand lead times across the range of time exceed.
fn lead_time_hours(leads: &[TimeDelta]) -> (Decimal, Decimal) {
    let nanos =
        |d: &TimeDelta| i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos());
    let total = leads
        .iter()
        .map(nanos)
        .fold(0i128, |sum, n| sum.saturating_add(n));
    let mean = i128::try_from(leads.len())
        .ok()
        .filter(|n| *n > 0)
        .map_or(0, |n| total / n);
    let longest = leads
        .iter()
        .max()
        .map_or(0, |d| i128::from(d.num_seconds()));
    (hours(mean / 1_000_000_000), hours(longest))
}

impl ChangeRegister {
    /// Metrics for `period`. With two baselines (`before`, `after`: usually taken at the
    /// start and the end of the period), the unauthorized changes between them are counted
    /// ([`ChangeRegister::unauthorized`]); without, [`ChangeMetrics::unauthorized`] is `None`:
    /// a configuration that was not compared is not reported as clean.
    #[must_use]
    pub fn metrics(
        &self,
        period: Period,
        baselines: Option<(&Baseline, &Baseline)>,
    ) -> ChangeMetrics {
        let unauthorized = baselines.map(|(before, after)| self.unauthorized(before, after).len());
        let mut raised_by_category: BTreeMap<String, usize> = BTreeMap::new();
        let (mut raised, mut emergencies) = (0, 0);
        let (mut successful, mut failed, mut backed_out) = (0, 0, 0);
        let mut lead = Vec::new();
        let mut per_service: BTreeMap<Id<Ci>, usize> = BTreeMap::new();
        for c in self.changes() {
            if period.contains(c.raised_at) {
                raised += 1;
                let name = match c.request.category {
                    Category::Normal => "normal",
                    Category::Standard(_) => "standard",
                    Category::Emergency => {
                        emergencies += 1;
                        "emergency"
                    }
                };
                *raised_by_category.entry(name.into()).or_default() += 1;
            }
            let Some(done) = c.implemented_at.filter(|t| period.contains(*t)) else {
                continue;
            };
            match c.outcome {
                Some(Outcome::Successful) => successful += 1,
                Some(Outcome::Failed) => failed += 1,
                Some(Outcome::BackedOut) => backed_out += 1,
                None => {}
            }
            if let Some(s) = c.submitted_at {
                lead.push(done.signed_duration_since(s));
            }
            for s in c.assessment.iter().flat_map(|a| &a.impacted_services) {
                *per_service.entry(s.service).or_default() += 1;
            }
        }
        let implemented = successful + failed + backed_out;
        let (mean_lead_time_hours, max_lead_time_hours) = lead_time_hours(&lead);
        let mut per_service: Vec<(Id<Ci>, usize)> = per_service.into_iter().collect();
        per_service.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ChangeMetrics {
            period,
            raised_by_category,
            implemented,
            successful,
            failed,
            backed_out,
            success_rate: percent(successful, implemented),
            emergency_share: percent(emergencies, raised),
            mean_lead_time_hours,
            max_lead_time_hours,
            per_service,
            unauthorized,
        }
    }

    /// Differences from `before` to `after` that no change implemented successfully between
    /// their times explains.
    ///
    /// A change explains the CIs and relations its targets and delta name. For a CI present in
    /// both baselines the record versions must also add up: each accepted edit bumps a CI's
    /// version by one, so the version after must be the version before plus the bumps the
    /// explaining changes made (one per update or retirement in a delta, one stamp for a CI a
    /// delta only related). A CI edited by hand after a change touched it is caught that way.
    #[must_use]
    pub fn unauthorized(&self, before: &Baseline, after: &Baseline) -> Vec<Unauthorized> {
        let (from, to) = (before.taken_at, after.taken_at);
        let mut cis: BTreeSet<Id<Ci>> = BTreeSet::new();
        let mut bumps: BTreeMap<Id<Ci>, u64> = BTreeMap::new();
        let mut relations: BTreeSet<Relation> = BTreeSet::new();
        for c in self.changes() {
            // Compared as instants, not as a `Period`: baselines taken at any instant work.
            let inside = c
                .implemented_at
                .is_some_and(|t| from <= to && t > from && t <= to);
            if !inside || c.outcome != Some(Outcome::Successful) {
                continue;
            }
            let mut updated: BTreeSet<Id<Ci>> = BTreeSet::new();
            let mut touched: BTreeSet<Id<Ci>> = BTreeSet::new();
            for op in &c.request.delta {
                match op {
                    CmdbOp::AddCi(ci) => {
                        cis.insert(ci.id);
                    }
                    CmdbOp::UpdateCi { id, .. } | CmdbOp::RetireCi(id) => {
                        cis.insert(*id);
                        updated.insert(*id);
                        *bumps.entry(*id).or_default() += 1;
                    }
                    CmdbOp::RemoveCi { id, .. } => {
                        cis.insert(*id);
                    }
                    CmdbOp::Relate(r) | CmdbOp::Unrelate(r) => {
                        relations.insert(*r);
                        cis.extend([r.from, r.to]);
                        touched.extend([r.from, r.to]);
                    }
                    CmdbOp::AddGroup(g) => {
                        cis.insert(g.dependent);
                        touched.insert(g.dependent);
                    }
                    CmdbOp::RemoveGroup(_) => {}
                }
            }
            for id in touched.difference(&updated) {
                *bumps.entry(*id).or_default() += 1;
            }
        }
        let diff = before.diff(after);
        let versions = |b: &Baseline| {
            b.cis
                .iter()
                .map(|c| (c.id, c.version))
                .collect::<BTreeMap<_, _>>()
        };
        let (v0, v1) = (versions(before), versions(after));
        let adds_up = |id: &Id<Ci>| match (v0.get(id), v1.get(id)) {
            (Some(a), Some(b)) => a.saturating_add(bumps.get(id).copied().unwrap_or(0)) == *b,
            _ => true,
        };
        let mut out = Vec::new();
        let ci = |id: Id<Ci>, key: &str, what: &str| Unauthorized::Ci {
            id,
            key: key.to_owned(),
            what: what.to_owned(),
        };
        out.extend(
            diff.added_cis
                .iter()
                .filter(|c| !cis.contains(&c.id))
                .map(|c| ci(c.id, &c.key, "added")),
        );
        out.extend(
            diff.removed_cis
                .iter()
                .filter(|c| !cis.contains(&c.id))
                .map(|c| ci(c.id, &c.key, "removed")),
        );
        out.extend(
            diff.changed_cis
                .iter()
                .filter(|c| !cis.contains(&c.id) || !adds_up(&c.id))
                .map(|c| ci(c.id, &c.key, "changed")),
        );
        let rel = |r: &Relation, what: &str| Unauthorized::Relation {
            relation: *r,
            what: what.to_owned(),
        };
        out.extend(
            diff.added_relations
                .iter()
                .filter(|r| !relations.contains(r))
                .map(|r| rel(r, "added")),
        );
        out.extend(
            diff.removed_relations
                .iter()
                .filter(|r| !relations.contains(r))
                .map(|r| rel(r, "removed")),
        );
        out.sort();
        out
    }
}

impl ChangeMetrics {
    /// The metrics as Markdown; `names` gives a service's display name.
    #[must_use]
    pub fn to_markdown(&self, names: &dyn Fn(Id<Ci>) -> String) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "## Change metrics {} to {}\n",
            self.period.start().date_naive(),
            self.period.end().date_naive()
        );
        out.push_str("| Measure | Value |\n| --- | ---: |\n");
        for (c, n) in &self.raised_by_category {
            let _ = writeln!(out, "| raised, {c} | {n} |");
        }
        let rows = [
            ("implemented", self.implemented.to_string()),
            ("successful", self.successful.to_string()),
            ("failed", self.failed.to_string()),
            ("backed out", self.backed_out.to_string()),
            ("success rate", format!("{}%", self.success_rate)),
            ("emergency share", format!("{}%", self.emergency_share)),
            ("mean lead time", format!("{} h", self.mean_lead_time_hours)),
            (
                "longest lead time",
                format!("{} h", self.max_lead_time_hours),
            ),
            (
                "unauthorized changes found",
                self.unauthorized.map_or_else(
                    || "not checked (no baselines given)".to_owned(),
                    |n| n.to_string(),
                ),
            ),
        ];
        for (k, v) in rows {
            let _ = writeln!(out, "| {k} | {v} |");
        }
        if !self.per_service.is_empty() {
            out.push_str("\n| Service | Changes implemented |\n| --- | ---: |\n");
            for (service, n) in &self.per_service {
                let _ = writeln!(out, "| {} | {n} |", names(*service));
            }
        }
        out
    }
}

/// The forward schedule and its conflicts as Markdown (parent/child conflicts as the
/// relations of `cmdb` stand).
///
/// `names` gives a CI's display name, `people` an actor's.
#[must_use]
pub fn schedule_markdown(
    register: &ChangeRegister,
    cmdb: &itsm_cmdb::Cmdb,
    names: &dyn Fn(Id<Ci>) -> String,
    people: &dyn Fn(Id<itsm_core::Actor>) -> String,
) -> String {
    let mut out = String::from(
        "## Forward schedule of change\n\n| Change | Title | Window | Status |\n| --- | --- | --- | --- |\n",
    );
    for s in register.forward_schedule(cmdb) {
        // Change numbers start at 1; the register holds change n at position n - 1.
        let record = usize::try_from(s.change)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| register.changes().get(i));
        let title = record.map_or("", |c| c.request.title.as_str());
        let status = record.map(|c| c.status.to_string()).unwrap_or_default();
        let _ = writeln!(
            out,
            "| CHG-{} | {title} | {} to {} | {status} |",
            s.change,
            s.window.start().format("%Y-%m-%d %H:%M"),
            s.window.end().format("%Y-%m-%d %H:%M")
        );
    }
    let conflicts = register.conflicts(cmdb);
    let _ = writeln!(out, "\n### Conflicts ({})\n", conflicts.len());
    if conflicts.is_empty() {
        out.push_str("None.\n");
    }
    for c in conflicts {
        let line = match &c {
            Conflict::Overlap {
                changes,
                shared,
                overlap,
                pairs,
            } => {
                let all = if changes.len() > 2 { "all" } else { "both" };
                let what = match shared {
                    crate::Shared::Ci(id) => format!("{all} change `{}`", names(*id)),
                    crate::Shared::Service(id) => {
                        format!("{all} impact service `{}`", names(*id))
                    }
                    crate::Shared::Implementer(id) => format!("same implementer `{}`", people(*id)),
                };
                let count = if *pairs > 1 {
                    format!(" ({pairs} overlapping pairs)")
                } else {
                    String::new()
                };
                format!(
                    "{}: {what}, {} to {}{count}",
                    crate::schedule::change_list(changes),
                    overlap.start().format("%Y-%m-%d %H:%M"),
                    overlap.end().format("%Y-%m-%d %H:%M")
                )
            }
            Conflict::OutsideMaintenance { change, service } => {
                format!(
                    "CHG-{change}: outside the maintenance window of `{}`",
                    names(*service)
                )
            }
            Conflict::Dependency {
                ci,
                changes,
                dependents,
                overlap,
                pairs,
            } => {
                let who: Vec<String> = dependents
                    .iter()
                    .map(|d| format!("CHG-{} (`{}`)", d.change, names(d.ci)))
                    .collect();
                let mut numbers: Vec<u32> = dependents.iter().map(|d| d.change).collect();
                numbers.dedup();
                let count = if *pairs > 1 {
                    format!(" ({pairs} overlapping pairs)")
                } else {
                    String::new()
                };
                format!(
                    "{} {} `{}` while {} {} what needs it directly, {} to {}{count}",
                    crate::schedule::change_list(changes),
                    crate::schedule::changes_verb(changes.len()),
                    names(*ci),
                    who.join(", "),
                    crate::schedule::changes_verb(numbers.len()),
                    overlap.start().format("%Y-%m-%d %H:%M"),
                    overlap.end().format("%Y-%m-%d %H:%M")
                )
            }
            Conflict::Freeze { .. } => c.to_string(),
        };
        let _ = writeln!(out, "- {line}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_time_sums_do_not_overflow_at_the_extremes_of_time_delta() {
        // 600 lead times of chrono's largest duration: the old `TimeDelta` sum panicked.
        let (mean, max) = lead_time_hours(&vec![TimeDelta::MAX; 600]);
        assert_eq!(mean, max);
        assert_eq!(max, hours(i128::from(TimeDelta::MAX.num_seconds())));
        assert!(mean > Decimal::from(2_000_000_000_000u64));
        let (mean, max) = lead_time_hours(&vec![TimeDelta::MIN; 600]);
        assert_eq!(mean, max);
        assert!(mean < Decimal::ZERO);
        let mixed: Vec<TimeDelta> = [TimeDelta::MIN, TimeDelta::MAX].repeat(300);
        let (mean, max) = lead_time_hours(&mixed);
        assert!(mean.abs() <= Decimal::ONE, "{mean}");
        assert_eq!(max, hours(i128::from(TimeDelta::MAX.num_seconds())));
        assert_eq!(
            lead_time_hours(&[]),
            (one_decimal(Decimal::ZERO), one_decimal(Decimal::ZERO))
        );
        assert_eq!(
            lead_time_hours(&[TimeDelta::hours(1), TimeDelta::hours(2)]),
            (one_decimal(Decimal::new(15, 1)), one_decimal(Decimal::TWO))
        );
    }
}
