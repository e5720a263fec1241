//! Bad input gets a clear error naming the field.

mod common;

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
    set(&mut a, "/primary_partner/country", json!("CN"));
    let e = err(&a.to_string());
    assert!(e.message_zh.contains("港澳台"), "{}", e.message_zh);
    let mut a = base(HUBEI);
    set(&mut a, "/partner_institutions/0/country", json!("Germany"));
    assert_eq!(err(&a.to_string()).path, "partner_institutions[0].country");
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
