//! Throughput of a complete eligibility check with its full trace, on a realistic application
//! for each policy. Target: ≥ 200,000 checks per second on one core (≤ 5 µs per check).

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use guohe_policy::{Application, builtin_policy, eval::Prepared, evaluate};

fn bench(c: &mut Criterion) {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    for (name, text) in [
        (
            "hunan-2026 joint research enterprise",
            include_str!("../../../examples/applications/hunan-joint-research.json"),
        ),
        (
            "hubei-2022 enterprise",
            include_str!("../../../examples/applications/hubei-enterprise.json"),
        ),
    ] {
        let app = Application::parse(text).unwrap();
        let policy = builtin_policy(&app.policy).unwrap();
        let prepared = Prepared::new(policy, app, None).unwrap();
        let mut group = c.benchmark_group("evaluate");
        group.throughput(Throughput::Elements(1));
        group.bench_function(name, |b| {
            b.iter(|| {
                let e = evaluate(black_box(policy), black_box(&prepared), as_of).unwrap();
                black_box(e.findings.len())
            })
        });
        group.bench_function(format!("{name} + rendered report"), |b| {
            b.iter(|| black_box(evaluate(policy, &prepared, as_of).unwrap().report()))
        });
        group.finish();
        c.bench_function(&format!("parse + prepare: {name}"), |b| {
            b.iter(|| {
                let app = Application::parse(black_box(text)).unwrap();
                black_box(Prepared::new(policy, app, None).unwrap())
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
