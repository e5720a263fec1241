//! The server's own background work, one pass at a time: the clock pass (`clock_pass`) that
//! advances the world to the business date — a 公示 period ending without anyone running
//! `guohe tick` — and the session sweeper (`sweep_sessions`) that removes sessions idle longer
//! than the timeout (等保: 30 minutes). `guohe serve` runs these every `CLOCK_EVERY` and
//! `SESSION_SWEEP_EVERY`.

use crate::pages_support;

use chrono::NaiveDate;
use pages_support::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[tokio::test]
async fn one_clock_pass_ends_the_notice_period_and_a_second_does_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let first = serve(&db, d(2026, 11, 20), true).await;
    assert_eq!(
        guohe_web::clock_pass(&first.state).await.unwrap(),
        0,
        "the demo is at its date"
    );
    // A second server on the same database, three weeks later: the five working days of the
    // 公示 (湖南第九条第三款, period as in 湖北第十七条) are over.
    let later = serve(&db, d(2026, 12, 11), false).await;
    assert_eq!(
        later.state.guohe.read(|w, _, _| w.clock()).await,
        Some(d(2026, 11, 20)),
        "nothing has advanced the clock yet"
    );
    let n = guohe_web::clock_pass(&later.state).await.unwrap();
    assert!(n >= 1, "the notice period ended: {n} events");
    assert_eq!(later.state.guohe.read(|w, _, _| w.clock()).await, Some(d(2026, 12, 11)));
    let ended = later
        .state
        .guohe
        .history("notice/HN-GS-2026-2")
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == "PublicNoticeEnded")
        .count();
    assert_eq!(ended, 1);
    // The application stays in the notice stage: its real-name objection is still open.
    // Idempotent: the next pass finds the clock at the business date.
    assert_eq!(guohe_web::clock_pass(&later.state).await.unwrap(), 0);
}

#[tokio::test]
async fn one_sweep_removes_only_sessions_idle_past_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("g.db"), d(2026, 11, 20), true).await;
    let unit = Browser::new(&s);
    unit.login("hn-xjsw").await;
    assert_eq!(unit.get("/unit").await.status, 200);
    let live = s.state.accounts.sessions().await.unwrap();
    assert!(live.iter().any(|x| x.login == "hn-xjsw"), "signed in");
    let now = chrono::Utc::now();
    // Within the 30 idle minutes nothing goes.
    assert_eq!(guohe_web::sweep_sessions(&s.state, now).await.unwrap(), 0);
    assert_eq!(unit.get("/unit").await.status, 200);
    // 31 minutes on, every session is idle past the timeout and is removed.
    let n = guohe_web::sweep_sessions(&s.state, now + chrono::Duration::minutes(31))
        .await
        .unwrap();
    assert_eq!(n as usize, live.len());
    assert!(s.state.accounts.sessions().await.unwrap().is_empty());
    let r = unit.get("/unit").await;
    assert_eq!(r.status, 303, "signed out by the sweep");
    assert!(r.location.starts_with("/login"), "{}", r.location);
}
