//! `guohe import bases FILE [--dry-run]` — 存量基地导入: existing bases from an xlsx or CSV
//! file (the columns of `docs/import-export.md`), all or nothing, as `CarryOverBase` commands
//! (and the status steps after them); the accounts the file asks for are opened and their
//! initial passwords printed once. Who imported what goes on the hash chain.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use guohe_app::import::{self, ImportError, ImportOptions, ImportReport};
use guohe_domain::Actor;

use crate::lifecycle_cmd::{app_failure, open, runtime, today};
use crate::output::print_json;
use crate::policy_cmd::parse_date;
use crate::{Cli, CmdResult, Failure, bad};

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Existing bases (recognised before, or national) from an xlsx or CSV file: every row is
    /// checked, and nothing is written unless every row is good; rows already on the register
    /// are left alone. Accounts named in the file (依托单位账号, 负责人账号) are opened, each
    /// initial password printed once. `--dry-run` checks and reports, writing nothing.
    Bases(BasesArgs),
}

#[derive(Args, Debug)]
pub struct BasesArgs {
    /// The file: .xlsx (first worksheet) or .csv (UTF-8).
    pub file: PathBuf,
    /// Check every row and report, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Who carries the bases over: `dept:NAME`.
    #[arg(long = "as", default_value = "dept:cli")]
    pub actor: String,
    /// The business date (default: today).
    #[arg(long)]
    pub on: Option<String>,
    /// `json` prints the report for other systems.
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::output::Format,
}

pub fn run(cli: &Cli, command: &ImportCommand) -> CmdResult {
    match command {
        ImportCommand::Bases(a) => run_bases(cli, a),
    }
}

fn import_failure(e: ImportError) -> Failure {
    match e {
        ImportError::App(e) => app_failure(e),
        other => bad(format!("{}\n{other}", other.message_zh())),
    }
}

fn run_bases(cli: &Cli, a: &BasesArgs) -> CmdResult {
    let actor = Actor::parse(&a.actor).map_err(|e| bad(format!("--as: {e}")))?;
    let on = match &a.on {
        Some(d) => parse_date("--on", d)?,
        None => today(),
    };
    let bytes =
        std::fs::read(&a.file).map_err(|e| bad(format!("FILE: 无法读取 cannot read {}: {e}", a.file.display())))?;
    let path = a.file.to_string_lossy();
    let grid = import::read_file(&path, &bytes).map_err(import_failure)?;
    let name = a
        .file
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned());
    let opts = ImportOptions {
        dry_run: a.dry_run,
        ..ImportOptions::new(&name)
    };
    let report = runtime()?.block_on(async {
        let g = open(cli).await?;
        g.import(&actor, on, &grid, &opts).await.map_err(import_failure)
    })?;
    if a.format == crate::output::Format::Json {
        print_json(&report)?;
    } else {
        print_report(&report, a.dry_run);
    }
    let opened = report.accounts.iter().any(|x| x.initial_password.is_some());
    if report.is_clean() {
        Ok(())
    } else if report.written || opened {
        Err(bad(format!(
            "{} 处错误：基地已导入，部分账号未能开设，改正后再次导入同一文件即可补开 — {} error(s): the bases were imported, some accounts were not opened; run the same file again once corrected",
            report.errors.len(),
            report.errors.len()
        )))
    } else {
        Err(bad(format!(
            "{} 处错误，整份文件未导入 — {} error(s): nothing was imported",
            report.errors.len(),
            report.errors.len()
        )))
    }
}

fn print_report(r: &ImportReport, dry_run: bool) {
    for e in &r.errors {
        let col = if e.column.is_empty() {
            "（整行）"
        } else {
            e.column.as_str()
        };
        println!("第 {} 行  {col}：{}", e.row, e.reason);
    }
    for n in &r.new {
        let mapped = n
            .reclassified
            .as_ref()
            .map(|(old, new)| format!("  {old} → {new}"))
            .unwrap_or_default();
        let status = n
            .status
            .as_ref()
            .map(|(s, since)| format!("  {s}（自 {since}）"))
            .unwrap_or_default();
        println!(
            "{} 行 {:<16} {}{mapped}{status} [{}]",
            n.row,
            n.base,
            n.official_name,
            n.articles.join(", ")
        );
    }
    let mut shown = false;
    for x in &r.accounts {
        let password = match &x.initial_password {
            Some(p) => {
                shown = true;
                format!("  初始口令 initial password: {p}")
            }
            None => String::new(),
        };
        println!(
            "{} 行 账号 account {:<20} {}「{}」 {}{password}",
            x.row,
            x.login,
            x.holder.zh(),
            x.display_name,
            x.org_id
        );
    }
    if shown {
        println!(
            "初始口令只显示这一次，首次登录须修改 — the initial passwords are shown once and must be changed at the first sign-in"
        );
    }
    let verb = if r.written || shown {
        "已导入 imported"
    } else if dry_run && r.is_clean() {
        "可导入（试运行，未写入） would import (dry run, nothing written)"
    } else {
        "未导入 nothing imported"
    };
    println!(
        "共 {} 行：新增 {}，已在登记簿 {}，新开账号 {}，已有账号 {}，错误 {} — {verb}",
        r.rows,
        r.new.len(),
        r.unchanged.len(),
        r.accounts.len(),
        r.accounts_unchanged.len(),
        r.errors.len()
    );
}
