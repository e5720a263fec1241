//! 生成数据 — national-scale realistic data, made through the real commands.
//!
//! [`generate`] runs, for up to 31 provinces over a number of years ending on a business date,
//! what the departments, recommenders, support units, experts and the public do: carrying over
//! the bases that existed before, a round a year (submissions with valid facts, recommendation,
//! three experts, reviews, decisions, a 公示 with a real-name objection that is resolved, naming),
//! annual reports (a few missing) and assessments, evaluations as they fall due, rectification
//! and re-evaluation, major changes through their approvals (and voluntary terminations),
//! findings and their consequences — every step a command decided by the domain through
//! [`crate::Guohe`] (batched with [`Guohe::execute_batch`], the objection through
//! [`Guohe::execute`]) and every deadline applied by the clock's `tick`. Nothing is written
//! around the rules.
//!
//! Deterministic: the same options (seed included) give the same commands in the same order,
//! hence the same events (their recorded time and hashes aside).
//!
//! The provinces, their division codes and policy copies are in [`provinces`], with the
//! interpretations taken; the year's calendar of steps is in `plan`.

pub mod batch;
pub mod facts;
mod plan;
pub mod provinces;

use std::time::Instant;

use chrono::{Datelike, NaiveDate};

use crate::stored_policy::{Loaded, PolicyStoreError};
use crate::{AppError, Guohe};
pub use batch::{BatchError, Step};
use provinces::{PROVINCES, Province};

/// The business date a run ends on by default: the demo's date (2026-11-20), within the
/// built-in holiday schedules and with both shipped regulations in force.
pub const DEFAULT_UNTIL: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 20) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 20_260_213;

/// The most commands decided and appended together.
const MAX_BATCH: usize = 2_000;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// How many provinces, in code order (1–31).
    pub provinces: usize,
    /// Bases per province by the end (carried over and named).
    pub bases_per_province: u32,
    /// Years of activity, ending with the year of `until`.
    pub years: u32,
    /// The last business date; the clock ends there.
    pub until: NaiveDate,
    /// Seed of the random choices.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            provinces: 31,
            bases_per_province: 2000,
            years: 10,
            until: DEFAULT_UNTIL,
            seed: DEFAULT_SEED,
        }
    }
}

impl Options {
    /// The first year of the period.
    pub fn start_year(&self) -> i32 {
        self.until.year() - self.years as i32 + 1
    }
    /// The provinces of the run.
    pub fn provinces(&self) -> &'static [Province] {
        &PROVINCES[..self.provinces.min(PROVINCES.len())]
    }
}

/// Why nothing (more) was generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// An option is out of range; nothing was written.
    #[error("{option}: {en}")]
    BadOption {
        /// The option, e.g. `--years`.
        option: &'static str,
        /// The reason in Chinese.
        zh: String,
        /// The reason in English.
        en: String,
    },
    /// The database already holds events and `--append` was not given; nothing was written.
    #[error("the database already holds {events} events; give --append to add to it")]
    NotEmpty {
        /// Events in the log.
        events: i64,
    },
    /// A step was refused or could not be appended (a defect of the generator's plan, or a
    /// database holding cases that clash with it).
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// Loading a policy copy failed.
    #[error(transparent)]
    Policy(#[from] PolicyStoreError),
    /// The database failed.
    #[error(transparent)]
    App(#[from] AppError),
}

impl GenerateError {
    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            GenerateError::BadOption { option, zh, .. } => format!("{option}：{zh}"),
            GenerateError::NotEmpty { events } => {
                format!("数据库中已有 {events} 条记录；如需在其上追加生成数据，请加 --append")
            }
            GenerateError::Batch(BatchError::Refused { refusal, .. }) => refusal.message_zh.clone(),
            GenerateError::Batch(BatchError::App(e)) | GenerateError::App(e) => e.message_zh(),
            GenerateError::Batch(e) => e.to_string(),
            GenerateError::Policy(e) => e.message_zh(),
        }
    }
    /// Whether the operator's input is at fault.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, GenerateError::BadOption { .. } | GenerateError::NotEmpty { .. })
    }
}

fn bad(option: &'static str, zh: String, en: String) -> GenerateError {
    GenerateError::BadOption { option, zh, en }
}

/// Checks the options before anything is opened or written.
pub fn check(o: &Options) -> Result<(), GenerateError> {
    if o.provinces == 0 || o.provinces > PROVINCES.len() {
        return Err(bad(
            "--provinces",
            format!("省份数应为 1—{}，实为 {}", PROVINCES.len(), o.provinces),
            format!("must be 1–{}, got {}", PROVINCES.len(), o.provinces),
        ));
    }
    if o.bases_per_province == 0 || o.bases_per_province > 100_000 {
        return Err(bad(
            "--bases-per-province",
            format!("每省基地数应为 1—100000，实为 {}", o.bases_per_province),
            format!("must be 1–100000, got {}", o.bases_per_province),
        ));
    }
    let years = guohe_calendar::Calendar::builtin().years();
    let (first, last) = (years.first().copied().unwrap_or(0), years.last().copied().unwrap_or(0));
    if o.until.year() > last || o.until.year() < first {
        return Err(bad(
            "--until",
            format!(
                "结束日期须在内置节假日安排覆盖的年份（{first}—{last}年）内，实为 {}",
                o.until
            ),
            format!(
                "must fall in the years the built-in holiday schedules cover ({first}–{last}), got {}",
                o.until
            ),
        ));
    }
    let most = (o.until.year() - first + 1) as u32;
    if o.years == 0 || o.years > most {
        return Err(bad(
            "--years",
            format!("年数应为 1—{most}（内置节假日安排自{first}年起），实为 {}", o.years),
            format!(
                "must be 1–{most} (the built-in holiday schedules start in {first}), got {}",
                o.years
            ),
        ));
    }
    Ok(())
}

/// The policy copies of a run, `(id, YAML)`, for the provinces without a shipped regulation.
pub fn policy_copies(o: &Options) -> Vec<(String, String)> {
    o.provinces()
        .iter()
        .filter_map(|p| {
            p.policy_copy(o.start_year(), o.years)
                .map(|y| (p.policy_id(o.start_year()), y))
        })
        .collect()
}

/// Where a run stands, for progress reports.
#[derive(Debug, Clone)]
pub struct Progress {
    /// The year being generated.
    pub year: i32,
    /// What is being done (Chinese, e.g. 年度报告).
    pub phase: &'static str,
    /// Provinces done with this phase.
    pub provinces_done: usize,
    /// Provinces in the run.
    pub provinces: usize,
    /// Events appended so far.
    pub events: u64,
    /// Seconds since the start.
    pub seconds: f64,
}

impl Progress {
    /// Events per second so far.
    pub fn rate(&self) -> f64 {
        if self.seconds > 0.0 {
            self.events as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// What a run made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Events appended (policy loads included).
    pub events: u64,
    /// Policy copies loaded.
    pub policies_loaded: usize,
    /// Bases by province code.
    pub bases: Vec<(String, usize)>,
    /// Applications.
    pub applications: usize,
    /// The first year.
    pub start_year: i32,
    /// The clock at the end.
    pub until: Option<NaiveDate>,
}

/// Generates the run `o` into `g`'s database. Refuses a database holding events unless
/// `append`; with `append`, the database's clock must not be past the period's start.
/// `progress` is called after each phase of each province.
pub async fn generate(
    g: &Guohe,
    o: &Options,
    append: bool,
    actor: &str,
    mut progress: impl FnMut(&Progress),
) -> Result<Summary, GenerateError> {
    check(o)?;
    let head = g.log().head().await.map_err(AppError::from)?;
    let start = NaiveDate::from_ymd_opt(o.start_year(), 1, 1).unwrap_or(o.until);
    if let Some((seq, _)) = head {
        if !append {
            return Err(GenerateError::NotEmpty { events: seq });
        }
        if let Some(clock) = g.read(|w, _, _| w.clock()).await
            && clock > start
        {
            return Err(bad(
                "--append",
                format!("数据库的系统时钟已在 {clock}，晚于生成期间的起点 {start}，不能倒签"),
                format!(
                    "the database's clock is at {clock}, after the period's start {start}; commands cannot be backdated"
                ),
            ));
        }
    }
    let started = Instant::now();
    let mut summary = Summary {
        start_year: o.start_year(),
        ..Summary::default()
    };
    for (id, yaml) in policy_copies(o) {
        // Loaded on the period's first day, as `guohe policy load` records it.
        match g.load_policy(&yaml, &format!("{id}.yaml"), false, actor, start).await? {
            Loaded::Recorded { .. } => {
                summary.policies_loaded += 1;
                summary.events += 1;
            }
            Loaded::Unchanged { .. } => {}
        }
    }
    let mut run = plan::Run::new(o)?;
    let mut events = summary.events;
    for year in o.start_year()..=o.until.year() {
        for phase in plan::PHASES {
            let on = phase.date(year);
            if on > o.until {
                break;
            }
            // The provinces' steps of a phase are appended together: each province's plan reads
            // only its own cases, so it does not wait for the others' to be written.
            let mut pending: Vec<Step> = Vec::new();
            for (i, prov) in run.provinces.iter_mut().enumerate() {
                let planned = plan::run_phase(g, prov, phase, year, on).await?;
                events += planned.appended as u64;
                pending.extend(planned.steps);
                if pending.len() >= MAX_BATCH {
                    events += run_steps(g, std::mem::take(&mut pending)).await? as u64;
                }
                progress(&Progress {
                    year,
                    phase: phase.zh,
                    provinces_done: i + 1,
                    provinces: o.provinces,
                    events,
                    seconds: started.elapsed().as_secs_f64(),
                });
            }
            events += run_steps(g, pending).await? as u64;
        }
    }
    events += g.tick(o.until).await?.stored.len() as u64;
    summary.events = events;
    let (bases, applications, clock) = g
        .read(|w, _, _| {
            let bases = o
                .provinces()
                .iter()
                .map(|p| {
                    let id = p.policy_id(o.start_year());
                    (p.code.to_string(), w.bases().filter(|b| b.policy == id).count())
                })
                .collect::<Vec<_>>();
            (bases, w.applications().count(), w.clock())
        })
        .await;
    summary.bases = bases;
    summary.applications = applications;
    summary.until = clock;
    Ok(summary)
}

/// Runs steps in batches of at most [`MAX_BATCH`] (the steps carry their own ticks).
async fn run_steps(g: &Guohe, steps: Vec<Step>) -> Result<usize, GenerateError> {
    let mut n = 0;
    let mut chunk = Vec::with_capacity(MAX_BATCH.min(steps.len()));
    for s in steps {
        chunk.push(s);
        if chunk.len() == MAX_BATCH {
            n += g.execute_batch(std::mem::take(&mut chunk)).await?;
        }
    }
    if !chunk.is_empty() {
        n += g.execute_batch(chunk).await?;
    }
    Ok(n)
}
