//! `guohe` — the command line of Guohe (国合): policies and eligibility checks, the working-day
//! calendar, the lifecycle of bases on the event log, the register, simulations and the audit.
//!
//! Exit codes: 0 success (whatever an eligibility verdict says), 2 bad input (the message names
//! the field and what is wrong), 1 any other failure (e.g. the database cannot be reached).

/// The process's allocator. With glibc's, allocation and freeing took a sixth to a quarter of a
/// signed-in page's samples under load (`perf`, bench/README.md); mimalloc keeps per-thread free
/// lists that the server's many short-lived allocations reuse.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod account_cmd;
mod audit_cmd;
mod backup_cmd;
mod calendar_cmd;
mod document_cmd;
mod draw_cmd;
mod draw_panel_cmd;
mod export_cmd;
mod generate_cmd;
mod import_cmd;
mod key_cmd;
mod lifecycle_cmd;
mod national_cmd;
mod notify_cmd;
mod output;
mod policy_cmd;
mod policy_store_cmd;
mod policy_tools_cmd;
mod reform_cmd;
mod serve_cmd;
mod stats_cmd;
mod subsidy_cmd;
mod verify_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use clap::Subcommand;

/// A failure, classified for the exit code.
#[derive(Debug)]
pub enum Failure {
    /// The user's input is wrong: exit code 2.
    BadInput(String),
    /// Anything else: exit code 1.
    Other(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Other(e.into())
    }
}

/// Shorthand for a bad-input failure.
pub fn bad(msg: impl Into<String>) -> Failure {
    Failure::BadInput(msg.into())
}

/// Result of a command.
pub type CmdResult = Result<(), Failure>;

/// Guohe (国合): provincial international S&T cooperation bases, run by the regulation.
#[derive(Parser, Debug)]
#[command(name = "guohe", version, about, long_about = None)]
pub struct Cli {
    /// Extra policy files to load beside the built-in ones (replacing a built-in of the same id).
    #[arg(long = "policy-file", global = true, value_name = "PATH")]
    pub policy_files: Vec<PathBuf>,
    /// Database URL: `sqlite://PATH` (created on first use) or `postgres://…`.
    #[arg(
        long,
        global = true,
        env = "GUOHE_DATABASE_URL",
        default_value = "sqlite://guohe-data/guohe.db"
    )]
    pub database: String,
    /// The key file of personal data (default: beside a SQLite database, e.g.
    /// `guohe-data/guohe.db.keys.json`; for PostgreSQL `guohe-data/guohe.keys.json`).
    #[arg(long, global = true, env = "GUOHE_KEY_FILE", value_name = "PATH")]
    pub key_file: Option<PathBuf>,
    /// Whether `--database` (or `GUOHE_DATABASE_URL`) was given rather than defaulted: a
    /// simulation reads holiday schedules from a database only when one is named.
    #[arg(skip)]
    pub database_given: bool,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Where the master key of personal data lives.
    pub fn key_location(&self) -> guohe_keys::KeyLocation {
        match &self.key_file {
            Some(p) => guohe_keys::KeyLocation::File(p.clone()),
            None => guohe_keys::KeyLocation::for_database(&self.database),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Policies: list, show, check a policy file, diff two policies, article coverage, load one
    /// into the database or unload it.
    Policy {
        #[command(subcommand)]
        command: policy_cmd::PolicyCommand,
    },
    /// Check an application's facts against a policy's eligibility conditions.
    Eligibility(policy_cmd::EligibilityArgs),
    /// Print the official name of a base (e.g. Hunan 第九条第4项).
    Naming(policy_cmd::NamingArgs),
    /// The Chinese working-day calendar.
    Calendar {
        #[command(subcommand)]
        command: calendar_cmd::CalendarCommand,
    },
    /// Run the web application (pages and JSON API) on its database.
    Serve(serve_cmd::ServeArgs),
    /// Give a lifecycle command (JSON) as an actor on a date; it is checked against the policy
    /// and the current state, and either appended as events or refused with the article.
    Apply(lifecycle_cmd::ApplyArgs),
    /// 双随机、一公开: draw bases for site inspection and their inspectors from a published
    /// seed, record results, show a draw (see docs/draws.md).
    Draw {
        #[command(subcommand)]
        command: draw_cmd::DrawCommand,
    },
    /// 建设经费后补助: award post-subsidies to bases graded 优秀 within the policy's share, list
    /// the candidates of an evaluation year, list or export the awards (CSV, xlsx).
    Subsidy {
        #[command(subcommand)]
        command: subsidy_cmd::SubsidyCommand,
    },
    /// 推荐申报国家级基地: the candidate list with reasons (text, JSON, CSV, xlsx), the
    /// recommendation, its outcome, and the recommendations made (see docs/national.md).
    National {
        #[command(subcommand)]
        command: national_cmd::NationalCommand,
    },
    /// 存量基地导入: existing bases from an xlsx or CSV file, all or nothing (see
    /// docs/import-export.md).
    Import {
        #[command(subcommand)]
        command: import_cmd::ImportCommand,
    },
    /// The register, a round's 推荐汇总表, assessment or evaluation results as xlsx or CSV.
    Export(export_cmd::ExportArgs),
    /// Advance the clock to a date and apply whatever fell due.
    Tick(lifecycle_cmd::TickArgs),
    /// The register of bases as of a date.
    Register(lifecycle_cmd::RegisterArgs),
    /// 统计: the bases by status, category, domain, country, prefecture and year; applications
    /// per round by stage and recommender; assessment and evaluation outcomes per year — as of a
    /// date, as text, JSON or xlsx (see docs/statistics.md).
    Stats(stats_cmd::StatsArgs),
    /// The full history of a case with its articles.
    History(lifecycle_cmd::HistoryArgs),
    /// Run a timeline of commands in memory and print states, events and each step's outcome.
    /// Nothing is written; holiday schedules are read from `--database` only when one is named
    /// and already exists.
    Simulate(lifecycle_cmd::SimulateArgs),
    /// Reform what-if: re-check the open rounds' applications and replay every base under a
    /// draft policy (the last `--policy-file`) and report what would change, with the articles
    /// of both sides. Nothing is written.
    Reform(reform_cmd::ReformArgs),
    /// Reminders due on a date into the inboxes and, with `GUOHE_SMTP_URL` set, out by mail;
    /// `--dry-run` prints what would go out and writes nothing.
    Notify(notify_cmd::NotifyArgs),
    /// 核验: whether a unit held a validly named base on a date (the register as of that date),
    /// with a signed statement when the key file has a `verification-signing` key.
    Verify(verify_cmd::VerifyArgs),
    /// The master key of personal data (the key file): rotate it.
    Key {
        #[command(subcommand)]
        command: key_cmd::KeyCommand,
    },
    /// A person's personal data (个人信息): list subjects, export one's data, erase it.
    Person {
        #[command(subcommand)]
        command: key_cmd::PersonCommand,
    },
    /// Accounts: create (administrators only here), list, disable, enable, unlock.
    Account {
        #[command(subcommand)]
        command: account_cmd::AccountCommand,
    },
    /// Back up every durable table to a file, with the server running (SQLite or PostgreSQL).
    Backup(backup_cmd::BackupArgs),
    /// Restore a backup into the empty database `--database` (either kind), after its chain and
    /// signed checkpoints verify.
    Restore(backup_cmd::RestoreArgs),
    /// 公文: issue a case's official document as PDF (its SM3 on the chain), download it again,
    /// list a case's documents, verify a printed copy (see docs/documents.md).
    Document {
        #[command(subcommand)]
        command: document_cmd::DocumentCommand,
    },
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        command: audit_cmd::AuditCommand,
    },
    /// National-scale realistic data through the real commands: provinces, bases, rounds and
    /// years of operation, deterministic for a seed (see docs/generate.md).
    Generate(generate_cmd::GenerateArgs),
}

fn main() -> ExitCode {
    let matches = <Cli as clap::CommandFactory>::command().get_matches();
    let mut cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    cli.database_given = matches
        .value_source("database")
        .is_some_and(|s| s != clap::parser::ValueSource::DefaultValue);
    let result = match &cli.command {
        Command::Policy { command } => policy_cmd::run_policy(&cli, command),
        Command::Eligibility(args) => policy_cmd::run_eligibility(&cli, args),
        Command::Naming(args) => policy_cmd::run_naming(&cli, args),
        Command::Calendar { command } => calendar_cmd::run(&cli, command),
        Command::Serve(args) => serve_cmd::run(&cli, args),
        Command::Apply(args) => lifecycle_cmd::run_apply(&cli, args),
        Command::Draw { command } => draw_cmd::run(&cli, command),
        Command::Subsidy { command } => subsidy_cmd::run(&cli, command),
        Command::National { command } => national_cmd::run(&cli, command),
        Command::Import { command } => import_cmd::run(&cli, command),
        Command::Export(args) => export_cmd::run(&cli, args),
        Command::Tick(args) => lifecycle_cmd::run_tick(&cli, args),
        Command::Register(args) => lifecycle_cmd::run_register(&cli, args),
        Command::Stats(args) => stats_cmd::run(&cli, args),
        Command::History(args) => lifecycle_cmd::run_history(&cli, args),
        Command::Simulate(args) => lifecycle_cmd::run_simulate(&cli, args),
        Command::Reform(args) => reform_cmd::run(&cli, args),
        Command::Notify(args) => notify_cmd::run(&cli, args),
        Command::Verify(args) => verify_cmd::run(&cli, args),
        Command::Account { command } => account_cmd::run(&cli, command),
        Command::Key { command } => key_cmd::run_key(&cli, command),
        Command::Person { command } => key_cmd::run_person(&cli, command),
        Command::Audit { command } => audit_cmd::run(&cli, command),
        Command::Document { command } => document_cmd::run(&cli, command),
        Command::Backup(args) => backup_cmd::run_backup(&cli, args),
        Command::Restore(args) => backup_cmd::run_restore(&cli, args),
        Command::Generate(args) => generate_cmd::run(&cli, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(2)
        }
        Err(Failure::Other(e)) => {
            eprintln!("错误 error: {e:#}");
            ExitCode::from(1)
        }
    }
}
