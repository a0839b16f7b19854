//! The command line as a user runs it: exit codes, formats, inputs.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kubeharden(args: &[&str], stdin: Option<&str>) -> Output {
    common::run_cli(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        args,
        stdin.unwrap_or(""),
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

const INSECURE: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n";

#[test]
fn exit_codes_follow_the_threshold() {
    assert_eq!(
        kubeharden(&["check", "tests/data/hardened.yaml"], None)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        kubeharden(&["check", "-"], Some(INSECURE)).status.code(),
        Some(1)
    );
    let medium_only = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n";
    assert_eq!(
        kubeharden(&["check", "--profile", "baseline", "-"], Some(medium_only))
            .status
            .code(),
        Some(0)
    );
    let o = kubeharden(
        &["check", "--severity-threshold", "critical", "-"],
        Some(medium_only),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(
        kubeharden(
            &["check", "--severity-threshold=critical", "-"],
            Some(INSECURE)
        )
        .status
        .code(),
        Some(1)
    );
}

#[test]
fn usage_and_unreadable_input_exit_2_with_a_message() {
    for (args, needle) in [
        (vec!["check", "--format", "xml", "-"], "unknown format"),
        (vec!["check", "--bogus"], "unknown option"),
        (
            vec!["check", "--kube-version", "2.0", "-"],
            "invalid Kubernetes version",
        ),
        (vec!["check", "--profile", "strict", "-"], "unknown profile"),
        (
            vec![
                "check",
                "--rule",
                "cpu-limits",
                "--profile",
                "baseline",
                "-",
            ],
            "does not run with --profile baseline",
        ),
        (vec!["explain", "no-such-rule"], "unknown rule"),
        (vec!["frobnicate"], "unknown command"),
    ] {
        let o = kubeharden(&args, Some(""));
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // A missing path, and a folder with no manifest in it, are input errors of the report
    // (exit 2) while the other inputs are still checked: never a silent pass.
    let empty = std::env::temp_dir().join(format!("kubeharden-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("notes.txt"), "not a manifest").unwrap();
    let o = kubeharden(
        &[
            "check",
            "no/such/file.yaml",
            empty.to_str().unwrap(),
            "tests/data/hardened.yaml",
        ],
        None,
    );
    std::fs::remove_dir_all(&empty).unwrap();
    assert_eq!(o.status.code(), Some(2));
    let text = stdout(&o);
    assert!(
        text.contains("no/such/file.yaml") && text.contains("cannot read"),
        "{text}"
    );
    assert!(text.contains("no manifest in this folder"), "{text}");
    assert!(
        text.contains("in 3 files") && text.contains("2 errors"),
        "{text}"
    );
    let o = kubeharden(
        &["check", "-"],
        Some("a: [1\n---\napiVersion: v1\nkind: Pod\nspec: {hostPID: true, containers: []}\n"),
    );
    assert_eq!(o.status.code(), Some(2));
    let text = stdout(&o);
    assert!(
        text.contains("error:") && text.contains("<stdin>:1:"),
        "{text}"
    );
    assert!(
        text.contains("host-namespaces"),
        "the healthy document is still checked: {text}"
    );
}

#[test]
fn a_kube_version_newer_than_the_catalogue_knows_is_a_usage_error() {
    let o = kubeharden(&["check", "--kube-version", "1.99", "-"], Some(INSECURE));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("v1.99 is newer than") && err.contains("v1.37"),
        "{err}"
    );
    let o = kubeharden(&["check", "--kube-version", "1.37", "-"], Some(INSECURE));
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn hostile_input_is_refused_with_a_clear_error() {
    let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        laughs.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let o = kubeharden(&["check", "-"], Some(&laughs));
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("billion laughs"));
    let o = kubeharden(&["check", "--max-input-size", "10", "-"], Some(INSECURE));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).contains("larger than the limit"),
        "{}",
        stdout(&o)
    );
    let dir = std::env::temp_dir().join(format!("kubeharden-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let latin1 = dir.join("latin1.yaml");
    std::fs::write(&latin1, b"name: caf\xe9\n").unwrap();
    let o = kubeharden(&["check", latin1.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("not UTF-8"), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn json_output_is_versioned_and_complete() {
    let o = kubeharden(&["check", "--format", "json", "-"], Some(INSECURE));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], 2);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "privileged-container")
        .unwrap();
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["area"], "controls");
    assert_eq!(f["file"], "<stdin>");
    assert_eq!(
        f["document"], 1,
        "documents are 1-based, as in the human output"
    );
    assert_eq!(
        f["id"],
        "privileged-container:<stdin>:1:/spec/containers/0/securityContext/privileged"
    );
    assert_eq!(f["object"]["kind"], "Pod");
    assert_eq!(f["object"]["name"], "p");
    assert_eq!(f["path"], "/spec/containers/0/securityContext/privileged");
    assert_eq!(f["span"]["start"]["line"], 8);
    assert_eq!(f["span"]["start"]["column"], 23);
    assert_eq!(f["pss"]["check"], "privileged");
    assert_eq!(f["pss"]["level"], "baseline");
    assert_eq!(f["suppressed"], false);
    assert_eq!(f["fix"]["applicability"], "unsafe");
    assert_eq!(
        f["fix"]["title"],
        "set `securityContext.privileged: false` on container \"c\""
    );
    let edit = &f["fix"]["edits"][0];
    assert_eq!(edit["file"], "<stdin>");
    assert_eq!(edit["replacement"], "false");
    assert_eq!(edit["span"]["start"]["line"], 8);
    assert!(f["related"].as_array().unwrap().is_empty());
    let lim = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "memory-limits")
        .unwrap();
    assert!(lim["fix"].is_null(), "no automatic fix for a memory limit");
    assert_eq!(v["summary"]["by_severity"]["critical"], 1);
}

#[test]
fn suppressed_findings_are_reported_but_do_not_fail() {
    let o = kubeharden(
        &["check", "--format", "json", "tests/data/suppressed.yaml"],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let f = findings
        .iter()
        .find(|f| f["rule"] == "host-namespaces")
        .expect("the suppressed finding is reported");
    assert_eq!(f["suppressed"], true);
    assert_eq!(
        f["suppression_reason"],
        "the CNI agent configures the node network"
    );
    // The hostNetwork pods reach the metadata endpoint whatever the policy says: suppressed
    // too, on the same pod template.
    assert!(findings.iter().all(|f| f["suppressed"] == true));
    assert_eq!(v["summary"]["suppressed"], 2);
}

#[test]
fn directories_are_read_recursively_and_profiles_select_rules() {
    let o = kubeharden(
        &[
            "check",
            "--format",
            "json",
            "--profile",
            "baseline",
            "tests/fixtures",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["summary"]["files"].as_u64().unwrap() > 50);
    for f in v["findings"].as_array().unwrap() {
        let validity = [
            "duplicate-key",
            "invalid-field-type",
            "unknown-field",
            "invalid-suppression",
        ]
        .contains(&f["rule"].as_str().unwrap());
        assert!(validity || f["pss"]["level"] == "baseline", "{f}");
    }
}

#[test]
fn check_rule_runs_only_the_named_rules() {
    let o = kubeharden(
        &[
            "check",
            "--format",
            "json",
            "--rule",
            "privileged-container",
            "--rule",
            "memory-limits",
            "-",
        ],
        Some(INSECURE),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    assert_eq!(rules, ["memory-limits", "privileged-container"]);
}

#[test]
fn human_output_underlines_the_span_without_colour_when_piped() {
    let o = kubeharden(&["check", "-"], Some(INSECURE));
    let text = stdout(&o);
    assert!(!text.contains('\x1b'));
    assert!(
        text.contains("8 |     securityContext: {privileged: true}"),
        "{text}"
    );
    assert!(
        text.contains("  |                       ^^^^^^^^^^^^^^^^"),
        "{text}"
    );
    let coloured = stdout(&kubeharden(
        &["check", "--color", "always", "-"],
        Some(INSECURE),
    ));
    assert!(coloured.contains('\x1b'));
}

#[test]
fn rules_and_explain_document_the_catalogue() {
    let o = kubeharden(&["rules", "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules = v.as_array().unwrap();
    assert!(rules.len() >= 29);
    assert!(rules
        .iter()
        .all(|r| r["rationale"].is_string() && r["sources"].is_object()));
    let text = stdout(&kubeharden(&["explain", "host-namespaces"], None));
    assert!(
        text.contains("Why it matters")
            && text.contains("hostNamespaces")
            && text.contains("ignore.kubeharden.io/host-namespaces")
    );
    let table = stdout(&kubeharden(&["rules"], None));
    assert!(table.contains("privileged-container") && table.contains("baseline privileged"));
}

#[test]
fn the_rule_catalogue_page_is_current() {
    let generated = stdout(&kubeharden(&["rules", "--format", "markdown"], None));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let page = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        page == generated,
        "docs/rules.md is stale: run `UPDATE_SNAPSHOTS=1 cargo test --test cli`"
    );
}

#[test]
fn fix_prints_diffs_and_writes_files_atomically() {
    // One input, no flag: the hardened text on stdout; unsafe fixes only on request.
    let o = kubeharden(&["fix", "-"], Some(INSECURE));
    assert_eq!(stdout(&o), INSECURE, "privileged: false is an unsafe fix");
    assert_eq!(o.status.code(), Some(1), "findings remain");
    let o = kubeharden(&["fix", "--unsafe", "-"], Some(INSECURE));
    let fixed = stdout(&o);
    // allowPrivilegeEscalation: false comes a round after privileged: false: the API
    // server rejects it beside privileged: true, so it is not offered before.
    assert!(
        fixed.contains("securityContext: {privileged: false, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}"),
        "{fixed}"
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("fixed"),
        "a summary on stderr"
    );
    let o = kubeharden(&["fix", "--unsafe", "--diff", "-"], Some(INSECURE));
    let diff = stdout(&o);
    assert!(
        diff.starts_with("--- <stdin>\n+++ <stdin> (hardened)\n@@"),
        "{diff}"
    );
    assert!(
        diff.contains("-    securityContext: {privileged: true}"),
        "{diff}"
    );

    let dir = std::env::temp_dir().join(format!("kubeharden-fix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.yaml");
    let b = dir.join("b.yaml");
    std::fs::write(&a, INSECURE).unwrap();
    std::fs::copy("tests/data/hardened.yaml", &b).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o640)).unwrap();
    let o = kubeharden(&["fix", a.to_str().unwrap(), b.to_str().unwrap()], None);
    assert_eq!(
        o.status.code(),
        Some(2),
        "two inputs need --diff or --write"
    );
    let o = kubeharden(&["fix", "--unsafe", "--write", dir.to_str().unwrap()], None);
    assert_eq!(
        o.status.code(),
        Some(1),
        "limits have no automatic fix: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let written = std::fs::read_to_string(&a).unwrap();
    assert!(written.contains("privileged: false"));
    assert_eq!(
        std::fs::metadata(&a).unwrap().permissions().mode() & 0o777,
        0o640,
        "mode kept"
    );
    assert_eq!(
        std::fs::read_to_string(&b).unwrap(),
        std::fs::read_to_string("tests/data/hardened.yaml").unwrap(),
        "clean file untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "no temporary files left: {leftovers:?}");
    // Fixing again changes nothing.
    kubeharden(&["fix", "--unsafe", "--write", a.to_str().unwrap()], None);
    assert_eq!(std::fs::read_to_string(&a).unwrap(), written);
    // Through a symbolic link the file it points to is rewritten, and the link stays.
    std::fs::write(&a, INSECURE).unwrap();
    let link = dir.join("link.yml");
    std::os::unix::fs::symlink(&a, &link).unwrap();
    kubeharden(
        &["fix", "--unsafe", "--write", link.to_str().unwrap()],
        None,
    );
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&a).unwrap(), written);
    std::fs::remove_dir_all(&dir).unwrap();
    let o = kubeharden(&["fix", "tests/data/hardened.yaml"], None);
    assert_eq!(o.status.code(), Some(0));
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn completion_scripts_name_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let o = kubeharden(&["completions", shell], None);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.len() > 500, "{shell}: {script}");
        for command in ["check", "fix", "rules", "explain", "completions"] {
            assert!(script.contains(command), "{shell} script lacks {command}");
        }
        for flag in ["severity-threshold", "kube-version", "unsafe"] {
            assert!(script.contains(flag), "{shell} script lacks --{flag}");
        }
    }
    let fish = stdout(&kubeharden(&["completions", "fish"], None));
    assert!(
        fish.contains("host-namespaces"),
        "rule ids complete for explain and fix --rule"
    );
    let o = kubeharden(&["completions", "tcsh"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn typos_get_a_suggestion_and_exit_2() {
    for (args, needles) in [
        (vec!["chek"], vec!["unknown command 'chek'", "'check'"]),
        (
            vec!["check", "--profle", "baseline", "-"],
            vec!["unknown option '--profle'", "'--profile'"],
        ),
        (
            vec!["check", "--format", "jsn", "-"],
            vec!["unknown format", "'json'"],
        ),
        (
            vec!["explain", "host-namespace"],
            vec!["unknown rule \"host-namespace\"", "'host-namespaces'"],
        ),
        (
            vec!["fix", "--rule", "privileged-containers", "-"],
            vec!["unknown rule", "'privileged-container'"],
        ),
        (
            vec!["fix", "--rule=no-such-rule", "-"],
            vec!["unknown rule \"no-such-rule\""],
        ),
        (
            vec!["check", "--rule", "privileged-containers", "-"],
            vec!["unknown rule", "'privileged-container'"],
        ),
        (
            vec!["fix", "--diff", "--write", "-"],
            vec!["cannot be used with"],
        ),
        (vec!["check", "-j", "0", "-"], vec!["positive number"]),
        (vec!["rules", "--format", "yaml"], vec!["unknown format"]),
        (vec!["explain"], vec!["<RULE>"]),
    ] {
        // Usage errors stop before any input is read (stdin stays empty).
        let o = kubeharden(&args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        for needle in needles {
            assert!(err.contains(needle), "{args:?}: {err}");
        }
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
}

#[test]
fn every_command_has_its_own_help() {
    let top = kubeharden(&["--help"], None);
    assert_eq!(top.status.code(), Some(0));
    let top = stdout(&top);
    for command in ["check", "fix", "rules", "explain", "completions"] {
        assert!(top.contains(&format!("  {command} ")), "{top}");
    }
    assert_eq!(stdout(&kubeharden(&[], None)), top, "no command: the help");
    for (command, needles) in [
        (
            "check",
            vec!["--severity-threshold", "--max-input-size", "-j, --jobs"],
        ),
        (
            "fix",
            vec!["--unsafe", "--diff", "--write", "--rule <RULE>"],
        ),
        ("rules", vec!["--format <FORMAT>", "markdown"]),
        ("explain", vec!["<RULE>"]),
        ("completions", vec!["bash", "zsh", "fish"]),
    ] {
        for args in [
            vec![command, "--help"],
            vec!["help", command],
            vec![command, "-h"],
        ] {
            let o = kubeharden(&args, None);
            assert_eq!(o.status.code(), Some(0), "{args:?}");
            let text = stdout(&o);
            assert!(
                text.contains(&format!("Usage: kubeharden {command}")),
                "{args:?}: {text}"
            );
            for needle in &needles {
                assert!(text.contains(needle), "{args:?} lacks {needle}: {text}");
            }
        }
    }
    let check = stdout(&kubeharden(&["check", "--help"], None));
    assert!(check.contains("Exit status") && !check.contains("--unsafe"));
    let version = stdout(&kubeharden(&["--version"], None));
    assert_eq!(
        version,
        format!("kubeharden {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn options_take_both_forms_and_stdin_is_the_default_when_piped() {
    let medium_only = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n";
    for args in [
        vec![
            "check",
            "--format=json",
            "--profile=baseline",
            "--kube-version=1.30",
            "-j2",
        ],
        vec![
            "check",
            "--format",
            "json",
            "--profile",
            "baseline",
            "--kube-version",
            "v1.30",
            "--jobs",
            "2",
        ],
        vec![
            "check",
            "--format",
            "sarif",
            "--format",
            "json",
            "--profile=baseline",
            "-",
        ],
    ] {
        let o = kubeharden(&args, Some(medium_only));
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["settings"]["profile"], "baseline", "{args:?}");
    }
    let o = kubeharden(
        &["check", "--format=json", "--kube-version=1.30"],
        Some(medium_only),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["settings"]["kube_version"], "v1.30");
    assert_eq!(v["findings"][0]["file"], "<stdin>");
    let o = kubeharden(&["check", "--max-input-size=10"], Some(INSECURE));
    assert_eq!(o.status.code(), Some(2));
    let host = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  containers:\n  - name: c\n    image: nginx:1.27\n    ports: [{containerPort: 80, hostPort: 80}]\n";
    let o = kubeharden(
        &["fix", "--unsafe", "--rule", "host-namespaces"],
        Some(host),
    );
    let fixed = stdout(&o);
    assert!(
        fixed.contains("hostPID: false") && fixed.contains("hostPort: 80"),
        "only the named rule is fixed: {fixed}"
    );
    let o = kubeharden(
        &[
            "fix",
            "--unsafe",
            "--rule=host-namespaces",
            "--rule",
            "host-ports",
        ],
        Some(host),
    );
    let fixed = stdout(&o);
    assert!(
        fixed.contains("hostPID: false") && !fixed.contains("hostPort"),
        "--rule repeats: {fixed}"
    );
    assert!(stderr(&o).contains("2 fixed"), "{}", stderr(&o));
}

#[test]
fn the_rules_table_is_aligned_and_explain_shows_an_example() {
    let table = stdout(&kubeharden(&["rules"], None));
    let lines: Vec<&str> = table.lines().collect();
    let column = lines[0].find("TITLE").unwrap();
    let widest_before = lines[1..]
        .iter()
        .map(|l| l[..column].trim_end().len())
        .max()
        .unwrap();
    assert_eq!(
        column,
        widest_before + 2,
        "the widest PSS cell sets the column:\n{table}"
    );
    for line in &lines[1..] {
        assert!(
            line[..column].ends_with("  ") && !line[column..].starts_with(' '),
            "{line}"
        );
    }
    let text = stdout(&kubeharden(&["explain", "host-namespaces"], None));
    let example = text
        .find("\nExample (tests/fixtures/host-namespaces/fail-")
        .unwrap();
    let instead = text
        .find("\nUse instead (the output of `kubeharden fix --unsafe`")
        .unwrap();
    assert!(example < instead, "{text}");
    assert!(
        text.contains("    hostNetwork: true") || text.contains("hostNetwork: yes"),
        "{text}"
    );
    assert!(text.contains("Apply it with `kubeharden fix --unsafe`."));
    let limits = stdout(&kubeharden(&["explain", "cpu-limits"], None));
    assert!(
        limits.contains("\nNo automatic fix\n")
            && limits.contains("\nUse instead (passes: tests/fixtures/cpu-limits/pass-"),
        "{limits}"
    );
    for doc in serde_json::from_slice::<serde_json::Value>(
        &kubeharden(&["rules", "--format", "json"], None).stdout,
    )
    .unwrap()
    .as_array()
    .unwrap()
    {
        for key in [
            "summary",
            "suppression",
            "example",
            "use_instead",
            "template_summary",
        ] {
            assert!(doc.get(key).is_some(), "{key}: {doc}");
        }
        let id = doc["id"].as_str().unwrap();
        let explained = stdout(&kubeharden(&["explain", id], None));
        for line in explained.lines().filter(|l| l.starts_with("    ")) {
            assert!(line.len() < 200, "{id}: {line}");
        }
        let example_lines = explained
            .split("\nExample (")
            .nth(1)
            .unwrap()
            .split("\n\n")
            .next()
            .unwrap()
            .lines()
            .count();
        assert!(example_lines <= 42, "{id}: the example is cut at 40 lines");
    }
}

const KNATIVE: &str = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: hello}\nspec:\n  template:\n    spec:\n      containers:\n        - image: registry.example.com/hello:1\n          securityContext: {privileged: true}\n";

const TEKTON_TASK: &str = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: build}\nspec:\n  steps:\n    - name: build\n      image: registry.example.com/builder:1\n";

#[test]
fn a_knative_service_is_checked_and_a_core_service_is_not_a_workload() {
    let o = kubeharden(&["check", "--format", "json", "-"], Some(KNATIVE));
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let privileged: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "privileged-container")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        privileged,
        ["/spec/template/spec/containers/0/securityContext/privileged"]
    );
    let human = stdout(&kubeharden(
        &["check", "--color", "never", "-"],
        Some(KNATIVE),
    ));
    assert!(
        human.contains("checked the pod template at /spec/template"),
        "{human}"
    );
    assert!(!human.contains("not checked"), "{human}");

    let core = KNATIVE.replace("serving.knative.dev/v1", "v1");
    let o = kubeharden(&["check", "--format", "json", "-"], Some(&core));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "privileged-container"),
        "{report}"
    );
}

#[test]
fn deployments_of_every_served_group_version_are_workloads() {
    for api in [
        "apps/v1",
        "apps/v1beta1",
        "apps/v1beta2",
        "extensions/v1beta1",
    ] {
        let text = format!(
            "apiVersion: {api}\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.27\n        securityContext: {{privileged: true}}\n"
        );
        let o = kubeharden(&["check", "--color", "never", "-"], Some(&text));
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "{api}: {out}");
        assert!(out.contains("privileged-container"), "{api}: {out}");
        // Built in: no custom-resource note.
        assert!(!out.contains("custom resource"), "{api}: {out}");
    }
}

#[test]
fn unchecked_objects_are_counted_and_fail_only_on_request() {
    let other = TEKTON_TASK.replace("name: build}", "name: test}");
    let two = format!("{TEKTON_TASK}---\n{other}---\n- not\n- an object\n");
    let o = kubeharden(&["check", "--color", "never", "-"], Some(&two));
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_eq!(
        out.matches("tekton.dev/v1 Task: custom resource with no pod template")
            .count(),
        2,
        "{out}"
    );
    let summary = out.lines().last().unwrap();
    assert!(summary.ends_with("; 3 objects not checked"), "{summary}");

    let o = kubeharden(&["check", "--fail-on-unchecked", "-"], Some(&two));
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));

    // A checked custom resource and an informative note are not "unchecked".
    let o = kubeharden(
        &["check", "--fail-on-unchecked", "--color", "never", "-"],
        Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("not checked"), "{}", stdout(&o));
    let o = kubeharden(
        &["check", "--fail-on-unchecked", "--color", "never", "-"],
        Some(""),
    );
    let out = stdout(&o);
    assert!(out.contains("empty input"), "{out}");
    // Nothing was checked: an empty stream (a `helm template` with every template
    // disabled) fails the run, as an unchecked object does.
    assert_eq!(o.status.code(), Some(1), "{out}");
    let o = kubeharden(&["check", "-"], Some(""));
    assert_eq!(o.status.code(), Some(0), "without the flag, only a note");

    let help = stdout(&kubeharden(&["check", "--help"], None));
    assert!(help.contains("--fail-on-unchecked"), "{help}");
}

/// `fix --diff` names files `a/PATH` and `b/PATH` for relative and absolute paths alike,
/// so `git apply` and `patch -p1` apply it (from the working directory, or from `/` for
/// absolute paths) and give exactly what `fix --write` writes.
#[test]
fn fix_diffs_apply_with_git_apply_and_patch() {
    let dir = std::env::temp_dir().join(format!("kubeharden-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("app.yaml");
    let expected = {
        std::fs::write(&file, INSECURE).unwrap();
        kubeharden(
            &["fix", "--unsafe", "--write", file.to_str().unwrap()],
            None,
        );
        std::fs::read_to_string(&file).unwrap()
    };
    assert_ne!(expected, INSECURE);
    let absolute = file.to_str().unwrap().to_string();
    for tool in ["git", "patch"] {
        for (name, cwd) in [
            (absolute.as_str(), "/"),
            ("app.yaml", dir.to_str().unwrap()),
        ] {
            std::fs::write(&file, INSECURE).unwrap();
            let diff = Command::new(env!("CARGO_BIN_EXE_kubeharden"))
                .args(["fix", "--unsafe", "--diff", name])
                .current_dir(cwd)
                .output()
                .unwrap();
            let diff = String::from_utf8(diff.stdout).unwrap();
            let path = name.trim_start_matches('/');
            assert!(
                diff.starts_with(&format!("--- a/{path}\n+++ b/{path}\n")),
                "{diff}"
            );
            let args: &[&str] = if tool == "git" {
                &["apply", "-p1", "-"]
            } else {
                &["-p1", "--silent"]
            };
            let mut child = Command::new(tool)
                .args(args)
                .current_dir(cwd)
                .stdin(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("{tool} is needed by this test: {e}"));
            child
                .stdin
                .take()
                .unwrap()
                .write_all(diff.as_bytes())
                .unwrap();
            assert!(
                child.wait().unwrap().success(),
                "{tool} applies the diff of {name}"
            );
            assert_eq!(
                std::fs::read_to_string(&file).unwrap(),
                expected,
                "{tool} {name}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Several rules about one field are one entry in the human output: a runtime socket
/// volume is reported by host-path-volumes and restricted-volume-types (the Pod Security
/// Standards' verdicts, kept) and container-runtime-socket; the most severe is shown in
/// full and the others are folded under it.
#[test]
fn findings_about_one_field_are_one_entry_in_the_human_output() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx:1}]\n  volumes:\n  - name: s\n    hostPath: {path: /var/run/docker.sock}\n";
    let o = kubeharden(&["check", "--color", "never", "-"], Some(pod));
    let text = stdout(&o);
    let heads: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("volume \"s\"") && !l.starts_with(' '))
        .collect();
    assert_eq!(heads.len(), 1, "{text}");
    assert!(
        heads[0].starts_with("critical container-runtime-socket:"),
        "{text}"
    );
    assert!(
        text.contains("  = also high host-path-volumes: volume \"s\""),
        "{text}"
    );
    assert!(
        text.contains("  = also medium restricted-volume-types: volume \"s\""),
        "{text}"
    );
    // Every finding is still counted and in the machine formats (the second high one is
    // metadata-endpoint-egress: no NetworkPolicy restricts the pod's egress).
    assert!(text.contains("1 critical, 2 high"), "{text}");
}

#[test]
fn fixing_a_rule_that_has_no_automatic_fix_is_a_usage_error() {
    let o = kubeharden(&["fix", "--rule", "memory-limits", "-"], Some(INSECURE));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("\"memory-limits\" has no automatic fix"),
        "{err}"
    );
}

#[test]
fn fix_rule_summary_counts_only_that_rule() {
    // INSECURE has one finding of run-as-non-root (an unsafe fix) among many others.
    let o = kubeharden(&["fix", "--rule", "run-as-non-root", "-"], Some(INSECURE));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("0 fixed, 0 skipped, 1 remaining"), "{err}");
    assert!(err.contains("1 more fix need --unsafe"), "{err}");
}

/// `--output` naming one of the inputs is refused before anything is written: the
/// manifest would be replaced by the report.
#[test]
fn output_that_is_an_input_is_refused() {
    let dir = std::env::temp_dir().join(format!("kubeharden-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let victim = dir.join("deploy.yaml");
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
    std::fs::write(&victim, text).unwrap();
    let v = victim.to_str().unwrap();
    let o = kubeharden(&["check", "--format", "json", "--output", v, v], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is also an input"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        text,
        "left alone"
    );
    let d = dir.to_str().unwrap();
    let o = kubeharden(&["check", "--format", "json", "--output", v, d], None);
    assert_eq!(o.status.code(), Some(2), "also when found in a directory");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Standard input is `<stdin>` in every format: SARIF's artifact URI cannot hold the angle
/// brackets, so the artifact's description carries the name.
#[test]
fn sarif_names_standard_input_in_the_artifact_description() {
    let o = kubeharden(
        &["check", "--format", "sarif", "-"],
        Some("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostPID: true, containers: [{name: c, image: nginx}]}\n"),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let artifact = &v["runs"][0]["artifacts"][0];
    assert_eq!(artifact["description"]["text"], "<stdin>");
    assert_eq!(artifact["location"]["uri"], "stdin");
}
