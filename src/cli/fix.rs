//! `kubeharden fix`: the hardened text of each input, as text, a diff, or rewritten
//! files. All inputs are fixed as one bundle, as `check` checks them; the fixer is
//! called from [`fix_bundle`] only.

use std::io::Write;

use kubeharden::fix::FixOptions;
use kubeharden::render::display_name;
use kubeharden::Source;

use super::input::{self, Input};
use super::{out, FixArgs};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    Stdout,
    Diff,
    Write,
}

/// `kubeharden fix`: the exit status (0 nothing remains, 1 findings remain, 2 errors),
/// or a usage error (several inputs without --diff/--write, --write on standard input).
pub fn run(args: FixArgs) -> Result<u8, String> {
    let output = if args.diff {
        Output::Diff
    } else if args.write {
        Output::Write
    } else {
        Output::Stdout
    };
    let (config, _) = super::config::load(&args.engine)?;
    let options = FixOptions {
        check: args.engine.options(&config),
        unsafe_fixes: args.unsafe_fixes,
        rules: (!args.rules.is_empty()).then_some(args.rules),
        config: Some(std::sync::Arc::new(config.clone())),
        ..FixOptions::default()
    };
    // A rule without an automatic fix cannot be fixed by naming it: say so, with what to
    // do instead, rather than fixing nothing in silence.
    for id in options.rules.iter().flatten() {
        if let Some(kubeharden::catalogue::FixPolicy::None { guidance }) =
            kubeharden::Catalogue::builtin()
                .get(id)
                .and_then(|r| r.fix.as_ref())
        {
            return Err(format!("rule {id:?} has no automatic fix: {guidance}"));
        }
    }
    let inputs = super::config::filter(input::resolve(args.engine.paths)?, &config);
    if output == Output::Stdout && inputs.len() != 1 {
        return Err(format!(
            "{} inputs: use --diff or --write to fix more than one",
            inputs.len()
        ));
    }
    if output == Output::Write && inputs.contains(&Input::Stdin) {
        return Err("--write cannot rewrite standard input".into());
    }
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (read, errors) = input::read_all(&inputs, options.check.limits.max_input_bytes, jobs);
    let mut status = 0;
    let mut text_out = String::new();
    let mut notes = String::new();
    for e in &errors {
        notes.push_str(&format!("error: {}: {}\n", read[e.file].name, e.message));
        status = 2;
    }
    // The readable inputs are one bundle, fixed together exactly as `check` sees them.
    let (kept, sources): (Vec<usize>, Vec<_>) = read
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !errors.iter().any(|e| e.file == *i))
        .unzip();
    let fixed = fix_bundle(&sources, &options);
    notes.push_str(&fixed.notes);
    status = status.max(fixed.status);
    for ((original, text), &i) in sources.iter().zip(&fixed.texts).zip(&kept) {
        let name = &original.name;
        match (output, &inputs[i]) {
            (Output::Stdout, _) => text_out.push_str(text),
            (Output::Diff, _) => {
                let (a, b) = diff_headers(name);
                text_out.push_str(&kubeharden::render::unified_diff(
                    &original.text,
                    text,
                    &a,
                    &b,
                ));
            }
            (Output::Write, Input::File(path)) if *text != original.text => {
                if let Err(e) = input::write_atomically(path, text) {
                    notes.push_str(&format!(
                        "error: cannot write {}: {e} (the file is unchanged)\n",
                        path.display()
                    ));
                    status = 2;
                }
            }
            (Output::Write, _) => {}
        }
    }
    out(&text_out);
    let _ = std::io::stderr().write_all(notes.as_bytes());
    Ok(status)
}

/// The `---`/`+++` names of a file's diff: `a/PATH` and `b/PATH` for relative and
/// absolute paths alike (an absolute path loses its leading `/`), so the diff applies
/// with `git apply` or `patch -p1` from the working directory (relative paths) or from `/`
/// (absolute ones); standard input is `<stdin>`.
fn diff_headers(name: &str) -> (String, String) {
    let name = display_name(name);
    if name == "<stdin>" {
        return (name.to_string(), format!("{name} (hardened)"));
    }
    let path = name.trim_start_matches('/');
    (format!("a/{path}"), format!("b/{path}"))
}

/// The fix of a bundle.
pub struct BundleFix {
    /// The hardened text of each source (the original where nothing could be fixed).
    pub texts: Vec<String>,
    /// Lines for standard error: errors, each applied and skipped fix with its finding
    /// id, and each file's summary.
    pub notes: String,
    /// 2 when a document could not be parsed, 1 when findings remain, else 0.
    pub status: u8,
}

/// Fix the sources as one bundle (names are display names, for the notes).
pub fn fix_bundle(sources: &[Source], options: &FixOptions) -> BundleFix {
    let result = kubeharden::fix::fix_bundle(sources, options);
    let mut notes = String::new();
    let mut status = 0;
    // Documents that do not parse are left as they are; say where, in the text as read
    // (the fixed text may have moved them).
    for e in &result.input_errors {
        let source = &sources[e.file];
        let p = kubeharden::LineIndex::new(&source.text).position(&source.text, e.span.start);
        notes.push_str(&format!(
            "error: {}:{}:{}: {} (that document was left as it is)\n",
            display_name(&source.name),
            p.line,
            p.column,
            e.message
        ));
        status = 2;
    }
    // With --rule, what remains is counted for those rules only.
    let in_scope = |f: &&kubeharden::Finding| {
        options
            .rules
            .as_ref()
            .is_none_or(|rules| rules.iter().any(|r| r == f.rule))
    };
    for (file, source) in sources.iter().enumerate() {
        let name = display_name(&source.name);
        for a in result.applied.iter().filter(|a| a.file == file) {
            notes.push_str(&format!(
                "fixed: {name}: {}: {} [{}]\n",
                a.rule, a.title, a.id
            ));
        }
        for s in result.skipped.iter().filter(|s| s.file == file) {
            notes.push_str(&format!(
                "skipped: {name}: {} at {}: {} [{}]\n",
                s.rule,
                s.path,
                s.reason.as_deref().unwrap_or(""),
                s.id
            ));
        }
        let applied = result.applied.iter().filter(|a| a.file == file).count();
        let skipped = result.skipped.iter().filter(|s| s.file == file).count();
        let remaining = result
            .report
            .findings
            .iter()
            .filter(|f| f.file as usize == file && f.suppressed.is_none())
            .filter(in_scope)
            .count();
        notes.push_str(&format!(
            "{name}: {applied} fixed, {skipped} skipped, {remaining} remaining\n"
        ));
        let waiting = result
            .report
            .findings
            .iter()
            .filter(|f| f.file as usize == file && f.suppressed.is_none())
            .filter(in_scope)
            .filter(|f| f.fixable() == Some(kubeharden::Applicability::Unsafe))
            .count();
        if waiting > 0 && !options.unsafe_fixes {
            notes.push_str(&format!(
                "{name}: {waiting} more fix{} need --unsafe (they harden, but may change how the workload behaves)\n",
                if waiting == 1 { "" } else { "es" }
            ));
        }
        if remaining > 0 && status == 0 {
            status = 1;
        }
    }
    BundleFix {
        texts: result.sources.into_iter().map(|s| s.text).collect(),
        notes,
        status,
    }
}
