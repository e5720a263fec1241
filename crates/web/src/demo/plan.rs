//! The demo's history as dated commands: rounds, applications, reviews, notices, namings and
//! the lives of the bases, each step run through the application service by [`super::seed`].

use super::people::{EXPERTS, province_of_unit, recommenders};
use super::*;

pub(super) struct Step {
    pub(super) on: NaiveDate,
    pub(super) actor: String,
    pub(super) cmd: Value,
}

#[derive(Default)]
pub(super) struct Plan {
    pub(super) steps: Vec<Step>,
}

impl Plan {
    fn at(&mut self, on: NaiveDate, actor: &str, cmd: Value) {
        self.steps.push(Step {
            on,
            actor: actor.into(),
            cmd,
        });
    }

    /// Submit → (recommend) → three experts → reviews → decision, from `start`.
    #[allow(clippy::too_many_arguments)]
    fn through_decision(
        &mut self,
        start: NaiveDate,
        policy: &str,
        round: &str,
        app: &str,
        f: Value,
        rec: Option<&str>,
        decide: Option<&str>,
        reviews: usize,
    ) {
        let login = UNITS
            .iter()
            .find(|u| f["unit"]["name"] == u.name)
            .map(|u| u.login)
            .unwrap_or("applicant");
        self.at(
            start,
            &format!("unit:{login}"),
            json!({"type": "SubmitApplication", "id": app, "round": round, "facts": f}),
        );
        if let Some(r) = rec {
            let name = recommenders()
                .into_iter()
                .find(|x| x.0 == r)
                .map(|x| x.1)
                .unwrap_or("推荐单位");
            self.at(start + Duration::days(7), &format!("recommender:{r}"), json!({"type": "RecommendApplication", "application": app, "recommender": name, "opinion": "经形式审查，材料齐全，同意推荐。"}));
        }
        if reviews == 0 && decide.is_none() {
            return;
        }
        let unit_uscc = f["unit"]["uscc"].as_str().unwrap_or("").to_string();
        let dept = if policy == "hunan-2026" {
            "dept:hn-dept"
        } else {
            "dept:hb-dept"
        };
        let province = if policy == "hunan-2026" { "43" } else { "42" };
        let experts: Vec<_> = EXPERTS
            .iter()
            .filter(|e| province_of_unit(e.2) == province && uscc_of(unit(e.2)) != unit_uscc)
            .take(3)
            .collect();
        for (login, _, u) in &experts {
            self.at(start + Duration::days(14), dept, json!({"type": "AssignExpert", "application": app, "expert_id": login, "expert_unit_uscc": uscc_of(unit(u))}));
        }
        for (i, (login, _, _)) in experts.iter().enumerate().take(reviews) {
            let score = 82 + 3 * i as i64;
            self.at(start + Duration::days(24), &format!("expert:{login}"), json!({"type": "SubmitReview", "application": app, "expert": login, "score": score, "conclusion": "recommend", "comments": "合作基础扎实，外方伙伴稳定，建议认定。"}));
        }
        if let Some(d) = decide {
            let reasons = if d == "approve" {
                "综合专家评审意见和全省布局，同意认定。"
            } else {
                "国际合作实质性内容不足，不予认定。"
            };
            self.at(
                start + Duration::days(40),
                dept,
                json!({"type": "Decide", "application": app, "decision": d, "reasons": reasons}),
            );
        }
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

/// The last working days before `today`, newest first (for a notice running on `today`).
pub(super) async fn working_days_before(state: &AppState, today: NaiveDate, n: usize) -> Vec<NaiveDate> {
    state
        .guohe
        .read(|_, cal, _| {
            let mut out = Vec::new();
            let mut x = today;
            for _ in 0..30 {
                x -= Duration::days(1);
                if cal.is_working_day(x).unwrap_or(false) {
                    out.push(x);
                    if out.len() == n {
                        break;
                    }
                }
            }
            out
        })
        .await
}

pub(super) fn plan(today: NaiveDate, notice_start: Option<NaiveDate>) -> Plan {
    let mut p = Plan::default();
    let hb = "dept:hb-dept";
    let hn = "dept:hn-dept";
    // ---------- 湖北 hubei-2022 ----------
    p.at(d(2023, 1, 5), hb, json!({"type": "CarryOverBase", "base_id": "HB-2019-07", "policy": "hubei-2022", "official_name": "湖北省医疗器械国际科技合作基地", "unit_name": unit("hb-jcyl").name, "uscc": uscc_of(unit("hb-jcyl")), "domain": "医疗器械", "director": "黄志强", "partner_country": "KR", "recognised_on": "2019-11-20"}));
    p.at(d(2023, 1, 5), hb, json!({"type": "CarryOverBase", "base_id": "HB-N-2018-02", "policy": "hubei-2022", "official_name": "湖北省船舶与海洋工程国际科技合作基地", "unit_name": unit("hb-cjhy").name, "uscc": uscc_of(unit("hb-cjhy")), "domain": "船舶与海洋工程", "director": "吴海涛", "partner_country": "NO", "recognised_on": "2018-09-01", "national": true}));
    // National bases taken into provincial management (湖北第三十条), evaluated from the day they
    // joined: with the bases named in 2023 they make seven graded in 2026, so the post-subsidy's
    // share (湖北第二十五条, 20% rounded down) allows one of the three graded 优秀.
    for (id, name, unit_name, region, org, domain, director, country, recognised) in NATIONAL_JOINING {
        let u = DemoUnit {
            login: "",
            name: unit_name,
            kind: "enterprise",
            affiliation: "local",
            region,
            org,
        };
        p.at(d(2023, 1, 5), hb, json!({"type": "CarryOverBase", "base_id": id, "policy": "hubei-2022", "official_name": name, "unit_name": unit_name, "uscc": uscc_of(&u), "domain": domain, "director": director, "partner_country": country, "recognised_on": recognised, "national": true}));
    }
    p.at(d(2023, 3, 1), hb, json!({"type": "OpenRound", "id": "HB-2023", "policy": "hubei-2022", "title": "2023年度湖北省国际科技合作基地申报", "opens_on": "2023-03-01", "closes_on": "2023-04-30"}));
    let s = d(2023, 3, 15);
    p.through_decision(
        s,
        "hubei-2022",
        "HB-2023",
        "HB-2023-001",
        application_facts("hubei-2022", unit("hb-ggjg"), "光电子信息", None, "DE", "李明", s),
        Some("rec-wuhan"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hubei-2022",
        "HB-2023",
        "HB-2023-002",
        application_facts("hubei-2022", unit("hb-ljsw"), "生物医药", None, "US", "陈静", s),
        None,
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hubei-2022",
        "HB-2023",
        "HB-2023-003",
        application_facts("hubei-2022", unit("hb-sxny"), "新能源装备", None, "DK", "张伟", s),
        Some("rec-yichang"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hubei-2022",
        "HB-2023",
        "HB-2023-004",
        application_facts("hubei-2022", unit("hb-hjqc"), "新能源汽车", None, "IT", "赵磊", s),
        Some("rec-xiangyang"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hubei-2022",
        "HB-2023",
        "HB-2023-005",
        application_facts("hubei-2022", unit("hb-dhcl"), "先进高分子材料", None, "JP", "孙丽", s),
        Some("rec-wuhan"),
        Some("reject"),
        3,
    );
    p.at(d(2023, 4, 15), hb, json!({"type": "RecordSiteInspection", "application": "HB-2023-003", "inspectors": ["expert-wang", "expert-huang"], "findings": "中丹联合实验室运行正常，合作协议在有效期内。"}));
    p.at(d(2023, 6, 1), hb, json!({"type": "StartPublicNotice", "notice_id": "HB-GS-2023-1", "applications": ["HB-2023-001", "HB-2023-002", "HB-2023-003", "HB-2023-004"], "starts_on": "2023-06-01"}));
    for (a, b) in [
        ("HB-2023-001", "HB-2023-01"),
        ("HB-2023-002", "HB-2023-02"),
        ("HB-2023-003", "HB-2023-03"),
        ("HB-2023-004", "HB-2023-04"),
    ] {
        p.at(
            d(2023, 6, 15),
            hb,
            json!({"type": "Name", "application": a, "base_id": b, "on": "2023-06-15"}),
        );
    }
    let hubei_bases = [
        "HB-2023-01",
        "HB-2023-02",
        "HB-2023-03",
        "HB-2023-04",
        "HB-2019-07",
        "HB-N-2018-02",
        "HB-N-2017-03",
        "HB-N-2019-04",
        "HB-N-2020-05",
        "HB-N-2021-06",
    ];
    for year in 2023..=2025 {
        // A base that has left the register files and is graded no more.
        let current = |b: &&&str| year < 2025 || !matches!(**b, "HB-2023-03" | "HB-2023-04");
        for b in hubei_bases.iter().filter(current) {
            let who = if *b == "HB-2023-03" {
                "unit:hb-sxny"
            } else {
                "unit:demo"
            };
            p.at(d(year + 1, 1, 10), who, json!({"type": "SubmitAnnualReport", "base": b, "year": year, "submitted_on": format!("{}-01-10", year + 1)}));
        }
        for b in hubei_bases.iter().filter(current) {
            let grade = if *b == "HB-2023-03" && year <= 2024 {
                "unqualified"
            } else {
                "qualified"
            };
            p.at(
                d(year + 1, 2, 20),
                hb,
                json!({"type": "RecordAnnualAssessment", "base": b, "year": year, "grade": grade}),
            );
        }
    }
    p.at(d(2025, 5, 12), hb, json!({"type": "RecordFinding", "case": "base/HB-2023-04", "finding": "false_materials", "effective_on": "2025-05-12", "evidence": "省审计厅专项核查：申报材料中的外方合作协议系伪造。"}));
    p.at(
        d(2026, 7, 1),
        hb,
        json!({"type": "RecordEvaluation", "base": "HB-2023-01", "grade": "excellent"}),
    );
    p.at(
        d(2026, 7, 1),
        hb,
        json!({"type": "RecordEvaluation", "base": "HB-2023-02", "grade": "qualified"}),
    );
    for (b, grade) in [
        ("HB-N-2018-02", "excellent"),
        ("HB-N-2017-03", "qualified"),
        ("HB-N-2019-04", "excellent"),
        ("HB-N-2020-05", "qualified"),
        ("HB-N-2021-06", "qualified"),
    ] {
        p.at(
            d(2026, 7, 1),
            hb,
            json!({"type": "RecordEvaluation", "base": b, "grade": grade}),
        );
    }
    p.at(d(2026, 9, 1), hb, json!({"type": "OpenRound", "id": "HB-2026", "policy": "hubei-2022", "title": "2026年度湖北省国际科技合作基地申报", "opens_on": "2026-09-01", "closes_on": "2026-12-31"}));
    let s = d(2026, 9, 15);
    p.through_decision(
        s,
        "hubei-2022",
        "HB-2026",
        "HB-2026-001",
        application_facts("hubei-2022", unit("hb-wxsj"), "人工智能与大数据", None, "SG", "钱程", s),
        None,
        None,
        0,
    );
    // ---------- 湖南 hunan-2026 ----------
    p.at(d(2026, 2, 24), hn, json!({"type": "CarryOverBase", "base_id": "HN-2018-05", "policy": "hunan-2026", "official_name": "湖南省电气传动国际技术转移中心", "unit_name": unit("hn-xtdq").name, "uscc": uscc_of(unit("hn-xtdq")), "domain": "电气传动", "old_category": "国际技术转移中心", "director": "彭国平", "partner_country": "DE", "recognised_on": "2018-05-10"}));
    p.at(d(2026, 2, 24), hn, json!({"type": "CarryOverBase", "base_id": "HN-2019-11", "policy": "hunan-2026", "official_name": "湖南省航空动力国际联合研究中心", "unit_name": unit("hn-zzhk").name, "uscc": uscc_of(unit("hn-zzhk")), "domain": "航空动力", "old_category": "国际联合研究中心（实验室）", "director": "邓文斌", "partner_country": "FR", "recognised_on": "2019-12-02"}));
    p.at(d(2026, 3, 1), hn, json!({"type": "OpenRound", "id": "HN-2026-1", "policy": "hunan-2026", "title": "2026年度湖南省国际科技合作基地申报（第一批）", "opens_on": "2026-03-01", "closes_on": "2026-04-30"}));
    let s = d(2026, 3, 16);
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-1",
        "HN-2026-101",
        application_facts(
            "hunan-2026",
            unit("hn-xjsw"),
            "生物医药",
            Some("joint_research"),
            "DE",
            "王芳",
            s,
        ),
        Some("rec-changsha"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-1",
        "HN-2026-102",
        application_facts(
            "hunan-2026",
            unit("hn-zngy"),
            "有色金属新材料",
            Some("joint_research"),
            "AU",
            "何志远",
            s,
        ),
        Some("rec-hnedu"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-1",
        "HN-2026-103",
        application_facts(
            "hunan-2026",
            unit("hn-zzgd"),
            "轨道交通装备",
            Some("technology_transfer"),
            "FR",
            "罗建军",
            s,
        ),
        Some("rec-zhuzhou"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-1",
        "HN-2026-104",
        application_facts(
            "hunan-2026",
            unit("hn-xtcn"),
            "先进储能材料",
            Some("distinctive"),
            "JP",
            "易晓红",
            s,
        ),
        Some("rec-xiangtan"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-1",
        "HN-2026-105",
        application_facts(
            "hunan-2026",
            unit("hn-yyhg"),
            "绿色化工",
            Some("joint_research"),
            "SG",
            "谢文",
            s,
        ),
        Some("rec-yueyang"),
        Some("reject"),
        3,
    );
    p.at(d(2026, 6, 1), hn, json!({"type": "StartPublicNotice", "notice_id": "HN-GS-2026-1", "applications": ["HN-2026-101", "HN-2026-102", "HN-2026-103", "HN-2026-104"], "starts_on": "2026-06-01"}));
    p.at(d(2026, 6, 3), "public:objector", json!({"type": "LodgeObjection", "notice": "HN-GS-2026-1", "application": "HN-2026-103", "objector_real_name": "李卫东", "contact": "0731-88886666", "content": "该单位与法方合作协议是否仍在有效期内，请核实。"}));
    p.at(d(2026, 6, 9), hn, json!({"type": "ResolveObjection", "objection": "HN-GS-2026-1-1", "resolution": "经核实，合作协议已于2025年续签至2030年，异议不成立。", "upheld": false}));
    for (a, b) in [
        ("HN-2026-101", "HN-2026-01"),
        ("HN-2026-102", "HN-2026-02"),
        ("HN-2026-103", "HN-2026-03"),
        ("HN-2026-104", "HN-2026-04"),
    ] {
        p.at(
            d(2026, 6, 15),
            hn,
            json!({"type": "Name", "application": a, "base_id": b, "on": "2026-06-15"}),
        );
    }
    p.at(
        d(2026, 7, 6),
        hn,
        json!({"type": "RecordEvaluation", "base": "HN-2018-05", "grade": "unqualified"}),
    );
    p.at(d(2026, 8, 10), hn, json!({"type": "RecordFinding", "case": "base/HN-2019-11", "finding": "false_information", "effective_on": "2026-08-10", "evidence": "评估材料中国际合作项目经费数据与审计报告不符。"}));
    p.at(d(2026, 9, 10), "unit:hn-xjsw", json!({"type": "FileMajorChange", "base": "HN-2026-01", "change_id": "C1", "kind": "rename", "details": {"description": "依托单位研究方向拓展，申请更名。", "official_name": "湖南省科学技术厅生物医药与健康国际科技合作基地（联合研究）"}}));
    p.at(d(2026, 10, 20), hn, json!({"type": "RecordFinding", "case": "base/HN-2026-02", "finding": "national_recognition", "effective_on": "2026-10-15", "evidence": "科技部国科发外〔2026〕88号"}));
    // The current round, dated back from the business date so the notice runs today.
    let r = today - Duration::days(80);
    p.at(r, hn, json!({"type": "OpenRound", "id": "HN-2026-2", "policy": "hunan-2026", "title": "2026年度湖南省国际科技合作基地申报（第二批）", "opens_on": r, "closes_on": today - Duration::days(25)}));
    let s = r + Duration::days(5);
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-201",
        application_facts(
            "hunan-2026",
            unit("hn-lgzz"),
            "智能制造",
            Some("joint_research"),
            "DE",
            "曾志刚",
            s,
        ),
        Some("rec-changsha"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-202",
        application_facts(
            "hunan-2026",
            unit("hn-lpzy"),
            "杂交水稻育种",
            Some("distinctive"),
            "PH",
            "袁晓农",
            s,
        ),
        Some("rec-changsha"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-203",
        application_facts(
            "hunan-2026",
            unit("hn-hyhj"),
            "核技术应用",
            Some("joint_research"),
            "RU",
            "肖振华",
            s,
        ),
        Some("rec-hengyang"),
        None,
        1,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-204",
        application_facts(
            "hunan-2026",
            unit("hn-zzgd"),
            "氢能装备",
            Some("technology_transfer"),
            "GB",
            "罗建军",
            s,
        ),
        Some("rec-zhuzhou"),
        None,
        0,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-205",
        application_facts(
            "hunan-2026",
            unit("hn-xtcn"),
            "固态电池",
            Some("joint_research"),
            "KR",
            "易晓红",
            s,
        ),
        None,
        None,
        0,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-206",
        application_facts(
            "hunan-2026",
            unit("hn-yyhg"),
            "生物基材料",
            Some("joint_research"),
            "NL",
            "谢文",
            s,
        ),
        None,
        None,
        0,
    );
    p.at(s + Duration::days(6), "recommender:rec-yueyang", json!({"type": "ReturnApplication", "application": "HN-2026-206", "reasons": ["缺少外方合作协议中文译本", "近三年财务审计报告不完整"]}));
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-207",
        application_facts(
            "hunan-2026",
            unit("hn-xjsw"),
            "医疗器械",
            Some("joint_research"),
            "CH",
            "王芳",
            s,
        ),
        None,
        None,
        0,
    );
    p.at(s + Duration::days(8), "unit:hn-xjsw", json!({"type": "WithdrawApplication", "application": "HN-2026-207", "reason": "外方合作伙伴调整，本批次暂不申报。"}));
    if let Some(start) = notice_start {
        p.at(start, hn, json!({"type": "StartPublicNotice", "notice_id": "HN-GS-2026-2", "applications": ["HN-2026-201"], "starts_on": start}));
        p.at(today, "public:objector", json!({"type": "LodgeObjection", "notice": "HN-GS-2026-2", "application": "HN-2026-201", "objector_real_name": "张建华", "contact": "13807315678", "content": "该公司申报材料所列德方合作项目的经费到位情况与公开信息不一致，请予核实。"}));
    }
    p
}
