//! Reading an import file: the first worksheet of a workbook (xlsx, xls, ods) or a CSV file,
//! into rows of cells, and the cells into dates.

use std::io::Cursor;

use calamine::{Data, Reader};
use chrono::NaiveDate;

use crate::import::ImportError;
use crate::import_columns::{NO, YES};

/// A cell as read from the file.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A date (a date-formatted cell).
    Date(NaiveDate),
}

impl Raw {
    /// The cell as text: a whole number without its decimals (a region code typed as a
    /// number), a date as YYYY-MM-DD.
    pub fn text(&self) -> String {
        match self {
            Raw::Empty => String::new(),
            Raw::Text(s) => s.trim().to_string(),
            Raw::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Raw::Number(n) => n.to_string(),
            Raw::Date(d) => d.to_string(),
        }
    }
}

/// A sheet: rows with their number as a spreadsheet shows it (1-based).
#[derive(Debug, Clone, Default)]
pub struct Grid {
    /// Rows, each with its row number.
    pub rows: Vec<(u32, Vec<Raw>)>,
}

/// Reads the first worksheet of an xlsx (or xls, ods) workbook.
pub fn read_workbook(bytes: &[u8]) -> Result<Grid, ImportError> {
    let mut wb =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| ImportError::Unreadable(e.to_string()))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| ImportError::Unreadable("no worksheet".into()))?
        .map_err(|e| ImportError::Unreadable(e.to_string()))?;
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut grid = Grid::default();
    for (i, r) in range.rows().enumerate() {
        let mut cells = vec![Raw::Empty; col0 as usize];
        cells.extend(r.iter().map(|d| match d {
            Data::Empty | Data::Error(_) => Raw::Empty,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Raw::Text(s.clone()),
            Data::Int(n) => Raw::Number(*n as f64),
            Data::Float(n) => Raw::Number(*n),
            Data::Bool(b) => Raw::Text(if *b { YES } else { NO }.into()),
            Data::DateTime(dt) => dt.as_datetime().map_or(Raw::Empty, |t| Raw::Date(t.date())),
        }));
        grid.rows.push((row0 + i as u32 + 1, cells));
    }
    Ok(grid)
}

/// Reads a CSV file (UTF-8, with or without a byte-order mark).
pub fn read_csv(bytes: &[u8]) -> Result<Grid, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::Unreadable("not UTF-8".into()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Grid::default();
    for rec in r.records() {
        let rec = rec.map_err(|e| ImportError::Unreadable(e.to_string()))?;
        let line = rec.position().map_or(grid.rows.len() as u32 + 1, |p| p.line() as u32);
        grid.rows.push((
            line,
            rec.iter()
                .map(|c| {
                    // The exports guard formulas with a leading apostrophe.
                    let c = c
                        .strip_prefix('\'')
                        .filter(|s| s.starts_with(['=', '+', '-', '@']))
                        .unwrap_or(c);
                    if c.trim().is_empty() {
                        Raw::Empty
                    } else {
                        Raw::Text(c.to_string())
                    }
                })
                .collect(),
        ));
    }
    Ok(grid)
}

/// Reads a file by its name's extension (`.csv` or a workbook) or, failing that, its content.
pub fn read_file(name: &str, bytes: &[u8]) -> Result<Grid, ImportError> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".csv") || (!bytes.starts_with(b"PK") && !lower.ends_with(".xlsx") && !lower.ends_with(".xls")) {
        read_csv(bytes)
    } else {
        read_workbook(bytes)
    }
}

/// A date cell: a date, an Excel serial day number, or text as 2019-06-01, 2019/06/01,
/// 2019.06.01 or 2019年06月01日.
pub fn parse_date(raw: &Raw) -> Option<NaiveDate> {
    match raw {
        Raw::Date(d) => Some(*d),
        // A date typed into a cell without a date format: Excel's serial day number.
        Raw::Number(n) if (1.0..2_958_466.0).contains(n) => {
            NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(n.trunc() as u64))
        }
        Raw::Text(s) => {
            let s = s.trim();
            ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        }
        _ => None,
    }
}
