//! 评审专家 — the expert's work area: only the applications assigned to them (never their own
//! unit's), a score within the policy's range (exact decimal) and a conclusion from the
//! policy's vocabulary, or a declaration of conflict of interest that removes the assignment.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use guohe_domain::ApplicationStatus;
use serde_json::json;

use super::work::{self, Audience, CaseView, Cell, Feedback, Row, Vals, render_status, see_other};
use crate::AppState;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{FieldError, WebError, WebResult};
use crate::security::RequestCtx;
use crate::view::Chrome;

fn expert_of(ctx: &RequestCtx) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::Expert)?;
    authz::may(&p, Action::Review)?;
    Ok(p)
}

/// `GET /expert` — assigned applications, those still to review first.
pub async fn home(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let p = expert_of(&ctx)?;
    let l = ctx.lang;
    let rows = state
        .guohe
        .expert_assignments(&p.account, &|a| authz::can_view_application(&p, a).is_ok())
        .await
        .into_iter()
        .map(|a| {
            let done = a.reviewed;
            let (code, label) = work::stage(a.status, l);
            let mine = if done {
                l.t("已评审", "Reviewed")
            } else {
                l.t("待评审", "To review")
            };
            Row {
                cells: vec![
                    Cell::link(a.id.clone(), format!("/expert/applications/{}", a.id)),
                    Cell::text(a.unit.clone()),
                    Cell::text(a.domain.clone()),
                    Cell::text(label).class(&format!("status s-{code}")),
                    Cell::text(mine),
                ],
                keys: vec![a.id, a.unit, a.domain, code.into(), format!("{}", done as u8)],
                tags: [("mine".to_string(), if done { "done" } else { "todo" }.to_string())]
                    .into_iter()
                    .collect(),
            }
        })
        .collect();
    let mut q = q;
    q.entry("sort".into()).or_insert_with(|| "4".into());
    work::list_page(
        ctx.chrome("/expert"),
        &q,
        "/expert",
        l.t("评审任务", "Review assignments").into(),
        l.t(
            "仅显示指派给您的申报；与您本单位有关的申报不会出现。如存在利益冲突，请申明回避。",
            "Only applications assigned to you are shown, never your own unit's. Declare any conflict of interest.",
        )
        .into(),
        Vec::new(),
        vec![
            l.t("编号", "Id").into(),
            l.t("依托单位", "Support unit").into(),
            l.t("技术领域", "Domain").into(),
            l.t("阶段", "Stage").into(),
            l.t("我的评审", "My review").into(),
        ],
        vec![(
            "mine".into(),
            l.t("我的评审", "My review").into(),
            vec![
                ("todo".into(), l.t("待评审", "To review").into()),
                ("done".into(), l.t("已评审", "Reviewed").into()),
            ],
        )],
        rows,
        "expert-assignments.csv",
    )
}

/// The expert's view of one assigned application.
#[derive(Template)]
#[template(path = "expert_application.html")]
pub struct ExpertAppTpl {
    /// Layout.
    pub c: Chrome,
    /// The case.
    pub k: CaseView,
    /// Messages.
    pub fb: Feedback,
    /// Form values.
    pub v: Vals,
    /// The review may be given now.
    pub open: bool,
    /// The review given: (score, conclusion, comments).
    pub given: Option<(String, String, String)>,
    /// Score range, e.g. "0–100".
    pub range: String,
    /// Conclusions: (code, label).
    pub conclusions: Vec<(String, String)>,
    /// The article on expert review, quoted.
    pub article: Vec<work::Quote>,
}

async fn page(ctx: &RequestCtx, state: &AppState, id: &str, v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = expert_of(ctx)?;
    let l = ctx.lang;
    let a = state.guohe.application(id).await.ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    let policies = state.guohe.policies();
    let policy = policies.get(&a.policy).ok_or(WebError::NotFound)?;
    let er = &policy.procedure.expert_review;
    let mine = a.experts.get(&p.account);
    let given = mine.and_then(|m| m.review.as_ref()).map(|r| {
        (
            r.score.to_string(),
            work::term_label(&policy.vocabularies.expert_conclusions, &r.conclusion, l),
            r.comments.clone(),
        )
    });
    let k = work::case_view(state, &a, Audience::Expert, l, "/expert").await?;
    let tpl = ExpertAppTpl {
        c: ctx.chrome("/expert"),
        k,
        v,
        open: given.is_none() && a.status == ApplicationStatus::UnderReview,
        given,
        range: format!("{}–{}", er.score_min, er.score_max),
        conclusions: policy
            .vocabularies
            .expert_conclusions
            .iter()
            .map(|t| (t.code.clone(), l.t(&t.zh, &t.en).to_string()))
            .collect(),
        article: work::quotes(policies, &[work::cite(policy, er.article)], l),
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /expert/applications/{id}`.
pub async fn application(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<Response> {
    page(&ctx, &state, &id, Vals::default(), Feedback::none(ctx.lang)).await
}

/// `POST /expert/applications/{id}/review` (`score`, `conclusion`, `comments`).
pub async fn review(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = expert_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let a = state.guohe.application(&id).await.ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    let mut errs = Vec::new();
    let score = v.t("score");
    if !work::is_exact_decimal(&score) {
        errs.push(FieldError::new(
            "score",
            "请填写分数（数字，最多4位小数）",
            "enter a score (a number, at most 4 decimals)",
        ));
    }
    let conclusion = work::required(&v, "conclusion", 40, &mut errs);
    if v.t("comments").chars().count() > 4000 {
        errs.push(FieldError::new("comments", "最多4000字", "at most 4000 characters"));
    }
    if !errs.is_empty() {
        return page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    let cmd = json!({"type": "SubmitReview", "application": id, "expert": p.account, "score": score, "conclusion": conclusion, "comments": v.t("comments")});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => {
            page(
                &ctx,
                &state,
                &id,
                Vals::default(),
                Feedback::ok(l, l.t("评审意见已提交。", "Your review was submitted.").into()),
            )
            .await
        }
        Err(e) => {
            let fb = Feedback::from_app(l, state.guohe.policies(), e, &work::same_field)?;
            page(&ctx, &state, &id, v, fb).await
        }
    }
}

/// `POST /expert/applications/{id}/conflict` (`reason`) — 回避; the assignment ends.
pub async fn conflict(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = expert_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let a = state.guohe.application(&id).await.ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    let mut errs = Vec::new();
    let reason = work::required(&v, "reason", 1000, &mut errs);
    if !errs.is_empty() {
        return page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    let cmd = json!({"type": "DeclareConflict", "application": id, "expert": p.account, "reason": reason});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other("/expert")),
        Err(e) => {
            let fb = Feedback::from_app(l, state.guohe.policies(), e, &work::same_field)?;
            page(&ctx, &state, &id, v, fb).await
        }
    }
}
