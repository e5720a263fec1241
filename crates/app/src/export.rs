//! 表格导出 — one table written the way department staff expect it, as CSV or as an xlsx
//! workbook: a title row saying what is listed and as of when, Chinese headings in bold and
//! frozen below it with a filter, sensible column widths, numbers as numbers and dates as dates.
//! Every list Guohe exports (post-subsidies, national candidates, draws) goes through here, so
//! they all look alike.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// A cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number (a count, a year).
    Number(f64),
    /// An amount of money, shown with thousands separators and up to four decimals.
    Amount(f64),
    /// A date.
    Date(NaiveDate),
    /// Nothing.
    Empty,
}

impl Cell {
    /// Text from anything displayable.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// As CSV shows it.
    fn plain(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) | Cell::Amount(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A table to export.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The worksheet's name (at most 31 characters).
    pub sheet: String,
    /// The title row: what is listed, the filter, as of when.
    pub title: String,
    /// Headings and column widths (in characters).
    pub columns: Vec<(String, f64)>,
    /// The rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// A cell starting with = + - @ would run as a formula in a spreadsheet: it is written with a
/// leading apostrophe.
fn guarded(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

impl Table {
    /// CSV (UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese): the
    /// title line, the headings, the rows; every cell quoted, lines ending in CRLF.
    pub fn csv(&self) -> String {
        let line = |cells: &mut dyn Iterator<Item = String>| {
            cells
                .map(|c| format!("\"{}\"", guarded(&c).replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(",")
                + "\r\n"
        };
        let mut out = String::from("\u{feff}");
        out.push_str(&line(&mut std::iter::once(self.title.clone())));
        out.push_str(&line(&mut self.columns.iter().map(|(h, _)| h.clone())));
        for r in &self.rows {
            out.push_str(&line(&mut r.iter().map(Cell::plain)));
        }
        out
    }

    /// The xlsx workbook.
    pub fn xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        book(std::slice::from_ref(self))
    }

    /// Writes the table on a worksheet: title row, frozen bold headings with a filter, rows.
    pub fn write_sheet(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        ws.set_name(&self.sheet)?;
        let bold = Format::new().set_bold();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let money = Format::new().set_num_format("#,##0.00##");
        ws.write_string_with_format(0, 0, &self.title, &bold)?;
        for (i, (h, w)) in self.columns.iter().enumerate() {
            ws.write_string_with_format(1, i as u16, h, &bold)?;
            ws.set_column_width(i as u16, *w)?;
        }
        ws.set_freeze_panes(2, 0)?;
        for (i, r) in self.rows.iter().enumerate() {
            let row = 2 + i as u32;
            for (j, c) in r.iter().enumerate() {
                let col = j as u16;
                match c {
                    Cell::Text(s) => {
                        ws.write_string(row, col, guarded(s))?;
                    }
                    Cell::Number(n) => {
                        ws.write_number(row, col, *n)?;
                    }
                    Cell::Amount(n) => {
                        ws.write_number_with_format(row, col, *n, &money)?;
                    }
                    Cell::Date(d) => {
                        let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                        ws.write_datetime_with_format(row, col, &dt, &date)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        if !self.columns.is_empty() {
            ws.autofilter(1, 0, 1 + self.rows.len() as u32, self.columns.len() as u16 - 1)?;
        }
        Ok(())
    }
}

/// A workbook of several tables, one worksheet each, in order.
pub fn book(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    for t in tables {
        t.write_sheet(wb.add_worksheet())?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            sheet: "名单".into(),
            title: "测试名单，截至 2026-11-20".into(),
            columns: vec![
                ("名称".into(), 20.0),
                ("金额（万元）".into(), 12.0),
                ("日期".into(), 12.0),
            ],
            rows: vec![vec![
                Cell::text("=HYPERLINK(\"x\")"),
                Cell::Amount(12.5),
                Cell::Date(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()),
            ]],
        }
    }

    #[test]
    fn csv_has_the_title_the_headings_and_defused_quoted_cells() {
        let csv = table().csv();
        assert_eq!(
            csv,
            "\u{feff}\"测试名单，截至 2026-11-20\"\r\n\"名称\",\"金额（万元）\",\"日期\"\r\n\"'=HYPERLINK(\"\"x\"\")\",\"12.5\",\"2026-11-20\"\r\n"
        );
    }

    #[test]
    fn xlsx_is_a_workbook() {
        let bytes = table().xlsx().unwrap();
        assert!(bytes.starts_with(b"PK"), "a zip container");
    }
}
