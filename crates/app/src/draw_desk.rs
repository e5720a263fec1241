//! 随机抽取 — the draws as their pages and the API read them, from the world here so that the web
//! only authorizes, labels and lays them out: the inspection draws (双随机、一公开: the bases
//! drawn for inspection, with their inspectors and results) and the review panels drawn for
//! applications (随机抽取的评审专家). Who may see a panel before its application is decided is
//! the web's rule; it is passed in where a list depends on it.

use chrono::NaiveDate;
use guohe_domain::{ApplicationStatus, InspectionDraw, PanelRecord};

use crate::Guohe;
use crate::export::Table;

/// A draw on the department's list, with the drawn bases whose result is still to record.
#[derive(Debug, Clone, PartialEq)]
pub struct DeptDraw {
    /// The draw.
    pub draw: InspectionDraw,
    /// Drawn bases without a result yet: (base id, name as the draw listed it).
    pub pending: Vec<(String, String)>,
}

/// An application's drawn panel, with what its page needs of the application.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelCase {
    /// Where the application stands (a panel is published once it is decided).
    pub status: ApplicationStatus,
    /// The panel as drawn, with reserves and declines.
    pub record: PanelRecord,
    /// The experts seated on the application now.
    pub seated: Vec<String>,
}

/// The drawn bases of `d` whose result is not recorded yet, in the draw's order.
fn pending(d: &InspectionDraw) -> Vec<(String, String)> {
    d.event
        .selected
        .iter()
        .filter(|s| !d.results.contains_key(&s.base))
        .map(|s| {
            let name = d
                .event
                .candidates
                .iter()
                .find(|c| c.base == s.base)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            (s.base.clone(), name)
        })
        .collect()
}

impl Guohe {
    /// The inspection draws under the policies `works_under` accepts, newest first.
    pub async fn draws(&self, works_under: &(dyn Fn(&str) -> bool + Sync)) -> Vec<InspectionDraw> {
        self.read(|w, _, _| {
            w.draws()
                .into_iter()
                .filter(|d| works_under(&d.event.policy))
                .cloned()
                .collect()
        })
        .await
    }

    /// The department's draws under the policies `works_under` accepts, newest first, each with
    /// the bases still awaiting a result.
    pub async fn dept_draws(&self, works_under: &(dyn Fn(&str) -> bool + Sync)) -> Vec<DeptDraw> {
        self.draws(works_under)
            .await
            .into_iter()
            .map(|draw| DeptDraw {
                pending: pending(&draw),
                draw,
            })
            .collect()
    }

    /// The inspection draw `id`, if there is one.
    pub async fn draw(&self, id: &str) -> Option<InspectionDraw> {
        self.read(|w, _, _| w.draw(id).cloned()).await
    }

    /// 抽查结果导出 — every draw's drawn bases, inspectors and results as a table as of `as_of`;
    /// `expert` names an inspector from their login.
    pub async fn export_draws(&self, expert: impl Fn(&str) -> String, as_of: NaiveDate) -> Table {
        self.read(|w, _, _| crate::draw_export::table(&w.draws(), expert, as_of))
            .await
    }

    /// The panel drawn for application `id`, if one was.
    pub async fn panel(&self, id: &str) -> Option<PanelRecord> {
        self.read(|w, _, _| w.panel(id).cloned()).await
    }

    /// Application `id`'s drawn panel with its status and seated experts; `None` when there is
    /// no such application or no panel was drawn for it.
    pub async fn panel_case(&self, id: &str) -> Option<PanelCase> {
        self.read(|w, _, _| {
            let a = w.application(id)?;
            w.panel(id).map(|r| PanelCase {
                status: a.status,
                record: r.clone(),
                seated: a.experts.keys().cloned().collect(),
            })
        })
        .await
    }

    /// The seeds of the drawn panels of the applications whose status `published` accepts:
    /// (application id, seed), by application id.
    pub async fn panel_seeds(&self, published: impl Fn(ApplicationStatus) -> bool) -> Vec<(String, String)> {
        self.read(|w, _, _| {
            let mut v: Vec<(String, String)> = w
                .applications()
                .filter(|a| published(a.status))
                .filter_map(|a| w.panel(&a.id).map(|r| (a.id.clone(), r.event.seed.clone())))
                .collect();
            v.sort();
            v
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use guohe_domain::ApplicationStatus;

    use crate::unit_desk::fixture;

    #[tokio::test(flavor = "multi_thread")]
    async fn draws_and_panels_as_the_world_holds_them() {
        let (g, _dir) = fixture::generated().await;
        let all = g.draws(&|_| true).await;
        let held = g
            .read(|w, _, _| w.draws().into_iter().cloned().collect::<Vec<_>>())
            .await;
        assert_eq!(all, held, "every draw, newest first");
        assert!(g.draws(&|_| false).await.is_empty());
        for d in g.dept_draws(&|_| true).await {
            let open: Vec<&String> = d.pending.iter().map(|(b, _)| b).collect();
            let expected: Vec<&String> = d
                .draw
                .event
                .selected
                .iter()
                .map(|s| &s.base)
                .filter(|b| !d.draw.results.contains_key(*b))
                .collect();
            assert_eq!(open, expected);
            assert_eq!(g.draw(&d.draw.event.draw).await.as_ref(), Some(&d.draw));
        }
        assert!(g.draw("no-such-draw").await.is_none());

        let seeds = g.panel_seeds(|_| true).await;
        assert!(seeds.windows(2).all(|x| x[0] < x[1]), "by application");
        let decided = g.panel_seeds(|s| s == ApplicationStatus::Named).await;
        assert!(decided.len() <= seeds.len());
        if let Some((id, seed)) = seeds.first() {
            let case = g.panel_case(id).await.expect("the panel");
            assert_eq!(&case.record.event.seed, seed);
            assert_eq!(g.panel(id).await, Some(case.record));
        }
        assert!(g.panel_case("no-such-application").await.is_none());
    }
}
