//! `guohe import bases FILE [--dry-run]` — 存量基地导入: existing bases from an xlsx or CSV
//! file (the columns of `docs/import-export.md`), all or nothing, as `CarryOverBase` commands.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use guohe_app::import::{self, ImportError, ImportReport};
use guohe_domain::Actor;

use crate::lifecycle_cmd::{app_failure, open, runtime, today};
use crate::output::print_json;
use crate::policy_cmd::parse_date;
use crate::{Cli, CmdResult, Failure, bad};

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Existing bases (recognised before, or national) from an xlsx or CSV file: every row is
    /// checked, and nothing is written unless every row is good; rows already on the register
    /// are left alone. `--dry-run` checks and reports, writing nothing.
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
    let grid = import::read_file(&a.file.to_string_lossy(), &bytes).map_err(import_failure)?;
    let report = runtime()?.block_on(async {
        let g = open(cli).await?;
        g.import_bases(&actor, on, &grid, a.dry_run)
            .await
            .map_err(import_failure)
    })?;
    if a.format == crate::output::Format::Json {
        print_json(&report)?;
    } else {
        print_report(&report, a.dry_run);
    }
    if report.is_clean() {
        Ok(())
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
        println!(
            "{} 行 {:<16} {}{mapped} [{}]",
            n.row,
            n.base,
            n.official_name,
            n.articles.join(", ")
        );
    }
    let verb = if r.written {
        "已导入 imported"
    } else if dry_run && r.is_clean() {
        "可导入（试运行，未写入） would import (dry run, nothing written)"
    } else {
        "未导入 nothing imported"
    };
    println!(
        "共 {} 行：新增 {}，已在登记簿 {}，错误 {} — {verb}",
        r.rows,
        r.new.len(),
        r.unchanged.len(),
        r.errors.len()
    );
}
