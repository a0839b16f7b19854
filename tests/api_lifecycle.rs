//! The deprecated-API table (`policies/data/api-versions.yaml`) against the API server's
//! prerelease-lifecycle data (`tests/data/prerelease-lifecycle.json`, extracted by
//! `scripts/prerelease-lifecycle.py` from kubernetes/api, kube-aggregator and
//! apiextensions-apiserver), and the objects the migration fixes write against the
//! replacement versions' schemas (required fields present, moved fields moved).

mod common;

use std::path::Path;

use kubeharden::fix::{fix, FixOptions};
use kubeharden::rules::api_lifecycle::{api_table, ApiSource, Migration};
use kubeharden::yaml::{parse_stream, Limits};
use kubeharden::{Engine, KubeVersion, Options, Source};
use serde_json::Value as J;

fn lifecycle() -> serde_json::Map<String, J> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/prerelease-lifecycle.json"),
    )
    .unwrap();
    let v: J = serde_json::from_str(&text).unwrap();
    v["types"].as_object().unwrap().clone()
}

fn minor(v: &J) -> Option<u32> {
    v.as_str()?.strip_prefix("1.")?.parse().ok()
}

/// Replacement apiVersions where the table rightly departs from the lifecycle tag, and why.
const REPLACEMENT_EXCEPTIONS: &[(&str, &str)] = &[
    // The tag was rewritten to v1beta3 (release-1.28) long after v1alpha1 stopped being
    // served (v1.21); when it went, v1beta1 was the served replacement.
    (
        "flowcontrol.apiserver.k8s.io/v1alpha1 FlowSchema",
        "v1beta1 was served when v1alpha1 went",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1alpha1 PriorityLevelConfiguration",
        "as above",
    ),
];

#[test]
fn every_entry_from_the_lifecycle_data_matches_it() {
    let l = lifecycle();
    let table = api_table().unwrap();
    let mut problems = Vec::new();
    for e in &table.apis {
        let key = format!("{} {}", e.api_version, e.kind);
        if e.sources == [ApiSource::CoreTypes] {
            continue; // GA types: their deprecation is a doc comment, not a lifecycle tag
        }
        let Some(tags) = l.get(&key) else {
            if e.sources.contains(&ApiSource::Lifecycle) {
                problems.push(format!(
                    "{key}: says lifecycle but the data has no such type"
                ));
            }
            continue;
        };
        if !e.sources.contains(&ApiSource::Lifecycle) {
            problems.push(format!(
                "{key}: in the lifecycle data but not sourced from it"
            ));
        }
        for (field, ours) in [
            ("introduced", Some(e.introduced)),
            ("deprecated", e.deprecated),
            ("removed", e.removed),
        ] {
            if minor(&tags[field]) != ours.map(|v| v.minor) {
                problems.push(format!(
                    "{key}: {field} {ours:?}, lifecycle says {}",
                    tags[field]
                ));
            }
        }
        if let Some(tag) = tags.get("replacement").and_then(J::as_str) {
            let (version, kind) = tag.split_once(' ').unwrap();
            let excepted = REPLACEMENT_EXCEPTIONS.iter().any(|(k, _)| *k == key);
            if e.replacement.as_deref() != Some(version) && !excepted {
                problems.push(format!(
                    "{key}: replacement {:?}, lifecycle says {version}",
                    e.replacement
                ));
            }
            // The IngressClass tag names "IngressClassList" (an upstream typo): only the
            // kind of a real replacement differs from the entry's own.
            let ours = e.replacement_kind.as_deref().unwrap_or(&e.kind);
            if kind != ours && kind != format!("{ours}List") {
                problems.push(format!(
                    "{key}: replacement kind {ours}, lifecycle says {kind}"
                ));
            }
        }
        if let (Some(r), Some(since)) = (&e.replacement, e.replacement_since) {
            let kind = e.replacement_kind.as_deref().unwrap_or(&e.kind);
            if let Some(intro) = l
                .get(&format!("{r} {kind}"))
                .and_then(|t| minor(&t["introduced"]))
            {
                if intro != since.minor {
                    problems.push(format!(
                        "{key}: replacement_since {since}, {r} {kind} was introduced in 1.{intro}"
                    ));
                }
            }
        }
    }
    // Completeness: every type with a deprecation in the data is in the table.
    for (key, tags) in &l {
        if tags.get("deprecated").is_some() {
            let (version, kind) = key.split_once(' ').unwrap();
            if table.get(version, kind).is_none() {
                problems.push(format!(
                    "{key}: deprecated in the lifecycle data, missing from the table"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_table_is_consistent_and_covers_the_issue_list() {
    let table = api_table().unwrap();
    for e in &table.apis {
        assert!(
            e.replacement.is_some() || e.removal_note.is_some(),
            "{} {}",
            e.api_version,
            e.kind
        );
        if let (Some(d), Some(r)) = (e.deprecated, e.removed) {
            assert!(d <= r, "{} {}", e.api_version, e.kind);
        }
    }
    for (v, k) in [
        ("extensions/v1beta1", "Deployment"),
        ("apps/v1beta1", "StatefulSet"),
        ("apps/v1beta2", "DaemonSet"),
        ("extensions/v1beta1", "Ingress"),
        ("networking.k8s.io/v1beta1", "Ingress"),
        ("networking.k8s.io/v1beta1", "IngressClass"),
        ("extensions/v1beta1", "NetworkPolicy"),
        ("extensions/v1beta1", "PodSecurityPolicy"),
        ("policy/v1beta1", "PodSecurityPolicy"),
        ("policy/v1beta1", "PodDisruptionBudget"),
        ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
        ("rbac.authorization.k8s.io/v1alpha1", "Role"),
        ("batch/v1beta1", "CronJob"),
        ("autoscaling/v2beta1", "HorizontalPodAutoscaler"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
        (
            "admissionregistration.k8s.io/v1beta1",
            "MutatingWebhookConfiguration",
        ),
        ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
        ("apiregistration.k8s.io/v1beta1", "APIService"),
        ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
        ("coordination.k8s.io/v1beta1", "Lease"),
        ("events.k8s.io/v1beta1", "Event"),
        ("scheduling.k8s.io/v1beta1", "PriorityClass"),
        ("storage.k8s.io/v1beta1", "CSIDriver"),
        ("storage.k8s.io/v1beta1", "CSINode"),
        ("storage.k8s.io/v1beta1", "StorageClass"),
        ("storage.k8s.io/v1beta1", "VolumeAttachment"),
        ("storage.k8s.io/v1beta1", "CSIStorageCapacity"),
        ("discovery.k8s.io/v1beta1", "EndpointSlice"),
        ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema"),
        (
            "flowcontrol.apiserver.k8s.io/v1beta3",
            "PriorityLevelConfiguration",
        ),
        ("node.k8s.io/v1beta1", "RuntimeClass"),
        ("authentication.k8s.io/v1beta1", "TokenReview"),
        ("authorization.k8s.io/v1beta1", "SubjectAccessReview"),
    ] {
        assert!(table.get(v, k).is_some(), "{v} {k} missing");
    }
}

/// Every object of `text` as JSON.
fn objects(text: &str) -> Vec<J> {
    let stream = parse_stream(text, &Limits::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    stream
        .documents
        .iter()
        .filter_map(|d| d.root.map(|r| d.to_json(r)))
        .collect()
}

/// What the replacement version's schema requires of the fields the migration touches
/// (k8s.io/api apps/v1, networking/v1, policy/v1 types and their validation in
/// k8s.io/kubernetes pkg/apis/*/validation): an empty list when the object is valid.
fn invalid_for_replacement(o: &J) -> Vec<String> {
    let mut out = Vec::new();
    let api = o["apiVersion"].as_str().unwrap_or("");
    let kind = o["kind"].as_str().unwrap_or("");
    match (api, kind) {
        ("apps/v1", "Deployment" | "DaemonSet" | "ReplicaSet" | "StatefulSet") => {
            let sel = &o["spec"]["selector"]["matchLabels"];
            let labels = &o["spec"]["template"]["metadata"]["labels"];
            match sel.as_object() {
                None => out.push("spec.selector.matchLabels missing".into()),
                Some(m) => {
                    for (k, v) in m {
                        if labels.get(k) != Some(v) {
                            out.push(format!(
                                "selector {k}={v} does not match the template labels"
                            ));
                        }
                    }
                }
            }
            for gone in ["rollbackTo", "templateGeneration"] {
                if o["spec"].get(gone).is_some() {
                    out.push(format!("spec.{gone} is not an apps/v1 field"));
                }
            }
        }
        ("networking.k8s.io/v1", "Ingress") => {
            let spec = &o["spec"];
            if spec.get("backend").is_some() {
                out.push("spec.backend is spec.defaultBackend in v1".into());
            }
            let mut backends: Vec<&J> = spec.get("defaultBackend").into_iter().collect();
            for rule in spec["rules"].as_array().into_iter().flatten() {
                for path in rule["http"]["paths"].as_array().into_iter().flatten() {
                    match path["pathType"].as_str() {
                        Some("Exact" | "Prefix" | "ImplementationSpecific") => {}
                        other => out.push(format!("pathType {other:?}: required in v1")),
                    }
                    backends.extend(path.get("backend"));
                }
            }
            for b in backends {
                if b.get("serviceName").is_some() || b.get("servicePort").is_some() {
                    out.push("serviceName/servicePort are v1beta1 fields".into());
                }
                if let Some(s) = b.get("service") {
                    let port = &s["port"];
                    let ok = s["name"].is_string()
                        && (port["number"].is_i64()
                            ^ port["name"]
                                .as_str()
                                .is_some_and(|n| n.bytes().any(|c| c.is_ascii_alphabetic())));
                    if !ok {
                        out.push(format!(
                            "service backend {s} needs name and one of port.number|port.name"
                        ));
                    }
                } else if b.get("resource").is_none() {
                    out.push("backend without service or resource".into());
                }
            }
        }
        (
            "flowcontrol.apiserver.k8s.io/v1beta3" | "flowcontrol.apiserver.k8s.io/v1",
            "PriorityLevelConfiguration",
        ) if !o["spec"]["limited"]["assuredConcurrencyShares"].is_null() => {
            out.push("v1beta3 renamed assuredConcurrencyShares to nominalConcurrencyShares".into());
        }
        ("rbac.authorization.k8s.io/v1", "RoleBinding" | "ClusterRoleBinding")
            if o["subjects"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| !s["apiVersion"].is_null())) =>
        {
            out.push("rbac/v1 subjects have apiGroup, not apiVersion".into());
        }
        ("policy/v1", "PodDisruptionBudget")
            if o["spec"]["selector"]
                .as_object()
                .is_some_and(|m| m.is_empty()) =>
        {
            out.push("an empty selector selects every pod in policy/v1".into());
        }
        _ => {}
    }
    out
}

#[test]
fn the_migration_fixes_write_objects_valid_for_the_replacement_version() {
    let table = api_table().unwrap();
    let mut checked = 0;
    for rule in ["removed-api", "deprecated-api"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(rule);
        for path in common::files(&dir, &["yaml", "json"]) {
            let name = path.file_name().unwrap().to_str().unwrap();
            if !name.starts_with("fail") || name.contains(".fixed.") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let version = common::header(&text, "kube-version")
                .map_or(KubeVersion::LATEST, |v| v.parse().unwrap());
            let opts = FixOptions {
                check: Options {
                    version,
                    ..Options::default()
                },
                unsafe_fixes: true,
                rules: Some(vec![rule.to_string()]),
                ..FixOptions::default()
            };
            let fixed = fix(&text, &opts);
            let before = objects(&text);
            let after = objects(fixed.text());
            assert_eq!(before.len(), after.len(), "{name}");
            for (b, a) in before.iter().zip(&after) {
                if a["apiVersion"] == b["apiVersion"] {
                    continue; // not migrated (no replacement, or withheld)
                }
                checked += 1;
                let kind = b["kind"].as_str().unwrap();
                let mut entry = table.get(b["apiVersion"].as_str().unwrap(), kind).unwrap();
                // One step, or a chain of them where a replacement is itself removed at
                // the target (flowcontrol v1beta1 → v1beta3 → v1 at v1.37): every step is
                // an automatic migration, and only the last version is served.
                loop {
                    assert_ne!(
                        entry.migration,
                        Migration::Manual,
                        "{name}: a manual migration was applied"
                    );
                    let replacement = entry.replacement.as_deref();
                    if a["apiVersion"].as_str() == replacement {
                        break;
                    }
                    entry = replacement
                        .and_then(|r| table.get(r, kind))
                        .filter(|e| e.removed.is_some_and(|r| r <= version))
                        .unwrap_or_else(|| {
                            panic!("{name}: {} is not the replacement", a["apiVersion"])
                        });
                }
                let problems = invalid_for_replacement(a);
                assert!(
                    problems.is_empty(),
                    "{name}: {} {}: {problems:?}",
                    a["kind"],
                    a["metadata"]["name"]
                );
            }
            // Re-checked, the fixed text has none of the rule's fixable findings left.
            let report =
                Engine::new(opts.check).check(&[Source::new("f", fixed.text().to_string())]);
            assert!(report.errors.is_empty(), "{name}");
            let left: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.rule == rule && f.fixable().is_some())
                .map(|f| f.message.clone())
                .collect();
            assert!(left.is_empty(), "{name}: {left:?}");
        }
    }
    assert!(checked >= 10, "only {checked} migrated objects checked");
}

#[test]
fn an_extensions_v1beta1_deployment_still_gets_its_pod_checks() {
    let text = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: web\n        image: web:1.0\n        securityContext: {privileged: true}\n";
    let report = Engine::new(Options::default()).check(&[Source::new("d.yaml", text.to_string())]);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert!(rules.contains(&"privileged-container"), "{rules:?}");
    assert!(rules.contains(&"removed-api"), "{rules:?}");
}

/// Pluto rows (FairwindsOps/pluto versions.yaml, `tests/data/pluto-versions.json`) whose
/// dates differ from the table, each a known Pluto error (reference §6), decided by the
/// lifecycle tags the API server follows.
const PLUTO_ERRORS: &[(&str, &str)] = &[
    (
        "extensions/v1beta1 Deployment",
        "deprecated-in set to apps/v1's release (v1.9); tags say v1.8",
    ),
    ("apps/v1beta1 Deployment", "as above"),
    ("apps/v1beta1 StatefulSet", "as above"),
    ("extensions/v1beta1 DaemonSet", "as above"),
    (
        "extensions/v1beta1 ReplicaSet",
        "deprecated-in left empty; tags say v1.8",
    ),
    (
        "apps/v1beta2 ReplicaSet",
        "deprecated-in left empty; tags say v1.9",
    ),
    (
        "extensions/v1beta1 PodSecurityPolicy",
        "v1.10, when policy/v1beta1 appeared; tags say v1.11",
    ),
    (
        "storage.k8s.io/v1beta1 StorageClass",
        "the replacement's release (v1.6); tags say v1.19",
    ),
    (
        "storage.k8s.io/v1beta1 VolumeAttachment",
        "v1.13; tags say v1.19",
    ),
    (
        "apiregistration.k8s.io/v1beta1 APIService",
        "v1.10; kube-aggregator's tags say v1.19",
    ),
    (
        "authentication.k8s.io/v1beta1 TokenReview",
        "v1.6; tags say v1.19",
    ),
    ("coordination.k8s.io/v1beta1 Lease", "v1.14; tags say v1.19"),
    ("events.k8s.io/v1beta1 Event", "v1.19; tags say v1.22"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema",
        "D v1.24 R v1.29; tags say v1.23, v1.26",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration",
        "as above",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema",
        "D v1.24; tags say v1.26",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2 PriorityLevelConfiguration",
        "as above",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema",
        "D v1.24; tags say v1.29",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration",
        "D v1.31; tags say v1.29",
    ),
    (
        "admissionregistration.k8s.io/v1alpha1 ValidatingAdmissionPolicy",
        "D v1.28 R v1.33; tags say v1.29, v1.32",
    ),
    (
        "admissionregistration.k8s.io/v1alpha1 ValidatingAdmissionPolicyBinding",
        "as above",
    ),
    (
        "resource.k8s.io/v1beta1 DeviceClass",
        "D v1.33 R v1.36; tags say v1.35, v1.38",
    ),
    ("resource.k8s.io/v1beta1 ResourceClaim", "as above"),
    ("resource.k8s.io/v1beta1 ResourceClaimTemplate", "as above"),
    ("resource.k8s.io/v1beta1 ResourceSlice", "as above"),
    (
        "resource.k8s.io/v1alpha3 DeviceClass",
        "D v1.32 R v1.34; tags say v1.34, v1.37",
    ),
    ("resource.k8s.io/v1alpha3 ResourceClaim", "as above"),
    ("resource.k8s.io/v1alpha3 ResourceClaimTemplate", "as above"),
    ("resource.k8s.io/v1alpha3 ResourceSlice", "as above"),
    (
        "storage.k8s.io/v1beta1 VolumeAttributesClass",
        "no removal; tags say v1.37",
    ),
    (
        "storage.k8s.io/v1alpha1 VolumeAttributesClass",
        "D v1.31; tags say v1.32",
    ),
    (
        "storagemigration.k8s.io/v1alpha1 StorageVersionMigration",
        "D v1.35 R v1.35; tags say v1.33, v1.36",
    ),
];

/// Pluto rows the table rightly leaves out.
fn pluto_row_not_an_api(version: &str, kind: &str) -> bool {
    kind.ends_with("List") // list wrappers, not objects
        || version.starts_with("audit.k8s.io/") // audit policy files, not served APIs
        || (version, kind) == ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowControl") // no such kind
        || (version, kind) == ("apps/v1beta1", "ReplicaSet") // never existed (§6 item 5)
        // An alpha with no lifecycle tags, off by default; alphas may go without notice.
        || (version, kind) == ("scheduling.k8s.io/v1alpha1", "PriorityClass")
}

#[test]
fn pluto_agrees_except_for_its_known_errors() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pluto-versions.json"),
    )
    .unwrap();
    let pluto: J = serde_json::from_str(&text).unwrap();
    let table = api_table().unwrap();
    let mut problems = Vec::new();
    let mut used = Vec::new();
    for row in pluto["rows"].as_array().unwrap() {
        let (version, kind) = (
            row["version"].as_str().unwrap(),
            row["kind"].as_str().unwrap(),
        );
        let key = format!("{version} {kind}");
        let Some(e) = table.get(version, kind) else {
            if !pluto_row_not_an_api(version, kind) {
                problems.push(format!("{key}: in Pluto, missing from the table"));
            }
            continue;
        };
        if pluto_row_not_an_api(version, kind) {
            problems.push(format!("{key}: in the table, but listed as not an API"));
        }
        let ours = (
            e.deprecated.map(|v| v.minor as u64),
            e.removed.map(|v| v.minor as u64),
        );
        let theirs = (row["deprecated"].as_u64(), row["removed"].as_u64());
        let known = PLUTO_ERRORS.iter().any(|(k, _)| *k == key);
        if ours != theirs && !known {
            problems.push(format!(
                "{key}: Pluto {theirs:?}, table {ours:?}, not a known Pluto error"
            ));
        }
        if ours == theirs && known {
            problems.push(format!("{key}: listed as a Pluto error but they agree"));
        }
        used.push(key);
    }
    for (k, _) in PLUTO_ERRORS {
        if !used.iter().any(|u| u == k) {
            problems.push(format!("{k}: listed as a Pluto error, not in Pluto"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
