//! 签名检查点 — signed checkpoints of the hash chain, stored beside the event log.
//!
//! The chain alone proves that no record was changed *unless the chain was rewritten*: someone
//! with write access to the database can recompute every later hash, or cut records off the end
//! and move the chain head back, and the chain verifies again. A checkpoint is the chain head
//! (seq and hash) signed with an SM2 key that lives in the key file, never in the database, so
//! a rewrite up to a checkpoint no longer matches a signature nobody with only the database can
//! make. The rows here can be deleted like any other, which is why they are also exported
//! (`guohe audit checkpoint export`) and kept elsewhere; verifying against an exported copy
//! catches a deletion too. Signing and checking signatures belong to the application service
//! (crate `guohe-keys`); this module stores and reads.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::{Backend, EventLog, StoreError};

const SQLITE_MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/checkpoints_0001.sql")];
const POSTGRES_MIGRATIONS: &[&str] = &[include_str!("../migrations/postgres/checkpoints_0001.sql")];

/// Advisory lock key serialising concurrent checkpoint-table migrations ("guoheC").
const MIGRATION_LOCK: i64 = 0x0000_6775_6f68_6543;

const TABLES: crate::tables::TableFamily = crate::tables::TableFamily {
    version_table: "checkpoints_schema_version",
    lock: MIGRATION_LOCK,
    sqlite: SQLITE_MIGRATIONS,
    postgres: POSTGRES_MIGRATIONS,
};

/// Format tag of the signed message and of exported files.
pub const CHECKPOINT_FORMAT: &str = "guohe-checkpoint/1";

/// A signed checkpoint: the chain head at `seq` as the key holder saw it at `signed_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The last event covered.
    pub seq: i64,
    /// Its SM3 hash (hex).
    pub head_hash: String,
    /// When it was signed (UTC, whole seconds).
    pub signed_at: DateTime<Utc>,
    /// Version of the signing key.
    pub key_version: i64,
    /// The SM2 public key (SEC 1 uncompressed, hex).
    pub public_key: String,
    /// The SM2 signature of [`Checkpoint::message`] (`r ‖ s`, hex).
    pub signature: String,
}

impl Checkpoint {
    /// The exact bytes signed: format, seq, head hash and time, one per line.
    pub fn message(seq: i64, head_hash: &str, signed_at: DateTime<Utc>) -> Vec<u8> {
        format!(
            "{CHECKPOINT_FORMAT}\nseq={seq}\nhead={head_hash}\nsigned_at={}\n",
            signed_at.to_rfc3339_opts(SecondsFormat::Secs, true)
        )
        .into_bytes()
    }

    /// This checkpoint's signed bytes.
    pub fn signed_message(&self) -> Vec<u8> {
        Self::message(self.seq, &self.head_hash, self.signed_at)
    }
}

/// An exported set of checkpoints (`guohe audit checkpoint export`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointFile {
    /// Always [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// When the file was written.
    pub exported_at: DateTime<Utc>,
    /// The checkpoints, by seq.
    pub checkpoints: Vec<Checkpoint>,
}

#[derive(Clone)]
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The checkpoint table. Cheap to clone; shares the event log's pool.
#[derive(Clone)]
pub struct CheckpointStore {
    db: Db,
}

impl std::fmt::Debug for CheckpointStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        };
        f.debug_struct("CheckpointStore").field("backend", &kind).finish()
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

type Row = (i64, String, String, i64, String, String);

fn from_row(row: Row) -> Result<Checkpoint, StoreError> {
    let (seq, head_hash, signed_at, key_version, public_key, signature) = row;
    let signed_at = DateTime::parse_from_rfc3339(&signed_at)
        .map_err(|e| StoreError::Corrupt {
            seq,
            detail: format!("checkpoint time {signed_at:?} unreadable: {e}"),
        })?
        .with_timezone(&Utc);
    Ok(Checkpoint {
        seq,
        head_hash,
        signed_at,
        key_version,
        public_key,
        signature,
    })
}

impl CheckpointStore {
    /// The checkpoint table in the event log's database, migrated on first use.
    pub async fn open(log: &EventLog) -> Result<CheckpointStore, StoreError> {
        let db = match &log.backend {
            Backend::Sqlite(b) => Db::Sqlite(b.pool().clone()),
            Backend::Postgres(b) => Db::Postgres(b.pool().clone()),
        };
        let store = CheckpointStore { db };
        match &store.db {
            Db::Sqlite(p) => TABLES.migrate_sqlite(p).await?,
            Db::Postgres(p) => TABLES.migrate_postgres(p).await?,
        }
        Ok(store)
    }

    /// Stores a checkpoint; a second one for the same seq (another server signing the same
    /// head) is dropped. Returns whether this one was stored.
    pub async fn record(&self, c: &Checkpoint) -> Result<bool, StoreError> {
        let done = on_pool!(self, |p| sqlx::query(
            "INSERT INTO checkpoints (seq, head_hash, signed_at, key_version, public_key, signature) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seq) DO NOTHING"
        )
        .bind(c.seq)
        .bind(&c.head_hash)
        .bind(c.signed_at.to_rfc3339_opts(SecondsFormat::Secs, true))
        .bind(c.key_version)
        .bind(&c.public_key)
        .bind(&c.signature)
        .execute(p)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    /// Every stored checkpoint, by seq.
    pub async fn all(&self) -> Result<Vec<Checkpoint>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, |p| sqlx::query_as(
            "SELECT seq, head_hash, signed_at, key_version, public_key, signature FROM checkpoints ORDER BY seq"
        )
        .fetch_all(p)
        .await?);
        rows.into_iter().map(from_row).collect()
    }

    /// The latest checkpoint.
    pub async fn latest(&self) -> Result<Option<Checkpoint>, StoreError> {
        let row: Option<Row> = on_pool!(self, |p| sqlx::query_as(
            "SELECT seq, head_hash, signed_at, key_version, public_key, signature FROM checkpoints \
             ORDER BY seq DESC LIMIT 1"
        )
        .fetch_optional(p)
        .await?);
        row.map(from_row).transpose()
    }

    /// The stored hash of the event at `seq`, if there is one.
    pub async fn hash_at(&self, seq: i64) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self, |p| sqlx::query_scalar(
            "SELECT hash FROM events WHERE seq = $1"
        )
        .bind(seq)
        .fetch_optional(p)
        .await?))
    }
}
