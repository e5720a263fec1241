//! 提示消息 — "flash" messages shown once on the page after a redirect ("your objection was
//! received", "the password was changed").
//!
//! A message never comes from the query string, where anyone could put any text in a link. It
//! is composed by the server and stored server-side (table `flashes`) under a key: for a signed-in
//! visitor the digest of the session id, for an anonymous one the digest of a random short-lived
//! cookie. Reading it deletes it.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use chrono::Utc;

use crate::AppState;
use crate::error::WebResult;
use crate::security::{RequestCtx, cookie, random_token, set_cookie};

/// How long a message waits to be shown.
pub const LIFETIME: Duration = Duration::from_secs(300);

/// The name of the anonymous visitor's flash cookie.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-guohe_flash" } else { "guohe_flash" }
}

fn key_of_session(sid: &str) -> String {
    guohe_store::sm3_hex(format!("flash\nsession\n{sid}").as_bytes())
}

fn key_of_cookie(token: &str) -> String {
    guohe_store::sm3_hex(format!("flash\ncookie\n{token}").as_bytes())
}

/// Stores a message for the visitor's next page. `session` is the session id the next page
/// will be seen with (the current one, or one just created); without it the message is keyed
/// by a new random cookie, returned as the `Set-Cookie` value to send.
pub async fn put(state: &AppState, session: Option<&str>, zh: &str, en: &str) -> WebResult<Option<HeaderValue>> {
    let now = Utc::now();
    let expires = now + chrono::Duration::from_std(LIFETIME).unwrap_or_default();
    let store = state.guohe.signin();
    match session {
        Some(sid) => {
            store.put_flash(&key_of_session(sid), zh, en, expires, now).await?;
            Ok(None)
        }
        None => {
            let token = random_token();
            store.put_flash(&key_of_cookie(&token), zh, en, expires, now).await?;
            let secure = state.settings.secure_cookies;
            Ok(Some(set_cookie(
                cookie_name(secure),
                &token,
                secure,
                Some(LIFETIME.as_secs() as i64),
            )))
        }
    }
}

/// Stores a message for the visitor of `ctx` (signed in or not).
pub async fn put_for(state: &AppState, ctx: &RequestCtx, zh: &str, en: &str) -> WebResult<Option<HeaderValue>> {
    put(state, ctx.session.as_deref().map(|s| s.id.as_str()), zh, en).await
}

/// Takes the visitor's message, in the visitor's language (empty when there is none).
pub async fn take(state: &AppState, ctx: &RequestCtx, headers: &HeaderMap) -> WebResult<String> {
    let store = state.guohe.signin();
    let now = Utc::now();
    let mut keys = Vec::new();
    if let Some(s) = &ctx.session {
        keys.push(key_of_session(&s.id));
    }
    if let Some(t) = cookie(headers, cookie_name(state.settings.secure_cookies)).filter(|t| t.len() == 64) {
        keys.push(key_of_cookie(t));
    }
    for k in keys {
        if let Some((zh, en)) = store.take_flash(&k, now).await? {
            return Ok(ctx.lang.pick(zh, en));
        }
    }
    Ok(String::new())
}
