//! 公示 — public notices, and real-name objections (实名异议) to them. Public, as on the notice
//! pages: the same views ([`crate::pages::public_notices::notice_page_views`]) and the same checks of the
//! objection ([`crate::pages::public_notices::validate_objection`]).

use super::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use guohe_app::public_desk::{NoticePhase, NoticeQuery};
use guohe_domain::{Actor, Command, EventKind, LodgeObjection, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::commands::{EventOut, run};
use super::{ApiJson, Paged, Params};
use crate::AppState;
use crate::error::{FieldError, Problem, WebError, WebResult};
use crate::i18n::Lang;
use crate::pages::public_notices::{
    NoticeView, ObjectionForm, notice_page_views, notice_view_of, objection_guard, validate_objection,
};
use crate::security::RequestCtx;

/// An application listed in a notice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeItem {
    /// Application id.
    pub application: String,
    /// Support unit.
    pub unit_name: String,
    /// Technology domain.
    pub domain: String,
    /// Category, in Chinese.
    pub category_zh: String,
    /// Partner country, in Chinese.
    pub partner_country_zh: String,
    /// The name the base would take.
    pub proposed_name: String,
}

/// A 公示 notice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notice {
    /// Notice id.
    pub id: String,
    /// Policy id.
    pub policy: String,
    /// Province and regulation number.
    pub policy_label: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Working days in the period (Chinese working days, with 调休).
    pub working_days: u32,
    /// Working days left, today included.
    pub remaining_working_days: u32,
    /// `upcoming`, `running` or `ended`.
    pub phase: String,
    /// The phase in Chinese.
    pub phase_zh: String,
    /// Applications listed.
    pub applications: Vec<NoticeItem>,
    /// Objections received.
    pub objections: usize,
}

fn notice_of(n: NoticeView) -> Notice {
    Notice {
        id: n.id,
        policy: n.policy,
        policy_label: n.policy_label,
        starts_on: n.starts_on,
        ends_on: n.ends_on,
        working_days: n.period_days,
        remaining_working_days: n.remaining,
        phase: n.phase.to_string(),
        phase_zh: n.phase_label,
        applications: n
            .items
            .into_iter()
            .map(|i| NoticeItem {
                application: i.application,
                unit_name: i.unit,
                domain: i.domain,
                category_zh: i.category,
                partner_country_zh: i.country,
                proposed_name: i.proposed_name,
            })
            .collect(),
        objections: n.objections,
    }
}

/// `sort` keys of the list (`-` in front for descending; by default the latest first).
pub const SORTS: &[&str] = &["starts_on", "id"];

/// `phase` values of the list.
pub const PHASES: &[&str] = &["upcoming", "running", "ended"];

/// Public notices, newest first.
#[utoipa::path(
    get,
    path = "/notices",
    tag = "notices",
    operation_id = "list_notices",
    params(
        ("q" = Option<String>, Query, description = "Search in id, units, domains and proposed names"),
        ("policy" = Option<String>, Query, description = "Policy id"),
        ("phase" = Option<String>, Query, description = "`upcoming`, `running` or `ended`"),
        ("sort" = Option<String>, Query, description = "`-starts_on` (default), `starts_on`, `id`, `-id`"),
        ("page" = Option<usize>, Query, description = "Page, from 1"),
        ("per_page" = Option<usize>, Query, description = "Items per page, 1–200 (default 20)"),
    ),
    responses(
        (status = 200, description = "A page of notices", body = Paged<Notice>),
        (status = 422, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(State(state): State<AppState>, RawQuery(raw): RawQuery) -> WebResult<Json<Paged<Notice>>> {
    let p = Params::parse(raw.as_deref());
    let needle = p.text("q")?.to_lowercase();
    let policy = p.text("policy")?;
    let phase = p.choice("phase", PHASES)?.unwrap_or("").to_string();
    let (sort, desc) = match p.get("sort")? {
        None => ("starts_on", true),
        Some(_) => p.sort(SORTS)?,
    };
    let (page, per_page) = p.paging()?;
    let q = NoticeQuery {
        policy: (!policy.is_empty()).then_some(policy),
        phase: NoticePhase::of_code(&phase),
        needle,
        by_id: sort == "id",
        descending: desc,
        offset: page.saturating_sub(1).saturating_mul(per_page),
        limit: per_page,
    };
    let (notices, total) = notice_page_views(&state, &q, Lang::Zh).await;
    Ok(Json(Paged {
        items: notices.into_iter().map(notice_of).collect(),
        page,
        per_page,
        total,
    }))
}

/// One notice.
#[utoipa::path(
    get,
    path = "/notices/{id}",
    tag = "notices",
    operation_id = "get_notice",
    params(("id" = String, Path, description = "Notice id")),
    responses(
        (status = 200, description = "The notice", body = Notice),
        (status = 404, description = "No such notice", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Json<Notice>> {
    notice_view_of(&state, &id, Lang::Zh)
        .await
        .map(|n| Json(notice_of(n)))
        .ok_or(WebError::NotFound)
}

/// A real-name objection.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRequest {
    /// The application objected to (one listed in the notice).
    pub application: String,
    /// Real name (实名).
    pub objector_real_name: String,
    /// ID number or contact, so the department can follow up.
    pub contact: String,
    /// What is objected, and the facts behind it.
    pub content: String,
}

/// The objection lodged.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObjectionLodged {
    /// Objection id.
    pub objection: String,
    /// The events recorded.
    pub events: Vec<EventOut>,
}

/// Lodges a real-name objection to an application in a running notice. Anyone may object;
/// the CSRF header is still required (an anonymous token comes from `GET /session`).
#[utoipa::path(
    post,
    path = "/notices/{id}/objections",
    tag = "notices",
    operation_id = "lodge_objection",
    params(("id" = String, Path, description = "Notice id")),
    request_body = ObjectionRequest,
    security(("csrf" = [])),
    responses(
        (status = 201, description = "Lodged", body = ObjectionLodged),
        (status = 404, description = "No such notice", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Outside the notice period, or the same objection was already lodged (`duplicate_objection`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or invalid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many objections to this notice from this address today (`objection_limit`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn object(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(o): ApiJson<ObjectionRequest>,
) -> WebResult<Response> {
    let n = notice_view_of(&state, &id, Lang::Zh).await.ok_or(WebError::NotFound)?;
    let form = ObjectionForm {
        application: o.application.clone(),
        name: o.objector_real_name.clone(),
        contact: o.contact.clone(),
        content: o.content.clone(),
    };
    let errors: Vec<FieldError> = validate_objection(&form, &n)
        .into_iter()
        .map(|mut e| {
            if e.field == "name" {
                e.field = "objector_real_name".into();
            }
            e
        })
        .collect();
    if !errors.is_empty() {
        return Ok(Problem::invalid_fields(&errors).into_rejection());
    }
    if let Err(r) = objection_guard(&state, &ctx.client.ip, &n.id, &form).await? {
        return Ok(Problem::new(r.status, r.code, r.zh, r.en).into_rejection());
    }
    let cmd = Command::LodgeObjection(LodgeObjection {
        notice: n.id.clone(),
        application: o.application,
        objector_real_name: o.objector_real_name.trim().to_string(),
        contact: o.contact.trim().to_string(),
        content: o.content.trim().to_string(),
    });
    // As on the notice page: an objection is the public's, whoever is signed in.
    let actor = Actor {
        role: Role::Public,
        id: "public:objector".into(),
    };
    let outcome = run(&state, &actor, cmd).await?;
    let objection = outcome
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::ObjectionLodged(o) => Some(o.objection.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let body = ObjectionLodged {
        objection,
        events: EventOut::all(&outcome),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}
