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
    let (stages, bases, due, policy_alerts) = state
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
            let bases = view::STATUSES
                .iter()
                .map(|(code, zh, en)| Count {
                    label: l.t(zh, en).into(),
                    n: world
                        .bases()
                        .filter(|b| {
                            mine(&b.policy) && view::status_code(b.status_on(today).unwrap_or(b.status)) == *code
                        })
                        .count(),
                })
                .collect();
            let alerts = policy_alerts(
                &guohe_app::policy_standing::standings(policies, &p.policies, today),
                today,
                l,
            );
            (stages, bases, due_items(world, policies, today, l, &mine), alerts)
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

use std::collections::HashMap;

use axum::extract::{Path, Query};
use guohe_domain::{ApplicationCase, ChangeStatus};
use guohe_policy::model::{Approver, Effect, Trigger};
use guohe_store::AccountRole;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::work::{self, Audience, CaseView, Cell, ConfirmTpl, Feedback, Quote, Row, Vals, render_status, see_other};
use crate::authz::{Action, Principal};
use crate::error::{FieldError, WebError};

fn dept_of(ctx: &RequestCtx, action: Action) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::Department)?;
    authz::may(&p, action)?;
    Ok(p)
}

fn confirmed(v: &Vals) -> bool {
    v.get("confirmed") == "yes"
}

// ----- rounds -----

/// A round in the list: (id, title, policy, opens, closes, state, applications, may close).
pub type RoundRow = (String, String, String, NaiveDate, NaiveDate, String, usize, bool);

/// Rounds and the form to open one.
#[derive(Template)]
#[template(path = "dept_rounds.html")]
pub struct RoundsTpl {
    /// Layout.
    pub c: Chrome,
    /// Rounds: (id, title, policy, opens, closes, state, applications, open now).
    pub rounds: Vec<RoundRow>,
    /// Policies: (id, label).
    pub policies: Vec<(String, String)>,
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

async fn rounds_page(ctx: &RequestCtx, state: &AppState, v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let today = state.today();
    let ids = work::round_ids(&state.guohe, &p).await;
    let rounds = state
        .guohe
        .read(|w, _, _| {
            let mut r: Vec<_> = ids
                .iter()
                .filter_map(|id| w.round(id))
                .filter(|r| p.works_under(&r.policy))
                .map(|r| {
                    let open = r.closed_on.is_none() && r.opens_on <= today && today <= r.closes_on;
                    let st = if r.closed_on.is_some() {
                        l.t("已关闭", "Closed")
                    } else if today < r.opens_on {
                        l.t("未开始", "Upcoming")
                    } else if open {
                        l.t("受理中", "Open")
                    } else {
                        l.t("已截止", "Ended")
                    };
                    let n = w.applications().filter(|a| a.round == r.id).count();
                    (
                        r.id.clone(),
                        r.title.clone(),
                        r.policy.clone(),
                        r.opens_on,
                        r.closes_on,
                        st.to_string(),
                        n,
                        r.closed_on.is_none(),
                    )
                })
                .collect();
            r.sort_by_key(|x| std::cmp::Reverse(x.3));
            r
        })
        .await;
    let tpl = RoundsTpl {
        c: ctx.chrome("/dept"),
        rounds,
        policies: work::policy_options(state.guohe.policies(), &p),
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/rounds`.
pub async fn rounds(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    dept_of(&ctx, Action::RunProcedure)?;
    rounds_page(&ctx, &state, Vals::default(), Feedback::none(ctx.lang)).await
}

/// `POST /dept/rounds` (`id`, `policy`, `title`, `opens_on`, `closes_on`).
pub async fn open_round(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let mut errs = Vec::new();
    let id = work::required(&v, "id", 40, &mut errs);
    let policy = work::required(&v, "policy", 40, &mut errs);
    let title = work::required(&v, "title", 200, &mut errs);
    let opens = work::date_field(&v, "opens_on", &mut errs);
    let closes = work::date_field(&v, "closes_on", &mut errs);
    if let (Some(o), Some(c)) = (opens, closes)
        && c < o
    {
        errs.push(FieldError::new(
            "closes_on",
            "截止日期不能早于开始日期",
            "the round cannot close before it opens",
        ));
    }
    if !errs.is_empty() {
        return rounds_page(&ctx, &state, v, Feedback::invalid(l, errs)).await;
    }
    let cmd = json!({"type": "OpenRound", "id": id, "policy": policy, "title": title, "opens_on": opens, "closes_on": closes});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other("/dept/rounds")),
        Err(e) => {
            let fb = Feedback::from_app(l, state.guohe.policies(), e, &work::same_field)?;
            rounds_page(&ctx, &state, v, fb).await
        }
    }
}

/// `POST /dept/rounds/{id}/close`.
pub async fn close_round(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    match work::run(&state, &p, json!({"type": "CloseRound", "round": id})).await? {
        Ok(()) => Ok(see_other("/dept/rounds")),
        Err(e) => {
            let fb = Feedback::from_app(ctx.lang, state.guohe.policies(), e, &work::same_field)?;
            rounds_page(&ctx, &state, Vals::default(), fb).await
        }
    }
}

// ----- the pipeline -----

/// `GET /dept/applications` — every application by stage: filter, search, sort, CSV.
pub async fn applications(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let rows = state
        .guohe
        .read(|w, _, _| {
            w.applications()
                .filter(|a| p.works_under(&a.policy))
                .map(|a| {
                    let (code, label) = work::stage(a.status, l);
                    let reviews = format!("{}/{}", a.completed_reviews(), a.experts.len());
                    Row {
                        cells: vec![
                            Cell::link(a.id.clone(), format!("/dept/applications/{}", a.id)),
                            Cell::text(a.facts.unit.name.clone()),
                            Cell::text(a.facts.technology_domain.clone()),
                            Cell::text(view::country_label(Some(&a.facts.primary_partner.country), l)),
                            Cell::text(view::region_label(Some(&a.facts.unit.region_code))),
                            Cell::text(label).class(&format!("status s-{code}")),
                            Cell::text(reviews.clone()).class("num"),
                            Cell::text(a.submitted_on.to_string()),
                        ],
                        keys: vec![
                            a.id.clone(),
                            a.facts.unit.name.clone(),
                            a.facts.technology_domain.clone(),
                            a.facts.primary_partner.country.clone(),
                            a.facts.unit.region_code.clone(),
                            format!("{:02}", work::STAGES.iter().position(|s| s.0 == a.status).unwrap_or(0)),
                            reviews,
                            a.submitted_on.to_string(),
                        ],
                        tags: [
                            ("stage".to_string(), code.to_string()),
                            ("policy".to_string(), a.policy.clone()),
                            ("round".to_string(), a.round.clone()),
                        ]
                        .into_iter()
                        .collect(),
                    }
                })
                .collect::<Vec<_>>()
        })
        .await;
    let rounds: Vec<(String, String)> = work::round_ids(&state.guohe, &p)
        .await
        .into_iter()
        .map(|r| (r.clone(), r))
        .collect();
    work::list_page(
        ctx.chrome("/dept"),
        &q,
        "/dept/applications",
        l.t("申报办理（按阶段）", "Applications by stage").into(),
        String::new(),
        vec![
            ("/dept/rounds".into(), l.t("申报批次", "Rounds").into()),
            ("/dept/notices".into(), l.t("公示", "Notices").into()),
        ],
        vec![
            l.t("编号", "Id").into(),
            l.t("依托单位", "Support unit").into(),
            l.t("技术领域", "Domain").into(),
            l.t("合作国别", "Partner country").into(),
            l.t("地区", "Region").into(),
            l.t("阶段", "Stage").into(),
            l.t("评审完成", "Reviews").into(),
            l.t("提交日期", "Submitted").into(),
        ],
        vec![
            ("stage".into(), l.t("阶段", "Stage").into(), work::stage_options(l)),
            (
                "policy".into(),
                l.t("办法", "Policy").into(),
                work::policy_options(state.guohe.policies(), &p),
            ),
            ("round".into(), l.t("批次", "Round").into(), rounds),
        ],
        rows,
        "applications.csv",
    )
}

// ----- one application -----

/// The review summary of an application.
#[derive(Debug, Clone, Default)]
pub struct ReviewSummary {
    /// Completed reviews.
    pub count: usize,
    /// Mean score.
    pub mean: String,
    /// Max − min.
    pub spread: String,
    /// Count of each conclusion: (label, n).
    pub conclusions: Vec<(String, usize)>,
    /// Each review: (expert, unit, score, conclusion, comments).
    pub reviews: Vec<(String, String, String, String, String)>,
}

/// The review summary from the assignments, each expert by name and unit.
pub fn summary(
    a: &ApplicationCase,
    policy: Option<&guohe_policy::Policy>,
    l: Lang,
    names: &super::panels::ExpertNames,
) -> ReviewSummary {
    let done: Vec<_> = a
        .experts
        .iter()
        .filter_map(|(id, e)| e.review.as_ref().map(|r| (id, e, r)))
        .collect();
    let scores: Vec<Decimal> = done.iter().map(|x| x.2.score).collect();
    let mut s = ReviewSummary {
        count: done.len(),
        ..ReviewSummary::default()
    };
    if !scores.is_empty() {
        let sum: Decimal = scores.iter().copied().sum();
        s.mean = (sum / Decimal::from(scores.len() as u64))
            .round_dp(2)
            .normalize()
            .to_string();
        let max = scores.iter().max().copied().unwrap_or_default();
        let min = scores.iter().min().copied().unwrap_or_default();
        s.spread = (max - min).normalize().to_string();
    }
    let vocab = policy
        .map(|p| p.vocabularies.expert_conclusions.clone())
        .unwrap_or_default();
    s.conclusions = vocab
        .iter()
        .map(|t| {
            (
                l.t(&t.zh, &t.en).to_string(),
                done.iter().filter(|x| x.2.conclusion == t.code).count(),
            )
        })
        .collect();
    s.reviews = a
        .experts
        .iter()
        .map(|(id, e)| match &e.review {
            Some(r) => (
                names.of(id),
                e.unit_uscc.clone(),
                r.score.to_string(),
                work::term_label(&vocab, &r.conclusion, l),
                r.comments.clone(),
            ),
            None => (
                names.of(id),
                e.unit_uscc.clone(),
                String::new(),
                l.t("未提交", "pending").into(),
                String::new(),
            ),
        })
        .collect();
    s
}

/// The department's view of one application.
#[derive(Template)]
#[template(path = "dept_application.html")]
pub struct DeptAppTpl {
    /// Layout.
    pub c: Chrome,
    /// The case.
    pub k: CaseView,
    /// Messages.
    pub fb: Feedback,
    /// Form values.
    pub v: Vals,
    /// Review summary.
    pub s: ReviewSummary,
    /// Experts to choose: (login, label).
    pub experts: Vec<(String, String)>,
    /// Experts may be assigned now.
    pub can_assign: bool,
    /// A decision may be made now.
    pub can_decide: bool,
    /// May be named now (in notice).
    pub can_name: bool,
    /// Minimum reviews.
    pub min_experts: u32,
    /// Decisions: (code, label).
    pub decisions: Vec<(String, String)>,
    /// Declared conflicts.
    pub conflicts: Vec<String>,
    /// Notice end, if in notice.
    pub notice_ends: String,
}

async fn app_page(ctx: &RequestCtx, state: &AppState, id: &str, mut v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let a = state
        .guohe
        .read(|w, _, _| w.application(id).cloned())
        .await
        .ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    let policies = state.guohe.policies();
    let policy = policies.get(&a.policy);
    let experts = state
        .accounts
        .accounts()
        .await?
        .into_iter()
        .filter(|x| {
            x.role == AccountRole::Expert && x.active && x.province == p.province && !a.experts.contains_key(&x.login)
        })
        .map(|x| {
            let unit = if x.profile.unit_name.is_empty() {
                x.login.clone()
            } else {
                x.profile.unit_name.clone()
            };
            (x.login.clone(), format!("{}（{unit}）", x.display_name))
        })
        .collect();
    let notice_ends = match &a.notice {
        Some(n) => state
            .guohe
            .read(|w, _, _| w.notice(n).map(|n| n.ends_on.to_string()))
            .await
            .unwrap_or_default(),
        None => String::new(),
    };
    if v.get("on").is_empty() {
        v.set("on", state.today().to_string());
    }
    if v.get("base_id").is_empty() {
        v.set("base_id", a.id.clone());
    }
    let tpl = DeptAppTpl {
        c: ctx.chrome("/dept"),
        k: work::case_view(state, &a, Audience::Department, l, "/dept/applications").await?,
        s: summary(&a, policy, l, &super::panels::ExpertNames::load(state).await?),
        experts,
        can_assign: matches!(
            a.status,
            guohe_domain::ApplicationStatus::Recommended | guohe_domain::ApplicationStatus::UnderReview
        ),
        can_decide: a.status == guohe_domain::ApplicationStatus::UnderReview,
        can_name: a.status == guohe_domain::ApplicationStatus::InNotice,
        min_experts: policy.map(|p| p.procedure.expert_review.min_experts).unwrap_or(0),
        decisions: policy
            .map(|p| {
                p.vocabularies
                    .decisions
                    .iter()
                    .map(|t| (t.code.clone(), l.t(&t.zh, &t.en).to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        conflicts: a.conflicts.iter().cloned().collect(),
        notice_ends,
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/applications/{id}`.
pub async fn application(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<Response> {
    app_page(&ctx, &state, &id, Vals::default(), Feedback::none(ctx.lang)).await
}

/// `POST /dept/applications/{id}/experts` (`expert_id`, `reason`) — the expert's unit comes from the
/// account; the domain refuses the applicant's own unit and declared conflicts.
pub async fn assign(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let expert = v.t("expert_id");
    let account = match expert.is_empty() {
        true => None,
        false => state
            .accounts
            .account(&expert)
            .await?
            .filter(|a| a.role == AccountRole::Expert),
    };
    let Some(account) = account else {
        let fb = Feedback::invalid(
            l,
            vec![FieldError::new("expert_id", "请选择评审专家", "choose an expert")],
        );
        return app_page(&ctx, &state, &id, v, fb).await;
    };
    let cmd = json!({"type": "AssignExpert", "application": id, "expert_id": account.login, "expert_unit_uscc": account.org_id.unwrap_or_default(), "reason": v.t("reason")});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => {
            app_page(
                &ctx,
                &state,
                &id,
                Vals::default(),
                Feedback::ok(l, l.t("已指派评审专家。", "Expert assigned.").into()),
            )
            .await
        }
        Err(e) => {
            let map = |f: &str| {
                if f == "expert_unit_uscc" {
                    "expert_id".to_string()
                } else {
                    f.to_string()
                }
            };
            let fb = Feedback::from_app(l, state.guohe.policies(), e, &map)?;
            app_page(&ctx, &state, &id, v, fb).await
        }
    }
}

/// `POST /dept/applications/{id}/decide` (`decision`, `reasons`, `confirmed`).
pub async fn decide(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let a = state
        .guohe
        .read(|w, _, _| w.application(&id).cloned())
        .await
        .ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    let policies = state.guohe.policies();
    let policy = policies.get(&a.policy).ok_or(WebError::NotFound)?;
    let mut errs = Vec::new();
    let decision = work::required(&v, "decision", 40, &mut errs);
    if !decision.is_empty() && !policy.vocabularies.decisions.iter().any(|t| t.code == decision) {
        errs.push(FieldError::new("decision", "请选择认定结论", "choose a decision"));
    }
    let reasons = work::optional(&v, "reasons", 2000, &mut errs);
    if decision == "reject" && reasons.is_empty() {
        errs.push(FieldError::new(
            "reasons",
            "不同意须载明理由",
            "a rejection needs reasons",
        ));
    }
    if !errs.is_empty() {
        return app_page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    if !confirmed(&v) {
        let s = summary(&a, Some(policy), l, &super::panels::ExpertNames::load(&state).await?);
        let label = work::term_label(&policy.vocabularies.decisions, &decision, l);
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(format!("作出认定结论：{label}"), format!("Decide: {label}")),
            facts: vec![
                (
                    l.t("申报", "Application").into(),
                    format!("{id} · {} · {}", a.facts.unit.name, a.facts.technology_domain),
                ),
                (
                    l.t("评审", "Reviews").into(),
                    format!(
                        "{} · {} {} · {} {}",
                        s.count,
                        l.t("平均分", "mean"),
                        s.mean,
                        l.t("极差", "spread"),
                        s.spread
                    ),
                ),
                (l.t("结论", "Decision").into(), label.clone()),
                (l.t("理由", "Reasons").into(), v.t("reasons")),
            ],
            consequence: if decision == "approve" {
                l.t(
                    "同意认定后，可列入公示。",
                    "Once approved, the application can be published for public notice.",
                )
                .into()
            } else {
                l.t("不同意认定，本申报办结。", "Rejected: the application ends.")
                    .into()
            },
            articles: work::quotes(policies, &[work::cite(policy, policy.procedure.decision.article)], l),
            action: format!("/dept/applications/{id}/decide"),
            hidden: ConfirmTpl::hidden_of(&v),
            back: format!("/dept/applications/{id}"),
        });
    }
    let cmd = json!({"type": "Decide", "application": id, "decision": decision, "reasons": v.t("reasons")});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/applications/{id}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
            app_page(&ctx, &state, &id, v, fb).await
        }
    }
}

/// `POST /dept/applications/{id}/name` (`base_id`, `on`, `confirmed`) — the confirmation shows
/// the official name from the policy's template first.
pub async fn name(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let a = state
        .guohe
        .read(|w, _, _| w.application(&id).cloned())
        .await
        .ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    let policies = state.guohe.policies();
    let policy = policies.get(&a.policy).ok_or(WebError::NotFound)?;
    let mut errs = Vec::new();
    let base_id = work::required(&v, "base_id", 40, &mut errs);
    let on = work::date_field(&v, "on", &mut errs);
    if !errs.is_empty() {
        return app_page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    if !confirmed(&v) {
        let f = &a.facts;
        let official =
            guohe_policy::naming::official_name(policy, &f.technology_domain, f.category.as_deref(), &f.unit.name)
                .unwrap_or_else(|e| e.message_zh());
        let mut cites = vec![work::cite(policy, policy.procedure.naming.article)];
        cites.push(work::cite(policy, policy.procedure.naming.announcement_article));
        cites.push(work::cite(policy, policy.procedure.public_notice.article));
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(format!("命名：{official}"), format!("Name: {official}")),
            facts: vec![
                (l.t("基地正式名称", "Official name").into(), official),
                (l.t("依托单位", "Support unit").into(), f.unit.name.clone()),
                (l.t("基地编号", "Base id").into(), base_id),
                (
                    l.t("命名日期", "Named on").into(),
                    on.map(|d| d.to_string()).unwrap_or_default(),
                ),
            ],
            consequence: l
                .t(
                    "命名后基地列入名录并发布公告。",
                    "Once named, the base goes on the register and is announced.",
                )
                .into(),
            articles: work::quotes(policies, &cites, l),
            action: format!("/dept/applications/{id}/name"),
            hidden: ConfirmTpl::hidden_of(&v),
            back: format!("/dept/applications/{id}"),
        });
    }
    let cmd = json!({"type": "Name", "application": id, "base_id": base_id, "on": on});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/applications/{id}"))),
        Err(e) => {
            let map = |f: &str| {
                if f.starts_with("facts.") {
                    "base_id".to_string()
                } else {
                    f.to_string()
                }
            };
            let fb = Feedback::from_app(l, policies, e, &map)?;
            app_page(&ctx, &state, &id, v, fb).await
        }
    }
}

// ----- notices -----

/// Notices, and the form to start one.
#[derive(Template)]
#[template(path = "dept_notices.html")]
pub struct NoticesTpl {
    /// Layout.
    pub c: Chrome,
    /// Approved applications awaiting notice: (id, label).
    pub approved: Vec<(String, String)>,
    /// Notices: (id, start, end, listed, open objections).
    pub notices: Vec<(String, NaiveDate, NaiveDate, usize, usize)>,
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

async fn notices_page(ctx: &RequestCtx, state: &AppState, mut v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let (approved, notices) = state
        .guohe
        .read(|w, _, _| {
            let mut approved: Vec<(String, String)> = w
                .applications()
                .filter(|a| p.works_under(&a.policy) && a.status == guohe_domain::ApplicationStatus::Approved)
                .map(|a| {
                    (
                        a.id.clone(),
                        format!("{} · {} · {}", a.id, a.facts.unit.name, a.facts.technology_domain),
                    )
                })
                .collect();
            approved.sort();
            let ids: std::collections::BTreeSet<String> = w.applications().filter_map(|a| a.notice.clone()).collect();
            let mut notices: Vec<_> = ids
                .iter()
                .filter_map(|id| w.notice(id))
                .filter(|n| p.works_under(&n.policy))
                .map(|n| {
                    (
                        n.id.clone(),
                        n.starts_on,
                        n.ends_on,
                        n.applications.len(),
                        n.objections.values().filter(|o| o.resolution.is_none()).count(),
                    )
                })
                .collect();
            notices.sort_by_key(|x| std::cmp::Reverse(x.1));
            (approved, notices)
        })
        .await;
    if v.get("starts_on").is_empty() {
        v.set("starts_on", state.today().to_string());
    }
    let _ = l;
    let tpl = NoticesTpl {
        c: ctx.chrome("/dept"),
        approved,
        notices,
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/notices`.
pub async fn notices(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    notices_page(&ctx, &state, Vals::default(), Feedback::none(ctx.lang)).await
}

/// `POST /dept/notices` (`notice_id`, `applications` repeated, `starts_on`, `confirmed`) — the
/// confirmation shows the end date computed on the working-day calendar.
pub async fn start_notice(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let mut errs = Vec::new();
    let notice_id = work::required(&v, "notice_id", 40, &mut errs);
    let starts = work::date_field(&v, "starts_on", &mut errs);
    let apps = v.all("applications");
    if apps.is_empty() {
        errs.push(FieldError::new(
            "applications",
            "请选择列入公示的申报",
            "choose the applications to publish",
        ));
    }
    if !errs.is_empty() {
        return notices_page(&ctx, &state, v, Feedback::invalid(l, errs)).await;
    }
    let listed: Vec<String> = state
        .guohe
        .read(|w, _, _| {
            apps.iter()
                .filter_map(|a| w.application(a))
                .map(|a| a.policy.clone())
                .collect()
        })
        .await;
    for policy in &listed {
        p.in_province(policy)?;
    }
    let policies = state.guohe.policies();
    if !confirmed(&v) {
        let policy_id = state
            .guohe
            .read(|w, _, _| w.application(&apps[0]).map(|a| a.policy.clone()))
            .await
            .unwrap_or_default();
        let Some(policy) = policies.get(&policy_id) else {
            let fb = Feedback::invalid(
                l,
                vec![FieldError::new("applications", "申报不存在", "no such application")],
            );
            return notices_page(&ctx, &state, v, fb).await;
        };
        let pn = &policy.procedure.public_notice;
        let counting = match pn.counting {
            guohe_policy::model::Counting::IncludeStart => guohe_calendar::Counting::IncludeStart,
            guohe_policy::model::Counting::ExcludeStart => guohe_calendar::Counting::ExcludeStart,
        };
        let start = starts.unwrap_or_else(|| state.today());
        let ends = state
            .guohe
            .read(|_, cal, _| cal.add_working_days(start, pn.working_days, counting))
            .await;
        let ends = match ends {
            Ok(d) => d.to_string(),
            Err(e) => {
                let fb = Feedback::invalid(
                    l,
                    vec![FieldError::new(
                        "starts_on",
                        format!("无法按工作日计算公示期：{e}"),
                        format!("cannot count working days: {e}"),
                    )],
                );
                return notices_page(&ctx, &state, v, fb).await;
            }
        };
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(format!("发布公示 {notice_id}"), format!("Publish notice {notice_id}")),
            facts: vec![
                (l.t("公示编号", "Notice").into(), notice_id),
                (l.t("列入公示的申报", "Applications").into(), apps.join("、")),
                (l.t("公示开始", "Starts on").into(), start.to_string()),
                (
                    l.t("公示截止（按工作日计算）", "Ends on (working days)").into(),
                    format!("{ends}（{} {}）", pn.working_days, l.t("个工作日", "working days")),
                ),
            ],
            consequence: l
                .t(
                    "公示期内任何单位和个人可实名提出异议。",
                    "During the notice anyone may object in their real name.",
                )
                .into(),
            articles: work::quotes(
                policies,
                &[
                    work::cite(policy, pn.article),
                    work::cite(policy, pn.objections_article),
                ],
                l,
            ),
            action: "/dept/notices".into(),
            hidden: ConfirmTpl::hidden_of(&v),
            back: "/dept/notices".into(),
        });
    }
    let cmd = json!({"type": "StartPublicNotice", "notice_id": notice_id, "applications": apps, "starts_on": starts});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/notices/{notice_id}"))),
        Err(e) => {
            let map = |f: &str| {
                if f.starts_with("applications") {
                    "applications".to_string()
                } else {
                    f.to_string()
                }
            };
            let fb = Feedback::from_app(l, policies, e, &map)?;
            notices_page(&ctx, &state, v, fb).await
        }
    }
}

/// A notice with its objections, for the department.
#[derive(Template)]
#[template(path = "dept_notice.html")]
pub struct NoticeTpl {
    /// Layout.
    pub c: Chrome,
    /// Id.
    pub id: String,
    /// Period.
    pub period: String,
    /// Listed: (application id, label, stage).
    pub listed: Vec<(String, String, String)>,
    /// Objections: (id, application, name, contact, content, lodged, resolution).
    pub objections: Vec<(String, String, String, String, String, NaiveDate, String)>,
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

async fn notice_page(ctx: &RequestCtx, state: &AppState, id: &str, v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let policy = state
        .guohe
        .read(|w, _, _| w.notice(id).map(|n| n.policy.clone()))
        .await
        .ok_or(WebError::NotFound)?;
    p.in_province(&policy)?;
    let found = state
        .guohe
        .read(|w, _, _| {
            let n = w.notice(id)?;
            let listed = n
                .applications
                .iter()
                .filter_map(|a| w.application(a))
                .map(|a| {
                    (
                        a.id.clone(),
                        format!("{} · {}", a.facts.unit.name, a.facts.technology_domain),
                        work::stage(a.status, l).1,
                    )
                })
                .collect();
            let objections: Vec<(String, String, String, String, String, NaiveDate, String)> = n
                .objections
                .values()
                .map(|o| {
                    let res = match &o.resolution {
                        Some((text, upheld, on)) => format!(
                            "{on} {}：{text}",
                            if *upheld {
                                l.t("异议成立", "upheld")
                            } else {
                                l.t("异议不成立", "not upheld")
                            }
                        ),
                        None => String::new(),
                    };
                    (
                        o.id.clone(),
                        o.application.clone(),
                        o.objector_real_name.clone(),
                        o.contact.clone(),
                        o.content.clone(),
                        o.lodged_on,
                        res,
                    )
                })
                .collect();
            Some((format!("{} — {}", n.starts_on, n.ends_on), listed, objections))
        })
        .await;
    let (period, listed, mut objections) = found.ok_or(WebError::NotFound)?;
    // The department follows objections up: it sees the objector's name and contact in full.
    for o in objections.iter_mut() {
        o.2 = state.guohe.reveal(&o.2).await?.full(l == Lang::Zh);
        o.3 = state.guohe.reveal(&o.3).await?.full(l == Lang::Zh);
    }
    let tpl = NoticeTpl {
        c: ctx.chrome("/dept"),
        id: id.into(),
        period,
        listed,
        objections,
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/notices/{id}`.
pub async fn notice(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    notice_page(&ctx, &state, &id, Vals::default(), Feedback::none(ctx.lang)).await
}

/// `POST /dept/objections/{id}/resolve` (`resolution`, `upheld` = `yes`|`no`, `confirmed`).
pub async fn resolve(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let notice_id = id.rsplit_once('-').map(|x| x.0.to_string()).unwrap_or_default();
    let found = state
        .guohe
        .read(|w, _, _| {
            let n = w.notice(&notice_id)?;
            n.objections
                .get(&id)
                .map(|o| (n.policy.clone(), o.application.clone(), o.content.clone()))
        })
        .await;
    let (policy_id, app, content) = found.ok_or(WebError::NotFound)?;
    p.in_province(&policy_id)?;
    let mut errs = Vec::new();
    let resolution = work::required(&v, "resolution", 2000, &mut errs);
    let upheld = v.get("upheld") == "yes";
    if !errs.is_empty() {
        return notice_page(&ctx, &state, &notice_id, v, Feedback::invalid(l, errs)).await;
    }
    let policies = state.guohe.policies();
    if !confirmed(&v) {
        let policy = policies.get(&policy_id).ok_or(WebError::NotFound)?;
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(format!("处理异议 {id}"), format!("Resolve objection {id}")),
            facts: vec![
                (l.t("异议对象", "Application").into(), app),
                (l.t("异议内容", "Objection").into(), content),
                (l.t("处理意见", "Resolution").into(), resolution),
                (
                    l.t("结论", "Finding").into(),
                    if upheld {
                        l.t("异议成立", "Upheld")
                    } else {
                        l.t("异议不成立", "Not upheld")
                    }
                    .into(),
                ),
            ],
            consequence: if upheld {
                l.t("异议成立：该申报不予认定。", "Upheld: the application is rejected.")
                    .into()
            } else {
                l.t(
                    "异议不成立：公示期满后可命名。",
                    "Not upheld: the base may be named after the notice.",
                )
                .into()
            },
            articles: work::quotes(
                policies,
                &[work::cite(policy, policy.procedure.public_notice.objections_article)],
                l,
            ),
            action: format!("/dept/objections/{id}/resolve"),
            hidden: ConfirmTpl::hidden_of(&v),
            back: format!("/dept/notices/{notice_id}"),
        });
    }
    let cmd = json!({"type": "ResolveObjection", "objection": id, "resolution": resolution, "upheld": upheld});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/notices/{notice_id}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
            notice_page(&ctx, &state, &notice_id, v, fb).await
        }
    }
}

// ----- bases -----

/// `GET /dept/bases` — every base with its status and what is due.
pub async fn bases(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RecordOutcomes)?;
    let l = ctx.lang;
    let today = state.today();
    let rows = state
        .guohe
        .read(|w, _, policies| {
            w.bases()
                .filter(|b| p.works_under(&b.policy))
                .map(|b| {
                    let s = b.status_on(today).unwrap_or(b.status);
                    let code = view::status_code(s);
                    let pending = b
                        .major_changes
                        .values()
                        .filter(|c| c.status == ChangeStatus::Pending)
                        .count();
                    Row {
                        cells: vec![
                            Cell::link(b.official_name.clone(), format!("/dept/bases/{}", b.id)),
                            Cell::text(b.unit_name.clone()),
                            Cell::text(b.domain.clone()),
                            Cell::text(b.recognised_on.to_string()),
                            Cell::text(view::status_label(s, l)).class(&format!("status s-{code}")),
                            Cell::text(super::unit::next_due(b, policies.get(&b.policy), today, l)),
                            Cell::text(pending.to_string()).class("num"),
                        ],
                        keys: vec![
                            b.official_name.clone(),
                            b.unit_name.clone(),
                            b.domain.clone(),
                            b.recognised_on.to_string(),
                            code.into(),
                            String::new(),
                            format!("{pending:04}"),
                        ],
                        tags: [
                            ("status".to_string(), code.to_string()),
                            ("policy".to_string(), b.policy.clone()),
                        ]
                        .into_iter()
                        .collect(),
                    }
                })
                .collect::<Vec<_>>()
        })
        .await;
    work::list_page(
        ctx.chrome("/dept"),
        &q,
        "/dept/bases",
        l.t("基地管理", "Bases").into(),
        l.t(
            "年度考核、评估、复评、查实情形与重大事项审核。",
            "Annual assessments, evaluations, re-evaluations, findings and major changes.",
        )
        .into(),
        vec![("/dept/audit".into(), l.t("审计日志", "Audit log").into())],
        vec![
            l.t("基地", "Base").into(),
            l.t("依托单位", "Support unit").into(),
            l.t("技术领域", "Domain").into(),
            l.t("认定日期", "Recognised").into(),
            l.t("状态", "Status").into(),
            l.t("下一项待办", "Next due").into(),
            l.t("待审重大事项", "Pending changes").into(),
        ],
        vec![
            (
                "status".into(),
                l.t("状态", "Status").into(),
                view::STATUSES
                    .iter()
                    .map(|(c, zh, en)| (c.to_string(), l.t(zh, en).to_string()))
                    .collect(),
            ),
            (
                "policy".into(),
                l.t("办法", "Policy").into(),
                work::policy_options(state.guohe.policies(), &p),
            ),
        ],
        rows,
        "bases.csv",
    )
}

/// A base for the department, with the forms that record outcomes.
#[derive(Template)]
#[template(path = "dept_base.html")]
pub struct DeptBaseTpl {
    /// Layout.
    pub c: Chrome,
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Status code.
    pub status_code: String,
    /// Status label.
    pub status: String,
    /// Facts.
    pub facts: Vec<(String, String)>,
    /// Annual assessments apply (Hubei).
    pub annual: bool,
    /// Annual grades: (code, label).
    pub annual_grades: Vec<(String, String)>,
    /// Evaluation grades: (code, label).
    pub evaluation_grades: Vec<(String, String)>,
    /// Findings: (code, label with article).
    pub findings: Vec<(String, String)>,
    /// Pending changes awaiting the department: (id, kind, description).
    pub pending: Vec<(String, String, String)>,
    /// Changes: (id, kind, description, status).
    pub changes: Vec<(String, String, String, String)>,
    /// On the register.
    pub active: bool,
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

async fn base_page(ctx: &RequestCtx, state: &AppState, id: &str, mut v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx, Action::RecordOutcomes)?;
    let l = ctx.lang;
    let today = state.today();
    let (b, policy) = state
        .guohe
        .read(|w, _, policies| w.base(id).map(|b| (b.clone(), policies.get(&b.policy).cloned())))
        .await
        .ok_or(WebError::NotFound)?;
    p.in_province(&b.policy)?;
    let policy = policy.ok_or(WebError::NotFound)?;
    let terms = |t: &[guohe_policy::model::Term]| {
        t.iter()
            .map(|t| (t.code.clone(), l.t(&t.zh, &t.en).to_string()))
            .collect::<Vec<_>>()
    };
    let kinds = &policy.vocabularies.major_change_kinds;
    let s = b.status_on(today).unwrap_or(b.status);
    if v.get("effective_on").is_empty() {
        v.set("effective_on", today.to_string());
    }
    if v.get("year").is_empty() {
        v.set("year", (today.year() - 1).to_string());
    }
    let tpl = DeptBaseTpl {
        c: ctx.chrome("/dept"),
        id: b.id.clone(),
        name: b.official_name.clone(),
        status_code: view::status_code(s).into(),
        status: view::status_label(s, l),
        facts: vec![
            (
                l.t("依托单位", "Support unit").into(),
                format!("{}（{}）", b.unit_name, b.uscc),
            ),
            (l.t("技术领域", "Domain").into(), b.domain.clone()),
            (l.t("基地负责人", "Director").into(), b.director.clone()),
            (l.t("认定日期", "Recognised on").into(), b.recognised_on.to_string()),
            (
                l.t("年度报告", "Annual reports").into(),
                b.reports.keys().map(|y| y.to_string()).collect::<Vec<_>>().join("、"),
            ),
            (
                l.t("年度考核", "Annual grades").into(),
                b.annual_grades
                    .iter()
                    .map(|(y, g)| {
                        format!(
                            "{y}: {}",
                            view::grade_label(state.guohe.policies(), &b.policy, &g.grade, l)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            (
                l.t("评估", "Evaluations").into(),
                b.evaluations
                    .iter()
                    .map(|e| {
                        format!(
                            "{} {}",
                            e.on,
                            view::grade_label(state.guohe.policies(), &b.policy, &e.grade, l)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            (
                l.t("下一项待办", "Next due").into(),
                super::unit::next_due(&b, Some(&policy), today, l),
            ),
        ],
        annual: policy.lifecycle.annual_assessment.is_some(),
        annual_grades: terms(&policy.vocabularies.annual_grades),
        evaluation_grades: terms(&policy.vocabularies.evaluation_grades),
        findings: policy
            .vocabularies
            .findings
            .iter()
            .map(|t| {
                let art = t.article.map(|a| policy.cite_zh(a)).unwrap_or_default();
                (t.code.clone(), format!("{} {art}", l.t(&t.zh, &t.en)))
            })
            .collect(),
        pending: b
            .major_changes
            .iter()
            .filter(|(_, c)| {
                c.status == ChangeStatus::Pending && c.approval.get(c.approved_by.len()) == Some(&Approver::Department)
            })
            .map(|(cid, c)| {
                (
                    cid.clone(),
                    work::term_label(kinds, &c.kind, l),
                    c.details.description.clone(),
                )
            })
            .collect(),
        changes: b
            .major_changes
            .iter()
            .map(|(cid, c)| {
                (
                    cid.clone(),
                    work::term_label(kinds, &c.kind, l),
                    c.details.description.clone(),
                    super::unit::change_status(c.status, c.approved_by.len(), c.approval.len(), l),
                )
            })
            .collect(),
        active: b.status.on_register(),
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/bases/{id}`.
pub async fn base(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    base_page(&ctx, &state, &id, Vals::default(), Feedback::none(ctx.lang)).await
}

/// The consequences a policy attaches to a trigger: (effect label, article citation).
fn consequences_of(policy: &guohe_policy::Policy, trigger: &Trigger, l: Lang) -> (String, Vec<String>) {
    let mut text = Vec::new();
    let mut cites = Vec::new();
    for c in policy.consequences.iter().filter(|c| &c.when == trigger) {
        let effect = match c.then {
            Effect::Rectify => l.t("限期整改", "rectification"),
            Effect::Terminate => l.t("终止并注销命名", "naming terminated"),
            Effect::Revoke => l.t(
                "撤销命名（在办申报予以驳回）",
                "naming revoked (a pending application is rejected)",
            ),
            Effect::Disqualify => l.t(
                "取消资格（并按规定限制重新申请）",
                "disqualified (and barred from reapplying as the policy says)",
            ),
            Effect::ExitNational => l.t("退出省级管理序列", "leaves the provincial register"),
        };
        text.push(format!("{}（{}）", effect, policy.cite_zh(c.article)));
        cites.push(work::cite(policy, c.article));
    }
    (text.join("；"), cites)
}

/// `POST /dept/bases/{id}/{record}` — `record` is `assessment` (`year`, `grade`), `evaluation`
/// (`grade`), `re-evaluation` (`grade`) or `finding` (`finding`, `effective_on`, `evidence`);
/// each through a confirmation that states the consequence and quotes its article.
pub async fn record(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path((id, what)): Path<(String, String)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RecordOutcomes)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let (b, policy) = state
        .guohe
        .read(|w, _, policies| w.base(&id).map(|b| (b.clone(), policies.get(&b.policy).cloned())))
        .await
        .ok_or(WebError::NotFound)?;
    p.in_province(&b.policy)?;
    let policy = policy.ok_or(WebError::NotFound)?;
    let policies = state.guohe.policies();
    let mut errs = Vec::new();
    let (cmd, title, facts, trigger, article): (Value, String, Vec<(String, String)>, Option<Trigger>, String) =
        match what.as_str() {
            "assessment" => {
                let grade = work::required(&v, "grade", 40, &mut errs);
                let year: Option<i32> = v.t("year").parse().ok();
                if year.is_none() {
                    errs.push(FieldError::new("year", "请填写考核年度", "enter the year"));
                }
                let art = policy
                    .lifecycle
                    .annual_assessment
                    .as_ref()
                    .map(|a| work::cite(&policy, a.article))
                    .unwrap_or_default();
                let label = work::term_label(&policy.vocabularies.annual_grades, &grade, l);
                (
                    json!({"type": "RecordAnnualAssessment", "base": id, "year": year, "grade": grade}),
                    l.pick(
                        format!("记录{}年度考核：{label}", year.unwrap_or(0)),
                        format!("Record annual assessment {}: {label}", year.unwrap_or(0)),
                    ),
                    vec![
                        (
                            l.t("年度", "Year").into(),
                            year.map(|y| y.to_string()).unwrap_or_default(),
                        ),
                        (l.t("考核结果", "Grade").into(), label),
                    ],
                    Some(Trigger::ConsecutiveAnnual {
                        grade: grade.clone(),
                        years: 2,
                    }),
                    art,
                )
            }
            "evaluation" | "re-evaluation" => {
                let grade = work::required(&v, "grade", 40, &mut errs);
                let label = work::term_label(&policy.vocabularies.evaluation_grades, &grade, l);
                let re = what == "re-evaluation";
                (
                    json!({"type": if re { "RecordReEvaluation" } else { "RecordEvaluation" }, "base": id, "grade": grade}),
                    if re {
                        l.pick(
                            format!("记录整改后复评：{label}"),
                            format!("Record re-evaluation: {label}"),
                        )
                    } else {
                        l.pick(format!("记录评估结果：{label}"), format!("Record evaluation: {label}"))
                    },
                    vec![(l.t("评估结果", "Grade").into(), label)],
                    Some(if re {
                        Trigger::ReEvaluation { grade }
                    } else {
                        Trigger::Evaluation { grade }
                    }),
                    work::cite(&policy, policy.lifecycle.evaluation.article),
                )
            }
            "finding" => {
                let finding = work::required(&v, "finding", 60, &mut errs);
                let on = work::date_field(&v, "effective_on", &mut errs);
                let evidence = work::required(&v, "evidence", 4000, &mut errs);
                let term = policy.vocabularies.findings.iter().find(|t| t.code == finding);
                if !finding.is_empty() && term.is_none() {
                    errs.push(FieldError::new("finding", "请选择情形", "choose a finding"));
                }
                (
                    json!({"type": "RecordFinding", "case": format!("base/{id}"), "finding": finding, "effective_on": on, "evidence": evidence}),
                    l.pick(
                        format!("记录查实情形：{}", term.map(|t| t.zh.clone()).unwrap_or_default()),
                        format!("Record finding: {}", term.map(|t| t.en.clone()).unwrap_or_default()),
                    ),
                    vec![
                        (
                            l.t("情形", "Finding").into(),
                            term.map(|t| l.t(&t.zh, &t.en).to_string()).unwrap_or_default(),
                        ),
                        (
                            l.t("生效日期", "Effective on").into(),
                            on.map(|d| d.to_string()).unwrap_or_default(),
                        ),
                        (l.t("证据材料", "Evidence").into(), evidence),
                    ],
                    Some(Trigger::Finding {
                        finding: finding.clone(),
                    }),
                    term.and_then(|t| t.article)
                        .map(|a| work::cite(&policy, a))
                        .unwrap_or_default(),
                )
            }
            _ => return Err(WebError::NotFound),
        };
    if !errs.is_empty() {
        return base_page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    if !confirmed(&v) {
        let (consequence, mut cites) = trigger.map(|t| consequences_of(&policy, &t, l)).unwrap_or_default();
        if !article.is_empty() {
            cites.insert(0, article);
        }
        let consequence = if consequence.is_empty() {
            l.t(
                "按办法记录，无直接后果。",
                "Recorded; no direct consequence under the policy.",
            )
            .to_string()
        } else {
            l.pick(
                format!("按办法将导致：{consequence}"),
                format!("Under the policy this leads to: {consequence}"),
            )
        };
        let mut facts = facts;
        facts.insert(0, (l.t("基地", "Base").into(), b.official_name.clone()));
        let articles: Vec<Quote> = work::quotes(policies, &cites, l);
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title,
            facts,
            consequence,
            articles,
            action: format!("/dept/bases/{id}/{what}"),
            hidden: ConfirmTpl::hidden_of(&v),
            back: format!("/dept/bases/{id}"),
        });
    }
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/bases/{id}"))),
        Err(e) => {
            let map = |f: &str| {
                if f == "case" || f == "base" {
                    "grade".to_string()
                } else {
                    f.to_string()
                }
            };
            let fb = Feedback::from_app(l, policies, e, &map)?;
            base_page(&ctx, &state, &id, v, fb).await
        }
    }
}

/// `POST /dept/bases/{id}/changes/{change}` (`decision` = `approve` | `reject`, `reason`).
pub async fn decide_change(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path((id, change)): Path<(String, String)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    if let Some(errs) = work::change_decision_errors(&v) {
        return base_page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    let cmd = if v.get("decision") == "reject" {
        let reason = v.t("reason");
        json!({"type": "RejectMajorChange", "base": id, "change_id": change, "by": "department", "reason": reason})
    } else {
        json!({"type": "ApproveMajorChange", "base": id, "change_id": change, "by": "department"})
    };
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/bases/{id}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, state.guohe.policies(), e, &work::same_field)?;
            base_page(&ctx, &state, &id, v, fb).await
        }
    }
}

// ----- history and audit -----

/// The history of one case with every event's articles.
#[derive(Template)]
#[template(path = "dept_history.html")]
pub struct HistoryTpl {
    /// Layout.
    pub c: Chrome,
    /// Stream.
    pub stream: String,
    /// Events: (seq, date, kind, actor, payload, articles).
    pub events: Vec<(i64, NaiveDate, String, String, String, Vec<Quote>)>,
}

/// `GET /dept/history?stream=application/…` (or `base/…`, `notice/…`, `round/…`).
pub async fn history(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::ViewStatistics)?;
    let l = ctx.lang;
    let stream = q.get("stream").cloned().unwrap_or_default();
    let policy = state
        .guohe
        .read(|w, _, _| w.policy_of_stream(&stream).map(str::to_string))
        .await
        .ok_or(WebError::NotFound)?;
    p.in_province(&policy)?;
    let policies = state.guohe.policies();
    let events = state
        .guohe
        .history(&stream)
        .await?
        .into_iter()
        .map(|e| {
            let (what, _) = (e.kind.clone(), ());
            (
                e.seq,
                e.occurred_on,
                what,
                e.actor.clone(),
                e.payload.to_string().chars().take(600).collect(),
                work::quotes(policies, &e.articles, l),
            )
        })
        .collect();
    view::render(&HistoryTpl {
        c: ctx.chrome("/dept"),
        stream,
        events,
    })
}
