//! The Pod Security Standards checks, as the reference admission controller
//! (`k8s.io/pod-security-admission/policy`) judges them. Version-specific behaviour is
//! driven by rule parameters (`*_since` versions, version-gated allow-lists), so the
//! catalogue states which version changed what.

use serde::Deserialize;

use super::{
    in_force, quoted, Check, Hit, Loc, NewValue, NoParams, Op, ParamSpec, PodCx, Template,
    TemplateParams, VersionedList,
};
use crate::fix::valid::{
    effective_run_as_user, escalation_off_blocked, forbidden_by_os, host_network_off_blocked,
    root_user_blocks_non_root,
};
use crate::model::{Container, Field, SecurityContext};
use crate::version::KubeVersion;
use crate::yaml::NodeId;

pub static TEMPLATES: &[Template] = &[
    pod_template!(
        "pss-privileged",
        "containers must not set securityContext.privileged: true",
        NoParams,
        privileged
    ),
    pod_template!(
        "pss-host-namespaces",
        "pods must not share the host's network, PID or IPC namespace",
        NoParams,
        host_namespaces
    ),
    pod_template!(
        "pss-host-ports",
        "containers must not bind host ports",
        NoParams,
        host_ports
    ),
    pod_template!(
        "pss-host-path-volumes",
        "pods must not mount hostPath volumes",
        NoParams,
        host_path_volumes
    ),
    pod_template!(
        "pss-capabilities-baseline",
        "added capabilities must be in the `allowed` list",
        CapabilitiesBaselineParams,
        capabilities_baseline
    ),
    pod_template!(
        "pss-capabilities-restricted",
        "containers must drop ALL and add only `allowed_add`",
        CapabilitiesRestrictedParams,
        capabilities_restricted
    ),
    pod_template!(
        "pss-allow-privilege-escalation",
        "containers must set allowPrivilegeEscalation: false",
        WindowsExemptParams,
        allow_privilege_escalation
    ),
    pod_template!(
        "pss-run-as-non-root",
        "pod or every container must set runAsNonRoot: true",
        UserNamespaceExemptParams,
        run_as_non_root
    ),
    pod_template!(
        "pss-run-as-user",
        "runAsUser must not be 0",
        UserNamespaceExemptParams,
        run_as_user
    ),
    pod_template!(
        "pss-seccomp-baseline",
        "seccomp must not be Unconfined (annotations before `fields_since`)",
        SeccompBaselineParams,
        seccomp_baseline
    ),
    pod_template!(
        "pss-seccomp-restricted",
        "seccomp must be RuntimeDefault or Localhost for every container",
        SeccompRestrictedParams,
        seccomp_restricted
    ),
    pod_template!(
        "pss-apparmor",
        "AppArmor must not be disabled or overridden",
        AppArmorParams,
        apparmor
    ),
    pod_template!(
        "pss-selinux",
        "SELinux type in `types`, no custom user or role",
        SelinuxParams,
        selinux
    ),
    pod_template!(
        "pss-proc-mount",
        "procMount must be Default",
        UserNamespaceExemptParams,
        proc_mount
    ),
    pod_template!(
        "pss-sysctls",
        "only sysctls in the version-gated `allowed` list",
        SysctlsParams,
        sysctls
    ),
    pod_template!(
        "pss-windows-host-process",
        "Windows HostProcess containers are forbidden",
        NoParams,
        windows_host_process
    ),
    pod_template!(
        "pss-restricted-volumes",
        "volumes must be of a type in `allowed`",
        RestrictedVolumesParams,
        restricted_volumes
    ),
    pod_template!(
        "pss-host-probes",
        "probes and lifecycle handlers must not name a host",
        NoParams,
        host_probes
    ),
];

/// Parameters of `pss-capabilities-baseline`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilitiesBaselineParams {
    /// Capabilities a container may add: names without `CAP_`, upper case (`CHOWN`).
    /// Source: `k8s.io/pod-security-admission/policy/check_capabilities_baseline.go`
    /// (`capabilities_allowed_1_0`).
    pub allowed: Vec<String>,
}

impl TemplateParams for CapabilitiesBaselineParams {
    fn validate(&mut self) -> Result<(), super::FieldError> {
        capability_names(&self.allowed, "allowed")
    }
}

/// Parameters of `pss-capabilities-restricted`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilitiesRestrictedParams {
    /// Capabilities a container may add back after dropping ALL: names without `CAP_`,
    /// upper case. Source: `k8s.io/pod-security-admission/policy/check_capabilities_restricted.go`
    /// (`NET_BIND_SERVICE` only).
    pub allowed_add: Vec<String>,
    /// From this version on, pods with `spec.os.name: windows` are exempt (`"1.25"`;
    /// absent: never). Source: the same file, `capabilitiesRestricted_1_25`.
    pub windows_exempt_since: Option<KubeVersion>,
}

impl TemplateParams for CapabilitiesRestrictedParams {
    fn validate(&mut self) -> Result<(), super::FieldError> {
        capability_names(&self.allowed_add, "allowed_add")
    }
}

/// Capability names as the reference implementation compares them: exact, upper case,
/// without the `CAP_` prefix.
fn capability_names(names: &[String], field: &str) -> Result<(), super::FieldError> {
    for (i, n) in names.iter().enumerate() {
        if n.is_empty()
            || n.starts_with("CAP_")
            || !n
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(super::FieldError::new(
                &[field],
                format!("{n:?} is not a capability name (upper case, without CAP_, like NET_BIND_SERVICE)"),
            )
            .item(i));
        }
    }
    Ok(())
}

/// Parameters of templates whose check exempts Windows pods from a version on
/// (`pss-allow-privilege-escalation`, `pss-seccomp-restricted`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsExemptParams {
    /// From this version on, pods with `spec.os.name: windows` are exempt (`"1.25"`;
    /// absent: never). Source: `k8s.io/pod-security-admission/policy/check_allowPrivilegeEscalation.go`
    /// (`allowPrivilegeEscalation_1_25`) and `check_seccompProfile_restricted.go`
    /// (`seccompProfileRestricted_1_25`).
    pub windows_exempt_since: Option<KubeVersion>,
}

impl TemplateParams for WindowsExemptParams {}

/// Parameters of templates whose check exempts pods in a user namespace from a version
/// on (`pss-run-as-non-root`, `pss-run-as-user`, `pss-proc-mount`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserNamespaceExemptParams {
    /// From this version on, pods with `hostUsers: false` are exempt (`"1.35"`; absent:
    /// never). Source: `k8s.io/pod-security-admission/policy/check_runAsNonRoot.go`,
    /// `check_runAsUser.go`, `check_procMount.go` (user-namespace relaxation).
    pub user_namespace_exempt_since: Option<KubeVersion>,
}

impl TemplateParams for UserNamespaceExemptParams {}

/// Parameters of `pss-seccomp-restricted`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeccompRestrictedParams {
    /// From this version on, pods with `spec.os.name: windows` are exempt (`"1.25"`).
    /// Source: `check_seccompProfile_restricted.go` (`seccompProfileRestricted_1_25`).
    pub windows_exempt_since: Option<KubeVersion>,
    /// The version that deprecated the `seccomp.security.alpha.kubernetes.io` annotations
    /// for the `seccompProfile` fields (`"1.19"`; the API server still copied them into
    /// the fields). Source: kubernetes/kubernetes#91408, `core/v1/annotation_key_constants.go`.
    pub annotations_deprecated_since: KubeVersion,
    /// The version from which the annotations have no effect (`"1.27"`: the API server no
    /// longer copies them into the fields, the kubelet stopped reading them in v1.25; it
    /// still rejects a field that disagrees with one). Source: kubernetes/kubernetes#114947.
    pub annotations_ignored_since: KubeVersion,
}

impl TemplateParams for SeccompRestrictedParams {}

/// Parameters of `pss-apparmor`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppArmorParams {
    /// The version that deprecated the `container.apparmor.security.beta.kubernetes.io`
    /// annotations for the `appArmorProfile` fields (`"1.30"`; the API server copies an
    /// annotation into the container's field while that is unset). Source:
    /// `applyAppArmorVersionSkew` in `pkg/registry/core/pod/strategy.go`, KEP-24.
    pub annotations_deprecated_since: KubeVersion,
}

impl TemplateParams for AppArmorParams {}

/// Parameters of `pss-seccomp-baseline`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeccompBaselineParams {
    /// The version from which seccomp is read from `securityContext.seccompProfile`
    /// fields; before it, from the `seccomp.security.alpha.kubernetes.io` annotations
    /// (`"1.19"`). Source: `k8s.io/pod-security-admission/policy/check_seccompProfile_baseline.go`.
    pub fields_since: KubeVersion,
}

impl TemplateParams for SeccompBaselineParams {}

/// Parameters of `pss-selinux`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelinuxParams {
    /// SELinux types a pod or container may set, by the version that allowed them
    /// (`container_engine_t` from v1.31). Source:
    /// `k8s.io/pod-security-admission/policy/check_seLinuxOptions.go`.
    pub types: VersionedList,
}

impl TemplateParams for SelinuxParams {}

/// Parameters of `pss-sysctls`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SysctlsParams {
    /// Sysctl names (`net.ipv4.tcp_syncookies`) a pod may set, by the version that made
    /// them safe. Source: `k8s.io/pod-security-admission/policy/check_sysctls.go`, which
    /// compares `sysctls[*].name` as written: `net/ipv4/tcp_syncookies` is not in the set.
    pub allowed: VersionedList,
    /// The first version whose API server accepts `/` as the separator of a pod's sysctl
    /// names (`"1.24"`; before it, only on pods that already had one). Source:
    /// `pkg/apis/core/validation/validation.go` (`SysctlContainSlashFmt`), kubernetes/kubernetes#106834.
    pub slash_names_since: KubeVersion,
}

impl TemplateParams for SysctlsParams {}

/// Parameters of `pss-restricted-volumes`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestrictedVolumesParams {
    /// Volume source fields (`configMap`, `persistentVolumeClaim`) a restricted pod may
    /// use. Source: `k8s.io/pod-security-admission/policy/check_restrictedVolumes.go`.
    pub allowed: Vec<String>,
}

impl TemplateParams for RestrictedVolumesParams {}

fn each_container<'a, 'd>(cx: &'a PodCx<'_, 'd>) -> impl Iterator<Item = &'a Container<'d>> {
    cx.pod.containers.iter()
}

fn is_true(f: Option<Field<bool>>) -> Option<NodeId> {
    f.filter(|f| f.value).map(|f| f.node)
}

/// Pods with `spec.os.name: windows` are exempt from version `since` on.
fn windows_exempt(cx: &PodCx, since: Option<KubeVersion>) -> bool {
    in_force(since, cx.version) && cx.pod.is_windows()
}

/// Pods with `hostUsers: false` are exempt from version `since` on.
fn user_namespace_exempt(cx: &PodCx, since: Option<KubeVersion>) -> bool {
    in_force(since, cx.version) && cx.pod.host_users.is_some_and(|f| !f.value)
}

/// Replace the value of an existing scalar.
fn replace(node: NodeId, value: NewValue) -> Op {
    Op::set(node, &[], value)
}

fn text(s: &str) -> NewValue {
    NewValue::Str(s.to_string())
}

fn privileged(cx: &PodCx, _p: &NoParams, out: &mut Vec<Hit>) {
    for c in each_container(cx) {
        if let Some(node) = is_true(c.security_context.privileged) {
            out.push(
                Hit::node(node, format!("{} runs privileged: it has every capability and full access to the host's devices", c.label()))
                    .with(replace(node, NewValue::Bool(false))),
            );
        }
    }
}

fn host_namespaces(cx: &PodCx, _p: &NoParams, out: &mut Vec<Hit>) {
    let p = cx.pod;
    for (field, name, what) in [
        (p.host_network, "hostNetwork", "network"),
        (p.host_pid, "hostPID", "process"),
        (p.host_ipc, "hostIPC", "IPC"),
    ] {
        if let Some(node) = is_true(field) {
            let mut hit = Hit::node(
                node,
                format!("pod sets {name}: true and shares the node's {what} namespace"),
            )
            .with(replace(node, NewValue::Bool(false)));
            if name == "hostNetwork" {
                // A Windows HostProcess pod must keep the host's network.
                hit = hit.withhold(host_network_off_blocked(p));
                // Metadata concealment: the network-policies page, "NetworkPolicy and
                // hostNetwork pods" (behaviour undefined; commonly ignored).
                hit.related.push((
                    Loc::Node(node),
                    "metadata: NetworkPolicies do not isolate a hostNetwork pod, and it reaches the node's cloud metadata endpoint 169.254.169.254 directly".into(),
                ));
            }
            out.push(hit);
        }
    }
}

fn host_ports(cx: &PodCx, _p: &NoParams, out: &mut Vec<Hit>) {
    for c in each_container(cx) {
        for port in c.host_ports.iter().filter(|p| p.value != 0) {
            out.push(
                Hit::node(
                    port.node,
                    format!("{} binds host port {}", c.label(), port.value),
                )
                .with(Op::Remove { node: port.node }),
            );
        }
    }
}

fn host_path_volumes(cx: &PodCx, _p: &NoParams, out: &mut Vec<Hit>) {
    for v in &cx.pod.volumes {
        if let Some(source) = v.sources.iter().find(|s| s.value == "hostPath") {
            let path = v
                .host_path
                .map_or(String::new(), |p| format!(" {}", quoted(p.value)));
            out.push(Hit::node(
                source.node,
                format!("{} mounts host path{path}", v.label()),
            ));
        }
    }
}

/// An added capability whose spelling differs from an allowed name only by case or a
/// `CAP_` prefix (`chown`, `CAP_NET_BIND_SERVICE`): Pod Security Admission compares exact
/// strings, so it is not the allowed name; the runtime prepends `CAP_` itself, so a
/// prefixed name grants nothing. The finding says so and its fix rewrites the spelling
/// instead of removing the capability. Returns the allowed name and whether a prefix was
/// the difference.
fn misspelt_allowed(cap: &Field<&str>, allowed: &[String]) -> Option<(String, bool)> {
    let prefixed = cap
        .value
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("CAP_"));
    let bare = if prefixed { &cap.value[4..] } else { cap.value };
    let name = bare.to_ascii_uppercase();
    (name != cap.value && allowed.contains(&name)).then_some((name, prefixed))
}

/// The finding and fix of an added capability that is not allowed.
fn disallowed_add(c: &Container, cap: &Field<&str>, allowed: &[String], rest: String) -> Hit {
    match misspelt_allowed(cap, allowed) {
        Some((name, prefixed)) => {
            let why = if prefixed {
                "the CAP_ prefix makes it a different name for Pod Security Admission (and for the container runtime, which adds CAP_ itself)"
            } else {
                "Pod Security Admission compares the exact, upper-case name"
            };
            Hit::node(
                cap.node,
                format!(
                    "{} adds capability {}, which is not {name}: {why}; write {name}",
                    c.label(),
                    cap.value
                ),
            )
            .with(Op::set(cap.node, &[], NewValue::Str(name.clone())))
        }
        None => Hit::node(
            cap.node,
            format!("{} adds capability {}{rest}", c.label(), cap.value),
        )
        .with(Op::Remove { node: cap.node }),
    }
}

fn capabilities_baseline(cx: &PodCx, p: &CapabilitiesBaselineParams, out: &mut Vec<Hit>) {
    let allowed = &p.allowed;
    for c in each_container(cx) {
        for cap in c
            .security_context
            .capabilities_add
            .iter()
            .filter(|cap| !allowed.iter().any(|a| a == cap.value))
        {
            let rest = ", which is not in the baseline set".to_string();
            out.push(disallowed_add(c, cap, allowed, rest));
        }
    }
}

fn capabilities_restricted(cx: &PodCx, p: &CapabilitiesRestrictedParams, out: &mut Vec<Hit>) {
    if windows_exempt(cx, p.windows_exempt_since) {
        return;
    }
    let allowed_add = &p.allowed_add;
    let doc = cx.pod.doc;
    for c in each_container(cx) {
        let sc = &c.security_context;
        // The reference compares exact strings (check_capabilities_restricted.go:
        // `c == "ALL"`), so `all` or `CAP_ALL` drop nothing in its eyes: the fix rewrites
        // that spelling instead of adding ALL beside it.
        let misspelt = sc.capabilities_drop.iter().find(|d| {
            d.value != "ALL"
                && (d.value.eq_ignore_ascii_case("ALL") || d.value.eq_ignore_ascii_case("CAP_ALL"))
        });
        if !sc.capabilities_drop.iter().any(|d| d.value == "ALL") {
            let withheld = forbidden_by_os(cx.pod, Some(c), "capabilities");
            let hit = match misspelt {
                Some(d) => Hit::node(
                    d.node,
                    format!(
                        "{} drops {}, which Pod Security Admission does not count as ALL: it compares the exact name, so write ALL",
                        c.label(),
                        quoted(d.value)
                    ),
                )
                .with(Op::set(d.node, &[], NewValue::Str("ALL".into()))),
                None => {
                    let path = ["securityContext", "capabilities", "drop"];
                    Hit::new(
                        Loc::at(doc, c.node, &path),
                        format!("{} does not drop ALL capabilities", c.label()),
                    )
                    .with(Op::add_item(c.node, &path, "ALL"))
                }
            };
            out.push(hit.withhold(withheld));
        }
        for cap in sc
            .capabilities_add
            .iter()
            .filter(|cap| !allowed_add.iter().any(|a| a == cap.value))
        {
            let rest = format!("; only {} may be added", allowed_add.join(", "));
            out.push(disallowed_add(c, cap, allowed_add, rest));
        }
    }
}

fn allow_privilege_escalation(cx: &PodCx, p: &WindowsExemptParams, out: &mut Vec<Hit>) {
    if windows_exempt(cx, p.windows_exempt_since) {
        return;
    }
    let path = ["securityContext", "allowPrivilegeEscalation"];
    for c in each_container(cx) {
        let fix = Op::set(c.node, &path, NewValue::Bool(false));
        // Never on a Windows pod, where the field is forbidden; not beside privileged:
        // true or CAP_SYS_ADMIN, which the API server rejects with it (once the
        // privileged fix is applied, the next check offers this one).
        let withheld = forbidden_by_os(cx.pod, Some(c), "allowPrivilegeEscalation")
            .or_else(|| escalation_off_blocked(c));
        match c.security_context.allow_privilege_escalation {
            Some(f) if !f.value => {}
            Some(f) => out.push(
                Hit::node(f.node, format!("{} allows privilege escalation", c.label()))
                    .with(fix)
                    .withhold(withheld),
            ),
            None => out.push(
                Hit::new(
                    Loc::at(cx.pod.doc, c.node, &path),
                    format!("{} does not set allowPrivilegeEscalation: false (setuid binaries can gain privileges)", c.label()),
                )
                .with(fix)
                .withhold(withheld),
            ),
        }
    }
}

/// Containers that leave a setting unset and so inherit the pod's.
fn names(containers: &[&Container]) -> String {
    containers
        .iter()
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(", ")
}

fn run_as_non_root(cx: &PodCx, p: &UserNamespaceExemptParams, out: &mut Vec<Hit>) {
    if user_namespace_exempt(cx, p.user_namespace_exempt_since) {
        return;
    }
    let pod = cx.pod;
    let path = ["securityContext", "runAsNonRoot"];
    let pod_setting = pod.security_context.run_as_non_root;
    // The kubelet refuses to start a container that must run as non-root but sets
    // runAsUser: 0, so those fixes are withheld while the container keeps user 0.
    if let Some(f) = pod_setting.filter(|f| !f.value) {
        let inheriting = pod
            .containers
            .iter()
            .filter(|c| c.security_context.run_as_non_root.is_none());
        out.push(
            Hit::node(f.node, "pod sets runAsNonRoot: false")
                .with(replace(f.node, NewValue::Bool(true)))
                .withhold(root_user_blocks_non_root(pod, inheriting)),
        );
    }
    let pod_true = pod_setting.is_some_and(|f| f.value);
    let mut implicit = Vec::new();
    for c in each_container(cx) {
        match c.security_context.run_as_non_root {
            Some(f) if !f.value => out.push(
                Hit::node(f.node, format!("{} sets runAsNonRoot: false", c.label()))
                    .with(replace(f.node, NewValue::Bool(true)))
                    .withhold(root_user_blocks_non_root(pod, [c])),
            ),
            Some(_) => {}
            None if !pod_true => implicit.push(c),
            None => {}
        }
    }
    if !implicit.is_empty() && pod_setting.is_none() {
        // A non-zero runAsUser (the container's, else the pod's) is the UID the kubelet
        // starts the process with: such a container does not run as root, yet the
        // restricted level still requires the field (check_runAsNonRoot.go).
        let uid = |c: &Container| effective_run_as_user(pod, c);
        let pick = |keep: &dyn Fn(Option<i64>) -> bool| -> Vec<&Container> {
            implicit.iter().copied().filter(|c| keep(uid(c))).collect()
        };
        let unknown = pick(&|u| u.is_none());
        let root = pick(&|u| u == Some(0));
        let off_root = pick(&|u| u.is_some_and(|u| u != 0));
        let why = match (&unknown[..], &root[..], &off_root[..]) {
            (_, [], []) => "it may run as root".to_string(),
            ([], [], [c]) => format!(
                "runAsUser: {} keeps it off root, but the restricted level requires runAsNonRoot: true",
                uid(c).unwrap_or_default()
            ),
            ([], [], _) => "runAsUser keeps them off root, but the restricted level requires runAsNonRoot: true".to_string(),
            _ => {
                let mut parts = Vec::new();
                if !unknown.is_empty() {
                    parts.push(format!("{} may run as root", names(&unknown)));
                }
                if !root.is_empty() {
                    let verb = if root.len() == 1 { "runs" } else { "run" };
                    parts.push(format!("{} {verb} as root (runAsUser: 0)", names(&root)));
                }
                if !off_root.is_empty() {
                    parts.push(format!("runAsUser keeps {} off root", names(&off_root)));
                }
                parts.join("; ")
            }
        };
        out.push(
            Hit::new(
                Loc::at(pod.doc, pod.spec, &path),
                format!(
                    "runAsNonRoot: true is set neither on the pod nor on {}: {why}",
                    names(&implicit)
                ),
            )
            .with(Op::set(pod.spec, &path, NewValue::Bool(true)))
            .withhold(root_user_blocks_non_root(pod, implicit.iter().copied())),
        );
    }
}

fn run_as_user(cx: &PodCx, p: &UserNamespaceExemptParams, out: &mut Vec<Hit>) {
    if user_namespace_exempt(cx, p.user_namespace_exempt_since) {
        return;
    }
    if let Some(f) = cx.pod.security_context.run_as_user.filter(|f| f.value == 0) {
        out.push(Hit::node(f.node, "pod sets runAsUser: 0 (root)"));
    }
    for c in each_container(cx) {
        if let Some(f) = c.security_context.run_as_user.filter(|f| f.value == 0) {
            out.push(Hit::node(
                f.node,
                format!("{} sets runAsUser: 0 (root)", c.label()),
            ));
        }
    }
}

fn valid_seccomp_annotation(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

fn valid_profile_type(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

/// Check a `seccompProfile` / `appArmorProfile` object: its type must be allowed.
/// The fix sets it to RuntimeDefault.
fn check_profile(
    cx: &PodCx,
    object: Option<NodeId>,
    ty: Option<Field<&str>>,
    whose: &str,
    what: &str,
    out: &mut Vec<Hit>,
) -> bool {
    let Some(object) = object else { return true };
    let fix = Op::set(object, &["type"], text("RuntimeDefault"));
    match ty {
        Some(t) if valid_profile_type(t.value) => true,
        Some(t) => {
            out.push(
                Hit::node(
                    t.node,
                    format!(
                        "{whose} sets {what} type {}; only RuntimeDefault or Localhost are allowed",
                        t.value
                    ),
                )
                .with(fix),
            );
            false
        }
        None => {
            out.push(
                Hit::new(
                    Loc::at(cx.pod.doc, object, &["type"]),
                    format!("{whose} sets {what} without a type"),
                )
                .with(fix),
            );
            false
        }
    }
}

/// Check the profile object (and its type) of the pod and of every container.
fn check_profiles<'d>(
    cx: &PodCx<'_, 'd>,
    what: &str,
    profile: impl Fn(&SecurityContext<'d>) -> (Option<NodeId>, Option<Field<&'d str>>),
    out: &mut Vec<Hit>,
) {
    let (object, ty) = profile(&cx.pod.security_context);
    check_profile(cx, object, ty, "pod", what, out);
    for c in each_container(cx) {
        let (object, ty) = profile(&c.security_context);
        check_profile(cx, object, ty, &c.label(), what, out);
    }
}

fn seccomp_baseline(cx: &PodCx, p: &SeccompBaselineParams, out: &mut Vec<Hit>) {
    let pod = cx.pod;
    if p.fields_since > cx.version {
        // Before seccomp became a field, the alpha annotations carried it.
        if let Some(v) = pod.annotation("seccomp.security.alpha.kubernetes.io/pod") {
            if !valid_seccomp_annotation(v.value) {
                out.push(
                    Hit::node(v.node, format!("pod seccomp annotation is {}; it must be runtime/default, docker/default or localhost/*", quoted(v.value)))
                        .with(replace(v.node, text("runtime/default"))),
                );
            }
        }
        for c in each_container(cx) {
            let Some(name) = c.name else { continue };
            let key = format!(
                "container.seccomp.security.alpha.kubernetes.io/{}",
                name.value
            );
            if let Some(v) = pod
                .annotation(&key)
                .filter(|v| !valid_seccomp_annotation(v.value))
            {
                out.push(
                    Hit::node(
                        v.node,
                        format!("{} seccomp annotation is {}", c.label(), quoted(v.value)),
                    )
                    .with(replace(v.node, text("runtime/default"))),
                );
            }
        }
        return;
    }
    check_profiles(
        cx,
        "seccompProfile",
        |sc| (sc.seccomp, sc.seccomp_type),
        out,
    );
}

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// The `seccompProfile` field an annotation value stands for (`runtime/default` and
/// `docker/default`: RuntimeDefault; `localhost/<path>`: Localhost with that profile), as
/// the API server converted them (`SeccompFieldForAnnotation` in `pkg/api/pod/util.go`);
/// `None` for `unconfined` and unknown values.
fn seccomp_field_for_annotation(value: &str) -> Option<NewValue> {
    match value {
        "runtime/default" | "docker/default" => {
            Some(NewValue::map([("type", text("RuntimeDefault"))]))
        }
        _ => value.strip_prefix("localhost/").map(|path| {
            NewValue::map([
                ("type", text("Localhost")),
                ("localhostProfile", text(path)),
            ])
        }),
    }
}

fn seccomp_restricted(cx: &PodCx, p: &SeccompRestrictedParams, out: &mut Vec<Hit>) {
    if windows_exempt(cx, p.windows_exempt_since) {
        return;
    }
    let pod = cx.pod;
    let psc = &pod.security_context;
    let pod_valid = check_profile(
        cx,
        psc.seccomp,
        psc.seccomp_type,
        "pod",
        "seccompProfile",
        out,
    );
    let mut implicit = Vec::new();
    for c in each_container(cx) {
        let sc = &c.security_context;
        if sc.seccomp.is_some() {
            check_profile(
                cx,
                sc.seccomp,
                sc.seccomp_type,
                &c.label(),
                "seccompProfile",
                out,
            );
        } else if psc.seccomp.is_none() {
            implicit.push(c);
        }
    }
    if pod_valid && !implicit.is_empty() {
        let path = ["securityContext", "seccompProfile", "type"];
        let mut message = format!(
            "no seccomp profile is set on the pod or on {}: {} unconfined",
            names(&implicit),
            if implicit.len() == 1 {
                "it runs"
            } else {
                "they run"
            }
        );
        // The deprecated annotations that seem to set a profile: named, with their place.
        let pod_annotation = pod.annotation(SECCOMP_POD_ANNOTATION);
        let mut annotations: Vec<(String, Field<&str>)> = pod_annotation
            .map(|v| (SECCOMP_POD_ANNOTATION.to_string(), v))
            .into_iter()
            .collect();
        for c in &implicit {
            let Some(name) = c.name else { continue };
            let key = format!("{SECCOMP_CONTAINER_ANNOTATION}{}", name.value);
            if let Some(v) = pod.annotation(&key) {
                annotations.push((key, v));
            }
        }
        let status = if cx.version >= p.annotations_ignored_since {
            format!(
                "ignored since {} (the API server no longer copies it into the field)",
                p.annotations_ignored_since
            )
        } else {
            format!(
                "deprecated since {}, and Pod Security Admission reads only the field",
                p.annotations_deprecated_since
            )
        };
        let mut related = Vec::new();
        for (key, value) in &annotations {
            message.push_str(&format!(
                "; the annotation {key} on line {} is {status}",
                pod.doc.line_of(value.node)
            ));
            related.push((Loc::Node(value.node), format!("{key}: {status}")));
        }
        if !annotations.is_empty() {
            message.push_str("; use the field `securityContext.seccompProfile`");
        }
        // The fix writes the field the pod annotation meant: the API server rejects a
        // field that disagrees with it.
        let (fix, withheld) = match pod_annotation {
            None => (Op::set(pod.spec, &path, text("RuntimeDefault")), None),
            Some(v) => match seccomp_field_for_annotation(v.value) {
                Some(field) => (
                    Op::set(pod.spec, &["securityContext", "seccompProfile"], field),
                    None,
                ),
                None => (
                    Op::set(pod.spec, &path, text("RuntimeDefault")),
                    Some(format!(
                        "the annotation {SECCOMP_POD_ANNOTATION} is {}, and the API server rejects a seccompProfile field that disagrees with it: remove the annotation, then set the field",
                        quoted(v.value)
                    )),
                ),
            },
        };
        let mut hit = Hit::new(Loc::at(pod.doc, pod.spec, &path), message)
            .with(fix)
            .withhold(withheld.or_else(|| forbidden_by_os(pod, None, "seccompProfile")));
        hit.related = related;
        out.push(hit);
    }
}

fn apparmor(cx: &PodCx, p: &AppArmorParams, out: &mut Vec<Hit>) {
    let pod = cx.pod;
    let deprecated = if cx.version >= p.annotations_deprecated_since {
        format!(
            " (the annotation is deprecated since {}: the API server copies it into the container's `securityContext.appArmorProfile` while that is unset; write the field)",
            p.annotations_deprecated_since
        )
    } else {
        String::new()
    };
    for (key, value) in &pod.annotations {
        if key
            .value
            .starts_with("container.apparmor.security.beta.kubernetes.io/")
            && !(value.value.is_empty()
                || value.value == "runtime/default"
                || value.value.starts_with("localhost/"))
        {
            out.push(
                Hit::node(
                    value.node,
                    format!(
                        "AppArmor annotation {} is {}; it must be runtime/default or localhost/*{deprecated}",
                        key.value,
                        quoted(value.value)
                    ),
                )
                .with(replace(value.node, text("runtime/default"))),
            );
        }
    }
    check_profiles(
        cx,
        "appArmorProfile",
        |sc| (sc.apparmor, sc.apparmor_type),
        out,
    );
}

fn selinux(cx: &PodCx, p: &SelinuxParams, out: &mut Vec<Hit>) {
    let mut check = |whose: String, sc: &SecurityContext| {
        if sc.selinux.is_none() {
            return;
        }
        if let Some(t) = sc
            .selinux_type
            .filter(|t| !t.value.is_empty() && !p.types.contains(cx.version, t.value))
        {
            out.push(
                Hit::node(
                    t.node,
                    format!(
                        "{whose} sets SELinux type {}, which is not a container type",
                        quoted(t.value)
                    ),
                )
                .with(Op::Remove { node: t.node }),
            );
        }
        for (field, name) in [(sc.selinux_user, "user"), (sc.selinux_role, "role")] {
            if let Some(f) = field.filter(|f| !f.value.is_empty()) {
                out.push(
                    Hit::node(
                        f.node,
                        format!("{whose} sets a custom SELinux {name} {}", quoted(f.value)),
                    )
                    .with(Op::Remove { node: f.node }),
                );
            }
        }
    };
    check("pod".into(), &cx.pod.security_context);
    for c in each_container(cx) {
        check(c.label(), &c.security_context);
    }
}

fn proc_mount(cx: &PodCx, p: &UserNamespaceExemptParams, out: &mut Vec<Hit>) {
    if user_namespace_exempt(cx, p.user_namespace_exempt_since) {
        return;
    }
    for c in each_container(cx) {
        if let Some(f) = c
            .security_context
            .proc_mount
            .filter(|f| f.value != "Default")
        {
            out.push(
                Hit::node(
                    f.node,
                    format!("{} sets procMount: {}, unmasking /proc", c.label(), f.value),
                )
                .with(replace(f.node, text("Default"))),
            );
        }
    }
}

/// A sysctl name in the dotted form the kubelet uses: the kubelet (since v1.23) reads a
/// name whose first separator is `/` with `/` and `.` swapped (`net/ipv4/conf/eno2.100/rp_filter`
/// is `net.ipv4.conf.eno2/100.rp_filter`), as `sysctl.d(5)` does. Mirrors `NormalizeName`
/// in `k8s.io/component-helpers/node/util/sysctl/sysctl.go`. Other names are returned as
/// they are.
pub fn normalize_sysctl_name(name: &str) -> std::borrow::Cow<'_, str> {
    match name.find(['.', '/']) {
        Some(i) if name.as_bytes()[i] == b'/' => name
            .chars()
            .map(|c| match c {
                '.' => '/',
                '/' => '.',
                c => c,
            })
            .collect::<String>()
            .into(),
        _ => name.into(),
    }
}

fn sysctls(cx: &PodCx, p: &SysctlsParams, out: &mut Vec<Hit>) {
    let sysctls = &cx.pod.sysctls;
    for s in sysctls {
        let name = s.name.map_or("", |n| n.value);
        if p.allowed.contains(cx.version, name) {
            continue;
        }
        let problem = format!(
            "sysctl {} is not in the safe set for {}",
            quoted(name),
            cx.version
        );
        let remove = Op::Remove { node: s.node };
        let dotted = normalize_sysctl_name(name);
        let (Some(field), false) = (s.name, dotted == name) else {
            out.push(Hit::node(s.node, problem).with(remove));
            continue;
        };
        // Written with slashes: Pod Security Admission compares the name as written, the
        // kubelet reads the dotted name.
        let accepted = if p.slash_names_since > cx.version {
            format!(
                "; the API server of {} also rejects a new pod with a slash in a sysctl name (accepted from {})",
                cx.version, p.slash_names_since
            )
        } else {
            String::new()
        };
        let hit = if !p.allowed.contains(cx.version, &dotted) {
            Hit::node(
                s.node,
                format!("{problem} (written with slashes, it is {dotted} for the kubelet, which is not safe either){accepted}"),
            )
            .with(remove)
        } else if sysctls
            .iter()
            .any(|o| o.name.is_some_and(|n| n.value == dotted))
        {
            Hit::node(
                s.node,
                format!("{problem}: Pod Security Admission compares the name as written, and the slashes make it a different name; it is {dotted} for the kubelet, which the pod sets as well, so remove this one{accepted}"),
            )
            .with(remove)
        } else {
            Hit::node(
                s.node,
                format!("{problem}: Pod Security Admission compares the name as written, and the slashes make it a different name; it is {dotted} for the kubelet, which is safe, so write {dotted}{accepted}"),
            )
            .with(replace(field.node, NewValue::Str(dotted.into_owned())))
        };
        out.push(hit);
    }
}

fn windows_host_process(cx: &PodCx, _p: &NoParams, out: &mut Vec<Hit>) {
    if let Some(node) = is_true(cx.pod.security_context.windows_host_process) {
        out.push(
            Hit::node(
                node,
                "pod runs as a Windows HostProcess (full access to the host)",
            )
            .with(replace(node, NewValue::Bool(false))),
        );
    }
    for c in each_container(cx) {
        if let Some(node) = is_true(c.security_context.windows_host_process) {
            out.push(
                Hit::node(
                    node,
                    format!("{} runs as a Windows HostProcess container", c.label()),
                )
                .with(replace(node, NewValue::Bool(false))),
            );
        }
    }
}

fn restricted_volumes(cx: &PodCx, p: &RestrictedVolumesParams, out: &mut Vec<Hit>) {
    let allowed = &p.allowed;
    for v in &cx.pod.volumes {
        // A volume with no source is defaulted to emptyDir by the API server.
        if v.sources.is_empty()
            || v.sources
                .iter()
                .any(|s| allowed.iter().any(|a| a == s.value))
        {
            continue;
        }
        let source = v.sources[0];
        out.push(Hit::node(
            source.node,
            format!(
                "{} is of type {}; restricted pods may use only {}",
                v.label(),
                source.value,
                allowed.join(", ")
            ),
        ));
    }
}

fn host_probes(cx: &PodCx, _p: &NoParams, out: &mut Vec<Hit>) {
    for c in each_container(cx) {
        for e in &c.endpoints {
            if let Some(host) = e.host.filter(|h| !h.value.is_empty()) {
                out.push(
                    Hit::node(
                        host.node,
                        format!("{} {} targets host {}: the kubelet would connect there on the pod's behalf", c.label(), e.owner, quoted(host.value)),
                    )
                    .with(Op::Remove { node: host.node }),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_sysctl_name;

    #[test]
    fn sysctl_names_are_normalised_as_the_kubelet_does() {
        // The cases of NormalizeName's own tests (k8s.io/component-helpers/node/util/sysctl).
        for (name, dotted) in [
            ("", ""),
            (
                "net.ipv4.ip_local_port_range",
                "net.ipv4.ip_local_port_range",
            ),
            (
                "net/ipv4/ip_local_port_range",
                "net.ipv4.ip_local_port_range",
            ),
            (
                "net.ipv4.conf.eno2/100.rp_filter",
                "net.ipv4.conf.eno2/100.rp_filter",
            ),
            (
                "net/ipv4/conf/eno2.100/rp_filter",
                "net.ipv4.conf.eno2/100.rp_filter",
            ),
            ("kernel", "kernel"),
        ] {
            assert_eq!(normalize_sysctl_name(name), dotted, "{name}");
        }
    }
}
