//! 统计 — the statistics, computed once per question and log position. A statistic is asked as
//! of any date, for any choice of policies, so it is not held for every question in advance as
//! the register is: the first answer to a question is kept, and given again to everyone who asks
//! it until another event is folded in. The department's statistics page, its workbook and the
//! public statistics are then one look-up each between two events, however large the register.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use crate::Guohe;
use crate::stats::{self, Scope, Stats};

/// Answers kept at most; a full memo is emptied rather than managed (a new event empties it
/// anyway).
const MAX_KEPT: usize = 64;

type Question = (Vec<String>, NaiveDate, Scope);

/// The answers kept, and the log position they hold for.
#[derive(Debug, Default)]
pub struct StatsMemo {
    seq: i64,
    kept: HashMap<Question, Arc<Stats>>,
}

impl StatsMemo {
    fn get(&self, seq: i64, q: &Question) -> Option<Arc<Stats>> {
        (self.seq == seq).then(|| self.kept.get(q).cloned()).flatten()
    }

    fn keep(&mut self, seq: i64, q: Question, s: Arc<Stats>) {
        if self.seq != seq || self.kept.len() >= MAX_KEPT {
            self.kept.clear();
            self.seq = seq;
        }
        self.kept.insert(q, s);
    }
}

fn lock(m: &Mutex<StatsMemo>) -> std::sync::MutexGuard<'_, StatsMemo> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Guohe {
    /// The statistics of the `selected` policies as of `as_of` for `scope`
    /// ([`stats::compute`]), computed at most once between two events.
    pub async fn statistics(&self, selected: &[String], as_of: NaiveDate, scope: Scope) -> Arc<Stats> {
        let question: Question = (selected.to_vec(), as_of, scope);
        let inner = self.inner.read().await;
        if let Some(s) = lock(&self.stats_memo).get(inner.last_seq, &question) {
            return s;
        }
        let s = Arc::new(stats::compute(&inner.world, self.policies(), selected, as_of, scope));
        lock(&self.stats_memo).keep(inner.last_seq, question, s.clone());
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(n: u64) -> Arc<Stats> {
        Arc::new(Stats {
            as_of: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            policies: Vec::new(),
            scope: Scope::Public,
            on_register: n,
            statistics: Vec::new(),
        })
    }

    #[test]
    fn an_answer_holds_until_the_log_moves_and_the_memo_stays_bounded() {
        let mut m = StatsMemo::default();
        let q = |d: u32| {
            (
                vec!["hunan-2026".to_string()],
                NaiveDate::from_ymd_opt(2026, 1, d).unwrap(),
                Scope::Public,
            )
        };
        m.keep(5, q(1), stats(1));
        assert_eq!(m.get(5, &q(1)).map(|s| s.on_register), Some(1));
        assert!(m.get(5, &q(2)).is_none(), "another question");
        assert!(m.get(6, &q(1)).is_none(), "another event was folded in");
        m.keep(6, q(2), stats(2));
        assert!(m.get(6, &q(1)).is_none(), "the older answers were dropped");
        for d in 1..=28 {
            for scope in [Scope::Public, Scope::Department] {
                m.keep(
                    6,
                    (vec![], NaiveDate::from_ymd_opt(2026, 2, d).unwrap(), scope),
                    stats(0),
                );
                m.keep(
                    6,
                    (vec!["x".into()], NaiveDate::from_ymd_opt(2026, 3, d).unwrap(), scope),
                    stats(0),
                );
            }
        }
        assert!(m.kept.len() <= MAX_KEPT);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_service_answers_from_the_memo_until_an_event_is_folded_in() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("s.db").display());
        let g = Guohe::open(&url, guohe_policy::PolicySet::default()).await.unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let dept = guohe_domain::Actor::parse("dept:test").unwrap();
        let carry = |i: u32| -> guohe_domain::Command {
            serde_json::from_value(serde_json::json!({
                "type": "CarryOverBase", "base_id": format!("HB-2015-{i:02}"), "policy": "hubei-2022",
                "official_name": format!("湖北省统计测试{i:02}国际科技合作基地"), "unit_name": "某公司",
                "uscc": crate::generate::facts::complete_uscc("91420100MA4K0000"), "domain": "新材料",
                "director": "张三", "partner_country": "DE", "recognised_on": "2015-06-01"
            }))
            .unwrap()
        };
        let chosen = vec!["hubei-2022".to_string()];
        g.execute(&dept, today, carry(1)).await.unwrap();
        let first = g.statistics(&chosen, today, Scope::Department).await;
        assert_eq!(first.on_register, 1);
        let again = g.statistics(&chosen, today, Scope::Department).await;
        assert!(Arc::ptr_eq(&first, &again), "the same answer, not computed again");
        // 湖北第三十一条第一项: a base carried over joins the register; the next answer counts it.
        g.execute(&dept, today, carry(2)).await.unwrap();
        let after = g.statistics(&chosen, today, Scope::Department).await;
        assert_eq!(after.on_register, 2);
        let scanned = g
            .read(|w, _, p| stats::compute(w, p, &chosen, today, Scope::Department))
            .await;
        assert_eq!(*after, scanned);
    }
}
