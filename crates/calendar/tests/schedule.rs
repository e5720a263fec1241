//! Parsing schedule files: the built-in data, accepted variations, and
//! errors reported with their line numbers.

use chrono::{NaiveDate, Weekday};
use guohe_calendar::{ExceptionKind, Schedule, ScheduleError, ScheduleRow};

const BUILTIN: &str = include_str!("../data/cn-holiday-schedule-2004-2026.csv");

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

fn err(text: &str) -> ScheduleError {
    Schedule::parse_csv(text).expect_err("schedule should be rejected")
}

#[test]
fn builtin_file_parses() {
    let s = Schedule::parse_csv(BUILTIN).unwrap();
    assert_eq!(s.years(), (2004..=2026).collect::<Vec<_>>());
    let rows: Vec<ScheduleRow> = s.rows().collect();
    assert_eq!(rows.len(), 794);
    assert!(rows.windows(2).all(|w| w[0].date < w[1].date));
    // Every year has a Spring Festival and a National Day arrangement.
    for year in 2004..=2026 {
        for festival in ["春节", "国庆节"] {
            assert!(
                rows.iter().any(|r| r.notice_year() == year && r.festival == festival),
                "{year} {festival}"
            );
        }
    }
    assert_eq!(
        s.get(d(2026, 10, 10)),
        Some(&ScheduleRow {
            date: d(2026, 10, 10),
            kind: ExceptionKind::Work,
            festival: "国庆节".to_owned()
        })
    );
}

#[test]
fn december_new_year_rows_count_for_the_next_year() {
    let s = Schedule::parse_csv(BUILTIN).unwrap();
    let row = s.get(d(2018, 12, 29)).unwrap();
    assert_eq!(row.kind, ExceptionKind::Work);
    assert_eq!(row.notice_year(), 2019);
    assert_eq!(s.get(d(2026, 10, 1)).unwrap().notice_year(), 2026);
}

#[test]
fn to_csv_round_trips() {
    let s = Schedule::parse_csv(BUILTIN).unwrap();
    let again = Schedule::parse_csv(&s.to_csv()).unwrap();
    assert_eq!(again, s);
}

#[test]
fn accepted_variations() {
    // Byte-order mark, CRLF, blank lines, comments anywhere, quotes,
    // spaces around fields, slashes in dates, rows out of order.
    let text = "\u{feff}# 2027 (test fixture)\r\n\
                \"date\",\"kind\",\"festival\"\r\n\
                \r\n\
                2027/10/2, off ,\"国庆节\"\r\n\
                # comment between rows\r\n\
                2027-10-01,off,国庆节\r\n";
    let s = Schedule::parse_csv(text).unwrap();
    assert_eq!(s.years(), [2027]);
    let dates: Vec<_> = s.rows().map(|r| r.date).collect();
    assert_eq!(dates, [d(2027, 10, 1), d(2027, 10, 2)]);
}

#[test]
fn bad_date_reports_its_line() {
    let e = err("# comment\ndate,kind,festival\n2027-10-01,off,国庆节\n2027-02-30,off,春节\n");
    assert_eq!(
        e,
        ScheduleError::BadDate {
            line: 4,
            value: "2027-02-30".to_owned()
        }
    );
    assert_eq!(e.line(), Some(4));
    assert_eq!(
        e.to_string(),
        "line 4: `2027-02-30` is not a date (expected YYYY-MM-DD)"
    );
    assert_eq!(
        e.message_zh(),
        "第4行日期“2027-02-30”无效，应为 YYYY-MM-DD 格式（如 2027-10-01）"
    );
    assert!(matches!(
        err("date,kind,festival\n10/01/2027,off,国庆节\n"),
        ScheduleError::BadDate { line: 2, .. }
    ));
}

#[test]
fn unknown_kind_reports_its_line() {
    let e = err("date,kind,festival\n2027-10-01,holiday,国庆节\n");
    assert_eq!(
        e,
        ScheduleError::UnknownKind {
            line: 2,
            value: "holiday".to_owned()
        }
    );
    assert_eq!(
        e.message_zh(),
        "第2行类型“holiday”无效，应为 off（放假）或 work（调休上班）"
    );
    // Kinds are case-sensitive, like the header.
    assert!(matches!(
        err("date,kind,festival\n2027-10-01,OFF,国庆节\n"),
        ScheduleError::UnknownKind { line: 2, .. }
    ));
}

#[test]
fn make_up_day_on_a_weekday_is_rejected() {
    // 2027-10-08 is a Friday: a working day anyway, so `work` is a typo.
    let e = err("date,kind,festival\n2027-10-09,work,国庆节\n2027-10-08,work,国庆节\n");
    assert_eq!(
        e,
        ScheduleError::WorkOnWeekday {
            line: 3,
            date: d(2027, 10, 8),
            weekday: Weekday::Fri
        }
    );
    assert_eq!(
        e.message_zh(),
        "第3行：2027-10-08是星期五，本来就是工作日，不能列为调休上班日（work）；请核对日期"
    );
    assert!(e.to_string().starts_with("line 3: 2027-10-08 is a Fri"));
}

#[test]
fn days_off_may_fall_on_weekends() {
    // 2027-10-02 and 2027-10-03 are a Saturday and Sunday inside the block.
    let s = Schedule::parse_csv("date,kind,festival\n2027-10-02,off,国庆节\n2027-10-03,off,国庆节\n").unwrap();
    assert_eq!(s.rows().count(), 2);
}

#[test]
fn duplicate_date_names_both_lines() {
    let e = err("date,kind,festival\n2027-10-01,off,国庆节\n2027-10-02,off,国庆节\n2027-10-01,off,中秋节\n");
    assert_eq!(
        e,
        ScheduleError::DuplicateDate {
            line: 4,
            date: d(2027, 10, 1),
            first_line: 2
        }
    );
    assert_eq!(e.message_zh(), "第4行：日期 2027-10-01 重复（第2行已列出）");
}

#[test]
fn wrong_number_of_fields() {
    let e = err("date,kind,festival\n2027-10-01,off\n");
    assert_eq!(e, ScheduleError::FieldCount { line: 2, found: 2 });
    assert_eq!(e.message_zh(), "第2行应有3列（date,kind,festival），实际为2列");
    assert_eq!(
        err("date,kind,festival\n2027-10-01,off,国庆节,extra\n"),
        ScheduleError::FieldCount { line: 2, found: 4 }
    );
}

#[test]
fn missing_festival() {
    let e = err("date,kind,festival\n\n2027-10-01,off,\n");
    assert_eq!(e, ScheduleError::MissingFestival { line: 3 });
    assert_eq!(e.message_zh(), "第3行缺少节日名称");
}

#[test]
fn header_problems() {
    let e = err("# only comments\n\n");
    assert_eq!(e, ScheduleError::MissingHeader);
    assert_eq!(e.line(), None);
    assert_eq!(err(""), ScheduleError::MissingHeader);
    let e = err("# c\n2027-10-01,off,国庆节\n");
    assert_eq!(
        e,
        ScheduleError::BadHeader {
            line: 2,
            found: "2027-10-01,off,国庆节".to_owned()
        }
    );
    assert_eq!(
        e.message_zh(),
        "第2行应为表头“date,kind,festival”，实际为“2027-10-01,off,国庆节”"
    );
}

#[test]
fn a_file_without_rows_is_rejected() {
    let e = err("# 2027\ndate,kind,festival\n\n");
    assert_eq!(e, ScheduleError::NoRows);
    assert_eq!(e.to_string(), "schedule has no rows");
    assert_eq!(e.message_zh(), "节假日安排文件只有表头，没有任何日期");
}
