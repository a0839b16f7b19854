//! The RBAC rules on a generated bundle: 10,000 workloads, 1,000 NetworkPolicies and
//! 1,000 RBAC objects (Roles, ClusterRoles — some aggregated — and their bindings), the
//! size issue 10 asks to stay within 2x of the per-object rules. Run with
//! `cargo bench --bench rbac` (`RBAC_BENCH_SCALE=N` multiplies every count, to show that
//! the time grows linearly).
//!
//! Measured, single-threaded, median of 5 runs:
//! - the full check (`Engine::check`: parse, model, index, every rule);
//! - the whole-bundle rules alone, run on the bundle built once (the RBAC rules, and every
//!   whole-bundle rule of the catalogue);
//! - the per-object part, as the full check minus every whole-bundle rule.

use std::fmt::Write;
use std::time::{Duration, Instant};

use kubeharden::model::DocumentModel;
use kubeharden::rules::{self, BundleCx, Check};
use kubeharden::yaml::{parse_stream, Limits};
use kubeharden::{Bundle, Catalogue, Engine, KubeVersion, Options, Source};

/// The generated bundle: one text, `scale` times the counts.
fn generate(scale: usize) -> String {
    let mut out = String::new();
    let namespaces = 50 * scale;
    for i in 0..10_000 * scale {
        let ns = i % namespaces;
        writeln!(
            out,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i}, namespace: ns-{ns}}}\nspec:\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}, tier: web}}}}\n    spec:\n      serviceAccountName: sa-{}\n      containers:\n        - name: app\n          image: registry.example.com/app:1.{i}\n          securityContext: {{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {{drop: [ALL]}}}}\n          resources: {{limits: {{cpu: 100m, memory: 64Mi}}}}\n---",
            i % 200
        )
        .unwrap();
    }
    for i in 0..1_000 * scale {
        let ns = i % namespaces;
        writeln!(
            out,
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np-{i}, namespace: ns-{ns}}}\nspec:\n  podSelector: {{matchLabels: {{app: app-{i}}}}}\n  policyTypes: [Ingress, Egress]\n  ingress: [{{from: [{{podSelector: {{matchLabels: {{tier: web}}}}}}]}}]\n  egress: [{{to: [{{ipBlock: {{cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}}}]}}]\n---"
        )
        .unwrap();
    }
    // 1,000 RBAC objects: 250 Roles + 250 RoleBindings, 200 ClusterRoles (20 aggregated)
    // + 200 ClusterRoleBindings, 100 RoleBindings to ClusterRoles.
    let a = "apiVersion: rbac.authorization.k8s.io/v1";
    for i in 0..250 * scale {
        let ns = i % namespaces;
        writeln!(out, "{a}\nkind: Role\nmetadata: {{name: role-{i}, namespace: ns-{ns}}}\nrules:\n  - {{apiGroups: [''], resources: [pods, configmaps], verbs: [get, list, watch]}}\n  - {{apiGroups: [''], resources: [secrets], resourceNames: [tls-{i}], verbs: [get]}}\n  - {{apiGroups: [apps], resources: [deployments], verbs: [create, patch]}}\n---").unwrap();
        writeln!(out, "{a}\nkind: RoleBinding\nmetadata: {{name: rb-{i}, namespace: ns-{ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: role-{i}}}\nsubjects: [{{kind: ServiceAccount, name: sa-{}}}]\n---", i % 200).unwrap();
    }
    for i in 0..200 * scale {
        if i % 10 == 0 {
            writeln!(out, "{a}\nkind: ClusterRole\nmetadata: {{name: cr-{i}}}\naggregationRule:\n  clusterRoleSelectors: [{{matchLabels: {{example.com/aggregate-to: cr-{i}}}}}]\nrules: []\n---").unwrap();
        } else {
            writeln!(out, "{a}\nkind: ClusterRole\nmetadata: {{name: cr-{i}, labels: {{example.com/aggregate-to: cr-{}}}}}\nrules:\n  - {{apiGroups: [''], resources: [nodes, pods/exec], verbs: [get, create]}}\n  - {{apiGroups: ['*'], resources: ['*'], verbs: [list]}}\n---", i - i % 10).unwrap();
        }
        writeln!(out, "{a}\nkind: ClusterRoleBinding\nmetadata: {{name: crb-{i}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr-{i}}}\nsubjects: [{{kind: ServiceAccount, name: sa-{}, namespace: ns-{}}}]\n---", i % 200, i % namespaces).unwrap();
    }
    for i in 0..100 * scale {
        writeln!(out, "{a}\nkind: RoleBinding\nmetadata: {{name: rbc-{i}, namespace: ns-{}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr-{}}}\nsubjects: [{{kind: Group, name: team-{i}, apiGroup: rbac.authorization.k8s.io}}]\n---", i % namespaces, i % 200).unwrap();
    }
    out
}

/// Median wall time of `runs` calls of `f` (after one warm-up), and what `f` returned.
fn median(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut value = f();
    for _ in 0..runs {
        let t = Instant::now();
        value = std::hint::black_box(f());
        times.push(t.elapsed());
    }
    times.sort();
    (times[runs / 2], value)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let scale: usize = std::env::var("RBAC_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let text = generate(scale);
    let sources = vec![Source::new("generated.yaml", text)];
    let engine = Engine::new(Options::default());
    let (full, findings) = median(5, || engine.check(&sources).findings.len());

    // The bundle once, then every whole-bundle rule on it.
    let limits = Limits::default();
    let streams: Vec<_> = sources
        .iter()
        .map(|s| parse_stream(&s.text, &limits))
        .collect();
    let models: Vec<Vec<_>> = streams
        .iter()
        .map(|s| s.documents.iter().map(DocumentModel::read).collect())
        .collect();
    let bundle = Bundle::new(&sources, &streams, &models);
    let catalogue = Catalogue::builtin();
    let bundle_rules: Vec<_> = catalogue
        .rules
        .iter()
        .filter_map(|r| match rules::template(&r.template)?.check {
            Check::Bundle(f) => Some((r, f)),
            _ => None,
        })
        .collect();
    let run = |only_rbac: bool| {
        let mut hits = 0;
        // The indexes the rules of one run share, built afresh for each run.
        let shared = kubeharden::rules::BundleShared::default();
        for (rule, check) in &bundle_rules {
            if only_rbac && !rule.id.starts_with("rbac-") {
                continue;
            }
            let cx = BundleCx {
                rule,
                catalogue,
                version: KubeVersion::LATEST,
                bundle: &bundle,
                shared: &shared,
            };
            let mut count = |_: kubeharden::rules::BundleHit| hits += 1;
            check(&cx, &mut kubeharden::rules::BundleHits::new(&mut count));
        }
        hits
    };
    let (rbac, rbac_hits) = median(5, || run(true));
    let (all_bundle, _) = median(5, || run(false));
    let per_object = full.saturating_sub(all_bundle);
    let rbac_rules = bundle_rules
        .iter()
        .filter(|(r, _)| r.id.starts_with("rbac-"))
        .count();
    let mb = sources[0].text.len() as f64 / 1e6;
    println!(
        "generated bundle x{scale}: {} workloads, {} NetworkPolicies, {} RBAC objects, {mb:.1} MB",
        10_000 * scale,
        1_000 * scale,
        1_000 * scale
    );
    println!(
        "full check:                   {:8.1} ms ({findings} findings)",
        ms(full)
    );
    println!(
        "{rbac_rules} RBAC rules alone:           {:8.1} ms ({rbac_hits} hits)",
        ms(rbac)
    );
    println!("every whole-bundle rule alone: {:8.1} ms", ms(all_bundle));
    println!("per-object part (full - bundle): {:6.1} ms", ms(per_object));
    println!(
        "full / per-object: {:.2}x (limit 2x)",
        full.as_secs_f64() / per_object.as_secs_f64().max(1e-9)
    );
}
