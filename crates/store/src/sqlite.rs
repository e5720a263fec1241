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

use self::append::{Pending, WriteError, write_in_tx};
use crate::known_head::KnownHead;
use crate::verify::{Step, VerifyReport, Walker};
use crate::{Entry, HolidayWrite, StoreError, StoredEvent, decode_parts};

mod append;
pub(crate) mod range_rows;

/// Migrations, applied in order; the index + 1 is the schema version.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/0001_events.sql")];

const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

const SELECT_COLUMNS: &str = "SELECT seq, stream, stream_version, kind, actor, occurred_on, \
     recorded_at, articles, payload, prev_hash, hash FROM events";

#[derive(Clone)]
pub(crate) struct SqliteLog {
    pool: SqlitePool,
    write_lock: Arc<tokio::sync::Mutex<()>>,
    /// The chain head this process last committed (`append`'s known head).
    head: KnownHead,
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
        // The connection lives in this process, driven by its own thread: pinging it before each
        // use (sqlx's default) is a round trip to that thread, about 40 µs on the 2-core
        // machines, that could only find the thread gone (sqlx's worker panicked): the next
        // statement on it then fails instead, and a file database's pool retires the connection
        // at its maximum lifetime (30 minutes), as it retires every connection.
        let pool_options = SqlitePoolOptions::new().test_before_acquire(false);
        let pool = if in_memory {
            // Every connection to a private in-memory database would see its
            // own database: use exactly one, kept forever.
            pool_options
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(opts)
                .await?
        } else {
            pool_options
                .max_connections(4)
                .connect_with(opts.journal_mode(SqliteJournalMode::Wal))
                .await?
        };
        migrate(&pool).await?;
        Ok(SqliteLog {
            pool,
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
            head: KnownHead::default(),
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
        let expectations: Vec<(String, i64)> = entries
            .iter()
            .filter_map(|e| e.expected.map(|x| (e.stream.clone(), x)))
            .collect();
        // Taken, so that a failed append leaves no head behind: the next one reads it. At a
        // known head the events are chained, and the first statement's hashed, while the
        // transaction begins (the pool hands out a connection and the connection's thread runs
        // BEGIN).
        let known = self.head.take().filter(|_| holiday.is_none());
        let (tx, pending) = tokio::join!(biased; self.pool.begin_with("BEGIN IMMEDIATE"), async {
            match known {
                Some(head) => append::prepare(head, entries),
                None => Ok(Pending::Entries(entries)),
            }
        });
        let mut tx = tx?;
        let result = match pending {
            Ok(pending) => write_in_tx(&mut tx, pending, holiday, &expectations).await,
            Err(e) => Err(WriteError::Store(e)),
        };
        match result {
            Ok(stored) => {
                tx.commit().await?;
                if let Some(last) = stored.last() {
                    self.head.set(last.seq, &last.hash);
                }
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

    /// `end` is the least text above every stream starting with `prefix`: SQLite compares texts
    /// by their bytes, so the range is the prefix's and the index walks it.
    pub async fn read_streams_with_prefix(&self, prefix: &str, end: &str) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = format!("{SELECT_COLUMNS} WHERE stream >= ? AND stream < ? ORDER BY seq");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(prefix)
            .bind(end)
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
