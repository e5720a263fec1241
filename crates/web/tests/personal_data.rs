//! Personal information on the real server with the demo data: nothing personal in the database
//! file, masked names for the public and full ones for the department, one's own phone and
//! e-mail on "my account", erasure shown as 「已删除」 with the chain intact, and a wrong or
//! missing key file stopping the start.

use crate::common;

use common::*;
use guohe_store::VerifyReport;
use guohe_web::ServeConfig;

const OBJECTOR: &str = "张建华";
const OBJECTOR_CONTACT: &str = "13807315678";
const PHONE: &str = "13912348765";

async fn demo() -> TestApp {
    spawn_with(Options {
        demo: true,
        ..Options::default()
    })
    .await
}

fn db_dir(app: &TestApp) -> std::path::PathBuf {
    let key_file = app
        .state
        .guohe
        .vault()
        .key_file()
        .expect("a key file beside the database");
    key_file.parent().unwrap().to_path_buf()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The subject of the demo objection to HN-GS-2026-2.
async fn objector_subject(app: &TestApp) -> String {
    let token = app
        .state
        .guohe
        .read(|w, _, _| {
            w.notice("HN-GS-2026-2")
                .unwrap()
                .objections
                .values()
                .next()
                .unwrap()
                .objector_real_name
                .clone()
        })
        .await;
    guohe_app::personal::subject_of(&token).expect("the stored name is a token")
}

#[tokio::test]
async fn the_database_file_holds_no_objector_name_contact_or_phone() {
    let app = demo().await;
    app.login("hn-xjsw", guohe_web::demo::DEMO_PASSWORD).await;
    let r = app
        .post_form(
            "/account",
            "/account/personal",
            &[("phone", PHONE), ("email", ""), ("action", "save")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let dir = db_dir(&app);
    let mut bytes = std::fs::read(dir.join("guohe.db")).unwrap();
    if let Ok(wal) = std::fs::read(dir.join("guohe.db-wal")) {
        bytes.extend(wal);
    }
    // The file is read as it is: non-personal text of the same events is there.
    assert!(
        contains(&bytes, "经费到位情况"),
        "objection content is not personal and stays readable"
    );
    for secret in ["李卫东", "0731-88886666", OBJECTOR, OBJECTOR_CONTACT, PHONE] {
        assert!(!contains(&bytes, secret), "{secret} is readable in the database file");
    }
}

#[tokio::test]
async fn the_public_sees_masked_names_and_the_department_sees_them_in_full() {
    let app = demo().await;
    let public = app.get("/notices/HN-GS-2026-2").await;
    assert_eq!(public.status, 200);
    assert!(
        public.body.contains("<td class=\"objector\">张**</td>"),
        "{}",
        public.body
    );
    assert!(!public.body.contains(OBJECTOR) && !public.body.contains(OBJECTOR_CONTACT));
    assert!(!public.body.contains("pii:v1:"), "no tokens on pages");

    app.login("hn-dept", guohe_web::demo::DEMO_PASSWORD).await;
    let dept = app.get("/dept/notices/HN-GS-2026-2").await;
    assert_eq!(dept.status, 200);
    assert!(
        dept.body.contains(OBJECTOR) && dept.body.contains(OBJECTOR_CONTACT),
        "{}",
        dept.body
    );
    assert!(!dept.body.contains("pii:v1:"));
}

#[tokio::test]
async fn erasing_the_objector_shows_erased_and_the_chain_still_verifies() {
    let app = demo().await;
    let subject = objector_subject(&app).await;
    let g = &app.state.guohe;
    assert!(g.erase_person(&subject, "admin:test", app.state.today()).await.unwrap());
    assert!(matches!(g.verify().await.unwrap(), VerifyReport::Intact { .. }));

    let public = app.get("/notices/HN-GS-2026-2").await;
    assert!(
        public.body.contains("<td class=\"objector\">已删除</td>"),
        "{}",
        public.body
    );
    app.login("hn-dept", guohe_web::demo::DEMO_PASSWORD).await;
    let dept = app.get("/dept/notices/HN-GS-2026-2").await;
    assert!(dept.body.contains("已删除"));
    assert!(!dept.body.contains(OBJECTOR) && !dept.body.contains(OBJECTOR_CONTACT));
    let en = app.get("/dept/notices/HN-GS-2026-2?lang=en").await;
    assert!(en.body.contains("erased"), "{}", en.body);

    let export = g
        .export_person(&subject, "admin:test", app.state.today())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(export.status, "erased");
    assert!(export.records.is_empty());
    assert_eq!(app.audit("PersonalDataErased").await.len(), 1);
}

#[tokio::test]
async fn my_account_keeps_phone_and_email_validated_and_shows_them_masked() {
    let app = demo().await;
    app.login("hn-xjsw", guohe_web::demo::DEMO_PASSWORD).await;
    let bad = app
        .post_form(
            "/account",
            "/account/personal",
            &[("phone", "12345"), ("email", "not-mail"), ("action", "save")],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("手机号码应为11位数字"), "{}", bad.body);
    assert!(bad.body.contains("电子邮箱格式不正确"));
    assert!(bad.body.contains("value=\"12345\""), "the form keeps what was typed");
    assert!(
        app.state.guohe.account_fields("hn-xjsw").await.unwrap().is_empty(),
        "nothing saved"
    );
    let forged = app
        .post_form("/account", "/account/personal", &[("phone", PHONE)])
        .await;
    assert_eq!(forged.status, 400, "a post without the page's button changes nothing");
    assert!(app.state.guohe.account_fields("hn-xjsw").await.unwrap().is_empty());

    let ok = app
        .post_form(
            "/account",
            "/account/personal",
            &[("phone", PHONE), ("email", "wang@xjsw.cn"), ("action", "save")],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert_eq!(ok.location(), "/account?saved=1");
    let page = app.get("/account?saved=1").await;
    assert!(page.body.contains("139****8765"), "{}", page.body);
    assert!(page.body.contains("w***@xjsw.cn"));
    assert_eq!(app.audit("AccountPersonalDataChanged").await.len(), 2);

    // Clearing one field removes it.
    app.post_form(
        "/account",
        "/account/personal",
        &[("phone", ""), ("email", "wang@xjsw.cn"), ("action", "save")],
    )
    .await;
    let fields = app.state.guohe.account_fields("hn-xjsw").await.unwrap();
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].1.value(), Some("wang@xjsw.cn"));

    // After erasure the page says so and no new value is taken.
    let g = &app.state.guohe;
    assert!(
        g.erase_person("account/hn-xjsw", "admin:test", app.state.today())
            .await
            .unwrap()
    );
    let page = app.get("/account").await;
    assert!(page.body.contains("已删除"), "{}", page.body);
    let refused = app
        .post_form(
            "/account",
            "/account/personal",
            &[("phone", PHONE), ("email", ""), ("action", "save")],
        )
        .await;
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("已按删除请求删除"), "{}", refused.body);
}

#[tokio::test]
async fn the_server_does_not_start_with_a_wrong_or_missing_key_file() {
    let app = demo().await;
    let dir = db_dir(&app);
    let url = format!("sqlite://{}", dir.join("guohe.db").display());
    let cfg = |key_file: std::path::PathBuf| ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: url.clone(),
        key_file: Some(key_file),
        argon2_memory_kib: 64,
        ..ServeConfig::default()
    };
    let missing = dir.join("elsewhere.keys.json");
    let e = format!(
        "{:#}",
        guohe_web::app(cfg(missing.clone())).await.err().expect("refused")
    );
    assert!(e.contains("elsewhere.keys.json") && e.contains("不存在"), "{e}");
    assert!(!missing.exists());

    let other = tempfile::tempdir().unwrap();
    let other_db = format!("sqlite://{}", other.path().join("guohe.db").display());
    guohe_app::Guohe::open(&other_db, guohe_policy::PolicySet::default())
        .await
        .unwrap();
    let e = format!(
        "{:#}",
        guohe_web::app(cfg(other.path().join("guohe.db.keys.json")))
            .await
            .err()
            .expect("refused")
    );
    assert!(e.contains("wrong key file") && e.contains("guohe.db.keys.json"), "{e}");
}
