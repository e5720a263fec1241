//! 核验服务 — what the verification API and page share: the per-client rate limit, the signing
//! key loaded at start, and one function that answers, signs and audits.
//!
//! The rate limit is a fixed window per client address (one minute, `verify_per_minute`
//! requests, default 30), counted in the shared database (table `rate_windows`, one atomic
//! statement per request), so several servers behind one proxy apply one limit between them:
//! it protects the servers and the audit chain from a flood. A client over the limit gets 429
//! with `Retry-After` (the seconds until its window ends); nothing is audited for it, so a flood
//! cannot fill the chain either, and once a server has seen the window full it refuses the rest
//! of it without writing to the database.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use guohe_app::verification::{NoStatement, Statement, Verification};
use guohe_keys::Sm2Signer;
use guohe_store::StoreError;
use guohe_store::signin::SigninStore;
use serde::Serialize;

use crate::AppState;
use crate::error::{FieldError, WebError};

/// The window of the rate limit.
pub const WINDOW: Duration = Duration::from_secs(60);

/// The scope of the verification service's counts in `rate_windows`.
const SCOPE: &str = "verify";

/// Above this many addresses known to be over the limit, those whose window has ended are
/// forgotten.
const PRUNE_ABOVE: usize = 10_000;

/// Counts requests per client address in fixed windows, in the database all servers share.
#[derive(Debug)]
pub struct RateLimiter {
    per_window: u32,
    window: chrono::Duration,
    store: SigninStore,
    /// Addresses this server has seen over the limit, with the end of their window: until then
    /// their requests are refused without touching the database, so a flood costs no write.
    /// Other servers' counts only ever fill a window further, so this never refuses wrongly.
    full_until: Mutex<HashMap<String, DateTime<Utc>>>,
}

impl RateLimiter {
    /// At most `per_window` requests per `window` for each key, counted in `store`.
    pub fn new(store: SigninStore, per_window: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            per_window: per_window.max(1),
            window: chrono::Duration::from_std(window).unwrap_or(chrono::Duration::seconds(60)),
            store,
            full_until: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `key` at `now`; `Some(wait)` when its window is full (the time
    /// until the window ends).
    pub async fn check(&self, key: &str, now: DateTime<Utc>) -> Result<Option<Duration>, StoreError> {
        let key: String = key.chars().take(64).collect();
        if let Some(until) = self.known_full(&key, now) {
            return Ok(Some(wait(until, now)));
        }
        let c = self.store.count_request(SCOPE, &key, now, self.window).await?;
        if c.count <= i64::from(self.per_window) {
            return Ok(None);
        }
        let until = c.window_start + self.window;
        self.lock_full().insert(key, until);
        Ok(Some(wait(until, now)))
    }

    /// The end of the key's window if this server has seen it full and it has not ended.
    fn known_full(&self, key: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut full = self.lock_full();
        if full.len() > PRUNE_ABOVE {
            full.retain(|_, until| *until > now);
        }
        match full.get(key) {
            Some(until) if *until > now => Some(*until),
            Some(_) => {
                full.remove(key);
                None
            }
            None => None,
        }
    }

    fn lock_full(&self) -> std::sync::MutexGuard<'_, HashMap<String, DateTime<Utc>>> {
        // A poisoned lock only means another request panicked mid-update; the map is still
        // usable.
        self.full_until.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops the counts of windows that have ended (the session sweep calls it).
    pub async fn prune(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.lock_full().retain(|_, until| *until > now);
        self.store.prune_rate_windows(SCOPE, now, self.window).await
    }
}

fn wait(until: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    (until - now).to_std().unwrap_or(Duration::ZERO)
}

/// The verification service's state in the running server.
#[derive(Debug)]
pub struct Verifier {
    /// The key that signs statements, loaded at start; `None` when the key file has none.
    pub signer: Option<Sm2Signer>,
    /// How long a statement is good for.
    pub ttl: Duration,
    /// Requests per client address.
    pub limiter: RateLimiter,
}

/// An answer with its statement, or the reason it has none.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// The answer.
    pub answer: Verification,
    /// The signed statement.
    pub statement: Option<Statement>,
    /// Why there is no statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement_unavailable: Option<NoStatement>,
}

/// 429 for a client over the limit: the seconds to wait (at least 1).
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// Counts the request against the client's limit: `Some(seconds to wait)` when over it.
pub async fn limit(state: &AppState, client_ip: &str) -> Result<Option<u64>, WebError> {
    let wait = state.verifier.limiter.check(client_ip, Utc::now()).await?;
    Ok(wait.map(|w| retry_after_secs(w).max(1)))
}

/// Input the verification refuses becomes a 400 naming the field (pages show it by the form).
pub fn bad_input(e: guohe_app::AppError) -> WebError {
    match e {
        guohe_app::AppError::Refused(r) if r.field.is_some() => {
            let field = r.field.clone().unwrap_or_default();
            WebError::BadRequest {
                zh: r.message_zh.clone(),
                en: r.message_en.clone(),
                fields: vec![FieldError::new(field, r.message_zh, r.message_en)],
            }
        }
        other => WebError::App(other),
    }
}

/// Answers, signs (when a key is configured) and audits one question. `via` says which door it
/// came through (`api`, `page`), `actor` who asked.
pub async fn answer(
    state: &AppState,
    actor: &str,
    via: &str,
    uscc: &str,
    on: Option<chrono::NaiveDate>,
) -> Result<Answer, WebError> {
    let today = state.today();
    let v = state.guohe.verify_unit(uscc, on, today).await.map_err(bad_input)?;
    let statement = state
        .verifier
        .signer
        .as_ref()
        .map(|s| Statement::sign(&v, s, Utc::now(), state.verifier.ttl));
    state
        .guohe
        .record_verification(today, actor, via, &v, statement.as_ref())
        .await?;
    let statement_unavailable = statement.is_none().then(NoStatement::no_key);
    Ok(Answer {
        answer: v,
        statement,
        statement_unavailable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_rounded_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(40)), 40);
        assert_eq!(retry_after_secs(Duration::ZERO), 0);
    }
}
