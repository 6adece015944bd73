//! What the maps say: groups, the root, labels, colours.

use itsm_core::Id;

use crate::RelationKind::*;
use crate::*;

fn ci(key: &str, name: &str, kind: CiKind) -> Ci {
    Ci::new(key, name, kind)
}

fn id(key: &str) -> Id<Ci> {
    Id::from_key(key)
}

fn service() -> CiKind {
    CiKind::Service(ServiceProfile::default())
}

/// shop (service) depends on isp-a and isp-b, one of which is enough; shop runs on host.
fn uplinks() -> Cmdb {
    let mut c = Cmdb::new();
    for x in [
        ci("shop", "Web shop", service()),
        ci("isp-a", "ISP A", CiKind::ExternalService),
        ci("isp-b", "isp-b", CiKind::ExternalService),
        ci("host", "Host", CiKind::Hardware),
    ] {
        c.add_ci(x).unwrap();
    }
    for (a, k, b) in [
        ("shop", DependsOn, "isp-a"),
        ("shop", DependsOn, "isp-b"),
        ("shop", RunsOn, "host"),
    ] {
        c.relate(Relation::new(id(a), k, id(b))).unwrap();
    }
    c.add_group(RedundancyGroup::new(
        "uplinks",
        id("shop"),
        vec![id("isp-a"), id("isp-b")],
        1,
    ))
    .unwrap();
    c
}

fn map_of(c: &Cmdb, root: &str, failed: &[&str]) -> ServiceMap {
    let ids: Vec<Id<Ci>> = failed.iter().map(|k| id(k)).collect();
    let impact = c.impact_of(&ids).unwrap();
    c.service_map(
        id(root),
        &MapOptions::default(),
        (!failed.is_empty()).then_some(&impact),
    )
    .unwrap()
}

#[test]
fn a_redundant_pair_is_drawn_as_one_group_not_two_single_points_of_failure() {
    let map = map_of(&uplinks(), "shop", &[]);
    assert_eq!(map.groups.len(), 1);
    assert_eq!(map.groups[0].name, "uplinks");
    assert_eq!((map.groups[0].min_up, map.groups[0].size), (1, 2));
    let mermaid = map.to_mermaid();
    assert!(
        mermaid.contains("  g0{{\"uplinks<br/>1 of 2\"}}\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("  n0 --> g0\n  g0 --> n1\n  g0 --> n2\n"),
        "{mermaid}"
    );
    assert!(!mermaid.contains("n0 --> n1") && !mermaid.contains("n0 --> n2"));
    assert!(mermaid.contains("  n0 -->|\"runs on\"| n3\n"), "{mermaid}");
    let dot = map.to_dot();
    assert!(
        dot.contains("  g0 [label=\"uplinks\\n1 of 2\", shape=hexagon"),
        "{dot}"
    );
    assert!(dot.contains(
        "  n0 -> g0 [style=solid];\n  g0 -> n1 [style=solid];\n  g0 -> n2 [style=solid];\n"
    ));
    assert!(!dot.contains("n0 -> n1") && !dot.contains("n0 -> n2"));
}

#[test]
fn parts_of_a_bundle_in_a_group_reach_the_bundle_through_the_group() {
    let mut c = Cmdb::new();
    for x in [
        ci("bundle", "Bundle", service()),
        ci("desk-a", "Desk A", service()),
        ci("desk-b", "Desk B", service()),
    ] {
        c.add_ci(x).unwrap();
    }
    for part in ["desk-a", "desk-b"] {
        c.relate(Relation::new(id(part), PartOf, id("bundle")))
            .unwrap();
    }
    c.add_group(RedundancyGroup::new(
        "desks",
        id("bundle"),
        vec![id("desk-a"), id("desk-b")],
        1,
    ))
    .unwrap();
    let mermaid = map_of(&c, "bundle", &["desk-a"]).to_mermaid();
    assert!(
        mermaid.contains("  n1 -->|\"part of\"| g0\n  g0 --> n0\n  n2 -->|\"part of\"| g0\n"),
        "{mermaid}"
    );
    assert!(mermaid.contains("class g0 degraded;") && mermaid.contains("class n0 degraded;"));
}

#[test]
fn the_root_is_marked_in_mermaid_as_in_dot() {
    let map = map_of(&uplinks(), "shop", &[]);
    let mermaid = map.to_mermaid();
    assert!(
        mermaid.contains("  n0[[\"shop<br/>Web shop<br/>(service)\"]]\n"),
        "{mermaid}"
    );
    assert!(mermaid.contains("  class n0 root;\n"));
    assert_eq!(mermaid.matches("[[").count(), 1);
    assert!(
        map.to_dot()
            .contains("  n0 [label=\"shop\\nWeb shop\\n(service)\", shape=doubleoctagon")
    );
}

#[test]
fn depends_on_goes_unlabelled_and_a_name_equal_to_its_key_is_not_repeated() {
    let map = map_of(&uplinks(), "shop", &[]);
    let mermaid = map.to_mermaid();
    assert!(!mermaid.contains("depends on"), "{mermaid}");
    assert!(mermaid.contains("  n2[\"isp-b<br/>(external service)\"]\n"));
    assert!(mermaid.contains("  n1[\"isp-a<br/>ISP A<br/>(external service)\"]\n"));
    let dot = map.to_dot();
    assert!(!dot.contains("depends on"), "{dot}");
    assert!(dot.contains("label=\"runs on\""));
    assert!(dot.contains("  n2 [label=\"isp-b\\n(external service)\""));
}

#[test]
fn failed_down_and_degraded_cis_and_groups_are_coloured() {
    let c = uplinks();
    let one = map_of(&c, "shop", &["isp-a"]);
    assert!(one.nodes[1].failed && !one.nodes[0].failed);
    assert_eq!(one.groups[0].impact, Some(ImpactState::Degraded));
    let mermaid = one.to_mermaid();
    for line in [
        "class n0 degraded;",
        "class n1 failed;",
        "class g0 group;",
        "class g0 degraded;",
    ] {
        assert!(mermaid.contains(line), "{line} in {mermaid}");
    }
    assert!(!mermaid.contains("class n2"));
    let dot = one.to_dot();
    assert!(dot.contains("fillcolor=\"#f8b4b4\", penwidth=3"), "{dot}");
    assert!(dot.contains("shape=hexagon, style=\"filled\", fillcolor=\"#fde68a\""));

    let both = map_of(&c, "shop", &["isp-a", "isp-b"]);
    assert_eq!(both.groups[0].impact, Some(ImpactState::Down));
    let mermaid = both.to_mermaid();
    for line in [
        "class n0 down;",
        "class n1 failed;",
        "class n2 failed;",
        "class g0 down;",
    ] {
        assert!(mermaid.contains(line), "{line} in {mermaid}");
    }
    let host = map_of(&c, "shop", &["host"]);
    assert_eq!(host.groups[0].impact, None);
    assert!(host.to_mermaid().contains("class n0 down;"));
}

#[test]
fn a_depth_cut_keeps_the_group_size_and_drops_groups_without_shown_members() {
    let c = uplinks();
    let shallow = c
        .service_map(id("shop"), &MapOptions { depth: Some(0) }, None)
        .unwrap();
    assert_eq!(shallow.nodes.len(), 1);
    assert!(shallow.groups.is_empty());
    assert!(!shallow.to_mermaid().contains("g0"));
}

#[test]
fn maps_read_back_from_json_and_from_json_written_before_groups() {
    let map = map_of(&uplinks(), "shop", &["isp-a"]);
    let json = serde_json::to_value(&map).unwrap();
    let back: ServiceMap = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, map);
    let mut old = json;
    old.as_object_mut().unwrap().remove("groups");
    for n in old["nodes"].as_array_mut().unwrap() {
        n.as_object_mut().unwrap().remove("failed");
    }
    let back: ServiceMap = serde_json::from_value(old).unwrap();
    assert!(back.groups.is_empty() && back.nodes.iter().all(|n| !n.failed));
}
