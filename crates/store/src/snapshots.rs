//! 快照 — snapshots of the folded world, stored beside the event log with the seq and chain hash
//! they cover. The store keeps and returns them; whether one may be trusted (the chain still
//! holds its hash, its body still hashes to what was recorded) is decided by the application
//! service when it starts, which ignores and reports any that does not match.

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::{Backend, EventLog, StoreError};

const SQLITE_MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/snapshots_0001.sql")];
const POSTGRES_MIGRATIONS: &[&str] = &[include_str!("../migrations/postgres/snapshots_0001.sql")];

/// Advisory lock key serialising concurrent snapshot-table migrations ("guoheS").
const MIGRATION_LOCK: i64 = 0x0000_6775_6f68_6553;

const TABLES: crate::tables::TableFamily = crate::tables::TableFamily {
    version_table: "snapshots_schema_version",
    lock: MIGRATION_LOCK,
    sqlite: SQLITE_MIGRATIONS,
    postgres: POSTGRES_MIGRATIONS,
};

/// A stored snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The last event folded in.
    pub seq: i64,
    /// That event's hash, as the chain held it when the snapshot was taken.
    pub chain_hash: String,
    /// What the body is (e.g. `guohe-world/1`).
    pub format: String,
    /// SM3 of the body.
    pub body_sm3: String,
    /// When it was taken.
    pub created_at: DateTime<Utc>,
    /// SM2 signature of [`Snapshot::message`] with the checkpoint-signing key, when there was one.
    pub signature: Option<String>,
    /// The body (JSON); empty as listed by [`SnapshotStore::latest_first`].
    pub body: String,
}

impl Snapshot {
    /// The bytes signed: seq, chain hash and body hash.
    pub fn message(&self) -> Vec<u8> {
        format!(
            "guohe-snapshot/1\nseq={}\nchain={}\nbody={}\nformat={}\n",
            self.seq, self.chain_hash, self.body_sm3, self.format
        )
        .into_bytes()
    }
}

#[derive(Clone)]
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The snapshot table. Cheap to clone; shares the event log's pool.
#[derive(Clone)]
pub struct SnapshotStore {
    db: Db,
}

impl std::fmt::Debug for SnapshotStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotStore").finish_non_exhaustive()
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

type Row = (i64, String, String, String, String, Option<String>, String);

fn snapshot_of((seq, chain_hash, format, body_sm3, created_at, signature, body): Row) -> Snapshot {
    Snapshot {
        seq,
        chain_hash,
        format,
        body_sm3,
        created_at: DateTime::parse_from_rfc3339(&created_at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default(),
        signature,
        body,
    }
}

impl SnapshotStore {
    /// The snapshot table in the event log's database, migrated on first use.
    pub async fn open(log: &EventLog) -> Result<SnapshotStore, StoreError> {
        let db = match &log.backend {
            Backend::Sqlite(b) => Db::Sqlite(b.pool().clone()),
            Backend::Postgres(b) => Db::Postgres(b.pool().clone()),
        };
        let store = SnapshotStore { db };
        match &store.db {
            Db::Sqlite(p) => TABLES.migrate_sqlite(p).await?,
            Db::Postgres(p) => TABLES.migrate_postgres(p).await?,
        }
        Ok(store)
    }

    /// Stores a snapshot (one per seq: another server's of the same seq is kept) and removes
    /// all but the `keep` latest.
    pub async fn put(&self, s: &Snapshot, keep: i64) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO snapshots (seq, chain_hash, format, body_sm3, created_at, signature, body) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (seq) DO NOTHING"
        )
        .bind(s.seq)
        .bind(&s.chain_hash)
        .bind(&s.format)
        .bind(&s.body_sm3)
        .bind(s.created_at.to_rfc3339_opts(SecondsFormat::Secs, true))
        .bind(&s.signature)
        .bind(&s.body)
        .execute(p)
        .await
        .map(|_| ())?);
        on_pool!(self, |p| sqlx::query(
            "DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT $1)"
        )
        .bind(keep.max(1))
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// The snapshots, latest first, without their bodies: a start checks each against the chain
    /// and its signature first, and reads only the body it will use ([`SnapshotStore::body`]),
    /// instead of holding every kept body in memory at once.
    pub async fn latest_first(&self) -> Result<Vec<Snapshot>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, |p| sqlx::query_as(
            "SELECT seq, chain_hash, format, body_sm3, created_at, signature, '' FROM snapshots ORDER BY seq DESC"
        )
        .fetch_all(p)
        .await?);
        Ok(rows.into_iter().map(snapshot_of).collect())
    }

    /// The body of the snapshot at `seq`, if it is still kept.
    pub async fn body(&self, seq: i64) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self, |p| sqlx::query_scalar(
            "SELECT body FROM snapshots WHERE seq = $1"
        )
        .bind(seq)
        .fetch_optional(p)
        .await?))
    }

    /// The seq of the latest snapshot (0 without one).
    pub async fn latest_seq(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, |p| sqlx::query_scalar::<_, Option<i64>>(
            "SELECT MAX(seq) FROM snapshots"
        )
        .fetch_one(p)
        .await?)
        .unwrap_or(0))
    }
}
