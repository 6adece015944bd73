//! The [`Cmdb`]: the configuration graph and the one place that changes it.
//!
//! Storage is a petgraph `StableDiGraph` (indices survive removals) holding each relation as
//! given, plus an id index and a key index. Reads that walk the graph use a read-optimised
//! [`crate::index`] (compressed sparse rows of the dependency edges), built on the first query
//! after a change and dropped by every change. Every mutating method validates first and
//! touches nothing when it returns `Err`.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::OnceLock;

use itsm_core::Id;
use petgraph::Direction;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use serde::{Deserialize, Serialize};

use crate::hash::IdMap;
use crate::index::ReadIndex;
use crate::keys::{KeyIndex, key_hash};
use crate::{Ci, CiPatch, CmdbError, Propagation, RedundancyGroup, Relation, RelationKind};

/// What to do with relations that close a dependency cycle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CyclePolicy {
    /// Allow them (the default): real service graphs have services that call each other, and
    /// every query is correct on cycles.
    #[default]
    Allow,
    /// Refuse any relation that would close a dependency cycle, naming the cycle.
    Reject,
}

/// Settings of a [`Cmdb`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    default,
    expecting = "CMDB settings with `cycles` (`allow` or `reject`)"
)]
pub struct CmdbConfig {
    /// Whether dependency cycles are allowed.
    pub cycles: CyclePolicy,
}

/// How [`Cmdb::remove_ci`] treats CIs that depend on the one removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Removal {
    /// Refuse when any other CI depends on it.
    Refuse,
    /// Remove it with every relation that touches it, the groups it is the dependent of, and
    /// its membership of other groups (refused if a group would fall below its threshold).
    Cascade,
}

/// Everything a removal took out of the CMDB, so nothing disappears unseen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    /// The removed CI.
    pub ci: Ci,
    /// The relations that touched it.
    pub relations: Vec<Relation>,
    /// Groups removed because the CI was their dependent.
    pub groups_removed: Vec<RedundancyGroup>,
    /// Groups the CI was a member of, as they are now (without it).
    pub groups_shrunk: Vec<RedundancyGroup>,
}

/// The configuration graph: CIs, typed relations and redundancy groups.
///
/// ```
/// use itsm_cmdb::{Ci, CiKind, Cmdb, Relation, RelationKind, ServiceProfile};
///
/// let mut cmdb = Cmdb::new();
/// let svc = Ci::new("svc-mail", "Mail", CiKind::Service(ServiceProfile::default()));
/// let app = Ci::new("app-exchange", "Exchange", CiKind::Application);
/// let host = Ci::new("host-1", "Host 1", CiKind::Hardware);
/// let (s, a, h) = (svc.id, app.id, host.id);
/// for ci in [svc, app, host] {
///     cmdb.add_ci(ci)?;
/// }
/// cmdb.relate(Relation::new(s, RelationKind::DependsOn, a))?;
/// cmdb.relate(Relation::new(a, RelationKind::RunsOn, h))?;
///
/// let impact = cmdb.impact_of(&[h])?;
/// assert_eq!(impact.down_count(), 2);
/// assert_eq!(impact.path(s), Some(vec![s, a, h]));
/// # Ok::<(), itsm_cmdb::CmdbError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cmdb {
    pub(crate) config: CmdbConfig,
    pub(crate) graph: StableDiGraph<Ci, RelationKind, u32>,
    pub(crate) by_id: IdMap<Id<Ci>, NodeIndex<u32>>,
    pub(crate) by_key: KeyIndex,
    pub(crate) groups: BTreeMap<Id<RedundancyGroup>, RedundancyGroup>,
    /// `(dependent, member)` -> the group that holds the pair.
    pub(crate) grouped: IdMap<(Id<Ci>, Id<Ci>), Id<RedundancyGroup>>,
    pub(crate) index: OnceLock<ReadIndex>,
}

impl PartialEq for Cmdb {
    /// Two CMDBs are equal when they hold the same configuration, CIs, relations and groups,
    /// whatever the order they were added in.
    fn eq(&self, other: &Self) -> bool {
        if self.config != other.config
            || self.len() != other.len()
            || self.relation_count() != other.relation_count()
            || self.groups != other.groups
        {
            return false;
        }
        let same_cis = self.cis().all(|ci| other.ci(ci.id) == Some(ci));
        let mut mine: Vec<Relation> = self.relations().collect();
        let mut theirs: Vec<Relation> = other.relations().collect();
        mine.sort_unstable();
        theirs.sort_unstable();
        same_cis && mine == theirs
    }
}

impl Eq for Cmdb {}

impl Cmdb {
    /// An empty CMDB that allows cycles.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty CMDB with the given settings.
    #[must_use]
    pub fn with_config(config: CmdbConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// The settings.
    #[must_use]
    pub const fn config(&self) -> &CmdbConfig {
        &self.config
    }

    /// Number of CIs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// True when there are no CIs.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// Number of relations.
    #[must_use]
    pub fn relation_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// The CI with this id.
    #[must_use]
    pub fn ci(&self, id: Id<Ci>) -> Option<&Ci> {
        self.by_id.get(&id).and_then(|n| self.graph.node_weight(*n))
    }

    /// The CI with this key.
    #[must_use]
    pub fn ci_by_key(&self, key: &str) -> Option<&Ci> {
        self.node_by_key(key)
            .and_then(|n| self.graph.node_weight(n))
    }

    fn node_by_key(&self, key: &str) -> Option<NodeIndex<u32>> {
        let graph = &self.graph;
        self.by_key.get(key_hash(key), key, |n| {
            graph.node_weight(n).map(|c| c.key.as_str())
        })
    }

    /// Every CI, in insertion order.
    pub fn cis(&self) -> impl Iterator<Item = &Ci> + '_ {
        self.graph.node_weights()
    }

    /// Every relation, grouped by source in insertion order.
    pub fn relations(&self) -> impl Iterator<Item = Relation> + '_ {
        self.graph
            .edge_references()
            .filter_map(|e| self.relation_of(e.source(), *e.weight(), e.target()))
    }

    /// Every relation that touches `id`, outgoing first.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`].
    pub fn relations_of(&self, id: Id<Ci>) -> Result<Vec<Relation>, CmdbError> {
        let node = self.node(id)?;
        let out = self.graph.edges_directed(node, Direction::Outgoing);
        let inc = self.graph.edges_directed(node, Direction::Incoming);
        Ok(out
            .chain(inc)
            .filter_map(|e| self.relation_of(e.source(), *e.weight(), e.target()))
            .collect())
    }

    /// Every redundancy group, by id.
    pub fn groups(&self) -> impl Iterator<Item = &RedundancyGroup> + '_ {
        self.groups.values()
    }

    /// The redundancy group with this id.
    #[must_use]
    pub fn group(&self, id: Id<RedundancyGroup>) -> Option<&RedundancyGroup> {
        self.groups.get(&id)
    }

    pub(crate) fn relation_of(
        &self,
        from: NodeIndex<u32>,
        kind: RelationKind,
        to: NodeIndex<u32>,
    ) -> Option<Relation> {
        let from = self.graph.node_weight(from)?.id;
        let to = self.graph.node_weight(to)?.id;
        Some(Relation::new(from, kind, to))
    }

    pub(crate) fn node(&self, id: Id<Ci>) -> Result<NodeIndex<u32>, CmdbError> {
        self.by_id
            .get(&id)
            .copied()
            .ok_or(CmdbError::UnknownCi { id })
    }

    pub(crate) fn key_of(&self, id: Id<Ci>) -> String {
        self.ci(id)
            .map_or_else(|| id.to_string(), |c| c.key.clone())
    }

    fn key_at(&self, node: NodeIndex<u32>) -> String {
        self.graph
            .node_weight(node)
            .map(|c| c.key.clone())
            .unwrap_or_default()
    }

    /// The read index, built on first use after a change.
    pub(crate) fn index(&self) -> &ReadIndex {
        self.index.get_or_init(|| ReadIndex::build(self))
    }

    /// Builds the read index now rather than on the first query after a change (it is built
    /// lazily otherwise): call it after a bulk load to keep the first query fast.
    pub fn prepare(&self) {
        self.index();
    }

    pub(crate) fn changed(&mut self) {
        self.index.take();
    }

    /// Adds a CI.
    ///
    /// # Errors
    /// [`CmdbError::Text`] (a key or name `itsm_core::text` refuses),
    /// [`CmdbError::DuplicateId`], [`CmdbError::DuplicateKey`].
    pub fn add_ci(&mut self, ci: Ci) -> Result<(), CmdbError> {
        self.insert_new_ci(ci)?;
        self.changed();
        Ok(())
    }

    /// Checks that `ci` has a key and that its id and key are new, then inserts it; one hash
    /// lookup per index. Nothing is changed on `Err`.
    pub(crate) fn insert_new_ci(&mut self, ci: Ci) -> Result<(), CmdbError> {
        use std::collections::hash_map::Entry;
        itsm_core::text::check_key("key", &ci.key)?;
        itsm_core::text::check_name("name", &ci.name)?;
        check_kind_and_attributes(&ci.kind, &ci.attributes)?;
        // The key first: it is what the user gave, and names the CI in the message (the same
        // record twice is a duplicate key; its id, derived or not, says nothing more).
        if self.node_by_key(&ci.key).is_some() {
            return Err(CmdbError::DuplicateKey {
                key: ci.key.clone(),
            });
        }
        let id_slot = match self.by_id.entry(ci.id) {
            Entry::Occupied(o) => {
                let existing_key = self
                    .graph
                    .node_weight(*o.get())
                    .map(|c| c.key.clone())
                    .unwrap_or_default();
                return Err(CmdbError::DuplicateId {
                    id: ci.id,
                    existing_key,
                });
            }
            Entry::Vacant(v) => v,
        };
        let graph = &self.graph;
        let hash = key_hash(&ci.key);
        if self
            .by_key
            .get(hash, &ci.key, |n| {
                graph.node_weight(n).map(|c| c.key.as_str())
            })
            .is_some()
        {
            return Err(CmdbError::DuplicateKey { key: ci.key });
        }
        let node = self.graph.add_node(ci);
        id_slot.insert(node);
        if let Some(c) = self.graph.node_weight(node) {
            self.by_key.insert(hash, &c.key, node);
        }
        Ok(())
    }

    /// Applies `patch` to the CI `id`, bumps its version and returns it as it is now.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`]; [`CmdbError::Text`] or [`CmdbError::DuplicateKey`] for a
    /// new key; [`CmdbError::UnknownAttribute`] for removing an attribute it lacks;
    /// [`CmdbError::KindMismatch`] when a new kind no longer fits one of its relations.
    pub fn update_ci(&mut self, id: Id<Ci>, patch: CiPatch) -> Result<&Ci, CmdbError> {
        let node = self.node(id)?;
        let current = self
            .graph
            .node_weight(node)
            .ok_or(CmdbError::UnknownCi { id })?;
        let mut next = current.clone();
        if let Some(key) = patch.key {
            itsm_core::text::check_key("key", &key)?;
            if key != current.key && self.node_by_key(&key).is_some() {
                return Err(CmdbError::DuplicateKey { key });
            }
            next.key = key;
        }
        for name in &patch.remove_attributes {
            if next.attributes.remove(name).is_none() {
                return Err(CmdbError::UnknownAttribute {
                    key: current.key.clone(),
                    attribute: name.clone(),
                });
            }
        }
        next.attributes.extend(patch.set_attributes);
        if let Some(kind) = patch.kind {
            next.kind = kind;
        }
        check_kind_and_attributes(&next.kind, &next.attributes)?;
        let kind_changed = next.kind != current.kind;
        if kind_changed {
            self.check_kind_fits(node, &next)?;
        }
        if let Some(v) = patch.name {
            itsm_core::text::check_name("name", &v)?;
            next.name = v;
        }
        if let Some(v) = patch.status {
            next.status = v;
        }
        if let Some(v) = patch.owner {
            next.owner = v;
        }
        if let Some(v) = patch.criticality {
            next.criticality = v;
        }
        if let Some(v) = patch.provision {
            next.provision = v;
        }
        if patch.change.is_some() {
            next.last_change = patch.change;
        }
        next.version = next.version.saturating_add(1);
        // Validated; now mutate.
        if next.key != current.key {
            let old = current.key.clone();
            self.by_key.remove(&old, node);
            self.by_key.insert(key_hash(&next.key), &next.key, node);
        }
        if kind_changed {
            self.changed();
        }
        let slot = self
            .graph
            .node_weight_mut(node)
            .ok_or(CmdbError::UnknownCi { id })?;
        *slot = next;
        Ok(slot)
    }

    fn check_kind_fits(&self, node: NodeIndex<u32>, next: &Ci) -> Result<(), CmdbError> {
        for dir in [Direction::Outgoing, Direction::Incoming] {
            for e in self.graph.edges_directed(node, dir) {
                let kind = *e.weight();
                let (from, to) = match dir {
                    Direction::Outgoing => (next, self.graph.node_weight(e.target())),
                    Direction::Incoming => (next, self.graph.node_weight(e.source())),
                };
                let Some(other) = to else { continue };
                let (src, dst) = if dir == Direction::Outgoing {
                    (from, other)
                } else {
                    (other, from)
                };
                if let Some(reason) = kind.misfit(&src.kind, &dst.kind) {
                    return Err(CmdbError::KindMismatch {
                        from: src.key.clone(),
                        kind,
                        to: dst.key.clone(),
                        reason,
                    });
                }
            }
        }
        Ok(())
    }

    /// Removes a CI.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`]; with [`Removal::Refuse`], [`CmdbError::HasDependents`] when
    /// another CI depends on it; with [`Removal::Cascade`], [`CmdbError::RemovalBreaksGroup`]
    /// when a group it belongs to would fall below its threshold.
    pub fn remove_ci(&mut self, id: Id<Ci>, mode: Removal) -> Result<Removed, CmdbError> {
        let node = self.node(id)?;
        let key = self.key_at(node);
        let relations = self.relations_of(id)?;
        if mode == Removal::Refuse {
            let mut dependents: Vec<String> = relations
                .iter()
                .filter_map(Relation::dependency)
                .filter(|(_, dependency)| *dependency == id)
                .map(|(dependent, _)| self.key_of(dependent))
                .collect();
            dependents.sort();
            dependents.dedup();
            if !dependents.is_empty() {
                let count = dependents.len();
                dependents.truncate(10);
                return Err(CmdbError::HasDependents {
                    key,
                    dependents,
                    count,
                });
            }
        }
        let mut shrunk = Vec::new();
        let mut dropped = Vec::new();
        for g in self.groups.values() {
            if g.dependent == id {
                dropped.push(g.clone());
            } else if g.members.contains(&id) {
                let mut next = g.clone();
                next.members.retain(|m| *m != id);
                if next.members.len() < next.min_up {
                    return Err(CmdbError::RemovalBreaksGroup {
                        key,
                        group: g.name.clone(),
                        remaining: next.members.len(),
                        min_up: g.min_up,
                    });
                }
                shrunk.push(next);
            }
        }
        // Validated; now mutate.
        for g in &dropped {
            self.unregister_group(g.id);
        }
        for g in &shrunk {
            self.grouped.remove(&(g.dependent, id));
            self.groups.insert(g.id, g.clone());
        }
        let ci = self
            .graph
            .remove_node(node)
            .ok_or(CmdbError::UnknownCi { id })?;
        self.by_id.remove(&id);
        self.by_key.remove(&ci.key, node);
        self.changed();
        Ok(Removed {
            ci,
            relations,
            groups_removed: dropped,
            groups_shrunk: shrunk,
        })
    }

    /// Adds a relation.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`], [`CmdbError::SelfRelation`], [`CmdbError::KindMismatch`],
    /// [`CmdbError::DuplicateRelation`]; under [`CyclePolicy::Reject`], [`CmdbError::Cycle`]
    /// listing the cycle it would close.
    pub fn relate(&mut self, relation: Relation) -> Result<(), CmdbError> {
        let (from, to) = self.check_relation(&relation)?;
        if self
            .graph
            .edges_connecting(from, to)
            .any(|e| *e.weight() == relation.kind)
        {
            return Err(self.relation_error(&relation, |from, kind, to| {
                CmdbError::DuplicateRelation { from, kind, to }
            }));
        }
        if self.config.cycles == CyclePolicy::Reject {
            if let Some((dependent, dependency)) = relation.dependency() {
                let (d, p) = (self.node(dependent)?, self.node(dependency)?);
                if let Some(path) = self.needs_path(p, d) {
                    let mut cycle = vec![self.key_at(d)];
                    cycle.extend(path.into_iter().map(|n| self.key_at(n)));
                    return Err(CmdbError::Cycle { cycle });
                }
            }
        }
        self.graph.add_edge(from, to, relation.kind);
        self.changed();
        Ok(())
    }

    /// Checks both ends exist, differ, and fit the kind; returns their nodes.
    pub(crate) fn check_relation(
        &self,
        r: &Relation,
    ) -> Result<(NodeIndex<u32>, NodeIndex<u32>), CmdbError> {
        let from = self.node(r.from)?;
        let to = self.node(r.to)?;
        let (Some(a), Some(b)) = (self.graph.node_weight(from), self.graph.node_weight(to)) else {
            return Err(CmdbError::UnknownCi { id: r.from });
        };
        if from == to {
            return Err(CmdbError::SelfRelation {
                key: a.key.clone(),
                kind: r.kind,
            });
        }
        if let Some(reason) = r.kind.misfit(&a.kind, &b.kind) {
            return Err(CmdbError::KindMismatch {
                from: a.key.clone(),
                kind: r.kind,
                to: b.key.clone(),
                reason,
            });
        }
        Ok((from, to))
    }

    fn relation_error(
        &self,
        r: &Relation,
        make: impl FnOnce(String, RelationKind, String) -> CmdbError,
    ) -> CmdbError {
        make(self.key_of(r.from), r.kind, self.key_of(r.to))
    }

    /// Dependencies of a node in the stored graph (before the read index exists).
    fn needs(&self, node: NodeIndex<u32>) -> impl Iterator<Item = NodeIndex<u32>> + '_ {
        let out = self
            .graph
            .edges_directed(node, Direction::Outgoing)
            .filter(|e| e.weight().propagation() == Propagation::ToSource)
            .map(|e| e.target());
        let inc = self
            .graph
            .edges_directed(node, Direction::Incoming)
            .filter(|e| e.weight().propagation() == Propagation::ToTarget)
            .map(|e| e.source());
        out.chain(inc)
    }

    /// A shortest chain of dependencies from `start` to `goal`, both included.
    fn needs_path(
        &self,
        start: NodeIndex<u32>,
        goal: NodeIndex<u32>,
    ) -> Option<Vec<NodeIndex<u32>>> {
        let mut parent: HashMap<NodeIndex<u32>, NodeIndex<u32>> = HashMap::new();
        let mut seen = HashSet::from([start]);
        let mut queue = VecDeque::from([start]);
        while let Some(v) = queue.pop_front() {
            if v == goal {
                let mut path = vec![v];
                let mut at = v;
                while let Some(p) = parent.get(&at) {
                    path.push(*p);
                    at = *p;
                }
                path.reverse();
                return Some(path);
            }
            for w in self.needs(v) {
                if seen.insert(w) {
                    parent.insert(w, v);
                    queue.push_back(w);
                }
            }
        }
        None
    }

    /// Removes a relation and returns it.
    ///
    /// # Errors
    /// [`CmdbError::UnknownCi`], [`CmdbError::UnknownRelation`], or
    /// [`CmdbError::RelationInGroup`] when it is the last relation that makes a group member a
    /// dependency of the group's dependent.
    pub fn unrelate(&mut self, relation: Relation) -> Result<Relation, CmdbError> {
        let from = self.node(relation.from)?;
        let to = self.node(relation.to)?;
        let edge = self
            .graph
            .edges_connecting(from, to)
            .find(|e| *e.weight() == relation.kind)
            .map(|e| e.id())
            .ok_or_else(|| {
                self.relation_error(&relation, |from, kind, to| CmdbError::UnknownRelation {
                    from,
                    kind,
                    to,
                })
            })?;
        if let Some(pair) = relation.dependency() {
            if let Some(group) = self.grouped.get(&pair) {
                let others = self.dependency_relations(pair.0, pair.1)?;
                if others <= 1 {
                    let group = self
                        .groups
                        .get(group)
                        .map(|g| g.name.clone())
                        .unwrap_or_default();
                    return Err(self.relation_error(&relation, |from, kind, to| {
                        CmdbError::RelationInGroup {
                            from,
                            kind,
                            to,
                            group,
                        }
                    }));
                }
            }
        }
        self.graph.remove_edge(edge);
        self.changed();
        Ok(relation)
    }

    /// How many relations make `dependent` need `dependency`.
    pub(crate) fn dependency_relations(
        &self,
        dependent: Id<Ci>,
        dependency: Id<Ci>,
    ) -> Result<usize, CmdbError> {
        let d = self.node(dependent)?;
        let p = self.node(dependency)?;
        let forward = self
            .graph
            .edges_connecting(d, p)
            .filter(|e| e.weight().propagation() == Propagation::ToSource)
            .count();
        let bundled = self
            .graph
            .edges_connecting(p, d)
            .filter(|e| e.weight().propagation() == Propagation::ToTarget)
            .count();
        Ok(forward + bundled)
    }
}

/// A kind's own name (`{"other": name}`) and the attributes' names and text values follow the
/// rules of `itsm_core::text` like keys and names do, however the CI arrives (added, updated,
/// imported).
fn check_kind_and_attributes(
    kind: &crate::CiKind,
    attributes: &std::collections::BTreeMap<String, crate::AttrValue>,
) -> Result<(), CmdbError> {
    if let crate::CiKind::Other(name) = kind {
        itsm_core::text::check_key("kind name", name)?;
    }
    for (name, value) in attributes {
        itsm_core::text::check_key("attribute name", name)?;
        if let crate::AttrValue::Text(t) = value {
            itsm_core::text::check_text("attribute value", t)?;
        }
    }
    Ok(())
}
