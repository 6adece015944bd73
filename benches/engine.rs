//! Engine benchmarks: applying about 100 000 commands that build a 30k-CI organisation with
//! risks and changes, replaying that log, and a snapshot (serialize + deserialize) of the
//! 1M-CI organisation.
//!
//! `cargo bench --bench engine`
#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "bench setup on generated data that is valid by construction"
)]

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{BatchSize, Criterion};
use itsm::engine::{ActorDef, CiDef, Command, ScoreDef, Sms};
use itsm_core::Role;
use itsm_testkit::{OrgSpec, Organisation};

fn organisation() -> Command {
    let actor = |key: &str, roles: &[Role]| ActorDef {
        key: key.into(),
        name: key.into(),
        roles: roles.iter().copied().collect(),
        division: None,
    };
    Command::DefineOrganisation {
        actors: vec![
            actor("ceo", &[Role::TopManagement]),
            actor(
                "cfg",
                &[Role::ProcessOwner(
                    itsm_core::Process::ConfigurationManagement,
                )],
            ),
            actor("rm", &[Role::RiskManager]),
            actor("ops", &[Role::Implementer]),
        ],
        divisions: vec![],
        matrix: None,
        appetite: None,
        change_policy: None,
    }
}

/// The commands that build a 30k-CI organisation (every CI and relation of a testkit
/// organisation), then 5 000 risks and 5 000 raised and submitted changes.
fn commands() -> Vec<(&'static str, DateTime<Utc>, Command)> {
    let org = Organisation::generate(&OrgSpec {
        cis: 30_000,
        domain_size: 10_000,
        seed: 9,
    });
    let t0 = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("time");
    let mut out = vec![("ceo", t0, organisation())];
    let key_of: HashMap<_, _> = org
        .parts
        .cis
        .iter()
        .map(|c| (c.id, c.key.clone()))
        .collect();
    for (i, c) in org.parts.cis.iter().enumerate() {
        out.push((
            "cfg",
            t0 + TimeDelta::seconds(i as i64),
            Command::AddCi(CiDef {
                criticality: Some(c.criticality),
                attributes: c.attributes.clone(),
                ..CiDef::new(c.key.clone(), c.name.clone(), c.kind.clone())
            }),
        ));
    }
    for r in &org.parts.relations {
        out.push((
            "cfg",
            t0 + TimeDelta::days(1),
            Command::Relate {
                from: key_of[&r.from].clone(),
                kind: r.kind,
                to: key_of[&r.to].clone(),
            },
        ));
    }
    let impact = ["Minor", "Moderate", "Major"];
    let likelihood = ["Unlikely", "Possible", "Likely"];
    for i in 0..5_000 {
        out.push((
            "rm",
            t0 + TimeDelta::days(2),
            Command::IdentifyRisk {
                key: format!("risk-{i}"),
                title: format!("Risk {i}"),
                category: "generated".into(),
                owner: "rm".into(),
                description: String::new(),
                kind: None,
                pillars: Default::default(),
                register: None,
                division: None,
                links: Default::default(),
                source: None,
                inherent: Some(ScoreDef {
                    impact: impact[i % 3].into(),
                    likelihood: likelihood[(i / 3) % 3].into(),
                }),
                target_date: None,
                review_interval_days: None,
            },
        ));
    }
    for i in 0..2_500 {
        let target = org.hosts[i % org.hosts.len()];
        out.push((
            "ops",
            t0 + TimeDelta::days(3),
            Command::RaiseChange {
                key: format!("chg-{i}"),
                title: format!("Change {i}"),
                category: None,
                nature: None,
                targets: vec![key_of[&target].clone()],
                implementer: Some("ops".into()),
                delta: vec![],
                estimated_cost: None,
                factors: Default::default(),
                new_technology: false,
                objective_effects: Default::default(),
                not_doing: None,
            },
        ));
        out.push((
            "ops",
            t0 + TimeDelta::days(3),
            Command::SubmitChange {
                change: format!("chg-{i}"),
            },
        ));
    }
    out
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let cmds = commands();
    let mut live = Sms::new();
    for (a, t, cmd) in cmds.clone() {
        live.apply(a, t, cmd).expect("valid command");
    }
    eprintln!(
        "[engine] {} commands: {} CIs, {} relations, {} risks, {} changes",
        cmds.len(),
        live.cmdb().len(),
        live.cmdb().relation_count(),
        live.risks().len(),
        live.changes().changes().len()
    );
    let log = live.log().to_vec();

    let org = Organisation::generate(&OrgSpec::new(1_000_000, 42));
    let t0 = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("time");
    let mut big = Sms::new();
    big.apply("ceo", t0, organisation()).expect("organisation");
    big.apply(
        "cfg",
        t0,
        Command::ImportConfiguration {
            parts: Box::new(org.parts),
        },
    )
    .expect("import");
    let json = serde_json::to_string(&big).expect("serialize");
    eprintln!(
        "[engine] 1M-CI snapshot: {} MB of JSON",
        json.len() / 1_000_000
    );

    let mut g = c.benchmark_group("engine");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("apply_100k_commands", |b| {
        b.iter_batched(
            || cmds.clone(),
            |cmds| {
                let mut sms = Sms::new();
                for (a, t, cmd) in cmds {
                    sms.apply(a, t, cmd).expect("valid command");
                }
                black_box(sms.log().len())
            },
            BatchSize::PerIteration,
        );
    });
    g.bench_function("replay_100k_commands", |b| {
        b.iter(|| Sms::replay(black_box(&log)).expect("replays"))
    });
    g.bench_function("snapshot_1m/serialize", |b| {
        b.iter(|| {
            serde_json::to_string(black_box(&big))
                .expect("serialize")
                .len()
        })
    });
    g.bench_function("snapshot_1m/deserialize", |b| {
        b.iter(|| {
            serde_json::from_str::<Sms>(black_box(&json))
                .expect("deserialize")
                .cmdb()
                .len()
        })
    });
    g.finish();
    c.final_summary();
}
