//! An append chained onto the head this process last saw committed, in one request.
//!
//! The events are hashed before anything is sent, against the remembered head, and one
//! statement, committed on its own, moves the head row only if it still holds that seq and
//! hash and every stream is at the version the caller expects; the events are inserted only if
//! the head moved. Updating the head row takes the same row lock as the locking path's
//! `SELECT … FOR UPDATE`, so writers stay serialised across servers, and PostgreSQL checks the
//! condition again on the newest committed row after any wait for that lock. When the head
//! still matches there, no event was committed since the statement's snapshot was taken (every
//! append moves the head, whose seq only grows), so the versions that snapshot reads are
//! current. When anything differs nothing is written, and the caller takes the locking path,
//! which reports conflicts as it always has.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::{PgPool, Row};

use super::bind_rows;
use crate::{
    Entry, NewEvent, StoreError, StoredEvent, chain_events, check_versions, distinct_streams, versions_per_entry,
};

/// The chain head as of this process's last commit, shared by the clones of a log.
#[derive(Clone, Default)]
pub(super) struct KnownHead(Arc<Mutex<Option<(i64, String)>>>);

impl KnownHead {
    /// Takes the head for one append: concurrent appends of this process find none and lock
    /// instead of all trying the same head, when at most one of them could succeed.
    pub fn take(&self) -> Option<(i64, String)> {
        self.0.lock().map(|mut h| h.take()).unwrap_or(None)
    }

    /// Remembers a head just committed. A late caller may put back an older head than a
    /// concurrent one did; the next append then finds it moved and locks, so it costs a request
    /// and never a wrong link.
    pub fn set(&self, seq: i64, hash: &str) {
        if let Ok(mut h) = self.0.lock() {
            *h = Some((seq, hash.to_string()));
        }
    }
}

/// Moves the head from `$14`/`$15` to `$12`/`$13` if every stream in `$16` is at the version in
/// `$17`, then inserts the rows (`$1`–`$11`) only if it did; says whether it did.
const APPEND_AT_HEAD: &str = "WITH moved AS ( \
     UPDATE chain_head SET seq = $12, hash = $13 \
     WHERE id = 1 AND seq = $14 AND hash = $15 \
       AND NOT EXISTS (SELECT 1 FROM unnest($16::text[], $17::bigint[]) AS s(stream, expected) \
                       WHERE COALESCE((SELECT e.stream_version FROM events e WHERE e.stream = s.stream \
                                       ORDER BY e.stream_version DESC LIMIT 1), 0) <> s.expected) \
     RETURNING 1), \
   inserted AS ( \
     INSERT INTO events (seq, stream, stream_version, kind, actor, occurred_on, \
     recorded_at, articles, payload, prev_hash, hash) \
     SELECT t.seq, t.stream, t.sv, t.kind, t.actor, t.occ, t.rec, t.arts::json, \
            t.payload::json, t.prev, t.hash \
     FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], \
                 $6::date[], $7::timestamptz[], $8::text[], $9::text[], $10::text[], \
                 $11::text[]) \
          AS t(seq, stream, sv, kind, actor, occ, rec, arts, payload, prev, hash) \
     WHERE EXISTS (SELECT 1 FROM moved)) \
   SELECT EXISTS (SELECT 1 FROM moved)";

/// What a try at the known head came to.
pub(super) enum Tried {
    Written(Vec<StoredEvent>),
    /// Nothing was written; the entries are handed back, unchanged, for the locking path.
    NotWritten(Vec<Entry>),
}

/// Each distinct stream with the version the entries expect it to be at before the append,
/// or `None` when an entry checks no version or the entries disagree among themselves (the
/// locking path then says which entry conflicts, with the stored version).
fn expected_start(entries: &[Entry]) -> Option<(Vec<String>, Vec<i64>)> {
    let mut running: HashMap<&str, i64> = HashMap::new();
    let mut start: HashMap<&str, i64> = HashMap::new();
    for e in entries {
        let expected = e.expected?;
        match running.get(e.stream.as_str()) {
            Some(&v) if v != expected => return None,
            Some(_) => {}
            None => {
                start.insert(&e.stream, expected);
            }
        }
        running.insert(&e.stream, expected + e.events.len() as i64);
    }
    let streams = distinct_streams(entries);
    let versions = streams
        .iter()
        .map(|s| start.get(s.as_str()).copied().unwrap_or(0))
        .collect();
    Some((streams, versions))
}

/// Appends `entries` after the head `(seq, hash)` in one statement, if nothing has moved.
pub(super) async fn try_append(pool: &PgPool, head: (i64, String), entries: Vec<Entry>) -> Result<Tried, StoreError> {
    let Some((streams, versions)) = expected_start(&entries) else {
        return Ok(Tried::NotWritten(entries));
    };
    let shape: Vec<(String, Option<i64>, usize)> = entries
        .iter()
        .map(|e| (e.stream.clone(), e.expected, e.events.len()))
        .collect();
    let per_entry = versions_per_entry(&entries, &streams, &versions);
    let checked = check_versions(entries, &per_entry)?;
    let chained = chain_events(head.0, &head.1, checked);
    let Some(last) = chained.events.last() else {
        return Ok(Tried::NotWritten(unchain(shape, chained.events)));
    };
    let outcome = bind_rows(sqlx::query(APPEND_AT_HEAD), &chained)
        .bind(last.seq)
        .bind(&last.hash)
        .bind(head.0)
        .bind(&head.1)
        .bind(&streams)
        .bind(&versions)
        .fetch_one(pool)
        .await
        .and_then(|row| row.try_get::<bool, _>(0));
    match outcome {
        Ok(true) => Ok(Tried::Written(chained.events)),
        // The unique index can only fire here if rows lie beyond the head; the locking path
        // meets them too and reports them as it always has.
        Ok(false) => Ok(Tried::NotWritten(unchain(shape, chained.events))),
        Err(e) if crate::error::is_unique_violation(&e) || moved_under_snapshot(&e) => {
            Ok(Tried::NotWritten(unchain(shape, chained.events)))
        }
        Err(e) => Err(e.into()),
    }
}

/// `true` for a serialization failure: a server whose default isolation is stricter than READ
/// COMMITTED refuses the head's UPDATE when another writer moved the head meanwhile, where
/// READ COMMITTED would re-check it and update nothing. Either way nothing was written.
fn moved_under_snapshot(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|db| db.code())
        .is_some_and(|code| code == "40001")
}

/// The entries again, from the events chained out of them.
fn unchain(shape: Vec<(String, Option<i64>, usize)>, events: Vec<StoredEvent>) -> Vec<Entry> {
    let mut events = events.into_iter();
    shape
        .into_iter()
        .map(|(stream, expected, n)| Entry {
            stream,
            expected,
            events: events
                .by_ref()
                .take(n)
                .map(|e| NewEvent {
                    stream: e.stream,
                    kind: e.kind,
                    actor: e.actor,
                    occurred_on: e.occurred_on,
                    articles: e.articles,
                    payload: e.payload,
                })
                .collect(),
        })
        .collect()
}
