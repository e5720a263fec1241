//! 推荐单位 — the recommender's work area: the queue of applications in its jurisdiction,
//! formal review (recommend with an opinion, or return with reasons), copies of its bases'
//! annual reports, and major changes awaiting its approval where the policy puts the
//! recommender first (湘 第十四条).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use guohe_app::application_desk::RecommenderBase;
use guohe_app::read_models::ApplicationSort;
use guohe_domain::{ApplicationCase, ApplicationStatus, Base};
use guohe_policy::PolicySet;
use serde_json::json;

use super::application_list::{self, ApplicationList};
use super::work::{self, Audience, CaseView, Cell, Feedback, Vals, render_status, see_other};
use crate::AppState;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{FieldError, WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

fn rec_of(ctx: &RequestCtx) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::Recommender)?;
    authz::may(&p, Action::Recommend)?;
    Ok(p)
}

/// `GET /recommender` — the queue: the applications in the jurisdiction, a page at a time from
/// the applications view. By default in stage order, so those waiting for the recommender
/// (已提交待推荐, the first stage) come first; search, filters, sorting and CSV as on the
/// department's list.
pub async fn home(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let p = rec_of(&ctx)?;
    let l = ctx.lang;
    let list = ApplicationList {
        path: "/recommender",
        chrome: ctx.chrome("/recommender"),
        title: l
            .t(
                "推荐工作台：辖区内的申报",
                "Recommender desk: applications in my jurisdiction",
            )
            .into(),
        intro: l
            .t(
                "“已提交待推荐”的申报需进行形式审查，出具推荐意见或退回修改。",
                "Submitted applications await formal review: recommend or return them.",
            )
            .into(),
        actions: vec![(
            "/recommender/bases".into(),
            l.t(
                "辖区基地、年度报告与重大事项",
                "Bases, annual reports and major changes",
            )
            .into(),
        )],
        headings: vec![
            l.t("编号", "Id").into(),
            l.t("依托单位", "Support unit").into(),
            l.t("技术领域", "Domain").into(),
            l.t("地区", "Region").into(),
            l.t("阶段", "Stage").into(),
            l.t("提交日期", "Submitted").into(),
        ],
        sort_by_column,
        default_sort: Some(STAGE_COLUMN),
        filters: application_list::filters(&state, &p, l).await,
        csv_name: "recommender-applications.csv",
    };
    let in_jurisdiction = |a: &ApplicationCase| authz::can_view_application(&p, a).is_ok();
    application_list::serve(&state, &q, list, authz::application_scope(&p, &in_jurisdiction), |a| {
        let (code, label) = work::stage(a.status, l);
        vec![
            Cell::link(a.id.clone(), format!("/recommender/applications/{}", a.id)),
            Cell::text(a.unit),
            Cell::text(a.domain),
            Cell::text(view::region_label(Some(&a.region))),
            Cell::text(label).class(&format!("status s-{code}")),
            Cell::text(a.submitted_on.to_string()),
        ]
    })
    .await
}

/// The stage column, the queue's default order.
const STAGE_COLUMN: usize = 4;

/// The order the applications view keeps for a column of the queue, if it keeps one.
fn sort_by_column(column: usize) -> Option<ApplicationSort> {
    match column {
        0 => Some(ApplicationSort::Id),
        1 => Some(ApplicationSort::Unit),
        STAGE_COLUMN => Some(ApplicationSort::Status),
        5 => Some(ApplicationSort::SubmittedOn),
        _ => None,
    }
}

/// The recommender's view of one application.
#[derive(Template)]
#[template(path = "rec_application.html")]
pub struct RecAppTpl {
    /// Layout.
    pub c: Chrome,
    /// The case.
    pub k: CaseView,
    /// Messages.
    pub fb: Feedback,
    /// Form values.
    pub v: Vals,
    /// Awaiting formal review.
    pub waiting: bool,
}

async fn page(ctx: &RequestCtx, state: &AppState, id: &str, v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = rec_of(ctx)?;
    let a = state.guohe.application(id).await.ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    let k = work::case_view(state, &a, Audience::Recommender, ctx.lang, "/recommender").await?;
    let tpl = RecAppTpl {
        c: ctx.chrome("/recommender"),
        k,
        v,
        waiting: a.status == ApplicationStatus::Submitted && !a.direct,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /recommender/applications/{id}`.
pub async fn application(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<Response> {
    page(&ctx, &state, &id, Vals::default(), Feedback::none(ctx.lang)).await
}

async fn act(
    ctx: &RequestCtx,
    state: &AppState,
    id: &str,
    v: Vals,
    cmd: serde_json::Value,
    ok: String,
) -> WebResult<Response> {
    let p = rec_of(ctx)?;
    let a = state.guohe.application(id).await.ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    match work::run(state, &p, cmd).await? {
        Ok(()) => page(ctx, state, id, Vals::default(), Feedback::ok(ctx.lang, ok)).await,
        Err(e) => {
            let fb = Feedback::from_app(ctx.lang, state.guohe.policies(), e, &work::same_field)?;
            page(ctx, state, id, v, fb).await
        }
    }
}

/// `POST /recommender/applications/{id}/recommend` (`opinion`).
pub async fn recommend(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = rec_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let mut errs = Vec::new();
    let opinion = work::required(&v, "opinion", 2000, &mut errs);
    if !errs.is_empty() {
        return page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    let recommender = match &p.org {
        Some(org) => state
            .accounts
            .organisation(org)
            .await?
            .map(|o| o.name)
            .unwrap_or_else(|| p.display_name.clone()),
        None => p.display_name.clone(),
    };
    let cmd =
        json!({"type": "RecommendApplication", "application": id, "recommender": recommender, "opinion": opinion});
    act(
        &ctx,
        &state,
        &id,
        v,
        cmd,
        l.t("已出具推荐意见。", "Recommended.").into(),
    )
    .await
}

/// `POST /recommender/applications/{id}/return` (`reasons`, one per line).
pub async fn return_application(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    rec_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let reasons: Vec<String> = v
        .get("reasons")
        .lines()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let too_long = v.get("reasons").chars().count() > 2000 || reasons.len() > 30;
    if reasons.is_empty() || too_long {
        let errs = vec![if too_long {
            FieldError::new(
                "reasons",
                "退回理由最多30条、共2000字",
                "at most 30 reasons and 2,000 characters",
            )
        } else {
            FieldError::new(
                "reasons",
                "请逐条填写退回理由（每行一条）",
                "give the reasons, one per line",
            )
        }];
        return page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    let cmd = json!({"type": "ReturnApplication", "application": id, "reasons": reasons});
    act(
        &ctx,
        &state,
        &id,
        v,
        cmd,
        l.t("已退回修改。", "Returned for correction.").into(),
    )
    .await
}

/// A base row with its reports and pending changes.
#[derive(Debug, Clone)]
pub struct RecBase {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Status.
    pub status: String,
    /// Reports: (year, filed, late).
    pub reports: Vec<(i32, String, bool)>,
    /// Changes awaiting this recommender: (change id, kind, description).
    pub pending: Vec<(String, String, String)>,
}

/// Bases in the jurisdiction.
#[derive(Template)]
#[template(path = "rec_bases.html")]
pub struct RecBasesTpl {
    /// Layout.
    pub c: Chrome,
    /// Bases with a major change waiting for this recommender (on every page).
    pub awaiting: Vec<RecBase>,
    /// This page's bases.
    pub bases: Vec<RecBase>,
    /// Bases in the jurisdiction, all pages.
    pub total: usize,
    /// Pages.
    pub pages: Vec<view::PageLink>,
    /// Messages.
    pub fb: Feedback,
    /// The decision just refused, as typed, shown again in its form.
    pub kept: KeptDecision,
}

/// A decision on a major change as the recommender typed it, kept when it is refused.
#[derive(Debug, Clone, Default)]
pub struct KeptDecision {
    /// Base id.
    pub base: String,
    /// Change id.
    pub change: String,
    /// `reject` was chosen.
    pub reject: bool,
    /// The reason typed.
    pub reason: String,
}

impl KeptDecision {
    /// Whether this is the form of change `change` of base `base`.
    pub fn is_for(&self, base: &str, change: &str) -> bool {
        self.base == base && self.change == change
    }
}

/// Bases per page of `/recommender/bases`.
pub const BASES_PER_PAGE: usize = 20;

fn rec_base(b: RecommenderBase, policies: &PolicySet, l: Lang) -> RecBase {
    let kinds = policies
        .get(&b.policy)
        .map(|x| x.vocabularies.major_change_kinds.clone())
        .unwrap_or_default();
    RecBase {
        id: b.id,
        name: b.name,
        status: view::status_label(b.status, l),
        reports: b
            .reports
            .into_iter()
            .map(|(y, on, late)| (y, on.to_string(), late))
            .collect(),
        pending: b
            .awaiting
            .into_iter()
            .map(|(id, kind, description)| (id, work::term_label(&kinds, &kind, l), description))
            .collect(),
    }
}

async fn bases_page(
    ctx: &RequestCtx,
    state: &AppState,
    asked: usize,
    fb: Feedback,
    kept: KeptDecision,
) -> WebResult<Response> {
    let p = rec_of(ctx)?;
    let l = ctx.lang;
    let today = state.today();
    let policies = state.guohe.policies();
    let may_see = |b: &Base, division: &str| {
        authz::can_view_base_in(&p, b, || (!division.is_empty()).then(|| division.to_string())).is_ok()
    };
    let at = |page: usize| {
        state.guohe.recommender_bases(
            &p.jurisdiction.region_prefixes,
            &p.jurisdiction.unit_usccs,
            &may_see,
            today,
            (page - 1) * BASES_PER_PAGE,
            BASES_PER_PAGE,
        )
    };
    let mut found = at(asked).await;
    // A page past the end (a bookmark after the list shrank) shows the last page.
    let last = found.total.div_ceil(BASES_PER_PAGE).max(1);
    let page = asked.min(last);
    if page != asked {
        found = at(page).await;
    }
    let tpl = RecBasesTpl {
        c: ctx.chrome("/recommender"),
        awaiting: found.awaiting.into_iter().map(|b| rec_base(b, policies, l)).collect(),
        bases: found.bases.into_iter().map(|b| rec_base(b, policies, l)).collect(),
        total: found.total,
        pages: view::page_links(last, page, |n| format!("/recommender/bases?page={n}")),
        fb: fb.clone(),
        kept,
    };
    render_status(&tpl, fb.status)
}

/// `GET /recommender/bases` — bases, annual report copies, changes to approve; `?page=N`.
pub async fn bases(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let asked: usize = q.get("page").and_then(|n| n.trim().parse().ok()).unwrap_or(1).max(1);
    bases_page(&ctx, &state, asked, Feedback::none(ctx.lang), KeptDecision::default()).await
}

/// `POST /recommender/bases/{id}/changes/{change}` (`decision` = `approve` | `reject`, `reason`).
pub async fn decide_change(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path((id, change)): Path<(String, String)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = rec_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let allowed = state
        .guohe
        .judge_base(&id, |w, b| authz::can_view_base(&p, w, b))
        .await
        .ok_or(WebError::NotFound)?;
    allowed?;
    let kept = KeptDecision {
        base: id.clone(),
        change: change.clone(),
        reject: v.get("decision") == "reject",
        reason: v.get("reason").to_string(),
    };
    if let Some(errs) = work::change_decision_errors(&v) {
        return bases_page(&ctx, &state, 1, Feedback::invalid(l, errs), kept).await;
    }
    let cmd = if v.get("decision") == "reject" {
        let reason = v.t("reason");
        json!({"type": "RejectMajorChange", "base": id, "change_id": change, "by": "recommender", "reason": reason})
    } else {
        json!({"type": "ApproveMajorChange", "base": id, "change_id": change, "by": "recommender"})
    };
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other("/recommender/bases")),
        Err(e) => {
            let fb = Feedback::from_app(l, state.guohe.policies(), e, &work::same_field)?;
            bases_page(&ctx, &state, 1, fb, kept).await
        }
    }
}
