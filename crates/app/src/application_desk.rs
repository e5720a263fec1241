//! 工作列表 — the lists of applications and bases on the work pages of the department
//! (申报一览), the recommenders (推荐单位) and the experts (评审任务), read from the world here so
//! that the web only authorizes, labels and lays them out. Who sees which record is the web's
//! authorization, passed in as a predicate over the domain record; what comes back is plain
//! data (ids, names, codes, dates, counts).

use chrono::NaiveDate;
use guohe_domain::{ApplicationCase, ApplicationStatus, Base, BaseStatus, ChangeStatus, MajorChange, World};
use guohe_policy::model::Approver;

use crate::Guohe;
use crate::read_models::{ApplicationPage, ApplicationQuery, ApplicationScope};

/// One application as the work lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    /// Application id.
    pub id: String,
    /// Policy applied under.
    pub policy: String,
    /// Round.
    pub round: String,
    /// Support unit.
    pub unit: String,
    /// Technology domain.
    pub domain: String,
    /// Primary partner country (ISO code).
    pub country: String,
    /// Region code of the unit.
    pub region: String,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// Submitted on.
    pub submitted_on: NaiveDate,
    /// Experts seated on it.
    pub experts: usize,
    /// Reviews completed.
    pub completed_reviews: usize,
    /// Whether the reviewer asked about has submitted their review of it.
    pub reviewed: bool,
}

/// A base on the recommender's list, with what awaits the recommender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecommenderBase {
    /// Base id.
    pub id: String,
    /// Official name.
    pub name: String,
    /// Policy.
    pub policy: String,
    /// Status on the date asked (the current one before recognition).
    pub status: BaseStatus,
    /// Annual reports: (year, submitted on, late).
    pub reports: Vec<(i32, NaiveDate, bool)>,
    /// Major changes whose next approval is the recommender's: (change id, kind code, description).
    pub awaiting: Vec<(String, String, String)>,
}

/// A page of a recommender's bases ([`Guohe::recommender_bases`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RecommenderBasesPage {
    /// Every base of the jurisdiction with a major change waiting for the recommender, by id.
    pub awaiting: Vec<RecommenderBase>,
    /// This page's bases, by id.
    pub bases: Vec<RecommenderBase>,
    /// Bases of the jurisdiction the rule lets through, all pages together.
    pub total: usize,
}

fn row(a: &ApplicationCase, reviewer: Option<&str>) -> ApplicationRow {
    let f = &a.facts;
    ApplicationRow {
        id: a.id.clone(),
        policy: a.policy.clone(),
        round: a.round.clone(),
        unit: f.unit.name.clone(),
        domain: f.technology_domain.clone(),
        country: f.primary_partner.country.clone(),
        region: f.unit.region_code.clone(),
        status: a.status,
        submitted_on: a.submitted_on,
        experts: a.experts.len(),
        completed_reviews: a.completed_reviews(),
        reviewed: reviewer.is_some_and(|r| a.experts.get(r).is_some_and(|e| e.review.is_some())),
    }
}

impl Guohe {
    /// One page of the applications matching `q` within `scope`, from the applications view:
    /// only the page's rows are built. `reviewed` in each row says whether `reviewer` has
    /// reviewed it.
    pub async fn application_page(
        &self,
        q: &ApplicationQuery,
        scope: ApplicationScope<'_>,
        reviewer: Option<&str>,
    ) -> ApplicationPage<ApplicationRow> {
        self.applications(q, scope, |a| row(a, reviewer)).await
    }

    /// 评审任务 — the applications on which the expert `login` holds a seat and which `may_see`
    /// lets through, by id, each saying whether they have reviewed it. Read from the view's index
    /// of seats: the cost is the expert's own assignments, not every application.
    pub async fn expert_assignments(
        &self,
        login: &str,
        may_see: &(dyn Fn(&ApplicationCase) -> bool + Sync),
    ) -> Vec<ApplicationRow> {
        let inner = self.inner.read().await;
        inner
            .views
            .applications
            .seated(login)
            .filter_map(|id| inner.world.application(id))
            .filter(|a| may_see(a))
            .map(|a| row(a, Some(login)))
            .collect()
    }

    /// 辖区内基地 — a page of the bases of a recommender's jurisdiction (the register view's
    /// candidates for `region_prefixes` and `units`,
    /// [`crate::read_models::RegisterView::covered`]) that `may_see` lets through (given each
    /// base and its unit's division code as the view holds it, empty when unknown:
    /// [`crate::stats::base_division`]), by id, as of
    /// `today`; and, whatever the page, every one of them with a major change waiting for the
    /// recommender's approval. The cost is the jurisdiction's bases, not the register's; only
    /// the page's bases (and those waiting) are made into rows.
    pub async fn recommender_bases(
        &self,
        region_prefixes: &[String],
        units: &[String],
        may_see: &(dyn Fn(&Base, &str) -> bool + Sync),
        today: NaiveDate,
        offset: usize,
        limit: usize,
    ) -> RecommenderBasesPage {
        let inner = self.inner.read().await;
        let (w, register) = (&inner.world, &inner.views.register);
        let seen: Vec<&Base> = register
            .covered(region_prefixes, units)
            .into_iter()
            .filter_map(|id| Some((w.base(id)?, register.row(id)?)))
            .filter(|(b, row)| may_see(b, &row.division))
            .map(|(b, _)| b)
            .collect();
        RecommenderBasesPage {
            awaiting: seen
                .iter()
                .filter(|b| awaiting_recommender(b).next().is_some())
                .map(|b| recommender_base(b, today))
                .collect(),
            bases: seen
                .iter()
                .skip(offset)
                .take(limit)
                .map(|b| recommender_base(b, today))
                .collect(),
            total: seen.len(),
        }
    }

    /// What `judge` says of base `id`; `None` when there is no such base.
    pub async fn judge_base<R>(&self, id: &str, judge: impl FnOnce(&World, &Base) -> R) -> Option<R> {
        self.read(|w, _, _| w.base(id).map(|b| judge(w, b))).await
    }
}

/// The major changes of `b` whose next approval is the recommender's.
fn awaiting_recommender(b: &Base) -> impl Iterator<Item = (&String, &MajorChange)> {
    b.major_changes.iter().filter(|(_, c)| {
        c.status == ChangeStatus::Pending && c.approval.get(c.approved_by.len()) == Some(&Approver::Recommender)
    })
}

fn recommender_base(b: &Base, today: NaiveDate) -> RecommenderBase {
    RecommenderBase {
        id: b.id.clone(),
        name: b.official_name.clone(),
        policy: b.policy.clone(),
        status: b.status_on(today).unwrap_or(b.status),
        reports: b.reports.iter().map(|(y, r)| (*y, r.submitted_on, r.late)).collect(),
        awaiting: awaiting_recommender(b)
            .map(|(id, c)| (id.clone(), c.kind.clone(), c.details.description.clone()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit_desk::fixture;

    #[tokio::test(flavor = "multi_thread")]
    async fn expert_seats_and_recommender_bases_follow_the_predicate_by_id() {
        let (g, _dir) = fixture::generated().await;
        let today = fixture::today();
        let reviewed = g
            .read(|w, _, _| {
                w.applications().find_map(|a| {
                    a.experts
                        .iter()
                        .find(|(_, e)| e.review.is_some())
                        .map(|(login, _)| (a.id.clone(), login.clone()))
                })
            })
            .await
            .expect("a review");
        let login = &reviewed.1;
        let mine = g.expert_assignments(login, &|_| true).await;
        let seated: Vec<(String, bool)> = g
            .read(|w, _, _| {
                let mut v: Vec<(String, bool)> = w
                    .applications()
                    .filter_map(|a| a.experts.get(login).map(|e| (a.id.clone(), e.review.is_some())))
                    .collect();
                v.sort();
                v
            })
            .await;
        assert_eq!(
            mine.iter().map(|r| (r.id.clone(), r.reviewed)).collect::<Vec<_>>(),
            seated,
            "every seat, by id, with the expert's own review"
        );
        assert!(mine.iter().any(|r| r.id == reviewed.0 && r.reviewed));
        let first = mine[0].id.clone();
        let but_first = g.expert_assignments(login, &|a| a.id != first).await;
        assert_eq!(but_first.len(), mine.len() - 1, "the rule is applied");
        assert!(g.expert_assignments("expert:nobody", &|_| true).await.is_empty());

        // (id, division code, USCC) of every base, as a scan finds them.
        let all: Vec<(String, String, String)> = g
            .read(|w, _, _| {
                let mut v: Vec<_> = w
                    .bases()
                    .map(|b| {
                        let division = crate::stats::base_division(w, b).unwrap_or_default();
                        (b.id.clone(), division, b.uscc.clone())
                    })
                    .collect();
                v.sort();
                v
            })
            .await;
        let provinces: Vec<String> = all.iter().map(|b| b.1.chars().take(2).collect()).collect();
        let bases = g
            .recommender_bases(&provinces, &[], &|_, _| true, today, 0, usize::MAX)
            .await
            .bases;
        assert_eq!(bases.len(), all.len(), "every province's prefix covers every base");
        // The rule is given each base's division as the scan computes it.
        let divisions: std::collections::HashMap<&str, &str> = all
            .iter()
            .map(|(id, division, _)| (id.as_str(), division.as_str()))
            .collect();
        let same_division = |b: &Base, division: &str| divisions.get(b.id.as_str()) == Some(&division);
        let page = g
            .recommender_bases(&provinces, &[], &same_division, today, 0, usize::MAX)
            .await;
        assert_eq!(page.total, all.len(), "the division given is the base's");
        assert!(bases.windows(2).all(|x| x[0].id < x[1].id), "by id");
        assert!(
            g.recommender_bases(&provinces, &[], &|_, _| false, today, 0, usize::MAX)
                .await
                .bases
                .is_empty()
        );
        assert!(
            g.recommender_bases(&[String::new()], &[], &|_, _| true, today, 0, usize::MAX)
                .await
                .bases
                .is_empty(),
            "an empty prefix covers nothing"
        );
        // 辖区: a prefecture, and a unit listed by name (in another case, padded); then the unit
        // alone beside a prefix that covers nothing.
        let prefecture: String = all[0].1.chars().take(4).collect();
        let unit = all.last().expect("bases").2.clone();
        let listed = vec![format!(" {} ", unit.to_lowercase())];
        let of_unit = |b: &&(String, String, String)| b.2.trim().eq_ignore_ascii_case(unit.trim());
        let want: Vec<&str> = all
            .iter()
            .filter(|b| b.1.starts_with(&prefecture) || of_unit(b))
            .map(|b| b.0.as_str())
            .collect();
        let got = g
            .recommender_bases(
                std::slice::from_ref(&prefecture),
                &listed,
                &|_, _| true,
                today,
                0,
                usize::MAX,
            )
            .await
            .bases;
        assert_eq!(got.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(), want);
        let want: Vec<&str> = all.iter().filter(of_unit).map(|b| b.0.as_str()).collect();
        assert!(!want.is_empty());
        let got = g
            .recommender_bases(&["99".into()], &listed, &|_, _| true, today, 0, usize::MAX)
            .await
            .bases;
        assert_eq!(got.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(), want);
        assert!(want.len() < all.len(), "the unit's bases are not all the bases");
        let bases = g
            .recommender_bases(&provinces, &[], &|_, _| true, today, 0, usize::MAX)
            .await
            .bases;
        let pending = g
            .read(|w, _, _| {
                w.bases()
                    .flat_map(|b| b.major_changes.values())
                    .filter(|c| {
                        c.status == ChangeStatus::Pending
                            && c.approval.get(c.approved_by.len()) == Some(&Approver::Recommender)
                    })
                    .count()
            })
            .await;
        assert_eq!(bases.iter().map(|b| b.awaiting.len()).sum::<usize>(), pending);
        // Pages cut the list by id; the bases waiting for the recommender come on every page.
        let waiting: Vec<&RecommenderBase> = bases.iter().filter(|b| !b.awaiting.is_empty()).collect();
        for (offset, limit) in [(0, 3), (3, 3), (bases.len() - 1, 5), (bases.len(), 5)] {
            let page = g
                .recommender_bases(&provinces, &[], &|_, _| true, today, offset, limit)
                .await;
            assert_eq!(page.total, bases.len());
            let want: Vec<&RecommenderBase> = bases.iter().skip(offset).take(limit).collect();
            assert_eq!(page.bases.iter().collect::<Vec<_>>(), want, "{offset}+{limit}");
            assert_eq!(page.awaiting.iter().collect::<Vec<_>>(), waiting);
        }
        let first = &bases[0].id;
        assert_eq!(g.judge_base(first, |_, b| b.id.clone()).await.as_ref(), Some(first));
        assert!(g.judge_base("no-such-base", |_, _| ()).await.is_none());
    }
}
