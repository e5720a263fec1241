//! 会话 — signing in and out through the API: the same server-side session, lock-out, Argon2
//! and audit records as the sign-in page ([`crate::accounts::authenticate`]).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use guohe_store::Session;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::ApiJson;
use crate::AppState;
use crate::authz::{Principal, role_label};
use crate::error::{Problem, WebResult};
use crate::security::{RequestCtx, audit, cookie_names, random_token, set_cookie};
use crate::{accounts, second_factor};

/// Sign-in credentials.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// Login.
    pub login: String,
    /// Password.
    pub password: String,
    /// Second-factor code (TOTP, 6 digits) or a recovery code: required for department
    /// accounts that have enrolled.
    #[serde(default)]
    pub otp: String,
}

/// The signed-in account.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    /// Login.
    pub login: String,
    /// Display name.
    pub display_name: String,
    /// `department`, `recommender`, `support_unit` or `expert`.
    pub role: String,
    /// The role in Chinese.
    pub role_zh: String,
    /// Organisation: a unit's or expert's USCC, a recommender's id.
    pub org: Option<String>,
}

impl Me {
    fn of(p: &Principal) -> Me {
        Me {
            login: p.account.clone(),
            display_name: p.display_name.clone(),
            role: p.role.as_str().to_string(),
            role_zh: role_label(p.role).0.to_string(),
            org: p.org.clone(),
        }
    }
}

/// Who is asking, and the CSRF token to send as `X-CSRF-Token` on writes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionInfo {
    /// Signed in.
    pub authenticated: bool,
    /// The token for `X-CSRF-Token`.
    pub csrf_token: String,
    /// The account, when signed in.
    pub account: Option<Me>,
    /// The account must enrol its second factor (on the web site, `/account/2fa`) before
    /// anything else is allowed.
    pub must_enrol_second_factor: bool,
}

/// Who am I — and the CSRF token (an anonymous one, with its cookie, before sign-in).
#[utoipa::path(
    get,
    path = "/session",
    tag = "session",
    operation_id = "get_session",
    responses((status = 200, description = "The session, signed in or not", body = SessionInfo))
)]
pub async fn current(ctx: RequestCtx) -> super::Json<SessionInfo> {
    super::Json(SessionInfo {
        authenticated: ctx.principal().is_some(),
        csrf_token: ctx.csrf.clone(),
        account: ctx.principal().map(Me::of),
        must_enrol_second_factor: ctx.session.as_ref().is_some_and(|s| s.must_enrol),
    })
}

/// Signs in: a fresh session cookie and CSRF token. Department accounts send their one-time
/// code in `otp`. Failures say the same thing whatever the reason; after repeated failures an
/// attempt made too early is answered 429 with `Retry-After`, without being checked (as on the
/// sign-in page).
#[utoipa::path(
    post,
    path = "/session",
    tag = "session",
    operation_id = "sign_in",
    request_body = Credentials,
    security(("csrf" = [])),
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SessionInfo),
        (status = 401, description = "Wrong login, password or one-time code, or locked", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failures: try again after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sign_in(
    ctx: RequestCtx,
    State(state): State<AppState>,
    ApiJson(c): ApiJson<Credentials>,
) -> WebResult<Response> {
    let account = match accounts::authenticate(&state, &ctx, &c.login, &c.password, &c.otp).await? {
        Ok(a) => a,
        Err(accounts::LoginFailure::Throttled(secs)) => {
            let mut resp = Problem::login_throttled(secs).into_rejection();
            resp.headers_mut().insert(header::RETRY_AFTER, secs.into());
            return Ok(resp);
        }
        Err(_) => return Ok(Problem::login_failed().into_rejection()),
    };
    let must_enrol = second_factor::must_enrol(&state, &account.login, account.role).await?;
    // A fresh id at every sign-in: a session id planted before sign-in is worthless.
    if let Some(old) = &ctx.session {
        state.accounts.delete_session(&old.id).await?;
    }
    let sid = random_token();
    let csrf = random_token();
    let now = Utc::now();
    state
        .accounts
        .create_session(
            &sid,
            &Session {
                login: account.login.clone(),
                csrf_token: csrf.clone(),
                created_at: now,
                last_seen: now,
                client_ip: ctx.client.ip.clone(),
                user_agent: ctx.client.user_agent.clone(),
            },
        )
        .await?;
    let me = Me {
        login: account.login.clone(),
        display_name: account.display_name.clone(),
        role: account.role.as_str().to_string(),
        role_zh: role_label(account.role).0.to_string(),
        org: account.org_id.clone(),
    };
    let secure = state.settings.secure_cookies;
    let (sid_name, csrf_name) = cookie_names(secure);
    let mut resp = super::Json(SessionInfo {
        authenticated: true,
        csrf_token: csrf,
        account: Some(me),
        must_enrol_second_factor: must_enrol,
    })
    .into_response();
    let h = resp.headers_mut();
    h.append(header::SET_COOKIE, set_cookie(sid_name, &sid, secure, None));
    h.append(header::SET_COOKIE, set_cookie(csrf_name, "", secure, Some(0)));
    Ok(resp)
}

/// Signs out (ends the session; nothing happens when not signed in).
#[utoipa::path(
    delete,
    path = "/session",
    tag = "session",
    operation_id = "sign_out",
    security(("session" = [], "csrf" = [])),
    responses((status = 204, description = "Signed out"))
)]
pub async fn sign_out(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    if let Some(s) = &ctx.session {
        state.accounts.delete_session(&s.id).await?;
        audit(
            &state,
            &ctx,
            &s.principal.audit_id(),
            "LoggedOut",
            json!({ "account": s.principal.account }),
        )
        .await;
    }
    let secure = state.settings.secure_cookies;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(cookie_names(secure).0, "", secure, Some(0)),
    );
    Ok(resp)
}
