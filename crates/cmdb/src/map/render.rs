//! DOT and Mermaid text of a [`ServiceMap`]: one layout (which edges, through which group
//! hexagon, with which label), two spellings.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use itsm_core::Id;

use super::{MapGroup, MapNode, ServiceMap, escape};
use crate::{Ci, CiStatus, ImpactState, Propagation, RelationKind};

/// One end of a drawn edge: a CI (by position in `nodes`) or a group hexagon (by position in
/// `groups`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum End {
    Node(usize),
    Group(usize),
}

impl End {
    fn id(self) -> String {
        match self {
            Self::Node(i) => format!("n{i}"),
            Self::Group(i) => format!("g{i}"),
        }
    }
}

/// One edge to draw.
#[derive(Debug)]
struct Edge {
    from: End,
    to: End,
    /// The relation kind shown on it; `None` for `depends on` and for the edge between a
    /// dependent and its group.
    label: Option<RelationKind>,
    /// False for relations along which no failure travels (drawn dotted).
    propagates: bool,
}

/// The edges of a map: relations between a dependent and a member of one of its groups go
/// through the group's hexagon (the dependent's side once, each member's side with its kind).
fn edges(map: &ServiceMap) -> Vec<Edge> {
    let position: HashMap<Id<Ci>, usize> = map
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id, i))
        .collect();
    let mut gate: HashMap<(Id<Ci>, Id<Ci>), usize> = HashMap::new();
    for (g, group) in map.groups.iter().enumerate() {
        for m in &group.members {
            gate.entry((group.dependent, *m)).or_insert(g);
        }
    }
    let mut out = Vec::new();
    let mut joined: HashSet<(End, End)> = HashSet::new();
    // In the order of the nodes they join, so the text reads top-down.
    let mut relations: Vec<(usize, usize, &crate::Relation)> = map
        .relations
        .iter()
        .filter_map(|r| Some((*position.get(&r.from)?, *position.get(&r.to)?, r)))
        .collect();
    relations.sort_by_key(|(a, b, r)| (*a, *b, r.kind));
    for (a, b, r) in relations {
        let (from, to) = (End::Node(a), End::Node(b));
        let label = (r.kind != RelationKind::DependsOn).then_some(r.kind);
        let grouped = match r.kind.propagation() {
            Propagation::ToSource => gate.get(&(r.from, r.to)).map(|g| (true, *g)),
            Propagation::ToTarget => gate.get(&(r.to, r.from)).map(|g| (false, *g)),
            Propagation::None => None,
        };
        let mut push = |from, to, label| {
            out.push(Edge {
                from,
                to,
                label,
                propagates: r.kind.propagates(),
            });
        };
        match grouped {
            // dependent -> group once, group -> member with the relation's kind
            Some((true, g)) => {
                if joined.insert((from, End::Group(g))) {
                    push(from, End::Group(g), None);
                }
                push(End::Group(g), to, label);
            }
            // member -> group with the kind (a part of a bundle), group -> dependent once
            Some((false, g)) => {
                push(from, End::Group(g), label);
                if joined.insert((End::Group(g), to)) {
                    push(End::Group(g), to, None);
                }
            }
            None => push(from, to, label),
        }
    }
    out
}

/// A CI's label lines: its key, its name unless it is the key, and its kind.
fn lines(n: &MapNode) -> Vec<&str> {
    let mut out = vec![n.key.as_str()];
    if n.name != n.key {
        out.push(n.name.as_str());
    }
    out.push(n.kind.name());
    out
}

/// A group's second label line.
fn threshold(g: &MapGroup) -> String {
    format!("{} of {}", g.min_up, g.size)
}

const FILL_DOWN: &str = "#f8b4b4";
const FILL_DEGRADED: &str = "#fde68a";
const FILL_RETIRED: &str = "#e5e7eb";
const FILL_GROUP: &str = "#f3f4f6";

impl ServiceMap {
    fn is_root(&self, n: &MapNode) -> bool {
        n.id == self.root
    }

    /// Graphviz DOT text of the map.
    ///
    /// Every label goes through one escaping function (quotes, backslashes, `&` and line
    /// breaks), so it shows the caller's text literally: `&lt;b&gt;` stays `&lt;b&gt;`.
    #[must_use]
    pub fn to_dot(&self) -> String {
        let mut out = String::from(
            "digraph service_map {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\"];\n",
        );
        for (i, n) in self.nodes.iter().enumerate() {
            let mut label: Vec<String> = lines(n).into_iter().map(escape::dot).collect();
            if let Some(kind) = label.last_mut() {
                *kind = format!("({kind})");
            }
            let fill = match n.impact {
                Some(ImpactState::Down) => FILL_DOWN,
                Some(ImpactState::Degraded) => FILL_DEGRADED,
                None if n.status == CiStatus::Retired => FILL_RETIRED,
                None => "#ffffff",
            };
            let style = if n.status == CiStatus::Planned {
                "rounded,filled,dashed"
            } else {
                "rounded,filled"
            };
            let shape = if self.is_root(n) {
                "doubleoctagon"
            } else {
                "box"
            };
            let pen = if n.failed {
                ", penwidth=3, color=\"#7f1d1d\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  n{i} [label=\"{}\", shape={shape}, style=\"{style}\", fillcolor=\"{fill}\"{pen}];",
                label.join("\\n"),
            );
        }
        for (i, g) in self.groups.iter().enumerate() {
            let fill = match g.impact {
                Some(ImpactState::Down) => FILL_DOWN,
                Some(ImpactState::Degraded) => FILL_DEGRADED,
                None => FILL_GROUP,
            };
            let _ = writeln!(
                out,
                "  g{i} [label=\"{}\\n{}\", shape=hexagon, style=\"filled\", fillcolor=\"{fill}\", fontsize=10];",
                escape::dot(&g.name),
                threshold(g),
            );
        }
        for e in edges(self) {
            let style = if e.propagates { "solid" } else { "dotted" };
            let label = e
                .label
                .map(|k| format!("label=\"{}\", ", escape::dot(&k.to_string())))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} -> {} [{label}style={style}];",
                e.from.id(),
                e.to.id()
            );
        }
        out.push_str("}\n");
        out
    }

    /// Mermaid flowchart text of the map.
    ///
    /// Node ids are generated (`n0`, `g0`, …); every label is quoted and goes through one
    /// escaping function, so no key or name can add a statement, a comment, an `init`
    /// directive, an entity or markup. Mermaid refuses diagrams longer than its
    /// `maxTextSize` (50 000 characters by default), which a map of a few hundred CIs with long
    /// names can reach.
    #[must_use]
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart TD\n");
        for (i, n) in self.nodes.iter().enumerate() {
            let mut label: Vec<String> = lines(n).into_iter().map(escape::mermaid).collect();
            if let Some(kind) = label.last_mut() {
                *kind = format!("({kind})");
            }
            let (open, close) = if self.is_root(n) {
                ("[[", "]]")
            } else {
                ("[", "]")
            };
            let _ = writeln!(out, "  n{i}{open}\"{}\"{close}", label.join("<br/>"));
        }
        for (i, g) in self.groups.iter().enumerate() {
            let _ = writeln!(
                out,
                "  g{i}{{{{\"{}<br/>{}\"}}}}",
                escape::mermaid(&g.name),
                threshold(g)
            );
        }
        for e in edges(self) {
            let arrow = if e.propagates { "-->" } else { "-.->" };
            let label = e
                .label
                .map(|k| format!("|\"{}\"|", escape::mermaid(&k.to_string())))
                .unwrap_or_default();
            let _ = writeln!(out, "  {} {arrow}{label} {}", e.from.id(), e.to.id());
        }
        out.push_str("  classDef root stroke-width:3px;\n");
        out.push_str("  classDef failed fill:#f8b4b4,stroke:#7f1d1d,stroke-width:4px;\n");
        out.push_str("  classDef down fill:#f8b4b4,stroke:#b91c1c;\n");
        out.push_str("  classDef degraded fill:#fde68a,stroke:#b45309;\n");
        out.push_str("  classDef retired fill:#e5e7eb,stroke:#6b7280;\n");
        out.push_str("  classDef planned stroke-dasharray: 5 5;\n");
        out.push_str("  classDef group fill:#f3f4f6,stroke:#6b7280;\n");
        for (i, n) in self.nodes.iter().enumerate() {
            // Later classes win: status first, then the root mark, then the impact.
            let status = match n.status {
                CiStatus::Retired => Some("retired"),
                CiStatus::Planned => Some("planned"),
                CiStatus::Active => None,
            };
            let root = self.is_root(n).then_some("root");
            let impact = match n.impact {
                Some(ImpactState::Down) if n.failed => Some("failed"),
                Some(ImpactState::Down) => Some("down"),
                Some(ImpactState::Degraded) => Some("degraded"),
                None => None,
            };
            for c in [status, root, impact].into_iter().flatten() {
                let _ = writeln!(out, "  class n{i} {c};");
            }
        }
        for (i, g) in self.groups.iter().enumerate() {
            let _ = writeln!(out, "  class g{i} group;");
            match g.impact {
                Some(ImpactState::Down) => {
                    let _ = writeln!(out, "  class g{i} down;");
                }
                Some(ImpactState::Degraded) => {
                    let _ = writeln!(out, "  class g{i} degraded;");
                }
                None => {}
            }
        }
        out
    }
}
