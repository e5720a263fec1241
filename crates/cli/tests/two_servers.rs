//! Two `guohe serve` processes on one PostgreSQL database: a case written by another process
//! (here `guohe apply`) is visible on both within moments, without either giving a command;
//! one server killed with SIGKILL leaves the other serving and following new writes; the chain
//! verifies afterwards. Set GUOHE_SKIP_POSTGRES=1 to skip where no server runs.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pg_admin() -> String {
    std::env::var("GUOHE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into())
}

/// The status of `GET path` on 127.0.0.1:port, or `None` when nothing answers.
fn status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &str, keys: &Path) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_guohe"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--today", "2026-06-01"])
        .arg("--database")
        .arg(db)
        .arg("--key-file")
        .arg(keys)
        .env_remove("GUOHE_DATABASE_URL")
        .env_remove("GUOHE_KEY_FILE")
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, port };
    let start = Instant::now();
    while status(port, "/healthz") != Some(200) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the server on {port} did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

fn guohe(db: &str, keys: &Path, args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_guohe"))
        .args(args)
        .arg("--database")
        .arg(db)
        .arg("--key-file")
        .arg(keys)
        .env_remove("GUOHE_DATABASE_URL")
        .env_remove("GUOHE_KEY_FILE")
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "guohe {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn carry(dir: &Path, id: &str) -> String {
    let f = dir.join(format!("{id}.json"));
    std::fs::write(
        &f,
        serde_json::json!({"type": "CarryOverBase", "base_id": id, "policy": "hubei-2022", "official_name": "湖北省新材料国际科技合作基地",
            "unit_name": "武汉示范新材料有限公司", "uscc": "91420100MA4K56786D", "domain": "新材料", "director": "赵强", "recognised_on": "2019-06-01"})
        .to_string(),
    )
    .unwrap();
    f.display().to_string()
}

/// How long until `GET path` answers 200 on `port` (panics after 10 s).
fn visible_after(port: u16, path: &str) -> Duration {
    let start = Instant::now();
    loop {
        if status(port, path) == Some(200) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{path} never appeared on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_servers_on_one_database_see_each_others_writes_and_survive_a_kill() {
    if std::env::var("GUOHE_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        eprintln!("GUOHE_SKIP_POSTGRES=1: skipping PostgreSQL test");
        return;
    }
    use sqlx::Connection;
    let admin = pg_admin();
    let name = format!(
        "guohe_two_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    );
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL on 127.0.0.1:5432");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let db = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.json");

    // The first start creates the key file; the second server shares it.
    let a = serve(&db, &keys);
    let mut b = serve(&db, &keys);
    assert_eq!(status(a.port, "/api/v1/bases/HB-OLD-1"), Some(404));
    assert_eq!(status(b.port, "/api/v1/bases/HB-OLD-1"), Some(404));

    guohe(
        &db,
        &keys,
        &[
            "apply",
            &carry(dir.path(), "HB-OLD-1"),
            "--as",
            "dept:zhang",
            "--on",
            "2026-06-01",
        ],
    );
    // The servers look for new events every 250 ms; allow for a loaded machine.
    let on_a = visible_after(a.port, "/api/v1/bases/HB-OLD-1");
    let on_b = visible_after(b.port, "/api/v1/bases/HB-OLD-1");
    assert!(
        on_a < Duration::from_secs(3) && on_b < Duration::from_secs(3),
        "{on_a:?} {on_b:?}"
    );

    // B dies without a chance to clean up; A keeps serving and following.
    b.child.kill().unwrap();
    b.child.wait().unwrap();
    guohe(
        &db,
        &keys,
        &[
            "apply",
            &carry(dir.path(), "HB-OLD-2"),
            "--as",
            "dept:zhang",
            "--on",
            "2026-06-02",
        ],
    );
    assert!(visible_after(a.port, "/api/v1/bases/HB-OLD-2") < Duration::from_secs(3));
    assert_eq!(status(a.port, "/bases"), Some(200));
    drop(b);
    drop(a);

    let verified = guohe(&db, &keys, &["audit", "verify"]);
    assert!(String::from_utf8_lossy(&verified.stdout).contains("intact:"));
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await;
}
