//! 导出 — the register, a round's 推荐汇总表, and the annual assessment and evaluation results,
//! as [`Table`]s (CSV or xlsx), plus the xlsx template for importing existing bases.
//!
//! The register's columns are [`crate::import_columns`]'s: what is exported imports again.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use guohe_domain::{ApplicationCase, Base, World};
use guohe_policy::{Policy, PolicySet};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Formula, Workbook, XlsxError};

use crate::export::{Cell, Table};
use crate::import_columns::{self, Column, NO, STATUSES, YES, base_row, policy_label};

/// The bases on the register (正常运行 or 限期整改) on `as_of`, optionally of one policy.
pub fn register_bases<'w>(world: &'w World, as_of: NaiveDate, policy: Option<&str>) -> Vec<&'w Base> {
    bases_where(world, as_of, policy, |s| s.on_register())
}

/// Every base recognised by `as_of`, whatever its status then (terminated, revoked,
/// disqualified and exited ones too), optionally of one policy: the whole register's history,
/// which imports into an empty database as the same.
pub fn all_bases<'w>(world: &'w World, as_of: NaiveDate, policy: Option<&str>) -> Vec<&'w Base> {
    bases_where(world, as_of, policy, |_| true)
}

fn bases_where<'w>(
    world: &'w World,
    as_of: NaiveDate,
    policy: Option<&str>,
    keep: impl Fn(guohe_domain::BaseStatus) -> bool,
) -> Vec<&'w Base> {
    let mut out: Vec<&Base> = world
        .bases()
        .filter(|b| policy.is_none_or(|p| b.policy == p))
        .filter(|b| b.status_on(as_of).is_some_and(&keep))
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// 基地名录 — the given bases (any filtered view), with the filter and the date in the title.
pub fn register_table(policies: &PolicySet, bases: &[&Base], filter: &str, as_of: NaiveDate) -> Table {
    let filter = if filter.trim().is_empty() {
        String::new()
    } else {
        format!("（{}）", filter.trim())
    };
    Table {
        sheet: "基地名录".into(),
        title: format!("国际科技合作基地名录{filter}，截至 {as_of}，共 {} 个", bases.len()),
        columns: import_columns::table_columns(),
        rows: bases.iter().map(|b| base_row(policies, b, as_of)).collect(),
    }
}

fn mean(scores: &[Decimal]) -> Option<Decimal> {
    if scores.is_empty() {
        return None;
    }
    Some((scores.iter().sum::<Decimal>() / Decimal::from(scores.len())).round_dp(2))
}

/// One line of a round's recommendation summary.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedApplication {
    /// Application id.
    pub application: String,
    /// Support unit.
    pub unit: String,
    /// The base's name as it would be named (the policy's template), or the domain.
    pub base_name: String,
    /// The recommender, by name (直接申报 when none is needed).
    pub recommender: String,
    /// Completed expert reviews.
    pub reviews: usize,
    /// The experts' mean score, to two decimals.
    pub mean: Option<Decimal>,
    /// 推荐 / 一般 / 不推荐 counts, in the policy's order of conclusions.
    pub conclusions: Vec<usize>,
    /// The eligibility verdict at submission, in Chinese.
    pub verdict: String,
}

fn verdict_zh(code: &str) -> String {
    match code {
        "eligible" => "符合申报条件".into(),
        "ineligible" => "不符合申报条件".into(),
        "needs_review" => "待专家评审".into(),
        other => other.to_string(),
    }
}

/// The round's applications that reached the experts, ranked by mean score (highest first;
/// unscored last), then by id.
pub fn ranked(world: &World, policy: &Policy, round: &str) -> Vec<RankedApplication> {
    let conclusions = &policy.vocabularies.expert_conclusions;
    let mut out: Vec<RankedApplication> = world
        .applications()
        .filter(|a| a.round == round && !a.experts.is_empty())
        .map(|a: &ApplicationCase| {
            let reviews: Vec<_> = a.experts.values().filter_map(|x| x.review.as_ref()).collect();
            let scores: Vec<Decimal> = reviews.iter().map(|r| r.score).collect();
            let f = &a.facts;
            RankedApplication {
                application: a.id.clone(),
                unit: f.unit.name.clone(),
                base_name: guohe_policy::naming::official_name(
                    policy,
                    &f.technology_domain,
                    f.category.as_deref(),
                    &f.unit.name,
                )
                .unwrap_or_else(|_| f.technology_domain.clone()),
                recommender: match &a.recommendation {
                    Some((by, _)) => by.clone(),
                    None if a.direct => "直接申报".into(),
                    None => String::new(),
                },
                reviews: reviews.len(),
                mean: mean(&scores),
                conclusions: conclusions
                    .iter()
                    .map(|t| reviews.iter().filter(|r| r.conclusion == t.code).count())
                    .collect(),
                verdict: verdict_zh(&a.verdict),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.mean
            .unwrap_or(Decimal::MIN)
            .cmp(&a.mean.unwrap_or(Decimal::MIN))
            .then_with(|| a.application.cmp(&b.application))
    });
    out
}

/// 推荐汇总表 — a round's ranked recommendation table, or `None` for an unknown round.
pub fn recommendation_table(world: &World, policies: &PolicySet, round: &str, as_of: NaiveDate) -> Option<Table> {
    let r = world.round(round)?;
    let policy = policies.get(&r.policy)?;
    let lines = ranked(world, policy, round);
    let mut columns: Vec<(String, f64)> = vec![
        ("序号".into(), 6.0),
        ("申报编号".into(), 14.0),
        ("依托单位".into(), 30.0),
        ("基地名称".into(), 34.0),
        ("推荐单位".into(), 20.0),
        ("评审专家数".into(), 10.0),
        ("专家平均分".into(), 11.0),
    ];
    columns.extend(
        policy
            .vocabularies
            .expert_conclusions
            .iter()
            .map(|t| (t.zh.clone(), 8.0)),
    );
    columns.push(("条件核查结论".into(), 16.0));
    Some(Table {
        sheet: "推荐汇总表".into(),
        title: format!(
            "{}推荐汇总表（{}，按专家平均分排序），截至 {as_of}，共 {} 项",
            r.title,
            policy.document_number,
            lines.len()
        ),
        columns,
        rows: lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let mut row = vec![
                    Cell::Number((i + 1) as f64),
                    Cell::text(l.application),
                    Cell::text(l.unit),
                    Cell::text(l.base_name),
                    Cell::text(l.recommender),
                    Cell::Number(l.reviews as f64),
                    l.mean.and_then(|m| m.to_f64()).map_or(Cell::Empty, Cell::Number),
                ];
                row.extend(l.conclusions.into_iter().map(|n| Cell::Number(n as f64)));
                row.push(Cell::text(l.verdict));
                row
            })
            .collect(),
    })
}

fn grade_label(terms: &[guohe_policy::model::Term], code: &str) -> String {
    guohe_policy::model::term(terms, code).map_or_else(|| code.to_string(), |t| t.zh.clone())
}

fn policy_text(policies: &PolicySet, id: &str) -> String {
    policies.get(id).map_or_else(|| id.to_string(), policy_label)
}

fn year_text(year: Option<i32>) -> String {
    year.map_or_else(|| "各年度".into(), |y| format!("{y}年度"))
}

/// 年度考核结果 — the annual assessment grades of one year (or all), by base, of the bases under
/// the policies `within` admits.
pub fn assessment_table(
    world: &World,
    policies: &PolicySet,
    year: Option<i32>,
    as_of: NaiveDate,
    within: &dyn Fn(&str) -> bool,
) -> Table {
    let mut rows = Vec::new();
    for b in world.bases().filter(|b| within(&b.policy)) {
        let grades = policies
            .get(&b.policy)
            .map_or(&[][..], |p| &p.vocabularies.annual_grades[..]);
        for (y, g) in b.annual_grades.iter().filter(|(y, _)| year.is_none_or(|x| x == **y)) {
            rows.push(vec![
                Cell::Number(*y as f64),
                Cell::text(&b.id),
                Cell::text(&b.official_name),
                Cell::text(&b.unit_name),
                Cell::text(policy_text(policies, &b.policy)),
                Cell::text(grade_label(grades, &g.grade)),
                Cell::text(if g.missing_report { YES } else { NO }),
                Cell::Date(g.recorded_on),
            ]);
        }
    }
    // By year, then base id (the first two cells).
    rows.sort_by(|a, b| {
        let key = |r: &Vec<Cell>| match (&r[0], &r[1]) {
            (Cell::Number(y), Cell::Text(id)) => (*y as i32, id.clone()),
            _ => (0, String::new()),
        };
        key(a).cmp(&key(b))
    });
    Table {
        sheet: "年度考核结果".into(),
        title: format!(
            "{}国际科技合作基地年度考核结果，截至 {as_of}，共 {} 条",
            year_text(year),
            rows.len()
        ),
        columns: vec![
            ("年度".into(), 8.0),
            ("基地编号".into(), 14.0),
            ("基地名称".into(), 32.0),
            ("依托单位".into(), 30.0),
            ("管理办法".into(), 20.0),
            ("考核结果".into(), 12.0),
            ("未报年度报告".into(), 12.0),
            ("记录日期".into(), 12.0),
        ],
        rows,
    }
}

/// 评估结果 — the periodic evaluations recorded in one year (or all), by base, of the bases
/// under the policies `within` admits.
pub fn evaluation_table(
    world: &World,
    policies: &PolicySet,
    year: Option<i32>,
    as_of: NaiveDate,
    within: &dyn Fn(&str) -> bool,
) -> Table {
    let mut rows: Vec<(NaiveDate, String, Vec<Cell>)> = Vec::new();
    for b in world.bases().filter(|b| within(&b.policy)) {
        let grades = policies
            .get(&b.policy)
            .map_or(&[][..], |p| &p.vocabularies.evaluation_grades[..]);
        for e in b.evaluations.iter().filter(|e| year.is_none_or(|y| e.on.year() == y)) {
            rows.push((
                e.on,
                b.id.clone(),
                vec![
                    Cell::Number(e.on.year() as f64),
                    Cell::text(&b.id),
                    Cell::text(&b.official_name),
                    Cell::text(&b.unit_name),
                    Cell::text(policy_text(policies, &b.policy)),
                    Cell::Date(e.on),
                    Cell::text(grade_label(grades, &e.grade)),
                    Cell::text(if e.re_evaluation { YES } else { NO }),
                ],
            ));
        }
    }
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    Table {
        sheet: "评估结果".into(),
        title: format!(
            "{}国际科技合作基地评估结果，截至 {as_of}，共 {} 条",
            year_text(year),
            rows.len()
        ),
        columns: vec![
            ("年度".into(), 8.0),
            ("基地编号".into(), 14.0),
            ("基地名称".into(), 32.0),
            ("依托单位".into(), 30.0),
            ("管理办法".into(), 20.0),
            ("评估日期".into(), 12.0),
            ("评估结果".into(), 12.0),
            ("整改后复评".into(), 10.0),
        ],
        rows: rows.into_iter().map(|(_, _, r)| r).collect(),
    }
}

/// Years with annual assessment grades and years with evaluations, for the pages' links.
pub fn result_years(world: &World, within: &dyn Fn(&str) -> bool) -> (Vec<i32>, Vec<i32>) {
    let mut assessed = std::collections::BTreeSet::new();
    let mut evaluated = std::collections::BTreeSet::new();
    for b in world.bases().filter(|b| within(&b.policy)) {
        assessed.extend(b.annual_grades.keys().copied());
        evaluated.extend(b.evaluations.iter().map(|e| e.on.year()));
    }
    (
        assessed.into_iter().rev().collect(),
        evaluated.into_iter().rev().collect(),
    )
}

/// Rows of the template that carry drop-down lists.
const TEMPLATE_ROWS: u32 = 2000;

/// 导入模板 — the register sheet with one example row, drop-down lists for 管理办法, 基地类型
/// (the policies' categories and the old names their transitional articles map), 技术领域 (the
/// domains on the register, as suggestions: another may be typed), 合作国别, 国家基地 and 状态,
/// and a sheet 说明 saying how each column is read.
pub fn import_template(policies: &[&Policy], domains: &[String], today: NaiveDate) -> Result<Vec<u8>, XlsxError> {
    let example_policy = policies.first().copied();
    let mut example: Vec<Cell> = Column::ALL.iter().map(|_| Cell::Empty).collect();
    if let Some(p) = example_policy {
        let province = &p.province.code;
        let region = guohe_reference::region::all()
            .iter()
            .find(|r| r.province_code() == province && r.kind == guohe_reference::RegionKind::Prefecture);
        let division = region.map_or(format!("{province}0100"), |r| r.code.to_string());
        let uscc = import_columns::complete_uscc(&format!("91{division}MA4K5678")).unwrap_or_default();
        let category = p
            .vocabularies
            .categories
            .first()
            .map(|t| t.zh.clone())
            .unwrap_or_default();
        for (i, c) in Column::ALL.iter().enumerate() {
            example[i] = match c {
                Column::BaseId => Cell::text(format!("{}-2019-01", p.province.code)),
                Column::OfficialName => Cell::text(format!("{}新材料国际科技合作基地", p.province.name)),
                Column::UnitName => Cell::text("示例新材料有限公司"),
                Column::Uscc => Cell::text(&uscc),
                Column::Policy => Cell::text(policy_label(p)),
                Column::Category => Cell::text(category.clone()),
                Column::Domain => Cell::text("新材料"),
                Column::Country => Cell::text("德国"),
                Column::Region => Cell::text(region.map(import_columns::region_label).unwrap_or_default()),
                Column::Director => Cell::text("张三"),
                Column::RecognisedOn => Cell::Date(NaiveDate::from_ymd_opt(2019, 6, 1).unwrap_or(today)),
                Column::National => Cell::text(NO),
                Column::Status => Cell::text("正常运行"),
                Column::StatusSince | Column::StatusGrounds => Cell::Empty,
                Column::UnitLogin => Cell::text("shili-xcl"),
                Column::UnitPhone | Column::DirectorPhone => Cell::Empty,
                Column::UnitEmail => Cell::text("office@shili.example.cn"),
                Column::DirectorLogin => Cell::text("shili-zhangsan"),
                Column::DirectorEmail => Cell::text("zhangsan@shili.example.cn"),
            };
        }
    }
    let sheet = Table {
        sheet: "基地名录".into(),
        title: "存量国际科技合作基地导入表（第一行为说明，第二行为表头，示例行可删除；日期写成 2019-06-01）".into(),
        columns: import_columns::table_columns(),
        rows: vec![example],
    };
    // The choices, one column each on a sheet of their own (a list typed into the validation
    // itself is limited to 255 characters).
    let mut lists: BTreeMap<Column, Vec<String>> = BTreeMap::new();
    lists.insert(Column::Policy, policies.iter().map(|p| policy_label(p)).collect());
    let mut cats: Vec<String> = Vec::new();
    for p in policies {
        cats.extend(p.vocabularies.categories.iter().map(|t| t.zh.clone()));
        if let Some(m) = &p.transitions.category_mapping {
            cats.extend(m.map.iter().map(|o| o.old.clone()));
        }
    }
    cats.dedup();
    lists.insert(Column::Category, cats);
    lists.insert(Column::Domain, domains.to_vec());
    lists.insert(
        Column::Country,
        guohe_reference::country::all()
            .iter()
            .filter(|c| !c.is_china())
            .map(|c| c.name_zh.to_string())
            .collect(),
    );
    lists.insert(Column::National, vec![YES.into(), NO.into()]);
    lists.insert(Column::Status, STATUSES.iter().map(|(_, zh)| zh.to_string()).collect());
    let mut grounds: Vec<String> = Vec::new();
    for p in policies {
        grounds.extend(crate::import_status::replayable(p).map(|c| c.title_zh.clone()));
    }
    grounds.dedup();
    lists.insert(Column::StatusGrounds, grounds);

    let mut wb = Workbook::new();
    sheet.write_sheet(wb.add_worksheet())?;
    let choices = wb.add_worksheet();
    choices.set_name("选项")?;
    for (j, (col, items)) in lists.iter().enumerate() {
        choices.write_string(0, j as u16, col.heading())?;
        for (i, it) in items.iter().enumerate() {
            choices.write_string(1 + i as u32, j as u16, it)?;
        }
    }
    choices.set_hidden(true);
    let ws = wb.worksheet_from_index(0)?;
    for (j, (col, items)) in lists.iter().enumerate() {
        if items.is_empty() {
            continue;
        }
        let letter = rust_xlsxwriter::utility::column_number_to_name(j as u16);
        let formula = Formula::new(format!("='选项'!${letter}$2:${letter}${}", items.len() + 1));
        let mut v = DataValidation::new().allow_list_formula(formula);
        if matches!(col, Column::Domain | Column::Category | Column::StatusGrounds) {
            // Free text (a new domain, an old category spelt out) stays possible: a warning only.
            v = v.set_error_style(DataValidationErrorStyle::Warning);
        }
        let c = Column::ALL.iter().position(|x| x == col).unwrap_or(0) as u16;
        ws.add_data_validation(2, c, 2 + TEMPLATE_ROWS, c, &v)?;
    }
    let notes = wb.add_worksheet();
    notes.set_name("说明")?;
    notes.set_column_width(0, 16)?;
    notes.set_column_width(1, 90)?;
    for (i, (h, how)) in [
        ("基地编号", "必填；登记簿中的编号，同一文件内不得重复。已在登记簿中且内容相同的行不再导入。"),
        ("统一社会信用代码", "必填；18 位，校验位须正确，登记地须在管理办法所在省。"),
        ("管理办法", "必填；填文号（如 湘科发〔2026〕27号），也可填办法编号或省名；须在导入之日有效。"),
        (
            "基地类型",
            "按类型管理的办法必填：填现行类型；办法施行前认定的基地也可填旧类型，按过渡条款（湖南办法第二十二条）对应为新类型。",
        ),
        ("技术领域", "必填；下拉为登记簿中已有的领域，也可填写其他领域。"),
        ("合作国别", "可填中文国名或两位字母代码。"),
        ("地区", "可填六位行政区划代码或“省名+市名”，须与统一社会信用代码的登记地一致。"),
        ("认定日期", "必填；原认定日期，不得晚于导入之日。"),
        ("国家基地", "“是”表示国家级基地不再重新认定、直接纳入管理（湖北办法第三十条）。"),
        (
            "状态",
            "留空即“正常运行”。其他状态（限期整改、终止、撤销、取消资格、退出省级管理序列）在纳入后按管理办法的后果条款记录，须填状态日期。",
        ),
        ("状态日期", "状态生效之日（如取消资格、整改开始之日），不早于认定日期、不晚于导入之日；正常运行留空。"),
        (
            "状态依据",
            "办法中产生该状态的后果条款（下拉可选）；办法中只有一条可用条款时可留空。导出的名录已填写。",
        ),
        (
            "依托单位账号",
            "可选；为依托单位开设账号（3至32位小写字母、数字或 . _ -），账号名称为依托单位名称。初始口令只显示一次，首次登录须修改。",
        ),
        ("依托单位手机", "可选；11位手机号码，加密保存在账号的个人信息中（须同时填写账号）。"),
        ("依托单位邮箱", "可选；接收提醒的电子邮箱，加密保存（须同时填写账号）。"),
        (
            "负责人账号",
            "可选；为基地负责人开设账号：角色为依托单位（代表本单位办理该基地事务），账号名称为基地负责人姓名。",
        ),
        ("负责人手机", "可选；同上。"),
        ("负责人邮箱", "可选；同上。"),
        (
            "账号",
            "同名账号已存在且角色、所属单位、名称相同的不再创建；被其他单位或人员占用的，该行报错。",
        ),
        ("整体导入", "任何一行有误则整份文件不导入，并逐行列出行号、列名和原因。"),
    ]
    .iter()
    .enumerate()
    {
        notes.write_string(i as u32, 0, *h)?;
        notes.write_string(i as u32, 1, *how)?;
    }
    wb.save_to_buffer()
}
