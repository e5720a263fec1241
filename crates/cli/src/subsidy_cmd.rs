//! `guohe subsidy award`, `guohe subsidy candidates`, `guohe subsidy list` — 建设经费后补助 for
//! bases graded 优秀 (Hubei 第二十五、二十六条).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use guohe_app::subsidies;
use guohe_domain::{Actor, AwardPostSubsidies, Command, EventKind, SubsidyAward, parse_amount_wan};

use crate::lifecycle_cmd::{app_failure, open, refused, runtime, today};
use crate::output::print_json;
use crate::policy_cmd::parse_date;
use crate::{Cli, CmdResult, bad};

#[derive(Subcommand, Debug)]
pub enum SubsidyCommand {
    /// Award post-subsidies to bases graded 优秀 in an evaluation year, by an award document;
    /// irreversible — `--dry-run` checks and prints and writes nothing.
    Award(AwardArgs),
    /// The bases graded 优秀 in an evaluation year and the share: how many may be awarded.
    Candidates(CandidatesArgs),
    /// The post-subsidies awarded, as text, JSON, CSV or xlsx.
    List(ListArgs),
}

#[derive(Args, Debug)]
pub struct AwardArgs {
    /// The policy the bases are under.
    #[arg(long)]
    pub policy: String,
    /// 评估年度: the year the evaluation grades were recorded.
    #[arg(long)]
    pub year: i32,
    /// 文号 of the award document.
    #[arg(long = "document")]
    pub document_number: String,
    /// 发文日期 (YYYY-MM-DD, default: the business date).
    #[arg(long)]
    pub issued_on: Option<String>,
    /// A base and its amount in 万元, `BASE=AMOUNT` (e.g. `HB-0001=50`); repeat for each base.
    #[arg(long = "base", value_name = "BASE=AMOUNT", required = true)]
    pub bases: Vec<String>,
    /// Who awards: `dept:NAME`.
    #[arg(long = "as", default_value = "dept:cli")]
    pub actor: String,
    /// The business date (default: today).
    #[arg(long)]
    pub on: Option<String>,
    /// Check and print, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// `json` prints the events.
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::output::Format,
}

#[derive(Args, Debug)]
pub struct CandidatesArgs {
    /// The policy.
    #[arg(long)]
    pub policy: String,
    /// 评估年度.
    #[arg(long)]
    pub year: i32,
    /// `json` for other systems.
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::output::Format,
}

/// How `subsidy list` writes the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ListFormat {
    /// Readable text.
    #[default]
    Text,
    /// JSON.
    Json,
    /// CSV (UTF-8 with a byte-order mark).
    Csv,
    /// An Excel workbook (needs `-o FILE`).
    Xlsx,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only this evaluation year.
    #[arg(long)]
    pub year: Option<i32>,
    /// Only this policy.
    #[arg(long)]
    pub policy: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ListFormat,
    /// Where to write (required for xlsx; text, JSON and CSV print to standard output without it).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(cli: &Cli, command: &SubsidyCommand) -> CmdResult {
    match command {
        SubsidyCommand::Award(a) => run_award(cli, a),
        SubsidyCommand::Candidates(a) => run_candidates(cli, a),
        SubsidyCommand::List(a) => run_list(cli, a),
    }
}

/// Reads `BASE=AMOUNT` pairs, naming the pair at fault.
fn parse_awards(pairs: &[String]) -> Result<Vec<SubsidyAward>, crate::Failure> {
    pairs
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (base, amount) = p
                .split_once('=')
                .ok_or_else(|| bad(format!("--base “{p}”: 应写作 基地编号=金额 — write BASE=AMOUNT (万元)")))?;
            let amount_wan = parse_amount_wan(&format!("awards[{i}].amount_wan"), amount).map_err(|r| refused(&r))?;
            Ok(SubsidyAward {
                base: base.trim().to_string(),
                amount_wan,
            })
        })
        .collect()
}

fn run_award(cli: &Cli, a: &AwardArgs) -> CmdResult {
    let actor = Actor::parse(&a.actor).map_err(|e| bad(format!("--as: {e}")))?;
    let on = match &a.on {
        Some(d) => parse_date("--on", d)?,
        None => today(),
    };
    let issued_on = match &a.issued_on {
        Some(d) => parse_date("--issued-on", d)?,
        None => on,
    };
    let cmd = Command::AwardPostSubsidies(AwardPostSubsidies {
        policy: a.policy.clone(),
        year: a.year,
        document_number: a.document_number.clone(),
        issued_on,
        awards: parse_awards(&a.bases)?,
    });
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let events = if a.dry_run {
            g.decide(&actor, on, cmd).await.map_err(app_failure)?.events().to_vec()
        } else {
            g.execute(&actor, on, cmd).await.map_err(app_failure)?.events
        };
        if a.format == crate::output::Format::Json {
            return print_json(&events);
        }
        let articles = events.first().map(|e| e.article_texts().join(", ")).unwrap_or_default();
        println!(
            "建设经费后补助 post-subsidies {}（{}）{} 年度评估 [{articles}]",
            a.document_number.trim(),
            issued_on,
            a.year
        );
        for e in &events {
            if let EventKind::PostSubsidyAwarded(x) = &e.kind {
                println!("  {:<16} {:>14} 万元", x.base, x.amount_wan);
            }
        }
        if let Some(EventKind::PostSubsidyAwarded(x)) = events.first().map(|e| &e.kind) {
            println!(
                "评估基地 evaluated {}，比例上限 limit {}，本次 this award {}",
                x.evaluated,
                x.limit,
                events.len()
            );
        }
        if a.dry_run {
            println!("（试办 dry run：未写入 nothing written）");
        }
        Ok(())
    })
}

fn run_candidates(cli: &Cli, a: &CandidatesArgs) -> CmdResult {
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let c = g
            .read(|w, _, p| subsidies::candidates(w, p, &a.policy, a.year))
            .await
            .ok_or_else(|| {
                bad(format!(
                    "--policy: 办法“{}”未载入或未规定后补助 — policy not loaded or provides no post-subsidy",
                    a.policy
                ))
            })?;
        if a.format == crate::output::Format::Json {
            return print_json(&c);
        }
        println!(
            "{} {} 年度评估：评估基地 {} 个，至多 {}%（{}）即 {} 个，已给予 {} 个",
            c.policy, c.year, c.evaluated, c.share_percent, c.rounding_zh, c.limit, c.awarded
        );
        for b in &c.bases {
            let note = match (&b.awarded_by, b.on_register) {
                (Some(d), _) => format!("已给予 awarded {d}"),
                (None, false) => "不在管理序列 off the register".to_string(),
                (None, true) => String::new(),
            };
            println!("  {:<16} {}  {}  {note}", b.base, b.name, b.unit_name);
        }
        Ok(())
    })
}

fn run_list(cli: &Cli, a: &ListArgs) -> CmdResult {
    if a.format == ListFormat::Xlsx && a.output.is_none() {
        return Err(bad("-o: xlsx 需要输出文件 — xlsx needs an output file: -o FILE.xlsx"));
    }
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let rows = g.read(|w, _, _| subsidies::rows(w, a.policy.as_deref(), a.year)).await;
        let as_of = g.read(|w, _, _| w.clock()).await.unwrap_or_else(today);
        let bytes = match a.format {
            ListFormat::Json => {
                if a.output.is_none() {
                    return print_json(&rows);
                }
                serde_json::to_vec_pretty(&rows)?
            }
            ListFormat::Csv => subsidies::csv(&rows).into_bytes(),
            ListFormat::Xlsx => subsidies::xlsx(&rows, &subsidies::title(a.year, a.policy.as_deref(), as_of))?,
            ListFormat::Text => {
                let mut out = format!("{}\n", subsidies::title(a.year, a.policy.as_deref(), as_of));
                for r in &rows {
                    out.push_str(&format!(
                        "{} {:<24} {} {:<16} {:>14} 万元  {}\n",
                        r.year, r.document_number, r.issued_on, r.base, r.amount_wan, r.base_name
                    ));
                }
                out.push_str(&format!("共 {} 个基地 total {} bases\n", rows.len(), rows.len()));
                out.into_bytes()
            }
        };
        match &a.output {
            Some(path) => {
                std::fs::write(path, &bytes)
                    .map_err(|e| bad(format!("-o: 无法写入 cannot write {}: {e}", path.display())))?;
                eprintln!("已写入 wrote {} ({} 行 rows)", path.display(), rows.len());
            }
            None => print!("{}", String::from_utf8_lossy(&bytes)),
        }
        Ok(())
    })
}
