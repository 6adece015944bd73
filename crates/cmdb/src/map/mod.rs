//! Service maps as text: Graphviz DOT and Mermaid.
//!
//! "Visual service mapping" (ISO/IEC TR 20000-17 5.2) shows a service with what it needs and
//! who consumes it. [`Cmdb::service_map`] selects that neighbourhood, with the redundancy groups
//! among it and, when given an [`Impact`], how a failure affects each CI.
//! [`ServiceMap::to_dot`] and [`ServiceMap::to_mermaid`] render it (see [`ServiceMap`] for
//! what they show). Writing files is the caller's business.

mod escape;
mod render;

use std::collections::HashSet;

use itsm_core::Id;
use petgraph::Direction;
use petgraph::visit::EdgeRef;
use serde::{Deserialize, Serialize};

use crate::query::walk;
use crate::{Ci, CiKind, CiStatus, Cmdb, CmdbError, Impact, ImpactState, Relation};

/// What to draw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MapOptions {
    /// How many dependency steps below the root to include; `None` for all.
    pub depth: Option<u32>,
}

/// One CI on a map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapNode {
    /// The CI.
    pub id: Id<Ci>,
    /// Its key.
    pub key: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: CiKind,
    /// Its status.
    pub status: CiStatus,
    /// How a highlighted impact affects it.
    pub impact: Option<ImpactState>,
    /// True when it is one of the CIs the highlighted impact failed.
    #[serde(default)]
    pub failed: bool,
}

/// A redundancy group on a map: `dependent` needs `min_up` of the group's `size` members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapGroup {
    /// The group's name.
    pub name: String,
    /// The CI that needs the group.
    pub dependent: Id<Ci>,
    /// The members shown on the map (all of them unless the depth cut some off).
    pub members: Vec<Id<Ci>>,
    /// How many members must be up for the dependent to be up.
    pub min_up: usize,
    /// How many members the group has, shown or not.
    pub size: usize,
    /// The group's state under a highlighted impact: down when fewer than `min_up` members
    /// are up, degraded when some member is down or degraded but enough remain.
    pub impact: Option<ImpactState>,
}

/// A selected neighbourhood of the graph, ready to render. [`ServiceMap::to_dot`] and
/// [`ServiceMap::to_mermaid`] draw it:
///
/// - the root is drawn apart (a double octagon in DOT, a double-bordered box in Mermaid);
/// - each CI shows its key, its name when it differs from the key, and its kind;
/// - failed CIs are red with a heavy border, CIs that went down red, degraded ones amber;
///   planned CIs are dashed and retired ones grey;
/// - a redundancy group is a hexagon between the dependent and its members, labelled with its
///   name and `k of n`: a 1-of-2 pair reads as one redundant dependency, not two single points
///   of failure, and the hexagon takes the colour of the group's state;
/// - `depends on` edges carry no label, other kinds do; relations along which no failure
///   travels (`documented by`, `consumed by`) are dotted.
///
/// Every piece of caller text is escaped for the format it goes into (`escape.rs`), and node
/// ids are generated (`n0`, `n1`, … and `g0`, … for groups), never taken from keys: no key or
/// name can add a statement, a directive or markup to the output.
///
/// ```
/// use itsm_cmdb::{Ci, CiKind, Cmdb, MapOptions, RedundancyGroup, Relation, RelationKind, ServiceProfile};
///
/// let mut cmdb = Cmdb::new();
/// let shop = Ci::new("shop", "Web shop", CiKind::Service(ServiceProfile::default()));
/// let isp_a = Ci::new("isp-a", "ISP %%{init: {\"theme\":\"dark\"}}%%", CiKind::ExternalService);
/// let isp_b = Ci::new("isp-b", "isp-b", CiKind::ExternalService);
/// let (shop_id, a, b) = (shop.id, isp_a.id, isp_b.id);
/// for ci in [shop, isp_a, isp_b] {
///     cmdb.add_ci(ci)?;
/// }
/// cmdb.relate(Relation::new(shop_id, RelationKind::DependsOn, a))?;
/// cmdb.relate(Relation::new(shop_id, RelationKind::DependsOn, b))?;
/// cmdb.add_group(RedundancyGroup::new("uplinks", shop_id, vec![a, b], 1))?;
///
/// let outage = cmdb.impact_of(&[a])?;
/// let map = cmdb.service_map(shop_id, &MapOptions::default(), Some(&outage))?;
/// let mermaid = map.to_mermaid();
/// assert!(mermaid.contains(r#"n0[["shop<br/>Web shop<br/>(service)"]]"#));
/// assert!(mermaid.contains(r#"g0{{"uplinks<br/>1 of 2"}}"#));
/// assert!(mermaid.contains("n0 --> g0\n  g0 --> n1\n  g0 --> n2"));
/// assert!(mermaid.contains("class n1 failed;") && mermaid.contains("class n0 degraded;"));
/// assert!(!mermaid.contains("%%")); // the name is shown, never applied as configuration
/// assert!(mermaid.contains(r#"n2["isp-b<br/>(external service)"]"#)); // name = key: one line
/// assert!(map.to_dot().contains(r#"g0 [label="uplinks\n1 of 2", shape=hexagon"#));
/// # Ok::<(), itsm_cmdb::CmdbError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceMap {
    /// The CI the map is centred on.
    pub root: Id<Ci>,
    /// The CIs shown, root first, then nearest first.
    pub nodes: Vec<MapNode>,
    /// The relations among them.
    pub relations: Vec<Relation>,
    /// The redundancy groups whose dependent and at least one member are shown, by name.
    #[serde(default)]
    pub groups: Vec<MapGroup>,
}

impl Cmdb {
    /// The map of `root`: the root, everything it needs (down to `options.depth`), and the
    /// documents and consumer groups those CIs are related to; every relation and redundancy
    /// group among them; coloured by `highlight` when given.
    ///
    /// Costs what the map holds: the walk, the relations of the CIs shown, and one lookup per
    /// relation for its group.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`].
    pub fn service_map(
        &self,
        root: Id<Ci>,
        options: &MapOptions,
        highlight: Option<&Impact>,
    ) -> Result<ServiceMap, CmdbError> {
        let index = self.index();
        let start = index
            .dense(self, root)
            .ok_or(CmdbError::UnknownCi { id: root })?;
        let mut ids = vec![root];
        ids.extend(
            walk(index, start, true)
                .into_iter()
                .filter(|(_, _, depth)| options.depth.is_none_or(|d| *depth <= d))
                .filter_map(|(v, _, _)| index.id(v)),
        );
        let mut chosen: HashSet<Id<Ci>> = ids.iter().copied().collect();
        // One step of non-propagating relations: documents and consumer groups, by key.
        let mut extra = Vec::new();
        for id in &ids {
            let node = self.node(*id)?;
            for e in self.graph.edges_directed(node, Direction::Outgoing) {
                if !e.weight().propagates() {
                    if let Some(t) = self.graph.node_weight(e.target()) {
                        if chosen.insert(t.id) {
                            extra.push(t);
                        }
                    }
                }
            }
        }
        extra.sort_by(|a, b| a.key.cmp(&b.key));
        ids.extend(extra.into_iter().map(|c| c.id));
        let failed: HashSet<Id<Ci>> = highlight.map(|i| i.failed().collect()).unwrap_or_default();
        let nodes = ids
            .iter()
            .filter_map(|id| self.ci(*id))
            .map(|ci| MapNode {
                id: ci.id,
                key: ci.key.clone(),
                name: ci.name.clone(),
                kind: ci.kind.clone(),
                status: ci.status,
                impact: highlight.and_then(|i| i.state(ci.id)),
                failed: failed.contains(&ci.id),
            })
            .collect();
        let mut relations = Vec::new();
        for id in &ids {
            for r in self.relations_of(*id)? {
                if r.from == *id && chosen.contains(&r.to) {
                    relations.push(r);
                }
            }
        }
        let groups = self.map_groups(&relations, &chosen, highlight);
        Ok(ServiceMap {
            root,
            nodes,
            relations,
            groups,
        })
    }

    /// The groups behind the map's relations, by name.
    fn map_groups(
        &self,
        relations: &[Relation],
        chosen: &HashSet<Id<Ci>>,
        highlight: Option<&Impact>,
    ) -> Vec<MapGroup> {
        let mut found = HashSet::new();
        for r in relations {
            let pair = match r.kind.propagation() {
                crate::Propagation::ToSource => (r.from, r.to),
                crate::Propagation::ToTarget => (r.to, r.from),
                crate::Propagation::None => continue,
            };
            if let Some(g) = self.grouped.get(&pair) {
                found.insert(*g);
            }
        }
        let mut groups: Vec<MapGroup> = found
            .into_iter()
            .filter_map(|g| self.groups.get(&g))
            .map(|g| {
                let states = g
                    .members
                    .iter()
                    .map(|m| highlight.and_then(|i| i.state(*m)));
                let down = states
                    .clone()
                    .filter(|s| *s == Some(ImpactState::Down))
                    .count();
                let impact = if g.members.len().saturating_sub(down) < g.min_up {
                    Some(ImpactState::Down)
                } else if states.clone().any(|s| s.is_some()) {
                    Some(ImpactState::Degraded)
                } else {
                    None
                };
                MapGroup {
                    name: g.name.clone(),
                    dependent: g.dependent,
                    members: g
                        .members
                        .iter()
                        .copied()
                        .filter(|m| chosen.contains(m))
                        .collect(),
                    min_up: g.min_up,
                    size: g.members.len(),
                    impact,
                }
            })
            .collect();
        groups.sort_by(|a, b| a.name.cmp(&b.name).then(a.dependent.cmp(&b.dependent)));
        groups
    }
}

#[cfg(test)]
mod tests;
