//! Time to rebuild state from one million events: open the database and replay the whole log
//! (read, decode, apply). Target: under 2 seconds on this machine. Beside it, in the same run,
//! the same log opened from a snapshot taken at its end (read, check against the chain, decode):
//! the ratio between the two is what snapshots buy at start-up. A reference, also in the same
//! run: the rows read and cut into events with nothing decoded or folded, the floor of any
//! replay through `EventLog::replay`.
//!
//! The log is generated once — about 1,000,000 events (GUOHE_BENCH_EVENTS, default 1,000,000) of Hubei bases carried over in 2022 with five
//! years of annual reports and assessments — and kept under `target/bench-data/` for later runs
//! (generation takes a minute or two; delete the file to regenerate). Set GUOHE_BENCH_EVENTS for
//! a smaller log, and GUOHE_BENCH_POSTGRES=postgres://… to also measure PostgreSQL.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use guohe_app::Guohe;
use guohe_calendar::Calendar;
use guohe_domain::{Actor, Command, Ctx, World};
use guohe_policy::PolicySet;
use guohe_store::{EventLog, NewEvent, StoreError};
use serde_json::json;

/// The allocator the `guohe` binary runs on (crates/cli/src/main.rs): a start-up allocates and
/// frees a few small strings per event, and is measured as it ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Generates the events in memory through the real domain, then bulk-loads them.
async fn generate(url: &str, target: usize) -> usize {
    let policies = PolicySet::default();
    let calendar = Calendar::builtin();
    let mut world = World::new();
    let dept = Actor::parse("dept:bench").unwrap();
    let mut pending: Vec<guohe_domain::Event> = Vec::with_capacity(target + 16);
    let handle = |world: &mut World, pending: &mut Vec<guohe_domain::Event>, today: NaiveDate, c: serde_json::Value| {
        let cmd: Command = serde_json::from_value(c).unwrap();
        let ctx = Ctx {
            policies: &policies,
            calendar: &calendar,
            actor: dept.clone(),
            today,
        };
        let evs = guohe_domain::handle(world, &ctx, cmd).unwrap_or_else(|r| panic!("{}", r.message_en));
        for e in &evs {
            world.apply(e);
        }
        pending.extend(evs);
    };
    let mut n = 0usize;
    while pending.len() < target {
        let id = format!("HB-B{n:06}");
        handle(
            &mut world,
            &mut pending,
            d(2022, 9, 1),
            json!({"type": "CarryOverBase", "base_id": id, "policy": "hubei-2022",
            "official_name": format!("湖北省示范领域{n}国际科技合作基地"), "unit_name": format!("示范单位{n}"), "uscc": "91420100MA4K56786D",
            "domain": format!("领域{n}"), "director": format!("负责人{n}"), "partner_country": "DE", "recognised_on": "2021-06-01"}),
        );
        for year in 2022..2027 {
            handle(
                &mut world,
                &mut pending,
                d(year + 1, 1, 10),
                json!({"type": "SubmitAnnualReport", "base": id, "year": year, "submitted_on": format!("{}-01-10", year + 1)}),
            );
            handle(
                &mut world,
                &mut pending,
                d(year + 1, 3, 1),
                json!({"type": "RecordAnnualAssessment", "base": id, "year": year, "grade": "qualified"}),
            );
        }
        n += 1;
    }
    let log = EventLog::connect(url).await.unwrap();
    let mut versions: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    let total = pending.len();
    for chunk in pending.chunks(2000) {
        let mut batch: Vec<(String, i64, Vec<NewEvent>)> = Vec::new();
        for e in chunk {
            let v = versions.entry(e.stream.clone()).or_insert(0);
            let ne = NewEvent {
                stream: e.stream.clone(),
                kind: e.kind_name().into(),
                actor: e.actor.clone(),
                occurred_on: e.on,
                articles: e.article_texts(),
                payload: e.payload(),
            };
            match batch.last_mut() {
                Some((s, _, run)) if *s == e.stream => run.push(ne),
                _ => batch.push((e.stream.clone(), *v, vec![ne])),
            }
            *v += 1;
        }
        log.append_many(batch).await.unwrap();
    }
    log.close().await;
    total
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let events: usize = std::env::var("GUOHE_BENCH_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("rebuild-{events}.db"));
    let url = format!("sqlite://{}", file.display());
    if !file.exists() {
        let t = Instant::now();
        let n = rt.block_on(generate(&url, events));
        eprintln!("generated {n} events into {} in {:.1?}", file.display(), t.elapsed());
    }
    // The same log with a snapshot at its end: what a server restarting after a snapshot does.
    let snap_file = dir.join(format!("rebuild-{events}-snapshot.db"));
    let snap_url = format!("sqlite://{}", snap_file.display());
    if !snap_file.exists() {
        std::fs::copy(&file, &snap_file).unwrap();
        let t = Instant::now();
        let seq = rt.block_on(async {
            let g = Guohe::open(&snap_url, PolicySet::default()).await.unwrap();
            g.take_snapshot().await.unwrap()
        });
        eprintln!("snapshot at {seq:?} taken in {:.1?}", t.elapsed());
    }
    let mut urls = vec![("sqlite", url), ("sqlite from a snapshot", snap_url)];
    if let Ok(pg) = std::env::var("GUOHE_BENCH_POSTGRES") {
        let n = rt.block_on(async {
            let log = EventLog::connect(&pg).await.unwrap();
            log.head().await.unwrap().map(|h| h.0).unwrap_or(0)
        });
        if n == 0 {
            rt.block_on(generate(&pg, events));
        }
        urls.push(("postgres", pg));
    }
    let mut group = c.benchmark_group("rebuild");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60))
        .warm_up_time(Duration::from_millis(1));
    let sqlite_url = urls[0].1.clone();
    group.bench_function(
        format!("reference, sqlite: read {events} events, nothing folded"),
        |b| {
            b.iter(|| {
                rt.block_on(async {
                    let log = EventLog::connect(&sqlite_url).await.unwrap();
                    let mut n = 0usize;
                    log.replay(0, |e| -> Result<(), StoreError> {
                        n += e.payload.len();
                        Ok(())
                    })
                    .await
                    .unwrap();
                    log.close().await;
                    n
                })
            })
        },
    );
    for (name, url) in urls {
        // A start-up ends when the server can answer; the world it built is not torn down, so
        // dropping it (about a fifth of the time at this size) is left out of the measurement.
        group.bench_function(format!("{name}: open and replay {events} events"), |b| {
            b.iter_with_large_drop(|| {
                rt.block_on(async {
                    let g = Guohe::open(&url, PolicySet::default()).await.unwrap();
                    assert!(g.read(|w, _, _| w.bases().count()).await > 0);
                    g
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
