//! 核验服务 — what the verification API and page share: the per-client rate limit, the signing
//! key loaded at start, and one function that answers, signs and audits.
//!
//! The rate limit is a fixed window per client address (one minute, `verify_per_minute`
//! requests, default 30), held in this server's memory: it protects the server and the audit
//! chain from a flood, and several servers behind one proxy each apply it. A client over the
//! limit gets 429 with `Retry-After` (the seconds until its window ends); nothing is audited for
//! it, so a flood cannot fill the chain either.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use guohe_app::verification::{NoStatement, Statement, Verification};
use guohe_keys::Sm2Signer;
use serde::Serialize;

use crate::AppState;
use crate::error::{FieldError, WebError};

/// The window of the rate limit.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Above this many tracked addresses, ended windows are dropped before counting.
const PRUNE_ABOVE: usize = 10_000;

/// Counts requests per client address in fixed windows.
#[derive(Debug)]
pub struct RateLimiter {
    per_window: u32,
    window: Duration,
    slots: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// At most `per_window` requests per `window` for each key.
    pub fn new(per_window: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            per_window: per_window.max(1),
            window,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `key` at `now`; `Err(wait)` when its window is full (the request
    /// is not counted then).
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        // A poisoned lock only means another request panicked mid-count; the counts are still
        // usable.
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() > PRUNE_ABOVE {
            let window = self.window;
            slots.retain(|_, (start, _)| now.saturating_duration_since(*start) < window);
        }
        let slot = slots.entry(key.chars().take(64).collect()).or_insert((now, 0));
        let elapsed = now.saturating_duration_since(slot.0);
        if elapsed >= self.window {
            *slot = (now, 0);
        }
        let elapsed = now.saturating_duration_since(slot.0);
        if slot.1 >= self.per_window {
            return Err(self.window.saturating_sub(elapsed));
        }
        slot.1 += 1;
        Ok(())
    }
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

/// Counts the request against the client's limit.
pub fn limit(state: &AppState, client_ip: &str) -> Result<(), u64> {
    state
        .verifier
        .limiter
        .check(client_ip, Instant::now())
        .map_err(|w| retry_after_secs(w).max(1))
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
    fn a_full_window_waits_until_it_ends_and_others_are_not_affected() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(l.check("10.0.0.1", t0).is_ok());
        assert!(l.check("10.0.0.1", t0 + Duration::from_secs(1)).is_ok());
        let wait = l.check("10.0.0.1", t0 + Duration::from_secs(20)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(40));
        assert!(
            l.check("10.0.0.2", t0 + Duration::from_secs(20)).is_ok(),
            "another address"
        );
        assert!(
            l.check("10.0.0.1", t0 + Duration::from_secs(60)).is_ok(),
            "a new window"
        );
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
    }
}
