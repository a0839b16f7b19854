//! PodSecurityPolicy migration (rule `pod-security-policy-migration`): the strictest Pod
//! Security Admission level a PodSecurityPolicy's pods would meet, computed by running the
//! engine's own Pod Security Standards checks on the most permissive pod the policy admits.
//!
//! Sources: the PodSecurityPolicy fields (k8s.io/api policy/v1beta1 types.go, as enforced
//! by the removed PodSecurityPolicy admission plugin) and the migration guide
//! <https://kubernetes.io/docs/tasks/configure-pod-container/migrate-from-psp/>, which
//! maps each PSP field to the Pod Security Standards control it corresponds to.

use serde_json::{json, Map, Value as J};

use super::{Check, DocCx, Hit, Loc, NoParams, ParamSpec, Template};
use crate::diagnostic::Level;
use crate::engine::{Engine, Options, Profile};
use crate::model::Object;
use crate::version::KubeVersion;
use crate::yaml::{Document, NodeId};

pub static TEMPLATES: &[Template] = &[Template {
    name: "psp-migration",
    summary: "a PodSecurityPolicy gets the Pod Security Admission level its pods would meet, from the engine's Pod Security Standards checks",
    check: Check::Document(run),
    params: ParamSpec::of::<NoParams>("NoParams"),
    validity: false,
}];

fn run(cx: &DocCx<'_, '_>, out: &mut Vec<Hit>) {
    for object in &cx.model.objects {
        let psp = matches!(
            object.api_version,
            Some("policy/v1beta1" | "extensions/v1beta1")
        ) && object.kind == "PodSecurityPolicy";
        if psp {
            out.push(migrate(cx, object));
        }
    }
}

/// A PSP setting that let a pod fail a check: its label and node (when written).
struct Setting {
    label: String,
    node: Option<NodeId>,
}

/// The most permissive pod a PodSecurityPolicy admits, and for each Pod Security
/// Standards rule the PSP settings that decide it.
struct Synthetic {
    pod: J,
    /// (rule id, the settings that make the pod fail it).
    causes: Vec<(&'static str, Setting)>,
}

fn text_list(v: &J) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Build the pod. Each PSP field is read as the PSP admission plugin applied it: a field
/// that allows something lets the pod ask for it; an unset field allows what its
/// default allows (`allowPrivilegeEscalation` unset allows escalation; no AppArmor
/// annotation leaves the profile unconstrained, so a pod may be unconfined; no seccomp
/// annotation forbids setting a profile, so a pod runs with none).
fn synthetic(doc: &Document, object: &Object) -> Synthetic {
    let spec_node = doc.get(object.root, "spec");
    let spec = spec_node.map(|s| doc.to_json(s)).unwrap_or(J::Null);
    let node = |key: &str| spec_node.and_then(|s| doc.get(s, key));
    let annotation = |key: &str| {
        object
            .annotations
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(_, v)| (v.value, v.node))
    };
    let mut causes: Vec<(&'static str, Setting)> = Vec::new();
    let mut cause = |rule: &'static str, label: String, node: Option<NodeId>| {
        causes.push((rule, Setting { label, node }));
    };
    let mut pod_sc = Map::new();
    let mut sc = Map::new();
    let mut pod = Map::new();
    let mut annotations = Map::new();

    if spec["privileged"] == json!(true) {
        sc.insert("privileged".into(), json!(true));
        cause(
            "privileged-container",
            "privileged: true".into(),
            node("privileged"),
        );
    }
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        if spec[key] == json!(true) {
            pod.insert(key.into(), json!(true));
            cause("host-namespaces", format!("{key}: true"), node(key));
        }
    }
    let mut ports = Vec::new();
    if let Some(range) = spec["hostPorts"]
        .as_array()
        .and_then(|r| r.iter().find(|p| p["max"].as_i64().is_some_and(|m| m > 0)))
    {
        let port = range["min"].as_i64().unwrap_or(0).max(1);
        ports.push(json!({"containerPort": 8080, "hostPort": port}));
        cause(
            "host-ports",
            "hostPorts allows host ports".into(),
            node("hostPorts"),
        );
    }
    // Capabilities: the pod may add any allowed (or default-added) capability and must
    // drop the required ones.
    let mut add = text_list(&spec["allowedCapabilities"]);
    add.extend(text_list(&spec["defaultAddCapabilities"]));
    if add.iter().any(|c| c == "*") {
        add = vec!["SYS_ADMIN".into()];
    }
    add.sort();
    add.dedup();
    let drop = text_list(&spec["requiredDropCapabilities"]);
    let mut caps = Map::new();
    if !add.is_empty() {
        caps.insert("add".into(), json!(add));
        let at = node("allowedCapabilities").or(node("defaultAddCapabilities"));
        let label = format!(
            "allowedCapabilities/defaultAddCapabilities allow {}",
            add.join(", ")
        );
        cause("capabilities-baseline", label.clone(), at);
        cause("capabilities-restricted", label, at);
    }
    if !drop.is_empty() {
        caps.insert("drop".into(), json!(drop));
    }
    if !drop.iter().any(|c| c.eq_ignore_ascii_case("ALL")) {
        cause(
            "capabilities-restricted",
            "requiredDropCapabilities does not require ALL".into(),
            node("requiredDropCapabilities"),
        );
    }
    if !caps.is_empty() {
        sc.insert("capabilities".into(), J::Object(caps));
    }
    // Volumes: one of each allowed type (`*`: any, so a hostPath).
    let mut volumes = Vec::new();
    let allowed = text_list(&spec["volumes"]);
    for (i, t) in allowed.iter().enumerate() {
        let t = if t == "*" { "hostPath" } else { t.as_str() };
        let source = match t {
            "hostPath" => json!({"path": "/"}),
            "persistentVolumeClaim" => json!({"claimName": "c"}),
            "configMap" | "secret" | "emptyDir" | "downwardAPI" | "projected" | "csi"
            | "ephemeral" => json!({}),
            _ => json!({}),
        };
        let mut v = Map::new();
        v.insert("name".into(), json!(format!("v{i}")));
        v.insert(t.into(), source);
        volumes.push(J::Object(v));
    }
    if !allowed.is_empty() {
        cause(
            "host-path-volumes",
            "volumes allows hostPath".into(),
            node("volumes"),
        );
        cause(
            "restricted-volume-types",
            format!("volumes allows {}", allowed.join(", ")),
            node("volumes"),
        );
    }
    // Privilege escalation: allowed unless `allowPrivilegeEscalation: false`, in which case
    // the admission plugin set it to false on every container.
    if spec["allowPrivilegeEscalation"] == json!(false) {
        sc.insert("allowPrivilegeEscalation".into(), json!(false));
    } else {
        sc.insert("allowPrivilegeEscalation".into(), json!(true));
        let label = match node("allowPrivilegeEscalation") {
            Some(_) => "allowPrivilegeEscalation: true",
            None => "allowPrivilegeEscalation unset (allows escalation)",
        };
        cause(
            "allow-privilege-escalation",
            label.into(),
            node("allowPrivilegeEscalation"),
        );
    }
    // Users: MustRunAsNonRoot gives runAsNonRoot; MustRunAs with non-zero ranges gives a
    // non-root UID but no runAsNonRoot; RunAsAny allows UID 0.
    let run_as = &spec["runAsUser"];
    let run_as_node = node("runAsUser");
    match run_as["rule"].as_str() {
        Some("MustRunAsNonRoot") => {
            pod_sc.insert("runAsNonRoot".into(), json!(true));
        }
        Some("MustRunAs") => {
            let min = run_as["ranges"]
                .as_array()
                .and_then(|r| r.iter().filter_map(|x| x["min"].as_i64()).min())
                .unwrap_or(0);
            pod_sc.insert("runAsUser".into(), json!(min));
            if min == 0 {
                cause(
                    "run-as-user-root",
                    "runAsUser ranges include UID 0".into(),
                    run_as_node,
                );
            }
            cause(
                "run-as-non-root",
                "runAsUser rule MustRunAs (pods are not required to set runAsNonRoot: true)".into(),
                run_as_node,
            );
        }
        _ => {
            pod_sc.insert("runAsUser".into(), json!(0));
            let label = format!(
                "runAsUser rule {}",
                run_as["rule"].as_str().unwrap_or("unset")
            );
            cause("run-as-user-root", label.clone(), run_as_node);
            cause("run-as-non-root", label, run_as_node);
        }
    }
    // SELinux: RunAsAny lets the pod choose any type (spc_t runs unconfined).
    let se = &spec["seLinux"];
    match se["rule"].as_str() {
        Some("MustRunAs") => {
            if let Some(opts) = se["seLinuxOptions"].as_object() {
                pod_sc.insert("seLinuxOptions".into(), J::Object(opts.clone()));
            }
        }
        _ => {
            pod_sc.insert("seLinuxOptions".into(), json!({"type": "spc_t"}));
        }
    }
    cause(
        "selinux-override",
        "seLinux rule RunAsAny lets pods choose any SELinux type".into(),
        node("seLinux"),
    );
    // Seccomp (pkg/security/podsecuritypolicy/seccomp/strategy.go): without the
    // annotation a pod may not set a profile at all ("seccomp may not be set"), so it runs
    // with none; `*` or `unconfined` among the allowed profiles lets it be unconfined.
    let seccomp = annotation("seccomp.security.alpha.kubernetes.io/allowedProfileNames");
    let profiles: Vec<&str> = seccomp
        .map(|(v, _)| v.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let seccomp_profile = if seccomp.is_none() {
        None
    } else if profiles.iter().any(|p| *p == "*" || *p == "unconfined") {
        Some(json!({"type": "Unconfined"}))
    } else if let Some(local) = profiles.iter().find_map(|p| p.strip_prefix("localhost/")) {
        Some(json!({"type": "Localhost", "localhostProfile": local}))
    } else {
        Some(json!({"type": "RuntimeDefault"}))
    };
    if let Some(profile) = seccomp_profile {
        pod_sc.insert("seccompProfile".into(), profile);
    }
    let seccomp_label = match seccomp {
        None => "no seccomp.security.alpha.kubernetes.io/allowedProfileNames annotation (pods may not set a seccomp profile, so they run without one)".to_string(),
        Some((v, _)) => format!("seccomp allowedProfileNames {v:?}"),
    };
    let seccomp_node = seccomp.map(|(_, n)| n);
    cause("seccomp-unconfined", seccomp_label.clone(), seccomp_node);
    cause("seccomp-required", seccomp_label, seccomp_node);
    // AppArmor (pkg/security/podsecuritypolicy/apparmor/strategy.go): without the
    // annotation any profile is allowed, unconfined too; with it, only the names listed
    // (`*` is a name there, not a wildcard).
    let apparmor = annotation("apparmor.security.beta.kubernetes.io/allowedProfileNames");
    let unconfined = apparmor.is_none_or(|(v, _)| v.split(',').any(|p| p.trim() == "unconfined"));
    if unconfined {
        annotations.insert(
            "container.apparmor.security.beta.kubernetes.io/c".into(),
            json!("unconfined"),
        );
    }
    let apparmor_label = match apparmor {
        None => "no apparmor.security.beta.kubernetes.io/allowedProfileNames annotation (any profile, unconfined too)".to_string(),
        Some((v, _)) => format!("apparmor allowedProfileNames {v:?}"),
    };
    cause(
        "apparmor-override",
        apparmor_label,
        apparmor.map(|(_, n)| n),
    );
    // /proc mounts and sysctls.
    if text_list(&spec["allowedProcMountTypes"])
        .iter()
        .any(|t| t == "Unmasked")
    {
        sc.insert("procMount".into(), json!("Unmasked"));
        let label = "allowedProcMountTypes allows Unmasked".to_string();
        cause(
            "proc-mount-unmasked",
            label.clone(),
            node("allowedProcMountTypes"),
        );
        cause(
            "proc-mount-restricted",
            label,
            node("allowedProcMountTypes"),
        );
    }
    let sysctls = text_list(&spec["allowedUnsafeSysctls"]);
    if !sysctls.is_empty() {
        let name = if sysctls[0].contains('*') {
            "kernel.msgmax".to_string()
        } else {
            sysctls[0].clone()
        };
        pod_sc.insert("sysctls".into(), json!([{"name": name, "value": "1"}]));
        cause(
            "unsafe-sysctls",
            format!("allowedUnsafeSysctls allows {}", sysctls.join(", ")),
            node("allowedUnsafeSysctls"),
        );
    }

    let mut container = Map::new();
    container.insert("name".into(), json!("c"));
    container.insert("image".into(), json!("registry.example.com/app:1.0"));
    if !ports.is_empty() {
        container.insert("ports".into(), json!(ports));
    }
    container.insert("securityContext".into(), J::Object(sc));
    pod.insert("securityContext".into(), J::Object(pod_sc));
    pod.insert("containers".into(), json!([J::Object(container)]));
    if !volumes.is_empty() {
        pod.insert("volumes".into(), json!(volumes));
    }
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "from-podsecuritypolicy", "annotations": J::Object(annotations)},
        "spec": J::Object(pod),
    });
    Synthetic { pod, causes }
}

fn migrate(cx: &DocCx, object: &Object) -> Hit {
    let doc = cx.model.doc;
    let (meets, failed) = evaluate_levels(doc, object, cx.version);
    let name = object.name.unwrap_or("(unnamed)");
    let at = object
        .metadata
        .and_then(|m| doc.get(m, "name"))
        .unwrap_or(object.root);
    let level_name = meets.map_or("privileged", |l| l.as_str());
    let mut message = format!(
        "PodSecurityPolicy {name} admits pods that meet the Pod Security Standards level {level_name}"
    );
    let next = match meets {
        None => Some(Level::Baseline),
        Some(Level::Baseline) => Some(Level::Restricted),
        Some(Level::Restricted) => None,
    };
    let mut related = Vec::new();
    if next.is_none() {
        message.push_str(", the strictest level");
    }
    if let Some(next) = next {
        let blockers: Vec<&Setting> = failed
            .iter()
            .filter(|(l, _)| *l == next)
            .flat_map(|(_, s)| s.iter())
            .collect();
        let mut labels: Vec<&str> = Vec::new();
        for s in &blockers {
            if !labels.contains(&s.label.as_str()) {
                labels.push(&s.label);
            }
        }
        message.push_str(&format!(" (not {}: {})", next.as_str(), labels.join("; ")));
        let mut seen = Vec::new();
        for s in blockers {
            if let Some(n) = s.node.filter(|n| !seen.contains(n)) {
                seen.push(n);
                related.push((
                    Loc::Node(n),
                    format!("keeps its pods from {}", next.as_str()),
                ));
            }
        }
    }
    message.push_str(&format!(
        ". The PodSecurityPolicy admission controller is removed in v1.25: label the namespaces this policy served `pod-security.kubernetes.io/enforce: {level_name}` and `pod-security.kubernetes.io/enforce-version: {}` (Pod Security Admission, served since v1.23 and GA in v1.25), after checking their pods with `kubectl label --dry-run=server`",
        cx.version
    ));
    let mut hit = Hit::node(at, message);
    hit.related = related;
    hit
}

/// The strictest level met (`None`: privileged) and the settings failing each level.
fn evaluate_levels(
    doc: &Document,
    object: &Object,
    version: KubeVersion,
) -> (Option<Level>, Vec<(Level, Vec<Setting>)>) {
    let Synthetic { pod, mut causes } = synthetic(doc, object);
    let engine = Engine::new(Options {
        profile: Profile::Restricted,
        version,
        ..Options::default()
    });
    let report = engine.check_text(&pod.to_string());
    let mut failed: Vec<(Level, Vec<Setting>)> = Vec::new();
    for f in &report.findings {
        let Some(pss) = f.pss() else { continue };
        let mut settings: Vec<Setting> = causes
            .iter_mut()
            .filter(|(rule, s)| *rule == f.rule && !s.label.is_empty())
            .map(|(_, s)| Setting {
                label: std::mem::take(&mut s.label),
                node: s.node,
            })
            .collect();
        if settings.is_empty() && !causes.iter().any(|(rule, _)| *rule == f.rule) {
            // A check no PSP setting governs: name it.
            settings.push(Setting {
                label: format!("Pod Security Standards check {} ({})", pss.check, f.message),
                node: None,
            });
        }
        match failed.iter_mut().find(|(l, _)| *l == pss.level) {
            Some((_, list)) => list.extend(settings),
            None => failed.push((pss.level, settings)),
        }
    }
    let meets = if failed.iter().any(|(l, _)| *l == Level::Baseline) {
        None
    } else if failed.iter().any(|(l, _)| *l == Level::Restricted) {
        Some(Level::Baseline)
    } else {
        Some(Level::Restricted)
    };
    (meets, failed)
}
