//! A request's session: loaded from the store (the security policy's idle timeout and password
//! life, the account's state, a recommender's jurisdiction, the second factor), or, for a
//! reading, as loaded within the session memo's lifetime.

use std::sync::Arc;

use chrono::Utc;
use guohe_store::AccountRole;

use super::Signed;
use crate::AppState;
use crate::authz::{Jurisdiction, Principal};
use crate::error::WebError;

/// The session for `sid`: for a reading, as loaded within the memo's lifetime if it was.
pub(super) async fn remembered_session(
    state: &AppState,
    sid: &str,
    reading: bool,
) -> Result<Option<Arc<Signed>>, WebError> {
    if reading && let Some(known) = state.sessions.get(sid, memo_ttl(state)) {
        return Ok(known);
    }
    let generation = state.sessions.generation();
    let loaded = load_session(state, sid).await?.map(Arc::new);
    if reading {
        state.sessions.keep(sid, generation, loaded.clone());
    }
    Ok(loaded)
}

/// The memo never outlives a quarter of the idle timeout, so a short timeout stays exact enough.
fn memo_ttl(state: &AppState) -> std::time::Duration {
    crate::session_memo::TTL.min(state.settings.idle_timeout / 4)
}

async fn load_session(state: &AppState, sid: &str) -> Result<Option<Signed>, WebError> {
    let now = Utc::now();
    // The security administrator's policy, where set, rules the idle timeout and the password's
    // life; else the server's configuration.
    let policy = state.accounts.stored_security_settings().await?;
    let idle = match &policy {
        Some(p) => chrono::Duration::minutes(i64::from(p.idle_minutes)),
        None => {
            chrono::Duration::from_std(state.settings.idle_timeout).unwrap_or_else(|_| chrono::Duration::minutes(30))
        }
    };
    let Some(session) = state.accounts.session(sid, now - idle).await? else {
        return Ok(None);
    };
    let Some(account) = state.accounts.account(&session.login).await? else {
        state.accounts.delete_session(sid).await?;
        return Ok(None);
    };
    if !account.active || account.is_locked(now) {
        state.accounts.delete_session(sid).await?;
        return Ok(None);
    }
    let expiry_days = policy.unwrap_or_default().password_expiry_days;
    let expired_password =
        expiry_days > 0 && now - account.password_changed_at > chrono::Duration::days(i64::from(expiry_days));
    let must_change_password = account.must_change_password || expired_password;
    let jurisdiction = match (account.role, &account.org_id) {
        (AccountRole::Recommender, Some(org)) => state
            .accounts
            .organisation(org)
            .await?
            .map(|o| Jurisdiction::of(&o))
            .unwrap_or_default(),
        _ => Jurisdiction::default(),
    };
    // Writing on every request would serialise SQLite writers for nothing: a quarter of the idle
    // timeout (at most a minute) of slack is invisible against a 30-minute limit.
    let slack = (idle / 4).min(chrono::Duration::minutes(1));
    if now - session.last_seen >= slack {
        state.accounts.touch_session(sid, now).await?;
    }
    let must_enrol = crate::second_factor::must_enrol(state, &account.login, account.role).await?;
    Ok(Some(Signed {
        must_enrol,
        id: sid.to_string(),
        principal: Principal {
            account: account.login,
            display_name: account.display_name,
            role: account.role,
            org: account.org_id,
            jurisdiction,
            policies: crate::authz::province_policies(state.guohe.policies(), &account.province),
            province: account.province,
            must_change_password,
        },
        csrf: session.csrf_token,
    }))
}
