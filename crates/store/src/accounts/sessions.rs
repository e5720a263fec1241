//! 会话 — sessions, stored under the digest of their id (a stolen database does not hand out
//! live session cookies), ended when idle, when signed out, or when the account is disabled.

use chrono::{DateTime, Utc};

use super::{AccountStore, Db, Session, digest, from_ts, ts};
use crate::StoreError;

impl AccountStore {
    /// Stores a new session under the digest of `session_id`.
    pub async fn create_session(&self, session_id: &str, s: &Session) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO sessions (id_digest, login, csrf_token, created_at, last_seen, client_ip, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(digest(session_id))
        .bind(&s.login)
        .bind(&s.csrf_token)
        .bind(ts(s.created_at))
        .bind(ts(s.last_seen))
        .bind(&s.client_ip)
        .bind(&s.user_agent)
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// A session by its id, if it was not idle since `idle_since` or earlier; an idle session
    /// is deleted on the way.
    pub async fn session(&self, session_id: &str, idle_since: DateTime<Utc>) -> Result<Option<Session>, StoreError> {
        let key = digest(session_id);
        let row: Option<(String, String, i64, i64, String, String)> = on_pool!(self, |p| {
            sqlx::query_as(
            "SELECT login, csrf_token, created_at, last_seen, client_ip, user_agent FROM sessions WHERE id_digest = $1"
        )
        .bind(&key)
        .fetch_optional(p)
        .await?
        });
        let Some((login, csrf_token, created, seen, client_ip, user_agent)) = row else {
            return Ok(None);
        };
        if seen <= ts(idle_since) {
            self.delete_session(session_id).await?;
            return Ok(None);
        }
        Ok(Some(Session {
            login,
            csrf_token,
            created_at: from_ts(created),
            last_seen: from_ts(seen),
            client_ip,
            user_agent,
        }))
    }

    /// Records activity on a session.
    pub async fn touch_session(&self, session_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE sessions SET last_seen = $2 WHERE id_digest = $1"
        )
        .bind(digest(session_id))
        .bind(ts(now))
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Ends a session.
    pub async fn delete_session(&self, session_id: &str) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query("DELETE FROM sessions WHERE id_digest = $1")
            .bind(digest(session_id))
            .execute(p)
            .await
            .map(|_| ())?);
        Ok(())
    }

    /// Ends every session of an account (after a password change or a lock).
    pub async fn delete_sessions_of(&self, login: &str) -> Result<u64, StoreError> {
        Ok(on_pool!(self, |p| sqlx::query("DELETE FROM sessions WHERE login = $1")
            .bind(login)
            .execute(p)
            .await?
            .rows_affected()))
    }

    /// Deletes sessions idle since `idle_since` or earlier; returns how many.
    pub async fn purge_idle_sessions(&self, idle_since: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(on_pool!(self, |p| sqlx::query(
            "DELETE FROM sessions WHERE last_seen <= $1"
        )
        .bind(ts(idle_since))
        .execute(p)
        .await?
        .rows_affected()))
    }
}
