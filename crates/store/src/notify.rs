//! 通知 — each account's inbox, the mail outbox and the notifier's cursor. The addresses mail goes
//! to are not here: they are the accounts' sealed personal e-mail fields (`account_personal`).
//!
//! The tables live in the event log's database and share its pool, with their own schema
//! version (`notify_schema_version`). Every message has a deterministic key (the reminder's
//! key plus the recipient), stored UNIQUE: several servers that compute the same reminder
//! insert it once. Sending claims a row with one conditional UPDATE, so exactly one server
//! sends it; a failure puts it back with a retry time, or gives up after the last attempt.
//! Times are Unix seconds (UTC) in both backends, so one SQL text serves both.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::{Backend, EventLog, StoreError};

const SQLITE_MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/notify_0001.sql")];
const POSTGRES_MIGRATIONS: &[&str] = &[include_str!("../migrations/postgres/notify_0001.sql")];

/// Advisory lock key serialising concurrent notification migrations ("guoheN").
const MIGRATION_LOCK: i64 = 0x0000_6775_6f68_654e;

/// The family's migrations, run by [`crate::tables::TableFamily`].
const TABLES: crate::tables::TableFamily = crate::tables::TableFamily {
    version_table: "notify_schema_version",
    lock: MIGRATION_LOCK,
    sqlite: SQLITE_MIGRATIONS,
    postgres: POSTGRES_MIGRATIONS,
};

/// 邮件状态 — where a message's mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailState {
    /// Inbox only: no mail relay configured, or the account has no address.
    None,
    /// To be sent at `next_attempt_at`.
    Pending,
    /// Claimed by a server that is sending it now.
    Sending,
    /// Accepted by the relay.
    Sent,
    /// Given up: a permanent refusal, or every attempt failed.
    Failed,
}

impl MailState {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            MailState::None => "none",
            MailState::Pending => "pending",
            MailState::Sending => "sending",
            MailState::Sent => "sent",
            MailState::Failed => "failed",
        }
    }

    /// Parses the stored code.
    pub fn parse(code: &str) -> Option<MailState> {
        Some(match code {
            "none" => MailState::None,
            "pending" => MailState::Pending,
            "sending" => MailState::Sending,
            "sent" => MailState::Sent,
            "failed" => MailState::Failed,
            _ => return None,
        })
    }
}

/// A message to put in an inbox (and the outbox when `mail` is set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Deterministic key, unique across servers and restarts.
    pub key: String,
    /// The recipient's login.
    pub login: String,
    /// What kind of reminder (`annual_report`, `expert_assigned`, …).
    pub kind: String,
    /// Subject line.
    pub subject: String,
    /// Text.
    pub body: String,
    /// Path in the web application.
    pub link: String,
    /// The date the reminder is about.
    pub due_on: Option<NaiveDate>,
    /// Also send it by mail.
    pub mail: bool,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Row id.
    pub id: i64,
    /// Deterministic key.
    pub key: String,
    /// Recipient.
    pub login: String,
    /// Kind.
    pub kind: String,
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
    /// Path in the web application.
    pub link: String,
    /// The date the reminder is about.
    pub due_on: Option<NaiveDate>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Read by the recipient.
    pub read_at: Option<DateTime<Utc>>,
    /// Mail state.
    pub mail_state: MailState,
    /// Send attempts so far.
    pub attempts: i64,
    /// When the next attempt is due.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure, as the relay or the network said it.
    pub last_error: Option<String>,
    /// Accepted by the relay.
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Clone)]
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Inbox, outbox and cursor. Cheap to clone; shares the event log's pool.
#[derive(Clone)]
pub struct NotifyStore {
    db: Db,
}

impl std::fmt::Debug for NotifyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifyStore").finish_non_exhaustive()
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

// After the macro, which it uses.
mod batch;

type MessageRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

const MESSAGE_COLUMNS: &str = "SELECT id, key, login, kind, subject, body, link, due_on, created_at, read_at, \
     mail_state, attempts, next_attempt_at, last_error, sent_at FROM notify_messages";

fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn from_ts(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap_or_default()
}

fn message_from(row: MessageRow) -> Result<Message, StoreError> {
    let (id, key, login, kind, subject, body, link, due_on, created, read, state, attempts, next, error, sent) = row;
    let mail_state = MailState::parse(&state).ok_or_else(|| StoreError::Corrupt {
        seq: 0,
        detail: format!("notification {id} has an unknown mail state"),
    })?;
    Ok(Message {
        id,
        key,
        login,
        kind,
        subject,
        body,
        link,
        due_on: due_on.and_then(|d| d.parse().ok()),
        created_at: from_ts(created),
        read_at: read.map(from_ts),
        mail_state,
        attempts,
        next_attempt_at: next.map(from_ts),
        last_error: error,
        sent_at: sent.map(from_ts),
    })
}

impl NotifyStore {
    /// The notification tables in the event log's database, migrated on first use.
    pub async fn open(log: &EventLog) -> Result<NotifyStore, StoreError> {
        let store = NotifyStore::of(log);
        store.migrate().await?;
        Ok(store)
    }

    /// The notification tables without migrating: `None` when they were never created. For
    /// read-only uses (a dry run) that must write nothing.
    pub async fn attach(log: &EventLog) -> Result<Option<NotifyStore>, StoreError> {
        let store = NotifyStore::of(log);
        let exists: i64 = match &store.db {
            Db::Sqlite(p) => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'notify_schema_version'",
                )
                .fetch_one(p)
                .await?
            }
            Db::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() \
                     AND table_name = 'notify_schema_version'",
                )
                .fetch_one(p)
                .await?
            }
        };
        Ok((exists > 0).then_some(store))
    }

    fn of(log: &EventLog) -> NotifyStore {
        let db = match &log.backend {
            Backend::Sqlite(b) => Db::Sqlite(b.pool().clone()),
            Backend::Postgres(b) => Db::Postgres(b.pool().clone()),
        };
        NotifyStore { db }
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(p) => TABLES.migrate_sqlite(p).await,
            Db::Postgres(p) => TABLES.migrate_postgres(p).await,
        }
    }

    // ---------- inbox ----------

    /// Inserts a message unless one with the same key exists; true when this call inserted it.
    /// Mail is due at once (`now`).
    pub async fn enqueue(&self, m: &NewMessage, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self.enqueue_all(std::slice::from_ref(m), now).await? == 1)
    }

    /// Whether a message with this key exists.
    pub async fn exists(&self, key: &str) -> Result<bool, StoreError> {
        let n: i64 = on_pool!(self, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM notify_messages WHERE key = $1"
        )
        .bind(key)
        .fetch_one(p)
        .await?);
        Ok(n > 0)
    }

    /// A message by id.
    pub async fn message(&self, id: i64) -> Result<Option<Message>, StoreError> {
        let sql = format!("{MESSAGE_COLUMNS} WHERE id = $1");
        let row: Option<MessageRow> = on_pool!(self, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?);
        row.map(message_from).transpose()
    }

    /// One page of an account's inbox, newest first.
    pub async fn inbox(&self, login: &str, offset: i64, limit: i64) -> Result<Vec<Message>, StoreError> {
        let sql = format!("{MESSAGE_COLUMNS} WHERE login = $1 ORDER BY id DESC LIMIT $2 OFFSET $3");
        let rows: Vec<MessageRow> = on_pool!(self, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(login)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(message_from).collect()
    }

    /// How many messages an account has, and how many of them are unread.
    pub async fn inbox_counts(&self, login: &str) -> Result<(i64, i64), StoreError> {
        let (total, unread): (i64, i64) = on_pool!(self, |p| sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0) \
             FROM notify_messages WHERE login = $1"
        )
        .bind(login)
        .fetch_one(p)
        .await?);
        Ok((total, unread))
    }

    /// Marks one of the account's own messages read; false when it has no such message.
    pub async fn mark_read(&self, login: &str, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let n = on_pool!(self, |p| sqlx::query(
            "UPDATE notify_messages SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND login = $2"
        )
        .bind(id)
        .bind(login)
        .bind(ts(now))
        .execute(p)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Marks every message of the account read; returns how many changed.
    pub async fn mark_all_read(&self, login: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(on_pool!(self, |p| sqlx::query(
            "UPDATE notify_messages SET read_at = $2 WHERE login = $1 AND read_at IS NULL"
        )
        .bind(login)
        .bind(ts(now))
        .execute(p)
        .await?
        .rows_affected()))
    }

    /// Every message (all accounts); for the command line and tests.
    pub async fn count(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM notify_messages"
        )
        .fetch_one(p)
        .await?))
    }

    // ---------- outbox ----------

    /// Ids of messages whose mail is due at `now`, oldest first. Claims older than
    /// `stale_before` (a server that died while sending) are put back first.
    pub async fn due_mail(
        &self,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<i64>, StoreError> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE notify_messages SET mail_state = 'pending', claimed_by = NULL, claimed_at = NULL \
             WHERE mail_state = 'sending' AND claimed_at < $1"
        )
        .bind(ts(stale_before))
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(on_pool!(self, |p| sqlx::query_scalar(
            "SELECT id FROM notify_messages WHERE mail_state = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $2"
        )
        .bind(ts(now))
        .bind(limit)
        .fetch_all(p)
        .await?))
    }

    /// Claims a due message for sending: exactly one caller gets true.
    pub async fn claim(&self, id: i64, worker: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let n = on_pool!(self, |p| sqlx::query(
            "UPDATE notify_messages SET mail_state = 'sending', claimed_by = $2, claimed_at = $3, \
             attempts = attempts + 1 WHERE id = $1 AND mail_state = 'pending' AND next_attempt_at <= $3"
        )
        .bind(id)
        .bind(worker)
        .bind(ts(now))
        .execute(p)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Records that the relay accepted the claimed message.
    pub async fn mark_sent(&self, id: i64, worker: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE notify_messages SET mail_state = 'sent', sent_at = $3, last_error = NULL, \
             claimed_by = NULL, claimed_at = NULL WHERE id = $1 AND claimed_by = $2 AND mail_state = 'sending'"
        )
        .bind(id)
        .bind(worker)
        .bind(ts(now))
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Records a failed attempt on the claimed message: back to pending until `retry_at`, or
    /// failed for good when `retry_at` is `None`.
    pub async fn mark_failed(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let state = if retry_at.is_some() {
            MailState::Pending
        } else {
            MailState::Failed
        };
        let error: String = error.chars().take(500).collect();
        on_pool!(self, |p| sqlx::query(
            "UPDATE notify_messages SET mail_state = $3, last_error = $4, next_attempt_at = $5, \
             claimed_by = NULL, claimed_at = NULL WHERE id = $1 AND claimed_by = $2 AND mail_state = 'sending'"
        )
        .bind(id)
        .bind(worker)
        .bind(state.as_str())
        .bind(error)
        .bind(retry_at.map(ts))
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Mail that failed, waits for a retry after a failure, or is being sent: what the
    /// department watches. Newest first.
    pub async fn mail_problems(&self, limit: i64) -> Result<Vec<Message>, StoreError> {
        let sql = format!(
            "{MESSAGE_COLUMNS} WHERE mail_state = 'failed' OR mail_state = 'sending' \
             OR (mail_state = 'pending' AND attempts > 0) ORDER BY id DESC LIMIT $1"
        );
        let rows: Vec<MessageRow> = on_pool!(self, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(limit)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(message_from).collect()
    }

    /// [`NotifyStore::mail_problems`] of the accounts of one province (the department's view).
    pub async fn mail_problems_in(&self, province: &str, limit: i64) -> Result<Vec<Message>, StoreError> {
        let sql = format!(
            "{MESSAGE_COLUMNS} WHERE (mail_state = 'failed' OR mail_state = 'sending' \
             OR (mail_state = 'pending' AND attempts > 0)) \
             AND login IN (SELECT login FROM accounts WHERE province = $2) ORDER BY id DESC LIMIT $1"
        );
        let rows: Vec<MessageRow> = on_pool!(self, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(limit)
            .bind(province)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(message_from).collect()
    }

    /// [`NotifyStore::mail_counts`] of the accounts of one province.
    pub async fn mail_counts_in(&self, province: &str) -> Result<Vec<(MailState, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT mail_state, COUNT(*) FROM notify_messages \
             WHERE login IN (SELECT login FROM accounts WHERE province = $1) GROUP BY mail_state ORDER BY mail_state"
        )
        .bind(province)
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .filter_map(|(s, n)| MailState::parse(&s).map(|s| (s, n)))
            .collect())
    }

    /// How many messages are in each mail state.
    pub async fn mail_counts(&self) -> Result<Vec<(MailState, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT mail_state, COUNT(*) FROM notify_messages GROUP BY mail_state ORDER BY mail_state"
        )
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .filter_map(|(s, n)| MailState::parse(&s).map(|s| (s, n)))
            .collect())
    }

    // ---------- cursor ----------

    /// The last event-log sequence number read under `name` (0 at first).
    pub async fn cursor(&self, name: &str) -> Result<i64, StoreError> {
        let v: Option<i64> = on_pool!(self, |p| sqlx::query_scalar(
            "SELECT seq FROM notify_cursor WHERE name = $1"
        )
        .bind(name)
        .fetch_optional(p)
        .await?);
        Ok(v.unwrap_or(0))
    }

    /// Moves the cursor forward to `seq` (never back, whatever the order of servers).
    pub async fn advance_cursor(&self, name: &str, seq: i64) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO notify_cursor (name, seq) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET seq = excluded.seq WHERE notify_cursor.seq < excluded.seq"
        )
        .bind(name)
        .bind(seq)
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }
}
