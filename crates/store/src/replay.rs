//! Replay: reading the whole log fast enough to rebuild state from a million events in seconds.
//!
//! Row-by-row reads cost about ten microseconds an event in the database driver, mostly moving
//! each row across threads. Replay instead asks the database for ranges of 10,000 events as one
//! text ([`crate::range`]; sequence numbers are gapless, so ranges need no look-ahead), fetches
//! the next range while the caller folds the current one, and hands out borrowed fields without
//! hashes or recorded times — verification reads those, replay does not need them.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::NaiveDate;
use tokio::task::JoinHandle;

use crate::range::{POSTGRES_RANGE, RangeText, Row, SQLITE_RANGE, parse_date};
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

/// One range turned into values by a [`EventLog::replay_decoded`] decoder, up to the first
/// failure (kept to be reported in order, once the values before it are folded in).
struct Decoded<T, E> {
    values: Vec<(i64, T)>,
    failure: Option<Failure<E>>,
}

enum Failure<E> {
    /// The range as a whole does not parse.
    Unreadable(String),
    /// The event at this seq does not read or decode.
    At(i64, E),
}

fn decode_range<T, E, D>(text: &RangeText, decode: &D) -> Decoded<T, E>
where
    E: From<StoreError>,
    D: Fn(ReplayEvent<'_>) -> Result<T, E>,
{
    let rows = match text.rows() {
        Ok(rows) => rows,
        Err(e) => {
            return Decoded {
                values: Vec::new(),
                failure: Some(Failure::Unreadable(e)),
            };
        }
    };
    let mut values = Vec::with_capacity(rows.len());
    for row in &rows {
        match event(row).map_err(E::from).and_then(decode) {
            Ok(v) => values.push((row.seq, v)),
            Err(e) => {
                return Decoded {
                    values,
                    failure: Some(Failure::At(row.seq, e)),
                };
            }
        }
    }
    Decoded { values, failure: None }
}

impl EventLog {
    async fn range_text(&self, after: i64, upto: i64) -> Result<Option<RangeText>, StoreError> {
        Ok(match &self.backend {
            Backend::Sqlite(b) => sqlx::query_scalar::<_, Option<String>>(SQLITE_RANGE)
                .bind(after)
                .bind(upto)
                .fetch_one(b.pool())
                .await?
                .map(RangeText::Framed),
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

    /// [`EventLog::replay`] on two threads: `decode` turns each event into a value on a blocking
    /// thread, a range at a time, while `apply` folds the values of the range before in order on
    /// the caller's. The checks and the errors are those of [`EventLog::replay`], reported in log
    /// order: whatever precedes a bad event is applied first, nothing after it.
    pub async fn replay_decoded<T, E, D, A>(&self, after_seq: i64, decode: D, mut apply: A) -> Result<i64, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        D: Fn(ReplayEvent<'_>) -> Result<T, E> + Send + Sync + 'static,
        A: FnMut(i64, T) -> Result<(), E>,
    {
        let Some(head) = self.head_seq().await? else {
            return Ok(after_seq);
        };
        if head - after_seq <= RANGE {
            // One range: a second thread would only add its hand-over.
            return self
                .replay(after_seq, |e| {
                    let seq = e.seq;
                    apply(seq, decode(e)?)
                })
                .await;
        }
        let decode = Arc::new(decode);
        let mut ranges = Ranges::new(self, after_seq, head);
        let start = |text: RangeText| {
            let decode = Arc::clone(&decode);
            tokio::task::spawn_blocking(move || decode_range(&text, &*decode))
        };
        let mut last = after_seq;
        let mut decoding: Option<JoinHandle<Decoded<T, E>>> = None;
        let mut read_error: Option<StoreError> = None;
        loop {
            let current = match decoding.take() {
                Some(task) => Some(task),
                None => match ranges.next().await? {
                    Some(Some(text)) => Some(start(text)),
                    Some(None) => continue,
                    None => None,
                },
            };
            let Some(current) = current else { break };
            let decoded: Decoded<T, E> = current.await.map_err(|e| {
                E::from(StoreError::Corrupt {
                    seq: last + 1,
                    detail: format!("decode task failed: {e}"),
                })
            })?;
            // The next range decodes while this one is applied. A failure to read it is
            // reported only after this range, as the one-thread replay would.
            if decoded.failure.is_none() {
                loop {
                    match ranges.next().await {
                        Ok(Some(Some(text))) => decoding = Some(start(text)),
                        Ok(Some(None)) => continue,
                        Ok(None) => {}
                        Err(e) => read_error = Some(e),
                    }
                    break;
                }
            }
            for (seq, value) in decoded.values {
                if seq != last + 1 {
                    return Err(gap(last, seq).into());
                }
                apply(seq, value)?;
                last = seq;
            }
            match decoded.failure {
                None => {}
                Some(Failure::Unreadable(e)) => return Err(unreadable(last, &e).into()),
                Some(Failure::At(seq, _)) if seq != last + 1 => return Err(gap(last, seq).into()),
                Some(Failure::At(_, e)) => return Err(e),
            }
            if let Some(e) = read_error.take() {
                return Err(e.into());
            }
        }
        Ok(last)
    }
}
