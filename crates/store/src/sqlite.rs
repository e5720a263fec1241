//! SQLite backend: WAL, `synchronous=FULL`, writers serialised with
//! `BEGIN IMMEDIATE` (across processes) and an in-process mutex.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqliteConnection};

use crate::hash::{format_date, format_recorded_at};
use crate::verify::{Step, VerifyReport, Walker};
use crate::{
    Chained, Entry, EventTexts, HolidayWrite, StoreError, StoredEvent, check_versions, decode_parts, distinct_streams,
    hash_chain, sequence_events, versions_per_entry,
};

/// Migrations, applied in order; the index + 1 is the schema version.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/0001_events.sql")];

const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

const SELECT_COLUMNS: &str = "SELECT seq, stream, stream_version, kind, actor, occurred_on, \
     recorded_at, articles, payload, prev_hash, hash FROM events";

#[derive(Clone)]
pub(crate) struct SqliteLog {
    pool: SqlitePool,
    write_lock: Arc<tokio::sync::Mutex<()>>,
}

impl SqliteLog {
    pub async fn connect_url(url: &str) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url).map_err(|_| StoreError::InvalidUrl {
            reason: "malformed sqlite URL".into(),
        })?;
        let in_memory = url.starts_with("sqlite::memory:") || url.contains("mode=memory");
        if !in_memory {
            create_parent_dir(opts.get_filename())?;
        }
        Self::open(opts, in_memory).await
    }

    pub async fn connect_path(path: &Path) -> Result<Self, StoreError> {
        create_parent_dir(path)?;
        Self::open(SqliteConnectOptions::new().filename(path), false).await
    }

    async fn open(opts: SqliteConnectOptions, in_memory: bool) -> Result<Self, StoreError> {
        let opts = opts
            .create_if_missing(true)
            .busy_timeout(BUSY_TIMEOUT)
            .synchronous(SqliteSynchronous::Full);
        let pool = if in_memory {
            // Every connection to a private in-memory database would see its
            // own database: use exactly one, kept forever.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(opts)
                .await?
        } else {
            SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(opts.journal_mode(SqliteJournalMode::Wal))
                .await?
        };
        migrate(&pool).await?;
        Ok(SqliteLog {
            pool,
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The pool, shared with the account store.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn append_entries(
        &self,
        entries: Vec<Entry>,
        holiday: Option<HolidayWrite>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let _guard = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let result = write_in_tx(&mut tx, entries, holiday).await;
        match result {
            Ok(stored) => {
                tx.commit().await?;
                Ok(stored)
            }
            Err(WriteError::Store(e)) => {
                tx.rollback().await?;
                Err(e)
            }
            Err(WriteError::Unique(streams)) => {
                tx.rollback().await?;
                drop(_guard);
                Err(self.conflict_after_unique(streams).await)
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
        let sql = format!("{SELECT_COLUMNS} WHERE seq > ? ORDER BY seq LIMIT ?");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after_seq)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_strict).collect()
    }

    pub async fn read_stream(&self, stream: &str) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = format!("{SELECT_COLUMNS} WHERE stream = ? ORDER BY stream_version");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(stream)
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
        let sql = format!("{SELECT_COLUMNS} WHERE seq > ? ORDER BY seq");
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
        let mut tx = self.pool.begin().await?;
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
                let holder: Option<i64> = sqlx::query_scalar("SELECT seq FROM events WHERE hash = ? LIMIT 1")
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
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT year, csv_text FROM holiday_schedules ORDER BY year")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(y, csv)| i32::try_from(y).ok().map(|y| (y, csv)))
            .collect())
    }
}

fn create_parent_dir(path: &Path) -> Result<(), StoreError> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
        && !parent.exists()
    {
        std::fs::create_dir_all(parent).map_err(|e| StoreError::InvalidUrl {
            reason: format!("cannot create the database directory: {e}"),
        })?;
    }
    Ok(())
}

async fn migrate(pool: &SqlitePool) -> Result<(), StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        .execute(&mut *tx)
        .await?;
    let current: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        .fetch_one(&mut *tx)
        .await?;
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= current {
            continue;
        }
        sqlx::raw_sql(*sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_version (version) VALUES (?)")
            .bind(version)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn read_head(conn: &mut SqliteConnection) -> Result<(i64, String), StoreError> {
    let head: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM chain_head WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    head.ok_or(StoreError::Corrupt {
        seq: 0,
        detail: "the chain head row is missing".into(),
    })
}

async fn version_of(conn: &mut SqliteConnection, stream: &str) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(stream_version), 0) FROM events WHERE stream = ?")
            .bind(stream)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// The text columns of an append's rows, by the event's index in the append.
struct RowTexts<'a> {
    payloads: &'a [String],
    articles: &'a [String],
    recorded_at: &'a str,
}

/// `events` cut into consecutive chunks of `sizes`, each with the index of its first event.
fn split_chunks<'a>(mut events: &'a mut [StoredEvent], sizes: &[usize]) -> Vec<(usize, &'a mut [StoredEvent])> {
    let mut chunks = Vec::with_capacity(sizes.len());
    let mut offset = 0;
    for &n in sizes {
        let n = n.min(events.len());
        let (chunk, rest) = std::mem::take(&mut events).split_at_mut(n);
        chunks.push((offset, chunk));
        events = rest;
        offset += n;
    }
    chunks
}

type InsertQuery<'a> = sqlx::query::Query<'a, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>;

/// The INSERT of `chunk`, hashed, whose first event is the append's `offset`-th; with the
/// chain-head update when it is the append's last.
fn insert_rows<'a>(
    chunk: &'a mut [StoredEvent],
    offset: usize,
    texts: &RowTexts<'a>,
    with_head: bool,
) -> (&'a [StoredEvent], InsertQuery<'a>) {
    let chunk: &'a [StoredEvent] = chunk;
    let mut q = sqlx::query(sqlx::AssertSqlSafe(insert_sql(chunk.len(), with_head)));
    for (k, ev) in (offset..).zip(chunk) {
        q = q
            .bind(ev.seq)
            .bind(&ev.stream)
            .bind(ev.stream_version)
            .bind(&ev.kind)
            .bind(&ev.actor)
            .bind(format_date(ev.occurred_on))
            .bind(texts.recorded_at)
            .bind(&texts.articles[k])
            .bind(&texts.payloads[k])
            .bind(&ev.prev_hash)
            .bind(&ev.hash);
    }
    if with_head && let Some(ev) = chunk.last() {
        q = q.bind(ev.seq).bind(&ev.hash);
    }
    (chunk, q)
}

enum WriteError {
    Store(StoreError),
    /// Unique index on (stream, stream_version) fired: (stream, expected) per entry.
    Unique(Vec<(String, i64)>),
}

impl From<StoreError> for WriteError {
    fn from(e: StoreError) -> Self {
        WriteError::Store(e)
    }
}

impl From<sqlx::Error> for WriteError {
    fn from(e: sqlx::Error) -> Self {
        WriteError::Store(StoreError::Database(e))
    }
}

/// The chain head and the current version of each stream named in the JSON array `?1`, one
/// row per stream in array order: one statement, each version one descent of the
/// `(stream, stream_version)` index, so its cost does not grow with the stream's length.
const HEAD_AND_VERSIONS: &str = "SELECT h.seq, h.hash, COALESCE((SELECT e.stream_version FROM events e \
     WHERE e.stream = j.value ORDER BY e.stream_version DESC LIMIT 1), 0) \
     FROM chain_head h, json_each(?1) j WHERE h.id = 1 ORDER BY j.key";

const INSERT_EVENTS: &str = "INSERT INTO events (seq, stream, stream_version, kind, actor, occurred_on, \
     recorded_at, articles, payload, prev_hash, hash) VALUES ";

const ROW_PLACEHOLDERS: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// Most rows one INSERT statement carries. Statements carry a power of two of rows at most this
/// big, so a handful of statement texts serve every batch size and stay prepared.
const MAX_ROWS_PER_STATEMENT: usize = 64;

/// The row counts of the INSERT statements for `n` events: greedy powers of two, the smallest
/// first.
fn statement_sizes(mut n: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    while n > 0 {
        let size = if n >= MAX_ROWS_PER_STATEMENT {
            MAX_ROWS_PER_STATEMENT
        } else {
            1 << (usize::BITS - 1 - n.leading_zeros())
        };
        sizes.push(size);
        n -= size;
    }
    sizes.reverse();
    sizes
}

/// SQL inserting `rows` events, followed, when `with_head` is set, by the chain-head update
/// (two statements sent as one request: its parameters follow the rows').
fn insert_sql(rows: usize, with_head: bool) -> String {
    let mut sql = String::with_capacity(INSERT_EVENTS.len() + rows * (ROW_PLACEHOLDERS.len() + 2) + 64);
    sql.push_str(INSERT_EVENTS);
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(ROW_PLACEHOLDERS);
    }
    if with_head {
        sql.push_str("; UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1");
    }
    sql
}

async fn write_in_tx(
    conn: &mut SqliteConnection,
    entries: Vec<Entry>,
    holiday: Option<HolidayWrite>,
) -> Result<Vec<StoredEvent>, WriteError> {
    let expectations: Vec<(String, i64)> = entries
        .iter()
        .filter_map(|e| e.expected.map(|x| (e.stream.clone(), x)))
        .collect();
    let streams = distinct_streams(&entries);
    let names = serde_json::to_string(&streams).map_err(|e| StoreError::InvalidInput {
        reason: format!("stream names cannot be encoded: {e}"),
    })?;
    // The payloads are encoded while the database looks up the head and the versions: the
    // statement is sent on the first poll and runs on the connection's own thread.
    let (rows, texts) = tokio::join!(
        biased;
        sqlx::query_as::<_, (i64, String, i64)>(HEAD_AND_VERSIONS)
            .bind(names)
            .fetch_all(&mut *conn),
        async { EventTexts::of(entries.iter()) },
    );
    let rows = rows?;
    let Some((head_seq, head_hash, _)) = rows.first().cloned() else {
        // `entries` is never empty here, so no row means no chain head.
        return Err(StoreError::Corrupt {
            seq: 0,
            detail: "the chain head row is missing".into(),
        }
        .into());
    };
    let versions: Vec<i64> = rows.into_iter().map(|(_, _, v)| v).collect();
    let per_entry = versions_per_entry(&entries, &streams, &versions);
    let checked = check_versions(entries, &per_entry)?;
    let mut chained = sequence_events(head_seq, checked, texts);
    // Each statement's rows are hashed and bound while the database inserts the statement
    // before (the chain makes the hashes sequential, not the hashing and the writing): the
    // smallest statement first, so that only its rows are waited for.
    let sizes = statement_sizes(chained.events.len());
    {
        let Chained {
            events,
            payloads,
            articles,
            recorded_at,
        } = &mut chained;
        let texts = RowTexts {
            payloads,
            articles,
            recorded_at,
        };
        let mut chunks = split_chunks(events, &sizes).into_iter();
        let mut pending = chunks.next().map(|(offset, first)| {
            hash_chain(first, &texts.payloads[offset..], texts.recorded_at, &head_hash);
            insert_rows(first, offset, &texts, sizes.len() == 1)
        });
        while let Some((done, q)) = pending.take() {
            let next = chunks.next();
            let next_is_last = chunks.len() == 0;
            let prev = done.last().map_or(head_hash.as_str(), |ev| ev.hash.as_str());
            let (inserted, following) = tokio::join!(biased; q.execute(&mut *conn), async {
                next.map(|(offset, chunk)| {
                    hash_chain(chunk, &texts.payloads[offset..], texts.recorded_at, prev);
                    insert_rows(chunk, offset, &texts, next_is_last)
                })
            });
            if let Err(e) = inserted {
                if crate::error::is_unique_violation(&e) {
                    return Err(WriteError::Unique(expectations));
                }
                return Err(e.into());
            }
            pending = following;
        }
    }
    let stored = chained.events;
    if let (Some(h), Some(ev)) = (holiday, stored.last()) {
        sqlx::query(
            "INSERT INTO holiday_schedules (year, csv_text, loaded_by, loaded_at, event_seq) \
             VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (year) DO UPDATE SET csv_text = excluded.csv_text, \
             loaded_by = excluded.loaded_by, loaded_at = excluded.loaded_at, \
             event_seq = excluded.event_seq",
        )
        .bind(h.year)
        .bind(&h.csv_text)
        .bind(&h.loaded_by)
        .bind(format_recorded_at(ev.recorded_at))
        .bind(ev.seq)
        .execute(&mut *conn)
        .await?;
    }
    Ok(stored)
}

/// Decodes a row; `Err` inside means the row is undecodable (tampered).
fn decode_lenient(row: &SqliteRow) -> Result<(i64, Result<StoredEvent, String>), StoreError> {
    let seq: i64 = row.try_get(0).map_err(|e| StoreError::Corrupt {
        seq: 0,
        detail: format!("sequence number unreadable: {e}"),
    })?;
    Ok((seq, decode_fields(seq, row)))
}

fn decode_strict(row: &SqliteRow) -> Result<StoredEvent, StoreError> {
    let (seq, decoded) = decode_lenient(row)?;
    decoded.map_err(|detail| StoreError::Corrupt { seq, detail })
}

fn decode_fields(seq: i64, row: &SqliteRow) -> Result<StoredEvent, String> {
    fn col<'r, T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>>(
        row: &'r SqliteRow,
        idx: usize,
        name: &str,
    ) -> Result<T, String> {
        row.try_get(idx).map_err(|e| format!("column {name} unreadable: {e}"))
    }
    let occurred_on: String = col(row, 5, "occurred_on")?;
    let occurred_on = NaiveDate::parse_from_str(&occurred_on, "%Y-%m-%d")
        .map_err(|e| format!("occurred_on {occurred_on:?} is not a date: {e}"))?;
    let recorded_at: String = col(row, 6, "recorded_at")?;
    let recorded_at = DateTime::parse_from_rfc3339(&recorded_at)
        .map_err(|e| format!("recorded_at {recorded_at:?} is not an RFC 3339 time: {e}"))?
        .with_timezone(&Utc);
    let articles: String = col(row, 7, "articles")?;
    let payload: String = col(row, 8, "payload")?;
    decode_parts(
        seq,
        col(row, 1, "stream")?,
        col(row, 2, "stream_version")?,
        col(row, 3, "kind")?,
        col(row, 4, "actor")?,
        occurred_on,
        recorded_at,
        &articles,
        &payload,
        col(row, 9, "prev_hash")?,
        col(row, 10, "hash")?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_carry_powers_of_two_up_to_the_cap() {
        assert_eq!(statement_sizes(0), Vec::<usize>::new());
        assert_eq!(statement_sizes(1), vec![1]);
        assert_eq!(statement_sizes(100), vec![4, 32, 64]);
        assert_eq!(statement_sizes(130), vec![2, 64, 64]);
        for n in 0..600 {
            let sizes = statement_sizes(n);
            assert_eq!(sizes.iter().sum::<usize>(), n);
            assert!(
                sizes
                    .iter()
                    .all(|s| s.is_power_of_two() && *s <= MAX_ROWS_PER_STATEMENT)
            );
        }
    }

    #[test]
    fn the_head_update_follows_the_rows() {
        let sql = insert_sql(2, true);
        assert_eq!(sql.matches('?').count(), 2 * 11 + 2);
        assert!(sql.ends_with("WHERE id = 1"));
        assert!(!insert_sql(3, false).contains("chain_head"));
    }
}
