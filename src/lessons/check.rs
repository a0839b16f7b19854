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

use crate::access::rbac::Target;
use crate::access::reach::{Side, Workload};
use crate::access::{
    Access, AccessOptions, At, Bootstrap, Endpoint, Origin, Outside, PortQuery, Reach, User,
    Verdict,
};
use crate::source::Span;
use crate::version::KubeVersion;

use super::api::{not_running, rejections, REJECTED_BY_API_SERVER};
use super::format::{
    Allow, CanCheck, ContainerSettingCheck, EgressCheck, FieldCheck, Hint, HostPathCheck,
    KeepCheck, Lesson, MountCheck, NoTokenCheck, ObjectSel, PortSel, QuietCheck, ReachCheck,
    ReachEnd, SubjectSel, SuccessCheck, EVERY_NAMESPACE, EVERY_PUBLIC_ADDRESS,
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
    /// Whether the kind is namespaced (not a cluster-scoped kind of its API group).
    namespaced: bool,
    api_version: Option<String>,
    /// (name, image, ports as `8080/TCP`), of init and app containers, sorted by name.
    containers: Vec<(String, String, Vec<String>)>,
    /// A Service's ports (`80/TCP`).
    service_ports: Vec<String>,
    json: Json,
}

impl Shape {
    /// `Deployment shop/storefront`, `Namespace shop`.
    fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }

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
    /// The API server's bootstrap RBAC policy at the lesson's version (`can`).
    bootstrap: Bootstrap,
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
            bootstrap: Bootstrap::new(lesson.kube_version),
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
        let access = Access::new(
            bundle,
            &self.bootstrap,
            AccessOptions {
                version: self.lesson.kube_version,
                apply_namespace: None,
            },
        );
        let reach = Reach::with_version(bundle, self.lesson.kube_version);
        for check in &self.lesson.success {
            conditions.push(match check {
                SuccessCheck::Quiet(q) => quiet(q, report, &now, &line_of, &mut reporting),
                SuccessCheck::Keep(k) => keep(k, &self.start_shapes, &now),
                SuccessCheck::Can(c) => can(c, &access, &now),
                SuccessCheck::Reach(r) => reachable(r, &reach, &now),
                SuccessCheck::NoToken(t) => no_token(t, &now),
                SuccessCheck::HostPaths(h) => host_paths(h, &now),
                SuccessCheck::Egress(e) => egress(e, &now),
                SuccessCheck::WritableMount(m) => writable_mount(m, &now),
                SuccessCheck::Field(f) => field(f, &now, self.lesson.kube_version),
                SuccessCheck::ContainerSetting(c) => container_setting(c, &now),
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
        conditions.push(accepted(report, &now, &line_of));
        conditions.push(namespaces_named(&now));
        // One line per reason: a grant through an aggregated role, a port asked twice.
        for c in &mut conditions {
            let mut seen = BTreeSet::new();
            c.details.retain(|d| seen.insert(d.clone()));
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
            let namespaced = !cluster_scoped(e.group, o.kind);
            Shape {
                kind: o.kind.to_string(),
                name: o.name.unwrap_or("").to_string(),
                namespace: if namespaced {
                    o.namespace.map(str::to_string)
                } else {
                    None
                },
                namespaced,
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

/// The implicit condition after the lesson's: the API server would accept every object.
/// A finding of a rule that means a rejection fails it whatever its severity (and
/// whether suppressed), as do the checks of [`super::api::rejections`].
fn accepted(report: &Report, now: &[Shape], line_of: &dyn Fn(&Finding) -> String) -> Condition {
    let mut details: Vec<String> = report
        .findings
        .iter()
        .filter(|f| REJECTED_BY_API_SERVER.contains(&f.rule))
        .map(|f| format!("{}: {}: {}", line_of(f), f.rule, f.message))
        .collect();
    for s in now {
        for why in rejections(&s.kind, s.api_version.as_deref(), &s.json) {
            details.push(format!("{}: {why}", s.describe()));
        }
    }
    Condition {
        label: "the API server would accept every object".into(),
        met: details.is_empty(),
        details,
    }
}

/// The implicit last condition: every namespaced object names its namespace. Without
/// one, `kubectl apply` puts it in whatever namespace is current, where no condition
/// of the lesson looks (a RoleBinding to `admin`, a NetworkPolicy that opens a pod).
fn namespaces_named(now: &[Shape]) -> Condition {
    let details: Vec<String> = now
        .iter()
        .filter(|s| s.namespaced && s.namespace.is_none() && !s.kind.is_empty())
        .map(|s| {
            format!(
                "{} {} has no metadata.namespace: name its namespace: `kubectl apply` would put it in whatever namespace is current",
                s.kind, s.name
            )
        })
        .collect();
    Condition {
        label: "every namespaced object names its namespace".into(),
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
            details.extend(not_running(&is.kind, &is.json, Some(&was.json)));
        }
    }
    let what = if !pod_specs(was.map_or(&Json::Null, |w| &w.json)).is_empty() {
        "still exists and runs, with its containers, images and ports"
    } else if sel.kind == "Service" {
        "still exists, with its ports"
    } else {
        "still exists, with its API version"
    };
    Condition {
        label: format!("{sel} {what}"),
        met: details.is_empty(),
        details,
    }
}

/// The user the RBAC authorizer sees for a subject (a ServiceAccount with its groups,
/// a user with `system:authenticated`, a group alone).
fn user_of(s: &SubjectSel) -> User {
    match (s.kind.as_str(), &s.namespace) {
        ("ServiceAccount", Some(ns)) => User::service_account(ns, &s.name),
        ("Group", _) => User::group(&s.name),
        _ => User::impersonate(&s.name, &[]),
    }
}

/// The namespaces a `can` in every namespace asks about: each namespace the manifests
/// name (of any object, and each Namespace object), `kube-system`, one that no manifest
/// names (standing for every other: only ClusterRoleBindings grant there) and the
/// cluster-wide request (`None`), less `except`.
fn namespaces_to_ask(now: &[Shape], except: &[String]) -> Vec<Option<String>> {
    let mut named: BTreeSet<String> = now
        .iter()
        .filter_map(|s| s.namespace.clone())
        .chain(
            now.iter()
                .filter(|s| s.kind == "Namespace")
                .map(|s| s.name.clone()),
        )
        .collect();
    named.insert("kube-system".into());
    let mut other = "some-other-namespace".to_string();
    while named.contains(&other) {
        other.push('x');
    }
    named.insert(other);
    std::iter::once(None)
        .chain(named.into_iter().filter(|n| !except.contains(n)).map(Some))
        .collect()
}

fn can(c: &CanCheck, access: &Access, now: &[Shape]) -> Condition {
    let every = c.namespace.as_deref() == Some(EVERY_NAMESPACE);
    let scope = match &c.namespace {
        Some(_) if every && c.except_namespaces.is_empty() => "in any namespace".to_string(),
        Some(_) if every => format!("in any namespace but {}", c.except_namespaces.join(", ")),
        Some(ns) => format!("in namespace {ns}"),
        None => "cluster-wide".to_string(),
    };
    let group = if c.group.is_empty() { "core" } else { &c.group };
    let label = format!(
        "{} {} {} {} ({group} group) {scope}",
        c.subject,
        if c.allowed { "can" } else { "cannot" },
        c.verb,
        c.resource,
    );
    let asked: Vec<Option<String>> = if every {
        namespaces_to_ask(now, &c.except_namespaces)
    } else {
        vec![c.namespace.clone()]
    };
    let mut details = Vec::new();
    let mut met = true;
    for ns in &asked {
        let (ok, mut d) = can_in(c, access, ns.as_deref());
        met &= ok;
        details.append(&mut d);
    }
    details.dedup();
    Condition {
        label,
        met: met && details.is_empty(),
        details,
    }
}

/// `c` asked in one namespace (`None`: cluster-wide): whether it holds, and why not.
fn can_in(c: &CanCheck, access: &Access, namespace: Option<&str>) -> (bool, Vec<String>) {
    let (resource, subresource) = c.resource.split_once('/').unwrap_or((&c.resource, ""));
    let target = Target::Resource {
        group: c.group.clone(),
        resource: resource.to_string(),
        subresource: subresource.to_string(),
        name: String::new(),
    };
    let scope = match namespace {
        Some(ns) => format!("in namespace {ns}"),
        None => "cluster-wide".to_string(),
    };
    let decision = access.can(&user_of(&c.subject), &c.verb, &target, namespace);
    let mut details = Vec::new();
    if decision.allowed && !c.allowed {
        for g in &decision.grants {
            details.push(format!(
                "{} grants it through {}{} ({}): the subject must not have it",
                g.binding,
                g.role,
                g.aggregated_from
                    .as_deref()
                    .map(|a| format!(", which aggregates {a}"))
                    .unwrap_or_default(),
                g.scope.text()
            ));
        }
    } else if !decision.allowed && c.allowed {
        details.push(format!(
            "no binding grants {} {} {} {scope}: the workload needs it (a Role grants nothing until a RoleBinding names the subject)",
            c.subject, c.verb, c.resource
        ));
        details.extend(decision.notes.iter().cloned());
    }
    // A denial holds for every object: a grant limited to `resourceNames` still lets the
    // subject act on those (the authorizer matches the request's name against them,
    // plugin/pkg/auth/authorizer/rbac/rbac.go `RuleAllows`), so it fails the condition too.
    if !c.allowed && !decision.allowed {
        details.extend(named_grants(c, access, namespace));
    }
    (details.is_empty() && decision.allowed == c.allowed, details)
}

/// The grants of `c`'s verb on `c`'s resource that are limited to named objects, one line
/// each (`can-i --list`'s lines with names).
fn named_grants(c: &CanCheck, access: &Access, namespace: Option<&str>) -> Vec<String> {
    let wanted = if c.group.is_empty() {
        c.resource.clone()
    } else {
        format!("{}.{}", c.resource, c.group)
    };
    let (lines, _) = access.list(&user_of(&c.subject), namespace);
    lines
        .iter()
        .filter(|l| {
            !l.resource_names.is_empty()
                && (l.resource == wanted || l.resource == "*" || l.resource == "*.*")
                && l.verbs.iter().any(|v| v == &c.verb || v == "*")
        })
        .map(|l| {
            format!(
                "{} {} is granted on {} by {}: the subject must not have it",
                c.verb,
                c.resource,
                l.resource_names.join(", "),
                l.grants
                    .iter()
                    .map(|g| g.binding.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect()
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

/// The workload of the reachability model an end names.
fn endpoint(end: &ReachEnd, reach: &Reach) -> Result<Endpoint, String> {
    if let Some(sel) = end.object() {
        return reach
            .workloads
            .iter()
            .position(|w| w.kind == sel.kind && w.name == sel.name && w.namespace == sel.namespace)
            .map(Endpoint::Workload)
            .ok_or_else(|| missing(&sel));
    }
    let name = end.outside.as_deref().unwrap_or("");
    Outside::parse(name)
        .map(Endpoint::Outside)
        .ok_or_else(|| format!("lesson error: no outside place {name:?}"))
}

/// What a `reach` destination outside the bundle is, for a label: "the cluster DNS
/// (UDP 53)".
fn outside_text(o: Outside) -> &'static str {
    match o {
        Outside::Internet => "the internet",
        Outside::Metadata => "the cloud metadata endpoint 169.254.169.254",
        Outside::MetadataV6 => "the cloud metadata endpoint fd00:ec2::254",
        Outside::Kubelet => "the kubelet API of the nodes",
        Outside::Dns => "the cluster DNS",
    }
}

/// The fixed port of an outside destination, as the reachability model asks it.
fn outside_port(o: Outside) -> Option<&'static str> {
    match o {
        Outside::Internet => None,
        Outside::Metadata | Outside::MetadataV6 => Some("TCP 80"),
        Outside::Kubelet => Some("TCP 10250"),
        Outside::Dns => Some("UDP 53"),
    }
}

/// The ports a `reach` with `any_port` asks: every (protocol, port) a NetworkPolicy rule
/// or a container of the manifests names, each end of a port range, each neighbour of
/// an excepted port, and a port none of them names, for every protocol; less the
/// excepted. A rule allows some port that is not excepted iff it allows one of these:
/// a rule without ports, or with a port item without a number, allows the unnamed
/// port; a number is asked itself; a range is asked at its ends and around each
/// excepted port inside it; a named port resolves to a container port.
fn ports_to_ask(now: &[Shape], except: &[PortSel]) -> Vec<(String, u16)> {
    const PROTOCOLS: [&str; 3] = ["TCP", "UDP", "SCTP"];
    let mut named: BTreeSet<(String, u16)> = BTreeSet::new();
    let mut add = |protocol: &str, port: u64| {
        if let Ok(port) = u16::try_from(port) {
            if port > 0 {
                named.insert((protocol.to_string(), port));
            }
        }
    };
    for s in now {
        for (_, _, ports) in &s.containers {
            for p in ports {
                if let Some((n, proto)) = p.split_once('/') {
                    if let Ok(n) = n.parse::<u64>() {
                        add(proto, n);
                    }
                }
            }
        }
        if s.kind != "NetworkPolicy" {
            continue;
        }
        let Some(spec) = s.json.get("spec") else {
            continue;
        };
        for rule in items(spec, "ingress").iter().chain(items(spec, "egress")) {
            for p in items(rule, "ports") {
                let proto = p.get("protocol").and_then(Json::as_str).unwrap_or("TCP");
                let from = p.get("port").and_then(Json::as_u64);
                let to = p.get("endPort").and_then(Json::as_u64);
                if let Some(from) = from {
                    add(proto, from);
                }
                if let Some(to) = to {
                    add(proto, to);
                }
                if let (Some(from), Some(to)) = (from, to) {
                    for e in except.iter().filter(|e| e.protocol == proto) {
                        let e = u64::from(e.port);
                        if from < e && e < to {
                            add(proto, e - 1);
                            add(proto, e + 1);
                        }
                    }
                }
            }
        }
    }
    for e in except {
        add(&e.protocol, u64::from(e.port) - u64::from(e.port > 0));
        add(&e.protocol, u64::from(e.port) + 1);
    }
    for proto in PROTOCOLS {
        let unnamed = (1..=u16::MAX).find(|&n| {
            !named.contains(&(proto.to_string(), n))
                && !except.iter().any(|e| e.protocol == proto && e.port == n)
        });
        if let Some(n) = unnamed {
            named.insert((proto.to_string(), n));
        }
    }
    named
        .into_iter()
        .filter(|(proto, n)| !except.iter().any(|e| &e.protocol == proto && e.port == *n))
        .collect()
}

/// A pod that is not in the manifests, as a `reach` source names it.
fn absent_pod(end: &ReachEnd) -> Workload {
    Workload {
        kind: "Pod".into(),
        name: "(not in the manifests)".into(),
        namespace: end.namespace.clone(),
        labels: end
            .labels
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        host_network: false,
        at: At {
            origin: Origin::BuiltIn("lessons"),
            span: Span::default(),
        },
        pod: usize::MAX,
    }
}

fn reachable(r: &ReachCheck, reach: &Reach, now: &[Shape]) -> Condition {
    let single = match (&r.protocol, r.port) {
        (Some(protocol), Some(port)) => PortQuery::Port {
            protocol: protocol.clone(),
            port: i64::from(port),
        },
        _ => PortQuery::Any,
    };
    let every_public = r.to.outside.as_deref() == Some(EVERY_PUBLIC_ADDRESS);
    let outside = r.to.outside.as_deref().and_then(Outside::parse);
    let to_text = match outside {
        _ if r.to.address.is_some() => r.to.to_string(),
        _ if every_public => "every public IPv4 address".to_string(),
        Some(o) => outside_text(o).to_string(),
        None => r.to.to_string(),
    };
    let on = if r.any_port {
        if r.except_ports.is_empty() {
            " on any port".to_string()
        } else {
            format!(
                " on any port but {}",
                r.except_ports
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    } else {
        match outside.and_then(outside_port) {
            Some(p) => format!(" ({p})"),
            None => match &single {
                PortQuery::Any => " on some port".to_string(),
                p => format!(" on {}", p.text()),
            },
        }
    };
    let label = format!(
        "{} {} reach {to_text}{on}",
        r.from,
        if r.allowed { "can" } else { "cannot" },
    );
    let mut details = Vec::new();
    let met = if let Some(addr) = &r.to.address {
        address_met(r, addr, reach, now, &single, &mut details)
    } else if every_public {
        every_public_met(r, reach, &single, &mut details)
    } else if r.any_port {
        let ports = ports_to_ask(now, &r.except_ports);
        let mut met = true;
        for (protocol, port) in ports {
            let port = PortQuery::Port {
                protocol,
                port: i64::from(port),
            };
            let mut why = Vec::new();
            let verdict = reach_once(r, reach, &port, true, &to_text, &mut why);
            if verdict != Verdict::Denied {
                met = false;
                // One line per port: what allows it, or why it is unknown.
                let why = why
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| format!("it is {}", verdict.text()));
                details.push(format!("on {}: {why}", port.text()));
            }
            if details.len() >= 5 {
                details.push("(and maybe more ports)".into());
                break;
            }
        }
        met
    } else {
        let verdict = reach_once(r, reach, &single, false, &to_text, &mut details);
        wanted(r, verdict, &mut details)
    };
    if met {
        details.clear();
    }
    details.dedup();
    Condition {
        label,
        met,
        details,
    }
}

/// `reach` toward an address outside the pods: whether it is met, judged at the
/// source's egress alone: isolated by no policy, everything is allowed; else a rule of a
/// policy selecting the pod for egress whose ports allow the port and whose peers reach
/// the address (no `to`, or an `ipBlock` holding it outside its `except`s; a pod or
/// namespace selector matches pods, not this address).
fn address_met(
    r: &ReachCheck,
    addr: &str,
    reach: &Reach,
    now: &[Shape],
    single: &PortQuery,
    details: &mut Vec<String>,
) -> bool {
    let Ok(ip) = addr.parse::<core::net::IpAddr>() else {
        details.push(format!("lesson error: {addr:?} is not an IP address"));
        return false;
    };
    let w = match endpoint(&r.from, reach) {
        Ok(Endpoint::Workload(w)) => w,
        Ok(Endpoint::Outside(_)) => {
            details.push("lesson error: the source is not a workload".into());
            return false;
        }
        Err(e) => {
            details.push(e);
            return false;
        }
    };
    let answer = reach.answer_on(
        Endpoint::Workload(w),
        Endpoint::Outside(Outside::Internet),
        &PortQuery::Any,
    );
    // hostNetwork, or policies the model does not evaluate: undecided, so unmet.
    if answer.egress.verdict == Verdict::Unknown || reach.workloads[w].host_network {
        details.extend(answer.egress.reasons);
        if details.is_empty() {
            details.push("it is unknown".into());
        }
        return false;
    }
    let ports: Vec<(String, u16)> = if r.any_port {
        ports_to_ask(now, &r.except_ports)
    } else {
        match single {
            PortQuery::Port { protocol, port } => {
                vec![(protocol.clone(), u16::try_from(*port).unwrap_or(0))]
            }
            PortQuery::Any => ports_to_ask(now, &[]),
        }
    };
    let egress = &answer.egress;
    let rules: Vec<(&str, &Json)> = egress
        .policies
        .iter()
        .filter_map(|p| {
            now.iter()
                .find(|s| s.kind == "NetworkPolicy" && p.policy == s.describe())
                .map(|s| (p.policy.as_str(), s))
        })
        .flat_map(|(name, s)| {
            s.json
                .get("spec")
                .map(|spec| items(spec, "egress"))
                .unwrap_or_default()
                .iter()
                .map(move |rule| (name, rule))
        })
        .collect();
    let mut allowed_somewhere = false;
    let mut denied_somewhere = false;
    for (protocol, port) in &ports {
        let by: Vec<&str> = rules
            .iter()
            .filter(|(_, rule)| allows_port(rule, protocol, *port) && reaches(rule, Some(ip)))
            .map(|(name, _)| *name)
            .collect();
        let allowed = !egress.isolated || !by.is_empty();
        if allowed {
            allowed_somewhere = true;
            if !r.allowed && details.len() < 5 {
                details.push(if egress.isolated {
                    format!(
                        "on {port}/{protocol}: the egress of {} is allowed by {}",
                        r.from,
                        by.join(", ")
                    )
                } else {
                    format!(
                        "no NetworkPolicy isolates the egress of {}, so all of it is allowed",
                        r.from
                    )
                });
            }
        } else {
            denied_somewhere = true;
            if r.allowed && details.len() < 5 {
                details.push(format!(
                    "on {port}/{protocol}: no egress rule of {} allows {addr}",
                    r.from
                ));
            }
        }
    }
    if r.allowed {
        !denied_somewhere
    } else {
        !allowed_somewhere
    }
}

/// `reach` toward every public IPv4 address: whether it is met.
fn every_public_met(
    r: &ReachCheck,
    reach: &Reach,
    port: &PortQuery,
    details: &mut Vec<String>,
) -> bool {
    let verdict = match endpoint(&r.from, reach) {
        Err(e) => {
            details.push(e);
            Verdict::Unknown
        }
        Ok(Endpoint::Workload(w)) => match reach.public_ipv4_gap(w, port) {
            Ok(None) => Verdict::Allowed,
            Ok(Some(gap)) => {
                details.push(format!(
                    "the egress of {} does not allow {gap} on {}",
                    r.from,
                    port.text()
                ));
                Verdict::Denied
            }
            Err(why) => {
                details.push(why);
                Verdict::Unknown
            }
        },
        Ok(Endpoint::Outside(_)) => {
            details.push("lesson error: the source is not a workload".into());
            Verdict::Unknown
        }
    };
    wanted(r, verdict, details)
}

/// Whether `verdict` is what `r` asks for (an undecidable one never is); when not, and
/// nothing said why yet, `details` says what it is.
fn wanted(r: &ReachCheck, verdict: Verdict, details: &mut Vec<String>) -> bool {
    let met = match verdict {
        Verdict::Allowed => r.allowed,
        Verdict::Denied => !r.allowed,
        Verdict::Unknown => false,
    };
    if !met && details.is_empty() {
        details.push(format!("it is {}", verdict.text()));
    }
    met
}

/// The verdict of `r` on one port, with why it is not what `r` wants in `details`.
/// `exact`: ask on `port` even toward an outside place with its own port.
fn reach_once(
    r: &ReachCheck,
    reach: &Reach,
    port: &PortQuery,
    exact: bool,
    to_text: &str,
    details: &mut Vec<String>,
) -> Verdict {
    let to = match endpoint(&r.to, reach) {
        Ok(to) => to,
        Err(e) => {
            details.push(e);
            return Verdict::Unknown;
        }
    };
    let from_text = format!("from {}", r.from);
    let to_peer = format!("to {to_text}");
    let policies = |side: &Side| {
        side.policies
            .iter()
            .map(|p| p.policy.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut explain = |side: &Side, what: &str, end: &ReachEnd, peer: &str, on: &PortQuery| {
        match side.verdict {
            Verdict::Denied if r.allowed => details.push(format!(
                "the {what} of {end} allows none of it: {} select{} it and no rule allows {peer} on {}",
                policies(side),
                if side.policies.len() == 1 { "s" } else { "" },
                on.text()
            )),
            Verdict::Allowed if !r.allowed && side.isolated => {
                let mut by: Vec<&str> = side.allowing.iter().map(|p| p.policy.as_str()).collect();
                by.dedup();
                details.push(format!("the {what} of {end} is allowed by {}", by.join(", ")));
            }
            Verdict::Allowed if !r.allowed && end.object().is_some() => details.push(format!(
                "no NetworkPolicy isolates the {what} of {end}, so all of it is allowed"
            )),
            _ => {}
        }
        if side.verdict == Verdict::Unknown {
            details.extend(side.reasons.iter().cloned());
        }
    };
    if r.from.labels.is_some() {
        // A pod not in the manifests: its own egress is not known, so only the
        // destination's ingress decides.
        let Endpoint::Workload(w) = to else {
            details.push("lesson error: a pod not in the manifests reaches a workload".into());
            return Verdict::Unknown;
        };
        let side = reach.ingress_from(w, &absent_pod(&r.from), port);
        explain(&side, "ingress", &r.to, &from_text, port);
        return side.verdict;
    }
    let from = match endpoint(&r.from, reach) {
        Ok(from) => from,
        Err(e) => {
            details.push(e);
            return Verdict::Unknown;
        }
    };
    let answer = if exact {
        reach.answer_on(from, to, port)
    } else {
        reach.answer(from, to, port)
    };
    explain(&answer.egress, "egress", &r.from, &to_peer, &answer.port);
    explain(&answer.ingress, "ingress", &r.to, &from_text, &answer.port);
    answer.verdict
}

/// The containers of a pod spec, of every kind (init, app, ephemeral).
fn all_containers(spec: &Json) -> impl Iterator<Item = &Json> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |key| items(spec, key).iter())
}

/// The API token type of a Secret (`kubernetes.io/service-account-token`): the token
/// controller fills it with a ServiceAccount's token.
const TOKEN_SECRET_TYPE: &str = "kubernetes.io/service-account-token";

fn no_token(t: &NoTokenCheck, now: &[Shape]) -> Condition {
    let label = format!("the pods of {} get no Kubernetes API token", t.object);
    let mut details = Vec::new();
    match now.iter().find(|s| s.matches(&t.object)) {
        None => details.push(missing(&t.object)),
        Some(o) => {
            let in_ns = |kind: &str, name: &str| {
                now.iter()
                    .find(move |s| s.kind == kind && s.name == name && s.namespace == o.namespace)
            };
            // Why a Secret the pods read may hold an API token: it is of the token type,
            // or the manifests do not define it (so its type is unknown).
            let token_secret = |name: &str| {
                match in_ns("Secret", name) {
                Some(s) => (s.json.get("type").and_then(Json::as_str) == Some(TOKEN_SECRET_TYPE))
                    .then(|| format!("it is of type {TOKEN_SECRET_TYPE}")),
                None => Some(format!(
                    "the manifests do not define it, so it may be of type {TOKEN_SECRET_TYPE} (define it, or drop the reference)"
                )),
            }
            };
            for spec in pod_specs(&o.json) {
                let sa = spec
                    .get("serviceAccountName")
                    .or_else(|| spec.get("serviceAccount"))
                    .and_then(Json::as_str)
                    .filter(|n| !n.is_empty())
                    .unwrap_or("default");
                let pod_says = spec
                    .get("automountServiceAccountToken")
                    .and_then(Json::as_bool);
                let sa_says = in_ns("ServiceAccount", sa)
                    .and_then(|s| s.json.get("automountServiceAccountToken"))
                    .and_then(Json::as_bool);
                match (pod_says, sa_says) {
                    (Some(false), _) | (None, Some(false)) => {}
                    (Some(true), _) => details.push(format!(
                        "the pod template sets automountServiceAccountToken: true, so ServiceAccount {sa}'s token is mounted"
                    )),
                    (None, Some(true)) => details.push(format!(
                        "ServiceAccount {sa} sets automountServiceAccountToken: true and the pod template does not override it"
                    )),
                    (None, None) => details.push(format!(
                        "neither the pod template nor ServiceAccount {sa} (in the manifests) sets automountServiceAccountToken: false, and it defaults to true"
                    )),
                }
                for v in items(spec, "volumes") {
                    let name = str_at(v, "name");
                    if let Some(secret) = v.get("secret").map(|s| str_at(s, "secretName")) {
                        if let Some(why) = token_secret(&secret) {
                            details.push(format!("volume {name:?} mounts Secret {secret}: {why}"));
                        }
                    }
                    let sources = v
                        .get("projected")
                        .map(|p| items(p, "sources"))
                        .unwrap_or(&[]);
                    for src in sources {
                        if src.get("serviceAccountToken").is_some() {
                            details.push(format!(
                                "volume {name:?} projects a serviceAccountToken: a token of ServiceAccount {sa}, whatever automountServiceAccountToken says"
                            ));
                        }
                        if let Some(secret) = src.get("secret").map(|s| str_at(s, "name")) {
                            if let Some(why) = token_secret(&secret) {
                                details.push(format!(
                                    "volume {name:?} projects Secret {secret}: {why}"
                                ));
                            }
                        }
                    }
                }
                for c in all_containers(spec) {
                    let cname = str_at(c, "name");
                    let from_env = items(c, "env").iter().filter_map(|e| {
                        e.get("valueFrom")
                            .and_then(|v| v.get("secretKeyRef"))
                            .map(|r| str_at(r, "name"))
                    });
                    let from_env_from = items(c, "envFrom")
                        .iter()
                        .filter_map(|e| e.get("secretRef").map(|r| str_at(r, "name")));
                    for secret in from_env.chain(from_env_from) {
                        if let Some(why) = token_secret(&secret) {
                            details.push(format!(
                                "container {cname:?} reads Secret {secret} into its environment: {why}"
                            ));
                        }
                    }
                }
            }
        }
    }
    details.dedup();
    Condition {
        label,
        met: details.is_empty(),
        details,
    }
}

/// The segments of an absolute path without empty and `.` segments; `None` with `..`
/// or when relative.
fn segments(path: &str) -> Option<Vec<&str>> {
    if !path.starts_with('/') {
        return None;
    }
    let parts: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    (!parts.contains(&"..")).then_some(parts)
}

/// The paths of the node a pod volume mounts, with how (`""` for a `hostPath` volume,
/// `" through PersistentVolume pv"`): a `hostPath` volume, or a claim (a
/// `persistentVolumeClaim`, or an `ephemeral` volume's claim) that may be bound to a
/// PersistentVolume of the manifests whose source is `hostPath` or `local`. The claim's
/// PV is its `volumeName`; else a PV whose `claimRef` names the claim; else any PV of
/// the manifests without a `claimRef`, which the PV controller may bind to it.
fn node_paths(v: &Json, namespace: Option<&str>, now: &[Shape]) -> Vec<(String, String)> {
    if let Some(p) = v.get("hostPath") {
        return vec![(str_at(p, "path"), String::new())];
    }
    let claim = match (v.get("persistentVolumeClaim"), v.get("ephemeral")) {
        (Some(c), _) => Some(str_at(c, "claimName")),
        (None, Some(_)) => None,
        (None, None) => return Vec::new(),
    };
    let pvs = now.iter().filter(|s| s.kind == "PersistentVolume");
    let pvc = claim.as_deref().and_then(|c| {
        now.iter().find(|s| {
            s.kind == "PersistentVolumeClaim" && s.name == c && s.namespace.as_deref() == namespace
        })
    });
    let bound = pvc
        .and_then(|c| c.json.pointer("/spec/volumeName"))
        .and_then(Json::as_str)
        .filter(|n| !n.is_empty());
    let claimed_by = |pv: &Shape, c: &str| {
        pv.json
            .pointer("/spec/claimRef/name")
            .and_then(Json::as_str)
            == Some(c)
            && pv
                .json
                .pointer("/spec/claimRef/namespace")
                .and_then(Json::as_str)
                == namespace
    };
    let candidates: Vec<&Shape> = match (bound, claim.as_deref()) {
        (Some(b), _) => pvs.filter(|pv| pv.name == b).collect(),
        (None, Some(c))
            if now
                .iter()
                .any(|pv| pv.kind == "PersistentVolume" && claimed_by(pv, c)) =>
        {
            pvs.filter(|pv| claimed_by(pv, c)).collect()
        }
        _ => pvs
            .filter(|pv| pv.json.pointer("/spec/claimRef").is_none_or(Json::is_null))
            .collect(),
    };
    candidates
        .into_iter()
        .filter_map(|pv| {
            let spec = pv.json.get("spec")?;
            let path = spec
                .get("hostPath")
                .or_else(|| spec.get("local"))
                .map(|p| str_at(p, "path"))?;
            Some((path, format!(" through PersistentVolume {}", pv.name)))
        })
        .collect()
}

fn host_paths(h: &HostPathCheck, now: &[Shape]) -> Condition {
    let allowed: Vec<String> = h
        .allow
        .iter()
        .map(|a| {
            format!(
                "{}{}",
                a.path,
                if a.read_only { " (read-only)" } else { "" }
            )
        })
        .collect();
    let label = format!(
        "{} mounts no host path but {}",
        h.object,
        if allowed.is_empty() {
            "none".to_string()
        } else {
            allowed.join(", ")
        }
    );
    let mut details = Vec::new();
    match now.iter().find(|s| s.matches(&h.object)) {
        None => details.push(missing(&h.object)),
        Some(o) => {
            for spec in pod_specs(&o.json) {
                for v in items(spec, "volumes") {
                    let name = str_at(v, "name");
                    for (path, via) in node_paths(v, o.namespace.as_deref(), now) {
                        let allow = segments(&path).and_then(|p| {
                            h.allow.iter().find(|a| {
                                segments(&a.path).is_some_and(|want| p.starts_with(&want))
                            })
                        });
                        let Some(allow) = allow else {
                            details.push(format!(
                            "volume {name:?} mounts host path {path:?} of the node{via}, which the lesson does not allow"
                        ));
                            continue;
                        };
                        let claim_read_only = v
                            .get("persistentVolumeClaim")
                            .and_then(|c| c.get("readOnly"))
                            .and_then(Json::as_bool)
                            == Some(true);
                        if !allow.read_only || claim_read_only {
                            continue;
                        }
                        for c in all_containers(spec) {
                            for vm in items(c, "volumeMounts") {
                                if str_at(vm, "name") == name
                                    && vm.get("readOnly").and_then(Json::as_bool) != Some(true)
                                {
                                    details.push(format!(
                                    "container {:?} mounts host path {path:?}{via} writable at {}: set readOnly: true",
                                    str_at(c, "name"),
                                    str_at(vm, "mountPath")
                                ));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
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

fn field(f: &FieldCheck, now: &[Shape], version: KubeVersion) -> Condition {
    let show = |v: &Json| match v {
        Json::Null => "not set".to_string(),
        v => v.to_string(),
    };
    // PSA reads `v1.NN` (a minor version: staging/src/k8s.io/pod-security-admission/api
    // `ParseVersion`), without a patch.
    let target = format!("v1.{}", version.minor);
    let want = if let Some(v) = &f.equals {
        format!("= {v}")
    } else if !f.starts_with.is_empty() {
        format!("starting with {}", f.starts_with.join(" or "))
    } else if f.target_version {
        format!("= latest or {target} (or not set)")
    } else {
        format!(
            "= {}",
            f.one_of.iter().map(show).collect::<Vec<_>>().join(" or ")
        )
    };
    let label = format!("{} has {} {want}", f.object, f.pointer);
    // `None`: not set (an absent key, or null as the API server reads it).
    let holds = |v: Option<&Json>| {
        let v = v.filter(|v| !v.is_null());
        if let Some(e) = &f.equals {
            v == Some(e)
        } else if !f.starts_with.is_empty() {
            v.and_then(Json::as_str)
                .is_some_and(|s| f.starts_with.iter().any(|p| s.starts_with(p.as_str())))
        } else if f.target_version {
            v.is_none_or(|v| v.as_str() == Some("latest") || v.as_str() == Some(&target))
        } else {
            f.one_of.iter().any(|w| {
                if w.is_null() {
                    v.is_none()
                } else {
                    v == Some(w)
                }
            })
        }
    };
    let label = match &f.container {
        Some(c) => format!("container {c:?} of {}", label),
        None => label,
    };
    let details = match now.iter().find(|s| s.matches(&f.object)) {
        None => vec![missing(&f.object)],
        Some(o) if f.container.is_some() => {
            let name = f.container.as_deref().unwrap_or("");
            let found = pod_specs(&o.json)
                .into_iter()
                .flat_map(all_containers)
                .find(|c| c.get("name").and_then(Json::as_str) == Some(name));
            match found.map(|c| c.pointer(&f.pointer)) {
                None => vec![format!("{} has no container {name:?}", f.object)],
                Some(v) if holds(v) => Vec::new(),
                Some(Some(v)) if !v.is_null() => vec![format!("{} is {v}, not {want}", f.pointer)],
                Some(_) => vec![format!("{} is not set", f.pointer)],
            }
        }
        Some(o) => match o.json.pointer(&f.pointer) {
            v if holds(v) => Vec::new(),
            Some(v) if !v.is_null() => vec![format!("{} is {v}, not {want}", f.pointer)],
            _ => vec![format!("{} is not set", f.pointer)],
        },
    };
    Condition {
        label,
        met: details.is_empty(),
        details,
    }
}

fn container_setting(c: &ContainerSettingCheck, now: &[Shape]) -> Condition {
    let want = match (&c.equals, c.between) {
        (Some(v), _) => format!("= {v}"),
        (None, Some([lo, hi])) => format!("from {lo} to {hi}"),
        (None, None) => "(nothing)".to_string(),
    };
    let ok = |v: &Json| match (&c.equals, c.between) {
        (Some(e), _) => v == e,
        (None, Some([lo, hi])) => v.as_i64().is_some_and(|n| lo <= n && n <= hi),
        (None, None) => false,
    };
    let label = format!(
        "every container of {} has {} {want} (its own or the pod's)",
        c.object, c.pointer
    );
    let mut details = Vec::new();
    match now.iter().find(|s| s.matches(&c.object)) {
        None => details.push(missing(&c.object)),
        Some(o) => {
            for spec in pod_specs(&o.json) {
                let pod = spec.pointer(&c.pointer).filter(|v| !v.is_null());
                for container in all_containers(spec) {
                    let own = container.pointer(&c.pointer).filter(|v| !v.is_null());
                    let name = str_at(container, "name");
                    match (own, pod) {
                        (Some(v), _) if ok(v) => {}
                        (Some(v), _) => details.push(format!(
                            "container {name:?} sets {} to {v}, which takes precedence over the pod's",
                            c.pointer
                        )),
                        (None, Some(v)) if ok(v) => {}
                        (None, Some(v)) => details.push(format!(
                            "container {name:?} takes {} = {v} from the pod spec",
                            c.pointer
                        )),
                        (None, None) => details.push(format!(
                            "neither container {name:?} nor the pod spec sets {}",
                            c.pointer
                        )),
                    }
                }
            }
        }
    }
    Condition {
        label,
        met: details.is_empty(),
        details,
    }
}

/// The pod specs of an object's JSON: a Pod's `spec`, a template's `spec.template.spec`,
/// a CronJob's `spec.jobTemplate.spec.template.spec`.
pub(super) fn pod_specs(o: &Json) -> Vec<&Json> {
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
    use super::{
        container_setting, field, namespaces_to_ask, ports_to_ask, repository, segments, Shape,
    };
    use crate::lessons::{ContainerSettingCheck, FieldCheck, ObjectSel, PortSel};
    use crate::version::KubeVersion;
    use serde_json::json;

    fn shape(kind: &str, name: &str, namespace: Option<&str>, json: serde_json::Value) -> Shape {
        Shape {
            kind: kind.into(),
            name: name.into(),
            namespace: namespace.map(String::from),
            namespaced: namespace.is_some(),
            api_version: None,
            containers: Vec::new(),
            service_ports: Vec::new(),
            json,
        }
    }

    fn sel(kind: &str, name: &str, namespace: Option<&str>) -> ObjectSel {
        ObjectSel {
            kind: kind.into(),
            name: name.into(),
            namespace: namespace.map(String::from),
        }
    }

    #[test]
    fn every_namespace_asks_each_named_one_an_unnamed_one_and_cluster_wide() {
        let now = [
            shape("RoleBinding", "b", Some("payments"), json!({})),
            shape("Namespace", "team-a", None, json!({})),
            shape("ServiceAccount", "deployer", Some("shop"), json!({})),
        ];
        let asked = namespaces_to_ask(&now, &["shop".to_string()]);
        let names: Vec<Option<&str>> = asked.iter().map(|n| n.as_deref()).collect();
        assert_eq!(
            names,
            [
                None,
                Some("kube-system"),
                Some("payments"),
                Some("some-other-namespace"),
                Some("team-a")
            ]
        );
        // The unnamed one is named by no manifest.
        let now = [shape("Namespace", "some-other-namespace", None, json!({}))];
        assert!(namespaces_to_ask(&now, &[]).contains(&Some("some-other-namespacex".to_string())));
    }

    #[test]
    fn any_port_asks_named_ports_range_ends_and_around_excepts() {
        let policy = json!({"spec": {"egress": [
            {"ports": [{"protocol": "TCP", "port": 400, "endPort": 500}, {"port": 22}]},
            {"ports": [{"protocol": "UDP"}]}
        ]}});
        let now = [shape("NetworkPolicy", "p", Some("a"), policy)];
        let except = [PortSel {
            protocol: "TCP".into(),
            port: 443,
        }];
        let asked = ports_to_ask(&now, &except);
        let has = |p: &str, n: u16| asked.contains(&(p.to_string(), n));
        // Range ends, a listed port, the neighbours of the excepted port.
        for n in [400, 500, 22, 442, 444] {
            assert!(has("TCP", n), "TCP {n} in {asked:?}");
        }
        // Never the excepted port; a port nobody names for each protocol.
        assert!(!has("TCP", 443));
        assert!(has("UDP", 1) && has("SCTP", 1) && has("TCP", 1));
        // A range made only of excepted ports asks nothing inside it.
        let only = json!({"spec": {"egress": [{"ports": [{"port": 443, "endPort": 443}]}]}});
        let now = [shape("NetworkPolicy", "p", Some("a"), only)];
        assert!(!ports_to_ask(&now, &except).contains(&("TCP".to_string(), 443)));
    }

    #[test]
    fn field_matchers() {
        let ns = |labels: serde_json::Value| {
            [shape(
                "Namespace",
                "shop",
                None,
                json!({"metadata": {"labels": labels}}),
            )]
        };
        let version = FieldCheck {
            object: sel("Namespace", "shop", None),
            pointer: "/metadata/labels/v".into(),
            container: None,
            equals: None,
            starts_with: Vec::new(),
            one_of: Vec::new(),
            target_version: true,
        };
        let v130 = KubeVersion::with_patch(30, 2);
        for (value, met) in [
            (json!({}), true),
            (json!({"v": "latest"}), true),
            (json!({"v": "v1.30"}), true),
            (json!({"v": "v1.30.2"}), false),
            (json!({"v": "v1.0"}), false),
            (json!({"v": "v1.29"}), false),
            (json!({"v": "1.30"}), false),
        ] {
            assert_eq!(
                field(&version, &ns(value.clone()), v130).met,
                met,
                "{value}"
            );
        }
        let one_of = FieldCheck {
            target_version: false,
            one_of: vec![json!(false), serde_json::Value::Null],
            ..version
        };
        for (value, met) in [
            (json!({}), true),
            (json!({"v": false}), true),
            (json!({"v": null}), true),
            (json!({"v": true}), false),
            (json!({"v": "false"}), false),
        ] {
            assert_eq!(field(&one_of, &ns(value.clone()), v130).met, met, "{value}");
        }
        // A missing object is unmet, with why.
        let c = field(&one_of, &[], v130);
        assert!(!c.met && c.details[0].contains("missing"));
    }

    #[test]
    fn container_settings_take_precedence_over_the_pod() {
        let check = ContainerSettingCheck {
            object: sel("Pod", "p", Some("a")),
            pointer: "/securityContext/seccompProfile/type".into(),
            equals: Some(json!("RuntimeDefault")),
            between: None,
        };
        let pod = |spec: serde_json::Value| [shape("Pod", "p", Some("a"), json!({"spec": spec}))];
        let rd = json!({"seccompProfile": {"type": "RuntimeDefault"}});
        let local = json!({"seccompProfile": {"type": "Localhost", "localhostProfile": "../x"}});
        for (spec, met) in [
            (
                json!({"securityContext": rd, "containers": [{"name": "a"}]}),
                true,
            ),
            (
                json!({"containers": [{"name": "a", "securityContext": rd}]}),
                true,
            ),
            // The container's own setting wins, either way.
            (
                json!({"securityContext": local, "containers": [{"name": "a", "securityContext": rd}]}),
                true,
            ),
            (
                json!({"securityContext": rd, "containers": [{"name": "a", "securityContext": local}]}),
                false,
            ),
            (
                json!({"securityContext": local, "containers": [{"name": "a"}]}),
                false,
            ),
            // Every container, init containers too; set nowhere is unmet.
            (
                json!({"securityContext": rd, "containers": [{"name": "a"}], "initContainers": [{"name": "i", "securityContext": local}]}),
                false,
            ),
            (json!({"containers": [{"name": "a"}]}), false),
        ] {
            assert_eq!(
                container_setting(&check, &pod(spec.clone())).met,
                met,
                "{spec}"
            );
        }
        let user = ContainerSettingCheck {
            pointer: "/securityContext/runAsUser".into(),
            equals: None,
            between: Some([1, 2147483647]),
            ..check
        };
        for (spec, met) in [
            (
                json!({"securityContext": {"runAsUser": 1000}, "containers": [{"name": "a"}]}),
                true,
            ),
            (
                json!({"securityContext": {"runAsUser": 1000}, "containers": [{"name": "a", "securityContext": {"runAsUser": 0}}]}),
                false,
            ),
            (json!({"containers": [{"name": "a"}]}), false),
            (
                json!({"securityContext": {"runAsUser": 4294967296_u64}, "containers": [{"name": "a"}]}),
                false,
            ),
            (
                json!({"securityContext": {"runAsUser": "1000"}, "containers": [{"name": "a"}]}),
                false,
            ),
        ] {
            assert_eq!(
                container_setting(&user, &pod(spec.clone())).met,
                met,
                "{spec}"
            );
        }
    }

    #[test]
    fn host_paths_compare_by_segment() {
        assert_eq!(segments("/var/log/"), Some(vec!["var", "log"]));
        assert_eq!(segments("//var/./log"), Some(vec!["var", "log"]));
        assert_eq!(segments("/var/log/../../etc"), None);
        assert_eq!(segments("var/log"), None);
        let log = segments("/var/log").unwrap();
        assert!(segments("/var/log/pods").unwrap().starts_with(&log));
        assert!(!segments("/var/logs").unwrap().starts_with(&log));
        assert!(!segments("/var").unwrap().starts_with(&log));
    }

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
