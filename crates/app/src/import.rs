//! 存量基地导入 — bases recognised before the system (or nationally) brought onto the register
//! from a spreadsheet (xlsx or CSV), as `CarryOverBase` commands under the transitional articles
//! (Hunan 第二十二条 maps the old categories; Hubei 第三十条、第三十一条 national and legacy
//! bases).
//!
//! All or nothing: every row is read and checked — the cells first, then each command against a
//! copy of the world with the rows before it applied — and the events of every row are appended
//! in one transaction only when no row is at fault. A row whose base is already on the register
//! with the same particulars is left alone, so a second run of the same file adds nothing.
//!
//! Readings taken (the regulations say nothing about files):
//! - the policy a row names must be in force on the day of the import, since the carry-over is
//!   a step under it;
//! - the policy in force on the recognition date decides which categories a row may name: a
//!   base recognised on or after the policy entered into force was recognised under it and
//!   takes one of its categories; an old category name is mapped only for a base recognised
//!   before (Hunan 第二十二条);
//! - a base comes on the register 正常运行; a rectification or other status is recorded after
//!   the carry-over by its own step, so a row with another status is refused;
//! - the 地区 column, when filled, must be the prefecture in the unit's USCC (the register takes
//!   a carried-over base's region from it) and within the policy's province.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use calamine::{Data, Reader};
use chrono::NaiveDate;
use guohe_domain::{Actor, Base, CarryOverBase, Command, Ctx, Event};
use guohe_policy::{Policy, PolicySet};

use crate::import_columns::{CategoryCell, Column, NO, YES, resolve_category, resolve_country, resolve_policy};
use crate::{AppError, Guohe, batch_at_versions};

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 20_000;

/// A cell as read from the file.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A date (a date-formatted cell).
    Date(NaiveDate),
}

impl Raw {
    /// The cell as text: a whole number without its decimals (a region code typed as a
    /// number), a date as YYYY-MM-DD.
    pub fn text(&self) -> String {
        match self {
            Raw::Empty => String::new(),
            Raw::Text(s) => s.trim().to_string(),
            Raw::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Raw::Number(n) => n.to_string(),
            Raw::Date(d) => d.to_string(),
        }
    }
}

/// A sheet: rows with their number as a spreadsheet shows it (1-based).
#[derive(Debug, Clone, Default)]
pub struct Grid {
    /// Rows, each with its row number.
    pub rows: Vec<(u32, Vec<Raw>)>,
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not a workbook or CSV this can read.
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
    /// No row carries the headings.
    #[error("no heading row found (expected 基地编号, 基地名称, …)")]
    NoHeadings,
    /// A required column is missing.
    #[error("column {0} is missing")]
    MissingColumn(&'static str),
    /// No data row.
    #[error("the file has no data rows")]
    Empty,
    /// Too many rows.
    #[error("the file has more than {MAX_ROWS} rows")]
    TooLarge,
    /// The application failed (database, conflict).
    #[error(transparent)]
    App(#[from] AppError),
}

impl ImportError {
    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            ImportError::Unreadable(e) => format!("文件无法读取（应为 xlsx 或 UTF-8 CSV）：{e}"),
            ImportError::NoHeadings => "前五行中没有表头行（应含“基地编号”“基地名称”等列，请使用导入模板）".into(),
            ImportError::MissingColumn(h) => format!("缺少“{h}”列，请使用导入模板"),
            ImportError::Empty => "文件中没有数据行".into(),
            ImportError::TooLarge => format!("文件超过 {MAX_ROWS} 行，请分批导入"),
            ImportError::App(e) => e.message_zh(),
        }
    }
}

/// Reads the first worksheet of an xlsx (or xls, ods) workbook.
pub fn read_workbook(bytes: &[u8]) -> Result<Grid, ImportError> {
    let mut wb =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| ImportError::Unreadable(e.to_string()))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| ImportError::Unreadable("no worksheet".into()))?
        .map_err(|e| ImportError::Unreadable(e.to_string()))?;
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut grid = Grid::default();
    for (i, r) in range.rows().enumerate() {
        let mut cells = vec![Raw::Empty; col0 as usize];
        cells.extend(r.iter().map(|d| match d {
            Data::Empty | Data::Error(_) => Raw::Empty,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Raw::Text(s.clone()),
            Data::Int(n) => Raw::Number(*n as f64),
            Data::Float(n) => Raw::Number(*n),
            Data::Bool(b) => Raw::Text(if *b { YES } else { NO }.into()),
            Data::DateTime(dt) => dt.as_datetime().map_or(Raw::Empty, |t| Raw::Date(t.date())),
        }));
        grid.rows.push((row0 + i as u32 + 1, cells));
    }
    Ok(grid)
}

/// Reads a CSV file (UTF-8, with or without a byte-order mark).
pub fn read_csv(bytes: &[u8]) -> Result<Grid, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::Unreadable("not UTF-8".into()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Grid::default();
    for rec in r.records() {
        let rec = rec.map_err(|e| ImportError::Unreadable(e.to_string()))?;
        let line = rec.position().map_or(grid.rows.len() as u32 + 1, |p| p.line() as u32);
        grid.rows.push((
            line,
            rec.iter()
                .map(|c| {
                    // The exports guard formulas with a leading apostrophe.
                    let c = c
                        .strip_prefix('\'')
                        .filter(|s| s.starts_with(['=', '+', '-', '@']))
                        .unwrap_or(c);
                    if c.trim().is_empty() {
                        Raw::Empty
                    } else {
                        Raw::Text(c.to_string())
                    }
                })
                .collect(),
        ));
    }
    Ok(grid)
}

/// Reads a file by its name's extension (`.csv` or a workbook) or, failing that, its content.
pub fn read_file(name: &str, bytes: &[u8]) -> Result<Grid, ImportError> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".csv") || (!bytes.starts_with(b"PK") && !lower.ends_with(".xlsx") && !lower.ends_with(".xls")) {
        read_csv(bytes)
    } else {
        read_workbook(bytes)
    }
}

/// A fault in a row: where and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// The row number as the spreadsheet shows it.
    pub row: u32,
    /// The column's heading (empty when the row as a whole is at fault).
    pub column: String,
    /// Why, in Chinese.
    pub reason: String,
}

/// A row that will become a base.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewBase {
    /// Row number.
    pub row: u32,
    /// Base id.
    pub base: String,
    /// Official name.
    pub official_name: String,
    /// Policy id.
    pub policy: String,
    /// The old category mapped to the new one (Hunan 第二十二条), when the row named one.
    pub reclassified: Option<(String, String)>,
    /// The articles the carry-over cites.
    pub articles: Vec<String>,
}

/// What an import found and did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    /// Rows that become (or, written, became) bases.
    pub new: Vec<NewBase>,
    /// Rows whose base is already on the register with the same particulars: (row, base id).
    pub unchanged: Vec<(u32, String)>,
    /// Every fault; when there is one, nothing is written.
    pub errors: Vec<RowError>,
    /// Whether the bases were written (false for a dry run or a file with faults).
    pub written: bool,
}

impl ImportReport {
    /// Whether every row is good.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }
}

/// A row read into a command.
struct Parsed {
    row: u32,
    cmd: CarryOverBase,
}

fn err(row: u32, col: Column, reason: impl Into<String>) -> RowError {
    RowError {
        row,
        column: col.heading().to_string(),
        reason: reason.into(),
    }
}

/// Finds the heading row (the title row of an export comes before it) and the columns.
fn headings(grid: &Grid) -> Result<(usize, HashMap<Column, usize>), ImportError> {
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

fn parse_date(raw: &Raw) -> Option<NaiveDate> {
    match raw {
        Raw::Date(d) => Some(*d),
        // A date typed into a cell without a date format: Excel's serial day number.
        Raw::Number(n) if (1.0..2_958_466.0).contains(n) => {
            NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(n.trunc() as u64))
        }
        Raw::Text(s) => {
            let s = s.trim();
            ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        }
        _ => None,
    }
}

/// Reads one data row into a command, or every fault in it.
fn parse_row(
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
    match text(Column::Status).as_str() {
        "" | "active" | "正常运行" => {}
        other => errors.push(err(
            row,
            Column::Status,
            format!("存量基地以“正常运行”纳入登记簿；“{other}”须在纳入后按办法另行办理"),
        )),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(policy), Some(recognised_on)) = (policy, recognised_on) else {
        unreachable!("a missing required cell is an error above")
    };
    Ok(Parsed {
        row,
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

/// Whether a base already carries a row's particulars.
fn same_base(b: &Base, c: &CarryOverBase, category: Option<&str>) -> bool {
    b.policy == c.policy
        && b.official_name == c.official_name.trim()
        && b.unit_name == c.unit_name.trim()
        && b.uscc == c.uscc.trim()
        && b.domain == c.domain.trim()
        && b.director == c.director.trim()
        && b.category.as_deref() == category
        && b.partner_country == c.partner_country
        && b.recognised_on == c.recognised_on
        && crate::import_columns::is_national(b) == c.national
}

/// The new category a row ends up with (an old one mapped).
fn category_of(policies: &PolicySet, c: &CarryOverBase) -> Option<String> {
    match (&c.old_category, &c.category) {
        (Some(old), _) => policies
            .get(&c.policy)
            .and_then(|p| p.transitions.category_mapping.as_ref())
            .and_then(|m| m.map.iter().find(|o| &o.old == old))
            .map(|o| o.new.clone()),
        (None, c) => c.clone(),
    }
}

/// Reads and checks every row against `world`: the report and, when clean, the events.
/// `within` says which policies the importer may carry bases over under (a department its
/// province's); a row under another is refused.
pub fn plan(
    world: &guohe_domain::World,
    ctx: &Ctx<'_>,
    grid: &Grid,
    within: &(dyn Fn(&str) -> bool + Sync),
) -> Result<(ImportReport, Vec<Event>), ImportError> {
    let (head, at) = headings(grid)?;
    let data: Vec<&(u32, Vec<Raw>)> = grid.rows[head + 1..]
        .iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.text().is_empty()))
        .collect();
    if data.is_empty() {
        return Err(ImportError::Empty);
    }
    if data.len() > MAX_ROWS {
        return Err(ImportError::TooLarge);
    }
    let mut report = ImportReport {
        rows: data.len(),
        ..Default::default()
    };
    let mut parsed = Vec::new();
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    for (row, cells) in data {
        match parse_row(ctx.policies, ctx.today, *row, cells, &at) {
            Ok(p) if !within(&p.cmd.policy) => report.errors.push(err(
                p.row,
                Column::Policy,
                format!("无权按“{}”纳入基地（只能导入本省的基地）", p.cmd.policy),
            )),
            Ok(p) => {
                if let Some(first) = seen.get(&p.cmd.base_id) {
                    report.errors.push(err(
                        p.row,
                        Column::BaseId,
                        format!("基地编号“{}”与第 {first} 行重复", p.cmd.base_id),
                    ));
                } else {
                    seen.insert(p.cmd.base_id.clone(), p.row);
                    parsed.push(p);
                }
            }
            Err(mut e) => report.errors.append(&mut e),
        }
    }
    // Each command is decided against the world with the rows before it applied, so the
    // register's own rules (one base per unit and domain, …) see the whole file.
    let mut scratch = world.clone();
    let mut events = Vec::new();
    for p in parsed {
        let category = category_of(ctx.policies, &p.cmd);
        if let Some(b) = world.base(&p.cmd.base_id) {
            if same_base(b, &p.cmd, category.as_deref()) {
                report.unchanged.push((p.row, p.cmd.base_id.clone()));
            } else {
                report.errors.push(err(
                    p.row,
                    Column::BaseId,
                    format!("基地编号“{}”已在登记簿中，且与本行内容不同", p.cmd.base_id),
                ));
            }
            continue;
        }
        let old = p.cmd.old_category.clone();
        match guohe_domain::handle(&scratch, ctx, Command::CarryOverBase(p.cmd.clone())) {
            Ok(evs) => {
                for e in &evs {
                    scratch.apply(e);
                }
                report.new.push(NewBase {
                    row: p.row,
                    base: p.cmd.base_id.clone(),
                    official_name: p.cmd.official_name.clone(),
                    policy: p.cmd.policy.clone(),
                    reclassified: old.zip(category),
                    articles: evs.iter().flat_map(|e| e.article_texts()).collect(),
                });
                events.extend(evs);
            }
            Err(r) => report.errors.push(RowError {
                row: p.row,
                column: r
                    .field
                    .as_deref()
                    .and_then(Column::of_field)
                    .map(|c| c.heading().to_string())
                    .unwrap_or_default(),
                reason: r.message_zh,
            }),
        }
    }
    report.errors.sort_by_key(|e| e.row);
    Ok((report, events))
}

impl Guohe {
    /// Imports existing bases from a sheet: checks every row, and — unless `dry_run` or a row
    /// is at fault — appends every new base in one transaction. Rows already on the register
    /// with the same particulars are left alone.
    pub async fn import_bases(
        &self,
        actor: &Actor,
        today: NaiveDate,
        grid: &Grid,
        dry_run: bool,
    ) -> Result<ImportReport, ImportError> {
        self.import_bases_within(actor, today, grid, dry_run, &|_| true).await
    }

    /// [`Guohe::import_bases`] for an importer who may act under some policies only.
    pub async fn import_bases_within(
        &self,
        actor: &Actor,
        today: NaiveDate,
        grid: &Grid,
        dry_run: bool,
        within: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<ImportReport, ImportError> {
        let mut inner = self.inner.write().await;
        self.catch_up(&mut inner).await?;
        let ctx = Ctx {
            policies: self.policies(),
            calendar: &inner.calendar,
            actor: actor.clone(),
            today,
        };
        let (mut report, events) = plan(&inner.world, &ctx, grid, within)?;
        if dry_run || !report.is_clean() || events.is_empty() {
            return Ok(report);
        }
        let batch = batch_at_versions(&inner.world, &events);
        self.append_batch(&mut inner, events, batch).await?;
        report.written = true;
        Ok(report)
    }
}
