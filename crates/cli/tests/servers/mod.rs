//! What the tests of several `guohe serve` processes on one PostgreSQL database share: a fresh
//! database, servers on free ports, the command line on the same database, a department account
//! with a second factor, and a small HTTP/1.1 client (std only, `Connection: close`) that signs
//! in through the API and sends commands. Set GUOHE_SKIP_POSTGRES=1 to skip where no server runs.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pg_admin() -> String {
    std::env::var("GUOHE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into())
}

/// `true` (and a note on stderr) when PostgreSQL tests are switched off.
pub fn skip_postgres() -> bool {
    let skip = std::env::var("GUOHE_SKIP_POSTGRES").is_ok_and(|v| v == "1");
    if skip {
        eprintln!("GUOHE_SKIP_POSTGRES=1: skipping PostgreSQL test");
    }
    skip
}

/// A new database on the test server, dropped by [`Database::drop_now`].
pub struct Database {
    pub url: String,
    name: String,
    admin: sqlx::PgConnection,
}

impl Database {
    pub async fn create(prefix: &str) -> Database {
        use sqlx::Connection;
        let admin_url = pg_admin();
        let name = format!(
            "{prefix}_{}_{}",
            std::process::id(),
            chrono::Utc::now().timestamp_micros()
        );
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("PostgreSQL on 127.0.0.1:5432");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
        Database { url, name, admin }
    }

    /// A connection to the database itself, to read what the servers wrote.
    pub async fn connect(&self) -> sqlx::PgConnection {
        use sqlx::Connection;
        sqlx::PgConnection::connect(&self.url).await.unwrap()
    }

    pub async fn drop_now(mut self) {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut self.admin)
        .await;
    }
}

/// The status of `GET path` on 127.0.0.1:port, or `None` when nothing answers.
pub fn status(port: u16, path: &str) -> Option<u16> {
    call(port, "GET", path, None, None).map(|r| r.status)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Server {
    pub child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `guohe ARGS` on the database and key file given, whatever the environment says.
fn command(db: &str, keys: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guohe"));
    c.args(args)
        .arg("--database")
        .arg(db)
        .arg("--key-file")
        .arg(keys)
        .env_remove("GUOHE_DATABASE_URL")
        .env_remove("GUOHE_KEY_FILE")
        .current_dir(root());
    c
}

/// `guohe serve` on a free port with the business date 2026-06-01 and `extra` options; returns
/// once it answers `/healthz`.
pub fn serve(db: &str, keys: &Path, extra: &[&str]) -> Server {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut args = vec!["serve", "--bind", &bind, "--today", "2026-06-01"];
    args.extend_from_slice(extra);
    let child = command(db, keys, &args)
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

/// `guohe ARGS` on the database; panics unless it succeeds.
pub fn guohe(db: &str, keys: &Path, args: &[&str]) -> Output {
    let o = command(db, keys, args).output().unwrap();
    assert!(
        o.status.success(),
        "guohe {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// A carried-over Hubei base (`CarryOverBase`) as a command.
pub fn carry_command(id: &str) -> Value {
    json!({"type": "CarryOverBase", "base_id": id, "policy": "hubei-2022", "official_name": "湖北省新材料国际科技合作基地",
        "unit_name": "武汉示范新材料有限公司", "uscc": "91420100MA4K56786D", "domain": "新材料", "director": "赵强", "recognised_on": "2019-06-01"})
}

/// The same command in a file, for `guohe apply`.
pub fn carry(dir: &Path, id: &str) -> String {
    let f = dir.join(format!("{id}.json"));
    std::fs::write(&f, carry_command(id).to_string()).unwrap();
    f.display().to_string()
}

/// How long until `GET path` answers 200 on `port` (panics after 10 s).
pub fn visible_after(port: u16, path: &str) -> Duration {
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

// ---------- the department's account ----------

/// The department account the tests sign in with.
pub struct Department {
    pub login: &'static str,
    pub password: &'static str,
    /// The authenticator's secret (base32).
    pub secret: String,
}

/// Creates a Hubei department account with a confirmed second factor on the database, through
/// the application itself (as `guohe serve` would), before any server starts. The first opening
/// creates the key file the servers then share.
pub async fn department(db: &str, keys: &Path) -> Department {
    let cfg = guohe_web::ServeConfig {
        database_url: db.into(),
        key_file: Some(keys.to_path_buf()),
        // A cheap hash: the servers read its parameters from the hash itself.
        argon2_memory_kib: 64,
        ..guohe_web::ServeConfig::default()
    };
    let (_, state) = guohe_web::app(cfg).await.expect("the application on the database");
    let d = Department {
        login: "dept-zhang",
        password: "Guohe@Test2026",
        secret: String::new(),
    };
    guohe_web::accounts::create_account(
        &state,
        "system:test",
        guohe_web::accounts::NewUser {
            login: d.login.into(),
            display_name: "湖北省科技厅国际合作处".into(),
            role: guohe_store::AccountRole::Department,
            org_id: None,
            password: d.password.into(),
            province: "42".into(),
            must_change_password: false,
            profile: Default::default(),
            pending_approval: false,
        },
    )
    .await
    .expect("create the department account");
    let (secret, _) = guohe_web::second_factor::enrol_confirmed(&state, "system:test", d.login)
        .await
        .expect("enrol the second factor");
    Department { secret, ..d }
}

// ---------- HTTP ----------

/// An answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The value of cookie `name` set by this answer.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split(';').next()?.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

/// A signed-in session: its cookie and CSRF token. Sessions are kept in the shared database, so
/// one signed in on one server is good on every server.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// The text of a request with a JSON body (if any), the session's cookie and CSRF header.
pub fn request_text(method: &str, path: &str, session: Option<&Session>, body: Option<&Value>) -> String {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(s) = session {
        text.push_str(&format!("Cookie: {}\r\nX-CSRF-Token: {}\r\n", s.cookie, s.csrf));
    }
    let body = body.map(Value::to_string).unwrap_or_default();
    if !body.is_empty() {
        text.push_str("Content-Type: application/json\r\n");
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    text
}

/// Connects to the server on `port` (`None` when nothing listens).
pub fn connect(port: u16) -> Option<TcpStream> {
    let s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    Some(s)
}

/// Sends a request on a connection and reads the whole answer; `None` when the connection
/// fails or closes before a complete answer (e.g. the server died).
pub fn exchange(mut s: TcpStream, text: &str) -> Option<Reply> {
    s.write_all(text.as_bytes()).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    parse(&raw)
}

/// One request on a fresh connection.
pub fn call(port: u16, method: &str, path: &str, session: Option<&Session>, body: Option<&Value>) -> Option<Reply> {
    exchange(connect(port)?, &request_text(method, path, session, body))
}

fn parse(raw: &[u8]) -> Option<Reply> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.get(9..12)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let rest = &raw[end + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else {
        let len: Option<usize> = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok());
        match len {
            // A body cut short is no answer.
            Some(n) => rest.get(..n)?.to_vec(),
            None => rest.to_vec(),
        }
    };
    Some(Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).ok()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

/// Signs in through the API on `port` with a one-time code computed from the secret.
pub fn sign_in(port: u16, d: &Department) -> Session {
    let anonymous = call(port, "GET", "/api/v1/session", None, None).expect("GET /api/v1/session");
    let (sid_name, csrf_name) = guohe_web::security::cookie_names(false);
    let before = Session {
        cookie: format!(
            "{csrf_name}={}",
            anonymous.cookie(csrf_name).expect("an anonymous CSRF cookie")
        ),
        csrf: anonymous.json()["csrf_token"].as_str().expect("csrf_token").to_string(),
    };
    let key = guohe_web::totp::base32_decode(&d.secret).expect("the secret is base32");
    let otp = guohe_web::totp::code_at_step(&key, guohe_web::totp::step_of(chrono::Utc::now().timestamp()));
    let r = call(
        port,
        "POST",
        "/api/v1/session",
        Some(&before),
        Some(&json!({"login": d.login, "password": d.password, "otp": otp})),
    )
    .expect("POST /api/v1/session");
    assert_eq!(r.status, 200, "sign-in: {}", r.body);
    Session {
        cookie: format!("{sid_name}={}", r.cookie(sid_name).expect("a session cookie")),
        csrf: r.json()["csrf_token"].as_str().expect("csrf_token").to_string(),
    }
}
