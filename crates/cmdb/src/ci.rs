//! Configuration items: what the configuration graph is made of.
//!
//! A [`Ci`] is anything under configuration management (ISO/IEC 20000-1 8.2.6): a service, an
//! application, a server, a document, a support group, a supplier's service. Its [`CiKind`]
//! decides which relations make sense for it; services carry a [`ServiceProfile`]
//! (ISO/IEC TR 20000-17 5.2: size, composition, provision source, consumers).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use itsm_core::entity::{Change, Party};
use itsm_core::{Actor, Entity, Id, Uuid};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How large a service is (TR 20000-17 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceSize {
    /// A micro service: one team, few consumers.
    Micro,
    /// A small service.
    Small,
    /// A medium service.
    Medium,
    /// A large service: many components, many consumers.
    Large,
}

/// Whether a service stands alone or bundles other services (TR 20000-17 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Composition {
    /// One service on its own.
    Single,
    /// A bundle of services (its members are related to it with `PartOf`).
    Aggregated,
}

/// Where a service is provided from (TR 20000-17 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvisionSource {
    /// From one central place.
    Centralized,
    /// From several places, each serving its own area.
    Decentralized,
    /// Spread over several places working together.
    Distributed,
}

/// Who consumes a service (TR 20000-17 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consumers {
    /// Only people inside the organisation.
    Internal,
    /// Only external customers.
    External,
    /// Both.
    Both,
}

/// The profile of a service CI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a service profile with `size`, `composition`, `provision_source` and `consumers`"
)]
pub struct ServiceProfile {
    /// Size.
    pub size: ServiceSize,
    /// Single or aggregated (bundle).
    pub composition: Composition,
    /// Where it is provided from.
    pub provision_source: ProvisionSource,
    /// Who consumes it.
    pub consumers: Consumers,
}

impl Default for ServiceProfile {
    fn default() -> Self {
        Self {
            size: ServiceSize::Medium,
            composition: Composition::Single,
            provision_source: ProvisionSource::Centralized,
            consumers: Consumers::Internal,
        }
    }
}

/// What a CI is. The kind decides which relations are allowed (see [`crate::RelationKind`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CiKind {
    /// A service delivered to customers or users.
    Service(ServiceProfile),
    /// An application.
    Application,
    /// Software that is not an application in itself (middleware, database engine, OS).
    Software,
    /// Physical or virtual hardware.
    Hardware,
    /// A network element or network service.
    Network,
    /// Storage.
    Storage,
    /// A building, room or data centre.
    Facility,
    /// A document (procedure, plan, agreement text).
    Document,
    /// A group of people who support CIs.
    SupportGroup,
    /// A group of people who consume services.
    ConsumerGroup,
    /// A service provided by another party, seen from outside.
    ExternalService,
    /// Anything else, named.
    Other(String),
}

impl CiKind {
    /// True for [`CiKind::Service`].
    #[must_use]
    pub const fn is_service(&self) -> bool {
        matches!(self, Self::Service(_))
    }

    /// The kind without its details.
    #[must_use]
    pub fn kind_name(&self) -> CiKindName {
        match self {
            Self::Service(_) => CiKindName::Service,
            Self::Application => CiKindName::Application,
            Self::Software => CiKindName::Software,
            Self::Hardware => CiKindName::Hardware,
            Self::Network => CiKindName::Network,
            Self::Storage => CiKindName::Storage,
            Self::Facility => CiKindName::Facility,
            Self::Document => CiKindName::Document,
            Self::SupportGroup => CiKindName::SupportGroup,
            Self::ConsumerGroup => CiKindName::ConsumerGroup,
            Self::ExternalService => CiKindName::ExternalService,
            Self::Other(name) => CiKindName::Other(name.clone()),
        }
    }

    /// A short lowercase name for messages (`"service"`, `"document"`).
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Other(name) => name,
            fixed => fixed.kind_name().fixed_name(),
        }
    }
}

/// A CI kind without its details, as policies name kinds (`"hardware"`, `"service"`,
/// `{"other": "peripheral"}`). Typed, so a misspelt kind is refused where it is read, with the
/// valid ones listed, instead of silently matching nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CiKindName {
    /// [`CiKind::Service`], whatever its profile.
    Service,
    /// [`CiKind::Application`].
    Application,
    /// [`CiKind::Software`].
    Software,
    /// [`CiKind::Hardware`].
    Hardware,
    /// [`CiKind::Network`].
    Network,
    /// [`CiKind::Storage`].
    Storage,
    /// [`CiKind::Facility`].
    Facility,
    /// [`CiKind::Document`].
    Document,
    /// [`CiKind::SupportGroup`].
    SupportGroup,
    /// [`CiKind::ConsumerGroup`].
    ConsumerGroup,
    /// [`CiKind::ExternalService`].
    ExternalService,
    /// [`CiKind::Other`] with this name.
    Other(String),
}

impl CiKindName {
    /// True when `kind` is of this kind.
    #[must_use]
    pub fn matches(&self, kind: &CiKind) -> bool {
        *self == kind.kind_name()
    }
}

impl CiKindName {
    /// The name of a kind with no name of its own (`""` for [`CiKindName::Other`], whose name
    /// is its own).
    const fn fixed_name(&self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::Application => "application",
            Self::Software => "software",
            Self::Hardware => "hardware",
            Self::Network => "network",
            Self::Storage => "storage",
            Self::Facility => "facility",
            Self::Document => "document",
            Self::SupportGroup => "support group",
            Self::ConsumerGroup => "consumer group",
            Self::ExternalService => "external service",
            Self::Other(_) => "",
        }
    }
}

impl fmt::Display for CiKindName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Other(name) => f.write_str(name),
            fixed => f.write_str(fixed.fixed_name()),
        }
    }
}

/// Lifecycle status of a CI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CiStatus {
    /// Planned, not yet in operation.
    Planned,
    /// In operation.
    Active,
    /// Taken out of operation; kept for the record.
    Retired,
}

/// How much the business suffers when the CI fails; ordered `Low < ... < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criticality {
    /// Little effect.
    Low,
    /// Noticeable effect.
    Medium,
    /// Serious effect.
    High,
    /// The business stops.
    Critical,
}

impl fmt::Display for Criticality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        })
    }
}

/// Who provides or operates a CI (ISO/IEC 20000-1 8.2.3, 8.3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provision {
    /// The organisation itself.
    Internal,
    /// An external supplier, under a contract.
    ExternalSupplier(Id<Party>),
    /// Another part of the organisation, under an operational level agreement.
    InternalSupplier(Id<Party>),
    /// A customer acting as a supplier, under a documented agreement.
    CustomerAsSupplier(Id<Party>),
}

/// The value of a free attribute of a CI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttrValue {
    /// Text (`environment = production`).
    Text(String),
    /// An exact number (`cores = 16`, `cost = 1200.50`).
    Number(Decimal),
    /// Yes or no.
    Flag(bool),
    /// A calendar date (`end_of_support = 2027-06-30`).
    Date(NaiveDate),
}

impl From<&str> for AttrValue {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl fmt::Display for AttrValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(t) => f.write_str(t),
            Self::Number(n) => write!(f, "{n}"),
            Self::Flag(b) => write!(f, "{b}"),
            Self::Date(d) => write!(f, "{d}"),
        }
    }
}

/// A configuration item.
///
/// Fields are public: a `Ci` is a plain record. The [`crate::Cmdb`] guards the invariants that
/// involve other CIs (unique id and key, relations that fit the kind) and only hands out
/// shared references; changes go through [`crate::Cmdb::update_ci`] with a [`CiPatch`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a configuration item with `id`, `key`, `name`, `kind`, `status`, `criticality`, `provision`, `version` and optionally `owner`, `attributes` and `last_change`"
)]
pub struct Ci {
    /// The CI's id.
    pub id: Id<Ci>,
    /// Human key, unique in the CMDB and never empty (`"svc-online-banking"`).
    pub key: String,
    /// Display name.
    pub name: String,
    /// What it is.
    pub kind: CiKind,
    /// Lifecycle status.
    pub status: CiStatus,
    /// Who is accountable for it.
    #[serde(default)]
    pub owner: Option<Id<Actor>>,
    /// Its own criticality (see [`crate::Cmdb::effective_criticality`] for the inherited one).
    pub criticality: Criticality,
    /// Who provides or operates it.
    pub provision: Provision,
    /// Free attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, AttrValue>,
    /// Record version: 1 when created, one more for every accepted update.
    pub version: u64,
    /// The change that last modified it, when known.
    #[serde(default)]
    pub last_change: Option<Id<Change>>,
}

impl Entity for Ci {
    const KIND: &'static str = "configuration item";
    const NAMESPACE: Uuid = Uuid::from_u128(0x6c1d_43a2_8f0e_5b7a_9c21_d4e8_0f3b_a020);
}

impl Ci {
    /// A new CI with its id derived from `key`: active, medium criticality, internally provided,
    /// no owner, no attributes, version 1.
    #[must_use]
    pub fn new(key: impl Into<String>, name: impl Into<String>, kind: CiKind) -> Self {
        let key = key.into();
        Self {
            id: Id::from_key(&key),
            key,
            name: name.into(),
            kind,
            status: CiStatus::Active,
            owner: None,
            criticality: Criticality::Medium,
            provision: Provision::Internal,
            attributes: BTreeMap::new(),
            version: 1,
            last_change: None,
        }
    }

    /// The same CI with the given criticality.
    #[must_use]
    pub fn with_criticality(mut self, criticality: Criticality) -> Self {
        self.criticality = criticality;
        self
    }

    /// The same CI with the given provision.
    #[must_use]
    pub fn with_provision(mut self, provision: Provision) -> Self {
        self.provision = provision;
        self
    }

    /// The same CI with the given status.
    #[must_use]
    pub fn with_status(mut self, status: CiStatus) -> Self {
        self.status = status;
        self
    }

    /// The same CI with one more attribute.
    #[must_use]
    pub fn with_attribute(mut self, name: impl Into<String>, value: impl Into<AttrValue>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }
}

/// A partial update of a CI: every `Some` field replaces the current value.
///
/// Id and version are not patchable: the id is the CI's identity, the version is kept by the
/// CMDB.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CiPatch {
    /// New key (must stay unique and non-empty).
    pub key: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New kind (its relations must still fit).
    pub kind: Option<CiKind>,
    /// New status.
    pub status: Option<CiStatus>,
    /// New owner (`Some(None)` clears it).
    pub owner: Option<Option<Id<Actor>>>,
    /// New criticality.
    pub criticality: Option<Criticality>,
    /// New provision.
    pub provision: Option<Provision>,
    /// Attributes to set (added or replaced).
    pub set_attributes: BTreeMap<String, AttrValue>,
    /// Attributes to remove (each must exist).
    pub remove_attributes: BTreeSet<String>,
    /// The change under which this update is made, stamped on the CI.
    pub change: Option<Id<Change>>,
}
