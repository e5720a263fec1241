//! 后补助 — the read model of post-subsidies (Hubei 第二十五、二十六条) and its exports: the rows
//! every page, the API and the command line list, the candidates of an evaluation year, and the
//! CSV and xlsx files rendered from those rows.

use chrono::NaiveDate;
use guohe_domain::{World, evaluation_grade_in};
use guohe_policy::PolicySet;
use rust_decimal::Decimal;
use rust_xlsxwriter::XlsxError;

use crate::export::{Cell, Table};
use serde::Serialize;

/// One base's post-subsidy, as listed and exported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubsidyRow {
    /// 评估年度.
    pub year: i32,
    /// Policy id.
    pub policy: String,
    /// 文号.
    pub document_number: String,
    /// 发文日期.
    pub issued_on: NaiveDate,
    /// Base id.
    pub base: String,
    /// 基地名称.
    pub base_name: String,
    /// 依托单位.
    pub unit_name: String,
    /// 金额（万元）, exact.
    pub amount_wan: Decimal,
    /// Bases graded in that year's evaluation, and the share's limit, when awarded.
    pub evaluated: u32,
    /// The most bases the share allowed.
    pub limit: u32,
}

/// The post-subsidies, optionally of one policy and one evaluation year, newest year first.
pub fn rows(world: &World, policy: Option<&str>, year: Option<i32>) -> Vec<SubsidyRow> {
    world
        .post_subsidies(policy, year)
        .into_iter()
        .map(|(b, s)| SubsidyRow {
            year: s.event.year,
            policy: b.policy.clone(),
            document_number: s.event.document_number.clone(),
            issued_on: s.event.issued_on,
            base: b.id.clone(),
            base_name: b.official_name.clone(),
            unit_name: b.unit_name.clone(),
            amount_wan: s.event.amount_wan,
            evaluated: s.event.evaluated,
            limit: s.event.limit,
        })
        .collect()
}

/// A base graded in an evaluation year, as a candidate for the post-subsidy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// Base id.
    pub base: String,
    /// 基地名称.
    pub name: String,
    /// 依托单位.
    pub unit_name: String,
    /// Still on the register.
    pub on_register: bool,
    /// The document that already awarded it for this year.
    pub awarded_by: Option<String>,
}

/// 候选 — the bases graded with the qualifying grade in a year's evaluation, and the share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidates {
    /// Policy id.
    pub policy: String,
    /// 评估年度.
    pub year: i32,
    /// Bases graded that year.
    pub evaluated: usize,
    /// The share in percent.
    pub share_percent: u32,
    /// How it is rounded, in Chinese.
    pub rounding_zh: String,
    /// The most bases that may be awarded.
    pub limit: usize,
    /// Already awarded for the year.
    pub awarded: usize,
    /// The qualifying bases, by id.
    pub bases: Vec<Candidate>,
}

/// The candidates of a year under a policy, or `None` when the policy provides no post-subsidy.
pub fn candidates(world: &World, policies: &PolicySet, policy: &str, year: i32) -> Option<Candidates> {
    let p = policies.get(policy)?;
    let s = p.lifecycle.post_subsidy.as_ref()?;
    let evaluated = world.evaluated_in(policy, year);
    let bases = evaluated
        .iter()
        .filter(|b| evaluation_grade_in(b, year) == Some(s.grade.as_str()))
        .map(|b| Candidate {
            base: b.id.clone(),
            name: b.official_name.clone(),
            unit_name: b.unit_name.clone(),
            on_register: b.status.on_register(),
            awarded_by: b
                .post_subsidies
                .iter()
                .find(|x| x.event.year == year)
                .map(|x| x.event.document_number.clone()),
        })
        .collect();
    Some(Candidates {
        policy: policy.to_string(),
        year,
        evaluated: evaluated.len(),
        share_percent: s.share_percent,
        rounding_zh: s.rounding.zh().to_string(),
        limit: s.limit(evaluated.len()),
        awarded: world.post_subsidies(Some(policy), Some(year)).len(),
        bases,
    })
}

/// The years with a post-subsidy, newest first.
pub fn years(world: &World) -> Vec<i32> {
    let mut v: Vec<i32> = world
        .post_subsidies(None, None)
        .iter()
        .map(|(_, s)| s.event.year)
        .collect();
    v.dedup();
    v
}

/// The column headings, in Chinese, of both exports.
pub const HEADERS: [&str; 8] = [
    "评估年度",
    "文号",
    "发文日期",
    "基地编号",
    "基地名称",
    "依托单位",
    "金额（万元）",
    "办法",
];

/// The export as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese):
/// the headings, then one line per base, amounts exact.
pub fn csv(rows: &[SubsidyRow]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADERS.join(","));
    out.push('\n');
    for r in rows {
        let cells = [
            r.year.to_string(),
            r.document_number.clone(),
            r.issued_on.to_string(),
            r.base.clone(),
            r.base_name.clone(),
            r.unit_name.clone(),
            r.amount_wan.to_string(),
            r.policy.clone(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn csv_cell(c: &str) -> String {
    // A cell starting with a formula character is quoted with a leading apostrophe so that a
    // spreadsheet does not run it.
    let c = if c.starts_with(['=', '+', '-', '@']) {
        format!("'{c}")
    } else {
        c.to_string()
    };
    if c.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c
    }
}

/// The export as an xlsx workbook: a title row saying what is listed and as of when, the
/// headings frozen below it, years and amounts as numbers, document dates as dates.
pub fn xlsx(rows: &[SubsidyRow], title: &str) -> Result<Vec<u8>, XlsxError> {
    let widths = [10.0, 24.0, 12.0, 14.0, 40.0, 30.0, 14.0, 12.0];
    Table {
        sheet: "后补助".into(),
        title: title.into(),
        columns: HEADERS.iter().zip(widths).map(|(h, w)| (h.to_string(), w)).collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::Number(f64::from(r.year)),
                    Cell::text(&r.document_number),
                    Cell::Date(r.issued_on),
                    Cell::text(&r.base),
                    Cell::text(&r.base_name),
                    Cell::text(&r.unit_name),
                    // Excel keeps numbers as doubles; an amount to the yuan in 万元 is exact
                    // enough there (the CSV keeps it exact).
                    Cell::Amount(r.amount_wan.to_string().parse().unwrap_or(0.0)),
                    Cell::text(&r.policy),
                ]
            })
            .collect(),
    }
    .xlsx()
}

/// The title row of an export: what it lists and as of when.
pub fn title(year: Option<i32>, policy: Option<&str>, as_of: NaiveDate) -> String {
    let what = match year {
        Some(y) => format!("{y} 年度评估"),
        None => "全部评估年度".to_string(),
    };
    let of = policy.map(|p| format!("（{p}）")).unwrap_or_default();
    format!("建设经费后补助名单 — {what}{of}，截至 {as_of}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(csv_cell("鄂科技函〔2026〕1号"), "鄂科技函〔2026〕1号");
    }

    fn read_part(bytes: &[u8], name: &str) -> String {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut f = z.by_name(name).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).unwrap();
        s
    }

    #[test]
    fn the_workbook_has_a_title_frozen_headings_numbers_and_dates() {
        let row = SubsidyRow {
            year: 2026,
            policy: "hubei-2022".into(),
            document_number: "鄂科技函〔2026〕1号".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            base: "HB-0001".into(),
            base_name: "湖北省激光国际科技合作基地".into(),
            unit_name: "武汉示范光电科技有限公司".into(),
            amount_wan: "80.5".parse().unwrap(),
            evaluated: 25,
            limit: 5,
        };
        let bytes = xlsx(&[row], "建设经费后补助名单 — 2026 年度评估，截至 2026-12-01").unwrap();
        let strings = read_part(&bytes, "xl/sharedStrings.xml");
        assert!(strings.contains("截至 2026-12-01") && strings.contains("金额（万元）") && strings.contains("文号"));
        let sheet = read_part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains(r#"ySplit="2""#), "headings frozen: {sheet}");
        // Year, date and amount are numbers (no t="s"); 2026-12-01 is Excel day 46357.
        assert!(sheet.contains(r#"<c r="A3"><v>2026</v></c>"#), "{sheet}");
        assert!(sheet.contains("<v>46357</v>"), "{sheet}");
        assert!(sheet.contains("<v>80.5</v>"), "{sheet}");
        let styles = read_part(&bytes, "xl/styles.xml");
        assert!(styles.contains("yyyy-mm-dd"), "{styles}");
    }

    #[test]
    fn the_title_says_what_and_as_of_when() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            title(Some(2026), Some("hubei-2022"), d),
            "建设经费后补助名单 — 2026 年度评估（hubei-2022），截至 2026-12-01"
        );
    }
}
