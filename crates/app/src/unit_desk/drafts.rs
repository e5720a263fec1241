//! What the unit's draft pages read: the rounds open for applications, the policy a round is
//! under, and a returned application to correct and resubmit.

use chrono::NaiveDate;
use guohe_domain::{ApplicationCase, ApplicationStatus, World};
use guohe_policy::Application;

use super::same_unit;
use crate::Guohe;

/// A round open for applications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRound {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Policy id.
    pub policy: String,
}

/// An application of the unit, as a new draft starts from it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResubmitSource {
    /// Id.
    pub id: String,
    /// Round id.
    pub round: String,
    /// Where it stands (only a returned one may be resubmitted).
    pub status: ApplicationStatus,
    /// The facts as last submitted.
    pub facts: Application,
}

/// The rounds open for applications on `today` under the policies `works_under` accepts, by id.
pub fn open_rounds(world: &World, today: NaiveDate, works_under: impl Fn(&str) -> bool) -> Vec<OpenRound> {
    let mut rounds: Vec<OpenRound> = world
        .rounds()
        .filter(|r| works_under(&r.policy))
        .filter(|r| r.accepts_on(today))
        .map(|r| OpenRound {
            id: r.id.clone(),
            title: r.title.clone(),
            policy: r.policy.clone(),
        })
        .collect();
    rounds.sort_by(|a, b| a.id.cmp(&b.id));
    rounds
}

impl Guohe {
    /// The rounds open on `today` (see [`open_rounds`]).
    pub async fn open_rounds(&self, today: NaiveDate, works_under: impl Fn(&str) -> bool) -> Vec<OpenRound> {
        self.read(|w, _, _| open_rounds(w, today, works_under)).await
    }

    /// The policy a round (open or not) is under.
    pub async fn round_policy(&self, round: &str) -> Option<String> {
        self.read(|w, _, _| w.round(round).map(|r| r.policy.clone())).await
    }

    /// The unit's application `id` to start a corrected draft from, when `may_see` lets it
    /// through.
    pub async fn resubmit_source(
        &self,
        uscc: &str,
        id: &str,
        may_see: impl Fn(&ApplicationCase) -> bool,
    ) -> Option<ResubmitSource> {
        self.read(|w, _, _| {
            w.application(id)
                .filter(|a| same_unit(&a.facts.unit.uscc, uscc) && may_see(a))
                .map(|a| ResubmitSource {
                    id: a.id.clone(),
                    round: a.round.clone(),
                    status: a.status,
                    facts: a.facts.clone(),
                })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;

    #[tokio::test(flavor = "multi_thread")]
    async fn rounds_open_today_under_the_units_policies_and_a_source_to_resubmit() {
        let (g, _dir) = fixture::generated().await;
        let uscc = fixture::busiest_unit(&g).await;
        let (round, a) = g
            .read(|w, _, _| {
                let a = w
                    .applications()
                    .find(|a| a.facts.unit.uscc.trim() == uscc)
                    .unwrap()
                    .clone();
                (w.round(&a.round).unwrap().clone(), a)
            })
            .await;
        // On the round's first day it is open to its policy's units, and to no one else.
        let open = g.open_rounds(round.opens_on, |p| p == round.policy).await;
        if round.closed_on.is_none_or(|c| c > round.opens_on) {
            assert!(open.iter().any(|r| r.id == round.id && r.policy == round.policy));
        }
        assert!(open.windows(2).all(|w| w[0].id < w[1].id));
        assert!(g.open_rounds(round.opens_on, |_| false).await.is_empty());
        assert!(
            !g.open_rounds(round.closes_on.succ_opt().unwrap(), |_| true)
                .await
                .iter()
                .any(|r| r.id == round.id)
        );
        assert_eq!(g.round_policy(&round.id).await, Some(round.policy.clone()));
        assert_eq!(g.round_policy("no-such-round").await, None);
        let src = g.resubmit_source(&uscc, &a.id, |_| true).await.unwrap();
        assert_eq!(
            (src.id, src.round, src.status),
            (a.id.clone(), a.round.clone(), a.status)
        );
        assert!(g.resubmit_source(&uscc, &a.id, |_| false).await.is_none());
        assert!(g.resubmit_source("91000000000000000X", &a.id, |_| true).await.is_none());
    }
}
