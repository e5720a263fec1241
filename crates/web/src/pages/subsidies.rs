//! 建设经费后补助 — the public announcement of post-subsidies (Hubei 第二十五、二十六条) with their
//! 文号, its CSV and xlsx exports, and what an evaluation grade brings a base (Hunan 第十五条,
//! Hubei 第二十五条), shown on the base's page and the unit's dashboard.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use guohe_app::subsidies::{self, SubsidyRow};
use guohe_app::subsidy_desk::SubsidyList;
use guohe_app::unit_desk::{LatestEvaluation, PostSubsidy};
use guohe_policy::PolicySet;

use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome, render};

/// One award document (文号) and its bases.
#[derive(Debug, Clone)]
pub struct Document {
    /// 评估年度.
    pub year: i32,
    /// 文号.
    pub number: String,
    /// 发文日期.
    pub issued_on: NaiveDate,
    /// Regulation label.
    pub policy: String,
    /// Bases: (id, name, unit, amount in 万元).
    pub bases: Vec<(String, String, String, String)>,
    /// Total in 万元.
    pub total: String,
    /// The share when awarded: "N 个评估基地，至多 L 个".
    pub share: String,
}

/// A regulation providing post-subsidies: (regulation, the share in words, its articles as
/// (label, text)).
pub type Rule = (String, String, Vec<(String, String)>);

/// `GET /subsidies`, `GET /subsidies/{year}`.
#[derive(Template)]
#[template(path = "subsidies.html")]
pub struct SubsidiesTpl {
    /// Layout.
    pub c: Chrome,
    /// The year shown, or none for all.
    pub year: Option<i32>,
    /// Every year with an award, newest first.
    pub years: Vec<i32>,
    /// The documents, newest year first.
    pub documents: Vec<Document>,
    /// The rules: (regulation, share in words, articles: (label, text)).
    pub rules: Vec<Rule>,
    /// Query string of the exports (`?year=2026` or empty).
    pub export_query: String,
}

fn policy_label(policies: &PolicySet, id: &str) -> String {
    policies
        .get(id)
        .map(|p| format!("{}（{}）", p.title, p.document_number))
        .unwrap_or_else(|| id.to_string())
}

/// Groups the rows by award document, keeping the rows' order.
fn documents(rows: &[SubsidyRow], policies: &PolicySet, l: Lang) -> Vec<Document> {
    let mut out: Vec<Document> = Vec::new();
    let mut totals: BTreeMap<usize, rust_decimal::Decimal> = BTreeMap::new();
    for r in rows {
        let i = match out.iter().position(|d| d.number == r.document_number) {
            Some(i) => i,
            None => {
                out.push(Document {
                    year: r.year,
                    number: r.document_number.clone(),
                    issued_on: r.issued_on,
                    policy: policy_label(policies, &r.policy),
                    bases: Vec::new(),
                    total: String::new(),
                    share: l.pick(
                        format!("该年度评估基地 {} 个，按比例至多 {} 个", r.evaluated, r.limit),
                        format!(
                            "{} bases evaluated that year; at most {} by the share",
                            r.evaluated, r.limit
                        ),
                    ),
                });
                out.len() - 1
            }
        };
        out[i].bases.push((
            r.base.clone(),
            r.base_name.clone(),
            r.unit_name.clone(),
            r.amount_wan.to_string(),
        ));
        *totals.entry(i).or_default() += r.amount_wan;
    }
    for (i, t) in totals {
        out[i].total = t.normalize().to_string();
    }
    out
}

/// The policies providing a post-subsidy, each with its share in words and its articles.
fn rules(policies: &PolicySet, l: Lang) -> Vec<Rule> {
    policies
        .all()
        .iter()
        .filter_map(|p| {
            let s = p.lifecycle.post_subsidy.as_ref()?;
            let share = l.pick(
                format!(
                    "评估结果为优秀的基地，每个评估年度至多占该年度评估基地数的 {}%（{}），每个基地每年度一次",
                    s.share_percent,
                    s.rounding.zh()
                ),
                format!(
                    "Bases graded excellent; at most {}% of the bases evaluated in the year, once a year each",
                    s.share_percent
                ),
            );
            let mut arts = vec![s.article];
            arts.extend(s.use_article);
            let cites = arts
                .into_iter()
                .map(|a| view::citation_label(policies, &p.cite(a).to_string(), l))
                .collect();
            Some((policy_label(policies, &p.id), share, cites))
        })
        .collect()
}

async fn page(ctx: &RequestCtx, state: &AppState, year: Option<i32>) -> WebResult<Response> {
    let l = ctx.lang;
    let policies = state.guohe.policies();
    let SubsidyList { rows, years } = state.guohe.subsidy_list(year).await;
    if year.is_some() && rows.is_empty() {
        return Err(WebError::NotFound);
    }
    render(&SubsidiesTpl {
        c: ctx.chrome("/subsidies"),
        year,
        years,
        documents: documents(&rows, policies, l),
        rules: rules(policies, l),
        export_query: year.map(|y| format!("?year={y}")).unwrap_or_default(),
    })
}

/// `GET /subsidies` — every post-subsidy awarded, by award document, newest year first.
pub async fn list(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    page(&ctx, &state, None).await
}

/// `GET /subsidies/{year}` — the post-subsidies of one evaluation year (404 when none).
pub async fn year(ctx: RequestCtx, State(state): State<AppState>, Path(year): Path<String>) -> WebResult<Response> {
    let y = year.parse::<i32>().map_err(|_| WebError::NotFound)?;
    page(&ctx, &state, Some(y)).await
}

/// The `year` filter of the exports: absent for all, a bad one is a 400 naming the field.
fn year_filter(q: &BTreeMap<String, String>) -> WebResult<Option<i32>> {
    match q.get("year").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse::<i32>().map(Some).map_err(|_| WebError::BadRequest {
            zh: "年度无效".into(),
            en: "bad year".into(),
            fields: vec![crate::error::FieldError::new(
                "year",
                format!("“{s}”不是年度（如 2026）"),
                format!("`{s}` is not a year (e.g. 2026)"),
            )],
        }),
    }
}

fn file_name(year: Option<i32>, ext: &str) -> String {
    match year {
        Some(y) => format!("post-subsidies-{y}.{ext}"),
        None => format!("post-subsidies.{ext}"),
    }
}

/// `GET /subsidies.csv[?year=]` — the list as CSV (UTF-8 with a byte-order mark).
pub async fn csv(State(state): State<AppState>, Query(q): Query<BTreeMap<String, String>>) -> WebResult<Response> {
    let year = year_filter(&q)?;
    let rows = state.guohe.subsidies(None, year).await;
    Ok(super::download(
        subsidies::csv(&rows).into_bytes(),
        "text/csv; charset=utf-8",
        &file_name(year, "csv"),
    ))
}

/// `GET /subsidies.xlsx[?year=]` — the list as an xlsx workbook with its title row and as-of.
pub async fn xlsx(State(state): State<AppState>, Query(q): Query<BTreeMap<String, String>>) -> WebResult<Response> {
    let year = year_filter(&q)?;
    let rows = state.guohe.subsidies(None, year).await;
    let body = subsidies::xlsx(&rows, &subsidies::title(year, None, state.today()))
        .map_err(|e| WebError::Internal(format!("xlsx: {e}")))?;
    Ok(super::download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &file_name(year, "xlsx"),
    ))
}

/// What a base's latest evaluation grade brings, and its post-subsidies.
#[derive(Debug, Clone, Default)]
pub struct BaseSupport {
    /// The latest evaluation: (date, grade label); none before the first.
    pub graded: Option<(NaiveDate, String)>,
    /// What the grade brings: (text, (citation label, article text)).
    pub lines: Vec<(String, (String, String))>,
    /// Post-subsidies: (evaluation year, amount in 万元, 文号, date).
    pub subsidies: Vec<(i32, String, String, NaiveDate)>,
}

impl BaseSupport {
    /// One line for a table cell: the grade, what it brings and the subsidies.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self.lines.iter().map(|(t, (c, _))| format!("{t}（{c}）")).collect();
        for (y, amount, doc, _) in &self.subsidies {
            parts.push(format!("{y} 后补助 {amount} 万元（{doc}）"));
        }
        match (&self.graded, parts.is_empty()) {
            (_, true) => String::new(),
            (Some((_, g)), false) => format!("{g}：{}", parts.join("；")),
            (None, false) => parts.join("；"),
        }
    }
}

/// What the base's latest evaluation grade brings under its policy
/// (`lifecycle.evaluation_support`), and the post-subsidies it received, from its latest
/// evaluation and post-subsidies as the service reads them.
pub fn support_from(
    policy: &str,
    latest: Option<&LatestEvaluation>,
    subsidies: &[PostSubsidy],
    policies: &PolicySet,
    l: Lang,
) -> BaseSupport {
    let Some(p) = policies.get(policy) else {
        return BaseSupport::default();
    };
    let lines = latest
        .map(|e| {
            p.lifecycle
                .evaluation_support
                .iter()
                .filter(|s| s.grade == e.grade)
                .map(|s| {
                    (
                        l.pick(s.support_zh.clone(), s.support_en.clone()),
                        view::citation_label(policies, &p.cite(s.article).to_string(), l),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    BaseSupport {
        graded: latest.map(|e| (e.on, view::grade_label(policies, policy, &e.grade, l))),
        lines,
        subsidies: subsidies
            .iter()
            .map(|s| (s.year, s.amount_wan.to_string(), s.document_number.clone(), s.issued_on))
            .collect(),
    }
}
