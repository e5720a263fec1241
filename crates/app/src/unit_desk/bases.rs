//! One base as its unit sees it: facts, status, what is due, reports, grades and major changes;
//! and the id the next major-change filing takes.

use chrono::NaiveDate;
use guohe_domain::{Base, BaseStatus, ChangeStatus, World};

use super::{NextDue, next_due, same_unit};
use crate::Guohe;

/// An annual report filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// The year reported on.
    pub year: i32,
    /// Filed on.
    pub submitted_on: NaiveDate,
    /// Due on.
    pub due_on: NaiveDate,
    /// Filed after the deadline.
    pub late: bool,
}

/// A grade a base received: annual assessments by year, then evaluations in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GradeRow {
    /// 年度考核.
    Annual {
        /// The year assessed.
        year: i32,
        /// Grade code.
        grade: String,
    },
    /// 评估, or the re-evaluation after rectification.
    Evaluation {
        /// Evaluated on.
        on: NaiveDate,
        /// After rectification.
        re_evaluation: bool,
        /// Grade code.
        grade: String,
    },
}

/// A major change filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    /// Change id.
    pub id: String,
    /// Kind code (the policy's vocabulary).
    pub kind: String,
    /// What changes.
    pub description: String,
    /// Status.
    pub status: ChangeStatus,
    /// Approvals given.
    pub approved_by: usize,
    /// Approvals needed.
    pub needed: usize,
}

/// A base as its unit's page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitBaseView {
    /// Id.
    pub id: String,
    /// Policy id.
    pub policy: String,
    /// Official name.
    pub official_name: String,
    /// Support unit's name.
    pub unit_name: String,
    /// Technology domain.
    pub domain: String,
    /// Director.
    pub director: String,
    /// Primary partner country (ISO code).
    pub partner_country: Option<String>,
    /// Recognised on.
    pub recognised_on: NaiveDate,
    /// Status on the business date.
    pub status: BaseStatus,
    /// On the register now (reports and changes may be filed).
    pub on_register: bool,
    /// What it must file next.
    pub next: Option<NextDue>,
    /// Annual reports, by year.
    pub reports: Vec<ReportRow>,
    /// Grades: annual assessments by year, then evaluations.
    pub grades: Vec<GradeRow>,
    /// Major changes, by id.
    pub changes: Vec<ChangeRow>,
}

/// The view of `b` on `today`.
pub fn view_of(b: &Base, policy: Option<&guohe_policy::Policy>, today: NaiveDate) -> UnitBaseView {
    let mut grades: Vec<GradeRow> = b
        .annual_grades
        .iter()
        .map(|(y, g)| GradeRow::Annual {
            year: *y,
            grade: g.grade.clone(),
        })
        .collect();
    grades.extend(b.evaluations.iter().map(|e| GradeRow::Evaluation {
        on: e.on,
        re_evaluation: e.re_evaluation,
        grade: e.grade.clone(),
    }));
    UnitBaseView {
        id: b.id.clone(),
        policy: b.policy.clone(),
        official_name: b.official_name.clone(),
        unit_name: b.unit_name.clone(),
        domain: b.domain.clone(),
        director: b.director.clone(),
        partner_country: b.partner_country.clone(),
        recognised_on: b.recognised_on,
        status: b.status_on(today).unwrap_or(b.status),
        on_register: b.status.on_register(),
        next: next_due(b, policy, today),
        reports: b
            .reports
            .iter()
            .map(|(y, r)| ReportRow {
                year: *y,
                submitted_on: r.submitted_on,
                due_on: r.due_on,
                late: r.late,
            })
            .collect(),
        grades,
        changes: b
            .major_changes
            .iter()
            .map(|(id, c)| ChangeRow {
                id: id.clone(),
                kind: c.kind.clone(),
                description: c.details.description.clone(),
                status: c.status,
                approved_by: c.approved_by.len(),
                needed: c.approval.len(),
            })
            .collect(),
    }
}

impl Guohe {
    /// The unit's base `id` on `today`: `None` when there is no such base (or it is not the
    /// unit's once `authorize` let it through); `authorize`'s refusal when it refuses.
    pub async fn unit_base<E>(
        &self,
        uscc: &str,
        id: &str,
        today: NaiveDate,
        authorize: impl FnOnce(&World, &Base) -> Result<(), E>,
    ) -> Option<Result<UnitBaseView, E>> {
        self.read(|w, _, policies| {
            let b = w.base(id)?;
            if let Err(e) = authorize(w, b) {
                return Some(Err(e));
            }
            same_unit(&b.uscc, uscc).then(|| Ok(view_of(b, policies.get(&b.policy), today)))
        })
        .await
    }

    /// The id the next major-change filing on base `id` takes (`C1`, `C2`, …).
    pub async fn next_major_change_id(&self, id: &str) -> String {
        let n = self
            .read(|w, _, _| w.base(id).map(|b| b.major_changes.len()).unwrap_or(0))
            .await;
        format!("C{}", n + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;

    #[tokio::test(flavor = "multi_thread")]
    async fn the_units_base_is_shown_refused_or_not_found() {
        let (g, _dir) = fixture::generated().await;
        let today = fixture::today();
        let uscc = fixture::busiest_unit(&g).await;
        let base = g
            .read(|w, _, _| w.bases().find(|b| b.uscc.trim() == uscc).cloned())
            .await
            .unwrap();
        let v = g
            .unit_base(&uscc, &base.id, today, |_, _| Ok::<(), ()>(()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (v.id.as_str(), v.official_name.as_str()),
            (base.id.as_str(), base.official_name.as_str())
        );
        assert_eq!(v.status, base.status_on(today).unwrap_or(base.status));
        assert_eq!(v.reports.len(), base.reports.len());
        assert_eq!(v.grades.len(), base.annual_grades.len() + base.evaluations.len());
        assert_eq!(v.changes.len(), base.major_changes.len());
        assert!(v.reports.windows(2).all(|w| w[0].year < w[1].year));
        // The caller's refusal comes back as it was given.
        let refused = g.unit_base(&uscc, &base.id, today, |_, _| Err("no")).await;
        assert_eq!(refused, Some(Err("no")));
        // Another unit's base, were it let through, is not shown; an unknown one is not found.
        let other = g
            .unit_base("91000000000000000X", &base.id, today, |_, _| Ok::<(), ()>(()))
            .await;
        assert_eq!(other, None);
        assert_eq!(
            g.unit_base(&uscc, "no-such-base", today, |_, _| Ok::<(), ()>(())).await,
            None
        );
        let next = format!("C{}", base.major_changes.len() + 1);
        assert_eq!(g.next_major_change_id(&base.id).await, next);
        assert_eq!(g.next_major_change_id("no-such-base").await, "C1");
    }
}
