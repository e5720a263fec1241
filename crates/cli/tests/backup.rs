//! `guohe backup` and `guohe restore` across database kinds, on the demo's data (accounts with
//! second factors, encrypted personal data, drafts, notifications, events, a signed checkpoint):
//! SQLite → PostgreSQL → SQLite gives the same world and a chain that verifies each time. A
//! backup whose chain was edited, or cut short with its head rewritten, is refused before
//! anything is written; so is a target that is not empty. Set GUOHE_SKIP_POSTGRES=1 to skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use guohe_app::Guohe;
use guohe_keys::KeyLocation;
use guohe_policy::PolicySet;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pg_admin() -> String {
    std::env::var("GUOHE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into())
}

fn guohe(db: &str, keys: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guohe"))
        .args(args)
        .arg("--database")
        .arg(db)
        .arg("--key-file")
        .arg(keys)
        .env_remove("GUOHE_DATABASE_URL")
        .env_remove("GUOHE_KEY_FILE")
        .current_dir(root())
        .output()
        .unwrap()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}\n{}", text(&o.stdout), text(&o.stderr));
    text(&o.stdout)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

async fn world(url: &str, keys: &Path) -> guohe_domain::World {
    let g = Guohe::open_with_keys(url, PolicySet::default(), KeyLocation::File(keys.to_path_buf()))
        .await
        .unwrap();
    g.read(|w, _, _| w.clone()).await
}

async fn pg_database(conn: &mut sqlx::PgConnection, tag: &str) -> (String, String) {
    let name = format!(
        "guohe_backup_{tag}_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    );
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut *conn)
        .await
        .unwrap();
    (format!("{}/{name}", pg_admin().rsplit_once('/').unwrap().0), name)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_moves_between_sqlite_and_postgresql_and_a_forged_one_is_refused() {
    if std::env::var("GUOHE_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        eprintln!("GUOHE_SKIP_POSTGRES=1: skipping PostgreSQL test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.json");
    let sqlite = format!("sqlite://{}", dir.path().join("demo.db").display());
    let cfg = guohe_web::ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: sqlite.clone(),
        key_file: Some(keys.clone()),
        demo: true,
        argon2_memory_kib: 64,
        ..guohe_web::ServeConfig::default()
    };
    let (_, state) = guohe_web::app(cfg).await.expect("the demo");
    let signed = state.guohe.sign_checkpoint(chrono::Utc::now()).await.unwrap();
    assert!(matches!(signed, guohe_app::checkpoints::Signed::New(_)), "{signed:?}");
    let accounts = state.accounts.accounts().await.unwrap().len();
    assert!(accounts > 10);
    let original = state.guohe.read(|w, _, _| w.clone()).await;
    drop(state);

    let file = dir.path().join("backup.json");
    let out = ok(guohe(&sqlite, &keys, &["backup", "-o", file.to_str().unwrap()]));
    assert!(out.contains("from sqlite"), "{out}");

    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&pg_admin())
        .await
        .expect("PostgreSQL on 127.0.0.1:5432");
    let (pg, pg_name) = pg_database(&mut conn, "a").await;
    let out = ok(guohe(&pg, &keys, &["restore", file.to_str().unwrap()]));
    assert!(out.contains("1 signed checkpoints verified"), "{out}");
    assert_eq!(world(&pg, &keys).await, original, "SQLite → PostgreSQL");
    let audit = ok(guohe(&pg, &keys, &["audit", "verify"]));
    assert!(audit.contains("agree with the chain"), "{audit}");
    let restored = guohe_store::AccountStore::open(&guohe_store::EventLog::connect(&pg).await.unwrap())
        .await
        .unwrap()
        .accounts()
        .await
        .unwrap();
    assert_eq!(
        restored.len(),
        accounts,
        "accounts with their second factors and profiles"
    );

    // Restoring again into the same database is refused: it is not empty.
    let o = guohe(&pg, &keys, &["restore", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("不是空库"), "{}", text(&o.stderr));

    // And back: PostgreSQL → a new SQLite file.
    let back_file = dir.path().join("back.json");
    ok(guohe(&pg, &keys, &["backup", "-o", back_file.to_str().unwrap()]));
    let sqlite2 = format!("sqlite://{}", dir.path().join("back.db").display());
    ok(guohe(&sqlite2, &keys, &["restore", back_file.to_str().unwrap()]));
    assert_eq!(world(&sqlite2, &keys).await, original, "PostgreSQL → SQLite");

    // A backup whose payload was edited is refused before anything is written.
    let mut b: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let events = b["tables"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["name"] == "events")
        .unwrap();
    let payload_col = events["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == "payload")
        .unwrap();
    let row = &mut events["rows"][3];
    let edited = row[payload_col].as_str().unwrap().replacen('"', "\"x", 1);
    row[payload_col] = serde_json::Value::from(edited);
    let forged = dir.path().join("forged.json");
    std::fs::write(&forged, b.to_string()).unwrap();
    let sqlite3 = format!("sqlite://{}", dir.path().join("forged.db").display());
    let o = guohe(&sqlite3, &keys, &["restore", forged.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("第 4 号记录"), "{}", text(&o.stderr));

    // A backup cut short with its head rewritten still fails its signed checkpoint.
    let mut b: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let tables = b["tables"].as_array_mut().unwrap();
    let events = tables.iter_mut().find(|t| t["name"] == "events").unwrap();
    let rows = events["rows"].as_array_mut().unwrap();
    rows.pop();
    let hash_col = 10;
    let last_hash = rows.last().unwrap()[hash_col].clone();
    let n = rows.len() as i64;
    let head = tables.iter_mut().find(|t| t["name"] == "chain_head").unwrap();
    head["rows"][0][1] = serde_json::Value::from(n);
    head["rows"][0][2] = last_hash.clone();
    b["events"] = serde_json::Value::from(n);
    b["head_hash"] = last_hash;
    let cut = dir.path().join("cut.json");
    std::fs::write(&cut, b.to_string()).unwrap();
    let o = guohe(&sqlite3, &keys, &["restore", cut.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("检查点"), "{}", text(&o.stderr));
    // Nothing was written by either refusal.
    let log = guohe_store::EventLog::connect(&sqlite3).await.unwrap();
    assert_eq!(log.head().await.unwrap(), None);

    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await;
}
