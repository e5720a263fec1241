//! Scenario tests for 湖南省科学技术厅国际科技合作基地管理办法（湘科发〔2026〕27号）: every
//! computed condition of 第五—八条 (and 第二、十六、二十一、二十三条) on both sides of its threshold.

use crate::common;

use common::*;
use guohe_policy::{CheckError, Status::*, Verdict};
use serde_json::{Value, json};

fn hunan() -> Value {
    base(HUNAN)
}

fn with_category(c: &str) -> Value {
    let mut a = hunan();
    set(&mut a, "/category", json!(c));
    a
}

#[test]
fn the_example_joint_research_enterprise_needs_review_only() {
    let r = check(&hunan());
    assert_verdict(&r, Verdict::NeedsReview);
    assert_rule(&r, "joint_research.rd_ratio", Pass, "hunan-2026:6.2");
    assert_rule(&r, "joint_research.capability", Review, "hunan-2026:6.1");
    assert_rule(&r, "technology_transfer.projects", NotApplicable, "hunan-2026:7.2");
    assert_rule(&r, "distinctive.track_record", NotApplicable, "hunan-2026:8.1");
}

/// 第二条：以省内企业、高等院校、科研院所、新型研发机构等创新主体为依托单位。
#[test]
fn art_2_unit_in_province() {
    let mut a = hunan();
    set(&mut a, "/unit/registered_in_province", json!(false));
    assert_rule(&check(&a), "unit.in_province", Fail, "hunan-2026:2");
}

/// 第五条第1项：具有独立法人资质；近3年无不良信用记录。
#[test]
fn art_5_1_legal_person_and_credit() {
    let mut a = hunan();
    set(&mut a, "/unit/independent_legal_person", json!(false));
    assert_rule(&check(&a), "unit.legal_person", Fail, "hunan-2026:5.1");

    let mut a = hunan();
    // Application 2026-04-20: a record of 2023-04-21 is inside 近3年, 2023-04-20 is not.
    set(&mut a, "/unit/bad_credit_records", json!([{ "date": "2023-04-21" }]));
    assert_rule(&check(&a), "unit.credit", Fail, "hunan-2026:5.1");
    set(&mut a, "/unit/bad_credit_records", json!([{ "date": "2023-04-20" }]));
    assert_rule(&check(&a), "unit.credit", Pass, "hunan-2026:5.1");
}

/// 第五条第4项：管理制度 — declared, and backed by an attachment.
#[test]
fn art_5_4_management_systems_attested() {
    let mut a = hunan();
    set(&mut a, "/unit/management_systems/human_genetic_resources", json!(false));
    assert_rule(&check(&a), "unit.management_systems", Fail, "hunan-2026:5.4");
    let mut a = hunan();
    set(&mut a, "/attachments", json!([]));
    assert_rule(&check(&a), "unit.management_systems", Fail, "hunan-2026:5.4");
}

/// 第二十一条：与港澳台地区开展科技创新合作的基地参照本办法执行.
#[test]
fn art_21_hong_kong_macao_taiwan_partners_are_allowed() {
    for code in ["HK", "MO", "TW"] {
        let mut a = hunan();
        set(&mut a, "/primary_partner/country", json!(code));
        assert_rule(&check(&a), "partner.outside_mainland", Pass, "hunan-2026:21");
    }
}

/// 第十六条：取消资格后5年内不得重新申请 (the register supplies the date).
#[test]
fn art_16_banned_unit_cannot_apply() {
    let mut a = hunan();
    set(&mut a, "/registry/unit_banned_until", json!("2026-04-21"));
    assert_rule(&check(&a), "registry.not_banned", Fail, "hunan-2026:16");
    assert_verdict(&check(&a), Verdict::Ineligible);
    set(&mut a, "/registry/unit_banned_until", json!("2026-04-20"));
    assert_rule(&check(&a), "registry.not_banned", Pass, "hunan-2026:16");
}

/// 第六条第1项：承担过省级以上合作计划项目、外国专家项目，或形成标志性跨境合作技术成果。
#[test]
fn art_6_1_joint_research_track_record() {
    let project = |level: &str, kind: &str| json!([{ "name": "p", "level": level, "kind": kind, "role": "participant", "start_date": "2015-01-01", "end_date": "2016-01-01" }]);
    let mut a = hunan();
    set(
        &mut a,
        "/unit/international_projects",
        project("municipal", "cooperation"),
    );
    assert_rule(&check(&a), "joint_research.track_record", Fail, "hunan-2026:6.1");
    set(
        &mut a,
        "/unit/international_projects",
        project("provincial", "exchange"),
    );
    assert_rule(&check(&a), "joint_research.track_record", Fail, "hunan-2026:6.1");
    // No window in 第六条: an old provincial foreign-expert project counts.
    set(
        &mut a,
        "/unit/international_projects",
        project("provincial", "foreign_expert"),
    );
    assert_rule(&check(&a), "joint_research.track_record", Pass, "hunan-2026:6.1");
    set(&mut a, "/unit/international_projects", json!([]));
    set(
        &mut a,
        "/unit/landmark_results",
        json!([{ "name": "r", "date": "2020-01-01" }]),
    );
    assert_rule(&check(&a), "joint_research.track_record", Pass, "hunan-2026:6.1");
}

/// 第六条第2项：依托企业建立的，近3年研发费用占比不低于高新技术企业认定标准.
#[test]
fn art_6_2_rd_ratio_for_enterprises_only() {
    let mut a = hunan();
    // Latest revenue exactly 50 million: held to 5%. 2.6m+2.4m+2.1m = 7.1m over 132m = 5.38%.
    assert_rule(&check(&a), "joint_research.rd_ratio", Pass, "hunan-2026:6.2");
    set(&mut a, "/unit/finance/0/rd_expense", json!(1000000));
    // 6.0m / 132m = 4.55% < 5%.
    assert_rule(&check(&a), "joint_research.rd_ratio", Fail, "hunan-2026:6.2");
    set(&mut a, "/unit/finance/2/sales_revenue", json!("50000000.01"));
    // Above 50 million the standard is 4%: 4.55% passes.
    assert_rule(&check(&a), "joint_research.rd_ratio", Pass, "hunan-2026:6.2");
    let mut a = hunan();
    set(&mut a, "/unit/kind", json!("university"));
    assert_rule(&check(&a), "joint_research.rd_ratio", NotApplicable, "hunan-2026:6.2");
}

/// 第七条第2项：已成功实施的国际技术转移项目不少于3项。
#[test]
fn art_7_2_three_technology_transfers() {
    let transfers = |n: usize| -> Value {
        json!((0..n).map(|i| json!({ "name": format!("t{i}"), "kind": "licence", "completed_on": "2024-01-01", "country": "VN" })).collect::<Vec<_>>())
    };
    let mut a = with_category("technology_transfer");
    set(&mut a, "/unit/technology_transfers", transfers(3));
    let r = check(&a);
    assert_rule(&r, "technology_transfer.projects", Pass, "hunan-2026:7.2");
    assert_rule(&r, "technology_transfer.foundation", Review, "hunan-2026:7.1");
    assert_rule(&r, "joint_research.rd_ratio", NotApplicable, "hunan-2026:6.2");
    set(&mut a, "/unit/technology_transfers", transfers(2));
    assert_rule(&check(&a), "technology_transfer.projects", Fail, "hunan-2026:7.2");
}

/// 第八条第1项：原则上近5年承担过省级以上合作项目或组织举办重大国际活动。
#[test]
fn art_8_1_distinctive_track_record_in_five_years() {
    let mut a = with_category("distinctive");
    set(
        &mut a,
        "/unit/international_projects",
        json!([{ "name": "p", "level": "provincial", "kind": "exchange", "role": "lead", "start_date": "2019-01-01", "end_date": "2021-04-21" }]),
    );
    assert_rule(&check(&a), "distinctive.track_record", Pass, "hunan-2026:8.1");
    set(&mut a, "/unit/international_projects/0/end_date", json!("2021-04-20"));
    assert_rule(&check(&a), "distinctive.track_record", Fail, "hunan-2026:8.1");
    set(
        &mut a,
        "/unit/major_events_organised",
        json!([{ "name": "e", "date": "2022-05-01" }]),
    );
    assert_rule(&check(&a), "distinctive.track_record", Pass, "hunan-2026:8.1");
}

/// 第四条：三种类型 — the category is required and must be one of them.
#[test]
fn art_4_category_is_required() {
    let mut a = hunan();
    a.as_object_mut().unwrap().remove("category");
    let e = check_value(&a).unwrap_err();
    assert_eq!(e.path(), Some("category"));
    set(&mut a, "/category", json!("joint"));
    let e = check_value(&a).unwrap_err();
    assert!(e.message_zh().contains("joint_research"), "{}", e.message_zh());
}

/// 第二十三条：本办法自公布之日起施行，有效期5年.
#[test]
fn art_23_period_of_force() {
    let mut a = hunan();
    set(&mut a, "/application_date", json!("2026-02-12"));
    match check_value(&a).unwrap_err() {
        CheckError::NotYetInForce { citation, .. } => assert_eq!(citation.to_string(), "hunan-2026:23"),
        other => panic!("{other:?}"),
    }
    set(&mut a, "/application_date", json!("2026-02-13"));
    assert!(check_value(&a).is_ok());
}

/// 第六条第2项 at exactly 5%: latest revenue 50 million (held to 5%), three-year revenue 132
/// million, R&D 6.6 million is exactly 5% and passes; a cent less fails.
#[test]
fn art_6_2_rd_ratio_at_exactly_five_percent() {
    let mut a = hunan();
    // 1.6m + 2.4m + 2.6m = 6.6m over 38m + 44m + 50m = 132m.
    set(&mut a, "/unit/finance/0/rd_expense", json!(1600000));
    assert_rule(&check(&a), "joint_research.rd_ratio", Pass, "hunan-2026:6.2");
    set(&mut a, "/unit/finance/0/rd_expense", json!("1599999.99"));
    assert_rule(&check(&a), "joint_research.rd_ratio", Fail, "hunan-2026:6.2");
}

/// 第二十三条：five years from 2026-02-13, so 2031-02-12 is the last day an application is
/// checked under this regulation and 2031-02-13 is refused as expired.
#[test]
fn art_23_last_day_of_force() {
    let mut a = hunan();
    set(&mut a, "/unit/finance/0/year", json!(2028));
    set(&mut a, "/unit/finance/1/year", json!(2029));
    set(&mut a, "/unit/finance/2/year", json!(2030));
    set(&mut a, "/application_date", json!("2031-02-12"));
    assert!(check_value(&a).is_ok(), "{:?}", check_value(&a).err());
    set(&mut a, "/application_date", json!("2031-02-13"));
    let e = check_value(&a).unwrap_err();
    assert!(matches!(e, CheckError::Expired { .. }), "{e:?}");
    assert!(e.message_zh().contains("hunan-2026:23"), "{}", e.message_zh());
}
