//! Risks found by a change assessment, raised into the risk register (6.1, 8.5.1.2).

use chrono::{DateTime, Utc};
use itsm_core::Actor;
use itsm_risk::{NewRisk, Reference, RiskRegister, RiskSource, Score};

use crate::{Change, ChangeError, FactorLevel};

/// Raises one risk per factor of `change`'s assessment at or above `min_factor`, with source
/// "change assessment", linked to the change and its targets, rated with the change's impact
/// and a likelihood from the factor's level. Returns their references.
///
/// # Errors
/// [`ChangeError::Missing`] when the change is not assessed; [`ChangeError::Risk`] when the
/// register refuses a risk (its matrix differs from the change register's).
pub fn raise_risks(
    change: &Change,
    register: &mut RiskRegister,
    actor: &Actor,
    at: DateTime<Utc>,
    min_factor: FactorLevel,
) -> Result<Vec<Reference>, ChangeError> {
    let a = change
        .assessment
        .as_ref()
        .ok_or_else(|| ChangeError::Missing {
            change: change.reference(),
            field: "assessment",
            why: "risks are raised from an assessment",
        })?;
    let likelihood = register.matrix().likelihood().clone();
    let likely = |level: FactorLevel| {
        let n = likelihood.len();
        let rank = match level {
            FactorLevel::Low => 0,
            FactorLevel::Medium => n / 2,
            FactorLevel::High => n.saturating_sub(2).max(n / 2),
        };
        likelihood
            .levels()
            .get(rank)
            .map(|l| l.name.clone())
            .unwrap_or_default()
    };
    // Validate everything before touching the register: a refused risk must not leave half
    // of them raised.
    let found: Vec<_> = a.factors.iter().filter(|f| f.level >= min_factor).collect();
    for f in &found {
        register.matrix().rate(&a.rating.impact, &likely(f.level))?;
    }
    let mut out = Vec::new();
    for f in found {
        let mut new = NewRisk::new(
            format!("{}: {}", change.reference(), f.reason),
            "change",
            change.requester,
        );
        new.sub_category = Some(f.factor.to_string());
        new.source = RiskSource::ChangeAssessment;
        new.description = format!("{} ({})", f.reason, change.request.title);
        new.links.changes.insert(change.id);
        new.links.cis.extend(change.request.targets.iter().copied());
        new.inherent = Some(Score::new(a.rating.impact.clone(), likely(f.level)));
        out.push(register.identify(actor, at, new)?.reference);
    }
    Ok(out)
}
