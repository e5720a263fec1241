//! `guohe serve --demo` keeps its own business date (`demo::DEMO_DATE`) unless `--today` is
//! given, so the demo is the same complete demo whenever it is run: a 公示 running on its date
//! with a real-name objection, both regulations in force, the built-in holiday schedule
//! covering it — even once today's real date is past the last built-in schedule year or
//! `hubei-2022`'s five years.

use chrono::{NaiveDate, TimeZone, Utc};
use guohe_web::ServeConfig;
use guohe_web::demo::{DEMO_DATE, date_line};

async fn demo_app(today: Option<NaiveDate>) -> (guohe_web::AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}", dir.path().join("g.db").display()),
        demo: true,
        today,
        argon2_memory_kib: 64,
        ..ServeConfig::default()
    };
    let (_, state) = guohe_web::app(cfg).await.expect("app");
    (state, dir)
}

#[tokio::test]
async fn the_demo_without_today_is_complete_at_any_future_real_date() {
    let (state, _dir) = demo_app(None).await;
    // Real dates after the built-in schedules end (2027) and after hubei-2022 (to 2027-08-24).
    for now in [
        Utc.with_ymd_and_hms(2027, 1, 4, 2, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2027, 9, 1, 2, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2031, 6, 1, 2, 0, 0).unwrap(),
    ] {
        assert_eq!(state.today_at(now), DEMO_DATE, "the business date at {now}");
    }
    let today = state.today();
    assert_eq!(today, DEMO_DATE);
    assert_eq!(state.guohe.read(|w, _, _| w.clock()).await, Some(DEMO_DATE));
    // The running 公示 of the current Hunan round, with its objection, on the demo date.
    let notice = state
        .guohe
        .read(|w, _, _| {
            w.notice("HN-GS-2026-2")
                .map(|n| (n.starts_on, n.ends_on, n.ended, n.objections.len()))
        })
        .await;
    let (starts, ends, ended, objections) = notice.expect("the demo's notice exists");
    assert!(starts <= today && today <= ends, "{starts}..{ends} runs on {today}");
    assert!(!ended);
    assert_eq!(objections, 1);
    // Both regulations apply on the demo date, and the calendar knows its year.
    for id in ["hunan-2026", "hubei-2022"] {
        let p = state.guohe.read(|_, _, p| p.get(id).cloned()).await.unwrap();
        assert!(
            guohe_policy::check_in_force(&p, today).is_ok(),
            "{id} in force on {today}"
        );
    }
    assert!(state.guohe.read(|_, c, _| c.is_working_day(today)).await.is_ok());
    assert!(date_line(today).contains("演示业务日期：2026-11-20"));
    assert!(date_line(today).contains("Demo business date: 2026-11-20"));
}

#[tokio::test]
async fn the_demo_with_today_uses_that_date() {
    let on = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
    let (state, _dir) = demo_app(Some(on)).await;
    assert_eq!(state.today_at(Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()), on);
    assert_eq!(state.guohe.read(|w, _, _| w.clock()).await, Some(on));
    let n = state
        .guohe
        .read(|w, _, _| w.notice("HN-GS-2026-2").map(|n| (n.starts_on, n.ends_on)))
        .await;
    let (starts, ends) = n.expect("the notice is dated back from the business date");
    assert!(starts <= on && on <= ends, "{starts}..{ends} runs on {on}");
    assert!(date_line(on).starts_with("业务日期：2026-12-15"));
}
