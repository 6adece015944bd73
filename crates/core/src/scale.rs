//! Ordinal scales: named levels in a fixed order.
//!
//! Impact, likelihood and criticality are ordinal: "High" is above "Medium", and a risk matrix
//! multiplies their values (ISO/IEC 20000-1 6.1). A [`Scale`] is validated once, when built, so
//! every later lookup can rely on it.
//!
//! A scale has at most [`Scale::MAX_LEVELS`] levels: ordinal scales in practice have three to
//! seven, and a risk matrix holds one cell per pair of levels, so an unbounded scale read from
//! a document would let a few kilobytes of JSON ask for gigabytes of cells.

use serde::{Deserialize, Serialize};

use crate::Error;

/// One named level of a [`Scale`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a level with `name` and `value`")]
pub struct Level {
    /// The level's name, unique within its scale (compared case-insensitively).
    pub name: String,
    /// The level's value; values strictly increase along the scale.
    pub value: u32,
}

impl Level {
    /// A level named `name` with value `value`.
    #[must_use]
    pub fn new(name: impl Into<String>, value: u32) -> Self {
        Self {
            name: name.into(),
            value,
        }
    }
}

/// Ordered named levels: non-empty, at most [`Scale::MAX_LEVELS`], values strictly increasing,
/// names unique and non-blank.
///
/// Serialized as the list of its levels; deserializing validates again.
///
/// ```
/// use itsm_core::Scale;
///
/// let impact = Scale::from_names(&["Low", "Medium", "High"])?;
/// assert_eq!(impact.level("medium").map(|l| l.value), Some(2));
/// assert_eq!(impact.max().name, "High");
/// assert!(Scale::from_names(&["Low", "low"]).is_err());
/// # Ok::<(), itsm_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<Level>", into = "Vec<Level>")]
pub struct Scale {
    levels: Vec<Level>,
    // The first level, kept apart so `min`/`max` need no fallible indexing.
    first: Level,
}

impl TryFrom<Vec<Level>> for Scale {
    type Error = Error;
    fn try_from(levels: Vec<Level>) -> Result<Self, Error> {
        Self::new(levels)
    }
}

impl From<Scale> for Vec<Level> {
    fn from(scale: Scale) -> Self {
        scale.levels
    }
}

impl Scale {
    /// The most levels a scale may have: 20.
    pub const MAX_LEVELS: usize = 20;

    /// A scale of the given levels, lowest first.
    ///
    /// # Errors
    /// [`Error::TooManyLevels`] for more than [`Scale::MAX_LEVELS`] levels;
    /// [`Error::InvalidScale`] naming the first problem: no levels, a blank name, a duplicate
    /// name, or a value not above the previous one.
    pub fn new(levels: Vec<Level>) -> Result<Self, Error> {
        if levels.len() > Self::MAX_LEVELS {
            return Err(Error::TooManyLevels {
                count: levels.len(),
                max: Self::MAX_LEVELS,
            });
        }
        let invalid = |reason: String| Error::InvalidScale { reason };
        let first = levels
            .first()
            .cloned()
            .ok_or_else(|| invalid("a scale needs at least one level".into()))?;
        for (i, level) in levels.iter().enumerate() {
            if level.name.trim().is_empty() {
                return Err(invalid(format!("level {i} has a blank name")));
            }
            if let Some(dup) = levels
                .iter()
                .take(i)
                .find(|l| l.name.eq_ignore_ascii_case(&level.name))
            {
                return Err(invalid(format!(
                    "level name `{}` is used twice (also `{}`)",
                    level.name, dup.name
                )));
            }
        }
        for pair in levels.windows(2) {
            if let [a, b] = pair {
                if b.value <= a.value {
                    return Err(invalid(format!(
                        "values must strictly increase: `{}` ({}) follows `{}` ({})",
                        b.name, b.value, a.name, a.value
                    )));
                }
            }
        }
        Ok(Self { levels, first })
    }

    /// A scale whose levels are valued 1, 2, 3 ... in the given order.
    ///
    /// # Errors
    /// As [`Scale::new`].
    pub fn from_names(names: &[&str]) -> Result<Self, Error> {
        Self::new(
            names
                .iter()
                .zip(1u32..)
                .map(|(n, v)| Level::new(*n, v))
                .collect(),
        )
    }

    /// The levels, lowest first.
    #[must_use]
    pub fn levels(&self) -> &[Level] {
        &self.levels
    }

    /// How many levels.
    #[must_use]
    pub fn len(&self) -> usize {
        self.levels.len()
    }

    /// Always false: a scale has at least one level.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The lowest level.
    #[must_use]
    pub fn min(&self) -> &Level {
        &self.first
    }

    /// The highest level.
    #[must_use]
    pub fn max(&self) -> &Level {
        self.levels.last().unwrap_or(&self.first)
    }

    /// The level with this name (case-insensitive).
    #[must_use]
    pub fn level(&self, name: &str) -> Option<&Level> {
        self.levels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name))
    }

    /// The level with this value.
    #[must_use]
    pub fn by_value(&self, value: u32) -> Option<&Level> {
        self.levels.iter().find(|l| l.value == value)
    }

    /// Zero-based rank of the named level (0 = lowest).
    #[must_use]
    pub fn rank(&self, name: &str) -> Option<usize> {
        self.levels
            .iter()
            .position(|l| l.name.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn invalid_scales_say_why() {
        let e = |levels: Vec<Level>| Scale::new(levels).unwrap_err().to_string();
        assert_eq!(e(vec![]), "invalid scale: a scale needs at least one level");
        assert!(e(vec![Level::new("a", 2), Level::new("b", 2)]).contains("strictly increase"));
        assert!(e(vec![Level::new(" ", 1)]).contains("blank"));
        assert!(
            serde_json::from_str::<Scale>(r#"[{"name":"a","value":3},{"name":"b","value":1}]"#)
                .is_err()
        );
    }

    #[test]
    fn scales_are_capped_at_max_levels() {
        let names: Vec<String> = (0..=Scale::MAX_LEVELS).map(|i| format!("L{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        assert!(Scale::from_names(refs.get(..Scale::MAX_LEVELS).unwrap()).is_ok());
        assert_eq!(
            Scale::from_names(&refs).unwrap_err().to_string(),
            "a scale has at most `20` levels; this one has `21`"
        );
        let json = serde_json::to_string(
            &(1..=20_000u32)
                .map(|v| Level::new(format!("L{v}"), v))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let err = serde_json::from_str::<Scale>(&json)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("at most `20` levels; this one has `20000`"),
            "{err}"
        );
    }

    proptest! {
        #[test]
        fn valid_scales_round_trip(values in proptest::collection::btree_set(0u32..1000, 1..8)) {
            let levels: Vec<Level> = values.iter().map(|v| Level::new(format!("L{v}"), *v)).collect();
            let scale = Scale::new(levels).unwrap();
            prop_assert_eq!(scale.min().value, *values.first().unwrap());
            prop_assert_eq!(scale.max().value, *values.last().unwrap());
            let json = serde_json::to_string(&scale).unwrap();
            prop_assert_eq!(serde_json::from_str::<Scale>(&json).unwrap(), scale);
        }
    }
}
