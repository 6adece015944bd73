//! Service maps as text: Graphviz DOT and Mermaid.
//!
//! "Visual service mapping" (ISO/IEC TR 20000-17 5.2) shows a service with what it needs and
//! who consumes it. [`Cmdb::service_map`] selects that neighbourhood; [`ServiceMap::to_dot`] and
//! [`ServiceMap::to_mermaid`] render it, coloured by impact (down red, degraded amber) and
//! status (planned dashed, retired grey). Writing files is the caller's business.

use std::collections::HashSet;
use std::fmt::Write as _;

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
}

/// A selected neighbourhood of the graph, ready to render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceMap {
    /// The CI the map is centred on.
    pub root: Id<Ci>,
    /// The CIs shown, root first, then nearest first.
    pub nodes: Vec<MapNode>,
    /// The relations among them.
    pub relations: Vec<Relation>,
}

impl Cmdb {
    /// The map of `root`: the root, everything it needs (down to `options.depth`), and the
    /// documents and consumer groups those CIs are related to; every relation among them;
    /// coloured by `highlight` when given.
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
        Ok(ServiceMap {
            root,
            nodes,
            relations,
        })
    }
}

fn escape_dot(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn escape_mermaid(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

impl ServiceMap {
    fn position(&self, id: Id<Ci>) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// Graphviz DOT text of the map.
    #[must_use]
    pub fn to_dot(&self) -> String {
        let mut out = String::from(
            "digraph service_map {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\"];\n",
        );
        for (i, n) in self.nodes.iter().enumerate() {
            let fill = match n.impact {
                Some(ImpactState::Down) => "#f8b4b4",
                Some(ImpactState::Degraded) => "#fde68a",
                None if n.status == CiStatus::Retired => "#e5e7eb",
                None => "#ffffff",
            };
            let style = if n.status == CiStatus::Planned {
                "rounded,filled,dashed"
            } else {
                "rounded,filled"
            };
            let shape = if n.id == self.root {
                "doubleoctagon"
            } else {
                "box"
            };
            let _ = writeln!(
                out,
                "  n{i} [label=\"{}\\n{}\\n({})\", shape={shape}, style=\"{style}\", fillcolor=\"{fill}\"];",
                escape_dot(&n.key),
                escape_dot(&n.name),
                escape_dot(n.kind.name())
            );
        }
        for r in &self.relations {
            if let (Some(a), Some(b)) = (self.position(r.from), self.position(r.to)) {
                let style = if r.kind.propagates() {
                    "solid"
                } else {
                    "dotted"
                };
                let _ = writeln!(out, "  n{a} -> n{b} [label=\"{}\", style={style}];", r.kind);
            }
        }
        out.push_str("}\n");
        out
    }

    /// Mermaid flowchart text of the map.
    #[must_use]
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart TD\n");
        for (i, n) in self.nodes.iter().enumerate() {
            let _ = writeln!(
                out,
                "  n{i}[\"{}<br/>{}<br/>({})\"]",
                escape_mermaid(&n.key),
                escape_mermaid(&n.name),
                escape_mermaid(n.kind.name())
            );
        }
        for r in &self.relations {
            if let (Some(a), Some(b)) = (self.position(r.from), self.position(r.to)) {
                let arrow = if r.kind.propagates() { "-->" } else { "-.->" };
                let _ = writeln!(out, "  n{a} {arrow}|{}| n{b}", r.kind);
            }
        }
        out.push_str("  classDef down fill:#f8b4b4,stroke:#b91c1c;\n");
        out.push_str("  classDef degraded fill:#fde68a,stroke:#b45309;\n");
        out.push_str("  classDef retired fill:#e5e7eb,stroke:#6b7280;\n");
        out.push_str("  classDef planned stroke-dasharray: 5 5;\n");
        for (i, n) in self.nodes.iter().enumerate() {
            let class = match (n.impact, n.status) {
                (Some(ImpactState::Down), _) => Some("down"),
                (Some(ImpactState::Degraded), _) => Some("degraded"),
                (None, CiStatus::Retired) => Some("retired"),
                (None, CiStatus::Planned) => Some("planned"),
                (None, CiStatus::Active) => None,
            };
            if let Some(c) = class {
                let _ = writeln!(out, "  class n{i} {c};");
            }
        }
        out
    }
}
