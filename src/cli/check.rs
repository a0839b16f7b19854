//! `kubeharden check`: read the inputs, run the engine, render, map to an exit status.
//! The engine is called from [`run_check`] and the renderers from [`render`] only.

use std::io::{IsTerminal, Write};

use kubeharden::render::{
    target_line, write_human_with, write_json_with_target, write_junit, write_sarif_with_target,
    HumanOptions,
};
use kubeharden::support::{target_support, Date, TargetSupport};
use kubeharden::{Catalogue, Engine, Options, Report, Severity, Source};

use super::input::{self, Input, Threads};
use super::values::{ColorWhen, ReportFormat};
use super::CheckArgs;

/// `kubeharden check`: the exit status (0, 1 at the threshold or on an unchecked object
/// with `--fail-on-unchecked`, 2 on input errors), or a
/// usage error such as "no input".
pub fn run(args: CheckArgs) -> Result<u8, String> {
    let (config, _) = super::config::load(&args.engine)?;
    let options = args.engine.options(&config);
    // Custom rules are known only now that the file is read.
    super::values::known_rules(&args.rules, &config.catalogue())?;
    // A rule named with --rule that the profile or version leaves out would make the run
    // pass without having checked it.
    let engine = config.engine_for(options, &args.rules);
    if let Some(off) = args
        .rules
        .iter()
        .find(|id| !engine.rules().any(|r| r.id == **id))
    {
        return Err(format!(
            "rule {off:?} does not run with --profile {} at --kube-version {}: choose --profile all or the version that introduced it",
            options.profile.as_str(),
            options.version
        ));
    }
    let today = today(args.today)?;
    let target = target_support(options.version, today)
        .map_err(|e| format!("policies/data/k8s-releases.yaml: {e}"))?;
    let inputs = super::config::filter(input::resolve(args.engine.paths)?, &config);
    if let Some(out) = args
        .output
        .as_deref()
        .and_then(|p| std::fs::canonicalize(p).ok())
    {
        let is_input = inputs.iter().any(|i| match i {
            input::Input::File(p) | input::Input::Special(p) => {
                std::fs::canonicalize(p).is_ok_and(|p| p == out)
            }
            _ => false,
        });
        if is_input {
            return Err(format!(
                "--output {} is also an input: refusing to overwrite a manifest with the report",
                out.display()
            ));
        }
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let (sources, mut report) = run_check(&engine, &inputs, jobs);
    let mut notes = String::new();
    if let Some(path) = &args.baseline {
        let (suppressed, fixed) = super::baseline::apply(path, &mut report)?;
        notes.push_str(&format!(
            "baseline {}: {suppressed} known finding{} suppressed",
            path.display(),
            if suppressed == 1 { "" } else { "s" }
        ));
        if fixed > 0 {
            notes.push_str(&format!(
                "; {fixed} recorded finding{} no longer found (fixed? write the baseline again to drop {})",
                if fixed == 1 { " is" } else { "s are" },
                if fixed == 1 { "it" } else { "them" }
            ));
        }
        notes.push('\n');
    }
    let threshold = args
        .severity_threshold
        .or(config.severity_threshold.as_ref().map(|s| s.value))
        .unwrap_or(Severity::Info);
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
    // Written as it is rendered: a large report never sits in memory as one string. A
    // closed pipe (`| head`) is not an error.
    // A large buffer: a report of hundreds of megabytes is a few hundred writes, not tens
    // of thousands.
    let catalogue = engine.catalogue();
    if let Some(path) = &args.output {
        let file = std::fs::File::create(path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        render(
            &mut w,
            args.format,
            &report,
            &sources,
            &options,
            &target,
            human_options,
            catalogue,
        )
        .and_then(|()| w.flush())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let terminal_format = if args.output.is_some() {
        ReportFormat::Human
    } else {
        args.format
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let _ = render(
        &mut w,
        terminal_format,
        &report,
        &sources,
        &options,
        &target,
        human_options,
        catalogue,
    )
    .and_then(|()| w.flush());
    if let Some(path) = &args.write_baseline {
        let n = super::baseline::write(path, &report)?;
        notes.push_str(&format!(
            "wrote the baseline {}: {n} finding{}; check with --baseline {} to fail on new ones only\n",
            path.display(),
            if n == 1 { "" } else { "s" },
            path.display()
        ));
    }
    let _ = std::io::stderr().write_all(notes.as_bytes());
    if args.write_baseline.is_some() && report.errors.is_empty() {
        return Ok(0);
    }
    Ok(status(&report, threshold, args.fail_on_unchecked))
}

/// Read every input and check them all as one bundle with `engine`, per-file work over
/// `jobs` threads: the sources (in input order; empty text for an input that could not be
/// read) and one sorted report whose `file` indexes are positions in `inputs`. An
/// unreadable input is an error of the report at offset 0 of that file.
pub fn run_check(engine: &Engine, inputs: &[Input], jobs: usize) -> (Vec<Source>, Report) {
    let options = engine.options();
    let (sources, errors) = input::read_all(inputs, options.limits.max_input_bytes, jobs);
    let mut report = engine.check_spread(&sources, &Threads(jobs));
    // An unreadable input has no text to check: only its read error speaks for it.
    let unreadable: Vec<usize> = errors.iter().map(|e| e.file).collect();
    report.notes.retain(|n| !unreadable.contains(&n.file));
    if !errors.is_empty() {
        report.errors.extend(errors);
        report.sort();
    }
    (sources, report)
}

/// The day the target's support is judged on: `--today`, else `KUBEHARDEN_TODAY`, else the
/// system date in UTC. Errors: a `KUBEHARDEN_TODAY` that is not `YYYY-MM-DD`, a system clock
/// outside years 1..9999.
pub fn today(flag: Option<Date>) -> Result<Date, String> {
    if let Some(d) = flag {
        return Ok(d);
    }
    if let Some(v) = std::env::var_os("KUBEHARDEN_TODAY") {
        let v = v.to_string_lossy();
        return v.parse().map_err(|e| format!("KUBEHARDEN_TODAY: {e}"));
    }
    let secs = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    };
    Date::from_unix_days(secs.div_euclid(86_400)).map_err(|e| format!("the system date: {e}"))
}

/// Write the report in the chosen format; SARIF's rule metadata and the human help come
/// from `catalogue` (the configuration's: its severities and custom rules). `target` is
/// the target version's support status: `summary.target` in JSON; when
/// [`TargetSupport::worth_saying`], a line after the human summary and a tool execution
/// notification in SARIF (JUnit has no place for a run-level message).
#[allow(clippy::too_many_arguments)]
pub fn render(
    mut out: impl Write,
    format: ReportFormat,
    report: &Report,
    sources: &[Source],
    options: &Options,
    target: &TargetSupport,
    human_options: HumanOptions,
    catalogue: &Catalogue,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Human => {
            write_human_with(&mut out, report, sources, human_options, catalogue)?;
            match target_line(target, human_options.color) {
                Some(line) => out.write_all(line.as_bytes()),
                None => Ok(()),
            }
        }
        ReportFormat::Json => write_json_with_target(out, report, sources, options, Some(target)),
        ReportFormat::Sarif => {
            write_sarif_with_target(out, report, sources, catalogue, Some(target))
        }
        ReportFormat::Junit => write_junit(out, report, sources),
    }
}

/// 2 when an input could not be read or parsed, 1 when an unsuppressed finding reaches
/// `threshold` (or, with `fail_on_unchecked`, when an object was not checked, see
/// [`Report::unchecked`], or an input held no object at all: an empty file or stream, as
/// `helm template` prints when every template is disabled), else 0.
pub fn status(report: &Report, threshold: Severity, fail_on_unchecked: bool) -> u8 {
    if !report.errors.is_empty() {
        2
    } else if report.failing(threshold).next().is_some()
        || fail_on_unchecked && (report.unchecked().next().is_some() || holds_nothing(report))
    {
        1
    } else {
        0
    }
}

/// Whether some input of the report yielded no object to check and no note of an object
/// left unchecked (its notes say why: "empty input", or documents that are not objects).
fn holds_nothing(report: &Report) -> bool {
    let mut checked = vec![false; report.files.len()];
    for file in report
        .objects
        .iter()
        .map(|o| o.file)
        .chain(report.unchecked().map(|n| n.file))
    {
        if let Some(c) = checked.get_mut(file) {
            *c = true;
        }
    }
    checked.contains(&false)
}
