//! `guohe apply`, `tick`, `register`, `history`, `simulate`, `audit verify` — the lifecycle of
//! bases on the event log.

use std::io::Read;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use guohe_app::{AppError, Guohe, Outcome};
use guohe_domain::{Actor, Command, Event, Refusal, RegisterEntry, Timeline};

use crate::output::{Format, print_json};
use crate::policy_cmd::{parse_date, policies};
use crate::{Cli, CmdResult, Failure, bad};

#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// The command as JSON (`{"type": "OpenRound", …}`; see docs/lifecycle.md), or `-` for stdin.
    pub file: PathBuf,
    /// Who gives the command: `dept:NAME`, `recommender:NAME`, `unit:USCC`, `expert:NAME`.
    #[arg(long = "as")]
    pub actor: String,
    /// The business date (default: today).
    #[arg(long)]
    pub on: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct TickArgs {
    /// Advance the clock to this date and apply whatever fell due (idempotent).
    #[arg(long)]
    pub date: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct RegisterArgs {
    /// The register as it stood on this date (default: today).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// The case, e.g. `base/HB-2026-001` or `application/A-7`.
    pub case: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// The timeline (JSON; see docs/simulation.md).
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

pub(crate) fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// A refusal as a bad-input failure (exit 2), Chinese then English.
pub fn refused(r: &Refusal) -> Failure {
    let cite = r.citation.as_ref().map(|c| format!("（{c}）")).unwrap_or_default();
    let field = r.field.as_ref().map(|f| format!("{f}: ")).unwrap_or_default();
    bad(format!(
        "不予办理 refused [{}] {field}{}{cite}\n{field}{}",
        r.code.as_str(),
        r.message_zh,
        r.message_en
    ))
}

pub(crate) fn app_failure(e: AppError) -> Failure {
    match e {
        AppError::Refused(r) => refused(&r),
        AppError::Conflict { .. } => bad(format!("{}\n{e}", e.message_zh())),
        AppError::Keys(guohe_keys::KeyError::BadSubject { .. }) => bad(format!("SUBJECT: {}\n{e}", e.message_zh())),
        AppError::Keys(_) => Failure::Other(anyhow::anyhow!("{}\n{e}", e.message_zh())),
        other => Failure::Other(other.into()),
    }
}

/// The service on the database and its key file (`--key-file`, `GUOHE_KEY_FILE`, or beside a
/// SQLite database).
pub(crate) async fn open(cli: &Cli) -> Result<Guohe, Failure> {
    Guohe::open_with_keys(&cli.database, policies(cli)?, cli.key_location())
        .await
        .map_err(app_failure)
}

fn print_events(events: &[Event], format: Format) -> CmdResult {
    if format == Format::Json {
        return print_json(&events);
    }
    for e in events {
        let arts = e.article_texts().join(", ");
        println!(
            "{} {:<28} {:<24} {:<16} [{}]",
            e.on,
            e.kind_name(),
            e.stream,
            e.actor,
            arts
        );
    }
    Ok(())
}

fn print_outcome(o: &Outcome, format: Format) -> CmdResult {
    if format == Format::Json {
        let rows: Vec<_> = o
            .events
            .iter()
            .zip(&o.stored)
            .map(|(e, s)| serde_json::json!({ "seq": s.seq, "hash": s.hash, "event": e }))
            .collect();
        return print_json(&rows);
    }
    if o.events.is_empty() {
        println!("（无新事件 nothing fell due）");
    }
    print_events(&o.events, format)
}

pub fn run_apply(cli: &Cli, args: &ApplyArgs) -> CmdResult {
    let text = if args.file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        std::fs::read_to_string(&args.file)
            .map_err(|e| bad(format!("FILE: 无法读取 cannot read {}: {e}", args.file.display())))?
    };
    let de = &mut serde_json::Deserializer::from_str(&text);
    let cmd: Command = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        bad(format!("FILE {path}: 指令格式错误 invalid command: {}", e.into_inner()))
    })?;
    if matches!(cmd, Command::IssueDocument(_)) {
        return Err(bad(
            "FILE type: 公文须由系统排版后印发，请用 guohe document issue — issue documents with `guohe document issue`",
        ));
    }
    let actor = Actor::parse(&args.actor).map_err(|e| bad(format!("--as: {e}")))?;
    let on = match &args.on {
        Some(d) => parse_date("--on", d)?,
        None => today(),
    };
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let o = g.execute(&actor, on, cmd).await.map_err(app_failure)?;
        print_outcome(&o, args.format)
    })
}

pub fn run_tick(cli: &Cli, args: &TickArgs) -> CmdResult {
    let date = parse_date("--date", &args.date)?;
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let o = g.tick(date).await.map_err(app_failure)?;
        print_outcome(&o, args.format)
    })
}

pub fn run_register(cli: &Cli, args: &RegisterArgs) -> CmdResult {
    let as_of = match &args.as_of {
        Some(d) => parse_date("--as-of", d)?,
        None => today(),
    };
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let entries = g.read(|w, _, _| guohe_domain::register(w, as_of)).await;
        print_register(&entries, as_of, args.format)
    })
}

fn print_register(entries: &[RegisterEntry], as_of: NaiveDate, format: Format) -> CmdResult {
    match format {
        Format::Json => print_json(&entries),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record([
                "base",
                "policy",
                "official_name",
                "unit",
                "uscc",
                "domain",
                "category",
                "director",
                "partner_country",
                "recognised_on",
                "status",
            ])?;
            for e in entries {
                w.write_record([
                    e.base.as_str(),
                    &e.policy,
                    &e.official_name,
                    &e.unit_name,
                    &e.uscc,
                    &e.domain,
                    e.category.as_deref().unwrap_or(""),
                    &e.director,
                    e.partner_country.as_deref().unwrap_or(""),
                    &e.recognised_on.to_string(),
                    e.status.zh(),
                ])?;
            }
            w.flush()?;
            Ok(())
        }
        Format::Text => {
            println!(
                "国际科技合作基地名录 register of bases — {as_of}（{} 个）",
                entries.len()
            );
            for e in entries {
                println!(
                    "{:<14} {:<8} {}  {}  {}  [{}]",
                    e.base,
                    e.status.zh(),
                    e.recognised_on,
                    e.official_name,
                    e.unit_name,
                    e.policy
                );
            }
            Ok(())
        }
    }
}

pub fn run_history(cli: &Cli, args: &HistoryArgs) -> CmdResult {
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let records = g.history(&args.case).await.map_err(app_failure)?;
        if records.is_empty() {
            return Err(bad(format!(
                "CASE: 没有案件“{}” no such case `{}`",
                args.case, args.case
            )));
        }
        if args.format == Format::Json {
            return print_json(&records);
        }
        for r in &records {
            println!(
                "#{:<6} v{:<3} {} {:<28} {:<18} [{}]  {}…",
                r.seq,
                r.stream_version,
                r.occurred_on,
                r.kind,
                r.actor,
                r.articles.join(", "),
                &r.hash[..12]
            );
        }
        Ok(())
    })
}

/// Whether a database URL names a database that exists: a server database always counts; a
/// SQLite file only when it is there (connecting would create it).
pub(crate) fn database_exists(url: &str) -> bool {
    let url = url.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return true;
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = path.split('?').next().unwrap_or(path);
    !path.is_empty() && path != ":memory:" && std::path::Path::new(path).is_file()
}

pub fn run_simulate(cli: &Cli, args: &SimulateArgs) -> CmdResult {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| bad(format!("FILE: 无法读取 cannot read {}: {e}", args.file.display())))?;
    let timeline = Timeline::from_json(&text).map_err(|e| bad(format!("FILE: {e}")))?;
    // Stored policies and loaded schedules are read only when the database is named.
    let set = if cli.database_given {
        crate::policy_cmd::policies_with_stored(cli)?
    } else {
        policies(cli)?
    };
    // A simulation runs in memory on the built-in calendar; schedules loaded into a database
    // are added only when the database is named and already exists, so nothing is created.
    let calendar = if cli.database_given && database_exists(&cli.database) {
        runtime()?.block_on(async {
            match guohe_store::EventLog::connect(&cli.database).await {
                Ok(log) => crate::calendar_cmd::calendar(&log).await,
                Err(_) => Ok(guohe_calendar::Calendar::builtin()),
            }
        })?
    } else {
        guohe_calendar::Calendar::builtin()
    };
    let result = guohe_domain::simulate(&timeline, &set, &calendar).map_err(|e| match e {
        guohe_domain::SimulationError::Refused { step, refusal } => {
            let Failure::BadInput(m) = refused(&refusal) else {
                unreachable!()
            };
            bad(format!("step {step}: {m}"))
        }
        other => bad(format!("{other}")),
    })?;
    if args.format == Format::Json {
        return print_json(&serde_json::json!({
            "steps": result.outcomes,
            "events": result.events,
            "applications": result.world.applications().collect::<Vec<_>>(),
            "bases": result.world.bases().collect::<Vec<_>>(),
        }));
    }
    println!("== 事件 events ({}) ==", result.events.len());
    print_events(&result.events, Format::Text)?;
    println!();
    println!("== 步骤 steps ==");
    for o in &result.outcomes {
        match &o.refusal {
            Some(r) => {
                let cite = r.citation.as_ref().map(|c| format!("（{c}）")).unwrap_or_default();
                println!("#{:<4} refused {}：{}{cite}", o.step, r.code, r.message_zh);
            }
            None => println!("#{:<4} {} ({} events)", o.step, o.outcome, o.events),
        }
    }
    println!();
    println!("== 申报 applications ==");
    for a in result.world.applications() {
        println!("{:<16} {}  {}", a.id, a.status.zh(), a.facts.unit.name);
    }
    println!();
    println!("== 基地 bases ==");
    for b in result.world.bases() {
        println!("{:<16} {:<8} {}  {}", b.id, b.status.zh(), b.official_name, b.unit_name);
    }
    Ok(())
}
