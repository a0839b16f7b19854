//! NetworkPolicies (`networking.k8s.io/v1`, and the same shape as `extensions/v1beta1`)
//! read with the defaults the API server applies.
//!
//! Sources: k8s.io/api/networking/v1/types.go (field comments), pkg/apis/networking/v1/
//! defaults.go (`SetDefaults_NetworkPolicy`, `SetDefaults_NetworkPolicyPort`),
//! pkg/apis/networking/validation/validation.go, and
//! <https://kubernetes.io/docs/concepts/services-networking/network-policies/>:
//! - `podSelector` absent or `{}` selects every pod of the policy's namespace;
//! - `policyTypes` absent or empty becomes `[Ingress]`, plus `Egress` iff `egress` has at
//!   least one rule (so `egress: []` without `policyTypes` does not isolate egress); rules
//!   of a direction not in `policyTypes` have no effect;
//! - a rule's `from`/`to` absent or empty allows every peer, `ports` absent or empty every
//!   port; a port's `protocol` defaults to TCP, an absent `port` is every port of the
//!   protocol, `endPort` makes the range `port..=endPort`;
//! - one peer with `namespaceSelector` and `podSelector` is their AND; `podSelector` alone
//!   is the policy's namespace; `namespaceSelector` alone is every pod of the matching
//!   namespaces; `ipBlock` excludes both.

use core::net::IpAddr;

use super::cidr::{self, IpBlock};
use super::selector::{LabelSelector, SelectorError};
use crate::yaml::{Document, NodeId, Value};

/// A port of a rule's `ports`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortMatch<'d> {
    /// No `port`: every port of the protocol.
    Any,
    /// `port..=end` (`end == port` without `endPort`).
    Range(i64, i64),
    /// A named port: resolved against the destination pod's container ports.
    Named(&'d str),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port<'d> {
    pub node: NodeId,
    /// `TCP` unless given.
    pub protocol: &'d str,
    pub port: PortMatch<'d>,
}

impl Port<'_> {
    /// Whether this entry certainly allows `number` over `protocol` (a named port is
    /// not known to).
    pub fn allows(&self, protocol: &str, number: i64) -> bool {
        self.protocol.eq_ignore_ascii_case(protocol)
            && match self.port {
                PortMatch::Any => true,
                PortMatch::Range(a, b) => a <= number && number <= b,
                PortMatch::Named(_) => false,
            }
    }
}

/// One peer of a rule's `from` / `to`.
#[derive(Clone, Debug)]
pub enum Peer<'d> {
    /// Pods: `namespaces` absent means the policy's namespace; `pods` absent means every
    /// pod of the selected namespaces.
    Pods {
        node: NodeId,
        namespaces: Option<LabelSelector<'d>>,
        pods: Option<LabelSelector<'d>>,
    },
    IpBlock {
        node: NodeId,
        /// The `cidr` field.
        cidr_node: NodeId,
        /// The `except` list, when present.
        except_node: Option<NodeId>,
        block: IpBlock,
    },
    /// A peer the API server rejects (bad selector, bad CIDR, empty peer): it allows
    /// nothing; `message` says why.
    Invalid { node: NodeId, message: String },
}

/// One ingress or egress rule.
#[derive(Clone, Debug)]
pub struct PolicyRule<'d> {
    /// The rule (an item of `ingress` / `egress`).
    pub node: NodeId,
    /// `None`: every port.
    pub ports: Option<Vec<Port<'d>>>,
    /// `None`: every peer (no `from` / `to`, or an empty list).
    pub peers: Option<Vec<Peer<'d>>>,
}

impl PolicyRule<'_> {
    /// Whether the rule allows `number` over `protocol` on some of its ports.
    pub fn allows_port(&self, protocol: &str, number: i64) -> bool {
        self.ports
            .as_ref()
            .is_none_or(|ports| ports.iter().any(|p| p.allows(protocol, number)))
    }
}

/// A NetworkPolicy with its defaults applied.
#[derive(Clone, Debug)]
pub struct NetworkPolicy<'d> {
    pub doc: &'d Document<'d>,
    pub root: NodeId,
    /// The `spec.podSelector` node, when written.
    pub pod_selector_node: Option<NodeId>,
    /// Err: a selector the API server rejects; the policy selects nothing.
    pub pod_selector: Result<LabelSelector<'d>, SelectorError>,
    /// Isolates ingress (after `policyTypes` defaulting).
    pub ingress: bool,
    /// Isolates egress (after `policyTypes` defaulting).
    pub egress: bool,
    /// Whether `policyTypes` was written (non-empty).
    pub explicit_types: bool,
    pub ingress_rules: Vec<PolicyRule<'d>>,
    pub egress_rules: Vec<PolicyRule<'d>>,
}

impl<'d> NetworkPolicy<'d> {
    /// Read the NetworkPolicy whose object root is `root`.
    pub fn read(doc: &'d Document<'d>, root: NodeId) -> Self {
        let spec = doc.get(root, "spec").filter(|&s| doc.is_map(s));
        let field = |key| {
            spec.and_then(|s| doc.get(s, key))
                .filter(|&n| !doc.is_null(n))
        };
        let pod_selector_node = field("podSelector");
        let pod_selector = match pod_selector_node {
            Some(n) => LabelSelector::read(doc, n),
            None => Ok(LabelSelector::everything()),
        };
        let rules = |key| -> Vec<PolicyRule<'d>> {
            field(key)
                .map(|list| doc.items(list))
                .unwrap_or_default()
                .iter()
                .map(|&r| read_rule(doc, r, if key == "ingress" { "from" } else { "to" }))
                .collect()
        };
        let ingress_rules = rules("ingress");
        let egress_rules = rules("egress");
        let types: Vec<&str> = field("policyTypes")
            .map(|list| doc.items(list))
            .unwrap_or_default()
            .iter()
            .filter_map(|&t| doc.text(t))
            .collect();
        let explicit_types = !types.is_empty();
        let (ingress, egress) = if explicit_types {
            (types.contains(&"Ingress"), types.contains(&"Egress"))
        } else {
            (true, !egress_rules.is_empty())
        };
        NetworkPolicy {
            doc,
            root,
            pod_selector_node,
            pod_selector,
            ingress,
            egress,
            explicit_types,
            ingress_rules,
            egress_rules,
        }
    }

    /// Whether the policy selects a pod with these labels (in its namespace).
    pub fn selects(&self, labels: &[(&str, &str)]) -> bool {
        self.pod_selector.as_ref().is_ok_and(|s| s.matches(labels))
    }

    /// Whether the pod selector is `{}` (or absent): every pod of the namespace.
    pub fn selects_every_pod(&self) -> bool {
        self.pod_selector
            .as_ref()
            .is_ok_and(LabelSelector::is_everything)
    }

    /// The rules in effect for egress (none when the policy does not isolate egress).
    pub fn effective_egress(&self) -> &[PolicyRule<'d>] {
        if self.egress {
            &self.egress_rules
        } else {
            &[]
        }
    }

    /// The rules in effect for ingress.
    pub fn effective_ingress(&self) -> &[PolicyRule<'d>] {
        if self.ingress {
            &self.ingress_rules
        } else {
            &[]
        }
    }
}

fn read_rule<'d>(doc: &'d Document<'d>, node: NodeId, peers_key: &str) -> PolicyRule<'d> {
    let field = |key| {
        doc.is_map(node)
            .then(|| doc.get(node, key))
            .flatten()
            .filter(|&n| !doc.is_null(n))
    };
    let ports = field("ports")
        .map(|l| doc.items(l))
        .filter(|items| !items.is_empty())
        .map(|items| items.iter().map(|&p| read_port(doc, p)).collect());
    let peers = field(peers_key)
        .map(|l| doc.items(l))
        .filter(|items| !items.is_empty())
        .map(|items| items.iter().map(|&p| read_peer(doc, p)).collect());
    PolicyRule { node, ports, peers }
}

fn int(doc: &Document, node: NodeId) -> Option<i64> {
    match doc.value(node) {
        Some(Value::Int(i)) => Some(i),
        _ => None,
    }
}

fn read_port<'d>(doc: &'d Document<'d>, node: NodeId) -> Port<'d> {
    let get = |key| doc.get(node, key).filter(|&n| !doc.is_null(n));
    let protocol = get("protocol").and_then(|n| doc.text(n)).unwrap_or("TCP");
    let port = match get("port") {
        None => PortMatch::Any,
        Some(p) => match int(doc, p) {
            Some(start) => {
                let end = get("endPort").and_then(|e| int(doc, e)).unwrap_or(start);
                PortMatch::Range(start, end.max(start))
            }
            None => match doc.text(p) {
                // An integer written as a string is still a port number
                // (intstr.IntOrString decodes "80" as the string "80", a named port that
                // cannot exist: port names are IANA_SVC_NAMEs, which need a letter).
                Some(name) => PortMatch::Named(name),
                None => PortMatch::Named(""),
            },
        },
    };
    Port {
        node,
        protocol,
        port,
    }
}

fn read_peer<'d>(doc: &'d Document<'d>, node: NodeId) -> Peer<'d> {
    let invalid = |message: String| Peer::Invalid { node, message };
    if !doc.is_map(node) {
        return invalid("a peer must be a mapping".into());
    }
    let get = |key| doc.get(node, key).filter(|&n| !doc.is_null(n));
    if let Some(ip) = get("ipBlock") {
        if get("podSelector").is_some() || get("namespaceSelector").is_some() {
            return invalid("may not specify both ipBlock and another peer".into());
        }
        let Some(cidr_node) = doc.get(ip, "cidr").filter(|&n| doc.text(n).is_some()) else {
            return invalid("ipBlock needs a cidr".into());
        };
        let cidr = match cidr::parse(doc.text(cidr_node).unwrap_or("")) {
            Ok(c) => c,
            Err(e) => return invalid(e),
        };
        let except_node = doc.get(ip, "except").filter(|&n| doc.is_seq(n));
        let mut except = Vec::new();
        for &e in except_node.map(|n| doc.items(n)).unwrap_or_default() {
            match cidr::parse(doc.text(e).unwrap_or("")) {
                Ok(net) if cidr::strictly_contains(&cidr, &net) => except.push(net),
                Ok(net) => {
                    return invalid(format!(
                        "except {net} is not a strict subset of cidr {cidr}"
                    ))
                }
                Err(e) => return invalid(e),
            }
        }
        return Peer::IpBlock {
            node,
            cidr_node,
            except_node,
            block: IpBlock { cidr, except },
        };
    }
    let selector = |key| match get(key) {
        None => Ok(None),
        Some(n) => LabelSelector::read(doc, n).map(Some),
    };
    match (selector("namespaceSelector"), selector("podSelector")) {
        (Ok(None), Ok(None)) => invalid("must specify a peer".into()),
        (Ok(namespaces), Ok(pods)) => Peer::Pods {
            node,
            namespaces,
            pods,
        },
        (Err(e), _) | (_, Err(e)) => invalid(e.message),
    }
}

/// Whether `rules` (the effective egress of a pod's policies) let traffic reach `addr`
/// on TCP `port` through an `ipBlock` or a rule without `to`; each such rule and peer.
pub fn egress_reaching<'r, 'd>(
    rules: &'r [PolicyRule<'d>],
    addr: IpAddr,
    port: i64,
) -> impl Iterator<Item = (&'r PolicyRule<'d>, Option<&'r Peer<'d>>)> + 'r {
    rules
        .iter()
        .filter(move |r| r.allows_port("TCP", port))
        .flat_map(move |r| match &r.peers {
            None => vec![(r, None)],
            Some(peers) => peers
                .iter()
                .filter(|p| matches!(p, Peer::IpBlock { block, .. } if block.allows(addr)))
                .map(|p| (r, Some(p)))
                .collect(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};

    fn policy(spec: &str, f: impl FnOnce(&NetworkPolicy)) {
        let text = format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p}}\nspec:\n{spec}");
        let stream = parse_stream(&text, &Limits::default());
        let doc = &stream.documents[0];
        f(&NetworkPolicy::read(doc, doc.root.unwrap()));
    }

    #[test]
    fn policy_types_default_to_ingress_plus_egress_when_egress_rules_exist() {
        policy("  podSelector: {}\n", |p| {
            assert_eq!((p.ingress, p.egress), (true, false))
        });
        policy("  podSelector: {}\n  egress: []\n", |p| {
            assert_eq!((p.ingress, p.egress), (true, false))
        });
        policy("  podSelector: {}\n  egress: [{}]\n", |p| {
            assert_eq!((p.ingress, p.egress), (true, true))
        });
        policy("  podSelector: {}\n  policyTypes: [Egress]\n", |p| {
            assert_eq!((p.ingress, p.egress), (false, true));
            assert!(p.explicit_types);
        });
        // Egress rules under policyTypes [Ingress] have no effect.
        policy("  policyTypes: [Ingress]\n  egress: [{}]\n", |p| {
            assert!(!p.egress);
            assert!(p.effective_egress().is_empty());
        });
    }

    #[test]
    fn absent_pod_selector_selects_every_pod() {
        policy("  policyTypes: [Ingress]\n", |p| {
            assert!(p.selects_every_pod());
            assert!(p.selects(&[("app", "x")]));
        });
        policy("  podSelector: {matchLabels: {app: web}}\n", |p| {
            assert!(!p.selects_every_pod());
            assert!(p.selects(&[("app", "web")]));
            assert!(!p.selects(&[]));
        });
    }

    #[test]
    fn peers_ports_and_ip_blocks() {
        let spec = "  podSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}\n    - namespaceSelector: {}\n      podSelector: {matchLabels: {app: dns}}\n    - podSelector: {}\n    ports: [{port: 53, protocol: UDP}, {port: 8000, endPort: 9000}, {port: http}]\n  - {}\n  - to: [{}]\n";
        policy(spec, |p| {
            assert!(p.egress);
            let r = &p.egress_rules[0];
            let peers = r.peers.as_ref().unwrap();
            assert!(
                matches!(&peers[0], Peer::IpBlock { block, .. } if !block.allows("169.254.169.254".parse().unwrap()))
            );
            assert!(
                matches!(&peers[1], Peer::Pods { namespaces: Some(n), pods: Some(_), .. } if n.is_everything())
            );
            assert!(matches!(
                &peers[2],
                Peer::Pods {
                    namespaces: None,
                    pods: Some(_),
                    ..
                }
            ));
            assert!(r.allows_port("UDP", 53));
            assert!(!r.allows_port("TCP", 53));
            assert!(r.allows_port("TCP", 8000) && r.allows_port("TCP", 9000));
            assert!(!r.allows_port("TCP", 9001));
            assert!(
                !r.allows_port("TCP", 80),
                "a named port is not known to be 80"
            );
            // `- {}`: every destination, every port.
            assert!(p.egress_rules[1].peers.is_none() && p.egress_rules[1].ports.is_none());
            // `to: [{}]` is an empty peer, which the API server rejects.
            assert!(matches!(
                &p.egress_rules[2].peers.as_ref().unwrap()[0],
                Peer::Invalid { .. }
            ));
            let imds: IpAddr = "169.254.169.254".parse().unwrap();
            let reaching: Vec<_> = egress_reaching(p.effective_egress(), imds, 80).collect();
            assert_eq!(reaching.len(), 1, "only the rule without `to`");
            assert!(reaching[0].1.is_none());
        });
    }

    #[test]
    fn invalid_peers_allow_nothing() {
        let spec = "  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/8}\n      podSelector: {}\n    - ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/8]}\n    - ipBlock: {cidr: nope}\n";
        policy(spec, |p| {
            let peers = p.egress_rules[0].peers.as_ref().unwrap();
            assert!(
                peers.iter().all(|p| matches!(p, Peer::Invalid { .. })),
                "{peers:?}"
            );
        });
    }
}
