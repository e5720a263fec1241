//! 信息公开 — what the public pages and the open API show, read from the world here so that the
//! web only labels and lays it out: the announcements of naming (认定命名公告), the notices (公示)
//! with where each stands in its working-day period, and one base's public record. Nothing here
//! is scoped: it is what anyone may see.

use chrono::NaiveDate;
use guohe_calendar::Calendar;
use guohe_domain::{BaseStatus, DocumentKind, InspectionPurpose, Notice, World};
use guohe_policy::PolicySet;

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

/// A page of announcements and how many were made in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncementPage {
    /// This page's announcements, newest first.
    pub announcements: Vec<Announcement>,
    /// Announcements made by the date asked, all pages together.
    pub total: usize,
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
    /// The phase whose code is `code`.
    pub fn of_code(code: &str) -> Option<NoticePhase> {
        [NoticePhase::Upcoming, NoticePhase::Running, NoticePhase::Ended]
            .into_iter()
            .find(|p| p.code() == code)
    }

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

impl PublicNoticeItem {
    /// Whether its unit, domain or proposed name holds the lower-cased `needle`.
    pub fn mentions(&self, needle: &str) -> bool {
        [&self.unit, &self.domain, &self.proposed_name]
            .iter()
            .any(|t| t.to_lowercase().contains(needle))
    }
}

/// A question to the list of public notices ([`Guohe::notice_page`]).
#[derive(Debug, Clone, Default)]
pub struct NoticeQuery {
    /// Only this policy.
    pub policy: Option<String>,
    /// Only notices in this phase.
    pub phase: Option<NoticePhase>,
    /// Lower-cased text searched in the id and in the listed applications' units, domains and
    /// proposed names.
    pub needle: String,
    /// By id; otherwise by first day (ties by id).
    pub by_id: bool,
    /// Reverse the order (ties too).
    pub descending: bool,
    /// Notices skipped before the page.
    pub offset: usize,
    /// Notices in the page.
    pub limit: usize,
}

/// A page of public notices and how many matched in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticePage {
    /// This page's notices, with their items.
    pub notices: Vec<PublicNotice>,
    /// Matching notices, all pages together.
    pub total: usize,
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
    /// How many applications it lists.
    pub listed: usize,
    /// The applications listed, in the notice's order (empty in a list without them:
    /// [`Guohe::notice_list`]).
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
    /// 认定命名公告 — a page of the announcements made by `today` (the bases named through
    /// the procedure, grouped by day and policy), newest first, each with its bases in order;
    /// from the announcements view, so the cost is the page's announcements (and a count of
    /// the announcements, not of the bases).
    pub async fn announcement_page(&self, today: NaiveDate, offset: usize, limit: usize) -> AnnouncementPage {
        let inner = self.inner.read().await;
        let view = &inner.views.announcements;
        AnnouncementPage {
            announcements: view
                .until(today)
                .skip(offset)
                .take(limit)
                .map(|((on, policy), bases)| Announcement {
                    on: *on,
                    policy: policy.clone(),
                    bases: bases.iter().cloned().collect(),
                })
                .collect(),
            total: view.until(today).count(),
        }
    }

    /// 公示 — the notices the public lists (those that list an application last: the
    /// applications point back to them), as of `today`, the latest start first, ties by id;
    /// each without its items (`listed` says how many). From the applications view: the cost is
    /// the notices, not the applications.
    pub async fn notice_list(&self, today: NaiveDate) -> Vec<PublicNotice> {
        let inner = self.inner.read().await;
        let (w, cal) = (&inner.world, &inner.calendar);
        let mut out: Vec<PublicNotice> = inner
            .views
            .applications
            .listing_notices()
            .filter_map(|id| w.notice(id))
            .map(|n| notice_of(w, cal, n, today, Vec::new()))
            .collect();
        out.sort_by(latest_first);
        out
    }

    /// 公示 — notice `id` as of `today`, with the applications it lists; `None` when there is
    /// no such notice.
    pub async fn public_notice(&self, id: &str, today: NaiveDate) -> Option<PublicNotice> {
        self.read(|w, cal, policies| {
            let n = w.notice(id)?;
            Some(notice_of(w, cal, n, today, items_of(w, policies, n)))
        })
        .await
    }

    /// A page of the notices the public lists ([`Guohe::notice_list`]) that `q` asks for, each
    /// with its items. Only a search looks at the listed applications (of the notices that
    /// pass the other filters); otherwise the page's notices alone are.
    pub async fn notice_page(&self, q: &NoticeQuery, today: NaiveDate) -> NoticePage {
        let mut found: Vec<PublicNotice> = self
            .notice_list(today)
            .await
            .into_iter()
            .filter(|n| q.policy.as_deref().is_none_or(|p| p == n.policy) && q.phase.is_none_or(|p| p == n.phase))
            .collect();
        if q.by_id {
            found.sort_by(|a, b| a.id.cmp(&b.id));
        } else {
            found.sort_by(|a, b| a.starts_on.cmp(&b.starts_on).then_with(|| a.id.cmp(&b.id)));
        }
        if q.descending {
            found.reverse();
        }
        self.read(|w, _, policies| {
            let with_items = |mut n: PublicNotice| {
                if let Some(listed) = w.notice(&n.id) {
                    n.items = items_of(w, policies, listed);
                }
                n
            };
            if q.needle.is_empty() {
                // Every notice matches: only the page's are given their items.
                let total = found.len();
                let notices = found.into_iter().skip(q.offset).take(q.limit).map(with_items).collect();
                return NoticePage { notices, total };
            }
            let hits: Vec<PublicNotice> = found
                .into_iter()
                .map(with_items)
                .filter(|n| n.id.to_lowercase().contains(&q.needle) || n.items.iter().any(|i| i.mentions(&q.needle)))
                .collect();
            NoticePage {
                total: hits.len(),
                notices: hits.into_iter().skip(q.offset).take(q.limit).collect(),
            }
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

/// The notices in the order the public sees them: the latest start first, ties by id.
fn latest_first(a: &PublicNotice, b: &PublicNotice) -> std::cmp::Ordering {
    b.starts_on.cmp(&a.starts_on).then_with(|| a.id.cmp(&b.id))
}

/// Notice `n` as of `today`, with `items` (empty for a list without them).
fn notice_of(w: &World, cal: &Calendar, n: &Notice, today: NaiveDate, items: Vec<PublicNoticeItem>) -> PublicNotice {
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
    PublicNotice {
        id: n.id.clone(),
        policy: n.policy.clone(),
        starts_on: n.starts_on,
        ends_on: n.ends_on,
        period_days: cal.working_days_between(n.starts_on, n.ends_on).unwrap_or(0),
        remaining,
        phase,
        listed: n.applications.len(),
        items,
        objections: n.objections.len(),
        document: w
            .document_of(&format!("notice/{}", n.id), DocumentKind::PublicNotice)
            .map(|d| d.event.number.clone()),
    }
}

/// The applications notice `n` lists, in its order, with the names the bases would take.
fn items_of(w: &World, policies: &PolicySet, n: &Notice) -> Vec<PublicNoticeItem> {
    let policy = policies.get(&n.policy);
    n.applications
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
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use guohe_domain::Origin;

    use super::*;
    use crate::unit_desk::fixture;

    #[tokio::test(flavor = "multi_thread")]
    async fn announcements_notices_and_a_base_as_the_public_sees_them() {
        let (g, _dir) = fixture::generated().await;
        let today = fixture::today();
        // The announcements as a scan of every base groups them, newest first.
        let scanned = |on: NaiveDate| {
            g.read(move |w, _, _| {
                let mut by: BTreeMap<(NaiveDate, String), Vec<NamedBase>> = BTreeMap::new();
                for b in w
                    .bases()
                    .filter(|b| matches!(b.origin, Origin::Named { .. }) && b.recognised_on <= on)
                {
                    by.entry((b.recognised_on, b.policy.clone())).or_default().push((
                        b.id.clone(),
                        b.official_name.clone(),
                        b.unit_name.clone(),
                    ));
                }
                by.into_iter()
                    .rev()
                    .map(|((on, policy), mut bases)| {
                        bases.sort();
                        Announcement { on, policy, bases }
                    })
                    .collect::<Vec<_>>()
            })
        };
        let all = scanned(today).await;
        assert!(all.len() >= 2, "{all:?}");
        let whole = g.announcement_page(today, 0, 1_000).await;
        assert_eq!(whole.total, all.len());
        assert_eq!(whole.announcements, all);
        let second = g.announcement_page(today, 1, 1).await;
        assert_eq!((second.announcements.as_slice(), second.total), (&all[1..2], all.len()));
        assert!(g.announcement_page(today, all.len(), 10).await.announcements.is_empty());
        // On the day of the first naming, that naming is the only announcement made so far.
        let first = all.last().expect("a naming").on;
        assert_eq!(
            g.announcement_page(first, 0, 10).await.announcements,
            scanned(first).await
        );
        let before = g.announcement_page(first.pred_opt().unwrap(), 0, 10).await;
        assert!(before.announcements.is_empty() && before.total == 0, "nothing before");

        let notices = g.notice_list(today).await;
        assert!(!notices.is_empty());
        // The notices the applications point back to, as a scan of the applications finds them.
        let pointed: BTreeSet<String> = g
            .read(|w, _, _| w.applications().filter_map(|a| a.notice.clone()).collect())
            .await;
        assert_eq!(notices.iter().map(|n| n.id.clone()).collect::<BTreeSet<_>>(), pointed);
        assert!(
            notices.windows(2).all(|x| latest_first(&x[0], &x[1]).is_lt()),
            "latest first, ties by id"
        );
        let mut full = Vec::new();
        for n in &notices {
            assert_eq!(n.phase == NoticePhase::Ended, today > n.ends_on);
            assert!(n.remaining <= n.period_days);
            assert!(n.items.is_empty(), "a list without items");
            let one = g.public_notice(&n.id, today).await.expect("the notice");
            assert_eq!(one.listed, n.listed);
            assert_eq!(one.items.len(), n.listed);
            assert!(one.items.iter().all(|i| !i.proposed_name.is_empty()));
            assert_eq!(
                PublicNotice {
                    items: Vec::new(),
                    ..one.clone()
                },
                *n
            );
            full.push(one);
        }
        let one = &notices[0];
        let before = g
            .public_notice(&one.id, one.starts_on.pred_opt().unwrap())
            .await
            .unwrap();
        assert_eq!(before.phase, NoticePhase::Upcoming);
        assert_eq!(before.remaining, one.period_days);
        assert!(g.public_notice("no-such-notice", today).await.is_none());

        // A page is the notices with their items, filtered, ordered and cut as asked.
        let unit: String = full[0].items[0].unit.chars().skip(1).take(3).collect();
        let policy = full[0].policy.clone();
        let queries = [
            NoticeQuery {
                descending: true,
                limit: 2,
                ..Default::default()
            },
            NoticeQuery {
                by_id: true,
                offset: 1,
                limit: 50,
                ..Default::default()
            },
            NoticeQuery {
                phase: Some(NoticePhase::Ended),
                limit: 50,
                ..Default::default()
            },
            NoticeQuery {
                policy: Some(policy),
                descending: true,
                limit: 50,
                ..Default::default()
            },
            NoticeQuery {
                needle: unit.to_lowercase(),
                limit: 50,
                ..Default::default()
            },
            NoticeQuery {
                needle: full[0].id.to_lowercase(),
                limit: 50,
                ..Default::default()
            },
            NoticeQuery {
                needle: "no such text".into(),
                limit: 50,
                ..Default::default()
            },
            NoticeQuery {
                offset: 1_000,
                limit: 20,
                ..Default::default()
            },
        ];
        for q in queries {
            let mut want: Vec<PublicNotice> = full
                .iter()
                .filter(|n| {
                    q.policy.as_deref().is_none_or(|p| p == n.policy)
                        && q.phase.is_none_or(|p| p == n.phase)
                        && (n.id.to_lowercase().contains(&q.needle) || n.items.iter().any(|i| i.mentions(&q.needle)))
                })
                .cloned()
                .collect();
            if q.by_id {
                want.sort_by(|a, b| a.id.cmp(&b.id));
            } else {
                want.sort_by_key(|n| (n.starts_on, n.id.clone()));
            }
            if q.descending {
                want.reverse();
            }
            let page = g.notice_page(&q, today).await;
            assert_eq!(page.total, want.len(), "{q:?}");
            let want: Vec<PublicNotice> = want.into_iter().skip(q.offset).take(q.limit).collect();
            assert_eq!(page.notices, want, "{q:?}");
        }
        assert!(
            g.notice_page(
                &NoticeQuery {
                    needle: unit.to_lowercase(),
                    limit: 50,
                    ..Default::default()
                },
                today
            )
            .await
            .total
                >= 1
        );

        let id = g.read(|w, _, _| w.bases().next().map(|b| b.id.clone())).await.unwrap();
        let b = g.public_base(&id, today).await.expect("the base");
        assert_eq!(b.row.id, id);
        assert!(b.statuses.iter().all(|(from, _)| *from <= today));
        assert!(g.public_base("no-such-base", today).await.is_none());
    }
}
