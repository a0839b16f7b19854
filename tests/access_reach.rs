//! The reachability model (`Reach::answer`, `Reach::matrix`) on small bundles whose
//! answers are worked out by hand from the NetworkPolicy documentation,
//! <https://kubernetes.io/docs/concepts/services-networking/network-policies/> (NP below),
//! and k8s.io/api networking/v1/types.go; each test names the section it encodes.

use kubeharden::access::reach::{Answer, Endpoint, Outside, PortQuery, Reach, Verdict};
use kubeharden::access::with_bundle;
use kubeharden::yaml::Limits;
use kubeharden::Source;

/// Answers for (from, to, port) triples, workloads named `NS/NAME` (or `NAME`).
fn answers(yaml: &str, queries: &[(&str, &str, PortQuery)]) -> Vec<Answer> {
    let sources = [Source::new("bundle.yaml", yaml)];
    let (out, errors) = with_bundle(&sources, &Limits::default(), |b| {
        let r = Reach::new(b);
        let end = |t: &str| match Outside::parse(t) {
            Some(o) => Endpoint::Outside(o),
            None => Endpoint::Workload(r.find(t, None).unwrap()),
        };
        queries
            .iter()
            .map(|(f, t, p)| r.answer(end(f), end(t), p))
            .collect::<Vec<_>>()
    });
    assert!(errors.is_empty(), "{errors:?}");
    out
}

fn verdicts(yaml: &str, queries: &[(&str, &str, PortQuery)]) -> Vec<Verdict> {
    answers(yaml, queries).iter().map(|a| a.verdict).collect()
}

fn tcp(p: i64) -> PortQuery {
    PortQuery::tcp(p)
}

use Verdict::{Allowed, Denied, Unknown};

fn deploy(ns: &str, name: &str, labels: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  template:
    metadata: {{labels: {labels}}}
    spec:
      containers:
      - name: c
        image: nginx
        ports: [{{name: http, containerPort: 8080}}]
---
"
    )
}

fn namespace(name: &str, labels: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}, labels: {labels}}}\n---\n")
}

/// NP "Default deny all ingress traffic": `podSelector: {}` with policyTypes [Ingress]
/// isolates every pod of the namespace for ingress and leaves egress alone.
#[test]
fn default_deny_ingress_isolates_ingress_only() {
    let yaml = deploy("shop", "web", "{app: web}")
        + &deploy("shop", "db", "{app: db}")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-ingress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
";
    let v = verdicts(
        &yaml,
        &[
            ("shop/web", "shop/db", tcp(5432)),
            ("shop/db", "internet", tcp(443)),
            ("internet", "shop/web", tcp(8080)),
            ("shop/web", "metadata", PortQuery::Any),
        ],
    );
    assert_eq!(v, [Denied, Allowed, Denied, Allowed]);
}

/// NP "The NetworkPolicy resource" example (test-network-policy): db pods accept TCP 6379
/// from ipBlock 172.17.0.0/16 except 172.17.1.0/24, from namespaces labelled
/// project=myproject and from role=frontend pods of the namespace; their egress is TCP
/// 5978 to 10.0.0.0/24 only. An ipBlock against a pod cannot be decided (pod addresses are
/// not in manifests); egress isolation also cuts DNS ("a common mistake").
#[test]
fn the_documentation_example_policy() {
    let yaml = namespace("default", "{}")
        + &namespace("myproject", "{project: myproject}")
        + &deploy("default", "db", "{role: db}")
        + &deploy("default", "frontend", "{role: frontend}")
        + &deploy("myproject", "client", "{app: client}")
        + &deploy("default", "backend", "{role: backend}")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: test-network-policy, namespace: default}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}
    - namespaceSelector: {matchLabels: {project: myproject}}
    - podSelector: {matchLabels: {role: frontend}}
    ports: [{protocol: TCP, port: 6379}]
  egress:
  - to: [{ipBlock: {cidr: 10.0.0.0/24}}]
    ports: [{protocol: TCP, port: 5978}]
";
    let a = answers(
        &yaml,
        &[
            ("default/frontend", "default/db", tcp(6379)),
            ("default/frontend", "default/db", tcp(80)),
            ("myproject/client", "default/db", tcp(6379)),
            ("default/backend", "default/db", tcp(6379)),
            ("default/db", "internet", tcp(443)),
            ("default/db", "dns", PortQuery::Any),
            ("default/db", "metadata", PortQuery::Any),
            ("internet", "default/db", tcp(6379)),
        ],
    );
    let v: Vec<Verdict> = a.iter().map(|a| a.verdict).collect();
    assert_eq!(
        v,
        [Allowed, Denied, Allowed, Unknown, Denied, Denied, Denied, Denied]
    );
    // The allowing peer is named.
    assert_eq!(a[0].ingress.allowing.len(), 1);
    assert_eq!(
        a[0].ingress.allowing[0].policy,
        "NetworkPolicy default/test-network-policy"
    );
    assert!(
        a[3].ingress.reasons[0].contains("ipBlock 172.17.0.0/16"),
        "{:?}",
        a[3].ingress.reasons
    );
    // 172.17.0.0/16 is private: the internet is not among its sources.
    assert!(a[7].ingress.isolated && a[7].ingress.allowing.is_empty());
}

/// NP "Behavior of to and from selectors": one peer with namespaceSelector and podSelector
/// is an AND; two peers are an OR ("allows connections from Pods in the local Namespace
/// with the label role=client, or from any Pod in any namespace with the label
/// user=alice").
#[test]
fn and_versus_or_peers() {
    let base = namespace("app", "{}")
        + &namespace("alice", "{user: alice}")
        + &deploy("app", "server", "{app: server}")
        + &deploy("app", "client", "{role: client}")
        + &deploy("alice", "worker", "{app: worker}")
        + &deploy("alice", "alice-client", "{role: client}");
    let policy = |from: &str| {
        format!(
            "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: p, namespace: app}}
spec:
  podSelector: {{matchLabels: {{app: server}}}}
  ingress:
  - from:
{from}"
        )
    };
    let and = base.clone()
        + &policy("    - namespaceSelector: {matchLabels: {user: alice}}\n      podSelector: {matchLabels: {role: client}}\n");
    let or = base
        + &policy("    - namespaceSelector: {matchLabels: {user: alice}}\n    - podSelector: {matchLabels: {role: client}}\n");
    let q = [
        ("alice/worker", "app/server", tcp(8080)),
        ("app/client", "app/server", tcp(8080)),
        ("alice/alice-client", "app/server", tcp(8080)),
    ];
    assert_eq!(verdicts(&and, &q), [Denied, Denied, Allowed]);
    assert_eq!(verdicts(&or, &q), [Allowed, Allowed, Allowed]);
}

/// types.go `PolicyTypes` and defaults.go: without policyTypes, Egress is added only when
/// the policy has egress rules, so `egress: []` does not isolate egress (popeye#311);
/// `egress: [{}]` isolates and allows everything; an explicit `policyTypes: [Egress]` with
/// no rules denies all egress.
#[test]
fn empty_egress_without_policy_types_does_not_isolate() {
    let policy = |spec: &str| {
        deploy("shop", "web", "{app: web}")
            + "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n"
            + spec
    };
    let q = [
        ("shop/web", "metadata", PortQuery::Any),
        ("shop/web", "internet", tcp(443)),
    ];
    let open = answers(&policy("  ingress: [{}]\n  egress: []\n"), &q);
    assert_eq!(open[0].verdict, Allowed);
    assert!(!open[0].egress.isolated);
    assert_eq!(
        verdicts(&policy("  egress: [{}]\n"), &q),
        [Allowed, Allowed]
    );
    assert_eq!(
        verdicts(&policy("  policyTypes: [Egress]\n"), &q),
        [Denied, Denied]
    );
    assert_eq!(
        verdicts(&policy("  policyTypes: [Egress]\n  egress: []\n"), &q),
        [Denied, Denied]
    );
}

/// The IMDS consequence of additive policies (NP "policies are additive"): an except of
/// 169.254.169.254/32 in one rule does not block the metadata endpoint when another
/// selecting policy allows all egress; an IPv4 block does not reach the IPv6 endpoint.
#[test]
fn metadata_exceptions_are_undone_by_any_other_allowance() {
    let base = deploy("shop", "web", "{app: web}")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: no-imds, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]
";
    let q = [
        ("shop/web", "metadata", PortQuery::Any),
        ("shop/web", "metadata-v6", PortQuery::Any),
        ("shop/web", "internet", tcp(443)),
        ("shop/web", "kubelet", PortQuery::Any),
    ];
    let a = answers(&base, &q);
    let v: Vec<Verdict> = a.iter().map(|a| a.verdict).collect();
    assert_eq!(v, [Denied, Denied, Allowed, Unknown]);
    assert!(a[3].egress.reasons[0].contains("nodes' addresses"));
    let opened = base
        + "---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web-out, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress: [{}]
";
    let a = answers(&opened, &q[..1]);
    assert_eq!(a[0].verdict, Allowed);
    assert_eq!(
        a[0].egress.allowing[0].policy,
        "NetworkPolicy shop/allow-web-out"
    );
}

/// NetworkPolicyPort: a named port is the destination pod's container port of that name;
/// `endPort` makes a range; protocol defaults to TCP.
#[test]
fn named_ports_and_ranges() {
    let yaml = deploy("shop", "web", "{app: web}")
        + &deploy("shop", "client", "{app: client}")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - ports: [{port: http}, {port: 9000, endPort: 9100}]
";
    let q = [
        ("shop/client", "shop/web", tcp(8080)),
        ("shop/client", "shop/web", tcp(8081)),
        ("shop/client", "shop/web", tcp(9050)),
        (
            "shop/client",
            "shop/web",
            PortQuery::Port {
                protocol: "UDP".into(),
                port: 8080,
            },
        ),
        ("shop/client", "shop/web", PortQuery::Any),
    ];
    assert_eq!(
        verdicts(&yaml, &q),
        [Allowed, Denied, Allowed, Denied, Allowed]
    );
}

/// What the bundle cannot decide: a namespaceSelector over a namespace the bundle does not
/// define (unless it only uses kubernetes.io/metadata.name, which the API server sets),
/// a pod template without labels, and a hostNetwork pod ("NetworkPolicy behaviour for
/// hostNetwork pods is undefined", NP "NetworkPolicy and hostNetwork pods").
#[test]
fn what_the_bundle_cannot_decide_is_unknown_with_a_reason() {
    let yaml = deploy("shop", "web", "{app: web}")
        + &deploy("ext", "client", "{app: client}")
        + &deploy("shop", "bare", "{}")
        + "apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers: [{name: c, image: agent}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: payments}}
    - podSelector: {matchLabels: {app: agent}}
    - podSelector: {matchLabels: {app: trusted}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: by-name, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ext}}}]
    ports: [{port: 9999}]
";
    let a = answers(
        &yaml,
        &[
            ("ext/client", "shop/web", tcp(8080)),
            ("ext/client", "shop/web", tcp(9999)),
            ("shop/bare", "shop/web", tcp(8080)),
            ("shop/agent", "shop/web", tcp(8080)),
        ],
    );
    assert_eq!(a[0].verdict, Unknown);
    assert!(
        a[0].ingress
            .reasons
            .iter()
            .any(|r| r.contains("namespace ext is not defined")),
        "{:?}",
        a[0].ingress.reasons
    );
    assert_eq!(
        a[1].verdict, Allowed,
        "metadata.name is known without the Namespace object"
    );
    assert_eq!(a[2].verdict, Unknown);
    assert!(
        a[2].ingress.reasons.iter().any(|r| r.contains("no labels")),
        "{:?}",
        a[2].ingress.reasons
    );
    assert_eq!(a[3].verdict, Unknown);
    assert!(a[3]
        .egress
        .reasons
        .iter()
        .any(|r| r.contains("hostNetwork")));
}

/// Cluster DNS: an egress policy must allow UDP 53 to the DNS pods (k8s-app=kube-dns in
/// kube-system); kube-system's name label is known without its Namespace object.
#[test]
fn dns_egress_through_the_kube_system_name_label() {
    let yaml = deploy("shop", "web", "{app: web}")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns-only, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
";
    let v = verdicts(
        &yaml,
        &[
            ("shop/web", "dns", PortQuery::Any),
            ("shop/web", "kubelet", PortQuery::Any),
            ("shop/web", "internet", tcp(53)),
        ],
    );
    assert_eq!(v, [Allowed, Denied, Denied]);
}

/// The matrix of a namespace: its workloads and the internet as rows, its workloads and
/// the outside as columns; the internet row has no outside cells.
#[test]
fn the_namespace_matrix_has_outside_rows_and_columns() {
    let yaml = deploy("shop", "web", "{app: web}")
        + &deploy("shop", "db", "{app: db}")
        + &deploy("other", "x", "{app: x}");
    let sources = [Source::new("bundle.yaml", yaml)];
    let (m, _) = with_bundle(&sources, &Limits::default(), |b| {
        let r = Reach::new(b);
        assert_eq!(
            r.namespaces(),
            [Some("other".to_string()), Some("shop".to_string())]
        );
        r.matrix(Some("shop"), &PortQuery::Any)
    });
    assert_eq!(m.sources, ["Deployment web", "Deployment db", "internet"]);
    assert_eq!(
        m.destinations,
        [
            "Deployment web",
            "Deployment db",
            "internet",
            "metadata",
            "metadata-v6",
            "kubelet",
            "dns"
        ]
    );
    assert!(m.cells[2][2].is_none());
    assert!(
        m.cells[0]
            .iter()
            .all(|c| c.as_ref().unwrap().verdict == Allowed),
        "no policy: all open"
    );
}

/// NP "Behavior of to and from selectors" and types.go `NetworkPolicyPeer`: an empty
/// `namespaceSelector: {}` selects every namespace (those the bundle does not define too);
/// an empty `podSelector: {}` peer alone selects every pod of the policy's namespace only.
#[test]
fn empty_selectors_in_peers() {
    let base = deploy("shop", "web", "{app: web}")
        + &deploy("shop", "worker", "{app: worker}")
        + &deploy("elsewhere", "client", "{app: client}");
    let policy = |from: &str| {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  ingress: [{{from: [{from}]}}]\n"
        )
    };
    let q = [
        ("elsewhere/client", "shop/web", tcp(8080)),
        ("shop/worker", "shop/web", tcp(8080)),
    ];
    assert_eq!(
        verdicts(&(base.clone() + &policy("{namespaceSelector: {}}")), &q),
        [Allowed, Allowed]
    );
    assert_eq!(
        verdicts(&(base.clone() + &policy("{podSelector: {}}")), &q),
        [Denied, Allowed]
    );
    assert_eq!(
        verdicts(
            &(base + &policy("{namespaceSelector: {}, podSelector: {matchLabels: {app: client}}}")),
            &q
        ),
        [Allowed, Denied]
    );
}

/// A hostNetwork pod's traffic leaves from (or arrives at) its node's address, which no
/// pod selector matches: a policy that would deny its pod labels does not decide it (NP
/// "NetworkPolicy and hostNetwork pods": the behaviour is undefined).
#[test]
fn host_network_ends_are_undecided_even_where_a_side_denies() {
    let yaml = deploy("shop", "web", "{app: web}")
        + "apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers: [{name: c, image: agent}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
";
    let a = answers(
        &yaml,
        &[
            ("shop/agent", "shop/web", tcp(8080)),
            ("shop/web", "shop/agent", tcp(8080)),
        ],
    );
    assert_eq!(a[0].ingress.verdict, Denied, "by pod labels");
    assert_eq!(a[0].verdict, Unknown);
    assert_eq!(a[1].verdict, Unknown);
    assert!(a[1]
        .ingress
        .reasons
        .iter()
        .any(|r| r.contains("hostNetwork")));
}

/// `endPort` by target version: the API server drops it on create while the
/// NetworkPolicyEndPort feature gate is off (pkg/registry/networking/networkpolicy/
/// strategy.go `PrepareForCreate` → `dropNetworkPolicyEndPort`); the gate is alpha and off
/// by default in v1.21, beta and on in v1.22, GA in v1.25 (kubernetes/website
/// feature-gates/NetworkPolicyEndPort.md), and the field does not exist before v1.21. So at
/// v1.20 and v1.21 `{port: 9000, endPort: 9100}` allows only 9000, with a note; from v1.22
/// the range.
#[test]
fn end_port_counts_from_the_version_whose_api_server_keeps_it() {
    use kubeharden::KubeVersion;
    let yaml = deploy("shop", "web", "{app: web}")
        + &deploy("shop", "client", "{app: client}")
        + "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - ports: [{port: 9000, endPort: 9100}]
";
    let sources = [Source::new("bundle.yaml", yaml.as_str())];
    let at = |minor: u32| {
        with_bundle(&sources, &Limits::default(), |b| {
            let r = Reach::with_version(b, KubeVersion::new(minor));
            let web = Endpoint::Workload(r.find("shop/web", None).unwrap());
            let client = Endpoint::Workload(r.find("shop/client", None).unwrap());
            let v: Vec<Verdict> = [9000, 9050, 9100]
                .iter()
                .map(|&p| r.answer(client, web, &tcp(p)).verdict)
                .collect();
            (v, r.notes())
        })
        .0
    };
    for minor in [20, 21] {
        let (v, notes) = at(minor);
        assert_eq!(v, [Allowed, Denied, Denied], "v1.{minor}");
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with(&format!(
                "NetworkPolicy shop/p: port 9000 with endPort 9100 at bundle.yaml:31:13 allows only port 9000 at v1.{minor}"
            )),
            "{notes:?}"
        );
        assert!(notes[0].contains("NetworkPolicyEndPort"), "{notes:?}");
    }
    for minor in [22, 25, KubeVersion::LATEST.minor] {
        let (v, notes) = at(minor);
        assert_eq!(v, [Allowed, Allowed, Allowed], "v1.{minor}");
        assert!(notes.is_empty(), "{notes:?}");
    }
}

/// `Reach::with_options` with an apply namespace: objects without `metadata.namespace`
/// are in it, as `kubectl apply -n prod` puts them (cli-runtime resource/builder.go sets
/// the default namespace on every namespaced object that names none), so a policy of
/// `prod` selects them and a policy without a namespace selects the pods of `prod`
/// (NP: "a NetworkPolicy applies to the pods of its namespace").
#[test]
fn an_apply_namespace_puts_workloads_and_policies_without_one_in_it() {
    let yaml = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: prod}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
";
    let unapplied = yaml.replace(", namespace: prod", "");
    for text in [yaml.to_string(), unapplied] {
        let sources = [Source::new("bundle.yaml", text.as_str())];
        let (out, errors) = with_bundle(&sources, &Limits::default(), |b| {
            let r = Reach::with_options(b, kubeharden::KubeVersion::LATEST, Some("prod"));
            assert_eq!(r.namespaces(), vec![Some("prod".to_string())]);
            let web = Endpoint::Workload(r.find("prod/web", None).unwrap());
            let m = r.matrix(Some("prod"), &PortQuery::Any);
            let cells: Vec<Verdict> = m
                .cells
                .iter()
                .flatten()
                .flatten()
                .map(|a| a.verdict)
                .collect();
            (
                cells,
                Outside::ALL
                    .iter()
                    .map(|&o| r.answer(web, Endpoint::Outside(o), &PortQuery::Any).verdict)
                    .collect::<Vec<_>>(),
            )
        });
        assert!(errors.is_empty(), "{errors:?}");
        assert!(out.0.iter().all(|&v| v == Denied), "{:?}", out.0);
        assert_eq!(out.1, vec![Denied; 5]);
    }
    // Without it, both stay in the unnamed namespace: the prod policy selects nothing.
    let sources = [Source::new("bundle.yaml", yaml)];
    let (v, _) = with_bundle(&sources, &Limits::default(), |b| {
        let r = Reach::new(b);
        let web = Endpoint::Workload(r.find("web", None).unwrap());
        r.answer(web, Endpoint::Outside(Outside::Internet), &PortQuery::Any)
            .verdict
    });
    assert_eq!(v, Allowed);
}

/// A CiliumNetworkPolicy applies to the endpoints its `endpointSelector` selects (Cilium
/// docs, "Layer 3 Examples": "endpointSelector … selects the endpoints to which the policy
/// applies"; an endpoint no policy selects is not isolated), so one selecting `app: db`
/// leaves web's own egress decidable: web → metadata is denied by web's NetworkPolicy, web →
/// internet allowed, while anything at db (whose ingress Cilium governs) stays unknown. A
/// selector naming a label Cilium adds itself (the pod's namespace) is not read: unknown.
#[test]
fn a_cilium_policy_makes_unknown_only_the_pods_it_may_select() {
    let cilium = |selector: &str| {
        format!(
            "{}{}apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: web-egress, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: web}}}}
  policyTypes: [Egress]
  egress:
  - to: [{{ipBlock: {{cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}}}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {{name: c, namespace: shop}}
spec:
  endpointSelector: {selector}
  ingress: [{{fromEndpoints: [{{matchLabels: {{app: web}}}}]}}]
",
            deploy("shop", "web", "{app: web}"),
            deploy("shop", "db", "{app: db}")
        )
    };
    let queries = [
        ("shop/web", "metadata", PortQuery::Any),
        ("shop/web", "internet", PortQuery::Any),
        ("shop/web", "shop/db", PortQuery::Any),
        ("shop/db", "internet", PortQuery::Any),
    ];
    assert_eq!(
        verdicts(&cilium("{matchLabels: {app: db}}"), &queries),
        [Denied, Allowed, Unknown, Unknown]
    );
    assert_eq!(
        verdicts(&cilium("{matchLabels: {'k8s:app': db}}"), &queries),
        [Denied, Allowed, Unknown, Unknown]
    );
    // Selecting every endpoint, or by a label Cilium adds: every answer is unknown.
    for selector in [
        "{}",
        "{matchLabels: {'k8s:io.kubernetes.pod.namespace': shop}}",
    ] {
        assert_eq!(
            verdicts(&cilium(selector), &queries),
            [Unknown, Unknown, Unknown, Unknown],
            "{selector}"
        );
    }
}
