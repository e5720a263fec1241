//! 备份与恢复 — a logical copy of every durable table, the same on SQLite and PostgreSQL, so that
//! a backup taken from one kind of database restores into the other (the way a province moves
//! from one server's SQLite file to a shared PostgreSQL, and back).
//!
//! A backup is JSON: a header, then each table with its columns and rows. Values are kept in a
//! neutral form — whole numbers, booleans, text; dates, times and JSON columns as their exact
//! text (times as RFC 3339 UTC with microseconds, as the chain hashes them); bytes as hex — and
//! written into each database's own column types on restore. The whole copy is read in one
//! transaction (a consistent snapshot, with the server running) and written in one (all or
//! nothing). Sessions, sign-in throttles, flash messages, form limits, the verification
//! service's rate windows and snapshots are not copied: they are transient or rebuilt. Whether a backup may be accepted (the chain and the
//! checkpoints verify) is decided by the caller before [`restore`] writes anything.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;

use crate::{Backend, EventLog, StoreError};

/// Format tag of a backup file.
pub const BACKUP_FORMAT: &str = "guohe-backup/1";

/// The durable tables, in an order that satisfies their references.
pub const TABLES: &[&str] = &[
    "organisations",
    "accounts",
    "security_settings",
    "second_factors",
    "recovery_codes",
    "drafts",
    "draft_files",
    "key_check",
    "subject_keys",
    "account_personal",
    "notify_messages",
    "notify_cursor",
    "holiday_schedules",
    "events",
    "chain_head",
    "checkpoints",
];

/// One table's rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableCopy {
    /// Table name.
    pub name: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, one value per column.
    pub rows: Vec<Vec<Value>>,
}

/// A backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// Always [`BACKUP_FORMAT`].
    pub format: String,
    /// When it was taken (RFC 3339).
    pub taken_at: String,
    /// `sqlite` or `postgres`.
    pub source: String,
    /// Events in the log.
    pub events: i64,
    /// The chain head's hash.
    pub head_hash: String,
    /// The tables.
    pub tables: Vec<TableCopy>,
}

impl Backup {
    /// A table of the backup.
    pub fn table(&self, name: &str) -> Option<&TableCopy> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// How a column's values are carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Bool,
    Text,
    Bytes,
    Date,
    Time,
    Json,
}

fn pg_kind(data_type: &str) -> Kind {
    match data_type {
        "bigint" | "integer" | "smallint" => Kind::Int,
        "boolean" => Kind::Bool,
        "bytea" => Kind::Bytes,
        "date" => Kind::Date,
        "timestamp with time zone" => Kind::Time,
        "json" | "jsonb" => Kind::Json,
        _ => Kind::Text,
    }
}

fn sqlite_kind(declared: &str) -> Kind {
    match declared.to_ascii_uppercase().as_str() {
        "INTEGER" | "BIGINT" => Kind::Int,
        "BOOLEAN" => Kind::Bool,
        "BLOB" => Kind::Bytes,
        _ => Kind::Text,
    }
}

fn bad(detail: String) -> StoreError {
    StoreError::InvalidInput { reason: detail }
}

/// The columns of a table, with their kinds, in order.
async fn columns(log: &EventLog, table: &str) -> Result<Vec<(String, Kind)>, StoreError> {
    Ok(match &log.backend {
        Backend::Sqlite(b) => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info({table})")))
                .fetch_all(b.pool())
                .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        r.try_get::<String, _>("name")?,
                        sqlite_kind(&r.try_get::<String, _>("type")?),
                    ))
                })
                .collect::<Result<_, sqlx::Error>>()?
        }
        Backend::Postgres(b) => {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(b.pool())
            .await?;
            rows.into_iter().map(|(n, t)| (n, pg_kind(&t))).collect()
        }
    })
}

/// The SELECT expression giving a column's neutral value.
fn select_expr(postgres: bool, name: &str, kind: Kind) -> String {
    match (postgres, kind) {
        (true, Kind::Int) => format!("{name}::bigint"),
        (true, Kind::Date | Kind::Json) => format!("{name}::text"),
        (true, Kind::Time) => format!("to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"),
        (true, Kind::Bytes) => format!("encode({name}, 'hex')"),
        (false, Kind::Bytes) => format!("lower(hex({name}))"),
        _ => name.to_string(),
    }
}

/// The INSERT placeholder putting a neutral value into a column.
fn insert_expr(postgres: bool, n: usize, kind: Kind) -> String {
    match (postgres, kind) {
        (true, Kind::Date) => format!("CAST(${n} AS DATE)"),
        (true, Kind::Time) => format!("CAST(${n} AS TIMESTAMPTZ)"),
        (true, Kind::Json) => format!("CAST(${n} AS JSON)"),
        (true, Kind::Bytes) => format!("decode(${n}, 'hex')"),
        _ => format!("${n}"),
    }
}

macro_rules! read_value {
    ($row:expr, $i:expr, $kind:expr) => {{
        let row = $row;
        match $kind {
            Kind::Int => row.try_get::<Option<i64>, _>($i)?.map_or(Value::Null, Value::from),
            Kind::Bool => row.try_get::<Option<bool>, _>($i)?.map_or(Value::Null, Value::from),
            _ => row.try_get::<Option<String>, _>($i)?.map_or(Value::Null, Value::from),
        }
    }};
}

/// Reads every durable table in one transaction, with the server running.
pub async fn take(log: &EventLog, taken_at: &str) -> Result<Backup, StoreError> {
    let postgres = matches!(log.backend, Backend::Postgres(_));
    let mut schemas = Vec::new();
    for t in TABLES {
        schemas.push((t, columns(log, t).await?));
    }
    let mut tables = Vec::new();
    macro_rules! read_all {
        ($tx:expr) => {{
            for (t, cols) in &schemas {
                if cols.is_empty() {
                    continue;
                }
                let select: Vec<String> = cols.iter().map(|(n, k)| select_expr(postgres, n, *k)).collect();
                let order = if *t == &"events" || *t == &"checkpoints" {
                    " ORDER BY seq"
                } else {
                    ""
                };
                let sql = format!("SELECT {} FROM {t}{order}", select.join(", "));
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *$tx).await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in &rows {
                    let mut v = Vec::with_capacity(cols.len());
                    for (i, (_, k)) in cols.iter().enumerate() {
                        v.push(read_value!(r, i, *k));
                    }
                    out.push(v);
                }
                tables.push(TableCopy {
                    name: t.to_string(),
                    columns: cols.iter().map(|(n, _)| n.clone()).collect(),
                    rows: out,
                });
            }
        }};
    }
    match &log.backend {
        Backend::Sqlite(b) => {
            let mut tx = b.pool().begin().await?;
            read_all!(tx);
            tx.rollback().await?;
        }
        Backend::Postgres(b) => {
            let mut tx = b.pool().begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await?;
            read_all!(tx);
            tx.rollback().await?;
        }
    }
    let head = tables
        .iter()
        .find(|t| t.name == "chain_head")
        .and_then(|t| t.rows.first())
        .ok_or_else(|| bad("no chain head".into()))?;
    let (events, head_hash) = (
        head.get(1).and_then(Value::as_i64).unwrap_or(0),
        head.get(2).and_then(Value::as_str).unwrap_or_default().to_string(),
    );
    Ok(Backup {
        format: BACKUP_FORMAT.into(),
        taken_at: taken_at.into(),
        source: if postgres { "postgres" } else { "sqlite" }.into(),
        events,
        head_hash,
        tables,
    })
}

/// Whether the database holds nothing a restore would overwrite (no event, no account).
pub async fn is_empty(log: &EventLog) -> Result<bool, StoreError> {
    let (events, accounts): (i64, i64) = match &log.backend {
        Backend::Sqlite(b) => {
            sqlx::query_as("SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM accounts)")
                .fetch_one(b.pool())
                .await?
        }
        Backend::Postgres(b) => {
            sqlx::query_as("SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM accounts)")
                .fetch_one(b.pool())
                .await?
        }
    };
    Ok(events == 0 && accounts == 0)
}

/// Writes a backup into an empty, migrated database in one transaction. The caller verifies
/// the backup first; a row that does not fit its column aborts everything.
pub async fn restore(log: &EventLog, backup: &Backup) -> Result<(), StoreError> {
    if backup.format != BACKUP_FORMAT {
        return Err(bad(format!("not a {BACKUP_FORMAT} file: {}", backup.format)));
    }
    let postgres = matches!(log.backend, Backend::Postgres(_));
    let mut plans = Vec::new();
    for t in TABLES {
        let Some(copy) = backup.table(t) else { continue };
        let target = columns(log, t).await?;
        let mut kinds = Vec::new();
        for c in &copy.columns {
            let k = target
                .iter()
                .find(|(n, _)| n == c)
                .map(|(_, k)| *k)
                .ok_or_else(|| bad(format!("{t}.{c}: no such column here")))?;
            kinds.push(k);
        }
        plans.push((copy, kinds));
    }
    macro_rules! write_all {
        ($tx:expr, $bind:ident) => {{
            for (copy, kinds) in &plans {
                let t = copy.name.as_str();
                if t == "chain_head" {
                    if let Some(r) = copy.rows.first() {
                        let sql = "UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1";
                        sqlx::query(sql)
                            .bind(r.get(1).and_then(Value::as_i64).unwrap_or(0))
                            .bind(r.get(2).and_then(Value::as_str).unwrap_or_default().to_string())
                            .execute(&mut *$tx)
                            .await?;
                    }
                    continue;
                }
                // Tables a migration seeds with a default row (security settings) are replaced.
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {t}")))
                    .execute(&mut *$tx)
                    .await?;
                let placeholders: Vec<String> = kinds
                    .iter()
                    .enumerate()
                    .map(|(i, k)| insert_expr(postgres, i + 1, *k))
                    .collect();
                let sql = format!(
                    "INSERT INTO {t} ({}) VALUES ({})",
                    copy.columns.join(", "),
                    placeholders.join(", ")
                );
                for row in &copy.rows {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                    for (v, k) in row.iter().zip(kinds) {
                        q = $bind(q, v, *k).map_err(|e| bad(format!("{t}: {e}")))?;
                    }
                    q.execute(&mut *$tx).await?;
                }
            }
        }};
    }
    match &log.backend {
        Backend::Sqlite(b) => {
            let mut tx = b.pool().begin_with("BEGIN IMMEDIATE").await?;
            write_all!(tx, bind_sqlite);
            tx.commit().await?;
        }
        Backend::Postgres(b) => {
            let mut tx = b.pool().begin().await?;
            write_all!(tx, bind_pg);
            tx.commit().await?;
        }
    }
    Ok(())
}

type SqliteQuery<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>;
type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

fn as_int(v: &Value) -> Result<Option<i64>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n.as_i64().map(Some).ok_or_else(|| format!("{n} is not a whole number")),
        Value::Bool(b) => Ok(Some(i64::from(*b))),
        other => Err(format!("{other} is not a whole number")),
    }
}

fn as_bool(v: &Value) -> Result<Option<bool>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::Number(n) => Ok(Some(n.as_i64() != Some(0))),
        other => Err(format!("{other} is not a boolean")),
    }
}

fn as_text(v: &Value) -> Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(format!("{other} is not text")),
    }
}

fn bind_sqlite<'q>(q: SqliteQuery<'q>, v: &Value, k: Kind) -> Result<SqliteQuery<'q>, String> {
    Ok(match k {
        Kind::Int => q.bind(as_int(v)?),
        Kind::Bool => q.bind(as_bool(v)?),
        Kind::Bytes => q.bind(
            as_text(v)?
                .map(|h| hex::decode(h).map_err(|e| format!("bytes: {e}")))
                .transpose()?,
        ),
        _ => q.bind(as_text(v)?),
    })
}

fn bind_pg<'q>(q: PgQuery<'q>, v: &Value, k: Kind) -> Result<PgQuery<'q>, String> {
    Ok(match k {
        Kind::Int => q.bind(as_int(v)?),
        Kind::Bool => q.bind(as_bool(v)?),
        _ => q.bind(as_text(v)?),
    })
}

impl Backup {
    /// The events, decoded, in order.
    pub fn events(&self) -> Result<Vec<crate::StoredEvent>, String> {
        let Some(t) = self.table("events") else {
            return Ok(Vec::new());
        };
        let col = |name: &str| {
            t.columns
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| format!("events.{name} missing"))
        };
        let idx = [
            "seq",
            "stream",
            "stream_version",
            "kind",
            "actor",
            "occurred_on",
            "recorded_at",
            "articles",
            "payload",
            "prev_hash",
            "hash",
        ]
        .map(col);
        let mut i = [0usize; 11];
        for (k, r) in idx.into_iter().enumerate() {
            i[k] = r?;
        }
        t.rows
            .iter()
            .map(|r| {
                let text = |k: usize| r.get(i[k]).and_then(Value::as_str).unwrap_or_default().to_string();
                let int = |k: usize| r.get(i[k]).and_then(Value::as_i64).unwrap_or(0);
                let seq = int(0);
                let occurred_on = chrono::NaiveDate::parse_from_str(&text(5), "%Y-%m-%d")
                    .map_err(|e| format!("event {seq}: occurred_on: {e}"))?;
                let recorded_at = chrono::DateTime::parse_from_rfc3339(&text(6))
                    .map_err(|e| format!("event {seq}: recorded_at: {e}"))?
                    .with_timezone(&chrono::Utc);
                crate::decode_parts(
                    seq,
                    text(1),
                    int(2),
                    text(3),
                    text(4),
                    occurred_on,
                    recorded_at,
                    &text(7),
                    &text(8),
                    text(9),
                    text(10),
                )
                .map_err(|e| format!("event {seq}: {e}"))
            })
            .collect()
    }

    /// Walks the backup's chain: seq gapless from 1, every hash recomputed, every link, and the
    /// chain head agreeing with the last record. The first bad record and why, otherwise.
    pub fn check_chain(&self) -> Result<i64, (i64, String)> {
        let events = self.events().map_err(|e| (0, e))?;
        let mut prev = crate::GENESIS_HASH.to_string();
        for (i, e) in events.iter().enumerate() {
            let expected = i as i64 + 1;
            if e.seq != expected {
                return Err((expected, format!("record {expected} is missing (found {})", e.seq)));
            }
            if e.prev_hash != prev {
                return Err((e.seq, "its link to the record before does not match".into()));
            }
            if e.compute_hash() != e.hash {
                return Err((e.seq, "its contents do not match its hash".into()));
            }
            prev = e.hash.clone();
        }
        let n = events.len() as i64;
        if self.events != n || self.head_hash != if n == 0 { crate::GENESIS_HASH.to_string() } else { prev } {
            return Err((n, "the chain head does not match the last record".into()));
        }
        Ok(n)
    }
}
