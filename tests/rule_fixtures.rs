//! Fixtures on disk register the rule tests: `tests/fixtures/<rule-id>/` holds
//! `pass-*.yaml` (no finding of that rule) and `fail-*.yaml` (at least one), and each
//! fail case has a `.snap` with the rendered diagnostics of that rule.
//!
//! A fixture may start with `# kube-version: v1.NN` and/or `# profile: baseline`.
//! Set `UPDATE_SNAPSHOTS=1` to rewrite the `.snap` files after reviewing a change.
//!
//! Every fixture is a test of its own, named `<rule-id>/<file>`, so a failure names its
//! fixture and one can be run alone:
//! `cargo test --test rule_fixtures privileged-container/fail-init-container.yaml`
//! (a libtest-mimic harness: `harness = false` in Cargo.toml).

mod common;

use common::header;
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};

use kubeharden::render::{human, HumanOptions};
use kubeharden::{Catalogue, Engine, KubeVersion, Options, Profile, Report, Source};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn check(path: &Path) -> Result<(Vec<Source>, Report), Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let version: KubeVersion = match header(&text, "kube-version") {
        Some(v) => v.parse()?,
        None => KubeVersion::LATEST,
    };
    let profile: Profile = match header(&text, "profile") {
        Some(p) => p.parse()?,
        None => Profile::All,
    };
    let engine = Engine::new(Options {
        profile,
        version,
        ..Options::default()
    });
    let name = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .display()
        .to_string();
    let sources = vec![Source::new(name, text)];
    let report = engine.check(&sources);
    Ok((sources, report))
}

fn cases(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            name.starts_with(prefix)
                && (name.ends_with(".yaml") || name.ends_with(".json"))
                && !name.contains(".fixed.")
        })
        .collect();
    out.sort();
    out
}

fn every_rule_has_fixtures_and_every_fixture_folder_a_rule() -> Result<(), Failed> {
    let catalogue = Catalogue::builtin();
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if catalogue.get(&name).is_none() {
            problems.push(format!("tests/fixtures/{name} names no rule"));
        }
    }
    for rule in &catalogue.rules {
        let dir = fixtures_dir().join(&rule.id);
        if !dir.is_dir() {
            problems.push(format!("rule {} has no fixture folder", rule.id));
            continue;
        }
        if cases(&dir, "pass").is_empty() {
            problems.push(format!("rule {} has no pass fixture", rule.id));
        }
        if cases(&dir, "fail").is_empty() {
            problems.push(format!("rule {} has no fail fixture", rule.id));
        }
    }
    verdict(problems)
}

fn verdict(problems: Vec<String>) -> Result<(), Failed> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n\n").into())
    }
}

/// A `pass-*` fixture: no finding of `rule`, and no input error.
fn pass_case(rule: &str, path: &Path) -> Result<(), Failed> {
    let (_, report) = check(path)?;
    let mut problems = Vec::new();
    let hits: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.message.clone())
        .collect();
    if !hits.is_empty() {
        problems.push(format!(
            "{}: expected no {rule} finding, got {hits:?}",
            path.display()
        ));
    }
    if !report.errors.is_empty() {
        problems.push(format!(
            "{}: unexpected errors {:?}",
            path.display(),
            report.errors
        ));
    }
    verdict(problems)
}

/// A `fail-*` fixture: at least one finding of `rule`, each with a location, rendered
/// exactly as its `.snap` (rewritten instead with `UPDATE_SNAPSHOTS=1`).
fn fail_case(rule: &str, path: &Path) -> Result<(), Failed> {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let (sources, mut report) = check(path)?;
    report.findings.retain(|f| f.rule == rule);
    report.notes.clear();
    if report.findings.is_empty() {
        return Err(format!("{}: expected a {rule} finding, got none", path.display()).into());
    }
    let mut problems = Vec::new();
    for f in &report.findings {
        let text = &sources[0].text;
        if f.span.end > text.len() || f.path.is_empty() && f.rule != "duplicate-key" {
            problems.push(format!(
                "{}: finding without a location: {f:?}",
                path.display()
            ));
        }
    }
    let rendered = human(
        &report,
        &sources,
        HumanOptions {
            color: false,
            show_suppressed: true,
        },
    );
    let snap = path.with_extension("snap");
    if update {
        std::fs::write(&snap, &rendered).map_err(|e| format!("{}: {e}", snap.display()))?;
    } else {
        match std::fs::read_to_string(&snap) {
            Ok(expected) if expected == rendered => {}
            Ok(expected) => problems.push(format!(
                "{}: snapshot differs\n--- expected\n{expected}\n--- actual\n{rendered}",
                snap.display()
            )),
            Err(_) => problems.push(format!(
                "{}: missing snapshot (run with UPDATE_SNAPSHOTS=1 and review)",
                snap.display()
            )),
        }
    }
    verdict(problems)
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = vec![Trial::test(
        "every_rule_has_fixtures_and_every_fixture_folder_a_rule",
        every_rule_has_fixtures_and_every_fixture_folder_a_rule,
    )];
    for rule in &Catalogue::builtin().rules {
        let dir = fixtures_dir().join(&rule.id);
        if !dir.is_dir() {
            continue; // reported by the test above
        }
        for (prefix, run) in [
            ("pass", pass_case as fn(&str, &Path) -> Result<(), Failed>),
            ("fail", fail_case),
        ] {
            for path in cases(&dir, prefix) {
                let name = format!(
                    "{}/{}",
                    rule.id,
                    path.file_name().unwrap().to_string_lossy()
                );
                let id = rule.id.clone();
                trials.push(Trial::test(name, move || run(&id, &path)));
            }
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
