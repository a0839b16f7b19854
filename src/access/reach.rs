//! The reachability model: whether traffic from one workload (or the outside) to another
//! workload (or the outside) is allowed for a port and protocol, by the NetworkPolicies of
//! the bundle.
//!
//! Semantics: <https://kubernetes.io/docs/concepts/services-networking/network-policies/>
//! and k8s.io/api `networking/v1/types.go`, with the defaults of [`crate::model::netpol`]:
//! - a connection is allowed iff the source's egress allows it **and** the destination's
//!   ingress allows it;
//! - a pod is isolated for a direction iff some policy of its namespace selects it with
//!   that policy type (after `policyTypes` defaulting: `egress: []` without `policyTypes`
//!   does not isolate egress); an isolated direction allows exactly what some rule of
//!   some selecting policy allows (policies only add);
//! - a rule allows a peer on a port iff one of its `ports` matches (none: every port; a
//!   named port is looked up in the destination pod's container ports) and one of its
//!   peers matches (none: every peer). A peer with `namespaceSelector` and `podSelector`
//!   is their AND; `podSelector` alone is the policy's namespace; separate peers are OR;
//! - namespaces carry the label `kubernetes.io/metadata.name: <name>` (set by the API
//!   server since v1.21), whether or not the bundle defines them.
//!
//! The model answers [`Verdict::Unknown`], with the reason, where the manifests cannot
//! decide: a namespace selector over a namespace the bundle does not define (its labels
//! are unknown) or an object without a namespace, a pod template without labels against a
//! selector (its pods carry only the labels controllers add), an `ipBlock` against a pod or
//! node (their addresses are not in the manifests, and whether ipBlocks match pod
//! addresses depends on the network plugin), hostNetwork pods ("NetworkPolicy behaviour
//! for hostNetwork pods is undefined"), and namespaces where policy kinds this model does
//! not evaluate (Cilium, Calico, AdminNetworkPolicy) apply.
//!
//! The target Kubernetes version matters for one field: `endPort`. The API server drops
//! it on create while the `NetworkPolicyEndPort` feature gate is off
//! (`pkg/registry/networking/networkpolicy/strategy.go` `PrepareForCreate` →
//! `dropNetworkPolicyEndPort`); the gate is alpha and off by default in v1.21, beta and on
//! from v1.22, GA in v1.25 (the feature-gate table of kubernetes/website,
//! `feature-gates/NetworkPolicyEndPort.md`), and before v1.21 the field does not exist. So
//! below v1.22 a port with `endPort` allows only its `port`, and [`Reach::notes`] says so.
//!
//! The outside ([`Outside`]): some public address (outside the IANA special-purpose
//! ranges of RFC 6890), the cloud metadata endpoints 169.254.169.254 and fd00:ec2::254
//! (HTTP, TCP 80), the kubelet's port on the nodes (TCP 10250) and the cluster DNS (UDP
//! 53 to the pods labelled `k8s-app: kube-dns` in `kube-system`, as kubeadm and most
//! distributions label CoreDNS). Traffic from the outside is judged at the destination's
//! ingress only; whether a load balancer or node SNAT rewrites the source address first is
//! not defined by the API. Traffic from a pod's own node (kubelet probes) is always
//! allowed (types.go) and not part of these answers.

use std::collections::HashMap;

use ipnet::IpNet;
use serde::Serialize;

use super::{At, Origin};
use crate::bundle::Bundle;
use crate::model::cidr::IpBlock;
use crate::model::netpol::{NetworkPolicy, Peer, PolicyRule, PortMatch};
use crate::model::selector::LabelSelector;
use crate::rules::netpol::{NetIndex, KUBELET_PORT, METADATA_PORT, METADATA_V4, METADATA_V6};
use crate::version::KubeVersion;
use crate::yaml::{Document, NodeId, Value};

/// The label every namespace carries with its own name (API server, v1.21+).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";
/// Where the model expects the cluster DNS pods.
pub const DNS_NAMESPACE: &str = "kube-system";
pub const DNS_LABELS: &[(&str, &str)] = &[("k8s-app", "kube-dns")];

/// A destination (or source) outside the bundle's workloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outside {
    /// Some public address (any port the query names).
    Internet,
    /// 169.254.169.254, TCP 80.
    Metadata,
    /// fd00:ec2::254, TCP 80.
    MetadataV6,
    /// The kubelet API on the nodes, TCP 10250.
    Kubelet,
    /// The cluster DNS, UDP 53.
    Dns,
}

impl Outside {
    pub const ALL: [Outside; 5] = [
        Outside::Internet,
        Outside::Metadata,
        Outside::MetadataV6,
        Outside::Kubelet,
        Outside::Dns,
    ];

    /// The name the CLI takes: `internet`, `metadata`, `metadata-v6`, `kubelet`, `dns`.
    pub fn name(self) -> &'static str {
        match self {
            Outside::Internet => "internet",
            Outside::Metadata => "metadata",
            Outside::MetadataV6 => "metadata-v6",
            Outside::Kubelet => "kubelet",
            Outside::Dns => "dns",
        }
    }

    pub fn parse(text: &str) -> Option<Outside> {
        Outside::ALL.into_iter().find(|o| o.name() == text)
    }

    /// The fixed port of an endpoint (the internet takes the query's).
    fn port(self, query: &PortQuery) -> PortQuery {
        match self {
            Outside::Internet => query.clone(),
            Outside::Metadata | Outside::MetadataV6 => PortQuery::tcp(METADATA_PORT),
            Outside::Kubelet => PortQuery::tcp(KUBELET_PORT),
            Outside::Dns => PortQuery::Port {
                protocol: "UDP".into(),
                port: 53,
            },
        }
    }
}

/// One end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// An index into [`Reach::workloads`].
    Workload(usize),
    Outside(Outside),
}

/// The port of a query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PortQuery {
    /// Some port: whether any traffic at all is allowed.
    Any,
    /// One port of a protocol (`TCP`, `UDP`, `SCTP`).
    Port { protocol: String, port: i64 },
}

impl PortQuery {
    pub fn tcp(port: i64) -> Self {
        PortQuery::Port {
            protocol: "TCP".into(),
            port,
        }
    }

    pub fn text(&self) -> String {
        match self {
            PortQuery::Any => "any port".into(),
            PortQuery::Port { protocol, port } => format!("{protocol} {port}"),
        }
    }
}

/// Allowed, denied, or not decidable from the manifests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allowed,
    Denied,
    Unknown,
}

impl Verdict {
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::Unknown => "unknown",
        }
    }
}

/// A policy rule (or one of its peers) that allows the traffic.
#[derive(Clone, Debug, Serialize)]
pub struct RuleRef {
    /// `NetworkPolicy ns/name`.
    pub policy: String,
    /// The rule, or the peer that matches.
    pub at: At,
    /// For a rule that allows a query without a port ([`PortQuery::Any`]): the ports its
    /// `ports` list opens (`TCP 5432`, `TCP 8000-8080`, `TCP http`); empty when it lists
    /// none (every port) or the query named a port.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<String>,
}

/// One direction of a connection: the source's egress or the destination's ingress.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    pub verdict: Verdict,
    /// Whether some policy isolates this direction (else everything is allowed).
    pub isolated: bool,
    /// The policies that select the pod for this direction.
    pub policies: Vec<RuleRef>,
    /// The rules that allow the traffic.
    pub allowing: Vec<RuleRef>,
    /// Why the answer is unknown (or what limits it).
    pub reasons: Vec<String>,
}

impl Side {
    fn open(reason: Option<String>) -> Side {
        Side {
            verdict: Verdict::Allowed,
            isolated: false,
            policies: Vec::new(),
            allowing: Vec::new(),
            reasons: reason.into_iter().collect(),
        }
    }
}

/// The answer for one connection.
#[derive(Clone, Debug, Serialize)]
pub struct Answer {
    pub verdict: Verdict,
    pub port: PortQuery,
    pub egress: Side,
    pub ingress: Side,
}

/// A workload of the bundle: one pod template.
#[derive(Clone, Debug, Serialize)]
pub struct Workload {
    pub kind: String,
    pub name: String,
    /// `None`: no `metadata.namespace` (the namespace the manifests are applied to).
    pub namespace: Option<String>,
    pub labels: Vec<(String, String)>,
    pub host_network: bool,
    /// The object's name field (or its root).
    pub at: At,
    /// Index into `Bundle::pods`.
    #[serde(skip)]
    pub pod: usize,
}

impl Workload {
    /// `Deployment web` (the namespace is the matrix's).
    pub fn text(&self) -> String {
        format!("{} {}", self.kind, self.name)
    }

    /// `Deployment shop/web`.
    pub fn qualified(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// A named container port: (name, number, protocol).
type NamedPort<'b> = (&'b str, i64, &'b str);

/// The reachability model of a bundle.
pub struct Reach<'q, 'b> {
    bundle: &'q Bundle<'b>,
    net: NetIndex<'q, 'b>,
    pub workloads: Vec<Workload>,
    ports: Vec<Vec<NamedPort<'b>>>,
    /// Labels of the Namespace objects of the bundle.
    namespaces: HashMap<&'b str, Vec<(&'b str, &'b str)>>,
    /// The target version.
    version: KubeVersion,
    /// The namespace of namespaced objects without `metadata.namespace`.
    apply_namespace: Option<&'b str>,
}

/// The first version whose API server keeps `endPort` by default (the
/// `NetworkPolicyEndPort` gate: alpha, off, in v1.21; beta, on, in v1.22).
pub const END_PORT_SINCE: u32 = 22;

/// Three-valued matching.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    Maybe(String),
}

impl Tri {
    fn and(self, other: impl FnOnce() -> Tri) -> Tri {
        match self {
            Tri::No => Tri::No,
            Tri::Yes => other(),
            Tri::Maybe(r) => match other() {
                Tri::No => Tri::No,
                _ => Tri::Maybe(r),
            },
        }
    }

    fn of(b: bool) -> Tri {
        if b {
            Tri::Yes
        } else {
            Tri::No
        }
    }
}

/// What a peer is matched against.
#[derive(Clone, Copy)]
enum Party<'a> {
    Workload(&'a Workload, usize),
    Outside(Outside),
}

fn text_map<'d>(doc: &'d Document<'d>, node: Option<NodeId>) -> Vec<(&'d str, &'d str)> {
    node.map(|m| {
        doc.entries(m)
            .iter()
            .filter_map(|&(k, v)| Some((doc.text(k)?, doc.text(v)?)))
            .collect()
    })
    .unwrap_or_default()
}

/// Special-purpose IPv4 ranges (IANA registry, RFC 6890): not "the internet".
const NOT_PUBLIC_V4: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/4",
    "240.0.0.0/4",
];
/// IPv6 global unicast (RFC 4291): the public IPv6 addresses.
const PUBLIC_V6: &str = "2000::/3";

/// Whether some address of `net` lies outside every `hole` (CIDRs nest or are disjoint).
fn escapes(net: IpNet, holes: &[IpNet]) -> bool {
    if holes.iter().any(|h| h.contains(&net)) {
        return false;
    }
    if !holes.iter().any(|h| net.contains(h)) {
        return true;
    }
    match net.subnets(net.prefix_len() + 1) {
        Ok(mut halves) => halves.any(|half| escapes(half, holes)),
        Err(_) => false,
    }
}

/// Two CIDRs overlap iff one contains the other.
fn overlap(a: &IpNet, b: &IpNet) -> bool {
    a.contains(b) || b.contains(a)
}

/// Some part of `net` that is outside every `hole` and that no block allows (a block
/// allows an address in its `cidr` and in none of its `except`s), or `None`.
fn uncovered(net: IpNet, holes: &[IpNet], blocks: &[&IpBlock]) -> Option<IpNet> {
    if holes.iter().any(|h| h.contains(&net)) {
        return None;
    }
    let covered =
        |b: &&&IpBlock| b.cidr.contains(&net) && !b.except.iter().any(|e| overlap(e, &net));
    if blocks.iter().any(|b| covered(&b)) {
        return None;
    }
    // Split only where a boundary lies strictly inside `net`: a hole or a block's cidr
    // inside it, or an except inside it of a block that holds it.
    let touched = holes.iter().any(|h| net.contains(h))
        || blocks.iter().any(|b| {
            net.contains(&b.cidr)
                || (b.cidr.contains(&net)
                    && !b.except.iter().any(|e| e.contains(&net))
                    && b.except.iter().any(|e| net.contains(e)))
        });
    if !touched {
        return Some(net);
    }
    match net.subnets(net.prefix_len() + 1) {
        Ok(mut halves) => halves.find_map(|half| uncovered(half, holes, blocks)),
        Err(_) => Some(net),
    }
}

/// Whether an ipBlock allows some public address.
pub fn allows_public(block: &IpBlock) -> bool {
    let parse = |s: &str| s.parse::<IpNet>().ok();
    match block.cidr {
        IpNet::V4(_) => {
            let mut holes: Vec<IpNet> = NOT_PUBLIC_V4.iter().filter_map(|s| parse(s)).collect();
            holes.extend(block.except.iter().copied());
            escapes(block.cidr, &holes)
        }
        IpNet::V6(_) => {
            let Some(public) = parse(PUBLIC_V6) else {
                return false;
            };
            let net = if block.cidr.contains(&public) {
                public
            } else if public.contains(&block.cidr) {
                block.cidr
            } else {
                return false;
            };
            escapes(net, &block.except)
        }
    }
}

impl<'q, 'b> Reach<'q, 'b> {
    /// Index the workloads, namespaces and NetworkPolicies of `bundle`, for the newest
    /// Kubernetes version ([`Reach::with_version`]).
    pub fn new(bundle: &'q Bundle<'b>) -> Self {
        Self::with_version(bundle, KubeVersion::LATEST)
    }

    /// Index the workloads, namespaces and NetworkPolicies of `bundle` as an API server of
    /// `version` stores them (below v1.22 without `endPort`).
    pub fn with_version(bundle: &'q Bundle<'b>, version: KubeVersion) -> Self {
        Self::with_options(bundle, version, None)
    }

    /// As [`Reach::with_version`], with the manifests applied to `apply_namespace`
    /// (`kubectl apply -n NS`, `--apply-namespace`): every workload and NetworkPolicy
    /// without `metadata.namespace` is in it. `None`: they are in a namespace the
    /// manifests do not name (the matrix of "objects without a namespace").
    pub fn with_options(
        bundle: &'q Bundle<'b>,
        version: KubeVersion,
        apply_namespace: Option<&'b str>,
    ) -> Self {
        let net = NetIndex::with_namespace(bundle, apply_namespace);
        let mut workloads = Vec::new();
        let mut ports = Vec::new();
        for (i, p) in bundle.pods.iter().enumerate() {
            let e = &bundle.objects[p.object];
            let o = e.object;
            let doc = o.doc;
            let at = o
                .metadata
                .and_then(|m| doc.get(m, "name"))
                .unwrap_or(o.root);
            workloads.push(Workload {
                kind: o.kind.to_string(),
                name: o.name.unwrap_or("(unnamed)").to_string(),
                namespace: o.namespace.or(apply_namespace).map(String::from),
                labels: p
                    .labels
                    .iter()
                    .map(|&(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                host_network: net.pods[i].host_network,
                at: At::node(Origin::Bundle(e.at.doc.file), doc, at),
                pod: i,
            });
            let mut named = Vec::new();
            for c in &p.pod.containers {
                for &port in doc.get(c.node, "ports").map_or(&[][..], |l| doc.items(l)) {
                    let name = doc.get(port, "name").and_then(|n| doc.str(n));
                    let number = doc
                        .get(port, "containerPort")
                        .and_then(|n| match doc.value(n) {
                            Some(Value::Int(i)) => Some(i),
                            _ => None,
                        });
                    let protocol = doc
                        .get(port, "protocol")
                        .and_then(|n| doc.str(n))
                        .unwrap_or("TCP");
                    if let (Some(name), Some(number)) = (name, number) {
                        named.push((name, number, protocol));
                    }
                }
            }
            ports.push(named);
        }
        let mut namespaces = HashMap::new();
        for e in bundle.of_kind("", "Namespace") {
            if let Some(name) = e.object.name {
                let doc = e.object.doc;
                namespaces.insert(
                    name,
                    text_map(doc, e.object.metadata.and_then(|m| doc.get(m, "labels"))),
                );
            }
        }
        Reach {
            bundle,
            net,
            workloads,
            ports,
            namespaces,
            version,
            apply_namespace,
        }
    }

    /// Whether the API server of the target version keeps `endPort`.
    fn end_port(&self) -> bool {
        self.version.minor >= END_PORT_SINCE
    }

    /// What the answers depend on beyond the policies as written: below v1.22, every port
    /// with an `endPort`, which the API server drops (so it allows only `port`).
    pub fn notes(&self) -> Vec<String> {
        if self.end_port() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, (_, policy)) in self.net.policies.iter().enumerate() {
            for rule in policy.ingress_rules.iter().chain(&policy.egress_rules) {
                for p in rule.ports.iter().flatten() {
                    let PortMatch::Range(start, end) = p.port else {
                        continue;
                    };
                    if start == end {
                        continue;
                    }
                    let r = self.policy_ref(i, p.node);
                    let at =
                        r.at.locate(self.bundle.sources)
                            .map_or_else(|| "?".into(), |l| l.to_string());
                    out.push(format!(
                        "{}: port {start} with endPort {end} at {at} allows only port {start} at v1.{}: the API server drops endPort while the NetworkPolicyEndPort feature gate is off (off by default in v1.21, on from v1.22; the field does not exist before v1.21; pkg/registry/networking/networkpolicy/strategy.go PrepareForCreate)",
                        r.policy, self.version.minor
                    ));
                }
            }
        }
        out
    }

    /// The workloads of a namespace (`None`: those without one), in bundle order.
    pub fn in_namespace(&self, namespace: Option<&str>) -> Vec<usize> {
        (0..self.workloads.len())
            .filter(|&i| self.workloads[i].namespace.as_deref() == namespace)
            .collect()
    }

    /// The namespaces that have workloads, `None` (no namespace) first.
    pub fn namespaces(&self) -> Vec<Option<String>> {
        let mut out: Vec<Option<String>> =
            self.workloads.iter().map(|w| w.namespace.clone()).collect();
        out.sort();
        out.dedup();
        out
    }

    /// Find a workload by `NAME`, `KIND/NAME`, `NS/NAME` or `NS/KIND/NAME` (kind without
    /// case), in `namespace` when the text names none. Errors say what matched.
    pub fn find(&self, text: &str, namespace: Option<&str>) -> Result<usize, String> {
        let parts: Vec<&str> = text.split('/').collect();
        let (ns, kind, name) = match parts.as_slice() {
            [name] => (namespace, None, *name),
            [a, name] => {
                if self
                    .workloads
                    .iter()
                    .any(|w| w.kind.eq_ignore_ascii_case(a))
                {
                    (namespace, Some(*a), *name)
                } else {
                    (Some(*a), None, *name)
                }
            }
            [ns, kind, name] => (Some(*ns), Some(*kind), *name),
            _ => {
                return Err(format!(
                    "{text:?} is not NAME, KIND/NAME or NAMESPACE/KIND/NAME"
                ))
            }
        };
        let found: Vec<usize> = (0..self.workloads.len())
            .filter(|&i| {
                let w = &self.workloads[i];
                w.name == name
                    && kind.is_none_or(|k| w.kind.eq_ignore_ascii_case(k))
                    && (ns.is_none() || w.namespace.as_deref() == ns)
            })
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!(
                "no workload {text:?} in the bundle{}",
                ns.map(|n| format!(" (namespace {n})")).unwrap_or_default()
            )),
            many => Err(format!(
                "{text:?} names {} workloads ({}): write NAMESPACE/KIND/NAME",
                many.len(),
                many.iter()
                    .map(|&i| self.workloads[i].qualified())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    fn policy_ref(&self, i: usize, node: NodeId) -> RuleRef {
        let e = &self.bundle.objects[self.net.policies[i].0];
        let name = e.object.name.unwrap_or("(unnamed)");
        RuleRef {
            policy: match e.object.namespace.or(self.apply_namespace) {
                Some(ns) => format!("NetworkPolicy {ns}/{name}"),
                None => format!("NetworkPolicy {name}"),
            },
            at: At::node(Origin::Bundle(e.at.doc.file), e.object.doc, node),
            ports: Vec::new(),
        }
    }

    /// What a rule's `ports` open, for [`RuleRef::ports`] (endPort as the target version
    /// keeps it).
    fn rule_ports(&self, rule: &PolicyRule, port: &PortQuery) -> Vec<String> {
        if *port != PortQuery::Any {
            return Vec::new();
        }
        rule.ports
            .iter()
            .flatten()
            .map(|p| match p.port {
                PortMatch::Any => format!("{} (every port)", p.protocol),
                PortMatch::Range(a, b) if a != b && self.end_port() => {
                    format!("{} {a}-{b}", p.protocol)
                }
                PortMatch::Range(a, _) => format!("{} {a}", p.protocol),
                PortMatch::Named(n) => format!("{} {n}", p.protocol),
            })
            .collect()
    }

    fn namespace_matches(&self, selector: &LabelSelector, namespace: Option<&str>) -> Tri {
        if selector.is_everything() {
            return Tri::Yes;
        }
        let Some(ns) = namespace else {
            return Tri::Maybe(
                "a namespaceSelector against objects without metadata.namespace: their namespace's labels are unknown".into(),
            );
        };
        if let Some(labels) = self.namespaces.get(ns) {
            let mut all = labels.clone();
            if !all.iter().any(|(k, _)| *k == NAMESPACE_NAME_LABEL) {
                all.push((NAMESPACE_NAME_LABEL, ns));
            }
            return Tri::of(selector.matches(all.as_slice()));
        }
        if selector
            .requirements()
            .iter()
            .all(|r| r.key == NAMESPACE_NAME_LABEL)
        {
            return Tri::of(selector.matches(&[(NAMESPACE_NAME_LABEL, ns)][..]));
        }
        Tri::Maybe(format!(
            "namespace {ns} is not defined in the bundle, so its labels (beyond {NAMESPACE_NAME_LABEL}) are unknown"
        ))
    }

    fn pods_match(&self, selector: &LabelSelector, labels: &[(&str, &str)], who: &str) -> Tri {
        if selector.matches(labels) {
            Tri::Yes
        } else if labels.is_empty() && !selector.is_nothing() {
            Tri::Maybe(format!(
                "{who} has no labels in its pod template: its pods carry only the labels controllers add"
            ))
        } else {
            Tri::No
        }
    }

    /// Whether `peer` of a policy in `policy_ns` matches `party`.
    fn peer_matches(&self, peer: &Peer, policy_ns: Option<&str>, party: Party) -> Tri {
        match (peer, party) {
            (Peer::Invalid { .. }, _) => Tri::No,
            (Peer::Pods { namespaces, pods, .. }, Party::Workload(w, _)) => {
                let labels: Vec<(&str, &str)> = w.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let ns = match namespaces {
                    None => Tri::of(w.namespace.as_deref() == policy_ns),
                    Some(sel) => self.namespace_matches(sel, w.namespace.as_deref()),
                };
                ns.and(|| match pods {
                    None => Tri::Yes,
                    Some(sel) => self.pods_match(sel, &labels, &w.qualified()),
                })
            }
            (Peer::Pods { namespaces, pods, .. }, Party::Outside(Outside::Dns)) => {
                let ns = match namespaces {
                    None => Tri::of(policy_ns == Some(DNS_NAMESPACE)),
                    Some(sel) => self.namespace_matches(sel, Some(DNS_NAMESPACE)),
                };
                ns.and(|| Tri::of(pods.as_ref().is_none_or(|s| s.matches(DNS_LABELS))))
            }
            (Peer::Pods { .. }, Party::Outside(_)) => Tri::No,
            (Peer::IpBlock { block, .. }, Party::Workload(w, _)) => Tri::Maybe(format!(
                "ipBlock {} against {}: pod addresses are not in the manifests (and whether ipBlocks match pod addresses depends on the network plugin)",
                block.cidr,
                w.qualified()
            )),
            (Peer::IpBlock { block, .. }, Party::Outside(o)) => match o {
                Outside::Internet => Tri::of(allows_public(block)),
                Outside::Metadata => Tri::of(block.allows(METADATA_V4)),
                Outside::MetadataV6 => Tri::of(block.allows(METADATA_V6)),
                Outside::Kubelet => {
                    if block.is_everything() && matches!(block.cidr, IpNet::V4(_)) {
                        Tri::Yes
                    } else {
                        Tri::Maybe(format!(
                            "ipBlock {}: the nodes' addresses are not in the manifests",
                            block.cidr
                        ))
                    }
                }
                Outside::Dns => Tri::Maybe(format!(
                    "ipBlock {}: the DNS pods' addresses are not in the manifests",
                    block.cidr
                )),
            },
        }
    }

    /// Whether a rule's ports allow `port` to `destination`.
    fn port_matches(&self, rule: &PolicyRule, port: &PortQuery, destination: Party) -> Tri {
        let (protocol, number) = match port {
            PortQuery::Any => return Tri::Yes,
            PortQuery::Port { protocol, port } => (protocol.as_str(), *port),
        };
        let Some(ports) = &rule.ports else {
            return Tri::Yes;
        };
        Tri::of(ports.iter().any(|p| {
            p.protocol.eq_ignore_ascii_case(protocol)
                && match &p.port {
                    PortMatch::Any => true,
                    PortMatch::Range(a, b) if self.end_port() => *a <= number && number <= *b,
                    // endPort dropped by the API server ([`Reach::notes`]).
                    PortMatch::Range(a, _) => *a == number,
                    PortMatch::Named(name) => match destination {
                        Party::Workload(_, i) => self.ports.get(i).is_some_and(|ports| {
                            ports.iter().any(|&(n, num, proto)| {
                                n == *name && num == number && proto.eq_ignore_ascii_case(protocol)
                            })
                        }),
                        Party::Outside(_) => false,
                    },
                }
        }))
    }

    /// One direction for the pod of workload `w`: its egress toward `other`
    /// (`egress == true`) or its ingress from `other`.
    fn side(&self, w: usize, egress: bool, other: Party, port: &PortQuery) -> Side {
        let net = &self.net.pods[self.workloads[w].pod];
        let me = Party::Workload(&self.workloads[w], w);
        if self.net.other_selecting(self.workloads[w].pod) {
            return Side {
                verdict: Verdict::Unknown,
                isolated: false,
                policies: Vec::new(),
                allowing: Vec::new(),
                reasons: vec![format!(
                    "policy kinds this model does not evaluate (Cilium, Calico, AdminNetworkPolicy) apply to {}",
                    self.workloads[w].qualified()
                )],
            };
        }
        let selecting: Vec<usize> = net
            .selecting
            .iter()
            .copied()
            .filter(|&i| {
                let p = &self.net.policies[i].1;
                if egress {
                    p.egress
                } else {
                    p.ingress
                }
            })
            .collect();
        if selecting.is_empty() {
            return Side::open(None);
        }
        let (dest, src) = if egress { (other, me) } else { (me, other) };
        let _ = src;
        let mut allowing = Vec::new();
        let mut reasons = Vec::new();
        let mut policies = Vec::new();
        for &pi in &selecting {
            let policy: &NetworkPolicy = &self.net.policies[pi].1;
            let policy_ns = self.bundle.objects[self.net.policies[pi].0]
                .object
                .namespace
                .or(self.apply_namespace);
            policies.push(self.policy_ref(pi, policy.root));
            let rules = if egress {
                policy.effective_egress()
            } else {
                policy.effective_ingress()
            };
            for rule in rules {
                let ports = self.port_matches(rule, port, dest);
                if ports == Tri::No {
                    continue;
                }
                match &rule.peers {
                    None => match ports {
                        Tri::Yes => allowing.push(RuleRef {
                            ports: self.rule_ports(rule, port),
                            ..self.policy_ref(pi, rule.node)
                        }),
                        Tri::Maybe(r) => reasons.push(r),
                        Tri::No => {}
                    },
                    Some(peers) => {
                        for peer in peers {
                            let node = match peer {
                                Peer::Pods { node, .. }
                                | Peer::IpBlock { node, .. }
                                | Peer::Invalid { node, .. } => *node,
                            };
                            match ports
                                .clone()
                                .and(|| self.peer_matches(peer, policy_ns, other))
                            {
                                Tri::Yes => allowing.push(RuleRef {
                                    ports: self.rule_ports(rule, port),
                                    ..self.policy_ref(pi, node)
                                }),
                                Tri::Maybe(r) => reasons.push(r),
                                Tri::No => {}
                            }
                        }
                    }
                }
            }
        }
        reasons.sort();
        reasons.dedup();
        Side {
            verdict: if !allowing.is_empty() {
                Verdict::Allowed
            } else if !reasons.is_empty() {
                Verdict::Unknown
            } else {
                Verdict::Denied
            },
            isolated: true,
            policies,
            allowing,
            reasons,
        }
    }

    /// Whether traffic from `from` to `to` on `port` is allowed. The outside as a
    /// destination uses its own port ([`Outside`]); the outside as a source is
    /// [`Outside::Internet`] (other outside sources are judged as it is).
    pub fn answer(&self, from: Endpoint, to: Endpoint, port: &PortQuery) -> Answer {
        let port = match to {
            Endpoint::Outside(o) => o.port(port),
            Endpoint::Workload(_) => port.clone(),
        };
        self.answer_on(from, to, &port)
    }

    /// As [`Reach::answer`], but on exactly `port` even toward an outside destination that
    /// has its own port: whether the metadata address is reachable on another port than
    /// HTTP's, or ([`PortQuery::Any`]) on some port at all.
    pub fn answer_on(&self, from: Endpoint, to: Endpoint, port: &PortQuery) -> Answer {
        let port = port.clone();
        let party = |e: Endpoint| match e {
            Endpoint::Workload(i) => Party::Workload(&self.workloads[i], i),
            Endpoint::Outside(o) => Party::Outside(o),
        };
        let outside_reason =
            |what: &str| Some(format!("{what} is outside the bundle's NetworkPolicies"));
        let mut egress = match from {
            Endpoint::Workload(i) => self.side(i, true, party(to), &port),
            Endpoint::Outside(_) => Side::open(outside_reason("the source")),
        };
        let mut ingress = match to {
            Endpoint::Workload(i) => self.side(i, false, party(from), &port),
            Endpoint::Outside(_) => Side::open(outside_reason("the destination")),
        };
        for (side, end) in [(&mut egress, from), (&mut ingress, to)] {
            if let Endpoint::Workload(i) = end {
                if self.workloads[i].host_network {
                    side.verdict = Verdict::Unknown;
                    side.reasons.push(format!(
                        "{} uses hostNetwork: NetworkPolicy behaviour for hostNetwork pods is undefined (most plugins treat their traffic as the node's)",
                        self.workloads[i].qualified()
                    ));
                }
            }
        }
        // A hostNetwork end talks with the node's address, which no pod selector matches
        // and no ipBlock is known to: neither side decides, whatever it says.
        let host_network = [from, to]
            .iter()
            .any(|e| matches!(e, Endpoint::Workload(i) if self.workloads[*i].host_network));
        let verdict = match (egress.verdict, ingress.verdict) {
            _ if host_network => Verdict::Unknown,
            (Verdict::Denied, _) | (_, Verdict::Denied) => Verdict::Denied,
            (Verdict::Unknown, _) | (_, Verdict::Unknown) => Verdict::Unknown,
            _ => Verdict::Allowed,
        };
        Answer {
            verdict,
            port,
            egress,
            ingress,
        }
    }

    /// The ingress of workload `to` toward a pod that is not in the bundle (`source`: its
    /// namespace and labels; its `pod` index is not read), on `port`: whether the
    /// destination's policies would admit such a pod, its own egress left aside (its
    /// policies are not in the manifests). An `ipBlock` peer gives
    /// [`Verdict::Unknown`] for it, as for any pod.
    pub fn ingress_from(&self, to: usize, source: &Workload, port: &PortQuery) -> Side {
        let mut side = self.side(to, false, Party::Workload(source, usize::MAX), port);
        if self.workloads[to].host_network {
            side.verdict = Verdict::Unknown;
            side.reasons.push(format!(
                "{} uses hostNetwork: NetworkPolicy behaviour for hostNetwork pods is undefined",
                self.workloads[to].qualified()
            ));
        }
        side
    }

    /// A public IPv4 address (a CIDR of them, outside the special-purpose ranges of
    /// RFC 6890) that the egress of workload `w` does **not** allow on `port`: `Ok(None)`
    /// when every public IPv4 address is allowed (egress not isolated, a rule without
    /// peers, or `ipBlock`s whose union, less their `except`s, covers the public space).
    /// Where [`Outside::Internet`] asks whether *some* public address is reachable, this
    /// asks whether *all* are. Errors: what the model cannot decide (hostNetwork, policy
    /// kinds it does not evaluate). Semantics as [`Reach::answer`]'s egress side; a
    /// named port matches no outside address.
    pub fn public_ipv4_gap(&self, w: usize, port: &PortQuery) -> Result<Option<IpNet>, String> {
        let workload = &self.workloads[w];
        let net = &self.net.pods[workload.pod];
        if self.net.other_selecting(workload.pod) {
            return Err(format!(
                "policy kinds this model does not evaluate (Cilium, Calico, AdminNetworkPolicy) apply to {}",
                workload.qualified()
            ));
        }
        if workload.host_network {
            return Err(format!(
                "{} uses hostNetwork: NetworkPolicy behaviour for hostNetwork pods is undefined",
                workload.qualified()
            ));
        }
        let mut blocks: Vec<&IpBlock> = Vec::new();
        let mut isolated = false;
        for &pi in &net.selecting {
            let policy = &self.net.policies[pi].1;
            if !policy.egress {
                continue;
            }
            isolated = true;
            for rule in policy.effective_egress() {
                let dest = Party::Outside(Outside::Internet);
                if self.port_matches(rule, port, dest) != Tri::Yes {
                    continue;
                }
                match &rule.peers {
                    None => return Ok(None),
                    Some(peers) => blocks.extend(peers.iter().filter_map(|p| match p {
                        Peer::IpBlock { block, .. } => Some(block),
                        _ => None,
                    })),
                }
            }
        }
        if !isolated {
            return Ok(None);
        }
        let holes: Vec<IpNet> = NOT_PUBLIC_V4
            .iter()
            .filter_map(|s| s.parse::<IpNet>().ok())
            .collect();
        let everything: IpNet = "0.0.0.0/0".parse().map_err(|_| "0.0.0.0/0".to_string())?;
        Ok(uncovered(everything, &holes, &blocks))
    }

    /// The matrix of one namespace: rows are its workloads then the internet as a source;
    /// columns its workloads then every [`Outside`] destination. The internet row has no
    /// cells for outside destinations.
    pub fn matrix(&self, namespace: Option<&str>, port: &PortQuery) -> NamespaceMatrix {
        let ws = self.in_namespace(namespace);
        let mut sources: Vec<Endpoint> = ws.iter().map(|&i| Endpoint::Workload(i)).collect();
        sources.push(Endpoint::Outside(Outside::Internet));
        let mut destinations: Vec<Endpoint> = ws.iter().map(|&i| Endpoint::Workload(i)).collect();
        destinations.extend(Outside::ALL.map(Endpoint::Outside));
        let cells = sources
            .iter()
            .map(|&s| {
                destinations
                    .iter()
                    .map(|&d| match (s, d) {
                        (Endpoint::Outside(_), Endpoint::Outside(_)) => None,
                        _ => Some(self.answer(s, d, port)),
                    })
                    .collect()
            })
            .collect();
        NamespaceMatrix {
            namespace: namespace.map(String::from),
            port: port.clone(),
            sources: sources.iter().map(|&e| self.label(e)).collect(),
            destinations: destinations.iter().map(|&e| self.label(e)).collect(),
            endpoints_from: sources,
            endpoints_to: destinations,
            cells,
        }
    }

    /// Everything `from` can reach, across every namespace: each workload of the bundle
    /// (bundle order), then every [`Outside`] destination. The outside as `from` gets the
    /// workloads only.
    pub fn reachable_from(&self, from: Endpoint, port: &PortQuery) -> Vec<(Endpoint, Answer)> {
        let outside: &[Outside] = match from {
            Endpoint::Outside(_) => &[],
            Endpoint::Workload(_) => &Outside::ALL,
        };
        (0..self.workloads.len())
            .map(Endpoint::Workload)
            .chain(outside.iter().map(|&o| Endpoint::Outside(o)))
            .map(|to| (to, self.answer(from, to, port)))
            .collect()
    }

    /// Everything that can reach `to`, across every namespace: each workload of the
    /// bundle, then the internet (when `to` is a workload).
    pub fn reaching(&self, to: Endpoint, port: &PortQuery) -> Vec<(Endpoint, Answer)> {
        let internet =
            matches!(to, Endpoint::Workload(_)).then_some(Endpoint::Outside(Outside::Internet));
        (0..self.workloads.len())
            .map(Endpoint::Workload)
            .chain(internet)
            .map(|from| (from, self.answer(from, to, port)))
            .collect()
    }

    /// How a matrix names an endpoint: `Deployment web`, `internet`, `metadata`.
    pub fn label(&self, e: Endpoint) -> String {
        match e {
            Endpoint::Workload(i) => self.workloads[i].text(),
            Endpoint::Outside(o) => o.name().to_string(),
        }
    }
}

/// The reachability matrix of one namespace.
#[derive(Clone, Debug, Serialize)]
pub struct NamespaceMatrix {
    pub namespace: Option<String>,
    pub port: PortQuery,
    pub sources: Vec<String>,
    pub destinations: Vec<String>,
    #[serde(skip)]
    pub endpoints_from: Vec<Endpoint>,
    #[serde(skip)]
    pub endpoints_to: Vec<Endpoint>,
    /// `cells[source][destination]`; `None` where both ends are outside.
    pub cells: Vec<Vec<Option<Answer>>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cidr::parse;

    fn block(cidr: &str, except: &[&str]) -> IpBlock {
        IpBlock {
            cidr: parse(cidr).unwrap(),
            except: except.iter().map(|e| parse(e).unwrap()).collect(),
        }
    }

    /// The first public IPv4 range the blocks leave out.
    fn gap(blocks: &[IpBlock]) -> Option<String> {
        let holes: Vec<IpNet> = NOT_PUBLIC_V4.iter().map(|s| s.parse().unwrap()).collect();
        let refs: Vec<&IpBlock> = blocks.iter().collect();
        uncovered("0.0.0.0/0".parse().unwrap(), &holes, &refs).map(|n| n.to_string())
    }

    #[test]
    fn every_public_address_needs_the_union_to_cover_the_public_space() {
        assert_eq!(gap(&[block("0.0.0.0/0", &[])]), None);
        assert_eq!(gap(&[block("0.0.0.0/0", &["169.254.169.254/32"])]), None);
        // Split halves cover it as well as the whole.
        assert_eq!(
            gap(&[block("0.0.0.0/1", &[]), block("128.0.0.0/1", &[])]),
            None
        );
        // An except of a public range leaves that range out, unless another block has it.
        assert_eq!(
            gap(&[block("0.0.0.0/0", &["0.0.0.0/1"])]).as_deref(),
            Some("1.0.0.0/8")
        );
        assert_eq!(
            gap(&[
                block("0.0.0.0/0", &["8.8.8.0/24"]),
                block("8.8.0.0/16", &[])
            ]),
            None
        );
        assert_eq!(
            gap(&[block("203.0.113.0/24", &[])]).as_deref(),
            Some("1.0.0.0/8")
        );
        assert_eq!(gap(&[]).as_deref(), Some("1.0.0.0/8"));
        // Private ranges need not be allowed.
        assert_eq!(
            gap(&[block("0.0.0.0/0", &["10.0.0.0/8", "192.168.0.0/16"])]),
            None
        );
    }

    #[test]
    fn public_addresses_are_what_special_purpose_ranges_leave() {
        assert!(allows_public(&block("0.0.0.0/0", &[])));
        assert!(allows_public(&block("8.8.8.8/32", &[])));
        assert!(!allows_public(&block("10.0.0.0/8", &[])));
        assert!(!allows_public(&block("169.254.169.254/32", &[])));
        // The usual "internet only" block still reaches the internet.
        assert!(allows_public(&block(
            "0.0.0.0/0",
            &["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
        )));
        assert!(!allows_public(&block(
            "0.0.0.0/0",
            &["0.0.0.0/1", "128.0.0.0/1"]
        )));
        assert!(allows_public(&block("::/0", &[])));
        assert!(!allows_public(&block("fd00::/8", &[])));
        assert!(!allows_public(&block("::/0", &["2000::/3"])));
        assert!(allows_public(&block("2001:db8::/32", &[])));
    }
}
