//! Every manifest of the shared corpora (and some hostile inputs) is checked without a
//! panic, every finding points inside its text, and the JSON and SARIF outputs parse.

mod common;

use kubeharden::render::{json, sarif};
use kubeharden::{Engine, Options, Source};

/// The UTF-8 files among `paths`, as sources.
fn read_sources(paths: &[std::path::PathBuf]) -> Vec<Source> {
    paths
        .iter()
        .filter_map(|p| {
            Some(Source::new(
                p.display().to_string(),
                String::from_utf8(std::fs::read(p).ok()?).ok()?,
            ))
        })
        .collect()
}

fn check_all(sources: &[Source]) {
    let engine = Engine::new(Options::default());
    let report = engine.check(sources);
    for f in &report.findings {
        let text = &sources[f.file as usize].text;
        assert!(
            f.span.start <= f.span.end && f.span.end <= text.len(),
            "{f:?}"
        );
        assert!(
            text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end),
            "{f:?}"
        );
        assert!(f.path.is_empty() || f.path.starts_with('/'), "{f:?}");
    }
    for e in report.errors.iter().chain(&report.notes) {
        assert!(e.span.end <= sources[e.file].text.len(), "{e:?}");
    }
    let j: serde_json::Value =
        serde_json::from_str(&json(&report, sources, engine.options())).unwrap();
    assert_eq!(
        j["findings"].as_array().unwrap().len(),
        report.findings.len()
    );
    let s: serde_json::Value = serde_json::from_str(&sarif(&report, sources)).unwrap();
    assert_eq!(
        s["runs"][0]["results"].as_array().unwrap().len(),
        report.findings.len()
    );
}

#[test]
fn peer_corpora_never_panic_and_locate_every_finding() {
    let Some(root) = common::corpus("") else {
        return;
    };
    let files = common::files(&root, &["yaml", "yml", "json"]);
    assert!(
        files.len() > 4000,
        "expected the whole corpus, found {} files",
        files.len()
    );
    check_all(&read_sources(&files));
    // Also every peer file without extension filtering (kubesec ships odd files).
    check_all(&read_sources(&common::files(
        &root.join("peers/kubesec"),
        &[],
    )));
}

#[test]
fn hostile_and_odd_inputs_give_errors_or_notes_not_panics() {
    let inputs = [
        "",
        "   \n\n",
        "# only a comment\n",
        "---\n---\n...\n",
        "[1, 2",
        "key: value\n",
        "- a\n- b\n",
        "plain scalar",
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": {\"containers\": 3}}",
        "apiVersion: v1\nkind: Pod\nspec: []\n",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - 1\n  - [a]\n  - name: x\n    securityContext: yes\n",
        "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  spec: {containers: [{name: a, securityContext: {privileged: true}}]}\n- 7\n",
        "kind: PodList\napiVersion: v1\nitems:\n- metadata: {name: a}\n  spec: {hostPID: true, containers: []}\n",
        "a: &a [*a]\n",
        "a: *unknown\n",
        "\u{feff}apiVersion: v1\nkind: Pod\n",
        "apiVersion: v1\r\nkind: Pod\r\nspec:\r\n  hostNetwork: true\r\n  containers: []\r\n",
        "kind: [1]\n",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    a: [1]\n    ignore.kubeharden.io/host-namespaces: 5\n",
        "\t- tab",
        "key: \"unterminated\n---\napiVersion: v1\nkind: Pod\nspec: {hostIPC: true, containers: []}\n",
    ];
    let sources: Vec<Source> = inputs
        .iter()
        .enumerate()
        .map(|(i, t)| Source::new(format!("input{i}"), *t))
        .collect();
    check_all(&sources);
    let report = Engine::new(Options::default()).check(&sources[20..21]);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert!(
        report.findings.iter().any(|f| f.rule == "host-namespaces"),
        "the document after a broken one is still checked"
    );
}
