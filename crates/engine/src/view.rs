//! Answers in the user's words: the records of the registers as views that name every record
//! by its key.
//!
//! The registers keep ids (typed, for Rust programs: [`Sms::cmdb`], [`Sms::risks`],
//! [`Sms::changes`]). [`Sms::query`] answers with these views, and [`Sms::query_json`] is
//! nothing but that answer serialized: one code path, so the typed [`crate::Answer`] and the
//! JSON surface never disagree. A view has the shape of its record with each id replaced by
//! the key people use for that record: CIs by CI key, actors by actor key, divisions by
//! division key, parties by the key their provision or transfer named, changes by change key,
//! risks by their `R-n` reference; the record's own id is left out (its key or reference names
//! it). An id no key names (a record imported with its own ids) is shown as the id.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use itsm_change::{
    Approver, Category, ChangeAssessment, ChangeId, ChangeMetrics, ChangeStatus, Conflict, Factor,
    FactorFinding, FactorLevel, ModelCheck, Nature, NotDoing, ObjectiveFinding, Outcome, Shared,
    TransitionStage, Unauthorized,
};
use itsm_cmdb::{
    AttrValue, Ci, CiKind, CiPatch, CiStatus, CmdbOp, Criticality, ImpactState, Provision,
    RelationKind,
};
use itsm_core::{Id, Money, Period};
use itsm_risk::{
    AcceptanceCover, Escalation, HeatMap, Rating, Reference, RegisterKind, ReviewDue, Risk,
    RiskKind, RiskLevel, RiskLine, RiskReport, RiskSource, RiskStatus, Treated, Treatment,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{CiDef, CiUpdateDef, ClauseEvidence, DeltaDef, ManagementReview, ProvisionDef, Sms};

/// A CI, records named by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiView {
    /// Key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// What it is.
    pub kind: CiKind,
    /// Lifecycle status.
    pub status: CiStatus,
    /// Who is accountable for it (actor key).
    pub owner: Option<String>,
    /// Its own criticality.
    pub criticality: Criticality,
    /// Who provides it (party keys), as `add_ci` takes it.
    pub provision: ProvisionDef,
    /// Free attributes.
    pub attributes: BTreeMap<String, AttrValue>,
    /// Record version: 1 when created, one more for every accepted update.
    pub version: u64,
    /// The change that last modified it (change key).
    pub last_change: Option<String>,
}

/// A risk's links, by key, each list in key order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinksView {
    /// CI keys.
    pub cis: Vec<String>,
    /// Supplier (party) keys.
    pub suppliers: Vec<String>,
    /// Change keys.
    pub changes: Vec<String>,
}

/// A risk's treatment, parties and actors by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TreatmentView {
    /// Reduce it with mitigation actions.
    Mitigate,
    /// Live with it, by decision.
    Accept {
        /// Who accepted it (actor key).
        by: String,
        /// Until when.
        until: NaiveDate,
        /// Why.
        rationale: String,
    },
    /// Pass it to another party.
    Transfer {
        /// The party (key).
        to: String,
        /// How.
        arrangement: String,
    },
    /// Stop the activity that causes it.
    Avoid {
        /// How.
        how: String,
    },
}

/// A mitigation action, its owner by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionView {
    /// Number within the risk.
    pub number: u32,
    /// What is to be done.
    pub description: String,
    /// Who does it (actor key).
    pub owner: String,
    /// By when.
    pub due: NaiveDate,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
}

/// A risk, records named by key (the risk itself by its reference, and by the key it was
/// identified with, if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskView {
    /// The register's reference (`R-12`).
    pub reference: Reference,
    /// The key it was identified with (none for risks the engine raised itself).
    pub key: Option<String>,
    /// Short title.
    pub title: String,
    /// Description.
    pub description: String,
    /// What would set it off.
    pub trigger: String,
    /// What happens if it occurs.
    pub impact_description: String,
    /// When it was identified.
    pub identified_at: DateTime<Utc>,
    /// Target date for mitigation.
    pub target_date: Option<NaiveDate>,
    /// Category.
    pub category: String,
    /// Sub-category.
    pub sub_category: Option<String>,
    /// Risk owner (actor key).
    pub owner: String,
    /// Threat or opportunity.
    pub kind: RiskKind,
    /// Which register.
    pub register: RegisterKind,
    /// The division whose appetite applies (division key).
    pub division: Option<String>,
    /// Links.
    pub links: LinksView,
    /// Where it came from.
    pub source: RiskSource,
    /// Inherent rating.
    pub inherent: Option<Rating>,
    /// Residual rating.
    pub residual: Option<Rating>,
    /// Why the residual is rated above the inherent risk, when it is.
    pub residual_rationale: Option<String>,
    /// The highest rating since it was last closed or accepted.
    pub peak: Option<Rating>,
    /// The initial mitigation.
    pub initial_mitigation: Option<String>,
    /// Chosen treatment.
    pub treatment: Option<TreatmentView>,
    /// Mitigation actions.
    pub actions: Vec<ActionView>,
    /// Status.
    pub status: RiskStatus,
    /// Days between reviews.
    pub review_interval_days: Option<u32>,
    /// Next review date.
    pub next_review: Option<NaiveDate>,
    /// When it was last reviewed.
    pub last_reviewed_at: Option<DateTime<Utc>>,
    /// When it was last closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// When it last materialized.
    pub materialized_at: Option<DateTime<Utc>>,
    /// The level at which top management was last told about it.
    pub escalated_level: Option<RiskLevel>,
    /// What the acceptance in force covers.
    pub accepted: Option<AcceptanceCover>,
    /// The last acceptance that lapsed, until a new decision.
    pub lapsed: Option<LapseView>,
    /// The linked copy in the corporate register, or for a copy, the original.
    pub corporate_link: Option<Reference>,
    /// Record version.
    pub version: u64,
}

/// An acceptance that lapsed, its acceptor by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LapseView {
    /// When.
    pub at: DateTime<Utc>,
    /// Who had accepted it (actor key).
    pub by: String,
    /// Until when it had been accepted.
    pub until: NaiveDate,
    /// Why it had been accepted.
    pub rationale: String,
    /// The level the risk rose to.
    pub level: RiskLevel,
    /// Why it lapsed.
    pub why: String,
}

/// An overdue mitigation action, its owner by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverdueActionView {
    /// The risk.
    pub risk: Reference,
    /// Action number.
    pub number: u32,
    /// What.
    pub description: String,
    /// Who (actor key).
    pub owner: String,
    /// Due date.
    pub due: NaiveDate,
    /// Days overdue at the end of the period.
    pub days_overdue: i64,
}

/// The risk report for a period, actors by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskReportView {
    /// The period.
    pub period: Period,
    /// Identified within the period.
    pub new: Vec<RiskLine>,
    /// Closed within the period.
    pub closed: Vec<RiskLine>,
    /// Materialized within the period.
    pub materialized: Vec<RiskLine>,
    /// Live threats by current level.
    pub by_level: Vec<(String, usize)>,
    /// Live risks by category.
    pub by_category: Vec<(String, usize)>,
    /// Inherent heat map.
    pub inherent: HeatMap,
    /// Residual heat map.
    pub residual: HeatMap,
    /// Overdue mitigation actions.
    pub overdue_actions: Vec<OverdueActionView>,
    /// Reviews and acceptances due by the end of the period.
    pub reviews_due: Vec<ReviewDue>,
    /// Treated threats.
    pub treated: Vec<Treated>,
    /// How many of `treated` are at a lower level than their inherent level.
    pub lowered: usize,
    /// How many of `treated` stayed at their inherent level.
    pub unchanged: usize,
    /// How many of `treated` are at a higher level than their inherent level.
    pub raised: usize,
    /// Live opportunities.
    pub opportunities: Vec<RiskLine>,
    /// Escalations raised within the period.
    pub escalations: Vec<Escalation>,
}

/// What a change asks for, records named by key; its delta as the edits `raise_change` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestView {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: Category,
    /// Nature.
    pub nature: Nature,
    /// Introduces technology new to the organisation.
    pub new_technology: bool,
    /// Who implements it (actor key).
    pub implementer: Option<String>,
    /// The CIs it changes directly (keys).
    pub targets: Vec<String>,
    /// The configuration delta.
    pub delta: Vec<DeltaDef>,
    /// Estimated cost.
    pub estimated_cost: Option<Money>,
    /// The requester's view of the risk factors.
    pub factors: BTreeMap<Factor, FactorLevel>,
    /// Effects on objective measures.
    pub objective_effects: BTreeMap<String, Decimal>,
    /// The risk of not making it.
    pub not_doing: Option<NotDoing>,
}

/// A service a change affects, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactedServiceView {
    /// The service (CI key).
    pub service: String,
    /// Its criticality.
    pub criticality: Criticality,
    /// Down or degraded while the targets are changed.
    pub state: ImpactState,
}

/// A change's assessment, CIs by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentView {
    /// The direct targets (keys).
    pub targets: Vec<String>,
    /// Targets the policy does not put under change control (keys).
    pub out_of_scope: Vec<String>,
    /// Services affected, most critical first.
    pub impacted_services: Vec<ImpactedServiceView>,
    /// How many CIs are affected in all.
    pub impacted_cis: usize,
    /// The risk factors.
    pub factors: Vec<FactorFinding>,
    /// The risk of making the change.
    pub rating: Rating,
    /// Why that rating.
    pub rating_reasons: Vec<String>,
    /// Estimated cost.
    pub estimated_cost: Option<Money>,
    /// Fit with objectives.
    pub objectives: Vec<ObjectiveFinding>,
    /// Why it is major-impact.
    pub major_impact: Vec<String>,
    /// The standard model check.
    pub standard_model: Option<ModelCheck>,
    /// Approvals needed.
    pub approvals: Vec<Approver>,
    /// The risk of not making the change.
    pub not_doing: Option<Rating>,
}

/// An approval given, the approver by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalView {
    /// Who (actor key).
    pub by: Option<String>,
    /// In which capacity.
    pub approver: Option<Approver>,
    /// When.
    pub at: DateTime<Utc>,
}

/// An entry of a change's log, the actor by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogView {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (actor key).
    pub actor: String,
    /// What.
    pub action: String,
    /// The status after it.
    pub status: ChangeStatus,
}

/// A change, records named by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeView {
    /// The key it was raised with.
    pub key: String,
    /// `CHG-n`.
    pub reference: String,
    /// Who raised it (actor key).
    pub requester: String,
    /// When it was raised.
    pub raised_at: DateTime<Utc>,
    /// What was asked for.
    pub request: RequestView,
    /// Status.
    pub status: ChangeStatus,
    /// The latest assessment.
    pub assessment: Option<AssessmentView>,
    /// Approvals given.
    pub approvals: Vec<ApprovalView>,
    /// Design and transition stages completed.
    pub transition: Vec<TransitionStage>,
    /// The implementation window.
    pub window: Option<Period>,
    /// When it was submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When implementation ended.
    pub implemented_at: Option<DateTime<Utc>>,
    /// How implementation ended.
    pub outcome: Option<Outcome>,
    /// Post-implementation review notes.
    pub review: Option<String>,
    /// Must be reviewed.
    pub review_required: bool,
    /// Things the review must look at.
    pub flags: Vec<String>,
    /// Everything that happened to it.
    pub log: Vec<LogView>,
}

/// What changes in overlapping windows share, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SharedView {
    /// The same CI is changed by all of them (CI key).
    Ci(String),
    /// The same service is impacted by all of them (CI key).
    Service(String),
    /// The same person implements all of them (actor key).
    Implementer(String),
}

/// A change of a CI that needs another directly, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DependentChangeView {
    /// The change (change key).
    pub change: String,
    /// The CI it changes, which needs the CI depended on directly (CI key).
    pub ci: String,
}

/// A conflict on the forward schedule, changes and CIs by key (see [`Conflict`] for what each
/// kind means and how overlaps are grouped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictView {
    /// Changes sharing something in overlapping windows.
    Overlap {
        /// The changes (keys), at least two.
        changes: Vec<String>,
        /// What they share.
        shared: SharedView,
        /// The stretch of time during which at least two of them overlap.
        overlap: Period,
        /// How many pairs of them overlap.
        pairs: u64,
    },
    /// Changes of a CI and changes of CIs that need it directly (parent/child), in
    /// overlapping windows, whether or not a service sits above both.
    Dependency {
        /// The CI depended on (key).
        ci: String,
        /// The changes that change it (keys).
        changes: Vec<String>,
        /// The changes of CIs that need it directly, each with that CI.
        dependents: Vec<DependentChangeView>,
        /// From the first instant a change of `ci` and a change of a dependent overlap to
        /// the last.
        overlap: Period,
        /// How many (change of `ci`, change of a dependent) pairs overlap.
        pairs: u64,
    },
    /// A window inside a freeze that applies.
    Freeze {
        /// The change (key).
        change: String,
        /// The freeze.
        blackout: String,
        /// The overlap.
        overlap: Period,
        /// True for an emergency change: allowed, flagged for review.
        allowed_as_emergency: bool,
    },
    /// A window outside the maintenance hours of an impacted service.
    OutsideMaintenance {
        /// The change (key).
        change: String,
        /// The service (CI key).
        service: String,
    },
}

/// Change metrics for a period, services by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeMetricsView {
    /// The period.
    pub period: Period,
    /// Changes raised in the period, by category.
    pub raised_by_category: BTreeMap<String, usize>,
    /// Changes implemented in the period.
    pub implemented: usize,
    /// Of those: successful.
    pub successful: usize,
    /// Failed.
    pub failed: usize,
    /// Backed out.
    pub backed_out: usize,
    /// Successful share of implemented, in percent.
    pub success_rate: Decimal,
    /// Emergency share of changes raised, in percent.
    pub emergency_share: Decimal,
    /// Mean lead time from submission to implementation, in hours.
    pub mean_lead_time_hours: Decimal,
    /// Longest lead time, in hours.
    pub max_lead_time_hours: Decimal,
    /// Implemented changes per impacted service (CI key), most first.
    pub per_service: Vec<(String, usize)>,
    /// Unauthorized changes between the baselines given; `None` when not checked.
    pub unauthorized: Option<usize>,
}

/// A CI in an unauthorized difference, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnauthorizedCiView {
    /// Its key.
    pub key: String,
    /// `added`, `changed` or `removed`.
    pub what: String,
}

/// A relation, its ends by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationView {
    /// The source (CI key).
    pub from: String,
    /// The kind.
    pub kind: RelationKind,
    /// The target (CI key).
    pub to: String,
}

/// A relation in an unauthorized difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnauthorizedRelationView {
    /// The relation.
    pub relation: RelationView,
    /// `added` or `removed`.
    pub what: String,
}

/// A difference between two baselines that no change explains, by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnauthorizedView {
    /// A CI added, changed or removed without a change.
    Ci(UnauthorizedCiView),
    /// A relation added or removed without a change.
    Relation(UnauthorizedRelationView),
}

/// The management review, records named by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagementReviewView {
    /// The period.
    pub period: Period,
    /// The risk report.
    pub risks: RiskReportView,
    /// Escalations in the period.
    pub escalations: Vec<Escalation>,
    /// Change metrics.
    pub changes: ChangeMetricsView,
    /// Unauthorized changes found between the baselines given.
    pub unauthorized: Vec<UnauthorizedView>,
    /// Availability vs targets (8.7.1), services by key.
    pub availability: Vec<crate::AvailabilityView>,
    /// Continuity results (8.7.2), records by key.
    pub continuity: crate::ContinuityReview,
    /// Evidence per clause, from the records of the period.
    pub evidence: Vec<ClauseEvidence>,
}

/// A set of keys in key order (the ids they replace have no order people can see).
fn sorted(mut keys: Vec<String>) -> Vec<String> {
    keys.sort();
    keys
}

impl Sms {
    /// The key of a CI: in the CMDB, or the key it had when removed; the id otherwise.
    pub(crate) fn key(&self, id: Id<Ci>) -> String {
        self.cmdb
            .ci(id)
            .map(|c| c.key.clone())
            .or_else(|| self.names.former_ci(id).cloned())
            .unwrap_or_else(|| id.to_string())
    }

    fn keys(&self, ids: impl IntoIterator<Item = Id<Ci>>) -> Vec<String> {
        ids.into_iter().map(|id| self.key(id)).collect()
    }

    /// The key of a change, by id (its reference if it has none).
    fn change_key_of(&self, id: Id<ChangeId>) -> String {
        self.names.change_key(id).cloned().unwrap_or_else(|| {
            self.changes
                .change(id)
                .map_or_else(|| id.to_string(), itsm_change::Change::reference)
        })
    }

    /// The key of change number `n` (`CHG-n` if it has none).
    fn change_number_key(&self, n: u32) -> String {
        usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| self.changes.changes().get(i))
            .and_then(|c| self.names.change_key(c.id).cloned())
            .unwrap_or_else(|| format!("CHG-{n}"))
    }

    fn change_number_keys(&self, numbers: &[u32]) -> Vec<String> {
        numbers.iter().map(|n| self.change_number_key(*n)).collect()
    }

    fn provision_view(&self, p: Provision) -> ProvisionDef {
        match p {
            Provision::Internal => ProvisionDef::Internal,
            Provision::ExternalSupplier(x) => ProvisionDef::ExternalSupplier(self.names.party(x)),
            Provision::InternalSupplier(x) => ProvisionDef::InternalSupplier(self.names.party(x)),
            Provision::CustomerAsSupplier(x) => {
                ProvisionDef::CustomerAsSupplier(self.names.party(x))
            }
        }
    }

    /// A CI by key.
    pub(crate) fn ci_view(&self, ci: &Ci) -> CiView {
        CiView {
            key: ci.key.clone(),
            name: ci.name.clone(),
            kind: ci.kind.clone(),
            status: ci.status,
            owner: ci.owner.map(|a| self.names.actor(a)),
            criticality: ci.criticality,
            provision: self.provision_view(ci.provision),
            attributes: ci.attributes.clone(),
            version: ci.version,
            last_change: ci.last_change.map(|c| self.change_key_of(c)),
        }
    }

    /// A risk by key.
    pub(crate) fn risk_view(&self, risk: &Risk) -> RiskView {
        let Risk {
            id: _,
            reference,
            title,
            description,
            trigger,
            impact_description,
            identified_at,
            target_date,
            category,
            sub_category,
            owner,
            kind,
            register,
            division,
            links,
            source,
            inherent,
            residual,
            residual_rationale,
            peak,
            initial_mitigation,
            treatment,
            actions,
            status,
            review_interval_days,
            next_review,
            last_reviewed_at,
            closed_at,
            materialized_at,
            escalated_level,
            accepted,
            lapsed,
            corporate_link,
            version,
        } = risk.clone();
        let treatment = treatment.map(|t| match t {
            Treatment::Mitigate => TreatmentView::Mitigate,
            Treatment::Accept(a) => TreatmentView::Accept {
                by: self.names.actor(a.by),
                until: a.until,
                rationale: a.rationale,
            },
            Treatment::Transfer { to, arrangement } => TreatmentView::Transfer {
                to: self.names.party(to),
                arrangement,
            },
            Treatment::Avoid { how } => TreatmentView::Avoid { how },
        });
        RiskView {
            reference,
            key: self.names.risk_key(reference).cloned(),
            title,
            description,
            trigger,
            impact_description,
            identified_at,
            target_date,
            category,
            sub_category,
            owner: self.names.actor(owner),
            kind,
            register,
            division: division.map(|d| self.names.division(d)),
            links: LinksView {
                cis: sorted(self.keys(links.cis)),
                suppliers: sorted(
                    links
                        .suppliers
                        .iter()
                        .map(|p| self.names.party(*p))
                        .collect(),
                ),
                changes: sorted(
                    links
                        .changes
                        .iter()
                        .map(|c| self.change_key_of(*c))
                        .collect(),
                ),
            },
            source,
            inherent,
            residual,
            residual_rationale,
            peak,
            initial_mitigation,
            treatment,
            actions: actions
                .into_iter()
                .map(|a| ActionView {
                    number: a.number,
                    description: a.description,
                    owner: self.names.actor(a.owner),
                    due: a.due,
                    completed_at: a.completed_at,
                })
                .collect(),
            status,
            review_interval_days,
            next_review,
            last_reviewed_at,
            closed_at,
            materialized_at,
            escalated_level,
            accepted,
            lapsed: lapsed.map(|l| LapseView {
                at: l.at,
                by: self.names.actor(l.acceptance.by),
                until: l.acceptance.until,
                rationale: l.acceptance.rationale,
                level: l.level,
                why: l.why,
            }),
            corporate_link,
            version,
        }
    }

    /// A risk report, actors by key.
    pub(crate) fn risk_report_view(&self, report: RiskReport) -> RiskReportView {
        let RiskReport {
            period,
            new,
            closed,
            materialized,
            by_level,
            by_category,
            inherent,
            residual,
            overdue_actions,
            reviews_due,
            treated,
            lowered,
            unchanged,
            raised,
            opportunities,
            escalations,
        } = report;
        RiskReportView {
            period,
            new,
            closed,
            materialized,
            by_level,
            by_category,
            inherent,
            residual,
            overdue_actions: overdue_actions
                .into_iter()
                .map(|a| OverdueActionView {
                    risk: a.risk,
                    number: a.number,
                    description: a.description,
                    owner: self.names.actor(a.owner),
                    due: a.due,
                    days_overdue: a.days_overdue,
                })
                .collect(),
            reviews_due,
            treated,
            lowered,
            unchanged,
            raised,
            opportunities,
            escalations,
        }
    }

    /// An update as `update_ci` takes it.
    fn update_view(&self, patch: &CiPatch) -> CiUpdateDef {
        CiUpdateDef {
            name: patch.name.clone(),
            status: patch.status,
            criticality: patch.criticality,
            provision: patch.provision.map(|p| self.provision_view(p)),
            owner: patch.owner.flatten().map(|a| self.names.actor(a)),
            set_attributes: patch.set_attributes.clone(),
            remove_attributes: patch.remove_attributes.clone(),
        }
    }

    /// A delta edit as `raise_change` takes it. The engine builds deltas from these edits
    /// only, so removals and redundancy-group edits (which a delta cannot hold) do not occur.
    fn delta_view(&self, op: &CmdbOp) -> Option<DeltaDef> {
        let relation = |r: &itsm_cmdb::Relation| (self.key(r.from), r.kind, self.key(r.to));
        Some(match op {
            CmdbOp::AddCi(ci) => DeltaDef::AddCi(CiDef {
                key: ci.key.clone(),
                name: ci.name.clone(),
                kind: ci.kind.clone(),
                criticality: Some(ci.criticality),
                status: Some(ci.status),
                provision: Some(self.provision_view(ci.provision)),
                owner: ci.owner.map(|a| self.names.actor(a)),
                attributes: ci.attributes.clone(),
            }),
            CmdbOp::UpdateCi { id, patch } => DeltaDef::UpdateCi {
                ci: self.key(*id),
                update: self.update_view(patch),
            },
            CmdbOp::RetireCi(id) => DeltaDef::RetireCi { ci: self.key(*id) },
            CmdbOp::Relate(r) => {
                let (from, kind, to) = relation(r);
                DeltaDef::Relate { from, kind, to }
            }
            CmdbOp::Unrelate(r) => {
                let (from, kind, to) = relation(r);
                DeltaDef::Unrelate { from, kind, to }
            }
            CmdbOp::RemoveCi { .. } | CmdbOp::AddGroup(_) | CmdbOp::RemoveGroup(_) => return None,
        })
    }

    fn assessment_view(&self, a: ChangeAssessment) -> AssessmentView {
        let ChangeAssessment {
            targets,
            out_of_scope,
            impacted_services,
            impacted_cis,
            factors,
            rating,
            rating_reasons,
            estimated_cost,
            objectives,
            major_impact,
            standard_model,
            approvals,
            not_doing,
        } = a;
        AssessmentView {
            targets: self.keys(targets),
            out_of_scope: self.keys(out_of_scope),
            impacted_services: impacted_services
                .into_iter()
                .map(|s| ImpactedServiceView {
                    service: self.key(s.service),
                    criticality: s.criticality,
                    state: s.state,
                })
                .collect(),
            impacted_cis,
            factors,
            rating,
            rating_reasons,
            estimated_cost,
            objectives,
            major_impact,
            standard_model,
            approvals,
            not_doing,
        }
    }

    /// A change by key.
    pub(crate) fn change_view(&self, change: &itsm_change::Change) -> ChangeView {
        let c = change.clone();
        let r = c.request;
        ChangeView {
            key: self.change_key_of(c.id),
            reference: change.reference(),
            requester: self.names.actor(c.requester),
            raised_at: c.raised_at,
            request: RequestView {
                delta: r
                    .delta
                    .iter()
                    .filter_map(|op| self.delta_view(op))
                    .collect(),
                title: r.title,
                description: r.description,
                category: r.category,
                nature: r.nature,
                new_technology: r.new_technology,
                implementer: r.implementer.map(|a| self.names.actor(a)),
                targets: self.keys(r.targets),
                estimated_cost: r.estimated_cost,
                factors: r.factors,
                objective_effects: r.objective_effects,
                not_doing: r.not_doing,
            },
            status: c.status,
            assessment: c.assessment.map(|a| self.assessment_view(a)),
            approvals: c
                .approvals
                .into_iter()
                .map(|a| ApprovalView {
                    by: a.by.map(|b| self.names.actor(b)),
                    approver: a.approver,
                    at: a.at,
                })
                .collect(),
            transition: c.transition,
            window: c.window,
            submitted_at: c.submitted_at,
            implemented_at: c.implemented_at,
            outcome: c.outcome,
            review: c.review,
            review_required: c.review_required,
            flags: c.flags,
            log: c
                .log
                .into_iter()
                .map(|l| LogView {
                    at: l.at,
                    actor: self.names.actor(l.actor),
                    action: l.action,
                    status: l.status,
                })
                .collect(),
        }
    }

    /// A conflict by key.
    pub(crate) fn conflict_view(&self, c: Conflict) -> ConflictView {
        match c {
            Conflict::Overlap {
                changes,
                shared,
                overlap,
                pairs,
            } => ConflictView::Overlap {
                changes: self.change_number_keys(&changes),
                shared: match shared {
                    Shared::Ci(id) => SharedView::Ci(self.key(id)),
                    Shared::Service(id) => SharedView::Service(self.key(id)),
                    Shared::Implementer(a) => SharedView::Implementer(self.names.actor(a)),
                },
                overlap,
                pairs,
            },
            Conflict::Dependency {
                ci,
                changes,
                dependents,
                overlap,
                pairs,
            } => ConflictView::Dependency {
                ci: self.key(ci),
                changes: self.change_number_keys(&changes),
                dependents: dependents
                    .into_iter()
                    .map(|d| DependentChangeView {
                        change: self.change_number_key(d.change),
                        ci: self.key(d.ci),
                    })
                    .collect(),
                overlap,
                pairs,
            },
            Conflict::Freeze {
                change,
                blackout,
                overlap,
                allowed_as_emergency,
            } => ConflictView::Freeze {
                change: self.change_number_key(change),
                blackout,
                overlap,
                allowed_as_emergency,
            },
            Conflict::OutsideMaintenance { change, service } => ConflictView::OutsideMaintenance {
                change: self.change_number_key(change),
                service: self.key(service),
            },
        }
    }

    /// Change metrics, services by key.
    pub(crate) fn metrics_view(&self, m: ChangeMetrics) -> ChangeMetricsView {
        let ChangeMetrics {
            period,
            raised_by_category,
            implemented,
            successful,
            failed,
            backed_out,
            success_rate,
            emergency_share,
            mean_lead_time_hours,
            max_lead_time_hours,
            per_service,
            unauthorized,
        } = m;
        ChangeMetricsView {
            period,
            raised_by_category,
            implemented,
            successful,
            failed,
            backed_out,
            success_rate,
            emergency_share,
            mean_lead_time_hours,
            max_lead_time_hours,
            per_service: per_service
                .into_iter()
                .map(|(s, n)| (self.key(s), n))
                .collect(),
            unauthorized,
        }
    }

    /// An unauthorized difference by key.
    pub(crate) fn unauthorized_view(&self, u: Unauthorized) -> UnauthorizedView {
        match u {
            Unauthorized::Ci { key, what, .. } => {
                UnauthorizedView::Ci(UnauthorizedCiView { key, what })
            }
            Unauthorized::Relation { relation, what } => {
                UnauthorizedView::Relation(UnauthorizedRelationView {
                    relation: RelationView {
                        from: self.key(relation.from),
                        kind: relation.kind,
                        to: self.key(relation.to),
                    },
                    what,
                })
            }
        }
    }

    /// The management review by key.
    pub(crate) fn review_view(&self, r: ManagementReview) -> ManagementReviewView {
        ManagementReviewView {
            period: r.period,
            risks: self.risk_report_view(r.risks),
            escalations: r.escalations,
            changes: self.metrics_view(r.changes),
            unauthorized: r
                .unauthorized
                .into_iter()
                .map(|u| self.unauthorized_view(u))
                .collect(),
            availability: r.availability,
            continuity: r.continuity,
            evidence: r.evidence,
        }
    }
}
