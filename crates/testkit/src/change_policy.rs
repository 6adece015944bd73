//! The change policies tests share, so that each test file does not carry its own copy.
//!
//! - [`register_policy`]: the change register's fixture (CIs named by the ids their keys
//!   derive): hardware and production software under change control, a standard model, an
//!   approval matrix up to top management, a year-end freeze, maintenance hours and an
//!   objective. It fits the CMDB of `crates/change/tests/common`.
//! - [`engine_policy`]: the engine's fixture, named by key as `define_organisation` takes it:
//!   hardware under change control, normal changes approved by the change manager from `Low`
//!   and by a CAB of one from `High`. Tests that need another rule change a field of it
//!   (`PolicyDef { allow_self_approval: true, ..engine_policy() }`).

use chrono::{DateTime, TimeZone, Utc};
use itsm_change::{
    ApprovalRule, Approver, Blackout, CategoryKind, ChangePolicy, ChangeScope, MajorCriteria,
    Objective, ScopeRule, StandardModel,
};
use itsm_cmdb::{AttrValue, CiKindName};
use itsm_core::{Calendar, Currency, Id, Money, Period};
use itsm_engine::{PolicyDef, ScopeRuleDef};
use rust_decimal::Decimal;

/// December 2026, `day` at `hour`:00 UTC.
fn december(day: u32, hour: u32) -> Option<DateTime<Utc>> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).single()
}

fn eur(amount: i64) -> Option<Money> {
    Money::new(Decimal::from(amount), Currency::EUR).ok()
}

fn rule(category: CategoryKind, from_level: &str, approver: Approver) -> ApprovalRule {
    ApprovalRule {
        category,
        from_level: from_level.into(),
        approver,
    }
}

/// The change register's fixture (see the module docs). Scope, first match wins: hardware
/// controlled; software with `environment: production` controlled; other software not;
/// `peripheral` CIs not; everything else controlled. A standard model `patch a host`
/// (hardware, up to `Medium`, at most 500 EUR); major impact from `Critical`, above
/// 50 000 EUR or with new technology; normal changes approved by the change manager from
/// `Low`, a CAB of two from `High` and top management from `Critical`, emergency changes by an
/// ECAB of one; segregation of duties; a year-end freeze from 20 to 31 December 2026 on every
/// service; `svc-reporting` maintained 18:00-22:00 on weekdays; no more energy.
#[must_use]
#[expect(
    clippy::expect_used,
    reason = "fixed dates, amounts and hours that are valid (the tests that use them check it)"
)]
pub fn register_policy() -> ChangePolicy {
    let production = Some((
        "environment".to_owned(),
        AttrValue::Text("production".into()),
    ));
    let controlled = |kind: Option<CiKindName>, attribute, controlled| ScopeRule {
        kind,
        attribute,
        controlled,
    };
    ChangePolicy {
        scope: ChangeScope {
            rules: vec![
                controlled(Some(CiKindName::Hardware), None, true),
                controlled(Some(CiKindName::Software), production, true),
                controlled(Some(CiKindName::Software), None, false),
                controlled(Some(CiKindName::Other("peripheral".into())), None, false),
                controlled(None, None, true),
            ],
            ..ChangeScope::default()
        },
        models: vec![StandardModel {
            name: "patch a host".into(),
            description: "monthly OS patch on one host".into(),
            kinds: [CiKindName::Hardware].into_iter().collect(),
            max_level: "Medium".into(),
            max_cost: Some(eur(500).expect("an amount")),
        }],
        major: MajorCriteria {
            risk_level_at_or_above: Some("Critical".into()),
            cost_above: Some(eur(50_000).expect("an amount")),
            new_technology: true,
        },
        approvals: vec![
            rule(CategoryKind::Normal, "Low", Approver::ChangeManager),
            rule(CategoryKind::Normal, "High", Approver::Cab { quorum: 2 }),
            rule(CategoryKind::Normal, "Critical", Approver::TopManagement),
            rule(
                CategoryKind::Emergency,
                "Low",
                Approver::EmergencyCab { quorum: 1 },
            ),
        ],
        segregation_of_duties: true,
        blackouts: vec![Blackout {
            name: "year-end freeze".into(),
            period: december(20, 0)
                .zip(december(31, 0))
                .and_then(|(a, b)| Period::new(a, b).ok())
                .expect("a period"),
            services: Default::default(),
        }],
        maintenance: [(
            Id::from_key("svc-reporting"),
            Calendar::business_hours(0, 18 * 60, 22 * 60).expect("business hours"),
        )]
        .into_iter()
        .collect(),
        objectives: vec![Objective {
            name: "no more energy".into(),
            measure: "energy_kwh_per_month".into(),
            max_increase: Decimal::ZERO,
        }],
    }
}

/// The engine's fixture (see the module docs): hardware under change control; normal changes
/// approved by the change manager from `Low` and by a CAB of one from `High`.
#[must_use]
pub fn engine_policy() -> PolicyDef {
    PolicyDef {
        scope: vec![ScopeRuleDef {
            kind: Some(CiKindName::Hardware),
            attribute: None,
            controlled: true,
        }],
        approvals: vec![
            rule(CategoryKind::Normal, "Low", Approver::ChangeManager),
            rule(CategoryKind::Normal, "High", Approver::Cab { quorum: 1 }),
        ],
        ..PolicyDef::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_policies_are_ones_the_registers_accept() {
        assert!(
            itsm_change::ChangeRegister::new(
                register_policy(),
                itsm_risk::RiskMatrix::standard_5x5()
            )
            .is_ok()
        );
        let mut sms = itsm_engine::Sms::new();
        let at = december(1, 9).unwrap_or_default();
        let ceo = itsm_engine::ActorDef {
            key: "ceo".into(),
            name: "CEO".into(),
            roles: [itsm_core::Role::TopManagement].into(),
            division: None,
        };
        let define = itsm_engine::Command::DefineOrganisation {
            actors: vec![ceo],
            divisions: vec![],
            matrix: None,
            appetite: None,
            change_policy: Some(Box::new(engine_policy())),
        };
        assert!(sms.apply("ceo", at, define).is_ok());
    }
}
