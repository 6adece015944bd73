//! Who acts: actors, their roles, and the divisions of the organisation.
//!
//! ISO/IEC 20000-1 5.3 asks that roles, responsibilities and authorities be assigned; the engine
//! checks each command against the roles of the [`Actor`] who issues it. A [`Division`] is a
//! part of the organisation that may, for example, have its own risk appetite.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Entity, Error, Id};

/// The service management processes of ISO/IEC 20000-1 clause 8, for process-owner roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Process {
    /// 8.2.4 Service catalogue management.
    ServiceCatalogueManagement,
    /// 8.2.5 Asset management.
    AssetManagement,
    /// 8.2.6 Configuration management.
    ConfigurationManagement,
    /// 8.3.2 Business relationship management.
    BusinessRelationshipManagement,
    /// 8.3.3 Service level management.
    ServiceLevelManagement,
    /// 8.3.4 Supplier management.
    SupplierManagement,
    /// 8.4.1 Budgeting and accounting for services.
    BudgetingAndAccounting,
    /// 8.4.2 Demand management.
    DemandManagement,
    /// 8.4.3 Capacity management.
    CapacityManagement,
    /// 8.5.1 Change management.
    ChangeManagement,
    /// 8.5.2 Service design and transition.
    ServiceDesignAndTransition,
    /// 8.5.3 Release and deployment management.
    ReleaseAndDeploymentManagement,
    /// 8.6.1 Incident management.
    IncidentManagement,
    /// 8.6.2 Service request management.
    ServiceRequestManagement,
    /// 8.6.3 Problem management.
    ProblemManagement,
    /// 8.7.1 Service availability management.
    ServiceAvailabilityManagement,
    /// 8.7.2 Service continuity management.
    ServiceContinuityManagement,
    /// 8.7.3 Information security management.
    InformationSecurityManagement,
    /// 6.1 Actions to address risks and opportunities.
    RiskManagement,
}

/// A role an actor holds; roles carry authority (who may accept a risk, approve a change ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Role {
    /// Top management: the highest authority of the SMS (clause 5).
    TopManagement,
    /// Accountable for one or more services.
    ServiceOwner,
    /// Accountable for a process.
    ProcessOwner(Process),
    /// Runs change management day to day.
    ChangeManager,
    /// Approves changes within its delegated authority.
    ChangeAuthority,
    /// Member of the change advisory board.
    CabMember,
    /// Member of the emergency change advisory board.
    EmergencyCabMember,
    /// Owns one or more risks.
    RiskOwner,
    /// Runs risk management day to day.
    RiskManager,
    /// Holds a budget.
    BudgetHolder,
    /// Manages suppliers and their agreements.
    SupplierManager,
    /// Audits the SMS; reads everything, changes nothing.
    Auditor,
    /// Implements changes and maintains configuration items.
    Implementer,
}

/// A person or system account that issues commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// The actor's id.
    pub id: Id<Actor>,
    /// Display name.
    pub name: String,
    /// Roles held.
    #[serde(default)]
    pub roles: BTreeSet<Role>,
    /// The division the actor belongs to, if any.
    #[serde(default)]
    pub division: Option<Id<Division>>,
}

impl Entity for Actor {
    const KIND: &'static str = "actor";
    const NAMESPACE: Uuid = Uuid::from_u128(0x6c1d_43a2_8f0e_5b7a_9c21_d4e8_0f3b_a010);
}

impl Actor {
    /// An actor whose id is derived from `key`, with the given roles.
    ///
    /// # Errors
    /// [`Error::Empty`] when `key` or `name` is blank.
    pub fn new(
        key: &str,
        name: impl Into<String>,
        roles: impl IntoIterator<Item = Role>,
    ) -> Result<Self, Error> {
        let name = name.into();
        if key.trim().is_empty() {
            return Err(Error::Empty { field: "key" });
        }
        if name.trim().is_empty() {
            return Err(Error::Empty { field: "name" });
        }
        crate::text::check_key("actor key", key)?;
        crate::text::check_name("actor name", &name)?;
        Ok(Self {
            id: Id::from_key(key),
            name,
            roles: roles.into_iter().collect(),
            division: None,
        })
    }

    /// True when the actor holds `role`.
    #[must_use]
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A part of the organisation (business unit, department, region).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Division {
    /// The division's id.
    pub id: Id<Division>,
    /// Human key, unique among divisions (`"retail"`).
    pub key: String,
    /// Display name.
    pub name: String,
}

impl Entity for Division {
    const KIND: &'static str = "division";
    const NAMESPACE: Uuid = Uuid::from_u128(0x6c1d_43a2_8f0e_5b7a_9c21_d4e8_0f3b_a011);
}

impl Division {
    /// A division whose id is derived from `key`.
    ///
    /// # Errors
    /// [`Error::Empty`] when `key` or `name` is blank.
    pub fn new(key: &str, name: impl Into<String>) -> Result<Self, Error> {
        let name = name.into();
        if key.trim().is_empty() {
            return Err(Error::Empty { field: "key" });
        }
        if name.trim().is_empty() {
            return Err(Error::Empty { field: "name" });
        }
        crate::text::check_key("division key", key)?;
        crate::text::check_name("division name", &name)?;
        Ok(Self {
            id: Id::from_key(key),
            key: key.to_owned(),
            name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_and_divisions_round_trip() {
        let mut a = Actor::new(
            "alice",
            "Alice",
            [
                Role::ChangeManager,
                Role::ProcessOwner(Process::ChangeManagement),
            ],
        )
        .unwrap();
        let d = Division::new("retail", "Retail banking").unwrap();
        a.division = Some(d.id);
        assert!(a.has_role(Role::ChangeManager));
        assert!(!a.has_role(Role::TopManagement));
        let json = serde_json::to_string(&a).unwrap();
        assert!(
            json.contains(r#"{"process_owner":"change_management"}"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Actor>(&json).unwrap(), a);
        let dj = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<Division>(&dj).unwrap(), d);
        assert_eq!(
            Actor::new(" ", "x", []).unwrap_err(),
            Error::Empty { field: "key" }
        );
    }
}
