//! Namespaces, configuration data and exposure: whole-bundle checks of where workloads
//! run, what Namespaces enforce, what ConfigMaps hold and how Services are exposed.

use std::collections::{HashMap, HashSet};

use super::credential::{self, CredentialRules, Verdict};
use super::netpol::{name_place, who};
use super::{bundle_template, BundleCx, BundleHit, BundleHits, Loc, Place, Template};
use crate::bundle::{Bundle, DocRef, Entry};
use crate::diagnostic::Level;
use crate::yaml::{Document, NodeId};

pub static TEMPLATES: &[Template] = &[
    bundle_template(
        "workload-namespace",
        "workloads name a namespace of their own (not default, kube-system or kube-public)",
        workload_namespace,
    ),
    bundle_template("bare-pod", "Pods are run by a controller", bare_pod),
    bundle_template(
        "namespace-pod-security",
        "Namespaces enforce a Pod Security Standard",
        namespace_pod_security,
    ),
    bundle_template(
        "namespace-resource-quota",
        "Namespaces of the bundle have a ResourceQuota and a LimitRange",
        namespace_resource_quota,
    ),
    bundle_template(
        "configmap-credential",
        "ConfigMap data holds no credentials (the secret-in-env classifier)",
        configmap_credential,
    ),
    bundle_template(
        "env-configmap-credential",
        "environment variables take no credential-named key from a ConfigMap",
        env_configmap_credential,
    ),
    bundle_template(
        "service-exposure",
        "Services are not NodePort or LoadBalancer and set no externalIPs",
        service_exposure,
    ),
];

/// Namespaces that belong to the cluster, not to workloads (kube-system, kube-public) or
/// that everything lands in by default.
const SHARED_NAMESPACES: &[(&str, &str)] = &[
    ("default", "where everything without a namespace lands, shared by every team and tool"),
    ("kube-system", "the control plane's namespace, whose ServiceAccounts and Secrets are the most powerful of the cluster"),
    ("kube-public", "readable by every client, unauthenticated ones included"),
];

fn place(e: &Entry, node: NodeId) -> Place {
    Place {
        doc: e.at.doc,
        loc: Loc::Node(node),
    }
}

fn metadata_field(e: &Entry, key: &str) -> Option<NodeId> {
    e.object.metadata.and_then(|m| e.object.doc.get(m, key))
}

fn workload_namespace(cx: &BundleCx, out: &mut BundleHits) {
    let bundle = cx.bundle;
    let mut last = None;
    for p in &bundle.pods {
        if last == Some(p.object) {
            continue;
        }
        last = Some(p.object);
        let e = &bundle.objects[p.object];
        let message = match e.object.namespace {
            None => format!(
                "{}: no metadata.namespace, so it runs in whatever namespace the applying kubectl context names (default, unless set)",
                who(e)
            ),
            Some(ns) => match SHARED_NAMESPACES.iter().find(|(n, _)| *n == ns) {
                Some((_, why)) => format!("{}: runs in {ns}, {why}", who(e)),
                None => continue,
            },
        };
        let at = match metadata_field(e, "namespace") {
            Some(n) => place(e, n),
            None => name_place(e),
        };
        out.push(BundleHit {
            at,
            message,
            related: Vec::new(),
            fix: Vec::new(),
        });
    }
}

fn bare_pod(cx: &BundleCx, out: &mut BundleHits) {
    for e in cx.bundle.of_kind("", "Pod") {
        if metadata_field(e, "ownerReferences").is_some() {
            continue;
        }
        out.push(BundleHit {
            at: name_place(e),
            message: format!(
                "{}: a bare Pod with no controller: it is not recreated when its node fails or is drained, and cannot be rolled out or scaled",
                who(e)
            ),
            related: Vec::new(),
            fix: Vec::new(),
        });
    }
}

/// The Pod Security Admission labels (pod-security.kubernetes.io/<mode>).
const PSA_PREFIX: &str = "pod-security.kubernetes.io/";

fn labels<'b>(doc: &'b Document<'b>, metadata: Option<NodeId>) -> Vec<(&'b str, &'b str, NodeId)> {
    let Some(map) = metadata.and_then(|m| doc.get(m, "labels")) else {
        return Vec::new();
    };
    doc.entries(map)
        .iter()
        .filter_map(|&(k, v)| Some((doc.text(k)?, doc.text(v)?, v)))
        .collect()
}

fn namespace_pod_security(cx: &BundleCx, out: &mut BundleHits) {
    for e in cx.bundle.of_kind("", "Namespace") {
        let labels = labels(e.object.doc, e.object.metadata);
        let mode = |m: &str| {
            labels
                .iter()
                .find(|(k, _, _)| k.strip_prefix(PSA_PREFIX) == Some(m))
                .map(|&(_, v, n)| (v, n))
        };
        let name = e.object.name.unwrap_or("(unnamed)");
        let (at, message) = match mode("enforce") {
            Some(("privileged", node)) => (
                place(e, node),
                format!("Namespace {name} enforces the privileged Pod Security Standard: admission rejects no pod, privileged and host-namespace pods included"),
            ),
            Some(_) => continue,
            None => {
                let soft: Vec<&str> = ["warn", "audit"]
                    .into_iter()
                    .filter(|m| mode(m).is_some())
                    .collect();
                let labels_node = e.object.metadata.and_then(|m| e.object.doc.get(m, "labels"));
                let at = match labels_node {
                    Some(n) => place(e, n),
                    None => name_place(e),
                };
                if soft.is_empty() {
                    (at, format!("Namespace {name} has no Pod Security Admission labels: the cluster's default level applies, which is privileged unless the admission configuration sets another"))
                } else {
                    (at, format!("Namespace {name} only sets the {} Pod Security Admission label{}: violations are reported, never rejected, without pod-security.kubernetes.io/enforce", soft.join(" and "), if soft.len() == 1 { "" } else { "s" }))
                }
            }
        };
        out.push(BundleHit {
            at,
            message,
            related: Vec::new(),
            fix: Vec::new(),
        });
    }
}

fn namespace_resource_quota(cx: &BundleCx, out: &mut BundleHits) {
    let bundle = cx.bundle;
    let has = |kind: &str| -> HashSet<&str> {
        bundle
            .of_kind("", kind)
            .filter_map(|e| e.object.namespace)
            .collect()
    };
    let quotas = has("ResourceQuota");
    let ranges = has("LimitRange");
    for e in bundle.of_kind("", "Namespace") {
        let Some(name) = e.object.name else { continue };
        let missing: Vec<&str> = [("ResourceQuota", &quotas), ("LimitRange", &ranges)]
            .into_iter()
            .filter(|(_, set)| !set.contains(name))
            .map(|(k, _)| k)
            .collect();
        if missing.is_empty() {
            continue;
        }
        out.push(BundleHit {
            at: name_place(e),
            message: format!(
                "Namespace {name}: the bundle has no {} in it, so nothing caps what its workloads may request (a runaway or compromised workload can starve the others)",
                missing.join(" and no ")
            ),
            related: Vec::new(),
            fix: Vec::new(),
        });
    }
}

/// The credential classifier's rules: the `params` of rule `secret-in-env`, so both rules
/// judge a value alike.
fn credential_rules<'c>(cx: &BundleCx<'c, '_>) -> Option<&'c CredentialRules> {
    cx.catalogue
        .get("secret-in-env")?
        .typed_params
        .downcast::<CredentialRules>()
}

fn configmap_credential(cx: &BundleCx, out: &mut BundleHits) {
    let Some(rules) = credential_rules(cx) else {
        return;
    };
    for e in cx.bundle.of_kind("", "ConfigMap") {
        let doc = e.object.doc;
        let Some(data) = doc.get(e.object.root, "data") else {
            continue;
        };
        for &(k, v) in doc.entries(data) {
            let (Some(key), Some(value)) = (doc.text(k), doc.text(v)) else {
                continue;
            };
            let Verdict::Credential(why) = credential::classify(rules, key, value) else {
                continue;
            };
            out.push(BundleHit {
                at: place(e, v),
                message: format!(
                    "{}: key {key:?} holds a credential ({why}); ConfigMaps are not secret: anyone who may read ConfigMaps of the namespace reads it, and it is stored unencrypted",
                    who(e)
                ),
                related: Vec::new(),
                fix: Vec::new(),
            });
        }
    }
}

fn env_configmap_credential(cx: &BundleCx, out: &mut BundleHits) {
    let Some(rules) = credential_rules(cx) else {
        return;
    };
    let bundle = cx.bundle;
    for p in &bundle.pods {
        let e = &bundle.objects[p.object];
        let doc = e.object.doc;
        for c in &p.pod.containers {
            for env in &c.env {
                let Some(r) = doc.get_path(env.node, &["valueFrom", "configMapKeyRef"]) else {
                    continue;
                };
                let Some(key_node) = doc.get(r, "key") else {
                    continue;
                };
                let key = doc.text(key_node).unwrap_or("");
                let name = env.name.map_or("", |n| n.value);
                let Some(word) = credential::name_denotes_credential(rules, key)
                    .or_else(|| credential::name_denotes_credential(rules, name))
                else {
                    continue;
                };
                let map = doc.get(r, "name").and_then(|n| doc.text(n)).unwrap_or("?");
                out.push(BundleHit {
                    at: place(e, key_node),
                    message: format!(
                        "{}: {} takes {name:?} from key {key:?} of ConfigMap {map}, a credential name (ends with {word}); keep credentials in a Secret and use secretKeyRef",
                        who(e),
                        c.label()
                    ),
                    related: Vec::new(),
                    fix: Vec::new(),
                });
            }
        }
    }
}

fn service_exposure(cx: &BundleCx, out: &mut BundleHits) {
    for e in cx.bundle.of_kind("", "Service") {
        let doc = e.object.doc;
        let Some(spec) = doc.get(e.object.root, "spec") else {
            continue;
        };
        if let Some(t) = doc.get(spec, "type") {
            let ranges = doc
                .get(spec, "loadBalancerSourceRanges")
                .is_some_and(|r| !doc.items(r).is_empty());
            let message = match doc.text(t) {
                Some("NodePort") => Some(format!(
                    "{}: type NodePort opens its port on every node's addresses, outside any Ingress and past NetworkPolicies that only see pod traffic after the node's NAT",
                    who(e)
                )),
                Some("LoadBalancer") if !ranges => Some(format!(
                    "{}: type LoadBalancer asks the cloud for an external address (public unless the provider's internal annotation says otherwise) and opens a NodePort on every node; no loadBalancerSourceRanges limits who may connect",
                    who(e)
                )),
                _ => None,
            };
            if let Some(message) = message {
                out.push(BundleHit {
                    at: place(e, t),
                    message,
                    related: Vec::new(),
                    fix: Vec::new(),
                });
            }
        }
        if let Some(ips) = doc
            .get(spec, "externalIPs")
            .filter(|&n| !doc.items(n).is_empty())
        {
            out.push(BundleHit {
                at: place(e, ips),
                message: format!(
                    "{}: externalIPs make every node accept the Service's traffic for these addresses, and whoever may set them can intercept another's traffic (CVE-2020-8554)",
                    who(e)
                ),
                related: Vec::new(),
                fix: Vec::new(),
            });
        }
    }
}

/// The Pod Security Standard a Namespace of the bundle enforces, for its workloads' PSS
/// findings: namespace name → (the Namespace's document, its enforce label value node,
/// the level). Only `baseline` and `restricted` reject anything. Source: the
/// pod-security.kubernetes.io/enforce label,
/// <https://kubernetes.io/docs/concepts/security/pod-security-admission/>.
pub fn enforced_levels<'b>(bundle: &Bundle<'b>) -> HashMap<&'b str, (DocRef, NodeId, Level)> {
    let mut out = HashMap::new();
    for e in bundle.of_kind("", "Namespace") {
        let Some(name) = e.object.name else { continue };
        for (k, v, node) in labels(e.object.doc, e.object.metadata) {
            if k != "pod-security.kubernetes.io/enforce" {
                continue;
            }
            let level = match v {
                "restricted" => Level::Restricted,
                "baseline" => Level::Baseline,
                _ => continue,
            };
            out.insert(name, (e.at.doc, node, level));
        }
    }
    out
}
