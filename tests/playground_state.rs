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
#[path = "../src/web/window.rs"]
mod window;

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

/// The findings list's window (issue 16: the list renders only what is visible): the
/// pieces are as high as the whole list, every entry that overlaps the view is rendered,
/// and the ones rendered are few however long the list is.
#[test]
fn the_findings_window_renders_what_overlaps_the_view_and_keeps_the_list_s_height() {
    use window::{plan, widened, Group, Heights, Piece};
    let heights = Heights {
        header: 30.0,
        entry: 100.0,
    };
    // 3,000 groups of 1 to 40 entries, every seventh closed.
    let groups: Vec<Group> = (0..3000)
        .map(|i| Group {
            entries: 1 + (i * 37) % 40,
            open: i % 7 != 3,
        })
        .collect();
    let whole: f64 = groups
        .iter()
        .map(|g| {
            heights.header
                + if g.open {
                    g.entries as f64 * heights.entry
                } else {
                    0.0
                }
        })
        .sum();
    for top in [
        0.0,
        55.0,
        12_345.0,
        whole / 2.0,
        whole - 500.0,
        whole + 10_000.0,
    ] {
        let view = (top, top + 900.0);
        let pieces = plan(&groups, heights, view);
        // Walk the pieces as the browser lays them out.
        let (mut y, mut rendered) = (0.0, 0);
        for piece in &pieces {
            match *piece {
                Piece::Gap(px) => {
                    assert!(px > 0.0);
                    y += px;
                }
                Piece::Group {
                    index,
                    from,
                    to,
                    before,
                    after,
                } => {
                    let g = groups[index];
                    assert!(from <= to && to <= g.entries);
                    if g.open {
                        assert_eq!(before, from as f64 * heights.entry);
                        assert_eq!(after, (g.entries - to) as f64 * heights.entry);
                    } else {
                        assert_eq!(
                            (from, to, before, after),
                            (0, 0, 0.0, 0.0),
                            "a closed group is its header"
                        );
                    }
                    let first = y + heights.header;
                    for e in 0..g.entries {
                        let (a, b) = (first + e as f64 * 100.0, first + (e + 1) as f64 * 100.0);
                        if g.open && a < view.1 && b > view.0 {
                            assert!(
                                (from..to).contains(&e),
                                "entry {e} of group {index} overlaps {view:?}"
                            );
                        }
                    }
                    rendered += to - from;
                    y += heights.header + before + after + (to - from) as f64 * heights.entry;
                }
            }
        }
        assert_eq!(y, whole, "the pieces are as high as the list at {top}");
        assert!(
            rendered <= 11,
            "{rendered} entries rendered for a 900 px view"
        );
    }
    assert_eq!(plan(&[], heights, (0.0, 900.0)), vec![]);
    // An endless view (a short list, rendered whole) renders every entry of every open group.
    let whole_list = plan(&groups[..20], heights, (0.0, f64::INFINITY));
    assert_eq!(whole_list.len(), 20);
    for (i, piece) in whole_list.iter().enumerate() {
        let g = groups[i];
        let to = if g.open { g.entries } else { 0 };
        assert_eq!(
            *piece,
            Piece::Group {
                index: i,
                from: 0,
                to,
                before: 0.0,
                after: 0.0
            }
        );
    }
    // Every group out of view is one gap.
    assert_eq!(
        plan(&groups[..10], heights, (1e9, 1e9 + 900.0)),
        vec![Piece::Gap(
            groups[..10]
                .iter()
                .map(|g| 30.0
                    + if g.open {
                        g.entries as f64 * 100.0
                    } else {
                        0.0
                    })
                .sum()
        )]
    );
    // The view is widened by a viewport each way, in steps of half of one: scrolling less
    // than that renders nothing new.
    assert_eq!(widened((5000.0, 5900.0), 900.0), (4050.0, 7200.0));
    assert_eq!(widened((5300.0, 6200.0), 900.0), (4050.0, 7200.0));
    assert_eq!(widened((5500.0, 6400.0), 900.0), (4500.0, 7650.0));
    assert_eq!(
        widened((0.0, 700.0), 700.0).0,
        0.0,
        "nothing above the list's top"
    );
    // A hidden pane (0 px) is rendered as if 1,000 px were in view.
    assert_eq!(widened((0.0, 0.0), 0.0), (0.0, 2000.0));
}
