//! One run over every input: the whole-bundle engine, related locations in other files
//! in every format, `check` and `fix` agreeing on the findings, per-file work spread over
//! threads giving the same report.

use std::collections::BTreeSet;
use std::process::Command;

use kubeharden::render::{human, json, sarif, HumanOptions};
use kubeharden::{Engine, InOrder, Options, Source, Spread};

/// The API server keys objects by group, kind, namespace and name, so these two files
/// define one ConfigMap twice (`kubectl apply` keeps the second).
fn two_files() -> Vec<Source> {
    vec![
        Source::new(
            "base/settings.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata: {LOG_LEVEL: info}\n",
        ),
        Source::new(
            "overlay/settings.yaml",
            "# copied from base\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {LOG_LEVEL: debug}\n",
        ),
    ]
}

/// A duplicate Pod on the host network: `duplicate-object` folds under the more severe
/// `host-namespaces` finding on the same object, and keeps its related location.
#[test]
fn a_folded_finding_keeps_its_related_location_in_the_human_output() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  hostNetwork: true\n  containers:\n  - {name: c, image: nginx:1.27}\n";
    let sources = vec![Source::new("a.yaml", pod), Source::new("b/web.yaml", pod)];
    let report = Engine::new(Options::default()).check(&sources);
    let text = human(&report, &sources, HumanOptions::default());
    let folded = text
        .find("  = also medium duplicate-object:")
        .unwrap_or_else(|| panic!("duplicate-object is folded: {text}"));
    let rest = &text[folded..];
    assert!(
        rest.contains("  ::: a.yaml:4:3 (document 1)") && rest.contains("--- first defined here"),
        "{text}"
    );
}

#[test]
fn a_related_location_in_another_file_is_shown_in_every_format() {
    let sources = two_files();
    let report = Engine::new(Options::default()).check(&sources);
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == "duplicate-object")
        .expect("the second definition is reported");
    assert_eq!(
        (f.file, f.document, f.path.as_str()),
        (1, 0, "/metadata/name")
    );
    assert_eq!(f.related.len(), 1);
    let r = &f.related[0];
    assert_eq!(
        (r.file, r.document, r.path.as_str()),
        (0, 0, "/metadata/name")
    );
    assert_eq!(&sources[0].text[r.span.start..r.span.end], "name: settings");

    let text = human(&report, &sources, HumanOptions::default());
    assert!(
        text.contains("  --> overlay/settings.yaml:4:12")
            && text.contains("  ::: base/settings.yaml:4:3 (document 1)")
            && text.contains("4 |   name: settings")
            && text.contains("--- first defined here"),
        "{text}"
    );

    let v: serde_json::Value =
        serde_json::from_str(&json(&report, &sources, &Options::default())).unwrap();
    let j = &v["findings"][0];
    assert_eq!(j["file"], "overlay/settings.yaml");
    assert_eq!(j["related"][0]["file"], "base/settings.yaml");
    assert_eq!(j["related"][0]["document"], 1);
    assert_eq!(j["related"][0]["span"]["start"]["line"], 4);
    assert_eq!(j["related"][0]["message"], "first defined here");

    let s: serde_json::Value = serde_json::from_str(&sarif(&report, &sources)).unwrap();
    let result = &s["runs"][0]["results"][0];
    let location = &result["relatedLocations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "base/settings.yaml"
    );
    assert_eq!(location["physicalLocation"]["artifactLocation"]["index"], 0);
    assert_eq!(location["physicalLocation"]["region"]["startLine"], 4);
    assert_eq!(location["message"]["text"], "first defined here");
    assert_eq!(
        result["partialFingerprints"]["kubehardenFindingId/v1"],
        "duplicate-object:overlay/settings.yaml:1:/metadata/name"
    );
}

#[test]
fn a_suppression_works_on_the_object_the_finding_is_about() {
    let mut sources = two_files();
    sources[1].text = sources[1].text.replace(
        "metadata: {name: settings, namespace: shop}",
        "metadata:\n  name: settings\n  namespace: shop\n  annotations:\n    ignore.kubeharden.io/duplicate-object: the overlay replaces the base on purpose",
    );
    let report = Engine::new(Options::default()).check(&sources);
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == "duplicate-object")
        .unwrap();
    assert_eq!(
        f.suppressed.as_deref().map(String::as_str),
        Some("the overlay replaces the base on purpose")
    );
}

/// Runs jobs in reverse order, on two threads: the report must not depend on it.
struct Reversed;

impl Spread for Reversed {
    fn each(&self, count: usize, job: &(dyn Fn(usize) + Sync)) {
        let half = count / 2;
        std::thread::scope(|s| {
            s.spawn(|| (0..half).rev().for_each(job));
            s.spawn(|| (half..count).rev().for_each(job));
        });
    }
}

#[test]
fn spreading_per_file_work_does_not_change_the_report() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut sources = Vec::new();
    for rule in std::fs::read_dir(&dir).unwrap() {
        for file in std::fs::read_dir(rule.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            sources.push(Source::new(
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    let engine = Engine::new(Options::default());
    let in_order = engine.check_spread(&sources, &InOrder);
    let spread = engine.check_spread(&sources, &Reversed);
    assert_eq!(in_order, spread);
    // Ids are unique within a report.
    let ids: BTreeSet<String> = in_order.findings.iter().map(|f| in_order.id(f)).collect();
    assert_eq!(ids.len(), in_order.findings.len());
}

fn kubeharden(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kubeharden"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// The ids in `[...]` at the end of `fixed:` and `skipped:` lines.
fn ids_in(stderr: &str, prefix: &str) -> BTreeSet<String> {
    stderr
        .lines()
        .filter(|l| l.starts_with(prefix))
        .filter_map(|l| {
            l.rsplit_once(" [")
                .map(|(_, id)| id.trim_end_matches(']').to_string())
        })
        .collect()
}

#[test]
fn check_and_fix_of_a_directory_agree_on_the_fixable_findings() {
    for dir in [
        "tests/fixtures/capabilities-restricted",
        "tests/fixtures",
        "tests/data",
    ] {
        let o = kubeharden(&["check", "--format", "json", dir]);
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let fixable: BTreeSet<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| !f["fix"].is_null() && f["suppressed"] == false)
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
        let o = kubeharden(&["fix", "--unsafe", "--diff", dir]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        let fixed = ids_in(&stderr, "fixed: ");
        let skipped = ids_in(&stderr, "skipped: ");
        let tried: BTreeSet<String> = fixed.union(&skipped).cloned().collect();
        assert_eq!(
            tried, fixable,
            "{dir}: fix tried exactly what check reports as fixable"
        );
        assert!(!fixed.is_empty() || fixable.is_empty(), "{dir}");
    }
}

/// A ClusterRole bound by twenty ClusterRoleBindings: each binding grants it, but one
/// finding lists at most `MAX_RELATED` of them and counts the rest in its message.
#[test]
fn a_finding_lists_at_most_max_related_locations_and_counts_the_rest() {
    let mut text = String::from(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: everything}\nrules:\n- apiGroups: ['*']\n  resources: ['*']\n  verbs: ['*']\n",
    );
    for i in 0..20 {
        text.push_str(&format!(
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: b{i}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}}\nsubjects: [{{kind: User, name: u{i}, apiGroup: rbac.authorization.k8s.io}}]\n"
        ));
    }
    let report = Engine::new(Options::default()).check_text(&text);
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == "rbac-wildcard")
        .expect("the wildcard role is reported");
    assert_eq!(f.related.len(), kubeharden::engine::MAX_RELATED);
    assert!(
        f.message
            .ends_with(" (4 more related locations not listed)"),
        "{}",
        f.message
    );
}
