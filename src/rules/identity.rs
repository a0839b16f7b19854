//! ServiceAccount tokens and cloud workload identity: whole-bundle checks that read a
//! pod together with its ServiceAccount.
//!
//! Token automounting follows Kubernetes' precedence (core/v1 types.go
//! `PodSpec.AutomountServiceAccountToken`: "AutomountServiceAccountToken indicates whether a
//! service account token should be automatically mounted", and `ServiceAccount`'s field
//! "Can be overridden at the pod level"; plugin/pkg/admission/serviceaccount/admission.go
//! `shouldAutomount`): the effective value is `pod ?? serviceAccount ?? true`.

use std::collections::{HashMap, HashSet};

use super::netpol::{name_place, who};
use super::{bundle_template, BundleCx, BundleHit, BundleHits, Loc, NewValue, Op, Place, Template};
use crate::bundle::{Bundle, Entry, Identity, PodEntry};
use crate::model::rbac::{read_binding, RBAC_GROUP};
use crate::yaml::{Document, NodeId, Value};

pub static TEMPLATES: &[Template] = &[
    bundle_template(
        "automount-token",
        "the ServiceAccount token is not mounted unless disabled on the pod or its ServiceAccount",
        automount_token,
    ),
    bundle_template(
        "default-service-account",
        "pods do not run as the `default` ServiceAccount",
        default_service_account,
    ),
    bundle_template(
        "workload-identity",
        "GKE, EKS and Azure workload identity settings are well-formed and complete",
        workload_identity,
    ),
];

const FIELD: &str = "automountServiceAccountToken";

fn bool_at(doc: &Document, map: NodeId, key: &str) -> Option<(bool, NodeId)> {
    let node = doc.get(map, key)?;
    match doc.value(node) {
        Some(Value::Bool(b)) => Some((b, node)),
        _ => None,
    }
}

/// The ServiceAccount a pod runs as, when the bundle defines it.
fn service_account<'q, 'b>(bundle: &'q Bundle<'b>, p: &PodEntry<'b>) -> Option<&'q Entry<'b>> {
    let namespace = bundle.objects[p.object].object.namespace;
    bundle
        .find(&Identity {
            group: "",
            kind: "ServiceAccount",
            namespace,
            name: p.service_account,
        })
        .last()
        .map(|&i| &bundle.objects[i])
}

fn sa_phrase(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("ServiceAccount {ns}/{name}"),
        None => format!("ServiceAccount {name}"),
    }
}

/// ServiceAccounts, by (namespace, name), that a RoleBinding or ClusterRoleBinding of the
/// bundle names as a subject: a workload running as one was granted API access, so it
/// presumably uses its token (a controller, an operator). The subject's namespace
/// defaults to a RoleBinding's own
/// ([`crate::model::rbac::Binding::subject_namespace`]).
fn bound_service_accounts<'b>(bundle: &Bundle<'b>) -> HashSet<(Option<&'b str>, &'b str)> {
    let mut bound = HashSet::new();
    for kind in ["RoleBinding", "ClusterRoleBinding"] {
        for e in bundle.of_kind(RBAC_GROUP, kind) {
            let Some(binding) = read_binding(e.object) else {
                continue;
            };
            for s in binding
                .subjects
                .iter()
                .filter(|s| s.kind == "ServiceAccount")
            {
                bound.insert((binding.subject_namespace(s), s.name));
            }
        }
    }
    bound
}

/// Whether the pod's ServiceAccount is granted something by a binding of the bundle.
fn is_bound(bound: &HashSet<(Option<&str>, &str)>, e: &Entry, p: &PodEntry) -> bool {
    bound.contains(&(e.object.namespace, p.service_account))
}

/// The pod's effective `automountServiceAccountToken` (`pod ?? serviceAccount ?? true`);
/// `true` as well when the ServiceAccount is not in the bundle and the pod leaves it unset.
fn automounts(bundle: &Bundle, p: &PodEntry) -> bool {
    let e = &bundle.objects[p.object];
    if let Some((value, _)) = bool_at(e.object.doc, p.pod.spec, FIELD) {
        return value;
    }
    service_account(bundle, p)
        .and_then(|sa| bool_at(sa.object.doc, sa.object.root, FIELD))
        .is_none_or(|(value, _)| value)
}

/// Whether a volume of the pod projects a ServiceAccount token
/// (`projected.sources[].serviceAccountToken`): the pod gets a token without automounting.
fn projects_token(doc: &Document, p: &PodEntry) -> bool {
    p.pod.volumes.iter().any(|v| {
        doc.get(v.node, "projected")
            .and_then(|projected| doc.get(projected, "sources"))
            .is_some_and(|sources| {
                doc.items(sources)
                    .iter()
                    .any(|&source| doc.get(source, "serviceAccountToken").is_some())
            })
    })
}

fn automount_token(cx: &BundleCx, out: &mut BundleHits) {
    let bundle = cx.bundle;
    let bound = bound_service_accounts(bundle);
    // ServiceAccounts whose setting is inherited by pods: (SA object, inheriting pods).
    let mut inherited: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut position: HashMap<usize, usize> = HashMap::new();
    for p in &bundle.pods {
        let e = &bundle.objects[p.object];
        if is_bound(&bound, e, p) {
            // Granted API access by the bundle: it uses its token; the RBAC rules judge
            // what it was granted.
            continue;
        }
        let doc = e.object.doc;
        let spec = p.pod.spec;
        match bool_at(doc, spec, FIELD) {
            Some((false, _)) => continue,
            Some((true, node)) => {
                out.push(BundleHit {
                    at: Place {
                        doc: e.at.doc,
                        loc: Loc::Node(node),
                    },
                    message: format!(
                        "{}: the pod sets {FIELD}: true, which wins over its ServiceAccount's setting: every container gets an API token it may not need",
                        who(e)
                    ),
                    related: Vec::new(),
                    fix: vec![(
                        e.at.doc,
                        Op::set(node, &[], NewValue::Bool(false)),
                    )],
                });
                continue;
            }
            None => {}
        }
        let namespace = e.object.namespace;
        match service_account(bundle, p) {
            Some(sa) => {
                if matches!(
                    bool_at(sa.object.doc, sa.object.root, FIELD),
                    Some((false, _))
                ) {
                    continue;
                }
                let i = bundle
                    .objects
                    .binary_search_by_key(&sa.at, |o| o.at)
                    .unwrap_or(0);
                let slot = *position.entry(i).or_insert_with(|| {
                    inherited.push((i, Vec::new()));
                    inherited.len() - 1
                });
                inherited[slot].1.push(p.object);
            }
            None => {
                let sa = sa_phrase(namespace, p.service_account);
                let runs = if has_sa_field(doc, spec) {
                    format!("runs as {sa}")
                } else {
                    format!("runs as {sa} (no serviceAccountName)")
                };
                out.push(BundleHit {
                    at: Place {
                        doc: e.at.doc,
                        loc: Loc::Missing {
                            node: spec,
                            rest: vec![FIELD.to_string()],
                        },
                    },
                    message: format!(
                        "{}: the pod leaves {FIELD} unset and {runs}, which the bundle does not define, so its setting is unknown; unless it sets false the token is mounted",
                        who(e)
                    ),
                    related: Vec::new(),
                    fix: vec![(
                        e.at.doc,
                        Op::set(spec, &[FIELD], NewValue::Bool(false)),
                    )],
                });
            }
        }
    }
    for (sa_index, pods) in inherited {
        let sa = &bundle.objects[sa_index];
        let doc = sa.object.doc;
        let (loc, state) = match bool_at(doc, sa.object.root, FIELD) {
            Some((_, node)) => (Loc::Node(node), "sets automountServiceAccountToken: true"),
            None => (
                Loc::Missing {
                    node: sa.object.root,
                    rest: vec![FIELD.to_string()],
                },
                "leaves automountServiceAccountToken unset (true)",
            ),
        };
        let mut objects = pods;
        objects.dedup();
        let related = objects
            .iter()
            .take(8)
            .map(|&o| {
                let e = &bundle.objects[o];
                (
                    name_place(e),
                    format!("{} runs as it and leaves the pod's setting unset", who(e)),
                )
            })
            .collect();
        let fix = match &loc {
            Loc::Node(node) => Op::set(*node, &[], NewValue::Bool(false)),
            Loc::Missing { node, .. } => Op::set(*node, &[FIELD], NewValue::Bool(false)),
        };
        out.push(BundleHit {
            at: Place { doc: sa.at.doc, loc },
            message: format!(
                "{}: it {state} and {} of the bundle leave{} the pod's setting unset, so their containers get an API token",
                who(sa),
                if objects.len() == 1 {
                    "1 workload".to_string()
                } else {
                    format!("{} workloads", objects.len())
                },
                if objects.len() == 1 { "s" } else { "" },
            ),
            related,
            fix: vec![(sa.at.doc, fix)],
        });
    }
}

fn has_sa_field(doc: &Document, spec: NodeId) -> bool {
    ["serviceAccountName", "serviceAccount"].iter().any(|k| {
        doc.get(spec, k)
            .and_then(|n| doc.str(n))
            .is_some_and(|s| !s.is_empty())
    })
}

fn default_service_account(cx: &BundleCx, out: &mut BundleHits) {
    for p in &cx.bundle.pods {
        if p.service_account != "default" {
            continue;
        }
        let e = &cx.bundle.objects[p.object];
        let doc = e.object.doc;
        if !automounts(cx.bundle, p) && !projects_token(doc, p) {
            // No token of the default ServiceAccount in the pod: nothing of its identity
            // to share.
            continue;
        }
        let spec = p.pod.spec;
        let explicit = ["serviceAccountName", "serviceAccount"]
            .iter()
            .find_map(|k| doc.get(spec, k).filter(|&n| doc.str(n) == Some("default")));
        let (loc, how) = match explicit {
            Some(node) => (Loc::Node(node), "names the default ServiceAccount"),
            None => (
                Loc::Missing {
                    node: spec,
                    rest: vec!["serviceAccountName".into()],
                },
                "sets no serviceAccountName, so it runs as the namespace's default ServiceAccount",
            ),
        };
        out.push(BundleHit {
            at: Place { doc: e.at.doc, loc },
            message: format!(
                "{}: the pod {how}, which every other such pod of the namespace shares: any permission granted to it is granted to all of them",
                who(e)
            ),
            related: Vec::new(),
            fix: Vec::new(),
        });
    }
}

/// Whether `arn` is an IAM role ARN: `arn:<partition>:iam::<12 digits>:role/<path/><name>`
/// (IAM User Guide, "IAM identifiers": role names of 1–64 characters of `[\w+=,.@-]`,
/// paths `/` or `/…/`).
pub fn is_role_arn(arn: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let partition_ok = matches!(
        partition,
        "aws"
            | "aws-cn"
            | "aws-us-gov"
            | "aws-iso"
            | "aws-iso-b"
            | "aws-iso-e"
            | "aws-iso-f"
            | "aws-eusc"
    );
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let Some(path) = resource.strip_prefix("role/") else {
        return false;
    };
    let name = path.rsplit('/').next().unwrap_or("");
    let name_char = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
    let path_ok = path
        .split('/')
        .all(|seg| !seg.is_empty() && seg.chars().all(name_char));
    partition_ok && account_ok && path_ok && (1..=64).contains(&name.len())
}

fn labels<'b>(doc: &'b Document<'b>, metadata: Option<NodeId>) -> Vec<(&'b str, &'b str, NodeId)> {
    let Some(map) = metadata.and_then(|m| doc.get(m, "labels")) else {
        return Vec::new();
    };
    doc.entries(map)
        .iter()
        .filter_map(|&(k, v)| Some((doc.text(k)?, doc.text(v)?, k)))
        .collect()
}

const GKE_ANNOTATION: &str = "iam.gke.io/gcp-service-account";
const GKE_NODE_LABEL: &str = "iam.gke.io/gke-metadata-server-enabled";
const EKS_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
const AZURE_LABEL: &str = "azure.workload.identity/use";
const AZURE_CLIENT_ID: &str = "azure.workload.identity/client-id";

fn workload_identity(cx: &BundleCx, out: &mut BundleHits) {
    let bundle = cx.bundle;
    for sa in bundle.of_kind("", "ServiceAccount") {
        let o = sa.object;
        let place = |node| Place {
            doc: sa.at.doc,
            loc: Loc::Node(node),
        };
        for (k, v) in &o.annotations {
            if k.value == EKS_ANNOTATION && !v.value.contains("{{") && !is_role_arn(v.value.trim())
            {
                out.push(BundleHit {
                    at: place(v.node),
                    message: format!(
                        "{}: {EKS_ANNOTATION} is {:?}, not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>): the EKS webhook injects no web identity token and the pods fall back to the node's role through the metadata endpoint",
                        who(sa),
                        v.value
                    ),
                    related: Vec::new(),
                    fix: Vec::new(),
                });
            }
            if k.value == GKE_ANNOTATION {
                let pods: Vec<&PodEntry> = bundle
                    .pods_of_service_account(o.namespace, o.name.unwrap_or(""))
                    .filter(|p| !selects_gke_metadata_nodes(p))
                    .collect();
                if pods.is_empty() {
                    continue;
                }
                let related = pods
                    .iter()
                    .take(8)
                    .map(|p| {
                        let e = &bundle.objects[p.object];
                        (
                            name_place(e),
                            format!(
                                "{} does not select nodes with {GKE_NODE_LABEL}: \"true\"",
                                who(e)
                            ),
                        )
                    })
                    .collect();
                out.push(BundleHit {
                    at: place(k.node),
                    message: format!(
                        "{}: it is mapped to a Google service account, but {} of its workloads do not select nodes with {GKE_NODE_LABEL}: \"true\"; on a node pool without the GKE metadata server they reach the node's metadata endpoint and its service account instead",
                        who(sa),
                        pods.len()
                    ),
                    related,
                    fix: Vec::new(),
                });
            }
        }
        for (key, _, node) in labels(o.doc, o.metadata) {
            if key == AZURE_LABEL {
                out.push(BundleHit {
                    at: place(node),
                    message: format!(
                        "{}: {AZURE_LABEL} is a pod label; on a ServiceAccount the Azure workload identity webhook ignores it and injects nothing",
                        who(sa)
                    ),
                    related: Vec::new(),
                    fix: Vec::new(),
                });
            }
        }
    }
    for p in &bundle.pods {
        let e = &bundle.objects[p.object];
        let Some((_, _, node)) = labels(e.object.doc, p.pod.metadata)
            .into_iter()
            .find(|(k, v, _)| *k == AZURE_LABEL && *v == "true")
        else {
            continue;
        };
        // The ServiceAccount decides; without it in the bundle there is nothing to judge.
        let Some(sa) = service_account(bundle, p) else {
            continue;
        };
        if sa
            .object
            .annotations
            .iter()
            .any(|(k, _)| k.value == AZURE_CLIENT_ID)
        {
            continue;
        }
        out.push(BundleHit {
            at: Place {
                doc: e.at.doc,
                loc: Loc::Node(node),
            },
            message: format!(
                "{}: the pod asks for Azure workload identity, but {} has no {AZURE_CLIENT_ID} annotation: the webhook has no identity to project",
                who(e),
                who(sa)
            ),
            related: vec![(name_place(sa), "the pod's ServiceAccount".into())],
            fix: Vec::new(),
        });
    }
}

/// Whether a pod template asks for nodes with the GKE metadata server: a `nodeSelector`
/// entry, or a required node affinity term on the label.
fn selects_gke_metadata_nodes(p: &PodEntry) -> bool {
    let doc = p.pod.doc;
    let spec = p.pod.spec;
    let selector = doc
        .get(spec, "nodeSelector")
        .and_then(|m| doc.get(m, GKE_NODE_LABEL))
        .and_then(|v| doc.text(v))
        == Some("true");
    let affinity = doc
        .get_path(
            spec,
            &[
                "affinity",
                "nodeAffinity",
                "requiredDuringSchedulingIgnoredDuringExecution",
                "nodeSelectorTerms",
            ],
        )
        .is_some_and(|terms| {
            doc.items(terms).iter().any(|&t| {
                doc.get(t, "matchExpressions").is_some_and(|ex| {
                    doc.items(ex).iter().any(|&x| {
                        doc.get(x, "key").and_then(|k| doc.text(k)) == Some(GKE_NODE_LABEL)
                    })
                })
            })
        });
    selector || affinity
}

#[cfg(test)]
mod tests {
    use super::is_role_arn;

    #[test]
    fn iam_role_arns() {
        assert!(is_role_arn("arn:aws:iam::123456789012:role/my-app"));
        assert!(is_role_arn(
            "arn:aws-cn:iam::123456789012:role/path/to/app+x=y,z.@-"
        ));
        assert!(!is_role_arn("arn:aws:iam::12345678901:role/short-account"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:user/alice"));
        assert!(!is_role_arn(
            "arn:aws:iam:us-east-1:123456789012:role/regional"
        ));
        assert!(!is_role_arn("arn:aws:sts::123456789012:assumed-role/x/y"));
        assert!(!is_role_arn("my-role"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:role/"));
        assert!(!is_role_arn(&format!(
            "arn:aws:iam::123456789012:role/{}",
            "a".repeat(65)
        )));
    }
}
