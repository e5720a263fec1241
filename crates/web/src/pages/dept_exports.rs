//! 导出 — the department's downloads: its province's register (importable again), each round's
//! 推荐汇总表 ranked by the experts' mean score, and the annual assessment and evaluation results
//! by year, each as xlsx or CSV.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use guohe_app::export::Table;
use guohe_app::export_desk::ExportRound;
use serde::Deserialize;

use crate::AppState;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{WebError, WebResult};
use crate::security::RequestCtx;
use crate::view::{Chrome, render};

fn dept_of(ctx: &RequestCtx) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::Department)?;
    authz::may(&p, Action::RunProcedure)?;
    Ok(p)
}

/// `GET /dept/exports`.
#[derive(Template)]
#[template(path = "dept_exports.html")]
pub struct DeptExportsTpl {
    /// Layout.
    pub c: Chrome,
    /// The business date.
    pub today: NaiveDate,
    /// Bases on the province's register today.
    pub on_register: usize,
    /// The province's rounds, newest first.
    pub rounds: Vec<ExportRound>,
    /// Years with annual assessment grades, newest first.
    pub assessed: Vec<i32>,
    /// Years with evaluations, newest first.
    pub evaluated: Vec<i32>,
}

/// `GET /dept/exports`.
pub async fn page(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    let today = state.today();
    let desk = state.guohe.export_desk(&|id| p.works_under(id), today).await;
    render(&DeptExportsTpl {
        c: ctx.chrome("/dept"),
        today,
        on_register: desk.on_register,
        rounds: desk.rounds,
        assessed: desk.assessed,
        evaluated: desk.evaluated,
    })
}

/// Query of the downloads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    /// `xlsx` (default) or `csv`.
    pub format: String,
    /// The round (推荐汇总表).
    pub round: String,
    /// The year (assessments, evaluations); empty for every year.
    pub year: String,
    /// The date of the register (default: the business date).
    pub as_of: String,
}

fn bad(zh: &str, en: &str) -> WebError {
    WebError::BadRequest {
        zh: zh.into(),
        en: en.into(),
        fields: Vec::new(),
    }
}

fn send(table: Table, q: &ExportQuery, file: &str) -> WebResult<Response> {
    match q.format.as_str() {
        "" | "xlsx" => {
            let body = table.xlsx().map_err(|e| WebError::Internal(format!("xlsx: {e}")))?;
            Ok(super::download(body, super::XLSX, &format!("{file}.xlsx")))
        }
        "csv" => Ok(super::download(
            table.csv().into_bytes(),
            "text/csv; charset=utf-8",
            &format!("{file}.csv"),
        )),
        _ => Err(bad("format 应为 xlsx 或 csv", "format must be xlsx or csv")),
    }
}

fn year_of(q: &ExportQuery) -> WebResult<Option<i32>> {
    match q.year.trim() {
        "" => Ok(None),
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| (1990..=2200).contains(y))
            .map(Some)
            .ok_or_else(|| bad("year 应为四位年份", "year must be a four-digit year")),
    }
}

/// `GET /dept/exports/register?format=&as_of=` — the province's bases on the register.
pub async fn register(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<ExportQuery>,
) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    let as_of = match q.as_of.trim() {
        "" => state.today(),
        s => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| bad("as_of 应为日期（2026-11-20）", "as_of must be a date (YYYY-MM-DD)"))?,
    };
    let table = state.guohe.export_register(as_of, &|id| p.works_under(id)).await;
    send(table, &q, &format!("guohe-register-{as_of}"))
}

/// `GET /dept/exports/applications?round=&format=` — a round's 推荐汇总表.
pub async fn applications(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<ExportQuery>,
) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    let today = state.today();
    let round = q.round.trim().to_string();
    let policy = state.guohe.round_policy(&round).await.ok_or(WebError::NotFound)?;
    p.in_province(&policy)?;
    let table = state
        .guohe
        .export_recommendations(&round, today)
        .await
        .ok_or(WebError::NotFound)?;
    let safe: String = round
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    send(table, &q, &format!("guohe-recommendations-{safe}"))
}

/// `GET /dept/exports/assessments?year=&format=` — 年度考核结果.
pub async fn assessments(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<ExportQuery>,
) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    let year = year_of(&q)?;
    let today = state.today();
    let table = state
        .guohe
        .export_assessments(year, today, &|id| p.works_under(id))
        .await;
    let y = year.map_or_else(|| "all".into(), |y| y.to_string());
    send(table, &q, &format!("guohe-assessments-{y}"))
}

/// `GET /dept/exports/evaluations?year=&format=` — 评估结果.
pub async fn evaluations(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<ExportQuery>,
) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    let year = year_of(&q)?;
    let today = state.today();
    let table = state
        .guohe
        .export_evaluations(year, today, &|id| p.works_under(id))
        .await;
    let y = year.map_or_else(|| "all".into(), |y| y.to_string());
    send(table, &q, &format!("guohe-evaluations-{y}"))
}
