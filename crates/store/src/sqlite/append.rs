//! SQLite's write path, inside the `BEGIN IMMEDIATE` transaction the log opens.
//!
//! **At the known head.** When this process committed the chain head that the database still
//! holds, and every entry says which version its stream is at, the events are chained onto that
//! head before the database is asked anything (the first statement's rows hashed while the
//! transaction begins), and the first INSERT writes its rows only on condition that the head
//! and every stream's version are what was assumed (one constant subquery of the statement).
//! The transaction's write lock keeps them so until the commit. If the condition fails (another
//! process appended, or a version differs), nothing was written, and the append goes on in the
//! same transaction by the locking path.
//!
//! **The locking path** reads the head and the versions in one statement, checks them, hashes,
//! and inserts.
//!
//! Either way the INSERTs carry a power of two of rows each, the smallest first, and each
//! statement's rows are hashed and bound while the database inserts the statement before: the
//! chain makes the hashes sequential, not the hashing and the writing. (Hashing a whole batch
//! of 100 before its first INSERT left about 0.2 ms of SM3 on the critical path that the
//! statements' round trips now hide in part: bench/README.md.)

use sqlx::SqliteConnection;

use crate::hash::format_date;
use crate::known_head::{Tried, expected_start, unchain};
use crate::{
    Chained, Entry, EventTexts, HolidayWrite, StoreError, StoredEvent, check_versions, distinct_streams, hash_chain,
    sequence_events, versions_per_entry,
};

pub(super) enum WriteError {
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
     recorded_at, articles, payload, prev_hash, hash) ";

const ROW_PLACEHOLDERS: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// The condition of a guarded INSERT, after its rows' parameters: the chain head is at
/// (`?`, `?`) and each `[stream, version]` of the JSON array `?` is at that version. Constant for
/// the statement, so SQLite evaluates it once, before any row goes in.
const AT_KNOWN_HEAD: &str = " WHERE (SELECT EXISTS (SELECT 1 FROM chain_head WHERE id = 1 AND seq = ? AND hash = ?) \
     AND NOT EXISTS (SELECT 1 FROM json_each(?) j WHERE COALESCE((SELECT e.stream_version FROM events e \
     WHERE e.stream = json_extract(j.value, '$[0]') ORDER BY e.stream_version DESC LIMIT 1), 0) \
     <> json_extract(j.value, '$[1]')))";

/// The chain-head update after the last rows. Guarded, it moves the head only from the head
/// assumed and only if the append's last event went in.
const MOVE_HEAD: &str = "; UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1";
const MOVE_KNOWN_HEAD: &str = " AND seq = ? AND hash = ? AND EXISTS (SELECT 1 FROM events WHERE seq = ? AND hash = ?)";

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
/// (two statements sent as one request: its parameters follow the rows'). `guarded`: only at
/// the known head ([`AT_KNOWN_HEAD`], [`MOVE_KNOWN_HEAD`]).
fn insert_sql(rows: usize, with_head: bool, guarded: bool) -> String {
    let mut sql = String::with_capacity(INSERT_EVENTS.len() + rows * (ROW_PLACEHOLDERS.len() + 2) + 600);
    sql.push_str(INSERT_EVENTS);
    sql.push_str(if guarded { "SELECT * FROM (VALUES " } else { "VALUES " });
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(ROW_PLACEHOLDERS);
    }
    if guarded {
        sql.push(')');
        sql.push_str(AT_KNOWN_HEAD);
    }
    if with_head {
        sql.push_str(MOVE_HEAD);
        if guarded {
            sql.push_str(MOVE_KNOWN_HEAD);
        }
    }
    sql
}

/// What an append at the known head assumes: the head, and each stream's version as JSON
/// (`[[stream, version], …]`).
struct Assumed {
    seq: i64,
    hash: String,
    versions: String,
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
/// chain-head update when it is the append's last; only at the `assumed` head if given.
fn insert_rows<'a>(
    chunk: &'a mut [StoredEvent],
    offset: usize,
    texts: &RowTexts<'a>,
    with_head: bool,
    assumed: Option<&'a Assumed>,
) -> (&'a [StoredEvent], InsertQuery<'a>) {
    let chunk: &'a [StoredEvent] = chunk;
    let mut q = sqlx::query(sqlx::AssertSqlSafe(insert_sql(
        chunk.len(),
        with_head,
        assumed.is_some(),
    )));
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
    if let Some(a) = assumed {
        q = q.bind(a.seq).bind(&a.hash).bind(&a.versions);
    }
    if with_head && let Some(ev) = chunk.last() {
        q = q.bind(ev.seq).bind(&ev.hash);
        if let Some(a) = assumed {
            q = q.bind(a.seq).bind(&a.hash).bind(ev.seq).bind(&ev.hash);
        }
    }
    (chunk, q)
}

/// What an append brings to its transaction.
pub(super) enum Pending {
    /// Chained and hashed onto the known head already ([`prepare`]).
    Prepared(Prepared),
    /// To be chained onto the head the locking path reads.
    Entries(Vec<Entry>),
}

/// An append chained onto the head this process last committed, its first statement's rows
/// hashed, before its transaction began.
pub(super) struct Prepared {
    chained: Chained,
    assumed: Assumed,
    /// Each entry's stream, expected version and number of events, to hand the entries back.
    shape: Vec<(String, Option<i64>, usize)>,
}

/// Chains `entries` onto `head` and hashes the first statement's rows, which needs no
/// database: the log runs it while its transaction begins (the rest are hashed while the
/// statements before them run). Entries that cannot be written at a known head (one checks no
/// version, or they disagree among themselves) come back as they were.
pub(super) fn prepare(head: (i64, String), entries: Vec<Entry>) -> Result<Pending, StoreError> {
    let Some((streams, versions)) = expected_start(&entries) else {
        return Ok(Pending::Entries(entries));
    };
    let shape: Vec<(String, Option<i64>, usize)> = entries
        .iter()
        .map(|e| (e.stream.clone(), e.expected, e.events.len()))
        .collect();
    let pairs: Vec<(&String, &i64)> = streams.iter().zip(&versions).collect();
    let versions_json = encode_json(&pairs)?;
    let per_entry = versions_per_entry(&entries, &streams, &versions);
    let checked = check_versions(entries, &per_entry)?;
    let texts = EventTexts::of(checked.iter().map(|(entry, _)| entry));
    let mut chained = sequence_events(head.0, checked, texts);
    let first = statement_sizes(chained.events.len()).first().copied().unwrap_or(0);
    hash_chain(
        &mut chained.events[..first],
        &chained.payloads,
        &chained.recorded_at,
        &head.1,
    );
    Ok(Pending::Prepared(Prepared {
        chained,
        assumed: Assumed {
            seq: head.0,
            hash: head.1,
            versions: versions_json,
        },
        shape,
    }))
}

/// Writes the append in the open transaction: at the known head when it was prepared there,
/// otherwise (or when that head has moved) by the locking path. A holiday-schedule load is never
/// prepared: it checks no version.
pub(super) async fn write_in_tx(
    conn: &mut SqliteConnection,
    pending: Pending,
    holiday: Option<HolidayWrite>,
    expectations: &[(String, i64)],
) -> Result<Vec<StoredEvent>, WriteError> {
    let entries = match pending {
        Pending::Prepared(prepared) => match at_known_head(conn, prepared, expectations).await? {
            Tried::Written(stored) => return Ok(stored),
            Tried::NotWritten(entries) => entries,
        },
        Pending::Entries(entries) => entries,
    };
    let stored = locking(conn, entries, expectations).await?;
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
        .bind(crate::hash::format_recorded_at(ev.recorded_at))
        .bind(ev.seq)
        .execute(&mut *conn)
        .await?;
    }
    Ok(stored)
}

/// The prepared append, written only if the database still holds the head it was chained onto
/// and every stream is at the version the entries expect; otherwise nothing is written and the
/// entries come back.
async fn at_known_head(
    conn: &mut SqliteConnection,
    prepared: Prepared,
    expectations: &[(String, i64)],
) -> Result<Tried, WriteError> {
    let Prepared {
        mut chained,
        assumed,
        shape,
    } = prepared;
    if insert_chained(conn, &mut chained, Chaining::AtKnownHead(&assumed), expectations).await? {
        Ok(Tried::Written(chained.events))
    } else {
        Ok(Tried::NotWritten(unchain(shape, chained.events)))
    }
}

/// The locking path: the head and the versions read under the transaction's write lock.
async fn locking(
    conn: &mut SqliteConnection,
    entries: Vec<Entry>,
    expectations: &[(String, i64)],
) -> Result<Vec<StoredEvent>, WriteError> {
    let streams = distinct_streams(&entries);
    let names = encode_json(&streams)?;
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
    insert_chained(conn, &mut chained, Chaining::Onto(&head_hash), expectations).await?;
    Ok(chained.events)
}

fn encode_json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::InvalidInput {
        reason: format!("stream names cannot be encoded: {e}"),
    })
}

/// How the events of an append stand when they are inserted. Either way each statement's rows
/// after the first are hashed onto the statement before's while it runs.
enum Chaining<'a> {
    /// Not hashed yet: the first statement's rows are hashed onto this head hash.
    Onto(&'a str),
    /// At the known head ([`prepare`]): the first statement's rows are hashed already, and that
    /// statement writes only at the head assumed.
    AtKnownHead(&'a Assumed),
}

/// Inserts `chained`, statement by statement, the head update last, each statement's rows
/// hashed and bound while the statement before runs. `false` when the first statement, written
/// only at an assumed head, wrote nothing (and then nothing was written).
async fn insert_chained(
    conn: &mut SqliteConnection,
    chained: &mut Chained,
    chaining: Chaining<'_>,
    expectations: &[(String, i64)],
) -> Result<bool, WriteError> {
    let sizes = statement_sizes(chained.events.len());
    let Chained {
        events,
        payloads,
        articles,
        recorded_at,
    } = chained;
    let texts = RowTexts {
        payloads,
        articles,
        recorded_at,
    };
    let (head_hash, mut guard) = match chaining {
        Chaining::Onto(hash) => (Some(hash), None),
        Chaining::AtKnownHead(assumed) => (None, Some(assumed)),
    };
    let hash = |chunk: &mut [StoredEvent], offset: usize, prev: &str| {
        hash_chain(chunk, &texts.payloads[offset..], texts.recorded_at, prev);
    };
    let mut chunks = split_chunks(events, &sizes).into_iter();
    let mut pending = chunks.next().map(|(offset, first)| {
        if let Some(head_hash) = head_hash {
            hash(first, offset, head_hash);
        }
        let with_head = sizes.len() == 1;
        (insert_rows(first, offset, &texts, with_head, guard), with_head)
    });
    while let Some(((done, q), with_head)) = pending.take() {
        let next = chunks.next();
        let next_is_last = chunks.len() == 0;
        let prev = done.last().map_or("", |ev| ev.hash.as_str());
        let (inserted, following) = tokio::join!(biased; q.execute(&mut *conn), async {
            next.map(|(offset, chunk)| {
                hash(chunk, offset, prev);
                (insert_rows(chunk, offset, &texts, next_is_last, None), next_is_last)
            })
        });
        let written = match inserted {
            Ok(result) => result.rows_affected(),
            Err(e) if crate::error::is_unique_violation(&e) => return Err(WriteError::Unique(expectations.to_vec())),
            Err(e) => return Err(e.into()),
        };
        if guard.take().is_some() {
            let all = done.len() as u64 + u64::from(with_head);
            if written == 0 {
                return Ok(false);
            }
            if written != all {
                // The condition is one constant subquery: all rows or none. Anything else is
                // refused, and the caller rolls the transaction back.
                return Err(StoreError::Corrupt {
                    seq: done.first().map_or(0, |ev| ev.seq),
                    detail: format!("a guarded append wrote {written} rows of {all}"),
                }
                .into());
            }
        }
        pending = following;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewEvent;
    use crate::sqlite::SqliteLog;

    fn entry(stream: &str, expected: i64, n: usize) -> Entry {
        Entry {
            stream: stream.to_string(),
            expected: Some(expected),
            events: (0..n)
                .map(|i| NewEvent {
                    stream: stream.to_string(),
                    kind: "Step".to_string(),
                    actor: "dept:zhang".to_string(),
                    occurred_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
                    articles: vec!["hubei-2022:28.1".to_string()],
                    payload: serde_json::json!({ "i": i }),
                })
                .collect(),
        }
    }

    /// The guarded write at the known head, tried directly: it writes every row when the head
    /// and the versions are as assumed, and nothing when either is not.
    #[tokio::test]
    async fn the_known_head_writes_all_or_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = SqliteLog::connect_path(&dir.path().join("events.db"))
            .await
            .expect("open");
        let first = log
            .append_entries(vec![entry("base/HB-1", 0, 1)], None)
            .await
            .expect("first append");
        let head = (first[0].seq, first[0].hash.clone());
        let count = |log: &SqliteLog| {
            let pool = log.pool().clone();
            async move {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM events")
                    .fetch_one(&pool)
                    .await
                    .expect("count")
            }
        };
        let stale = [
            ((head.0, "0".repeat(64)), entry("base/HB-1", 1, 3)),
            ((head.0 - 1, head.1.clone()), entry("base/HB-1", 1, 3)),
            (head.clone(), entry("base/HB-1", 0, 3)),
            (head.clone(), entry("base/HB-2", 4, 100)),
        ];
        for (assumed, e) in stale {
            let mut tx = log.pool().begin_with("BEGIN IMMEDIATE").await.expect("begin");
            let Ok(Pending::Prepared(prepared)) = prepare(assumed.clone(), vec![e]) else {
                panic!("every entry checks its version");
            };
            let tried = at_known_head(&mut tx, prepared, &[]).await;
            assert!(
                matches!(tried, Ok(Tried::NotWritten(ref back)) if back.len() == 1),
                "{assumed:?}"
            );
            tx.commit().await.expect("commit");
            assert_eq!(count(&log).await, 1, "nothing written at {assumed:?}");
            assert_eq!(log.chain_head().await.expect("head"), head);
        }
        for (stream, expected, n) in [("base/HB-1", 1, 1), ("base/HB-2", 0, 100)] {
            let head = log.chain_head().await.expect("head");
            let mut tx = log.pool().begin_with("BEGIN IMMEDIATE").await.expect("begin");
            let Ok(Pending::Prepared(prepared)) = prepare(head.clone(), vec![entry(stream, expected, n)]) else {
                panic!("every entry checks its version");
            };
            let tried = at_known_head(&mut tx, prepared, &[]).await;
            let Ok(Tried::Written(stored)) = tried else {
                panic!("not written at the head the database holds");
            };
            tx.commit().await.expect("commit");
            assert_eq!(stored.len(), n);
            assert_eq!(stored[0].seq, head.0 + 1);
            assert_eq!(stored[0].prev_hash, head.1);
            let last = stored.last().expect("events");
            assert_eq!(log.chain_head().await.expect("head"), (last.seq, last.hash.clone()));
        }
        assert_eq!(count(&log).await, 102);
        assert!(log.verify().await.expect("verify").is_intact());
    }

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
        let sql = insert_sql(2, true, false);
        assert_eq!(sql.matches('?').count(), 2 * 11 + 2);
        assert!(sql.ends_with("WHERE id = 1"));
        assert!(!insert_sql(3, false, false).contains("chain_head"));
    }

    #[test]
    fn a_guarded_statement_names_the_assumed_head_after_the_rows() {
        let sql = insert_sql(2, true, true);
        // The rows, the head and versions assumed, the new head, the head assumed and the
        // last event again.
        assert_eq!(sql.matches('?').count(), 2 * 11 + 3 + 2 + 4);
        assert!(sql.contains("SELECT * FROM (VALUES (?"));
        assert!(insert_sql(1, false, true).ends_with("<> json_extract(j.value, '$[1]')))"));
    }
}
