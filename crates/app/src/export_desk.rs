//! 导出 — the department's downloads, read from the world here so that the web only authorizes
//! and sends them: the page listing what there is to download, the province's register
//! (importable again), a round's 推荐汇总表, the annual assessment (年度考核) and evaluation
//! (评估) results by year, and the import template. Scoped by the policies the caller works
//! under (the web's own authorization decides which); the tables themselves are [`crate::exports`]'s.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_xlsxwriter::XlsxError;

use crate::Guohe;
use crate::export::Table;
use crate::exports;

/// A round as the downloads page links it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRound {
    /// Round id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Applications that reached the experts (what its 推荐汇总表 ranks).
    pub reviewed: usize,
}

/// What the department's downloads page offers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportDesk {
    /// Bases on the register on the date asked.
    pub on_register: usize,
    /// The rounds, the world's order reversed: the newest first.
    pub rounds: Vec<ExportRound>,
    /// Years with annual assessment grades, newest first.
    pub assessed: Vec<i32>,
    /// Years with evaluations, newest first.
    pub evaluated: Vec<i32>,
}

impl Guohe {
    /// What there is to download under the policies `works_under` accepts, on `today`.
    pub async fn export_desk(&self, works_under: &(dyn Fn(&str) -> bool + Sync), today: NaiveDate) -> ExportDesk {
        self.read(|w, _, _| {
            let on_register = w
                .bases()
                .filter(|b| works_under(&b.policy) && b.status_on(today).is_some_and(|s| s.on_register()))
                .count();
            let mut reviewed: HashMap<&str, usize> = HashMap::new();
            for a in w.applications().filter(|a| !a.experts.is_empty()) {
                *reviewed.entry(a.round.as_str()).or_default() += 1;
            }
            let mut rounds: Vec<ExportRound> = w
                .rounds()
                .filter(|r| works_under(&r.policy))
                .map(|r| ExportRound {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    reviewed: reviewed.get(r.id.as_str()).copied().unwrap_or(0),
                })
                .collect();
            rounds.reverse();
            let (assessed, evaluated) = exports::result_years(w, works_under);
            ExportDesk {
                on_register,
                rounds,
                assessed,
                evaluated,
            }
        })
        .await
    }

    /// 基地名录 — the bases on the register on `as_of` under the policies `works_under` accepts,
    /// titled with the province of the first of those policies.
    pub async fn export_register(&self, as_of: NaiveDate, works_under: &(dyn Fn(&str) -> bool + Sync)) -> Table {
        self.read(|w, _, policies| {
            let bases: Vec<_> = exports::register_bases(w, as_of, None)
                .into_iter()
                .filter(|b| works_under(&b.policy))
                .collect();
            let province = policies
                .all()
                .iter()
                .find(|x| works_under(&x.id))
                .map(|x| x.province.name.clone())
                .unwrap_or_default();
            exports::register_table(policies, &bases, &format!("{province}，在册"), as_of)
        })
        .await
    }

    /// 推荐汇总表 — the round's ranked recommendation table as of `today`; `None` for an unknown
    /// round. The caller finds the round's policy first ([`Guohe::round_policy`]) to authorize.
    pub async fn export_recommendations(&self, round: &str, today: NaiveDate) -> Option<Table> {
        self.read(|w, _, policies| exports::recommendation_table(w, policies, round, today))
            .await
    }

    /// 年度考核结果 — one year's grades (or every year's) under the policies `works_under` accepts.
    pub async fn export_assessments(
        &self,
        year: Option<i32>,
        today: NaiveDate,
        works_under: &(dyn Fn(&str) -> bool + Sync),
    ) -> Table {
        self.read(|w, _, policies| exports::assessment_table(w, policies, year, today, works_under))
            .await
    }

    /// 评估结果 — one year's evaluations (or every year's) under the policies `works_under` accepts.
    pub async fn export_evaluations(
        &self,
        year: Option<i32>,
        today: NaiveDate,
        works_under: &(dyn Fn(&str) -> bool + Sync),
    ) -> Table {
        self.read(|w, _, policies| exports::evaluation_table(w, policies, year, today, works_under))
            .await
    }

    /// 导入模板 — the xlsx template for the policies `works_under` accepts, offering the
    /// technology domains already on their bases as suggestions.
    pub async fn import_template(
        &self,
        works_under: &(dyn Fn(&str) -> bool + Sync),
        today: NaiveDate,
    ) -> Result<Vec<u8>, XlsxError> {
        let mine: Vec<&guohe_policy::Policy> = self.policies().all().iter().filter(|x| works_under(&x.id)).collect();
        let domains = self
            .read(|w, _, _| {
                let mut d: Vec<String> = w
                    .bases()
                    .filter(|b| works_under(&b.policy))
                    .map(|b| b.domain.clone())
                    .collect();
                d.sort();
                d.dedup();
                d
            })
            .await;
        exports::import_template(&mine, &domains, today)
    }
}

#[cfg(test)]
mod tests {
    use crate::unit_desk::fixture;

    #[tokio::test(flavor = "multi_thread")]
    async fn the_downloads_follow_the_scope_and_count_what_they_list() {
        let (g, _dir) = fixture::generated().await;
        let today = fixture::today();
        let all = |_: &str| true;
        let none = |_: &str| false;
        let desk = g.export_desk(&all, today).await;
        let (on_register, rounds, reviewed) = g
            .read(|w, _, _| {
                let on = w
                    .bases()
                    .filter(|b| b.status_on(today).is_some_and(|s| s.on_register()))
                    .count();
                let mut rounds: Vec<String> = w.rounds().map(|r| r.id.clone()).collect();
                rounds.reverse();
                let reviewed: Vec<usize> = rounds
                    .iter()
                    .map(|r| {
                        w.applications()
                            .filter(|a| &a.round == r && !a.experts.is_empty())
                            .count()
                    })
                    .collect();
                (on, rounds, reviewed)
            })
            .await;
        assert!(on_register > 0);
        assert_eq!(desk.on_register, on_register);
        assert_eq!(desk.rounds.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), rounds);
        assert_eq!(desk.rounds.iter().map(|r| r.reviewed).collect::<Vec<_>>(), reviewed);
        assert!(desk.assessed.windows(2).all(|x| x[0] > x[1]), "newest first");
        assert_eq!(g.export_desk(&none, today).await, Default::default());

        let register = g.export_register(today, &all).await;
        assert_eq!(register.rows.len(), on_register);
        assert!(g.export_register(today, &none).await.rows.is_empty());

        let round = &desk
            .rounds
            .iter()
            .find(|r| r.reviewed > 0)
            .expect("a reviewed round")
            .id;
        let ranked = g.export_recommendations(round, today).await.expect("the round");
        assert_eq!(
            Some(ranked.rows.len()),
            desk.rounds.iter().find(|r| &r.id == round).map(|r| r.reviewed)
        );
        assert!(g.export_recommendations("no-such-round", today).await.is_none());

        let year = desk.assessed.first().copied();
        assert_eq!(
            g.export_assessments(year, today, &all).await.rows.is_empty(),
            desk.assessed.is_empty()
        );
        assert!(g.export_assessments(year, today, &none).await.rows.is_empty());
        assert!(g.export_evaluations(None, today, &none).await.rows.is_empty());
        assert!(!g.import_template(&all, today).await.unwrap().is_empty());
    }
}
