//! 页面缓存 — the rendered bytes of public register answers (`/bases` for visitors who are not
//! signed in, `/bases.csv`, `/api/v1/bases`), reused while nothing changed.
//!
//! An answer depends only on the request (path, query, language), the events folded into the
//! world and the business date, so it is kept under the request and stamped with the seq of the
//! last event folded in and the date: the first request after any new event or on a new day
//! empties the cache. The cache is bounded (entries, bytes, and the size of one answer), and a
//! full cache is emptied rather than managed: the register view makes a miss cheap anyway.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use chrono::NaiveDate;

/// Answers kept at most.
const MAX_ENTRIES: usize = 1024;
/// Bytes kept at most, all answers together.
const MAX_BYTES: usize = 64 << 20;
/// A larger answer (a CSV of the whole register) is not kept.
const MAX_ENTRY_BYTES: usize = 1 << 20;

/// What an answer was computed from: the last event folded in and the business date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Seq of the last event folded into the world.
    pub seq: i64,
    /// Business date.
    pub today: NaiveDate,
}

#[derive(Default)]
struct Entries {
    stamp: Option<Stamp>,
    answers: HashMap<String, Bytes>,
    bytes: usize,
}

/// Rendered answers by request, for one [`Stamp`] at a time.
#[derive(Default)]
pub struct PageCache {
    entries: Mutex<Entries>,
}

impl PageCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        match self.entries.lock() {
            Ok(g) => g,
            // A panic while holding the lock left at worst a half-updated map of answers that
            // were all correct: start over.
            Err(poisoned) => {
                let mut g = poisoned.into_inner();
                *g = Entries::default();
                g
            }
        }
    }

    /// The answer kept for `key`, if it was computed at `stamp`.
    pub fn get(&self, stamp: Stamp, key: &str) -> Option<Bytes> {
        let e = self.lock();
        if e.stamp != Some(stamp) {
            return None;
        }
        e.answers.get(key).cloned()
    }

    /// Keeps an answer computed at `stamp` (answers of any other stamp are dropped).
    pub fn put(&self, stamp: Stamp, key: String, body: Bytes) {
        if body.len() > MAX_ENTRY_BYTES {
            return;
        }
        let mut e = self.lock();
        // A slow answer computed before the latest event must not push the newer ones out.
        if e.stamp.is_some_and(|s| s.seq > stamp.seq) {
            return;
        }
        if e.stamp != Some(stamp) || e.answers.len() >= MAX_ENTRIES || e.bytes + body.len() > MAX_BYTES {
            *e = Entries {
                stamp: Some(stamp),
                ..Entries::default()
            };
        }
        e.bytes += body.len();
        if let Some(old) = e.answers.insert(key, body) {
            e.bytes -= old.len();
        }
    }

    /// How many answers are kept.
    pub fn len(&self) -> usize {
        self.lock().answers.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(seq: i64) -> Stamp {
        Stamp {
            seq,
            today: "2026-11-20".parse().unwrap(),
        }
    }

    #[test]
    fn an_answer_is_reused_only_at_its_stamp() {
        let c = PageCache::default();
        c.put(stamp(5), "/bases".into(), Bytes::from_static(b"five"));
        assert_eq!(c.get(stamp(5), "/bases").as_deref(), Some(&b"five"[..]));
        assert_eq!(c.get(stamp(5), "/bases?page=2"), None);
        assert_eq!(c.get(stamp(6), "/bases"), None, "a new event makes it stale");
        let tomorrow = Stamp {
            today: "2026-11-21".parse().unwrap(),
            ..stamp(5)
        };
        assert_eq!(c.get(tomorrow, "/bases"), None, "a new day makes it stale");
        c.put(stamp(6), "/bases".into(), Bytes::from_static(b"six"));
        assert_eq!(c.get(stamp(5), "/bases"), None);
        assert_eq!(c.get(stamp(6), "/bases").as_deref(), Some(&b"six"[..]));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let c = PageCache::default();
        for i in 0..MAX_ENTRIES * 2 {
            c.put(stamp(1), format!("/bases?page={i}"), Bytes::from_static(b"x"));
            assert!(c.len() <= MAX_ENTRIES);
        }
        c.put(stamp(1), "big".into(), Bytes::from(vec![0u8; MAX_ENTRY_BYTES + 1]));
        assert_eq!(c.get(stamp(1), "big"), None);
    }
}
