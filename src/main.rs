//! The `kubeharden` command line: a thin edge over the library. It reads files (in
//! parallel), runs the engine, renders, and maps the result to an exit code.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use kubeharden::render::{human, write_json, write_sarif, HumanOptions};
use kubeharden::{Catalogue, Diagnostic, Engine, Options, Report, Severity, Source, Span, Spread};

const USAGE: &str = "\
kubeharden — Kubernetes manifest security checker

USAGE:
        kubeharden check [OPTIONS] [PATH...|-]
    kubeharden fix [--unsafe] [--diff | --write] [--profile P] [--kube-version V] [PATH...|-]
    kubeharden rules [--format human|json|markdown]
    kubeharden explain RULE
    kubeharden --version | --help

check reads files, directories (recursively: *.yaml, *.yml, *.json; hidden folders
are skipped) or - for standard input (the default when input is piped).

OPTIONS (check):
    --format human|json|sarif     output format [default: human]
    --profile baseline|restricted|all
                                  baseline: PSS baseline checks; restricted: baseline and
                                  restricted checks; all: every rule [default: all]
    --kube-version 1.NN|v1.NN     target Kubernetes version [default: latest, v1.37]
    --severity-threshold LEVEL    exit 1 when an unsuppressed finding is at least LEVEL:
                                  critical, high, medium, low, info [default: info]
    --max-input-size BYTES        refuse larger inputs [default: 33554432 (32 MiB)]
    --show-suppressed             also print suppressed findings (human format)
    --color auto|always|never     colour in human output [default: auto]
    -j, --jobs N                  files checked in parallel [default: number of cores]

EXIT STATUS (check):
    0  no finding reaches the threshold
    1  a finding reaches the threshold
    2  usage error, or input that could not be read

fix writes the hardened text: the input with the fewest edits that fix its findings,
comments and formatting kept. Safe fixes only, unless --unsafe (hardening that may
change behaviour: dropping capabilities, forcing a non-root user, ...).
    (one input, no flag)          print the hardened text to standard output
    --diff                        print a unified diff instead
    --write                       rewrite the files in place (atomically)
    --rule RULE                   fix only this rule (repeatable)
EXIT STATUS (fix):
    0  no finding remains
    1  findings remain (no automatic fix, unsafe without --unsafe, or skipped)
    2  usage error, or input that could not be read or fixed
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            let _ = writeln!(
                std::io::stderr(),
                "kubeharden: {message}\n(see kubeharden --help)"
            );
            ExitCode::from(2)
        }
    }
}

fn out(text: &str) {
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn run(args: &[String]) -> Result<u8, String> {
    match args.first().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => {
            out(USAGE);
            Ok(0)
        }
        Some("-V" | "--version") => {
            out(&format!("kubeharden {}\n", env!("CARGO_PKG_VERSION")));
            Ok(0)
        }
        Some("check") => check(&args[1..]),
        Some("fix") => fix(&args[1..]),
        Some("rules") => rules(&args[1..]),
        Some("explain") => explain(&args[1..]),
        Some(other) => Err(format!("unknown command {other:?}")),
    }
}

/// Take the value of an option given as `--opt value` or `--opt=value`.
fn value<'a>(args: &'a [String], i: &mut usize, name: &str) -> Result<&'a str, String> {
    let arg = &args[*i];
    if let Some(v) = arg.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
        return Ok(v);
    }
    *i += 1;
    args.get(*i)
        .map(String::as_str)
        .ok_or_else(|| format!("{name} needs a value"))
}

fn matches(arg: &str, name: &str) -> bool {
    arg == name || arg.starts_with(&format!("{name}="))
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Human,
    Json,
    Sarif,
}

fn check(args: &[String]) -> Result<u8, String> {
    let mut options = Options::default();
    let mut format = Format::Human;
    let mut threshold = Severity::Info;
    let mut color = None;
    let mut show_suppressed = false;
    let mut jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut paths = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        if matches(arg, "--format") {
            format = match value(args, &mut i, "--format")? {
                "human" => Format::Human,
                "json" => Format::Json,
                "sarif" => Format::Sarif,
                f => {
                    return Err(format!(
                        "unknown format {f:?}: expected human, json or sarif"
                    ))
                }
            };
        } else if matches(arg, "--severity-threshold") {
            threshold = value(args, &mut i, "--severity-threshold")?.parse()?;
        } else if matches(arg, "--color") {
            color = match value(args, &mut i, "--color")? {
                "auto" => None,
                "always" => Some(true),
                "never" => Some(false),
                c => {
                    return Err(format!(
                        "unknown --color {c:?}: expected auto, always or never"
                    ))
                }
            };
        } else if matches(arg, "--jobs") || arg == "-j" {
            let name = if arg == "-j" { "-j" } else { "--jobs" };
            let v = value(args, &mut i, name)?;
            jobs = v
                .parse()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| format!("{name} takes a positive number, not {v:?}"))?;
        } else if arg == "--show-suppressed" {
            show_suppressed = true;
        } else if let Common::Help = common_option(args, &mut i, &mut options, &mut paths)? {
            out(USAGE);
            return Ok(0);
        }
        i += 1;
    }
    let inputs = inputs(paths)?;
    let engine = Engine::new(options);
    let (sources, report) = check_inputs(&engine, &inputs, jobs);
    let text = match format {
        Format::Human => {
            let color = color.unwrap_or_else(|| {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            });
            human(
                &report,
                &sources,
                HumanOptions {
                    color,
                    show_suppressed,
                },
            )
        }
        // Machine formats are written as they are produced: a large report never sits
        // in memory as one string. A closed pipe (`| head`) is not an error.
        Format::Json | Format::Sarif => {
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            let written = match format {
                Format::Json => write_json(&mut w, &report, &sources, engine.options()),
                _ => write_sarif(&mut w, &report, &sources),
            };
            let _ = written.and_then(|()| w.flush());
            String::new()
        }
    };
    out(&text);
    Ok(if !report.errors.is_empty() {
        2
    } else if report.failing(threshold).next().is_some() {
        1
    } else {
        0
    })
}

enum Common {
    Consumed,
    Help,
}

/// Options `check` and `fix` share, and input paths; anything else is an error.
fn common_option(
    args: &[String],
    i: &mut usize,
    options: &mut Options,
    paths: &mut Vec<String>,
) -> Result<Common, String> {
    let arg = args[*i].as_str();
    if matches(arg, "--profile") {
        options.profile = value(args, i, "--profile")?.parse()?;
    } else if matches(arg, "--kube-version") {
        options.version = value(args, i, "--kube-version")?.parse()?;
    } else if matches(arg, "--max-input-size") {
        let v = value(args, i, "--max-input-size")?;
        options.limits.max_input_bytes = v
            .parse()
            .map_err(|_| format!("--max-input-size takes a number of bytes, not {v:?}"))?;
    } else if arg == "-h" || arg == "--help" {
        return Ok(Common::Help);
    } else if arg.starts_with("--") || (arg.starts_with('-') && arg != "-") {
        return Err(format!("unknown option {arg:?}"));
    } else {
        paths.push(arg.to_string());
    }
    Ok(Common::Consumed)
}

/// The inputs named, or standard input when nothing is named and it is piped.
fn inputs(mut paths: Vec<String>) -> Result<Vec<Input>, String> {
    if paths.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err("no input: give files, directories, or - for standard input".into());
        }
        paths.push("-".into());
    }
    collect_inputs(&paths)
}

enum Input {
    Stdin,
    File(PathBuf),
}

/// Expand directories into their manifest files, in a stable order.
fn collect_inputs(paths: &[String]) -> Result<Vec<Input>, String> {
    let mut inputs = Vec::new();
    for p in paths {
        if p == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = Path::new(p);
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {p}: {e}"))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found).map_err(|e| format!("cannot read directory {p}: {e}"))?;
            found.sort();
            inputs.extend(found.into_iter().map(Input::File));
        } else {
            inputs.push(Input::File(path.to_path_buf()));
        }
    }
    Ok(inputs)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let hidden = name.to_string_lossy().starts_with('.');
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if !hidden {
                walk(&path, out)?;
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// An input's name and its text, or why it could not be read (and the byte offset).
type ReadInput = (String, Result<String, (String, usize)>);

/// Read an input, refusing what is too large or not UTF-8.
fn read(input: &Input, max: usize) -> ReadInput {
    let (name, bytes) = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            let r = std::io::stdin()
                .lock()
                .take(max as u64 + 1)
                .read_to_end(&mut buf);
            ("-".to_string(), r.map(|_| buf))
        }
        Input::File(path) => {
            let name = path.display().to_string();
            let too_big = std::fs::metadata(path)
                .map(|m| m.len() > max as u64)
                .unwrap_or(false);
            if too_big {
                let message = format!("input is larger than the limit of {max} bytes (raise it with --max-input-size)");
                return (name, Err((message, 0)));
            }
            (name, std::fs::read(path))
        }
    };
    match bytes {
        Err(e) => (name, Err((format!("cannot read: {e}"), 0))),
        Ok(b) if b.len() > max => (name, Err((format!("input is larger than the limit of {max} bytes (raise it with --max-input-size)"), 0))),
        Ok(b) => match String::from_utf8(b) {
            Ok(text) => (name, Ok(text)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                (name, Err((format!("not UTF-8 text: invalid byte at offset {at}"), at)))
            }
        },
    }
}

/// Spreads the engine's per-file work over `.0` threads.
struct Threads(usize);

impl Spread for Threads {
    fn each(&self, count: usize, job: &(dyn Fn(usize) + Sync)) {
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..self.0.min(count).max(1) {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    job(i);
                });
            }
        });
    }
}

/// Read every input (in parallel): the readable ones as sources, the others as errors
/// (`file` indexes the returned sources, where an unreadable input has empty text).
fn read_inputs(inputs: &[Input], max: usize, jobs: usize) -> (Vec<Source>, Vec<Diagnostic>) {
    let slots: Vec<Mutex<Option<ReadInput>>> = inputs.iter().map(|_| Mutex::new(None)).collect();
    Threads(jobs).each(inputs.len(), &|i| {
        let read = read(&inputs[i], max);
        if let Ok(mut slot) = slots[i].lock() {
            *slot = Some(read);
        }
    });
    let mut sources = Vec::with_capacity(inputs.len());
    let mut errors = Vec::new();
    for (file, slot) in slots.into_iter().enumerate() {
        let Some((name, text)) = slot.into_inner().ok().flatten() else {
            continue;
        };
        match text {
            Ok(text) => sources.push(Source::new(name, text)),
            Err((message, _)) => {
                errors.push(Diagnostic {
                    file,
                    document: 0,
                    message,
                    span: Span::empty(0),
                });
                sources.push(Source::new(name, String::new()));
            }
        }
    }
    (sources, errors)
}

/// Read every input and check them all as one bundle, per-file work over `jobs` threads.
fn check_inputs(engine: &Engine, inputs: &[Input], jobs: usize) -> (Vec<Source>, Report) {
    let max = engine.options().limits.max_input_bytes;
    let (sources, errors) = read_inputs(inputs, max, jobs);
    let unreadable: Vec<usize> = errors.iter().map(|e| e.file).collect();
    let mut report = engine.check_spread(&sources, &Threads(jobs));
    // An unreadable input has no text to check: only its read error speaks for it.
    report.notes.retain(|n| !unreadable.contains(&n.file));
    report.errors.extend(errors);
    report.sort();
    (sources, report)
}

fn rules(args: &[String]) -> Result<u8, String> {
    let catalogue = Catalogue::builtin();
    let mut format = "human";
    let mut i = 0;
    while i < args.len() {
        if matches(&args[i], "--format") {
            format = value(args, &mut i, "--format")?;
        } else {
            return Err(format!("unexpected argument {:?}", args[i]));
        }
        i += 1;
    }
    match format {
        "json" => {
            let list: Vec<serde_json::Value> = catalogue.rules.iter().map(rule_json).collect();
            out(&(serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"));
        }
        "human" => {
            let mut text = format!(
                "{:<28} {:<9} {:<9} {:<40} TITLE\n",
                "ID", "SEVERITY", "AREA", "PSS"
            );
            for r in &catalogue.rules {
                let pss = r.pss.as_ref().map_or("-".to_string(), |p| {
                    format!("{} {} (v1.{}+)", p.level.as_str(), p.check, p.since.minor)
                });
                text.push_str(&format!(
                    "{:<28} {:<9} {:<9} {:<40} {}\n",
                    r.id,
                    r.severity,
                    r.area.as_str(),
                    pss,
                    r.title
                ));
            }
            out(&text);
        }
        "markdown" => out(&rules_markdown(catalogue)),
        f => {
            return Err(format!(
                "unknown format {f:?}: expected human, json or markdown"
            ))
        }
    }
    Ok(0)
}

/// The catalogue as the Markdown page `docs/rules.md` (kept current by a test).
fn rules_markdown(catalogue: &Catalogue) -> String {
    let mut text = String::from(
        "# Rule catalogue\n\nGenerated by `kubeharden rules --format markdown` from [`policies/`](../policies). \
         Each rule is a data file that instantiates a template written in Rust \
         ([`src/rules/`](../src/rules)).\n\n\
         | Rule | Severity | Area | Pod Security Standards | Title |\n|---|---|---|---|---|\n",
    );
    for r in &catalogue.rules {
        let pss = r.pss.as_ref().map_or("—".to_string(), |p| {
            format!("{} `{}` (from {})", p.level.as_str(), p.check, p.since)
        });
        text.push_str(&format!(
            "| [`{}`](#{}) | {} | {} | {} | {} |\n",
            r.id,
            r.id,
            r.severity,
            r.area.as_str(),
            pss,
            r.title
        ));
    }
    for r in &catalogue.rules {
        text.push_str(&format!(
            "\n## {}\n\n**{}** — severity {}, area {}, template `{}`",
            r.id,
            r.title,
            r.severity,
            r.area.as_str(),
            r.template
        ));
        if let Some(p) = &r.pss {
            text.push_str(&format!(
                ", Pod Security Standards {} check `{}` from {}",
                p.level.as_str(),
                p.check,
                p.since
            ));
        }
        text.push_str(&format!(
            ".\n\n{}\n\n**Fix:** {}\n",
            r.rationale, r.remediation
        ));
        if let Some((heading, body)) = r.fix.as_ref().map(|f| f.describe()) {
            text.push_str(&format!("\n**{heading}:** {body}\n"));
        }
        if !r.sources.is_empty() {
            let sources: Vec<String> = r
                .sources
                .iter()
                .map(|(s, c)| format!("{s} `{c}`"))
                .collect();
            text.push_str(&format!(
                "\n**Equivalent checks:** {}\n",
                sources.join(" · ")
            ));
        }
        text.push_str("\n**References:**\n");
        for reference in &r.references {
            text.push_str(&format!("- <{reference}>\n"));
        }
    }
    text
}

fn rule_json(r: &kubeharden::Rule) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "title": r.title,
        "severity": r.severity.as_str(),
        "area": r.area.as_str(),
        "template": r.template,
        "params": r.params,
        "pss": r.pss.as_ref().map(|p| serde_json::json!({"level": p.level.as_str(), "check": p.check, "since": p.since.to_string(), "overrides": p.overrides})),
        "sources": r.sources.iter().map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str()))).collect::<serde_json::Map<_, _>>(),
        "fix": match &r.fix {
            Some(kubeharden::catalogue::FixPolicy::Available { applicability, reason }) => serde_json::json!({"applicability": applicability.as_str(), "reason": reason}),
            Some(kubeharden::catalogue::FixPolicy::None { guidance }) => serde_json::json!({"guidance": guidance}),
            None => serde_json::Value::Null,
        },
        "rationale": r.rationale,
        "remediation": r.remediation,
        "references": r.references,
    })
}

fn explain(args: &[String]) -> Result<u8, String> {
    let [id] = args else {
        return Err("explain takes one rule id (see kubeharden rules)".into());
    };
    let catalogue = Catalogue::builtin();
    let Some(r) = catalogue.get(id) else {
        return Err(format!("unknown rule {id:?} (see kubeharden rules)"));
    };
    let mut text = format!("{} — {}\n\n", r.id, r.title);
    text.push_str(&format!(
        "severity: {}    area: {}    template: {}",
        r.severity,
        r.area.as_str(),
        r.template
    ));
    if let Some(t) = kubeharden::rules::template(&r.template) {
        text.push_str(&format!(" ({})", t.summary));
    }
    text.push('\n');
    if let Some(p) = &r.pss {
        text.push_str(&format!(
            "Pod Security Standards: {} level, check {}, from {}\n",
            p.level.as_str(),
            p.check,
            p.since
        ));
    }
    text.push_str(&format!(
        "\nWhy it matters\n  {}\n\nHow to fix\n  {}\n",
        r.rationale, r.remediation
    ));
    if let Some((heading, body)) = r.fix.as_ref().map(|f| f.describe()) {
        text.push_str(&format!("\n{heading}\n  {body}\n"));
    }
    if let Some(kubeharden::catalogue::FixPolicy::Available { applicability, .. }) = &r.fix {
        let flag = if *applicability == kubeharden::Applicability::Unsafe {
            " --unsafe"
        } else {
            ""
        };
        text.push_str(&format!("  Apply it with `kubeharden fix{flag}`.\n"));
    }
    if !r.sources.is_empty() {
        text.push_str("\nEquivalent checks\n");
        for (scanner, check) in &r.sources {
            text.push_str(&format!("  {scanner}: {check}\n"));
        }
    }
    text.push_str("\nReferences\n");
    for reference in &r.references {
        text.push_str(&format!("  {reference}\n"));
    }
    text.push_str(&format!("\nSuppress on an object with the annotation\n  ignore.kubeharden.io/{}: \"<why the risk is accepted>\"\n", r.id));
    out(&text);
    Ok(0)
}

#[derive(Clone, Copy, PartialEq)]
enum FixOutput {
    Stdout,
    Diff,
    Write,
}

fn fix(args: &[String]) -> Result<u8, String> {
    let mut options = kubeharden::fix::FixOptions::default();
    let mut output = FixOutput::Stdout;
    let mut paths = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        if arg == "--unsafe" {
            options.unsafe_fixes = true;
        } else if arg == "--diff" || arg == "--write" {
            let wanted = if arg == "--diff" {
                FixOutput::Diff
            } else {
                FixOutput::Write
            };
            if output != FixOutput::Stdout && output != wanted {
                return Err("--diff and --write exclude each other".into());
            }
            output = wanted;
        } else if matches(arg, "--rule") {
            let id = value(args, &mut i, "--rule")?;
            if Catalogue::builtin().get(id).is_none() {
                return Err(format!("unknown rule {id:?} (see kubeharden rules)"));
            }
            options
                .rules
                .get_or_insert_with(Vec::new)
                .push(id.to_string());
        } else if let Common::Help = common_option(args, &mut i, &mut options.check, &mut paths)? {
            out(USAGE);
            return Ok(0);
        }
        i += 1;
    }
    let inputs = inputs(paths)?;
    if output == FixOutput::Stdout && inputs.len() != 1 {
        return Err(format!(
            "{} inputs: use --diff or --write to fix more than one",
            inputs.len()
        ));
    }
    if output == FixOutput::Write && inputs.iter().any(|i| matches!(i, Input::Stdin)) {
        return Err("--write cannot rewrite standard input".into());
    }
    let max = options.check.limits.max_input_bytes;
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut status = 0;
    let mut text_out = String::new();
    let mut notes = String::new();
    let (read_sources, read_errors) = read_inputs(&inputs, max, jobs);
    for e in &read_errors {
        notes.push_str(&format!(
            "error: {}: {}\n",
            read_sources[e.file].name, e.message
        ));
        status = 2;
    }
    // The readable inputs are one bundle, fixed together as `check` sees them.
    let unreadable: Vec<usize> = read_errors.iter().map(|e| e.file).collect();
    let (kept, sources): (Vec<usize>, Vec<Source>) = read_sources
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !unreadable.contains(i))
        .unzip();
    let result = kubeharden::fix::fix_bundle(&sources, &options);
    for e in &result.report.errors {
        let source = &sources[e.file];
        let p = kubeharden::LineIndex::new(&source.text).position(&source.text, e.span.start);
        notes.push_str(&format!(
            "error: {}:{}:{}: {} (that document was left as it is)\n",
            source.name, p.line, p.column, e.message
        ));
        status = 2;
    }
    for (file, (original, fixed)) in sources.iter().zip(&result.sources).enumerate() {
        let name = &original.name;
        for s in result.skipped.iter().filter(|s| s.file == file) {
            notes.push_str(&format!(
                "skipped: {name}: {} at {}: {}\n",
                s.rule,
                s.path,
                s.reason.as_deref().unwrap_or("")
            ));
        }
        let applied = result.applied.iter().filter(|a| a.file == file).count();
        let skipped = result.skipped.iter().filter(|s| s.file == file).count();
        let remaining = result
            .report
            .findings
            .iter()
            .filter(|f| f.file == file && f.suppressed.is_none())
            .count();
        notes.push_str(&format!(
            "{name}: {applied} fixed, {skipped} skipped, {remaining} remaining\n"
        ));
        if remaining > 0 && status == 0 {
            status = 1;
        }
        let input = &inputs[kept[file]];
        match output {
            FixOutput::Stdout => text_out.push_str(&fixed.text),
            FixOutput::Diff => {
                let (a, b) = if name.starts_with('/') || name == "-" {
                    (name.clone(), format!("{name} (hardened)"))
                } else {
                    (format!("a/{name}"), format!("b/{name}"))
                };
                text_out.push_str(&kubeharden::render::unified_diff(
                    &original.text,
                    &fixed.text,
                    &a,
                    &b,
                ));
            }
            FixOutput::Write if fixed.text != original.text => {
                if let (Input::File(path), Err(e)) =
                    (input, write_atomically_checked(input, &fixed.text))
                {
                    notes.push_str(&format!(
                        "error: cannot write {}: {e} (the file is unchanged)\n",
                        path.display()
                    ));
                    status = 2;
                }
            }
            FixOutput::Write => {}
        }
    }
    out(&text_out);
    let _ = std::io::stderr().write_all(notes.as_bytes());
    Ok(status)
}

fn write_atomically_checked(input: &Input, text: &str) -> std::io::Result<()> {
    match input {
        Input::File(path) => write_atomically(path, text),
        Input::Stdin => Ok(()),
    }
}

/// Write `text` to `path` through a temporary file in the same folder and a rename, so
/// the original is either fully replaced or untouched; its permissions are kept.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.kubeharden-{}.tmp", std::process::id()));
    let result = (|| {
        let permissions = std::fs::metadata(path)?.permissions();
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::set_permissions(&tmp, permissions)?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
