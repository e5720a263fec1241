//! The PostgreSQL pool pings a connection before use only when it has been idle for
//! [`PING_IF_IDLE_FOR`]: connections the server dropped meanwhile (a restart, a failover, an
//! administrator) are found and replaced, and the log answers as if nothing had happened.

use std::time::Duration;

use guohe_store::{NewEvent, PING_IF_IDLE_FOR, VerifyReport};
use sqlx::postgres::PgPoolOptions;

use crate::support::{Backend, TestDb, postgres_admin_url};

fn event(stream: &str, i: usize) -> NewEvent {
    NewEvent {
        stream: stream.to_string(),
        kind: "AnnualReportFiled".to_string(),
        actor: "unit:HB-001".to_string(),
        occurred_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
        articles: vec!["hubei-2022:19".to_string()],
        payload: serde_json::json!({ "i": i }),
    }
}

/// Ends every session of the test's database but the caller's, as `pg_terminate_backend` does
/// for an administrator or a restarting server; returns how many it ended.
async fn drop_every_connection(db: &TestDb) -> i64 {
    let name = db
        .url
        .rsplit('/')
        .next()
        .and_then(|tail| tail.split('?').next())
        .expect("database name")
        .to_string();
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(&postgres_admin_url())
        .await
        .expect("admin connection");
    let ended: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid()) AS ended",
    )
    .bind(&name)
    .fetch_one(&admin)
    .await
    .expect("terminate");
    admin.close().await;
    ended
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_the_server_dropped_are_replaced_once_idle() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let stream = "base/HB-2026-001";
    // Several connections busy at once, so the pool holds more than one.
    let reads = (0..6).map(|_| db.log.stream_version(stream));
    for version in futures_util::future::join_all(reads).await {
        assert_eq!(version.expect("version"), 0);
    }
    db.log
        .append(stream, 0, (0..3).map(|i| event(stream, i)).collect())
        .await
        .expect("append before");
    assert!(drop_every_connection(&db).await >= 1, "the log's connections were open");
    tokio::time::sleep(PING_IF_IDLE_FOR + Duration::from_millis(300)).await;
    // One after another, so that every pooled connection is handed out in turn. A statement
    // sent on a connection the server dropped can wait for an answer that never comes: each
    // step has a deadline, so that such a wait fails the test instead of hanging it.
    for i in 0..10 {
        let version = within(db.log.stream_version(stream), &format!("read {i} after")).await;
        assert_eq!(version.expect("read after"), 3);
    }
    let stored = within(db.log.append(stream, 3, vec![event(stream, 3)]), "append after")
        .await
        .expect("append after");
    assert_eq!(stored[0].stream_version, 4);
    assert!(matches!(
        within(db.log.verify(), "verify").await.expect("verify"),
        VerifyReport::Intact { events: 4, .. }
    ));
}

async fn within<T>(step: impl Future<Output = T>, what: &str) -> T {
    match tokio::time::timeout(Duration::from_secs(10), step).await {
        Ok(done) => done,
        Err(_) => panic!("{what}: no answer within 10 s"),
    }
}
