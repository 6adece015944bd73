//! Behaviour of the CMDB as a whole: validation, queries, baselines, maps.

use chrono::{TimeZone, Utc};
use itsm_core::Id;

use crate::RelationKind::*;
use crate::*;

fn svc(key: &str) -> Ci {
    Ci::new(
        key,
        key.to_uppercase(),
        CiKind::Service(ServiceProfile::default()),
    )
}

fn ci(key: &str, kind: CiKind) -> Ci {
    Ci::new(key, key.to_uppercase(), kind)
}

fn id(key: &str) -> Id<Ci> {
    Id::from_key(key)
}

fn rel(a: &str, kind: RelationKind, b: &str) -> Relation {
    Relation::new(id(a), kind, id(b))
}

/// shop (service) -> app -> {web-1, web-2, web-3} (2 of 3) ; web-1, web-2 run on host-a; web-3 on host-b;
/// host-a, host-b -> dc; shop documented by manual, consumed by customers.
fn shop() -> Cmdb {
    let mut c = Cmdb::new();
    for x in [
        svc("shop"),
        ci("app", CiKind::Application),
        ci("web-1", CiKind::Software),
        ci("web-2", CiKind::Software),
        ci("web-3", CiKind::Software),
        ci("host-a", CiKind::Hardware),
        ci("host-b", CiKind::Hardware),
        ci("dc", CiKind::Facility),
        ci("manual", CiKind::Document),
        ci("customers", CiKind::ConsumerGroup),
    ] {
        c.add_ci(x).unwrap();
    }
    for r in [
        rel("shop", DependsOn, "app"),
        rel("app", RunsOn, "web-1"),
        rel("app", RunsOn, "web-2"),
        rel("app", RunsOn, "web-3"),
        rel("web-1", RunsOn, "host-a"),
        rel("web-2", RunsOn, "host-a"),
        rel("web-3", RunsOn, "host-b"),
        rel("host-a", DependsOn, "dc"),
        rel("host-b", DependsOn, "dc"),
        rel("shop", DocumentedBy, "manual"),
        rel("shop", ConsumedBy, "customers"),
    ] {
        c.relate(r).unwrap();
    }
    c.add_group(RedundancyGroup::new(
        "web",
        id("app"),
        vec![id("web-1"), id("web-2"), id("web-3")],
        2,
    ))
    .unwrap();
    c
}

#[test]
fn bad_cis_are_refused_and_nothing_changes() {
    let mut c = shop();
    let before = c.clone();
    assert!(matches!(
        c.add_ci(ci(" ", CiKind::Hardware)).unwrap_err(),
        CmdbError::Text(itsm_core::Error::InvalidText { field: "key", .. })
    ));
    // The same key again is named by its key, never by the id it derives to.
    assert_eq!(
        c.add_ci(ci("app", CiKind::Hardware))
            .unwrap_err()
            .to_string(),
        "a configuration item with key `app` already exists"
    );
    // An id held by a CI with another key (an import's given ids) names the holder.
    let mut same_id = ci("app-2", CiKind::Hardware);
    same_id.id = id("app");
    assert_eq!(
        c.add_ci(same_id).unwrap_err().to_string(),
        format!(
            "configuration item `app` already has the id `{}`",
            id("app")
        )
    );
    let mut dup = ci("other", CiKind::Hardware);
    dup.key = "app".into();
    assert_eq!(
        c.add_ci(dup).unwrap_err(),
        CmdbError::DuplicateKey { key: "app".into() }
    );
    assert_eq!(c, before);
}

#[test]
fn bad_relations_are_refused_and_nothing_changes() {
    let mut c = shop();
    let before = c.clone();
    let unknown = Relation::new(id("app"), DependsOn, id("nope"));
    assert_eq!(
        c.relate(unknown).unwrap_err(),
        CmdbError::UnknownCi { id: id("nope") }
    );
    assert!(matches!(
        c.relate(rel("app", DependsOn, "app")),
        Err(CmdbError::SelfRelation { .. })
    ));
    let e = c.relate(rel("manual", DependsOn, "app")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "relation `manual` depends on `app` is not allowed: a `document` cannot be the source of a relation"
    );
    assert!(matches!(
        c.relate(rel("app", SupportedBy, "host-a")),
        Err(CmdbError::KindMismatch { .. })
    ));
    assert!(matches!(
        c.relate(rel("shop", DependsOn, "app")),
        Err(CmdbError::DuplicateRelation { .. })
    ));
    assert!(matches!(
        c.unrelate(rel("shop", RunsOn, "app")),
        Err(CmdbError::UnknownRelation { .. })
    ));
    assert_eq!(c, before);
    // A second kind between the same pair is a different relation.
    c.relate(rel("shop", ConnectsTo, "host-a")).unwrap();
}

#[test]
fn strict_policy_names_the_cycle_it_refuses() {
    let mut c = Cmdb::with_config(CmdbConfig {
        cycles: CyclePolicy::Reject,
    });
    for k in ["a", "b", "c"] {
        c.add_ci(ci(k, CiKind::Application)).unwrap();
    }
    c.relate(rel("a", DependsOn, "b")).unwrap();
    c.relate(rel("b", DependsOn, "c")).unwrap();
    let before = c.clone();
    let e = c.relate(rel("c", DependsOn, "a")).unwrap_err();
    assert_eq!(
        e,
        CmdbError::Cycle {
            cycle: vec!["c".into(), "a".into(), "b".into(), "c".into()]
        }
    );
    assert_eq!(
        e.to_string(),
        "dependency cycle refused by the strict cycle policy: c -> a -> b -> c"
    );
    assert_eq!(c, before);
    // Documentation does not carry failure, so it cannot close a dependency cycle.
    c.add_ci(ci("doc", CiKind::Document)).unwrap();
    c.relate(rel("c", DocumentedBy, "doc")).unwrap();
}

#[test]
fn bad_groups_are_refused() {
    let mut c = shop();
    let before = c.clone();
    let g = |members: &[&str], k| {
        RedundancyGroup::new("g2", id("app"), members.iter().map(|m| id(m)).collect(), k)
    };
    let msg = |r: Result<(), CmdbError>| r.unwrap_err().to_string();
    assert!(
        msg(c.add_group(g(&["web-1"], 0)))
            .contains("threshold must be between 1 and the member count")
    );
    assert!(msg(c.add_group(g(&["web-1"], 2))).contains("at least 2 of 1 members"));
    assert!(msg(c.add_group(g(&[], 1))).contains("no members"));
    assert_eq!(
        c.add_group(g(&["zz"], 1)).unwrap_err(),
        CmdbError::UnknownCi { id: id("zz") }
    );
    assert_eq!(
        msg(c.add_group(g(&["host-a"], 1))),
        "redundancy group `g2`: `host-a` is not a dependency of `app` (relate them first)"
    );
    assert!(matches!(
        c.add_group(g(&["web-1"], 1)),
        Err(CmdbError::MemberInOtherGroup { .. })
    ));
    let twice = RedundancyGroup::new("g3", id("shop"), vec![id("app"), id("app")], 1);
    assert!(msg(c.add_group(twice)).contains("listed twice"));
    let same = RedundancyGroup::new("web", id("shop"), vec![id("app")], 1);
    assert!(matches!(
        c.add_group(same),
        Err(CmdbError::DuplicateGroup { .. })
    ));
    assert_eq!(c, before);
}

#[test]
fn removal_refuses_dependents_unless_cascading() {
    let mut c = shop();
    let before = c.clone();
    let e = c.remove_ci(id("host-a"), Removal::Refuse).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`host-a` cannot be removed: 2 configuration item(s) depend on it (web-1, web-2); remove those relations first or cascade"
    );
    // web-1 is in a 2-of-3 group: removing it leaves 2 members, still enough.
    let e = c.remove_ci(id("web-1"), Removal::Refuse).unwrap_err();
    assert!(matches!(e, CmdbError::HasDependents { .. }));
    assert_eq!(c, before);
    let removed = c.remove_ci(id("web-1"), Removal::Cascade).unwrap();
    assert_eq!(removed.relations.len(), 2);
    assert_eq!(
        removed.groups_shrunk[0].members,
        vec![id("web-2"), id("web-3")]
    );
    // Now the group is 2 of 2: removing another member would break it.
    let mid = c.clone();
    assert!(matches!(
        c.remove_ci(id("web-2"), Removal::Cascade),
        Err(CmdbError::RemovalBreaksGroup {
            remaining: 1,
            min_up: 2,
            ..
        })
    ));
    assert_eq!(c, mid);
    // A leaf nobody depends on goes quietly, its own relations with it.
    let r = c.remove_ci(id("manual"), Removal::Refuse).unwrap();
    assert_eq!(r.relations, vec![rel("shop", DocumentedBy, "manual")]);
    // The dependent of a group takes the group with it.
    let r = c.remove_ci(id("app"), Removal::Cascade).unwrap();
    assert_eq!(r.groups_removed.len(), 1);
    assert_eq!(c.groups().count(), 0);
}

#[test]
fn unrelating_a_group_member_is_refused() {
    let mut c = shop();
    let e = c.unrelate(rel("app", RunsOn, "web-1")).unwrap_err();
    assert!(
        e.to_string().contains("backs redundancy group `web`"),
        "{e}"
    );
    // With a second relation to the same member, one may go.
    c.relate(rel("app", DependsOn, "web-1")).unwrap();
    c.unrelate(rel("app", RunsOn, "web-1")).unwrap();
    assert_eq!(
        c.impact_of(&[id("web-1")]).unwrap().state(id("app")),
        Some(ImpactState::Degraded)
    );
}

#[test]
fn updates_validate_and_bump_the_version() {
    let mut c = shop();
    let before = c.clone();
    let patch = |f: fn(&mut CiPatch)| {
        let mut p = CiPatch::default();
        f(&mut p);
        p
    };
    assert!(matches!(
        c.update_ci(id("app"), patch(|p| p.key = Some("shop".into()))),
        Err(CmdbError::DuplicateKey { .. })
    ));
    assert!(matches!(
        c.update_ci(id("app"), patch(|p| p.key = Some("".into()))),
        Err(CmdbError::Text(_))
    ));
    assert!(matches!(
        c.update_ci(
            id("app"),
            patch(|p| {
                p.remove_attributes.insert("nope".into());
            })
        ),
        Err(CmdbError::UnknownAttribute { .. })
    ));
    // A document cannot run on anything.
    assert!(matches!(
        c.update_ci(id("app"), patch(|p| p.kind = Some(CiKind::Document))),
        Err(CmdbError::KindMismatch { .. })
    ));
    assert_eq!(c, before);
    let change = Id::from_key("CHG-1");
    let updated = c
        .update_ci(
            id("app"),
            patch(|p| {
                p.key = Some("app-2".into());
                p.criticality = Some(Criticality::High);
                p.set_attributes.insert("env".into(), "prod".into());
            }),
        )
        .unwrap()
        .clone();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.key, "app-2");
    assert!(c.ci_by_key("app").is_none());
    assert_eq!(c.ci_by_key("app-2").map(|x| x.id), Some(id("app")));
    let stamped = c
        .update_ci(
            id("app"),
            CiPatch {
                change: Some(change),
                ..CiPatch::default()
            },
        )
        .unwrap();
    assert_eq!((stamped.version, stamped.last_change), (3, Some(change)));
}

#[test]
fn impact_honours_redundancy_and_explains_itself() {
    let c = shop();
    let one = c.impact_of(&[id("web-3")]).unwrap();
    assert_eq!(one.state(id("app")), Some(ImpactState::Degraded));
    assert_eq!(one.state(id("shop")), Some(ImpactState::Degraded));
    assert_eq!(one.down_count(), 0);
    assert_eq!(
        one.path(id("shop")),
        Some(vec![id("shop"), id("app"), id("web-3")])
    );
    // host-a carries two of the three web servers: the shop goes down.
    let host = c.impact_of(&[id("host-a")]).unwrap();
    assert_eq!(host.state(id("shop")), Some(ImpactState::Down));
    assert_eq!(host.down_count(), 4);
    assert_eq!(
        host.services().map(|s| s.ci).collect::<Vec<_>>(),
        vec![id("shop")]
    );
    assert_eq!(host.path(id("shop")).unwrap().last(), Some(&id("host-a")));
    // Documentation and consumers do not fail with the service.
    let all = c.impact_of(&[id("dc")]).unwrap();
    assert_eq!(all.state(id("manual")), None);
    assert_eq!(all.state(id("customers")), None);
    assert_eq!(all.down_count(), 7);
    assert_eq!(
        c.impact_of(&[id("nope")]).unwrap_err(),
        CmdbError::UnknownCi { id: id("nope") }
    );
    // Failing the same CI twice counts once.
    assert_eq!(
        c.impact_of(&[id("dc"), id("dc")])
            .unwrap()
            .failed()
            .collect::<Vec<_>>(),
        [id("dc")]
    );
}

#[test]
fn cycles_fail_together_and_are_listed() {
    let mut c = Cmdb::new();
    for k in ["a", "b", "c", "d", "x"] {
        c.add_ci(ci(k, CiKind::Application)).unwrap();
    }
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("x", "a")] {
        c.relate(rel(a, DependsOn, b)).unwrap();
    }
    let i = c.impact_of(&[id("d")]).unwrap();
    assert_eq!(i.down_count(), 4); // a, b, c and x
    let i = c.impact_of(&[id("x")]).unwrap();
    assert_eq!(i.down_count(), 0);
    let cycles = c.cycles();
    assert_eq!(cycles.len(), 1);
    assert_eq!(cycles[0].members, vec![id("a"), id("b"), id("c")]);
    assert_eq!(cycles[0].example, vec![id("a"), id("b"), id("c"), id("a")]);
    assert_eq!(c.dependencies_of(id("a")).unwrap().len(), 3);
}

#[test]
fn bundles_fail_with_their_parts() {
    let mut c = Cmdb::new();
    for k in ["bundle", "net", "hosting"] {
        c.add_ci(svc(k)).unwrap();
    }
    c.relate(rel("net", PartOf, "bundle")).unwrap();
    c.relate(rel("hosting", PartOf, "bundle")).unwrap();
    assert_eq!(
        c.bundle_members(id("bundle")).unwrap(),
        vec![id("hosting"), id("net")]
    );
    assert_eq!(c.bundles_of(id("net")).unwrap(), vec![id("bundle")]);
    assert_eq!(
        c.impact_of(&[id("net")]).unwrap().state(id("bundle")),
        Some(ImpactState::Down)
    );
    assert_eq!(
        c.why(id("bundle"), id("net")).unwrap(),
        Some(vec![rel("net", PartOf, "bundle")])
    );
    assert_eq!(c.services_using(id("net")).unwrap(), vec![id("bundle")]);
}

#[test]
fn queries_on_the_shop() {
    let mut c = shop();
    let bom = c.dependencies_of(id("shop")).unwrap();
    assert_eq!(bom.len(), 7);
    assert_eq!(
        (bom[0].ci, bom[0].depth, bom[0].via),
        (id("app"), 1, id("shop"))
    );
    assert_eq!(bom.last().map(|d| (d.ci, d.depth)), Some((id("dc"), 4)));
    assert_eq!(
        c.single_points_of_failure(id("shop")).unwrap(),
        vec![id("app"), id("host-a"), id("dc")]
    );
    assert_eq!(
        c.why(id("shop"), id("host-a")).unwrap(),
        Some(vec![
            rel("shop", DependsOn, "app"),
            rel("app", RunsOn, "web-1"),
            rel("web-1", RunsOn, "host-a")
        ])
    );
    assert_eq!(c.why(id("host-a"), id("shop")).unwrap(), None);
    assert_eq!(c.why(id("shop"), id("shop")).unwrap(), Some(vec![]));
    assert_eq!(c.services_using(id("dc")).unwrap(), vec![id("shop")]);
    c.update_ci(
        id("shop"),
        CiPatch {
            criticality: Some(Criticality::Critical),
            ..CiPatch::default()
        },
    )
    .unwrap();
    let eff = c.effective_criticality(id("host-b")).unwrap();
    assert_eq!(
        eff,
        EffectiveCriticality {
            level: Criticality::Critical,
            inherited_from: Some(id("shop"))
        }
    );
    let own = c.effective_criticality(id("manual")).unwrap();
    assert_eq!(
        own,
        EffectiveCriticality {
            level: Criticality::Medium,
            inherited_from: None
        }
    );
}

#[test]
fn baselines_diff_what_changed() {
    let mut c = shop();
    let t = |h| Utc.with_ymd_and_hms(2026, 11, 1, h, 0, 0).unwrap();
    let before = c.baseline("before", t(8));
    assert!(before.diff(&before).is_empty());
    c.add_ci(ci("web-4", CiKind::Software)).unwrap();
    c.relate(rel("web-4", RunsOn, "host-b")).unwrap();
    c.update_ci(
        id("dc"),
        CiPatch {
            status: Some(CiStatus::Retired),
            ..CiPatch::default()
        },
    )
    .unwrap();
    c.remove_ci(id("customers"), Removal::Refuse).unwrap();
    let after = c.baseline("after", t(9));
    let d = before.diff(&after);
    assert_eq!(
        d.added_cis
            .iter()
            .map(|c| c.key.as_str())
            .collect::<Vec<_>>(),
        ["web-4"]
    );
    assert_eq!(
        d.removed_cis
            .iter()
            .map(|c| c.key.as_str())
            .collect::<Vec<_>>(),
        ["customers"]
    );
    assert_eq!(d.added_relations, vec![rel("web-4", RunsOn, "host-b")]);
    assert_eq!(
        d.removed_relations,
        vec![rel("shop", ConsumedBy, "customers")]
    );
    assert_eq!(d.changed_cis.len(), 1);
    let fields: Vec<(&str, &str, &str)> = d.changed_cis[0]
        .fields
        .iter()
        .map(|f| (f.field.as_str(), f.before.as_str(), f.after.as_str()))
        .collect();
    assert_eq!(
        fields,
        [("status", "active", "retired"), ("version", "1", "2")]
    );
    assert_eq!(before.to_cmdb().unwrap(), shop());
}

#[test]
fn maps_show_the_neighbourhood_and_the_impact() {
    let c = shop();
    let impact = c.impact_of(&[id("host-a")]).unwrap();
    let map = c
        .service_map(id("shop"), &MapOptions::default(), Some(&impact))
        .unwrap();
    assert_eq!(map.nodes.len(), 10);
    assert_eq!(map.relations.len(), 11);
    let mermaid = map.to_mermaid();
    assert!(mermaid.starts_with("flowchart TD\n"));
    assert!(mermaid.contains("n0 --> n1\n"), "{mermaid}");
    assert!(mermaid.contains("-.->|\"documented by\"|"));
    assert!(mermaid.contains("class n0 down;"));
    let dot = c
        .service_map(id("shop"), &MapOptions { depth: Some(1) }, None)
        .unwrap();
    assert_eq!(
        dot.nodes.iter().map(|n| n.key.as_str()).collect::<Vec<_>>(),
        ["shop", "app", "customers", "manual"]
    );
    let text = dot.to_dot();
    assert!(text.starts_with("digraph service_map {"));
    assert!(text.contains("n0 -> n1 [style=solid];"), "{text}");
    assert!(text.contains("n0 -> n3 [label=\"documented by\", style=dotted];"));
}

#[test]
fn imports_report_every_problem() {
    let a = ci("a", CiKind::Application);
    let mut dup_key = ci("b", CiKind::Application);
    dup_key.key = "a".into();
    let parts = CmdbParts {
        cis: vec![a.clone(), a.clone(), dup_key, ci("doc", CiKind::Document)],
        relations: vec![
            rel("a", DependsOn, "zz"),
            rel("doc", DependsOn, "a"),
            rel("a", DocumentedBy, "doc"),
            rel("a", DocumentedBy, "doc"),
        ],
        ..CmdbParts::default()
    };
    let e = Cmdb::from_parts(parts).unwrap_err();
    let kinds: Vec<String> = e
        .problems
        .iter()
        .map(|p| {
            format!("{p:?}")
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "DuplicateKey",
            "DuplicateKey",
            "UnknownCi",
            "KindMismatch",
            "DuplicateRelation"
        ]
    );
    assert!(e.to_string().starts_with(
        "import refused with 5 problem(s); first: a configuration item with key `a` already exists"
    ));

    let strict = CmdbParts {
        config: CmdbConfig {
            cycles: CyclePolicy::Reject,
        },
        cis: vec![ci("a", CiKind::Application), ci("b", CiKind::Application)],
        relations: vec![rel("a", DependsOn, "b"), rel("b", DependsOn, "a")],
        groups: vec![],
    };
    let e = Cmdb::from_parts(strict).unwrap_err();
    assert!(
        matches!(&e.problems[..], [CmdbError::Cycle { cycle }] if cycle.len() == 3),
        "{e}"
    );
}

#[test]
fn serde_round_trip_of_the_whole_cmdb() {
    let c = shop();
    let json = serde_json::to_string(&c).unwrap();
    let back: Cmdb = serde_json::from_str(&json).unwrap();
    assert_eq!(back, c);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    // A snapshot is validated when read back.
    let broken = json.replace("\"key\":\"app\"", "\"key\":\"shop\"");
    assert!(serde_json::from_str::<Cmdb>(&broken).is_err());
    let impact = c.impact_of(&[id("host-a")]).unwrap();
    let ij = serde_json::to_string(&impact).unwrap();
    let back: Impact = serde_json::from_str(&ij).unwrap();
    assert_eq!(back, impact);
    assert_eq!(back.path(id("shop")), impact.path(id("shop")));
    assert_eq!(serde_json::to_string(&back).unwrap(), ij);
    // A record whose causes are not among the affected is refused.
    let broken = ij.replacen(
        &format!("\"cause\":\"{}\"", id("host-a")),
        &format!("\"cause\":\"{}\"", id("manual")),
        1,
    );
    assert_ne!(broken, ij);
    assert!(serde_json::from_str::<Impact>(&broken).is_err());
}

#[test]
fn a_ci_added_twice_is_named_by_its_key_not_by_the_id_it_derives_to() {
    let mut c = shop();
    let e = c.add_ci(ci("app", CiKind::Application)).unwrap_err();
    assert_eq!(e, CmdbError::DuplicateKey { key: "app".into() });
    assert!(!e.to_string().contains(&id("app").to_string()), "{e}");
}

#[test]
fn a_redundancy_group_defined_twice_is_named_without_its_id() {
    let mut c = shop();
    let again = RedundancyGroup::new("web", id("shop"), vec![id("app")], 1);
    let e = c.add_group(again).unwrap_err().to_string();
    assert_eq!(e, "redundancy group `web` already exists");
}

#[test]
fn a_baseline_diff_holds_values_as_the_user_writes_them_not_rust_debug_text() {
    let mut c = shop();
    c.add_ci(ci("spare", CiKind::Document)).unwrap();
    let before = c.baseline("before", Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
    c.update_ci(
        id("spare"),
        CiPatch {
            kind: Some(CiKind::Other("runbook".into())),
            status: Some(CiStatus::Planned),
            provision: Some(Provision::ExternalSupplier(Id::from_key("fastnet"))),
            ..CiPatch::default()
        },
    )
    .unwrap();
    let after = c.baseline("after", Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap());
    let d = before.diff(&after);
    let fields: Vec<(&str, &str, &str)> = d.changed_cis[0]
        .fields
        .iter()
        .map(|f| (f.field.as_str(), f.before.as_str(), f.after.as_str()))
        .collect();
    let party = Id::<itsm_core::entity::Party>::from_key("fastnet").to_string();
    assert_eq!(
        fields[..3],
        [
            ("kind", "document", "other: runbook"),
            ("status", "active", "planned"),
            (
                "provision",
                "internal",
                format!("external_supplier: {party}").as_str()
            ),
        ]
    );
}
