//! Embeds every `policies/*.yaml` rule file into the library, so the catalogue needs no
//! filesystem at run time (the same binary data serves the CLI and the browser).

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
    let mut out = String::from("pub static POLICY_FILES: &[(&str, &str)] = &[\n");
    for name in &names {
        println!("cargo:rerun-if-changed=policies/{name}");
        let path = dir.join(name);
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("policies.rs"),
        out,
    )
    .unwrap();
    rule_examples();
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
