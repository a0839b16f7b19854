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

/// Median wall time of `runs` calls of `f`.
fn measure(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut sink = 0;
    f(); // warm-up
    for _ in 0..runs {
        let t = Instant::now();
        sink ^= f();
        times.push(t.elapsed());
    }
    times.sort();
    (times[runs / 2], sink)
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
    let runs = 15;
    let engine = Engine::new(Options::default());
    let sources = [kubeharden::Source::new("corpus", text.clone())];
    let (parse, events) = measure(runs, || bare_parse(&text));
    let (check, findings) = measure(runs, || {
        let report = engine.check(&sources);
        json(&report, &sources, engine.options()).len() + report.findings.len()
    });
    let limits = kubeharden::yaml::Limits::default();
    let (tree, _) = measure(runs, || {
        kubeharden::yaml::parse_stream(&text, &limits)
            .documents
            .len()
    });
    let (model, _) = measure(runs, || {
        let stream = kubeharden::yaml::parse_stream(&text, &limits);
        stream
            .documents
            .iter()
            .map(|d| kubeharden::model::DocumentModel::read(d).objects.len())
            .sum()
    });
    let (check_only, _) = measure(runs, || engine.check(&sources).findings.len());
    // The same work with only the 29 rules the catalogue had before the whole-bundle
    // engine (commit e4b565d): the architecture's cost against the old code on equal terms.
    let engine_before = Engine::new(Options::default()).retain_rules(&before::rules());
    let (check_before, findings_before) = measure(runs, || {
        let report = engine_before.check(&sources);
        json(&report, &sources, engine_before.options()).len() + report.findings.len()
    });
    let (check_only_before, _) = measure(runs, || engine_before.check(&sources).findings.len());
    let report = engine.check(&sources);
    let rate = |d: Duration| mb / d.as_secs_f64();
    let report_mb = json(&report, &sources, engine.options()).len() as f64 / 1e6;
    println!(
        "input: {} files, {:.2} MB, {} events, {} findings, a {report_mb:.1} MB JSON report (sink {findings})",
        paths.len(),
        mb,
        events,
        report.findings.len()
    );
    println!(
        "bare event parse: {:>8.2} ms  {:>6.1} MB/s",
        parse.as_secs_f64() * 1e3,
        rate(parse)
    );
    println!(
        "span tree:        {:>8.2} ms  {:>6.1} MB/s",
        tree.as_secs_f64() * 1e3,
        rate(tree)
    );
    println!(
        "tree + model:     {:>8.2} ms  {:>6.1} MB/s",
        model.as_secs_f64() * 1e3,
        rate(model)
    );
    println!(
        "check (no output): {:>7.2} ms  {:>6.1} MB/s",
        check_only.as_secs_f64() * 1e3,
        rate(check_only)
    );
    println!(
        "full check+JSON:  {:>8.2} ms  {:>6.1} MB/s  ({:.2}x the bare parse)",
        check.as_secs_f64() * 1e3,
        rate(check),
        check.as_secs_f64() / parse.as_secs_f64()
    );
    println!(
        "the 29 rules of before the bundle engine: check {:.2} ms ({:.1} MB/s), check+JSON {:.2} ms ({:.1} MB/s) (sink {findings_before})",
        check_only_before.as_secs_f64() * 1e3,
        rate(check_only_before),
        check_before.as_secs_f64() * 1e3,
        rate(check_before),
    );
    // Ordinary manifests (issue 16: within 1.5x of the bare event parse): the typical
    // stream of mostly hardened Deployments of the fix bench.
    let (typical, _) = workloads::stream(workloads::TYPICAL, 5000);
    let typical_sources = [kubeharden::Source::new("typical", typical.clone())];
    let (typical_parse, _) = measure(runs, || bare_parse(&typical));
    let (typical_check, _) = measure(runs, || {
        let report = engine.check(&typical_sources);
        json(&report, &typical_sources, engine.options()).len() + report.findings.len()
    });
    let typical_mb = typical.len() as f64 / 1e6;
    println!(
        "ordinary Deployments ({:.2} MB): bare event parse {:.2} ms ({:.1} MB/s), full check+JSON {:.2} ms ({:.1} MB/s, {:.2}x the bare parse)",
        typical_mb,
        typical_parse.as_secs_f64() * 1e3,
        typical_mb / typical_parse.as_secs_f64(),
        typical_check.as_secs_f64() * 1e3,
        typical_mb / typical_check.as_secs_f64(),
        typical_check.as_secs_f64() / typical_parse.as_secs_f64()
    );
}
