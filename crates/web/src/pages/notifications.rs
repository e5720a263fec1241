//! 通知 — every signed-in account's inbox (`/inbox`: list, mark read, paged; which address,
//! masked, reminders are mailed to — the account's own e-mail field, changed on `/account`) and
//! the department's view of the mail outbox (`/dept/notifications`: send and delivery failures,
//! retries waiting).
//!
//! The reminders themselves are computed by `guohe-notify` on the server's clock; these pages
//! only read and mark what it stored.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, FixedOffset, Utc};
use guohe_app::personal::AccountField;
use guohe_store::{MailState, Message};

use crate::AppState;
use crate::authz::{self, Action, Area};
use crate::error::{FieldError, WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{Chrome, render};

/// Messages per inbox page.
pub const PAGE_SIZE: i64 = 20;

/// Rows on the department's page.
const PROBLEM_ROWS: i64 = 200;

/// The notification routes, merged into [`crate::router`].
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/inbox", get(inbox))
        .route("/inbox/read-all", post(read_all))
        .route("/inbox/{id}/read", post(read_one))
        .route("/dept/notifications", get(department))
}

/// China Standard Time, for showing stored UTC times.
fn cst(t: DateTime<Utc>) -> String {
    let zone = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"));
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

fn mail_label(s: MailState, l: Lang) -> &'static str {
    match s {
        MailState::None => l.t("仅站内", "Inbox only"),
        MailState::Pending => l.t("待发送", "Pending"),
        MailState::Sending => l.t("发送中", "Sending"),
        MailState::Sent => l.t("已发送", "Sent"),
        MailState::Failed => l.t("发送失败", "Failed"),
    }
}

/// A message as shown in the inbox.
#[derive(Debug, Clone)]
pub struct InboxRow {
    /// Row id.
    pub id: i64,
    /// Subject.
    pub subject: String,
    /// Text, one paragraph a line.
    pub lines: Vec<String>,
    /// Link into the application.
    pub link: String,
    /// Received.
    pub created: String,
    /// Unread.
    pub unread: bool,
    /// Mail state label.
    pub mail: String,
}

/// `/inbox`.
#[derive(Template)]
#[template(path = "inbox.html")]
pub struct InboxTpl {
    /// Layout.
    pub c: Chrome,
    /// This page's messages.
    pub rows: Vec<InboxRow>,
    /// Messages in all.
    pub total: i64,
    /// Unread in all.
    pub unread: i64,
    /// Current page (1-based).
    pub page: i64,
    /// Last page.
    pub pages: i64,
    /// The address reminders are mailed to, masked (z***@example.cn); empty when the account
    /// has none.
    pub email: String,
    /// Whether mail goes out on this server.
    pub mail_enabled: bool,
}

fn page_of(q: &HashMap<String, String>) -> Result<i64, WebError> {
    match q.get("page").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(1),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=100_000).contains(p))
            .ok_or_else(|| WebError::BadRequest {
                zh: "页码无效".into(),
                en: "invalid page".into(),
                fields: vec![FieldError::new(
                    "page",
                    "页码应为正整数",
                    "the page must be a positive number",
                )],
            }),
    }
}

/// `GET /inbox?page=N` — one's own messages, newest first.
pub async fn inbox(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let p = ctx.require()?;
    let page = page_of(&q)?;
    let l = ctx.lang;
    let store = state.notify.store();
    let (total, unread) = store.inbox_counts(&p.account).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = page.min(pages);
    let rows = store
        .inbox(&p.account, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        .await?
        .into_iter()
        .map(|m: Message| InboxRow {
            id: m.id,
            lines: m.body.lines().map(str::to_string).collect(),
            subject: m.subject,
            link: m.link,
            created: cst(m.created_at),
            unread: m.read_at.is_none(),
            mail: mail_label(m.mail_state, l).into(),
        })
        .collect();
    // The one address an account has: its sealed personal e-mail field, shown masked here.
    let email = state
        .guohe
        .account_email(&p.account)
        .await?
        .map(|e| AccountField::Email.mask(&e))
        .unwrap_or_default();
    render(&InboxTpl {
        c: ctx.chrome("/inbox"),
        rows,
        total,
        unread,
        page,
        pages,
        email,
        mail_enabled: state.notify.mail_enabled(),
    })
}

/// `POST /inbox/{id}/read` — marks one of one's own messages read; another account's id is
/// not found.
pub async fn read_one(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let p = ctx.require()?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    if !state.notify.store().mark_read(&p.account, id, Utc::now()).await? {
        return Err(WebError::NotFound);
    }
    let page = page_of(&q)?;
    Ok(Redirect::to(&format!("/inbox?page={page}")).into_response())
}

/// `POST /inbox/read-all`.
pub async fn read_all(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    let p = ctx.require()?;
    state.notify.store().mark_all_read(&p.account, Utc::now()).await?;
    Ok(Redirect::to("/inbox").into_response())
}

/// A mail problem as shown to the department.
#[derive(Debug, Clone)]
pub struct ProblemRow {
    /// Recipient login.
    pub login: String,
    /// Subject.
    pub subject: String,
    /// State label.
    pub state: String,
    /// Whether it was given up.
    pub failed: bool,
    /// Attempts so far.
    pub attempts: i64,
    /// Next attempt, if any.
    pub next: String,
    /// The relay's or the network's last word.
    pub error: String,
    /// Created.
    pub created: String,
}

/// `/dept/notifications`.
#[derive(Template)]
#[template(path = "dept_notifications.html")]
pub struct DeptNotificationsTpl {
    /// Layout.
    pub c: Chrome,
    /// Whether mail goes out on this server.
    pub mail_enabled: bool,
    /// (label, count) per mail state.
    pub counts: Vec<(String, i64)>,
    /// Failures and retries.
    pub rows: Vec<ProblemRow>,
}

/// `GET /dept/notifications` — send and delivery failures and the retries waiting, for the
/// accounts of the department's province.
pub async fn department(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    let p = ctx.require()?;
    authz::may_enter(p, Area::Department)?;
    authz::may(p, Action::ViewStatistics)?;
    let l = ctx.lang;
    let store = state.notify.store();
    let counts = store
        .mail_counts_in(&p.province)
        .await?
        .into_iter()
        .map(|(s, n)| (mail_label(s, l).to_string(), n))
        .collect();
    let rows = store
        .mail_problems_in(&p.province, PROBLEM_ROWS)
        .await?
        .into_iter()
        .map(|m| ProblemRow {
            login: m.login,
            subject: m.subject,
            state: mail_label(m.mail_state, l).into(),
            failed: m.mail_state == MailState::Failed,
            attempts: m.attempts,
            next: match (m.mail_state, m.next_attempt_at) {
                (MailState::Pending, Some(t)) => cst(t),
                _ => String::new(),
            },
            error: m.last_error.unwrap_or_default(),
            created: cst(m.created_at),
        })
        .collect();
    render(&DeptNotificationsTpl {
        c: ctx.chrome("/dept"),
        mail_enabled: state.notify.mail_enabled(),
        counts,
        rows,
    })
}
