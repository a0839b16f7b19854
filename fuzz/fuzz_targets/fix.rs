//! Check, fix (unsafe fixes included) and check again a generated manifest: an
//! `arbitrary`-derived description of a workload (kind, pod and container security
//! settings, ports, volumes, layout) rendered as YAML, so that the input reaches deep pod
//! specs instead of stopping at parse errors. Invariants (issue 16): the fixed text
//! parses with no new error, no rule reports an object it did not report before, every
//! applied fix's finding is gone, and fixing again changes nothing.
#![no_main]

use std::collections::BTreeSet;
use std::fmt::Write as _;

use arbitrary::Arbitrary;
use kubeharden::fix::{fix, FixOptions};
use kubeharden::{Engine, Report};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Kind {
    Pod,
    Deployment,
    DaemonSet,
    StatefulSet,
    Job,
    CronJob,
}

#[derive(Arbitrary, Debug)]
enum Cap {
    All,
    NetRaw,
    SysAdmin,
    NetBindService,
    Chown,
}

impl Cap {
    fn name(&self) -> &'static str {
        match self {
            Cap::All => "ALL",
            Cap::NetRaw => "NET_RAW",
            Cap::SysAdmin => "SYS_ADMIN",
            Cap::NetBindService => "NET_BIND_SERVICE",
            Cap::Chown => "CHOWN",
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Seccomp {
    RuntimeDefault,
    Unconfined,
    Localhost,
}

#[derive(Arbitrary, Debug)]
struct Security {
    privileged: Option<bool>,
    allow_privilege_escalation: Option<bool>,
    run_as_non_root: Option<bool>,
    run_as_user: Option<bool>,
    read_only_root_filesystem: Option<bool>,
    add: Vec<Cap>,
    drop: Vec<Cap>,
    seccomp: Option<Seccomp>,
    /// Write it as a flow mapping (`securityContext: {a: b}`).
    flow: bool,
}

#[derive(Arbitrary, Debug)]
struct Container {
    tag: u8,
    security: Option<Security>,
    ports: Vec<(u16, Option<u16>)>,
    limits: bool,
    secret_env: bool,
    comment: bool,
}

#[derive(Arbitrary, Debug)]
enum Volume {
    HostPath(bool),
    EmptyDir,
    Secret,
}

#[derive(Arbitrary, Debug)]
struct Manifest {
    kind: Kind,
    host_network: Option<bool>,
    host_pid: Option<bool>,
    automount: Option<bool>,
    pod_security: Option<Security>,
    containers: Vec<Container>,
    init: Option<Container>,
    volumes: Vec<Volume>,
    crlf: bool,
    second_document: bool,
}

fn security(out: &mut String, indent: &str, key: &str, s: &Security, container: bool) {
    let mut fields: Vec<String> = Vec::new();
    if container {
        if let Some(v) = s.privileged {
            fields.push(format!("privileged: {v}"));
        }
        if let Some(v) = s.allow_privilege_escalation {
            fields.push(format!("allowPrivilegeEscalation: {v}"));
        }
        if let Some(v) = s.read_only_root_filesystem {
            fields.push(format!("readOnlyRootFilesystem: {v}"));
        }
        if !s.add.is_empty() || !s.drop.is_empty() {
            let list = |caps: &[Cap]| caps.iter().map(Cap::name).collect::<Vec<_>>().join(", ");
            let mut caps = Vec::new();
            if !s.add.is_empty() {
                caps.push(format!("add: [{}]", list(&s.add)));
            }
            if !s.drop.is_empty() {
                caps.push(format!("drop: [{}]", list(&s.drop)));
            }
            fields.push(format!("capabilities: {{{}}}", caps.join(", ")));
        }
    }
    if let Some(v) = s.run_as_non_root {
        fields.push(format!("runAsNonRoot: {v}"));
    }
    if let Some(root) = s.run_as_user {
        fields.push(format!("runAsUser: {}", if root { 0 } else { 1000 }));
    }
    if let Some(p) = &s.seccomp {
        let t = match p {
            Seccomp::RuntimeDefault => "RuntimeDefault",
            Seccomp::Unconfined => "Unconfined",
            Seccomp::Localhost => "Localhost, localhostProfile: profiles/audit.json",
        };
        fields.push(format!("seccompProfile: {{type: {t}}}"));
    }
    if s.flow {
        let _ = writeln!(out, "{indent}{key}: {{{}}}", fields.join(", "));
    } else if fields.is_empty() {
        let _ = writeln!(out, "{indent}{key}: {{}}");
    } else {
        let _ = writeln!(out, "{indent}{key}:");
        for f in fields {
            let _ = writeln!(out, "{indent}  {f}");
        }
    }
}

fn container(out: &mut String, indent: &str, i: usize, c: &Container) {
    if c.comment {
        let _ = writeln!(out, "{indent}# container {i}");
    }
    let _ = writeln!(out, "{indent}- name: c{i}");
    let image = match c.tag % 4 {
        0 => "nginx".to_string(),
        1 => "nginx:latest".to_string(),
        2 => format!("registry.example.com/app:1.{}", c.tag),
        _ => "nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000".to_string(),
    };
    let inner = format!("{indent}  ");
    let _ = writeln!(out, "{inner}image: {image}");
    if !c.ports.is_empty() {
        let _ = writeln!(out, "{inner}ports:");
        for (port, host) in c.ports.iter().take(3) {
            let _ = writeln!(out, "{inner}- containerPort: {}", port.max(&1));
            if let Some(h) = host {
                let _ = writeln!(out, "{inner}  hostPort: {}", h.max(&1));
            }
        }
    }
    if c.secret_env {
        let _ = writeln!(out, "{inner}env:\n{inner}- name: PASSWORD\n{inner}  value: hunter2");
    }
    if c.limits {
        let _ = writeln!(
            out,
            "{inner}resources:\n{inner}  limits: {{cpu: 500m, memory: 128Mi}}"
        );
    }
    if let Some(s) = &c.security {
        security(out, &inner, "securityContext", s, true);
    }
}

fn render(m: &Manifest) -> String {
    let mut out = String::new();
    let (api, kind) = match m.kind {
        Kind::Pod => ("v1", "Pod"),
        Kind::Deployment => ("apps/v1", "Deployment"),
        Kind::DaemonSet => ("apps/v1", "DaemonSet"),
        Kind::StatefulSet => ("apps/v1", "StatefulSet"),
        Kind::Job => ("batch/v1", "Job"),
        Kind::CronJob => ("batch/v1", "CronJob"),
    };
    let _ = writeln!(out, "apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: app\n  namespace: shop");
    // The pod spec's indentation for each kind.
    let pod = match m.kind {
        Kind::Pod => {
            out.push_str("spec:\n");
            "  "
        }
        Kind::CronJob => {
            out.push_str("spec:\n  schedule: \"0 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels: {app: app}\n        spec:\n");
            "          "
        }
        _ => {
            out.push_str("spec:\n");
            if !matches!(m.kind, Kind::Job) {
                out.push_str("  selector:\n    matchLabels: {app: app}\n");
            }
            out.push_str("  template:\n    metadata:\n      labels: {app: app}\n    spec:\n");
            "      "
        }
    };
    if let Some(v) = m.host_network {
        let _ = writeln!(out, "{pod}hostNetwork: {v}");
    }
    if let Some(v) = m.host_pid {
        let _ = writeln!(out, "{pod}hostPID: {v}");
    }
    if let Some(v) = m.automount {
        let _ = writeln!(out, "{pod}automountServiceAccountToken: {v}");
    }
    if matches!(m.kind, Kind::Job | Kind::CronJob) {
        let _ = writeln!(out, "{pod}restartPolicy: Never");
    }
    if let Some(s) = &m.pod_security {
        security(&mut out, pod, "securityContext", s, false);
    }
    if let Some(c) = &m.init {
        let _ = writeln!(out, "{pod}initContainers:");
        container(&mut out, pod, 0, c);
    }
    let _ = writeln!(out, "{pod}containers:");
    if m.containers.is_empty() {
        let _ = writeln!(out, "{pod}- name: main\n{pod}  image: nginx");
    }
    for (i, c) in m.containers.iter().take(3).enumerate() {
        container(&mut out, pod, i + 1, c);
    }
    if !m.volumes.is_empty() {
        let _ = writeln!(out, "{pod}volumes:");
        for (i, v) in m.volumes.iter().take(3).enumerate() {
            let _ = writeln!(out, "{pod}- name: v{i}");
            let _ = match v {
                Volume::HostPath(sensitive) => writeln!(
                    out,
                    "{pod}  hostPath: {{path: {}}}",
                    if *sensitive { "/var/run/docker.sock" } else { "/data" }
                ),
                Volume::EmptyDir => writeln!(out, "{pod}  emptyDir: {{}}"),
                Volume::Secret => writeln!(out, "{pod}  secret: {{secretName: s}}"),
            };
        }
    }
    if m.second_document {
        out.push_str("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: shop\n");
    }
    if m.crlf {
        out = out.replace('\n', "\r\n");
    }
    out
}

/// (rule, document, object) of every finding: what "reports an object" means.
fn reported(report: &Report) -> BTreeSet<(String, u32, String)> {
    report
        .findings
        .iter()
        .map(|f| (f.rule.to_string(), f.document, format!("{:?}", f.object)))
        .collect()
}

fuzz_target!(|m: Manifest| {
    let text = render(&m);
    let options = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let before = Engine::new(options.check).check_text(&text);
    let result = fix(&text, &options);
    let after = &result.report;
    assert!(
        after.errors.len() <= before.errors.len(),
        "new parse errors {:?}\n--- input\n{text}\n--- fixed\n{}",
        after.errors,
        result.text()
    );
    let old = reported(&before);
    for new in reported(after).difference(&old) {
        panic!(
            "{new:?} is reported only after fixing\n--- input\n{text}\n--- fixed\n{}",
            result.text()
        );
    }
    for a in &result.applied {
        assert!(
            !after
                .findings
                .iter()
                .any(|f| after.id(f) == a.id && *f.message == *a.message),
            "the fix of {} left its finding\n--- input\n{text}\n--- fixed\n{}",
            a.id,
            result.text()
        );
    }
    let again = fix(result.text(), &options);
    assert!(
        again.text() == result.text() && again.applied.is_empty(),
        "not a fixed point: {} more fixes\n--- input\n{text}\n--- fixed\n{}",
        again.applied.len(),
        result.text()
    );
});
