//! 双随机、一公开 — inspection draws: Hubei 第二十二条第一款 (抽选部分单位现场考察), 第二十四条
//! (书面材料审查与现场考察相结合), Hunan 第十五条 (动态评估).

use crate::common;

use common::*;
use guohe_domain::*;
use serde_json::{Value, json};

/// A valid USCC registered in the given administrative division (e.g. `420500`, 宜昌市).
fn uscc_in(division: &str, n: u32) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let stem = format!("91{division}00{:06}", n);
    for a in CHARS.chars() {
        for b in CHARS.chars() {
            let code = format!("{stem}{a}{b}");
            if guohe_reference::uscc::is_valid(&code) {
                return code;
            }
        }
    }
    panic!("no valid USCC for {division}/{n}");
}

/// Hubei bases carried over on 2026-03-01: five in 武汉 (420100), three in 宜昌 (420500).
fn hubei_world() -> Sim {
    let mut s = Sim::new();
    for i in 1..=8u32 {
        let division = if i <= 5 { "420100" } else { "420500" };
        s.ok(
            "2026-03-01",
            "dept:zhang",
            json!({"type": "CarryOverBase", "base_id": format!("HB-{i:02}"), "policy": "hubei-2022",
                   "official_name": format!("湖北省第{i}国际科技合作基地"), "unit_name": format!("单位{i}"),
                   "uscc": uscc_in(division, i), "domain": "激光", "director": format!("负责人{i}"),
                   "recognised_on": "2020-05-01"}),
        );
    }
    s
}

/// The pool: one expert from every base's unit, plus three outsiders.
fn hubei_pool() -> Value {
    let mut pool: Vec<Value> = (1..=8u32)
        .map(|i| {
            let division = if i <= 5 { "420100" } else { "420500" };
            json!({"id": format!("unit-expert-{i}"), "unit_uscc": uscc_in(division, i)})
        })
        .collect();
    for x in ["expert-a", "expert-b", "expert-c"] {
        pool.push(json!({"id": x, "unit_uscc": uscc_in("420300", 99)}));
    }
    Value::Array(pool)
}

fn annual_draw(id: &str, seed: &str) -> Value {
    json!({"type": "DrawInspections", "id": id, "policy": "hubei-2022", "purpose": "annual_assessment",
           "year": 2026, "share": "0.5", "strata": "prefecture", "seed": seed, "pool": hubei_pool(),
           "conflicts": [{"expert": "expert-a", "uscc": uscc_in("420100", 1), "reason": "近三年合作项目"}]})
}

fn drawn(e: &Event) -> &InspectionsDrawn {
    match &e.kind {
        EventKind::InspectionsDrawn(x) => x,
        other => panic!("not a draw: {other:?}"),
    }
}

#[test]
fn article_22_draw_reproduces_from_its_published_seed() {
    let mut a = hubei_world();
    let evs = a.ok("2026-11-02", "dept:zhang", annual_draw("HB-2026-A", "鄂-2026-现场考察"));
    let e = &evs[0];
    assert_eq!(e.stream, "draw/HB-2026-A");
    assert_cites(e, "hubei-2022:22(1)");
    let x = drawn(e);
    assert_eq!(x.algorithm, "guohe-draw/1");
    assert_eq!(x.candidates.len(), 8);
    // 50% of 8 is 4: 5/8 of 4 = 2.5 and 3/8 of 4 = 1.5 — equal remainders, the larger stratum
    // (武汉) takes the seat left over.
    assert_eq!(x.count, 4);
    let q: Vec<(&str, u32, u32)> = x
        .quotas
        .iter()
        .map(|q| (q.stratum.as_str(), q.candidates, q.drawn))
        .collect();
    assert_eq!(q, vec![("420100", 5, 3), ("420500", 3, 1)]);
    assert!(
        x.selected.iter().all(|b| b.inspectors.len() == 2),
        "the policy's 2 per base"
    );

    // Rerun from the published record alone gives the recorded selection.
    let rerun = x.rerun().unwrap();
    assert_eq!(rerun.selected, x.selected);
    assert_eq!(rerun.exclusions, x.exclusions);
    assert_eq!(rerun.quotas, x.quotas);

    // The same seed in another world with the same register gives the same selection; another
    // seed gives another one.
    let mut b = hubei_world();
    let same = b.ok("2026-11-02", "dept:li", annual_draw("HB-2026-A", "鄂-2026-现场考察"));
    assert_eq!(drawn(&same[0]).selected, x.selected);
    let mut c = hubei_world();
    let other = c.ok("2026-11-02", "dept:li", annual_draw("HB-2026-A", "another seed"));
    assert_ne!(drawn(&other[0]).selected, x.selected);

    // The world keeps the draw; a draw is never redone.
    assert_eq!(a.world.draw("HB-2026-A").unwrap().event, *x);
    let r = a.refused("2026-11-03", "dept:zhang", annual_draw("HB-2026-A", "again"));
    assert_refusal(&r, RefusalCode::Duplicate, Some("hubei-2022:22(1)"));
}

#[test]
fn inspectors_avoid_their_own_unit_and_declared_conflicts() {
    let mut s = hubei_world();
    let evs = s.ok("2026-11-02", "dept:zhang", annual_draw("HB-2026-A", "avoid"));
    let x = drawn(&evs[0]);
    for b in &x.selected {
        let n: u32 = b.base[3..].parse().unwrap();
        let own = format!("unit-expert-{n}");
        assert!(!b.inspectors.contains(&own), "{} inspected by its own unit", b.base);
        assert!(
            x.exclusions
                .iter()
                .any(|e| e.base == b.base && e.expert == own && e.reason.code() == "own_unit"),
            "the own-unit exclusion of {} is recorded",
            b.base
        );
        if b.base == "HB-01" {
            assert!(!b.inspectors.contains(&"expert-a".to_string()));
        }
    }
    // Drawn with every base in one list, HB-01 is always checked for the declared conflict.
    let mut s = hubei_world();
    let mut cmd = annual_draw("HB-ALL", "all");
    cmd["share"] = json!("1");
    let evs = s.ok("2026-11-02", "dept:zhang", cmd);
    let x = drawn(&evs[0]);
    assert_eq!(x.selected.len(), 8);
    let hb01 = x.selected.iter().find(|b| b.base == "HB-01").unwrap();
    assert!(!hb01.inspectors.contains(&"expert-a".to_string()));
    let conflict = x
        .exclusions
        .iter()
        .find(|e| e.base == "HB-01" && e.expert == "expert-a")
        .expect("declared conflict recorded");
    assert_eq!(conflict.reason.code(), "declared_conflict");
    assert_eq!(conflict.detail, "近三年合作项目");
}

#[test]
fn refusals_cite_article_22() {
    let mut s = hubei_world();
    let on = "2026-11-02";
    for (share, field) in [("0", "share"), ("1.5", "share"), ("-0.2", "share")] {
        let mut c = annual_draw("X", "s");
        c["share"] = json!(share);
        let r = s.refused(on, "dept:zhang", c);
        assert_refusal(&r, RefusalCode::NotAllowed, Some("hubei-2022:22(1)"));
        assert_eq!(r.field.as_deref(), Some(field));
    }
    let mut c = annual_draw("X", "s");
    c["count"] = json!(2);
    let r = s.refused(on, "dept:zhang", c);
    assert_refusal(&r, RefusalCode::InvalidInput, Some("hubei-2022:22(1)"));
    let mut c = annual_draw("X", "s");
    c.as_object_mut().unwrap().remove("share");
    c["count"] = json!(9);
    let r = s.refused(on, "dept:zhang", c);
    assert_refusal(&r, RefusalCode::NotAllowed, Some("hubei-2022:22(1)"));
    let r = s.refused(on, "dept:zhang", annual_draw("X", " "));
    assert_refusal(&r, RefusalCode::InvalidInput, Some("hubei-2022:22(1)"));
    assert_eq!(r.field.as_deref(), Some("seed"));
    let mut c = annual_draw("X", "s");
    c["inspectors_per_base"] = json!(6);
    let r = s.refused(on, "dept:zhang", c);
    assert_refusal(&r, RefusalCode::NotAllowed, Some("hubei-2022:22(1)"));
    // Only three outsiders and at most one own-unit expert per base: 4 per base is too many for
    // HB-01 (own unit and a declared conflict leave 9 of 11, fine) — so shrink the pool instead.
    let mut c = annual_draw("X", "s");
    c["pool"] =
        json!([{"id": "unit-expert-1", "unit_uscc": uscc_in("420100", 1)}, {"id": "expert-a", "unit_uscc": "X"}]);
    c["share"] = json!("1");
    c["inspectors_per_base"] = json!(1);
    let r = s.refused(on, "dept:zhang", c);
    assert_refusal(&r, RefusalCode::NotEnoughCandidates, Some("hubei-2022:22(1)"));
    assert!(r.message_zh.contains("HB-01"), "{}", r.message_zh);
    // No candidates: a year before any base was recognised.
    let mut c = annual_draw("X", "s");
    c["year"] = json!(2019);
    let r = s.refused(on, "dept:zhang", c);
    assert_refusal(&r, RefusalCode::WrongState, Some("hubei-2022:22(1)"));
    let r = s.refused(on, "expert:liu", annual_draw("X", "s"));
    assert_eq!(r.code, RefusalCode::Forbidden);
    // Evaluations draw under 第二十四条, among the bases that take one: those recognised before
    // the measures (第三十一条第一款) do not, so there is no candidate yet.
    let mut c = annual_draw("E", "s");
    c["purpose"] = json!("evaluation");
    let r = s.refused(on, "dept:zhang", c.clone());
    assert_refusal(&r, RefusalCode::WrongState, Some("hubei-2022:24"));
    s.ok(
        on,
        "dept:zhang",
        json!({"type": "CarryOverBase", "base_id": "HB-09", "policy": "hubei-2022",
               "official_name": "湖北省第9国际科技合作基地", "unit_name": "单位9",
               "uscc": uscc_in("420100", 9), "domain": "激光", "director": "负责人9",
               "recognised_on": "2023-05-01"}),
    );
    let evs = s.ok(on, "dept:zhang", c);
    assert_cites(&evs[0], "hubei-2022:24");
    let x = drawn(&evs[0]);
    assert_eq!(x.candidates.len(), 1);
    assert_eq!(x.selected[0].base, "HB-09");
}

#[test]
fn results_are_recorded_against_the_draw_on_the_base() {
    let mut s = hubei_world();
    let evs = s.ok("2026-11-02", "dept:zhang", annual_draw("HB-2026-A", "results"));
    let x = drawn(&evs[0]).clone();
    let first = &x.selected[0];
    let evs = s.ok(
        "2026-11-20",
        "dept:zhang",
        json!({"type": "RecordInspectionResult", "draw": "HB-2026-A", "base": first.base, "findings": "现场考察：运行正常，合作项目进展与年度报告一致"}),
    );
    assert_eq!(evs[0].stream, format!("base/{}", first.base));
    assert_cites(&evs[0], "hubei-2022:22(1)");
    let d = s.world.draw("HB-2026-A").unwrap();
    assert_eq!(d.results[&first.base].1.inspectors, first.inspectors);
    assert_eq!(s.world.draws_of_base(&first.base).len(), 1);

    let r = s.refused(
        "2026-11-20",
        "dept:zhang",
        json!({"type": "RecordInspectionResult", "draw": "HB-2026-A", "base": first.base, "findings": "again"}),
    );
    assert_refusal(&r, RefusalCode::AlreadyRecorded, Some("hubei-2022:22(1)"));
    let undrawn = x
        .candidates
        .iter()
        .find(|c| !x.selected.iter().any(|s| s.base == c.base))
        .unwrap();
    let r = s.refused(
        "2026-11-20",
        "dept:zhang",
        json!({"type": "RecordInspectionResult", "draw": "HB-2026-A", "base": undrawn.base, "findings": "x"}),
    );
    assert_refusal(&r, RefusalCode::NotFound, Some("hubei-2022:22(1)"));
    let second = &x.selected[1];
    let r = s.refused(
        "2026-11-20",
        "dept:zhang",
        json!({"type": "RecordInspectionResult", "draw": "HB-2026-A", "base": second.base, "findings": " "}),
    );
    assert_refusal(&r, RefusalCode::InvalidInput, Some("hubei-2022:22(1)"));
}

fn hunan_world() -> Sim {
    let mut s = Sim::new();
    for (i, old) in [
        (1u32, "国际联合研究中心（实验室）"),
        (2, "国际联合研究中心（实验室）"),
        (3, "国际技术转移中心"),
        (4, "国际技术转移中心"),
        (5, "国际技术转移中心"),
    ] {
        s.ok(
            "2026-03-01",
            "dept:zhang",
            json!({"type": "CarryOverBase", "base_id": format!("HN-{i:02}"), "policy": "hunan-2026",
                   "official_name": format!("湖南省第{i}国际科技合作基地"), "unit_name": format!("湖南单位{i}"),
                   "uscc": uscc_in("430100", i), "domain": "装备制造", "old_category": old,
                   "director": format!("负责人{i}"), "recognised_on": "2018-05-01"}),
        );
    }
    s
}

fn hunan_draw(purpose: &str) -> Value {
    let mut pool: Vec<Value> = (1..=5u32)
        .map(|i| json!({"id": format!("hn-unit-expert-{i}"), "unit_uscc": uscc_in("430100", i)}))
        .collect();
    pool.push(json!({"id": "hn-expert-x", "unit_uscc": uscc_in("430200", 50)}));
    json!({"type": "DrawInspections", "id": "HN-2026-E", "policy": "hunan-2026", "purpose": purpose,
           "year": 2026, "count": 3, "strata": "category", "seed": "湘-2026-动态评估", "pool": pool,
           "conflicts": [{"expert": "hn-expert-x", "uscc": uscc_in("430100", 3), "reason": "亲属任职"}]})
}

#[test]
fn hunan_article_15_evaluation_draw_by_category_with_avoidance() {
    let mut s = hunan_world();
    let evs = s.ok("2026-11-02", "dept:wang", hunan_draw("evaluation"));
    assert_cites(&evs[0], "hunan-2026:15");
    let x = drawn(&evs[0]);
    assert_eq!(x.quotas.len(), 2, "two categories: {:?}", x.quotas);
    assert_eq!(x.quotas.iter().map(|q| q.drawn).sum::<u32>(), 3);
    assert_eq!(x.rerun().unwrap().selected, x.selected);
    for b in &x.selected {
        let n: u32 = b.base[3..].parse().unwrap();
        assert!(!b.inspectors.contains(&format!("hn-unit-expert-{n}")));
        if b.base == "HN-03" {
            assert!(!b.inspectors.contains(&"hn-expert-x".to_string()));
        }
    }
    let again = hunan_world().ok("2026-11-02", "dept:wang", hunan_draw("evaluation"));
    assert_eq!(drawn(&again[0]).selected, x.selected);
}

#[test]
fn hunan_has_no_annual_assessment_to_draw_for() {
    let mut s = hunan_world();
    let r = s.refused("2026-11-02", "dept:wang", hunan_draw("annual_assessment"));
    assert_refusal(&r, RefusalCode::NotProvided, Some("hunan-2026:15"));
    assert_eq!(r.field.as_deref(), Some("purpose"));
}

/// 第二十二条第一款: the bases are taken as they stood on the day of the draw, which is the
/// command's business date and the date the draw is recorded on. A termination recorded with an
/// earlier effective date counts from that date; the day before, the base was still a candidate.
/// (Commands are never backdated and effective dates never lie ahead, so the day of the draw
/// always reads the latest state; the draw reads it as of its day all the same.)
#[test]
fn article_22_candidates_are_taken_on_the_draw_day() {
    let mut s = hubei_world();
    let before = s.ok("2026-09-30", "dept:zhang", annual_draw("HB-2026-BEFORE", "s"));
    assert_eq!(before[0].on, d("2026-09-30"), "recorded on the command's business date");
    assert!(drawn(&before[0]).candidates.iter().any(|c| c.base == "HB-08"));
    s.ok(
        "2026-11-01",
        "dept:zhang",
        json!({"type": "RecordFinding", "case": "base/HB-08", "finding": "unable_to_operate",
               "effective_on": "2026-10-01", "evidence": "依托单位不再满足基本条件"}),
    );
    assert_eq!(s.base("HB-08").status_on(d("2026-09-30")), Some(BaseStatus::Active));
    let evs = s.ok("2026-11-02", "dept:zhang", annual_draw("HB-2026-DAY", "s"));
    assert_eq!(evs[0].on, d("2026-11-02"));
    let x = drawn(&evs[0]);
    assert_eq!(x.candidates.len(), 7, "HB-08 left the register on 2026-10-01");
    assert!(x.candidates.iter().all(|c| c.base != "HB-08"));
}
