//! Risk matrices: impact x likelihood -> level.
//!
//! ISO/IEC 20000-1 6.1 asks the organisation to determine and assess risks; the register scores
//! each one on a matrix. Two forms are supported, as GRC tools define them:
//! - **product with bands**: score = impact value x likelihood value, and contiguous score bands
//!   name the level (`1..=4` Low, `5..=9` Medium ...);
//! - **explicit grid**: each cell (likelihood row, impact column) names its level.
//!
//! A matrix is validated once, when built (or read from JSON): every level named exists, bands
//! cover the whole score range without gap or overlap, the grid has one cell per pair, and the
//! level never falls as impact or likelihood rises. After that, every cell has exactly one
//! level, precomputed, and rating a risk is a lookup.
//!
//! The work is bounded by what the definition can say: each scale has at most
//! [`Scale::MAX_LEVELS`] levels (so at most 400 cells) and a matrix at most
//! [`RiskMatrix::MAX_BANDS`] bands.

use itsm_core::{Level, Scale};
use serde::{Deserialize, Serialize};

use crate::{RiskError, RiskLevel};

/// A contiguous, inclusive range of scores mapped to one level.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a band with `level`, `from` and `to`"
)]
pub struct Band {
    /// The level's name (on the matrix's level scale).
    pub level: String,
    /// Lowest score in the band.
    pub from: u32,
    /// Highest score in the band.
    pub to: u32,
}

impl Band {
    /// The band `from..=to` named `level`.
    #[must_use]
    pub fn new(level: impl Into<String>, from: u32, to: u32) -> Self {
        Self {
            level: level.into(),
            from,
            to,
        }
    }
}

/// How cells get their level.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatrixRule {
    /// Score = impact value x likelihood value, mapped through bands.
    Bands(Vec<Band>),
    /// One level name per cell: rows by likelihood (lowest first), columns by impact (lowest
    /// first).
    Grid(Vec<Vec<String>>),
}

/// The JSON form of a matrix (what [`RiskMatrix`] serializes as and is read from).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a risk matrix with `impact`, `likelihood`, `levels` and `rule`"
)]
pub struct MatrixDefinition {
    /// The impact scale (columns).
    pub impact: Scale,
    /// The likelihood scale (rows).
    pub likelihood: Scale,
    /// The risk levels, lowest first.
    pub levels: Scale,
    /// Bands or grid.
    pub rule: MatrixRule,
}

/// The rating of a risk on a matrix, made by [`RiskMatrix::rate`].
///
/// Names are what people read; ranks (zero-based positions on each scale) are what reports
/// count with. A register only holds ratings its matrix made, and checks them again when a
/// snapshot is read back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// Impact level name.
    pub impact: String,
    /// Likelihood level name.
    pub likelihood: String,
    /// Impact value x likelihood value.
    pub score: u32,
    /// The risk level the matrix gives the cell.
    pub level: String,
    /// Rank of `impact` on the impact scale.
    pub impact_rank: usize,
    /// Rank of `likelihood` on the likelihood scale.
    pub likelihood_rank: usize,
    /// Rank of `level` on the level scale.
    pub level_rank: usize,
}

impl Rating {
    /// The rated level, ranked: what comparisons use (never the score, which on an explicit
    /// grid does not order levels).
    #[must_use]
    pub fn risk_level(&self) -> RiskLevel {
        RiskLevel::new(self.level_rank, &self.level)
    }
}

/// A validated risk matrix.
///
/// ```
/// use itsm_risk::RiskMatrix;
///
/// let m = RiskMatrix::standard_5x5();
/// let r = m.rate("Major", "Likely")?;
/// assert_eq!((r.score, r.level.as_str()), (16, "High"));
/// assert!(m.rate("Huge", "Likely").is_err());
/// # Ok::<(), itsm_risk::RiskError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MatrixDefinition", into = "MatrixDefinition")]
pub struct RiskMatrix {
    definition: MatrixDefinition,
    /// Level rank per cell, row-major: likelihood rank x impact count + impact rank.
    cells: Vec<usize>,
    /// Each level, made once (derived from `definition`).
    ranked: Vec<RiskLevel>,
}

impl TryFrom<MatrixDefinition> for RiskMatrix {
    type Error = RiskError;
    fn try_from(d: MatrixDefinition) -> Result<Self, RiskError> {
        Self::new(d)
    }
}

impl From<RiskMatrix> for MatrixDefinition {
    fn from(m: RiskMatrix) -> Self {
        m.definition
    }
}

fn invalid(reason: String) -> RiskError {
    RiskError::InvalidMatrix { reason }
}

impl RiskMatrix {
    /// The most bands a matrix may have: one per cell of the largest matrix
    /// ([`Scale::MAX_LEVELS`] squared, 400).
    pub const MAX_BANDS: usize = Scale::MAX_LEVELS * Scale::MAX_LEVELS;

    /// Validates `definition` and precomputes every cell.
    ///
    /// # Errors
    /// [`RiskError::InvalidMatrix`] naming the first problem (more than
    /// [`RiskMatrix::MAX_BANDS`] bands among them).
    pub fn new(definition: MatrixDefinition) -> Result<Self, RiskError> {
        let (imp, lik, levels) = (
            &definition.impact,
            &definition.likelihood,
            &definition.levels,
        );
        let rank = |name: &str, at: &str| {
            levels.rank(name).ok_or_else(|| {
                invalid(format!(
                    "{at} names level `{name}`, which is not on the level scale"
                ))
            })
        };
        let mut cells = Vec::with_capacity(imp.len() * lik.len());
        match &definition.rule {
            MatrixRule::Bands(bands) => {
                if bands.len() > Self::MAX_BANDS {
                    return Err(invalid(format!(
                        "a matrix has at most `{}` bands; this one has `{}`",
                        Self::MAX_BANDS,
                        bands.len()
                    )));
                }
                let lo = imp
                    .min()
                    .value
                    .checked_mul(lik.min().value)
                    .ok_or_else(|| invalid("scores overflow".into()))?;
                let hi = imp
                    .max()
                    .value
                    .checked_mul(lik.max().value)
                    .ok_or_else(|| invalid("scores overflow".into()))?;
                let mut expected_from = None::<u32>;
                let mut last_rank = 0;
                for (i, b) in bands.iter().enumerate() {
                    let at = format!("band {} (`{}` {}..={})", i + 1, b.level, b.from, b.to);
                    if b.from > b.to {
                        return Err(invalid(format!("{at} starts after it ends")));
                    }
                    match expected_from {
                        None if b.from > lo => {
                            return Err(invalid(format!(
                                "{at} leaves scores {lo}..{} without a level",
                                b.from
                            )));
                        }
                        Some(e) if b.from > e => {
                            return Err(invalid(format!(
                                "{at} leaves scores {e}..{} without a level",
                                b.from
                            )));
                        }
                        Some(e) if b.from < e => {
                            return Err(invalid(format!("{at} overlaps the band before it")));
                        }
                        _ => {}
                    }
                    let r = rank(&b.level, &at)?;
                    if r < last_rank {
                        return Err(invalid(format!(
                            "{at} has a lower level than the band before it"
                        )));
                    }
                    last_rank = r;
                    expected_from = Some(b.to.saturating_add(1));
                }
                match bands.last() {
                    Some(b) if b.to >= hi => {}
                    Some(b) => {
                        return Err(invalid(format!(
                            "scores {}..={hi} have no band",
                            b.to.saturating_add(1)
                        )));
                    }
                    None => return Err(invalid("no bands".into())),
                }
                for l in lik.levels() {
                    for i in imp.levels() {
                        let score = i.value.saturating_mul(l.value);
                        let band = bands
                            .iter()
                            .find(|b| b.from <= score && score <= b.to)
                            .ok_or_else(|| invalid(format!("score {score} has no band")))?;
                        cells.push(rank(&band.level, "a band")?);
                    }
                }
            }
            MatrixRule::Grid(rows) => {
                if rows.len() != lik.len() {
                    return Err(invalid(format!(
                        "the grid has {} row(s) for {} likelihood level(s)",
                        rows.len(),
                        lik.len()
                    )));
                }
                for (row, l) in rows.iter().zip(lik.levels()) {
                    if row.len() != imp.len() {
                        return Err(invalid(format!(
                            "grid row `{}` has {} cell(s) for {} impact level(s)",
                            l.name,
                            row.len(),
                            imp.len()
                        )));
                    }
                    for (name, i) in row.iter().zip(imp.levels()) {
                        cells.push(rank(
                            name,
                            &format!("cell (likelihood `{}`, impact `{}`)", l.name, i.name),
                        )?);
                    }
                }
            }
        }
        let ranked = definition
            .levels
            .levels()
            .iter()
            .enumerate()
            .map(|(rank, l)| RiskLevel::new(rank, &l.name))
            .collect();
        let m = Self {
            definition,
            cells,
            ranked,
        };
        m.check_monotone()?;
        Ok(m)
    }

    fn check_monotone(&self) -> Result<(), RiskError> {
        let (ni, nl) = (self.impact().len(), self.likelihood().len());
        for l in 0..nl {
            for i in 0..ni {
                let here = self.cell(l, i);
                let name = |l: usize, i: usize| {
                    format!(
                        "(likelihood `{}`, impact `{}`)",
                        self.likelihood()
                            .levels()
                            .get(l)
                            .map_or("", |x| x.name.as_str()),
                        self.impact()
                            .levels()
                            .get(i)
                            .map_or("", |x| x.name.as_str())
                    )
                };
                if i + 1 < ni && self.cell(l, i + 1) < here {
                    return Err(invalid(format!(
                        "cell {} is below cell {}: the level must not fall as impact rises",
                        name(l, i + 1),
                        name(l, i)
                    )));
                }
                if l + 1 < nl && self.cell(l + 1, i) < here {
                    return Err(invalid(format!(
                        "cell {} is below cell {}: the level must not fall as likelihood rises",
                        name(l + 1, i),
                        name(l, i)
                    )));
                }
            }
        }
        Ok(())
    }

    /// Level rank of the cell (likelihood rank, impact rank).
    fn cell(&self, l: usize, i: usize) -> usize {
        self.cells
            .get(l * self.impact().len() + i)
            .copied()
            .unwrap_or(0)
    }

    /// The impact scale.
    #[must_use]
    pub fn impact(&self) -> &Scale {
        &self.definition.impact
    }

    /// The likelihood scale.
    #[must_use]
    pub fn likelihood(&self) -> &Scale {
        &self.definition.likelihood
    }

    /// The risk levels, lowest first.
    #[must_use]
    pub fn levels(&self) -> &Scale {
        &self.definition.levels
    }

    /// The definition the matrix was built from.
    #[must_use]
    pub fn definition(&self) -> &MatrixDefinition {
        &self.definition
    }

    /// The level of the cell at (likelihood rank, impact rank), both zero-based.
    #[must_use]
    pub fn level_at(&self, likelihood_rank: usize, impact_rank: usize) -> Option<&Level> {
        if likelihood_rank >= self.likelihood().len() || impact_rank >= self.impact().len() {
            return None;
        }
        self.levels()
            .levels()
            .get(self.cell(likelihood_rank, impact_rank))
    }

    /// Resolves a level name into a ranked [`RiskLevel`]: where a level name enters (an
    /// appetite, a policy, a query), this is the one place it is looked up.
    ///
    /// # Errors
    /// [`RiskError::UnknownLevel`] when `name` is not on the level scale.
    pub fn level(&self, name: &str) -> Result<RiskLevel, RiskError> {
        self.levels()
            .rank(name)
            .and_then(|r| self.level_ranked(r))
            .ok_or_else(|| RiskError::UnknownLevel {
                scale: "risk level",
                level: name.to_owned(),
            })
    }

    /// The level with this rank (0 = lowest), if the scale has one.
    #[must_use]
    pub fn level_ranked(&self, rank: usize) -> Option<RiskLevel> {
        self.ranked.get(rank).cloned()
    }

    /// The highest level of the matrix.
    #[must_use]
    pub fn top_level(&self) -> RiskLevel {
        let top = self.levels().len().saturating_sub(1);
        self.level_ranked(top)
            .unwrap_or_else(|| RiskLevel::new(top, ""))
    }

    /// Whether `level` is a level of this matrix (its rank and name agree with the scale): how
    /// a stored level is checked when a register is read back.
    #[must_use]
    pub fn owns(&self, level: &RiskLevel) -> bool {
        self.level_ranked(level.rank()).as_ref() == Some(level)
    }

    /// Rates a risk with this impact and likelihood.
    ///
    /// # Errors
    /// [`RiskError::UnknownLevel`] when either name is not on its scale.
    pub fn rate(&self, impact: &str, likelihood: &str) -> Result<Rating, RiskError> {
        let unknown = |scale: &'static str, name: &str| RiskError::UnknownLevel {
            scale,
            level: name.to_owned(),
        };
        let ir = self
            .impact()
            .rank(impact)
            .ok_or_else(|| unknown("impact", impact))?;
        let lr = self
            .likelihood()
            .rank(likelihood)
            .ok_or_else(|| unknown("likelihood", likelihood))?;
        let (Some(i), Some(l), Some(level)) = (
            self.impact().levels().get(ir),
            self.likelihood().levels().get(lr),
            self.level_at(lr, ir),
        ) else {
            return Err(unknown("impact", impact));
        };
        Ok(Rating {
            impact: i.name.clone(),
            likelihood: l.name.clone(),
            score: i.value.saturating_mul(l.value),
            level: level.name.clone(),
            impact_rank: ir,
            likelihood_rank: lr,
            level_rank: self.cell(lr, ir),
        })
    }

    #[expect(
        clippy::expect_used,
        reason = "the standard definitions are constants, validated by the tests of this module"
    )]
    fn standard(
        impact: &[&str],
        likelihood: &[&str],
        levels: &[&str],
        bands: &[(u32, u32)],
    ) -> Self {
        let scale = |names: &[&str]| Scale::from_names(names).expect("standard scale");
        Self::new(MatrixDefinition {
            impact: scale(impact),
            likelihood: scale(likelihood),
            levels: scale(levels),
            rule: MatrixRule::Bands(
                levels
                    .iter()
                    .zip(bands)
                    .map(|(l, (f, t))| Band::new(*l, *f, *t))
                    .collect(),
            ),
        })
        .expect("standard matrix")
    }

    /// 3x3: impact and likelihood Low / Medium / High; levels Low (1-2), Medium (3-4),
    /// High (5-9).
    #[must_use]
    pub fn standard_3x3() -> Self {
        let s = ["Low", "Medium", "High"];
        Self::standard(&s, &s, &s, &[(1, 2), (3, 4), (5, 9)])
    }

    /// 4x4: impact Minor / Moderate / Major / Severe, likelihood Rare / Possible / Likely /
    /// Almost certain; levels Low (1-3), Medium (4-6), High (7-11), Critical (12-16).
    #[must_use]
    pub fn standard_4x4() -> Self {
        Self::standard(
            &["Minor", "Moderate", "Major", "Severe"],
            &["Rare", "Possible", "Likely", "Almost certain"],
            &["Low", "Medium", "High", "Critical"],
            &[(1, 3), (4, 6), (7, 11), (12, 16)],
        )
    }

    /// 5x5: impact Insignificant / Minor / Moderate / Major / Catastrophic, likelihood Rare /
    /// Unlikely / Possible / Likely / Almost certain; levels Low (1-4), Medium (5-9), High
    /// (10-16), Critical (17-25).
    #[must_use]
    pub fn standard_5x5() -> Self {
        Self::standard(
            &[
                "Insignificant",
                "Minor",
                "Moderate",
                "Major",
                "Catastrophic",
            ],
            &["Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
            &["Low", "Medium", "High", "Critical"],
            &[(1, 4), (5, 9), (10, 16), (17, 25)],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names(n: usize, p: &str) -> Scale {
        Scale::from_names(
            &(1..=n)
                .map(|i| format!("{p}{i}"))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )
        .unwrap()
    }

    #[test]
    fn standard_matrices_work() {
        for (m, cells) in [
            (RiskMatrix::standard_3x3(), 9),
            (RiskMatrix::standard_4x4(), 16),
            (RiskMatrix::standard_5x5(), 25),
        ] {
            assert_eq!(m.cells.len(), cells);
            assert_eq!(m.level_at(0, 0).unwrap().name, "Low");
            let top = m
                .level_at(m.likelihood().len() - 1, m.impact().len() - 1)
                .unwrap();
            assert_eq!(top, m.levels().max());
        }
        let r = RiskMatrix::standard_4x4()
            .rate("moderate", "likely")
            .unwrap();
        assert_eq!(
            r,
            Rating {
                impact: "Moderate".into(),
                likelihood: "Likely".into(),
                score: 6,
                level: "Medium".into(),
                impact_rank: 1,
                likelihood_rank: 2,
                level_rank: 1,
            }
        );
    }

    #[test]
    fn grids_from_json_and_their_errors() {
        let json = r#"{
            "impact": [{"name":"Low","value":1},{"name":"High","value":2}],
            "likelihood": [{"name":"Rare","value":1},{"name":"Often","value":2}],
            "levels": [{"name":"Green","value":1},{"name":"Red","value":2}],
            "rule": {"grid": [["Green","Red"],["Red","Red"]]}
        }"#;
        let m: RiskMatrix = serde_json::from_str(json).unwrap();
        assert_eq!(m.rate("High", "Rare").unwrap().level, "Red");
        assert_eq!(m.rate("Low", "Rare").unwrap().level, "Green");
        let back: RiskMatrix = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        let err = |j: &str| {
            serde_json::from_str::<RiskMatrix>(j)
                .unwrap_err()
                .to_string()
        };
        assert!(
            err(&json.replace(r#"["Red","Red"]]"#, r#"["Red"]]"#))
                .contains("grid row `Often` has 1 cell(s) for 2 impact level(s)")
        );
        assert!(
            err(&json.replace(r#"["Red","Red"]]"#, r#"["Red","Blue"]]"#))
                .contains("cell (likelihood `Often`, impact `High`) names level `Blue`")
        );
        assert!(
            err(&json.replace(
                r#"[["Green","Red"],["Red","Red"]]"#,
                r#"[["Red","Red"],["Green","Red"]]"#
            ))
            .contains("must not fall as likelihood rises")
        );
    }

    #[test]
    fn bands_must_cover_without_overlap() {
        let def = |bands: Vec<Band>| MatrixDefinition {
            impact: names(3, "i"),
            likelihood: names(3, "l"),
            levels: Scale::from_names(&["Low", "High"]).unwrap(),
            rule: MatrixRule::Bands(bands),
        };
        let e = |bands| RiskMatrix::new(def(bands)).unwrap_err().to_string();
        assert!(
            e(vec![Band::new("Low", 1, 4), Band::new("High", 6, 9)])
                .contains("leaves scores 5..6 without a level")
        );
        assert!(e(vec![Band::new("Low", 1, 4), Band::new("High", 4, 9)]).contains("overlaps"));
        assert!(
            e(vec![Band::new("Low", 1, 4), Band::new("High", 5, 8)])
                .contains("scores 9..=9 have no band")
        );
        assert!(
            e(vec![Band::new("Low", 2, 4), Band::new("High", 5, 9)])
                .contains("leaves scores 1..2 without a level")
        );
        assert!(
            e(vec![Band::new("High", 1, 4), Band::new("Low", 5, 9)])
                .contains("lower level than the band before")
        );
        assert!(e(vec![Band::new("Mid", 1, 9)]).contains("names level `Mid`"));
        assert!(
            RiskMatrix::new(def(vec![Band::new("Low", 1, 4), Band::new("High", 5, 9)])).is_ok()
        );
    }

    #[test]
    fn matrices_with_huge_scales_or_band_lists_are_refused() {
        // 20 000 x 20 000 from about 1.2 MB of JSON used to ask for 400 million cells.
        let scale = |n: u32, p: &str| {
            (1..=n)
                .map(|v| format!(r#"{{"name":"{p}{v}","value":{v}}}"#))
                .collect::<Vec<_>>()
                .join(",")
        };
        let json = format!(
            r#"{{"impact":[{}],"likelihood":[{}],"levels":[{{"name":"Low","value":1}}],
               "rule":{{"bands":[{{"level":"Low","from":1,"to":400000000}}]}}}}"#,
            scale(20_000, "i"),
            scale(20_000, "l")
        );
        let err = serde_json::from_str::<RiskMatrix>(&json)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("a scale has at most `20` levels; this one has `20000`"),
            "{err}"
        );
        let twenty = names(Scale::MAX_LEVELS, "s");
        let biggest = RiskMatrix::new(MatrixDefinition {
            impact: twenty.clone(),
            likelihood: twenty.clone(),
            levels: Scale::from_names(&["Low"]).unwrap(),
            rule: MatrixRule::Bands(vec![Band::new("Low", 1, 400)]),
        })
        .unwrap();
        assert_eq!(biggest.cells.len(), 400);
        let many: Vec<Band> = (1..=401).map(|s| Band::new("Low", s, s)).collect();
        let err = RiskMatrix::new(MatrixDefinition {
            impact: twenty.clone(),
            likelihood: twenty,
            levels: Scale::from_names(&["Low"]).unwrap(),
            rule: MatrixRule::Bands(many),
        })
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "invalid risk matrix: a matrix has at most `400` bands; this one has `401`"
        );
    }

    fn valid_matrix() -> impl Strategy<Value = RiskMatrix> {
        (
            1usize..7,
            1usize..7,
            1usize..6,
            proptest::collection::vec(0u32..50, 0..5),
        )
            .prop_map(|(ni, nl, nlev, cuts)| {
                let (imp, lik) = (names(ni, "i"), names(nl, "l"));
                let hi = u32::try_from(ni * nl).unwrap();
                // Cut points inside 1..hi, one band per level at most.
                let mut cuts: Vec<u32> = cuts.into_iter().map(|c| 1 + c % hi).collect();
                cuts.sort_unstable();
                cuts.dedup();
                cuts.truncate(nlev - 1);
                let mut bands = Vec::new();
                let mut from = 1;
                for (k, c) in cuts.iter().enumerate() {
                    if *c >= from && *c < hi {
                        bands.push(Band::new(format!("L{}", k + 1), from, *c));
                        from = c + 1;
                    }
                }
                bands.push(Band::new(format!("L{}", bands.len() + 1), from, hi));
                let levels = names(bands.len(), "L");
                RiskMatrix::new(MatrixDefinition {
                    impact: imp,
                    likelihood: lik,
                    levels,
                    rule: MatrixRule::Bands(bands),
                })
                .unwrap()
            })
    }

    proptest! {
        #[test]
        fn every_cell_of_a_valid_matrix_has_exactly_one_level(m in valid_matrix()) {
            let def = m.definition().clone();
            let MatrixRule::Bands(bands) = &def.rule else { unreachable!() };
            for (lr, l) in m.likelihood().levels().iter().enumerate() {
                for (ir, i) in m.impact().levels().iter().enumerate() {
                    let score = i.value * l.value;
                    let containing: Vec<&Band> = bands.iter().filter(|b| b.from <= score && score <= b.to).collect();
                    prop_assert_eq!(containing.len(), 1, "score {} in {} bands", score, containing.len());
                    prop_assert_eq!(&m.level_at(lr, ir).unwrap().name, &containing[0].level);
                    prop_assert_eq!(m.rate(&i.name, &l.name).unwrap().level, containing[0].level.clone());
                }
            }
            // The same matrix as an explicit grid is valid too and agrees everywhere.
            let grid: Vec<Vec<String>> = (0..m.likelihood().len())
                .map(|lr| (0..m.impact().len()).map(|ir| m.level_at(lr, ir).unwrap().name.clone()).collect())
                .collect();
            let g = RiskMatrix::new(MatrixDefinition { rule: MatrixRule::Grid(grid), ..def }).unwrap();
            prop_assert_eq!(&g.cells, &m.cells);
            let back: RiskMatrix = serde_json::from_str(&serde_json::to_string(&g).unwrap()).unwrap();
            prop_assert_eq!(back, g);
        }
    }
}
