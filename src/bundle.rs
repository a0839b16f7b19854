//! The whole-bundle view of one run: every source, its parsed documents and their
//! models, addressed by [`DocRef`], and an index built once that rules query instead of
//! walking the tree again (objects by identity and kind, pod templates by their labels
//! and ServiceAccount, the namespaces that appear).
//!
//! Objects are identified as the API server identifies them: API group, kind,
//! namespace and name (`apps/Deployment shop/web`); the version is not part of the
//! identity (`apps/v1` and `apps/v1beta2` name the same object).

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::AtomicU8;

use crate::model::{DocumentModel, Object, Pod};
use crate::source::Source;
use crate::yaml::{Document, NodeId, Stream};

/// One document of the bundle: the source's index and the document's 0-based position in
/// that source's YAML stream (counting documents that could not be read, as errors do).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocRef {
    pub file: usize,
    pub document: usize,
}

/// One object of the bundle: its document and its index among the document's objects
/// (a `List` document holds several).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectAt {
    pub doc: DocRef,
    pub index: usize,
}

/// The identity of an object as the API server keys it: (group, kind, namespace, name).
/// The core group is `""`. `namespace` is as written (`None` when the manifest leaves it
/// to the current context), and always `None` for a cluster-scoped kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identity<'b> {
    pub group: &'b str,
    pub kind: &'b str,
    pub namespace: Option<&'b str>,
    pub name: &'b str,
}

/// An indexed object.
#[derive(Clone, Debug)]
pub struct Entry<'b> {
    pub at: ObjectAt,
    pub object: &'b Object<'b>,
    /// API group from `apiVersion` (`apps` of `apps/v1`; `""` for `v1`).
    pub group: &'b str,
}

/// An indexed pod template.
#[derive(Clone, Debug)]
pub struct PodEntry<'b> {
    /// Index into [`Bundle::objects`] of the object that runs the pod.
    pub object: usize,
    pub pod: &'b Pod<'b>,
    /// `metadata.labels` of the pod template (of the Pod itself for a bare Pod).
    pub labels: Vec<(&'b str, &'b str)>,
    /// `spec.serviceAccountName` (or the deprecated `spec.serviceAccount`); the API
    /// server defaults it to `default`.
    pub service_account: &'b str,
}

/// Everything one run reads, for the whole run.
pub struct Bundle<'b> {
    pub sources: &'b [Source],
    pub streams: &'b [Stream<'b>],
    /// Per source, per document.
    pub models: &'b [Vec<DocumentModel<'b>>],
    pub objects: Vec<Entry<'b>>,
    pub pods: Vec<PodEntry<'b>>,
    /// Namespaces named by objects (`metadata.namespace`) or defined by `Namespace` objects.
    pub namespaces: BTreeSet<&'b str>,
    by_identity: HashMap<Identity<'b>, Vec<usize>>,
    by_kind: HashMap<(&'b str, &'b str), Vec<usize>>,
    by_service_account: HashMap<(Option<&'b str>, &'b str), Vec<usize>>,
    /// Per source, whether its text has a CRLF line break, once a fix asks
    /// ([`crate::lower::Planner::sharing_crlf`]).
    pub(crate) crlf: Vec<AtomicU8>,
}

/// Built-in kinds that are cluster-scoped, by (group, kind): the API server ignores a
/// `metadata.namespace` written on them, so it is not part of their identity. Source:
/// `kubectl api-resources --namespaced=false` (Kubernetes v1.37) and the API reference.
pub const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "ComponentStatus"),
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "MutatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("certificates.k8s.io", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "IPAddress"),
    ("networking.k8s.io", "ServiceCIDR"),
    ("node.k8s.io", "RuntimeClass"),
    ("policy", "PodSecurityPolicy"),
    ("extensions", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("resource.k8s.io", "DeviceClass"),
    ("resource.k8s.io", "ResourceSlice"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("storage.k8s.io", "VolumeAttributesClass"),
];

/// Whether a built-in kind is cluster-scoped ([`CLUSTER_SCOPED`]).
pub fn cluster_scoped(group: &str, kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&(group, kind))
}

/// The group whose storage holds a kind: kinds that moved between API groups share one
/// storage location with their old group ("cohabitating resources", k8s.io/kubernetes
/// pkg/kubeapiserver/default_storage_factory_builder.go: extensions deployments,
/// daemonsets, replicasets with apps; extensions networkpolicies and ingresses with
/// networking.k8s.io; extensions podsecuritypolicies with policy; events.k8s.io events
/// with the core group), so an `extensions/v1beta1` and an `apps/v1` Deployment of one
/// name are one object. Other kinds: their own group.
pub fn storage_group<'a>(group: &'a str, kind: &str) -> &'a str {
    match (group, kind) {
        ("extensions", "Deployment" | "DaemonSet" | "ReplicaSet") => "apps",
        ("extensions", "NetworkPolicy" | "Ingress") => "networking.k8s.io",
        ("extensions", "PodSecurityPolicy") => "policy",
        ("events.k8s.io", "Event") => "",
        _ => group,
    }
}

/// The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → `""`).
pub fn api_group(api_version: Option<&str>) -> &str {
    match api_version {
        Some(v) => v.rsplit_once('/').map_or("", |(group, _)| group),
        None => "",
    }
}

fn string_map<'b>(doc: &'b Document<'b>, map: Option<NodeId>) -> Vec<(&'b str, &'b str)> {
    let Some(map) = map else {
        return Vec::new();
    };
    doc.entries(map)
        .iter()
        .filter_map(|&(k, v)| Some((doc.text(k)?, doc.text(v)?)))
        .collect()
}

impl<'b> Bundle<'b> {
    /// Index the models of `sources` (`streams[i]` and `models[i]` belong to `sources[i]`).
    pub fn new(
        sources: &'b [Source],
        streams: &'b [Stream<'b>],
        models: &'b [Vec<DocumentModel<'b>>],
    ) -> Self {
        let mut bundle = Bundle {
            sources,
            streams,
            models,
            objects: Vec::new(),
            pods: Vec::new(),
            namespaces: BTreeSet::new(),
            by_identity: HashMap::new(),
            by_kind: HashMap::new(),
            by_service_account: HashMap::new(),
            crlf: sources.iter().map(|_| AtomicU8::new(0)).collect(),
        };
        for (file, docs) in models.iter().enumerate() {
            for model in docs {
                for (index, object) in model.objects.iter().enumerate() {
                    bundle.add(
                        ObjectAt {
                            doc: DocRef {
                                file,
                                document: model.doc.index,
                            },
                            index,
                        },
                        object,
                    );
                }
            }
        }
        bundle
    }

    fn add(&mut self, at: ObjectAt, object: &'b Object<'b>) {
        let i = self.objects.len();
        let group = api_group(object.api_version);
        self.objects.push(Entry { at, object, group });
        self.by_kind
            .entry((group, object.kind))
            .or_default()
            .push(i);
        if let Some(name) = object.name {
            self.by_identity
                .entry(Identity {
                    group: storage_group(group, object.kind),
                    kind: object.kind,
                    namespace: object
                        .namespace
                        .filter(|_| !cluster_scoped(group, object.kind)),
                    name,
                })
                .or_default()
                .push(i);
        }
        if let Some(ns) = object
            .namespace
            .filter(|_| !cluster_scoped(group, object.kind))
        {
            self.namespaces.insert(ns);
        }
        if group.is_empty() && object.kind == "Namespace" {
            self.namespaces.extend(object.name);
        }
        let doc = object.doc;
        for pod in &object.pods {
            let text = |key| doc.get(pod.spec, key).and_then(|n| doc.str(n));
            let service_account = text("serviceAccountName")
                .or_else(|| text("serviceAccount"))
                .filter(|s| !s.is_empty())
                .unwrap_or("default");
            let labels = string_map(doc, pod.metadata.and_then(|m| doc.get(m, "labels")));
            self.by_service_account
                .entry((object.namespace, service_account))
                .or_default()
                .push(self.pods.len());
            self.pods.push(PodEntry {
                object: i,
                pod,
                labels,
                service_account,
            });
        }
    }

    /// Position of a document in its file's `documents` and `models` (documents that
    /// could not be read have none).
    pub(crate) fn position(&self, at: DocRef) -> Option<usize> {
        self.streams[at.file]
            .documents
            .binary_search_by_key(&at.document, |d| d.index)
            .ok()
    }

    /// The model of a document that was read.
    pub fn model(&self, at: DocRef) -> Option<&'b DocumentModel<'b>> {
        let models: &'b [DocumentModel<'b>] = &self.models[at.file];
        self.position(at).map(|i| &models[i])
    }

    /// Objects with this identity, in bundle order (file, then document).
    pub fn find(&self, identity: &Identity<'b>) -> &[usize] {
        self.by_identity.get(identity).map_or(&[], Vec::as_slice)
    }

    /// Every identity that more than one object of the bundle has, with those objects.
    pub fn repeated_identities(&self) -> impl Iterator<Item = (&Identity<'b>, &[usize])> {
        self.by_identity
            .iter()
            .filter(|(_, v)| v.len() > 1)
            .map(|(k, v)| (k, v.as_slice()))
    }

    /// Objects of one kind in one API group (`("rbac.authorization.k8s.io", "Role")`).
    pub fn of_kind<'q>(
        &'q self,
        group: &'q str,
        kind: &'q str,
    ) -> impl Iterator<Item = &'q Entry<'b>> + 'q {
        self.by_kind
            .get(&(group, kind))
            .into_iter()
            .flatten()
            .map(|&i| &self.objects[i])
    }

    /// Pod templates that run as ServiceAccount `name` in `namespace` (as written).
    pub fn pods_of_service_account<'q>(
        &'q self,
        namespace: Option<&'q str>,
        name: &'q str,
    ) -> impl Iterator<Item = &'q PodEntry<'b>> + 'q {
        self.by_service_account
            .get(&(namespace, name))
            .into_iter()
            .flatten()
            .map(|&i| &self.pods[i])
    }

    /// Pod templates whose labels include every pair of `labels` (a `matchLabels`
    /// selector; an empty selector selects every pod).
    pub fn pods_with_labels<'q>(
        &'q self,
        labels: &'q [(&'q str, &'q str)],
    ) -> impl Iterator<Item = &'q PodEntry<'b>> + 'q {
        self.pods
            .iter()
            .filter(move |p| labels.iter().all(|l| p.labels.contains(l)))
    }

    /// The display name of a file: its path, or `<stdin>` for standard input (`-`).
    pub fn name(&self, file: usize) -> &'b str {
        crate::render::display_name(&self.sources[file].name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};

    #[test]
    fn objects_are_indexed_by_group_kind_namespace_and_name() {
        let sources = vec![
            Source::new("a.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web, tier: front}}\n    spec:\n      serviceAccountName: web\n      containers: [{name: c, image: nginx}]\n---\napiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"),
            Source::new("b.yaml", "apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n"),
        ];
        let streams: Vec<_> = sources
            .iter()
            .map(|s| parse_stream(&s.text, &Limits::default()))
            .collect();
        let models: Vec<Vec<_>> = streams
            .iter()
            .map(|s| s.documents.iter().map(DocumentModel::read).collect())
            .collect();
        let bundle = Bundle::new(&sources, &streams, &models);
        let web = Identity {
            group: "apps",
            kind: "Deployment",
            namespace: Some("shop"),
            name: "web",
        };
        let found = bundle.find(&web);
        assert_eq!(found.len(), 2, "apps/v1 and apps/v1beta2 name one object");
        assert_eq!(storage_group("extensions", "Deployment"), "apps");
        assert_eq!(storage_group("extensions", "Ingress"), "networking.k8s.io");
        assert_eq!(storage_group("extensions", "Scale"), "extensions");
        assert_eq!(
            bundle.objects[found[1]].at.doc,
            DocRef {
                file: 1,
                document: 0
            }
        );
        // The Knative Service is not the core Service, nor the Deployment.
        assert_eq!(bundle.of_kind("", "Service").count(), 0);
        assert_eq!(bundle.of_kind("serving.knative.dev", "Service").count(), 1);
        assert_eq!(bundle.repeated_identities().count(), 1);
        assert_eq!(
            bundle.namespaces.iter().copied().collect::<Vec<_>>(),
            ["other", "shop"]
        );
        assert_eq!(
            bundle.pods_of_service_account(Some("shop"), "web").count(),
            1
        );
        assert_eq!(bundle.pods_with_labels(&[("app", "web")]).count(), 1);
        assert_eq!(bundle.pods_with_labels(&[("app", "db")]).count(), 0);
        assert_eq!(bundle.pods_with_labels(&[]).count(), 1);
    }
}
