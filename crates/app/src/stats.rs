//! 统计 — what the department's work is made of, as of any date: the bases by status, category,
//! technology domain, partner country, prefecture (市州) and year of recognition; the
//! applications of each round by stage and by recommender; the annual assessment and evaluation
//! outcomes of each year.
//!
//! One pure computation over the [`World`], used by the pages and by `guohe stats`, so that they
//! always agree. Readings taken (see docs/statistics.md):
//!
//! - **The register as of a date.** The breakdowns by category, domain, country, prefecture and
//!   year count the bases on the register on that date (正常运行 or 限期整改, as
//!   [`guohe_domain::register`] lists them); the
//!   breakdown by status counts every base recognised by then, with its status on that date.
//!   A base's category, domain and country are the current ones (the register does not date
//!   reclassifications either).
//! - **Prefecture.** From the application the base was named after (the unit's division code),
//!   else from the registration division in the unit's 统一社会信用代码 (positions 3–8), reduced
//!   to its prefecture-level division — the same reading the register's region filter takes.
//! - **Applications as of a date.** Counted when submitted on or before the date, in rounds
//!   opened by then. The world dates an application's decision, its 公示 and its naming; a stage
//!   reached on one of those dates after the as-of date is taken back (named → in notice →
//!   approved → under review). The earlier steps (recommended, returned, withdrawn) are not
//!   dated, so they are shown as they stand now. The recommender is the one that recommended it;
//!   a direct application (Hubei 第六条第（二）项: central and provincial units need no
//!   recommender) and one not yet recommended are shown as such.
//! - **Assessments and evaluations.** An annual grade counts from the day it was recorded, under
//!   its assessment year (Hubei 第二十二条); an evaluation grade (Hunan 第十五条, Hubei 第二十四条)
//!   under the year it was recorded, re-evaluations after rectification included.
//!
//! The public view holds only the bases' breakdowns, which the public register already shows
//! base by base; the department's adds applications, assessments and evaluations.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use guohe_domain::{ApplicationCase, ApplicationStatus, Base, BaseStatus, Origin, World};
use guohe_policy::PolicySet;
use serde::Serialize;

use crate::export::{self, Cell, Table};

mod outcomes;

use outcomes::{applications, grades};

/// Who the statistics are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// 公开 — the bases only, as the public register shows them.
    Public,
    /// 省科技厅 — adds applications, assessments and evaluations.
    Department,
}

/// A key with its Chinese and English labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Stable key (a code, an id, a year).
    pub key: String,
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
}

impl Label {
    fn new(key: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Label {
        Label {
            key: key.into(),
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// One row of a statistic: what is counted and a count per series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// What the row counts.
    pub label: Label,
    /// One count per series, in the statistic's series order.
    pub counts: Vec<u64>,
    /// The row's total.
    pub total: u64,
}

/// One statistic: rows by series (a single series for a plain count).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statistic {
    /// Stable id (`bases_by_status`, …), also the anchor on the page.
    pub id: String,
    /// Title.
    pub title: Label,
    /// What the rows are (the first column's heading).
    pub rows_are: Label,
    /// The series (columns), e.g. the stages or the grades.
    pub series: Vec<Label>,
    /// The rows.
    pub rows: Vec<Row>,
    /// The sum of every row.
    pub total: u64,
}

/// Every statistic on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// The date the world is read on.
    pub as_of: NaiveDate,
    /// The policies counted.
    pub policies: Vec<String>,
    /// Public or department.
    pub scope: Scope,
    /// Bases on the register on `as_of`.
    pub on_register: u64,
    /// The statistics, bases first.
    pub statistics: Vec<Statistic>,
}

impl Stats {
    /// A statistic by id.
    pub fn get(&self, id: &str) -> Option<&Statistic> {
        self.statistics.iter().find(|s| s.id == id)
    }
}

/// The statuses in display order, with their codes (the register's filter codes).
const STATUSES: &[(&str, &str, &str)] = &[
    ("active", "正常运行", "Active"),
    ("rectification", "限期整改", "Under rectification"),
    ("terminated", "终止并注销命名", "Terminated"),
    ("revoked", "撤销命名", "Revoked"),
    ("disqualified", "取消资格", "Disqualified"),
    ("exited_national", "退出省级管理序列", "Left for the national register"),
];

/// The register's code of a status.
pub fn status_code(s: BaseStatus) -> &'static str {
    match s {
        BaseStatus::Active => "active",
        BaseStatus::UnderRectification { .. } => "rectification",
        BaseStatus::Terminated => "terminated",
        BaseStatus::Revoked => "revoked",
        BaseStatus::Disqualified { .. } => "disqualified",
        BaseStatus::ExitedNational => "exited_national",
    }
}

/// The stages of an application in display order.
pub const STAGES: [ApplicationStatus; 9] = [
    ApplicationStatus::Submitted,
    ApplicationStatus::Returned,
    ApplicationStatus::Recommended,
    ApplicationStatus::UnderReview,
    ApplicationStatus::Approved,
    ApplicationStatus::InNotice,
    ApplicationStatus::Named,
    ApplicationStatus::Rejected,
    ApplicationStatus::Withdrawn,
];

fn stage_key(s: ApplicationStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The prefecture-level division (`xxyy00`, or a county-level unit the province administers
/// directly) of a six-digit division code.
pub fn prefecture_of(code: &str) -> Option<&'static guohe_reference::Region> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    guohe_reference::region::lookup(code).or_else(|| guohe_reference::region::lookup(&format!("{}00", &code[..4])))
}

/// The division code of a base's unit: its application's, else the one in its USCC.
pub fn base_division(world: &World, b: &Base) -> Option<String> {
    if let Origin::Named { application } = &b.origin
        && let Some(a) = world.application(application)
    {
        let code = a.facts.unit.region_code.trim();
        if !code.is_empty() {
            return Some(code.to_string());
        }
    }
    guohe_reference::uscc::parse(&b.uscc)
        .ok()
        .map(|u| u.division_code().to_string())
}

/// An application's stage on a date, as far as the world dates it (see the module docs).
pub fn stage_on(world: &World, a: &ApplicationCase, as_of: NaiveDate) -> ApplicationStatus {
    use ApplicationStatus::*;
    let named_on = a.base.as_deref().and_then(|b| world.base(b)).map(|b| b.recognised_on);
    let notice_from = a.notice.as_deref().and_then(|n| world.notice(n)).map(|n| n.starts_on);
    let decided_on = a.decision.as_ref().map(|d| d.2);
    let approved = a.decision.as_ref().is_some_and(|d| d.1);
    let before_notice = || {
        if decided_on.is_some_and(|d| d <= as_of) {
            Approved
        } else {
            UnderReview
        }
    };
    match a.status {
        Named if named_on.is_some_and(|d| d <= as_of) => Named,
        Named | InNotice if notice_from.is_some_and(|d| d <= as_of) => InNotice,
        Named | InNotice | Approved => before_notice(),
        // Rejected after an approval: the notice's objection was upheld (undated); before the
        // notice it was still approved.
        Rejected if approved => match notice_from {
            Some(d) if d <= as_of => Rejected,
            _ => before_notice(),
        },
        Rejected => match decided_on {
            Some(d) if d > as_of => UnderReview,
            _ => Rejected,
        },
        s => s,
    }
}

fn one_series() -> Vec<Label> {
    vec![Label::new("bases", "基地数", "Bases")]
}

fn statistic(id: &str, title: Label, rows_are: Label, series: Vec<Label>, rows: Vec<(Label, Vec<u64>)>) -> Statistic {
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|(label, counts)| Row {
            total: counts.iter().sum(),
            label,
            counts,
        })
        .collect();
    Statistic {
        id: id.to_string(),
        title,
        rows_are,
        series,
        total: rows.iter().map(|r| r.total).sum(),
        rows,
    }
}

/// Counts by key, in the order `order` gives (keys it does not know follow, sorted).
fn counted(counts: BTreeMap<String, u64>, labels: impl Fn(&str) -> Label, order: &[String]) -> Vec<(Label, Vec<u64>)> {
    let mut out: Vec<(Label, Vec<u64>)> = order
        .iter()
        .map(|k| (labels(k), vec![counts.get(k).copied().unwrap_or(0)]))
        .collect();
    for (k, n) in counts {
        if !order.contains(&k) {
            out.push((labels(&k), vec![n]));
        }
    }
    out
}

/// Every statistic of the selected policies (all when `selected` is empty) as of `as_of`.
pub fn compute(world: &World, policies: &PolicySet, selected: &[String], as_of: NaiveDate, scope: Scope) -> Stats {
    let chosen: Vec<String> = if selected.is_empty() {
        policies.ids().into_iter().map(str::to_string).collect()
    } else {
        selected.to_vec()
    };
    let within = |p: &str| chosen.iter().any(|c| c == p);
    let mut bases: Vec<(&Base, BaseStatus)> = world
        .bases()
        .filter(|b| within(&b.policy))
        .filter_map(|b| Some((b, b.status_on(as_of)?)))
        .collect();
    bases.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let on_register: Vec<&Base> = bases.iter().filter(|(_, s)| s.on_register()).map(|(b, _)| *b).collect();
    let mut statistics = Vec::new();

    // By status: every base recognised by the date.
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    for (_, s) in &bases {
        *by_status.entry(status_code(*s).to_string()).or_default() += 1;
    }
    let order: Vec<String> = STATUSES.iter().map(|s| s.0.to_string()).collect();
    statistics.push(statistic(
        "bases_by_status",
        Label::new("", "基地（按状态）", "Bases by status"),
        Label::new("", "状态", "Status"),
        one_series(),
        counted(
            by_status,
            |k| {
                let (_, zh, en) = STATUSES.iter().find(|s| s.0 == k).copied().unwrap_or((k, k, k));
                Label::new(k, zh, en)
            },
            &order,
        ),
    ));

    // By category, in the order of the policies' vocabularies.
    let mut cats: BTreeMap<String, u64> = BTreeMap::new();
    for b in &on_register {
        *cats.entry(b.category.clone().unwrap_or_default()).or_default() += 1;
    }
    let vocab: Vec<(String, String, String)> = chosen
        .iter()
        .filter_map(|p| policies.get(p))
        .flat_map(|p| p.vocabularies.categories.iter())
        .map(|t| (t.code.clone(), t.zh.clone(), t.en.clone()))
        .collect();
    let mut order: Vec<String> = Vec::new();
    for (c, _, _) in &vocab {
        if !order.contains(c) {
            order.push(c.clone());
        }
    }
    statistics.push(statistic(
        "bases_by_category",
        Label::new("", "在册基地（按类型）", "Bases on the register by category"),
        Label::new("", "类型", "Category"),
        one_series(),
        counted(
            cats,
            |k| match vocab.iter().find(|v| v.0 == k) {
                Some((c, zh, en)) => Label::new(c.clone(), zh.clone(), en.clone()),
                None if k.is_empty() => Label::new("", "不分类型", "No category"),
                None => Label::new(k, k, k),
            },
            &order,
        ),
    ));

    // By domain and by country: the most frequent first.
    let by_count = |m: BTreeMap<String, u64>| -> Vec<String> {
        let mut v: Vec<(String, u64)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.into_iter().map(|x| x.0).collect()
    };
    let mut domains: BTreeMap<String, u64> = BTreeMap::new();
    for b in &on_register {
        *domains.entry(b.domain.clone()).or_default() += 1;
    }
    let order = by_count(domains.clone());
    statistics.push(statistic(
        "bases_by_domain",
        Label::new(
            "",
            "在册基地（按技术领域）",
            "Bases on the register by technology domain",
        ),
        Label::new("", "技术领域", "Technology domain"),
        one_series(),
        counted(domains, |k| Label::new(k, k, k), &order),
    ));

    let mut countries: BTreeMap<String, u64> = BTreeMap::new();
    for b in &on_register {
        let c = b.partner_country.as_deref().unwrap_or("").trim().to_uppercase();
        *countries.entry(c).or_default() += 1;
    }
    let order = by_count(countries.clone());
    statistics.push(statistic(
        "bases_by_country",
        Label::new(
            "",
            "在册基地（按主要合作国别）",
            "Bases on the register by partner country",
        ),
        Label::new("", "合作国别（地区）", "Partner country"),
        one_series(),
        counted(
            countries,
            |k| match guohe_reference::country::lookup(k) {
                Some(c) => Label::new(k, c.name_zh, c.name_en),
                None if k.is_empty() => Label::new("", "未填写", "Not given"),
                None => Label::new(k, k, k),
            },
            &order,
        ),
    ));

    // By prefecture, in code order; a unit whose division is unknown is counted apart.
    let mut prefectures: BTreeMap<String, u64> = BTreeMap::new();
    for b in &on_register {
        let code = base_division(world, b)
            .and_then(|c| prefecture_of(&c).map(|r| r.code.to_string()))
            .unwrap_or_default();
        *prefectures.entry(code).or_default() += 1;
    }
    let mut order: Vec<String> = prefectures.keys().filter(|k| !k.is_empty()).cloned().collect();
    order.push(String::new());
    let mut rows = counted(
        prefectures,
        |k| match guohe_reference::region::lookup(k) {
            Some(r) if r.kind == guohe_reference::RegionKind::Province => Label::new(k, r.province, r.province),
            Some(r) => Label::new(
                k,
                format!("{}{}", r.province, r.name),
                format!("{}{}", r.province, r.name),
            ),
            None => Label::new("", "未能确定", "Unknown"),
        },
        &order,
    );
    rows.retain(|(l, c)| !l.key.is_empty() || c[0] > 0);
    statistics.push(statistic(
        "bases_by_prefecture",
        Label::new("", "在册基地（按市州）", "Bases on the register by prefecture"),
        Label::new("", "市州", "Prefecture"),
        one_series(),
        rows,
    ));

    let mut years: BTreeMap<String, u64> = BTreeMap::new();
    for b in &on_register {
        *years.entry(b.recognised_on.year().to_string()).or_default() += 1;
    }
    statistics.push(statistic(
        "bases_by_year",
        Label::new(
            "",
            "在册基地（按认定年度）",
            "Bases on the register by year of recognition",
        ),
        Label::new("", "认定年度", "Year recognised"),
        one_series(),
        counted(years, |k| Label::new(k, format!("{k}年"), k), &[]),
    ));

    if scope == Scope::Department {
        statistics.extend(applications(world, &chosen, as_of));
        statistics.extend(grades(policies, &chosen, &bases, as_of));
    }
    Stats {
        as_of,
        policies: chosen.clone(),
        scope,
        on_register: on_register.len() as u64,
        statistics,
    }
}

/// One sheet per statistic: the title with the date and the policies, the rows' heading, the
/// series, 合计.
pub fn tables(s: &Stats) -> Vec<Table> {
    s.statistics
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let mut columns = vec![(st.rows_are.zh.clone(), 36.0)];
            columns.extend(st.series.iter().map(|l| (l.zh.clone(), 12.0)));
            if st.series.len() > 1 {
                columns.push(("合计".into(), 10.0));
            }
            let mut rows: Vec<Vec<Cell>> = st
                .rows
                .iter()
                .map(|r| {
                    let mut cells = vec![Cell::text(r.label.zh.clone())];
                    cells.extend(r.counts.iter().map(|n| Cell::Number(*n as f64)));
                    if st.series.len() > 1 {
                        cells.push(Cell::Number(r.total as f64));
                    }
                    cells
                })
                .collect();
            let mut total = vec![Cell::text("合计")];
            total.extend(
                (0..st.series.len()).map(|j| Cell::Number(st.rows.iter().map(|r| r.counts[j]).sum::<u64>() as f64)),
            );
            if st.series.len() > 1 {
                total.push(Cell::Number(st.total as f64));
            }
            rows.push(total);
            // Sheet names: at most 31 characters, unique, none of []:*?/\.
            let sheet: String = format!("{}-{}", i + 1, st.title.zh.replace(['（', '）'], ""))
                .chars()
                .filter(|c| !"[]:*?/\\".contains(*c))
                .take(31)
                .collect();
            Table {
                sheet,
                title: format!("{}，截至 {}（{}）", st.title.zh, s.as_of, s.policies.join("、")),
                columns,
                rows,
            }
        })
        .collect()
}

/// The workbook: one sheet per statistic.
pub fn xlsx(s: &Stats) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    export::book(&tables(s))
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;
