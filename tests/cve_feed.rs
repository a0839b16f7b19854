//! `policies/data/k8s-cves.yaml` against the OSV snapshot of the official Kubernetes CVE feed
//! it was read from (tests/data/cve-feed-osv.json, kubernetes-sigs/cve-feed-osv at 9760a22):
//! every `from: osv` entry has the snapshot's ranges, every CVE of a package versioned with
//! Kubernetes is in the data, every `from: advisory` entry of the snapshot really differs from
//! it, and the data's date is the snapshot's newest publication. Then the answers the rules
//! give for known releases, from the advisories.

use std::collections::BTreeMap;

use kubeharden::rules::cve::{cve_table, exposure, CveSource, Exposure, Release};
use kubeharden::{Engine, KubeVersion, Options, Source};
use serde_json::Value;

/// The packages the Kubernetes release numbers version (scripts/k8s-cves.py `KEEP`).
const KUBERNETES_PACKAGES: &[&str] = &[
    "k8s.io/kubernetes",
    "k8s.io/apiserver",
    "k8s.io/kubelet",
    "k8s.io/kubectl",
    "k8s.io/kube-proxy",
    "k8s.io/controller-manager",
    "k8s.io/client-go",
];

/// Separately versioned projects of the feed, left out of `cves`.
const OTHER_PACKAGES: &[&str] = &[
    "k8s.io/ingress-nginx",
    "sigs.k8s.io/secrets-store-csi-driver",
    "sigs.k8s.io/azurefile-csi-driver",
    "github.com/kubernetes-csi/csi-proxy",
];

fn snapshot() -> BTreeMap<String, Value> {
    let text = include_str!("data/cve-feed-osv.json");
    let v: BTreeMap<String, Value> = serde_json::from_str(text).unwrap();
    v.into_iter()
        .filter(|(k, _)| k.starts_with("CVE-"))
        .collect()
}

/// The snapshot's ranges of a CVE for the Kubernetes packages, sorted; `None` when the CVE
/// has none. Panics when two Kubernetes packages of one CVE disagree.
fn kube_ranges(id: &str, entry: &Value) -> Option<Vec<(Release, Release)>> {
    let mut found: Option<Vec<(Release, Release)>> = None;
    for (package, ranges) in entry["packages"].as_object().unwrap() {
        assert!(
            KUBERNETES_PACKAGES.contains(&package.as_str())
                || OTHER_PACKAGES.contains(&package.as_str()),
            "{id}: package {package} is neither a Kubernetes package nor a known other project"
        );
        if !KUBERNETES_PACKAGES.contains(&package.as_str()) {
            continue;
        }
        let mut pairs: Vec<(Release, Release)> = ranges
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let r = |i: usize| Release::parse(p[i].as_str().unwrap()).unwrap();
                (r(0), r(1))
            })
            .collect();
        pairs.sort();
        if let Some(before) = &found {
            assert_eq!(before, &pairs, "{id}: packages disagree");
        }
        found = Some(pairs);
    }
    found
}

#[test]
fn the_data_is_the_snapshot_except_where_an_advisory_says_otherwise() {
    let table = cve_table().unwrap();
    let snap = snapshot();
    let mut problems = Vec::new();
    for (id, entry) in &snap {
        let Some(ranges) = kube_ranges(id, entry) else {
            if table.kube(id).is_some() {
                problems.push(format!(
                    "{id}: in `cves` but the snapshot lists no Kubernetes package"
                ));
            }
            continue;
        };
        let Some(ours) = table.kube(id) else {
            problems.push(format!("{id}: in the snapshot, missing from `cves`"));
            continue;
        };
        let data: Vec<(Release, Release)> = ours
            .affected
            .iter()
            .map(|r| (r.introduced, r.fixed))
            .collect();
        match ours.from {
            CveSource::Osv if data != ranges => problems.push(format!(
                "{id}: ranges {data:?} differ from the snapshot {ranges:?}"
            )),
            CveSource::Advisory if data == ranges => problems.push(format!(
                "{id}: from the advisory, but the snapshot agrees: say `from: osv`"
            )),
            _ => {}
        }
        if ours.published != entry["published"].as_str().unwrap() {
            problems.push(format!("{id}: published {} in the data", ours.published));
        }
    }
    for c in &table.cves {
        if !snap.contains_key(&c.id) && c.from != CveSource::Advisory {
            problems.push(format!(
                "{}: not in the snapshot, so it must come from the advisory",
                c.id
            ));
        }
    }
    let newest = snap
        .values()
        .map(|e| e["published"].as_str().unwrap())
        .max()
        .unwrap();
    if table.source.as_of != newest {
        problems.push(format!(
            "as_of {} but the snapshot's newest CVE is of {newest}",
            table.source.as_of
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn kv(s: &str) -> KubeVersion {
    s.parse().unwrap()
}

/// Releases the advisories name: affected up to the last vulnerable release, fixed from the
/// first patched one.
#[test]
fn the_advisories_boundaries_hold() {
    let table = cve_table().unwrap();
    let cases: &[(&str, &str, Option<&str>)] = &[
        // kubernetes/kubernetes#71411: fixed in v1.10.11, v1.11.5, v1.12.3.
        ("CVE-2018-1002105", "1.12.2", Some("1.12.3")),
        ("CVE-2018-1002105", "1.12.3", None),
        ("CVE-2018-1002105", "1.11.4", Some("1.11.5")),
        ("CVE-2018-1002105", "1.10.11", None),
        // #104980: affected <= v1.19.14 and v1.22.0 - v1.22.1.
        ("CVE-2021-25741", "1.19.14", Some("1.19.15")),
        ("CVE-2021-25741", "1.22.1", Some("1.22.2")),
        ("CVE-2021-25741", "1.22.2", None),
        ("CVE-2021-25741", "1.23.0", None),
        // #128885: kubelet <= v1.28.11, v1.29.0 - v1.29.6, v1.30.0 - v1.30.2.
        ("CVE-2024-10220", "1.28.11", Some("1.28.12")),
        ("CVE-2024-10220", "1.29.6", Some("1.29.7")),
        ("CVE-2024-10220", "1.30.2", Some("1.30.3")),
        ("CVE-2024-10220", "1.30.3", None),
        ("CVE-2024-10220", "1.31.0", None),
    ];
    for &(id, at, fixed) in cases {
        let cve = table.kube(id).unwrap();
        let got = exposure(cve, kv(at)).map(|e| match e {
            Exposure::Affected { fixed } => fixed,
            Exposure::Line { .. } => panic!("{at} has a patch"),
        });
        assert_eq!(
            got,
            fixed.map(|f| Release::parse(f).unwrap()),
            "{id} at {at}"
        );
    }
    let nginx = &table.ingress_nginx[0];
    assert_eq!(nginx.id, "CVE-2025-1974");
    for (release, affected) in [
        ("0.49.3", true),
        ("1.11.4", true),
        ("1.11.5", false),
        ("1.12.0", true),
        ("1.12.1", false),
        ("1.13.0", false),
    ] {
        let r = Release::parse(release).unwrap();
        assert_eq!(
            nginx.range_of(r).is_some(),
            affected,
            "ingress-nginx {release}"
        );
    }
}

fn cve_findings(version: &str, text: &str) -> Vec<String> {
    let engine = Engine::new(Options {
        version: kv(version),
        ..Options::default()
    });
    engine
        .check(&[Source::new("a.yaml", text.to_string())])
        .findings
        .iter()
        .filter(|f| f.rule == "kube-version-cves")
        .map(|f| f.message.to_string())
        .collect()
}

#[test]
fn the_target_finding_is_once_per_run_and_follows_the_patch_level() {
    let two = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n";
    let f = cve_findings("1.12.2", two);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].contains("CVE-2018-1002105 (kube-apiserver"),
        "{}",
        f[0]
    );
    assert!(f[0].contains("fixed in v1.12.3"), "{}", f[0]);
    let f = cve_findings("1.12.3", two);
    assert!(!f[0].contains("CVE-2018-1002105"), "{}", f[0]);
    // Without a patch release nothing is known to apply: a note says what the patch
    // level decides, and the run does not fail on it.
    assert!(cve_findings("1.12", two).is_empty());
    let options = kubeharden::Options {
        version: "1.12".parse().unwrap(),
        ..kubeharden::Options::default()
    };
    let report = kubeharden::Engine::new(options).check_text(two);
    let notes: Vec<&str> = report
        .notes
        .iter()
        .map(|n| n.message.as_str())
        .filter(|m| m.starts_with("kube-version-cves: "))
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("the patch release of Kubernetes v1.12 decides"),
        "{}",
        notes[0]
    );
    assert!(cve_findings("1.30.3", two).is_empty());
    assert!(cve_findings("latest", two).is_empty());
    assert!(
        cve_findings("1.12.2", "").is_empty(),
        "no object, no place for it"
    );
}
