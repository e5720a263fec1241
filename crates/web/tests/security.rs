//! Sign-in, sessions, CSRF, headers and error pages, over real HTTP (throttling and the second
//! factor: `signin.rs`).

use crate::common;

use std::time::Duration;

use common::*;
use guohe_store::AccountRole;

#[tokio::test]
async fn login_succeeds_and_is_audited_and_logout_ends_the_session() {
    let app = spawn_app().await;
    app.add_user("zhang", AccountRole::Department, None).await;
    let r = app.login("zhang", PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/dept");
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("guohe_sid="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let home = app.get("/dept").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("工作台"));
    assert_eq!(
        home.header("cache-control"),
        "no-store",
        "authenticated pages are not cached"
    );
    let ok = app.audit("LoginSucceeded").await;
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].actor, "user:zhang");
    assert_eq!(ok[0].payload["ip"], "127.0.0.1");
    assert_eq!(ok[0].payload["user_agent"], "guohe-test");
    assert!(ok[0].payload["at"].as_str().is_some());

    let out = app.post_form("/dept", "/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(app.audit("LoggedOut").await.len(), 1);
    let again = app.get("/dept").await;
    assert_eq!(again.status, 303);
    assert!(
        again.location().starts_with("/login?next=/dept"),
        "{}",
        again.location()
    );
}

#[tokio::test]
async fn failed_login_says_the_same_whether_or_not_the_login_exists() {
    let app = spawn_app().await;
    app.add_user("lilei", AccountRole::Department, None).await;
    let wrong = app.login("lilei", "Wrong@Password1").await;
    let unknown = app.login("nobody", "Wrong@Password1").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    let msg = |b: &str| {
        b[b.find("alert error").unwrap()..]
            .split("</div>")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(msg(&wrong.body), msg(&unknown.body));
    assert!(wrong.body.contains("用户名、口令或动态口令错误"));
    assert!(wrong.body.contains("value=\"lilei\""), "the login typed is kept");
    let failed = app.audit("LoginFailed").await;
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0].payload["reason"], "bad_password");
    assert_eq!(failed[1].payload["reason"], "unknown_login");
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = spawn_with(Options {
        idle: Duration::from_secs(2),
        ..Options::default()
    })
    .await;
    app.add_user("zhao", AccountRole::Department, None).await;
    assert_eq!(app.login("zhao", PASSWORD).await.status, 303);
    assert_eq!(app.get("/dept").await.status, 200);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let r = app.get("/dept").await;
    assert_eq!(r.status, 303);
    assert!(r.location().contains("expired=1"), "{}", r.location());
    let page = app.get(&r.location()).await;
    assert!(
        page.body.contains("会话因30分钟无操作已超时") || page.body.contains("超时"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn posts_without_or_with_a_wrong_csrf_token_are_refused_and_audited() {
    let app = spawn_app().await;
    app.add_user("sun", AccountRole::Department, None).await;
    app.get("/login").await;
    let none = app.post("/login", &[("login", "sun"), ("password", PASSWORD)]).await;
    assert_eq!(none.status, 403);
    assert!(none.body.contains("请求来源校验失败"));
    let wrong = app
        .post(
            "/login",
            &[("_csrf", &"0".repeat(64)), ("login", "sun"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(wrong.status, 403);
    assert!(app.audit("LoginSucceeded").await.is_empty(), "nothing happened");
    assert_eq!(app.audit("CsrfRefused").await.len(), 2);
    // A signed-in session's token is its own: the anonymous one no longer works.
    let anon = csrf_of(&app.get("/login").await.body);
    assert_eq!(app.login("sun", PASSWORD).await.status, 303);
    let r = app.post("/logout", &[("_csrf", &anon)]).await;
    assert_eq!(r.status, 403);
    // A cross-site origin is refused even with the right token.
    let token = csrf_of(&app.get("/dept").await.body);
    let body = serde_urlencoded::to_string([("_csrf", token.as_str())]).unwrap();
    let cross = app
        .request(
            hyper::Method::POST,
            "/logout",
            Some(body.clone()),
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(cross.status, 403);
    let site = app
        .request(
            hyper::Method::POST,
            "/logout",
            Some(body.clone()),
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(site.status, 403);
    let same = app
        .request(
            hyper::Method::POST,
            "/logout",
            Some(body),
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(same.status, 303);
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = spawn_app().await;
    for path in ["/", "/bases", "/login", "/nope", "/static/guohe.css", "/bases.csv"] {
        let r = app.get(path).await;
        let csp = r.header("content-security-policy");
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(r.header("x-frame-options"), "DENY", "{path}");
        assert_eq!(r.header("referrer-policy"), "same-origin", "{path}");
        assert!(r.header("permissions-policy").contains("camera=()"), "{path}");
    }
    let page = app.get("/bases").await.body;
    assert!(
        !page.contains("<script>") && !page.contains(" style="),
        "no inline script or style"
    );
}

#[tokio::test]
async fn not_found_and_forbidden_pages_in_both_languages() {
    let app = spawn_app().await;
    let r = app.get("/no/such/page").await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("页面不存在"));
    let r = app.get("/no/such/page?lang=en").await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("Not found"));
    // The language sticks (cookie).
    assert!(app.get("/bases/none").await.body.contains("does not exist"));
    app.get("/bases?lang=zh").await;

    app.add_user("unit1", AccountRole::SupportUnit, Some("91430100MA4L12346D"))
        .await;
    assert_eq!(app.login("unit1", PASSWORD).await.status, 303);
    let r = app.get("/dept").await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("无权访问该工作区"), "{}", r.body);
    let refused = app.audit("PermissionRefused").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].actor, "user:unit1");
    assert_eq!(refused[0].payload["path"], "/dept");
    assert_eq!(app.get("/unit").await.status, 200);
    assert_eq!(app.get("/expert").await.status, 403);
}

#[tokio::test]
async fn password_change_checks_the_rule_and_rotates_the_session() {
    let app = spawn_app().await;
    app.add_user("qian", AccountRole::Expert, Some("91430100MA4L12346D"))
        .await;
    app.login("qian", PASSWORD).await;
    let weak = app
        .post_form(
            "/account",
            "/account/password",
            &[("current", PASSWORD), ("new", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(weak.status, 400);
    assert!(weak.body.contains("口令过短"), "{}", weak.body);
    let new = "Review#Expert2027";
    let ok = app
        .post_form(
            "/account",
            "/account/password",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(app.get("/account?changed=1").await.status, 200);
    assert_eq!(app.audit("PasswordChanged").await.len(), 1);
    app.post_form("/account", "/logout", &[]).await;
    assert_eq!(app.login("qian", PASSWORD).await.status, 401);
    assert_eq!(app.login("qian", new).await.status, 303);
}

#[tokio::test]
async fn a_database_failure_shows_a_generic_page_without_sql() {
    let app = spawn_app().await;
    app.add_user("heping", AccountRole::Department, None).await;
    let token = csrf_of(&app.get("/login").await.body);
    app.state.guohe.log().close().await;
    let r = app
        .post(
            "/login",
            &[("_csrf", &token), ("login", "heping"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 500);
    assert!(r.body.contains("系统内部错误"));
    assert!(r.body.contains("参考编号"));
    for leak in ["SELECT", "sqlx", "sqlite", "pool", "accounts", "panicked"] {
        assert!(!r.body.contains(leak), "{leak} leaked: {}", r.body);
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = spawn_app().await;
    let token = csrf_of(&app.get("/login").await.body);
    let big = "x".repeat(100 * 1024);
    let r = app
        .post("/login", &[("_csrf", &token), ("login", &big), ("password", "x")])
        .await;
    assert_eq!(r.status, 413);
}

/// An anonymous CSRF token is minted into a cookie only where a form can use it (an HTML page,
/// and `GET /api/v1/session` that hands it to programs), not on every JSON, CSV or other answer
/// to a client that never writes.
#[tokio::test]
async fn an_anonymous_token_cookie_is_set_only_where_a_form_can_use_it() {
    let app = spawn_app().await;
    for (path, expected) in [
        ("/api/v1/bases", false),
        ("/api/v1/openapi.json", false),
        ("/bases.csv", false),
        ("/static/guohe.css", false),
        ("/bases", true),
        ("/login", true),
        ("/api/v1/session", true),
    ] {
        app.cookies.lock().unwrap().clear();
        let r = app.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        let sets = r
            .headers
            .get_all("set-cookie")
            .iter()
            .any(|v| v.to_str().unwrap_or("").starts_with("guohe_csrf="));
        assert_eq!(sets, expected, "{path}");
    }
}
