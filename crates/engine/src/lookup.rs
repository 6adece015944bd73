//! Finding records by key and deciding who may act on them: the lookups and authority checks
//! `apply.rs` uses (ISO/IEC 20000-1 5.3: roles, responsibilities and authorities).

use itsm_cmdb::Ci;
use itsm_core::{Actor, Id, Process, Role};
use itsm_risk::may_own_risks;

use crate::EngineError;
use crate::keys::existing_ci;
use crate::sms::Sms;

/// Who may edit the configuration directly.
pub(crate) const CONFIGURATION: &[Role] = &[
    Role::ProcessOwner(Process::ConfigurationManagement),
    Role::ServiceOwner,
    Role::Implementer,
];
/// Who runs change management.
pub(crate) const CHANGE_MANAGEMENT: &[Role] = &[
    Role::ChangeManager,
    Role::ProcessOwner(Process::ChangeManagement),
];

impl Sms {
    /// The id of the existing CI with this key (see `keys.rs`).
    pub(crate) fn ci_of(&self, key: &str) -> Result<Id<Ci>, EngineError> {
        existing_ci(&self.cmdb, key).map(|c| c.id)
    }

    /// The risk a key names: a key given at identification, or a register reference (`R-12`),
    /// which names every risk, those the engine filed itself included.
    pub(crate) fn risk_id(&self, key: &str) -> Result<Id<itsm_risk::RiskId>, EngineError> {
        self.risk_keys
            .get(key)
            .copied()
            .or_else(|| key.parse::<itsm_risk::Reference>().ok())
            .and_then(|r| self.risks.risk_by_reference(r))
            .map(|r| r.id)
            .ok_or_else(|| EngineError::UnknownRisk {
                key: crate::excerpt(key),
            })
    }

    /// Who owns a risk the engine raises from a change assessment: the assessor if they may own
    /// risks, else the requester if they may, else the first risk manager, else the first top
    /// manager (by key); ownership never goes to an actor without a role that may own risks.
    pub(crate) fn change_risk_owner(&self, assessor: &Actor, requester: Id<Actor>) -> Id<Actor> {
        if may_own_risks(assessor) {
            return assessor.id;
        }
        if let Some(r) = self
            .actors
            .values()
            .find(|a| a.id == requester && may_own_risks(a))
        {
            return r.id;
        }
        self.actors
            .values()
            .find(|a| a.has_role(Role::RiskManager))
            .or_else(|| {
                self.actors
                    .values()
                    .find(|a| a.has_role(Role::TopManagement))
            })
            .map_or(assessor.id, |a| a.id)
    }

    /// The actor with this key, who must be able to own risks.
    pub(crate) fn owner_or_err(&self, key: &str) -> Result<&Actor, EngineError> {
        let a = self.actor_or_err(key)?;
        if may_own_risks(a) {
            Ok(a)
        } else {
            Err(EngineError::MayNotOwnRisks {
                actor: crate::excerpt(key),
            })
        }
    }

    /// Whether a party is known as a supplier: some CI names it as its provider. (Parties get
    /// their own register with the agreements; until then, a CI's provision is the record.)
    pub(crate) fn supplier_known(&self, party: Id<itsm_core::entity::Party>) -> bool {
        self.cmdb.cis().any(|c| {
            matches!(
                c.provision,
                itsm_cmdb::Provision::ExternalSupplier(p)
                    | itsm_cmdb::Provision::InternalSupplier(p)
                    | itsm_cmdb::Provision::CustomerAsSupplier(p) if p == party
            )
        })
    }

    pub(crate) fn change_key_id(
        &self,
        key: &str,
    ) -> Result<Id<itsm_change::ChangeId>, EngineError> {
        self.change_keys
            .get(key)
            .copied()
            .ok_or_else(|| EngineError::UnknownChange {
                key: crate::excerpt(key),
            })
    }

    /// The risk's owner (holding a role that may own risks) or a risk manager (or top
    /// management).
    pub(crate) fn require_risk_steward(
        &self,
        actor: &Actor,
        key: &str,
        risk: &str,
        action: &str,
    ) -> Result<(), EngineError> {
        let id = self.risk_id(risk)?;
        if self.risks.risk(id).is_some_and(|r| r.owner == actor.id) && may_own_risks(actor) {
            return Ok(());
        }
        Self::require(
            actor,
            key,
            &[Role::RiskManager],
            &format!("{action} risk `{risk}` (it is not the owner)"),
        )
    }

    pub(crate) fn require_change_party(
        &self,
        actor: &Actor,
        key: &str,
        change: &str,
        action: &str,
        implementer: bool,
    ) -> Result<(), EngineError> {
        let id = self.change_key_id(change)?;
        let c = self
            .changes
            .change(id)
            .ok_or_else(|| EngineError::UnknownChange {
                key: crate::excerpt(change),
            })?;
        let party = if implementer {
            c.request.implementer.unwrap_or(c.requester)
        } else {
            c.requester
        };
        if party == actor.id {
            return Ok(());
        }
        Self::require(
            actor,
            key,
            CHANGE_MANAGEMENT,
            &format!("{action} change `{change}`"),
        )
    }
}
