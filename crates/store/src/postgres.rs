//! PostgreSQL backend: writers serialised by the row lock on the one-row chain head, default
//! durability (`synchronous_commit = on`). An append whose every entry checks its version is
//! first tried in one statement against the head this process last committed
//! ([`known_head`]); otherwise, or when that head has moved, it locks the head
//! (`SELECT … FOR UPDATE`) and reads it and the versions before hashing.

mod known_head;

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{PgConnection, Row};

use crate::known_head::{KnownHead, Tried};
use crate::verify::{Step, VerifyReport, Walker};
use crate::{
    Chained, Entry, HolidayWrite, StoreError, StoredEvent, chain_events, check_versions, decode_parts,
    distinct_streams, versions_per_entry,
};

/// Migrations, applied in order; the index + 1 is the schema version.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/postgres/0001_events.sql")];

/// Advisory lock key serialising concurrent migrations ("guohe" in ASCII).
const MIGRATION_LOCK: i64 = 0x0067_756f_6865;

const SELECT_COLUMNS: &str = "SELECT seq, stream, stream_version, kind, actor, occurred_on, \
     recorded_at, articles::text, payload::text, prev_hash, hash FROM events";

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, PgArguments>;

#[derive(Clone)]
pub(crate) struct PgLog {
    pool: PgPool,
    head: KnownHead,
}

/// A pooled connection idle for at least this long is pinged before it is handed out.
pub const PING_IF_IDLE_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// The log's pool: 8 connections, and a ping before use only for a connection idle for
/// [`PING_IF_IDLE_FOR`] or longer. sqlx pings every connection before handing it out by default,
/// a round trip to the server (across a network, as long as the statement's own) that doubles
/// the round trips of every query. A connection goes back to the pool only after a ping of its
/// own succeeded, so one used within the last second was answering a second ago: only a server
/// that dropped it within that second makes its next statement fail (with the server's error,
/// and the connection is then dropped) where a ping would have replaced it unseen. One idle for
/// longer (a restart, a failover, a proxy's idle timeout) is pinged, and replaced if the ping
/// fails (`crates/store/tests/pool.rs`).
pub fn postgres_pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(8)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_IF_IDLE_FOR {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

impl PgLog {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let opts = PgConnectOptions::from_str(url).map_err(|_| StoreError::InvalidUrl {
            reason: "malformed postgres URL".into(),
        })?;
        let pool = postgres_pool_options().connect_with(opts).await?;
        migrate(&pool).await?;
        let log = PgLog {
            pool,
            head: KnownHead::default(),
        };
        // A missing head row is reported by the append that needs it, not here.
        if let Ok((seq, hash)) = log.chain_head().await {
            log.head.set(seq, &hash);
        }
        Ok(log)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The pool, shared with the account store.
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn append_entries(
        &self,
        entries: Vec<Entry>,
        holiday: Option<HolidayWrite>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let entries = match (&holiday, self.head.take()) {
            (None, Some(head)) => match known_head::try_append(&self.pool, head, entries).await? {
                Tried::Written(stored) => {
                    self.remember(&stored);
                    return Ok(stored);
                }
                Tried::NotWritten(entries) => entries,
            },
            _ => entries,
        };
        let stored = self.append_locked(entries, holiday).await?;
        self.remember(&stored);
        Ok(stored)
    }

    fn remember(&self, stored: &[StoredEvent]) {
        if let Some(last) = stored.last() {
            self.head.set(last.seq, &last.hash);
        }
    }

    async fn append_locked(
        &self,
        entries: Vec<Entry>,
        holiday: Option<HolidayWrite>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let expectations: Vec<(String, i64)> = entries
            .iter()
            .filter_map(|e| e.expected.map(|x| (e.stream.clone(), x)))
            .collect();
        let mut tx = self.pool.begin().await?;
        match write_in_tx(&mut tx, entries, holiday).await {
            Ok(stored) => match tx.commit().await {
                Ok(()) => Ok(stored),
                Err(e) if crate::error::is_unique_violation(&e) => Err(self.conflict_after_unique(expectations).await),
                Err(e) => Err(e.into()),
            },
            Err(StoreError::Database(e)) if crate::error::is_unique_violation(&e) => {
                tx.rollback().await?;
                Err(self.conflict_after_unique(expectations).await)
            }
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    }

    /// Builds the Conflict error after the unique index fired (backstop).
    async fn conflict_after_unique(&self, streams: Vec<(String, i64)>) -> StoreError {
        for (stream, expected) in &streams {
            match self.stream_version(stream).await {
                Ok(actual) if actual != *expected => {
                    return StoreError::Conflict {
                        stream: stream.clone(),
                        expected: *expected,
                        actual,
                    };
                }
                Ok(_) => {}
                Err(e) => return e,
            }
        }
        let (stream, expected) = streams.into_iter().next().unwrap_or_default();
        StoreError::Conflict {
            stream,
            expected,
            actual: -1,
        }
    }

    pub async fn read_all(&self, after_seq: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = format!("{SELECT_COLUMNS} WHERE seq > $1 ORDER BY seq LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after_seq)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_strict).collect()
    }

    pub async fn read_stream(&self, stream: &str) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = format!("{SELECT_COLUMNS} WHERE stream = $1 ORDER BY stream_version");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(stream)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_strict).collect()
    }

    /// `starts_with` compares bytes whatever the database's collation; `_end` (the range SQLite
    /// walks) would need the `C` collation to mean the same here.
    pub async fn read_streams_with_prefix(&self, prefix: &str, _end: &str) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = format!("{SELECT_COLUMNS} WHERE starts_with(stream, $1) ORDER BY seq");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(prefix)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_strict).collect()
    }

    pub async fn stream_version(&self, stream: &str) -> Result<i64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        version_of(&mut conn, stream).await
    }

    pub async fn chain_head(&self) -> Result<(i64, String), StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_head(&mut conn).await
    }

    /// Streams every event with `seq > after_seq` to `f`, in seq order.
    pub async fn scan<F, E>(&self, after_seq: i64, f: &mut F) -> Result<u64, E>
    where
        F: FnMut(StoredEvent) -> Result<(), E>,
        E: From<StoreError>,
    {
        let sql = format!("{SELECT_COLUMNS} WHERE seq > $1 ORDER BY seq");
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after_seq).fetch(&self.pool);
        let mut delivered = 0u64;
        while let Some(row) = rows.try_next().await.map_err(StoreError::from)? {
            f(decode_strict(&row)?)?;
            delivered += 1;
        }
        Ok(delivered)
    }

    pub async fn verify(&self) -> Result<VerifyReport, StoreError> {
        // One snapshot for the whole walk.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let (head_seq, head_hash) = read_head(&mut tx).await?;
        let mut walker = Walker::new();
        let sql = format!("{SELECT_COLUMNS} ORDER BY seq");
        let outcome = {
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *tx);
            let mut outcome = Step::Ok;
            while let Some(row) = rows.try_next().await? {
                let (seq, decoded) = decode_lenient(&row)?;
                outcome = walker.step(seq, decoded);
                if !matches!(outcome, Step::Ok) {
                    break;
                }
            }
            outcome
        };
        let report = match outcome {
            Step::Ok => walker.finish(head_seq, &head_hash),
            Step::Broken(first_bad_seq, reason) => VerifyReport::Broken { first_bad_seq, reason },
            Step::LinkBroken(brk) => {
                let holder: Option<i64> = sqlx::query_scalar("SELECT seq FROM events WHERE hash = $1 LIMIT 1")
                    .bind(&brk.claimed_prev)
                    .fetch_optional(&mut *tx)
                    .await?;
                let (first_bad_seq, reason) = Walker::resolve_link(brk, holder);
                VerifyReport::Broken { first_bad_seq, reason }
            }
        };
        tx.rollback().await?;
        Ok(report)
    }

    pub async fn holiday_schedules(&self) -> Result<Vec<(i32, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT year, csv_text FROM holiday_schedules ORDER BY year")
                .fetch_all(&self.pool)
                .await?,
        )
    }
}

async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await?;
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        .execute(&mut *tx)
        .await?;
    let current: i32 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        .fetch_one(&mut *tx)
        .await?;
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = i as i32 + 1;
        if version <= current {
            continue;
        }
        sqlx::raw_sql(*sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_version (version) VALUES ($1)")
            .bind(version)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn read_head(conn: &mut PgConnection) -> Result<(i64, String), StoreError> {
    let sql = "SELECT seq, hash FROM chain_head WHERE id = 1";
    let head: Option<(i64, String)> = sqlx::query_as(sql).fetch_optional(&mut *conn).await?;
    head.ok_or(StoreError::Corrupt {
        seq: 0,
        detail: "the chain head row is missing".into(),
    })
}

async fn version_of(conn: &mut PgConnection, stream: &str) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(stream_version), 0)::BIGINT FROM events WHERE stream = $1")
            .bind(stream)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Locks the chain head and reads, in the same statement, the highest seq its snapshot sees
/// and the current version of each stream in `$1` (each one descent of the
/// `(stream, stream_version)` index, so its cost does not grow with the stream's length).
const LOCK_HEAD_AND_VERSIONS: &str = "SELECT h.seq, h.hash, \
     (SELECT e.seq FROM events e ORDER BY e.seq DESC LIMIT 1), \
     ARRAY(SELECT COALESCE((SELECT e.stream_version FROM events e WHERE e.stream = s.stream \
                            ORDER BY e.stream_version DESC LIMIT 1), 0) \
           FROM unnest($1::text[]) WITH ORDINALITY AS s(stream, i) ORDER BY s.i) \
     FROM chain_head h WHERE h.id = 1 FOR UPDATE OF h";

/// The versions alone, read by a statement started after the lock is held.
const VERSIONS: &str = "SELECT ARRAY(SELECT COALESCE((SELECT e.stream_version FROM events e \
     WHERE e.stream = s.stream ORDER BY e.stream_version DESC LIMIT 1), 0) \
     FROM unnest($1::text[]) WITH ORDINALITY AS s(stream, i) ORDER BY s.i)";

/// Inserts the events and moves the chain head, as one statement.
const INSERT_AND_MOVE_HEAD: &str = "WITH inserted AS ( \
     INSERT INTO events (seq, stream, stream_version, kind, actor, occurred_on, \
     recorded_at, articles, payload, prev_hash, hash) \
     SELECT t.seq, t.stream, t.sv, t.kind, t.actor, t.occ, t.rec, t.arts::json, \
            t.payload::json, t.prev, t.hash \
     FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], \
                 $6::date[], $7::timestamptz[], $8::text[], $9::text[], $10::text[], \
                 $11::text[]) \
          AS t(seq, stream, sv, kind, actor, occ, rec, arts, payload, prev, hash)) \
     UPDATE chain_head SET seq = $12, hash = $13 WHERE id = 1";

async fn write_in_tx(
    conn: &mut PgConnection,
    entries: Vec<Entry>,
    holiday: Option<HolidayWrite>,
) -> Result<Vec<StoredEvent>, StoreError> {
    // Taking the row lock serialises all writers. The statement that takes it reads with a
    // snapshot from before any wait for the lock: when the newest event it saw is not the
    // head it locked, another writer committed meanwhile, and the versions are read again by
    // a statement that sees everything the previous holder committed.
    let streams = distinct_streams(&entries);
    let (head_seq, head_hash, seen, mut versions): (i64, String, Option<i64>, Vec<i64>) =
        sqlx::query_as(LOCK_HEAD_AND_VERSIONS)
            .bind(&streams)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::Corrupt {
                seq: 0,
                detail: "the chain head row is missing".into(),
            })?;
    if seen.unwrap_or(0) != head_seq {
        versions = sqlx::query_scalar(VERSIONS)
            .bind(&streams)
            .fetch_one(&mut *conn)
            .await?;
    }
    let per_entry = versions_per_entry(&entries, &streams, &versions);
    let checked = check_versions(entries, &per_entry)?;
    let chained = chain_events(head_seq, &head_hash, checked);
    let Some(last) = chained.events.last() else {
        return Ok(chained.events);
    };
    bind_rows(sqlx::query(INSERT_AND_MOVE_HEAD), &chained)
        .bind(last.seq)
        .bind(&last.hash)
        .execute(&mut *conn)
        .await?;
    let stored = chained.events;
    if let (Some(h), Some(ev)) = (holiday, stored.last()) {
        sqlx::query(
            "INSERT INTO holiday_schedules (year, csv_text, loaded_by, loaded_at, event_seq) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (year) DO UPDATE SET csv_text = EXCLUDED.csv_text, \
             loaded_by = EXCLUDED.loaded_by, loaded_at = EXCLUDED.loaded_at, \
             event_seq = EXCLUDED.event_seq",
        )
        .bind(h.year)
        .bind(&h.csv_text)
        .bind(&h.loaded_by)
        .bind(ev.recorded_at)
        .bind(ev.seq)
        .execute(&mut *conn)
        .await?;
    }
    Ok(stored)
}

/// Binds the events' columns as the eleven arrays `$1`–`$11` that the `UNNEST` INSERTs take.
fn bind_rows<'q>(q: PgQuery<'q>, chained: &Chained) -> PgQuery<'q> {
    let n = chained.events.len();
    let mut seqs = Vec::with_capacity(n);
    let mut stream_names = Vec::with_capacity(n);
    let mut svs = Vec::with_capacity(n);
    let mut kinds = Vec::with_capacity(n);
    let mut actors = Vec::with_capacity(n);
    let mut dates: Vec<NaiveDate> = Vec::with_capacity(n);
    let mut times: Vec<DateTime<Utc>> = Vec::with_capacity(n);
    let mut prevs = Vec::with_capacity(n);
    let mut hashes = Vec::with_capacity(n);
    for ev in &chained.events {
        seqs.push(ev.seq);
        stream_names.push(ev.stream.as_str());
        svs.push(ev.stream_version);
        kinds.push(ev.kind.as_str());
        actors.push(ev.actor.as_str());
        dates.push(ev.occurred_on);
        times.push(ev.recorded_at);
        prevs.push(ev.prev_hash.as_str());
        hashes.push(ev.hash.as_str());
    }
    q.bind(&seqs)
        .bind(&stream_names)
        .bind(&svs)
        .bind(&kinds)
        .bind(&actors)
        .bind(&dates)
        .bind(&times)
        .bind(&chained.articles)
        .bind(&chained.payloads)
        .bind(&prevs)
        .bind(&hashes)
}

fn decode_lenient(row: &PgRow) -> Result<(i64, Result<StoredEvent, String>), StoreError> {
    let seq: i64 = row.try_get(0).map_err(|e| StoreError::Corrupt {
        seq: 0,
        detail: format!("sequence number unreadable: {e}"),
    })?;
    Ok((seq, decode_fields(seq, row)))
}

fn decode_strict(row: &PgRow) -> Result<StoredEvent, StoreError> {
    let (seq, decoded) = decode_lenient(row)?;
    decoded.map_err(|detail| StoreError::Corrupt { seq, detail })
}

fn decode_fields(seq: i64, row: &PgRow) -> Result<StoredEvent, String> {
    fn col<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
        row: &'r PgRow,
        idx: usize,
        name: &str,
    ) -> Result<T, String> {
        row.try_get(idx).map_err(|e| format!("column {name} unreadable: {e}"))
    }
    let articles: String = col(row, 7, "articles")?;
    let payload: String = col(row, 8, "payload")?;
    decode_parts(
        seq,
        col(row, 1, "stream")?,
        col(row, 2, "stream_version")?,
        col(row, 3, "kind")?,
        col(row, 4, "actor")?,
        col(row, 5, "occurred_on")?,
        col(row, 6, "recorded_at")?,
        &articles,
        &payload,
        col(row, 9, "prev_hash")?,
        col(row, 10, "hash")?,
    )
}
