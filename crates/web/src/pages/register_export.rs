//! `GET /bases.xlsx` — the public register's filtered view as an xlsx workbook, with the filter
//! and the as-of date in its title row, in the columns `guohe import bases` reads back.

use super::public::RegisterQuery;
use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view;
use axum::extract::{Query, State};
use axum::response::Response;

/// The filter in words, for the title row.
fn filter_text(q: &RegisterQuery, state: &AppState) -> String {
    let policies = state.guohe.policies();
    let mut parts = Vec::new();
    if !q.q.is_empty() {
        parts.push(format!("检索“{}”", q.q));
    }
    if let Some(p) = policies.get(&q.policy) {
        parts.push(p.document_number.clone());
    }
    if !q.category.is_empty() {
        let label = policies
            .all()
            .iter()
            .find_map(|p| p.vocabularies.categories.iter().find(|t| t.code == q.category))
            .map_or_else(|| q.category.clone(), |t| t.zh.clone());
        parts.push(format!("类型：{label}"));
    }
    if !q.domain.is_empty() {
        parts.push(format!("领域：{}", q.domain));
    }
    if !q.country.is_empty() {
        parts.push(format!("国别：{}", view::country_label(Some(&q.country), Lang::Zh)));
    }
    if !q.region.is_empty() {
        parts.push(format!("地区：{}", view::region_label(Some(&q.region))));
    }
    if !q.status.is_empty() {
        let label = if q.status == "on_register" {
            "在册".to_string()
        } else {
            view::STATUSES
                .iter()
                .find(|(c, _, _)| *c == q.status)
                .map_or_else(|| q.status.clone(), |(_, zh, _)| zh.to_string())
        };
        parts.push(format!("状态：{label}"));
    }
    parts.join("，")
}

/// `GET /bases.xlsx` — the same filters as `/bases` and `/bases.csv`.
pub async fn register_xlsx(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<RegisterQuery>,
) -> WebResult<Response> {
    let q = q.sanitised();
    let today = state.today();
    let filter = filter_text(&q, &state);
    let table = state
        .guohe
        .register_table(&q.to_app(ctx.lang, None), &filter, today)
        .await;
    let body = table.xlsx().map_err(|e| WebError::Internal(format!("xlsx: {e}")))?;
    Ok(super::download(body, super::XLSX, "guohe-bases.xlsx"))
}
