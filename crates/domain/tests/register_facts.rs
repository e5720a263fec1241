//! What the register says of a unit (湖北第十二条: one base per unit and domain, one per director)
//! is read from the world's look-up of the unit's own bases. These tests hold that look-up to a
//! scan of every base while bases are carried over and an approved change of support unit
//! (湖北第二十三条) moves a base to another unit code, after a snapshot's round trip, and after
//! the bases are taken out and put back as a snapshot does.

use guohe_domain::*;
use guohe_policy::{Application, RegistryFacts};
use serde_json::json;

use crate::common::*;

fn carry_over(s: &mut Sim, id: &str, unit: u32, domain: &str, director: &str) {
    s.ok(
        "2026-03-01",
        "dept:zhang",
        json!({"type": "CarryOverBase", "base_id": id, "policy": "hubei-2022", "official_name": format!("湖北省{domain}国际科技合作基地"), "unit_name": format!("单位{unit}"), "uscc": uscc(unit), "domain": domain, "director": director, "recognised_on": "2021-05-01"}),
    );
}

fn facts(unit: u32, director: &str, domain: &str) -> Application {
    Application::parse(&hubei_facts(unit, director, domain).to_string()).expect("facts")
}

/// The look-up's answer, checked against a scan of every base.
fn held(w: &World, s: &Sim, unit: u32, director: &str, domain: &str) -> RegistryFacts {
    let policy = s.policies.get("hubei-2022").expect("policy");
    let f = facts(unit, director, domain);
    let r = registry_facts(w, policy, &f, d("2027-06-01"));
    assert_eq!(
        r,
        registry_facts_among(w, w.bases(), policy, &f, d("2027-06-01")),
        "unit {unit}, {director}, {domain}"
    );
    r
}

#[test]
fn a_unit_holds_what_the_register_says_before_and_after_a_change_of_support_unit() {
    let mut s = Sim::new();
    carry_over(&mut s, "B1", 11, "激光", "周");
    carry_over(&mut s, "B2", 11, "航天", "吴");
    carry_over(&mut s, "B3", 12, "农业", "郑");

    let r = held(&s.world, &s, 11, "周", "激光");
    assert!(r.unit_holds_base_in_domain && r.director_heads_base);
    let r = held(&s.world, &s, 11, "钱", "航天");
    assert!(r.unit_holds_base_in_domain && !r.director_heads_base);
    assert_eq!(held(&s.world, &s, 13, "周", "激光"), RegistryFacts::default());

    // 湖北第二十三条: B2 moves to unit 13, approved by the department.
    s.ok(
        "2027-03-01",
        "unit:x",
        json!({"type": "FileMajorChange", "base": "B2", "change_id": "C1", "kind": "support_unit", "details": {"description": "依托单位变更", "unit_name": "单位13", "uscc": uscc(13)}}),
    );
    // Filed, not yet approved: the base is still unit 11's.
    assert!(held(&s.world, &s, 11, "钱", "航天").unit_holds_base_in_domain);
    assert!(!held(&s.world, &s, 13, "钱", "航天").unit_holds_base_in_domain);
    let evs = s.ok(
        "2027-03-03",
        "dept:zhang",
        json!({"type": "ApproveMajorChange", "base": "B2", "change_id": "C1", "by": "department"}),
    );
    assert_eq!(kinds(&evs), ["MajorChangeApproved"]);
    assert_eq!(s.base("B2").uscc, uscc(13));
    assert!(!held(&s.world, &s, 11, "吴", "航天").unit_holds_base_in_domain);
    assert!(!held(&s.world, &s, 11, "吴", "航天").director_heads_base);
    let r = held(&s.world, &s, 13, "吴", "航天");
    assert!(r.unit_holds_base_in_domain && r.director_heads_base);
    // Unit 11 keeps B1.
    assert!(held(&s.world, &s, 11, "周", "激光").unit_holds_base_in_domain);

    // A snapshot's round trip: the same serialised form, the same answers.
    let text = serde_json::to_string(&s.world).expect("serialise");
    let back: World = serde_json::from_str(&text).expect("deserialise");
    assert_eq!(back, s.world);
    let value = |w: &World| serde_json::to_value(w).expect("value");
    assert_eq!(value(&back), value(&s.world));
    let bases = value(&s.world)["bases"].clone();
    assert!(
        bases["B2"].is_object(),
        "the bases are stored by id, as before: {bases}"
    );
    for (unit, director, domain) in [
        (11, "周", "激光"),
        (11, "吴", "航天"),
        (13, "吴", "航天"),
        (12, "郑", "农业"),
    ] {
        assert_eq!(
            held(&back, &s, unit, director, domain),
            held(&s.world, &s, unit, director, domain)
        );
    }

    // Taken out and put back in shares, as a snapshot is read on several threads.
    let mut world = s.world.clone();
    let mut maps = world.take_large_maps();
    assert!(world.bases().next().is_none() && !held(&world, &s, 11, "周", "激光").unit_holds_base_in_domain);
    let b3 = maps.bases.remove("B3").expect("B3");
    world.put_large_maps(maps);
    world.put_large_maps(LargeMaps {
        bases: [("B3".to_string(), b3)].into(),
        applications: Default::default(),
    });
    assert_eq!(world, s.world);
    assert!(held(&world, &s, 12, "郑", "农业").unit_holds_base_in_domain);
    assert!(held(&world, &s, 13, "吴", "航天").unit_holds_base_in_domain);
}

#[test]
fn a_submission_is_refused_for_a_domain_the_unit_took_over_by_a_change_of_support_unit() {
    let mut s = Sim::new();
    carry_over(&mut s, "B1", 11, "激光", "周");
    s.ok(
        "2026-04-01",
        "unit:x",
        json!({"type": "FileMajorChange", "base": "B1", "change_id": "C1", "kind": "support_unit", "details": {"description": "依托单位变更", "unit_name": "单位14", "uscc": uscc(14)}}),
    );
    s.ok(
        "2026-04-03",
        "dept:zhang",
        json!({"type": "ApproveMajorChange", "base": "B1", "change_id": "C1", "by": "department"}),
    );
    s.open_round("hubei-2022", "R1", "2026-07-01", "2026-08-31");
    // The unit now holding the base is refused in its domain; the unit that gave it up is not.
    let r = s.refused(
        "2026-07-10",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A1", "round": "R1", "facts": hubei_facts(14, "新负责人", "激光")}),
    );
    assert_refusal(&r, RefusalCode::RegisterConflict, Some("hubei-2022:12(1)"));
    s.ok(
        "2026-07-10",
        "unit:y",
        json!({"type": "SubmitApplication", "id": "A2", "round": "R1", "facts": hubei_facts(11, "新负责人", "激光")}),
    );
}
