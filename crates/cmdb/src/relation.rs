//! Typed relations between CIs, and which way a failure travels along each.
//!
//! A relation reads "`from` *kind* `to`": `app RunsOn server`, `svc DocumentedBy manual`,
//! `network-service PartOf online-banking`. Most kinds mean "`from` needs `to`", so a failure of
//! `to` brings `from` down; `PartOf` means the bundle (`to`) needs its part (`from`);
//! `DocumentedBy` and `ConsumedBy` carry no failure at all.

use std::fmt;

use itsm_core::Id;
use serde::{Deserialize, Serialize};

use crate::{Ci, CiKind};

/// The kind of a relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// `from` needs `to` to work.
    DependsOn,
    /// `from` runs on the platform `to` (hardware, software, storage, network, facility, cloud).
    RunsOn,
    /// `from` reaches the world through `to`.
    ConnectsTo,
    /// `from` is provided by the (supplier's) service `to`.
    ProvidedBy,
    /// `from` is supported by the support group `to`.
    SupportedBy,
    /// `from` (a service) is consumed by the consumer group `to`.
    ConsumedBy,
    /// `from` is described by the document `to`.
    DocumentedBy,
    /// `from` is a member of the bundled service `to`.
    PartOf,
}

/// Which way a failure travels along a relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Propagation {
    /// A failure of `to` brings `from` down (`from` needs `to`).
    ToSource,
    /// A failure of `from` brings `to` down (the bundle needs its part).
    ToTarget,
    /// No failure travels.
    None,
}

impl RelationKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 8] = [
        Self::DependsOn,
        Self::RunsOn,
        Self::ConnectsTo,
        Self::ProvidedBy,
        Self::SupportedBy,
        Self::ConsumedBy,
        Self::DocumentedBy,
        Self::PartOf,
    ];

    /// Which way a failure travels along this kind.
    #[must_use]
    pub const fn propagation(self) -> Propagation {
        match self {
            Self::DependsOn
            | Self::RunsOn
            | Self::ConnectsTo
            | Self::ProvidedBy
            | Self::SupportedBy => Propagation::ToSource,
            Self::PartOf => Propagation::ToTarget,
            Self::ConsumedBy | Self::DocumentedBy => Propagation::None,
        }
    }

    /// True when a failure travels along this kind.
    #[must_use]
    pub const fn propagates(self) -> bool {
        !matches!(self.propagation(), Propagation::None)
    }

    /// Why a relation of this kind from a `from` CI to a `to` CI makes no sense, if it does not.
    #[must_use]
    pub fn misfit(self, from: &CiKind, to: &CiKind) -> Option<String> {
        use CiKind as K;
        let source_only_of = |k: &CiKind| matches!(k, K::Document | K::ConsumerGroup);
        if source_only_of(from) {
            return Some(format!(
                "a `{}` cannot be the source of a relation",
                from.name()
            ));
        }
        let platform = |k: &CiKind| {
            matches!(
                k,
                K::Hardware
                    | K::Software
                    | K::Storage
                    | K::Network
                    | K::Facility
                    | K::ExternalService
                    | K::Other(_)
            )
        };
        let component = |k: &CiKind| platform(k) || matches!(k, K::Application | K::Service(_));
        let fits = match self {
            Self::DocumentedBy => matches!(to, K::Document),
            Self::ConsumedBy => {
                matches!(to, K::ConsumerGroup) && matches!(from, K::Service(_) | K::ExternalService)
            }
            Self::SupportedBy => matches!(to, K::SupportGroup),
            Self::PartOf => matches!(to, K::Service(_)),
            Self::ProvidedBy => matches!(to, K::Service(_) | K::ExternalService | K::SupportGroup),
            Self::RunsOn => platform(to) && !matches!(from, K::SupportGroup),
            Self::ConnectsTo => component(from) && component(to),
            Self::DependsOn => !matches!(to, K::Document | K::ConsumerGroup | K::SupportGroup),
        };
        (!fits).then(|| {
            format!(
                "`{self}` cannot link a `{}` to a `{}`",
                from.name(),
                to.name()
            )
        })
    }
}

impl fmt::Display for RelationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::DependsOn => "depends on",
            Self::RunsOn => "runs on",
            Self::ConnectsTo => "connects to",
            Self::ProvidedBy => "provided by",
            Self::SupportedBy => "supported by",
            Self::ConsumedBy => "consumed by",
            Self::DocumentedBy => "documented by",
            Self::PartOf => "part of",
        })
    }
}

/// A typed, directed relation between two CIs: "`from` *kind* `to`".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a relation with `from`, `kind` and `to`"
)]
pub struct Relation {
    /// The source CI.
    pub from: Id<Ci>,
    /// The kind.
    pub kind: RelationKind,
    /// The target CI.
    pub to: Id<Ci>,
}

impl Relation {
    /// `from kind to`.
    #[must_use]
    pub const fn new(from: Id<Ci>, kind: RelationKind, to: Id<Ci>) -> Self {
        Self { from, kind, to }
    }

    /// `(dependent, dependency)` when a failure travels along this relation: the dependency's
    /// failure brings the dependent down.
    #[must_use]
    pub const fn dependency(&self) -> Option<(Id<Ci>, Id<Ci>)> {
        match self.kind.propagation() {
            Propagation::ToSource => Some((self.from, self.to)),
            Propagation::ToTarget => Some((self.to, self.from)),
            Propagation::None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServiceProfile;

    #[test]
    fn kinds_that_make_no_sense_are_named() {
        let svc = CiKind::Service(ServiceProfile::default());
        let doc = CiKind::Document;
        assert!(RelationKind::DocumentedBy.misfit(&svc, &doc).is_none());
        assert_eq!(
            RelationKind::DependsOn.misfit(&doc, &svc).as_deref(),
            Some("a `document` cannot be the source of a relation")
        );
        assert_eq!(
            RelationKind::RunsOn
                .misfit(&CiKind::Application, &doc)
                .as_deref(),
            Some("`runs on` cannot link a `application` to a `document`")
        );
        assert!(
            RelationKind::PartOf
                .misfit(&CiKind::SupportGroup, &svc)
                .is_none()
        );
        assert!(
            RelationKind::SupportedBy
                .misfit(&svc, &CiKind::Hardware)
                .is_some()
        );
        assert!(
            RelationKind::ConsumedBy
                .misfit(&CiKind::Hardware, &CiKind::ConsumerGroup)
                .is_some()
        );
    }

    #[test]
    fn propagation_direction() {
        let a = Id::from_u128(1);
        let b = Id::from_u128(2);
        assert_eq!(
            Relation::new(a, RelationKind::RunsOn, b).dependency(),
            Some((a, b))
        );
        assert_eq!(
            Relation::new(a, RelationKind::PartOf, b).dependency(),
            Some((b, a))
        );
        assert_eq!(
            Relation::new(a, RelationKind::DocumentedBy, b).dependency(),
            None
        );
    }
}
