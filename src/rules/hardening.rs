//! Container hardening beyond the Pod Security Standards.

use super::{quoted, Check, Hit, Loc, Params, PodCx, Template};
use crate::model::ContainerKind;
use crate::yaml::Value;

macro_rules! pod_template {
    ($name:literal, $summary:literal, $f:ident) => {
        Template {
            name: $name,
            summary: $summary,
            check: Check::Pod($f),
            validity: false,
        }
    };
}

pub static TEMPLATES: &[Template] = &[
    pod_template!(
        "container-setting",
        "every container must set securityContext.`field` to `expected`",
        container_setting
    ),
    pod_template!(
        "host-path",
        "hostPath volumes must not expose the paths in `paths` (exact) or below `prefixes`",
        host_path
    ),
    pod_template!(
        "capability-dropped",
        "every container must drop `capability` (or ALL) and not add it back",
        capability_dropped
    ),
    pod_template!(
        "resource-limit",
        "every container must set resources.limits.`resource`",
        resource_limit
    ),
    pod_template!(
        "env-literal-secret",
        "secrets must not be literal environment values",
        env_literal_secret
    ),
];

/// `field` (a boolean securityContext field) must equal `expected`.
fn container_setting(cx: &PodCx, out: &mut Vec<Hit>) {
    let Some(field) = cx.param("field").and_then(|f| f.as_str()) else {
        return;
    };
    let expected = cx
        .param("expected")
        .and_then(|e| e.as_bool())
        .unwrap_or(true);
    let doc = cx.pod.doc;
    for c in &cx.pod.containers {
        if c.kind == ContainerKind::Ephemeral {
            continue;
        }
        let node = c.security_context.node.and_then(|sc| doc.get(sc, field));
        match node.map(|n| (n, doc.value(n))) {
            Some((_, Some(Value::Bool(v)))) if v == expected => {}
            Some((n, Some(Value::Bool(_)))) => out.push(Hit::node(
                n,
                format!("{} sets {field}: {}", c.label(), !expected),
            )),
            Some((_, Some(v))) if v != Value::Null => {} // a wrong type is reported by invalid-field-type
            _ => {
                out.push(Hit::new(
                    Loc::at(doc, c.node, &["securityContext", field]),
                    format!("{} does not set {field}: {expected}", c.label()),
                ));
            }
        }
    }
}

fn normalise_path(p: &str) -> &str {
    let t = p.trim_end_matches('/');
    if t.is_empty() && p.starts_with('/') {
        "/"
    } else {
        t
    }
}

fn host_path(cx: &PodCx, out: &mut Vec<Hit>) {
    let exact = cx.strings("paths");
    let prefixes = cx.strings("prefixes");
    let what = cx
        .param("what")
        .and_then(|w| w.as_str())
        .unwrap_or("a sensitive host path");
    for v in &cx.pod.volumes {
        let Some(path) = v.host_path else { continue };
        let p = normalise_path(path.value);
        let hit = exact.iter().any(|e| normalise_path(e) == p)
            || prefixes.iter().any(|pre| {
                let pre = normalise_path(pre);
                p == pre
                    || p.strip_prefix(pre)
                        .is_some_and(|rest| rest.starts_with('/'))
            });
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

/// Capability names as the runtimes read them: case-insensitive, `CAP_` optional.
fn cap_name(s: &str) -> String {
    let upper = s.to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map(str::to_string)
        .unwrap_or(upper)
}

fn capability_dropped(cx: &PodCx, out: &mut Vec<Hit>) {
    let Some(cap) = cx.param("capability").and_then(|c| c.as_str()) else {
        return;
    };
    if cx.pod.is_windows() {
        return;
    }
    let doc = cx.pod.doc;
    for c in &cx.pod.containers {
        if c.kind == ContainerKind::Ephemeral {
            continue;
        }
        let sc = &c.security_context;
        if let Some(added) = sc
            .capabilities_add
            .iter()
            .find(|a| cap_name(a.value) == cap || cap_name(a.value) == "ALL")
        {
            out.push(Hit::node(
                added.node,
                format!("{} adds {} back", c.label(), added.value),
            ));
            continue;
        }
        let dropped = sc.capabilities_drop.iter().any(|d| {
            let n = cap_name(d.value);
            n == "ALL" || n == cap
        });
        if !dropped {
            out.push(Hit::new(
                Loc::at(doc, c.node, &["securityContext", "capabilities", "drop"]),
                format!("{} keeps {cap}: drop it (or ALL)", c.label()),
            ));
        }
    }
}

fn resource_limit(cx: &PodCx, out: &mut Vec<Hit>) {
    let resource = match cx.param("resource").and_then(|r| r.as_str()) {
        Some("cpu") => "cpu",
        Some("memory") => "memory",
        _ => return,
    };
    for c in &cx.pod.containers {
        // Ephemeral containers cannot have resources.
        if c.kind == ContainerKind::Ephemeral {
            continue;
        }
        let set = if resource == "cpu" {
            c.limit_cpu
        } else {
            c.limit_memory
        };
        if set.is_none() {
            out.push(Hit::new(
                Loc::at(cx.pod.doc, c.node, &["resources", "limits", resource]),
                format!("{} has no {resource} limit", c.label()),
            ));
        }
    }
}

fn env_literal_secret(cx: &PodCx, out: &mut Vec<Hit>) {
    let names = cx.strings("name_patterns");
    let prefixes = cx.strings("value_prefixes");
    for c in &cx.pod.containers {
        for e in &c.env {
            let Some(value) = e.value.filter(|v| !v.value.trim().is_empty()) else {
                continue;
            };
            let name = e
                .name
                .map_or(String::new(), |n| n.value.to_ascii_uppercase());
            let by_name = names
                .iter()
                .find(|p| name.contains(&p.to_ascii_uppercase()));
            let by_value = prefixes
                .iter()
                .find(|p| value.value.trim_start().starts_with(*p));
            // `$(OTHER_VAR)` references are not literal secrets.
            if value.value.starts_with("$(") && value.value.ends_with(')') {
                continue;
            }
            let why = match (by_name, by_value) {
                (_, Some(p)) => format!(
                    "its value looks like a credential (starts with {})",
                    quoted(p)
                ),
                (Some(p), None) => format!("its name contains {p}"),
                (None, None) => continue,
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
