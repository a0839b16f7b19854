//! The library must run in the browser: no filesystem, threads, clocks, process, stdout
//! or environment. `make test` also builds it for wasm32-unknown-unknown; this test
//! names the offending line when someone reaches for one of them.

use std::path::Path;

const FORBIDDEN: &[&str] = &[
    "std::fs",
    "std::thread",
    "std::time",
    "std::process",
    "std::env::var",
    "std::net",
    "Instant::",
    "SystemTime",
    "println!",
    "print!(",
    "eprintln!",
    "eprint!(",
    "stdout()",
    "stderr()",
    "stdin()",
];

fn scan(dir: &Path, problems: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scan(&path, problems);
            continue;
        }
        // The CLI binary (main.rs and its src/cli/ modules) is the native edge;
        // everything else is library code.
        if path.file_name().is_some_and(|n| n == "main.rs")
            || path.parent().is_some_and(|d| d.ends_with("src/cli"))
            || path.extension().is_none_or(|e| e != "rs")
        {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut in_tests = false;
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                in_tests = true;
            }
            if in_tests || line.trim_start().starts_with("//") {
                continue;
            }
            for f in FORBIDDEN {
                if line.contains(f) {
                    problems.push(format!(
                        "{}:{}: uses {f}: {}",
                        path.display(),
                        i + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
}

#[test]
fn library_code_uses_no_host_only_apis() {
    let mut problems = Vec::new();
    scan(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut problems,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
