//! Replay: reading the whole log fast enough to rebuild state from a million events in seconds.
//!
//! Row-by-row reads cost about ten microseconds an event in the database driver, mostly moving
//! each row across threads. Replay instead reads ranges of 10,000 events as one text
//! ([`crate::range`]; sequence numbers are gapless, so ranges need no look-ahead): SQLite's rows
//! stepped through on the connection's own handle ([`crate::sqlite::range_rows`]), PostgreSQL's
//! aggregated into one JSON array. It fetches
//! the next range while the caller folds the current one, and hands out borrowed fields without
//! hashes or recorded times — verification reads those, replay does not need them.

use std::borrow::Cow;

use chrono::NaiveDate;
use tokio::task::JoinHandle;

use crate::range::{POSTGRES_RANGE, RangeText, Row, parse_date};
use crate::{Backend, EventLog, StoreError};

/// Events per range.
const RANGE: i64 = 10_000;

/// One event as replay reads it.
#[derive(Debug)]
pub struct ReplayEvent<'a> {
    /// Global sequence number.
    pub seq: i64,
    /// The case.
    pub stream: &'a str,
    /// Event type name.
    pub kind: &'a str,
    /// Who.
    pub actor: &'a str,
    /// Business date.
    pub occurred_on: NaiveDate,
    /// Citations, machine form.
    pub articles: &'a [Cow<'a, str>],
    /// The payload as stored (JSON text), not parsed here: the caller's decoder parses it, and
    /// refuses it if it is not JSON.
    pub payload: &'a str,
}

fn gap(last: i64, seq: i64) -> StoreError {
    StoreError::Corrupt {
        seq: last + 1,
        detail: format!("expected event {} during replay, found {seq}", last + 1),
    }
}

fn unreadable(last: i64, e: &str) -> StoreError {
    StoreError::Corrupt {
        seq: last + 1,
        detail: format!("replay range unreadable: {e}"),
    }
}

fn event<'a>(row: &'a Row<'a>) -> Result<ReplayEvent<'a>, StoreError> {
    let occurred_on = parse_date(&row.occurred_on).map_err(|e| StoreError::Corrupt {
        seq: row.seq,
        detail: format!("occurred_on {:?}: {e}", row.occurred_on),
    })?;
    Ok(ReplayEvent {
        seq: row.seq,
        stream: &row.stream,
        kind: &row.kind,
        actor: &row.actor,
        occurred_on,
        articles: &row.articles,
        payload: row.payload,
    })
}

/// A range being read: its text, or `None` when it holds no rows.
type Reading = JoinHandle<Result<Option<RangeText>, StoreError>>;

/// The ranges of a replay, each fetched while the caller works on the one before.
struct Ranges {
    log: EventLog,
    /// The last seq asked for so far.
    asked: i64,
    head: i64,
    /// The seq just before the range being read, and its reading.
    pending: Option<(i64, Reading)>,
}

impl Ranges {
    fn new(log: &EventLog, after_seq: i64, head: i64) -> Ranges {
        let mut r = Ranges {
            log: log.clone(),
            asked: after_seq,
            head,
            pending: None,
        };
        r.ask();
        r
    }

    fn ask(&mut self) {
        if self.asked < self.head {
            let (from, upto) = (self.asked, (self.asked + RANGE).min(self.head));
            let log = self.log.clone();
            self.pending = Some((from, tokio::spawn(async move { log.range_text(from, upto).await })));
            self.asked = upto;
        }
    }

    /// The next range's text (`Some(None)` for a range without rows), or `None` at the end.
    async fn next(&mut self) -> Result<Option<Option<RangeText>>, StoreError> {
        let Some((from, task)) = self.pending.take() else {
            return Ok(None);
        };
        let text = task.await.map_err(|e| StoreError::Corrupt {
            seq: from + 1,
            detail: format!("read task failed: {e}"),
        })??;
        self.ask();
        Ok(Some(text))
    }
}

impl EventLog {
    async fn range_text(&self, after: i64, upto: i64) -> Result<Option<RangeText>, StoreError> {
        Ok(match &self.backend {
            Backend::Sqlite(b) => {
                let mut conn = b.pool().acquire().await?;
                let mut locked = conn.lock_handle().await?;
                // SAFETY: `locked` keeps sqlx's worker off the handle until it is dropped, after
                // the call.
                unsafe { crate::sqlite::range_rows::framed_range(locked.as_raw_handle(), after, upto) }?
                    .map(RangeText::Framed)
            }
            Backend::Postgres(b) => sqlx::query_scalar::<_, Option<String>>(POSTGRES_RANGE)
                .bind(after)
                .bind(upto)
                .fetch_one(b.pool())
                .await?
                .map(RangeText::Json),
        })
    }

    async fn head_seq(&self) -> Result<Option<i64>, StoreError> {
        Ok(self.head().await?.map(|(seq, _)| seq))
    }

    /// Calls `f` on every event after `after_seq`, in order, up to the chain head as it stood
    /// when the call began; returns the last sequence number delivered (or `after_seq`).
    pub async fn replay<F, E>(&self, after_seq: i64, mut f: F) -> Result<i64, E>
    where
        F: FnMut(ReplayEvent<'_>) -> Result<(), E>,
        E: From<StoreError>,
    {
        let Some(head) = self.head_seq().await? else {
            return Ok(after_seq);
        };
        let mut ranges = Ranges::new(self, after_seq, head);
        let mut last = after_seq;
        while let Some(text) = ranges.next().await? {
            let Some(text) = text else { continue };
            let rows = text.rows().map_err(|e| unreadable(last, &e))?;
            for row in &rows {
                if row.seq != last + 1 {
                    return Err(gap(last, row.seq).into());
                }
                f(event(row)?)?;
                last = row.seq;
            }
        }
        Ok(last)
    }
}
