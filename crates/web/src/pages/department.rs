//! 省科技厅工作台 — the department's home: counts by stage and what is due or overdue.
//! Further department pages (rounds, review, decisions, notices, assessments, accounts) go in
//! this module, each starting with `authz::may_enter(p, Area::Department)`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use guohe_domain::{ApplicationStatus, BaseStatus, World};
use guohe_policy::PolicySet;

use crate::AppState;
use crate::authz::{self, Area};
use crate::error::WebResult;
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome, render};

/// A count with its label.
#[derive(Debug, Clone)]
pub struct Count {
    /// Label.
    pub label: String,
    /// Count.
    pub n: usize,
}

/// Something due.
#[derive(Debug, Clone)]
pub struct Due {
    /// What.
    pub what: String,
    /// About what.
    pub subject: String,
    /// Link.
    pub href: String,
    /// Due date.
    pub due: NaiveDate,
    /// Past due.
    pub overdue: bool,
}

/// The dashboard.
#[derive(Template)]
#[template(path = "dept_home.html")]
pub struct DeptHomeTpl {
    /// Layout.
    pub c: Chrome,
    /// Business date.
    pub today: NaiveDate,
    /// Applications by stage.
    pub stages: Vec<Count>,
    /// Bases by status.
    pub bases: Vec<Count>,
    /// Due and overdue, overdue first.
    pub due: Vec<Due>,
}

const STAGES: &[(ApplicationStatus, &str, &str)] = &[
    (ApplicationStatus::Submitted, "已提交待推荐", "Submitted"),
    (ApplicationStatus::Returned, "已退回", "Returned"),
    (ApplicationStatus::Recommended, "已推荐待评审", "Recommended"),
    (ApplicationStatus::UnderReview, "专家评审中", "Under review"),
    (ApplicationStatus::Approved, "认定同意待公示", "Approved"),
    (ApplicationStatus::InNotice, "公示中", "In public notice"),
    (ApplicationStatus::Named, "已命名", "Named"),
    (ApplicationStatus::Rejected, "不予认定", "Rejected"),
    (ApplicationStatus::Withdrawn, "已撤回", "Withdrawn"),
];

/// What falls due, from the world as of `today`.
pub fn due_items(world: &World, policies: &PolicySet, today: NaiveDate, l: Lang) -> Vec<Due> {
    let mut out = Vec::new();
    let mut notices = std::collections::BTreeSet::new();
    for a in world.applications() {
        if let Some(n) = &a.notice {
            notices.insert(n.clone());
        }
        if a.status == ApplicationStatus::UnderReview
            && !a.experts.is_empty()
            && a.completed_reviews() == a.experts.len()
        {
            out.push(Due {
                what: l
                    .t("评审已完成，待作出认定结论", "Reviews complete; decision due")
                    .into(),
                subject: format!("{} {}", a.id, a.facts.unit.name),
                href: String::new(),
                due: today,
                overdue: false,
            });
        }
    }
    for id in &notices {
        let Some(n) = world.notice(id) else { continue };
        for o in n.objections.values().filter(|o| o.resolution.is_none()) {
            out.push(Due {
                what: l.t("实名异议待处理", "Objection to resolve").into(),
                subject: format!("{} · {}", n.id, o.application),
                href: format!("/notices/{}", n.id),
                due: n.ends_on,
                overdue: today > n.ends_on,
            });
        }
        let waiting = n
            .applications
            .iter()
            .filter_map(|a| world.application(a))
            .filter(|a| a.status == ApplicationStatus::InNotice)
            .count();
        if waiting > 0 {
            let (what_zh, what_en) = if today > n.ends_on {
                ("公示期满，待命名", "Notice over; naming due")
            } else {
                ("公示期截止", "Notice period ends")
            };
            out.push(Due {
                what: l.t(what_zh, what_en).into(),
                subject: format!("{} ({waiting})", n.id),
                href: format!("/notices/{}", n.id),
                due: n.ends_on,
                overdue: false,
            });
        }
    }
    for b in world.bases().filter(|b| b.status.on_register()) {
        let Some(policy) = policies.get(&b.policy) else {
            continue;
        };
        let ar = &policy.lifecycle.annual_report;
        let year = today.year() - 1;
        if b.recognised_on.year() <= year && !b.reports.contains_key(&year) && !b.missing_reports.contains(&year) {
            let due = NaiveDate::from_ymd_opt(today.year(), ar.due_month, ar.due_day).unwrap_or(today);
            let over = if ar.due_inclusive { today > due } else { today >= due };
            out.push(Due {
                what: l.pick(format!("{year}年度报告"), format!("Annual report {year}")),
                subject: b.official_name.clone(),
                href: format!("/bases/{}", b.id),
                due,
                overdue: over,
            });
        }
        let evaluated = b.evaluations.iter().filter(|e| !e.re_evaluation).count() as u32;
        if b.evaluations_due > evaluated {
            out.push(Due {
                what: l.t("阶段性评估到期", "Evaluation due").into(),
                subject: b.official_name.clone(),
                href: format!("/bases/{}", b.id),
                due: today,
                overdue: true,
            });
        }
        if let BaseStatus::UnderRectification { until } = b.status {
            out.push(Due {
                what: if until <= today {
                    l.t("整改期满，待复评", "Rectification over; re-evaluation due")
                } else {
                    l.t("限期整改截止", "Rectification ends")
                }
                .into(),
                subject: b.official_name.clone(),
                href: format!("/bases/{}", b.id),
                due: until,
                overdue: until <= today,
            });
        }
    }
    let mut rounds: Vec<_> = world
        .applications()
        .filter_map(|a| world.round(&a.round))
        .filter(|r| r.closed_on.is_none() && r.opens_on <= today && today <= r.closes_on)
        .map(|r| (r.id.clone(), r.title.clone(), r.closes_on))
        .collect();
    rounds.sort();
    rounds.dedup();
    for (_, title, closes) in rounds {
        out.push(Due {
            what: l.t("申报批次截止受理", "Round closes").into(),
            subject: title,
            href: String::new(),
            due: closes,
            overdue: false,
        });
    }
    out.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.due.cmp(&b.due))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    out
}

/// `GET /dept`.
pub async fn home(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    let p = ctx.require()?;
    authz::may_enter(p, Area::Department)?;
    let l = ctx.lang;
    let today = state.today();
    let (stages, bases, due) = state
        .guohe
        .read(|world, _, policies| {
            let stages = STAGES
                .iter()
                .map(|(s, zh, en)| Count {
                    label: l.t(zh, en).into(),
                    n: world.applications().filter(|a| a.status == *s).count(),
                })
                .collect();
            let bases = view::STATUSES
                .iter()
                .map(|(code, zh, en)| Count {
                    label: l.t(zh, en).into(),
                    n: world
                        .bases()
                        .filter(|b| view::status_code(b.status_on(today).unwrap_or(b.status)) == *code)
                        .count(),
                })
                .collect();
            (stages, bases, due_items(world, policies, today, l))
        })
        .await;
    render(&DeptHomeTpl {
        c: ctx.chrome("/dept"),
        today,
        stages,
        bases,
        due,
    })
}
