//! Working days across the built-in schedules, loading next year, corrections.

use chrono::{Datelike, NaiveDate};
use guohe_calendar::{Calendar, CalendarError, Counting, DayKind, Schedule};

/// Test fixture modelled on the usual pattern of the notices — NOT the
/// official 2027 schedule.
const FIXTURE_2027: &str = include_str!("data/fixture-2027.csv");

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

fn holiday(festival: &str) -> DayKind {
    DayKind::Holiday {
        festival: festival.to_owned(),
    }
}

fn make_up(festival: &str) -> DayKind {
    DayKind::MakeUpWorkday {
        festival: festival.to_owned(),
    }
}

fn kind(cal: &Calendar, date: NaiveDate) -> DayKind {
    cal.day(date).expect("year is loaded").kind
}

#[test]
fn builtin_covers_every_year_from_2004_without_a_gap_and_loads_every_row() {
    // Independent of the last year shipped: adding next year's schedule to the data file keeps
    // this test true.
    let cal = Calendar::builtin();
    let years = cal.years();
    let last = *years.last().expect("some years");
    assert!(last >= 2026, "the built-in schedules reach at least 2026, got {last}");
    assert_eq!(years, (2004..=last).collect::<Vec<_>>());
    let data_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let rows: usize = std::fs::read_dir(&data_dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .map(|text| {
            text.lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("date"))
                .count()
        })
        .sum();
    assert!(rows > 700);
    assert_eq!(cal.schedule().rows().count(), rows);
}

#[test]
fn five_day_notice_from_2026_09_28_ends_2026_10_09() {
    let cal = Calendar::builtin();
    let end = cal.add_working_days(d(2026, 9, 28), 5, Counting::IncludeStart).unwrap();
    assert_eq!(end, d(2026, 10, 9));
    assert_eq!(cal.working_days_between(d(2026, 9, 28), end), Ok(5));
}

#[test]
fn national_day_2026() {
    let cal = Calendar::builtin();
    let oct1 = cal.day(d(2026, 10, 1)).unwrap();
    assert_eq!(oct1.date, d(2026, 10, 1));
    assert_eq!(oct1.kind, holiday("国庆节"));
    assert!(!oct1.is_working_day());
    assert_eq!(cal.is_working_day(d(2026, 10, 1)), Ok(false));
    for day in 1..=7 {
        assert_eq!(kind(&cal, d(2026, 10, day)), holiday("国庆节"), "10-{day}");
    }
    // Saturday 2026-10-10 and Sunday 2026-09-20 are make-up working days.
    let oct10 = cal.day(d(2026, 10, 10)).unwrap();
    assert_eq!(oct10.kind, make_up("国庆节"));
    assert!(oct10.is_working_day());
    assert_eq!(oct10.kind.label_zh(), "国庆节调休上班");
    assert_eq!(kind(&cal, d(2026, 9, 20)), make_up("国庆节"));
    // Mid-Autumn Festival just before.
    assert_eq!(kind(&cal, d(2026, 9, 25)), holiday("中秋节"));
    // Sunday 2026-10-11 is an ordinary weekend again.
    assert_eq!(kind(&cal, d(2026, 10, 11)), DayKind::Weekend);
    assert_eq!(kind(&cal, d(2026, 10, 8)), DayKind::Workday);
}

#[test]
fn spring_festival_2026() {
    let cal = Calendar::builtin();
    // 2026-02-15 (Sunday) to 2026-02-23 (Monday) off.
    for day in 15..=23 {
        assert_eq!(kind(&cal, d(2026, 2, day)), holiday("春节"), "02-{day}");
    }
    assert_eq!(kind(&cal, d(2026, 2, 16)).label_zh(), "春节放假");
    // Saturdays 2026-02-14 and 2026-02-28 are worked.
    assert_eq!(kind(&cal, d(2026, 2, 14)), make_up("春节"));
    assert_eq!(kind(&cal, d(2026, 2, 28)), make_up("春节"));
    assert_eq!(kind(&cal, d(2026, 2, 24)), DayKind::Workday);
    // Mon 9 – Fri 13: 5, Sat 14: 1, 15–23 off, Tue 24 – Fri 27: 4, Sat 28: 1.
    assert_eq!(cal.working_days_between(d(2026, 2, 9), d(2026, 3, 1)), Ok(11));
    assert_eq!(
        cal.add_working_days(d(2026, 2, 13), 2, Counting::IncludeStart),
        Ok(d(2026, 2, 14))
    );
    assert_eq!(
        cal.add_working_days(d(2026, 2, 13), 3, Counting::IncludeStart),
        Ok(d(2026, 2, 24))
    );
}

#[test]
fn ordinary_days() {
    let cal = Calendar::builtin();
    assert_eq!(kind(&cal, d(2026, 3, 7)), DayKind::Weekend);
    assert_eq!(kind(&cal, d(2026, 3, 7)).label_zh(), "周末");
    assert_eq!(kind(&cal, d(2026, 3, 9)), DayKind::Workday);
    assert_eq!(kind(&cal, d(2026, 3, 9)).label_zh(), "工作日");
    // The 2015 special arrangement (70th anniversary commemoration).
    assert_eq!(kind(&cal, d(2015, 9, 3)), holiday("特别安排"));
    assert_eq!(kind(&cal, d(2015, 9, 6)), make_up("特别安排"));
    // The first built-in day.
    assert_eq!(kind(&cal, d(2004, 1, 1)), holiday("元旦"));
}

#[test]
fn a_year_without_schedule_is_an_error_not_a_guess() {
    let cal = Calendar::builtin();
    // The first year after the built-in data, whichever that is.
    let last = *cal.years().last().unwrap();
    let next = last + 1;
    let err = cal.day(d(next, 3, 1)).unwrap_err();
    assert_eq!(err, CalendarError::NoSchedule { year: next });
    assert_eq!(
        err.message_zh(),
        format!("{next}年的节假日安排尚未载入，无法判断工作日；请管理员载入国务院办公厅公布的安排")
    );
    assert!(err.to_string().contains(&next.to_string()));
    assert_eq!(
        cal.is_working_day(d(next, 3, 1)),
        Err(CalendarError::NoSchedule { year: next })
    );
    assert_eq!(
        cal.is_working_day(d(2003, 12, 31)),
        Err(CalendarError::NoSchedule { year: 2003 })
    );
    // A count that runs past the end of the last year fails instead of guessing (28–31
    // December hold at most four working days).
    assert_eq!(
        cal.add_working_days(d(last, 12, 28), 10, Counting::IncludeStart),
        Err(CalendarError::NoSchedule { year: next })
    );
    assert_eq!(
        cal.working_days_between(d(last, 12, 1), d(next, 1, 5)),
        Err(CalendarError::NoSchedule { year: next })
    );
    // ... but one that ends within the last year is fine.
    let end = cal.add_working_days(d(last, 12, 1), 3, Counting::IncludeStart).unwrap();
    assert_eq!(end.year(), last);
    assert_eq!(cal.working_days_between(d(last, 12, 1), end), Ok(3));
}

#[test]
fn loading_a_2027_schedule() {
    let builtin_years = Calendar::builtin().years();
    let schedule = Schedule::parse_csv(FIXTURE_2027).unwrap();
    assert_eq!(schedule.years(), [2027]);
    let cal = Calendar::builtin().with_schedule(schedule);
    assert!(cal.years().contains(&2027) && cal.years().contains(&2026));
    assert_eq!(kind(&cal, d(2027, 3, 1)), DayKind::Workday);
    assert_eq!(kind(&cal, d(2027, 10, 1)), holiday("国庆节"));
    assert_eq!(kind(&cal, d(2027, 10, 9)), make_up("国庆节"));
    assert_eq!(kind(&cal, d(2027, 2, 20)), make_up("春节"));
    // Counting now runs across the year end.
    assert_eq!(
        cal.add_working_days(d(2026, 12, 28), 10, Counting::IncludeStart),
        // Mon 28 – Thu 31: 4; 2027-01-01..03 off; Mon 4 – Fri 8: 5; Mon 11: 1.
        Ok(d(2027, 1, 11))
    );
    // 2026 is untouched.
    assert_eq!(kind(&cal, d(2026, 10, 10)), make_up("国庆节"));
    // The built-in calendar itself is unchanged.
    assert_eq!(Calendar::builtin().years(), builtin_years);
}

#[test]
fn correcting_a_year_replaces_it_entirely() {
    // A (made-up) correction of 2026 that only lists the first three days of
    // 国庆节 and nothing else.
    let correction = Schedule::parse_csv(
        "date,kind,festival\n\
         2026-10-01,off,国庆节\n\
         2026-10-02,off,国庆节\n\
         2026-10-03,off,国庆节\n",
    )
    .unwrap();
    let cal = Calendar::builtin().with_schedule(correction);
    assert_eq!(cal.years(), (2004..=2026).collect::<Vec<_>>());
    assert_eq!(kind(&cal, d(2026, 10, 2)), holiday("国庆节"));
    // Days of the old 2026 schedule that the correction does not list are
    // back to the plain week.
    assert_eq!(kind(&cal, d(2026, 10, 5)), DayKind::Workday);
    assert_eq!(kind(&cal, d(2026, 10, 10)), DayKind::Weekend);
    assert_eq!(kind(&cal, d(2026, 2, 16)), DayKind::Workday);
    assert_eq!(kind(&cal, d(2026, 1, 1)), DayKind::Workday);
    assert_eq!(cal.schedule().rows().filter(|r| r.date.year() == 2026).count(), 3);
    // Other years are kept.
    assert_eq!(kind(&cal, d(2025, 10, 1)), holiday("国庆节"));
    assert_eq!(kind(&cal, d(2025, 12, 31)), DayKind::Workday);
}

#[test]
fn december_new_year_rows_belong_to_the_next_notice() {
    // Made-up 2027 notice whose 元旦 arrangement starts on 2026-12-31; loading
    // it must not wipe out the rest of 2026.
    let schedule = Schedule::parse_csv(
        "date,kind,festival\n\
         2026-12-31,off,元旦\n\
         2027-01-01,off,元旦\n\
         2027-01-02,off,元旦\n\
         2027-01-03,off,元旦\n",
    )
    .unwrap();
    assert_eq!(schedule.years(), [2027]);
    let cal = Calendar::builtin().with_schedule(schedule);
    assert_eq!(kind(&cal, d(2026, 12, 31)), holiday("元旦"));
    assert_eq!(kind(&cal, d(2026, 10, 1)), holiday("国庆节"));
    assert_eq!(kind(&cal, d(2027, 1, 4)), DayKind::Workday);
    // Replacing 2027 again drops the December row with it.
    let again = Schedule::parse_csv("date,kind,festival\n2027-01-01,off,元旦\n").unwrap();
    let cal = cal.with_schedule(again);
    assert_eq!(kind(&cal, d(2026, 12, 31)), DayKind::Workday);
}

#[test]
fn include_start_versus_exclude_start() {
    let cal = Calendar::builtin();
    // Start on a working day (Monday 2026-09-28): the rules differ by one day.
    let monday = d(2026, 9, 28);
    assert_eq!(cal.add_working_days(monday, 1, Counting::IncludeStart), Ok(monday));
    assert_eq!(
        cal.add_working_days(monday, 1, Counting::ExcludeStart),
        Ok(d(2026, 9, 29))
    );
    assert_eq!(
        cal.add_working_days(monday, 3, Counting::IncludeStart),
        Ok(d(2026, 9, 30))
    );
    assert_eq!(
        cal.add_working_days(monday, 3, Counting::ExcludeStart),
        Ok(d(2026, 10, 8))
    );
    // Start on a holiday (2026-10-01): both rules begin with the first
    // working day after it.
    let holiday = d(2026, 10, 1);
    for counting in [Counting::IncludeStart, Counting::ExcludeStart] {
        assert_eq!(cal.add_working_days(holiday, 1, counting), Ok(d(2026, 10, 8)));
        assert_eq!(cal.add_working_days(holiday, 2, counting), Ok(d(2026, 10, 9)));
        // Day 3 is the make-up Saturday.
        assert_eq!(cal.add_working_days(holiday, 3, counting), Ok(d(2026, 10, 10)));
        assert_eq!(cal.add_working_days(holiday, 4, counting), Ok(d(2026, 10, 12)));
    }
    // Start on an ordinary weekend: the same.
    let sunday = d(2026, 3, 8);
    assert_eq!(
        cal.add_working_days(sunday, 1, Counting::IncludeStart),
        cal.add_working_days(sunday, 1, Counting::ExcludeStart)
    );
}

#[test]
fn zero_working_days_is_an_error() {
    let cal = Calendar::builtin();
    for counting in [Counting::IncludeStart, Counting::ExcludeStart] {
        let err = cal.add_working_days(d(2026, 9, 28), 0, counting).unwrap_err();
        assert_eq!(err, CalendarError::ZeroWorkingDays);
        assert_eq!(err.message_zh(), "工作日天数至少为1");
    }
}

#[test]
fn working_days_between_counts_both_ends() {
    let cal = Calendar::builtin();
    assert_eq!(cal.working_days_between(d(2026, 9, 28), d(2026, 9, 28)), Ok(1));
    assert_eq!(cal.working_days_between(d(2026, 10, 1), d(2026, 10, 1)), Ok(0));
    assert_eq!(cal.working_days_between(d(2026, 10, 1), d(2026, 10, 10)), Ok(3));
    // 2026 has 365 days; count its working days from the data itself.
    let plain = (0..365)
        .map(|i| d(2026, 1, 1) + chrono::Days::new(i))
        .filter(|x| cal.is_working_day(*x).unwrap())
        .count() as u32;
    assert_eq!(cal.working_days_between(d(2026, 1, 1), d(2026, 12, 31)), Ok(plain));
    let err = cal.working_days_between(d(2026, 10, 2), d(2026, 10, 1)).unwrap_err();
    assert_eq!(
        err,
        CalendarError::FromAfterTo {
            from: d(2026, 10, 2),
            to: d(2026, 10, 1)
        }
    );
    assert!(err.message_zh().contains("晚于"));
}

#[test]
fn serde_names() {
    assert_eq!(
        serde_json::to_string(&Counting::IncludeStart).unwrap(),
        "\"include_start\""
    );
    assert_eq!(
        serde_json::from_str::<Counting>("\"exclude_start\"").unwrap(),
        Counting::ExcludeStart
    );
    assert!(serde_json::from_str::<Counting>("\"IncludeStart\"").is_err());
    let info = Calendar::builtin().day(d(2026, 10, 10)).unwrap();
    assert_eq!(
        serde_json::to_value(&info).unwrap(),
        serde_json::json!({
            "date": "2026-10-10",
            "kind": {"kind": "make_up_workday", "festival": "国庆节"}
        })
    );
}
