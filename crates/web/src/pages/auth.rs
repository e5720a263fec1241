//! 登录 — sign-in, sign-out and "my account" (change password).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use guohe_app::AppError;
use guohe_app::personal::AccountField;
use guohe_keys::Revealed;
use guohe_store::Session;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::accounts;
use crate::authz::{self, role_label};
use crate::error::{FieldError, WebResult};
use crate::flash;
use crate::i18n::Lang;
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
            let home = authz::area_path(authz::area_of(account.role));
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
    /// The password must be changed before anything else (first sign-in or expired).
    pub due: bool,
    /// Personal fields (phone, e-mail): (code, label, value as typed or stored, masked).
    pub personal: Vec<(String, String, String, String)>,
    /// Field errors of the personal-information form.
    pub personal_errors: FormErrors,
    /// Personal information just saved.
    pub saved: bool,
}

/// `GET /account?saved=1` (after personal information was saved: a fixed message chosen by the
/// flag, never text from the query string).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountQuery {
    /// Personal information just saved.
    pub saved: String,
}

/// The personal fields a user keeps on their own account page.
const OWN_FIELDS: [AccountField; 2] = [AccountField::Phone, AccountField::Email];

/// What the account page shows and how it was reached.
#[derive(Default)]
struct AccountView {
    errors: Option<FormErrors>,
    changed: String,
    saved: bool,
    personal_errors: Option<FormErrors>,
    /// The personal form as typed (after a refused save).
    typed: Option<PersonalForm>,
}

async fn account_page(ctx: &RequestCtx, state: &AppState, v: AccountView) -> WebResult<Response> {
    let p = ctx.require()?;
    let (zh, en) = role_label(p.role);
    let l = ctx.lang;
    let stored = state.guohe.account_fields(&p.account).await?;
    let personal = OWN_FIELDS
        .iter()
        .map(|f| {
            let (fzh, fen) = f.label();
            let value = stored.iter().find(|(k, _)| k == f).map(|(_, r)| r);
            let full = value.map(|r| r.full(l == Lang::Zh)).unwrap_or_default();
            let masked = value
                .map(|r| match r {
                    Revealed::Value(v) => f.mask(v),
                    Revealed::Erased => r.full(l == Lang::Zh),
                })
                .unwrap_or_default();
            let shown = match &v.typed {
                Some(t) => t.get(*f).to_string(),
                None if value.is_some_and(|r| r.value().is_some()) => full,
                None => String::new(),
            };
            (f.as_str().to_string(), l.t(fzh, fen).to_string(), shown, masked)
        })
        .collect();
    render(&AccountTpl {
        c: ctx.chrome("/account"),
        login: p.account.clone(),
        name: p.display_name.clone(),
        role: l.t(zh, en).into(),
        org: p.org.clone().unwrap_or_default(),
        due: p.must_change_password,
        second_factor: second_factor::requires_second_factor(p.role),
        errors: v.errors.unwrap_or_else(|| FormErrors::new(l)),
        changed: v.changed,
        personal,
        personal_errors: v.personal_errors.unwrap_or_else(|| FormErrors::new(l)),
        saved: v.saved,
    })
}

/// `GET /account`.
pub async fn account(
    ctx: RequestCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AccountQuery>,
) -> WebResult<Response> {
    ctx.require()?;
    let v = AccountView {
        changed: flash::take(&state, &ctx, &headers).await?,
        saved: !q.saved.is_empty(),
        ..AccountView::default()
    };
    account_page(&ctx, &state, v).await
}

/// The personal-information form of "my account" (an empty field clears it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PersonalForm {
    /// Mobile phone (1[3-9] and 9 digits).
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// The button pressed: `save`.
    pub action: String,
}

impl PersonalForm {
    fn get(&self, f: AccountField) -> &str {
        match f {
            AccountField::Phone => &self.phone,
            AccountField::Email => &self.email,
            AccountField::IdNumber => "",
        }
    }
}

/// `POST /account/personal` — one's own phone and e-mail, validated, stored encrypted under the
/// account's own data key; every change audited (without the value).
pub async fn save_personal(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Form(f): Form<PersonalForm>,
) -> WebResult<Response> {
    let p = ctx.require()?.clone();
    // Personal information is self-service, like the password: only one's own account.
    authz::may_change_password(&p, &p.account)?;
    let mut errors = FormErrors::new(ctx.lang);
    if f.action != "save" {
        // Not sent by the page's button (an empty or forged post): nothing is changed.
        errors.push(FieldError::new(
            "action",
            "请通过页面上的“保存个人信息”按钮提交。",
            "Submit with the page's “Save personal information” button.",
        ));
    }
    for field in OWN_FIELDS {
        let v = f.get(field);
        if !v.trim().is_empty()
            && let Err(r) = field.validate(v)
        {
            errors.push(FieldError::new(field.as_str(), r.message_zh, r.message_en));
        }
    }
    if !errors.is_empty() {
        let v = AccountView {
            personal_errors: Some(errors),
            typed: Some(f),
            ..AccountView::default()
        };
        let mut resp = account_page(&ctx, &state, v).await?;
        *resp.status_mut() = StatusCode::BAD_REQUEST;
        return Ok(resp);
    }
    let current = state.guohe.account_fields(&p.account).await?;
    for field in OWN_FIELDS {
        let new = f.get(field).trim();
        let old = current
            .iter()
            .find(|(k, _)| *k == field)
            .and_then(|(_, r)| r.value())
            .unwrap_or("");
        if new != old {
            let saved = state
                .guohe
                .set_account_field(&p.account, field, new, &p.audit_id(), state.today())
                .await;
            if let Err(AppError::Refused(r)) = saved {
                let mut errors = FormErrors::new(ctx.lang);
                errors.push(FieldError::new(field.as_str(), r.message_zh, r.message_en));
                let v = AccountView {
                    personal_errors: Some(errors),
                    typed: Some(f),
                    ..AccountView::default()
                };
                let mut resp = account_page(&ctx, &state, v).await?;
                *resp.status_mut() = StatusCode::BAD_REQUEST;
                return Ok(resp);
            }
            saved?;
        }
    }
    Ok(Redirect::to("/account?saved=1").into_response())
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
            let v = AccountView {
                errors: Some(errors),
                ..AccountView::default()
            };
            let mut resp = account_page(&ctx, &state, v).await?;
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
