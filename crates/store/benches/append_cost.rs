//! What an append costs, against raw SQL doing the same writes with the same durability, and
//! whether it grows with the length of the stream appended to. One run measures everything on
//! both backends and prints the figures, as Markdown, with their ratios:
//!
//! * Guohe's append (`EventLog::append`: hash, check the expected version under the chain
//!   head's row lock, insert, move the head, commit; on PostgreSQL one statement when the
//!   process knows the head, four requests when it must lock and read it first) of 1 event and
//!   of a batch of 100, against a raw reference on a database of the same schema: the same INSERT, the same
//!   chain-head UPDATE, one transaction, the same pragmas (SQLite: WAL, `synchronous=FULL`) or
//!   the same server settings (PostgreSQL: `synchronous_commit = on`), the same driver, and
//!   every value, hashes included, computed before the clock starts;
//! * on PostgreSQL, the same against a raw reference sending that INSERT and UPDATE as one
//!   statement committed on its own, the fewest requests those writes can take (Guohe's append
//!   also takes one when its process knows the chain head);
//! * Guohe's append of 1 event to a stream of 100,000 events against one to a stream of 10.
//!
//! The two sides of each comparison alternate, round after round, so that the disk's and the
//! machine's moods fall on both alike; medians are compared (and totals, shown beside them).
//!
//! `cargo bench -p guohe-store --bench append_cost`. Environment: `GUOHE_BENCH_ROUNDS` (timed
//! rounds per comparison, default 400), `GUOHE_BENCH_LONG_STREAM` (default 100000),
//! `GUOHE_TEST_POSTGRES_URL` (the server's admin database, default
//! `postgres://root@127.0.0.1:5432/test`; a scratch database is created and dropped),
//! `GUOHE_SKIP_POSTGRES=1` to leave PostgreSQL out. Talks to nothing but that server and a
//! temporary directory, and stops by itself.

mod support;

use std::collections::HashMap;
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use guohe_store::{EventLog, GENESIS_HASH, HashInput, NewEvent, canonical_json, event_hash, format_recorded_at};
use sqlx::AssertSqlSafe;
use sqlx::postgres::{PgConnectOptions, PgPool};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use support::{ScratchDb, Times, env_usize, event, load_average, ms, on_two_workers, ratio, scratch_db};

const WARM_UP: usize = 20;

/// One event as the raw reference writes it, every column computed in advance.
struct RawRow {
    seq: i64,
    stream: String,
    version: i64,
    kind: String,
    actor: String,
    occurred_on: NaiveDate,
    recorded_at: DateTime<Utc>,
    articles: String,
    payload: String,
    prev_hash: String,
    hash: String,
}

/// The raw reference's own chain: the next rows, hashed like Guohe's.
#[derive(Default)]
struct RawChain {
    seq: i64,
    prev: String,
    versions: HashMap<String, i64>,
}

impl RawChain {
    fn rows(&mut self, events: Vec<NewEvent>) -> Vec<RawRow> {
        if self.prev.is_empty() {
            self.prev = GENESIS_HASH.to_string();
        }
        let recorded_at = DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap_or_default();
        events
            .into_iter()
            .map(|e| {
                self.seq += 1;
                let version = self.versions.entry(e.stream.clone()).or_insert(0);
                *version += 1;
                let hash = event_hash(&HashInput {
                    seq: self.seq,
                    stream: &e.stream,
                    stream_version: *version,
                    kind: &e.kind,
                    actor: &e.actor,
                    occurred_on: e.occurred_on,
                    recorded_at,
                    articles: &e.articles,
                    payload: &e.payload,
                    prev_hash: &self.prev,
                });
                RawRow {
                    seq: self.seq,
                    version: *version,
                    articles: serde_json::to_string(&e.articles).unwrap_or_default(),
                    payload: canonical_json(&e.payload),
                    prev_hash: std::mem::replace(&mut self.prev, hash.clone()),
                    hash,
                    stream: e.stream,
                    kind: e.kind,
                    actor: e.actor,
                    occurred_on: e.occurred_on,
                    recorded_at,
                }
            })
            .collect()
    }
}

/// The raw reference: a database of the event log's schema, written with plain SQL.
enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
    /// The same INSERT and UPDATE sent as one statement, committed on its own: the fewest
    /// requests those writes can take.
    PostgresOneStatement(PgPool),
}

/// How the raw reference sends its writes.
#[derive(Clone, Copy, PartialEq)]
enum RawForm {
    /// BEGIN, the INSERT, the UPDATE, COMMIT.
    Transaction,
    /// PostgreSQL only: the INSERT and the UPDATE as one statement (a data-modifying `WITH`).
    OneStatement,
}

impl RawForm {
    fn label(self) -> &'static str {
        match self {
            RawForm::Transaction => "BEGIN, INSERT, UPDATE, COMMIT",
            RawForm::OneStatement => "INSERT and UPDATE in one statement",
        }
    }
}

const PG_INSERT_AND_UPDATE: &str = "WITH inserted AS (INSERT INTO events (seq, stream, stream_version, \
     kind, actor, occurred_on, recorded_at, articles, payload, prev_hash, hash) \
     SELECT t.seq, t.stream, t.sv, t.kind, t.actor, t.occ, t.rec, t.arts::json, t.payload::json, t.prev, t.hash \
     FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::date[], \
                 $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[]) \
          AS t(seq, stream, sv, kind, actor, occ, rec, arts, payload, prev, hash)) \
     UPDATE chain_head SET seq = $12, hash = $13 WHERE id = 1";

const PG_INSERT: &str = "INSERT INTO events (seq, stream, stream_version, kind, actor, occurred_on, \
     recorded_at, articles, payload, prev_hash, hash) \
     SELECT t.seq, t.stream, t.sv, t.kind, t.actor, t.occ, t.rec, t.arts::json, t.payload::json, t.prev, t.hash \
     FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::date[], \
                 $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[]) \
          AS t(seq, stream, sv, kind, actor, occ, rec, arts, payload, prev, hash)";

impl Raw {
    /// A SQLite file opened as the event log opens its own, with the log's schema.
    async fn sqlite(path: &std::path::Path) -> Result<Raw, sqlx::Error> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .busy_timeout(Duration::from_secs(30))
            .synchronous(SqliteSynchronous::Full)
            .journal_mode(SqliteJournalMode::Wal);
        // As the log's own pool: no ping of the in-process connection before each use.
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(opts)
            .await?;
        sqlx::raw_sql(include_str!("../migrations/sqlite/0001_events.sql"))
            .execute(&pool)
            .await?;
        Ok(Raw::Sqlite(pool))
    }

    async fn postgres(url: &str, form: RawForm) -> Result<Raw, sqlx::Error> {
        // As the log's own pool: a ping before use only for a connection idle for a second.
        let pool = guohe_store::postgres_pool_options()
            .connect_with(PgConnectOptions::from_str(url)?)
            .await?;
        sqlx::raw_sql(include_str!("../migrations/postgres/0001_events.sql"))
            .execute(&pool)
            .await?;
        Ok(match form {
            RawForm::Transaction => Raw::Postgres(pool),
            RawForm::OneStatement => Raw::PostgresOneStatement(pool),
        })
    }

    /// One transaction: the rows in one INSERT, then the chain head moved to the last one.
    async fn append(&self, rows: &[RawRow]) -> Result<(), sqlx::Error> {
        let Some(last) = rows.last() else { return Ok(()) };
        match self {
            Raw::Sqlite(pool) => {
                let mut sql = String::from(
                    "INSERT INTO events (seq, stream, stream_version, kind, actor, occurred_on, \
                     recorded_at, articles, payload, prev_hash, hash) VALUES ",
                );
                for i in 0..rows.len() {
                    sql.push_str(if i == 0 { "" } else { ", " });
                    sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                }
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for r in rows {
                    q = q
                        .bind(r.seq)
                        .bind(&r.stream)
                        .bind(r.version)
                        .bind(&r.kind)
                        .bind(&r.actor)
                        .bind(r.occurred_on.format("%Y-%m-%d").to_string())
                        .bind(format_recorded_at(r.recorded_at))
                        .bind(&r.articles)
                        .bind(&r.payload)
                        .bind(&r.prev_hash)
                        .bind(&r.hash);
                }
                q.execute(&mut *tx).await?;
                sqlx::query("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1")
                    .bind(last.seq)
                    .bind(&last.hash)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            }
            Raw::Postgres(pool) => {
                let col = |f: fn(&RawRow) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
                let mut tx = pool.begin().await?;
                sqlx::query(PG_INSERT)
                    .bind(rows.iter().map(|r| r.seq).collect::<Vec<_>>())
                    .bind(col(|r| &r.stream))
                    .bind(rows.iter().map(|r| r.version).collect::<Vec<_>>())
                    .bind(col(|r| &r.kind))
                    .bind(col(|r| &r.actor))
                    .bind(rows.iter().map(|r| r.occurred_on).collect::<Vec<_>>())
                    .bind(rows.iter().map(|r| r.recorded_at).collect::<Vec<_>>())
                    .bind(col(|r| &r.articles))
                    .bind(col(|r| &r.payload))
                    .bind(col(|r| &r.prev_hash))
                    .bind(col(|r| &r.hash))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1")
                    .bind(last.seq)
                    .bind(&last.hash)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            }
            Raw::PostgresOneStatement(pool) => {
                let col = |f: fn(&RawRow) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
                sqlx::query(PG_INSERT_AND_UPDATE)
                    .bind(rows.iter().map(|r| r.seq).collect::<Vec<_>>())
                    .bind(col(|r| &r.stream))
                    .bind(rows.iter().map(|r| r.version).collect::<Vec<_>>())
                    .bind(col(|r| &r.kind))
                    .bind(col(|r| &r.actor))
                    .bind(rows.iter().map(|r| r.occurred_on).collect::<Vec<_>>())
                    .bind(rows.iter().map(|r| r.recorded_at).collect::<Vec<_>>())
                    .bind(col(|r| &r.articles))
                    .bind(col(|r| &r.payload))
                    .bind(col(|r| &r.prev_hash))
                    .bind(col(|r| &r.hash))
                    .bind(last.seq)
                    .bind(&last.hash)
                    .execute(pool)
                    .await
                    .map(|_| ())
            }
        }
    }

    async fn close(&self) {
        match self {
            Raw::Sqlite(p) => p.close().await,
            Raw::Postgres(p) | Raw::PostgresOneStatement(p) => p.close().await,
        }
    }
}

/// Appends to one stream of a log, keeping its version.
struct Appender<'a> {
    log: &'a EventLog,
    stream: String,
    version: i64,
}

impl Appender<'_> {
    fn events(&self, n: usize) -> Vec<NewEvent> {
        (0..n)
            .map(|i| event(&self.stream, self.version as u64 + i as u64))
            .collect()
    }

    async fn append(&mut self, events: Vec<NewEvent>) -> Duration {
        let start = Instant::now();
        let stored = self
            .log
            .append(&self.stream, self.version, events)
            .await
            .expect("append");
        let took = start.elapsed();
        self.version += stored.len() as i64;
        took
    }
}

/// Guohe's append of `batch` events against the raw reference's, alternating.
async fn guohe_vs_raw(log: &EventLog, raw: &Raw, batch: usize, rounds: usize) -> (Times, Times) {
    let mut guohe = Appender {
        log,
        stream: format!("application/bench-{batch}"),
        version: 0,
    };
    let mut chain = RawChain::default();
    let (mut g, mut r) = (Times::default(), Times::default());
    for round in 0..WARM_UP + rounds {
        let events = guohe.events(batch);
        let rows = chain.rows(guohe.events(batch));
        let raw_first = round % 2 == 1;
        let mut raw_time = Duration::ZERO;
        if raw_first {
            raw_time = time_raw(raw, &rows).await;
        }
        let guohe_time = guohe.append(events).await;
        if !raw_first {
            raw_time = time_raw(raw, &rows).await;
        }
        if round >= WARM_UP {
            g.0.push(guohe_time);
            r.0.push(raw_time);
        }
    }
    (g, r)
}

async fn time_raw(raw: &Raw, rows: &[RawRow]) -> Duration {
    let start = Instant::now();
    raw.append(rows).await.expect("raw append");
    start.elapsed()
}

/// One event appended to a stream of `long` events against one to a stream of 10, alternating.
async fn long_vs_short(log: &EventLog, long: usize, rounds: usize) -> (Times, Times) {
    let mut long_stream = Appender {
        log,
        stream: "application/long".into(),
        version: 0,
    };
    let mut short_stream = Appender {
        log,
        stream: "application/short".into(),
        version: 0,
    };
    while (long_stream.version as usize) < long {
        let n = (long - long_stream.version as usize).min(1000);
        let events = long_stream.events(n);
        long_stream.append(events).await;
    }
    let events = short_stream.events(10);
    short_stream.append(events).await;
    let (mut l, mut s) = (Times::default(), Times::default());
    for round in 0..WARM_UP + rounds {
        let (le, se) = (long_stream.events(1), short_stream.events(1));
        let (lt, st) = if round % 2 == 0 {
            let lt = long_stream.append(le).await;
            (lt, short_stream.append(se).await)
        } else {
            let st = short_stream.append(se).await;
            (long_stream.append(le).await, st)
        };
        if round >= WARM_UP {
            l.0.push(lt);
            s.0.push(st);
        }
    }
    (l, s)
}

/// A database for one measurement: a SQLite file in `dir`, or a scratch PostgreSQL database.
enum Place {
    Sqlite(std::path::PathBuf),
    Postgres(ScratchDb),
}

impl Place {
    async fn new(backend: &str, dir: &std::path::Path, name: &str) -> Option<Place> {
        if backend == "sqlite" {
            Some(Place::Sqlite(dir.join(format!("{name}.db"))))
        } else {
            scratch_db(name).await.map(Place::Postgres)
        }
    }

    fn url(&self) -> String {
        match self {
            Place::Sqlite(p) => format!("sqlite://{}", p.display()),
            Place::Postgres(db) => db.url.clone(),
        }
    }

    async fn raw(&self, form: RawForm) -> Raw {
        match self {
            Place::Sqlite(p) => Raw::sqlite(p).await.expect("raw sqlite"),
            Place::Postgres(db) => Raw::postgres(&db.url, form).await.expect("raw postgres"),
        }
    }

    async fn remove(self) {
        if let Place::Postgres(db) = self {
            db.drop_now().await;
        }
    }
}

async fn run() {
    let rounds = env_usize("GUOHE_BENCH_ROUNDS", 400);
    let long = env_usize("GUOHE_BENCH_LONG_STREAM", 100_000);
    let dir = tempfile::tempdir().expect("tempdir");
    println!("load average before: {}", load_average());
    println!("{rounds} timed rounds per comparison (after {WARM_UP} untimed), the two sides alternating\n");
    println!(
        "| backend | append | raw side sends | Guohe median (p10–p90) | raw median (p10–p90) | ratio of medians | ratio of totals |"
    );
    println!("|---|---|---|---:|---:|---:|---:|");
    let mut lengths = Vec::new();
    for backend in ["sqlite", "postgres"] {
        let forms: &[RawForm] = match backend {
            "sqlite" => &[RawForm::Transaction],
            _ => &[RawForm::Transaction, RawForm::OneStatement],
        };
        for (batch, &form) in [1usize, 100]
            .into_iter()
            .flat_map(|b| forms.iter().map(move |f| (b, f)))
        {
            let (Some(mine), Some(theirs)) = (
                Place::new(backend, dir.path(), &format!("guohe_{batch}")).await,
                Place::new(backend, dir.path(), &format!("raw_{batch}")).await,
            ) else {
                continue;
            };
            let log = EventLog::connect(&mine.url()).await.expect("open the log");
            let raw = theirs.raw(form).await;
            let (g, r) = guohe_vs_raw(&log, &raw, batch, rounds).await;
            println!(
                "| {backend} | {batch} event{} | {} | {} ({}) | {} ({}) | {} | {} |",
                if batch == 1 { "" } else { "s" },
                form.label(),
                ms(g.median()),
                g.spread(),
                ms(r.median()),
                r.spread(),
                ratio(g.median(), r.median()),
                ratio(g.total(), r.total()),
            );
            log.close().await;
            raw.close().await;
            mine.remove().await;
            theirs.remove().await;
        }
        let Some(place) = Place::new(backend, dir.path(), "length").await else {
            continue;
        };
        let log = EventLog::connect(&place.url()).await.expect("open the log");
        let (l, s) = long_vs_short(&log, long, rounds).await;
        lengths.push((backend, l, s));
        log.close().await;
        place.remove().await;
    }
    println!(
        "\n| backend | 1 event to a stream of {long} (p10–p90) | to a stream of 10 (p10–p90) | ratio of medians | ratio of totals |"
    );
    println!("|---|---:|---:|---:|---:|");
    for (backend, l, s) in lengths {
        println!(
            "| {backend} | {} ({}) | {} ({}) | {} | {} |",
            ms(l.median()),
            l.spread(),
            ms(s.median()),
            s.spread(),
            ratio(l.median(), s.median()),
            ratio(l.total(), s.total()),
        );
    }
    println!("\nload average after: {}", load_average());
}

fn main() {
    on_two_workers(run());
}
