//! A month of changes on the online-banking organisation (ISO/IEC TR 20000-17 5.12).
//!
//! ```text
//! cargo run --release --example change_calendar
//! ```
//!
//! December 2026: an application upgrade, a pre-approved standard patch, a router replacement
//! that clashes with the upgrade and is backed out, a major-impact transfer of the customer
//! service desk that goes through design and transition, an emergency certificate renewal
//! inside the year-end freeze, a rejected change, and one edit made without any change. The
//! program prints each assessment, the forward schedule with its conflicts, and the metrics.

use chrono::{DateTime, TimeZone, Utc, Weekday};
use itsm::change::*;
use itsm::cmdb::{AttrValue, CiPatch, Cmdb, CmdbOp};
use itsm::core::{Actor, Calendar, Currency, Id, Money, Period, Role, ServiceWindow};
use itsm::risk::RiskMatrix;
use itsm_testkit::online_banking::{ci, online_banking};
use rust_decimal::Decimal;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn at(day: u32, hour: u32) -> Res<DateTime<Utc>> {
    Ok(Utc
        .with_ymd_and_hms(2026, 12, day, hour, 0, 0)
        .single()
        .ok_or("time")?)
}

fn window(day: u32, from: u32, to: u32) -> Res<Period> {
    Ok(Period::new(at(day, from)?, at(day, to)?)?)
}

fn eur(amount: i64) -> Res<Money> {
    Ok(Money::new(Decimal::from(amount), Currency::EUR)?)
}

fn policy() -> Res<ChangePolicy> {
    let production = Some((
        "environment".to_owned(),
        AttrValue::Text("production".into()),
    ));
    let nights = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]
    .into_iter()
    .map(|d| ServiceWindow::new(d, 60, 5 * 60))
    .collect::<Result<Vec<_>, _>>()?;
    Ok(ChangePolicy {
        scope: ChangeScope {
            rules: vec![
                ScopeRule {
                    kind: None,
                    attribute: production,
                    controlled: true,
                },
                ScopeRule {
                    kind: Some(itsm_cmdb::CiKindName::Hardware),
                    attribute: None,
                    controlled: true,
                },
                ScopeRule {
                    kind: Some(itsm_cmdb::CiKindName::Network),
                    attribute: None,
                    controlled: true,
                },
                ScopeRule {
                    kind: Some(itsm_cmdb::CiKindName::ExternalService),
                    attribute: None,
                    controlled: true,
                },
                ScopeRule {
                    kind: Some(itsm_cmdb::CiKindName::Service),
                    attribute: None,
                    controlled: true,
                },
            ],
            ..ChangeScope::default()
        },
        models: vec![StandardModel {
            name: "patch a host".into(),
            description: "monthly operating system patch of one host".into(),
            kinds: [itsm_cmdb::CiKindName::Hardware].into_iter().collect(),
            // Every host here serves the critical bundle, so a routine patch rates High.
            max_level: "High".into(),
            max_cost: Some(eur(500)?),
        }],
        major: MajorCriteria {
            risk_level_at_or_above: Some("Critical".into()),
            cost_above: Some(eur(20_000)?),
            new_technology: true,
        },
        approvals: vec![
            ApprovalRule {
                category: CategoryKind::Normal,
                from_level: "Low".into(),
                approver: Approver::ChangeManager,
            },
            ApprovalRule {
                category: CategoryKind::Normal,
                from_level: "High".into(),
                approver: Approver::Cab { quorum: 2 },
            },
            ApprovalRule {
                category: CategoryKind::Normal,
                from_level: "Critical".into(),
                approver: Approver::TopManagement,
            },
            ApprovalRule {
                category: CategoryKind::Emergency,
                from_level: "Low".into(),
                approver: Approver::EmergencyCab { quorum: 1 },
            },
        ],
        segregation_of_duties: true,
        blackouts: vec![Blackout {
            name: "year-end freeze".into(),
            period: Period::new(at(20, 0)?, at(31, 23)?)?,
            services: Default::default(),
        }],
        maintenance: [(ci("svc-online-banking"), Calendar::weekly(0, nights)?)]
            .into_iter()
            .collect(),
        objectives: vec![Objective {
            name: "no growth in energy use".into(),
            measure: "energy_kwh_per_month".into(),
            max_increase: Decimal::ZERO,
        }],
    })
}

struct People {
    dana: Actor,
    omar: Actor,
    chris: Actor,
    cab: [Actor; 2],
    ecab: Actor,
    ceo: Actor,
}

fn approve_all(reg: &mut ChangeRegister, p: &People, id: Id<ChangeId>, day: u32) -> Res<()> {
    let needed = reg
        .change(id)
        .and_then(|c| c.assessment.as_ref())
        .map(|a| a.approvals.clone())
        .unwrap_or_default();
    for need in needed {
        let who: Vec<&Actor> = match need {
            Approver::ChangeManager => vec![&p.chris],
            Approver::Cab { .. } => p.cab.iter().collect(),
            Approver::EmergencyCab { .. } => vec![&p.ecab],
            Approver::TopManagement => vec![&p.ceo],
            Approver::ChangeAuthority => vec![],
        };
        for a in who {
            reg.approve(a, at(day, 14)?, id)?;
        }
    }
    Ok(())
}

fn raise(
    reg: &mut ChangeRegister,
    cmdb: &Cmdb,
    who: &Actor,
    day: u32,
    new: NewChange,
) -> Res<Id<ChangeId>> {
    let id = reg.raise(who, at(day, 9)?, cmdb, new)?.id;
    reg.submit(who, at(day, 10)?, id)?;
    reg.assess(who, at(day, 11)?, id, cmdb)?;
    Ok(id)
}

fn describe(reg: &ChangeRegister, cmdb: &Cmdb, id: Id<ChangeId>) {
    let Some(c) = reg.change(id) else { return };
    let Some(a) = &c.assessment else { return };
    let key = |i: Id<itsm::cmdb::Ci>| cmdb.ci(i).map_or_else(|| i.to_string(), |x| x.key.clone());
    println!(
        "### {} {} ({:?})\n",
        c.reference(),
        c.request.title,
        c.request.category
    );
    println!(
        "- risk `{}` (score {}): {}",
        a.rating.level,
        a.rating.score,
        a.rating_reasons.join("; ")
    );
    let services: Vec<String> = a
        .impacted_services
        .iter()
        .map(|s| format!("{} ({})", key(s.service), s.criticality))
        .collect();
    println!(
        "- services affected: {}",
        if services.is_empty() {
            "none".into()
        } else {
            services.join(", ")
        }
    );
    let high: Vec<String> = a
        .factors
        .iter()
        .filter(|f| f.level != FactorLevel::Low)
        .map(|f| f.reason.clone())
        .collect();
    println!(
        "- risk factors: {}",
        if high.is_empty() {
            "all low".into()
        } else {
            high.join("; ")
        }
    );
    if !a.major_impact.is_empty() {
        println!("- **major impact**: {}", a.major_impact.join("; "));
    }
    if let Some(m) = &a.standard_model {
        println!(
            "- standard model `{}`: {}",
            m.model,
            if m.applies {
                "applies, pre-approved".to_owned()
            } else {
                m.reasons.join("; ")
            }
        );
    }
    for o in a.objectives.iter().filter(|o| !o.fits) {
        println!(
            "- does not fit objective `{}` (+{} where at most +{} is allowed)",
            o.objective, o.effect, o.limit
        );
    }
    if let Some(n) = &a.not_doing {
        println!("- risk of not changing: `{}` (score {})", n.level, n.score);
    }
    let approvals: Vec<String> = a.approvals.iter().map(ToString::to_string).collect();
    println!(
        "- approvals needed: {}",
        if approvals.is_empty() {
            "none".into()
        } else {
            approvals.join(", ")
        }
    );
    println!("- status: {}\n", c.status);
}

fn main() -> Res<()> {
    let mut cmdb = online_banking()?;
    let mut reg = ChangeRegister::new(policy()?, RiskMatrix::standard_5x5())?;
    let p = People {
        dana: Actor::new("dana", "Dana (engineer)", [Role::Implementer])?,
        omar: Actor::new("omar", "Omar (network engineer)", [Role::Implementer])?,
        chris: Actor::new("chris", "Chris (change manager)", [Role::ChangeManager])?,
        cab: [
            Actor::new("cab-a", "Ana (CAB)", [Role::CabMember])?,
            Actor::new("cab-b", "Ben (CAB)", [Role::CabMember])?,
        ],
        ecab: Actor::new("ecab", "Eve (emergency CAB)", [Role::EmergencyCabMember])?,
        ceo: Actor::new("ceo", "Chief executive", [Role::TopManagement])?,
    };
    let before = cmdb.baseline("1 December", at(1, 0)?);
    let low = |mut n: NewChange| {
        n.factors = [
            (Factor::HumanResources, FactorLevel::Low),
            (Factor::Skills, FactorLevel::Low),
            (Factor::TestEnvironment, FactorLevel::Low),
            (Factor::Time, FactorLevel::Low),
        ]
        .into_iter()
        .collect();
        n
    };

    // 1. Application upgrade, normal.
    let mut upgrade = low(NewChange::new(
        "Upgrade online banking application to 5.2",
        vec![ci("app-online-banking")],
    ));
    upgrade.implementer = Some(p.dana.id);
    upgrade
        .factors
        .insert(Factor::TestEnvironment, FactorLevel::Medium);
    upgrade.delta = vec![CmdbOp::UpdateCi {
        id: ci("app-online-banking"),
        patch: CiPatch {
            set_attributes: [("version".to_owned(), AttrValue::Text("5.2".into()))]
                .into_iter()
                .collect(),
            ..CiPatch::default()
        },
    }];
    upgrade.not_doing = Some(NotDoing {
        description: "5.1 leaves support in January".into(),
        impact: "Major".into(),
        likelihood: "Likely".into(),
    });
    let c1 = raise(&mut reg, &cmdb, &p.dana, 1, upgrade)?;
    approve_all(&mut reg, &p, c1, 2)?;
    reg.schedule(&p.chris, at(2, 15)?, c1, window(5, 1, 4)?, &cmdb)?;

    // 2. Standard patch of the service desk host: pre-approved.
    let mut patch = low(NewChange::new(
        "Patch the service desk host",
        vec![ci("host-sd-1")],
    ));
    patch.category = Category::Standard("patch a host".into());
    patch.estimated_cost = Some(eur(150)?);
    patch.implementer = Some(p.omar.id);
    patch.delta = vec![CmdbOp::UpdateCi {
        id: ci("host-sd-1"),
        patch: CiPatch {
            set_attributes: [("patch_level".to_owned(), AttrValue::Text("2026-12".into()))]
                .into_iter()
                .collect(),
            ..CiPatch::default()
        },
    }];
    let c2 = raise(&mut reg, &cmdb, &p.omar, 3, patch)?;
    reg.schedule(&p.chris, at(3, 15)?, c2, window(8, 20, 21)?, &cmdb)?;

    // 3. Router replacement: same night as the upgrade, same engineer, runs past 05:00.
    let mut router = NewChange::new("Replace the core router", vec![ci("net-core-router")]);
    router.implementer = Some(p.dana.id);
    router.estimated_cost = Some(eur(12_000)?);
    router.factors.insert(Factor::Skills, FactorLevel::High);
    router
        .objective_effects
        .insert("energy_kwh_per_month".into(), Decimal::from(-40));
    router.delta = vec![CmdbOp::UpdateCi {
        id: ci("net-core-router"),
        patch: CiPatch {
            name: Some("Core router (gen 2)".into()),
            ..CiPatch::default()
        },
    }];
    let c3 = raise(&mut reg, &cmdb, &p.dana, 3, router)?;
    approve_all(&mut reg, &p, c3, 4)?;
    reg.schedule(&p.chris, at(4, 15)?, c3, window(5, 2, 6)?, &cmdb)?;

    // 4. Transfer the customer service desk to a supplier: major impact.
    let mut transfer = low(NewChange::new(
        "Transfer the customer service desk to HelpCo",
        vec![ci("svc-customer-service-desk")],
    ));
    transfer.nature = Nature::TransferOut;
    transfer.estimated_cost = Some(eur(60_000)?);
    transfer.implementer = Some(p.omar.id);
    let c4 = raise(&mut reg, &cmdb, &p.omar, 4, transfer)?;
    approve_all(&mut reg, &p, c4, 7)?;
    for day in [8, 10, 14] {
        reg.complete_stage(&p.chris, at(day, 16)?, c4)?;
    }
    reg.schedule(&p.chris, at(14, 17)?, c4, window(16, 1, 5)?, &cmdb)?;

    // 5. A rejected change: a GPU server that would grow energy use.
    let mut gpu = NewChange::new("Add a GPU server for fraud scoring", vec![ci("db-banking")]);
    gpu.new_technology = true;
    gpu.objective_effects
        .insert("energy_kwh_per_month".into(), Decimal::from(900));
    let c5 = raise(&mut reg, &cmdb, &p.dana, 9, gpu)?;

    println!("# Change calendar, December 2026\n\n## Assessments\n");
    for id in [c1, c2, c3, c4, c5] {
        describe(&reg, &cmdb, id);
    }
    {
        let names =
            |i: Id<itsm::cmdb::Ci>| cmdb.ci(i).map_or_else(|| i.to_string(), |x| x.key.clone());
        let everyone = [
            &p.dana, &p.omar, &p.chris, &p.cab[0], &p.cab[1], &p.ecab, &p.ceo,
        ];
        let people = |a: Id<Actor>| {
            everyone
                .iter()
                .find(|x| x.id == a)
                .map_or_else(|| a.to_string(), |x| x.name.clone())
        };
        println!("{}", schedule_markdown(&reg, &cmdb, &names, &people));
    }

    // The month happens.
    reg.reject(
        &p.cab[0],
        at(10, 14)?,
        c5,
        "does not fit the energy objective; revisit in Q2",
    )?;
    reg.close(&p.chris, at(10, 15)?, c5)?;
    reg.start(&p.dana, at(5, 1)?, c1, &cmdb)?;
    reg.complete(&p.dana, at(5, 3)?, c1, Outcome::Successful, &mut cmdb)?;
    reg.start(&p.dana, at(5, 3)?, c3, &cmdb)?;
    reg.complete(&p.dana, at(5, 6)?, c3, Outcome::BackedOut, &mut cmdb)?;
    reg.start(&p.omar, at(8, 20)?, c2, &cmdb)?;
    reg.complete(&p.omar, at(8, 21)?, c2, Outcome::Successful, &mut cmdb)?;
    reg.start(&p.omar, at(16, 1)?, c4, &cmdb)?;
    reg.complete(&p.omar, at(16, 5)?, c4, Outcome::Successful, &mut cmdb)?;
    // 6. Emergency: the web hosting certificate expires inside the freeze.
    let mut cert = NewChange::new(
        "Renew the expired TLS certificate at web hosting",
        vec![ci("ext-web-hosting")],
    );
    cert.category = Category::Emergency;
    cert.implementer = Some(p.omar.id);
    let c6 = raise(&mut reg, &cmdb, &p.dana, 22, cert)?;
    approve_all(&mut reg, &p, c6, 22)?;
    let flagged = reg.start(&p.omar, at(22, 15)?, c6, &cmdb)?.flags.clone();
    reg.complete(&p.omar, at(22, 16)?, c6, Outcome::Successful, &mut cmdb)?;
    for (id, notes) in [
        (c1, "upgrade ran in 2 h"),
        (c3, "router firmware mismatch; retry in January"),
        (c2, "patched"),
        (c4, "HelpCo live"),
        (c6, "renewal automated to prevent recurrence"),
    ] {
        reg.review(&p.chris, at(23, 10)?, id, notes)?;
        reg.close(&p.chris, at(23, 11)?, id)?;
    }
    println!(
        "## Emergency change inside the freeze\n\n- {}: {}\n",
        reg.change(c6).map(|c| c.reference()).unwrap_or_default(),
        flagged.join("; ")
    );

    // Someone renames a CI by hand.
    cmdb.update_ci(
        ci("host-sd-1"),
        CiPatch {
            name: Some("sd-host-renamed".into()),
            ..CiPatch::default()
        },
    )?;
    let after = cmdb.baseline("31 December", at(31, 23)?);
    let unauthorized = reg.unauthorized(&before, &after);
    let december = Period::new(at(1, 0)?, at(31, 23)?)?;
    let names = |i: Id<itsm::cmdb::Ci>| cmdb.ci(i).map_or_else(|| i.to_string(), |x| x.key.clone());
    println!(
        "{}",
        reg.metrics(december, Some((&before, &after)))
            .to_markdown(&names)
    );
    println!("\n## Unauthorized changes\n");
    for u in &unauthorized {
        match u {
            Unauthorized::Ci { key, what, .. } => println!("- CI `{key}` {what} without a change"),
            Unauthorized::Relation { relation, what } => println!(
                "- relation `{}` {} `{}` {what} without a change",
                relation.from, relation.kind, relation.to
            ),
        }
    }
    Ok(())
}
