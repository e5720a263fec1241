//! The public pages on the demo data: register search, filters, pages, CSV; notices and the
//! objection form; announcements; a base's page.

use crate::common;

use common::*;

async fn demo() -> TestApp {
    spawn_with(Options {
        demo: true,
        ..Options::default()
    })
    .await
}

fn total(body: &str) -> usize {
    let i = body.find("id=\"total\">").unwrap() + "id=\"total\">".len();
    body[i..].split('<').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn demo_register_search_filter_sort_page_and_csv() {
    let app = demo().await;
    let all = app.get("/bases").await;
    assert_eq!(all.status, 200);
    let n = total(&all.body);
    assert!(n >= 12, "{n}");
    for status in [
        "active",
        "rectification",
        "terminated",
        "revoked",
        "disqualified",
        "exited_national",
    ] {
        let r = app.get(&format!("/bases?status={status}")).await;
        assert!(total(&r.body) >= 1, "no base is {status}");
    }
    let hubei = total(&app.get("/bases?policy=hubei-2022").await.body);
    let hunan = total(&app.get("/bases?policy=hunan-2026").await.body);
    assert_eq!(hubei + hunan, n);
    let r = app.get("/bases?q=%E6%BF%80%E5%85%89").await; // 激光
    assert_eq!(total(&r.body), 1);
    assert!(r.body.contains("武汉光谷激光技术有限公司"));
    let de = app.get("/bases?country=DE").await;
    assert!(total(&de.body) >= 2 && de.body.contains("德国"));
    assert!(total(&app.get("/bases?region=430200").await.body) >= 1);
    assert!(total(&app.get("/bases?category=technology_transfer").await.body) >= 1);
    assert_eq!(total(&app.get("/bases?q=%3Cscript%3E").await.body), 0);
    // Sorting links flip the direction.
    let sorted = app.get("/bases?sort=recognised&dir=desc").await;
    assert!(sorted.body.contains("aria-sort=\"descending\""));
    // Pagination: 20 a page.
    assert!(n <= 20 || all.body.contains("aria-current=\"page\">1<"));
    let rows = |b: &str| b.matches("<tr>").count() - 1;
    assert_eq!(rows(&all.body), n.min(20));
    // CSV of the filtered list, with a BOM for Excel.
    let csv = app.get("/bases.csv?policy=hubei-2022").await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.header("content-disposition").contains("attachment"));
    assert!(csv.body.starts_with('\u{feff}'));
    assert_eq!(csv.body.lines().count(), hubei + 1);
    assert!(csv.body.contains("湖北省光电子信息国际科技合作基地"));
}

#[tokio::test]
async fn pagination_splits_long_lists() {
    let app = demo().await;
    let before = total(&app.get("/bases").await.body);
    // The demo alone fits on one page of 20: carry 15 more bases over (湖北第三十一条第一项: bases
    // recognised before the regulation join the register) so the register needs two pages.
    let actor = guohe_domain::Actor::parse("dept:hb-dept").unwrap();
    let today = app.state.today();
    let uscc = guohe_web::demo::uscc_of(guohe_web::demo::UNITS.iter().find(|u| u.login == "hb-jcyl").unwrap());
    for i in 1..=15 {
        let cmd: guohe_domain::Command = serde_json::from_value(serde_json::json!({
            "type": "CarryOverBase", "base_id": format!("HB-2015-{i:02}"), "policy": "hubei-2022",
            "official_name": format!("湖北省分页测试{i:02}国际科技合作基地"), "unit_name": "湖北江城医疗器械有限公司",
            "uscc": uscc, "domain": "医疗器械", "director": format!("测试负责人{i:02}"),
            "partner_country": "KR", "recognised_on": "2015-06-01"
        }))
        .unwrap();
        app.state
            .guohe
            .execute(&actor, today, cmd)
            .await
            .map_err(|e| e.message_zh())
            .unwrap();
    }
    let rows = |b: &str| b.matches("<tr>").count() - 1;
    let first = app.get("/bases").await;
    let n = total(&first.body);
    assert_eq!(n, before + 15);
    assert!(n > 20 && n <= 40, "two pages: {n}");
    assert!(first.body.contains("aria-current=\"page\">1<"), "{}", first.body);
    assert_eq!(rows(&first.body), 20, "20 a page");
    let second = app.get("/bases?page=2").await;
    assert_eq!(second.status, 200);
    assert!(second.body.contains("aria-current=\"page\">2<"));
    assert_eq!(rows(&second.body), n - 20, "the rest on page 2");
    let past = app.get("/bases?page=99").await;
    assert_eq!(past.status, 200, "a page past the end shows the last page");
    assert!(past.body.contains("aria-current=\"page\">2<"));
    assert_eq!(rows(&past.body), n - 20);
}

#[tokio::test]
async fn a_base_page_shows_its_history_and_articles() {
    let app = demo().await;
    let r = app.get("/bases/HB-2023-03").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("终止并注销命名"), "{}", r.body);
    assert!(
        r.body.contains("鄂科技规〔2022〕6号 第二十八条"),
        "the article is cited"
    );
    let en = app.get("/bases/HB-2023-03?lang=en").await;
    assert!(en.body.contains("Terminated"));
    app.get("/bases?lang=zh").await;
    assert_eq!(app.get("/bases/NOPE").await.status, 404);
}

#[tokio::test]
async fn notices_show_the_working_day_period_and_announcements_the_names() {
    let app = demo().await;
    let r = app.get("/notices").await;
    assert!(r.body.contains("HN-GS-2026-2"), "a notice is running");
    assert!(r.body.contains("剩余"));
    let n = app.get("/notices/HN-GS-2026-2").await;
    assert!(n.body.contains("湖南省科学技术厅智能制造国际科技合作基地（联合研究）"));
    assert!(n.body.contains("已收到实名异议：1"), "the demo objection");
    // A running notice is listed with what it lists; an ended one with how many.
    assert!(
        r.body.contains("湖南省科学技术厅智能制造国际科技合作基地（联合研究）"),
        "{}",
        r.body
    );
    let past = r.body.split("已结束的公示").nth(1).expect("the past notices");
    assert!(past.contains("/notices/HN-GS-2026-1\""), "{past}");
    let listed = app
        .state
        .guohe
        .public_notice("HN-GS-2026-1", app.state.today())
        .await
        .expect("notice");
    assert!(
        past.contains(&format!("<td>{}</td>", listed.items.len())),
        "the count of what it listed: {past}"
    );
    let a = app.get("/announcements").await;
    assert!(a.body.contains("湖南省科学技术厅生物医药国际科技合作基地（联合研究）"));
    assert!(a.body.contains("2023-06-15"));
    let total = app.state.guohe.announcement_page(app.state.today(), 0, 0).await.total;
    assert!(total >= 1 && a.body.contains(&format!("共{total}批公告")), "{}", a.body);
    // The demo's announcements fit on one page: no pager, and a page past the end shows it.
    assert!(!a.body.contains("<nav class=\"pages\""));
    let past_end = app.get("/announcements?page=99").await;
    assert_eq!(past_end.status, 200);
    assert!(past_end.body.contains("2023-06-15"));
    assert_eq!(app.get("/announcements?page=abc").await.status, 200);
}

#[tokio::test]
async fn the_objection_form_validates_keeps_input_escapes_and_stores_nothing_on_error() {
    let app = demo().await;
    let page = "/notices/HN-GS-2026-2";
    let path = "/notices/HN-GS-2026-2/objections";
    let before = app.state.guohe.log().head().await.unwrap().unwrap().0;
    let empty = app
        .post_form(
            page,
            path,
            &[("application", ""), ("name", ""), ("contact", ""), ("content", "")],
        )
        .await;
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains("请选择本公示所列的申报"));
    assert!(empty.body.contains("异议须实名提出"));
    assert!(empty.body.contains("身份证号或联系方式"));
    assert!(empty.body.contains("请填写异议内容"));
    let long = "长".repeat(2001);
    let r = app
        .post_form(
            page,
            path,
            &[
                ("application", "HN-2026-201"),
                ("name", "王五"),
                ("contact", "13800000000"),
                ("content", &long),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("最多2000字"));
    assert!(r.body.contains("value=\"王五\""), "input kept");
    let script = "<script>alert(1)</script>";
    let r = app
        .post_form(
            page,
            path,
            &[
                ("application", "HN-2026-201"),
                ("name", script),
                ("contact", "x"),
                ("content", script),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(!r.body.contains(script), "shown escaped");
    assert!(r.body.contains("&#60;script&#62;alert(1)"), "{}", r.body);
    assert_eq!(
        app.state.guohe.log().head().await.unwrap().unwrap().0,
        before + app_audits_since(&app, before).await,
        "nothing stored"
    );

    let ok = app
        .post_form(
            page,
            path,
            &[
                ("application", "HN-2026-201"),
                ("name", "王五"),
                ("contact", "13800000000"),
                ("content", "外方合作单位资质存疑，请核实。"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.location(), "/notices/HN-GS-2026-2", "no message in the query string");
    let shown = app.get(&ok.location()).await;
    assert!(
        shown.body.contains("您的异议已受理，编号 HN-GS-2026-2-2"),
        "{}",
        shown.body
    );
    assert!(
        !app.get(&ok.location()).await.body.contains("您的异议已受理"),
        "the message is shown once"
    );
    let n = app
        .state
        .guohe
        .read(|w, _, _| w.notice("HN-GS-2026-2").unwrap().objections.len())
        .await;
    assert_eq!(n, 2);
    // An ended notice takes no objection.
    let r = app
        .post_form(
            page,
            "/notices/HN-GS-2026-1/objections",
            &[
                ("application", "HN-2026-101"),
                ("name", "王五"),
                ("contact", "138"),
                ("content", "迟到的异议"),
            ],
        )
        .await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("不在公示期内"));
}

/// Events appended since `seq` that are not domain events (audit records only).
async fn app_audits_since(app: &TestApp, seq: i64) -> i64 {
    let evs = app.state.guohe.log().read_all(seq, 10_000).await.unwrap();
    assert!(
        evs.iter().all(|e| e.stream.starts_with("audit/")),
        "{:?}",
        evs.iter().map(|e| &e.kind).collect::<Vec<_>>()
    );
    evs.len() as i64
}

#[tokio::test]
async fn roles_see_only_their_own_records() {
    let app = demo().await;
    let r = app.login("hn-xjsw", guohe_web::demo::DEMO_PASSWORD).await;
    assert_eq!(r.location(), "/unit");
    let unit = app.get("/unit").await.body;
    assert!(
        unit.contains("HN-2026-101") && !unit.contains("HN-2026-102"),
        "a unit sees only its own"
    );
    app.post_form("/unit", "/logout", &[]).await;
    app.login("rec-changsha", guohe_web::demo::DEMO_PASSWORD).await;
    let rec = app.get("/recommender").await.body;
    assert!(
        rec.contains("HN-2026-201") && !rec.contains("HN-2026-103") && !rec.contains("HB-2023"),
        "jurisdiction 4301 only"
    );
    app.post_form("/recommender", "/logout", &[]).await;
    app.login("expert-liu", guohe_web::demo::DEMO_PASSWORD).await;
    let ex = app.get("/expert").await.body;
    assert!(!ex.contains("HN-2026-102"), "never the expert's own unit");
    assert!(ex.contains("HN-2026-101"));
}

#[tokio::test]
async fn the_dashboard_counts_stages_and_lists_what_is_due() {
    let app = demo().await;
    app.login("hn-dept", guohe_web::demo::DEMO_PASSWORD).await;
    let r = app.get("/dept").await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("公示中") && r.body.contains("实名异议待处理"),
        "{}",
        r.body
    );
    assert!(r.body.contains("限期整改截止"));
}

#[tokio::test]
async fn policy_compare_page_shows_the_differences_with_their_articles() {
    // 湖北第二十二条第一款：年度考核；湖南不设年度考核（第十四条只要求年度报告）。
    let app = demo().await;
    let r = app.get("/policies/compare?a=hunan-2026&b=hubei-2022").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("年度考核"), "{}", r.body);
    // The cited article links to its text.
    assert!(
        r.body
            .contains("title=\"hubei-2022:22(1)\"><a href=\"/policies/hubei-2022#art-22\">第二十二条第一款</a></cite>")
    );
    assert!(r.body.contains("终止并注销命名") && r.body.contains("限期整改"));
    // The identical public-notice period is folded, not in the table.
    assert!(r.body.contains("<details class=\"same\">"));
    // Without parameters: the form; an unknown id: 400 naming the field.
    let form = app.get("/policies/compare").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"a\"") && !form.body.contains("id=\"differences\""));
    let bad = app.get("/policies/compare?a=hunan-2026&b=nowhere-1999").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("nowhere-1999"), "{}", bad.body);
}

/// The register's answers for visitors (page, CSV, API) are kept and reused, and any new event
/// makes them stale: the next answer counts the base just carried over.
#[tokio::test]
async fn cached_register_answers_follow_every_new_event() {
    let app = demo().await;
    let api_total = |body: &str| -> u64 {
        serde_json::from_str::<serde_json::Value>(body).unwrap()["total"]
            .as_u64()
            .unwrap()
    };
    let page = total(&app.get("/bases?policy=hubei-2022").await.body);
    let csv = app.get("/bases.csv?policy=hubei-2022").await.body.lines().count();
    let api = app.get("/api/v1/bases?policy=hubei-2022").await;
    assert_eq!(api.status, 200);
    assert!(api.header("content-type").starts_with("application/json"));
    let api = api_total(&api.body);
    assert!(app.state.pages.len() >= 3, "the three answers are kept");
    let again = app.get("/bases?policy=hubei-2022").await;
    assert_eq!(total(&again.body), page);
    assert!(again.header("content-type").starts_with("text/html"));

    let actor = guohe_domain::Actor::parse("dept:hb-dept").unwrap();
    let uscc = guohe_web::demo::uscc_of(guohe_web::demo::UNITS.iter().find(|u| u.login == "hb-jcyl").unwrap());
    let cmd: guohe_domain::Command = serde_json::from_value(serde_json::json!({
        "type": "CarryOverBase", "base_id": "HB-2015-CACHE", "policy": "hubei-2022",
        "official_name": "湖北省缓存测试国际科技合作基地", "unit_name": "湖北江城医疗器械有限公司",
        "uscc": uscc, "domain": "医疗器械", "director": "测试负责人",
        "partner_country": "KR", "recognised_on": "2015-06-01"
    }))
    .unwrap();
    app.state
        .guohe
        .execute(&actor, app.state.today(), cmd)
        .await
        .map_err(|e| e.message_zh())
        .unwrap();

    let after = app.get("/bases?policy=hubei-2022").await;
    assert_eq!(total(&after.body), page + 1);
    assert!(after.body.contains("湖北省缓存测试国际科技合作基地"));
    assert_eq!(
        app.get("/bases.csv?policy=hubei-2022").await.body.lines().count(),
        csv + 1
    );
    assert_eq!(
        api_total(&app.get("/api/v1/bases?policy=hubei-2022").await.body),
        api + 1
    );
}
