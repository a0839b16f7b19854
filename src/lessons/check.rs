//! The success check of a lesson: a pure function of the engine's report and the bundle
//! of the learner's manifests, compared with the lesson's starting manifests.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use crate::bundle::{cluster_scoped, Bundle};
use crate::diagnostic::{Finding, Report};
use crate::engine::Engine;
use crate::model::DocumentModel;
use crate::source::{LineIndex, Source};
use crate::yaml::{parse_stream, Stream};

use super::format::{
    Allow, CanCheck, EgressCheck, FieldCheck, Hint, KeepCheck, Lesson, MountCheck, ObjectSel,
    QuietCheck, SuccessCheck,
};

/// One condition of the success check, evaluated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Condition {
    /// What must hold, in one line ("privileged-container reports nothing on DaemonSet
    /// kube-system/log-agent").
    pub label: String,
    pub met: bool,
    /// Why it is not met, one line each (empty when met): the findings still reported
    /// with their `file:line`, the object that is missing, the image that changed.
    pub details: Vec<String>,
}

/// The success check of one version of the learner's manifests.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Evaluation {
    /// In the lesson's order; the first is always "the manifests parse".
    pub conditions: Vec<Condition>,
    /// Rules of the lesson's `quiet` conditions that still report (sorted), which the
    /// next hint is chosen by.
    pub reporting: Vec<String>,
}

impl Evaluation {
    /// Whether every condition holds: the lesson is solved.
    pub fn passed(&self) -> bool {
        self.conditions.iter().all(|c| c.met)
    }

    /// How many conditions hold ("2 of 3 conditions met").
    pub fn met(&self) -> usize {
        self.conditions.iter().filter(|c| c.met).count()
    }
}

/// What a guard compares: an object's identity, API version, containers and ports.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Shape {
    kind: String,
    name: String,
    namespace: Option<String>,
    api_version: Option<String>,
    /// (name, image, ports as `8080/TCP`), of init and app containers, sorted by name.
    containers: Vec<(String, String, Vec<String>)>,
    /// A Service's ports (`80/TCP`).
    service_ports: Vec<String>,
    json: Json,
}

impl Shape {
    fn matches(&self, sel: &ObjectSel) -> bool {
        self.kind == sel.kind
            && self.name == sel.name
            && (self.namespace == sel.namespace || cluster_scoped_kind(&self.kind))
    }
}

/// Whether a kind is cluster-scoped in some API group (the lesson's selector names no
/// group, so its namespace is ignored for these).
fn cluster_scoped_kind(kind: &str) -> bool {
    crate::bundle::CLUSTER_SCOPED
        .iter()
        .any(|&(_, k)| k == kind)
}

fn finding_on(f: &Finding, sel: &ObjectSel) -> bool {
    f.object.kind.as_deref() == Some(sel.kind.as_str())
        && f.object.name.as_deref() == Some(sel.name.as_str())
        && (f.object.namespace.as_deref() == sel.namespace.as_deref()
            || cluster_scoped_kind(&sel.kind))
}

/// (rule, kind, namespace, name) of a finding: what "new" is judged by.
type FindingKey = (String, String, Option<String>, String);

fn finding_key(f: &Finding) -> FindingKey {
    (
        f.rule.to_string(),
        f.object.kind.as_deref().unwrap_or("").to_string(),
        f.object.namespace.as_deref().map(str::to_string),
        f.object.name.as_deref().unwrap_or("").to_string(),
    )
}

/// Checks the learner's manifests against one lesson. Build it once per lesson: it
/// checks the starting manifests once, as the baseline the guards compare with.
pub struct Checker<'l> {
    lesson: &'l Lesson,
    engine: Engine,
    start_shapes: Vec<Shape>,
    start_findings: BTreeSet<FindingKey>,
}

impl<'l> Checker<'l> {
    pub fn new(lesson: &'l Lesson) -> Self {
        let engine = Engine::new(lesson.options());
        let start = lesson.start_sources();
        let report = engine.check(&start);
        let start_findings = report.findings.iter().map(finding_key).collect();
        let start_shapes = with_bundle(&engine, &start, shapes);
        Checker {
            lesson,
            engine,
            start_shapes,
            start_findings,
        }
    }

    pub fn lesson(&self) -> &'l Lesson {
        self.lesson
    }

    /// The engine the check runs (the lesson's profile and version): the findings a
    /// learner sees should come from it.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Check `sources` (the learner's files) with the lesson's engine and evaluate. The
    /// sources are parsed twice (by the engine, and for the bundle the guards read): a
    /// lesson's manifests are a few hundred lines.
    pub fn evaluate(&self, sources: &[Source]) -> Evaluation {
        let report = self.engine.check(sources);
        with_bundle(&self.engine, sources, |bundle| {
            self.evaluate_report(&report, bundle)
        })
    }

    /// Evaluate the success check over a report of [`Checker::engine`] and the bundle
    /// of the same sources. Pure: no state is kept between calls.
    pub fn evaluate_report(&self, report: &Report, bundle: &Bundle) -> Evaluation {
        let now = shapes(bundle);
        let line_of = |f: &Finding| {
            let name = report.file_name(f.file);
            match bundle.sources.get(f.file as usize) {
                Some(s) => {
                    let p = LineIndex::new(&s.text).position(&s.text, f.span.start);
                    format!("{name}:{}", p.line)
                }
                None => name.to_string(),
            }
        };
        let mut conditions = vec![parses(report, bundle)];
        let mut reporting = BTreeSet::new();
        for check in &self.lesson.success {
            conditions.push(match check {
                SuccessCheck::Quiet(q) => quiet(q, report, &now, &line_of, &mut reporting),
                SuccessCheck::Keep(k) => keep(k, &self.start_shapes, &now),
                SuccessCheck::Can(c) => can(c, &now),
                SuccessCheck::Egress(e) => egress(e, &now),
                SuccessCheck::WritableMount(m) => writable_mount(m, &now),
                SuccessCheck::Field(f) => field(f, &now),
                SuccessCheck::NoNewFindings(at) => {
                    let mut details: Vec<String> = report
                        .findings
                        .iter()
                        .filter(|f| {
                            f.severity >= *at && !self.start_findings.contains(&finding_key(f))
                        })
                        .map(|f| {
                            format!(
                                "new {} finding {} on {}: {}",
                                f.severity,
                                f.rule,
                                f.object,
                                line_of(f)
                            )
                        })
                        .collect();
                    details.dedup();
                    Condition {
                        label: format!("no new finding of severity {at} or higher"),
                        met: details.is_empty(),
                        details,
                    }
                }
            });
        }
        Evaluation {
            conditions,
            reporting: reporting.into_iter().collect(),
        }
    }

    /// The hint to show next: the first about a rule that still reports, else the first
    /// about no rule, else the first. `(index, hint)`, 0-based.
    pub fn next_hint(&self, evaluation: &Evaluation) -> Option<(usize, &'l Hint)> {
        let hints = &self.lesson.hints;
        hints
            .iter()
            .position(|h| {
                h.rule
                    .as_ref()
                    .is_some_and(|r| evaluation.reporting.contains(r))
            })
            .or_else(|| hints.iter().position(|h| h.rule.is_none()))
            .or(if hints.is_empty() { None } else { Some(0) })
            .map(|i| (i, &hints[i]))
    }
}

/// Run `f` over the bundle of `sources`, parsed with the engine's limits.
fn with_bundle<T>(engine: &Engine, sources: &[Source], f: impl FnOnce(&Bundle) -> T) -> T {
    let limits = engine.options().limits;
    let streams: Vec<Stream> = sources
        .iter()
        .map(|s| parse_stream(&s.text, &limits))
        .collect();
    let models: Vec<Vec<DocumentModel>> = streams
        .iter()
        .map(|s| s.documents.iter().map(DocumentModel::read).collect())
        .collect();
    let bundle = Bundle::new(sources, &streams, &models);
    f(&bundle)
}

fn shapes(bundle: &Bundle) -> Vec<Shape> {
    bundle
        .objects
        .iter()
        .map(|e| {
            let o = e.object;
            let mut containers = Vec::new();
            for pod in &o.pods {
                let spec = pod.doc.to_json(pod.spec);
                for key in ["initContainers", "containers"] {
                    for c in items(&spec, key) {
                        containers.push((
                            str_at(c, "name"),
                            str_at(c, "image"),
                            ports(c, "ports", "containerPort"),
                        ));
                    }
                }
            }
            containers.sort();
            let json = o.doc.to_json(o.root);
            let service_ports = if o.kind == "Service" {
                json.get("spec")
                    .map(|s| ports(s, "ports", "port"))
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            Shape {
                kind: o.kind.to_string(),
                name: o.name.unwrap_or("").to_string(),
                namespace: if cluster_scoped(e.group, o.kind) {
                    None
                } else {
                    o.namespace.map(str::to_string)
                },
                api_version: o.api_version.map(str::to_string),
                containers,
                service_ports,
                json,
            }
        })
        .collect()
}

fn items<'j>(v: &'j Json, key: &str) -> &'j [Json] {
    v.get(key)
        .and_then(Json::as_array)
        .map_or(&[], Vec::as_slice)
}

fn str_at(v: &Json, key: &str) -> String {
    match v.get(key) {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// `8080/TCP` for each item of `v[key]` (the protocol defaults to TCP), sorted.
fn ports(v: &Json, key: &str, number: &str) -> Vec<String> {
    let mut out: Vec<String> = items(v, key)
        .iter()
        .map(|p| {
            let protocol = p.get("protocol").and_then(Json::as_str).unwrap_or("TCP");
            format!("{}/{protocol}", str_at(p, number))
        })
        .collect();
    out.sort();
    out
}

fn parses(report: &Report, bundle: &Bundle) -> Condition {
    let details: Vec<String> = report
        .errors
        .iter()
        .map(|e| {
            let name = report.file_name(e.file as u32);
            match bundle.sources.get(e.file) {
                Some(s) => {
                    let p = LineIndex::new(&s.text).position(&s.text, e.span.start);
                    format!("{name}:{}:{}: {}", p.line, p.column, e.message)
                }
                None => format!("{name}: {}", e.message),
            }
        })
        .collect();
    Condition {
        label: "the manifests are valid YAML".into(),
        met: details.is_empty(),
        details,
    }
}

fn missing(sel: &ObjectSel) -> String {
    format!("{sel} is missing: fix it, do not delete it")
}

fn quiet(
    q: &QuietCheck,
    report: &Report,
    now: &[Shape],
    line_of: &dyn Fn(&Finding) -> String,
    reporting: &mut BTreeSet<String>,
) -> Condition {
    let mut details = Vec::new();
    for sel in &q.on {
        if !now.iter().any(|s| s.matches(sel)) {
            details.push(missing(sel));
        }
    }
    let on = |f: &Finding| q.on.is_empty() || q.on.iter().any(|sel| finding_on(f, sel));
    for f in report
        .findings
        .iter()
        .filter(|f| q.rules.iter().any(|r| r == f.rule) && on(f))
    {
        reporting.insert(f.rule.to_string());
        let suppressed = if f.suppressed.is_some() {
            " (suppressed: a suppression is not a fix)"
        } else {
            ""
        };
        details.push(format!(
            "{}: {}: {}{suppressed}",
            line_of(f),
            f.rule,
            f.message
        ));
    }
    let objects: Vec<String> = q.on.iter().map(ToString::to_string).collect();
    let objects = if objects.is_empty() {
        "any object".to_string()
    } else {
        objects.join(", ")
    };
    Condition {
        label: format!(
            "{} report{} nothing on {objects}",
            q.rules.join(", "),
            if q.rules.len() == 1 { "s" } else { "" },
        ),
        met: details.is_empty(),
        details,
    }
}

/// The repository of an image reference, without registry host, tag and digest
/// (`docker.io/library/nginx:1.27@sha256:…` → `nginx`): what Docker's reference grammar
/// (distribution/reference) names the path, with Docker Hub's `library/` removed.
fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    let image = match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => &image[..i],
        _ => image,
    };
    let image = match image.split_once('/') {
        Some((host, rest)) if host.contains(['.', ':']) || host == "localhost" => rest,
        _ => image,
    };
    image.strip_prefix("library/").unwrap_or(image)
}

fn keep(k: &KeepCheck, start: &[Shape], now: &[Shape]) -> Condition {
    let sel = k.object();
    let allowed = |a: Allow| k.allow.contains(&a);
    let mut details = Vec::new();
    let was = start.iter().find(|s| s.matches(&sel));
    match (was, now.iter().find(|s| s.matches(&sel))) {
        (None, _) => details.push(format!(
            "lesson error: {sel} is not in the starting manifests"
        )),
        (Some(_), None) => details.push(missing(&sel)),
        (Some(was), Some(is)) => {
            if !allowed(Allow::ApiVersion) && was.api_version != is.api_version {
                details.push(format!(
                    "apiVersion changed from {} to {}",
                    was.api_version.as_deref().unwrap_or("(none)"),
                    is.api_version.as_deref().unwrap_or("(none)")
                ));
            }
            let names = |s: &Shape| s.containers.iter().map(|c| c.0.clone()).collect::<Vec<_>>();
            if names(was) != names(is) {
                details.push(format!(
                    "containers changed from {:?} to {:?}",
                    names(was),
                    names(is)
                ));
            }
            for (name, image, ports) in &was.containers {
                let Some((_, new_image, new_ports)) = is.containers.iter().find(|c| &c.0 == name)
                else {
                    continue;
                };
                let same_image = allowed(Allow::Images)
                    || if allowed(Allow::ImageReferences) {
                        repository(image) == repository(new_image)
                    } else {
                        image == new_image
                    };
                if !same_image {
                    details.push(format!(
                        "container {name:?}: image changed from {image:?} to {new_image:?}"
                    ));
                }
                if !allowed(Allow::Ports) && ports != new_ports {
                    details.push(format!(
                        "container {name:?}: ports changed from {ports:?} to {new_ports:?}"
                    ));
                }
            }
            if !allowed(Allow::Ports) && was.service_ports != is.service_ports {
                details.push(format!(
                    "ports changed from {:?} to {:?}",
                    was.service_ports, is.service_ports
                ));
            }
        }
    }
    Condition {
        label: format!("{sel} still exists, with its containers, images and ports"),
        met: details.is_empty(),
        details,
    }
}

fn has(list: &Json, want: &str) -> bool {
    list.as_array().is_some_and(|l| {
        l.iter()
            .any(|v| v.as_str() == Some(want) || v.as_str() == Some("*"))
    })
}

/// Whether one RBAC rule grants (verb, group, resource[/subresource]) on any object
/// (k8s.io/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go: VerbMatches,
/// APIGroupMatches, ResourceMatches with `*/subresource`).
fn grants(rule: &Json, c: &CanCheck) -> bool {
    let resources = rule.get("resources").cloned().unwrap_or(Json::Null);
    let resource_ok = has(&resources, &c.resource)
        || c.resource.split_once('/').is_some_and(|(_, sub)| {
            resources
                .as_array()
                .is_some_and(|l| l.iter().any(|v| v.as_str() == Some(&format!("*/{sub}"))))
        });
    let names_restrict = rule
        .get("resourceNames")
        .and_then(Json::as_array)
        .is_some_and(|l| !l.is_empty());
    has(rule.get("verbs").unwrap_or(&Json::Null), &c.verb)
        && has(rule.get("apiGroups").unwrap_or(&Json::Null), &c.group)
        && resource_ok
        && !names_restrict
}

fn can(c: &CanCheck, now: &[Shape]) -> Condition {
    let group = if c.group.is_empty() { "core" } else { &c.group };
    let label = format!(
        "{} still grants {} on {} ({group} group)",
        c.role, c.verb, c.resource
    );
    let details = match now.iter().find(|s| s.matches(&c.role)) {
        None => vec![missing(&c.role)],
        Some(role) if items(&role.json, "rules").iter().any(|r| grants(r, c)) => Vec::new(),
        Some(_) => vec![format!(
            "{} no longer grants {} on {}: the workload needs it",
            c.role, c.verb, c.resource
        )],
    };
    Condition {
        label,
        met: details.is_empty(),
        details,
    }
}

/// Whether a NetworkPolicy egress rule allows (protocol, port): no `ports`, or a port
/// with that protocol (TCP when absent) whose number, range (`endPort`) or absence
/// covers it. Named ports are not resolved.
fn allows_port(rule: &Json, protocol: &str, port: u16) -> bool {
    let list = items(rule, "ports");
    list.is_empty()
        || list.iter().any(|p| {
            let proto = p.get("protocol").and_then(Json::as_str).unwrap_or("TCP");
            let from = p.get("port");
            let to = p.get("endPort").and_then(Json::as_u64);
            proto == protocol
                && match from {
                    None | Some(Json::Null) => true,
                    Some(Json::Number(n)) => n.as_u64().is_some_and(|n| {
                        n == u64::from(port)
                            || to.is_some_and(|to| (n..=to).contains(&u64::from(port)))
                    }),
                    Some(_) => false,
                }
        })
}

/// Whether an egress rule's peers reach `addr`: no `to` (every peer), or an `ipBlock`
/// whose `cidr` holds it and no `except` does (NetworkPolicy API, `IPBlock`).
fn reaches(rule: &Json, addr: Option<core::net::IpAddr>) -> bool {
    let Some(addr) = addr else { return true };
    let peers = items(rule, "to");
    peers.is_empty()
        || peers.iter().any(|p| {
            let Some(block) = p.get("ipBlock") else {
                return false;
            };
            let net = |v: &Json| v.as_str().and_then(|t| crate::model::cidr::parse(t).ok());
            block
                .get("cidr")
                .and_then(net)
                .is_some_and(|c| c.contains(&addr))
                && !items(block, "except")
                    .iter()
                    .filter_map(net)
                    .any(|x| x.contains(&addr))
        })
}

fn egress(e: &EgressCheck, now: &[Shape]) -> Condition {
    let addr = e.to.as_deref().and_then(|t| t.parse().ok());
    let label = match &e.to {
        Some(to) => format!(
            "{} still allows egress to {to} on port {}/{}",
            e.policy, e.port, e.protocol
        ),
        None => format!(
            "{} still allows egress to port {}/{}",
            e.policy, e.port, e.protocol
        ),
    };
    let details = match now.iter().find(|s| s.matches(&e.policy)) {
        None => vec![missing(&e.policy)],
        Some(p)
            if p.json
                .get("spec")
                .map(|s| items(s, "egress"))
                .unwrap_or_default()
                .iter()
                .any(|r| allows_port(r, &e.protocol, e.port) && reaches(r, addr)) =>
        {
            Vec::new()
        }
        Some(_) => vec![format!(
            "{} blocks {}/{}: the pods need it (DNS is 53/UDP)",
            e.policy, e.port, e.protocol
        )],
    };
    Condition {
        label,
        met: details.is_empty(),
        details,
    }
}

fn writable_mount(m: &MountCheck, now: &[Shape]) -> Condition {
    let label = format!(
        "container {:?} of {} has a writable emptyDir at {}",
        m.container, m.object, m.path
    );
    let details = match now.iter().find(|s| s.matches(&m.object)) {
        None => vec![missing(&m.object)],
        Some(o) => {
            let ok = pod_specs(&o.json).iter().any(|spec| {
                let empty_dirs: Vec<String> = items(spec, "volumes")
                    .iter()
                    .filter(|v| v.get("emptyDir").is_some())
                    .map(|v| str_at(v, "name"))
                    .collect();
                ["initContainers", "containers"].iter().any(|key| {
                    items(spec, key)
                        .iter()
                        .filter(|c| str_at(c, "name") == m.container)
                        .any(|c| {
                            items(c, "volumeMounts").iter().any(|vm| {
                                str_at(vm, "mountPath").trim_end_matches('/')
                                    == m.path.trim_end_matches('/')
                                    && vm.get("readOnly").and_then(Json::as_bool) != Some(true)
                                    && empty_dirs.contains(&str_at(vm, "name"))
                            })
                        })
                })
            });
            if ok {
                Vec::new()
            } else {
                vec![format!(
                    "container {:?} mounts no emptyDir volume at {}",
                    m.container, m.path
                )]
            }
        }
    };
    Condition {
        label,
        met: details.is_empty(),
        details,
    }
}

fn field(f: &FieldCheck, now: &[Shape]) -> Condition {
    let want = f.equals.to_string();
    let label = format!("{} has {} = {want}", f.object, f.pointer);
    let details = match now.iter().find(|s| s.matches(&f.object)) {
        None => vec![missing(&f.object)],
        Some(o) => match o.json.pointer(&f.pointer) {
            Some(v) if *v == f.equals => Vec::new(),
            Some(v) => vec![format!("{} is {v}, not {want}", f.pointer)],
            None => vec![format!("{} is not set", f.pointer)],
        },
    };
    Condition {
        label,
        met: details.is_empty(),
        details,
    }
}

/// The pod specs of an object's JSON: a Pod's `spec`, a template's `spec.template.spec`,
/// a CronJob's `spec.jobTemplate.spec.template.spec`.
fn pod_specs(o: &Json) -> Vec<&Json> {
    let paths: [&[&str]; 3] = [
        &["spec"],
        &["spec", "template", "spec"],
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ];
    paths
        .iter()
        .filter_map(|p| p.iter().try_fold(o, |v, k| v.get(k)))
        .filter(|s| s.get("containers").is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::repository;

    #[test]
    fn repositories_ignore_host_tag_and_digest() {
        assert_eq!(repository("nginx"), "nginx");
        assert_eq!(repository("nginx:latest"), "nginx");
        assert_eq!(
            repository("docker.io/library/nginx:1.27@sha256:ab"),
            "nginx"
        );
        assert_eq!(repository("k8s.gcr.io/pause:3.1"), "pause");
        assert_eq!(repository("registry.k8s.io/pause:3.9"), "pause");
        assert_eq!(repository("localhost:5000/team/app:1"), "team/app");
        assert_ne!(repository("bitnami/redis:7"), repository("redis:7"));
    }
}
