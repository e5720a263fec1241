//! Replay: reading the whole log fast enough to rebuild state from a million events in seconds.
//!
//! Row-by-row reads cost about ten microseconds an event in the database driver, mostly moving
//! each row across threads. Replay instead asks the database for ranges of 10,000 events as one
//! JSON array (sequence numbers are gapless, so ranges need no look-ahead), fetches the next range
//! while the caller folds the current one, and hands out borrowed fields without hashes or
//! recorded times — verification reads those, replay does not need them.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::value::RawValue;

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
    /// The payload as JSON text.
    pub payload: &'a RawValue,
}

#[derive(Deserialize)]
struct Row<'a>(
    i64,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Vec<Cow<'a, str>>,
    #[serde(borrow)] &'a RawValue,
);

const SQLITE_RANGE: &str = "SELECT json_group_array(json_array(seq, stream, kind, actor, occurred_on, json(articles), \
     json(payload))) FROM (SELECT seq, stream, kind, actor, occurred_on, articles, payload FROM events \
     WHERE seq > ?1 AND seq <= ?2 ORDER BY seq)";

const POSTGRES_RANGE: &str = "SELECT (json_agg(json_build_array(seq, stream, kind, actor, occurred_on, articles, payload) \
     ORDER BY seq))::text FROM events WHERE seq > $1 AND seq <= $2";

impl EventLog {
    async fn range_json(&self, after: i64, upto: i64) -> Result<Option<String>, StoreError> {
        Ok(match &self.backend {
            Backend::Sqlite(b) => {
                sqlx::query_scalar::<_, Option<String>>(SQLITE_RANGE)
                    .bind(after)
                    .bind(upto)
                    .fetch_one(b.pool())
                    .await?
            }
            Backend::Postgres(b) => {
                sqlx::query_scalar::<_, Option<String>>(POSTGRES_RANGE)
                    .bind(after)
                    .bind(upto)
                    .fetch_one(b.pool())
                    .await?
            }
        })
    }

    /// Calls `f` on every event after `after_seq`, in order, up to the chain head as it stood
    /// when the call began; returns the last sequence number delivered (or `after_seq`).
    pub async fn replay<F, E>(&self, after_seq: i64, mut f: F) -> Result<i64, E>
    where
        F: FnMut(ReplayEvent<'_>) -> Result<(), E>,
        E: From<StoreError>,
    {
        let head = match self.head().await.map_err(E::from)? {
            Some((seq, _)) => seq,
            None => return Ok(after_seq),
        };
        let mut from = after_seq;
        let mut last = after_seq;
        let mut pending = (from < head).then(|| {
            let log = self.clone();
            let upto = (from + RANGE).min(head);
            tokio::spawn(async move { log.range_json(from, upto).await })
        });
        while let Some(task) = pending.take() {
            let text = task
                .await
                .map_err(|e| {
                    E::from(StoreError::Corrupt {
                        seq: from + 1,
                        detail: format!("read task failed: {e}"),
                    })
                })?
                .map_err(E::from)?;
            from = (from + RANGE).min(head);
            if from < head {
                let log = self.clone();
                let (a, b) = (from, (from + RANGE).min(head));
                pending = Some(tokio::spawn(async move { log.range_json(a, b).await }));
            }
            let Some(text) = text else { continue };
            let rows: Vec<Row<'_>> = serde_json::from_str(&text).map_err(|e| {
                E::from(StoreError::Corrupt {
                    seq: last + 1,
                    detail: format!("replay range unreadable: {e}"),
                })
            })?;
            for Row(seq, stream, kind, actor, on, articles, payload) in &rows {
                if *seq != last + 1 {
                    return Err(E::from(StoreError::Corrupt {
                        seq: last + 1,
                        detail: format!("expected event {} during replay, found {seq}", last + 1),
                    }));
                }
                let occurred_on = NaiveDate::parse_from_str(on, "%Y-%m-%d").map_err(|e| {
                    E::from(StoreError::Corrupt {
                        seq: *seq,
                        detail: format!("occurred_on {on:?}: {e}"),
                    })
                })?;
                f(ReplayEvent {
                    seq: *seq,
                    stream,
                    kind,
                    actor,
                    occurred_on,
                    articles,
                    payload,
                })?;
                last = *seq;
            }
        }
        Ok(last)
    }
}
