//! 历史 — the history of one case with every event's articles.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;

use crate::AppState;
use crate::error::WebResult;
use crate::security::RequestCtx;
use crate::view::{self, Chrome};
use std::collections::HashMap;

use axum::extract::Query;

use super::department::dept_of;
use super::work::{self, Quote};
use crate::authz::Action;
use crate::error::WebError;

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
