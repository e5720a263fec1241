//! One row of an import file read into a carry-over, the status step after it and the
//! accounts it opens, with every fault of its cells (see [`crate::import`]).

use std::collections::HashMap;

use chrono::NaiveDate;
use guohe_domain::CarryOverBase;
use guohe_policy::{Policy, PolicySet};

use crate::import::{Grid, ImportError, Raw, RowError, parse_date};
use crate::import_accounts::{ImportedAccount, RowCells};
use crate::import_columns::{CategoryCell, Column, NO, YES, resolve_category, resolve_country, resolve_policy};
use crate::import_status::StatusStep;

/// A row read into a command, the status step after it and the accounts it opens.
pub(crate) struct Parsed {
    pub row: u32,
    pub cmd: CarryOverBase,
    pub status: Option<StatusStep>,
    pub accounts: Vec<ImportedAccount>,
}

pub(crate) fn err(row: u32, col: Column, reason: impl Into<String>) -> RowError {
    RowError {
        row,
        column: col.heading().to_string(),
        reason: reason.into(),
    }
}

/// Finds the heading row (the title row of an export comes before it) and the columns.
pub(crate) fn headings(grid: &Grid) -> Result<(usize, HashMap<Column, usize>), ImportError> {
    let norm = |s: String| s.trim().trim_end_matches(['*', '＊']).trim().to_string();
    for (i, (_, cells)) in grid.rows.iter().enumerate().take(5) {
        let names: Vec<String> = cells.iter().map(|c| norm(c.text())).collect();
        if !names.iter().any(|n| n == Column::BaseId.heading()) {
            continue;
        }
        let mut at = HashMap::new();
        for col in Column::ALL {
            if let Some(j) = names.iter().position(|n| n == col.heading()) {
                at.insert(col, j);
            } else if col.required() {
                return Err(ImportError::MissingColumn(col.heading()));
            }
        }
        return Ok((i, at));
    }
    Err(ImportError::NoHeadings)
}

/// Reads one data row into a command, or every fault in it.
pub(crate) fn parse_row(
    policies: &PolicySet,
    today: NaiveDate,
    row: u32,
    cells: &[Raw],
    at: &HashMap<Column, usize>,
) -> Result<Parsed, Vec<RowError>> {
    let raw = |c: Column| at.get(&c).and_then(|&j| cells.get(j)).cloned().unwrap_or(Raw::Empty);
    let text = |c: Column| raw(c).text();
    let mut errors = Vec::new();
    for col in Column::ALL.into_iter().filter(|c| c.required()) {
        if text(col).is_empty() {
            errors.push(err(row, col, format!("“{}”必须填写", col.heading())));
        }
    }
    let uscc = text(Column::Uscc).to_ascii_uppercase();
    let unit = if uscc.is_empty() {
        None
    } else {
        match guohe_reference::uscc::parse(&uscc) {
            Ok(u) => Some(u),
            Err(e) => {
                errors.push(err(row, Column::Uscc, e.message_zh()));
                None
            }
        }
    };
    let recognised_on = match raw(Column::RecognisedOn) {
        Raw::Empty => None,
        r => match parse_date(&r) {
            Some(d) if d > today => {
                errors.push(err(
                    row,
                    Column::RecognisedOn,
                    format!("认定日期 {d} 晚于今天（{today}）"),
                ));
                None
            }
            Some(d) => Some(d),
            None => {
                errors.push(err(
                    row,
                    Column::RecognisedOn,
                    format!("“{}”不是日期；请写成 2019-06-01", r.text()),
                ));
                None
            }
        },
    };
    let policy: Option<&Policy> = match text(Column::Policy) {
        t if t.is_empty() => None,
        t => match resolve_policy(policies, &t) {
            Ok(p) => match guohe_policy::eval::check_in_force(p, today) {
                Ok(()) => Some(p),
                Err(_) => {
                    errors.push(err(
                        row,
                        Column::Policy,
                        format!("《{}》在 {today} 不在有效期内，不能据此纳入基地", p.title),
                    ));
                    None
                }
            },
            Err(e) => {
                errors.push(err(row, Column::Policy, e));
                None
            }
        },
    };
    let mut category = None;
    let mut old_category = None;
    if let Some(p) = policy {
        match text(Column::Category) {
            t if t.is_empty() => {
                if !p.vocabularies.categories.is_empty() {
                    errors.push(err(
                        row,
                        Column::Category,
                        format!("《{}》按类型管理基地，请填写基地类型", p.title),
                    ));
                }
            }
            t => match resolve_category(p, &t) {
                Ok(CategoryCell::New(code)) => category = Some(code),
                Ok(CategoryCell::Old(old)) => match recognised_on {
                    Some(d) if d >= p.in_force_from => errors.push(err(
                        row,
                        Column::Category,
                        format!(
                            "“{old}”是旧类型；{d} 认定时《{}》已施行（{}起），应填写现行类型",
                            p.title, p.in_force_from
                        ),
                    )),
                    _ => old_category = Some(old),
                },
                Err(e) => errors.push(err(row, Column::Category, e)),
            },
        }
        if let Some(u) = &unit
            && !u.division_code().starts_with(&p.province.code)
        {
            errors.push(err(
                row,
                Column::Uscc,
                format!(
                    "统一社会信用代码的登记地（{}）不在{}",
                    u.division_code(),
                    p.province.name
                ),
            ));
        }
    }
    let partner_country = match text(Column::Country) {
        t if t.is_empty() => None,
        t => match resolve_country(&t) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(err(row, Column::Country, e));
                None
            }
        },
    };
    let region = text(Column::Region);
    if !region.is_empty() {
        let t = region;
        match crate::import_columns::resolve_region(&t) {
            Err(e) => errors.push(err(row, Column::Region, e)),
            Ok(r) => {
                if let Some(p) = policy
                    && r.province_code() != p.province.code
                {
                    errors.push(err(row, Column::Region, format!("地区“{t}”不在{}", p.province.name)));
                } else if let Some(u) = &unit
                    && crate::import_columns::prefecture_of(u.division_code()).map(|x| x.code) != Some(r.code)
                {
                    errors.push(err(
                        row,
                        Column::Region,
                        format!("地区“{t}”与统一社会信用代码的登记地（{}）不一致", u.division_code()),
                    ));
                }
            }
        }
    }
    let national = match text(Column::National).as_str() {
        "" | NO | "N" | "n" | "false" | "0" => false,
        YES | "Y" | "y" | "true" | "1" => true,
        other => {
            errors.push(err(row, Column::National, format!("“{other}”应为“是”或“否”")));
            false
        }
    };
    let status = status_cells(policy, &raw, recognised_on, today, row, &mut errors);
    let base_id = text(Column::BaseId);
    let accounts = crate::import_accounts::read_row(
        &RowCells {
            row,
            base: &base_id,
            unit_name: &text(Column::UnitName),
            director: &text(Column::Director),
            uscc: &uscc,
            province: policy.map_or("", |p| p.province.code.as_str()),
        },
        &text,
        &mut errors,
    );
    let (Some(policy), Some(recognised_on), true) = (policy, recognised_on, errors.is_empty()) else {
        // A missing required cell is among the errors.
        return Err(errors);
    };
    Ok(Parsed {
        row,
        status,
        accounts,
        cmd: CarryOverBase {
            base_id: text(Column::BaseId),
            policy: policy.id.clone(),
            official_name: text(Column::OfficialName),
            unit_name: text(Column::UnitName),
            uscc,
            domain: text(Column::Domain),
            old_category,
            category,
            director: text(Column::Director),
            partner_country,
            recognised_on,
            national,
        },
    })
}

/// Reads the status, 状态日期 and 状态依据 cells into the step after the carry-over.
fn status_cells(
    policy: Option<&Policy>,
    raw: &dyn Fn(Column) -> Raw,
    recognised_on: Option<NaiveDate>,
    today: NaiveDate,
    row: u32,
    errors: &mut Vec<RowError>,
) -> Option<StatusStep> {
    let status = match crate::import_columns::resolve_status(&raw(Column::Status).text()) {
        Ok(s) => s,
        Err(e) => {
            errors.push(err(row, Column::Status, e));
            return None;
        }
    };
    let since = match raw(Column::StatusSince) {
        r if r.text().is_empty() => None,
        r => match parse_date(&r) {
            Some(d) => Some(d),
            None => {
                errors.push(err(
                    row,
                    Column::StatusSince,
                    format!("“{}”不是日期；请写成 2024-06-01", r.text()),
                ));
                return None;
            }
        },
    };
    let policy = policy?;
    let grounds = raw(Column::StatusGrounds).text();
    match crate::import_status::resolve(policy, status, since, &grounds, recognised_on, today) {
        Ok(step) => step,
        Err(faults) => {
            errors.extend(faults.into_iter().map(|(c, why)| err(row, c, why)));
            None
        }
    }
}
