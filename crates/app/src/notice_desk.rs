//! 公示办理 — what the department's notice pages show, read from the world here so that the web
//! only authorizes, labels and lays it out: the approved applications awaiting a notice, the
//! notices, and one notice with what it lists and its objections. Scoped by the policies the
//! caller works under (the web's own authorization decides which).

use chrono::NaiveDate;
use guohe_domain::{ApplicationCase, ApplicationStatus, Notice};

use crate::read_models::{ApplicationQuery, ApplicationScope, ApplicationSort};
use crate::{AppError, Guohe};

/// An application as a notice lists it, or as it awaits one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeApplication {
    /// Application id.
    pub id: String,
    /// Support unit.
    pub unit: String,
    /// Technology domain.
    pub domain: String,
    /// Where it stands now.
    pub status: ApplicationStatus,
}

/// One notice of the department's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRow {
    /// Notice id.
    pub id: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Applications listed.
    pub listed: usize,
    /// Objections not yet resolved.
    pub open_objections: usize,
}

/// The department's notice desk.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoticeDesk {
    /// Approved applications not yet in a notice, by id.
    pub awaiting: Vec<NoticeApplication>,
    /// Notices, latest start first.
    pub notices: Vec<NoticeRow>,
}

/// One notice: itself (objectors' names and contacts as stored, sealed) and what it lists.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeCase {
    /// The notice.
    pub notice: Notice,
    /// The applications it lists, in its order.
    pub listed: Vec<NoticeApplication>,
}

fn listed(a: &guohe_domain::ApplicationCase) -> NoticeApplication {
    NoticeApplication {
        id: a.id.clone(),
        unit: a.facts.unit.name.clone(),
        domain: a.facts.technology_domain.clone(),
        status: a.status,
    }
}

impl Guohe {
    /// The approved applications and the notices under the policies `works_under` accepts.
    /// The awaiting ones are the approved run of the applications view's status index, so their
    /// cost is theirs, not every application's.
    pub async fn notice_desk(&self, works_under: impl Fn(&str) -> bool + Sync) -> NoticeDesk {
        let approved = ApplicationQuery {
            status: Some(ApplicationStatus::Approved),
            sort: ApplicationSort::Status,
            limit: usize::MAX,
            ..ApplicationQuery::default()
        };
        let in_scope = |a: &ApplicationCase| works_under(&a.policy);
        let inner = self.inner.read().await;
        let w = &inner.world;
        let awaiting = inner
            .views
            .applications
            .query(w, &approved, ApplicationScope::Each(&in_scope), listed)
            .items;
        {
            let mut notices: Vec<NoticeRow> = w
                .notices()
                .filter(|n| works_under(&n.policy))
                .map(|n| NoticeRow {
                    id: n.id.clone(),
                    starts_on: n.starts_on,
                    ends_on: n.ends_on,
                    listed: n.applications.len(),
                    open_objections: n.objections.values().filter(|o| o.resolution.is_none()).count(),
                })
                .collect();
            notices.sort_by(|a, b| b.starts_on.cmp(&a.starts_on).then_with(|| a.id.cmp(&b.id)));
            NoticeDesk { awaiting, notices }
        }
    }

    /// Whether the same objection was already lodged: the same notice, application and text,
    /// from the same real name and contact. Names and contacts are stored sealed, each under its
    /// own nonce, so the candidates with the same application and text are opened to compare.
    pub async fn objection_lodged_before(
        &self,
        notice: &str,
        application: &str,
        real_name: &str,
        contact: &str,
        content: &str,
    ) -> Result<bool, AppError> {
        let candidates: Vec<(String, String)> = self
            .read(|w, _, _| {
                w.notice(notice)
                    .map(|n| {
                        n.objections
                            .values()
                            .filter(|o| o.application == application && o.content == content)
                            .map(|o| (o.objector_real_name.clone(), o.contact.clone()))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .await;
        for (sealed_name, sealed_contact) in candidates {
            if self.reveal(&sealed_name).await?.value() == Some(real_name)
                && self.reveal(&sealed_contact).await?.value() == Some(contact)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// One notice and what it lists; `None` when there is none of that id.
    pub async fn notice_case(&self, id: &str) -> Option<NoticeCase> {
        self.read(|w, _, _| {
            let n = w.notice(id)?;
            Some(NoticeCase {
                notice: n.clone(),
                listed: n
                    .applications
                    .iter()
                    .filter_map(|a| w.application(a))
                    .map(listed)
                    .collect(),
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::Options;

    #[tokio::test(flavor = "multi_thread")]
    async fn the_desk_and_a_notice_read_as_the_world_holds_them() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("n.db").display());
        let g = Guohe::open(&url, guohe_policy::PolicySet::default()).await.unwrap();
        let o = Options {
            provinces: 2,
            bases_per_province: 20,
            years: 2,
            ..Default::default()
        };
        crate::generate::generate(&g, &o, false, "dept:test", |_| {})
            .await
            .unwrap();
        let policy = g
            .read(|w, _, _| w.notices().next().map(|n| n.policy.clone()))
            .await
            .expect("the generator publishes notices");
        let desk = g.notice_desk(|p| p == policy).await;
        let expected = g
            .read(|w, _, _| w.notices().filter(|n| n.policy == policy).count())
            .await;
        assert_eq!(desk.notices.len(), expected);
        // Awaiting a notice: the policy's approved applications, by id.
        let approved = g
            .read(|w, _, _| {
                let mut v: Vec<NoticeApplication> = w
                    .applications()
                    .filter(|a| a.policy == policy && a.status == ApplicationStatus::Approved)
                    .map(listed)
                    .collect();
                v.sort_by(|a, b| a.id.cmp(&b.id));
                v
            })
            .await;
        assert_eq!(desk.awaiting, approved);
        let all = g.notice_desk(|_| true).await;
        let approved_anywhere = g
            .read(|w, _, _| {
                w.applications()
                    .filter(|a| a.status == ApplicationStatus::Approved)
                    .count()
            })
            .await;
        assert_eq!(all.awaiting.len(), approved_anywhere);
        assert!(all.awaiting.windows(2).all(|x| x[0].id < x[1].id), "by id");
        assert!(
            desk.notices.windows(2).all(|x| x[0].starts_on >= x[1].starts_on),
            "latest first"
        );
        assert!(
            g.notice_desk(|_| false).await.notices.is_empty(),
            "nothing outside the scope"
        );
        // 公示: every listed application, in the notice's order, with its objections.
        let first = &desk.notices[0];
        let case = g.notice_case(&first.id).await.expect("the notice");
        assert_eq!(case.listed.len(), first.listed);
        assert_eq!(
            case.listed.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
            case.notice.applications
        );
        assert_eq!(
            case.notice
                .objections
                .values()
                .filter(|o| o.resolution.is_none())
                .count(),
            first.open_objections
        );
        assert!(g.notice_case("no-such-notice").await.is_none());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_objection_repeats_one_lodged_only_with_the_same_name_contact_and_text() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("o.db").display());
        let g = Guohe::open(&url, guohe_policy::PolicySet::default()).await.unwrap();
        let o = Options {
            provinces: 2,
            bases_per_province: 20,
            years: 2,
            ..Default::default()
        };
        crate::generate::generate(&g, &o, false, "dept:test", |_| {})
            .await
            .unwrap();
        let (notice, lodged) = g
            .read(|w, _, _| {
                w.notices()
                    .find_map(|n| n.objections.values().next().map(|o| (n.id.clone(), o.clone())))
            })
            .await
            .expect("the generator lodges real-name objections");
        let name = g
            .reveal(&lodged.objector_real_name)
            .await
            .unwrap()
            .value()
            .unwrap()
            .to_string();
        let contact = g.reveal(&lodged.contact).await.unwrap().value().unwrap().to_string();
        assert_ne!(name, lodged.objector_real_name, "stored sealed, compared opened");
        let same = |n: &str, c: &str, t: &str| {
            let (notice, app) = (notice.clone(), lodged.application.clone());
            let (n, c, t) = (n.to_string(), c.to_string(), t.to_string());
            let g = &g;
            async move { g.objection_lodged_before(&notice, &app, &n, &c, &t).await.unwrap() }
        };
        assert!(same(&name, &contact, &lodged.content).await, "the same objection again");
        assert!(!same(&name, "13900000000", &lodged.content).await, "another contact");
        assert!(!same("另一人", &contact, &lodged.content).await, "another name");
        assert!(!same(&name, &contact, "另有新的事实。").await, "new facts");
    }
}
