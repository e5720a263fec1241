//! 三权分立 — account administration with separated duties (GB/T 22239-2019 §8.1.4.2, §8.1.5):
//! the system administrator keeps accounts and organisations, the security administrator the
//! policy, locks and sessions, the audit administrator the audit log; none does another's job
//! or a business step, every act is on the chain, and a password set by someone else (or
//! expired) must be changed before anything else.

use crate::api_common;

use api_common::{Client, DEMO, Resp, demo_app};
use guohe_web::demo::{DemoUnit, uscc_of};
use hyper::Method;

const NEW_PASSWORD: &str = "Xinmima#2026ok";

/// Posts a page form with the session's CSRF token.
async fn form(c: &Client<'_>, path: &str, pairs: &[(&str, &str)]) -> Resp {
    let token = c.csrf().await;
    let body = serde_urlencoded::to_string(pairs).unwrap();
    c.raw(
        Method::POST,
        path,
        Some(("application/x-www-form-urlencoded", body)),
        &[("x-csrf-token", &token)],
    )
    .await
}

/// A valid USCC of a Hunan enterprise not in the demo (`head` "91"), or of a 个体工商户 ("92").
fn new_uscc(head: &str) -> String {
    let unit = DemoUnit {
        login: "x",
        name: "x",
        kind: "enterprise",
        affiliation: "local",
        region: "430100",
        org: "MA7Q9K2X",
    };
    let code = uscc_of(&unit);
    if head == "91" {
        return code;
    }
    let stem = format!("{head}{}", &code[2..17]);
    ('0'..='9')
        .chain('A'..='Z')
        .map(|c| format!("{stem}{c}"))
        .find(|c| guohe_reference::uscc::is_valid(c))
        .expect("a check character")
}

#[tokio::test]
async fn the_system_administrator_creates_an_account_whose_first_sign_in_changes_the_password() {
    let app = demo_app().await;
    let sys = Client::new(&app);
    sys.login("sys-admin").await;

    // Bad input: every field named, nothing created, what was typed kept (never the password).
    let r = form(
        &sys,
        "/admin/system/accounts",
        &[
            ("login", "Zhang San"),
            ("display_name", ""),
            ("role", "expert"),
            ("province", "99"),
            ("org_id", "123"),
            ("password", "Secret#2026abc"),
        ],
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    for f in [
        "login-err",
        "display_name-err",
        "province-err",
        "org_id-err",
        "title-err",
        "unit_name-err",
    ] {
        assert!(
            r.body.contains(&format!("id=\"{f}\">")) && !r.body.contains(&format!("id=\"{f}\"></p>")),
            "{f} has a message"
        );
    }
    assert!(r.body.contains("value=\"Zhang San\""), "kept what was typed");
    assert!(!r.body.contains("Secret#2026abc"), "never echoes the password");
    assert!(app.state.accounts.account("zhang san").await.unwrap().is_none());

    // A Hubei expert with a profile.
    let r = form(
        &sys,
        "/admin/system/accounts",
        &[
            ("login", "expert-gao"),
            ("display_name", "高明"),
            ("role", "expert"),
            ("province", "42"),
            ("org_id", &api_common::uscc("hb-ljsw")),
            ("title", "研究员"),
            ("unit_name", "武汉光电研究院"),
            ("domains", "光电子、新材料"),
            ("password", "Chushi#2026pass"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let a = app.state.accounts.account("expert-gao").await.unwrap().unwrap();
    assert_eq!((a.province.as_str(), a.must_change_password), ("42", true));
    assert_eq!(a.profile.domains, vec!["光电子".to_string(), "新材料".to_string()]);
    assert!(
        !app.audit("AccountCreated")
            .await
            .iter()
            .all(|e| e.actor != "user:sys-admin")
    );

    // Its first sign-in: nothing but changing the password.
    let gao = Client::new(&app);
    gao.login_with("expert-gao", "Chushi#2026pass").await;
    let r = gao.get("/expert").await;
    assert_eq!((r.status, r.header("location").as_str()), (303, "/account?due=1"));
    assert!(gao.get("/account?due=1").await.body.contains("id=\"password-due\""));
    assert_eq!(
        gao.get("/api/v1/applications").await.problem(403)["code"],
        "password_change_required"
    );
    let r = form(
        &gao,
        "/account/password",
        &[
            ("current", "Chushi#2026pass"),
            ("new", NEW_PASSWORD),
            ("confirm", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(gao.get("/expert").await.status, 200, "free once changed");

    // The system administrator takes no business step and does no other administrator's job.
    assert_eq!(sys.get("/dept").await.status, 403);
    assert_eq!(sys.get("/admin/security").await.status, 403);
    assert_eq!(sys.get("/admin/audit").await.status, 403);
    let p = sys
        .command(serde_json::json!({"type": "CloseRound", "round": "HN-2026-2", "confirm": true}))
        .await
        .problem(403);
    assert!(p["detail"].as_str().unwrap().contains("三权分立"), "{p}");
}

#[tokio::test]
async fn deactivating_is_confirmed_never_deletes_and_ends_the_sessions() {
    let app = demo_app().await;
    let sys = Client::new(&app);
    sys.login("sys-admin").await;
    let unit = Client::new(&app);
    unit.login("hn-xjsw").await;
    assert_eq!(unit.get("/unit").await.status, 200);

    let r = form(&sys, "/admin/system/accounts/hn-xjsw/active", &[("active", "no")]).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("请确认"), "a confirmation first");
    assert!(
        app.state.accounts.account("hn-xjsw").await.unwrap().unwrap().active,
        "nothing yet"
    );
    let r = form(
        &sys,
        "/admin/system/accounts/hn-xjsw/active",
        &[("active", "no"), ("confirmed", "yes")],
    )
    .await;
    assert_eq!(r.status, 303);
    let a = app
        .state
        .accounts
        .account("hn-xjsw")
        .await
        .unwrap()
        .expect("kept, not deleted");
    assert!(!a.active);
    assert_eq!(unit.get("/unit").await.status, 303, "its session ended");
    assert!(
        app.audit("AccountDisabled")
            .await
            .iter()
            .any(|e| e.payload["account"] == "hn-xjsw")
    );
    let r = form(&sys, "/admin/system/accounts/hn-xjsw/active", &[("active", "yes")]).await;
    assert_eq!(r.status, 303);
    assert!(app.state.accounts.account("hn-xjsw").await.unwrap().unwrap().active);

    // A reset password must be changed at the next sign-in.
    let r = form(
        &sys,
        "/admin/system/accounts/hn-xjsw/password",
        &[("password", "short")],
    )
    .await;
    assert_eq!(r.status, 400);
    let r = form(
        &sys,
        "/admin/system/accounts/hn-xjsw/password",
        &[("password", "Chongzhi#2026x")],
    )
    .await;
    assert_eq!(r.status, 303);
    let again = Client::new(&app);
    again.login_with("hn-xjsw", "Chongzhi#2026x").await;
    assert_eq!(again.get("/unit").await.header("location"), "/account?due=1");

    // Organisations: the jurisdiction is checked against GB/T 2260.
    let r = form(
        &sys,
        "/admin/system/organisations",
        &[
            ("id", "rec-changde"),
            ("name", "常德市科学技术局"),
            ("province", "43"),
            ("regions", "4207 9999"),
        ],
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("“4207”") && r.body.contains("“9999”"),
        "both bad codes named"
    );
    let r = form(
        &sys,
        "/admin/system/organisations",
        &[
            ("id", "rec-changde"),
            ("name", "常德市科学技术局"),
            ("province", "43"),
            ("regions", "4307"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let o = app.state.accounts.organisation("rec-changde").await.unwrap().unwrap();
    assert_eq!(
        (o.province.as_str(), o.region_prefixes.clone()),
        ("43", vec!["4307".to_string()])
    );
}

#[tokio::test]
async fn the_security_administrator_keeps_the_policy_locks_and_sessions() {
    let app = demo_app().await;
    let sec = Client::new(&app);
    sec.login("sec-admin").await;
    assert!(
        sec.get("/admin/security").await.body.contains("value=\"90\""),
        "90 days by default"
    );

    let r = form(
        &sec,
        "/admin/security",
        &[
            ("password_expiry_days", "0"),
            ("throttle_after", "x"),
            ("throttle_cap_minutes", "15"),
            ("idle_minutes", "60"),
        ],
    )
    .await;
    assert_eq!(r.status, 400);
    for f in ["password_expiry_days", "throttle_after", "idle_minutes"] {
        assert!(!r.body.contains(&format!("id=\"{f}-err\"></p>")), "{f} is named");
    }
    let r = form(
        &sec,
        "/admin/security",
        &[
            ("password_expiry_days", "30"),
            ("throttle_after", "5"),
            ("throttle_cap_minutes", "20"),
            ("idle_minutes", "30"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        app.state
            .accounts
            .security_settings()
            .await
            .unwrap()
            .password_expiry_days,
        30
    );
    assert!(!app.audit("SecuritySettingsChanged").await.is_empty());

    // A password older than the expiry must be changed.
    let acct = app.state.accounts.account("hn-zngy").await.unwrap().unwrap();
    let old = chrono::Utc::now() - chrono::Duration::days(31);
    app.state
        .accounts
        .set_password("hn-zngy", &acct.password_hash, old)
        .await
        .unwrap();
    let stale = Client::new(&app);
    stale.login("hn-zngy").await;
    assert_eq!(stale.get("/unit").await.header("location"), "/account?due=1");

    // Unlocking and ending sessions.
    let until = chrono::Utc::now() + chrono::Duration::minutes(15);
    guohe_web::accounts::lock(&app.state, "system:test", "hn-hyhj", until)
        .await
        .unwrap();
    assert!(
        sec.get("/admin/security").await.body.contains("hn-hyhj"),
        "listed as locked"
    );
    let r = form(&sec, "/admin/security/unlock/hn-hyhj", &[]).await;
    assert_eq!(r.status, 200);
    let unit = Client::new(&app);
    unit.login("hn-hyhj").await;
    assert_eq!(unit.get("/unit").await.status, 200, "unlocked");
    let r = form(&sec, "/admin/security/sessions/end", &[("login", "hn-hyhj")]).await;
    assert_eq!(r.status, 200);
    assert_eq!(unit.get("/unit").await.status, 303, "its session was ended");
    assert!(
        app.audit("SessionsEnded")
            .await
            .iter()
            .any(|e| e.payload["account"] == "hn-hyhj")
    );

    // No business, no other duty.
    assert_eq!(sec.get("/admin/system").await.status, 403);
    assert_eq!(sec.get("/dept/applications").await.status, 403);
}

#[tokio::test]
async fn only_the_audit_administrator_reads_and_verifies_the_audit_log() {
    let app = demo_app().await;
    let audit = Client::new(&app);
    audit.login("audit-admin").await;
    let page = audit.get("/admin/audit").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("LoginSucceeded"), "sign-ins are on the log");
    let csv = audit.get("/admin/audit?format=csv").await;
    assert!(
        csv.header("content-type").starts_with("text/csv"),
        "{}",
        csv.header("content-type")
    );
    let r = form(&audit, "/admin/audit/verify", &[]).await;
    assert!(r.body.contains("id=\"verify-result\""), "{}", r.body);
    assert_eq!(
        audit.post("/api/v1/audit/verify", &serde_json::json!({})).await.json()["intact"],
        true
    );
    let dept = Client::new(&app);
    dept.login("hn-dept").await;
    assert_eq!(dept.get("/api/v1/audit").await.problem(403)["code"], "forbidden");
    assert_eq!(audit.get("/dept").await.status, 403);
}

#[tokio::test]
async fn a_unit_registers_itself_and_its_provinces_department_approves_it() {
    let app = demo_app().await;
    let anon = Client::new(&app);
    anon.get("/register").await;
    let good = new_uscc("91");

    // Bad input, named field by field, keeping what was typed.
    let r = form(
        &anon,
        "/register",
        &[
            ("display_name", "长沙新材料有限公司"),
            ("uscc", "91430100XXXXXXXX00"),
            ("login", "cs-xcl"),
            ("password", "Zhuce#2026abc"),
            ("confirm", "other"),
        ],
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("统一社会信用代码无效") && r.body.contains("两次输入的口令不一致"));
    assert!(r.body.contains("value=\"长沙新材料有限公司\""));
    let sole = new_uscc("92");
    let r = form(
        &anon,
        "/register",
        &[
            ("display_name", "某个体户"),
            ("uscc", &sole),
            ("login", "gt-one"),
            ("password", "Zhuce#2026abc"),
            ("confirm", "Zhuce#2026abc"),
        ],
    )
    .await;
    assert!(r.body.contains("个体工商户不是独立法人"), "{}", r.body);

    let r = form(
        &anon,
        "/register",
        &[
            ("display_name", "长沙新材料有限公司"),
            ("uscc", &good),
            ("login", "cs-xcl"),
            ("password", "Zhuce#2026abc"),
            ("confirm", "Zhuce#2026abc"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"registered\""));
    let a = app.state.accounts.account("cs-xcl").await.unwrap().unwrap();
    assert!(a.pending_approval && !a.active);
    assert_eq!(a.province, "43", "registered in Changsha");

    // It cannot sign in yet; the other province's department does not see it.
    let unit = Client::new(&app);
    assert_eq!(unit.login_with("cs-xcl", "Zhuce#2026abc").await.status, 401);
    let hb = Client::new(&app);
    hb.login("hb-dept").await;
    assert!(!hb.get("/dept/registrations").await.body.contains("cs-xcl"));
    assert_eq!(
        form(&hb, "/dept/registrations/cs-xcl", &[("decision", "approve")])
            .await
            .status,
        403
    );

    let hn = Client::new(&app);
    hn.login("hn-dept").await;
    assert!(hn.get("/dept/registrations").await.body.contains("cs-xcl"));
    let r = form(&hn, "/dept/registrations/cs-xcl", &[("decision", "approve")]).await;
    assert_eq!(r.status, 303);
    assert!(
        app.audit("RegistrationApproved")
            .await
            .iter()
            .any(|e| e.actor == "user:hn-dept")
    );
    assert_eq!(unit.login_with("cs-xcl", "Zhuce#2026abc").await.status, 200);
    assert_eq!(unit.get("/unit").await.status, 200);
    let _ = DEMO;
}

/// 账号管理: the list is found a page at a time by the database — search, filters, order, a page
/// past the last, the CSV with the same choices — and an unknown filter value matches nothing.
#[tokio::test]
async fn the_account_list_searches_filters_orders_and_pages() {
    let app = demo_app().await;
    let now = chrono::Utc::now();
    for i in 0..25 {
        let a = guohe_store::NewAccount {
            login: format!("zz-acct-{i:02}"),
            display_name: format!("列表测试单位{i:02}"),
            role: guohe_store::AccountRole::SupportUnit,
            org_id: Some(new_uscc("91")),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            province: "43".into(),
            must_change_password: false,
            profile: Default::default(),
            pending_approval: false,
        };
        app.state.accounts.create_account(&a, now).await.expect("account");
    }
    app.state
        .accounts
        .set_active("zz-acct-07", false)
        .await
        .expect("disable");
    let sys = Client::new(&app);
    sys.login("sys-admin").await;
    let link = |login: &str| format!("/admin/system/accounts/{login}\"");
    let shown = |body: &str| {
        (0..25)
            .filter(|i| body.contains(&link(&format!("zz-acct-{i:02}"))))
            .count()
    };

    let first = sys.get("/admin/system?q=ZZ-ACCT").await;
    assert_eq!(first.status, 200);
    assert_eq!(shown(&first.body), 20, "20 to a page");
    assert!(first.body.contains(&link("zz-acct-00")) && !first.body.contains(&link("hn-dept")));
    let second = sys.get("/admin/system?q=zz-acct&page=2").await;
    assert_eq!(shown(&second.body), 5);
    assert!(second.body.contains(&link("zz-acct-24")) && !second.body.contains(&link("zz-acct-00")));
    // A page past the last shows the last.
    assert_eq!(shown(&sys.get("/admin/system?q=zz-acct&page=99").await.body), 5);
    // Reversed by login: the last account first.
    let desc = sys.get("/admin/system?q=zz-acct&sort=0&dir=desc").await;
    assert!(desc.body.contains(&link("zz-acct-24")) && !desc.body.contains(&link("zz-acct-00")));
    // Search in the name; the standing filter.
    assert_eq!(shown(&sys.get("/admin/system?q=列表测试单位1").await.body), 10);
    let disabled = sys.get("/admin/system?q=zz-acct&status=disabled").await;
    assert_eq!(shown(&disabled.body), 1);
    assert!(disabled.body.contains(&link("zz-acct-07")));
    assert_eq!(shown(&sys.get("/admin/system?q=zz-acct&status=nope").await.body), 0);
    assert_eq!(shown(&sys.get("/admin/system?q=zz-acct&province=42").await.body), 0);
    // The role filter: the demo's experts, none of the new units.
    let experts = sys.get("/admin/system?role=expert").await;
    assert!(experts.body.contains(&link("expert-liu")) && shown(&experts.body) == 0);
    // The CSV has every match, not one page.
    let csv = sys.get("/admin/system?q=zz-acct&format=csv").await;
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert_eq!(csv.body.lines().filter(|l| l.contains("zz-acct-")).count(), 25);
}
