//! The install manifests of well-known projects in `../shared/corpus/real/` (see its
//! README and SOURCES.md) are checked file by file, and all together as one bundle the
//! way `kubeharden check ../shared/corpus/real/` does: no panic, and no parse or input
//! error, because every file there is valid YAML or JSON (a file that really were
//! invalid would be listed in [`EXPECTED_ERRORS`] with its exact error). Every
//! `fix --unsafe` result parses as well, has none of the findings whose fix was applied,
//! breaks none of the API-validation and kubelet rules of [`kubeharden::fix::valid`]
//! that the input did not already break, stays JSON when it was JSON, and is a fixed
//! point. Skipped with a printed reason when the corpus is absent; an error instead when
//! `KUBEHARDEN_REQUIRE_CORPUS` is set.

mod common;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use kubeharden::fix::valid::{check_text, Constraint};
use kubeharden::fix::{fix, FixOptions};
use kubeharden::{Engine, Options, Source};

/// Files of the corpus that are not valid YAML, with the error messages they must get
/// (`file: message`). None is: all of them are what their projects ship to `kubectl apply`.
const EXPECTED_ERRORS: &[(&str, &str)] = &[];

fn corpus_files() -> Option<(PathBuf, Vec<PathBuf>)> {
    let root = common::corpus("real")?;
    let files = common::files(&root, &["yaml", "yml", "json"]);
    assert!(
        files.len() >= 390,
        "only {} manifests under {} (the README lists 398)",
        files.len(),
        root.display()
    );
    Some((root, files))
}

fn name(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The errors of a report as `file: message` lines, to compare with [`EXPECTED_ERRORS`].
fn errors(report: &kubeharden::Report, label: &str) -> Vec<String> {
    report
        .errors
        .iter()
        .map(|e| format!("{label}: {}", e.message))
        .collect()
}

fn expected_errors(label: &str) -> Vec<String> {
    EXPECTED_ERRORS
        .iter()
        .filter(|(file, _)| *file == label)
        .map(|(file, message)| format!("{file}: {message}"))
        .collect()
}

/// The fix properties of one file; returns how many fixes applied.
fn fix_properties(label: &str, text: &str, problems: &mut Vec<String>) -> usize {
    let options = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let result = match catch_unwind(AssertUnwindSafe(|| fix(text, &options))) {
        Ok(result) => result,
        Err(_) => {
            problems.push(format!("{label}: fix --unsafe panicked"));
            return 0;
        }
    };
    let fixed = result.text();
    let again = Engine::new(options.check).check_text(fixed);
    let left = errors(&again, label);
    if left != expected_errors(label) {
        problems.push(format!("{label}: the fixed text does not parse: {left:?}"));
    }
    for a in common::fixes_left_standing(&result.applied, &again) {
        problems.push(format!(
            "{label}: applied fix left its finding: {} at {}",
            a.rule, a.path
        ));
    }
    let limits = options.check.limits;
    let mut known: HashMap<(usize, Constraint, String), usize> = HashMap::new();
    for (document, v) in check_text(text, &limits) {
        *known.entry((document, v.constraint, v.what)).or_default() += 1;
    }
    for (document, v) in check_text(fixed, &limits) {
        match known.get_mut(&(document, v.constraint, v.what.clone())) {
            Some(n) if *n > 0 => *n -= 1,
            _ => problems.push(format!(
                "{label}: document {}: the fixed text would {}",
                document + 1,
                v.reason().trim_start_matches("would ")
            )),
        }
    }
    // (The corpus has an empty `secret.json`: not JSON before fixing either.)
    if label.ends_with(".json")
        && serde_json::from_str::<serde_json::Value>(text).is_ok()
        && serde_json::from_str::<serde_json::Value>(fixed).is_err()
    {
        problems.push(format!(
            "{label}: JSON input is no longer JSON after fixing"
        ));
    }
    let twice = fix(fixed, &options);
    if twice.text() != fixed || !twice.applied.is_empty() {
        problems.push(format!(
            "{label}: fixing again changes the text ({} more fixes)",
            twice.applied.len()
        ));
    }
    result.applied.len()
}

#[test]
fn every_real_manifest_checks_without_error_and_fixes_validly() {
    let Some((root, files)) = corpus_files() else {
        return;
    };
    let mut problems = Vec::new();
    let (mut findings, mut applied) = (0, 0);
    for path in &files {
        let label = name(&root, path);
        let text = std::fs::read_to_string(path).unwrap();
        let engine = Engine::new(Options::default());
        let checked = catch_unwind(AssertUnwindSafe(|| {
            engine.check(&[Source::new(label.clone(), text.clone())])
        }));
        let Ok(checked) = checked else {
            problems.push(format!("{label}: check panicked"));
            continue;
        };
        let got = errors(&checked, &label);
        if got != expected_errors(&label) {
            problems.push(format!(
                "{label}: errors {got:?}, expected {:?}",
                expected_errors(&label)
            ));
        }
        findings += checked.findings.len();
        applied += fix_properties(&label, &text, &mut problems);
    }
    // The corpus has hundreds of findings and fixes (privileged agents, examples
    // without a securityContext): none would mean the files were not checked at all.
    eprintln!(
        "{} files: {findings} findings, {applied} unsafe fixes applied",
        files.len()
    );
    assert!(findings > 1000, "only {findings} findings");
    assert!(applied > 500, "only {applied} fixes applied");
    common::assert_none(&problems);
}

#[test]
fn the_whole_real_corpus_checks_as_one_bundle_without_error() {
    let Some((root, files)) = corpus_files() else {
        return;
    };
    let sources: Vec<Source> = files
        .iter()
        .map(|p| Source::new(name(&root, p), std::fs::read_to_string(p).unwrap()))
        .collect();
    let report = catch_unwind(AssertUnwindSafe(|| {
        Engine::new(Options::default()).check(&sources)
    }))
    .expect("checking the whole corpus as one bundle panicked");
    let mut problems: Vec<String> = Vec::new();
    let got: Vec<String> = report.errors.iter().map(|e| e.message.clone()).collect();
    let expected: Vec<String> = EXPECTED_ERRORS.iter().map(|(_, m)| m.to_string()).collect();
    if got != expected {
        problems.push(format!("errors {got:?}, expected {expected:?}"));
    }
    // The bundle sees what single files cannot: the same objects shipped in alternative
    // files of one project (ingress-nginx's provider variants, MetalLB's native and FRR
    // installs) are `duplicate-object` findings.
    if !report.findings.iter().any(|f| f.rule == "duplicate-object") {
        problems.push("no duplicate-object finding across the alternative installs".into());
    }
    common::assert_none(&problems);
}
