//! The cross-resource rules at scale (issue 10): a generated bundle of 10,000 workloads in
//! 100 namespaces, 1,000 NetworkPolicies and 1,000 RBAC objects, checked with every rule,
//! against the time the NetworkPolicy, metadata, ServiceAccount and namespace rules (the
//! whole-bundle templates of `rules::netpol`, `rules::identity`, `rules::namespaces`) take
//! alone on the same parsed bundle. Run with `cargo bench --bench cross_resource`.

use std::fmt::Write;
use std::time::{Duration, Instant};

use kubeharden::model::DocumentModel;
use kubeharden::rules::{self, BundleCx, Check};
use kubeharden::yaml::{parse_stream, Limits};
use kubeharden::{Bundle, Catalogue, Engine, KubeVersion, Options, Source};

const NAMESPACES: usize = 100;
const WORKLOADS: usize = 10_000;
const POLICIES: usize = 1_000;
const RBAC: usize = 1_000;

fn generate() -> String {
    let mut s = String::new();
    for i in 0..WORKLOADS {
        let ns = i % NAMESPACES;
        let _ = write!(
            s,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w{i}, namespace: ns{ns}}}\nspec:\n  selector: {{matchLabels: {{app: w{i}}}}}\n  template:\n    metadata: {{labels: {{app: w{i}, tier: t{}}}}}\n    spec:\n      serviceAccountName: sa{}\n      containers:\n      - name: c\n        image: registry.example.com/app:{i}\n        env: [{{name: DB_PASSWORD, valueFrom: {{configMapKeyRef: {{name: cm, key: password}}}}}}]\n",
            i % 7,
            i % 50
        );
    }
    for i in 0..POLICIES {
        let ns = i % NAMESPACES;
        let selector = if i % 10 == 0 {
            "{}".to_string()
        } else {
            format!(
                "{{matchExpressions: [{{key: tier, operator: In, values: [t{}]}}]}}",
                i % 7
            )
        };
        let _ = write!(
            s,
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p{i}, namespace: ns{ns}}}\nspec:\n  podSelector: {selector}\n  ingress: [{{from: [{{namespaceSelector: {{}}, podSelector: {{matchLabels: {{app: front}}}}}}]}}]\n  egress:\n  - to: [{{ipBlock: {{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}}}]\n    ports: [{{port: 443}}, {{port: 10250}}]\n"
        );
    }
    for i in 0..RBAC / 2 {
        let ns = i % NAMESPACES;
        let _ = write!(
            s,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: r{i}, namespace: ns{ns}}}\nrules: [{{apiGroups: [\"\"], resources: [pods], verbs: [get, list]}}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: b{i}, namespace: ns{ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: r{i}}}\nsubjects: [{{kind: ServiceAccount, name: sa{}}}]\n",
            i % 50
        );
    }
    s
}

fn median(runs: usize, mut f: impl FnMut() -> usize) -> Duration {
    let mut times = Vec::with_capacity(runs);
    let mut sink = 0;
    f();
    for _ in 0..runs {
        let t = Instant::now();
        sink ^= f();
        times.push(t.elapsed());
    }
    std::hint::black_box(sink);
    times.sort();
    times[runs / 2]
}

fn main() {
    let text = generate();
    let sources = vec![Source::new("generated.yaml", text)];
    let engine = Engine::new(Options::default());
    let all = median(5, || engine.check(&sources).findings.len());

    let streams: Vec<_> = sources
        .iter()
        .map(|s| parse_stream(&s.text, &Limits::default()))
        .collect();
    let models: Vec<Vec<_>> = streams
        .iter()
        .map(|s| s.documents.iter().map(DocumentModel::read).collect())
        .collect();
    let bundle = Bundle::new(&sources, &streams, &models);
    let catalogue = Catalogue::builtin();
    let mine: Vec<_> = catalogue
        .rules
        .iter()
        .filter_map(|r| Some((r, rules::template(&r.template)?)))
        .filter(|(_, t)| {
            [
                rules::netpol::TEMPLATES,
                rules::identity::TEMPLATES,
                rules::namespaces::TEMPLATES,
            ]
            .iter()
            .any(|set| set.iter().any(|s| s.name == t.name))
        })
        .collect();
    let bundle_rules = median(5, || {
        let mut n = 0;
        // The indexes the rules of one run share, built afresh for each run.
        let shared = kubeharden::rules::BundleShared::default();
        for (rule, t) in &mine {
            if let Check::Bundle(check) = t.check {
                let cx = BundleCx {
                    rule,
                    catalogue,
                    version: KubeVersion::LATEST,
                    bundle: &bundle,
                    shared: &shared,
                };
                let mut count = |_: kubeharden::rules::BundleHit| n += 1;
                check(&cx, &mut kubeharden::rules::BundleHits::new(&mut count));
            }
        }
        n
    });
    let rest = all.saturating_sub(bundle_rules);
    println!(
        "{WORKLOADS} workloads, {POLICIES} NetworkPolicies, {RBAC} RBAC objects ({} bytes, {} rules of this issue's NetworkPolicy/metadata/namespace part)",
        sources[0].text.len(),
        mine.len()
    );
    println!("full check, every rule:                {all:>10.2?}");
    println!(
        "these whole-bundle rules alone:        {bundle_rules:>10.2?} (hits only, before emitting)"
    );
    println!("everything else (per-object and emit): {rest:>10.2?}");
    println!(
        "full / everything else:                {:>10.2}x",
        all.as_secs_f64() / rest.as_secs_f64().max(1e-9)
    );
}
