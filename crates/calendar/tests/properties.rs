//! Properties of working-day counting over the built-in 2004–2026 data.

use chrono::{Days, NaiveDate};
use guohe_calendar::{Calendar, CalendarError, Counting};
use proptest::prelude::*;

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2004, 1, 1).unwrap()
}

fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
}

/// Any date from 2004-01-01 to 2026-12-31.
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
    /// * otherwise r is Err(NoSchedule { year: 2027 }).
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
                prop_assert_eq!(e, CalendarError::NoSchedule { year: 2027 });
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
            Err(CalendarError::NoSchedule { year: 2027 })
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
}
