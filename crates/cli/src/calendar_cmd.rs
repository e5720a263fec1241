//! `guohe calendar …` — the working-day calendar. Loaded schedules are kept in the database
//! (and audited on the event log) so every server sees the same calendar without a new release.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use guohe_calendar::{Calendar, Counting, DayKind, Schedule};

use crate::policy_cmd::parse_date;
use crate::{Cli, CmdResult, Failure, bad};

#[derive(Subcommand, Debug)]
pub enum CalendarCommand {
    /// What kind of day a date is.
    Day {
        /// YYYY-MM-DD.
        date: String,
    },
    /// The Nth working day from a date.
    Add {
        /// Start date, YYYY-MM-DD.
        date: String,
        /// N ≥ 1.
        n: u32,
        /// Whether the start date counts as day 1 when it is a working day.
        #[arg(long, value_enum, default_value_t = CountingArg::IncludeStart)]
        counting: CountingArg,
    },
    /// Load (or correct) a year's official schedule from a CSV file (`date,kind,festival`).
    Load {
        /// The CSV file.
        file: PathBuf,
        /// Who loads it (recorded in the audit log).
        #[arg(long = "as", default_value = "admin:cli")]
        actor: String,
    },
    /// The years with a published schedule.
    Years,
}

/// Counting convention on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CountingArg {
    /// The start date is working day 1 when it is a working day.
    IncludeStart,
    /// Day 1 is the first working day after the start date.
    ExcludeStart,
}

/// The calendar: built-in schedules plus those loaded into the database.
pub async fn calendar(log: &guohe_store::EventLog) -> Result<Calendar, Failure> {
    guohe_app::load_calendar(log)
        .await
        .map_err(|e| Failure::Other(e.into()))
}

/// Opens the event log, creating the SQLite file's folder when needed.
pub async fn open_log(url: &str) -> Result<guohe_store::EventLog, Failure> {
    guohe_app::connect(url).await.map_err(|e| Failure::Other(e.into()))
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

pub fn run(cli: &Cli, cmd: &CalendarCommand) -> CmdResult {
    let rt = runtime()?;
    rt.block_on(async {
        match cmd {
            CalendarCommand::Day { date } => {
                let d = parse_date("DATE", date)?;
                let cal = calendar(&open_log(&cli.database).await?).await?;
                let info = cal
                    .day(d)
                    .map_err(|e| bad(format!("DATE: {}\nDATE: {e}", e.message_zh())))?;
                let (zh, en) = match &info.kind {
                    DayKind::Workday => ("工作日".to_string(), "working day".to_string()),
                    DayKind::Weekend => ("休息日（周末）".to_string(), "weekend".to_string()),
                    DayKind::Holiday { festival } => (
                        format!("法定节假日（{festival}）"),
                        format!("public holiday ({festival})"),
                    ),
                    DayKind::MakeUpWorkday { festival } => (
                        format!("调休上班（{festival}）"),
                        format!("make-up working day ({festival})"),
                    ),
                };
                println!(
                    "{d} {} {zh} · {en} · {}",
                    weekday_zh(d),
                    if info.is_working_day() {
                        "上班 working"
                    } else {
                        "休息 off"
                    }
                );
                Ok(())
            }
            CalendarCommand::Add { date, n, counting } => {
                let d = parse_date("DATE", date)?;
                if *n == 0 {
                    return Err(bad("N: 工作日数应不少于1 must be at least 1"));
                }
                let cal = calendar(&open_log(&cli.database).await?).await?;
                let c = match counting {
                    CountingArg::IncludeStart => Counting::IncludeStart,
                    CountingArg::ExcludeStart => Counting::ExcludeStart,
                };
                let end = cal
                    .add_working_days(d, *n, c)
                    .map_err(|e| bad(format!("{}\n{e}", e.message_zh())))?;
                println!("{end}");
                Ok(())
            }
            CalendarCommand::Load { file, actor } => {
                let text = std::fs::read_to_string(file)
                    .map_err(|e| bad(format!("FILE: 无法读取 cannot read {}: {e}", file.display())))?;
                let schedule =
                    Schedule::parse_csv(&text).map_err(|e| bad(format!("FILE: {}\nFILE: {e}", e.message_zh())))?;
                let log = open_log(&cli.database).await?;
                let today = chrono::Local::now().date_naive();
                let years = guohe_app::store_holiday_schedule(&log, &schedule, actor, today)
                    .await
                    .map_err(|e| Failure::Other(e.into()))?;
                for year in years {
                    println!("已载入 {year} 年节假日安排 loaded the {year} schedule");
                }
                Ok(())
            }
            CalendarCommand::Years => {
                let cal = calendar(&open_log(&cli.database).await?).await?;
                let years = cal.years();
                println!("{}", years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(" "));
                Ok(())
            }
        }
    })
}

fn weekday_zh(d: chrono::NaiveDate) -> &'static str {
    use chrono::Datelike;
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][d.weekday().num_days_from_monday() as usize]
}
