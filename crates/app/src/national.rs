//! 推荐申报国家级基地 — the candidate list as of a date, the recommendations made, and the list
//! as a table for CSV and xlsx (Chinese headers, a title row naming the policy and the date, the
//! header frozen and filtered, dates as dates).

use chrono::{Datelike, NaiveDate};
use guohe_domain::{NationalList, NationalOutcome, World, national_candidates};
use guohe_policy::PolicySet;
use rust_xlsxwriter::XlsxError;

use crate::export::{Cell, Table};
use serde::Serialize;

use crate::{AppError, Guohe};

impl Guohe {
    /// The candidate list of a policy as of a date (default: the recommendations of that
    /// date's year), or the refusal saying the policy provides none or is not loaded.
    pub async fn national_list(
        &self,
        policy: &str,
        as_of: NaiveDate,
        year: Option<i32>,
    ) -> Result<NationalList, AppError> {
        self.read(|w, _, ps| {
            let p = ps.get(policy).ok_or_else(|| {
                guohe_domain::Refusal::new(
                    guohe_domain::RefusalCode::PolicyUnavailable,
                    format!("未载入办法“{policy}”；已载入：{}", ps.ids().join("、")),
                    format!("policy `{policy}` is not loaded; loaded: {}", ps.ids().join(", ")),
                )
                .at("policy")
            })?;
            national_candidates(w, p, as_of, year.unwrap_or(as_of.year()))
        })
        .await
        .map_err(AppError::Refused)
    }

    /// Every national recommendation of the policies `keep` accepts and what followed it,
    /// newest first (see [`recommendations`]).
    pub async fn national_recommendations(&self, keep: impl Fn(&str) -> bool) -> Vec<RecommendationRow> {
        self.read(|w, _, _| recommendations(w, keep)).await
    }
}

/// One recommendation and what followed, as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecommendationRow {
    /// Base id.
    pub base: String,
    /// Official name.
    pub name: String,
    /// Support unit.
    pub unit_name: String,
    /// Policy id.
    pub policy: String,
    /// The year of the call.
    pub year: i32,
    /// The recommendation document.
    pub document: String,
    /// Its date.
    pub recommended_on: NaiveDate,
    /// `recognised`, `not_recognised`, or absent while pending.
    pub outcome: Option<NationalOutcome>,
    /// The national document.
    pub outcome_document: Option<String>,
    /// Its date.
    pub outcome_on: Option<NaiveDate>,
    /// What it meant for the provincial register.
    pub follow_up: Option<String>,
}

/// Every recommendation of the policies `keep` accepts, newest first.
pub fn recommendations(world: &World, keep: impl Fn(&str) -> bool) -> Vec<RecommendationRow> {
    let mut v: Vec<RecommendationRow> = world
        .bases()
        .filter(|b| keep(&b.policy))
        .flat_map(|b| {
            b.national.iter().map(move |r| {
                let o = r.outcome.as_ref().map(|(_, o)| o);
                RecommendationRow {
                    base: b.id.clone(),
                    name: b.official_name.clone(),
                    unit_name: b.unit_name.clone(),
                    policy: b.policy.clone(),
                    year: r.recommendation.year,
                    document: r.recommendation.document.clone(),
                    recommended_on: r.recommendation.recommended_on,
                    outcome: o.map(|o| o.outcome),
                    outcome_document: o.map(|o| o.document.clone()),
                    outcome_on: o.map(|o| o.effective_on),
                    follow_up: o.map(|o| o.follow_up.clone()),
                }
            })
        })
        .collect();
    v.sort_by(|a, b| {
        b.recommended_on
            .cmp(&a.recommended_on)
            .then_with(|| a.base.as_bytes().cmp(b.base.as_bytes()))
    });
    v
}

/// The export's column headings.
pub const HEADINGS: [&str; 10] = [
    "结论",
    "基地编号",
    "基地名称",
    "依托单位",
    "统一社会信用代码",
    "技术领域",
    "最近一次评估日期",
    "最近一次评估结果",
    "年度考核",
    "理由（条款）",
];

/// The title row: what the list is, under which article, as of when.
pub fn title(l: &NationalList) -> String {
    format!(
        "推荐申报国家国际科技合作基地候选名单 —《{}》{}（{}）· 截至 {} · {}年度 · 候选 {} 个，不符合 {} 个",
        l.title,
        l.article_zh,
        l.article,
        l.as_of,
        l.year,
        l.candidates.len(),
        l.excluded.len()
    )
}

/// The rows, candidates first: (cells, the latest evaluation's date).
pub fn rows(l: &NationalList, policies: &PolicySet) -> Vec<(Vec<String>, Option<NaiveDate>)> {
    let cite_zh = |c: &guohe_policy::Citation| {
        policies
            .get(&c.policy)
            .map(|p| p.cite_zh(c.at))
            .unwrap_or_else(|| c.to_string())
    };
    l.candidates
        .iter()
        .chain(l.excluded.iter())
        .map(|c| {
            let reasons = c
                .checks
                .iter()
                .map(|x| {
                    format!(
                        "{}{}（{}）",
                        if x.met { "✓" } else { "✗" },
                        x.reason_zh,
                        cite_zh(&x.article)
                    )
                })
                .collect::<Vec<_>>()
                .join("；");
            let annual = c
                .annual_grades
                .iter()
                .map(|(y, _, zh)| format!("{y}:{zh}"))
                .collect::<Vec<_>>()
                .join("、");
            let cells = vec![
                if c.eligible { "候选" } else { "不符合" }.to_string(),
                c.base.clone(),
                c.name.clone(),
                c.unit_name.clone(),
                c.uscc.clone(),
                c.domain.clone(),
                c.latest_evaluation
                    .as_ref()
                    .map(|e| e.0.to_string())
                    .unwrap_or_default(),
                c.latest_evaluation.as_ref().map(|e| e.2.clone()).unwrap_or_default(),
                annual,
                reasons,
            ];
            (cells, c.latest_evaluation.as_ref().map(|e| e.0))
        })
        .collect()
}

/// The list as a table to export, candidates first.
pub fn table(l: &NationalList, policies: &PolicySet) -> Table {
    let widths = [10.0, 16.0, 40.0, 30.0, 22.0, 16.0, 14.0, 12.0, 26.0, 90.0];
    Table {
        sheet: "候选名单".into(),
        title: title(l),
        columns: HEADINGS.iter().zip(widths).map(|(h, w)| (h.to_string(), w)).collect(),
        rows: rows(l, policies)
            .into_iter()
            .map(|(cells, on)| {
                cells
                    .into_iter()
                    .enumerate()
                    .map(|(j, c)| match on {
                        Some(d) if j == 6 => Cell::Date(d),
                        _ => Cell::Text(c),
                    })
                    .collect()
            })
            .collect(),
    }
}

/// The list as CSV (UTF-8 with BOM, for Excel): the title line, the headings, the rows.
pub fn csv(l: &NationalList, policies: &PolicySet) -> String {
    table(l, policies).csv()
}

/// The list as an xlsx workbook.
pub fn xlsx(l: &NationalList, policies: &PolicySet) -> Result<Vec<u8>, XlsxError> {
    table(l, policies).xlsx()
}
