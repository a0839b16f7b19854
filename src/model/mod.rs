//! Kubernetes objects read from YAML documents: identity, `List` expansion, and the pod
//! templates that workload kinds — built-in or custom — carry.

pub mod cidr;
pub mod netpol;
pub mod pod;
pub mod rbac;
pub mod read;
pub mod selector;

pub use pod::{Container, ContainerKind, Pod, SecurityContext};
pub use read::{Field, Reader, TypeIssue};

pub use crate::diagnostic::NoteKind;
use crate::source::Span;
use crate::yaml::{Document, NodeId};

/// One Kubernetes object (a document, or an item of a `List`).
#[derive(Clone, Debug)]
pub struct Object<'d> {
    pub doc: &'d Document<'d>,
    pub root: NodeId,
    pub api_version: Option<&'d str>,
    pub kind: &'d str,
    pub name: Option<&'d str>,
    pub namespace: Option<&'d str>,
    pub metadata: Option<NodeId>,
    pub annotations: Vec<(Field<&'d str>, Field<&'d str>)>,
    /// Pod specs this object runs (one for workloads, none for other kinds).
    pub pods: Vec<Pod<'d>>,
}

impl<'d> Object<'d> {
    /// Annotations of the object and of its pod templates (a Pod's own metadata once).
    pub fn all_annotations(&self) -> impl Iterator<Item = &(Field<&'d str>, Field<&'d str>)> {
        let own = self.metadata;
        self.annotations.iter().chain(
            self.pods
                .iter()
                .filter(move |p| p.metadata != own)
                .flat_map(|p| p.annotations.iter()),
        )
    }
}

/// Something worth telling that is not a finding: a skipped document, an unchecked
/// object, where a custom resource's pod template was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub span: Span,
    pub message: String,
    /// [`NoteKind::Unchecked`] when the note is about something the rules could not check.
    pub kind: NoteKind,
}

/// The objects of one document and what reading them noticed.
#[derive(Clone, Debug)]
pub struct DocumentModel<'d> {
    pub doc: &'d Document<'d>,
    pub objects: Vec<Object<'d>>,
    pub type_issues: Vec<TypeIssue>,
    pub notes: Vec<Note>,
}

/// Where a built-in kind keeps its pod spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodPath {
    /// No pod spec: the object is read (identity, annotations) and never noted.
    None,
    /// `spec` is the pod spec (`Pod`).
    Spec,
    /// `template` is the pod template (`PodTemplate`).
    Template,
    /// `spec.template` (`Deployment`, `Job`, `ReplicationController`, …).
    SpecTemplate,
    /// `spec.jobTemplate.spec.template` (`CronJob`).
    JobTemplate,
}

/// One built-in kind: its API group (`""` for the core group), its kind, every version
/// of that group that served it, and where it keeps its pod spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltInKind {
    pub group: &'static str,
    pub kind: &'static str,
    pub versions: &'static [&'static str],
    pub pod: PodPath,
}

const fn kind(
    group: &'static str,
    kind: &'static str,
    versions: &'static [&'static str],
    pod: PodPath,
) -> BuiltInKind {
    BuiltInKind {
        group,
        kind,
        versions,
        pod,
    }
}

use PodPath::{JobTemplate, Spec, SpecTemplate, Template};
const NO_POD: PodPath = PodPath::None;

/// The kinds the Kubernetes API server serves itself, matched by (group, kind) and
/// version. Anything else — another group, an unknown kind, or a version its group never
/// served for the kind (`apps/v2`) — is read as a custom resource.
///
/// Source: the Kubernetes API reference (<https://kubernetes.io/docs/reference/kubernetes-api/>)
/// and the `types.go` of each `<group>/<version>` package of `k8s.io/api` (plus
/// `k8s.io/apiextensions-apiserver` for `CustomResourceDefinition` and
/// `k8s.io/kube-aggregator` for `APIService`), from `release-1.8` (the apps/extensions
/// split) to v1.37; removed versions are kept because old manifests still use them. The
/// served and removed releases are tabulated in `reference/deprecated-apis.md` of the
/// shared material (`apps/v1beta1` never had `ReplicaSet`; `batch/v1beta1` and
/// `batch/v2alpha1` only had `CronJob`).
pub const BUILT_IN_KINDS: &[BuiltInKind] = &[
    // core (`v1`): k8s.io/api/core/v1
    kind("", "Pod", &["v1"], Spec),
    kind("", "PodTemplate", &["v1"], Template),
    kind("", "ReplicationController", &["v1"], SpecTemplate),
    kind("", "Binding", &["v1"], NO_POD),
    kind("", "ComponentStatus", &["v1"], NO_POD),
    kind("", "ConfigMap", &["v1"], NO_POD),
    kind("", "Endpoints", &["v1"], NO_POD),
    kind("", "Event", &["v1"], NO_POD),
    kind("", "LimitRange", &["v1"], NO_POD),
    kind("", "Namespace", &["v1"], NO_POD),
    kind("", "Node", &["v1"], NO_POD),
    kind("", "PersistentVolume", &["v1"], NO_POD),
    kind("", "PersistentVolumeClaim", &["v1"], NO_POD),
    kind("", "ResourceQuota", &["v1"], NO_POD),
    kind("", "Secret", &["v1"], NO_POD),
    kind("", "Service", &["v1"], NO_POD),
    kind("", "ServiceAccount", &["v1"], NO_POD),
    // apps: k8s.io/api/apps/{v1,v1beta1,v1beta2}
    kind(
        "apps",
        "Deployment",
        &["v1", "v1beta1", "v1beta2"],
        SpecTemplate,
    ),
    kind(
        "apps",
        "StatefulSet",
        &["v1", "v1beta1", "v1beta2"],
        SpecTemplate,
    ),
    kind("apps", "DaemonSet", &["v1", "v1beta2"], SpecTemplate),
    kind("apps", "ReplicaSet", &["v1", "v1beta2"], SpecTemplate),
    kind(
        "apps",
        "ControllerRevision",
        &["v1", "v1beta1", "v1beta2"],
        NO_POD,
    ),
    // extensions: k8s.io/api/extensions/v1beta1 (not served since 1.22)
    kind("extensions", "Deployment", &["v1beta1"], SpecTemplate),
    kind("extensions", "DaemonSet", &["v1beta1"], SpecTemplate),
    kind("extensions", "ReplicaSet", &["v1beta1"], SpecTemplate),
    kind("extensions", "Ingress", &["v1beta1"], NO_POD),
    kind("extensions", "NetworkPolicy", &["v1beta1"], NO_POD),
    kind("extensions", "PodSecurityPolicy", &["v1beta1"], NO_POD),
    // batch: k8s.io/api/batch/{v1,v1beta1,v2alpha1}
    kind("batch", "Job", &["v1"], SpecTemplate),
    kind(
        "batch",
        "CronJob",
        &["v1", "v1beta1", "v2alpha1"],
        JobTemplate,
    ),
    // autoscaling: k8s.io/api/autoscaling/{v1,v2,v2beta1,v2beta2}
    kind(
        "autoscaling",
        "HorizontalPodAutoscaler",
        &["v1", "v2", "v2beta1", "v2beta2"],
        NO_POD,
    ),
    // policy: k8s.io/api/policy/{v1,v1beta1}
    kind("policy", "PodDisruptionBudget", &["v1", "v1beta1"], NO_POD),
    kind("policy", "PodSecurityPolicy", &["v1beta1"], NO_POD),
    // rbac.authorization.k8s.io: k8s.io/api/rbac/{v1,v1beta1,v1alpha1}
    kind(RBAC, "Role", RBAC_VERSIONS, NO_POD),
    kind(RBAC, "RoleBinding", RBAC_VERSIONS, NO_POD),
    kind(RBAC, "ClusterRole", RBAC_VERSIONS, NO_POD),
    kind(RBAC, "ClusterRoleBinding", RBAC_VERSIONS, NO_POD),
    // networking.k8s.io: k8s.io/api/networking/{v1,v1beta1,v1alpha1}
    kind(NET, "NetworkPolicy", &["v1"], NO_POD),
    kind(NET, "Ingress", &["v1", "v1beta1"], NO_POD),
    kind(NET, "IngressClass", &["v1", "v1beta1"], NO_POD),
    kind(NET, "IPAddress", &["v1", "v1beta1", "v1alpha1"], NO_POD),
    kind(NET, "ServiceCIDR", &["v1", "v1beta1", "v1alpha1"], NO_POD),
    // storage.k8s.io: k8s.io/api/storage/{v1,v1beta1,v1alpha1}
    kind(STORAGE, "StorageClass", &["v1", "v1beta1"], NO_POD),
    kind(STORAGE, "CSIDriver", &["v1", "v1beta1"], NO_POD),
    kind(STORAGE, "CSINode", &["v1", "v1beta1"], NO_POD),
    kind(STORAGE, "CSIStorageCapacity", ALPHA_BETA_GA, NO_POD),
    kind(STORAGE, "VolumeAttachment", ALPHA_BETA_GA, NO_POD),
    kind(STORAGE, "VolumeAttributesClass", ALPHA_BETA_GA, NO_POD),
    // k8s.io/apiextensions-apiserver, k8s.io/kube-aggregator
    kind(
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        &["v1", "v1beta1"],
        NO_POD,
    ),
    kind(
        "apiregistration.k8s.io",
        "APIService",
        &["v1", "v1beta1"],
        NO_POD,
    ),
    // admissionregistration.k8s.io: k8s.io/api/admissionregistration/{v1,v1beta1,v1alpha1}
    kind(
        ADMISSION,
        "MutatingWebhookConfiguration",
        &["v1", "v1beta1"],
        NO_POD,
    ),
    kind(
        ADMISSION,
        "ValidatingWebhookConfiguration",
        &["v1", "v1beta1"],
        NO_POD,
    ),
    kind(
        ADMISSION,
        "ValidatingAdmissionPolicy",
        ALPHA_BETA_GA,
        NO_POD,
    ),
    kind(
        ADMISSION,
        "ValidatingAdmissionPolicyBinding",
        ALPHA_BETA_GA,
        NO_POD,
    ),
    kind(ADMISSION, "MutatingAdmissionPolicy", ALPHA_BETA_GA, NO_POD),
    kind(
        ADMISSION,
        "MutatingAdmissionPolicyBinding",
        ALPHA_BETA_GA,
        NO_POD,
    ),
    // authentication.k8s.io, authorization.k8s.io: k8s.io/api/authentication, authorization
    kind(
        "authentication.k8s.io",
        "TokenReview",
        &["v1", "v1beta1"],
        NO_POD,
    ),
    kind(
        "authentication.k8s.io",
        "SelfSubjectReview",
        ALPHA_BETA_GA,
        NO_POD,
    ),
    kind(AUTHZ, "SubjectAccessReview", &["v1", "v1beta1"], NO_POD),
    kind(AUTHZ, "SelfSubjectAccessReview", &["v1", "v1beta1"], NO_POD),
    kind(
        AUTHZ,
        "LocalSubjectAccessReview",
        &["v1", "v1beta1"],
        NO_POD,
    ),
    kind(AUTHZ, "SelfSubjectRulesReview", &["v1", "v1beta1"], NO_POD),
    // certificates.k8s.io: k8s.io/api/certificates/{v1,v1beta1,v1alpha1}
    kind(
        CERTS,
        "CertificateSigningRequest",
        &["v1", "v1beta1"],
        NO_POD,
    ),
    kind(CERTS, "ClusterTrustBundle", ALPHA_BETA_GA, NO_POD),
    kind(CERTS, "PodCertificateRequest", ALPHA_BETA_GA, NO_POD),
    // coordination.k8s.io: k8s.io/api/coordination/{v1,v1beta1,v1alpha2}
    kind("coordination.k8s.io", "Lease", &["v1", "v1beta1"], NO_POD),
    kind(
        "coordination.k8s.io",
        "LeaseCandidate",
        &["v1beta1", "v1alpha2", "v1alpha1"],
        NO_POD,
    ),
    // discovery.k8s.io, events.k8s.io
    kind(
        "discovery.k8s.io",
        "EndpointSlice",
        &["v1", "v1beta1"],
        NO_POD,
    ),
    kind("events.k8s.io", "Event", &["v1", "v1beta1"], NO_POD),
    // flowcontrol.apiserver.k8s.io: k8s.io/api/flowcontrol/{v1,v1beta3,v1beta2,v1beta1,v1alpha1}
    kind(FLOW, "FlowSchema", FLOW_VERSIONS, NO_POD),
    kind(FLOW, "PriorityLevelConfiguration", FLOW_VERSIONS, NO_POD),
    // node.k8s.io, scheduling.k8s.io
    kind("node.k8s.io", "RuntimeClass", ALPHA_BETA_GA, NO_POD),
    kind("scheduling.k8s.io", "PriorityClass", ALPHA_BETA_GA, NO_POD),
    // resource.k8s.io: k8s.io/api/resource/{v1,v1beta2,v1beta1,v1alpha3}
    kind(RESOURCE, "DeviceClass", RESOURCE_VERSIONS, NO_POD),
    kind(RESOURCE, "ResourceClaim", RESOURCE_VERSIONS, NO_POD),
    kind(RESOURCE, "ResourceClaimTemplate", RESOURCE_VERSIONS, NO_POD),
    kind(RESOURCE, "ResourceSlice", RESOURCE_VERSIONS, NO_POD),
    kind(
        RESOURCE,
        "DeviceTaintRule",
        &["v1", "v1beta2", "v1alpha3"],
        NO_POD,
    ),
    // storagemigration.k8s.io, internal.apiserver.k8s.io
    kind(
        "storagemigration.k8s.io",
        "StorageVersionMigration",
        ALPHA_BETA_GA,
        NO_POD,
    ),
    kind(
        "internal.apiserver.k8s.io",
        "StorageVersion",
        &["v1alpha1"],
        NO_POD,
    ),
];

const RBAC: &str = "rbac.authorization.k8s.io";
const NET: &str = "networking.k8s.io";
const STORAGE: &str = "storage.k8s.io";
const ADMISSION: &str = "admissionregistration.k8s.io";
const AUTHZ: &str = "authorization.k8s.io";
const CERTS: &str = "certificates.k8s.io";
const FLOW: &str = "flowcontrol.apiserver.k8s.io";
const RESOURCE: &str = "resource.k8s.io";
const ALPHA_BETA_GA: &[&str] = &["v1", "v1beta1", "v1alpha1"];
const RBAC_VERSIONS: &[&str] = ALPHA_BETA_GA;
const FLOW_VERSIONS: &[&str] = &["v1", "v1beta3", "v1beta2", "v1beta1", "v1alpha1"];
const RESOURCE_VERSIONS: &[&str] = &["v1", "v1beta2", "v1beta1", "v1alpha3"];

/// How an (`apiVersion`, `kind`) pair reads against [`BUILT_IN_KINDS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identified {
    /// A built-in kind in a version its group served.
    BuiltIn(&'static BuiltInKind),
    /// A built-in group and kind in a version that group never served for it (`apps/v2`
    /// `Deployment`), or with no `apiVersion`: read as a custom resource.
    UnknownVersion(&'static BuiltInKind),
    /// Another group, or a kind the group does not have: a custom resource.
    Custom,
}

/// Identify an object by API group and kind, then version (`apps/v1` → group `apps`,
/// version `v1`; `v1` → the core group `""`, version `v1`).
pub fn identify(api_version: Option<&str>, kind: &str) -> Identified {
    let group = crate::bundle::api_group(api_version);
    let Some(known) = BUILT_IN_KINDS
        .iter()
        .find(|k| k.group == group && k.kind == kind)
    else {
        return Identified::Custom;
    };
    let version = api_version.map(|v| v.rsplit_once('/').map_or(v, |(_, version)| version));
    match version {
        Some(v) if known.versions.contains(&v) => Identified::BuiltIn(known),
        _ => Identified::UnknownVersion(known),
    }
}

/// "Kubernetes serves apps Deployment as apps/v1, apps/v1beta1, apps/v1beta2".
fn served(k: &BuiltInKind) -> String {
    let versions: Vec<String> = k
        .versions
        .iter()
        .map(|v| match k.group {
            "" => (*v).to_string(),
            g => format!("{g}/{v}"),
        })
        .collect();
    format!("Kubernetes serves {} as {}", k.kind, versions.join(", "))
}

/// How deep (in mapping keys and list items from the object's root) the search for a
/// custom resource's pod templates looks.
pub const TEMPLATE_SEARCH_DEPTH: usize = 8;

/// Whether `node` is shaped like a pod template: a mapping whose `spec` is a mapping
/// holding a `containers` list (the `PodTemplateSpec` of k8s.io/api/core/v1).
fn is_pod_template(doc: &Document, node: NodeId) -> bool {
    doc.is_map(node)
        && doc
            .get(node, "spec")
            .filter(|&s| doc.is_map(s))
            .and_then(|s| doc.get(s, "containers"))
            .is_some_and(|c| doc.is_seq(c))
}

/// Pod templates of a custom resource, in document order: every template-shaped
/// mapping ([`is_pod_template`]) at most [`TEMPLATE_SEARCH_DEPTH`] levels below the
/// root, the root included (a CR whose `spec` is a pod spec), outside the root's
/// `metadata` and `status`; nothing is searched inside a template found.
fn find_pod_templates(doc: &Document, root: NodeId) -> Vec<NodeId> {
    let mut found = Vec::new();
    let mut stack = vec![(root, 0usize)];
    while let Some((node, depth)) = stack.pop() {
        if is_pod_template(doc, node) {
            found.push(node);
            continue;
        }
        if depth == TEMPLATE_SEARCH_DEPTH {
            continue;
        }
        let children: Vec<NodeId> = if doc.is_map(node) {
            doc.entries(node)
                .iter()
                .filter(|&&(k, _)| {
                    node != root || !matches!(doc.text(k), Some("metadata" | "status"))
                })
                .map(|&(_, v)| v)
                .collect()
        } else if doc.is_seq(node) {
            doc.items(node).to_vec()
        } else {
            Vec::new()
        };
        // Reversed onto the stack: visited in document order.
        stack.extend(children.into_iter().rev().map(|c| (c, depth + 1)));
    }
    found
}

impl<'d> DocumentModel<'d> {
    pub fn read(doc: &'d Document<'d>) -> Self {
        let mut model = DocumentModel {
            doc,
            objects: Vec::new(),
            type_issues: Vec::new(),
            notes: Vec::new(),
        };
        let Some(root) = doc.root else {
            return model;
        };
        let mut reader = Reader::new(doc);
        model.read_object(&mut reader, root, None, 0);
        // A Pod's metadata is read as the object's and as the pod's: report once.
        let mut issues = reader.issues;
        issues.sort_by_key(|i| i.node);
        issues.dedup_by_key(|i| i.node);
        model.type_issues = issues;
        model.objects.shrink_to_fit();
        model
    }

    /// Note something in the input that the rules do not check.
    fn unchecked(&mut self, span: Span, message: String) {
        self.notes.push(Note {
            span,
            message,
            kind: NoteKind::Unchecked,
        });
    }

    fn read_object(
        &mut self,
        r: &mut Reader<'d>,
        root: NodeId,
        list: Option<(&'d str, Option<&'d str>)>,
        depth: usize,
    ) {
        let doc = self.doc;
        if !doc.is_map(root) {
            let what = if doc.is_seq(root) {
                "a list"
            } else {
                "a scalar"
            };
            self.unchecked(
                doc.node(root).span(),
                format!("not a Kubernetes object: the document is {what}, not a mapping; skipped"),
            );
            return;
        }
        let r_root = Some(root);
        let kind = r.string(r_root, "kind").map(|f| f.value);
        let api_version = r.string(r_root, "apiVersion").map(|f| f.value);
        // Items of a typed list (`PodList`) may leave kind and apiVersion to the list.
        let (kind, api_version) = match (kind, list) {
            (None, Some((list_kind, list_api))) if list_kind != "List" => (
                Some(list_kind.trim_end_matches("List")),
                api_version.or(list_api),
            ),
            _ => (kind, api_version),
        };
        let Some(kind) = kind else {
            self.unchecked(
                doc.anchor_span(root),
                "not a Kubernetes object (no `kind`); skipped".into(),
            );
            return;
        };
        if kind.ends_with("List") && doc.get(root, "items").is_some() {
            if depth > 4 {
                self.unchecked(
                    doc.anchor_span(root),
                    "lists nested too deeply; skipped".into(),
                );
                return;
            }
            for item in r.seq(r_root, "items").to_vec() {
                self.read_object(r, item, Some((kind, api_version)), depth + 1);
            }
            return;
        }
        let metadata = r.map(r_root, "metadata");
        let name = r.string(metadata, "name").map(|f| f.value);
        let namespace = r.string(metadata, "namespace").map(|f| f.value);
        let annotations = r.string_map(metadata, "annotations");
        let mut pods = Vec::new();
        for (spec, meta) in self.pod_templates(r, root, api_version, kind) {
            pods.push(Pod::read(r, spec, meta));
        }
        pods.shrink_to_fit();
        self.objects.push(Object {
            doc,
            root,
            api_version,
            kind,
            name,
            namespace,
            metadata,
            annotations,
            pods,
        });
    }

    /// (pod spec, pod metadata) pairs of an object: at the path its built-in kind keeps
    /// them, or, for a custom resource, wherever [`find_pod_templates`] finds one. Notes
    /// what was not checked, and where a custom resource's templates were found.
    fn pod_templates(
        &mut self,
        r: &mut Reader<'d>,
        root: NodeId,
        api_version: Option<&str>,
        kind: &str,
    ) -> Vec<(NodeId, Option<NodeId>)> {
        let doc = self.doc;
        let template = |r: &mut Reader<'d>, t: Option<NodeId>| {
            r.map(t, "spec").map(|spec| (spec, r.map(t, "metadata")))
        };
        let what = match api_version {
            Some(v) => format!("{v} {kind}"),
            None => format!("{kind} (no apiVersion)"),
        };
        let known = match identify(api_version, kind) {
            Identified::BuiltIn(known) => known,
            unknown => {
                let (custom, reason) = match unknown {
                    Identified::UnknownVersion(k) => {
                        ("read as a custom resource", format!("; {}", served(k)))
                    }
                    _ => ("custom resource", String::new()),
                };
                let templates = find_pod_templates(doc, root);
                let span = doc.anchor_span(root);
                if templates.is_empty() {
                    self.notes.push(Note {
                        span,
                        message: format!(
                            "{what}: {custom} with no pod template (a mapping whose `spec.containers` is a list, within {TEMPLATE_SEARCH_DEPTH} levels){reason}; not checked"
                        ),
                        kind: NoteKind::Unchecked,
                    });
                } else {
                    let at: Vec<String> = templates
                        .iter()
                        .map(|&t| match doc.pointer(t) {
                            p if p.is_empty() => "/".to_string(),
                            p => p,
                        })
                        .collect();
                    self.notes.push(Note {
                        span,
                        message: format!(
                            "{what}: {custom}; checked the pod template{} at {}{reason}",
                            if at.len() == 1 { "" } else { "s" },
                            at.join(", ")
                        ),
                        kind: NoteKind::Info,
                    });
                }
                return templates
                    .into_iter()
                    .filter_map(|t| template(r, Some(t)))
                    .collect();
            }
        };
        let spec = r.map(Some(root), "spec");
        let found = match known.pod {
            PodPath::None => return Vec::new(),
            PodPath::Spec => spec.map(|s| (s, r.map(Some(root), "metadata"))),
            PodPath::Template => {
                let t = r.map(Some(root), "template");
                template(r, t)
            }
            PodPath::SpecTemplate => {
                let t = r.map(spec, "template");
                template(r, t)
            }
            PodPath::JobTemplate => {
                let job = r.map(spec, "jobTemplate");
                let job_spec = r.map(job, "spec");
                let t = r.map(job_spec, "template");
                template(r, t)
            }
        };
        if found.is_none() {
            self.notes.push(Note {
                span: doc.anchor_span(root),
                message: format!("{what} has no pod spec to check; not checked"),
                kind: NoteKind::Unchecked,
            });
        }
        found.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};

    /// An object's kind and the pointers of its pod specs.
    type Read = (String, Vec<String>);

    /// Each object read, and the notes as (kind, message).
    fn read(text: &str) -> (Vec<Read>, Vec<(NoteKind, String)>) {
        let stream = parse_stream(text, &Limits::default());
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let model = DocumentModel::read(&stream.documents[0]);
        let doc = model.doc;
        let objects = model
            .objects
            .iter()
            .map(|o| {
                let pods = o.pods.iter().map(|p| doc.pointer(p.spec)).collect();
                (o.kind.to_string(), pods)
            })
            .collect();
        let notes = model
            .notes
            .iter()
            .map(|n| (n.kind, n.message.clone()))
            .collect();
        (objects, notes)
    }

    #[test]
    fn built_in_kinds_are_identified_by_group_kind_and_version() {
        let id = |v: &str, k: &str| match identify(Some(v), k) {
            Identified::BuiltIn(b) => format!("built-in {}/{}", b.group, b.kind),
            Identified::UnknownVersion(b) => format!("unknown version of {}/{}", b.group, b.kind),
            Identified::Custom => "custom".into(),
        };
        assert_eq!(id("v1", "Service"), "built-in /Service");
        assert_eq!(id("serving.knative.dev/v1", "Service"), "custom");
        for v in ["apps/v1", "apps/v1beta1", "apps/v1beta2"] {
            assert_eq!(id(v, "Deployment"), "built-in apps/Deployment");
        }
        assert_eq!(
            id("extensions/v1beta1", "Deployment"),
            "built-in extensions/Deployment"
        );
        assert_eq!(
            id("apps/v2", "Deployment"),
            "unknown version of apps/Deployment"
        );
        assert_eq!(
            id("apps/v1beta1", "ReplicaSet"),
            "unknown version of apps/ReplicaSet"
        );
        for v in ["batch/v1", "batch/v1beta1", "batch/v2alpha1"] {
            assert_eq!(id(v, "CronJob"), "built-in batch/CronJob");
        }
        assert_eq!(id("batch/v1beta1", "Job"), "unknown version of batch/Job");
        assert_eq!(id("apps/v1", "Pod"), "custom");
        assert_eq!(id("argoproj.io/v1alpha1", "Rollout"), "custom");
        assert!(matches!(
            identify(None, "Pod"),
            Identified::UnknownVersion(BuiltInKind { kind: "Pod", .. })
        ));
    }

    #[test]
    fn the_kind_table_has_one_row_per_group_and_kind() {
        let mut seen = std::collections::HashSet::new();
        for k in BUILT_IN_KINDS {
            assert!(
                seen.insert((k.group, k.kind)),
                "{}/{} twice",
                k.group,
                k.kind
            );
            assert!(
                !k.versions.is_empty(),
                "{}/{} has no version",
                k.group,
                k.kind
            );
        }
    }

    #[test]
    fn a_core_service_is_not_a_workload_and_a_knative_service_is() {
        let pod = "  template:\n    spec:\n      containers:\n      - name: c\n        image: i\n";
        let (objects, notes) = read(&format!("apiVersion: v1\nkind: Service\nspec:\n{pod}"));
        assert_eq!(objects, [("Service".to_string(), vec![])]);
        assert!(notes.is_empty(), "{notes:?}");
        let (objects, notes) = read(&format!(
            "apiVersion: serving.knative.dev/v1\nkind: Service\nspec:\n{pod}"
        ));
        assert_eq!(objects[0].1, ["/spec/template/spec"]);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].0, NoteKind::Info);
        assert!(
            notes[0]
                .1
                .contains("checked the pod template at /spec/template"),
            "{notes:?}"
        );
    }

    #[test]
    fn custom_resource_templates_are_found_in_maps_and_lists_within_the_depth() {
        let (objects, _) = read(
            "apiVersion: ray.io/v1\nkind: RayCluster\nspec:\n  head:\n    template:\n      spec: {containers: []}\n  \
             workers:\n  - template:\n      spec: {containers: []}\n  - template:\n      spec: {containers: []}\n\
             status:\n  template:\n    spec: {containers: []}\n",
        );
        assert_eq!(
            objects[0].1,
            [
                "/spec/head/template/spec",
                "/spec/workers/0/template/spec",
                "/spec/workers/1/template/spec"
            ]
        );
        // A CR whose spec is itself a pod spec.
        let (objects, _) =
            read("apiVersion: x.io/v1\nkind: Box\nspec:\n  containers:\n  - name: c\n");
        assert_eq!(objects[0].1, ["/spec"]);
        // Template at depth 8 is found; at depth 9 it is not.
        let nest = |levels: usize| {
            let mut text = "apiVersion: x.io/v1\nkind: Deep\nspec:\n".to_string();
            for i in 1..levels {
                text.push_str(&format!("{}k{i}:\n", "  ".repeat(i)));
            }
            let ind = "  ".repeat(levels);
            text.push_str(&format!("{ind}spec:\n{ind}  containers: []\n"));
            text
        };
        // `spec` (1) + k1..k7 (7) = the template at depth 8.
        assert_eq!(read(&nest(8)).0[0].1.len(), 1);
        let (objects, notes) = read(&nest(9));
        assert!(objects[0].1.is_empty());
        assert_eq!(notes[0].0, NoteKind::Unchecked, "{notes:?}");
    }

    #[test]
    fn unchecked_objects_are_noted_as_unchecked_and_others_as_info() {
        let (_, notes) =
            read("apiVersion: tekton.dev/v1\nkind: Task\nspec:\n  steps:\n  - image: i\n");
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].0, NoteKind::Unchecked);
        assert!(notes[0]
            .1
            .contains("tekton.dev/v1 Task: custom resource with no pod template"));
        let (_, notes) = read("apiVersion: apps/v1\nkind: Deployment\nspec: {}\n");
        assert_eq!(notes[0].0, NoteKind::Unchecked);
        let (_, notes) = read("- a\n- b\n");
        assert_eq!(notes[0].0, NoteKind::Unchecked);
        let (_, notes) = read("apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n");
        assert!(notes.is_empty());
        let (objects, notes) = read(
            "apiVersion: apps/v2\nkind: Deployment\nspec:\n  template:\n    spec: {containers: []}\n",
        );
        assert_eq!(objects[0].1, ["/spec/template/spec"]);
        assert_eq!(notes[0].0, NoteKind::Info);
        assert!(
            notes[0]
                .1
                .contains("Kubernetes serves Deployment as apps/v1"),
            "{notes:?}"
        );
    }
}
