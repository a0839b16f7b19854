//! `kubeharden fix`: the hardened text of each input, as text, a diff, or rewritten
//! files. The fixer is called from [`fix_file`] only.

use std::io::Write;

use kubeharden::fix::FixOptions;

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
    let options = FixOptions {
        check: args.engine.options(),
        unsafe_fixes: args.unsafe_fixes,
        rules: (!args.rules.is_empty()).then_some(args.rules),
        ..FixOptions::default()
    };
    let inputs = input::resolve(args.engine.paths)?;
    if output == Output::Stdout && inputs.len() != 1 {
        return Err(format!(
            "{} inputs: use --diff or --write to fix more than one",
            inputs.len()
        ));
    }
    if output == Output::Write && inputs.contains(&Input::Stdin) {
        return Err("--write cannot rewrite standard input".into());
    }
    let max = options.check.limits.max_input_bytes;
    let mut status = 0;
    let mut text_out = String::new();
    let mut notes = String::new();
    for input in &inputs {
        let (name, read) = input::read(input, max);
        let original = match read {
            Ok(text) => text,
            Err(message) => {
                notes.push_str(&format!("error: {name}: {message}\n"));
                status = 2;
                continue;
            }
        };
        let fixed = fix_file(&name, &original, &options);
        notes.push_str(&fixed.notes);
        status = status.max(fixed.status);
        match (output, input) {
            (Output::Stdout, _) => text_out.push_str(&fixed.text),
            (Output::Diff, _) => {
                let (a, b) = if name.starts_with('/') || name == "-" {
                    (name.clone(), format!("{name} (hardened)"))
                } else {
                    (format!("a/{name}"), format!("b/{name}"))
                };
                text_out.push_str(&kubeharden::render::unified_diff(
                    &original,
                    &fixed.text,
                    &a,
                    &b,
                ));
            }
            (Output::Write, Input::File(path)) if fixed.text != original => {
                if let Err(e) = input::write_atomically(path, &fixed.text) {
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

/// One input's fix.
pub struct FileFix {
    /// The hardened text (the original where nothing could be fixed).
    pub text: String,
    /// Lines for standard error: errors, skipped fixes and the file's summary.
    pub notes: String,
    /// 2 when a document could not be parsed, 1 when findings remain, else 0.
    pub status: u8,
}

/// Fix the text of the input `name` (its display name, for the notes).
pub fn fix_file(name: &str, original: &str, options: &FixOptions) -> FileFix {
    let result = kubeharden::fix::fix(original, options);
    let mut notes = String::new();
    let mut status = 0;
    if let Some(e) = result.report.errors.first() {
        let p = kubeharden::LineIndex::new(original).position(original, e.span.start);
        notes.push_str(&format!(
            "error: {name}:{}:{}: {} (that document was left as it is)\n",
            p.line, p.column, e.message
        ));
        status = 2;
    }
    for s in &result.skipped {
        notes.push_str(&format!(
            "skipped: {name}: {} at {}: {}\n",
            s.rule,
            s.path,
            s.reason.as_deref().unwrap_or("")
        ));
    }
    let remaining = result
        .report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .count();
    notes.push_str(&format!(
        "{name}: {} fixed, {} skipped, {remaining} remaining\n",
        result.applied.len(),
        result.skipped.len()
    ));
    if remaining > 0 && status == 0 {
        status = 1;
    }
    FileFix {
        text: result.text,
        notes,
        status,
    }
}
