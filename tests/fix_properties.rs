//! Properties of the fixer over every fixture and every manifest of the shared corpus:
//! the fixed text parses as well as the input, the fixed findings are gone, every
//! comment survives, the text changes only through the recorded edits, JSON stays
//! JSON, CRLF files stay CRLF, no fixed pod breaks an API-validation or kubelet rule
//! that the input did not break ([`kubeharden::fix::valid`]), and fixing again changes
//! nothing.

mod common;

use std::path::Path;

use std::collections::HashMap;

use kubeharden::fix::valid::{check_text, Constraint};
use kubeharden::fix::{apply, fix, FixOptions};

/// Comments of a text: `#…` at a line start or after a blank, outside quotes.
fn comments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        let (mut single, mut double, mut prev_blank) = (false, false, true);
        for (i, ch) in line.char_indices() {
            match ch {
                '\'' if !double => single = !single,
                '"' if !single => double = !double,
                '#' if !single && !double && prev_blank => {
                    out.push(line[i..].trim_end());
                    break;
                }
                _ => {}
            }
            prev_blank = ch == ' ' || ch == '\t';
        }
    }
    out
}

fn check_properties(name: &str, text: &str, problems: &mut Vec<String>) -> usize {
    let options = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let result = fix(text, &options);
    let before = kubeharden::Engine::new(options.check).check_text(text);
    if result.report.errors.len() > before.errors.len() {
        problems.push(format!(
            "{name}: fixed text has new parse errors {:?}",
            result.report.errors
        ));
    }
    for a in common::fixes_left_standing(&result.applied, &result.report) {
        problems.push(format!(
            "{name}: applied fix left its finding: {} {}",
            a.rule, a.path
        ));
    }
    let kept = comments(result.text());
    for c in comments(text) {
        if !kept.contains(&c) {
            problems.push(format!("{name}: comment lost: {c}"));
        }
    }
    let mut replay = text.to_string();
    for round in &result.rounds {
        let mut last = 0;
        for e in round {
            if e.span.start < last || e.span.end > replay.len() || e.span.start > e.span.end {
                problems.push(format!(
                    "{name}: edits overlap or leave the text: {:?}",
                    e.span
                ));
            }
            last = e.span.end;
        }
        let edits: Vec<(kubeharden::Span, &str)> = round
            .iter()
            .map(|e| (e.span, e.replacement.as_str()))
            .collect();
        replay = apply(&replay, &edits);
    }
    if replay != result.text() {
        problems.push(format!(
            "{name}: the recorded edits do not reproduce the fixed text"
        ));
    }
    if name.ends_with(".json")
        && serde_json::from_str::<serde_json::Value>(text).is_ok()
        && serde_json::from_str::<serde_json::Value>(result.text()).is_err()
    {
        problems.push(format!("{name}: JSON input no longer JSON after fixing"));
    }
    if text.contains("\r\n")
        && !text.replace("\r\n", "").contains('\n')
        && result.text().replace("\r\n", "").contains('\n')
    {
        problems.push(format!("{name}: CRLF file got LF line endings"));
    }
    let limits = options.check.limits;
    let mut known: HashMap<(usize, Constraint, String), usize> = HashMap::new();
    for (document, v) in check_text(text, &limits) {
        *known.entry((document, v.constraint, v.what)).or_default() += 1;
    }
    for (document, v) in check_text(result.text(), &limits) {
        match known.get_mut(&(document, v.constraint, v.what.clone())) {
            Some(n) if *n > 0 => *n -= 1,
            _ => problems.push(format!(
                "{name}: document {document}: the fixed text would {}",
                v.reason().trim_start_matches("would ")
            )),
        }
    }
    let again = fix(result.text(), &options);
    if again.text() != result.text() || !again.applied.is_empty() {
        problems.push(format!(
            "{name}: not a fixed point ({} more fixes)",
            again.applied.len()
        ));
    }
    result.applied.len()
}

fn run(files: &[std::path::PathBuf], root: &Path) {
    let mut problems = Vec::new();
    let mut applied = 0;
    for path in files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let name = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        applied += check_properties(&name, &text, &mut problems);
    }
    assert!(applied > 0, "no fix was applied at all");
    common::assert_none(&problems);
}

#[test]
fn fixing_the_rule_fixtures_keeps_every_property() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let files: Vec<_> = common::files(&root.join("fixtures"), &["yaml", "json"])
        .into_iter()
        .chain(common::files(&root.join("data"), &["yaml"]))
        .filter(|p| !p.to_string_lossy().contains(".fixed."))
        .collect();
    run(&files, &root);
}

#[test]
fn fixing_the_shared_corpus_keeps_every_property() {
    let Some(root) = common::corpus("") else {
        return;
    };
    let files = common::files(&root, &["yaml", "yml", "json"]);
    run(&files, &root);
}

/// The playground's "Apply to editor" on one card fixes that finding alone, with every
/// rule on: each fix a fixture offers must apply by itself, not only beside the fixes of
/// the other rules (setting `privileged: false` alone restates net-raw-capability's
/// finding, which must not count as a new one), and only it (removing list item 0 gives
/// item 1 its id, and that is another finding). Default options: every rule, the latest
/// version, as the playground starts.
#[test]
fn every_offered_fix_of_the_rule_fixtures_applies_alone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut problems = Vec::new();
    let mut tried = 0;
    for path in common::files(&root, &["yaml", "json"]) {
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        if name.contains(".fixed.") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let report = kubeharden::Engine::new(Default::default()).check_text(&text);
        for f in &report.findings {
            if f.suppressed.is_some() || f.fix.as_ref().is_none_or(|x| x.unavailable.is_some()) {
                continue;
            }
            tried += 1;
            let id = report.id(f);
            let result = fix(
                &text,
                &FixOptions {
                    unsafe_fixes: true,
                    only: Some(vec![id.clone()]),
                    ..FixOptions::default()
                },
            );
            let applied: Vec<&str> = result.applied.iter().map(|a| a.id.as_str()).collect();
            if applied != [id.as_str()] {
                let why: Vec<_> = result.skipped.iter().map(|s| s.reason.clone()).collect();
                problems.push(format!(
                    "{name}: {id}: fixing it alone applied {applied:?}, skipped {why:?}"
                ));
            }
        }
    }
    assert!(tried > 100, "only {tried} fixes offered");
    common::assert_none(&problems);
}
