//! 待办与逾期 — the department's work queue: what is due or overdue in its policies, counted by
//! kind on the dashboard and listed page by page at `GET /dept/due`. Both read the application
//! service's work-queue view (`Guohe::due_list`), so a page costs what it shows, however many
//! bases miss a report.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use guohe_app::read_models::{DueCase, DueEntry, DueKind, DuePage, DueQuery};

use crate::AppState;
use crate::authz::{self, Area};
use crate::error::WebResult;
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome, PageLink, render};

/// Entries per page of `GET /dept/due`.
pub const PAGE_SIZE: usize = 50;

/// Entries the dashboard shows before linking to the whole list.
pub const DASHBOARD_ROWS: usize = 20;

/// Something due, as a row of the list.
#[derive(Debug, Clone)]
pub struct DueRow {
    /// What.
    pub what: String,
    /// About what.
    pub subject: String,
    /// The department's page of the case.
    pub href: String,
    /// Due date.
    pub due: NaiveDate,
    /// Past due.
    pub overdue: bool,
}

/// One kind's count, with the link to its list.
#[derive(Debug, Clone)]
pub struct KindCount {
    /// What.
    pub label: String,
    /// Entries.
    pub total: usize,
    /// Of them, past due.
    pub overdue: usize,
    /// `/dept/due?kind=…`.
    pub href: String,
    /// The list shown is this kind's.
    pub current: bool,
}

/// What a kind is called; an annual report names its year.
pub fn kind_label(kind: DueKind, year: Option<i32>, l: Lang) -> String {
    let (zh, en) = match kind {
        DueKind::AnnualReport => {
            return match year {
                Some(y) => l.pick(format!("{y}年度报告"), format!("Annual report {y}")),
                None => l.t("年度报告", "Annual report").into(),
            };
        }
        DueKind::Evaluation => ("阶段性评估到期", "Evaluation due"),
        DueKind::RectificationEnds => ("限期整改截止", "Rectification ends"),
        DueKind::ReEvaluation => ("整改期满，待复评", "Rectification over; re-evaluation due"),
        DueKind::Decision => ("评审已完成，待作出认定结论", "Reviews complete; decision due"),
        DueKind::Objection => ("实名异议待处理", "Objection to resolve"),
        DueKind::NoticeEnds => ("公示期截止", "Notice period ends"),
        DueKind::Naming => ("公示期满，待命名", "Notice over; naming due"),
        DueKind::RoundCloses => ("申报批次截止受理", "Round closes"),
    };
    l.t(zh, en).into()
}

fn href(e: &DueEntry) -> String {
    match &e.case {
        DueCase::Base(id) => format!("/dept/bases/{id}"),
        DueCase::Application(id) => format!("/dept/applications/{id}"),
        DueCase::Notice(id) => format!("/dept/notices/{id}"),
        DueCase::Round(_) => "/dept/rounds".into(),
    }
}

/// The rows of a page, in its order.
pub fn rows(page: &DuePage, l: Lang) -> Vec<DueRow> {
    page.entries
        .iter()
        .map(|e| DueRow {
            what: kind_label(e.kind, e.year, l),
            subject: e.subject.clone(),
            href: href(e),
            due: e.due,
            overdue: e.overdue,
        })
        .collect()
}

/// The counts of every kind listed, each linking to its own list.
pub fn kind_counts(page: &DuePage, current: Option<DueKind>, l: Lang) -> Vec<KindCount> {
    page.counts
        .iter()
        .map(|c| KindCount {
            label: kind_label(c.kind, None, l),
            total: c.total,
            overdue: c.overdue,
            href: format!("/dept/due?kind={}", c.kind.code()),
            current: current == Some(c.kind),
        })
        .collect()
}

/// `GET /dept/due`.
#[derive(Template)]
#[template(path = "dept_due.html")]
pub struct DueTpl {
    /// Layout.
    pub c: Chrome,
    /// Business date.
    pub today: NaiveDate,
    /// Counts by kind.
    pub kinds: Vec<KindCount>,
    /// All kinds together are shown.
    pub all: bool,
    /// All entries of every kind.
    pub all_total: usize,
    /// Entries of the list shown.
    pub total: usize,
    /// The entries of this page.
    pub due: Vec<DueRow>,
    /// Page links.
    pub pages: Vec<PageLink>,
    /// A query parameter that was not understood, in words.
    pub notice: Option<String>,
}

/// `GET /dept/due?kind=&page=`: the work queue, one kind or all, page by page.
pub async fn list(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let p = ctx.require()?;
    authz::may_enter(p, Area::Department)?;
    let l = ctx.lang;
    let today = state.today();
    let mut notice = None;
    let kind = match q.get("kind").map(|k| k.trim()).filter(|k| !k.is_empty()) {
        None => None,
        Some(code) => DueKind::parse(code).or_else(|| {
            notice = Some(l.pick(
                format!("事项类型（kind）“{code}”不存在，已显示全部待办事项。"),
                format!("kind: there is no kind \"{code}\"; every item is shown."),
            ));
            None
        }),
    };
    let asked: usize = q.get("page").and_then(|n| n.trim().parse().ok()).unwrap_or(1).max(1);
    let mine = |policy: &str| p.works_under(policy);
    let query = |page: usize| DueQuery {
        kind,
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    let mut found = state.guohe.due_list(&mine, &query(asked), today).await;
    // A page past the end (a bookmark after the list shrank) shows the last page.
    let last = found.total.div_ceil(PAGE_SIZE).max(1);
    let page = asked.min(last);
    if page != asked {
        found = state.guohe.due_list(&mine, &query(page), today).await;
    }
    let base = match kind {
        Some(k) => format!("/dept/due?kind={}&", k.code()),
        None => "/dept/due?".to_string(),
    };
    render(&DueTpl {
        c: ctx.chrome("/dept"),
        today,
        kinds: kind_counts(&found, kind, l),
        all: kind.is_none(),
        all_total: found.counts.iter().map(|c| c.total).sum(),
        total: found.total,
        due: rows(&found, l),
        pages: view::page_links(last, page, |n| format!("{base}page={n}")),
        notice,
    })
}
