//! The playground's pure modules (`src/web/`: state and reducer, share links, examples,
//! the engine calls, the Access and Reach views' data), built and unit-tested natively: `cargo test --test playground_state`.
//! The browser-only modules (components, CodeMirror) are built by `make dist`.

// The app uses more of these modules than their tests do.
#![allow(dead_code)]

#[path = "../src/web/access_data.rs"]
mod access_data;
#[path = "../src/web/coverage.rs"]
mod coverage;
#[path = "../src/web/engine.rs"]
mod engine;
#[path = "../src/web/examples.rs"]
mod examples;
#[path = "../src/web/export.rs"]
mod export;
#[path = "../src/web/reach_data.rs"]
mod reach_data;
#[path = "../src/web/share.rs"]
mod share;
#[path = "../src/web/state.rs"]
mod state;

/// The Reach view is `kubeharden reach` of the same text at the same Kubernetes version:
/// the same matrix for every namespace, the same notes, and the same documents left out
/// for a YAML error at the same line and column (the CLI says so on standard error). Both
/// read the version for one field: below v1.22 the API server drops `endPort` (the
/// NetworkPolicyEndPort gate is off by default in v1.21, the field absent before;
/// pkg/registry/networking/networkpolicy/strategy.go `PrepareForCreate`), so a policy
/// with a port range answers differently at v1.20 and at the newest version, in both.
#[test]
fn the_reach_view_is_the_cli_s_reach_at_the_same_version() {
    use std::io::Write;
    use std::process::{Command, Stdio};

    use kubeharden::access::reach::PortQuery;
    use kubeharden::KubeVersion;

    let reach = |text: &str, version: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kubeharden"))
            .args(["reach", "--format", "json", "--kube-version", version, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let metadata = include_str!("../www/examples/metadata-egress.yaml");
    let app = include_str!("../www/examples/multi-document-app.yaml");
    let broken = format!("{metadata}---\nkey: [unclosed\n");
    let range = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{ports: [{port: 79, endPort: 81}]}]
";
    // The metadata endpoint is on port 80: in the range, not the port.
    let metadata_cell = |json: &serde_json::Value| {
        let m = &json["namespaces"][0];
        let j = m["destinations"]
            .as_array()
            .unwrap()
            .iter()
            .position(|d| d.as_str().unwrap().starts_with("metadata"))
            .unwrap();
        m["cells"][0][j]["verdict"].as_str().unwrap().to_string()
    };
    let (old, _) = reach(range, "1.20");
    let (new, _) = reach(range, "latest");
    assert_eq!(metadata_cell(&old), "denied");
    assert_eq!(metadata_cell(&new), "allowed");
    assert!(
        old["notes"][0].as_str().unwrap().contains("endPort"),
        "{old}"
    );
    assert!(new.get("notes").is_none(), "{new}");
    for text in [metadata, app, broken.as_str(), range] {
        for (version, kube) in [
            ("1.20", KubeVersion::new(20)),
            ("latest", KubeVersion::LATEST),
        ] {
            let (json, stderr) = reach(text, version);
            let namespaces = json["namespaces"].as_array().unwrap();
            assert!(!namespaces.is_empty());
            for m in namespaces {
                let ns = m["namespace"].as_str();
                let view = reach_data::reach_data(text, ns, &PortQuery::Any, kube);
                let notes: Vec<String> = json["notes"]
                    .as_array()
                    .map(|n| {
                        n.iter()
                            .map(|n| n.as_str().unwrap().replace("<stdin>", "manifest.yaml"))
                            .collect()
                    })
                    .unwrap_or_default();
                assert_eq!(view.notes, notes);
                assert_eq!(view.namespace.as_deref(), ns);
                let sources: Vec<&str> = m["sources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap())
                    .collect();
                assert_eq!(view.sources, sources);
                let cells: Vec<Vec<Option<String>>> = m["cells"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|row| {
                        row.as_array()
                            .unwrap()
                            .iter()
                            .map(|c| c["verdict"].as_str().map(str::to_string))
                            .collect()
                    })
                    .collect();
                let view_cells: Vec<Vec<Option<String>>> = view
                    .cells
                    .iter()
                    .map(|row| {
                        row.iter()
                            .map(|c| c.as_ref().map(|c| c.verdict.text().to_string()))
                            .collect()
                    })
                    .collect();
                assert_eq!(view_cells, cells, "namespace {ns:?}");
            }
            // `kubeharden: -:LINE:COLUMN: MESSAGE (document left out)`, one line per error.
            let left_out: Vec<String> = stderr
                .lines()
                .filter(|l| l.ends_with("(document left out)"))
                .map(str::to_string)
                .collect();
            let view = reach_data::reach_data(text, None, &PortQuery::Any, kube);
            let said: Vec<String> = view
                .errors
                .iter()
                .map(|e| {
                    format!(
                        ":{}:{}: {} (document left out)",
                        e.line, e.column, e.message
                    )
                })
                .collect();
            assert_eq!(left_out.len(), said.len(), "{stderr}");
            for (cli, view) in left_out.iter().zip(&said) {
                assert!(cli.ends_with(view.as_str()), "{cli:?} / {view:?}");
            }
        }
    }
    assert_eq!(reach(&broken, "latest").1.lines().count(), 1);
}
