//! Read throughput of the event log on SQLite and PostgreSQL: the whole log streamed and
//! verified. (What an append costs, against raw SQL, is `benches/append_cost.rs`.)
//!
//! `cargo bench -p guohe-store --bench append`. PostgreSQL is taken from
//! `GUOHE_TEST_POSTGRES_URL` (default `postgres://root@127.0.0.1:5432/test`);
//! a scratch database is created and dropped. `GUOHE_SKIP_POSTGRES=1` skips
//! it. `GUOHE_BENCH_EVENTS` sets the size of the log (default 100000).

mod support;

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use guohe_store::{EventLog, StoreError};
use tokio::runtime::Runtime;

use support::{ScratchDb, event, scratch_db};

struct Target {
    name: &'static str,
    log: EventLog,
    cleanup: Option<ScratchDb>,
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
    if let Some(db) = rt.block_on(scratch_db(name)) {
        match rt.block_on(EventLog::connect(&db.url)) {
            Ok(log) => out.push(Target {
                name: "postgres",
                log,
                cleanup: Some(db),
            }),
            Err(e) => {
                eprintln!("cannot open PostgreSQL: {e}");
                rt.block_on(db.drop_now());
            }
        }
    }
    out
}

fn finish(rt: &Runtime, targets: Vec<Target>) {
    for t in targets {
        rt.block_on(t.log.close());
        if let Some(db) = t.cleanup {
            rt.block_on(db.drop_now());
        }
    }
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

criterion_group!(benches, bench_read);
criterion_main!(benches);
