//! `guohe national candidates|recommend|outcome|list` — recommending bases to the national
//! programme (湖北第二十七条, 湖南第十九条) and recording what followed.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use guohe_app::national::{self, RecommendationRow};
use guohe_domain::{Actor, Command, NationalList, NationalOutcome, RecommendToNational, RecordNationalOutcome};

use crate::lifecycle_cmd::{app_failure, open, runtime, today};
use crate::output::print_json;
use crate::policy_cmd::parse_date;
use crate::{Cli, CmdResult, bad};

#[derive(Subcommand, Debug)]
pub enum NationalCommand {
    /// The candidate list as of a date: every base of the policy, candidates first, each
    /// criterion with its reason and article.
    Candidates(CandidatesArgs),
    /// Record a recommendation of bases (irreversible); `--dry-run` checks it and writes nothing.
    Recommend(RecommendArgs),
    /// Record what followed a recommendation: recognised nationally or not.
    Outcome(OutcomeArgs),
    /// The recommendations made and their outcomes.
    List(ListArgs),
}

/// Output of the candidate list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ListFormat {
    /// Readable text, Chinese first.
    #[default]
    Text,
    /// JSON.
    Json,
    /// CSV (UTF-8 with BOM).
    Csv,
    /// An xlsx workbook (needs `-o FILE`).
    Xlsx,
}

#[derive(Args, Debug)]
pub struct CandidatesArgs {
    /// The policy whose bases are read.
    #[arg(long)]
    pub policy: String,
    /// The date the criteria are read on (default: today).
    #[arg(long)]
    pub as_of: Option<String>,
    /// The year of the call, for "once a year" (default: the year of `--as-of`).
    #[arg(long)]
    pub year: Option<i32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ListFormat,
    /// Where to write (xlsx needs it; the others print to standard output without it).
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct RecommendArgs {
    /// The policy the bases are under.
    #[arg(long)]
    pub policy: String,
    /// The year of the national call.
    #[arg(long)]
    pub year: i32,
    /// The recommendation document's number (文号).
    #[arg(long)]
    pub document: String,
    /// The document's date; the criteria are read on it (default: the business date).
    #[arg(long)]
    pub recommended_on: Option<String>,
    /// The bases recommended.
    #[arg(required = true)]
    pub bases: Vec<String>,
    /// Who recommends: `dept:NAME`.
    #[arg(long = "as", default_value = "dept:cli")]
    pub actor: String,
    /// The business date (default: today).
    #[arg(long)]
    pub on: Option<String>,
    /// Check and print, write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// The outcome as typed.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutcomeArg {
    /// 认定为国家国际科技合作基地.
    Recognised,
    /// 未获认定.
    NotRecognised,
}

#[derive(Args, Debug)]
pub struct OutcomeArgs {
    /// The base.
    #[arg(long)]
    pub base: String,
    /// The recommendation's year.
    #[arg(long)]
    pub year: i32,
    /// Recognised or not.
    #[arg(long, value_enum)]
    pub outcome: OutcomeArg,
    /// The national document (科技部文号) or notice.
    #[arg(long)]
    pub document: String,
    /// The document's date (a recognition takes effect on it).
    #[arg(long)]
    pub effective_on: String,
    /// Who records: `dept:NAME`.
    #[arg(long = "as", default_value = "dept:cli")]
    pub actor: String,
    /// The business date (default: today).
    #[arg(long)]
    pub on: Option<String>,
    /// Check and print, write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only this policy's bases.
    #[arg(long)]
    pub policy: Option<String>,
    /// `json` for other systems.
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::output::Format,
}

pub fn run(cli: &Cli, command: &NationalCommand) -> CmdResult {
    match command {
        NationalCommand::Candidates(a) => run_candidates(cli, a),
        NationalCommand::Recommend(a) => run_recommend(cli, a),
        NationalCommand::Outcome(a) => run_outcome(cli, a),
        NationalCommand::List(a) => run_list(cli, a),
    }
}

fn date_or_today(flag: &str, v: &Option<String>) -> Result<chrono::NaiveDate, crate::Failure> {
    match v {
        Some(d) => parse_date(flag, d),
        None => Ok(today()),
    }
}

fn run_candidates(cli: &Cli, a: &CandidatesArgs) -> CmdResult {
    let as_of = date_or_today("--as-of", &a.as_of)?;
    if a.format == ListFormat::Xlsx && a.output.is_none() {
        return Err(bad("-o: xlsx 需要输出文件 — xlsx needs an output file: -o FILE.xlsx"));
    }
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let l = g.national_list(&a.policy, as_of, a.year).await.map_err(app_failure)?;
        let text = match a.format {
            ListFormat::Xlsx => {
                let bytes = national::xlsx(&l, g.policies())?;
                if let Some(p) = &a.output {
                    std::fs::write(p, bytes)?;
                }
                return Ok(());
            }
            ListFormat::Json => serde_json::to_string_pretty(&l)? + "\n",
            ListFormat::Csv => national::csv(&l, g.policies()),
            ListFormat::Text => text(&l, g.policies()),
        };
        match &a.output {
            Some(p) => std::fs::write(p, text)?,
            None => print!("{text}"),
        }
        Ok(())
    })
}

fn text(l: &NationalList, policies: &guohe_policy::PolicySet) -> String {
    let mut out = format!("{}\n", national::title(l));
    out.push_str(&format!("解读 reading: {}\n", l.reading_zh));
    for (label, list) in [("候选 candidates", &l.candidates), ("不符合 excluded", &l.excluded)] {
        out.push_str(&format!("\n{label} ({})\n", list.len()));
        for c in list.iter() {
            out.push_str(&format!("  {} {}（{}）\n", c.base, c.name, c.unit_name));
            for x in &c.checks {
                let art = policies
                    .get(&x.article.policy)
                    .map(|p| p.cite_zh(x.article.at))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "    {} {}（{art} {}）\n",
                    if x.met { "✓" } else { "✗" },
                    x.reason_zh,
                    x.article
                ));
            }
        }
    }
    out
}

fn print_events(events: &[guohe_domain::Event]) {
    for e in events {
        println!(
            "{} {} {} [{}]",
            e.on,
            e.kind_name(),
            e.stream,
            e.article_texts().join(", ")
        );
    }
}

fn run_recommend(cli: &Cli, a: &RecommendArgs) -> CmdResult {
    let actor = Actor::parse(&a.actor).map_err(|e| bad(format!("--as: {e}")))?;
    let on = date_or_today("--on", &a.on)?;
    let recommended_on = match &a.recommended_on {
        Some(d) => parse_date("--recommended-on", d)?,
        None => on,
    };
    let cmd = Command::RecommendToNational(RecommendToNational {
        policy: a.policy.clone(),
        year: a.year,
        document: a.document.clone(),
        recommended_on,
        bases: a.bases.clone(),
    });
    execute(cli, &actor, on, cmd, a.dry_run)
}

fn execute(cli: &Cli, actor: &Actor, on: chrono::NaiveDate, cmd: Command, dry_run: bool) -> CmdResult {
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let events = if dry_run {
            g.decide(actor, on, cmd).await.map_err(app_failure)?.events().to_vec()
        } else {
            g.execute(actor, on, cmd).await.map_err(app_failure)?.events
        };
        print_events(&events);
        if dry_run {
            println!("（试办 dry run：未写入 nothing written）");
        }
        Ok(())
    })
}

fn run_outcome(cli: &Cli, a: &OutcomeArgs) -> CmdResult {
    let actor = Actor::parse(&a.actor).map_err(|e| bad(format!("--as: {e}")))?;
    let on = date_or_today("--on", &a.on)?;
    let cmd = Command::RecordNationalOutcome(RecordNationalOutcome {
        base: a.base.clone(),
        year: a.year,
        outcome: match a.outcome {
            OutcomeArg::Recognised => NationalOutcome::Recognised,
            OutcomeArg::NotRecognised => NationalOutcome::NotRecognised,
        },
        document: a.document.clone(),
        effective_on: parse_date("--effective-on", &a.effective_on)?,
    });
    execute(cli, &actor, on, cmd, a.dry_run)
}

fn run_list(cli: &Cli, a: &ListArgs) -> CmdResult {
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let rows: Vec<RecommendationRow> = g
            .read(|w, _, _| national::recommendations(w, |p| a.policy.as_deref().is_none_or(|x| x == p)))
            .await;
        if a.format == crate::output::Format::Json {
            return print_json(&rows);
        }
        if rows.is_empty() {
            println!("暂无推荐记录 no recommendation yet");
        }
        for r in rows {
            let outcome = match (&r.outcome, &r.follow_up) {
                (Some(o), Some(f)) => format!(
                    "{}（{}，{}）{f}",
                    o.zh(),
                    r.outcome_document.clone().unwrap_or_default(),
                    r.outcome_on.map(|d| d.to_string()).unwrap_or_default()
                ),
                _ => "待定 pending".to_string(),
            };
            println!(
                "{} {} {}年度 {} {}（{}） → {outcome}",
                r.recommended_on, r.document, r.year, r.base, r.name, r.unit_name
            );
        }
        Ok(())
    })
}
