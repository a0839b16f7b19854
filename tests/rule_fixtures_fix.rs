//! Golden hardened output for every fixable rule: each fail fixture has
//! `<name>.fixed.yaml` (safe fixes of that rule) when safe fixes change it, and
//! `<name>.unsafe.fixed.yaml` when unsafe fixes give something else, compared byte for
//! byte. The fixed text parses (a JSON fixture's also as JSON, by serde_json), has none of
//! the rule's fixable findings left, and is a fixed point. Set `UPDATE_SNAPSHOTS=1` to
//! rewrite the goldens after review.
//!
//! Tests (libtest-mimic, `harness = false`): `<rule-id>/<file>` per fail fixture of a rule
//! that declares a fix, and `<rule-id>/declared-fix-matches-emitted` per rule.

mod common;

use common::header;
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};

use kubeharden::catalogue::FixPolicy;
use kubeharden::catalogue::Rule;
use kubeharden::fix::{fix, FixOptions};
use kubeharden::{Catalogue, Engine, KubeVersion, Options, Profile, Source};

fn options(text: &str) -> Options {
    Options {
        version: header(text, "kube-version").map_or(KubeVersion::LATEST, |v| v.parse().unwrap()),
        profile: header(text, "profile").map_or(Profile::All, |p| p.parse().unwrap()),
        ..Options::default()
    }
}

fn fail_cases(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_str().unwrap();
            n.starts_with("fail")
                && !n.contains(".fixed.")
                && (n.ends_with(".yaml") || n.ends_with(".json"))
        })
        .collect();
    out.sort();
    out
}

fn golden(path: &Path, variant: &str) -> PathBuf {
    let name = path.file_name().unwrap().to_str().unwrap();
    let (stem, ext) = name.rsplit_once('.').unwrap();
    path.with_file_name(format!("{stem}{variant}.fixed.{ext}"))
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn verdict(problems: Vec<String>) -> Result<(), Failed> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n\n").into())
    }
}

/// A rule declares a fix exactly when its fail fixtures emit one.
fn declared_fix_matches_emitted(rule: &Rule) -> Result<(), Failed> {
    let declared = matches!(rule.fix, Some(FixPolicy::Available { .. }));
    let mut emitted = false;
    for path in fail_cases(&fixtures_dir().join(&rule.id)) {
        let text = std::fs::read_to_string(&path).unwrap();
        let report = Engine::new(options(&text)).check(&[Source::new("f", text.clone())]);
        emitted |= report
            .findings
            .iter()
            .any(|f| f.rule == rule.id && f.fix.is_some());
    }
    if declared != emitted {
        return Err(format!(
            "{}: declares {} fix but its fail fixtures {} one",
            rule.id,
            if declared { "a" } else { "no" },
            if emitted { "emit" } else { "never emit" }
        )
        .into());
    }
    Ok(())
}

/// The goldens of one fail fixture of a rule that declares a fix.
fn goldens(rule: &Rule, path: &Path) -> Result<(), Failed> {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut problems = Vec::new();
    let text = std::fs::read_to_string(path).unwrap();
    let check = options(&text);
    let mut previous = text.clone();
    for (variant, unsafe_fixes) in [("", false), (".unsafe", true)] {
        let opts = FixOptions {
            check,
            unsafe_fixes,
            rules: Some(vec![rule.id.clone()]),
            ..FixOptions::default()
        };
        let result = fix(&text, &opts);
        let file = golden(path, variant);
        let name = file.display();
        let after = Engine::new(check).check(&[Source::new("f", result.text().to_string())]);
        if !after.errors.is_empty() {
            problems.push(format!("{name}: does not parse: {:?}", after.errors));
        }
        let left: Vec<_> = after
            .findings
            .iter()
            .filter(|f| {
                f.rule == rule.id
                    && f.suppressed.is_none()
                    && f.fixable()
                        .is_some_and(|a| unsafe_fixes || a == kubeharden::Applicability::Safe)
            })
            .map(|f| f.path.clone())
            .collect();
        if !left.is_empty() {
            // Also where nothing changed: a fix every run refuses is a broken fix.
            problems.push(format!(
                "{name}: fixable {} findings left at {left:?} (skipped: {:?})",
                rule.id, result.skipped
            ));
        }
        // Each variant is stored only where it differs from the one before.
        if result.text() == previous {
            if file.exists() {
                if update {
                    std::fs::remove_file(&file).unwrap();
                } else {
                    problems.push(format!(
                        "{name}: stale golden (the fix now changes nothing more)"
                    ));
                }
            }
            continue;
        }
        previous = result.text().to_string();
        if update {
            std::fs::write(&file, result.text()).unwrap();
        } else {
            match std::fs::read_to_string(&file) {
                Ok(expected) if expected == result.text() => {}
                Ok(expected) => problems.push(format!(
                    "{name}: differs\n--- expected\n{expected}\n--- actual\n{}",
                    result.text()
                )),
                Err(_) => problems.push(format!(
                    "{name}: missing golden (UPDATE_SNAPSHOTS=1, then review)"
                )),
            }
        }
        if path.extension().is_some_and(|e| e == "json") {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(result.text()) {
                problems.push(format!("{name}: JSON input is no longer JSON: {e}"));
            }
        }
        let again = fix(result.text(), &opts);
        if again.text() != result.text() {
            problems.push(format!("{name}: not a fixed point"));
        }
    }
    verdict(problems)
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for rule in &Catalogue::builtin().rules {
        trials.push(Trial::test(
            format!("{}/declared-fix-matches-emitted", rule.id),
            move || declared_fix_matches_emitted(rule),
        ));
        if !matches!(rule.fix, Some(FixPolicy::Available { .. })) {
            continue;
        }
        for path in fail_cases(&fixtures_dir().join(&rule.id)) {
            let name = format!(
                "{}/{}",
                rule.id,
                path.file_name().unwrap().to_string_lossy()
            );
            trials.push(Trial::test(name, move || goldens(rule, &path)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
