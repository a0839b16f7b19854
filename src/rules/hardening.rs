//! Container hardening beyond the Pod Security Standards.

use serde::Deserialize;

use super::credential::{self, CredentialRules, Verdict};
use super::{
    in_force, quoted, Check, FieldError, Hit, Loc, NewValue, Op, ParamSpec, PodCx, Template,
    TemplateParams,
};
use crate::fix::valid::{escalation_off_blocked, forbidden_by_os, root_user_blocks_non_root};
use crate::model::ContainerKind;
use crate::version::KubeVersion;
use crate::yaml::Value;

pub static TEMPLATES: &[Template] = &[
    pod_template!(
        "container-setting",
        "every container must set securityContext.`field` to `expected` (`linux_only`: not on Windows pods)",
        ContainerSettingParams,
        container_setting
    ),
    pod_template!(
        "host-path",
        "hostPath volumes must not expose `paths` (with `match_parents`: nor a directory holding one) or anything below `prefixes`",
        HostPathParams,
        host_path
    ),
    pod_template!(
        "capability-dropped",
        "every container must drop `capability` (or ALL), not add it back, and not be privileged",
        CapabilityDroppedParams,
        capability_dropped
    ),
    pod_template!(
        "resource-limit",
        "every container must set a non-zero resources.limits.`resource` (or the pod, from `pod_level_since`)",
        ResourceLimitParams,
        resource_limit
    ),
    pod_template!(
        "env-literal-secret",
        "literal environment values must not be credentials: known token formats, private keys, URL passwords, or values under credential-like `name_patterns`",
        EnvLiteralSecretParams,
        env_literal_secret
    ),
];

/// A boolean field of a container's `securityContext` (`k8s.io/api/core/v1`
/// `SecurityContext`), as the API spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SecurityContextFlag {
    AllowPrivilegeEscalation,
    Privileged,
    ReadOnlyRootFilesystem,
    RunAsNonRoot,
}

impl SecurityContextFlag {
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityContextFlag::AllowPrivilegeEscalation => "allowPrivilegeEscalation",
            SecurityContextFlag::Privileged => "privileged",
            SecurityContextFlag::ReadOnlyRootFilesystem => "readOnlyRootFilesystem",
            SecurityContextFlag::RunAsNonRoot => "runAsNonRoot",
        }
    }
}

/// Parameters of `container-setting`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerSettingParams {
    /// The boolean `securityContext` field every container must set
    /// (`readOnlyRootFilesystem`). Source: `k8s.io/api/core/v1/types.go`, `SecurityContext`.
    pub field: SecurityContextFlag,
    /// The value it must have.
    pub expected: bool,
    /// Skip pods with `spec.os.name: windows`, where the API server rejects Linux-only
    /// settings (default false). Source: `k8s.io/kubernetes/pkg/apis/core/validation/validation.go`
    /// (`validateWindows`: Linux-only fields are forbidden when `spec.os.name` is windows).
    #[serde(default)]
    pub linux_only: bool,
}

impl TemplateParams for ContainerSettingParams {}

/// Parameters of `host-path`. At least one of `paths` and `prefixes` is non-empty.
/// Paths are absolute and normalised at load (`//etc/./kubernetes/` → `/etc/kubernetes`),
/// as the kernel resolves them.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostPathParams {
    /// Host paths that must not be mounted exactly (`/var/run/docker.sock`); default none.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Host directories that must not be mounted, nor anything below them (`/etc`);
    /// default none.
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// Also flag mounting a directory that holds one of `paths` (`/var/run` holds
    /// `/var/run/docker.sock`); default false.
    #[serde(default)]
    pub match_parents: bool,
    /// What the path exposes, for the message (`the container runtime's control socket`).
    pub what: String,
}

impl TemplateParams for HostPathParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        if self.paths.is_empty() && self.prefixes.is_empty() {
            return Err(FieldError::new(
                &[],
                "expected `paths` or `prefixes` to list at least one host path",
            ));
        }
        for (field, list) in [("paths", &mut self.paths), ("prefixes", &mut self.prefixes)] {
            for (i, path) in list.iter_mut().enumerate() {
                if !path.starts_with('/') {
                    return Err(FieldError::new(
                        &[field],
                        format!("{path:?} is not an absolute path"),
                    )
                    .item(i));
                }
                *path = normalise_path(path);
            }
        }
        if self.what.trim().is_empty() {
            return Err(FieldError::new(&["what"], "must not be empty"));
        }
        Ok(())
    }
}

/// Parameters of `capability-dropped`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityDroppedParams {
    /// The capability every container must drop: upper case, without `CAP_` (`NET_RAW`),
    /// as in `securityContext.capabilities.drop`. Source: capabilities(7).
    pub capability: String,
}

impl TemplateParams for CapabilityDroppedParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        let c = &self.capability;
        if c.is_empty()
            || c == "ALL"
            || c.starts_with("CAP_")
            || !c
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(FieldError::new(
                &["capability"],
                format!("{c:?} is not a capability name (upper case, without CAP_, like NET_RAW)"),
            ));
        }
        Ok(())
    }
}

/// A compute resource a container limits (`resources.limits.<name>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    Cpu,
    Memory,
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Cpu => "cpu",
            Resource::Memory => "memory",
        }
    }
}

/// Parameters of `resource-limit`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceLimitParams {
    /// The resource every container must limit: `cpu` or `memory`.
    pub resource: Resource,
    /// From this version on, a non-zero pod-level `spec.resources.limits.<resource>`
    /// caps every container and satisfies the rule (`"1.34"`, when pod-level resources
    /// became on by default; absent: never). Source:
    /// <https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-level-resources/>
    pub pod_level_since: Option<KubeVersion>,
}

impl TemplateParams for ResourceLimitParams {}

/// Parameters of `env-literal-secret`: the credential classifier's rules (see
/// [`super::credential`] for the fields and the steps).
pub type EnvLiteralSecretParams = CredentialRules;

/// `field` (a boolean securityContext field) must equal `expected`.
fn container_setting(cx: &PodCx, p: &ContainerSettingParams, out: &mut Vec<Hit>) {
    let field = p.field.as_str();
    let expected = p.expected;
    // Linux-only settings are rejected by the API server on Windows pods.
    if p.linux_only && cx.pod.is_windows() {
        return;
    }
    let doc = cx.pod.doc;
    for c in &cx.pod.containers {
        let node = c.security_context.node.and_then(|sc| doc.get(sc, field));
        let fix = Op::set(
            c.node,
            &["securityContext", field],
            NewValue::Bool(expected),
        );
        // A fix the API server or the kubelet would refuse is withheld: a Linux-only
        // field on a Windows pod, runAsNonRoot: true beside runAsUser: 0, or
        // allowPrivilegeEscalation: false on a privileged container.
        let withheld = forbidden_by_os(cx.pod, Some(c), field).or_else(|| match p.field {
            SecurityContextFlag::RunAsNonRoot if expected => root_user_blocks_non_root(cx.pod, [c]),
            SecurityContextFlag::AllowPrivilegeEscalation if !expected => escalation_off_blocked(c),
            _ => None,
        });
        match node.map(|n| (n, doc.value(n))) {
            Some((_, Some(Value::Bool(v)))) if v == expected => {}
            Some((n, Some(Value::Bool(_)))) => out.push(
                Hit::node(n, format!("{} sets {field}: {}", c.label(), !expected))
                    .with(fix)
                    .withhold(withheld),
            ),
            // A wrong type is reported by invalid-field-type.
            Some((_, Some(v))) if v != Value::Null => {}
            _ => out.push(
                Hit::new(
                    Loc::at(doc, c.node, &["securityContext", field]),
                    format!("{} does not set {field}: {expected}", c.label()),
                )
                .with(fix)
                .withhold(withheld),
            ),
        }
    }
}

/// `//etc/./kubernetes/` → `/etc/kubernetes`: the kernel resolves paths that way.
fn normalise_path(p: &str) -> String {
    let parts: Vec<&str> = p
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

/// Whether `path` is `dir` or lies below it.
fn within(path: &str, dir: &str) -> bool {
    dir == "/"
        || path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn host_path(cx: &PodCx, p: &HostPathParams, out: &mut Vec<Hit>) {
    // `paths` and `prefixes` were normalised at load.
    let what = &p.what;
    // With `match_parents`, mounting a directory that holds a listed path counts too.
    let parents = p.match_parents;
    for v in &cx.pod.volumes {
        let Some(path) = v.host_path else { continue };
        let mounted = normalise_path(path.value);
        let hit = p
            .paths
            .iter()
            .any(|e| *e == mounted || (parents && within(e, &mounted)))
            || p.prefixes.iter().any(|pre| within(&mounted, pre));
        if hit {
            out.push(Hit::node(
                path.node,
                format!(
                    "{} mounts {} from the host: {what}",
                    v.label(),
                    quoted(path.value)
                ),
            ));
        }
    }
}

/// Capability names as containerd and CRI-O read them: case-insensitive, with `CAP_`
/// prepended — so `CAP_NET_RAW` names `CAP_CAP_NET_RAW` and drops nothing.
fn cap_name(s: &str) -> String {
    s.to_ascii_uppercase()
}

fn capability_dropped(cx: &PodCx, p: &CapabilityDroppedParams, out: &mut Vec<Hit>) {
    let cap = p.capability.as_str();
    if cx.pod.is_windows() {
        return;
    }
    let doc = cx.pod.doc;
    for c in &cx.pod.containers {
        let sc = &c.security_context;
        if let Some(p) = sc.privileged.filter(|p| p.value) {
            out.push(Hit::node(
                p.node,
                format!(
                    "{} is privileged, so it keeps {cap} whatever it drops",
                    c.label()
                ),
            ));
            continue;
        }
        if let Some(added) = sc
            .capabilities_add
            .iter()
            .find(|a| cap_name(a.value) == cap || cap_name(a.value) == "ALL")
        {
            out.push(
                Hit::node(
                    added.node,
                    format!("{} adds {} back", c.label(), added.value),
                )
                .with(Op::Remove { node: added.node }),
            );
            continue;
        }
        let dropped = sc.capabilities_drop.iter().any(|d| {
            let n = cap_name(d.value);
            n == "ALL" || n == cap
        });
        if !dropped {
            let path = ["securityContext", "capabilities", "drop"];
            out.push(
                Hit::new(
                    Loc::at(doc, c.node, &path),
                    format!("{} keeps {cap}: drop it (or ALL)", c.label()),
                )
                .with(Op::add_item(c.node, &path, cap)),
            );
        }
    }
}

/// `0`, `0m`, `0.0Gi`: a quantity whose number is zero sets no limit at all.
fn is_zero_quantity(q: &str) -> bool {
    let number = q.trim().trim_end_matches(|c: char| c.is_ascii_alphabetic());
    number.parse::<f64>().is_ok_and(|n| n == 0.0)
}

fn resource_limit(cx: &PodCx, p: &ResourceLimitParams, out: &mut Vec<Hit>) {
    let resource = p.resource.as_str();
    let doc = cx.pod.doc;
    // From v1.34 (pod-level resources on by default) a pod-level limit caps every container.
    let pod_limit = doc.get_path(cx.pod.spec, &["resources", "limits", resource]);
    if in_force(p.pod_level_since, cx.version)
        && pod_limit
            .and_then(|n| doc.text(n))
            .is_some_and(|q| !is_zero_quantity(q))
    {
        return;
    }
    for c in &cx.pod.containers {
        // Ephemeral containers cannot have resources.
        if c.kind == ContainerKind::Ephemeral {
            continue;
        }
        let set = match p.resource {
            Resource::Cpu => c.limit_cpu,
            Resource::Memory => c.limit_memory,
        };
        match set {
            Some(q) if is_zero_quantity(q.value) => out.push(Hit::node(
                q.node,
                format!(
                    "{} sets a zero {resource} limit, which means no limit",
                    c.label()
                ),
            )),
            Some(_) => {}
            None => out.push(Hit::new(
                Loc::at(doc, c.node, &["resources", "limits", resource]),
                format!("{} has no {resource} limit", c.label()),
            )),
        }
    }
}

/// Literal `env[].value`s that are credentials ([`credential::classify`]); the message says
/// why, never the value.
fn env_literal_secret(cx: &PodCx, p: &EnvLiteralSecretParams, out: &mut Vec<Hit>) {
    for c in &cx.pod.containers {
        for e in &c.env {
            let Some(value) = e.value else { continue };
            let name = e.name.map_or("", |n| n.value);
            let Verdict::Credential(why) = credential::classify(p, name, value.value) else {
                continue;
            };
            out.push(Hit::node(
                value.node,
                format!(
                    "{} passes {} as a literal value: {why}; use valueFrom.secretKeyRef",
                    c.label(),
                    e.name
                        .map_or("an environment variable".into(), |n| quoted(n.value))
                ),
            ));
        }
    }
}
