//! 登录失败处理 — failed sign-ins counted atomically, locks set and lifted by an administrator,
//! accounts enabled and disabled (disabling ends their sessions).

use chrono::{DateTime, Utc};

use super::{AccountError, AccountStore, Db, FailedLogin, from_ts, one_account, ts};
use crate::StoreError;

impl AccountStore {
    /// Counts a failed sign-in; the `max_failures`-th in a row locks the account until
    /// `now + lock_for` and starts the count again. Atomic, so parallel guesses cannot slip
    /// past the limit. `None` when there is no such account.
    pub async fn record_failed_login(
        &self,
        login: &str,
        max_failures: i64,
        now: DateTime<Utc>,
        lock_for: chrono::Duration,
    ) -> Result<Option<FailedLogin>, StoreError> {
        let until = ts(now + lock_for);
        let row: Option<(i64, Option<i64>)> = on_pool!(self, |p| sqlx::query_as(
            "UPDATE accounts SET \
               locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END, \
               failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END \
             WHERE login = $1 RETURNING failed_logins, locked_until"
        )
        .bind(login)
        .bind(max_failures)
        .bind(until)
        .fetch_optional(p)
        .await?);
        Ok(row.map(|(failures, locked)| FailedLogin {
            failures,
            locked_until: locked.filter(|l| *l == until && failures == 0).map(from_ts),
        }))
    }

    /// Clears the failure count after a successful sign-in.
    pub async fn record_successful_login(&self, login: &str) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE login = $1"
        )
        .bind(login)
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Locks an account until a time (administrative lock).
    pub async fn lock(&self, login: &str, until: DateTime<Utc>) -> Result<(), AccountError> {
        let n = on_pool!(self, |p| sqlx::query(
            "UPDATE accounts SET locked_until = $2 WHERE login = $1"
        )
        .bind(login)
        .bind(ts(until))
        .execute(p)
        .await?
        .rows_affected());
        one_account(n, login)
    }

    /// Lifts a lock and clears the failure count.
    pub async fn unlock(&self, login: &str) -> Result<(), AccountError> {
        let n = on_pool!(self, |p| sqlx::query(
            "UPDATE accounts SET locked_until = NULL, failed_logins = 0 WHERE login = $1"
        )
        .bind(login)
        .execute(p)
        .await?
        .rows_affected());
        one_account(n, login)
    }

    /// Enables or disables an account; disabling also ends its sessions.
    pub async fn set_active(&self, login: &str, active: bool) -> Result<(), AccountError> {
        let n = on_pool!(self, |p| sqlx::query(
            "UPDATE accounts SET active = $2 WHERE login = $1"
        )
        .bind(login)
        .bind(active)
        .execute(p)
        .await?
        .rows_affected());
        one_account(n, login)?;
        if !active {
            self.delete_sessions_of(login).await?;
        }
        Ok(())
    }
}
