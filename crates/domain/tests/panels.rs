//! 评审专家随机抽取 — an application's panel drawn from the pool with reserves (Hubei 第十五条第一款,
//! Hunan 第九条第3项): avoidance of the applicant's own unit, declared conflicts, other domains
//! and recent reviews of the same unit is automatic and recorded; a decline calls in the next
//! reserve.

use crate::common;

use common::*;
use guohe_domain::*;
use serde_json::{Value, json};

fn panel_of(evs: &[Event]) -> ExpertPanelDrawn {
    match &find(evs, "ExpertPanelDrawn").kind {
        EventKind::ExpertPanelDrawn(x) => x.clone(),
        _ => unreachable!(),
    }
}

fn expert(id: &str, unit: u32, domain: &str) -> Value {
    json!({"id": id, "unit_uscc": uscc(unit), "domains": [domain]})
}

/// A Hubei round where unit 1's first application (domain 新材料) was reviewed by E1–E3 and
/// decided; its second (激光) awaits review.
fn hubei() -> Sim {
    let mut s = Sim::new();
    s.open_round("hubei-2022", "HB-2026", "2026-03-01", "2026-04-30");
    s.approve("HB-2026", &[("A0", hubei_facts(1, "张一", "新材料"))]);
    s.open_round("hubei-2022", "HB-2026-2", "2026-05-11", "2026-06-30");
    s.ok(
        "2026-05-11",
        "unit:applicant",
        json!({"type": "SubmitApplication", "id": "A1", "round": "HB-2026-2", "facts": hubei_facts(1, "李二", "激光")}),
    );
    s.ok(
        "2026-05-12",
        "recommender:city",
        json!({"type": "RecommendApplication", "application": "A1", "recommender": "市科技局", "opinion": "同意推荐"}),
    );
    s
}

fn pool() -> Value {
    json!([
        {"id": "E1", "unit_uscc": uscc(900), "domains": ["激光"]},
        expert("own", 1, "激光"),
        expert("conflicted", 50, "激光"),
        expert("chemist", 51, "化学"),
        expert("P1", 61, "激光"), expert("P2", 62, "激光"), expert("P3", 63, "激光"),
        expert("P4", 64, "激光"), expert("P5", 65, "激光"), expert("P6", 66, "激光"),
    ])
}

fn draw(seed: &str) -> Value {
    json!({"type": "DrawExpertPanel", "application": "A1", "seed": seed, "pool": pool()})
}

#[test]
fn article_15_panel_with_reserves_and_automatic_avoidance() {
    let mut s = hubei();
    s.ok(
        "2026-05-13",
        "expert:conflicted",
        json!({"type": "DeclareConflict", "application": "A1", "expert": "conflicted", "reason": "曾在该单位兼职"}),
    );
    let evs = s.ok("2026-05-14", "dept:zhang", draw("鄂-A1-专家"));
    assert_cites(&evs[0], "hubei-2022:15(1)");
    let x = panel_of(&evs);
    assert_eq!(x.panel.len(), 3, "the policy's min_experts");
    assert_eq!(x.reserves.len(), 2, "the policy's reserves");
    assert_eq!(x.eligible, ["P1", "P2", "P3", "P4", "P5", "P6"]);
    let ground = |e: &str| x.exclusions.iter().find(|g| g.expert == e).map(|g| g.reason.as_str());
    assert_eq!(ground("own"), Some("own_unit"));
    assert_eq!(ground("conflicted"), Some("declared_conflict"));
    assert_eq!(ground("chemist"), Some("domain"));
    assert_eq!(ground("E1"), Some("recent_review"), "E1 reviewed A0 of the same unit");
    // The panel is assigned; the draw reruns from its record; the same seed elsewhere agrees.
    assert_eq!(kinds(&evs).iter().filter(|k| **k == "ExpertAssigned").count(), 3);
    for e in &x.panel {
        assert!(s.app("A1").experts.contains_key(e));
    }
    assert_eq!(x.rerun(), (x.panel.clone(), x.reserves.clone()));
    let mut t = hubei();
    t.ok(
        "2026-05-13",
        "expert:conflicted",
        json!({"type": "DeclareConflict", "application": "A1", "expert": "conflicted", "reason": "x"}),
    );
    assert_eq!(
        panel_of(&t.ok("2026-05-14", "dept:li", draw("鄂-A1-专家"))).panel,
        x.panel
    );

    // A member declines: the first reserve is called in, then the second, then none is left.
    let first = x.panel[0].clone();
    let evs = s.ok(
        "2026-05-15",
        &format!("expert:{first}"),
        json!({"type": "DeclinePanelSeat", "application": "A1", "expert": first, "reason": "出差"}),
    );
    assert_cites(&evs[0], "hubei-2022:15(1)");
    assert_eq!(kinds(&evs), ["PanelSeatDeclined", "ExpertAssigned"]);
    assert!(!s.app("A1").experts.contains_key(&first));
    assert!(s.app("A1").experts.contains_key(&x.reserves[0]));
    for (i, e) in [x.panel[1].clone(), x.panel[2].clone()].iter().enumerate() {
        let evs = s.ok(
            "2026-05-15",
            &format!("expert:{e}"),
            json!({"type": "DeclinePanelSeat", "application": "A1", "expert": e, "reason": "时间冲突"}),
        );
        let expected_kinds: &[&str] = if i == 0 {
            &["PanelSeatDeclined", "ExpertAssigned"]
        } else {
            &["PanelSeatDeclined"]
        };
        assert_eq!(kinds(&evs), expected_kinds);
    }
    // Someone not on the panel cannot decline; the panel is never redrawn.
    let r = s.refused(
        "2026-05-15",
        "dept:zhang",
        json!({"type": "DeclinePanelSeat", "application": "A1", "expert": "P9", "reason": "x"}),
    );
    assert_refusal(&r, RefusalCode::WrongState, Some("hubei-2022:15(1)"));
    let r = s.refused("2026-05-16", "dept:zhang", draw("again"));
    assert_refusal(&r, RefusalCode::Duplicate, Some("hubei-2022:15(1)"));
    // Hand assignment stays possible beside the draw, with its reason recorded.
    let r = s.refused(
        "2026-05-16",
        "dept:zhang",
        json!({"type": "AssignExpert", "application": "A1", "expert_id": "P9", "expert_unit_uscc": uscc(69)}),
    );
    assert_refusal(&r, RefusalCode::InvalidInput, Some("hubei-2022:15(1)"));
    assert_eq!(r.field.as_deref(), Some("reason"));
    let evs = s.ok(
        "2026-05-16",
        "dept:zhang",
        json!({"type": "AssignExpert", "application": "A1", "expert_id": "P9", "expert_unit_uscc": uscc(69), "reason": "候补已用尽，指派同领域专家"}),
    );
    match &evs[0].kind {
        EventKind::ExpertAssigned(x) => assert_eq!(x.reason, "候补已用尽，指派同领域专家"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn panel_refusals_cite_the_article() {
    let mut s = hubei();
    let mut small = draw("s");
    small["pool"] = json!([
        expert("P1", 61, "激光"),
        expert("P2", 62, "激光"),
        expert("own", 1, "激光")
    ]);
    let r = s.refused("2026-05-14", "dept:zhang", small);
    assert_refusal(&r, RefusalCode::NotEnoughCandidates, Some("hubei-2022:15(1)"));
    let mut c = draw("s");
    c["size"] = json!(2);
    let r = s.refused("2026-05-14", "dept:zhang", c);
    assert_refusal(&r, RefusalCode::NotAllowed, Some("hubei-2022:15(1)"));
    let r = s.refused("2026-05-14", "dept:zhang", draw(""));
    assert_refusal(&r, RefusalCode::InvalidInput, Some("hubei-2022:15(1)"));
    let r = s.refused("2026-05-14", "expert:P1", draw("s"));
    assert_eq!(r.code, RefusalCode::Forbidden);
}

#[test]
fn hunan_article_9_panel() {
    let mut s = Sim::new();
    s.open_round("hunan-2026", "HN-2026", "2026-03-01", "2026-04-30");
    s.ok(
        "2026-03-16",
        "unit:applicant",
        json!({"type": "SubmitApplication", "id": "H1", "round": "HN-2026", "facts": hunan_facts(7, "装备制造")}),
    );
    if !s.app("H1").direct {
        s.ok(
            "2026-03-20",
            "recommender:city",
            json!({"type": "RecommendApplication", "application": "H1", "recommender": "市科技局", "opinion": "同意推荐"}),
        );
    }
    let pool: Vec<Value> = (1..=5).map(|i| expert(&format!("H{i}"), 70 + i, "装备制造")).collect();
    let evs = s.ok(
        "2026-04-01",
        "dept:wang",
        json!({"type": "DrawExpertPanel", "application": "H1", "seed": "湘-H1", "pool": pool}),
    );
    assert_cites(&evs[0], "hunan-2026:9.3");
    let x = panel_of(&evs);
    assert_eq!((x.panel.len(), x.reserves.len()), (3, 2));
    assert_eq!(x.rerun(), (x.panel.clone(), x.reserves.clone()));
}

/// 第十五条第一款 (回避): a conflict given with the draw keeps the expert off the panel and off
/// the reserves alike, as one declared on the application does; one declared after the draw by
/// a reserve passes the reserve over; a seated member who declares a conflict leaves the panel
/// and the next reserve is called in.
#[test]
fn article_15_conflicts_bind_reserves_as_members() {
    let mut s = hubei();
    let mut t = Sim::new();
    t.open_round("hubei-2022", "HB-2026", "2026-03-01", "2026-04-30");
    t.ok(
        "2026-03-02",
        "unit:applicant",
        json!({"type": "SubmitApplication", "id": "B0", "round": "HB-2026", "facts": hubei_facts(1, "张一", "激光")}),
    );
    t.ok(
        "2026-03-03",
        "expert:P1",
        json!({"type": "DeclareConflict", "application": "B0", "expert": "P1", "reason": "同一课题组"}),
    );
    t.ok(
        "2026-03-04",
        "recommender:city",
        json!({"type": "RecommendApplication", "application": "B0", "recommender": "市科技局", "opinion": "同意推荐"}),
    );
    let mut c = json!({"type": "DrawExpertPanel", "application": "B0", "seed": "鄂-B0", "pool": pool()});
    c["conflicts"] = json!([{"expert": "P2", "uscc": uscc(1), "reason": "近三年合作"}]);
    let x = panel_of(&t.ok("2026-03-05", "dept:zhang", c));
    let ground = |e: &str| x.exclusions.iter().find(|g| g.expert == e).cloned();
    assert_eq!(ground("P1").map(|g| g.reason), Some("declared_conflict".into()));
    assert_eq!(
        ground("P2").map(|g| (g.reason, g.detail)),
        Some(("declared_conflict".into(), "近三年合作".into()))
    );
    for e in ["P1", "P2"] {
        assert!(
            !x.panel.iter().chain(&x.reserves).any(|p| p == e),
            "{e} neither member nor reserve"
        );
    }
    assert_eq!(x.conflicts.len(), 2, "both conflicts are in the published record");

    // On A1: the first reserve declares a conflict after the draw; a member then declares one.
    let x = panel_of(&s.ok("2026-05-14", "dept:zhang", draw("鄂-A1-专家")));
    let (r1, r2) = (x.reserves[0].clone(), x.reserves[1].clone());
    s.ok(
        "2026-05-15",
        &format!("expert:{r1}"),
        json!({"type": "DeclareConflict", "application": "A1", "expert": r1, "reason": "亲属任职"}),
    );
    let m = x.panel[0].clone();
    let evs = s.ok(
        "2026-05-15",
        &format!("expert:{m}"),
        json!({"type": "DeclareConflict", "application": "A1", "expert": m, "reason": "曾在该单位兼职"}),
    );
    assert_eq!(kinds(&evs), ["ConflictDeclared", "PanelSeatDeclined", "ExpertAssigned"]);
    match &evs[1].kind {
        EventKind::PanelSeatDeclined(d) => {
            assert_eq!(
                d.replaced_by.as_deref(),
                Some(r2.as_str()),
                "the conflicted reserve is passed over"
            );
            assert!(d.reason.contains("申明回避"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!s.app("A1").experts.contains_key(&m));
    assert!(!s.app("A1").experts.contains_key(&r1));
    assert!(s.app("A1").experts.contains_key(&r2));
}

/// 第十五条第一款: an expert assigned by hand before the draw is not drawn again (which would
/// assign them twice and wipe a review already given); the ground is recorded.
#[test]
fn article_15_experts_assigned_by_hand_are_not_drawn_again() {
    let mut s = hubei();
    s.ok(
        "2026-05-13",
        "dept:zhang",
        json!({"type": "AssignExpert", "application": "A1", "expert_id": "P1", "expert_unit_uscc": uscc(61)}),
    );
    s.ok(
        "2026-05-13",
        "expert:P1",
        json!({"type": "SubmitReview", "application": "A1", "expert": "P1", "score": 88,
               "conclusion": "recommend", "comments": "基础扎实"}),
    );
    let x = panel_of(&s.ok("2026-05-14", "dept:zhang", draw("鄂-A1-专家")));
    let p1 = x.exclusions.iter().find(|g| g.expert == "P1").expect("kept off");
    assert_eq!(p1.reason, "already_assigned");
    assert!(!x.eligible.contains(&"P1".to_string()));
    assert!(s.app("A1").experts["P1"].review.is_some(), "the review is kept");
}
