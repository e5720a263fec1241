//! Signed checkpoints against the two rewrites the chain alone cannot see, on SQLite and
//! PostgreSQL: records cut off the end with the chain head moved back, and a record changed with
//! every later hash recomputed. `verify` calls both chains intact; the checkpoints, from the
//! database or from an exported copy, catch both. Also: a forged or altered checkpoint, an
//! untrusted key, and when the server signs on its own.

use crate::common;

use chrono::{Duration, NaiveDate, Utc};
use common::{database, exec};
use guohe_app::Guohe;
use guohe_app::checkpoints::{EVERY_EVENTS, Finding, Signed, check};
use guohe_domain::{Actor, Command};
use guohe_keys::KeyLocation;
use guohe_keys::signing::CHECKPOINT_SIGNING;
use guohe_policy::PolicySet;
use guohe_store::Checkpoint;
use serde_json::json;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Removes the append-only triggers, as an insider with DDL rights could.
async fn drop_guards(url: &str) {
    if url.starts_with("sqlite") {
        exec(url, "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;").await;
    } else {
        exec(url, "DROP TRIGGER events_append_only ON events;").await;
    }
}

/// A service with a checkpoint-signing key and five rounds opened (five events at least).
async fn seeded(url: &str, keys: &std::path::Path) -> Guohe {
    let g = Guohe::open_with_keys(url, PolicySet::default(), KeyLocation::File(keys.to_path_buf()))
        .await
        .unwrap();
    g.vault().add_signer(CHECKPOINT_SIGNING).unwrap();
    let dept = Actor::parse("dept:zhang").unwrap();
    for i in 1..=5 {
        let c: Command = serde_json::from_value(json!({"type": "OpenRound", "id": format!("HB-R{i}"),
            "policy": "hubei-2022", "title": format!("第{i}批申报"), "opens_on": "2026-03-01", "closes_on": "2026-04-30"}))
        .unwrap();
        g.execute(&dept, d("2026-03-01"), c).await.unwrap();
    }
    g
}

async fn for_each_backend(f: impl AsyncFn(&str, &std::path::Path)) {
    for backend in ["sqlite", "postgres"] {
        let Some(db) = database(backend).await else { continue };
        let keys = tempfile::tempdir().unwrap();
        f(&db.url, &keys.path().join("keys.json")).await;
        db.drop_pg().await;
    }
}

#[tokio::test]
async fn cutting_records_off_the_end_and_moving_the_head_back_is_caught_by_a_checkpoint() {
    for_each_backend(async |url, keys| {
        let g = seeded(url, keys).await;
        let (n, _) = g.log().head().await.unwrap().unwrap();
        let Signed::New(c) = g.sign_checkpoint(Utc::now()).await.unwrap() else {
            panic!("a new checkpoint")
        };
        assert_eq!(c.seq, n);
        let exported = g.checkpoints().await.unwrap();
        let trusted = vec![g.checkpoint_public_key().unwrap().unwrap()];
        assert!(g.verify_against(&exported, &trusted).await.unwrap().is_intact());

        // The insider deletes the last two records and moves the chain head back.
        drop_guards(url).await;
        let events = g.log().read_all(0, 100).await.unwrap();
        let keep = &events[(n - 3) as usize];
        exec(url, &format!("DELETE FROM events WHERE seq > {}", keep.seq)).await;
        exec(
            url,
            &format!(
                "UPDATE chain_head SET seq = {}, hash = '{}' WHERE id = 1",
                keep.seq, keep.hash
            ),
        )
        .await;
        assert!(g.verify().await.unwrap().is_intact(), "the chain alone cannot see it");

        let r = g
            .verify_against(&g.checkpoints().await.unwrap(), &trusted)
            .await
            .unwrap();
        assert!(!r.is_intact());
        assert_eq!(r.findings, vec![Finding::BeyondEnd { seq: n, events: n - 2 }]);
        // Deleting the checkpoints too leaves the database silent, but not the exported copy.
        exec(url, "DELETE FROM checkpoints").await;
        assert_eq!(g.checkpoints().await.unwrap(), vec![]);
        let r = g.verify_against(&exported, &trusted).await.unwrap();
        assert_eq!(r.findings, vec![Finding::BeyondEnd { seq: n, events: n - 2 }]);
        assert!(r.findings[0].message_zh().contains("末尾记录被删除"));
    })
    .await;
}

#[tokio::test]
async fn changing_a_record_and_recomputing_every_later_hash_is_caught_by_a_checkpoint() {
    for_each_backend(async |url, keys| {
        let g = seeded(url, keys).await;
        let Signed::New(c) = g.sign_checkpoint(Utc::now()).await.unwrap() else {
            panic!("a new checkpoint")
        };
        let trusted = vec![c.public_key.clone()];

        // The insider changes the second record's payload and recomputes the chain from there.
        drop_guards(url).await;
        let mut events = g.log().read_all(0, 100).await.unwrap();
        events[1].payload["title"] = json!("篡改后的标题");
        for i in 1..events.len() {
            events[i].prev_hash = events[i - 1].hash.clone();
            events[i].hash = events[i].compute_hash();
            let e = &events[i];
            let payload = guohe_store::canonical_json(&e.payload).replace('\'', "''");
            exec(
                url,
                &format!(
                    "UPDATE events SET payload = '{payload}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
                    e.prev_hash, e.hash, e.seq
                ),
            )
            .await;
        }
        let last = events.last().unwrap();
        exec(
            url,
            &format!("UPDATE chain_head SET hash = '{}' WHERE id = 1", last.hash),
        )
        .await;
        assert!(g.verify().await.unwrap().is_intact(), "the chain alone cannot see it");

        let r = g
            .verify_against(&g.checkpoints().await.unwrap(), &trusted)
            .await
            .unwrap();
        assert!(!r.is_intact());
        assert_eq!(
            r.findings,
            vec![Finding::Rewritten {
                seq: c.seq,
                signed: c.head_hash.clone(),
                found: last.hash.clone()
            }]
        );
        assert_eq!(r.covered_up_to, None);
    })
    .await;
}

#[tokio::test]
async fn a_checkpoint_is_signed_every_thousand_events_or_daily_and_never_twice() {
    for_each_backend(async |url, keys| {
        let g = seeded(url, keys).await;
        let now = Utc::now();
        let first = g
            .checkpoint_if_due(now)
            .await
            .unwrap()
            .expect("the first is due at once");
        assert_eq!(g.checkpoint_if_due(now).await.unwrap(), None, "nothing new");
        assert!(matches!(g.sign_checkpoint(now).await.unwrap(), Signed::UpToDate(c) if c == first));
        let dept = Actor::parse("dept:zhang").unwrap();
        let c: Command = serde_json::from_value(json!({"type": "OpenRound", "id": "HB-R9", "policy": "hubei-2022",
            "title": "第9批申报", "opens_on": "2026-03-01", "closes_on": "2026-04-30"}))
        .unwrap();
        g.execute(&dept, d("2026-03-01"), c).await.unwrap();
        const { assert!(EVERY_EVENTS > 1) };
        assert_eq!(
            g.checkpoint_if_due(now + Duration::hours(23)).await.unwrap(),
            None,
            "one event, same day"
        );
        let next = g
            .checkpoint_if_due(now + Duration::hours(25))
            .await
            .unwrap()
            .expect("a day later");
        assert!(next.seq > first.seq);
        assert_eq!(g.checkpoints().await.unwrap(), vec![first, next]);
    })
    .await;
}

#[tokio::test]
async fn without_a_key_nothing_is_signed_and_signing_by_hand_names_the_missing_key() {
    let db = database("sqlite").await.unwrap();
    let keys = tempfile::tempdir().unwrap();
    let g = Guohe::open_with_keys(
        &db.url,
        PolicySet::default(),
        KeyLocation::File(keys.path().join("k.json")),
    )
    .await
    .unwrap();
    assert_eq!(g.checkpoint_if_due(Utc::now()).await.unwrap(), None);
    let err = g.sign_checkpoint(Utc::now()).await.unwrap_err();
    assert!(err.message_zh().contains("checkpoint-signing"), "{}", err.message_zh());
}

#[test]
fn a_forged_or_altered_checkpoint_or_an_untrusted_key_is_reported() {
    let key = guohe_keys::Sm2Signer::generate(CHECKPOINT_SIGNING, 1).unwrap();
    let other = guohe_keys::Sm2Signer::generate(CHECKPOINT_SIGNING, 1).unwrap();
    let at = Utc::now();
    let sign = |k: &guohe_keys::Sm2Signer, seq: i64, hash: &str| Checkpoint {
        seq,
        head_hash: hash.into(),
        signed_at: chrono::DateTime::from_timestamp(at.timestamp(), 0).unwrap(),
        key_version: 1,
        public_key: k.public_key_hex(),
        signature: k.sign(&Checkpoint::message(
            seq,
            hash,
            chrono::DateTime::from_timestamp(at.timestamp(), 0).unwrap(),
        )),
    };
    let chain = |seq: i64| Some(format!("{seq:064x}"));
    let good = sign(&key, 3, &format!("{:064x}", 3));
    let mut altered = sign(&key, 4, &format!("{:064x}", 4));
    altered.head_hash = format!("{:064x}", 5);
    let foreign = sign(&other, 2, &format!("{:064x}", 2));
    let trusted = vec![key.public_key_hex()];
    let (findings, covered) = check(&[good.clone(), altered, foreign.clone()], &trusted, 6, chain);
    assert_eq!(
        findings,
        vec![
            Finding::BadSignature { seq: 4 },
            Finding::UntrustedKey {
                seq: 2,
                public_key: other.public_key_hex()
            }
        ]
    );
    assert_eq!(covered, Some(3));
    // Without a trusted key, each checkpoint's own key is all there is.
    let (findings, covered) = check(&[good, foreign], &[], 6, chain);
    assert_eq!((findings, covered), (vec![], Some(3)));
}
