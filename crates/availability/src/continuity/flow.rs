//! Recovery objectives flow down the configuration graph (DESIGN §7; TR 20000-17 5.7).
//!
//! A component is needed by every service that reaches it through dependencies, so it must
//! come back as fast as the most demanding of them: it inherits the strictest (smallest) RTO and
//! the strictest RPO of the services that need it, each with the service that sets it, as
//! [`itsm_cmdb::Cmdb::effective_criticality`] does for criticality. A service with an analysis
//! of its own is one of its own candidates, so a shared service whose own RTO is looser than a
//! consumer's shows the consumer's.
//!
//! **Ties.** Among services with the same objective, the CI's own analysis wins; then the
//! service with the smallest key. The answer depends only on the graph and the analyses, not
//! on the order they were given in.
//!
//! **Cost.** For each objective, services are taken in ascending (objective, key) order; all
//! services of one objective value first claim themselves, then each walks its dependencies
//! and claims what no earlier walk reached, stopping at CIs already walked (everything below
//! them is claimed). Every CI is expanded at most once per objective: O(V + E), whatever the
//! number of services.

use std::sync::OnceLock;

use itsm_cmdb::{Ci, Cmdb};
use itsm_core::Id;
use serde::{Deserialize, Serialize};

use super::bia::{BusinessImpact, validate_all};
use super::error::ContinuityError;
use super::graph::{IdMap, NONE, Net};

/// One objective a CI inherits, with the service that sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inherited {
    /// The objective, seconds.
    pub objective_s: u64,
    /// The service whose analysis sets it: the CI itself when that is the strictest.
    pub set_by: Id<Ci>,
}

/// The objectives one CI inherits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InheritedObjectives {
    /// The CI.
    pub ci: Id<Ci>,
    /// The strictest recovery time objective of the services that need it (or its own).
    pub rto: Option<Inherited>,
    /// The strictest recovery point objective of the services that need it (or its own).
    pub rpo: Option<Inherited>,
}

/// The outcome of [`flow_down`]: the objectives of every CI that inherits any, in the CMDB's
/// CI order.
///
/// Serializes as the list of its entries.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "Vec<InheritedObjectives>", into = "Vec<InheritedObjectives>")]
pub struct FlowDown {
    cis: Vec<InheritedObjectives>,
    lookup: OnceLock<IdMap<Id<Ci>, usize>>,
}

impl PartialEq for FlowDown {
    fn eq(&self, other: &Self) -> bool {
        self.cis == other.cis
    }
}

impl Eq for FlowDown {}

impl From<Vec<InheritedObjectives>> for FlowDown {
    fn from(cis: Vec<InheritedObjectives>) -> Self {
        Self {
            cis,
            lookup: OnceLock::new(),
        }
    }
}

impl From<FlowDown> for Vec<InheritedObjectives> {
    fn from(f: FlowDown) -> Self {
        f.cis
    }
}

impl FlowDown {
    /// Every CI that inherits an objective, in the CMDB's CI order.
    #[must_use]
    pub fn cis(&self) -> &[InheritedObjectives] {
        &self.cis
    }

    /// What `ci` inherits; `None` when no service with an analysis needs it.
    #[must_use]
    pub fn get(&self, ci: Id<Ci>) -> Option<&InheritedObjectives> {
        let i = *self
            .lookup
            .get_or_init(|| {
                self.cis
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.ci, i))
                    .collect()
            })
            .get(&ci)?;
        self.cis.get(i)
    }

    /// How many CIs inherit an objective.
    #[must_use]
    pub fn len(&self) -> usize {
        self.cis.len()
    }

    /// True when no CI inherits an objective.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cis.is_empty()
    }
}

/// Which objective to flow down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    Rto,
    Rpo,
}

/// Per dense CI: (objective, dense service that sets it), or `(u64::MAX, NONE)`.
pub(crate) type Assigned = Vec<(u64, u32)>;

/// Flows one objective down `net`; see the module docs.
#[expect(
    clippy::indexing_slicing,
    reason = "every index is a dense node number of `net`, and the arrays have its length"
)]
pub(crate) fn inherit(net: &Net<'_>, analyses: &[BusinessImpact], which: Which) -> Assigned {
    let n = net.len();
    let mut order: Vec<(u64, &str, u32)> = analyses
        .iter()
        .filter_map(|a| {
            let v = net.dense(a.service)?;
            let x = match which {
                Which::Rto => a.rto_s,
                Which::Rpo => a.rpo_s,
            };
            Some((x, net.key(v), v))
        })
        .collect();
    order.sort_unstable();
    let mut best: Assigned = vec![(u64::MAX, NONE); n];
    let mut expanded = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    for group in order.chunk_by(|a, b| a.0 == b.0) {
        for &(x, _, v) in group {
            if best[v as usize].1 == NONE {
                best[v as usize] = (x, v);
            }
        }
        for &(x, _, s) in group {
            if expanded[s as usize] {
                continue;
            }
            expanded[s as usize] = true;
            stack.push(s);
            while let Some(v) = stack.pop() {
                for (w, _) in net.dependencies(v) {
                    let w_ = w as usize;
                    if expanded[w_] {
                        continue;
                    }
                    expanded[w_] = true;
                    if best[w_].1 == NONE {
                        best[w_] = (x, s);
                    }
                    stack.push(w);
                }
            }
        }
    }
    best
}

/// Turns an assignment into the public answer for one CI.
pub(crate) fn inherited(net: &Net<'_>, assigned: &Assigned, v: u32) -> Option<Inherited> {
    let &(objective_s, by) = assigned.get(v as usize)?;
    (by != NONE).then(|| Inherited {
        objective_s,
        set_by: net.id(by),
    })
}

/// The recovery objectives every CI of `cmdb` inherits from the services that need it.
///
/// A CI inherits the strictest (smallest) RTO and, separately, the strictest RPO among its own
/// analysis (when it is a service) and those of every service that needs it through
/// dependencies, each with the service that sets it. **Ties**: its own analysis first, then
/// the service with the smallest key; the answer does not depend on the order of `analyses`.
/// A CI that no analysed service needs inherits nothing and is left out. O(V + E) per
/// objective.
///
/// ```
/// use itsm_availability::{BusinessImpact, flow_down};
/// use itsm_cmdb::{Ci, CiKind, Cmdb, Relation, RelationKind, ServiceProfile};
///
/// let mut cmdb = Cmdb::new();
/// let svc = |k: &str| Ci::new(k, k, CiKind::Service(ServiceProfile::default()));
/// let (shop, hr, db) = (svc("svc-shop"), svc("svc-hr"), Ci::new("db", "DB", CiKind::Software));
/// let (s, h, d) = (shop.id, hr.id, db.id);
/// for ci in [shop, hr, db] {
///     cmdb.add_ci(ci)?;
/// }
/// cmdb.relate(Relation::new(s, RelationKind::DependsOn, d))?;
/// cmdb.relate(Relation::new(h, RelationKind::DependsOn, d))?;
/// let analyses = [
///     BusinessImpact::new(s, 8 * 3600, 4 * 3600, 900),
///     BusinessImpact::new(h, 72 * 3600, 24 * 3600, 3600),
/// ];
/// let flow = flow_down(&cmdb, &analyses)?;
/// let db = flow.get(d).unwrap();
/// assert_eq!(db.rto.map(|r| (r.objective_s, r.set_by)), Some((4 * 3600, s)));
/// assert_eq!(db.rpo.map(|r| r.set_by), Some(s));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// Any error of [`BusinessImpact::validate`], and [`ContinuityError::DuplicateAnalysis`].
pub fn flow_down(cmdb: &Cmdb, analyses: &[BusinessImpact]) -> Result<FlowDown, ContinuityError> {
    validate_all(cmdb, analyses)?;
    let net = Net::build(cmdb);
    let rto = inherit(&net, analyses, Which::Rto);
    let rpo = inherit(&net, analyses, Which::Rpo);
    let cis: Vec<InheritedObjectives> = (0..u32::try_from(net.len()).unwrap_or(u32::MAX))
        .filter_map(|v| {
            let (rto, rpo) = (inherited(&net, &rto, v), inherited(&net, &rpo, v));
            (rto.is_some() || rpo.is_some()).then(|| InheritedObjectives {
                ci: net.id(v),
                rto,
                rpo,
            })
        })
        .collect();
    Ok(FlowDown::from(cis))
}
