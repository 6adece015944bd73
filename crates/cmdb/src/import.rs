//! Bulk load and serde for the whole CMDB.
//!
//! [`Cmdb::from_parts`] builds a CMDB from plain vectors in one pass: ids and keys are checked
//! with one hash lookup each, relations are checked, then inserted without per-edge duplicate
//! scans (duplicates are found by sorting), and the read index is built once on the first
//! query. Every problem is reported, not only the first. A CMDB serializes as those same parts
//! and deserializes through `from_parts`, so a snapshot is validated when it is read back.

use std::collections::HashSet;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::cycles::{components, example_cycle};
use crate::{Ci, Cmdb, CmdbConfig, CmdbError, CyclePolicy, ImportError, RedundancyGroup, Relation};

/// The plain contents of a CMDB: what [`Cmdb::from_parts`] takes and what a CMDB serializes
/// as.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "configuration parts with `cis`, `relations` and `groups`"
)]
pub struct CmdbParts {
    /// Settings.
    #[serde(default)]
    pub config: CmdbConfig,
    /// The CIs.
    #[serde(default)]
    pub cis: Vec<Ci>,
    /// The relations.
    #[serde(default)]
    pub relations: Vec<Relation>,
    /// The redundancy groups.
    #[serde(default)]
    pub groups: Vec<RedundancyGroup>,
}

struct Problems {
    list: Vec<CmdbError>,
    truncated: bool,
}

impl Problems {
    fn push(&mut self, e: CmdbError) {
        if self.list.len() < ImportError::LIMIT {
            self.list.push(e);
        } else {
            self.truncated = true;
        }
    }
}

impl Cmdb {
    /// Builds a CMDB from its parts in one validated pass.
    ///
    /// ```
    /// use itsm_cmdb::{Ci, CiKind, Cmdb, CmdbParts, Relation, RelationKind};
    ///
    /// let a = Ci::new("a", "A", CiKind::Application);
    /// let b = Ci::new("b", "B", CiKind::Hardware);
    /// let r = Relation::new(a.id, RelationKind::RunsOn, b.id);
    /// let cmdb = Cmdb::from_parts(CmdbParts { cis: vec![a, b], relations: vec![r], ..Default::default() })?;
    /// assert_eq!(cmdb.relation_count(), 1);
    /// # Ok::<(), itsm_cmdb::ImportError>(())
    /// ```
    ///
    /// # Errors
    /// [`ImportError`] listing every problem found (up to [`ImportError::LIMIT`]): the same
    /// errors the one-at-a-time methods give, and under [`CyclePolicy::Reject`] one
    /// [`CmdbError::Cycle`] per cycle.
    pub fn from_parts(parts: CmdbParts) -> Result<Self, ImportError> {
        let CmdbParts {
            config,
            cis,
            relations,
            groups,
        } = parts;
        let mut problems = Problems {
            list: Vec::new(),
            truncated: false,
        };
        let mut cmdb = Self::with_config(config);
        cmdb.graph.reserve_exact_nodes(cis.len());
        cmdb.graph.reserve_exact_edges(relations.len());
        cmdb.by_id.reserve(cis.len());
        cmdb.by_key.reserve(cis.len());
        for ci in cis {
            if let Err(e) = cmdb.insert_new_ci(ci) {
                problems.push(e);
            }
        }
        // (from, to, kind, input position) of every relation that passed its own checks.
        let mut accepted: Vec<(u32, u32, crate::RelationKind, u32)> =
            Vec::with_capacity(relations.len());
        for (i, r) in (0u32..).zip(&relations) {
            match cmdb.check_relation(r) {
                Ok((from, to)) => {
                    accepted.push((from.index() as u32, to.index() as u32, r.kind, i))
                }
                Err(e) => problems.push(e),
            }
        }
        // Duplicates: sort a copy (contiguous, no indirection) and compare neighbours; the
        // later one in input order is the duplicate.
        let mut sorted = accepted.clone();
        sorted.sort_unstable();
        let mut duplicate = vec![false; relations.len()];
        for pair in sorted.windows(2) {
            if let [a, b] = pair {
                if (a.0, a.1, a.2) == (b.0, b.1, b.2) {
                    if let Some(d) = duplicate.get_mut(b.3 as usize) {
                        *d = true;
                    }
                    if let Some(r) = relations.get(b.3 as usize) {
                        problems.push(CmdbError::DuplicateRelation {
                            from: cmdb.key_of(r.from),
                            kind: r.kind,
                            to: cmdb.key_of(r.to),
                        });
                    }
                }
            }
        }
        drop(sorted);
        drop(relations);
        for a in &accepted {
            if !duplicate.get(a.3 as usize).copied().unwrap_or(false) {
                cmdb.graph.add_edge(a.0.into(), a.1.into(), a.2);
            }
        }
        drop(accepted);
        for g in groups {
            match cmdb.check_group(&g) {
                Ok(()) => cmdb.register_group(g),
                Err(e) => problems.push(e),
            }
        }
        if cmdb.config.cycles == CyclePolicy::Reject {
            let index = cmdb.index();
            for comp in components(index) {
                let set: HashSet<u32> = comp.iter().copied().collect();
                let first = comp.iter().copied().min().unwrap_or_default();
                let cycle = example_cycle(index, first, &set)
                    .into_iter()
                    .filter_map(|v| index.id(v))
                    .map(|id| cmdb.key_of(id))
                    .collect();
                problems.push(CmdbError::Cycle { cycle });
            }
        }
        if problems.list.is_empty() {
            Ok(cmdb)
        } else {
            Err(ImportError {
                problems: problems.list,
                truncated: problems.truncated,
            })
        }
    }

    /// The CMDB's contents as plain parts (CIs in insertion order, groups by id).
    #[must_use]
    pub fn to_parts(&self) -> CmdbParts {
        CmdbParts {
            config: self.config,
            cis: self.cis().cloned().collect(),
            relations: self.relations().collect(),
            groups: self.groups().cloned().collect(),
        }
    }
}

#[derive(Serialize)]
struct PartsRef<'a> {
    config: &'a CmdbConfig,
    cis: Vec<&'a Ci>,
    relations: Vec<Relation>,
    groups: Vec<&'a RedundancyGroup>,
}

impl Serialize for Cmdb {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PartsRef {
            config: &self.config,
            cis: self.cis().collect(),
            relations: self.relations().collect(),
            groups: self.groups().collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Cmdb {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let parts = CmdbParts::deserialize(deserializer)?;
        Self::from_parts(parts).map_err(serde::de::Error::custom)
    }
}
