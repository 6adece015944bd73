//! Change assessment (ISO/IEC 20000-1 8.5.1.2; TR 20000-17 5.12).
//!
//! [`assess`] reads the configuration graph, the risk matrix, the policy and the record of past
//! changes, and returns a [`ChangeAssessment`] whose every part carries its reasons:
//! - **impact**: the targets fail during the change, so [`itsm_cmdb::Cmdb::impact_of`] of the
//!   targets gives every CI and service affected (a CI shared by two services impacts both);
//! - **risk factors**: human resources, skills, test environment and time as the requester
//!   rates them (unrated counts as medium), other services and past failures computed;
//! - **risk level**: impact rank from the most critical service affected, likelihood rank from
//!   the factor points (`low` 0, `medium` 1, `high` 2; six factors, 12 points at most, spread
//!   over the likelihood scale), rated on the matrix;
//! - cost, fit with objectives, major impact, the standard model check, the approvals needed,
//!   and the risk of not making the change.

use std::collections::BTreeSet;

use itsm_cmdb::{Ci, CiKind, CiStatus, Cmdb, CmdbOp, Criticality, ImpactState};
use itsm_core::{Id, Money};
use itsm_risk::{Rating, RiskMatrix};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    Approver, Category, CategoryKind, Change, ChangeError, ChangePolicy, Factor, FactorLevel,
    Nature, NewChange, Outcome,
};

/// A service affected by the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactedService {
    /// The service.
    pub service: Id<Ci>,
    /// Its criticality.
    pub criticality: Criticality,
    /// Down or degraded while the targets are changed.
    pub state: ImpactState,
}

/// A risk factor as assessed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorFinding {
    /// The factor.
    pub factor: Factor,
    /// Its level.
    pub level: FactorLevel,
    /// Why.
    pub reason: String,
}

/// How the change fits one objective.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveFinding {
    /// The objective.
    pub objective: String,
    /// The change's effect on its measure.
    pub effect: Decimal,
    /// The largest increase allowed.
    pub limit: Decimal,
    /// Whether it fits.
    pub fits: bool,
}

/// Whether a standard change's model applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelCheck {
    /// The model.
    pub model: String,
    /// True when every condition holds: the change is pre-approved.
    pub applies: bool,
    /// The conditions that failed (empty when it applies).
    pub reasons: Vec<String>,
}

/// The outcome of [`assess`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeAssessment {
    /// The direct targets.
    pub targets: Vec<Id<Ci>>,
    /// Targets the policy does not put under change control.
    pub out_of_scope: Vec<Id<Ci>>,
    /// Services affected, most critical first.
    pub impacted_services: Vec<ImpactedService>,
    /// How many CIs are affected in all, targets included.
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
    /// Why it is major-impact (empty: it is not).
    pub major_impact: Vec<String>,
    /// The standard model check, for standard changes.
    pub standard_model: Option<ModelCheck>,
    /// Approvals needed (empty: pre-approved). When no rule of the approval matrix applies,
    /// the change manager approves.
    pub approvals: Vec<Approver>,
    /// The risk of not making the change.
    pub not_doing: Option<Rating>,
}

fn spread(points: usize, max_points: usize, levels: usize) -> usize {
    if levels <= 1 || max_points == 0 {
        return 0;
    }
    (points * (levels - 1)).div_ceil(max_points).min(levels - 1)
}

const fn criticality_rank(c: Criticality) -> usize {
    match c {
        Criticality::Low => 0,
        Criticality::Medium => 1,
        Criticality::High => 2,
        Criticality::Critical => 3,
    }
}

/// Assesses `change` against the graph, the matrix and the policy; `past` is the record of
/// earlier changes (for past failures on the same CIs).
///
/// # Errors
/// [`ChangeError::Cmdb`] for a target not in the CMDB; [`ChangeError::UnknownModel`];
/// [`ChangeError::Risk`] when the risk of not changing names levels not on the matrix.
pub fn assess(
    change: &NewChange,
    cmdb: &Cmdb,
    matrix: &RiskMatrix,
    policy: &ChangePolicy,
    past: &[Change],
) -> Result<ChangeAssessment, ChangeError> {
    let name = "new change".to_owned();
    let mut out_of_scope = Vec::new();
    let mut worst = Criticality::Low;
    let mut worst_reason = "no service is affected".to_owned();
    for t in &change.targets {
        let ci = cmdb
            .ci(*t)
            .ok_or(itsm_cmdb::CmdbError::UnknownCi { id: *t })?;
        if !policy.scope.controls(ci) {
            out_of_scope.push(*t);
        }
        if ci.criticality > worst {
            worst = ci.criticality;
            worst_reason = format!("target `{}` is {}", ci.key, ci.criticality);
        }
    }
    let impact = cmdb.impact_of(&change.targets)?;
    let mut impacted_services: Vec<ImpactedService> = impact
        .services()
        .filter_map(|s| {
            Some(ImpactedService {
                service: s.ci,
                criticality: cmdb.ci(s.ci)?.criticality,
                state: s.state,
            })
        })
        .collect();
    impacted_services.sort_by(|a, b| {
        b.criticality
            .cmp(&a.criticality)
            .then(b.state.cmp(&a.state))
    });
    if let Some(top) = impacted_services.first() {
        if top.criticality >= worst {
            worst = top.criticality;
            let key = cmdb
                .ci(top.service)
                .map_or_else(|| top.service.to_string(), |c| c.key.clone());
            worst_reason = format!("service `{key}` ({}) is affected", top.criticality);
        }
    }

    // Risk factors.
    let mut factors: Vec<FactorFinding> = [
        Factor::HumanResources,
        Factor::Skills,
        Factor::TestEnvironment,
        Factor::Time,
    ]
    .into_iter()
    .map(|f| match change.factors.get(&f) {
        Some(level) => FactorFinding {
            factor: f,
            level: *level,
            reason: format!("{f} rated {level} by the requester"),
        },
        None => FactorFinding {
            factor: f,
            level: FactorLevel::Medium,
            reason: format!("{f} not rated by the requester: counted as medium"),
        },
    })
    .collect();
    let n_services = impacted_services.len();
    factors.push(FactorFinding {
        factor: Factor::OtherServices,
        level: match n_services {
            0 | 1 => FactorLevel::Low,
            2 | 3 => FactorLevel::Medium,
            _ => FactorLevel::High,
        },
        reason: format!("{n_services} service(s) affected"),
    });
    let targets: BTreeSet<Id<Ci>> = change.targets.iter().copied().collect();
    let failures = past
        .iter()
        .filter(|c| matches!(c.outcome, Some(Outcome::Failed | Outcome::BackedOut)))
        .filter(|c| c.request.targets.iter().any(|t| targets.contains(t)))
        .count();
    factors.push(FactorFinding {
        factor: Factor::PastFailures,
        level: match failures {
            0 => FactorLevel::Low,
            1 => FactorLevel::Medium,
            _ => FactorLevel::High,
        },
        reason: format!("{failures} earlier change(s) on the same CIs failed or were backed out"),
    });

    // Rating.
    let points: u32 = factors.iter().map(|f| f.level.points()).sum();
    let impact_rank = spread(criticality_rank(worst), 3, matrix.impact().len());
    let likelihood_rank = spread(
        points as usize,
        2 * factors.len(),
        matrix.likelihood().len(),
    );
    let level_name = |scale: &itsm_core::Scale, rank: usize| {
        scale
            .levels()
            .get(rank)
            .map(|l| l.name.clone())
            .unwrap_or_default()
    };
    let rating = matrix.rate(
        &level_name(matrix.impact(), impact_rank),
        &level_name(matrix.likelihood(), likelihood_rank),
    )?;
    let rating_reasons = vec![
        format!("impact `{}`: {worst_reason}", rating.impact),
        format!(
            "likelihood `{}`: {points} factor point(s) of {}",
            rating.likelihood,
            2 * factors.len()
        ),
    ];

    // Objectives.
    let objectives = policy
        .objectives
        .iter()
        .map(|o| {
            let effect = change
                .objective_effects
                .get(&o.measure)
                .copied()
                .unwrap_or_default();
            ObjectiveFinding {
                objective: o.name.clone(),
                effect,
                limit: o.max_increase,
                fits: effect <= o.max_increase,
            }
        })
        .collect::<Vec<_>>();

    // Major impact.
    let mut major = Vec::new();
    let service_key = |id: &Id<Ci>| {
        cmdb.ci(*id)
            .filter(|c| matches!(c.kind, CiKind::Service(_)))
            .map(|c| c.key.clone())
    };
    let services_targeted: Vec<String> = change.targets.iter().filter_map(service_key).collect();
    match change.nature {
        Nature::DecommissionService => {
            major.push(format!(
                "decommissions service(s): {}",
                if services_targeted.is_empty() {
                    "(none named)".to_owned()
                } else {
                    services_targeted.join(", ")
                }
            ));
        }
        Nature::TransferIn => major.push(format!(
            "transfers service(s) into the organisation: {}",
            services_targeted.join(", ")
        )),
        Nature::TransferOut => major.push(format!(
            "transfers service(s) out of the organisation: {}",
            services_targeted.join(", ")
        )),
        Nature::Modify | Nature::NewService => {}
    }
    for op in &change.delta {
        let removed = match op {
            CmdbOp::RetireCi(id) | CmdbOp::RemoveCi { id, .. } => service_key(id),
            CmdbOp::UpdateCi { id, patch } if patch.status == Some(CiStatus::Retired) => {
                service_key(id)
            }
            _ => None,
        };
        if let Some(k) = removed {
            if change.nature != Nature::DecommissionService {
                major.push(format!("its delta retires or removes service `{k}`"));
            }
        }
    }
    // Policy levels were checked against the matrix when the policy was set; resolving them
    // again cannot fail, and if it did the assessment is refused rather than a rule skipped.
    let level = |name: &str| {
        matrix.level(name).map_err(|e| ChangeError::InvalidPolicy {
            reason: e.to_string(),
        })
    };
    let rated = rating.risk_level();
    if let Some(l) = &policy.major.risk_level_at_or_above {
        if rated >= level(l)? {
            major.push(format!(
                "risk level `{}` is at or above `{l}`",
                rating.level
            ));
        }
    }
    if let (Some(limit), Some(cost)) = (&policy.major.cost_above, &change.estimated_cost) {
        let over = cost.checked_sub(limit)?;
        if over.amount() > Decimal::ZERO {
            major.push(format!("estimated cost {cost} is above {limit}"));
        }
    }
    if policy.major.new_technology && change.new_technology {
        major.push("introduces new technology".into());
    }

    // Standard model.
    let standard_model = match &change.category {
        Category::Standard(model) => {
            let m = policy
                .model(model)
                .ok_or_else(|| ChangeError::UnknownModel {
                    change: name.clone(),
                    model: model.clone(),
                })?;
            let mut reasons = Vec::new();
            for t in &change.targets {
                if let Some(ci) = cmdb.ci(*t) {
                    if !m.kinds.contains(&ci.kind.kind_name()) {
                        reasons.push(format!(
                            "target `{}` is a {}, not covered by the model",
                            ci.key,
                            ci.kind.name()
                        ));
                    }
                }
            }
            // The model covers what the delta adds too, not only the targets.
            for op in &change.delta {
                if let CmdbOp::AddCi(ci) = op {
                    if !m.kinds.contains(&ci.kind.kind_name()) {
                        reasons.push(format!(
                            "the delta adds `{}`, a {}, not covered by the model",
                            ci.key,
                            ci.kind.name()
                        ));
                    }
                }
            }
            if rated > level(&m.max_level)? {
                reasons.push(format!(
                    "risk level `{}` is above the model's `{}`",
                    rating.level, m.max_level
                ));
            }
            match (&m.max_cost, &change.estimated_cost) {
                (Some(max), Some(cost)) if cost.checked_sub(max)?.amount() > Decimal::ZERO => {
                    reasons.push(format!("estimated cost {cost} is above the model's {max}"));
                }
                (Some(max), None) => reasons.push(format!(
                    "no estimated cost given; the model covers up to {max}"
                )),
                _ => {}
            }
            if !major.is_empty() {
                reasons.push("a major-impact change cannot be a standard change".into());
            }
            Some(ModelCheck {
                model: m.name.clone(),
                applies: reasons.is_empty(),
                reasons,
            })
        }
        _ => None,
    };

    // Approvals.
    let approvals = if standard_model.as_ref().is_some_and(|m| m.applies) {
        Vec::new()
    } else {
        let kind = match change.category {
            Category::Emergency => CategoryKind::Emergency,
            Category::Normal | Category::Standard(_) => CategoryKind::Normal,
        };
        let mut needed: Vec<Approver> = Vec::new();
        for r in policy.approvals.iter().filter(|r| r.category == kind) {
            if rated >= level(&r.from_level)? {
                match (
                    r.approver,
                    needed.iter_mut().find(|a| {
                        std::mem::discriminant(*a) == std::mem::discriminant(&r.approver)
                    }),
                ) {
                    (Approver::Cab { quorum: q }, Some(Approver::Cab { quorum }))
                    | (
                        Approver::EmergencyCab { quorum: q },
                        Some(Approver::EmergencyCab { quorum }),
                    ) => {
                        *quorum = (*quorum).max(q);
                    }
                    (_, Some(_)) => {}
                    (a, None) => needed.push(a),
                }
            }
        }
        // No rule of the matrix applies (no policy given, or a gap in it): the change manager
        // approves, so no assessed change is left with nobody who may approve it.
        if needed.is_empty() {
            needed.push(Approver::ChangeManager);
        }
        needed.sort();
        needed
    };

    let not_doing = change
        .not_doing
        .as_ref()
        .map(|n| matrix.rate(&n.impact, &n.likelihood))
        .transpose()?;

    Ok(ChangeAssessment {
        targets: change.targets.clone(),
        out_of_scope,
        impacted_services,
        impacted_cis: impact.len(),
        factors,
        rating,
        rating_reasons,
        estimated_cost: change.estimated_cost,
        objectives,
        major_impact: major,
        standard_model,
        approvals,
        not_doing,
    })
}
