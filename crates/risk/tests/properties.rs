//! Property tests of the register: any sequence of operations keeps every history consistent
//! with its risk, a refused operation changes nothing, and the register round-trips through
//! JSON.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a failing test"
)]

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use itsm_core::{Actor, Division, Id, Role};
use itsm_risk::*;
use proptest::prelude::*;

const IMPACT: [&str; 6] = [
    "Insignificant",
    "Minor",
    "Moderate",
    "Major",
    "Catastrophic",
    "Cosmic",
];
const LIKELIHOOD: [&str; 5] = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];

#[derive(Debug, Clone)]
enum Op {
    Identify {
        owner: bool,
        impact: usize,
        likelihood: usize,
        opportunity: bool,
        division: bool,
        target: i64,
    },
    Update {
        risk: usize,
        title: String,
        interval: Option<u32>,
    },
    Assess {
        risk: usize,
        inherent: Option<(usize, usize)>,
        residual: Option<(usize, usize)>,
        reason: bool,
    },
    Action {
        risk: usize,
        owner: bool,
        due: i64,
    },
    Complete {
        risk: usize,
        number: u32,
    },
    Accept {
        risk: usize,
        days: i64,
    },
    Avoid {
        risk: usize,
    },
    Materialize {
        risk: usize,
    },
    Review {
        risk: usize,
    },
    Close {
        risk: usize,
    },
    Reopen {
        risk: usize,
        reason: bool,
    },
}

fn score() -> impl Strategy<Value = (usize, usize)> {
    (0..IMPACT.len(), 0..LIKELIHOOD.len())
}

fn op() -> impl Strategy<Value = Op> {
    let r = 0usize..4;
    prop_oneof![
        4 => (proptest::bool::weighted(0.85), 0..IMPACT.len(), 0..LIKELIHOOD.len(), any::<bool>(), any::<bool>(), -5i64..60).prop_map(
            |(owner, impact, likelihood, opportunity, division, target)| Op::Identify { owner, impact, likelihood, opportunity, division, target }
        ),
        1 => (r.clone(), "[a-z ]{0,8}", proptest::option::of(0u32..40)).prop_map(|(risk, title, interval)| Op::Update { risk, title, interval }),
        3 => (r.clone(), proptest::option::of(score()), proptest::option::of(score()), any::<bool>())
            .prop_map(|(risk, inherent, residual, reason)| Op::Assess { risk, inherent, residual, reason }),
        3 => (r.clone(), proptest::bool::weighted(0.85), -5i64..60).prop_map(|(risk, owner, due)| Op::Action { risk, owner, due }),
        2 => (r.clone(), 1u32..3).prop_map(|(risk, number)| Op::Complete { risk, number }),
        2 => (r.clone(), -5i64..200).prop_map(|(risk, days)| Op::Accept { risk, days }),
        2 => r.clone().prop_map(|risk| Op::Avoid { risk }),
        2 => r.clone().prop_map(|risk| Op::Materialize { risk }),
        2 => r.clone().prop_map(|risk| Op::Review { risk }),
        2 => r.clone().prop_map(|risk| Op::Close { risk }),
        2 => (r, any::<bool>()).prop_map(|(risk, reason)| Op::Reopen { risk, reason }),
    ]
}

fn actors() -> Vec<Actor> {
    vec![
        Actor::new("ceo", "CEO", [Role::TopManagement]).unwrap(),
        Actor::new("rm", "Risk manager", [Role::RiskManager]).unwrap(),
        Actor::new("ro", "Risk owner", [Role::RiskOwner]).unwrap(),
        Actor::new("x", "Nobody", []).unwrap(),
    ]
}

fn register() -> RiskRegister {
    let appetite = itsm_testkit::appetite::standard();
    RiskRegister::new(RiskMatrix::standard_5x5(), appetite).unwrap()
}

fn apply(
    reg: &mut RiskRegister,
    actor: &Actor,
    at: DateTime<Utc>,
    op: &Op,
) -> Result<(), RiskError> {
    let day = |d: i64| -> NaiveDate { at.date_naive() + TimeDelta::days(d) };
    let id = |n: usize| -> Id<RiskId> { Id::from_key(&format!("R-{}", n + 1)) };
    let s = |(i, l): (usize, usize)| Score::new(IMPACT[i], LIKELIHOOD[l]);
    match op.clone() {
        Op::Identify {
            owner,
            impact,
            likelihood,
            opportunity,
            division,
            target,
        } => {
            let mut n = NewRisk::new("Risk", "category", actor.id);
            n.owner = owner.then_some(actor.id);
            n.inherent = Some(s((impact, likelihood)));
            n.kind = if opportunity {
                RiskKind::Opportunity
            } else {
                RiskKind::Threat
            };
            n.division = division.then(|| Division::new("retail", "Retail").unwrap().id);
            n.target_date = Some(day(target));
            reg.identify(actor, at, n).map(drop)
        }
        Op::Update {
            risk,
            title,
            interval,
        } => reg
            .update(
                actor,
                at,
                id(risk),
                RiskUpdate {
                    title: Some(title),
                    review_interval_days: Some(interval),
                    ..Default::default()
                },
            )
            .map(drop),
        Op::Assess {
            risk,
            inherent,
            residual,
            reason,
        } => reg
            .assess(
                actor,
                at,
                id(risk),
                Assessment {
                    inherent: inherent.map(s),
                    residual: residual.map(s),
                    rationale: reason.then(|| "because".to_owned()),
                },
            )
            .map(drop),
        Op::Action { risk, owner, due } => reg
            .add_action(
                actor,
                at,
                id(risk),
                NewAction {
                    description: "do it".into(),
                    owner: owner.then_some(actor.id),
                    due: day(due),
                },
            )
            .map(drop),
        Op::Complete { risk, number } => reg.complete_action(actor, at, id(risk), number).map(drop),
        Op::Accept { risk, days } => reg.accept(actor, at, id(risk), day(days), "ok").map(drop),
        Op::Avoid { risk } => reg
            .plan_treatment(actor, at, id(risk), Treatment::Avoid { how: "stop".into() })
            .map(drop),
        Op::Materialize { risk } => reg
            .materialize(actor, at, id(risk), "it happened")
            .map(drop),
        Op::Review { risk } => reg.review(actor, at, id(risk), "looked").map(drop),
        Op::Close { risk } => reg.close(actor, at, id(risk), "").map(drop),
        Op::Reopen { risk, reason } => reg
            .reopen(actor, at, id(risk), if reason { "again" } else { "" })
            .map(drop),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(250))]

    #[test]
    fn histories_replay_refusals_change_nothing_and_json_round_trips(
        ops in proptest::collection::vec((op(), 0usize..4, 0i64..48), 1..60)
    ) {
        let people = actors();
        let mut reg = register();
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
        for (i, (op, who, hours)) in ops.iter().enumerate() {
            let at = start + TimeDelta::hours(i64::try_from(i).unwrap() * 48 + hours);
            let before = reg.clone();
            if apply(&mut reg, &people[*who], at, op).is_err() {
                prop_assert_eq!(&reg, &before, "{:?}", op);
            }
        }
        for risk in reg.risks() {
            let history = reg.history(risk.id);
            let replayed = replay(history);
            prop_assert_eq!(replayed.as_ref(), Some(risk), "{}", risk.reference);
            prop_assert_eq!(history.len() as u64, risk.version, "one entry per accepted operation");
            prop_assert!(history.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
            // Invariants the operations keep.
            if risk.status == RiskStatus::Closed {
                prop_assert_eq!(risk.open_actions().count(), 0);
            }
            if let (Some(i), Some(r)) = (&risk.inherent, &risk.residual) {
                prop_assert!(r.risk_level() <= i.risk_level() || risk.residual_rationale.is_some());
            }
            // An acceptance in force never covers a level above the acceptor's authority: past
            // it, the acceptance lapses (and says so in the history).
            if let Some(Treatment::Accept(_)) = &risk.treatment {
                let cover = risk.accepted.as_ref();
                prop_assert!(cover.is_some(), "{} accepted without a cover", risk.reference);
                if let (Some(c), Some(level)) = (cover, risk.level()) {
                    prop_assert!(level <= c.reach, "{}: {} above {}", risk.reference, level, c.reach);
                }
            }
        }
        let json = serde_json::to_string(&reg).unwrap();
        let back: RiskRegister = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, reg);
    }
}
