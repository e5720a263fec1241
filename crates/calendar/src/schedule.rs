//! Holiday schedules (节假日安排): the exceptions to the Monday–Friday week.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The header line every schedule file starts with (after comments).
pub const HEADER: &str = "date,kind,festival";

/// What an exception row says about its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    /// `off` — 放假: a day off (a public holiday or a day bridged to it),
    /// on a weekday or on a weekend inside the holiday block.
    Off,
    /// `work` — 调休上班: a make-up working day on a weekend.
    Work,
}

impl ExceptionKind {
    /// The word used in schedule files: `off` or `work`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Work => "work",
        }
    }
}

/// One line of a schedule: a date that differs from the Monday–Friday week.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ScheduleRow {
    /// The date.
    pub date: NaiveDate,
    /// Day off or make-up working day.
    pub kind: ExceptionKind,
    /// The festival the arrangement belongs to (e.g. `国庆节`, `春节`).
    pub festival: String,
}

impl ScheduleRow {
    /// 年度 — the year of the State Council notice the row belongs to.
    ///
    /// This is the year of the date, except for December dates of a
    /// `元旦` (New Year's Day) arrangement: those are published with the
    /// following year's notice (e.g. 2018-12-29 调休上班 belongs to the 2019
    /// notice), so they count as part of the following year.
    pub fn notice_year(&self) -> i32 {
        if self.date.month() == 12 && self.festival.starts_with("元旦") {
            self.date.year() + 1
        } else {
            self.date.year()
        }
    }
}

/// One or more years of holiday schedules, as published by the General Office
/// of the State Council (国务院办公厅关于部分节假日安排的通知).
///
/// Only exceptions are listed: days off (`off`) and make-up working days
/// (`work`, 调休上班). Any other Monday–Friday is a working day and any other
/// Saturday or Sunday is a weekend, *within the years the schedule covers*
/// (see [`Schedule::years`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schedule {
    rows: BTreeMap<NaiveDate, ScheduleRow>,
    years: BTreeSet<i32>,
}

/// Why a schedule file cannot be loaded. Lines are numbered from 1 and count
/// every line of the file, comments included.
///
/// `Display` gives the English message; [`ScheduleError::message_zh`] the Chinese one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The file has no header line (it is empty or only has comments).
    #[error("schedule has no header line `{HEADER}`")]
    MissingHeader,
    /// The first line that is not a comment is not the header.
    #[error("line {line}: expected the header `{HEADER}`, found `{found}`")]
    BadHeader {
        /// Line number.
        line: usize,
        /// What the line holds.
        found: String,
    },
    /// A row does not have exactly three fields.
    #[error("line {line}: expected 3 fields (date,kind,festival), found {found}")]
    FieldCount {
        /// Line number.
        line: usize,
        /// Number of fields found.
        found: usize,
    },
    /// The date field is not a date.
    #[error("line {line}: `{value}` is not a date (expected YYYY-MM-DD)")]
    BadDate {
        /// Line number.
        line: usize,
        /// The field as written.
        value: String,
    },
    /// The kind field is neither `off` nor `work`.
    #[error("line {line}: unknown kind `{value}` (expected `off` or `work`)")]
    UnknownKind {
        /// Line number.
        line: usize,
        /// The field as written.
        value: String,
    },
    /// The festival field is empty.
    #[error("line {line}: the festival name is missing")]
    MissingFestival {
        /// Line number.
        line: usize,
    },
    /// A make-up working day (`work`) on a Monday–Friday, which is a working
    /// day anyway: almost certainly a wrong date.
    #[error("line {line}: {date} is a {weekday}, already a working day; `work` is for weekend days")]
    WorkOnWeekday {
        /// Line number.
        line: usize,
        /// The date.
        date: NaiveDate,
        /// Its day of the week.
        weekday: Weekday,
    },
    /// The same date appears on two lines.
    #[error("line {line}: {date} is listed twice (first on line {first_line})")]
    DuplicateDate {
        /// Line number of the second occurrence.
        line: usize,
        /// The date.
        date: NaiveDate,
        /// Line number of the first occurrence.
        first_line: usize,
    },
    /// The file has a header but no rows.
    #[error("schedule has no rows")]
    NoRows,
}

/// 星期X for a weekday.
pub(crate) fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

impl ScheduleError {
    /// The line the error is on, when it is about one line.
    pub fn line(&self) -> Option<usize> {
        match *self {
            Self::BadHeader { line, .. }
            | Self::FieldCount { line, .. }
            | Self::BadDate { line, .. }
            | Self::UnknownKind { line, .. }
            | Self::MissingFestival { line }
            | Self::WorkOnWeekday { line, .. }
            | Self::DuplicateDate { line, .. } => Some(line),
            Self::MissingHeader | Self::NoRows => None,
        }
    }

    /// The error in Chinese, for display to administrators.
    pub fn message_zh(&self) -> String {
        match self {
            Self::MissingHeader => format!("节假日安排文件缺少表头“{HEADER}”"),
            Self::BadHeader { line, found } => {
                format!("第{line}行应为表头“{HEADER}”，实际为“{found}”")
            }
            Self::FieldCount { line, found } => {
                format!("第{line}行应有3列（date,kind,festival），实际为{found}列")
            }
            Self::BadDate { line, value } => {
                format!("第{line}行日期“{value}”无效，应为 YYYY-MM-DD 格式（如 2027-10-01）")
            }
            Self::UnknownKind { line, value } => {
                format!("第{line}行类型“{value}”无效，应为 off（放假）或 work（调休上班）")
            }
            Self::MissingFestival { line } => format!("第{line}行缺少节日名称"),
            Self::WorkOnWeekday { line, date, weekday } => format!(
                "第{line}行：{date}是{}，本来就是工作日，不能列为调休上班日（work）；请核对日期",
                weekday_zh(*weekday)
            ),
            Self::DuplicateDate { line, date, first_line } => {
                format!("第{line}行：日期 {date} 重复（第{first_line}行已列出）")
            }
            Self::NoRows => "节假日安排文件只有表头，没有任何日期".to_owned(),
        }
    }
}

/// Removes one pair of surrounding double quotes and surrounding whitespace.
fn unquote(field: &str) -> &str {
    let field = field.trim();
    field
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .map_or(field, str::trim)
}

fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%Y/%m/%d"))
        .ok()
}

impl Schedule {
    /// Parses a schedule file.
    ///
    /// Format (the same as the built-in data):
    ///
    /// * UTF-8, optionally with a byte-order mark; `\n` or `\r\n` line ends;
    /// * lines starting with `#` are comments, blank lines are ignored;
    /// * the first other line is the header `date,kind,festival`;
    /// * each row is `YYYY-MM-DD,off|work,节日名称` (`YYYY/MM/DD` as saved by
    ///   spreadsheets is accepted too; fields may be enclosed in double quotes).
    ///
    /// Checks, each reported with its line number: three fields, a valid date,
    /// a known kind, a festival name, no date listed twice, and no `work` row on
    /// a Monday–Friday (a make-up working day is a weekend day; listing a
    /// weekday is a typing error). `off` rows may fall on any day, since a
    /// holiday block usually spans a weekend. A file without rows is an error.
    pub fn parse_csv(text: &str) -> Result<Schedule, ScheduleError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut header_seen = false;
        let mut first_line: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        let mut rows = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let content = raw.trim();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            if !header_seen {
                let fields: Vec<&str> = content.split(',').map(unquote).collect();
                if fields != ["date", "kind", "festival"] {
                    return Err(ScheduleError::BadHeader {
                        line,
                        found: content.to_owned(),
                    });
                }
                header_seen = true;
                continue;
            }
            let fields: Vec<&str> = content.split(',').map(unquote).collect();
            let [date, kind, festival] = fields[..] else {
                return Err(ScheduleError::FieldCount {
                    line,
                    found: fields.len(),
                });
            };
            let date = parse_date(date).ok_or_else(|| ScheduleError::BadDate {
                line,
                value: date.to_owned(),
            })?;
            let kind = match kind {
                "off" => ExceptionKind::Off,
                "work" => ExceptionKind::Work,
                other => {
                    return Err(ScheduleError::UnknownKind {
                        line,
                        value: other.to_owned(),
                    });
                }
            };
            if festival.is_empty() {
                return Err(ScheduleError::MissingFestival { line });
            }
            let weekday = date.weekday();
            if kind == ExceptionKind::Work && !is_weekend(weekday) {
                return Err(ScheduleError::WorkOnWeekday { line, date, weekday });
            }
            if let Some(&first) = first_line.get(&date) {
                return Err(ScheduleError::DuplicateDate {
                    line,
                    date,
                    first_line: first,
                });
            }
            first_line.insert(date, line);
            rows.push(ScheduleRow {
                date,
                kind,
                festival: festival.to_owned(),
            });
        }
        if !header_seen {
            return Err(ScheduleError::MissingHeader);
        }
        if rows.is_empty() {
            return Err(ScheduleError::NoRows);
        }
        Ok(Schedule::from_rows(rows))
    }

    fn from_rows(rows: impl IntoIterator<Item = ScheduleRow>) -> Schedule {
        let mut schedule = Schedule::default();
        for row in rows {
            schedule.years.insert(row.notice_year());
            schedule.rows.insert(row.date, row);
        }
        schedule
    }

    /// The years covered, ascending: the years of the notices the rows belong
    /// to (see [`ScheduleRow::notice_year`]).
    pub fn years(&self) -> Vec<i32> {
        self.years.iter().copied().collect()
    }

    /// All rows, in date order.
    pub fn rows(&self) -> impl Iterator<Item = ScheduleRow> + '_ {
        self.rows.values().cloned()
    }

    /// The exception for one date, if any.
    pub fn get(&self, date: NaiveDate) -> Option<&ScheduleRow> {
        self.rows.get(&date)
    }

    /// True when the schedule covers `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// This schedule with every year present in `other` replaced by `other`'s
    /// rows for that year; other years are kept.
    pub(crate) fn merged_with(&self, other: &Schedule) -> Schedule {
        let kept = self
            .rows
            .values()
            .filter(|r| !other.years.contains(&r.notice_year()))
            .cloned();
        let mut merged = Schedule::from_rows(kept);
        merged.years.extend(other.years.iter().copied());
        for row in other.rows.values() {
            merged.rows.insert(row.date, row.clone());
        }
        merged
    }

    /// Writes the schedule back in the file format accepted by
    /// [`Schedule::parse_csv`] (header and rows, no comments).
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(24 * (self.rows.len() + 1));
        out.push_str(HEADER);
        out.push('\n');
        for row in self.rows.values() {
            out.push_str(&format!(
                "{},{},{}\n",
                row.date.format("%Y-%m-%d"),
                row.kind.as_str(),
                row.festival
            ));
        }
        out
    }
}

impl fmt::Display for ExceptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Saturday or Sunday.
pub(crate) fn is_weekend(w: Weekday) -> bool {
    matches!(w, Weekday::Sat | Weekday::Sun)
}
