//! Baselines: named, timestamped snapshots of the configuration, and what changed between two.
//!
//! ISO/IEC 20000-1 8.2.6 asks for configuration baselines and for records of changes to CIs;
//! 8.5.1 change reviews compare the configuration before and after. A [`Baseline`] holds the
//! CIs, relations and groups sorted by identity, so [`Baseline::diff`] is a single merge pass,
//! O(n) for two baselines of n CIs.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use itsm_core::Id;
use serde::{Deserialize, Serialize};

use crate::{Ci, Cmdb, CmdbConfig, CmdbParts, ImportError, RedundancyGroup, Relation};

/// A named, timestamped snapshot of a CMDB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Name (`"before CHG-42"`).
    pub name: String,
    /// When it was taken (given by the caller).
    pub taken_at: DateTime<Utc>,
    /// The CMDB settings.
    pub config: CmdbConfig,
    /// CIs sorted by id.
    pub cis: Vec<Ci>,
    /// Relations, sorted.
    pub relations: Vec<Relation>,
    /// Groups sorted by id.
    pub groups: Vec<RedundancyGroup>,
}

/// One field of a CI that differs between two baselines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    /// The field (`"status"`, `"attributes.environment"`).
    pub field: String,
    /// The value before, as text (empty when absent).
    pub before: String,
    /// The value after, as text (empty when absent).
    pub after: String,
}

/// A CI present in both baselines whose record differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiChange {
    /// The CI.
    pub id: Id<Ci>,
    /// Its key after the change.
    pub key: String,
    /// The fields that differ.
    pub fields: Vec<FieldChange>,
}

/// A redundancy group present in both baselines that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupChange {
    /// The group before.
    pub before: RedundancyGroup,
    /// The group after.
    pub after: RedundancyGroup,
}

/// What changed from one baseline to another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineDiff {
    /// CIs only in the newer baseline.
    pub added_cis: Vec<Ci>,
    /// CIs only in the older baseline.
    pub removed_cis: Vec<Ci>,
    /// CIs in both whose records differ.
    pub changed_cis: Vec<CiChange>,
    /// Relations only in the newer baseline.
    pub added_relations: Vec<Relation>,
    /// Relations only in the older baseline.
    pub removed_relations: Vec<Relation>,
    /// Groups only in the newer baseline.
    pub added_groups: Vec<RedundancyGroup>,
    /// Groups only in the older baseline.
    pub removed_groups: Vec<RedundancyGroup>,
    /// Groups in both that differ.
    pub changed_groups: Vec<GroupChange>,
}

impl BaselineDiff {
    /// True when nothing changed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// Merge two sorted slices: items only in `a`, only in `b`, and pairs with the same identity.
fn merge<'a, T, K: Ord>(
    a: &'a [T],
    b: &'a [T],
    key: impl Fn(&T) -> K,
) -> (Vec<&'a T>, Vec<&'a T>, Vec<(&'a T, &'a T)>) {
    let (mut only_a, mut only_b, mut both) = (Vec::new(), Vec::new(), Vec::new());
    let (mut i, mut j) = (a.iter().peekable(), b.iter().peekable());
    loop {
        match (i.peek(), j.peek()) {
            (Some(x), Some(y)) => match key(x).cmp(&key(y)) {
                Ordering::Less => only_a.extend(i.next()),
                Ordering::Greater => only_b.extend(j.next()),
                Ordering::Equal => {
                    if let (Some(x), Some(y)) = (i.next(), j.next()) {
                        both.push((x, y));
                    }
                }
            },
            (Some(_), None) => only_a.extend(i.next()),
            (None, Some(_)) => only_b.extend(j.next()),
            (None, None) => break,
        }
    }
    (only_a, only_b, both)
}

fn field_changes(a: &Ci, b: &Ci) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut cmp = |field: &str, before: String, after: String| {
        if before != after {
            out.push(FieldChange {
                field: field.to_owned(),
                before,
                after,
            });
        }
    };
    cmp("key", a.key.clone(), b.key.clone());
    cmp("name", a.name.clone(), b.name.clone());
    // Values as the user writes them (`retired`, `external_supplier: ...`), never Rust's
    // `Debug` text: a diff is read by people and kept as evidence.
    use itsm_core::text::as_written as written;
    cmp("kind", written(&a.kind), written(&b.kind));
    cmp("status", written(&a.status), written(&b.status));
    let opt = |o: Option<String>| o.unwrap_or_default();
    cmp(
        "owner",
        opt(a.owner.map(|o| o.to_string())),
        opt(b.owner.map(|o| o.to_string())),
    );
    cmp(
        "criticality",
        a.criticality.to_string(),
        b.criticality.to_string(),
    );
    cmp("provision", written(&a.provision), written(&b.provision));
    cmp("version", a.version.to_string(), b.version.to_string());
    cmp(
        "last_change",
        opt(a.last_change.map(|c| c.to_string())),
        opt(b.last_change.map(|c| c.to_string())),
    );
    let names: std::collections::BTreeSet<&String> =
        a.attributes.keys().chain(b.attributes.keys()).collect();
    for name in names {
        let get = |ci: &Ci| {
            ci.attributes
                .get(name)
                .map(ToString::to_string)
                .unwrap_or_default()
        };
        cmp(&format!("attributes.{name}"), get(a), get(b));
    }
    out
}

impl Baseline {
    /// What changed from `self` (older) to `newer`.
    #[must_use]
    pub fn diff(&self, newer: &Self) -> BaselineDiff {
        let (removed, added, both) = merge(&self.cis, &newer.cis, |c| c.id);
        let changed_cis = both
            .into_iter()
            .filter(|(a, b)| a != b)
            .map(|(a, b)| CiChange {
                id: b.id,
                key: b.key.clone(),
                fields: field_changes(a, b),
            })
            .collect();
        let (removed_relations, added_relations, _) =
            merge(&self.relations, &newer.relations, |r| *r);
        let (removed_groups, added_groups, both_groups) =
            merge(&self.groups, &newer.groups, |g| g.id);
        BaselineDiff {
            added_cis: added.into_iter().cloned().collect(),
            removed_cis: removed.into_iter().cloned().collect(),
            changed_cis,
            added_relations: added_relations.into_iter().copied().collect(),
            removed_relations: removed_relations.into_iter().copied().collect(),
            added_groups: added_groups.into_iter().cloned().collect(),
            removed_groups: removed_groups.into_iter().cloned().collect(),
            changed_groups: both_groups
                .into_iter()
                .filter(|(a, b)| a != b)
                .map(|(a, b)| GroupChange {
                    before: a.clone(),
                    after: b.clone(),
                })
                .collect(),
        }
    }

    /// A CMDB holding exactly this baseline (to restore it, or to query the past).
    ///
    /// # Errors
    /// [`ImportError`] when the baseline was edited into something invalid.
    pub fn to_cmdb(&self) -> Result<Cmdb, ImportError> {
        Cmdb::from_parts(CmdbParts {
            config: self.config,
            cis: self.cis.clone(),
            relations: self.relations.clone(),
            groups: self.groups.clone(),
        })
    }
}

impl Cmdb {
    /// A baseline of the current configuration named `name`, taken at `at`.
    #[must_use]
    pub fn baseline(&self, name: impl Into<String>, at: DateTime<Utc>) -> Baseline {
        let mut cis: Vec<Ci> = self.cis().cloned().collect();
        cis.sort_unstable_by_key(|c| c.id);
        let mut relations: Vec<Relation> = self.relations().collect();
        relations.sort_unstable();
        Baseline {
            name: name.into(),
            taken_at: at,
            config: self.config,
            cis,
            relations,
            groups: self.groups().cloned().collect(),
        }
    }
}
