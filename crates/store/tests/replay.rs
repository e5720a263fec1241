//! Replay on two threads (`replay_decoded`) against replay on one (`replay`): the same events,
//! and on a damaged log the same error after the same events. Logs longer than one range
//! (10,000 events), so that ranges are read, decoded and applied at once.

mod support;

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

/// What each replay delivers from `after`, and how it ends.
async fn both(log: &EventLog, after: i64) -> [(Vec<Seen>, Result<i64, String>); 2] {
    let mut one = Vec::new();
    let r1 = log
        .replay(after, |e| -> Result<(), StoreError> {
            one.push(seen(&e));
            Ok(())
        })
        .await
        .map_err(|e| e.to_string());
    let mut two = Vec::new();
    let r2 = log
        .replay_decoded(
            after,
            |e| Ok::<_, StoreError>(seen(&e)),
            |seq, s: Seen| {
                assert_eq!(seq, s.0);
                two.push(s);
                Ok(())
            },
        )
        .await
        .map_err(|e| e.to_string());
    [(one, r1), (two, r2)]
}

async fn decoded_replay_delivers_what_replay_delivers(db: &TestDb) {
    fill(&db.log).await;
    for after in [0, 7_777, EVENTS - 10_001, EVENTS - 3] {
        let [(one, r1), (two, r2)] = both(&db.log, after).await;
        assert_eq!(r1, Ok(EVENTS), "from {after}");
        assert_eq!(r2, Ok(EVENTS), "from {after}");
        assert_eq!(one.len() as i64, EVENTS - after);
        assert!(one == two, "from {after}: the two replays differ");
        assert_eq!(one[0].0, after + 1);
    }
    // A second connection, as a restarted server makes.
    let reopened = EventLog::connect(&db.url).await.unwrap();
    let [(all, _), (again, _)] = both(&reopened, 0).await;
    assert!(all == again);
    for s in [&all[0], &all[12_344], &all[24_999]] {
        let parsed: Value = serde_json::from_str(&s.6).unwrap();
        assert_eq!(parsed, payload(s.0), "payload of {}", s.0);
        assert_eq!(s.5[1], "hunan-2023:12(2)");
    }
}

async fn a_missing_event_stops_both_at_the_same_place(db: &TestDb) {
    fill(&db.log).await;
    db.drop_guards().await;
    db.exec("DELETE FROM events WHERE seq = 10000").await.unwrap();
    let [(one, r1), (two, r2)] = both(&db.log, 0).await;
    let err = r1.unwrap_err();
    // The last event of the first range: the gap shows at the start of the next.
    assert!(err.contains("10000"), "{err}");
    assert_eq!(r2.unwrap_err(), err);
    assert_eq!(one.last().map(|s| s.0), Some(9_999));
    assert!(one == two);
}

async fn a_damaged_date_stops_both_at_the_same_place(db: &TestDb) {
    fill(&db.log).await;
    db.drop_guards().await;
    let bad = match db.backend {
        support::Backend::Sqlite => "UPDATE events SET occurred_on = '2026-02-30' WHERE seq = 15000",
        // PostgreSQL keeps a date column: a date it holds always reads.
        support::Backend::Postgres => "DELETE FROM events WHERE seq = 15000",
    };
    db.exec(bad).await.unwrap();
    let [(one, r1), (two, r2)] = both(&db.log, 0).await;
    let err = r1.unwrap_err();
    assert!(err.contains("15000"), "{err}");
    assert_eq!(r2.unwrap_err(), err);
    assert_eq!(one.last().map(|s| s.0), Some(14_999));
    assert!(one == two);
}

async fn a_refused_event_is_the_last_word(db: &TestDb) {
    fill(&db.log).await;
    let mut applied = Vec::new();
    let r = db
        .log
        .replay_decoded(
            0,
            |e| {
                if e.seq == 20_001 {
                    Err(StoreError::Corrupt {
                        seq: e.seq,
                        detail: "refused".into(),
                    })
                } else {
                    Ok(e.seq)
                }
            },
            |seq, v: i64| {
                assert_eq!(seq, v);
                applied.push(v);
                Ok(())
            },
        )
        .await;
    assert!(matches!(r, Err(StoreError::Corrupt { seq: 20_001, .. })), "{r:?}");
    assert_eq!(applied, (1..=20_000).collect::<Vec<_>>());
    // An error from the fold itself stops it there too.
    let mut folded = 0;
    let r = db
        .log
        .replay_decoded(
            0,
            |e| Ok::<_, StoreError>(e.seq),
            |seq, _| {
                if seq == 10_500 {
                    return Err(StoreError::Corrupt {
                        seq,
                        detail: "fold".into(),
                    });
                }
                folded += 1;
                Ok(())
            },
        )
        .await;
    assert!(matches!(r, Err(StoreError::Corrupt { seq: 10_500, .. })), "{r:?}");
    assert_eq!(folded, 10_499);
}

on_both_backends!(
    decoded_replay_delivers_what_replay_delivers,
    a_missing_event_stops_both_at_the_same_place,
    a_damaged_date_stops_both_at_the_same_place,
    a_refused_event_is_the_last_word,
);
