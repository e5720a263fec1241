//! 信息公开 — what the public pages and the open API show, read from the world here so that the
//! web only labels and lays it out: the announcements of naming (认定命名公告), the notices (公示)
//! with where each stands in its working-day period, and one base's public record. Nothing here
//! is scoped: it is what anyone may see.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use guohe_domain::{BaseStatus, InspectionPurpose, Origin};

use crate::Guohe;
use crate::read_models::RegisterRow;
use crate::unit_desk::home::support_of;
use crate::unit_desk::{LatestEvaluation, PostSubsidy};

/// A named base: (id, official name, support unit).
pub type NamedBase = (String, String, String);

/// The bases named on one day under one policy: one announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The day of naming.
    pub on: NaiveDate,
    /// The policy named under.
    pub policy: String,
    /// The bases, in order.
    pub bases: Vec<NamedBase>,
}

/// Where a notice stands on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticePhase {
    /// Not started.
    Upcoming,
    /// Running, its last day included.
    Running,
    /// Over.
    Ended,
}

impl NoticePhase {
    /// The code the pages and the API use.
    pub fn code(self) -> &'static str {
        match self {
            NoticePhase::Upcoming => "upcoming",
            NoticePhase::Running => "running",
            NoticePhase::Ended => "ended",
        }
    }
}

/// An application as a public notice lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicNoticeItem {
    /// Application id.
    pub application: String,
    /// Policy applied under.
    pub policy: String,
    /// Support unit.
    pub unit: String,
    /// Technology domain.
    pub domain: String,
    /// Category code, if the policy has categories.
    pub category: Option<String>,
    /// Primary partner country (ISO code).
    pub country: String,
    /// The official name the base would take; empty when the policy cannot name it.
    pub proposed_name: String,
}

/// A 公示 as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicNotice {
    /// Notice id.
    pub id: String,
    /// Policy.
    pub policy: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Working days in the period.
    pub period_days: u32,
    /// Working days left (the whole period before it starts; 0 once over).
    pub remaining: u32,
    /// Where it stands.
    pub phase: NoticePhase,
    /// The applications listed, in the notice's order.
    pub items: Vec<PublicNoticeItem>,
    /// Objections received.
    pub objections: usize,
    /// 文号 of the issued 公示 PDF, if issued.
    pub document: Option<String>,
}

/// A base's public record on a date.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicBase {
    /// As the register lists it on that date.
    pub row: RegisterRow,
    /// Its statuses up to that date: (effective from, status), oldest first.
    pub statuses: Vec<(NaiveDate, BaseStatus)>,
    /// The inspection draws that drew it, newest first: (draw id, day, year, purpose).
    pub draws: Vec<(String, NaiveDate, i32, InspectionPurpose)>,
    /// Its latest evaluation (what the grade brings is the policy's).
    pub latest: Option<LatestEvaluation>,
    /// Its post-subsidies.
    pub subsidies: Vec<PostSubsidy>,
}

impl Guohe {
    /// 认定命名公告 — the bases named by `today`, grouped by day and policy, oldest first.
    pub async fn announcements(&self, today: NaiveDate) -> Vec<Announcement> {
        self.read(|w, _, _| {
            let mut by: BTreeMap<(NaiveDate, String), Vec<NamedBase>> = BTreeMap::new();
            for b in w
                .bases()
                .filter(|b| matches!(b.origin, Origin::Named { .. }) && b.recognised_on <= today)
            {
                by.entry((b.recognised_on, b.policy.clone())).or_default().push((
                    b.id.clone(),
                    b.official_name.clone(),
                    b.unit_name.clone(),
                ));
            }
            by.into_iter()
                .map(|((on, policy), mut bases)| {
                    bases.sort();
                    Announcement { on, policy, bases }
                })
                .collect()
        })
        .await
    }

    /// 公示 — the notice `only`, or every notice, as of `today`: the latest start first.
    pub async fn public_notices(&self, only: Option<&str>, today: NaiveDate) -> Vec<PublicNotice> {
        self.read(|w, cal, policies| {
            let ids: Vec<String> = match only {
                Some(id) => vec![id.to_string()],
                // The notices that list applications: those the applications point back to.
                None => w
                    .applications()
                    .filter_map(|a| a.notice.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
            };
            let mut out: Vec<PublicNotice> = ids
                .iter()
                .filter_map(|id| w.notice(id))
                .map(|n| {
                    let policy = policies.get(&n.policy);
                    let phase = if today < n.starts_on {
                        NoticePhase::Upcoming
                    } else if today <= n.ends_on {
                        NoticePhase::Running
                    } else {
                        NoticePhase::Ended
                    };
                    let remaining = match phase {
                        NoticePhase::Upcoming => cal.working_days_between(n.starts_on, n.ends_on).unwrap_or(0),
                        NoticePhase::Running => cal.working_days_between(today, n.ends_on).unwrap_or(0),
                        NoticePhase::Ended => 0,
                    };
                    let items = n
                        .applications
                        .iter()
                        .filter_map(|a| w.application(a))
                        .map(|a| {
                            let f = &a.facts;
                            PublicNoticeItem {
                                application: a.id.clone(),
                                policy: a.policy.clone(),
                                unit: f.unit.name.clone(),
                                domain: f.technology_domain.clone(),
                                category: f.category.clone(),
                                country: f.primary_partner.country.clone(),
                                proposed_name: policy
                                    .and_then(|p| {
                                        guohe_policy::naming::official_name(
                                            p,
                                            &f.technology_domain,
                                            f.category.as_deref(),
                                            &f.unit.name,
                                        )
                                        .ok()
                                    })
                                    .unwrap_or_default(),
                            }
                        })
                        .collect();
                    PublicNotice {
                        id: n.id.clone(),
                        policy: n.policy.clone(),
                        starts_on: n.starts_on,
                        ends_on: n.ends_on,
                        period_days: cal.working_days_between(n.starts_on, n.ends_on).unwrap_or(0),
                        remaining,
                        phase,
                        items,
                        objections: n.objections.len(),
                        document: w
                            .document_of(&format!("notice/{}", n.id), guohe_domain::DocumentKind::PublicNotice)
                            .map(|d| d.event.number.clone()),
                    }
                })
                .collect();
            out.sort_by(|a, b| b.starts_on.cmp(&a.starts_on).then_with(|| a.id.cmp(&b.id)));
            out
        })
        .await
    }

    /// The public record of base `id` on `today`; `None` when there is no such base.
    pub async fn public_base(&self, id: &str, today: NaiveDate) -> Option<PublicBase> {
        self.read(|w, _, _| {
            let b = w.base(id)?;
            let (latest, subsidies) = support_of(b);
            Some(PublicBase {
                row: RegisterRow::of(w, b, today),
                statuses: b
                    .history
                    .iter()
                    .filter(|e| e.from <= today)
                    .map(|e| (e.from, e.status))
                    .collect(),
                draws: w
                    .draws_of_base(&b.id)
                    .into_iter()
                    .map(|d| (d.event.draw.clone(), d.drawn_on, d.event.year, d.event.purpose))
                    .collect(),
                latest,
                subsidies,
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit_desk::fixture;

    #[tokio::test(flavor = "multi_thread")]
    async fn announcements_notices_and_a_base_as_the_public_sees_them() {
        let (g, _dir) = fixture::generated().await;
        let today = fixture::today();
        let groups = g.announcements(today).await;
        let named = g
            .read(|w, _, _| {
                w.bases()
                    .filter(|b| matches!(b.origin, Origin::Named { .. }) && b.recognised_on <= today)
                    .count()
            })
            .await;
        assert!(named > 0);
        assert_eq!(groups.iter().map(|g| g.bases.len()).sum::<usize>(), named);
        assert!(
            groups
                .windows(2)
                .all(|x| (x[0].on, &x[0].policy) < (x[1].on, &x[1].policy))
        );
        assert!(groups.iter().all(|g| g.bases.windows(2).all(|x| x[0] <= x[1])));
        let first = groups.first().expect("a naming").on;
        assert!(
            g.announcements(first.pred_opt().unwrap()).await.is_empty(),
            "nothing before"
        );

        let notices = g.public_notices(None, today).await;
        assert!(!notices.is_empty());
        assert!(
            notices.windows(2).all(|x| x[0].starts_on >= x[1].starts_on),
            "latest first"
        );
        for n in &notices {
            assert_eq!(n.phase == NoticePhase::Ended, today > n.ends_on);
            assert!(n.remaining <= n.period_days);
            assert!(n.items.iter().all(|i| !i.proposed_name.is_empty()));
        }
        let one = &notices[0];
        let before = g.public_notices(Some(&one.id), one.starts_on.pred_opt().unwrap()).await;
        assert_eq!(before[0].phase, NoticePhase::Upcoming);
        assert_eq!(before[0].remaining, one.period_days);
        assert!(g.public_notices(Some("no-such-notice"), today).await.is_empty());

        let id = g.read(|w, _, _| w.bases().next().map(|b| b.id.clone())).await.unwrap();
        let b = g.public_base(&id, today).await.expect("the base");
        assert_eq!(b.row.id, id);
        assert!(b.statuses.iter().all(|(from, _)| *from <= today));
        assert!(g.public_base("no-such-base", today).await.is_none());
    }
}
