//! 管理办法 — the regulations in force: metadata, and the whole policy (articles, vocabularies,
//! interpretations, eligibility rules, procedure and consequences) as the system applies it.

use super::Json;
use axum::extract::{Path, RawQuery, State};
use chrono::NaiveDate;
use guohe_policy::{Policy, valid_until};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{Paged, Params, contains};
use crate::AppState;
use crate::error::{Problem, WebError, WebResult};

/// A regulation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicySummary {
    /// Policy id, used in citations (`hubei-2022:28.1`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Issuing authority.
    pub issuer: String,
    /// 文号.
    pub document_number: String,
    /// Province.
    pub province: String,
    /// Province code (GB/T 2260 prefix).
    pub province_code: String,
    /// Published on.
    pub published_on: NaiveDate,
    /// In force from.
    pub in_force_from: NaiveDate,
    /// Last day of validity.
    pub valid_until: NaiveDate,
    /// In force on the business date.
    pub in_force: bool,
    /// Number of articles.
    pub articles: usize,
    /// Number of eligibility rules.
    pub rules: usize,
    /// Where the official text is published.
    pub source_url: Option<String>,
}

fn summary(p: &Policy, today: NaiveDate) -> PolicySummary {
    let until = valid_until(p);
    PolicySummary {
        id: p.id.clone(),
        title: p.title.clone(),
        issuer: p.issuer.clone(),
        document_number: p.document_number.clone(),
        province: p.province.name.clone(),
        province_code: p.province.code.clone(),
        published_on: p.published_on,
        in_force_from: p.in_force_from,
        valid_until: until,
        in_force: p.in_force_from <= today && today <= until,
        articles: p.articles.len(),
        rules: p.eligibility.len(),
        source_url: p.source_url.clone(),
    }
}

/// `sort` keys of the list (`-` in front for descending).
pub const SORTS: &[&str] = &["id", "in_force_from"];

/// The regulations.
#[utoipa::path(
    get,
    path = "/policies",
    tag = "policies",
    operation_id = "list_policies",
    params(
        ("q" = Option<String>, Query, description = "Search in id, title and document number"),
        ("province" = Option<String>, Query, description = "Province code or name"),
        ("sort" = Option<String>, Query, description = "id, in_force_from; `-` in front for descending"),
        ("page" = Option<usize>, Query, description = "Page, from 1"),
        ("per_page" = Option<usize>, Query, description = "Items per page, 1–200 (default 20)"),
    ),
    responses(
        (status = 200, description = "A page of regulations", body = Paged<PolicySummary>),
        (status = 422, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(State(state): State<AppState>, RawQuery(raw): RawQuery) -> WebResult<Json<Paged<PolicySummary>>> {
    let params = Params::parse(raw.as_deref());
    let needle = params.text("q")?.to_lowercase();
    let province = params.text("province")?;
    let (sort, desc) = params.sort(SORTS)?;
    let today = state.today();
    let mut rows: Vec<PolicySummary> = state
        .guohe
        .policies()
        .all()
        .iter()
        .map(|p| summary(p, today))
        .filter(|p| {
            (contains(&p.id, &needle) || contains(&p.title, &needle) || contains(&p.document_number, &needle))
                && (province.is_empty() || p.province == province || p.province_code == province)
        })
        .collect();
    match sort {
        "in_force_from" => rows.sort_by(|a, b| a.in_force_from.cmp(&b.in_force_from).then_with(|| a.id.cmp(&b.id))),
        _ => rows.sort_by(|a, b| a.id.cmp(&b.id)),
    }
    if desc {
        rows.reverse();
    }
    Ok(Json(Paged::of(rows, &params)?))
}

/// A regulation in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyDetail {
    /// The summary.
    pub summary: PolicySummary,
    /// The policy file as the system applies it: `articles` (number, text, items),
    /// `vocabularies`, `interpretations`, `eligibility` (rules with their articles), `procedure`,
    /// `lifecycle`, `consequences` (docs/policy-format.md).
    #[schema(value_type = Object)]
    pub policy: Value,
}

/// One regulation: its articles and rules.
#[utoipa::path(
    get,
    path = "/policies/{id}",
    tag = "policies",
    operation_id = "get_policy",
    params(("id" = String, Path, description = "Policy id")),
    responses(
        (status = 200, description = "The regulation", body = PolicyDetail),
        (status = 404, description = "No such regulation", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Json<PolicyDetail>> {
    let p = state.guohe.policies().get(&id).ok_or(WebError::NotFound)?;
    let policy = serde_json::to_value(p).map_err(|e| WebError::Internal(format!("policy {id}: {e}")))?;
    Ok(Json(PolicyDetail {
        summary: summary(p, state.today()),
        policy,
    }))
}
