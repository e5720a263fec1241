//! 管理 — what the administrators keep: the security administrator's settings, the list of live
//! sessions, and support units waiting for their department's approval.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    ACCOUNT_COLUMNS, Account, AccountError, AccountRow, AccountStore, Db, account_from, from_ts, one_account, ts,
};
use crate::StoreError;

/// 安全策略 — the settings the security administrator keeps (等保 §8.1.4.1 身份鉴别, 登录失败处理).
/// Stored in the database so every server uses the same; until the security administrator sets
/// them, each server's own configuration applies (and these defaults for the password expiry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecuritySettings {
    /// 口令有效期 — days a password is valid before it must be changed (default 90).
    pub password_expiry_days: u32,
    /// Failed sign-ins in a row after which each further attempt must wait (default 5); failures
    /// never lock an account, they slow it down.
    pub throttle_after: u32,
    /// The longest such wait, in minutes (default 15).
    pub throttle_cap_minutes: u32,
    /// Sessions idle this many minutes end (default 30).
    pub idle_minutes: u32,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            password_expiry_days: 90,
            throttle_after: 5,
            throttle_cap_minutes: 15,
            idle_minutes: 30,
        }
    }
}

/// A live session as the security administrator sees it (never its id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The SM3 digest of the session id, to end it by.
    pub key: String,
    /// The account.
    pub login: String,
    /// Signed in at.
    pub created_at: DateTime<Utc>,
    /// Last request.
    pub last_seen: DateTime<Utc>,
    /// Client IP at sign-in.
    pub client_ip: String,
}

const SETTINGS_KEY: &str = "security";

impl AccountStore {
    /// The security settings (the defaults until the security administrator sets them).
    pub async fn security_settings(&self) -> Result<SecuritySettings, StoreError> {
        Ok(self.stored_security_settings().await?.unwrap_or_default())
    }

    /// The security settings if the security administrator has set them.
    pub async fn stored_security_settings(&self) -> Result<Option<SecuritySettings>, StoreError> {
        let row: Option<(String,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT value FROM security_settings WHERE key = $1"
        )
        .bind(SETTINGS_KEY)
        .fetch_optional(p)
        .await?);
        Ok(row.and_then(|(v,)| serde_json::from_str(&v).ok()))
    }

    /// Replaces the security settings.
    pub async fn set_security_settings(
        &self,
        s: &SecuritySettings,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let value = serde_json::to_string(s).unwrap_or_default();
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO security_settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by"
        )
        .bind(SETTINGS_KEY)
        .bind(value)
        .bind(ts(now))
        .bind(by)
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Every live session, most recent first.
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>, StoreError> {
        let rows: Vec<(String, String, i64, i64, String)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT id_digest, login, created_at, last_seen, client_ip FROM sessions ORDER BY last_seen DESC"
        )
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(key, login, created, seen, client_ip)| SessionInfo {
                key,
                login,
                created_at: from_ts(created),
                last_seen: from_ts(seen),
                client_ip,
            })
            .collect())
    }

    /// Ends one session by its digest; false when there was none.
    pub async fn end_session(&self, key: &str) -> Result<bool, StoreError> {
        let n = on_pool!(self, |p| sqlx::query("DELETE FROM sessions WHERE id_digest = $1")
            .bind(key)
            .execute(p)
            .await?
            .rows_affected());
        Ok(n > 0)
    }

    /// Approves a self-registered account: it becomes active.
    pub async fn approve_registration(&self, login: &str) -> Result<(), AccountError> {
        let n = on_pool!(self, |p| sqlx::query(
            "UPDATE accounts SET pending_approval = FALSE, active = TRUE WHERE login = $1 AND pending_approval"
        )
        .bind(login)
        .execute(p)
        .await?
        .rows_affected());
        one_account(n, login)
    }

    /// Refuses a self-registration: the account stays, disabled and no longer pending, so the
    /// refusal and who asked are kept (accounts are never deleted).
    pub async fn refuse_registration(&self, login: &str) -> Result<(), AccountError> {
        let n = on_pool!(self, |p| sqlx::query(
            "UPDATE accounts SET pending_approval = FALSE, active = FALSE WHERE login = $1 AND pending_approval"
        )
        .bind(login)
        .execute(p)
        .await?
        .rows_affected());
        one_account(n, login)
    }

    /// Accounts waiting for approval in a province, oldest first (then by login), read through
    /// the index of pending registrations (`accounts_0006.sql`), not by reading every account.
    pub async fn pending_registrations(&self, province: &str) -> Result<Vec<Account>, StoreError> {
        let sql = format!("{ACCOUNT_COLUMNS} WHERE pending_approval AND province = $1 ORDER BY created_at, login");
        let rows: Vec<AccountRow> = on_pool!(self, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(province)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(account_from).collect()
    }
}
