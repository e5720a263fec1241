//! 后补助 — the post-subsidies awarded to bases graded 优秀 (Hubei 第二十五、二十六条), public as
//! on `/subsidies`. Awarding goes through `POST /api/v1/commands` (`AwardPostSubsidies`, with
//! `"confirm": true`).

use super::Json;
use axum::extract::{RawQuery, State};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Paged, Params};
use crate::AppState;
use crate::error::{Problem, WebResult};

/// One base's post-subsidy.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Subsidy {
    /// 评估年度 — the calendar year the evaluation grade was recorded.
    pub year: i32,
    /// Policy id.
    pub policy: String,
    /// 文号 of the award document.
    pub document_number: String,
    /// 发文日期.
    pub issued_on: NaiveDate,
    /// Base id.
    pub base: String,
    /// 基地名称.
    pub base_name: String,
    /// 依托单位.
    pub unit_name: String,
    /// 金额（万元）, exact decimal as text (e.g. `"50.25"`).
    pub amount_wan: String,
    /// Bases graded in that year's evaluation when awarded.
    pub evaluated: u32,
    /// The most bases the policy's share allowed that year.
    pub limit: u32,
}

/// Post-subsidies, newest evaluation year first, then by document and base.
#[utoipa::path(
    get,
    path = "/subsidies",
    tag = "subsidies",
    operation_id = "list_subsidies",
    params(
        ("year" = Option<i32>, Query, description = "Evaluation year"),
        ("policy" = Option<String>, Query, description = "Policy id"),
        ("page" = Option<usize>, Query, description = "Page, from 1"),
        ("per_page" = Option<usize>, Query, description = "Items per page, 1–200 (default 20)"),
    ),
    responses(
        (status = 200, description = "A page of post-subsidies", body = Paged<Subsidy>),
        (status = 422, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(State(state): State<AppState>, RawQuery(raw): RawQuery) -> WebResult<Json<Paged<Subsidy>>> {
    let p = Params::parse(raw.as_deref());
    // 1–9999, as every `year` parameter (`super::number_bounds`).
    let year = p.number("year")?.map(|y| y as i32);
    let policy = p.get("policy")?.map(str::to_string);
    let rows = state
        .guohe
        .subsidies(policy.as_deref(), year)
        .await
        .into_iter()
        .map(|r| Subsidy {
            year: r.year,
            policy: r.policy,
            document_number: r.document_number,
            issued_on: r.issued_on,
            base: r.base,
            base_name: r.base_name,
            unit_name: r.unit_name,
            amount_wan: r.amount_wan.to_string(),
            evaluated: r.evaluated,
            limit: r.limit,
        })
        .collect();
    Ok(Json(Paged::of(rows, &p)?))
}
