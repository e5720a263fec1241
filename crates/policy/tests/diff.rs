//! `guohe policy diff`: the two shipped regulations side by side, and a modified copy of one.

use guohe_policy::builtin_policy;
use guohe_policy::diff::{LineStatus, Topic, diff};

#[test]
fn hubei_has_an_annual_assessment_and_hunan_does_not() {
    // 湖北第二十二条第一款：省科技厅对省国合基地的建设和运行情况进行年度考核。湖南第十四条只要求年度报告。
    let d = diff(
        builtin_policy("hunan-2026").unwrap(),
        builtin_policy("hubei-2022").unwrap(),
    );
    assert!(
        !d.articles_compared,
        "different provinces: article numbers are not compared"
    );
    let l = d.line("annual_assessment").expect("annual assessment line");
    assert_eq!(l.status, LineStatus::OnlyB);
    let b = l.b.as_ref().unwrap();
    assert_eq!(b.articles[0].citation, "hubei-2022:22(1)");
    assert_eq!(b.articles[0].zh, "第二十二条第一款");
    let grades = d.line("annual_grades").unwrap();
    assert_eq!(grades.status, LineStatus::OnlyB);
}

#[test]
fn evaluation_schedules_consequences_and_validity_of_the_two_provinces() {
    let hn = builtin_policy("hunan-2026").unwrap();
    let hb = builtin_policy("hubei-2022").unwrap();
    let d = diff(hn, hb);
    // 湖南第十五条：每3年分类开展动态评估；湖北第二十四条：原则上每3年进行一次阶段性综合绩效评估。
    let ev = d.line("evaluation").unwrap();
    assert_eq!(ev.status, LineStatus::Changed, "Hunan evaluates by category");
    assert!(ev.a.as_ref().unwrap().value.contains("分类评估"));
    assert_eq!(ev.b.as_ref().unwrap().value, "每 3 年评估一次");
    assert_eq!(ev.a.as_ref().unwrap().articles[0].citation, "hunan-2026:15");
    assert_eq!(ev.b.as_ref().unwrap().articles[0].citation, "hubei-2022:24");
    // 评估不合格：湖南第十五条限期整改，湖北第二十八条第（一）项终止并注销命名。
    let c = d.line("consequence:evaluation:unqualified").unwrap();
    assert_eq!(c.status, LineStatus::Changed);
    assert_eq!(c.a.as_ref().unwrap().value, "限期整改");
    assert_eq!(c.b.as_ref().unwrap().value, "终止并注销命名");
    assert_eq!(c.b.as_ref().unwrap().articles[0].zh, "第二十八条第（一）项");
    // 连续2年年度考核不合格 only in Hubei; 整改后复评不合格 only in Hunan (第十六条第3项).
    assert_eq!(
        d.line("consequence:consecutive_annual:unqualified:2").unwrap().status,
        LineStatus::OnlyB
    );
    assert_eq!(
        d.line("consequence:re_evaluation:unqualified").unwrap().status,
        LineStatus::OnlyA
    );
    // Hunan 第十六条: five years' ban; Hubei has none.
    let ban = d.line("ban:disqualification").unwrap();
    assert_eq!(ban.status, LineStatus::OnlyA);
    assert!(ban.a.as_ref().unwrap().value.contains("5 年"));
    // Both are valid five years, from different days.
    assert_eq!(d.line("validity").unwrap().status, LineStatus::Changed);
    // The public notice reads the same in both (5 working days, first day counted): folded.
    assert_eq!(d.line("public_notice").unwrap().status, LineStatus::Same);
    // Sections come in topic order, every topic present.
    let topics: Vec<Topic> = d.sections.iter().map(|s| s.topic).collect();
    assert_eq!(topics, Topic::ALL.to_vec());
}

#[test]
fn a_policy_compared_with_itself_has_no_difference() {
    let hb = builtin_policy("hubei-2022").unwrap();
    let d = diff(hb, hb);
    assert!(d.articles_compared);
    assert_eq!(d.difference_count(), 0);
    assert!(d.sections.iter().all(|s| s.same_count() == s.lines.len()));
}

#[test]
fn a_modified_copy_shows_exactly_the_changed_items() {
    // A new version of Hubei: 公示不少于7个工作日, evaluation every 4 years, and a new misconduct
    // consequence revoking instead of terminating.
    let text = guohe_policy::BUILTIN_SOURCES[1].1;
    let changed = text
        .replacen("working_days: 5", "working_days: 7", 1)
        .replacen("    every_years: 3\n", "    every_years: 4\n", 1)
        .replacen(
            "    when: { finding: misconduct }\n    then: terminate",
            "    when: { finding: misconduct }\n    then: revoke",
            1,
        );
    assert_ne!(changed, text);
    let v2 = guohe_policy::load::from_yaml(&changed, "hubei-v2.yaml").unwrap();
    let v1 = builtin_policy("hubei-2022").unwrap();
    let d = diff(v1, &v2);
    let differing: Vec<&str> = d
        .sections
        .iter()
        .flat_map(|s| s.differences())
        .map(|l| l.key.as_str())
        .collect();
    assert_eq!(
        differing,
        ["public_notice", "evaluation", "consequence:finding:misconduct"],
        "only the three edits differ"
    );
    let pn = d.line("public_notice").unwrap();
    assert!(pn.a.as_ref().unwrap().value.contains("5 个工作日"));
    assert!(pn.b.as_ref().unwrap().value.contains("7 个工作日"));
    assert_eq!(pn.b.as_ref().unwrap().articles[0].citation, "hubei-2022:17(1)");
    // Everything else folds.
    let total: usize = d.sections.iter().map(|s| s.lines.len()).sum();
    let same: usize = d.sections.iter().map(|s| s.same_count()).sum();
    assert_eq!(same, total - 3);
}

#[test]
fn a_moved_article_is_a_change_between_versions() {
    // Same content, different article: between versions of one province that is a change.
    let text = guohe_policy::BUILTIN_SOURCES[1].1;
    let changed = text.replacen(
        "annual_report: { article: \"22(2)\"",
        "annual_report: { article: \"22(1)\"",
        1,
    );
    let v2 = guohe_policy::load::from_yaml(&changed, "hubei-v2.yaml").unwrap();
    let d = diff(builtin_policy("hubei-2022").unwrap(), &v2);
    assert_eq!(d.line("annual_report").unwrap().status, LineStatus::Changed);
    assert_eq!(d.difference_count(), 1);
}

#[test]
fn what_excellent_brings_and_the_post_subsidy_side_by_side() {
    // 湖南第十五条：优秀基地加大支持力度；湖北第二十五条：按一定比例评选优秀，给予建设经费后补助。
    let d = diff(
        builtin_policy("hunan-2026").unwrap(),
        builtin_policy("hubei-2022").unwrap(),
    );
    let e = d.line("evaluation_support.excellent").expect("what 优秀 brings");
    assert_eq!(e.status, LineStatus::Changed);
    assert!(e.a.as_ref().unwrap().value.contains("加大支持力度"));
    assert_eq!(e.a.as_ref().unwrap().articles[0].citation, "hunan-2026:15");
    assert_eq!(e.b.as_ref().unwrap().articles[0].citation, "hubei-2022:25");
    let s = d.line("post_subsidy").expect("post-subsidy line");
    assert_eq!(s.status, LineStatus::OnlyB, "Hunan provides no post-subsidy");
    assert!(s.b.as_ref().unwrap().value.contains("20%（向下取整）"), "{:?}", s.b);
}
