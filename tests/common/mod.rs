//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `../shared/corpus` beside the repository, if present. When `KUBEHARDEN_REQUIRE_CORPUS`
/// is set (as `make test` does) its absence is an error instead of a skip.
pub fn corpus(sub: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("KUBEHARDEN_REQUIRE_CORPUS").is_some() {
        panic!(
            "corpus folder {} is missing (KUBEHARDEN_REQUIRE_CORPUS is set)",
            dir.display()
        );
    }
    eprintln!("SKIPPED: corpus folder {} is absent", dir.display());
    None
}

/// Every file below `dir` with one of the extensions, sorted.
pub fn files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if extensions.is_empty()
                || path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| extensions.contains(&e))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A fixture's header setting: `# kube-version: v1.25`, `# profile: baseline`.
pub fn header<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| {
            l.trim_start_matches('#')
                .trim()
                .strip_prefix(key)?
                .strip_prefix(':')
                .map(str::trim)
        })
}

/// Fail with the first 30 of `problems`, when there are any.
pub fn assert_none(problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The applied fixes whose finding (same id and message) is still in `after`.
pub fn fixes_left_standing<'a>(
    applied: &'a [kubeharden::fix::FixRecord],
    after: &kubeharden::Report,
) -> Vec<&'a kubeharden::fix::FixRecord> {
    applied
        .iter()
        .filter(|a| {
            after
                .findings
                .iter()
                .any(|f| after.id(f) == a.id && *f.message == *a.message)
        })
        .collect()
}

/// Run the `kubeharden` binary of this build in `dir` with `args`, `stdin` on its standard
/// input (a usage error exits before reading it: the closed pipe is then expected).
#[allow(dead_code)]
pub fn run_cli(dir: &Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeharden"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    match pipe.write_all(stdin.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}
