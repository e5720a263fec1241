//! 安全管理员 — the password and lock-out policy (expiry, failures before a lock, lock length,
//! idle timeout), the accounts locked now with their unlock buttons, and the live sessions with
//! the means to end them.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use guohe_store::SecuritySettings;

use super::feedback;
use crate::AppState;
use crate::admin;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{FieldError, WebResult};
use crate::pages::work::{Feedback, Vals, render_status};
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

fn secadmin(ctx: &RequestCtx) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::SecurityAdmin)?;
    authz::may(&p, Action::ManageSecurity)?;
    Ok(p)
}

/// The security administrator's page.
#[derive(Template)]
#[template(path = "admin_security.html")]
pub struct SecurityTpl {
    /// Layout.
    pub c: Chrome,
    /// Values of the settings form.
    pub v: Vals,
    /// Locked accounts: (login, name, until, failures).
    pub locked: Vec<(String, String, String, i64)>,
    /// Live sessions: (key, login, signed in, last seen, client IP).
    pub sessions: Vec<(String, String, String, String, String)>,
    /// Messages.
    pub fb: Feedback,
}

async fn page(ctx: &RequestCtx, state: &AppState, v: Option<Vals>, fb: Feedback) -> WebResult<Response> {
    secadmin(ctx)?;
    let now = chrono::Utc::now();
    let s = state.accounts.security_settings().await?;
    // The current settings, with what was typed on top (either form's fields).
    let mut shown = Vals::default();
    shown.set("password_expiry_days", s.password_expiry_days.to_string());
    shown.set("throttle_after", s.throttle_after.to_string());
    shown.set("throttle_cap_minutes", s.throttle_cap_minutes.to_string());
    shown.set("idle_minutes", s.idle_minutes.to_string());
    for (k, val) in v.iter().flat_map(|v| v.pairs()) {
        shown.set(k, val.clone());
    }
    let v = shown;
    let locked = state
        .accounts
        .locked_accounts(now)
        .await?
        .into_iter()
        .map(|a| {
            let until = a.locked_until.map(view::beijing_time).unwrap_or_default();
            (a.login, a.display_name, until, a.failed_logins)
        })
        .collect();
    let sessions = state
        .accounts
        .sessions()
        .await?
        .into_iter()
        .map(|s| {
            (
                s.key,
                s.login,
                view::beijing_time(s.created_at),
                view::beijing_time(s.last_seen),
                s.client_ip,
            )
        })
        .collect();
    let tpl = SecurityTpl {
        c: ctx.chrome("/admin/security"),
        v,
        locked,
        sessions,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /admin/security`.
pub async fn home(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    page(&ctx, &state, None, Feedback::none(ctx.lang)).await
}

/// `POST /admin/security` (`password_expiry_days`, `throttle_after`, `throttle_cap_minutes`,
/// `idle_minutes`).
pub async fn save(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = secadmin(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let mut errs = Vec::new();
    let mut number = |name: &str| -> u32 {
        v.t(name).parse().unwrap_or_else(|_| {
            errs.push(FieldError::new(name, "请填写整数", "enter a whole number"));
            0
        })
    };
    let s = SecuritySettings {
        password_expiry_days: number("password_expiry_days"),
        throttle_after: number("throttle_after"),
        throttle_cap_minutes: number("throttle_cap_minutes"),
        idle_minutes: number("idle_minutes"),
    };
    if !errs.is_empty() {
        // Report the ranges of the fields that were numbers too, so one round shows everything.
        let unparsed: Vec<String> = errs.iter().map(|e| e.field.clone()).collect();
        errs.extend(
            admin::settings_errors(&s)
                .into_iter()
                .filter(|e| !unparsed.contains(&e.field)),
        );
        return page(&ctx, &state, Some(v), Feedback::invalid(l, errs)).await;
    }
    match admin::save_settings(&state, &p, &s).await {
        Ok(()) => {
            let fb = Feedback::ok(
                l,
                l.t("安全策略已保存，并已记入审计日志。", "Settings saved and audited.")
                    .into(),
            );
            page(&ctx, &state, None, fb).await
        }
        Err(e) => {
            let fb = feedback(l, e)?;
            page(&ctx, &state, Some(v), fb).await
        }
    }
}

/// `POST /admin/security/unlock/{login}`.
pub async fn unlock(ctx: RequestCtx, State(state): State<AppState>, Path(login): Path<String>) -> WebResult<Response> {
    let p = secadmin(&ctx)?;
    let l = ctx.lang;
    admin::unlock(&state, &p, &login).await?;
    let fb = Feedback::ok(
        l,
        l.pick(format!("账号 {login} 已解锁。"), format!("Account {login} unlocked.")),
    );
    page(&ctx, &state, None, fb).await
}

/// `POST /admin/security/sessions/end` (`session` = a session's key, or `login` = every session
/// of an account).
pub async fn end_sessions(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = secadmin(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let (key, login) = (v.t("session"), v.t("login"));
    let mut errs = Vec::new();
    if key.is_empty() && login.is_empty() {
        errs.push(FieldError::new(
            "login",
            "请填写要结束会话的用户名",
            "enter the login whose sessions to end",
        ));
    }
    if !(key.is_empty() || key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit())) {
        errs.push(FieldError::new("session", "会话标识无效", "not a session key"));
    }
    let login = if login.is_empty() {
        login
    } else {
        crate::accounts::normalise_login(&login).unwrap_or_else(|e| {
            errs.push(e);
            String::new()
        })
    };
    if !errs.is_empty() {
        return page(&ctx, &state, Some(v), Feedback::invalid(l, errs)).await;
    }
    let n = admin::end_sessions(
        &state,
        &p,
        (!key.is_empty()).then_some(key.as_str()),
        (!login.is_empty()).then_some(login.as_str()),
    )
    .await?;
    let fb = Feedback::ok(
        l,
        l.pick(format!("已结束 {n} 个会话。"), format!("{n} session(s) ended.")),
    );
    page(&ctx, &state, None, fb).await
}
