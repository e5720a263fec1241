//! API sign-in and sign-out: the same session, throttling, second factor and audit as the page, the CSRF header
//! on every write, problem details on every failure.

use crate::api_common;
use crate::common;

use api_common::{Client, demo_app};
use hyper::Method;
use serde_json::json;

#[tokio::test]
async fn sign_in_who_am_i_and_sign_out() {
    let app = demo_app().await;
    let c = Client::new(&app);
    let anon = c.get("/api/v1/session").await;
    assert_eq!(anon.status, 200);
    let a = anon.json();
    assert_eq!(a["authenticated"], false);
    assert_eq!(a["csrf_token"].as_str().unwrap().len(), 64);

    let r = c.login("rec-changsha").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = r.json();
    assert_eq!(s["authenticated"], true);
    assert_eq!(s["account"]["role"], "recommender");
    assert_ne!(s["csrf_token"], a["csrf_token"], "a fresh token at sign-in");
    assert!(r.header("set-cookie").contains("HttpOnly"));

    let me = c.get("/api/v1/session").await.json();
    assert_eq!(me["account"]["login"], "rec-changsha");
    assert_eq!(me["csrf_token"], s["csrf_token"]);
    assert!(!app.audit("LoginSucceeded").await.is_empty());

    // The session also opens the pages: one sign-in for both.
    assert_eq!(c.get("/recommender").await.status, 200);

    let out = c.delete("/api/v1/session").await;
    assert_eq!(out.status, 204);
    assert_eq!(c.get("/api/v1/session").await.json()["authenticated"], false);
    assert_eq!(
        c.get("/api/v1/applications").await.problem(401)["code"],
        "unauthenticated"
    );
    assert!(!app.audit("LoggedOut").await.is_empty());
}

#[tokio::test]
async fn wrong_password_is_401_then_throttled_never_locked() {
    // A wait of a minute after the fifth failure: with the default second, a machine slow enough
    // between two requests saw the sixth arrive after its wait and be checked.
    let app = common::spawn_with(common::Options {
        demo: true,
        tweak: |c| c.throttle_base = std::time::Duration::from_secs(60),
        ..Default::default()
    })
    .await;
    let c = Client::new(&app);
    for _ in 0..5 {
        let p = c.login_with("hn-dept", "Wrong@Pass2026").await.problem(401);
        assert_eq!(p["code"], "login_failed");
    }
    // The sixth comes too early: it is not checked, and says how long to wait.
    let r = c.login("hn-dept").await;
    let p = r.problem(429);
    assert_eq!(p["code"], "login_throttled");
    let wait: u64 = r.header("retry-after").parse().expect("Retry-After");
    assert!((1..=900).contains(&wait), "{wait}");
    assert!(p["detail"].as_str().unwrap().contains("秒后再试"), "{p}");
    assert_eq!(app.audit("LoginThrottled").await.len(), 1);
    assert!(app.audit("AccountLocked").await.is_empty(), "failures never lock");
    // Unknown logins say the same thing as wrong passwords.
    assert_eq!(c.login("nobody-here").await.problem(401)["code"], "login_failed");
}

#[tokio::test]
async fn writes_need_the_csrf_header() {
    let app = demo_app().await;
    let c = Client::new(&app);
    // No token at all: refused before anything is read.
    let body = json!({ "login": "hn-dept", "password": api_common::DEMO }).to_string();
    let r = c
        .raw(
            Method::POST,
            "/api/v1/session",
            Some(("application/json", body.clone())),
            &[],
        )
        .await;
    let p = r.problem(403);
    assert_eq!(p["code"], "csrf");
    assert!(p["detail_en"].as_str().unwrap().contains("X-CSRF-Token"));
    // A wrong token.
    c.csrf().await;
    let r = c
        .raw(
            Method::POST,
            "/api/v1/session",
            Some(("application/json", body)),
            &[("x-csrf-token", &"0".repeat(64))],
        )
        .await;
    assert_eq!(r.problem(403)["code"], "csrf");
    assert!(!app.audit("CsrfRefused").await.is_empty());

    // Signed in, a command without the header is refused and nothing happens.
    c.login("hn-dept").await;
    let cmd = json!({"type": "CloseRound", "round": "HN-2026-2"}).to_string();
    let r = c
        .raw(Method::POST, "/api/v1/commands", Some(("application/json", cmd)), &[])
        .await;
    assert_eq!(r.problem(403)["code"], "csrf");
    // A cross-site origin is refused even with the token.
    let token = c.csrf().await;
    let r = c
        .raw(
            Method::POST,
            "/api/v1/commands",
            Some((
                "application/json",
                json!({"type": "CloseRound", "round": "HN-2026-2"}).to_string(),
            )),
            &[("x-csrf-token", &token), ("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(r.problem(403)["code"], "csrf");
    // Wrong media type.
    let r = c
        .raw(
            Method::POST,
            "/api/v1/commands",
            Some(("text/plain", "{}".into())),
            &[("x-csrf-token", &token)],
        )
        .await;
    assert_eq!(r.problem(415)["code"], "unsupported_media_type");
}
