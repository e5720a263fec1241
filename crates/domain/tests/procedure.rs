//! The recognition procedure common to both policies: rounds, review, notice, objections,
//! naming, and how refusals and invalid input are told apart.

use crate::common;

use common::*;
use guohe_domain::*;
use serde_json::json;

fn approved_hubei() -> Sim {
    let mut s = Sim::new();
    s.open_round("hubei-2022", "R", "2026-03-01", "2026-04-30");
    s.approve("R", &[("A1", hubei_facts(1, "李明", "光电子信息"))]);
    s
}

#[test]
fn a_notice_starting_2026_09_28_ends_2026_10_09() {
    let mut s = approved_hubei();
    let evs = s.ok(
        "2026-09-28",
        "dept:zhang",
        json!({"type": "StartPublicNotice", "notice_id": "N1", "applications": ["A1"], "starts_on": "2026-09-28"}),
    );
    let EventKind::PublicNoticeStarted(n) = &evs.last().unwrap().kind else {
        panic!()
    };
    assert_eq!(n.ends_on, d("2026-10-09"));
    assert_eq!(s.app("A1").status, ApplicationStatus::InNotice);
}

#[test]
fn a_notice_in_a_year_without_a_holiday_schedule_is_refused() {
    let mut s = approved_hubei();
    // The first year after the built-in schedules, whichever that is; the regulation is given
    // fifteen years of force so that the year falls within it.
    let text = include_str!("../../../policies/hubei-2022.yaml").replacen(
        "validity: { years: 5,",
        "validity: { years: 15,",
        1,
    );
    assert_ne!(text, include_str!("../../../policies/hubei-2022.yaml"));
    s.policies
        .add(guohe_policy::load::from_yaml(&text, "hubei-long.yaml").unwrap());
    let next = s.calendar.years().last().unwrap() + 1;
    let on = format!("{next}-01-04");
    let r = s.refused(
        &on,
        "dept:zhang",
        json!({"type": "StartPublicNotice", "notice_id": "N1", "applications": ["A1"], "starts_on": on}),
    );
    assert_refusal(&r, RefusalCode::CalendarNotLoaded, Some("hubei-2022:17(1)"));
    assert!(r.message_zh.contains(&next.to_string()), "{}", r.message_zh);
}

#[test]
fn naming_before_the_notice_ends_is_refused() {
    let mut s = approved_hubei();
    s.ok(
        "2026-06-01",
        "dept:zhang",
        json!({"type": "StartPublicNotice", "notice_id": "N1", "applications": ["A1"], "starts_on": "2026-06-01"}),
    );
    let r = s.refused(
        "2026-06-05",
        "dept:zhang",
        json!({"type": "Name", "application": "A1", "base_id": "B1", "on": "2026-06-05"}),
    );
    assert_refusal(&r, RefusalCode::NoticePeriod, Some("hubei-2022:17(1)"));
    let evs = s.tick("2026-06-06");
    assert_cites(find(&evs, "PublicNoticeEnded"), "hubei-2022:17(1)");
    s.ok(
        "2026-06-08",
        "dept:zhang",
        json!({"type": "Name", "application": "A1", "base_id": "B1", "on": "2026-06-08"}),
    );
}

#[test]
fn objections_are_real_name_within_the_period_and_block_naming_until_resolved() {
    let mut s = approved_hubei();
    s.ok(
        "2026-06-01",
        "dept:zhang",
        json!({"type": "StartPublicNotice", "notice_id": "N1", "applications": ["A1"], "starts_on": "2026-06-01"}),
    );
    let r = s.refused("2026-06-02", "public:anon", json!({"type": "LodgeObjection", "notice": "N1", "application": "A1", "objector_real_name": " ", "contact": "138", "content": "数据不实"}));
    assert_eq!(r.field.as_deref(), Some("objector_real_name"));
    assert_eq!(r.code, RefusalCode::InvalidInput);
    let evs = s.ok("2026-06-05", "public:wang", json!({"type": "LodgeObjection", "notice": "N1", "application": "A1", "objector_real_name": "王五", "contact": "13800000000", "content": "合作协议已过期"}));
    assert_cites(evs.last().unwrap(), "hubei-2022:17(2)");
    let EventKind::ObjectionLodged(o) = &evs.last().unwrap().kind else {
        panic!()
    };
    let objection = o.objection.clone();
    let r = s.refused("2026-06-06", "public:li", json!({"type": "LodgeObjection", "notice": "N1", "application": "A1", "objector_real_name": "李四", "contact": "139", "content": "迟到的异议"}));
    assert_refusal(&r, RefusalCode::NoticePeriod, Some("hubei-2022:17(1)"));
    let r = s.refused(
        "2026-06-10",
        "dept:zhang",
        json!({"type": "Name", "application": "A1", "base_id": "B1", "on": "2026-06-10"}),
    );
    assert_refusal(&r, RefusalCode::UnresolvedObjection, Some("hubei-2022:17(2)"));
    s.ok("2026-06-11", "dept:zhang", json!({"type": "ResolveObjection", "objection": objection, "resolution": "经核实协议已续签，异议不成立", "upheld": false}));
    s.ok(
        "2026-06-12",
        "dept:zhang",
        json!({"type": "Name", "application": "A1", "base_id": "B1", "on": "2026-06-12"}),
    );
}

#[test]
fn an_upheld_objection_rejects_the_application() {
    let mut s = approved_hubei();
    s.ok(
        "2026-06-01",
        "dept:zhang",
        json!({"type": "StartPublicNotice", "notice_id": "N1", "applications": ["A1"], "starts_on": "2026-06-01"}),
    );
    s.ok("2026-06-02", "public:wang", json!({"type": "LodgeObjection", "notice": "N1", "application": "A1", "objector_real_name": "王五", "contact": "138", "content": "造假"}));
    let evs = s.ok(
        "2026-06-08",
        "dept:zhang",
        json!({"type": "ResolveObjection", "objection": "N1-1", "resolution": "异议成立", "upheld": true}),
    );
    assert_cites(find(&evs, "ApplicationRejected"), "hubei-2022:17(2)");
    assert_eq!(s.app("A1").status, ApplicationStatus::Rejected);
    let r = s.refused(
        "2026-06-10",
        "dept:zhang",
        json!({"type": "Name", "application": "A1", "base_id": "B1", "on": "2026-06-10"}),
    );
    assert_eq!(r.code, RefusalCode::WrongState);
}

#[test]
fn experts_from_the_applicants_unit_or_with_a_conflict_are_refused() {
    let mut s = Sim::new();
    s.open_round("hunan-2026", "R", "2026-03-01", "2026-04-30");
    let facts = hunan_facts(1, "生物医药");
    let own = facts["unit"]["uscc"].as_str().unwrap().to_string();
    s.ok(
        "2026-03-16",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A1", "round": "R", "facts": facts}),
    );
    s.ok(
        "2026-03-20",
        "recommender:cs",
        json!({"type": "RecommendApplication", "application": "A1", "recommender": "长沙市科技局", "opinion": "同意"}),
    );
    let r = s.refused(
        "2026-04-01",
        "dept:zhang",
        json!({"type": "AssignExpert", "application": "A1", "expert_id": "E1", "expert_unit_uscc": own}),
    );
    assert_refusal(&r, RefusalCode::ConflictOfInterest, Some("hunan-2026:9.3"));
    assert_eq!(r.field.as_deref(), Some("expert_unit_uscc"));
    s.ok(
        "2026-04-01",
        "dept:zhang",
        json!({"type": "AssignExpert", "application": "A1", "expert_id": "E2", "expert_unit_uscc": uscc(902)}),
    );
    s.ok(
        "2026-04-02",
        "expert:E2",
        json!({"type": "DeclareConflict", "application": "A1", "expert": "E2", "reason": "曾为该单位顾问"}),
    );
    assert!(s.app("A1").experts.is_empty());
    let r = s.refused(
        "2026-04-03",
        "dept:zhang",
        json!({"type": "AssignExpert", "application": "A1", "expert_id": "E2", "expert_unit_uscc": uscc(902)}),
    );
    assert_eq!(r.code, RefusalCode::ConflictOfInterest);
    // Another expert cannot speak for E3.
    s.ok(
        "2026-04-03",
        "dept:zhang",
        json!({"type": "AssignExpert", "application": "A1", "expert_id": "E3", "expert_unit_uscc": uscc(903)}),
    );
    let r = s.refused(
        "2026-04-04",
        "expert:E4",
        json!({"type": "SubmitReview", "application": "A1", "expert": "E3", "score": 80, "conclusion": "recommend"}),
    );
    assert_eq!(r.code, RefusalCode::Forbidden);
}

#[test]
fn reviews_need_a_score_in_range_a_known_conclusion_and_three_experts_before_a_decision() {
    let mut s = Sim::new();
    s.open_round("hubei-2022", "R", "2026-03-01", "2026-04-30");
    s.ok(
        "2026-03-16",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A1", "round": "R", "facts": hubei_facts(1, "李明", "光电子信息")}),
    );
    s.ok(
        "2026-03-20",
        "recommender:wh",
        json!({"type": "RecommendApplication", "application": "A1", "recommender": "武汉市科技局", "opinion": "同意"}),
    );
    for e in ["E1", "E2", "E3"] {
        s.ok(
            "2026-04-01",
            "dept:zhang",
            json!({"type": "AssignExpert", "application": "A1", "expert_id": e, "expert_unit_uscc": uscc(950)}),
        );
    }
    let r = s.refused(
        "2026-04-02",
        "expert:E1",
        json!({"type": "SubmitReview", "application": "A1", "expert": "E1", "score": 100.5, "conclusion": "recommend"}),
    );
    assert_eq!((r.code, r.field.as_deref()), (RefusalCode::InvalidInput, Some("score")));
    let r = s.refused(
        "2026-04-02",
        "expert:E1",
        json!({"type": "SubmitReview", "application": "A1", "expert": "E1", "score": 90, "conclusion": "excellent"}),
    );
    assert_eq!(r.field.as_deref(), Some("conclusion"));
    let evs = s.ok(
        "2026-04-02",
        "expert:E1",
        json!({"type": "SubmitReview", "application": "A1", "expert": "E1", "score": 87.25, "conclusion": "neutral"}),
    );
    let EventKind::ReviewSubmitted(rv) = &evs.last().unwrap().kind else {
        panic!()
    };
    assert_eq!(rv.score.to_string(), "87.25");
    s.ok(
        "2026-04-02",
        "expert:E2",
        json!({"type": "SubmitReview", "application": "A1", "expert": "E2", "score": 0, "conclusion": "not_recommend"}),
    );
    let r = s.refused(
        "2026-04-03",
        "dept:zhang",
        json!({"type": "Decide", "application": "A1", "decision": "approve", "reasons": "x"}),
    );
    assert_refusal(&r, RefusalCode::NotEnoughReviews, Some("hubei-2022:15(1)"));
    s.ok(
        "2026-04-03",
        "expert:E3",
        json!({"type": "SubmitReview", "application": "A1", "expert": "E3", "score": 100, "conclusion": "recommend"}),
    );
    let r = s.refused(
        "2026-04-04",
        "recommender:wh",
        json!({"type": "Decide", "application": "A1", "decision": "approve", "reasons": "x"}),
    );
    assert_eq!(r.code, RefusalCode::Forbidden);
    let r = s.refused(
        "2026-04-04",
        "dept:zhang",
        json!({"type": "Decide", "application": "A1", "decision": "maybe", "reasons": "x"}),
    );
    assert_eq!(r.field.as_deref(), Some("decision"));
    let evs = s.ok(
        "2026-04-04",
        "dept:zhang",
        json!({"type": "Decide", "application": "A1", "decision": "reject", "reasons": "布局不符"}),
    );
    assert_cites(evs.last().unwrap(), "hubei-2022:16");
    assert_eq!(s.app("A1").status, ApplicationStatus::Rejected);
    let r = s.refused(
        "2026-04-05",
        "dept:zhang",
        json!({"type": "StartPublicNotice", "notice_id": "N1", "applications": ["A1"], "starts_on": "2026-04-05"}),
    );
    assert_eq!(r.code, RefusalCode::WrongState);
}

#[test]
fn rounds_accept_applications_only_within_their_dates_and_under_a_policy_in_force() {
    let mut s = Sim::new();
    let r = s.refused("2026-01-05", "dept:zhang", json!({"type": "OpenRound", "id": "R0", "policy": "hunan-2026", "title": "t", "opens_on": "2026-01-05", "closes_on": "2026-02-28"}));
    assert_refusal(&r, RefusalCode::NotInForce, Some("hunan-2026:23"));
    let r = s.refused("2026-01-05", "unit:x", json!({"type": "OpenRound", "id": "R0", "policy": "hubei-2022", "title": "t", "opens_on": "2026-01-05", "closes_on": "2026-02-28"}));
    assert_eq!(r.code, RefusalCode::Forbidden);
    s.open_round("hubei-2022", "R", "2026-03-01", "2026-03-31");
    let r = s.refused(
        "2026-04-01",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A1", "round": "R", "facts": hubei_facts(1, "李明", "光电子信息")}),
    );
    assert_refusal(&r, RefusalCode::RoundNotOpen, Some("hubei-2022:13"));
}

#[test]
fn invalid_input_names_the_field() {
    let mut s = Sim::new();
    s.open_round("hubei-2022", "R", "2026-03-01", "2026-04-30");
    let mut facts = hubei_facts(1, "李明", "光电子信息");
    set(&mut facts, "/unit/uscc", json!("91420100MA4K56786X"));
    let r = s.refused(
        "2026-03-16",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A1", "round": "R", "facts": facts}),
    );
    assert_eq!(
        (r.code, r.field.as_deref()),
        (RefusalCode::InvalidInput, Some("facts.unit.uscc"))
    );
    let mut facts = hubei_facts(1, "李明", "光电子信息");
    set(&mut facts, "/unit/kind", json!("joint_venture"));
    let r = s.refused(
        "2026-03-16",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A1", "round": "R", "facts": facts}),
    );
    assert_eq!(r.field.as_deref(), Some("facts.unit.kind"));
    let r = s.refused(
        "2026-03-16",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A 1", "round": "R", "facts": hubei_facts(1, "李明", "光电子信息")}),
    );
    assert_eq!(r.field.as_deref(), Some("id"));
    let r = s.refused("2026-03-16", "unit:x", json!({"type": "SubmitApplication", "id": "A1", "round": "nope", "facts": hubei_facts(1, "李明", "光电子信息")}));
    assert_eq!((r.code, r.field.as_deref()), (RefusalCode::NotFound, Some("round")));
    // Malformed commands are caught when read.
    assert!(serde_json::from_value::<Command>(json!({"type": "Decide", "application": "A1"})).is_err());
    assert!(serde_json::from_value::<Command>(json!({"type": "Fly"})).is_err());
}

#[test]
fn an_ineligible_application_is_recorded_with_its_failing_rules_and_can_be_returned_and_resubmitted() {
    let mut s = Sim::new();
    s.open_round("hubei-2022", "R", "2026-03-01", "2026-04-30");
    let mut facts = hubei_facts(1, "李明", "光电子信息");
    set(&mut facts, "/unit/overseas_market_share", json!("1%"));
    let evs = s.ok(
        "2026-03-16",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A1", "round": "R", "facts": facts}),
    );
    let EventKind::ApplicationSubmitted(a) = &evs.last().unwrap().kind else {
        panic!()
    };
    assert_eq!(a.verdict, "ineligible");
    assert_eq!(a.failing_rules, ["enterprise.overseas_market"]);
    assert_eq!(a.facts.application_date, d("2026-03-16"));
    s.ok(
        "2026-03-18",
        "recommender:wh",
        json!({"type": "ReturnApplication", "application": "A1", "reasons": ["境外市场份额不足5%"]}),
    );
    assert_eq!(s.app("A1").status, ApplicationStatus::Returned);
    let evs = s.ok(
        "2026-03-25",
        "unit:x",
        json!({"type": "ResubmitApplication", "application": "A1", "facts": hubei_facts(1, "李明", "光电子信息")}),
    );
    let EventKind::ApplicationResubmitted(a) = &evs.last().unwrap().kind else {
        panic!()
    };
    assert_ne!(a.verdict, "ineligible");
    assert_eq!(s.app("A1").status, ApplicationStatus::Submitted);
    s.ok(
        "2026-03-26",
        "unit:x",
        json!({"type": "WithdrawApplication", "application": "A1", "reason": "明年再报"}),
    );
    let r = s.refused(
        "2026-03-27",
        "recommender:wh",
        json!({"type": "RecommendApplication", "application": "A1", "recommender": "武汉", "opinion": "同意"}),
    );
    assert_eq!(r.code, RefusalCode::WrongState);
}

#[test]
fn commands_cannot_be_backdated_before_the_clock() {
    let mut s = Sim::new();
    s.tick("2026-05-01");
    let ctx = Ctx {
        policies: &s.policies,
        calendar: &s.calendar,
        actor: Actor::department("zhang"),
        today: d("2026-04-01"),
    };
    let cmd = command(
        json!({"type": "OpenRound", "id": "R", "policy": "hubei-2022", "title": "t", "opens_on": "2026-04-01", "closes_on": "2026-05-30"}),
    );
    assert_eq!(
        handle(&s.world, &ctx, cmd).unwrap_err().code,
        RefusalCode::DateOutOfOrder
    );
}

/// A mistyped command type says which types there are (it is not an "event kind").
#[test]
fn a_mistyped_command_type_lists_the_valid_ones() {
    let e = guohe_domain::Timeline::from_json(
        r#"{"steps": [{"on": "2026-03-01", "as": "dept:zhang", "command": {"type": "OpenRund", "id": "R"}}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("unknown command type `OpenRund`"), "{e}");
    assert!(e.contains("OpenRound") && e.contains("SubmitApplication"), "{e}");
    assert!(!e.contains("event kind"), "{e}");
}

/// A round accepts applications from its opening day to its closing day, both included, and
/// neither the day before nor the day after (湖北第十三条: 申报 within the period announced).
#[test]
fn a_round_accepts_on_its_opening_and_closing_days_only() {
    let mut s = Sim::new();
    s.ok(
        "2026-03-20",
        "dept:zhang",
        json!({"type": "OpenRound", "id": "R", "policy": "hubei-2022", "title": "t", "opens_on": "2026-04-01", "closes_on": "2026-05-30"}),
    );
    let submit = |id: &str, unit: u32| json!({"type": "SubmitApplication", "id": id, "round": "R", "facts": hubei_facts(unit, "李明", "光电子信息")});
    let r = s.refused("2026-03-31", "unit:a", submit("A0", 1));
    assert_refusal(&r, RefusalCode::RoundNotOpen, Some("hubei-2022:13"));
    s.ok("2026-04-01", "unit:a", submit("A1", 1));
    s.ok("2026-05-30", "unit:b", submit("A2", 2));
    let r = s.refused("2026-05-31", "unit:c", submit("A3", 3));
    assert_refusal(&r, RefusalCode::RoundNotOpen, Some("hubei-2022:13"));
}

/// Snapshots encode the bases and the applications apart from the rest of the world
/// (`LargeMaps`); taking them out and putting them back must give the world folded from events.
#[test]
fn the_large_maps_taken_out_and_put_back_give_the_same_world() {
    let mut s = Sim::new();
    s.name_bases(
        "hubei-2022",
        &[
            ("A1", "B1", hubei_facts(1, "李明", "光电子信息")),
            ("A2", "B2", hubei_facts(2, "王芳", "生物医药")),
        ],
    );
    let before = s.world.clone();
    let mut w = s.world.clone();
    let maps = w.take_large_maps();
    assert_eq!(maps.bases.len(), 2);
    assert_eq!(maps.applications.len(), 2);
    assert!(w.bases().next().is_none() && w.applications().next().is_none());
    assert_ne!(w, before);
    // Put back in two shares, as a snapshot decoded on two threads does.
    let mut first = LargeMaps::default();
    let mut second = maps;
    let b1 = second.bases.remove_entry("B1").unwrap();
    first.bases.insert(b1.0, b1.1);
    w.put_large_maps(first);
    w.put_large_maps(second);
    assert_eq!(w, before);
}
