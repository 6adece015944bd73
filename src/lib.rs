#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use itsm_availability as availability;
pub use itsm_change as change;
pub use itsm_cmdb as cmdb;
pub use itsm_core as core;
pub use itsm_engine as engine;
pub use itsm_risk as risk;

/// The types most programs need, in one import: `use itsm::prelude::*;`.
pub mod prelude {
    pub use itsm_cmdb::{
        Baseline, BaselineDiff, Ci, CiKind, CiPatch, CiStatus, Cmdb, CmdbConfig, CmdbError,
        CmdbParts, Criticality, CyclePolicy, Impact, ImpactState, MapOptions, Provision,
        RedundancyGroup, Relation, RelationKind, Removal, ServiceProfile,
    };
    pub use itsm_core::{Actor, Calendar, Currency, Division, Id, Money, Period, Role, Scale};
    pub use itsm_risk::{
        Assessment, NewAction, NewRisk, RegisterKind, RiskAppetite, RiskError, RiskKind,
        RiskMatrix, RiskRegister, RiskReport, RiskStatus, Score, Treatment,
    };
}
