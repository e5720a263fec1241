//! 省科技厅工作台 — the department's home: counts by stage and what is due or overdue.
//! The department's procedure pages live in their own modules by topic (`dept_rounds`,
//! `dept_applications`, `dept_notices`, `dept_bases`, `dept_history`, …), each starting with
//! `authz::may_enter(p, Area::Department)` through [`dept_of`]; they are re-exported here so the
//! router names every department page as `department::…`.

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
    /// Policies of the province that expire or have expired (办法效力).
    pub policy_alerts: Vec<PolicyAlert>,
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
pub fn due_items(
    world: &World,
    policies: &PolicySet,
    today: NaiveDate,
    l: Lang,
    in_scope: &dyn Fn(&str) -> bool,
) -> Vec<Due> {
    let mut out = Vec::new();
    let mut notices = std::collections::BTreeSet::new();
    for a in world.applications().filter(|a| in_scope(&a.policy)) {
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
    for b in world.bases().filter(|b| in_scope(&b.policy) && b.status.on_register()) {
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
        .filter(|r| in_scope(&r.policy) && r.closed_on.is_none() && r.opens_on <= today && today <= r.closes_on)
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
    let mine = |policy: &str| p.works_under(policy);
    let counts = state.guohe.register_counts(today).await;
    let bases = view::STATUSES
        .iter()
        .map(|(code, zh, en)| Count {
            label: l.t(zh, en).into(),
            n: counts
                .iter()
                .filter(|((policy, status), _)| status == code && mine(policy))
                .map(|(_, n)| n)
                .sum(),
        })
        .collect();
    let (stages, due, policy_alerts) = state
        .guohe
        .read(|world, _, policies| {
            let stages = STAGES
                .iter()
                .map(|(s, zh, en)| Count {
                    label: l.t(zh, en).into(),
                    n: world
                        .applications()
                        .filter(|a| mine(&a.policy) && a.status == *s)
                        .count(),
                })
                .collect();
            let alerts = policy_alerts(
                &guohe_app::policy_standing::standings(policies, &p.policies, today),
                today,
                l,
            );
            (stages, due_items(world, policies, today, l, &mine), alerts)
        })
        .await;
    render(&DeptHomeTpl {
        c: ctx.chrome("/dept"),
        today,
        stages,
        bases,
        due,
        policy_alerts,
    })
}

/// A policy whose period of force ends soon or has ended, as the dashboard words it.
pub struct PolicyAlert {
    /// Whether new rounds are refused already.
    pub blocking: bool,
    /// What to say.
    pub text: String,
}

fn policy_alerts(
    standings: &[guohe_app::policy_standing::PolicyStanding],
    today: NaiveDate,
    l: crate::i18n::Lang,
) -> Vec<PolicyAlert> {
    use guohe_app::policy_standing::Standing;
    standings
        .iter()
        .filter_map(|s| {
            let (blocking, zh, en) = match &s.standing {
                Standing::ExpiredWithoutSuccessor => (
                    true,
                    format!(
                        "《{}》（{}）已于 {} 有效期届满（{}），尚未加载继任办法：新的申报批次将被拒绝，已命名基地的管理和基地名录照常进行。请加载新的管理办法（guohe policy load）。",
                        s.title, s.document_number, s.valid_until, s.article_zh
                    ),
                    format!(
                        "{} ceased to be valid on {} ({}) and no successor policy is loaded: new rounds are refused, while the bases it named are managed and the register works as before. A successor policy must be loaded (guohe policy load).",
                        s.policy, s.valid_until, s.article
                    ),
                ),
                Standing::ExpiringWithoutSuccessor { days_left } => (
                    false,
                    format!(
                        "《{}》（{}）的有效期至 {} 届满（{}），还有 {days_left} 天，尚未加载继任办法。届满后新的申报批次将被拒绝。",
                        s.title, s.document_number, s.valid_until, s.article_zh
                    ),
                    format!(
                        "{} is valid until {} ({}), {days_left} days from today, and no successor policy is loaded; after that, new rounds are refused.",
                        s.policy, s.valid_until, s.article
                    ),
                ),
                Standing::Succeeded { by } if s.valid_until < today => (
                    false,
                    format!("《{}》已于 {} 届满，由 {by} 接续。", s.title, s.valid_until),
                    format!("{} ceased to be valid on {}; {by} follows it.", s.policy, s.valid_until),
                ),
                _ => return None,
            };
            Some(PolicyAlert {
                blocking,
                text: l.t(&zh, &en).to_string(),
            })
        })
        .collect()
}

// ---------- the department's procedure pages ----------

pub use super::dept_applications::{
    DeptAppTpl, ReviewSummary, application, applications, assign, decide, name, summary,
};
pub use super::dept_bases::{DeptBaseTpl, base, bases, decide_change, record};
pub use super::dept_history::{HistoryTpl, history};
pub use super::dept_notices::{NoticeTpl, NoticesTpl, notice, notices, resolve, start_notice};
pub use super::dept_rounds::{RoundRow, RoundsTpl, close_round, open_round, rounds};

use super::work::Vals;
use crate::authz::{Action, Principal};

/// The department principal allowed to take `action`, or the refusal.
pub(super) fn dept_of(ctx: &RequestCtx, action: Action) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::Department)?;
    authz::may(&p, action)?;
    Ok(p)
}

/// Whether the form carries the confirmation of an irreversible step.
pub(super) fn confirmed(v: &Vals) -> bool {
    v.get("confirmed") == "yes"
}
