//! A base's public page with its dated history, and the 公告 announcements of named bases.

use std::collections::HashMap;

use super::*;

/// A dated entry of a base's history.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    /// Date.
    pub on: NaiveDate,
    /// What.
    pub what: String,
    /// Detail (grade, year, until).
    pub detail: String,
    /// Articles applied: (label, text).
    pub cites: Vec<(String, String)>,
}

/// A base's public page.
#[derive(Template)]
#[template(path = "base_page.html")]
pub struct BaseTpl {
    /// Layout.
    pub c: Chrome,
    /// The base.
    pub b: BaseRow,
    /// Regulation title and number.
    pub policy_title: String,
    /// Status history: (from, label).
    pub statuses: Vec<(NaiveDate, String)>,
    /// Events with their articles.
    pub history: Vec<HistoryRow>,
    /// The inspection draws that drew this base: (draw id, day, purpose and year).
    pub draws: Vec<(String, NaiveDate, String)>,
    /// What its latest evaluation grade brings, and its post-subsidies.
    pub support: crate::pages::subsidies::BaseSupport,
}

/// `GET /bases/{id}` — a base's page with its status history and the articles cited.
pub async fn base(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let l = ctx.lang;
    let today = state.today();
    let Some(found) = state.guohe.public_base(&id, today).await else {
        return Err(WebError::NotFound);
    };
    let policies = state.guohe.policies();
    let b = base_row(policies, &found.row, l);
    let policy_title = policies
        .get(&found.row.policy)
        .map(|p| format!("{}（{}）", p.title, p.document_number))
        .unwrap_or_default();
    let statuses = found
        .statuses
        .iter()
        .map(|(from, s)| (*from, view::status_label(*s, l)))
        .collect::<Vec<_>>();
    let draws = found
        .draws
        .into_iter()
        .map(|(draw, on, year, purpose)| {
            let what = format!("{year} {}", crate::pages::draws::purpose_label(purpose, l));
            (draw, on, what)
        })
        .collect::<Vec<_>>();
    let support =
        crate::pages::subsidies::support_from(&found.row.policy, found.latest.as_ref(), &found.subsidies, policies, l);
    let events = state.guohe.history(&format!("base/{id}")).await?;
    let history = events
        .iter()
        .filter_map(|e| {
            let (zh, en) = view::base_event_label(&e.kind)?;
            let p = &e.payload;
            let s = |k: &str| p.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let detail = match e.kind.as_str() {
                "AnnualAssessmentRecorded" | "EvaluationRecorded" => {
                    let year = p.get("year").map(|y| y.to_string()).unwrap_or_default();
                    let g = view::grade_label(policies, &b.policy, &s("grade"), l);
                    if year.is_empty() { g } else { format!("{year}: {g}") }
                }
                "AnnualReportSubmitted" | "AnnualReportMissing" => {
                    p.get("year").map(|y| y.to_string()).unwrap_or_default()
                }
                "RectificationOrdered" => format!("{} – {}", s("from"), s("until")),
                "FindingRecorded" => view::grade_label(policies, &b.policy, &s("finding"), l),
                "BaseReclassified" => view::category_label(policies, &b.policy, Some(&s("to")), l),
                "InspectionResultRecorded" => format!("{}：{}", s("draw"), s("findings")),
                "DocumentIssued" => format!("{} · SM3 {}", s("number"), s("sm3")),
                "PostSubsidyAwarded" => format!(
                    "{} {} · {} {} · {}",
                    p.get("year").map(|y| y.to_string()).unwrap_or_default(),
                    l.t("年度评估", "evaluation"),
                    s("amount_wan"),
                    l.t("万元", "万元 (10,000 yuan)"),
                    s("document_number")
                ),
                "RecommendedToNational" | "NationalOutcomeRecorded" => {
                    crate::pages::dept_national::history_detail(e, l)
                }
                _ => String::new(),
            };
            Some(HistoryRow {
                on: e.occurred_on,
                what: l.t(zh, en).to_string(),
                detail,
                cites: e
                    .articles
                    .iter()
                    .map(|a| view::citation_label(policies, a, l))
                    .collect(),
            })
        })
        .collect();
    render(&BaseTpl {
        c: ctx.chrome("/bases"),
        b,
        policy_title,
        statuses,
        history,
        draws,
        support,
    })
}

/// Bases named on one day under one regulation.
#[derive(Debug, Clone)]
pub struct AnnouncementGroup {
    /// Naming date.
    pub on: NaiveDate,
    /// Regulation label.
    pub policy_label: String,
    /// (id, official name, unit).
    pub bases: Vec<(String, String, String)>,
}

/// 公告.
#[derive(Template)]
#[template(path = "announcements.html")]
pub struct AnnouncementsTpl {
    /// Layout.
    pub c: Chrome,
    /// This page's announcements, newest first.
    pub groups: Vec<AnnouncementGroup>,
    /// Announcements made in all.
    pub total: usize,
    /// Pages.
    pub pages: Vec<PageLink>,
}

/// Announcements per page of `/announcements`.
pub const ANNOUNCEMENTS_PER_PAGE: usize = 10;

/// `GET /announcements` — named bases by naming date, with their official names, newest first,
/// [`ANNOUNCEMENTS_PER_PAGE`] announcements a page (`?page=N`; a page past the end shows the
/// last).
pub async fn announcements(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let today = state.today();
    let policies = state.guohe.policies();
    let asked: usize = q.get("page").and_then(|n| n.trim().parse().ok()).unwrap_or(1).max(1);
    let at = |page: usize| {
        state
            .guohe
            .announcement_page(today, (page - 1) * ANNOUNCEMENTS_PER_PAGE, ANNOUNCEMENTS_PER_PAGE)
    };
    let mut found = at(asked).await;
    let last = found.total.div_ceil(ANNOUNCEMENTS_PER_PAGE).max(1);
    let page = asked.min(last);
    if page != asked {
        found = at(page).await;
    }
    let groups = found
        .announcements
        .into_iter()
        .map(|a| AnnouncementGroup {
            on: a.on,
            policy_label: policies
                .get(&a.policy)
                .map(|p| format!("{}（{}）", p.issuer, p.document_number))
                .unwrap_or(a.policy),
            bases: a.bases,
        })
        .collect::<Vec<_>>();
    render(&AnnouncementsTpl {
        c: ctx.chrome("/announcements"),
        groups,
        total: found.total,
        pages: view::page_links(last, page, |n| format!("/announcements?page={n}")),
    })
}

/// Whether an application is in a public stage (for links from notices).
pub fn is_public_stage(s: ApplicationStatus) -> bool {
    matches!(s, ApplicationStatus::InNotice | ApplicationStatus::Named)
}
