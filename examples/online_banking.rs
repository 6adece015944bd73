//! The bundled online-banking service of ISO/IEC TR 20000-17 5.2 (built through the API by
//! `itsm_testkit::online_banking`, which the change calendar example shares).
//!
//! ```text
//! cargo run --release --example online_banking
//! ```
//!
//! Online banking is a bundle of services and components: the online banking application, an
//! internal support group, network services, an internet service provider (external), web
//! hosting (external), an internal service desk and a customer service desk. The program prints
//! the service map (Mermaid, impacted CIs highlighted), what fails when the ISP fails, the single
//! points of failure, and what changes when a second ISP is added as a redundant pair.

use chrono::{TimeZone, Utc};
use itsm::cmdb::{Impact, ImpactState};
use itsm::prelude::*;

fn key(cmdb: &Cmdb, id: Id<Ci>) -> String {
    cmdb.ci(id)
        .map_or_else(|| id.to_string(), |c| c.key.clone())
}

fn print_impact(cmdb: &Cmdb, impact: &Impact) {
    for a in impact.affected().filter(|a| a.cause.is_some()) {
        let path: Vec<String> = impact
            .path(a.ci)
            .unwrap_or_default()
            .into_iter()
            .map(|id| key(cmdb, id))
            .collect();
        let state = match a.state {
            ImpactState::Down => "DOWN",
            ImpactState::Degraded => "degraded",
        };
        let kind = if a.service { "service" } else { "component" };
        println!(
            "  {state:<8} {kind:<9} {:<24} because {}",
            key(cmdb, a.ci),
            path.join(" -> ")
        );
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    use RelationKind::*;
    let mut cmdb = itsm_testkit::online_banking::online_banking()?;
    let id = itsm_testkit::online_banking::ci;
    let bundle = id("svc-online-banking");
    let isp = id("ext-isp-fastnet");
    let outage = cmdb.impact_of(&[isp])?;
    println!("# Online banking (ISO/IEC TR 20000-17 5.2)\n");
    println!("## Service map, ISP failure highlighted\n");
    println!(
        "```mermaid\n{}```\n",
        cmdb.service_map(bundle, &MapOptions::default(), Some(&outage))?
            .to_mermaid()
    );

    println!("## When the ISP fails\n");
    print_impact(&cmdb, &outage);
    let eff = cmdb.effective_criticality(isp)?;
    println!(
        "\n  The ISP is rated {} on its own, {} once the services that need it count (set by {}).\n",
        cmdb.ci(isp)
            .map(|c| c.criticality)
            .unwrap_or(Criticality::Low),
        eff.level,
        eff.inherited_from
            .map_or_else(|| "itself".to_owned(), |s| key(&cmdb, s))
    );

    println!("## Single points of failure of online banking\n");
    for s in cmdb.single_points_of_failure(bundle)? {
        println!("  - {}", key(&cmdb, s));
    }

    let t0 = Utc
        .with_ymd_and_hms(2026, 11, 29, 9, 0, 0)
        .single()
        .ok_or("bad time")?;
    let before = cmdb.baseline("before second ISP", t0);
    // Add a second ISP; network services need at least one of the two.
    let second = Ci::new(
        "ext-isp-skylink",
        "Internet service provider (SkyLink)",
        CiKind::ExternalService,
    )
    .with_provision(Provision::ExternalSupplier(Id::from_key("skylink-isp")));
    let second_id = second.id;
    cmdb.add_ci(second)?;
    cmdb.relate(Relation::new(id("svc-network"), DependsOn, second_id))?;
    cmdb.relate(Relation::new(id("ext-web-hosting"), ConnectsTo, second_id))?;
    cmdb.add_group(RedundancyGroup::new(
        "network-uplinks",
        id("svc-network"),
        vec![isp, second_id],
        1,
    ))?;
    cmdb.add_group(RedundancyGroup::new(
        "hosting-uplinks",
        id("ext-web-hosting"),
        vec![isp, second_id],
        1,
    ))?;
    let after = cmdb.baseline("after second ISP", t0 + chrono::TimeDelta::hours(2));

    println!(
        "\n## Baseline diff: `{}` -> `{}`\n",
        before.name, after.name
    );
    let diff = before.diff(&after);
    for c in &diff.added_cis {
        println!("  + CI        {} ({})", c.key, c.name);
    }
    for r in &diff.added_relations {
        println!(
            "  + relation  {} {} {}",
            key(&cmdb, r.from),
            r.kind,
            key(&cmdb, r.to)
        );
    }
    for g in &diff.added_groups {
        let members: Vec<String> = g.members.iter().map(|m| key(&cmdb, *m)).collect();
        println!(
            "  + group     {}: {} needs {} of [{}]",
            g.name,
            key(&cmdb, g.dependent),
            g.min_up,
            members.join(", ")
        );
    }
    for c in &diff.changed_cis {
        println!("  ~ CI        {}: {} field(s)", c.key, c.fields.len());
    }
    println!(
        "  ({} removed CI(s), {} removed relation(s))",
        diff.removed_cis.len(),
        diff.removed_relations.len()
    );

    println!("\n## When the first ISP fails now\n");
    print_impact(&cmdb, &cmdb.impact_of(&[isp])?);
    println!("\n## Single points of failure now\n");
    let spofs = cmdb.single_points_of_failure(bundle)?;
    for s in &spofs {
        println!("  - {}", key(&cmdb, *s));
    }
    if !spofs.contains(&isp) {
        println!("\n  The ISP is no longer a single point of failure.");
    }
    Ok(())
}
