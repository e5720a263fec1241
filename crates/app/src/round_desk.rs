//! 申报批次 — what the department's list of rounds shows, read from the world here so that the web
//! only authorizes, labels and lays it out. Scoped by the policies the caller works under.

use chrono::NaiveDate;
use guohe_domain::{Round, RoundPhase};

use crate::Guohe;

/// One round of the department's list.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundRow {
    /// The round.
    pub round: Round,
    /// Where it stands on the date asked.
    pub phase: RoundPhase,
    /// Applications submitted in it.
    pub applications: usize,
}

impl Guohe {
    /// The rounds under the policies `works_under` accepts, with where each stands on `today`
    /// and how many applications it received (kept per round by the applications view): the
    /// latest opening first.
    pub async fn round_desk(&self, works_under: impl Fn(&str) -> bool, today: NaiveDate) -> Vec<RoundRow> {
        let inner = self.inner.read().await;
        let mut rows: Vec<RoundRow> = inner
            .world
            .rounds()
            .filter(|r| works_under(&r.policy))
            .map(|r| RoundRow {
                round: r.clone(),
                phase: r.phase(today),
                applications: inner.views.applications.in_round(&r.id),
            })
            .collect();
        rows.sort_by(|a, b| {
            b.round
                .opens_on
                .cmp(&a.round.opens_on)
                .then_with(|| a.round.id.cmp(&b.round.id))
        });
        rows
    }

    /// The ids of the rounds under the policies `works_under` accepts, in order.
    pub async fn round_ids(&self, works_under: impl Fn(&str) -> bool) -> Vec<String> {
        self.read(|w, _, _| {
            let mut ids: Vec<String> = w
                .rounds()
                .filter(|r| works_under(&r.policy))
                .map(|r| r.id.clone())
                .collect();
            ids.sort();
            ids
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn rounds_with_their_phase_and_applications_latest_first() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("r.db").display());
        let g = Guohe::open(&url, guohe_policy::PolicySet::default()).await.unwrap();
        let o = crate::generate::Options {
            provinces: 2,
            bases_per_province: 20,
            years: 2,
            ..Default::default()
        };
        crate::generate::generate(&g, &o, false, "dept:test", |_| {})
            .await
            .unwrap();
        let today: NaiveDate = "2026-11-20".parse().unwrap();
        let rows = g.round_desk(|_| true, today).await;
        let ids = g.round_ids(|_| true).await;
        assert_eq!(rows.len(), ids.len());
        assert!(rows.len() >= 4, "a round a year in each province: {}", rows.len());
        assert!(rows.windows(2).all(|x| x[0].round.opens_on >= x[1].round.opens_on));
        let counted = g
            .read(|w, _, _| {
                rows.iter()
                    .map(|r| w.applications().filter(|a| a.round == r.round.id).count())
                    .collect::<Vec<_>>()
            })
            .await;
        assert_eq!(rows.iter().map(|r| r.applications).collect::<Vec<_>>(), counted);
        assert!(rows.iter().any(|r| r.applications > 0));
        // The generated rounds all ended (1 March – 30 April) or were closed before November.
        assert!(
            rows.iter()
                .all(|r| matches!(r.phase, RoundPhase::Ended | RoundPhase::Closed))
        );
        let one = rows[0].round.policy.clone();
        assert!(
            g.round_desk(|p| p == one, today)
                .await
                .iter()
                .all(|r| r.round.policy == one)
        );
        assert!(g.round_ids(|_| false).await.is_empty());
    }
}
