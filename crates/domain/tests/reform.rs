//! Reform what-if (`guohe_domain::reform::what_if`): a draft of the Hubei policy re-checks the
//! open round's applications and replays the bases, and reports only what changes, with the
//! articles of both sides.

use crate::common;

use common::*;
use guohe_domain::reform::what_if;
use guohe_policy::load::from_yaml;
use serde_json::json;

const HUBEI_YAML: &str = include_str!("../../../policies/hubei-2022.yaml");

/// The Hubei policy with its text edited as a drafter would.
fn draft(edits: &[(&str, &str)]) -> guohe_policy::Policy {
    let mut text = HUBEI_YAML.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "the policy text has `{from}`");
        text = text.replacen(from, to, 1);
    }
    from_yaml(&text, "draft.yaml").unwrap_or_else(|e| panic!("{e}"))
}

/// A named base B1, and an application A2 in an open round whose R&D ratio is 4.57% over the
/// three complete years (6,300,000 / 138,000,000) with a latest revenue of 50,000,000.
fn world() -> Sim {
    let mut s = Sim::new();
    s.name_bases("hubei-2022", &[("A1", "B1", hubei_facts(1, "李明", "光电子信息"))]);
    s.open_round("hubei-2022", "R2", "2026-11-01", "2026-12-31");
    let mut facts = hubei_facts(2, "王芳", "生物医药");
    for (i, rd) in [2_000_000, 2_100_000, 2_200_000].iter().enumerate() {
        set(&mut facts, &format!("/unit/finance/{i}/rd_expense"), json!(rd));
    }
    s.ok(
        "2026-11-10",
        "unit:applicant",
        json!({"type": "SubmitApplication", "id": "A2", "round": "R2", "facts": facts}),
    );
    s
}

#[test]
fn the_policy_itself_changes_nothing() {
    let s = world();
    let current = s.policies.get("hubei-2022").unwrap();
    let r = what_if(&s.world, current, current, d("2026-11-20"));
    assert_eq!(r.applications_checked, 1);
    assert_eq!(r.bases_replayed, 1);
    assert!(r.applications.is_empty(), "{:#?}", r.applications);
    assert!(r.bases.is_empty(), "{:#?}", r.bases);
}

#[test]
fn a_lower_rd_ratio_makes_the_application_eligible_citing_both_articles() {
    // 鄂科技规〔2022〕6号 第十条第（四）项: R&D expense of at least 5% of sales revenue (≤ 50M).
    let s = world();
    let current = s.policies.get("hubei-2022").unwrap();
    let d4 = draft(&[(
        r#"{ up_to: 50000000, min_ratio: "5%" }"#,
        r#"{ up_to: 50000000, min_ratio: "4%" }"#,
    )]);
    let r = what_if(&s.world, current, &d4, d("2026-11-20"));
    assert_eq!(r.applications.len(), 1, "{:#?}", r.applications);
    let a = &r.applications[0];
    assert_eq!((a.application.as_str(), a.round.as_str()), ("A2", "R2"));
    assert_eq!(a.current, "不符合申报条件");
    assert_ne!(a.draft, "不符合申报条件", "{a:#?}");
    let rule = a
        .rules
        .iter()
        .find(|c| c.rule == "enterprise.rd_ratio")
        .expect("the R&D rule changes");
    let (cur, new) = (rule.current.as_ref().unwrap(), rule.draft.as_ref().unwrap());
    assert_eq!(cur.value, "不符合");
    assert_eq!(new.value, "符合");
    assert_eq!(cur.articles, vec!["hubei-2022:10.4"]);
    assert_eq!(cur.articles_zh, vec!["第十条第（四）项"]);
    assert_eq!(cur.articles, new.articles);
    assert!(
        rule.reason_zh.contains("4.57%") && rule.reason_zh.contains("不低于 4%"),
        "the draft's reason shows the ratio: {}",
        rule.reason_zh
    );
    // Nothing else changes: the bases are replayed under the same deadlines.
    assert!(r.bases.is_empty(), "{:#?}", r.bases);
}

#[test]
fn a_later_report_deadline_and_a_shorter_cycle_move_the_bases_due_dates() {
    // 第二十二条第二款: reports by 15 January; 第二十四条: evaluation every 3 years.
    let s = world();
    let current = s.policies.get("hubei-2022").unwrap();
    let d2 = draft(&[
        ("due_month: 1, due_day: 15", "due_month: 3, due_day: 31"),
        ("    every_years: 3", "    every_years: 2"),
    ]);
    let r = what_if(&s.world, current, &d2, d("2026-11-20"));
    assert!(r.applications.is_empty(), "{:#?}", r.applications);
    let topic = |t: &str| {
        r.bases
            .iter()
            .find(|b| b.topic == t)
            .unwrap_or_else(|| panic!("{t} in {:#?}", r.bases))
    };
    let report = topic("下次年度报告截止日");
    assert_eq!(report.base, "B1");
    assert_eq!(
        (report.current.value.as_str(), report.draft.value.as_str()),
        ("2027-01-15", "2027-03-31")
    );
    assert_eq!(report.current.articles, vec!["hubei-2022:22(2)"]);
    assert_eq!(report.current.articles_zh, vec!["第二十二条第二款"]);
    let eval = topic("下次评估日期");
    assert_eq!(
        (eval.current.value.as_str(), eval.draft.value.as_str()),
        ("2029-06-10", "2028-06-10")
    );
    assert_eq!(eval.draft.articles, vec!["hubei-2022:24"]);
}

#[test]
fn a_harsher_consequence_is_reported_for_the_grades_already_given() {
    // 第二十八条: two consecutive 不合格 terminate; a draft that terminates after one.
    let mut s = world();
    s.report("B1", 2026, "2027-01-10");
    s.assess("B1", 2026, "unqualified", "2027-02-01");
    let current = s.policies.get("hubei-2022").unwrap();
    let harsh = draft(&[(
        "consecutive_annual: { grade: unqualified, years: 2 }",
        "consecutive_annual: { grade: unqualified, years: 1 }",
    )]);
    let r = what_if(&s.world, current, &harsh, d("2027-02-02"));
    let c = r
        .bases
        .iter()
        .find(|b| b.topic.starts_with("2026 年度考核"))
        .unwrap_or_else(|| panic!("{:#?}", r.bases));
    assert_eq!(c.current.value, "无后果");
    assert!(c.draft.value.contains("终止"), "{c:#?}");
    assert!(
        c.draft.articles.iter().any(|a| a.starts_with("hubei-2022:28")),
        "{c:#?}"
    );
}
