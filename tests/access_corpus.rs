//! The access and reachability models on every install of `../shared/corpus/real/` (one
//! bundle per project, as `kubeharden access DIR` and `kubeharden reach DIR` read it):
//! both matrices are computed without a panic or a parse error, every place they name
//! lies inside its file, and on kube-prometheus (which ships NetworkPolicies and RBAC)
//! a few answers worked out by hand from its manifests hold. Skipped with a printed reason
//! when the corpus is absent; an error instead when `KUBEHARDEN_REQUIRE_CORPUS` is set.

mod common;

use kubeharden::access::rbac::Target;
use kubeharden::access::reach::{Endpoint, Outside, PortQuery, Verdict};
use kubeharden::access::{with_bundle, Access, AccessOptions, At, Bootstrap, Origin, Reach, User};
use kubeharden::yaml::Limits;
use kubeharden::{KubeVersion, Source};

fn sources(dir: &std::path::Path) -> Vec<Source> {
    common::files(dir, &["yaml", "yml", "json"])
        .iter()
        .map(|p| Source::new(p.display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect()
}

fn inside(at: &At, sources: &[Source], problems: &mut Vec<String>, what: &str) {
    let len = match at.origin {
        Origin::Bundle(i) => sources.get(i).map(|s| s.text.len()),
        Origin::BuiltIn(p) => kubeharden::access::bootstrap::text(p).map(str::len),
    };
    if len.is_none_or(|l| at.span.end > l || at.locate(sources).is_none()) {
        problems.push(format!("{what}: {at:?} is outside its file"));
    }
}

#[test]
fn every_install_gets_both_matrices_with_valid_places() {
    let Some(root) = common::corpus("real") else {
        return;
    };
    let boot = Bootstrap::new(KubeVersion::LATEST);
    let mut problems = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 10, "{dirs:?}");
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let sources = sources(&dir);
        let ((), errors) = with_bundle(&sources, &Limits::default(), |b| {
            let access = Access::new(b, &boot, AccessOptions::default());
            let m = access.matrix();
            for row in &m.rows {
                for g in row.cells.iter().flat_map(|c| &c.grants) {
                    for at in [&g.rule_at, &g.binding_at, &g.subject_at] {
                        inside(at, &sources, &mut problems, &name);
                    }
                }
            }
            let reach = Reach::new(b);
            for ns in reach.namespaces() {
                let m = reach.matrix(ns.as_deref(), &PortQuery::Any);
                for a in m.cells.iter().flatten().flatten() {
                    for r in a
                        .egress
                        .allowing
                        .iter()
                        .chain(&a.ingress.allowing)
                        .chain(&a.ingress.policies)
                    {
                        inside(&r.at, &sources, &mut problems, &name);
                    }
                }
            }
        });
        if !errors.is_empty() {
            problems.push(format!(
                "{name}: {} documents could not be read",
                errors.len()
            ));
        }
    }
    common::assert_none(&problems);
}

/// kube-prometheus `manifests/`: the prometheus-operator ServiceAccount's ClusterRole grants
/// `secrets` with `*` verbs (prometheusOperator-clusterRole.yaml), bound by a
/// ClusterRoleBinding; grafana's NetworkPolicy admits TCP 3000 from the prometheus pods
/// only (grafana-networkPolicy.yaml), and every policy there allows all egress (`egress:
/// [{}]`), so grafana reaches the metadata endpoint.
#[test]
fn kube_prometheus_answers_worked_out_by_hand() {
    let Some(root) = common::corpus("real") else {
        return;
    };
    let sources = sources(&root.join("kube-prometheus"));
    let boot = Bootstrap::new(KubeVersion::LATEST);
    let ((), errors) = with_bundle(&sources, &Limits::default(), |b| {
        let access = Access::new(b, &boot, AccessOptions::default());
        let operator = User::service_account("monitoring", "prometheus-operator");
        let d = access.can(&operator, "list", &Target::resource("", "secrets"), None);
        assert!(d.allowed);
        assert_eq!(
            d.grants[0].binding,
            "ClusterRoleBinding prometheus-operator"
        );
        let grafana_sa = User::service_account("monitoring", "grafana");
        assert!(
            !access
                .can(
                    &grafana_sa,
                    "list",
                    &Target::resource("", "secrets"),
                    Some("monitoring")
                )
                .allowed
        );

        let reach = Reach::new(b);
        let grafana = reach.find("monitoring/grafana", None).unwrap();
        let kube_state = reach.find("monitoring/kube-state-metrics", None).unwrap();
        let a = reach.answer(
            Endpoint::Workload(kube_state),
            Endpoint::Workload(grafana),
            &PortQuery::tcp(3000),
        );
        assert_eq!(a.verdict, Verdict::Denied, "{a:?}");
        let a = reach.answer(
            Endpoint::Workload(grafana),
            Endpoint::Outside(Outside::Metadata),
            &PortQuery::Any,
        );
        assert_eq!(a.verdict, Verdict::Allowed, "{a:?}");
        assert!(a.egress.isolated);
    });
    assert!(errors.is_empty());
}
