//! 密钥表 — the tables behind personal-information encryption: the master key's check value,
//! the per-person data keys wrapped under the master key, and the personal fields of accounts.
//!
//! The master key never reaches the database; it lives in a key file (crate `guohe-keys`).
//! Everything here is either ciphertext or a tombstone, so a copy of the database reveals no
//! personal information. The tables share the event log's pool and have their own schema
//! version (`keys_schema_version`), like [`crate::accounts`].

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::params::{KEYS_PER_QUERY, marks};
use crate::{Backend, EventLog, StoreError};

const SQLITE_MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/keys_0001.sql")];
const POSTGRES_MIGRATIONS: &[&str] = &[include_str!("../migrations/postgres/keys_0001.sql")];

/// Advisory lock key serialising concurrent key-table migrations ("guoheK").
const MIGRATION_LOCK: i64 = 0x0000_6775_6f68_654b;

/// The family's migrations, run by [`crate::tables::TableFamily`].
const TABLES: crate::tables::TableFamily = crate::tables::TableFamily {
    version_table: "keys_schema_version",
    lock: MIGRATION_LOCK,
    sqlite: SQLITE_MIGRATIONS,
    postgres: POSTGRES_MIGRATIONS,
};

/// The check value of the master key, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCheck {
    /// Version of the master key it was made with.
    pub master_version: i64,
    /// The check value (base64 of nonce, ciphertext and tag).
    pub check_value: String,
}

/// One person's data key, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectKeyRow {
    /// Subject id, e.g. `objector/3f9a…`.
    pub subject: String,
    /// Kind of person (`objector`, `account`, `expert`).
    pub kind: String,
    /// The wrapped key and the master version that wraps it; `None` once erased.
    pub wrapped: Option<(i64, String)>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Erased (crypto-shredded), if it was.
    pub erased_at: Option<DateTime<Utc>>,
}

#[derive(Clone)]
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The key tables. Cheap to clone; shares the event log's pool.
#[derive(Clone)]
pub struct KeyStore {
    db: Db,
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        };
        f.debug_struct("KeyStore").field("backend", &kind).finish()
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

type SubjectRow = (String, String, Option<i64>, Option<String>, i64, Option<i64>);

const SUBJECT_COLUMNS: &str =
    "SELECT subject, kind, master_version, wrapped_key, created_at, erased_at FROM subject_keys";

fn from_ts(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap_or_default()
}

fn subject_from(row: SubjectRow) -> SubjectKeyRow {
    let (subject, kind, version, wrapped, created, erased) = row;
    SubjectKeyRow {
        subject,
        kind,
        wrapped: version.zip(wrapped),
        created_at: from_ts(created),
        erased_at: erased.map(from_ts),
    }
}

impl KeyStore {
    /// The key tables in the event log's database, migrated on first use.
    pub async fn open(log: &EventLog) -> Result<KeyStore, StoreError> {
        let db = match &log.backend {
            Backend::Sqlite(b) => Db::Sqlite(b.pool().clone()),
            Backend::Postgres(b) => Db::Postgres(b.pool().clone()),
        };
        let store = KeyStore { db };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(p) => TABLES.migrate_sqlite(p).await,
            Db::Postgres(p) => TABLES.migrate_postgres(p).await,
        }
    }

    // ---------- master key check ----------

    /// The stored check value, if a master key was ever used with this database.
    pub async fn check(&self) -> Result<Option<KeyCheck>, StoreError> {
        let row: Option<(i64, String)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT master_version, check_value FROM key_check WHERE id = 1"
        )
        .fetch_optional(p)
        .await?);
        Ok(row.map(|(master_version, check_value)| KeyCheck {
            master_version,
            check_value,
        }))
    }

    /// Stores the check value unless one exists; returns the one in force afterwards (which is
    /// another server's if it got there first).
    pub async fn init_check(&self, check: &KeyCheck, now: DateTime<Utc>) -> Result<KeyCheck, StoreError> {
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO key_check (id, master_version, check_value, created_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO NOTHING"
        )
        .bind(check.master_version)
        .bind(&check.check_value)
        .bind(now.timestamp())
        .execute(p)
        .await
        .map(|_| ())?);
        self.check().await?.ok_or_else(|| StoreError::Corrupt {
            seq: 0,
            detail: "the key check value vanished after it was stored".into(),
        })
    }

    /// Whether any personal data key was ever stored (erased ones included): then the database
    /// holds encrypted personal information and cannot be opened without its key file.
    pub async fn has_subjects(&self) -> Result<bool, StoreError> {
        let n: i64 = on_pool!(self, |p| sqlx::query_scalar("SELECT COUNT(*) FROM subject_keys")
            .fetch_one(p)
            .await?);
        Ok(n > 0)
    }

    // ---------- subject keys ----------

    /// One subject's key row.
    pub async fn subject(&self, subject: &str) -> Result<Option<SubjectKeyRow>, StoreError> {
        let sql = format!("{SUBJECT_COLUMNS} WHERE subject = $1");
        let row: Option<SubjectRow> = on_pool!(self, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(subject)
            .fetch_optional(p)
            .await?);
        Ok(row.map(subject_from))
    }

    /// Every subject, by id.
    pub async fn subjects(&self) -> Result<Vec<SubjectKeyRow>, StoreError> {
        let sql = format!("{SUBJECT_COLUMNS} ORDER BY subject");
        let rows: Vec<SubjectRow> = on_pool!(self, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?);
        Ok(rows.into_iter().map(subject_from).collect())
    }

    /// Stores a wrapped data key for a new subject unless the subject exists (erased or not);
    /// returns the row in force afterwards.
    pub async fn insert_subject(
        &self,
        subject: &str,
        kind: &str,
        master_version: i64,
        wrapped_key: &str,
        now: DateTime<Utc>,
    ) -> Result<SubjectKeyRow, StoreError> {
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO subject_keys (subject, kind, master_version, wrapped_key, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subject) DO NOTHING"
        )
        .bind(subject)
        .bind(kind)
        .bind(master_version)
        .bind(wrapped_key)
        .bind(now.timestamp())
        .execute(p)
        .await
        .map(|_| ())?);
        self.subject(subject).await?.ok_or_else(|| StoreError::Corrupt {
            seq: 0,
            detail: format!("the key of {subject} vanished after it was stored"),
        })
    }

    /// Erases a subject's data key (crypto-shredding), keeping a tombstone. Returns whether a
    /// key was erased (false when the subject is unknown or already erased).
    pub async fn erase_subject(&self, subject: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let n = on_pool!(self, |p| sqlx::query(
            "UPDATE subject_keys SET wrapped_key = NULL, master_version = NULL, erased_at = $2 \
             WHERE subject = $1 AND wrapped_key IS NOT NULL"
        )
        .bind(subject)
        .bind(now.timestamp())
        .execute(p)
        .await?
        .rows_affected());
        Ok(n > 0)
    }

    /// Replaces the check value and every wrapped key in one transaction: the rotation of the
    /// master key. `from_version` guards against a concurrent rotation; the keys given must be
    /// all the live ones, or nothing is written.
    pub async fn rewrap(
        &self,
        from_version: i64,
        check: &KeyCheck,
        keys: &[(String, String)],
    ) -> Result<(), StoreError> {
        macro_rules! body {
            ($tx:ident) => {{
                let moved = sqlx::query(
                    "UPDATE key_check SET master_version = $1, check_value = $2 WHERE id = 1 AND master_version = $3",
                )
                .bind(check.master_version)
                .bind(&check.check_value)
                .bind(from_version)
                .execute(&mut *$tx)
                .await?
                .rows_affected();
                if moved != 1 {
                    return Err(StoreError::InvalidInput {
                        reason: format!("the master key is no longer at version {from_version}; another rotation ran"),
                    });
                }
                let live: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM subject_keys WHERE wrapped_key IS NOT NULL")
                    .fetch_one(&mut *$tx)
                    .await?;
                if live != keys.len() as i64 {
                    return Err(StoreError::InvalidInput {
                        reason: format!(
                            "{live} data keys are live but {} were rewrapped; another server added one",
                            keys.len()
                        ),
                    });
                }
                for (subject, wrapped) in keys {
                    let n = sqlx::query(
                        "UPDATE subject_keys SET master_version = $1, wrapped_key = $2 \
                         WHERE subject = $3 AND master_version = $4 AND wrapped_key IS NOT NULL",
                    )
                    .bind(check.master_version)
                    .bind(wrapped)
                    .bind(subject)
                    .bind(from_version)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        return Err(StoreError::InvalidInput {
                            reason: format!("the key of {subject} changed during the rotation"),
                        });
                    }
                }
                $tx.commit().await?;
            }};
        }
        match &self.db {
            Db::Sqlite(p) => {
                let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
                body!(tx)
            }
            Db::Postgres(p) => {
                let mut tx = p.begin().await?;
                sqlx::query("LOCK TABLE subject_keys IN EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await?;
                body!(tx)
            }
        }
        Ok(())
    }

    // ---------- personal fields of accounts ----------

    /// Sets (or replaces) one personal field of an account, as a token.
    pub async fn set_account_field(
        &self,
        login: &str,
        field: &str,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO account_personal (login, field, token, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (login, field) DO UPDATE SET token = excluded.token, updated_at = excluded.updated_at"
        )
        .bind(login)
        .bind(field)
        .bind(token)
        .bind(now.timestamp())
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Removes one personal field of an account.
    pub async fn clear_account_field(&self, login: &str, field: &str) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query(
            "DELETE FROM account_personal WHERE login = $1 AND field = $2"
        )
        .bind(login)
        .bind(field)
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// One personal field of many accounts: (login, token) for each of `logins` that has it set,
    /// by login. Read by primary key, 500 logins a query, so a pass over every recipient of a
    /// day's reminders costs a few queries instead of one per recipient.
    pub async fn field_of_accounts<S: AsRef<str>>(
        &self,
        field: &str,
        logins: &[S],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut out = Vec::new();
        for chunk in logins.chunks(KEYS_PER_QUERY) {
            let sql = format!(
                "SELECT login, token FROM account_personal WHERE field = $1 AND login IN ({})",
                marks(2, chunk.len())
            );
            let rows: Vec<(String, String)> = on_pool!(self, |p| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(field);
                for login in chunk {
                    q = q.bind(login.as_ref());
                }
                q.fetch_all(p).await?
            });
            out.extend(rows);
        }
        out.sort();
        Ok(out)
    }

    /// The subjects among `subjects` whose data key is held (not erased, and not unknown), by
    /// primary key, 500 a query.
    pub async fn live_subjects<S: AsRef<str>>(&self, subjects: &[S]) -> Result<BTreeSet<String>, StoreError> {
        let mut out = BTreeSet::new();
        for chunk in subjects.chunks(KEYS_PER_QUERY) {
            let sql = format!(
                "SELECT subject FROM subject_keys WHERE wrapped_key IS NOT NULL AND subject IN ({})",
                marks(1, chunk.len())
            );
            let rows: Vec<String> = on_pool!(self, |p| {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
                for subject in chunk {
                    q = q.bind(subject.as_ref());
                }
                q.fetch_all(p).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// The personal fields of an account: (field, token), by field.
    pub async fn account_fields(&self, login: &str) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_pool!(self, |p| sqlx::query_as(
            "SELECT field, token FROM account_personal WHERE login = $1 ORDER BY field"
        )
        .bind(login)
        .fetch_all(p)
        .await?))
    }
}
