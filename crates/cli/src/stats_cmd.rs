//! `guohe stats` — the statistics as of a date (the same computation as `/stats` and
//! `/dept/stats`): the bases by status, category, domain, country, prefecture and year; the
//! applications per round by stage and by recommender; assessment and evaluation outcomes per
//! year. See docs/statistics.md.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use guohe_app::stats::{self, Scope, Stats};

use crate::lifecycle_cmd::{open, runtime, today};
use crate::output::print_json;
use crate::policy_cmd::parse_date;
use crate::{Cli, CmdResult, bad};

/// How `stats` writes its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum StatsFormat {
    /// Readable text.
    #[default]
    Text,
    /// JSON, the same structure the pages draw.
    Json,
    /// An Excel workbook, one sheet per statistic (needs `-o FILE`).
    Xlsx,
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// The world as of this date (default: today).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Only this policy (repeat for several; default: every policy loaded).
    #[arg(long = "policy")]
    pub policies: Vec<String>,
    /// Only what the public page shows (the bases).
    #[arg(long)]
    pub public: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: StatsFormat,
    /// Where to write (required for xlsx).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(cli: &Cli, a: &StatsArgs) -> CmdResult {
    let as_of = match &a.as_of {
        Some(d) => parse_date("--as-of", d)?,
        None => today(),
    };
    if a.format == StatsFormat::Xlsx && a.output.is_none() {
        return Err(bad("-o: xlsx 需要输出文件 — xlsx needs an output file: -o FILE.xlsx"));
    }
    let scope = if a.public { Scope::Public } else { Scope::Department };
    runtime()?.block_on(async {
        let g = open(cli).await?;
        for p in &a.policies {
            if g.policies().get(p).is_none() {
                return Err(bad(format!("--policy: 未载入办法“{p}” — no policy `{p}` is loaded")));
            }
        }
        let s = g
            .read(|w, _, policies| stats::compute(w, policies, &a.policies, as_of, scope))
            .await;
        let bytes = match a.format {
            StatsFormat::Json => {
                if a.output.is_none() {
                    return print_json(&s);
                }
                serde_json::to_vec_pretty(&s)?
            }
            StatsFormat::Xlsx => stats::xlsx(&s)?,
            StatsFormat::Text => text(&s).into_bytes(),
        };
        match &a.output {
            Some(path) => {
                std::fs::write(path, &bytes)
                    .map_err(|e| bad(format!("-o: 无法写入 cannot write {}: {e}", path.display())))?;
                eprintln!("已写入 wrote {}", path.display());
            }
            None => print!("{}", String::from_utf8_lossy(&bytes)),
        }
        Ok(())
    })
}

/// Each statistic as a small table: the rows, a column per series, 合计.
fn text(s: &Stats) -> String {
    let mut out = format!(
        "统计 statistics — 截至 as of {}（{}）\n在册基地 on the register: {}\n",
        s.as_of,
        s.policies.join(", "),
        s.on_register
    );
    for st in &s.statistics {
        out.push_str(&format!(
            "\n{} {}（合计 total {}）\n",
            st.title.zh, st.title.en, st.total
        ));
        let multi = st.series.len() > 1;
        if multi {
            let heads: Vec<String> = st.series.iter().map(|x| x.zh.clone()).collect();
            out.push_str(&format!("  {:<28} {} 合计\n", st.rows_are.zh, heads.join(" ")));
        }
        if st.rows.is_empty() {
            out.push_str("  （无 none）\n");
        }
        for r in &st.rows {
            if multi {
                let cells: Vec<String> = r
                    .counts
                    .iter()
                    .zip(&st.series)
                    .map(|(n, h)| format!("{n:>w$}", w = h.zh.chars().count() * 2))
                    .collect();
                out.push_str(&format!("  {:<28} {} {:>4}\n", r.label.zh, cells.join(" "), r.total));
            } else {
                out.push_str(&format!("  {:<28} {:>6}\n", r.label.zh, r.total));
            }
        }
    }
    out
}
