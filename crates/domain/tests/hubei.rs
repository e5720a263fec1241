//! Hubei 鄂科技规〔2022〕6号: procedure and consequence articles, scenario by scenario.

use crate::common;

use common::*;
use guohe_domain::*;
use serde_json::json;

fn named_hubei() -> Sim {
    let mut s = Sim::new();
    s.name_bases("hubei-2022", &[("A1", "B1", hubei_facts(1, "李明", "光电子信息"))]);
    s
}

#[test]
fn naming_follows_the_template_and_cites_18() {
    let s = named_hubei();
    let named = find(&s.events, "BaseNamed");
    assert_cites(named, "hubei-2022:18");
    assert_eq!(s.base("B1").official_name, "湖北省光电子信息国际科技合作基地");
    assert_eq!(s.app("A1").status, ApplicationStatus::Named);
    let notice = find(&s.events, "PublicNoticeStarted");
    assert_cites(notice, "hubei-2022:17(1)");
    let EventKind::PublicNoticeStarted(n) = &notice.kind else {
        unreachable!()
    };
    assert_eq!(n.ends_on, d("2026-06-05"));
    assert_cites(find(&s.events, "ApplicationDecided"), "hubei-2022:16");
    assert_cites(find(&s.events, "ReviewSubmitted"), "hubei-2022:15(1)");
    assert_cites(find(&s.events, "ApplicationSubmitted"), "hubei-2022:13");
}

#[test]
fn annual_qualified_unqualified_unqualified_terminates_citing_28_1() {
    let mut s = named_hubei();
    s.report("B1", 2026, "2027-01-10");
    s.assess("B1", 2026, "qualified", "2027-02-01");
    // A report filed ON 15 January is on time (interpretation report_deadline_inclusive).
    let evs = s.report("B1", 2027, "2028-01-15");
    let EventKind::AnnualReportSubmitted(r) = &evs[evs.len() - 1].kind else {
        panic!()
    };
    assert!(!r.late);
    let after = s.tick("2028-01-20");
    assert_eq!(
        kinds(&after),
        ["ClockAdvanced"],
        "no grade by rule for an on-time report"
    );
    s.assess("B1", 2027, "unqualified", "2028-02-01");
    assert_eq!(s.base("B1").status, BaseStatus::Active);
    s.report("B1", 2028, "2029-01-05");
    let evs = s.assess("B1", 2028, "unqualified", "2029-02-01");
    let t = find(&evs, "BaseTerminated");
    assert_cites(t, "hubei-2022:28.1");
    assert_eq!(s.base("B1").status, BaseStatus::Terminated);
    assert!(register(&s.world, d("2029-01-31")).iter().any(|e| e.base == "B1"));
    assert!(register(&s.world, d("2029-02-01")).is_empty());
    // A terminated base files no more reports.
    let r = s.refused(
        "2030-01-10",
        "unit:applicant",
        json!({"type": "SubmitAnnualReport", "base": "B1", "year": 2029, "submitted_on": "2030-01-10"}),
    );
    assert_refusal(&r, RefusalCode::WrongState, Some("hubei-2022:22(2)"));
}

#[test]
fn unqualified_qualified_unqualified_stays_active() {
    let mut s = named_hubei();
    s.report("B1", 2026, "2027-01-10");
    s.assess("B1", 2026, "unqualified", "2027-02-01");
    s.report("B1", 2027, "2028-01-10");
    s.assess("B1", 2027, "qualified", "2028-02-01");
    s.report("B1", 2028, "2029-01-10");
    let evs = s.assess("B1", 2028, "unqualified", "2029-02-01");
    assert_eq!(kinds(&evs), ["AnnualAssessmentRecorded"]);
    assert_eq!(s.base("B1").status, BaseStatus::Active);
}

#[test]
fn a_missing_report_is_unqualified_citing_22_and_two_terminate() {
    let mut s = named_hubei();
    assert_eq!(kinds(&s.tick("2027-01-15")), ["ClockAdvanced"]);
    let evs = s.tick("2027-01-16");
    let g = find(&evs, "AnnualAssessmentRecorded");
    assert_cites(g, "hubei-2022:22(1)");
    assert_eq!(g.on, d("2027-01-16"));
    let EventKind::AnnualAssessmentRecorded(a) = &g.kind else {
        panic!()
    };
    assert_eq!(
        (a.year, a.grade.as_str(), a.missing_report),
        (2026, "unqualified", true)
    );
    // Idempotent: nothing more to the same date.
    assert!(s.tick("2027-01-16").is_empty());
    // A late report afterwards is recorded as late and changes nothing.
    let evs = s.report("B1", 2026, "2027-02-01");
    let EventKind::AnnualReportSubmitted(r) = &evs.last().unwrap().kind else {
        panic!()
    };
    assert!(r.late);
    let refused = s.refused(
        "2027-02-02",
        "dept:zhang",
        json!({"type": "RecordAnnualAssessment", "base": "B1", "year": 2026, "grade": "qualified"}),
    );
    assert_eq!(refused.code, RefusalCode::AlreadyRecorded);
    // Second missing report, ticked in one long step: graded, then terminated.
    assert_eq!(kinds(&s.tick("2027-09-01")), ["PolicyExpired", "ClockAdvanced"]);
    let evs = s.tick("2028-06-01");
    assert_eq!(
        kinds(&evs),
        ["AnnualAssessmentRecorded", "BaseTerminated", "ClockAdvanced"]
    );
    assert_cites(find(&evs, "BaseTerminated"), "hubei-2022:28.1");
    assert_eq!(find(&evs, "BaseTerminated").on, d("2028-01-16"));
    assert_eq!(s.base("B1").status, BaseStatus::Terminated);
    // Nothing more falls due on a terminated base.
    let later = s.tick("2030-01-20");
    assert_eq!(kinds(&later), ["ClockAdvanced"]);
}

#[test]
fn evaluation_unqualified_terminates_citing_28_1() {
    let mut s = named_hubei();
    for y in 2026..2029 {
        s.report("B1", y, &format!("{}-01-10", y + 1));
        s.assess("B1", y, "qualified", &format!("{}-02-01", y + 1));
    }
    let evs = s.tick("2029-06-10");
    let due = find(&evs, "EvaluationDue");
    assert_cites(due, "hubei-2022:24");
    assert_eq!(due.on, d("2029-06-10"));
    let evs = s.ok(
        "2029-07-01",
        "dept:zhang",
        json!({"type": "RecordEvaluation", "base": "B1", "grade": "unqualified"}),
    );
    assert_cites(find(&evs, "EvaluationRecorded"), "hubei-2022:24");
    assert_cites(find(&evs, "BaseTerminated"), "hubei-2022:28.1");
    assert_eq!(s.base("B1").status, BaseStatus::Terminated);
}

#[test]
fn false_materials_revoke_a_named_base_citing_29_1() {
    let mut s = named_hubei();
    let evs = s.ok(
        "2027-03-01",
        "dept:zhang",
        json!({"type": "RecordFinding", "case": "base/B1", "finding": "false_materials", "effective_on": "2027-03-01", "evidence": "核查报告"}),
    );
    assert_cites(find(&evs, "FindingRecorded"), "hubei-2022:29.1");
    assert_cites(find(&evs, "BaseRevoked"), "hubei-2022:29.1");
    assert_eq!(s.base("B1").status, BaseStatus::Revoked);
    // A revoked base cannot be revoked or terminated again.
    let r = s.refused(
        "2027-03-02",
        "dept:zhang",
        json!({"type": "RecordEvaluation", "base": "B1", "grade": "qualified"}),
    );
    assert_eq!(r.code, RefusalCode::WrongState);
}

#[test]
fn false_materials_reject_an_application_in_progress_citing_29_1() {
    let mut s = Sim::new();
    s.open_round("hubei-2022", "R", "2026-03-01", "2026-04-30");
    s.ok(
        "2026-03-16",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A1", "round": "R", "facts": hubei_facts(1, "李明", "光电子信息")}),
    );
    let evs = s.ok(
        "2026-03-25",
        "dept:zhang",
        json!({"type": "RecordFinding", "case": "application/A1", "finding": "false_materials", "effective_on": "2026-03-25", "evidence": "材料造假"}),
    );
    assert_cites(find(&evs, "ApplicationRejected"), "hubei-2022:29.1");
    assert_eq!(s.app("A1").status, ApplicationStatus::Rejected);
    // Termination findings only make sense for bases.
    s.ok(
        "2026-03-26",
        "unit:y",
        json!({"type": "SubmitApplication", "id": "A2", "round": "R", "facts": hubei_facts(2, "王强", "新材料")}),
    );
    let r = s.refused(
        "2026-03-27",
        "dept:zhang",
        json!({"type": "RecordFinding", "case": "application/A2", "finding": "misconduct", "effective_on": "2026-03-27", "evidence": "x"}),
    );
    assert_refusal(&r, RefusalCode::NotAllowed, Some("hubei-2022:28.3"));
}

#[test]
fn findings_28_2_and_28_3_terminate() {
    let mut s = Sim::new();
    s.name_bases(
        "hubei-2022",
        &[
            ("A1", "B1", hubei_facts(1, "李明", "光电子信息")),
            ("A2", "B2", hubei_facts(2, "王强", "新材料")),
        ],
    );
    let evs = s.ok("2027-03-01", "dept:zhang", json!({"type": "RecordFinding", "case": "base/B1", "finding": "unable_to_operate", "effective_on": "2027-03-01", "evidence": "x"}));
    assert_cites(find(&evs, "BaseTerminated"), "hubei-2022:28.2");
    let evs = s.ok("2027-03-01", "dept:zhang", json!({"type": "RecordFinding", "case": "base/B2", "finding": "misconduct", "effective_on": "2027-03-01", "evidence": "x"}));
    assert_cites(find(&evs, "BaseTerminated"), "hubei-2022:28.3");
    let r = s.refused("2027-03-01", "dept:zhang", json!({"type": "RecordFinding", "case": "base/B2", "finding": "misconduct", "effective_on": "2027-03-01", "evidence": "x"}));
    assert_eq!(r.code, RefusalCode::WrongState);
    // Hunan's national recognition is not a Hubei finding.
    let r = s.refused("2027-03-01", "dept:zhang", json!({"type": "RecordFinding", "case": "base/B1", "finding": "national_recognition", "effective_on": "2027-03-01", "evidence": "x"}));
    assert_eq!(r.field.as_deref(), Some("finding"));
}

#[test]
fn article_6_central_and_provincial_units_apply_directly() {
    let mut s = Sim::new();
    s.open_round("hubei-2022", "R", "2026-03-01", "2026-04-30");
    let mut facts = hubei_facts(1, "李明", "光电子信息");
    set(&mut facts, "/unit/affiliation", json!("provincial"));
    let evs = s.ok(
        "2026-03-16",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A1", "round": "R", "facts": facts}),
    );
    assert_cites(&evs[evs.len() - 1], "hubei-2022:6(2)");
    assert!(s.app("A1").direct);
    assert_eq!(s.app("A1").status, ApplicationStatus::UnderReview);
    let r = s.refused(
        "2026-03-20",
        "recommender:wuhan",
        json!({"type": "RecommendApplication", "application": "A1", "recommender": "武汉市科技局", "opinion": "同意"}),
    );
    assert_refusal(&r, RefusalCode::DirectApplication, Some("hubei-2022:6(2)"));
    // Straight to expert review.
    s.ok(
        "2026-03-21",
        "dept:zhang",
        json!({"type": "AssignExpert", "application": "A1", "expert_id": "E1", "expert_unit_uscc": uscc(901)}),
    );

    // A local unit goes through its recommender first.
    s.ok(
        "2026-03-22",
        "unit:y",
        json!({"type": "SubmitApplication", "id": "A2", "round": "R", "facts": hubei_facts(2, "王强", "新材料")}),
    );
    assert!(!s.app("A2").direct);
    let r = s.refused(
        "2026-03-23",
        "dept:zhang",
        json!({"type": "AssignExpert", "application": "A2", "expert_id": "E1", "expert_unit_uscc": uscc(901)}),
    );
    // 第六条第一款: the recommender's opinion is what is missing, not a step of 第十五条.
    assert_refusal(&r, RefusalCode::WrongState, Some("hubei-2022:6(1)"));
    assert!(r.message_zh.contains("尚未出具推荐意见"), "{}", r.message_zh);
    assert!(
        r.message_en.contains("recommender has not given its opinion"),
        "{}",
        r.message_en
    );
    let evs = s.ok(
        "2026-03-24",
        "recommender:wuhan",
        json!({"type": "RecommendApplication", "application": "A2", "recommender": "武汉市科技局", "opinion": "同意"}),
    );
    assert_cites(&evs[0], "hubei-2022:6(1)");
}

#[test]
fn article_12_one_base_per_domain_and_per_director_from_the_register() {
    let mut s = named_hubei();
    s.open_round("hubei-2022", "R2", "2026-07-01", "2026-08-31");
    // Same unit, same domain.
    let r = s.refused(
        "2026-07-10",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A2", "round": "R2", "facts": hubei_facts(1, "赵六", "光电子信息")}),
    );
    assert_refusal(&r, RefusalCode::RegisterConflict, Some("hubei-2022:12(1)"));
    // Same unit, same director, another domain.
    let r = s.refused(
        "2026-07-10",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A3", "round": "R2", "facts": hubei_facts(1, "李明", "生物医药")}),
    );
    assert_refusal(&r, RefusalCode::RegisterConflict, Some("hubei-2022:12(2)"));
    // The applicant cannot talk its way past the register.
    let mut facts = hubei_facts(1, "李明", "生物医药");
    set(
        &mut facts,
        "/registry",
        json!({"unit_holds_base_in_domain": false, "director_heads_base": false}),
    );
    let r = s.refused(
        "2026-07-10",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A3", "round": "R2", "facts": facts}),
    );
    assert_eq!(r.code, RefusalCode::RegisterConflict);
    // Same unit, another domain, another director: fine.
    s.ok(
        "2026-07-10",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A4", "round": "R2", "facts": hubei_facts(1, "赵六", "生物医药")}),
    );
    // A person of the same name at another unit is another person.
    s.ok(
        "2026-07-10",
        "unit:z",
        json!({"type": "SubmitApplication", "id": "A5", "round": "R2", "facts": hubei_facts(5, "李明", "光电子信息")}),
    );
    // Once B1 is terminated, the domain is free again.
    s.ok("2026-07-11", "dept:zhang", json!({"type": "RecordFinding", "case": "base/B1", "finding": "unable_to_operate", "effective_on": "2026-07-11", "evidence": "x"}));
    s.ok(
        "2026-07-12",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A6", "round": "R2", "facts": hubei_facts(1, "李明", "光电子信息")}),
    );
}

#[test]
fn article_23_changes_are_approved_by_the_department_and_voluntary_termination_ends_the_base() {
    let mut s = named_hubei();
    let evs = s.ok(
        "2027-03-01",
        "unit:x",
        json!({"type": "FileMajorChange", "base": "B1", "change_id": "C1", "kind": "director", "details": {"description": "负责人调离", "director": "王芳"}}),
    );
    let EventKind::MajorChangeFiled(f) = &evs[evs.len() - 1].kind else {
        panic!()
    };
    assert_eq!(f.informed, vec![guohe_policy::model::Approver::Recommender]);
    assert_cites(&evs[evs.len() - 1], "hubei-2022:23");
    let r = s.refused(
        "2027-03-02",
        "recommender:wuhan",
        json!({"type": "ApproveMajorChange", "base": "B1", "change_id": "C1", "by": "recommender"}),
    );
    assert_eq!(r.code, RefusalCode::ApprovalOrder);
    let evs = s.ok(
        "2027-03-03",
        "dept:zhang",
        json!({"type": "ApproveMajorChange", "base": "B1", "change_id": "C1", "by": "department"}),
    );
    assert_eq!(kinds(&evs), ["MajorChangeApproved"]);
    assert_eq!(s.base("B1").director, "王芳");

    s.ok("2027-04-01", "unit:x", json!({"type": "FileMajorChange", "base": "B1", "change_id": "C2", "kind": "voluntary_termination", "details": {"description": "主动提前终止命名"}}));
    let evs = s.ok(
        "2027-04-05",
        "dept:zhang",
        json!({"type": "ApproveMajorChange", "base": "B1", "change_id": "C2", "by": "department"}),
    );
    assert_cites(find(&evs, "BaseTerminated"), "hubei-2022:23");
    assert_eq!(s.base("B1").status, BaseStatus::Terminated);
}

#[test]
fn article_15_site_inspection_is_recorded() {
    let mut s = Sim::new();
    s.open_round("hubei-2022", "R", "2026-03-01", "2026-04-30");
    let mut facts = hubei_facts(1, "李明", "光电子信息");
    set(&mut facts, "/unit/affiliation", json!("central"));
    s.ok(
        "2026-03-16",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A1", "round": "R", "facts": facts}),
    );
    let evs = s.ok("2026-04-02", "dept:zhang", json!({"type": "RecordSiteInspection", "application": "A1", "inspectors": ["E1", "E2"], "findings": "条件属实"}));
    assert_cites(&evs[0], "hubei-2022:15(2)");
}

#[test]
fn articles_30_and_31_transitional_bases() {
    let mut s = Sim::new();
    let evs = s.ok(
        "2026-03-01",
        "dept:zhang",
        json!({"type": "CarryOverBase", "base_id": "L1", "policy": "hubei-2022", "official_name": "湖北省激光国际科技合作基地", "unit_name": "旧单位", "uscc": uscc(11), "domain": "激光", "director": "周", "recognised_on": "2019-05-01"}),
    );
    assert_cites(&evs[0], "hubei-2022:31(1)");
    assert!(!s.base("L1").evaluated);
    let evs = s.ok(
        "2026-03-01",
        "dept:zhang",
        json!({"type": "CarryOverBase", "base_id": "N1", "policy": "hubei-2022", "official_name": "国家国际科技合作基地（湖北）", "unit_name": "国家单位", "uscc": uscc(12), "domain": "航天", "director": "吴", "recognised_on": "2015-05-01", "national": true}),
    );
    assert_cites(&evs[0], "hubei-2022:30");
    assert!(s.base("N1").evaluated);
    // Legacy: annual assessment only, no evaluation.
    let evs = s.tick("2027-01-16");
    let graded: Vec<_> = evs
        .iter()
        .filter(|e| e.kind_name() == "AnnualAssessmentRecorded")
        .collect();
    assert_eq!(graded.len(), 2, "both carried-over bases are assessed for 2026");
    for y in [2027, 2028] {
        s.report("N1", y, &format!("{}-01-10", y + 1));
        s.report("L1", y, &format!("{}-01-10", y + 1));
    }
    let evs = s.tick("2029-03-02");
    assert!(
        evs.iter()
            .any(|e| matches!(&e.kind, EventKind::EvaluationDue(x) if x.base == "N1"))
    );
    assert!(
        !evs.iter()
            .any(|e| matches!(&e.kind, EventKind::EvaluationDue(x) if x.base == "L1"))
    );
    let r = s.refused(
        "2029-03-03",
        "dept:zhang",
        json!({"type": "RecordEvaluation", "base": "L1", "grade": "qualified"}),
    );
    assert_refusal(&r, RefusalCode::WrongState, Some("hubei-2022:31(1)"));
    let mut s = Sim::new();
    s.ok(
        "2026-03-01",
        "dept:zhang",
        json!({"type": "CarryOverBase", "base_id": "L2", "policy": "hubei-2022", "official_name": "湖北省某国际科技合作基地", "unit_name": "旧单位", "uscc": uscc(13), "domain": "农业", "director": "郑", "recognised_on": "2020-01-01"}),
    );
    let r = s.refused(
        "2026-03-02",
        "dept:zhang",
        json!({"type": "RecordEvaluation", "base": "L2", "grade": "qualified"}),
    );
    assert_refusal(&r, RefusalCode::WrongState, Some("hubei-2022:31(1)"));
}

#[test]
fn article_33_expiry_stops_new_rounds() {
    let mut s = named_hubei();
    let evs = s.tick("2027-08-25");
    let e = find(&evs, "PolicyExpired");
    assert_cites(e, "hubei-2022:33");
    assert!(s.world.expired_policies().contains("hubei-2022"));
    let r = s.refused("2027-09-01", "dept:zhang", json!({"type": "OpenRound", "id": "R9", "policy": "hubei-2022", "title": "t", "opens_on": "2027-09-01", "closes_on": "2027-10-01"}));
    assert_refusal(&r, RefusalCode::NotInForce, Some("hubei-2022:33"));
    // The citation travels beside the message; the message does not repeat it.
    assert!(
        !r.message_zh.contains("hubei-2022:33") && !r.message_en.contains("hubei-2022:33"),
        "{}",
        r.message_zh
    );
    // The base itself keeps operating.
    s.report("B1", 2027, "2028-01-10");
    // The clock does not go back.
    let ctx = Ctx {
        policies: &s.policies,
        calendar: &s.calendar,
        actor: Actor::system(),
        today: d("2027-08-25"),
    };
    let r = tick(&s.world, &ctx, d("2027-08-25")).unwrap_err();
    assert_eq!(r.code, RefusalCode::DateOutOfOrder);
}

/// Effects compose: a policy file can write "revoked and barred for 3 years" as `then: revoke`
/// with `ban: { years: 3 }`. Here Hubei 第二十九条第（一）项 (虚假材料 → 撤销命名) is given a ban, as a
/// third regulation might.
#[test]
fn a_revocation_can_carry_a_ban() {
    let text = include_str!("../../../policies/hubei-2022.yaml").replacen(
        "    when: { finding: false_materials }\n    then: revoke\n",
        "    when: { finding: false_materials }\n    then: revoke\n    ban: { years: 3 }\n",
        1,
    );
    let policy = guohe_policy::load::from_yaml(&text, "hubei-ban.yaml").unwrap();
    let mut s = Sim::new();
    s.policies.add(policy);
    s.name_bases("hubei-2022", &[("A1", "B1", hubei_facts(1, "李明", "光电子信息"))]);
    let evs = s.ok(
        "2027-03-01",
        "dept:zhang",
        json!({"type": "RecordFinding", "case": "base/B1", "finding": "false_materials", "effective_on": "2027-03-01", "evidence": "核查报告"}),
    );
    assert_cites(find(&evs, "BaseRevoked"), "hubei-2022:29.1");
    let ban = find(&evs, "UnitBanned");
    assert_cites(ban, "hubei-2022:29.1");
    let EventKind::UnitBanned(b) = &ban.kind else {
        unreachable!()
    };
    assert_eq!((b.from, b.until), (d("2027-03-01"), d("2030-03-01")));
    assert_eq!(s.base("B1").status, BaseStatus::Revoked);
    assert_eq!(s.world.bans_of(&uscc(1)).len(), 1);
    // The built-in Hubei policy revokes without a ban.
    let mut plain = named_hubei();
    let evs = plain.ok(
        "2027-03-01",
        "dept:zhang",
        json!({"type": "RecordFinding", "case": "base/B1", "finding": "false_materials", "effective_on": "2027-03-01", "evidence": "核查报告"}),
    );
    assert!(!kinds(&evs).contains(&"UnitBanned"), "{:?}", kinds(&evs));
}

/// A policy file may leave out the major-change section when its regulation says nothing of
/// major changes; filing one is then refused with a clear message (not a load error).
#[test]
fn a_policy_without_major_changes_refuses_filings() {
    let full = include_str!("../../../policies/hubei-2022.yaml");
    let start = full.find("  major_changes:\n").unwrap();
    let end = start + full[start..].find("\nconsequences:").unwrap() + 1;
    let text = format!("{}{}", &full[..start], &full[end..]);
    // Its 第二十三条 consequence (voluntary termination) needs the section: leave it out too.
    let text = text.replacen(
        "    when: { major_change: voluntary_termination }\n    then: terminate\n",
        "    when: { finding: unable_to_operate }\n    then: terminate\n",
        1,
    );
    let policy = guohe_policy::load::from_yaml(&text, "hubei-no-changes.yaml").unwrap();
    assert!(policy.lifecycle.major_changes.is_none());
    let mut s = Sim::new();
    s.policies.add(policy);
    s.name_bases("hubei-2022", &[("A1", "B1", hubei_facts(1, "李明", "光电子信息"))]);
    let r = s.refused(
        "2027-03-01",
        "unit:x",
        json!({"type": "FileMajorChange", "base": "B1", "change_id": "C1", "kind": "director", "details": {"description": "负责人调离", "director": "王芳"}}),
    );
    assert_refusal(&r, RefusalCode::NotProvided, None);
    assert!(r.message_zh.contains("未规定重大事项报告"), "{}", r.message_zh);
}

/// The evaluation schedule is a policy parameter: "first evaluation 2 years after naming, then
/// every 4 years" is written `first_after_years: 2, then_every_years: 4`; and where a
/// carried-over base's cycle starts is the policy's reading (`cycle_start`), here changed from
/// 第二十四条's built-in reading to the original recognition.
#[test]
fn the_evaluation_schedule_and_cycle_start_come_from_the_policy() {
    let text = include_str!("../../../policies/hubei-2022.yaml")
        .replacen(
            "    every_years: 3\n    cycle_start:",
            "    first_after_years: 2\n    then_every_years: 4\n    cycle_start:",
            1,
        )
        .replacen(
            "carried_over: later_of_recognition_and_entry_into_force",
            "carried_over: recognition",
            1,
        );
    let policy = guohe_policy::load::from_yaml(&text, "hubei-schedule.yaml").unwrap();
    let mut s = Sim::new();
    s.policies.add(policy);
    s.name_bases("hubei-2022", &[("A1", "B1", hubei_facts(1, "李明", "光电子信息"))]);
    assert_eq!(find(&s.events, "BaseNamed").on, d("2026-06-10"));
    for y in 2026..2028 {
        s.report("B1", y, &format!("{}-01-10", y + 1));
        s.assess("B1", y, "qualified", &format!("{}-02-01", y + 1));
    }
    let evs = s.tick("2028-06-10");
    let due = find(&evs, "EvaluationDue");
    assert_cites(due, "hubei-2022:24");
    let EventKind::EvaluationDue(e) = &due.kind else {
        unreachable!()
    };
    assert_eq!((e.cycle, e.due_on), (1, d("2028-06-10")));

    s.ok(
        "2028-07-01",
        "dept:zhang",
        json!({"type": "CarryOverBase", "base_id": "L1", "policy": "hubei-2022", "official_name": "湖北省激光国际科技合作基地", "unit_name": "旧单位", "uscc": uscc(11), "domain": "激光", "director": "周", "recognised_on": "2019-05-01"}),
    );
    assert_eq!(s.base("L1").evaluation_anchor, d("2019-05-01"));
    // The built-in reading counts from the later of recognition and entry into force.
    let mut plain = Sim::new();
    plain.ok(
        "2026-03-01",
        "dept:zhang",
        json!({"type": "CarryOverBase", "base_id": "L1", "policy": "hubei-2022", "official_name": "湖北省激光国际科技合作基地", "unit_name": "旧单位", "uscc": uscc(11), "domain": "激光", "director": "周", "recognised_on": "2019-05-01"}),
    );
    assert_eq!(plain.base("L1").evaluation_anchor, d("2022-08-25"));
}
