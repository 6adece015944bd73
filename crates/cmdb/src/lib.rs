//! # itsm-cmdb: the configuration graph
//!
//! The spine of the engine: configuration items (CIs), the typed relations between them and
//! redundancy groups, with the questions a service manager asks of them (ISO/IEC 20000-1
//! 8.2.6 configuration management, 8.5.1 change impact; for 8.7.1 availability and 8.7.2
//! continuity, what fails with what and the single points of failure, not yet availability
//! figures or continuity plans; ISO/IEC TR 20000-17 5.2 service composition and visual service
//! mapping).
//!
//! ## Model
//! - A [`Ci`] has a [`CiKind`] (services carry a [`ServiceProfile`]), a status, an owner, a
//!   [`Criticality`], a [`Provision`] (internal, external supplier, internal supplier,
//!   customer acting as supplier), free attributes and a record version.
//! - A [`Relation`] reads "`from` *kind* `to`". Each [`RelationKind`] knows which way a failure
//!   travels along it ([`Propagation`]): `app RunsOn host` carries a host failure to the app,
//!   `part PartOf bundle` carries a part's failure to the bundle, `DocumentedBy` and
//!   `ConsumedBy` carry none. Relations between kinds that make no sense are refused.
//! - A [`RedundancyGroup`] says "this CI needs at least k of these n dependencies".
//!
//! ## Cycles
//! Real service graphs have services that call each other, so cycles are allowed by default,
//! and every query is a breadth-first walk or a least fixpoint that is exact and terminates on
//! them. [`Cmdb::cycles`] lists them; [`CyclePolicy::Reject`] refuses any relation that would
//! close one, naming the cycle.
//!
//! ## Queries
//! [`Cmdb::impact_of`] (down / degraded per CI, with the path that explains it),
//! [`Cmdb::dependencies_of`] (bill of materials), [`Cmdb::single_points_of_failure`],
//! [`Cmdb::services_using`], [`Cmdb::why`], [`Cmdb::effective_criticality`],
//! [`Cmdb::bundle_members`]; [`Cmdb::baseline`] and [`Baseline::diff`]; [`Cmdb::service_map`]
//! rendered as DOT or Mermaid.
//!
//! ## Storage and speed
//! A petgraph `StableDiGraph` holds the relations as given; queries walk a read index of
//! compressed sparse rows built on the first query after a change (see `index.rs`). Bulk
//! imports go through [`Cmdb::from_parts`]. Every mutating method validates first and leaves
//! the CMDB untouched when it returns `Err`.
//!
//! ```
//! use itsm_cmdb::{Ci, CiKind, Cmdb, RedundancyGroup, Relation, RelationKind::*, ServiceProfile, ImpactState};
//!
//! let mut cmdb = Cmdb::new();
//! let shop = Ci::new("svc-shop", "Web shop", CiKind::Service(ServiceProfile::default()));
//! let web: Vec<Ci> = (1..=3).map(|i| Ci::new(format!("web-{i}"), format!("Web {i}"), CiKind::Hardware)).collect();
//! let shop_id = shop.id;
//! cmdb.add_ci(shop)?;
//! for w in &web {
//!     cmdb.add_ci(w.clone())?;
//!     cmdb.relate(Relation::new(shop_id, RunsOn, w.id))?;
//! }
//! // The shop needs two of its three web servers.
//! cmdb.add_group(RedundancyGroup::new("web-cluster", shop_id, web.iter().map(|w| w.id).collect(), 2))?;
//!
//! let one = cmdb.impact_of(&[web[0].id])?;
//! assert_eq!(one.state(shop_id), Some(ImpactState::Degraded));
//! let two = cmdb.impact_of(&[web[0].id, web[1].id])?;
//! assert_eq!(two.state(shop_id), Some(ImpactState::Down));
//! assert!(cmdb.single_points_of_failure(shop_id)?.is_empty());
//! # Ok::<(), itsm_cmdb::CmdbError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod baseline;
mod batch;
mod ci;
mod cycles;
mod error;
mod hash;
mod impact;
mod import;
mod index;
mod keys;
mod map;
mod query;
mod redundancy;
mod relation;
mod spof;
mod store;

pub use baseline::{Baseline, BaselineDiff, CiChange, FieldChange, GroupChange};
pub use batch::{BatchError, BatchOutcome, CmdbOp};
pub use ci::{
    AttrValue, Ci, CiKind, CiKindName, CiPatch, CiStatus, Composition, Consumers, Criticality,
    Provision, ProvisionSource, ServiceProfile, ServiceSize,
};
pub use cycles::Cycle;
pub use error::{CmdbError, ImportError};
pub use impact::{Impact, ImpactState, ImpactedCi};
pub use import::CmdbParts;
pub use map::{MapGroup, MapNode, MapOptions, ServiceMap};
pub use query::{Dependency, EffectiveCriticality};
pub use redundancy::RedundancyGroup;
pub use relation::{Propagation, Relation, RelationKind};
pub use store::{Cmdb, CmdbConfig, CyclePolicy, Removal, Removed};

#[cfg(test)]
mod tests;
