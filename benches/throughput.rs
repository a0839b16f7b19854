//! Single-threaded throughput on the concatenated `../shared/corpus` manifests:
//! the bare YAML event parse (the floor) against a full check (parse, model, every
//! rule, JSON out). Run with `cargo bench --bench throughput` (or `make bench`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use granit_parser::{Event, Parser};
use kubeharden::render::json;
use kubeharden::{Engine, Options};

#[path = "before.rs"]
mod before;
#[allow(dead_code)] // the dense workload is the fix bench's
#[path = "workloads.rs"]
mod workloads;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            out.push(p);
        }
    }
}

/// This thread's time on a CPU so far (Linux: `/proc/thread-self/schedstat`, in ns), or
/// `None` where that is not readable.
fn on_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        s.split_whitespace().next()?.parse().ok()?,
    ))
}

/// The best of `runs` calls of `f`, timed on the CPU (the thread's run time, which time
/// spent waiting for a core does not count; wall time where that is not readable): the
/// machine these run on is shared with other builds, and a median of wall times moved by
/// 2x between runs there.
fn measure(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut sink = 0;
    f(); // warm-up
    for _ in 0..runs {
        let (t, c) = (Instant::now(), on_cpu());
        sink ^= f();
        times.push(match (c, on_cpu()) {
            (Some(a), Some(b)) => b - a,
            _ => t.elapsed(),
        });
    }
    times.sort();
    (times[0], sink)
}

fn bare_parse(text: &str) -> usize {
    let mut parser = Parser::new_from_str(text);
    let mut events = 0;
    while let Some(next) = parser.next_event() {
        match next {
            Ok((Event::StreamEnd, _)) => break,
            Ok(_) => events += 1,
            Err(_) => {
                if !matches!(parser.proceed_next_document(), Ok(true)) {
                    break;
                }
            }
        }
    }
    events
}

/// The JSON report written as `kubeharden check --format json` writes it (through a 1 MiB
/// `BufWriter`, src/cli/check.rs), to a sink instead of standard output: what is measured
/// is making the bytes, not a 100 MB `String` growing (that is [`json`]'s business).
fn write_json_as_the_cli(
    report: &kubeharden::Report,
    sources: &[kubeharden::Source],
    options: &Options,
) {
    let w = std::io::BufWriter::with_capacity(1 << 20, std::io::sink());
    let _ = kubeharden::render::write_json(w, report, sources, options);
}

/// The best times of the five cumulative stages on `text`, as one source named `name`:
/// the bare event parse, the span tree, tree + model, check without output, check + JSON.
fn stages(engine: &Engine, name: &str, text: &str, runs: usize) -> [Duration; 5] {
    let limits = kubeharden::yaml::Limits::default();
    let sources = [kubeharden::Source::new(name, text.to_string())];
    let (parse, _) = measure(runs, || bare_parse(text));
    let (tree, _) = measure(runs, || {
        kubeharden::yaml::parse_stream(text, &limits)
            .documents
            .len()
    });
    let (model, _) = measure(runs, || {
        let stream = kubeharden::yaml::parse_stream(text, &limits);
        stream
            .documents
            .iter()
            .map(|d| kubeharden::model::DocumentModel::read(d).objects.len())
            .sum()
    });
    let (check_only, _) = measure(runs, || engine.check(&sources).findings.len());
    let (check, _) = measure(runs, || {
        let report = engine.check(&sources);
        write_json_as_the_cli(&report, &sources, engine.options());
        report.findings.len()
    });
    [parse, tree, model, check_only, check]
}

/// One line per stage: its cumulative time and rate, and what it adds to the stage before.
fn print_stages(mb: f64, t: &[Duration; 5]) {
    let names = [
        "bare event parse",
        "span tree",
        "tree + model",
        "check (no output)",
        "check + JSON",
    ];
    for (i, (name, d)) in names.iter().zip(t).enumerate() {
        let added = if i == 0 {
            String::new()
        } else {
            format!(
                "  (+{:.2} ms)",
                (d.as_secs_f64() - t[i - 1].as_secs_f64()) * 1e3
            )
        };
        println!(
            "  {name:<18} {:>8.2} ms {:>6.1} MB/s  {:>5.2}x the bare parse{added}",
            d.as_secs_f64() * 1e3,
            mb / d.as_secs_f64(),
            d.as_secs_f64() / t[0].as_secs_f64()
        );
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    if paths.is_empty() {
        eprintln!("SKIPPED: {} is absent", root.display());
        return;
    }
    let mut text = String::new();
    for p in &paths {
        if let Ok(t) = std::fs::read_to_string(p) {
            text.push_str("---\n");
            text.push_str(&t);
            text.push('\n');
        }
    }
    let mb = text.len() as f64 / 1e6;
    let runs = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(15);
    let engine = Engine::new(Options::default());
    // `BENCH_PROFILE=corpus|typical|hardened BENCH_RUNS=N`: only N full checks with JSON of that
    // input (written as the check + JSON stage writes it), for a profiler (`perf record`).
    if let Ok(which) = std::env::var("BENCH_PROFILE") {
        let input = match which.as_str() {
            "typical" => workloads::stream(workloads::TYPICAL, 100_000).0,
            "hardened" => {
                let (deployments, _) = workloads::stream(workloads::HARDENED, 100_000);
                format!("{}{deployments}", workloads::HARDENED_NAMESPACE)
            }
            _ => text.clone(),
        };
        let sources = [kubeharden::Source::new(which.as_str(), input)];
        let mut sink = 0;
        // `BENCH_STAGE=parse`: the bare event parse instead (for instruction counts of the
        // two, e.g. `valgrind --tool=cachegrind --cache-sim=no`, less a run of BENCH_RUNS=0).
        let parse_only = std::env::var("BENCH_STAGE").is_ok_and(|s| s == "parse");
        for _ in 0..runs {
            if parse_only {
                sink ^= bare_parse(&sources[0].text);
                continue;
            }
            let report = engine.check(&sources);
            write_json_as_the_cli(&report, &sources, engine.options());
            sink ^= report.findings.len();
        }
        println!("sink {sink}");
        return;
    }
    let sources = [kubeharden::Source::new("corpus", text.clone())];
    let events = bare_parse(&text);
    let report = engine.check(&sources);
    let report_mb = json(&report, &sources, engine.options()).len() as f64 / 1e6;
    println!(
        "best of {runs}, timed {}",
        if on_cpu().is_some() {
            "on the CPU (the thread's run time)"
        } else {
            "by the wall clock"
        }
    );
    println!(
        "the concatenated corpus: {} files, {:.2} MB, {} events, {} findings, a {report_mb:.1} MB JSON report",
        paths.len(),
        mb,
        events,
        report.findings.len()
    );
    print_stages(mb, &stages(&engine, "corpus", &text, runs));
    // Ordinary manifests (issue 16: within 1.5x of the bare event parse): the typical
    // workload of benches/workloads.rs (a Deployment with a pod securityContext, one
    // container with limits, a read-only root filesystem and an emptyDir), numbered
    // web-0, web-1, ... and concatenated until the stream has 100,000 lines.
    let (typical, n) = workloads::stream(workloads::TYPICAL, 100_000);
    let typical_sources = [kubeharden::Source::new("typical", typical.clone())];
    let typical_mb = typical.len() as f64 / 1e6;
    let report = engine.check(&typical_sources);
    let report_mb = json(&report, &typical_sources, engine.options()).len() as f64 / 1e6;
    println!(
        "ordinary Deployments: {n} of them, {typical_mb:.2} MB, {} findings, a {report_mb:.1} MB JSON report",
        report.findings.len()
    );
    print_stages(typical_mb, &stages(&engine, "typical", &typical, runs));
    // Manifests that pass: the hardened workload (no finding under any profile,
    // tests/bench_workloads.rs) after the namespace it stands on, until 100,000 lines. What
    // the engine costs when the report is next to nothing.
    let (deployments, n) = workloads::stream(workloads::HARDENED, 100_000);
    let hardened = format!("{}{deployments}", workloads::HARDENED_NAMESPACE);
    let hardened_sources = [kubeharden::Source::new("hardened", hardened.clone())];
    let report = engine.check(&hardened_sources);
    println!(
        "hardened Deployments: {n} of them, {:.2} MB, {} findings",
        hardened.len() as f64 / 1e6,
        report.findings.len()
    );
    print_stages(
        hardened.len() as f64 / 1e6,
        &stages(&engine, "hardened", &hardened, runs),
    );
    let rate = |d: Duration| mb / d.as_secs_f64();
    // The same work with only the 29 rules the catalogue had before the whole-bundle
    // engine (commit e4b565d): the architecture's cost against the old code on equal terms.
    let engine_before = Engine::new(Options::default()).retain_rules(&before::rules());
    let (check_before, findings_before) = measure(runs, || {
        let report = engine_before.check(&sources);
        json(&report, &sources, engine_before.options()).len() + report.findings.len()
    });
    let (check_only_before, _) = measure(runs, || engine_before.check(&sources).findings.len());
    println!(
        "the 29 rules of before the bundle engine, corpus: check {:.2} ms ({:.1} MB/s), check+JSON {:.2} ms ({:.1} MB/s) (sink {findings_before})",
        check_only_before.as_secs_f64() * 1e3,
        rate(check_only_before),
        check_before.as_secs_f64() * 1e3,
        rate(check_before),
    );
}
