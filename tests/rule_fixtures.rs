//! Fixtures on disk register the rule tests: `tests/fixtures/<rule-id>/` holds
//! `pass-*.yaml` (no finding of that rule) and `fail-*.yaml` (at least one), and each
//! fail case has a `.snap` with the rendered diagnostics of that rule.
//!
//! A fixture may start with `# kube-version: v1.NN` and/or `# profile: baseline`.
//! Set `UPDATE_SNAPSHOTS=1` to rewrite the `.snap` files after reviewing a change.

mod common;

use common::header;
use std::path::{Path, PathBuf};

use kubeharden::render::{human, HumanOptions};
use kubeharden::{Catalogue, Engine, KubeVersion, Options, Profile, Report, Source};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn check(path: &Path) -> (Vec<Source>, Report) {
    let text = std::fs::read_to_string(path).unwrap();
    let version: KubeVersion =
        header(&text, "kube-version").map_or(KubeVersion::LATEST, |v| v.parse().unwrap());
    let profile: Profile = header(&text, "profile").map_or(Profile::All, |p| p.parse().unwrap());
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
    (sources, report)
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

#[test]
fn every_rule_has_fixtures_and_every_fixture_folder_a_rule() {
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
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn fixtures_pass_and_fail_as_named_with_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut problems = Vec::new();
    let mut count = 0;
    for rule in &Catalogue::builtin().rules {
        let dir = fixtures_dir().join(&rule.id);
        if !dir.is_dir() {
            continue;
        }
        for path in cases(&dir, "pass") {
            count += 1;
            let (_, report) = check(&path);
            let hits: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.rule == rule.id)
                .map(|f| f.message.clone())
                .collect();
            if !hits.is_empty() {
                problems.push(format!(
                    "{}: expected no {} finding, got {hits:?}",
                    path.display(),
                    rule.id
                ));
            }
            if !report.errors.is_empty() {
                problems.push(format!(
                    "{}: unexpected errors {:?}",
                    path.display(),
                    report.errors
                ));
            }
        }
        for path in cases(&dir, "fail") {
            count += 1;
            let (sources, mut report) = check(&path);
            report.findings.retain(|f| f.rule == rule.id);
            report.notes.clear();
            if report.findings.is_empty() {
                problems.push(format!(
                    "{}: expected a {} finding, got none",
                    path.display(),
                    rule.id
                ));
                continue;
            }
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
                std::fs::write(&snap, &rendered).unwrap();
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
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(count > 0);
}
