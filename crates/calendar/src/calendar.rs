//! The working-day calendar built on holiday schedules.

use std::sync::{Arc, LazyLock};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::schedule::{ExceptionKind, Schedule, is_weekend};

/// The State Council schedules 2004–2026, compiled in.
const BUILTIN_CSV: &str = include_str!("../data/cn-holiday-schedule-2004-2026.csv");

static BUILTIN: LazyLock<Calendar> = LazyLock::new(|| {
    // The file is compiled in and checked by the tests, so a failure here is
    // a build defect, not bad input.
    let schedule =
        Schedule::parse_csv(BUILTIN_CSV).unwrap_or_else(|e| panic!("embedded holiday schedule is malformed: {e}"));
    Calendar {
        schedule: Arc::new(schedule),
    }
});

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayKind {
    /// 工作日 — an ordinary Monday–Friday.
    Workday,
    /// 周末 — an ordinary Saturday or Sunday.
    Weekend,
    /// 放假 — a day off of a public-holiday arrangement (including the
    /// weekend days inside the holiday block).
    Holiday {
        /// The festival (e.g. `国庆节`).
        festival: String,
    },
    /// 调休上班 — a make-up working day on a weekend.
    MakeUpWorkday {
        /// The festival the day makes up for (e.g. `国庆节`).
        festival: String,
    },
}

impl DayKind {
    /// True for [`DayKind::Workday`] and [`DayKind::MakeUpWorkday`].
    pub fn is_working_day(&self) -> bool {
        matches!(self, Self::Workday | Self::MakeUpWorkday { .. })
    }

    /// A short Chinese label, e.g. `工作日`, `周末`, `国庆节放假`, `国庆节调休上班`.
    pub fn label_zh(&self) -> String {
        match self {
            Self::Workday => "工作日".to_owned(),
            Self::Weekend => "周末".to_owned(),
            Self::Holiday { festival } => format!("{festival}放假"),
            Self::MakeUpWorkday { festival } => format!("{festival}调休上班"),
        }
    }
}

/// A date and what kind of day it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DayInfo {
    /// The date.
    pub date: NaiveDate,
    /// Its kind.
    pub kind: DayKind,
}

impl DayInfo {
    /// True when the date is a working day (工作日, including 调休上班).
    pub fn is_working_day(&self) -> bool {
        self.kind.is_working_day()
    }
}

/// How the Nth working day is counted from a start date (a policy parameter).
///
/// Both rules agree when the start date is not a working day: day 1 is then
/// the first working day after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    /// 含当日 — the start date is working day 1 when it is a working day
    /// (e.g. a notice period "自发布之日起5个工作日").
    IncludeStart,
    /// 不含当日 — day 1 is the first working day after the start date
    /// (e.g. "收到材料后5个工作日内").
    ExcludeStart,
}

/// Why the calendar cannot answer.
///
/// `Display` gives the English message; [`CalendarError::message_zh`] the Chinese one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// 未载入 — no holiday schedule is loaded for the year, so working days
    /// cannot be told apart from holidays.
    #[error(
        "no public-holiday schedule is loaded for {year}, so working days cannot be determined; \
         an administrator must load the State Council's schedule for {year}"
    )]
    NoSchedule {
        /// The year without a schedule.
        year: i32,
    },
    /// A count of zero working days was asked for; counting starts at 1.
    #[error("the number of working days must be at least 1")]
    ZeroWorkingDays,
    /// A range whose start is after its end.
    #[error("the range starts on {from}, after its end {to}")]
    FromAfterTo {
        /// Start of the range.
        from: NaiveDate,
        /// End of the range.
        to: NaiveDate,
    },
    /// The date arithmetic left the range of representable dates.
    #[error("date out of range")]
    DateOutOfRange,
}

impl CalendarError {
    /// The error in Chinese, for display to users.
    pub fn message_zh(&self) -> String {
        match self {
            Self::NoSchedule { year } => {
                format!("{year}年的节假日安排尚未载入，无法判断工作日；请管理员载入国务院办公厅公布的安排")
            }
            Self::ZeroWorkingDays => "工作日天数至少为1".to_owned(),
            Self::FromAfterTo { from, to } => {
                format!("起始日期 {from} 晚于结束日期 {to}")
            }
            Self::DateOutOfRange => "日期超出可计算范围".to_owned(),
        }
    }
}

/// The Chinese working-day calendar: weekends off, State Council public
/// holidays off, make-up working days (调休上班) worked — for the years whose
/// schedule is loaded, and an error for any other year.
///
/// Cloning is cheap (the data is shared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    schedule: Arc<Schedule>,
}

impl Calendar {
    /// The calendar with the built-in State Council schedules 2004–2026.
    pub fn builtin() -> Calendar {
        BUILTIN.clone()
    }

    /// This calendar with the years of `schedule` added, or replaced when
    /// already present.
    ///
    /// A year present in `schedule` replaces that year entirely: every row of
    /// the old year is dropped, so a correction file must hold the whole
    /// corrected year, not only the changed days. Years are the notice years
    /// of [`crate::ScheduleRow::notice_year`], so a December 元旦 row of next
    /// year's notice never wipes out the current year.
    pub fn with_schedule(self, schedule: Schedule) -> Calendar {
        let merged = self.schedule.merged_with(&schedule);
        Calendar {
            schedule: Arc::new(merged),
        }
    }

    /// The years the calendar can answer for, ascending.
    pub fn years(&self) -> Vec<i32> {
        self.schedule.years()
    }

    /// The merged schedule behind the calendar.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// What kind of day `d` is.
    ///
    /// Fails with [`CalendarError::NoSchedule`] when no schedule is loaded
    /// for the year of `d`.
    pub fn day(&self, d: NaiveDate) -> Result<DayInfo, CalendarError> {
        let year = d.year();
        if !self.schedule.covers(year) {
            return Err(CalendarError::NoSchedule { year });
        }
        let kind = match self.schedule.get(d) {
            Some(row) => match row.kind {
                ExceptionKind::Off => DayKind::Holiday {
                    festival: row.festival.clone(),
                },
                ExceptionKind::Work => DayKind::MakeUpWorkday {
                    festival: row.festival.clone(),
                },
            },
            None if is_weekend(d.weekday()) => DayKind::Weekend,
            None => DayKind::Workday,
        };
        Ok(DayInfo { date: d, kind })
    }

    /// True when `d` is a working day (工作日, including 调休上班).
    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        self.day(d).map(|info| info.is_working_day())
    }

    /// The `n`th working day counted from `start` under the `counting` rule
    /// (`n >= 1`; `n = 0` is [`CalendarError::ZeroWorkingDays`]).
    ///
    /// With [`Counting::IncludeStart`] and a working `start`, `n = 1` gives
    /// `start` itself; otherwise day 1 is the first working day after `start`.
    /// Fails with [`CalendarError::NoSchedule`] when the count runs into a
    /// year without a schedule.
    pub fn add_working_days(&self, start: NaiveDate, n: u32, counting: Counting) -> Result<NaiveDate, CalendarError> {
        if n == 0 {
            return Err(CalendarError::ZeroWorkingDays);
        }
        let mut remaining = n;
        let mut d = match counting {
            Counting::IncludeStart => start,
            Counting::ExcludeStart => start.succ_opt().ok_or(CalendarError::DateOutOfRange)?,
        };
        loop {
            if self.is_working_day(d)? {
                remaining -= 1;
                if remaining == 0 {
                    return Ok(d);
                }
            }
            d = d.succ_opt().ok_or(CalendarError::DateOutOfRange)?;
        }
    }

    /// The number of working days from `from` to `to`, both included.
    ///
    /// Fails with [`CalendarError::FromAfterTo`] when `from > to`, and with
    /// [`CalendarError::NoSchedule`] when the range touches a year without a
    /// schedule.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, CalendarError> {
        if from > to {
            return Err(CalendarError::FromAfterTo { from, to });
        }
        let mut count = 0;
        for d in from.iter_days().take_while(|d| *d <= to) {
            if self.is_working_day(d)? {
                count += 1;
            }
        }
        Ok(count)
    }
}
