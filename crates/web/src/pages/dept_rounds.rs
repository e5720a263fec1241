//! 申报批次 — the department's rounds: open one, close one.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;

use crate::AppState;
use crate::error::WebResult;
use crate::security::RequestCtx;
use crate::view::Chrome;

use axum::extract::Path;
use serde_json::json;

use super::department::dept_of;
use super::work::{self, Feedback, Vals, render_status, see_other};
use crate::authz::Action;
use crate::error::FieldError;

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
    let rounds = state
        .guohe
        .round_desk(|policy| p.works_under(policy), today)
        .await
        .into_iter()
        .map(|x| {
            let r = x.round;
            (
                r.id,
                r.title,
                r.policy,
                r.opens_on,
                r.closes_on,
                l.t(x.phase.zh(), x.phase.en()).to_string(),
                x.applications,
                r.closed_on.is_none(),
            )
        })
        .collect();
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
