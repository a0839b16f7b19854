//! Storage rules: what a PersistentVolume hands to the pods that bind it.

use serde::Deserialize;

use super::bundle::name_place;
use super::hardening::{host_path_exposure, HostPathParams};
use super::netpol::who;
use super::{
    quoted, BundleCx, BundleHit, BundleHits, Check, FieldError, Loc, ParamSpec, Place, Template,
    TemplateParams,
};
use crate::bundle::{Bundle, Entry};
use crate::yaml::NodeId;

pub static TEMPLATES: &[Template] = &[Template {
    name: "persistent-volume-host-path",
    summary: "a PersistentVolume must not be a hostPath volume; its path is described by the host-path catalogue of the rule `paths_from`",
    check: Check::Bundle(persistent_volume_host_path),
    params: ParamSpec::of::<PersistentVolumeHostPathParams>("PersistentVolumeHostPathParams"),
    validity: false,
}];

/// Parameters of `persistent-volume-host-path`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersistentVolumeHostPathParams {
    /// The id of a rule of template `host-path` whose catalogue says what a path holds
    /// (`sensitive-host-path`), so that the two rules share one list of paths. A
    /// PersistentVolume with a hostPath is reported whatever its path; the catalogue only
    /// adds what the path exposes. Without such a rule in the catalogue, nothing is added.
    pub paths_from: String,
}

impl TemplateParams for PersistentVolumeHostPathParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        if self.paths_from.trim().is_empty() {
            return Err(FieldError::new(&["paths_from"], "must name a rule"));
        }
        Ok(())
    }
}

/// The most places a finding names (claims and the workloads that mount them).
const MAX_RELATED: usize = 8;

/// A PersistentVolume's `spec.hostPath` (k8s.io/api/core/v1 `PersistentVolumeSource`,
/// `HostPathVolumeSource`) mounts `path` of whichever node the pod runs on. The pod that
/// uses it shows only `persistentVolumeClaim.claimName`, so the pod-level hostPath rules
/// (and Pod Security admission's `hostPathVolumes` check, which reads pod specs only:
/// k8s.io/pod-security-admission policy/check_hostPathVolumes.go) never see it.
///
/// A claim is bound to the volume when its `spec.volumeName` names it, or when the
/// volume's `spec.claimRef` names the claim (pre-binding: "Reserving a
/// PersistentVolume", kubernetes.io/docs/concepts/storage/persistent-volumes/); a pod
/// uses the claim when a volume's `persistentVolumeClaim.claimName` names it in the
/// pod's namespace (k8s.io/api/core/v1 `PersistentVolumeClaimVolumeSource`).
fn persistent_volume_host_path(cx: &BundleCx, out: &mut BundleHits) {
    let p: &PersistentVolumeHostPathParams = cx.rule.typed_params.get();
    let catalogue = cx
        .catalogue
        .get(&p.paths_from)
        .and_then(|r| r.typed_params.downcast::<HostPathParams>());
    let bundle = cx.bundle;
    for pv in bundle.of_kind("", "PersistentVolume") {
        let doc = pv.object.doc;
        let Some(spec) = doc.get(pv.object.root, "spec") else {
            continue;
        };
        let Some(path_node) = doc.get_path(spec, &["hostPath", "path"]) else {
            continue;
        };
        let Some(path) = doc.str(path_node) else {
            continue;
        };
        // hostPath.path is required: the API server refuses an empty one.
        if path.trim().is_empty() {
            continue;
        }
        let kind = doc
            .get_path(spec, &["hostPath", "type"])
            .and_then(|n| doc.str(n));
        let detail = catalogue
            .and_then(|c| host_path_exposure(c, path, kind))
            .unwrap_or_else(|| " from the host".to_string());
        let name = pv.object.name.unwrap_or("");
        let claim_ref = doc.get(spec, "claimRef").map(|r| {
            let field = |k| doc.get(r, k).and_then(|n| doc.str(n));
            (field("namespace"), field("name"))
        });
        let mut related = Vec::new();
        for pvc in bundle.of_kind("", "PersistentVolumeClaim") {
            let claim = pvc.object.name.unwrap_or("");
            let cdoc = pvc.object.doc;
            let volume_name = cdoc
                .get_path(pvc.object.root, &["spec", "volumeName"])
                .and_then(|n| cdoc.str(n));
            let named_by_volume = !name.is_empty() && volume_name == Some(name);
            let named_by_ref = claim_ref.is_some_and(|(ns, n)| {
                n == Some(claim) && !claim.is_empty() && ns == pvc.object.namespace
            });
            if !named_by_volume && !named_by_ref {
                continue;
            }
            if related.len() < MAX_RELATED {
                related.push((name_place(pvc), format!("{} is bound to it", who(pvc))));
            }
            for (object, node) in pods_using_claim(bundle, pvc) {
                let e = &bundle.objects[object];
                if related.len() < MAX_RELATED {
                    related.push((
                        Place {
                            doc: e.at.doc,
                            loc: Loc::Node(node),
                        },
                        format!("{} mounts it through claim {}", who(e), quoted(claim)),
                    ));
                }
            }
        }
        out.push(BundleHit {
            at: Place {
                doc: pv.at.doc,
                loc: Loc::Node(path_node),
            },
            message: format!(
                "PersistentVolume {} mounts hostPath {}{detail}; every pod that binds its claim gets that directory of the node it runs on, though the pod's own spec shows only a persistentVolumeClaim volume",
                quoted(name),
                quoted(path)
            ),
            related,
            fix: Vec::new(),
        });
    }
}

/// The workloads with a volume that names claim `pvc` in its namespace: the index of
/// each in [`Bundle::objects`], with that volume's `claimName` node.
fn pods_using_claim(bundle: &Bundle, pvc: &Entry) -> Vec<(usize, NodeId)> {
    let claim = pvc.object.name.unwrap_or("");
    let mut found = Vec::new();
    if claim.is_empty() {
        return found;
    }
    for p in &bundle.pods {
        if bundle.objects[p.object].object.namespace != pvc.object.namespace {
            continue;
        }
        let doc = p.pod.doc;
        for v in &p.pod.volumes {
            if let Some(node) = doc.get_path(v.node, &["persistentVolumeClaim", "claimName"]) {
                if doc.str(node) == Some(claim) {
                    found.push((p.object, node));
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;

    /// The catalogue rule names a rule of the built-in catalogue whose parameters are a
    /// host-path catalogue: a typo would silently drop what the paths hold.
    #[test]
    fn the_built_in_rule_takes_its_paths_from_a_host_path_rule() {
        let catalogue = Catalogue::builtin();
        let rule = catalogue.get("persistent-volume-host-path").unwrap();
        let p = rule
            .typed_params
            .downcast::<PersistentVolumeHostPathParams>()
            .unwrap();
        let source = catalogue.get(&p.paths_from).unwrap();
        assert!(source
            .typed_params
            .downcast::<HostPathParams>()
            .is_some_and(|c| !c.paths.is_empty()));
    }
}
