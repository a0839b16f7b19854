//! Fixing a 5,000-line manifest with hundreds of findings, against checking it.
//! Run with `cargo bench --bench fix` (or `make bench`).

use std::time::{Duration, Instant};

use kubeharden::fix::{fix, FixOptions};
use kubeharden::{Engine, Options};

#[allow(dead_code)] // the hardened workload is the throughput bench's
#[path = "workloads.rs"]
mod workloads;
use workloads::{TYPICAL, WORKLOAD};

fn measure(runs: usize, mut f: impl FnMut() -> usize) -> Duration {
    let mut times = Vec::new();
    f();
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f());
        times.push(t.elapsed());
    }
    times.sort();
    times[runs / 2]
}

#[path = "before.rs"]
mod before;

fn main() {
    for (label, workload) in [("dense", WORKLOAD), ("typical", TYPICAL)] {
        run(label, workload);
    }
}

fn run(label: &str, workload: &str) {
    let (text, i) = workloads::stream(workload, 5000);
    let engine = Engine::new(Options::default());
    let report = engine.check_text(&text);
    let options = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let result = fix(&text, &options);
    let check = measure(11, || engine.check_text(&text).findings.len());
    let fixing = measure(11, || fix(&text, &options).applied.len());
    println!(
        "{label} input: {} lines, {} workloads, {} findings; fix applied {} in {} round(s), {} skipped, {} findings left",
        text.lines().count(),
        i,
        report.findings.len(),
        result.applied.len(),
        result.rounds.len(),
        result.skipped.len(),
        result.report.findings.len()
    );
    println!(
        "check: {:>8.2} ms  ({:.1} MB/s)",
        check.as_secs_f64() * 1e3,
        text.len() as f64 / 1e6 / check.as_secs_f64()
    );
    println!(
        "fix:   {:>8.2} ms  ({:.2}x the check)",
        fixing.as_secs_f64() * 1e3,
        fixing.as_secs_f64() / check.as_secs_f64()
    );
    let engine_before = Engine::new(Options::default()).retain_rules(&before::rules());
    let findings_before = engine_before.check_text(&text).findings.len();
    let check_before = measure(11, || engine_before.check_text(&text).findings.len());
    println!(
        "check with the 29 rules of before the bundle engine: {:>8.2} ms  ({:.1} MB/s, {findings_before} findings)",
        check_before.as_secs_f64() * 1e3,
        text.len() as f64 / 1e6 / check_before.as_secs_f64()
    );
}
