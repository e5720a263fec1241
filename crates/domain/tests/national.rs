//! 推荐申报国家国际科技合作基地: Hubei 第二十七条 (with 第二十二条, 第二十四条 and 第三十条) and Hunan
//! 第十九条 (with 第十五条 and 第十七条), scenario by scenario.

use crate::common;

use common::*;
use guohe_domain::*;
use serde_json::json;

/// Two Hubei bases named 2026-06-10, reporting on time every year; B1 graded 合格 throughout,
/// B2 不合格 for 2026; both evaluated 优秀 on 2029-07-01.
fn hubei_two_bases() -> Sim {
    let mut s = Sim::new();
    s.name_bases(
        "hubei-2022",
        &[
            ("A1", "B1", hubei_facts(1, "李明", "光电子信息")),
            ("A2", "B2", hubei_facts(2, "王芳", "生物医药")),
        ],
    );
    for (year, grade_b2) in [(2026, "unqualified"), (2027, "qualified"), (2028, "qualified")] {
        let on = format!("{}-01-10", year + 1);
        let graded = format!("{}-02-20", year + 1);
        s.report("B1", year, &on);
        s.report("B2", year, &on);
        s.assess("B1", year, "qualified", &graded);
        s.assess("B2", year, grade_b2, &graded);
    }
    for b in ["B1", "B2"] {
        s.ok(
            "2029-07-01",
            "dept:zhang",
            json!({"type": "RecordEvaluation", "base": b, "grade": "excellent"}),
        );
    }
    s
}

fn list(s: &Sim, policy: &str, as_of: &str) -> NationalList {
    let p = s.policies.get(policy).unwrap();
    national_candidates(
        &s.world,
        p,
        d(as_of),
        d(as_of).format("%Y").to_string().parse().unwrap(),
    )
    .unwrap()
}

fn recommend(bases: &[&str], policy: &str) -> serde_json::Value {
    json!({"type": "RecommendToNational", "policy": policy, "year": 2029, "document": "鄂科技函〔2029〕8号", "recommended_on": "2029-09-01", "bases": bases})
}

/// 第二十七条 “结合年度考核和绩效评估结果……择优”: 优秀 in the latest evaluation (第二十四条) and no
/// 不合格 in the three annual assessments before the year (第二十二条).
#[test]
fn hubei_article_27_candidates_read_the_evaluation_and_three_years_of_annual_grades() {
    let s = hubei_two_bases();
    let l = list(&s, "hubei-2022", "2029-09-01");
    assert_eq!(l.article.to_string(), "hubei-2022:27");
    assert_eq!(l.candidates.iter().map(|c| c.base.as_str()).collect::<Vec<_>>(), ["B1"]);
    let b2 = &l.excluded[0];
    assert_eq!(b2.base, "B2");
    let failed: Vec<_> = b2.checks.iter().filter(|c| !c.met).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].criterion, "annual");
    assert_eq!(failed[0].article.to_string(), "hubei-2022:22(1)");
    assert!(
        failed[0].reason_zh.contains("2026年度不合格"),
        "{}",
        failed[0].reason_zh
    );
    // The reasons of a candidate say what was met.
    let b1 = &l.candidates[0];
    assert!(b1.checks.iter().any(|c| c.reason_zh.contains("最近一次评估为优秀")));
    assert_eq!(b1.annual_grades.len(), 3);
    // In 2030 the 2026 grade has left the three-year window, and B2 is a candidate too.
    let l = list(&s, "hubei-2022", "2030-03-01");
    assert_eq!(l.candidates.len(), 2);
    // Before the evaluation nobody qualifies: no evaluation yet.
    let l = list(&s, "hubei-2022", "2029-06-30");
    assert!(l.candidates.is_empty());
    assert!(
        l.excluded
            .iter()
            .all(|c| c.checks.iter().any(|x| x.criterion == "latest_evaluation" && !x.met))
    );
}

#[test]
fn hubei_recommending_refuses_a_base_that_does_not_qualify_citing_the_criterion() {
    let mut s = hubei_two_bases();
    let r = s.refused("2029-09-02", "dept:zhang", recommend(&["B1", "B2"], "hubei-2022"));
    assert_refusal(&r, RefusalCode::NotAllowed, Some("hubei-2022:22(1)"));
    assert_eq!(r.field.as_deref(), Some("bases[1]"));
    assert!(s.base("B1").national.is_empty(), "nothing half-written");
    let r = s.refused("2029-09-02", "unit:applicant", recommend(&["B1"], "hubei-2022"));
    assert_eq!(r.code, RefusalCode::Forbidden);
    let r = s.refused("2029-09-02", "dept:zhang", recommend(&["B9"], "hubei-2022"));
    assert_eq!(r.code, RefusalCode::NotFound);
    let r = s.refused("2029-09-02", "dept:zhang", recommend(&[], "hubei-2022"));
    assert_refusal(&r, RefusalCode::InvalidInput, Some("hubei-2022:27"));
    // A base of another province's policy is not recommended under this one.
    let r = s.refused("2029-09-02", "dept:zhang", recommend(&["B1"], "hunan-2026"));
    assert_refusal(&r, RefusalCode::NotAllowed, Some("hunan-2026:19"));
}

/// 第二十七条 then 第三十条: a recommended base recognised nationally stays under provincial
/// management without a new recognition; the history links the outcome to the recommendation.
#[test]
fn hubei_recommendation_then_recognition_stays_under_article_30() {
    let mut s = hubei_two_bases();
    let evs = s.ok("2029-09-02", "dept:zhang", recommend(&["B1"], "hubei-2022"));
    assert_eq!(kinds(&evs), ["RecommendedToNational"]);
    assert_cites(&evs[0], "hubei-2022:27");
    assert_eq!(evs[0].stream, "base/B1");
    // Once a year.
    let r = s.refused("2029-09-03", "dept:zhang", recommend(&["B1"], "hubei-2022"));
    assert_refusal(&r, RefusalCode::AlreadyRecorded, Some("hubei-2022:27"));
    assert!(list(&s, "hubei-2022", "2029-09-03").candidates.is_empty());
    // No outcome for a year without a recommendation.
    let r = s.refused(
        "2029-12-20",
        "dept:zhang",
        json!({"type": "RecordNationalOutcome", "base": "B1", "year": 2028, "outcome": "recognised", "document": "国科发外〔2029〕50号", "effective_on": "2029-12-15"}),
    );
    assert_refusal(&r, RefusalCode::NotFound, Some("hubei-2022:27"));
    let evs = s.ok(
        "2029-12-20",
        "dept:zhang",
        json!({"type": "RecordNationalOutcome", "base": "B1", "year": 2029, "outcome": "recognised", "document": "国科发外〔2029〕50号", "effective_on": "2029-12-15"}),
    );
    assert_eq!(kinds(&evs), ["NationalOutcomeRecorded"]);
    assert_cites(&evs[0], "hubei-2022:30");
    assert_eq!(s.base("B1").status, BaseStatus::Active);
    let rec = &s.base("B1").national[0];
    let (_, out) = rec.outcome.as_ref().unwrap();
    assert_eq!(out.recommendation, "鄂科技函〔2029〕8号");
    assert!(out.follow_up.contains("第三十条"), "{}", out.follow_up);
    let r = s.refused(
        "2029-12-21",
        "dept:zhang",
        json!({"type": "RecordNationalOutcome", "base": "B1", "year": 2029, "outcome": "not_recognised", "document": "x", "effective_on": "2029-12-15"}),
    );
    assert_refusal(&r, RefusalCode::AlreadyRecorded, Some("hubei-2022:27"));
}

fn hunan_excellent() -> Sim {
    let mut s = Sim::new();
    s.name_bases(
        "hunan-2026",
        &[
            ("A1", "B1", hunan_facts(1, "生物医药")),
            ("A2", "B2", hunan_facts(2, "新材料")),
        ],
    );
    s.ok(
        "2029-07-01",
        "dept:zhang",
        json!({"type": "RecordEvaluation", "base": "B1", "grade": "excellent"}),
    );
    s.ok(
        "2029-07-01",
        "dept:zhang",
        json!({"type": "RecordEvaluation", "base": "B2", "grade": "qualified"}),
    );
    s
}

/// Hunan 第十九条 (建设成效显著) read as 优秀 in the latest dynamic evaluation (第十五条); Hunan has
/// no annual assessment, so no annual criterion applies. 第十七条: recognised nationally, the base
/// leaves the provincial register from the national document's date.
#[test]
fn hunan_article_17_recognition_of_a_recommended_base_leaves_the_register() {
    let mut s = hunan_excellent();
    let l = list(&s, "hunan-2026", "2029-09-01");
    assert_eq!(l.article.to_string(), "hunan-2026:19");
    assert_eq!(l.candidates.iter().map(|c| c.base.as_str()).collect::<Vec<_>>(), ["B1"]);
    assert!(l.candidates[0].checks.iter().all(|c| c.criterion != "annual"));
    let r = s.refused("2029-09-02", "dept:zhang", recommend(&["B2"], "hunan-2026"));
    assert_refusal(&r, RefusalCode::NotAllowed, Some("hunan-2026:15"));
    assert!(r.message_zh.contains("须为优秀"), "{}", r.message_zh);
    s.ok("2029-09-02", "dept:zhang", recommend(&["B1"], "hunan-2026"));
    let evs = s.ok(
        "2030-01-20",
        "dept:zhang",
        json!({"type": "RecordNationalOutcome", "base": "B1", "year": 2029, "outcome": "recognised", "document": "国科发外〔2030〕3号", "effective_on": "2030-01-10"}),
    );
    assert_eq!(
        kinds(&evs),
        ["NationalOutcomeRecorded", "FindingRecorded", "BaseExitedNational"]
    );
    assert_cites(&evs[0], "hunan-2026:17");
    assert_cites(find(&evs, "BaseExitedNational"), "hunan-2026:17");
    assert_eq!(s.base("B1").status, BaseStatus::ExitedNational);
    assert_eq!(register(&s.world, d("2030-01-09")).len(), 2);
    assert_eq!(register(&s.world, d("2030-01-10")).len(), 1);
    let (_, out) = s.base("B1").national[0].outcome.clone().unwrap();
    assert!(out.follow_up.contains("退出省级管理序列"), "{}", out.follow_up);
    // Off the register, it is no longer a candidate, and says why.
    let l = list(&s, "hunan-2026", "2030-02-01");
    assert!(
        l.excluded
            .iter()
            .any(|c| c.base == "B1" && c.checks[0].reason_zh.contains("退出省级管理序列"))
    );
}

/// Not recognised: the outcome is recorded on the base's history and the base carries on.
#[test]
fn hunan_not_recognised_is_recorded_and_the_base_carries_on() {
    let mut s = hunan_excellent();
    s.ok("2029-09-02", "dept:zhang", recommend(&["B1"], "hunan-2026"));
    let r = s.refused(
        "2030-01-20",
        "dept:zhang",
        json!({"type": "RecordNationalOutcome", "base": "B1", "year": 2029, "outcome": "not_recognised", "document": "通知", "effective_on": "2029-08-01"}),
    );
    assert_eq!(r.code, RefusalCode::DateOutOfOrder);
    let evs = s.ok(
        "2030-01-20",
        "dept:zhang",
        json!({"type": "RecordNationalOutcome", "base": "B1", "year": 2029, "outcome": "not_recognised", "document": "科技部通知（未入选）", "effective_on": "2030-01-10"}),
    );
    assert_eq!(kinds(&evs), ["NationalOutcomeRecorded"]);
    assert_eq!(s.base("B1").status, BaseStatus::Active);
    // Another year, another recommendation.
    s.ok(
        "2030-09-01",
        "dept:zhang",
        json!({"type": "RecommendToNational", "policy": "hunan-2026", "year": 2030, "document": "湘科函〔2030〕1号", "recommended_on": "2030-09-01", "bases": ["B1"]}),
    );
    assert_eq!(s.base("B1").national.len(), 2);
}

/// A regulation without national recommendation says so in its policy (`not_provided`): the list
/// and the command are refused with the note and the nearest article, nothing is written.
#[test]
fn a_policy_that_does_not_provide_it_refuses_citing_the_nearest_article() {
    let mut s = hunan_excellent();
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/hunan-2026.yaml")).unwrap();
    let from = text.find("  national_recommendation:").unwrap();
    let to = from + text[from..].find("\n\n").unwrap();
    let changed = format!(
        "{}  national_recommendation:\n    not_provided: {{ article: \"17\", note_zh: 办法未规定推荐程序, note_en: no procedure }}{}",
        &text[..from],
        &text[to..]
    );
    let p = guohe_policy::load::from_yaml(&changed, "hunan-not.yaml").unwrap();
    s.policies.add(p);
    let r = national_candidates(&s.world, s.policies.get("hunan-2026").unwrap(), d("2029-09-01"), 2029).unwrap_err();
    assert_refusal(&r, RefusalCode::NotProvided, Some("hunan-2026:17"));
    assert!(r.message_zh.contains("办法未规定推荐程序"), "{}", r.message_zh);
    let r = s.refused("2029-09-02", "dept:zhang", recommend(&["B1"], "hunan-2026"));
    assert_refusal(&r, RefusalCode::NotProvided, Some("hunan-2026:17"));
    assert!(s.base("B1").national.is_empty());
}
