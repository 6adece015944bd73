//! Risk levels as a ranked type.
//!
//! A level's name (`High`) is what people write and read; its rank on the matrix's level
//! scale (0 = lowest) is what every comparison uses. Names are resolved against the matrix once,
//! where they enter (a matrix rating a risk, an appetite, a change policy), and an unknown name
//! is refused there; from then on "worse", "above the appetite" and "at or above the escalation
//! level" compare ranks, never names and never impact x likelihood scores (on an explicit grid a
//! higher score can sit at a lower level). This supports ISO/IEC 20000-1 6.1 (assessing risks
//! against the organisation's criteria) without a string comparison anywhere in the decision.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A level of one risk matrix: its rank on the level scale (0 = lowest) and its name.
///
/// Ordered by rank, which is what the matrix defines as worse. Only meaningful with the matrix
/// that made it: [`crate::RiskMatrix::level`] resolves a name, [`crate::Rating::level`] gives a
/// rating's. Serialized as `{ "rank": 2, "name": "High" }`; a register checks every stored
/// level against its matrix when it is read back.
///
/// ```
/// use itsm_risk::RiskMatrix;
///
/// let m = RiskMatrix::standard_5x5();
/// let high = m.level("High")?;
/// let medium = m.level("Medium")?;
/// assert!(high > medium);
/// assert_eq!(high.to_string(), "High");
/// assert!(m.level("Severe").is_err());
/// # Ok::<(), itsm_risk::RiskError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RiskLevel {
    rank: usize,
    /// Shared: a matrix makes each of its levels once, and every copy (a report lists tens of
    /// thousands) is a reference count, not a new string.
    name: Arc<str>,
}

/// The serialized form of a [`RiskLevel`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "RiskLevel")]
struct LevelRecord<'a> {
    rank: usize,
    #[serde(borrow)]
    name: std::borrow::Cow<'a, str>,
}

impl Serialize for RiskLevel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        LevelRecord {
            rank: self.rank,
            name: std::borrow::Cow::Borrowed(&self.name),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RiskLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let r = LevelRecord::deserialize(deserializer)?;
        Ok(Self {
            rank: r.rank,
            name: Arc::from(r.name.as_ref()),
        })
    }
}

impl RiskLevel {
    pub(crate) fn new(rank: usize, name: &str) -> Self {
        Self {
            rank,
            name: Arc::from(name),
        }
    }

    /// Zero-based rank on the matrix's level scale (0 = lowest).
    #[must_use]
    pub const fn rank(&self) -> usize {
        self.rank
    }

    /// The level's name, as the matrix spells it.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl PartialOrd for RiskLevel {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RiskLevel {
    /// By rank; the name only breaks ties between levels of different matrices, which are
    /// never compared in a decision.
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank
            .cmp(&other.rank)
            .then_with(|| self.name.cmp(&other.name))
    }
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}
