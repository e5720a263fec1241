//! A server on a given SQLite file and business date, and a cookie-keeping client, so that a
//! second server with a later date can continue the same cases (the notice period passing).
#![allow(dead_code)]

pub(crate) use crate::otp_support as otp;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;

use chrono::NaiveDate;
use guohe_web::{AppState, ServeConfig};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;

pub const DEMO_PASSWORD: &str = "Guohe@Demo2026";

pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
}

pub struct Resp {
    pub status: u16,
    pub location: String,
    pub body: String,
}

pub async fn serve(db: &Path, today: NaiveDate, demo: bool) -> Server {
    let cfg = ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}", db.display()),
        demo,
        today: Some(today),
        argon2_memory_kib: 64,
        ..ServeConfig::default()
    };
    let (router, state) = guohe_web::app(cfg).await.expect("app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .await
            .unwrap();
    });
    Server { addr, state }
}

/// One browser: its cookies, pointed at a server (which may change).
pub struct Browser {
    pub addr: Mutex<SocketAddr>,
    pub cookies: Mutex<BTreeMap<String, String>>,
    /// The first server's state: its database holds the second factors (servers share it).
    pub state: AppState,
}

pub fn csrf_of(html: &str) -> String {
    let key = "name=\"_csrf\" value=\"";
    let i = html.find(key).expect("csrf field") + key.len();
    html[i..i + 64].to_string()
}

impl Browser {
    pub fn new(s: &Server) -> Browser {
        Browser {
            addr: Mutex::new(s.addr),
            cookies: Mutex::new(BTreeMap::new()),
            state: s.state.clone(),
        }
    }

    pub async fn send(&self, method: Method, path: &str, body: Vec<u8>, content_type: Option<&str>) -> Resp {
        let addr = *self.addr.lock().unwrap();
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
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
            .header("host", addr.to_string());
        if !cookie.is_empty() {
            b = b.header("cookie", cookie);
        }
        if let Some(ct) = content_type {
            b = b.header("content-type", ct);
        }
        let resp = sender
            .send_request(b.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .expect("send");
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        for v in resp.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (k, val) = v.split(';').next().unwrap().split_once('=').unwrap();
            let mut jar = self.cookies.lock().unwrap();
            if val.is_empty() || v.contains("Max-Age=0") {
                jar.remove(k);
            } else {
                jar.insert(k.to_string(), val.to_string());
            }
        }
        let body = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).to_string();
        Resp { status, location, body }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, Vec::new(), None).await
    }

    /// Posts a form with the CSRF token of the page at `page`.
    pub async fn post_form(&self, page: &str, path: &str, form: &[(&str, &str)]) -> Resp {
        let page = self.get(page).await;
        assert_eq!(page.status, 200, "GET before POST {path}: {}", page.body);
        let token = csrf_of(&page.body);
        let mut f: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        f.extend_from_slice(form);
        self.send(
            Method::POST,
            path,
            serde_urlencoded::to_string(&f).unwrap().into_bytes(),
            Some("application/x-www-form-urlencoded"),
        )
        .await
    }

    /// Posts a confirmation page's form as the browser would (its hidden fields).
    pub async fn confirm(&self, confirm_page: &str, path: &str) -> Resp {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for chunk in confirm_page.split("<input type=\"hidden\" name=\"").skip(1) {
            let (name, rest) = chunk.split_once('"').unwrap();
            let v = rest.split_once("value=\"").unwrap().1.split_once('"').unwrap().0;
            pairs.push((name.to_string(), unescape(v)));
        }
        // The layout's sign-out form comes first; keep the confirmation form's fields.
        let token = csrf_of(confirm_page);
        pairs.retain(|(k, _)| k != "_csrf");
        pairs.insert(0, ("_csrf".into(), token));
        self.send(
            Method::POST,
            path,
            serde_urlencoded::to_string(&pairs).unwrap().into_bytes(),
            Some("application/x-www-form-urlencoded"),
        )
        .await
    }

    pub async fn login(&self, login: &str) {
        let otp = otp::code_for(&self.state, login).await;
        let r = self
            .post_form(
                "/login",
                "/login",
                &[("login", login), ("password", DEMO_PASSWORD), ("otp", &otp)],
            )
            .await;
        assert_eq!(r.status, 303, "login {login}: {}", r.body);
    }

    pub async fn logout(&self) {
        self.cookies.lock().unwrap().retain(|k, _| k.contains("csrf"));
    }

    /// A multipart upload with the token in the URL, as the draft page's form does.
    pub async fn upload(&self, page: &str, path: &str, kind: &str, name: &str, data: &[u8]) -> Resp {
        let token = csrf_of(&self.get(page).await.body);
        let boundary = "----guohe-test-boundary";
        let mut body = Vec::new();
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n").as_bytes(),
        );
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n")
                .as_bytes(),
        );
        body.extend(data);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let sep = if path.contains('?') { '&' } else { '?' };
        self.send(
            Method::POST,
            &format!("{path}{sep}_csrf={token}"),
            body,
            Some(&format!("multipart/form-data; boundary={boundary}")),
        )
        .await
    }
}

pub fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
