//! 现场勘验 — the department records a site inspection of an application under expert review,
//! where the regulation provides one (Hubei 第十五条第2项: 必要时组织专家进行现场勘验). The
//! inspectors are chosen from the province's experts by name and unit; what they found is
//! required. Recorded once confirmed, quoting the article.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use guohe_domain::ApplicationStatus;
use serde_json::json;

use super::department::{confirmed, dept_of};
use super::work::{self, ConfirmTpl, Feedback, Quote, Vals, render_status, see_other};
use crate::AppState;
use crate::authz::{self, Action};
use crate::error::{FieldError, WebError, WebResult};
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

/// The form to record a site inspection.
#[derive(Template)]
#[template(path = "dept_site_inspection.html")]
pub struct SiteInspectionTpl {
    /// Layout.
    pub c: Chrome,
    /// Messages.
    pub fb: Feedback,
    /// Form values.
    pub v: Vals,
    /// Application id.
    pub id: String,
    /// The applicant and domain.
    pub label: String,
    /// Experts of the province: (login, 姓名（单位）, checked).
    pub experts: Vec<(String, String, bool)>,
    /// The article providing the inspection, quoted; empty when the policy provides none.
    pub articles: Vec<Quote>,
    /// The application is under expert review (the only stage an inspection is recorded at).
    pub open: bool,
}

/// The province's active experts: (login, 姓名（单位）).
async fn experts_of(state: &AppState, province: &str) -> WebResult<Vec<(String, String)>> {
    Ok(state
        .accounts
        .experts_of_province(province)
        .await?
        .into_iter()
        .filter(|x| x.active && !x.pending_approval)
        .map(|x| {
            let label = if x.profile.unit_name.is_empty() {
                x.display_name.clone()
            } else {
                format!("{}（{}）", x.display_name, x.profile.unit_name)
            };
            (x.login, label)
        })
        .collect())
}

async fn page(ctx: &RequestCtx, state: &AppState, id: &str, v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let a = state.guohe.application(id).await.ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    let policies = state.guohe.policies();
    let policy = policies.get(&a.policy).ok_or(WebError::NotFound)?;
    let articles = policy
        .procedure
        .expert_review
        .site_inspection
        .map(|at| work::quotes(policies, &[work::cite(policy, at)], l))
        .unwrap_or_default();
    let chosen: HashSet<String> = v.all("inspectors").into_iter().collect();
    let experts = experts_of(state, &p.province)
        .await?
        .into_iter()
        .map(|(login, label)| {
            let on = chosen.contains(&login);
            (login, label, on)
        })
        .collect();
    let tpl = SiteInspectionTpl {
        c: ctx.chrome("/dept"),
        id: a.id.clone(),
        label: format!("{} · {}", a.facts.unit.name, a.facts.technology_domain),
        experts,
        articles,
        open: a.status == ApplicationStatus::UnderReview,
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/applications/{id}/site-inspection`.
pub async fn form(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    page(&ctx, &state, &id, Vals::default(), Feedback::none(ctx.lang)).await
}

/// `POST /dept/applications/{id}/site-inspection` (`inspectors` repeated, `findings`,
/// `confirmed`).
pub async fn record(
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
    let experts = experts_of(&state, &p.province).await?;
    let mut errs = Vec::new();
    let inspectors: Vec<String> = v.all("inspectors").into_iter().map(|x| x.trim().to_string()).collect();
    if inspectors.iter().all(String::is_empty) {
        errs.push(FieldError::new(
            "inspectors",
            "请选择参加勘验的专家",
            "choose the experts who inspected",
        ));
    } else if inspectors.iter().any(|x| !experts.iter().any(|(login, _)| login == x)) {
        errs.push(FieldError::new(
            "inspectors",
            "勘验人员须为本省专家库中的专家",
            "inspectors must be experts of the province",
        ));
    }
    let findings = work::required(&v, "findings", 2000, &mut errs);
    if !errs.is_empty() {
        return page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    // Where the policy provides no inspection, or the case is past review, the domain's refusal
    // (with its article) is what the form shows; no confirmation is asked for a step that
    // cannot be taken.
    let article = policy.procedure.expert_review.site_inspection;
    if let (Some(at), false, ApplicationStatus::UnderReview) = (article, confirmed(&v), a.status) {
        let names: Vec<String> = inspectors
            .iter()
            .map(|x| {
                experts
                    .iter()
                    .find(|(login, _)| login == x)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| x.clone())
            })
            .collect();
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(format!("记录现场勘验：{id}"), format!("Record a site inspection: {id}")),
            facts: vec![
                (
                    l.t("申报", "Application").into(),
                    format!("{id} · {} · {}", a.facts.unit.name, a.facts.technology_domain),
                ),
                (l.t("勘验专家", "Inspectors").into(), names.join("、")),
                (l.t("勘验情况", "Findings").into(), findings.clone()),
            ],
            consequence: l
                .t(
                    "勘验情况记入本申报的办理记录，供作出认定结论时参考。",
                    "The findings go on the application's record, for the decision.",
                )
                .into(),
            articles: work::quotes(policies, &[work::cite(policy, at)], l),
            action: format!("/dept/applications/{id}/site-inspection"),
            hidden: ConfirmTpl::hidden_of(&v),
            back: format!("/dept/applications/{id}/site-inspection"),
        });
    }
    let cmd =
        json!({"type": "RecordSiteInspection", "application": id, "inspectors": inspectors, "findings": findings});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/applications/{id}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
            page(&ctx, &state, &id, v, fb).await
        }
    }
}
