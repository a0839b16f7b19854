//! The typed view of a pod spec that every pod rule reads.
//!
//! Built once per pod template, it reads each field the rules need with its node, so a
//! rule never re-parses and never guesses a location. Container-level and pod-level
//! security contexts are kept apart: each rule combines them the way Kubernetes does for
//! its field (the container's setting wins where it is set; some checks, such as
//! runAsNonRoot, also accept a pod-level setting for containers that leave it unset).

use super::read::{Field, Reader};
use crate::yaml::{Document, NodeId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Container,
    Init,
    Ephemeral,
}

impl ContainerKind {
    pub fn list_key(self) -> &'static str {
        match self {
            ContainerKind::Container => "containers",
            ContainerKind::Init => "initContainers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Container => "container",
            ContainerKind::Init => "init container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

/// Security settings shared by `PodSecurityContext` and `SecurityContext`. Fields that
/// exist at only one of the two levels stay `None` at the other.
#[derive(Clone, Debug, Default)]
pub struct SecurityContext<'d> {
    pub node: Option<NodeId>,
    pub privileged: Option<Field<bool>>,
    pub allow_privilege_escalation: Option<Field<bool>>,
    pub run_as_non_root: Option<Field<bool>>,
    pub run_as_user: Option<Field<i64>>,
    pub read_only_root_filesystem: Option<Field<bool>>,
    pub proc_mount: Option<Field<&'d str>>,
    pub capabilities: Option<NodeId>,
    pub capabilities_add: Vec<Field<&'d str>>,
    pub capabilities_drop: Vec<Field<&'d str>>,
    pub seccomp: Option<NodeId>,
    pub seccomp_type: Option<Field<&'d str>>,
    pub apparmor: Option<NodeId>,
    pub apparmor_type: Option<Field<&'d str>>,
    pub selinux: Option<NodeId>,
    pub selinux_type: Option<Field<&'d str>>,
    pub selinux_user: Option<Field<&'d str>>,
    pub selinux_role: Option<Field<&'d str>>,
    pub windows_host_process: Option<Field<bool>>,
}

/// A security context on the heap only when the manifest has one: a run keeps the model
/// of every pod, and most pods and containers of a large bundle set few of these fields or
/// none. Reads as a [`SecurityContext`], every field `None` when the manifest has no
/// `securityContext`.
#[derive(Clone, Debug, Default)]
pub struct SecurityContextBox<'d>(Option<Box<SecurityContext<'d>>>);

/// The settings of an absent `securityContext`.
static NO_SECURITY_CONTEXT: SecurityContext<'static> = SecurityContext {
    node: None,
    privileged: None,
    allow_privilege_escalation: None,
    run_as_non_root: None,
    run_as_user: None,
    read_only_root_filesystem: None,
    proc_mount: None,
    capabilities: None,
    capabilities_add: Vec::new(),
    capabilities_drop: Vec::new(),
    seccomp: None,
    seccomp_type: None,
    apparmor: None,
    apparmor_type: None,
    selinux: None,
    selinux_type: None,
    selinux_user: None,
    selinux_role: None,
    windows_host_process: None,
};

impl<'d> std::ops::Deref for SecurityContextBox<'d> {
    type Target = SecurityContext<'d>;

    fn deref(&self) -> &SecurityContext<'d> {
        self.0.as_deref().unwrap_or(&NO_SECURITY_CONTEXT)
    }
}

/// A network endpoint a probe or lifecycle handler calls (`httpGet` / `tcpSocket`).
#[derive(Clone, Debug)]
pub struct Endpoint<'d> {
    /// The `httpGet` or `tcpSocket` mapping.
    pub node: NodeId,
    /// `livenessProbe`, `readinessProbe`, `startupProbe`, `postStart` or `preStop`.
    pub owner: &'static str,
    pub host: Option<Field<&'d str>>,
}

#[derive(Clone, Debug)]
pub struct EnvVar<'d> {
    pub node: NodeId,
    pub name: Option<Field<&'d str>>,
    pub value: Option<Field<&'d str>>,
}

#[derive(Clone, Debug)]
pub struct Container<'d> {
    pub node: NodeId,
    pub kind: ContainerKind,
    pub name: Option<Field<&'d str>>,
    pub image: Option<Field<&'d str>>,
    pub security_context: SecurityContextBox<'d>,
    /// `hostPort` of each entry of `ports` that sets one.
    pub host_ports: Vec<Field<i64>>,
    pub endpoints: Vec<Endpoint<'d>>,
    pub resources: Option<NodeId>,
    pub limits: Option<NodeId>,
    pub limit_cpu: Option<Field<&'d str>>,
    pub limit_memory: Option<Field<&'d str>>,
    pub env: Vec<EnvVar<'d>>,
}

impl Container<'_> {
    /// How messages name the container: `container "web"`.
    pub fn label(&self) -> String {
        match self.name {
            Some(name) => format!("{} \"{}\"", self.kind.noun(), name.value),
            None => format!("unnamed {}", self.kind.noun()),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Volume<'d> {
    pub node: NodeId,
    pub name: Option<Field<&'d str>>,
    /// Every key of the volume other than `name`: its source type(s), with nodes.
    pub sources: Vec<Field<&'d str>>,
    pub host_path: Option<Field<&'d str>>,
}

impl Volume<'_> {
    pub fn label(&self) -> String {
        match self.name {
            Some(name) => format!("volume \"{}\"", name.value),
            None => "unnamed volume".into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Sysctl<'d> {
    pub node: NodeId,
    pub name: Option<Field<&'d str>>,
}

/// One pod spec with the metadata that governs it (the pod's own, or its template's).
#[derive(Clone, Debug)]
pub struct Pod<'d> {
    pub doc: &'d Document<'d>,
    pub spec: NodeId,
    pub metadata: Option<NodeId>,
    pub annotations: Vec<(Field<&'d str>, Field<&'d str>)>,
    pub host_network: Option<Field<bool>>,
    pub host_pid: Option<Field<bool>>,
    pub host_ipc: Option<Field<bool>>,
    pub host_users: Option<Field<bool>>,
    pub os_name: Option<Field<&'d str>>,
    pub security_context: SecurityContextBox<'d>,
    pub sysctls: Vec<Sysctl<'d>>,
    pub volumes: Vec<Volume<'d>>,
    pub containers: Vec<Container<'d>>,
}

impl<'d> Pod<'d> {
    pub fn read(reader: &mut Reader<'d>, spec: NodeId, metadata: Option<NodeId>) -> Pod<'d> {
        let s = Some(spec);
        let annotations = reader.string_map(metadata, "annotations");
        let psc = reader.map(s, "securityContext");
        let security_context = read_security_context(reader, psc);
        let sysctls = reader
            .maps(psc, "sysctls")
            .into_iter()
            .map(|node| Sysctl {
                node,
                name: reader.string(Some(node), "name"),
            })
            .collect();
        let volumes = reader
            .maps(s, "volumes")
            .into_iter()
            .map(|node| read_volume(reader, node))
            .collect();
        let mut containers = Vec::new();
        for kind in [
            ContainerKind::Container,
            ContainerKind::Init,
            ContainerKind::Ephemeral,
        ] {
            for node in reader.maps(s, kind.list_key()) {
                containers.push(read_container(reader, node, kind));
            }
        }
        let os = reader.map(s, "os");
        // Every pod of a run is kept for the whole run: no spare capacity (a Vec of
        // one container would otherwise hold four).
        containers.shrink_to_fit();
        Pod {
            doc: reader.doc,
            spec,
            metadata,
            annotations,
            host_network: reader.bool(s, "hostNetwork"),
            host_pid: reader.bool(s, "hostPID"),
            host_ipc: reader.bool(s, "hostIPC"),
            host_users: reader.bool(s, "hostUsers"),
            os_name: reader.string(os, "name"),
            security_context,
            sysctls,
            volumes,
            containers,
        }
    }

    /// `spec.os.name: windows`.
    pub fn is_windows(&self) -> bool {
        self.os_name.is_some_and(|os| os.value == "windows")
    }

    /// The value of a pod (template) annotation.
    pub fn annotation(&self, key: &str) -> Option<Field<&'d str>> {
        self.annotations
            .iter()
            .rev()
            .find(|(k, _)| k.value == key)
            .map(|&(_, v)| v)
    }
}

fn read_security_context<'d>(r: &mut Reader<'d>, sc: Option<NodeId>) -> SecurityContextBox<'d> {
    if sc.is_none() {
        return SecurityContextBox(None);
    }
    let capabilities = r.map(sc, "capabilities");
    let seccomp = r.map(sc, "seccompProfile");
    let apparmor = r.map(sc, "appArmorProfile");
    let selinux = r.map(sc, "seLinuxOptions");
    let windows = r.map(sc, "windowsOptions");
    let read = SecurityContext {
        node: sc,
        privileged: r.bool(sc, "privileged"),
        allow_privilege_escalation: r.bool(sc, "allowPrivilegeEscalation"),
        run_as_non_root: r.bool(sc, "runAsNonRoot"),
        run_as_user: r.int(sc, "runAsUser"),
        read_only_root_filesystem: r.bool(sc, "readOnlyRootFilesystem"),
        proc_mount: r.string(sc, "procMount"),
        capabilities,
        capabilities_add: r.strings(capabilities, "add"),
        capabilities_drop: r.strings(capabilities, "drop"),
        seccomp,
        seccomp_type: r.string(seccomp, "type"),
        apparmor,
        apparmor_type: r.string(apparmor, "type"),
        selinux,
        selinux_type: r.string(selinux, "type"),
        selinux_user: r.string(selinux, "user"),
        selinux_role: r.string(selinux, "role"),
        windows_host_process: r.bool(windows, "hostProcess"),
    };
    SecurityContextBox(Some(Box::new(read)))
}

fn read_container<'d>(r: &mut Reader<'d>, node: NodeId, kind: ContainerKind) -> Container<'d> {
    let c = Some(node);
    let sc = r.map(c, "securityContext");
    let host_ports = r
        .maps(c, "ports")
        .into_iter()
        .filter_map(|port| r.int(Some(port), "hostPort"))
        .collect();
    let mut endpoints = Vec::new();
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let handler = r.map(c, probe);
        read_endpoints(r, handler, probe, &mut endpoints);
    }
    let lifecycle = r.map(c, "lifecycle");
    for hook in ["postStart", "preStop"] {
        let handler = r.map(lifecycle, hook);
        read_endpoints(r, handler, hook, &mut endpoints);
    }
    let resources = r.map(c, "resources");
    let limits = r.map(resources, "limits");
    let env = r
        .maps(c, "env")
        .into_iter()
        .map(|e| EnvVar {
            node: e,
            name: r.string(Some(e), "name"),
            value: r.string(Some(e), "value"),
        })
        .collect();
    Container {
        node,
        kind,
        name: r.string(c, "name"),
        image: r.string(c, "image"),
        security_context: read_security_context(r, sc),
        host_ports,
        endpoints,
        resources,
        limits,
        limit_cpu: r.quantity(limits, "cpu"),
        limit_memory: r.quantity(limits, "memory"),
        env,
    }
}

fn read_endpoints<'d>(
    r: &mut Reader<'d>,
    handler: Option<NodeId>,
    owner: &'static str,
    out: &mut Vec<Endpoint<'d>>,
) {
    for action in ["httpGet", "tcpSocket"] {
        if let Some(node) = r.map(handler, action) {
            out.push(Endpoint {
                node,
                owner,
                host: r.string(Some(node), "host"),
            });
        }
    }
}

fn read_volume<'d>(r: &mut Reader<'d>, node: NodeId) -> Volume<'d> {
    let doc = r.doc;
    let sources = doc
        .entries(node)
        .iter()
        .filter_map(|&(k, v)| {
            let key = doc.text(k)?;
            (key != "name" && !doc.is_null(v)).then_some(Field {
                value: key,
                node: v,
            })
        })
        .collect();
    let host_path = r.map(Some(node), "hostPath");
    Volume {
        node,
        name: r.string(Some(node), "name"),
        sources,
        host_path: r.string(host_path, "path"),
    }
}
