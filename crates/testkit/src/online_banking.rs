//! The bundled online-banking service of ISO/IEC TR 20000-17 5.2, as a ready CMDB.
//!
//! Online banking bundles: the online banking application, an internal support group, network
//! services, an internet service provider (external), web hosting (external), an internal
//! service desk and a customer service desk. A few internal components sit under them so that
//! changes have something concrete to touch: the service desk tool on its host, the core router
//! under network services, the banking database the application uses.

use itsm_cmdb::{
    Ci, CiKind, Cmdb, CmdbError, Composition, Consumers, Criticality, Provision, ProvisionSource,
    Relation, RelationKind, ServiceProfile, ServiceSize,
};
use itsm_core::Id;
use itsm_core::entity::Party;

/// The id of the CI with this key (ids of this organisation derive from keys).
#[must_use]
pub fn ci(key: &str) -> Id<Ci> {
    Id::from_key(key)
}

/// Builds the organisation.
///
/// # Errors
/// Never in practice: the data is fixed; the signature keeps the builder free of panics.
pub fn online_banking() -> Result<Cmdb, CmdbError> {
    use RelationKind::*;
    let mut cmdb = Cmdb::new();
    let isp: Id<Party> = Id::from_key("fastnet-isp");
    let hoster: Id<Party> = Id::from_key("cloudhost-ltd");
    let bundle = ServiceProfile {
        size: ServiceSize::Large,
        composition: Composition::Aggregated,
        provision_source: ProvisionSource::Centralized,
        consumers: Consumers::External,
    };
    let internal = ServiceProfile {
        consumers: Consumers::Internal,
        ..ServiceProfile::default()
    };
    let production = |c: Ci| c.with_attribute("environment", "production");
    for c in [
        Ci::new(
            "svc-online-banking",
            "Online banking",
            CiKind::Service(bundle),
        )
        .with_criticality(Criticality::Critical),
        production(Ci::new(
            "app-online-banking",
            "Online banking application",
            CiKind::Application,
        ))
        .with_criticality(Criticality::High),
        Ci::new(
            "grp-internal-support",
            "Internal support group",
            CiKind::SupportGroup,
        ),
        Ci::new("svc-network", "Network services", CiKind::Service(internal))
            .with_criticality(Criticality::High),
        Ci::new(
            "ext-isp-fastnet",
            "Internet service provider (FastNet)",
            CiKind::ExternalService,
        )
        .with_provision(Provision::ExternalSupplier(isp)),
        Ci::new(
            "ext-web-hosting",
            "Web hosting (CloudHost)",
            CiKind::ExternalService,
        )
        .with_provision(Provision::ExternalSupplier(hoster)),
        Ci::new(
            "svc-internal-service-desk",
            "Internal service desk",
            CiKind::Service(internal),
        ),
        Ci::new(
            "svc-customer-service-desk",
            "Customer service desk",
            CiKind::Service(internal),
        ),
        Ci::new(
            "grp-retail-customers",
            "Retail banking customers",
            CiKind::ConsumerGroup,
        ),
        Ci::new(
            "doc-online-banking-sla",
            "Online banking SLA",
            CiKind::Document,
        ),
        production(Ci::new("db-banking", "Banking database", CiKind::Software))
            .with_criticality(Criticality::High),
        production(Ci::new(
            "app-service-desk-tool",
            "Service desk tool",
            CiKind::Application,
        )),
        Ci::new("host-sd-1", "Service desk host", CiKind::Hardware),
        Ci::new("net-core-router", "Core router", CiKind::Network),
    ] {
        cmdb.add_ci(c)?;
    }
    for part in [
        "app-online-banking",
        "grp-internal-support",
        "svc-network",
        "svc-internal-service-desk",
        "svc-customer-service-desk",
    ] {
        cmdb.relate(Relation::new(ci(part), PartOf, ci("svc-online-banking")))?;
    }
    for (a, kind, b) in [
        ("app-online-banking", RunsOn, "ext-web-hosting"),
        ("app-online-banking", DependsOn, "svc-network"),
        ("app-online-banking", DependsOn, "db-banking"),
        ("app-online-banking", SupportedBy, "grp-internal-support"),
        ("db-banking", RunsOn, "ext-web-hosting"),
        ("svc-network", DependsOn, "ext-isp-fastnet"),
        ("svc-network", DependsOn, "net-core-router"),
        ("ext-web-hosting", ConnectsTo, "ext-isp-fastnet"),
        (
            "svc-internal-service-desk",
            DependsOn,
            "app-service-desk-tool",
        ),
        ("app-service-desk-tool", RunsOn, "host-sd-1"),
        (
            "svc-customer-service-desk",
            DependsOn,
            "svc-internal-service-desk",
        ),
        ("svc-online-banking", ConsumedBy, "grp-retail-customers"),
        ("svc-online-banking", DocumentedBy, "doc-online-banking-sla"),
    ] {
        cmdb.relate(Relation::new(ci(a), kind, ci(b)))?;
    }
    Ok(cmdb)
}
