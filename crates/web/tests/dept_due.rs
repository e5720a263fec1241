//! 待办与逾期 — the department's work queue: the dashboard counts what is due by kind and shows
//! the first items; `GET /dept/due` lists them page by page, one kind or all, for the
//! department's own province only.

use crate::common;

use chrono::NaiveDate;
use common::{Options, TestApp, spawn_with};

/// The demo on 10 January 2027, with `n` more Hubei bases carried over that day (湖北第三十一条
/// 第一项: bases recognised before the regulation join the register). Their 2026 annual report
/// is due on 15 January 2027 (湖北第二十二条第一款: 于每年1月15日前报送上一年度工作总结).
async fn demo_with_bases(n: usize) -> TestApp {
    let today = NaiveDate::from_ymd_opt(2027, 1, 10).unwrap();
    let app = spawn_with(Options {
        demo: true,
        today,
        ..Options::default()
    })
    .await;
    let actor = guohe_domain::Actor::parse("dept:hb-dept").unwrap();
    let uscc = guohe_web::demo::uscc_of(guohe_web::demo::UNITS.iter().find(|u| u.login == "hb-jcyl").unwrap());
    for i in 1..=n {
        let cmd: guohe_domain::Command = serde_json::from_value(serde_json::json!({
            "type": "CarryOverBase", "base_id": format!("HB-2015-{i:03}"), "policy": "hubei-2022",
            "official_name": format!("湖北省待办测试{i:03}国际科技合作基地"), "unit_name": "湖北江城医疗器械有限公司",
            "uscc": uscc, "domain": "医疗器械", "director": format!("测试负责人{i:03}"),
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
    app
}

/// 湖北江城's 2026 annual report for `base`, filed on the business date.
async fn file_2026_report(app: &TestApp, base: &str) {
    let actor = guohe_domain::Actor::parse("unit:hb-jcyl").unwrap();
    let cmd: guohe_domain::Command = serde_json::from_value(serde_json::json!({
        "type": "SubmitAnnualReport", "base": base, "year": 2026, "submitted_on": "2027-01-10"
    }))
    .unwrap();
    app.state
        .guohe
        .execute(&actor, app.state.today(), cmd)
        .await
        .map_err(|e| e.message_zh())
        .unwrap();
}

/// The rows of the work-queue table.
fn rows(body: &str) -> Vec<&str> {
    let Some(i) = body.find("data-due-list") else {
        return Vec::new();
    };
    let table = &body[i..body[i..].find("</table>").map_or(body.len(), |j| i + j)];
    table.split("<tr").skip(2).collect()
}

/// The number in 共N项.
fn total(body: &str) -> usize {
    let i = body.find("<h2>共").expect("共N项") + "<h2>共".len();
    body[i..].split('项').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_dashboard_counts_by_kind_and_the_list_pages_the_rest() {
    let app = demo_with_bases(70).await;
    app.login("hb-dept", guohe_web::demo::DEMO_PASSWORD).await;
    let home = app.get("/dept").await;
    assert_eq!(home.status, 200, "{}", home.body);
    // The counts by kind link to each kind's list.
    assert!(home.body.contains("data-due-kinds"), "{}", home.body);
    assert!(
        home.body.contains("href=\"/dept/due?kind=annual_report\""),
        "{}",
        home.body
    );
    // The first 20 items, then a link to all of them.
    assert_eq!(rows(&home.body).len(), 20, "{}", home.body);
    assert!(home.body.contains("查看全部待办事项"), "{}", home.body);
    for r in rows(&home.body) {
        assert!(
            r.contains("href=\"/dept/"),
            "every item links to the department's page of its case: {r}"
        );
    }

    let all = app.get("/dept/due").await;
    assert_eq!(all.status, 200, "{}", all.body);
    let n = total(&all.body);
    assert!(
        (71..=100).contains(&n),
        "70 reports and the demo's own items, two pages: {n}"
    );
    assert_eq!(rows(&all.body).len(), 50);
    assert!(all.body.contains("aria-current=\"page\">1<"));
    let second = app.get("/dept/due?page=2").await;
    assert_eq!(rows(&second.body).len(), n - 50);
    // A page past the end shows the last; a page that is not a number the first.
    let past = app.get("/dept/due?page=99").await;
    assert_eq!(past.status, 200);
    assert!(past.body.contains("aria-current=\"page\">2<"));
    assert_eq!(rows(&app.get("/dept/due?page=abc").await.body).len(), 50);
    // The two pages together list every item once, overdue first, then by due date.
    let listed: Vec<&str> = rows(&all.body).into_iter().chain(rows(&second.body)).collect();
    assert_eq!(listed.len(), n);
    let first_due = listed
        .iter()
        .position(|r| !r.contains("class=\"overdue\""))
        .unwrap_or(n);
    assert!(
        listed[first_due..].iter().all(|r| !r.contains("class=\"overdue\"")),
        "overdue items come first"
    );

    // One kind: the annual reports of 2026, each due on 15 January 2027, none overdue yet.
    let reports = app.get("/dept/due?kind=annual_report").await;
    assert_eq!(reports.status, 200);
    let k = total(&reports.body);
    assert!(k >= 70, "{k}");
    let page: Vec<&str> = rows(&reports.body);
    assert_eq!(page.len(), 50);
    assert!(
        page.iter()
            .all(|r| r.contains("2026年度报告") && r.contains("2027-01-15")),
        "{}",
        reports.body
    );
    assert!(page.iter().all(|r| !r.contains("class=\"overdue\"")));
    let reports_2 = app.get("/dept/due?kind=annual_report&page=2").await;
    assert_eq!(rows(&reports_2.body).len(), k - 50);
    assert!(
        reports_2
            .body
            .contains("href=\"/dept/due?kind=annual_report&#38;page=1\""),
        "{}",
        reports_2.body
    );

    // An unknown kind is named, and everything is shown.
    let bad = app.get("/dept/due?kind=nope").await;
    assert_eq!(bad.status, 200);
    assert!(bad.body.contains("事项类型（kind）“nope”不存在"), "{}", bad.body);
    assert_eq!(total(&bad.body), n);
    let en = app.get("/dept/due?kind=annual_report&lang=en").await;
    assert!(en.body.contains("Annual report 2026"), "{}", en.body);
}

#[tokio::test]
async fn each_province_sees_its_own_work_only() {
    let app = demo_with_bases(3).await;
    app.login("hn-dept", guohe_web::demo::DEMO_PASSWORD).await;
    let hn = app.get("/dept/due?kind=annual_report").await;
    assert_eq!(hn.status, 200);
    assert!(
        !hn.body.contains("湖北省待办测试"),
        "Hunan's department does not see Hubei's bases"
    );
    assert!(!app.get("/dept").await.body.contains("湖北省待办测试"));
    app.post_form("/dept", "/logout", &[]).await;
    app.login("hb-dept", guohe_web::demo::DEMO_PASSWORD).await;
    let hb = app.get("/dept/due?kind=annual_report").await;
    assert_eq!(hb.body.matches("湖北省待办测试").count(), 3, "{}", hb.body);
    // Filing a report takes it off the list at once.
    file_2026_report(&app, "HB-2015-001").await;
    let after = app.get("/dept/due?kind=annual_report").await;
    assert_eq!(after.body.matches("湖北省待办测试").count(), 2, "{}", after.body);
    assert!(!after.body.contains("湖北省待办测试001"));
}

#[tokio::test]
async fn the_work_queue_is_the_departments_only() {
    let app = demo_with_bases(0).await;
    assert_eq!(app.get("/dept/due").await.status, 303, "anonymous: to the sign-in page");
    app.login("hb-jcyl", guohe_web::demo::DEMO_PASSWORD).await;
    assert_eq!(app.get("/dept/due").await.status, 403);
}

/// The number in the dashboard's link to the whole queue (查看全部待办事项（N）).
fn dashboard_total(body: &str) -> usize {
    let i = body.find("查看全部待办事项（").expect("the link to the whole queue") + "查看全部待办事项（".len();
    body[i..].split('）').next().unwrap().parse().unwrap()
}

/// The dashboard's content is rendered once for a province, a language, the events folded in and
/// the day, and shared by the province's department accounts: it must still change with the next
/// event, keep each province's work apart, and carry each session's own header (name, sign-out
/// token).
#[tokio::test]
async fn the_shared_dashboard_follows_each_event_and_keeps_each_sessions_header() {
    let app = demo_with_bases(25).await;
    app.login("hb-dept", guohe_web::demo::DEMO_PASSWORD).await;
    let first = app.get("/dept").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("<title>工作台 · "), "{}", first.body);
    assert_eq!(app.get("/dept").await.body, first.body, "the same session, nothing new");
    let before = dashboard_total(&first.body);

    file_2026_report(&app, "HB-2015-001").await;
    let after = app.get("/dept").await;
    assert_eq!(
        dashboard_total(&after.body),
        before - 1,
        "the report filed leaves the queue at once"
    );

    let en = app.get("/dept?lang=en").await;
    assert!(en.body.contains("Department dashboard") && !en.body.contains("省科技厅工作台"));
    let csrf_of = |body: &str| {
        let i = body.find("name=\"_csrf\" value=\"").expect("the sign-out form") + 20;
        body[i..i + 64].to_string()
    };
    let hubei_csrf = csrf_of(&after.body);

    app.post_form("/dept", "/logout", &[]).await;
    app.login("hn-dept", guohe_web::demo::DEMO_PASSWORD).await;
    let hunan = app.get("/dept").await;
    assert_eq!(hunan.status, 200);
    assert!(
        !hunan.body.contains("湖北省待办测试"),
        "Hunan's dashboard holds no Hubei base"
    );
    assert_ne!(
        csrf_of(&hunan.body),
        hubei_csrf,
        "each session signs out with its own token"
    );
}
