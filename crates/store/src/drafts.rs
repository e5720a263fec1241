//! 申报草稿 — support units' application drafts and their uploaded attachments.
//!
//! A draft is a working copy that survives restarts and is shared by every server on the same
//! database; it is not a record (the submitted facts go on the event log). The tables are
//! created by the account migrations (`accounts_0002.sql`), so [`DraftStore::new`] needs no
//! migration of its own once [`crate::AccountStore::open`] has run. Every query is scoped by
//! the owner (the unit's USCC): one unit cannot read another's draft by guessing its id.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::{Backend, EventLog, StoreError, sm3_hex};

#[derive(Clone)]
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Drafts and draft attachments. Cheap to clone; shares the event log's pool.
#[derive(Clone)]
pub struct DraftStore {
    db: Db,
}

impl std::fmt::Debug for DraftStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftStore").finish_non_exhaustive()
    }
}

/// A stored draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The unit's USCC.
    pub owner: String,
    /// Draft id.
    pub id: String,
    /// Title shown in lists.
    pub title: String,
    /// The form data as JSON text.
    pub body: String,
    /// Last saved.
    pub updated_at: DateTime<Utc>,
}

/// An uploaded attachment (metadata).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftFile {
    /// File id.
    pub id: String,
    /// The unit's USCC.
    pub owner: String,
    /// The draft it belongs to.
    pub draft: String,
    /// What it proves.
    pub kind: String,
    /// The name it was uploaded under.
    pub file_name: String,
    /// Size in bytes.
    pub size: i64,
    /// SM3 digest of the content, hex.
    pub sm3: String,
    /// Uploaded at.
    pub created_at: DateTime<Utc>,
}

macro_rules! on_pool {
    ($self:ident, |$p:ident| $body:expr) => {
        match &$self.db {
            Db::Sqlite($p) => $body,
            Db::Postgres($p) => $body,
        }
    };
}

fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn from_ts(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap_or_default()
}

type FileRow = (String, String, String, String, String, i64, String, i64);

fn file_from(r: FileRow) -> DraftFile {
    let (id, owner, draft, kind, file_name, size, sm3, created) = r;
    DraftFile {
        id,
        owner,
        draft,
        kind,
        file_name,
        size,
        sm3,
        created_at: from_ts(created),
    }
}

macro_rules! file_cols {
    () => {
        "id, owner, draft, kind, file_name, size, sm3, created_at"
    };
}

impl DraftStore {
    /// The draft store in the event log's database (tables from the account migrations).
    pub fn new(log: &EventLog) -> DraftStore {
        let db = match &log.backend {
            Backend::Sqlite(b) => Db::Sqlite(b.pool().clone()),
            Backend::Postgres(b) => Db::Postgres(b.pool().clone()),
        };
        DraftStore { db }
    }

    /// Creates or replaces a draft.
    pub async fn save(
        &self,
        owner: &str,
        id: &str,
        title: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO drafts (owner, id, title, body, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (owner, id) DO UPDATE SET title = excluded.title, body = excluded.body, \
             updated_at = excluded.updated_at"
        )
        .bind(owner)
        .bind(id)
        .bind(title)
        .bind(body)
        .bind(ts(now))
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// One draft of an owner.
    pub async fn get(&self, owner: &str, id: &str) -> Result<Option<Draft>, StoreError> {
        let row: Option<(String, String, String, String, i64)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT owner, id, title, body, updated_at FROM drafts WHERE owner = $1 AND id = $2"
        )
        .bind(owner)
        .bind(id)
        .fetch_optional(p)
        .await?);
        Ok(row.map(|(owner, id, title, body, at)| Draft {
            owner,
            id,
            title,
            body,
            updated_at: from_ts(at),
        }))
    }

    /// An owner's drafts, most recently saved first.
    pub async fn list(&self, owner: &str) -> Result<Vec<Draft>, StoreError> {
        let rows: Vec<(String, String, String, String, i64)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT owner, id, title, body, updated_at FROM drafts WHERE owner = $1 ORDER BY updated_at DESC, id"
        )
        .bind(owner)
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(owner, id, title, body, at)| Draft {
                owner,
                id,
                title,
                body,
                updated_at: from_ts(at),
            })
            .collect())
    }

    /// Removes a draft that became an application, keeping its attachments: the application's
    /// facts list them by id, and whoever may see the application downloads them.
    pub async fn submitted(&self, owner: &str, id: &str) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query("DELETE FROM drafts WHERE owner = $1 AND id = $2")
            .bind(owner)
            .bind(id)
            .execute(p)
            .await
            .map(|_| ())?);
        Ok(())
    }

    /// Deletes a draft and its attachments.
    pub async fn delete(&self, owner: &str, id: &str) -> Result<(), StoreError> {
        on_pool!(self, |p| {
            sqlx::query("DELETE FROM draft_files WHERE owner = $1 AND draft = $2")
                .bind(owner)
                .bind(id)
                .execute(p)
                .await?;
            sqlx::query("DELETE FROM drafts WHERE owner = $1 AND id = $2")
                .bind(owner)
                .bind(id)
                .execute(p)
                .await
                .map(|_| ())?
        });
        Ok(())
    }

    /// Stores an attachment; its id is `<draft>-<first 16 hex of the digest>`, so uploading
    /// the same file twice to one draft keeps one copy.
    pub async fn put_file(
        &self,
        owner: &str,
        draft: &str,
        kind: &str,
        file_name: &str,
        content: &[u8],
        now: DateTime<Utc>,
    ) -> Result<DraftFile, StoreError> {
        let sm3 = sm3_hex(content);
        let id = format!("{draft}-{}-{}", kind, &sm3[..16]);
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO draft_files (id, owner, draft, kind, file_name, size, sm3, content, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (id) DO UPDATE SET file_name = excluded.file_name, created_at = excluded.created_at"
        )
        .bind(&id)
        .bind(owner)
        .bind(draft)
        .bind(kind)
        .bind(file_name)
        .bind(content.len() as i64)
        .bind(&sm3)
        .bind(content)
        .bind(ts(now))
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(DraftFile {
            id,
            owner: owner.into(),
            draft: draft.into(),
            kind: kind.into(),
            file_name: file_name.into(),
            size: content.len() as i64,
            sm3,
            created_at: now,
        })
    }

    /// The attachments of a draft, by kind then name.
    pub async fn files(&self, owner: &str, draft: &str) -> Result<Vec<DraftFile>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            file_cols!(),
            " FROM draft_files WHERE owner = $1 AND draft = $2 ORDER BY kind, file_name"
        );
        let rows: Vec<FileRow> = on_pool!(self, |p| sqlx::query_as(SQL)
            .bind(owner)
            .bind(draft)
            .fetch_all(p)
            .await?);
        Ok(rows.into_iter().map(file_from).collect())
    }

    /// Every attachment of an owner (drafts and submitted applications alike).
    pub async fn files_of(&self, owner: &str) -> Result<Vec<DraftFile>, StoreError> {
        const SQL: &str = concat!(
            "SELECT ",
            file_cols!(),
            " FROM draft_files WHERE owner = $1 ORDER BY draft, kind, file_name"
        );
        let rows: Vec<FileRow> = on_pool!(self, |p| sqlx::query_as(SQL).bind(owner).fetch_all(p).await?);
        Ok(rows.into_iter().map(file_from).collect())
    }

    /// An attachment with its content, by id (any owner: the caller checks who may read it).
    pub async fn file(&self, id: &str) -> Result<Option<(DraftFile, Vec<u8>)>, StoreError> {
        const SQL: &str = concat!("SELECT ", file_cols!(), ", content FROM draft_files WHERE id = $1");
        type Row = (String, String, String, String, String, i64, String, i64, Vec<u8>);
        let row: Option<Row> = on_pool!(self, |p| sqlx::query_as(SQL).bind(id).fetch_optional(p).await?);
        Ok(
            row.map(|(id, owner, draft, kind, file_name, size, sm3, created, content)| {
                (
                    file_from((id, owner, draft, kind, file_name, size, sm3, created)),
                    content,
                )
            }),
        )
    }

    /// Deletes an attachment of an owner.
    pub async fn delete_file(&self, owner: &str, id: &str) -> Result<bool, StoreError> {
        let n = on_pool!(self, |p| sqlx::query(
            "DELETE FROM draft_files WHERE owner = $1 AND id = $2"
        )
        .bind(owner)
        .bind(id)
        .execute(p)
        .await?
        .rows_affected());
        Ok(n > 0)
    }
}
