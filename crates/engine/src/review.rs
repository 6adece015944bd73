//! The management review (ISO/IEC 20000-1 9.3) and the evidence map: for each clause the
//! engine supports, the records that show it is done.

use std::fmt::Write as _;

use itsm_change::{ChangeMetrics, ChangeStatus, Outcome, Unauthorized};
use itsm_cmdb::Baseline;
use itsm_core::Period;
use itsm_risk::{Escalation, RegisterKind, RiskReport};
use serde::{Deserialize, Serialize};

use crate::{Command, Effect, Sms};

/// The records that show one clause is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClauseEvidence {
    /// Clause number (`"8.5.1"`).
    pub clause: String,
    /// Clause title.
    pub title: String,
    /// The records, as references people can look up.
    pub records: Vec<String>,
}

/// Inputs to a management review, for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagementReview {
    /// The period.
    pub period: Period,
    /// The risk report.
    pub risks: RiskReport,
    /// Escalations to top management in the period.
    pub escalations: Vec<Escalation>,
    /// Change metrics.
    pub changes: ChangeMetrics,
    /// Unauthorized changes found between the baselines given (empty when none given).
    pub unauthorized: Vec<Unauthorized>,
    /// Availability vs targets (8.7.1): every service with a target in force in the period,
    /// measured over it by the conventions agreed with that target.
    pub availability: Vec<crate::AvailabilityView>,
    /// Continuity results (8.7.2): the assessments run and exercises held in the period, with
    /// their findings.
    pub continuity: crate::ContinuityReview,
    /// Evidence per clause.
    pub evidence: Vec<ClauseEvidence>,
}

impl Sms {
    /// The management review for `period`; with two baselines, the unauthorized changes
    /// between them.
    #[must_use]
    pub fn management_review(
        &self,
        period: Period,
        baselines: Option<(&Baseline, &Baseline)>,
    ) -> ManagementReview {
        let unauthorized = baselines
            .map(|(a, b)| self.changes.unauthorized(a, b))
            .unwrap_or_default();
        let risks = self.risks.report(period);
        // Measured once: the review shows it and the 8.7.1 evidence quotes it.
        let availability = self.availability_review(period);
        ManagementReview {
            period,
            escalations: risks.escalations.clone(),
            risks,
            changes: self.changes.metrics(period, baselines),
            unauthorized,
            continuity: self.continuity_review(period),
            evidence: self.evidence_with(period, &availability),
            availability,
        }
    }

    /// Each service with a target in force in `period`, measured over it (by key order).
    /// Availability is measured in whole seconds: a bound with a fraction of a second is
    /// rounded inwards; of a period longer than ten years, the last ten are measured.
    fn availability_review(&self, period: Period) -> Vec<crate::AvailabilityView> {
        use chrono::{SubsecRound, TimeDelta, Timelike};
        let start = match period.start().nanosecond() {
            0 => period.start(),
            _ => period.start().trunc_subsecs(0) + TimeDelta::seconds(1),
        };
        let end = period.end().trunc_subsecs(0);
        // At most the last ten years of a longer review period (service hours are listed day
        // by day); each answer shows the bounds it measured.
        let longest = TimeDelta::days(itsm_availability::measured::MAX_MEASURED_DAYS);
        let start = start.max(end.checked_sub_signed(longest).unwrap_or(start));
        let Ok(period) = Period::new(start, end) else {
            return Vec::new();
        };
        let as_of = self
            .log
            .last()
            .map_or(period.end(), |e| e.at.min(period.end()).max(period.start()));
        let mut services: Vec<(String, itsm_core::Id<itsm_cmdb::Ci>)> = self
            .availability
            .services()
            .map(|id| (self.key(id), id))
            .collect();
        services.sort();
        let ids: Vec<_> = services.iter().map(|(_, id)| *id).collect();
        let keys: std::collections::HashMap<_, _> =
            services.iter().map(|(k, id)| (*id, k.clone())).collect();
        let measured = self
            .availability
            .measure_services(&self.cmdb, &ids, &period, None, as_of, |id| {
                keys.get(&id)
                    .and_then(|k| self.policy_def.maintenance.get(k))
                    .map(|cal| cal.open_intervals(&period))
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        measured
            .iter()
            .map(|a| {
                let key = keys.get(&a.service).cloned().unwrap_or_default();
                Self::availability_view(&key, a, as_of)
            })
            .collect()
    }

    /// For each clause the engine supports, the records of `period` that show it.
    ///
    /// Dated records count when they fall within the period (half-open, as every period): a
    /// risk or change with an entry in its history or log in the period, a baseline taken,
    /// a command logged, a deployment, an escalation or a review made in it. Standing records
    /// that carry no date (the actors and their roles, the size of the configuration) are
    /// shown as they are when the review is made.
    #[must_use]
    pub fn evidence(&self, period: Period) -> Vec<ClauseEvidence> {
        self.evidence_with(period, &self.availability_review(period))
    }

    /// [`Sms::evidence`] with the period's availability already measured.
    fn evidence_with(
        &self,
        period: Period,
        measured: &[crate::AvailabilityView],
    ) -> Vec<ClauseEvidence> {
        let clause = |c: &str, t: &str, records: Vec<String>| ClauseEvidence {
            clause: c.into(),
            title: t.into(),
            records,
        };
        let roles: Vec<String> = self
            .actors
            .iter()
            .filter(|(_, a)| !a.roles.is_empty())
            .map(|(k, a)| {
                // Roles as the user writes them (`risk_owner`), never Rust's names.
                let roles: Vec<String> = a.roles.iter().map(itsm_risk::role_words).collect();
                format!("actor `{k}`: {}", roles.join(", "))
            })
            .collect();
        // A risk is evidence for the period when its history has an entry in it.
        let active_risk = |r: &itsm_risk::Risk| {
            self.risks
                .history(r.id)
                .iter()
                .any(|h| period.contains(h.at))
        };
        let risks_where = |f: &dyn Fn(&itsm_risk::Risk) -> bool| -> Vec<String> {
            self.risks
                .risks()
                .filter(|r| active_risk(r) && f(r))
                .map(|r| format!("{} {}", r.reference, r.title))
                .collect()
        };
        // A change is evidence for the period when its log has an entry in it.
        let active_change = |c: &itsm_change::Change| c.log.iter().any(|l| period.contains(l.at));
        let changes_where = |f: &dyn Fn(&itsm_change::Change) -> bool| -> Vec<String> {
            self.changes
                .changes()
                .iter()
                .filter(|c| active_change(c) && f(c))
                .map(|c| format!("{} {} ({})", c.reference(), c.request.title, c.status))
                .collect()
        };
        let events = || self.log.iter().filter(|e| period.contains(e.at));
        let deployments: Vec<String> = events()
            .flat_map(|e| e.effects.iter().map(move |x| (e, x)))
            .filter_map(|(e, x)| match x {
                Effect::ConfigurationApplied { change, touched } => Some(format!(
                    "event {}: change `{change}` applied to {touched} CI(s)",
                    e.seq
                )),
                _ => None,
            })
            .collect();
        let mut config = vec![format!(
            "{} configuration items, {} relations",
            self.cmdb.len(),
            self.cmdb.relation_count()
        )];
        config.extend(
            self.baselines
                .iter()
                .filter(|(_, b)| period.contains(b.taken_at))
                .map(|(name, _)| format!("baseline `{name}`")),
        );
        let reviews = events()
            .filter(|e| {
                matches!(
                    e.command,
                    Command::ReviewRisk { .. } | Command::ReviewChange { .. }
                )
            })
            .count();
        let implemented: Vec<&itsm_change::Change> = self
            .changes
            .changes()
            .iter()
            .filter(|c| c.outcome.is_some() && c.implemented_at.is_some_and(|t| period.contains(t)))
            .collect();
        let closed_changes = self
            .changes
            .changes()
            .iter()
            .filter(|c| {
                c.log
                    .iter()
                    .any(|l| l.status == ChangeStatus::Closed && period.contains(l.at))
            })
            .count();
        let mut availability: Vec<String> = events()
            .filter_map(|e| match &e.command {
                Command::SetAvailabilityTarget {
                    service,
                    target_percent,
                    ..
                } => Some(format!(
                    "event {}: availability target of `{service}` set to {} %",
                    e.seq,
                    target_percent.value()
                )),
                Command::RecordOutage(o) => Some(format!(
                    "event {}: outage `{}` of `{}` recorded",
                    e.seq, o.key, o.ci
                )),
                Command::EndOutage { outage, .. } => {
                    Some(format!("event {}: outage `{outage}` ended", e.seq))
                }
                _ => None,
            })
            .collect();
        availability.extend(measured.iter().map(|a| {
            format!(
                "`{}`: {} % against {} % ({})",
                a.service,
                a.availability_display
                    .map_or_else(|| "nothing agreed".to_owned(), |d| d.to_string()),
                a.target_percent,
                if a.met { "met" } else { "missed" }
            )
        }));
        vec![
            clause("5.3", "Roles, responsibilities and authorities", roles),
            clause(
                "6.1",
                "Actions to address risks and opportunities",
                risks_where(&|_| true),
            ),
            clause(
                "7.5",
                "Documented information (audit log)",
                vec![format!("{} logged command(s)", events().count())],
            ),
            clause("8.2.6", "Configuration management", config),
            clause("8.5.1", "Change management", changes_where(&|_| true)),
            clause(
                "8.5.2",
                "Service design and transition",
                changes_where(&|c| c.is_major()),
            ),
            clause("8.5.3", "Release and deployment management", deployments),
            clause("8.7.1", "Service availability management", availability),
            clause("8.7.2", "Service continuity management", {
                let mut records = risks_where(&|r| r.register == RegisterKind::Continuity);
                records.extend(self.continuity_evidence(period));
                records
            }),
            clause(
                "8.7.3",
                "Information security management",
                risks_where(&|r| matches!(r.register, RegisterKind::InformationSecurity(_))),
            ),
            clause(
                "9.1",
                "Monitoring, measurement, analysis and evaluation",
                vec![
                    format!(
                        "{} escalation(s) recorded",
                        self.risks
                            .all_escalations()
                            .iter()
                            .filter(|e| period.contains(e.at))
                            .count()
                    ),
                    format!(
                        "{} change(s) implemented, {} failed or backed out",
                        implemented.len(),
                        implemented
                            .iter()
                            .filter(|c| matches!(
                                c.outcome,
                                Some(Outcome::Failed | Outcome::BackedOut)
                            ))
                            .count()
                    ),
                    format!("{reviews} review(s) of risks and changes"),
                ],
            ),
            clause(
                "9.3",
                "Management review",
                vec![format!(
                    "this report; {closed_changes} change(s) and {} risk(s) closed in the period to review",
                    self.risks
                        .risks()
                        .filter(|r| !r.status.is_live()
                            && r.closed_at.is_some_and(|t| period.contains(t)))
                        .count()
                )],
            ),
        ]
    }
}

impl ManagementReview {
    /// The review as Markdown.
    #[must_use]
    pub fn to_markdown(&self, names: &dyn Fn(itsm_core::Id<itsm_cmdb::Ci>) -> String) -> String {
        let mut out = format!(
            "# Management review {} to {}\n\n",
            self.period.start().date_naive(),
            self.period.end().date_naive()
        );
        out.push_str(&self.risks.to_markdown());
        out.push('\n');
        out.push_str(&self.changes.to_markdown(names));
        let _ = writeln!(
            out,
            "\n## Unauthorized changes ({})\n",
            self.unauthorized.len()
        );
        if self.unauthorized.is_empty() {
            out.push_str("None found.\n");
        }
        for u in &self.unauthorized {
            match u {
                Unauthorized::Ci { key, what, .. } => {
                    let _ = writeln!(out, "- CI `{key}` {what} without a change");
                }
                Unauthorized::Relation { relation, what } => {
                    let _ = writeln!(
                        out,
                        "- relation `{}` {} `{}` {what} without a change",
                        names(relation.from),
                        relation.kind,
                        names(relation.to)
                    );
                }
            }
        }
        let _ = writeln!(
            out,
            "\n## Availability vs targets ({})\n",
            self.availability.len()
        );
        if self.availability.is_empty() {
            out.push_str("No service has an availability target in the period.\n");
        } else {
            out.push_str("| Service | Availability % | Target % | Met | Downtime s | Planned s | Remaining s | Outages |\n| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |\n");
        }
        for a in &self.availability {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
                a.service,
                a.availability_display
                    .map_or_else(|| "-".to_owned(), |d| d.to_string()),
                a.target_percent,
                if a.met { "yes" } else { "**no**" },
                a.downtime_s,
                a.planned_s,
                a.remaining_s,
                a.outages
            );
        }
        self.continuity_markdown(&mut out);
        out.push_str("\n## Evidence by clause (ISO/IEC 20000-1)\n\n| Clause | Title | Records |\n| --- | --- | ---: |\n");
        for c in &self.evidence {
            let _ = writeln!(out, "| {} | {} | {} |", c.clause, c.title, c.records.len());
        }
        for c in &self.evidence {
            let _ = writeln!(out, "\n### {} {}\n", c.clause, c.title);
            if c.records.is_empty() {
                out.push_str("No records yet.\n");
            }
            for r in &c.records {
                let _ = writeln!(out, "- {r}");
            }
        }
        out
    }
}
