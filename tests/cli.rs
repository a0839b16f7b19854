//! The command line as a user runs it: exit codes, formats, inputs.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kubeharden(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeharden"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
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
        (vec!["check", "no/such/file.yaml"], "cannot read"),
        (
            vec!["check", "--kube-version", "2.0", "-"],
            "invalid Kubernetes version",
        ),
        (vec!["check", "--profile", "strict", "-"], "unknown profile"),
        (vec!["explain", "no-such-rule"], "unknown rule"),
        (vec!["frobnicate"], "unknown command"),
    ] {
        let o = kubeharden(&args, Some(""));
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
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
        "privileged-container:-:1:/spec/containers/0/securityContext/privileged"
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
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "host-namespaces");
    assert_eq!(f["suppressed"], true);
    assert_eq!(
        f["suppression_reason"],
        "the CNI agent configures the node network"
    );
    assert_eq!(v["summary"]["suppressed"], 1);
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
        let validity = ["duplicate-key", "invalid-field-type", "invalid-suppression"]
            .contains(&f["rule"].as_str().unwrap());
        assert!(validity || f["pss"]["level"] == "baseline", "{f}");
    }
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
    assert!(
        fixed.contains("securityContext: {privileged: false, allowPrivilegeEscalation: false"),
        "{fixed}"
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("fixed"),
        "a summary on stderr"
    );
    let o = kubeharden(&["fix", "--unsafe", "--diff", "-"], Some(INSECURE));
    let diff = stdout(&o);
    assert!(diff.starts_with("--- -\n+++ - (hardened)\n@@"), "{diff}");
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
    std::fs::remove_dir_all(&dir).unwrap();
    let o = kubeharden(&["fix", "tests/data/hardened.yaml"], None);
    assert_eq!(o.status.code(), Some(0));
}
