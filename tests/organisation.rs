//! The facade and the testkit together: a generated organisation loads through the prelude,
//! answers the same way every time, and survives a JSON snapshot.

use itsm::prelude::*;
use itsm_testkit::{OrgSpec, Organisation};

fn org() -> Organisation {
    Organisation::generate(&OrgSpec {
        cis: 20_000,
        domain_size: 5_000,
        seed: 2026,
    })
}

#[test]
fn same_seed_same_answers() {
    let a = org();
    let b = org();
    let ca = Cmdb::from_parts(a.parts.clone()).unwrap();
    let cb = Cmdb::from_parts(b.parts).unwrap();
    assert_eq!(ca, cb);
    for f in &a.facilities {
        assert_eq!(ca.impact_of(&[*f]).unwrap(), cb.impact_of(&[*f]).unwrap());
    }
    let portal = a.portals[0];
    assert_eq!(
        ca.dependencies_of(portal).unwrap(),
        cb.dependencies_of(portal).unwrap()
    );
    assert_eq!(
        ca.single_points_of_failure(portal).unwrap(),
        cb.single_points_of_failure(portal).unwrap()
    );
    assert_eq!(ca.cycles(), cb.cycles());
}

#[test]
fn snapshot_round_trip_keeps_every_answer() {
    let o = org();
    let cmdb = Cmdb::from_parts(o.parts.clone()).unwrap();
    let json = serde_json::to_string(&cmdb).unwrap();
    let back: Cmdb = serde_json::from_str(&json).unwrap();
    assert_eq!(back, cmdb);
    let dc = o.facilities[1];
    assert_eq!(
        back.impact_of(&[dc]).unwrap(),
        cmdb.impact_of(&[dc]).unwrap()
    );
    assert_eq!(
        back.baseline("b", chrono::DateTime::UNIX_EPOCH),
        cmdb.baseline("b", chrono::DateTime::UNIX_EPOCH)
    );
}

#[test]
fn a_data_centre_failure_is_explained_for_every_service() {
    let o = org();
    let cmdb = Cmdb::from_parts(o.parts).unwrap();
    let dc = o.facilities[0];
    let impact = cmdb.impact_of(&[dc]).unwrap();
    let services: Vec<_> = impact.services().collect();
    assert!(!services.is_empty());
    for s in services {
        let path = impact.path(s.ci).unwrap();
        assert_eq!(path.last(), Some(&dc));
        // Each hop of the explanation is a real dependency, as `why` finds one.
        assert!(cmdb.why(s.ci, dc).unwrap().is_some());
        if s.state == ImpactState::Down {
            assert!(cmdb.services_using(dc).unwrap().contains(&s.ci));
        }
    }
}
