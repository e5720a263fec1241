//! 双随机、一公开 — the published random draws as JSON: every inspection draw (paged), one draw
//! with its published record to rerun, and an application's drawn review panel.
//!
//! Inspection draws are public like their pages. A review panel names the experts who review a
//! case, so before the decision only the department of the province reads it; once the
//! application is decided it is published like an inspection draw (docs/draws.md).

use super::Json;
use axum::extract::{Path, RawQuery, State};
use chrono::NaiveDate;
use guohe_domain::{ApplicationStatus, ExpertPanelDrawn, InspectionDraw, PanelRecord};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{Paged, Params, SignedIn};
use crate::AppState;
use crate::authz::{self, Principal};
use crate::error::{Problem, WebError, WebResult};

/// An inspection draw in the list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DrawSummary {
    /// The draw's id.
    pub id: String,
    /// Day drawn.
    pub drawn_on: NaiveDate,
    /// Policy id.
    pub policy: String,
    /// `annual_assessment` or `evaluation`.
    pub purpose: String,
    /// The year assessed or evaluated.
    pub year: i32,
    /// The published seed.
    pub seed: String,
    /// The generator (`guohe-draw/1`).
    pub algorithm: String,
    /// Bases drawn.
    pub drawn: usize,
    /// Candidates.
    pub candidates: usize,
    /// Results recorded.
    pub results: usize,
}

/// A result recorded against a drawn base.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DrawResult {
    /// The base.
    pub base: String,
    /// Day recorded.
    pub on: NaiveDate,
    /// The inspectors.
    pub inspectors: Vec<String>,
    /// What they found.
    pub findings: String,
}

/// One draw: its summary, the published record (the input of the rerun script of
/// docs/draws.md) and the results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DrawDetail {
    /// Summary.
    pub draw: DrawSummary,
    /// The published record, exactly as on the chain (`InspectionsDrawn`).
    #[schema(value_type = Object)]
    pub record: Value,
    /// Results, by base.
    pub results: Vec<DrawResult>,
}

/// A vacated seat of a drawn panel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PanelDecline {
    /// The member who left.
    pub expert: String,
    /// Why (a decline, or `申明回避：…`).
    pub reason: String,
    /// The reserve called in, if one was left.
    pub replaced_by: Option<String>,
}

/// An application's drawn review panel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PanelDetail {
    /// The application.
    pub application: String,
    /// The published record, exactly as on the chain (`ExpertPanelDrawn`): seed, pool,
    /// conflicts, exclusions, eligible list, panel and reserves.
    #[schema(value_type = Object)]
    pub record: Value,
    /// Reserves not yet called in, in order.
    pub reserves_left: Vec<String>,
    /// Seats vacated, in order.
    pub declines: Vec<PanelDecline>,
}

fn summary(d: &InspectionDraw) -> DrawSummary {
    let x = &d.event;
    DrawSummary {
        id: x.draw.clone(),
        drawn_on: d.drawn_on,
        policy: x.policy.clone(),
        purpose: serde_json::to_value(x.purpose)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        year: x.year,
        seed: x.seed.clone(),
        algorithm: x.algorithm.clone(),
        drawn: x.selected.len(),
        candidates: x.candidates.len(),
        results: d.results.len(),
    }
}

/// Every inspection draw, newest first.
#[utoipa::path(
    get,
    path = "/draws",
    tag = "draws",
    operation_id = "list_draws",
    params(
        ("policy" = Option<String>, Query, description = "Policy id"),
        ("page" = Option<usize>, Query, description = "Page, from 1"),
        ("per_page" = Option<usize>, Query, description = "Items per page, 1–200 (default 20)"),
    ),
    responses(
        (status = 200, description = "A page of draws", body = Paged<DrawSummary>),
        (status = 422, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(State(state): State<AppState>, RawQuery(raw): RawQuery) -> WebResult<Json<Paged<DrawSummary>>> {
    let p = Params::parse(raw.as_deref());
    let policy = p.text("policy")?;
    let rows = state
        .guohe
        .draws(&|x| policy.is_empty() || x == policy)
        .await
        .iter()
        .map(summary)
        .collect::<Vec<_>>();
    Ok(Json(Paged::of(rows, &p)?))
}

/// One inspection draw with its published record and results.
#[utoipa::path(
    get,
    path = "/draws/{id}",
    tag = "draws",
    operation_id = "get_draw",
    params(("id" = String, Path, description = "Draw id")),
    responses(
        (status = 200, description = "The draw", body = DrawDetail),
        (status = 404, description = "No such draw", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Json<DrawDetail>> {
    let d = state.guohe.draw(&id).await.ok_or(WebError::NotFound)?;
    Ok(Json(DrawDetail {
        draw: summary(&d),
        record: serde_json::to_value(&d.event).unwrap_or(Value::Null),
        results: d
            .results
            .iter()
            .map(|(base, (on, r))| DrawResult {
                base: base.clone(),
                on: *on,
                inspectors: r.inspectors.clone(),
                findings: r.findings.clone(),
            })
            .collect(),
    }))
}

/// Whether a panel is published to everyone: once the application is decided, the review is
/// over and naming its reviewers can no longer sway it.
pub fn published(status: ApplicationStatus) -> bool {
    matches!(
        status,
        ApplicationStatus::Approved
            | ApplicationStatus::Rejected
            | ApplicationStatus::InNotice
            | ApplicationStatus::Named
    )
}

/// The panel as JSON.
pub fn panel_detail(application: &str, r: &PanelRecord) -> PanelDetail {
    PanelDetail {
        application: application.to_string(),
        record: serde_json::to_value::<&ExpertPanelDrawn>(&r.event).unwrap_or(Value::Null),
        reserves_left: r.reserves_left.clone(),
        declines: r
            .declines
            .iter()
            .map(|(expert, reason, by)| PanelDecline {
                expert: expert.clone(),
                reason: reason.clone(),
                replaced_by: by.clone(),
            })
            .collect(),
    }
}

/// Who may read a panel: the department of the application's province at any time; anyone who
/// may see the application once it is published.
fn may_read_panel(p: &Principal, status: ApplicationStatus) -> bool {
    p.role == guohe_store::AccountRole::Department || published(status)
}

/// An application's randomly drawn review panel.
#[utoipa::path(
    get,
    path = "/applications/{id}/panel",
    tag = "applications",
    operation_id = "get_application_panel",
    params(("id" = String, Path, description = "Application id")),
    security(("session" = [])),
    responses(
        (status = 200, description = "The drawn panel with its published record", body = PanelDetail),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the principal's to see (audited)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application, no drawn panel, or not published yet (before the decision, only the department reads it)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn panel(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<Json<PanelDetail>> {
    let a = state.guohe.application(&id).await.ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    match state.guohe.panel(&id).await {
        Some(r) if may_read_panel(&p, a.status) => Ok(Json(panel_detail(&id, &r))),
        _ => Err(WebError::NotFound),
    }
}
