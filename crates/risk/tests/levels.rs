//! Risk levels are ranked, never compared by name or score; accepted risks that rise above
//! what their acceptance covered lose it (issue 9).
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a failed unwrap is a failed test"
)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use itsm_core::{Actor, Division, Period, Role, Scale};
use itsm_risk::*;
use proptest::prelude::*;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap()
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// A 6x6 explicit grid whose level is the higher of the two ranks: (likelihood 6, impact 1)
/// has score 6 and the top level, (3, 3) has score 9 and the third level.
fn grid_6x6() -> RiskMatrix {
    let names = ["1", "2", "3", "4", "5", "6"];
    let scale = Scale::from_names(&names).unwrap();
    let levels = Scale::from_names(&["L1", "L2", "L3", "L4", "L5", "L6"]).unwrap();
    let rows = (0..6)
        .map(|l| {
            (0..6)
                .map(|i| format!("L{}", usize::max(l, i) + 1))
                .collect()
        })
        .collect();
    RiskMatrix::new(MatrixDefinition {
        impact: scale.clone(),
        likelihood: scale,
        levels,
        rule: MatrixRule::Grid(rows),
    })
    .unwrap()
}

fn appetite(threshold: &str, ladder: &[(Role, &str)], escalate_at: &str) -> RiskAppetite {
    RiskAppetite {
        default_threshold: threshold.into(),
        divisions: Default::default(),
        authority: ladder
            .iter()
            .map(|(role, up_to)| Authority {
                role: *role,
                up_to: (*up_to).into(),
            })
            .collect(),
        escalate_at: escalate_at.into(),
        corporate_at: None,
    }
}

fn manager() -> Actor {
    Actor::new("rm", "Rita", [Role::RiskManager]).unwrap()
}

fn owner() -> Actor {
    Actor::new("ro", "Olga", [Role::RiskOwner]).unwrap()
}

fn grid_register() -> RiskRegister {
    let ladder = [(Role::RiskManager, "L6")];
    RiskRegister::new(grid_6x6(), appetite("L6", &ladder, "L6")).unwrap()
}

fn residual(impact: &str, likelihood: &str) -> Assessment {
    Assessment {
        residual: Some(Score::new(impact, likelihood)),
        ..Assessment::default()
    }
}

#[test]
fn a_residual_at_a_lower_grid_level_but_a_higher_score_is_not_refused_as_worse() {
    let mut reg = grid_register();
    let m = manager();
    let mut new = NewRisk::new("Grid", "technology", m.id);
    // Likelihood 6, impact 1: score 6, level L6.
    new.inherent = Some(Score::new("1", "6"));
    let id = reg.identify(&m, at(1), new).unwrap().id;
    // Impact 3, likelihood 3: score 9 (higher), level L3 (lower). Not worse.
    let r = reg.assess(&m, at(2), id, residual("3", "3")).unwrap();
    let rating = r.residual.as_ref().unwrap();
    assert_eq!((rating.score, rating.level.as_str()), (9, "L3"));
    assert!(r.residual_rationale.is_none());
}

#[test]
fn a_residual_at_a_higher_grid_level_but_a_lower_score_needs_a_rationale() {
    let mut reg = grid_register();
    let m = manager();
    let mut new = NewRisk::new("Grid", "technology", m.id);
    new.inherent = Some(Score::new("3", "3")); // score 9, L3
    let id = reg.identify(&m, at(1), new).unwrap().id;
    let before = reg.clone();
    // Impact 1, likelihood 6: score 6 (lower), level L6 (higher). Worse.
    let err = reg.assess(&m, at(2), id, residual("1", "6")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "R-1: residual `L6` is a higher level than inherent `L3`; give a rationale"
    );
    assert_eq!(reg, before);
}

#[test]
fn treatment_figures_count_levels_not_scores() {
    let mut reg = grid_register();
    let m = manager();
    let mut new = NewRisk::new("Grid", "technology", m.id);
    new.inherent = Some(Score::new("1", "6")); // score 6, L6
    let id = reg.identify(&m, at(1), new).unwrap().id;
    reg.assess(&m, at(2), id, residual("3", "3")).unwrap(); // score 9, L3
    let report = reg.report(Period::new(at(1), at(20)).unwrap());
    assert_eq!(report.treated.len(), 1);
    assert_eq!(report.treated[0].levels_lower(), 3);
    assert_eq!((report.lowered, report.unchanged, report.raised), (1, 0, 0));
}

#[test]
fn an_unknown_level_name_is_refused_where_it_enters() {
    let m = RiskMatrix::standard_5x5();
    assert!(matches!(
        m.level("Severe"),
        Err(RiskError::UnknownLevel { .. })
    ));
    let bad = appetite("Medium", &[(Role::RiskOwner, "Severe")], "High");
    let err = RiskRegister::new(m.clone(), bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid risk appetite: the authority of `risk_owner` names `Severe`, which is not a level of the matrix"
    );
    let mut bad = appetite("Medium", &[], "High");
    bad.divisions.insert("wholesale".into(), "Huge".into());
    let err = RiskRegister::new(m, bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid risk appetite: the threshold of division `wholesale` names `Huge`, which is not a level of the matrix"
    );
}

/// Standard 5x5; default appetite Medium, retail Low; a risk owner may decide up to Medium, a
/// risk manager up to High; escalation at Critical (so escalations here are lapses only).
fn register() -> RiskRegister {
    let ladder = [(Role::RiskOwner, "Medium"), (Role::RiskManager, "High")];
    let mut appetite = appetite("Medium", &ladder, "Critical");
    appetite.divisions.insert("retail".into(), "Low".into());
    RiskRegister::new(RiskMatrix::standard_5x5(), appetite).unwrap()
}

fn accepted_risk(reg: &mut RiskRegister, by: &Actor, impact: &str, likelihood: &str) -> Reference {
    let mut new = NewRisk::new("Old firewall", "technology", owner().id);
    new.inherent = Some(Score::new(impact, likelihood));
    let id = reg.identify(by, at(1), new).unwrap().id;
    reg.accept(by, at(2), id, date(12, 31), "replaced next year")
        .unwrap()
        .reference
}

#[test]
fn an_accepted_risk_rescored_above_the_acceptors_authority_lapses() {
    let mut reg = register();
    let o = owner();
    // Minor x Possible = 6: Medium, within the owner's rung and the appetite.
    let r = accepted_risk(&mut reg, &o, "Minor", "Possible");
    let id = reg.risk_by_reference(r).unwrap().id;
    // The manager re-scores it to High (Moderate x Likely = 12): above the owner's rung
    // (Medium) and above the appetite (Medium).
    let m = manager();
    let risk = reg
        .assess(
            &m,
            at(3),
            id,
            Assessment {
                inherent: Some(Score::new("Moderate", "Likely")),
                ..Assessment::default()
            },
        )
        .unwrap();
    assert_eq!(risk.treatment, None, "the acceptance no longer holds");
    assert!(risk.accepted.is_none());
    let lapse = risk.lapsed.clone().unwrap();
    assert_eq!(lapse.level.name(), "High");
    assert_eq!(
        lapse.why,
        "`High` is above the authority of the acceptor (`Medium`)"
    );
    // Recorded in the history, with the reason.
    let last = reg.history(id).last().unwrap().clone();
    assert_eq!(last.operation, Operation::Assess);
    assert!(
        last.note
            .as_deref()
            .unwrap()
            .contains("the acceptance lapsed: `High` is above the authority of the acceptor"),
        "{:?}",
        last.note
    );
    assert!(last.changes.iter().any(|c| c.field == "treatment"));
    // Escalated, and due for a decision in any report from that day on.
    let report = reg.report(Period::new(at(3), at(4)).unwrap());
    assert_eq!(
        report
            .escalations
            .iter()
            .map(|e| (e.risk, e.reason))
            .collect::<Vec<_>>(),
        [(r, EscalationReason::AcceptanceLapsed)]
    );
    assert!(
        report
            .reviews_due
            .iter()
            .any(|d| d.risk == r && d.reason == ReviewReason::AcceptanceLapsed)
    );
    // A new decision clears it: the manager mitigates.
    let risk = reg
        .plan_treatment(&m, at(5), id, Treatment::Mitigate)
        .unwrap();
    assert!(risk.lapsed.is_none());
    let report = reg.report(Period::new(at(5), at(6)).unwrap());
    assert!(report.reviews_due.iter().all(|d| d.risk != r));
}

#[test]
fn an_accepted_risk_rescored_above_the_divisions_appetite_lapses() {
    let mut reg = register();
    let m = manager();
    // Moderate x Unlikely = 6: Medium, within the default appetite; accepted by the manager
    // (rung High), so only the appetite can make it lapse.
    let r = accepted_risk(&mut reg, &m, "Moderate", "Unlikely");
    let id = reg.risk_by_reference(r).unwrap().id;
    let risk = reg
        .assess(
            &m,
            at(3),
            id,
            Assessment {
                inherent: Some(Score::new("Moderate", "Likely")),
                ..Assessment::default()
            },
        )
        .unwrap();
    assert_eq!(risk.treatment, None);
    assert_eq!(
        risk.lapsed.as_ref().unwrap().why,
        "`High` is above the default appetite (`Medium`)"
    );
}

#[test]
fn moving_an_accepted_risk_to_a_stricter_division_lapses_its_acceptance() {
    let mut reg = register();
    let m = manager();
    let r = accepted_risk(&mut reg, &m, "Moderate", "Unlikely"); // Medium
    let id = reg.risk_by_reference(r).unwrap().id;
    let risk = reg
        .update(
            &m,
            at(3),
            id,
            RiskUpdate {
                division: Some(Some(Division::new("retail", "Retail").unwrap().id)),
                ..RiskUpdate::default()
            },
        )
        .unwrap();
    assert_eq!(risk.treatment, None);
    assert_eq!(
        risk.lapsed.as_ref().unwrap().why,
        "`Medium` is above the appetite of division `retail` (`Low`)"
    );
}

#[test]
fn an_acceptance_holds_while_the_risk_stays_within_what_it_covered() {
    let mut reg = register();
    let m = manager();
    let r = accepted_risk(&mut reg, &m, "Moderate", "Unlikely"); // Medium (6)
    let id = reg.risk_by_reference(r).unwrap().id;
    // Re-scored within Medium (Minor x Possible = 6), then lower: still accepted.
    for (i, l) in [("Minor", "Possible"), ("Minor", "Rare")] {
        let risk = reg
            .assess(
                &m,
                at(3),
                id,
                Assessment {
                    inherent: Some(Score::new(i, l)),
                    ..Assessment::default()
                },
            )
            .unwrap();
        assert!(matches!(risk.treatment, Some(Treatment::Accept(_))));
        assert!(risk.lapsed.is_none());
    }
}

#[test]
fn top_managements_acceptance_above_appetite_lapses_only_past_the_accepted_level() {
    let mut reg = register();
    let ceo = Actor::new("ceo", "Chris", [Role::TopManagement]).unwrap();
    let r = accepted_risk(&mut reg, &ceo, "Moderate", "Likely"); // High, above appetite
    let id = reg.risk_by_reference(r).unwrap().id;
    let rescore = |reg: &mut RiskRegister, i: &str, l: &str| {
        reg.assess(
            &ceo,
            at(3),
            id,
            Assessment {
                inherent: Some(Score::new(i, l)),
                ..Assessment::default()
            },
        )
        .unwrap()
        .clone()
    };
    // Still High (Major x Possible = 12): holds.
    assert!(rescore(&mut reg, "Major", "Possible").lapsed.is_none());
    // Critical (Catastrophic x Likely = 20): above the accepted level and the appetite.
    let risk = rescore(&mut reg, "Catastrophic", "Likely");
    assert_eq!(
        risk.lapsed.as_ref().unwrap().why,
        "`Critical` is above the default appetite (`Medium`) and above the level it was accepted at (`High`)"
    );
}

#[test]
fn a_review_due_on_the_last_day_of_the_period_is_listed() {
    let mut reg = register();
    let m = manager();
    let mut new = NewRisk::new("Review me", "technology", m.id);
    new.review_interval_days = Some(30); // identified 2026-03-01: due 2026-03-31
    let r = reg.identify(&m, at(1), new).unwrap().reference;
    let listed = |end: DateTime<Utc>| {
        reg.report(Period::new(at(1), end).unwrap())
            .reviews_due
            .iter()
            .any(|d| d.risk == r && d.due == date(3, 31))
    };
    // A period ending during 31 March, or at its last second, lists it.
    assert!(listed(Utc.with_ymd_and_hms(2026, 3, 31, 0, 0, 1).unwrap()));
    assert!(listed(
        Utc.with_ymd_and_hms(2026, 3, 31, 23, 59, 59).unwrap()
    ));
    assert!(listed(Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap()));
    // One that ends before the day starts does not.
    assert!(!listed(Utc.with_ymd_and_hms(2026, 3, 31, 0, 0, 0).unwrap()));
}

/// A random monotone matrix: a grid (cell ranks made non-decreasing along both axes) or bands
/// (random cut points over the score range).
fn matrix_strategy() -> impl Strategy<Value = RiskMatrix> {
    (
        2usize..=6,
        2usize..=6,
        2usize..=5,
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(|(ni, nl, nv, grid, seed)| {
            let mut rng = seed | 1;
            let mut next = move |n: usize| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                usize::try_from(rng % n as u64).unwrap()
            };
            let name = |p: &str, n: usize| (1..=n).map(|i| format!("{p}{i}")).collect::<Vec<_>>();
            let scale = |names: &[String]| {
                Scale::from_names(&names.iter().map(String::as_str).collect::<Vec<_>>()).unwrap()
            };
            let (imp, lik, lev) = (name("i", ni), name("l", nl), name("L", nv));
            let rule = if grid {
                let mut cells = vec![vec![0usize; ni]; nl];
                for l in 0..nl {
                    for i in 0..ni {
                        let below = if l > 0 { cells[l - 1][i] } else { 0 };
                        let left = if i > 0 { cells[l][i - 1] } else { 0 };
                        let floor = below.max(left);
                        cells[l][i] = (floor + next(2)).min(nv - 1);
                    }
                }
                MatrixRule::Grid(
                    cells
                        .iter()
                        .map(|row| row.iter().map(|r| lev[*r].clone()).collect())
                        .collect(),
                )
            } else {
                let hi = u32::try_from(ni * nl).unwrap();
                // nv - 1 distinct cut points in 2..=hi, sorted; bands in between.
                let mut cuts: Vec<u32> = Vec::new();
                while cuts.len() < nv - 1 && cuts.len() < usize::try_from(hi - 1).unwrap() {
                    let c = 2 + u32::try_from(next(usize::try_from(hi - 1).unwrap())).unwrap();
                    if !cuts.contains(&c) {
                        cuts.push(c);
                    }
                }
                cuts.sort_unstable();
                let mut from = 1;
                let mut bands = Vec::new();
                for (k, c) in cuts.iter().enumerate() {
                    bands.push(Band::new(lev[k].clone(), from, c - 1));
                    from = *c;
                }
                bands.push(Band::new(lev[cuts.len()].clone(), from, hi));
                MatrixRule::Bands(bands)
            };
            RiskMatrix::new(MatrixDefinition {
                impact: scale(&imp),
                likelihood: scale(&lik),
                levels: scale(&lev),
                rule,
            })
            .unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every decision that compares levels agrees with the ranks the matrix defines: a risk is
    /// escalated when identified exactly when its level ranks at or above `escalate_at`'s; a
    /// residual needs a rationale exactly when its level ranks above the inherent's; an
    /// acceptance is above the appetite exactly when the level ranks above the threshold's.
    #[test]
    fn level_comparisons_follow_the_matrix_ranks(
        m in matrix_strategy(),
        cells in proptest::collection::vec((0usize..6, 0usize..6, 0usize..6, 0usize..6), 1..8),
        threshold in 0usize..5,
        escalate in 0usize..5,
    ) {
        let imp: Vec<String> = m.impact().levels().iter().map(|l| l.name.clone()).collect();
        let lik: Vec<String> = m.likelihood().levels().iter().map(|l| l.name.clone()).collect();
        let lev: Vec<String> = m.levels().levels().iter().map(|l| l.name.clone()).collect();
        let threshold = lev[threshold % lev.len()].clone();
        let top = lev[lev.len() - 1].clone();
        let escalate_at = lev[escalate % lev.len()].clone();
        let ladder = [(Role::RiskManager, top.as_str())];
        let mut reg =
            RiskRegister::new(m.clone(), appetite(&threshold, &ladder, &escalate_at)).unwrap();
        let rm = manager();
        for (ii, il, ri, rl) in cells {
            let inherent = Score::new(imp[ii % imp.len()].clone(), lik[il % lik.len()].clone());
            let res = Score::new(imp[ri % imp.len()].clone(), lik[rl % lik.len()].clone());
            let rank = |s: &Score| {
                let r = m.rate(&s.impact, &s.likelihood).unwrap();
                prop_assert_eq!(r.risk_level().rank(), r.level_rank);
                prop_assert_eq!(m.level(&r.level).unwrap(), r.risk_level());
                Ok(r.level_rank)
            };
            let (ir, rr) = (rank(&inherent)?, rank(&res)?);
            let mut new = NewRisk::new("Random", "technology", rm.id);
            new.inherent = Some(inherent);
            let identified = reg.identify(&rm, at(1), new).unwrap();
            let (id, reference) = (identified.id, identified.reference);
            // Escalated on identification exactly when the level ranks at or above
            // `escalate_at`'s.
            let escalated = reg
                .escalations(at(1))
                .iter()
                .any(|e| e.risk == reference && e.reason == EscalationReason::Identified);
            prop_assert_eq!(
                escalated,
                ir >= m.level(&escalate_at).unwrap().rank(),
                "inherent rank {} escalate_at {}", ir, escalate_at
            );
            let assessed = reg.assess(&rm, at(2), id, residual(&res.impact, &res.likelihood));
            prop_assert_eq!(
                matches!(assessed, Err(RiskError::ResidualWorse { .. })),
                rr > ir,
                "inherent rank {} residual rank {}", ir, rr
            );
            // Acceptance by a risk manager (not top management): refused above the appetite
            // exactly when the current level ranks above the threshold's.
            let current = reg.risk(id).unwrap().level().unwrap();
            let accepted = reg.accept(&rm, at(3), id, date(12, 31), "random");
            prop_assert_eq!(
                matches!(accepted, Err(RiskError::AboveAppetite { .. })),
                current > m.level(&threshold).unwrap(),
                "level {} threshold {}", current, threshold
            );
        }
    }
}

/// `reg` serialized, its one risk and that risk's history edited by `edit` (the same edit to
/// the risk and to the `after` of every history change of the field, so the history still
/// replays to the risk), and read back.
fn edited(
    reg: &RiskRegister,
    field: &str,
    value: &serde_json::Value,
) -> Result<RiskRegister, String> {
    let mut doc = serde_json::to_value(reg).unwrap();
    doc["risks"][0][field] = value.clone();
    for entry in doc["history"][0].as_array_mut().unwrap() {
        for change in entry["changes"].as_array_mut().unwrap() {
            if change["field"] == field {
                change["after"] = value.clone();
            }
        }
    }
    serde_json::from_value::<RiskRegister>(doc).map_err(|e| e.to_string())
}

#[test]
fn a_stored_acceptance_without_its_cover_or_past_it_is_refused_so_it_cannot_escape_lapsing() {
    let mut reg = register();
    let o = owner();
    let r = accepted_risk(&mut reg, &o, "Minor", "Possible"); // Medium, owner's rung Medium
    let cover = serde_json::to_value(reg.risk_by_reference(r).unwrap().accepted.clone()).unwrap();
    assert!(edited(&reg, "accepted", &cover).is_ok());
    // An acceptance whose cover is gone would never lapse: `commit` judges it by the cover.
    let err = edited(&reg, "accepted", &serde_json::Value::Null).unwrap_err();
    assert!(
        err.contains("`R-1` is accepted without what the acceptance covers"),
        "{err}"
    );
    // A cover the risk is already past: held in force where `commit` would have lapsed it.
    let mut past = cover.clone();
    past["reach"] = serde_json::json!({"rank": 0, "name": "Low"});
    let err = edited(&reg, "accepted", &past).unwrap_err();
    assert!(
        err.contains("`R-1` is held accepted although its acceptance has lapsed: `Medium` is above the authority of the acceptor (`Low`)"),
        "{err}"
    );
    // A cover on a risk not accepted.
    let mut reg = register();
    let mut new = NewRisk::new("Mitigated", "technology", o.id);
    new.inherent = Some(Score::new("Minor", "Possible"));
    let id = reg.identify(&o, at(1), new).unwrap().id;
    reg.plan_treatment(&o, at(2), id, Treatment::Mitigate)
        .unwrap();
    let err = edited(&reg, "accepted", &cover).unwrap_err();
    assert!(
        err.contains("`R-1` records what an acceptance covers but is not accepted"),
        "{err}"
    );
}
