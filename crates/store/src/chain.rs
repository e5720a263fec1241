//! Where an append's events land in the chain: their seqs and stream versions, the text
//! columns stored as they were hashed, and their hashes.
//!
//! Each event's hash covers the one before, but the predecessor's hash is the last field of an
//! event's encoding, and SM3 reads its input front to back. So each event's payload text and the
//! SM3 state over everything before that last field ([`HashPrefix`]) are computed in one pass,
//! and the chaining pass only feeds each state the 72 bytes of its predecessor's hash and SM3's
//! padding. The encoding is never built as one buffer, and the payload's canonical JSON is
//! computed once, for the hash and the row alike.
//!
//! Sharing the first pass with a second thread was measured slower on the 2-core machines this
//! runs on: for 100 events, handing half to `rayon` or to a scoped thread cost more (about 50
//! and 150 µs) than the half it took off the caller.

use chrono::{DateTime, Utc};

use crate::hash::{self, HashPrefix, canonical_json, format_recorded_at};
use crate::{Entry, StoredEvent};

/// Events chained and ready to insert: the stored events and, per event, the text columns
/// exactly as they were hashed (computed once, for the hash and the row alike).
pub(crate) struct Chained {
    pub events: Vec<StoredEvent>,
    /// Canonical JSON of each event's payload.
    pub payloads: Vec<String>,
    /// JSON text of each event's articles.
    pub articles: Vec<String>,
    /// The recording time shared by the whole append, formatted as hashed.
    pub recorded_at: String,
}

/// Assigns seq/version/hashes to the entries, given the chain head and each entry's starting
/// stream version. Used by both backends.
pub(crate) fn chain_events(head_seq: i64, head_hash: &str, entries: Vec<(Entry, i64)>) -> Chained {
    let mut chained = sequence_events(head_seq, entries, EventTexts::default());
    let recorded_at = chained.recorded_at.as_str();
    let mut prefixes = Vec::with_capacity(chained.events.len());
    for ev in &chained.events {
        let payload = canonical_json(&ev.payload);
        prefixes.push(HashPrefix::of(&ev.hash_input(), &payload, recorded_at));
        chained.payloads.push(payload);
        chained.articles.push(hash::articles_json(&ev.articles));
    }
    finish_chain(&mut chained.events, prefixes, head_hash);
    chained
}

/// The text columns of an append that do not depend on where it lands in the chain: each
/// event's canonical payload and its articles, in order. A backend can encode them while the
/// database is still answering for the chain head.
#[derive(Default)]
pub(crate) struct EventTexts {
    payloads: Vec<String>,
    articles: Vec<String>,
}

impl EventTexts {
    pub(crate) fn of<'a>(entries: impl Iterator<Item = &'a Entry>) -> Self {
        let mut texts = EventTexts::default();
        for ev in entries.flat_map(|e| e.events.iter()) {
            texts.payloads.push(canonical_json(&ev.payload));
            texts.articles.push(hash::articles_json(&ev.articles));
        }
        texts
    }
}

/// Gives the entries their seqs after `head_seq` and their stream versions, recorded now; the
/// hashes are left to [`hash_chain`], which a backend may run a part at a time.
pub(crate) fn sequence_events(head_seq: i64, entries: Vec<(Entry, i64)>, texts: EventTexts) -> Chained {
    let recorded_at = now_micros();
    let n: usize = entries.iter().map(|(e, _)| e.events.len()).sum();
    let mut events = Vec::with_capacity(n);
    let mut seq = head_seq;
    for (entry, start_version) in entries {
        for (version, ev) in (start_version + 1..).zip(entry.events) {
            seq += 1;
            events.push(StoredEvent {
                seq,
                stream: ev.stream,
                stream_version: version,
                kind: ev.kind,
                actor: ev.actor,
                occurred_on: ev.occurred_on,
                recorded_at,
                articles: ev.articles,
                payload: ev.payload,
                prev_hash: String::new(),
                hash: String::new(),
            });
        }
    }
    Chained {
        events,
        payloads: texts.payloads,
        articles: texts.articles,
        recorded_at: format_recorded_at(recorded_at),
    }
}

/// Chains `events` (consecutive, as [`sequence_events`] left them) onto `prev`, the hash of
/// the event before the first: each gets its predecessor's hash and its own. `payloads` are
/// their canonical payloads, in the same order.
pub(crate) fn hash_chain(events: &mut [StoredEvent], payloads: &[String], recorded_at: &str, prev: &str) {
    let prefixes: Vec<HashPrefix> = events
        .iter()
        .zip(payloads)
        .map(|(ev, payload)| HashPrefix::of(&ev.hash_input(), payload, recorded_at))
        .collect();
    finish_chain(events, prefixes, prev);
}

/// The sequential pass: each event's hash from its prefix and its predecessor's hash.
fn finish_chain(events: &mut [StoredEvent], prefixes: Vec<HashPrefix>, prev: &str) {
    let mut prev = prev.to_string();
    for (ev, prefix) in events.iter_mut().zip(prefixes) {
        ev.hash = prefix.finish(&prev);
        ev.prev_hash = std::mem::replace(&mut prev, ev.hash.clone());
    }
}

/// Current time truncated to microseconds (the stored precision).
fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use serde_json::json;

    use super::*;
    use crate::NewEvent;

    fn entry(stream: &str, n: usize) -> Entry {
        let events = (0..n)
            .map(|i| NewEvent {
                stream: stream.to_string(),
                kind: "ExpertReviewScored".into(),
                actor: "dept:zhang".into(),
                occurred_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default(),
                articles: vec!["hubei-2022:28.1".into(), format!("hubei-2022:{i}")],
                payload: json!({"i": i, "comment": "合作基础扎实\n", "z": {"b": 1, "a": [i]}}),
            })
            .collect();
        Entry {
            stream: stream.to_string(),
            expected: Some(0),
            events,
        }
    }

    /// Whatever the batch's size (and so wherever SM3's blocks fall), every event is chained onto
    /// the one before and hashed over its whole encoding, and the stored texts are the ones
    /// hashed; hashed a chunk at a time, as SQLite's locking path does, the chain is the same.
    #[test]
    fn every_batch_size_chains_as_the_whole_encoding_hashes() {
        for n in [1, 2, 3, 15, 16, 17, 100, 257] {
            let head = hash::sm3_hex(b"the head");
            let chained = chain_events(41, &head, vec![(entry("application/a", n), 3)]);
            assert_eq!(chained.events.len(), n);
            assert_eq!(chained.payloads.len(), n);
            assert_eq!(chained.articles.len(), n);
            let mut prev = head.clone();
            for (i, ev) in chained.events.iter().enumerate() {
                assert_eq!(ev.seq, 42 + i as i64, "batch of {n}");
                assert_eq!(ev.stream_version, 4 + i as i64, "batch of {n}");
                assert_eq!(ev.prev_hash, prev, "batch of {n}, event {i}");
                assert_eq!(ev.hash, ev.compute_hash(), "batch of {n}, event {i}");
                assert_eq!(chained.payloads[i], canonical_json(&ev.payload));
                assert_eq!(
                    chained.articles[i],
                    serde_json::to_string(&ev.articles).unwrap_or_default()
                );
                prev = ev.hash.clone();
            }

            // The same events hashed a chunk at a time, as SQLite's locking path does.
            let texts = EventTexts::of([entry("application/a", n)].iter());
            let mut again = sequence_events(41, vec![(entry("application/a", n), 3)], texts);
            let split = n / 3;
            let (first, second) = again.events.split_at_mut(split);
            hash_chain(first, &again.payloads, &again.recorded_at, &head);
            let prev = first.last().map_or(head.clone(), |ev| ev.hash.clone());
            hash_chain(second, &again.payloads[split..], &again.recorded_at, &prev);
            for ev in &again.events {
                assert_eq!(ev.hash, ev.compute_hash(), "batch of {n} in chunks");
            }
        }
    }
}
