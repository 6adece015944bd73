//! Hostile CI keys and names, and the maps that draw them.
//!
//! `data/hostile-labels.json` lists texts that have broken or restyled service maps, or
//! could: Mermaid `init` directives and comments, entities, Markdown strings, statements,
//! markup, DOT escapes, line breaks, scripts in many languages, the longest keys and names, and
//! texts the CMDB refuses (control characters, padding, over-long). [`maps`] draws every text
//! as a key, a name, a kind name and a group name, through a real [`Cmdb`] where it accepts the
//! text and through hand-built [`ServiceMap`]s otherwise; [`scenario`] is the same CMDB as a
//! scenario document, for `itsm map`. The tests of the maps' text, and of Graphviz and Mermaid
//! reading it, use them.

use itsm_cmdb::{
    Ci, CiKind, CiStatus, Cmdb, ImpactState, MapGroup, MapNode, MapOptions, RedundancyGroup,
    Relation, RelationKind, ServiceMap, ServiceProfile,
};
use itsm_core::{Id, text};
use serde::Deserialize;

/// How many corpus texts one map draws (a map of every text at once would pass Mermaid's
/// default `maxTextSize`).
const CHUNK: usize = 8;

/// One hostile text and why it is in the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    /// The text.
    pub text: String,
    /// What it has broken, or could.
    pub why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Corpus {
    #[expect(dead_code, reason = "documentation in the file")]
    about: String,
    labels: Vec<Label>,
}

/// The corpus of hostile texts.
///
/// # Errors
/// The file does not parse (a broken edit of `data/hostile-labels.json`).
pub fn labels() -> Result<Vec<Label>, serde_json::Error> {
    serde_json::from_str::<Corpus>(include_str!("../data/hostile-labels.json")).map(|c| c.labels)
}

/// A map of hostile texts, named for messages and file names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostileMap {
    /// `cmdb-3`, `cmdb-3-failed`, `raw-3` …
    pub name: String,
    /// The map.
    pub map: ServiceMap,
}

/// A CMDB of hostile texts, as a plan that can be built or written as a scenario.
#[derive(Debug, Clone, Default)]
struct Plan {
    cis: Vec<(String, String, CiKind)>,
    relations: Vec<(String, RelationKind, String)>,
    groups: Vec<(String, String, Vec<String>)>,
    /// Per chunk: the root's key and the key of a CI to fail.
    roots: Vec<(String, String)>,
}

fn plan(labels: &[Label]) -> Plan {
    let key_ok = |t: &str| text::check_key("key", t).is_ok();
    let name_ok = |t: &str| text::check_name("name", t).is_ok();
    let names: Vec<&str> = labels
        .iter()
        .map(|l| l.text.as_str())
        .filter(|t| name_ok(t))
        .collect();
    let mut p = Plan::default();
    for (c, chunk) in labels.chunks(CHUNK).enumerate() {
        let root = format!("root-{c}");
        let root_name = names
            .get(c % names.len().max(1))
            .map_or_else(|| root.clone(), |n| (*n).to_owned());
        p.cis.push((
            root.clone(),
            root_name,
            CiKind::Service(ServiceProfile::default()),
        ));
        let mut children = Vec::new();
        for (i, l) in chunk.iter().enumerate() {
            let t = l.text.as_str();
            let n = c * CHUNK + i;
            let (key, kind) = if key_ok(t) {
                (t.to_owned(), CiKind::Other(t.to_owned()))
            } else if name_ok(t) {
                (format!("name-{n}"), CiKind::Application)
            } else {
                continue;
            };
            // The name is the text when it may be one, else another text of the corpus.
            let name = if name_ok(t) {
                t.to_owned()
            } else {
                names
                    .get(n % names.len().max(1))
                    .map_or_else(|| key.clone(), |x| (*x).to_owned())
            };
            p.cis.push((key.clone(), name, kind));
            p.relations
                .push((root.clone(), RelationKind::DependsOn, key.clone()));
            children.push(key);
        }
        // Pairs of children as 1-of-2 groups named by a text of the chunk.
        for (g, pair) in children.chunks(2).take(2).enumerate() {
            if let [a, b] = pair {
                let name = if key_ok(a) && !a.starts_with("name-") {
                    a.clone()
                } else {
                    format!("group-{c}-{g}")
                };
                p.groups
                    .push((name, root.clone(), vec![a.clone(), b.clone()]));
            }
        }
        // A document and a consumer group, for the dotted edges.
        let doc = format!("doc-{c}");
        let doc_name = names
            .get((c + 1) % names.len().max(1))
            .map_or_else(|| doc.clone(), |x| (*x).to_owned());
        p.cis.push((doc.clone(), doc_name, CiKind::Document));
        p.relations
            .push((root.clone(), RelationKind::DocumentedBy, doc));
        if let Some(first) = children.first() {
            p.roots.push((root, first.clone()));
        }
    }
    p
}

fn build(p: &Plan) -> Result<Cmdb, itsm_cmdb::CmdbError> {
    let mut cmdb = Cmdb::new();
    let id = |k: &str| Id::<Ci>::from_key(k);
    for (key, name, kind) in &p.cis {
        cmdb.add_ci(Ci::new(key.clone(), name.clone(), kind.clone()))?;
    }
    for (a, kind, b) in &p.relations {
        cmdb.relate(Relation::new(id(a), *kind, id(b)))?;
    }
    for (name, dependent, members) in &p.groups {
        cmdb.add_group(RedundancyGroup::new(
            name.clone(),
            id(dependent),
            members.iter().map(|m| id(m)).collect(),
            1,
        ))?;
    }
    Ok(cmdb)
}

/// Hand-built maps holding every text as it is, as key, name, kind name and group name, in
/// every state: also the texts the CMDB refuses (line breaks, control characters, padding,
/// over-long, empty).
fn raw_maps(labels: &[Label]) -> Vec<HostileMap> {
    labels
        .chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let root = Id::<Ci>::from_key(&format!("raw-root-{c}"));
            let mut nodes = vec![MapNode {
                id: root,
                key: format!("raw-root-{c}"),
                name: chunk.first().map(|l| l.text.clone()).unwrap_or_default(),
                kind: CiKind::Service(ServiceProfile::default()),
                status: CiStatus::Active,
                impact: Some(ImpactState::Degraded),
                failed: false,
            }];
            let mut relations = Vec::new();
            for (i, l) in chunk.iter().enumerate() {
                let id = Id::<Ci>::from_key(&format!("raw-{c}-{i}"));
                let (status, impact, failed) = match i % 4 {
                    0 => (CiStatus::Active, Some(ImpactState::Down), true),
                    1 => (CiStatus::Planned, Some(ImpactState::Down), false),
                    2 => (CiStatus::Retired, None, false),
                    _ => (CiStatus::Active, Some(ImpactState::Degraded), false),
                };
                nodes.push(MapNode {
                    id,
                    key: l.text.clone(),
                    name: chunk
                        .get(i + 1)
                        .map_or_else(|| l.text.clone(), |n| n.text.clone()),
                    kind: CiKind::Other(l.text.clone()),
                    status,
                    impact,
                    failed,
                });
                let kind = if i % 3 == 2 {
                    RelationKind::RunsOn
                } else {
                    RelationKind::DependsOn
                };
                relations.push(Relation::new(root, kind, id));
            }
            let member = |i: usize| nodes.get(i).map(|n: &MapNode| n.id);
            let groups = [(1, 2), (3, 4)]
                .into_iter()
                .filter_map(|(a, b)| {
                    let name = chunk.get(a - 1).map(|l| l.text.clone())?;
                    Some(MapGroup {
                        name,
                        dependent: root,
                        members: vec![member(a)?, member(b)?],
                        min_up: 1,
                        size: 2,
                        impact: Some(ImpactState::Degraded),
                    })
                })
                .collect();
            HostileMap {
                name: format!("raw-{c}"),
                map: ServiceMap {
                    root,
                    nodes,
                    relations,
                    groups,
                },
            }
        })
        .collect()
}

/// Every map of the corpus: per chunk of eight texts, the map through a real CMDB plain and
/// with a failure highlighted (`cmdb-N`, `cmdb-N-failed`), and a hand-built one (`raw-N`).
///
/// # Errors
/// The corpus does not parse, or the CMDB refuses what the plan built from it (a bug here).
pub fn maps() -> Result<Vec<HostileMap>, Box<dyn std::error::Error>> {
    let labels = labels()?;
    let p = plan(&labels);
    let cmdb = build(&p)?;
    let mut out = Vec::new();
    for (c, (root, fail)) in p.roots.iter().enumerate() {
        let root = Id::<Ci>::from_key(root);
        let impact = cmdb.impact_of(&[Id::from_key(fail)])?;
        out.push(HostileMap {
            name: format!("cmdb-{c}"),
            map: cmdb.service_map(root, &MapOptions::default(), None)?,
        });
        out.push(HostileMap {
            name: format!("cmdb-{c}-failed"),
            map: cmdb.service_map(root, &MapOptions::default(), Some(&impact))?,
        });
    }
    out.extend(raw_maps(&labels));
    Ok(out)
}

/// The CMDB of [`maps`] as a scenario document, with the root of each map and a CI to fail in
/// it (`[(root, fail)]`), for `itsm map`.
///
/// # Errors
/// The corpus does not parse.
pub fn scenario() -> Result<(String, Vec<(String, String)>), serde_json::Error> {
    use serde_json::json;
    let labels = labels()?;
    let p = plan(&labels);
    let at = "2026-01-05T09:00:00Z";
    let mut steps = vec![json!({
        "at": at, "actor": "cfg", "op": "define_organisation",
        "actors": [{ "key": "cfg", "name": "Configuration manager",
                     "roles": ["top_management", { "process_owner": "configuration_management" }] }]
    })];
    for (key, name, kind) in &p.cis {
        steps.push(
            json!({ "at": at, "actor": "cfg", "op": "add_ci", "key": key, "name": name,
                           "kind": serde_json::to_value(kind)? }),
        );
    }
    for (from, kind, to) in &p.relations {
        steps.push(
            json!({ "at": at, "actor": "cfg", "op": "relate", "from": from,
                           "kind": serde_json::to_value(kind)?, "to": to }),
        );
    }
    for (name, dependent, members) in &p.groups {
        steps.push(
            json!({ "at": at, "actor": "cfg", "op": "add_redundancy_group", "name": name,
                           "dependent": dependent, "members": members, "min_up": 1 }),
        );
    }
    let doc = json!({ "format": 1, "name": "hostile CI keys and names", "steps": steps });
    Ok((serde_json::to_string_pretty(&doc)?, p.roots))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_parses_and_its_texts_are_distinct() {
        let labels = labels().unwrap();
        assert!(labels.len() >= 60, "{}", labels.len());
        let mut texts: Vec<&str> = labels.iter().map(|l| l.text.as_str()).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), labels.len());
    }

    #[test]
    fn every_text_is_drawn_and_most_go_through_the_cmdb() {
        let labels = labels().unwrap();
        let maps = maps().unwrap();
        let raw: Vec<&str> = maps
            .iter()
            .filter(|m| m.name.starts_with("raw-"))
            .flat_map(|m| m.map.nodes.iter().map(|n| n.key.as_str()))
            .collect();
        let cmdb: Vec<&str> = maps
            .iter()
            .filter(|m| m.name.starts_with("cmdb-"))
            .flat_map(|m| {
                m.map
                    .nodes
                    .iter()
                    .flat_map(|n| [n.key.as_str(), n.name.as_str()])
            })
            .collect();
        for l in &labels {
            assert!(raw.contains(&l.text.as_str()), "`{}`", l.text);
        }
        let missing: Vec<&str> = labels
            .iter()
            .map(|l| l.text.as_str())
            .filter(|t| !cmdb.contains(t))
            .collect();
        // Line breaks (6), tab, NUL, padding, over-long, empty: the hand-built maps draw them.
        assert_eq!(missing.len(), 11, "{}", missing.join(" / "));
        assert!(
            maps.iter()
                .any(|m| !m.map.groups.is_empty() && m.name.starts_with("cmdb-"))
        );
    }
}
