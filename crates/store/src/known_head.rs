//! The chain head this process last committed, remembered so that an append can be hashed
//! against it before the database is asked: each backend then writes the events in one go on
//! condition that the head and every stream's version are still what it assumed, and falls back
//! to reading them under its lock when they are not (`postgres::known_head`, `sqlite::append`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::{Entry, NewEvent, StoredEvent, distinct_streams};

/// The chain head as of this process's last commit, shared by the clones of a log.
#[derive(Clone, Default)]
pub(crate) struct KnownHead(Arc<Mutex<Option<(i64, String)>>>);

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

/// What a try at the known head came to.
pub(crate) enum Tried {
    Written(Vec<StoredEvent>),
    /// Nothing was written; the entries are handed back, unchanged, for the locking path.
    NotWritten(Vec<Entry>),
}

/// Each distinct stream with the version the entries expect it to be at before the append,
/// or `None` when an entry checks no version or the entries disagree among themselves (the
/// locking path then says which entry conflicts, with the stored version).
pub(crate) fn expected_start(entries: &[Entry]) -> Option<(Vec<String>, Vec<i64>)> {
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

/// The entries again, from the events chained out of them.
pub(crate) fn unchain(shape: Vec<(String, Option<i64>, usize)>, events: Vec<StoredEvent>) -> Vec<Entry> {
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
