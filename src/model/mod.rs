//! Kubernetes objects read from YAML documents: identity, `List` expansion, and the pod
//! templates that workload kinds — built-in or custom — carry.

pub mod pod;
pub mod read;

pub use pod::{Container, ContainerKind, Pod, SecurityContext};
pub use read::{Field, Reader, TypeIssue};

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

/// Something worth telling that is not a finding: a skipped document, an unknown kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub span: Span,
    pub message: String,
}

/// The objects of one document and what reading them noticed.
#[derive(Clone, Debug)]
pub struct DocumentModel<'d> {
    pub doc: &'d Document<'d>,
    pub objects: Vec<Object<'d>>,
    pub type_issues: Vec<TypeIssue>,
    pub notes: Vec<Note>,
}

/// Kinds whose pod template sits at `spec.template`.
const TEMPLATE_KINDS: &[&str] = &[
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "ReplicationController",
];

/// Built-in kinds that carry no pod template: read without a note.
const KNOWN_KINDS: &[&str] = &[
    "APIService",
    "Binding",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "ConfigMap",
    "ControllerRevision",
    "CSIDriver",
    "CSINode",
    "CSIStorageCapacity",
    "CustomResourceDefinition",
    "Endpoints",
    "EndpointSlice",
    "Event",
    "FlowSchema",
    "HorizontalPodAutoscaler",
    "Ingress",
    "IngressClass",
    "Lease",
    "LimitRange",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration",
    "Namespace",
    "NetworkPolicy",
    "Node",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "ResourceClaim",
    "ResourceClaimTemplate",
    "ResourceQuota",
    "Role",
    "RoleBinding",
    "RuntimeClass",
    "Secret",
    "Service",
    "ServiceAccount",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
    "VolumeAttributesClass",
];

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

    fn note(&mut self, span: Span, message: String) {
        self.notes.push(Note { span, message });
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
            self.note(
                doc.node(root).span,
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
            self.note(
                doc.anchor_span(root),
                "not a Kubernetes object (no `kind`); skipped".into(),
            );
            return;
        };
        if kind.ends_with("List") && doc.get(root, "items").is_some() {
            if depth > 4 {
                self.note(
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
        for (spec, meta) in self.pod_templates(r, root, kind) {
            pods.push(Pod::read(r, spec, meta));
        }
        pods.shrink_to_fit();
        if pods.is_empty()
            && !KNOWN_KINDS.contains(&kind)
            && !TEMPLATE_KINDS.contains(&kind)
            && kind != "Pod"
            && kind != "PodTemplate"
            && kind != "CronJob"
        {
            self.note(
                doc.anchor_span(root),
                format!(
                    "kind {kind} ({}) is not a built-in kind and carries no pod template; not checked",
                    api_version.unwrap_or("no apiVersion")
                ),
            );
        }
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

    /// (pod spec, pod metadata) pairs of an object.
    fn pod_templates(
        &mut self,
        r: &mut Reader<'d>,
        root: NodeId,
        kind: &str,
    ) -> Vec<(NodeId, Option<NodeId>)> {
        let doc = self.doc;
        let template = |r: &mut Reader<'d>, t: Option<NodeId>| {
            r.map(t, "spec").map(|spec| (spec, r.map(t, "metadata")))
        };
        let spec = Some(root).and_then(|n| r.map(Some(n), "spec"));
        let found = match kind {
            "Pod" => spec.map(|s| (s, r.map(Some(root), "metadata"))),
            "PodTemplate" => {
                let t = r.map(Some(root), "template");
                template(r, t)
            }
            "CronJob" => {
                let job = r.map(spec, "jobTemplate");
                let job_spec = r.map(job, "spec");
                let t = r.map(job_spec, "template");
                template(r, t)
            }
            k if TEMPLATE_KINDS.contains(&k) => {
                let t = r.map(spec, "template");
                template(r, t)
            }
            k if KNOWN_KINDS.contains(&k) => None,
            _ => {
                // Custom resources (Argo Rollouts, Knative, …): a pod template at
                // `spec.template` or `spec.jobTemplate.spec.template`, recognised by its
                // `spec.containers` list.
                let is_pod_template = |t: NodeId| {
                    doc.get_path(t, &["spec", "containers"])
                        .is_some_and(|c| doc.is_seq(c))
                };
                let direct = spec
                    .and_then(|s| doc.get(s, "template"))
                    .filter(|&t| is_pod_template(t));
                let job = spec
                    .and_then(|s| doc.get_path(s, &["jobTemplate", "spec", "template"]))
                    .filter(|&t| is_pod_template(t));
                let t = direct.or(job);
                template(r, t)
            }
        };
        if found.is_none()
            && (kind == "Pod"
                || kind == "PodTemplate"
                || kind == "CronJob"
                || TEMPLATE_KINDS.contains(&kind))
        {
            self.note(
                doc.anchor_span(root),
                format!("{kind} has no pod spec to check"),
            );
        }
        found.into_iter().collect()
    }
}
