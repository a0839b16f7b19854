//! Container hardening beyond the Pod Security Standards.

use super::{quoted, Check, Hit, Loc, NewValue, Op, Params, PodCx, Template};
use crate::model::ContainerKind;
use crate::yaml::Value;

pub static TEMPLATES: &[Template] = &[
    pod_template!(
        "container-setting",
        "every container must set securityContext.`field` to `expected` (`linux_only`: not on Windows pods)",
        container_setting
    ),
    pod_template!(
        "host-path",
        "hostPath volumes must not expose `paths` (with `match_parents`: nor a directory holding one) or anything below `prefixes`",
        host_path
    ),
    pod_template!(
        "capability-dropped",
        "every container must drop `capability` (or ALL), not add it back, and not be privileged",
        capability_dropped
    ),
    pod_template!(
        "resource-limit",
        "every container must set a non-zero resources.limits.`resource` (or the pod, from `pod_level_since`)",
        resource_limit
    ),
    pod_template!(
        "env-literal-secret",
        "secrets must not be literal environment values (`name_patterns`, `value_prefixes`)",
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
    // Linux-only settings are rejected by the API server on Windows pods.
    if cx.param("linux_only").and_then(|l| l.as_bool()) == Some(true) && cx.pod.is_windows() {
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
        match node.map(|n| (n, doc.value(n))) {
            Some((_, Some(Value::Bool(v)))) if v == expected => {}
            Some((n, Some(Value::Bool(_)))) => out
                .push(Hit::node(n, format!("{} sets {field}: {}", c.label(), !expected)).with(fix)),
            // A wrong type is reported by invalid-field-type.
            Some((_, Some(v))) if v != Value::Null => {}
            _ => out.push(
                Hit::new(
                    Loc::at(doc, c.node, &["securityContext", field]),
                    format!("{} does not set {field}: {expected}", c.label()),
                )
                .with(fix),
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

fn host_path(cx: &PodCx, out: &mut Vec<Hit>) {
    let exact = cx.strings("paths");
    let prefixes = cx.strings("prefixes");
    let what = cx
        .param("what")
        .and_then(|w| w.as_str())
        .unwrap_or("a sensitive host path");
    // With `match_parents`, mounting a directory that holds a listed path counts too.
    let parents = cx.param("match_parents").and_then(|m| m.as_bool()) == Some(true);
    for v in &cx.pod.volumes {
        let Some(path) = v.host_path else { continue };
        let p = normalise_path(path.value);
        let hit = exact.iter().any(|e| {
            let e = normalise_path(e);
            e == p || (parents && within(&e, &p))
        }) || prefixes.iter().any(|pre| within(&p, &normalise_path(pre)));
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

fn capability_dropped(cx: &PodCx, out: &mut Vec<Hit>) {
    let Some(cap) = cx.param("capability").and_then(|c| c.as_str()) else {
        return;
    };
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

fn resource_limit(cx: &PodCx, out: &mut Vec<Hit>) {
    let resource = match cx.param("resource").and_then(|r| r.as_str()) {
        Some("cpu") => "cpu",
        Some("memory") => "memory",
        _ => return,
    };
    let doc = cx.pod.doc;
    // From v1.34 (pod-level resources on by default) a pod-level limit caps every container.
    let pod_limit = doc.get_path(cx.pod.spec, &["resources", "limits", resource]);
    if cx.since("pod_level_since")
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
        let set = if resource == "cpu" {
            c.limit_cpu
        } else {
            c.limit_memory
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

fn env_literal_secret(cx: &PodCx, out: &mut Vec<Hit>) {
    let names = cx.strings("name_patterns");
    let prefixes = cx.strings("value_prefixes");
    for c in &cx.pod.containers {
        for e in &c.env {
            let Some(value) = e.value.filter(|v| !v.value.trim().is_empty()) else {
                continue;
            };
            // `$(OTHER_VAR)` references are not literal secrets.
            if value.value.starts_with("$(") && value.value.ends_with(')') {
                continue;
            }
            let name = e
                .name
                .map_or(String::new(), |n| n.value.to_ascii_uppercase());
            // `DB_PASSWORD_FILE=/run/secrets/db` says where a secret is, not what it is.
            let names_a_location = ["_FILE", "_PATH", "_DIR"].iter().any(|s| name.ends_with(s));
            let by_name = names
                .iter()
                .find(|p| !names_a_location && name.contains(&p.to_ascii_uppercase()));
            let by_value = prefixes
                .iter()
                .find(|p| value.value.trim_start().starts_with(*p));
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
