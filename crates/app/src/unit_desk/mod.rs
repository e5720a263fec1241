//! 依托单位工作台 — what the support unit's pages show, read from the world here so that the web
//! only parses, authorizes and renders.
//!
//! Every query is scoped to one unit by its USCC (compared as the authorization rules compare
//! it: trimmed, case-insensitive). The web's authorization stays the one place that decides who
//! may see what: each query takes it as a predicate over the domain record (`may_see`, or an
//! `authorize` returning the web's own refusal), so a record of another unit or province is
//! refused exactly as before, with the same reason. What comes back is plain data (ids, names,
//! dates, status codes, counts); labels in Chinese or English are the web's business.

pub mod applications;
pub mod bases;
pub mod drafts;
pub mod home;

#[cfg(test)]
pub(crate) mod fixture;

use chrono::{Datelike, NaiveDate};
use guohe_domain::Base;
use guohe_policy::Policy;
use guohe_policy::citation::ArticleRef;

pub use applications::withdrawable;
pub use bases::{ChangeRow, GradeRow, ReportRow, UnitBaseView};
pub use drafts::{OpenRound, ResubmitSource};
pub use home::{LatestEvaluation, PostSubsidy, UnitApplicationRow, UnitBaseRow, UnitHome};

/// Whether a record's USCC is the unit's (the organisation an account is linked to).
pub fn same_unit(record_uscc: &str, unit: &str) -> bool {
    unit.eq_ignore_ascii_case(record_uscc.trim())
}

/// What a base on the register must file next: the annual report on `year`, due on `due_on`
/// under the policy's article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextDue {
    /// The policy setting the deadline.
    pub policy: String,
    /// The year reported on.
    pub year: i32,
    /// The deadline.
    pub due_on: NaiveDate,
    /// The article setting it.
    pub article: ArticleRef,
    /// Last year's report is still to be filed (the article is cited then).
    pub outstanding: bool,
}

/// What a base must do next: last year's annual report while it is missing (for a base
/// recognised by then), else this year's, due next year on the policy's day. Nothing for a
/// base off the register or under a policy not loaded.
pub fn next_due(b: &Base, policy: Option<&Policy>, today: NaiveDate) -> Option<NextDue> {
    let policy = policy?;
    if !b.status.on_register() {
        return None;
    }
    let ar = &policy.lifecycle.annual_report;
    let last_year = today.year() - 1;
    let outstanding = b.recognised_on.year() <= last_year && !b.reports.contains_key(&last_year);
    let (year, due_year) = if outstanding {
        (last_year, today.year())
    } else {
        (today.year(), today.year() + 1)
    };
    Some(NextDue {
        policy: policy.id.clone(),
        year,
        due_on: NaiveDate::from_ymd_opt(due_year, ar.due_month, ar.due_day).unwrap_or(today),
        article: ar.article,
        outstanding,
    })
}

#[cfg(test)]
mod tests {
    use guohe_domain::{AnnualReportSubmitted, BaseCarriedOver, Event, EventKind, World};
    use guohe_policy::PolicySet;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn event(stream: &str, on: &str, kind: EventKind) -> Event {
        Event {
            stream: stream.into(),
            on: d(on),
            actor: "dept:test".into(),
            articles: Vec::new(),
            kind,
        }
    }

    fn carried(recognised_on: &str) -> Event {
        event(
            "base/HN-B1",
            recognised_on,
            EventKind::BaseCarriedOver(BaseCarriedOver {
                base: "HN-B1".into(),
                policy: "hunan-2026".into(),
                official_name: "湖南省某国际科技合作基地".into(),
                unit_name: "某大学".into(),
                uscc: crate::generate::facts::complete_uscc("91430100MA4L0001"),
                domain: "新材料".into(),
                old_category: None,
                category: None,
                director: "张三".into(),
                partner_country: Some("DE".into()),
                recognised_on: d(recognised_on),
                national: false,
                legacy: false,
                evaluated: true,
                evaluation_anchor: d(recognised_on),
            }),
        )
    }

    #[test]
    fn the_same_unit_is_matched_as_the_authorization_rules_match_it() {
        assert!(same_unit(" 91430100ma4l00010x ", "91430100MA4L00010X"));
        assert!(!same_unit("91430100MA4L00010X", "91430100MA4L00020X"));
    }

    #[test]
    fn last_years_report_is_due_until_filed_then_this_years() {
        // 湖南第十四条：基地应于每年1月15日前报送上一年度工作总结（年度报告）。
        let policies = PolicySet::default();
        let policy = policies.get("hunan-2026");
        let ar = policy.unwrap().lifecycle.annual_report.article;
        let mut w = World::new();
        w.apply(&carried("2024-05-01"));
        let b = w.base("HN-B1").unwrap().clone();
        let due = next_due(&b, policy, d("2026-01-10")).unwrap();
        assert_eq!(
            due,
            NextDue {
                policy: "hunan-2026".into(),
                year: 2025,
                due_on: d("2026-01-15"),
                article: ar,
                outstanding: true,
            }
        );
        w.apply(&event(
            "base/HN-B1",
            "2026-01-12",
            EventKind::AnnualReportSubmitted(AnnualReportSubmitted {
                base: "HN-B1".into(),
                year: 2025,
                submitted_on: d("2026-01-12"),
                due_on: d("2026-01-15"),
                late: false,
                recommender_copy: false,
            }),
        ));
        let b = w.base("HN-B1").unwrap();
        let due = next_due(b, policy, d("2026-01-20")).unwrap();
        assert_eq!((due.year, due.due_on, due.outstanding), (2026, d("2027-01-15"), false));
        // Recognised this year: nothing is owed for last year.
        let mut w = World::new();
        w.apply(&carried("2026-03-01"));
        let due = next_due(w.base("HN-B1").unwrap(), policy, d("2026-06-01")).unwrap();
        assert_eq!((due.year, due.outstanding), (2026, false));
        // No policy loaded: nothing to say.
        assert_eq!(next_due(w.base("HN-B1").unwrap(), None, d("2026-06-01")), None);
    }
}
