//! 申报受理 — the department's pipeline and one application: experts, decision, naming.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::AppState;
use crate::authz;
use crate::error::WebResult;
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome};
use std::collections::HashMap;

use axum::extract::{Path, Query};
use guohe_domain::ApplicationCase;
use guohe_store::AccountRole;
use rust_decimal::Decimal;
use serde_json::json;

use super::application_list::{self, ApplicationList};
use super::department::{confirmed, dept_of};
use super::work::{self, Audience, CaseView, Cell, ConfirmTpl, Feedback, Vals, render_status, see_other};
use crate::authz::Action;
use crate::error::{FieldError, WebError};
use guohe_app::application_desk::ApplicationRow;
use guohe_app::read_models::{ApplicationScope, ApplicationSort};

// ----- the pipeline -----

/// `GET /dept/applications` — every application by stage: filter, search, sort, CSV. Served a
/// page at a time from the applications view: the search looks in the id, the unit's name and the
/// domain; the list sorts by id, unit, stage or submission date.
pub async fn applications(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let list = ApplicationList {
        path: "/dept/applications",
        chrome: ctx.chrome("/dept"),
        title: l.t("申报办理（按阶段）", "Applications by stage").into(),
        intro: String::new(),
        actions: vec![
            ("/dept/rounds".into(), l.t("申报批次", "Rounds").into()),
            ("/dept/notices".into(), l.t("公示", "Notices").into()),
        ],
        headings: vec![
            l.t("编号", "Id").into(),
            l.t("依托单位", "Support unit").into(),
            l.t("技术领域", "Domain").into(),
            l.t("合作国别", "Partner country").into(),
            l.t("地区", "Region").into(),
            l.t("阶段", "Stage").into(),
            l.t("评审完成", "Reviews").into(),
            l.t("提交日期", "Submitted").into(),
        ],
        sort_by_column,
        default_sort: None,
        filters: application_list::filters(&state, &p, l).await,
        csv_name: "applications.csv",
    };
    application_list::serve(&state, &q, list, ApplicationScope::Policies(&p.policies), |a| {
        application_cells(a, l)
    })
    .await
}

/// The order the applications view keeps for a column of the list, if it keeps one.
fn sort_by_column(column: usize) -> Option<ApplicationSort> {
    match column {
        0 => Some(ApplicationSort::Id),
        1 => Some(ApplicationSort::Unit),
        5 => Some(ApplicationSort::Status),
        7 => Some(ApplicationSort::SubmittedOn),
        _ => None,
    }
}

/// One application's cells on the list.
fn application_cells(a: ApplicationRow, l: Lang) -> Vec<Cell> {
    let (code, label) = work::stage(a.status, l);
    vec![
        Cell::link(a.id.clone(), format!("/dept/applications/{}", a.id)),
        Cell::text(a.unit),
        Cell::text(a.domain),
        Cell::text(view::country_label(Some(&a.country), l)),
        Cell::text(view::region_label(Some(&a.region))),
        Cell::text(label).class(&format!("status s-{code}")),
        Cell::text(format!("{}/{}", a.completed_reviews, a.experts)).class("num"),
        Cell::text(a.submitted_on.to_string()),
    ]
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

/// The names of a case's experts: those assigned and those who declared a conflict.
async fn case_experts(state: &AppState, a: &ApplicationCase) -> WebResult<super::panels::ExpertNames> {
    super::panels::ExpertNames::of_logins(state, a.experts.keys().chain(&a.conflicts)).await
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
    /// Experts who declared a conflict, by name and unit.
    pub conflicts: Vec<String>,
    /// Notice end, if in notice.
    pub notice_ends: String,
}

async fn app_page(ctx: &RequestCtx, state: &AppState, id: &str, mut v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let a = state.guohe.application(id).await.ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    let policies = state.guohe.policies();
    let policy = policies.get(&a.policy);
    let experts = state
        .accounts
        .experts_of_province(&p.province)
        .await?
        .into_iter()
        .filter(|x| x.active && !x.pending_approval && !a.experts.contains_key(&x.login))
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
            .notice(n)
            .await
            .map(|n| n.ends_on.to_string())
            .unwrap_or_default(),
        None => String::new(),
    };
    if v.get("on").is_empty() {
        v.set("on", state.today().to_string());
    }
    if v.get("base_id").is_empty() {
        v.set("base_id", a.id.clone());
    }
    let names = case_experts(state, &a).await?;
    let tpl = DeptAppTpl {
        c: ctx.chrome("/dept"),
        k: work::case_view(state, &a, Audience::Department, l, "/dept/applications").await?,
        s: summary(&a, policy, l, &names),
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
        conflicts: a.conflicts.iter().map(|x| names.of(x)).collect(),
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
    let a = state.guohe.application(&id).await.ok_or(WebError::NotFound)?;
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
        let s = summary(&a, Some(policy), l, &case_experts(&state, &a).await?);
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
    let a = state.guohe.application(&id).await.ok_or(WebError::NotFound)?;
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
