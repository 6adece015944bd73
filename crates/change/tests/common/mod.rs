//! Shared fixture: two services sharing a database, the shared change policy, and people.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the fixture"
)]

use chrono::{DateTime, TimeZone, Utc};
use itsm_change::*;
use itsm_cmdb::{Ci, CiKind, Cmdb, Criticality, Relation, RelationKind, ServiceProfile};
use itsm_core::{Actor, Currency, Id, Money, Role};
use itsm_risk::RiskMatrix;
use rust_decimal::Decimal;

pub fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
}

pub fn id(key: &str) -> Id<Ci> {
    Id::from_key(key)
}

pub fn eur(amount: i64) -> Money {
    Money::new(Decimal::from(amount), Currency::EUR).unwrap()
}

/// svc-banking (critical) and svc-payments (high) both depend on app-core, which runs on
/// db-main; db-main runs on host-1; svc-reporting (low) stands alone on host-2.
pub fn cmdb() -> Cmdb {
    let mut c = Cmdb::new();
    let svc = |k: &str, crit| {
        Ci::new(k, k, CiKind::Service(ServiceProfile::default())).with_criticality(crit)
    };
    for ci in [
        svc("svc-banking", Criticality::Critical),
        svc("svc-payments", Criticality::High),
        svc("svc-reporting", Criticality::Low),
        Ci::new("app-core", "Core app", CiKind::Application)
            .with_attribute("environment", "production"),
        Ci::new("db-main", "Main database", CiKind::Software)
            .with_attribute("environment", "production"),
        Ci::new("db-test", "Test database", CiKind::Software).with_attribute("environment", "test"),
        Ci::new("host-1", "Host 1", CiKind::Hardware),
        Ci::new("host-2", "Host 2", CiKind::Hardware),
        Ci::new("kbd-1", "Keyboard", CiKind::Other("peripheral".into())),
    ] {
        c.add_ci(ci).unwrap();
    }
    for (a, k, b) in [
        ("svc-banking", RelationKind::DependsOn, "app-core"),
        ("svc-payments", RelationKind::DependsOn, "app-core"),
        ("app-core", RelationKind::RunsOn, "db-main"),
        ("db-main", RelationKind::RunsOn, "host-1"),
        ("db-test", RelationKind::RunsOn, "host-2"),
        ("svc-reporting", RelationKind::RunsOn, "host-2"),
    ] {
        c.relate(Relation::new(id(a), k, id(b))).unwrap();
    }
    c
}

/// The change register's shared fixture (`itsm-testkit`), which fits [`cmdb`].
pub use itsm_testkit::change_policy::register_policy as policy;

pub struct People {
    pub dev: Actor,
    pub cm: Actor,
    pub cab1: Actor,
    pub cab2: Actor,
    pub ecab: Actor,
    pub top: Actor,
}

pub fn people() -> People {
    People {
        dev: Actor::new(
            "dev",
            "Dana (developer)",
            [Role::Implementer, Role::CabMember],
        )
        .unwrap(),
        cm: Actor::new("cm", "Chris (change manager)", [Role::ChangeManager]).unwrap(),
        cab1: Actor::new("cab1", "Cab One", [Role::CabMember]).unwrap(),
        cab2: Actor::new("cab2", "Cab Two", [Role::CabMember]).unwrap(),
        ecab: Actor::new("ecab", "Emergency board", [Role::EmergencyCabMember]).unwrap(),
        top: Actor::new("ceo", "CEO", [Role::TopManagement]).unwrap(),
    }
}

pub fn register() -> ChangeRegister {
    ChangeRegister::new(policy(), RiskMatrix::standard_5x5()).unwrap()
}
