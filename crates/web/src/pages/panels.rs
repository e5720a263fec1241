//! 评审专家随机抽取 — the published page of an application's drawn review panel, and the view
//! of a panel shared with the department's page: experts by name and unit, the reserves in
//! order, every exclusion with its ground, the seats vacated, the record to rerun it with.
//!
//! Before the decision a panel is the department's alone (its reviewers could otherwise be
//! approached); from the decision on it is public like an inspection draw.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use guohe_domain::PanelRecord;

use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome, render};

/// Expert logins to `姓名（工作单位）`, from the accounts: pages name experts, not logins.
#[derive(Debug, Clone, Default)]
pub struct ExpertNames(HashMap<String, String>);

impl ExpertNames {
    /// The names and units of the experts among `logins`, read by login: a page asks for the
    /// experts it shows (a draw's pool, a case's assignments), whatever the number of accounts.
    pub async fn of_logins<I, S>(state: &AppState, logins: I) -> WebResult<ExpertNames>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Ok(ExpertNames(
            state
                .accounts
                .accounts_named(logins)
                .await?
                .into_iter()
                .filter(|a| a.role == guohe_store::AccountRole::Expert)
                .map(|a| {
                    let label = if a.profile.unit_name.is_empty() {
                        a.display_name
                    } else {
                        format!("{}（{}）", a.display_name, a.profile.unit_name)
                    };
                    (a.login, label)
                })
                .collect(),
        ))
    }

    /// The experts of a panel record — its pool, which every member, reserve and exclusion comes
    /// from — and those `seated` on the case now (an assignment by hand may be outside the pool).
    pub async fn of_panel(state: &AppState, r: &PanelRecord, seated: &[String]) -> WebResult<ExpertNames> {
        Self::of_logins(
            state,
            r.event
                .pool
                .iter()
                .map(|e| e.id.as_str())
                .chain(seated.iter().map(String::as_str)),
        )
        .await
    }

    /// The expert's name and unit; a login without an account (a pool given by hand before
    /// pools were checked) stays as recorded.
    pub fn of(&self, login: &str) -> String {
        self.0.get(login).cloned().unwrap_or_else(|| login.to_string())
    }

    /// Several, joined with 、.
    pub fn all(&self, logins: &[String]) -> String {
        logins.iter().map(|e| self.of(e)).collect::<Vec<_>>().join("、")
    }
}

/// A drawn panel as the pages show it.
#[derive(Debug, Clone, Default)]
pub struct PanelView {
    /// Application id.
    pub application: String,
    /// The application's technology domain.
    pub domain: String,
    /// Day drawn.
    pub on: String,
    /// Seed.
    pub seed: String,
    /// Generator.
    pub algorithm: String,
    /// Pool size, eligible count.
    pub counts: (usize, usize),
    /// Members in the order drawn: (login, name and unit, seated now).
    pub members: Vec<(String, String, bool)>,
    /// Reserves in order: (name and unit, status).
    pub reserves: Vec<(String, String)>,
    /// Exclusions: (name and unit, ground, detail).
    pub exclusions: Vec<(String, String, String)>,
    /// Seats vacated: (name, reason, called in).
    pub declines: Vec<(String, String, String)>,
    /// Articles: (label, text).
    pub cites: Vec<(String, String)>,
    /// The published record, pretty JSON.
    pub record: String,
}

/// The ground of an exclusion, in the page's language.
pub fn ground_label(code: &str, l: Lang) -> &'static str {
    match code {
        "already_assigned" => l.t("已指派评审", "already assigned"),
        "own_unit" => l.t("本单位专家", "the applicant's own unit"),
        "declared_conflict" => l.t("申明回避", "declared conflict"),
        "domain" => l.t("技术领域不符", "another domain"),
        "recent_review" => l.t("近期评审过同一单位", "reviewed the same unit recently"),
        _ => l.t("回避", "avoided"),
    }
}

impl PanelView {
    /// The view of a panel record; `seated` are the experts assigned now (with no review yet
    /// or with one).
    pub async fn of(
        state: &AppState,
        r: &PanelRecord,
        seated: &[String],
        names: &ExpertNames,
        l: Lang,
    ) -> WebResult<PanelView> {
        let x = &r.event;
        let history = state.guohe.history(&format!("application/{}", x.application)).await?;
        let drawn = history.iter().find(|e| e.kind == "ExpertPanelDrawn");
        let policies = state.guohe.policies();
        let cites = drawn
            .map(|e| {
                e.articles
                    .iter()
                    .map(|a| view::citation_label(policies, a, l))
                    .collect()
            })
            .unwrap_or_default();
        let called: Vec<&String> = r.declines.iter().filter_map(|d| d.2.as_ref()).collect();
        Ok(PanelView {
            application: x.application.clone(),
            domain: x.domain.clone(),
            on: drawn
                .map(|e| e.occurred_on)
                .map(|d: NaiveDate| d.to_string())
                .unwrap_or_default(),
            seed: x.seed.clone(),
            algorithm: x.algorithm.clone(),
            counts: (x.pool.len(), x.eligible.len()),
            members: x
                .panel
                .iter()
                .map(|e| (e.clone(), names.of(e), seated.contains(e)))
                .collect(),
            reserves: x
                .reserves
                .iter()
                .map(|e| {
                    let status = if called.contains(&e) {
                        l.t("已递补", "called in")
                    } else if r.reserves_left.contains(e) {
                        l.t("候补中", "waiting")
                    } else {
                        l.t("已跳过（回避）", "passed over (conflict)")
                    };
                    (names.of(e), status.to_string())
                })
                .collect(),
            exclusions: x
                .exclusions
                .iter()
                .map(|e| {
                    (
                        names.of(&e.expert),
                        ground_label(&e.reason, l).to_string(),
                        e.detail.clone(),
                    )
                })
                .collect(),
            declines: r
                .declines
                .iter()
                .map(|(e, why, by)| {
                    (
                        names.of(e),
                        why.clone(),
                        by.as_deref()
                            .map(|b| names.of(b))
                            .unwrap_or_else(|| l.t("候补已用尽", "no reserve left").to_string()),
                    )
                })
                .collect(),
            cites,
            record: serde_json::to_string_pretty(x).unwrap_or_default(),
        })
    }
}

/// `GET /panels/{application}`.
#[derive(Template)]
#[template(path = "panel.html")]
pub struct PanelTpl {
    /// Layout.
    pub c: Chrome,
    /// The panel.
    pub p: PanelView,
}

/// `GET /panels/{application}` — a decided application's drawn panel, with its record; 404
/// before the decision or when the panel was not drawn.
pub async fn show(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let Some(case) = state.guohe.panel_case(&id).await else {
        return Err(WebError::NotFound);
    };
    if !crate::api::draws::published(case.status) {
        return Err(WebError::NotFound);
    }
    let names = ExpertNames::of_panel(&state, &case.record, &case.seated).await?;
    let p = PanelView::of(&state, &case.record, &case.seated, &names, ctx.lang).await?;
    render(&PanelTpl {
        c: ctx.chrome("/draws"),
        p,
    })
}
