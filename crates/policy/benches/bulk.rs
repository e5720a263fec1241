//! 批量核查 — throughput of the bulk check (`eval::bulk`) over 100,000 different applications
//! per shipped policy, on one core, beside the traced check (`evaluate`) over the same
//! applications as the reference, in the same run. Prints both figures and their ratio.
//!
//! Target: at least 2,000,000 checks per second for a policy's complete eligibility rules.
//! A "check" is one application against every eligibility rule of its policy, verdict and
//! per-rule statuses. Parsing and preparing the applications, and laying them out, are timed
//! and printed separately: they happen once per application, not once per check.
//!
//! Rates are per second of the thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), so that other work
//! on a shared machine does not count against the check; the wall-clock rates are printed beside
//! them. The traced check runs once, the bulk check five times (`GUOHE_BULK_PASSES`) and keeps its
//! best pass.
//!
//! `cargo bench -p guohe-policy --bench bulk` (set `GUOHE_BULK_N` for another count,
//! `GUOHE_BULK_POLICY` to run one policy only, e.g. under a profiler).

use std::hint::black_box;
use std::time::Instant;

/// CPU time of this thread: on a busy machine, the time the check actually ran on its core.
fn thread_cpu() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

use guohe_policy::eval::bulk::BulkPolicy;
use guohe_policy::sample::Variants;
use guohe_policy::{Application, Verdict, builtin_policy, eval::Prepared, evaluate};

const HUNAN: &str = include_str!("../../../examples/applications/hunan-joint-research.json");
const HUBEI: &str = include_str!("../../../examples/applications/hubei-enterprise.json");
const FULL: &str = include_str!("../tests/fixtures/full-application.json");

fn main() {
    let n: usize = std::env::var("GUOHE_BULK_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let passes: usize = std::env::var("GUOHE_BULK_PASSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    println!("bulk eligibility check, {n} different applications per policy, one thread");
    let only = std::env::var("GUOHE_BULK_POLICY").ok();
    for (id, sources) in [("hubei-2022", [HUBEI, FULL]), ("hunan-2026", [HUNAN, FULL])] {
        if only.as_deref().is_some_and(|o| o != id) {
            continue;
        }
        let policy = builtin_policy(id).expect("shipped policy");
        let t = Instant::now();
        let prepared: Vec<Prepared> = Variants::new(policy, &sources, 7)
            .filter_map(|v| Application::parse(&v.to_string()).ok())
            .filter_map(|a| Prepared::new(policy, a, None).ok())
            .take(n)
            .collect();
        let prepare = t.elapsed();
        let t = Instant::now();
        let bulk = BulkPolicy::compile(policy).expect("compiles");
        let batch = bulk.batch(prepared.iter());
        let layout = t.elapsed();
        let as_of = guohe_policy::valid_until(policy);

        // The reference: the traced check, once over every application.
        let (t, c) = (Instant::now(), thread_cpu());
        let mut traced = [0usize; 3];
        for p in &prepared {
            if let Ok(e) = evaluate(policy, black_box(p), as_of) {
                traced[e.verdict as usize] += 1;
            }
        }
        let (traced_wall, traced_cpu) = (t.elapsed().as_secs_f64(), thread_cpu() - c);

        // The bulk check: the best of five passes.
        let mut statuses = Vec::new();
        let (mut wall, mut cpu) = (f64::MAX, f64::MAX);
        let mut counts = [0usize; 3];
        for _ in 0..passes {
            counts = [0; 3];
            let (t, c) = (Instant::now(), thread_cpu());
            for v in bulk
                .check_all(black_box(&batch), as_of, &mut statuses)
                .into_iter()
                .flatten()
            {
                counts[v as usize] += 1;
            }
            wall = wall.min(t.elapsed().as_secs_f64());
            cpu = cpu.min(thread_cpu() - c);
        }
        assert_eq!(counts, traced, "the bulk and traced checks disagree on verdict counts");
        let (bulk_rate, traced_rate) = (n as f64 / cpu, n as f64 / traced_cpu);
        println!("\n{id}: {} rules", policy.eligibility.len());
        println!(
            "  generate + parse + prepare {:>7.1} µs per application (once)",
            prepare.as_secs_f64() * 1e6 / n as f64
        );
        println!(
            "  compile + lay out {:>10.2} µs per application (once)",
            layout.as_secs_f64() * 1e6 / n as f64
        );
        println!(
            "  traced check      {traced_rate:>12.0} checks/s  ({:.3} µs each; wall clock {:.0}/s)",
            1e6 / traced_rate,
            n as f64 / traced_wall
        );
        println!(
            "  bulk check        {bulk_rate:>12.0} checks/s  ({:.3} µs each; wall clock {:.0}/s)",
            1e6 / bulk_rate,
            n as f64 / wall
        );
        println!("  ratio bulk/traced {:>12.1}×", bulk_rate / traced_rate);
        println!(
            "  verdicts          eligible {} · needs review {} · ineligible {} · no verdict {}",
            counts[Verdict::Eligible as usize],
            counts[Verdict::NeedsReview as usize],
            counts[Verdict::Ineligible as usize],
            n - counts.iter().sum::<usize>()
        );
        println!(
            "  target 2,000,000 checks/s: {}",
            if bulk_rate >= 2_000_000.0 { "met" } else { "NOT met" }
        );
        if std::env::var_os("GUOHE_BULK_RULES").is_some() {
            rule_by_rule(policy, &prepared, as_of, passes);
        }
    }
}

/// Where a check's time goes: each eligibility rule compiled alone and run over every
/// application (`GUOHE_BULK_RULES=1`). Rows a rule finds incomplete stop there in the full
/// check, so the figures add up to a little more than the full check's.
fn rule_by_rule(policy: &guohe_policy::Policy, prepared: &[Prepared], as_of: chrono::NaiveDate, passes: usize) {
    println!("  rule by rule (ns per application, best of {passes}):");
    let mut statuses = Vec::new();
    for rule in &policy.eligibility {
        let mut one = policy.clone();
        one.eligibility = vec![rule.clone()];
        let bulk = BulkPolicy::compile(&one).expect("compiles");
        let batch = bulk.batch(prepared.iter());
        let mut best = f64::MAX;
        for _ in 0..passes {
            let c = thread_cpu();
            black_box(bulk.check_all(black_box(&batch), as_of, &mut statuses));
            best = best.min(thread_cpu() - c);
        }
        println!("    {:>8.1}  {}", best * 1e9 / prepared.len() as f64, rule.id);
    }
}
