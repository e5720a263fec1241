//! 省科技厅工作台 — the department's home: counts by stage and what is due or overdue.
//! The department's procedure pages live in their own modules by topic (`dept_rounds`,
//! `dept_applications`, `dept_notices`, `dept_bases`, `dept_history`, …), each starting with
//! `authz::may_enter(p, Area::Department)` through [`dept_of`]; they are re-exported here so the
//! router names every department page as `department::…`.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use guohe_app::read_models::DueQuery;
use guohe_domain::ApplicationStatus;

use crate::AppState;
use crate::authz::{self, Area};
use crate::error::WebResult;
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome, render};

use super::dept_due::{self, DueRow, KindCount};

/// A count with its label.
#[derive(Debug, Clone)]
pub struct Count {
    /// Label.
    pub label: String,
    /// Count.
    pub n: usize,
}

/// The dashboard's content: the `content` block of `dept_home.html`, without the layout. It
/// reads only the language from `c`, so the same content serves every department account of a
/// province (see [`home`]).
#[derive(Template)]
#[template(path = "dept_home.html", block = "content")]
pub struct DeptHomeTpl {
    /// Layout (only its language is read).
    pub c: Chrome,
    /// Business date.
    pub today: NaiveDate,
    /// Applications by stage.
    pub stages: Vec<Count>,
    /// Bases by status.
    pub bases: Vec<Count>,
    /// What is due, by kind, each linking to its list.
    pub kinds: Vec<KindCount>,
    /// Everything due or overdue.
    pub due_total: usize,
    /// The first of them, overdue first.
    pub due: Vec<DueRow>,
    /// Policies of the province that expire or have expired (办法效力).
    pub policy_alerts: Vec<PolicyAlert>,
}

fn stage_label(s: ApplicationStatus, l: Lang) -> &'static str {
    let (zh, en) = match s {
        ApplicationStatus::Submitted => ("已提交待推荐", "Submitted"),
        ApplicationStatus::Returned => ("已退回", "Returned"),
        ApplicationStatus::Recommended => ("已推荐待评审", "Recommended"),
        ApplicationStatus::UnderReview => ("专家评审中", "Under review"),
        ApplicationStatus::Approved => ("认定同意待公示", "Approved"),
        ApplicationStatus::InNotice => ("公示中", "In public notice"),
        ApplicationStatus::Named => ("已命名", "Named"),
        ApplicationStatus::Rejected => ("不予认定", "Rejected"),
        ApplicationStatus::Withdrawn => ("已撤回", "Withdrawn"),
    };
    l.t(zh, en)
}

/// `GET /dept`: counts from the register and work-queue views, the first items due, and the
/// policies whose period of force ends.
pub async fn home(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    let p = ctx.require()?;
    authz::may_enter(p, Area::Department)?;
    let l = ctx.lang;
    // The content depends on the province's policies, the language, the events folded in and
    // the date, not on who asks: it is rendered once for all of the province's department
    // accounts and kept until the next event or day, like the public register's answers. The
    // stamp is read first, so content computed while an event lands is kept under the older
    // stamp and never served after it.
    let stamp = state.stamp().await;
    let key = format!("dept-home\u{1}{}\u{1}{}", p.policies.join("\u{2}"), l.code());
    let body = match state.pages.get(stamp, &key) {
        Some(body) => body,
        None => {
            let body = Bytes::from(content(&ctx, &state, stamp.today).await?);
            state.pages.put(stamp, key, body.clone());
            body
        }
    };
    render(&FramedTpl {
        c: ctx.chrome("/dept"),
        title: l.t("工作台", "Dashboard"),
        body: std::str::from_utf8(&body).unwrap_or_default(),
    })
}

/// A page whose content was rendered before (and kept): the layout around it.
#[derive(Template)]
#[template(path = "framed.html")]
struct FramedTpl<'a> {
    c: Chrome,
    title: &'a str,
    body: &'a str,
}

/// The dashboard's content for the principal's province.
async fn content(ctx: &RequestCtx, state: &AppState, today: NaiveDate) -> WebResult<String> {
    let p = ctx.require()?;
    let l = ctx.lang;
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
    let first = DueQuery {
        kind: None,
        offset: 0,
        limit: dept_due::DASHBOARD_ROWS,
    };
    let due = state.guohe.due_list(&mine, &first, today).await;
    let stages = due
        .stages
        .iter()
        .map(|(s, n)| Count {
            label: stage_label(*s, l).into(),
            n: *n,
        })
        .collect();
    let policy_alerts = policy_alerts(
        &guohe_app::policy_standing::standings(state.guohe.policies(), &p.policies, today),
        today,
        l,
    );
    Ok(DeptHomeTpl {
        c: ctx.chrome("/dept"),
        today,
        stages,
        bases,
        kinds: dept_due::kind_counts(&due, None, l),
        due_total: due.total,
        due: dept_due::rows(&due, l),
        policy_alerts,
    }
    .render()?)
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
