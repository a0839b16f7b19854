//! Embeds every `policies/*.yaml` rule file into the library, so the catalogue needs no
//! filesystem at run time (the same binary data serves the CLI and the browser).
//!
//! Without the `rule-docs` feature (the playground's WebAssembly) each file is embedded
//! without its documentation ([`strip_docs`]): the catalogue then holds what checking
//! needs, and the playground fetches the docs with the rule examples when a panel opens.

use std::fmt::Write;
use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=policies");
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("policies");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("policies/ folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    let docs = env::var_os("CARGO_FEATURE_RULE_DOCS").is_some();
    let mut out = String::from("pub static POLICY_FILES: &[(&str, &str)] = &[\n");
    for name in &names {
        println!("cargo:rerun-if-changed=policies/{name}");
        let path = dir.join(name);
        if docs {
            writeln!(
                out,
                "    ({name:?}, include_str!({:?})),",
                path.display().to_string()
            )
            .unwrap();
        } else {
            let text = fs::read_to_string(&path).expect("rule file");
            writeln!(out, "    ({name:?}, {:?}),", strip_docs(name, &text)).unwrap();
        }
    }
    out.push_str("];\n");
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("policies.rs"),
        out,
    )
    .unwrap();
    data_files(docs);
    rule_examples();
}

/// The data tables the rules and the access model read (`policies/data/`), as constants.
/// Without `rule-docs` (the playground's WebAssembly) what no message shows goes: comment
/// lines at column 0
/// (a `#` there always starts a comment: a block scalar's text is indented), the API
/// table's one-line `note:`s (where its sources disagree) and `sources:`, the CVEs' `published:`,
/// `url:` and, for the Kubernetes CVEs, `cvss:` lines (their fields are optional in that
/// build).
fn data_files(docs: bool) {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("policies/data");
    let mut out = String::new();
    for (constant, file) in [
        ("API_VERSIONS", "api-versions.yaml"),
        ("K8S_CVES", "k8s-cves.yaml"),
        ("BOOTSTRAP_ROLES", "bootstrap-cluster-roles.yaml"),
        (
            "BOOTSTRAP_CONTROLLER_ROLES",
            "bootstrap-controller-roles.yaml",
        ),
        ("BOOTSTRAP_BINDINGS", "bootstrap-cluster-role-bindings.yaml"),
        (
            "BOOTSTRAP_CONTROLLER_BINDINGS",
            "bootstrap-controller-role-bindings.yaml",
        ),
        (
            "BOOTSTRAP_NAMESPACE_ROLES",
            "bootstrap-namespace-roles.yaml",
        ),
        (
            "BOOTSTRAP_NAMESPACE_BINDINGS",
            "bootstrap-namespace-role-bindings.yaml",
        ),
    ] {
        println!("cargo:rerun-if-changed=policies/data/{file}");
        let path = dir.join(file);
        if docs {
            writeln!(
                out,
                "pub const {constant}: &str = include_str!({:?});",
                path.display().to_string()
            )
            .unwrap();
        } else {
            let text = fs::read_to_string(&path).expect("data file");
            let mut section = "";
            let kept: String = text
                .split_inclusive('\n')
                .filter(|line| {
                    if !line.starts_with([' ', '#']) {
                        section = line.split(':').next().unwrap_or("");
                    }
                    let field = line.trim_start();
                    let one_line = |key: &str| {
                        field.starts_with(key) && field.trim_end().ends_with('"')
                            || field.starts_with(key) && !field.contains(['>', '|'])
                    };
                    !(line.starts_with('#')
                        || (file == "api-versions.yaml"
                            && (field.starts_with("note: \"") && field.trim_end().ends_with('"')
                                || field.starts_with("sources: [")
                                    && field.trim_end().ends_with(']')))
                        || (file == "k8s-cves.yaml"
                            && (one_line("published: ") || one_line("url: ")))
                        || (file == "k8s-cves.yaml" && section == "cves" && one_line("cvss: ")))
                })
                .collect();
            writeln!(out, "pub const {constant}: &str = {kept:?};").unwrap();
        }
    }
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("data.rs"),
        out,
    )
    .unwrap();
}

/// The top-level keys of a rule file that only document it (`src/catalogue.rs` reads them
/// as empty without the `rule-docs` feature).
const DOC_KEYS: &[&str] = &["sources", "rationale", "remediation", "references"];

/// A rule file without its documentation: the [`DOC_KEYS`] blocks, every comment line,
/// and `fix`'s `reason`/`guidance` text (`fix:` keeps only its `applicability`, as a
/// flow mapping). The rule files are block YAML with top-level keys at column 0 and
/// `fix`'s keys indented by two spaces; anything else is refused here, so a rule file
/// written differently fails the build instead of being embedded half-stripped.
fn strip_docs(name: &str, text: &str) -> String {
    let mut out = String::new();
    let mut key = "";
    let mut applicability = None;
    for line in text.lines() {
        // Comments, also indented ones: no kept key holds a block scalar (checked below),
        // so a `#` line is never text.
        if line.trim_start().starts_with('#') {
            continue;
        }
        let top = !line.is_empty() && !line.starts_with(' ');
        if top {
            if key == "fix" {
                push_fix(&mut out, applicability.take());
            }
            key = line.split(':').next().unwrap_or("").trim();
            if key == "fix" {
                assert_eq!(
                    line.trim_end(),
                    "fix:",
                    "policies/{name}: `fix:` must be a block mapping"
                );
                continue;
            }
        }
        match key {
            "fix" => {
                if let Some(v) = line.strip_prefix("  applicability:") {
                    applicability = Some(v.trim().to_string());
                } else if let Some(k) = line.strip_prefix("  ").filter(|l| !l.starts_with(' ')) {
                    let k = k.split(':').next().unwrap_or("");
                    assert!(
                        k == "reason" || k == "guidance",
                        "policies/{name}: unexpected key {k:?} under fix"
                    );
                }
            }
            k if DOC_KEYS.contains(&k) => {}
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    if key == "fix" {
        push_fix(&mut out, applicability);
    }
    assert!(
        !out.lines().any(|l| l.trim_end().ends_with(": |")
            || l.trim_end().ends_with(": >")
            || l.contains(": |-")
            || l.contains(": >-")),
        "policies/{name}: a block scalar outside the documentation keys"
    );
    for k in DOC_KEYS {
        assert!(
            !out.lines().any(|l| l.starts_with(&format!("{k}:"))),
            "policies/{name}: {k} was not stripped"
        );
    }
    out
}

fn push_fix(out: &mut String, applicability: Option<String>) {
    match applicability {
        Some(a) => writeln!(out, "fix: {{applicability: {a}}}").unwrap(),
        None => out.push_str("fix: {}\n"),
    }
}

/// `rule_examples.rs`: for each rule folder in `tests/fixtures/`, the fail fixture shown as
/// the rule's example and the text to use instead (its golden fixed output, else a pass
/// fixture), as `RuleExample` values for `src/docs.rs`. The example is the first fail
/// fixture (by name) whose header sets no `kube-version:` or `profile:`, as it fails
/// with the default options; the first fail fixture when every one sets them.
fn rule_examples() {
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("tests/fixtures");
    println!("cargo:rerun-if-changed=tests/fixtures");
    let mut out = String::from("pub static RULE_EXAMPLES: &[RuleExample] = &[\n");
    let mut rules: Vec<_> = fs::read_dir(&root)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    rules.sort();
    for rule in &rules {
        let dir = root.join(rule);
        let mut files: Vec<String> = fs::read_dir(&dir)
            .expect("fixture folder")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") || n.ends_with(".json"))
            .collect();
        files.sort();
        let cases = |prefix: &str| -> Vec<&String> {
            files
                .iter()
                .filter(|n| n.starts_with(prefix) && !n.contains(".fixed."))
                .collect()
        };
        let plain = |name: &&String| {
            let text = fs::read_to_string(dir.join(name.as_str())).unwrap_or_default();
            !text.lines().take_while(|l| l.starts_with('#')).any(|l| {
                let l = l.trim_start_matches('#').trim_start();
                l.starts_with("kube-version:") || l.starts_with("profile:")
            })
        };
        let pick = |cases: Vec<&String>| {
            cases
                .iter()
                .copied()
                .find(plain)
                .or(cases.first().copied())
                .cloned()
        };
        let Some(example) = pick(cases("fail-")) else {
            continue;
        };
        let (stem, ext) = example.rsplit_once('.').unwrap();
        let fixed = [
            (format!("{stem}.fixed.{ext}"), "Fixed"),
            (format!("{stem}.unsafe.fixed.{ext}"), "UnsafeFixed"),
        ]
        .into_iter()
        .find(|(n, _)| files.contains(n));
        let (instead, kind) = match fixed {
            Some(found) => found,
            None => match pick(cases("pass-")) {
                Some(p) => (p, "Pass"),
                None => continue,
            },
        };
        let file = |name: &str| {
            println!("cargo:rerun-if-changed=tests/fixtures/{rule}/{name}");
            (
                format!("tests/fixtures/{rule}/{name}"),
                dir.join(name).display().to_string(),
            )
        };
        let ((example_path, example_abs), (instead_path, instead_abs)) =
            (file(&example), file(&instead));
        writeln!(
            out,
            "    RuleExample {{ rule: {rule:?}, example: ({example_path:?}, include_str!({example_abs:?})), \
             use_instead: ({instead_path:?}, include_str!({instead_abs:?})), kind: FixtureKind::{kind} }},"
        )
        .unwrap();
    }
    out.push_str("];\n");
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("rule_examples.rs"),
        out,
    )
    .unwrap();
}
