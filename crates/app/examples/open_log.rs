//! Opens a database once and prints how long the replay took: one run, without criterion's
//! repetitions, for a profiler (`valgrind --tool=callgrind`, `perf record`).
//!
//! `cargo run --release -p guohe-app --example open_log -- sqlite://target/bench-data/rebuild-100000.db`

use std::time::Instant;

use guohe_app::Guohe;
use guohe_policy::PolicySet;

/// The allocator the `guohe` binary runs on (crates/cli/src/main.rs): a start-up allocates and
/// frees a few small strings per event, and is measured as it ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let url = std::env::args().nth(1).expect("usage: open_log DATABASE_URL");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let t = Instant::now();
    let (g, bases, from) = rt.block_on(async {
        let g = Guohe::open(&url, PolicySet::default()).await.expect("open");
        let bases = g.read(|w, _, _| w.bases().count()).await;
        let from = g.start_report().from_snapshot;
        (g, bases, from)
    });
    // Timed before the world is dropped: a start-up does not tear it down.
    println!("opened in {:.3?}: {bases} bases, snapshot {from:?}", t.elapsed());
    let t = Instant::now();
    drop(g);
    println!("dropped in {:.3?}", t.elapsed());
}
