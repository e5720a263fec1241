//! Scenario tests for 湖北省国际科技合作基地管理办法（鄂科技规〔2022〕6号）: every computed
//! condition of 第八—十二条 on both sides of its threshold.

use crate::common;

use common::*;
use guohe_policy::{CheckError, Status::*, Verdict};
use serde_json::{Value, json};

fn hubei() -> Value {
    base(HUBEI)
}

fn as_kind(kind: &str) -> Value {
    let mut a = hubei();
    set(&mut a, "/unit/kind", json!(kind));
    a
}

#[test]
fn the_example_enterprise_needs_expert_review_only() {
    let r = check(&hubei());
    assert_verdict(&r, Verdict::NeedsReview);
    assert_rule(&r, "unit.achievements", Review, "hubei-2022:8.3");
    assert_rule(&r, "park.enterprises", NotApplicable, "hubei-2022:10.1");
    assert_rule(&r, "enterprise.rd_ratio", Pass, "hubei-2022:10.4");
}

/// 第八条第（一）项：在湖北省境内依法登记注册、在有效存续期内的独立法人机构。
#[test]
fn art_8_1_registered_existing_legal_person() {
    for field in ["registered_in_province", "in_existence", "independent_legal_person"] {
        let mut a = hubei();
        set(&mut a, &format!("/unit/{field}"), json!(false));
        let r = check(&a);
        assert_rule(&r, "unit.registered_in_hubei", Fail, "hubei-2022:8.1");
        assert_verdict(&r, Verdict::Ineligible);
    }
}

/// 第八条第（一）项：近3年内无不良信用记录、无不良科研诚信记录。The window is
/// (application date − 3 years, application date]: a record of exactly three years ago is out.
#[test]
fn art_8_1_no_records_in_three_years() {
    for list in ["bad_credit_records", "integrity_records"] {
        let mut a = hubei();
        set(
            &mut a,
            &format!("/unit/{list}"),
            json!([{ "date": "2023-03-17", "description": "x" }]),
        );
        assert_rule(&check(&a), "unit.credit", Fail, "hubei-2022:8.1");
        set(
            &mut a,
            &format!("/unit/{list}"),
            json!([{ "date": "2023-03-16", "description": "x" }]),
        );
        assert_rule(&check(&a), "unit.credit", Pass, "hubei-2022:8.1");
    }
}

/// 第八条第（二）项：长期稳定的科技合作关系 — a declaration backed by the agreement.
#[test]
fn art_8_2_long_term_partner_attested() {
    let mut a = hubei();
    assert_rule(&check(&a), "unit.long_term_partners", Pass, "hubei-2022:8.2");
    set(&mut a, "/attachments", json!([]));
    let r = check(&a);
    assert_rule(&r, "unit.long_term_partners", Fail, "hubei-2022:8.2");
    let f = r.findings.iter().find(|f| f.rule == "unit.long_term_partners").unwrap();
    assert!(f.reason_zh.contains("缺少证明材料"), "{}", f.reason_zh);
    let mut a = hubei();
    set(&mut a, "/partner_institutions/0/agreement", json!(false));
    assert_rule(&check(&a), "unit.long_term_partners", Fail, "hubei-2022:8.2");
    set(&mut a, "/partner_institutions/0/agreement", json!(true));
    set(
        &mut a,
        "/partner_institutions/0/kind",
        json!("international_organisation"),
    );
    assert_rule(&check(&a), "unit.long_term_partners", Fail, "hubei-2022:8.2");
}

/// 第九条第（一）项：正式员工，正高级职称或同等研究能力，科研工作负责人。
#[test]
fn art_9_1_director_title() {
    let mut a = hubei();
    set(&mut a, "/director/title", json!("deputy_senior"));
    let r = check(&a);
    assert_rule(&r, "director.employee_and_title", Fail, "hubei-2022:9.1");
    // Codes are shown as the regulation's words.
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "director.employee_and_title")
        .unwrap();
    assert!(
        f.reason_zh.contains("副高级（deputy_senior）") && f.reason_zh.contains("正高级（senior）"),
        "{}",
        f.reason_zh
    );
    set(&mut a, "/director/equivalent_ability", json!(true));
    assert_rule(&check(&a), "director.employee_and_title", Pass, "hubei-2022:9.1");
    set(&mut a, "/director/formal_employee", json!(false));
    assert_rule(&check(&a), "director.employee_and_title", Fail, "hubei-2022:9.1");
}

/// 第九条第（二）项：负责人近3年内无不良记录。
#[test]
fn art_9_2_director_records() {
    let mut a = hubei();
    set(&mut a, "/director/integrity_records", json!([{ "date": "2025-01-01" }]));
    assert_rule(&check(&a), "director.credit", Fail, "hubei-2022:9.2");
    set(&mut a, "/director/integrity_records", json!([{ "date": "2022-01-01" }]));
    assert_rule(&check(&a), "director.credit", Pass, "hubei-2022:9.2");
}

/// 第九条第（三）项：近3年内以负责人身份承担过省（部）级及以上国际科技合作项目.
#[test]
fn art_9_3_director_led_project_in_window() {
    let project = |level: &str, role: &str, end: &str| json!([{ "name": "p", "level": level, "kind": "cooperation", "role": role, "start_date": "2019-01-01", "end_date": end }]);
    let mut a = hubei();
    set(
        &mut a,
        "/director/projects_led",
        project("provincial", "lead", "2023-03-17"),
    );
    assert_rule(&check(&a), "director.led_project", Pass, "hubei-2022:9.3");
    set(
        &mut a,
        "/director/projects_led",
        project("provincial", "lead", "2023-03-16"),
    );
    assert_rule(&check(&a), "director.led_project", Fail, "hubei-2022:9.3");
    set(
        &mut a,
        "/director/projects_led",
        project("municipal", "lead", "2025-01-01"),
    );
    assert_rule(&check(&a), "director.led_project", Fail, "hubei-2022:9.3");
    set(
        &mut a,
        "/director/projects_led",
        project("ministerial", "participant", "2025-01-01"),
    );
    assert_rule(&check(&a), "director.led_project", Fail, "hubei-2022:9.3");
    set(
        &mut a,
        "/director/projects_led",
        project("ministerial", "lead", "2025-01-01"),
    );
    assert_rule(&check(&a), "director.led_project", Pass, "hubei-2022:9.3");
}

fn park(n_qualifying: usize, n_other: usize, domains: &[&str]) -> Value {
    let mut a = as_kind("park_committee");
    let mut ents = Vec::new();
    for i in 0..n_qualifying {
        ents.push(
            json!({ "name": format!("企业{i}"), "high_tech_or_innovative": true, "international_cooperation": true }),
        );
    }
    for i in 0..n_other {
        ents.push(
            json!({ "name": format!("其他{i}"), "high_tech_or_innovative": true, "international_cooperation": false }),
        );
    }
    set(&mut a, "/unit/park_enterprises", json!(ents));
    set(&mut a, "/unit/park_industry_domains", json!(domains));
    a
}

/// 第十条第（一）项：聚焦1—2个产业领域，符合条件的入驻企业不少于10家。
#[test]
fn art_10_1_park_committee() {
    let r = check(&park(10, 0, &["光电子", "生物医药"]));
    assert_rule(&r, "park.enterprises", Pass, "hubei-2022:10.1");
    assert_rule(&r, "park.domains", Pass, "hubei-2022:10.1");
    assert_rule(&r, "enterprise.rd_ratio", NotApplicable, "hubei-2022:10.4");
    assert_rule(
        &check(&park(9, 5, &["光电子"])),
        "park.enterprises",
        Fail,
        "hubei-2022:10.1",
    );
    assert_rule(
        &check(&park(10, 0, &["a", "b", "c"])),
        "park.domains",
        Fail,
        "hubei-2022:10.1",
    );
    assert_rule(&check(&park(10, 0, &[])), "park.domains", Fail, "hubei-2022:10.1");
}

fn service(countries: &[&str], scope: &str, events_2025: usize, events_2024: usize) -> Value {
    let mut a = as_kind("technology_service");
    let orgs: Vec<Value> = countries
        .iter()
        .enumerate()
        .map(|(i, c)| json!({ "name": format!("机构{i}"), "country": c, "kind": "technology_transfer", "long_term": true, "scope": scope }))
        .collect();
    set(&mut a, "/unit/partner_organisations", json!(orgs));
    let mut events = Vec::new();
    for i in 0..events_2025 {
        events.push(
            json!({ "name": format!("活动{i}"), "date": format!("2025-{:02}-10", i % 12 + 1), "high_level": true }),
        );
    }
    for i in 0..events_2024 {
        events.push(json!({ "name": format!("旧活动{i}"), "date": "2024-06-01", "high_level": true }));
    }
    set(&mut a, "/unit/international_events", json!(events));
    a
}

const TEN: [&str; 10] = ["DE", "FR", "GB", "IT", "ES", "NL", "SE", "JP", "KR", "SG"];

/// 第十条第（二）项：与10个及以上不同国家（地区）的全国性（地区性）机构长期合作；每年不少于5场活动。
#[test]
fn art_10_2_technology_service_organisation() {
    let r = check(&service(&TEN, "national", 5, 0));
    assert_rule(&r, "service.partner_countries", Pass, "hubei-2022:10.2");
    assert_rule(&r, "service.events", Pass, "hubei-2022:10.2");
    // Nine countries fail.
    assert_rule(
        &check(&service(&TEN[..9], "national", 5, 0)),
        "service.partner_countries",
        Fail,
        "hubei-2022:10.2",
    );
    // Ten organisations in nine countries are still nine countries.
    let mut nine_twice = TEN[..9].to_vec();
    nine_twice.push("DE");
    assert_rule(
        &check(&service(&nine_twice, "regional", 5, 0)),
        "service.partner_countries",
        Fail,
        "hubei-2022:10.2",
    );
    // Local organisations do not count.
    assert_rule(
        &check(&service(&TEN, "local", 5, 0)),
        "service.partner_countries",
        Fail,
        "hubei-2022:10.2",
    );
    // Four events last year fail; events of the year before do not count for last year.
    assert_rule(
        &check(&service(&TEN, "national", 4, 3)),
        "service.events",
        Fail,
        "hubei-2022:10.2",
    );
}

fn academic() -> Value {
    let mut a = as_kind("university");
    set(
        &mut a,
        "/unit/international_projects",
        json!([{ "name": "p", "level": "provincial", "kind": "cooperation", "role": "lead", "start_date": "2024-01-01" }]),
    );
    set(&mut a, "/unit/joint_lab_or_mechanism", json!(true));
    set(
        &mut a,
        "/attachments",
        json!([{ "kind": "cooperation_agreement", "file": "a.pdf" }, { "kind": "joint_platform", "file": "lab.pdf" }]),
    );
    let papers: Vec<Value> = (0..3)
        .map(|i| json!({ "name": format!("paper {i}"), "date": "2024-01-01", "high_level": true }))
        .collect();
    set(&mut a, "/unit/joint_papers", json!(papers));
    a
}

/// 第十条第（三）项：近3年承担省级及以上项目；联合实验室或联合研究机制；论文或活动不少于3。
#[test]
fn art_10_3_university_or_institute() {
    let r = check(&academic());
    assert_rule(&r, "academic.project", Pass, "hubei-2022:10.3");
    assert_rule(&r, "academic.joint_platform", Pass, "hubei-2022:10.3");
    assert_rule(&r, "academic.joint_output", Pass, "hubei-2022:10.3");
    assert_verdict(&r, Verdict::NeedsReview);

    let mut a = academic();
    set(&mut a, "/unit/international_projects/0/start_date", json!("2019-01-01"));
    set(&mut a, "/unit/international_projects/0/end_date", json!("2022-12-31"));
    assert_rule(&check(&a), "academic.project", Fail, "hubei-2022:10.3");

    let mut a = academic();
    set(
        &mut a,
        "/attachments",
        json!([{ "kind": "cooperation_agreement", "file": "a.pdf" }]),
    );
    assert_rule(&check(&a), "academic.joint_platform", Fail, "hubei-2022:10.3");

    let mut a = academic();
    let two: Vec<Value> = (0..2)
        .map(|i| json!({ "name": format!("p{i}"), "date": "2024-01-01", "high_level": true }))
        .collect();
    set(&mut a, "/unit/joint_papers", json!(two.clone()));
    set(&mut a, "/unit/joint_academic_events", json!(two));
    assert_rule(&check(&a), "academic.joint_output", Fail, "hubei-2022:10.3");
    let three: Vec<Value> = (0..3)
        .map(|i| json!({ "name": format!("e{i}"), "date": "2024-01-01", "high_level": true }))
        .collect();
    set(&mut a, "/unit/joint_academic_events", json!(three));
    assert_rule(&check(&a), "academic.joint_output", Pass, "hubei-2022:10.3");
}

fn finance(latest_revenue: &str, latest_rd: &str) -> Value {
    // Two earlier years with the same ratio as needed; the band is chosen by the latest year.
    json!([
        { "year": 2023, "sales_revenue": 0, "rd_expense": 0 },
        { "year": 2024, "sales_revenue": 0, "rd_expense": 0 },
        { "year": 2025, "sales_revenue": latest_revenue.parse::<Value>().unwrap(), "rd_expense": latest_rd.parse::<Value>().unwrap() }
    ])
}

/// 第十条第（四）项 + 高新技术企业认定标准: ≤ 5000万元 (inclusive) → 5%; ≤ 2亿元 (inclusive) → 4%; above → 3%.
#[test]
fn art_10_4_rd_ratio_bands() {
    let cases = [
        ("50000000", "2500000", Pass),       // exactly 50m is held to 5%: 5.00% passes
        ("50000000", "2499999.99", Fail),    // just under 5%
        ("50000000.01", "2000000.01", Pass), // above 50m: 4% band
        ("50000000.01", "2000000", Fail),    // 3.99999…% in the 4% band
        ("200000000", "8000000", Pass),      // exactly 200m is held to 4%
        ("200000000", "7999999", Fail),
        ("200000001", "6000000.03", Pass), // above 200m: 3%
        ("200000001", "6000000", Fail),
        ("0", "0", Fail), // no revenue, no ratio
    ];
    for (revenue, rd, want) in cases {
        let mut a = hubei();
        set(&mut a, "/unit/finance", finance(revenue, rd));
        let r = check(&a);
        assert_rule(&r, "enterprise.rd_ratio", want, "hubei-2022:10.4");
    }
    // The ratio is over the three years' totals, not the latest year's.
    let mut a = hubei();
    set(
        &mut a,
        "/unit/finance",
        json!([
            { "year": 2023, "sales_revenue": 40000000, "rd_expense": 1000000 },
            { "year": 2024, "sales_revenue": 40000000, "rd_expense": 1000000 },
            { "year": 2025, "sales_revenue": 40000000, "rd_expense": 4000000 }
        ]),
    );
    // (1+1+4) / 120 = 5%.
    assert_rule(&check(&a), "enterprise.rd_ratio", Pass, "hubei-2022:10.4");
}

/// The three fiscal years before the application year must all be given.
#[test]
fn art_10_4_missing_fiscal_year_names_the_field() {
    let mut a = hubei();
    set(
        &mut a,
        "/unit/finance",
        json!([{ "year": 2024, "sales_revenue": 1, "rd_expense": 1 }, { "year": 2025, "sales_revenue": 1, "rd_expense": 1 }]),
    );
    let e = check_value(&a).unwrap_err();
    assert_eq!(e.path(), Some("unit.finance"));
    assert!(e.message_zh().contains("2023—2025"), "{}", e.message_zh());
}

/// 第十条第（四）项：国际研发中心或国际化研发团队；境外市场份额5%或相当订单。
#[test]
fn art_10_4_international_rd_and_market() {
    let mut a = hubei();
    set(&mut a, "/unit/international_rd_centre", json!(false));
    assert_rule(&check(&a), "enterprise.international_rd", Fail, "hubei-2022:10.4");
    set(&mut a, "/unit/international_rd_team", json!(true));
    assert_rule(&check(&a), "enterprise.international_rd", Pass, "hubei-2022:10.4");

    let mut a = hubei();
    set(&mut a, "/unit/overseas_market_share", json!("4.99%"));
    assert_rule(&check(&a), "enterprise.overseas_market", Fail, "hubei-2022:10.4");
    set(&mut a, "/unit/overseas_market_share", json!(0.05));
    assert_rule(&check(&a), "enterprise.overseas_market", Pass, "hubei-2022:10.4");
    set(&mut a, "/unit/overseas_market_share", json!(0.01));
    set(&mut a, "/unit/overseas_orders_equivalent", json!(true));
    assert_rule(&check(&a), "enterprise.overseas_market", Pass, "hubei-2022:10.4");
    // Neither the share nor the orders: the share is required, and the error says so.
    let mut a = hubei();
    a["unit"].as_object_mut().unwrap().remove("overseas_market_share");
    let e = check_value(&a).unwrap_err();
    assert_eq!(e.path(), Some("unit.overseas_market_share"));
    assert!(e.to_string().contains("hubei-2022:10.4"), "{e}");
}

/// 第十一条：国际组织可选择总部所在国家（地区）或主要合作项目所在国家（地区）。
#[test]
fn art_11_international_organisation_country() {
    let mut a = hubei();
    set(
        &mut a,
        "/primary_partner",
        json!({ "country": "FR", "organisation": { "name": "UNESCO", "headquarters_country": "FR", "country_basis": "headquarters" } }),
    );
    assert_rule(&check(&a), "partner.primary_country", Pass, "hubei-2022:11");
    set(&mut a, "/primary_partner/country", json!("KE"));
    assert_rule(&check(&a), "partner.primary_country", Fail, "hubei-2022:11");
    set(
        &mut a,
        "/primary_partner/organisation/country_basis",
        json!("project_location"),
    );
    assert_rule(&check(&a), "partner.primary_country", Pass, "hubei-2022:11");
}

/// 第十二条：同一技术领域仅1个有效命名的基地；同一自然人仅担任1个基地负责人。
#[test]
fn art_12_one_base_per_domain_and_director() {
    // 第十二条 has two paragraphs: 第一款 同一依托单位…同一技术领域方向仅允许1个有效命名的省国合基地;
    // 第二款 同一自然人原则上仅可以担任1个有效命名的省国合基地负责人. Each rule cites its own.
    let mut a = hubei();
    set(&mut a, "/registry/unit_holds_base_in_domain", json!(true));
    let r = check(&a);
    assert_rule(&r, "registry.one_base_per_domain", Fail, "hubei-2022:12(1)");
    assert_rule(&r, "registry.one_base_per_director", Pass, "hubei-2022:12(2)");
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "registry.one_base_per_domain")
        .unwrap();
    assert_eq!(f.article_zh, "第十二条第一款");
    let mut a = hubei();
    set(&mut a, "/registry/director_heads_base", json!(true));
    let r = check(&a);
    assert_rule(&r, "registry.one_base_per_director", Fail, "hubei-2022:12(2)");
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "registry.one_base_per_director")
        .unwrap();
    assert_eq!(f.article_zh, "第十二条第二款");
    let p = guohe_policy::builtin_policy("hubei-2022").unwrap();
    assert!(
        p.text(guohe_policy::ArticleRef::parse("12(2)").unwrap())
            .unwrap()
            .starts_with("同一自然人原则上仅可以担任")
    );
}

/// 第三十三条：本办法自发布之日起施行，有效期5年。
#[test]
fn art_33_applications_outside_the_period_of_force_are_refused() {
    let mut a = hubei();
    set(&mut a, "/application_date", json!("2022-08-24"));
    set(&mut a, "/director/projects_led/0/start_date", json!("2021-01-01"));
    match check_value(&a).unwrap_err() {
        CheckError::NotYetInForce { citation, .. } => assert_eq!(citation.to_string(), "hubei-2022:33"),
        other => panic!("{other:?}"),
    }
    set(&mut a, "/application_date", json!("2027-08-25"));
    let e = check_value(&a).unwrap_err();
    assert!(matches!(e, CheckError::Expired { .. }), "{e:?}");
    assert!(e.message_zh().contains("hubei-2022:33"), "{}", e.message_zh());
    // The last valid day.
    set(&mut a, "/application_date", json!("2027-08-24"));
    set(&mut a, "/unit/finance/0/year", json!(2024));
    set(&mut a, "/unit/finance/1/year", json!(2025));
    set(&mut a, "/unit/finance/2/year", json!(2026));
    assert!(check_value(&a).is_ok());
}

#[test]
fn reasons_name_the_figures() {
    let mut a = hubei();
    set(&mut a, "/unit/finance", finance("50000000", "2400000"));
    let r = check(&a);
    let f = r.findings.iter().find(|f| f.rule == "enterprise.rd_ratio").unwrap();
    assert!(
        f.reason_zh.contains("4.8%") && f.reason_zh.contains("5%"),
        "{}",
        f.reason_zh
    );
    assert!(f.reason_en.contains("4.8%"), "{}", f.reason_en);
    assert!(f.facts.iter().any(|u| u.path == "unit.finance"), "{:?}", f.facts);
    let f = r.findings.iter().find(|f| f.rule == "director.led_project").unwrap();
    assert_eq!(f.article_zh, "第九条第（三）项");
}

/// A reason shows the ratio it failed on with the digits that explain the failure: 7,499,999 /
/// 150,000,000 is 4.9999993%, not a rounded 5% next to 不符合 (第十条第（四）项).
#[test]
fn ratios_are_not_rounded_into_the_bound() {
    let mut a = hubei();
    set(
        &mut a,
        "/unit/finance",
        json!([
            { "year": 2023, "sales_revenue": 50000000, "rd_expense": 2500000 },
            { "year": 2024, "sales_revenue": 50000000, "rd_expense": 2500000 },
            { "year": 2025, "sales_revenue": 50000000, "rd_expense": 2499999 }
        ]),
    );
    let r = check(&a);
    assert_rule(&r, "enterprise.rd_ratio", Fail, "hubei-2022:10.4");
    let f = r.findings.iter().find(|f| f.rule == "enterprise.rd_ratio").unwrap();
    assert!(
        f.reason_zh.contains("比例为 4.9999993%") && f.reason_zh.contains("不低于 5%"),
        "{}",
        f.reason_zh
    );
    assert!(f.reason_en.contains("= 4.9999993%"), "{}", f.reason_en);
}

/// 第九条第（二）项 at the edge of its window: 近3年内 is (申报日期−3年, 申报日期] (reading
/// `lookback_from_application_date`); the example applies on 2026-03-16.
#[test]
fn art_9_2_director_records_at_the_window_edge() {
    let mut a = hubei();
    // Exactly three years before: outside the window.
    set(&mut a, "/director/integrity_records", json!([{ "date": "2023-03-16" }]));
    assert_rule(&check(&a), "director.credit", Pass, "hubei-2022:9.2");
    // The next day: inside.
    set(&mut a, "/director/integrity_records", json!([{ "date": "2023-03-17" }]));
    assert_rule(&check(&a), "director.credit", Fail, "hubei-2022:9.2");
    // The application day itself: inside.
    set(&mut a, "/director/integrity_records", json!([{ "date": "2026-03-16" }]));
    assert_rule(&check(&a), "director.credit", Fail, "hubei-2022:9.2");
}

/// 第十条第（三）项：近3年内承担过省级及以上国际科技合作项目, at the edge: a project that ended
/// exactly three years before the application date did not run in the window; one that ended
/// the day after did.
#[test]
fn art_10_3_project_window_edge() {
    let mut a = academic();
    set(&mut a, "/unit/international_projects/0/start_date", json!("2020-01-01"));
    set(&mut a, "/unit/international_projects/0/end_date", json!("2023-03-16"));
    assert_rule(&check(&a), "academic.project", Fail, "hubei-2022:10.3");
    set(&mut a, "/unit/international_projects/0/end_date", json!("2023-03-17"));
    assert_rule(&check(&a), "academic.project", Pass, "hubei-2022:10.3");
}
