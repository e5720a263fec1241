//! Append and read throughput of the event log on SQLite and PostgreSQL.
//!
//! `cargo bench -p guohe-store --bench append`. PostgreSQL is taken from
//! `GUOHE_TEST_POSTGRES_URL` (default `postgres://root@127.0.0.1:5432/test`);
//! a scratch database is created and dropped. `GUOHE_SKIP_POSTGRES=1` skips
//! it. `GUOHE_BENCH_EVENTS` sets the size of the read benchmark (default
//! 100000).

use std::cell::Cell;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use guohe_store::{EventLog, NewEvent, StoreError};
use serde_json::json;
use sqlx::AssertSqlSafe;
use sqlx::postgres::PgPoolOptions;
use tokio::runtime::Runtime;

fn event(stream: &str, i: u64) -> NewEvent {
    NewEvent {
        stream: stream.to_string(),
        kind: "ExpertReviewScored".to_string(),
        actor: "dept:zhang".to_string(),
        occurred_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default(),
        articles: vec!["hubei-2022:28.1".to_string()],
        payload: json!({
            "application": stream,
            "reviewer": "expert:0042",
            "score": "87.50",
            "i": i,
            "comment": "合作基础扎实，外方合作单位实力较强，建议通过。",
        }),
    }
}

struct Target {
    name: &'static str,
    log: EventLog,
    cleanup: Option<(String, String)>,
}

fn pg_admin_url() -> String {
    std::env::var("GUOHE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string())
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{host}/{db}{query}")
}

async fn pg_target(name: &str) -> Option<(EventLog, (String, String))> {
    if std::env::var("GUOHE_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        return None;
    }
    let admin = pg_admin_url();
    let pool = match PgPoolOptions::new().max_connections(1).connect(&admin).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("PostgreSQL unreachable ({e}); skipping PostgreSQL benchmarks");
            return None;
        }
    };
    let db = format!("guohe_bench_{name}_{}", std::process::id());
    sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")))
        .execute(&pool)
        .await
        .ok()?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&pool)
        .await
        .ok()?;
    pool.close().await;
    let log = EventLog::connect(&with_database(&admin, &db)).await.ok()?;
    Some((log, (admin, db)))
}

async fn drop_pg(admin: &str, db: &str) {
    if let Ok(pool) = PgPoolOptions::new().max_connections(1).connect(admin).await {
        let _ = sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")))
            .execute(&pool)
            .await;
        pool.close().await;
    }
}

fn targets(rt: &Runtime, dir: &std::path::Path, name: &str) -> Vec<Target> {
    let mut out = Vec::new();
    let path = dir.join(format!("{name}.db"));
    match rt.block_on(EventLog::connect(&format!("sqlite://{}", path.display()))) {
        Ok(log) => out.push(Target {
            name: "sqlite",
            log,
            cleanup: None,
        }),
        Err(e) => eprintln!("cannot open SQLite: {e}"),
    }
    if let Some((log, cleanup)) = rt.block_on(pg_target(name)) {
        out.push(Target {
            name: "postgres",
            log,
            cleanup: Some(cleanup),
        });
    }
    out
}

fn finish(rt: &Runtime, targets: Vec<Target>) {
    for t in targets {
        rt.block_on(t.log.close());
        if let Some((admin, db)) = t.cleanup {
            rt.block_on(drop_pg(&admin, &db));
        }
    }
}

fn bench_append(c: &mut Criterion) {
    let rt = Runtime::new().expect("tokio runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let targets = targets(&rt, dir.path(), "append");
    let mut group = c.benchmark_group("append");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for t in &targets {
        for batch in [1u64, 100] {
            let stream = format!("application/bench-{batch}");
            let version = Cell::new(0i64);
            group.throughput(Throughput::Elements(batch));
            group.bench_function(format!("{}/batch_{batch}", t.name), |b| {
                b.iter(|| {
                    let v = version.get();
                    let events = (0..batch).map(|i| event(&stream, i)).collect();
                    let stored = rt.block_on(t.log.append(&stream, v, events)).expect("append");
                    version.set(v + stored.len() as i64);
                })
            });
        }
    }
    group.finish();
    finish(&rt, targets);
}

fn bench_read(c: &mut Criterion) {
    let total: u64 = std::env::var("GUOHE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rt = Runtime::new().expect("tokio runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let targets = targets(&rt, dir.path(), "read");
    let streams = 1_000u64;
    for t in &targets {
        // Bulk load: 1000 events per transaction, spread over many streams.
        let started = std::time::Instant::now();
        let mut i = 0u64;
        while i < total {
            let mut batch = Vec::new();
            for j in i..(i + 1000).min(total) {
                let s = format!("application/2026-{:04}", j % streams);
                batch.push((s.clone(), (j / streams) as i64, vec![event(&s, j)]));
            }
            i += batch.len() as u64;
            rt.block_on(t.log.append_many(batch)).expect("bulk load");
        }
        eprintln!("{}: bulk-loaded {total} events in {:.2?}", t.name, started.elapsed());
    }
    let mut group = c.benchmark_group("read");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(total));
    for t in &targets {
        group.bench_function(format!("{}/for_each_{total}", t.name), |b| {
            b.iter(|| {
                let mut n = 0u64;
                rt.block_on(t.log.for_each(0, |e| {
                    n += e.stream_version as u64 & 1;
                    Ok::<(), StoreError>(())
                }))
                .expect("for_each")
            })
        });
        group.bench_function(format!("{}/verify_{total}", t.name), |b| {
            b.iter(|| {
                let report = rt.block_on(t.log.verify()).expect("verify");
                assert!(report.is_intact());
            })
        });
    }
    group.finish();
    finish(&rt, targets);
}

criterion_group!(benches, bench_append, bench_read);
criterion_main!(benches);
