//! 基地名录 — the public register of bases, as of any date, and one base with its status
//! history and the articles applied. Public: nothing beyond what the register page shows.

use super::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use guohe_app::read_models::{self, RegisterRow, SortKey};
use guohe_domain::BaseStatus;
use guohe_policy::PolicySet;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Paged, Params};
use crate::AppState;
use crate::error::{Problem, WebError, WebResult};
use crate::i18n::Lang;
use crate::view;

/// One base on the register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BaseSummary {
    /// Base id.
    pub id: String,
    /// Policy id (`hunan-2026`, `hubei-2022`).
    pub policy: String,
    /// Province.
    pub province: String,
    /// Official name.
    pub official_name: String,
    /// Support unit.
    pub unit_name: String,
    /// Category code (policy vocabulary), if the policy has categories.
    pub category: Option<String>,
    /// Category in Chinese.
    pub category_zh: String,
    /// Technology domain.
    pub domain: String,
    /// Primary partner country (ISO 3166 alpha-2).
    pub partner_country: Option<String>,
    /// The country in Chinese.
    pub partner_country_zh: String,
    /// Prefecture-level division code of the unit.
    pub region: Option<String>,
    /// The region's name.
    pub region_zh: String,
    /// Named or recognised on.
    pub recognised_on: NaiveDate,
    /// Status code on the date asked: `active`, `rectification`, `terminated`, `revoked`,
    /// `disqualified`, `exited_national`.
    pub status: String,
    /// The status in Chinese.
    pub status_zh: String,
    /// The status in English.
    pub status_en: String,
    /// End of rectification, or of a ban after disqualification.
    pub status_until: Option<NaiveDate>,
}

fn summary(policies: &PolicySet, r: &RegisterRow) -> BaseSummary {
    let status = r.status;
    BaseSummary {
        id: r.id.clone(),
        policy: r.policy.clone(),
        province: policies
            .get(&r.policy)
            .map(|p| p.province.name.clone())
            .unwrap_or_default(),
        official_name: r.name.clone(),
        unit_name: r.unit.clone(),
        category: r.category.clone(),
        category_zh: view::category_label(policies, &r.policy, r.category.as_deref(), Lang::Zh),
        domain: r.domain.clone(),
        partner_country: r.country.clone(),
        partner_country_zh: r.country_name(false).to_string(),
        region_zh: view::region_label(Some(r.region.as_str()).filter(|c| !c.is_empty())),
        region: Some(r.region.clone()).filter(|c| !c.is_empty()),
        recognised_on: r.recognised_on,
        status: view::status_code(status).to_string(),
        status_zh: view::status_label(status, Lang::Zh),
        status_en: view::status_label(status, Lang::En),
        status_until: match status {
            BaseStatus::UnderRectification { until } => Some(until),
            BaseStatus::Disqualified { ban_until } => ban_until,
            _ => None,
        },
    }
}

/// `sort` keys of the register (`-` in front for descending).
pub const SORTS: &[&str] = &[
    "name",
    "unit",
    "domain",
    "country",
    "region",
    "recognised_on",
    "status",
    "id",
];

/// The register: search, filters, sort and pages.
#[utoipa::path(
    get,
    path = "/bases",
    tag = "register",
    operation_id = "list_bases",
    params(
        ("q" = Option<String>, Query, description = "Search in name, unit and domain"),
        ("policy" = Option<String>, Query, description = "Policy id"),
        ("province" = Option<String>, Query, description = "Province code (`43`) or name (`湖南省`)"),
        ("category" = Option<String>, Query, description = "Category code"),
        ("domain" = Option<String>, Query, description = "Technology domain, exactly"),
        ("country" = Option<String>, Query, description = "Partner country, ISO alpha-2"),
        ("region" = Option<String>, Query, description = "Division code; `430100` or its prefix `4301`"),
        ("status" = Option<String>, Query, description = "Status code, or `on_register` (active or under rectification)"),
        ("as_of" = Option<NaiveDate>, Query, description = "Statuses on this date (default today); bases recognised later are left out"),
        ("sort" = Option<String>, Query, description = "name, unit, domain, country, region, recognised_on, status, id; `-` in front for descending"),
        ("page" = Option<usize>, Query, description = "Page, from 1"),
        ("per_page" = Option<usize>, Query, description = "Items per page, 1–200 (default 20)"),
    ),
    responses(
        (status = 200, description = "A page of the register", body = Paged<BaseSummary>),
        (status = 422, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(State(state): State<AppState>, RawQuery(raw): RawQuery) -> WebResult<Response> {
    // The answer depends on the query, the events folded in and the date alone.
    let key = format!("api\n{}", raw.as_deref().unwrap_or(""));
    let stamp = state.stamp().await;
    let body = match state.pages.get(stamp, &key) {
        Some(body) => body,
        None => {
            let page = list_page(&state, raw.as_deref()).await?;
            let body = Bytes::from(serde_json::to_vec(&page).map_err(|e| WebError::Internal(format!("json: {e}")))?);
            state.pages.put(stamp, key, body.clone());
            body
        }
    };
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response())
}

async fn list_page(state: &AppState, raw: Option<&str>) -> WebResult<Paged<BaseSummary>> {
    let p = Params::parse(raw);
    let as_of = p.date("as_of")?.unwrap_or_else(|| state.today());
    let needle = p.text("q")?.to_lowercase();
    let (policy, province, category, domain, country, region, status) = (
        p.text("policy")?,
        p.text("province")?,
        p.text("category")?,
        p.text("domain")?,
        p.text("country")?.to_ascii_uppercase(),
        p.text("region")?,
        p.text("status")?,
    );
    let (sort, desc) = p.sort(SORTS)?;
    let (page, per_page) = p.paging()?;
    let given = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let policies = state.guohe.policies();
    let in_province = |id: &str| {
        province.is_empty()
            || policies
                .get(id)
                .is_some_and(|pol| pol.province.code == province || pol.province.name == province)
    };
    let allowed: Option<Vec<String>> = match (policy.is_empty(), province.is_empty()) {
        (true, true) => None,
        (false, _) => Some(if in_province(&policy) {
            vec![policy.clone()]
        } else {
            Vec::new()
        }),
        (true, false) => Some(
            policies
                .all()
                .iter()
                .filter(|p| in_province(&p.id))
                .map(|p| p.id.clone())
                .collect(),
        ),
    };
    let q = read_models::RegisterQuery {
        text: needle,
        policies: allowed,
        category: given(&category),
        domain: given(&domain),
        country: given(&country),
        region: given(&region).map(|r| read_models::RegionFilter {
            prefix: r.trim_end_matches("00").to_string(),
            with_unknown: false,
        }),
        statuses: given(&status).map(|s| read_models::status_codes(&s)),
        year: None,
        recognised_only: true,
        sort: match sort {
            "unit" => SortKey::Unit,
            "domain" => SortKey::Domain,
            "country" => SortKey::Country,
            "region" => SortKey::Region,
            "recognised_on" => SortKey::Recognised,
            "status" => SortKey::Status,
            "id" => SortKey::Id,
            _ => SortKey::Name,
        },
        desc,
        page,
        per_page: Some(per_page),
        clamp_page: false,
    };
    let found = state.guohe.register(&q, as_of, state.today()).await;
    Ok(Paged {
        items: found.rows.iter().map(|r| summary(policies, r)).collect(),
        page,
        per_page,
        total: found.total,
    })
}

/// A citation with its Chinese label.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cited {
    /// Machine form, `hubei-2022:28.1`.
    pub article: String,
    /// `鄂科技规〔2022〕6号 第二十八条第（一）项`.
    pub label_zh: String,
}

/// A status and the date it holds from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusSpan {
    /// From.
    pub from: NaiveDate,
    /// Status code.
    pub status: String,
    /// The status in Chinese.
    pub status_zh: String,
}

/// A public event in a base's life.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BaseEvent {
    /// Global sequence number on the hash chain.
    pub seq: i64,
    /// Business date.
    pub on: NaiveDate,
    /// Event kind (`BaseNamed`, `AnnualAssessmentRecorded`, …).
    pub kind: String,
    /// What, in Chinese.
    pub label_zh: String,
    /// What, in English.
    pub label_en: String,
    /// Grade, year or period, where the event has one.
    pub detail: Option<String>,
    /// The articles applied.
    pub articles: Vec<Cited>,
}

/// A base with its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BaseDetail {
    /// The base as the register shows it today.
    pub base: BaseSummary,
    /// Title and number of the regulation.
    pub policy_title: String,
    /// Status history up to today.
    pub status_history: Vec<StatusSpan>,
    /// Public events with their articles.
    pub events: Vec<BaseEvent>,
}

/// Citations of an event with Chinese labels.
pub fn cited(policies: &PolicySet, articles: &[String]) -> Vec<Cited> {
    articles
        .iter()
        .map(|a| Cited {
            article: a.clone(),
            label_zh: view::citation_label(policies, a, Lang::Zh).0,
        })
        .collect()
}

/// One base, with its status history and the articles applied.
#[utoipa::path(
    get,
    path = "/bases/{id}",
    tag = "register",
    operation_id = "get_base",
    params(("id" = String, Path, description = "Base id")),
    responses(
        (status = 200, description = "The base", body = BaseDetail),
        (status = 404, description = "No such base", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Json<BaseDetail>> {
    let today = state.today();
    let policies = state.guohe.policies();
    let found = state
        .guohe
        .public_base(&id, today)
        .await
        .filter(|b| b.row.recognised)
        .ok_or(WebError::NotFound)?;
    let policy_title = policies
        .get(&found.row.policy)
        .map(|p| format!("{}（{}）", p.title, p.document_number))
        .unwrap_or_default();
    let status_history = found
        .statuses
        .iter()
        .map(|(from, status)| StatusSpan {
            from: *from,
            status: view::status_code(*status).to_string(),
            status_zh: view::status_label(*status, Lang::Zh),
        })
        .collect();
    let base = summary(policies, &found.row);
    let events = state
        .guohe
        .history(&format!("base/{id}"))
        .await?
        .into_iter()
        .filter(|e| e.occurred_on <= today)
        .filter_map(|e| {
            let (zh, en) = view::base_event_label(&e.kind)?;
            let p = &e.payload;
            let s = |k: &str| p.get(k).and_then(|v| v.as_str()).map(str::to_string);
            let detail = match e.kind.as_str() {
                "AnnualAssessmentRecorded" | "EvaluationRecorded" => {
                    let g = s("grade").map(|g| view::grade_label(policies, &base.policy, &g, Lang::Zh));
                    match (p.get("year"), g) {
                        (Some(y), Some(g)) => Some(format!("{y}: {g}")),
                        (_, g) => g,
                    }
                }
                "AnnualReportSubmitted" | "AnnualReportMissing" => p.get("year").map(|y| y.to_string()),
                "RectificationOrdered" => Some(format!(
                    "{} – {}",
                    s("from").unwrap_or_default(),
                    s("until").unwrap_or_default()
                )),
                "FindingRecorded" => s("finding").map(|f| view::grade_label(policies, &base.policy, &f, Lang::Zh)),
                "BaseReclassified" => s("to"),
                _ => None,
            };
            Some(BaseEvent {
                seq: e.seq,
                on: e.occurred_on,
                kind: e.kind.clone(),
                label_zh: zh.into(),
                label_en: en.into(),
                detail,
                articles: cited(policies, &e.articles),
            })
        })
        .collect();
    Ok(Json(BaseDetail {
        base,
        policy_title,
        status_history,
        events,
    }))
}
