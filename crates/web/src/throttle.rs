//! 登录限速 — throttling of failed sign-ins, so that outsiders can neither guess passwords
//! quickly nor lock the real user out.
//!
//! # The reading taken
//!
//! Failed sign-ins (wrong login, password or second-factor code) are counted in the shared
//! database (table `login_throttle`, so every server on one PostgreSQL sees the same counts) in
//! three counters:
//!
//! * **pair** — one login from one client address;
//! * **client** — one client address, whatever the login (password spraying);
//! * **account** — one login, whatever the address (a botnet).
//!
//! A counter that has reached its threshold imposes a delay after its latest failure that
//! doubles with every further failure: `base × 2^(failures − threshold)`, capped. The pair
//! counter starts at `throttle_after` failures and is capped at `throttle_cap` (15 minutes by
//! default); the client counter starts at `throttle_client_after` and has the same cap; the
//! account counter starts at `throttle_after` but is capped at `throttle_account_cap` (one minute
//! by default). An attempt made before every delay has passed is answered "try again in N
//! seconds" **without running Argon2 and without counting as a failure**; it is audited as
//! `LoginThrottled`. An attempt that passes is counted *before* Argon2 runs ([`reserve`]), so
//! that a burst of parallel attempts cannot all pass the check at once: only as many as the
//! counters allow are checked, the rest are answered like early attempts.
//!
//! So: an attacker at one address gets a handful of guesses and then one guess per 15 minutes;
//! the account's owner at another address is never delayed by the attacker's failures for more
//! than `throttle_account_cap` (the only counter the two share). Failures never lock an
//! account and never end its live sessions. A successful sign-in clears the pair and account
//! counters; counters whose last failure is older than a day start again. An administrator's
//! [`crate::accounts::unlock`] clears every counter naming the account.

use std::time::Duration;

use chrono::{DateTime, Utc};
use guohe_store::signin::{SigninStore, ThrottleScope};

use crate::AppState;
use crate::error::WebResult;

/// Counters whose last failure is older than this start again from zero.
pub const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The throttle settings (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Failures of one login (from one address, or in all) before delays start.
    pub after: u32,
    /// Failures from one address (all logins) before delays start.
    pub client_after: u32,
    /// The first delay.
    pub base: Duration,
    /// The longest delay for a login from one address, and for an address.
    pub cap: Duration,
    /// The longest delay for a login from any address: the most that others' failures can
    /// delay the owner signing in from a fresh address.
    pub account_cap: Duration,
}

impl Rules {
    /// The rules in force.
    pub fn of(state: &AppState) -> Rules {
        let s = &state.settings;
        Rules {
            after: s.throttle_after,
            client_after: s.throttle_client_after,
            base: s.throttle_base,
            cap: s.throttle_cap,
            account_cap: s.throttle_account_cap.min(s.throttle_cap),
        }
    }

    /// The rules in force: the security administrator's policy where they have set one (the
    /// failures before a wait and the longest wait), else the server's configuration.
    pub async fn current(state: &AppState) -> Result<Rules, guohe_store::StoreError> {
        let mut r = Rules::of(state);
        if let Some(p) = state.accounts.stored_security_settings().await? {
            r.after = p.throttle_after;
            r.cap = std::time::Duration::from_secs(u64::from(p.throttle_cap_minutes) * 60);
            r.account_cap = r.account_cap.min(r.cap);
        }
        Ok(r)
    }
}

/// The delay after `failures` failures for a counter with `threshold` and `cap`.
pub fn delay(failures: i64, threshold: u32, base: Duration, cap: Duration) -> Duration {
    let threshold = i64::from(threshold.max(1));
    if failures < threshold {
        return Duration::ZERO;
    }
    let doublings = (failures - threshold).min(40) as u32;
    base.checked_mul(1u32 << doublings.min(31)).unwrap_or(cap).min(cap)
}

/// The counters a sign-in attempt touches.
#[derive(Debug, Clone)]
pub struct Keys {
    login: String,
    client: String,
}

impl Keys {
    /// For a login as typed (lower-cased, at most 64 characters) from a client address.
    pub fn new(login: &str, client_ip: &str) -> Keys {
        Keys {
            login: login.trim().to_ascii_lowercase().chars().take(64).collect(),
            client: client_ip.chars().take(64).collect(),
        }
    }

    fn all(&self) -> [(ThrottleScope, String); 3] {
        [
            (ThrottleScope::Pair, format!("{}\n{}", self.login, self.client)),
            (ThrottleScope::Client, self.client.clone()),
            (ThrottleScope::Account, self.login.clone()),
        ]
    }
}

fn store(state: &AppState) -> SigninStore {
    state.guohe.signin()
}

/// How long the attempt must still wait (zero: check it now).
pub async fn wait(state: &AppState, keys: &Keys, now: DateTime<Utc>) -> WebResult<Duration> {
    let r = Rules::current(state).await?;
    let store = store(state);
    let forget = now - chrono::Duration::from_std(FORGET_AFTER).unwrap_or_default();
    let mut longest = Duration::ZERO;
    for (scope, key) in keys.all() {
        let Some(f) = store.failures(scope, &key).await? else {
            continue;
        };
        if f.last < forget {
            continue;
        }
        let d = match scope {
            ThrottleScope::Pair => delay(f.count, r.after, r.base, r.cap),
            ThrottleScope::Client => delay(f.count, r.client_after, r.base, r.cap),
            ThrottleScope::Account => delay(f.count, r.after, r.base, r.account_cap),
        };
        let until = f.last + chrono::Duration::from_std(d).unwrap_or_default();
        if let Ok(left) = (until - now).to_std() {
            longest = longest.max(left);
        }
    }
    Ok(longest)
}

/// Counts the attempt in all three counters *before* it is checked, in one transaction, so that
/// parallel attempts cannot all slip past [`wait`] and take the same place in every counter:
/// each learns from its count whether another attempt took the slot first. Returns the wait when one did (answer as throttled); zero means check it. A
/// failed attempt stays counted; a successful one is taken back by [`record_success`].
pub async fn reserve(state: &AppState, keys: &Keys, now: DateTime<Utc>) -> WebResult<Duration> {
    let r = Rules::current(state).await?;
    let store = store(state);
    let forget = now - chrono::Duration::from_std(FORGET_AFTER).unwrap_or_default();
    let all = keys.all();
    let counters: Vec<(ThrottleScope, &str, &str)> = all
        .iter()
        .map(|(scope, key)| {
            let login = if *scope == ThrottleScope::Client {
                ""
            } else {
                keys.login.as_str()
            };
            (*scope, key.as_str(), login)
        })
        .collect();
    let counted = store.record_attempt(&counters, now, forget).await?;
    let mut longest = Duration::ZERO;
    for ((scope, _), (count, prev)) in all.iter().zip(counted) {
        let scope = *scope;
        let Some(prev) = prev else { continue };
        // The delay this attempt owed after the failure before it.
        let d = match scope {
            ThrottleScope::Pair => delay(count - 1, r.after, r.base, r.cap),
            ThrottleScope::Client => delay(count - 1, r.client_after, r.base, r.cap),
            ThrottleScope::Account => delay(count - 1, r.after, r.base, r.account_cap),
        };
        let until = prev + chrono::Duration::from_std(d).unwrap_or_default();
        if let Ok(left) = (until - now).to_std() {
            longest = longest.max(left);
        }
    }
    Ok(longest)
}

/// After a successful sign-in: clears the pair and account counters, and takes the attempt
/// back from the address's counter (others' failures from the same address still count).
pub async fn record_success(state: &AppState, keys: &Keys) -> WebResult<()> {
    let store = store(state);
    for (scope, key) in keys.all() {
        if scope == ThrottleScope::Client {
            store.uncount(scope, &key).await?;
        } else {
            store.clear_failures(scope, &key).await?;
        }
    }
    Ok(())
}

/// Clears every counter naming a login (administrative unlock).
pub async fn clear_account(state: &AppState, login: &str) -> WebResult<u64> {
    Ok(store(state)
        .clear_failures_of(&login.trim().to_ascii_lowercase())
        .await?)
}

/// Whole seconds to announce for a wait (at least one).
pub fn seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_the_threshold_up_to_the_cap() {
        let (b, cap) = (Duration::from_secs(1), Duration::from_secs(900));
        assert_eq!(delay(4, 5, b, cap), Duration::ZERO);
        assert_eq!(delay(5, 5, b, cap), Duration::from_secs(1));
        assert_eq!(delay(6, 5, b, cap), Duration::from_secs(2));
        assert_eq!(delay(8, 5, b, cap), Duration::from_secs(8));
        assert_eq!(delay(14, 5, b, cap), Duration::from_secs(512));
        assert_eq!(delay(15, 5, b, cap), cap);
        assert_eq!(delay(10_000, 5, b, cap), cap, "no overflow");
        assert_eq!(delay(7, 5, b, Duration::from_secs(3)), Duration::from_secs(3));
    }

    #[test]
    fn announced_seconds_round_up() {
        assert_eq!(seconds(Duration::from_millis(1)), 1);
        assert_eq!(seconds(Duration::from_secs(2)), 2);
        assert_eq!(seconds(Duration::from_millis(2001)), 3);
    }
}
