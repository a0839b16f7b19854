//! Would Kubernetes take this pod? The API-validation and kubelet rules that a fix can
//! break, checked on the [`model`](crate::model) of a document.
//!
//! The fixer ([`super`]) refuses a fix whose result has a [`Violation`] the text did not
//! have before, and the templates withhold fixes that can never be valid where they
//! would apply. Each rule is a [`Constraint`], documented with the Kubernetes source it
//! comes from (paths in `k8s.io/kubernetes`). The checks are pure (no I/O) and have no
//! version gate: a fix must not write what a current release refuses, even where an old
//! one (the OS checks before IdentifyPodOS was on by default in v1.24) would let it pass.

use crate::model::{Container, ContainerKind, DocumentModel, Pod};
use crate::yaml::{parse_stream, Document, Limits, NodeId};

/// One rule of API validation or of the kubelet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Constraint {
    /// A pod with `spec.os.name: windows` must not set Linux-only fields: on the pod
    /// `securityContext.{seLinuxOptions, appArmorProfile, seccompProfile, runAsUser,
    /// runAsGroup, supplementalGroups, supplementalGroupsPolicy, fsGroup,
    /// fsGroupChangePolicy, sysctls}` and `shareProcessNamespace`; on any container
    /// `securityContext.{seLinuxOptions, appArmorProfile, seccompProfile, capabilities,
    /// readOnlyRootFilesystem, privileged, allowPrivilegeEscalation, procMount,
    /// runAsUser, runAsGroup}` ("cannot be set for a windows pod").
    /// Source: `pkg/apis/core/validation/validation.go`, `validateWindows` (called from
    /// `validatePodSpec` when `spec.os.name` is windows; IdentifyPodOS, beta and on by
    /// default in v1.24, GA in v1.25).
    WindowsLinuxOnlyField,
    /// A pod with `spec.os.name: linux` must not set `securityContext.windowsOptions`,
    /// on the pod or a container ("cannot be set for a linux pod").
    /// Source: `pkg/apis/core/validation/validation.go`, `validateLinux`.
    LinuxWindowsOnlyField,
    /// A container must not set `allowPrivilegeEscalation: false` together with
    /// `privileged: true` ("cannot set `allowPrivilegeEscalation` to false and
    /// `privileged` to true").
    /// Source: `pkg/apis/core/validation/validation.go`, `ValidateSecurityContext`.
    EscalationOffButPrivileged,
    /// A container must not set `allowPrivilegeEscalation: false` and add the
    /// capability written exactly `CAP_SYS_ADMIN` ("cannot set `allowPrivilegeEscalation`
    /// to false and `capabilities.Add` CAP_SYS_ADMIN").
    /// Source: `pkg/apis/core/validation/validation.go`, `ValidateSecurityContext`.
    EscalationOffButSysAdmin,
    /// A container whose effective `runAsNonRoot` is true must not have an effective
    /// `runAsUser` of 0: the kubelet refuses to create it (CreateContainerConfigError,
    /// "container's runAsUser breaks non-root policy"). Effective means the container's
    /// setting where it has one, else the pod's.
    /// Source: `pkg/kubelet/kuberuntime/security_context_others.go`, `verifyRunAsNonRoot`,
    /// with `pkg/securitycontext/util.go`, `DetermineEffectiveSecurityContext`.
    RunAsNonRootAsRoot,
    /// An ephemeral container must not set `ports`, `resources`, `resizePolicy`,
    /// `restartPolicy`, `lifecycle` or any probe ("cannot be set for an Ephemeral
    /// Container").
    /// Source: `pkg/apis/core/validation/validation.go`, `validateEphemeralContainers`
    /// and `allowedEphemeralContainerFields`.
    EphemeralForbiddenField,
    /// A pod with a Windows HostProcess container (`securityContext.windowsOptions.hostProcess`
    /// true on the container, or on the pod for containers that do not set it) must set
    /// `hostNetwork: true` ("hostNetwork must be true if pod contains any hostProcess
    /// containers"; k8s.io/api core/v1 `WindowsSecurityContextOptions.HostProcess`: "if
    /// HostProcess is true then HostNetwork must also be set to true").
    /// Source: `pkg/apis/core/validation/validation.go`, `validateWindowsHostProcessPod`.
    HostProcessWithoutHostNetwork,
}

impl Constraint {
    /// Who refuses a pod that breaks the constraint: `"the API server rejects"` or
    /// `"the kubelet refuses with CreateContainerConfigError"`.
    pub fn refusal(self) -> &'static str {
        match self {
            Constraint::RunAsNonRootAsRoot => "the kubelet refuses with CreateContainerConfigError",
            _ => "the API server rejects",
        }
    }

    /// The file (below `k8s.io/kubernetes/`) and function that enforce the constraint:
    /// `pkg/apis/core/validation/validation.go, validateWindows`.
    pub fn source(self) -> &'static str {
        match self {
            Constraint::WindowsLinuxOnlyField => {
                "pkg/apis/core/validation/validation.go, validateWindows"
            }
            Constraint::LinuxWindowsOnlyField => {
                "pkg/apis/core/validation/validation.go, validateLinux"
            }
            Constraint::EscalationOffButPrivileged | Constraint::EscalationOffButSysAdmin => {
                "pkg/apis/core/validation/validation.go, ValidateSecurityContext"
            }
            Constraint::RunAsNonRootAsRoot => {
                "pkg/kubelet/kuberuntime/security_context_others.go, verifyRunAsNonRoot"
            }
            Constraint::EphemeralForbiddenField => {
                "pkg/apis/core/validation/validation.go, validateEphemeralContainers"
            }
            Constraint::HostProcessWithoutHostNetwork => {
                "pkg/apis/core/validation/validation.go, validateWindowsHostProcessPod"
            }
        }
    }
}

/// One broken constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub constraint: Constraint,
    /// The offending field (for [`Constraint::RunAsNonRootAsRoot`], the container).
    pub node: NodeId,
    /// What a fix would do to cause it, as a verb phrase without a subject, naming the
    /// container and field: `set allowPrivilegeEscalation: false on a privileged
    /// container (container "manager")`. Stable across edits elsewhere in the text.
    pub what: String,
}

impl Violation {
    /// The reason a fix causing this violation is skipped: "would set … , which the API
    /// server rejects".
    pub fn reason(&self) -> String {
        format!(
            "would {}, which {} (k8s.io/kubernetes/{})",
            self.what,
            self.constraint.refusal(),
            self.constraint.source()
        )
    }
}

/// Pod-level `securityContext` fields forbidden on Windows pods (`validateWindows`).
pub const WINDOWS_FORBIDDEN_POD_FIELDS: &[&str] = &[
    "seLinuxOptions",
    "appArmorProfile",
    "seccompProfile",
    "runAsUser",
    "runAsGroup",
    "supplementalGroups",
    "supplementalGroupsPolicy",
    "fsGroup",
    "fsGroupChangePolicy",
    "sysctls",
];

/// Container `securityContext` fields forbidden on Windows pods (`validateWindows`).
pub const WINDOWS_FORBIDDEN_CONTAINER_FIELDS: &[&str] = &[
    "seLinuxOptions",
    "appArmorProfile",
    "seccompProfile",
    "capabilities",
    "readOnlyRootFilesystem",
    "privileged",
    "allowPrivilegeEscalation",
    "procMount",
    "runAsUser",
    "runAsGroup",
];

/// Container fields forbidden on ephemeral containers (`allowedEphemeralContainerFields`
/// lists them as false; `resizePolicy` and `restartPolicy` are outside the allow-list).
pub const EPHEMERAL_FORBIDDEN_FIELDS: &[&str] = &[
    "ports",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "lifecycle",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
];

/// The value of `key` in mapping `map`, when it is set: present and not null (Go's
/// `!= nil` after decoding). Two fields are compared differently by the API server:
/// `sysctls` counts only when not empty (`len(Sysctls) > 0`), and a container's
/// `resources`, a struct rather than a pointer, only when it holds a non-null entry
/// (`validateFieldAllowList` compares it with its zero value, so `resources: {}` is unset).
fn set(doc: &Document, map: Option<NodeId>, key: &str) -> Option<NodeId> {
    let node = doc.get(map?, key)?;
    let unset = doc.is_null(node)
        || (key == "sysctls" && doc.is_seq(node) && doc.items(node).is_empty())
        || (key == "resources"
            && doc.is_map(node)
            && doc.entries(node).iter().all(|&(_, v)| doc.is_null(v)));
    (!unset).then_some(node)
}

/// Why `field` of the pod (`None`) or of container `c` can never be set on this pod,
/// whatever else a fix changes: a Linux-only field on a Windows pod. `field` is the key
/// inside `securityContext`.
pub fn forbidden_by_os(pod: &Pod, c: Option<&Container>, field: &str) -> Option<String> {
    if !pod.is_windows() {
        return None;
    }
    let (list, whose) = match c {
        Some(c) => (
            WINDOWS_FORBIDDEN_CONTAINER_FIELDS,
            format!("{} of ", c.label()),
        ),
        None => (WINDOWS_FORBIDDEN_POD_FIELDS, String::new()),
    };
    list.contains(&field).then(|| {
        Violation {
            constraint: Constraint::WindowsLinuxOnlyField,
            node: c.map_or(pod.spec, |c| c.node),
            what: format!(
                "set securityContext.{field} on {whose}a Windows pod (spec.os.name: windows)"
            ),
        }
        .reason()
    })
}

/// Why requiring `runAsNonRoot: true` of `containers` can never be valid while they
/// keep their user: the first of them whose effective `runAsUser` is 0
/// ([`Constraint::RunAsNonRootAsRoot`]).
pub fn root_user_blocks_non_root<'a, 'd: 'a>(
    pod: &Pod<'d>,
    containers: impl IntoIterator<Item = &'a Container<'d>>,
) -> Option<String> {
    let c = containers
        .into_iter()
        .find(|c| effective_run_as_user(pod, c) == Some(0))?;
    Some(
        Violation {
            constraint: Constraint::RunAsNonRootAsRoot,
            node: c.node,
            what: format!(
                "require runAsNonRoot: true of {} while it sets runAsUser: 0",
                c.label()
            ),
        }
        .reason(),
    )
}

/// The effective `runAsUser` of a container: its own, else the pod's.
pub fn effective_run_as_user(pod: &Pod, c: &Container) -> Option<i64> {
    c.security_context
        .run_as_user
        .or(pod.security_context.run_as_user)
        .map(|f| f.value)
}

/// Every violation of one pod, in document order of pod then containers.
pub fn check_pod(pod: &Pod) -> Vec<Violation> {
    let doc = pod.doc;
    let mut out = Vec::new();
    let psc = pod.security_context.node;
    let os = pod.os_name.map(|f| f.value);
    if os == Some("windows") {
        for &field in WINDOWS_FORBIDDEN_POD_FIELDS {
            if let Some(node) = set(doc, psc, field) {
                out.push(Violation {
                    constraint: Constraint::WindowsLinuxOnlyField,
                    node,
                    what: format!(
                        "set securityContext.{field} on a Windows pod (spec.os.name: windows)"
                    ),
                });
            }
        }
        if let Some(node) = set(doc, Some(pod.spec), "shareProcessNamespace") {
            out.push(Violation {
                constraint: Constraint::WindowsLinuxOnlyField,
                node,
                what: "set shareProcessNamespace on a Windows pod (spec.os.name: windows)".into(),
            });
        }
    }
    if os == Some("linux") {
        if let Some(node) = set(doc, psc, "windowsOptions") {
            out.push(Violation {
                constraint: Constraint::LinuxWindowsOnlyField,
                node,
                what: "set securityContext.windowsOptions on a Linux pod (spec.os.name: linux)"
                    .into(),
            });
        }
    }
    if !pod.host_network.is_some_and(|f| f.value) {
        if let Some(reason) = host_process_needs_host_network(pod) {
            out.push(Violation {
                constraint: Constraint::HostProcessWithoutHostNetwork,
                node: pod.host_network.map_or(pod.spec, |f| f.node),
                what: reason,
            });
        }
    }
    for c in &pod.containers {
        check_container(pod, c, os, &mut out);
    }
    out
}

/// What a pod without `hostNetwork: true` breaks when one of its containers runs as a
/// Windows HostProcess ([`Constraint::HostProcessWithoutHostNetwork`]), as a [`Violation`]'s
/// `what`; `None` when none does.
fn host_process_needs_host_network(pod: &Pod) -> Option<String> {
    let c = pod.containers.iter().find(|c| {
        c.security_context
            .windows_host_process
            .or(pod.security_context.windows_host_process)
            .is_some_and(|f| f.value)
    })?;
    Some(format!(
        "set hostNetwork: false (or leave it unset) on a pod whose {} runs as a Windows HostProcess",
        c.label()
    ))
}

/// Why setting `hostNetwork: false` on `pod` would be rejected: one of its containers runs
/// as a Windows HostProcess ([`Constraint::HostProcessWithoutHostNetwork`]).
pub fn host_network_off_blocked(pod: &Pod) -> Option<String> {
    Some(
        Violation {
            constraint: Constraint::HostProcessWithoutHostNetwork,
            node: pod.spec,
            what: host_process_needs_host_network(pod)?,
        }
        .reason(),
    )
}

fn check_container(pod: &Pod, c: &Container, os: Option<&str>, out: &mut Vec<Violation>) {
    let doc = pod.doc;
    let sc = &c.security_context;
    let label = c.label();
    if os == Some("windows") {
        for &field in WINDOWS_FORBIDDEN_CONTAINER_FIELDS {
            if let Some(node) = set(doc, sc.node, field) {
                out.push(Violation {
                    constraint: Constraint::WindowsLinuxOnlyField,
                    node,
                    what: format!("set securityContext.{field} on {label} of a Windows pod (spec.os.name: windows)"),
                });
            }
        }
    }
    if os == Some("linux") {
        if let Some(node) = set(doc, sc.node, "windowsOptions") {
            out.push(Violation {
                constraint: Constraint::LinuxWindowsOnlyField,
                node,
                what: format!(
                    "set securityContext.windowsOptions on {label} of a Linux pod (spec.os.name: linux)"
                ),
            });
        }
    }
    if let Some(ape) = sc.allow_privilege_escalation.filter(|f| !f.value) {
        if sc.privileged.is_some_and(|p| p.value) {
            out.push(Violation {
                constraint: Constraint::EscalationOffButPrivileged,
                node: ape.node,
                what: format!(
                    "set allowPrivilegeEscalation: false on a privileged container ({label})"
                ),
            });
        }
        if sc
            .capabilities_add
            .iter()
            .any(|a| a.value == "CAP_SYS_ADMIN")
        {
            out.push(Violation {
                constraint: Constraint::EscalationOffButSysAdmin,
                node: ape.node,
                what: format!(
                    "set allowPrivilegeEscalation: false on {label}, which adds CAP_SYS_ADMIN"
                ),
            });
        }
    }
    let non_root = sc
        .run_as_non_root
        .or(pod.security_context.run_as_non_root)
        .is_some_and(|f| f.value);
    if non_root && effective_run_as_user(pod, c) == Some(0) {
        out.push(Violation {
            constraint: Constraint::RunAsNonRootAsRoot,
            node: c.node,
            what: format!("require runAsNonRoot: true of {label} while it sets runAsUser: 0"),
        });
    }
    if c.kind == ContainerKind::Ephemeral {
        for &field in EPHEMERAL_FORBIDDEN_FIELDS {
            if let Some(node) = set(doc, Some(c.node), field) {
                out.push(Violation {
                    constraint: Constraint::EphemeralForbiddenField,
                    node,
                    what: format!("set {field} on {label}"),
                });
            }
        }
    }
}

/// Every violation of every pod of a document, in document order.
pub fn check_document(model: &DocumentModel) -> Vec<Violation> {
    model
        .objects
        .iter()
        .flat_map(|o| o.pods.iter())
        .flat_map(check_pod)
        .collect()
}

/// Every violation of every pod of a YAML stream, with the 0-based index of its
/// document. Documents that do not parse have none.
pub fn check_text(text: &str, limits: &Limits) -> Vec<(usize, Violation)> {
    let stream = parse_stream(text, limits);
    stream
        .documents
        .iter()
        .flat_map(|doc| {
            let model = DocumentModel::read(doc);
            check_document(&model)
                .into_iter()
                .map(|v| (doc.index, v))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Why setting `allowPrivilegeEscalation: false` on container `c` would be rejected
/// while the container keeps its other settings: it is privileged, or adds
/// `CAP_SYS_ADMIN` ([`Constraint::EscalationOffButPrivileged`],
/// [`Constraint::EscalationOffButSysAdmin`]).
pub fn escalation_off_blocked(c: &Container) -> Option<String> {
    let sc = &c.security_context;
    let label = c.label();
    let (constraint, what) = if sc.privileged.is_some_and(|p| p.value) {
        (
            Constraint::EscalationOffButPrivileged,
            format!("set allowPrivilegeEscalation: false on a privileged container ({label})"),
        )
    } else if sc
        .capabilities_add
        .iter()
        .any(|a| a.value == "CAP_SYS_ADMIN")
    {
        (
            Constraint::EscalationOffButSysAdmin,
            format!("set allowPrivilegeEscalation: false on {label}, which adds CAP_SYS_ADMIN"),
        )
    } else {
        return None;
    };
    Some(
        Violation {
            constraint,
            node: c.node,
            what,
        }
        .reason(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violations(text: &str) -> Vec<(Constraint, String)> {
        let stream = parse_stream(text, &Limits::default());
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        stream
            .documents
            .iter()
            .flat_map(|d| {
                let model = DocumentModel::read(d);
                check_document(&model)
                    .into_iter()
                    .map(|v| (v.constraint, v.what))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn pod(spec: &str) -> String {
        format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{spec}")
    }

    #[test]
    fn windows_pods_reject_linux_only_fields() {
        let v = violations(&pod(concat!(
            "  os: {name: windows}\n",
            "  securityContext: {seccompProfile: {type: RuntimeDefault}, runAsNonRoot: true}\n",
            "  containers:\n",
            "  - name: iis\n",
            "    image: iis\n",
            "    securityContext:\n",
            "      allowPrivilegeEscalation: false\n",
            "      capabilities: {drop: [ALL]}\n",
            "      windowsOptions: {runAsUserName: ContainerUser}\n",
        )));
        let kinds: Vec<_> = v.iter().map(|(c, w)| (*c, w.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (Constraint::WindowsLinuxOnlyField, "set securityContext.seccompProfile on a Windows pod (spec.os.name: windows)"),
                (Constraint::WindowsLinuxOnlyField, "set securityContext.capabilities on container \"iis\" of a Windows pod (spec.os.name: windows)"),
                (Constraint::WindowsLinuxOnlyField, "set securityContext.allowPrivilegeEscalation on container \"iis\" of a Windows pod (spec.os.name: windows)"),
            ]
        );
    }

    #[test]
    fn the_same_fields_are_fine_without_a_windows_os() {
        for os in ["", "  os: {name: linux}\n"] {
            let v = violations(&pod(&format!(
                "{os}  securityContext: {{seccompProfile: {{type: RuntimeDefault}}}}\n  containers:\n  - name: c\n    image: i\n    securityContext: {{allowPrivilegeEscalation: false, capabilities: {{drop: [ALL]}}}}\n"
            )));
            assert!(v.is_empty(), "{os:?}: {v:?}");
        }
    }

    #[test]
    fn null_and_empty_sysctls_are_unset_on_windows() {
        let v = violations(&pod(
            "  os: {name: windows}\n  securityContext: {sysctls: [], runAsUser: null}\n  containers:\n  - {name: c, image: i}\n",
        ));
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn linux_pods_reject_windows_options() {
        let v = violations(&pod(
            "  os: {name: linux}\n  securityContext: {windowsOptions: {hostProcess: false}}\n  containers:\n  - {name: c, image: i}\n",
        ));
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].0, Constraint::LinuxWindowsOnlyField);
    }

    #[test]
    fn host_process_pods_need_the_host_network() {
        let spec = |host_network: &str, pod_level: &str, container: &str| {
            pod(&format!(
                "  os: {{name: windows}}\n{host_network}  securityContext: {{windowsOptions: {{hostProcess: {pod_level}}}}}\n  containers:\n  - name: c\n    image: i\n    securityContext: {{windowsOptions: {{hostProcess: {container}}}}}\n"
            ))
        };
        let broken = (
            Constraint::HostProcessWithoutHostNetwork,
            "set hostNetwork: false (or leave it unset) on a pod whose container \"c\" runs as a Windows HostProcess".to_string(),
        );
        // The container's own setting wins over the pod's (it may set null: the pod's counts).
        assert_eq!(
            violations(&spec("", "true", "null")),
            std::slice::from_ref(&broken)
        );
        assert_eq!(
            violations(&spec("  hostNetwork: false\n", "false", "true")),
            [broken]
        );
        assert!(violations(&spec("  hostNetwork: true\n", "true", "true")).is_empty());
        assert!(violations(&spec("", "true", "false")).is_empty());
    }

    #[test]
    fn escalation_off_is_rejected_beside_privileged_or_cap_sys_admin() {
        let v = violations(&pod(concat!(
            "  containers:\n",
            "  - name: a\n    image: i\n    securityContext: {privileged: true, allowPrivilegeEscalation: false}\n",
            "  - name: b\n    image: i\n    securityContext: {privileged: true, allowPrivilegeEscalation: true}\n",
            "  - name: c\n    image: i\n    securityContext: {privileged: false, allowPrivilegeEscalation: false}\n",
            "  - name: d\n    image: i\n    securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [CAP_SYS_ADMIN]}}\n",
            "  - name: e\n    image: i\n    securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [SYS_ADMIN]}}\n",
        )));
        assert_eq!(
            v,
            [
                (
                    Constraint::EscalationOffButPrivileged,
                    "set allowPrivilegeEscalation: false on a privileged container (container \"a\")".to_string()
                ),
                (
                    Constraint::EscalationOffButSysAdmin,
                    "set allowPrivilegeEscalation: false on container \"d\", which adds CAP_SYS_ADMIN".to_string()
                ),
            ]
        );
    }

    #[test]
    fn run_as_non_root_with_user_zero_is_refused_by_the_kubelet() {
        let v = violations(&pod(concat!(
            "  securityContext: {runAsNonRoot: true}\n",
            "  containers:\n",
            "  - {name: root, image: i, securityContext: {runAsUser: 0}}\n",
            "  - {name: user, image: i, securityContext: {runAsUser: 1000}}\n",
            "  - {name: opt-out, image: i, securityContext: {runAsUser: 0, runAsNonRoot: false}}\n",
            "  initContainers:\n",
            "  - {name: init, image: i}\n",
        )));
        assert_eq!(
            v,
            [(
                Constraint::RunAsNonRootAsRoot,
                "require runAsNonRoot: true of container \"root\" while it sets runAsUser: 0"
                    .to_string()
            )]
        );
        // The pod's runAsUser: 0 is inherited; the container's own runAsUser wins.
        let v = violations(&pod(concat!(
            "  securityContext: {runAsUser: 0}\n",
            "  containers:\n",
            "  - {name: a, image: i, securityContext: {runAsNonRoot: true}}\n",
            "  - {name: b, image: i, securityContext: {runAsNonRoot: true, runAsUser: 1}}\n",
        )));
        assert_eq!(v.len(), 1);
        assert!(v[0].1.contains("\"a\""));
    }

    #[test]
    fn ephemeral_containers_reject_ports_probes_resources_and_lifecycle() {
        let v = violations(&pod(concat!(
            "  containers:\n",
            "  - {name: app, image: i, ports: [{containerPort: 80}], resources: {limits: {cpu: 1}}}\n",
            "  ephemeralContainers:\n",
            "  - name: debug\n    image: busybox\n    ports: [{containerPort: 80}]\n    resources: {limits: {}}\n",
            "    lifecycle: {preStop: {exec: {command: [x]}}}\n    readinessProbe: {exec: {command: [x]}}\n",
            "    restartPolicy: null\n    securityContext: {allowPrivilegeEscalation: false}\n",
        )));
        let fields: Vec<_> = v.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(
            fields,
            [
                "set ports on ephemeral container \"debug\"",
                "set resources on ephemeral container \"debug\"",
                "set lifecycle on ephemeral container \"debug\"",
                "set readinessProbe on ephemeral container \"debug\"",
            ]
        );
        assert!(v
            .iter()
            .all(|(c, _)| *c == Constraint::EphemeralForbiddenField));
        // An empty resources mapping equals the zero value, which is allowed.
        let v = violations(&pod(
            "  containers:\n  - {name: app, image: i}\n  ephemeralContainers:\n  - {name: d, image: i, resources: {}, restartPolicy: ~}\n",
        ));
        assert!(v.is_empty(), "{v:?}");
    }

    /// `f` applied to the first pod of `text`.
    fn with_pod<T>(text: &str, f: impl Fn(&Pod) -> T) -> T {
        let stream = parse_stream(text, &Limits::default());
        let model = DocumentModel::read(&stream.documents[0]);
        f(&model.objects[0].pods[0])
    }

    #[test]
    fn fixes_that_can_never_be_valid_say_why() {
        let windows = pod("  os: {name: windows}\n  containers:\n  - {name: c, image: i, securityContext: {privileged: true, runAsUser: 0}}\n");
        with_pod(&windows, |p| {
            let c = &p.containers[0];
            assert!(forbidden_by_os(p, Some(c), "allowPrivilegeEscalation")
                .is_some_and(|r| r.contains("container \"c\" of a Windows pod")));
            assert!(forbidden_by_os(p, None, "seccompProfile").is_some());
            // runAsNonRoot exists on Windows too.
            assert_eq!(forbidden_by_os(p, Some(c), "runAsNonRoot"), None);
            assert!(escalation_off_blocked(c).is_some_and(|r| r.contains("privileged container")));
            assert!(root_user_blocks_non_root(p, [c]).is_some_and(|r| r.contains("kubelet")));
        });
        let linux = windows
            .replace("windows", "linux")
            .replace("privileged: true, runAsUser: 0", "runAsUser: 1");
        with_pod(&linux, |p| {
            let c = &p.containers[0];
            assert_eq!(
                forbidden_by_os(p, Some(c), "allowPrivilegeEscalation"),
                None
            );
            assert_eq!(escalation_off_blocked(c), None);
            assert_eq!(root_user_blocks_non_root(p, [c]), None);
        });
    }

    #[test]
    fn reasons_name_who_refuses_and_the_source() {
        let v = Violation {
            constraint: Constraint::EscalationOffButPrivileged,
            node: 0,
            what: "set allowPrivilegeEscalation: false on a privileged container (container \"m\")"
                .into(),
        };
        assert_eq!(
            v.reason(),
            "would set allowPrivilegeEscalation: false on a privileged container (container \"m\"), which the API server rejects (k8s.io/kubernetes/pkg/apis/core/validation/validation.go, ValidateSecurityContext)"
        );
        assert_eq!(
            Constraint::RunAsNonRootAsRoot.refusal(),
            "the kubelet refuses with CreateContainerConfigError"
        );
    }
}
