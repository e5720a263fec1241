//! Appends of every size, to long streams and short, racing or not: the batched write path
//! gives every event its seq, version and link, and still refuses stale expectations. Run
//! against SQLite and PostgreSQL.

#[allow(dead_code)] // the raw connection for tampering is not needed here
use crate::support;

use chrono::NaiveDate;
use guohe_store::{NewEvent, StoreError, StoredEvent, VerifyReport};
use serde_json::json;
use support::TestDb;

fn events(stream: &str, n: usize) -> Vec<NewEvent> {
    (0..n)
        .map(|i| NewEvent {
            stream: stream.to_string(),
            kind: "Step".to_string(),
            actor: "dept:zhang".to_string(),
            occurred_on: NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
            articles: vec!["hubei-2022:28.1".to_string()],
            payload: json!({ "i": i, "note": "合作基础扎实" }),
        })
        .collect()
}

fn versions(stored: &[StoredEvent], stream: &str) -> Vec<i64> {
    stored
        .iter()
        .filter(|e| e.stream == stream)
        .map(|e| e.stream_version)
        .collect()
}

/// Batches of every size the insert statements are cut into, one after another on one stream,
/// then spread over several streams in one append: seq, versions, links and the head all come
/// out right, and what is read back is what the append returned.
async fn batches_of_every_size_chain_and_count(db: &TestDb) {
    let log = &db.log;
    let s = "application/2026-0100";
    let mut version = 0i64;
    let mut all = Vec::new();
    for n in [1usize, 2, 3, 63, 64, 65, 100, 130, 1000] {
        let stored = log.append(s, version, events(s, n)).await.expect("append");
        assert_eq!(stored.len(), n);
        assert_eq!(
            versions(&stored, s),
            ((version + 1)..=(version + n as i64)).collect::<Vec<_>>()
        );
        version += n as i64;
        all.extend(stored);
    }
    assert_eq!(log.stream_version(s).await.expect("version"), version);
    assert_eq!(log.read_all(0, 10_000).await.expect("read"), all);
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1);
        assert_eq!(e.hash, e.compute_hash());
        if i > 0 {
            assert_eq!(e.prev_hash, all[i - 1].hash);
        }
    }
    let (t, u) = ("base/HN-2026-100", "base/HN-2026-101");
    let stored = log
        .append_many(vec![
            (t.to_string(), 0, events(t, 70)),
            (s.to_string(), version, events(s, 5)),
            (u.to_string(), 0, events(u, 1)),
            (t.to_string(), 70, events(t, 3)),
        ])
        .await
        .expect("append_many");
    assert_eq!(versions(&stored, t), (1..=73).collect::<Vec<_>>());
    assert_eq!(
        versions(&stored, s),
        ((version + 1)..=(version + 5)).collect::<Vec<_>>()
    );
    assert_eq!(versions(&stored, u), vec![1]);
    assert_eq!(stored[0].prev_hash, all[all.len() - 1].hash);
    assert_eq!(log.stream_version(t).await.expect("version"), 73);
    assert_eq!(log.stream_version(s).await.expect("version"), version + 5);
    let last = stored.last().expect("stored");
    assert_eq!(log.head().await.expect("head"), Some((last.seq, last.hash.clone())));
    assert_eq!(
        log.verify().await.expect("verify"),
        VerifyReport::Intact {
            events: last.seq,
            head_hash: last.hash.clone()
        }
    );
}

/// A stale expectation on a long stream is refused, whatever the batch size, and writes nothing.
async fn conflicts_on_a_long_stream_write_nothing(db: &TestDb) {
    let log = &db.log;
    let s = "application/2026-0200";
    log.append(s, 0, events(s, 300)).await.expect("seed");
    let head = log.head().await.expect("head");
    for (expected, n) in [(299, 1), (0, 100), (301, 1), (150, 64)] {
        match log.append(s, expected, events(s, n)).await {
            Err(StoreError::Conflict {
                stream,
                expected: e,
                actual: 300,
            }) => {
                assert_eq!((stream.as_str(), e), (s, expected));
            }
            other => panic!("expected a conflict for {expected}, got {other:?}"),
        }
    }
    assert_eq!(log.head().await.expect("head"), head);
    assert_eq!(log.read_stream(s).await.expect("read").len(), 300);
    log.append(s, 300, events(s, 1))
        .await
        .expect("the right version still appends");
}

/// Appends that check no version (holiday schedules) never conflict, however many writers race
/// for the same stream: each reads the version the writer before it committed.
async fn racing_unchecked_appends_all_land(db: &TestDb) {
    let mut tasks = Vec::new();
    for i in 0..8 {
        let log = db.log.clone();
        tasks.push(tokio::spawn(async move {
            let csv = format!("date,kind\n2026-01-0{},holiday\n", i + 1);
            log.put_holiday_schedule_on(
                2026,
                &csv,
                &format!("admin:{i}"),
                NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            )
            .await
        }));
    }
    let mut got = Vec::new();
    for t in tasks {
        got.push(
            t.await
                .expect("join")
                .expect("an unchecked append never conflicts")
                .stream_version,
        );
    }
    got.sort();
    assert_eq!(got, (1..=8).collect::<Vec<_>>());
    assert_eq!(db.log.stream_version("calendar/2026").await.expect("version"), 8);
    assert!(db.log.verify().await.expect("verify").is_intact());
}

/// Writers racing on one stream with checked appends: exactly one wins each version, the
/// others are told the version that beat them, and nothing is written twice.
async fn racing_checked_appends_on_a_long_stream(db: &TestDb) {
    let s = "application/2026-0300";
    db.log.append(s, 0, events(s, 500)).await.expect("seed");
    let mut tasks = Vec::new();
    for i in 0..6 {
        let log = db.log.clone();
        tasks.push(tokio::spawn(
            async move { log.append(s, 500, events(s, 1 + i % 3)).await },
        ));
    }
    let mut wins = Vec::new();
    let mut conflicts = 0;
    for t in tasks {
        match t.await.expect("join") {
            Ok(stored) => wins.push(stored.len() as i64),
            Err(StoreError::Conflict { actual, .. }) => {
                assert!(actual > 500, "actual {actual}");
                conflicts += 1;
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((wins.len(), conflicts), (1, 5));
    assert_eq!(db.log.stream_version(s).await.expect("version"), 500 + wins[0]);
    assert!(db.log.verify().await.expect("verify").is_intact());
}

/// Two handles on one database, as two servers have: each append chains onto whatever the
/// other wrote since, and a stale expectation is refused with the stored version, whichever
/// handle wrote last.
async fn two_handles_take_turns(db: &TestDb) {
    let a = &db.log;
    let b = guohe_store::EventLog::connect(&db.url).await.expect("second handle");
    let (s, t) = ("application/2026-0400", "application/2026-0401");
    a.append(s, 0, events(s, 1)).await.expect("a, s1");
    b.append(t, 0, events(t, 2)).await.expect("b, t1-2");
    let stored = a.append(s, 1, events(s, 1)).await.expect("a after b");
    assert_eq!((stored[0].seq, stored[0].stream_version), (4, 2));
    assert_eq!(a.append(s, 2, events(s, 1)).await.expect("a again")[0].seq, 5);
    match a.append(t, 0, events(t, 1)).await {
        Err(StoreError::Conflict {
            stream,
            expected,
            actual,
        }) => {
            assert_eq!((stream.as_str(), expected, actual), (t, 0, 2));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    match a
        .append_many(vec![(s.into(), 3, events(s, 1)), (t.into(), 1, events(t, 1))])
        .await
    {
        Err(StoreError::Conflict {
            stream,
            expected,
            actual,
        }) => {
            assert_eq!((stream.as_str(), expected, actual), (t, 1, 2));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Entries that disagree among themselves: the second is refused with the first one's end.
    match a
        .append_many(vec![(s.into(), 3, events(s, 2)), (s.into(), 4, events(s, 1))])
        .await
    {
        Err(StoreError::Conflict {
            stream,
            expected,
            actual,
        }) => {
            assert_eq!((stream.as_str(), expected, actual), (s, 4, 5));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let stored = b.append(s, 3, events(s, 1)).await.expect("b on s");
    assert_eq!((stored[0].seq, stored[0].stream_version), (6, 4));
    assert_eq!(a.head().await.expect("head"), b.head().await.expect("head"));
    assert_eq!(a.head().await.expect("head").map(|h| h.0), Some(6));
    assert!(a.verify().await.expect("verify").is_intact());
    b.close().await;
}

/// Several handles writing at once, each to its own stream and all to one shared stream:
/// every append to an own stream lands, each version of the shared one is won exactly once,
/// and the chain stays whole.
async fn racing_handles_keep_one_chain(db: &TestDb) {
    let shared = "application/2026-0500";
    let mut tasks = Vec::new();
    for h in 0..4 {
        let log = guohe_store::EventLog::connect(&db.url).await.expect("handle");
        tasks.push(tokio::spawn(async move {
            let own = format!("application/2026-06{h:02}");
            let (mut won, mut version) = (0, 0);
            for i in 0..25 {
                version += log
                    .append(&own, version, events(&own, 1 + i % 2 * 2))
                    .await
                    .map_err(|e| format!("own stream {own} at {version}: {e}"))?
                    .len() as i64;
                let v = log.stream_version(shared).await.map_err(|e| e.to_string())?;
                match log.append(shared, v, events(shared, 1)).await {
                    Ok(_) => won += 1,
                    Err(StoreError::Conflict { actual, .. }) if actual > v => {}
                    Err(e) => return Err(e.to_string()),
                }
            }
            log.close().await;
            Ok::<i64, String>(won)
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += t.await.expect("join").expect("every own append lands");
    }
    assert_eq!(db.log.stream_version(shared).await.expect("version"), won);
    for h in 0..4 {
        let own = format!("application/2026-06{h:02}");
        assert_eq!(db.log.stream_version(&own).await.expect("version"), 13 + 12 * 3);
    }
    assert!(db.log.verify().await.expect("verify").is_intact());
}

on_both_backends!(
    two_handles_take_turns,
    racing_handles_keep_one_chain,
    batches_of_every_size_chain_and_count,
    conflicts_on_a_long_stream_write_nothing,
    racing_unchecked_appends_all_land,
    racing_checked_appends_on_a_long_stream,
);
