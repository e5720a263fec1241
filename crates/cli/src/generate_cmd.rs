//! `guohe generate` — national-scale realistic data through the real commands (see
//! docs/generate.md): provinces, bases, rounds and a decade of operation, deterministic for a
//! seed, with progress on stderr.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use guohe_app::generate::{self, GenerateError, Options, Progress};

use crate::lifecycle_cmd::{open, runtime};
use crate::policy_cmd::parse_date;
use crate::{Cli, CmdResult, Failure, bad};

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// How many provinces, in GB/T 2260 code order (北京 11, 天津 12, …; 1–31).
    #[arg(long, default_value_t = 31, value_name = "N")]
    pub provinces: usize,
    /// Bases per province by the end: about two in five carried over at the start, the rest
    /// named through the yearly rounds.
    #[arg(long = "bases-per-province", default_value_t = 2000, value_name = "N")]
    pub bases_per_province: u32,
    /// Years of activity, ending with the year of `--until`.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub years: u32,
    /// The last business date (the clock ends there).
    #[arg(long, default_value = "2026-11-20", value_name = "YYYY-MM-DD")]
    pub until: String,
    /// Seed of the random choices: the same arguments give the same events.
    #[arg(long, default_value_t = generate::DEFAULT_SEED)]
    pub seed: u64,
    /// Add to a database that already holds events (its clock must not be past the period's
    /// start).
    #[arg(long)]
    pub append: bool,
    /// Also write the provinces' policy copies (YAML) into this directory.
    #[arg(long = "policies-out", value_name = "DIR")]
    pub policies_out: Option<PathBuf>,
    /// Who loads the policy copies (recorded in the audit log).
    #[arg(long = "as", default_value = "admin:generate")]
    pub actor: String,
}

fn failure(e: GenerateError) -> Failure {
    if e.is_bad_input() {
        bad(format!("{}\n{e}", e.message_zh()))
    } else {
        Failure::Other(anyhow::anyhow!("{}\n{e}", e.message_zh()))
    }
}

pub fn run(cli: &Cli, a: &GenerateArgs) -> CmdResult {
    let o = Options {
        provinces: a.provinces,
        bases_per_province: a.bases_per_province,
        years: a.years,
        until: parse_date("--until", &a.until)?,
        seed: a.seed,
    };
    // Checked before the database is opened, so bad options leave nothing behind.
    generate::check(&o).map_err(failure)?;
    if let Some(dir) = &a.policies_out {
        std::fs::create_dir_all(dir).map_err(|e| {
            bad(format!(
                "--policies-out: 无法创建目录 cannot create {}: {e}",
                dir.display()
            ))
        })?;
        for (id, yaml) in generate::policy_copies(&o) {
            let path = dir.join(format!("{id}.yaml"));
            std::fs::write(&path, yaml)
                .map_err(|e| bad(format!("--policies-out: 无法写入 cannot write {}: {e}", path.display())))?;
        }
    }
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let started = Instant::now();
        let mut last = Instant::now();
        let report = |p: &Progress| {
            eprintln!(
                "{}年 {}：{}/{} 省 provinces · {} events · {:.0} events/s",
                p.year,
                p.phase,
                p.provinces_done,
                p.provinces,
                p.events,
                p.rate()
            );
        };
        let summary = generate::generate(&g, &o, a.append, &a.actor, |p| {
            // At most one line every two seconds, and each year's end.
            if last.elapsed().as_secs_f64() >= 2.0 || (p.phase == "年末" && p.provinces_done == p.provinces) {
                report(p);
                last = Instant::now();
            }
        })
        .await
        .map_err(failure)?;
        let secs = started.elapsed().as_secs_f64();
        let bases: usize = summary.bases.iter().map(|(_, n)| n).sum();
        println!(
            "已生成 generated {} events in {:.1} s ({:.0} events/s): {} provinces, {} bases, {} applications, {}—{}",
            summary.events,
            secs,
            summary.events as f64 / secs.max(0.001),
            summary.bases.len(),
            bases,
            summary.applications,
            summary.start_year,
            summary.until.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
        );
        println!("policy copies loaded: {}", summary.policies_loaded);
        for (code, n) in &summary.bases {
            println!("province {code}: {n} bases");
        }
        Ok(())
    })
}
