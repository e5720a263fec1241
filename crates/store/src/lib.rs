//! Guohe event store: a durable, tamper-evident, append-only event log.
//!
//! Every event gets a global, gapless sequence number and a version within its
//! stream (one stream per case). Events are chained with SM3 (GB/T 32905): each
//! record stores the hash of its predecessor and its own hash over a canonical,
//! length-prefixed encoding of all its fields ([`event_hash`]). The current
//! chain head is kept in a separate one-row table, updated in the same
//! transaction, so that deleting the last record is detectable too.
//! [`EventLog::verify`] walks the whole log and reports the first bad record.
//!
//! Two backends: SQLite (WAL, `synchronous=FULL`) and PostgreSQL. Appends are
//! serialised globally (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: the chain-head
//! row's lock, taken by `SELECT … FOR UPDATE` or, when the process already knows
//! the head, by the one statement that moves it only if it is still that head),
//! so concurrent writers, even in different processes, can never fork the chain.
//!
//! The crate knows nothing about the domain: payloads are `serde_json::Value`.

pub mod accounts;
pub mod backup;
mod chain;
pub mod checkpoints;
pub mod drafts;
mod error;
mod hash;
pub mod keys;
mod known_head;
pub mod notify;
mod params;
mod postgres;
mod range;
mod replay;
pub mod signin;
pub mod snapshots;
mod sqlite;
mod tables;
mod verify;

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use accounts::{
    Account, AccountError, AccountOrder, AccountPage, AccountProfile, AccountQuery, AccountRole, AccountStatus,
    AccountStore, FailedLogin, NewAccount, Organisation, SecuritySettings, Session, SessionInfo, normalise_login,
};
pub(crate) use chain::{Chained, EventTexts, chain_events, hash_chain, sequence_events};
pub use checkpoints::{CHECKPOINT_FORMAT, Checkpoint, CheckpointFile, CheckpointStore};
pub use error::StoreError;
pub use hash::{GENESIS_HASH, HashInput, canonical_bytes, canonical_json, event_hash, format_recorded_at, sm3_hex};
pub use keys::{KeyCheck, KeyStore, SubjectKeyRow};
pub use notify::{MailState, Message, NewMessage, NotifyStore};
pub use postgres::{PING_IF_IDLE_FOR, postgres_pool_options};
pub use replay::ReplayEvent;
pub use snapshots::{Snapshot, SnapshotStore};
pub use verify::{BreakCategory, BreakReason, VerifyReport};

/// Suggested page size for callers paging with [`EventLog::read_all`].
pub const READ_BATCH: i64 = 10_000;

/// Stream name prefix of holiday-schedule audit events (`calendar/<year>`).
pub const CALENDAR_STREAM_PREFIX: &str = "calendar/";

/// Event kind recorded when an administrator loads a holiday schedule.
pub const HOLIDAY_SCHEDULE_LOADED: &str = "HolidayScheduleLoaded";

/// An event to append.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    /// The case it belongs to, e.g. `application/2026-0007`; must equal the
    /// stream it is appended to.
    pub stream: String,
    /// Event type name, e.g. `PublicNoticeStarted`.
    pub kind: String,
    /// Who caused it (`dept:zhang`, `system:clock`).
    pub actor: String,
    /// The business date (from the system clock; may be simulated).
    pub occurred_on: NaiveDate,
    /// Citations applied, machine form `hubei-2022:28.1`.
    pub articles: Vec<String>,
    /// Domain data.
    pub payload: Value,
}

/// A stored, chained event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// Global sequence number, 1-based, gapless.
    pub seq: i64,
    /// The case it belongs to.
    pub stream: String,
    /// Version within the stream, 1-based, gapless.
    pub stream_version: i64,
    /// Event type name.
    pub kind: String,
    /// Who caused it.
    pub actor: String,
    /// The business date.
    pub occurred_on: NaiveDate,
    /// Wall-clock time of recording (microsecond precision).
    pub recorded_at: DateTime<Utc>,
    /// Citations applied.
    pub articles: Vec<String>,
    /// Domain data.
    pub payload: Value,
    /// Hex SM3 hash of the predecessor ([`GENESIS_HASH`] for seq 1).
    pub prev_hash: String,
    /// Hex SM3 hash of this event ([`event_hash`]).
    pub hash: String,
}

impl StoredEvent {
    /// The fields covered by the hash, borrowed.
    pub fn hash_input(&self) -> HashInput<'_> {
        HashInput {
            seq: self.seq,
            stream: &self.stream,
            stream_version: self.stream_version,
            kind: &self.kind,
            actor: &self.actor,
            occurred_on: self.occurred_on,
            recorded_at: self.recorded_at,
            articles: &self.articles,
            payload: &self.payload,
            prev_hash: &self.prev_hash,
        }
    }

    /// Recomputes this event's hash from its contents.
    pub fn compute_hash(&self) -> String {
        event_hash(&self.hash_input())
    }
}

/// One entry of an atomic multi-stream append: stream, expected version
/// (`None`: no check), events.
pub(crate) struct Entry {
    pub stream: String,
    pub expected: Option<i64>,
    pub events: Vec<NewEvent>,
}

fn check_text(what: &str, value: &str) -> Result<(), StoreError> {
    if value.is_empty() {
        return Err(StoreError::InvalidInput {
            reason: format!("{what} must not be empty"),
        });
    }
    if value.contains('\0') {
        return Err(StoreError::InvalidInput {
            reason: format!("{what} must not contain NUL characters"),
        });
    }
    Ok(())
}

fn validate(entry: &Entry) -> Result<(), StoreError> {
    check_text("stream", &entry.stream)?;
    if let Some(expected) = entry.expected
        && expected < 0
    {
        return Err(StoreError::InvalidInput {
            reason: format!("expected version {expected} is negative"),
        });
    }
    for ev in &entry.events {
        if ev.stream != entry.stream {
            return Err(StoreError::InvalidInput {
                reason: format!(
                    "event for stream {} cannot be appended to stream {}",
                    ev.stream, entry.stream
                ),
            });
        }
        check_text("event kind", &ev.kind)?;
        check_text("actor", &ev.actor)?;
    }
    Ok(())
}

/// The distinct streams of `entries`, in order of first mention.
pub(crate) fn distinct_streams(entries: &[Entry]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    entries
        .iter()
        .filter(|e| seen.insert(e.stream.as_str()))
        .map(|e| e.stream.clone())
        .collect()
}

/// Each entry's stored stream version, given the versions of the [`distinct_streams`].
pub(crate) fn versions_per_entry(entries: &[Entry], streams: &[String], versions: &[i64]) -> Vec<i64> {
    let of: HashMap<&str, i64> = streams
        .iter()
        .map(String::as_str)
        .zip(versions.iter().copied())
        .collect();
    entries
        .iter()
        .map(|e| of.get(e.stream.as_str()).copied().unwrap_or(0))
        .collect()
}

/// Checks each entry's expected version, treating the entries as applied one
/// after another; `db_versions[i]` is the stored version of `entries[i]`'s
/// stream. Returns each entry with its starting version.
pub(crate) fn check_versions(entries: Vec<Entry>, db_versions: &[i64]) -> Result<Vec<(Entry, i64)>, StoreError> {
    let mut seen: HashMap<String, i64> = HashMap::new();
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        let actual = match seen.get(&entry.stream) {
            Some(v) => *v,
            None => db_versions.get(i).copied().unwrap_or(0),
        };
        if let Some(expected) = entry.expected
            && expected != actual
        {
            return Err(StoreError::Conflict {
                stream: entry.stream,
                expected,
                actual,
            });
        }
        seen.insert(entry.stream.clone(), actual + entry.events.len() as i64);
        out.push((entry, actual));
    }
    Ok(out)
}

/// The least text above every text that starts with `prefix`, in byte order (the prefix with
/// its last character, ASCII and below DEL, raised by one), or `None`.
fn prefix_end(prefix: &str) -> Option<String> {
    let (&last, head) = prefix.as_bytes().split_last()?;
    if last >= 0x7f {
        return None;
    }
    let mut end = String::from_utf8(head.to_vec()).ok()?;
    end.push(char::from(last + 1));
    Some(end)
}

/// Parses the text columns of a row into a [`StoredEvent`]; `Err` says why not.
#[allow(clippy::too_many_arguments)]
pub(crate) fn decode_parts(
    seq: i64,
    stream: String,
    stream_version: i64,
    kind: String,
    actor: String,
    occurred_on: NaiveDate,
    recorded_at: DateTime<Utc>,
    articles: &str,
    payload: &str,
    prev_hash: String,
    hash: String,
) -> Result<StoredEvent, String> {
    let articles: Vec<String> =
        serde_json::from_str(articles).map_err(|e| format!("articles are not a JSON string array: {e}"))?;
    let payload: Value = serde_json::from_str(payload).map_err(|e| format!("payload is not JSON: {e}"))?;
    Ok(StoredEvent {
        seq,
        stream,
        stream_version,
        kind,
        actor,
        occurred_on,
        recorded_at,
        articles,
        payload,
        prev_hash,
        hash,
    })
}

#[derive(Clone)]
enum Backend {
    Sqlite(sqlite::SqliteLog),
    Postgres(postgres::PgLog),
}

/// Handle to the event log. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct EventLog {
    backend: Backend,
}

impl std::fmt::Debug for EventLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        };
        f.debug_struct("EventLog").field("backend", &kind).finish()
    }
}

macro_rules! dispatch {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match &$self.backend {
            Backend::Sqlite(b) => b.$method($($arg),*).await,
            Backend::Postgres(b) => b.$method($($arg),*).await,
        }
    };
}

impl EventLog {
    /// Opens (creating and migrating if needed) the event log at `url`:
    ///
    /// * `sqlite://path/to/file.db`, `sqlite:path`, or a bare file path — a SQLite
    ///   file, created with its parent directories on first start;
    /// * `sqlite::memory:` — a private in-memory database (simulations, tests);
    /// * `postgres://…` or `postgresql://…` — PostgreSQL, migrated on connect.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(StoreError::InvalidUrl {
                reason: "the URL is empty".into(),
            });
        }
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(postgres::PgLog::connect(url).await?)
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite(sqlite::SqliteLog::connect_url(url).await?)
        } else if url.contains("://") {
            return Err(StoreError::InvalidUrl {
                reason: "unsupported scheme (use sqlite:// or postgres://)".into(),
            });
        } else {
            Backend::Sqlite(sqlite::SqliteLog::connect_path(std::path::Path::new(url)).await?)
        };
        Ok(EventLog { backend })
    }

    /// Closes the connection pool; in-flight operations finish first.
    pub async fn close(&self) {
        dispatch!(self.close())
    }

    /// Appends `events` to `stream` if its current version is
    /// `expected_version` (0 for a new stream), atomically. On a mismatch
    /// returns [`StoreError::Conflict`] and writes nothing.
    pub async fn append(
        &self,
        stream: &str,
        expected_version: i64,
        events: Vec<NewEvent>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.append_many(vec![(stream.to_string(), expected_version, events)])
            .await
    }

    /// Appends to several streams in one transaction: all or nothing. Entries
    /// are applied in order (a stream may appear twice; the second expected
    /// version then counts the first entry's events). Any conflict refuses
    /// the whole batch.
    pub async fn append_many(&self, batch: Vec<(String, i64, Vec<NewEvent>)>) -> Result<Vec<StoredEvent>, StoreError> {
        let entries: Vec<Entry> = batch
            .into_iter()
            .map(|(stream, expected, events)| Entry {
                stream,
                expected: Some(expected),
                events,
            })
            .collect();
        for e in &entries {
            validate(e)?;
        }
        if entries.iter().all(|e| e.events.is_empty()) {
            // Nothing to write, but still honour the version checks.
            for e in &entries {
                let actual = self.stream_version(&e.stream).await?;
                if let Some(expected) = e.expected
                    && expected != actual
                {
                    return Err(StoreError::Conflict {
                        stream: e.stream.clone(),
                        expected,
                        actual,
                    });
                }
            }
            return Ok(Vec::new());
        }
        dispatch!(self.append_entries(entries, None))
    }

    /// Events with `seq > after_seq`, in seq order, at most `limit` of them
    /// (none if `limit <= 0`).
    pub async fn read_all(&self, after_seq: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        if limit <= 0 {
            return Ok(Vec::new());
        }
        dispatch!(self.read_all(after_seq, limit))
    }

    /// All events of one stream, in version order.
    pub async fn read_stream(&self, stream: &str) -> Result<Vec<StoredEvent>, StoreError> {
        dispatch!(self.read_stream(stream))
    }

    /// Every event of the streams whose names start with `prefix` (such as `policy/`), in seq
    /// order: the streams of one kind, without reading the rest of the log. SQLite walks the
    /// `(stream, stream_version)` index over the prefix's range; PostgreSQL tests each stream
    /// name with `starts_with`, which holds under any database collation (a range of the
    /// column's collation would not: most collations do not sort by bytes).
    ///
    /// The prefix must end in an ASCII character other than DEL (every stream prefix Guohe
    /// uses ends in `/`), so that the range has a simple upper bound.
    pub async fn read_streams_with_prefix(&self, prefix: &str) -> Result<Vec<StoredEvent>, StoreError> {
        check_text("stream prefix", prefix)?;
        let Some(end) = prefix_end(prefix) else {
            return Err(StoreError::InvalidInput {
                reason: format!("stream prefix {prefix:?} does not end in an ASCII character other than DEL"),
            });
        };
        dispatch!(self.read_streams_with_prefix(prefix, &end))
    }

    /// Current version of `stream` (0 if it has no events).
    pub async fn stream_version(&self, stream: &str) -> Result<i64, StoreError> {
        dispatch!(self.stream_version(stream))
    }

    /// Sequence number and hash of the last event, `None` for an empty log.
    pub async fn head(&self) -> Result<Option<(i64, String)>, StoreError> {
        let (seq, hash) = dispatch!(self.chain_head())?;
        Ok((seq > 0).then_some((seq, hash)))
    }

    /// Feeds every event with `seq > after_seq` to `f`, in seq order, as one
    /// streamed query (rows are decoded while the database produces the next
    /// ones), for rebuilding state. Stops at the first error from `f`.
    /// Returns the number of events delivered. Events appended while the scan
    /// runs may or may not be included, but none before the last delivered
    /// one is ever skipped.
    pub async fn for_each<F, E>(&self, after_seq: i64, mut f: F) -> Result<u64, E>
    where
        F: FnMut(StoredEvent) -> Result<(), E>,
        E: From<StoreError>,
    {
        match &self.backend {
            Backend::Sqlite(b) => b.scan(after_seq, &mut f).await,
            Backend::Postgres(b) => b.scan(after_seq, &mut f).await,
        }
    }

    /// Verifies the whole log (in one consistent snapshot): seq gapless from
    /// 1, every hash recomputed, every `prev_hash` link, stream versions
    /// gapless, and the chain head agreeing with the last record.
    pub async fn verify(&self) -> Result<VerifyReport, StoreError> {
        dispatch!(self.verify())
    }

    /// Stores the holiday schedule CSV for `year` (replacing any earlier one)
    /// and, in the same transaction, appends a `HolidayScheduleLoaded` event
    /// to stream `calendar/<year>` carrying the full CSV text and its SM3
    /// digest, so every load is audited and chained. The business date is
    /// today in China Standard Time (UTC+8). Returns the audit event.
    pub async fn put_holiday_schedule(
        &self,
        year: i32,
        csv_text: &str,
        loaded_by: &str,
    ) -> Result<StoredEvent, StoreError> {
        let today = match FixedOffset::east_opt(8 * 3600) {
            Some(cst) => Utc::now().with_timezone(&cst).date_naive(),
            None => Utc::now().date_naive(),
        };
        self.put_holiday_schedule_on(year, csv_text, loaded_by, today).await
    }

    /// As [`EventLog::put_holiday_schedule`], with an explicit business date
    /// (for simulated clocks).
    pub async fn put_holiday_schedule_on(
        &self,
        year: i32,
        csv_text: &str,
        loaded_by: &str,
        occurred_on: NaiveDate,
    ) -> Result<StoredEvent, StoreError> {
        if !(1900..=9999).contains(&year) {
            return Err(StoreError::InvalidInput {
                reason: format!("year {year} is out of range"),
            });
        }
        if csv_text.contains('\0') {
            return Err(StoreError::InvalidInput {
                reason: "holiday schedule must not contain NUL characters".into(),
            });
        }
        let stream = format!("{CALENDAR_STREAM_PREFIX}{year}");
        let entry = Entry {
            stream: stream.clone(),
            expected: None,
            events: vec![NewEvent {
                stream,
                kind: HOLIDAY_SCHEDULE_LOADED.to_string(),
                actor: loaded_by.to_string(),
                occurred_on,
                articles: Vec::new(),
                payload: serde_json::json!({
                    "year": year,
                    "csv": csv_text,
                    "sm3": sm3_hex(csv_text.as_bytes()),
                }),
            }],
        };
        validate(&entry)?;
        let holiday = HolidayWrite {
            year,
            csv_text: csv_text.to_string(),
            loaded_by: loaded_by.to_string(),
        };
        let mut stored = dispatch!(self.append_entries(vec![entry], Some(holiday)))?;
        stored.pop().ok_or(StoreError::InvalidInput {
            reason: "holiday schedule event was not stored".into(),
        })
    }

    /// All stored holiday schedules as `(year, csv_text)`, by year.
    pub async fn holiday_schedules(&self) -> Result<Vec<(i32, String)>, StoreError> {
        dispatch!(self.holiday_schedules())
    }
}

/// A holiday-schedule row written together with its audit event.
pub(crate) struct HolidayWrite {
    pub year: i32,
    pub csv_text: String,
    pub loaded_by: String,
}
