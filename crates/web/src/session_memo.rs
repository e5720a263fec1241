//! 会话暂存 — signed-in sessions as loaded from the account tables, kept for a moment so that a
//! burst of page reads by one person costs the database nothing.
//!
//! Loading a session reads the security settings, the session, the account and the second-factor
//! state: four queries before the page itself. A reading (GET or HEAD) may reuse what was loaded
//! for the same session id within [`TTL`]; anything else is loaded afresh and empties the memo
//! before and after it runs, so that on this server a sign-out, a lock, a deactivation, a new
//! security policy or a password change is in force for the very next request.
//!
//! Interpretation: a change made elsewhere (another server on the same PostgreSQL, or the command
//! line) reaches this server's reads within [`TTL`], the same bound as events from other servers.
//! A load that began before a write finished is not kept: every emptying moves a generation, and an
//! answer is kept only if the generation did not move while it was being loaded.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::security::Signed;

/// How long a loaded session is reused by readings.
pub const TTL: Duration = Duration::from_secs(1);
/// Sessions kept at most; a full memo is emptied rather than managed.
const MAX_ENTRIES: usize = 4096;

/// What was loaded for a session id, and when: `None` when it named no live session.
type Entries = HashMap<String, (Instant, Option<Arc<Signed>>)>;

/// The memo: one loaded session per session id.
#[derive(Default)]
pub struct SessionMemo {
    generation: AtomicU64,
    entries: Mutex<Entries>,
}

impl std::fmt::Debug for SessionMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionMemo")
            .field("generation", &self.generation.load(Ordering::Relaxed))
            .finish()
    }
}

impl SessionMemo {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves at worst a half-updated map: start over.
        self.entries.lock().unwrap_or_else(|poisoned| {
            let mut g = poisoned.into_inner();
            g.clear();
            g
        })
    }

    /// The generation to hand back to [`SessionMemo::keep`] after loading.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// What was loaded for `sid` within `ttl`, if anything: `Some(None)` remembers that the id
    /// named no live session.
    pub fn get(&self, sid: &str, ttl: Duration) -> Option<Option<Arc<Signed>>> {
        let entries = self.lock();
        let (at, signed) = entries.get(sid)?;
        (at.elapsed() < ttl).then(|| signed.clone())
    }

    /// Keeps what was loaded for `sid`, unless the memo was emptied since `generation` was read.
    pub fn keep(&self, sid: &str, generation: u64, signed: Option<Arc<Signed>>) {
        let mut entries = self.lock();
        // Compared under the lock: `forget_all` moves the generation under it too.
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(sid.to_string(), (Instant::now(), signed));
    }

    /// Empties the memo: a write may have changed any account, session or setting.
    pub fn forget_all(&self) {
        let mut entries = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::Principal;
    use guohe_store::AccountRole;

    fn signed(id: &str) -> Arc<Signed> {
        Arc::new(Signed {
            id: id.into(),
            principal: Principal {
                account: "dept-admin".into(),
                display_name: "处长".into(),
                role: AccountRole::Department,
                org: None,
                jurisdiction: Default::default(),
                province: "43".into(),
                policies: vec!["hunan-2026".into()],
                must_change_password: false,
            },
            csrf: "c".repeat(64),
            must_enrol: false,
        })
    }

    #[test]
    fn a_kept_session_is_reused_within_the_ttl_and_not_after() {
        let memo = SessionMemo::default();
        let g = memo.generation();
        memo.keep("s1", g, Some(signed("s1")));
        let hit = memo.get("s1", TTL).expect("kept");
        assert_eq!(hit.expect("signed in").id, "s1");
        assert!(memo.get("s2", TTL).is_none(), "another id is not answered");
        assert!(
            memo.get("s1", Duration::ZERO).is_none(),
            "an entry older than the ttl is not reused"
        );
    }

    #[test]
    fn an_unknown_id_is_remembered_as_none() {
        let memo = SessionMemo::default();
        memo.keep("gone", memo.generation(), None);
        assert!(matches!(memo.get("gone", TTL), Some(None)));
    }

    #[test]
    fn forgetting_empties_and_refuses_loads_that_began_before() {
        let memo = SessionMemo::default();
        let before = memo.generation();
        memo.keep("s1", before, Some(signed("s1")));
        memo.forget_all();
        assert!(memo.get("s1", TTL).is_none(), "emptied");
        // A load that started before the write finished must not put back what it read.
        memo.keep("s1", before, Some(signed("s1")));
        assert!(memo.get("s1", TTL).is_none(), "a stale load is not kept");
        memo.keep("s1", memo.generation(), Some(signed("s1")));
        assert!(memo.get("s1", TTL).is_some(), "a load after the write is kept");
    }

    #[test]
    fn a_full_memo_starts_over() {
        let memo = SessionMemo::default();
        let g = memo.generation();
        for i in 0..MAX_ENTRIES {
            memo.keep(&format!("s{i}"), g, None);
        }
        memo.keep("last", g, None);
        assert!(memo.get("s0", TTL).is_none());
        assert!(memo.get("last", TTL).is_some());
    }
}
