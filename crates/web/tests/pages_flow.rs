//! The role work areas over HTTP on the demo data: a unit's draft (field errors kept, PDF
//! upload checked by content, submission), authorization refusals (403), the recommender, three
//! experts, the department's decision behind a confirmation that quotes the article, public
//! notice with an objection, its resolution, and naming by a server whose business date is past
//! the notice period.

use crate::pages_support;

use chrono::NaiveDate;
use pages_support::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const DRAFT: &[(&str, &str)] = &[
    ("round", "HB-2026"),
    ("technology_domain", "激光智能制造"),
    ("primary_partner.country", "DE"),
    ("unit.name", "武汉光谷激光技术有限公司"),
    ("unit.kind", "enterprise"),
    ("unit.affiliation", "local"),
    ("unit.region_code", "420100"),
    ("unit.registered_in_province", "on"),
    ("unit.independent_legal_person", "on"),
    ("unit.international_rd_team", "on"),
    ("unit.overseas_market_share", "6%"),
    ("unit.finance[0].year", "2023"),
    ("unit.finance[0].sales_revenue", "42000000"),
    ("unit.finance[0].rd_expense", "2300000"),
    ("unit.finance[1].year", "2024"),
    ("unit.finance[1].sales_revenue", "46000000"),
    ("unit.finance[1].rd_expense", "2500000"),
    ("unit.finance[2].year", "2025"),
    ("unit.finance[2].sales_revenue", "50000000"),
    ("unit.finance[2].rd_expense", "2700000"),
    ("partner_institutions[0].name", "Fraunhofer ILT"),
    ("partner_institutions[0].country", "DE"),
    ("partner_institutions[0].kind", "research_institute"),
    ("partner_institutions[0].agreement", "on"),
    ("partner_institutions[0].long_term", "on"),
    ("director.name", "张光明"),
    ("director.title", "senior"),
    ("director.formal_employee", "on"),
    ("director.research_lead", "on"),
];

fn with<'a>(base: &[(&'a str, &'a str)], over: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v: Vec<(&str, &str)> = base
        .iter()
        .filter(|(k, _)| !over.iter().any(|(o, _)| o == k))
        .copied()
        .collect();
    v.extend_from_slice(over);
    v
}

#[tokio::test]
async fn from_draft_to_naming_through_every_role() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("guohe.db");
    let a = serve(&db, d(2026, 11, 20), true).await;
    let unit = Browser::new(&a);
    unit.login("hb-ggjg").await;

    // A draft for the open round.
    let home = unit.get("/unit").await;
    assert!(home.body.contains("HB-2026"), "{}", home.body);
    let r = unit.post_form("/unit", "/unit/drafts", &[("round", "HB-2026")]).await;
    assert_eq!(r.status, 303);
    let draft = r.location.clone();
    assert!(draft.starts_with("/unit/drafts/D"), "{draft}");

    // A mistyped amount stays in the form, with its error beside the field; nothing stored.
    let bad = with(
        DRAFT,
        &[("unit.finance[1].sales_revenue", "四千万"), ("action", "submit")],
    );
    let r = unit.post_form(&draft, &draft, &bad).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("value=\"四千万\""), "typed value kept");
    assert!(r.body.contains("请填写金额"), "{}", r.body);
    assert!(r.body.contains("value=\"张光明\""));

    // Saving keeps the draft and shows the eligibility check with articles.
    let r = unit
        .post_form(&draft, &draft, &with(DRAFT, &[("action", "save")]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("草稿已保存"));
    assert!(r.body.contains("条件核查") && r.body.contains("第十条"), "{}", r.body);
    let again = unit.get(&draft).await;
    assert!(again.body.contains("value=\"激光智能制造\""), "the draft survived");

    // PDF attachments are judged by content.
    let upload = format!("{draft}/attachments");
    let pdf = guohe_web::upload::sample_pdf("management systems");
    let r = unit
        .upload(&draft, &upload, "management_systems", "管理制度.pdf", &pdf)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = unit
        .upload(&draft, &upload, "other", "fake.pdf", b"this is plain text, not a PDF")
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("不是有效的PDF文件"), "{}", r.body);
    let page = unit.get(&draft).await;
    assert!(page.body.contains("管理制度.pdf") && !page.body.contains("fake.pdf"));
    let file = {
        let i = page.body.find("href=\"/files/").expect("a link to the attachment") + "href=\"".len();
        page.body[i..].split('"').next().unwrap().to_string()
    };
    assert_eq!(
        unit.get(&file).await.status,
        200,
        "the unit downloads its own attachment"
    );
    // Without the token in the URL the upload is refused as cross-site.
    let r = unit
        .send(
            hyper::Method::POST,
            &upload,
            b"--x--".to_vec(),
            Some("multipart/form-data; boundary=x"),
        )
        .await;
    assert_eq!(r.status, 403);

    // Submit. The cooperation agreement is declared but not attached (第八条第（二）项), so the
    // unit is shown that condition and confirms before the application goes in.
    let r = unit
        .post_form(&draft, &draft, &with(DRAFT, &[("action", "submit")]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("id=\"unmet-confirm\"") && r.body.contains("第八条第（二）项"),
        "{}",
        r.body
    );
    let r = unit
        .post_form(&draft, &draft, &with(DRAFT, &[("action", "submit_unmet")]))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let app_path = r.location.split('?').next().unwrap().to_string();
    let app_id = app_path.rsplit('/').next().unwrap().to_string();
    let r = unit.get(&r.location).await;
    assert!(
        r.body.contains("申报已提交") && r.body.contains("提交申报"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("鄂科技规〔2022〕6号"),
        "the timeline cites the articles"
    );

    // Another unit sees neither the application nor its files.
    let other = Browser::new(&a);
    other.login("hb-dhcl").await;
    assert_eq!(other.get(&app_path).await.status, 403);
    assert_eq!(other.get(&format!("/dept/applications/{app_id}")).await.status, 403);
    let refused = other.get(&file).await.status;
    assert!(matches!(refused, 403 | 404), "another unit's attachment: {refused}");

    // The recommender of 武汉 recommends; an empty opinion is an error beside the field.
    let rec = Browser::new(&a);
    rec.login("rec-wuhan").await;
    let q = rec.get("/recommender").await;
    assert!(q.body.contains(&app_id), "queued");
    let rp = format!("/recommender/applications/{app_id}");
    let r = rec
        .post_form(&rp, &format!("{rp}/recommend"), &[("opinion", "  ")])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("此项为必填项"));
    let r = rec
        .post_form(
            &rp,
            &format!("{rp}/recommend"),
            &[("opinion", "经形式审查，材料齐全，同意推荐。")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("已出具推荐意见"));
    let yichang = Browser::new(&a);
    yichang.login("rec-yichang").await;
    assert_eq!(yichang.get(&rp).await.status, 403, "outside the jurisdiction");
    // The attachment follows the application: its recommender reads it, another does not.
    assert_eq!(rec.get(&file).await.status, 200);
    let refused = yichang.get(&file).await.status;
    assert!(matches!(refused, 403 | 404), "outside the jurisdiction: {refused}");

    // The department assigns experts; the applicant's own unit is refused by the domain.
    let dept = Browser::new(&a);
    dept.login("hb-dept").await;
    let dp = format!("/dept/applications/{app_id}");
    // An expert of the other province's pool is not offered and cannot be assigned.
    assert!(
        !dept.get(&dp).await.body.contains("expert-liu"),
        "Hunan's experts are not offered"
    );
    for e in ["expert-chen", "expert-wang", "expert-huang"] {
        let r = dept.post_form(&dp, &format!("{dp}/experts"), &[("expert_id", e)]).await;
        assert_eq!(r.status, 200, "{e}: {}", r.body);
    }
    let list = dept.get("/dept/applications?stage=under_review&format=csv").await;
    assert!(list.body.contains(&app_id));

    // Experts review; an out-of-range score is refused beside the field with its article.
    for (e, score, c) in [
        ("expert-chen", "86.5", "recommend"),
        ("expert-wang", "90", "recommend"),
        ("expert-huang", "78", "neutral"),
    ] {
        let x = Browser::new(&a);
        x.login(e).await;
        let xp = format!("/expert/applications/{app_id}");
        assert!(x.get("/expert").await.body.contains(&app_id));
        let r = x
            .post_form(
                &xp,
                &format!("{xp}/review"),
                &[("score", "1000"), ("conclusion", c), ("comments", "")],
            )
            .await;
        assert!(r.status == 400, "{e}: {}", r.status);
        assert!(r.body.contains("value=\"1000\""));
        let r = x
            .post_form(
                &xp,
                &format!("{xp}/review"),
                &[("score", score), ("conclusion", c), ("comments", "基础扎实")],
            )
            .await;
        assert_eq!(r.status, 200, "{e}: {}", r.body);
        assert!(r.body.contains("评审意见已提交"));
    }
    // An expert not assigned (here, of the applicant's own unit) is refused, and so is an expert
    // of the other province.
    for e in ["expert-he", "expert-liu"] {
        let x = Browser::new(&a);
        x.login(e).await;
        assert_eq!(
            x.get(&format!("/expert/applications/{app_id}")).await.status,
            403,
            "{e}"
        );
    }

    let page = dept.get(&dp).await;
    assert!(page.body.contains("id=\"review-mean\">84.83<"), "{}", page.body);
    assert!(page.body.contains("id=\"review-spread\">12<"));
    // Each review under the expert's name and unit, not the login.
    assert!(page.body.contains("<td>陈晓燕（研究员）（"), "{}", page.body);
    assert!(!page.body.contains("<td>expert-chen</td>"));

    // Decide: the confirmation quotes the article before anything is recorded.
    let r = dept
        .post_form(
            &dp,
            &format!("{dp}/decide"),
            &[("decision", "approve"), ("reasons", "评审通过，布局合理。")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("请确认") && r.body.contains("第十六条"), "{}", r.body);
    let policy = guohe_policy::builtin_policy("hubei-2022").unwrap();
    let text = policy.text(policy.procedure.decision.article).unwrap();
    assert!(
        r.body.contains(&text[..text.len().min(30)]),
        "the article's text is shown"
    );
    let still = dept.get(&dp).await;
    assert!(still.body.contains("专家评审中"), "nothing recorded before confirming");
    let r = dept.confirm(&r.body, &format!("{dp}/decide")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(dept.get(&dp).await.body.contains("认定同意待公示"));

    // Public notice: the confirmation shows the end date from the working-day calendar.
    let r = dept
        .post_form(
            "/dept/notices",
            "/dept/notices",
            &[
                ("notice_id", "HB-GS-T1"),
                ("applications", &app_id),
                ("starts_on", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("2026-11-26"),
        "5 working days from Friday 20 November: {}",
        r.body
    );
    let r = dept.confirm(&r.body, "/dept/notices").await;
    assert_eq!(r.status, 303, "{}", r.body);

    // A real-name objection from the public, then its resolution behind a confirmation.
    let public = Browser::new(&a);
    let r = public
        .post_form(
            "/notices/HB-GS-T1",
            "/notices/HB-GS-T1/objections",
            &[
                ("application", &app_id),
                ("name", "李明"),
                ("contact", "13800000000"),
                ("content", "合作协议有效期存疑。"),
            ],
        )
        .await;
    assert!(r.status == 303 || r.status == 200, "{}", r.body);
    let np = "/dept/notices/HB-GS-T1";
    let r = dept
        .post_form(
            np,
            "/dept/objections/HB-GS-T1-1/resolve",
            &[("resolution", "经核实协议有效，异议不成立。"), ("upheld", "no")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("请确认") && r.body.contains("第十七条"), "{}", r.body);
    let r = dept.confirm(&r.body, "/dept/objections/HB-GS-T1-1/resolve").await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Naming during the notice is refused with the article, beside the date.
    let r = dept
        .post_form(
            &dp,
            &format!("{dp}/name"),
            &[("base_id", "HB-T-01"), ("on", "2026-11-20")],
        )
        .await;
    assert!(
        r.body.contains("湖北省"),
        "the confirmation shows the official name first"
    );
    let r = dept.confirm(&r.body, &format!("{dp}/name")).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("公示期至 2026-11-26 止"), "{}", r.body);

    // A later business date: the notice is over; the department names the base.
    let b = serve(&db, d(2026, 12, 10), false).await;
    *dept.addr.lock().unwrap() = b.addr;
    let r = dept
        .post_form(
            &dp,
            &format!("{dp}/name"),
            &[("base_id", "HB-T-01"), ("on", "2026-12-10")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("湖北省激光智能制造国际科技合作基地"), "{}", r.body);
    let r = dept.confirm(&r.body, &format!("{dp}/name")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = dept.get(&dp).await;
    assert!(page.body.contains("已命名"));
    let h = dept.get(&format!("/dept/history?stream=application/{app_id}")).await;
    assert!(h.body.contains("ApplicationDecided") && h.body.contains("鄂科技规〔2022〕6号"));
    // The audit log is the audit administrator's (三权分立).
    let auditor = Browser::new(&a);
    auditor.login("audit-admin").await;
    let audit = auditor.get("/admin/audit?kind=security").await;
    assert!(audit.body.contains("PermissionRefused"), "403s are audited");
    let v = auditor.post_form("/admin/audit", "/admin/audit/verify", &[]).await;
    assert!(v.body.contains("哈希链校验通过"), "{}", v.body);
}

#[tokio::test]
async fn the_domain_refuses_an_expert_from_the_applicants_own_unit() {
    use guohe_domain::{Actor, ApplicationStatus, Command};
    use guohe_web::demo::{UNITS, application_facts, uscc_of};
    let dir = tempfile::tempdir().unwrap();
    let today = d(2026, 11, 20);
    let a = serve(&dir.path().join("g.db"), today, true).await;
    // The test's own case: 中南矿冶大学 (hn-zngy) applies in a round open today and is
    // recommended by 湖南省教育厅 (湖南第十二条: central universities go through it), so its
    // application waits for expert review (湖南第九条第三款); expert-liu of the Hunan pool works at that university.
    let zngy = UNITS.iter().find(|u| u.login == "hn-zngy").unwrap();
    let run = |actor: &str, cmd: serde_json::Value| {
        let actor = Actor::parse(actor).unwrap();
        let cmd: Command = serde_json::from_value(cmd).unwrap();
        let g = a.state.guohe.clone();
        async move { g.execute(&actor, today, cmd).await.map_err(|e| e.message_zh()).unwrap() }
    };
    run(
        "dept:hn-dept",
        serde_json::json!({"type": "OpenRound", "id": "HN-T-1", "policy": "hunan-2026", "title": "回避测试批次",
            "opens_on": today, "closes_on": today + chrono::Duration::days(30)}),
    )
    .await;
    let f = application_facts(
        "hunan-2026",
        zngy,
        "先进冶金",
        Some("joint_research"),
        "AU",
        "李国华",
        today,
    );
    run(
        "unit:hn-zngy",
        serde_json::json!({"type": "SubmitApplication", "id": "HN-T-101", "round": "HN-T-1", "facts": f}),
    )
    .await;
    run(
        "recommender:rec-hnedu",
        serde_json::json!({"type": "RecommendApplication", "application": "HN-T-101",
            "recommender": "湖南省教育厅（省直部门）", "opinion": "同意推荐。"}),
    )
    .await;
    let status = a
        .state
        .guohe
        .read(|w, _, _| {
            w.applications()
                .find(|x| x.id == "HN-T-101")
                .map(|x| (x.status, x.facts.unit.uscc.clone()))
        })
        .await;
    assert_eq!(status, Some((ApplicationStatus::Recommended, uscc_of(zngy))));
    let dept = Browser::new(&a);
    dept.login("hn-dept").await;
    let dp = "/dept/applications/HN-T-101";
    let r = dept
        .post_form(dp, &format!("{dp}/experts"), &[("expert_id", "expert-liu")])
        .await;
    // Cited under 湖南第九条第三款 (expert review): the expert of the applicant's own unit
    // 应当回避, a 403 naming it.
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("应当回避"), "{}", r.body);
    assert!(r.body.contains("第九条"), "{}", r.body);
    // An expert of another unit of the same pool is accepted for the same application.
    let ok = dept
        .post_form(dp, &format!("{dp}/experts"), &[("expert_id", "expert-zhou")])
        .await;
    assert!(ok.status == 200 || ok.status == 303, "{} {}", ok.status, ok.body);
    let assigned = a
        .state
        .guohe
        .read(|w, _, _| w.applications().find(|x| x.id == "HN-T-101").map(|x| x.experts.len()))
        .await;
    assert_eq!(assigned, Some(1), "only expert-zhou is assigned");
}

#[tokio::test]
async fn work_areas_are_for_their_role_only() {
    let dir = tempfile::tempdir().unwrap();
    let a = serve(&dir.path().join("g.db"), d(2026, 11, 20), true).await;
    let unit = Browser::new(&a);
    unit.login("hn-xjsw").await;
    for p in [
        "/dept/applications",
        "/admin/audit",
        "/recommender",
        "/expert",
        "/dept/bases/HB-2023-03",
    ] {
        assert_eq!(unit.get(p).await.status, 403, "{p}");
    }
    let anon = Browser::new(&a);
    assert_eq!(anon.get("/unit/drafts/DX").await.status, 303, "sign-in first");
    let dept = Browser::new(&a);
    dept.login("hb-dept").await;
    let csv = dept.get("/dept/bases?policy=hubei-2022&format=csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with('\u{feff}'));
    let list = dept.get("/dept/bases?status=terminated&sort=0&dir=desc").await;
    assert!(list.body.contains("aria-sort=\"descending\""));
    // A finding's confirmation states the consequence with its article before recording it
    // (湖北第二十九条: false materials).
    let bp = "/dept/bases/HB-2023-01";
    assert_eq!(dept.get(bp).await.status, 200, "HB-2023-01 is in the demo");
    let r = dept
        .post_form(
            bp,
            &format!("{bp}/finding"),
            &[
                ("finding", "false_materials"),
                ("effective_on", "2026-11-20"),
                ("evidence", "核查报告"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("请确认"), "a confirmation first: {}", r.body);
    assert!(r.body.contains("第二十九条"), "{}", r.body);
}

#[tokio::test]
async fn submitting_with_unmet_conditions_asks_for_a_confirmation_listing_them() {
    // 鄂科技规〔2022〕6号 第十条第（四）项: R&D expense at least 5% of revenue (≤ 50M). At 4.57%
    // the unit may still submit; it is shown the unmet condition with its article and confirms.
    let dir = tempfile::tempdir().unwrap();
    let a = serve(&dir.path().join("guohe.db"), d(2026, 11, 20), true).await;
    let unit = Browser::new(&a);
    unit.login("hb-ggjg").await;
    let r = unit.post_form("/unit", "/unit/drafts", &[("round", "HB-2026")]).await;
    let draft = r.location.clone();
    let low = with(
        DRAFT,
        &[
            ("unit.finance[0].rd_expense", "2000000"),
            ("unit.finance[1].rd_expense", "2100000"),
            ("unit.finance[2].rd_expense", "2200000"),
        ],
    );
    let r = unit
        .post_form(&draft, &draft, &with(&low, &[("action", "submit")]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"unmet-confirm\""), "{}", r.body);
    assert!(r.body.contains("第十条第（四）项"), "{}", r.body);
    assert!(r.body.contains("4.57%"), "{}", r.body);
    assert!(r.body.contains("value=\"2100000\""), "what was typed is kept");
    let submitted = |a: &Server| {
        let state = a.state.clone();
        async move {
            state
                .guohe
                .read(|w, _, _| {
                    w.applications().any(|x| {
                        x.facts.unit.name == "武汉光谷激光技术有限公司"
                            && x.round == "HB-2026"
                            && x.status == guohe_domain::ApplicationStatus::Submitted
                    })
                })
                .await
        }
    };
    assert!(!submitted(&a).await, "nothing is submitted before the confirmation");
    let r = unit
        .post_form(&draft, &draft, &with(&low, &[("action", "submit_unmet")]))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(submitted(&a).await);
}

/// A refused decision on a major change (重大事项) shows the recommender's bases page again with
/// the error and, in that change's form, what was typed; nothing is recorded.
#[tokio::test]
async fn a_refused_change_decision_keeps_what_the_recommender_typed() {
    let dir = tempfile::tempdir().unwrap();
    let a = serve(&dir.path().join("g.db"), d(2026, 11, 20), true).await;
    let rec = Browser::new(&a);
    rec.login("rec-changsha").await;
    let page = "/recommender/bases";
    let form = "/recommender/bases/HN-2026-01/changes/C1";
    let before = rec.get(page).await;
    assert!(
        before.body.contains(form),
        "the change waits for the recommender: {}",
        before.body
    );
    assert!(
        !before.body.contains("value=\"reject\" checked"),
        "approve is the default"
    );

    let long = "理".repeat(2001);
    let r = rec
        .post_form(page, form, &[("decision", "reject"), ("reason", &long)])
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("最多2000字"), "{}", r.body);
    assert!(
        r.body.contains(&format!("name=\"reason\" value=\"{long}\"")),
        "the reason kept"
    );
    assert!(r.body.contains("value=\"reject\" checked"), "the decision kept");

    let script = "<script>alert(1)</script>";
    let r = rec
        .post_form(page, form, &[("decision", "maybe"), ("reason", script)])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("请选择同意或不同意"), "{}", r.body);
    assert!(!r.body.contains(script), "escaped when shown again");
    assert!(
        r.body
            .contains("name=\"reason\" value=\"&#60;script&#62;alert(1)&#60;/script&#62;\""),
        "kept, escaped: {}",
        r.body
    );

    let r = rec
        .post_form(page, form, &[("decision", "reject"), ("reason", " ")])
        .await;
    assert!(r.body.contains("不同意须说明理由"), "{}", r.body);
    assert!(
        rec.get(page).await.body.contains(form),
        "nothing recorded: the change still waits"
    );
}
