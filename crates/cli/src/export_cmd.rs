//! `guohe export register|applications|assessments|evaluations --format xlsx|csv -o FILE` —
//! the register (importable again with `guohe import bases`), a round's 推荐汇总表, and the
//! annual assessment and evaluation results.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use guohe_app::export::Table;
use guohe_app::exports;

use crate::lifecycle_cmd::{open, runtime, today};
use crate::policy_cmd::parse_date;
use crate::{Cli, CmdResult, bad};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum What {
    /// 基地名录: the bases on the register on `--as-of` (of `--policy`, if given); with
    /// `--all`, every base whatever its status (terminated, revoked … too).
    Register,
    /// 推荐汇总表 of `--round`: ranked by the experts' mean score.
    Applications,
    /// 年度考核结果 (of `--year`, if given).
    Assessments,
    /// 评估结果 (of `--year`, if given).
    Evaluations,
}

/// The file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum FileFormat {
    /// An Excel workbook.
    #[default]
    Xlsx,
    /// CSV (UTF-8 with a byte-order mark).
    Csv,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// What to export.
    #[arg(value_enum)]
    pub what: What,
    /// xlsx or csv.
    #[arg(long, value_enum, default_value_t)]
    pub format: FileFormat,
    /// The date the list is as of (default: today).
    #[arg(long)]
    pub as_of: Option<String>,
    /// The round (for `applications`).
    #[arg(long)]
    pub round: Option<String>,
    /// The policy (for `register`).
    #[arg(long)]
    pub policy: Option<String>,
    /// Every base, whatever its status (for `register`): the whole register, with each
    /// status's date and grounds, imports into an empty database as the same.
    #[arg(long)]
    pub all: bool,
    /// The year (for `assessments` and `evaluations`).
    #[arg(long)]
    pub year: Option<i32>,
    /// The file to write.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
}

pub fn run(cli: &Cli, a: &ExportArgs) -> CmdResult {
    let as_of = match &a.as_of {
        Some(d) => parse_date("--as-of", d)?,
        None => today(),
    };
    if a.what == What::Applications && a.round.is_none() {
        return Err(bad("--round: 推荐汇总表须指定申报批次 — applications need --round ID"));
    }
    let table: Table = runtime()?.block_on(async {
        let g = open(cli).await?;
        if let Some(p) = &a.policy
            && g.policies().get(p).is_none()
        {
            return Err(bad(format!("--policy: 管理办法“{p}”未载入 — no policy `{p}`")));
        }
        g.read(|w, _, policies| match a.what {
            What::Register => {
                let (bases, scope) = if a.all {
                    (exports::all_bases(w, as_of, a.policy.as_deref()), "全部状态")
                } else {
                    (exports::register_bases(w, as_of, a.policy.as_deref()), "在册")
                };
                let filter = a
                    .policy
                    .as_deref()
                    .and_then(|p| policies.get(p))
                    .map(|p| format!("{scope}，{}", p.document_number))
                    .unwrap_or_else(|| scope.into());
                Ok(exports::register_table(policies, &bases, &filter, as_of))
            }
            What::Applications => {
                let round = a.round.as_deref().unwrap_or_default();
                exports::recommendation_table(w, policies, round, as_of)
                    .ok_or_else(|| bad(format!("--round: 申报批次“{round}”不存在 — no round `{round}`")))
            }
            What::Assessments => Ok(exports::assessment_table(w, policies, a.year, as_of, &|_| true)),
            What::Evaluations => Ok(exports::evaluation_table(w, policies, a.year, as_of, &|_| true)),
        })
        .await
    })?;
    let bytes = match a.format {
        FileFormat::Xlsx => table.xlsx()?,
        FileFormat::Csv => table.csv().into_bytes(),
    };
    std::fs::write(&a.output, &bytes)
        .map_err(|e| bad(format!("-o: 无法写入 cannot write {}: {e}", a.output.display())))?;
    println!("{}：{} 行 → {}", table.title, table.rows.len(), a.output.display());
    Ok(())
}
