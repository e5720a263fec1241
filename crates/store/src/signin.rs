//! 登录防护 — the state behind sign-in throttling, second factors (TOTP), one-time recovery
//! codes, flash messages, limits on public forms and request rate windows.
//!
//! The tables are created by the account migrations (`accounts_0004.sql`, `accounts_0005.sql`), so
//! [`SigninStore::new`] needs no migration of its own once [`crate::AccountStore::open`] has
//! run. They live in the shared database: several servers on one PostgreSQL see the same
//! failure counts, the same used TOTP steps and the same spent recovery codes. Every
//! check-and-set is one SQL statement, so two servers cannot both accept the same code.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::{Backend, EventLog, StoreError};

#[derive(Clone)]
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Throttle counters, second factors, recovery codes, flashes and form limits. Cheap to clone;
/// shares the event log's pool.
#[derive(Clone)]
pub struct SigninStore {
    db: Db,
}

impl std::fmt::Debug for SigninStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigninStore").finish_non_exhaustive()
    }
}

macro_rules! on_pool {
    ($self:ident, |$p:ident| $body:expr) => {
        match &$self.db {
            Db::Sqlite($p) => $body,
            Db::Postgres($p) => $body,
        }
    };
}

/// Counts one failure (or attempt) in a counter, atomically. Every right-hand side reads the
/// row as it was, in both SQLite and PostgreSQL.
const COUNT_ONE: &str = "INSERT INTO login_throttle (scope, key, login, failures, last_failure, prev_failure) \
     VALUES ($1, $2, $3, 1, $4, NULL) \
     ON CONFLICT (scope, key) DO UPDATE SET \
       failures = CASE WHEN login_throttle.last_failure < $5 THEN 1 ELSE login_throttle.failures + 1 END, \
       prev_failure = CASE WHEN login_throttle.last_failure < $5 THEN NULL ELSE login_throttle.last_failure END, \
       last_failure = $4 \
     RETURNING failures, prev_failure";

fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn from_ts(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap_or_default()
}

/// What a throttle counter says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    /// Failures counted.
    pub count: i64,
    /// The latest failure.
    pub last: DateTime<Utc>,
}

/// Which counter: see the migration's comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleScope {
    /// One login, whatever the client.
    Account,
    /// One client address, whatever the login.
    Client,
    /// One login from one client address.
    Pair,
}

impl ThrottleScope {
    fn code(self) -> &'static str {
        match self {
            ThrottleScope::Account => "account",
            ThrottleScope::Client => "client",
            ThrottleScope::Pair => "pair",
        }
    }
}

/// A request counted in its rate window ([`SigninStore::count_request`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateCount {
    /// When the window began.
    pub window_start: DateTime<Utc>,
    /// Requests counted in the window, this one included.
    pub count: i64,
}

/// An account's TOTP secret as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactor {
    /// Base32 secret.
    pub secret: String,
    /// Created (enrolment started).
    pub created_at: DateTime<Utc>,
    /// Confirmed with a code; `None` while enrolment is pending.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Highest time step accepted so far.
    pub last_step: Option<i64>,
}

impl SigninStore {
    /// The store in the event log's database (tables created by the account migrations).
    pub fn new(log: &EventLog) -> SigninStore {
        let db = match &log.backend {
            Backend::Sqlite(b) => Db::Sqlite(b.pool().clone()),
            Backend::Postgres(b) => Db::Postgres(b.pool().clone()),
        };
        SigninStore { db }
    }

    // ---------- throttling ----------

    /// A counter; `None` when it has never failed or was cleared.
    pub async fn failures(&self, scope: ThrottleScope, key: &str) -> Result<Option<Failures>, StoreError> {
        let row: Option<(i64, i64)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT failures, last_failure FROM login_throttle WHERE scope = $1 AND key = $2"
        )
        .bind(scope.code())
        .bind(key)
        .fetch_optional(p)
        .await?);
        Ok(row.map(|(count, last)| Failures {
            count,
            last: from_ts(last),
        }))
    }

    /// Counts one failure (or an attempt about to be checked), atomically; a counter whose
    /// last failure is before `forget_before` starts again at one. Returns the new count and
    /// the time of the failure before this one (`None` for the first): with it the caller can
    /// tell whether another attempt slipped in between its check and this count.
    pub async fn record_failure(
        &self,
        scope: ThrottleScope,
        key: &str,
        login: &str,
        now: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
        let (n, prev): (i64, Option<i64>) = on_pool!(self, |p| {
            sqlx::query_as(COUNT_ONE)
                .bind(scope.code())
                .bind(key)
                .bind(login)
                .bind(ts(now))
                .bind(ts(forget_before))
                .fetch_one(p)
                .await?
        });
        Ok((n, prev.map(from_ts)))
    }

    /// Counts one attempt in several counters in **one transaction**, taking the rows in the
    /// order given. Parallel attempts on the same counters are thereby serialised by the first
    /// row they share: the attempt that is n-th on one counter is n-th on all of them, so a
    /// burst cannot interleave into counts that hold every attempt back (or let one too many
    /// through). Returns, per counter, what [`SigninStore::record_failure`] returns.
    pub async fn record_attempt(
        &self,
        counters: &[(ThrottleScope, &str, &str)],
        now: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<Vec<(i64, Option<DateTime<Utc>>)>, StoreError> {
        let mut out = Vec::with_capacity(counters.len());
        on_pool!(self, |p| {
            let mut tx = p.begin().await?;
            for (scope, key, login) in counters {
                let (n, prev): (i64, Option<i64>) = sqlx::query_as(COUNT_ONE)
                    .bind(scope.code())
                    .bind(*key)
                    .bind(*login)
                    .bind(ts(now))
                    .bind(ts(forget_before))
                    .fetch_one(&mut *tx)
                    .await?;
                out.push((n, prev.map(from_ts)));
            }
            tx.commit().await?;
        });
        Ok(out)
    }

    /// Takes back one counted attempt (it turned out to succeed); the count never goes below
    /// zero.
    pub async fn uncount(&self, scope: ThrottleScope, key: &str) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE login_throttle SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END \
             WHERE scope = $1 AND key = $2"
        )
        .bind(scope.code())
        .bind(key)
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Clears one counter (after a successful sign-in).
    pub async fn clear_failures(&self, scope: ThrottleScope, key: &str) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query(
            "DELETE FROM login_throttle WHERE scope = $1 AND key = $2"
        )
        .bind(scope.code())
        .bind(key)
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Clears every counter naming a login (the account's and each client's with it); returns
    /// how many were cleared.
    pub async fn clear_failures_of(&self, login: &str) -> Result<u64, StoreError> {
        Ok(on_pool!(self, |p| sqlx::query(
            "DELETE FROM login_throttle WHERE login = $1 AND scope <> 'client'"
        )
        .bind(login)
        .execute(p)
        .await?
        .rows_affected()))
    }

    // ---------- second factors ----------

    /// An account's second factor.
    pub async fn second_factor(&self, login: &str) -> Result<Option<SecondFactor>, StoreError> {
        let row: Option<(String, i64, Option<i64>, Option<i64>)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT secret, created_at, confirmed_at, last_step FROM second_factors WHERE login = $1"
        )
        .bind(login)
        .fetch_optional(p)
        .await?);
        Ok(row.map(|(secret, created, confirmed, last_step)| SecondFactor {
            secret,
            created_at: from_ts(created),
            confirmed_at: confirmed.map(from_ts),
            last_step,
        }))
    }

    /// Starts an enrolment with `secret` unless one is already stored (pending or confirmed);
    /// returns what is stored afterwards.
    pub async fn start_enrolment(
        &self,
        login: &str,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<SecondFactor, StoreError> {
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO second_factors (login, secret, created_at, confirmed_at, last_step) \
             VALUES ($1, $2, $3, NULL, NULL) ON CONFLICT (login) DO NOTHING"
        )
        .bind(login)
        .bind(secret)
        .bind(ts(now))
        .execute(p)
        .await
        .map(|_| ())?);
        self.second_factor(login).await?.ok_or_else(|| StoreError::Corrupt {
            seq: 0,
            detail: format!("the second factor of {login} vanished while enrolling"),
        })
    }

    /// Confirms an enrolment: stores `secret` as confirmed (the step that proved it, if any, is
    /// spent) and replaces the recovery codes with `code_hashes`, in one transaction.
    pub async fn confirm_enrolment(
        &self,
        login: &str,
        secret: &str,
        step: Option<i64>,
        code_hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        macro_rules! run {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                sqlx::query(
                    "INSERT INTO second_factors (login, secret, created_at, confirmed_at, last_step) \
                     VALUES ($1, $2, $3, $3, $4) ON CONFLICT (login) DO UPDATE SET \
                     secret = $2, confirmed_at = $3, last_step = $4",
                )
                .bind(login)
                .bind(secret)
                .bind(ts(now))
                .bind(step)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM recovery_codes WHERE login = $1")
                    .bind(login)
                    .execute(&mut *tx)
                    .await?;
                for h in code_hashes {
                    sqlx::query(
                        "INSERT INTO recovery_codes (login, code_hash, created_at, used_at) VALUES ($1, $2, $3, NULL)",
                    )
                    .bind(login)
                    .bind(h)
                    .bind(ts(now))
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
            }};
        }
        match &self.db {
            Db::Sqlite(p) => run!(p),
            Db::Postgres(p) => run!(p),
        }
        Ok(())
    }

    /// Accepts a TOTP time step if it is later than every step accepted before: atomic, so a
    /// code cannot be used twice, even on two servers at once.
    pub async fn accept_step(&self, login: &str, step: i64) -> Result<bool, StoreError> {
        let n = on_pool!(self, |p| sqlx::query(
            "UPDATE second_factors SET last_step = $2 \
             WHERE login = $1 AND confirmed_at IS NOT NULL AND (last_step IS NULL OR last_step < $2)"
        )
        .bind(login)
        .bind(step)
        .execute(p)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Spends a recovery code (by its digest); false when unknown or already spent.
    pub async fn spend_recovery_code(
        &self,
        login: &str,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = on_pool!(self, |p| sqlx::query(
            "UPDATE recovery_codes SET used_at = $3 WHERE login = $1 AND code_hash = $2 AND used_at IS NULL"
        )
        .bind(login)
        .bind(code_hash)
        .bind(ts(now))
        .execute(p)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Recovery codes not yet spent.
    pub async fn unused_recovery_codes(&self, login: &str) -> Result<i64, StoreError> {
        Ok(on_pool!(self, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE login = $1 AND used_at IS NULL"
        )
        .bind(login)
        .fetch_one(p)
        .await?))
    }

    /// Removes an account's second factor and recovery codes (the owner must enrol again).
    pub async fn reset_second_factor(&self, login: &str) -> Result<(), StoreError> {
        on_pool!(self, |p| {
            sqlx::query("DELETE FROM recovery_codes WHERE login = $1")
                .bind(login)
                .execute(p)
                .await?;
            sqlx::query("DELETE FROM second_factors WHERE login = $1")
                .bind(login)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    // ---------- flash messages ----------

    /// Stores a message to show once under `key_digest` (replacing any), and drops expired ones.
    pub async fn put_flash(
        &self,
        key_digest: &str,
        zh: &str,
        en: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(self, |p| {
            sqlx::query("DELETE FROM flashes WHERE expires_at <= $1")
                .bind(ts(now))
                .execute(p)
                .await?;
            sqlx::query(
                "INSERT INTO flashes (key_digest, text_zh, text_en, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (key_digest) DO UPDATE SET text_zh = $2, text_en = $3, expires_at = $4",
            )
            .bind(key_digest)
            .bind(zh)
            .bind(en)
            .bind(ts(expires_at))
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Takes (reads and deletes) the message under `key_digest`, if it has not expired.
    pub async fn take_flash(
        &self,
        key_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, String)>, StoreError> {
        let row: Option<(String, String, i64)> = on_pool!(self, |p| sqlx::query_as(
            "DELETE FROM flashes WHERE key_digest = $1 RETURNING text_zh, text_en, expires_at"
        )
        .bind(key_digest)
        .fetch_optional(p)
        .await?);
        Ok(row.filter(|r| r.2 > ts(now)).map(|(zh, en, _)| (zh, en)))
    }

    // ---------- limits on public forms ----------

    /// Counts one submission of a public form for a key on a day, atomically; returns the
    /// count including this one.
    pub async fn bump_form_count(&self, scope: &str, key: &str, day: &str) -> Result<i64, StoreError> {
        Ok(on_pool!(self, |p| sqlx::query_scalar(
            "INSERT INTO form_limits (scope, key, day, count) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (scope, key, day) DO UPDATE SET count = form_limits.count + 1 RETURNING count"
        )
        .bind(scope)
        .bind(key)
        .bind(day)
        .fetch_one(p)
        .await?))
    }

    /// Submissions counted for a key on a day.
    pub async fn form_count(&self, scope: &str, key: &str, day: &str) -> Result<i64, StoreError> {
        let n: Option<i64> = on_pool!(self, |p| sqlx::query_scalar(
            "SELECT count FROM form_limits WHERE scope = $1 AND key = $2 AND day = $3"
        )
        .bind(scope)
        .bind(key)
        .bind(day)
        .fetch_optional(p)
        .await?);
        Ok(n.unwrap_or(0))
    }

    // ---------- request rate windows ----------

    /// Counts one request of `key` under `scope` in its fixed window of length `window`,
    /// atomically: one statement, so servers sharing the database count together and two
    /// requests at once are both counted. A window that has ended by `now` starts again with
    /// this request. The caller compares the count with its limit.
    pub async fn count_request(
        &self,
        scope: &str,
        key: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> Result<RateCount, StoreError> {
        let now_ms = now.timestamp_millis();
        let ended_at_or_before = now_ms.saturating_sub(window.num_milliseconds());
        // Every right-hand side reads the row as it was, in both SQLite and PostgreSQL.
        let (start, count): (i64, i64) = on_pool!(self, |p| sqlx::query_as(
            "INSERT INTO rate_windows (scope, key, window_start, count) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (scope, key) DO UPDATE SET \
               count = CASE WHEN rate_windows.window_start <= $4 THEN 1 ELSE rate_windows.count + 1 END, \
               window_start = CASE WHEN rate_windows.window_start <= $4 THEN $3 ELSE rate_windows.window_start END \
             RETURNING window_start, count"
        )
        .bind(scope)
        .bind(key)
        .bind(now_ms)
        .bind(ended_at_or_before)
        .fetch_one(p)
        .await?);
        Ok(RateCount {
            window_start: DateTime::from_timestamp_millis(start).unwrap_or_default(),
            count,
        })
    }

    /// Drops the windows of `scope` that ended by `now` (they would start again anyway);
    /// returns how many.
    pub async fn prune_rate_windows(
        &self,
        scope: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> Result<u64, StoreError> {
        let ended_at_or_before = now.timestamp_millis().saturating_sub(window.num_milliseconds());
        Ok(on_pool!(self, |p| sqlx::query(
            "DELETE FROM rate_windows WHERE scope = $1 AND window_start <= $2"
        )
        .bind(scope)
        .bind(ended_at_or_before)
        .execute(p)
        .await?
        .rows_affected()))
    }
}
