//! 工作日历 — the Chinese working-day calendar used for every deadline that
//! is counted in working days (工作日): public-notice periods (公示期),
//! review periods, reply deadlines.
//!
//! # Rules
//!
//! * Monday to Friday are working days and Saturday and Sunday are not,
//!   except as the State Council's holiday schedule says otherwise:
//! * days off (放假) of a public holiday are not working days, and
//! * make-up working days (调休上班, usually a Saturday or Sunday next to a
//!   holiday) are working days.
//!
//! The calendar only answers for years whose schedule is loaded. For any
//! other year it returns [`CalendarError::NoSchedule`] instead of guessing
//! from weekdays alone: a guessed deadline across 国庆节 or 春节 would be off
//! by a week.
//!
//! # Data source
//!
//! The built-in data ([`Calendar::builtin`]) is the General Office of the
//! State Council's yearly notice on public-holiday arrangements
//! (国务院办公厅关于部分节假日安排的通知) for 2004–2026, compiled into the
//! binary from `data/cn-holiday-schedule-2004-2026.csv`. The file lists only
//! exceptions to the Monday–Friday week, one per line:
//!
//! ```text
//! # comment lines start with '#'
//! date,kind,festival
//! 2026-10-01,off,国庆节
//! 2026-10-10,work,国庆节
//! ```
//!
//! `off` is a day off, `work` a make-up working day. A notice's arrangement
//! for New Year's Day (元旦) sometimes starts in the December before; such
//! December rows belong to the following year's notice
//! ([`ScheduleRow::notice_year`]). Because of that, the last days of December
//! of the latest loaded year can still change when the next notice appears.
//!
//! # Counting working days
//!
//! [`Calendar::add_working_days`] returns the *N*th working day from a start
//! date, `N >= 1`. Whether the start date itself counts is a policy choice,
//! passed as [`Counting`]:
//!
//! * [`Counting::IncludeStart`] (含当日): the start date is working day 1 when
//!   it is a working day. A 5-working-day notice starting Monday 2026-09-28
//!   runs 9-28, 9-29, 9-30, (国庆节 10-01 to 10-07 off), 10-08, 10-09: it ends
//!   on 2026-10-09.
//! * [`Counting::ExcludeStart`] (不含当日): day 1 is the first working day
//!   after the start date.
//!
//! When the start date is not a working day (a weekend or a holiday), both
//! rules give the same result. [`Calendar::working_days_between`] counts both
//! ends, so with `IncludeStart`, `working_days_between(start,
//! add_working_days(start, n, IncludeStart)) == n`.
//!
//! ```
//! use chrono::NaiveDate;
//! use guohe_calendar::{Calendar, Counting};
//!
//! let cal = Calendar::builtin();
//! let start = NaiveDate::from_ymd_opt(2026, 9, 28).unwrap();
//! let end = cal.add_working_days(start, 5, Counting::IncludeStart).unwrap();
//! assert_eq!(end, NaiveDate::from_ymd_opt(2026, 10, 9).unwrap());
//! ```
//!
//! # Loading next year's schedule
//!
//! The State Council publishes the next year's schedule each November. Until
//! it is loaded, dates in that year fail with [`CalendarError::NoSchedule`]
//! (「2027年的节假日安排尚未载入……」), which the application shows to the user
//! rather than computing a wrong deadline. To load it, an administrator:
//!
//! 1. writes the notice's days off and make-up working days in the format
//!    above — every `off` date of every holiday (weekend days inside a
//!    holiday block included) and every `work` date — e.g. `2027.csv`;
//! 2. runs `guohe calendar load 2027.csv`. The file is checked with
//!    [`Schedule::parse_csv`]; any problem is reported with its line number
//!    ([`ScheduleError::message_zh`]), and nothing is loaded until the whole
//!    file is correct;
//! 3. the application then uses `Calendar::builtin().with_schedule(loaded)`.
//!
//! Loading a year that is already present — built in or loaded before —
//! replaces that year *entirely* ([`Calendar::with_schedule`]); this is how a
//! correction (e.g. a special arrangement announced during the year, such as
//! 2015's 特别安排) is made: load the complete corrected year.

#![warn(missing_docs)]

mod calendar;
mod schedule;

pub use calendar::{Calendar, CalendarError, Counting, DayInfo, DayKind};
pub use schedule::{ExceptionKind, HEADER, Schedule, ScheduleError, ScheduleRow};
