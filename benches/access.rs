//! The access and reachability models on a generated bundle the size of a playground
//! paste (a few hundred objects) and of a large install, and on the real install
//! manifests of ../shared/corpus/real/ when present. Run with `cargo bench --bench access`
//! (`ACCESS_BENCH_SCALE=N` multiplies the large bundle's counts).
//!
//! Measured, single-threaded, median of 5 runs, the bundle parsed once beforehand:
//! - `Access::new` + `matrix()` (the `access` command's model, bootstrap policy included);
//! - `who_can(get secrets)` in one namespace;
//! - `Reach::new` + the matrix of every namespace (the `reach` command's model).

use std::fmt::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use kubeharden::access::rbac::Target;
use kubeharden::access::reach::PortQuery;
use kubeharden::access::{with_bundle, Access, AccessOptions, Bootstrap, Reach};
use kubeharden::yaml::Limits;
use kubeharden::{KubeVersion, Source};

/// `namespaces` namespaces of `per_ns` Deployments each, one NetworkPolicy per two
/// workloads (default-deny plus allow-from-neighbour), a Role, RoleBinding and
/// ServiceAccount per workload, and a few ClusterRoles and ClusterRoleBindings.
fn generate(namespaces: usize, per_ns: usize) -> String {
    let mut out = String::new();
    let rbac = "apiVersion: rbac.authorization.k8s.io/v1";
    for n in 0..namespaces {
        writeln!(out, "apiVersion: v1\nkind: Namespace\nmetadata: {{name: ns-{n}, labels: {{team: t{}}}}}\n---", n % 3).unwrap();
        writeln!(out, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny, namespace: ns-{n}}}\nspec: {{podSelector: {{}}, policyTypes: [Ingress, Egress]}}\n---").unwrap();
        for w in 0..per_ns {
            writeln!(out, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{w}, namespace: ns-{n}}}\nspec:\n  template:\n    metadata: {{labels: {{app: app-{w}, tier: t{}}}}}\n    spec:\n      serviceAccountName: sa-{w}\n      containers: [{{name: c, image: nginx, ports: [{{name: http, containerPort: 8080}}]}}]\n---", w % 4).unwrap();
            writeln!(out, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: sa-{w}, namespace: ns-{n}}}\n---").unwrap();
            writeln!(out, "{rbac}\nkind: Role\nmetadata: {{name: r-{w}, namespace: ns-{n}}}\nrules: [{{apiGroups: [''], resources: [configmaps, pods], verbs: [get, list]}}, {{apiGroups: [''], resources: [secrets], resourceNames: [s-{w}], verbs: [get]}}]\n---").unwrap();
            writeln!(out, "{rbac}\nkind: RoleBinding\nmetadata: {{name: rb-{w}, namespace: ns-{n}}}\nsubjects: [{{kind: ServiceAccount, name: sa-{w}}}]\nroleRef: {{kind: Role, name: r-{w}, apiGroup: rbac.authorization.k8s.io}}\n---").unwrap();
            if w % 2 == 0 {
                writeln!(out, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np-{w}, namespace: ns-{n}}}\nspec:\n  podSelector: {{matchLabels: {{app: app-{w}}}}}\n  ingress: [{{from: [{{podSelector: {{matchLabels: {{tier: t{}}}}}}}, {{namespaceSelector: {{matchLabels: {{team: t0}}}}}}], ports: [{{port: http}}]}}]\n  egress: [{{to: [{{ipBlock: {{cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}}}]}}]\n---", (w + 1) % 4).unwrap();
            }
        }
        writeln!(out, "{rbac}\nkind: RoleBinding\nmetadata: {{name: editors, namespace: ns-{n}}}\nsubjects: [{{kind: Group, name: team-{n}}}]\nroleRef: {{kind: ClusterRole, name: edit, apiGroup: rbac.authorization.k8s.io}}\n---").unwrap();
    }
    for c in 0..10 {
        writeln!(out, "{rbac}\nkind: ClusterRole\nmetadata: {{name: cr-{c}, labels: {{rbac.authorization.k8s.io/aggregate-to-view: 'true'}}}}\nrules: [{{apiGroups: [example.com], resources: [widgets-{c}], verbs: [get]}}]\n---").unwrap();
        writeln!(out, "{rbac}\nkind: ClusterRoleBinding\nmetadata: {{name: crb-{c}}}\nsubjects: [{{kind: ServiceAccount, name: sa-{c}, namespace: ns-0}}]\nroleRef: {{kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}}\n---").unwrap();
    }
    out
}

fn median(mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..5 {
        let t = Instant::now();
        size = f();
        times.push(t.elapsed());
    }
    times.sort();
    (times[2], size)
}

fn measure(name: &str, sources: &[Source]) {
    let boot = Bootstrap::new(KubeVersion::LATEST);
    let ((), errors) = with_bundle(sources, &Limits::default(), |bundle| {
        let objects = bundle.objects.len();
        let (rbac, cells) = median(|| {
            let a = Access::new(bundle, &boot, AccessOptions::default());
            let m = a.matrix();
            m.rows.len() * m.permissions.len()
        });
        let (who, holders) = median(|| {
            let a = Access::new(bundle, &boot, AccessOptions::default());
            a.who_can("get", &Target::resource("", "secrets"), Some("ns-0"))
                .len()
        });
        let (reach, pairs) = median(|| {
            let r = Reach::new(bundle);
            r.namespaces()
                .iter()
                .map(|n| {
                    let m = r.matrix(n.as_deref(), &PortQuery::tcp(8080));
                    m.sources.len() * m.destinations.len()
                })
                .sum()
        });
        println!(
            "{name}: {objects} objects, {} workloads | access matrix {cells} cells {rbac:.2?} | who-can {holders} subjects {who:.2?} | reach {pairs} cells {reach:.2?}",
            bundle.pods.len()
        );
    });
    assert!(
        errors.is_empty(),
        "{name}: {} documents could not be read",
        errors.len()
    );
}

fn read_dir(dir: &Path, out: &mut Vec<Source>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            read_dir(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            if let Ok(text) = std::fs::read_to_string(&p) {
                out.push(Source::new(p.display().to_string(), text));
            }
        }
    }
}

fn main() {
    let scale: usize = std::env::var("ACCESS_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    // A playground paste: 3 namespaces × 10 workloads, about 200 objects.
    measure("paste", &[Source::new("paste.yaml", generate(3, 10))]);
    measure(
        "large",
        &[Source::new("large.yaml", generate(20 * scale, 50))],
    );
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    if let Ok(entries) = std::fs::read_dir(&real) {
        let mut dirs: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for d in dirs {
            let mut sources = Vec::new();
            read_dir(&d, &mut sources);
            let name = d
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            measure(&name, &sources);
        }
    }
}
