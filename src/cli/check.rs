//! `kubeharden check`: read the inputs, run the engine, render, map to an exit status.
//! The engine is called from [`run_check`] and the renderers from [`render`] only.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use kubeharden::render::{human, json, sarif, HumanOptions};
use kubeharden::{Diagnostic, Engine, Options, Report, Severity, Source, Span};

use super::input::{self, Input};
use super::values::{ColorWhen, ReportFormat};
use super::{out, CheckArgs};

/// `kubeharden check`: the exit status (0, 1 at the threshold, 2 on input errors), or a
/// usage error such as "no input".
pub fn run(args: CheckArgs) -> Result<u8, String> {
    let options = args.engine.options();
    let inputs = input::resolve(args.engine.paths)?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let (sources, report) = run_check(&options, &inputs, jobs);
    let color = match args.color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let human_options = HumanOptions {
        color,
        show_suppressed: args.show_suppressed,
    };
    out(&render(
        args.format,
        &report,
        &sources,
        &options,
        human_options,
    ));
    Ok(status(&report, args.severity_threshold))
}

/// Read and check every input, in parallel over `jobs` threads: the sources (in input
/// order; empty text for an input that could not be read) and one sorted report whose
/// `file` indexes are positions in `inputs`. An unreadable input is an error of the
/// report at offset 0 of that file.
pub fn run_check(options: &Options, inputs: &[Input], jobs: usize) -> (Vec<Source>, Report) {
    let engine = Engine::new(*options);
    let max = options.limits.max_input_bytes;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<(Source, Report)>>> =
        Mutex::new(inputs.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(inputs.len()).max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = inputs.get(i) else { break };
                let (name, text) = input::read(input, max);
                let checked = match text {
                    Ok(text) => {
                        let report = engine.check_text(i, &text);
                        (Source::new(name, text), report)
                    }
                    Err(message) => (Source::new(name, String::new()), unreadable(i, message)),
                };
                if let Ok(mut r) = results.lock() {
                    r[i] = Some(checked);
                }
            });
        }
    });
    let mut sources = Vec::with_capacity(inputs.len());
    let mut report = Report::default();
    for (source, r) in results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
    {
        sources.push(source);
        report.extend(r);
    }
    report.sort();
    (sources, report)
}

/// The report of an input that could not be read.
fn unreadable(file: usize, message: String) -> Report {
    let mut report = Report::default();
    report.errors.push(Diagnostic {
        file,
        document: 0,
        message,
        span: Span::empty(0),
    });
    report
}

/// The report as text in the chosen format.
pub fn render(
    format: ReportFormat,
    report: &Report,
    sources: &[Source],
    options: &Options,
    human_options: HumanOptions,
) -> String {
    match format {
        ReportFormat::Human => human(report, sources, human_options),
        ReportFormat::Json => json(report, sources, options),
        ReportFormat::Sarif => sarif(report, sources),
    }
}

/// 2 when an input could not be read or parsed, 1 when an unsuppressed finding reaches
/// `threshold`, else 0.
pub fn status(report: &Report, threshold: Severity) -> u8 {
    if !report.errors.is_empty() {
        2
    } else if report.failing(threshold).next().is_some() {
        1
    } else {
        0
    }
}
