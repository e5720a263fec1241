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
//! - a base comes on the register 正常运行; a row with another status (限期整改, 终止, 撤销,
//!   取消资格, 退出) is carried over and then put in it by the policy's own consequence rule,
//!   effective on the row's 状态日期 ([`crate::import_status`] says how the rule is chosen);
//! - the 地区 column, when filled, must be the prefecture in the unit's USCC (the register takes
//!   a carried-over base's region from it) and within the policy's province.
//!
//! The same file may open accounts for the support units and the bases' directors
//! ([`crate::import_accounts`]): their cells are checked with the rest, and the accounts are
//! opened after the events are appended, each left alone if it exists.
//!
//! Whoever imports is on the hash chain: a `BasesImported` record names the file, the bases and
//! the accounts opened (the command line and the page alike).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use guohe_domain::{Actor, Base, CarryOverBase, Command, Ctx, Event};
use guohe_policy::PolicySet;

use guohe_store::{Account, AccountStore};

use crate::import_accounts::ImportedAccount;
use crate::import_columns::Column;
pub use crate::import_read::{Grid, Raw, parse_date, read_csv, read_file, read_workbook};
use crate::import_row::{Parsed, err, headings, parse_row};
use crate::{AppError, Guohe, batch_at_versions};

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 20_000;

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
    /// The articles the carry-over (and the status step) cites.
    pub articles: Vec<String>,
    /// The status the base is put in after the carry-over, and since when (none for 正常运行).
    pub status: Option<(String, NaiveDate)>,
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
    /// Accounts to open (or, written, opened — each with its initial password, to be handed
    /// over once).
    pub accounts: Vec<ImportedAccount>,
    /// Accounts that exist already with the same particulars, left alone.
    pub accounts_unchanged: Vec<ImportedAccount>,
    /// Every fault; when there is one before writing, nothing is written.
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
    existing: &HashMap<String, Account>,
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
    let mut asked = Vec::new();
    for p in parsed {
        let category = category_of(ctx.policies, &p.cmd);
        asked.extend(p.accounts.iter().cloned());
        if let Some(b) = world.base(&p.cmd.base_id) {
            if same_base(b, &p.cmd, category.as_deref())
                && crate::import_status::same_status(b, p.status.as_ref(), ctx.today)
            {
                report.unchanged.push((p.row, p.cmd.base_id.clone()));
            } else if same_base(b, &p.cmd, category.as_deref()) {
                report.errors.push(err(
                    p.row,
                    Column::Status,
                    format!(
                        "基地编号“{}”已在登记簿中，其状态与本行不同（状态的变化须按办法办理）",
                        p.cmd.base_id
                    ),
                ));
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
        match carry_over(&mut scratch, ctx, &p) {
            Ok(evs) => {
                report.new.push(NewBase {
                    row: p.row,
                    base: p.cmd.base_id.clone(),
                    official_name: p.cmd.official_name.clone(),
                    policy: p.cmd.policy.clone(),
                    reclassified: old.zip(category),
                    articles: evs.iter().flat_map(|e| e.article_texts()).collect(),
                    status: p
                        .status
                        .as_ref()
                        .map(|s| (crate::import_columns::status_label_of(s.status).to_string(), s.since)),
                });
                events.extend(evs);
            }
            Err(e) => report.errors.push(e),
        }
    }
    let (new, unchanged) = crate::import_accounts::check(asked, existing, &mut report.errors);
    report.accounts = new;
    report.accounts_unchanged = unchanged;
    report.errors.sort_by_key(|e| e.row);
    Ok((report, events))
}

/// Decides a row's carry-over and status step against `scratch`, applying their events to it.
fn carry_over(scratch: &mut guohe_domain::World, ctx: &Ctx<'_>, p: &Parsed) -> Result<Vec<Event>, RowError> {
    let refused = |r: guohe_domain::Refusal, fallback: Option<Column>| RowError {
        row: p.row,
        column: r
            .field
            .as_deref()
            .and_then(Column::of_field)
            .or(fallback)
            .map(|c| c.heading().to_string())
            .unwrap_or_default(),
        reason: r.message_zh,
    };
    let mut evs =
        guohe_domain::handle(scratch, ctx, Command::CarryOverBase(p.cmd.clone())).map_err(|r| refused(r, None))?;
    for e in &evs {
        scratch.apply(e);
    }
    let Some(step) = &p.status else {
        return Ok(evs);
    };
    let policy = ctx.policies.get(&p.cmd.policy);
    let Some((cmd, on)) = policy.and_then(|pol| step.command(pol, &p.cmd.base_id, ctx.today)) else {
        return Err(err(p.row, Column::StatusGrounds, "状态依据不能在导入时记录"));
    };
    let at = Ctx {
        policies: ctx.policies,
        calendar: ctx.calendar,
        actor: ctx.actor.clone(),
        today: on,
    };
    // The step's refusals concern the status cells: a date out of order is the 状态日期's.
    let status = guohe_domain::handle(scratch, &at, cmd).map_err(|mut r| {
        let col = if r.field.as_deref() == Some("effective_on") || r.code == guohe_domain::RefusalCode::DateOutOfOrder {
            Column::StatusSince
        } else {
            Column::Status
        };
        r.field = None;
        refused(r, Some(col))
    })?;
    for e in &status {
        scratch.apply(e);
    }
    evs.extend(status);
    Ok(evs)
}

/// How an import runs.
pub struct ImportOptions<'a> {
    /// The file's name, for the audit record.
    pub file: &'a str,
    /// Check and report only, write nothing.
    pub dry_run: bool,
    /// The policies the importer may carry bases over under (a department its province's); a
    /// row under another is refused.
    pub within: &'a (dyn Fn(&str) -> bool + Sync),
    /// Argon2 memory (KiB) for the accounts' initial passwords.
    pub argon2_memory_kib: u32,
}

fn any_policy(_: &str) -> bool {
    true
}

impl<'a> ImportOptions<'a> {
    /// A real run of a file, under every policy, with the default password hashing.
    pub fn new(file: &'a str) -> ImportOptions<'a> {
        ImportOptions {
            file,
            dry_run: false,
            within: &any_policy,
            argon2_memory_kib: crate::passwords::DEFAULT_ARGON2_MEMORY_KIB,
        }
    }
}

impl Guohe {
    /// Imports existing bases from a sheet under every policy (see [`Guohe::import`]).
    pub async fn import_bases(
        &self,
        actor: &Actor,
        today: NaiveDate,
        grid: &Grid,
        dry_run: bool,
    ) -> Result<ImportReport, ImportError> {
        let opts = ImportOptions {
            dry_run,
            ..ImportOptions::new("")
        };
        self.import(actor, today, grid, &opts).await
    }

    /// Imports existing bases (and their accounts) from a sheet: checks every row and every
    /// account cell; unless it is a dry run or something is at fault, appends every new base
    /// and its status step in one transaction, then opens the accounts (see
    /// [`crate::import_accounts`] for the order), and puts who imported what on the hash chain.
    /// Rows and accounts already there with the same particulars are left alone.
    pub async fn import(
        &self,
        actor: &Actor,
        today: NaiveDate,
        grid: &Grid,
        opts: &ImportOptions<'_>,
    ) -> Result<ImportReport, ImportError> {
        let store = AccountStore::open(self.log()).await.map_err(AppError::from)?;
        let existing: HashMap<String, Account> = store
            .accounts()
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|a| (a.login.clone(), a))
            .collect();
        let mut report = {
            let mut inner = self.inner.write().await;
            self.catch_up(&mut inner).await?;
            let ctx = Ctx {
                policies: self.policies(),
                calendar: &inner.calendar,
                actor: actor.clone(),
                today,
            };
            let (report, events) = plan(&inner.world, &ctx, grid, opts.within, &existing)?;
            if opts.dry_run || !report.is_clean() {
                return Ok(report);
            }
            let mut report = report;
            if !events.is_empty() {
                let batch = batch_at_versions(&inner.world, &events);
                self.append_batch(&mut inner, events, batch).await?;
                report.written = true;
            }
            report
        };
        // The bases are written; the accounts follow, outside the lock (hashing is slow).
        let by = actor.id.as_str();
        self.open_import_accounts(&store, &mut report, by, today, opts.argon2_memory_kib)
            .await?;
        if report.written || !report.accounts.is_empty() {
            self.audit(
                today,
                by,
                "BasesImported",
                serde_json::json!({
                    "file": opts.file,
                    "bases": report.new.iter().map(|n| n.base.clone()).collect::<Vec<_>>(),
                    "statuses": report.new.iter().filter_map(|n| n.status.as_ref().map(|(s, d)| serde_json::json!({"base": n.base, "status": s, "since": d}))).collect::<Vec<_>>(),
                    "accounts": report.accounts.iter().map(|a| a.login.clone()).collect::<Vec<_>>(),
                    "faults_after_writing": report.errors.len(),
                }),
            )
            .await?;
        }
        Ok(report)
    }
}
