//! 历史 — the history of one case with every event's articles, as people read it: Beijing time,
//! who by name, what in words. The record's type code stays in a `data-kind` attribute for
//! tools; the raw record is the audit administrator's (`/admin/audit`).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;

use super::department::dept_of;
use super::work::{self, Quote};
use crate::AppState;
use crate::authz::Action;
use crate::error::{WebError, WebResult};
use crate::labels::{self, People};
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

/// One recorded event as the department reads it.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    /// Sequence number on the chain.
    pub seq: i64,
    /// Recorded, Beijing time to the minute.
    pub at: String,
    /// Business date.
    pub on: NaiveDate,
    /// The event kind's code (for the `data-kind` attribute only).
    pub kind: String,
    /// What happened, in words.
    pub what: String,
    /// Who, by name and role.
    pub who: String,
    /// The key fields in words.
    pub detail: String,
    /// Articles applied.
    pub articles: Vec<Quote>,
}

/// The history of one case with every event's articles.
#[derive(Template)]
#[template(path = "dept_history.html")]
pub struct HistoryTpl {
    /// Layout.
    pub c: Chrome,
    /// Stream.
    pub stream: String,
    /// Events, oldest first.
    pub events: Vec<HistoryRow>,
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
    let policy = state.guohe.case_policy(&stream).await.ok_or(WebError::NotFound)?;
    p.in_province(&policy)?;
    let policies = state.guohe.policies();
    let records = state.guohe.history(&stream).await?;
    let people = People::of_records(&state, records.iter().map(|e| (e.actor.as_str(), &e.payload))).await?;
    let events = records
        .into_iter()
        .map(|e| {
            let (zh, en) = labels::event_kind_label(&e.kind);
            HistoryRow {
                seq: e.seq,
                at: labels::beijing_minute(e.recorded_at),
                on: e.occurred_on,
                what: l.t(zh, en).to_string(),
                who: people.actor(&e.actor, l),
                detail: labels::describe(policies, &policy, &e.payload, &people, l),
                articles: work::quotes(policies, &e.articles, l),
                kind: e.kind,
            }
        })
        .collect();
    view::render(&HistoryTpl {
        c: ctx.chrome("/dept"),
        stream,
        events,
    })
}
