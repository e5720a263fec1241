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

use sqlx::{PgPool, Row};

use super::bind_rows;
use crate::known_head::{Tried, expected_start, unchain};
use crate::{Entry, StoreError, chain_events, check_versions, versions_per_entry};

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
