//! 建设经费后补助 — Hubei 第二十五条 “省科技厅在综合绩效评估中按一定比例评选优秀的省国合基地，并给予
//! 一定金额的建设经费后补助” and 第二十六条 (the unit manages the money itself); Hunan 第十五条 only
//! says “优秀基地加大支持力度”, so an award under it is refused as not provided.

use crate::common;

use common::*;
use guohe_domain::*;
use serde_json::{Value, json};

/// 25 Hubei bases named (recognised) after the measures took effect, so all take the evaluation
/// (第二十四条); graded on 2026-09-01: HB-01…HB-07 优秀, the rest 合格.
fn hubei_evaluated() -> Sim {
    let mut s = Sim::new();
    for i in 1..=25u32 {
        s.ok(
            "2026-03-01",
            "dept:zhang",
            json!({"type": "CarryOverBase", "base_id": format!("HB-{i:02}"), "policy": "hubei-2022",
                   "official_name": format!("湖北省第{i}国际科技合作基地"), "unit_name": format!("单位{i}"),
                   "uscc": uscc(i), "domain": format!("领域{i}"), "director": format!("负责人{i}"),
                   "recognised_on": "2023-03-01"}),
        );
    }
    for i in 1..=25u32 {
        let grade = if i <= 7 { "excellent" } else { "qualified" };
        s.ok(
            "2026-09-01",
            "dept:zhang",
            json!({"type": "RecordEvaluation", "base": format!("HB-{i:02}"), "grade": grade}),
        );
    }
    s
}

fn award(doc: &str, bases: &[&str]) -> Value {
    let awards: Vec<Value> = bases.iter().map(|b| json!({"base": b, "amount_wan": "50"})).collect();
    json!({"type": "AwardPostSubsidies", "policy": "hubei-2022", "year": 2026, "document_number": doc,
           "issued_on": "2026-12-01", "awards": awards})
}

fn cites(r: &Refusal, c: &str) {
    assert_eq!(
        r.citation.as_ref().map(|x| x.to_string()).as_deref(),
        Some(c),
        "{} / {}",
        r.message_zh,
        r.message_en
    );
}

#[test]
fn hubei_25_share_boundary_five_of_twenty_five_allowed_six_refused() {
    let mut s = hubei_evaluated();
    // 按一定比例: 20% of the 25 bases evaluated in 2026, rounded down — 5.
    let six = ["HB-01", "HB-02", "HB-03", "HB-04", "HB-05", "HB-06"];
    let r = s.refused("2026-12-01", "dept:zhang", award("鄂科技函〔2026〕1号", &six));
    assert_eq!(r.code, RefusalCode::NotAllowed);
    assert_eq!(r.field.as_deref(), Some("awards"));
    assert!(
        r.message_zh.contains("评估了 25 个基地") && r.message_zh.contains("即 5 个"),
        "{}",
        r.message_zh
    );
    cites(&r, "hubei-2022:25");
    assert!(
        s.base("HB-01").post_subsidies.is_empty(),
        "a refused award writes nothing"
    );

    let evs = s.ok("2026-12-01", "dept:zhang", award("鄂科技函〔2026〕1号", &six[..5]));
    assert_eq!(evs.len(), 5);
    for e in &evs {
        assert_eq!(e.kind_name(), "PostSubsidyAwarded");
        assert!(e.cites("hubei-2022:25") && e.cites("hubei-2022:26"), "{:?}", e.articles);
        let EventKind::PostSubsidyAwarded(x) = &e.kind else {
            unreachable!()
        };
        assert_eq!((x.evaluated, x.limit, x.year), (25, 5, 2026));
        assert_eq!(e.stream, format!("base/{}", x.base));
    }
    // The share counts every award of the year: a sixth base by another document is refused.
    let r = s.refused("2026-12-02", "dept:zhang", award("鄂科技函〔2026〕2号", &["HB-06"]));
    assert_eq!(r.code, RefusalCode::NotAllowed);
    assert!(r.message_zh.contains("已给予 5 个"), "{}", r.message_zh);
    cites(&r, "hubei-2022:25");
}

#[test]
fn hubei_25_the_base_state_and_list_show_the_award() {
    let mut s = hubei_evaluated();
    s.ok(
        "2026-12-01",
        "dept:zhang",
        json!({"type": "AwardPostSubsidies", "policy": "hubei-2022", "year": 2026,
               "document_number": "鄂科技函〔2026〕1号", "issued_on": "2026-11-30",
               "awards": [{"base": "HB-02", "amount_wan": "80.5"}, {"base": "HB-01", "amount_wan": 100}]}),
    );
    let b = s.base("HB-02");
    assert_eq!(b.post_subsidies.len(), 1);
    let x = &b.post_subsidies[0].event;
    assert_eq!(x.amount_wan.to_string(), "80.5");
    assert_eq!(x.document_number, "鄂科技函〔2026〕1号");
    assert_eq!(x.issued_on, d("2026-11-30"));
    let list = s.world.post_subsidies(Some("hubei-2022"), Some(2026));
    let ids: Vec<&str> = list.iter().map(|(b, _)| b.id.as_str()).collect();
    assert_eq!(ids, ["HB-01", "HB-02"]);
    assert!(s.world.post_subsidies(None, Some(2025)).is_empty());
    assert_eq!(s.world.evaluated_in("hubei-2022", 2026).len(), 25);
}

#[test]
fn hubei_25_only_a_base_graded_excellent_that_year_qualifies() {
    let mut s = hubei_evaluated();
    let r = s.refused(
        "2026-12-01",
        "dept:zhang",
        award("鄂科技函〔2026〕1号", &["HB-01", "HB-08"]),
    );
    assert_eq!(r.code, RefusalCode::NotAllowed);
    assert_eq!(r.field.as_deref(), Some("awards[1].base"));
    assert!(
        r.message_zh.contains("合格") && r.message_zh.contains("不是优秀"),
        "{}",
        r.message_zh
    );
    cites(&r, "hubei-2022:25");
    // 2025 had no evaluation: HB-01's 优秀 of 2026 does not count for it.
    let mut v = award("鄂科技函〔2026〕1号", &["HB-01"]);
    v["year"] = json!(2025);
    let r = s.refused("2026-12-01", "dept:zhang", v);
    assert_eq!(r.field.as_deref(), Some("awards[0].base"));
    assert!(r.message_zh.contains("无评估结果"), "{}", r.message_zh);
}

#[test]
fn hubei_25_a_base_is_awarded_once_per_evaluation() {
    let mut s = hubei_evaluated();
    s.ok("2026-12-01", "dept:zhang", award("鄂科技函〔2026〕1号", &["HB-01"]));
    let r = s.refused("2026-12-01", "dept:zhang", award("鄂科技函〔2026〕2号", &["HB-01"]));
    assert_eq!(r.code, RefusalCode::AlreadyRecorded);
    assert!(r.message_zh.contains("鄂科技函〔2026〕1号"), "{}", r.message_zh);
    cites(&r, "hubei-2022:25");
    let r = s.refused(
        "2026-12-01",
        "dept:zhang",
        award("鄂科技函〔2026〕3号", &["HB-02", "HB-02"]),
    );
    assert_eq!(r.code, RefusalCode::Duplicate);
    assert_eq!(r.field.as_deref(), Some("awards[1].base"));
    // The same 文号 cannot be issued twice.
    let r = s.refused("2026-12-01", "dept:zhang", award("鄂科技函〔2026〕1号", &["HB-03"]));
    assert_eq!(r.code, RefusalCode::Duplicate);
    assert_eq!(r.field.as_deref(), Some("document_number"));
}

#[test]
fn hubei_25_amounts_are_exact_and_above_zero() {
    let mut s = hubei_evaluated();
    for (amount, why) in [
        (json!("0"), "大于零"),
        (json!("-5"), "大于零"),
        (json!("1.00001"), "精确到元"),
    ] {
        let mut v = award("鄂科技函〔2026〕1号", &["HB-01"]);
        v["awards"][0]["amount_wan"] = amount;
        let r = s.refused("2026-12-01", "dept:zhang", v);
        assert_eq!(r.code, RefusalCode::InvalidInput);
        assert_eq!(r.field.as_deref(), Some("awards[0].amount_wan"));
        assert!(r.message_zh.contains(why), "{}", r.message_zh);
        cites(&r, "hubei-2022:25");
    }
    // Typed text is read exactly, or refused naming the field.
    assert_eq!(parse_amount_wan("amount", " 1,234.5 ").unwrap().to_string(), "1234.5");
    let r = parse_amount_wan("awards[0].amount_wan", "五十").unwrap_err();
    assert_eq!(r.field.as_deref(), Some("awards[0].amount_wan"));
    assert!(r.message_zh.contains("不是数字"));
    // A malformed amount in the JSON command is not a command at all.
    let mut v = award("鄂科技函〔2026〕1号", &["HB-01"]);
    v["awards"][0]["amount_wan"] = json!("abc");
    assert!(serde_json::from_value::<Command>(v).is_err());
}

#[test]
fn hubei_25_a_base_off_the_register_or_unknown_is_refused() {
    let mut s = hubei_evaluated();
    // 第二十八条第（三）项: HB-07, graded 优秀, is terminated for misconduct before the award.
    s.ok(
        "2026-10-01",
        "dept:zhang",
        json!({"type": "RecordFinding", "case": "base/HB-07", "finding": "misconduct", "effective_on": "2026-10-01", "evidence": "调查报告"}),
    );
    let r = s.refused("2026-12-01", "dept:zhang", award("鄂科技函〔2026〕1号", &["HB-07"]));
    assert_eq!(r.code, RefusalCode::WrongState);
    assert_eq!(r.field.as_deref(), Some("awards[0].base"));
    cites(&r, "hubei-2022:25");
    let r = s.refused("2026-12-01", "dept:zhang", award("鄂科技函〔2026〕1号", &["HB-99"]));
    assert_eq!(r.code, RefusalCode::NotFound);
    cites(&r, "hubei-2022:25");
}

#[test]
fn hubei_25_only_the_department_awards_and_not_ahead_of_time() {
    let mut s = hubei_evaluated();
    let r = s.refused("2026-12-01", "unit:applicant", award("鄂科技函〔2026〕1号", &["HB-01"]));
    assert_eq!(r.code, RefusalCode::Forbidden);
    let mut v = award("鄂科技函〔2026〕1号", &["HB-01"]);
    v["issued_on"] = json!("2026-12-05");
    let r = s.refused("2026-12-01", "dept:zhang", v);
    assert_eq!(
        (r.code, r.field.as_deref()),
        (RefusalCode::DateOutOfOrder, Some("issued_on"))
    );
    let mut v = award(" ", &["HB-01"]);
    v["awards"] = json!([{"base": "HB-01", "amount_wan": "1"}]);
    let r = s.refused("2026-12-01", "dept:zhang", v);
    assert_eq!(r.field.as_deref(), Some("document_number"));
    let r = s.refused("2026-12-01", "dept:zhang", award("鄂科技函〔2026〕1号", &[]));
    assert_eq!(r.field.as_deref(), Some("awards"));
    assert!(
        command(award("x", &["HB-01"])).is_irreversible(),
        "an issued award is final"
    );
}

#[test]
fn hunan_15_provides_no_post_subsidy_and_says_what_excellent_brings() {
    let mut s = Sim::new();
    s.ok(
        "2026-03-01",
        "dept:li",
        json!({"type": "CarryOverBase", "base_id": "HN-01", "policy": "hunan-2026",
               "official_name": "湖南省第1国际科技合作基地", "unit_name": "单位1", "uscc": hunan_facts(1, "生物医药")["unit"]["uscc"],
               "domain": "生物医药", "category": "joint_research", "director": "负责人1", "recognised_on": "2026-03-01"}),
    );
    s.ok(
        "2026-09-01",
        "dept:li",
        json!({"type": "RecordEvaluation", "base": "HN-01", "grade": "excellent"}),
    );
    let r = s.refused(
        "2026-12-01",
        "dept:li",
        json!({"type": "AwardPostSubsidies", "policy": "hunan-2026", "year": 2026, "document_number": "湘科函〔2026〕1号",
               "issued_on": "2026-12-01", "awards": [{"base": "HN-01", "amount_wan": "50"}]}),
    );
    assert_eq!(r.code, RefusalCode::NotProvided);
    assert!(r.message_zh.contains("优秀基地加大支持力度"), "{}", r.message_zh);
    cites(&r, "hunan-2026:15");
    assert!(s.base("HN-01").post_subsidies.is_empty());
}
