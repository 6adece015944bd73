//! A monthly risk report for a register of a few dozen risks across two divisions.
//!
//! ```text
//! cargo run --release --example risk_register
//! ```
//!
//! Retail banking has a cautious appetite (accepts up to Low); corporate services accepts up to
//! Medium. Risks are identified through September and October 2026, assessed, treated, some
//! accepted, one closed, one materialized; the program prints October's report as Markdown,
//! heat maps included.

#![expect(
    clippy::indexing_slicing,
    reason = "fixed demo data: indices into arrays built just above"
)]

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use itsm::core::{Actor, Division, Period, Role};
use itsm::risk::{
    Authority, NewAction, NewRisk, RegisterKind, RiskAppetite, RiskError, RiskKind, RiskMatrix,
    RiskRegister, RiskSource, Score, Treatment,
};

/// Title, category, inherent impact and likelihood, residual impact and likelihood if treated.
type Threat = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<(&'static str, &'static str)>,
);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let retail = Division::new("retail", "Retail banking")?;
    let corporate = Division::new("corporate", "Corporate services")?;
    let appetite = RiskAppetite {
        default_threshold: "Medium".into(),
        divisions: [
            (retail.key.clone(), "Low".to_owned()),
            (corporate.key.clone(), "Medium".to_owned()),
        ]
        .into_iter()
        .collect(),
        authority: vec![
            Authority {
                role: Role::RiskOwner,
                up_to: "Medium".into(),
            },
            Authority {
                role: Role::RiskManager,
                up_to: "High".into(),
            },
        ],
        escalate_at: "High".into(),
        corporate_at: Some("Critical".into()),
    };
    let mut reg = RiskRegister::new(RiskMatrix::standard_5x5(), appetite)?;
    let high = reg.matrix().level("High")?;
    let ceo = Actor::new("ceo", "Chief executive", [Role::TopManagement])?;
    let rm = Actor::new("rm", "Risk manager", [Role::RiskManager])?;
    let owners = [
        Actor::new(
            "ro-retail",
            "Retail service owner",
            [Role::RiskOwner, Role::ServiceOwner],
        )?,
        Actor::new(
            "ro-corp",
            "Corporate service owner",
            [Role::RiskOwner, Role::ServiceOwner],
        )?,
    ];

    let threats: [Threat; 30] = [
        (
            "ISP resolution target weaker than the customer SLA",
            "supplier",
            "Major",
            "Likely",
            Some(("Major", "Unlikely")),
        ),
        (
            "Hosting provider has no second data centre",
            "supplier",
            "Catastrophic",
            "Unlikely",
            None,
        ),
        (
            "Card processor contract ends without renewal plan",
            "supplier",
            "Major",
            "Possible",
            Some(("Minor", "Possible")),
        ),
        (
            "Database recovery exceeds the RTO",
            "continuity",
            "Catastrophic",
            "Possible",
            Some(("Major", "Unlikely")),
        ),
        (
            "Single network path to the branch offices",
            "continuity",
            "Major",
            "Possible",
            None,
        ),
        (
            "No tested plan for loss of the head office",
            "continuity",
            "Major",
            "Unlikely",
            None,
        ),
        (
            "Unpatched web servers in the DMZ",
            "information security",
            "Catastrophic",
            "Likely",
            Some(("Major", "Unlikely")),
        ),
        (
            "Phishing against branch staff",
            "information security",
            "Major",
            "Likely",
            Some(("Moderate", "Possible")),
        ),
        (
            "Shared administrator accounts",
            "information security",
            "Moderate",
            "Likely",
            None,
        ),
        (
            "Backups not encrypted",
            "information security",
            "Major",
            "Unlikely",
            Some(("Minor", "Unlikely")),
        ),
        (
            "Change windows too short for back-out",
            "change",
            "Moderate",
            "Possible",
            None,
        ),
        (
            "No production-like test environment",
            "change",
            "Major",
            "Likely",
            Some(("Moderate", "Possible")),
        ),
        (
            "Emergency changes not reviewed",
            "change",
            "Moderate",
            "Possible",
            Some(("Minor", "Possible")),
        ),
        (
            "Key engineer leaves during the migration",
            "people",
            "Major",
            "Possible",
            None,
        ),
        (
            "Service desk understaffed at month end",
            "people",
            "Moderate",
            "Likely",
            Some(("Moderate", "Unlikely")),
        ),
        (
            "Skills gap on the new container platform",
            "people",
            "Moderate",
            "Possible",
            None,
        ),
        (
            "Storage array reaches capacity in Q4",
            "capacity",
            "Major",
            "Likely",
            Some(("Minor", "Possible")),
        ),
        (
            "Year-end batch exceeds its window",
            "capacity",
            "Moderate",
            "Likely",
            None,
        ),
        (
            "Mobile app traffic doubles after the campaign",
            "capacity",
            "Moderate",
            "Possible",
            None,
        ),
        (
            "Budget overrun on the data centre refresh",
            "financial",
            "Moderate",
            "Possible",
            None,
        ),
        (
            "Licence audit finds under-licensing",
            "financial",
            "Major",
            "Unlikely",
            None,
        ),
        (
            "Energy prices raise hosting costs",
            "financial",
            "Minor",
            "Likely",
            None,
        ),
        (
            "CMDB out of date after the acquisition",
            "configuration",
            "Moderate",
            "Likely",
            Some(("Minor", "Possible")),
        ),
        (
            "Unauthorised changes to network devices",
            "configuration",
            "Major",
            "Unlikely",
            None,
        ),
        (
            "SLA reports built by hand",
            "service level",
            "Minor",
            "Likely",
            None,
        ),
        (
            "Customer satisfaction survey not run",
            "service level",
            "Minor",
            "Possible",
            None,
        ),
        (
            "Problem backlog grows",
            "problem",
            "Moderate",
            "Possible",
            None,
        ),
        (
            "Known errors not shared with the service desk",
            "problem",
            "Minor",
            "Possible",
            None,
        ),
        (
            "Regulator changes outsourcing rules",
            "compliance",
            "Major",
            "Possible",
            None,
        ),
        (
            "Audit finding on access reviews not closed",
            "compliance",
            "Moderate",
            "Likely",
            None,
        ),
    ];
    let start: DateTime<Utc> = Utc
        .with_ymd_and_hms(2026, 9, 1, 9, 0, 0)
        .single()
        .ok_or("time")?;
    let day = |d: i64| start + TimeDelta::days(d);
    let date = |d: i64| day(d).date_naive();
    let mut ids = Vec::new();
    for (n, (title, category, i, l, residual)) in threats.iter().enumerate() {
        let k = i64::try_from(n)?;
        let owner = &owners[n % 2];
        let mut new = NewRisk::new(*title, *category, owner.id);
        new.division = Some(if n % 2 == 0 { retail.id } else { corporate.id });
        new.inherent = Some(Score::new(*i, *l));
        new.review_interval_days = Some(if n % 3 == 0 { 30 } else { 90 });
        new.register = match *category {
            "information security" => RegisterKind::InformationSecurity(
                [
                    itsm::risk::Pillar::Confidentiality,
                    itsm::risk::Pillar::Integrity,
                ]
                .into_iter()
                .collect(),
            ),
            "continuity" => RegisterKind::Continuity,
            _ => RegisterKind::Sms,
        };
        new.source = match *category {
            "supplier" => RiskSource::SupplierAlignment,
            "continuity" => RiskSource::BusinessImpactAnalysis,
            "change" => RiskSource::ChangeAssessment,
            _ => RiskSource::Manual,
        };
        let id = reg.identify(owner, day(k * 2), new)?.id;
        if let Some((ri, rl)) = residual {
            reg.add_action(
                owner,
                day(k * 2 + 1),
                id,
                NewAction {
                    description: format!("Treat: {title}"),
                    owner: Some(owner.id),
                    due: date(k * 2 + 20),
                },
            )?;
            // Lowering a level needs the rung for the higher one: the risk manager's reaches
            // High; a Critical risk is re-rated by top management.
            let above_rm = reg
                .risk(id)
                .and_then(|r| r.level())
                .is_some_and(|l| l > high);
            reg.assess(
                if above_rm { &ceo } else { &rm },
                day(k * 2 + 2),
                id,
                itsm::risk::Assessment {
                    residual: Some(Score::new(*ri, *rl)),
                    ..Default::default()
                },
            )?;
        }
        ids.push(id);
    }
    // Decisions: accept what each division's appetite allows, by the owner; above it, by the CEO.
    let until = NaiveDate::from_ymd_opt(2027, 3, 31).ok_or("date")?;
    for (n, id) in ids.iter().enumerate() {
        let owner = &owners[n % 2];
        let k = i64::try_from(n)?;
        if reg.risk(*id).is_some_and(|r| r.treatment.is_none()) {
            match reg.accept(
                owner,
                day(k * 2 + 1),
                *id,
                until,
                "within the division's appetite",
            ) {
                Ok(_) => {}
                Err(RiskError::AboveAppetite { .. } | RiskError::NoAuthority { .. })
                    if n % 5 == 0 =>
                {
                    // Top management accepts for a short while; the report shows it expired.
                    reg.accept(
                        &ceo,
                        day(k * 2 + 2),
                        *id,
                        date(k * 2 + 10),
                        "accepted until the board decides",
                    )?;
                }
                Err(RiskError::AboveAppetite { .. } | RiskError::NoAuthority { .. }) => {
                    // Treating is a decision too: the risk manager's rung reaches High, top
                    // management's everything (the peak level counts, not the residual).
                    let above_rm = reg
                        .risk(*id)
                        .and_then(|r| r.peak.as_ref())
                        .is_some_and(|p| p.risk_level() > high);
                    let decider = if above_rm { &ceo } else { &rm };
                    reg.plan_treatment(decider, day(k * 2 + 2), *id, Treatment::Mitigate)?;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    // Some actions done, one risk closed, one materialized.
    for id in ids.iter().step_by(3) {
        if let Some(number) = reg
            .risk(*id)
            .and_then(|r| r.open_actions().next().map(|a| a.number))
        {
            reg.complete_action(&rm, day(45), *id, number)?;
        }
    }
    let numbers: Vec<u32> = reg
        .risk(ids[2])
        .map(|r| r.open_actions().map(|a| a.number).collect())
        .unwrap_or_default();
    for number in numbers {
        reg.complete_action(&owners[0], day(49), ids[2], number)?;
    }
    reg.close(&rm, day(50), ids[2], "new card processor contract signed")?;
    reg.materialize(&owners[1], day(52), ids[14], "two-hour queue at month end")?;
    for id in ids.iter().take(8).skip(3) {
        reg.review(&rm, day(40), *id, "monthly review")?;
    }
    // Opportunities, on the same matrix.
    for (title, i, l) in [
        (
            "ISO/IEC 20000-1 certification wins public-sector tenders",
            "Major",
            "Possible",
        ),
        (
            "Shared service desk for both divisions",
            "Moderate",
            "Likely",
        ),
        (
            "Consolidating hosting lowers carbon and cost",
            "Moderate",
            "Possible",
        ),
    ] {
        let mut new = NewRisk::new(title, "opportunity", ceo.id);
        new.kind = RiskKind::Opportunity;
        new.inherent = Some(Score::new(i, l));
        reg.identify(&ceo, day(35), new)?;
    }

    let october = Period::new(
        Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0)
            .single()
            .ok_or("time")?,
        Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
            .single()
            .ok_or("time")?,
    )?;
    println!(
        "# Risk register: {} risks, {} escalations in all\n",
        reg.len(),
        reg.all_escalations().len()
    );
    println!("{}", reg.report(october).to_markdown());
    Ok(())
}
