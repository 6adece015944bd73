//! The one place an id becomes the key the user knows it by, for answers.
//!
//! Commands name records by key and the registers hold ids; an answer turns them back. CIs are
//! looked up in the CMDB (and, once removed, in the keys they had); risks answer to their
//! `R-n` reference. The other keys are kept here as commands name them: actors and divisions
//! from the organisation, changes when raised, parties when a provision or a transfer names
//! them. The index is derived from the log (a replay rebuilds it), so it is not serialized.
//! Each lookup is one hash probe: an answer costs what it says, not the size of the estate.

use std::collections::HashMap;

use itsm_change::ChangeId;
use itsm_cmdb::Ci;
use itsm_core::entity::Party;
use itsm_core::{Actor, Division, Id};
use itsm_risk::Reference;

use crate::{CiUpdateDef, Command, DeltaDef, ProvisionDef, TreatmentDef};

/// Keys by id, for what neither the CMDB nor the registers can name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Names {
    actors: HashMap<Id<Actor>, String>,
    divisions: HashMap<Id<Division>, String>,
    changes: HashMap<Id<ChangeId>, String>,
    parties: HashMap<Id<Party>, String>,
    /// The keys risks were identified with, by reference.
    risks: HashMap<Reference, String>,
    /// Keys of CIs no longer in the CMDB.
    former_cis: HashMap<Id<Ci>, String>,
}

/// The party key an update's provision names, if any.
fn updated_party(u: &CiUpdateDef) -> Option<&str> {
    u.provision.as_ref().and_then(party)
}

/// The party key a provision names, if any.
fn party(p: &ProvisionDef) -> Option<&str> {
    match p {
        ProvisionDef::Internal => None,
        ProvisionDef::ExternalSupplier(k)
        | ProvisionDef::InternalSupplier(k)
        | ProvisionDef::CustomerAsSupplier(k) => Some(k),
    }
}

impl Names {
    /// Learns the organisation's keys (it may be redefined before use: an actor or division
    /// defined earlier keeps its key for the records that name it).
    pub(crate) fn organisation<'a>(
        &mut self,
        actors: impl Iterator<Item = (&'a String, Id<Actor>)>,
        divisions: impl Iterator<Item = (&'a String, Id<Division>)>,
    ) {
        self.actors.extend(actors.map(|(k, id)| (id, k.clone())));
        self.divisions
            .extend(divisions.map(|(k, id)| (id, k.clone())));
    }

    pub(crate) fn change(&mut self, id: Id<ChangeId>, key: &str) {
        self.changes.insert(id, key.to_owned());
    }

    pub(crate) fn risk(&mut self, reference: Reference, key: &str) {
        self.risks.insert(reference, key.to_owned());
    }

    pub(crate) fn risk_key(&self, reference: Reference) -> Option<&String> {
        self.risks.get(&reference)
    }

    pub(crate) fn removed_ci(&mut self, id: Id<Ci>, key: &str) {
        self.former_cis.insert(id, key.to_owned());
    }

    /// Learns the party keys an accepted command names (provisions, transfers).
    pub(crate) fn parties_of(&mut self, command: &Command) {
        let mut named: Vec<&str> = Vec::new();
        match command {
            Command::AddCi(def) => named.extend(def.provision.as_ref().and_then(party)),
            Command::UpdateCi { update: u, .. } => named.extend(updated_party(u)),
            Command::TreatRisk {
                treatment: TreatmentDef::Transfer { to, .. },
                ..
            } => named.push(to),
            Command::IdentifyRisk { links, .. } => {
                named.extend(links.suppliers.iter().map(String::as_str));
            }
            Command::RaiseChange { delta, .. } => {
                for d in delta {
                    match d {
                        DeltaDef::AddCi(def) => {
                            named.extend(def.provision.as_ref().and_then(party));
                        }
                        DeltaDef::UpdateCi { update: u, .. } => named.extend(updated_party(u)),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        for k in named {
            self.parties.insert(Id::from_key(k), k.to_owned());
        }
    }

    pub(crate) fn actor(&self, id: Id<Actor>) -> String {
        self.actors
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    pub(crate) fn division(&self, id: Id<Division>) -> String {
        self.divisions
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    pub(crate) fn change_key(&self, id: Id<ChangeId>) -> Option<&String> {
        self.changes.get(&id)
    }

    pub(crate) fn party(&self, id: Id<Party>) -> String {
        self.parties
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    pub(crate) fn former_ci(&self, id: Id<Ci>) -> Option<&String> {
        self.former_cis.get(&id)
    }
}
