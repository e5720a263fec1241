//! Properties of working-day counting over the built-in data (2004 to its last year), and the
//! counts checked against an oracle read straight from the schedule's CSV rows.

use std::collections::HashMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use guohe_calendar::{Calendar, CalendarError, Counting};
use proptest::prelude::*;

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2004, 1, 1).unwrap()
}

/// The last built-in year: the tests do not depend on which it is.
fn last_year() -> i32 {
    *Calendar::builtin().years().last().unwrap()
}

fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(last_year(), 12, 31).unwrap()
}

/// The first year after the built-in data: never loaded in these tests.
fn next_year() -> i32 {
    last_year() + 1
}

/// The schedule's exceptions read directly from the embedded CSV, independently of the crate's
/// parser: `true` for a make-up working day (调休上班), `false` for a day off.
fn csv_exceptions() -> HashMap<NaiveDate, bool> {
    let text = include_str!("../data/cn-holiday-schedule-2004-2026.csv");
    let mut m = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("date,") {
            continue;
        }
        let mut cols = line.split(',');
        let date = NaiveDate::parse_from_str(cols.next().unwrap().trim(), "%Y-%m-%d").unwrap();
        let work = match cols.next().unwrap().trim() {
            "work" => true,
            "off" => false,
            other => panic!("kind {other}"),
        };
        m.insert(date, work);
    }
    m
}

/// 工作日 by the oracle: a listed exception decides, else Monday to Friday.
fn oracle_working(ex: &HashMap<NaiveDate, bool>, d: NaiveDate) -> bool {
    ex.get(&d)
        .copied()
        .unwrap_or(!matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
}

/// Any date from 2004-01-01 to the last built-in day.
fn builtin_date() -> impl Strategy<Value = NaiveDate> {
    let span = (last_day() - first_day()).num_days() as u64;
    (0..=span).prop_map(|i| first_day() + Days::new(i))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// For every start date s in 2004–2026 and 1 <= n < 40, with r =
    /// add_working_days(s, n, IncludeStart):
    ///
    /// * if at least n working days remain from s to 2026-12-31 (inclusive),
    ///   r is Ok, r is a working day, r >= s, and
    ///   working_days_between(s, r) == n (so r is the first date with n
    ///   working days in [s, r]: r itself is one of them);
    /// * otherwise r is Err(NoSchedule { year }) for the first year after the built-in data.
    #[test]
    fn include_start_lands_on_the_nth_working_day(start in builtin_date(), n in 1u32..40) {
        let cal = Calendar::builtin();
        let available = cal.working_days_between(start, last_day()).unwrap();
        match cal.add_working_days(start, n, Counting::IncludeStart) {
            Ok(end) => {
                prop_assert!(n <= available);
                prop_assert!(end >= start);
                prop_assert!(cal.is_working_day(end).unwrap());
                prop_assert_eq!(cal.working_days_between(start, end).unwrap(), n);
            }
            Err(e) => {
                prop_assert!(n > available);
                prop_assert_eq!(e, CalendarError::NoSchedule { year: next_year() });
            }
        }
    }

    /// ExcludeStart from s is IncludeStart from the day after s; so its result
    /// is strictly after s and working_days_between(s + 1, r) == n. When s is
    /// not a working day both rules give the same date.
    #[test]
    fn exclude_start_is_include_start_from_the_next_day(start in builtin_date(), n in 1u32..40) {
        let cal = Calendar::builtin();
        let next = start.succ_opt().unwrap();
        let excluded = cal.add_working_days(start, n, Counting::ExcludeStart);
        let included_next = if next > last_day() {
            Err(CalendarError::NoSchedule { year: next_year() })
        } else {
            cal.add_working_days(next, n, Counting::IncludeStart)
        };
        prop_assert_eq!(&excluded, &included_next);
        if let Ok(end) = excluded {
            prop_assert!(end > start);
            prop_assert_eq!(cal.working_days_between(next, end).unwrap(), n);
        }
        if !cal.is_working_day(start).unwrap() {
            prop_assert_eq!(excluded, cal.add_working_days(start, n, Counting::IncludeStart));
        }
    }

    /// The calendar's working-day test and its count agree with the CSV rows counted directly.
    #[test]
    fn working_days_agree_with_the_schedule_rows(start in builtin_date(), span in 0u64..90) {
        let ex = csv_exceptions();
        let cal = Calendar::builtin();
        let end = (start + Days::new(span)).min(last_day());
        let mut expected = 0u32;
        let mut d = start;
        while d <= end {
            prop_assert_eq!(cal.is_working_day(d).unwrap(), oracle_working(&ex, d), "{}", d);
            if oracle_working(&ex, d) {
                expected += 1;
            }
            d = d.succ_opt().unwrap();
        }
        prop_assert_eq!(cal.working_days_between(start, end).unwrap(), expected);
    }
}

#[test]
fn the_oracle_sees_the_rows_and_the_years() {
    let ex = csv_exceptions();
    // 2026-10-10 is a Saturday worked for 国庆节; 2026-10-01 a Thursday off.
    assert_eq!(ex.get(&NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()), Some(&true));
    assert_eq!(ex.get(&NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()), Some(&false));
    let mut years: Vec<i32> = ex.keys().map(|d| d.year()).collect();
    years.sort();
    years.dedup();
    assert_eq!(Calendar::builtin().years(), years);
}
