//! Bad input gets a clear error naming the field.

use crate::common;

use common::*;
use guohe_policy::Application;
use serde_json::json;

fn err(text: &str) -> guohe_policy::FactError {
    Application::parse(text).unwrap_err()
}

#[test]
fn malformed_json_says_where() {
    let e = err("{\"policy\": \"hubei-2022\",");
    assert!(e.message_zh.contains("JSON 格式错误"), "{}", e.message_zh);
    assert!(e.message_en.contains("line 1"), "{}", e.message_en);
}

#[test]
fn wrong_type_names_the_field() {
    let mut a = base(HUBEI);
    set(&mut a, "/unit/independent_legal_person", json!("yes"));
    let e = err(&a.to_string());
    assert_eq!(e.path, "unit.independent_legal_person");
    assert!(e.message_en.contains("expected a boolean"), "{}", e.message_en);

    let mut a = base(HUBEI);
    set(&mut a, "/unit/finance/1/sales_revenue", json!("lots"));
    assert_eq!(err(&a.to_string()).path, "unit.finance[1].sales_revenue");

    let mut a = base(HUBEI);
    set(&mut a, "/application_date", json!("2026-13-01"));
    assert_eq!(err(&a.to_string()).path, "application_date");
}

#[test]
fn missing_required_fact_names_it() {
    let mut a = base(HUBEI);
    a["unit"].as_object_mut().unwrap().remove("uscc");
    let e = err(&a.to_string());
    assert_eq!(e.path, "unit");
    assert!(
        e.message_zh.contains("缺少必填项") && e.message_zh.contains("uscc"),
        "{}",
        e.message_zh
    );
}

#[test]
fn unknown_fields_and_values_are_refused() {
    let mut a = base(HUBEI);
    set(&mut a, "/unit/independant_legal_person", json!(true));
    let e = err(&a.to_string());
    assert!(e.message_en.contains("unknown field"), "{}", e.message_en);

    let mut a = base(HUBEI);
    set(&mut a, "/director/title", json!("professor"));
    let e = err(&a.to_string());
    assert_eq!(e.path, "director.title");
}

#[test]
fn invalid_unified_social_credit_code() {
    let mut a = base(HUBEI);
    set(&mut a, "/unit/uscc", json!("91350211M00013FA1N"));
    let e = err(&a.to_string());
    assert_eq!(e.path, "unit.uscc");
    assert!(e.message_zh.contains("校验码"), "{}", e.message_zh);
    set(&mut a, "/unit/uscc", json!("1234"));
    assert_eq!(err(&a.to_string()).path, "unit.uscc");
}

#[test]
fn countries_must_be_iso_codes_outside_the_mainland() {
    let mut a = base(HUBEI);
    set(&mut a, "/primary_partner/country", json!("XX"));
    assert_eq!(err(&a.to_string()).path, "primary_partner.country");
    let mut a = base(HUBEI);
    set(&mut a, "/partner_institutions/0/country", json!("CN"));
    let e = err(&a.to_string());
    assert!(e.message_zh.contains("港澳台"), "{}", e.message_zh);
    let mut a = base(HUBEI);
    set(&mut a, "/partner_institutions/0/country", json!("Germany"));
    assert_eq!(err(&a.to_string()).path, "partner_institutions[0].country");
}

/// 鄂科技规〔2022〕6号 第十一条 asks for a primary partner outside the mainland; a partner of CN
/// is accepted as a fact and refused by that rule, with its article — not as bad input.
#[test]
fn a_mainland_primary_partner_fails_its_rule_with_the_article() {
    let mut a = base(HUBEI);
    set(&mut a, "/primary_partner/country", json!("CN"));
    let r = check(&a);
    let f = r
        .findings
        .iter()
        .find(|f| f.status == guohe_policy::Status::Fail)
        .expect("a failing rule");
    assert!(f.article.starts_with("hubei-2022:11"), "{}", f.article);
    assert!(
        f.reason_zh.contains("中国（CN）") && f.reason_zh.contains("不应为"),
        "{}",
        f.reason_zh
    );
    assert_eq!(r.verdict, guohe_policy::Verdict::Ineligible);
}

/// GB 32100: registration authority 9 and category 2 is a 个体工商户 — not an independent legal
/// person, so not a support unit (Hubei 第八条第（一）项, Hunan 第五条); the code itself is valid.
#[test]
fn an_individual_business_cannot_be_a_support_unit() {
    assert!(guohe_reference::uscc::is_valid("92420100MA4K0Q1XXG"));
    let mut a = base(HUBEI);
    set(&mut a, "/unit/uscc", json!("92420100MA4K0Q1XXG"));
    let e = err(&a.to_string());
    assert_eq!(e.path, "unit.uscc");
    assert!(
        e.message_zh.contains("个体工商户") && e.message_zh.contains("独立法人"),
        "{}",
        e.message_zh
    );
    assert!(e.message_en.contains("individual business"), "{}", e.message_en);
}

#[test]
fn other_shape_checks() {
    let mut a = base(HUBEI);
    set(&mut a, "/unit/region_code", json!("4201"));
    assert_eq!(err(&a.to_string()).path, "unit.region_code");
    let mut a = base(HUBEI);
    set(&mut a, "/technology_domain", json!("  "));
    assert_eq!(err(&a.to_string()).path, "technology_domain");
    let mut a = base(HUBEI);
    set(&mut a, "/unit/finance/1/year", json!(2023));
    assert_eq!(err(&a.to_string()).path, "unit.finance");
    let mut a = base(HUBEI);
    set(&mut a, "/unit/finance/1/rd_expense", json!(-1));
    assert_eq!(err(&a.to_string()).path, "unit.finance[1]");
}

#[test]
fn policy_specific_codes_are_checked() {
    // A Hubei application cannot carry a Hunan category.
    let mut a = base(HUBEI);
    set(&mut a, "/category", json!("joint_research"));
    let e = check_value(&a).unwrap_err();
    assert_eq!(e.path(), Some("category"));
    let mut a = base(HUBEI);
    set(&mut a, "/unit/kind", json!("new_rd_institution"));
    let e = check_value(&a).unwrap_err();
    assert_eq!(e.path(), Some("unit.kind"));
}
