//! The structure model: components, what each needs, and k-of-n redundancy groups, by the
//! user's keys. [`StructureSpec`] is the plain form (what a file or a caller writes);
//! [`Structure`] is the validated form every prediction runs on.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::PredictError;
use super::plan::NumMap;

/// How available a component is.
///
/// Serializes as a decimal string (`"0.999"`) or as `{"mtbf_s": 86400, "mttr_s": 3600}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    untagged,
    expecting = "an availability: a probability as a decimal string such as `\"0.999\"`, or `{\"mtbf_s\": .., \"mttr_s\": ..}` in seconds"
)]
pub enum Availability {
    /// The probability that the component works, between 0 and 1.
    Probability(Decimal),
    /// Derived as MTBF / (MTBF + MTTR).
    Mtbf(Mtbf),
}

/// Mean time between failures and mean time to repair, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mtbf {
    /// Mean time between failures (seconds, above 0).
    pub mtbf_s: u64,
    /// Mean time to repair (seconds).
    pub mttr_s: u64,
}

impl Availability {
    /// The probability that the component works.
    ///
    /// # Errors
    /// [`PredictError::InvalidAvailability`] naming `key`: a probability outside 0..=1, an MTBF
    /// of 0, or MTBF + MTTR beyond what 64 bits hold.
    pub fn probability(&self, key: &str) -> Result<Decimal, PredictError> {
        let invalid = |field: &'static str, reason: String| PredictError::InvalidAvailability {
            key: key.to_owned(),
            field,
            reason,
        };
        match *self {
            Self::Probability(p) => {
                if p < Decimal::ZERO || p > Decimal::ONE {
                    Err(invalid(
                        "availability",
                        format!("`{p}` is not a probability between 0 and 1"),
                    ))
                } else {
                    Ok(p)
                }
            }
            Self::Mtbf(Mtbf { mtbf_s, mttr_s }) => {
                if mtbf_s == 0 {
                    return Err(invalid(
                        "mtbf_s",
                        "the mean time between failures must be above 0 seconds".into(),
                    ));
                }
                let total = mtbf_s.checked_add(mttr_s).ok_or_else(|| {
                    invalid(
                        "mttr_s",
                        format!("`{mtbf_s}` + `{mttr_s}` seconds is more than 64 bits hold"),
                    )
                })?;
                Decimal::from(mtbf_s)
                    .checked_div(Decimal::from(total))
                    .ok_or_else(|| invalid("mtbf_s", "the division overflows".into()))
            }
        }
    }
}

/// A component: a key and, unless it is always up, its availability.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a component with `key` and, unless it is always up, `availability`"
)]
pub struct ComponentSpec {
    /// The user's key (`"db"`).
    pub key: String,
    /// How available it is; `None`: always up (it fails only through what it needs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
}

impl ComponentSpec {
    /// A component that never fails by itself.
    #[must_use]
    pub fn always_up(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            availability: None,
        }
    }

    /// A component that works with probability `p`.
    #[must_use]
    pub fn with_probability(key: impl Into<String>, p: Decimal) -> Self {
        Self {
            key: key.into(),
            availability: Some(Availability::Probability(p)),
        }
    }

    /// A component whose availability is MTBF / (MTBF + MTTR), both in seconds.
    #[must_use]
    pub fn with_mtbf(key: impl Into<String>, mtbf_s: u64, mttr_s: u64) -> Self {
        Self {
            key: key.into(),
            availability: Some(Availability::Mtbf(Mtbf { mtbf_s, mttr_s })),
        }
    }
}

/// A k-of-n redundancy group: `dependent` needs at least `min_up` of `members`, each of which
/// must be one of its needs; a need belongs to at most one group of its dependent (as
/// `itsm_cmdb::RedundancyGroup`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a redundancy group with `dependent`, `members` and `min_up`"
)]
pub struct GroupSpec {
    /// The component that needs the group.
    pub dependent: String,
    /// The redundant needs.
    pub members: Vec<String>,
    /// How many members must be up (1 <= `min_up` <= members).
    pub min_up: usize,
}

/// The plain form of a structure, as written in a file: every key used in `needs` and
/// `groups` must be listed in `components`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructureSpec {
    /// The components.
    #[serde(default)]
    pub components: Vec<ComponentSpec>,
    /// `(dependent, dependency)` pairs: the dependent is down when the dependency is down
    /// (unless the dependency is in one of the dependent's redundancy groups).
    #[serde(default)]
    pub needs: Vec<(String, String)>,
    /// Redundancy groups.
    #[serde(default)]
    pub groups: Vec<GroupSpec>,
}

impl StructureSpec {
    /// The calculator's reading of a short document (`examples/predict.rs`): a key used in
    /// `needs`, `groups` or as `service` but not listed in `components` becomes a component
    /// without an availability (always up), and each group member becomes a need of its
    /// dependent when `needs` does not list the pair. [`Structure::new`] itself stays strict.
    #[must_use]
    pub fn with_implied(mut self, service: &str) -> Self {
        let mut used: Vec<String> = Vec::new();
        for (a, b) in &self.needs {
            used.extend([a.clone(), b.clone()]);
        }
        let mut implied: Vec<(String, String)> = Vec::new();
        for g in &self.groups {
            used.push(g.dependent.clone());
            for m in &g.members {
                used.push(m.clone());
                let pair = (g.dependent.clone(), m.clone());
                if !self.needs.contains(&pair) && !implied.contains(&pair) {
                    implied.push(pair);
                }
            }
        }
        used.push(service.to_owned());
        self.needs.extend(implied);
        let mut listed: std::collections::BTreeSet<String> =
            self.components.iter().map(|c| c.key.clone()).collect();
        for key in used {
            if listed.insert(key.clone()) {
                self.components.push(ComponentSpec::always_up(key));
            }
        }
        self
    }
}

/// Edge weight of a need outside any redundancy group.
pub(crate) const NO_GROUP: u32 = u32::MAX;

/// A redundancy group by dense component numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    pub(crate) dependent: u32,
    pub(crate) members: Vec<u32>,
    pub(crate) min_up: u32,
}

/// A validated structure: the model every prediction runs on.
///
/// Built with [`Structure::new`] (or [`Structure::from_cmdb`]); serializes as its
/// [`StructureSpec`] and is validated again when read back.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "StructureSpec", into = "StructureSpec")]
pub struct Structure {
    /// Keys by dense number.
    keys: Vec<String>,
    /// Availabilities by dense number, as given.
    given: Vec<Option<Availability>>,
    /// The plain form: as given to [`Structure::new`], or built on first use.
    spec: OnceLock<StructureSpec>,
    pub(crate) index: HashMap<String, u32>,
    /// Availability by dense number, as the computation uses it (1.0: always up).
    pub(crate) prob: Vec<f64>,
    /// Needs by dense number: `(dependency, group slot or NO_GROUP)`, in the order given.
    pub(crate) deps: Vec<Vec<(u32, u32)>>,
    /// Groups by slot.
    pub(crate) groups: Vec<Group>,
}

impl PartialEq for Structure {
    /// Equal when their plain forms are.
    fn eq(&self, other: &Self) -> bool {
        self.spec() == other.spec()
    }
}

impl TryFrom<StructureSpec> for Structure {
    type Error = PredictError;
    fn try_from(spec: StructureSpec) -> Result<Self, PredictError> {
        Self::new(spec)
    }
}

impl From<Structure> for StructureSpec {
    fn from(s: Structure) -> Self {
        s.spec().clone()
    }
}

/// A structure by dense numbers, before its groups and availabilities are checked.
pub(crate) struct Dense {
    pub(crate) keys: Vec<String>,
    pub(crate) given: Vec<Option<Availability>>,
    /// Needs by dependent, each once, none of the dependent itself.
    pub(crate) needs: Vec<Vec<u32>>,
    /// `(dependent, members, min_up)`.
    pub(crate) groups: Vec<(u32, Vec<u32>, usize)>,
}

impl Structure {
    /// Validates `spec`.
    ///
    /// # Errors
    /// The first problem found: [`PredictError::Text`] (a key the engine does not store),
    /// [`PredictError::DuplicateComponent`], [`PredictError::UnknownComponent`] (a key in
    /// `needs` or `groups` that is not a component), [`PredictError::SelfNeed`],
    /// [`PredictError::DuplicateNeed`], [`PredictError::InvalidAvailability`],
    /// [`PredictError::InvalidGroup`] (no members, a member twice, `min_up` of 0 or above the
    /// member count), [`PredictError::MemberNotNeed`], [`PredictError::MemberInTwoGroups`].
    pub fn new(spec: StructureSpec) -> Result<Self, PredictError> {
        let n = spec.components.len();
        let mut index: HashMap<&str, u32> = HashMap::with_capacity(n);
        for (c, i) in spec.components.iter().zip(0u32..) {
            itsm_core::text::check_key("component key", &c.key)?;
            if index.insert(c.key.as_str(), i).is_some() {
                return Err(PredictError::DuplicateComponent { key: c.key.clone() });
            }
        }
        let lookup = |key: &str, field: &'static str| {
            index
                .get(key)
                .copied()
                .ok_or_else(|| PredictError::UnknownComponent {
                    key: key.to_owned(),
                    field,
                })
        };
        let mut needs: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut pairs: NumMap<(u32, u32), ()> = NumMap::default();
        pairs.reserve(spec.needs.len());
        for (dependent, dependency) in &spec.needs {
            let a = lookup(dependent, "needs")?;
            let b = lookup(dependency, "needs")?;
            if a == b {
                return Err(PredictError::SelfNeed {
                    key: dependent.clone(),
                });
            }
            if pairs.insert((a, b), ()).is_some() {
                return Err(PredictError::DuplicateNeed {
                    dependent: dependent.clone(),
                    dependency: dependency.clone(),
                });
            }
            if let Some(list) = needs.get_mut(a as usize) {
                list.push(b);
            }
        }
        let mut groups = Vec::with_capacity(spec.groups.len());
        for g in &spec.groups {
            let members = g
                .members
                .iter()
                .map(|m| lookup(m, "groups"))
                .collect::<Result<Vec<_>, _>>()?;
            groups.push((lookup(&g.dependent, "groups")?, members, g.min_up));
        }
        let dense = Dense {
            keys: spec.components.iter().map(|c| c.key.clone()).collect(),
            given: spec.components.iter().map(|c| c.availability).collect(),
            needs,
            groups,
        };
        let structure = Self::build(dense)?;
        let _ = structure.spec.set(spec);
        Ok(structure)
    }

    /// Checks availabilities and groups, and indexes the needs.
    pub(crate) fn build(dense: Dense) -> Result<Self, PredictError> {
        let Dense {
            keys,
            given,
            needs,
            groups: group_list,
        } = dense;
        let key = |i: u32| keys.get(i as usize).cloned().unwrap_or_default();
        let mut prob = Vec::with_capacity(keys.len());
        for (k, a) in keys.iter().zip(&given) {
            let p = a.as_ref().map(|a| a.probability(k)).transpose()?;
            prob.push(p.map_or(Some(1.0), |d| d.to_f64()).unwrap_or(1.0));
        }
        let mut deps: Vec<Vec<(u32, u32)>> = needs
            .into_iter()
            .map(|l| l.into_iter().map(|d| (d, NO_GROUP)).collect())
            .collect();
        let mut position: NumMap<(u32, u32), usize> = NumMap::default();
        for (list, a) in deps.iter().zip(0u32..) {
            for (pos, (b, _)) in list.iter().enumerate() {
                position.insert((a, *b), pos);
            }
        }
        let mut groups = Vec::with_capacity(group_list.len());
        for ((d, members, min_up), slot) in group_list.into_iter().zip(0u32..) {
            let invalid = |reason: String| PredictError::InvalidGroup {
                dependent: key(d),
                reason,
            };
            if members.is_empty() {
                return Err(invalid("it has no members".into()));
            }
            if min_up == 0 || min_up > members.len() {
                return Err(invalid(format!(
                    "at least {} of {} members cannot be required: `min_up` must be between 1 and the member count",
                    min_up,
                    members.len()
                )));
            }
            let mut seen = HashSet::with_capacity(members.len());
            for &m in &members {
                if !seen.insert(m) {
                    return Err(invalid(format!("`{}` is listed twice", key(m))));
                }
                let Some(&pos) = position.get(&(d, m)) else {
                    return Err(PredictError::MemberNotNeed {
                        dependent: key(d),
                        member: key(m),
                    });
                };
                let Some(edge) = deps.get_mut(d as usize).and_then(|l| l.get_mut(pos)) else {
                    continue;
                };
                if edge.1 != NO_GROUP {
                    return Err(PredictError::MemberInTwoGroups {
                        dependent: key(d),
                        member: key(m),
                    });
                }
                edge.1 = slot;
            }
            groups.push(Group {
                dependent: d,
                members,
                min_up: u32::try_from(min_up).unwrap_or(u32::MAX),
            });
        }
        let index = keys.iter().cloned().zip(0u32..).collect();
        Ok(Self {
            keys,
            given,
            spec: OnceLock::new(),
            index,
            prob,
            deps,
            groups,
        })
    }

    /// The plain form: as given to [`Structure::new`]; for a structure built otherwise, every
    /// component in order, then the needs dependent by dependent, then the groups.
    #[must_use]
    pub fn spec(&self) -> &StructureSpec {
        self.spec.get_or_init(|| StructureSpec {
            components: self
                .keys
                .iter()
                .zip(&self.given)
                .map(|(key, availability)| ComponentSpec {
                    key: key.clone(),
                    availability: *availability,
                })
                .collect(),
            needs: self
                .deps
                .iter()
                .zip(&self.keys)
                .flat_map(|(list, a)| {
                    list.iter()
                        .map(move |(b, _)| (a.clone(), self.key(*b).to_owned()))
                })
                .collect(),
            groups: self
                .groups
                .iter()
                .map(|g| GroupSpec {
                    dependent: self.key(g.dependent).to_owned(),
                    members: g.members.iter().map(|m| self.key(*m).to_owned()).collect(),
                    min_up: g.min_up as usize,
                })
                .collect(),
        })
    }

    /// Number of components.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when there is no component.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The availability of the component with this key, as given (`None`: always up, or no
    /// such component).
    #[must_use]
    pub fn availability(&self, key: &str) -> Option<Availability> {
        self.index
            .get(key)
            .and_then(|i| self.given.get(*i as usize).copied().flatten())
    }

    /// The key of a dense number.
    pub(crate) fn key(&self, i: u32) -> &str {
        self.keys.get(i as usize).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn spec(needs: &[(&str, &str)], groups: Vec<GroupSpec>) -> StructureSpec {
        let mut keys: Vec<&str> = needs.iter().flat_map(|(a, b)| [*a, *b]).collect();
        keys.sort_unstable();
        keys.dedup();
        StructureSpec {
            components: keys
                .into_iter()
                .map(|k| ComponentSpec::with_probability(k, dec!(0.9)))
                .collect(),
            needs: needs
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
            groups,
        }
    }

    fn group(dependent: &str, members: &[&str], min_up: usize) -> GroupSpec {
        GroupSpec {
            dependent: dependent.into(),
            members: members.iter().map(|m| (*m).to_owned()).collect(),
            min_up,
        }
    }

    #[test]
    fn mtbf_gives_mtbf_over_mtbf_plus_mttr() {
        let a = Availability::Mtbf(Mtbf {
            mtbf_s: 999,
            mttr_s: 1,
        });
        assert_eq!(a.probability("db").unwrap(), dec!(0.999));
        let never_repaired_instantly = Availability::Mtbf(Mtbf {
            mtbf_s: 10,
            mttr_s: 0,
        });
        assert_eq!(
            never_repaired_instantly.probability("db").unwrap(),
            Decimal::ONE
        );
    }

    #[test]
    fn bad_availabilities_are_refused_naming_key_and_field() {
        let cases = [
            (
                Availability::Probability(dec!(1.01)),
                "availability of `db` (`availability`) is invalid: `1.01` is not a probability between 0 and 1",
            ),
            (
                Availability::Probability(dec!(-0.5)),
                "availability of `db` (`availability`) is invalid: `-0.5` is not a probability between 0 and 1",
            ),
            (
                Availability::Mtbf(Mtbf {
                    mtbf_s: 0,
                    mttr_s: 5,
                }),
                "availability of `db` (`mtbf_s`) is invalid: the mean time between failures must be above 0 seconds",
            ),
            (
                Availability::Mtbf(Mtbf {
                    mtbf_s: u64::MAX,
                    mttr_s: 1,
                }),
                "availability of `db` (`mttr_s`) is invalid: `18446744073709551615` + `1` seconds is more than 64 bits hold",
            ),
        ];
        for (a, message) in cases {
            let err = Structure::new(StructureSpec {
                components: vec![ComponentSpec {
                    key: "db".into(),
                    availability: Some(a),
                }],
                ..StructureSpec::default()
            })
            .unwrap_err();
            assert_eq!(err.to_string(), message);
        }
    }

    #[test]
    fn bad_structures_are_refused_naming_what_is_wrong() {
        let mut dup = spec(&[("web", "db")], vec![]);
        dup.components.push(ComponentSpec::always_up("db"));
        let mut unknown = spec(&[("web", "db")], vec![]);
        unknown.needs.push(("web".into(), "cache".into()));
        let mut twice = spec(&[("web", "db")], vec![]);
        twice.needs.push(("web".into(), "db".into()));
        let mut selfish = spec(&[("web", "db")], vec![]);
        selfish.needs.push(("db".into(), "db".into()));
        let mut blank = spec(&[("web", "db")], vec![]);
        blank.components.push(ComponentSpec::always_up(" "));
        let cases = [
            (dup, "component `db` is listed twice"),
            (
                unknown,
                "unknown component `cache` in `needs`: list it in `components` (without `availability` it is always up)",
            ),
            (twice, "`web` needs `db` twice"),
            (selfish, "`db` cannot need itself"),
            (
                spec(&[("web", "a")], vec![group("web", &[], 1)]),
                "redundancy group of `web` is invalid: it has no members",
            ),
            (
                spec(
                    &[("web", "a"), ("web", "b")],
                    vec![group("web", &["a", "b"], 3)],
                ),
                "redundancy group of `web` is invalid: at least 3 of 2 members cannot be required: `min_up` must be between 1 and the member count",
            ),
            (
                spec(
                    &[("web", "a"), ("web", "b")],
                    vec![group("web", &["a", "b"], 0)],
                ),
                "redundancy group of `web` is invalid: at least 0 of 2 members cannot be required: `min_up` must be between 1 and the member count",
            ),
            (
                spec(
                    &[("web", "a"), ("web", "b")],
                    vec![group("web", &["a", "a"], 1)],
                ),
                "redundancy group of `web` is invalid: `a` is listed twice",
            ),
            (
                spec(
                    &[("web", "a"), ("b", "a")],
                    vec![group("web", &["a", "b"], 1)],
                ),
                "`b` is a member of a redundancy group of `web` but not one of its needs",
            ),
            (
                spec(
                    &[("web", "a"), ("web", "b"), ("web", "c")],
                    vec![group("web", &["a", "b"], 1), group("web", &["b", "c"], 1)],
                ),
                "`b` is in two redundancy groups of `web`",
            ),
            (
                spec(&[("web", "a")], vec![group("gone", &["a"], 1)]),
                "unknown component `gone` in `groups`: list it in `components` (without `availability` it is always up)",
            ),
        ];
        for (s, message) in cases {
            let err = Structure::new(s).unwrap_err();
            assert_eq!(err.to_string(), message);
        }
        assert!(matches!(
            Structure::new(blank).unwrap_err(),
            PredictError::Text(_)
        ));
    }

    #[test]
    fn structure_round_trips_through_its_spec() {
        let mut s = spec(
            &[("web", "a"), ("web", "b"), ("a", "db"), ("b", "db")],
            vec![group("web", &["a", "b"], 1)],
        );
        s.components.push(ComponentSpec::with_mtbf("lb", 1000, 5));
        s.components.push(ComponentSpec::always_up("dns"));
        let structure = Structure::new(s.clone()).unwrap();
        let json = serde_json::to_string(&structure).unwrap();
        let back: Structure = serde_json::from_str(&json).unwrap();
        assert_eq!(back, structure);
        assert_eq!(back.spec(), &s);
        assert_eq!(
            back.availability("web"),
            Some(Availability::Probability(dec!(0.9)))
        );
        assert_eq!(back.availability("dns"), None);
        assert_eq!(back.availability("nowhere"), None);
        assert!(json.contains(r#"{"key":"lb","availability":{"mtbf_s":1000,"mttr_s":5}}"#));
        // A spec that does not validate does not read back as a structure.
        let bad = json.replace(r#""min_up":1"#, r#""min_up":5"#);
        assert!(serde_json::from_str::<Structure>(&bad).is_err());
        let unknown_field = json.replace(r#""min_up":1"#, r#""min_up":1,"k":2"#);
        assert!(serde_json::from_str::<Structure>(&unknown_field).is_err());
    }
}
