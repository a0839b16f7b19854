//! Container hardening beyond the Pod Security Standards.

use serde::Deserialize;

use super::credential::{self, CredentialRules, Verdict};
use super::{
    in_force, quoted, Check, FieldError, Hit, Loc, NewValue, Op, ParamSpec, PathSegment, PodCx,
    Template, TemplateParams,
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
        "hostPath volumes must not expose a catalogue path: be it, contain it, or lie below a `subtree` one (outside `harmless`); nor carry one of `names` or `types`",
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

/// One entry of the `host-path` catalogue: a host path and what it holds.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostPathEntry {
    /// An absolute host path (`/var/lib/kubelet`); `..` is refused at load, and the path
    /// normalised there (`//etc/./kubernetes/` → `/etc/kubernetes`).
    pub path: String,
    /// What the path holds, as a noun phrase for messages (`the kubelet's credentials`).
    pub holds: String,
    /// Whether everything below `path` exposes what it holds too (`/etc/shadow` below
    /// `/etc`); default false: only `path` itself and the directories holding it count.
    #[serde(default)]
    pub subtree: bool,
    /// Where the fact comes from: a documentation page or source file that puts it there.
    pub source: String,
    /// `path`, normalised and with `aliases` applied: what mounts are compared with.
    #[serde(skip)]
    key: String,
}

/// A path below a `subtree` entry that holds nothing of the kind (`/etc/localtime`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostPathHarmless {
    /// An absolute host path, normalised at load like [`HostPathEntry::path`].
    pub path: String,
    /// Why mounting it (or anything below it) exposes nothing the rule is about.
    pub reason: String,
    #[serde(skip)]
    key: String,
}

/// Two spellings of one host directory (`/var/run` is a symlink to `/run`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostPathAlias {
    /// The directory as some manifests spell it (`/var/run`).
    pub from: String,
    /// The directory it is on the node (`/run`).
    pub to: String,
    /// Where the equivalence is documented.
    pub source: String,
}

/// Parameters of `host-path`: a catalogue of host paths and what each holds.
///
/// A hostPath volume mounting `M` (normalised: repeated and trailing slashes and `.`
/// segments dropped, `..` resolved lexically — the API server refuses `..` segments,
/// `validatePathNoBacksteps` in `k8s.io/kubernetes/pkg/apis/core/validation/validation.go`,
/// so they only reach this rule from manifests it would reject — then `aliases` applied)
/// is reported when it exposes a catalogue entry `E`:
/// `M` is `E`; `M` contains `E` (a bind mount exposes everything below it); or `E` is a
/// `subtree` entry and `M` lies below it, outside every `harmless` path. Failing that,
/// when the file name of `M` is one of `names` or its `hostPath.type` one of `types`.
/// Symbolic links on the node other than `aliases` cannot be seen from a manifest.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostPathParams {
    /// The catalogue; at least one entry.
    pub paths: Vec<HostPathEntry>,
    /// Paths below `subtree` entries that expose nothing of the kind; default none.
    #[serde(default)]
    pub harmless: Vec<HostPathHarmless>,
    /// Directories with two spellings, compared as one; default none.
    #[serde(default)]
    pub aliases: Vec<HostPathAlias>,
    /// File names that identify the path in any directory (`docker.sock`); compared with
    /// the last segment of the path split at `/` or `\` (Windows named pipes); default none.
    #[serde(default)]
    pub names: Vec<String>,
    /// `hostPath.type` values that identify the path wherever it is (`Socket`); default
    /// none. Source: `k8s.io/api/core/v1/types.go`, `HostPathType`.
    #[serde(default)]
    pub types: Vec<String>,
    /// What a path matched by `names` or `types` is, for the message (`a container
    /// runtime's control socket`); required with either.
    #[serde(default)]
    pub what: Option<String>,
}

fn path_error(field: &str, i: usize, key: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        path: vec![
            PathSegment::Key(field.into()),
            PathSegment::Index(i),
            PathSegment::Key(key.into()),
        ],
        message: message.into(),
    }
}

/// An absolute catalogue path without `..`, normalised.
fn catalogue_path(field: &str, i: usize, key: &str, path: &str) -> Result<String, FieldError> {
    if !path.starts_with('/') {
        return Err(path_error(
            field,
            i,
            key,
            format!("{path:?} is not an absolute path"),
        ));
    }
    if path.split('/').any(|s| s == "..") {
        return Err(path_error(
            field,
            i,
            key,
            format!("{path:?} has a `..` segment; write the path it means"),
        ));
    }
    Ok(normalise_path(path))
}

impl TemplateParams for HostPathParams {
    fn validate(&mut self) -> Result<(), FieldError> {
        if self.paths.is_empty() {
            return Err(FieldError::new(
                &["paths"],
                "expected at least one host path",
            ));
        }
        for (i, a) in self.aliases.iter_mut().enumerate() {
            a.from = catalogue_path("aliases", i, "from", &a.from)?;
            a.to = catalogue_path("aliases", i, "to", &a.to)?;
            if a.from == "/" || a.to == "/" || a.from == a.to {
                return Err(path_error(
                    "aliases",
                    i,
                    "from",
                    "`from` and `to` must be two directories other than `/`",
                ));
            }
        }
        let aliases = self.aliases.clone();
        for (i, e) in self.paths.iter_mut().enumerate() {
            e.path = catalogue_path("paths", i, "path", &e.path)?;
            e.key = apply_aliases(&e.path, &aliases);
            if e.holds.trim().is_empty() {
                return Err(path_error("paths", i, "holds", "must not be empty"));
            }
            if e.source.trim().is_empty() {
                return Err(path_error("paths", i, "source", "must not be empty"));
            }
        }
        for (i, h) in self.harmless.iter_mut().enumerate() {
            h.path = catalogue_path("harmless", i, "path", &h.path)?;
            h.key = apply_aliases(&h.path, &aliases);
            if h.reason.trim().is_empty() {
                return Err(path_error("harmless", i, "reason", "must not be empty"));
            }
        }
        for (i, n) in self.names.iter().enumerate() {
            if n.is_empty() || n.contains(['/', '\\']) {
                return Err(
                    FieldError::new(&["names"], format!("{n:?} is not a file name")).item(i),
                );
            }
        }
        let needs_what = !self.names.is_empty() || !self.types.is_empty();
        match &self.what {
            Some(w) if w.trim().is_empty() => {
                return Err(FieldError::new(&["what"], "must not be empty"));
            }
            None if needs_what => {
                return Err(FieldError::new(
                    &["what"],
                    "is required with `names` or `types`: the message says what they identify",
                ));
            }
            _ => {}
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

/// `//etc/./kubernetes/` → `/etc/kubernetes`, `/var/lib/../run` → `/run`: the kernel
/// resolves paths that way (`..` at `/` stays at `/`; symbolic links are not seen).
fn normalise_path(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for s in p.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `path` with a leading alias directory replaced by what it names (`/var/run/x` →
/// `/run/x`).
fn apply_aliases(path: &str, aliases: &[HostPathAlias]) -> String {
    for a in aliases {
        if within(path, &a.from) {
            return normalise_path(&format!("{}/{}", a.to, &path[a.from.len()..]));
        }
    }
    path.to_string()
}

/// How a message writes entry `e` for a mount spelt `spelt` (normalised): in the
/// mount's spelling when it goes through an alias (`/var/run` mounted:
/// `/var/run/docker.sock`) or its target (`/run` mounted: `/run/docker.sock`), else as the
/// catalogue writes it.
fn spell_like(e: &HostPathEntry, spelt: &str, aliases: &[HostPathAlias]) -> String {
    for a in aliases {
        if within(&e.key, &a.to) {
            if within(spelt, &a.from) {
                return format!("{}{}", a.from, &e.key[a.to.len()..]);
            }
            if within(spelt, &a.to) {
                return e.key.clone();
            }
        }
    }
    e.path.clone()
}

/// Whether `path` is `dir` or lies below it (whole segments: `/etcd` is not below `/etc`).
fn within(path: &str, dir: &str) -> bool {
    dir == "/"
        || path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// What a mounted host path exposes, by the first way it matches.
enum Exposure<'p> {
    /// The mount is the entry.
    Is(&'p HostPathEntry),
    /// The mount lies below a `subtree` entry.
    Below(&'p HostPathEntry),
    /// The mount is a directory holding these entries (outermost first, catalogue order).
    Contains(Vec<&'p HostPathEntry>),
    /// The mount's file name is one of `names`.
    Named(&'p str),
    /// The volume's `hostPath.type` is one of `types`.
    Typed(&'p str),
}

/// How many contained entries a message names before "and N more".
const CONTAINS_NAMED: usize = 2;

fn exposure<'p>(p: &'p HostPathParams, raw: &str, kind: Option<&str>) -> Option<Exposure<'p>> {
    let mounted = apply_aliases(&normalise_path(raw), &p.aliases);
    if let Some(e) = p.paths.iter().find(|e| e.key == mounted) {
        return Some(Exposure::Is(e));
    }
    let contained: Vec<&HostPathEntry> = p
        .paths
        .iter()
        .filter(|e| within(&e.key, &mounted))
        .collect();
    if !contained.is_empty() {
        // Name the outermost entries: `/` contains `/etc`, which says `/etc/kubernetes` too.
        let outermost = contained
            .iter()
            .filter(|e| {
                !contained
                    .iter()
                    .any(|o| o.key != e.key && within(&e.key, &o.key))
            })
            .copied()
            .collect();
        return Some(Exposure::Contains(outermost));
    }
    let harmless = p.harmless.iter().any(|h| within(&mounted, &h.key));
    if !harmless {
        // The deepest entry says most about what the mount holds.
        if let Some(e) = p
            .paths
            .iter()
            .filter(|e| e.subtree && within(&mounted, &e.key))
            .max_by_key(|e| e.key.len())
        {
            return Some(Exposure::Below(e));
        }
    }
    let file = raw
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    if let Some(n) = p.names.iter().find(|n| n.as_str() == file) {
        return Some(Exposure::Named(n));
    }
    kind.and_then(|k| p.types.iter().find(|t| t.as_str() == k))
        .map(|t| Exposure::Typed(t))
}

fn host_path(cx: &PodCx, p: &HostPathParams, out: &mut Vec<Hit>) {
    let doc = cx.pod.doc;
    for v in &cx.pod.volumes {
        let Some(path) = v.host_path else { continue };
        let kind = doc
            .get_path(v.node, &["hostPath", "type"])
            .and_then(|n| doc.str(n));
        let Some(detail) = host_path_exposure(p, path.value, kind) else {
            continue;
        };
        out.push(Hit::node(
            path.node,
            format!("{} mounts {}{detail}", v.label(), quoted(path.value)),
        ));
    }
}

/// What mounting host path `raw` (of `hostPath.type` `kind`) exposes by catalogue `p`,
/// as the end of a sentence naming the path: `" from the host: <what it holds>"`, with
/// what a path with `..` resolves to; `None` when the catalogue names nothing in it.
pub(crate) fn host_path_exposure(
    p: &HostPathParams,
    raw: &str,
    kind: Option<&str>,
) -> Option<String> {
    // An empty path is refused by the API server (hostPath.path is required); it is not `/`.
    if raw.trim().is_empty() {
        return None;
    }
    let what = p.what.as_deref().unwrap_or("what the rule is about");
    let exposed = exposure(p, raw, kind)?;
    let spelt = normalise_path(raw);
    let show = |e: &HostPathEntry| spell_like(e, &spelt, &p.aliases);
    let detail = match exposed {
        Exposure::Is(e) => format!(": {}", e.holds),
        Exposure::Below(e) => format!(", which lies in {}: {}", show(e), e.holds),
        Exposure::Contains(list) => {
            let mut named: Vec<String> = list
                .iter()
                .take(CONTAINS_NAMED)
                .map(|e| format!("{} ({})", e.holds, show(e)))
                .collect();
            let more = list.len().saturating_sub(CONTAINS_NAMED);
            let last = if more == 1 {
                "1 more path of the catalogue".to_string()
            } else if more > 1 {
                format!("{more} more paths of the catalogue")
            } else {
                named.pop().unwrap_or_default()
            };
            if named.is_empty() {
                format!(", which contains {last}")
            } else {
                format!(", which contains {} and {last}", named.join(", "))
            }
        }
        Exposure::Named(n) => format!(": {n} is the name of {what}"),
        Exposure::Typed(t) => {
            format!(": hostPath.type {t}, which kubeharden cannot tell from {what}")
        }
    };
    // Say what a path with `..` resolves to: the reader should not have to.
    let resolved = if raw.split(['/', '\\']).any(|s| s == "..") {
        format!(" (that is {spelt})")
    } else {
        String::new()
    };
    Some(format!("{resolved} from the host{detail}"))
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
