//! Arithmetic in the condition language: exact decimals, and a division by zero that is a clear
//! outcome of the rule, never a panic.
//!
//! The scenarios rewrite 鄂科技规〔2022〕6号 第十条第（三）项 (中外联合发表相关领域高水平论文不少于
//! 3篇…) as a policy author would write a rule "on average at least 2 joint papers a year over 3
//! years", without reducing it by hand to a total of 6.

use crate::common;

use common::*;
use guohe_policy::{Application, Policy, Status, eval::Prepared, evaluate, load::from_yaml};
use serde_json::{Value, json};

const HUBEI_YAML: &str = include_str!("../../../policies/hubei-2022.yaml");
const JOINT_OUTPUT: &str = "      any:
        - at_least:
            value:
              count: { list: unit.joint_papers, where: { item: high_level } }";

/// The Hubei policy with the condition of `academic.joint_output` replaced.
fn policy_with(condition: &str) -> Policy {
    let start = HUBEI_YAML.find(JOINT_OUTPUT).expect("the joint-output rule");
    let end = start
        + HUBEI_YAML[start..]
            .find("  # ---- 第十条第（四）项")
            .expect("next rule");
    let text = format!("{}{}\n{}", &HUBEI_YAML[..start], condition, &HUBEI_YAML[end..]);
    from_yaml(&text, "arithmetic.yaml").unwrap_or_else(|e| panic!("{e}"))
}

fn university(papers: &[&str]) -> Value {
    let mut a = base(HUBEI);
    set(&mut a, "/unit/kind", json!("university"));
    set(&mut a, "/unit/joint_lab_or_mechanism", json!(true));
    let p: Vec<Value> = papers
        .iter()
        .enumerate()
        .map(|(i, d)| json!({ "name": format!("paper {i}"), "date": d, "high_level": true }))
        .collect();
    set(&mut a, "/unit/joint_papers", json!(p));
    a
}

fn finding(policy: &Policy, app: &Value) -> (Status, String, String) {
    let app = Application::parse(&app.to_string()).unwrap();
    let prepared = Prepared::new(policy, app, None).unwrap();
    let date = prepared.application.application_date;
    let e = evaluate(policy, &prepared, date).unwrap();
    let r = e.report();
    let f = r
        .findings
        .into_iter()
        .find(|f| f.rule == "academic.joint_output")
        .unwrap();
    (f.status, f.reason_zh, f.reason_en)
}

const AVERAGE_PER_YEAR: &str = "      at_least:
        value:
          divide:
            - count: { list: unit.joint_papers, within: { years: 3, date_field: date }, where: { item: high_level } }
            - 3
          label: { zh: 近3年年均中外联合发表高水平论文数, en: high-level joint papers a year over 3 years }
        min: 2";

#[test]
fn an_average_per_year_is_divided_exactly() {
    let p = policy_with(AVERAGE_PER_YEAR);
    // 6 papers in 3 years: 2 a year.
    let six = [
        "2023-06-01",
        "2023-09-01",
        "2024-03-01",
        "2024-05-01",
        "2025-01-10",
        "2025-02-01",
    ];
    let (s, zh, _) = finding(&p, &university(&six));
    assert_eq!(s, Status::Pass, "{zh}");
    // 5 papers: 1.67 a year — shown with the digits that make it fall short.
    let (s, zh, en) = finding(&p, &university(&six[..5]));
    assert_eq!(s, Status::Fail, "{zh}");
    assert!(
        zh.contains("近3年年均中外联合发表高水平论文数为1.67，要求不少于2"),
        "{zh}"
    );
    assert!(en.contains("is 1.67, at least 2 required"), "{en}");
}

#[test]
fn a_division_by_zero_fails_the_rule_and_says_so() {
    // Papers per joint academic event: with no events the ratio cannot be computed.
    let p = policy_with(
        "      at_least:
        value:
          divide:
            - count: { list: unit.joint_papers }
            - count: { list: unit.joint_academic_events }
        min: 1",
    );
    let (s, zh, en) = finding(&p, &university(&["2024-01-01"]));
    assert_eq!(s, Status::Fail, "{zh}");
    assert!(zh.contains("无法计算：除数为零"), "{zh}");
    assert!(en.contains("division by zero"), "{en}");
    // Under `not`, an undefined value still fails: it is not a reason to pass.
    let p = policy_with(
        "      not:
        at_most:
          value: { average: { list: unit.finance, field: rd_expense, where: { at_least: { value: { item: year }, min: 2100 } } } }
          max: 0",
    );
    let (s, zh, _) = finding(&p, &university(&["2024-01-01"]));
    assert_eq!(s, Status::Fail, "{zh}");
    assert!(zh.contains("平均值无法计算"), "{zh}");
}

#[test]
fn add_subtract_multiply_average() {
    // (papers + 1) × 2 − 2 ≥ 6 ⇔ papers ≥ 3, and the average R&D expense of the example's
    // three years (2.3m, 2.5m, 2.7m) is 2.5m.
    let p = policy_with(
        "      all:
        - at_least:
            value:
              subtract:
                - multiply: [ { add: [ { count: { list: unit.joint_papers } }, 1 ] }, 2 ]
                - 2
            min: 6
        - equals:
            value: { average: { list: unit.finance, field: rd_expense } }
            to: 2500000",
    );
    let (s, zh, _) = finding(&p, &university(&["2024-01-01", "2024-02-01", "2024-03-01"]));
    assert_eq!(s, Status::Pass, "{zh}");
    let (s, zh, _) = finding(&p, &university(&["2024-01-01", "2024-02-01"]));
    assert_eq!(s, Status::Fail, "{zh}");
    assert!(
        zh.contains("（（中外联合发表论文数量＋1）×2）－2为4，要求不少于6"),
        "{zh}"
    );
}

#[test]
fn arithmetic_is_type_checked_at_load() {
    let text = HUBEI_YAML.replacen(
        "count: { list: unit.joint_papers, where: { item: high_level } }",
        "divide: [ { fact: unit.name }, 3 ]",
        1,
    );
    let e = from_yaml(&text, "bad.yaml").unwrap_err();
    assert!(
        e.path.contains("divide[0]") && e.reason.contains("expected a number"),
        "{e}"
    );
}
