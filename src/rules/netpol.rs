//! NetworkPolicy rules and the metadata-endpoint egress rules: whole-bundle checks that
//! read each workload together with the NetworkPolicies of its namespace.
//!
//! Semantics are those of [`crate::model::netpol`] (the API server's defaults) and of
//! <https://kubernetes.io/docs/concepts/services-networking/network-policies/>: a pod is
//! isolated for a direction iff a policy that selects it has that policy type, and its
//! traffic in that direction is then allowed iff some rule of some selecting policy
//! allows it (policies only add allowances). hostNetwork pods are judged as pods, and their
//! messages add that NetworkPolicy behaviour for them "is undefined" (the common
//! implementations treat their traffic as the node's, so no policy isolates them).
//!
//! Namespaces: an object without `metadata.namespace` lands in whatever namespace
//! `kubectl apply` is given (the current context's). Such objects are compared with each
//! other as one unknown namespace ("applied together"), never with a named namespace, and
//! messages say so.
//!
//! Performance: policies are indexed by namespace once per check, so matching costs
//! (workloads × policies of their namespace), never workloads × all policies.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::collections::HashMap;

pub(crate) use super::bundle::name_place;
use super::{bundle_template, BundleCx, BundleHit, BundleHits, Loc, Op, Place, Template};
use crate::bundle::{Bundle, Entry, PodEntry};
use crate::model::netpol::{egress_reaching, NetworkPolicy, Peer, PolicyRule, PortMatch};
use crate::yaml::NodeId;

/// The cloud instance metadata endpoint (AWS, GCP, Azure, and most others): IPv4.
pub const METADATA_V4: IpAddr = IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254));
/// AWS's IPv6 instance metadata endpoint (`fd00:ec2::254`).
pub const METADATA_V6: IpAddr = IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254));
/// The metadata services answer HTTP on port 80.
pub const METADATA_PORT: i64 = 80;
/// The kubelet's API port (`--port`, k8s.io/kubernetes pkg/cluster/ports/ports.go
/// `KubeletPort`).
pub const KUBELET_PORT: i64 = 10250;

pub static TEMPLATES: &[Template] = &[
    bundle_template(
        "netpol-workload-unselected",
        "every workload is selected by a NetworkPolicy of its namespace",
        workload_unselected,
    ),
    bundle_template(
        "netpol-namespace-default-deny",
        "every namespace with workloads has a default-deny NetworkPolicy for ingress and egress",
        namespace_default_deny,
    ),
    bundle_template(
        "netpol-one-direction",
        "a workload isolated in one direction is isolated in the other",
        one_direction,
    ),
    bundle_template(
        "netpol-selects-nothing",
        "a NetworkPolicy selects some workload of its namespace in the bundle",
        selects_nothing,
    ),
    bundle_template(
        "netpol-open-ingress",
        "no ingress rule allows every source or every namespace",
        open_ingress,
    ),
    bundle_template(
        "netpol-metadata-egress",
        "egress cannot reach the cloud metadata endpoint",
        metadata_egress,
    ),
    bundle_template(
        "netpol-kubelet-egress",
        "no egress rule opens the kubelet port to ipBlocks or every destination",
        kubelet_egress,
    ),
];

/// API groups and kinds of NetworkPolicy.
const CORE_POLICY_KINDS: &[(&str, &str)] = &[
    ("networking.k8s.io", "NetworkPolicy"),
    ("extensions", "NetworkPolicy"),
];

/// Policy kinds this module does not evaluate: (group, kind, cluster-wide). Where one is
/// present, isolation is not judged ("may be incomplete") instead of reported as missing
/// (kube-score#644, kubescape regolibrary#711).
const OTHER_POLICY_KINDS: &[(&str, &str, bool)] = &[
    ("cilium.io", "CiliumNetworkPolicy", false),
    ("cilium.io", "CiliumClusterwideNetworkPolicy", true),
    ("crd.projectcalico.org", "NetworkPolicy", false),
    ("projectcalico.org", "NetworkPolicy", false),
    ("crd.projectcalico.org", "GlobalNetworkPolicy", true),
    ("projectcalico.org", "GlobalNetworkPolicy", true),
    ("policy.networking.k8s.io", "AdminNetworkPolicy", true),
    (
        "policy.networking.k8s.io",
        "BaselineAdminNetworkPolicy",
        true,
    ),
    ("policy.networking.k8s.io", "ClusterNetworkPolicy", true),
];

/// The NetworkPolicies of a bundle indexed by namespace, and each workload's selection.
pub(crate) struct NetIndex<'q, 'b> {
    pub bundle: &'q Bundle<'b>,
    /// (index into `bundle.objects`, the policy).
    pub policies: Vec<(usize, NetworkPolicy<'b>)>,
    pub by_namespace: HashMap<Option<&'b str>, Vec<usize>>,
    /// Per `bundle.pods` entry.
    pub pods: Vec<PodNetB<'b>>,
    /// A cluster-wide policy kind these rules do not evaluate is in the bundle.
    other_everywhere: bool,
    /// The namespaced ones: (namespace, the object when it is a CiliumNetworkPolicy).
    other_in: Vec<(Option<&'b str>, Option<&'q Entry<'b>>)>,
}

/// A workload's place in the network view.
pub(crate) struct PodNetB<'b> {
    pub namespace: Option<&'b str>,
    pub selecting: Vec<usize>,
    pub ingress_isolated: bool,
    pub egress_isolated: bool,
    pub host_network: bool,
    /// A policy kind these rules do not evaluate is in the pod's namespace (or
    /// cluster-wide): the check rules do not judge it.
    pub other_policies: bool,
}

/// A pod's labels as a Cilium endpoint selector sees them: a key may carry the source
/// prefix `k8s:` or `any:` (Cilium docs, "Endpoint Selector", label sources).
struct CiliumLabels<'a, 'b>(&'a [(&'b str, &'b str)]);

impl crate::model::selector::Labels for CiliumLabels<'_, '_> {
    fn label(&self, key: &str) -> Option<&str> {
        let key = key
            .strip_prefix("k8s:")
            .or_else(|| key.strip_prefix("any:"))
            .unwrap_or(key);
        self.0.label(key)
    }
}

/// Whether a CiliumNetworkPolicy may select a pod with `labels`: its `endpointSelector`
/// (or those of its `specs`) selects the endpoints the policy applies to (Cilium docs,
/// "Layer 3 Examples": "endpointSelector … selects the endpoints to which the policy
/// applies"), so a pod that none of them matches is neither isolated nor allowed by it.
/// Conservatively `true` when a selector cannot be read, or names a label Cilium adds
/// itself (another source prefix such as `reserved:`, or an `io.kubernetes.*` /
/// `io.cilium.*` key such as the pod's namespace or ServiceAccount).
fn cilium_may_select(e: &Entry, labels: &[(&str, &str)]) -> bool {
    use crate::model::selector::LabelSelector;
    let o = e.object;
    let doc = o.doc;
    // The rules: `spec`, and each item of `specs`.
    let mut rules: Vec<NodeId> = doc.get(o.root, "spec").into_iter().collect();
    if let Some(list) = doc.get(o.root, "specs") {
        rules.extend(doc.items(list).iter().copied());
    }
    if rules.is_empty() {
        return true;
    }
    let mut selectors = Vec::new();
    for rule in rules {
        match doc.get(rule, "endpointSelector") {
            Some(sel) => selectors.push(sel),
            // A rule of nodes (nodeSelector) or of nothing this reads.
            None => return true,
        }
    }
    selectors
        .iter()
        .any(|&sel| match LabelSelector::read(doc, sel) {
            Err(_) => true,
            Ok(selector) => {
                selector.requirements().iter().any(|r| {
                    let key = r
                        .key
                        .strip_prefix("k8s:")
                        .or_else(|| r.key.strip_prefix("any:"))
                        .unwrap_or(r.key);
                    key.contains(':')
                        || key.starts_with("io.kubernetes.")
                        || key.starts_with("io.cilium.")
                }) || selector.matches(&CiliumLabels(labels))
            }
        })
}

impl<'q, 'b> NetIndex<'q, 'b> {
    pub fn new(bundle: &'q Bundle<'b>) -> Self {
        Self::with_namespace(bundle, None)
    }

    /// As [`NetIndex::new`], with `default` as the namespace of every namespaced object
    /// without `metadata.namespace` (workloads and policies alike, as `kubectl apply -n`
    /// puts them).
    pub fn with_namespace(bundle: &'q Bundle<'b>, default: Option<&'b str>) -> Self {
        let mut policies = Vec::new();
        let mut by_namespace: HashMap<Option<&'b str>, Vec<usize>> = HashMap::new();
        for &(group, kind) in CORE_POLICY_KINDS {
            for e in bundle.of_kind(group, kind) {
                let i = bundle_index(bundle, e);
                by_namespace
                    .entry(e.object.namespace.or(default))
                    .or_default()
                    .push(policies.len());
                policies.push((i, NetworkPolicy::read(e.object.doc, e.object.root)));
            }
        }
        let mut other_everywhere = false;
        let mut other_in: Vec<(Option<&'b str>, Option<&'q Entry<'b>>)> = Vec::new();
        for &(group, kind, cluster) in OTHER_POLICY_KINDS {
            for e in bundle.of_kind(group, kind) {
                if cluster {
                    other_everywhere = true;
                } else {
                    let cilium = (kind == "CiliumNetworkPolicy").then_some(e);
                    other_in.push((e.object.namespace.or(default), cilium));
                }
            }
        }
        let pods = bundle
            .pods
            .iter()
            .map(|p| {
                let namespace = bundle.objects[p.object].object.namespace.or(default);
                let selecting: Vec<usize> = by_namespace
                    .get(&namespace)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|&i| policies[i].1.selects(&p.labels))
                    .collect();
                PodNetB {
                    namespace,
                    ingress_isolated: selecting.iter().any(|&i| policies[i].1.ingress),
                    egress_isolated: selecting.iter().any(|&i| policies[i].1.egress),
                    selecting,
                    host_network: p.pod.host_network.is_some_and(|f| f.value),
                    other_policies: other_everywhere
                        || other_in.iter().any(|(ns, _)| *ns == namespace),
                }
            })
            .collect();
        NetIndex {
            bundle,
            policies,
            by_namespace,
            pods,
            other_everywhere,
            other_in,
        }
    }

    /// Whether a policy kind these rules do not evaluate may select the pod of
    /// `bundle.pods[pod]` itself: every one in its namespace or cluster-wide, except a
    /// CiliumNetworkPolicy whose endpoint selectors are read and none matches the pod
    /// ([`cilium_may_select`]). The reachability model answers "unknown" only for these
    /// (asked there only, so that the check path does not carry it).
    pub fn other_selecting(&self, pod: usize) -> bool {
        let namespace = self.pods[pod].namespace;
        let labels = &self.bundle.pods[pod].labels;
        self.other_everywhere
            || self.other_in.iter().any(|(ns, cilium)| {
                *ns == namespace && cilium.is_none_or(|e| cilium_may_select(e, labels))
            })
    }

    /// Workloads whose network isolation these rules judge: those in no namespace where
    /// a policy kind they do not evaluate applies. hostNetwork pods are judged like the
    /// others (their messages say that no policy isolates them at all), so that the
    /// host-namespaces fix (hostNetwork: false) never uncovers a new finding.
    fn judged(&self) -> impl Iterator<Item = (&PodEntry<'b>, &PodNetB<'b>)> {
        self.bundle
            .pods
            .iter()
            .zip(&self.pods)
            .filter(|(_, n)| !n.other_policies)
    }

    fn policies_in(&self, namespace: Option<&'b str>) -> &[usize] {
        self.by_namespace.get(&namespace).map_or(&[], Vec::as_slice)
    }

    fn policy_entry(&self, i: usize) -> &Entry<'b> {
        &self.bundle.objects[self.policies[i].0]
    }
}

/// The index of an entry in `bundle.objects` (entries are stored in order of `at`).
fn bundle_index(bundle: &Bundle, e: &Entry) -> usize {
    bundle
        .objects
        .binary_search_by_key(&e.at, |o| o.at)
        .unwrap_or(0)
}

/// `Deployment shop/web`, or `Deployment web` without a namespace.
pub(crate) fn who(e: &Entry) -> String {
    let name = e.object.name.unwrap_or("(unnamed)");
    match e.object.namespace {
        Some(ns) => format!("{} {ns}/{name}", e.object.kind),
        None => format!("{} {name}", e.object.kind),
    }
}

/// `namespace "shop"`, or what an object without a namespace lands in.
pub(crate) fn namespace_phrase(ns: Option<&str>) -> String {
    match ns {
        Some(ns) => format!("namespace {ns:?}"),
        None => "the namespace the manifests are applied to (no metadata.namespace)".into(),
    }
}

fn place(e: &Entry, node: NodeId) -> Place {
    Place {
        doc: e.at.doc,
        loc: Loc::Node(node),
    }
}

/// What a message adds for a hostNetwork workload.
fn host_network_note(net: &PodNetB) -> &'static str {
    if net.host_network {
        "; with hostNetwork: true no NetworkPolicy would isolate them anyway"
    } else {
        ""
    }
}

/// At most this many related locations of one kind on a finding.
const MAX_RELATED: usize = 8;

/// The pod labels as `app=web, tier=front`, or `no labels`.
fn labels_text(labels: &[(&str, &str)]) -> String {
    if labels.is_empty() {
        return "no labels".into();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Where a policy's pod selector is (the field, or the policy's name when absent).
fn selector_place(e: &Entry, p: &NetworkPolicy) -> Place {
    match p.pod_selector_node {
        Some(n) => place(e, n),
        None => name_place(e),
    }
}

fn workload_unselected(cx: &BundleCx, out: &mut BundleHits) {
    let index = cx.shared.net.get_or_init(|| NetIndex::new(cx.bundle));
    for (p, net) in index.judged() {
        if !net.selecting.is_empty() {
            continue;
        }
        let e = &cx.bundle.objects[p.object];
        let in_ns = index.policies_in(net.namespace);
        let (context, related) = if in_ns.is_empty() {
            (
                format!(
                    "the bundle has no NetworkPolicy in {}",
                    namespace_phrase(net.namespace)
                ),
                Vec::new(),
            )
        } else {
            (
                format!(
                    "the bundle's {} in {} select{} none of its pods (labels {})",
                    plural(in_ns.len(), "NetworkPolicy", "NetworkPolicies"),
                    namespace_phrase(net.namespace),
                    if in_ns.len() == 1 { "s" } else { "" },
                    labels_text(&p.labels)
                ),
                in_ns
                    .iter()
                    .take(MAX_RELATED)
                    .map(|&i| {
                        let pe = index.policy_entry(i);
                        (
                            selector_place(pe, &index.policies[i].1),
                            format!("{} does not select it", who(pe)),
                        )
                    })
                    .collect(),
            )
        };
        out.push(BundleHit {
            at: name_place(e),
            message: format!(
                "{}: no NetworkPolicy selects its pods, so every ingress and egress connection is allowed; {context}{}",
                who(e),
                host_network_note(net)
            ),
            related,
            fix: Vec::new(),
        });
    }
}

fn namespace_default_deny(cx: &BundleCx, out: &mut BundleHits) {
    let index = cx.shared.net.get_or_init(|| NetIndex::new(cx.bundle));
    let bundle = cx.bundle;
    // Workloads per namespace, in bundle order of their first workload.
    let mut order: Vec<Option<&str>> = Vec::new();
    let mut workloads: HashMap<Option<&str>, Vec<usize>> = HashMap::new();
    for (i, (p, net)) in bundle.pods.iter().zip(&index.pods).enumerate() {
        if net.other_policies {
            continue;
        }
        let list = workloads.entry(net.namespace).or_insert_with(|| {
            order.push(net.namespace);
            Vec::new()
        });
        // One entry per object (a CR may hold several pod templates).
        if list
            .last()
            .is_none_or(|&l| bundle.pods[l].object != p.object)
        {
            list.push(i);
        }
    }
    let namespaces: HashMap<&str, &Entry> = bundle
        .of_kind("", "Namespace")
        .filter_map(|e| Some((e.object.name?, e)))
        .collect();
    for ns in order {
        let list = &workloads[&ns];
        let policies = index.policies_in(ns);
        let deny = |ingress: bool| {
            policies.iter().any(|&i| {
                let p = &index.policies[i].1;
                p.selects_every_pod() && if ingress { p.ingress } else { p.egress }
            })
        };
        let missing: Vec<&str> = [("ingress", deny(true)), ("egress", deny(false))]
            .into_iter()
            .filter(|(_, has)| !has)
            .map(|(d, _)| d)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let first = &bundle.objects[bundle.pods[list[0]].object];
        let at = match ns.and_then(|n| namespaces.get(n)) {
            Some(namespace) => name_place(namespace),
            None => {
                let doc = first.object.doc;
                match first.object.metadata.and_then(|m| doc.get(m, "namespace")) {
                    Some(n) => place(first, n),
                    None => name_place(first),
                }
            }
        };
        let related = list
            .iter()
            .take(MAX_RELATED)
            .map(|&i| {
                let e = &bundle.objects[bundle.pods[i].object];
                (name_place(e), format!("{} runs here", who(e)))
            })
            .collect();
        let more = if list.len() > MAX_RELATED {
            format!(" (the first {MAX_RELATED} are shown)")
        } else {
            String::new()
        };
        let taken: Vec<&str> = policies
            .iter()
            .filter_map(|&i| index.policy_entry(i).object.name)
            .collect();
        let fix = vec![(at.doc, default_deny_document(ns, &missing, &taken))];
        out.push(BundleHit {
            at,
            message: format!(
                "{} has {} and no default-deny NetworkPolicy for {} (a policy with an empty podSelector whose policyTypes include {}): a pod no other policy selects accepts and opens any connection{more}",
                namespace_phrase(ns),
                plural(list.len(), "workload", "workloads"),
                missing.join(" or "),
                if missing.len() == 1 { "it" } else { "them" },
            ),
            related,
            fix,
        });
    }
}

/// The NetworkPolicy that closes namespace `ns` for the `missing` directions (`ingress`,
/// `egress`): an empty podSelector with those policyTypes and no rule, but for egress to
/// the cluster DNS (UDP and TCP 53 to the `k8s-app: kube-dns` pods of `kube-system`,
/// found by the `kubernetes.io/metadata.name` label the API server sets on every namespace
/// since v1.22), so that name lookups keep working. Named `default-deny` (or
/// `default-deny-ingress` / `-egress`), with a number when `taken` has the name.
fn default_deny_document(ns: Option<&str>, missing: &[&str], taken: &[&str]) -> Op {
    let base = match missing {
        [one] => format!("default-deny-{one}"),
        _ => "default-deny".to_string(),
    };
    let name = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|n| !taken.contains(&n.as_str()))
        .unwrap_or(base);
    let egress = missing.contains(&"egress");
    let types: Vec<&str> = missing
        .iter()
        .map(|d| if *d == "ingress" { "Ingress" } else { "Egress" })
        .collect();
    let mut yaml = format!(
        "# Added by kubeharden: a default deny for {}.\n# Its pods accept and open no connection that another policy does not allow\n# ({}{}). Allow what each workload needs in policies of its own.\n",
        match ns {
            Some(ns) => format!("namespace {ns}"),
            None => "the namespace these manifests are applied to".to_string(),
        },
        missing.join(" and "),
        if egress { "; DNS lookups stay allowed" } else { "" },
    );
    yaml.push_str("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n");
    yaml.push_str(&format!("  name: {name}\n"));
    if let Some(ns) = ns {
        yaml.push_str(&format!("  namespace: {ns}\n"));
    }
    yaml.push_str(&format!(
        "spec:\n  podSelector: {{}}\n  policyTypes: [{}]\n",
        types.join(", ")
    ));
    if egress {
        yaml.push_str(
            "  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels: {kubernetes.io/metadata.name: kube-system}\n          podSelector:\n            matchLabels: {k8s-app: kube-dns}\n      ports:\n        - {protocol: UDP, port: 53}\n        - {protocol: TCP, port: 53}\n",
        );
    }
    Op::AppendDocument {
        yaml,
        what: format!(
            "a NetworkPolicy `{name}`{} that denies {} by default",
            ns.map(|ns| format!(" in namespace {ns}"))
                .unwrap_or_default(),
            missing.join(" and ")
        ),
    }
}

fn one_direction(cx: &BundleCx, out: &mut BundleHits) {
    let index = cx.shared.net.get_or_init(|| NetIndex::new(cx.bundle));
    for (p, net) in index.judged() {
        if net.selecting.is_empty() || net.ingress_isolated == net.egress_isolated {
            continue;
        }
        let (only, open) = if net.ingress_isolated {
            ("ingress", "egress")
        } else {
            ("egress", "ingress")
        };
        let e = &cx.bundle.objects[p.object];
        let related = net
            .selecting
            .iter()
            .take(MAX_RELATED)
            .map(|&i| {
                let pe = index.policy_entry(i);
                let pol = &index.policies[i].1;
                let types = match (pol.ingress, pol.egress) {
                    (true, true) => "Ingress, Egress",
                    (true, false) => "Ingress",
                    (false, true) => "Egress",
                    (false, false) => "none",
                };
                let how = if pol.explicit_types {
                    "policyTypes"
                } else {
                    "policyTypes defaulted to"
                };
                (
                    selector_place(pe, pol),
                    format!("{} selects it ({how} {types})", who(pe)),
                )
            })
            .collect();
        out.push(BundleHit {
            at: name_place(e),
            message: format!(
                "{}: its pods are isolated for {only} only; no NetworkPolicy that selects them has {open} in its policyTypes, so every {open} connection is allowed",
                who(e)
            ),
            related,
            fix: Vec::new(),
        });
    }
}

fn selects_nothing(cx: &BundleCx, out: &mut BundleHits) {
    let index = cx.shared.net.get_or_init(|| NetIndex::new(cx.bundle));
    let mut in_namespace: HashMap<Option<&str>, usize> = HashMap::new();
    let mut selected = vec![false; index.policies.len()];
    for net in &index.pods {
        *in_namespace.entry(net.namespace).or_default() += 1;
        for &i in &net.selecting {
            selected[i] = true;
        }
    }
    // Namespaces holding a custom resource (not a CustomResourceDefinition, which is
    // cluster-scoped and creates no pods).
    let custom: std::collections::HashSet<Option<&str>> = cx
        .bundle
        .objects
        .iter()
        .filter(|o| {
            crate::model::identify(o.object.api_version, o.object.kind)
                == crate::model::Identified::Custom
        })
        .map(|o| o.object.namespace)
        .collect();
    for (i, (_, pol)) in index.policies.iter().enumerate() {
        let e = index.policy_entry(i);
        if let Err(err) = &pol.pod_selector {
            out.push(BundleHit {
                at: place(e, err.node),
                message: format!(
                    "{}: its podSelector is invalid ({err}); the API server rejects the policy, so it selects no pod",
                    who(e)
                ),
                related: Vec::new(),
                fix: Vec::new(),
            });
            continue;
        }
        let workloads = in_namespace.get(&e.object.namespace).copied().unwrap_or(0);
        // No workload of its namespace in the bundle: nothing to judge it by. A custom
        // resource there (a Prometheus, a Kafka cluster) may be an operator's order for
        // the very pods the policy selects, made at run time: not judged either.
        if selected[i] || workloads == 0 || custom.contains(&e.object.namespace) {
            continue;
        }
        out.push(BundleHit {
            at: selector_place(e, pol),
            message: format!(
                "{}: its podSelector matches none of the bundle's {} in {}; it protects nothing it was written for (labels drifted, or the selector is mistyped)",
                who(e),
                plural(workloads, "workload", "workloads"),
                namespace_phrase(e.object.namespace)
            ),
            related: Vec::new(),
            fix: Vec::new(),
        });
    }
}

/// `on every port`, or `on ports 80/TCP, 443/TCP`.
fn ports_text(rule: &PolicyRule) -> String {
    let Some(ports) = &rule.ports else {
        return "on every port".into();
    };
    let items: Vec<String> = ports
        .iter()
        .map(|p| match &p.port {
            PortMatch::Any => format!("every {} port", p.protocol),
            PortMatch::Range(a, b) if a == b => format!("{a}/{}", p.protocol),
            PortMatch::Range(a, b) => format!("{a}-{b}/{}", p.protocol),
            PortMatch::Named(n) => format!("{n}/{}", p.protocol),
        })
        .collect();
    format!(
        "on port{} {}",
        if items.len() == 1 { "" } else { "s" },
        items.join(", ")
    )
}

fn open_ingress(cx: &BundleCx, out: &mut BundleHits) {
    let index = cx.shared.net.get_or_init(|| NetIndex::new(cx.bundle));
    for (i, (_, pol)) in index.policies.iter().enumerate() {
        let e = index.policy_entry(i);
        for rule in pol.effective_ingress() {
            let ports = ports_text(rule);
            let Some(peers) = &rule.peers else {
                out.push(BundleHit {
                    at: place(e, rule.node),
                    message: format!(
                        "{}: this ingress rule has no `from`, so it allows every source (every pod of every namespace and every external address) {ports}",
                        who(e)
                    ),
                    related: Vec::new(),
                    fix: Vec::new(),
                });
                continue;
            };
            for peer in peers {
                let what = match peer {
                    Peer::Pods {
                        namespaces: Some(ns),
                        pods,
                        ..
                    } if ns.is_everything() && pods.as_ref().is_none_or(|p| p.is_everything()) => {
                        "namespaceSelector: {} allows every pod of every namespace"
                    }
                    Peer::IpBlock { block, .. } if block.is_everything() => {
                        if block.cidr.addr().is_ipv4() {
                            "this ipBlock allows every IPv4 address"
                        } else {
                            "this ipBlock allows every IPv6 address"
                        }
                    }
                    _ => continue,
                };
                let node = match peer {
                    Peer::Pods { node, .. }
                    | Peer::IpBlock { node, .. }
                    | Peer::Invalid { node, .. } => *node,
                };
                out.push(BundleHit {
                    at: place(e, node),
                    message: format!("{}: {what} {ports}", who(e)),
                    related: Vec::new(),
                    fix: Vec::new(),
                });
            }
        }
    }
}

/// Related locations for the workloads a policy selects.
fn selected_workloads(index: &NetIndex, policy: usize) -> Vec<(Place, String)> {
    let mut related: Vec<(Place, String)> = Vec::new();
    let mut last = None;
    for (p, net) in index.bundle.pods.iter().zip(&index.pods) {
        if related.len() == MAX_RELATED {
            break;
        }
        if net.selecting.contains(&policy) && last != Some(p.object) {
            last = Some(p.object);
            let e = &index.bundle.objects[p.object];
            related.push((name_place(e), format!("selects {}", who(e))));
        }
    }
    related
}

fn metadata_egress(cx: &BundleCx, out: &mut BundleHits) {
    let index = cx.shared.net.get_or_init(|| NetIndex::new(cx.bundle));
    for (i, (_, pol)) in index.policies.iter().enumerate() {
        let e = index.policy_entry(i);
        let rules = pol.effective_egress();
        let mut reported: Vec<NodeId> = Vec::new();
        for addr in [METADATA_V4, METADATA_V6] {
            for (rule, peer) in egress_reaching(rules, addr, METADATA_PORT) {
                match peer {
                    None => {
                        if reported.contains(&rule.node) {
                            continue;
                        }
                        reported.push(rule.node);
                        out.push(BundleHit {
                            at: place(e, rule.node),
                            message: format!(
                                "{}: this egress rule has no `to`, so it allows every destination, the cloud metadata endpoint {METADATA_V4} (and {METADATA_V6}) included: the pods can fetch the node's cloud credentials",
                                who(e)
                            ),
                            related: selected_workloads(index, i),
                            fix: Vec::new(),
                        });
                    }
                    Some(Peer::IpBlock {
                        node,
                        cidr_node,
                        block,
                        ..
                    }) => {
                        let (fix, advice) = match block.can_except(addr) {
                            Some(host) => (
                                vec![(
                                    e.at.doc,
                                    Op::add_item(*node, &["ipBlock", "except"], &host.to_string()),
                                )],
                                format!("add {host} to its except list"),
                            ),
                            None => (
                                Vec::new(),
                                "an except cannot remove the whole block: delete this peer".into(),
                            ),
                        };
                        out.push(BundleHit {
                            at: place(e, *cidr_node),
                            message: format!(
                                "{}: egress to ipBlock {} reaches the cloud metadata endpoint {addr} (no except removes it): the pods can fetch the node's cloud credentials; {advice}",
                                who(e),
                                block.cidr
                            ),
                            related: selected_workloads(index, i),
                            fix,
                        });
                    }
                    Some(_) => {}
                }
            }
        }
    }
    for (p, net) in index.judged() {
        // A policy that isolates a hostNetwork pod's egress does not keep it from the
        // endpoint where the network plugin treats its traffic as the node's (the most
        // common implementation: "NetworkPolicy and hostNetwork pods" on the
        // network-policies page).
        if net.egress_isolated && !net.host_network {
            continue;
        }
        let e = &cx.bundle.objects[p.object];
        let (why, note) = if net.egress_isolated {
            (
                "its pods use hostNetwork: true, and although a NetworkPolicy isolates their egress, NetworkPolicy behaviour for host-network pods is undefined: the common network plugins treat their traffic as the node's and apply no policy to it".to_string(),
                "",
            )
        } else if net.selecting.is_empty() {
            (
                "no NetworkPolicy selects its pods".to_string(),
                host_network_note(net),
            )
        } else {
            (
                "no NetworkPolicy that selects its pods has Egress in its policyTypes".to_string(),
                host_network_note(net),
            )
        };
        out.push(BundleHit {
            at: name_place(e),
            message: format!(
                "{}: {why}, so nothing restricts their egress and they can reach the cloud metadata endpoint {METADATA_V4} (and {METADATA_V6}) and fetch the node's cloud credentials{note}",
                who(e),
            ),
            related: Vec::new(),
            fix: Vec::new(),
        });
    }
}

fn kubelet_egress(cx: &BundleCx, out: &mut BundleHits) {
    let index = cx.shared.net.get_or_init(|| NetIndex::new(cx.bundle));
    for (i, (_, pol)) in index.policies.iter().enumerate() {
        let e = index.policy_entry(i);
        for rule in pol.effective_egress() {
            let Some(ports) = &rule.ports else { continue };
            let Some(port) = ports
                .iter()
                .find(|p| !matches!(p.port, PortMatch::Any) && p.allows("TCP", KUBELET_PORT))
            else {
                continue;
            };
            let to = match &rule.peers {
                None => "every destination".to_string(),
                Some(peers) => {
                    let blocks: Vec<String> = peers
                        .iter()
                        .filter_map(|p| match p {
                            Peer::IpBlock { block, .. } => Some(block.cidr.to_string()),
                            _ => None,
                        })
                        .collect();
                    if blocks.is_empty() {
                        continue;
                    }
                    format!("ipBlock {}", blocks.join(", "))
                }
            };
            out.push(BundleHit {
                at: place(e, port.node),
                message: format!(
                    "{}: this egress rule opens TCP port {KUBELET_PORT}, the kubelet's API, to {to}: wherever a node address is in range the pods can call the kubelet (exec into pods, read their logs and secrets) with any credentials they hold",
                    who(e)
                ),
                related: selected_workloads(index, i),
                fix: Vec::new(),
            });
        }
    }
}
