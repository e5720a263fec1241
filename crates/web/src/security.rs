//! 安全 — the frame every request passes through, and the security headers on every response.
//!
//! [`frame`] works out who is asking (client IP and user agent, language, session), refuses
//! cross-site writes (Origin / `Sec-Fetch-Site` and the per-session CSRF token on every
//! non-GET request), runs the handler under a time limit, renders error pages in the visitor's
//! language and audits permission and CSRF refusals. [`headers`] adds the security headers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;

use crate::AppState;
use crate::authz::Principal;
use crate::error::{ErrorPage, WebError};
use crate::i18n::Lang;
use crate::view;

mod session;

use session::remembered_session;

/// Whole-request time limit; a slow client or query cannot hold a worker for ever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// 256 random bits, hex: session ids and CSRF tokens.
pub fn random_token() -> String {
    let mut buf = [0u8; 32];
    // The OS generator failing is not recoverable; a predictable token would be worse.
    getrandom::fill(&mut buf).expect("the operating system's random generator failed");
    hex::encode(buf)
}

/// Compares secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Where a request comes from, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// Client IP.
    pub ip: String,
    /// User agent (truncated).
    pub user_agent: String,
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The raw session id (cookie value).
    pub id: String,
    /// Who.
    pub principal: Principal,
    /// The session's CSRF token.
    pub csrf: String,
    /// The account must enrol its second factor before anything else
    /// ([`crate::second_factor`]).
    pub must_enrol: bool,
}

/// What the frame learnt about a request; handlers extract it.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    /// Language.
    pub lang: Lang,
    /// Client facts.
    pub client: Client,
    /// The session, when signed in.
    pub session: Option<Arc<Signed>>,
    /// The CSRF token forms must carry.
    pub csrf: String,
    /// Path and query, for return links.
    pub path: String,
    /// A session cookie was presented but the session had ended (idle or signed out).
    pub expired: bool,
}

impl RequestCtx {
    /// The principal, if signed in.
    pub fn principal(&self) -> Option<&Principal> {
        self.session.as_deref().map(|s| &s.principal)
    }

    /// The principal, or a redirect to the sign-in page.
    pub fn require(&self) -> Result<&Principal, WebError> {
        self.principal().ok_or_else(|| WebError::Unauthenticated {
            next: self.path.clone(),
            expired: self.expired,
        })
    }

    /// Who, on audit records.
    pub fn audit_actor(&self) -> String {
        match self.principal() {
            Some(p) => p.audit_id(),
            None => format!("public:{}", self.client.ip),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestCtx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestCtx>()
            .cloned()
            .ok_or_else(|| WebError::Internal("the request frame did not run".into()))
    }
}

/// Cookie names; `__Host-` names bind the cookie to this host and require `Secure`.
pub fn cookie_names(secure: bool) -> (&'static str, &'static str) {
    if secure {
        ("__Host-guohe_sid", "__Host-guohe_csrf")
    } else {
        ("guohe_sid", "guohe_csrf")
    }
}

/// Name of the language cookie.
pub const LANG_COOKIE: &str = "guohe_lang";

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, Secure when configured.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// A cookie's value from the request.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn client_of(req: &Request, trust_forwarded: bool) -> Client {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let forwarded = trust_forwarded
        .then(|| req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()))
        .flatten()
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let ua = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Client {
        ip: forwarded.or(peer).unwrap_or_else(|| "unknown".into()),
        user_agent: ua.chars().take(200).collect(),
    }
}

/// Refuses a write whose browser says it came from another site.
fn check_origin(headers: &HeaderMap) -> Result<(), &'static str> {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err("Sec-Fetch-Site is not same-origin");
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("null");
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let authority = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .unwrap_or("");
        if authority.is_empty() || !authority.eq_ignore_ascii_case(host) {
            return Err("Origin is another site");
        }
    }
    Ok(())
}

/// Reads an urlencoded body (bounded), checks its `_csrf` field, and puts the body back.
async fn check_csrf(req: Request, expected: &str, limit: usize) -> Result<Request, WebError> {
    if let Some(t) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if !expected.is_empty() && same_secret(t, expected) {
            Ok(req)
        } else {
            Err(WebError::Csrf("wrong token header"))
        };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        // A file upload cannot carry a header, and the frame must not buffer a 10 MiB body to
        // find a field: upload forms put the token in their action URL instead.
        let token = req
            .uri()
            .query()
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|v| v.into_iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v))
            .unwrap_or_default();
        return if !expected.is_empty() && same_secret(&token, expected) {
            Ok(req)
        } else {
            Err(WebError::Csrf("no token in the upload URL"))
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(WebError::Csrf("no token"));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| WebError::TooLarge)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let token = pairs
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if expected.is_empty() || !same_secret(token, expected) {
        return Err(WebError::Csrf(if token.is_empty() {
            "no token"
        } else {
            "wrong token"
        }));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The request frame (see the module docs).
pub async fn frame(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let secure = state.settings.secure_cookies;
    let (sid_name, csrf_name) = cookie_names(secure);
    let client = client_of(&req, state.settings.trust_forwarded_for);
    let query_lang = req.uri().query().and_then(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(&v))
    });
    let lang = query_lang
        .or_else(|| cookie(req.headers(), LANG_COOKIE).and_then(Lang::parse))
        .unwrap_or_default();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());

    let presented_sid = cookie(req.headers(), sid_name)
        .map(str::to_string)
        .filter(|s| s.len() == 64);
    // A reading may reuse the session as loaded a moment ago; anything else may change accounts
    // or sessions, so it loads afresh and empties the memo (see `session_memo`).
    let reading = matches!(*req.method(), Method::GET | Method::HEAD);
    if !reading {
        state.sessions.forget_all();
    }
    let session = match &presented_sid {
        Some(sid) => match remembered_session(&state, sid, reading).await {
            Ok(s) => s,
            Err(e) => return finish(&state, &RequestCtx::bare(lang, client, path), e.into_response()).await,
        },
        None => None,
    };
    let expired = presented_sid.is_some() && session.is_none();
    let anon_csrf = cookie(req.headers(), csrf_name)
        .filter(|t| t.len() == 64)
        .map(str::to_string);
    let (csrf, new_anon) = match (&session, anon_csrf) {
        (Some(s), _) => (s.csrf.clone(), None),
        (None, Some(t)) => (t, None),
        (None, None) => {
            let t = random_token();
            (t.clone(), Some(t))
        }
    };
    let ctx = RequestCtx {
        lang,
        client,
        session,
        csrf: csrf.clone(),
        path,
        expired,
    };

    // Only the methods the router serves can write; any other (TRACE, CONNECT, …, or an API
    // method the document does not declare on the path) reaches no handler and is answered 405
    // with `Allow` by the router, not refused as a forged write.
    let undeclared_api_method =
        crate::error::is_api_path(&ctx.path) && !crate::api::openapi::declares(req.method(), req.uri().path());
    if matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) && !undeclared_api_method
    {
        let checked = match check_origin(req.headers()) {
            Err(why) => Err(WebError::Csrf(why)),
            // A token minted in this very response cannot have been in the form.
            Ok(()) if new_anon.is_some() => Err(WebError::Csrf("no token cookie")),
            Ok(()) => check_csrf(req, &csrf, state.settings.body_limit).await,
        };
        match checked {
            Ok(r) => req = r,
            Err(e) => return finish(&state, &ctx, e.into_response()).await,
        }
    }

    // A password set by someone else is changed first; then the second factor is enrolled.
    let must_change = ctx.principal().is_some_and(|p| p.must_change_password);
    if !must_change && ctx.session.as_ref().is_some_and(|s| s.must_enrol) && !allowed_before_enrolment(req.uri().path())
    {
        let resp = if crate::error::is_api_path(&ctx.path) {
            WebError::Forbidden {
                zh: "须先启用动态口令（双因素认证）：请在网页上登录并完成绑定。".into(),
                en: "Turn on one-time codes (two-factor authentication) first: sign in on the web site and enrol."
                    .into(),
            }
            .into_response()
        } else {
            axum::response::Redirect::to("/account/2fa").into_response()
        };
        return finish(&state, &ctx, resp).await;
    }
    if must_change && !allowed_before_password_change(req.uri().path()) {
        return finish(&state, &ctx, WebError::PasswordChangeRequired.into_response()).await;
    }

    req.extensions_mut().insert(ctx.clone());
    let mut resp = match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(r) => r,
        Err(_) => WebError::Internal("request timed out".into()).into_response(),
    };
    if !reading {
        state.sessions.forget_all();
    }
    // The anonymous token is needed only where a form can be: an HTML page, or the API's
    // session resource that hands it to programs. Other answers (JSON lists, CSV, PDF) set no
    // cookie, so that clients that never write do not get a fresh token on every request.
    let wants_token = ctx.path.split('?').next() == Some("/api/v1/session")
        || resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
    let h = resp.headers_mut();
    if let Some(t) = new_anon.filter(|_| wants_token) {
        h.append(header::SET_COOKIE, set_cookie(csrf_name, &t, secure, None));
    }
    if let Some(l) = query_lang {
        h.append(
            header::SET_COOKIE,
            set_cookie(LANG_COOKIE, l.code(), secure, Some(365 * 24 * 3600)),
        );
    }
    if expired {
        h.append(header::SET_COOKIE, set_cookie(sid_name, "", secure, Some(0)));
    }
    finish(&state, &ctx, resp).await
}

/// What an account that must still enrol its second factor may reach: enrolment itself,
/// signing out, the session API, and the assets the pages need.
fn allowed_before_enrolment(path: &str) -> bool {
    matches!(
        path,
        "/account/2fa" | "/logout" | "/login" | "/api/v1/session" | "/healthz"
    ) || path.starts_with("/static/")
}

/// What an account whose password must change may still reach (等保 §8.1.4.1: a password set
/// by someone else, or expired, is changed before anything else): its own account page and the
/// password form, signing out, the session endpoint, static files and the public pages.
fn allowed_before_password_change(path: &str) -> bool {
    matches!(
        path,
        "/account" | "/account/password" | "/logout" | "/api/v1/session" | "/healthz" | "/"
    ) || path.starts_with("/static/")
        || path.starts_with("/bases")
        || path.starts_with("/notices")
        || path.starts_with("/announcements")
        || path.starts_with("/draws")
        || path.starts_with("/subsidies")
        || path.starts_with("/policies/")
        || path == "/verify"
}

impl RequestCtx {
    fn bare(lang: Lang, client: Client, path: String) -> RequestCtx {
        RequestCtx {
            lang,
            client,
            session: None,
            csrf: String::new(),
            path,
            expired: false,
        }
    }
}

/// Renders error descriptions as pages, turns bare error statuses (from extractors and the
/// framework) into pages, audits refusals, and marks personal pages uncacheable.
async fn finish(state: &AppState, ctx: &RequestCtx, resp: Response) -> Response {
    let status = resp.status();
    // API clients get problem details instead of pages; refusals are audited the same way.
    let mut resp = if crate::error::is_api_path(&ctx.path) {
        if let Some(page) = resp.extensions().get::<ErrorPage>().cloned()
            && let Some(kind) = page.audit
        {
            audit_refusal(state, ctx, kind, &page).await;
        }
        crate::error::into_problem(resp, &ctx.path)
    } else if let Some(page) = resp.extensions().get::<ErrorPage>().cloned() {
        if let Some(kind) = page.audit {
            audit_refusal(state, ctx, kind, &page).await;
        }
        let (mut parts, _) = resp.into_parts();
        parts.headers.remove(header::CONTENT_TYPE);
        parts.headers.remove(header::CONTENT_LENGTH);
        let body = view::error_page(ctx, &page);
        let mut r = Response::from_parts(parts, Body::from(body));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        r
    } else if (status.is_client_error() || status.is_server_error()) && !is_html(&resp) {
        // Framework rejections (malformed form, wrong content type, body too large) carry a
        // plain-text body that may echo parser internals: replace it.
        let err = match status {
            StatusCode::NOT_FOUND => WebError::NotFound,
            StatusCode::PAYLOAD_TOO_LARGE => WebError::TooLarge,
            s if s.is_client_error() => WebError::BadRequest {
                zh: "提交的内容格式不正确，请检查后重新提交。".into(),
                en: "The request was malformed; check it and submit again.".into(),
                fields: Vec::new(),
            },
            _ => WebError::Internal(format!("status {status} without a page")),
        };
        let r = err.into_response();
        let page = r.extensions().get::<ErrorPage>().cloned();
        let (mut parts, _) = r.into_parts();
        parts.status = status;
        let body = page.map(|p| view::error_page(ctx, &p)).unwrap_or_default();
        let mut r = Response::from_parts(parts, Body::from(body));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        r
    } else {
        resp
    };
    if ctx.session.is_some() {
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

fn is_html(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

async fn audit_refusal(state: &AppState, ctx: &RequestCtx, kind: &str, page: &ErrorPage) {
    let event = if kind == "csrf" {
        "CsrfRefused"
    } else {
        "PermissionRefused"
    };
    audit(
        state,
        ctx,
        &ctx.audit_actor(),
        event,
        json!({ "path": ctx.path, "reason_zh": page.zh, "reason_en": page.en }),
    )
    .await;
}

/// Appends a security record to the hash chain with who, when, from where and what. A failing
/// audit write is logged; it does not turn the user's request into an error.
pub async fn audit(state: &AppState, ctx: &RequestCtx, actor: &str, kind: &str, mut payload: serde_json::Value) {
    if let Some(obj) = payload.as_object_mut() {
        obj.insert("at".into(), json!(Utc::now().to_rfc3339()));
        obj.insert("ip".into(), json!(ctx.client.ip));
        obj.insert("user_agent".into(), json!(ctx.client.user_agent));
        if let Some(p) = ctx.principal() {
            obj.entry("account").or_insert(json!(p.account));
            obj.entry("role").or_insert(json!(p.role.as_str()));
        }
    }
    if let Err(e) = state.guohe.audit(state.today(), actor, kind, payload).await {
        tracing::error!(error = %e, kind, "audit record could not be written");
    }
}

/// Content-Security-Policy: no inline script or style, nothing from other sites, no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers to every response.
pub async fn headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
    );
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    resp
}
