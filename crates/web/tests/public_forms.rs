//! Public forms that outsiders cannot abuse: real-name objections are limited per client and
//! notice and refused when repeated, on the page and the API; success messages come from the
//! server, never from the query string.

use crate::api_common;
use crate::common;

use api_common::Client;
use common::*;
use serde_json::json;

const NOTICE: &str = "HN-GS-2026-2";

fn limited(cfg: &mut guohe_web::ServeConfig) {
    cfg.objections_per_day = 2;
}

async fn demo_with_limit() -> TestApp {
    spawn_with(Options {
        demo: true,
        tweak: limited,
        ..Options::default()
    })
    .await
}

async fn lodge(app: &TestApp, name: &str, content: &str) -> Resp {
    let page = format!("/notices/{NOTICE}");
    app.post_form(
        &page,
        &format!("/notices/{NOTICE}/objections"),
        &[
            ("application", "HN-2026-201"),
            ("name", name),
            ("contact", "13800000000"),
            ("content", content),
        ],
    )
    .await
}

async fn objections(app: &TestApp) -> usize {
    app.state
        .guohe
        .read(|w, _, _| w.notice(NOTICE).unwrap().objections.len())
        .await
}

#[tokio::test]
async fn a_message_in_the_query_string_is_never_shown() {
    let app = api_common::demo_app().await;
    for q in [
        "?lodged=%3Cscript%3E%E4%BB%BB%E6%84%8F%E6%96%87%E6%9C%AC",
        "?lodged=HN-GS-2026-2-%3Cscript%3E%E4%BB%BB%E6%84%8F%E6%96%87%E6%9C%AC",
    ] {
        let r = app.get(&format!("/notices/{NOTICE}{q}")).await;
        assert_eq!(r.status, 200);
        assert!(!r.body.contains("任意文本"), "{q}");
        assert!(!r.body.contains("<script>"), "{q}");
        assert!(!r.body.contains("alert ok"), "{q}: no success box");
    }
    // The other pages that used to take a message from the query string.
    app.add_user(
        "wang",
        guohe_store::AccountRole::SupportUnit,
        Some("91430100MA4L12346D"),
    )
    .await;
    assert_eq!(app.login("wang", PASSWORD).await.status, 303);
    let r = app.get("/account?changed=%E4%BB%BB%E6%84%8F%E6%96%87%E6%9C%AC").await;
    assert_eq!(r.status, 200);
    assert!(!r.body.contains("alert ok") && !r.body.contains("任意文本"));
    app.post_form("/account", "/logout", &[]).await;
    // A unit's application page said "submitted" whenever the link asked it to.
    assert_eq!(app.login("hn-xjsw", api_common::DEMO).await.status, 303);
    let r = app.get("/unit/applications/HN-2026-207?submitted=1").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains("申报已提交"), "no message from the query string");
}

#[tokio::test]
async fn a_real_objection_shows_the_real_message_once() {
    let app = api_common::demo_app().await;
    let r = lodge(&app, "王五", "外方合作单位资质存疑，请核实。").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), format!("/notices/{NOTICE}"));
    let page = app.get(&r.location()).await;
    assert!(
        page.body.contains("您的异议已受理，编号 HN-GS-2026-2-2"),
        "{}",
        page.body
    );
    assert!(!app.get(&r.location()).await.body.contains("您的异议已受理"));
}

#[tokio::test]
async fn objections_are_limited_per_client_and_notice_and_duplicates_refused_on_the_page() {
    let app = demo_with_limit().await;
    let before = objections(&app).await;
    assert_eq!(lodge(&app, "王五", "资质存疑，请核实。").await.status, 303);
    // The same objection again: refused with a clear message, nothing stored.
    let dup = lodge(&app, "王五", "资质存疑，请核实。").await;
    assert_eq!(dup.status, 409, "{}", dup.body);
    assert!(dup.body.contains("同一异议已经受理"), "{}", dup.body);
    assert_eq!(objections(&app).await, before + 1);
    // A different one is fine, up to the limit (2 here) per client per notice per day.
    assert_eq!(lodge(&app, "王五", "合作协议已过期。").await.status, 303);
    let over = lodge(&app, "赵六", "经费到位情况存疑。").await;
    assert_eq!(over.status, 429, "{}", over.body);
    assert!(over.body.contains("最多提交2条异议"), "{}", over.body);
    assert_eq!(objections(&app).await, before + 2);
}

#[tokio::test]
async fn objections_are_limited_and_duplicates_refused_in_the_api() {
    let app = demo_with_limit().await;
    let c = Client::new(&app);
    let path = format!("/api/v1/notices/{NOTICE}/objections");
    let body = json!({"application": "HN-2026-201", "objector_real_name": "王建设", "contact": "13900000000",
        "content": "请核实外方合作协议的有效期。"});
    assert_eq!(c.post(&path, &body).await.status, 201);
    let p = c.post(&path, &body).await.problem(409);
    assert_eq!(p["code"], "duplicate_objection");
    assert!(p["detail_en"].as_str().unwrap().contains("already received"));
    let mut other = body.clone();
    other["content"] = json!("另一事实：经费未到位。");
    assert_eq!(c.post(&path, &other).await.status, 201);
    other["content"] = json!("第三条。");
    let p = c.post(&path, &other).await.problem(429);
    assert_eq!(p["code"], "objection_limit");
}
