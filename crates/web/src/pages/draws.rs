//! 双随机、一公开 — the public pages of inspection draws: every draw with its seed, parameters,
//! candidates, selection, exclusions and results, and the published record to rerun it with
//! (docs/draws.md).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use guohe_domain::{InspectionDraw, InspectionPurpose, Strata};
use guohe_policy::PolicySet;

use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome, render};

/// A draw in the list.
#[derive(Debug, Clone)]
pub struct DrawRow {
    /// Draw id.
    pub id: String,
    /// Day drawn.
    pub on: NaiveDate,
    /// Regulation label.
    pub policy: String,
    /// Purpose and year.
    pub what: String,
    /// Seed.
    pub seed: String,
    /// "drawn / candidates".
    pub drawn: String,
    /// Results recorded / drawn.
    pub results: String,
}

/// `GET /draws`.
#[derive(Template)]
#[template(path = "draws.html")]
pub struct DrawsTpl {
    /// Layout.
    pub c: Chrome,
    /// Newest first.
    pub draws: Vec<DrawRow>,
    /// Published review panels (of decided applications): (application, seed).
    pub panels: Vec<(String, String)>,
}

/// A drawn base on a draw's page.
#[derive(Debug, Clone)]
pub struct DrawnRow {
    /// Order drawn (1-based).
    pub n: usize,
    /// Base id.
    pub base: String,
    /// Official name.
    pub name: String,
    /// Stratum.
    pub stratum: String,
    /// Inspectors.
    pub inspectors: String,
    /// Result: (date, findings), when recorded.
    pub result: Option<(NaiveDate, String)>,
}

/// `GET /draws/{id}`.
#[derive(Template)]
#[template(path = "draw.html")]
pub struct DrawTpl {
    /// Layout.
    pub c: Chrome,
    /// The draw's row.
    pub d: DrawRow,
    /// Parameters: (label, value).
    pub params: Vec<(String, String)>,
    /// Strata: (key, candidates, drawn).
    pub quotas: Vec<(String, u32, u32)>,
    /// Selection.
    pub selected: Vec<DrawnRow>,
    /// Exclusions: (base, expert, ground, detail).
    pub exclusions: Vec<(String, String, String, String)>,
    /// Candidates: (base, name, stratum).
    pub candidates: Vec<(String, String, String)>,
    /// Articles: (label, text).
    pub cites: Vec<(String, String)>,
    /// The published record, pretty JSON.
    pub record: String,
}

pub(crate) fn purpose_label(p: InspectionPurpose, l: Lang) -> &'static str {
    match p {
        InspectionPurpose::AnnualAssessment => l.t("年度考核", "Annual assessment"),
        InspectionPurpose::Evaluation => l.t("评估", "Evaluation"),
    }
}

pub(crate) fn strata_label(s: Strata, l: Lang) -> &'static str {
    match s {
        Strata::None => l.t("不分层", "None"),
        Strata::Prefecture => l.t(
            "按地市（统一社会信用代码登记机关行政区划）",
            "By prefecture (from the USCC)",
        ),
        Strata::Category => l.t("按类别", "By category"),
    }
}

pub(crate) fn row(d: &InspectionDraw, policies: &PolicySet, l: Lang) -> DrawRow {
    let x = &d.event;
    DrawRow {
        id: x.draw.clone(),
        on: d.drawn_on,
        policy: policies
            .get(&x.policy)
            .map(|p| p.document_number.clone())
            .unwrap_or_else(|| x.policy.clone()),
        what: format!("{} {}", x.year, purpose_label(x.purpose, l)),
        seed: x.seed.clone(),
        drawn: format!("{} / {}", x.selected.len(), x.candidates.len()),
        results: format!("{} / {}", d.results.len(), x.selected.len()),
    }
}

/// `GET /draws` — every inspection draw, newest first.
pub async fn list(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    let l = ctx.lang;
    let policies = state.guohe.policies();
    let draws = state
        .guohe
        .draws(&|_| true)
        .await
        .iter()
        .map(|d| row(d, policies, l))
        .collect();
    let panels = state.guohe.panel_seeds(crate::api::draws::published).await;
    render(&DrawsTpl {
        c: ctx.chrome("/draws"),
        draws,
        panels,
    })
}

/// `GET /draws/{id}` — one draw, everything needed to rerun it, and its results.
pub async fn show(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let l = ctx.lang;
    let found = state.guohe.draw(&id).await;
    let Some(d) = found else {
        return Err(WebError::NotFound);
    };
    let policies = state.guohe.policies();
    let experts = super::panels::ExpertNames::of_logins(&state, super::dept_draws::pool_ids(&d.event)).await?;
    let x = &d.event;
    let name_of = |base: &str| {
        x.candidates
            .iter()
            .find(|c| c.base == base)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let mut params = vec![
        (l.t("随机种子", "Seed").to_string(), x.seed.clone()),
        (l.t("算法", "Algorithm").to_string(), x.algorithm.clone()),
        (l.t("分层", "Strata").to_string(), strata_label(x.strata, l).to_string()),
        (
            l.t("抽取数量", "Drawn").to_string(),
            format!("{} / {}", x.count, x.candidates.len()),
        ),
        (
            l.t("每个基地考察专家", "Inspectors per base").to_string(),
            x.inspectors_per_base.to_string(),
        ),
        (
            l.t("专家库人数", "Experts in the pool").to_string(),
            x.pool.len().to_string(),
        ),
    ];
    if let Some(s) = x.share {
        params.insert(3, (l.t("抽取比例", "Share").to_string(), s.to_string()));
    }
    let selected = x
        .selected
        .iter()
        .enumerate()
        .map(|(i, s)| DrawnRow {
            n: i + 1,
            base: s.base.clone(),
            name: name_of(&s.base),
            stratum: s.stratum.clone(),
            inspectors: experts.all(&s.inspectors),
            result: d.results.get(&s.base).map(|(on, r)| (*on, r.findings.clone())),
        })
        .collect();
    let exclusions = x
        .exclusions
        .iter()
        .map(|e| {
            let ground = match l {
                Lang::Zh => e.reason.zh().to_string(),
                Lang::En => e.reason.code().to_string(),
            };
            (e.base.clone(), experts.of(&e.expert), ground, e.detail.clone())
        })
        .collect();
    let candidates = x
        .candidates
        .iter()
        .map(|c| (c.base.clone(), c.name.clone(), c.stratum.clone()))
        .collect();
    let cites = state
        .guohe
        .history(&format!("draw/{id}"))
        .await?
        .first()
        .map(|e| {
            e.articles
                .iter()
                .map(|a| view::citation_label(policies, a, l))
                .collect()
        })
        .unwrap_or_default();
    let record = serde_json::to_string_pretty(x).unwrap_or_default();
    render(&DrawTpl {
        c: ctx.chrome("/draws"),
        d: row(&d, policies, l),
        params,
        quotas: x
            .quotas
            .iter()
            .map(|q| (q.stratum.clone(), q.candidates, q.drawn))
            .collect(),
        selected,
        exclusions,
        candidates,
        cites,
        record,
    })
}

/// The draws and their results as a table to download (inspectors by name and unit).
async fn export_table(state: &AppState) -> WebResult<guohe_app::export::Table> {
    let draws = state.guohe.draws(&|_| true).await;
    let experts =
        super::panels::ExpertNames::of_logins(state, draws.iter().flat_map(|d| super::dept_draws::pool_ids(&d.event)))
            .await?;
    let today = state.today();
    Ok(state.guohe.export_draws(|e| experts.of(e), today).await)
}

/// `GET /draws.csv` — every draw's drawn bases, inspectors and results (UTF-8 with a BOM).
pub async fn csv(State(state): State<AppState>) -> WebResult<Response> {
    let t = export_table(&state).await?;
    Ok(super::download(
        t.csv().into_bytes(),
        "text/csv; charset=utf-8",
        "draws.csv",
    ))
}

/// `GET /draws.xlsx` — the same as an xlsx workbook with its title row.
pub async fn xlsx(State(state): State<AppState>) -> WebResult<Response> {
    let t = export_table(&state).await?;
    let body = t.xlsx().map_err(|e| WebError::Internal(format!("xlsx: {e}")))?;
    Ok(super::download(body, super::XLSX, "draws.xlsx"))
}
