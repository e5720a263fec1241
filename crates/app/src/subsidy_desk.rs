//! 后补助 — the post-subsidies as the public list, its exports, the API and the department's
//! award page read them, from the world here so that the web only authorizes, labels and lays
//! them out. The rows and candidates themselves are [`crate::subsidies`]'s.

use crate::Guohe;
use crate::subsidies::{self, Candidates, SubsidyRow};

/// The public list of post-subsidies.
#[derive(Debug, Clone, PartialEq)]
pub struct SubsidyList {
    /// The awards of the year asked (or of every year), newest year first.
    pub rows: Vec<SubsidyRow>,
    /// Every year with an award, newest first, for the links between years.
    pub years: Vec<i32>,
}

/// What the department's award page shows for one policy and evaluation year.
#[derive(Debug, Clone, PartialEq)]
pub struct SubsidyDesk {
    /// The bases that qualify and the share; `None` when the policy provides no post-subsidy.
    pub candidates: Option<Candidates>,
    /// The awards already made for that year.
    pub awarded: Vec<SubsidyRow>,
}

impl Guohe {
    /// The post-subsidies, optionally of one policy and one evaluation year, newest year first.
    pub async fn subsidies(&self, policy: Option<&str>, year: Option<i32>) -> Vec<SubsidyRow> {
        self.read(|w, _, _| subsidies::rows(w, policy, year)).await
    }

    /// The public list: one year's awards (or every year's) with the years there are, read
    /// together so that the links and the rows agree.
    pub async fn subsidy_list(&self, year: Option<i32>) -> SubsidyList {
        self.read(|w, _, _| SubsidyList {
            rows: subsidies::rows(w, None, year),
            years: subsidies::years(w),
        })
        .await
    }

    /// The candidates of `year` under `policy` and what was already awarded for it.
    pub async fn subsidy_desk(&self, policy: &str, year: i32) -> SubsidyDesk {
        self.read(|w, _, policies| SubsidyDesk {
            candidates: subsidies::candidates(w, policies, policy, year),
            awarded: subsidies::rows(w, Some(policy), Some(year)),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use chrono::Datelike;

    use crate::unit_desk::fixture;

    #[tokio::test(flavor = "multi_thread")]
    async fn the_lists_and_the_desk_read_the_same_awards() {
        let (g, _dir) = fixture::generated().await;
        let year = fixture::today().year();
        let list = g.subsidy_list(None).await;
        assert_eq!(list.rows, g.subsidies(None, None).await);
        assert!(list.years.windows(2).all(|x| x[0] > x[1]), "newest first");
        assert!(g.subsidy_list(Some(1990)).await.rows.is_empty());
        let policy = g
            .policies()
            .all()
            .iter()
            .find(|p| p.lifecycle.post_subsidy.is_some())
            .map(|p| p.id.clone())
            .expect("a policy providing a post-subsidy");
        let desk = g.subsidy_desk(&policy, year).await;
        let c = desk.candidates.expect("the policy provides one");
        assert_eq!((c.policy.as_str(), c.year), (policy.as_str(), year));
        assert_eq!(c.awarded, desk.awarded.len());
        assert_eq!(desk.awarded, g.subsidies(Some(&policy), Some(year)).await);
        assert!(g.subsidy_desk("no-such-policy", year).await.candidates.is_none());
    }
}
