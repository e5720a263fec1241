//! The unit's view of one of its applications, and its withdrawal.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use guohe_app::unit_desk;
use guohe_domain::ApplicationStatus;
use serde_json::json;

use super::unit::unit_of;
use super::work::{self, Audience, CaseView, ConfirmTpl, Feedback, Vals, render_status, see_other};
use crate::AppState;
use crate::authz;
use crate::error::{WebError, WebResult};
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

/// The unit's view of one application.
#[derive(Template)]
#[template(path = "unit_application.html")]
pub struct UnitAppTpl {
    /// Layout.
    pub c: Chrome,
    /// The case.
    pub k: CaseView,
    /// Messages.
    pub fb: Feedback,
    /// May be corrected and resubmitted.
    pub returned: bool,
    /// May be withdrawn.
    pub withdrawable: bool,
    /// Values of the withdraw form.
    pub v: Vals,
}

async fn app_page(ctx: &RequestCtx, state: &AppState, id: &str, fb: Feedback, v: Vals) -> WebResult<Response> {
    let (p, _) = unit_of(ctx)?;
    let a = state.guohe.application(id).await.ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    let k = work::case_view(state, &a, Audience::Unit, ctx.lang, "/unit").await?;
    let tpl = UnitAppTpl {
        c: ctx.chrome("/unit"),
        k,
        returned: a.status == ApplicationStatus::Returned,
        withdrawable: unit_desk::withdrawable(a.status),
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /unit/applications/{id}` — progress with articles.
pub async fn application(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    // A message from the submission, held server-side (never from the query string).
    let message = crate::flash::take(&state, &ctx, &headers).await?;
    let fb = if message.is_empty() {
        Feedback::none(ctx.lang)
    } else {
        Feedback::ok(ctx.lang, message)
    };
    app_page(&ctx, &state, &id, fb, Vals::default()).await
}

/// `POST /unit/applications/{id}/withdraw` (`reason`, `confirmed`).
pub async fn withdraw(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (p, _) = unit_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let a = state.guohe.application(&id).await.ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    let mut errs = Vec::new();
    work::optional(&v, "reason", 500, &mut errs);
    if !errs.is_empty() {
        return app_page(&ctx, &state, &id, Feedback::invalid(l, errs), v).await;
    }
    if v.get("confirmed") != "yes" {
        let policies = state.guohe.policies();
        let articles = policies
            .get(&a.policy)
            .map(|pol| work::quotes(policies, &[work::cite(pol, pol.procedure.application.article)], l))
            .unwrap_or_default();
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/unit"),
            title: l.pick(format!("撤回申报 {id}"), format!("Withdraw application {id}")),
            facts: vec![
                (
                    l.t("申报", "Application").into(),
                    format!("{id} · {}", a.facts.technology_domain),
                ),
                (l.t("理由", "Reason").into(), v.t("reason")),
            ],
            consequence: l
                .t("撤回后本申报终止办理。", "Once withdrawn, the application ends.")
                .into(),
            articles,
            action: format!("/unit/applications/{id}/withdraw"),
            hidden: ConfirmTpl::hidden_of(&v),
            back: format!("/unit/applications/{id}"),
        });
    }
    let cmd = json!({"type": "WithdrawApplication", "application": id, "reason": v.t("reason")});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/unit/applications/{id}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, state.guohe.policies(), e, &work::same_field)?;
            app_page(&ctx, &state, &id, fb, v).await
        }
    }
}
