//! Replay over logs longer than one range (10,000 events): every event as appended, from any
//! start, and on a damaged log the error at the damaged event after every event before it.

use crate::support;

use chrono::NaiveDate;
use guohe_store::{EventLog, NewEvent, ReplayEvent, StoreError};
use serde_json::{Value, json};
use support::TestDb;

const EVENTS: i64 = 25_000;

type Seen = (i64, String, String, String, NaiveDate, Vec<String>, String);

fn seen(e: &ReplayEvent<'_>) -> Seen {
    (
        e.seq,
        e.stream.to_string(),
        e.kind.to_string(),
        e.actor.to_string(),
        e.occurred_on,
        e.articles.iter().map(|a| a.to_string()).collect(),
        e.payload.to_string(),
    )
}

fn payload(i: i64) -> Value {
    // Text that holds the separators of a range's text: spaces, colons, digits, quotes.
    json!({"i": i, "text": format!("第{i}条: 1 2 3:\"{i}\"\n"), "n": [1.50, i]})
}

/// `EVENTS` events over five streams, a thousand at a time.
async fn fill(log: &EventLog) {
    let mut versions = [0i64; 5];
    for chunk in 0..EVENTS / 1000 {
        let s = (chunk % 5) as usize;
        let stream = format!("base/HB-{s}");
        let events = (0..1000)
            .map(|k| {
                let i = chunk * 1000 + k + 1;
                NewEvent {
                    stream: stream.clone(),
                    kind: if i % 2 == 0 { "Even" } else { "Odd" }.into(),
                    actor: format!("unit:{s}"),
                    occurred_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new((i % 300) as u64),
                    articles: vec![format!("hubei-2022:{}.1", i % 30 + 1), "hunan-2023:12(2)".into()],
                    payload: payload(i),
                }
            })
            .collect();
        log.append_many(vec![(stream, versions[s], events)]).await.unwrap();
        versions[s] += 1000;
    }
}

/// What a replay delivers from `after`, and how it ends.
async fn replay(log: &EventLog, after: i64) -> (Vec<Seen>, Result<i64, String>) {
    let mut seen_all = Vec::new();
    let r = log
        .replay(after, |e| -> Result<(), StoreError> {
            seen_all.push(seen(&e));
            Ok(())
        })
        .await
        .map_err(|e| e.to_string());
    (seen_all, r)
}

async fn replay_delivers_every_event_as_appended(db: &TestDb) {
    fill(&db.log).await;
    let (all, r) = replay(&db.log, 0).await;
    assert_eq!(r, Ok(EVENTS));
    assert_eq!(all.len() as i64, EVENTS);
    for (i, s) in all.iter().enumerate() {
        assert_eq!(s.0, i as i64 + 1);
        let parsed: Value = serde_json::from_str(&s.6).unwrap();
        assert_eq!(parsed, payload(s.0), "payload of {}", s.0);
        assert_eq!(
            s.5,
            [format!("hubei-2022:{}.1", s.0 % 30 + 1), "hunan-2023:12(2)".to_string()]
        );
        assert_eq!(s.2, if s.0 % 2 == 0 { "Even" } else { "Odd" });
        assert_eq!(
            s.4,
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new((s.0 % 300) as u64)
        );
    }
    for after in [7_777, EVENTS - 10_001, EVENTS - 3] {
        let (tail, r) = replay(&db.log, after).await;
        assert_eq!(r, Ok(EVENTS), "from {after}");
        assert!(tail[..] == all[after as usize..], "from {after}");
    }
    // A second connection, as a restarted server makes.
    let reopened = EventLog::connect(&db.url).await.unwrap();
    let (again, _) = replay(&reopened, 0).await;
    assert!(all == again);
}

async fn a_missing_event_stops_replay_there(db: &TestDb) {
    fill(&db.log).await;
    db.drop_guards().await;
    db.exec("DELETE FROM events WHERE seq = 10000").await.unwrap();
    let (seen_all, r) = replay(&db.log, 0).await;
    let err = r.unwrap_err();
    // The last event of the first range: the gap shows at the start of the next.
    assert!(err.contains("expected event 10000"), "{err}");
    assert_eq!(seen_all.last().map(|s| s.0), Some(9_999));
}

async fn a_damaged_date_stops_replay_there(db: &TestDb) {
    fill(&db.log).await;
    db.drop_guards().await;
    let (bad, message) = match db.backend {
        support::Backend::Sqlite => (
            "UPDATE events SET occurred_on = '2026-02-30' WHERE seq = 15000",
            "occurred_on",
        ),
        // PostgreSQL keeps a date column: a date it holds always reads.
        support::Backend::Postgres => ("DELETE FROM events WHERE seq = 15000", "expected event 15000"),
    };
    db.exec(bad).await.unwrap();
    let (seen_all, r) = replay(&db.log, 0).await;
    let err = r.unwrap_err();
    assert!(err.contains("15000") && err.contains(message), "{err}");
    assert_eq!(seen_all.last().map(|s| s.0), Some(14_999));
}

on_both_backends!(
    replay_delivers_every_event_as_appended,
    a_missing_event_stops_replay_there,
    a_damaged_date_stops_replay_there,
);
