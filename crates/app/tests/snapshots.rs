//! Starting from a snapshot, on SQLite and PostgreSQL: the world rebuilt from the latest snapshot
//! plus the events after it equals the world replayed from the first event, stored policies
//! included; a snapshot whose chain hash or body does not match is ignored and reported, and the
//! service falls back to an older snapshot or the full log.

use crate::common;

use chrono::NaiveDate;
use common::{database, exec};
use guohe_app::Guohe;
use guohe_domain::{Actor, Command, World};
use guohe_policy::PolicySet;
use serde_json::json;

const HUBEI_POLICY: &str = include_str!("../../../policies/hubei-2022.yaml");

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn open(url: &str, keys: &std::path::Path) -> Guohe {
    Guohe::open_with_keys(
        url,
        PolicySet::default(),
        guohe_keys::KeyLocation::File(keys.to_path_buf()),
    )
    .await
    .unwrap()
}

async fn carry(g: &Guohe, id: &str, on: &str) {
    let c: Command = serde_json::from_value(json!({"type": "CarryOverBase", "base_id": id, "policy": "hubei-2022",
        "official_name": format!("湖北省新材料国际科技合作基地（{id}）"), "unit_name": "武汉示范新材料有限公司",
        "uscc": "91420100MA4K56786D", "domain": "新材料", "director": format!("赵强{id}"), "recognised_on": "2019-06-01"}))
    .unwrap();
    g.execute(&Actor::parse("dept:zhang").unwrap(), d(on), c).await.unwrap();
}

async fn world(g: &Guohe) -> World {
    g.read(|w, _, _| w.clone()).await
}

#[tokio::test]
async fn the_world_from_a_snapshot_and_the_tail_equals_the_world_from_every_event() {
    for backend in ["sqlite", "postgres"] {
        let Some(db) = database(backend).await else { continue };
        let url = db.url.as_str();
        let keys = tempfile::tempdir().unwrap();
        let keys = keys.path().join("keys.json");
        let g = open(url, &keys).await;
        // A stored policy under another id, so that the snapshot must carry it.
        let third = HUBEI_POLICY.replacen("id: hubei-2022", "id: hubei-2099", 1);
        g.load_policy(&third, "hubei-2099.yaml", false, "admin:li", d("2026-01-02"))
            .await
            .unwrap();
        for (i, on) in ["2026-01-05", "2026-01-06", "2026-01-07"].iter().enumerate() {
            carry(&g, &format!("HB-OLD-{i}"), on).await;
        }
        let at = g.take_snapshot().await.unwrap().expect("a snapshot");
        carry(&g, "HB-OLD-9", "2026-01-08").await;
        let expected = world(&g).await;
        drop(g);

        let from_snapshot = open(url, &keys).await;
        assert_eq!(from_snapshot.start_report().from_snapshot, Some(at), "{backend}");
        assert!(from_snapshot.start_report().ignored.is_empty());
        assert_eq!(world(&from_snapshot).await, expected, "{backend}: snapshot + tail");
        assert!(
            from_snapshot.policies().get("hubei-2099").is_some(),
            "{backend}: the stored policy"
        );
        assert!(world(&from_snapshot).await.base("HB-OLD-9").is_some());

        // The chain no longer holds the snapshot's hash at its seq: ignored, reported, and the
        // world comes from every event.
        exec(
            url,
            &format!(
                "UPDATE snapshots SET chain_hash = '{}' WHERE seq = {at}",
                "e".repeat(64)
            ),
        )
        .await;
        let replayed = open(url, &keys).await;
        let r = replayed.start_report();
        assert_eq!(r.from_snapshot, None, "{backend}");
        assert_eq!(r.ignored.len(), 1);
        assert!(r.ignored[0].1.contains("the chain's hash"), "{:?}", r.ignored);
        assert_eq!(world(&replayed).await, expected, "{backend}: full replay");

        // An older good snapshot is used when the latest one's body was edited.
        let older = replayed.take_snapshot().await.unwrap().unwrap();
        carry(&replayed, "HB-OLD-10", "2026-01-09").await;
        let newer = replayed.take_snapshot().await.unwrap().unwrap();
        assert!(newer > older);
        let expected = world(&replayed).await;
        exec(
            url,
            &format!("UPDATE snapshots SET body = REPLACE(body, '赵强', '钱强') WHERE seq = {newer}"),
        )
        .await;
        let g = open(url, &keys).await;
        assert_eq!(g.start_report().from_snapshot, Some(older), "{backend}");
        assert!(
            g.start_report()
                .ignored
                .iter()
                .any(|(s, why)| *s == newer && why.contains("hashes to"))
        );
        assert_eq!(world(&g).await, expected, "{backend}: older snapshot + tail");
        db.drop_pg().await;
    }
}

/// With a checkpoint-signing key in the key file, snapshots are signed and only a snapshot that
/// verifies under that key is used: an insider who edits a body and recomputes its SM3 gets
/// nothing trusted.
#[tokio::test]
async fn with_a_checkpoint_key_an_edited_snapshot_with_its_hash_recomputed_is_ignored() {
    let db = database("sqlite").await.unwrap();
    let url = db.url.as_str();
    let keys = tempfile::tempdir().unwrap();
    let keys = keys.path().join("keys.json");
    let g = open(url, &keys).await;
    g.vault().add_signer(guohe_keys::signing::CHECKPOINT_SIGNING).unwrap();
    carry(&g, "HB-OLD-1", "2026-01-05").await;
    let at = g.take_snapshot().await.unwrap().unwrap();
    let expected = world(&g).await;
    drop(g);
    assert_eq!(
        open(url, &keys).await.start_report().from_snapshot,
        Some(at),
        "signed and good"
    );

    // Edit the body and recompute its SM3 in the database, as an insider could.
    let p = sqlx::SqlitePool::connect(url).await.unwrap();
    let body: String = sqlx::query_scalar("SELECT body FROM snapshots WHERE seq = ?")
        .bind(at)
        .fetch_one(&p)
        .await
        .unwrap();
    let forged = body.replace("赵强", "钱强");
    assert_ne!(forged, body);
    sqlx::query("UPDATE snapshots SET body = ?, body_sm3 = ? WHERE seq = ?")
        .bind(&forged)
        .bind(guohe_store::sm3_hex(forged.as_bytes()))
        .bind(at)
        .execute(&p)
        .await
        .unwrap();
    p.close().await;
    let g = open(url, &keys).await;
    assert_eq!(g.start_report().from_snapshot, None);
    assert!(
        g.start_report().ignored[0].1.contains("signature"),
        "{:?}",
        g.start_report()
    );
    assert_eq!(world(&g).await, expected, "replayed from the events");
}

/// A snapshot's body is lines: the world without its bases and applications, then shares of
/// those (decoded on two threads at start). A body of the previous format — the whole world on
/// one line, `guohe-world/2` — still starts the server.
#[tokio::test]
async fn the_body_is_shares_in_lines_and_a_body_of_the_previous_format_still_starts() {
    let db = database("sqlite").await.unwrap();
    let url = db.url.as_str();
    let keys = tempfile::tempdir().unwrap();
    let keys = keys.path().join("keys.json");
    let g = open(url, &keys).await;
    for i in 0..6 {
        carry(&g, &format!("HB-OLD-{i}"), "2026-01-05").await;
    }
    let at = g.take_snapshot().await.unwrap().unwrap();
    let expected = world(&g).await;
    drop(g);

    let p = sqlx::SqlitePool::connect(url).await.unwrap();
    let (format, body): (String, String) = sqlx::query_as("SELECT format, body FROM snapshots WHERE seq = ?")
        .bind(at)
        .fetch_one(&p)
        .await
        .unwrap();
    assert_eq!(format, "guohe-world/3");
    let lines: Vec<&str> = body.lines().collect();
    // The head, then six bases in four shares (no application, so no share of them).
    assert_eq!(lines.len(), 5, "{body}");
    assert!(lines[0].starts_with(r#"{"world":"#));
    assert!(lines[0].contains(r#""bases":{}"#) && lines[0].contains(r#""applications":{}"#));
    assert!(lines[1..].iter().all(|l| l.starts_with(r#"{"bases":{"#)));
    assert_eq!(
        lines[1..]
            .iter()
            .map(|l| l.matches(r#"{"id":"HB-OLD-"#).count())
            .sum::<usize>(),
        6
    );

    // The same world as the previous format wrote it: one line.
    let old = serde_json::to_string(&json!({"world": expected, "stored_policies": {}})).unwrap();
    sqlx::query("UPDATE snapshots SET format = 'guohe-world/2', body = ?, body_sm3 = ? WHERE seq = ?")
        .bind(&old)
        .bind(guohe_store::sm3_hex(old.as_bytes()))
        .bind(at)
        .execute(&p)
        .await
        .unwrap();
    p.close().await;
    let g = open(url, &keys).await;
    assert_eq!(g.start_report().from_snapshot, Some(at), "{:?}", g.start_report());
    assert_eq!(world(&g).await, expected);
}
