//! `spawn_app()`: the real server on 127.0.0.1 with a random port and a SQLite file in a temp
//! directory, driven over HTTP with a small cookie-keeping client (hyper, loopback only).
#![allow(dead_code)]

pub(crate) use crate::otp_support as otp;

pub mod lists;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use chrono::NaiveDate;
use guohe_store::AccountRole;
use guohe_web::accounts::{NewUser, create_account};
use guohe_web::{AppState, ServeConfig};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;

pub const PASSWORD: &str = "Guohe@Test2026";

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub cookies: Mutex<BTreeMap<String, String>>,
    _dir: tempfile::TempDir,
}

pub struct Resp {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
    pub fn location(&self) -> String {
        self.header("location")
    }
}

pub struct Options {
    pub idle: Duration,
    pub demo: bool,
    pub today: NaiveDate,
    /// The mail relay for notifications; `None` is inbox only.
    pub smtp: Option<guohe_notify::SmtpConfig>,
    /// Changes to the server's configuration (throttle settings, trusting X-Forwarded-For …).
    pub tweak: fn(&mut ServeConfig),
    /// Serve an existing database and key file (e.g. one prepared with the `guohe` command
    /// line) instead of a new one in a temporary directory.
    pub existing: Option<Existing>,
}

/// A database and key file made beforehand.
pub struct Existing {
    /// `sqlite://PATH`.
    pub database_url: String,
    /// The key file of personal data.
    pub key_file: std::path::PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            idle: Duration::from_secs(1800),
            demo: false,
            today: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            smtp: None,
            tweak: |_| {},
            existing: None,
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_with(Options::default()).await
}

pub async fn spawn_with(o: Options) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let (database_url, key_file) = match o.existing {
        Some(e) => (e.database_url, Some(e.key_file)),
        None => (format!("sqlite://{}", dir.path().join("guohe.db").display()), None),
    };
    let mut cfg = ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url,
        key_file,
        demo: o.demo,
        today: Some(o.today),
        idle_timeout: o.idle,
        // Cheap hashes keep the suite fast; the production default is 19 MiB.
        argon2_memory_kib: 64,
        smtp: o.smtp,
        ..ServeConfig::default()
    };
    (o.tweak)(&mut cfg);
    let (router, state) = guohe_web::app(cfg).await.expect("app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .await
            .unwrap();
    });
    TestApp {
        addr,
        state,
        cookies: Mutex::new(BTreeMap::new()),
        _dir: dir,
    }
}

impl TestApp {
    /// Creates an account; one whose role needs a second factor is enrolled at once (as the
    /// demo does), so [`TestApp::login`] can compute its code.
    pub async fn add_user(&self, login: &str, role: AccountRole, org: Option<&str>) {
        self.add_user_unenrolled(login, role, org).await;
        if guohe_web::second_factor::requires_second_factor(role) {
            guohe_web::second_factor::enrol_confirmed(&self.state, "system:test", login)
                .await
                .expect("enrol");
        }
    }

    /// Creates an account without enrolling a second factor.
    pub async fn add_user_unenrolled(&self, login: &str, role: AccountRole, org: Option<&str>) {
        create_account(
            &self.state,
            "system:test",
            NewUser {
                login: login.into(),
                display_name: format!("{login} 名称"),
                role,
                org_id: org.map(Into::into),
                password: PASSWORD.into(),
                // A unit's province comes from its USCC; other test accounts are Hubei's when
                // their login says so (`hb-…`), else Hunan's.
                province: if role == AccountRole::SupportUnit {
                    String::new()
                } else if login.starts_with("hb-") {
                    "42".into()
                } else {
                    "43".into()
                },
                must_change_password: false,
                profile: Default::default(),
                pending_approval: false,
            },
        )
        .await
        .expect("create account");
    }

    pub async fn request(&self, method: Method, path: &str, body: Option<String>, extra: &[(&str, &str)]) -> Resp {
        let stream = tokio::net::TcpStream::connect(self.addr).await.expect("connect");
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(conn);
        let cookie = self
            .cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.addr.to_string())
            .header("user-agent", "guohe-test");
        if !cookie.is_empty() {
            b = b.header("cookie", cookie);
        }
        if body.is_some() {
            b = b.header("content-type", "application/x-www-form-urlencoded");
        }
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        let req = b.body(Full::new(Bytes::from(body.unwrap_or_default()))).unwrap();
        let resp = sender.send_request(req).await.expect("send");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        for v in headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let first = v.split(';').next().unwrap();
            let (k, val) = first.split_once('=').unwrap();
            let mut jar = self.cookies.lock().unwrap();
            if val.is_empty() || v.contains("Max-Age=0") {
                jar.remove(k);
            } else {
                jar.insert(k.to_string(), val.to_string());
            }
        }
        let body = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).to_string();
        Resp { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.request(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.request(
            Method::POST,
            path,
            Some(serde_urlencoded::to_string(form).unwrap()),
            &[],
        )
        .await
    }

    /// Posts a form with the CSRF token taken from the page at `page`.
    pub async fn post_form(&self, page: &str, path: &str, form: &[(&str, &str)]) -> Resp {
        let token = csrf_of(&self.get(page).await.body);
        let mut f: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        f.extend_from_slice(form);
        self.post(path, &f).await
    }

    /// Signs in, with the one-time code when the account has a second factor.
    pub async fn login(&self, login: &str, password: &str) -> Resp {
        let otp = otp::code_for(&self.state, login).await;
        self.post_form(
            "/login",
            "/login",
            &[("login", login), ("password", password), ("otp", &otp)],
        )
        .await
    }

    /// Signs in without a one-time code.
    pub async fn login_without_otp(&self, login: &str, password: &str) -> Resp {
        self.post_form("/login", "/login", &[("login", login), ("password", password)])
            .await
    }

    /// The audit records of a kind.
    pub async fn audit(&self, kind: &str) -> Vec<guohe_store::StoredEvent> {
        let all = self.state.guohe.log().read_all(0, 100_000).await.unwrap();
        all.into_iter()
            .filter(|e| e.stream.starts_with("audit/") && e.kind == kind)
            .collect()
    }
}

pub fn csrf_of(html: &str) -> String {
    let i = html.find("name=\"_csrf\" value=\"").expect("csrf field") + "name=\"_csrf\" value=\"".len();
    html[i..i + 64].to_string()
}
