//! A JSON client for the API tests: its own cookie jar (so several principals can work side by
//! side against one server), the CSRF header on writes, and problem-details helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Mutex;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde_json::Value;

use crate::common::TestApp;

/// The demo's password.
pub const DEMO: &str = guohe_web::demo::DEMO_PASSWORD;

pub struct Client<'a> {
    pub app: &'a TestApp,
    pub jar: Mutex<BTreeMap<String, String>>,
}

#[derive(Debug)]
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
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// Asserts a problem-details response and returns it.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "status; body: {}", self.body);
        assert!(
            self.header("content-type").starts_with("application/problem+json"),
            "content type {}; body: {}",
            self.header("content-type"),
            self.body
        );
        let p = self.json();
        assert_eq!(p["status"], status, "{p}");
        for k in ["type", "title", "title_en", "detail", "detail_en", "code"] {
            assert!(p[k].as_str().is_some_and(|s| !s.is_empty()), "`{k}` missing in {p}");
        }
        assert!(p.get("field").is_some() && p.get("article").is_some(), "{p}");
        p
    }
}

impl<'a> Client<'a> {
    pub fn new(app: &'a TestApp) -> Client<'a> {
        Client {
            app,
            jar: Mutex::new(BTreeMap::new()),
        }
    }

    pub async fn raw(&self, method: Method, path: &str, body: Option<(&str, String)>, extra: &[(&str, &str)]) -> Resp {
        let stream = tokio::net::TcpStream::connect(self.app.addr).await.expect("connect");
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(conn);
        let cookie = self
            .jar
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.app.addr.to_string())
            .header("user-agent", "guohe-api-test");
        if !cookie.is_empty() {
            b = b.header("cookie", cookie);
        }
        let bytes = match body {
            Some((ct, text)) => {
                b = b.header("content-type", ct);
                text
            }
            None => String::new(),
        };
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        let resp = sender
            .send_request(b.body(Full::new(Bytes::from(bytes))).unwrap())
            .await
            .expect("send");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        for v in headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (k, val) = v.split(';').next().unwrap().split_once('=').unwrap();
            let mut jar = self.jar.lock().unwrap();
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
        self.raw(Method::GET, path, None, &[]).await
    }

    /// The current CSRF token (an anonymous one, with its cookie, before sign-in).
    pub async fn csrf(&self) -> String {
        let r = self.get("/api/v1/session").await;
        r.json()["csrf_token"].as_str().expect("csrf_token").to_string()
    }

    /// A write with the CSRF header and a JSON body.
    pub async fn send(&self, method: Method, path: &str, body: &Value) -> Resp {
        let token = self.csrf().await;
        self.raw(
            method,
            path,
            Some(("application/json", body.to_string())),
            &[("x-csrf-token", &token)],
        )
        .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send(Method::POST, path, body).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        let token = self.csrf().await;
        self.raw(Method::DELETE, path, None, &[("x-csrf-token", &token)]).await
    }

    pub async fn login(&self, login: &str) -> Resp {
        self.login_with(login, DEMO).await
    }

    /// Signs in, with the one-time code (computed from the demo's printed secret) when the
    /// account has a second factor.
    pub async fn login_with(&self, login: &str, password: &str) -> Resp {
        let otp = crate::common::otp::code_for(&self.app.state, login).await;
        self.post(
            "/api/v1/session",
            &serde_json::json!({ "login": login, "password": password, "otp": otp }),
        )
        .await
    }

    /// A command as this principal.
    pub async fn command(&self, cmd: Value) -> Resp {
        self.post("/api/v1/commands", &cmd).await
    }
}

/// The demo (both provinces) on the default business date.
pub async fn demo_app() -> TestApp {
    crate::common::spawn_with(crate::common::Options {
        demo: true,
        ..Default::default()
    })
    .await
}

/// A demo unit's 统一社会信用代码.
pub fn uscc(login: &str) -> String {
    let u = guohe_web::demo::UNITS
        .iter()
        .find(|u| u.login == login)
        .expect("demo unit");
    guohe_web::demo::uscc_of(u)
}

/// The Hunan example application, made the given unit's.
pub fn hunan_application(unit: &str) -> Value {
    let text = include_str!("../../../../examples/applications/hunan-joint-research.json");
    let mut v: Value = serde_json::from_str(text).unwrap();
    v["unit"]["uscc"] = Value::String(uscc(unit));
    v
}

/// Every string in a body that would betray internals.
pub fn assert_no_internals(body: &str) {
    let lower = body.to_lowercase();
    for bad in [
        "sqlx",
        "sqlite",
        "select ",
        "insert into",
        "panicked",
        "stack backtrace",
        "src/",
        ".rs:",
        "thread '",
        "postgres",
    ] {
        assert!(!lower.contains(bad), "`{bad}` leaked in: {body}");
    }
}
