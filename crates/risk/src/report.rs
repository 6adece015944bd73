//! Period reports of the register (ISO/IEC 20000-1 6.1, 9.1 monitoring, 9.3 management review).
//!
//! [`RiskRegister::report`] reads the register once and returns a typed [`RiskReport`]; its
//! [`RiskReport::to_markdown`] renders tables padded to fixed widths, so the heat maps read as
//! well in a terminal as in a Markdown viewer. Snapshot sections (levels, categories, heat
//! maps, overdue actions, reviews due, effectiveness, opportunities) describe the risks live at
//! the end of the period; flow sections (new, closed, materialized, escalations) what happened
//! within it. Heat maps and level counts cover threats; opportunities are listed apart.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, DefaultHasher};

use chrono::NaiveDate;
use itsm_core::{Actor, Id, Period};
use serde::{Deserialize, Serialize};

use crate::{Escalation, Reference, RiskKind, RiskLevel, RiskRegister, RiskStatus, Treatment};

/// One risk in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskLine {
    /// Reference.
    pub reference: Reference,
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// Current level, if rated.
    pub level: Option<String>,
    /// Status.
    pub status: RiskStatus,
}

/// Counts per matrix cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeatMap {
    /// Impact level names (columns), lowest first.
    pub impact: Vec<String>,
    /// Likelihood level names (rows), lowest first.
    pub likelihood: Vec<String>,
    /// `counts[likelihood][impact]`.
    pub counts: Vec<Vec<usize>>,
    /// The matrix level of each cell, same shape.
    pub levels: Vec<Vec<String>>,
}

/// A mitigation action past its due date and not complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverdueAction {
    /// The risk.
    pub risk: Reference,
    /// Action number.
    pub number: u32,
    /// What is to be done.
    pub description: String,
    /// Who.
    pub owner: Id<Actor>,
    /// Due date.
    pub due: NaiveDate,
    /// Days overdue at the end of the period.
    pub days_overdue: i64,
}

/// Why a risk is due for a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    /// Its next review date.
    Review,
    /// Its acceptance ends.
    AcceptanceExpired,
    /// Its acceptance lapsed: the risk rose above what the acceptance covered.
    AcceptanceLapsed,
}

impl ReviewReason {
    /// The reason in words, for reports.
    #[must_use]
    pub const fn words(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::AcceptanceExpired => "acceptance expired",
            Self::AcceptanceLapsed => "acceptance lapsed",
        }
    }
}

/// A risk due for review or for a new decision by the end of the period: a review date or an
/// acceptance's end on or before the period's last day, or an acceptance that lapsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewDue {
    /// The risk.
    pub risk: Reference,
    /// The date it fell due (for a lapse, the day it lapsed).
    pub due: NaiveDate,
    /// Why.
    pub reason: ReviewReason,
}

/// Inherent vs residual level of a treated risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Treated {
    /// The risk.
    pub risk: Reference,
    /// Inherent level.
    pub inherent: RiskLevel,
    /// Residual level (`None` when avoided: no residual risk remains).
    pub residual: Option<RiskLevel>,
}

impl Treated {
    /// How many levels treatment took off (negative when the residual is a higher level);
    /// an avoided risk counts as one below the lowest level.
    #[must_use]
    pub fn levels_lower(&self) -> i64 {
        let rank = |r: usize| i64::try_from(r).unwrap_or(i64::MAX);
        rank(self.inherent.rank()) - self.residual.as_ref().map_or(-1, |r| rank(r.rank()))
    }
}

/// The register's report for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskReport {
    /// The period.
    pub period: Period,
    /// Identified within the period.
    pub new: Vec<RiskLine>,
    /// Closed within the period.
    pub closed: Vec<RiskLine>,
    /// Materialized within the period.
    pub materialized: Vec<RiskLine>,
    /// Live threats by current level, lowest level first, then `unrated`.
    pub by_level: Vec<(String, usize)>,
    /// Live risks by category, alphabetically.
    pub by_category: Vec<(String, usize)>,
    /// Live threats on their inherent rating.
    pub inherent: HeatMap,
    /// Live threats on their residual rating (inherent where no residual yet).
    pub residual: HeatMap,
    /// Overdue mitigation actions, most overdue first (then by reference number).
    pub overdue_actions: Vec<OverdueAction>,
    /// Reviews and acceptances due by the end of the period, earliest first (then by reference
    /// number).
    pub reviews_due: Vec<ReviewDue>,
    /// Treated threats with both ratings (or avoided).
    pub treated: Vec<Treated>,
    /// How many of `treated` are at a lower level than their inherent level (avoided included).
    pub lowered: usize,
    /// How many of `treated` stayed at their inherent level.
    pub unchanged: usize,
    /// How many of `treated` are at a higher level than their inherent level.
    pub raised: usize,
    /// Live opportunities.
    pub opportunities: Vec<RiskLine>,
    /// Escalations raised within the period, oldest first.
    pub escalations: Vec<Escalation>,
}

impl RiskRegister {
    fn heat_map(&self) -> HeatMap {
        let m = self.matrix();
        let names = |s: &itsm_core::Scale| {
            s.levels()
                .iter()
                .map(|l| l.name.clone())
                .collect::<Vec<_>>()
        };
        let (ni, nl) = (m.impact().len(), m.likelihood().len());
        HeatMap {
            impact: names(m.impact()),
            likelihood: names(m.likelihood()),
            counts: vec![vec![0; ni]; nl],
            levels: (0..nl)
                .map(|l| {
                    (0..ni)
                        .map(|i| m.level_at(l, i).map(|x| x.name.clone()).unwrap_or_default())
                        .collect()
                })
                .collect(),
        }
    }

    /// The report for `period`. One pass over the register.
    #[must_use]
    pub fn report(&self, period: Period) -> RiskReport {
        let end = period.end();
        let end_date = end.date_naive();
        // The period's last day: the end is exclusive, so a period ending at midnight ends on
        // the day before.
        let last_day = (end - chrono::Duration::nanoseconds(1)).date_naive();
        let m = self.matrix();
        let mut inherent = self.heat_map();
        let mut residual = self.heat_map();
        let mut level_counts = vec![0usize; m.levels().len()];
        let mut unrated = 0usize;
        // Hashing a category once beats comparing it against several keys of a sorted map on
        // every risk; the few distinct categories are sorted at the end.
        let mut categories: HashMap<&str, usize, BuildHasherDefault<DefaultHasher>> =
            HashMap::default();
        let mut r = RiskReport {
            period,
            new: Vec::new(),
            closed: Vec::new(),
            materialized: Vec::new(),
            by_level: Vec::new(),
            by_category: Vec::new(),
            inherent: self.heat_map(),
            residual: self.heat_map(),
            overdue_actions: Vec::new(),
            reviews_due: Vec::new(),
            treated: Vec::new(),
            lowered: 0,
            unchanged: 0,
            raised: 0,
            opportunities: Vec::new(),
            escalations: self
                .all_escalations()
                .iter()
                .filter(|e| period.contains(e.at))
                .cloned()
                .collect(),
        };
        let bump = |map: &mut HeatMap, rating: &crate::Rating| {
            if let Some(c) = map
                .counts
                .get_mut(rating.likelihood_rank)
                .and_then(|row| row.get_mut(rating.impact_rank))
            {
                *c += 1;
            }
        };
        for risk in self.risks() {
            let line = || RiskLine {
                reference: risk.reference,
                title: risk.title.clone(),
                category: risk.category.clone(),
                level: risk.current().map(|x| x.level.clone()),
                status: risk.status,
            };
            if period.contains(risk.identified_at) {
                r.new.push(line());
            }
            if risk.closed_at.is_some_and(|t| period.contains(t)) {
                r.closed.push(line());
            }
            if risk.materialized_at.is_some_and(|t| period.contains(t)) {
                r.materialized.push(line());
            }
            let live = risk.identified_at < end
                && (risk.status.is_live() || risk.closed_at.is_some_and(|t| t >= end));
            if !live {
                continue;
            }
            *categories.entry(risk.category.as_str()).or_default() += 1;
            if risk.kind == RiskKind::Opportunity {
                r.opportunities.push(line());
                continue;
            }
            match risk.current().map(|x| x.level_rank) {
                Some(rank) => {
                    if let Some(c) = level_counts.get_mut(rank) {
                        *c += 1;
                    }
                }
                None => unrated += 1,
            }
            if let Some(i) = &risk.inherent {
                bump(&mut inherent, i);
            }
            if let Some(x) = risk.residual.as_ref().or(risk.inherent.as_ref()) {
                bump(&mut residual, x);
            }
            for a in risk.open_actions().filter(|a| a.due < end_date) {
                r.overdue_actions.push(OverdueAction {
                    risk: risk.reference,
                    number: a.number,
                    description: a.description.clone(),
                    owner: a.owner,
                    due: a.due,
                    days_overdue: (end_date - a.due).num_days(),
                });
            }
            // Inclusive: a date on the period's last day is due within it.
            if let Some(due) = risk.next_review.filter(|d| *d <= last_day) {
                r.reviews_due.push(ReviewDue {
                    risk: risk.reference,
                    due,
                    reason: ReviewReason::Review,
                });
            }
            if let Some(Treatment::Accept(a)) = &risk.treatment {
                if a.until <= last_day {
                    r.reviews_due.push(ReviewDue {
                        risk: risk.reference,
                        due: a.until,
                        reason: ReviewReason::AcceptanceExpired,
                    });
                }
            }
            // A lapsed acceptance needs a new decision from the day it lapsed.
            if let Some(at) = risk.lapsed.as_ref().map(|l| l.at).filter(|t| *t < end) {
                r.reviews_due.push(ReviewDue {
                    risk: risk.reference,
                    due: at.date_naive(),
                    reason: ReviewReason::AcceptanceLapsed,
                });
            }
            let residual = match (&risk.treatment, &risk.residual) {
                (Some(Treatment::Avoid { .. }), _) => Some(None),
                (_, Some(x)) => Some(Some(
                    m.level_ranked(x.level_rank)
                        .unwrap_or_else(|| x.risk_level()),
                )),
                _ => None,
            };
            if let (Some(i), Some(residual)) = (&risk.inherent, residual) {
                let t = Treated {
                    risk: risk.reference,
                    inherent: m
                        .level_ranked(i.level_rank)
                        .unwrap_or_else(|| i.risk_level()),
                    residual,
                };
                match t.levels_lower() {
                    1.. => r.lowered += 1,
                    0 => r.unchanged += 1,
                    _ => r.raised += 1,
                }
                r.treated.push(t);
            }
        }
        r.inherent = inherent;
        r.residual = residual;
        r.by_level = m
            .levels()
            .levels()
            .iter()
            .map(|l| l.name.clone())
            .zip(level_counts)
            .collect();
        r.by_level.push(("unrated".into(), unrated));
        let mut by_category: Vec<(String, usize)> = categories
            .into_iter()
            .map(|(c, n)| (c.to_owned(), n))
            .collect();
        by_category.sort_unstable();
        r.by_category = by_category;
        // Entries were pushed in reference order; stable sorts keep it among equal keys.
        r.overdue_actions
            .sort_by_key(|a| std::cmp::Reverse(a.days_overdue));
        r.reviews_due.sort_by_key(|d| d.due);
        // Operations may be recorded out of time order; the report reads chronologically.
        r.escalations.sort_by_key(|e| e.at);
        r
    }
}

/// A Markdown table padded so that it reads in a terminal too.
fn table(header: &[String], rows: &[Vec<String>], right: &[bool]) -> String {
    let cols = header.len();
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count().max(3)).collect();
    for row in rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let pad = |s: &str, w: usize, r: bool| {
        let n = w.saturating_sub(s.chars().count());
        if r {
            format!("{}{s}", " ".repeat(n))
        } else {
            format!("{s}{}", " ".repeat(n))
        }
    };
    let mut out = String::new();
    let line = |cells: &mut dyn Iterator<Item = String>| {
        format!("| {} |\n", cells.collect::<Vec<_>>().join(" | "))
    };
    out += &line(&mut header.iter().zip(&width).map(|(h, w)| pad(h, *w, false)));
    out += &line(&mut (0..cols).map(|c| {
        let w = width.get(c).copied().unwrap_or(3);
        if right.get(c).copied().unwrap_or(false) {
            format!("{}:", "-".repeat(w - 1))
        } else {
            "-".repeat(w)
        }
    }));
    for row in rows {
        out += &line(
            &mut row
                .iter()
                .zip(&width)
                .enumerate()
                .map(|(c, (s, w))| pad(s, *w, right.get(c).copied().unwrap_or(false))),
        );
    }
    out
}

fn lines(title: &str, items: &[RiskLine], out: &mut String) {
    let _ = writeln!(out, "### {title} ({})\n", items.len());
    if items.is_empty() {
        out.push_str("None.\n\n");
        return;
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|l| {
            vec![
                l.reference.to_string(),
                l.title.clone(),
                l.category.clone(),
                l.level.clone().unwrap_or_else(|| "unrated".into()),
                l.status.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(
        &["Ref", "Title", "Category", "Level", "Status"].map(String::from),
        &rows,
        &[false; 5],
    ));
    out.push('\n');
}

impl HeatMap {
    /// The heat map as a padded Markdown table: likelihood rows from highest to lowest, impact
    /// columns from lowest to highest, each cell `count level`.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut header = vec!["Likelihood \\ Impact".to_owned()];
        header.extend(self.impact.iter().cloned());
        let rows: Vec<Vec<String>> = self
            .likelihood
            .iter()
            .enumerate()
            .rev()
            .map(|(l, name)| {
                let mut row = vec![name.clone()];
                for i in 0..self.impact.len() {
                    let count = self
                        .counts
                        .get(l)
                        .and_then(|r| r.get(i))
                        .copied()
                        .unwrap_or(0);
                    let level = self
                        .levels
                        .get(l)
                        .and_then(|r| r.get(i))
                        .map_or("", String::as_str);
                    row.push(if count == 0 {
                        format!("· {level}")
                    } else {
                        format!("{count} {level}")
                    });
                }
                row
            })
            .collect();
        let mut right = vec![false];
        right.extend(std::iter::repeat_n(true, self.impact.len()));
        table(&header, &rows, &right)
    }

    /// Total count over all cells.
    #[must_use]
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }
}

impl RiskReport {
    /// The report as Markdown.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "## Risk report {} to {}\n",
            self.period.start().date_naive(),
            self.period.end().date_naive()
        );
        let _ = writeln!(
            out,
            "New {}, closed {}, materialized {}, escalations {}; overdue actions {}, reviews due {}.\n",
            self.new.len(),
            self.closed.len(),
            self.materialized.len(),
            self.escalations.len(),
            self.overdue_actions.len(),
            self.reviews_due.len()
        );
        lines("New", &self.new, &mut out);
        lines("Closed", &self.closed, &mut out);
        lines("Materialized", &self.materialized, &mut out);
        out.push_str("### Live threats by level\n\n");
        let rows: Vec<Vec<String>> = self
            .by_level
            .iter()
            .map(|(l, n)| vec![l.clone(), n.to_string()])
            .collect();
        out.push_str(&table(
            &["Level".into(), "Risks".into()],
            &rows,
            &[false, true],
        ));
        out.push_str("\n### Live risks by category\n\n");
        let rows: Vec<Vec<String>> = self
            .by_category
            .iter()
            .map(|(l, n)| vec![l.clone(), n.to_string()])
            .collect();
        out.push_str(&table(
            &["Category".into(), "Risks".into()],
            &rows,
            &[false, true],
        ));
        let _ = writeln!(
            out,
            "\n### Heat map, inherent ({} threats)\n",
            self.inherent.total()
        );
        out.push_str(&self.inherent.to_markdown());
        let _ = writeln!(
            out,
            "\n### Heat map, residual ({} threats)\n",
            self.residual.total()
        );
        out.push_str(&self.residual.to_markdown());
        let _ = writeln!(
            out,
            "\n### Overdue mitigation actions ({})\n",
            self.overdue_actions.len()
        );
        if self.overdue_actions.is_empty() {
            out.push_str("None.\n");
        } else {
            let rows: Vec<Vec<String>> = self
                .overdue_actions
                .iter()
                .map(|a| {
                    vec![
                        a.risk.to_string(),
                        format!("#{}", a.number),
                        a.description.clone(),
                        a.due.to_string(),
                        a.days_overdue.to_string(),
                    ]
                })
                .collect();
            out.push_str(&table(
                &["Risk", "Action", "Description", "Due", "Days overdue"].map(String::from),
                &rows,
                &[false, false, false, false, true],
            ));
        }
        let _ = writeln!(
            out,
            "\n### Reviews and acceptances due ({})\n",
            self.reviews_due.len()
        );
        if self.reviews_due.is_empty() {
            out.push_str("None.\n");
        } else {
            let rows: Vec<Vec<String>> = self
                .reviews_due
                .iter()
                .map(|d| {
                    vec![
                        d.risk.to_string(),
                        d.due.to_string(),
                        d.reason.words().to_owned(),
                    ]
                })
                .collect();
            out.push_str(&table(
                &["Risk", "Due", "What"].map(String::from),
                &rows,
                &[false; 3],
            ));
        }
        let _ = writeln!(
            out,
            "\n### Treatment effectiveness ({} treated threats)\n",
            self.treated.len()
        );
        if self.treated.is_empty() {
            out.push_str("None.\n");
        } else {
            let _ = writeln!(
                out,
                "{} at a lower level than their inherent level, {} unchanged, {} higher.\n",
                self.lowered, self.unchanged, self.raised
            );
            let rows: Vec<Vec<String>> = self
                .treated
                .iter()
                .map(|t| {
                    vec![
                        t.risk.to_string(),
                        t.inherent.to_string(),
                        t.residual
                            .as_ref()
                            .map_or_else(|| "none (avoided)".to_owned(), ToString::to_string),
                        t.levels_lower().to_string(),
                    ]
                })
                .collect();
            out.push_str(&table(
                &["Risk", "Inherent", "Residual", "Levels lower"].map(String::from),
                &rows,
                &[false, false, false, true],
            ));
        }
        out.push('\n');
        lines("Opportunities", &self.opportunities, &mut out);
        let _ = writeln!(
            out,
            "### Escalations to top management ({})\n",
            self.escalations.len()
        );
        if self.escalations.is_empty() {
            out.push_str("None.\n");
        } else {
            let rows: Vec<Vec<String>> = self
                .escalations
                .iter()
                .map(|e| {
                    vec![
                        e.at.format("%Y-%m-%d %H:%M").to_string(),
                        e.risk.to_string(),
                        e.reason.to_string(),
                        e.level.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            out.push_str(&table(
                &["When (UTC)", "Risk", "Why", "Level"].map(String::from),
                &rows,
                &[false; 4],
            ));
        }
        out
    }
}
