//! Hunan 湘科发〔2026〕27号: procedure and consequence articles, scenario by scenario.

use crate::common;

use chrono::Datelike;
use common::*;
use guohe_domain::*;
use serde_json::json;

fn named_hunan() -> Sim {
    let mut s = Sim::new();
    s.name_bases("hunan-2026", &[("A1", "B1", hunan_facts(1, "生物医药"))]);
    s
}

#[test]
fn naming_uses_the_article_9_template_after_recommendation() {
    let s = named_hunan();
    assert_eq!(
        s.base("B1").official_name,
        "湖南省科学技术厅生物医药国际科技合作基地（联合研究）"
    );
    assert_cites(find(&s.events, "BaseNamed"), "hunan-2026:9.4");
    assert_cites(find(&s.events, "ApplicationRecommended"), "hunan-2026:9.2");
    assert_cites(find(&s.events, "ApplicationSubmitted"), "hunan-2026:9.1");
    assert_cites(find(&s.events, "ApplicationDecided"), "hunan-2026:9.3");
    assert!(!s.app("A1").direct, "Hunan has no direct applications");
}

#[test]
fn evaluation_unqualified_rectification_then_unqualified_disqualifies_and_bans_for_five_years() {
    let mut s = named_hunan();
    let evs = s.tick("2029-06-10");
    assert_cites(find(&evs, "EvaluationDue"), "hunan-2026:15");
    assert!(
        evs.iter().any(|e| e.kind_name() == "AnnualReportMissing"),
        "missing reports are noted (14)"
    );
    let evs = s.ok(
        "2029-07-01",
        "dept:zhang",
        json!({"type": "RecordEvaluation", "base": "B1", "grade": "unqualified"}),
    );
    let r = find(&evs, "RectificationOrdered");
    assert_cites(r, "hunan-2026:15");
    assert_eq!(
        s.base("B1").status,
        BaseStatus::UnderRectification { until: d("2030-07-01") }
    );
    // Still on the register while rectifying.
    assert_eq!(register(&s.world, d("2030-01-01")).len(), 1);
    let early = s.refused(
        "2030-06-30",
        "dept:zhang",
        json!({"type": "RecordReEvaluation", "base": "B1", "grade": "qualified"}),
    );
    assert_refusal(&early, RefusalCode::DateOutOfOrder, Some("hunan-2026:15"));
    let evs = s.tick("2030-07-01");
    assert!(evs.iter().any(|e| e.kind_name() == "RectificationPeriodEnded"));
    let evs = s.ok(
        "2030-07-02",
        "dept:zhang",
        json!({"type": "RecordReEvaluation", "base": "B1", "grade": "unqualified"}),
    );
    assert_cites(find(&evs, "BaseDisqualified"), "hunan-2026:16.3");
    assert_cites(find(&evs, "UnitBanned"), "hunan-2026:16");
    assert_eq!(
        s.base("B1").status,
        BaseStatus::Disqualified {
            ban_until: Some(d("2035-07-02"))
        }
    );
    let uscc = s.base("B1").uscc.clone();
    assert_eq!(s.world.bans_of(&uscc)[0].until, d("2035-07-02"));

    // The unit applies again within the ban, in another domain: refused citing 16.
    s.open_round("hunan-2026", "R2030", "2030-09-01", "2030-10-31");
    let r = s.refused(
        "2030-09-10",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A9", "round": "R2030", "facts": hunan_facts(1, "新材料")}),
    );
    assert_refusal(&r, RefusalCode::Banned, Some("hunan-2026:16"));
    assert!(r.message_zh.contains("2035-07-02"));
    // Another unit is not affected.
    let mut facts = hunan_facts(2, "新材料");
    set(
        &mut facts,
        "/unit/finance",
        json!([
            { "year": 2027, "sales_revenue": 38000000, "rd_expense": 2100000 },
            { "year": 2028, "sales_revenue": 44000000, "rd_expense": 2400000 },
            { "year": 2029, "sales_revenue": 50000000, "rd_expense": 2600000 }
        ]),
    );
    s.ok(
        "2030-09-10",
        "unit:y",
        json!({"type": "SubmitApplication", "id": "A10", "round": "R2030", "facts": facts}),
    );
}

#[test]
fn re_evaluation_qualified_returns_to_active() {
    let mut s = named_hunan();
    s.ok(
        "2029-07-01",
        "dept:zhang",
        json!({"type": "RecordEvaluation", "base": "B1", "grade": "unqualified"}),
    );
    let r = s.refused(
        "2029-08-01",
        "dept:zhang",
        json!({"type": "RecordEvaluation", "base": "B1", "grade": "qualified"}),
    );
    assert_eq!(r.code, RefusalCode::WrongState);
    let evs = s.ok(
        "2030-07-01",
        "dept:zhang",
        json!({"type": "RecordReEvaluation", "base": "B1", "grade": "qualified"}),
    );
    assert_eq!(kinds(&evs), ["EvaluationRecorded", "RectificationCompleted"]);
    assert_eq!(s.base("B1").status, BaseStatus::Active);
    // Excellent and qualified evaluations carry no consequence.
    let evs = s.ok(
        "2030-08-01",
        "dept:zhang",
        json!({"type": "RecordEvaluation", "base": "B1", "grade": "excellent"}),
    );
    assert_eq!(kinds(&evs), ["EvaluationRecorded"]);
}

#[test]
fn article_17_national_recognition_leaves_the_register_from_the_document_date() {
    let mut s = named_hunan();
    let evs = s.ok(
        "2028-05-20",
        "dept:zhang",
        json!({"type": "RecordFinding", "case": "base/B1", "finding": "national_recognition", "effective_on": "2028-04-10", "evidence": "国科发外〔2028〕12号"}),
    );
    let e = find(&evs, "BaseExitedNational");
    assert_cites(e, "hunan-2026:17");
    assert_eq!(s.base("B1").status, BaseStatus::ExitedNational);
    assert_eq!(
        register(&s.world, d("2028-04-09"))
            .iter()
            .map(|e| e.base.as_str())
            .collect::<Vec<_>>(),
        ["B1"]
    );
    assert!(register(&s.world, d("2028-04-10")).is_empty());
    assert!(register(&s.world, d("2026-06-09")).is_empty(), "not yet named");
    // No ban follows a national recognition.
    assert!(s.world.bans_of(&s.base("B1").uscc.clone()).is_empty());
}

#[test]
fn article_16_findings_disqualify_with_a_ban() {
    for (code, article) in [
        ("false_information", "16.1"),
        ("skipped_evaluation", "16.2"),
        ("serious_misconduct", "16.4"),
        ("diplomatic_or_security_incident", "16.5"),
        ("unlawful_conduct", "16.6"),
        ("concealed_change", "16.7"),
        ("other_unfit", "16.8"),
    ] {
        let mut s = named_hunan();
        let evs = s.ok(
            "2027-05-01",
            "dept:zhang",
            json!({"type": "RecordFinding", "case": "base/B1", "finding": code, "effective_on": "2027-05-01", "evidence": "x"}),
        );
        assert_cites(find(&evs, "BaseDisqualified"), &format!("hunan-2026:{article}"));
        assert_cites(find(&evs, "UnitBanned"), "hunan-2026:16");
        assert_eq!(
            s.base("B1").status,
            BaseStatus::Disqualified {
                ban_until: Some(d("2032-05-01"))
            }
        );
    }
}

#[test]
fn false_information_on_an_application_rejects_it_and_bans_the_unit() {
    let mut s = Sim::new();
    s.open_round("hunan-2026", "R", "2026-03-01", "2026-04-30");
    s.ok(
        "2026-03-16",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A1", "round": "R", "facts": hunan_facts(1, "生物医药")}),
    );
    let evs = s.ok(
        "2026-03-20",
        "dept:zhang",
        json!({"type": "RecordFinding", "case": "application/A1", "finding": "false_information", "effective_on": "2026-03-20", "evidence": "x"}),
    );
    assert_cites(find(&evs, "ApplicationRejected"), "hunan-2026:16.1");
    assert_cites(find(&evs, "UnitBanned"), "hunan-2026:16");
    let r = s.refused(
        "2026-03-21",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A2", "round": "R", "facts": hunan_facts(1, "新材料")}),
    );
    assert_refusal(&r, RefusalCode::Banned, Some("hunan-2026:16"));
}

#[test]
fn article_14_major_change_needs_the_recommender_before_the_department() {
    let mut s = named_hunan();
    s.ok(
        "2027-03-01",
        "unit:x",
        json!({"type": "FileMajorChange", "base": "B1", "change_id": "C1", "kind": "rename", "details": {"description": "更名", "official_name": "湖南省科学技术厅生物医药与健康国际科技合作基地（联合研究）"}}),
    );
    let r = s.refused(
        "2027-03-02",
        "dept:zhang",
        json!({"type": "ApproveMajorChange", "base": "B1", "change_id": "C1", "by": "department"}),
    );
    assert_refusal(&r, RefusalCode::ApprovalOrder, Some("hunan-2026:14"));
    // English messages name the approvers in words, never as Rust debug output.
    assert_eq!(
        r.message_en,
        "approvals go recommender → department; next is the recommender"
    );
    let r = s.refused(
        "2027-03-02",
        "dept:zhang",
        json!({"type": "ApproveMajorChange", "base": "B1", "change_id": "C1", "by": "recommender"}),
    );
    assert_eq!(r.code, RefusalCode::Forbidden);
    let evs = s.ok(
        "2027-03-03",
        "recommender:changsha",
        json!({"type": "ApproveMajorChange", "base": "B1", "change_id": "C1", "by": "recommender"}),
    );
    assert_eq!(kinds(&evs), ["MajorChangeEndorsed"]);
    assert_eq!(
        s.base("B1").official_name,
        "湖南省科学技术厅生物医药国际科技合作基地（联合研究）",
        "not yet in effect"
    );
    let evs = s.ok(
        "2027-03-10",
        "dept:zhang",
        json!({"type": "ApproveMajorChange", "base": "B1", "change_id": "C1", "by": "department"}),
    );
    assert_cites(&evs[0], "hunan-2026:14");
    assert_eq!(
        s.base("B1").official_name,
        "湖南省科学技术厅生物医药与健康国际科技合作基地（联合研究）"
    );
    // Rejection also follows the order.
    s.ok("2027-04-01", "unit:x", json!({"type": "FileMajorChange", "base": "B1", "change_id": "C2", "kind": "director", "details": {"description": "换人", "director": "张三"}}));
    s.ok("2027-04-02", "recommender:changsha", json!({"type": "RejectMajorChange", "base": "B1", "change_id": "C2", "by": "recommender", "reason": "材料不全"}));
    assert_eq!(s.base("B1").major_changes["C2"].status, ChangeStatus::Rejected);
    // Voluntary termination is not a Hunan change kind.
    let r = s.refused("2027-04-03", "unit:x", json!({"type": "FileMajorChange", "base": "B1", "change_id": "C3", "kind": "voluntary_termination", "details": {"description": "x"}}));
    assert_eq!(r.field.as_deref(), Some("kind"));
}

#[test]
fn article_22_old_categories_map_and_can_be_reclassified() {
    let mut s = Sim::new();
    let evs = s.ok(
        "2026-03-01",
        "dept:zhang",
        json!({"type": "CarryOverBase", "base_id": "T1", "policy": "hunan-2026", "official_name": "湖南省某国际技术转移中心", "unit_name": "旧单位", "uscc": uscc(21), "domain": "装备制造", "old_category": "国际技术转移中心", "director": "周", "recognised_on": "2018-05-01"}),
    );
    assert_cites(&evs[0], "hunan-2026:22");
    assert_eq!(s.base("T1").category.as_deref(), Some("technology_transfer"));
    assert_eq!(
        s.base("T1").evaluation_anchor,
        d("2026-02-13"),
        "cycles from the policy's entry into force"
    );
    let evs = s.ok(
        "2026-04-01",
        "dept:zhang",
        json!({"type": "Reclassify", "base": "T1", "category": "distinctive", "reasons": "依托单位申请"}),
    );
    assert_cites(&evs[0], "hunan-2026:22");
    assert_eq!(s.base("T1").category.as_deref(), Some("distinctive"));
    let r = s.refused(
        "2026-04-02",
        "dept:zhang",
        json!({"type": "CarryOverBase", "base_id": "T2", "policy": "hunan-2026", "official_name": "x", "unit_name": "y", "uscc": uscc(22), "domain": "z", "old_category": "不存在的类型", "director": "w", "recognised_on": "2018-05-01"}),
    );
    assert_refusal(&r, RefusalCode::InvalidInput, Some("hunan-2026:22"));
    // Hubei has no such article.
    let r = s.refused("2026-04-03", "dept:zhang", json!({"type": "CarryOverBase", "base_id": "T3", "policy": "hubei-2022", "official_name": "x", "unit_name": "y", "uscc": uscc(23), "domain": "z", "old_category": "示范型", "director": "w", "recognised_on": "2018-05-01"}));
    assert_eq!(r.field.as_deref(), Some("old_category"));
    // The first evaluation falls due three years after entry into force.
    let evs = s.tick("2029-02-13");
    assert_eq!(find(&evs, "EvaluationDue").on, d("2029-02-13"));
}

#[test]
fn hunan_has_no_site_inspection_and_no_annual_assessment() {
    let mut s = named_hunan();
    let r = s.refused(
        "2027-02-01",
        "dept:zhang",
        json!({"type": "RecordAnnualAssessment", "base": "B1", "year": 2026, "grade": "qualified"}),
    );
    assert_eq!(r.code, RefusalCode::NotProvided);
    let mut s = Sim::new();
    s.open_round("hunan-2026", "R", "2026-03-01", "2026-04-30");
    s.ok(
        "2026-03-16",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A1", "round": "R", "facts": hunan_facts(1, "生物医药")}),
    );
    let r = s.refused(
        "2026-03-17",
        "dept:zhang",
        json!({"type": "RecordSiteInspection", "application": "A1", "inspectors": ["E1"], "findings": "x"}),
    );
    assert_eq!(r.code, RefusalCode::NotProvided);
}

#[test]
fn annual_reports_go_to_the_recommender_and_late_ones_are_marked() {
    let mut s = named_hunan();
    let evs = s.report("B1", 2026, "2027-01-16");
    let EventKind::AnnualReportSubmitted(r) = &evs.last().unwrap().kind else {
        panic!()
    };
    assert!(r.late && r.recommender_copy);
    assert_cites(evs.last().unwrap(), "hunan-2026:14");
    let r = s.refused(
        "2027-01-17",
        "unit:x",
        json!({"type": "SubmitAnnualReport", "base": "B1", "year": 2026, "submitted_on": "2027-01-17"}),
    );
    assert_eq!(r.code, RefusalCode::AlreadyRecorded);
}

/// 第十六条 at the edge of the ban: disqualified on 2030-07-02 and barred for five years, the
/// unit is refused on 2035-07-01, the ban's last day, and accepted on 2035-07-02, the day after
/// it ends. (The regulation's own five years of force end in 2031; the test gives it fifteen so
/// that the ban's end falls within it.)
#[test]
fn an_application_is_accepted_the_day_after_the_ban_ends() {
    let text = include_str!("../../../policies/hunan-2026.yaml").replacen(
        "validity: { years: 5, article: \"23\" }",
        "validity: { years: 15, article: \"23\" }",
        1,
    );
    let policy = guohe_policy::load::from_yaml(&text, "hunan-long.yaml").unwrap();
    let mut s = Sim::new();
    s.policies.add(policy);
    s.name_bases("hunan-2026", &[("A1", "B1", hunan_facts(1, "生物医药"))]);
    s.ok(
        "2029-07-01",
        "dept:zhang",
        json!({"type": "RecordEvaluation", "base": "B1", "grade": "unqualified"}),
    );
    s.tick("2030-07-01");
    let evs = s.ok(
        "2030-07-02",
        "dept:zhang",
        json!({"type": "RecordReEvaluation", "base": "B1", "grade": "unqualified"}),
    );
    assert!(kinds(&evs).contains(&"UnitBanned"), "{:?}", kinds(&evs));
    let unit = s.base("B1").uscc.clone();
    assert_eq!(s.world.bans_of(&unit)[0].until, d("2035-07-02"));
    s.open_round("hunan-2026", "R2035", "2035-06-01", "2035-08-31");
    let mut facts = hunan_facts(1, "新材料");
    set(
        &mut facts,
        "/unit/finance",
        json!([
            { "year": 2032, "sales_revenue": 38000000, "rd_expense": 2100000 },
            { "year": 2033, "sales_revenue": 44000000, "rd_expense": 2400000 },
            { "year": 2034, "sales_revenue": 50000000, "rd_expense": 2600000 }
        ]),
    );
    let r = s.refused(
        "2035-07-01",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A9", "round": "R2035", "facts": facts.clone()}),
    );
    assert_refusal(&r, RefusalCode::Banned, Some("hunan-2026:16"));
    let evs = s.ok(
        "2035-07-02",
        "unit:x",
        json!({"type": "SubmitApplication", "id": "A9", "round": "R2035", "facts": facts}),
    );
    assert_cites(find(&evs, "ApplicationSubmitted"), "hunan-2026:9.1");
}

/// 第十四条：the annual report is due by 15 January, that day included (`due_inclusive`): a
/// report submitted on 15 January is on time, on 16 January late (above).
#[test]
fn an_annual_report_on_15_january_is_on_time() {
    let mut s = named_hunan();
    let evs = s.report("B1", 2026, "2027-01-15");
    let EventKind::AnnualReportSubmitted(r) = &evs.last().unwrap().kind else {
        panic!("{:?}", kinds(&evs))
    };
    assert!(!r.late, "15 January is the last day on time");
    assert!(r.recommender_copy);
    assert_cites(evs.last().unwrap(), "hunan-2026:14");
    // And the day's tick does not mark it missing.
    let evs = s.tick("2027-01-16");
    assert!(!kinds(&evs).contains(&"AnnualReportMissing"), "{:?}", kinds(&evs));
}

#[test]
fn a_report_before_any_year_has_ended_says_when_the_first_is_due() {
    // 第十四条: the report covers the previous year; a base recognised in 2026 has none before 2027.
    let mut s = named_hunan();
    let recognised = s.base("B1").recognised_on.year();
    let r = s.refused(
        &format!("{recognised}-12-01"),
        "unit:applicant",
        json!({"type": "SubmitAnnualReport", "base": "B1", "year": recognised, "submitted_on": format!("{recognised}-12-01")}),
    );
    assert_eq!(r.field.as_deref(), Some("year"));
    assert_eq!(
        r.message_zh,
        format!(
            "该基地于{recognised}年认定，尚无已结束的年度；首份年度报告为{recognised}年度，于{}年报送",
            recognised + 1
        )
    );
    assert!(!r.message_zh.contains('—'), "no reversed range: {}", r.message_zh);
    assert_eq!(
        r.citation.as_ref().map(|c| c.to_string()).as_deref(),
        Some("hunan-2026:14")
    );
}
