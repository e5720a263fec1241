//! The unit's home: its applications, newest first, and its bases with what each must file
//! next, what its latest evaluation grade brings and the post-subsidies it received.

use chrono::NaiveDate;
use guohe_domain::{ApplicationCase, ApplicationStatus, Base, BaseStatus, World};
use guohe_policy::PolicySet;
use rust_decimal::Decimal;

use super::{NextDue, next_due, same_unit};
use crate::Guohe;

/// One of the unit's applications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitApplicationRow {
    /// Id.
    pub id: String,
    /// The round's title (empty when the round is unknown).
    pub round_title: String,
    /// Technology domain.
    pub domain: String,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// Submitted on.
    pub submitted_on: NaiveDate,
}

/// A base's latest evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestEvaluation {
    /// Evaluated on.
    pub on: NaiveDate,
    /// Grade code (the policy's vocabulary).
    pub grade: String,
}

/// A post-subsidy a base received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostSubsidy {
    /// The evaluation year it rewards.
    pub year: i32,
    /// Amount in 万元.
    pub amount_wan: Decimal,
    /// 文号.
    pub document_number: String,
    /// Issued on.
    pub issued_on: NaiveDate,
}

/// One of the unit's bases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitBaseRow {
    /// Id.
    pub id: String,
    /// Policy id.
    pub policy: String,
    /// Official name.
    pub name: String,
    /// Status on the business date.
    pub status: BaseStatus,
    /// What it must file next.
    pub next: Option<NextDue>,
    /// Its latest evaluation, whose grade decides what support it gets.
    pub latest_evaluation: Option<LatestEvaluation>,
    /// Post-subsidies, in the order recorded.
    pub post_subsidies: Vec<PostSubsidy>,
}

/// What the unit's home lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitHome {
    /// Applications, newest submission first (then by id).
    pub applications: Vec<UnitApplicationRow>,
    /// Bases, by id.
    pub bases: Vec<UnitBaseRow>,
}

/// The post-subsidies of a base and its latest evaluation, as the support summary needs them.
pub fn support_of(b: &Base) -> (Option<LatestEvaluation>, Vec<PostSubsidy>) {
    let latest = b.evaluations.last().map(|e| LatestEvaluation {
        on: e.on,
        grade: e.grade.clone(),
    });
    let subsidies = b
        .post_subsidies
        .iter()
        .map(|s| PostSubsidy {
            year: s.event.year,
            amount_wan: s.event.amount_wan,
            document_number: s.event.document_number.clone(),
            issued_on: s.event.issued_on,
        })
        .collect();
    (latest, subsidies)
}

/// The records a unit's home looks at: the ids of its applications and of its bases, from the
/// views' unit indexes (or every record, for a check against the whole world).
pub struct UnitRecords<'a> {
    /// Application ids.
    pub applications: Vec<&'a str>,
    /// Base ids.
    pub bases: Vec<&'a str>,
}

/// The unit's home on `today`: among `records`, the applications and bases of `uscc` that
/// `may_see_application` and `may_see_base` let through.
pub fn unit_home(
    world: &World,
    policies: &PolicySet,
    uscc: &str,
    today: NaiveDate,
    records: &UnitRecords<'_>,
    may_see_application: impl Fn(&ApplicationCase) -> bool,
    may_see_base: impl Fn(&World, &Base) -> bool,
) -> UnitHome {
    let mut applications: Vec<UnitApplicationRow> = records
        .applications
        .iter()
        .filter_map(|id| world.application(id))
        .filter(|a| same_unit(&a.facts.unit.uscc, uscc) && may_see_application(a))
        .map(|a| UnitApplicationRow {
            id: a.id.clone(),
            round_title: world.round(&a.round).map(|r| r.title.clone()).unwrap_or_default(),
            domain: a.facts.technology_domain.clone(),
            status: a.status,
            submitted_on: a.submitted_on,
        })
        .collect();
    applications.sort_by(|a, b| b.submitted_on.cmp(&a.submitted_on).then(a.id.cmp(&b.id)));
    let mut bases: Vec<UnitBaseRow> = records
        .bases
        .iter()
        .filter_map(|id| world.base(id))
        .filter(|b| same_unit(&b.uscc, uscc) && may_see_base(world, b))
        .map(|b| {
            let (latest_evaluation, post_subsidies) = support_of(b);
            UnitBaseRow {
                id: b.id.clone(),
                policy: b.policy.clone(),
                name: b.official_name.clone(),
                status: b.status_on(today).unwrap_or(b.status),
                next: next_due(b, policies.get(&b.policy), today),
                latest_evaluation,
                post_subsidies,
            }
        })
        .collect();
    bases.sort_by(|a, b| a.id.cmp(&b.id));
    UnitHome { applications, bases }
}

impl Guohe {
    /// The unit's home on `today` (see [`unit_home`]), from the unit's own records as the views
    /// index them: the cost is the unit's, not the register's.
    pub async fn unit_home(
        &self,
        uscc: &str,
        today: NaiveDate,
        may_see_application: impl Fn(&ApplicationCase) -> bool,
        may_see_base: impl Fn(&World, &Base) -> bool,
    ) -> UnitHome {
        let inner = self.inner.read().await;
        let records = UnitRecords {
            applications: inner.views.applications.of_unit(uscc).collect(),
            bases: inner.views.register.of_unit(uscc),
        };
        unit_home(
            &inner.world,
            self.policies(),
            uscc,
            today,
            &records,
            may_see_application,
            may_see_base,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn a_unit_sees_its_own_records_only_newest_application_first() {
        let (g, _dir) = fixture::generated().await;
        let today = fixture::today();
        let uscc = fixture::busiest_unit(&g).await;
        let home = g.unit_home(&uscc, today, |_| true, |_, _| true).await;
        let (apps, bases) = g
            .read(|w, _, _| {
                let apps: Vec<String> = w
                    .applications()
                    .filter(|a| a.facts.unit.uscc.trim().eq_ignore_ascii_case(&uscc))
                    .map(|a| a.id.clone())
                    .collect();
                let bases: Vec<String> = w
                    .bases()
                    .filter(|b| b.uscc.trim().eq_ignore_ascii_case(&uscc))
                    .map(|b| b.id.clone())
                    .collect();
                (apps, bases)
            })
            .await;
        assert!(!home.applications.is_empty() && !home.bases.is_empty());
        let mut got: Vec<String> = home.applications.iter().map(|a| a.id.clone()).collect();
        got.sort();
        let mut want = apps;
        want.sort();
        assert_eq!(got, want);
        assert_eq!(home.bases.iter().map(|b| b.id.clone()).collect::<Vec<_>>(), {
            let mut b = bases;
            b.sort();
            b
        });
        assert!(
            home.applications
                .windows(2)
                .all(|w| (w[0].submitted_on, std::cmp::Reverse(&w[0].id))
                    >= (w[1].submitted_on, std::cmp::Reverse(&w[1].id)))
        );
        for row in &home.applications {
            assert!(!row.round_title.is_empty(), "{} names its round", row.id);
        }
        // The code is compared as the unit's pages compare it: in either case.
        let lower = g.unit_home(&uscc.to_lowercase(), today, |_| true, |_, _| true).await;
        assert_eq!(lower, home);
        // The caller's authorization is applied on top of the unit's scope.
        let none = g.unit_home(&uscc, today, |_| false, |_, _| false).await;
        assert_eq!(none, UnitHome::default());
        let other = g.unit_home("91000000000000000X", today, |_| true, |_, _| true).await;
        assert_eq!(other, UnitHome::default());
    }
}
