//! Sign-in that outsiders cannot abuse: the `next` parameter, throttling of failures (never a
//! lock-out, never an ended session), and the second factor (TOTP) of department accounts, on
//! the page and the API.

use crate::api_common;
use crate::common;

use std::time::Duration;

use api_common::Client;
use common::*;
use guohe_store::AccountRole;
use guohe_web::{second_factor, totp};
use serde_json::json;

const UNIT_USCC: &str = "91430100MA4L12346D";

fn throttled_quickly(cfg: &mut guohe_web::ServeConfig) {
    cfg.trust_forwarded_for = true;
    cfg.throttle_after = 3;
    cfg.throttle_base = Duration::from_secs(60);
    cfg.throttle_cap = Duration::from_secs(900);
    cfg.throttle_account_cap = Duration::from_secs(2);
}

/// Posts the sign-in form from a client address (X-Forwarded-For, trusted in these tests).
async fn login_from(app: &TestApp, ip: &str, login: &str, password: &str, otp: &str) -> Resp {
    let token = csrf_of(&app.get("/login").await.body);
    let body = serde_urlencoded::to_string([
        ("_csrf", token.as_str()),
        ("login", login),
        ("password", password),
        ("otp", otp),
    ])
    .unwrap();
    app.request(hyper::Method::POST, "/login", Some(body), &[("x-forwarded-for", ip)])
        .await
}

fn jar(app: &TestApp) -> std::collections::BTreeMap<String, String> {
    app.cookies.lock().unwrap().clone()
}

fn set_jar(app: &TestApp, j: std::collections::BTreeMap<String, String>) {
    *app.cookies.lock().unwrap() = j;
}

#[tokio::test]
async fn next_accepts_only_a_same_site_path() {
    let app = spawn_app().await;
    app.add_user("wang", AccountRole::SupportUnit, Some(UNIT_USCC)).await;
    for next in [
        "/\t/evil.example/",
        "//evil.example",
        "/\\evil",
        "/unit\u{7}",
        "/unit\r\nSet-Cookie: x=1",
        "https://evil.example/",
        "/ /evil.example",
        "/unit//evil.example",
    ] {
        app.cookies.lock().unwrap().clear();
        let token = csrf_of(&app.get("/login").await.body);
        let r = app
            .post(
                "/login",
                &[
                    ("_csrf", token.as_str()),
                    ("login", "wang"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "next={next:?}: {}", r.body);
        assert_eq!(r.location(), "/unit", "next={next:?} falls back to the role's home");
    }
    // The encoded form of the reported attack, through the query string of the sign-in page.
    app.cookies.lock().unwrap().clear();
    let page = app.get("/login?next=%2F%09%2Fevil.example%2F").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("name=\"next\" value=\"\""),
        "not carried into the form"
    );
    // A real same-site path is kept.
    let token = csrf_of(&page.body);
    let r = app
        .post(
            "/login",
            &[
                ("_csrf", token.as_str()),
                ("login", "wang"),
                ("password", PASSWORD),
                ("next", "/unit/drafts?x=1"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/unit/drafts?x=1");
}

#[tokio::test]
async fn anonymous_failures_neither_end_the_session_nor_lock_the_owner_out() {
    let app = spawn_with(Options {
        tweak: throttled_quickly,
        ..Options::default()
    })
    .await;
    app.add_user("zhang", AccountRole::Department, None).await;
    // The owner is signed in from the office.
    let otp = otp::code_for(&app.state, "zhang").await;
    let r = login_from(&app, "192.0.2.10", "zhang", PASSWORD, &otp).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let owner = jar(&app);

    // Someone else guesses from another address.
    set_jar(&app, Default::default());
    for i in 0..3 {
        let r = login_from(&app, "198.51.100.66", "zhang", &format!("Guess@{i}x2026"), "").await;
        assert_eq!(r.status, 401, "guess {i}");
    }
    assert_eq!(app.audit("LoginFailed").await.len(), 3);
    // Further guesses come too early: answered with the wait, not checked (no Argon2, no new
    // failure), and audited as throttled.
    for _ in 0..5 {
        let r = login_from(&app, "198.51.100.66", "zhang", PASSWORD, "").await;
        assert_eq!(r.status, 429, "{}", r.body);
        assert!(r.body.contains("秒后再试"), "{}", r.body);
        let wait: u64 = r.header("retry-after").parse().unwrap();
        assert!((50..=60).contains(&wait), "the pair waits the base delay: {wait}");
    }
    assert_eq!(app.audit("LoginThrottled").await.len(), 5);
    assert_eq!(
        app.audit("LoginFailed").await.len(),
        3,
        "early attempts are not checked"
    );
    assert!(app.audit("AccountLocked").await.is_empty());
    let account = app.state.accounts.account("zhang").await.unwrap().unwrap();
    assert!(account.locked_until.is_none(), "never locked");

    // The owner's live session goes on.
    set_jar(&app, owner);
    assert_eq!(app.get("/dept").await.status, 200, "the live session was not ended");

    // The owner signing in from another client waits at most the account cap (2 s here).
    set_jar(&app, Default::default());
    let otp = otp::code_for(&app.state, "zhang").await;
    let mut r = login_from(&app, "192.0.2.11", "zhang", PASSWORD, &otp).await;
    if r.status == 429 {
        let wait: u64 = r.header("retry-after").parse().unwrap();
        assert!(wait <= 2, "bounded by the account cap: {wait}");
        tokio::time::sleep(Duration::from_secs(wait)).await;
        r = login_from(&app, "192.0.2.11", "zhang", PASSWORD, &otp).await;
    }
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/dept");

    // The guesser is still held off; an administrator's unlock clears every counter of the
    // account, after which the next attempt is checked again.
    set_jar(&app, Default::default());
    assert_eq!(
        login_from(&app, "198.51.100.66", "zhang", "Guess@again2026", "")
            .await
            .status,
        429
    );
    guohe_web::accounts::unlock(&app.state, "user:admin", "zhang")
        .await
        .unwrap();
    assert_eq!(
        login_from(&app, "198.51.100.66", "zhang", "Guess@again2026", "")
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn a_burst_of_parallel_guesses_is_checked_only_up_to_the_threshold() {
    let app = std::sync::Arc::new(
        spawn_with(Options {
            tweak: throttled_quickly,
            ..Options::default()
        })
        .await,
    );
    app.add_user("wang", AccountRole::SupportUnit, Some(UNIT_USCC)).await;
    let token = csrf_of(&app.get("/login").await.body);
    let mut set = tokio::task::JoinSet::new();
    for i in 0..12 {
        let (app, token) = (app.clone(), token.clone());
        set.spawn(async move {
            let guess = format!("Guess@{i}x2026");
            app.post(
                "/login",
                &[("_csrf", token.as_str()), ("login", "wang"), ("password", &guess)],
            )
            .await
            .status
        });
    }
    let mut statuses = Vec::new();
    while let Some(s) = set.join_next().await {
        statuses.push(s.unwrap());
    }
    statuses.sort();
    // Exactly the threshold (3) are checked: the three counters are counted in one transaction,
    // so the attempt that is n-th on one counter is n-th on all, and none of the first three is
    // held back by an interleaving.
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(checked, 3, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        12 - checked,
        "{statuses:?}"
    );
    // (The audit records of a burst are not counted here: twelve writers at once can exhaust
    // the audit chain's retries.)
}

#[tokio::test]
async fn one_address_spraying_many_logins_is_throttled() {
    let app = spawn_with(Options {
        tweak: |c| {
            c.trust_forwarded_for = true;
            c.throttle_client_after = 4;
            c.throttle_base = Duration::from_secs(60);
        },
        ..Options::default()
    })
    .await;
    for i in 0..4 {
        let r = login_from(&app, "203.0.113.5", &format!("user{i}"), "Guess@2026xx", "").await;
        assert_eq!(r.status, 401);
    }
    let r = login_from(&app, "203.0.113.5", "user9", "Guess@2026xx", "").await;
    assert_eq!(r.status, 429, "a fifth login from the same address waits");
    // Another address is not affected.
    assert_eq!(
        login_from(&app, "203.0.113.6", "user9", "Guess@2026xx", "")
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn department_sign_in_needs_a_valid_unused_code_on_the_page() {
    let app = spawn_app().await;
    app.add_user("zhang", AccountRole::Department, None).await;
    // The right password without a code is refused like any failure.
    let r = app.login_without_otp("zhang", PASSWORD).await;
    assert_eq!(r.status, 401, "{}", r.body);
    let failed = app.audit("SecondFactorFailed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].payload["reason"], "missing");
    // A wrong code too.
    let r = app
        .post_form(
            "/login",
            "/login",
            &[("login", "zhang"), ("password", PASSWORD), ("otp", "000000")],
        )
        .await;
    let code = otp::code_for(&app.state, "zhang").await;
    if code != "000000" {
        assert_eq!(r.status, 401);
    }
    // A valid code signs in.
    let r = app
        .post_form(
            "/login",
            "/login",
            &[("login", "zhang"), ("password", PASSWORD), ("otp", &code)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/dept");
    assert_eq!(app.get("/dept").await.status, 200);
    // The same code again (signed out, same time step) is a replay: refused.
    app.post_form("/dept", "/logout", &[]).await;
    let r = app
        .post_form(
            "/login",
            "/login",
            &[("login", "zhang"), ("password", PASSWORD), ("otp", &code)],
        )
        .await;
    assert_eq!(r.status, 401, "replayed code");
    let failed = app.audit("SecondFactorFailed").await;
    assert_eq!(failed.last().unwrap().payload["reason"], "replayed");
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let app = spawn_app().await;
    app.add_user_unenrolled("zhang", AccountRole::Department, None).await;
    let (_, codes) = second_factor::enrol_confirmed(&app.state, "system:test", "zhang")
        .await
        .unwrap();
    assert_eq!(codes.len(), totp::RECOVERY_CODES);
    let hashes = app.audit("SecondFactorEnrolled").await;
    assert_eq!(hashes.len(), 1);
    assert!(
        !hashes[0].payload.to_string().contains(&codes[0]),
        "no recovery code on the chain"
    );
    let code = codes[3].to_uppercase();
    let r = app
        .post_form(
            "/login",
            "/login",
            &[("login", "zhang"), ("password", PASSWORD), ("otp", &code)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let used = app.audit("RecoveryCodeUsed").await;
    assert_eq!(used.len(), 1);
    assert_eq!(used[0].payload["remaining"], 9);
    app.post_form("/dept", "/logout", &[]).await;
    let r = app
        .post_form(
            "/login",
            "/login",
            &[("login", "zhang"), ("password", PASSWORD), ("otp", &code)],
        )
        .await;
    assert_eq!(r.status, 401, "a spent recovery code");
}

#[tokio::test]
async fn an_unenrolled_department_account_must_enrol_before_anything_else() {
    let app = spawn_app().await;
    app.add_user_unenrolled("lixia", AccountRole::Department, None).await;
    let r = app.login_without_otp("lixia", PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/account/2fa");
    // Nothing else until enrolled.
    for path in ["/dept", "/dept/applications", "/account", "/bases"] {
        let r = app.get(path).await;
        assert_eq!(r.status, 303, "{path}");
        assert_eq!(r.location(), "/account/2fa", "{path}");
    }
    assert_eq!(app.get("/api/v1/applications").await.status, 403);
    let session = app.get("/api/v1/session").await;
    assert!(
        session.body.contains("\"must_enrol_second_factor\":true"),
        "{}",
        session.body
    );

    // The page shows the QR code inline (SVG) and the secret to type.
    let page = app.get("/account/2fa").await;
    assert_eq!(page.status, 200);
    let qr = &page.body[page.body.find("id=\"qr\"").expect("qr")..];
    assert!(qr.contains("<svg") && qr.contains("<path"), "inline SVG QR code");
    let key = "id=\"totp-secret\">";
    let i = page.body.find(key).unwrap() + key.len();
    let secret: String = page.body[i..].chars().take_while(|c| *c != '<').collect();
    let bytes = totp::base32_decode(&secret).expect("base32 secret");
    assert_eq!(bytes.len(), totp::SECRET_BYTES);
    assert!(
        app.get("/account/2fa").await.body.contains(&secret),
        "the same secret until confirmed"
    );

    // A wrong code is refused, a right one enrols and shows the recovery codes once.
    let r = app
        .post_form("/account/2fa", "/account/2fa", &[("code", "12345")])
        .await;
    assert_eq!(r.status, 400);
    let code = totp::code_at(&bytes, chrono::Utc::now().timestamp());
    let r = app.post_form("/account/2fa", "/account/2fa", &[("code", &code)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"recovery-codes\""));
    assert!(r.body.matches("<li>").count() >= totp::RECOVERY_CODES);
    let enrolled = app.audit("SecondFactorEnrolled").await;
    assert_eq!(enrolled.len(), 1);
    assert_eq!(enrolled[0].payload["account"], "lixia");
    assert_eq!(app.get("/dept").await.status, 200, "enrolled: the work area opens");
    let again = app.get("/account/2fa").await;
    assert!(again.body.contains("已启用动态口令") && !again.body.contains("<svg"));
    // From now on the code is needed, and the one used to confirm is spent.
    app.post_form("/dept", "/logout", &[]).await;
    let r = app
        .post_form(
            "/login",
            "/login",
            &[("login", "lixia"), ("password", PASSWORD), ("otp", &code)],
        )
        .await;
    assert_eq!(r.status, 401, "the confirming code cannot be replayed");
}

#[tokio::test]
async fn the_api_needs_the_code_too() {
    let app = api_common::demo_app().await;
    let c = Client::new(&app);
    let p = c
        .post(
            "/api/v1/session",
            &json!({ "login": "hn-dept", "password": api_common::DEMO }),
        )
        .await
        .problem(401);
    assert_eq!(p["code"], "login_failed");
    let otp = otp::code_for(&app.state, "hn-dept").await;
    let r = c
        .post(
            "/api/v1/session",
            &json!({ "login": "hn-dept", "password": api_common::DEMO, "otp": otp }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["must_enrol_second_factor"], false);
    assert_eq!(c.get("/api/v1/applications").await.status, 200);
    // Replayed through another client: refused.
    let other = Client::new(&app);
    let p = other
        .post(
            "/api/v1/session",
            &json!({ "login": "hn-dept", "password": api_common::DEMO, "otp": otp }),
        )
        .await
        .problem(401);
    assert_eq!(p["code"], "login_failed");
}

#[tokio::test]
async fn the_demo_prints_each_department_secret_beside_its_login() {
    let app = api_common::demo_app().await;
    let text = guohe_web::demo::logins_text(&app.state).await.unwrap();
    // The department and the three administrators sign in with a second factor.
    for login in ["hn-dept", "hb-dept", "sys-admin", "sec-admin", "audit-admin"] {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().any(|w| w == login))
            .unwrap_or_else(|| panic!("{login} in {text}"));
        let secret = line
            .split("TOTP secret: ")
            .nth(1)
            .expect("secret on the login's line")
            .trim();
        let stored = second_factor::confirmed(&app.state, login).await.unwrap().unwrap();
        assert_eq!(secret, stored.secret);
        assert_eq!(totp::base32_decode(secret).unwrap().len(), totp::SECRET_BYTES);
    }
    assert_eq!(
        text.matches("TOTP secret: ").count(),
        5,
        "only the accounts with a second factor: {text}"
    );
}

#[tokio::test]
async fn a_reset_second_factor_must_be_enrolled_again() {
    let app = spawn_app().await;
    app.add_user("zhang", AccountRole::Department, None).await;
    assert_eq!(app.login("zhang", PASSWORD).await.status, 303);
    let account = app.get("/account").await;
    assert!(account.body.contains("href=\"/account/2fa\""), "linked from my account");
    app.post_form("/dept", "/logout", &[]).await;
    second_factor::reset(&app.state, "user:admin", "zhang").await.unwrap();
    assert_eq!(app.audit("SecondFactorReset").await.len(), 1);
    let r = app.login_without_otp("zhang", PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/account/2fa");
    assert_eq!(app.get("/dept").await.location(), "/account/2fa");
}
