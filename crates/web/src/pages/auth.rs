//! 登录 — sign-in, sign-out and "my account" (change password).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use guohe_store::Session;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::accounts;
use crate::authz::{self, role_label};
use crate::error::WebResult;
use crate::flash;
use crate::second_factor;
use crate::security::{RequestCtx, audit, cookie_names, random_token, set_cookie};
use crate::view::{Chrome, FormErrors, render};

/// The sign-in page.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginTpl {
    /// Layout.
    pub c: Chrome,
    /// Login as typed.
    pub login: String,
    /// Where to go after.
    pub next: String,
    /// Why the form came back.
    pub alert: String,
    /// Info (session expired, signed out).
    pub info: String,
}

/// `GET /login` parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    /// Return path.
    pub next: String,
    /// The session ended by idling.
    pub expired: String,
    /// Just signed out.
    pub out: String,
}

/// Only a same-site path: it starts with a single `/`, and has no `//`, no backslash and no
/// control or white-space character anywhere (browsers drop tabs and newlines and read `\` as
/// `/`, so `/\t/evil.example/` would leave the site). Anything else is refused and the caller
/// falls back to the role's home: no open redirect, and nothing that cannot go in a header.
pub fn safe_next(next: &str) -> Option<String> {
    let ok = next.starts_with('/')
        && !next.contains("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
        && next.len() < 512;
    ok.then(|| next.to_string())
}

/// `GET /login`.
pub async fn login_form(ctx: RequestCtx, Query(q): Query<LoginQuery>) -> WebResult<Response> {
    if let Some(p) = ctx.principal() {
        return Ok(Redirect::to(p.home()).into_response());
    }
    let l = ctx.lang;
    let info = if !q.expired.is_empty() || ctx.expired {
        l.t(
            "会话因30分钟无操作已超时，请重新登录。",
            "Your session expired after a period of inactivity; please sign in again.",
        )
    } else if !q.out.is_empty() {
        l.t("您已安全退出。", "You have signed out.")
    } else {
        ""
    };
    render(&LoginTpl {
        c: ctx.chrome("/login"),
        login: String::new(),
        next: safe_next(&q.next).unwrap_or_default(),
        alert: String::new(),
        info: info.into(),
    })
}

/// The sign-in form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    /// Login.
    pub login: String,
    /// Password.
    pub password: String,
    /// Second-factor code (TOTP) or a recovery code, for the roles that need one.
    pub otp: String,
    /// Return path.
    pub next: String,
}

/// `POST /login`.
pub async fn login(ctx: RequestCtx, State(state): State<AppState>, Form(f): Form<LoginForm>) -> WebResult<Response> {
    let l = ctx.lang;
    match accounts::authenticate(&state, &ctx, &f.login, &f.password, &f.otp).await? {
        Ok(account) => {
            // A fresh id at every sign-in: a session id planted before sign-in is worthless.
            if let Some(old) = &ctx.session {
                state.accounts.delete_session(&old.id).await?;
            }
            let sid = random_token();
            let now = Utc::now();
            state
                .accounts
                .create_session(
                    &sid,
                    &Session {
                        login: account.login.clone(),
                        csrf_token: random_token(),
                        created_at: now,
                        last_seen: now,
                        client_ip: ctx.client.ip.clone(),
                        user_agent: ctx.client.user_agent.clone(),
                    },
                )
                .await?;
            let secure = state.settings.secure_cookies;
            let (sid_name, csrf_name) = cookie_names(secure);
            let home = authz::area_path(match account.role {
                guohe_store::AccountRole::Department => authz::Area::Department,
                guohe_store::AccountRole::Recommender => authz::Area::Recommender,
                guohe_store::AccountRole::SupportUnit => authz::Area::SupportUnit,
                guohe_store::AccountRole::Expert => authz::Area::Expert,
            });
            // An account that must still enrol its second factor goes to enrolment first.
            let to = if second_factor::must_enrol(&state, &account.login, account.role).await? {
                "/account/2fa".to_string()
            } else {
                safe_next(&f.next).unwrap_or_else(|| home.to_string())
            };
            let mut resp = Redirect::to(&to).into_response();
            resp.headers_mut()
                .append(header::SET_COOKIE, set_cookie(sid_name, &sid, secure, None));
            resp.headers_mut()
                .append(header::SET_COOKIE, set_cookie(csrf_name, "", secure, Some(0)));
            Ok(resp)
        }
        Err(failure) => {
            let (alert, status) = match failure {
                accounts::LoginFailure::Throttled(secs) => (
                    l.pick(
                        format!("尝试过于频繁，请{secs}秒后再试。"),
                        format!("Too many failed attempts; try again in {secs} seconds."),
                    ),
                    StatusCode::TOO_MANY_REQUESTS,
                ),
                _ => (
                    l.t(
                        "用户名、口令或动态口令错误。多次错误后须等待一段时间才能再试。",
                        "Wrong login, password or one-time code. After repeated failures you must wait before trying again.",
                    )
                    .to_string(),
                    StatusCode::UNAUTHORIZED,
                ),
            };
            let page = LoginTpl {
                c: ctx.chrome("/login"),
                login: f.login.chars().take(64).collect(),
                next: safe_next(&f.next).unwrap_or_default(),
                alert,
                info: String::new(),
            };
            let mut resp = render(&page)?;
            *resp.status_mut() = status;
            if let accounts::LoginFailure::Throttled(secs) = failure {
                resp.headers_mut().insert(header::RETRY_AFTER, secs.into());
            }
            Ok(resp)
        }
    }
}

/// `POST /logout`.
pub async fn logout(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
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
    let mut resp = Redirect::to("/login?out=1").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(cookie_names(secure).0, "", secure, Some(0)),
    );
    Ok(resp)
}

/// "My account".
#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountTpl {
    /// Layout.
    pub c: Chrome,
    /// Login.
    pub login: String,
    /// Display name.
    pub name: String,
    /// Role label.
    pub role: String,
    /// Organisation.
    pub org: String,
    /// Field errors of the password form.
    pub errors: FormErrors,
    /// A message from the previous request (the password was changed), shown once.
    pub changed: String,
    /// The role signs in with a second factor: link to its page.
    pub second_factor: bool,
}

fn account_page(ctx: &RequestCtx, errors: FormErrors, changed: String) -> WebResult<Response> {
    let p = ctx.require()?;
    let (zh, en) = role_label(p.role);
    render(&AccountTpl {
        c: ctx.chrome("/account"),
        login: p.account.clone(),
        name: p.display_name.clone(),
        role: ctx.lang.t(zh, en).into(),
        org: p.org.clone().unwrap_or_default(),
        errors,
        changed,
        second_factor: second_factor::requires_second_factor(p.role),
    })
}

/// `GET /account`.
pub async fn account(ctx: RequestCtx, State(state): State<AppState>, headers: HeaderMap) -> WebResult<Response> {
    ctx.require()?;
    let message = flash::take(&state, &ctx, &headers).await?;
    account_page(&ctx, FormErrors::new(ctx.lang), message)
}

/// The change-password form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    /// Current password.
    pub current: String,
    /// New password.
    pub new: String,
    /// New password again.
    pub confirm: String,
}

/// `POST /account/password` — changes one's own password; every session of the account ends
/// and a fresh one starts.
pub async fn change_password(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Form(f): Form<PasswordForm>,
) -> WebResult<Response> {
    let p = ctx.require()?.clone();
    authz::may_change_password(&p, &p.account)?;
    match accounts::change_password(&state, &ctx, &p.account, &f.current, &f.new, &f.confirm).await? {
        Ok(()) => {
            let sid = random_token();
            let now = Utc::now();
            state
                .accounts
                .create_session(
                    &sid,
                    &Session {
                        login: p.account.clone(),
                        csrf_token: random_token(),
                        created_at: now,
                        last_seen: now,
                        client_ip: ctx.client.ip.clone(),
                        user_agent: ctx.client.user_agent.clone(),
                    },
                )
                .await?;
            let secure = state.settings.secure_cookies;
            flash::put(
                &state,
                Some(&sid),
                "口令已修改，其他登录会话已全部退出。",
                "Password changed; every other session was signed out.",
            )
            .await?;
            let mut resp = Redirect::to("/account").into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(cookie_names(secure).0, &sid, secure, None),
            );
            Ok(resp)
        }
        Err(fields) => {
            let mut errors = FormErrors::new(ctx.lang);
            for e in fields {
                errors.push(e);
            }
            let mut resp = account_page(&ctx, errors, String::new())?;
            *resp.status_mut() = StatusCode::BAD_REQUEST;
            Ok(resp)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_a_same_site_path_or_nothing() {
        for ok in ["/dept", "/unit/drafts?x=1", "/notices/HN-GS-2026-2#objection"] {
            assert_eq!(safe_next(ok).as_deref(), Some(ok));
        }
        for bad in [
            "",
            "dept",
            "//evil.example",
            "/\t/evil.example/",
            "/\\evil",
            "/a\\b",
            "/unit//evil",
            "/x y",
            "/x\u{7}",
            "/x\r\nSet-Cookie: a=b",
            "/x\u{a0}y",
            "https://evil.example/",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(600))), None, "too long");
    }
}
