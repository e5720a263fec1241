//! `guohe notify --as-of DATE [--dry-run]`: the dry run prints what would go out and writes
//! nothing; the real run fills the inbox once however often it runs; mail goes only to an
//! account whose personal e-mail field is set.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use guohe_store::{AccountRole, AccountStore, EventLog, NewAccount, NotifyStore};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(db: &str, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guohe"));
    c.args(args).arg("--database").arg(db).current_dir(root());
    for (k, _) in std::env::vars() {
        if k.starts_with("GUOHE_SMTP_") {
            c.env_remove(k);
        }
    }
    c.output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

async fn notify_tables(db: &str) -> Option<i64> {
    let log = EventLog::connect(db).await.unwrap();
    let n = match NotifyStore::attach(&log).await.unwrap() {
        Some(s) => Some(s.count().await.unwrap()),
        None => None,
    };
    log.close().await;
    n
}

async fn head(db: &str) -> Option<(i64, String)> {
    let log = EventLog::connect(db).await.unwrap();
    let h = log.head().await.unwrap();
    log.close().await;
    h
}

/// A database with a Hubei base (annual report due 2027-01-15) and its unit's account `hb-unit`.
async fn seeded(dir: &Path) -> String {
    let db = format!("sqlite://{}", dir.join("guohe.db").display());
    let cmd = dir.join("carry.json");
    std::fs::write(
        &cmd,
        serde_json::json!({"type": "CarryOverBase", "base_id": "HB-OLD-1", "policy": "hubei-2022", "official_name": "湖北省新材料国际科技合作基地",
            "unit_name": "武汉示范新材料有限公司", "uscc": "91420100MA4K56786D", "domain": "新材料", "director": "赵强", "recognised_on": "2019-06-01"})
        .to_string(),
    )
    .unwrap();
    let o = run(
        &db,
        &[
            "apply",
            cmd.to_str().unwrap(),
            "--as",
            "dept:zhang",
            "--on",
            "2026-01-05",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    {
        let log = EventLog::connect(&db).await.unwrap();
        let accounts = AccountStore::open(&log).await.unwrap();
        accounts
            .create_account(
                &NewAccount {
                    login: "hb-unit".into(),
                    display_name: "武汉示范新材料有限公司".into(),
                    role: AccountRole::SupportUnit,
                    org_id: Some("91420100MA4K56786D".into()),
                    password_hash: "unused".into(),
                    province: "42".into(),
                    must_change_password: false,
                    profile: Default::default(),
                    pending_approval: false,
                },
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        log.close().await;
    }
    db
}

#[tokio::test]
async fn dry_run_prints_and_writes_nothing_then_the_pass_fills_the_inbox_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path()).await;
    let before = head(&db).await;

    let o = run(&db, &["notify", "--as-of", "2027-01-08", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    assert!(
        text.contains("annual_report:base/HB-OLD-1:2026:d-7:hb-unit") && text.contains("hb-unit"),
        "{text}"
    );
    assert!(text.contains("1 new, 0 already"), "{text}");
    // Nothing written: no notification tables, the chain unchanged.
    assert_eq!(notify_tables(&db).await, None);
    assert_eq!(head(&db).await, before);

    let o = run(&db, &["notify", "--as-of", "2027-01-08"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("enqueued 1"), "{}", out(&o));
    let o = run(&db, &["notify", "--as-of", "2027-01-09"]);
    assert!(out(&o).contains("enqueued 0"), "{}", out(&o));
    assert_eq!(notify_tables(&db).await, Some(1));

    // A dry run now sees it as already sent and still writes nothing.
    let o = run(&db, &["notify", "--as-of", "2027-01-14", "--dry-run"]);
    let text = out(&o);
    assert!(
        text.contains("d-1:hb-unit") && text.contains("1 new, 0 already"),
        "{text}"
    );
    let o = run(&db, &["notify", "--as-of", "2027-01-08", "--dry-run"]);
    assert!(out(&o).contains("0 new, 1 already"), "{}", out(&o));
    assert_eq!(notify_tables(&db).await, Some(1));
    assert_eq!(head(&db).await, before);
}

#[test]
fn bad_dates_and_relay_settings_are_refused_with_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let o = run(&db, &["notify", "--as-of", "2027-02-30", "--dry-run"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--as-of"), "{}", err(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_guohe"))
        .args(["notify", "--as-of", "2027-01-08", "--database", &db])
        .env("GUOHE_SMTP_URL", "smtp://127.0.0.1:2525")
        .env_remove("GUOHE_SMTP_FROM")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("GUOHE_SMTP_FROM"), "{}", err(&o));
}

/// The relay configured, but never reached: a dry run sends nothing.
fn dry_run_with_relay(db: &str, as_of: &str) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guohe"));
    c.args(["notify", "--as-of", as_of, "--dry-run", "--database", db])
        .current_dir(root());
    for (k, _) in std::env::vars() {
        if k.starts_with("GUOHE_SMTP_") {
            c.env_remove(k);
        }
    }
    c.env("GUOHE_SMTP_URL", "smtp://127.0.0.1:2525")
        .env("GUOHE_SMTP_TLS", "none")
        .env("GUOHE_SMTP_FROM", "guohe@example.gov.cn");
    c.output().unwrap()
}

#[tokio::test]
async fn mail_goes_only_to_an_account_whose_personal_information_holds_an_address() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path()).await;
    let o = dry_run_with_relay(&db, "2027-01-08");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("inbox      hb-unit"), "no address yet: {}", out(&o));

    // The address is the account's sealed e-mail field, set through the application service.
    let g = guohe_app::Guohe::open(&db, guohe_policy::PolicySet::default())
        .await
        .unwrap();
    g.set_account_field(
        "hb-unit",
        guohe_app::personal::AccountField::Email,
        "office@wh-materials.cn",
        "account:hb-unit",
        chrono::NaiveDate::from_ymd_opt(2027, 1, 7).unwrap(),
    )
    .await
    .unwrap();
    g.log().close().await;
    drop(g);
    let o = dry_run_with_relay(&db, "2027-01-08");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("mail+inbox hb-unit"), "{}", out(&o));
    // And the database file does not hold it in plaintext.
    let mut bytes = std::fs::read(dir.path().join("guohe.db")).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("guohe.db-wal")) {
        bytes.extend(wal);
    }
    let needle = b"office@wh-materials.cn";
    assert!(!bytes.windows(needle.len()).any(|w| w == needle));
}
